//! The history tables migration tools keep in a database: which tool's table
//! is there, what it says was applied, and the checksums each tool computes.
//!
//! | tool | table | checksum |
//! |---|---|---|
//! | refinery | `refinery_schema_history` (version INT4, name, applied_on RFC 3339 text, checksum) | SipHash-1-3 of name, version, SQL ([`refinery_checksum`]), decimal text |
//! | drizzle-kit | `drizzle.__drizzle_migrations` (id, hash, created_at = the journal's `when`) | SHA-256 of the file, hex |
//! | Prisma | `_prisma_migrations` (migration_name, checksum, finished_at, rolled_back_at) | SHA-256 of `migration.sql`, hex |
//! | Diesel | `__diesel_schema_migrations` (version, run_on) | none |
//! | sqlx | `_sqlx_migrations` (version BIGINT, description, success, checksum BYTEA) | SHA-384 of the SQL |
//!
//! Reading is read-only for every tool; strata's runner ([`crate::migrate`])
//! writes each tool's table as the tool does (`migrate/table.rs`), and also
//! golang-migrate's and dbmate's `schema_migrations`, which only the runner
//! reads. Tables are found through the session's
//! `search_path` (drizzle-kit's in its own `drizzle` schema first), as the
//! tools themselves find them.

use std::borrow::Cow;
use std::hash::{Hash, Hasher};

use serde::Serialize;
use sha2::{Digest, Sha256, Sha384};
use siphasher::sip::SipHasher13;
use strata_core::source::{HistoryFormat, Migration};
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

use crate::conn::describe;

/// refinery's table name (refinery's default; strata writes only this one).
pub const REFINERY_TABLE: &str = "refinery_schema_history";

/// A migration tool whose history table strata reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryTool {
    Refinery,
    Drizzle,
    Prisma,
    Diesel,
    Sqlx,
}

impl HistoryTool {
    /// Every tool, in the order [`applied`] looks for them.
    pub const ALL: [HistoryTool; 5] = [
        HistoryTool::Refinery,
        HistoryTool::Sqlx,
        HistoryTool::Drizzle,
        HistoryTool::Prisma,
        HistoryTool::Diesel,
    ];

    pub fn label(self) -> &'static str {
        match self {
            HistoryTool::Refinery => "refinery",
            HistoryTool::Drizzle => "drizzle-kit",
            HistoryTool::Prisma => "prisma",
            HistoryTool::Diesel => "diesel",
            HistoryTool::Sqlx => "sqlx",
        }
    }

    /// The history folder format whose tool keeps this table.
    pub fn format(self) -> HistoryFormat {
        match self {
            HistoryTool::Refinery => HistoryFormat::Refinery,
            HistoryTool::Drizzle => HistoryFormat::Drizzle,
            HistoryTool::Prisma => HistoryFormat::Prisma,
            HistoryTool::Diesel => HistoryFormat::Diesel,
            HistoryTool::Sqlx => HistoryFormat::Sqlx,
        }
    }

    /// The tool keeping the history table of a folder format, if strata
    /// reads that tool's table.
    pub fn for_format(format: HistoryFormat) -> Option<HistoryTool> {
        match format {
            HistoryFormat::Refinery => Some(HistoryTool::Refinery),
            HistoryFormat::Drizzle => Some(HistoryTool::Drizzle),
            HistoryFormat::Prisma => Some(HistoryTool::Prisma),
            HistoryFormat::Diesel => Some(HistoryTool::Diesel),
            HistoryFormat::Sqlx => Some(HistoryTool::Sqlx),
            HistoryFormat::GolangMigrate | HistoryFormat::Dbmate => None,
        }
    }

    /// Where the tool keeps its table by default: `(schema, table)`;
    /// `None` for the schema means the first match on the search path.
    /// drizzle-kit's is tried in `drizzle` first, then on the search path.
    fn candidates(self) -> &'static [(Option<&'static str>, &'static str)] {
        match self {
            HistoryTool::Refinery => &[(None, REFINERY_TABLE)],
            HistoryTool::Drizzle => &[
                (Some("drizzle"), "__drizzle_migrations"),
                (None, "__drizzle_migrations"),
            ],
            HistoryTool::Prisma => &[(None, "_prisma_migrations")],
            HistoryTool::Diesel => &[(None, "__diesel_schema_migrations")],
            HistoryTool::Sqlx => &[(None, "_sqlx_migrations")],
        }
    }
}

