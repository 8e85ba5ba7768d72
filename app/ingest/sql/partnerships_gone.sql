-- partnerships_gone: seed records whose row has gone from the register (kept, never deleted).
-- Params: positional, the list of seed keys no longer seen.
-- Run by: the partnerships importer (partnerships_summary.py), for the summary.
SELECT seed_ref, slug FROM partnership WHERE seed_key = ANY(%s) ORDER BY seed_ref
