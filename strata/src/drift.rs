//! Drift: a live database compared with the schema it should have, each
//! difference attributed to a cause with the help of the history table the
//! migration tool keeps in the database.
//!
//! Three schemas besides the live one (L) take part, all replayed offline:
//!
//! - **A**, the migrations the database says were applied (matched to the
//!   folder's files by version), replayed in folder order;
//! - **H**, the whole history;
//! - **D**, the declared schema (or whatever source the database is compared
//!   with).
//!
//! For a difference at object X between the expected schema and L:
//!
//! - L differs from A at X: no applied migration explains it. When an
//!   applied migration whose file was edited since (checksum mismatch)
//!   touches X, it is an **edited migration**; otherwise **out of band**.
//! - L agrees with A at X, A differs from H at X: a **pending** migration
//!   explains it; the pending migrations that touch X are named.
//! - L agrees with A and H at X: the history never builds the expected
//!   schema there: **declared, never migrated**.
//!
//! A database without a history table is compared on schema alone: its
//! differences are **not attributed**.
//!
//! The history tables themselves (refinery, Prisma, Diesel, sqlx, and
//! drizzle's schema) are never compared.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use serde::Serialize;
use strata_core::diff::{diff, Change, DiffOptions, Difference};
use strata_core::model::{quote_ident, ObjectKind, ObjectPath, Schema, UnmanagedKind};
use strata_core::replay::{Replayed, Replayer};
use strata_core::source::History;
use strata_core::Location;
use tokio_postgres::Client;

use crate::history::{
    checksum_matches, entry_for, AppliedHistory, EntryState, HistoryError, HistoryTool,
};
use crate::inspect::{
    begin, read_and_commit, snapshot, InspectError, InspectOptions, BEGIN_SNAPSHOT, SET_SEARCH_PATH,
};

/// Tables migration tools keep their history in (any namespace): the
/// formats strata reads, and the other tools a database being adopted may
/// carry the tables of.
pub const HISTORY_TABLES: &[&str] = &[
    "refinery_schema_history",
    "_prisma_migrations",
    "__diesel_schema_migrations",
    "_sqlx_migrations",
    // golang-migrate, dbmate and Rails.
    "schema_migrations",
    // Rails.
    "ar_internal_metadata",
    "flyway_schema_history",
    "goose_db_version",
    "alembic_version",
    "knex_migrations",
    "knex_migrations_lock",
    "databasechangelog",
    "databasechangeloglock",
];

/// Namespaces that belong to a migration tool as a whole (drizzle-kit keeps
/// `drizzle.__drizzle_migrations`).
pub const HISTORY_NAMESPACES: &[&str] = &["drizzle"];

/// Removes the migration tools' own tables (and their sequences) and
/// namespaces from a schema, so they are never reported as drift.
pub fn remove_history_objects(schema: &mut Schema) {
    for ns in HISTORY_NAMESPACES {
        schema.namespaces.remove(*ns);
    }
    let prefixes: Vec<String> = HISTORY_NAMESPACES
        .iter()
        .map(|n| format!("{}.", quote_ident(n)))
        .collect();
    schema
        .unmanaged
        .retain(|u| !prefixes.iter().any(|p| u.name.starts_with(p.as_str())));
    for ns in schema.namespaces.values_mut() {
        ns.tables
            .retain(|name, _| !HISTORY_TABLES.contains(&name.as_str()));
        ns.sequences.retain(|_, s| {
            !s.owned_by
                .as_ref()
                .is_some_and(|(t, _)| HISTORY_TABLES.contains(&t.as_str()))
        });
    }
}

