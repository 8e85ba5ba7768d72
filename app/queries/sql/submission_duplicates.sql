-- Likely duplicates of a partnership someone is about to add, ranked by how alike they are and
-- capped: a similar name (pg_trgm similarity, averaged with the similarity of the names with
-- their generic words such as "schools", "partnership" or "trust" taken out, so that "Kent
-- Schools Partnership" is not a match for "Leeds Schools Partnership"), serving the same area
-- (directly or through the area hierarchy, via partnership_coverage; with the chosen theme, if
-- one was chosen) and the same website (scheme, "www." and trailing slash ignored).
-- score = name + 0.3 for the same area + 0.6 for the same website; a record is listed when its
-- score reaches 0.4 (0.3 when no name was given: then the same area alone is enough).
-- Parameters: :name (may be ''), :area (GSS code or ''), :theme (theme code or ''),
-- :website (may be ''), :limit.
-- Reads every partnership (a few hundred rows); the partnership_coverage view (over
-- partnership_area, ix_partnership_area_area_code) and the partnership_theme primary key for the
-- area arm.
WITH q AS (
    SELECT nullif(btrim(regexp_replace(lower(:name),
               '\m(the|and|of|for|in|partnership|partnerships|schools?|education|educational|learning|alliance|trust|network|collaborative|collaboration|group|hub|local|area)\M',
               ' ', 'g')), '') AS core,
           nullif(regexp_replace(regexp_replace(lower(btrim(:website)), '^https?://(www\.)?', ''), '/+$', ''), '') AS site
), by_place AS (
    SELECT DISTINCT c.partnership_id AS id
      FROM partnership_coverage c
     WHERE :area <> '' AND c.area_code = :area
       AND (:theme = '' OR EXISTS (SELECT 1 FROM partnership_theme t
                                    WHERE t.partnership_id = c.partnership_id
                                      AND t.theme_code = :theme))
), scored AS (
    SELECT p.id,
           CASE WHEN :name = '' THEN 0
                WHEN q.core IS NULL THEN similarity(p.name, :name)
                ELSE (similarity(p.name, :name) + similarity(
                          btrim(regexp_replace(lower(p.name),
                               '\m(the|and|of|for|in|partnership|partnerships|schools?|education|educational|learning|alliance|trust|network|collaborative|collaboration|group|hub|local|area)\M',
                               ' ', 'g')), q.core)) / 2
           END AS name_score,
           (pl.id IS NOT NULL) AS same_place,
           (q.site IS NOT NULL AND q.site = regexp_replace(regexp_replace(
                lower(btrim(coalesce(p.website, ''))), '^https?://(www\.)?', ''), '/+$', '')) AS same_website
      FROM partnership p
      CROSS JOIN q
      LEFT JOIN by_place pl ON pl.id = p.id
)
SELECT p.slug, p.name, p.kind, p.status,
       round(s.name_score::numeric, 2)::float AS name_score,
       s.same_place, s.same_website,
       (SELECT string_agg(a.name, ', ' ORDER BY pa.position, a.name)
          FROM partnership_area pa JOIN area a ON a.code = pa.area_code
         WHERE pa.partnership_id = p.id) AS areas
  FROM scored s
  JOIN partnership p ON p.id = s.id
 WHERE s.name_score + 0.3 * s.same_place::int + 0.6 * s.same_website::int
       >= CASE WHEN :name = '' THEN 0.3 ELSE 0.4 END
 ORDER BY s.name_score + 0.3 * s.same_place::int + 0.6 * s.same_website::int DESC, p.name
 LIMIT :limit
