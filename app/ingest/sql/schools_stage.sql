-- schools_stage: the staging tables the school sources are copied into (the July 2025 list, the
-- January 2023 census, GIAS of June 2024, GIAS links), replacing any a failed run left.
-- Params: none (a script of several statements). Run by: the schools importer (schools.py).
DROP TABLE IF EXISTS pg_temp.school_in, pg_temp.census_in, pg_temp.gias_in, pg_temp.link_in,
    pg_temp.school_point, pg_temp.trust_name_key, pg_temp.trust_match, pg_temp.predecessor,
    pg_temp.school_out;
CREATE TEMP TABLE school_in (urn integer PRIMARY KEY, name text, open_date date, town text,
    postcode text, postcode_as_given text) ON COMMIT DROP;
CREATE TEMP TABLE census_in (urn integer PRIMARY KEY, laestab integer, la_code text,
    district_code text, phase text, school_type text, is_academy boolean, trust_name text,
    pupils integer, fsm_pct double precision, trust_key text, school_kind text) ON COMMIT DROP;
CREATE TEMP TABLE gias_in (urn integer PRIMARY KEY, phase text, status text) ON COMMIT DROP;
CREATE TEMP TABLE link_in (urn integer, link_urn integer, link_type text, source text)
    ON COMMIT DROP;
