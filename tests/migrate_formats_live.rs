//! `strata migrate` on a folder of each tool it reads (sqlx, drizzle-kit,
//! Prisma, Diesel, golang-migrate, dbmate; refinery is `migrate_live.rs`),
//! against a real server:
//!
//! - the catalog it builds is what psql builds from the same files (the up
//!   parts only), plus the tool's history table as the tool's own DDL
//!   (written here from the tool's source) creates it — `pg_dump -s` equal;
//! - the tool's table holds exactly the rows the tool writes, read back
//!   column by column, checksums computed by the server (`sha256`,
//!   `sha384`), not by strata;
//! - a second run applies nothing; an edited applied file is refused (tools
//!   that keep a checksum) or noted as undetectable (those that keep none);
//!   a new file is applied; `strata drift` against the folder is clean;
//! - a database whose table was written by hand as the tool writes it,
//!   mid-history, is continued; a failed state the tool marks (sqlx
//!   `success = false`, a Prisma row never finished, golang-migrate
//!   `dirty`) is refused naming the row, and continued once resolved;
//! - `--baseline` records rows as the tool would.
//!
//! One database per format (plus the oracle and the hand-written one).

use crate::support;

use std::path::Path;

use strata::migrate::{self, MigrateError, MigrateOptions, Problem};
use strata_core::source::{load_history, HistoryFormat};
use support::judge::{build_db, same_dump};
use support::{run_strata, TestDb};
use tokio_postgres::Client;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tool {
    Sqlx,
    Drizzle,
    Prisma,
    Diesel,
    Golang,
    Dbmate,
}

/// The three migrations of every history: (name, up SQL, down SQL).
const UPS: [(&str, &str, &str); 3] = [
    (
        "create_user",
        "CREATE TABLE \"user\" (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE);\n",
        "DROP TABLE \"user\" CASCADE;\n",
    ),
    (
        "create_post",
        "CREATE TABLE post (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id bigint NOT NULL REFERENCES \"user\" (id) ON DELETE CASCADE, title text NOT NULL);\n\
         --> statement-breakpoint\n\
         CREATE INDEX post_user_id_idx ON post (user_id);\n",
        "DROP TABLE post;\n",
    ),
    (
        "add_name",
        "ALTER TABLE \"user\" ADD COLUMN name text;\n",
        "ALTER TABLE \"user\" DROP COLUMN name;\n",
    ),
];

const DRIZZLE_WHEN: i64 = 1_700_000_000_000;

impl Tool {
    fn format(self) -> HistoryFormat {
        match self {
            Tool::Sqlx => HistoryFormat::Sqlx,
            Tool::Drizzle => HistoryFormat::Drizzle,
            Tool::Prisma => HistoryFormat::Prisma,
            Tool::Diesel => HistoryFormat::Diesel,
            Tool::Golang => HistoryFormat::GolangMigrate,
            Tool::Dbmate => HistoryFormat::Dbmate,
        }
    }

