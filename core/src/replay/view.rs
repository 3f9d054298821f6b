//! What views depend on (`view.c`): what each view's query references,
//! recorded at `CREATE VIEW` and kept out of the compared model, so that
//! dropping a relation or a column fails, or cascades, as PostgreSQL's would.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::model::{
    qualified, quote_ident, CheckOption, Expression, IndexKeyExpr, ObjectKind, ObjectPath, Stored,
    Unmanaged, UnmanagedKind, View, ViewColumn,
};
use crate::names;
use crate::parse::{
    self, ColumnOp, CreateIndex, CreateView, QName, Stmt, TableAction, UnmanagedOp, ViewAction,
    ViewItem,
};
use crate::split;

use super::index::rename_in_index;
use super::table::{checked_options, HEAP_OPTIONS};
use super::unmanaged::split_unmanaged;
use super::{
    display_q, err, help, Replayer, DEPENDENT_OBJECTS, DUPLICATE_COLUMN, DUPLICATE_TABLE,
    FEATURE_NOT_SUPPORTED, INVALID_PARAMETER, INVALID_SCHEMA, INVALID_TABLE_DEFINITION, R,
    SYNTAX_ERROR, UNDEFINED_COLUMN, UNDEFINED_TABLE, WRONG_OBJECT_TYPE,
};

/// What a view's query references.
#[derive(Debug, Clone)]
pub(super) struct ViewDeps {
    /// The relations (namespace, name); `None` when the query could not be
    /// analysed (then `text` is all there is).
    pub(super) rels: Option<BTreeSet<(String, String)>>,
    /// Columns it certainly uses (a `*` over one relation).
    pub(super) cols: BTreeSet<(String, String, String)>,
    /// Every column name its query mentions.
    pub(super) idents: BTreeSet<String>,
    /// One relation only: every column name mentioned is that relation's.
    single: bool,
    /// The statement, lower-cased.
    text: String,
}

impl Replayer {
    /// [`Self::apply_stmt`], noting whether the statement (`sql`) ends with
    /// CASCADE and recording what a new view references.
    pub(super) fn apply_recording_views(
        &mut self,
        stmt: Stmt,
        sql: &str,
        offset: usize,
        text: &Arc<str>,
    ) -> R<()> {
        // Tokenize only statements that can end in CASCADE at all.
        self.stmt_cascade = sql
            .as_bytes()
            .windows(7)
            .any(|w| w.eq_ignore_ascii_case(b"cascade"))
            && split::tokens(sql)
                .last()
                .is_some_and(|t| t.text(sql).eq_ignore_ascii_case("cascade"));
        // An object kept by name: what it is created with, by its tokens.
        let by_name = match &stmt {
            Stmt::Unmanaged {
                kind,
                op: UnmanagedOp::Create { name, .. },
            } => Some((
                Unmanaged {
                    kind: *kind,
                    name: self.qualify_unmanaged(*kind, name),
                },
                crate::parse::query_key(sql),
            )),
            _ => None,
        };
        let new_view = match &stmt {
            Stmt::Unmanaged {
                kind: kind @ (UnmanagedKind::View | UnmanagedKind::MaterializedView),
                op: UnmanagedOp::Create { name, .. },
            } => Some((
                Unmanaged {
                    kind: *kind,
                    name: self.qualify_unmanaged(*kind, name),
                },
                self.analyse_view(sql),
            )),
            _ => None,
        };
        let applied = match stmt {
            Stmt::CreateView(cv) => {
                let deps = self.analyse_query(&cv.query);
                let key = self
                    .creation_ns(&cv.name)
                    .ok()
                    .map(|ns| view_key(&ns, &cv.name.name, cv.materialized));
                let applied = self.create_view(*cv, &deps);
                if let (Ok(()), Some(key)) = (&applied, key) {
                    self.view_deps.insert(key, deps);
                }
                applied
            }
            stmt => self.apply_stmt(stmt, offset, text),
        };
        // What follows a table or a function without being on it: extended
        // statistics and event triggers whose object went, expressions of
        // statistics to analyse.
        self.settle_statistics();
        self.settle_event_triggers();
        self.analyze_touched();
        if let (Ok(()), Some((key, deps))) = (&applied, new_view) {
            self.view_deps.insert(key, deps);
        }
        if let (Ok(()), Some((u, key))) = (&applied, by_name) {
            if self.schema.unmanaged.contains(&u) {
                self.schema.unmanaged_definitions.insert(u, key);
            }
        }
        // An object dropped or renamed (by this statement or by what it
        // cascaded to) loses what it was created with.
        if !self.schema.unmanaged_definitions.is_empty() {
            let live = &self.schema.unmanaged;
            self.schema
                .unmanaged_definitions
                .retain(|u, _| live.contains(u));
        }
        applied
    }

    /// What a `CREATE [MATERIALIZED] VIEW` statement's query references
    /// (a statement strata keeps by name).
    fn analyse_view(&self, text: &str) -> ViewDeps {
        let dialect = sqlparser::dialect::PostgreSqlDialect {};
        if let Ok(stmts) = sqlparser::parser::Parser::parse_sql(&dialect, text) {
            if let [sqlparser::ast::Statement::CreateView(cv)] = stmts.as_slice() {
                return self.analyse_parsed(&cv.query, text);
            }
        }
        self.unknown_deps(text)
    }