/// A checksum as a tool stored it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "algorithm", content = "value", rename_all = "snake_case")]
pub enum Checksum {
    /// refinery: [`refinery_checksum`], stored as decimal text (kept as
    /// stored: a hand-edited table may hold anything).
    Refinery(String),
    /// drizzle-kit and Prisma: SHA-256 of the file, lower-case hex.
    Sha256(String),
    /// sqlx: SHA-384 of the SQL, raw bytes.
    Sha384(Vec<u8>),
}

impl Checksum {
    /// The checksum as text (`Sha384` in lower-case hex).
    pub fn to_text(&self) -> String {
        match self {
            Checksum::Refinery(s) | Checksum::Sha256(s) => s.clone(),
            Checksum::Sha384(b) => hex(b),
        }
    }
}

/// What a history row says about its migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryState {
    /// Applied and finished.
    Applied,
    /// Started but failed or never finished (sqlx `success = false`,
    /// Prisma `finished_at IS NULL`).
    Failed,
    /// Marked rolled back (Prisma `rolled_back_at`); the tool treats the
    /// migration as not applied.
    RolledBack,
}

/// One row of a history table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedEntry {
    /// refinery, sqlx: the version number; Diesel: the version text;
    /// Prisma: the folder name up to its first `_`; drizzle-kit: `created_at`
    /// (the journal entry's `when`, milliseconds), empty when NULL.
    pub version: String,
    /// refinery: `name`; sqlx: `description`; Prisma: the folder name after
    /// its first `_`; Diesel and drizzle-kit: empty.
    pub name: String,
    pub checksum: Option<Checksum>,
    /// When it was applied, as the table has it: refinery's RFC 3339 text,
    /// or the server's text of a timestamp column (`run_on`, `finished_at`,
    /// `installed_on`); `None` for drizzle-kit (its table keeps no time).
    pub applied_on: Option<String>,
    pub state: EntryState,
}

/// A history table found in a database, read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedHistory {
    pub tool: HistoryTool,
    /// The table as the server names it (`refinery_schema_history`,
    /// `drizzle.__drizzle_migrations`): schema-qualified when not on the
    /// search path.
    pub table: String,
    /// In the tool's apply order (version; drizzle-kit: `created_at`, `id`;
    /// Prisma: `started_at`).
    pub entries: Vec<AppliedEntry>,
    /// Other tools whose tables are in the database too (a project that
    /// switched tools).
    pub also_found: Vec<HistoryTool>,
}

/// Why a history table could not be read. Messages never hold a URL or
/// password.
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
pub enum HistoryError {
    #[error("cannot read {table}: the connecting role lacks SELECT on it")]
    #[diagnostic(
        code(strata::history::privilege),
        help("GRANT SELECT ON {table} TO the connecting role")
    )]
    NotReadable { table: String },
    #[error("cannot read {table}: {reason}")]
    #[diagnostic(
        code(strata::history::query),
        help("check that the connecting role may read the table")
    )]
    Query { table: String, reason: String },
    #[error("{table} is not the {tool} history table strata expects: {reason}")]
    #[diagnostic(
        code(strata::history::shape),
        help("the table's columns differ from the tool's; was it created by hand or by another tool with the same table name?")
    )]
    Shape {
        table: String,
        tool: &'static str,
        reason: String,
    },
}

/// The history table in the database `client` is connected to: the first
/// found of refinery, sqlx, drizzle-kit, Prisma and Diesel (the others found
/// are named in [`AppliedHistory::also_found`]), or `None` when there is
/// none.
pub async fn applied(client: &Client) -> Result<Option<AppliedHistory>, HistoryError> {
    let mut found = Vec::new();
    for tool in HistoryTool::ALL {
        if let Some(table) = find_table(client, tool).await? {
            found.push((tool, table));
        }
    }
    let mut found = found.into_iter();
    let Some((tool, table)) = found.next() else {
        return Ok(None);
    };
    let mut history = read(client, tool, &table).await?;
    history.also_found = found.map(|(t, _)| t).collect();
    Ok(Some(history))
}

/// The history table of one tool, or `None` when it is not there.
pub async fn applied_by(
    client: &Client,
    tool: HistoryTool,
) -> Result<Option<AppliedHistory>, HistoryError> {
    match find_table(client, tool).await? {
        Some(table) => Ok(Some(read(client, tool, &table).await?)),
        None => Ok(None),
    }
}

/// A table found: its quoted name for queries and the server's name for it.
pub(crate) struct FoundTable {
    pub quoted: String,
    pub shown: String,
    /// Whether the connecting role may SELECT from it (checked first, so a
    /// missing privilege never aborts the caller's transaction).
    pub readable: bool,
}

/// Quotes an identifier.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

