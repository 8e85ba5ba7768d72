-- partnerships_currency: seed records counted by currency (current, unconfirmed, ended).
-- Params: none. Run by: the partnerships importer (partnerships_summary.py), for the summary.
SELECT currency, count(*) FROM partnership WHERE seed_key IS NOT NULL
GROUP BY currency ORDER BY currency
