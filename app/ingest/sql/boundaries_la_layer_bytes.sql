-- boundaries_la_layer_bytes: the size in bytes of the national LA layer at zoom band 6, as
-- GeoJSON with 4 decimals, for the import summary.
-- Params: none. Run by: the boundaries importer (boundaries.py).
SELECT sum(length(ST_AsGeoJSON(g.geom, 4))) FROM area_generalised g
JOIN area a ON a.code = g.area_code WHERE a.level = 'local_authority' AND g.zoom_band = 6
