//! Parse analysis and deparsing: an expression as PostgreSQL stores it.
//!
//! The server does not keep the text of a DEFAULT, CHECK, generated column,
//! index key or partial-index predicate: it keeps the analysed tree (types
//! resolved, implicit casts inserted, unknown literals read by their type's
//! input function) and prints it back with `ruleutils.c`. [`stored`] does
//! the same offline — `transformExpr` against [`crate::catalog`], then
//! `get_rule_expr` — so that two expressions compare equal exactly when the
//! server would print them the same.
//!
//! Where any step is not encoded, the answer is [`Unproven`] with the
//! reason: never an approximation.

use sqlparser::ast::Expr;

use crate::catalog::{Catalog, CoercionContext, Env, TypeId};
use crate::model::{Column, Schema};

pub mod deparse;
mod fold;
pub mod node;
pub mod nodetree;
pub mod query;
pub mod rule;
pub mod transform;
pub mod view;

use node::{Form, Node};
use transform::{Analyzer, SchemaTypes};

/// Where an expression sits; it decides the coercion the server applies at
/// the top and how it prints it.
#[derive(Debug, Clone, Copy)]
pub enum Role<'a> {
    /// `DEFAULT e` of a column of this canonical type (`format_type` text):
    /// coerced with assignment rules, printed by `pg_get_expr(adbin)`.
    Default { column_type: &'a str },
    /// `GENERATED ALWAYS AS (e) STORED`, likewise.
    Generated { column_type: &'a str },
    /// `DEFAULT e` of a function argument of this type: coerced with
    /// assignment rules (`coerce_to_specific_type`), printed by
    /// `pg_get_function_arg_default`. A NULL default is stored.
    ArgDefault { arg_type: &'a str },
    /// `CHECK (e)`: coerced to boolean, printed by `pg_get_expr(conbin)`.
    Check,
    /// A domain's `CHECK (e)` over `VALUE` of this base type: coerced to
    /// boolean, printed by `pg_get_expr(conbin, 0)`.
    DomainCheck { base_type: &'a str },
    /// A policy's `USING (e)` or `WITH CHECK (e)`: coerced to boolean
    /// (`transformWhereClause`, "POLICY"), printed by
    /// `pg_get_expr(polqual | polwithcheck, polrelid)`.
    Policy,
    /// An index key expression, printed as `pg_get_indexdef(index, n,
    /// false)` prints key `n` (wrapped in parentheses unless it looks like a
    /// function call).
    IndexKey,
    /// An expression of `CREATE STATISTICS` (`transformStatsStmt`): not
    /// coerced, not required to be immutable, a top-level COLLATE kept;
    /// printed as `pg_get_statisticsobjdef_expressions` prints it.
    Statistics,
    /// The `WHERE` of a partial index (or an exclusion constraint):
    /// boolean, printed by `pg_get_expr(indpred)`.
    Predicate,
}

/// What the expression may refer to.
pub struct Scope<'a> {
    /// The table's columns (their canonical types).
    pub columns: &'a [Column],
    /// The whole schema: its enums, extensions, and the functions and
    /// operators it defines (a user function may capture a call).
    pub schema: &'a Schema,
}

/// Why strata cannot say what the server stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unproven {
    pub reason: String,
}

/// The server's `pg_get_expr` text for `expr` in `role` (search_path =
/// public, the settings named in [`crate::literal`]).
pub fn stored(expr: &Expr, scope: &Scope, role: Role) -> Result<String, Unproven> {
    let types = SchemaTypes::new(scope.schema);
    let env = Env {
        catalog: Catalog::pg15(),
        extensions: scope.schema.extensions.keys().cloned().collect(),
        user: &types,
    };
    let mut analyzer = Analyzer {
        env: &env,
        types: &types,
        columns: scope.columns,
        schema: scope.schema,
        immutable: matches!(
            role,
            Role::Generated { .. } | Role::IndexKey | Role::Predicate
        ),
        domain_value: None,
        query: None,
    };
    if let Role::DomainCheck { base_type } = role {
        analyzer.domain_value = Some(analyzer.resolve_type(base_type)?);
    }
    let node = analyzer.transform(expr)?;
    let node = match role {
        Role::Default { column_type } | Role::Generated { column_type } => {
            if matches!(role, Role::Default { .. }) && node.contains_var() {
                return Err(unproven(
                    "the server raises 0A000 cannot use column reference in DEFAULT expression",
                ));
            }
            let (t, typmod) = analyzer.resolve_type(column_type)?;
            let coerced = analyzer.coerce_to_target(
                node,
                t,
                typmod,
                CoercionContext::Assignment,
                Form::ImplicitCast,
                "the column's expression",
            )?;
            if matches!(role, Role::Generated { .. }) && folds_collation_sensitive(&coerced, &env) {
                return Err(unproven(
                    "a generated column whose collatable call may fold to a constant: the server plans it before assigning collations and may raise 42P22",
                ));
            }
            if matches!(role, Role::Default { .. })
                && matches!(coerced, Node::Const { value: None, .. })
            {
                return Err(unproven(
                    "a NULL default is not stored: pg_attrdef has no row for it",
                ));
            }
            coerced
        }
        Role::ArgDefault { arg_type } => {
            if node.contains_var() {
                return Err(unproven(
                    "the server raises 0A000: an argument default cannot read a column",
                ));
            }
            let (t, typmod) = analyzer.resolve_type(arg_type)?;
            analyzer.coerce_to_target(
                node,
                t,
                typmod,
                CoercionContext::Assignment,
                Form::ImplicitCast,
                "the argument's default",
            )?
        }
        Role::Check | Role::DomainCheck { .. } => analyzer.coerce_to_boolean(node, "CHECK")?,
        Role::Policy => analyzer.coerce_to_boolean(node, "POLICY")?,
        Role::Predicate => {
            let node = analyzer.coerce_to_boolean(node, "WHERE")?;
            if matches!(&node, Node::Const { value: Some(v), .. } if v == "t") {
                return Err(unproven(
                    "a constant true predicate is not stored: the index is not partial",
                ));
            }
            node
        }
        Role::IndexKey => {
            // A top-level COLLATE becomes the index column's collation.
            let node = match node {
                Node::Collate { arg, .. } => *arg,
                other => other,
            };
            if node.type_id() == crate::catalog::oid::UNKNOWN {
                return Err(unproven("an index key of unknown type"));
            }
            node
        }
        Role::Statistics => {
            if node.type_id() == crate::catalog::oid::UNKNOWN {
                return Err(unproven("a statistics expression of unknown type"));
            }
            node
        }
    };
    // Where the server plans the expression before it accepts it, what its
    // constant folding raises rejects the statement.
    if matches!(
        role,
        Role::Default { .. }
            | Role::Generated { .. }
            | Role::Check
            | Role::IndexKey
            | Role::Predicate
    ) {
        fold::check(&node, &analyzer)?;
    }
    let names = TypeNames { env: &env };
    match role {
        Role::IndexKey => deparse::index_key(&node, &names),
        _ => deparse::expression(&node, &names),
    }
}

/// `provolatile` of the most volatile function a column's `DEFAULT e`
/// calls once analysed (`contain_volatile_functions`): `i`, `s` or `v`.
/// `ADD COLUMN … DEFAULT e` rewrites the table only when it is `v`.
pub fn default_volatility(expr: &Expr, scope: &Scope, column_type: &str) -> Result<char, Unproven> {
    let types = SchemaTypes::new(scope.schema);
    let env = Env {
        catalog: Catalog::pg15(),
        extensions: scope.schema.extensions.keys().cloned().collect(),
        user: &types,
    };
    let analyzer = Analyzer {
        env: &env,
        types: &types,
        columns: scope.columns,
        schema: scope.schema,
        immutable: false,
        domain_value: None,
        query: None,
    };
    let node = analyzer.transform(expr)?;
    let (t, typmod) = analyzer.resolve_type(column_type)?;
    let node = analyzer.coerce_to_target(
        node,
        t,
        typmod,
        CoercionContext::Assignment,
        Form::ImplicitCast,
        "the column's expression",
    )?;
    let rank = |c: char| match c {
        'i' => 0,
        's' => 1,
        _ => 2,
    };
    let mut worst = 'i';
    let mut stack = vec![&node];
    while let Some(n) = stack.pop() {
        let here = match n {
            Node::Func {
                proc, name, args, ..
            } if *proc == transform::USER_FUNCTION => analyzer
                .user_volatility(name, args.len())
                .ok_or_else(|| unproven(format!("function {name}() is not in the schema")))?,
            Node::Func {
                proc, name, args, ..
            } => builtin_volatility(&env, name, *proc, args)
                .map(|(v, _)| v)
                .ok_or_else(|| unproven(format!("function {name}() is not in the catalog")))?,
            Node::Op { oper, name, .. } => env
                .catalog
                .oper_by_oid(*oper)
                .and_then(|o| env.catalog.proc(o.proc))
                .map(|p| p.volatile)
                .ok_or_else(|| unproven(format!("operator {name} is not in the catalog")))?,
            Node::CoerceViaIo { arg, type_id, .. } => {
                let out = analyzer.io_volatility(arg.type_id(), true)?;
                let inp = analyzer.io_volatility(*type_id, false)?;
                if rank(out) > rank(inp) {
                    out
                } else {
                    inp
                }
            }
            Node::SqlValue(_) => 's',
            _ => 'i',
        };
        if rank(here) > rank(worst) {
            worst = here;
        }
        stack.extend(n.children());
    }
    Ok(worst)
}

/// `provolatile` and `proisstrict` of a built-in call. A cast or
/// length-coercion function the analysis keeps by name only (no oid) is the
/// one of that name taking these arguments, else the most volatile of the
/// name (`numeric(money)` is stable, `numeric(numeric, integer)` immutable);
/// all of those are strict. `None` when the catalog has no such function.
fn builtin_volatility(env: &Env, name: &str, proc: u32, args: &[Node]) -> Option<(char, bool)> {
    if let Some(p) = env.catalog.proc(proc) {
        return Some((p.volatile, p.strict));
    }
    let types: Vec<TypeId> = args.iter().map(Node::type_id).collect();
    let exact = env.catalog.procs_named(name).find(|p| p.args == types);
    let volatile = match exact {
        Some(p) => p.volatile,
        None => env
            .catalog
            .procs_named(name)
            .map(|p| p.volatile)
            .max_by_key(|v| match v {
                'i' => 0,
                's' => 1,
                _ => 2,
            })?,
    };
    Some((volatile, true))
}

fn unproven(reason: impl Into<String>) -> Unproven {
    Unproven {
        reason: reason.into(),
    }
}

/// `format_type_with_typemod` over the catalog.
struct TypeNames<'a> {
    env: &'a Env<'a>,
}

