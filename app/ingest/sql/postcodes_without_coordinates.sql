-- postcodes_without_coordinates: English postcodes the source gives no coordinates for (skipped).
-- Params: england (England's GSS code). Run by: the postcodes importer (postcodes.py).
SELECT postcode FROM codepoint WHERE country_code = %(england)s AND NOT located ORDER BY postcode
