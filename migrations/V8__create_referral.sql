-- Referral programme: a user invites another one, both get credits when the referral completes.
CREATE TYPE referral_status AS ENUM ('pending', 'completed');

CREATE TABLE referral (
    referrer_id   text            NOT NULL,
    referred_id   text            NOT NULL,
    status        referral_status NOT NULL DEFAULT 'pending',
    credits       integer         NOT NULL,
    created_at    timestamptz     NOT NULL DEFAULT now(),
    completed_at  timestamptz,
    CONSTRAINT referral_pkey PRIMARY KEY (referrer_id, referred_id),
    CONSTRAINT referral_referrer_id_fkey FOREIGN KEY (referrer_id) REFERENCES "user" (id) ON DELETE CASCADE,
    CONSTRAINT referral_referred_id_fkey FOREIGN KEY (referred_id) REFERENCES "user" (id) ON DELETE CASCADE,
    CONSTRAINT referral_not_self_check CHECK (referrer_id <> referred_id)
);
