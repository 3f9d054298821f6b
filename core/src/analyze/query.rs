//! Parse analysis of a whole statement, for `strata::query!`: the types of
//! its parameters and of its result columns, and whether each result
//! column can be NULL — offline, against the replayed [`Schema`].
//!
//! This is `transformStmt` (analyze.c) over the expression analysis of
//! [`super::transform`]: a range table per query level (`FROM` items and
//! joins, the target of INSERT/UPDATE/DELETE), `$n` parameters typed by
//! what they meet (`variable_paramref_hook` / `variable_coerce_param_hook`
//! of parse_param.c), subqueries as SubLinks with their outer scope,
//! aggregates where the server allows them. Statement shapes that are not
//! encoded are refused by name ("strata cannot type … yet"), never
//! guessed.
//!
//! Nullability is strata's own (the server does not report it): a column
//! is non-null when it is NOT NULL and not on the nullable side of an
//! outer join; an expression is non-null only when every rule on the way
//! proves it (see [`Level::nullable`]); otherwise it is nullable.

use std::cell::{Cell, RefCell};

use sqlparser::ast::{
    AssignmentTarget, Expr, FromTable, GroupByExpr, Ident, JoinConstraint, JoinOperator,
    LimitClause, ObjectName, ObjectNamePart, OnConflictAction, OnInsert, OrderByKind, Query,
    SelectItem, SelectItemQualifiedWildcardKind, SetExpr, Statement, TableFactor, TableObject,
    Value,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use crate::catalog::{oid, Catalog, CoercionContext, Env, TypeId};
use crate::model::{Column, Schema, Table};

use super::node::{Form, Node};
use super::transform::{Analyzer, QueryHooks, SchemaTypes};
use super::Unproven;

/// A parameter `$n`, as the server infers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub type_id: TypeId,
    /// `format_type` of the type (`integer`, `text[]`, `agent_run_status`).
    pub type_name: String,
    /// `pg_type.typname` (`int4`, `_text`), as tokio-postgres names it.
    pub typname: String,
}

/// One result column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputColumn {
    pub name: String,
    pub type_id: TypeId,
    pub typmod: i32,
    /// `format_type` of the type, modifiers included (`character
    /// varying(255)`): what the codegen type mapping reads.
    pub type_name: String,
    pub typname: String,
    pub nullable: bool,
}

/// What a statement takes and returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    pub params: Vec<Param>,
    pub columns: Vec<OutputColumn>,
}

/// Why a statement cannot be typed, and where in its text (1-based line
/// and column) when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub message: String,
    pub location: Option<(u64, u64)>,
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.location {
            Some((l, c)) => write!(f, "{} (at {l}:{c} of the SQL)", self.message),
            None => f.write_str(&self.message),
        }
    }
}

fn unproven(reason: impl Into<String>) -> Unproven {
    Unproven {
        reason: reason.into(),
    }
}

fn cannot(what: &str) -> Unproven {
    unproven(format!(
        "strata cannot type {what} yet; rewrite the statement without it, or run it through tokio-postgres unchecked"
    ))
}

/// Types `sql` (one statement) against `schema`.
pub fn analyze(sql: &str, schema: &Schema) -> Result<Analysis, QueryError> {
    let statements = Parser::parse_sql(&PostgreSqlDialect {}, sql).map_err(|e| {
        let text = e.to_string();
        let text = text.strip_prefix("sql parser error: ").unwrap_or(&text);
        let location = parse_location(text);
        let message = match text.find(" at Line: ") {
            Some(i) => text[..i].to_string(),
            None => text.to_string(),
        };
        QueryError {
            message: format!("syntax error: {message}"),
            location,
        }
    })?;
    let statement = match statements.as_slice() {
        [s] => s,
        [] => {
            return Err(QueryError {
                message: "the SQL string holds no statement".into(),
                location: None,
            })
        }
        _ => {
            return Err(QueryError {
                message: "the SQL string holds more than one statement: a query is one statement"
                    .into(),
                location: None,
            })
        }
    };
    let types = SchemaTypes::new(schema);
    let env = Env {
        catalog: Catalog::pg15(),
        extensions: schema.extensions.keys().cloned().collect(),
        user: &types,
    };
    let state = State {
        schema,
        env: &env,
        types: &types,
        params: RefCell::new(Vec::new()),
        vars: RefCell::new(Vec::new()),
        rte_nullable: RefCell::new(Vec::new()),
        location: Cell::new(None),
    };
    let result = state.statement(statement);
    let columns = result.map_err(|e| QueryError {
        message: e.reason,
        location: state.location.get(),
    })?;
    let params = state.params.borrow().clone();
    let mut out = Vec::new();
    for (i, t) in params.iter().enumerate() {
        if *t == oid::UNKNOWN {
            return Err(QueryError {
                message: format!(
                    "cannot infer the type of parameter ${n}: nothing in the statement decides it; write a cast, e.g. ${n}::int8 or ${n}::text",
                    n = i + 1
                ),
                location: None,
            });
        }
        let info = env.type_info(*t).ok_or_else(|| QueryError {
            message: format!("type {t} of ${} is not in the catalog", i + 1),
            location: None,
        })?;
        out.push(Param {
            type_id: *t,
            type_name: super::format_type(&env, *t, -1).map_err(|e| QueryError {
                message: e.reason,
                location: None,
            })?,
            typname: info.typname.clone(),
        });
    }
    Ok(Analysis {
        params: out,
        columns,
    })
}

/// `… at Line: 1, Column: 8` → (1, 8).
fn parse_location(text: &str) -> Option<(u64, u64)> {
    let i = text.rfind("Line: ")?;
    let rest = &text[i + 6..];
    let (line, rest) = rest.split_once(", Column: ")?;
    let col: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.trim().parse().ok()?, col.parse().ok()?))
}

