-- boundaries_upsert_areas: every staged area written to ``area``, level by level (parents first),
-- in EPSG:4326 with its point on surface and its area in km²; a row already equal is not rewritten.
-- Params: ds (dataset id). Run by: the boundaries importer (boundaries.py).
INSERT INTO area (code, name, level, la_number, parent_code, combined_authority_code,
                  region_code, is_mayoral, is_district, geom, centroid, area_km2, dataset_id)
SELECT code, name, level, la_number, parent_code, combined_authority_code, region_code,
       coalesce(is_mayoral, false), coalesce(is_district, false), g, ST_PointOnSurface(g),
       round((ST_Area(g::geography) / 1e6)::numeric, 3), %(ds)s
FROM (SELECT *, ST_Transform(ST_GeomFromWKB(wkb, 27700), 4326) AS g FROM area_in) s
ORDER BY array_position(ARRAY['country', 'region', 'combined_authority',
                              'local_authority', 'district'], level)
ON CONFLICT (code) DO UPDATE SET
    name = EXCLUDED.name, level = EXCLUDED.level, la_number = EXCLUDED.la_number,
    parent_code = EXCLUDED.parent_code,
    combined_authority_code = EXCLUDED.combined_authority_code,
    region_code = EXCLUDED.region_code, is_mayoral = EXCLUDED.is_mayoral,
    is_district = EXCLUDED.is_district, geom = EXCLUDED.geom, centroid = EXCLUDED.centroid,
    area_km2 = EXCLUDED.area_km2, dataset_id = EXCLUDED.dataset_id
WHERE (area.name, area.level, area.la_number, area.parent_code,
       area.combined_authority_code, area.region_code, area.is_mayoral, area.is_district,
       area.area_km2, area.dataset_id)
      IS DISTINCT FROM
      (EXCLUDED.name, EXCLUDED.level, EXCLUDED.la_number, EXCLUDED.parent_code,
       EXCLUDED.combined_authority_code, EXCLUDED.region_code, EXCLUDED.is_mayoral,
       EXCLUDED.is_district, EXCLUDED.area_km2, EXCLUDED.dataset_id)
   OR NOT ST_Equals(area.geom, EXCLUDED.geom)
