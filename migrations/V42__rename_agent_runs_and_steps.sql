-- Table names are singular everywhere else (user, message, org, ...).
ALTER TABLE agent_runs RENAME TO agent_run;
ALTER TABLE agent_steps RENAME TO agent_step;

ALTER TABLE agent_run RENAME CONSTRAINT agent_runs_pkey TO agent_run_pkey;
ALTER TABLE agent_run RENAME CONSTRAINT agent_runs_user_id_fkey TO agent_run_user_id_fkey;

ALTER TABLE agent_step RENAME CONSTRAINT agent_steps_pkey TO agent_step_pkey;
ALTER TABLE agent_step RENAME CONSTRAINT agent_steps_agent_run_id_step_number_key TO agent_step_agent_run_id_step_number_key;
ALTER TABLE agent_step RENAME CONSTRAINT agent_steps_agent_run_id_fkey TO agent_step_agent_run_id_fkey;
ALTER TABLE agent_step RENAME CONSTRAINT agent_steps_step_number_check TO agent_step_step_number_check;

ALTER INDEX idx_agent_runs_user_id RENAME TO idx_agent_run_user_id;
ALTER INDEX idx_agent_runs_parent RENAME TO idx_agent_run_parent;
ALTER INDEX idx_agent_runs_root RENAME TO idx_agent_run_root;
ALTER INDEX idx_agent_runs_agent_id RENAME TO idx_agent_run_agent_id;
ALTER INDEX idx_agent_runs_status RENAME TO idx_agent_run_status;
ALTER INDEX idx_agent_runs_ancestors_gin RENAME TO idx_agent_run_ancestors_gin;
ALTER INDEX idx_agent_steps_run_id RENAME TO idx_agent_step_run_id;

COMMENT ON COLUMN agent_step.agent_run_id IS 'FK → agent_run.id';