    /// The tool's DDL for its table, as its source writes it.
    fn table_ddl(self) -> &'static str {
        match self {
            Tool::Sqlx => "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL, checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL);",
            Tool::Drizzle => "CREATE SCHEMA IF NOT EXISTS drizzle; CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);",
            Tool::Prisma => "CREATE TABLE _prisma_migrations (id VARCHAR(36) PRIMARY KEY NOT NULL, checksum VARCHAR(64) NOT NULL, finished_at TIMESTAMPTZ, migration_name VARCHAR(255) NOT NULL, logs TEXT, rolled_back_at TIMESTAMPTZ, started_at TIMESTAMPTZ NOT NULL DEFAULT now(), applied_steps_count INTEGER NOT NULL DEFAULT 0);",
            Tool::Diesel => "CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);",
            Tool::Golang => "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);",
            Tool::Dbmate => "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY);",
        }
    }

    /// The version the tool gives migration `i` (0-based) of this history.
    fn version(self, i: usize) -> String {
        let n = i + 1;
        match self {
            Tool::Sqlx | Tool::Prisma | Tool::Dbmate => format!("2024010100000{n}"),
            Tool::Diesel => format!("2024-01-01-00000{n}"),
            Tool::Golang => n.to_string(),
            Tool::Drizzle => format!("{i:04}"),
        }
    }

    /// The file strata reads for migration `i` (what the tool hashes).
    fn file_text(self, i: usize) -> String {
        let (_, up, down) = UPS[i];
        let up = if self == Tool::Drizzle {
            up.to_string()
        } else {
            up.replace("--> statement-breakpoint\n", "")
        };
        match self {
            Tool::Dbmate => format!("-- migrate:up\n{up}\n-- migrate:down\n{down}"),
            _ => up,
        }
    }

    /// Writes migration `i` in the tool's layout (down files included: they
    /// must never run).
    fn write(self, dir: &Path, i: usize) {
        let (name, _, down) = UPS[i];
        let v = self.version(i);
        let text = self.file_text(i);
        let put = |p: &Path, t: &str| {
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).unwrap();
            }
            std::fs::write(p, t).unwrap();
        };
        match self {
            Tool::Sqlx | Tool::Dbmate => put(&dir.join(format!("{v}_{name}.sql")), &text),
            Tool::Golang => {
                put(&dir.join(format!("{v}_{name}.up.sql")), &text);
                put(&dir.join(format!("{v}_{name}.down.sql")), down);
            }
            Tool::Prisma => put(
                &dir.join(format!("{v}_{name}")).join("migration.sql"),
                &text,
            ),
            Tool::Diesel => {
                put(&dir.join(format!("{v}_{name}")).join("up.sql"), &text);
                put(&dir.join(format!("{v}_{name}")).join("down.sql"), down);
            }
            Tool::Drizzle => {
                put(&dir.join(format!("{v}_{name}.sql")), &text);
                let entries: Vec<String> = (0..=i)
                    .map(|j| {
                        format!(
                            "{{\"idx\":{j},\"version\":\"7\",\"when\":{},\"tag\":\"{}_{}\",\"breakpoints\":true}}",
                            DRIZZLE_WHEN + j as i64,
                            self.version(j),
                            UPS[j].0
                        )
                    })
                    .collect();
                put(
                    &dir.join("meta").join("_journal.json"),
                    &format!(
                        "{{\"version\":\"7\",\"dialect\":\"postgresql\",\"entries\":[{}]}}",
                        entries.join(",")
                    ),
                );
            }
        }
    }

    fn file_path(self, dir: &Path, i: usize) -> std::path::PathBuf {
        let (name, _, _) = UPS[i];
        let v = self.version(i);
        match self {
            Tool::Sqlx | Tool::Dbmate | Tool::Drizzle => dir.join(format!("{v}_{name}.sql")),
            Tool::Golang => dir.join(format!("{v}_{name}.up.sql")),
            Tool::Prisma => dir.join(format!("{v}_{name}")).join("migration.sql"),
            Tool::Diesel => dir.join(format!("{v}_{name}")).join("up.sql"),
        }
    }
}

fn ok<T, E: std::fmt::Display>(r: Result<T, E>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{what}: {e}"),
    }
}

async fn run(
    url: &str,
    dir: &Path,
    opts: &MigrateOptions,
) -> Result<migrate::MigrateReport, MigrateError> {
    let history = ok(load_history(dir), "load history");
    migrate::migrate(url, &history, opts).await
}

