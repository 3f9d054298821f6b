ALTER TABLE agent_step ADD COLUMN spawned_count integer GENERATED ALWAYS AS (array_length(child_run_ids, 1)) STORED;
ALTER TABLE agent_step ADD COLUMN duration_ms integer GENERATED ALWAYS AS (
    CASE WHEN completed_at IS NOT NULL
         THEN (EXTRACT(EPOCH FROM (completed_at - created_at)) * 1000)::integer
         ELSE NULL END
) STORED;

-- Redundant with the (agent_run_id, step_number) unique constraint.
DROP INDEX idx_agent_step_run_id;
CREATE INDEX idx_agent_step_status ON agent_step (status) WHERE status = 'running';

COMMENT ON COLUMN agent_step.spawned_count IS 'Number of runs spawned by the step';
COMMENT ON COLUMN agent_step.duration_ms IS 'Execution time of the step';
