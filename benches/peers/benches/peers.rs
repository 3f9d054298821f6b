//! strata's query builder (on a `strata::runtime::Db`: statement cache)
//! side by side with hand-written tokio-postgres on statements prepared
//! once, sqlx 0.8 (its own per-connection statement cache) and
//! diesel-async 0.5 (`AsyncPgConnection`, its own statement cache), in one
//! run, on one live server (`DATABASE_URL`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`).
//!
//! ```sh
//! CARGO_TARGET_DIR=/work/target-peers \
//!     cargo bench --manifest-path benches/peers/Cargo.toml
//! ```
//!
//! The bench creates a database of its own (a unique name) with the
//! reference schema (`schema/sql/*.sql`), seeds it, and drops it at the
//! end. Queries, each answered identically by every peer (checked before
//! timing):
//!
//! - `pk_fetch`: one `fingerprint` row by primary key.
//! - `filter_20`: the 20 `fingerprint` rows of one `sig_hash`.
//! - `join`: `session` ⋈ `fingerprint` for one user (10 rows, four
//!   columns). strata twice: its typed builder (`.join(session::rel::
//!   fingerprint).columns(…)`) and hand-written SQL through its raw path
//!   (`Executor::query_sql` on the `Db`, so cached too).
//! - `load_1_to_many`: one `fingerprint` with its 10 `session` rows
//!   (one-to-many, every column). strata: `.with(fingerprint::rel::session)`,
//!   one statement (rows: a `LEFT JOIN` on the parent's subquery, grouped
//!   on the client; the records shape, `as_records`, in the breakdown);
//!   the peers: one prepared `LEFT JOIN`, grouped on the client (the
//!   session enum read as text).
//! - `insert_1000`: 1,000 `fingerprint` rows in one multi-row `INSERT`.
//!
//! Every peer runs on one connection, on one current-thread tokio runtime;
//! each iteration is one `block_on` of one statement.
//!
//! Each interleaved round runs the peers in another of the 24 orders
//! ([`turn`]). The interleaved rounds (`PAIRED_ROUNDS`) run twice: first on every
//! peer's backend as connected ("cold"), then after every backend has
//! freed the same large allocation ("warm", [`warm_up_sql`]). A backend's
//! malloc keeps or returns freed memory depending on that history, and a
//! row whose binary output nests many values (strata's `record[]` of a
//! relation load) pays for it on a cold backend: see BENCHMARKS.md. The
//! criterion groups run after both, on warm backends; before them the
//! 1,000-row insert is interleaved too (`PAIRED_INSERT_ROUNDS`, default
//! 50, warm backends, each peer inserting into the same table in turn).
//! `LOAD_PROBE=1` adds the load statement on fresh connections and in
//! other shapes (LATERAL rows, `json_agg`), rows not read, and the
//! client-side decoding (and the insert's building) timed alone;
//! `LOAD_PROBE_LOG=1` also sets `log_min_duration_statement = 0` on those
//! connections, for the server's own time per statement in its log.

use std::cell::Cell;
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use sqlx::Connection as _;
use strata::runtime::{Db, Executor};
use strata_reference_schema::{fingerprint, session};
use tokio_postgres::{Client, NoTls, Statement};

mod dsl {
    diesel::table! {
        fingerprint (id) {
            id -> Text,
            sig_hash -> Nullable<Text>,
            created_at -> Timestamptz,
        }
    }
    diesel::table! {
        session (session_token) {
            #[sql_name = "sessionToken"]
            session_token -> Text,
            #[sql_name = "userId"]
            user_id -> Text,
            expires -> Timestamptz,
            fingerprint_id -> Nullable<Text>,
            created_at -> Timestamptz,
        }
    }
    diesel::allow_tables_to_appear_in_same_query!(fingerprint, session);
}

/// The diesel-async side (its `RunQueryDsl` is in scope only here: its
/// by-value `execute` would shadow the builders' own).
mod d {
    use super::{dsl, Fp, Joined, NewFp, Sess};
    use diesel::prelude::*;
    use diesel_async::{AsyncPgConnection, RunQueryDsl};

    pub async fn pk(c: &mut AsyncPgConnection, id: &str) -> QueryResult<Fp> {
        dsl::fingerprint::table
            .filter(dsl::fingerprint::id.eq(id))
            .first(c)
            .await
    }

    pub async fn filter(c: &mut AsyncPgConnection, h: &str) -> QueryResult<Vec<Fp>> {
        dsl::fingerprint::table
            .filter(dsl::fingerprint::sig_hash.eq(h))
            .load(c)
            .await
    }

    pub async fn join(c: &mut AsyncPgConnection, user: &str) -> QueryResult<Vec<Joined>> {
        dsl::session::table
            .inner_join(
                dsl::fingerprint::table
                    .on(dsl::session::fingerprint_id.eq(dsl::fingerprint::id.nullable())),
            )
            .filter(dsl::session::user_id.eq(user))
            .select((
                dsl::session::session_token,
                dsl::session::user_id,
                dsl::session::expires,
                dsl::fingerprint::sig_hash,
            ))
            .load(c)
            .await
    }

    pub async fn load(c: &mut AsyncPgConnection, id: &str) -> QueryResult<Vec<(Fp, Vec<Sess>)>> {
        use diesel::dsl::sql;
        use diesel::sql_types::Text;
        let rows: Vec<(Fp, Option<Sess>)> = dsl::fingerprint::table
            .left_join(
                dsl::session::table
                    .on(dsl::session::fingerprint_id.eq(dsl::fingerprint::id.nullable())),
            )
            .filter(dsl::fingerprint::id.eq(id))
            .order(dsl::session::session_token)
            .select((
                (
                    dsl::fingerprint::id,
                    dsl::fingerprint::sig_hash,
                    dsl::fingerprint::created_at,
                ),
                (
                    dsl::session::session_token,
                    dsl::session::user_id,
                    dsl::session::expires,
                    dsl::session::fingerprint_id,
                    sql::<Text>("\"session\".\"type\"::text"),
                    dsl::session::created_at,
                )
                    .nullable(),
            ))
            .load(c)
            .await?;
        Ok(super::group(rows))
    }

