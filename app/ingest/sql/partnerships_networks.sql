-- partnerships_networks: per kind of national network of known size, how many partnerships of
-- that kind the register holds, beside the network's size (and whether that size is approximate).
-- Params: none. Run by: the partnerships importer (partnerships_summary.py), for the summary.
SELECT k.label, count(p.id), k.network_size, k.network_size_approx
  FROM partnership_kind k LEFT JOIN partnership p ON p.kind = k.code
 WHERE k.network_size IS NOT NULL
 GROUP BY k.code ORDER BY k.label
