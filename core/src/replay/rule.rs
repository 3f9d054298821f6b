//! Rewrite rules (`rewriteDefine.c`): `CREATE [OR REPLACE] RULE` with the
//! server's checks (the relation and its kind, `ON SELECT`, `_RETURN`, a
//! name taken), `DROP RULE`, `ALTER RULE … RENAME TO`, `ALTER TABLE …
//! ENABLE | DISABLE [REPLICA | ALWAYS] RULE`, `COMMENT ON RULE`; what a
//! rule reads (its condition and actions, over other relations too), so
//! that dropping, retyping or renaming what it uses fails, cascades or
//! makes its text unproven as on the server. A view's `_RETURN` rule is
//! the view itself, never a [`Rule`].

use std::collections::{BTreeMap, BTreeSet};

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

use crate::analyze::rule::{RuleScope, Target};
use crate::analyze::Unproven;
use crate::model::{
    qualified, Column, Expression, ObjectKind, ObjectPath, RelationRef, Rule, RuleDerived,
    RuleEvent, RulePart, RuleText, Stored, TriggerEnabled,
};
use crate::parse::{fold_ident, query_key, CreateRule, QName};

use super::{
    display_q, err, help, Replayer, DEPENDENT_OBJECTS, DUPLICATE_OBJECT, FEATURE_NOT_SUPPORTED,
    INVALID_OBJECT_DEFINITION, R, UNDEFINED_OBJECT, UNDEFINED_TABLE, WRONG_OBJECT_TYPE,
};

/// The name of a view's own rule.
pub(crate) const VIEW_RULE: &str = "_RETURN";

/// The relation a rule is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum On {
    Table,
    View,
}

pub(super) fn rule_path(ns: &str, rel: &str, name: &str) -> ObjectPath {
    ObjectPath::in_table(ObjectKind::Rule, ns, rel, name)
}

/// A rule that depends on something being dropped: where it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct RuleRef {
    pub(super) ns: String,
    pub(super) rel: String,
    pub(super) name: String,
    on_view: bool,
}

impl RuleRef {
    pub(super) fn describe(&self) -> String {
        format!(
            "rule {} on {} {}",
            self.name,
            if self.on_view { "view" } else { "table" },
            qualified(&self.ns, &self.rel)
        )
    }
}

impl Replayer {
    /// The relation of `CREATE RULE`, with the server's errors for one that
    /// cannot have rules.
    fn rule_relation_for_create(&self, q: &QName) -> R<(String, On)> {
        if let Some(ns) = self.find_table(q) {
            return Ok((ns, On::Table));
        }
        if let Some(ns) = self.find_plain_view(q) {
            return Ok((ns, On::View));
        }
        match self.relation_kind(q) {
            Some("materialized view") => Err(err(
                FEATURE_NOT_SUPPORTED,
                "rules on materialized views are not supported",
            )),
            Some(k @ ("view" | "foreign table")) => Err(help(
                err(
                    FEATURE_NOT_SUPPORTED,
                    format!(
                        "strata keeps {k} \"{}\" by name only and cannot model a rule on it",
                        q.name
                    ),
                ),
                "mark the statement with `-- strata:ignore` to skip it",
            )),
            Some(_) => Err(err(
                WRONG_OBJECT_TYPE,
                format!("relation \"{}\" cannot have rules", q.name),
            )),
            None => Err(err(
                UNDEFINED_TABLE,
                format!("relation \"{}\" does not exist", display_q(q)),
            )),
        }
    }

    /// The relation a rule is looked up on (DROP, ALTER, COMMENT): a table
    /// or view; `None` for another relation (it has no rules).
    fn rule_relation(&self, q: &QName) -> R<Option<(String, On)>> {
        if let Some(ns) = self.find_table(q) {
            return Ok(Some((ns, On::Table)));
        }
        if let Some(ns) = self.find_plain_view(q) {
            return Ok(Some((ns, On::View)));
        }
        if self.relation_kind(q).is_some() {
            return Ok(None);
        }
        Err(err(
            UNDEFINED_TABLE,
            format!("relation \"{}\" does not exist", display_q(q)),
        ))
    }

    fn rules_of(&self, ns: &str, rel: &str, on: On) -> Option<&BTreeMap<String, Rule>> {
        let n = self.schema.namespaces.get(ns)?;
        match on {
            On::Table => n.tables.get(rel).map(|t| &t.rules),
            On::View => n.views.get(rel).map(|v| &v.rules),
        }
    }

