//! The runtime as applications use it, on a real server: the statement
//! cache (prepared once, reused across calls and transactions, prepared
//! again after the server dropped or invalidated it), transactions with
//! savepoints, streamed reads, row locks (two workers with `FOR UPDATE SKIP
//! LOCKED` never take the same job), and a deadpool-postgres pooled client.
//!
//! Each test builds the reference schema from its declared SQL
//! (`schema/sql/*.sql`) in a database of its own.

use crate::support;

use std::collections::BTreeSet;

use strata::runtime::{Db, Error, Executor, Pooled, StreamExt};
use strata_reference_schema::{agent_run, agent_step, fingerprint, session, user, AgentRunStatus};
use support::wire::{start_proxy, upstream};
use support::TestDb;
use tokio_postgres::Client;

fn ok<T, E: std::fmt::Display>(r: Result<T, E>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{what}: {e}"),
    }
}

/// A fresh database with the reference schema (its declared SQL).
async fn reference_db(prefix: &str) -> (TestDb, Client) {
    let db = TestDb::create(prefix).await;
    let client = db.client().await;
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/sql"));
    let mut files: Vec<_> = ok(std::fs::read_dir(dir), "schema/sql")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    for f in files {
        let sql = ok(std::fs::read_to_string(&f), "read schema file");
        ok(client.batch_execute(&sql).await, "apply schema file");
    }
    (db, client)
}

/// Protocol-level prepared statements of this session, as the server
/// lists them (less the one of this query: tokio-postgres prepares it).
async fn server_statements(client: &Client) -> i64 {
    let row = ok(
        client
            .query_one(
                "SELECT count(*) FROM pg_prepared_statements WHERE NOT from_sql",
                &[],
            )
            .await,
        "pg_prepared_statements",
    );
    row.get::<_, i64>(0) - 1
}

async fn add_jobs(db: &impl Executor, n: usize) -> Vec<String> {
    let runs = ok(
        agent_run::AgentRunTable::insert_many(
            (0..n).map(|i| agent_run::NewAgentRun::new(format!("acme/job{i}@1.0.0"))),
        )
        .returning()
        .fetch_all(db)
        .await,
        "insert jobs",
    );
    runs.into_iter().map(|r| r.id).collect()
}

#[tokio::test]
async fn the_cache_prepares_once_and_reuses_the_statement_across_calls_and_transactions() {
    let (_db, client) = reference_db("rt_cache").await;
    let mut db = Db::new(client);
    let by_email = |email: &str| {
        user::UserTable::select()
            .filter(user::email.eq(email.to_string()))
            .limit(1)
    };
    ok(
        user::UserTable::insert(user::NewUser::new("a@example.com".into()))
            .execute(&db)
            .await,
        "insert",
    );
    for _ in 0..3 {
        let found = ok(by_email("a@example.com").fetch_all(&db).await, "select");
        assert_eq!(found.len(), 1);
    }
    let stats = db.cache_stats();
    assert_eq!(stats.prepares, 2, "insert and select, each prepared once");
    assert_eq!(stats.hits, 2);
    assert_eq!(server_statements(db.client()).await, 2);

    // A statement first prepared inside a transaction that rolls back
    // survives it: prepared statements belong to the connection.
    let count = user::UserTable::select().count();
    {
        let tx = ok(db.begin().await, "begin");
        assert_eq!(ok(count.fetch(&tx).await, "count in tx"), 1);
        ok(
            by_email("a@example.com").fetch_all(&tx).await,
            "select in tx",
        );
        ok(tx.rollback().await, "rollback");
    }
    let before = db.cache_stats();
    assert_eq!(
        before.prepares, 3,
        "the count was prepared in the transaction"
    );
    assert_eq!(ok(count.fetch(&db).await, "count after"), 1);
    let after = db.cache_stats();
    assert_eq!(after.prepares, 3, "and reused after it ended");
    assert_eq!(after.hits, before.hits + 1);
    assert_eq!(server_statements(db.client()).await, 3);

    // A bounded cache evicts the least recently used statement and closes
    // it on the server.
    let small = Db::with_capacity(db.into_inner(), 2);
    for email in ["x", "y", "z"] {
        ok(by_email(email).fetch_all(&small).await, "select");
    }
    ok(count.fetch(&small).await, "count");
    ok(user::UserTable::select().fetch_all(&small).await, "all");
    let s = small.cache_stats();
    assert_eq!((s.len, s.evictions), (2, 1));
}

