-- trusts_stage: the staging table the GIAS groups are copied into, replacing any left over.
-- Params: none (a script of several statements). Run by: the trusts importer (trusts.py).
DROP TABLE IF EXISTS pg_temp.trust_in, pg_temp.trust_point;
CREATE TEMP TABLE trust_in (uid integer PRIMARY KEY, group_id text, name text,
    group_type text, status text, companies_house_number text, ukprn text,
    open_date date, closed_date date, town text, postcode text, postcode_as_given text)
    ON COMMIT DROP;
