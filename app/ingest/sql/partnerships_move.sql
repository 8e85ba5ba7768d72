-- partnerships_move: only the row's place in the register moved (file:line): provenance, not a
-- new version.
-- Params: positional, seed_ref, dataset id, partnership id.
-- Run by: the partnerships importer (partnerships_store.py).
UPDATE partnership SET seed_ref = %s, dataset_id = %s WHERE id = %s
