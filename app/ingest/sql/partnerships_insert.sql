-- partnerships_insert: a new seed record at version 1; returns its id.
-- Params: positional, name, kind, summary, lead_organisation, website, founded_year, status,
-- source_url, source_title, source_date, checked_on, status_evidence_url,
-- status_evidence_title, status_evidence_date, seed_ref, slug, seed_key, dataset id.
-- Run by: the partnerships importer (partnerships_store.py).
INSERT INTO partnership (name, kind, summary, lead_organisation, website,
                         founded_year, status, source_url, source_title, source_date, checked_on,
                         status_evidence_url, status_evidence_title, status_evidence_date,
                         seed_ref, slug, seed_key, version, dataset_id)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
        %s, %s, 1, %s)
RETURNING id
