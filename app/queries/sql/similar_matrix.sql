-- similar_matrix: every upper-tier local authority with its region and its value of each
-- indicator at that indicator's own period, in long format (an LA with no values appears once
-- with a NULL indicator_code). Read once per data version; the similarity service pivots it
-- into a 153 x indicators matrix and standardises it.
-- Params: none.
-- Relies on: ix_area_level (153 rows); pk_area_indicator (area_code, indicator_code, period).
SELECT la.code,
       la.name,
       la.la_number,
       la.region_code,
       r.name AS region_name,
       v.indicator_code,
       v.value
FROM area AS la
LEFT JOIN area AS r ON r.code = la.region_code
LEFT JOIN (
    SELECT ai.area_code, ai.indicator_code, ai.value
    FROM area_indicator AS ai
    JOIN indicator AS i ON i.code = ai.indicator_code AND i.period = ai.period
) AS v ON v.area_code = la.code
WHERE la.level = 'local_authority'
ORDER BY la.code, v.indicator_code
