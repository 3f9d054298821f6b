-- Organizations: team accounts billed together.
CREATE TABLE org (
    id                  text        NOT NULL DEFAULT gen_random_uuid()::text,
    name                text        NOT NULL,
    slug                text        NOT NULL,
    owner_id            text        NOT NULL,
    stripe_customer_id  text,
    credit_limit        integer,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT org_pkey PRIMARY KEY (id),
    CONSTRAINT org_slug_key UNIQUE (slug),
    CONSTRAINT org_stripe_customer_id_key UNIQUE (stripe_customer_id),
    CONSTRAINT org_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES "user" (id) ON DELETE CASCADE
);

CREATE INDEX org_owner_id_idx ON org (owner_id);

COMMENT ON TABLE org IS 'Organization accounts for team billing.';
