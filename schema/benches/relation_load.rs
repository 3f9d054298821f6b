//! Loading a row with its related rows in one statement: arrays of records
//! (what `select().with(…)` does) against `json_agg` aggregation, on a live
//! server (`DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/postgres`).
//!
//! `cargo bench -p strata-reference-schema --bench relation_load`. The bench
//! creates a database of its own with the reference's `agent_run` and
//! `agent_step` tables (plain SQL), 1,000 runs with 10 steps each, and drops
//! it at the end. Per form, 100 runs with their 1,000 steps:
//!
//! - `records`: `agent_run::AgentRunTable::select().with(agent_run::rel::
//!   agent_step)`: `ARRAY(SELECT ROW(…))`, binary records, each field read
//!   by its type's `FromSql`.
//! - `json_agg`: the same rows through `(SELECT coalesce(json_agg(s ORDER BY
//!   s.id), '[]') …)`, decoded by serde into the same row structs. (JSON
//!   carries `numeric` as a number, which serde reads through `f64` unless
//!   told otherwise: exactness is a second reason to prefer records.)

use std::time::{SystemTime, UNIX_EPOCH};

use criterion::{criterion_group, criterion_main, Criterion};
use strata::runtime::serde_json;
use strata_reference_schema::{agent_run, agent_step};
use tokio::runtime::Runtime;
use tokio_postgres::{Client, Config, NoTls};

const SETUP: &str = r#"
CREATE TYPE agent_run_status AS ENUM ('running', 'completed', 'failed', 'cancelled');
CREATE TYPE agent_step_status AS ENUM ('running', 'completed', 'skipped');
CREATE TABLE agent_run (
    id                text             NOT NULL DEFAULT gen_random_uuid()::text,
    user_id           text,
    agent_id          text             NOT NULL,
    publisher_id      text             GENERATED ALWAYS AS (
        CASE WHEN agent_id ~ '^[^/]+/[^@]+@.+$' THEN split_part(agent_id, '/', 1) ELSE NULL END
    ) STORED,
    agent_name        text             GENERATED ALWAYS AS (
        CASE WHEN agent_id ~ '^[^/]+/[^@]+@.+$' THEN split_part(split_part(agent_id, '/', 2), '@', 1) ELSE agent_id END
    ) STORED,
    agent_version     text             GENERATED ALWAYS AS (
        CASE WHEN agent_id ~ '^[^/]+/[^@]+@.+$' THEN split_part(agent_id, '@', 2) ELSE NULL END
    ) STORED,
    ancestor_run_ids  text[],
    root_run_id       text             GENERATED ALWAYS AS (COALESCE(ancestor_run_ids[1], id)) STORED,
    parent_run_id     text             GENERATED ALWAYS AS (ancestor_run_ids[array_length(ancestor_run_ids, 1)]) STORED,
    depth             integer          GENERATED ALWAYS AS (COALESCE(array_length(ancestor_run_ids, 1), 1)) STORED,
    status            agent_run_status NOT NULL DEFAULT 'running',
    total_steps       integer          DEFAULT 0,
    direct_credits    numeric(10,6)    DEFAULT 0,
    total_credits     numeric(10,6)    DEFAULT 0,
    error_message     text,
    created_at        timestamptz      NOT NULL DEFAULT now(),
    completed_at      timestamptz,
    duration_ms       integer          GENERATED ALWAYS AS (
        CASE WHEN completed_at IS NOT NULL
             THEN (EXTRACT(EPOCH FROM (completed_at - created_at)) * 1000)::integer
             ELSE NULL END
    ) STORED,
    CONSTRAINT agent_run_pkey PRIMARY KEY (id)
);
CREATE TABLE agent_step (
    id             text              NOT NULL DEFAULT gen_random_uuid()::text,
    agent_run_id   text              NOT NULL,
    step_number    integer           NOT NULL,
    credits        numeric(10,6)     NOT NULL DEFAULT 0,
    child_run_ids  text[],
    spawned_count  integer           GENERATED ALWAYS AS (array_length(child_run_ids, 1)) STORED,
    message_id     text,
    status         agent_step_status NOT NULL DEFAULT 'completed',
    error_message  text,
    created_at     timestamptz       NOT NULL DEFAULT now(),
    completed_at   timestamptz,
    duration_ms    integer           GENERATED ALWAYS AS (
        CASE WHEN completed_at IS NOT NULL
             THEN (EXTRACT(EPOCH FROM (completed_at - created_at)) * 1000)::integer
             ELSE NULL END
    ) STORED,
    CONSTRAINT agent_step_pkey PRIMARY KEY (id),
    CONSTRAINT agent_step_agent_run_id_fkey FOREIGN KEY (agent_run_id) REFERENCES agent_run (id)
);
CREATE INDEX idx_agent_step_run ON agent_step (agent_run_id);
INSERT INTO agent_run (id, user_id, agent_id, ancestor_run_ids, status, direct_credits, completed_at)
SELECT 'run-' || lpad(g::text, 5, '0'), 'user-' || (g % 50), 'acme/agent@1.0.' || g,
       CASE WHEN g % 3 = 0 THEN ARRAY['run-00001'] END, 'completed', g * 0.125,
       now() + interval '1 minute'
