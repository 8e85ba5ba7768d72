-- partnerships_rollup: partnerships per region, combined authority and LA, all and local (not
-- national) apart. Roll-ups go through the project's one definition of coverage (the
-- partnership_coverage view): a district counts for its LA, and both for their combined
-- authority and region.
-- Params: none. Run by: the partnerships importer (partnerships_summary.py), for the summary.
SELECT a.level, a.code, a.name,
       count(DISTINCT c.partnership_id) AS partnerships,
       count(DISTINCT c.partnership_id) FILTER (WHERE NOT k.is_national) AS local_partnerships
  FROM area a
  LEFT JOIN partnership_coverage c ON c.area_code = a.code
  LEFT JOIN partnership p ON p.id = c.partnership_id
  LEFT JOIN partnership_kind k ON k.code = p.kind
 WHERE a.level IN ('region', 'combined_authority', 'local_authority')
 GROUP BY a.level, a.code, a.name
 ORDER BY a.level, a.code
