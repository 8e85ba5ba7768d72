-- coverage: per local authority, schools listed as members of a partnership, and schools in an
-- area wholly served by a local (not national) partnership, apart by currency: served by a
-- current one, or only by ones unconfirmed since their source. A link to part of an area (the
-- register's "(part)") and a county reached from one of its districts count for none of the
-- area's schools; ended partnerships serve nothing.
-- Params: none. Relies on: ix_school_la_code, ix_partnership_member_urn; whole-table aggregate,
-- cached per data version.
WITH member_schools AS (
    SELECT DISTINCT m.urn FROM partnership_member m
    JOIN partnership p ON p.id = m.partnership_id
    WHERE m.member_type = 'school' AND m.left_on IS NULL AND p.currency <> 'ended'
), local_served AS (
    SELECT c.area_code, bool_or(p.currency = 'current') AS current
    FROM partnership_coverage c
    JOIN partnership p ON p.id = c.partnership_id AND p.currency <> 'ended'
    JOIN partnership_kind k ON k.code = p.kind AND NOT k.is_national
    WHERE c.whole
    GROUP BY c.area_code
), school_state AS (
    SELECT s.urn, s.la_code,
           bool_or(ls.current) AS current,
           count(ls.area_code) > 0 AS served
    FROM school s
    LEFT JOIN local_served ls ON ls.area_code IN (s.la_code, s.district_code)
    GROUP BY s.urn, s.la_code
)
SELECT a.code, a.name, a.combined_authority_code, ca.name AS combined_authority_name,
       ca.is_mayoral, a.region_code, r.name AS region_name,
       count(s.urn) AS schools,
       count(s.urn) FILTER (WHERE s.urn IN (SELECT urn FROM member_schools)) AS member_schools,
       count(s.urn) FILTER (WHERE s.current) AS served_schools,
       count(s.urn) FILTER (WHERE s.served AND NOT coalesce(s.current, false))
           AS served_unconfirmed_schools
FROM area a
LEFT JOIN area ca ON ca.code = a.combined_authority_code
LEFT JOIN area r ON r.code = a.region_code
LEFT JOIN school_state s ON s.la_code = a.code
WHERE a.level = 'local_authority'
GROUP BY a.code, ca.name, ca.is_mayoral, r.name
ORDER BY a.name