impl deparse::Names for TypeNames<'_> {
    fn type_name(&self, id: TypeId, typmod: i32) -> Result<String, Unproven> {
        format_type(self.env, id, typmod)
    }
}

/// `format_type_with_typemod(id, typmod)` with `search_path = public`.
pub fn format_type(env: &Env, id: TypeId, typmod: i32) -> Result<String, Unproven> {
    let info = env
        .type_info(id)
        .ok_or_else(|| unproven(format!("type {id} is not in the catalog")))?;
    if info.elem != 0 && info.typname.starts_with('_') {
        return Ok(format!("{}[]", format_type(env, info.elem, typmod)?));
    }
    let m = typmod - 4;
    let with_tz = |base: &str, tz: &str| {
        if typmod >= 0 {
            format!("{base}({typmod}) {tz}")
        } else {
            format!("{base} {tz}")
        }
    };
    Ok(match info.typname.as_str() {
        "bpchar" if typmod >= 0 => format!("character({m})"),
        "bpchar" => "bpchar".to_string(),
        "varchar" if typmod >= 0 => format!("character varying({m})"),
        "varchar" => "character varying".to_string(),
        "numeric" if typmod >= 0 => {
            let precision = (m >> 16) & 0xffff;
            let scale = ((m & 0x7ff) ^ 1024) - 1024;
            format!("numeric({precision},{scale})")
        }
        "timestamp" => with_tz("timestamp", "without time zone"),
        "timestamptz" => with_tz("timestamp", "with time zone"),
        "time" => with_tz("time", "without time zone"),
        "timetz" => with_tz("time", "with time zone"),
        "bit" if typmod >= 0 => format!("bit({typmod})"),
        "bit" => "\"bit\"".to_string(),
        "varbit" if typmod >= 0 => format!("bit varying({typmod})"),
        "varbit" => "bit varying".to_string(),
        _ if typmod >= 0 => {
            return Err(unproven(format!(
                "printing type {} with a modifier",
                info.display
            )))
        }
        _ => info.display.clone(),
    })
}

