//! Reading a live database into the model.
//!
//! [`inspect`] reads `pg_catalog` (never `information_schema`) inside one
//! `REPEATABLE READ, READ ONLY` transaction, so every query sees the same
//! snapshot and nothing can be written. `search_path` is set to `public` for
//! the transaction, so `format_type`, `pg_get_expr` and friends print objects
//! of `public` unqualified and everything else qualified, which is the form
//! the model stores; `TimeZone`, `DateStyle`, `IntervalStyle` and
//! `extra_float_digits` are set too, so constants print the same whatever
//! the server's or the role's settings (the form `strata_core::literal`
//! derives offline). Expressions are kept exactly as the server prints them.
//! `jit` is off for the transaction: the catalog queries' cost estimates
//! (per-row subqueries) pass `jit_above_cost`, and compiling them took
//! seconds at 10,000 tables, more than running them (BENCHMARKS.md).
//! Parallel workers are off too (the read is already spread over two
//! connections, and each worker repeated the whole of a query's inner
//! subqueries), and `work_mem` is raised so the sorts stay in memory.
//! Joins are planned in the order written (`join_collapse_limit` and
//! `from_collapse_limit` 1): searching the join orders was a third of the
//! server's planning time for a small database, which is most of what a
//! fleet costs, and at 10,000 tables the queries run as fast in the
//! written order, on catalogs never analysed (BENCHMARKS.md).
//!
//! **21 catalog queries whatever the size of the database** (the
//! [`QUERIES`] array, each run exactly once on one connection, or, for the
//! per-relation ones of [`SHARED`], once per connection for its share),
//! plus one `BEGIN …; SET LOCAL search_path = public` batch and one
//! `COMMIT`. One
//! query per kind of object (namespaces, extensions, tables, columns,
//! constraints, index keys, types (enums, domains, composite types),
//! sequences, unmanaged objects, functions and procedures, policies,
//! collations, triggers, views and materialized views, default privileges,
//! operators, aggregates)
//! and one for the comments of the others; every ACL (`relacl`, `attacl`,
//! `nspacl`, `typacl`, `proacl`) is read with its object, its owner mapped
//! to the owner symbol; they are pipelined on the connection and joined
//! in memory by object id. Every query is sent at once and the model is
//! built from each query's rows as they come ([`InFlight`]): the columns
//! query goes right after the tables, and its rows (the most of any query)
//! are built into the model as they arrive, while the server runs the
//! queries after it.
//! Checks, defaults and partial indexes' predicates come as node trees and
//! are printed on the client where it can (`expressions.rs`); the rest are printed by the server in
//! one more statement per connection ([`Q_DEPARSE`]), still inside the
//! snapshot.
//!
//! [`inspect_url`] reads on two connections sharing one exported snapshot
//! (`snapshot.rs`, as parallel `pg_dump` does): the per-relation queries
//! ([`SHARED`]) run on each for its share of the relations, so the
//! server's deparsing is spread over two backends; [`inspect`] on a given
//! client reads on that one connection.
//!
//! The first query also checks, from inside the snapshot, that the
//! transaction really is `REPEATABLE READ` and read-only (it is not when the
//! client was already inside a transaction) and that `public` is on the
//! effective search path (it silently is not when the role lacks USAGE on
//! it); either problem is an [`InspectError::Session`].
//!
//! System namespaces (`pg_catalog`, `information_schema`, `pg_toast*`,
//! `pg_temp_*`) and objects that belong to an extension are left out.
//! Types go through [`strata_core::normalize`]; text it cannot read is an
//! [`InspectError::Normalize`] naming the object, never silently kept raw.
//! Expressions are kept exactly as the server prints them.

use std::collections::HashMap;

use futures_util::future::BoxFuture;
use futures_util::stream::FuturesUnordered;
use futures_util::{StreamExt, TryStreamExt};
use strata_core::model::{quote_ident, Inherited, Schema, Table};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{FromSql, ToSql, Type};
use tokio_postgres::{Client, Row, RowStream};

use crate::conn::describe;

/// What to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InspectOptions {
    /// Namespaces to read; `None` reads every non-system namespace.
    /// Extensions, event triggers and publications are database-wide and
    /// always read.
    pub namespaces: Option<Vec<String>>,
}