FROM generate_series(1, 1000) g;
INSERT INTO agent_step (id, agent_run_id, step_number, credits, child_run_ids, message_id, error_message, completed_at)
SELECT 'step-' || lpad(g::text, 5, '0') || '-' || n, 'run-' || lpad(g::text, 5, '0'), n, n * 0.25,
       CASE WHEN n = 1 THEN ARRAY['c1', 'c2'] END, 'msg-' || g || '-' || n,
       CASE WHEN n = 10 THEN 'timeout' END, now() + interval '2 seconds'
FROM generate_series(1, 1000) g, generate_series(1, 10) n;
ANALYZE;
"#;

const JSON_SQL: &str = "SELECT r.*, (SELECT coalesce(json_agg(s ORDER BY s.id), '[]') \
     FROM agent_step s WHERE s.agent_run_id = r.id) FROM agent_run r ORDER BY r.id LIMIT 100";

async fn connect(config: &Config) -> Result<Client, tokio_postgres::Error> {
    let (client, conn) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            eprintln!("connection: {e}");
        }
    });
    Ok(client)
}

fn records(
    rt: &Runtime,
    client: &Client,
) -> Vec<(agent_run::AgentRun, Vec<agent_step::AgentStep>)> {
    rt.block_on(
        agent_run::AgentRunTable::select()
            .with(agent_run::rel::agent_step)
            .order_by(agent_run::id)
            .limit(100)
            .fetch_all(client),
    )
    .expect("records")
}

fn json(rt: &Runtime, client: &Client) -> Vec<(agent_run::AgentRun, Vec<agent_step::AgentStep>)> {
    let rows = rt.block_on(client.query(JSON_SQL, &[])).expect("json");
    let n = <agent_run::AgentRunTable as strata::runtime::Table>::COLUMNS.len();
    rows.iter()
        .map(|r| {
            let run = agent_run::AgentRun::try_from(r).expect("run");
            let steps: serde_json::Value = r.get(n);
            let steps: Vec<agent_step::AgentStep> =
                serde_json::from_value(steps).expect("steps from json");
            (run, steps)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string());
    let admin: Config = url.parse().expect("DATABASE_URL parses");
    let rt: Runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let admin_client = match rt.block_on(connect(&admin)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("!!! no PostgreSQL at DATABASE_URL ({e}): the relation bench was NOT run");
            return;
        }
    };
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .subsec_nanos();
    let name = format!("strata_bench_rel_{}_{nanos}", std::process::id());
    rt.block_on(admin_client.batch_execute(&format!("CREATE DATABASE {name}")))
        .expect("create the bench database");
    let mut config = admin.clone();
    config.dbname(&name);
    let client = rt.block_on(connect(&config)).expect("connect");
    rt.block_on(client.batch_execute(SETUP)).expect("setup");

    let a = records(&rt, &client);
    let b = json(&rt, &client);
    assert_eq!(a.len(), 100);
    assert_eq!(a.iter().map(|(_, s)| s.len()).sum::<usize>(), 1000);
    eprintln!(
        "records and json_agg give equal values for this data: {}",
        a == b
    );

    let mut g = c.benchmark_group("load_100_runs_with_1000_steps");
    g.bench_function("records", |bch| bch.iter(|| records(&rt, &client)));
    g.bench_function("json_agg", |bch| bch.iter(|| json(&rt, &client)));
    g.finish();

    drop(client);
    let _ = rt.block_on(
        admin_client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")),
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
