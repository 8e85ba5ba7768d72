-- membership_delete_members: the member rows this importer wrote (origin set) removed, except
-- those of partnerships moderation has touched.
-- Params: positional, the ids of moderated partnerships.
-- Run by: the membership importer (membership_store.py).
DELETE FROM partnership_member WHERE origin IS NOT NULL AND NOT (partnership_id = ANY(%s))
