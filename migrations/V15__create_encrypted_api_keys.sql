-- Bring your own key: users can store their own provider keys (encrypted at rest).
CREATE TYPE api_key_type AS ENUM ('anthropic', 'openai');

CREATE TABLE encrypted_api_keys (
    user_id     text         NOT NULL,
    type        api_key_type NOT NULL,
    api_key     text         NOT NULL,
    created_at  timestamptz  NOT NULL DEFAULT now(),
    updated_at  timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT encrypted_api_keys_pkey PRIMARY KEY (user_id, type),
    CONSTRAINT encrypted_api_keys_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE CASCADE
);
