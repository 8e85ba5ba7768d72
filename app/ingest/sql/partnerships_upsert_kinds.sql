-- partnerships_upsert_kinds: one partnership kind of the vocabulary inserted or updated; a row
-- already equal is not rewritten.
-- Params: positional, code, label, description, is_national, network_size,
-- network_size_approx, network_size_source.
-- Run by: the partnerships importer (partnerships_vocabulary.py), many rows at once (executemany).
INSERT INTO partnership_kind (code, label, description, is_national, network_size,
                              network_size_approx, network_size_source)
VALUES (%s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (code) DO UPDATE SET label = EXCLUDED.label,
    description = EXCLUDED.description, is_national = EXCLUDED.is_national,
    network_size = EXCLUDED.network_size,
    network_size_approx = EXCLUDED.network_size_approx,
    network_size_source = EXCLUDED.network_size_source
WHERE (partnership_kind.label, partnership_kind.description,
       partnership_kind.is_national, partnership_kind.network_size,
       partnership_kind.network_size_approx, partnership_kind.network_size_source)
      IS DISTINCT FROM (EXCLUDED.label, EXCLUDED.description, EXCLUDED.is_national,
                        EXCLUDED.network_size, EXCLUDED.network_size_approx,
                        EXCLUDED.network_size_source)