    fn rules_of_mut(&mut self, ns: &str, rel: &str, on: On) -> &mut BTreeMap<String, Rule> {
        match on {
            On::Table => &mut self.table_mut(ns, rel).rules,
            On::View => {
                &mut self
                    .ns_mut(ns)
                    .views
                    .get_mut(rel)
                    .expect("caller resolved the view")
                    .rules
            }
        }
    }

    fn missing_rule(name: &str, rel: &str) -> super::ReplayError {
        err(
            UNDEFINED_OBJECT,
            format!("rule \"{name}\" for relation \"{rel}\" does not exist"),
        )
    }

    /// `CREATE [OR REPLACE] RULE`.
    pub(super) fn create_rule(&mut self, cr: CreateRule) -> R<()> {
        let (ns, on) = self.rule_relation_for_create(&cr.table)?;
        let rel = cr.table.name.clone();
        if cr.condition.is_some()
            && cr.commands.iter().any(|c| {
                let w = first_word(c);
                !matches!(
                    w.as_str(),
                    "select" | "insert" | "update" | "delete" | "with"
                )
            })
        {
            return Err(err(
                INVALID_OBJECT_DEFINITION,
                "rules with WHERE conditions can only have SELECT, INSERT, UPDATE, or DELETE actions",
            ));
        }
        if cr.event == RuleEvent::Select {
            let instead_select = cr.instead
                && cr.commands.len() == 1
                && matches!(first_word(&cr.commands[0]).as_str(), "select" | "with");
            if !instead_select {
                return Err(err(
                    FEATURE_NOT_SUPPORTED,
                    "rules on SELECT must have action INSTEAD SELECT",
                ));
            }
            return Err(help(
                err(
                    FEATURE_NOT_SUPPORTED,
                    format!(
                        "strata does not model ON SELECT rules (rule \"{}\" on \"{rel}\"): a \
                         table with one becomes a view",
                        cr.name
                    ),
                ),
                "create a view instead",
            ));
        }
        if cr.name == VIEW_RULE {
            return Err(if on == On::Table {
                err(
                    INVALID_OBJECT_DEFINITION,
                    format!("non-view rule for \"{rel}\" must not be named \"{VIEW_RULE}\""),
                )
            } else {
                help(
                    err(
                        FEATURE_NOT_SUPPORTED,
                        format!(
                            "strata does not model replacing the {VIEW_RULE} rule of view \"{rel}\""
                        ),
                    ),
                    "use CREATE OR REPLACE VIEW",
                )
            });
        }
        let old = self
            .rules_of(&ns, &rel, on)
            .and_then(|r| r.get(&cr.name))
            .cloned();
        if old.is_some() && !cr.or_replace {
            return Err(err(
                DUPLICATE_OBJECT,
                format!("rule \"{}\" for relation \"{rel}\" already exists", cr.name),
            ));
        }
        let analysed = self.rule_reads(&cr);
        let (mut idents, row_columns) = rule_idents(&cr);
        let mut columns = BTreeSet::new();
        let columns_of = |x: &RelationRef| -> Vec<String> {
            if let Some(t) = self.table(&x.namespace, &x.name) {
                t.columns.iter().map(|c| c.name.clone()).collect()
            } else if let Some(v) = self.view(&x.namespace, &x.name) {
                v.columns.iter().map(|c| c.name.clone()).collect()
            } else {
                Vec::new()
            }
        };
        if let Some(a) = &analysed {
            // `INSERT INTO x VALUES …` without a column list uses every
            // column of x; a `*` may use every column of what it reads.
            for x in &a.inserted {
                for c in columns_of(x) {
                    columns.insert((x.clone(), c));
                }
            }
            if a.star {
                for x in &a.relations {
                    idents.extend(columns_of(x));
                }
            }
        }
        let reads = analysed.map(|a| {
            let mut r = a.relations;
            r.extend(a.inserted);
            r
        });
        let reads_text = match &reads {
            Some(r) => {
                let mut all: Vec<String> =
                    r.iter().map(|x| qualified(&x.namespace, &x.name)).collect();
                all.sort();
                all.join(", ")
            }
            None => "?".to_string(),
        };
        // The types of the columns the text may name: the same tokens over
        // columns of other types are not the same rule.
        let mut typed: Vec<String> = Vec::new();
        let own = RelationRef::new(ns.clone(), rel.clone());
        for x in std::iter::once(&own).chain(reads.iter().flatten()) {
            let cols: Vec<(String, String)> = if let Some(t) = self.table(&x.namespace, &x.name) {
                t.columns
                    .iter()
                    .map(|c| (c.name.clone(), c.data_type.clone()))
                    .collect()
            } else if let Some(v) = self.view(&x.namespace, &x.name) {
                v.columns
                    .iter()
                    .map(|c| {
                        (
                            c.name.clone(),
                            c.data_type.clone().unwrap_or_else(|| "?".to_string()),
                        )
                    })
                    .collect()
            } else {
                Vec::new()
            };
            for (c, ty) in cols {
                let named = idents.contains(&c)
                    || (*x == own && row_columns.contains(&c))
                    || columns.contains(&(x.clone(), c.clone()));
                if named {
                    typed.push(format!("{}.{}:{ty}", qualified(&x.namespace, &x.name), c));
                }
            }
        }
        typed.sort();
        typed.dedup();
        let context = format!(
            "on {} reads {reads_text} over {}",
            qualified(&ns, &rel),
            typed.join(", ")
        );
        let mut derived = RuleDerived::default();
        let (derived_condition, derived_actions) = self.derive_rule(&ns, &rel, on, &cr);
        let condition = cr.condition.as_ref().map(|c| {
            let stored = match derived_condition {
                Some(Ok(text)) => {
                    let s = Stored::Exact {
                        text: text.render(),
                    };
                    derived.condition = Some(text);
                    s
                }
                other => {
                    let why = match other {
                        Some(Err(why)) => why,
                        _ => "not analysed".to_string(),
                    };
                    Stored::Unproven {
                        reason: format!(
                            "strata does not derive the text pg_get_ruledef prints for this \
                             rule's condition ({why})"
                        ),
                        key: format!("{} /* {context} */", query_key(c)),
                    }
                }
            };
            Expression {
                sql: c.clone(),
                stored,
            }
        });
        let actions = if cr.commands.is_empty() {
            Expression::from_server("NOTHING")
        } else {
            let sql = cr.actions.trim().to_string();
            let stored = match derived_actions {
                Ok(text) => {
                    let s = Stored::Exact {
                        text: text.render(),
                    };
                    derived.actions = Some(text);
                    s
                }
                Err(why) => {
                    let key = cr
                        .commands
                        .iter()
                        .map(|c| query_key(c))
                        .collect::<Vec<_>>()
                        .join(" ; ");
                    Stored::Unproven {
                        reason: format!(
                            "strata does not derive the text pg_get_ruledef prints for these \
                             actions ({why})"
                        ),
                        key: format!("{key} /* {context} */"),
                    }
                }
            };
            Expression { sql, stored }
        };
        let rule = Rule {
            event: cr.event,
            instead: cr.instead,
            condition,
            actions,
            // CREATE OR REPLACE keeps the state and the comment.
            enabled: old.as_ref().map_or(TriggerEnabled::Origin, |o| o.enabled),
            comment: old.and_then(|o| o.comment),
            reads,
            idents,
            row_columns,
            columns,
            derived,
        };
        self.rules_of_mut(&ns, &rel, on)
            .insert(cr.name.clone(), rule);
        self.has_rules = true;
        self.touch(rule_path(&ns, &rel, &cr.name));
        Ok(())
    }

