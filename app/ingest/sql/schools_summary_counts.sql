-- schools_summary_counts: the figures of the schools import's summary, each a count over the
-- finished load, one column each (school_summary.py names them). Placing: how schools were
-- placed and where the independent checks disagree; trusts: how many schools and academies are
-- in which kind of group; predecessors: which facts came through a predecessor URN.
-- Params: via (the provenance marker of a predecessor), academy_types (GIAS academy trust types).
-- Run by: the schools importer (school_summary.py), once, before the temporary tables go.
SELECT
    (SELECT count(*) FROM school WHERE geom IS NOT NULL) AS placed,
    -- placing
    (SELECT count(*) FROM school_out WHERE census_la IS NOT NULL) AS la_from_census,
    (SELECT count(*) FROM school_out WHERE pip_district <> codepoint_district)
        AS district_disagrees,
    (SELECT count(*) FROM school s JOIN school_out o USING (urn)
      JOIN area a ON a.code = o.codepoint_district
     WHERE s.la_code <> CASE WHEN a.level = 'district' THEN a.parent_code ELSE a.code END)
        AS la_disagrees,
    (SELECT count(*) FROM school_out WHERE pip_la <> district_la) AS pip_la_disagrees,
    (SELECT count(*) FROM school_out WHERE in_census) AS in_census,
    -- facts present
    (SELECT count(*) FROM school WHERE phase IS NOT NULL) AS with_phase,
    (SELECT count(*) FROM school WHERE school_type IS NOT NULL) AS with_school_type,
    (SELECT count(*) FROM school WHERE status IS NOT NULL) AS with_status,
    (SELECT count(*) FROM school WHERE is_academy IS NOT NULL) AS with_is_academy,
    (SELECT count(*) FROM school WHERE pupils IS NOT NULL) AS with_pupils,
    (SELECT count(*) FROM school WHERE fsm_pct IS NOT NULL) AS with_fsm_pct,
    -- trusts
    (SELECT count(*) FROM school WHERE trust_uid IS NOT NULL) AS with_trust,
    (SELECT count(*) FROM school WHERE is_academy) AS academies,
    (SELECT count(*) FROM school WHERE is_academy AND trust_uid IS NOT NULL)
        AS academies_with_trust,
    (SELECT count(*) FROM school s JOIN trust t ON t.uid = s.trust_uid
     WHERE s.is_academy AND t.group_type = ANY(%(academy_types)s)) AS academies_in_a_trust,
    (SELECT count(*) FROM school s JOIN trust t ON t.uid = s.trust_uid
     WHERE s.is_academy AND t.group_type = 'School sponsor') AS academies_with_sponsor,
    (SELECT count(*) FROM school s JOIN trust t ON t.uid = s.trust_uid
     WHERE NOT s.is_academy AND t.group_type = 'Trust') AS maintained_with_foundation_trust,
    (SELECT count(*) FROM school WHERE is_academy AND trust_uid IS NULL)
        AS academies_trust_unknown,
    (SELECT count(*) FROM school s JOIN trust t ON t.uid = s.trust_uid
     WHERE t.status = 'Closed') AS trust_since_closed,
    (SELECT count(*) FROM school_out WHERE trust_name IS NOT NULL AND own_trust_uid IS NULL)
        AS trust_name_unmatched,
    -- predecessors
    (SELECT count(*) FROM school WHERE predecessor_urn IS NOT NULL) AS via_predecessor,
    (SELECT count(*) FROM school WHERE strpos(provenance->>'phase', %(via)s) > 0)
        AS phase_via_predecessor,
    (SELECT count(*) FROM school WHERE strpos(provenance->>'pupils', %(via)s) > 0)
        AS pupils_via_predecessor,
    (SELECT count(*) FROM school WHERE strpos(provenance->>'trust', %(via)s) > 0)
        AS trust_via_predecessor,
    (SELECT count(*) FROM predecessor p JOIN census_in c ON c.urn = p.predecessor_urn
     WHERE p.link_type = 'Predecessor' AND p.n = 1 AND c.trust_key IS NOT NULL)
        AS predecessor_trust_not_carried
