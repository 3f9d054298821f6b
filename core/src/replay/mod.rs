//! Offline replay: applying statements to a [`Schema`] as PostgreSQL would,
//! including the errors PostgreSQL would raise.
//!
//! Every statement is applied, recognised as changing no schema, ignored by
//! the user's explicit `-- strata:ignore`, or an error naming file:line:column.
//!
//! This file holds the [`Replayer`], which reads files and dispatches each
//! statement (`apply_stmt`); the statements of each kind of object are
//! applied in a file of their own, as in PostgreSQL's
//! `src/backend/commands/`: `namespace.rs` (search path, schemas),
//! `table.rs`, `column.rs`, `constraint.rs`, `index.rs`, `sequence.rs`,
//! `types.rs`, `routine.rs`, `policy.rs`, `privilege.rs` (GRANT, REVOKE, default
//! privileges), `trigger.rs`, `extension.rs`, `comment.rs`, `unmanaged.rs` (objects kept by
//! name), `view.rs` (what views depend on) and `do_block.rs`; `naming.rs`
//! (the registry of index and constraint names), `hints.rs` (rename hints)
//! and `expressions.rs` serve them all.

mod aggregate;
mod collation;
mod column;
mod comment;
mod constraint;
mod do_block;
mod domain;
mod event_trigger;
mod expressions;
mod extension;
mod foreign;
mod hints;
mod index;
mod namespace;
mod naming;
mod operator;
mod owner;
mod partition;
mod policy;
mod privilege;
mod publication;
mod range;
mod routine;
mod rule;
mod sequence;
mod statistics;
mod table;
mod trigger;
mod types;
mod unmanaged;
mod view;
mod view_trigger;

pub use hints::{RenameHint, RenameKind};
pub use namespace::Role;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;

use crate::error::{Error, Failure as ReplayError, Location, SqlError};
use crate::model::{
    Extension, Identity, Namespace, ObjectKind, ObjectPath, Schema, Table, Unmanaged,
};
use crate::parse::{self, QName, Stmt};
use crate::split::{self, RawStatement};

use naming::Names;
use view::ViewDeps;

/// The result of replaying files: the schema, where each object was last
/// touched, and what was read.
#[derive(Debug, Clone, Default)]
pub struct Replayed {
    pub schema: Schema,
    /// Where each object was last created or changed.
    pub provenance: BTreeMap<ObjectPath, Location>,
    /// Where each object was first defined (for a declared schema: its
    /// definition, not the COMMENT that came later).
    pub defined: BTreeMap<ObjectPath, Location>,
    pub stats: Stats,
    /// `-- strata:renamed-from OLD` hints, in the order they were read.
    pub renames: Vec<RenameHint>,
}

/// What replay read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub files: usize,
    pub statements: usize,
    /// Statements that change no schema (INSERT, UPDATE, SET, GRANT, …).
    pub data_statements: usize,
    /// psql meta-commands (`\restrict`, …) found in dumps.
    pub meta_commands: usize,
    /// Statements the user marked `-- strata:ignore`.
    pub ignored: Vec<Location>,
}

type R<T> = Result<T, ReplayError>;

fn err(code: &'static str, message: impl Into<String>) -> ReplayError {
    ReplayError {
        code,
        message: message.into(),
        help: None,
        offset: None,
        len: 0,
    }
}

fn help(mut e: ReplayError, h: impl Into<String>) -> ReplayError {
    e.help = Some(h.into());
    e
}

const DUPLICATE_OBJECT: &str = "42710";
const DUPLICATE_TABLE: &str = "42P07";
const DUPLICATE_COLUMN: &str = "42701";
const DUPLICATE_SCHEMA: &str = "42P06";
const UNDEFINED_TABLE: &str = "42P01";
const UNDEFINED_COLUMN: &str = "42703";
const UNDEFINED_OBJECT: &str = "42704";
const INSUFFICIENT_PRIVILEGE: &str = "42501";
const INVALID_SCHEMA: &str = "3F000";
const DEPENDENT_OBJECTS: &str = "2BP01";
const INVALID_TABLE_DEFINITION: &str = "42P16";
const INVALID_OBJECT_DEFINITION: &str = "42P17";
const FEATURE_NOT_SUPPORTED: &str = "0A000";
const SYNTAX_ERROR: &str = "42601";
const WRONG_OBJECT_TYPE: &str = "42809";
const INVALID_PARAMETER: &str = "22023";

