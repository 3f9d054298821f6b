//! The query builder against the same statement hand-written on
//! tokio-postgres, on a live server (`DATABASE_URL`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`).
//!
//! `cargo bench -p strata-reference-schema --bench query_builder`. The bench
//! creates a database of its own (a unique name), with the reference's
//! `agent_run` table (and its enum and indexes) written in plain SQL and
//! 1,000 rows, and drops it at the end. Per query:
//!
//! - `strata`: build the statement with the generated models and run it
//!   (`fetch_all`): what an application pays per call.
//! - `tokio_postgres_unprepared`: the same SQL text and parameters through
//!   `client.query(&str, …)`, rows read into a hand-written struct. Like the
//!   builder, tokio-postgres prepares an unnamed statement on each call: the
//!   fair comparison.
//! - `tokio_postgres_prepared`: the same, on a statement prepared once
//!   (`client.query(&Statement, …)`, one round trip less): what a statement
//!   cache would bring, not something the builder does today.
//! - `strata_build_only`: the builder alone, no server (statement, `.sql()`
//!   text and parameters).
//!
//! Everything runs on one current-thread tokio runtime, one connection.
//! Before criterion, each strata run is paired with the hand-written one
//! (1,000 interleaved pairs, medians printed): the load of a shared machine
//! moves between two criterion runs, not within a pair.

use std::error::Error;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use bytes::BytesMut;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use strata::runtime::chrono::{DateTime, Utc};
use strata::runtime::rust_decimal::Decimal;
use strata_reference_schema::{agent_run, AgentRunStatus};
use tokio::runtime::Runtime;
use tokio_postgres::types::{to_sql_checked, FromSql, IsNull, ToSql, Type};
use tokio_postgres::{Client, Config, NoTls, Row};

type BoxError = Box<dyn Error + Sync + Send>;

/// `agent_run` as the reference declares it (schema/sql/40_agents.sql),
/// without the foreign key to `"user"`, with its indexes.
const SETUP: &str = r#"
CREATE TYPE agent_run_status AS ENUM ('running', 'completed', 'failed', 'cancelled');
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
CREATE INDEX idx_agent_run_user_id ON agent_run (user_id, created_at DESC);
CREATE INDEX idx_agent_run_parent ON agent_run (parent_run_id);
CREATE INDEX idx_agent_run_root ON agent_run (root_run_id);
CREATE INDEX idx_agent_run_agent_id ON agent_run (agent_id);
CREATE INDEX idx_agent_run_status ON agent_run (status) WHERE status = 'running';
INSERT INTO agent_run (id, user_id, agent_id, ancestor_run_ids, status, total_steps,
                       direct_credits, total_credits, error_message, created_at, completed_at)
SELECT 'run-' || i,
       CASE WHEN i % 5 = 0 THEN NULL ELSE 'user-' || (i % 37) END,
       'acme/agent' || (i % 7) || '@1.' || (i % 5) || '.0',
       CASE i % 3 WHEN 0 THEN NULL
                  WHEN 1 THEN ARRAY['run-' || (i / 3)]
                  ELSE ARRAY['run-' || (i / 9), 'run-' || (i / 3)] END,
       (ARRAY['running', 'completed', 'failed', 'cancelled'])[i % 4 + 1]::agent_run_status,
       i % 50,
       (i % 997) / 1000.0,
       (i % 991) / 100.0,
       CASE WHEN i % 4 = 2 THEN 'step ' || (i % 50) || ' failed' END,
       timestamptz '2026-01-01 00:00:00+00' + i * interval '1 minute',
       CASE WHEN i % 4 <> 0 THEN timestamptz '2026-01-01 00:00:00+00' + i * interval '1 minute' + (i % 60) * interval '1 second' END
FROM generate_series(0, 999) AS i;
ANALYZE agent_run;
"#;

const COLUMNS: &str = r#""id", "user_id", "agent_id", "publisher_id", "agent_name", "agent_version", "ancestor_run_ids", "root_run_id", "parent_run_id", "depth", "status", "total_steps", "direct_credits", "total_credits", "error_message", "created_at", "completed_at", "duration_ms""#;

/// The README's query, hand-written: running runs deeper than 1, newest
/// first, 20 of them.
fn filter_sql() -> String {
    format!(
        r#"SELECT {COLUMNS} FROM "agent_run" WHERE "status" = $1 AND "depth" > $2 ORDER BY "created_at" DESC LIMIT $3"#
    )
}

