-- trusts_in_bbox: open academy trusts' head offices inside a box, with their school counts,
-- as a GeoJSON FeatureCollection (text).
-- Params: xmin, ymin, xmax, ymax (EPSG 4326), limit. "truncated": true when more matched.
-- Relies on: idx_trust_geom (GiST; the envelope is built in the column's SRID), ix_school_trust_uid.
WITH t AS (
    SELECT t.uid, t.name, t.group_type, t.town,
           (SELECT count(*) FROM school s WHERE s.trust_uid = t.uid) AS school_count,
           t.geom
    FROM trust t
    WHERE t.geom && ST_MakeEnvelope(:xmin, :ymin, :xmax, :ymax, 4326)
      AND t.status = 'Open'
      AND t.group_type IN ('Multi-academy trust', 'Single-academy trust')
    ORDER BY t.uid
    LIMIT :limit + 1
), kept AS (
    SELECT * FROM t ORDER BY uid LIMIT :limit
)
SELECT '{"type":"FeatureCollection","features":['
       || coalesce(string_agg(ST_AsGeoJSON(kept.*, 'geom', 5), ','), '')
       || '],"count":' || count(*)
       || ',"truncated":' || ((SELECT count(*) FROM t) > :limit)::text || '}'
FROM kept
