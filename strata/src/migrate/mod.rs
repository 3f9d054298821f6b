//! The migration runner: applies a history of any of the seven formats
//! strata reads and records it in the tool's own history table, as the tool
//! writes it ([`table`]), so a project moves between its tool and strata —
//! either way, at any point — with no re-baseline.
//!
//! How a run goes ([`migrate`]):
//!
//! 1. A session advisory lock ([`LOCK_KEY`]) is taken and held for the whole
//!    run: a second runner started at the same time waits, then finds the
//!    migrations applied. With a lock timeout the wait is bounded by it too:
//!    past it the run fails, naming the session that holds the lock.
//!    The session sets `client_connection_check_interval` (PostgreSQL 14+),
//!    so a runner killed mid-statement does not leave its server session
//!    running the statement — and holding the lock — until it ends.
//! 2. `SET lock_timeout` / `SET statement_timeout` as asked.
//! 3. The tool's history table is created if missing (the tool's DDL) and
//!    read. A row the tool marks failed (sqlx `success = false`, a Prisma
//!    row never finished, golang-migrate `dirty`) refuses the run.
//! 4. Before anything runs, every applied migration is checked against its
//!    file: an edited file (checksum differs; line endings and a byte-order
//!    mark do not count) or a missing one refuses the whole run, as does a
//!    pending migration older than the newest applied one. Every pending
//!    file is split into statements, so a file strata cannot read refuses
//!    the run too.
//! 5. Each pending migration runs in its own transaction — its statements
//!    one at a time, then its history row, then COMMIT (drizzle-kit: every
//!    pending migration in one transaction, as drizzle-kit does) — or, when
//!    it is marked (`-- strata:no-transaction`, or the tool's own mark), or
//!    when a golang-migrate or Prisma file holds its own BEGIN/COMMIT,
//!    statement by statement without one, what the tool writes before
//!    running written first and its row last. A failure names the statement's file:line:column
//!    and the SQLSTATE; a failed transactional migration leaves nothing.
//!    A lost connection (server restarted, session terminated) is said so,
//!    with what the server kept: nothing of a transactional migration, except
//!    when COMMIT itself was cut off (then `strata status` tells).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use miette::SourceSpan;
use serde::Serialize;
use strata_core::error::Excerpt;
use strata_core::error::{line_column, Location, SqlError};
use strata_core::source::{History, HistoryFormat, Migration};
use strata_core::split::{self, RawStatement, TokenKind};
use tokio_postgres::error::{ErrorPosition, SqlState};

use crate::conn::{connect, ConnectError, Session};
use crate::history::{checksum_matches, quote_ident, Checksum, EntryState, HistoryError};

mod table;

use table::{Row, Table};

/// A migration folder embedded in the binary by
/// `strata::embed_migrations!("../migrations")`, read at build time with
/// the same reader as `strata migrate`.
///
/// ```ignore
/// static MIGRATIONS: strata::migrate::EmbeddedMigrations =
///     strata::embed_migrations!("../migrations");
/// MIGRATIONS.migrate(&database_url, &MigrateOptions::default()).await?;
/// ```
///
/// [`EmbeddedMigrations::migrate`] is [`migrate`] on the embedded history:
/// the same lock, history table, checksum check of applied migrations and
/// one transaction per migration.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedMigrations {
    pub format: HistoryFormat,
    /// The folder as the macro was given it (relative to the crate).
    pub root: &'static str,
    pub migrations: &'static [EmbeddedMigration],
    /// What the reader noted at build time.
    pub warnings: &'static [&'static str],
}

/// One embedded migration.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedMigration {
    /// As the tool writes it (`85`, `20240101120000`).
    pub version: &'static str,
    pub name: &'static str,
    /// The file, relative to the crate, as reports name it.
    pub file: &'static str,
    pub sql: &'static str,
    /// The file starts with `-- strata:no-transaction`.
    pub no_transaction: bool,
    /// refinery's checksum, computed at build time (for versions that are
    /// `i32`s).
    pub refinery_checksum: Option<u64>,
    /// drizzle-kit: the journal entry's `when`.
    pub journal_when: Option<i64>,
}

impl EmbeddedMigrations {
    /// The embedded folder as the runner reads histories.
    pub fn history(&self) -> History {
        History {
            format: self.format,
            root: std::path::PathBuf::from(self.root),
            migrations: self
                .migrations
                .iter()
                .map(|m| Migration {
                    version: m.version.to_string(),
                    name: m.name.to_string(),
                    file: strata_core::source::SqlFile {
                        path: m.file.to_string(),
                        text: Arc::from(m.sql),
                    },
                    no_transaction: m.no_transaction,
                    journal_when: m.journal_when,
                })
                .collect(),
            warnings: self.warnings.iter().map(|w| w.to_string()).collect(),
        }
    }

    /// Applies the pending embedded migrations to the database at `url`
    /// (see [`migrate`]).
    pub async fn migrate(
        &self,
        url: &str,
        opts: &MigrateOptions,
    ) -> Result<MigrateReport, MigrateError> {
        migrate(url, &self.history(), opts).await
    }

    /// Where the database at `url` stands against the embedded migrations.
    pub async fn status(&self, url: &str) -> Result<StatusReport, MigrateError> {
        status(url, &self.history()).await
    }
}

/// The key of the session advisory lock a run holds:
/// FNV-1a (64 bit) of `strata:refinery_schema_history`, as `i64`. Fixed, so
/// every strata (any version) on any machine takes the same lock.
pub const LOCK_KEY: i64 = fnv1a64(b"strata:refinery_schema_history") as i64;

const fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    hash
}

/// How to run.
#[derive(Debug, Clone, Default)]
pub struct MigrateOptions {
    /// Stop after this version (apply pending migrations up to it).
    pub target: Option<i64>,
    /// List what would run; apply nothing, create nothing.
    pub dry_run: bool,
    /// `SET lock_timeout` for the session: a statement waiting longer for a
    /// lock fails (SQLSTATE 55P03) instead of queueing behind a long
    /// transaction. It bounds the wait for the migration lock another
    /// runner holds as well ([`MigrateError::MigrationLocked`]); without it
    /// (or with 0, PostgreSQL's "no limit") that wait is unbounded.
    pub lock_timeout: Option<Duration>,
    /// `SET statement_timeout` for the session.
    pub statement_timeout: Option<Duration>,
    /// Record the migrations up to and including this version as applied
    /// without running them (adopting a database whose schema they already
    /// describe), then stop. Refused when the history table already holds
    /// a migration or when no file has this version.
    pub baseline: Option<i64>,
}

/// A migration that will run (or, in a dry run, would).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedMigration {
    pub version: i64,
    /// As the tool names it (`V3__add_x`, `20240101120000_add_x`).
    pub label: String,
    pub name: String,
    pub file: String,
    pub no_transaction: bool,
    pub statements: usize,
}

/// A migration applied by this run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedMigration {
    pub version: i64,
    /// As the tool names it (`V3__add_x`, `20240101120000_add_x`).
    pub label: String,
    pub name: String,
    pub file: String,
    pub no_transaction: bool,
    pub statements: usize,
    /// The checksum written to the tool's table, as text (refinery's
    /// decimal, sqlx's SHA-384 and drizzle-kit's and Prisma's SHA-256 in
    /// hex); `None` for tools that keep none.
    pub checksum: Option<String>,
    /// When it was recorded (RFC 3339; refinery's `applied_on`).
    pub applied_on: String,
    pub duration_ms: u64,
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrateReport {
    /// `host:port/dbname`.
    pub database: String,
    pub table: String,
    pub dry_run: bool,
    /// The history table did not exist and this run created it.
    pub created_table: bool,
    /// Migrations already applied when the run started (after the lock).
    pub already_applied: usize,
    /// Applied by this run, in order (empty in a dry run).
    pub applied: Vec<AppliedMigration>,
    /// Dry run: what would be applied, in order.
    pub would_apply: Vec<PlannedMigration>,
    pub target: Option<i64>,
    /// Pending migrations left after `target`.
    pub pending_after_target: usize,
    /// How long the run waited for another runner's lock, when it had to.
    pub waited_for_lock_ms: Option<u64>,
    /// Things worth knowing that did not stop the run (an applied file whose
    /// line endings changed, a target that names no migration).
    pub notes: Vec<String>,
    /// `--baseline`: the migrations recorded as applied without running
    /// (in a dry run, those that would be).
    pub baselined: Vec<PlannedMigration>,
}

