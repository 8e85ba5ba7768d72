-- One submission by its public reference, with the names a status page shows.
-- Parameters: :ref (canonical reference, e.g. PM-7KQ2-M9XD).
-- Index: uq_submission_reference.
SELECT s.id, s.reference, s.token_hash, s.kind, s.status, s.partnership_id, s.area_code,
       s.base_version, s.proposed, s.submitter_name, s.submitter_email,
       s.submitter_organisation, s.submitter_role, s.evidence, s.moderator_note,
       s.private_note, s.moderator_id, s.created_at, s.updated_at, s.decided_at,
       p.slug AS partnership_slug, p.name AS partnership_name, p.version AS partnership_version,
       a.name AS area_name, m.email AS moderator_email
  FROM submission s
  LEFT JOIN partnership p ON p.id = s.partnership_id
  LEFT JOIN area a ON a.code = s.area_code
  LEFT JOIN moderator m ON m.id = s.moderator_id
 WHERE s.reference = :ref
