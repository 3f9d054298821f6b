//! Sources of a schema: migration folders in the formats users have, and
//! declared SQL (a file or a folder, pg_dump output included).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::error::Error;
use crate::replay::{Replayed, Replayer};

/// A SQL file, read whole.
#[derive(Debug, Clone)]
pub struct SqlFile {
    /// The path as reports show it.
    pub path: String,
    pub text: Arc<str>,
}

/// The tool whose naming a migration folder follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryFormat {
    /// refinery / Flyway: `V{n}__{name}.sql`.
    Refinery,
    /// sqlx: `{version}_{name}.sql` (or `.up.sql` when reversible).
    Sqlx,
    /// drizzle-kit: `NNNN_name.sql` listed in `meta/_journal.json`.
    Drizzle,
    /// Prisma Migrate: `<timestamp>_<name>/migration.sql`.
    Prisma,
    /// Diesel: `<timestamp>_<name>/up.sql`.
    Diesel,
    /// golang-migrate: `{version}_{name}.up.sql`.
    GolangMigrate,
    /// dbmate: `{version}_{name}.sql` with `-- migrate:up` sections.
    Dbmate,
}

impl HistoryFormat {
    pub fn label(self) -> &'static str {
        match self {
            HistoryFormat::Refinery => "refinery",
            HistoryFormat::Sqlx => "sqlx",
            HistoryFormat::Drizzle => "drizzle-kit",
            HistoryFormat::Prisma => "prisma",
            HistoryFormat::Diesel => "diesel",
            HistoryFormat::GolangMigrate => "golang-migrate",
            HistoryFormat::Dbmate => "dbmate",
        }
    }
}

/// One migration of a history.
#[derive(Debug, Clone)]
pub struct Migration {
    /// The version as the tool writes it (`85`, `20240101120000`, `0003`).
    pub version: String,
    pub name: String,
    pub file: SqlFile,
    /// The migration runs without a transaction: the file starts with
    /// `-- strata:no-transaction`, or carries its tool's own mark (sqlx
    /// `-- no-transaction` on the first line, dbmate `-- migrate:up
    /// transaction:false`, Diesel `run_in_transaction = false` in the
    /// folder's `metadata.toml`).
    pub no_transaction: bool,
    /// drizzle-kit: the journal entry's `when` (milliseconds), which
    /// drizzle-kit records as `created_at`; `None` for the other tools.
    pub journal_when: Option<i64>,
}

/// A migration folder, in apply order.
#[derive(Debug, Clone)]
pub struct History {
    pub format: HistoryFormat,
    pub root: PathBuf,
    pub migrations: Vec<Migration>,
    /// Things worth saying that do not stop the work (a drizzle file missing
    /// from the journal, …).
    pub warnings: Vec<String>,
}

/// What a command-line source names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    Migrations(PathBuf),
    Schema(PathBuf),
    Url(String),
}

/// Reads a source argument: `migrations:PATH`, `schema:PATH`, a
/// `postgres://` URL, or a path whose kind is detected.
pub fn parse_spec(s: &str) -> SourceSpec {
    if let Some(p) = s.strip_prefix("migrations:") {
        return SourceSpec::Migrations(PathBuf::from(p));
    }
    if let Some(p) = s.strip_prefix("schema:") {
        return SourceSpec::Schema(PathBuf::from(p));
    }
    if s.starts_with("postgres://") || s.starts_with("postgresql://") {
        return SourceSpec::Url(s.to_string());
    }
    let p = PathBuf::from(s);
    if p.is_dir() && detect_format(&p).is_some() {
        SourceSpec::Migrations(p)
    } else {
        SourceSpec::Schema(p)
    }
}

