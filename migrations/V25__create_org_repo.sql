-- Repositories whose usage is billed to the organization.
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
