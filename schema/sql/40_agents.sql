-- Agent Store (publishers, published agent configs), agent runs and their steps, eval results.

CREATE TABLE publisher (
    id          text        NOT NULL,
    name        text        NOT NULL,
    email       text,
    verified    boolean     NOT NULL DEFAULT false,
    bio         text,
    avatar_url  text,
    user_id     text,
    org_id      text,
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT publisher_pkey PRIMARY KEY (id),
    CONSTRAINT publisher_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE CASCADE,
    CONSTRAINT publisher_org_id_fkey FOREIGN KEY (org_id) REFERENCES org (id) ON DELETE CASCADE,
    CONSTRAINT publisher_created_by_fkey FOREIGN KEY (created_by) REFERENCES "user" (id),
    CONSTRAINT publisher_single_owner CHECK (
        (user_id IS NOT NULL AND org_id IS NULL) OR (user_id IS NULL AND org_id IS NOT NULL)
    ),
    CONSTRAINT publisher_id_format_check CHECK (id ~ '^[a-z0-9][a-z0-9-]*$')
);

CREATE INDEX publisher_user_id_idx ON publisher (user_id);
CREATE INDEX publisher_org_id_idx ON publisher (org_id);

COMMENT ON TABLE publisher IS 'Agent Store publisher profiles. Owned by user OR org (enforced by check constraint).';
COMMENT ON COLUMN publisher.id IS 'Primary key: URL-safe publisher handle';
COMMENT ON COLUMN publisher.name IS 'Display name';
COMMENT ON COLUMN publisher.email IS 'Contact email';
COMMENT ON COLUMN publisher.verified IS 'Verified by the Agent Store team';
COMMENT ON COLUMN publisher.bio IS 'Short biography shown on the publisher page';
COMMENT ON COLUMN publisher.avatar_url IS 'Avatar URL';
COMMENT ON COLUMN publisher.user_id IS 'FK → user.id (owning user, if owned by a user)';
COMMENT ON COLUMN publisher.org_id IS 'FK → org.id (owning organization, if owned by an organization)';
COMMENT ON COLUMN publisher.created_by IS 'FK → user.id (who created the publisher)';
COMMENT ON COLUMN publisher.created_at IS 'When the publisher was created';
COMMENT ON COLUMN publisher.updated_at IS 'When the profile was last changed';


CREATE TABLE agent_config (
    id            text        NOT NULL,
    version       text        NOT NULL,
    publisher_id  text        NOT NULL,
    major         integer     GENERATED ALWAYS AS ((split_part(version, '.', 1))::integer) STORED,
    minor         integer     GENERATED ALWAYS AS ((split_part(version, '.', 2))::integer) STORED,
    patch         integer     GENERATED ALWAYS AS ((split_part(split_part(version, '.', 3), '-', 1))::integer) STORED,
    data          jsonb       NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT agent_config_pkey PRIMARY KEY (id, version),
    CONSTRAINT agent_config_publisher_id_fkey FOREIGN KEY (publisher_id) REFERENCES publisher (id) ON DELETE CASCADE,
    CONSTRAINT agent_config_version_format_check CHECK (version ~ '^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$')
);

CREATE INDEX idx_agent_config_publisher ON agent_config (publisher_id);
CREATE INDEX idx_agent_config_semver ON agent_config (publisher_id, id, major DESC, minor DESC, patch DESC);

COMMENT ON TABLE agent_config IS 'Published agent definitions (Agent Store). Versioned with semver.';
COMMENT ON COLUMN agent_config.id IS 'Agent name, unique within its publisher';
COMMENT ON COLUMN agent_config.version IS 'Semantic version (major.minor.patch[-prerelease])';
COMMENT ON COLUMN agent_config.publisher_id IS 'FK → publisher.id';
COMMENT ON COLUMN agent_config.major IS 'Major version (generated from version)';
COMMENT ON COLUMN agent_config.minor IS 'Minor version (generated from version)';
COMMENT ON COLUMN agent_config.patch IS 'Patch version (generated from version)';
COMMENT ON COLUMN agent_config.data IS 'Full agent definition';
COMMENT ON COLUMN agent_config.created_at IS 'When the version was published';
COMMENT ON COLUMN agent_config.updated_at IS 'When the version was last changed';