fn display(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn read_sql(path: &Path) -> Result<SqlFile, Error> {
    let bytes = fs::read(path).map_err(|e| {
        Error::source(
            display(path),
            format!("cannot read file: {e}"),
            "check the path and its permissions",
        )
    })?;
    decode_sql(display(path), bytes)
}

/// A file's bytes as SQL text: UTF-8, with a leading byte-order mark
/// dropped. UTF-16 (recognised by its byte-order mark) and any other
/// encoding are errors that say where the first bad byte is.
pub fn decode_sql(path: String, bytes: Vec<u8>) -> Result<SqlFile, Error> {
    let utf16 = match bytes.get(..2) {
        Some([0xFF, 0xFE]) => Some("UTF-16LE"),
        Some([0xFE, 0xFF]) => Some("UTF-16BE"),
        _ => None,
    };
    if let Some(encoding) = utf16 {
        return Err(Error::source(
            format!("{path}:1:1"),
            format!("file is {encoding} (it starts with a UTF-16 byte-order mark), not UTF-8"),
            format!(
                "SQL files must be UTF-8; re-encode the file (e.g. iconv -f {encoding} -t UTF-8)"
            ),
        ));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let (line, column) = {
            let ok = &e.as_bytes()[..valid];
            let ok = std::str::from_utf8(ok).unwrap_or("");
            crate::error::line_column(ok, ok.len())
        };
        Error::source(
            format!("{path}:{line}:{column}"),
            "file is not valid UTF-8",
            "SQL files must be UTF-8; re-encode the file (e.g. iconv -f latin1 -t utf-8)",
        )
    })?;
    // A byte-order mark is not part of the SQL.
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    Ok(SqlFile {
        path,
        text: Arc::from(text),
    })
}

/// One entry of a folder: its path, its name, and what it is. A symbolic
/// link counts as what it points to, as `Path::is_dir` and `is_file` say;
/// one that points to nothing is `broken`.
struct Listed {
    path: PathBuf,
    name: String,
    dir: bool,
    file: bool,
    broken: bool,
}

impl Listed {
    /// A migration entry that cannot be read is an error, never skipped.
    fn refuse_broken(&self) -> Result<(), Error> {
        if !self.broken {
            return Ok(());
        }
        Err(Error::source(
            display(&self.path),
            "symbolic link to nothing: the migration it stands for cannot be read",
            "point the link at the migration, or remove it from the migration folder",
        ))
    }
}

/// A folder's entries in path order. What each entry is comes from the
/// listing itself (a `stat` only for a symbolic link): a history of 10,000
/// migrations asked the file system three times per file, and sorting
/// whole paths component by component cost as much again.
fn list_dir(dir: &Path) -> Result<Vec<Listed>, Error> {
    let rd = fs::read_dir(dir).map_err(|e| {
        Error::source(
            display(dir),
            format!("cannot read folder: {e}"),
            "check the path and its permissions",
        )
    })?;
    let mut v: Vec<(std::ffi::OsString, Listed)> = rd
        .filter_map(|e| {
            let e = e.ok()?;
            let path = e.path();
            let (dir, file, broken) = match e.file_type() {
                Ok(t) if !t.is_symlink() => (t.is_dir(), t.is_file(), false),
                _ => match fs::metadata(&path) {
                    Ok(m) => (m.is_dir(), m.is_file(), false),
                    Err(_) => (false, false, true),
                },
            };
            let os = e.file_name();
            let name = os.to_string_lossy().into_owned();
            Some((
                os,
                Listed {
                    path,
                    name,
                    dir,
                    file,
                    broken,
                },
            ))
        })
        .collect();
    // Entries of one folder differ in their last component only: their
    // names order them as their paths do.
    v.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(v.into_iter().map(|(_, l)| l).collect())
}

/// Refinery/Flyway `V{version}__{name}.sql`: (version parts, name).
fn refinery_name(name: &str) -> Option<(Vec<u64>, String, String)> {
    let stem = name.strip_suffix(".sql")?;
    let rest = stem.strip_prefix('V').or_else(|| stem.strip_prefix('U'))?;
    let (ver, title) = rest.split_once("__")?;
    let parts: Option<Vec<u64>> = ver.split(['.', '_']).map(|p| p.parse().ok()).collect();
    Some((parts?, ver.to_string(), title.to_string()))
}

