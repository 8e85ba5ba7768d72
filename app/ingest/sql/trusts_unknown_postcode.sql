-- trusts_unknown_postcode: groups whose postcode is not an English Code-Point Open postcode.
-- Params: none. Run by: the trusts importer (trusts.py), for the summary.
SELECT i.uid, i.postcode_as_given FROM trust_in i
WHERE i.postcode_as_given IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM trust_point p WHERE p.key = i.uid) ORDER BY i.uid