/// What every query level shares.
struct State<'s> {
    schema: &'s Schema,
    env: &'s Env<'s>,
    types: &'s SchemaTypes<'s>,
    /// `$n` → its type so far (`unknown` until decided).
    params: RefCell<Vec<TypeId>>,
    /// Var id (its node's name `#id`) → (range entry, column, NOT NULL):
    /// one id per column of an entry, so the same column is the same node.
    vars: RefCell<Vec<(usize, String, bool)>>,
    /// Range entry id → on the nullable side of an outer join.
    rte_nullable: RefCell<Vec<bool>>,
    /// Where the last error was raised, when an identifier located it.
    location: Cell<Option<(u64, u64)>>,
}

/// One entry of a range table: a table under its reference name.
struct Rte<'s> {
    refname: String,
    namespace: String,
    table_name: String,
    table: &'s Table,
    /// Index into [`State::rte_nullable`].
    uid: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Agg {
    Allowed,
    Forbidden(&'static str),
    InAggregate,
}

/// A query level (`ParseState`): its range table and the level around it.
struct Level<'s, 'p> {
    state: &'s State<'s>,
    rtes: Vec<Rte<'s>>,
    /// Only entries from this index on are visible (a JOIN's ON clause).
    visible_from: Cell<usize>,
    outer: Option<&'p Level<'s, 'p>>,
    agg: Cell<Agg>,
    has_agg: Cell<bool>,
}

fn fold(id: &Ident) -> String {
    if id.quote_style.is_some() {
        id.value.clone()
    } else {
        id.value.to_lowercase()
    }
}

fn at(id: &Ident) -> Option<(u64, u64)> {
    let l = id.span.start;
    (l.line > 0).then_some((l.line, l.column))
}

fn name_parts(name: &ObjectName) -> Result<Vec<Ident>, Unproven> {
    name.0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(id) => Ok(id.clone()),
            _ => Err(unproven(format!("name {name}"))),
        })
        .collect()
}

/// Levenshtein distance, for "did you mean".
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    let mut close: Vec<(usize, &str)> = candidates
        .map(|c| (distance(name, c), c))
        .filter(|(d, c)| *d <= 2.max(name.len() / 3) || c.contains(name) || name.contains(c))
        .collect();
    close.sort();
    close.dedup_by(|a, b| a.1 == b.1);
    let names: Vec<String> = close
        .iter()
        .take(3)
        .map(|(_, c)| format!("\"{c}\""))
        .collect();
    match names.len() {
        0 => String::new(),
        _ => format!("; did you mean {}?", names.join(" or ")),
    }
}

impl<'s> State<'s> {
    fn statement(&self, st: &Statement) -> Result<Vec<OutputColumn>, Unproven> {
        match st {
            Statement::Query(q) => {
                let level = self.level(None);
                let cols = level.query(q)?;
                cols.into_iter()
                    .map(|(name, node)| level.output(name, node))
                    .collect()
            }
            Statement::Insert(ins) => self.insert(ins),
            Statement::Update(up) => self.update(up),
            Statement::Delete(del) => self.delete(del),
            other => {
                let text = other.to_string();
                let word = text.split_whitespace().next().unwrap_or("this statement");
                Err(cannot(&format!("{} statements", word.to_ascii_uppercase())))
            }
        }
    }

    fn new_rte(&self, nullable: bool) -> usize {
        let mut flags = self.rte_nullable.borrow_mut();
        flags.push(nullable);
        flags.len() - 1
    }

