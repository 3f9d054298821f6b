-- Split "publisher/agent@version" once, at write time, so the store can aggregate runs per agent.
ALTER TABLE agent_run ADD COLUMN publisher_id text GENERATED ALWAYS AS (
    CASE WHEN agent_id ~ '^[^/]+/[^@]+@.+$' THEN split_part(agent_id, '/', 1) ELSE NULL END
) STORED;
ALTER TABLE agent_run ADD COLUMN agent_name text GENERATED ALWAYS AS (
    CASE WHEN agent_id ~ '^[^/]+/[^@]+@.+$' THEN split_part(split_part(agent_id, '/', 2), '@', 1) ELSE agent_id END
) STORED;
ALTER TABLE agent_run ADD COLUMN agent_version text GENERATED ALWAYS AS (
    CASE WHEN agent_id ~ '^[^/]+/[^@]+@.+$' THEN split_part(agent_id, '@', 2) ELSE NULL END
) STORED;

CREATE INDEX idx_agent_run_publisher ON agent_run (publisher_id);

COMMENT ON COLUMN agent_run.agent_id IS 'Agent identifier (e.g., publisher/agent@version)';
COMMENT ON COLUMN agent_run.publisher_id IS 'Extracted from agent_id';
COMMENT ON COLUMN agent_run.agent_name IS 'Extracted from agent_id';
COMMENT ON COLUMN agent_run.agent_version IS 'Extracted from agent_id';
