CREATE TYPE agent_step_status AS ENUM ('running', 'completed');

CREATE TABLE agent_steps (
    id             text              NOT NULL DEFAULT gen_random_uuid()::text,
    agent_run_id   text              NOT NULL,
    step_number    integer           NOT NULL,
    credits        numeric(10,6)     NOT NULL DEFAULT 0,
    child_run_ids  text[],
    message_id     text,
    status         agent_step_status NOT NULL DEFAULT 'completed',
    error_message  text,
    created_at     timestamptz       NOT NULL DEFAULT now(),
    completed_at   timestamptz,
    CONSTRAINT agent_steps_pkey PRIMARY KEY (id),
    CONSTRAINT agent_steps_agent_run_id_step_number_key UNIQUE (agent_run_id, step_number),
    CONSTRAINT agent_steps_agent_run_id_fkey FOREIGN KEY (agent_run_id) REFERENCES agent_runs (id) ON DELETE CASCADE,
    CONSTRAINT agent_steps_step_number_check CHECK (step_number >= 1)
);

CREATE INDEX idx_agent_steps_run_id ON agent_steps (agent_run_id);

COMMENT ON TABLE agent_steps IS 'Individual execution steps within agent runs.';
COMMENT ON COLUMN agent_steps.id IS 'Primary key';
COMMENT ON COLUMN agent_steps.agent_run_id IS 'FK → agent_runs.id';
COMMENT ON COLUMN agent_steps.step_number IS 'Position of the step within its run, from 1';
COMMENT ON COLUMN agent_steps.credits IS 'Credits consumed by the step';
COMMENT ON COLUMN agent_steps.child_run_ids IS 'Runs spawned by the step';
COMMENT ON COLUMN agent_steps.message_id IS 'message.id of the LLM call made by the step, if any';
COMMENT ON COLUMN agent_steps.status IS 'running/completed';
COMMENT ON COLUMN agent_steps.error_message IS 'Error message if the step failed';
COMMENT ON COLUMN agent_steps.created_at IS 'When the step started';
COMMENT ON COLUMN agent_steps.completed_at IS 'When the step finished';
