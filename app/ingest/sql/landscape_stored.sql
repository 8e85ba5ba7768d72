-- landscape_stored: every area's stored landscape and whether moderation has touched it. A
-- landscape counts as moderated when a moderator or a submission wrote one of its revisions, or
-- its version is ahead of its newest revision (someone changed it without the importer).
-- Params: none. Run by: the landscape importer (landscape.py).
SELECT l.area_code, l.seed_ref,
       EXISTS (SELECT 1 FROM revision r
                WHERE r.area_code = l.area_code AND r.partnership_id IS NULL
                  AND (r.moderator_id IS NOT NULL OR r.submission_id IS NOT NULL))
       OR l.version > COALESCE((SELECT max(r.version) FROM revision r
                                 WHERE r.area_code = l.area_code AND r.partnership_id IS NULL), 1)
       AS moderated,
       l.body, l.council_role, l.provider_name, l.provider_url, l.collaboration_forms,
       l.source_url, l.source_title, l.source_date, l.confidence, l.checked_on
  FROM area_landscape l
