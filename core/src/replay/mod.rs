//! Offline replay: applying statements to a [`Schema`] as PostgreSQL would,
//! including the errors PostgreSQL would raise.
//!
//! Every statement is applied, recognised as changing no schema, ignored by
//! the user's explicit `-- strata:ignore`, or an error naming file:line:column.

mod expressions;
mod extension;
mod hints;
mod namespace;
mod naming;
mod sequence;
mod types;

pub use hints::{RenameHint, RenameKind};
pub use namespace::Role;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;

use crate::error::{line_column, Error, Location, SqlError};
use crate::model::{
    qualified, quote_ident, Column, Constraint, ConstraintKind, Extension, Identity, Index,
    IndexKey, IndexKeyExpr, Namespace, ObjectKind, ObjectPath, Schema, Sequence, Table, Unmanaged,
    UnmanagedKind,
};
use crate::names;
use crate::parse::{
    self, ColumnDef, ColumnOp, CommentTarget, ConstraintDef, ConstraintDefKind, CreateIndex,
    CreateTable, QName, SeqOptions, Stmt, TableAction, UnmanagedOp,
};
use crate::split::{self, RawStatement};

use naming::Names;
use sequence::apply_seq_options;

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

/// A PostgreSQL-like error raised while applying a statement.
#[derive(Debug, Clone)]
pub(crate) struct ReplayError {
    /// SQLSTATE PostgreSQL would report.
    pub code: &'static str,
    pub message: String,
    pub help: Option<String>,
    /// Byte offset inside the statement, when more precise than its start.
    pub offset: Option<usize>,
    pub len: usize,
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

/// Replays SQL files into a schema.
#[derive(Debug, Clone)]
pub struct Replayer {
    schema: Schema,
    provenance: BTreeMap<ObjectPath, Location>,
    defined: BTreeMap<ObjectPath, Location>,
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
    /// Whether the statement being applied ends with CASCADE.
    stmt_cascade: bool,
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
    touched: BTreeSet<(String, String)>,
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
            stats: Stats::default(),
            search_path: parse::default_search_path(),
            local_search_path: None,
            role: Role::default(),
            user_ambiguity: std::cell::RefCell::new(None),
            view_deps: BTreeMap::new(),
            stmt_cascade: false,
            hidden_relations: BTreeSet::new(),
            names: std::cell::RefCell::new(Names::default()),
            here: Location {
                file: String::new(),
                line: 0,
                column: 0,
            },
            renames: Vec::new(),
            touched: BTreeSet::new(),
        }
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    pub(crate) fn count_data_statement(&mut self) {
        self.stats.data_statements += 1;
    }

    /// What `"$user"` in the search path stands for: see [`Role`].
    pub fn set_role(&mut self, role: Role) {
        self.role = role;
    }

    /// Applies every statement of a file. The search path is reset at the
    /// start of each file, as a new session would; a `SET LOCAL` ends with
    /// the file (each file is one transaction).
    pub fn apply_file(&mut self, path: &str, text: &Arc<str>) -> Result<(), Error> {
        self.stats.files += 1;
        self.search_path = parse::default_search_path();
        self.local_search_path = None;
        let statements = split::split(path, text)?;
        for st in &statements {
            self.apply_raw(path, text, st)?;
        }
        Ok(())
    }