/// `{digits}_{name}{suffix}`.
fn numbered_name(name: &str, suffix: &str) -> Option<(u128, String, String)> {
    let stem = name.strip_suffix(suffix)?;
    let (ver, title) = stem.split_once('_')?;
    if ver.is_empty() || !ver.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((ver.parse().ok()?, ver.to_string(), title.to_string()))
}

/// Detects the tool whose naming a folder follows.
pub fn detect_format(dir: &Path) -> Option<HistoryFormat> {
    detect_format_in(dir, &list_dir(dir).ok()?)
}

/// [`detect_format`] of a folder already listed.
fn detect_format_in(dir: &Path, entries: &[Listed]) -> Option<HistoryFormat> {
    if dir.join("meta").join("_journal.json").is_file() {
        return Some(HistoryFormat::Drizzle);
    }
    if entries
        .iter()
        .any(|e| e.dir && e.path.join("migration.sql").is_file())
    {
        return Some(HistoryFormat::Prisma);
    }
    if entries
        .iter()
        .any(|e| e.dir && e.path.join("up.sql").is_file())
    {
        return Some(HistoryFormat::Diesel);
    }
    let files = || entries.iter().filter(|e| e.file);
    if files().any(|e| refinery_name(&e.name).is_some()) {
        return Some(HistoryFormat::Refinery);
    }
    if files().any(|e| numbered_name(&e.name, ".up.sql").is_some()) {
        return Some(HistoryFormat::GolangMigrate);
    }
    let numbered: Vec<&Listed> = files()
        .filter(|e| numbered_name(&e.name, ".sql").is_some())
        .collect();
    if !numbered.is_empty() {
        let dbmate = numbered.iter().any(|e| {
            fs::read_to_string(&e.path)
                .map(|t| t.contains("-- migrate:up"))
                .unwrap_or(false)
        });
        return Some(if dbmate {
            HistoryFormat::Dbmate
        } else {
            HistoryFormat::Sqlx
        });
    }
    None
}

fn no_transaction(file: &SqlFile) -> bool {
    crate::split::file_directives(&file.text)
        .iter()
        .any(|d| d.name == "no-transaction")
}

/// The tool's own mark for a migration run without a transaction.
fn tool_no_transaction(format: HistoryFormat, text: &str) -> bool {
    match format {
        // sqlx: `sql.starts_with("-- no-transaction")`.
        HistoryFormat::Sqlx => text.starts_with("-- no-transaction"),
        // dbmate: options on the `-- migrate:up` line.
        HistoryFormat::Dbmate => text.lines().any(|l| {
            l.trim_start()
                .strip_prefix("-- migrate:up")
                .is_some_and(|opts| opts.split_whitespace().any(|o| o == "transaction:false"))
        }),
        _ => false,
    }
}

/// Diesel's `metadata.toml` beside `up.sql`: `run_in_transaction = false`.
fn diesel_no_transaction(folder: &Path) -> bool {
    let Ok(text) = fs::read_to_string(folder.join("metadata.toml")) else {
        return false;
    };
    text.lines().any(|l| {
        let l = l.split('#').next().unwrap_or_default();
        match l.split_once('=') {
            Some((k, v)) => k.trim() == "run_in_transaction" && v.trim() == "false",
            None => false,
        }
    })
}

fn migration(format: HistoryFormat, version: String, name: String, file: SqlFile) -> Migration {
    let no_transaction = no_transaction(&file) || tool_no_transaction(format, &file.text);
    Migration {
        version,
        name,
        file,
        no_transaction,
        journal_when: None,
    }
}

