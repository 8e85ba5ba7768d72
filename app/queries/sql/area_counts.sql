-- area_counts: partnerships serving each area of one level, after the map's filters.
-- Params: level, themes (text[] or NULL), kinds (text[] or NULL), national (bool: include
--         national programmes), trust_only (bool), include_ended (bool)
-- Relies on: partnership_served_area (the stored coverage); small tables.
SELECT a.code, count(DISTINCT p.id) AS n
FROM area a
JOIN partnership_served_area c ON c.area_code = a.code
JOIN partnership p ON p.id = c.partnership_id
JOIN partnership_kind k ON k.code = p.kind
WHERE (a.level = :level OR (:level = 'district' AND a.is_district))
  AND (:include_ended OR p.status <> 'ended')
  AND (:national OR NOT k.is_national)
  AND (CAST(:kinds AS text[]) IS NULL OR p.kind = ANY(CAST(:kinds AS text[])))
  AND (CAST(:themes AS text[]) IS NULL OR EXISTS (
        SELECT 1 FROM partnership_theme t
        WHERE t.partnership_id = p.id AND t.theme_code = ANY(CAST(:themes AS text[]))))
  AND (NOT :trust_only OR p.id IN (SELECT partnership_id FROM partnership_trust_link))
GROUP BY a.code
