-- trusts_place: each head office at its postcode's Code-Point Open point (the points table
-- placing.py puts into areas); groups without an English postcode have none.
-- Params: none. Run by: the trusts importer (trusts.py).
CREATE TEMP TABLE trust_point ON COMMIT DROP AS
SELECT t.uid AS key, p.geom_bng, ST_Transform(p.geom_bng, 4326) AS geom
FROM trust_in t JOIN postcode p ON p.postcode = t.postcode
