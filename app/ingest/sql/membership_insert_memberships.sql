-- membership_insert_memberships: how schools belong to one partnership, as the membership
-- register states it, with its sources.
-- Params: positional, partnership id, membership_basis, member_count_stated, member_count_year,
-- member_trusts, council_part, funding_model, legal_form, contact_url, notes, source_url,
-- source_title, source_date, checked_on, seed_ref, dataset id.
-- Run by: the membership importer (membership_store.py), many rows at once (executemany).
INSERT INTO partnership_membership (partnership_id, membership_basis,
    member_count_stated, member_count_year, member_trusts, council_part, funding_model,
    legal_form, contact_url, notes, source_url, source_title, source_date, checked_on,
    seed_ref, dataset_id)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
