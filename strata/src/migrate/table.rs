//! Each migration tool's own history table, as the runner creates, reads and
//! writes it — the table the tool itself keeps, with the rows the tool
//! itself writes, so strata and the tool can take turns on one database.
//!
//! | format | table | a row |
//! |---|---|---|
//! | refinery | `refinery_schema_history` | version INT4, name, applied_on (RFC 3339 text), checksum (SipHash-1-3, decimal text) |
//! | sqlx | `_sqlx_migrations` | version BIGINT, description (name, `_` as spaces), installed_on, success, checksum (SHA-384 BYTEA), execution_time (ns; -1 until the commit, as sqlx) |
//! | drizzle-kit | `drizzle.__drizzle_migrations` | id SERIAL, hash (SHA-256 hex of the file), created_at (the journal's `when`) |
//! | Prisma | `_prisma_migrations` | id (UUID), checksum (SHA-256 hex), migration_name (the folder), started_at, finished_at, applied_steps_count, logs |
//! | Diesel | `__diesel_schema_migrations` | version (the folder's leading part, dashes dropped), run_on (server default) |
//! | golang-migrate | `schema_migrations` | one row: version BIGINT, dirty BOOL |
//! | dbmate | `schema_migrations` | version VARCHAR(128) |

use std::time::Duration;

use strata_core::source::{HistoryFormat, Migration};
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

use crate::conn::describe;
use crate::history::{
    applied_by, quote_ident, refinery_checksum, sha256_hex, sha384, Checksum, EntryState,
    HistoryError, HistoryTool, REFINERY_TABLE,
};

/// golang-migrate's and dbmate's table name (both tools' default).
pub(crate) const SCHEMA_MIGRATIONS: &str = "schema_migrations";

/// The table a format's tool keeps, as reports name it.
pub(crate) fn table_name(format: HistoryFormat) -> &'static str {
    match format {
        HistoryFormat::Refinery => REFINERY_TABLE,
        HistoryFormat::Sqlx => "_sqlx_migrations",
        HistoryFormat::Drizzle => "drizzle.__drizzle_migrations",
        HistoryFormat::Prisma => "_prisma_migrations",
        HistoryFormat::Diesel => "__diesel_schema_migrations",
        HistoryFormat::GolangMigrate | HistoryFormat::Dbmate => SCHEMA_MIGRATIONS,
    }
}

/// The step that creates the table, as errors name it.
pub(crate) fn create_step(format: HistoryFormat) -> &'static str {
    match format {
        HistoryFormat::Refinery => "create refinery_schema_history",
        HistoryFormat::Sqlx => "create _sqlx_migrations",
        HistoryFormat::Drizzle => "create drizzle.__drizzle_migrations",
        HistoryFormat::Prisma => "create _prisma_migrations",
        HistoryFormat::Diesel => "create __diesel_schema_migrations",
        HistoryFormat::GolangMigrate | HistoryFormat::Dbmate => "create schema_migrations",
    }
}

/// The table as SQL names it (quoted).
fn quoted(format: HistoryFormat) -> String {
    match format {
        HistoryFormat::Drizzle => format!(
            "{}.{}",
            quote_ident("drizzle"),
            quote_ident("__drizzle_migrations")
        ),
        f => quote_ident(table_name(f)),
    }
}

