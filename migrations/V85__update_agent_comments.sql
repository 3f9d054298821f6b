-- Status comments were written before 'cancelled' and 'skipped' existed.
COMMENT ON COLUMN agent_run.status IS 'running/completed/failed/cancelled';
COMMENT ON COLUMN agent_step.status IS 'running/completed/skipped';