/// Reads a migration folder in apply order.
pub fn load_history(dir: &Path) -> Result<History, Error> {
    if !dir.is_dir() {
        return Err(Error::source(
            display(dir),
            "migration folder not found",
            "pass an existing folder, or set `migrations` in strata.toml",
        ));
    }
    let listing = list_dir(dir)?;
    let Some(format) = detect_format_in(dir, &listing) else {
        let sql_files = listing.iter().filter(|e| e.name.ends_with(".sql")).count();
        // An empty folder is an empty refinery history.
        if sql_files == 0 {
            return Ok(History {
                format: HistoryFormat::Refinery,
                root: dir.to_path_buf(),
                migrations: vec![],
                warnings: vec![],
            });
        }
        return Err(Error::source(
            display(dir),
            "cannot tell which tool wrote this migration folder",
            "strata reads refinery/Flyway (V1__name.sql), sqlx (20240101_name.sql), drizzle-kit (meta/_journal.json), Prisma (<ts>_name/migration.sql), Diesel (<ts>_name/up.sql), golang-migrate (1_name.up.sql) and dbmate; prefix a declared schema with `schema:`",
        ));
    };
    let mut warnings = Vec::new();
    let mut migrations = Vec::new();
    match format {
        HistoryFormat::Refinery => {
            let mut found: Vec<(Vec<u64>, String, String, PathBuf)> = Vec::new();
            for e in listing {
                if e.name.ends_with(".sql") {
                    e.refuse_broken()?;
                }
                let Listed {
                    path: p,
                    name: n,
                    file,
                    ..
                } = e;
                if !file || !n.ends_with(".sql") {
                    continue;
                }
                let Some((parts, ver, title)) = refinery_name(&n) else {
                    return Err(Error::source(
                        format!("{}:1:1", display(&p)),
                        "file does not follow refinery naming V{version}__{name}.sql",
                        "rename it (e.g. V86__add_thing.sql) or move it out of the migration folder",
                    ));
                };
                found.push((parts, ver, title, p));
            }
            found.sort_by(|a, b| a.0.cmp(&b.0).then(a.3.cmp(&b.3)));
            for w in found.windows(2) {
                if w[0].0 == w[1].0 {
                    return Err(Error::source(
                        format!("{}:1:1", display(&w[1].3)),
                        format!(
                            "duplicate migration version {} (also {})",
                            w[1].1,
                            display(&w[0].3)
                        ),
                        "give one of the two migrations the next free version",
                    ));
                }
            }
            for (_, ver, title, p) in found {
                migrations.push(migration(format, ver, title, read_sql(&p)?));
            }
        }
        HistoryFormat::Sqlx | HistoryFormat::GolangMigrate | HistoryFormat::Dbmate => {
            let mut found: Vec<(u128, String, String, PathBuf)> = Vec::new();
            for e in listing {
                if e.name.ends_with(".sql") && !e.name.ends_with(".down.sql") {
                    e.refuse_broken()?;
                }
                let Listed {
                    path: p,
                    name: n,
                    file,
                    ..
                } = e;
                if !file || !n.ends_with(".sql") || n.ends_with(".down.sql") {
                    continue;
                }
                let parsed = numbered_name(&n, ".up.sql").or_else(|| numbered_name(&n, ".sql"));
                let Some((v, ver, title)) = parsed else {
                    return Err(Error::source(
                        format!("{}:1:1", display(&p)),
                        format!(
                            "file does not follow {} naming {{version}}_{{name}}.sql",
                            format.label()
                        ),
                        "rename it or move it out of the migration folder",
                    ));
                };
                found.push((v, ver, title, p));
            }
            found.sort_by(|a, b| a.0.cmp(&b.0).then(a.3.cmp(&b.3)));
            for w in found.windows(2) {
                if w[0].0 == w[1].0 {
                    return Err(Error::source(
                        format!("{}:1:1", display(&w[1].3)),
                        format!(
                            "duplicate migration version {} (also {})",
                            w[1].1,
                            display(&w[0].3)
                        ),
                        "give one of the two migrations the next free version",
                    ));
                }
            }
            for (_, ver, title, p) in found {
                let mut file = read_sql(&p)?;
                if format == HistoryFormat::Dbmate {
                    file.text = Arc::from(dbmate_up_only(&file.text));
                }
                let title = title.strip_suffix(".up").unwrap_or(&title).to_string();
                migrations.push(migration(format, ver, title, file));
            }
        }
        HistoryFormat::Prisma | HistoryFormat::Diesel => {
            let inner = if format == HistoryFormat::Prisma {
                "migration.sql"
            } else {
                "up.sql"
            };
            for e in listing {
                // Migration folders are named by their timestamp.
                if e.name.starts_with(|c: char| c.is_ascii_digit()) {
                    e.refuse_broken()?;
                }
                let Listed {
                    path: p,
                    name: n,
                    dir: is_dir,
                    ..
                } = e;
                if !is_dir {
                    continue;
                }
                let f = p.join(inner);
                if !f.is_file() {
                    if format == HistoryFormat::Diesel && n.starts_with("00000000000000") {
                        continue;
                    }
                    return Err(Error::source(
                        display(&p),
                        format!("migration folder has no {inner}"),
                        format!("add {inner} to the folder, or remove the folder"),
                    ));
                }
                let (ver, title) = match n.split_once('_') {
                    Some((v, t)) => (v.to_string(), t.to_string()),
                    None => (n.clone(), String::new()),
                };
                let mut m = migration(format, ver, title, read_sql(&f)?);
                if format == HistoryFormat::Diesel && diesel_no_transaction(&p) {
                    m.no_transaction = true;
                }
                migrations.push(m);
            }
        }
        HistoryFormat::Drizzle => {
            let jp = dir.join("meta").join("_journal.json");
            let jtext = fs::read_to_string(&jp).map_err(|e| {
                Error::source(
                    display(&jp),
                    format!("cannot read journal: {e}"),
                    "check the file",
                )
            })?;
            let journal: serde_json::Value = serde_json::from_str(&jtext).map_err(|e| {
                Error::source(
                    format!("{}:{}:{}", display(&jp), e.line(), e.column().max(1)),
                    // The position is in the location already.
                    format!(
                        "journal is not valid JSON: {}",
                        e.to_string().split(" at line ").next().unwrap_or_default()
                    ),
                    "restore meta/_journal.json from version control, or regenerate it with drizzle-kit",
                )
            })?;
            let Some(entries) = journal.get("entries").and_then(|e| e.as_array()) else {
                return Err(Error::source(
                    format!("{}:1:1", display(&jp)),
                    "journal has no `entries` array",
                    "regenerate it with drizzle-kit",
                ));
            };
            // Where a tag is written in the journal, for messages.
            let at = |tag: &str| {
                let needle = format!("\"{tag}\"");
                let (line, column) = jtext
                    .find(&needle)
                    .map(|i| crate::error::line_column(&jtext, i))
                    .unwrap_or((1, 1));
                format!("{}:{line}:{column}", display(&jp))
            };
            let mut listed = std::collections::BTreeSet::new();
            for (i, e) in entries.iter().enumerate() {
                let Some(tag) = e.get("tag").and_then(|t| t.as_str()) else {
                    return Err(Error::source(
                        display(&jp),
                        format!("journal entry {i} has no `tag`"),
                        "regenerate the journal with drizzle-kit",
                    ));
                };
                let f = dir.join(format!("{tag}.sql"));
                if !f.is_file() {
                    return Err(Error::source(
                        at(tag),
                        format!("journal entry {i} names {tag}.sql, which does not exist"),
                        "restore the missing migration file, or remove its entry from the journal",
                    ));
                }
                listed.insert(format!("{tag}.sql"));
                let (ver, title) = match tag.split_once('_') {
                    Some((v, t)) => (v.to_string(), t.to_string()),
                    None => (tag.to_string(), String::new()),
                };
                let mut m = migration(format, ver, title, read_sql(&f)?);
                m.journal_when = e.get("when").and_then(|w| w.as_i64());
                migrations.push(m);
            }
            for e in listing {
                if e.file && e.name.ends_with(".sql") && !listed.contains(&e.name) {
                    warnings.push(format!(
                        "{}: not listed in meta/_journal.json, so drizzle-kit never applies it; strata skips it too",
                        display(&e.path)
                    ));
                }
            }
        }
    }
    Ok(History {
        format,
        root: dir.to_path_buf(),
        migrations,
        warnings,
    })
}

