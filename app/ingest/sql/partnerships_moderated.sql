-- partnerships_moderated: the partnerships moderation has touched: a moderator or a submission
-- wrote one of their revisions, or their version is ahead of their newest revision (someone
-- changed them without the importer). The one definition the partnerships and membership
-- importers share: a moderated change always wins over a register row.
-- Params: none. Run by: the partnerships importer (partnerships_store.py) and the membership
-- importer (membership_world.py).
SELECT p.id
  FROM partnership p
 WHERE EXISTS (SELECT 1 FROM revision r
                WHERE r.partnership_id = p.id
                  AND (r.moderator_id IS NOT NULL OR r.submission_id IS NOT NULL))
    OR p.version > COALESCE((SELECT max(r.version) FROM revision r
                              WHERE r.partnership_id = p.id), 1)
 ORDER BY p.id
