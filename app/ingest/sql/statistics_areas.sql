-- statistics_areas: the areas statistics attach to: current LAs (with DfE numbers and regions),
-- regions and England.
-- Params: none. Run by: the statistics importer (statistics_areas.py).
SELECT code, name, level, la_number, region_code FROM area
WHERE level IN ('country', 'region', 'local_authority') ORDER BY code