/// Multirange type (namespace, name) → its range type (namespace, name).
type MultirangeIndex = BTreeMap<(String, String), (String, String)>;

/// Replays SQL files into a schema.
#[derive(Debug, Clone)]
pub struct Replayer {
    schema: Schema,
    provenance: BTreeMap<ObjectPath, Location>,
    defined: BTreeMap<ObjectPath, Location>,
    /// Whether `provenance` and `defined` are kept (both by default).
    keep_provenance: bool,
    keep_defined: bool,
    stats: Stats,
    search_path: Vec<String>,
    /// `SET LOCAL search_path`: overrides `search_path` until the end of
    /// the transaction (COMMIT, or the end of the file).
    local_search_path: Option<Vec<String>>,
    /// The role the statements run as, which `"$user"` in the search path
    /// stands for (see [`Replayer::set_role`]).
    role: Role,
    /// A lookup whose result depended on the unknown role: raised as the
    /// statement's error.
    user_ambiguity: std::cell::RefCell<Option<ReplayError>>,
    /// What each view's query references, recorded at CREATE VIEW (kept
    /// out of the compared model).
    view_deps: BTreeMap<Unmanaged, ViewDeps>,
    /// Whether any rule was created: what rules read is looked at only then.
    has_rules: bool,
    /// Whether the statement being applied ends with CASCADE.
    stmt_cascade: bool,
    /// The file offset of the statement being applied (for errors located
    /// inside it).
    stmt_offset: usize,
    /// Relations that exist but are not modelled (identity sequences).
    hidden_relations: BTreeSet<(String, String)>,
    /// Index and constraint names by namespace, kept in step with the tables
    /// so that name lookups do not scan every table (replay stays linear).
    names: std::cell::RefCell<Names>,
    /// Location of the statement being applied.
    here: Location,
    renames: Vec<RenameHint>,
    /// Tables the statement being applied touched: their new expressions
    /// are analysed once it is done ([`Replayer::analyze_touched`]).
    /// `None`: the whole table; else only the named indexes, constraints
    /// and policies (a statement that added or changed just those).
    touched: BTreeMap<(String, String), Option<expressions::TouchedObjects>>,
    /// The role set by `SET ROLE` / `SET SESSION AUTHORIZATION` in this
    /// session (file): what the objects it creates are owned by. `None`:
    /// the role running the migrations.
    session_role: Option<String>,
    /// `SET LOCAL ROLE`: overrides `session_role` until the end of the
    /// transaction.
    local_role: Option<Option<String>>,
    /// Shell types (`CREATE TYPE name`) not yet defined, by (namespace,
    /// name): the server keeps them in `pg_type` (`typisdefined` false),
    /// which neither inspect nor pg_dump's output show on their own.
    shell_types: BTreeSet<(String, String)>,
    /// Multirange type (namespace, name) → its range (namespace, name):
    /// built on first use, extended as ranges are created, rebuilt after
    /// anything else changes them ([`Replayer::ranges_changed`]), so type
    /// lookups stay linear in the statements replayed.
    multiranges: std::cell::RefCell<Option<MultirangeIndex>>,
}

impl Default for Replayer {
    fn default() -> Self {
        Self::new()
    }
}

/// Replays a list of files (name, text) in order.
pub fn replay_texts<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a Arc<str>)>,
) -> Result<Replayed, Error> {
    let mut r = Replayer::new();
    for (path, text) in files {
        r.apply_file(path, text)?;
    }
    Ok(r.finish())
}