/// Why a database could not be read. Messages never contain the connection
/// URL or a password: at most `host:port/dbname`.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum InspectError {
    #[error("invalid database URL: {reason}")]
    #[diagnostic(
        code(strata::inspect::url),
        help("expected a URL like postgres://user@host:5432/dbname")
    )]
    Url { reason: String },

    #[error("cannot connect to {target}: {reason}")]
    #[diagnostic(code(strata::inspect::connect))]
    Connect {
        target: String,
        reason: String,
        /// What to do about it, by what went wrong.
        #[help]
        advice: String,
    },

    #[error("reading the catalog ({step}) failed: {reason}")]
    #[diagnostic(code(strata::inspect::query))]
    Query { step: &'static str, reason: String },

    #[error("cannot inspect in this session: {reason}")]
    #[diagnostic(code(strata::inspect::session), help("{help}"))]
    Session { reason: String, help: &'static str },

    #[error("unexpected catalog data ({step}): {reason}")]
    #[diagnostic(
        code(strata::inspect::catalog),
        help("this is a strata bug or an unsupported PostgreSQL version; please report it")
    )]
    Catalog { step: &'static str, reason: String },

    #[error("{object}: cannot normalize {what} `{text}`: {reason}")]
    #[diagnostic(
        code(strata::inspect::normalize),
        help("strata cannot read this {what} yet; please report it with the text shown")
    )]
    Normalize {
        object: String,
        what: &'static str,
        text: String,
        reason: String,
    },

    /// The database holds something strata does not model yet; comparing
    /// without it could call two different schemas equal, so inspection
    /// stops instead.
    #[error("{object}: {what} is not supported yet")]
    #[diagnostic(code(strata::inspect::unsupported), help("{help}"))]
    Unsupported {
        object: String,
        what: String,
        help: String,
    },
}

/// The user namespace condition on alias `n` (and `$1`, the optional list
/// of namespaces to read).
macro_rules! user_namespace {
    () => {
        "n.nspname NOT IN ('pg_catalog', 'information_schema') \
         AND n.nspname NOT LIKE 'pg\\_toast%' \
         AND n.nspname NOT LIKE 'pg\\_temp\\_%' \
         AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[])) \
         AND NOT EXISTS (SELECT FROM pg_depend dn WHERE dn.classid = 'pg_namespace'::regclass \
             AND dn.objid = n.oid AND dn.deptype = 'e')"
    };
}

/// `$col`, a namespace oid, names a user namespace ([`user_namespace!`]):
/// a filter, never a join. Joined (or semi-joined) row by row, the planner,
/// misled by the share's estimate ([`share!`]) or by catalogs not analysed
/// since a migration, looped over every namespace for every row read:
/// 40-150 ms per query at 10,000 tables in 100 namespaces (BENCHMARKS.md).
/// `IS TRUE` keeps the `IN` from being pulled up into a join, so it runs
/// as a hashed subplan: the user namespaces hashed once, one probe per row,
/// however many namespaces there are. Queries that print the namespace's
/// name look it up for the rows they return only.
macro_rules! in_user_namespace {
    ($col:literal) => {
        concat!(
            "(",
            $col,
            " IN (SELECT n.oid FROM pg_namespace n WHERE ",
            user_namespace!(),
            ")) IS TRUE"
        )
    };
}

/// This connection's share of the relations: with `$2` connections reading
/// one snapshot, the relations whose oid is `$3` modulo `$2` (every one when
/// `$2` is 1). Used by the queries of [`SHARED`].
macro_rules! share {
    ($oid:literal) => {
        concat!("($2::int4 <= 1 OR ", $oid, "::int8 % $2::int4 = $3::int4)")
    };
}

/// Excludes objects that belong to an extension. An extension's members
/// are the `pg_depend` rows of type `e`, which always reference
/// `pg_extension`: read from that end of the index they are few, and as a
/// `NOT IN` they are hashed once (a hashed subplan) instead of probed per
/// row read (the per-column probe took 70 ms at 10,000 tables).
macro_rules! not_extension {
    ($catalog:literal, $oid:literal) => {
        concat!(
            $oid,
            " NOT IN (SELECT de.objid FROM pg_depend de \
               WHERE de.refclassid = 'pg_extension'::regclass AND de.classid = '",
            $catalog,
            "'::regclass AND de.deptype = 'e')"
        )
    };
}

/// [`not_extension!`] probed per row, for the queries whose joins leave few
/// rows (with the filter on the scan, the planner hashed all of `pg_class`
/// to find the few triggers and rules on other relations).
macro_rules! not_extension_probe {
    ($catalog:literal, $oid:literal) => {
        concat!(
            "NOT EXISTS (SELECT FROM pg_depend de WHERE de.classid = '",
            $catalog,
            "'::regclass AND de.objid = ",
            $oid,
            " AND de.deptype = 'e')"
        )
    };
}

macro_rules! begin_snapshot {
    () => {
        "BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
    };
}
macro_rules! set_search_path {
    () => {
        "SET LOCAL search_path = public; SET LOCAL TimeZone = 'UTC'; \
         SET LOCAL DateStyle = 'ISO, MDY'; SET LOCAL IntervalStyle = 'postgres'; \
         SET LOCAL extra_float_digits = 1; SET LOCAL jit = off; \
         SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL work_mem = '64MB'; \
         SET LOCAL join_collapse_limit = 1; SET LOCAL from_collapse_limit = 1"
    };
}
const BEGIN: &str = concat!(begin_snapshot!(), "; ", set_search_path!());

/// [`BEGIN`]'s first half: the snapshot alone, for callers (drift) that
/// read other tables with the session's own search path first.
pub(crate) const BEGIN_SNAPSHOT: &str = begin_snapshot!();

/// [`BEGIN`]'s second half.
pub(crate) const SET_SEARCH_PATH: &str = set_search_path!();

