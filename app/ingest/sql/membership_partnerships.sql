-- membership_partnerships: every partnership as lead matching needs it: name, kind, lead
-- organisation, areas in register order, and whether moderation has touched it, decided exactly
-- as the partnership importer decides it (partnerships_stored_seeds.sql).
-- Params: none. Run by: the membership importer (membership_world.py).
SELECT p.id, p.name, p.kind, p.lead_organisation,
       COALESCE((SELECT array_agg(a.area_code ORDER BY a.position)
                   FROM partnership_area a WHERE a.partnership_id = p.id), '{}') AS areas,
       EXISTS (SELECT 1 FROM revision r
                WHERE r.partnership_id = p.id
                  AND (r.moderator_id IS NOT NULL OR r.submission_id IS NOT NULL))
       OR p.version > COALESCE((SELECT max(r.version) FROM revision r
                                 WHERE r.partnership_id = p.id), 1) AS moderated
  FROM partnership p
 ORDER BY p.id
