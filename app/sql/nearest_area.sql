-- nearest_area: the nearest area of a level to a point that lies in none (generalised coastlines).
-- Params: lon, lat, level, max_m (metres)
-- Relies on: idx_area_subdivided_geom for the KNN ordering.
SELECT a.code, a.name, a.la_number, a.parent_code, a.combined_authority_code, a.region_code,
       a.is_mayoral
FROM area_subdivided s
JOIN area a ON a.code = s.area_code
WHERE s.level = :level
  AND ST_DWithin(s.geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :max_m)
ORDER BY s.geom <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)
LIMIT 1
