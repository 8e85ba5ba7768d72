-- schools_in_bbox: schools inside a bounding box, as a GeoJSON FeatureCollection (text).
-- Params: xmin, ymin, xmax, ymax (EPSG 4326), limit
-- Relies on: idx_school_geom (GiST; the envelope is built in the column's SRID).
WITH s AS (
    SELECT s.urn, s.name, s.phase, s.status, s.trust_uid, s.is_academy, s.geom
    FROM school s
    WHERE s.geom && ST_MakeEnvelope(:xmin, :ymin, :xmax, :ymax, 4326)
    ORDER BY s.urn
    LIMIT :limit
)
SELECT '{"type":"FeatureCollection","features":['
       || coalesce(string_agg(ST_AsGeoJSON(s.*, 'geom', 5), ','), '')
       || '],"count":' || count(*) || '}'
FROM s
