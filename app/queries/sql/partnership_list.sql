-- partnership_list: partnerships after the map's filters, one row each, with a display point.
-- Params: area (GSS code or NULL), themes, kinds (text[] or NULL), national (bool),
--         trust_only (bool), include_ended (bool), q (text or NULL),
--         bbox (xmin, ymin, xmax, ymax in EPSG 4326, each NULL when absent), limit
-- Relies on: partnership_served_area (ix_partnership_served_area_area_code), ix_partnership_name_trgm for q.
WITH chosen AS (
    SELECT p.*
    FROM partnership p
    JOIN partnership_kind k ON k.code = p.kind
    WHERE (:include_ended OR p.status <> 'ended')
      AND (:national OR NOT k.is_national)
      AND (CAST(:kinds AS text[]) IS NULL OR p.kind = ANY(CAST(:kinds AS text[])))
      AND (CAST(:themes AS text[]) IS NULL OR EXISTS (
            SELECT 1 FROM partnership_theme t
            WHERE t.partnership_id = p.id AND t.theme_code = ANY(CAST(:themes AS text[]))))
      AND (NOT :trust_only OR p.id IN (SELECT partnership_id FROM partnership_trust_link))
      AND (CAST(:area AS text) IS NULL OR p.id IN (
            SELECT partnership_id FROM partnership_served_area WHERE area_code = :area))
      AND (CAST(:q AS text) IS NULL OR p.name ILIKE '%' || :q || '%' OR p.name % :q
           OR p.lead_organisation ILIKE '%' || :q || '%')
), placed AS (
    SELECT c.id,
           ST_Centroid(ST_Collect(a.centroid)) AS geom,
           array_agg(a.code ORDER BY pa.position) AS area_codes,
           array_agg(a.name ORDER BY pa.position) AS area_names
    FROM chosen c
    JOIN partnership_area pa ON pa.partnership_id = c.id
    JOIN area a ON a.code = pa.area_code
    GROUP BY c.id
)
SELECT c.id, c.slug, c.name, c.kind, k.label AS kind_label, k.is_national, c.status,
       c.summary, c.lead_organisation, c.website, c.source_date, c.last_verified,
       coalesce((SELECT array_agg(t.theme_code ORDER BY t.theme_code)
                 FROM partnership_theme t WHERE t.partnership_id = c.id), '{}') AS themes,
       coalesce(pl.area_codes, '{}') AS area_codes, coalesce(pl.area_names, '{}') AS area_names,
       ST_X(pl.geom) AS lon, ST_Y(pl.geom) AS lat
FROM chosen c
JOIN partnership_kind k ON k.code = c.kind
LEFT JOIN placed pl ON pl.id = c.id
WHERE CAST(:xmin AS float8) IS NULL
   OR pl.geom && ST_MakeEnvelope(:xmin, :ymin, :xmax, :ymax, 4326)
ORDER BY k.is_national, c.status = 'ended', c.name
LIMIT :limit
