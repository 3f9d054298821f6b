-- Almost every run is completed; only the running ones are ever looked up by status.
DROP INDEX idx_agent_run_status;
CREATE INDEX idx_agent_run_status ON agent_run (status) WHERE status = 'running';
