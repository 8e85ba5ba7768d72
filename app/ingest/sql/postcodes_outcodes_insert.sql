-- postcodes_outcodes_insert: each outcode's centroid, the mean easting and northing of its
-- postcodes rounded to the metre (the precision of the source's own coordinates), named with
-- the town of doogal's postcode districts list where it has one.
-- Params: none; reads the temporary table district_town.
-- Run by: the postcodes importer (postcodes.py), into an emptied ``outcode`` table.
INSERT INTO outcode (outcode, postcode_count, town, geom, geom_bng)
SELECT c.outcode, c.postcode_count, t.town, ST_Transform(c.geom_bng, 4326), c.geom_bng
FROM (SELECT outcode, count(*) AS postcode_count,
             ST_SetSRID(ST_MakePoint(round(avg(ST_X(geom_bng))), round(avg(ST_Y(geom_bng)))),
                        27700) AS geom_bng
      FROM postcode
      GROUP BY outcode) AS c
LEFT JOIN district_town AS t USING (outcode)
ORDER BY c.outcode
