-- register_insert_revision: one revision of a seed record (a partnership or an area's
-- landscape) with its snapshot and what made it.
-- Params: positional, the record's key, version, snapshot (JSON), change; {key_column}, the
-- record's key column (partnership_id or area_code), composed in as an identifier.
-- Run by: the partnerships and landscape importers (register.py), many rows at once.
INSERT INTO revision ({key_column}, version, snapshot, change) VALUES (%s, %s, %s, %s)
