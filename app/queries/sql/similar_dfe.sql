-- similar_dfe: DfE children's services statistical neighbours (rank 1-10 and closeness band) of
-- the given LAs, or of every LA when codes is NULL, with the import that brought them.
-- Params: codes text[] of upper-tier LA codes, or NULL for all.
-- Relies on: pk_statistical_neighbour (area_code, rank) or uq_statistical_neighbour_area_code_
--            neighbour_code: both lead with area_code.
SELECT n.area_code,
       n.rank,
       n.neighbour_code,
       n.closeness,
       d.source AS dataset_source,
       d.vintage AS dataset_vintage
FROM statistical_neighbour AS n
JOIN dataset AS d ON d.id = n.dataset_id
WHERE CAST(:codes AS text[]) IS NULL OR n.area_code = ANY(CAST(:codes AS text[]))
ORDER BY n.area_code, n.rank
