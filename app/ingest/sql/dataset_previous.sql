-- dataset_previous: the newest dataset row of a source with this checksum (its files unchanged).
-- Params: positional, source name and checksum. Run by: every importer (base.py).
SELECT id FROM dataset WHERE name = %s AND checksum = %s ORDER BY id DESC LIMIT 1