/// The server's digest of a text (independent of strata's).
async fn digest(client: &Client, algorithm: &str, text: &str) -> Vec<u8> {
    let sql = format!("SELECT {algorithm}(convert_to($1::text, 'UTF8'))");
    ok(client.query_one(sql.as_str(), &[&text]).await, "digest").get(0)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The tool's table holds exactly the rows the tool writes for the first
/// `n` migrations (`by_hand`: how many of them the test wrote itself).
async fn check_rows(tool: Tool, client: &Client, n: usize, by_hand: usize) {
    match tool {
        Tool::Sqlx => {
            let rows = ok(
                client
                    .query(
                        "SELECT version, description, success, checksum, execution_time, installed_on IS NOT NULL \
                         FROM _sqlx_migrations ORDER BY version",
                        &[],
                    )
                    .await,
                "read _sqlx_migrations",
            );
            assert_eq!(rows.len(), n);
            for (i, r) in rows.iter().enumerate() {
                let version: i64 = r.get(0);
                assert_eq!(version.to_string(), tool.version(i));
                let description: String = r.get(1);
                assert_eq!(description, UPS[i].0.replace('_', " "));
                assert!(r.get::<_, bool>(2));
                let checksum: Vec<u8> = r.get(3);
                assert_eq!(checksum, digest(client, "sha384", &tool.file_text(i)).await);
                let time: i64 = r.get(4);
                if i >= by_hand {
                    assert!(time > 0, "execution_time set after the commit: {time}");
                }
                assert!(r.get::<_, bool>(5));
            }
        }
        Tool::Drizzle => {
            let rows = ok(
                client
                    .query(
                        "SELECT id, hash, created_at FROM drizzle.__drizzle_migrations ORDER BY id",
                        &[],
                    )
                    .await,
                "read drizzle.__drizzle_migrations",
            );
            assert_eq!(rows.len(), n);
            for (i, r) in rows.iter().enumerate() {
                assert_eq!(r.get::<_, i32>(0), i as i32 + 1);
                let hash: String = r.get(1);
                assert_eq!(
                    hash,
                    hex(&digest(client, "sha256", &tool.file_text(i)).await)
                );
                assert_eq!(r.get::<_, Option<i64>>(2), Some(DRIZZLE_WHEN + i as i64));
            }
        }
        Tool::Prisma => {
            let rows = ok(
                client
                    .query(
                        "SELECT id, checksum, migration_name, logs, rolled_back_at IS NULL, \
                                finished_at IS NOT NULL AND finished_at >= started_at, applied_steps_count \
                         FROM _prisma_migrations ORDER BY started_at, migration_name",
                        &[],
                    )
                    .await,
                "read _prisma_migrations",
            );
            assert_eq!(rows.len(), n);
            for (i, r) in rows.iter().enumerate() {
                let id: String = r.get(0);
                assert_eq!(id.len(), 36, "a UUID: {id}");
                let checksum: String = r.get(1);
                assert_eq!(
                    checksum,
                    hex(&digest(client, "sha256", &tool.file_text(i)).await)
                );
                let name: String = r.get(2);
                assert_eq!(name, format!("{}_{}", tool.version(i), UPS[i].0));
                assert_eq!(r.get::<_, Option<String>>(3), None);
                assert!(r.get::<_, bool>(4));
                assert!(r.get::<_, bool>(5), "finished after it started");
                assert_eq!(r.get::<_, i32>(6), 1);
            }
        }
        Tool::Diesel => {
            let rows = ok(
                client
                    .query(
                        "SELECT version, run_on IS NOT NULL FROM __diesel_schema_migrations ORDER BY version",
                        &[],
                    )
                    .await,
                "read __diesel_schema_migrations",
            );
            assert_eq!(rows.len(), n);
            for (i, r) in rows.iter().enumerate() {
                assert_eq!(r.get::<_, String>(0), tool.version(i).replace('-', ""));
                assert!(r.get::<_, bool>(1));
            }
        }
        Tool::Golang => {
            let rows = ok(
                client
                    .query("SELECT version, dirty FROM schema_migrations", &[])
                    .await,
                "read schema_migrations",
            );
            assert_eq!(rows.len(), 1, "golang-migrate keeps one row");
            assert_eq!(rows[0].get::<_, i64>(0), n as i64);
            assert!(!rows[0].get::<_, bool>(1));
        }
        Tool::Dbmate => {
            let rows = ok(
                client
                    .query(
                        "SELECT version FROM schema_migrations ORDER BY version",
                        &[],
                    )
                    .await,
                "read schema_migrations",
            );
            let got: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
            let want: Vec<String> = (0..n).map(|i| tool.version(i)).collect();
            assert_eq!(got, want);
        }
    }
}

/// The row the tool writes for migration `i`, written by hand (SQL the
/// tool runs, checksums by the server).
fn hand_row(tool: Tool, i: usize) -> String {
    let text = tool.file_text(i).replace('\'', "''");
    let v = tool.version(i);
    let name = UPS[i].0;
    match tool {
        Tool::Sqlx => format!(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES ({v}, '{}', TRUE, sha384(convert_to('{text}', 'UTF8')), 1234567);",
            name.replace('_', " ")
        ),
        Tool::Drizzle => format!(
            "INSERT INTO drizzle.__drizzle_migrations (hash, created_at) \
             VALUES (encode(sha256(convert_to('{text}', 'UTF8')), 'hex'), {});",
            DRIZZLE_WHEN + i as i64
        ),
        Tool::Prisma => format!(
            "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count) \
             VALUES (gen_random_uuid()::text, encode(sha256(convert_to('{text}', 'UTF8')), 'hex'), now(), '{v}_{name}', now(), 1);"
        ),
        Tool::Diesel => format!(
            "INSERT INTO __diesel_schema_migrations (version) VALUES ('{}');",
            v.replace('-', "")
        ),
        Tool::Golang => format!(
            "TRUNCATE schema_migrations; INSERT INTO schema_migrations (version, dirty) VALUES ({v}, false);"
        ),
        Tool::Dbmate => format!("INSERT INTO schema_migrations (version) VALUES ('{v}');"),
    }
}

/// What the tool would leave after migration `i` failed, and the SQL that
/// resolves it as the tool asks; `None` for tools with no failed state.
fn failed_state(tool: Tool, i: usize) -> Option<(String, String, &'static str)> {
    let v = tool.version(i);
    let name = UPS[i].0;
    match tool {
        Tool::Sqlx => Some((
            format!(
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                 VALUES ({v}, 'create post', FALSE, '\\x00'::bytea, -1);"
            ),
            format!("DELETE FROM _sqlx_migrations WHERE version = {v};"),
            "success = false",
        )),
        Tool::Prisma => Some((
            format!(
                "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count, logs) \
                 VALUES ('00000000-0000-4000-8000-000000000000', 'x', '{v}_{name}', now(), 0, 'boom');"
            ),
            "UPDATE _prisma_migrations SET rolled_back_at = now() WHERE id = '00000000-0000-4000-8000-000000000000';".to_string(),
            "never finished",
        )),
        Tool::Golang => Some((
            format!("TRUNCATE schema_migrations; INSERT INTO schema_migrations VALUES ({v}, true);"),
            // `migrate force 1`: the failed migration 2 did not apply.
            "TRUNCATE schema_migrations; INSERT INTO schema_migrations VALUES (1, false);".to_string(),
            "dirty",
        )),
        _ => None,
    }
}

fn up_sql(tool: Tool, n: usize) -> String {
    (0..n)
        .map(|i| UPS[i].1.replace("--> statement-breakpoint\n", ""))
        .collect::<Vec<_>>()
        .join("")
        + tool.table_ddl()
        + "\n"
}

async fn exercise(tool: Tool) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    std::fs::create_dir_all(&dir).unwrap();
    tool.write(&dir, 0);
    tool.write(&dir, 1);
    assert_eq!(ok(load_history(&dir), "load").format, tool.format());
    let opts = MigrateOptions::default();

    // A dry run lists what would run and creates nothing.
    let db = TestDb::create(&format!("fmt_{tool:?}").to_lowercase()).await;
    let client = db.client().await;
    let dry = ok(
        run(
            &db.url,
            &dir,
            &MigrateOptions {
                dry_run: true,
                ..MigrateOptions::default()
            },
        )
        .await,
        "dry run",
    );
    assert_eq!(dry.would_apply.len(), 2, "{tool:?}");
    assert!(
        !exists(&client, "\"user\"").await,
        "{tool:?}: the dry run ran nothing"
    );
    let tables: i64 = ok(
        client
            .query_one(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')",
                &[],
            )
            .await,
        "relations",
    )
    .get(0);
    assert_eq!(tables, 0, "{tool:?}: the dry run created nothing");

    // Applied by strata from nothing.
    let first = ok(run(&db.url, &dir, &opts).await, "first run");
    assert!(first.created_table, "{tool:?}");
    assert_eq!(first.applied.len(), 2, "{tool:?}");
    check_rows(tool, &client, 2, 0).await;
    let status = ok(
        migrate::status(&db.url, &ok(load_history(&dir), "load")).await,
        "status",
    );
    assert!(status.table_exists);
    assert_eq!(
        status.count(migrate::MigrationState::Applied),
        2,
        "{tool:?}"
    );

    // A second run applies nothing.
    let again = ok(run(&db.url, &dir, &opts).await, "second run");
    assert!(again.applied.is_empty(), "{tool:?}");
    assert_eq!(again.already_applied, 2);

    // An applied file edited.
    let path = tool.file_path(&dir, 0);
    let original = std::fs::read_to_string(&path).unwrap();
    let edited = original.replacen("email text", "email varchar(200)", 1);
    std::fs::write(&path, &edited).unwrap();
    let checksummed = matches!(tool, Tool::Sqlx | Tool::Drizzle | Tool::Prisma);
    match run(&db.url, &dir, &opts).await {
        Err(MigrateError::Refused(r)) if checksummed => {
            assert!(
                r.problems.iter().any(|p| matches!(p, Problem::Edited { file, .. } if file.ends_with(path.file_name().unwrap().to_str().unwrap()))),
                "{r}"
            );
        }
        Ok(report) if !checksummed => {
            assert!(report.applied.is_empty());
            assert!(
                report.notes.iter().any(|n| n.contains("keeps no checksum")),
                "{:?}",
                report.notes
            );
        }
        other => panic!(
            "{tool:?}: edited applied file: {:?}",
            other.map(|r| r.applied.len())
        ),
    }
    std::fs::write(&path, &original).unwrap();

    // A new file is applied.
    tool.write(&dir, 2);
    let third = ok(run(&db.url, &dir, &opts).await, "new file");
    assert_eq!(third.applied.len(), 1, "{tool:?}");
    check_rows(tool, &client, 3, 0).await;

    // The catalog is what psql builds from the up parts plus the tool's DDL.
    let oracle = ok(build_db("fmt_oracle", &up_sql(tool, 3)), "oracle");
    let (same, diff) = ok(same_dump(&oracle.url, &db.url), "pg_dump");
    assert!(same, "{tool:?}: pg_dump -s differs from psql's:\n{diff}");

    // strata drift against the folder: clean.
    let against = format!("migrations:{}", dir.display());
    let o = run_strata(
        tmp.path(),
        &["drift", "--database-url", &db.url, "--against", &against],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{tool:?}: drift:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );

    // A database the tool itself left mid-history: migration 1 applied and
    // recorded by hand, as the tool writes it.
    let by_hand = TestDb::create(&format!("fmt_{tool:?}_hand").to_lowercase()).await;
    let hand = by_hand.client().await;
    let setup = format!("{}{}\n{}", UPS[0].1, tool.table_ddl(), hand_row(tool, 0));
    ok(hand.batch_execute(&setup).await, "hand-written history");
    if let Some((fail, resolve, what)) = failed_state(tool, 1) {
        ok(hand.batch_execute(&fail).await, "failed state");
        match run(&by_hand.url, &dir, &opts).await {
            Err(MigrateError::Refused(r)) => {
                let text = r.to_string();
                assert!(
                    r.problems
                        .iter()
                        .any(|p| matches!(p, Problem::Failed { .. })),
                    "{text}"
                );
                assert!(text.contains(what), "{text}");
                let help = miette::Diagnostic::help(&*r)
                    .map(|h| h.to_string())
                    .unwrap_or_default();
                assert!(!help.is_empty(), "{text}");
            }
            other => panic!(
                "{tool:?}: a failed migration was not refused: {:?}",
                other.map(|r| r.applied.len())
            ),
        }
        ok(hand.batch_execute(&resolve).await, "resolve");
    }
    let continued = ok(run(&by_hand.url, &dir, &opts).await, "continue by hand");
    assert!(!continued.created_table);
    assert_eq!(continued.already_applied, 1, "{tool:?}");
    assert_eq!(continued.applied.len(), 2, "{tool:?}");
    if tool == Tool::Prisma {
        // The rolled-back row stays, as Prisma keeps it; the rest as Prisma.
        ok(
            hand.batch_execute("DELETE FROM _prisma_migrations WHERE rolled_back_at IS NOT NULL")
                .await,
            "drop the rolled-back row",
        );
    }
    check_rows(tool, &hand, 3, 1).await;
    let (same, diff) = ok(same_dump(&oracle.url, &by_hand.url), "pg_dump");
    assert!(same, "{tool:?}: continued by hand:\n{diff}");

    // --baseline on a database that has the schema: rows as the tool's
    // "mark applied" writes them, nothing run.
    let base = ok(
        build_db("fmt_base", &up_sql(tool, 3).replace(tool.table_ddl(), "")),
        "baseline db",
    );
    let version = tool.version(1).replace('-', "").parse::<i64>().unwrap();
    let b = ok(
        run(
            &base.url,
            &dir,
            &MigrateOptions {
                baseline: Some(version),
                ..MigrateOptions::default()
            },
        )
        .await,
        "baseline",
    );
    assert_eq!(b.baselined.len(), 2, "{tool:?}");
    let bc = base.client().await;
    let recorded: i64 = {
        let q = match tool {
            Tool::Sqlx => "SELECT count(*) FROM _sqlx_migrations",
            Tool::Drizzle => "SELECT count(*) FROM drizzle.__drizzle_migrations",
            Tool::Prisma => "SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL",
            Tool::Diesel => "SELECT count(*) FROM __diesel_schema_migrations",
            Tool::Golang => "SELECT max(version) FROM schema_migrations WHERE NOT dirty",
            Tool::Dbmate => "SELECT count(*) FROM schema_migrations",
        };
        ok(bc.query_one(q, &[]).await, "baseline rows").get(0)
    };
    assert_eq!(recorded, 2, "{tool:?}");
    // Then the rest is applied — migration 3 alone would fail (the column
    // exists), so only the status is asked.
    let s = ok(
        migrate::status(&base.url, &ok(load_history(&dir), "load")).await,
        "status after baseline",
    );
    assert_eq!(s.count(migrate::MigrationState::Applied), 2, "{tool:?}");
    assert_eq!(s.count(migrate::MigrationState::Pending), 1, "{tool:?}");
}