    fn level<'p>(&'s self, outer: Option<&'p Level<'s, 'p>>) -> Level<'s, 'p> {
        Level {
            state: self,
            rtes: Vec::new(),
            visible_from: Cell::new(0),
            outer,
            agg: Cell::new(Agg::Forbidden("here")),
            has_agg: Cell::new(false),
        }
    }

    /// A table by (possibly qualified) name, search_path = public.
    fn table(&self, name: &ObjectName) -> Result<(String, String, &'s Table), Unproven> {
        let parts = name_parts(name)?;
        let (ns, t) = match parts.as_slice() {
            [t] => ("public".to_string(), t),
            [ns, t] => (fold(ns), t),
            _ => return Err(unproven(format!("a table name with catalog: {name}"))),
        };
        let table_name = fold(t);
        let namespace = self.schema.namespaces.get(&ns);
        if let Some(table) = namespace.and_then(|n| n.tables.get(&table_name)) {
            return Ok((ns, table_name, table));
        }
        self.location.set(at(t));
        if namespace.is_some_and(|n| n.views.contains_key(&table_name)) {
            return Err(cannot(&format!("a query over view {name}")));
        }
        let all = self
            .schema
            .namespaces
            .values()
            .flat_map(|n| n.tables.keys().map(String::as_str));
        Err(unproven(format!(
            "relation \"{table_name}\" does not exist in the schema{}",
            suggest(&table_name, all)
        )))
    }

    fn insert(&self, ins: &sqlparser::ast::Insert) -> Result<Vec<OutputColumn>, Unproven> {
        let TableObject::TableName(name) = &ins.table else {
            return Err(cannot("INSERT into a table function"));
        };
        if ins.table_alias.is_some() {
            return Err(cannot("INSERT … AS alias"));
        }
        if ins.overriding.is_some() || !ins.assignments.is_empty() {
            return Err(cannot("this form of INSERT"));
        }
        let (namespace, table_name, table) = self.table(name)?;
        let targets: Vec<&Column> = if ins.columns.is_empty() {
            table.columns.iter().collect()
        } else {
            let mut v = Vec::new();
            for c in &ins.columns {
                let parts = name_parts(c)?;
                let [id] = parts.as_slice() else {
                    return Err(cannot("INSERT into a column's field or element"));
                };
                let n = fold(id);
                match table.columns.iter().find(|col| col.name == n) {
                    Some(col) => v.push(col),
                    None => {
                        self.location.set(at(id));
                        return Err(unproven(format!(
                            "column \"{n}\" of relation \"{table_name}\" does not exist{}",
                            suggest(&n, table.columns.iter().map(|c| c.name.as_str()))
                        )));
                    }
                }
            }
            v
        };
        let Some(source) = &ins.source else {
            return Err(cannot("INSERT … DEFAULT VALUES"));
        };
        if source.with.is_some() || source.order_by.is_some() || source.limit_clause.is_some() {
            return Err(cannot("INSERT … SELECT"));
        }
        let SetExpr::Values(values) = &*source.body else {
            return Err(cannot("INSERT … SELECT"));
        };
        let [row] = values.rows.as_slice() else {
            return Err(cannot(
                "an INSERT of several VALUES rows (their types are chosen together)",
            ));
        };
        // VALUES cannot see the target table.
        let values_level = self.level(None);
        let analyzer = values_level.analyzer();
        if row.len() != targets.len() {
            return Err(unproven(format!(
                "INSERT has {} expressions for {} target columns",
                row.len(),
                targets.len()
            )));
        }
        for (e, col) in row.iter().zip(&targets) {
            if is_default(e) {
                continue;
            }
            let node = analyzer.transform(e)?;
            values_level.assign(&analyzer, node, col)?;
        }
        match &ins.on {
            None => {}
            Some(OnInsert::OnConflict(c)) => match &c.action {
                OnConflictAction::DoNothing => {}
                OnConflictAction::DoUpdate(update) => {
                    // The target under its name and `excluded`, the row
                    // proposed for insertion (transformOnConflictClause).
                    let mut level = self.level(None);
                    for refname in [table_name.as_str(), "excluded"] {
                        let uid = self.new_rte(false);
                        level.rtes.push(Rte {
                            refname: refname.to_string(),
                            namespace: namespace.clone(),
                            table_name: table_name.clone(),
                            table,
                            uid,
                        });
                    }
                    let analyzer = level.analyzer();
                    level.assignments(&analyzer, &update.assignments)?;
                    level.where_clause(&analyzer, update.selection.as_ref())?;
                }
            },
            Some(_) => return Err(cannot("this ON clause of INSERT")),
        }
        let mut level = self.level(None);
        let uid = self.new_rte(false);
        level.rtes.push(Rte {
            refname: table_name.clone(),
            namespace,
            table_name,
            table,
            uid,
        });
        level.returning(ins.returning.as_deref())
    }

    fn update(&self, up: &sqlparser::ast::Update) -> Result<Vec<OutputColumn>, Unproven> {
        if !up.table.joins.is_empty() || up.from.is_some() {
            return Err(cannot("UPDATE … FROM"));
        }
        if !up.order_by.is_empty() || up.limit.is_some() || up.or.is_some() {
            return Err(cannot("this form of UPDATE"));
        }
        let mut level = self.level(None);
        level.push_factor(&up.table.relation, false)?;
        let analyzer = level.analyzer();
        level.assignments(&analyzer, &up.assignments)?;
        level.where_clause(&analyzer, up.selection.as_ref())?;
        level.returning(up.returning.as_deref())
    }

    fn delete(&self, del: &sqlparser::ast::Delete) -> Result<Vec<OutputColumn>, Unproven> {
        if !del.tables.is_empty()
            || del.using.is_some()
            || !del.order_by.is_empty()
            || del.limit.is_some()
        {
            return Err(cannot("DELETE … USING"));
        }
        let from = match &del.from {
            FromTable::WithFromKeyword(f) | FromTable::WithoutKeyword(f) => f,
        };
        let [item] = from.as_slice() else {
            return Err(cannot("DELETE from several tables"));
        };
        if !item.joins.is_empty() {
            return Err(cannot("DELETE … USING"));
        }
        let mut level = self.level(None);
        level.push_factor(&item.relation, false)?;
        let analyzer = level.analyzer();
        level.where_clause(&analyzer, del.selection.as_ref())?;
        level.returning(del.returning.as_deref())
    }
}

fn is_default(e: &Expr) -> bool {
    matches!(e, Expr::Identifier(id) if id.quote_style.is_none() && id.value.eq_ignore_ascii_case("default"))
}