CREATE TABLE agent_run (
    id                text             NOT NULL DEFAULT gen_random_uuid()::text,
    user_id           text,
    agent_id          text             NOT NULL,
    publisher_id      text             GENERATED ALWAYS AS (
        CASE WHEN agent_id ~ '^[^/]+/[^@]+@.+$' THEN split_part(agent_id, '/', 1) ELSE NULL END
    ) STORED,
    agent_name        text             GENERATED ALWAYS AS (
        CASE WHEN agent_id ~ '^[^/]+/[^@]+@.+$' THEN split_part(split_part(agent_id, '/', 2), '@', 1) ELSE agent_id END
    ) STORED,
    agent_version     text             GENERATED ALWAYS AS (
        CASE WHEN agent_id ~ '^[^/]+/[^@]+@.+$' THEN split_part(agent_id, '@', 2) ELSE NULL END
    ) STORED,
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
    duration_ms       integer          GENERATED ALWAYS AS (
        CASE WHEN completed_at IS NOT NULL
             THEN (EXTRACT(EPOCH FROM (completed_at - created_at)) * 1000)::integer
             ELSE NULL END
    ) STORED,
    CONSTRAINT agent_run_pkey PRIMARY KEY (id),
    CONSTRAINT agent_run_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE SET NULL
);

CREATE INDEX idx_agent_run_user_id ON agent_run (user_id, created_at DESC);
CREATE INDEX idx_agent_run_parent ON agent_run (parent_run_id);
CREATE INDEX idx_agent_run_root ON agent_run (root_run_id);
CREATE INDEX idx_agent_run_agent_id ON agent_run (agent_id);
CREATE INDEX idx_agent_run_publisher ON agent_run (publisher_id);
CREATE INDEX idx_agent_run_status ON agent_run (status) WHERE status = 'running';
CREATE INDEX idx_agent_run_ancestors_gin ON agent_run USING gin (ancestor_run_ids);
CREATE INDEX idx_agent_run_completed_publisher_agent ON agent_run (publisher_id, agent_name)
    WHERE status = 'completed';

COMMENT ON TABLE agent_run IS 'Logs every agent execution with full hierarchy tracking.';
COMMENT ON COLUMN agent_run.id IS 'Primary key';
COMMENT ON COLUMN agent_run.user_id IS 'FK → user.id';
COMMENT ON COLUMN agent_run.agent_id IS 'Agent identifier (e.g., publisher/agent@version)';
COMMENT ON COLUMN agent_run.publisher_id IS 'Extracted from agent_id';
COMMENT ON COLUMN agent_run.agent_name IS 'Extracted from agent_id';
COMMENT ON COLUMN agent_run.agent_version IS 'Extracted from agent_id';
COMMENT ON COLUMN agent_run.ancestor_run_ids IS 'Full ancestor chain from root';
COMMENT ON COLUMN agent_run.root_run_id IS 'First ancestor or self';
COMMENT ON COLUMN agent_run.parent_run_id IS 'Immediate parent';
COMMENT ON COLUMN agent_run.depth IS 'Nesting depth';
COMMENT ON COLUMN agent_run.status IS 'running/completed/failed/cancelled';
COMMENT ON COLUMN agent_run.total_steps IS 'Number of steps executed by this run';
COMMENT ON COLUMN agent_run.direct_credits IS 'Credits consumed by this run''s own steps';
COMMENT ON COLUMN agent_run.total_credits IS 'Credits (self + descendants)';
COMMENT ON COLUMN agent_run.error_message IS 'Error message if the run failed';
COMMENT ON COLUMN agent_run.created_at IS 'When the run started';
COMMENT ON COLUMN agent_run.completed_at IS 'When the run finished';
COMMENT ON COLUMN agent_run.duration_ms IS 'Execution time';


