//! A rewrite rule's condition and actions printed as `pg_get_ruledef(oid)`
//! prints them (PostgreSQL 15, `ruleutils.c` `make_ruledef` with
//! `PRETTYFLAG_INDENT`, each action through `get_query_def` →
//! `get_insert_query_def`, `get_update_query_def`, `get_delete_query_def`
//! or `get_utility_query_def`), for the commands a user typically writes:
//!
//! - the condition, a boolean expression over `new.` / `old.` columns
//!   (coerced to boolean as `transformWhereClause` does), printed by
//!   `get_rule_expr` with every column prefixed (a rule's range table holds
//!   `old` and `new`, so `varprefix` is always on);
//! - `INSERT INTO t [AS a] [(cols)] VALUES (…)[, (…)]` (the column list
//!   always printed: without one, the first columns of `t` in order; each
//!   value coerced to its column's type by assignment, implicit casts
//!   hidden), `INSERT INTO t DEFAULT VALUES`;
//! - `UPDATE t [AS a] SET c = e, … [WHERE e]`, `DELETE FROM [ONLY] t [AS a]
//!   [WHERE e]`, where a bare column is the target's (`t.c`);
//! - `NOTIFY channel [, 'payload']`;
//! - several of them in `( …; … )`.
//!
//! The layout is the server's: an action opens with a space (`" INSERT
//! INTO …"`), `VALUES (` and `WHERE` start lines (`"\n  VALUES ("`,
//! `"\n  WHERE "`), a `NOTIFY` starts its own line (`"\n NOTIFY ch"`), a
//! list of actions is `"(" + action + ";\n" … + ")"`. The texts are kept as
//! [`RuleText`]s, the names in them held by what they name.
//!
//! Anything else — `INSERT … SELECT`, `ON CONFLICT`, `RETURNING`, `WITH`,
//! `UPDATE … FROM`, `DELETE … USING`, subqueries, a `CASE` printed on
//! several lines, user-defined functions and types (their renames are not
//! followed) — is [`Unproven`], naming the construct.

use std::cell::RefCell;

use sqlparser::ast::{
    AssignmentTarget, Expr, FromTable, Ident, Insert, ObjectName, SetExpr, Statement, TableFactor,
    TableObject, TableWithJoins,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

use crate::catalog::{Catalog, CoercionContext, Env, TypeId, USER_TYPE_BASE};
use crate::model::{quote_ident, Column, RelationRef, RuleEvent, RulePart, RuleText, Schema};
use crate::parse::fold_ident;

use super::deparse;
use super::node::{Form, Node};
use super::transform::{Analyzer, QueryHooks, SchemaTypes, USER_FUNCTION};
use super::{unproven, TypeNames, Unproven};

/// A relation an action writes, as the rule's creation resolved it.
pub struct Target {
    pub relation: RelationRef,
    /// Its columns in attribute order, with their canonical types.
    pub columns: Vec<Column>,
}

/// What a rule's texts are analysed against.
pub struct RuleScope<'a> {
    pub schema: &'a Schema,
    pub event: RuleEvent,
    /// The columns of the rule's relation (what `new.` and `old.` name).
    pub own_columns: &'a [Column],
    /// The relation a command writes, resolved with the search path in
    /// effect (folded names, qualifier first); `Err` names why not.
    pub resolve: &'a dyn Fn(&[String]) -> Result<Target, Unproven>,
}

/// Marks a column handle in deparsed text: `\u{1}index\u{1}`.
const MARK: char = '\u{1}';

/// The condition's text (what follows `WHERE`).
pub fn condition(text: &str, scope: &RuleScope) -> Result<RuleText, Unproven> {
    let expr = parse_expr(text)?;
    let ctx = Ctx::new(scope);
    let hooks = Hooks {
        ctx: &ctx,
        target: None,
    };
    let node = ctx.with_analyzer(&hooks, |a| {
        let n = a.transform(&expr)?;
        a.coerce_to_boolean(n, "WHERE")
    })?;
    let mut out = Out::default();
    ctx.print(&node, &mut out)?;
    Ok(out.done())
}

