-- Counts of submissions by status and kind, for the queue's filter bar.
-- Parameters: :kind, :area ('' = any); the same area rule as moderation_queue.sql.
-- The submission table stays small (thousands of rows); a plain aggregate is enough.
SELECT s.status, s.kind, count(*)::int AS n
  FROM submission s
 WHERE (:kind = '' OR s.kind = :kind)
   AND (:area = ''
        OR s.area_code = :area
        OR s.proposed->'areas' @> jsonb_build_array(jsonb_build_object('code', :area))
        OR EXISTS (SELECT 1 FROM partnership_coverage c
                    WHERE c.partnership_id = s.partnership_id AND c.area_code = :area))
 GROUP BY s.status, s.kind
