-- Organizations: team accounts, membership, invitations, tracked repositories, feature flags.

CREATE TABLE org (
    id                      text        NOT NULL DEFAULT gen_random_uuid()::text,
    name                    text        NOT NULL,
    slug                    text        NOT NULL,
    description             text,
    owner_id                text        NOT NULL,
    stripe_customer_id      text,
    stripe_subscription_id  text,
    current_period_start    timestamptz,
    current_period_end      timestamptz,
    auto_topup_enabled      boolean     NOT NULL DEFAULT false,
    auto_topup_threshold    integer,
    auto_topup_amount       integer,
    credit_limit            integer,
    billing_alerts          boolean     NOT NULL DEFAULT true,
    usage_alerts            boolean     NOT NULL DEFAULT true,
    weekly_reports          boolean     NOT NULL DEFAULT false,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT org_pkey PRIMARY KEY (id),
    CONSTRAINT org_slug_key UNIQUE (slug),
    CONSTRAINT org_stripe_customer_id_key UNIQUE (stripe_customer_id),
    CONSTRAINT org_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES "user" (id) ON DELETE CASCADE,
    CONSTRAINT org_slug_format_check CHECK (slug ~ '^[a-z0-9][a-z0-9-]*$'),
    CONSTRAINT org_credit_limit_check CHECK (credit_limit IS NULL OR credit_limit >= 0)
);

CREATE INDEX org_owner_id_idx ON org (owner_id);

COMMENT ON TABLE org IS 'Organization accounts for team billing.';
COMMENT ON COLUMN org.id IS 'Primary key';
COMMENT ON COLUMN org.name IS 'Organization name';
COMMENT ON COLUMN org.slug IS 'Unique URL slug';
COMMENT ON COLUMN org.description IS 'Free-text description shown on the organization page';
COMMENT ON COLUMN org.owner_id IS 'FK → user.id';
COMMENT ON COLUMN org.stripe_customer_id IS 'Stripe customer';
COMMENT ON COLUMN org.stripe_subscription_id IS 'Stripe subscription of the organization';
COMMENT ON COLUMN org.current_period_start IS 'Start of the current billing period';
COMMENT ON COLUMN org.current_period_end IS 'End of the current billing period';
COMMENT ON COLUMN org.auto_topup_enabled IS 'Auto credit top-up for the organization';
COMMENT ON COLUMN org.auto_topup_threshold IS 'Balance below which an automatic top-up is triggered';
COMMENT ON COLUMN org.auto_topup_amount IS 'Number of credits bought by each automatic top-up';
COMMENT ON COLUMN org.credit_limit IS 'Monthly credit cap';
COMMENT ON COLUMN org.billing_alerts IS 'Email billing alerts to owners and admins';
COMMENT ON COLUMN org.usage_alerts IS 'Email usage alerts when the credit cap is near';
COMMENT ON COLUMN org.weekly_reports IS 'Email a weekly usage report';
COMMENT ON COLUMN org.created_at IS 'When the organization was created';
COMMENT ON COLUMN org.updated_at IS 'When the organization was last changed';


CREATE TABLE org_member (
    org_id     text        NOT NULL,
    user_id    text        NOT NULL,
    role       org_role    NOT NULL DEFAULT 'member',
    joined_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT org_member_pkey PRIMARY KEY (org_id, user_id),
    CONSTRAINT org_member_org_id_fkey FOREIGN KEY (org_id) REFERENCES org (id) ON DELETE CASCADE,
    CONSTRAINT org_member_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE CASCADE
);

CREATE INDEX org_member_user_id_idx ON org_member (user_id);

COMMENT ON TABLE org_member IS 'Organization membership with roles. PK: (org_id, user_id). Roles: owner/admin/member.';
COMMENT ON COLUMN org_member.org_id IS 'FK → org.id';
COMMENT ON COLUMN org_member.user_id IS 'FK → user.id';
COMMENT ON COLUMN org_member.role IS 'Member role: owner, admin or member';
COMMENT ON COLUMN org_member.joined_at IS 'When the user joined the organization';