/// Progress of a run, as it happens.
#[derive(Debug, Clone, Copy)]
pub enum MigrateEvent<'a> {
    /// Another runner holds the lock; waiting for it.
    WaitingForLock {
        /// The holding session (`the server session with pid N (…)`).
        holder: &'a str,
        /// How long at most (the lock timeout); `None`: as long as it takes.
        limit: Option<Duration>,
    },
    /// The lock is taken after waiting this long.
    LockTaken { waited: Duration },
    /// About to apply a migration.
    Applying(&'a PlannedMigration),
    /// A migration was applied and recorded.
    Applied(&'a AppliedMigration),
}

/// Where a migration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MigrationState {
    /// Applied, and its file is as it was then.
    Applied,
    /// A file not applied yet.
    Pending,
    /// Applied, but its file changed since (checksum differs).
    Edited,
    /// Applied, but no file has its version.
    Missing,
}

impl MigrationState {
    pub fn label(self) -> &'static str {
        match self {
            MigrationState::Applied => "applied",
            MigrationState::Pending => "pending",
            MigrationState::Edited => "edited",
            MigrationState::Missing => "missing",
        }
    }
}

/// One migration in a [`StatusReport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusEntry {
    pub version: i64,
    /// As the tool names it (`V3__add_x`, `20240101120000_add_x`).
    pub label: String,
    /// The file's name part; for a missing file, the recorded name.
    pub name: String,
    pub state: MigrationState,
    pub file: Option<String>,
    pub applied_on: Option<String>,
    /// The checksum in the history table.
    pub stored_checksum: Option<String>,
    /// The tool's checksum of the file as it is now (as text); `None` when
    /// the tool keeps no checksum.
    pub checksum: Option<String>,
    pub no_transaction: bool,
    /// Pending, yet older than the newest applied migration: `migrate`
    /// refuses to run it (refinery does too).
    pub out_of_order: bool,
    /// For an edited file, what changed when strata can tell (renamed, or a
    /// unified diff from git of the file as applied to the file now).
    pub note: Option<String>,
}

/// Every migration of the folder and the table, in version order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusReport {
    pub database: String,
    pub format: HistoryFormat,
    pub table: String,
    pub table_exists: bool,
    pub migrations: Vec<StatusEntry>,
}

impl StatusReport {
    pub fn count(&self, state: MigrationState) -> usize {
        self.migrations.iter().filter(|m| m.state == state).count()
    }
}

/// A reason the run refuses to start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    /// An applied migration's file changed.
    Edited {
        version: i64,
        /// As the tool names the file's migration.
        label: String,
        name: String,
        file: String,
        /// The name recorded when it was applied.
        applied_name: String,
        stored_checksum: Option<String>,
        checksum: String,
        /// A unified diff of the file as applied against the file now, when
        /// the folder is in a git repository holding the applied version.
        diff: Option<String>,
    },
    /// An applied migration has no file.
    Missing {
        version: i64,
        /// The row's identity in the tool's table.
        label: String,
        name: String,
        applied_on: Option<String>,
    },
    /// A pending migration comes before one that is applied.
    OutOfOrder {
        version: i64,
        label: String,
        name: String,
        file: String,
        latest_applied: String,
    },
    /// The tool's table marks a migration failed (sqlx `success = false`,
    /// a Prisma row never finished, golang-migrate `dirty`).
    Failed {
        table: String,
        /// The row's identity (version, or Prisma's folder name).
        row: String,
        /// What the row says.
        state: String,
        /// What to do, as the tool asks.
        help: String,
    },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Edited {
                label,
                file,
                applied_name,
                name,
                stored_checksum,
                checksum,
                diff,
                ..
            } => {
                write!(f, "edited: {file} ({label}) changed after it was applied")?;
                if applied_name != name {
                    write!(f, "\n    applied under the name {applied_name}: renamed")?;
                }
                write!(
                    f,
                    "\n    checksum recorded {}, file now {checksum}",
                    stored_checksum.as_deref().unwrap_or("(none)")
                )?;
                if let Some(d) = diff {
                    write!(f, "\n    what changed since it was applied:")?;
                    for line in d.lines() {
                        write!(f, "\n      {line}")?;
                    }
                }
                Ok(())
            }
            Problem::Missing {
                version,
                label,
                applied_on,
                ..
            } => {
                write!(f, "missing: {label} was applied")?;
                if let Some(a) = applied_on {
                    write!(f, " (on {a})")?;
                }
                write!(f, " but no file has version {version}")
            }
            Problem::OutOfOrder {
                label,
                file,
                latest_applied,
                ..
            } => write!(
                f,
                "out of order: {file} ({label}) is not applied, but {latest_applied}, after it, is"
            ),
            Problem::Failed {
                table, row, state, ..
            } => write!(f, "failed: {table} marks {row} {state}"),
        }
    }
}

/// Why the run refused to start: every problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    pub problems: Vec<Problem>,
}

impl std::error::Error for Refusal {}

impl miette::Diagnostic for Refusal {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new("strata::migrate::refused"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        let has = |pred: fn(&Problem) -> bool| self.problems.iter().any(pred);
        let mut help: Vec<String> = Vec::new();
        if has(|p| matches!(p, Problem::Edited { .. })) {
            help.push(
                "an applied migration must stay as it was applied: restore the file (e.g. `git checkout -- FILE`) and put the change in a new migration".to_string(),
            );
        }
        if has(|p| matches!(p, Problem::Missing { .. })) {
            help.push(
                "restore the missing file from version control: the database ran it, so the history must keep it".to_string(),
            );
        }
        if has(|p| matches!(p, Problem::OutOfOrder { .. })) {
            help.push(
                "give the out-of-order migration a version above the newest applied one (rename the file)".to_string(),
            );
        }
        for p in &self.problems {
            if let Problem::Failed { help: h, .. } = p {
                help.push(h.clone());
            }
        }
        Some(Box::new(help.join("\n")))
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = |pred: fn(&Problem) -> bool| self.problems.iter().filter(|p| pred(p)).count();
        let edited = count(|p| matches!(p, Problem::Edited { .. }));
        let missing = count(|p| matches!(p, Problem::Missing { .. }));
        let out_of_order = count(|p| matches!(p, Problem::OutOfOrder { .. }));
        let failed = count(|p| matches!(p, Problem::Failed { .. }));
        let mut parts = Vec::new();
        let plural = |n: usize, one: &str, many: &str| {
            if n == 1 {
                format!("{n} {one}")
            } else {
                format!("{n} {many}")
            }
        };
        if failed > 0 {
            parts.push(plural(
                failed,
                "migration is recorded as failed",
                "migrations are recorded as failed",
            ));
        }
        if edited > 0 {
            parts.push(plural(
                edited,
                "applied migration was edited",
                "applied migrations were edited",
            ));
        }
        if missing > 0 {
            parts.push(plural(
                missing,
                "applied migration has no file",
                "applied migrations have no file",
            ));
        }
        if out_of_order > 0 {
            parts.push(plural(
                out_of_order,
                "pending migration comes before an applied one",
                "pending migrations come before an applied one",
            ));
        }
        write!(
            f,
            "refusing to migrate, nothing was run: {}",
            parts.join(", ")
        )?;
        for p in &self.problems {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

/// A migration that failed while it ran.
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
#[error("{location}: {summary}")]
pub struct StatementError {
    pub version: i64,
    /// The migration as the tool names it (`V3__add_x`,
    /// `20240101120000_add_x`).
    pub migration: String,
    pub name: String,
    pub file: String,
    /// Where the failing statement starts (the file's start when COMMIT or
    /// recording the migration failed).
    pub location: Location,
    /// The server's error position inside the statement, as file:line:column.
    pub error_at: Option<Location>,
    /// 1-based number of the failing statement; 0 when COMMIT or recording
    /// the migration failed.
    pub statement: usize,
    pub statements: usize,
    pub sqlstate: Option<String>,
    /// The server's message (or the driver's, when the connection failed).
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
    pub no_transaction: bool,
    /// Migrations this run applied before the failure (they stay applied).
    pub applied_before: Vec<AppliedMigration>,
    summary: String,
    #[help]
    help: Option<String>,
    #[source_code]
    src: Excerpt,
    #[label("{label}")]
    span: SourceSpan,
    label: String,
}

/// Why a run (or a status) failed. Messages never hold the database URL or
/// a password.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum MigrateError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Connect(#[from] ConnectError),
    #[error("{file}:1:1: version {version} {reason}")]
    #[diagnostic(code(strata::migrate::version), help("{help}"))]
    BadVersion {
        file: String,
        version: String,
        reason: String,
        help: String,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Refused(Box<Refusal>),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Preflight(Box<SqlError>),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Statement(Box<StatementError>),
    #[error(transparent)]
    #[diagnostic(transparent)]
    History(#[from] HistoryError),
    #[error("{target}: cannot {step}: {reason}")]
    #[diagnostic(code(strata::migrate::database))]
    Database {
        target: String,
        step: &'static str,
        reason: String,
        #[help]
        help: Option<String>,
    },
    /// `--baseline` on a database whose history table already records a
    /// migration.
    #[error("{target}: {table} already records {applied} migration(s); a baseline is only recorded on a database no migration has run on")]
    #[diagnostic(
        code(strata::migrate::baseline_used),
        help("run `strata migrate` without --baseline to apply what is pending (`strata status` lists it)")
    )]
    BaselineOnUsedHistory {
        target: String,
        table: String,
        applied: usize,
    },
    /// `--baseline N` where no migration file has version N.
    #[error("{root}: --baseline {version} names no migration file")]
    #[diagnostic(
        code(strata::migrate::baseline_version),
        help("pass the version of the last migration the database already has (e.g. 1 for V1__baseline.sql)")
    )]
    BaselineVersion { root: String, version: i64 },
    /// Another session held the migration lock longer than the lock timeout.
    #[error("{target}: another session still holds the migration lock after --lock-timeout {limit}; nothing was run\n  held by {holder}")]
    #[diagnostic(
        code(strata::migrate::locked),
        help("another strata migrate is applying migrations to this database: let it finish, then run again (or raise --lock-timeout; without it strata waits as long as it takes). If that runner's process is gone, its server session may still be running a statement: find the pid in pg_stat_activity, and end it with pg_terminate_backend(pid) only if you are sure")
    )]
    MigrationLocked {
        target: String,
        /// The lock timeout, as given (`1s`, `500ms`).
        limit: String,
        /// The holding session as `pid N (application_name …, state …, …)`,
        /// or why it could not be told.
        holder: String,
        /// Its backend pid, when it could be read.
        holder_pid: Option<i32>,
    },
}

