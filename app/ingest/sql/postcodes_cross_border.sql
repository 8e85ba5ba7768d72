-- postcodes_cross_border: outcodes with located postcodes both in England and in Wales or
-- Scotland (their outcode rows hold the English part only).
-- Params: england (England's GSS code). Run by: the postcodes importer (postcodes.py).
SELECT outcode
FROM codepoint
WHERE located
GROUP BY outcode
HAVING bool_or(country_code = %(england)s) AND NOT bool_and(country_code = %(england)s)
ORDER BY outcode