/// Keeps only the given namespaces (and the objects in them), as
/// [`crate::inspect::inspect`] does with [`InspectOptions::namespaces`]. Extensions and
/// publications are database-wide and kept; event triggers are kept with their function's
/// schema.
pub fn restrict_namespaces(schema: &mut Schema, namespaces: &[String]) {
    schema
        .namespaces
        .retain(|name, _| namespaces.iter().any(|n| n == name));
    let prefixes: Vec<String> = namespaces
        .iter()
        .map(|n| format!("{}.", quote_ident(n)))
        .collect();
    // Event triggers go with their function's schema (as inspect reads
    // them).
    schema
        .event_triggers
        .retain(|_, t| namespaces.contains(&t.function.namespace));
    schema.unmanaged.retain(|u| {
        matches!(u.kind, UnmanagedKind::EventTrigger)
            || prefixes.iter().any(|p| u.name.starts_with(p.as_str()))
    });
}

/// What the live databases are compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Against {
    /// The declared schema.
    Declared,
    /// The whole migration history.
    Migrations,
    /// Another offline source (a SQL file or folder, or a migration folder).
    Source,
}

/// The cause of one difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribution {
    /// A migration not applied yet explains it.
    Pending,
    /// An applied migration whose file changed since touches the object.
    EditedMigration,
    /// No migration explains it: the database was changed by hand.
    OutOfBand,
    /// The database matches the whole history; the history never builds
    /// what is expected.
    DeclaredNotMigrated,
    /// The database keeps no history (or the history could not be used).
    NotAttributed,
}

impl Attribution {
    /// As the text report labels it.
    pub fn label(self) -> &'static str {
        match self {
            Attribution::Pending => "pending migration",
            Attribution::EditedMigration => "edited migration",
            Attribution::OutOfBand => "out of band",
            Attribution::DeclaredNotMigrated => "declared, never migrated",
            Attribution::NotAttributed => "not attributed",
        }
    }

    /// What the label means, in one sentence.
    pub fn explanation(self) -> &'static str {
        match self {
            Attribution::Pending => "a migration not yet applied to this database explains it",
            Attribution::EditedMigration => {
                "an applied migration was edited after it ran; the database has what the old file did"
            }
            Attribution::OutOfBand => {
                "no migration explains it: the database was changed outside the migrations"
            }
            Attribution::DeclaredNotMigrated => {
                "the database matches the whole history; no migration builds the declared schema here"
            }
            Attribution::NotAttributed => "the database keeps no usable migration history",
        }
    }
}

/// How the migration history relates to one database.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HistorySummary {
    /// The tool whose history table the database has.
    pub tool: String,
    /// Number of migrations the database says were applied.
    pub applied: usize,
    /// Files of the folder not applied yet, in order.
    pub pending: Vec<String>,
    /// Files of applied migrations whose checksum no longer matches.
    pub edited: Vec<String>,
    /// Versions the database applied that no file of the folder has.
    pub unknown: Vec<String>,
}

/// One difference, with its cause.
#[derive(Debug, Clone, Serialize)]
pub struct DriftDifference {
    /// `expected` is the expected schema, `found` the live database.
    #[serde(flatten)]
    pub difference: Difference,
    pub attribution: Attribution,
    /// The migration files that explain it (pending or edited), in order.
    pub migrations: Vec<String>,
    /// Where the declared schema defines the object (or its table).
    pub declared_at: Option<Location>,
    /// Where the history last touched the object (or its table).
    pub last_touched: Option<Location>,
}

/// The drift of one database.
#[derive(Debug, Clone, Serialize)]
pub struct DriftReport {
    /// `None` when the database keeps no history table.
    pub history: Option<HistorySummary>,
    /// Why differences are not attributed, when they are not.
    pub note: Option<String>,
    pub warnings: Vec<String>,
    pub differences: Vec<DriftDifference>,
}

impl DriftReport {
    pub fn drifted(&self) -> bool {
        !self.differences.is_empty()
    }

    /// Whether a difference concerns security (see
    /// [`strata_core::diff::is_security`]).
    pub fn security_drift(&self) -> bool {
        self.differences.iter().any(|d| d.difference.security)
    }

    /// Differences per attribution, in [`Attribution`] order.
    pub fn counts(&self) -> Vec<(Attribution, usize)> {
        let mut m = BTreeMap::new();
        for d in &self.differences {
            *m.entry(d.attribution).or_insert(0) += 1;
        }
        m.into_iter().collect()
    }
}

