-- postcodes_insert: every located English postcode of the expected shape, with its point on the
-- British National Grid.
-- Params: england (England's GSS code), pattern (the postcode regular expression).
-- Run by: the postcodes importer (postcodes.py), into an emptied ``postcode`` table.
INSERT INTO postcode (postcode, outcode, quality, district_code, geom_bng)
SELECT postcode, outcode, quality, district_code,
       ST_SetSRID(ST_MakePoint(eastings, northings), 27700)
FROM codepoint
WHERE country_code = %(england)s AND located AND postcode ~ %(pattern)s
ORDER BY postcode
