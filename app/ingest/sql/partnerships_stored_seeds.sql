-- partnerships_stored_seeds: every seed record (one the register made) as stored, with its
-- themes and areas (whether moderation has touched it: partnerships_moderated.sql).
-- Params: none. Run by: the partnerships importer (partnerships_store.py).
SELECT p.id, p.seed_key, p.slug, p.seed_ref,
       p.name, p.kind, p.summary, p.lead_organisation, p.website, p.founded_year, p.status,
       p.source_url, p.source_title, p.source_date, p.checked_on, p.status_evidence_url,
       p.status_evidence_title, p.status_evidence_date,
       COALESCE((SELECT array_agg(t.theme_code ORDER BY t.theme_code)
                   FROM partnership_theme t WHERE t.partnership_id = p.id), '{}') AS themes,
       COALESCE((SELECT array_agg(a.area_code ORDER BY a.position, a.area_code)
                   FROM partnership_area a WHERE a.partnership_id = p.id), '{}') AS area_codes,
       COALESCE((SELECT array_agg(a.note ORDER BY a.position, a.area_code)
                   FROM partnership_area a WHERE a.partnership_id = p.id), '{}') AS area_notes,
       COALESCE((SELECT array_agg(a.whole ORDER BY a.position, a.area_code)
                   FROM partnership_area a WHERE a.partnership_id = p.id), '{}') AS area_whole
  FROM partnership p
 WHERE p.seed_key IS NOT NULL
