-- dataset_upstream: the newest dataset id of each source an importer depends on, so a dependency
-- imported anew changes the importer's checksum and makes it run again.
-- Params: positional, the list of source names. Run by: every importer with dependencies (base.py).
SELECT name, max(id) FROM dataset WHERE name = ANY(%s) GROUP BY name ORDER BY name