#[tokio::test]
async fn sqlx_folders_are_applied_into_sqlx_migrations() {
    exercise(Tool::Sqlx).await;
}

#[tokio::test]
async fn drizzle_folders_are_applied_into_drizzle_migrations() {
    exercise(Tool::Drizzle).await;
}

#[tokio::test]
async fn prisma_folders_are_applied_into_prisma_migrations() {
    exercise(Tool::Prisma).await;
}

#[tokio::test]
async fn diesel_folders_are_applied_into_diesel_schema_migrations() {
    exercise(Tool::Diesel).await;
}

#[tokio::test]
async fn golang_migrate_folders_are_applied_into_its_one_row() {
    exercise(Tool::Golang).await;
}

#[tokio::test]
async fn dbmate_folders_are_applied_up_sections_only() {
    exercise(Tool::Dbmate).await;
}

// ------------------------------------------- each tool's transaction rules

fn put(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

async fn exists(client: &Client, table: &str) -> bool {
    ok(
        client
            .query_one("SELECT to_regclass($1::text) IS NOT NULL", &[&table])
            .await,
        "to_regclass",
    )
    .get(0)
}

fn statement_error(
    r: Result<migrate::MigrateReport, MigrateError>,
) -> Box<migrate::StatementError> {
    match r {
        Err(MigrateError::Statement(e)) => e,
        other => panic!(
            "expected a failed statement: {:?}",
            other.map(|r| r.applied.len())
        ),
    }
}

fn refused_failed(r: Result<migrate::MigrateReport, MigrateError>, what: &str) {
    match r {
        Err(MigrateError::Refused(r)) => {
            let text = r.to_string();
            assert!(
                r.problems
                    .iter()
                    .any(|p| matches!(p, Problem::Failed { .. })),
                "{text}"
            );
            assert!(text.contains(what), "{text}");
        }
        other => panic!(
            "expected a refusal of a failed row: {:?}",
            other.map(|r| r.applied.len())
        ),
    }
}

/// golang-migrate and Prisma send a file as one query; a file with its own
/// BEGIN/COMMIT runs as written, and a failure after its COMMIT leaves
/// what the tool leaves: golang-migrate `dirty`, Prisma a row never
/// finished (with the error in `logs`). Both then refuse the next run.
#[tokio::test]
async fn files_with_their_own_transaction_control_leave_the_tools_failed_state() {
    let own = "CREATE TABLE a (id int);\nBEGIN;\nCREATE TABLE b (id int);\nCOMMIT;\nCREATE TABLE a (id int);\n";

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("golang");
    put(&dir, "1_one.up.sql", "CREATE TABLE z (id int);\n");
    put(&dir, "2_own.up.sql", own);
    let db = TestDb::create("fmt_golang_dirty").await;
    let client = db.client().await;
    let e = statement_error(run(&db.url, &dir, &MigrateOptions::default()).await);
    assert!(e.no_transaction);
    assert_eq!(
        e.location.to_string(),
        format!("{}:5:1", dir.join("2_own.up.sql").display())
    );
    assert_eq!(e.applied_before.len(), 1);
    assert!(
        exists(&client, "b").await,
        "committed by the file's own COMMIT"
    );
    let row = ok(
        client
            .query_one("SELECT version, dirty FROM schema_migrations", &[])
            .await,
        "row",
    );
    assert_eq!((row.get::<_, i64>(0), row.get::<_, bool>(1)), (2, true));
    refused_failed(
        run(&db.url, &dir, &MigrateOptions::default()).await,
        "dirty",
    );

    let dir = tmp.path().join("prisma");
    put(
        &dir,
        "20240101000001_one/migration.sql",
        "CREATE TABLE z (id int);\n",
    );
    put(&dir, "20240101000002_own/migration.sql", own);
    let db = TestDb::create("fmt_prisma_failed").await;
    let client = db.client().await;
    let e = statement_error(run(&db.url, &dir, &MigrateOptions::default()).await);
    assert_eq!(e.statement, 5);
    assert!(exists(&client, "b").await);
    let rows = ok(
        client
            .query(
                "SELECT migration_name, finished_at IS NULL, logs, applied_steps_count \
                 FROM _prisma_migrations ORDER BY started_at, migration_name",
                &[],
            )
            .await,
        "rows",
    );
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].get::<_, String>(0), "20240101000002_own");
    assert!(rows[1].get::<_, bool>(1), "never finished");
    assert!(
        rows[1]
            .get::<_, Option<String>>(2)
            .is_some_and(|l| l.contains("already exists")),
        "logs"
    );
    assert_eq!(rows[1].get::<_, i32>(3), 0);
    refused_failed(
        run(&db.url, &dir, &MigrateOptions::default()).await,
        "never finished",
    );
}