/// The tool's DDL for its table (as the tool writes it, identifiers quoted).
pub(crate) fn create_sql(format: HistoryFormat) -> String {
    let t = quoted(format);
    match format {
        HistoryFormat::Refinery => format!(
            "CREATE TABLE IF NOT EXISTS {t}(\
             \"version\" INT4 PRIMARY KEY, \
             \"name\" VARCHAR(255), \
             \"applied_on\" VARCHAR(255), \
             \"checksum\" VARCHAR(255))"
        ),
        HistoryFormat::Sqlx => format!(
            "CREATE TABLE IF NOT EXISTS {t} (\
             \"version\" BIGINT PRIMARY KEY, \
             \"description\" TEXT NOT NULL, \
             \"installed_on\" TIMESTAMPTZ NOT NULL DEFAULT now(), \
             \"success\" BOOLEAN NOT NULL, \
             \"checksum\" BYTEA NOT NULL, \
             \"execution_time\" BIGINT NOT NULL)"
        ),
        HistoryFormat::Drizzle => format!(
            "CREATE SCHEMA IF NOT EXISTS {}; \
             CREATE TABLE IF NOT EXISTS {t} (\
             \"id\" SERIAL PRIMARY KEY, \
             \"hash\" text NOT NULL, \
             \"created_at\" bigint)",
            quote_ident("drizzle")
        ),
        HistoryFormat::Prisma => format!(
            "CREATE TABLE IF NOT EXISTS {t} (\
             \"id\" VARCHAR(36) PRIMARY KEY NOT NULL, \
             \"checksum\" VARCHAR(64) NOT NULL, \
             \"finished_at\" TIMESTAMPTZ, \
             \"migration_name\" VARCHAR(255) NOT NULL, \
             \"logs\" TEXT, \
             \"rolled_back_at\" TIMESTAMPTZ, \
             \"started_at\" TIMESTAMPTZ NOT NULL DEFAULT now(), \
             \"applied_steps_count\" INTEGER NOT NULL DEFAULT 0)"
        ),
        HistoryFormat::Diesel => format!(
            "CREATE TABLE IF NOT EXISTS {t} (\
             \"version\" VARCHAR(50) PRIMARY KEY NOT NULL, \
             \"run_on\" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)"
        ),
        HistoryFormat::GolangMigrate => format!(
            "CREATE TABLE IF NOT EXISTS {t} (\
             \"version\" bigint NOT NULL PRIMARY KEY, \
             \"dirty\" boolean NOT NULL)"
        ),
        HistoryFormat::Dbmate => {
            format!("CREATE TABLE IF NOT EXISTS {t} (\"version\" varchar(128) PRIMARY KEY)")
        }
    }
}

/// The identity by which a tool matches a file with its row: refinery,
/// sqlx and golang-migrate the version number; Diesel the version with
/// dashes dropped; dbmate the version text; Prisma the folder name;
/// drizzle-kit the journal's `when`.
pub(crate) fn file_key(format: HistoryFormat, m: &Migration) -> Option<String> {
    match format {
        HistoryFormat::Refinery | HistoryFormat::Sqlx | HistoryFormat::GolangMigrate => {
            m.version.parse::<i64>().ok().map(|v| v.to_string())
        }
        HistoryFormat::Diesel => Some(m.version.replace('-', "")),
        HistoryFormat::Dbmate => Some(m.version.clone()),
        HistoryFormat::Prisma => Some(prisma_folder(m)),
        HistoryFormat::Drizzle => m.journal_when.map(|w| w.to_string()),
    }
}

fn prisma_folder(m: &Migration) -> String {
    if m.name.is_empty() {
        m.version.clone()
    } else {
        format!("{}_{}", m.version, m.name)
    }
}

/// What the tool stores as the file's checksum (`None`: the tool keeps
/// none, so an edit cannot be told).
pub(crate) fn file_checksum(
    format: HistoryFormat,
    m: &Migration,
    version: i64,
) -> Option<Checksum> {
    let text: &str = &m.file.text;
    match format {
        HistoryFormat::Refinery => i32::try_from(version)
            .ok()
            .map(|v| Checksum::Refinery(refinery_checksum(&m.name, v, text).to_string())),
        HistoryFormat::Sqlx => Some(Checksum::Sha384(sha384(text))),
        HistoryFormat::Drizzle | HistoryFormat::Prisma => Some(Checksum::Sha256(sha256_hex(text))),
        HistoryFormat::Diesel | HistoryFormat::GolangMigrate | HistoryFormat::Dbmate => None,
    }
}

/// One row of a tool's table, for comparison with the files.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// As [`file_key`] computes it for the file the row records.
    pub key: String,
    /// For ordering and messages (drizzle-kit: `created_at`).
    pub version: i64,
    pub name: String,
    pub checksum: Option<Checksum>,
    pub applied_on: Option<String>,
    pub state: EntryState,
}

/// A tool's table, read.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    /// As the server names it.
    pub shown: String,
    pub rows: Vec<Row>,
}

