CREATE INDEX idx_agent_runs_status ON agent_runs (status);

-- "Every run below X": WHERE ancestor_run_ids @> ARRAY[X].
CREATE INDEX idx_agent_runs_ancestors_gin ON agent_runs USING gin (ancestor_run_ids);