async fn find_table(
    client: &Client,
    tool: HistoryTool,
) -> Result<Option<FoundTable>, HistoryError> {
    for (schema, table) in tool.candidates() {
        let quoted = match schema {
            Some(s) => format!("{}.{}", quote_ident(s), quote_ident(table)),
            None => quote_ident(table),
        };
        let row = client
            .query_one(
                "SELECT r::text, has_table_privilege(r, 'SELECT') FROM to_regclass($1) AS r",
                &[&quoted],
            )
            .await
            .map_err(|e| HistoryError::Query {
                table: (*table).to_string(),
                reason: describe(&e),
            })?;
        let shown: Option<String> = row.try_get(0).map_err(|e| HistoryError::Query {
            table: (*table).to_string(),
            reason: describe(&e),
        })?;
        if let Some(shown) = shown {
            let readable: Option<bool> = row.try_get(1).map_err(|e| HistoryError::Query {
                table: (*table).to_string(),
                reason: describe(&e),
            })?;
            return Ok(Some(FoundTable {
                quoted,
                shown,
                readable: readable.unwrap_or(false),
            }));
        }
    }
    Ok(None)
}

async fn read(
    client: &Client,
    tool: HistoryTool,
    table: &FoundTable,
) -> Result<AppliedHistory, HistoryError> {
    if !table.readable {
        return Err(HistoryError::NotReadable {
            table: table.shown.clone(),
        });
    }
    let t = &table.quoted;
    // Every column is cast to a type strata reads whatever the column's own
    // type (refinery's `int8-versions` keeps INT8 versions; old Prisma
    // tables use TIMESTAMP(3)).
    let sql = match tool {
        HistoryTool::Refinery => format!(
            "SELECT \"version\"::int8, \"name\"::text, \"applied_on\"::text, \"checksum\"::text \
             FROM {t} ORDER BY \"version\""
        ),
        HistoryTool::Drizzle => format!(
            "SELECT \"id\"::int8, \"hash\"::text, \"created_at\"::text FROM {t} \
             ORDER BY \"created_at\" NULLS LAST, \"id\""
        ),
        HistoryTool::Prisma => format!(
            "SELECT \"migration_name\"::text, \"checksum\"::text, \"finished_at\"::text, \
             \"rolled_back_at\" IS NOT NULL FROM {t} ORDER BY \"started_at\", \"migration_name\""
        ),
        HistoryTool::Diesel => {
            format!("SELECT \"version\"::text, \"run_on\"::text FROM {t} ORDER BY \"version\"")
        }
        HistoryTool::Sqlx => format!(
            "SELECT \"version\"::int8, \"description\"::text, \"installed_on\"::text, \
             \"success\"::bool, \"checksum\"::bytea FROM {t} ORDER BY \"version\""
        ),
    };
    let rows = client.query(sql.as_str(), &[]).await.map_err(|e| {
        let shape = matches!(
            e.code(),
            Some(c) if *c == SqlState::UNDEFINED_COLUMN
                || *c == SqlState::CANNOT_COERCE
                || *c == SqlState::DATATYPE_MISMATCH
                || *c == SqlState::UNDEFINED_FUNCTION
                || *c == SqlState::INVALID_TEXT_REPRESENTATION
        );
        if shape {
            HistoryError::Shape {
                table: table.shown.clone(),
                tool: tool.label(),
                reason: describe(&e),
            }
        } else {
            HistoryError::Query {
                table: table.shown.clone(),
                reason: describe(&e),
            }
        }
    })?;
    let bad_row = |e: tokio_postgres::Error| HistoryError::Shape {
        table: table.shown.clone(),
        tool: tool.label(),
        reason: describe(&e),
    };
    let mut entries = Vec::with_capacity(rows.len());
    for row in &rows {
        let entry = match tool {
            HistoryTool::Refinery => {
                let version: i64 = row.try_get(0).map_err(bad_row)?;
                let name: Option<String> = row.try_get(1).map_err(bad_row)?;
                let applied_on: Option<String> = row.try_get(2).map_err(bad_row)?;
                let checksum: Option<String> = row.try_get(3).map_err(bad_row)?;
                AppliedEntry {
                    version: version.to_string(),
                    name: name.unwrap_or_default(),
                    checksum: checksum.map(Checksum::Refinery),
                    applied_on,
                    state: EntryState::Applied,
                }
            }
            HistoryTool::Drizzle => {
                let hash: Option<String> = row.try_get(1).map_err(bad_row)?;
                let created_at: Option<String> = row.try_get(2).map_err(bad_row)?;
                AppliedEntry {
                    version: created_at.unwrap_or_default(),
                    name: String::new(),
                    checksum: hash.map(|h| Checksum::Sha256(h.to_ascii_lowercase())),
                    applied_on: None,
                    state: EntryState::Applied,
                }
            }
            HistoryTool::Prisma => {
                let folder: Option<String> = row.try_get(0).map_err(bad_row)?;
                let checksum: Option<String> = row.try_get(1).map_err(bad_row)?;
                let finished_at: Option<String> = row.try_get(2).map_err(bad_row)?;
                let rolled_back: bool = row.try_get(3).map_err(bad_row)?;
                let folder = folder.unwrap_or_default();
                let (version, name) = match folder.split_once('_') {
                    Some((v, n)) => (v.to_string(), n.to_string()),
                    None => (folder.clone(), String::new()),
                };
                let state = if rolled_back {
                    EntryState::RolledBack
                } else if finished_at.is_none() {
                    EntryState::Failed
                } else {
                    EntryState::Applied
                };
                AppliedEntry {
                    version,
                    name,
                    checksum: checksum.map(|c| Checksum::Sha256(c.to_ascii_lowercase())),
                    applied_on: finished_at,
                    state,
                }
            }
            HistoryTool::Diesel => {
                let version: Option<String> = row.try_get(0).map_err(bad_row)?;
                let run_on: Option<String> = row.try_get(1).map_err(bad_row)?;
                AppliedEntry {
                    version: version.unwrap_or_default(),
                    name: String::new(),
                    checksum: None,
                    applied_on: run_on,
                    state: EntryState::Applied,
                }
            }
            HistoryTool::Sqlx => {
                let version: i64 = row.try_get(0).map_err(bad_row)?;
                let description: Option<String> = row.try_get(1).map_err(bad_row)?;
                let installed_on: Option<String> = row.try_get(2).map_err(bad_row)?;
                let success: Option<bool> = row.try_get(3).map_err(bad_row)?;
                let checksum: Option<Vec<u8>> = row.try_get(4).map_err(bad_row)?;
                AppliedEntry {
                    version: version.to_string(),
                    name: description.unwrap_or_default(),
                    checksum: checksum.map(Checksum::Sha384),
                    applied_on: installed_on,
                    state: if success == Some(true) {
                        EntryState::Applied
                    } else {
                        EntryState::Failed
                    },
                }
            }
        };
        entries.push(entry);
    }
    Ok(AppliedHistory {
        tool,
        table: table.shown.clone(),
        entries,
        also_found: Vec::new(),
    })
}