/// The tools' own no-transaction marks: sqlx `-- no-transaction`, dbmate
/// `transaction:false`, Diesel `run_in_transaction = false` — a CREATE
/// INDEX CONCURRENTLY, which cannot run in a transaction, is applied.
#[tokio::test]
async fn the_tools_no_transaction_marks_are_honoured() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: [(&str, Vec<(&str, &str)>); 3] = [
        (
            "sqlx",
            vec![
                ("20240101000001_t.sql", "CREATE TABLE t (id int);\n"),
                (
                    "20240101000002_i.sql",
                    "-- no-transaction\nCREATE INDEX CONCURRENTLY t_id_idx ON t (id);\n",
                ),
            ],
        ),
        (
            "dbmate",
            vec![
                ("20240101000001_t.sql", "-- migrate:up\nCREATE TABLE t (id int);\n\n-- migrate:down\nDROP TABLE t;\n"),
                (
                    "20240101000002_i.sql",
                    "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY t_id_idx ON t (id);\n\n-- migrate:down\nDROP INDEX t_id_idx;\n",
                ),
            ],
        ),
        (
            "diesel",
            vec![
                ("2024-01-01-000001_t/up.sql", "CREATE TABLE t (id int);\n"),
                ("2024-01-01-000001_t/down.sql", "DROP TABLE t;\n"),
                (
                    "2024-01-01-000002_i/up.sql",
                    "CREATE INDEX CONCURRENTLY t_id_idx ON t (id);\n",
                ),
                ("2024-01-01-000002_i/down.sql", "DROP INDEX t_id_idx;\n"),
                ("2024-01-01-000002_i/metadata.toml", "run_in_transaction = false\n"),
            ],
        ),
    ];
    for (tool, files) in cases {
        let dir = tmp.path().join(tool);
        for (rel, text) in files {
            put(&dir, rel, text);
        }
        let db = TestDb::create(&format!("fmt_notx_{tool}")).await;
        let report = ok(run(&db.url, &dir, &MigrateOptions::default()).await, tool);
        assert_eq!(report.applied.len(), 2, "{tool}");
        assert!(report.applied[1].no_transaction, "{tool}");
        assert!(!report.applied[0].no_transaction, "{tool}");
        let client = db.client().await;
        assert!(exists(&client, "t_id_idx").await, "{tool}");
    }
}

