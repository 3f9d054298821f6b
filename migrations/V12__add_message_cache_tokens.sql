-- Prompt caching: track cache writes and reads separately from plain input tokens.
ALTER TABLE message ADD COLUMN cache_creation_input_tokens integer;
ALTER TABLE message ADD COLUMN cache_read_tokens integer;
