//! What views depend on (`view.c`): what each view's query references,
//! recorded at `CREATE VIEW` and kept out of the compared model, so that
//! dropping a relation or a column fails, or cascades, as PostgreSQL's would.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::model::{qualified, Unmanaged, UnmanagedKind};
use crate::parse::{self, QName, Stmt, UnmanagedOp};
use crate::split;

use super::unmanaged::split_unmanaged;
use super::{err, help, Replayer, DEPENDENT_OBJECTS, FEATURE_NOT_SUPPORTED, R};

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
    pub(super) fn move_in_view_deps(&mut self, ns: &str, rel: &str, new_ns: &str, new: &str) {
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
    pub(super) fn drop_dependent_views(
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
}