/// The checksum refinery stores for a migration: SipHash-1-3 (keys 0, 0)
/// fed, through Rust's `Hash` impls, the name (`V{version}__{name}.sql`'s
/// `name`), the version as `i32`, and the file's text, in that order.
pub fn refinery_checksum(name: &str, version: i32, sql: &str) -> u64 {
    // One implementation, shared with `embed_migrations!` (which computes
    // it at build time).
    strata_core::source::refinery_checksum(name, version, sql)
}

/// [`refinery_checksum`] as refinery computes it when built with its
/// `int8-versions` feature (the version hashed as `i64`).
pub fn refinery_checksum_i64(name: &str, version: i64, sql: &str) -> u64 {
    let mut h = SipHasher13::new();
    name.hash(&mut h);
    version.hash(&mut h);
    sql.hash(&mut h);
    h.finish()
}

/// SHA-256 of a text, lower-case hex (drizzle-kit's `hash`, Prisma's
/// `checksum`).
pub fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// SHA-256 of a text with each byte in hex without zero padding, as old
/// Prisma engines wrote `checksum`.
fn sha256_hex_unpadded(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:x}"))
        .collect()
}

/// SHA-384 of a text (sqlx's `checksum`).
pub fn sha384(text: &str) -> Vec<u8> {
    Sha384::digest(text.as_bytes()).to_vec()
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// The texts a file may have had when a tool hashed it, differing from
/// `text` only in line endings or a byte-order mark: `text` itself first,
/// then with CRLF turned to LF, with LF turned to CRLF, and each of these
/// with a leading byte-order mark (strata drops one when it reads a file;
/// the tools keep it).
pub fn line_ending_variants(text: &str) -> Vec<Cow<'_, str>> {
    let mut out: Vec<Cow<'_, str>> = vec![Cow::Borrowed(text)];
    let lf = text.replace("\r\n", "\n");
    let crlf = lf.replace('\n', "\r\n");
    for v in [lf, crlf] {
        if !out.iter().any(|o| o.as_ref() == v) {
            out.push(Cow::Owned(v));
        }
    }
    let with_bom: Vec<Cow<'_, str>> = out
        .iter()
        .map(|v| Cow::Owned(format!("\u{feff}{v}")))
        .collect();
    out.extend(with_bom);
    out
}

