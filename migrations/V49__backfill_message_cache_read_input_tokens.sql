-- Rows written before prompt caching have no cache read count: it was zero.
UPDATE message SET cache_read_input_tokens = 0 WHERE cache_read_input_tokens IS NULL;

ALTER TABLE message ALTER COLUMN cache_read_input_tokens SET DEFAULT 0;
ALTER TABLE message ALTER COLUMN cache_read_input_tokens SET NOT NULL;
