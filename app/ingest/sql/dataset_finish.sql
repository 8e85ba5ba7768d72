-- dataset_finish: what an import run wrote, kept on its dataset row (rows, seconds, summary).
-- Params: positional, row count, duration in seconds, summary (JSON), dataset id.
-- Run by: every importer (base.py), last, inside the import's transaction.
UPDATE dataset SET row_count = %s, duration_s = %s, summary = %s WHERE id = %s
