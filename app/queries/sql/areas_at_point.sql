-- areas_at_point: the district, LA, combined authority and region containing a point.
-- Params: lon, lat (EPSG 4326)
-- Relies on: idx_area_subdivided_geom (GiST on small ST_Subdivide pieces: the mapit technique).
SELECT DISTINCT ON (s.level) s.level, a.code, a.name, a.la_number, a.parent_code,
       a.combined_authority_code, a.region_code, a.is_mayoral
FROM area_subdivided s
JOIN area a ON a.code = s.area_code
WHERE s.geom && ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)
  AND ST_Intersects(s.geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))
ORDER BY s.level, a.code
