-- similar_partnerships: the current (not ended) partnerships serving each given LA, with kind,
-- whether the kind is a national programme, and theme codes. A partnership serves an LA when
-- partnership_area names the LA itself or one of its districts (the partnership_coverage view
-- rolls districts up to their county).
-- Params: codes text[] of upper-tier LA codes.
-- Relies on: partnership_served_area (the stored coverage, ix_partnership_served_area_area_code), pk_partnership,
--            pk_partnership_theme; small tables.
SELECT c.area_code AS la_code,
       p.id,
       p.slug,
       p.name,
       p.kind,
       k.label AS kind_label,
       k.is_national,
       p.status,
       p.currency,
       coalesce(
           array_agg(t.theme_code ORDER BY t.theme_code) FILTER (WHERE t.theme_code IS NOT NULL),
           CAST('{}' AS text[])
       ) AS themes
FROM partnership_served_area AS c
JOIN partnership AS p ON p.id = c.partnership_id
JOIN partnership_kind AS k ON k.code = p.kind
LEFT JOIN partnership_theme AS t ON t.partnership_id = p.id
WHERE c.area_code = ANY(CAST(:codes AS text[]))
  AND p.status <> 'ended'
GROUP BY c.area_code, p.id, k.label, k.is_national
ORDER BY c.area_code, k.is_national, p.name