    pub async fn insert(c: &mut AsyncPgConnection, rows: &[NewFp<'_>]) -> QueryResult<usize> {
        diesel::insert_into(dsl::fingerprint::table)
            .values(rows)
            .execute(c)
            .await
    }
}

#[derive(Debug, Clone, PartialEq, diesel::Queryable, sqlx::FromRow)]
struct Fp {
    id: String,
    sig_hash: Option<String>,
    created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, diesel::Queryable)]
struct Sess {
    session_token: String,
    user_id: String,
    expires: DateTime<Utc>,
    fingerprint_id: Option<String>,
    kind: String,
    created_at: DateTime<Utc>,
}

/// Rows of a `LEFT JOIN` (parent, optional child), parents in order, into
/// each parent with its children: what every peer but strata does on the
/// client for a one-to-many load.
fn group(rows: Vec<(Fp, Option<Sess>)>) -> Vec<(Fp, Vec<Sess>)> {
    let mut out: Vec<(Fp, Vec<Sess>)> = Vec::new();
    for (f, s) in rows {
        match out.last_mut() {
            Some((last, kids)) if last.id == f.id => kids.extend(s),
            _ => out.push((f, s.into_iter().collect())),
        }
    }
    out
}

fn row_load(r: &tokio_postgres::Row) -> (Fp, Option<Sess>) {
    let token: Option<String> = r.get(3);
    (
        row_fp(r),
        token.map(|session_token| Sess {
            session_token,
            user_id: r.get(4),
            expires: r.get(5),
            fingerprint_id: r.get(6),
            kind: r.get(7),
            created_at: r.get(8),
        }),
    )
}

/// A row of the join as sqlx reads it.
type JoinRow = (String, String, DateTime<Utc>, Option<String>);

type SqlxLoadRow = (
    String,
    Option<String>,
    DateTime<Utc>,
    Option<String>,
    Option<String>,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<String>,
    Option<DateTime<Utc>>,
);

fn sqlx_group(rows: Vec<SqlxLoadRow>) -> Vec<(Fp, Vec<Sess>)> {
    group(
        rows.into_iter()
            .map(
                |(id, sig_hash, created_at, tok, user, exp, fpid, kind, at)| {
                    let s = match (tok, user, exp, kind, at) {
                        (
                            Some(session_token),
                            Some(user_id),
                            Some(expires),
                            Some(kind),
                            Some(created_at),
                        ) => Some(Sess {
                            session_token,
                            user_id,
                            expires,
                            fingerprint_id: fpid,
                            kind,
                            created_at,
                        }),
                        _ => None,
                    };
                    (
                        Fp {
                            id,
                            sig_hash,
                            created_at,
                        },
                        s,
                    )
                },
            )
            .collect(),
    )
}

#[derive(diesel::Insertable)]
#[diesel(table_name = dsl::fingerprint)]
struct NewFp<'a> {
    id: &'a str,
    sig_hash: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, diesel::Queryable, sqlx::FromRow)]
struct Joined {
    session_token: String,
    user_id: String,
    expires: DateTime<Utc>,
    sig_hash: Option<String>,
}

const PK: &str =
    "SELECT \"id\", \"sig_hash\", \"created_at\" FROM \"fingerprint\" WHERE \"id\" = $1";
const FILTER: &str =
    "SELECT \"id\", \"sig_hash\", \"created_at\" FROM \"fingerprint\" WHERE \"sig_hash\" = $1";
const JOIN: &str = "SELECT s.\"sessionToken\", s.\"userId\", s.\"expires\", f.\"sig_hash\" \
     FROM \"session\" s JOIN \"fingerprint\" f ON f.\"id\" = s.\"fingerprint_id\" \
     WHERE s.\"userId\" = $1";

const LOAD: &str =
    "SELECT f.\"id\", f.\"sig_hash\", f.\"created_at\", s.\"sessionToken\", s.\"userId\", \
     s.\"expires\", s.\"fingerprint_id\", s.\"type\"::text, s.\"created_at\" \
     FROM \"fingerprint\" f LEFT JOIN \"session\" s ON s.\"fingerprint_id\" = f.\"id\" \
     WHERE f.\"id\" = $1 ORDER BY s.\"sessionToken\"";

/// Which of four peers runs `k`-th in round `round`: the rounds go through
/// all 24 orders, so every peer runs after every other (and first) equally
/// often. A plain rotation always ran strata right after diesel-async,
/// whose leftover work (its backend's and its connection task's) on the
/// shared core was then timed as strata's.
fn turn(round: usize, k: usize) -> usize {
    let mut rest = vec![0, 1, 2, 3];
    let mut code = round % 24;
    let mut order = [0; 4];
    for (i, slot) in order.iter_mut().enumerate() {
        let radix = 4 - i;
        let pick = code % radix;
        code /= radix;
        *slot = rest.remove(pick);
    }
    order[k]
}