impl<'s, 'p> Level<'s, 'p> {
    fn analyzer(&self) -> Analyzer<'_> {
        Analyzer {
            env: self.state.env,
            types: self.state.types,
            columns: &[],
            schema: self.state.schema,
            immutable: false,
            domain_value: None,
            query: Some(self),
        }
    }

    fn push_factor(&mut self, f: &TableFactor, nullable: bool) -> Result<(), Unproven> {
        match f {
            TableFactor::Table {
                name,
                alias,
                args,
                with_hints,
                version,
                with_ordinality,
                partitions,
                json_path,
                sample,
                index_directives,
                inheritance: _,
            } => {
                if args.is_some() {
                    return Err(cannot("a set-returning function in FROM"));
                }
                if !with_hints.is_empty()
                    || version.is_some()
                    || *with_ordinality
                    || !partitions.is_empty()
                    || json_path.is_some()
                    || sample.is_some()
                    || !index_directives.is_empty()
                {
                    return Err(cannot("this FROM item"));
                }
                let (namespace, table_name, table) = self.state.table(name)?;
                let refname = match alias {
                    Some(a) => {
                        if !a.columns.is_empty() {
                            return Err(cannot("column aliases on a FROM item"));
                        }
                        fold(&a.name)
                    }
                    None => table_name.clone(),
                };
                if self.rtes.iter().any(|r| r.refname == refname) {
                    return Err(unproven(format!(
                        "table name \"{refname}\" specified more than once: give one an alias"
                    )));
                }
                let uid = self.state.new_rte(nullable);
                self.rtes.push(Rte {
                    refname,
                    namespace,
                    table_name,
                    table,
                    uid,
                });
                Ok(())
            }
            TableFactor::Derived { .. } => Err(cannot("a subquery in FROM")),
            TableFactor::NestedJoin { .. } => Err(cannot("a parenthesized join")),
            TableFactor::Function { .. } | TableFactor::TableFunction { .. } => {
                Err(cannot("a function in FROM"))
            }
            TableFactor::UNNEST { .. } => Err(cannot("UNNEST in FROM")),
            _ => Err(cannot("this FROM item")),
        }
    }

    /// `transformFromClause`.
    fn from(&mut self, from: &[sqlparser::ast::TableWithJoins]) -> Result<(), Unproven> {
        for item in from {
            let start = self.rtes.len();
            self.push_factor(&item.relation, false)?;
            for j in &item.joins {
                let (constraint, left_nullable, right_nullable) = match &j.join_operator {
                    JoinOperator::Join(c) | JoinOperator::Inner(c) => (c, false, false),
                    JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (c, false, true),
                    JoinOperator::Right(c) | JoinOperator::RightOuter(c) => (c, true, false),
                    JoinOperator::FullOuter(c) => (c, true, true),
                    JoinOperator::CrossJoin(c) => (c, false, false),
                    _ => return Err(cannot("this kind of join")),
                };
                if left_nullable {
                    let mut flags = self.state.rte_nullable.borrow_mut();
                    for r in &self.rtes[start..] {
                        flags[r.uid] = true;
                    }
                }
                self.push_factor(&j.relation, right_nullable)?;
                match constraint {
                    JoinConstraint::On(e) => {
                        self.visible_from.set(start);
                        let analyzer = self.analyzer();
                        let node = analyzer.transform(e);
                        self.visible_from.set(0);
                        analyzer.coerce_to_boolean(node?, "JOIN/ON")?;
                    }
                    JoinConstraint::None => {
                        if !matches!(j.join_operator, JoinOperator::CrossJoin(_)) {
                            return Err(unproven("a JOIN without ON"));
                        }
                    }
                    JoinConstraint::Using(_) | JoinConstraint::UsingAlias(..) => {
                        return Err(cannot("JOIN … USING (write the condition with ON)"))
                    }
                    JoinConstraint::Natural => {
                        return Err(cannot("NATURAL JOIN (write the condition with ON)"))
                    }
                }
            }
        }
        Ok(())
    }

    fn where_clause(&self, analyzer: &Analyzer<'_>, e: Option<&Expr>) -> Result<(), Unproven> {
        if let Some(e) = e {
            self.agg.set(Agg::Forbidden("in WHERE"));
            let node = analyzer.transform(e)?;
            analyzer.coerce_to_boolean(node, "WHERE")?;
        }
        Ok(())
    }

    /// `SET col = e, …` over the first range entry (UPDATE, ON CONFLICT).
    fn assignments(
        &self,
        analyzer: &Analyzer<'_>,
        assignments: &[sqlparser::ast::Assignment],
    ) -> Result<(), Unproven> {
        let table = self.rtes[0].table;
        for a in assignments {
            let AssignmentTarget::ColumnName(c) = &a.target else {
                return Err(cannot("UPDATE … SET (a, b) = …"));
            };
            let parts = name_parts(c)?;
            let [id] = parts.as_slice() else {
                return Err(cannot("UPDATE of a column's field or element"));
            };
            let n = fold(id);
            let Some(col) = table.columns.iter().find(|col| col.name == n) else {
                self.state.location.set(at(id));
                return Err(unproven(format!(
                    "column \"{n}\" of relation \"{}\" does not exist{}",
                    self.rtes[0].table_name,
                    suggest(&n, table.columns.iter().map(|c| c.name.as_str()))
                )));
            };
            if is_default(&a.value) {
                continue;
            }
            let node = analyzer.transform(&a.value)?;
            self.assign(analyzer, node, col)?;
        }
        Ok(())
    }

    /// `transformAssignedExpr`: a value for column `col`.
    fn assign(&self, analyzer: &Analyzer<'_>, node: Node, col: &Column) -> Result<(), Unproven> {
        let (t, typmod) = analyzer.resolve_type(&col.data_type)?;
        analyzer
            .coerce_to_target(
                node,
                t,
                typmod,
                CoercionContext::Assignment,
                Form::ImplicitCast,
                &format!("the value for column \"{}\"", col.name),
            )
            .map(|_| ())
    }

    fn returning(&self, items: Option<&[SelectItem]>) -> Result<Vec<OutputColumn>, Unproven> {
        let Some(items) = items else {
            return Ok(Vec::new());
        };
        self.agg.set(Agg::Forbidden("in RETURNING"));
        let cols = self.target_list(items)?;
        cols.into_iter()
            .map(|(name, node)| self.output(name, node))
            .collect()
    }

    /// A query at this level: (name, node) per result column.
    fn query(&self, q: &Query) -> Result<Vec<(String, Node)>, Unproven> {
        if q.with.is_some() {
            return Err(cannot("WITH (common table expressions)"));
        }
        if q.fetch.is_some() || !q.pipe_operators.is_empty() || q.for_clause.is_some() {
            return Err(cannot("this query clause"));
        }
        let select = match &*q.body {
            SetExpr::Select(s) => s,
            SetExpr::SetOperation { .. } => return Err(cannot("UNION / INTERSECT / EXCEPT")),
            SetExpr::Values(_) => return Err(cannot("a VALUES list as a query")),
            SetExpr::Query(_) => return Err(cannot("a parenthesized query")),
            _ => return Err(cannot("this query form")),
        };
        if select.into.is_some() {
            return Err(cannot("SELECT … INTO"));
        }
        if !select.lateral_views.is_empty()
            || select.prewhere.is_some()
            || !select.connect_by.is_empty()
            || !select.cluster_by.is_empty()
            || !select.distribute_by.is_empty()
            || !select.sort_by.is_empty()
            || select.qualify.is_some()
            || !select.named_window.is_empty()
            || select.top.is_some()
        {
            return Err(cannot("this SELECT clause"));
        }
        // A level of its own: FROM entries are added to a copy.
        let mut level = Level {
            state: self.state,
            rtes: Vec::new(),
            visible_from: Cell::new(0),
            outer: self.outer,
            agg: Cell::new(Agg::Forbidden("here")),
            has_agg: Cell::new(false),
        };
        level.from(&select.from)?;
        let level = level;
        let analyzer = level.analyzer();
        level.where_clause(&analyzer, select.selection.as_ref())?;
        let mut grouped = false;
        match &select.group_by {
            GroupByExpr::Expressions(exprs, modifiers) => {
                if !modifiers.is_empty() {
                    return Err(cannot("ROLLUP / CUBE / GROUPING SETS"));
                }
                level.agg.set(Agg::Forbidden("in GROUP BY"));
                for e in exprs {
                    grouped = true;
                    if matches!(e, Expr::Value(v) if matches!(v.value, Value::Number(..))) {
                        continue;
                    }
                    analyzer.transform(e)?;
                }
            }
            GroupByExpr::All(_) => return Err(cannot("GROUP BY ALL")),
        }
        level.agg.set(Agg::Allowed);
        let targets = level.target_list(&select.projection)?;
        match &select.distinct {
            None
            | Some(sqlparser::ast::Distinct::All)
            | Some(sqlparser::ast::Distinct::Distinct) => {}
            Some(sqlparser::ast::Distinct::On(exprs)) => {
                for e in exprs {
                    analyzer.transform(e)?;
                }
            }
        }
        if let Some(h) = &select.having {
            let node = analyzer.transform(h)?;
            analyzer.coerce_to_boolean(node, "HAVING")?;
            grouped = true;
        }
        if let Some(ob) = &q.order_by {
            let OrderByKind::Expressions(exprs) = &ob.kind else {
                return Err(cannot("ORDER BY ALL"));
            };
            for o in exprs {
                if o.with_fill.is_some() {
                    return Err(cannot("ORDER BY … WITH FILL"));
                }
                let by_output = match &o.expr {
                    Expr::Value(v) => matches!(v.value, Value::Number(..)),
                    Expr::Identifier(id) => {
                        let n = fold(id);
                        targets.iter().any(|(name, _)| *name == n)
                    }
                    _ => false,
                };
                if !by_output {
                    analyzer.transform(&o.expr)?;
                }
            }
        }
        level.agg.set(Agg::Forbidden("in LIMIT or OFFSET"));
        let limit_offset = |e: &Expr, what: &str| -> Result<(), Unproven> {
            let node = analyzer.transform(e)?;
            analyzer.coerce_to_target(
                node,
                oid::INT8,
                -1,
                CoercionContext::Assignment,
                Form::ImplicitCast,
                what,
            )?;
            Ok(())
        };
        match &q.limit_clause {
            None => {}
            Some(LimitClause::LimitOffset {
                limit,
                offset,
                limit_by,
            }) => {
                if !limit_by.is_empty() {
                    return Err(cannot("LIMIT … BY"));
                }
                if let Some(l) = limit {
                    limit_offset(l, "LIMIT")?;
                }
                if let Some(o) = offset {
                    limit_offset(&o.value, "OFFSET")?;
                }
            }
            Some(LimitClause::OffsetCommaLimit { .. }) => return Err(cannot("LIMIT a, b")),
        }
        if grouped || level.has_agg.get() {
            level.check_grouping(select, &targets)?;
        }
        Ok(targets)
    }

    /// Grouped queries: strata does not prove which columns are
    /// functionally dependent on the GROUP BY, so a result column must be
    /// an aggregate, a constant, or exactly a GROUP BY expression.
    fn check_grouping(
        &self,
        select: &sqlparser::ast::Select,
        targets: &[(String, Node)],
    ) -> Result<(), Unproven> {
        let GroupByExpr::Expressions(group_exprs, _) = &select.group_by else {
            return Ok(());
        };
        let analyzer = self.analyzer();
        self.agg.set(Agg::Forbidden("in GROUP BY"));
        let mut groups = Vec::new();
        for e in group_exprs {
            if let Expr::Value(v) = e {
                if let Value::Number(n, _) = &v.value {
                    if let Some((_, node)) = n
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| i.checked_sub(1))
                        .and_then(|i| targets.get(i))
                    {
                        groups.push(node.clone());
                    }
                    continue;
                }
            }
            groups.push(analyzer.transform(e)?);
        }
        fn covered(node: &Node, groups: &[Node], catalog: &Catalog) -> bool {
            if groups.contains(node) {
                return true;
            }
            match node {
                Node::Var { .. } => false,
                Node::Func { proc, .. } if catalog.proc(*proc).is_some_and(|p| p.kind == 'a') => {
                    true
                }
                Node::SubLink { .. } => true,
                _ => node.children().iter().all(|c| covered(c, groups, catalog)),
            }
        }
        for (name, node) in targets {
            if !covered(node, &groups, self.state.env.catalog) {
                return Err(unproven(format!(
                    "result column \"{name}\" must appear in GROUP BY or be used in an aggregate (strata does not prove functional dependence on a primary key: group by the column itself)"
                )));
            }
        }
        Ok(())
    }

    /// `transformTargetList`, `*` expanded.
    fn target_list(&self, items: &[SelectItem]) -> Result<Vec<(String, Node)>, Unproven> {
        let analyzer = self.analyzer();
        let mut out = Vec::new();
        for item in items {
            match item {
                SelectItem::UnnamedExpr(e) => {
                    let node = analyzer.transform(e)?;
                    out.push((crate::colname::figure_colname(e), node));
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    let node = analyzer.transform(expr)?;
                    out.push((fold(alias), node));
                }
                SelectItem::ExprWithAliases { .. } => return Err(cannot("several aliases")),
                SelectItem::Wildcard(opts) => {
                    if opts.opt_exclude.is_some()
                        || opts.opt_except.is_some()
                        || opts.opt_replace.is_some()
                        || opts.opt_rename.is_some()
                        || opts.opt_ilike.is_some()
                    {
                        return Err(cannot("* with modifiers"));
                    }
                    if self.rtes.is_empty() {
                        return Err(unproven("SELECT * with no tables specified"));
                    }
                    for i in 0..self.rtes.len() {
                        out.extend(self.expand(i)?);
                    }
                }
                SelectItem::QualifiedWildcard(kind, _) => {
                    let SelectItemQualifiedWildcardKind::ObjectName(name) = kind else {
                        return Err(cannot("expr.*"));
                    };
                    let parts = name_parts(name)?;
                    let Some(last) = parts.last() else {
                        return Err(unproven("an empty name"));
                    };
                    let n = fold(last);
                    let Some(i) = self.rtes.iter().position(|r| r.refname == n) else {
                        self.state.location.set(at(last));
                        return Err(unproven(format!(
                            "missing FROM-clause entry for table \"{n}\""
                        )));
                    };
                    out.extend(self.expand(i)?);
                }
            }
        }
        Ok(out)
    }

    fn expand(&self, i: usize) -> Result<Vec<(String, Node)>, Unproven> {
        let rte = &self.rtes[i];
        rte.table
            .columns
            .iter()
            .map(|c| Ok((c.name.clone(), self.var(rte, c)?)))
            .collect()
    }

    fn var(&self, rte: &Rte<'s>, c: &Column) -> Result<Node, Unproven> {
        let analyzer = self.analyzer();
        let (type_id, typmod) = analyzer.resolve_type(&c.data_type)?;
        let mut vars = self.state.vars.borrow_mut();
        let id = match vars
            .iter()
            .position(|(uid, name, _)| *uid == rte.uid && *name == c.name)
        {
            Some(id) => id,
            None => {
                vars.push((rte.uid, c.name.clone(), c.not_null));
                vars.len() - 1
            }
        };
        Ok(Node::Var {
            name: format!("#{id}"),
            type_id,
            typmod,
        })
    }

    /// A result column: unknown literals become text
    /// (`resolveTargetListUnknowns`); an untyped parameter is refused.
    fn output(&self, name: String, node: Node) -> Result<OutputColumn, Unproven> {
        let analyzer = self.analyzer();
        let node = match &node {
            Node::Param {
                index,
                type_id: oid::UNKNOWN,
            } => {
                return Err(unproven(format!(
                    "cannot infer the type of parameter ${index} in the result: write a cast, e.g. ${index}::text"
                )))
            }
            n if n.type_id() == oid::UNKNOWN => analyzer.coerce_to_target(
                node,
                oid::TEXT,
                -1,
                CoercionContext::Implicit,
                Form::ImplicitCast,
                "the result column",
            )?,
            _ => node,
        };
        let env = self.state.env;
        let type_id = node.type_id();
        let typmod = node.typmod();
        let info = env
            .type_info(type_id)
            .ok_or_else(|| unproven(format!("type {type_id} is not in the catalog")))?;
        if info.typtype == 'p' {
            return Err(unproven(format!(
                "result column \"{name}\" has pseudo-type {}",
                info.display
            )));
        }
        Ok(OutputColumn {
            type_name: super::format_type(env, type_id, typmod)
                .or_else(|_| super::format_type(env, type_id, -1))?,
            nullable: self.nullable(&node),
            name,
            type_id,
            typmod,
            typname: info.typname.clone(),
        })
    }

    /// Whether `node` may be NULL. Non-null only when proven:
    /// - a column NOT NULL and not on the nullable side of an outer join;
    /// - a non-NULL constant, `count(…)`, `EXISTS`, `IS [NOT] NULL`,
    ///   `IS [NOT] DISTINCT FROM`, an `ARRAY[…]`, a `ROW(…)`;
    /// - a strict function or operator over non-null arguments, unless
    ///   it is one known to return NULL for some non-null inputs (JSON
    ///   field and element access, array bounds, regular-expression
    ///   matches, …);
    /// - `coalesce`/`greatest`/`least` with one non-null argument; a
    ///   `CASE` whose every branch and `ELSE` are non-null; AND/OR/NOT
    ///   and casts over non-null inputs.
    fn nullable(&self, node: &Node) -> bool {
        let catalog = self.state.env.catalog;
        let all = |args: &[&Node]| args.iter().all(|a| !self.nullable(a));
        match node {
            Node::Var { name, .. } => name
                .strip_prefix('#')
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| {
                    let vars = self.state.vars.borrow();
                    let (uid, _, not_null) = vars.get(i)?;
                    let outer = self.state.rte_nullable.borrow().get(*uid).copied()?;
                    Some(!not_null || outer)
                })
                .unwrap_or(true),
            Node::Const { value, .. } => value.is_none(),
            Node::Param { .. } | Node::DomainValue { .. } => true,
            Node::SubLink { nullable, .. } => *nullable,
            Node::Func {
                proc, name, args, ..
            } => match catalog.proc(*proc) {
                Some(p) if p.kind == 'a' => name != "count",
                Some(p) if p.kind == 'f' => {
                    !(p.strict
                        && !may_return_null(&p.name)
                        && all(&args.iter().collect::<Vec<_>>()))
                }
                // A cast or length-coercion function by name: strict ones.
                _ => true,
            },
            Node::Op {
                oper, left, right, ..
            } => {
                let Some(p) = catalog
                    .oper_by_oid(*oper)
                    .and_then(|o| catalog.proc(o.proc))
                else {
                    return true;
                };
                let mut args: Vec<&Node> = left.iter().map(|l| &**l).collect();
                args.push(right);
                !(p.strict && !may_return_null(&p.name) && all(&args))
            }
            Node::Relabel { arg, .. }
            | Node::CoerceViaIo { arg, .. }
            | Node::ArrayCoerce { arg, .. }
            | Node::Collate { arg, .. } => self.nullable(arg),
            Node::Bool { args, .. } => !all(&args.iter().collect::<Vec<_>>()),
            Node::NullTest { .. } | Node::BooleanTest { .. } | Node::Distinct { .. } => false,
            Node::Coalesce { args, .. } | Node::MinMax { args, .. } => {
                args.iter().all(|a| self.nullable(a))
            }
            Node::Case { whens, default, .. } => {
                self.nullable(default) || whens.iter().any(|(_, r)| self.nullable(r))
            }
            Node::Array { .. } | Node::Row { .. } | Node::SqlValue(_) => false,
            Node::NullIf { .. } | Node::ScalarArrayOp { .. } | Node::Subscript { .. } => true,
        }
    }

    /// A column reference, this level first, then the levels around it.
    fn lookup(&self, parts: &[Ident]) -> Result<Option<Node>, Unproven> {
        let folded: Vec<String> = parts.iter().map(fold).collect();
        let (qualifier, name) = folded.split_at(folded.len() - 1);
        let name = &name[0];
        let visible = &self.rtes[self.visible_from.get().min(self.rtes.len())..];
        let mut found: Vec<(&Rte<'s>, &Column)> = Vec::new();
        match qualifier {
            [] => {
                for r in visible {
                    if let Some(c) = r.table.columns.iter().find(|c| &c.name == name) {
                        found.push((r, c));
                    }
                }
            }
            [q] | [_, q] => {
                let ns = (qualifier.len() == 2).then(|| &qualifier[0]);
                let rte = visible.iter().find(|r| {
                    &r.refname == q
                        && ns.is_none_or(|ns| *ns == r.namespace && r.refname == r.table_name)
                });
                if let Some(r) = rte {
                    match r.table.columns.iter().find(|c| &c.name == name) {
                        Some(c) => found.push((r, c)),
                        None => {
                            self.state.location.set(at(&parts[parts.len() - 1]));
                            return Err(unproven(format!(
                                "column {q}.{name} does not exist{}",
                                suggest(name, r.table.columns.iter().map(|c| c.name.as_str()))
                            )));
                        }
                    }
                } else if self.outer.is_none() && !self.rtes.iter().any(|r| &r.refname == q) {
                    self.state.location.set(at(&parts[0]));
                    return Err(unproven(format!(
                        "missing FROM-clause entry for table \"{q}\"{}",
                        suggest(q, self.rtes.iter().map(|r| r.refname.as_str()))
                    )));
                }
            }
            _ => return Err(cannot("a column reference with a catalog name")),
        }
        match found.as_slice() {
            [] => Ok(None),
            [(r, c)] => self.var(r, c).map(Some),
            _ => {
                self.state.location.set(at(&parts[parts.len() - 1]));
                Err(unproven(format!(
                    "column reference \"{name}\" is ambiguous: qualify it ({})",
                    found
                        .iter()
                        .map(|(r, _)| format!("{}.{name}", r.refname))
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
        }
    }

    fn all_column_names(&self) -> Vec<String> {
        let mut v = Vec::new();
        let mut level = Some(self);
        while let Some(l) = level {
            for r in &l.rtes {
                v.extend(r.table.columns.iter().map(|c| c.name.clone()));
            }
            level = l.outer;
        }
        v
    }
}

/// Strict built-ins that return NULL for some non-null inputs.
fn may_return_null(proc: &str) -> bool {
    proc.starts_with("json")
        && (proc.contains("field")
            || proc.contains("element")
            || proc.contains("extract_path")
            || proc.contains("path_query"))
        || proc.starts_with("array_")
            && matches!(
                proc,
                "array_upper"
                    | "array_lower"
                    | "array_length"
                    | "array_ndims"
                    | "array_dims"
                    | "array_position"
            )
        || proc.starts_with("regexp_")
        || matches!(
            proc,
            "substring"
                | "textregexsubstr"
                | "nullif"
                | "to_regclass"
                | "to_regtype"
                | "to_regproc"
                | "to_regprocedure"
                | "to_regoper"
                | "to_regoperator"
                | "to_regnamespace"
                | "to_regrole"
                | "to_regcollation"
                | "pg_get_expr"
                | "jsonb_path_query_first"
                | "json_populate_record"
                | "unnest"
        )
}

impl QueryHooks for Level<'_, '_> {
    fn column(&self, parts: &[Ident]) -> Result<Node, Unproven> {
        let mut level = Some(self);
        while let Some(l) = level {
            if let Some(node) = l.lookup(parts)? {
                return Ok(node);
            }
            level = l.outer;
        }
        let last = &parts[parts.len() - 1];
        self.state.location.set(at(last));
        let name = fold(last);
        if parts.len() > 1 {
            let q = fold(&parts[parts.len() - 2]);
            return Err(unproven(format!(
                "missing FROM-clause entry for table \"{q}\""
            )));
        }
        let names = self.all_column_names();
        Err(unproven(format!(
            "column \"{name}\" does not exist{}",
            suggest(&name, names.iter().map(String::as_str))
        )))
    }

    fn param(&self, index: usize) -> Result<Node, Unproven> {
        let mut params = self.state.params.borrow_mut();
        if params.len() < index {
            params.resize(index, oid::UNKNOWN);
        }
        Ok(Node::Param {
            index,
            type_id: params[index - 1],
        })
    }

    fn set_param(&self, index: usize, target: TypeId) -> Result<(), Unproven> {
        let mut params = self.state.params.borrow_mut();
        if params.len() < index {
            params.resize(index, oid::UNKNOWN);
        }
        let current = params[index - 1];
        if current == oid::UNKNOWN {
            params[index - 1] = target;
            Ok(())
        } else if current == target {
            Ok(())
        } else {
            Err(unproven(format!(
                "inconsistent types deduced for parameter ${index}: write a cast"
            )))
        }
    }

    fn subquery(
        &self,
        query: &Query,
        _analyzer: &Analyzer<'_>,
    ) -> Result<Vec<(TypeId, i32, bool)>, Unproven> {
        let child = Level {
            state: self.state,
            rtes: Vec::new(),
            visible_from: Cell::new(0),
            outer: Some(self),
            agg: Cell::new(Agg::Forbidden("here")),
            has_agg: Cell::new(false),
        };
        let saved = self.visible_from.get();
        let cols = child.query(query)?;
        self.visible_from.set(saved);
        cols.into_iter()
            .map(|(name, node)| {
                let c = child.output(name, node)?;
                Ok((c.type_id, c.typmod, c.nullable))
            })
            .collect()
    }

    fn aggregate_allowed(&self) -> Result<(), Unproven> {
        match self.agg.get() {
            Agg::Allowed => {
                self.has_agg.set(true);
                Ok(())
            }
            Agg::Forbidden(place) => Err(unproven(format!(
                "aggregate functions are not allowed {place}"
            ))),
            Agg::InAggregate => Err(unproven("aggregate function calls cannot be nested")),
        }
    }

    fn in_aggregate(
        &self,
        f: &mut dyn FnMut() -> Result<Node, Unproven>,
    ) -> Result<Node, Unproven> {
        let saved = self.agg.replace(Agg::InAggregate);
        let r = f();
        self.agg.set(saved);
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference() -> Schema {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/sql");
        crate::codegen::load(&crate::codegen::Request::new(root, None))
            .unwrap_or_else(|e| panic!("{e:?}"))
            .schema
    }

    fn shown(a: &Analysis) -> String {
        let params: Vec<String> = a.params.iter().map(|p| p.type_name.clone()).collect();
        let cols: Vec<String> = a
            .columns
            .iter()
            .map(|c| {
                format!(
                    "{} {}{}",
                    c.name,
                    c.type_name,
                    if c.nullable { "?" } else { "" }
                )
            })
            .collect();
        format!("({}) -> {}", params.join(", "), cols.join(", "))
    }

    #[test]
    fn reference_queries() {
        let schema = reference();
        let cases = [
            (
                "SELECT r.id, r.status, u.email FROM agent_run r LEFT JOIN \"user\" u ON u.id = r.user_id WHERE r.depth > $1",
                "(integer) -> id text, status agent_run_status, email text?",
            ),
            (
                "SELECT count(*), max(depth) FROM agent_run WHERE user_id = $1 LIMIT $2",
                "(text, bigint) -> count bigint, max integer?",
            ),
        ];
        for (sql, expected) in cases {
            let got = analyze(sql, &schema).map(|a| shown(&a));
            assert_eq!(got.as_deref(), Ok(expected), "{sql}");
        }
    }

    #[test]
    fn the_schemas_own_functions_are_typed_by_their_declaration() {
        let sql: std::sync::Arc<str> = std::sync::Arc::from(
            "CREATE FUNCTION label_of(amount numeric, unit text DEFAULT 'EUR') RETURNS text \
             LANGUAGE sql STABLE AS $$ SELECT amount || unit $$;\n\
             CREATE FUNCTION twice(x integer) RETURNS integer LANGUAGE sql AS 'SELECT 2 * x';\n\
             CREATE FUNCTION twice(x text) RETURNS text LANGUAGE sql AS 'SELECT x || x';\n\
             CREATE TABLE item (id integer NOT NULL, price numeric);",
        );
        let schema = crate::replay::replay_texts([("s.sql", &sql)])
            .expect("replays")
            .schema;
        let got = analyze(
            "SELECT label_of($1) AS l, label_of(price, $2) AS m FROM item",
            &schema,
        )
        .map(|a| shown(&a));
        assert_eq!(got.as_deref(), Ok("(numeric, text) -> l text?, m text?"));
        // An overload is not resolved offline: refused, never guessed.
        assert!(analyze("SELECT twice(id) AS t FROM item", &schema).is_err());
    }

    #[test]
    fn errors_name_the_problem() {
        let schema = reference();
        let e = analyze("SELECT emial FROM \"user\"", &schema).unwrap_err();
        assert_eq!(
            e.to_string(),
            "column \"emial\" does not exist; did you mean \"email\"? (at 1:8 of the SQL)"
        );
        let e = analyze("SELECT id FROM agent_run WHERE $1 IS NULL", &schema).unwrap_err();
        assert!(e.message.contains("$1::int8"), "{e}");
    }

    #[test]
    fn shapes_not_encoded_are_refused_by_name() {
        let schema = reference();
        let cases = [
            ("WITH x AS (SELECT 1) SELECT * FROM x", "WITH"),
            ("SELECT id FROM org UNION SELECT id FROM \"user\"", "UNION"),
            ("SELECT * FROM (SELECT id FROM org) o", "a subquery in FROM"),
            (
                "SELECT o.id FROM org o JOIN org_member m USING (id)",
                "JOIN … USING",
            ),
            (
                "SELECT id, count(DISTINCT id) FROM org GROUP BY id",
                "aggregate modifiers",
            ),
            ("SELECT id FROM generate_series(1, 3) AS g(id)", "FROM"),
            (
                "INSERT INTO org (name) SELECT name FROM org",
                "INSERT … SELECT",
            ),
            (
                "UPDATE org SET name = u.email FROM \"user\" u",
                "UPDATE … FROM",
            ),
            ("SELECT rank() OVER () AS r FROM org", "window functions"),
        ];
        for (sql, named) in cases {
            match analyze(sql, &schema) {
                Ok(a) => panic!("{sql}: typed as {}", shown(&a)),
                Err(e) => assert!(
                    e.message.starts_with("strata cannot type") && e.message.contains(named),
                    "{sql}: {e}"
                ),
            }
        }
    }

    #[test]
    fn mistakes_are_errors_the_server_would_raise() {
        let schema = reference();
        let cases = [
            (
                "SELECT id FROM agent_run r JOIN \"user\" u ON u.id = r.user_id",
                "ambiguous",
            ),
            (
                "SELECT id, count(*) FROM agent_run",
                "must appear in GROUP BY",
            ),
            (
                "SELECT id FROM agent_run WHERE count(*) > 1",
                "not allowed in WHERE",
            ),
            (
                "SELECT agent_run.id FROM agent_run r",
                "missing FROM-clause entry",
            ),
            ("SELECT id FROM agent_runs", "did you mean \"agent_run\""),
            (
                "SELECT id FROM agent_run WHERE depth = $1 AND agent_id = $1",
                "operator does not exist: text = integer",
            ),
            ("SELECT $1 AS x", "$1::text"),
            ("SELECT 1; SELECT 2", "more than one statement"),
        ];
        for (sql, says) in cases {
            match analyze(sql, &schema) {
                Ok(a) => panic!("{sql}: typed as {}", shown(&a)),
                Err(e) => assert!(e.to_string().contains(says), "{sql}: {e}"),
            }
        }
    }
}
