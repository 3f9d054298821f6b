-- Handles are case-insensitive: "Alice" and "alice" are the same handle.
DROP INDEX user_handle_idx;
CREATE UNIQUE INDEX user_handle_lower_idx ON "user" (lower(handle));
