-- Some providers omit the input token count on errors; count those as zero.
ALTER TABLE message ALTER COLUMN input_tokens SET DEFAULT 0;

ALTER TABLE message ADD COLUMN reasoning_tokens integer;