impl Replayer {
    /// A replayer on an empty database: the `public` schema exists, with
    /// the comment PostgreSQL 15 gives it.
    pub fn new() -> Replayer {
        let mut schema = Schema::default();
        schema.namespaces.insert(
            "public".to_string(),
            Namespace {
                comment: Some("standard public schema".to_string()),
                acl: Some(crate::model::acl::public_schema_acl()),
                // PostgreSQL 15: `public` belongs to the database's owner.
                owner: crate::model::Owner::role_named("pg_database_owner"),
                ..Namespace::default()
            },
        );
        // Every new database has PL/pgSQL installed.
        schema.extensions.insert(
            "plpgsql".to_string(),
            Extension {
                namespace: "pg_catalog".to_string(),
                version: None,
            },
        );
        Replayer {
            schema,
            provenance: BTreeMap::new(),
            defined: BTreeMap::new(),
            keep_provenance: true,
            keep_defined: true,
            stats: Stats::default(),
            search_path: parse::default_search_path(),
            local_search_path: None,
            role: Role::default(),
            user_ambiguity: std::cell::RefCell::new(None),
            view_deps: BTreeMap::new(),
            has_rules: false,
            stmt_cascade: false,
            stmt_offset: 0,
            hidden_relations: BTreeSet::new(),
            names: std::cell::RefCell::new(Names::default()),
            here: Location {
                file: Arc::from(""),
                line: 0,
                column: 0,
            },
            renames: Vec::new(),
            touched: BTreeMap::new(),
            shell_types: BTreeSet::new(),
            multiranges: std::cell::RefCell::new(None),
            session_role: None,
            local_role: None,
        }
    }

    /// The owner `OWNER TO role` gives (`None`: CURRENT_USER, the role
    /// the SQL runs as now).
    pub(crate) fn owner_for(&self, role: Option<String>) -> crate::model::Owner {
        match role {
            Some(r) => crate::model::Owner(Some(r)),
            None => self.creator(),
        }
    }