/// The message shown when a database keeps no history table.
pub const NO_HISTORY_TABLE: &str = "no history table found: differences are not attributed";

/// The migration folder and its replay, for attribution.
#[derive(Debug)]
pub struct HistorySource {
    pub history: History,
    /// H: the whole history replayed. Once an [`Expected`] holds it, its
    /// `schema` has moved into the expected side (one model per side) and
    /// only the provenance is left here.
    pub replayed: Replayed,
}

/// What every database of a run is compared with: loaded once, shared by
/// all (it is `Sync`).
#[derive(Debug)]
pub struct Expected {
    pub against: Against,
    /// The expected source as reports name it (`schema/sql`).
    pub label: String,
    /// E, history tables removed and restricted to `namespaces`.
    schema: Schema,
    /// D's provenance (absent when comparing with the history); its schema
    /// moved into `schema`.
    declared: Option<Replayed>,
    /// The migration folder used to attribute differences.
    history: Option<HistorySource>,
    /// H, normalized like E; `None` with a history when H is E itself
    /// (`Against::Migrations`: one model, not two).
    whole: Option<Schema>,
    namespaces: Option<Vec<String>>,
    baselines: Mutex<HashMap<Vec<String>, Arc<Baseline>>>,
    /// `--owners`: compare owners too; the role that ran the migrations
    /// when given (else each database's connecting role).
    owners: Option<Option<String>>,
    /// Where each declared object is defined, when the declared side was
    /// replayed without that map (it is a tenth of the model, and only a
    /// difference reads it): found on the first difference.
    locate_later: Option<LocateLater>,
    located: OnceLock<Option<BTreeMap<ObjectPath, Location>>>,
}

/// Replays the declared side again for where each object is defined
/// ([`Expected::locate_declared_later`]).
pub struct LocateLater(Box<dyn Fn() -> Option<BTreeMap<ObjectPath, Location>> + Send + Sync>);

impl std::fmt::Debug for LocateLater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LocateLater")
    }
}

impl Expected {
    /// `declared` is the expected source when `against` is not
    /// [`Against::Migrations`]; `history` is the folder that attributes
    /// differences (and the expected source for `Migrations`).
    pub fn new(
        against: Against,
        label: impl Into<String>,
        declared: Option<Replayed>,
        history: Option<HistorySource>,
        namespaces: Option<Vec<String>>,
    ) -> Option<Expected> {
        let mut history = history;
        let mut declared = declared;
        // The models move out of the replays (which keep their provenance):
        // one model per side.
        let whole = history.as_mut().map(|h| {
            normalized(
                std::mem::take(&mut h.replayed.schema),
                namespaces.as_deref(),
            )
        });
        let (schema, whole) = match against {
            Against::Migrations => (whole?, None),
            Against::Declared | Against::Source => (
                normalized(
                    std::mem::take(&mut declared.as_mut()?.schema),
                    namespaces.as_deref(),
                ),
                whole,
            ),
        };
        let declared = if against == Against::Migrations {
            None
        } else {
            declared
        };
        Some(Expected {
            against,
            label: label.into(),
            schema,
            declared,
            history,
            whole,
            namespaces,
            baselines: Mutex::new(HashMap::new()),
            owners: None,
            locate_later: None,
            located: OnceLock::new(),
        })
    }

    /// The declared side was replayed without where each object is defined
    /// (`skip_defined`): `locate` replays it again for that map, once, when
    /// the first difference is reported.
    pub fn locate_declared_later(
        &mut self,
        locate: impl Fn() -> Option<BTreeMap<ObjectPath, Location>> + Send + Sync + 'static,
    ) {
        self.locate_later = Some(LocateLater(Box::new(locate)));
    }

