CREATE TYPE org_role AS ENUM ('owner', 'member');

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
