-- Per-organization feature flags.
CREATE TABLE org_feature (
    id          text        NOT NULL DEFAULT gen_random_uuid()::text,
    org_id      text        NOT NULL,
    feature     text        NOT NULL,
    config      jsonb,
    is_active   boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT org_feature_pkey PRIMARY KEY (id),
    CONSTRAINT org_feature_org_id_feature_key UNIQUE (org_id, feature),
    CONSTRAINT org_feature_org_id_fkey FOREIGN KEY (org_id) REFERENCES org (id) ON DELETE CASCADE
);

COMMENT ON TABLE org_feature IS 'Feature flags per organization with JSON config.';
