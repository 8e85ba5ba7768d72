-- postcodes_stage: the staging table the Code-Point Open CSVs are copied into, and the view that
-- reads it with postcodes in canonical form; both replaced if an earlier run left them.
-- Columns as listed in codepoint_open/Doc/Code-Point_Open_Column_Headers.csv. Integers are typed
-- so that a malformed row fails the COPY, naming file, line and column.
-- The view: the source writes postcodes as 'SW1A 1AA'; older releases padded the outcode to four
-- characters ('B1  1AY'), so spacing is rebuilt from the fixed three-character incode. A view,
-- not a table: each row is read once or twice, and copying 1.5 million rows costs more.
-- ``located``: no English postcode lies on either axis of the grid; the source writes 0,0
-- (quality 90) for a postcode it has no coordinates for.
-- Params: none (a script of several statements). Run by: the postcodes importer (postcodes.py).
DROP VIEW IF EXISTS pg_temp.codepoint;
DROP TABLE IF EXISTS pg_temp.codepoint_raw;
CREATE TEMP TABLE codepoint_raw (
    postcode text,
    quality smallint,
    eastings integer,
    northings integer,
    country_code text,
    nhs_region_code text,
    nhs_ha_code text,
    county_code text,
    district_code text,
    ward_code text
);
CREATE TEMP VIEW codepoint AS
SELECT left(compact, -3) || ' ' || right(compact, 3) AS postcode, left(compact, -3) AS outcode,
       quality, eastings, northings, country_code, nullif(district_code, '') AS district_code,
       coalesce(eastings, 0) <> 0 AND coalesce(northings, 0) <> 0 AS located
FROM (SELECT upper(replace(postcode, ' ', '')) AS compact, quality, eastings, northings,
             country_code, district_code
      FROM codepoint_raw) AS raw;