/// Keeps only the `-- migrate:up` sections of a dbmate file; the rest is
/// blanked out (newlines kept) so locations stay exact.
fn dbmate_up_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut up = false;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with("-- migrate:up") {
            up = true;
            out.push_str(line);
            continue;
        }
        if t.starts_with("-- migrate:down") {
            up = false;
        }
        if up {
            out.push_str(line);
        } else {
            out.extend(
                line.chars()
                    .map(|c| if c == '\n' || c == '\r' { c } else { ' ' }),
            );
        }
    }
    out
}

/// Reads a declared schema: one file, or every `.sql` file under a folder
/// in path order.
pub fn load_declared(path: &Path) -> Result<Vec<SqlFile>, Error> {
    if path.is_file() {
        return Ok(vec![read_sql(path)?]);
    }
    if !path.is_dir() {
        return Err(Error::source(
            display(path),
            "schema file or folder not found",
            "pass an existing path, or set `schema` in strata.toml",
        ));
    }
    let mut files = Vec::new();
    collect_sql(path, &mut files)?;
    files.sort();
    if files.is_empty() {
        return Err(Error::source(
            display(path),
            "no .sql files in the schema folder",
            "add the declared schema's .sql files",
        ));
    }
    files.iter().map(|p| read_sql(p)).collect()
}

