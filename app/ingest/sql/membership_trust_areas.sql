-- membership_trust_areas: the LAs each trust belongs to: every LA where it has a school, and
-- its head office's LA.
-- Params: none. Run by: the membership importer (membership_world.py).
SELECT DISTINCT trust_uid, la_code FROM school
WHERE trust_uid IS NOT NULL AND la_code IS NOT NULL
UNION SELECT uid, la_code FROM trust WHERE la_code IS NOT NULL