/// A migration file, checked.
struct FileMigration<'h> {
    version: i64,
    /// The identity the tool's table records it by ([`table::file_key`]).
    key: String,
    /// As the tool names it.
    label: String,
    /// As status lines name it (refinery `V3`, else the label).
    short: String,
    migration: &'h Migration,
    /// What the tool stores for it (`None`: the tool keeps no checksum).
    checksum: Option<Checksum>,
    /// Runs without a transaction: marked so, or a golang-migrate or
    /// Prisma file that holds its own transaction control (the tool sends
    /// the file as it is).
    no_transaction: bool,
}

/// How reports name a migration of a format.
fn label_of(format: HistoryFormat, version: &str, name: &str) -> String {
    match format {
        HistoryFormat::Refinery => format!("V{version}__{name}"),
        _ if name.is_empty() => version.to_string(),
        _ => format!("{version}_{name}"),
    }
}

/// The files of a history, checked, in apply order.
fn files(history: &History) -> Result<Vec<FileMigration<'_>>, MigrateError> {
    let format = history.format;
    let mut out = Vec::with_capacity(history.migrations.len());
    for m in &history.migrations {
        let bad = |reason: &str, help: &str| MigrateError::BadVersion {
            file: m.file.path.clone(),
            version: m.version.clone(),
            reason: reason.to_string(),
            help: help.to_string(),
        };
        let version = match format {
            HistoryFormat::Refinery => m
                .version
                .parse::<i32>()
                .ok()
                .filter(|v| *v >= 0)
                .map(i64::from)
                .ok_or_else(|| {
                    bad(
                        "does not fit refinery's INT4 version",
                        "refinery versions are whole numbers from 0 to 2147483647; rename the file",
                    )
                })?,
            _ => m.version.replace('-', "").parse::<i64>().map_err(|_| {
                bad(
                    &format!(
                        "is not a whole number {} and strata can order and target",
                        format.label()
                    ),
                    "strata migrate orders, targets and records migrations by their leading number: rename the file or folder (e.g. 20240101120000_name)",
                )
            })?,
        };
        let key = table::file_key(format, m).ok_or_else(|| {
            bad(
                "has no `when` in meta/_journal.json",
                "drizzle-kit records each migration by its journal entry's `when`: regenerate the journal with drizzle-kit",
            )
        })?;
        let mut no_transaction = m.no_transaction;
        if matches!(format, HistoryFormat::GolangMigrate | HistoryFormat::Prisma)
            && split::split(&m.file.path, &m.file.text)
                .map(|st| st.iter().any(|s| is_transaction_control(&s.text)))
                .unwrap_or(false)
        {
            no_transaction = true;
        }
        out.push(FileMigration {
            version,
            key,
            label: label_of(format, &m.version, &m.name),
            short: if format == HistoryFormat::Refinery {
                format!("V{version}")
            } else {
                label_of(format, &m.version, &m.name)
            },
            migration: m,
            checksum: table::file_checksum(format, m, version),
            no_transaction,
        });
    }
    if format == HistoryFormat::Refinery {
        out.sort_by_key(|f| f.version);
    }
    Ok(out)
}

/// Whether a stored checksum is that of the file, allowing for line-ending
/// and byte-order-mark differences; `None` when nothing is stored to
/// compare (the tool keeps no checksum).
fn stored_matches(stored: Option<&Checksum>, f: &FileMigration<'_>) -> Option<bool> {
    let stored = stored?;
    Some(checksum_matches(stored, f.migration))
}

/// Files and table rows side by side, in apply order (rows without a file
/// placed by version).
fn compare(
    format: HistoryFormat,
    files: &[FileMigration<'_>],
    table: Option<&Table>,
) -> Vec<StatusEntry> {
    let rows: Vec<&Row> = table.map(|t| t.rows.iter().collect()).unwrap_or_default();
    // golang-migrate keeps one row: every file up to its version is applied.
    let golang_at = (format == HistoryFormat::GolangMigrate)
        .then(|| rows.first().map(|r| r.version))
        .flatten();
    let row_for = |f: &FileMigration<'_>| -> Option<&Row> {
        if format == HistoryFormat::GolangMigrate {
            return None;
        }
        rows.iter().rev().find(|r| r.key == f.key).copied()
    };
    let applied_at: Vec<bool> = files
        .iter()
        .map(|f| golang_at.map_or_else(|| row_for(f).is_some(), |v| f.version <= v))
        .collect();
    let last_applied = applied_at.iter().rposition(|a| *a);
    let mut out = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let m = f.migration;
        let mut entry = StatusEntry {
            version: f.version,
            label: f.label.clone(),
            name: m.name.clone(),
            state: MigrationState::Pending,
            file: Some(m.file.path.clone()),
            applied_on: None,
            stored_checksum: None,
            checksum: f.checksum.as_ref().map(Checksum::to_text),
            no_transaction: f.no_transaction,
            out_of_order: false,
            note: None,
        };
        if !applied_at[i] {
            entry.out_of_order = last_applied.is_some_and(|l| l > i);
            out.push(entry);
            continue;
        }
        let Some(row) = row_for(f) else {
            // golang-migrate: applied by the version number alone.
            entry.state = MigrationState::Applied;
            let dirty = rows
                .first()
                .is_some_and(|r| r.state == EntryState::Failed && r.version == f.version);
            entry.note = Some(if dirty {
                "marked dirty: it failed part way; migrate refuses to run until it is resolved (migrate force)".to_string()
            } else {
                format!(
                    "{} keeps no checksum: an edit of this file since it was applied cannot be told",
                    format.label()
                )
            });
            out.push(entry);
            continue;
        };
        entry.applied_on = row.applied_on.clone();
        entry.stored_checksum = row.checksum.as_ref().map(Checksum::to_text);
        if row.state == EntryState::Failed {
            entry.note = Some(format!(
                "recorded as failed in {}: migrate refuses to run until it is resolved",
                table.map_or("the history table", |t| t.shown.as_str())
            ));
        }
        let renamed = format == HistoryFormat::Refinery && row.name != m.name;
        match stored_matches(row.checksum.as_ref(), f) {
            Some(true) if !renamed => {
                entry.state = MigrationState::Applied;
                if entry.stored_checksum != entry.checksum {
                    entry.note = Some(
                        "line endings (or a byte-order mark) differ from the applied file; not an edit"
                            .to_string(),
                    );
                }
            }
            None if f.checksum.is_none() => {
                entry.state = MigrationState::Applied;
                entry.note = Some(format!(
                    "{} keeps no checksum: an edit of this file since it was applied cannot be told",
                    format.label()
                ));
            }
            _ => {
                entry.state = MigrationState::Edited;
                if renamed {
                    entry.note = Some(format!(
                        "renamed: applied as {}",
                        label_of(format, &m.version, &row.name)
                    ));
                }
            }
        }
        out.push(entry);
    }
    let mut missing = Vec::new();
    for r in &rows {
        let has_file = match golang_at {
            Some(v) => files.iter().any(|f| f.version == v),
            None => files.iter().any(|f| f.key == r.key),
        };
        if !has_file {
            missing.push(StatusEntry {
                version: r.version,
                label: label_of(format, &r.key, &r.name),
                name: r.name.clone(),
                state: MigrationState::Missing,
                file: None,
                applied_on: r.applied_on.clone(),
                stored_checksum: r.checksum.as_ref().map(Checksum::to_text),
                checksum: None,
                no_transaction: false,
                out_of_order: false,
                note: None,
            });
        }
    }
    for m in missing {
        let at = out
            .iter()
            .position(|e| e.version > m.version)
            .unwrap_or(out.len());
        out.insert(at, m);
    }
    out
}

