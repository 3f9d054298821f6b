ALTER TYPE agent_step_status ADD VALUE 'skipped';
