-- Users can now stop a run from the UI.
ALTER TYPE agent_run_status ADD VALUE 'cancelled';