    /// The columns of a table or view with their canonical types, as
    /// `new.` / `old.` or a command's target see them.
    fn rule_columns(&self, ns: &str, rel: &str) -> Result<Vec<Column>, Unproven> {
        if let Some(t) = self.table(ns, rel) {
            return Ok(t.columns.clone());
        }
        if let Some(v) = self.view(ns, rel).filter(|v| !v.materialized) {
            return v
                .columns
                .iter()
                .map(|c| {
                    c.data_type
                        .as_ref()
                        .map(|t| Column::new(c.name.clone(), t.clone()))
                        .ok_or_else(|| {
                            unproven_because(format!(
                                "the type of column {} of {} is not known",
                                c.name,
                                qualified(ns, rel)
                            ))
                        })
                })
                .collect();
        }
        Err(unproven_because(format!(
            "{} is not a table or view strata models",
            qualified(ns, rel)
        )))
    }

    /// The texts `pg_get_ruledef` prints for a rule's condition (when it
    /// has one) and actions, derived with the search path now in effect;
    /// else why not.
    fn derive_rule(
        &self,
        ns: &str,
        rel: &str,
        _on: On,
        cr: &CreateRule,
    ) -> (Option<Result<RuleText, String>>, Result<RuleText, String>) {
        let own = match self.rule_columns(ns, rel) {
            Ok(c) => c,
            Err(u) => {
                return (
                    cr.condition.as_ref().map(|_| Err(u.reason.clone())),
                    Err(u.reason),
                )
            }
        };
        let resolve = |parts: &[String]| -> Result<Target, Unproven> {
            let found = match parts {
                [name] => self
                    .search_namespaces()
                    .into_iter()
                    .find(|n| self.relation_kind_in(n, name).is_some())
                    .map(|n| (n, name.clone())),
                [schema, name] => self
                    .relation_kind_in(schema, name)
                    .map(|_| (schema.clone(), name.clone())),
                _ => None,
            };
            let Some((tns, tname)) = found else {
                return Err(unproven_because(format!(
                    "the relation {} is not one strata resolves",
                    parts.join(".")
                )));
            };
            if tns == "public" && tname.starts_with("pg_") {
                return Err(unproven_because(format!(
                    "the relation {tname}: a catalog relation of that name may hide it"
                )));
            }
            Ok(Target {
                columns: self.rule_columns(&tns, &tname)?,
                relation: RelationRef::new(tns, tname),
            })
        };
        let scope = RuleScope {
            schema: &self.schema,
            event: cr.event,
            own_columns: &own,
            resolve: &resolve,
        };
        let condition = cr
            .condition
            .as_ref()
            .map(|c| crate::analyze::rule::condition(c, &scope).map_err(|u| u.reason));
        let actions = crate::analyze::rule::actions(&cr.commands, &scope).map_err(|u| u.reason);
        (condition, actions)
    }

