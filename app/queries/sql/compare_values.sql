-- compare_values: the value of every indicator at the indicator's own period for the given areas
-- (the compared LAs, their regions and England).
-- Params: codes text[] of GSS codes.
-- Relies on: pk_area_indicator (area_code, indicator_code, period).
SELECT ai.area_code,
       ai.indicator_code,
       ai.value
FROM area_indicator AS ai
JOIN indicator AS i ON i.code = ai.indicator_code AND i.period = ai.period
WHERE ai.area_code = ANY(CAST(:codes AS text[]))
