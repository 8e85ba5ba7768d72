-- schools_predecessor: for a school the census does not know, its predecessors that the census
-- does know (GIAS links). The chosen one (largest, then lowest URN) gives the phase; head counts
-- only come across a plain 'Predecessor' link from a single school (the same pupils under a new
-- URN); the trust only across amalgamations and splits whose predecessors all name the same
-- matched trust.
-- Params: none (a script: the table, then its key). Run by: the schools importer (schools.py).
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
