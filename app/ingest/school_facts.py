"""Joining the staged school sources into one row per school, each fact with its provenance.

Predecessor links reach census facts for schools that opened under a new URN; the insert
writes every school with the source and vintage of each of its facts.
"""

from __future__ import annotations

from app.ingest.placing import NEAREST_WITHIN_M

# What each fact's provenance says. Pages show these, so they name source and vintage.
SOURCE_CODEPOINT = "OS Code-Point Open 2025.4 (Oct 2025)"
SOURCE_AREAS = "ONS boundaries (LAD May 2024, CTYUA Dec 2023)"
INSIDE = ", school point in boundary"
NEAREST = f", nearest boundary within {NEAREST_WITHIN_M / 1000:g} km of the school point"
SOURCE_CENSUS = "DfE SPC 2022/23 (Jan 2023)"
SOURCE_GIAS_2024 = "GIAS establishments (Jun 2024)"
SOURCE_LINKS = "GIAS establishment links (Jul 2025)"
SOURCE_TRUST = "DfE SPC 2022/23 trust name (Jan 2023) matched to GIAS groups (2025)"
VIA_PREDECESSOR = ", predecessor URN "


# For a school the census does not know: its predecessors that the census does know. The
# chosen one (largest, then lowest URN) gives the phase; head counts only come across a
# plain 'Predecessor' link from a single school (the same pupils under a new URN); the trust
# only across amalgamations and splits whose predecessors all name the same matched trust.
PREDECESSOR_SQL = """
CREATE TEMP TABLE predecessor ON COMMIT DROP AS
WITH candidate AS (
    SELECT l.urn, l.link_urn, min(l.link_type) AS link_type
    FROM link_in l
    JOIN school_in s ON s.urn = l.urn
    JOIN census_in c ON c.urn = l.link_urn
    WHERE l.link_type LIKE 'Predecessor%'
      AND NOT EXISTS (SELECT 1 FROM census_in o WHERE o.urn = l.urn)
    GROUP BY l.urn, l.link_urn
), summary AS (
    SELECT d.urn, count(*) AS n,
           bool_and(d.link_type = 'Predecessor') AS plain,
           bool_or(d.link_type = 'Predecessor') AS any_plain,
           count(m.uid) AS with_trust, count(DISTINCT m.uid) AS trusts, min(m.uid) AS trust_uid
    FROM candidate d
    JOIN census_in c ON c.urn = d.link_urn
    LEFT JOIN trust_match m
           ON m.trust_key = c.trust_key AND m.school_kind = c.school_kind AND m.candidates = 1
    GROUP BY d.urn
)
SELECT DISTINCT ON (d.urn) d.urn, d.link_urn AS predecessor_urn, d.link_type, s.n,
       (s.n = 1 AND s.plain) AS same_pupils,
       CASE WHEN NOT s.any_plain AND s.with_trust = s.n AND s.trusts = 1 THEN s.trust_uid END
           AS trust_uid
FROM candidate d
JOIN summary s ON s.urn = d.urn
JOIN census_in c ON c.urn = d.link_urn
ORDER BY d.urn, c.pupils DESC NULLS LAST, d.link_urn;
ALTER TABLE predecessor ADD PRIMARY KEY (urn);
"""

# Every fact with where it came from. A school's LA is the LA of the district its point lies
# in (districts nest in LAs; the two generalised layers do not quite), else the LA its point
# lies in; a school without a point keeps the census's LA and district if they still exist.
SCHOOL_OUT_SQL = """
CREATE TEMP TABLE school_out ON COMMIT DROP AS
SELECT s.urn, s.name, s.open_date, s.town, s.postcode,
       p.geom, p.geom_bng, p.codepoint_district,
       la.area_code AS pip_la,
       di.area_code AS pip_district,
       CASE WHEN d.level = 'district' THEN d.parent_code ELSE d.code END AS district_la,
       coalesce(di.metres, la.metres) AS area_metres,
       CASE WHEN p.key IS NULL THEN cl.code END AS census_la,
       CASE WHEN p.key IS NULL THEN cd.code END AS census_district,
       c.laestab, c.school_type, g.status,
       c.urn IS NOT NULL AS in_census,
       coalesce(c.phase, g.phase) AS own_phase,
       CASE WHEN c.phase IS NOT NULL THEN 'census' WHEN g.phase IS NOT NULL THEN 'gias' END
           AS own_phase_from,
       pr.predecessor_urn, pc.phase AS predecessor_phase,
       c.urn IS NULL AND coalesce(pr.same_pupils, false) AS counts_via,
       CASE WHEN c.urn IS NOT NULL THEN c.pupils WHEN pr.same_pupils THEN pc.pupils END AS pupils,
       CASE WHEN c.urn IS NOT NULL THEN c.fsm_pct WHEN pr.same_pupils THEN pc.fsm_pct END
           AS fsm_pct,
       CASE WHEN EXISTS (SELECT 1 FROM link_in l WHERE l.urn = s.urn AND l.source = 'academies')
                THEN true
            WHEN EXISTS (SELECT 1 FROM link_in l WHERE l.urn = s.urn AND l.source = 'all')
                THEN false
       END AS linked_academy,
       c.is_academy AS census_academy,
       c.trust_name, m.uid AS own_trust_uid, pr.trust_uid AS predecessor_trust_uid
FROM school_in s
LEFT JOIN school_point p ON p.key = s.urn
LEFT JOIN area_hit la ON la.key = s.urn AND la.level = 'local_authority'
LEFT JOIN area_hit di ON di.key = s.urn AND di.level = 'district'
LEFT JOIN area d ON d.code = di.area_code
LEFT JOIN census_in c ON c.urn = s.urn
LEFT JOIN gias_in g ON g.urn = s.urn
LEFT JOIN trust_match m
       ON m.trust_key = c.trust_key AND m.school_kind = c.school_kind AND m.candidates = 1
LEFT JOIN predecessor pr ON pr.urn = s.urn
LEFT JOIN census_in pc ON pc.urn = pr.predecessor_urn
LEFT JOIN area cl ON cl.code = c.la_code AND cl.level = 'local_authority'
LEFT JOIN area cd ON cd.code = c.district_code AND (cd.level = 'district' OR cd.is_district);
ALTER TABLE school_out ADD PRIMARY KEY (urn);
"""

INSERT_SQL = """
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
"""
