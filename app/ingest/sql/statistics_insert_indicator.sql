-- statistics_insert_indicator: one indicator: what is measured, in which unit, which way is
-- better, from which source and period, and whether it is in the default similarity set.
-- Params: positional, code, label, description, unit, polarity, topic, source, period,
-- in_default_similarity, dataset id.
-- Run by: the statistics importer (statistics.py), many rows at once (executemany).
INSERT INTO indicator (code, label, description, unit, polarity, topic, source,
                       period, in_default_similarity, dataset_id)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
