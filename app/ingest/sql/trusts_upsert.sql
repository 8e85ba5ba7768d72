-- trusts_upsert: every staged group written to ``trust`` with its head office point and LA;
-- a row already equal is not rewritten. Returns one row per group written: inserted or updated.
-- Params: dataset (dataset id). Run by: the trusts importer (trusts.py).
INSERT INTO trust AS t (uid, group_id, name, group_type, status, companies_house_number, ukprn,
                       open_date, closed_date, town, postcode, geom, geom_bng, la_code,
                       dataset_id)
SELECT i.uid, i.group_id, i.name, i.group_type, i.status, i.companies_house_number, i.ukprn,
       i.open_date, i.closed_date, i.town, i.postcode, p.geom, p.geom_bng, h.area_code,
       %(dataset)s
FROM trust_in i
LEFT JOIN trust_point p ON p.key = i.uid
LEFT JOIN area_hit h ON h.key = i.uid AND h.level = 'local_authority'
ORDER BY i.uid
ON CONFLICT (uid) DO UPDATE SET
    group_id = EXCLUDED.group_id, name = EXCLUDED.name, group_type = EXCLUDED.group_type,
    status = EXCLUDED.status, companies_house_number = EXCLUDED.companies_house_number,
    ukprn = EXCLUDED.ukprn, open_date = EXCLUDED.open_date, closed_date = EXCLUDED.closed_date,
    town = EXCLUDED.town, postcode = EXCLUDED.postcode, geom = EXCLUDED.geom,
    geom_bng = EXCLUDED.geom_bng, la_code = EXCLUDED.la_code, dataset_id = EXCLUDED.dataset_id
WHERE (t.group_id, t.name, t.group_type, t.status, t.companies_house_number, t.ukprn,
       t.open_date, t.closed_date, t.town, t.postcode, t.la_code, t.dataset_id,
       ST_AsEWKB(t.geom_bng))
      IS DISTINCT FROM
      (EXCLUDED.group_id, EXCLUDED.name, EXCLUDED.group_type, EXCLUDED.status,
       EXCLUDED.companies_house_number, EXCLUDED.ukprn, EXCLUDED.open_date,
       EXCLUDED.closed_date, EXCLUDED.town, EXCLUDED.postcode, EXCLUDED.la_code,
       EXCLUDED.dataset_id, ST_AsEWKB(EXCLUDED.geom_bng))
RETURNING (xmax = 0) AS inserted
