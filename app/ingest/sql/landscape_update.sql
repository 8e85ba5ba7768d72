-- landscape_update: an LA's seed landscape whose register row changed, rewritten as a new version.
-- Params: positional, body, council_role, provider_name, provider_url, collaboration_forms,
-- source_url, source_title, source_date, confidence, checked_on, seed_ref, dataset id, area code.
-- Run by: the landscape importer (landscape.py).
UPDATE area_landscape SET body = %s, council_role = %s, provider_name = %s,
    provider_url = %s, collaboration_forms = %s, source_url = %s,
    source_title = %s, source_date = %s, confidence = %s, checked_on = %s,
    seed_ref = %s, dataset_id = %s, version = version + 1, updated_at = now()
WHERE area_code = %s
