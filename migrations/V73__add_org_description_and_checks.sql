ALTER TABLE org ADD COLUMN description text;

ALTER TABLE org ADD CONSTRAINT org_slug_format_check CHECK (slug ~ '^[a-z0-9][a-z0-9-]*$');
ALTER TABLE org ADD CONSTRAINT org_credit_limit_check CHECK (credit_limit IS NULL OR credit_limit >= 0);
