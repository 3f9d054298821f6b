ALTER TABLE "user" ADD COLUMN handle text;
ALTER TABLE "user" ADD COLUMN discord_id text;

ALTER TABLE "user" ADD CONSTRAINT user_discord_id_key UNIQUE (discord_id);
CREATE UNIQUE INDEX user_handle_idx ON "user" (handle);
