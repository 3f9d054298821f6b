ALTER TABLE agent_run ADD COLUMN duration_ms integer GENERATED ALWAYS AS (
    CASE WHEN completed_at IS NOT NULL
         THEN (EXTRACT(EPOCH FROM (completed_at - created_at)) * 1000)::integer
         ELSE NULL END
) STORED;

COMMENT ON COLUMN agent_run.duration_ms IS 'Execution time';