/// The actions' text: what inspect keeps of `pg_get_ruledef` after `DO
/// [INSTEAD]` ([`actions_text`]), for one or more commands.
pub fn actions(commands: &[String], scope: &RuleScope) -> Result<RuleText, Unproven> {
    let ctx = Ctx::new(scope);
    let mut out = Out::default();
    match commands {
        [] => out.text("NOTHING"),
        [one] => {
            command(one, &ctx, &mut out)?;
            out.trim_start();
        }
        many => {
            out.text("(");
            for c in many {
                command(c, &ctx, &mut out)?;
                out.text(";\n");
            }
            out.text(")");
        }
    }
    Ok(out.done())
}

/// What is kept of `pg_get_ruledef`'s text after `DO [INSTEAD]`: trimmed,
/// without the final `;`.
pub fn actions_text(tail: &str) -> String {
    tail.trim().trim_end_matches(';').trim().to_string()
}

fn parse_expr(text: &str) -> Result<Expr, Unproven> {
    if text.contains(MARK) {
        return Err(unproven("a control character in the rule's text"));
    }
    let dialect = PostgreSqlDialect {};
    sqlparser::parser::Parser::new(&dialect)
        .try_with_sql(text)
        .and_then(|mut p| {
            let e = p.parse_expr()?;
            p.expect_token(&Token::EOF)?;
            Ok(e)
        })
        .map_err(|e| unproven(format!("the condition does not read back ({e})")))
}

/// One command, as `get_query_def` prints it into the rule's text.
fn command(text: &str, ctx: &Ctx, out: &mut Out) -> Result<(), Unproven> {
    if text.contains(MARK) {
        return Err(unproven("a control character in the rule's text"));
    }
    let dialect = PostgreSqlDialect {};
    if first_word(text) == "notify" {
        return notify(text, out);
    }
    let only = Tokenizer::new(&dialect, text)
        .tokenize()
        .map_or(true, |ts| {
            ts.iter().any(|t| {
                matches!(t, Token::Word(w) if w.quote_style.is_none()
                && w.value.eq_ignore_ascii_case("only"))
            })
        });
    if only {
        return Err(unproven("ONLY in a rule's command"));
    }
    let stmts = sqlparser::parser::Parser::parse_sql(&dialect, text)
        .map_err(|e| unproven(format!("a command that does not read back ({e})")))?;
    let [stmt] = stmts.as_slice() else {
        return Err(unproven("a command that is not one statement"));
    };
    match stmt {
        Statement::Insert(i) => insert(i, stmt, ctx, out),
        Statement::Update(u) => {
            if u.from.is_some() {
                return Err(unproven("UPDATE … FROM"));
            }
            if u.returning.is_some() {
                return Err(unproven("RETURNING"));
            }
            let (target, alias, only) = ctx.target_of(&u.table)?;
            let shape = format!(
                "UPDATE {}{} SET {}{}",
                if only { "ONLY " } else { "" },
                u.table,
                u.assignments
                    .iter()
                    .map(|a| a.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                u.selection
                    .as_ref()
                    .map(|w| format!(" WHERE {w}"))
                    .unwrap_or_default()
            );
            same_shape(stmt, &shape)?;
            out.text(" UPDATE ");
            if only {
                out.text("ONLY ");
            }
            out.relation(&target, alias.as_deref());
            out.text(" SET ");
            let hooks = Hooks {
                ctx,
                target: Some((&target, alias.as_deref())),
            };
            let mut seen = std::collections::BTreeSet::new();
            for (i, a) in u.assignments.iter().enumerate() {
                let AssignmentTarget::ColumnName(name) = &a.target else {
                    return Err(unproven("a multiple-column assignment in UPDATE … SET"));
                };
                let [col] = folded(name)?
                    .try_into()
                    .map_err(|_| unproven("a qualified or subscripted column in UPDATE … SET"))?;
                if !seen.insert(col.clone()) {
                    return Err(unproven(format!(
                        "the server raises 42601 multiple assignments to same column \"{col}\""
                    )));
                }
                let column = target_column(&target, &col)?;
                if i > 0 {
                    out.text(", ");
                }
                out.column(&target.relation, &column.name);
                out.text(" = ");
                assigned(&a.value, column, ctx, &hooks, out)?;
            }
            if let Some(w) = &u.selection {
                ctx.qual(w, &hooks, out)?;
            }
            Ok(())
        }
        Statement::Delete(d) => {
            if d.using.is_some() {
                return Err(unproven("DELETE … USING"));
            }
            if d.returning.is_some() {
                return Err(unproven("RETURNING"));
            }
            let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) = &d.from;
            let [from] = from.as_slice() else {
                return Err(unproven("DELETE from several relations"));
            };
            let (target, alias, only) = ctx.target_of(from)?;
            let shape = format!(
                "DELETE FROM {}{}{}",
                if only { "ONLY " } else { "" },
                from,
                d.selection
                    .as_ref()
                    .map(|w| format!(" WHERE {w}"))
                    .unwrap_or_default()
            );
            same_shape(stmt, &shape)?;
            out.text(" DELETE FROM ");
            if only {
                out.text("ONLY ");
            }
            out.relation(&target, alias.as_deref());
            if let Some(w) = &d.selection {
                let hooks = Hooks {
                    ctx,
                    target: Some((&target, alias.as_deref())),
                };
                ctx.qual(w, &hooks, out)?;
            }
            Ok(())
        }
        _ => Err(unproven(
            "a command other than INSERT … VALUES, UPDATE, DELETE or NOTIFY",
        )),
    }
}

