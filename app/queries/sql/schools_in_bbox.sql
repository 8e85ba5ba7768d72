-- schools_in_bbox: schools inside a bounding box, as a GeoJSON FeatureCollection (text).
-- Params: xmin, ymin, xmax, ymax (EPSG 4326), limit. "truncated": true when more schools matched
-- than the limit (the lowest URNs are kept), so a client can say the list is incomplete.
-- Relies on: idx_school_geom (GiST; the envelope is built in the column's SRID).
WITH s AS (
    SELECT s.urn, s.name, s.phase, s.status, s.trust_uid, s.is_academy, s.geom
    FROM school s
    WHERE s.geom && ST_MakeEnvelope(:xmin, :ymin, :xmax, :ymax, 4326)
    ORDER BY s.urn
    LIMIT :limit + 1
), kept AS (
    SELECT * FROM s ORDER BY urn LIMIT :limit
)
SELECT '{"type":"FeatureCollection","features":['
       || coalesce(string_agg(ST_AsGeoJSON(kept.*, 'geom', 5), ','), '')
       || '],"count":' || count(*)
       || ',"truncated":' || ((SELECT count(*) FROM s) > :limit)::text || '}'
FROM kept
