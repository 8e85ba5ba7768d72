-- placing_inside: each point in the area of one level whose subdivided piece contains it
-- (the lowest code where pieces overlap).
-- Params: level; {points}, the points table, composed in as an identifier.
-- Relies on: the GiST index on area_subdivided.geom.
-- Run by: placing.py, for the trusts and schools importers.
INSERT INTO area_hit (key, level, area_code, metres)
SELECT DISTINCT ON (p.key) p.key, s.level, s.area_code, 0.0
FROM {points} p
JOIN area_subdivided s ON s.level = %(level)s AND ST_Intersects(s.geom, p.geom)
ORDER BY p.key, s.area_code
