-- boundaries_level_shapes: the areas of one level as EPSG:27700 WKB, by code, for generalising
-- as a coverage; the district level includes the unitaries (LA and district at once).
-- Params: positional, the level twice. Run by: the boundaries importer (boundaries.py).
SELECT code, ST_AsBinary(ST_Transform(geom, 27700)) FROM area
WHERE level = %s OR (%s = 'district' AND is_district) ORDER BY code