    fn unknown_deps(&self, text: &str) -> ViewDeps {
        ViewDeps {
            rels: None,
            cols: BTreeSet::new(),
            idents: BTreeSet::new(),
            single: false,
            text: text.to_lowercase(),
        }
    }

    /// What a view's query references, resolved with the search path now
    /// in effect.
    pub(super) fn analyse_query(&self, text: &str) -> ViewDeps {
        let dialect = sqlparser::dialect::PostgreSqlDialect {};
        let parsed = sqlparser::parser::Parser::new(&dialect)
            .try_with_sql(text)
            .and_then(|mut p| p.parse_query());
        match parsed {
            Ok(q) => self.analyse_parsed(&q, text),
            Err(_) => self.unknown_deps(text),
        }
    }

    fn analyse_parsed(&self, query: &sqlparser::ast::Query, text: &str) -> ViewDeps {
        use sqlparser::ast::{Expr, SelectItem, SetExpr, Visit, Visitor};
        let unknown = ViewDeps {
            rels: None,
            cols: BTreeSet::new(),
            idents: BTreeSet::new(),
            single: false,
            text: text.to_lowercase(),
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
        let _ = query.visit(&mut v);
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
                        .or_else(|| self.find_view(&q).map(|ns| (ns, name.clone())))
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

    /// A relation or column a view reads was renamed or moved: the server
    /// prints the view's query with the new names, which strata does not
    /// derive again — the views that read it (or may: their query was not
    /// analysed) compare as unproven from now on, keyed by the text they
    /// had and what happened, so two histories doing the same still agree.
    pub(super) fn demote_views_reading(&mut self, ns: &str, rel: &str, why: &str) {
        let readers: Vec<Unmanaged> = self
            .view_deps
            .iter()
            .filter(|(_, d)| {
                d.rels
                    .as_ref()
                    .is_none_or(|r| r.contains(&(ns.to_string(), rel.to_string())))
            })
            .map(|(u, _)| u.clone())
            .collect();
        for u in readers {
            let (vns, vname) = split_unmanaged(&u.name);
            let Some(v) = self
                .schema
                .namespaces
                .get_mut(&vns)
                .and_then(|n| n.views.get_mut(&vname))
            else {
                continue;
            };
            if let Stored::Exact { text } = &v.query.stored {
                v.query.stored = Stored::Unproven {
                    reason: format!(
                        "{why} since the view was created: strata does not derive the text pg_get_viewdef prints now"
                    ),
                    key: format!("{text} /* then {why} */"),
                };
            }
        }
    }

    /// A relation renamed or moved: views keep depending on it (PostgreSQL
    /// tracks it by OID).
    pub(super) fn move_in_view_deps(&mut self, ns: &str, rel: &str, new_ns: &str, new: &str) {
        self.publications_table_moved(ns, rel, new_ns, new);
        self.rules_after_rename(
            ns,
            rel,
            Some((new_ns, new)),
            &format!(
                "{} was renamed to {}",
                qualified(ns, rel),
                qualified(new_ns, new)
            ),
        );
        self.demote_views_reading(
            ns,
            rel,
            &format!(
                "{} was renamed to {}",
                qualified(ns, rel),
                qualified(new_ns, new)
            ),
        );
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
    pub(super) fn views_depending_on(
        &self,
        ns: &str,
        rel: &str,
        col: Option<&str>,
    ) -> R<Vec<Unmanaged>> {
        let mut out = Vec::new();
        let mut all: Vec<Unmanaged> = self
            .schema
            .unmanaged
            .iter()
            .filter(|u| {
                matches!(
                    u.kind,
                    UnmanagedKind::View | UnmanagedKind::MaterializedView
                )
            })
            .cloned()
            .collect();
        for (nsn, n) in &self.schema.namespaces {
            for (vn, v) in &n.views {
                all.push(view_key(nsn, vn, v.materialized));
            }
        }
        for u in &all {
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
    pub(super) fn drop_dependent_views(
        &mut self,
        ns: &str,
        rel: &str,
        col: Option<&str>,
        cascade: bool,
        what: &str,
    ) -> R<()> {
        self.drop_dependent_rules(ns, rel, col, cascade, what)?;
        self.publications_before_drop(ns, rel, col, cascade)?;
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
            let (vns, vname) = split_unmanaged(&u.name);
            let modelled = self
                .schema
                .namespaces
                .get_mut(&vns)
                .and_then(|n| n.views.remove(&vname))
                .is_some();
            if !self.schema.unmanaged.remove(&u) && !modelled {
                continue;
            }
            self.view_deps.remove(&u);
            self.drop_dependent_rules(&vns, &vname, None, true, "view")?;
            queue.extend(self.views_depending_on(&vns, &vname, None)?);
        }
        Ok(())
    }
}

/// The key of a view in [`Replayer::view_deps`].
/// What an unproven view query compares by: its tokens, folded, and the
/// relations they resolved to (the same tokens over other relations are
/// not the same query).
fn unproven_key(query_key: &str, deps: &ViewDeps) -> String {
    let reads = match &deps.rels {
        Some(rels) => rels
            .iter()
            .map(|(n, r)| qualified(n, r))
            .collect::<Vec<_>>()
            .join(", "),
        None => "?".to_string(),
    };
    format!("{query_key} /* reads {reads} */")
}

pub(super) fn view_key(ns: &str, name: &str, materialized: bool) -> Unmanaged {
    Unmanaged {
        kind: if materialized {
            UnmanagedKind::MaterializedView
        } else {
            UnmanagedKind::View
        },
        name: format!("{}.{}", quote_ident(ns), quote_ident(name)),
    }
}

fn kind_of(materialized: bool) -> ObjectKind {
    if materialized {
        ObjectKind::MaterializedView
    } else {
        ObjectKind::View
    }
}

fn label(materialized: bool) -> &'static str {
    if materialized {
        "materialized view"
    } else {
        "view"
    }
}

/// A relation's columns: (name, type when known).
type RelColumns = Vec<(String, Option<String>)>;

/// Options a view accepts (`view_relopt_tab`).
const VIEW_OPTIONS: &[&str] = &["check_option", "security_barrier", "security_invoker"];

const BOOLEAN_TEXT: &[&str] = &[
    "true", "false", "on", "off", "yes", "no", "1", "0", "t", "f", "y", "n",
];

impl Replayer {
    /// The namespace of a view (either kind) found by name with the search path.
    pub(super) fn find_view(&self, q: &QName) -> Option<String> {
        let nss: Vec<String> = match &q.schema {
            Some(s) => vec![s.clone()],
            None => self.search_namespaces(),
        };
        nss.into_iter().find(|ns| {
            self.schema
                .namespaces
                .get(ns)
                .is_some_and(|n| n.views.contains_key(&q.name))
        })
    }

    pub(super) fn view(&self, ns: &str, name: &str) -> Option<&View> {
        self.schema.namespaces.get(ns)?.views.get(name)
    }

    fn view_mut(&mut self, ns: &str, name: &str) -> &mut View {
        self.ns_mut(ns)
            .views
            .get_mut(name)
            .expect("caller resolved the view")
    }

    /// The materialized view owning an index of this name in `ns`.
    pub(super) fn view_index_owner(&self, ns: &str, index: &str) -> Option<String> {
        self.schema
            .namespaces
            .get(ns)?
            .views
            .iter()
            .find(|(_, v)| v.indexes.contains_key(index))
            .map(|(n, _)| n.clone())
    }

    /// A view of the kind the statement names: the server's errors for a
    /// missing one or one of the other kind.
    fn resolve_view(&self, q: &QName, materialized: bool) -> R<Option<String>> {
        if let Some(ns) = self.find_view(q) {
            let v = self.view(&ns, &q.name).expect("found");
            if v.materialized != materialized {
                return Err(err(
                    WRONG_OBJECT_TYPE,
                    format!(
                        "\"{}\" is not a {}",
                        q.name,
                        if materialized {
                            "materialized view"
                        } else {
                            "view"
                        }
                    ),
                ));
            }
            return Ok(Some(ns));
        }
        if self.relation_kind(q).is_some() {
            return Err(err(
                WRONG_OBJECT_TYPE,
                format!(
                    "\"{}\" is not a {}",
                    q.name,
                    if materialized {
                        "materialized view"
                    } else {
                        "view"
                    }
                ),
            ));
        }
        Ok(None)
    }

    /// The columns (name, type when known) of a relation a view reads.
    fn relation_columns(&self, q: &QName) -> Option<RelColumns> {
        let nss: Vec<String> = match &q.schema {
            Some(s) => vec![s.clone()],
            None => self.search_namespaces(),
        };
        for ns in nss {
            if let Some(t) = self.table(&ns, &q.name) {
                return Some(
                    t.columns
                        .iter()
                        .map(|c| (c.name.clone(), Some(c.data_type.clone())))
                        .collect(),
                );
            }
            if let Some(v) = self.view(&ns, &q.name) {
                return Some(
                    v.columns
                        .iter()
                        .map(|c| (c.name.clone(), c.data_type.clone()))
                        .collect(),
                );
            }
            if self.relation_kind_in(&ns, &q.name).is_some() {
                return None;
            }
        }
        None
    }

    /// `CREATE [OR REPLACE] VIEW` / `CREATE MATERIALIZED VIEW`.
    pub(super) fn create_view(&mut self, cv: CreateView, deps: &ViewDeps) -> R<()> {
        let ns = self.creation_ns(&cv.name)?;
        let name = cv.name.name.clone();
        let mut replacing: Option<View> = None;
        if self.relation_taken(&ns, &name) || self.type_exists_in(&ns, &name) {
            match self.view(&ns, &name) {
                Some(v) if cv.or_replace && !v.materialized => replacing = Some(v.clone()),
                _ if cv.or_replace && self.relation_kind_in(&ns, &name).is_some() => {
                    return Err(err(WRONG_OBJECT_TYPE, format!("\"{name}\" is not a view")));
                }
                _ => {
                    if cv.if_not_exists {
                        return Ok(());
                    }
                    return Err(err(
                        DUPLICATE_TABLE,
                        format!("relation \"{name}\" already exists"),
                    ));
                }
            }
        }
        // The relations of the FROM clause, with their columns.
        let mut from: Vec<(String, Option<String>, RelColumns)> = Vec::new();
        for (q, alias) in &cv.from {
            match self.relation_columns(q) {
                Some(cols) => from.push((q.name.clone(), alias.clone(), cols)),
                None => {
                    if self.relation_kind(q).is_none() {
                        return Err(err(
                            UNDEFINED_TABLE,
                            format!("relation \"{}\" does not exist", display_q(q)),
                        ));
                    }
                    from.push((q.name.clone(), alias.clone(), Vec::new()));
                }
            }
        }
        let named = |qual: &str| {
            from.iter()
                .find(|(n, a, _)| a.as_deref() == Some(qual) || (a.is_none() && n == qual))
        };
        let mut columns: Vec<ViewColumn> = Vec::new();
        let column = |name: &str, data_type: Option<String>| ViewColumn {
            name: name.to_string(),
            data_type,
            default: None,
            comment: None,
            acl: None,
        };
        for item in &cv.items {
            match item {
                ViewItem::Star(None) => {
                    for (_, _, cols) in &from {
                        columns.extend(cols.iter().map(|(n, t)| column(n, t.clone())));
                    }
                }
                ViewItem::Star(Some(qual)) => match named(qual) {
                    Some((_, _, cols)) => {
                        columns.extend(cols.iter().map(|(n, t)| column(n, t.clone())))
                    }
                    None => {
                        return Err(help(
                            err(
                                FEATURE_NOT_SUPPORTED,
                                format!(
                                    "strata cannot expand {qual}.* in {} {}",
                                    label(cv.materialized),
                                    qualified(&ns, &name)
                                ),
                            ),
                            "name the view's columns in its SELECT list",
                        ))
                    }
                },
                ViewItem::Column {
                    name: cname,
                    source,
                } => {
                    let data_type = source.as_ref().and_then(|(qual, col)| {
                        let mut found = from.iter().filter(|(n, a, _)| match qual {
                            Some(q) => a.as_deref() == Some(q.as_str()) || (a.is_none() && n == q),
                            None => true,
                        });
                        let hits: Vec<&Option<String>> = found
                            .by_ref()
                            .flat_map(|(_, _, cols)| {
                                cols.iter().filter(|(n, _)| n == col).map(|(_, t)| t)
                            })
                            .collect();
                        match hits.as_slice() {
                            [t] => (*t).clone(),
                            _ => None,
                        }
                    });
                    columns.push(column(cname, data_type));
                }
            }
        }
        if cv.items.is_empty() {
            if cv.columns.is_empty() {
                return Err(help(
                    err(
                        FEATURE_NOT_SUPPORTED,
                        format!(
                            "strata cannot tell the columns of {} {}",
                            label(cv.materialized),
                            qualified(&ns, &name)
                        ),
                    ),
                    "write the query as a SELECT, or name the columns after the view's name",
                ));
            }
            columns = cv.columns.iter().map(|n| column(n, None)).collect();
        }
        if cv.columns.len() > columns.len() {
            return Err(err(
                SYNTAX_ERROR,
                format!(
                    "CREATE {} specifies more column names than columns",
                    if cv.materialized {
                        "MATERIALIZED VIEW"
                    } else {
                        "VIEW"
                    }
                ),
            ));
        }
        for (c, n) in columns.iter_mut().zip(&cv.columns) {
            c.name = n.clone();
        }
        let mut seen = BTreeSet::new();
        for c in &columns {
            if !seen.insert(c.name.clone()) {
                return Err(err(
                    DUPLICATE_COLUMN,
                    format!("column \"{}\" specified more than once", c.name),
                ));
            }
        }
        let mut options = checked_options(
            if cv.materialized {
                HEAP_OPTIONS
            } else {
                VIEW_OPTIONS
            },
            cv.options.clone(),
        )?;
        let mut check_option = cv.check_option;
        if let Some(v) = options.remove("check_option") {
            check_option = Some(parse_check_option(&v)?);
        }
        for k in ["security_barrier", "security_invoker"] {
            if let Some(v) = options.get(k) {
                if !BOOLEAN_TEXT.contains(&v.as_str()) {
                    return Err(err(
                        INVALID_PARAMETER,
                        format!("invalid value for boolean option \"{k}\": {v}"),
                    ));
                }
            }
        }
        let key = unproven_key(&cv.query_key, deps);
        let stored = match self.derive_viewdef(&cv, &columns) {
            Ok(def) => {
                for (c, t) in columns.iter_mut().zip(def.types) {
                    c.data_type = Some(t);
                }
                Stored::Exact { text: def.text }
            }
            Err(why) => Stored::Unproven {
                reason: format!(
                    "strata does not derive the text pg_get_viewdef prints for this query offline ({why})"
                ),
                key,
            },
        };
        let query = Expression {
            sql: cv.query.clone(),
            stored,
        };
        let mut view = View {
            owner: self.creator(),
            materialized: cv.materialized,
            columns,
            query,
            check_option,
            options,
            populated: !cv.materialized || cv.with_data,
            indexes: BTreeMap::new(),
            comment: None,
            acl: None,
            column_list: cv.columns.clone(),
            triggers: BTreeMap::new(),
            rules: BTreeMap::new(),
        };
        if let Some(old) = replacing {
            if view.columns.len() < old.columns.len() {
                return Err(err(
                    INVALID_TABLE_DEFINITION,
                    "cannot drop columns from view",
                ));
            }
            for (o, n) in old.columns.iter().zip(view.columns.iter_mut()) {
                if o.name != n.name {
                    return Err(help(
                        err(
                            INVALID_TABLE_DEFINITION,
                            format!(
                                "cannot change name of view column \"{}\" to \"{}\"",
                                o.name, n.name
                            ),
                        ),
                        "Use ALTER VIEW ... RENAME COLUMN ... to change name of view column instead.",
                    ));
                }
                if let (Some(a), Some(b)) = (&o.data_type, &n.data_type) {
                    if a != b {
                        return Err(err(
                            INVALID_TABLE_DEFINITION,
                            format!(
                                "cannot change data type of view column \"{}\" from {a} to {b}",
                                o.name
                            ),
                        ));
                    }
                }
                n.comment = o.comment.clone();
                n.default = o.default.clone();
                n.acl = o.acl.clone();
            }
            view.comment = old.comment;
            view.acl = old.acl;
            view.owner = old.owner;
            // CREATE OR REPLACE keeps the relation, and the triggers on it.
            view.triggers = old.triggers;
            view.rules = old.rules;
        } else {
            view.acl = self.initial_acl(crate::model::DefaultAclObject::Tables, Some(&ns));
        }
        let materialized = view.materialized;
        self.ns_mut(&ns).views.insert(name.clone(), view);
        self.touch(ObjectPath::new(kind_of(materialized), &ns, &name));
        Ok(())
    }

    /// The text `pg_get_viewdef` prints for a view's query, for the subset
    /// [`crate::analyze::view`] derives; else why not.
    fn derive_viewdef(
        &self,
        cv: &CreateView,
        columns: &[ViewColumn],
    ) -> Result<crate::analyze::view::ViewDef, String> {
        if cv.recursive {
            return Err("a RECURSIVE view".to_string());
        }
        let dialect = sqlparser::dialect::PostgreSqlDialect {};
        let query = sqlparser::parser::Parser::new(&dialect)
            .try_with_sql(&cv.query)
            .and_then(|mut p| p.parse_query())
            .map_err(|e| e.to_string())?;
        let relation = match cv.from.as_slice() {
            [] => None,
            [(q, alias)] => {
                let ns = self
                    .find_table(q)
                    .or_else(|| self.find_view(q))
                    .ok_or_else(|| "a relation strata does not model".to_string())?;
                let cols: Vec<crate::model::Column> = match self.table(&ns, &q.name) {
                    Some(t) => t.columns.clone(),
                    None => self
                        .view(&ns, &q.name)
                        .map(|v| {
                            v.columns
                                .iter()
                                .map(|c| {
                                    c.data_type
                                        .as_ref()
                                        .map(|t| {
                                            crate::model::Column::new(c.name.clone(), t.clone())
                                        })
                                        .ok_or_else(|| {
                                            format!(
                                                "the type of {}.{} is not known",
                                                q.name, c.name
                                            )
                                        })
                                })
                                .collect::<Result<Vec<_>, String>>()
                        })
                        .transpose()?
                        .unwrap_or_default(),
                };
                let from_sql = match alias {
                    Some(a) => format!("{} {}", qualified(&ns, &q.name), quote_ident(a)),
                    None => qualified(&ns, &q.name),
                };
                let qualifiers = match alias {
                    Some(a) => vec![vec![a.clone()]],
                    None => vec![vec![q.name.clone()], vec![ns.clone(), q.name.clone()]],
                };
                Some(crate::analyze::view::Relation {
                    from_sql,
                    refname: quote_ident(alias.as_ref().unwrap_or(&q.name)),
                    qualifiers,
                    columns: cols,
                })
            }
            _ => return Err("more than one relation".to_string()),
        };
        let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
        crate::analyze::view::viewdef(&query, &names, relation.as_ref(), &self.schema)
            .map_err(|u| u.reason)
    }

    /// A view's query text after one of its columns was renamed: the
    /// server keeps the query parsed and now prints the new name (`SELECT
    /// t.a AS b`). Derived again from the query as written, with the new
    /// column names — when the same derivation with the old names still
    /// gives the text kept until now (the query's relations resolve as they
    /// did); else the text is unproven, naming the rename.
    fn rederive_after_rename(&mut self, ns: &str, name: &str, old: &str, new: &str) {
        let Some(v) = self.view(ns, name) else {
            return;
        };
        let Some(kept) = v.query.exact().map(str::to_string) else {
            return;
        };
        let statement = format!(
            "CREATE {}VIEW {} AS {}",
            if v.materialized { "MATERIALIZED " } else { "" },
            qualified(ns, name),
            v.query.sql
        );
        let before: Vec<ViewColumn> = v
            .columns
            .iter()
            .map(|c| {
                let mut c = c.clone();
                if c.name == new {
                    c.name = old.to_string();
                }
                c
            })
            .collect();
        let after = v.columns.clone();
        let derived = match crate::parse::parse_statement(&statement) {
            Ok(Stmt::CreateView(cv)) => match self.derive_viewdef(&cv, &before) {
                Ok(def) if def.text == kept => self
                    .derive_viewdef(&cv, &after)
                    .map(|d| d.text)
                    .map_err(|why| why.to_string()),
                Ok(_) => Err("its relations no longer resolve as they did".to_string()),
                Err(why) => Err(why),
            },
            _ => Err("its query does not read back".to_string()),
        };
        // The key an unproven query compares by: its tokens and the
        // relations they resolved to, as at creation.
        let tokens = crate::parse::query_key(&v.query.sql);
        let key = match self.view_deps.get(&view_key(ns, name, v.materialized)) {
            Some(deps) => unproven_key(&tokens, deps),
            None => format!("{tokens} /* reads ? */"),
        };
        let v = self.view_mut(ns, name);
        v.query.stored = match derived {
            Ok(text) => Stored::Exact { text },
            Err(why) => Stored::Unproven {
                reason: format!(
                    "column {old} was renamed to {new}, and strata does not derive the query text pg_get_viewdef prints now ({why})"
                ),
                key,
            },
        };
    }

    /// Whether `q` names a materialized view (else a view, or nothing).
    pub(super) fn view_is_materialized(&self, q: &QName) -> bool {
        self.find_view(q)
            .and_then(|ns| self.view(&ns, &q.name))
            .is_some_and(|v| v.materialized)
    }

    /// `ALTER TABLE` actions on a view that `ALTER VIEW` can do (column
    /// defaults, renames, schema; OWNER TO and the like change nothing):
    /// `None` when `q` names no view or an action is not one of those.
    pub(super) fn as_view_actions(
        &self,
        q: &QName,
        actions: &[TableAction],
    ) -> Option<Vec<ViewAction>> {
        self.find_view(q)?;
        let materialized = self.view_is_materialized(q);
        actions
            .iter()
            .filter(|a| !matches!(a, TableAction::NoOp(_)))
            .map(|a| match a {
                TableAction::AlterColumn { name, op } if !materialized => match op {
                    ColumnOp::SetDefault(e) => Some(ViewAction::SetDefault {
                        column: name.clone(),
                        default: e.clone(),
                    }),
                    ColumnOp::DropDefault => Some(ViewAction::DropDefault {
                        column: name.clone(),
                    }),
                    _ => None,
                },
                TableAction::RenameColumn { old, new } => Some(ViewAction::RenameColumn {
                    old: old.clone(),
                    new: new.clone(),
                }),
                TableAction::RenameTo(n) => Some(ViewAction::RenameTo(n.clone())),
                TableAction::Owner(r) => Some(ViewAction::Owner(r.clone())),
                TableAction::SetSchema(s) => Some(ViewAction::SetSchema(s.clone())),
                _ => None,
            })
            .collect()
    }

    /// `ALTER VIEW | MATERIALIZED VIEW`.
    pub(super) fn alter_view(
        &mut self,
        q: QName,
        materialized: bool,
        if_exists: bool,
        action: ViewAction,
    ) -> R<()> {
        let Some(ns) = self.resolve_view(&q, materialized)? else {
            if if_exists {
                return Ok(());
            }
            return Err(err(
                UNDEFINED_TABLE,
                format!("relation \"{}\" does not exist", display_q(&q)),
            ));
        };
        let name = q.name.clone();
        let path = ObjectPath::new(kind_of(materialized), &ns, &name);
        match action {
            ViewAction::NoOp(_) => {}
            ViewAction::Owner(role) => {
                let owner = self.owner_for(role);
                let v = self.ns_mut(&ns).views.get_mut(&name).expect("found");
                if let Some(r) = owner.role() {
                    use crate::model::{acl::owner_becomes, AclKind};
                    owner_becomes(&mut v.acl, r, AclKind::Relation);
                    for c in &mut v.columns {
                        owner_becomes(&mut c.acl, r, AclKind::Column);
                    }
                }
                v.owner = owner;
                self.touch(path.clone());
            }
            ViewAction::RenameTo(new) => {
                if self.relation_taken(&ns, &new) || self.type_exists_in(&ns, &new) {
                    return Err(err(
                        DUPLICATE_TABLE,
                        format!("relation \"{new}\" already exists"),
                    ));
                }
                self.move_view(&ns, &name, &ns, &new);
            }
            ViewAction::SetSchema(target) => {
                if !self.schema.namespaces.contains_key(&target) {
                    return Err(err(
                        INVALID_SCHEMA,
                        format!("schema \"{target}\" does not exist"),
                    ));
                }
                if target == ns {
                    return Ok(());
                }
                if self.relation_taken(&target, &name) {
                    return Err(err(
                        DUPLICATE_TABLE,
                        format!("relation \"{name}\" already exists in schema \"{target}\""),
                    ));
                }
                self.move_view(&ns, &name, &target, &name);
            }
            ViewAction::RenameColumn { old, new } => {
                let v = self.view_mut(&ns, &name);
                if v.column(&old).is_none() {
                    return Err(err(
                        UNDEFINED_COLUMN,
                        format!("column \"{old}\" does not exist"),
                    ));
                }
                if v.column(&new).is_some() {
                    return Err(err(
                        DUPLICATE_COLUMN,
                        format!("column \"{new}\" of relation \"{name}\" already exists"),
                    ));
                }
                if let Some(c) = v.column_mut(&old) {
                    c.name = new.clone();
                }
                v.column_list = v.columns.iter().map(|c| c.name.clone()).collect();
                for i in v.indexes.values_mut() {
                    rename_in_index(i, &old, &new);
                }
                for g in v.triggers.values_mut() {
                    for c in g.events.update_of.iter_mut().filter(|c| **c == old) {
                        c.clone_from(&new);
                    }
                }
                self.rewrite_view_trigger_definitions(&ns, &name);
                self.rederive_after_rename(&ns, &name, &old, &new);
                self.rules_after_rename(
                    &ns,
                    &name,
                    None,
                    &format!(
                        "column {old} of {} was renamed to {new}",
                        qualified(&ns, &name)
                    ),
                );
                self.rules_column_renamed(&ns, &name, &old, &new);
                self.demote_views_reading(
                    &ns,
                    &name,
                    &format!(
                        "column {old} of {} was renamed to {new}",
                        qualified(&ns, &name)
                    ),
                );
                self.touch(path);
            }
            ViewAction::SetOptions(set) => {
                let valid = if materialized {
                    HEAP_OPTIONS
                } else {
                    VIEW_OPTIONS
                };
                let mut set = checked_options(valid, set)?;
                let check = set
                    .remove("check_option")
                    .map(|v| parse_check_option(&v))
                    .transpose()?;
                let v = self.view_mut(&ns, &name);
                if let Some(c) = check {
                    v.check_option = Some(c);
                }
                v.options.extend(set);
                self.touch(path);
            }
            ViewAction::ResetOptions(reset) => {
                let valid = if materialized {
                    HEAP_OPTIONS
                } else {
                    VIEW_OPTIONS
                };
                for k in &reset {
                    if !valid.contains(&k.as_str()) {
                        return Err(err(
                            INVALID_PARAMETER,
                            format!("unrecognized parameter \"{k}\""),
                        ));
                    }
                }
                let v = self.view_mut(&ns, &name);
                for k in reset {
                    if k == "check_option" {
                        v.check_option = None;
                    }
                    v.options.remove(&k);
                }
                self.touch(path);
            }
            ViewAction::SetDefault { column, default } => {
                let v = self.view_mut(&ns, &name);
                let Some(c) = v.column_mut(&column) else {
                    return Err(err(
                        UNDEFINED_COLUMN,
                        format!("column \"{column}\" of relation \"{name}\" does not exist"),
                    ));
                };
                c.default = Some(default);
                self.touch(path);
            }
            ViewAction::DropDefault { column } => {
                let v = self.view_mut(&ns, &name);
                let Some(c) = v.column_mut(&column) else {
                    return Err(err(
                        UNDEFINED_COLUMN,
                        format!("column \"{column}\" of relation \"{name}\" does not exist"),
                    ));
                };
                c.default = None;
                self.touch(path);
            }
        }
        Ok(())
    }

    /// A view renamed or moved to another namespace, with what depends on it.
    fn move_view(&mut self, ns: &str, name: &str, new_ns: &str, new: &str) {
        let v = self
            .ns_mut(ns)
            .views
            .remove(name)
            .expect("caller resolved the view");
        let materialized = v.materialized;
        self.ns_mut(new_ns).views.insert(new.to_string(), v);
        if let Some(d) = self.view_deps.remove(&view_key(ns, name, materialized)) {
            self.view_deps
                .insert(view_key(new_ns, new, materialized), d);
        }
        self.move_in_view_deps(ns, name, new_ns, new);
        self.rewrite_view_trigger_definitions(new_ns, new);
        self.touch(ObjectPath::new(kind_of(materialized), new_ns, new));
    }

    /// `DROP VIEW | MATERIALIZED VIEW`.
    pub(super) fn drop_view(
        &mut self,
        materialized: bool,
        names: Vec<QName>,
        if_exists: bool,
        cascade: bool,
    ) -> R<()> {
        for q in names {
            let found = match self.resolve_view(&q, materialized) {
                Ok(f) => f,
                Err(e) => {
                    let hint = if materialized {
                        "Use DROP VIEW to remove a view."
                    } else {
                        "Use DROP MATERIALIZED VIEW to remove a materialized view."
                    };
                    return Err(help(e, hint));
                }
            };
            let Some(ns) = found else {
                if if_exists {
                    continue;
                }
                return Err(err(
                    UNDEFINED_TABLE,
                    format!(
                        "{} \"{}\" does not exist",
                        label(materialized),
                        display_q(&q)
                    ),
                ));
            };
            self.drop_dependent_views(&ns, &q.name, None, cascade, label(materialized))?;
            self.ns_mut(&ns).views.remove(&q.name);
            self.view_deps.remove(&view_key(&ns, &q.name, materialized));
        }
        Ok(())
    }

    /// `REFRESH MATERIALIZED VIEW`.
    pub(super) fn refresh_view(&mut self, q: QName, with_data: bool) -> R<()> {
        let Some(ns) = self.resolve_view(&q, true)? else {
            return Err(err(
                UNDEFINED_TABLE,
                format!("relation \"{}\" does not exist", display_q(&q)),
            ));
        };
        self.view_mut(&ns, &q.name).populated = with_data;
        self.touch(ObjectPath::new(ObjectKind::MaterializedView, &ns, &q.name));
        Ok(())
    }

    /// `COMMENT ON VIEW | MATERIALIZED VIEW`.
    pub(super) fn comment_view(
        &mut self,
        q: QName,
        materialized: bool,
        text: Option<String>,
    ) -> R<()> {
        let Some(ns) = self.resolve_view(&q, materialized)? else {
            return Err(err(
                UNDEFINED_TABLE,
                format!("relation \"{}\" does not exist", display_q(&q)),
            ));
        };
        self.view_mut(&ns, &q.name).comment = text;
        self.touch(ObjectPath::new(kind_of(materialized), &ns, &q.name));
        Ok(())
    }

    /// `COMMENT ON COLUMN view.column`: `false` when `q` names no view.
    pub(super) fn comment_view_column(
        &mut self,
        q: &QName,
        col: &str,
        text: Option<String>,
    ) -> R<bool> {
        let Some(ns) = self.find_view(q) else {
            return Ok(false);
        };
        let v = self.view_mut(&ns, &q.name);
        let materialized = v.materialized;
        let Some(c) = v.column_mut(col) else {
            return Err(err(
                UNDEFINED_COLUMN,
                format!("column \"{col}\" of relation \"{}\" does not exist", q.name),
            ));
        };
        c.comment = text;
        self.touch(ObjectPath::new(kind_of(materialized), &ns, &q.name));
        Ok(true)
    }

    /// `CREATE INDEX` on a view: on a materialized view, the index; on a
    /// view, the server's error. `Ok(false)` when `ci` names no view.
    pub(super) fn create_view_index(&mut self, ci: &CreateIndex) -> R<bool> {
        let Some(ns) = self.find_view(&ci.table) else {
            return Ok(false);
        };
        let view_name = ci.table.name.clone();
        let v = self.view(&ns, &view_name).expect("found");
        if !v.materialized {
            return Err(help(
                err(
                    WRONG_OBJECT_TYPE,
                    format!("cannot create index on relation \"{view_name}\""),
                ),
                "This operation is not supported for views.",
            ));
        }
        for k in &ci.keys {
            if let IndexKeyExpr::Column(c) = &k.key {
                if v.column(c).is_none() {
                    return Err(err(
                        UNDEFINED_COLUMN,
                        format!("column \"{c}\" does not exist"),
                    ));
                }
            }
        }
        for c in &ci.include {
            if v.column(c).is_none() {
                return Err(err(
                    UNDEFINED_COLUMN,
                    format!("column \"{c}\" does not exist"),
                ));
            }
        }
        let name = match &ci.name {
            Some(n) => {
                if self.relation_taken(&ns, n) {
                    if ci.if_not_exists {
                        return Ok(true);
                    }
                    return Err(err(
                        DUPLICATE_TABLE,
                        format!("relation \"{n}\" already exists"),
                    ));
                }
                n.clone()
            }
            None => {
                let mut parts: Vec<&str> = ci.keys.iter().map(|k| k.name_part.as_str()).collect();
                parts.extend(ci.include.iter().map(String::as_str));
                let numbered = names::index_column_names(&parts);
                let numbered: Vec<&str> = numbered.iter().map(String::as_str).collect();
                let joined = names::join_column_names(&numbered);
                self.choose_name(
                    super::naming::TakenBy::Relation,
                    &ns,
                    &view_name,
                    Some(&joined),
                    "idx",
                )
            }
        };
        let index = self.index_from(ci.clone())?;
        self.view_mut(&ns, &view_name)
            .indexes
            .insert(name.clone(), Box::new(index));
        self.touch(ObjectPath::new(
            ObjectKind::MaterializedView,
            &ns,
            &view_name,
        ));
        Ok(true)
    }

    /// The namespace of a materialized view's index found by name.
    pub(super) fn find_view_index_ns(&self, q: &QName) -> Option<String> {
        let nss: Vec<String> = match &q.schema {
            Some(s) => vec![s.clone()],
            None => self.search_namespaces(),
        };
        nss.into_iter()
            .find(|ns| self.view_index_owner(ns, &q.name).is_some())
    }

    /// `DROP INDEX` of a materialized view's index: `false` when `q` names
    /// none.
    pub(super) fn drop_view_index(&mut self, q: &QName) -> bool {
        let nss: Vec<String> = match &q.schema {
            Some(s) => vec![s.clone()],
            None => self.search_namespaces(),
        };
        for ns in nss {
            if let Some(v) = self.view_index_owner(&ns, &q.name) {
                self.view_mut(&ns, &v).indexes.remove(&q.name);
                self.touch(ObjectPath::new(ObjectKind::MaterializedView, &ns, &v));
                return true;
            }
        }
        false
    }
}

fn parse_check_option(v: &str) -> R<CheckOption> {
    match v {
        "local" => Ok(CheckOption::Local),
        "cascaded" => Ok(CheckOption::Cascaded),
        _ => Err(help(
            err(
                INVALID_PARAMETER,
                format!("invalid value for enum option \"check_option\": {v}"),
            ),
            "Valid values are \"local\" and \"cascaded\".",
        )),
    }
}