    /// The owner of an object created now: the role set by `SET ROLE` or
    /// `SET SESSION AUTHORIZATION`, else the role running the migrations.
    pub(crate) fn creator(&self) -> crate::model::Owner {
        match &self.local_role {
            Some(r) => crate::model::Owner(r.clone()),
            None => crate::model::Owner(self.session_role.clone()),
        }
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Whether [`Replayed::provenance`] and [`Replayed::defined`] are
    /// recorded (both are by default); a map not kept stays empty.
    pub fn keep_locations(&mut self, provenance: bool, defined: bool) {
        self.keep_provenance = provenance;
        self.keep_defined = defined;
    }

    /// What `"$user"` in the search path stands for: see [`Role`].
    pub fn set_role(&mut self, role: Role) {
        self.role = role;
    }

    /// Applies every statement of a file. The search path is reset at the
    /// start of each file, as a new session would; a `SET LOCAL` ends with
    /// the file (each file is one transaction).
    pub fn apply_file(&mut self, path: &str, text: &Arc<str>) -> Result<(), Error> {
        self.apply_file_unless(path, text, None).map(|_| ())
    }

    /// [`Replayer::apply_file`], given up between two statements once
    /// `stop` is set (another thread found the result is not needed):
    /// `Ok(false)` then, and the model is left part-way.
    pub fn apply_file_unless(
        &mut self,
        path: &str,
        text: &Arc<str>,
        stop: Option<&std::sync::atomic::AtomicBool>,
    ) -> Result<bool, Error> {
        self.stats.files += 1;
        self.search_path = parse::default_search_path();
        self.local_search_path = None;
        self.session_role = None;
        self.local_role = None;
        let statements = split::split(path, text)?;
        // Each statement's text is freed once applied: the file's copies are
        // not all held while the model grows to its largest.
        for st in statements {
            if stop.is_some_and(|stop| stop.load(std::sync::atomic::Ordering::Relaxed)) {
                return Ok(false);
            }
            self.apply_raw(path, text, &st)?;
        }
        Ok(true)
    }

    /// Starts a new file (a new session) without reading it: what
    /// [`Self::apply_file`] does before its statements. With
    /// [`Self::apply_statement`] a caller can look at the model between
    /// statements (`strata lint`).
    pub fn begin_file(&mut self) {
        self.stats.files += 1;
        self.search_path = parse::default_search_path();
        self.local_search_path = None;
        self.session_role = None;
        self.local_role = None;
    }

    /// Applies one statement of a file split by [`split::split`], as
    /// [`Self::apply_file`] applies each: an error names its file:line:column.
    /// A failed statement leaves the model as it was before it only as far
    /// as replay's own statements are atomic; callers that go on after an
    /// error accept that.
    pub fn apply_statement(
        &mut self,
        path: &str,
        text: &Arc<str>,
        st: &RawStatement,
    ) -> Result<(), Error> {
        let r = self.apply_raw(path, text, st);
        self.user_ambiguity.get_mut().take();
        r
    }

    /// The namespace and table `q` names in the current session (search
    /// path included), if the model has it.
    pub fn lookup_table(&self, q: &QName) -> Option<(String, &Table)> {
        let ns = self.find_table(q);
        self.user_ambiguity.borrow_mut().take();
        let ns = ns?;
        let t = self.table(&ns, &q.name)?;
        Some((ns, t))
    }

    /// The namespace of the enum `q` names, if the model has it.
    pub fn lookup_enum(&self, q: &QName) -> Option<String> {
        let ns = self.find_enum(q);
        self.user_ambiguity.borrow_mut().take();
        ns
    }

    /// The namespace and table of the index `q` names, and whether it backs
    /// a constraint.
    pub fn lookup_index(&self, q: &QName) -> Option<(String, String, bool)> {
        let found = self.find_index(q);
        self.user_ambiguity.borrow_mut().take();
        found
    }

    /// The views (`schema.name`) whose query reads relation `ns.rel` (or its
    /// column `col`); `None` when strata cannot tell.
    pub fn views_reading(&self, ns: &str, rel: &str, col: Option<&str>) -> Option<Vec<String>> {
        self.views_depending_on(ns, rel, col)
            .ok()
            .map(|v| v.into_iter().map(|u| u.name).collect())
    }

    fn apply_raw(&mut self, path: &str, text: &Arc<str>, st: &RawStatement) -> Result<(), Error> {
        self.stats.statements += 1;
        // The file name is shared by every location recorded while in it.
        let file = if &*self.here.file == path {
            Arc::clone(&self.here.file)
        } else {
            Arc::from(path)
        };
        self.here = Location {
            file,
            line: st.line,
            column: st.column,
        };
        if st.meta_command {
            self.stats.meta_commands += 1;
            return Ok(());
        }
        if st.directives.iter().any(|d| d.name == "ignore") {
            self.stats.ignored.push(self.here.clone());
            return Ok(());
        }
        let stmt = parse::parse_statement(&st.text).map_err(|e| {
            let mut se = SqlError::new(path, text, st.offset + e.offset, e.len.max(1), e.message);
            se.help = Some(e.help.unwrap_or_else(|| {
                "fix the statement, or mark it with a `-- strata:ignore` comment on the line before it if it changes nothing strata models"
                    .to_string()
            }));
            se
        })?;
        let hint_target = self.hint_target(&stmt);
        let applied = self.apply_recording_views(stmt, &st.text, st.offset, text);
        // A lookup that depended on the unknown role fails the statement.
        let applied = match self.user_ambiguity.get_mut().take() {
            Some(e) => Err(e),
            None => applied,
        };
        applied.map_err(|e| {
            // Offsets that errors carry are file offsets (set inside DO
            // blocks); without one the error is at the statement.
            let offset = e.offset.unwrap_or(st.offset);
            let len = if e.offset.is_some() { e.len.max(1) } else { first_line_len(&st.text) };
            let mut se = SqlError::new(path, text, offset, len, e.message).with_label("PostgreSQL would fail here");
            se.help = e.help.or_else(|| {
                Some(format!(
                    "PostgreSQL would reject this statement (SQLSTATE {}); fix the migration or the statements before it",
                    e.code
                ))
            });
            Error::from(se)
        })?;
        if let Some(target) = hint_target {
            self.collect_renames(path, text, st, target)?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> Replayed {
        self.analyze_all_pending();
        // Columns and index keys were pushed one by one: give back what
        // their vectors grew beyond (a quarter of a large schema's model).
        for ns in self.schema.namespaces.values_mut() {
            for t in ns.tables.values_mut() {
                t.columns.shrink_to_fit();
                for i in t.indexes.values_mut() {
                    i.keys.shrink_to_fit();
                }
            }
        }
        Replayed {
            schema: self.schema,
            provenance: self.provenance,
            defined: self.defined,
            stats: self.stats,
            renames: self.renames,
        }
    }

    fn touch(&mut self, path: ObjectPath) {
        if let Some(t) = path.table_path() {
            use expressions::TouchedKind;
            let only = match path.kind {
                ObjectKind::Index => Some(TouchedKind::Index),
                ObjectKind::Constraint => Some(TouchedKind::Constraint),
                ObjectKind::Policy => Some(TouchedKind::Policy),
                _ => None,
            };
            let entry = self
                .touched
                .entry((t.namespace, t.name))
                .or_insert_with(|| Some(Vec::new()));
            match (only, entry) {
                (Some(kind), Some(list)) => list.push((kind, path.name.clone())),
                (Some(_), None) => {}
                (None, entry) => *entry = None,
            }
        }
        if self.keep_defined {
            self.defined
                .entry(path.clone())
                .or_insert_with(|| self.here.clone());
        }
        if self.keep_provenance {
            self.provenance.insert(path, self.here.clone());
        }
    }

    fn table_mut(&mut self, ns: &str, name: &str) -> &mut Table {
        self.names
            .get_mut()
            .dirty
            .insert((ns.to_string(), name.to_string()));
        self.schema
            .namespaces
            .get_mut(ns)
            .and_then(|n| n.tables.get_mut(name))
            .expect("caller resolved the table")
    }

    /// [`Self::table_mut`] that leaves the name registry alone: only for
    /// changes that touch no index or constraint name and no reference to
    /// another table (expressions), or whose one added name is then given
    /// to [`Self::names_added`].
    fn table_mut_quiet(&mut self, ns: &str, name: &str) -> &mut Table {
        self.schema
            .namespaces
            .get_mut(ns)
            .and_then(|n| n.tables.get_mut(name))
            .expect("caller resolved the table")
    }

    /// [`Self::table_mut`] for a table that may be gone (a registry entry).
    fn table_mut_if(&mut self, ns: &str, name: &str) -> Option<&mut Table> {
        let t = self
            .schema
            .namespaces
            .get_mut(ns)
            .and_then(|n| n.tables.get_mut(name))?;
        self.names
            .get_mut()
            .dirty
            .insert((ns.to_string(), name.to_string()));
        Some(t)
    }

    fn table(&self, ns: &str, name: &str) -> Option<&Table> {
        self.schema
            .namespaces
            .get(ns)
            .and_then(|n| n.tables.get(name))
    }

    fn ns_mut(&mut self, ns: &str) -> &mut Namespace {
        self.schema
            .namespaces
            .get_mut(ns)
            .expect("caller resolved the namespace")
    }

    // ------------------------------------------------------------ statements

    fn apply_stmt(&mut self, stmt: Stmt, stmt_offset: usize, text: &Arc<str>) -> R<()> {
        self.stmt_offset = stmt_offset;
        match stmt {
            Stmt::NonSchema(kind) => {
                if matches!(kind, "COMMIT" | "END" | "ROLLBACK" | "ABORT") {
                    self.local_search_path = None;
                    self.local_role = None;
                }
                self.stats.data_statements += 1;
                Ok(())
            }
            Stmt::SetSearchPath(p) => self.set_search_path(p),
            Stmt::SetRole { local, role } => {
                if local {
                    self.local_role = Some(role);
                } else {
                    self.session_role = role;
                    self.local_role = None;
                }
                self.stats.data_statements += 1;
                Ok(())
            }
            Stmt::SetLocalSearchPath(p) => self.set_local_search_path(p),
            Stmt::Do { body, body_offset } => self.apply_do(&body, stmt_offset + body_offset, text),
            Stmt::CreateSchema {
                name,
                if_not_exists,
                authorization,
            } => self.create_schema(name, if_not_exists, authorization),
            Stmt::DropSchema {
                names,
                if_exists,
                cascade,
            } => self.drop_schema(names, if_exists, cascade),
            Stmt::RenameSchema { name, new_name } => self.rename_schema(name, new_name),
            Stmt::CreateExtension {
                name,
                if_not_exists,
                schema,
                version,
            } => self.create_extension(name, if_not_exists, schema, version),
            Stmt::DropExtension {
                names, if_exists, ..
            } => self.drop_extension(names, if_exists),
            Stmt::AlterExtension {
                name,
                version,
                schema,
            } => self.alter_extension(name, version, schema),
            Stmt::CreateEnum { name, values } => self.create_enum(name, values),
            Stmt::AlterEnum { name, action } => self.alter_enum(name, action),
            Stmt::DropType {
                names,
                if_exists,
                cascade,
            } => self.drop_type(names, if_exists, cascade),
            Stmt::CreateComposite { name, attributes } => self.create_composite(name, attributes),
            Stmt::CreateRange { name, params } => self.create_range(name, params),
            Stmt::CreateShellType { name } => self.create_shell_type(name),
            Stmt::CreateDomain {
                name,
                base_type,
                collation,
                default,
                constraints,
            } => self.create_domain(name, base_type, collation, default, constraints),
            Stmt::AlterDomain { name, action } => self.alter_domain(name, action),
            Stmt::CreateEventTrigger {
                name,
                event,
                filters,
                function,
            } => self.create_event_trigger(name, event, filters, function),
            Stmt::Foreign(f) => self.foreign(*f),
            Stmt::AlterEventTrigger { name, action } => self.alter_event_trigger(name, action),
            Stmt::DropEventTrigger { names, if_exists } => {
                self.drop_event_trigger(names, if_exists)
            }
            Stmt::CreateStatistics {
                name,
                if_not_exists,
                kinds,
                elems,
                tables,
            } => self.create_statistics(name, if_not_exists, kinds, elems, tables),
            Stmt::AlterStatistics {
                name,
                if_exists,
                action,
            } => self.alter_statistics(name, if_exists, action),
            Stmt::DropStatistics { names, if_exists } => self.drop_statistics(names, if_exists),
            Stmt::CreateOperator { name, def } => self.create_operator(name, *def),
            Stmt::CreateAggregate {
                name,
                or_replace,
                def,
            } => self.create_aggregate(name, or_replace, *def),
            Stmt::AlterAggregate { target, action } => self.alter_aggregate(target, action),
            Stmt::DropAggregate {
                targets,
                if_exists,
                cascade,
            } => self.drop_aggregates(targets, if_exists, cascade),
            Stmt::AlterOperator { target, action } => self.alter_operator(target, action),
            Stmt::DropOperator {
                targets,
                if_exists,
                cascade,
            } => self.drop_operators(targets, if_exists, cascade),
            Stmt::CreateCollation {
                name,
                if_not_exists,
                def,
            } => self.create_collation(name, if_not_exists, def),
            Stmt::AlterCollation {
                name,
                rename,
                schema,
                owner,
            } => self.alter_collation(name, rename, schema, owner),
            Stmt::AlterOwner { target, role } => self.alter_owner(target, role),
            Stmt::DropCollation {
                names,
                if_exists,
                cascade,
            } => self.drop_collation(names, if_exists, cascade),
            Stmt::DropDomain {
                names,
                if_exists,
                cascade,
            } => self.drop_domain(names, if_exists, cascade),
            Stmt::CreateTable(ct) => self.create_table(ct),
            Stmt::AlterTable {
                name,
                if_exists,
                only,
                foreign,
                actions,
            } => {
                if foreign {
                    self.check_foreign_relation(&name)?;
                }
                self.alter_table(name, if_exists, only, actions)
            }
            Stmt::AttachIndex { parent, child } => self.attach_index(parent, child),
            Stmt::DropTable {
                names,
                if_exists,
                cascade,
                foreign,
            } => {
                self.check_drop_kind(&names, foreign, if_exists)?;
                self.drop_table(names, if_exists, cascade)
            }
            Stmt::CreateIndex(ci) => self.create_index(ci),
            Stmt::DropIndex {
                names, if_exists, ..
            } => self.drop_index(names, if_exists),
            Stmt::RenameIndex {
                name,
                if_exists,
                new_name,
            } => self.rename_index(name, if_exists, new_name),
            Stmt::AlterIndexOptions {
                name,
                if_exists,
                set,
                reset,
            } => self.alter_index_options(name, if_exists, set, reset),
            Stmt::AlterIndexStatistics {
                name,
                if_exists,
                targets,
            } => self.alter_index_statistics(name, if_exists, targets),
            Stmt::CreateSequence {
                name,
                if_not_exists,
                options,
            } => self.create_sequence(name, if_not_exists, options),
            Stmt::AlterSequence {
                name,
                if_exists,
                options,
                rename,
            } => self.alter_sequence(name, if_exists, options, rename),
            Stmt::DropSequence {
                names,
                if_exists,
                cascade,
            } => self.drop_sequence(names, if_exists, cascade),
            Stmt::Comment { target, text } => self.comment(target, text),
            Stmt::Unmanaged { kind, op } => self.unmanaged(kind, op),
            Stmt::CreateView(cv) => {
                let deps = self.analyse_query(&cv.query);
                self.create_view(*cv, &deps)
            }
            Stmt::AlterView {
                name,
                materialized,
                if_exists,
                action,
            } => self.alter_view(name, materialized, if_exists, action),
            Stmt::DropView {
                materialized,
                names,
                if_exists,
                cascade,
            } => self.drop_view(materialized, names, if_exists, cascade),
            Stmt::RefreshView { name, with_data } => self.refresh_view(name, with_data),
            Stmt::CreateRoutine {
                name,
                or_replace,
                routine,
            } => self.create_routine(name, or_replace, *routine),
            Stmt::DropRoutine {
                kind,
                refs,
                if_exists,
                cascade,
            } => self.drop_routine(kind, refs, if_exists, cascade),
            Stmt::AlterRoutine {
                kind,
                target,
                op,
                text,
            } => self.alter_routine(kind, target, op, text),
            Stmt::Grant(g) => self.grant(*g),
            Stmt::AlterDefaultPrivileges(d) => self.alter_default_privileges(*d),
            Stmt::CreatePolicy { name, table, def } => self.create_policy(name, table, *def),
            Stmt::AlterPolicy { name, table, op } => self.alter_policy(name, table, op),
            Stmt::DropPolicy {
                name,
                table,
                if_exists,
            } => self.drop_policy(name, table, if_exists),
            Stmt::CreatePublication {
                name,
                all_tables,
                objects,
                options,
            } => self.create_publication(name, all_tables, objects, options),
            Stmt::AlterPublication { name, action } => self.alter_publication(name, action),
            Stmt::DropPublication { names, if_exists } => self.drop_publication(names, if_exists),
            Stmt::CreateRule(cr) => self.create_rule(*cr),
            Stmt::DropRule {
                name,
                table,
                if_exists,
            } => self.drop_rule(name, table, if_exists),
            Stmt::RenameRule {
                name,
                table,
                new_name,
            } => self.rename_rule(name, table, new_name),
            Stmt::CreateTrigger(ct) => self.create_trigger(*ct),
            Stmt::DropTrigger {
                name,
                table,
                if_exists,
            } => self.drop_trigger(name, table, if_exists),
            Stmt::RenameTrigger {
                name,
                table,
                new_name,
            } => self.rename_trigger(name, table, new_name),
        }
    }
}

impl ReplayError {
    fn with_hint(mut self, h: &str) -> ReplayError {
        self.help = Some(h.to_string());
        self
    }
}

fn first_line_len(s: &str) -> usize {
    s.find('\n').unwrap_or(s.len()).max(1)
}

fn display_q(q: &QName) -> String {
    match &q.schema {
        Some(s) => format!("{s}.{}", q.name),
        None => q.name.clone(),
    }
}

#[allow(dead_code)]
fn _assert_identity_used(_: Identity) {}
