-- landscape_move: only the row's place in the register moved (file:line): provenance, not a
-- new version.
-- Params: positional, seed_ref, area code. Run by: the landscape importer (landscape.py).
UPDATE area_landscape SET seed_ref = %s WHERE area_code = %s
