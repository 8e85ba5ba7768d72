-- statistics_delete_indicators: the indicators this import is about to write, and any an earlier
-- statistics import wrote, removed (their values go with them, by cascade).
-- Params: positional, the list of indicator codes. Run by: the statistics importer (statistics.py).
DELETE FROM indicator WHERE code = ANY(%s)
   OR dataset_id IN (SELECT id FROM dataset WHERE name = 'statistics')
