-- membership_insert_members: one member of a partnership (a school, a trust or another body)
-- with its role and origin ('membership register' or 'lead match').
-- Params: positional, partnership id, member_type, name, urn, trust_uid, area_code, role, origin.
-- Run by: the membership importer (membership_store.py), many rows at once (executemany).
INSERT INTO partnership_member (partnership_id, member_type, name, urn, trust_uid,
                                area_code, role, origin)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
