-- boundaries_delete_absent: areas no longer in the boundary files removed.
-- Params: none. Run by: the boundaries importer (boundaries.py), after boundaries_upsert_areas.
DELETE FROM area WHERE code NOT IN (SELECT code FROM area_in)