    /// Where each declared object is defined.
    fn declared_definitions(&self) -> Option<&BTreeMap<ObjectPath, Location>> {
        let declared = self.declared.as_ref()?;
        match &self.locate_later {
            Some(later) => self.located.get_or_init(|| (later.0)()).as_ref(),
            None => Some(&declared.defined),
        }
    }

    /// Compares owners too (`--owners`). An object the expected SQL gives no
    /// owner belongs to the role that ran the migrations: `role`, or else
    /// the role strata connects to each database as.
    pub fn compare_owners(&mut self, role: Option<String>) {
        self.owners = Some(role);
    }

    /// The expected schema (E).
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// What [`crate::inspect::inspect`] should read.
    pub fn inspect_options(&self) -> InspectOptions {
        InspectOptions {
            namespaces: self.namespaces.clone(),
        }
    }

    /// The migration folder that attributes differences, if any.
    pub fn history(&self) -> Option<&HistorySource> {
        self.history.as_ref()
    }

    /// Compares a live schema (as [`crate::inspect::inspect`] read it) with the expected
    /// one and attributes each difference using the database's history
    /// table (`None`: the database has none).
    pub fn compare(&self, live: Schema, applied: Option<&AppliedHistory>) -> DriftReport {
        self.compare_as(live, applied, None)
    }

    /// [`Expected::compare`], `current_user` being the role strata read the
    /// database as (the implicit owner under `--owners` without a role).
    fn compare_as(
        &self,
        live: Schema,
        applied: Option<&AppliedHistory>,
        current_user: Option<&str>,
    ) -> DriftReport {
        let live = normalized(live, self.namespaces.as_deref());
        let opts = DiffOptions::default();
        let implicit = self
            .owners
            .as_ref()
            .map(|role| role.as_deref().or(current_user));
        let diff = |e: &Schema, f: &Schema, opts: DiffOptions| {
            let mut d = diff(e, f, opts);
            if let Some(implicit) = implicit {
                strata_core::diff::owner::diff_owners(&mut d, e, f, implicit);
            }
            d
        };
        let found = diff(&self.schema, &live, opts);
        let mut warnings = Vec::new();
        let mut note = None;
        let mut summary = None;
        let whole = match (&self.whole, self.against) {
            (Some(w), _) => Some(w),
            (None, Against::Migrations) if self.history.is_some() => Some(&self.schema),
            (None, _) => None,
        };
        let context = match (applied, &self.history, whole) {
            (None, _, _) => {
                note = Some(NO_HISTORY_TABLE.to_string());
                None
            }
            (Some(a), None, _) | (Some(a), _, None) => {
                summary = Some(HistorySummary {
                    tool: a.tool.label().to_string(),
                    applied: applied_count(a),
                    ..HistorySummary::default()
                });
                note = Some(format!(
                    "the database keeps a {} history, but no migration folder is configured: differences are not attributed",
                    a.tool.label()
                ));
                None
            }
            (Some(a), Some(h), Some(whole)) => {
                let base = self.baseline(h, a);
                if HistoryTool::for_format(h.history.format) != Some(a.tool) {
                    warnings.push(format!(
                        "the database keeps a {} history, but {} is a {} folder: migrations are matched by {}'s rules",
                        a.tool.label(),
                        h.history.root.display(),
                        h.history.format.label(),
                        a.tool.label()
                    ));
                }
                warnings.extend(base.warnings.iter().cloned());
                summary = Some(HistorySummary {
                    tool: a.tool.label().to_string(),
                    applied: applied_count(a),
                    pending: base
                        .pending
                        .iter()
                        .map(|&i| h.history.migrations[i].file.path.clone())
                        .collect(),
                    edited: base
                        .edited
                        .iter()
                        .map(|&i| h.history.migrations[i].file.path.clone())
                        .collect(),
                    unknown: base.unknown.clone(),
                });
                if !base.unknown.is_empty() {
                    warnings.push(format!(
                        "the database applied {} migration{} with no file in {}: {}",
                        base.unknown.len(),
                        if base.unknown.len() == 1 { "" } else { "s" },
                        h.history.root.display(),
                        base.unknown.join(", ")
                    ));
                }
                match &base.applied {
                    Ok(a_schema) => Some((h, whole, base.clone(), a_schema.clone())),
                    Err(e) => {
                        note = Some(format!(
                            "cannot replay the migrations this database applied ({e}): differences are not attributed"
                        ));
                        None
                    }
                }
            }
        };
        let differences = match context {
            None => found
                .into_iter()
                .map(|d| self.entry(d, Attribution::NotAttributed, vec![]))
                .collect(),
            Some((h, whole, base, a_schema)) => {
                let la = diff(&a_schema, &live, opts);
                let ah = diff(whole, &a_schema, opts);
                found
                    .into_iter()
                    .map(|d| {
                        let (attribution, files) = attribute(&d, &la, &ah, &base, h);
                        self.entry(d, attribution, files)
                    })
                    .collect()
            }
        };
        DriftReport {
            history: summary,
            note,
            warnings,
            differences,
        }
    }

