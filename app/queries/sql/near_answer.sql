-- near_answer: everything near-me shows for a place, in one statement and one round trip: the
-- place itself, the areas containing it, the partnerships serving it (from the stored coverage),
-- partnerships with member schools nearby, its trust's partnerships, and the nearest schools.
-- Params: exactly one of postcode (a normalised unit postcode), urn (a school) or lon, lat
--         (EPSG 4326) locates the place, the others NULL; coastal_m (the coastal fallback's
--         reach), serving_limit, member_radius_m, member_limit, school_limit.
-- Returns no row when the postcode or URN is unknown; one row otherwise, with lon/lat NULL and
-- empty lists when a school could not be placed. body is the API's answer but for its place,
-- as UTF-8 JSON (bytea: the driver hands over the bytes to send, not a string to encode):
-- areas keyed by level (district, LA, combined authority, region), then each list in display
-- order, every object with exactly the fields of its response model
-- (app/api_models.py NearResult), in their order, so it is sent as it is, unparsed.
-- The same answer as areas_at_point.sql (+ nearest_area.sql on coastlines), partnership_list.sql
-- for the district (else LA) with national programmes, partnerships_near_members.sql,
-- partnerships_for_trust_schools and nearest_schools.sql (a test holds them equal).
-- Relies on: postcode and school primary keys; idx_area_subdivided_geom (point in polygon, and
--            KNN for the coastal fallback); ix_partnership_served_area_area_code;
--            idx_member_school_point_geom_bng (members within the radius);
--            idx_school_geom_bng (KNN for the nearest schools);
--            ix_partnership_member_urn, ix_partnership_member_trust_uid, ix_school_trust_uid.
WITH params AS MATERIALIZED (
    -- Every parameter is read from here, never in the statement's body: the plan is then the
    -- same whatever the place, so PostgreSQL keeps one generic plan per connection instead of
    -- planning the statement afresh for each request (which cost as much as running it).
    SELECT CAST(:postcode AS text) AS postcode, CAST(:urn AS integer) AS urn,
           CAST(:lon AS float8) AS lon, CAST(:lat AS float8) AS lat,
           CAST(:coastal_m AS float8) AS coastal_m,
           CAST(:serving_limit AS integer) AS serving_limit,
           CAST(:member_radius_m AS float8) AS member_radius_m,
           CAST(:member_limit AS integer) AS member_limit,
           CAST(:school_limit AS integer) AS school_limit
), located AS (
    SELECT NULL::text AS school_name, NULL::integer AS urn, NULL::integer AS trust_uid,
           NULL::text AS trust_name, pc.geom_bng AS bng, ST_Transform(pc.geom_bng, 4326) AS wgs
    FROM params
    JOIN postcode pc ON pc.postcode = params.postcode
    UNION ALL
    SELECT s.name, s.urn, s.trust_uid, t.name, s.geom_bng, s.geom
    FROM params
    JOIN school s ON s.urn = params.urn
    LEFT JOIN trust t ON t.uid = s.trust_uid
    UNION ALL
    SELECT NULL, NULL, NULL, NULL, ST_Transform(pt.wgs, 27700), pt.wgs
    FROM params
    CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(params.lon, params.lat), 4326) AS wgs) AS pt
    WHERE params.lon IS NOT NULL
), place AS (
    SELECT * FROM located LIMIT 1
), hit AS (
    SELECT DISTINCT ON (s.level) s.level, a.code, a.name, a.la_number, a.parent_code,
           a.combined_authority_code, a.region_code, a.is_mayoral, NULL::boolean AS approximate
    FROM place
    JOIN area_subdivided s ON s.geom && place.wgs AND ST_Intersects(s.geom, place.wgs)
    JOIN area a ON a.code = s.area_code
    ORDER BY s.level, a.code
), fallback AS (
    -- a point on a generalised coastline lies in no district or LA: take the nearest one
    SELECT lv.level, n.code, n.name, n.la_number, n.parent_code, n.combined_authority_code,
           n.region_code, n.is_mayoral, true AS approximate
    FROM place
    CROSS JOIN params
    CROSS JOIN (VALUES (1, 'district'), (2, 'local_authority')) AS lv (n, level)
    CROSS JOIN LATERAL (
        SELECT a.code, a.name, a.la_number, a.parent_code, a.combined_authority_code,
               a.region_code, a.is_mayoral
        FROM area_subdivided s
        JOIN area a ON a.code = s.area_code
        WHERE s.level = lv.level
          AND s.geom && ST_Expand(place.wgs, params.coastal_m / 60000.0)
          AND ST_DWithin(s.geom::geography, place.wgs::geography, params.coastal_m)
        ORDER BY s.geom <-> place.wgs
        LIMIT 1
    ) AS n
    WHERE NOT EXISTS (SELECT 1 FROM hit WHERE hit.level = lv.level)
), found AS (
    SELECT * FROM hit UNION ALL SELECT * FROM fallback
), parents AS (
    -- the combined authority and region from the LA (else the district) when no polygon held
    -- the point
    SELECT lv.level, a.code, a.name, NULL::integer, NULL::text, NULL::text, NULL::text,
           a.is_mayoral, NULL::boolean
    FROM (SELECT * FROM found WHERE level IN ('local_authority', 'district')
          ORDER BY level = 'local_authority' DESC LIMIT 1) AS la
    CROSS JOIN LATERAL (VALUES ('combined_authority', la.combined_authority_code),
                               ('region', la.region_code)) AS lv (level, code)
    JOIN area a ON a.code = lv.code
    WHERE NOT EXISTS (SELECT 1 FROM found f WHERE f.level = lv.level)
), areas AS (
    SELECT * FROM found UNION ALL SELECT * FROM parents
), home AS (
    -- the district is the most precise area: through the coverage it also brings in the
    -- partnerships of its county, but not those of the county's other districts
    SELECT ar.code, own.parent_code
    FROM areas ar
    JOIN area own ON own.code = ar.code
    WHERE ar.level IN ('district', 'local_authority')
    ORDER BY ar.level = 'district' DESC
    LIMIT 1
), serving AS (
    SELECT row_number() OVER (ORDER BY k.is_national, p.currency = 'ended', p.name) AS ord,
           p.slug, p.name, p.kind, k.label AS kind_label, k.is_national, p.status, p.currency,
           CAST(substring(COALESCE(NULLIF(p.status_evidence_date, ''), p.source_date)
                          FROM '^([0-9]{4})') AS integer) AS evidence_year,
           cov.whole AS area_whole,
           (SELECT string_agg(a3.name || coalesce(' (' || pa3.note || ')', ''), '; '
                              ORDER BY pa3.position)
              FROM partnership_area pa3 JOIN area a3 ON a3.code = pa3.area_code
             WHERE pa3.partnership_id = p.id
               AND (NOT pa3.whole OR a3.parent_code = home.code)
               AND home.code IN (a3.code, a3.parent_code, home.parent_code)) AS area_reach,
           coalesce((SELECT array_agg(t.theme_code ORDER BY t.theme_code)
                     FROM partnership_theme t WHERE t.partnership_id = p.id), '{}') AS themes,
           coalesce(served.area_codes, '{}') AS area_codes,
           coalesce(served.area_names, '{}') AS area_names,
           p.lead_organisation, p.website, p.source_date, p.checked_on
    FROM home
    JOIN partnership_served_area cov ON cov.area_code = home.code
    JOIN partnership p ON p.id = cov.partnership_id
    JOIN partnership_kind k ON k.code = p.kind
    CROSS JOIN LATERAL (
        SELECT array_agg(a.code ORDER BY pa.position) AS area_codes,
               array_agg(a.name ORDER BY pa.position) AS area_names
        FROM partnership_area pa JOIN area a ON a.code = pa.area_code
        WHERE pa.partnership_id = p.id
    ) AS served
    ORDER BY ord
    LIMIT (SELECT serving_limit FROM params)
), near_members AS (
    SELECT row_number() OVER (ORDER BY min(round(ST_Distance(s.geom_bng, place.bng))), p.name)
               AS ord,
           p.slug, p.name, p.kind, k.label AS kind_label, k.is_national, p.status, p.currency,
           min(round(ST_Distance(s.geom_bng, place.bng))) AS distance_m,
           (array_agg(s.name ORDER BY s.geom_bng <-> place.bng))[1] AS nearest_member
    FROM place
    CROSS JOIN params
    -- current member schools only, through their own index (not every school in the circle)
    JOIN member_school_point s ON ST_DWithin(s.geom_bng, place.bng, params.member_radius_m)
    JOIN partnership p ON p.id = s.partnership_id AND p.currency <> 'ended'
    JOIN partnership_kind k ON k.code = p.kind
    GROUP BY p.id, k.label, k.is_national
    ORDER BY ord
    LIMIT (SELECT member_limit FROM params)
), trust_members AS (
    -- a school's trust, or one of the trust's other schools, listed as a member
    SELECT m.partnership_id, m.urn
    FROM place
    JOIN partnership_member m
      ON m.member_type = 'trust' AND m.trust_uid = place.trust_uid AND m.left_on IS NULL
    UNION
    SELECT m.partnership_id, m.urn
    FROM place
    JOIN school ts ON ts.trust_uid = place.trust_uid AND ts.urn IS DISTINCT FROM place.urn
    JOIN partnership_member m
      ON m.urn = ts.urn AND m.member_type = 'school' AND m.left_on IS NULL
), trust_partnerships AS (
    SELECT row_number() OVER (ORDER BY p.name) AS ord,
           p.slug, p.name, k.label AS kind_label, k.is_national, p.status,
           string_agg(DISTINCT coalesce(s.name, 'the trust itself'), '; ') AS via
    FROM trust_members tm
    JOIN partnership p ON p.id = tm.partnership_id
    JOIN partnership_kind k ON k.code = p.kind
    LEFT JOIN school s ON s.urn = tm.urn
    GROUP BY p.id, k.label, k.is_national
), nearest_schools AS (
    SELECT row_number() OVER (ORDER BY n.distance_m, n.urn) AS ord,
           n.urn, n.name, n.phase, n.town, n.postcode, n.trust_uid, t.name AS trust_name,
           n.la_code, round(n.distance_m) AS distance_m, ST_X(n.geom) AS lon, ST_Y(n.geom) AS lat
    FROM place
    CROSS JOIN LATERAL (
        SELECT s.urn, s.name, s.phase, s.town, s.postcode, s.trust_uid, s.la_code, s.geom,
               ST_Distance(s.geom_bng, place.bng) AS distance_m
        FROM school s
        WHERE s.geom_bng IS NOT NULL AND s.urn IS DISTINCT FROM place.urn
        ORDER BY s.geom_bng <-> place.bng
        LIMIT (SELECT school_limit FROM params)
    ) AS n
    LEFT JOIN trust t ON t.uid = n.trust_uid
)
SELECT pl.school_name, pl.urn, pl.trust_uid, pl.trust_name,
       ST_X(pl.wgs) AS lon, ST_Y(pl.wgs) AS lat, ST_X(pl.bng) AS x, ST_Y(pl.bng) AS y,
       convert_to(json_build_object(
           'areas', (
               SELECT coalesce(json_object_agg(a.level, json_build_object(
                          'level', a.level, 'code', a.code, 'name', a.name,
                          'la_number', a.la_number, 'parent_code', a.parent_code,
                          'combined_authority_code', a.combined_authority_code,
                          'region_code', a.region_code, 'is_mayoral', a.is_mayoral,
                          'approximate', a.approximate)
                          ORDER BY array_position(lv.levels, a.level)), '{}')
               FROM areas a
               CROSS JOIN (SELECT ARRAY['district', 'local_authority', 'combined_authority',
                                        'region'] AS levels) AS lv
               WHERE a.level = ANY (lv.levels)),
           'partnerships_serving', (
               SELECT coalesce(json_agg(json_build_object(
                          'slug', s.slug, 'name', s.name, 'kind', s.kind,
                          'kind_label', s.kind_label, 'is_national', s.is_national,
                          'status', s.status, 'currency', s.currency,
                          'evidence_year', s.evidence_year, 'area_whole', s.area_whole,
                          'area_reach', s.area_reach, 'themes', s.themes,
                          'area_codes', s.area_codes, 'area_names', s.area_names,
                          'lead_organisation', s.lead_organisation, 'website', s.website,
                          'source_date', s.source_date, 'checked_on', s.checked_on,
                          'url', '/partnerships/' || s.slug)
                          ORDER BY s.ord), '[]')
               FROM serving s),
           'partnerships_with_members_nearby', (
               SELECT coalesce(json_agg(json_build_object(
                          'slug', m.slug, 'name', m.name, 'kind_label', m.kind_label,
                          'is_national', m.is_national, 'status', m.status, 'kind', m.kind,
                          'currency', m.currency, 'distance_m', m.distance_m,
                          'nearest_member', m.nearest_member)
                          ORDER BY m.ord), '[]')
               FROM near_members m),
           'trust_partnerships', (
               SELECT coalesce(json_agg(json_build_object(
                          'slug', t.slug, 'name', t.name, 'kind_label', t.kind_label,
                          'is_national', t.is_national, 'status', t.status, 'via', t.via)
                          ORDER BY t.ord), '[]')
               FROM trust_partnerships t),
           'nearest_schools', (
               SELECT coalesce(json_agg(json_build_object(
                          'urn', n.urn, 'name', n.name, 'phase', n.phase, 'town', n.town,
                          'postcode', n.postcode, 'trust_uid', n.trust_uid,
                          'trust_name', n.trust_name, 'la_code', n.la_code,
                          'distance_m', n.distance_m, 'lon', n.lon, 'lat', n.lat)
                          ORDER BY n.ord), '[]')
               FROM nearest_schools n)
       )::text, 'UTF8') AS body
FROM place pl