/// The format's table, or `None` when it does not exist.
pub(crate) async fn read(
    client: &Client,
    format: HistoryFormat,
) -> Result<Option<Table>, HistoryError> {
    let Some(tool) = HistoryTool::for_format(format) else {
        return read_schema_migrations(client, format).await;
    };
    let Some(h) = applied_by(client, tool).await? else {
        return Ok(None);
    };
    let mut rows = Vec::with_capacity(h.entries.len());
    for e in h.entries {
        // Prisma treats a row marked rolled back as not applied (and
        // writes a new row when it applies the migration again).
        if e.state == EntryState::RolledBack {
            continue;
        }
        let (key, version) = match format {
            HistoryFormat::Prisma => {
                let folder = if e.name.is_empty() {
                    e.version.clone()
                } else {
                    format!("{}_{}", e.version, e.name)
                };
                (folder, e.version.parse::<i64>().unwrap_or(-1))
            }
            HistoryFormat::Diesel => {
                let v = e.version.replace('-', "");
                let n = v.parse::<i64>().unwrap_or(-1);
                (v, n)
            }
            _ => (e.version.clone(), e.version.parse::<i64>().unwrap_or(-1)),
        };
        rows.push(Row {
            key,
            version,
            name: e.name,
            checksum: e.checksum,
            applied_on: e.applied_on,
            state: e.state,
        });
    }
    Ok(Some(Table {
        shown: h.table,
        rows,
    }))
}

/// golang-migrate's or dbmate's `schema_migrations` (the same name, other
/// columns: a table of the other tool is refused by its shape).
async fn read_schema_migrations(
    client: &Client,
    format: HistoryFormat,
) -> Result<Option<Table>, HistoryError> {
    let q = quote_ident(SCHEMA_MIGRATIONS);
    let query_err = |e: tokio_postgres::Error| HistoryError::Query {
        table: SCHEMA_MIGRATIONS.to_string(),
        reason: describe(&e),
    };
    let row = client
        .query_one(
            "SELECT r::text, has_table_privilege(r, 'SELECT'), \
                    (SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_catalog.pg_attribute a \
                     WHERE a.attrelid = r AND a.attnum > 0 AND NOT a.attisdropped) \
             FROM to_regclass($1) AS r",
            &[&q],
        )
        .await
        .map_err(query_err)?;
    let shown: Option<String> = row.try_get(0).map_err(query_err)?;
    let Some(shown) = shown else {
        return Ok(None);
    };
    let readable: Option<bool> = row.try_get(1).map_err(query_err)?;
    if readable != Some(true) {
        return Err(HistoryError::NotReadable { table: shown });
    }
    let columns: Option<Vec<String>> = row.try_get(2).map_err(query_err)?;
    let columns = columns.unwrap_or_default();
    let has = |c: &str| columns.iter().any(|x| x == c);
    let tool = format.label();
    let shape = |reason: String| HistoryError::Shape {
        table: shown.clone(),
        tool,
        reason,
    };
    let golang = has("version") && has("dirty");
    match format {
        HistoryFormat::GolangMigrate if !golang => {
            return Err(shape(format!(
                "golang-migrate's table has the columns version and dirty; this one has {}",
                columns.join(", ")
            )))
        }
        HistoryFormat::Dbmate if golang || !has("version") => {
            return Err(shape(format!(
                "dbmate's table has the one column version; this one has {}{}",
                columns.join(", "),
                if golang {
                    " (golang-migrate's table)"
                } else {
                    ""
                }
            )))
        }
        _ => {}
    }
    let map = |e: tokio_postgres::Error| {
        let bad = matches!(
            e.code(),
            Some(c) if *c == SqlState::CANNOT_COERCE
                || *c == SqlState::INVALID_TEXT_REPRESENTATION
                || *c == SqlState::DATATYPE_MISMATCH
        );
        if bad {
            shape(describe(&e))
        } else {
            HistoryError::Query {
                table: shown.clone(),
                reason: describe(&e),
            }
        }
    };
    let mut rows = Vec::new();
    if format == HistoryFormat::GolangMigrate {
        let found = client
            .query(
                &format!("SELECT \"version\"::int8, \"dirty\"::bool FROM {q}"),
                &[],
            )
            .await
            .map_err(map)?;
        if found.len() > 1 {
            return Err(shape(format!(
                "golang-migrate keeps one row (the current version); this table has {}",
                found.len()
            )));
        }
        for r in found {
            let version: i64 = r.try_get(0).map_err(map)?;
            let dirty: bool = r.try_get(1).map_err(map)?;
            rows.push(Row {
                key: version.to_string(),
                version,
                name: String::new(),
                checksum: None,
                applied_on: None,
                state: if dirty {
                    EntryState::Failed
                } else {
                    EntryState::Applied
                },
            });
        }
    } else {
        let found = client
            .query(
                &format!("SELECT \"version\"::text FROM {q} ORDER BY \"version\""),
                &[],
            )
            .await
            .map_err(map)?;
        for r in found {
            let version: Option<String> = r.try_get(0).map_err(map)?;
            let version = version.unwrap_or_default();
            rows.push(Row {
                version: version.parse().unwrap_or(-1),
                key: version,
                name: String::new(),
                checksum: None,
                applied_on: None,
                state: EntryState::Applied,
            });
        }
    }
    Ok(Some(Table { shown, rows }))
}