    /// `DROP RULE [IF EXISTS] name ON table`.
    pub(super) fn drop_rule(&mut self, name: String, table: QName, if_exists: bool) -> R<()> {
        let resolved = match self.rule_relation(&table) {
            Ok(r) => r,
            Err(_) if if_exists => return Ok(()),
            Err(e) => return Err(e),
        };
        let Some((ns, on)) = resolved else {
            if if_exists {
                return Ok(());
            }
            return Err(Self::missing_rule(&name, &table.name));
        };
        if on == On::View && name == VIEW_RULE {
            return Err(help(
                err(
                    DEPENDENT_OBJECTS,
                    format!(
                        "cannot drop rule {VIEW_RULE} on view {} because view {} requires it",
                        table.name, table.name
                    ),
                ),
                format!("You can drop view {} instead.", table.name),
            ));
        }
        if self
            .rules_of_mut(&ns, &table.name, on)
            .remove(&name)
            .is_none()
        {
            if if_exists {
                return Ok(());
            }
            return Err(Self::missing_rule(&name, &table.name));
        }
        Ok(())
    }

    /// `ALTER RULE name ON table RENAME TO new`.
    pub(super) fn rename_rule(&mut self, name: String, table: QName, new_name: String) -> R<()> {
        let Some((ns, on)) = self.rule_relation(&table)? else {
            return Err(Self::missing_rule(&name, &table.name));
        };
        let rules = self.rules_of(&ns, &table.name, on);
        let is_view_rule = on == On::View && name == VIEW_RULE;
        if !is_view_rule && !rules.is_some_and(|r| r.contains_key(&name)) {
            return Err(Self::missing_rule(&name, &table.name));
        }
        if rules.is_some_and(|r| r.contains_key(&new_name))
            || (on == On::View && new_name == VIEW_RULE)
        {
            return Err(err(
                DUPLICATE_OBJECT,
                format!(
                    "rule \"{new_name}\" for relation \"{}\" already exists",
                    table.name
                ),
            ));
        }
        if is_view_rule {
            return Err(err(
                INVALID_OBJECT_DEFINITION,
                "renaming an ON SELECT rule is not allowed",
            ));
        }
        if on == On::Table && new_name == VIEW_RULE {
            return Err(err(
                INVALID_OBJECT_DEFINITION,
                format!(
                    "non-view rule for \"{}\" must not be named \"{VIEW_RULE}\"",
                    table.name
                ),
            ));
        }
        let rules = self.rules_of_mut(&ns, &table.name, on);
        let r = rules.remove(&name).expect("checked");
        rules.insert(new_name.clone(), r);
        self.touch(rule_path(&ns, &table.name, &new_name));
        Ok(())
    }

