-- Invitations by email; the link carries a one-time token.
CREATE TABLE org_invite (
    id           text        NOT NULL DEFAULT gen_random_uuid()::text,
    org_id       text        NOT NULL,
    email        text        NOT NULL,
    role         org_role    NOT NULL DEFAULT 'member',
    token        text        NOT NULL,
    invited_by   text        NOT NULL,
    expires_at   timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    accepted_at  timestamptz,
    accepted_by  text,
    CONSTRAINT org_invite_pkey PRIMARY KEY (id),
    CONSTRAINT org_invite_token_key UNIQUE (token),
    CONSTRAINT org_invite_org_id_fkey FOREIGN KEY (org_id) REFERENCES org (id) ON DELETE CASCADE,
    CONSTRAINT org_invite_invited_by_fkey FOREIGN KEY (invited_by) REFERENCES "user" (id) ON DELETE CASCADE,
    CONSTRAINT org_invite_accepted_by_fkey FOREIGN KEY (accepted_by) REFERENCES "user" (id) ON DELETE SET NULL
);

CREATE INDEX org_invite_org_id_idx ON org_invite (org_id);
CREATE INDEX org_invite_email_idx ON org_invite (email);
