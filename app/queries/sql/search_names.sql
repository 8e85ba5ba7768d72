-- search_names: names that match what was typed, across areas, partnerships, trusts and schools.
-- Params: q (the text typed, at least 2 characters), limit
-- Substring (and prefix) matches first; the fuzzy trigram match (%) runs only when they find fewer
-- than :limit names, since "st mary" is similar to thousands of school names but contained in few.
-- Relies on: the pg_trgm GIN indexes ix_*_name_trgm (ILIKE and % both use them).
WITH substring_hits AS (
    SELECT 'area' AS type, a.code AS id, a.name,
           initcap(replace(a.level, '_', ' ')) AS detail, 0.3 AS bonus,
           false AS fuzzy
    FROM area a
    WHERE a.level IN ('local_authority', 'district', 'combined_authority', 'region')
      AND a.name ILIKE '%' || :q || '%'
    UNION ALL
    SELECT 'partnership', p.slug, p.name, k.label, 0.2, false
    FROM partnership p JOIN partnership_kind k ON k.code = p.kind
    WHERE p.name ILIKE '%' || :q || '%'
    UNION ALL
    SELECT 'trust', t.uid::text, t.name, t.group_type || coalesce(', ' || t.town, ''),
           CASE WHEN t.status = 'Open' THEN 0.1 ELSE -0.5 END, false
    FROM trust t
    WHERE t.name ILIKE '%' || :q || '%'
      AND t.group_type IN ('Multi-academy trust', 'Single-academy trust', 'Federation', 'Trust')
    UNION ALL
    SELECT 'school', s.urn::text, s.name, concat_ws(', ', s.phase, s.town, s.postcode), 0, false
    FROM school s
    WHERE s.name ILIKE '%' || :q || '%'
), enough AS (
    SELECT count(*) >= :limit AS yes FROM substring_hits
), fuzzy_hits AS (
    SELECT 'area' AS type, a.code AS id, a.name,
           initcap(replace(a.level, '_', ' ')) AS detail, 0.3 AS bonus,
           true AS fuzzy
    FROM area a
    WHERE NOT (SELECT yes FROM enough)
      AND a.level IN ('local_authority', 'district', 'combined_authority', 'region')
      AND a.name % :q AND a.name NOT ILIKE '%' || :q || '%'
    UNION ALL
    SELECT 'partnership', p.slug, p.name, k.label, 0.2, true
    FROM partnership p JOIN partnership_kind k ON k.code = p.kind
    WHERE NOT (SELECT yes FROM enough)
      AND p.name % :q AND p.name NOT ILIKE '%' || :q || '%'
    UNION ALL
    SELECT 'trust', t.uid::text, t.name, t.group_type || coalesce(', ' || t.town, ''),
           CASE WHEN t.status = 'Open' THEN 0.1 ELSE -0.5 END, true
    FROM trust t
    WHERE NOT (SELECT yes FROM enough)
      AND t.name % :q AND t.name NOT ILIKE '%' || :q || '%'
      AND t.group_type IN ('Multi-academy trust', 'Single-academy trust', 'Federation', 'Trust')
    UNION ALL
    SELECT 'school', s.urn::text, s.name, concat_ws(', ', s.phase, s.town, s.postcode), 0, true
    FROM school s
    WHERE NOT (SELECT yes FROM enough)
      AND s.name % :q AND s.name NOT ILIKE '%' || :q || '%'
), hits AS (
    SELECT * FROM substring_hits
    UNION ALL
    SELECT * FROM fuzzy_hits
)
-- A name that contains the text is as similar as the text is long beside it (what the trigram
-- similarity comes to, without computing it for hundreds of names).
SELECT type, id, name, detail,
       CASE WHEN fuzzy THEN similarity(name, :q)
            ELSE length(:q)::float8 / greatest(length(name), 1) END
       + CASE WHEN name ILIKE :q || '%' THEN 1 ELSE 0 END + bonus AS score
FROM hits
ORDER BY score DESC, length(name), name
LIMIT :limit
