-- nearest_area: the nearest area of a level to a point that lies in none (generalised coastlines).
-- Params: lon, lat, level, max_m (metres)
-- Relies on: idx_area_subdivided_geom (box filter and KNN ordering).
SELECT a.code, a.name, a.la_number, a.parent_code, a.combined_authority_code, a.region_code,
       a.is_mayoral
FROM area_subdivided s
JOIN area a ON a.code = s.area_code
WHERE s.level = :level
  -- a box of at least max_m in every direction in England (1 degree of longitude > 60 km), for the index
  AND s.geom && ST_Expand(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :max_m / 60000.0)
  AND ST_DWithin(s.geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :max_m)
ORDER BY s.geom <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)
LIMIT 1
