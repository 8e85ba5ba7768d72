-- partnerships_update: a seed record whose register row changed, rewritten as a new version
-- (its themes and areas are replaced beside it).
-- Params: positional, name, kind, summary, lead_organisation, website, founded_year, status,
-- source_url, source_title, source_date, checked_on, status_evidence_url,
-- status_evidence_title, status_evidence_date, seed_ref, dataset id, partnership id.
-- Run by: the partnerships importer (partnerships_store.py).
UPDATE partnership SET name = %s, kind = %s, summary = %s,
    lead_organisation = %s, website = %s, founded_year = %s, status = %s,
    source_url = %s, source_title = %s, source_date = %s, checked_on = %s,
    status_evidence_url = %s, status_evidence_title = %s,
    status_evidence_date = %s, seed_ref = %s, version = version + 1, updated_at = now(),
    dataset_id = %s
WHERE id = %s