/// The problems that refuse a run.
fn problems(
    format: HistoryFormat,
    files: &[FileMigration<'_>],
    entries: &[StatusEntry],
    table: Option<&Table>,
) -> Vec<Problem> {
    let mut out = Vec::new();
    if let Some(t) = table {
        for r in t.rows.iter().filter(|r| r.state == EntryState::Failed) {
            let state = match format {
                HistoryFormat::Sqlx => "failed (success = false)",
                HistoryFormat::Prisma => "started but never finished (finished_at is NULL)",
                HistoryFormat::GolangMigrate => "dirty",
                _ => "failed",
            };
            let row = match format {
                HistoryFormat::Prisma => r.key.clone(),
                _ => format!("version {}", r.key),
            };
            out.push(Problem::Failed {
                table: t.shown.clone(),
                row,
                state: state.to_string(),
                help: table::failed_help(format, &t.shown, r),
            });
        }
    }
    let latest = entries
        .iter()
        .rfind(|e| e.state != MigrationState::Pending)
        .map(|e| e.label.clone());
    for e in entries {
        match e.state {
            MigrationState::Applied => {}
            MigrationState::Pending => {
                if e.out_of_order {
                    out.push(Problem::OutOfOrder {
                        version: e.version,
                        label: e.label.clone(),
                        name: e.name.clone(),
                        file: e.file.clone().unwrap_or_default(),
                        latest_applied: latest.clone().unwrap_or_default(),
                    });
                }
            }
            MigrationState::Missing => out.push(Problem::Missing {
                version: e.version,
                label: e.label.clone(),
                name: e.name.clone(),
                applied_on: e.applied_on.clone(),
            }),
            MigrationState::Edited => {
                let f = files
                    .iter()
                    .find(|f| f.file_path() == e.file.as_deref().unwrap_or_default());
                let row = f
                    .and_then(|f| table.and_then(|t| t.rows.iter().rev().find(|r| r.key == f.key)));
                let applied_name = row.map(|r| r.name.clone()).unwrap_or_default();
                let diff = f.zip(row).and_then(|(f, r)| edited_diff_for(format, f, r));
                out.push(Problem::Edited {
                    version: e.version,
                    label: e.label.clone(),
                    name: e.name.clone(),
                    file: e.file.clone().unwrap_or_default(),
                    applied_name: if format == HistoryFormat::Refinery {
                        applied_name
                    } else {
                        e.name.clone()
                    },
                    stored_checksum: e.stored_checksum.clone(),
                    checksum: e.checksum.clone().unwrap_or_default(),
                    diff,
                });
            }
        }
    }
    out
}

impl FileMigration<'_> {
    fn file_path(&self) -> &str {
        &self.migration.file.path
    }
}

/// [`edited_diff`] of an edited file against its row's checksum.
fn edited_diff_for(format: HistoryFormat, f: &FileMigration<'_>, row: &Row) -> Option<String> {
    let stored = row.checksum.as_ref()?;
    let name = if format == HistoryFormat::Refinery {
        row.name.clone()
    } else {
        f.migration.name.clone()
    };
    let probe = |text: &str| {
        let mut m = f.migration.clone();
        m.name = name.clone();
        m.file.text = Arc::from(text);
        checksum_matches(stored, &m)
    };
    edited_diff(&f.migration.file.path, &f.migration.file.text, &probe)
}

/// The unified diff of an edited file: git's copy of the file whose
/// checksum is the one recorded (`applied` tells: the version that was
/// applied), against the file now. `None` when the folder is not in a git
/// repository, git is not installed, or no commit among the file's last 50
/// holds the applied text.
pub fn edited_diff(path: &str, now: &str, applied: &dyn Fn(&str) -> bool) -> Option<String> {
    let p = Path::new(path);
    let dir = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let file = p.file_name()?.to_str()?;
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(&dir)
            .args(args)
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        String::from_utf8(out.stdout).ok()
    };
    let log = git(&["log", "-n", "50", "--format=%H", "--", file])?;
    for commit in log.lines().map(str::trim).filter(|c| !c.is_empty()) {
        let Some(old) = git(&["show", &format!("{commit}:./{file}")]) else {
            continue;
        };
        let old = old.strip_prefix('\u{feff}').unwrap_or(&old).to_string();
        if !applied(&old) {
            continue;
        }
        let short: String = commit.chars().take(10).collect();
        let diff = similar::TextDiff::from_lines(old.as_str(), now)
            .unified_diff()
            .context_radius(3)
            .header(
                &format!("{path} (as applied, {short})"),
                &format!("{path} (now)"),
            )
            .to_string();
        let lines: Vec<&str> = diff.lines().collect();
        const MAX: usize = 80;
        if lines.len() > MAX {
            let mut cut = lines[..MAX].join("\n");
            cut.push_str(&format!("\n… {} more lines", lines.len() - MAX));
            return Some(cut);
        }
        return Some(diff.trim_end().to_string());
    }
    None
}

/// The statements of a pending migration, checked before anything runs.
fn preflight(f: &FileMigration<'_>) -> Result<Vec<RawStatement>, MigrateError> {
    let file = &f.migration.file;
    let statements =
        split::split(&file.path, &file.text).map_err(|e| MigrateError::Preflight(Box::new(e)))?;
    for s in &statements {
        let len = s.text.lines().next().map_or(1, str::len).max(1);
        if s.meta_command {
            return Err(MigrateError::Preflight(Box::new(
                SqlError::new(
                    &file.path,
                    &file.text,
                    s.offset,
                    len,
                    "a psql meta-command cannot be sent to the server",
                )
                .with_help(
                    "remove the line: strata sends the migration's SQL statements, not psql input",
                )
                .with_label("psql meta-command"),
            )));
        }
        if !f.no_transaction && is_transaction_control(&s.text) {
            return Err(MigrateError::Preflight(Box::new(
                SqlError::new(
                    &file.path,
                    &file.text,
                    s.offset,
                    len,
                    "transaction control in a migration that runs in a transaction",
                )
                .with_help(
                    "remove it: strata runs each migration in its own transaction, as the tool does; or put `-- strata:no-transaction` (or the tool's own mark) on the file's first line to run its statements one by one without one",
                )
                .with_label("ends or starts a transaction"),
            )));
        }
    }
    Ok(statements)
}

/// BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK (not `ROLLBACK TO`),
/// ABORT at the start of a statement.
fn is_transaction_control(text: &str) -> bool {
    let toks = split::tokens(text);
    let Some(first) = toks.first() else {
        return false;
    };
    if first.kind != TokenKind::Word {
        return false;
    }
    let second_is = |w: &str| toks.get(1).is_some_and(|t| t.is_keyword(text, w));
    match first.text(text).to_ascii_lowercase().as_str() {
        "begin" | "commit" | "end" | "abort" => true,
        "start" => second_is("transaction"),
        "rollback" => !second_is("to"),
        _ => false,
    }
}

/// RFC 3339 UTC timestamp of now, as refinery writes `applied_on`
/// (`2024-05-01T09:30:12.123456789Z`: nanoseconds, trailing zeros dropped).
pub fn rfc3339_now() -> String {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    rfc3339(d.as_secs(), d.subsec_nanos())
}

