-- postcodes_malformed: located English postcodes that do not have the expected shape; run only
-- when some row was refused, since matching the pattern over every row is costly.
-- Params: england (England's GSS code), pattern (the postcode regular expression).
-- Run by: the postcodes importer (postcodes.py).
SELECT postcode FROM codepoint
WHERE country_code = %(england)s AND located AND postcode !~ %(pattern)s
ORDER BY postcode
