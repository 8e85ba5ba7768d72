-- landscape_insert: a new seed landscape for an LA at version 1.
-- Params: positional, body, council_role, provider_name, provider_url, collaboration_forms,
-- source_url, source_title, source_date, confidence, checked_on, seed_ref, dataset id, area code.
-- Run by: the landscape importer (landscape.py).
INSERT INTO area_landscape (body, council_role, provider_name, provider_url,
                            collaboration_forms, source_url, source_title, source_date,
                            confidence, checked_on, seed_ref, dataset_id, area_code, version)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 1)