fn rfc3339(secs: u64, nanos: u32) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or_default();
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    let mut s = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    );
    if nanos != 0 {
        let frac = format!("{nanos:09}");
        s.push('.');
        s.push_str(frac.trim_end_matches('0'));
    }
    s.push('Z');
    s
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// `1s`, `500ms`: a duration as `--lock-timeout` takes it.
pub fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

fn db_err(session: &Session, step: &'static str, e: &tokio_postgres::Error) -> MigrateError {
    let mut reason = session.describe(e);
    let code = e.code();
    if let Some(c) = code {
        reason.push_str(&format!(" (SQLSTATE {})", c.code()));
    }
    let help = if code == Some(&SqlState::INSUFFICIENT_PRIVILEGE) {
        Some(format!(
            "the role strata connected as lacks a privilege to {step}. strata records migrations in the tool's history table (refinery_schema_history for refinery): creating it needs CREATE on the schema it goes in (GRANT CREATE ON SCHEMA public TO the role), using it SELECT and INSERT (and UPDATE for sqlx, Prisma and golang-migrate) on it; or run strata migrate as the schema's owner. Nothing was applied"
        ))
    } else if connection_lost(session, e) {
        Some("the connection to the server was lost (server stopped or restarted, session terminated, or network failure); nothing was applied by this step: run strata migrate again once the server is reachable".to_string())
    } else {
        None
    };
    MigrateError::Database {
        target: session.target.clone(),
        step,
        reason,
        help,
    }
}

/// Whether `e` means the session is gone: the server ended it (57P01
/// admin shutdown or terminated backend, 57P02 crash shutdown, 57P03), a
/// connection exception (class 08), or the socket closed.
fn connection_lost(session: &Session, e: &tokio_postgres::Error) -> bool {
    let by_code = e.code().is_some_and(|c| {
        let c = c.code();
        c.starts_with("08") || c == "57P01" || c == "57P02" || c == "57P03"
    });
    by_code || e.is_closed() || (e.as_db_error().is_none() && session.client.is_closed())
}

/// Who holds the migration lock: `pid N (application_name …, state …, for
/// Ns)`, from pg_locks and pg_stat_activity.
async fn lock_holder(session: &Session) -> (String, Option<i32>) {
    let key = LOCK_KEY as u64;
    let (hi, lo) = (i64::from((key >> 32) as u32), i64::from(key as u32));
    let row = session
        .client
        .query_opt(
            "SELECT l.pid, coalesce(a.application_name, ''), coalesce(a.state, ''), \
                    coalesce(extract(epoch FROM now() - a.backend_start)::int8, -1) \
             FROM pg_catalog.pg_locks l \
             LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid \
             WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 \
               AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()) \
               AND l.classid::int8 = $1 AND l.objid::int8 = $2 \
             LIMIT 1",
            &[&hi, &lo],
        )
        .await;
    match row {
        Ok(Some(r)) => {
            let pid: Option<i32> = r.try_get(0).ok();
            let app: String = r.try_get(1).unwrap_or_default();
            let state: String = r.try_get(2).unwrap_or_default();
            let secs: i64 = r.try_get(3).unwrap_or(-1);
            let mut parts = Vec::new();
            if !app.is_empty() {
                parts.push(format!("application_name {app}"));
            }
            if !state.is_empty() {
                parts.push(format!("state {state}"));
            }
            if secs >= 0 {
                parts.push(format!("connected {secs}s ago"));
            }
            let pid_text = pid.map_or("an unknown pid".to_string(), |p| format!("pid {p}"));
            let text = if parts.is_empty() {
                format!("the server session with {pid_text}")
            } else {
                format!("the server session with {pid_text} ({})", parts.join(", "))
            };
            (text, pid)
        }
        Ok(None) => (
            "a session that let go just now (run again)".to_string(),
            None,
        ),
        Err(e) => (
            format!(
                "a session strata could not identify ({})",
                session.describe(&e)
            ),
            None,
        ),
    }
}

/// Applies the pending migrations of a history (any format) to the database
/// at `url`, recording them in the tool's own table.
pub async fn migrate(
    url: &str,
    history: &History,
    opts: &MigrateOptions,
) -> Result<MigrateReport, MigrateError> {
    migrate_with_progress(url, history, opts, &mut |_| {}).await
}