    /// `COMMENT ON RULE name ON table`.
    pub(super) fn comment_rule(
        &mut self,
        name: String,
        table: QName,
        text: Option<String>,
    ) -> R<()> {
        let Some((ns, on)) = self.rule_relation(&table)? else {
            return Err(Self::missing_rule(&name, &table.name));
        };
        if on == On::View && name == VIEW_RULE {
            return Err(help(
                err(
                    FEATURE_NOT_SUPPORTED,
                    format!(
                        "strata does not model a comment on the {VIEW_RULE} rule of view \"{}\"",
                        table.name
                    ),
                ),
                "comment on the view instead",
            ));
        }
        let Some(r) = self.rules_of_mut(&ns, &table.name, on).get_mut(&name) else {
            return Err(Self::missing_rule(&name, &table.name));
        };
        r.comment = text.filter(|c| !c.is_empty());
        self.touch(rule_path(&ns, &table.name, &name));
        Ok(())
    }

    /// `ALTER TABLE … ENABLE [REPLICA | ALWAYS] | DISABLE RULE name` on a
    /// table.
    pub(super) fn set_rule_state(
        &mut self,
        ns: &str,
        table: &str,
        name: &str,
        state: TriggerEnabled,
    ) -> R<()> {
        let Some(r) = self.table_mut(ns, table).rules.get_mut(name) else {
            return Err(Self::missing_rule(name, table));
        };
        r.enabled = state;
        self.touch(rule_path(ns, table, name));
        Ok(())
    }

    /// What a rule's condition and actions read: the relations named in
    /// them, resolved with the search path now in effect; `None` when
    /// strata cannot tell (a statement sqlparser does not read, a name
    /// it cannot resolve).
    fn rule_reads(&self, cr: &CreateRule) -> Option<RuleReads> {
        use sqlparser::ast::Visit;
        struct V {
            rels: Vec<Vec<(String, bool)>>,
            ctes: BTreeSet<String>,
            odd: bool,
            inserts: Vec<Vec<(String, bool)>>,
        }
        impl sqlparser::ast::Visitor for V {
            type Break = ();
            fn pre_visit_statement(
                &mut self,
                s: &sqlparser::ast::Statement,
            ) -> std::ops::ControlFlow<()> {
                if let sqlparser::ast::Statement::Insert(i) = s {
                    if i.columns.is_empty() {
                        match &i.table {
                            sqlparser::ast::TableObject::TableName(n) => {
                                match n
                                    .0
                                    .iter()
                                    .map(|p| {
                                        p.as_ident()
                                            .map(|i| (i.value.clone(), i.quote_style.is_some()))
                                    })
                                    .collect::<Option<Vec<_>>>()
                                {
                                    Some(p) => self.inserts.push(p),
                                    None => self.odd = true,
                                }
                            }
                            _ => self.odd = true,
                        }
                    }
                }
                std::ops::ControlFlow::Continue(())
            }
            fn pre_visit_query(&mut self, q: &sqlparser::ast::Query) -> std::ops::ControlFlow<()> {
                if let Some(w) = &q.with {
                    for c in &w.cte_tables {
                        self.ctes.insert(fold_ident(
                            &c.alias.name.value,
                            c.alias.name.quote_style.is_some(),
                        ));
                    }
                }
                std::ops::ControlFlow::Continue(())
            }
            fn pre_visit_relation(
                &mut self,
                r: &sqlparser::ast::ObjectName,
            ) -> std::ops::ControlFlow<()> {
                let parts: Option<Vec<(String, bool)>> =
                    r.0.iter()
                        .map(|p| {
                            p.as_ident()
                                .map(|i| (i.value.clone(), i.quote_style.is_some()))
                        })
                        .collect();
                match parts {
                    Some(p) => self.rels.push(p),
                    None => self.odd = true,
                }
                std::ops::ControlFlow::Continue(())
            }
        }
        let dialect = PostgreSqlDialect {};
        let mut v = V {
            rels: Vec::new(),
            ctes: BTreeSet::new(),
            odd: false,
            inserts: Vec::new(),
        };
        if let Some(c) = &cr.condition {
            let e = sqlparser::parser::Parser::new(&dialect)
                .try_with_sql(c)
                .and_then(|mut p| p.parse_expr())
                .ok()?;
            let _ = e.visit(&mut v);
        }
        for c in &cr.commands {
            let stmts = sqlparser::parser::Parser::parse_sql(&dialect, c).ok()?;
            for s in &stmts {
                let _ = s.visit(&mut v);
            }
        }
        if v.odd {
            return None;
        }
        let mut out = BTreeSet::new();
        let mut inserted = BTreeSet::new();
        for (i, parts) in v.rels.iter().chain(v.inserts.iter()).enumerate() {
            let insert = i >= v.rels.len();
            let folded: Vec<String> = parts.iter().map(|(s, q)| fold_ident(s, *q)).collect();
            let resolved = match folded.as_slice() {
                [name] if v.ctes.contains(name) => continue,
                [name] if name == "new" || name == "old" => continue,
                [name] => {
                    let q = QName {
                        schema: None,
                        name: name.clone(),
                    };
                    self.search_namespaces()
                        .into_iter()
                        .find(|ns| self.relation_kind_in(ns, name).is_some())
                        .map(|ns| RelationRef::new(ns, q.name))
                }
                [schema, name] => {
                    if self.relation_kind_in(schema, name).is_some() {
                        Some(RelationRef::new(schema.clone(), name.clone()))
                    } else {
                        None
                    }
                }
                _ => None,
            };
            let resolved = resolved?;
            if insert {
                inserted.insert(resolved);
            } else {
                out.insert(resolved);
            }
        }
        let star = cr.condition.iter().chain(cr.commands.iter()).any(|t| {
            Tokenizer::new(&dialect, t)
                .tokenize()
                .map_or(true, |ts| ts.iter().any(|x| matches!(x, Token::Mul)))
        });
        Some(RuleReads {
            relations: out,
            star,
            inserted,
        })
    }

