//! Offline replay: applying statements to a [`Schema`] as PostgreSQL would,
//! including the errors PostgreSQL would raise.
//!
//! Every statement is applied, recognised as changing no schema, ignored by
//! the user's explicit `-- strata:ignore`, or an error naming file:line:column.

mod column;
mod constraint;
mod expressions;
mod extension;
mod hints;
mod index;
mod namespace;
mod naming;
mod sequence;
mod table;
mod types;

pub use hints::{RenameHint, RenameKind};
pub use namespace::Role;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;

use crate::error::{line_column, Error, Location, SqlError};
use crate::model::{
    qualified, ConstraintKind, Extension, Identity, Namespace, ObjectKind, ObjectPath, Schema,
    Table, Unmanaged, UnmanagedKind,
};
use crate::parse::{self, CommentTarget, QName, Stmt, UnmanagedOp};
use crate::split::{self, RawStatement};

use naming::Names;

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
            } => self.alter_table(name, if_exists, actions),
            Stmt::DropTable {
                names,
                if_exists,
                cascade,
            } => self.drop_table(names, if_exists, cascade),
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

    // ------------------------------------------------------------ enums

    // ------------------------------------------------------------ tables

    // ------------------------------------------------------------ indexes

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

pub(crate) use ReplayError as Failure;

impl From<Failure> for (String, String) {
    fn from(e: Failure) -> Self {
        (e.code.to_string(), e.message)
    }
}

#[allow(dead_code)]
fn _assert_identity_used(_: Identity) {}
