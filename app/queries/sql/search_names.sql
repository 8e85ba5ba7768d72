-- search_names: names that match what was typed, across areas, partnerships, trusts and schools.
-- Params: q (the text typed, at least 2 characters), limit
-- Relies on: the pg_trgm GIN indexes ix_*_name_trgm (ILIKE and % both use them).
WITH hits AS (
    SELECT 'area' AS type, a.code AS id, a.name,
           initcap(replace(a.level, '_', ' ')) AS detail,
           similarity(a.name, :q) + CASE WHEN a.name ILIKE :q || '%' THEN 1 ELSE 0 END + 0.3 AS score
    FROM area a
    WHERE a.level IN ('local_authority', 'district', 'combined_authority', 'region')
      AND (a.name ILIKE '%' || :q || '%' OR a.name % :q)
    UNION ALL
    SELECT 'partnership', p.slug, p.name, k.label,
           similarity(p.name, :q) + CASE WHEN p.name ILIKE :q || '%' THEN 1 ELSE 0 END + 0.2
    FROM partnership p JOIN partnership_kind k ON k.code = p.kind
    WHERE p.name ILIKE '%' || :q || '%' OR p.name % :q
    UNION ALL
    SELECT 'trust', t.uid::text, t.name, t.group_type || coalesce(', ' || t.town, ''),
           similarity(t.name, :q) + CASE WHEN t.name ILIKE :q || '%' THEN 1 ELSE 0 END
             + CASE WHEN t.status = 'Open' THEN 0.1 ELSE -0.5 END
    FROM trust t
    WHERE (t.name ILIKE '%' || :q || '%' OR t.name % :q)
      AND t.group_type IN ('Multi-academy trust', 'Single-academy trust', 'Federation', 'Trust')
    UNION ALL
    SELECT 'school', s.urn::text, s.name,
           concat_ws(', ', s.phase, s.town, s.postcode),
           similarity(s.name, :q) + CASE WHEN s.name ILIKE :q || '%' THEN 1 ELSE 0 END
    FROM school s
    WHERE s.name ILIKE '%' || :q || '%' OR s.name % :q
)
SELECT type, id, name, detail, score FROM hits
ORDER BY score DESC, length(name), name
LIMIT :limit