#[tokio::test]
async fn a_statement_the_server_dropped_or_invalidated_is_prepared_again_and_retried() {
    let (_db, client) = reference_db("rt_stale").await;
    ok(
        client
            .batch_execute("CREATE TABLE t (x integer); INSERT INTO t VALUES (1)")
            .await,
        "create",
    );
    let db = Db::new(client);
    let rows = ok(db.query_sql("SELECT * FROM t", &[]).await, "first");
    assert_eq!(rows[0].get::<_, i32>(0), 1);

    // 0A000 cached plan must not change result type.
    ok(
        db.client()
            .batch_execute("ALTER TABLE t ALTER COLUMN x TYPE text")
            .await,
        "alter",
    );
    let rows = ok(db.query_sql("SELECT * FROM t", &[]).await, "after alter");
    assert_eq!(rows[0].get::<_, String>(0), "1");
    assert_eq!(db.cache_stats().invalidations, 1);

    // 26000 prepared statement does not exist (a pooler reset the session).
    ok(
        db.client().batch_execute("DEALLOCATE ALL").await,
        "deallocate",
    );
    let n = ok(db.execute_sql("UPDATE t SET x = '2'", &[]).await, "update");
    assert_eq!(n, 1);
    ok(
        db.client().batch_execute("DEALLOCATE ALL").await,
        "deallocate",
    );
    let rows = ok(db.query_sql("SELECT * FROM t", &[]).await, "after reset");
    assert_eq!(rows[0].get::<_, String>(0), "2");
    assert_eq!(db.cache_stats().invalidations, 2);

    // Inside a transaction the failure has aborted it: the error comes
    // back, the stale statement is gone from the cache, the next
    // transaction prepares it afresh.
    let mut db = db;
    ok(
        db.client()
            .batch_execute("ALTER TABLE t ALTER COLUMN x TYPE varchar(10)")
            .await,
        "alter",
    );
    {
        let tx = ok(db.begin().await, "begin");
        let e = match tx.query_sql("SELECT * FROM t", &[]).await {
            Ok(_) => panic!("a changed result type inside a transaction is an error"),
            Err(e) => e,
        };
        assert_eq!(
            e.code(),
            Some(&tokio_postgres::error::SqlState::FEATURE_NOT_SUPPORTED)
        );
        ok(tx.rollback().await, "rollback");
    }
    let tx = ok(db.begin().await, "begin");
    let rows = ok(tx.query_sql("SELECT * FROM t", &[]).await, "next tx");
    assert_eq!(rows[0].get::<_, String>(0), "2");
    ok(tx.commit().await, "commit");
}

async fn emails(db: &Db<Client>) -> Vec<String> {
    let q = user::UserTable::select().order_by(user::email);
    let rows = ok(q.fetch_all(db).await, "emails");
    rows.into_iter().map(|u| u.email).collect()
}

