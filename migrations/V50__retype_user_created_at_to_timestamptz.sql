-- user.created_at was the only timestamp without time zone; the server has always run in UTC.
ALTER TABLE "user" ALTER COLUMN created_at SET DATA TYPE timestamptz USING created_at AT TIME ZONE 'UTC';
