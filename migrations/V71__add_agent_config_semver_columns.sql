-- "Latest version" queries sort on numeric semver parts, not on the version string.
ALTER TABLE agent_config
    ADD CONSTRAINT agent_config_version_format_check CHECK (version ~ '^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$');

ALTER TABLE agent_config
    ADD COLUMN major integer GENERATED ALWAYS AS ((split_part(version, '.', 1))::integer) STORED;
ALTER TABLE agent_config
    ADD COLUMN minor integer GENERATED ALWAYS AS ((split_part(version, '.', 2))::integer) STORED;
ALTER TABLE agent_config
    ADD COLUMN patch integer GENERATED ALWAYS AS ((split_part(split_part(version, '.', 3), '-', 1))::integer) STORED;

CREATE INDEX idx_agent_config_semver ON agent_config (publisher_id, id, major DESC, minor DESC, patch DESC);

COMMENT ON TABLE agent_config IS 'Published agent definitions (Agent Store). Versioned with semver.';
COMMENT ON COLUMN agent_config.major IS 'Major version (generated from version)';
COMMENT ON COLUMN agent_config.minor IS 'Minor version (generated from version)';
COMMENT ON COLUMN agent_config.patch IS 'Patch version (generated from version)';
