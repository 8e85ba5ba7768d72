-- dataset_insert: a new dataset row for an import run; its id is the new data version.
-- Params: positional, name, source title, vintage, licence, checksum. Run by: every importer (base.py).
INSERT INTO dataset (name, source, vintage, licence, checksum)
VALUES (%s, %s, %s, %s, %s)
RETURNING id