    fn entry(
        &self,
        d: Difference,
        attribution: Attribution,
        files: Vec<String>,
    ) -> DriftDifference {
        let locate = |m: &BTreeMap<ObjectPath, Location>| {
            m.get(&d.path)
                .or_else(|| d.path.table_path().and_then(|t| m.get(&t)))
                .cloned()
        };
        DriftDifference {
            // Where the declaration defines it (not a later COMMENT).
            declared_at: self.declared_definitions().and_then(locate),
            last_touched: self
                .history
                .as_ref()
                .and_then(|h| locate(&h.replayed.provenance)),
            difference: d,
            attribution,
            migrations: files,
        }
    }

    /// A, the pending and edited migrations and what they touch, for one
    /// applied set; computed once per distinct set.
    fn baseline(&self, h: &HistorySource, applied: &AppliedHistory) -> Arc<Baseline> {
        let key: Vec<String> = applied
            .entries
            .iter()
            .map(|e| {
                format!(
                    "{}\0{}\0{}\0{:?}",
                    e.version,
                    e.name,
                    e.checksum.as_ref().map(|c| c.to_text()).unwrap_or_default(),
                    e.state
                )
            })
            .collect();
        if let Ok(cache) = self.baselines.lock() {
            if let Some(b) = cache.get(&key) {
                return Arc::clone(b);
            }
        }
        let b = Arc::new(compute_baseline(
            &h.history,
            applied,
            self.namespaces.as_deref(),
        ));
        if let Ok(mut cache) = self.baselines.lock() {
            cache.insert(key, Arc::clone(&b));
        }
        b
    }
}

