-- trusts_kept_absent: groups gone from the file but kept, because something refers to them.
-- Params: none. Run by: the trusts importer (trusts.py), after trusts_delete_absent.
SELECT uid FROM trust t WHERE NOT EXISTS (SELECT 1 FROM trust_in i WHERE i.uid = t.uid)
ORDER BY uid
