-- trusts_delete_absent: groups gone from the file deleted, unless a school or a partnership
-- member still refers to one (it survives while anything points at it).
-- Params: none. Run by: the trusts importer (trusts.py).
DELETE FROM trust t
WHERE NOT EXISTS (SELECT 1 FROM trust_in i WHERE i.uid = t.uid)
  AND NOT EXISTS (SELECT 1 FROM school s WHERE s.trust_uid = t.uid)
  AND NOT EXISTS (SELECT 1 FROM partnership_member m WHERE m.trust_uid = t.uid)