/// [`migrate`], telling `progress` what happens as it happens.
pub async fn migrate_with_progress(
    url: &str,
    history: &History,
    opts: &MigrateOptions,
    progress: &mut (dyn FnMut(MigrateEvent<'_>) + Send),
) -> Result<MigrateReport, MigrateError> {
    let files = files(history)?;
    let session = connect(url).await?;
    let result = run(&session, history.format, &files, opts, progress).await;
    if result.is_ok() && !opts.dry_run {
        // Closing the session releases the lock anyway; unlocking first
        // lets a waiting runner go on at once.
        let _ = session
            .client
            .query("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY])
            .await;
    }
    session.close().await;
    result
}

async fn run(
    session: &Session,
    format: HistoryFormat,
    files: &[FileMigration<'_>],
    opts: &MigrateOptions,
    progress: &mut (dyn FnMut(MigrateEvent<'_>) + Send),
) -> Result<MigrateReport, MigrateError> {
    let client = &session.client;
    let mut report = MigrateReport {
        database: session.target.clone(),
        table: table::table_name(format).to_string(),
        dry_run: opts.dry_run,
        created_table: false,
        already_applied: 0,
        applied: Vec::new(),
        would_apply: Vec::new(),
        target: opts.target,
        pending_after_target: 0,
        waited_for_lock_ms: None,
        notes: Vec::new(),
        baselined: Vec::new(),
    };
    // A client that dies mid-statement (killed, machine gone) is noticed by
    // the server within a second and its session ended, releasing the
    // migration lock, instead of running on until the statement ends.
    // PostgreSQL 13 and older do not know the setting (42704): skipped.
    if let Err(e) = client
        .batch_execute("SET client_connection_check_interval = 1000")
        .await
    {
        if e.code() != Some(&SqlState::UNDEFINED_OBJECT) {
            return Err(db_err(session, "set client_connection_check_interval", &e));
        }
    }
    if !opts.dry_run {
        // The lock comes before `SET lock_timeout`: the wait for another
        // runner is bounded by polling, against the same limit.
        //
        // A waiter polls pg_try_advisory_lock instead of blocking in
        // pg_advisory_lock: a statement blocked on the lock keeps its
        // transaction open, and the runner holding the lock may be running
        // CREATE INDEX CONCURRENTLY, which waits for every open transaction
        // — the two would deadlock.
        let started = Instant::now();
        // As for PostgreSQL's lock_timeout, 0 means no limit.
        let lock_limit = opts.lock_timeout.filter(|t| millis(*t) > 0);
        let mut pause = Duration::from_millis(50);
        let mut announced = false;
        loop {
            let row = client
                .query_one("SELECT pg_try_advisory_lock($1)", &[&LOCK_KEY])
                .await
                .map_err(|e| db_err(session, "take the migration lock", &e))?;
            let got: bool = row
                .try_get(0)
                .map_err(|e| db_err(session, "take the migration lock", &e))?;
            if got {
                break;
            }
            if let Some(limit) = lock_limit {
                if started.elapsed() >= limit {
                    let (holder, holder_pid) = lock_holder(session).await;
                    return Err(MigrateError::MigrationLocked {
                        target: session.target.clone(),
                        limit: human(limit),
                        holder,
                        holder_pid,
                    });
                }
            }
            if !announced {
                let (holder, _) = lock_holder(session).await;
                progress(MigrateEvent::WaitingForLock {
                    holder: &holder,
                    limit: lock_limit,
                });
                announced = true;
            }
            let mut nap = pause;
            if let Some(limit) = lock_limit {
                nap = nap.min(limit.saturating_sub(started.elapsed()));
            }
            tokio::time::sleep(nap).await;
            pause = (pause * 2).min(Duration::from_millis(500));
        }
        if announced {
            let waited = started.elapsed();
            report.waited_for_lock_ms = Some(millis(waited));
            progress(MigrateEvent::LockTaken { waited });
        }
        if let Some(t) = opts.lock_timeout {
            client
                .batch_execute(&format!("SET lock_timeout = {}", millis(t)))
                .await
                .map_err(|e| db_err(session, "set lock_timeout", &e))?;
        }
        if let Some(t) = opts.statement_timeout {
            client
                .batch_execute(&format!("SET statement_timeout = {}", millis(t)))
                .await
                .map_err(|e| db_err(session, "set statement_timeout", &e))?;
        }
    }
    let mut applied = table::read(client, format).await?;
    if applied.is_none() && !opts.dry_run {
        client
            .batch_execute(&table::create_sql(format))
            .await
            .map_err(|e| db_err(session, table::create_step(format), &e))?;
        report.created_table = true;
        applied = table::read(client, format).await?;
    }
    if let Some(t) = &applied {
        report.table = t.shown.clone();
    }
    if let Some(version) = opts.baseline {
        return record_baseline(
            session,
            format,
            files,
            applied.as_ref(),
            version,
            opts.dry_run,
            report,
        )
        .await;
    }
    let entries = compare(format, files, applied.as_ref());
    let problems = problems(format, files, &entries, applied.as_ref());
    if !problems.is_empty() {
        return Err(MigrateError::Refused(Box::new(Refusal { problems })));
    }
    for e in &entries {
        if let (Some(note), MigrationState::Applied) = (&e.note, e.state) {
            if e.checksum.is_some() {
                report
                    .notes
                    .push(format!("{}: {note}", e.file.as_deref().unwrap_or_default()));
            }
        }
    }
    report.already_applied = entries
        .iter()
        .filter(|e| e.state == MigrationState::Applied)
        .count();
    if report.already_applied > 0 && files.iter().all(|f| f.checksum.is_none()) {
        report.notes.push(format!(
            "{} keeps no checksum: whether an applied file was edited since cannot be told",
            format.label()
        ));
    }
    let pending: Vec<&FileMigration<'_>> = files
        .iter()
        .filter(|f| {
            entries.iter().any(|e| {
                e.file.as_deref() == Some(f.file_path()) && e.state == MigrationState::Pending
            })
        })
        .collect();
    let (run_now, later): (Vec<&FileMigration<'_>>, Vec<&FileMigration<'_>>) = pending
        .into_iter()
        .partition(|f| opts.target.is_none_or(|t| f.version <= t));
    report.pending_after_target = later.len();
    if let Some(t) = opts.target {
        if !files.iter().any(|f| f.version == t) {
            report.notes.push(format!(
                "--target {t} names no migration file; stopped at the last version below it"
            ));
        }
    }
    // Every file that will run is read before the first one runs.
    let mut plan = Vec::with_capacity(run_now.len());
    for f in run_now {
        let statements = preflight(f)?;
        let planned = PlannedMigration {
            version: f.version,
            label: f.label.clone(),
            name: f.migration.name.clone(),
            file: f.migration.file.path.clone(),
            no_transaction: f.no_transaction,
            statements: statements.len(),
        };
        plan.push((f, planned, statements));
    }
    if opts.dry_run {
        report.would_apply = plan.into_iter().map(|(_, p, _)| p).collect();
        return Ok(report);
    }
    // drizzle-kit applies every pending migration in one transaction; so
    // does strata, unless one of them must run without a transaction.
    let batch = format == HistoryFormat::Drizzle
        && !plan.is_empty()
        && plan.iter().all(|(f, _, _)| !f.no_transaction);
    let table_shown = report.table.clone();
    if batch {
        client
            .batch_execute("BEGIN")
            .await
            .map_err(|e| db_err(session, "begin the migrations' transaction", &e))?;
    }
    let batch_help = "drizzle-kit applies every pending migration in one transaction, and so does strata: nothing this run applied before the failure stays applied either (rolled back)";
    let mut last = None;
    for (f, planned, statements) in plan {
        progress(MigrateEvent::Applying(&planned));
        let started = Instant::now();
        let ctx = Apply {
            session,
            format,
            table: &table_shown,
            batch,
            opts,
        };
        let applied_on = apply_one(&ctx, f, &statements).await.map_err(|mut e| {
            if batch {
                report.applied.clear();
                e.help = Some(match e.help.take() {
                    Some(h) => format!("{h}\n{batch_help}"),
                    None => batch_help.to_string(),
                });
            } else {
                e.applied_before = std::mem::take(&mut report.applied);
            }
            MigrateError::Statement(e)
        })?;
        let done = AppliedMigration {
            version: planned.version,
            label: planned.label,
            name: planned.name,
            file: planned.file,
            no_transaction: planned.no_transaction,
            statements: planned.statements,
            checksum: f.checksum.as_ref().map(Checksum::to_text),
            applied_on,
            duration_ms: millis(started.elapsed()),
        };
        progress(MigrateEvent::Applied(&done));
        report.applied.push(done);
        last = Some((f, statements.len()));
    }
    if let (true, Some((f, total))) = (batch, last) {
        if let Err(e) = client.batch_execute("COMMIT").await {
            let mut err = statement_error(session, &table_shown, f, total, Step::Commit, &e, opts);
            err.help = Some(match err.help.take() {
                Some(h) => format!("{h}\n{batch_help}"),
                None => batch_help.to_string(),
            });
            return Err(MigrateError::Statement(Box::new(err)));
        }
    }
    Ok(report)
}

/// `--baseline`: records the migrations up to `version` as applied, in one
/// transaction, without running them, as the tool's own "mark applied"
/// would (golang-migrate: its one row at `version`).
async fn record_baseline(
    session: &Session,
    format: HistoryFormat,
    files: &[FileMigration<'_>],
    applied: Option<&Table>,
    version: i64,
    dry_run: bool,
    mut report: MigrateReport,
) -> Result<MigrateReport, MigrateError> {
    let Some(upto) = files.iter().position(|f| f.version == version) else {
        return Err(MigrateError::BaselineVersion {
            root: files
                .first()
                .and_then(|f| Path::new(&f.migration.file.path).parent())
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "the migration folder".to_string()),
            version,
        });
    };
    let already = applied.map_or(0, |a| a.rows.len());
    if already > 0 {
        return Err(MigrateError::BaselineOnUsedHistory {
            target: session.target.clone(),
            table: report.table.clone(),
            applied: already,
        });
    }
    let chosen: Vec<&FileMigration<'_>> = files[..=upto].iter().collect();
    report.baselined = chosen
        .iter()
        .map(|f| PlannedMigration {
            version: f.version,
            label: f.label.clone(),
            name: f.migration.name.clone(),
            file: f.migration.file.path.clone(),
            no_transaction: f.no_transaction,
            statements: 0,
        })
        .collect();
    report.pending_after_target = files.len() - chosen.len();
    if dry_run {
        return Ok(report);
    }
    let client = &session.client;
    let fail = |e: &tokio_postgres::Error| db_err(session, "record the baseline", e);
    client.batch_execute("BEGIN").await.map_err(|e| fail(&e))?;
    for f in &chosen {
        let applied_on = rfc3339_now();
        let entry = entry_of(f, &applied_on);
        if let Err(e) = table::record(client, format, &entry, None, true, true).await {
            let _ = client.batch_execute("ROLLBACK").await;
            return Err(fail(&e));
        }
    }
    client.batch_execute("COMMIT").await.map_err(|e| fail(&e))?;
    Ok(report)
}

/// What failed while a migration ran.
enum Step<'a> {
    Begin,
    Statement(usize, &'a RawStatement),
    Record,
    Commit,
}

fn entry_of<'a>(f: &'a FileMigration<'_>, applied_on: &'a str) -> table::Entry<'a> {
    table::Entry {
        version: f.version,
        name: &f.migration.name,
        key: &f.key,
        checksum: f.checksum.as_ref(),
        applied_on,
    }
}

/// How migrations of a run are applied.
struct Apply<'a> {
    session: &'a Session,
    format: HistoryFormat,
    /// The tool's table, as reports name it.
    table: &'a str,
    /// Inside one transaction for the whole run (drizzle-kit).
    batch: bool,
    opts: &'a MigrateOptions,
}

/// Runs one migration and records it as its tool does; returns the
/// `applied_on` written.
async fn apply_one(
    ctx: &Apply<'_>,
    f: &FileMigration<'_>,
    statements: &[RawStatement],
) -> Result<String, Box<StatementError>> {
    let session = ctx.session;
    let client = &session.client;
    let format = ctx.format;
    let transactional = !f.no_transaction;
    let own_transaction = transactional && !ctx.batch;
    let fail = |step: Step<'_>, e: &tokio_postgres::Error| {
        Box::new(statement_error(
            session,
            ctx.table,
            f,
            statements.len(),
            step,
            e,
            ctx.opts,
        ))
    };
    let started_at = Instant::now();
    let entry = |applied_on| entry_of(f, applied_on);
    if own_transaction {
        client
            .batch_execute("BEGIN")
            .await
            .map_err(|e| fail(Step::Begin, &e))?;
    }
    // Without a transaction, what the tool writes first (golang-migrate's
    // dirty mark, Prisma's started row), so a failure leaves what the
    // tool would leave.
    let started = if transactional {
        None
    } else {
        table::before(client, format, &entry(""))
            .await
            .map_err(|e| fail(Step::Record, &e))?
    };
    for (i, s) in statements.iter().enumerate() {
        if let Err(e) = client.batch_execute(&s.text).await {
            if transactional {
                let _ = client.batch_execute("ROLLBACK").await;
            } else {
                table::failed(client, format, started.as_deref(), &session.describe(&e)).await;
            }
            return Err(fail(Step::Statement(i, s), &e));
        }
    }
    // An index the migration names that is INVALID now: a CREATE INDEX
    // CONCURRENTLY interrupted earlier (a killed runner, a lost connection)
    // left it, and IF NOT EXISTS skipped it. Recording the migration would
    // hide it for good.
    match invalid_indexes_named(client, statements).await {
        Ok(found) if !found.is_empty() => {
            if transactional {
                let _ = client.batch_execute("ROLLBACK").await;
            }
            return Err(Box::new(invalid_index_error(f, statements, &found)));
        }
        Ok(_) => {}
        Err(e) => {
            if transactional {
                let _ = client.batch_execute("ROLLBACK").await;
            }
            return Err(fail(Step::Record, &e));
        }
    }
    let applied_on = rfc3339_now();
    if let Err(e) = table::record(
        client,
        format,
        &entry(&applied_on),
        started.as_deref(),
        transactional,
        false,
    )
    .await
    {
        if transactional {
            let _ = client.batch_execute("ROLLBACK").await;
        }
        return Err(fail(Step::Record, &e));
    }
    if own_transaction {
        client
            .batch_execute("COMMIT")
            .await
            .map_err(|e| fail(Step::Commit, &e))?;
    }
    if !ctx.batch {
        // sqlx's execution time, set after the commit as sqlx does; losing
        // it is harmless (sqlx accepts that too).
        let _ = table::after(client, format, &entry(&applied_on), started_at.elapsed()).await;
    }
    Ok(applied_on)
}

/// Identifiers of a statement as the server folds them (unquoted: lower
/// case; quoted: as written).
fn identifiers(text: &str) -> Vec<String> {
    split::tokens(text)
        .iter()
        .filter_map(|t| match t.kind {
            TokenKind::Word => Some(t.text(text).to_lowercase()),
            TokenKind::QuotedIdent => {
                let q = t.text(text);
                let inner = q.strip_prefix('"')?.strip_suffix('"')?;
                Some(inner.replace("\"\"", "\""))
            }
            _ => None,
        })
        .collect()
}

/// INVALID indexes whose name a statement of the migration mentions (only
/// looked up when a statement says INDEX): `(statement index, schema, name)`.
async fn invalid_indexes_named(
    client: &tokio_postgres::Client,
    statements: &[RawStatement],
) -> Result<Vec<(usize, String, String)>, tokio_postgres::Error> {
    let idents: Vec<Vec<String>> = statements.iter().map(|s| identifiers(&s.text)).collect();
    if !idents.iter().flatten().any(|w| w == "index") {
        return Ok(Vec::new());
    }
    let rows = client
        .query(
            "SELECT n.nspname::text, c.relname::text \
             FROM pg_catalog.pg_index i \
             JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE NOT i.indisvalid \
               AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') \
             ORDER BY 1, 2",
            &[],
        )
        .await?;
    let mut found = Vec::new();
    for r in rows {
        let (schema, name): (String, String) = (r.try_get(0)?, r.try_get(1)?);
        if let Some(i) = idents.iter().position(|ids| ids.contains(&name)) {
            found.push((i, schema, name));
        }
    }
    Ok(found)
}

fn invalid_index_error(
    f: &FileMigration<'_>,
    statements: &[RawStatement],
    found: &[(usize, String, String)],
) -> StatementError {
    let file = &f.migration.file;
    let (i, _, _) = &found[0];
    let s = &statements[*i];
    let (line, column) = line_column(&file.text, s.offset);
    let location = Location {
        file: file.path.as_str().into(),
        line,
        column,
    };
    let names: Vec<String> = found
        .iter()
        .map(|(_, schema, name)| format!("{}.{}", quote_ident(schema), quote_ident(name)))
        .collect();
    let message = if names.len() == 1 {
        format!("index {} is INVALID", names[0])
    } else {
        format!("indexes {} are INVALID", names.join(", "))
    };
    let summary = format!("migration {} ran, but {message}", f.label);
    let mut help = vec![format!(
        "a CREATE INDEX CONCURRENTLY that was interrupted (a killed runner, a lost connection, a failure) leaves its index INVALID, and IF NOT EXISTS then skips it; the index is not used and would stay so: run DROP INDEX CONCURRENTLY {}; then strata migrate again",
        names.join(", ")
    )];
    help.push(if f.no_transaction {
        "this migration runs without a transaction: its statements ran and stay applied; it is not recorded".to_string()
    } else {
        "nothing of this migration was applied (rolled back) and it is not recorded".to_string()
    });
    let len = s.text.lines().next().map_or(1, str::len).max(1);
    StatementError {
        version: f.version,
        migration: f.label.clone(),
        name: f.migration.name.clone(),
        file: file.path.clone(),
        location,
        error_at: None,
        statement: i + 1,
        statements: statements.len(),
        sqlstate: None,
        message,
        detail: None,
        hint: None,
        no_transaction: f.no_transaction,
        applied_before: Vec::new(),
        summary,
        help: Some(help.join("\n")),
        src: Excerpt::new(&file.path, Arc::clone(&file.text)),
        span: SourceSpan::new(s.offset.into(), len),
        label: "names an INVALID index".to_string(),
    }
}

fn statement_error(
    session: &Session,
    table: &str,
    f: &FileMigration<'_>,
    total: usize,
    step: Step<'_>,
    e: &tokio_postgres::Error,
    opts: &MigrateOptions,
) -> StatementError {
    let file = &f.migration.file;
    let db = e.as_db_error();
    let message = match db {
        Some(db) => session.redact(db.message()),
        None => session.describe(e),
    };
    let sqlstate = db.map(|d| d.code().code().to_string());
    let detail = db.and_then(|d| d.detail()).map(|s| session.redact(s));
    let hint = db.and_then(|d| d.hint()).map(|s| session.redact(s));
    let (number, stmt_offset, stmt_len, position) = match &step {
        Step::Statement(i, s) => {
            let pos = match db.and_then(|d| d.position()) {
                Some(ErrorPosition::Original(p)) => {
                    let p = usize::try_from(*p).unwrap_or(0);
                    s.text
                        .char_indices()
                        .nth(p.saturating_sub(1))
                        .map(|(b, _)| b)
                }
                _ => None,
            };
            let len = s.text.lines().next().map_or(1, str::len).max(1);
            (
                i + 1,
                s.offset,
                len,
                pos.map(|b| (s.offset + b, token_len(&s.text, b))),
            )
        }
        Step::Begin | Step::Record | Step::Commit => (0, 0, 0, None),
    };
    let (line, column) = line_column(&file.text, stmt_offset);
    let location = Location {
        file: file.path.as_str().into(),
        line,
        column,
    };
    let error_at = position.map(|(off, _)| {
        let (line, column) = line_column(&file.text, off);
        Location {
            file: file.path.as_str().into(),
            line,
            column,
        }
    });
    let code = db.map(|d| d.code().clone());
    let lost = connection_lost(session, e);
    let what = match &step {
        Step::Statement(..) => format!("statement {number} of {total}"),
        Step::Record => format!("recording it in {table}"),
        Step::Commit => "COMMIT".to_string(),
        Step::Begin => "BEGIN".to_string(),
    };
    let kind = match &code {
        _ if lost => "connection lost: ",
        Some(c) if *c == SqlState::LOCK_NOT_AVAILABLE => "lock timeout: ",
        Some(c) if *c == SqlState::QUERY_CANCELED && opts.statement_timeout.is_some() => {
            "statement timeout: "
        }
        _ => "",
    };
    let mut summary = format!("migration {} failed at {what}: {kind}{message}", f.label);
    if let Some(s) = &sqlstate {
        summary.push_str(&format!(" (SQLSTATE {s})"));
    }
    if let Some(d) = &detail {
        summary.push_str(&format!("\n  detail: {d}"));
    }
    if let Some(at) = &error_at {
        summary.push_str(&format!("\n  error at {at}"));
    }
    let mut help = Vec::new();
    if let Some(h) = &hint {
        help.push(format!("server hint: {h}"));
    }
    match &code {
        Some(c) if *c == SqlState::LOCK_NOT_AVAILABLE => help.push(format!(
            "another session holds a lock this statement needs (ALTER TABLE needs an ACCESS EXCLUSIVE lock) and did not let go within {}; look in pg_stat_activity for long or idle-in-transaction sessions, then run again (or raise --lock-timeout)",
            opts.lock_timeout.map_or("the lock timeout".to_string(), |t| format!("--lock-timeout {}", human(t)))
        )),
        Some(c) if *c == SqlState::QUERY_CANCELED && opts.statement_timeout.is_some() => help.push(format!(
            "the statement ran longer than --statement-timeout {}; raise it for this migration, or split the work",
            opts.statement_timeout.map(human).unwrap_or_default()
        )),
        Some(c) if *c == SqlState::ACTIVE_SQL_TRANSACTION => help.push(
            "this statement cannot run inside a transaction: put `-- strata:no-transaction` (or the tool's own mark: sqlx `-- no-transaction`, dbmate `-- migrate:up transaction:false`, Diesel `run_in_transaction = false` in metadata.toml) on the file's first line".to_string(),
        ),
        Some(c) if *c == SqlState::INSUFFICIENT_PRIVILEGE => help.push(
            "the role strata connected as lacks a privilege this statement needs (ALTER or DROP of a table needs its ownership, CREATE needs CREATE on the schema): run strata migrate as the objects' owner, or grant the privilege".to_string(),
        ),
        _ => {}
    }
    let file_at_fault = !lost && code.as_ref() != Some(&SqlState::INSUFFICIENT_PRIVILEGE);
    let again = if file_at_fault {
        "fix the file and run strata migrate again"
    } else if lost {
        "the file is not at fault: run strata migrate again once the server is reachable"
    } else {
        "once the role has the privilege, run strata migrate again"
    };
    if lost {
        help.push("the connection to the server was lost while the migration ran (the server stopped or restarted, the session was terminated, or the network failed)".to_string());
    }
    if lost && matches!(step, Step::Commit) {
        help.push(format!(
            "COMMIT was sent but its answer never came: the migration and its history row were committed together or not at all — run strata status to see whether {} is applied, then strata migrate again",
            f.short
        ));
    } else if lost && matches!(step, Step::Record) && f.no_transaction {
        help.push(format!(
            "this migration runs without a transaction and all its statements ran; the connection was lost while its history row was written, so it may or may not be recorded — run strata status: if {} is pending, make the file safe to run again (IF NOT EXISTS) or undo by hand what ran, then run strata migrate again",
            f.short
        ));
    } else if f.no_transaction {
        let ran = match (number, &step) {
            (n, Step::Statement(..)) if n > 2 => {
                Some(format!("statements 1 to {} ran and stay applied", n - 1))
            }
            (2, Step::Statement(..)) => Some("statement 1 ran and stays applied".to_string()),
            (_, Step::Record) => Some("all its statements ran and stay applied".to_string()),
            _ => None,
        };
        let cut = if lost && matches!(step, Step::Statement(..)) {
            format!("; statement {number}, cut off, may or may not have taken effect")
        } else {
            String::new()
        };
        match ran {
            Some(ran) => help.push(format!(
                "this migration runs without a transaction: {ran}{cut}; it is not recorded, so make the file safe to run again (IF NOT EXISTS) or undo by hand what ran, then run strata migrate again"
            )),
            None => help.push(format!(
                "this migration runs without a transaction and is not recorded{cut}; {again}"
            )),
        }
        if f.migration
            .file
            .text
            .to_ascii_lowercase()
            .contains("concurrently")
        {
            help.push("a failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind: drop it before running again".to_string());
        }
    } else if lost {
        help.push(format!(
            "the server rolled back the migration's open transaction: nothing of this migration was applied and it is not recorded; {again}"
        ));
    } else {
        help.push(format!(
            "nothing of this migration was applied (rolled back) and it is not recorded; {again}"
        ));
    }
    let (span_offset, span_len, label) = match (position, &step) {
        (Some((off, len)), _) => (off, len, "error here".to_string()),
        (None, Step::Statement(..)) => (stmt_offset, stmt_len, "this statement failed".to_string()),
        (None, _) => (0, 0, format!("{what} failed")),
    };
    StatementError {
        version: f.version,
        migration: f.label.clone(),
        name: f.migration.name.clone(),
        file: file.path.clone(),
        location,
        error_at,
        statement: number,
        statements: total,
        sqlstate,
        message,
        detail,
        hint,
        no_transaction: f.no_transaction,
        applied_before: Vec::new(),
        summary,
        help: Some(help.join("\n")),
        src: Excerpt::new(&file.path, Arc::clone(&file.text)),
        span: SourceSpan::new(span_offset.into(), span_len),
        label,
    }
}

/// Length of the token starting at byte `at` of `text` (at least 1).
fn token_len(text: &str, at: usize) -> usize {
    split::tokens(text)
        .iter()
        .find(|t| t.start == at)
        .map_or(1, |t| t.end.saturating_sub(t.start).max(1))
}

/// Lists every migration of the folder and the table: applied, pending,
/// edited, missing. Reads only; creates nothing.
pub async fn status(url: &str, history: &History) -> Result<StatusReport, MigrateError> {
    let files = files(history)?;
    let session = connect(url).await?;
    let result = status_on(&session, history.format, &files).await;
    session.close().await;
    result
}

async fn status_on(
    session: &Session,
    format: HistoryFormat,
    files: &[FileMigration<'_>],
) -> Result<StatusReport, MigrateError> {
    let applied = table::read(&session.client, format).await?;
    let mut migrations = compare(format, files, applied.as_ref());
    for e in &mut migrations {
        if e.state != MigrationState::Edited {
            continue;
        }
        let Some(f) = files
            .iter()
            .find(|f| Some(f.file_path()) == e.file.as_deref())
        else {
            continue;
        };
        let row = applied
            .as_ref()
            .and_then(|t| t.rows.iter().rev().find(|r| r.key == f.key));
        if let Some(d) = row.and_then(|r| edited_diff_for(format, f, r)) {
            e.note = Some(match e.note.take() {
                Some(n) => format!("{n}\n{d}"),
                None => d,
            });
        }
    }
    Ok(StatusReport {
        database: session.target.clone(),
        format,
        table: applied.as_ref().map_or_else(
            || table::table_name(format).to_string(),
            |t| t.shown.clone(),
        ),
        table_exists: applied.is_some(),
        migrations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_like_refinery() {
        assert_eq!(rfc3339(0, 0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400, 500_000_000), "2000-02-29T00:00:00.5Z");
        assert_eq!(
            rfc3339(1_714_555_812, 123_456_789),
            "2024-05-01T09:30:12.123456789Z"
        );
    }

    #[test]
    fn transaction_control_is_recognised() {
        assert!(is_transaction_control("BEGIN"));
        assert!(is_transaction_control("commit"));
        assert!(is_transaction_control(
            "START TRANSACTION ISOLATION LEVEL SERIALIZABLE"
        ));
        assert!(is_transaction_control("ROLLBACK"));
        assert!(!is_transaction_control("ROLLBACK TO SAVEPOINT a"));
        assert!(!is_transaction_control("CREATE TABLE begin (x int)"));
        assert!(!is_transaction_control(""));
    }

    #[test]
    fn identifiers_fold_like_the_server() {
        assert_eq!(
            identifiers(
                r#"CREATE INDEX CONCURRENTLY IF NOT EXISTS Event_Kind_Idx ON "Ev""t" (kind)"#
            ),
            [
                "create",
                "index",
                "concurrently",
                "if",
                "not",
                "exists",
                "event_kind_idx",
                "on",
                "Ev\"t",
                "kind"
            ]
        );
        assert!(identifiers("SELECT 'event_kind_idx'")
            .iter()
            .all(|w| w != "event_kind_idx"));
    }

    #[test]
    fn lock_key_is_fixed() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(LOCK_KEY, fnv1a64(b"strata:refinery_schema_history") as i64);
    }
}
