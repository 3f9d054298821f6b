//! Keyset pagination against OFFSET, on a live server (`DATABASE_URL`,
//! default `postgres://postgres@127.0.0.1:5432/postgres`).
//!
//! `cargo bench -p strata-reference-schema --bench keyset`. The bench
//! creates a database of its own (a unique name) with an `agent_run`-shaped
//! table of 100,000 rows and an index on `(created_at, id)`, and drops it at
//! the end. Per depth (the page starts after row 1,000 or row 90,000; 50
//! rows, ordered by `created_at, id`):
//!
//! - `strata_offset`: `.order_by(…).offset(depth).limit(50)`;
//! - `strata_keyset`: `.order_by(…).after((created_at, id), last_row).limit(50)`;
//! - `tokio_postgres_keyset`: the keyset statement written by hand, run the
//!   same way (unnamed statement per call): the builder's own cost.
//!
//! Everything runs on one current-thread tokio runtime, one connection.

use std::time::{SystemTime, UNIX_EPOCH};

use criterion::{criterion_group, criterion_main, Criterion};
use strata::runtime::chrono::{DateTime, Utc};
use strata_reference_schema::agent_run;
use tokio::runtime::Runtime;
use tokio_postgres::{Client, Config, NoTls};

const SETUP: &str = r#"
CREATE TYPE agent_run_status AS ENUM ('running', 'completed', 'failed', 'cancelled');
CREATE TABLE agent_run (
    id                text             NOT NULL,
    user_id           text,
    agent_id          text             NOT NULL,
    status            agent_run_status NOT NULL DEFAULT 'running',
    created_at        timestamptz      NOT NULL,
    CONSTRAINT agent_run_pkey PRIMARY KEY (id)
);
INSERT INTO agent_run (id, agent_id, created_at)
SELECT 'run-' || lpad(g::text, 6, '0'), 'agent', timestamptz '2024-01-01 00:00:00+00' + (g / 3) * interval '1 second'
FROM generate_series(1, 100000) g;
CREATE INDEX agent_run_created_at_id ON agent_run (created_at, id);
ANALYZE agent_run;
"#;

const PAGE: i64 = 50;

struct Database {
    admin: Config,
    name: String,
}

impl Drop for Database {
    fn drop(&mut self) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let result = rt.block_on(async {
            let (client, conn) = self.admin.connect(NoTls).await?;
            let conn = tokio::spawn(conn);
            let r = client
                .batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ))
                .await;
            drop(client);
            let _ = conn.await;
            r
        });
        match result {
            Ok(()) => eprintln!("dropped database {}", self.name),
            Err(e) => eprintln!("!!! could not drop database {}: {e}", self.name),
        }
    }
}

async fn connect(config: &Config) -> Result<Client, tokio_postgres::Error> {
    let (client, conn) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            eprintln!("connection: {e}");
        }
    });
    Ok(client)
}

fn offset_page(depth: i64) -> strata::runtime::Select<agent_run::AgentRunTable> {
    agent_run::AgentRunTable::select()
        .order_by(agent_run::created_at)
        .order_by(agent_run::id)
        .offset(depth)
        .limit(PAGE)
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
            eprintln!("!!! no PostgreSQL at DATABASE_URL ({e}): the keyset bench was NOT run");
            return;
        }
    };
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .subsec_nanos();
    let name = format!("strata_bench_keyset_{}_{nanos}", std::process::id());
    rt.block_on(admin_client.batch_execute(&format!("CREATE DATABASE {name}")))
        .expect("create the bench database");
    drop(admin_client);
    let db = Database {
        admin: admin.clone(),
        name,
    };
    let mut config = admin;
    config.dbname(&db.name);
    let client = rt
        .block_on(connect(&config))
        .expect("connect to the bench database");
    rt.block_on(client.batch_execute(SETUP))
        .expect("create and fill agent_run");

    let hand = r#"SELECT "id", "created_at" FROM "agent_run" WHERE ("created_at", "id") > ($1, $2) ORDER BY "created_at", "id" LIMIT $3"#;
    for depth in [1_000i64, 90_000] {
        // The row the page starts after, and the same page both ways.
        let last = rt
            .block_on(
                offset_page(depth - 1)
                    .limit(1)
                    .columns((agent_run::created_at, agent_run::id))
                    .fetch_one(&client),
            )
            .expect("last row");
        let (at, id): (DateTime<Utc>, String) = last;
        let keyset = || {
            agent_run::AgentRunTable::select()
                .order_by(agent_run::created_at)
                .order_by(agent_run::id)
                .after((agent_run::created_at, agent_run::id), (at, id.clone()))
                .limit(PAGE)
                .columns((agent_run::id, agent_run::created_at))
        };
        let by_offset: Vec<(String, DateTime<Utc>)> = rt
            .block_on(
                offset_page(depth)
                    .columns((agent_run::id, agent_run::created_at))
                    .fetch_all(&client),
            )
            .expect("offset page");
        let by_keyset = rt
            .block_on(keyset().fetch_all(&client))
            .expect("keyset page");
        assert_eq!(by_offset, by_keyset, "the same page both ways");
        assert_eq!(by_keyset.len(), PAGE as usize);

        let mut g = c.benchmark_group(format!("page_after_{depth}_rows"));
        g.sample_size(30);
        g.bench_function("strata_offset", |b| {
            b.iter(|| {
                rt.block_on(
                    offset_page(depth)
                        .columns((agent_run::id, agent_run::created_at))
                        .fetch_all(&client),
                )
                .expect("runs")
            })
        });
        g.bench_function("strata_keyset", |b| {
            b.iter(|| rt.block_on(keyset().fetch_all(&client)).expect("runs"))
        });
        g.bench_function("tokio_postgres_keyset", |b| {
            b.iter(|| {
                let rows = rt
                    .block_on(client.query(hand, &[&at, &id, &PAGE]))
                    .expect("runs");
                rows.iter()
                    .map(|r| (r.get::<_, String>(0), r.get::<_, DateTime<Utc>>(1)))
                    .collect::<Vec<_>>()
            })
        });
        g.finish();
    }
    drop(client);
    drop(db);
}

criterion_group!(benches, bench);
criterion_main!(benches);