/// What a row is written from.
pub(crate) struct Entry<'a> {
    pub version: i64,
    /// The file's name part (`create_users`).
    pub name: &'a str,
    pub key: &'a str,
    pub checksum: Option<&'a Checksum>,
    /// refinery's `applied_on`.
    pub applied_on: &'a str,
}

/// golang-migrate's SetVersion: the one row replaced.
fn golang_set_version(version: i64, dirty: bool) -> String {
    let t = quoted(HistoryFormat::GolangMigrate);
    format!("TRUNCATE {t}; INSERT INTO {t} (\"version\", \"dirty\") VALUES ({version}, {dirty})")
}

/// Before a migration that runs without a transaction, what the tool
/// writes before running it, committed on its own: golang-migrate marks the
/// version dirty; Prisma inserts the row, started but not finished (its id
/// returned). A failure then leaves what the tool would leave.
pub(crate) async fn before(
    client: &Client,
    format: HistoryFormat,
    e: &Entry<'_>,
) -> Result<Option<String>, tokio_postgres::Error> {
    match format {
        HistoryFormat::GolangMigrate => {
            client
                .batch_execute(&format!(
                    "BEGIN; {}; COMMIT",
                    golang_set_version(e.version, true)
                ))
                .await?;
            Ok(None)
        }
        HistoryFormat::Prisma => {
            let row = client
                .query_one(
                    &format!(
                        "INSERT INTO {} (\"id\", \"checksum\", \"migration_name\", \"started_at\", \"applied_steps_count\") \
                         VALUES (gen_random_uuid()::text, $1::text, $2::text, now(), 0) RETURNING \"id\"::text",
                        quoted(format)
                    ),
                    &[&checksum_text(e), &e.key],
                )
                .await?;
            Ok(Some(row.try_get(0)?))
        }
        _ => Ok(None),
    }
}

fn checksum_text(e: &Entry<'_>) -> String {
    e.checksum.map(Checksum::to_text).unwrap_or_default()
}