mod aggregates;
mod constraints;
mod event_triggers;
mod expressions;
mod foreign;
mod format_type;
mod indexes;
mod namespaces;
mod operators;
mod privileges;
#[macro_use]
mod publications;
mod routines;
#[macro_use]
mod rules;
mod sequences;
pub(crate) mod snapshot;
mod statistics;
mod tables;
mod triggers;
mod types;
mod unmanaged;
mod views;

use aggregates::*;
use constraints::*;
use expressions::ClientDeparse;
pub use expressions::Q_DEPARSE;
#[doc(hidden)]
pub use expressions::{client_deparse, client_regclass, ClientEnums};
use format_type::*;

/// The client's `format_type` for built-in types (`None`: the server must
/// print it), for the oracle test that compares it with the server's.
#[doc(hidden)]
pub fn client_format_type(typid: u32, typmod: i32) -> Option<String> {
    format_type::format_type(typid, typmod)
}

/// The SQL condition under which the columns query asks the server for
/// `format_type(atttypid, atttypmod)`, for the oracle test.
#[doc(hidden)]
pub const SERVER_FORMATS_TYPE: &str = server_formats_type!("a.atttypid", "a.atttypmod");
use event_triggers::*;
use foreign::*;
use indexes::*;
use namespaces::*;
use operators::*;
use privileges::*;
use publications::*;
use routines::*;
use rules::*;
use sequences::*;
use statistics::*;
use tables::*;
use triggers::*;
use types::*;
use unmanaged::*;
use views::*;

/// Every catalog query [`inspect`] runs, in order, each exactly once. Each
/// takes one parameter, `$1 text[]`: the namespaces to read, or NULL.
pub const QUERIES: [(&str, &str); 21] = [
    ("namespaces", Q_NAMESPACES),
    ("extensions", Q_EXTENSIONS),
    // What the columns' defaults are printed with (enums, sequences), and
    // every comment.
    ("types", Q_TYPES),
    ("sequences", Q_SEQUENCES),
    ("comments", Q_COMMENTS),
    ("tables", Q_TABLES),
    // The most rows of any query: built into the model as they arrive,
    // while the server runs the queries after it.
    ("columns", Q_COLUMNS),
    ("constraints", Q_CONSTRAINTS),
    ("views", Q_VIEWS),
    ("indexes", Q_INDEXES),
    ("collations", Q_COLLATIONS),
    ("unmanaged objects", Q_UNMANAGED),
    ("routines", Q_ROUTINES),
    ("operators", Q_OPERATORS),
    ("aggregates", Q_AGGREGATES),
    ("policies", Q_POLICIES),
    ("default privileges", Q_DEFAULT_ACLS),
    ("triggers", Q_TRIGGERS),
    ("statistics", Q_STATISTICS),
    ("event triggers", Q_EVENT_TRIGGERS),
    ("foreign servers", Q_FOREIGN),
];

/// The queries of [`QUERIES`] that read per relation and take two more
/// parameters, `$2 int4` and `$3 int4`: with several connections on one
/// snapshot, each reads the relations of its share (see [`snapshot`]); the
/// others run once, on one of the connections.
pub const SHARED: [&str; 7] = [
    "tables",
    "columns",
    "constraints",
    "indexes",
    "policies",
    "triggers",
    "views",
];

/// How many connections [`inspect_url`] opens by default: two, so the
/// server deparses (its relation cache, `pg_get_expr`) on two cores.
pub const DEFAULT_CONNECTIONS: usize = 2;

/// Connects to `url`, reads the database on [`DEFAULT_CONNECTIONS`]
/// connections sharing one snapshot, and disconnects.
pub async fn inspect_url(url: &str, opts: &InspectOptions) -> Result<Schema, InspectError> {
    inspect_url_with(url, opts, DEFAULT_CONNECTIONS).await
}

/// [`inspect_url`] on `connections` connections (0 and 1: one). The first
/// opens the snapshot and exports it (`pg_export_snapshot`); the others
/// import it (`SET TRANSACTION SNAPSHOT`), so every query still sees one
/// snapshot, and each reads its share of the relations. A further
/// connection that cannot be opened is done without: the first alone
/// reads everything.
pub async fn inspect_url_with(
    url: &str,
    opts: &InspectOptions,
    connections: usize,
) -> Result<Schema, InspectError> {
    let session = connect_for_inspect(url).await?;
    let result = async {
        begin(&session.client, BEGIN).await?;
        let helpers = match snapshot::share(url, &session.client, connections).await {
            Ok(h) => h,
            Err(e) => {
                let _ = session.client.batch_execute("ROLLBACK").await;
                return Err(e);
            }
        };
        let clients: Vec<&Client> = helpers.iter().map(|h| &h.client).collect();
        let result = read_and_commit(&session.client, &clients, opts).await;
        snapshot::close(helpers).await;
        result
    }
    .await
    .map_err(|e| match e {
        InspectError::Query { step, reason } => InspectError::Query {
            step,
            reason: session.redact(&reason),
        },
        other => other,
    });
    session.close().await;
    result
}