/// Why reading a database for drift failed. Messages hold no URL or
/// password (the caller redacts them with [`crate::conn::Session::redact`]
/// all the same).
#[derive(Debug, thiserror::Error)]
pub enum DriftError {
    #[error(transparent)]
    History(#[from] HistoryError),
    #[error(transparent)]
    Inspect(#[from] InspectError),
}

/// Reads one database (history table, then the catalog) and compares it
/// with `expected`.
///
/// Everything is read in one `REPEATABLE READ, READ ONLY` transaction (the
/// first statement sent), so the history and the catalog are one snapshot
/// and nothing can be written. A history table the role may not read is
/// not an error: the differences are reported, not attributed, and the
/// note says why.
pub async fn drift(client: &Client, expected: &Expected) -> Result<DriftReport, DriftError> {
    let read = read_live(client, &expected.inspect_options()).await?;
    Ok(expected.compare_read(read))
}

/// What [`read_live`] read from one database: the catalog and its history
/// table, to compare with an [`Expected`] (which may be made meanwhile).
#[derive(Debug)]
pub struct LiveRead {
    live: Schema,
    /// The role the database was read as (`current_user`).
    current_user: Option<String>,
    applied: Option<AppliedHistory>,
    /// The history table the role could not read.
    unreadable: Option<String>,
}

/// The reading half of [`drift`]: needs only what to read (the namespaces,
/// [`InspectOptions`]), not the expected schema, so a caller can replay the
/// expected side on another thread meanwhile.
pub async fn read_live(client: &Client, options: &InspectOptions) -> Result<LiveRead, DriftError> {
    read_live_shared(client, None, options).await
}

/// [`read_live`] on a new connection to `url`, with `connections - 1` more
/// reading their shares of the catalog from its snapshot (see
/// [`crate::inspect::inspect_url_with`]); errors are redacted (never the
/// URL or a password).
pub async fn read_live_url(
    url: &str,
    options: &InspectOptions,
    connections: usize,
) -> Result<LiveRead, String> {
    let session = crate::conn::connect(url).await.map_err(|e| e.to_string())?;
    let result = read_live_shared(&session.client, Some((url, connections)), options)
        .await
        .map_err(|e| session.redact(&e.to_string()));
    session.close().await;
    result
}

async fn read_live_shared(
    client: &Client,
    share: Option<(&str, usize)>,
    options: &InspectOptions,
) -> Result<LiveRead, DriftError> {
    begin(client, BEGIN_SNAPSHOT).await?;
    let (applied, unreadable) = match read_applied(client).await {
        Ok(a) => (a, None),
        Err(DriftError::History(HistoryError::NotReadable { table })) => (None, Some(table)),
        Err(e) => {
            let _ = client.batch_execute("ROLLBACK").await;
            return Err(e);
        }
    };
    let current_user = match client.query_one("SELECT current_user::text", &[]).await {
        Ok(row) => row.get::<_, Option<String>>(0),
        Err(e) => {
            let _ = client.batch_execute("ROLLBACK").await;
            return Err(DriftError::Inspect(InspectError::Query {
                step: "begin",
                reason: crate::conn::describe(&e),
            }));
        }
    };
    if let Err(e) = client.batch_execute(SET_SEARCH_PATH).await {
        let _ = client.batch_execute("ROLLBACK").await;
        return Err(DriftError::Inspect(InspectError::Query {
            step: "begin",
            reason: crate::conn::describe(&e),
        }));
    }
    let helpers = match share {
        Some((url, connections)) => match snapshot::share(url, client, connections).await {
            Ok(h) => h,
            Err(e) => {
                let _ = client.batch_execute("ROLLBACK").await;
                return Err(e.into());
            }
        },
        None => Vec::new(),
    };
    let clients: Vec<&Client> = helpers.iter().map(|h| &h.client).collect();
    let live = read_and_commit(client, &clients, options).await;
    snapshot::close(helpers).await;
    let live = live?;
    Ok(LiveRead {
        live,
        current_user,
        applied,
        unreadable,
    })
}

impl Expected {
    /// [`Expected::compare`] of what [`read_live`] read.
    pub fn compare_read(&self, read: LiveRead) -> DriftReport {
        let mut report = self.compare_as(
            read.live,
            read.applied.as_ref(),
            read.current_user.as_deref(),
        );
        if let Some(table) = read.unreadable {
            report.note = Some(format!(
                "the role cannot read the history table {table} (no SELECT privilege): \
                 differences are not attributed"
            ));
        }
        report
    }
}

/// The history table of the database, if it keeps one.
async fn read_applied(client: &Client) -> Result<Option<AppliedHistory>, DriftError> {
    crate::history::applied(client)
        .await
        .map_err(DriftError::History)
}

/// Entries the tool counts as applied.
fn applied_count(a: &AppliedHistory) -> usize {
    a.entries
        .iter()
        .filter(|e| e.state == EntryState::Applied)
        .count()
}

fn normalized(mut schema: Schema, namespaces: Option<&[String]>) -> Schema {
    remove_history_objects(&mut schema);
    if let Some(ns) = namespaces {
        restrict_namespaces(&mut schema, ns);
    }
    schema
}

/// What one applied set means for a migration folder.
#[derive(Debug, Clone)]
struct Baseline {
    /// A (normalized), or why it could not be replayed.
    applied: Result<Schema, String>,
    /// Indexes (into the folder's migrations) not applied yet.
    pending: Vec<usize>,
    /// Indexes of applied migrations whose checksum no longer matches.
    edited: Vec<usize>,
    /// Applied versions without a file.
    unknown: Vec<String>,
    /// Things worth saying about the history table.
    warnings: Vec<String>,
    /// What each edited migration changes, replayed where it stands.
    edited_touch: Vec<(usize, Vec<Difference>)>,
    /// What each pending migration changes, replayed after A in order
    /// (`None` when that replay failed: then H's provenance names them).
    pending_touch: Option<Vec<(usize, Vec<Difference>)>>,
}

fn compute_baseline(
    history: &History,
    applied: &AppliedHistory,
    namespaces: Option<&[String]>,
) -> Baseline {
    let n = history.migrations.len();
    let mut is_applied = vec![false; n];
    let mut edited = Vec::new();
    let mut matched = vec![false; applied.entries.len()];
    let mut warnings = Vec::new();
    for (i, m) in history.migrations.iter().enumerate() {
        let Some(e) = entry_for(applied, m, i) else {
            continue;
        };
        if let Some(k) = applied.entries.iter().position(|x| std::ptr::eq(x, e)) {
            matched[k] = true;
        }
        match e.state {
            EntryState::Applied => {
                is_applied[i] = true;
                if e.checksum.as_ref().is_some_and(|c| !checksum_matches(c, m)) {
                    edited.push(i);
                }
            }
            EntryState::Failed => warnings.push(format!(
                "{} is recorded as failed (not finished) in the {} history; it counts as not applied",
                m.file.path,
                applied.tool.label()
            )),
            EntryState::RolledBack => {}
        }
    }
    let unknown: Vec<String> = applied
        .entries
        .iter()
        .zip(&matched)
        .filter(|(e, m)| !**m && e.state == EntryState::Applied)
        .map(|(e, _)| {
            if e.name.is_empty() {
                e.version.clone()
            } else {
                format!("{} ({})", e.version, e.name)
            }
        })
        .collect();
    if !applied.also_found.is_empty() {
        warnings.push(format!(
            "the database also has the history table of {}; strata reads the {} one",
            applied
                .also_found
                .iter()
                .map(|t| t.label())
                .collect::<Vec<_>>()
                .join(", "),
            applied.tool.label()
        ));
    }
    edited.sort_unstable();
    let pending: Vec<usize> = (0..n).filter(|&i| !is_applied[i]).collect();
    let opts = DiffOptions::default();
    let mut r = Replayer::new();
    let mut edited_touch = Vec::new();
    let mut failure = None;
    for (i, m) in history.migrations.iter().enumerate() {
        if !is_applied[i] {
            continue;
        }
        let before = edited
            .contains(&i)
            .then(|| normalized(r.schema().clone(), namespaces));
        if let Err(e) = r.apply_file(&m.file.path, &m.file.text) {
            failure = Some(e.to_string());
            break;
        }
        if let Some(before) = before {
            let after = normalized(r.schema().clone(), namespaces);
            edited_touch.push((i, diff(&before, &after, opts)));
        }
    }
    if let Some(f) = failure {
        return Baseline {
            applied: Err(f),
            pending,
            edited,
            unknown,
            warnings,
            edited_touch,
            pending_touch: None,
        };
    }
    let a_schema = normalized(r.schema().clone(), namespaces);
    let mut touch = Vec::new();
    let mut ok = true;
    let mut before = a_schema.clone();
    for &i in &pending {
        let m = &history.migrations[i];
        if r.apply_file(&m.file.path, &m.file.text).is_err() {
            ok = false;
            break;
        }
        let after = normalized(r.schema().clone(), namespaces);
        touch.push((i, diff(&before, &after, opts)));
        before = after;
    }
    Baseline {
        applied: Ok(a_schema),
        pending,
        edited,
        unknown,
        warnings,
        edited_touch,
        pending_touch: ok.then_some(touch),
    }
}

fn structural(c: &Change) -> bool {
    matches!(c, Change::Missing { .. } | Change::Unexpected { .. })
}

/// The namespace and table paths an object lives in.
fn ancestors(p: &ObjectPath) -> Vec<ObjectPath> {
    let mut v = Vec::new();
    if !p.namespace.is_empty() {
        v.push(ObjectPath::new(ObjectKind::Namespace, "", &p.namespace));
    }
    if p.kind != ObjectKind::Table {
        if let Some(t) = p.table_path() {
            v.push(t);
        }
    }
    v
}

/// Whether a difference `e` of another pair of schemas concerns the same
/// thing as `d`: the same object (and the same property, when both are
/// property changes), an object containing it that one side lacks, or —
/// when `d` is a whole table or namespace one side lacks — anything in it.
fn covers(e: &Difference, d: &Difference) -> bool {
    if e.path == d.path {
        let field = |c: &Change| match c {
            Change::Changed { field, .. } | Change::Unproven { field, .. } => Some(field.clone()),
            _ => None,
        };
        return match (field(&e.change), field(&d.change)) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
    }
    if structural(&e.change) && ancestors(&d.path).contains(&e.path) {
        return true;
    }
    if structural(&d.change) && ancestors(&e.path).contains(&d.path) {
        return true;
    }
    false
}

fn attribute(
    d: &Difference,
    la: &[Difference],
    ah: &[Difference],
    base: &Baseline,
    h: &HistorySource,
) -> (Attribution, Vec<String>) {
    let file = |i: usize| h.history.migrations[i].file.path.clone();
    if la.iter().any(|e| covers(e, d)) {
        let edited: Vec<String> = base
            .edited_touch
            .iter()
            .filter(|(_, t)| t.iter().any(|e| covers(e, d)))
            .map(|(i, _)| file(*i))
            .collect();
        if edited.is_empty() {
            return (Attribution::OutOfBand, vec![]);
        }
        return (Attribution::EditedMigration, edited);
    }
    if ah.iter().any(|e| covers(e, d)) {
        let mut files: Vec<String> = match &base.pending_touch {
            Some(t) => t
                .iter()
                .filter(|(_, t)| t.iter().any(|e| covers(e, d)))
                .map(|(i, _)| file(*i))
                .collect(),
            None => vec![],
        };
        if files.is_empty() {
            // The last migration of the history that touched the object,
            // when it is pending.
            let last = h.replayed.provenance.get(&d.path).or_else(|| {
                d.path
                    .table_path()
                    .and_then(|t| h.replayed.provenance.get(&t))
            });
            if let Some(l) = last {
                if base.pending.iter().any(|&i| *file(i) == *l.file) {
                    files.push(l.file.to_string());
                }
            }
        }
        if files.is_empty() {
            files = base.pending.iter().map(|&i| file(i)).collect();
        }
        return (Attribution::Pending, files);
    }
    (Attribution::DeclaredNotMigrated, vec![])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changed(path: ObjectPath, field: &str) -> Difference {
        Difference {
            path,
            change: Change::Changed {
                field: field.into(),
                expected: "a".into(),
                found: "b".into(),
            },
            security: false,
        }
    }

    #[test]
    fn covering_is_by_object_and_property() {
        let col = ObjectPath::in_table(ObjectKind::Column, "public", "t", "c");
        let table = ObjectPath::new(ObjectKind::Table, "public", "t");
        let ty = changed(col.clone(), "type");
        assert!(covers(&changed(col.clone(), "type"), &ty));
        assert!(!covers(&changed(col.clone(), "default"), &ty));
        let table_missing = Difference {
            path: table.clone(),
            change: Change::Missing {
                expected: "CREATE TABLE t".into(),
            },
            security: false,
        };
        assert!(covers(&table_missing, &ty));
        assert!(covers(&ty, &table_missing));
        assert!(!covers(&changed(table, "comment"), &ty));
    }
}