#[cfg(test)]
mod server_cases;
#[cfg(test)]
mod tests;

/// Whether a call with a collatable argument may be folded to a constant by
/// `eval_const_expressions` (over-approximated: a COALESCE, CASE or boolean
/// node folds when any of its inputs may).
fn folds_collation_sensitive(node: &Node, env: &Env) -> bool {
    fn folds(n: &Node) -> bool {
        match n {
            Node::Const { .. } => true,
            Node::Var { .. }
            | Node::SqlValue(_)
            | Node::DomainValue { .. }
            | Node::Param { .. }
            | Node::SubLink { .. } => false,
            Node::Func { args, .. } | Node::Row { args } => args.iter().all(folds),
            Node::MinMax { args, .. } => args.iter().all(folds),
            Node::Op { left, right, .. } => left.as_deref().is_none_or(folds) && folds(right),
            Node::Relabel { arg, .. }
            | Node::CoerceViaIo { arg, .. }
            | Node::ArrayCoerce { arg, .. }
            | Node::Collate { arg, .. }
            | Node::NullTest { arg, .. }
            | Node::BooleanTest { arg, .. } => folds(arg),
            Node::Coalesce { args, .. } | Node::Bool { args, .. } => args.iter().any(folds),
            Node::Case { whens, default, .. } => {
                folds(default) || whens.iter().any(|(c, r)| folds(c) || folds(r))
            }
            Node::NullIf { args, .. } => args.iter().all(|a| folds(a)),
            Node::Distinct { left, right, .. } | Node::ScalarArrayOp { left, right, .. } => {
                folds(left) && folds(right)
            }
            Node::Array { elements, .. } => elements.iter().all(folds),
            Node::Subscript { arg, .. } => folds(arg),
        }
    }
    let collatable = |n: &Node| {
        env.type_info(n.type_id())
            .is_some_and(|t| t.collatable || n.type_id() == crate::catalog::oid::UNKNOWN)
    };
    let mut found = false;
    visit(node, &mut |n| {
        let sensitive = match n {
            Node::Func { args, .. } => args.iter().any(collatable) && args.iter().all(folds),
            Node::Op { left, right, .. } => {
                (left.as_deref().is_some_and(collatable) || collatable(right))
                    && left.as_deref().is_none_or(folds)
                    && folds(right)
            }
            Node::MinMax { args, .. } => args.iter().any(collatable) && args.iter().all(folds),
            _ => false,
        };
        found |= sensitive;
    });
    found
}

