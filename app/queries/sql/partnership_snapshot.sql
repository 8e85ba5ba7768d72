-- Snapshots of partnerships: the whole public record at its current version, as stored in
-- revision.snapshot and compared in moderation diffs. Used by the seed importer (psycopg) and by
-- moderation (asyncpg), so both write revisions of the same shape.
-- Fields: the partnership's own columns (no import bookkeeping or timestamps), its themes (sorted
-- codes), the areas it serves (in order, with the area's name and note) and its members (in the
-- order they were written). Dates come out as ISO strings, as PostgreSQL writes them.
-- Parameter: ids, an array of partnership ids.
-- Indexes: pk_partnership; the primary keys of partnership_theme and partnership_area and
-- ix_partnership_member_partnership_id for the lists.
SELECT p.id,
       jsonb_build_object(
           'id', p.id, 'slug', p.slug, 'name', p.name, 'kind', p.kind, 'summary', p.summary,
           'lead_organisation', p.lead_organisation, 'website', p.website,
           'contact_email', p.contact_email, 'founded_year', p.founded_year,
           'status', p.status, 'source_url', p.source_url, 'source_title', p.source_title,
           'source_date', p.source_date, 'checked_on', p.checked_on,
           'status_evidence_url', p.status_evidence_url,
           'status_evidence_title', p.status_evidence_title,
           'status_evidence_date', p.status_evidence_date,
           'last_verified', p.last_verified, 'verified_by_id', p.verified_by_id,
           'verification_note', p.verification_note, 'version', p.version)
       || jsonb_build_object(
           'themes', COALESCE(
               (SELECT jsonb_agg(t.theme_code ORDER BY t.theme_code)
                  FROM partnership_theme t WHERE t.partnership_id = p.id), '[]'::jsonb),
           'areas', COALESCE(
               (SELECT jsonb_agg(jsonb_build_object('code', pa.area_code, 'name', a.name,
                                                    'note', pa.note, 'whole', pa.whole)
                                 ORDER BY pa.position, pa.area_code)
                  FROM partnership_area pa LEFT JOIN area a ON a.code = pa.area_code
                 WHERE pa.partnership_id = p.id), '[]'::jsonb),
           'members', COALESCE(
               (SELECT jsonb_agg(jsonb_build_object(
                           'member_type', m.member_type, 'name', m.name, 'urn', m.urn,
                           'trust_uid', m.trust_uid, 'area_code', m.area_code, 'role', m.role,
                           'joined_on', m.joined_on, 'left_on', m.left_on)
                       ORDER BY m.id)
                  FROM partnership_member m WHERE m.partnership_id = p.id), '[]'::jsonb))
  FROM partnership p
 WHERE p.id = ANY(:ids)
