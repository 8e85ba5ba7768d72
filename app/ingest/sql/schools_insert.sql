-- schools_insert: every school written to ``school`` with the provenance of each fact (source
-- and vintage, and how it was reached: point in boundary, nearest boundary, predecessor URN), or
-- the reason an academy's trust is not recorded.
-- Params: the provenance labels codepoint, areas, inside, nearest, census, gias, links, trust,
-- via; the trust-unknown reasons after, unmatched, unnamed, not_in_census; census_day; dataset.
-- Run by: the schools importer (schools.py), into an emptied ``school`` table.
WITH label AS (
    SELECT %(codepoint)s::text AS codepoint, %(areas)s::text AS areas,
           %(inside)s::text AS inside, %(nearest)s::text AS nearest, %(census)s::text AS census,
           %(gias)s::text AS gias, %(links)s::text AS links, %(trust)s::text AS trust,
           %(via)s::text AS via, %(after)s::text AS after, %(unmatched)s::text AS unmatched,
           %(unnamed)s::text AS unnamed, %(not_in_census)s::text AS not_in_census
), fact AS (
    SELECT o.*,
           coalesce(o.district_la, o.pip_la, o.census_la) AS la_code,
           coalesce(o.pip_district, o.census_district) AS district_code,
           coalesce(o.own_phase, o.predecessor_phase) AS phase,
           coalesce(o.own_trust_uid, o.predecessor_trust_uid) AS trust_uid,
           o.own_phase IS NULL AND o.predecessor_phase IS NOT NULL AS phase_via,
           o.own_trust_uid IS NULL AND o.predecessor_trust_uid IS NOT NULL AS trust_via,
           CASE WHEN o.counts_via THEN l.via || o.predecessor_urn ELSE '' END AS via,
           CASE WHEN o.area_metres > 0 THEN l.nearest ELSE l.inside END AS how_placed
    FROM school_out o CROSS JOIN label l
)
INSERT INTO school (urn, name, laestab, town, postcode, open_date, phase, school_type, status,
                    is_academy, fsm_pct, pupils, predecessor_urn, la_code, district_code,
                    trust_uid, provenance, geom, geom_bng, dataset_id)
SELECT f.urn, f.name, f.laestab, f.town, f.postcode, f.open_date, f.phase, f.school_type,
       f.status, coalesce(f.linked_academy, f.census_academy), f.fsm_pct, f.pupils,
       CASE WHEN f.phase_via OR f.counts_via OR f.trust_via THEN f.predecessor_urn END,
       f.la_code, f.district_code, f.trust_uid,
       jsonb_strip_nulls(jsonb_build_object(
           'location', CASE WHEN f.geom IS NOT NULL THEN l.codepoint END,
           'local_authority', CASE WHEN f.la_code IS NULL THEN NULL WHEN f.geom IS NULL THEN l.census
                                    ELSE l.areas || f.how_placed END,
           'district', CASE WHEN f.district_code IS NULL THEN NULL WHEN f.geom IS NULL THEN l.census
                             ELSE l.areas || f.how_placed END,
           'phase', CASE WHEN f.own_phase_from = 'census' THEN l.census
                         WHEN f.own_phase_from = 'gias' THEN l.gias
                         WHEN f.phase_via THEN l.census || l.via || f.predecessor_urn END,
           'school_type', CASE WHEN f.school_type IS NOT NULL THEN l.census END,
           'laestab', CASE WHEN f.laestab IS NOT NULL THEN l.census END,
           'status', CASE WHEN f.status IS NOT NULL THEN l.gias END,
           'academy', CASE WHEN f.linked_academy IS NOT NULL THEN l.links
                           WHEN f.census_academy IS NOT NULL THEN l.census END,
           'pupils', CASE WHEN f.pupils IS NOT NULL THEN l.census || f.via END,
           'free_school_meals', CASE WHEN f.fsm_pct IS NOT NULL THEN l.census || f.via END,
           'trust', CASE WHEN f.own_trust_uid IS NOT NULL THEN l.trust
                         WHEN f.trust_via THEN l.trust || l.via || f.predecessor_urn END,
           'trust_unknown', CASE
               WHEN f.trust_uid IS NOT NULL
                    OR NOT coalesce(f.linked_academy, f.census_academy, false) THEN NULL
               WHEN f.trust_name IS NOT NULL THEN l.unmatched
               WHEN f.in_census THEN l.unnamed
               WHEN f.open_date >= %(census_day)s OR f.predecessor_urn IS NOT NULL THEN l.after
               ELSE l.not_in_census END
       )),
       f.geom, f.geom_bng, %(dataset)s
FROM fact f CROSS JOIN label l
ORDER BY f.urn