/// A connection for reading the catalog, with connection errors as
/// [`InspectError`]s.
pub(crate) async fn connect_for_inspect(url: &str) -> Result<crate::conn::Session, InspectError> {
    crate::conn::connect(url).await.map_err(|e| match e {
        crate::conn::ConnectError::Url { reason } => InspectError::Url { reason },
        crate::conn::ConnectError::Connect {
            target,
            reason,
            advice,
        } => InspectError::Connect {
            target,
            reason,
            advice,
        },
        crate::conn::ConnectError::Tls { target, reason } => InspectError::Connect {
            target,
            reason,
            advice: "strata reads libpq's TLS settings: sslmode, sslrootcert, sslcert, sslkey, \
                     sslcrl (in the URL, or PGSSLMODE, PGSSLROOTCERT, …)"
                .to_string(),
        },
    })
}

/// Reads the database `client` is connected to. The client must not be
/// inside a transaction: `inspect` opens and commits its own.
pub async fn inspect(client: &Client, opts: &InspectOptions) -> Result<Schema, InspectError> {
    begin(client, BEGIN).await?;
    read_and_commit(client, &[], opts).await
}

/// Opens the read-only snapshot with `sql` ([`BEGIN`] or
/// [`BEGIN_SNAPSHOT`]).
pub(crate) async fn begin(client: &Client, sql: &str) -> Result<(), InspectError> {
    client.batch_execute(sql).await.map_err(|e| {
        if e.code() == Some(&SqlState::ACTIVE_SQL_TRANSACTION) {
            InspectError::Session {
                reason: format!(
                    "the connection is already inside a transaction ({})",
                    describe(&e)
                ),
                help: NOT_IN_TRANSACTION,
            }
        } else {
            InspectError::Query {
                step: "begin",
                reason: describe(&e),
            }
        }
    })
}

/// Inside the transaction [`begin`] opened (with `search_path` set): reads
/// the catalog, with `helpers` (connections inside the same snapshot, see
/// [`snapshot::share`]) reading their shares, checks the session, and
/// commits (or rolls back on error).
pub(crate) async fn read_and_commit(
    client: &Client,
    helpers: &[&Client],
    opts: &InspectOptions,
) -> Result<Schema, InspectError> {
    let mut clients = vec![client];
    clients.extend_from_slice(helpers);
    let mut inflight = InFlight::start(&clients, opts);
    let namespaces = match inflight.rows("namespaces").await {
        Ok(rows) => rows,
        Err(e) => {
            drop(inflight);
            let _ = client.batch_execute("ROLLBACK").await;
            return Err(e);
        }
    };
    match check_session(&namespaces) {
        Ok(()) => {}
        // Not our transaction (the client was already in one): leave it to
        // its owner.
        Err((e, Transaction::Foreign)) => return Err(e),
        Err((e, Transaction::Ours)) => {
            // The other queries' rows may still be arriving: their futures
            // and streams go before the ROLLBACK is awaited, or the
            // connection waits to hand them to a reader that is not
            // reading while this waits for the ROLLBACK's answer behind
            // them.
            drop(inflight);
            let _ = client.batch_execute("ROLLBACK").await;
            return Err(e);
        }
    }
    let schema = match build(namespaces, &mut inflight, &clients).await {
        Ok(schema) => schema,
        Err(e) => {
            drop(inflight);
            let _ = client.batch_execute("ROLLBACK").await;
            return Err(e);
        }
    };
    drop(inflight);
    client
        .batch_execute("COMMIT")
        .await
        .map_err(|e| InspectError::Query {
            step: "commit",
            reason: describe(&e),
        })?;
    Ok(schema)
}

/// What one query sent on one connection gives: its rows, or (the columns
/// query) the stream they arrive on.
enum Fetched {
    Rows(Vec<Row>),
    Stream(RowStream),
}

/// The step name of the query whose rows are streamed.
const STREAMED: &str = "columns";

/// Why a query failed, and whether only because an earlier query on its
/// connection had failed (`25P02`: the transaction was already aborted).
struct Failed {
    error: InspectError,
    aborted: bool,
}

/// What one part of a query gave: (part, result).
type Arrived = (i32, Result<Fetched, Failed>);

/// One (query, part) in flight: its index in [`QUERIES`], its part, and
/// what it gave.
type Flight<'a> = BoxFuture<'a, (usize, i32, Result<Fetched, Failed>)>;

/// Every query of [`QUERIES`] in flight at once: those of [`SHARED`] on
/// every client, each for its share, the others once each, spread over the
/// clients; each client's queries are pipelined, in [`QUERIES`]' order.
///
/// The model is built as the answers come ([`build`] takes each query's
/// rows when it needs them), so the client builds while the server runs
/// the later queries. Whatever is awaited, every query still running is
/// polled with it: a connection hands its answers over in order, one at a
/// time, and one left unread would hold up every answer behind it.
struct InFlight<'a> {
    running: FuturesUnordered<Flight<'a>>,
    /// What has come, by query: (part, result).
    arrived: HashMap<&'static str, Vec<Arrived>>,
    /// How many parts each query was sent as.
    parts: HashMap<&'static str, usize>,
}

