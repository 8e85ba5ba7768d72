-- membership_partnerships: every partnership as lead matching needs it: name, kind, lead
-- organisation and areas in register order (whether moderation has touched it:
-- partnerships_moderated.sql, as the partnerships importer decides it).
-- Params: none. Run by: the membership importer (membership_world.py).
SELECT p.id, p.name, p.kind, p.lead_organisation,
       COALESCE((SELECT array_agg(a.area_code ORDER BY a.position)
                   FROM partnership_area a WHERE a.partnership_id = p.id), '{}') AS areas
  FROM partnership p
 ORDER BY p.id
