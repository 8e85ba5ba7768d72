-- similar_areas: what the given codes are (name, level, parent), to explain why a code that is
-- not an upper-tier local authority cannot be used, and to name regions and England.
-- Params: codes text[] of GSS codes.
-- Relies on: pk_area.
SELECT a.code,
       a.name,
       a.level,
       a.parent_code,
       p.name AS parent_name
FROM area AS a
LEFT JOIN area AS p ON p.code = a.parent_code
WHERE a.code = ANY(CAST(:codes AS text[]))