fn visit(node: &Node, f: &mut dyn FnMut(&Node)) {
    f(node);
    match node {
        Node::Var { .. }
        | Node::Const { .. }
        | Node::SqlValue(_)
        | Node::DomainValue { .. }
        | Node::Param { .. }
        | Node::SubLink { .. } => {}
        Node::Op { left, right, .. } => {
            if let Some(l) = left {
                visit(l, f);
            }
            visit(right, f);
        }
        Node::Func { args, .. }
        | Node::Bool { args, .. }
        | Node::Coalesce { args, .. }
        | Node::MinMax { args, .. }
        | Node::Row { args } => args.iter().for_each(|a| visit(a, f)),
        Node::Array { elements, .. } => elements.iter().for_each(|a| visit(a, f)),
        Node::Relabel { arg, .. }
        | Node::CoerceViaIo { arg, .. }
        | Node::ArrayCoerce { arg, .. }
        | Node::NullTest { arg, .. }
        | Node::BooleanTest { arg, .. }
        | Node::Collate { arg, .. } => visit(arg, f),
        Node::Case {
            arg,
            whens,
            default,
            ..
        } => {
            if let Some(a) = arg {
                visit(a, f);
            }
            for (c, r) in whens {
                visit(c, f);
                visit(r, f);
            }
            visit(default, f);
        }
        Node::NullIf { args, .. } => args.iter().for_each(|a| visit(a, f)),
        Node::Distinct { left, right, .. } | Node::ScalarArrayOp { left, right, .. } => {
            visit(left, f);
            visit(right, f);
        }
        Node::Subscript {
            arg, subscripts, ..
        } => {
            visit(arg, f);
            for (l, u) in subscripts {
                if let Some(l) = l {
                    visit(l, f);
                }
                if let Some(u) = u {
                    visit(u, f);
                }
            }
        }
    }
}
