-- schools_out: every school with each fact and where it came from, before the insert. A school's
-- LA is the LA of the district its point lies in (districts nest in LAs; the two generalised
-- layers do not quite), else the LA its point lies in; a school without a point keeps the
-- census's LA and district if they still exist.
-- Params: none (a script: the table, then its key). Run by: the schools importer (schools.py).
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
