-- Every revision of one partnership, oldest first, with who approved it and from which
-- submission (shown to moderators only).
-- Parameters: :p (partnership id).
-- Index: uq_revision_partnership_id_version.
SELECT r.version, r.snapshot, r.change, r.created_at,
       m.email AS moderator_email, s.reference
  FROM revision r
  LEFT JOIN moderator m ON m.id = r.moderator_id
  LEFT JOIN submission s ON s.id = r.submission_id
 WHERE r.partnership_id = :p
 ORDER BY r.version