CREATE TABLE org_invite (
    id           text        NOT NULL DEFAULT gen_random_uuid()::text,
    org_id       text        NOT NULL,
    email        text        NOT NULL,
    role         org_role    NOT NULL DEFAULT 'member',
    token        text        NOT NULL,
    invited_by   text,
    expires_at   timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    accepted_at  timestamptz,
    accepted_by  text,
    CONSTRAINT org_invite_pkey PRIMARY KEY (id),
    CONSTRAINT org_invite_token_key UNIQUE (token),
    CONSTRAINT org_invite_org_id_fkey FOREIGN KEY (org_id) REFERENCES org (id) ON DELETE CASCADE,
    CONSTRAINT org_invite_invited_by_fkey FOREIGN KEY (invited_by) REFERENCES "user" (id) ON DELETE SET NULL,
    CONSTRAINT org_invite_accepted_by_fkey FOREIGN KEY (accepted_by) REFERENCES "user" (id) ON DELETE SET NULL
);

CREATE INDEX org_invite_org_id_idx ON org_invite (org_id);
CREATE INDEX org_invite_email_idx ON org_invite (email);

COMMENT ON TABLE org_invite IS 'Organization invitations with token-based acceptance.';
COMMENT ON COLUMN org_invite.id IS 'Primary key';
COMMENT ON COLUMN org_invite.org_id IS 'FK → org.id';
COMMENT ON COLUMN org_invite.email IS 'Email address the invitation was sent to';
COMMENT ON COLUMN org_invite.role IS 'Role granted on acceptance';
COMMENT ON COLUMN org_invite.token IS 'Unique acceptance token';
COMMENT ON COLUMN org_invite.invited_by IS 'FK → user.id (who sent the invitation)';
COMMENT ON COLUMN org_invite.expires_at IS 'When the invitation expires';
COMMENT ON COLUMN org_invite.created_at IS 'When the invitation was sent';
COMMENT ON COLUMN org_invite.accepted_at IS 'When the invitation was accepted';
COMMENT ON COLUMN org_invite.accepted_by IS 'FK → user.id (who accepted the invitation)';


CREATE TABLE org_repo (
    id           text        NOT NULL DEFAULT gen_random_uuid()::text,
    org_id       text        NOT NULL,
    repo_url     text        NOT NULL,
    repo_name    text        NOT NULL,
    repo_owner   text,
    approved_by  text,
    approved_at  timestamptz NOT NULL DEFAULT now(),
    is_active    boolean     NOT NULL DEFAULT true,
    CONSTRAINT org_repo_pkey PRIMARY KEY (id),
    CONSTRAINT org_repo_org_id_repo_url_key UNIQUE (org_id, repo_url),
    CONSTRAINT org_repo_org_id_fkey FOREIGN KEY (org_id) REFERENCES org (id) ON DELETE CASCADE,
    CONSTRAINT org_repo_approved_by_fkey FOREIGN KEY (approved_by) REFERENCES "user" (id) ON DELETE SET NULL
);

CREATE INDEX org_repo_active_idx ON org_repo (org_id, is_active);

COMMENT ON TABLE org_repo IS 'Tracked repositories per organization.';
COMMENT ON COLUMN org_repo.id IS 'Primary key';
COMMENT ON COLUMN org_repo.org_id IS 'FK → org.id';
COMMENT ON COLUMN org_repo.repo_url IS 'Normalised repository URL';
COMMENT ON COLUMN org_repo.repo_name IS 'Repository name';
COMMENT ON COLUMN org_repo.repo_owner IS 'Repository owner (user or organization on the forge)';
COMMENT ON COLUMN org_repo.approved_by IS 'FK → user.id (who approved the repository)';
COMMENT ON COLUMN org_repo.approved_at IS 'When the repository was approved';
COMMENT ON COLUMN org_repo.is_active IS 'Whether usage in this repository is billed to the organization';


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
COMMENT ON COLUMN org_feature.id IS 'Primary key';
COMMENT ON COLUMN org_feature.org_id IS 'FK → org.id';
COMMENT ON COLUMN org_feature.feature IS 'Feature flag name';
COMMENT ON COLUMN org_feature.config IS 'Feature configuration';
COMMENT ON COLUMN org_feature.is_active IS 'Whether the feature is enabled';
COMMENT ON COLUMN org_feature.created_at IS 'When the flag was created';
COMMENT ON COLUMN org_feature.updated_at IS 'When the flag was last changed';


-- Foreign keys from the billing tables (20_billing.sql) to org.
ALTER TABLE credit_ledger
    ADD CONSTRAINT credit_ledger_org_id_fkey FOREIGN KEY (org_id) REFERENCES org (id) ON DELETE CASCADE;
ALTER TABLE message
    ADD CONSTRAINT message_org_id_fkey FOREIGN KEY (org_id) REFERENCES org (id) ON DELETE SET NULL;
