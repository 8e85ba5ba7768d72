-- schools_prepare: the name keys trusts are matched on, and the staged tables indexed and
-- analysed. A trust name's key is one spelling for matching: upper case, single spaces,
-- trimmed. The same expression is applied to the census's names and to GIAS's (here, once
-- each), so the census and GIAS spellings meet exactly.
-- Params: none (a script of several statements). Run by: the schools importer (schools.py).
UPDATE census_in SET
    trust_key = upper(btrim(regexp_replace(trust_name, '\s+', ' ', 'g'))),
    school_kind = CASE WHEN is_academy THEN 'academy' ELSE 'maintained' END
WHERE trust_name IS NOT NULL;
CREATE TEMP TABLE trust_name_key ON COMMIT DROP AS
SELECT uid, upper(btrim(regexp_replace(name, '\s+', ' ', 'g'))) AS trust_key FROM trust;
CREATE INDEX ON trust_name_key (trust_key);
CREATE INDEX ON link_in (urn);
ANALYZE school_in; ANALYZE census_in; ANALYZE gias_in; ANALYZE link_in; ANALYZE trust_name_key;