/// One row by primary key, hand-written.
fn by_id_sql() -> String {
    format!(r#"SELECT {COLUMNS} FROM "agent_run" WHERE "id" = $1"#)
}

fn strata_filter() -> strata::runtime::Select<agent_run::AgentRunTable> {
    agent_run::AgentRunTable::select()
        .filter(
            agent_run::status
                .eq(AgentRunStatus::Running)
                .and(agent_run::depth.gt(1)),
        )
        .order_by(agent_run::created_at.desc())
        .limit(20)
}

fn strata_by_id(id: &str) -> strata::runtime::Select<agent_run::AgentRunTable> {
    agent_run::AgentRunTable::select().filter(agent_run::id.eq(id))
}

/// The hand-written side's enum: the label as text, as the server sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Running,
    Completed,
    Failed,
    Cancelled,
}

impl ToSql for Status {
    fn to_sql(&self, _: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        out.extend_from_slice(match self {
            Status::Running => b"running",
            Status::Completed => b"completed",
            Status::Failed => b"failed",
            Status::Cancelled => b"cancelled",
        });
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        ty.name() == "agent_run_status"
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for Status {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        match raw {
            b"running" => Ok(Status::Running),
            b"completed" => Ok(Status::Completed),
            b"failed" => Ok(Status::Failed),
            b"cancelled" => Ok(Status::Cancelled),
            _ => Err(format!(
                "unknown agent_run_status {:?}",
                String::from_utf8_lossy(raw)
            )
            .into()),
        }
    }

    fn accepts(ty: &Type) -> bool {
        ty.name() == "agent_run_status"
    }
}

/// The hand-written row: every column, read by position.
#[derive(Debug)]
#[allow(dead_code)] // read for the cost of reading, compared through `id`
struct Run {
    id: String,
    user_id: Option<String>,
    agent_id: String,
    publisher_id: Option<String>,
    agent_name: Option<String>,
    agent_version: Option<String>,
    ancestor_run_ids: Option<Vec<String>>,
    root_run_id: Option<String>,
    parent_run_id: Option<String>,
    depth: Option<i32>,
    status: Status,
    total_steps: Option<i32>,
    direct_credits: Option<Decimal>,
    total_credits: Option<Decimal>,
    error_message: Option<String>,
    created_at: DateTime<Utc>,
    completed_at: Option<DateTime<Utc>>,
    duration_ms: Option<i32>,
}

impl TryFrom<&Row> for Run {
    type Error = tokio_postgres::Error;

    fn try_from(r: &Row) -> Result<Self, Self::Error> {
        Ok(Run {
            id: r.try_get(0)?,
            user_id: r.try_get(1)?,
            agent_id: r.try_get(2)?,
            publisher_id: r.try_get(3)?,
            agent_name: r.try_get(4)?,
            agent_version: r.try_get(5)?,
            ancestor_run_ids: r.try_get(6)?,
            root_run_id: r.try_get(7)?,
            parent_run_id: r.try_get(8)?,
            depth: r.try_get(9)?,
            status: r.try_get(10)?,
            total_steps: r.try_get(11)?,
            direct_credits: r.try_get(12)?,
            total_credits: r.try_get(13)?,
            error_message: r.try_get(14)?,
            created_at: r.try_get(15)?,
            completed_at: r.try_get(16)?,
            duration_ms: r.try_get(17)?,
        })
    }
}

fn read(rows: Vec<Row>) -> Vec<Run> {
    rows.iter()
        .map(|r| Run::try_from(r).expect("row reads"))
        .collect()
}

/// Runs `a` and `b` alternately (`a b b a …`, so neither always goes
/// first) `pairs` times each and returns the median time of each, in µs:
/// under a changing load, a fairer comparison than two criterion runs
/// made one after the other.
fn paired(pairs: usize, mut a: impl FnMut(), mut b: impl FnMut()) -> (f64, f64) {
    let mut ta = Vec::with_capacity(pairs);
    let mut tb = Vec::with_capacity(pairs);
    let time = |f: &mut dyn FnMut(), into: &mut Vec<f64>| {
        let t = Instant::now();
        f();
        into.push(t.elapsed().as_secs_f64() * 1e6);
    };
    for i in 0..pairs {
        if i % 2 == 0 {
            time(&mut a, &mut ta);
            time(&mut b, &mut tb);
        } else {
            time(&mut b, &mut tb);
            time(&mut a, &mut ta);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    (median(&mut ta), median(&mut tb))
}

fn report(query: &str, against: &str, (ours, theirs): (f64, f64)) {
    eprintln!(
        "paired {query}: strata {ours:.1} µs, {against} {theirs:.1} µs: strata/{against} = {:.3}",
        ours / theirs
    );
}

/// The bench's own database, dropped when this goes (panics included).
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
            eprintln!(
                "!!! no PostgreSQL at DATABASE_URL ({e}): the query builder bench was NOT run"
            );
            return;
        }
    };
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .subsec_nanos();
    let name = format!("strata_bench_qb_{}_{nanos}", std::process::id());
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

