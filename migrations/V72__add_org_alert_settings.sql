ALTER TABLE org ADD COLUMN billing_alerts boolean NOT NULL DEFAULT true;
ALTER TABLE org ADD COLUMN usage_alerts boolean NOT NULL DEFAULT true;
ALTER TABLE org ADD COLUMN weekly_reports boolean NOT NULL DEFAULT false;
