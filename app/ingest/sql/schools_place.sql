-- schools_place: each school at its postcode's Code-Point Open point (the points table
-- placing.py puts into areas), with the postcode's own district, 2025 recodes undone, kept as
-- an independent check.
-- Params: recode (JSON object: 2025 code -> the boundaries' code).
-- Run by: the schools importer (schools.py).
CREATE TEMP TABLE school_point ON COMMIT DROP AS
SELECT s.urn AS key, p.geom_bng, ST_Transform(p.geom_bng, 4326) AS geom,
       coalesce(%(recode)s::jsonb ->> p.district_code, p.district_code) AS codepoint_district
FROM school_in s JOIN postcode p ON p.postcode = s.postcode