impl<'a> InFlight<'a> {
    fn start(clients: &[&'a Client], opts: &'a InspectOptions) -> Self {
        let parts = i32::try_from(clients.len()).unwrap_or(1).max(1);
        let mut flights = InFlight {
            running: FuturesUnordered::new(),
            arrived: HashMap::new(),
            parts: HashMap::new(),
        };
        let mut next_single = 0;
        for (index, (step, _)) in QUERIES.iter().enumerate() {
            if SHARED.contains(step) {
                for part in 0..parts {
                    flights.send(clients, opts, index, part, parts);
                }
                flights
                    .parts
                    .insert(step, usize::try_from(parts).unwrap_or(1));
            } else {
                // The first query (the session check) on the first client.
                let part = if index == 0 { 0 } else { next_single % parts };
                next_single += 1;
                flights.send(clients, opts, index, part, parts);
                flights.parts.insert(step, 1);
            }
        }
        flights
    }

    /// Sends query `index` on client `part` (its share of `parts` when the
    /// query is one of [`SHARED`]).
    fn send(
        &mut self,
        clients: &[&'a Client],
        opts: &'a InspectOptions,
        index: usize,
        part: i32,
        parts: i32,
    ) {
        let (step, sql) = QUERIES[index];
        let client = clients[usize::try_from(part).unwrap_or(0)];
        let filter = &opts.namespaces;
        let flight = async move {
            let stream = if SHARED.contains(&step) {
                let params: [(&(dyn ToSql + Sync), Type); 3] = [
                    (filter, Type::TEXT_ARRAY),
                    (&parts, Type::INT4),
                    (&part, Type::INT4),
                ];
                client.query_typed_raw(sql, params).await
            } else {
                let params: [(&(dyn ToSql + Sync), Type); 1] = [(filter, Type::TEXT_ARRAY)];
                client.query_typed_raw(sql, params).await
            };
            let error = |e: tokio_postgres::Error| Failed {
                aborted: e.code() == Some(&SqlState::IN_FAILED_SQL_TRANSACTION),
                error: InspectError::Query {
                    step,
                    reason: describe(&e),
                },
            };
            let fetched = async {
                let stream = stream.map_err(error)?;
                if step == STREAMED {
                    return Ok(Fetched::Stream(stream));
                }
                let rows: Vec<Row> = stream.try_collect().await.map_err(error)?;
                Ok(Fetched::Rows(rows))
            }
            .await;
            (index, part, fetched)
        };
        // Polled once now, which writes the request to its connection: the
        // requests go out in the order sent here, whatever order the set
        // polls its futures in later.
        let mut flight: Flight<'a> = Box::pin(flight);
        let waker = futures_util::task::noop_waker();
        let mut cx = std::task::Context::from_waker(&waker);
        match flight.as_mut().poll(&mut cx) {
            std::task::Poll::Ready((index, part, fetched)) => self.store(index, part, fetched),
            std::task::Poll::Pending => self.running.push(flight),
        }
    }

    fn store(&mut self, index: usize, part: i32, fetched: Result<Fetched, Failed>) {
        self.arrived
            .entry(QUERIES[index].0)
            .or_default()
            .push((part, fetched));
    }

    /// Waits for the next query (or part) to finish, and keeps what it gave.
    /// Cancel-safe: what finishes is stored in the same poll.
    async fn next(&mut self) {
        if let Some((index, part, fetched)) = self.running.next().await {
            self.store(index, part, fetched);
        }
    }

    /// Waits for every part of `step`, and takes their results in part
    /// order (the order the rows were joined in before).
    async fn take(&mut self, step: &'static str) -> Result<Vec<Fetched>, InspectError> {
        let wanted = self.parts.get(step).copied().unwrap_or(0);
        if wanted == 0 {
            return Err(InspectError::Catalog {
                step,
                reason: "the query was not run".to_string(),
            });
        }
        while self.arrived.get(step).map_or(0, Vec::len) < wanted {
            if self.running.is_empty() {
                return Err(InspectError::Catalog {
                    step,
                    reason: "the query's answer never came".to_string(),
                });
            }
            self.next().await;
        }
        let mut parts = self.arrived.remove(step).unwrap_or_default();
        parts.sort_by_key(|(part, _)| *part);
        let mut out = Vec::with_capacity(parts.len());
        let mut failure = None;
        for (_, fetched) in parts {
            match fetched {
                Ok(fetched) => out.push(fetched),
                Err(failed) => {
                    failure.get_or_insert(failed);
                }
            }
        }
        if let Some(Failed { error, aborted }) = failure {
            // The other parts go first: a stream among them, unread, would
            // hold up the answers behind it on its connection, and `cause`
            // waits for all of them.
            drop(out);
            return Err(if aborted {
                self.cause().await.unwrap_or(error)
            } else {
                error
            });
        }
        Ok(out)
    }

    /// The error that aborted the transaction, when a query awaited later
    /// failed only because of it: every answer is waited for (the queries
    /// run in the order they were sent, so it comes before the aborts it
    /// caused), and the first failure that is not an abort is it.
    async fn cause(&mut self) -> Option<InspectError> {
        // A stream that arrived, or arrives now, is never read: it goes, or
        // its connection would wait for it to be read before handing over
        // the answers behind it, and this waits for all of them.
        self.drop_streams();
        while !self.running.is_empty() {
            self.next().await;
            self.drop_streams();
        }
        let steps: Vec<&'static str> = QUERIES
            .iter()
            .map(|(step, _)| *step)
            .filter(|step| {
                self.arrived.get(step).is_some_and(|parts| {
                    parts
                        .iter()
                        .any(|(_, r)| matches!(r, Err(Failed { aborted: false, .. })))
                })
            })
            .collect();
        let parts = self.arrived.remove(steps.first()?)?;
        parts.into_iter().find_map(|(_, r)| match r {
            Err(Failed {
                error,
                aborted: false,
            }) => Some(error),
            _ => None,
        })
    }

    /// Drops every stream that arrived and was not taken.
    fn drop_streams(&mut self) {
        for parts in self.arrived.values_mut() {
            parts.retain(|(_, r)| !matches!(r, Ok(Fetched::Stream(_))));
        }
    }

    /// The rows of `step`, every part's joined.
    async fn rows(&mut self, step: &'static str) -> Result<Vec<Row>, InspectError> {
        let mut rows = Vec::new();
        for fetched in self.take(step).await? {
            match fetched {
                Fetched::Rows(part) if rows.is_empty() => rows = part,
                Fetched::Rows(part) => rows.extend(part),
                Fetched::Stream(_) => {
                    return Err(InspectError::Catalog {
                        step,
                        reason: "a streamed query was read as rows".to_string(),
                    })
                }
            }
        }
        Ok(rows)
    }

    /// The streams of [`STREAMED`], one per part.
    async fn streams(&mut self) -> Result<Vec<RowStream>, InspectError> {
        self.take(STREAMED)
            .await?
            .into_iter()
            .map(|fetched| match fetched {
                Fetched::Stream(stream) => Ok(stream),
                Fetched::Rows(_) => Err(InspectError::Catalog {
                    step: STREAMED,
                    reason: "the streamed query came as rows".to_string(),
                }),
            })
            .collect()
    }
}

/// Confirms the queries ran in the transaction `inspect` opened, and that
/// `search_path = public` took effect (it silently does not when the role
/// lacks USAGE on `public`, and every public name would come out qualified).
fn check_session(namespaces: &[Row]) -> Result<(), (InspectError, Transaction)> {
    const STEP: &str = "namespaces";
    let Some(row) = namespaces.first() else {
        let e = InspectError::Catalog {
            step: STEP,
            reason: "the session check returned no row".to_string(),
        };
        return Err((e, Transaction::Ours));
    };
    let read = |index| get::<String>(row, index, STEP).map_err(|e| (e, Transaction::Ours));
    let isolation = read(0)?;
    let read_only = read(1)?;
    let public_usable: bool = get(row, 2, STEP).map_err(|e| (e, Transaction::Ours))?;
    if isolation != "repeatable read" || read_only != "on" {
        let e = InspectError::Session {
            reason: format!(
                "the connection was already inside a transaction ({isolation}, read only: \
                 {read_only})"
            ),
            help: NOT_IN_TRANSACTION,
        };
        return Err((e, Transaction::Foreign));
    }
    if !public_usable {
        let e = InspectError::Session {
            reason: "the role lacks USAGE on schema public, so names in public cannot be \
                     printed unqualified"
                .to_string(),
            help: "GRANT USAGE ON SCHEMA public to the inspecting role (PostgreSQL grants it \
                   to PUBLIC by default)",
        };
        return Err((e, Transaction::Ours));
    }
    Ok(())
}

const NOT_IN_TRANSACTION: &str =
    "pass a client that is not inside a transaction: inspect opens its own";

/// Whose transaction the queries ran in.
enum Transaction {
    Ours,
    /// The caller's: `BEGIN` only warned.
    Foreign,
}

fn get<'a, T: FromSql<'a>>(
    row: &'a Row,
    index: usize,
    step: &'static str,
) -> Result<T, InspectError> {
    row.try_get(index).map_err(|e| InspectError::Catalog {
        step,
        reason: describe(&e),
    })
}

/// Comment keys: (catalog, object id, sub-id). Catalogs: `n` namespace,
/// `c` relation (tables, columns, indexes, sequences), `k` constraint,
/// `t` type.
type Comments = HashMap<(char, u32, i32), String>;

fn take_comment(comments: &mut Comments, catalog: char, oid: u32, sub: i32) -> Option<String> {
    comments.remove(&(catalog, oid, sub))
}

fn normalized(
    f: fn(&str) -> Result<String, String>,
    text: &str,
    object: impl FnOnce() -> String,
    what: &'static str,
) -> Result<String, InspectError> {
    f(text).map_err(|reason| InspectError::Normalize {
        object: object(),
        what,
        text: text.to_string(),
        reason,
    })
}

/// `ns.name` with both parts quoted as needed; `pg_catalog` and `public`
/// left out (collations, operator classes).
fn qualified_unless_builtin(namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) if ns != "pg_catalog" && ns != "public" => {
            format!("{}.{}", quote_ident(ns), quote_ident(name))
        }
        _ => quote_ident(name),
    }
}

