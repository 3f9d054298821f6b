-- Credits move from a single quota column to a ledger of grants, consumed by priority.
CREATE TYPE grant_type AS ENUM ('free', 'referral', 'purchase', 'admin');

CREATE TABLE credits (
    operation_id  text        NOT NULL,
    user_id       text        NOT NULL,
    principal     integer     NOT NULL,
    balance       integer     NOT NULL,
    type          grant_type  NOT NULL,
    description   text,
    priority      integer     NOT NULL DEFAULT 0,
    expires_at    timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT credits_pkey PRIMARY KEY (operation_id),
    CONSTRAINT credits_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE CASCADE
);

CREATE INDEX idx_credits_active_balance ON credits (user_id, balance, expires_at) WHERE balance <> 0;
CREATE INDEX idx_credits_user_created ON credits (user_id, created_at);