CREATE TABLE agent_step (
    id             text              NOT NULL DEFAULT gen_random_uuid()::text,
    agent_run_id   text              NOT NULL,
    step_number    integer           NOT NULL,
    credits        numeric(10,6)     NOT NULL DEFAULT 0,
    child_run_ids  text[],
    spawned_count  integer           GENERATED ALWAYS AS (array_length(child_run_ids, 1)) STORED,
    message_id     text,
    status         agent_step_status NOT NULL DEFAULT 'completed',
    error_message  text,
    created_at     timestamptz       NOT NULL DEFAULT now(),
    completed_at   timestamptz,
    duration_ms    integer           GENERATED ALWAYS AS (
        CASE WHEN completed_at IS NOT NULL
             THEN (EXTRACT(EPOCH FROM (completed_at - created_at)) * 1000)::integer
             ELSE NULL END
    ) STORED,
    CONSTRAINT agent_step_pkey PRIMARY KEY (id),
    CONSTRAINT agent_step_agent_run_id_step_number_key UNIQUE (agent_run_id, step_number),
    CONSTRAINT agent_step_agent_run_id_fkey FOREIGN KEY (agent_run_id) REFERENCES agent_run (id) ON DELETE CASCADE,
    CONSTRAINT agent_step_step_number_check CHECK (step_number >= 1)
);

CREATE INDEX idx_agent_step_status ON agent_step (status) WHERE status = 'running';

COMMENT ON TABLE agent_step IS 'Individual execution steps within agent runs.';
COMMENT ON COLUMN agent_step.id IS 'Primary key';
COMMENT ON COLUMN agent_step.agent_run_id IS 'FK → agent_run.id';
COMMENT ON COLUMN agent_step.step_number IS 'Position of the step within its run, from 1';
COMMENT ON COLUMN agent_step.credits IS 'Credits consumed by the step';
COMMENT ON COLUMN agent_step.child_run_ids IS 'Runs spawned by the step';
COMMENT ON COLUMN agent_step.spawned_count IS 'Number of runs spawned by the step';
COMMENT ON COLUMN agent_step.message_id IS 'message.id of the LLM call made by the step, if any';
COMMENT ON COLUMN agent_step.status IS 'running/completed/skipped';
COMMENT ON COLUMN agent_step.error_message IS 'Error message if the step failed';
COMMENT ON COLUMN agent_step.created_at IS 'When the step started';
COMMENT ON COLUMN agent_step.completed_at IS 'When the step finished';
COMMENT ON COLUMN agent_step.duration_ms IS 'Execution time of the step';


CREATE TABLE git_eval_results (
    id              text        NOT NULL DEFAULT gen_random_uuid()::text,
    cost_mode       text,
    reasoner_model  text,
    agent_model     text,
    metadata        jsonb,
    cost            integer     NOT NULL DEFAULT 0,
    is_public       boolean     NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT git_eval_results_pkey PRIMARY KEY (id)
);

CREATE INDEX git_eval_results_created_at_idx ON git_eval_results (created_at);

COMMENT ON TABLE git_eval_results IS 'Evaluation benchmark results storage.';
COMMENT ON COLUMN git_eval_results.id IS 'Primary key';
COMMENT ON COLUMN git_eval_results.cost_mode IS 'Cost mode the eval ran in (lite, normal, max)';
COMMENT ON COLUMN git_eval_results.reasoner_model IS 'Model used for reasoning';
COMMENT ON COLUMN git_eval_results.agent_model IS 'Model used by the agent';
COMMENT ON COLUMN git_eval_results.metadata IS 'Scores and per-task results';
COMMENT ON COLUMN git_eval_results.cost IS 'Total cost of the eval run, in cents';
COMMENT ON COLUMN git_eval_results.is_public IS 'Shown on the public leaderboard';
COMMENT ON COLUMN git_eval_results.created_at IS 'When the eval finished';
