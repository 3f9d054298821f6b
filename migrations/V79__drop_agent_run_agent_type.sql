-- Built-in agents are published under the "builtin" publisher now; agent_id says it all.
ALTER TABLE agent_run DROP COLUMN agent_type;

-- Agent Store usage statistics.
CREATE INDEX idx_agent_run_completed_publisher_agent ON agent_run (publisher_id, agent_name)
    WHERE status = 'completed';
