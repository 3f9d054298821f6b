-- Several subscription tiers, with downgrades scheduled for the next renewal.
ALTER TABLE subscription ADD COLUMN tier integer;
ALTER TABLE subscription ADD COLUMN scheduled_tier integer;
