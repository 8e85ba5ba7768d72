-- boundaries_subdivide: every area cut into pieces of at most 96 vertices for fast
-- point-in-polygon (the mapit technique); a unitary is written again as a district.
-- Params: none. Run by: the boundaries importer (boundaries.py), after emptying area_subdivided.
INSERT INTO area_subdivided (area_code, level, geom)
SELECT code, level, ST_Subdivide(geom, 96) FROM area
UNION ALL SELECT code, 'district', ST_Subdivide(geom, 96) FROM area
  WHERE level = 'local_authority' AND is_district
ORDER BY 1, 2
