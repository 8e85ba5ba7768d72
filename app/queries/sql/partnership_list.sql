-- partnership_list: partnerships after the map's filters, one row each, with a display point,
-- every public field (for lists and downloads), and its currency.
-- Params: area (GSS code or NULL), themes, kinds (text[] or NULL), national (bool),
--         trust_only (bool), include_ended (bool), q (text or NULL),
--         bbox (xmin, ymin, xmax, ymax in EPSG 4326, each NULL when absent), limit
-- With an area: area_whole says whether the partnership covers all of it, area_reach names the
-- linked areas that make it only a part ('North Yorkshire (part: former Scarborough borough)'),
-- and the display point sits inside that area (ended partnerships serve no area).
-- Relies on: partnership_served_area (ix_partnership_served_area_area_code),
--             ix_partnership_name_trgm for q.
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
           -- On an area's map, a point inside that area: the centre of the partnership's own
           -- areas within it (districts of a county, LAs of a region), else its usual centre
           -- when that is inside the area, else a point just inside the area's nearest edge.
           CASE WHEN CAST(:area AS text) IS NULL THEN ST_Centroid(ST_Collect(a.centroid))
                ELSE COALESCE(
                    (SELECT ST_Centroid(ST_Collect(a2.centroid))
                     FROM partnership_area pa2 JOIN area a2 ON a2.code = pa2.area_code
                     WHERE pa2.partnership_id = c.id
                       AND a2.code <> :area
                       AND :area IN (a2.parent_code, a2.region_code, a2.combined_authority_code)),
                    (SELECT CASE WHEN ST_Intersects(own.geom, centre.c) THEN centre.c
                                 -- a fifth of the way in from the nearest edge, so that
                                 -- partnerships centred elsewhere keep apart inside the area;
                                 -- the edge itself where that step would leave the area
                                 WHEN ST_Intersects(own.geom, ST_LineInterpolatePoint(
                                          ST_MakeLine(ST_ClosestPoint(own.geom, centre.c),
                                                      own.centroid), 0.2))
                                 THEN ST_LineInterpolatePoint(
                                          ST_MakeLine(ST_ClosestPoint(own.geom, centre.c),
                                                      own.centroid), 0.2)
                                 ELSE ST_ClosestPoint(own.geom, centre.c)
                            END
                     FROM area own,
                          LATERAL (SELECT ST_Centroid(ST_Collect(a.centroid)) AS c) AS centre
                     WHERE own.code = :area))
           END AS geom,
           array_agg(a.code ORDER BY pa.position) AS area_codes,
           array_agg(a.name ORDER BY pa.position) AS area_names
    FROM chosen c
    JOIN partnership_area pa ON pa.partnership_id = c.id
    JOIN area a ON a.code = pa.area_code
    GROUP BY c.id
)
SELECT c.id, c.slug, c.name, c.kind, k.label AS kind_label, k.is_national, c.status,
       c.currency,
       CAST(substring(COALESCE(NULLIF(c.status_evidence_date, ''), c.source_date)
                      FROM '^([0-9]{4})') AS integer) AS evidence_year,
       c.summary, c.lead_organisation, c.website, c.founded_year,
       c.source_url, c.source_title, c.source_date, c.checked_on,
       c.status_evidence_url, c.status_evidence_title, c.status_evidence_date,
       c.last_verified,
       coalesce((SELECT array_agg(pa.whole ORDER BY pa.position)
                 FROM partnership_area pa WHERE pa.partnership_id = c.id), '{}') AS area_whole_list,
       (SELECT cov.whole FROM partnership_served_area cov
         WHERE cov.partnership_id = c.id AND cov.area_code = :area) AS area_whole,
       (SELECT string_agg(a3.name || coalesce(' (' || pa3.note || ')', ''), '; '
                          ORDER BY pa3.position)
          FROM partnership_area pa3 JOIN area a3 ON a3.code = pa3.area_code
         WHERE pa3.partnership_id = c.id
           AND (NOT pa3.whole OR a3.parent_code = :area)
           AND :area IN (a3.code, a3.parent_code,
                         (SELECT own.parent_code FROM area own WHERE own.code = :area))
       ) AS area_reach,
       coalesce((SELECT array_agg(t.theme_code ORDER BY t.theme_code)
                 FROM partnership_theme t WHERE t.partnership_id = c.id), '{}') AS themes,
       coalesce(pl.area_codes, '{}') AS area_codes, coalesce(pl.area_names, '{}') AS area_names,
       ST_X(pl.geom) AS lon, ST_Y(pl.geom) AS lat
FROM chosen c
JOIN partnership_kind k ON k.code = c.kind
LEFT JOIN placed pl ON pl.id = c.id
WHERE CAST(:xmin AS float8) IS NULL
   OR pl.geom && ST_MakeEnvelope(:xmin, :ymin, :xmax, :ymax, 4326)
ORDER BY k.is_national, c.currency = 'ended', c.name
LIMIT :limit