#[tokio::test]
async fn transactions_commit_on_ok_roll_back_on_err_and_nest_as_savepoints() {
    let (_db, client) = reference_db("rt_tx").await;
    let mut db = Db::new(client);
    let insert = |email: &str| user::UserTable::insert(user::NewUser::new(email.to_string()));

    ok(
        db.transaction(|tx| {
            Box::pin(async move {
                insert("kept@example.com").execute(tx).await?;
                Ok::<_, Error>(())
            })
        })
        .await,
        "committed transaction",
    );
    let failed = db
        .transaction(|tx| {
            Box::pin(async move {
                insert("lost@example.com").execute(tx).await?;
                Err::<(), Error>(Error::Build("the caller gave up".into()))
            })
        })
        .await;
    assert!(failed.is_err());
    assert_eq!(emails(&db).await, ["kept@example.com"]);

    // The inner call is a savepoint: its error rolls back to it, and the
    // outer transaction goes on and commits.
    let outcome = db
        .transaction(|tx| {
            Box::pin(async move {
                insert("outer@example.com").execute(tx).await?;
                let inner = tx
                    .transaction(|sp| {
                        Box::pin(async move {
                            insert("inner@example.com").execute(sp).await?;
                            // A duplicate primary key: the server refuses.
                            let dup = user::UserTable::select()
                                .filter(user::email.eq("inner@example.com".to_string()))
                                .fetch_one(sp)
                                .await?;
                            let mut again = user::NewUser::new("other@example.com".into());
                            again.id = Some(dup.id);
                            user::UserTable::insert(again).execute(sp).await?;
                            Ok::<_, Error>(())
                        })
                    })
                    .await;
                assert!(matches!(inner, Err(Error::Db(_))));
                // The transaction is usable after the savepoint rolled back.
                insert("after@example.com").execute(tx).await?;
                Ok::<_, Error>(())
            })
        })
        .await;
    ok(outcome, "outer transaction");
    assert_eq!(
        emails(&db).await,
        ["after@example.com", "kept@example.com", "outer@example.com"]
    );
}

#[tokio::test]
async fn fetch_stream_reads_a_large_result_row_by_row() {
    let (_db, client) = reference_db("rt_stream").await;
    let db = Db::new(client);
    add_jobs(&db, 3000).await;
    let select = agent_run::AgentRunTable::select()
        .filter(agent_run::status.eq(AgentRunStatus::Running))
        .order_by(agent_run::agent_id);
    let mut stream = ok(select.fetch_stream(&db).await, "stream");
    let mut n = 0;
    let mut last = String::new();
    while let Some(row) = stream.next().await {
        let row = ok(row, "row");
        assert!(row.agent_id > last, "rows come in the statement's order");
        last = row.agent_id;
        n += 1;
    }
    assert_eq!(n, 3000);
    // The same on a plain client, and the error of a refused statement
    // comes before any row.
    let client = db.into_inner();
    let mut stream = ok(select.fetch_stream(&client).await, "stream");
    let first = stream.next().await;
    assert!(matches!(first, Some(Ok(_))));
    // Dropped half-read: the connection skips the rest and goes on.
    drop(stream);
    ok(
        client.batch_execute("DROP TABLE agent_run CASCADE").await,
        "drop",
    );
    assert!(matches!(
        select.fetch_stream(&client).await,
        Err(Error::Db(_))
    ));
}

#[tokio::test]
async fn locking_clauses_are_written_as_postgresql_reads_them() {
    let q = || agent_run::AgentRunTable::select().limit(1);
    let tail = |s: String| s[s.find(" LIMIT").unwrap_or(0)..].to_string();
    assert_eq!(tail(q().for_update().sql()), " LIMIT $1 FOR UPDATE");
    assert_eq!(
        tail(q().for_no_key_update().nowait().sql()),
        " LIMIT $1 FOR NO KEY UPDATE NOWAIT"
    );
    assert_eq!(
        tail(q().for_share().of(agent_run::AgentRunTable).sql()),
        " LIMIT $1 FOR SHARE OF \"agent_run\""
    );
    assert_eq!(
        tail(q().for_key_share().skip_locked().sql()),
        " LIMIT $1 FOR KEY SHARE SKIP LOCKED"
    );
    // The server runs every one of them.
    let (_db, client) = reference_db("rt_lock_sql").await;
    add_jobs(&client, 2).await;
    for s in [
        q().for_update(),
        q().for_no_key_update().nowait(),
        q().for_share().of(agent_run::AgentRunTable),
        q().for_key_share().skip_locked(),
        q().for_update().of(agent_run::AgentRunTable).skip_locked(),
    ] {
        assert_eq!(ok(s.fetch_all(&client).await, "locking select").len(), 1);
    }
    // A wait policy without a lock is refused before the server sees it.
    assert!(matches!(
        q().skip_locked().fetch_all(&client).await,
        Err(Error::Build(m)) if m.contains("for_update")
    ));
}

