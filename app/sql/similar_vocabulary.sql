-- similar_vocabulary: partnership themes and kinds with their labels (kinds say whether they are
-- national programmes), for counting and labelling partnerships by theme and kind.
-- Params: none.
-- Relies on: pk_theme, pk_partnership_kind (a few dozen rows).
SELECT 'theme' AS vocabulary, t.code, t.label, false AS is_national
FROM theme AS t
UNION ALL
SELECT 'kind' AS vocabulary, k.code, k.label, k.is_national
FROM partnership_kind AS k
ORDER BY vocabulary, label
