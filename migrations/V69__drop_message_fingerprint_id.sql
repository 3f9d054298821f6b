-- Device attribution goes through the session now.
ALTER TABLE message DROP COLUMN fingerprint_id;