/// drizzle-kit applies every pending migration in one transaction: a
/// failure in the second leaves nothing of the first either.
#[tokio::test]
async fn drizzle_pending_migrations_share_one_transaction() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("drizzle");
    put(&dir, "0000_x.sql", "CREATE TABLE x (id int);\n");
    put(
        &dir,
        "0001_y.sql",
        "CREATE TABLE y (id int);\n--> statement-breakpoint\nSELECT 1/0;\n",
    );
    put(
        &dir,
        "meta/_journal.json",
        r#"{"version":"7","dialect":"postgresql","entries":[{"idx":0,"version":"7","when":1700000000000,"tag":"0000_x","breakpoints":true},{"idx":1,"version":"7","when":1700000000001,"tag":"0001_y","breakpoints":true}]}"#,
    );
    let db = TestDb::create("fmt_drizzle_batch").await;
    let client = db.client().await;
    let e = statement_error(run(&db.url, &dir, &MigrateOptions::default()).await);
    assert_eq!(
        e.location.to_string(),
        format!("{}:3:1", dir.join("0001_y.sql").display())
    );
    assert!(e.applied_before.is_empty());
    let help = miette::Diagnostic::help(&*e)
        .map(|h| h.to_string())
        .unwrap_or_default();
    assert!(help.contains("one transaction"), "{help}");
    assert!(!exists(&client, "x").await, "rolled back with the rest");
    assert!(!exists(&client, "y").await);
    let rows: i64 = ok(
        client
            .query_one("SELECT count(*) FROM drizzle.__drizzle_migrations", &[])
            .await,
        "rows",
    )
    .get(0);
    assert_eq!(rows, 0);
}
