-- placing_nearest: each point still outside every area of one level given the nearest area
-- within ``within`` metres, measured on the spheroid.
-- The bounding-box filter is the point's square of side 2 x within made in metres on the
-- British National Grid and transformed to the pieces' SRID, so the GiST index on
-- area_subdivided.geom is used; the exact distance is then measured on the spheroid.
-- Params: level, within (metres); {points}, the points table, composed in as an identifier.
-- Run by: placing.py, for the trusts and schools importers, after placing_inside.
WITH outside AS MATERIALIZED (
    SELECT p.key, p.geom, p.geom_bng FROM {points} p
    WHERE NOT EXISTS (SELECT 1 FROM area_hit h WHERE h.key = p.key AND h.level = %(level)s)
)
INSERT INTO area_hit (key, level, area_code, metres)
SELECT o.key, %(level)s, n.area_code, n.metres
FROM outside o
CROSS JOIN LATERAL (
    SELECT s.area_code, ST_Distance(s.geom::geography, o.geom::geography) AS metres
    FROM area_subdivided s
    WHERE s.level = %(level)s
      AND s.geom && ST_Transform(ST_Expand(o.geom_bng, %(within)s), 4326)
    ORDER BY metres, s.area_code
    LIMIT 1
) n
WHERE n.metres <= %(within)s