fn collect_sql(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    for e in list_dir(dir)? {
        if e.dir {
            collect_sql(&e.path, out)?;
        } else if e.name.ends_with(".sql") {
            out.push(e.path);
        }
    }
    Ok(())
}

/// How offline sources are replayed: what a session would know that SQL
/// files do not say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplayOptions {
    /// The role the statements run as (`--role`): `"$user"` in the search
    /// path stands for its schema, and a grant to it by name is a grant to
    /// the owner of what it creates.
    pub role: crate::replay::Role,
    /// Leave [`Replayed::provenance`] empty: for a caller that reads only
    /// where objects were defined (`strata drift`'s declared side), so the
    /// map (an entry per column) is never built.
    pub skip_provenance: bool,
    /// Leave [`Replayed::defined`] empty: for a caller that reads only the
    /// provenance (`strata drift`'s history).
    pub skip_defined: bool,
}

impl ReplayOptions {
    fn replayer(&self) -> Replayer {
        let mut r = Replayer::new();
        r.set_role(self.role.clone());
        r.keep_locations(!self.skip_provenance, !self.skip_defined);
        r
    }
}

/// Replays a history's migrations in order.
pub fn replay_history(h: &History) -> Result<Replayed, Error> {
    replay_history_with(h, &ReplayOptions::default())
}

/// Replays a history's migrations in order, as `opts` says.
pub fn replay_history_with(h: &History, opts: &ReplayOptions) -> Result<Replayed, Error> {
    let mut r = opts.replayer();
    for m in &h.migrations {
        r.apply_file(&m.file.path, &m.file.text)?;
    }
    Ok(r.finish())
}

/// Replays declared SQL files in order.
pub fn replay_declared(files: &[SqlFile]) -> Result<Replayed, Error> {
    replay_declared_with(files, &ReplayOptions::default())
}

/// Replays declared SQL files in order, as `opts` says.
pub fn replay_declared_with(files: &[SqlFile], opts: &ReplayOptions) -> Result<Replayed, Error> {
    let mut r = opts.replayer();
    for f in files {
        r.apply_file(&f.path, &f.text)?;
    }
    Ok(r.finish())
}

/// An offline source read and replayed: what `check` and `diff` compare.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub replayed: Replayed,
    /// Present when the source was a migration folder.
    pub history: Option<History>,
    pub files: usize,
}

/// Loads an offline source (a migration folder or declared SQL).
pub fn load_offline(spec: &SourceSpec) -> Result<Loaded, Error> {
    load_offline_with(spec, &ReplayOptions::default())
}

/// Loads an offline source, replayed as `opts` says.
pub fn load_offline_with(spec: &SourceSpec, opts: &ReplayOptions) -> Result<Loaded, Error> {
    match spec {
        SourceSpec::Migrations(p) => {
            let h = load_history(p)?;
            let replayed = replay_history_with(&h, opts)?;
            let files = h.migrations.len();
            Ok(Loaded {
                replayed,
                history: Some(h),
                files,
            })
        }
        SourceSpec::Schema(p) => {
            let files = load_declared(p)?;
            let replayed = replay_declared_with(&files, opts)?;
            Ok(Loaded {
                replayed,
                history: None,
                files: files.len(),
            })
        }
        SourceSpec::Url(_) => Err(Error::source(
            "<database url>",
            "a database URL is not an offline source",
            "use a migration folder or declared SQL here",
        )),
    }
}

