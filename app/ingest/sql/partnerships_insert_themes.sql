-- partnerships_insert_themes: one theme of a seed record.
-- Params: positional, partnership id, theme code.
-- Run by: the partnerships importer (partnerships_store.py), many rows at once (executemany).
INSERT INTO partnership_theme (partnership_id, theme_code) VALUES (%s, %s)