/// Whether a stored checksum is that of `migration`'s file, allowing for
/// line-ending and byte-order-mark differences ([`line_ending_variants`]).
/// For refinery the name and version count too (refinery hashes them).
pub fn checksum_matches(checksum: &Checksum, migration: &Migration) -> bool {
    let variants = line_ending_variants(&migration.file.text);
    match checksum {
        Checksum::Refinery(stored) => {
            let Ok(stored) = stored.trim().parse::<u64>() else {
                return false;
            };
            let Ok(version) = migration.version.parse::<i64>() else {
                return false;
            };
            let v32 = i32::try_from(version).ok();
            variants.iter().any(|t| {
                v32.is_some_and(|v| refinery_checksum(&migration.name, v, t) == stored)
                    || refinery_checksum_i64(&migration.name, version, t) == stored
            })
        }
        Checksum::Sha256(stored) => {
            let stored = stored.trim().to_ascii_lowercase();
            // Old Prisma engines wrote each byte without zero padding
            // (prisma-engines issue 1887); Prisma still accepts those.
            variants.iter().any(|t| {
                sha256_hex(t) == stored || (stored.len() != 64 && sha256_hex_unpadded(t) == stored)
            })
        }
        Checksum::Sha384(stored) => variants.iter().any(|t| &sha384(t) == stored),
    }
}

/// The entry of `history` that records `migration` (the `index`-th
/// migration of its folder), by the identity each tool uses: refinery and
/// sqlx the version number; Diesel the version (dashes ignored); Prisma the
/// folder name; drizzle-kit the file's hash, else the entry at the same
/// position (drizzle-kit applies in journal order and keeps no name).
pub fn entry_for<'a>(
    history: &'a AppliedHistory,
    migration: &Migration,
    index: usize,
) -> Option<&'a AppliedEntry> {
    let entries = &history.entries;
    match history.tool {
        HistoryTool::Refinery | HistoryTool::Sqlx => {
            let v = migration.version.parse::<i64>().ok()?;
            entries
                .iter()
                .find(|e| e.version.parse::<i64>().ok() == Some(v))
        }
        HistoryTool::Diesel => {
            let key = |s: &str| s.chars().filter(|c| *c != '-').collect::<String>();
            let v = key(&migration.version);
            entries.iter().find(|e| key(&e.version) == v)
        }
        HistoryTool::Prisma => {
            let folder = if migration.name.is_empty() {
                migration.version.clone()
            } else {
                format!("{}_{}", migration.version, migration.name)
            };
            entries.iter().rev().find(|e| {
                let stored = if e.name.is_empty() {
                    e.version.clone()
                } else {
                    format!("{}_{}", e.version, e.name)
                };
                stored == folder
            })
        }
        HistoryTool::Drizzle => entries
            .iter()
            .find(|e| {
                e.checksum
                    .as_ref()
                    .is_some_and(|c| checksum_matches(c, migration))
            })
            .or_else(|| entries.get(index)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_cover_line_endings_and_bom() {
        let v = line_ending_variants("a\r\nb\n");
        let v: Vec<&str> = v.iter().map(|c| c.as_ref()).collect();
        assert!(v.contains(&"a\r\nb\n"));
        assert!(v.contains(&"a\nb\n"));
        assert!(v.contains(&"a\r\nb\r\n"));
        assert!(v.contains(&"\u{feff}a\nb\n"));
    }

    #[test]
    fn prismas_old_unpadded_checksums_match() {
        let m = Migration {
            version: "20240101000000".into(),
            name: "init".into(),
            file: strata_core::source::SqlFile {
                path: "migration.sql".into(),
                text: "SELECT 1;\n".into(),
            },
            no_transaction: false,
            journal_when: None,
        };
        let padded = sha256_hex("SELECT 1;\n");
        let unpadded = sha256_hex_unpadded("SELECT 1;\n");
        assert_eq!(padded.len(), 64);
        assert!(checksum_matches(&Checksum::Sha256(padded), &m));
        if unpadded.len() != 64 {
            assert!(checksum_matches(&Checksum::Sha256(unpadded), &m));
        }
        assert!(!checksum_matches(&Checksum::Sha256("abc".into()), &m));
    }

    #[test]
    fn hex_is_lower_case() {
        assert_eq!(hex(&[0, 15, 16, 255]), "000f10ff");
        assert_eq!(
            sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
