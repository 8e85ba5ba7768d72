-- Likely duplicates of a partnership someone is about to add: a similar name (trigram
-- similarity, pg_trgm's default threshold of 0.3) or serving the same area (directly or through
-- the area hierarchy, via partnership_coverage) with the chosen theme, if one was chosen.
-- Parameters: :name (may be ''), :area (GSS code or ''), :theme (theme code or '').
-- Indexes: ix_partnership_name_trgm (GIN, the % operator); partnership_area and
-- partnership_theme primary keys / ix_partnership_area_area_code for the area arm.
WITH by_name AS (
    SELECT p.id, similarity(p.name, :name) AS name_score
      FROM partnership p
     WHERE :name <> '' AND p.name % :name
), by_place AS (
    SELECT DISTINCT c.partnership_id AS id
      FROM partnership_coverage c
     WHERE :area <> '' AND c.area_code = :area
       AND (:theme = '' OR EXISTS (SELECT 1 FROM partnership_theme t
                                    WHERE t.partnership_id = c.partnership_id
                                      AND t.theme_code = :theme))
)
SELECT p.slug, p.name, p.kind, p.status,
       round(coalesce(n.name_score, 0)::numeric, 2)::float AS name_score,
       (pl.id IS NOT NULL) AS same_place,
       (SELECT string_agg(a.name, ', ' ORDER BY pa.position, a.name)
          FROM partnership_area pa JOIN area a ON a.code = pa.area_code
         WHERE pa.partnership_id = p.id) AS areas
  FROM partnership p
  LEFT JOIN by_name n ON n.id = p.id
  LEFT JOIN by_place pl ON pl.id = p.id
 WHERE n.id IS NOT NULL OR pl.id IS NOT NULL
 ORDER BY coalesce(n.name_score, 0) DESC, (pl.id IS NOT NULL) DESC, p.name
 LIMIT 12