/// Records a migration as the tool does once its statements ran: inside
/// the migration's transaction (`in_transaction`), or without one, last
/// (`started` holding what [`before`] wrote). `baseline`: recorded without
/// running, as the tool's own "mark applied" writes it.
pub(crate) async fn record(
    client: &Client,
    format: HistoryFormat,
    e: &Entry<'_>,
    started: Option<&str>,
    in_transaction: bool,
    baseline: bool,
) -> Result<(), tokio_postgres::Error> {
    let t = quoted(format);
    match format {
        HistoryFormat::Refinery => {
            let version = i32::try_from(e.version).unwrap_or_default();
            client
                .execute(
                    &format!(
                        "INSERT INTO {t} (\"version\", \"name\", \"applied_on\", \"checksum\") \
                         VALUES ($1::int4, $2::text, $3::text, $4::text)"
                    ),
                    &[&version, &e.name, &e.applied_on, &checksum_text(e)],
                )
                .await?;
        }
        HistoryFormat::Sqlx => {
            let bytes = match e.checksum {
                Some(Checksum::Sha384(b)) => b.clone(),
                _ => Vec::new(),
            };
            // sqlx writes -1 and sets the time after the commit.
            let time: i64 = if baseline { 0 } else { -1 };
            client
                .execute(
                    &format!(
                        "INSERT INTO {t} (\"version\", \"description\", \"success\", \"checksum\", \"execution_time\") \
                         VALUES ($1::int8, $2::text, TRUE, $3::bytea, $4::int8)"
                    ),
                    &[&e.version, &e.name.replace('_', " "), &bytes, &time],
                )
                .await?;
        }
        HistoryFormat::Drizzle => {
            let when = e.key.parse::<i64>().unwrap_or_default();
            client
                .execute(
                    &format!(
                        "INSERT INTO {t} (\"hash\", \"created_at\") VALUES ($1::text, $2::int8)"
                    ),
                    &[&checksum_text(e), &when],
                )
                .await?;
        }
        HistoryFormat::Prisma => match started {
            Some(id) => {
                client
                    .execute(
                        &format!(
                            "UPDATE {t} SET \"applied_steps_count\" = \"applied_steps_count\" + 1, \
                             \"finished_at\" = now() WHERE \"id\" = $1::text"
                        ),
                        &[&id],
                    )
                    .await?;
            }
            None => {
                // In the migration's transaction: started when it began
                // (now()), finished now (clock_timestamp()). `migrate
                // resolve --applied` writes 0 steps.
                let steps: i32 = if baseline { 0 } else { 1 };
                client
                    .execute(
                        &format!(
                            "INSERT INTO {t} (\"id\", \"checksum\", \"finished_at\", \"migration_name\", \"started_at\", \"applied_steps_count\") \
                             VALUES (gen_random_uuid()::text, $1::text, clock_timestamp(), $2::text, now(), $3::int4)"
                        ),
                        &[&checksum_text(e), &e.key, &steps],
                    )
                    .await?;
            }
        },
        HistoryFormat::Diesel | HistoryFormat::Dbmate => {
            client
                .execute(
                    &format!("INSERT INTO {t} (\"version\") VALUES ($1::text)"),
                    &[&e.key],
                )
                .await?;
        }
        HistoryFormat::GolangMigrate => {
            let set = golang_set_version(e.version, false);
            if in_transaction {
                client.batch_execute(&set).await?;
            } else {
                client
                    .batch_execute(&format!("BEGIN; {set}; COMMIT"))
                    .await?;
            }
        }
    }
    Ok(())
}

/// After the migration's COMMIT: sqlx sets `execution_time` (nanoseconds).
pub(crate) async fn after(
    client: &Client,
    format: HistoryFormat,
    e: &Entry<'_>,
    elapsed: Duration,
) -> Result<(), tokio_postgres::Error> {
    if format == HistoryFormat::Sqlx {
        let nanos = i64::try_from(elapsed.as_nanos()).unwrap_or(i64::MAX);
        client
            .execute(
                &format!(
                    "UPDATE {} SET \"execution_time\" = $1::int8 WHERE \"version\" = $2::int8",
                    quoted(format)
                ),
                &[&nanos, &e.version],
            )
            .await?;
    }
    Ok(())
}

/// A migration without a transaction failed: Prisma keeps the error in the
/// row's `logs` (the row stays unfinished: a failed migration to Prisma).
pub(crate) async fn failed(
    client: &Client,
    format: HistoryFormat,
    started: Option<&str>,
    log: &str,
) {
    if let (HistoryFormat::Prisma, Some(id)) = (format, started) {
        let _ = client
            .execute(
                &format!(
                    "UPDATE {} SET \"logs\" = $2::text WHERE \"id\" = $1::text",
                    quoted(format)
                ),
                &[&id, &log],
            )
            .await;
    }
}

/// What to do about a row the tool marks failed (refused before anything
/// runs, as the tool refuses).
pub(crate) fn failed_help(format: HistoryFormat, table: &str, row: &Row) -> String {
    match format {
        HistoryFormat::Sqlx => format!(
            "sqlx recorded version {v} as not successful (success = false): it may be partly applied. Make the database what it was before it (or finish it by hand), then delete the row (DELETE FROM {table} WHERE version = {v}) — sqlx itself refuses to go on until then",
            v = row.version
        ),
        HistoryFormat::Prisma => format!(
            "Prisma recorded {k} as started but never finished (finished_at is NULL): it failed, and `prisma migrate deploy` refuses to go on too (P3009). Undo what it did and run `prisma migrate resolve --rolled-back {k}` (strata then applies it again), or finish it by hand and run `prisma migrate resolve --applied {k}`",
            k = row.key
        ),
        HistoryFormat::GolangMigrate => format!(
            "golang-migrate marked version {v} dirty: it failed part way. Fix the database by hand, then `migrate force {v}` (it applied) or force the version before it (it did not) — in SQL: UPDATE {table} SET dirty = false, with the version set accordingly",
            v = row.version
        ),
        _ => format!("the row of {} is marked failed in {table}", row.key),
    }
}
