-- Attribute LLM calls to agents, and keep what we need once large request payloads are pruned.
ALTER TABLE message ADD COLUMN agent_id text;
ALTER TABLE message ADD COLUMN last_message jsonb;
ALTER TABLE message ADD COLUMN reasoning_text text;
