-- partnerships_near_members: partnerships with a member school within radius_m of a point,
-- nearest member first.
-- Params: x, y (EPSG 27700), radius_m, limit
-- Relies on: idx_school_geom_bng (ST_DWithin), ix_partnership_member_urn.
SELECT p.slug, p.name, p.kind, k.label AS kind_label, k.is_national, p.status, p.currency,
       min(round(ST_Distance(s.geom_bng, ST_SetSRID(ST_MakePoint(:x, :y), 27700)))) AS distance_m,
       (array_agg(s.name ORDER BY s.geom_bng <-> ST_SetSRID(ST_MakePoint(:x, :y), 27700)))[1]
           AS nearest_member
FROM school s
JOIN partnership_member m ON m.urn = s.urn AND m.member_type = 'school' AND m.left_on IS NULL
JOIN partnership p ON p.id = m.partnership_id AND p.currency <> 'ended'
JOIN partnership_kind k ON k.code = p.kind
WHERE ST_DWithin(s.geom_bng, ST_SetSRID(ST_MakePoint(:x, :y), 27700), :radius_m)
GROUP BY p.id, k.label, k.is_national
ORDER BY distance_m, p.name
LIMIT :limit
