-- postcodes_source_counts: rows in the Code-Point Open files, and those in England.
-- Params: england (England's GSS code). Run by: the postcodes importer (postcodes.py).
SELECT count(*), count(*) FILTER (WHERE country_code = %(england)s) FROM codepoint_raw
