-- Approved changes for the Atom feed, newest first: revisions written by a moderator (approvals
-- and reverts), not imports, each with the revision before it so the entry can say what changed.
-- Parameters: :area (GSS code or ''; matches the area itself, or an area it contains, before or
-- after the change), :theme (theme code or ''), :limit.
-- Indexes: ix_revision_partnership_id / uq_revision_partnership_id_version for the previous
-- revision; the moderated revisions are few, so the scan over them is short.
SELECT r.id, r.partnership_id, r.area_code, r.version, r.snapshot, r.change, r.created_at,
       prev.snapshot AS previous, a.name AS area_name
  FROM revision r
  LEFT JOIN LATERAL (
        SELECT q.snapshot FROM revision q
         WHERE ((r.partnership_id IS NOT NULL AND q.partnership_id = r.partnership_id)
                OR (r.partnership_id IS NULL AND q.partnership_id IS NULL
                    AND q.area_code = r.area_code))
           AND q.version < r.version
         ORDER BY q.version DESC
         LIMIT 1) prev ON true
  LEFT JOIN area a ON a.code = r.area_code
 WHERE (r.moderator_id IS NOT NULL OR r.submission_id IS NOT NULL)
   AND (:theme = '' OR r.snapshot->'themes' ? :theme
        OR coalesce(prev.snapshot->'themes', '[]'::jsonb) ? :theme)
   AND (:area = ''
        OR r.area_code = :area
        OR EXISTS (
            SELECT 1
              FROM jsonb_array_elements(coalesce(r.snapshot->'areas', '[]'::jsonb)
                                        || coalesce(prev.snapshot->'areas', '[]'::jsonb)) e
              JOIN area x ON x.code = e->>'code'
             WHERE :area IN (x.code, x.parent_code, x.combined_authority_code, x.region_code)))
 ORDER BY r.created_at DESC, r.id DESC
 LIMIT :limit
