-- Device fingerprints; CLI sessions are bound to the device that created them.
CREATE TABLE fingerprint (
    id          text        NOT NULL,
    sig_hash    text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT fingerprint_pkey PRIMARY KEY (id)
);

ALTER TABLE session ADD COLUMN fingerprint_id text;
ALTER TABLE session
    ADD CONSTRAINT session_fingerprint_id_fkey FOREIGN KEY (fingerprint_id) REFERENCES fingerprint (id) ON DELETE SET NULL;

CREATE INDEX session_fingerprint_id_idx ON session (fingerprint_id);
