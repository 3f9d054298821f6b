-- Match the provider field name (and cache_creation_input_tokens).
ALTER TABLE message RENAME COLUMN cache_read_tokens TO cache_read_input_tokens;
