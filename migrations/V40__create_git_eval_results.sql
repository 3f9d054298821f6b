-- Results of the nightly git-commit reproduction evals.
CREATE TABLE git_eval_results (
    id              text        NOT NULL DEFAULT gen_random_uuid()::text,
    cost_mode       text,
    reasoner_model  text,
    agent_model     text,
    metadata        jsonb,
    cost            integer     NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT git_eval_results_pkey PRIMARY KEY (id)
);

COMMENT ON TABLE git_eval_results IS 'Evaluation benchmark results storage.';
COMMENT ON COLUMN git_eval_results.id IS 'Primary key';
COMMENT ON COLUMN git_eval_results.cost_mode IS 'Cost mode the eval ran in (lite, normal, max)';
COMMENT ON COLUMN git_eval_results.reasoner_model IS 'Model used for reasoning';
COMMENT ON COLUMN git_eval_results.agent_model IS 'Model used by the agent';
COMMENT ON COLUMN git_eval_results.metadata IS 'Scores and per-task results';
COMMENT ON COLUMN git_eval_results.cost IS 'Total cost of the eval run, in cents';
COMMENT ON COLUMN git_eval_results.created_at IS 'When the eval finished';