/// One worker's loop: take the oldest free job, mark it done, commit;
/// until no job is free. Returns the jobs it took.
async fn worker(url: String, name: &'static str) -> Vec<String> {
    let client = support::connect(&url).await;
    let mut db = Db::new(client);
    let mut taken = Vec::new();
    loop {
        let job = ok(
            db.transaction(|tx| {
                Box::pin(async move {
                    let job = agent_run::AgentRunTable::select()
                        .filter(agent_run::status.eq(AgentRunStatus::Running))
                        .order_by(agent_run::agent_id)
                        .limit(1)
                        .for_update()
                        .skip_locked()
                        .fetch_optional(tx)
                        .await?;
                    let Some(job) = job else {
                        return Ok::<_, Error>(None);
                    };
                    // Hold the lock a moment, as real work would.
                    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                    agent_run::AgentRunTable::update()
                        .set(agent_run::status.to(AgentRunStatus::Completed))
                        .set(agent_run::error_message.to(Some(name.to_string())))
                        .filter(agent_run::id.eq(job.id.clone()))
                        .execute(tx)
                        .await?;
                    Ok(Some(job.id))
                })
            })
            .await,
            "worker transaction",
        );
        match job {
            Some(id) => taken.push(id),
            None => return taken,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_with_skip_locked_never_take_the_same_job() {
    let (db, client) = reference_db("rt_skip_locked").await;
    let jobs = add_jobs(&client, 60).await;

    // Held by one transaction, a job is invisible to SKIP LOCKED in
    // another, and NOWAIT fails on it at once.
    let mut a = Db::new(db.client().await);
    let mut b = Db::new(db.client().await);
    let next = || {
        agent_run::AgentRunTable::select()
            .order_by(agent_run::agent_id)
            .limit(1)
            .for_update()
    };
    let ta = ok(a.begin().await, "begin a");
    let tb = ok(b.begin().await, "begin b");
    let first = ok(next().skip_locked().fetch_one(&ta).await, "a takes");
    let second = ok(next().skip_locked().fetch_one(&tb).await, "b takes");
    assert_ne!(first.id, second.id);
    let refused = next()
        .filter(agent_run::id.eq(first.id.clone()))
        .nowait()
        .fetch_all(&tb)
        .await;
    match refused {
        Err(Error::Db(e)) => assert_eq!(
            e.code(),
            Some(&tokio_postgres::error::SqlState::LOCK_NOT_AVAILABLE)
        ),
        other => panic!("NOWAIT on a locked row: {:?}", other.map(|r| r.len())),
    }
    ok(ta.rollback().await, "rollback");
    ok(tb.rollback().await, "rollback");

    // Two workers drain the queue concurrently.
    let w1 = tokio::spawn(worker(db.url.clone(), "w1"));
    let w2 = tokio::spawn(worker(db.url.clone(), "w2"));
    let one = ok(w1.await, "worker 1");
    let two = ok(w2.await, "worker 2");
    assert!(!one.is_empty() && !two.is_empty(), "both workers got work");
    let a: BTreeSet<_> = one.iter().cloned().collect();
    let b: BTreeSet<_> = two.iter().cloned().collect();
    assert_eq!(a.len(), one.len());
    assert_eq!(b.len(), two.len());
    assert!(a.is_disjoint(&b), "a job taken by both workers");
    let all: BTreeSet<_> = a.union(&b).cloned().collect();
    assert_eq!(all, jobs.into_iter().collect::<BTreeSet<_>>());
    // The server agrees: every job completed once, by the worker that
    // took it.
    let done = ok(
        agent_run::AgentRunTable::select()
            .filter(agent_run::status.eq(AgentRunStatus::Completed))
            .fetch_all(&client)
            .await,
        "done",
    );
    assert_eq!(done.len(), 60);
    for run in done {
        let by = run.error_message.unwrap_or_default();
        assert!(
            (by == "w1" && a.contains(&run.id)) || (by == "w2" && b.contains(&run.id)),
            "{} done by {by}",
            run.id
        );
    }
}

/// A relation load keeps its select's locking clause: the selected rows
/// are locked in both statement shapes (rows, where the clause sits in the
/// parent's subquery, and records), so another transaction's `NOWAIT` on
/// them fails; an `OF` naming a loaded table is refused before anything
/// is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relation_load_locks_the_rows_it_selects() {
    let (db, client) = reference_db("rt_load_lock").await;
    let jobs = add_jobs(&client, 2).await;
    let mut a = Db::new(db.client().await);
    let mut b = Db::new(db.client().await);
    let load = |id: &str| {
        agent_run::AgentRunTable::select()
            .filter(agent_run::id.eq(id.to_string()))
            .for_update()
            .with(agent_run::rel::agent_step)
    };
    for (job, records) in [(&jobs[0], false), (&jobs[1], true)] {
        let held = if records {
            load(job).as_records()
        } else {
            load(job)
        };
        assert!(held.sql().contains(" FOR UPDATE"), "{}", held.sql());
        let ta = ok(a.begin().await, "begin a");
        let got = ok(held.fetch_all(&ta).await, "load with a lock");
        assert_eq!(got.len(), 1);
        let tb = ok(b.begin().await, "begin b");
        let refused = agent_run::AgentRunTable::select()
            .filter(agent_run::id.eq(job.clone()))
            .for_update()
            .nowait()
            .fetch_all(&tb)
            .await;
        match refused {
            Err(Error::Db(e)) => assert_eq!(
                e.code(),
                Some(&tokio_postgres::error::SqlState::LOCK_NOT_AVAILABLE),
                "records: {records}"
            ),
            other => panic!(
                "records: {records}: NOWAIT on a row the load locked: {:?}",
                other.map(|r| r.len())
            ),
        }
        ok(tb.rollback().await, "rollback b");
        ok(ta.rollback().await, "rollback a");
    }
    let of_child = agent_run::AgentRunTable::select()
        .for_update()
        .of(agent_step::AgentStepTable)
        .with(agent_run::rel::agent_step)
        .fetch_all(&client)
        .await;
    match of_child {
        Err(Error::Build(m)) => assert!(m.contains("agent_step"), "{m}"),
        other => panic!("OF a loaded table: {:?}", other.map(|r| r.len())),
    }
}

#[tokio::test]
async fn a_deadpool_pooled_client_gets_the_cache_and_transactions() {
    let (db, _client) = reference_db("rt_deadpool").await;
    let config: tokio_postgres::Config = ok(db.url.parse(), "url");
    let manager = deadpool_postgres::Manager::new(config, tokio_postgres::NoTls);
    let pool = ok(
        deadpool_postgres::Pool::builder(manager)
            .max_size(2)
            .build(),
        "pool",
    );
    let pooled = ok(pool.get().await, "get");
    let mut conn = Db::new(Pooled::new(pooled, |c| &***c, |c| &mut ***c));
    ok(
        conn.transaction(|tx| {
            Box::pin(async move {
                add_jobs(tx, 5).await;
                Ok::<_, Error>(())
            })
        })
        .await,
        "transaction on a pooled client",
    );
    let q = agent_run::AgentRunTable::select().count();
    for _ in 0..3 {
        assert_eq!(ok(q.fetch(&conn).await, "count"), 5);
    }
    let s = conn.cache_stats();
    assert_eq!((s.prepares, s.hits), (2, 2));
    // Borrowed for a while: `Db::new(&mut **pooled)`.
    let mut pooled = conn.into_inner().into_inner();
    let borrowed = Db::new(&mut **pooled);
    assert_eq!(ok(q.fetch(&borrowed).await, "count"), 5);
}

/// A one-to-many relation load (`fingerprint` with its `session` rows,
/// whose `type` is an enum) on a `Db`: one statement, prepared once per
/// connection; each load after that is one Bind/Execute — nothing per
/// child row, no type lookup per load. As rows (the default shape), the
/// enum is a column of the result, which tokio-postgres resolves once per
/// connection when it prepares the statement (its typeinfo queries, as for
/// any select of the table); in the records shape (`as_records`) the enum
/// travels inside each record and is read by its generated `FromSql`, with
/// no lookup at all. Both shapes read the rows a hand-written query reads.
#[tokio::test]
async fn a_relation_load_is_one_statement_prepared_once_with_no_lookup_per_load() {
    let (test_db, client) = reference_db("rt_load_wire").await;
    ok(
        client
            .batch_execute(
                r#"
INSERT INTO "user" (id, email) VALUES ('u1', 'u1@example.com');
INSERT INTO fingerprint (id, sig_hash) VALUES ('fp1', 'h1'), ('fp2', NULL);
INSERT INTO session ("sessionToken", "userId", expires, fingerprint_id, type)
    SELECT 't' || i, 'u1', now() + interval '1 day', 'fp' || (1 + i % 2),
           (ARRAY['web', 'pat', 'cli']::session_type[])[1 + i % 3]
    FROM generate_series(0, 19) i;
"#,
            )
            .await,
        "seed",
    );
    let want: Vec<(String, String)> = ok(
        client
            .query(
                "SELECT \"sessionToken\", type::text FROM session \
                 WHERE fingerprint_id = 'fp1' ORDER BY \"sessionToken\"",
                &[],
            )
            .await,
        "hand-written",
    )
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    assert_eq!(want.len(), 10);

    let proxy = start_proxy(upstream());
    let config: tokio_postgres::Config = ok(support::database_url().parse(), "DATABASE_URL");
    let url = format!(
        "postgres://{}@127.0.0.1:{}/{}",
        config.get_user().unwrap_or("postgres"),
        proxy.port,
        test_db.name
    );
    let check = |rows: Vec<(fingerprint::Fingerprint, Vec<session::Session>)>| {
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0.id, "fp1");
        let got: Vec<(String, String)> = rows[0]
            .1
            .iter()
            .map(|s| (s.session_token.clone(), s.r#type.label().to_string()))
            .collect();
        assert_eq!(got, want);
    };
    let load = fingerprint::FingerprintTable::select()
        .filter(fingerprint::id.eq("fp1".to_string()))
        .with(fingerprint::rel::session);
    assert!(load.sql().contains(" LEFT JOIN "), "{}", load.sql());

    // Rows: the first load prepares the statement (and tokio-postgres
    // looks up the enum column's type, once for the connection).
    let db = Db::new(support::connect(&url).await);
    let _ = proxy.take();
    check(ok(load.fetch_all(&db).await, "load"));
    let first = proxy.take();
    assert_eq!(
        first.parses.iter().filter(|p| **p == load.sql()).count(),
        1,
        "{:?}",
        first.parses
    );
    assert!(
        first.parses.iter().all(|p| *p == load.sql()
            || p.contains("pg_catalog.pg_type")
            || p.contains("pg_catalog.pg_enum")),
        "only the load and tokio-postgres's type lookups: {:?}",
        first.parses
    );
    for _ in 0..2 {
        check(ok(load.fetch_all(&db).await, "load"));
    }
    let wire = proxy.take();
    assert!(wire.parses.is_empty(), "{:?}", wire.parses);
    assert!(wire.simple_queries.is_empty(), "{:?}", wire.simple_queries);
    assert_eq!(wire.executes, 2, "one execute per load");
    let stats = db.cache_stats();
    assert_eq!((stats.prepares, stats.hits), (1, 2));

    // Records, on a connection of its own: no type lookup at all.
    let records = fingerprint::FingerprintTable::select()
        .filter(fingerprint::id.eq("fp1".to_string()))
        .with(fingerprint::rel::session)
        .as_records();
    assert!(
        records.sql().contains("ARRAY(SELECT ROW("),
        "{}",
        records.sql()
    );
    let db = Db::new(support::connect(&url).await);
    let _ = proxy.take();
    for _ in 0..3 {
        check(ok(records.fetch_all(&db).await, "load as records"));
    }
    let wire = proxy.take();
    assert_eq!(
        wire.parses,
        vec![records.sql()],
        "the load's statement is the only one parsed, once"
    );
    assert!(wire.simple_queries.is_empty(), "{:?}", wire.simple_queries);
    assert_eq!(wire.executes, 3, "one execute per load");
    let stats = db.cache_stats();
    assert_eq!((stats.prepares, stats.hits), (1, 2));
}
