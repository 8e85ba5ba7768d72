-- nearest_schools: the schools nearest a point, in metres on the British National Grid.
-- Params: x, y (EPSG 27700), limit, exclude_urn (or NULL)
-- Relies on: idx_school_geom_bng (GiST KNN ordering with <->).
SELECT s.urn, s.name, s.phase, s.town, s.postcode, s.trust_uid, t.name AS trust_name,
       s.la_code, round(ST_Distance(s.geom_bng, ST_SetSRID(ST_MakePoint(:x, :y), 27700))) AS distance_m,
       ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat
FROM school s
LEFT JOIN trust t ON t.uid = s.trust_uid
WHERE s.geom_bng IS NOT NULL AND s.urn IS DISTINCT FROM CAST(:exclude_urn AS integer)
ORDER BY s.geom_bng <-> ST_SetSRID(ST_MakePoint(:x, :y), 27700)
LIMIT :limit
