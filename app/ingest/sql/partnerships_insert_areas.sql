-- partnerships_insert_areas: one area a seed record serves, in register order, with its note
-- and whether the link covers the whole area.
-- Params: positional, partnership id, area code, position, note, whole.
-- Run by: the partnerships importer (partnerships_store.py), many rows at once (executemany).
INSERT INTO partnership_area (partnership_id, area_code, position, note, whole)
VALUES (%s, %s, %s, %s, %s)