    // Both sides send the same text and the same rows come back.
    let filter = filter_sql();
    let by_id = by_id_sql();
    assert_eq!(strata_filter().sql(), filter);
    assert_eq!(strata_by_id("run-8").sql(), by_id);
    let prepared_filter = rt.block_on(client.prepare(&filter)).expect("prepares");
    let prepared_by_id = rt.block_on(client.prepare(&by_id)).expect("prepares");
    let ours = rt
        .block_on(strata_filter().fetch_all(&client))
        .expect("strata runs");
    let theirs = read(
        rt.block_on(client.query(&prepared_filter, &[&Status::Running, &1i32, &20i64]))
            .expect("query runs"),
    );
    assert_eq!(ours.len(), 20);
    assert_eq!(
        ours.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        theirs.iter().map(|r| r.id.as_str()).collect::<Vec<_>>()
    );
    let id = "run-8";

    // Medians of interleaved runs first (see `paired`), then criterion.
    const PAIRS: usize = 1_000;
    let strata_filter_run = || {
        rt.block_on(strata_filter().fetch_all(&client))
            .expect("strata runs");
    };
    let strata_by_id_run = || {
        rt.block_on(strata_by_id(black_box(id)).fetch_all(&client))
            .expect("strata runs");
    };
    report(
        "select_filter_20_rows",
        "tokio_postgres_unprepared",
        paired(PAIRS, strata_filter_run, || {
            read(
                rt.block_on(client.query(filter.as_str(), &[&Status::Running, &1i32, &20i64]))
                    .expect("query runs"),
            );
        }),
    );
    report(
        "select_by_id_1_row",
        "tokio_postgres_unprepared",
        paired(PAIRS, strata_by_id_run, || {
            read(
                rt.block_on(client.query(by_id.as_str(), &[&black_box(id)]))
                    .expect("query runs"),
            );
        }),
    );
    report(
        "select_filter_20_rows",
        "tokio_postgres_prepared",
        paired(PAIRS, strata_filter_run, || {
            read(
                rt.block_on(client.query(&prepared_filter, &[&Status::Running, &1i32, &20i64]))
                    .expect("query runs"),
            );
        }),
    );
    report(
        "select_by_id_1_row",
        "tokio_postgres_prepared",
        paired(PAIRS, strata_by_id_run, || {
            read(
                rt.block_on(client.query(&prepared_by_id, &[&black_box(id)]))
                    .expect("query runs"),
            );
        }),
    );

    let mut g = c.benchmark_group("select_filter_20_rows");
    g.bench_function("strata", |b| {
        b.iter(|| {
            rt.block_on(strata_filter().fetch_all(&client))
                .expect("strata runs")
        })
    });
    g.bench_function("tokio_postgres_unprepared", |b| {
        b.iter(|| {
            read(
                rt.block_on(client.query(
                    black_box(filter.as_str()),
                    &[&Status::Running, &1i32, &20i64],
                ))
                .expect("query runs"),
            )
        })
    });
    g.bench_function("tokio_postgres_prepared", |b| {
        b.iter(|| {
            read(
                rt.block_on(client.query(&prepared_filter, &[&Status::Running, &1i32, &20i64]))
                    .expect("query runs"),
            )
        })
    });
    g.bench_function("strata_build_only", |b| {
        b.iter(|| black_box(strata_filter()).sql())
    });
    g.finish();

    let mut g = c.benchmark_group("select_by_id_1_row");
    g.bench_function("strata", |b| {
        b.iter(|| {
            rt.block_on(strata_by_id(black_box(id)).fetch_all(&client))
                .expect("strata runs")
        })
    });
    g.bench_function("tokio_postgres_unprepared", |b| {
        b.iter(|| {
            read(
                rt.block_on(client.query(black_box(by_id.as_str()), &[&black_box(id)]))
                    .expect("query runs"),
            )
        })
    });
    g.bench_function("tokio_postgres_prepared", |b| {
        b.iter(|| {
            read(
                rt.block_on(client.query(&prepared_by_id, &[&black_box(id)]))
                    .expect("query runs"),
            )
        })
    });
    g.bench_function("strata_build_only", |b| {
        b.iter(|| strata_by_id(black_box(id)).sql())
    });
    g.finish();

    drop(client);
    // Let the connection task see the client go before the database is dropped.
    rt.block_on(tokio::task::yield_now());
    drop(db);
}

criterion_group!(benches, bench);
criterion_main!(benches);
