-- The moderation queue: submissions matching the filters, oldest first.
-- Parameters: :status, :kind, :area ('' = any), :limit.
-- An area matches a landscape note's area, an area in the proposal, or (for corrections) an
-- area the live partnership serves, directly or through the hierarchy (partnership_coverage).
-- Index: ix_submission_status_created (status, created_at) serves the usual status filter.
SELECT s.reference, s.kind, s.status, s.created_at, s.updated_at, s.submitter_name,
       s.submitter_organisation, s.base_version, s.area_code,
       coalesce(p.name, s.proposed->>'name', a.name) AS subject,
       p.slug AS partnership_slug, p.version AS partnership_version,
       CASE
           WHEN s.kind IN ('amend', 'close') THEN p.version <> s.base_version
           WHEN s.kind = 'landscape' THEN coalesce(l.version, 0) <> coalesce(s.base_version, 0)
           ELSE false
       END AS stale,
       (SELECT string_agg(e->>'name', ', ')
          FROM jsonb_array_elements(coalesce(s.proposed->'areas', '[]'::jsonb)) e) AS proposed_areas
  FROM submission s
  LEFT JOIN partnership p ON p.id = s.partnership_id
  LEFT JOIN area a ON a.code = s.area_code
  LEFT JOIN area_landscape l ON l.area_code = s.area_code
 WHERE (:status = '' OR s.status = :status)
   AND (:kind = '' OR s.kind = :kind)
   AND (:area = ''
        OR s.area_code = :area
        OR s.proposed->'areas' @> jsonb_build_array(jsonb_build_object('code', :area))
        OR EXISTS (SELECT 1 FROM partnership_coverage c
                    WHERE c.partnership_id = s.partnership_id AND c.area_code = :area))
 ORDER BY s.created_at, s.id
 LIMIT :limit