/// The table `oid` names, and its qualified name for messages (printed
/// only if a message is made: this runs for every column read).
fn table_mut<'s, 'n>(
    schema: &'s mut Schema,
    names: &'n HashMap<u32, (String, String)>,
    oid: u32,
) -> Option<(&'s mut Table, QualifiedName<'n>)> {
    let (ns, name) = names.get(&oid)?;
    let table = schema.namespaces.get_mut(ns)?.tables.get_mut(name)?;
    Some((table, QualifiedName(ns, name)))
}

/// `namespace.name`, each part quoted as the server would, when printed.
struct QualifiedName<'n>(&'n str, &'n str);

impl std::fmt::Display for QualifiedName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", quote_ident(self.0), quote_ident(self.1))
    }
}

/// The model from the queries' rows, each taken from `inflight` when it is
/// needed (the columns' as they arrive); then the expressions the client
/// did not print, from the server on `clients` ([`Q_DEPARSE`], still in
/// the snapshot). Each query's rows are dropped as soon as they are in the
/// model.
async fn build(
    namespaces: Vec<Row>,
    inflight: &mut InFlight<'_>,
    clients: &[&Client],
) -> Result<Schema, InspectError> {
    let mut schema = Schema::default();
    let enums = inflight.rows("types").await?;
    let sequences = inflight.rows("sequences").await?;
    let mut deparse = ClientDeparse::new(&namespaces, &sequences, &enums)?;
    let comment_rows = inflight.rows("comments").await?;
    let mut comments = read_comments(&comment_rows)?;
    drop(comment_rows);
    build_namespaces(&namespaces, &mut schema, &mut comments)?;
    drop(namespaces);
    build_extensions(&inflight.rows("extensions").await?, &mut schema)?;

    // Objects whose comments strata cannot hold (the index of a constraint,
    // an identity sequence): refused if commented.
    let mut hidden_comments: Vec<(u32, String)> = Vec::new();

    // Tables, by oid: (namespace, name).
    let table_names = build_tables(&inflight.rows("tables").await?, &mut schema, &mut comments)?;
    let columns = inflight.streams().await?;
    let attnames = build_columns_streamed(
        columns,
        inflight,
        &mut schema,
        &table_names,
        &mut comments,
        &mut hidden_comments,
        &mut deparse,
    )
    .await?;
    deparse.finish_columns(&mut schema, &table_names, &attnames)?;
    // Columns are pushed one by one: without this, growth leaves up to
    // half of every table's capacity unused, and a column is a few hundred
    // bytes (25 MB at 10,000 tables).
    for namespace in schema.namespaces.values_mut() {
        for table in namespace.tables.values_mut() {
            table.columns.shrink_to_fit();
        }
    }
    build_constraints(
        &inflight.rows("constraints").await?,
        &mut schema,
        &table_names,
        &attnames,
        &mut comments,
        &mut hidden_comments,
        &mut deparse,
    )?;

    let view_names = build_views(&inflight.rows("views").await?, &mut schema, &mut comments)?;
    let mut relation_names = table_names.clone();
    relation_names.extend(view_names);
    build_indexes(
        &inflight.rows("indexes").await?,
        &mut schema,
        &relation_names,
        &mut comments,
        &attnames,
        &mut deparse,
    )?;

    build_types(&enums, &mut schema, &mut comments)?;
    drop(enums);
    build_collations(&inflight.rows("collations").await?, &mut schema)?;
    build_sequences(&sequences, &mut schema, &mut comments)?;
    drop(sequences);
    build_unmanaged(&inflight.rows("unmanaged objects").await?, &mut schema)?;

    build_routines(&inflight.rows("routines").await?, &mut schema)?;
    build_operators(&inflight.rows("operators").await?, &mut schema)?;
    build_aggregates(&inflight.rows("aggregates").await?, &mut schema)?;
    build_policies(&inflight.rows("policies").await?, &mut schema)?;
    build_default_acls(&inflight.rows("default privileges").await?, &mut schema)?;
    build_triggers(
        &inflight.rows("triggers").await?,
        &mut schema,
        &relation_names,
    )?;
    build_statistics(&inflight.rows("statistics").await?, &mut schema)?;
    build_event_triggers(&inflight.rows("event triggers").await?, &mut schema)?;
    build_foreign(&inflight.rows("foreign servers").await?, &mut schema)?;

    for (oid, object) in hidden_comments {
        if comments.contains_key(&('c', oid, 0)) {
            return Err(unsupported(
                &object,
                "a comment".to_string(),
                "strata does not model comments on the index of a constraint or on an identity \
                 sequence yet: COMMENT ON the constraint or column instead",
            ));
        }
    }

    deparse
        .resolve(
            clients,
            &mut schema,
            &table_names,
            &relation_names,
            &attnames,
        )
        .await?;
    Ok(schema)
}

