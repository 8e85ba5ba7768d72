-- partnerships_upsert_themes: one theme of the vocabulary inserted or updated; a row already
-- equal is not rewritten.
-- Params: positional, code, label, description.
-- Run by: the partnerships importer (partnerships_vocabulary.py), many rows at once (executemany).
INSERT INTO theme (code, label, description) VALUES (%s, %s, %s)
ON CONFLICT (code) DO UPDATE SET label = EXCLUDED.label, description = EXCLUDED.description
WHERE (theme.label, theme.description) IS DISTINCT FROM (EXCLUDED.label, EXCLUDED.description)
