-- One row per LLM call, for usage accounting.
CREATE TABLE message (
    id                 text        NOT NULL,
    finished_at        timestamptz NOT NULL,
    client_id          text,
    client_request_id  text,
    model              text        NOT NULL,
    request            jsonb,
    response           jsonb       NOT NULL,
    input_tokens       integer     NOT NULL,
    output_tokens      integer     NOT NULL,
    cost               numeric     NOT NULL,
    credits            integer     NOT NULL,
    latency_ms         integer,
    user_id            text,
    fingerprint_id     text,
    CONSTRAINT message_pkey PRIMARY KEY (id),
    CONSTRAINT message_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE CASCADE
);

CREATE INDEX message_user_id_idx ON message (user_id);
CREATE INDEX message_finished_at_idx ON message (finished_at);
