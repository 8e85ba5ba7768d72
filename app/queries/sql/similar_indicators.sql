-- similar_indicators: the metadata of every indicator (label, unit, polarity, source, period,
-- whether it is in the default similarity set), by topic then label.
-- Params: none.
-- Relies on: pk_indicator (a few dozen rows, read once per data version).
SELECT i.code,
       i.label,
       i.description,
       i.unit,
       i.polarity,
       i.topic,
       i.source,
       i.period,
       i.in_default_similarity
FROM indicator AS i
ORDER BY i.topic, i.label, i.code
