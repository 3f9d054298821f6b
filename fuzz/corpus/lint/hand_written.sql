ALTER TABLE agent_run ALTER COLUMN total_steps TYPE bigint;
ALTER TABLE org ALTER COLUMN name TYPE text;
CREATE INDEX agent_run_created_at_idx ON agent_run (created_at);
CREATE TABLE run_tag (run_id text NOT NULL, tag text NOT NULL);
CREATE INDEX run_tag_run_idx ON run_tag (run_id);
ALTER TYPE agent_run_status ADD VALUE 'queued';
UPDATE agent_run SET status = 'queued' WHERE status = 'running';
-- strata:allow ban-drop-column
ALTER TABLE agent_run DROP COLUMN IF EXISTS legacy_flag;