fn url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let cut = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |i| after_scheme + i);
    let mut out = format!("{}/{name}", &base[..cut]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

async fn connect(url: &str) -> Client {
    let (client, conn) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to the DATABASE_URL server: {e}"));
    tokio::spawn(async move {
        let _ = conn.await;
    });
    client
}

fn row_fp(r: &tokio_postgres::Row) -> Fp {
    Fp {
        id: r.get(0),
        sig_hash: r.get(1),
        created_at: r.get(2),
    }
}

fn row_joined(r: &tokio_postgres::Row) -> Joined {
    Joined {
        session_token: r.get(0),
        user_id: r.get(1),
        expires: r.get(2),
        sig_hash: r.get(3),
    }
}

fn insert_sql(rows: usize) -> String {
    let mut s = String::from("INSERT INTO \"fingerprint\" (\"id\", \"sig_hash\") VALUES ");
    for i in 0..rows {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(&format!("(${}, ${})", 2 * i + 1, 2 * i + 2));
    }
    s
}

const SEED: &str = r#"
INSERT INTO "user" (id, email) SELECT 'u' || i, 'u' || i || '@example.com' FROM generate_series(0, 99) i;
INSERT INTO fingerprint (id, sig_hash) SELECT 'fp' || i, 'h' || (i % 50) FROM generate_series(0, 999) i;
INSERT INTO session ("sessionToken", "userId", expires, fingerprint_id)
    SELECT 't' || i, 'u' || (i % 100), now() + interval '1 day', 'fp' || (i % 100) FROM generate_series(0, 999) i;
ANALYZE;
"#;

fn peers(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    let admin_url = url();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    // PEERS_DB_PREFIX names the bench's database (a helper's own prefix).
    let prefix = std::env::var("PEERS_DB_PREFIX").unwrap_or_else(|_| "strata_peers".to_string());
    let name = format!("{prefix}_{}_{nanos}", std::process::id());
    let db_url = with_database(&admin_url, &name);
    rt.block_on(async {
        let admin = connect(&admin_url).await;
        admin
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap_or_else(|e| panic!("create database: {e}"));
        let client = connect(&db_url).await;
        let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema/sql"));
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("schema/sql: {e}"))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        for f in files {
            let sql = std::fs::read_to_string(&f).unwrap_or_else(|e| panic!("{e}"));
            client
                .batch_execute(&sql)
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        }
        client
            .batch_execute(SEED)
            .await
            .unwrap_or_else(|e| panic!("seed: {e}"));
    });

    let (strata_db, tp, tp_stmts, mut sqlx_conn, mut diesel_conn) = rt.block_on(async {
        let strata_db = Db::new(connect(&db_url).await);
        let tp = connect(&db_url).await;
        let stmts: Vec<Statement> = {
            let mut v = Vec::new();
            // The 1,000-row insert is prepared after the cold rounds: parsing
            // it warms a backend (see `warm_up_sql`), and only this peer's.
            for sql in [PK, FILTER, JOIN, LOAD] {
                v.push(tp.prepare(sql).await.unwrap_or_else(|e| panic!("{e}")));
            }
            v
        };
        let sqlx_conn = sqlx::PgConnection::connect(&db_url)
            .await
            .unwrap_or_else(|e| panic!("sqlx: {e}"));
        let diesel_conn = AsyncPgConnection::establish(&db_url)
            .await
            .unwrap_or_else(|e| panic!("diesel-async: {e}"));
        (strata_db, tp, stmts, sqlx_conn, diesel_conn)
    });

    // Each query, by each peer.
    let strata_pk = |id: &str| {
        fingerprint::FingerprintTable::select().filter(fingerprint::id.eq(id.to_string()))
    };
    let strata_filter = |h: &str| {
        fingerprint::FingerprintTable::select().filter(fingerprint::sig_hash.eq(h.to_string()))
    };

    let strata_join = |u: &str| {
        session::SessionTable::select()
            .join(session::rel::fingerprint)
            .filter(session::user_id.eq(u.to_string()))
            .columns((
                session::session_token,
                session::user_id,
                session::expires,
                fingerprint::sig_hash,
            ))
    };
    let strata_load = |id: &str| {
        fingerprint::FingerprintTable::select()
            .filter(fingerprint::id.eq(id.to_string()))
            .with(fingerprint::rel::session)
    };

    // Same answers before timing.
    rt.block_on(async {
        let s = strata_pk("fp7")
            .fetch_one(&strata_db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let t = row_fp(
            &tp.query_one(&tp_stmts[0], &[&"fp7"])
                .await
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let x: Fp = sqlx::query_as(PK)
            .bind("fp7")
            .fetch_one(&mut sqlx_conn)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let d: Fp = d::pk(&mut diesel_conn, "fp7")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (s.id.clone(), s.sig_hash.clone(), s.created_at),
            (t.id.clone(), t.sig_hash.clone(), t.created_at)
        );
        assert_eq!(t, x);
        assert_eq!(t, d);
        let n = strata_filter("h7")
            .fetch_all(&strata_db)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .len();
        assert_eq!(n, 20);
        let mut a: Vec<Joined> = strata_db
            .query_sql(JOIN, &[&"u7"])
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(row_joined)
            .collect();
        let mut b: Vec<Joined> = d::join(&mut diesel_conn, "u7")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let mut typed: Vec<Joined> = strata_join("u7")
            .fetch_all(&strata_db)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|(session_token, user_id, expires, sig_hash)| Joined {
                session_token,
                user_id,
                expires,
                sig_hash,
            })
            .collect();
        a.sort_by(|x, y| x.session_token.cmp(&y.session_token));
        b.sort_by(|x, y| x.session_token.cmp(&y.session_token));
        typed.sort_by(|x, y| x.session_token.cmp(&y.session_token));
        assert_eq!(a.len(), 10);
        assert_eq!(a, b);
        assert_eq!(a, typed);

        // The one-to-many load: the same parent and children from all four.
        let s = strata_load("fp7")
            .fetch_all(&strata_db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let t = group(
            tp.query(&tp_stmts[3], &[&"fp7"])
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .iter()
                .map(row_load)
                .collect(),
        );
        let x = sqlx_group(
            sqlx::query_as::<_, SqlxLoadRow>(LOAD)
                .bind("fp7")
                .fetch_all(&mut sqlx_conn)
                .await
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let d = d::load(&mut diesel_conn, "fp7")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].1.len(), 10);
        assert_eq!(t, x);
        assert_eq!(t, d);
        let seen: Vec<(String, Vec<String>)> = s
            .iter()
            .map(|(f, kids)| {
                (
                    f.id.clone(),
                    kids.iter().map(|k| k.session_token.clone()).collect(),
                )
            })
            .collect();
        let want: Vec<(String, Vec<String>)> = t
            .iter()
            .map(|(f, kids)| {
                (
                    f.id.clone(),
                    kids.iter().map(|k| k.session_token.clone()).collect(),
                )
            })
            .collect();
        assert_eq!(seen, want);
    });

    let rounds: usize = std::env::var("PAIRED_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let median = |v: &mut Vec<u128>| {
        v.sort_unstable();
        v[v.len() / 2] as f64 / 1000.0
    };
    // Twice: every backend "cold" (as connected), then every backend
    // "warm" (each has freed one large allocation, the same for all: see
    // `warm_up_sql`). Same treatment for every peer in each phase.
    let mut tp_insert = None;
    for phase in ["cold", "warm"] {
        if phase == "warm" {
            rt.block_on(async {
                let warm = warm_up_sql();
                strata_db
                    .client()
                    .batch_execute(&warm)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                tp.batch_execute(&warm)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                sqlx::raw_sql(&warm)
                    .execute(&mut sqlx_conn)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                diesel_async::SimpleAsyncConnection::batch_execute(&mut diesel_conn, &warm)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                tp_insert = Some(
                    tp.prepare(&insert_sql(1000))
                        .await
                        .unwrap_or_else(|e| panic!("{e}")),
                );
            });
        }
        if std::env::var_os("LOAD_PROBE").is_some() {
            load_probe(
                &rt,
                &db_url,
                &strata_db,
                &tp,
                &strata_load("fp7").sql(),
                &strata_load("fp7").as_records().sql(),
            );
        }

        // Interleaved: the four peers one after another (in every order),
        // 2,000 rounds (PAIRED_ROUNDS), medians.
        // The load of a shared machine moves between two criterion runs, not
        // within a round.
        for query in ["pk_fetch", "filter_20", "join", "load_1_to_many"] {
            let mut times: [Vec<u128>; 4] = Default::default();
            for round in 0..rounds {
                // Each round runs the peers in another order (`turn`): no
                // peer always runs right after the same one.
                for k in 0..4 {
                    let peer = turn(round, k);
                    let slot = &mut times[peer];
                    let t = std::time::Instant::now();
                    rt.block_on(async {
                        match (query, peer) {
                            ("pk_fetch", 0) => {
                                drop(black_box(strata_pk("fp7").fetch_one(&strata_db).await.ok()))
                            }
                            ("pk_fetch", 1) => drop(black_box(
                                tp.query_one(&tp_stmts[0], &[&"fp7"])
                                    .await
                                    .ok()
                                    .as_ref()
                                    .map(row_fp),
                            )),
                            ("pk_fetch", 2) => drop(black_box(
                                sqlx::query_as::<_, Fp>(PK)
                                    .bind("fp7")
                                    .fetch_one(&mut sqlx_conn)
                                    .await
                                    .ok(),
                            )),
                            ("pk_fetch", _) => {
                                drop(black_box(d::pk(&mut diesel_conn, "fp7").await.ok()))
                            }
                            ("filter_20", 0) => drop(black_box(
                                strata_filter("h7").fetch_all(&strata_db).await.ok(),
                            )),
                            ("filter_20", 1) => drop(black_box(
                                tp.query(&tp_stmts[1], &[&"h7"])
                                    .await
                                    .ok()
                                    .map(|r| r.iter().map(row_fp).collect::<Vec<_>>()),
                            )),
                            ("filter_20", 2) => drop(black_box(
                                sqlx::query_as::<_, Fp>(FILTER)
                                    .bind("h7")
                                    .fetch_all(&mut sqlx_conn)
                                    .await
                                    .ok(),
                            )),
                            ("filter_20", _) => {
                                drop(black_box(d::filter(&mut diesel_conn, "h7").await.ok()))
                            }
                            ("join", 0) => drop(black_box(
                                strata_join("u7").fetch_all(&strata_db).await.ok(),
                            )),
                            ("join", 1) => drop(black_box(
                                tp.query(&tp_stmts[2], &[&"u7"])
                                    .await
                                    .ok()
                                    .map(|r| r.iter().map(row_joined).collect::<Vec<_>>()),
                            )),
                            ("join", 2) => {
                                drop(black_box(
                                    sqlx::query_as::<
                                        _,
                                        (String, String, DateTime<Utc>, Option<String>),
                                    >(JOIN)
                                    .bind("u7")
                                    .fetch_all(&mut sqlx_conn)
                                    .await
                                    .ok(),
                                ))
                            }
                            ("join", _) => {
                                drop(black_box(d::join(&mut diesel_conn, "u7").await.ok()))
                            }
                            (_, 0) => drop(black_box(
                                strata_load("fp7").fetch_all(&strata_db).await.ok(),
                            )),
                            (_, 1) => drop(black_box(
                                tp.query(&tp_stmts[3], &[&"fp7"])
                                    .await
                                    .ok()
                                    .map(|r| group(r.iter().map(row_load).collect())),
                            )),
                            (_, 2) => drop(black_box(
                                sqlx::query_as::<_, SqlxLoadRow>(LOAD)
                                    .bind("fp7")
                                    .fetch_all(&mut sqlx_conn)
                                    .await
                                    .ok()
                                    .map(sqlx_group),
                            )),
                            (_, _) => drop(black_box(d::load(&mut diesel_conn, "fp7").await.ok())),
                        }
                    });
                    slot.push(t.elapsed().as_nanos());
                }
            }
            let m: Vec<f64> = times.iter_mut().map(median).collect();
            eprintln!(
            "{phase}: paired {query} ({rounds} rounds, median µs): strata {:.1} · tokio-postgres prepared {:.1} · sqlx {:.1} · diesel-async {:.1} · strata/tokio-postgres {:.3}",
            m[0], m[1], m[2], m[3], m[0] / m[1]
        );
        }

        // Where the strata time goes on the primary-key fetch: the same
        // statement through the cache's raw path, and the builder's row
        // reader on it.
        {
            let mut times: [Vec<u128>; 4] = Default::default();
            for round in 0..rounds {
                for k in 0..4 {
                    let step = turn(round, k);
                    let t = std::time::Instant::now();
                    rt.block_on(async {
                        match step {
                            0 => drop(black_box(strata_pk("fp7").fetch_one(&strata_db).await.ok())),
                            1 => drop(black_box(
                                strata_db
                                    .query_sql(PK, &[&"fp7"])
                                    .await
                                    .ok()
                                    .map(|r| r.iter().map(row_fp).collect::<Vec<_>>()),
                            )),
                            2 => drop(black_box(
                                strata_db.query_sql(PK, &[&"fp7"]).await.ok().map(|r| {
                                    r.iter()
                                        .map(|r| fingerprint::Fingerprint::try_from(r).ok())
                                        .collect::<Vec<_>>()
                                }),
                            )),
                            _ => drop(black_box(
                                tp.query_one(&tp_stmts[0], &[&"fp7"])
                                    .await
                                    .ok()
                                    .as_ref()
                                    .map(row_fp),
                            )),
                        }
                    });
                    times[step].push(t.elapsed().as_nanos());
                }
            }
            let m: Vec<f64> = times.iter_mut().map(median).collect();
            eprintln!(
            "{phase}: paired pk_fetch breakdown (median µs): builder {:.1} · raw path, hand-written reader {:.1} · raw path, generated reader {:.1} · tokio-postgres prepared {:.1}",
            m[0], m[1], m[2], m[3]
        );
        }

        // Where the time of the one-to-many load goes: strata's load (rows,
        // grouped), the same load in the records shape (`as_records`:
        // `ARRAY(SELECT ROW(…))`), strata's statement on its `Db` with the
        // rows not decoded, against the LEFT JOIN the peers run.
        {
            let load_sql = strata_load("fp7").sql();
            let mut times: [Vec<u128>; 4] = Default::default();
            for round in 0..rounds {
                for k in 0..4 {
                    let step = turn(round, k);
                    let t = std::time::Instant::now();
                    rt.block_on(async {
                        match step {
                            0 => drop(black_box(
                                strata_load("fp7").fetch_all(&strata_db).await.ok(),
                            )),
                            1 => drop(black_box(
                                strata_load("fp7")
                                    .as_records()
                                    .fetch_all(&strata_db)
                                    .await
                                    .ok(),
                            )),
                            2 => drop(black_box(
                                strata_db.query_sql(&load_sql, &[&"fp7"]).await.ok(),
                            )),
                            _ => drop(black_box(
                                tp.query(&tp_stmts[3], &[&"fp7"])
                                    .await
                                    .ok()
                                    .map(|r| group(r.iter().map(row_load).collect())),
                            )),
                        }
                    });
                    times[step].push(t.elapsed().as_nanos());
                }
            }
            let m: Vec<f64> = times.iter_mut().map(median).collect();
            eprintln!(
            "{phase}: paired load_1_to_many breakdown (median µs): strata {:.1} · strata, records shape {:.1} · strata's statement on Db, rows not read {:.1} · LEFT JOIN, grouped {:.1}",
            m[0], m[1], m[2], m[3]
        );
            eprintln!("strata's load statement: {load_sql}");
        }
    }
    let tp_insert = tp_insert.unwrap_or_else(|| panic!("the warm phase prepares the insert"));

    // The 1,000-row insert interleaved too (warm backends): each round, each
    // peer inserts 1,000 fresh rows into the same table, so every peer
    // meets the table in the same state; the rows are deleted at the end.
    // PAIRED_INSERT_ROUNDS, default 50.
    {
        let ins_rounds: usize = std::env::var("PAIRED_INSERT_ROUNDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(50);
        let ins_text = insert_sql(1000);
        let mut times: [Vec<u128>; 4] = Default::default();
        let mut counter = 0u64;
        for round in 0..ins_rounds {
            for k in 0..4 {
                let peer = turn(round, k);
                counter += 1;
                let rows: Vec<(String, String)> = (0..1000)
                    .map(|i| (format!("p{counter}_{i}"), format!("h{}", i % 50)))
                    .collect();
                let t = std::time::Instant::now();
                rt.block_on(async {
                    let n = match peer {
                        0 => {
                            let news = rows.into_iter().map(|(id, h)| {
                                let mut n = fingerprint::NewFingerprint::new(id);
                                n.sig_hash = Some(h);
                                n
                            });
                            fingerprint::FingerprintTable::insert_many(news)
                                .execute(&strata_db)
                                .await
                                .unwrap_or_else(|e| panic!("{e}"))
                        }
                        1 => {
                            let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                                Vec::with_capacity(2000);
                            for (id, h) in &rows {
                                params.push(id);
                                params.push(h);
                            }
                            tp.execute(&tp_insert, &params)
                                .await
                                .unwrap_or_else(|e| panic!("{e}"))
                        }
                        2 => {
                            let mut q = sqlx::query(&ins_text);
                            for (id, h) in rows {
                                q = q.bind(id).bind(h);
                            }
                            q.execute(&mut sqlx_conn)
                                .await
                                .unwrap_or_else(|e| panic!("{e}"))
                                .rows_affected()
                        }
                        _ => {
                            let news: Vec<NewFp<'_>> = rows
                                .iter()
                                .map(|(id, h)| NewFp {
                                    id,
                                    sig_hash: Some(h),
                                })
                                .collect();
                            d::insert(&mut diesel_conn, &news)
                                .await
                                .unwrap_or_else(|e| panic!("{e}"))
                                as u64
                        }
                    };
                    assert_eq!(black_box(n), 1000);
                });
                times[peer].push(t.elapsed().as_nanos());
            }
        }
        // strata's client-side work alone, no server: the 1,000 rows into
        // the builder and the statement written (text and parameters), in
        // steps; the rows' strings made beforehand, as the timed rounds do.
        let made = |r: usize| -> Vec<(String, String)> {
            (0..1000)
                .map(|i| (format!("z{r}_{i}"), format!("h{}", i % 50)))
                .collect()
        };
        let news = |rows: Vec<(String, String)>| {
            rows.into_iter().map(|(id, h)| {
                let mut n = fingerprint::NewFingerprint::new(id);
                n.sig_hash = Some(h);
                n
            })
        };
        let mut steps = [0u128; 4];
        for r in 0..200 {
            let rows = made(r);
            let t = std::time::Instant::now();
            let v: Vec<fingerprint::NewFingerprint> = news(rows).collect();
            steps[0] += t.elapsed().as_nanos();
            let t = std::time::Instant::now();
            let ins = fingerprint::FingerprintTable::insert_many(v);
            steps[1] += t.elapsed().as_nanos();
            let t = std::time::Instant::now();
            black_box(ins.sql());
            steps[2] += t.elapsed().as_nanos();
            let t = std::time::Instant::now();
            drop(black_box(ins));
            steps[3] += t.elapsed().as_nanos();
        }
        eprintln!(
            "probe insert_1000, no server (mean of 200, µs): New… structs {:.1} · insert_many (values) {:.1} · statement written {:.1} · dropped {:.1}",
            steps[0] as f64 / 200.0 / 1000.0,
            steps[1] as f64 / 200.0 / 1000.0,
            steps[2] as f64 / 200.0 / 1000.0,
            steps[3] as f64 / 200.0 / 1000.0
        );
        let m: Vec<f64> = times.iter_mut().map(median).collect();
        eprintln!(
            "warm: paired insert_1000 ({ins_rounds} rounds, median µs): strata {:.1} · tokio-postgres prepared {:.1} · sqlx {:.1} · diesel-async {:.1} · strata/tokio-postgres {:.3}",
            m[0], m[1], m[2], m[3], m[0] / m[1]
        );
        rt.block_on(async {
            for sql in [
                "DELETE FROM fingerprint WHERE id LIKE 'p%'",
                "VACUUM fingerprint",
            ] {
                tp.batch_execute(sql)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
            }
        });
    }

    let mut g = c.benchmark_group("pk_fetch");
    g.bench_function("strata", |b| {
        b.iter(|| {
            rt.block_on(async { black_box(strata_pk("fp7").fetch_one(&strata_db).await.ok()) })
        })
    });
    g.bench_function("tokio_postgres_prepared", |b| {
        b.iter(|| {
            rt.block_on(async {
                let r = tp.query_one(&tp_stmts[0], &[&"fp7"]).await.ok();
                black_box(r.as_ref().map(row_fp))
            })
        })
    });
    g.bench_function("sqlx", |b| {
        b.iter(|| {
            rt.block_on(async {
                let r: Option<Fp> = sqlx::query_as(PK)
                    .bind("fp7")
                    .fetch_one(&mut sqlx_conn)
                    .await
                    .ok();
                black_box(r)
            })
        })
    });
    g.bench_function("diesel_async", |b| {
        b.iter(|| {
            rt.block_on(async {
                let r: Option<Fp> = d::pk(&mut diesel_conn, "fp7").await.ok();
                black_box(r)
            })
        })
    });
    g.finish();

    let mut g = c.benchmark_group("filter_20");
    g.bench_function("strata", |b| {
        b.iter(|| {
            rt.block_on(async { black_box(strata_filter("h7").fetch_all(&strata_db).await.ok()) })
        })
    });
    g.bench_function("tokio_postgres_prepared", |b| {
        b.iter(|| {
            rt.block_on(async {
                let r = tp.query(&tp_stmts[1], &[&"h7"]).await.ok();
                black_box(r.map(|rows| rows.iter().map(row_fp).collect::<Vec<_>>()))
            })
        })
    });
    g.bench_function("sqlx", |b| {
        b.iter(|| {
            rt.block_on(async {
                let r: Option<Vec<Fp>> = sqlx::query_as(FILTER)
                    .bind("h7")
                    .fetch_all(&mut sqlx_conn)
                    .await
                    .ok();
                black_box(r)
            })
        })
    });
    g.bench_function("diesel_async", |b| {
        b.iter(|| {
            rt.block_on(async {
                let r: Option<Vec<Fp>> = d::filter(&mut diesel_conn, "h7").await.ok();
                black_box(r)
            })
        })
    });
    g.finish();

    let mut g = c.benchmark_group("join");
    g.bench_function("strata", |b| {
        b.iter(|| {
            rt.block_on(async { black_box(strata_join("u7").fetch_all(&strata_db).await.ok()) })
        })
    });
    g.bench_function("strata_raw_sql", |b| {
        b.iter(|| {
            rt.block_on(async {
                let r = strata_db.query_sql(JOIN, &[&"u7"]).await.ok();
                black_box(r.map(|rows| rows.iter().map(row_joined).collect::<Vec<_>>()))
            })
        })
    });
    g.bench_function("tokio_postgres_prepared", |b| {
        b.iter(|| {
            rt.block_on(async {
                let r = tp.query(&tp_stmts[2], &[&"u7"]).await.ok();
                black_box(r.map(|rows| rows.iter().map(row_joined).collect::<Vec<_>>()))
            })
        })
    });
    g.bench_function("sqlx", |b| {
        b.iter(|| {
            rt.block_on(async {
                let r: Option<Vec<JoinRow>> = sqlx::query_as(JOIN)
                    .bind("u7")
                    .fetch_all(&mut sqlx_conn)
                    .await
                    .ok();
                black_box(r)
            })
        })
    });
    g.bench_function("diesel_async", |b| {
        b.iter(|| {
            rt.block_on(async {
                let r: Option<Vec<Joined>> = d::join(&mut diesel_conn, "u7").await.ok();
                black_box(r)
            })
        })
    });
    g.finish();

    let mut g = c.benchmark_group("load_1_to_many");
    g.bench_function("strata", |b| {
        b.iter(|| {
            rt.block_on(async { black_box(strata_load("fp7").fetch_all(&strata_db).await.ok()) })
        })
    });
    g.bench_function("tokio_postgres_prepared", |b| {
        b.iter(|| {
            rt.block_on(async {
                let r = tp.query(&tp_stmts[3], &[&"fp7"]).await.ok();
                black_box(r.map(|rows| group(rows.iter().map(row_load).collect())))
            })
        })
    });
    g.bench_function("sqlx", |b| {
        b.iter(|| {
            rt.block_on(async {
                let r = sqlx::query_as::<_, SqlxLoadRow>(LOAD)
                    .bind("fp7")
                    .fetch_all(&mut sqlx_conn)
                    .await
                    .ok();
                black_box(r.map(sqlx_group))
            })
        })
    });
    g.bench_function("diesel_async", |b| {
        b.iter(|| rt.block_on(async { black_box(d::load(&mut diesel_conn, "fp7").await.ok()) }))
    });
    g.finish();

    // Each iteration inserts 1,000 fresh rows (ids from a counter); the
    // table is emptied of them between peers.
    let next = Cell::new(0u64);
    let batch = || {
        let base = next.get();
        next.set(base + 1);
        (0..1000)
            .map(|i| (format!("b{base}_{i}"), format!("h{}", i % 50)))
            .collect::<Vec<_>>()
    };
    let cleanup = || {
        rt.block_on(async {
            for sql in [
                "DELETE FROM fingerprint WHERE id LIKE 'b%'",
                "VACUUM fingerprint",
            ] {
                tp.batch_execute(sql)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
            }
        })
    };
    let mut g = c.benchmark_group("insert_1000");
    g.sample_size(30);
    let insert_text = insert_sql(1000);
    g.bench_function("strata", |b| {
        b.iter_batched(
            batch,
            |rows| {
                rt.block_on(async {
                    let news = rows.into_iter().map(|(id, h)| {
                        let mut n = fingerprint::NewFingerprint::new(id);
                        n.sig_hash = Some(h);
                        n
                    });
                    black_box(
                        fingerprint::FingerprintTable::insert_many(news)
                            .execute(&strata_db)
                            .await
                            .ok(),
                    )
                })
            },
            criterion::BatchSize::SmallInput,
        )
    });
    cleanup();
    g.bench_function("tokio_postgres_prepared", |b| {
        b.iter_batched(
            batch,
            |rows| {
                rt.block_on(async {
                    let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                        Vec::with_capacity(2000);
                    for (id, h) in &rows {
                        params.push(id);
                        params.push(h);
                    }
                    black_box(tp.execute(&tp_insert, &params).await.ok())
                })
            },
            criterion::BatchSize::SmallInput,
        )
    });
    cleanup();
    g.bench_function("sqlx", |b| {
        b.iter_batched(
            batch,
            |rows| {
                rt.block_on(async {
                    let mut q = sqlx::query(&insert_text);
                    for (id, h) in rows {
                        q = q.bind(id).bind(h);
                    }
                    black_box(
                        q.execute(&mut sqlx_conn)
                            .await
                            .ok()
                            .map(|r| r.rows_affected()),
                    )
                })
            },
            criterion::BatchSize::SmallInput,
        )
    });
    cleanup();
    g.bench_function("diesel_async", |b| {
        b.iter_batched(
            batch,
            |rows| {
                rt.block_on(async {
                    let news: Vec<NewFp<'_>> = rows
                        .iter()
                        .map(|(id, h)| NewFp {
                            id,
                            sig_hash: Some(h),
                        })
                        .collect();
                    black_box(d::insert(&mut diesel_conn, &news).await.ok())
                })
            },
            criterion::BatchSize::SmallInput,
        )
    });
    g.finish();
    cleanup();

    let stats = strata_db.cache_stats();
    eprintln!("strata statement cache: {stats:?}");
    drop((strata_db, tp, tp_stmts, sqlx_conn, diesel_conn));
    rt.block_on(async {
        let admin = connect(&admin_url).await;
        let _ = admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await;
    });
}

/// What leaves a backend "warm": one large allocation freed (a 4 MB
/// string built and dropped). glibc's malloc `mmap`s such a block, and
/// after freeing it raises its mmap and trim thresholds for good, so from
/// then on the backend keeps freed memory instead of returning it to the
/// kernel. A cold backend hands the memory back after every row and faults
/// it in again on the next: what a row whose binary output nests many
/// values (an array of records) pays for, server-side. Parsing a large
/// statement (the bench's 1,000-row insert) also warms a fresh backend, but
/// not fully one that has already run many statements cold; this does.
fn warm_up_sql() -> String {
    "SELECT length(repeat('x', 4000000))".to_string()
}

/// Diagnostic (LOAD_PROBE=1): the load statement on several connections,
/// rows not read, interleaved; then each connection's plan counts and
/// backend pid.
fn load_probe(
    rt: &tokio::runtime::Runtime,
    db_url: &str,
    strata_db: &Db<Client>,
    tp: &Client,
    load_sql: &str,
    records_sql: &str,
) {
    let rounds: usize = std::env::var("PAIRED_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let (fresh_db, plain, plain_stmt, tp_stmt, db_raw_stmt) = rt.block_on(async {
        let fresh_db = Db::new(connect(db_url).await);
        let plain = connect(db_url).await;
        let plain_stmt = plain.prepare(load_sql).await.unwrap();
        let tp_stmt = tp.prepare(load_sql).await.unwrap();
        let db_raw_stmt = strata_db.client().prepare(load_sql).await.unwrap();
        (fresh_db, plain, plain_stmt, tp_stmt, db_raw_stmt)
    });
    let names = [
        "tp, own prepared stmt",
        "Db.query_sql (cached)",
        "Db's client raw, own stmt",
        "fresh Db.query_sql",
        "fresh plain client raw",
        "fresh Db, LATERAL rows",
        "fresh Db, json_agg",
        "fresh Db, LEFT JOIN",
    ];
    let cols = "s.\"sessionToken\", s.\"userId\", s.\"expires\", s.\"fingerprint_id\", s.\"type\", s.\"created_at\"";
    let lateral = format!("SELECT f.\"id\", f.\"sig_hash\", f.\"created_at\", {cols} FROM \"fingerprint\" AS f LEFT JOIN LATERAL (SELECT * FROM \"session\" AS s WHERE s.\"fingerprint_id\" = f.\"id\" ORDER BY s.\"sessionToken\") AS s ON true WHERE f.\"id\" = $1");
    let json = format!("SELECT f.\"id\", f.\"sig_hash\", f.\"created_at\", (SELECT json_agg(json_build_array({cols}) ORDER BY s.\"sessionToken\") FROM \"session\" AS s WHERE s.\"fingerprint_id\" = f.\"id\") FROM \"fingerprint\" AS f WHERE f.\"id\" = $1");
    let n = names.len();
    let mut times: Vec<Vec<u128>> = vec![Vec::new(); n];
    let log = std::env::var_os("LOAD_PROBE_LOG").is_some();
    if log {
        rt.block_on(async {
            for c in [tp, strata_db.client(), fresh_db.client(), &plain] {
                c.batch_execute("SET log_min_duration_statement = 0")
                    .await
                    .unwrap();
            }
        });
    }
    for round in 0..rounds {
        for k in 0..n {
            let step = (round + k) % n;
            let t = std::time::Instant::now();
            rt.block_on(async {
                let r = match step {
                    0 => tp.query(&tp_stmt, &[&"fp7"]).await,
                    1 => strata_db.query_sql(load_sql, &[&"fp7"]).await,
                    2 => strata_db.client().query(&db_raw_stmt, &[&"fp7"]).await,
                    3 => fresh_db.query_sql(load_sql, &[&"fp7"]).await,
                    4 => plain.query(&plain_stmt, &[&"fp7"]).await,
                    5 => fresh_db.query_sql(&lateral, &[&"fp7"]).await,
                    6 => fresh_db.query_sql(&json, &[&"fp7"]).await,
                    _ => fresh_db.query_sql(LOAD, &[&"fp7"]).await,
                };
                black_box(r.unwrap());
            });
            times[step].push(t.elapsed().as_nanos());
        }
    }
    if log {
        rt.block_on(async {
            for c in [tp, strata_db.client(), fresh_db.client(), &plain] {
                c.batch_execute("RESET log_min_duration_statement")
                    .await
                    .unwrap();
            }
        });
    }
    for (i, v) in times.iter_mut().enumerate() {
        v.sort_unstable();
        eprintln!(
            "probe {:<28} median {:.1} µs  p10 {:.1}  p90 {:.1}",
            names[i],
            v[v.len() / 2] as f64 / 1000.0,
            v[v.len() / 10] as f64 / 1000.0,
            v[v.len() * 9 / 10] as f64 / 1000.0
        );
    }
    rt.block_on(async {
        for (name, c) in [
            ("tp", tp),
            ("Db", strata_db.client()),
            ("fresh Db", fresh_db.client()),
            ("plain", &plain),
        ] {
            let pid: i32 = c.query_one("SELECT pg_backend_pid()", &[]).await.unwrap().get(0);
            for r in c
                .query(
                    "SELECT name, generic_plans, custom_plans, left(statement, 60) FROM pg_prepared_statements",
                    &[],
                )
                .await
                .unwrap()
            {
                let (s, g, cu, st): (String, i64, i64, String) = (r.get(0), r.get(1), r.get(2), r.get(3));
                eprintln!("probe {name} pid {pid}: {s} generic {g} custom {cu} {st}");
            }
        }
    });
    // The client's side alone: the same rows decoded again and again, by
    // strata's record reader (parent, then the record[] of children; the
    // records shape, `as_records`) and by the hand-written reader of the
    // peers' LEFT JOIN rows (grouped).
    {
        use strata::runtime::{Fields, FromFields, Load};
        let (nested, joined) = rt.block_on(async {
            (
                strata_db.query_sql(records_sql, &[&"fp7"]).await.unwrap(),
                tp.query(LOAD, &[&"fp7"]).await.unwrap(),
            )
        });
        let rel = fingerprint::rel::session;
        let n = 20_000u32;
        let t = std::time::Instant::now();
        for _ in 0..n {
            for r in &nested {
                let mut f = Fields::row(r, 0);
                let parent = fingerprint::Fingerprint::from_fields(&mut f).unwrap();
                let kids = rel.decode(&mut f).unwrap();
                black_box((parent, kids));
            }
        }
        let strata_ns = t.elapsed().as_nanos() as f64 / f64::from(n);
        let t = std::time::Instant::now();
        for _ in 0..n {
            black_box(group(joined.iter().map(row_load).collect()));
        }
        let peer_ns = t.elapsed().as_nanos() as f64 / f64::from(n);
        eprintln!(
            "probe decode only (mean of {n}): strata record[] {:.2} µs · LEFT JOIN rows grouped {:.2} µs",
            strata_ns / 1000.0,
            peer_ns / 1000.0
        );
    }
    eprintln!("probe Db cache: {:?}", strata_db.cache_stats());
    eprintln!("probe fresh Db cache: {:?}", fresh_db.cache_stats());
}

criterion_group!(benches, peers);
criterion_main!(benches);
