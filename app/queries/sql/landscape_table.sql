-- The all-England landscape table: one row per upper-tier LA with its council role, provider,
-- forms of collaboration and provenance, the register's local partnerships by currency (a
-- district's partnership counts for its county), national programmes
-- not ended, and its schools and their share in an academy trust.
-- Parameters: :trust_types (app.codes.ACADEMY_TRUST_TYPES, the GIAS group types that make an
-- academy "in a trust"). Whole-table aggregate, cached per data version.
-- Indexes: pk_area_landscape, ix_school_la_code; partnership_area and area are read whole.
WITH links AS (
    -- Each partnership's upper-tier LAs: the linked LA, or the county of a linked district.
    -- Read from the links, not the coverage view, so that ended partnerships are counted too.
    SELECT DISTINCT pa.partnership_id,
           CASE WHEN a.level = 'district' THEN a.parent_code ELSE a.code END AS area_code
      FROM partnership_area pa JOIN area a ON a.code = pa.area_code
), register AS (
    SELECT c.area_code,
           count(DISTINCT p.id) FILTER (WHERE NOT k.is_national AND p.currency = 'current') AS local_current,
           count(DISTINCT p.id) FILTER (WHERE NOT k.is_national AND p.currency = 'unconfirmed') AS local_unconfirmed,
           count(DISTINCT p.id) FILTER (WHERE NOT k.is_national AND p.currency = 'ended') AS local_ended,
           count(DISTINCT p.id) FILTER (WHERE k.is_national AND p.currency <> 'ended') AS national
      FROM links c
      JOIN partnership p ON p.id = c.partnership_id
      JOIN partnership_kind k ON k.code = p.kind
     GROUP BY c.area_code
), schools AS (
    SELECT s.la_code, count(*) AS schools,
           -- "In a trust": an academy in a multi-academy or single-academy trust.
           count(*) FILTER (WHERE s.is_academy AND t.group_type = ANY(:trust_types))
               AS in_trust
      FROM school s LEFT JOIN trust t ON t.uid = s.trust_uid
     WHERE s.la_code IS NOT NULL GROUP BY s.la_code
)
SELECT a.code, a.name, r.name AS region_name, ca.name AS combined_authority_name,
       coalesce(ca.is_mayoral, false) AS mayoral,
       l.council_role, l.provider_name, l.provider_url,
       coalesce(l.collaboration_forms, '{}') AS collaboration_forms,
       l.source_date, l.confidence, l.checked_on,
       coalesce(g.local_current, 0) AS local_current,
       coalesce(g.local_unconfirmed, 0) AS local_unconfirmed,
       coalesce(g.local_ended, 0) AS local_ended,
       coalesce(g.national, 0) AS national,
       coalesce(s.schools, 0) AS schools, coalesce(s.in_trust, 0) AS in_trust
  FROM area a
  LEFT JOIN area r ON r.code = a.region_code
  LEFT JOIN area ca ON ca.code = a.combined_authority_code
  LEFT JOIN area_landscape l ON l.area_code = a.code
  LEFT JOIN register g ON g.area_code = a.code
  LEFT JOIN schools s ON s.la_code = a.code
 WHERE a.level = 'local_authority'
 ORDER BY a.name
