-- boundaries_insert_generalised: one area's shape for one zoom band, simplified in Python as a
-- coverage, made valid and stored in EPSG:4326.
-- Params: positional, area code, zoom band, EPSG:27700 WKB.
-- Run by: the boundaries importer (boundaries.py), many rows at once (executemany).
INSERT INTO area_generalised (area_code, zoom_band, geom)
VALUES (%s, %s, ST_Multi(ST_CollectionExtract(ST_MakeValid(
    ST_Transform(ST_GeomFromWKB(%s, 27700), 4326)), 3)))
