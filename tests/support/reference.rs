//! The reference database (the reference schema, built by its
//! migrations) with rows covering every column type of the tables the
//! query builder tests use.

use strata_core::source::load_history;
use tokio_postgres::Client;

use super::{psql_apply, TestDb};

pub async fn reference_db(prefix: &str) -> (TestDb, Client) {
    let db = TestDb::create(prefix).await;
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations"));
    let history = match load_history(dir) {
        Ok(h) => h,
        Err(e) => panic!("{e}"),
    };
    for m in &history.migrations {
        if let Err(e) = psql_apply(
            &db.url,
            std::path::Path::new(&m.file.path),
            !m.no_transaction,
        ) {
            panic!("applying {}: {e}", m.file.path);
        }
    }
    let client = db.client().await;
    (db, client)
}

/// Users, runs (some without a user, some children of others), steps
/// (some runs have none), messages: text, text[] with awkward elements,
/// timestamptz with microseconds, numeric(10,6) and numeric(100,20),
/// integers, booleans, jsonb, enums, generated columns, NULLs.
pub const SEED: &str = r#"
INSERT INTO "user" (id, email, name, "emailVerified", auto_topup_threshold, banned)
VALUES ('u1', 'a@example.com', 'Ada', '2024-02-29 12:34:56.789012+00', 10, false),
       ('u2', 'b@example.com', NULL, NULL, NULL, true),
       ('u3', 'c@example.com', 'Cy "quoted"', NULL, NULL, false);
INSERT INTO agent_run (id, user_id, agent_id, ancestor_run_ids, status, direct_credits, created_at, completed_at)
SELECT 'r' || g,
       CASE WHEN g % 5 = 0 THEN NULL WHEN g % 2 = 0 THEN 'u1' ELSE 'u2' END,
       CASE WHEN g % 4 = 0 THEN 'plain-agent' ELSE 'acme/agent@1.0.' || g END,
       CASE WHEN g > 4 THEN ARRAY['r1', 'r' || (g % 4 + 1)] END,
       (CASE WHEN g % 3 = 0 THEN 'completed' ELSE 'running' END)::agent_run_status,
       g * 0.125,
       timestamptz '2024-01-01 00:00:00.123456+00' + g * interval '1 hour',
       CASE WHEN g % 3 = 0 THEN timestamptz '2024-01-01 00:00:00+00' + g * interval '90 minutes' END
FROM generate_series(1, 12) g;
INSERT INTO agent_step (id, agent_run_id, step_number, credits, child_run_ids, status, error_message)
SELECT 's' || r || '-' || n, 'r' || r, n, n * 0.000123,
       CASE WHEN n = 1 THEN ARRAY['c1', 'c,2', 'ü "q" \ x', ''] END,
       (CASE WHEN n = 2 THEN 'skipped' ELSE 'completed' END)::agent_step_status,
       CASE WHEN n = 3 THEN 'boom' END
FROM generate_series(1, 12) r, generate_series(1, 3) n
WHERE n <= r % 4;
INSERT INTO message (id, finished_at, model, request, response, output_tokens, cost, credits, byok, user_id)
SELECT 'm' || g, timestamptz '2024-06-01 08:00:00.000001+00' + g * interval '1 minute', 'model-x',
       CASE WHEN g % 2 = 0 THEN '{"a": [1, 2.5, null, "x"], "b": {"c": true}}'::jsonb END,
       jsonb_build_object('text', 'hello ' || g, 'big', 12345678901234567890),
       g * 7, 1234567.12345678901234567890 / g, g, g % 2 = 0,
       CASE WHEN g % 3 = 0 THEN NULL WHEN g % 2 = 0 THEN 'u1' ELSE 'u2' END
FROM generate_series(1, 6) g;
"#;