/// The columns' rows, from every connection's stream as they arrive, built
/// a few hundred at a time (rows of one table come from one connection, in
/// order). The queries after the columns are read meanwhile.
async fn build_columns_streamed(
    streams: Vec<RowStream>,
    inflight: &mut InFlight<'_>,
    schema: &mut Schema,
    table_names: &HashMap<u32, (String, String)>,
    comments: &mut Comments,
    hidden: &mut Vec<(u32, String)>,
    deparse: &mut ClientDeparse,
) -> Result<AttNames, InspectError> {
    const CHUNK: usize = 512;
    let mut merged = futures_util::stream::select_all(streams.into_iter().map(Box::pin));
    let mut attnames = AttNames::new();
    let mut chunk: Vec<Row> = Vec::with_capacity(CHUNK);
    loop {
        // The next row, reading the other queries' answers while it comes.
        let next = loop {
            if inflight.running.is_empty() {
                break merged.next().await;
            }
            tokio::select! {
                biased;
                next = merged.next() => break next,
                () = inflight.next() => {}
            }
        };
        let done = next.is_none();
        if let Some(row) = next {
            chunk.push(row.map_err(|e| InspectError::Query {
                step: STREAMED,
                reason: describe(&e),
            })?);
        }
        if chunk.len() == CHUNK || (done && !chunk.is_empty()) {
            build_columns(
                &chunk,
                schema,
                table_names,
                comments,
                hidden,
                &mut attnames,
                deparse,
            )?;
            chunk.clear();
        }
        if done {
            return Ok(attnames);
        }
    }
}

