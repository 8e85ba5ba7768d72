-- Snapshots of area landscapes: the whole public record of an area's local landscape at its
-- current version, as stored in revision.snapshot (area_code set, partnership_id NULL) and
-- compared in moderation diffs. Used by the landscape importer (psycopg) and by moderation
-- (asyncpg), so both write revisions of the same shape. No import bookkeeping or timestamps.
-- Parameter: codes, an array of GSS codes.
-- Index: pk_area_landscape.
SELECT l.area_code,
       jsonb_build_object(
           'area_code', l.area_code, 'area_name', a.name, 'body', l.body,
           'council_role', l.council_role, 'provider_name', l.provider_name,
           'provider_url', l.provider_url, 'collaboration_forms', to_jsonb(l.collaboration_forms),
           'source_url', l.source_url, 'source_title', l.source_title,
           'source_date', l.source_date, 'confidence', l.confidence,
           'checked_on', l.checked_on, 'version', l.version) AS snapshot
  FROM area_landscape l
  JOIN area a ON a.code = l.area_code
 WHERE l.area_code = ANY(:codes)
