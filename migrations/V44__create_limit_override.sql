-- Hand-tuned rate limits for heavy users.
CREATE TABLE limit_override (
    user_id               text        NOT NULL,
    credits_per_block     integer     NOT NULL,
    block_duration_hours  integer     NOT NULL,
    weekly_credit_limit   integer     NOT NULL,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT limit_override_pkey PRIMARY KEY (user_id),
    CONSTRAINT limit_override_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE CASCADE
);

COMMENT ON TABLE limit_override IS 'Per-user rate limit overrides.';
COMMENT ON COLUMN limit_override.user_id IS 'Primary key, FK → user.id';
COMMENT ON COLUMN limit_override.credits_per_block IS 'Credits the user may spend per block';
COMMENT ON COLUMN limit_override.block_duration_hours IS 'Length of a rate-limit block in hours';
COMMENT ON COLUMN limit_override.weekly_credit_limit IS 'Credits the user may spend per week';
COMMENT ON COLUMN limit_override.created_at IS 'When the override was created';
COMMENT ON COLUMN limit_override.updated_at IS 'When the override was last changed';