/// `attislocal`/`attinhcount` or `conislocal`/`coninhcount` as the model
/// keeps them: `None` for a local definition with no parent.
fn inherited(local: bool, count: i32) -> Option<Inherited> {
    (count > 0).then_some(Inherited {
        count: count.unsigned_abs(),
        local,
    })
}

const CLUSTER_HELP: &str = "strata does not model the clustered index yet: \
     ALTER TABLE … SET WITHOUT CLUSTER, or inspect other namespaces only";

fn unsupported(object: &str, what: String, help: &str) -> InspectError {
    InspectError::Unsupported {
        object: object.to_string(),
        what,
        help: help.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expression_collations_come_from_the_top_node() {
        let text = "({FUNCEXPR :funcid 870 :funcresulttype 25 :funcretset false \
                    :funcvariadic false :funcformat 0 :funccollid 950 :inputcollid 950 \
                    :args ({VAR :varno 1 :varattno 3 :vartype 25 :vartypmod -1 \
                    :varcollid 100 :varlevelsup 0 :varnosyn 1 :varattnosyn 3 :location 51}) \
                    :location 45} {OPEXPR :opno 96 :opfuncid 65 :opresulttype 16 \
                    :opretset false :opcollid 0 :inputcollid 0 :args <> :location 3} \
                    {NULLTEST :arg {VAR :varcollid 7} :nulltesttype 0} \
                    {CONST :consttype 25 :consttypmod -1 :constcollid 100 :constlen -1 \
                    :constbyval false :constisnull false :location 3 :constvalue 7 \
                    [ 28 0 0 0 97 \\{ \\) ]})";
        assert_eq!(node_list_collations(text), vec![950, 0, 0, 100]);
    }

    #[test]
    fn node_scanner_survives_garbage() {
        for text in [
            "",
            "(",
            "}}}",
            "({",
            "({X :collOid",
            "\\",
            "({X :varcollid x})",
        ] {
            let _ = node_list_collations(text);
        }
        assert_eq!(node_list_collations("({X :varcollid x})"), vec![0]);
    }

    #[test]
    fn exclusion_definition_drops_flags() {
        assert_eq!(
            exclusion_definition(
                "EXCLUDE USING gist (c WITH &&) DEFERRABLE INITIALLY DEFERRED",
                true,
                true,
                true
            ),
            "USING gist (c WITH &&)"
        );
        assert_eq!(exclusion_definition("odd", false, false, true), "odd");
    }

    #[test]
    fn begin_is_the_snapshot_then_the_search_path() {
        assert_eq!(BEGIN, format!("{BEGIN_SNAPSHOT}; {SET_SEARCH_PATH}"));
    }

    #[test]
    fn qualification_skips_builtin_namespaces() {
        assert_eq!(qualified_unless_builtin(Some("pg_catalog"), "C"), "\"C\"");
        assert_eq!(qualified_unless_builtin(Some("public"), "x"), "x");
        assert_eq!(qualified_unless_builtin(Some("Ext"), "x"), "\"Ext\".x");
        assert_eq!(qualified_unless_builtin(None, "x"), "x");
    }
}
