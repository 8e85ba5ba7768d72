-- place_labels: the offline basemap's place names as a compact GeoJSON FeatureCollection (text).
-- Each feature is a point with n (name), k (la, district or town), r (rank: larger wins label
-- collisions) and z (the first zoom at which it is drawn).
-- Local authorities and districts sit at the centre of the largest circle inside their band-8
-- outline, so the name falls inside the area even for coastal or crescent-shaped ones.
-- Towns come from the schools register's town field: schools sharing a town name are split into
-- groups no more than 4 km apart (two Newports stay two), and each group is placed at the median
-- of its schools' points, ranked by its number of schools. Stray groups (under a tenth of the
-- name's largest group, e.g. a school whose postal town is a distant city) are left out; a
-- name is written as most of its schools write it.
-- Params: max_zoom (features with z above it are left out), digits.
-- Relies on: pk_area_generalised (area_code, zoom_band), ix_area_level. Cached per data version.
WITH areas AS (
    SELECT a.name AS n,
           CASE WHEN a.level = 'local_authority' THEN 'la' ELSE 'district' END AS k,
           round(coalesce(a.area_km2, 0))::int AS r,
           CASE WHEN a.level = 'local_authority' THEN 5 ELSE 8 END AS z,
           (ST_MaximumInscribedCircle(g.geom)).center AS geom
    FROM area a
    JOIN area_generalised g ON g.area_code = a.code AND g.zoom_band = 8
    WHERE a.level IN ('local_authority', 'district')
), placed AS (
    SELECT btrim(s.town) AS town,
           s.geom,
           ST_ClusterDBSCAN(s.geom_bng, eps := 4000, minpoints := 1)
               OVER (PARTITION BY lower(btrim(s.town))) AS grp
    FROM school s
    WHERE s.geom IS NOT NULL AND s.geom_bng IS NOT NULL AND btrim(coalesce(s.town, '')) <> ''
      -- Placeholders left in the register's town field are not places.
      AND lower(btrim(s.town)) NOT IN ('select', 'n/a', 'na', 'none', 'unknown', 'tbc', '-')
), groups AS (
    SELECT mode() WITHIN GROUP (ORDER BY town) AS n, count(*)::int AS r,
           ST_SetSRID(ST_MakePoint(
               percentile_cont(0.5) WITHIN GROUP (ORDER BY ST_X(geom)),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY ST_Y(geom))), 4326) AS geom,
           max(count(*)) OVER (PARTITION BY lower(town))::int AS largest
    FROM placed
    GROUP BY lower(town), grp
), towns AS (
    SELECT g.n, 'town' AS k, g.r,
           CASE WHEN g.r >= 150 THEN 6 WHEN g.r >= 100 THEN 8 WHEN g.r >= 25 THEN 9 WHEN g.r >= 3 THEN 10 ELSE 11 END AS z,
           g.geom
    FROM groups g
    WHERE g.r * 10 >= g.largest
), labels AS (
    SELECT * FROM areas
    UNION ALL
    SELECT * FROM towns
)
SELECT '{"type":"FeatureCollection","features":['
       || coalesce(string_agg(ST_AsGeoJSON(l.*, 'geom', :digits), ',' ORDER BY l.z, l.r DESC, l.n), '')
       || ']}'
FROM labels l
WHERE l.z <= :max_zoom
