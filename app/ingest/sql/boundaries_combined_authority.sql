-- boundaries_combined_authority: one combined authority staged, dissolved in PostGIS from its
-- member districts' polygons (districts or unitaries), in the region of its first member.
-- Params: ca (GSS code), name, mayoral (boolean), lads (member district codes).
-- Run by: the boundaries importer (boundaries.py), once per combined authority.
INSERT INTO area_in (code, name, level, is_mayoral, region_code, wkb)
SELECT %(ca)s, %(name)s, 'combined_authority', %(mayoral)s,
       (SELECT min(region_code) FROM area_in WHERE code = ANY(%(lads)s)),
       ST_AsBinary(ST_Multi(ST_Union(ST_GeomFromWKB(wkb, 27700))))
FROM area_in WHERE code = ANY(%(lads)s) AND level IN ('district', 'local_authority')