    /// The rules on other relations, or on this one when a column is
    /// named, that depend on relation `ns.rel` (or its column `col`).
    pub(super) fn rules_depending_on(
        &self,
        ns: &str,
        rel: &str,
        col: Option<&str>,
    ) -> R<Vec<RuleRef>> {
        let mut out = Vec::new();
        if !self.has_rules {
            return Ok(out);
        }
        let target = RelationRef::new(ns, rel);
        for (rns, n) in &self.schema.namespaces {
            let tables = n.tables.iter().map(|(t, x)| (t, &x.rules, false));
            let views = n.views.iter().map(|(v, x)| (v, &x.rules, true));
            for (rrel, rules, on_view) in tables.chain(views) {
                let own = rns == ns && rrel == rel;
                if own && col.is_none() {
                    // Dropped with the relation.
                    continue;
                }
                for (name, r) in rules {
                    let here = RuleRef {
                        ns: rns.clone(),
                        rel: rrel.clone(),
                        name: name.clone(),
                        on_view,
                    };
                    let cannot_tell = || {
                        help(
                            err(
                                FEATURE_NOT_SUPPORTED,
                                format!(
                                    "strata cannot tell whether {} depends on {}",
                                    here.describe(),
                                    match col {
                                        Some(c) => format!("column {c} of {}", qualified(ns, rel)),
                                        None => qualified(ns, rel),
                                    }
                                ),
                            ),
                            "PostgreSQL would refuse the change, or drop the rule with CASCADE, if it does: drop or recreate the rule explicitly before this statement",
                        )
                    };
                    let Some(reads) = &r.reads else {
                        if own && col.is_some_and(|c| r.row_columns.contains(c)) {
                            out.push(here);
                            continue;
                        }
                        let mentions = r.idents.contains(rel)
                            || (own && col.is_some_and(|c| r.idents.contains(c)));
                        if mentions {
                            return Err(cannot_tell());
                        }
                        continue;
                    };
                    let reads_it = own || reads.contains(&target);
                    if !reads_it {
                        continue;
                    }
                    let Some(c) = col else {
                        out.push(here);
                        continue;
                    };
                    if r.columns.contains(&(target.clone(), c.to_string())) {
                        out.push(here);
                        continue;
                    }
                    let others = reads
                        .iter()
                        .filter(|x| !(x.namespace == *rns && x.name == *rrel))
                        .count();
                    if own {
                        if r.row_columns.contains(c) {
                            out.push(here);
                        } else if r.idents.contains(c) {
                            if others == 0 {
                                out.push(here);
                            } else {
                                return Err(cannot_tell());
                            }
                        }
                    } else if r.idents.contains(c) {
                        let own_has = match on_view {
                            false => self
                                .schema
                                .namespaces
                                .get(rns)
                                .and_then(|n| n.tables.get(rrel))
                                .is_some_and(|t| t.column(c).is_some()),
                            true => self
                                .schema
                                .namespaces
                                .get(rns)
                                .and_then(|n| n.views.get(rrel))
                                .is_some_and(|v| v.column(c).is_some()),
                        };
                        if others == 1 && !own_has {
                            out.push(here);
                        } else {
                            return Err(cannot_tell());
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    /// Before dropping a relation or column: without CASCADE, the server's
    /// 2BP01 when a rule depends on it; with CASCADE, the rules are dropped.
    pub(super) fn drop_dependent_rules(
        &mut self,
        ns: &str,
        rel: &str,
        col: Option<&str>,
        cascade: bool,
        what: &str,
    ) -> R<()> {
        let direct = self.rules_depending_on(ns, rel, col)?;
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
                    "{} depends on it: drop it first, or use CASCADE",
                    direct[0].describe()
                ),
            ));
        }
        for r in direct {
            let on = if r.on_view { On::View } else { On::Table };
            self.rules_of_mut(&r.ns, &r.rel, on).remove(&r.name);
        }
        Ok(())
    }

    /// A relation (or one of its columns) the rules read was renamed: the
    /// server prints their text with the new names, which strata does not
    /// derive — what is unproven stays unproven under a key that records
    /// what happened; the relations they read follow.
    pub(super) fn rules_after_rename(
        &mut self,
        ns: &str,
        rel: &str,
        moved_to: Option<(&str, &str)>,
        why: &str,
    ) {
        if !self.has_rules {
            return;
        }
        let target = RelationRef::new(ns, rel);
        let renamed = moved_to.map(|(n, r)| RelationRef::new(n, r));
        for (rns, n) in self.schema.namespaces.iter_mut() {
            let tables = n.tables.iter_mut().map(|(t, x)| (t.clone(), &mut x.rules));
            let views = n.views.iter_mut().map(|(v, x)| (v.clone(), &mut x.rules));
            for (rrel, rules) in tables.chain(views) {
                // A column renamed: the relation's own rules name it
                // through new / old.
                let own = renamed.is_none() && rns == ns && rrel == rel;
                for r in rules.values_mut() {
                    if let Some(to) = &renamed {
                        // A derived text names the relation by what it is:
                        // printed again with its new name.
                        rederive_moved(r, &target, to, why);
                    }
                    let reads = match &r.reads {
                        Some(x) => x.contains(&target),
                        None => r.idents.contains(rel),
                    };
                    if !(reads || own) {
                        continue;
                    }
                    if let (Some(x), Some(to)) = (&mut r.reads, &renamed) {
                        if x.remove(&target) {
                            x.insert(to.clone());
                        }
                        r.columns = std::mem::take(&mut r.columns)
                            .into_iter()
                            .map(|(x, c)| if x == target { (to.clone(), c) } else { (x, c) })
                            .collect();
                    }
                    let mut parts: Vec<&mut Expression> = vec![&mut r.actions];
                    if let Some(c) = &mut r.condition {
                        parts.push(c);
                    }
                    for e in parts {
                        if let Stored::Unproven { key, .. } = &mut e.stored {
                            key.push_str(&format!(" /* then {why} */"));
                        }
                    }
                }
            }
        }
    }

    /// Column `old` of `ns.rel` renamed to `new`: the rules that may name
    /// it keep using it under its new name (the old name stays among the
    /// names they mention: over-approximated).
    pub(super) fn rules_column_renamed(&mut self, ns: &str, rel: &str, old: &str, new: &str) {
        if !self.has_rules {
            return;
        }
        let target = RelationRef::new(ns, rel);
        for (rns, n) in self.schema.namespaces.iter_mut() {
            let tables = n.tables.iter_mut().map(|(t, x)| (t.clone(), &mut x.rules));
            let views = n.views.iter_mut().map(|(v, x)| (v.clone(), &mut x.rules));
            for (rrel, rules) in tables.chain(views) {
                let own = rns == ns && rrel == rel;
                for r in rules.values_mut() {
                    rederive_column(r, own, &target, old, new);
                    if own && r.row_columns.contains(old) {
                        r.row_columns.insert(new.to_string());
                    }
                    if r.idents.contains(old) {
                        r.idents.insert(new.to_string());
                    }
                    if r.columns.remove(&(target.clone(), old.to_string())) {
                        r.columns.insert((target.clone(), new.to_string()));
                    }
                }
            }
        }
    }

    /// Whether a column's type cannot change because a rule uses it
    /// (`cannot alter type of a column used by a view or rule`).
    pub(super) fn rule_using_column(&self, ns: &str, table: &str, col: &str) -> R<Option<String>> {
        Ok(self
            .rules_depending_on(ns, table, Some(col))?
            .first()
            .map(RuleRef::describe))
    }
}

/// A derived text after relation `from` was renamed or moved to `to`:
/// printed again, or unproven when the server may print it otherwise (a
/// `pg_` name in `public` may be hidden by a catalog relation).
fn rederive_moved(r: &mut Rule, from: &RelationRef, to: &RelationRef, why: &str) {
    let clash = |t: &RuleText| {
        t.parts.iter().any(|p| match p {
            RulePart::Relation(r) if r == to => {
                to.namespace == "public" && to.name.starts_with("pg_")
            }
            _ => false,
        })
    };
    let Rule {
        derived,
        condition,
        actions,
        ..
    } = r;
    let pairs = [
        (&mut derived.condition, condition.as_mut()),
        (&mut derived.actions, Some(actions)),
    ];
    for (text, expr) in pairs {
        let (Some(t), Some(e)) = (text.as_mut(), expr) else {
            continue;
        };
        if !t.relation_moved(from, to) {
            continue;
        }
        if clash(t) {
            // Still what to write back: it names what the rule names now.
            let rendered = t.render();
            e.sql = rendered.clone();
            *text = None;
            e.stored = Stored::Unproven {
                reason: format!(
                    "{why}, and strata does not derive the text pg_get_ruledef prints now"
                ),
                key: format!("{rendered} /* then {why} */"),
            };
        } else {
            reprint(t, e);
        }
    }
}

/// A derived text after column `old` of `rel` was renamed to `new`.
fn rederive_column(r: &mut Rule, own: bool, rel: &RelationRef, old: &str, new: &str) {
    let Rule {
        derived,
        condition,
        actions,
        ..
    } = r;
    if let (Some(t), Some(e)) = (derived.condition.as_mut(), condition.as_mut()) {
        if t.column_renamed(own, rel, old, new) {
            reprint(t, e);
        }
    }
    if let Some(t) = derived.actions.as_mut() {
        if t.column_renamed(own, rel, old, new) {
            reprint(t, actions);
        }
    }
}

/// The server's text printed again after a rename; what is written back
/// is that text too, since the text as first written names what is gone.
fn reprint(t: &RuleText, e: &mut Expression) {
    let text = t.render();
    e.sql = text.clone();
    e.stored = Stored::Exact { text };
}

fn unproven_because(reason: String) -> Unproven {
    Unproven { reason }
}

/// What a rule's condition and actions read.
struct RuleReads {
    /// The relations named (but those inserted into without a column list).
    relations: BTreeSet<RelationRef>,
    /// A `*` appears.
    star: bool,
    /// The relations inserted into without a column list.
    inserted: BTreeSet<RelationRef>,
}

/// The first word of a command, lower-cased.
fn first_word(c: &str) -> String {
    c.trim_start()
        .trim_start_matches('(')
        .split(|ch: char| !ch.is_alphanumeric() && ch != '_')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// The names a rule's condition and actions mention, folded: those not
/// after `new.` / `old.`, and the columns of its own relation named
/// through `new` / `old`.
fn rule_idents(cr: &CreateRule) -> (BTreeSet<String>, BTreeSet<String>) {
    let dialect = PostgreSqlDialect {};
    let mut plain = BTreeSet::new();
    let mut row = BTreeSet::new();
    for text in cr.condition.iter().chain(cr.commands.iter()) {
        let Ok(tokens) = Tokenizer::new(&dialect, text).tokenize() else {
            continue;
        };
        let words: Vec<&Token> = tokens
            .iter()
            .filter(|t| !matches!(t, Token::Whitespace(_)))
            .collect();
        for (i, t) in words.iter().enumerate() {
            let Token::Word(w) = t else { continue };
            let name = fold_ident(&w.value, w.quote_style.is_some());
            let after_row = i >= 2
                && matches!(words[i - 1], Token::Period)
                && matches!(words[i - 2], Token::Word(p)
                    if p.quote_style.is_none()
                        && matches!(p.value.to_ascii_lowercase().as_str(), "new" | "old"));
            if after_row {
                row.insert(name);
            } else {
                plain.insert(name);
            }
        }
    }
    (plain, row)
}
