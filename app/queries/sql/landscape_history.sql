-- Every revision of one area's local landscape, oldest first, with who approved it and from
-- which submission (shown to moderators only).
-- Parameters: :a (GSS code).
-- Index: ix_revision_area_code.
SELECT r.version, r.snapshot, r.change, r.created_at,
       m.email AS moderator_email, s.reference
  FROM revision r
  LEFT JOIN moderator m ON m.id = r.moderator_id
  LEFT JOIN submission s ON s.id = r.submission_id
 WHERE r.area_code = :a AND r.partnership_id IS NULL
 ORDER BY r.version