    fn apply_raw(&mut self, path: &str, text: &Arc<str>, st: &RawStatement) -> Result<(), Error> {
        self.stats.statements += 1;
        self.here = Location {
            file: path.to_string(),
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

    pub fn finish(self) -> Replayed {
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
            self.touched.insert((t.namespace, t.name));
        }
        self.defined
            .entry(path.clone())
            .or_insert_with(|| self.here.clone());
        self.provenance.insert(path, self.here.clone());
    }

    // ------------------------------------------------------------ resolution

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

    /// Finds an index by name: (namespace, table, is_constraint).
    fn find_index(&self, q: &QName) -> Option<(String, String, bool)> {
        let nss: Vec<String> = match &q.schema {
            Some(s) => vec![s.clone()],
            None => self.search_namespaces(),
        };
        let found = nss.into_iter().find_map(|ns| {
            self.index_owner(&ns, &q.name)
                .map(|(table, is_constraint)| (ns, table, is_constraint))
        });
        if q.schema.is_none() {
            let has = |n: &str| self.index_owner(n, &q.name).is_some();
            self.note_user_dependence(found.as_ref().map(|f| f.0.as_str()), &has);
        }
        found
    }

    // ------------------------------------------------------------ statements

    fn apply_stmt(&mut self, stmt: Stmt, stmt_offset: usize, text: &Arc<str>) -> R<()> {
        match stmt {
            Stmt::NonSchema(kind) => {
                if matches!(kind, "COMMIT" | "END" | "ROLLBACK" | "ABORT") {
                    self.local_search_path = None;
                }
                self.stats.data_statements += 1;
                Ok(())
            }
            Stmt::SetSearchPath(p) => self.set_search_path(p),
            Stmt::SetLocalSearchPath(p) => self.set_local_search_path(p),
            Stmt::Do { body, body_offset } => self.apply_do(&body, stmt_offset + body_offset, text),
            Stmt::CreateSchema {
                name,
                if_not_exists,
            } => self.create_schema(name, if_not_exists),
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
            Stmt::CreateTable(ct) => self.create_table(ct),
            Stmt::AlterTable {
                name,
                if_exists,
                actions,
            } => {
                let Some(ns) = self.find_table(&name) else {
                    if if_exists {
                        return Ok(());
                    }
                    // ALTER TABLE also reaches sequences and views (pg_dump
                    // writes `ALTER TABLE seq OWNER TO …`): fine when it changes
                    // nothing strata models.
                    if self.relation_kind(&name).is_some()
                        && actions.iter().all(|a| matches!(a, TableAction::NoOp(_)))
                    {
                        return Ok(());
                    }
                    return Err(self
                        .table_ns(&name)
                        .err()
                        .unwrap_or_else(|| err(UNDEFINED_TABLE, "relation does not exist")));
                };
                let mut table = name.name.clone();
                let mut ns = ns;
                for a in actions {
                    self.alter_table(&mut ns, &mut table, a)?;
                }
                Ok(())
            }
            Stmt::DropTable {
                names,
                if_exists,
                cascade,
            } => {
                for q in names {
                    let Some(ns) = self.find_table(&q) else {
                        if if_exists {
                            continue;
                        }
                        return Err(self
                            .table_ns(&q)
                            .err()
                            .unwrap_or_else(|| err(UNDEFINED_TABLE, "relation does not exist")));
                    };
                    let referencing = self.fks_referencing(&ns, &q.name);
                    if !referencing.is_empty() && !cascade {
                        let (rns, rt, rc) = &referencing[0];
                        return Err(help(
                            err(
                                DEPENDENT_OBJECTS,
                                format!(
                                    "cannot drop table {} because other objects depend on it (constraint {} on table {})",
                                    qualified(&ns, &q.name),
                                    rc,
                                    qualified(rns, rt)
                                ),
                            ),
                            "drop the foreign keys first, or use DROP TABLE … CASCADE",
                        ));
                    }
                    self.drop_dependent_views(&ns, &q.name, None, cascade, "table")?;
                    self.drop_fks_referencing(&ns, &q.name);
                    self.drop_table_inner(&ns, &q.name);
                }
                Ok(())
            }
            Stmt::CreateIndex(ci) => self.create_index(ci),
            Stmt::DropIndex {
                names, if_exists, ..
            } => {
                for q in names {
                    match self.find_index(&q) {
                        Some((ns, t, false)) => {
                            self.table_mut(&ns, &t).indexes.remove(&q.name);
                        }
                        Some((_, t, true)) => {
                            return Err(help(
                                err(
                                    DEPENDENT_OBJECTS,
                                    format!(
                                        "cannot drop index {} because constraint {} on table {} requires it",
                                        q.name, q.name, t
                                    ),
                                ),
                                "drop the constraint instead: ALTER TABLE … DROP CONSTRAINT",
                            ));
                        }
                        None => {
                            if !if_exists {
                                return Err(err(
                                    UNDEFINED_OBJECT,
                                    format!("index \"{}\" does not exist", display_q(&q)),
                                ));
                            }
                        }
                    }
                }
                Ok(())
            }
            Stmt::RenameIndex {
                name,
                if_exists,
                new_name,
            } => {
                let Some((ns, t, is_constraint)) = self.find_index(&name) else {
                    if if_exists {
                        return Ok(());
                    }
                    return Err(err(
                        UNDEFINED_TABLE,
                        format!("relation \"{}\" does not exist", display_q(&name)),
                    ));
                };
                if self.relation_taken(&ns, &new_name) {
                    return Err(err(
                        DUPLICATE_TABLE,
                        format!("relation \"{new_name}\" already exists"),
                    ));
                }
                let table = self.table_mut(&ns, &t);
                if is_constraint {
                    if let Some(c) = table.constraints.remove(&name.name) {
                        table.constraints.insert(new_name.clone(), c);
                    }
                    self.touch(ObjectPath::in_table(
                        ObjectKind::Constraint,
                        &ns,
                        &t,
                        &new_name,
                    ));
                } else {
                    if let Some(i) = table.indexes.remove(&name.name) {
                        table.indexes.insert(new_name.clone(), i);
                    }
                    self.touch(ObjectPath::in_table(ObjectKind::Index, &ns, &t, &new_name));
                }
                Ok(())
            }
            Stmt::AlterIndexOptions {
                name,
                if_exists,
                set,
                reset,
            } => {
                let Some((ns, t, is_constraint)) = self.find_index(&name) else {
                    if if_exists {
                        return Ok(());
                    }
                    return Err(err(
                        UNDEFINED_TABLE,
                        format!("relation \"{}\" does not exist", display_q(&name)),
                    ));
                };
                if is_constraint {
                    return Err(help(
                        err(
                            FEATURE_NOT_SUPPORTED,
                            format!(
                                "storage parameters of index \"{}\", which backs a constraint, are not supported yet",
                                name.name
                            ),
                        ),
                        "mark the statement with `-- strata:ignore` to skip it (the parameters will then be missing from the model)",
                    ));
                }
                let table = self.table_mut(&ns, &t);
                if let Some(i) = table.indexes.get_mut(&name.name) {
                    let set = index_options(&i.method, set)?;
                    for n in reset {
                        i.options.remove(&n);
                    }
                    i.options.extend(set);
                }
                self.touch(ObjectPath::in_table(ObjectKind::Index, &ns, &t, &name.name));
                Ok(())
            }
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
        }
    }

    fn fks_referencing(&self, ns: &str, table: &str) -> Vec<(String, String, String)> {
        let mut v = Vec::new();
        for (nsn, n) in &self.schema.namespaces {
            for (tn, t) in &n.tables {
                if nsn == ns && tn == table {
                    continue;
                }
                for (cn, c) in &t.constraints {
                    if let ConstraintKind::ForeignKey {
                        ref_namespace,
                        ref_table,
                        ..
                    } = &c.kind
                    {
                        if ref_namespace == ns && ref_table == table {
                            v.push((nsn.clone(), tn.clone(), cn.clone()));
                        }
                    }
                }
            }
        }
        v
    }

    fn drop_fks_referencing(&mut self, ns: &str, table: &str) {
        let mut changed = Vec::new();
        for (nsn, n) in self.schema.namespaces.iter_mut() {
            for (tn, t) in n.tables.iter_mut() {
                let before = t.constraints.len();
                t.constraints.retain(|_, c| {
                    !matches!(&c.kind, ConstraintKind::ForeignKey { ref_namespace, ref_table, .. } if ref_namespace == ns && ref_table == table)
                });
                if t.constraints.len() != before {
                    changed.push((nsn.clone(), tn.clone()));
                }
            }
        }
        for (nsn, tn) in changed {
            self.table_changed(&nsn, &tn);
        }
    }

    fn drop_table_inner(&mut self, ns: &str, name: &str) {
        self.table_changed(ns, name);
        let n = self.ns_mut(ns);
        n.tables.remove(name);
        // Owned sequences go with the table.
        n.sequences
            .retain(|_, s| s.owned_by.as_ref().is_none_or(|(t, _)| t != name));
        let prefix = format!("{}.{}.", quote_ident(ns), quote_ident(name));
        self.schema.unmanaged.retain(|u| {
            !(matches!(
                u.kind,
                UnmanagedKind::Trigger | UnmanagedKind::Policy | UnmanagedKind::Rule
            ) && u.name.starts_with(&prefix))
        });
        self.hidden_relations
            .retain(|(hns, hn)| !(hns == ns && hn.starts_with(&format!("{name}_"))));
    }

    // ------------------------------------------------------------ enums

    // ------------------------------------------------------------ tables

    fn create_table(&mut self, ct: CreateTable) -> R<()> {
        let ns = self.creation_ns(&ct.name)?;
        if self.relation_taken(&ns, &ct.name.name) || self.type_exists_in(&ns, &ct.name.name) {
            if ct.if_not_exists {
                return Ok(());
            }
            return Err(err(
                DUPLICATE_TABLE,
                format!("relation \"{}\" already exists", ct.name.name),
            ));
        }
        let name = ct.name.name.clone();
        let mut seen = BTreeSet::new();
        for c in &ct.columns {
            if !seen.insert(c.name.clone()) {
                return Err(err(
                    DUPLICATE_COLUMN,
                    format!("column \"{}\" specified more than once", c.name),
                ));
            }
        }
        self.table_changed(&ns, &name);
        self.ns_mut(&ns).tables.insert(
            name.clone(),
            Table {
                unlogged: ct.unlogged,
                partition_by: ct.partition_by.clone(),
                options: table_options(ct.partition_by.is_some(), ct.options)?,
                ..Table::default()
            },
        );
        self.touch(ObjectPath::new(ObjectKind::Table, &ns, &name));
        // PostgreSQL creates the table with its columns and defaults, then
        // the index-backed constraints, then checks, then foreign keys.
        let mut deferred: Vec<ConstraintDef> = Vec::new();
        for c in ct.columns {
            let col_constraints = self.add_column(&ns, &name, c, false)?;
            deferred.extend(col_constraints);
        }
        deferred.extend(ct.constraints);
        self.add_constraints_in_pg_order(&ns, &name, deferred, true)
    }

    fn add_constraints_in_pg_order(
        &mut self,
        ns: &str,
        table: &str,
        cons: Vec<ConstraintDef>,
        creating: bool,
    ) -> R<()> {
        let (mut pk, mut uq, mut ck, mut fk, mut ex) = (vec![], vec![], vec![], vec![], vec![]);
        for c in cons {
            match c.kind {
                ConstraintDefKind::PrimaryKey { .. } => pk.push(c),
                ConstraintDefKind::Unique { .. } => uq.push(c),
                ConstraintDefKind::Check { .. } => ck.push(c),
                ConstraintDefKind::ForeignKey { .. } => fk.push(c),
                ConstraintDefKind::Exclusion { .. } => ex.push(c),
            }
        }
        if pk.len() > 1 {
            return Err(err(
                INVALID_TABLE_DEFINITION,
                format!("multiple primary keys for table \"{table}\" are not allowed"),
            ));
        }
        // PostgreSQL drops index constraints that repeat an earlier one
        // (`id integer PRIMARY KEY UNIQUE`), keeping the primary key, and
        // hands a name to an unnamed earlier twin.
        let key_of = |c: &ConstraintDef| match &c.kind {
            ConstraintDefKind::PrimaryKey {
                columns,
                include,
                using_index: None,
            } => Some((
                columns.clone(),
                include.clone(),
                false,
                c.deferrable,
                c.initially_deferred,
            )),
            ConstraintDefKind::Unique {
                columns,
                include,
                nulls_not_distinct,
                using_index: None,
            } => Some((
                columns.clone(),
                include.clone(),
                *nulls_not_distinct,
                c.deferrable,
                c.initially_deferred,
            )),
            _ => None,
        };
        let mut kept: Vec<ConstraintDef> = Vec::new();
        for c in uq {
            let k = key_of(&c);
            let twin = k.as_ref().and_then(|k| {
                pk.iter_mut().chain(kept.iter_mut()).find(|p| {
                    key_of(p).is_some_and(|pk| {
                        pk.0 == k.0 && pk.1 == k.1 && pk.2 == k.2 && pk.3 == k.3 && pk.4 == k.4
                    })
                })
            });
            match twin {
                Some(prior) => {
                    if prior.name.is_none() {
                        prior.name = c.name.clone();
                    }
                }
                None => kept.push(c),
            }
        }
        let uq = kept;
        // Named checks claim their names before unnamed ones are chosen.
        for c in pk.into_iter().chain(uq).chain(ex).chain(ck).chain(fk) {
            self.add_constraint(ns, table, c, creating)?;
        }
        Ok(())
    }

    /// Adds a column; returns its inline constraints for the caller to add.
    fn add_column(
        &mut self,
        ns: &str,
        table: &str,
        c: ColumnDef,
        altering: bool,
    ) -> R<Vec<ConstraintDef>> {
        let t = self.table(ns, table).expect("resolved");
        if t.column(&c.name).is_some() {
            return Err(err(
                DUPLICATE_COLUMN,
                format!(
                    "column \"{}\" of relation \"{table}\" already exists",
                    c.name
                ),
            ));
        }
        if t.columns.len() >= 1600 {
            return Err(err("54011", "tables can have at most 1600 columns"));
        }
        self.check_type(&c.data_type)?;
        let data_type = self.resolve_type(&c.data_type);
        if c.generated.is_some() && (c.default.is_some() || c.identity.is_some()) {
            return Err(err(SYNTAX_ERROR, format!("both default and generation expression specified for column \"{}\" of table \"{table}\"", c.name)));
        }
        if c.identity.is_some() && c.default.is_some() {
            return Err(err(
                SYNTAX_ERROR,
                format!(
                    "both default and identity specified for column \"{}\" of table \"{table}\"",
                    c.name
                ),
            ));
        }
        if c.identity.is_some() && !matches!(data_type.as_str(), "smallint" | "integer" | "bigint")
        {
            return Err(err(
                "22023",
                "identity column type must be smallint, integer, or bigint",
            ));
        }
        let mut col = Column::new(c.name.clone(), data_type.clone());
        col.not_null = c.not_null;
        col.default = c.default.clone();
        col.generated = c.generated.clone();
        col.collation = c.collation.clone();
        if let Some((kind, opts)) = &c.identity {
            col.identity = Some(*kind);
            col.not_null = true;
            let seq =
                names::choose_name(table, Some(&c.name), "seq", |n| self.relation_taken(ns, n));
            let mut s = Sequence::with_defaults(&data_type);
            apply_seq_options(&mut s, opts, true)?;
            col.identity_options = crate::model::IdentityOptions::canonical(&s);
            self.hidden_relations.insert((ns.to_string(), seq));
        }
        if c.serial {
            let seq_name =
                names::choose_name(table, Some(&c.name), "seq", |n| self.relation_taken(ns, n));
            let mut s = Sequence::with_defaults(&data_type);
            s.owned_by = Some((table.to_string(), c.name.clone()));
            self.ns_mut(ns).sequences.insert(seq_name.clone(), s);
            self.touch(ObjectPath::new(ObjectKind::Sequence, ns, &seq_name));
            col.default = Some(crate::model::Expression::from_server(format!(
                "nextval({}::regclass)",
                crate::model::quote_literal(&qualified(ns, &seq_name))
            )));
            col.not_null = true;
        }
        let _ = altering;
        let cname = c.name.clone();
        self.table_mut(ns, table).columns.push(col);
        self.touch(ObjectPath::in_table(ObjectKind::Column, ns, table, &cname));
        Ok(c.constraints)
    }

    fn add_constraint(
        &mut self,
        ns: &str,
        table: &str,
        c: ConstraintDef,
        _creating: bool,
    ) -> R<()> {
        let cols_exist = |me: &Self, cols: &[String]| -> R<()> {
            let t = me.table(ns, table).expect("resolved");
            for col in cols {
                if t.column(col).is_none() {
                    return Err(err(
                        UNDEFINED_COLUMN,
                        format!("column \"{col}\" named in key does not exist"),
                    ));
                }
            }
            Ok(())
        };
        let (name, kind) = match c.kind {
            ConstraintDefKind::PrimaryKey {
                columns,
                include,
                using_index,
            } => {
                let t = self.table(ns, table).expect("resolved");
                if t.constraints
                    .values()
                    .any(|c| matches!(c.kind, ConstraintKind::PrimaryKey { .. }))
                {
                    return Err(err(
                        INVALID_TABLE_DEFINITION,
                        format!("multiple primary keys for table \"{table}\" are not allowed"),
                    ));
                }
                let (columns, include) = match using_index {
                    Some(idx) => {
                        self.take_index_for_constraint(ns, table, &idx, c.name.as_deref())?
                    }
                    None => (columns, include),
                };
                cols_exist(self, &columns)?;
                cols_exist(self, &include)?;
                for col in &columns {
                    if let Some(cc) = self.table_mut(ns, table).column_mut(col) {
                        cc.not_null = true;
                    }
                }
                let name = match c.name {
                    Some(n) => n,
                    None => names::choose_name(table, None, "pkey", |n| {
                        self.relation_taken(ns, n) || self.constraint_name_taken(ns, n)
                    }),
                };
                (name, ConstraintKind::PrimaryKey { columns, include })
            }
            ConstraintDefKind::Unique {
                columns,
                include,
                nulls_not_distinct,
                using_index,
            } => {
                let (columns, include) = match using_index {
                    Some(idx) => {
                        self.take_index_for_constraint(ns, table, &idx, c.name.as_deref())?
                    }
                    None => (columns, include),
                };
                cols_exist(self, &columns)?;
                cols_exist(self, &include)?;
                let name = match c.name {
                    Some(n) => n,
                    None => {
                        let mut parts: Vec<&str> = columns.iter().map(String::as_str).collect();
                        parts.extend(include.iter().map(String::as_str));
                        let numbered = names::index_column_names(&parts);
                        let numbered: Vec<&str> = numbered.iter().map(String::as_str).collect();
                        let joined = names::join_column_names(&numbered);
                        names::choose_name(table, Some(&joined), "key", |n| {
                            self.relation_taken(ns, n) || self.constraint_name_taken(ns, n)
                        })
                    }
                };
                (
                    name,
                    ConstraintKind::Unique {
                        columns,
                        include,
                        nulls_not_distinct,
                    },
                )
            }
            ConstraintDefKind::Check {
                expression,
                columns,
                no_inherit,
            } => {
                let t = self.table(ns, table).expect("resolved");
                for col in &columns {
                    if t.column(col).is_none() && !is_sql_keyword_value(col) {
                        return Err(err(
                            UNDEFINED_COLUMN,
                            format!("column \"{col}\" does not exist"),
                        ));
                    }
                }
                let name = match c.name {
                    Some(n) => n,
                    None => {
                        let real: Vec<&String> =
                            columns.iter().filter(|c| t.column(c).is_some()).collect();
                        let col = if real.len() == 1 {
                            Some(real[0].as_str())
                        } else {
                            None
                        };
                        names::choose_name(table, col, "check", |n| {
                            self.constraint_name_taken(ns, n)
                        })
                    }
                };
                (
                    name,
                    ConstraintKind::Check {
                        expression,
                        no_inherit,
                    },
                )
            }
            ConstraintDefKind::Exclusion {
                definition,
                columns,
                name_parts,
            } => {
                cols_exist(self, &columns)?;
                let name = match c.name {
                    Some(n) => n,
                    None => {
                        let parts: Vec<&str> = name_parts.iter().map(String::as_str).collect();
                        let numbered = names::index_column_names(&parts);
                        let numbered: Vec<&str> = numbered.iter().map(String::as_str).collect();
                        let joined = names::join_column_names(&numbered);
                        names::choose_name(table, Some(&joined), "excl", |n| {
                            self.relation_taken(ns, n) || self.constraint_name_taken(ns, n)
                        })
                    }
                };
                (name, ConstraintKind::Exclusion { definition })
            }
            ConstraintDefKind::ForeignKey {
                columns,
                ref_table,
                ref_columns,
                on_delete,
                on_update,
                match_full,
            } => {
                cols_exist(self, &columns)?;
                let rns = if ref_table.schema.is_none()
                    && ref_table.name == table
                    && self.find_table(&ref_table).is_none()
                {
                    ns.to_string()
                } else {
                    self.table_ns(&ref_table)?
                };
                let rt = self.table(&rns, &ref_table.name).expect("resolved");
                let ref_columns = if ref_columns.is_empty() {
                    match rt.constraints.values().find_map(|c| match &c.kind {
                        ConstraintKind::PrimaryKey { columns, .. } => Some(columns.clone()),
                        _ => None,
                    }) {
                        Some(cols) => cols,
                        None => {
                            return Err(err(
                                UNDEFINED_OBJECT,
                                format!(
                                    "there is no primary key for referenced table \"{}\"",
                                    ref_table.name
                                ),
                            ))
                        }
                    }
                } else {
                    ref_columns
                };
                for rc in &ref_columns {
                    if rt.column(rc).is_none() {
                        return Err(err(UNDEFINED_COLUMN, format!("column \"{rc}\" referenced in foreign key constraint does not exist")));
                    }
                }
                if ref_columns.len() != columns.len() {
                    return Err(err(
                        "42830",
                        "number of referencing and referenced columns for foreign key disagree",
                    ));
                }
                // The referenced columns need a unique constraint or index.
                let mut sorted_ref = ref_columns.clone();
                sorted_ref.sort();
                let has_unique = rt.constraints.values().any(|c| match &c.kind {
                    ConstraintKind::PrimaryKey { columns, .. }
                    | ConstraintKind::Unique { columns, .. } => {
                        let mut s = columns.clone();
                        s.sort();
                        s == sorted_ref
                    }
                    _ => false,
                }) || rt.indexes.values().any(|i| {
                    i.unique && i.predicate.is_none() && {
                        let mut s: Vec<String> = i
                            .keys
                            .iter()
                            .filter_map(|k| match &k.key {
                                IndexKeyExpr::Column(c) => Some(c.clone()),
                                _ => None,
                            })
                            .collect();
                        s.sort();
                        s.len() == i.keys.len() && s == sorted_ref
                    }
                });
                if !has_unique {
                    return Err(help(
                        err(
                            "42830",
                            format!(
                                "there is no unique constraint matching given keys for referenced table \"{}\"",
                                ref_table.name
                            ),
                        ),
                        "add a primary key or unique constraint on the referenced columns first",
                    ));
                }
                let name = match c.name {
                    Some(n) => n,
                    None => {
                        let parts: Vec<&str> = columns.iter().map(String::as_str).collect();
                        let joined = names::join_column_names(&parts);
                        names::choose_name(table, Some(&joined), "fkey", |n| {
                            self.constraint_name_taken(ns, n)
                        })
                    }
                };
                (
                    name,
                    ConstraintKind::ForeignKey {
                        columns,
                        ref_namespace: rns,
                        ref_table: ref_table.name,
                        ref_columns,
                        on_delete,
                        on_update,
                        match_full,
                    },
                )
            }
        };
        let is_index = matches!(
            kind,
            ConstraintKind::PrimaryKey { .. }
                | ConstraintKind::Unique { .. }
                | ConstraintKind::Exclusion { .. }
        );
        if is_index && self.relation_taken(ns, &name) {
            return Err(err(
                DUPLICATE_TABLE,
                format!("relation \"{name}\" already exists"),
            ));
        }
        if self
            .table(ns, table)
            .expect("resolved")
            .constraints
            .contains_key(&name)
        {
            return Err(err(
                DUPLICATE_OBJECT,
                format!("constraint \"{name}\" for relation \"{table}\" already exists"),
            ));
        }
        let validated = !(c.not_valid
            && matches!(
                kind,
                ConstraintKind::ForeignKey { .. } | ConstraintKind::Check { .. }
            ));
        if c.not_valid
            && !matches!(
                kind,
                ConstraintKind::ForeignKey { .. } | ConstraintKind::Check { .. }
            )
        {
            return Err(err(
                FEATURE_NOT_SUPPORTED,
                "constraints other than foreign keys and checks cannot be marked NOT VALID",
            ));
        }
        let constraint = Constraint {
            kind,
            deferrable: c.deferrable,
            initially_deferred: c.initially_deferred,
            validated,
            comment: None,
        };
        self.table_mut(ns, table)
            .constraints
            .insert(name.clone(), constraint);
        self.touch(ObjectPath::in_table(
            ObjectKind::Constraint,
            ns,
            table,
            &name,
        ));
        Ok(())
    }

    /// `ADD CONSTRAINT … USING INDEX idx`: the index becomes the constraint's
    /// (renamed to the constraint name).
    fn take_index_for_constraint(
        &mut self,
        ns: &str,
        table: &str,
        idx: &str,
        _name: Option<&str>,
    ) -> R<(Vec<String>, Vec<String>)> {
        let t = self.table_mut(ns, table);
        let Some(i) = t.indexes.remove(idx) else {
            return Err(err(
                UNDEFINED_OBJECT,
                format!("index \"{idx}\" does not exist"),
            ));
        };
        if !i.unique || i.predicate.is_some() {
            t.indexes.insert(idx.to_string(), i);
            return Err(err(
                WRONG_OBJECT_TYPE,
                format!("\"{idx}\" is not a unique index"),
            ));
        }
        let mut cols = Vec::new();
        for k in &i.keys {
            match &k.key {
                IndexKeyExpr::Column(c) => cols.push(c.clone()),
                IndexKeyExpr::Expression(_) => {
                    t.indexes.insert(idx.to_string(), i.clone());
                    return Err(err(
                        WRONG_OBJECT_TYPE,
                        format!("index \"{idx}\" contains expressions"),
                    ));
                }
            }
        }
        Ok((cols, i.include.clone()))
    }

    fn alter_table(&mut self, ns: &mut String, table: &mut String, a: TableAction) -> R<()> {
        let (nsn, tn) = (ns.clone(), table.clone());
        match a {
            TableAction::AddColumn {
                if_not_exists,
                column,
            } => {
                if self
                    .table(&nsn, &tn)
                    .expect("resolved")
                    .column(&column.name)
                    .is_some()
                    && if_not_exists
                {
                    return Ok(());
                }
                let cons = self.add_column(&nsn, &tn, *column, true)?;
                self.add_constraints_in_pg_order(&nsn, &tn, cons, false)?;
            }
            TableAction::DropColumn {
                name,
                if_exists,
                cascade,
            } => {
                if self
                    .table(&nsn, &tn)
                    .expect("resolved")
                    .column(&name)
                    .is_none()
                {
                    if if_exists {
                        return Ok(());
                    }
                    return Err(err(
                        UNDEFINED_COLUMN,
                        format!("column \"{name}\" of relation \"{tn}\" does not exist"),
                    ));
                }
                // Foreign keys elsewhere that reference this column need CASCADE.
                let refs = self.fks_referencing_column(&nsn, &tn, &name);
                self.drop_dependent_fks(
                    refs,
                    cascade,
                    &format!("column {name} of table {tn}"),
                    "drop the foreign key first, or use DROP COLUMN … CASCADE",
                )?;
                self.drop_dependent_views(&nsn, &tn, Some(&name), cascade, "table")?;
                self.drop_column_inner(&nsn, &tn, &name);
            }
            TableAction::AlterColumn { name, op } => self.alter_column(&nsn, &tn, &name, op)?,
            TableAction::AddConstraint(c) => self.add_constraint(&nsn, &tn, c, false)?,
            TableAction::DropConstraint {
                name,
                if_exists,
                cascade,
            } => {
                let t = self.table(&nsn, &tn).expect("resolved");
                let Some(c) = t.constraints.get(&name) else {
                    if if_exists {
                        return Ok(());
                    }
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!("constraint \"{name}\" of relation \"{tn}\" does not exist"),
                    ));
                };
                if matches!(
                    c.kind,
                    ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. }
                ) {
                    // Foreign keys that depend on this key need CASCADE.
                    let key_cols = match &c.kind {
                        ConstraintKind::PrimaryKey { columns, .. }
                        | ConstraintKind::Unique { columns, .. } => {
                            let mut s = columns.clone();
                            s.sort();
                            s
                        }
                        _ => vec![],
                    };
                    let mut deps = Vec::new();
                    for (rnsn, rn) in &self.schema.namespaces {
                        for (rtn, rtt) in &rn.tables {
                            for (rcn, rc) in &rtt.constraints {
                                if let ConstraintKind::ForeignKey {
                                    ref_namespace,
                                    ref_table,
                                    ref_columns,
                                    ..
                                } = &rc.kind
                                {
                                    let mut s = ref_columns.clone();
                                    s.sort();
                                    if *ref_namespace == nsn && *ref_table == tn && s == key_cols {
                                        deps.push((rnsn.clone(), rtn.clone(), rcn.clone()));
                                    }
                                }
                            }
                        }
                    }
                    self.drop_dependent_fks(
                        deps,
                        cascade,
                        &format!("constraint {name} on table {tn}"),
                        "drop the foreign keys first, or use DROP CONSTRAINT … CASCADE",
                    )?;
                }
                self.table_mut(&nsn, &tn).constraints.remove(&name);
            }
            TableAction::ValidateConstraint(name) => {
                let t = self.table_mut(&nsn, &tn);
                let Some(c) = t.constraints.get_mut(&name) else {
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!("constraint \"{name}\" of relation \"{tn}\" does not exist"),
                    ));
                };
                if !matches!(
                    c.kind,
                    ConstraintKind::ForeignKey { .. } | ConstraintKind::Check { .. }
                ) {
                    return Err(err(WRONG_OBJECT_TYPE, format!("constraint \"{name}\" of relation \"{tn}\" is not a foreign key or check constraint")));
                }
                c.validated = true;
                self.touch(ObjectPath::in_table(
                    ObjectKind::Constraint,
                    &nsn,
                    &tn,
                    &name,
                ));
            }
            TableAction::RenameColumn { old, new } => {
                let t = self.table(&nsn, &tn).expect("resolved");
                if t.column(&old).is_none() {
                    return Err(err(
                        UNDEFINED_COLUMN,
                        format!("column \"{old}\" does not exist"),
                    ));
                }
                if t.column(&new).is_some() {
                    return Err(err(
                        DUPLICATE_COLUMN,
                        format!("column \"{new}\" of relation \"{tn}\" already exists"),
                    ));
                }
                self.rename_column(&nsn, &tn, &old, &new);
                self.touch(ObjectPath::in_table(ObjectKind::Column, &nsn, &tn, &new));
            }
            TableAction::RenameConstraint { old, new } => {
                let t = self.table(&nsn, &tn).expect("resolved");
                let Some(c) = t.constraints.get(&old) else {
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!("constraint \"{old}\" for table \"{tn}\" does not exist"),
                    ));
                };
                let is_index = matches!(
                    c.kind,
                    ConstraintKind::PrimaryKey { .. }
                        | ConstraintKind::Unique { .. }
                        | ConstraintKind::Exclusion { .. }
                );
                if t.constraints.contains_key(&new) || (is_index && self.relation_taken(&nsn, &new))
                {
                    return Err(err(
                        DUPLICATE_OBJECT,
                        format!("constraint \"{new}\" for relation \"{tn}\" already exists"),
                    ));
                }
                let t = self.table_mut(&nsn, &tn);
                let c = t.constraints.remove(&old).expect("checked");
                t.constraints.insert(new.clone(), c);
                self.touch(ObjectPath::in_table(
                    ObjectKind::Constraint,
                    &nsn,
                    &tn,
                    &new,
                ));
            }
            TableAction::RenameTo(new) => {
                if self.relation_taken(&nsn, &new) || self.type_exists_in(&nsn, &new) {
                    return Err(err(
                        DUPLICATE_TABLE,
                        format!("relation \"{new}\" already exists"),
                    ));
                }
                let t = self.ns_mut(&nsn).tables.remove(&tn).expect("resolved");
                self.ns_mut(&nsn).tables.insert(new.clone(), t);
                // Its index and constraint names move from the old name to
                // the new one; no other table's names change.
                self.table_changed(&nsn, &tn);
                self.table_changed(&nsn, &new);
                for n in self.schema.namespaces.values_mut() {
                    for t in n.tables.values_mut() {
                        for c in t.constraints.values_mut() {
                            if let ConstraintKind::ForeignKey {
                                ref_namespace,
                                ref_table,
                                ..
                            } = &mut c.kind
                            {
                                if *ref_namespace == nsn && *ref_table == tn {
                                    *ref_table = new.clone();
                                }
                            }
                        }
                    }
                }
                for s in self.ns_mut(&nsn).sequences.values_mut() {
                    if let Some((t, _)) = &mut s.owned_by {
                        if *t == tn {
                            *t = new.clone();
                        }
                    }
                }
                let old_prefix = format!("{}.{}.", quote_ident(&nsn), quote_ident(&tn));
                let new_prefix = format!("{}.{}.", quote_ident(&nsn), quote_ident(&new));
                let renamed: Vec<Unmanaged> = self
                    .schema
                    .unmanaged
                    .iter()
                    .filter(|u| {
                        matches!(
                            u.kind,
                            UnmanagedKind::Trigger | UnmanagedKind::Policy | UnmanagedKind::Rule
                        ) && u.name.starts_with(&old_prefix)
                    })
                    .cloned()
                    .collect();
                for u in renamed {
                    self.schema.unmanaged.remove(&u);
                    self.schema.unmanaged.insert(Unmanaged {
                        kind: u.kind,
                        name: format!("{new_prefix}{}", &u.name[old_prefix.len()..]),
                    });
                }
                self.touch(ObjectPath::new(ObjectKind::Table, &nsn, &new));
                self.move_in_view_deps(&nsn, &tn, &nsn, &new);
                *table = new;
            }
            TableAction::SetSchema(new_ns) => {
                if !self.schema.namespaces.contains_key(&new_ns) {
                    return Err(err(
                        INVALID_SCHEMA,
                        format!("schema \"{new_ns}\" does not exist"),
                    ));
                }
                if self.relation_taken(&new_ns, &tn) {
                    return Err(err(
                        DUPLICATE_TABLE,
                        format!("relation \"{tn}\" already exists in schema \"{new_ns}\""),
                    ));
                }
                let t = self.ns_mut(&nsn).tables.remove(&tn).expect("resolved");
                self.ns_mut(&new_ns).tables.insert(tn.clone(), t);
                self.names_changed();
                self.move_in_view_deps(&nsn, &tn, &new_ns, &tn);
                // Owned sequences move along.
                let owned: Vec<String> = self
                    .ns_mut(&nsn)
                    .sequences
                    .iter()
                    .filter(|(_, s)| s.owned_by.as_ref().is_some_and(|(t, _)| *t == tn))
                    .map(|(k, _)| k.clone())
                    .collect();
                for s in owned {
                    let seq = self.ns_mut(&nsn).sequences.remove(&s).expect("listed");
                    self.ns_mut(&new_ns).sequences.insert(s.clone(), seq);
                    // A `'seq'::regclass` constant keeps the sequence's
                    // OID: the server prints its new schema.
                    let (from, to) = (
                        format!(
                            "{}::regclass",
                            crate::model::quote_literal(&qualified(&nsn, &s))
                        ),
                        format!(
                            "{}::regclass",
                            crate::model::quote_literal(&qualified(&new_ns, &s))
                        ),
                    );
                    self.each_expression(|e| {
                        crate::expression::replace_in_server_text(e, &from, &to)
                    });
                }
                for n in self.schema.namespaces.values_mut() {
                    for t in n.tables.values_mut() {
                        for c in t.constraints.values_mut() {
                            if let ConstraintKind::ForeignKey {
                                ref_namespace,
                                ref_table,
                                ..
                            } = &mut c.kind
                            {
                                if *ref_namespace == nsn && *ref_table == tn {
                                    *ref_namespace = new_ns.clone();
                                }
                            }
                        }
                    }
                }
                self.touch(ObjectPath::new(ObjectKind::Table, &new_ns, &tn));
                *ns = new_ns;
            }
            TableAction::RowLevelSecurity(on) => {
                self.table_mut(&nsn, &tn).row_level_security = on;
                self.touch(ObjectPath::new(ObjectKind::Table, &nsn, &tn));
            }
            TableAction::ForceRowLevelSecurity(on) => {
                self.table_mut(&nsn, &tn).force_row_level_security = on;
                self.touch(ObjectPath::new(ObjectKind::Table, &nsn, &tn));
            }
            TableAction::SetLogged(logged) => {
                self.table_mut(&nsn, &tn).unlogged = !logged;
                self.touch(ObjectPath::new(ObjectKind::Table, &nsn, &tn));
            }
            TableAction::SetOptions(set) => {
                let t = self.table_mut(&nsn, &tn);
                let mut options = t.options.clone();
                let set = table_options(t.partition_by.is_some(), set)?;
                options.extend(set);
                t.options = options;
                self.touch(ObjectPath::new(ObjectKind::Table, &nsn, &tn));
            }
            TableAction::ResetOptions(names) => {
                let t = self.table_mut(&nsn, &tn);
                for n in names {
                    t.options.remove(&n);
                }
                self.touch(ObjectPath::new(ObjectKind::Table, &nsn, &tn));
            }
            TableAction::NoOp(_) => {}
        }
        Ok(())
    }

    /// Foreign keys that depend on what is being dropped: an error without
    /// CASCADE (as PostgreSQL raises it), dropped with it.
    fn drop_dependent_fks(
        &mut self,
        deps: Vec<(String, String, String)>,
        cascade: bool,
        what: &str,
        hint: &str,
    ) -> R<()> {
        if let Some((_, table, constraint)) = deps.first() {
            if !cascade {
                return Err(help(
                    err(
                        DEPENDENT_OBJECTS,
                        format!(
                            "cannot drop {what} because other objects depend on it (constraint {constraint} on table {table})"
                        ),
                    ),
                    hint,
                ));
            }
        }
        for (ns, table, constraint) in deps {
            self.table_mut(&ns, &table).constraints.remove(&constraint);
        }
        Ok(())
    }

    fn fks_referencing_column(
        &self,
        ns: &str,
        table: &str,
        col: &str,
    ) -> Vec<(String, String, String)> {
        let mut v = Vec::new();
        for (nsn, n) in &self.schema.namespaces {
            for (tn, t) in &n.tables {
                if nsn == ns && tn == table {
                    continue;
                }
                for (cn, c) in &t.constraints {
                    if let ConstraintKind::ForeignKey {
                        ref_namespace,
                        ref_table,
                        ref_columns,
                        ..
                    } = &c.kind
                    {
                        if ref_namespace == ns
                            && ref_table == table
                            && ref_columns.iter().any(|c| c == col)
                        {
                            v.push((nsn.clone(), tn.clone(), cn.clone()));
                        }
                    }
                }
            }
        }
        v
    }

    /// Drops a column and everything on the table that uses it, as
    /// PostgreSQL does (indexes, constraints, owned sequences).
    fn drop_column_inner(&mut self, ns: &str, table: &str, col: &str) {
        let t = self.table_mut(ns, table);
        t.columns.retain(|c| c.name != col);
        t.indexes.retain(|_, i| !index_uses(i, col));
        t.constraints.retain(|_, c| !constraint_uses(&c.kind, col));
        let nsm = self.ns_mut(ns);
        nsm.sequences
            .retain(|_, s| s.owned_by.as_ref() != Some(&(table.to_string(), col.to_string())));
    }

    fn rename_column(&mut self, ns: &str, table: &str, old: &str, new: &str) {
        // Views keep using the column under its new name.
        for d in self.view_deps.values_mut() {
            if d.rels
                .as_ref()
                .is_some_and(|r| r.contains(&(ns.to_string(), table.to_string())))
            {
                if d.cols
                    .remove(&(ns.to_string(), table.to_string(), old.to_string()))
                {
                    d.cols
                        .insert((ns.to_string(), table.to_string(), new.to_string()));
                }
                if d.idents.contains(old) {
                    d.idents.insert(new.to_string());
                }
            }
        }
        let t = self.table_mut(ns, table);
        if let Some(c) = t.column_mut(old) {
            c.name = new.to_string();
        }
        for c in t.columns.iter_mut() {
            if let Some(g) = &mut c.generated {
                *g = crate::expression::rename(g, old, new);
            }
        }
        for i in t.indexes.values_mut() {
            rename_in_index(i, old, new);
        }
        for c in t.constraints.values_mut() {
            match &mut c.kind {
                ConstraintKind::PrimaryKey { columns, include }
                | ConstraintKind::Unique {
                    columns, include, ..
                } => {
                    rename_in_list(columns, old, new);
                    rename_in_list(include, old, new);
                }
                ConstraintKind::ForeignKey { columns, .. } => rename_in_list(columns, old, new),
                ConstraintKind::Check { expression, .. } => {
                    *expression = crate::expression::rename(expression, old, new)
                }
                ConstraintKind::Exclusion { definition } => {
                    *definition = definition.replace(&quote_ident(old), &quote_ident(new));
                }
            }
        }
        for s in self.ns_mut(ns).sequences.values_mut() {
            if s.owned_by.as_ref() == Some(&(table.to_string(), old.to_string())) {
                s.owned_by = Some((table.to_string(), new.to_string()));
            }
        }
        for n in self.schema.namespaces.values_mut() {
            for t in n.tables.values_mut() {
                for c in t.constraints.values_mut() {
                    if let ConstraintKind::ForeignKey {
                        ref_namespace,
                        ref_table,
                        ref_columns,
                        ..
                    } = &mut c.kind
                    {
                        if ref_namespace == ns && ref_table == table {
                            rename_in_list(ref_columns, old, new);
                        }
                    }
                }
            }
        }
    }

    fn alter_column(&mut self, ns: &str, table: &str, col: &str, op: ColumnOp) -> R<()> {
        let Some(c) = self.table(ns, table).expect("resolved").column(col) else {
            return Err(err(
                UNDEFINED_COLUMN,
                format!("column \"{col}\" of relation \"{table}\" does not exist"),
            ));
        };
        let c = c.clone();
        match op {
            ColumnOp::SetType {
                data_type,
                collation,
                using: _,
            } => {
                self.check_type(&data_type)?;
                if c.generated.is_some() {
                    // Allowed: the expression is re-cast.
                }
                let t = self.table(ns, table).expect("resolved");
                if let Some(g) = t.columns.iter().find(|g| {
                    g.name != col
                        && g.generated
                            .as_ref()
                            .is_some_and(|e| crate::expression::mentions(e, col))
                }) {
                    return Err(err(
                        "0A000",
                        format!(
                            "cannot alter type of a column used by a generated column (column \"{col}\" is used by generated column \"{}\")",
                            g.name
                        ),
                    )
                    .with_hint("drop the generated column first and add it again after the change"));
                }
                let dt = self.resolve_type(&data_type);
                // The identity sequence follows the column's type (as
                // `ALTER SEQUENCE … AS` would).
                let identity_options = match &c.identity_options {
                    Some(o) if c.identity.is_some() => {
                        let mut s = crate::model::IdentityOptions::sequence(Some(o), &c.data_type);
                        let to = SeqOptions {
                            data_type: Some(dt.clone()),
                            ..SeqOptions::default()
                        };
                        apply_seq_options(&mut s, &to, false)?;
                        crate::model::IdentityOptions::canonical(&s)
                    }
                    other => other.clone(),
                };
                let t = self.table_mut(ns, table);
                let cc = t.column_mut(col).expect("exists");
                cc.data_type = dt;
                cc.collation = collation;
                cc.identity_options = identity_options;
                // The server re-reads the default and generation expression
                // against the new type, and re-creates the checks and
                // indexes that read the column from their stored text.
                for e in cc.default.iter_mut().chain(cc.generated.iter_mut()) {
                    *e = crate::expression::retyped(e);
                }
                for c in t.columns.iter_mut() {
                    if let Some(g) = c.generated.as_mut() {
                        if crate::expression::mentions(g, col) {
                            *g = crate::expression::retyped(g);
                        }
                    }
                }
                for k in t.constraints.values_mut() {
                    if let ConstraintKind::Check { expression, .. } = &mut k.kind {
                        if crate::expression::mentions(expression, col) {
                            *expression = crate::expression::retyped(expression);
                        }
                    }
                }
                for i in t.indexes.values_mut() {
                    if index_uses(i, col) {
                        for k in i.keys.iter_mut() {
                            if let IndexKeyExpr::Expression(e) = &mut k.key {
                                *e = crate::expression::retyped(e);
                            }
                        }
                        if let Some(p) = i.predicate.as_mut() {
                            *p = crate::expression::retyped(p);
                        }
                    }
                }
                self.touch(ObjectPath::in_table(ObjectKind::Column, ns, table, col));
            }
            ColumnOp::SetDefault(e) => {
                if c.generated.is_some() {
                    return Err(err(SYNTAX_ERROR, format!("column \"{col}\" of relation \"{table}\" is a generated column")).with_hint("use ALTER COLUMN … SET EXPRESSION (PostgreSQL 17+) or drop and re-add the column"));
                }
                if c.identity.is_some() {
                    return Err(err(
                        SYNTAX_ERROR,
                        format!("column \"{col}\" of relation \"{table}\" is an identity column"),
                    ));
                }
                self.table_mut(ns, table)
                    .column_mut(col)
                    .expect("exists")
                    .default = Some(e);
            }
            ColumnOp::DropDefault => {
                if c.generated.is_some() {
                    return Err(err(
                        SYNTAX_ERROR,
                        format!("column \"{col}\" of relation \"{table}\" is a generated column"),
                    )
                    .with_hint("use ALTER COLUMN … DROP EXPRESSION"));
                }
                self.table_mut(ns, table)
                    .column_mut(col)
                    .expect("exists")
                    .default = None;
            }
            ColumnOp::SetNotNull => {
                self.table_mut(ns, table)
                    .column_mut(col)
                    .expect("exists")
                    .not_null = true;
            }
            ColumnOp::DropNotNull => {
                let t = self.table(ns, table).expect("resolved");
                let in_pk = t.constraints.values().any(|k| matches!(&k.kind, ConstraintKind::PrimaryKey { columns, .. } if columns.iter().any(|x| x == col)));
                if in_pk {
                    return Err(err(
                        INVALID_TABLE_DEFINITION,
                        format!("column \"{col}\" is in a primary key"),
                    ));
                }
                if c.identity.is_some() {
                    return Err(err(
                        SYNTAX_ERROR,
                        format!("column \"{col}\" of relation \"{table}\" is an identity column"),
                    ));
                }
                self.table_mut(ns, table)
                    .column_mut(col)
                    .expect("exists")
                    .not_null = false;
            }
            ColumnOp::DropExpression { if_exists } => {
                if c.generated.is_none() {
                    if if_exists {
                        return Ok(());
                    }
                    return Err(err(
                        "55000",
                        format!("column \"{col}\" of relation \"{table}\" is not a stored generated column"),
                    ));
                }
                self.table_mut(ns, table)
                    .column_mut(col)
                    .expect("exists")
                    .generated = None;
            }
            ColumnOp::SetExpression(_) => {
                return Err(help(
                    err(SYNTAX_ERROR, "ALTER COLUMN … SET EXPRESSION requires PostgreSQL 17; this history targets PostgreSQL 15"),
                    "drop and re-add the column with the new expression",
                ));
            }
            ColumnOp::AddIdentity(kind, opts) => {
                if c.identity.is_some() {
                    return Err(err("55000", format!("column \"{col}\" of relation \"{table}\" is already an identity column")));
                }
                if c.default.is_some() {
                    return Err(err(
                        "55000",
                        format!(
                            "column \"{col}\" of relation \"{table}\" already has a default value"
                        ),
                    ));
                }
                if !c.not_null {
                    return Err(err("55000", format!("column \"{col}\" of relation \"{table}\" must be declared NOT NULL before identity can be added")));
                }
                let mut s = Sequence::with_defaults(&c.data_type);
                apply_seq_options(&mut s, &opts, true)?;
                let seq =
                    names::choose_name(table, Some(col), "seq", |n| self.relation_taken(ns, n));
                self.hidden_relations.insert((ns.to_string(), seq));
                let cc = self.table_mut(ns, table).column_mut(col).expect("exists");
                cc.identity = Some(kind);
                cc.identity_options = crate::model::IdentityOptions::canonical(&s);
            }
            ColumnOp::SetIdentity(kind, opts) => {
                if c.identity.is_none() {
                    return Err(err(
                        "55000",
                        format!(
                            "column \"{col}\" of relation \"{table}\" is not an identity column"
                        ),
                    ));
                }
                let mut s = crate::model::IdentityOptions::sequence(
                    c.identity_options.as_ref(),
                    &c.data_type,
                );
                apply_seq_options(&mut s, &opts, false)?;
                let cc = self.table_mut(ns, table).column_mut(col).expect("exists");
                cc.identity_options = crate::model::IdentityOptions::canonical(&s);
                if let Some(k) = kind {
                    cc.identity = Some(k);
                }
            }
            ColumnOp::DropIdentity { if_exists } => {
                if c.identity.is_none() {
                    if if_exists {
                        return Ok(());
                    }
                    return Err(err(
                        "55000",
                        format!(
                            "column \"{col}\" of relation \"{table}\" is not an identity column"
                        ),
                    ));
                }
                let cc = self.table_mut(ns, table).column_mut(col).expect("exists");
                cc.identity = None;
                cc.identity_options = None;
            }
            ColumnOp::SetStatistics(n) => {
                if n < -1 {
                    return Err(err(
                        INVALID_PARAMETER,
                        format!("statistics target {n} is too low"),
                    ));
                }
                self.table_mut(ns, table)
                    .column_mut(col)
                    .expect("exists")
                    .statistics = (n >= 0).then_some(n.min(10_000));
            }
            ColumnOp::NoOp(_) => return Ok(()),
        }
        self.touch(ObjectPath::in_table(ObjectKind::Column, ns, table, col));
        Ok(())
    }

    // ------------------------------------------------------------ indexes

    fn create_index(&mut self, ci: CreateIndex) -> R<()> {
        let ns = self.table_ns(&ci.table)?;
        if let Some(s) = &ci.table.schema {
            let _ = s;
        }
        let table = ci.table.name.clone();
        let t = self.table(&ns, &table).expect("resolved");
        for k in &ci.keys {
            if let IndexKeyExpr::Column(c) = &k.key {
                if t.column(c).is_none() {
                    return Err(err(
                        UNDEFINED_COLUMN,
                        format!("column \"{c}\" does not exist"),
                    ));
                }
            }
        }
        for c in &ci.include {
            if t.column(c).is_none() {
                return Err(err(
                    UNDEFINED_COLUMN,
                    format!("column \"{c}\" does not exist"),
                ));
            }
        }
        if !matches!(
            ci.method.as_str(),
            "btree" | "hash" | "gist" | "gin" | "spgist" | "brin"
        ) && !self.has_extensions()
        {
            return Err(err(
                UNDEFINED_OBJECT,
                format!("access method \"{}\" does not exist", ci.method),
            ));
        }
        if ci.unique && ci.method != "btree" && !self.has_extensions() {
            return Err(err(
                FEATURE_NOT_SUPPORTED,
                format!(
                    "access method \"{}\" does not support unique indexes",
                    ci.method
                ),
            ));
        }
        let name = match ci.name {
            Some(n) => {
                if self.relation_taken(&ns, &n) {
                    if ci.if_not_exists {
                        return Ok(());
                    }
                    return Err(err(
                        DUPLICATE_TABLE,
                        format!("relation \"{n}\" already exists"),
                    ));
                }
                n
            }
            None => {
                let mut parts: Vec<&str> = ci.keys.iter().map(|k| k.name_part.as_str()).collect();
                parts.extend(ci.include.iter().map(String::as_str));
                let numbered = names::index_column_names(&parts);
                let numbered: Vec<&str> = numbered.iter().map(String::as_str).collect();
                let joined = names::join_column_names(&numbered);
                names::choose_name(&table, Some(&joined), "idx", |n| {
                    self.relation_taken(&ns, n)
                })
            }
        };
        let keys = ci
            .keys
            .into_iter()
            .map(|k| IndexKey {
                opclass: k.opclass.filter(|oc| !is_default_opclass(oc, &ci.method)),
                collation: k.collation,
                descending: k.descending,
                nulls_first: k.nulls_first.unwrap_or(k.descending),
                key: k.key,
            })
            .collect();
        let options = index_options(&ci.method, ci.options)?;
        let index = Index {
            unique: ci.unique,
            method: ci.method,
            keys,
            include: ci.include,
            nulls_not_distinct: ci.nulls_not_distinct,
            predicate: ci.predicate,
            comment: None,
            options,
        };
        self.table_mut(&ns, &table)
            .indexes
            .insert(name.clone(), index);
        self.touch(ObjectPath::in_table(ObjectKind::Index, &ns, &table, &name));
        Ok(())
    }

    // ------------------------------------------------------------ comments

    fn comment(&mut self, target: CommentTarget, text: Option<String>) -> R<()> {
        match target {
            CommentTarget::Table(q) => {
                let ns = self.table_ns(&q)?;
                self.table_mut(&ns, &q.name).comment = text;
                self.touch(ObjectPath::new(ObjectKind::Table, &ns, &q.name));
            }
            CommentTarget::Column(q, col) => {
                let ns = self.table_ns(&q)?;
                let t = self.table_mut(&ns, &q.name);
                let Some(c) = t.column_mut(&col) else {
                    return Err(err(
                        UNDEFINED_COLUMN,
                        format!("column \"{col}\" of relation \"{}\" does not exist", q.name),
                    ));
                };
                c.comment = text;
                self.touch(ObjectPath::in_table(ObjectKind::Column, &ns, &q.name, &col));
            }
            CommentTarget::Index(q) => {
                let Some((ns, t, is_constraint)) = self.find_index(&q) else {
                    return Err(err(
                        UNDEFINED_TABLE,
                        format!("relation \"{}\" does not exist", display_q(&q)),
                    ));
                };
                if is_constraint {
                    // The comment is on the index, which strata does not
                    // model apart from its constraint: refused, not dropped.
                    return Err(help(
                        err(
                            FEATURE_NOT_SUPPORTED,
                            format!(
                                "a comment on index \"{}\", which backs a constraint, is not supported yet",
                                q.name
                            ),
                        ),
                        "comment on the constraint instead (COMMENT ON CONSTRAINT … ON table), or mark the statement with `-- strata:ignore`",
                    ));
                }
                if let Some(i) = self.table_mut(&ns, &t).indexes.get_mut(&q.name) {
                    i.comment = text;
                }
                self.touch(ObjectPath::in_table(ObjectKind::Index, &ns, &t, &q.name));
            }
            CommentTarget::Sequence(q) => {
                let Some(ns) = self.find_sequence(&q) else {
                    return Err(err(
                        UNDEFINED_TABLE,
                        format!("relation \"{}\" does not exist", display_q(&q)),
                    ));
                };
                if let Some(s) = self.ns_mut(&ns).sequences.get_mut(&q.name) {
                    s.comment = text;
                }
            }
            CommentTarget::Type(q) => {
                if let Some(ns) = self.find_enum(&q) {
                    if let Some(e) = self.ns_mut(&ns).enums.get_mut(&q.name) {
                        e.comment = text;
                    }
                    self.touch(ObjectPath::new(ObjectKind::Enum, &ns, &q.name));
                } else if !self
                    .candidate_ns(&q)
                    .iter()
                    .any(|n| self.type_exists_in(n, &q.name))
                {
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!("type \"{}\" does not exist", display_q(&q)),
                    ));
                }
            }
            CommentTarget::Schema(s) => {
                let Some(n) = self.schema.namespaces.get_mut(&s) else {
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!("schema \"{s}\" does not exist"),
                    ));
                };
                n.comment = text;
                self.touch(ObjectPath::new(ObjectKind::Namespace, "", &s));
            }
            CommentTarget::Extension(e) => {
                if !self.schema.extensions.contains_key(&e) {
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!("extension \"{e}\" does not exist"),
                    ));
                }
            }
            CommentTarget::Constraint { name, table } => {
                let ns = self.table_ns(&table)?;
                let t = self.table_mut(&ns, &table.name);
                let Some(c) = t.constraints.get_mut(&name) else {
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!(
                            "constraint \"{name}\" for table \"{}\" does not exist",
                            table.name
                        ),
                    ));
                };
                c.comment = text;
                self.touch(ObjectPath::in_table(
                    ObjectKind::Constraint,
                    &ns,
                    &table.name,
                    &name,
                ));
            }
            CommentTarget::Unmanaged(kind, name) => {
                let name = self.qualify_unmanaged(kind, &name);
                if !self.schema.unmanaged.contains(&Unmanaged {
                    kind,
                    name: name.clone(),
                }) {
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!("{} {name} does not exist", kind.label()),
                    ));
                }
            }
            CommentTarget::Other(_) => {}
        }
        Ok(())
    }

    // ------------------------------------------------------------ unmanaged

    /// The parser qualifies unqualified names with `public`; re-qualify with
    /// the current creation namespace when the search path differs.
    fn qualify_unmanaged(&self, _kind: UnmanagedKind, name: &str) -> String {
        name.to_string()
    }

    fn unmanaged(&mut self, kind: UnmanagedKind, op: UnmanagedOp) -> R<()> {
        match op {
            UnmanagedOp::Create {
                name,
                or_replace,
                if_not_exists,
            } => {
                let name = self.qualify_unmanaged(kind, &name);
                let u = Unmanaged {
                    kind,
                    name: name.clone(),
                };
                if matches!(
                    kind,
                    UnmanagedKind::View
                        | UnmanagedKind::MaterializedView
                        | UnmanagedKind::ForeignTable
                ) {
                    let (ns, rel) = split_unmanaged(&name);
                    if !or_replace && self.relation_taken(&ns, &rel) {
                        if if_not_exists {
                            return Ok(());
                        }
                        return Err(err(
                            DUPLICATE_TABLE,
                            format!("relation \"{rel}\" already exists"),
                        ));
                    }
                }
                if self.schema.unmanaged.contains(&u) && !or_replace {
                    if if_not_exists {
                        return Ok(());
                    }
                    return Err(err(
                        DUPLICATE_OBJECT,
                        format!("{} {name} already exists", kind.label()),
                    ));
                }
                self.schema.unmanaged.insert(u);
                self.touch(ObjectPath::new(
                    ObjectKind::Unmanaged,
                    "",
                    &format!("{} {name}", kind.label()),
                ));
            }
            UnmanagedOp::Drop { names, if_exists } => {
                for name in names {
                    let name = self.qualify_unmanaged(kind, &name);
                    if matches!(kind, UnmanagedKind::View | UnmanagedKind::MaterializedView)
                        && self.schema.unmanaged.contains(&Unmanaged {
                            kind,
                            name: name.clone(),
                        })
                    {
                        let (vns, vname) = split_unmanaged(&name);
                        let label = if kind == UnmanagedKind::View {
                            "view"
                        } else {
                            "materialized view"
                        };
                        let cascade = self.stmt_cascade;
                        self.drop_dependent_views(&vns, &vname, None, cascade, label)?;
                        self.view_deps.remove(&Unmanaged {
                            kind,
                            name: name.clone(),
                        });
                    }
                    let removed = if matches!(
                        kind,
                        UnmanagedKind::Function
                            | UnmanagedKind::Procedure
                            | UnmanagedKind::Aggregate
                    ) && !name.contains('(')
                    {
                        let before = self.schema.unmanaged.len();
                        let prefix = format!("{name}(");
                        self.schema
                            .unmanaged
                            .retain(|u| !(u.kind == kind && u.name.starts_with(&prefix)));
                        before != self.schema.unmanaged.len()
                    } else if matches!(
                        kind,
                        UnmanagedKind::Function
                            | UnmanagedKind::Procedure
                            | UnmanagedKind::Aggregate
                    ) && name.ends_with("()")
                    {
                        // `DROP FUNCTION f()` names the zero-argument one; the
                        // parser writes `f()` both for that and for `DROP FUNCTION f`.
                        let exact = self.schema.unmanaged.remove(&Unmanaged {
                            kind,
                            name: name.clone(),
                        });
                        if exact {
                            true
                        } else {
                            let prefix = format!("{}(", &name[..name.len() - 2]);
                            let matching: Vec<Unmanaged> = self
                                .schema
                                .unmanaged
                                .iter()
                                .filter(|u| u.kind == kind && u.name.starts_with(&prefix))
                                .cloned()
                                .collect();
                            if matching.len() == 1 {
                                self.schema.unmanaged.remove(&matching[0]);
                                true
                            } else {
                                false
                            }
                        }
                    } else {
                        self.schema.unmanaged.remove(&Unmanaged {
                            kind,
                            name: name.clone(),
                        })
                    };
                    if !removed && !if_exists {
                        return Err(err(
                            UNDEFINED_OBJECT,
                            format!("{} {name} does not exist", kind.label()),
                        ));
                    }
                }
            }
            UnmanagedOp::Rename { name, new_name } => {
                let name = self.qualify_unmanaged(kind, &name);
                if !self.schema.unmanaged.remove(&Unmanaged {
                    kind,
                    name: name.clone(),
                }) {
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!("{} {name} does not exist", kind.label()),
                    ));
                }
                if let Some(d) = self.view_deps.remove(&Unmanaged {
                    kind,
                    name: name.clone(),
                }) {
                    let (ons, orel) = split_unmanaged(&name);
                    let (nns, nrel) = split_unmanaged(&new_name);
                    self.view_deps.insert(
                        Unmanaged {
                            kind,
                            name: new_name.clone(),
                        },
                        d,
                    );
                    self.move_in_view_deps(&ons, &orel, &nns, &nrel);
                }
                self.schema.unmanaged.insert(Unmanaged {
                    kind,
                    name: new_name,
                });
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------ view dependencies

    /// [`Self::apply_stmt`], noting whether the statement (`sql`) ends with
    /// CASCADE and recording what a new view references.
    fn apply_recording_views(
        &mut self,
        stmt: Stmt,
        sql: &str,
        offset: usize,
        text: &Arc<str>,
    ) -> R<()> {
        // Tokenize only statements that can end in CASCADE at all.
        self.stmt_cascade = sql.to_ascii_lowercase().contains("cascade")
            && split::tokens(sql)
                .last()
                .is_some_and(|t| t.text(sql).eq_ignore_ascii_case("cascade"));
        let new_view = match &stmt {
            Stmt::Unmanaged {
                kind: kind @ (UnmanagedKind::View | UnmanagedKind::MaterializedView),
                op: UnmanagedOp::Create { name, .. },
            } => Some((
                *kind,
                self.qualify_unmanaged(*kind, name),
                self.analyse_view(sql),
            )),
            _ => None,
        };
        let applied = self.apply_stmt(stmt, offset, text);
        self.analyze_touched();
        if let (Ok(()), Some((kind, name, deps))) = (&applied, new_view) {
            self.view_deps.insert(Unmanaged { kind, name }, deps);
        }
        applied
    }

    /// What a `CREATE [MATERIALIZED] VIEW` statement's query references,
    /// resolved with the search path now in effect.
    fn analyse_view(&self, text: &str) -> ViewDeps {
        use sqlparser::ast::{Expr, SelectItem, SetExpr, Statement, Visit, Visitor};
        let unknown = ViewDeps {
            rels: None,
            cols: BTreeSet::new(),
            idents: BTreeSet::new(),
            single: false,
            text: text.to_lowercase(),
        };
        let dialect = sqlparser::dialect::PostgreSqlDialect {};
        let Ok(stmts) = sqlparser::parser::Parser::parse_sql(&dialect, text) else {
            return unknown;
        };
        let [Statement::CreateView(cv)] = stmts.as_slice() else {
            return unknown;
        };
        struct V {
            ctes: BTreeSet<String>,
            rels: Vec<Vec<sqlparser::ast::Ident>>,
            odd: bool,
            idents: BTreeSet<String>,
            star: bool,
        }
        impl Visitor for V {
            type Break = ();
            fn pre_visit_query(&mut self, q: &sqlparser::ast::Query) -> std::ops::ControlFlow<()> {
                if let Some(w) = &q.with {
                    for c in &w.cte_tables {
                        self.ctes.insert(parse::fold_ident(
                            &c.alias.name.value,
                            c.alias.name.quote_style.is_some(),
                        ));
                    }
                }
                if let SetExpr::Select(sel) = q.body.as_ref() {
                    if sel.projection.iter().any(|p| {
                        matches!(
                            p,
                            SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)
                        )
                    }) {
                        self.star = true;
                    }
                }
                std::ops::ControlFlow::Continue(())
            }
            fn pre_visit_relation(
                &mut self,
                r: &sqlparser::ast::ObjectName,
            ) -> std::ops::ControlFlow<()> {
                let parts: Option<Vec<sqlparser::ast::Ident>> =
                    r.0.iter().map(|p| p.as_ident().cloned()).collect();
                match parts {
                    Some(p) => self.rels.push(p),
                    None => self.odd = true,
                }
                std::ops::ControlFlow::Continue(())
            }
            fn pre_visit_expr(&mut self, e: &Expr) -> std::ops::ControlFlow<()> {
                let id = match e {
                    Expr::Identifier(id) => Some(id),
                    Expr::CompoundIdentifier(ids) => ids.last(),
                    _ => None,
                };
                if let Some(id) = id {
                    self.idents
                        .insert(parse::fold_ident(&id.value, id.quote_style.is_some()));
                }
                std::ops::ControlFlow::Continue(())
            }
        }
        let mut v = V {
            ctes: BTreeSet::new(),
            rels: Vec::new(),
            odd: false,
            idents: BTreeSet::new(),
            star: false,
        };
        let _ = cv.query.visit(&mut v);
        if v.odd {
            return unknown;
        }
        let mut rels = BTreeSet::new();
        for parts in &v.rels {
            let folded: Vec<String> = parts
                .iter()
                .map(|i| parse::fold_ident(&i.value, i.quote_style.is_some()))
                .collect();
            let resolved = match folded.as_slice() {
                [name] if v.ctes.contains(name) => continue,
                [name] => {
                    let q = QName {
                        schema: None,
                        name: name.clone(),
                    };
                    self.find_table(&q)
                        .map(|ns| (ns, name.clone()))
                        .or_else(|| {
                            self.search_namespaces()
                                .into_iter()
                                .find(|ns| self.relation_kind_in(ns, name).is_some())
                                .map(|ns| (ns, name.clone()))
                        })
                }
                [schema, name] => Some((schema.clone(), name.clone())),
                _ => None,
            };
            match resolved {
                Some(r) => {
                    rels.insert(r);
                }
                None => return unknown,
            }
        }
        let mut idents = v.idents;
        let mut cols = BTreeSet::new();
        if v.star {
            // `*` is expanded now: every column the relations have today.
            for (ns, t) in &rels {
                // A view's columns cannot be dropped: the relation is enough.
                if let Some(tab) = self.table(ns, t) {
                    for c in &tab.columns {
                        if rels.len() == 1 {
                            cols.insert((ns.clone(), t.clone(), c.name.clone()));
                        } else {
                            idents.insert(c.name.clone());
                        }
                    }
                }
            }
        }
        let single = rels.len() == 1;
        ViewDeps {
            rels: Some(rels),
            cols,
            idents,
            single,
            text: text.to_lowercase(),
        }
    }

    /// A relation renamed or moved: views keep depending on it (PostgreSQL
    /// tracks it by OID).
    fn move_in_view_deps(&mut self, ns: &str, rel: &str, new_ns: &str, new: &str) {
        let old = (ns.to_string(), rel.to_string());
        for d in self.view_deps.values_mut() {
            if let Some(r) = &mut d.rels {
                if r.remove(&old) {
                    r.insert((new_ns.to_string(), new.to_string()));
                    d.cols = std::mem::take(&mut d.cols)
                        .into_iter()
                        .map(|(n, t, c)| {
                            if n == old.0 && t == old.1 {
                                (new_ns.to_string(), new.to_string(), c)
                            } else {
                                (n, t, c)
                            }
                        })
                        .collect();
                }
            }
        }
    }

    /// The views that depend on a relation (or on one of its columns).
    fn views_depending_on(&self, ns: &str, rel: &str, col: Option<&str>) -> R<Vec<Unmanaged>> {
        let mut out = Vec::new();
        for u in &self.schema.unmanaged {
            if !matches!(
                u.kind,
                UnmanagedKind::View | UnmanagedKind::MaterializedView
            ) {
                continue;
            }
            let (vns, vname) = split_unmanaged(&u.name);
            if vns == ns && vname == rel {
                continue;
            }
            let cannot_tell = || {
                help(
                    err(
                        FEATURE_NOT_SUPPORTED,
                        format!(
                            "strata cannot tell whether {} {} depends on {}",
                            u.kind.label(),
                            u.name,
                            match col {
                                Some(c) => format!("column {c} of {}", qualified(ns, rel)),
                                None => qualified(ns, rel),
                            }
                        ),
                    ),
                    "PostgreSQL would refuse the drop, or drop the view with CASCADE, if it does: drop or recreate the view explicitly before this statement",
                )
            };
            let Some(d) = self.view_deps.get(u) else {
                return Err(cannot_tell());
            };
            let Some(rels) = &d.rels else {
                if d.text.contains(&rel.to_lowercase()) {
                    return Err(cannot_tell());
                }
                continue;
            };
            if !rels.contains(&(ns.to_string(), rel.to_string())) {
                continue;
            }
            match col {
                None => out.push(u.clone()),
                Some(c) => {
                    if d.cols
                        .contains(&(ns.to_string(), rel.to_string(), c.to_string()))
                    {
                        out.push(u.clone());
                    } else if d.idents.contains(c) {
                        if d.single {
                            out.push(u.clone());
                        } else {
                            return Err(cannot_tell());
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    /// Before dropping a relation or a column: without CASCADE, PostgreSQL's
    /// 2BP01 when a view depends on it; with CASCADE, drops the dependent
    /// views and the views that depend on them.
    fn drop_dependent_views(
        &mut self,
        ns: &str,
        rel: &str,
        col: Option<&str>,
        cascade: bool,
        what: &str,
    ) -> R<()> {
        let direct = self.views_depending_on(ns, rel, col)?;
        if direct.is_empty() {
            return Ok(());
        }
        if !cascade {
            let object = match col {
                Some(c) => format!("column {c} of {what} {}", qualified(ns, rel)),
                None => format!("{what} {}", qualified(ns, rel)),
            };
            return Err(help(
                err(
                    DEPENDENT_OBJECTS,
                    format!("cannot drop {object} because other objects depend on it"),
                ),
                format!(
                    "{} {} depends on it: drop it first, or use CASCADE",
                    direct[0].kind.label(),
                    direct[0].name
                ),
            ));
        }
        let mut queue = direct;
        while let Some(u) = queue.pop() {
            if !self.schema.unmanaged.remove(&u) {
                continue;
            }
            self.view_deps.remove(&u);
            let (vns, vname) = split_unmanaged(&u.name);
            queue.extend(self.views_depending_on(&vns, &vname, None)?);
        }
        Ok(())
    }

    // ------------------------------------------------------------ DO blocks

    fn apply_do(&mut self, body: &str, base: usize, text: &Arc<str>) -> R<()> {
        crate::plpgsql::apply_do(self, body, base, text)
    }

    /// Applies one statement from inside a DO block.
    pub(crate) fn apply_nested(&mut self, sql: &str, offset: usize, text: &Arc<str>) -> R<()> {
        let stmt = parse::parse_statement(sql).map_err(|e| ReplayError {
            code: SYNTAX_ERROR,
            message: e.message,
            help: e.help,
            offset: Some(offset + e.offset),
            len: e.len,
        })?;
        if let Stmt::NonSchema(_) = stmt {
            return Ok(());
        }
        let (line, column) = line_column(text, offset);
        let saved = self.here.clone();
        self.here = Location {
            file: saved.file.clone(),
            line,
            column,
        };
        let r = self
            .apply_recording_views(stmt, sql, offset, text)
            .map_err(|mut e| {
                // Point at the statement inside the block, not at the DO.
                if e.offset.is_none() {
                    e.offset = Some(offset);
                    e.len = first_line_len(sql);
                }
                e
            });
        self.here = saved;
        r
    }

    /// Evaluates a catalog lookup `EXISTS (SELECT … FROM catalog WHERE
    /// col = 'x' AND …)` against the model.
    pub(crate) fn catalog_has(
        &self,
        catalog: &str,
        conds: &BTreeMap<String, String>,
    ) -> Option<bool> {
        let get = |k: &str| conds.get(k).map(String::as_str);
        let all_tables = || {
            self.schema
                .namespaces
                .iter()
                .flat_map(|(n, ns)| ns.tables.iter().map(move |(tn, t)| (n, tn, t)))
        };
        let schema_ok = |n: &str| {
            get("table_schema")
                .or(get("schemaname"))
                .or(get("nspname"))
                .is_none_or(|s| s == n)
        };
        Some(match catalog {
            "pg_constraint" | "table_constraints" => {
                let name = get("conname").or(get("constraint_name"))?;
                all_tables().any(|(n, tn, t)| {
                    schema_ok(n)
                        && get("table_name").is_none_or(|x| x == tn)
                        && t.constraints.contains_key(name)
                })
            }
            "tables" | "pg_tables" => {
                let name = get("table_name").or(get("tablename"))?;
                all_tables().any(|(n, tn, _)| schema_ok(n) && tn == name)
            }
            "columns" => {
                let tname = get("table_name")?;
                let cname = get("column_name")?;
                all_tables()
                    .any(|(n, tn, t)| schema_ok(n) && tn == tname && t.column(cname).is_some())
            }
            "pg_type" => {
                let name = get("typname")?;
                self.schema.namespaces.iter().any(|(n, ns)| {
                    schema_ok(n) && (ns.enums.contains_key(name) || ns.tables.contains_key(name))
                })
            }
            "pg_class" => {
                let name = get("relname")?;
                self.schema
                    .namespaces
                    .keys()
                    .any(|n| schema_ok(n) && self.relation_taken(n, name))
            }
            "pg_indexes" => {
                let name = get("indexname")?;
                all_tables().any(|(n, tn, t)| {
                    schema_ok(n)
                        && get("tablename").is_none_or(|x| x == tn)
                        && (t.indexes.contains_key(name)
                            || t.constraints.get(name).is_some_and(|c| {
                                matches!(
                                    c.kind,
                                    ConstraintKind::PrimaryKey { .. }
                                        | ConstraintKind::Unique { .. }
                                )
                            }))
                })
            }
            "pg_namespace" | "schemata" => {
                let name = get("nspname").or(get("schema_name"))?;
                self.schema.namespaces.contains_key(name)
            }
            "pg_extension" => {
                let name = get("extname")?;
                self.schema.extensions.contains_key(name)
            }
            "pg_enum" => {
                let label = get("enumlabel")?;
                self.schema.namespaces.values().any(|ns| {
                    ns.enums
                        .values()
                        .any(|e| e.values.iter().any(|v| v == label))
                })
            }
            _ => return None,
        })
    }
}

impl ReplayError {
    fn with_hint(mut self, h: &str) -> ReplayError {
        self.help = Some(h.to_string());
        self
    }
}

/// What a view's query references.
#[derive(Debug, Clone)]
struct ViewDeps {
    /// The relations (namespace, name); `None` when the query could not be
    /// analysed (then `text` is all there is).
    rels: Option<BTreeSet<(String, String)>>,
    /// Columns it certainly uses (a `*` over one relation).
    cols: BTreeSet<(String, String, String)>,
    /// Every column name its query mentions.
    idents: BTreeSet<String>,
    /// One relation only: every column name mentioned is that relation's.
    single: bool,
    /// The statement, lower-cased.
    text: String,
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

fn split_unmanaged(name: &str) -> (String, String) {
    let (ns, rel) = split_qualified(name);
    (ns.unwrap_or_else(|| "public".to_string()), rel)
}

/// Splits `a.b` (identifiers possibly quoted) into namespace and name,
/// unquoted.
pub(crate) fn split_qualified(s: &str) -> (Option<String>, String) {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut in_q = false;
    let mut chars = s.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '"' if in_q && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => in_q = !in_q,
            '.' if !in_q => parts.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    parts.push(cur);
    if parts.len() >= 2 {
        let name = parts.pop().unwrap_or_default();
        let ns = parts.pop();
        (ns, name)
    } else {
        (None, parts.pop().unwrap_or_default())
    }
}

fn is_default_opclass(opclass: &str, method: &str) -> bool {
    // Explicitly named default operator classes for the common types are
    // what the catalog reports as "no opclass".
    let defaults_btree = [
        "int2_ops",
        "int4_ops",
        "int8_ops",
        "text_ops",
        "varchar_ops",
        "bpchar_ops",
        "bool_ops",
        "numeric_ops",
        "float4_ops",
        "float8_ops",
        "timestamp_ops",
        "timestamptz_ops",
        "date_ops",
        "uuid_ops",
        "bytea_ops",
        "interval_ops",
        "oid_ops",
        "enum_ops",
        "jsonb_ops",
        "time_ops",
        "timetz_ops",
        "inet_ops",
        "array_ops",
        "record_ops",
    ];
    match method {
        "btree" => defaults_btree.contains(&opclass),
        "gin" => matches!(opclass, "jsonb_ops" | "array_ops" | "tsvector_ops"),
        "hash" => opclass.ends_with("_ops") && !opclass.contains("pattern"),
        _ => false,
    }
}

fn is_sql_keyword_value(s: &str) -> bool {
    matches!(
        s,
        "true"
            | "false"
            | "null"
            | "current_timestamp"
            | "current_date"
            | "current_user"
            | "localtimestamp"
    )
}

fn index_uses(i: &Index, col: &str) -> bool {
    i.keys.iter().any(|k| match &k.key {
        IndexKeyExpr::Column(c) => c == col,
        IndexKeyExpr::Expression(e) => crate::expression::mentions(e, col),
    }) || i.include.iter().any(|c| c == col)
        || i.predicate
            .as_ref()
            .is_some_and(|p| crate::expression::mentions(p, col))
}

fn constraint_uses(k: &ConstraintKind, col: &str) -> bool {
    match k {
        ConstraintKind::PrimaryKey { columns, include }
        | ConstraintKind::Unique {
            columns, include, ..
        } => columns.iter().chain(include).any(|c| c == col),
        ConstraintKind::ForeignKey { columns, .. } => columns.iter().any(|c| c == col),
        ConstraintKind::Check { expression, .. } => crate::expression::mentions(expression, col),
        ConstraintKind::Exclusion { definition } => expr_mentions(definition, &quote_ident(col)),
    }
}

/// Whether an exclusion definition refers to an identifier (token-wise).
fn expr_mentions(expr: &str, quoted_ident: &str) -> bool {
    crate::plpgsql::ident_tokens(expr)
        .iter()
        .any(|t| t == quoted_ident)
}

fn rename_in_list(v: &mut [String], old: &str, new: &str) {
    for c in v.iter_mut() {
        if c == old {
            *c = new.to_string();
        }
    }
}

fn rename_in_index(i: &mut Index, old: &str, new: &str) {
    for k in i.keys.iter_mut() {
        match &mut k.key {
            IndexKeyExpr::Column(c) => {
                if c == old {
                    *c = new.to_string();
                }
            }
            IndexKeyExpr::Expression(e) => *e = crate::expression::rename(e, old, new),
        }
    }
    rename_in_list(&mut i.include, old, new);
    if let Some(p) = &mut i.predicate {
        *p = crate::expression::rename(p, old, new);
    }
}

pub(crate) use ReplayError as Failure;

impl From<Failure> for (String, String) {
    fn from(e: Failure) -> Self {
        (e.code.to_string(), e.message)
    }
}

#[allow(dead_code)]
fn _assert_identity_used(_: Identity) {}

/// Storage parameters of heap tables (PostgreSQL 15, `reloptions.c`).
const HEAP_OPTIONS: &[&str] = &[
    "fillfactor",
    "toast_tuple_target",
    "parallel_workers",
    "autovacuum_enabled",
    "autovacuum_vacuum_threshold",
    "autovacuum_vacuum_insert_threshold",
    "autovacuum_analyze_threshold",
    "autovacuum_vacuum_scale_factor",
    "autovacuum_vacuum_insert_scale_factor",
    "autovacuum_analyze_scale_factor",
    "autovacuum_vacuum_cost_delay",
    "autovacuum_vacuum_cost_limit",
    "autovacuum_freeze_min_age",
    "autovacuum_freeze_max_age",
    "autovacuum_freeze_table_age",
    "autovacuum_multixact_freeze_min_age",
    "autovacuum_multixact_freeze_max_age",
    "autovacuum_multixact_freeze_table_age",
    "log_autovacuum_min_duration",
    "user_catalog_table",
    "vacuum_index_cleanup",
    "vacuum_truncate",
];

/// Checks storage parameters as PostgreSQL does (each known, none twice)
/// and returns them as a map.
fn checked_options(
    valid: &[&str],
    given: Vec<(String, String)>,
) -> R<std::collections::BTreeMap<String, String>> {
    let mut out = std::collections::BTreeMap::new();
    for (k, v) in given {
        if !valid.contains(&k.as_str()) {
            return Err(err(
                INVALID_PARAMETER,
                format!("unrecognized parameter \"{k}\""),
            ));
        }
        if out.insert(k.clone(), v).is_some() {
            return Err(err(
                INVALID_PARAMETER,
                format!("parameter \"{k}\" specified more than once"),
            ));
        }
    }
    Ok(out)
}

fn table_options(
    partitioned: bool,
    given: Vec<(String, String)>,
) -> R<std::collections::BTreeMap<String, String>> {
    // A partitioned table takes none.
    checked_options(if partitioned { &[] } else { HEAP_OPTIONS }, given)
}

fn index_options(
    method: &str,
    given: Vec<(String, String)>,
) -> R<std::collections::BTreeMap<String, String>> {
    let valid: &[&str] = match method {
        "btree" => &["fillfactor", "deduplicate_items"],
        "hash" | "spgist" => &["fillfactor"],
        "gist" => &["fillfactor", "buffering"],
        "gin" => &["fastupdate", "gin_pending_list_limit"],
        "brin" => &["pages_per_range", "autosummarize"],
        _ if given.is_empty() => &[],
        other => {
            return Err(help(
                err(
                    FEATURE_NOT_SUPPORTED,
                    format!("storage parameters of {other} indexes are not supported yet"),
                ),
                "mark the statement with `-- strata:ignore` to skip it",
            ))
        }
    };
    checked_options(valid, given)
}