/// The checksum refinery stores for a migration: SipHash-1-3 (keys 0, 0)
/// fed, through Rust's `Hash` impls, the name (`V{version}__{name}.sql`'s
/// `name`), the version as `i32`, and the file's text, in that order.
pub fn refinery_checksum(name: &str, version: i32, sql: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = siphasher::sip::SipHasher13::new();
    name.hash(&mut h);
    version.hash(&mut h);
    sql.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `skip_provenance` / `skip_defined` leave one map empty and the
    /// model and the other map as a full replay makes them.
    #[test]
    fn skipped_location_maps_stay_empty_and_the_rest_is_unchanged() {
        let files = vec![SqlFile {
            path: "schema.sql".to_string(),
            text: Arc::from(
                "CREATE TABLE t (id int PRIMARY KEY, x text);\n\
                 COMMENT ON TABLE t IS 'c';\n\
                 ALTER TABLE t ADD COLUMN y int;\n",
            ),
        }];
        let full = replay_declared_with(&files, &ReplayOptions::default()).unwrap();
        assert!(!full.provenance.is_empty() && !full.defined.is_empty());
        let no_prov = ReplayOptions {
            skip_provenance: true,
            ..ReplayOptions::default()
        };
        let d = replay_declared_with(&files, &no_prov).unwrap();
        assert!(d.provenance.is_empty());
        assert_eq!(d.defined, full.defined);
        assert_eq!(d.schema, full.schema);
        let no_def = ReplayOptions {
            skip_defined: true,
            ..ReplayOptions::default()
        };
        let h = replay_declared_with(&files, &no_def).unwrap();
        assert!(h.defined.is_empty());
        assert_eq!(h.provenance, full.provenance);
        assert_eq!(h.schema, full.schema);
    }

    /// A folder's entries are typed from the listing; a symbolic link
    /// counts as what it points to (a linked migration file, a linked
    /// Prisma migration folder, a linked schema sub-folder), one to nothing
    /// is refused by name, and the order is the paths' order (versions then
    /// order refinery files).
    #[cfg(unix)]
    #[test]
    fn folders_are_listed_in_path_order_with_links_followed() {
        use std::os::unix::fs::symlink;
        let root = tempfile::tempdir().unwrap();
        let elsewhere = root.path().join("elsewhere");
        fs::create_dir_all(elsewhere.join("two")).unwrap();
        fs::write(elsewhere.join("V2.sql"), "CREATE TABLE b (x int);\n").unwrap();
        fs::write(
            elsewhere.join("two").join("migration.sql"),
            "CREATE TABLE p2 (x int);\n",
        )
        .unwrap();

        let refinery = root.path().join("refinery");
        fs::create_dir_all(refinery.join("notes")).unwrap();
        fs::write(refinery.join("V1__a.sql"), "CREATE TABLE a (x int);\n").unwrap();
        symlink(elsewhere.join("V2.sql"), refinery.join("V2__b.sql")).unwrap();
        fs::write(refinery.join("V10__c.sql"), "CREATE TABLE c (x int);\n").unwrap();
        fs::write(refinery.join("README.md"), "notes\n").unwrap();
        assert_eq!(detect_format(&refinery), Some(HistoryFormat::Refinery));
        // (version, text) of each migration, in apply order.
        let migrations = |dir: &Path| -> Vec<(String, String)> {
            load_history(dir)
                .unwrap()
                .migrations
                .iter()
                .map(|m| (m.version.clone(), m.file.text.to_string()))
                .collect()
        };
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        // A link to nothing, named like a migration, is refused by name.
        let refuses_link_to_nothing = |dir: &Path, name: &str| {
            symlink(root.path().join("gone"), dir.join(name)).unwrap();
            let e = load_history(dir).unwrap_err().to_string();
            assert!(
                e.contains(name) && e.contains("symbolic link to nothing"),
                "{e}"
            );
        };
        assert_eq!(
            migrations(&refinery),
            pairs(&[
                ("1", "CREATE TABLE a (x int);\n"),
                ("2", "CREATE TABLE b (x int);\n"),
                ("10", "CREATE TABLE c (x int);\n"),
            ])
        );
        refuses_link_to_nothing(&refinery, "V11__d.sql");

        let prisma = root.path().join("prisma");
        fs::create_dir_all(prisma.join("20240101_one")).unwrap();
        fs::write(
            prisma.join("20240101_one").join("migration.sql"),
            "CREATE TABLE p1 (x int);\n",
        )
        .unwrap();
        symlink(elsewhere.join("two"), prisma.join("20240102_two")).unwrap();
        fs::write(
            prisma.join("migration_lock.toml"),
            "provider = \"postgresql\"\n",
        )
        .unwrap();
        assert_eq!(detect_format(&prisma), Some(HistoryFormat::Prisma));
        assert_eq!(
            migrations(&prisma),
            pairs(&[
                ("20240101", "CREATE TABLE p1 (x int);\n"),
                ("20240102", "CREATE TABLE p2 (x int);\n"),
            ])
        );
        refuses_link_to_nothing(&prisma, "20240103_three");

        let declared = root.path().join("schema");
        fs::create_dir_all(declared.join("a")).unwrap();
        fs::write(
            declared.join("a").join("t.sql"),
            "CREATE TABLE t (x int);\n",
        )
        .unwrap();
        fs::write(declared.join("b.sql"), "CREATE TABLE u (x int);\n").unwrap();
        symlink(elsewhere.join("two"), declared.join("c")).unwrap();
        let files = load_declared(&declared).unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|f| {
                Path::new(&f.path)
                    .strip_prefix(&declared)
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(names, ["a/t.sql", "b.sql", "c/migration.sql"]);
    }

    #[test]
    fn refinery_names_parse() {
        assert_eq!(refinery_name("V12__add_x.sql").map(|r| r.0), Some(vec![12]));
        assert_eq!(refinery_name("V1.2__a.sql").map(|r| r.0), Some(vec![1, 2]));
        assert!(refinery_name("12_add.sql").is_none());
        assert!(refinery_name("Vx__a.sql").is_none());
    }

    #[test]
    fn dbmate_down_sections_are_blanked_keeping_lines() {
        let t = "-- migrate:up\nCREATE TABLE a (x int);\n-- migrate:down\nDROP TABLE a;\n";
        let out = dbmate_up_only(t);
        assert_eq!(out.lines().count(), t.lines().count());
        assert!(out.contains("CREATE TABLE a"));
        assert!(!out.contains("DROP TABLE"));
    }

    #[test]
    fn the_tools_no_transaction_marks_are_read() {
        assert!(tool_no_transaction(
            HistoryFormat::Sqlx,
            "-- no-transaction\nCREATE INDEX CONCURRENTLY i ON t (x);"
        ));
        assert!(!tool_no_transaction(
            HistoryFormat::Sqlx,
            "\n-- no-transaction\nSELECT 1;"
        ));
        assert!(tool_no_transaction(
            HistoryFormat::Dbmate,
            "-- migrate:up transaction:false\nSELECT 1;\n-- migrate:down\n"
        ));
        assert!(!tool_no_transaction(
            HistoryFormat::Dbmate,
            "-- migrate:up\nSELECT 1;\n-- migrate:down transaction:false\n"
        ));
        assert!(!tool_no_transaction(
            HistoryFormat::Refinery,
            "-- no-transaction\nSELECT 1;"
        ));
    }

    #[test]
    fn specs_are_detected() {
        assert_eq!(
            parse_spec("postgres://u@h/db"),
            SourceSpec::Url("postgres://u@h/db".into())
        );
        assert_eq!(parse_spec("schema:x"), SourceSpec::Schema("x".into()));
        assert_eq!(
            parse_spec("migrations:y"),
            SourceSpec::Migrations("y".into())
        );
    }
}
