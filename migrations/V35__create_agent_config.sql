-- Published agent definitions, one row per version.
CREATE TABLE agent_config (
    id            text        NOT NULL,
    version       text        NOT NULL,
    publisher_id  text        NOT NULL,
    data          jsonb       NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT agent_config_pkey PRIMARY KEY (id, version),
    CONSTRAINT agent_config_publisher_id_fkey FOREIGN KEY (publisher_id) REFERENCES publisher (id) ON DELETE CASCADE
);

CREATE INDEX idx_agent_config_publisher ON agent_config (publisher_id);

COMMENT ON TABLE agent_config IS 'Published agent definitions (Agent Store).';
COMMENT ON COLUMN agent_config.id IS 'Agent name, unique within its publisher';
COMMENT ON COLUMN agent_config.version IS 'Semantic version (major.minor.patch[-prerelease])';
COMMENT ON COLUMN agent_config.publisher_id IS 'FK → publisher.id';
COMMENT ON COLUMN agent_config.data IS 'Full agent definition';
COMMENT ON COLUMN agent_config.created_at IS 'When the version was published';
COMMENT ON COLUMN agent_config.updated_at IS 'When the version was last changed';
