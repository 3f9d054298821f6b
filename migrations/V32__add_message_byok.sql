ALTER TABLE message ADD COLUMN byok boolean NOT NULL DEFAULT false;
