-- placing_area_hit: the table the areas found for each point go into (metres 0 inside a
-- polygon, else the distance to the nearest area), replacing any left over.
-- Params: none (a script of several statements).
-- Run by: placing.py, for the trusts and schools importers.
DROP TABLE IF EXISTS pg_temp.area_hit;
CREATE TEMP TABLE area_hit (key bigint, level text, area_code text,
    metres double precision, PRIMARY KEY (key, level)) ON COMMIT DROP;
