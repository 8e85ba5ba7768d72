-- coverage: per local authority, schools listed as members of a partnership, and schools in an
-- area served by a local (not national, not ended) partnership.
-- Params: none. Relies on: ix_school_la_code, ix_partnership_member_urn; whole-table aggregate,
-- cached per data version.
WITH member_schools AS (
    SELECT DISTINCT m.urn FROM partnership_member m
    JOIN partnership p ON p.id = m.partnership_id
    WHERE m.member_type = 'school' AND m.left_on IS NULL AND p.status <> 'ended'
), local_served AS (
    SELECT DISTINCT c.area_code FROM partnership_coverage c
    JOIN partnership p ON p.id = c.partnership_id AND p.status <> 'ended'
    JOIN partnership_kind k ON k.code = p.kind AND NOT k.is_national
)
SELECT a.code, a.name, a.combined_authority_code, ca.name AS combined_authority_name,
       ca.is_mayoral, a.region_code, r.name AS region_name,
       count(s.urn) AS schools,
       count(s.urn) FILTER (WHERE s.urn IN (SELECT urn FROM member_schools)) AS member_schools,
       count(s.urn) FILTER (WHERE s.la_code IN (SELECT area_code FROM local_served)
                              OR s.district_code IN (SELECT area_code FROM local_served)) AS served_schools
FROM area a
LEFT JOIN area ca ON ca.code = a.combined_authority_code
LEFT JOIN area r ON r.code = a.region_code
LEFT JOIN school s ON s.la_code = a.code
WHERE a.level = 'local_authority'
GROUP BY a.code, ca.name, ca.is_mayoral, r.name
ORDER BY a.name