/// `INSERT INTO t [AS a] [(cols)] VALUES … | DEFAULT VALUES`.
fn insert(i: &Insert, stmt: &Statement, ctx: &Ctx, out: &mut Out) -> Result<(), Unproven> {
    if i.on.is_some() || i.returning.is_some() {
        return Err(unproven("INSERT … ON CONFLICT or RETURNING"));
    }
    if i.overriding.is_some() {
        return Err(unproven("INSERT … OVERRIDING"));
    }
    let TableObject::TableName(name) = &i.table else {
        return Err(unproven("INSERT into a table function"));
    };
    let alias = i
        .table_alias
        .as_ref()
        .map(|a| fold_ident(&a.alias.value, a.alias.quote_style.is_some()));
    let target = (ctx.scope.resolve)(&folded(name)?)?;
    if let Some(a) = alias.as_deref().filter(|a| *a == "new" || *a == "old") {
        return Err(unproven(format!("the alias {a} of a rule's target")));
    }
    let written: Vec<String> = i
        .columns
        .iter()
        .map(|c| {
            let [c] = folded(c)?
                .try_into()
                .map_err(|_| unproven("a subscripted or qualified INSERT column"))?;
            Ok(c)
        })
        .collect::<Result<_, Unproven>>()?;
    let rows: Vec<&Vec<Expr>> = match &i.source {
        None => Vec::new(),
        Some(q) => {
            let SetExpr::Values(v) = q.body.as_ref() else {
                return Err(unproven("INSERT … SELECT"));
            };
            if q.with.is_some() || q.order_by.is_some() || q.limit_clause.is_some() {
                return Err(unproven("INSERT with WITH, ORDER BY or LIMIT"));
            }
            if v.explicit_row || v.value_keyword {
                return Err(unproven("VALUES ROW(…)"));
            }
            v.rows.iter().map(|r| &r.content).collect()
        }
    };
    let cols_sql = |cs: &[String]| {
        if cs.is_empty() {
            String::new()
        } else {
            format!(
                " ({})",
                cs.iter()
                    .map(|c| quote_ident(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    };
    let shape = match &i.source {
        None => format!("INSERT INTO {name} DEFAULT VALUES"),
        Some(_) => format!(
            "INSERT INTO {name}{}{} VALUES {}",
            alias
                .as_ref()
                .map(|a| format!(" AS {}", quote_ident(a)))
                .unwrap_or_default(),
            cols_sql(&written),
            rows.iter()
                .map(|r| format!(
                    "({})",
                    r.iter()
                        .map(|e| e.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    same_shape(stmt, &shape)?;
    out.text(" INSERT INTO ");
    out.relation(&target, alias.as_deref());
    if rows.is_empty() {
        if !written.is_empty() || alias.is_some() {
            return Err(unproven("INSERT … DEFAULT VALUES with columns or an alias"));
        }
        out.text(" DEFAULT VALUES");
        return Ok(());
    }
    let width = rows[0].len();
    if rows.iter().any(|r| r.len() != width) {
        return Err(unproven(
            "the server raises 42601 VALUES lists must all be the same length",
        ));
    }
    // The columns the values go to: as written, or the table's first.
    let columns: Vec<&Column> = if written.is_empty() {
        if width > target.columns.len() {
            return Err(unproven(
                "the server raises 42601 INSERT has more expressions than target columns",
            ));
        }
        target.columns.iter().take(width).collect()
    } else {
        if written.len() != width {
            return Err(unproven(
                "the server raises 42601: INSERT has a different number of expressions and target columns",
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        let mut cs = Vec::new();
        for c in &written {
            if !seen.insert(c.clone()) {
                return Err(unproven(format!(
                    "the server raises 42701 column \"{c}\" specified more than once"
                )));
            }
            cs.push(target_column(&target, c)?);
        }
        cs
    };
    if columns.is_empty() {
        return Err(unproven("INSERT of no columns"));
    }
    out.text(" (");
    for (k, c) in columns.iter().enumerate() {
        if k > 0 {
            out.text(", ");
        }
        out.column(&target.relation, &c.name);
    }
    out.text(") ");
    // The VALUES list sees new and old, not the target.
    let hooks = Hooks { ctx, target: None };
    if let [row] = rows.as_slice() {
        out.keyword("VALUES (", 2);
        for (k, (e, c)) in row.iter().zip(&columns).enumerate() {
            if k > 0 {
                out.text(", ");
            }
            assigned(e, c, ctx, &hooks, out)?;
        }
        out.text(")");
    } else {
        // `get_values_def`: on the same line, no space after a comma.
        out.text("VALUES ");
        for (k, row) in rows.iter().enumerate() {
            if k > 0 {
                out.text(", ");
            }
            out.text("(");
            for (j, (e, c)) in row.iter().zip(&columns).enumerate() {
                if j > 0 {
                    out.text(",");
                }
                assigned(e, c, ctx, &hooks, out)?;
            }
            out.text(")");
        }
    }
    Ok(())
}

/// A value assigned to column `c` (`transformAssignedExpr`): `DEFAULT`, or
/// the expression coerced by assignment, printed without its implicit cast.
fn assigned(e: &Expr, c: &Column, ctx: &Ctx, hooks: &Hooks, out: &mut Out) -> Result<(), Unproven> {
    if let Expr::Identifier(id) = e {
        if id.quote_style.is_none() && id.value.eq_ignore_ascii_case("default") {
            out.text("DEFAULT");
            return Ok(());
        }
    }
    if c.generated.is_some() {
        return Err(unproven(format!(
            "the server raises 428C9: column \"{}\" is a generated column",
            c.name
        )));
    }
    let node = ctx.with_analyzer(hooks, |a| {
        let n = a.transform(e)?;
        let (t, typmod) = a.resolve_type(&c.data_type)?;
        a.coerce_to_target(
            n,
            t,
            typmod,
            CoercionContext::Assignment,
            Form::ImplicitCast,
            "an assigned value",
        )
    })?;
    ctx.print(&node, out)
}

fn target_column<'t>(target: &'t Target, name: &str) -> Result<&'t Column, Unproven> {
    target
        .columns
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| {
            unproven(format!(
                "the server raises 42703 column \"{name}\" of relation \"{}\" does not exist",
                target.relation.name
            ))
        })
}

/// `NOTIFY channel [, 'payload']` (`get_utility_query_def`): on its own
/// line, the payload quoted by `simple_quote_literal`.
fn notify(text: &str, out: &mut Out) -> Result<(), Unproven> {
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, text)
        .tokenize()
        .map_err(|e| unproven(format!("a NOTIFY that does not read back ({e})")))?;
    let words: Vec<&Token> = tokens
        .iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect();
    let channel = |t: &Token| match t {
        Token::Word(w) => Some(fold_ident(&w.value, w.quote_style.is_some())),
        _ => None,
    };
    let (ch, payload) = match words.as_slice() {
        [_, c] | [_, c, Token::SemiColon] => (channel(c), None),
        [_, c, Token::Comma, Token::SingleQuotedString(p)]
        | [_, c, Token::Comma, Token::SingleQuotedString(p), Token::SemiColon] => {
            (channel(c), Some(p.clone()))
        }
        _ => (None, None),
    };
    let Some(ch) = ch else {
        return Err(unproven("a NOTIFY other than NOTIFY channel [, 'payload']"));
    };
    out.keyword("", 1);
    out.text("NOTIFY ");
    out.text(&quote_ident(&ch));
    if let Some(p) = payload {
        out.text(", ");
        out.text(&format!("'{}'", p.replace('\'', "''")));
    }
    Ok(())
}

fn first_word(c: &str) -> String {
    c.trim_start()
        .split(|ch: char| !ch.is_alphanumeric() && ch != '_')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

fn folded(name: &ObjectName) -> Result<Vec<String>, Unproven> {
    name.0
        .iter()
        .map(|p| {
            p.as_ident()
                .map(|i| fold_ident(&i.value, i.quote_style.is_some()))
                .ok_or_else(|| unproven(format!("the name {name}")))
        })
        .collect()
}

/// The statement holds nothing but what was read from it: printed again
/// from those parts it is the same statement.
fn same_shape(stmt: &Statement, shape: &str) -> Result<(), Unproven> {
    let dialect = PostgreSqlDialect {};
    let again = sqlparser::parser::Parser::parse_sql(&dialect, shape).ok();
    match again.as_deref() {
        Some([s]) if s.to_string() == stmt.to_string() => Ok(()),
        _ => Err(unproven(format!(
            "a clause strata does not derive in {}",
            short(&stmt.to_string())
        ))),
    }
}

fn short(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_string()
    }
}

/// The analysis state shared by a rule's texts.
struct Ctx<'a> {
    scope: &'a RuleScope<'a>,
    types: SchemaTypes<'a>,
    extensions: Vec<String>,
    /// The column handles the deparsed texts hold, by index.
    vars: RefCell<Vec<Vec<RulePart>>>,
}

impl<'a> Ctx<'a> {
    fn new(scope: &'a RuleScope<'a>) -> Ctx<'a> {
        Ctx {
            scope,
            types: SchemaTypes::new(scope.schema),
            extensions: scope.schema.extensions.keys().cloned().collect(),
            vars: RefCell::new(Vec::new()),
        }
    }

    fn with_analyzer<T>(
        &self,
        hooks: &dyn QueryHooks,
        f: impl FnOnce(&Analyzer) -> Result<T, Unproven>,
    ) -> Result<T, Unproven> {
        self.analyzer(Some(hooks), f)
    }

    /// An analyzer over the rule's scope, with the query hooks if any.
    fn analyzer<T>(
        &self,
        hooks: Option<&dyn QueryHooks>,
        f: impl FnOnce(&Analyzer) -> Result<T, Unproven>,
    ) -> Result<T, Unproven> {
        let env = Env {
            catalog: Catalog::pg15(),
            extensions: self.extensions.clone(),
            user: &self.types,
        };
        let a = Analyzer {
            env: &env,
            types: &self.types,
            columns: &[],
            schema: self.scope.schema,
            immutable: false,
            domain_value: None,
            query: hooks,
        };
        f(&a)
    }

    fn resolve_type(&self, text: &str) -> Result<(TypeId, i32), Unproven> {
        self.analyzer(None, |a| a.resolve_type(text))
    }

    /// The relation of an `UPDATE` or `DELETE`, its alias, `ONLY`.
    fn target_of(&self, t: &TableWithJoins) -> Result<(Target, Option<String>, bool), Unproven> {
        if !t.joins.is_empty() {
            return Err(unproven("a join in the target of UPDATE or DELETE"));
        }
        let TableFactor::Table {
            name, alias, args, ..
        } = &t.relation
        else {
            return Err(unproven("a target that is not a table or view"));
        };
        if args.is_some() {
            return Err(unproven("a table function"));
        }
        if alias.as_ref().is_some_and(|a| !a.columns.is_empty()) {
            return Err(unproven("column aliases on the target"));
        }
        let alias = alias
            .as_ref()
            .map(|a| fold_ident(&a.name.value, a.name.quote_style.is_some()));
        // sqlparser keeps `ONLY` as the first part of the name.
        let parts = folded(name)?;
        let target = (self.scope.resolve)(&parts)?;
        if let Some(a) = alias.as_deref().filter(|a| *a == "new" || *a == "old") {
            return Err(unproven(format!("the alias {a} of a rule's target")));
        }
        Ok((target, alias, false))
    }

    /// ` WHERE e` of an `UPDATE` or `DELETE`.
    fn qual(&self, w: &Expr, hooks: &Hooks, out: &mut Out) -> Result<(), Unproven> {
        let node = self.with_analyzer(hooks, |a| {
            let n = a.transform(w)?;
            a.coerce_to_boolean(n, "WHERE")
        })?;
        out.keyword(" WHERE ", 1);
        self.print(&node, out)
    }

    /// `get_rule_expr(node, showimplicit = false)` into `out`, the column
    /// handles turned into their parts.
    fn print(&self, node: &Node, out: &mut Out) -> Result<(), Unproven> {
        let mut bad = None;
        super::visit(node, &mut |n| {
            if bad.is_some() {
                return;
            }
            match n {
                Node::Var { .. } => {}
                Node::Func { proc, name, .. } if *proc == USER_FUNCTION => {
                    bad = Some(format!(
                        "a call of the schema's function {name}() (strata does not follow its renames in a rule)"
                    ));
                }
                Node::Const { value: Some(v), .. } if v.contains(MARK) => {
                    bad = Some("a control character in a constant".to_string());
                }
                _ if n.type_id() >= USER_TYPE_BASE => {
                    bad = Some(
                        "a value of a type of the schema (strata does not follow its renames in a rule)"
                            .to_string(),
                    );
                }
                _ => {}
            }
        });
        if let Some(b) = bad {
            return Err(unproven(b));
        }
        let env = Env {
            catalog: Catalog::pg15(),
            extensions: self.extensions.clone(),
            user: &self.types,
        };
        let text = deparse::expression_raw_vars(node, &TypeNames { env: &env })?;
        if text.contains('\n') {
            return Err(unproven("an expression printed on several lines (CASE)"));
        }
        let vars = self.vars.borrow();
        let mut rest = text.as_str();
        while let Some(at) = rest.find(MARK) {
            out.text(&rest[..at]);
            let after = &rest[at + MARK.len_utf8()..];
            let end = after
                .find(MARK)
                .ok_or_else(|| unproven("a column handle not closed"))?;
            let i: usize = after[..end]
                .parse()
                .map_err(|_| unproven("a column handle not read"))?;
            let parts = vars
                .get(i)
                .ok_or_else(|| unproven("a column handle not known"))?;
            for p in parts {
                out.part(p.clone());
            }
            rest = &after[end + MARK.len_utf8()..];
        }
        out.text(rest);
        Ok(())
    }

    /// A column as a Var whose name is a handle for `parts`.
    fn var(&self, parts: Vec<RulePart>, data_type: &str) -> Result<Node, Unproven> {
        let (type_id, typmod) = self.resolve_type(data_type)?;
        let mut vars = self.vars.borrow_mut();
        vars.push(parts);
        Ok(Node::Var {
            name: format!("{MARK}{}{MARK}", vars.len() - 1),
            type_id,
            typmod,
        })
    }
}

/// Column references of one text: `new.c` / `old.c`, and in an `UPDATE`'s
/// or `DELETE`'s expressions the target's columns.
struct Hooks<'c, 'a> {
    ctx: &'c Ctx<'a>,
    /// The target and its alias, when its columns are visible.
    target: Option<(&'c Target, Option<&'c str>)>,
}

impl QueryHooks for Hooks<'_, '_> {
    fn column(&self, parts: &[Ident]) -> Result<Node, Unproven> {
        let f: Vec<String> = parts
            .iter()
            .map(|i| fold_ident(&i.value, i.quote_style.is_some()))
            .collect();
        let refname = self.target.map(|(t, a)| a.unwrap_or(&t.relation.name));
        let own = |q: &str, c: &str| -> Result<Node, Unproven> {
            if refname == Some(q) {
                return Err(unproven(format!(
                    "the server raises 42P09 table reference \"{q}\" is ambiguous"
                )));
            }
            let forbidden = match self.ctx.scope.event {
                RuleEvent::Insert => q == "old",
                RuleEvent::Delete => q == "new",
                _ => false,
            };
            if forbidden {
                return Err(unproven(format!(
                    "the server raises 42P01 invalid reference to FROM-clause entry for table \"{q}\""
                )));
            }
            let col = self
                .ctx
                .scope
                .own_columns
                .iter()
                .find(|x| x.name == c)
                .ok_or_else(|| {
                    unproven(format!(
                        "the server raises 42703 column {q}.{c} does not exist"
                    ))
                })?;
            self.ctx.var(
                vec![
                    RulePart::Text(format!("{q}.")),
                    RulePart::OwnColumn(col.name.clone()),
                ],
                &col.data_type,
            )
        };
        let target = |c: &str| -> Result<Node, Unproven> {
            let Some((t, alias)) = self.target else {
                return Err(unproven(format!(
                    "the column reference {} (only new. and old. columns are visible here)",
                    f.join(".")
                )));
            };
            let col = target_column(t, c)?;
            let prefix = match alias {
                Some(a) => RulePart::Text(quote_ident(a)),
                None => RulePart::RefName(t.relation.clone()),
            };
            self.ctx.var(
                vec![
                    prefix,
                    RulePart::Text(".".to_string()),
                    RulePart::Column(t.relation.clone(), col.name.clone()),
                ],
                &col.data_type,
            )
        };
        match f.as_slice() {
            [q, c] if q == "new" || q == "old" => own(q, c),
            [c] => target(c),
            [q, c] if Some(q.as_str()) == refname => target(c),
            [s, q, c]
                if self.target.is_some_and(|(t, a)| {
                    a.is_none() && t.relation.namespace == *s && t.relation.name == *q
                }) =>
            {
                target(c)
            }
            _ => Err(unproven(format!(
                "the column reference {} in a rule",
                f.join(".")
            ))),
        }
    }

    fn param(&self, _index: usize) -> Result<Node, Unproven> {
        Err(unproven("a $n parameter in a rule"))
    }

    fn set_param(&self, _index: usize, _target: TypeId) -> Result<(), Unproven> {
        Err(unproven("a $n parameter in a rule"))
    }

    fn subquery(
        &self,
        _query: &sqlparser::ast::Query,
        _analyzer: &Analyzer<'_>,
    ) -> Result<Vec<(TypeId, i32, bool)>, Unproven> {
        Err(unproven("a subquery in a rule"))
    }

    fn aggregate_allowed(&self) -> Result<(), Unproven> {
        Err(unproven(
            "the server raises 42803: aggregate functions are not allowed here",
        ))
    }

    fn in_aggregate(
        &self,
        f: &mut dyn FnMut() -> Result<Node, Unproven>,
    ) -> Result<Node, Unproven> {
        f()
    }
}

/// The text being built, with `appendContextKeyword`'s layout.
#[derive(Default)]
struct Out {
    parts: Vec<RulePart>,
}

impl Out {
    fn text(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if let Some(RulePart::Text(t)) = self.parts.last_mut() {
            t.push_str(s);
        } else {
            self.parts.push(RulePart::Text(s.to_string()));
        }
    }

    fn part(&mut self, p: RulePart) {
        match p {
            RulePart::Text(t) => self.text(&t),
            other => self.parts.push(other),
        }
    }

    fn column(&mut self, rel: &RelationRef, name: &str) {
        self.parts
            .push(RulePart::Column(rel.clone(), name.to_string()));
    }

    /// `generate_relation_name` (search_path = public) and the alias.
    fn relation(&mut self, t: &Target, alias: Option<&str>) {
        self.parts.push(RulePart::Relation(t.relation.clone()));
        match alias {
            Some(a) => {
                self.text(" AS ");
                self.text(&quote_ident(a));
            }
            None => self.parts.push(RulePart::Alias(t.relation.clone())),
        }
    }

    /// `appendContextKeyword(s, -PRETTYINDENT_STD, PRETTYINDENT_STD, plus)`
    /// at an action's indentation: trailing spaces dropped, a new line,
    /// `plus` spaces.
    fn keyword(&mut self, s: &str, plus: usize) {
        if let Some(RulePart::Text(t)) = self.parts.last_mut() {
            let kept = t.trim_end_matches(' ').len();
            t.truncate(kept);
        }
        self.text("\n");
        self.text(&" ".repeat(plus));
        self.text(s);
    }

    fn trim_start(&mut self) {
        if let Some(RulePart::Text(t)) = self.parts.first_mut() {
            *t = t.trim_start().to_string();
        }
    }

    fn done(mut self) -> RuleText {
        self.parts
            .retain(|p| !matches!(p, RulePart::Text(t) if t.is_empty()));
        RuleText { parts: self.parts }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::model::{Rule, Schema};

    fn replayed(sql: &str) -> Schema {
        let text: Arc<str> = Arc::from(sql);
        crate::replay::replay_texts([("schema.sql", &text)])
            .unwrap_or_else(|e| panic!("{e}"))
            .schema
    }

    fn rule<'s>(s: &'s Schema, table: &str, name: &str) -> &'s Rule {
        &s.table("public", table).unwrap().rules[name]
    }

    const BASE: &str = "CREATE TABLE t (id integer, a integer, b text);\n\
                        CREATE TABLE log (id integer, what text);\n";

    #[test]
    fn derived_texts_follow_renames() {
        let s = replayed(&format!(
            "{BASE}CREATE RULE r AS ON UPDATE TO t WHERE new.a > old.a \
             DO ALSO UPDATE log SET what = new.b WHERE id = old.id;\n\
             ALTER TABLE t RENAME COLUMN a TO \"A\";\n\
             ALTER TABLE log RENAME COLUMN id TO log_id;\n\
             ALTER TABLE log RENAME TO new;\n"
        ));
        let r = rule(&s, "t", "r");
        assert_eq!(
            r.condition.as_ref().and_then(|c| c.exact()),
            Some("(new.\"A\" > old.\"A\")")
        );
        assert_eq!(
            r.actions.exact(),
            Some("UPDATE new AS new_1 SET what = new.b\n  WHERE (new_1.log_id = old.id)")
        );
        // What is written back is the text the server prints now.
        assert_eq!(r.actions.sql, r.actions.exact().unwrap());
    }

    #[test]
    fn what_the_server_refuses_or_strata_does_not_derive_is_unproven_with_the_reason() {
        for (rule_sql, reason) in [
            (
                "CREATE RULE r AS ON INSERT TO t WHERE old.a > 0 DO ALSO NOTHING",
                "invalid reference to FROM-clause entry for table \"old\"",
            ),
            (
                "CREATE RULE r AS ON DELETE TO t DO ALSO DELETE FROM log WHERE id = new.id",
                "invalid reference to FROM-clause entry for table \"new\"",
            ),
            (
                "CREATE RULE r AS ON INSERT TO t WHERE a > 0 DO ALSO NOTHING",
                "only new. and old. columns are visible here",
            ),
            (
                "CREATE RULE r AS ON INSERT TO t WHERE new.nope > 0 DO ALSO NOTHING",
                "column new.nope does not exist",
            ),
            (
                "CREATE RULE r AS ON INSERT TO t DO ALSO INSERT INTO log (id, id) VALUES (1, 2)",
                "specified more than once",
            ),
            (
                "CREATE RULE r AS ON INSERT TO t DO ALSO INSERT INTO log VALUES (1, 'a', 3)",
                "more expressions than target columns",
            ),
            (
                "CREATE RULE r AS ON INSERT TO t WHERE count(new.a) > 0 DO ALSO NOTHING",
                "aggregate functions are not allowed here",
            ),
            (
                "CREATE RULE r AS ON INSERT TO t DO ALSO UPDATE log AS old SET what = 'x'",
                "the alias old",
            ),
            (
                "CREATE RULE r AS ON INSERT TO t DO ALSO NOTIFY ch, E'x'",
                "NOTIFY other than",
            ),
            (
                "CREATE RULE r AS ON INSERT TO t DO ALSO UPDATE log SET what = 'x' FROM t",
                "UPDATE … FROM",
            ),
            (
                "CREATE RULE r AS ON INSERT TO t DO ALSO UPDATE log SET what = 'x', what = 'y'",
                "multiple assignments to same column",
            ),
        ] {
            let s = replayed(&format!("{BASE}{rule_sql};\n"));
            let r = rule(&s, "t", "r");
            let why = r
                .condition
                .as_ref()
                .and_then(|c| c.unproven())
                .or(r.actions.unproven())
                .unwrap_or_else(|| panic!("{rule_sql}: derived"));
            assert!(why.contains(reason), "{rule_sql}: {why}");
        }
    }

    #[test]
    fn kept_text_is_trimmed_as_inspect_trims_it() {
        assert_eq!(
            super::actions_text(" INSERT INTO t (a)\n  VALUES (1);"),
            "INSERT INTO t (a)\n  VALUES (1)"
        );
        assert_eq!(super::actions_text("(\n NOTIFY a;\n);"), "(\n NOTIFY a;\n)");
    }
}
