-- boundaries_stage: the staging table every boundary level is copied into (geometry as
-- EPSG:27700 WKB) before the areas are written; dropped at commit.
-- Params: none. Run by: the boundaries importer (boundaries.py).
CREATE TEMP TABLE area_in (code text, name text, level text, la_number smallint,
    parent_code text, combined_authority_code text, region_code text,
    is_mayoral boolean, is_district boolean, wkb bytea) ON COMMIT DROP
