-- Agent runs, with the ancestor chain so a whole run tree can be fetched in one query.
CREATE TYPE agent_run_status AS ENUM ('running', 'completed', 'failed');

CREATE TABLE agent_runs (
    id                text             NOT NULL DEFAULT gen_random_uuid()::text,
    user_id           text,
    agent_id          text             NOT NULL,
    agent_type        text,
    ancestor_run_ids  text[],
    root_run_id       text             GENERATED ALWAYS AS (COALESCE(ancestor_run_ids[1], id)) STORED,
    parent_run_id     text             GENERATED ALWAYS AS (ancestor_run_ids[array_length(ancestor_run_ids, 1)]) STORED,
    depth             integer          GENERATED ALWAYS AS (COALESCE(array_length(ancestor_run_ids, 1), 1)) STORED,
    status            agent_run_status NOT NULL DEFAULT 'running',
    total_steps       integer          DEFAULT 0,
    direct_credits    numeric(10,6)    DEFAULT 0,
    total_credits     numeric(10,6)    DEFAULT 0,
    error_message     text,
    created_at        timestamptz      NOT NULL DEFAULT now(),
    completed_at      timestamptz,
    CONSTRAINT agent_runs_pkey PRIMARY KEY (id),
    CONSTRAINT agent_runs_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE SET NULL
);

CREATE INDEX idx_agent_runs_user_id ON agent_runs (user_id, created_at DESC);
CREATE INDEX idx_agent_runs_parent ON agent_runs (parent_run_id);
CREATE INDEX idx_agent_runs_root ON agent_runs (root_run_id);
CREATE INDEX idx_agent_runs_agent_id ON agent_runs (agent_id);

COMMENT ON TABLE agent_runs IS 'Logs every agent execution with full hierarchy tracking.';
COMMENT ON COLUMN agent_runs.id IS 'Primary key';
COMMENT ON COLUMN agent_runs.user_id IS 'FK → user.id';
COMMENT ON COLUMN agent_runs.agent_id IS 'Agent identifier';
COMMENT ON COLUMN agent_runs.agent_type IS 'Built-in agent type, for runs of non-published agents';
COMMENT ON COLUMN agent_runs.ancestor_run_ids IS 'Full ancestor chain from root';
COMMENT ON COLUMN agent_runs.root_run_id IS 'First ancestor or self';
COMMENT ON COLUMN agent_runs.parent_run_id IS 'Immediate parent';
COMMENT ON COLUMN agent_runs.depth IS 'Nesting depth';
COMMENT ON COLUMN agent_runs.status IS 'running/completed/failed';
COMMENT ON COLUMN agent_runs.total_steps IS 'Number of steps executed by this run';
COMMENT ON COLUMN agent_runs.direct_credits IS 'Credits consumed by this run''s own steps';
COMMENT ON COLUMN agent_runs.total_credits IS 'Credits (self + descendants)';
COMMENT ON COLUMN agent_runs.error_message IS 'Error message if the run failed';
COMMENT ON COLUMN agent_runs.created_at IS 'When the run started';
COMMENT ON COLUMN agent_runs.completed_at IS 'When the run finished';
