//! What the planner's constant folding would raise.
//!
//! The server stores an expression unplanned, but plans it before it is
//! accepted in several places: a generated column and an index key or
//! predicate (`CheckMutability`, `contain_mutable_functions_after_planning`),
//! a CHECK that `ALTER TABLE` validates and a default that `ADD COLUMN`
//! evaluates (`ExecPrepareExpr`). Planning runs `eval_const_expressions`:
//! every immutable call whose arguments are constants is evaluated there and
//! then, and an error it raises (a division by zero, an integer out of
//! range) rejects the statement, even on an empty table.
//!
//! [`check`] walks the analysed tree as `eval_const_expressions` does,
//! bottom up. A call it can evaluate is evaluated with the server's rules
//! (integer widths, numeric rounding, float overflow); a call whose
//! arguments may be constants and that it cannot evaluate is unproven unless
//! it is one that cannot raise (a comparison, a text function). Where it is
//! unsure whether the server folds something, it assumes it does: an
//! expression may be unproven that the server would accept, never the
//! reverse.

use super::node::{BoolOp, BoolTest, Node};
use super::transform::{Analyzer, USER_FUNCTION};
use super::{unproven, Unproven};
use crate::catalog::{oid, TypeId};

/// A constant's value, where strata knows it.
#[derive(Debug, Clone, PartialEq)]
enum V {
    Null,
    Int(i128),
    Num(Num),
    Float(f64),
    Bool(bool),
    Text(String),
    /// A constant whose value strata does not know (or an expression the
    /// server may or may not fold).
    Other,
}

/// A numeric as a fraction `n / d`, with `err` the most it may differ from
/// the server's value (0 when exact: the server rounds a quotient).
#[derive(Debug, Clone, PartialEq)]
struct Num {
    n: i128,
    d: i128,
    err: f64,
}

/// How a node folds.
enum F {
    /// Not a constant once planned (it reads a column, or a stable call).
    No,
    /// A constant, or something the server may fold to one.
    K(V),
}

/// Fails when the server, planning `node`, may raise an error that strata
/// cannot rule out (the reason names the call and the error).
pub(super) fn check(node: &Node, analyzer: &Analyzer) -> Result<(), Unproven> {
    fold(node, analyzer).map(|_| ())
}

fn raises(call: &str, code: &str, message: &str) -> Unproven {
    unproven(format!(
        "{call} on constants: the server evaluates it when it plans the expression and raises {code} {message}"
    ))
}

fn not_evaluated(call: &str) -> Unproven {
    unproven(format!(
        "{call} on constants: the server evaluates it when it plans the expression, and strata does not evaluate it, so cannot say it does not raise"
    ))
}

fn fold(node: &Node, a: &Analyzer) -> Result<F, Unproven> {
    Ok(match node {
        Node::Var { .. }
        | Node::DomainValue { .. }
        | Node::Param { .. }
        | Node::SubLink { .. }
        | Node::SqlValue(_) => F::No,
        Node::Const { type_id, value, .. } => F::K(constant(*type_id, value.as_deref())),
        Node::Relabel { arg, .. } | Node::Collate { arg, .. } => fold(arg, a)?,
        Node::CoerceViaIo { arg, type_id, .. } => match fold(arg, a)? {
            F::No => F::No,
            F::K(V::Null) => F::K(V::Null),
            F::K(v) => via_io(v, arg.type_id(), *type_id, a)?,
        },
        Node::ArrayCoerce {
            arg,
            type_id,
            typmod,
            ..
        } => match fold(arg, a)? {
            F::No => F::No,
            // An empty array has no element to convert.
            F::K(_) if matches!(&**arg, Node::Const { value: Some(v), .. } if v == "{}") => {
                F::K(V::Other)
            }
            F::K(_) => {
                let from = a.env.type_info(arg.type_id()).map(|t| t.elem);
                let to = a.env.type_info(*type_id).map(|t| t.elem);
                if *typmod < 0 && from.is_some_and(is_text) && to.is_some_and(is_text) {
                    F::K(V::Other)
                } else {
                    return Err(not_evaluated("an array cast"));
                }
            }
        },
        Node::Op {
            name,
            oper,
            left,
            right,
            result,
        } => {
            let l = match left {
                Some(l) => Some(fold(l, a)?),
                None => None,
            };
            let r = fold(right, a)?;
            let (lv, rv) = match (l, r) {
                (Some(F::No), _) | (_, F::No) => return Ok(F::No),
                (Some(F::K(l)), F::K(r)) => (Some(l), r),
                (None, F::K(r)) => (None, r),
            };
            let proc = a
                .env
                .catalog
                .oper_by_oid(*oper)
                .and_then(|o| a.env.catalog.proc(o.proc));
            let Some(proc) = proc else {
                return Err(not_evaluated(&format!("operator {name}")));
            };
            if proc.volatile != 'i' {
                return Ok(F::No);
            }
            if proc.strict && (lv == Some(V::Null) || rv == V::Null) {
                return Ok(F::K(V::Null));
            }
            let types = (left.as_ref().map(|l| l.type_id()), right.type_id());
            match operator(name, lv, rv, *result)? {
                Some(v) => F::K(v),
                None if harmless_operator(name, types, *result, a) => F::K(V::Other),
                None => return Err(not_evaluated(&format!("operator {name}"))),
            }
        }
        Node::Func {
            name,
            proc,
            args,
            result,
            result_typmod,
            ..
        } => {
            let Some(values) = fold_all(args, a)? else {
                return Ok(F::No);
            };
            let (volatile, strict) = if *proc == USER_FUNCTION {
                match a.user_volatility(name, args.len()) {
                    Some('i') => {
                        return Err(not_evaluated(&format!("the schema's function {name}()")))
                    }
                    Some(_) => return Ok(F::No),
                    None => return Err(not_evaluated(&format!("function {name}()"))),
                }
            } else {
                match super::builtin_volatility(a.env, name, *proc, args) {
                    Some(v) => v,
                    None => return Err(not_evaluated(&format!("function {name}()"))),
                }
            };
            if volatile != 'i' {
                return Ok(F::No);
            }
            if strict && values.contains(&V::Null) {
                return Ok(F::K(V::Null));
            }
            let types: Vec<TypeId> = args.iter().map(Node::type_id).collect();
            match function(name, &values, &types, *result, *result_typmod)? {
                Some(v) => F::K(v),
                None if harmless_function(name, &types) => F::K(V::Other),
                None => return Err(not_evaluated(&format!("{name}()"))),
            }
        }
        Node::Bool { op, args } => {
            let mut values = vec![];
            let mut non_constant = false;
            for arg in args {
                match fold(arg, a)? {
                    F::No => non_constant = true,
                    F::K(v) => values.push(v),
                }
            }
            // An AND with a constant false (an OR with a constant true)
            // folds to it; the rest is constant only when every input is.
            let decisive = match op {
                BoolOp::And => V::Bool(false),
                BoolOp::Or => V::Bool(true),
                BoolOp::Not => V::Null,
            };
            if values.contains(&decisive) {
                F::K(decisive)
            } else if values.contains(&V::Other) {
                F::K(V::Other)
            } else if non_constant {
                F::No
            } else {
                F::K(boolean(*op, &values))
            }
        }
        Node::NullTest { arg, is_null } => match fold(arg, a)? {
            F::No => F::No,
            F::K(V::Other) => F::K(V::Other),
            F::K(v) => F::K(V::Bool((v == V::Null) == *is_null)),
        },
        Node::BooleanTest { arg, test } => match fold(arg, a)? {
            F::No => F::No,
            F::K(v) => F::K(match (v, test) {
                (V::Bool(b), BoolTest::IsTrue) => V::Bool(b),
                (V::Bool(b), BoolTest::IsNotTrue) => V::Bool(!b),
                (V::Bool(b), BoolTest::IsFalse) => V::Bool(!b),
                (V::Bool(b), BoolTest::IsNotFalse) => V::Bool(b),
                (V::Bool(_), BoolTest::IsUnknown) => V::Bool(false),
                (V::Bool(_), BoolTest::IsNotUnknown) => V::Bool(true),
                (V::Null, BoolTest::IsUnknown | BoolTest::IsNotTrue | BoolTest::IsNotFalse) => {
                    V::Bool(true)
                }
                (V::Null, _) => V::Bool(false),
                _ => V::Other,
            }),
        },
        Node::Case {
            arg,
            whens,
            default,
            ..
        } => {
            // Every arm is folded (the server skips arms after a constant
            // true condition, and those with a constant false one: folding
            // them all may only say unproven more often).
            let operand = match arg {
                Some(x) => Some(fold(x, a)?),
                None => None,
            };
            let mut folded = vec![];
            for (c, r) in whens {
                folded.push((fold(c, a)?, fold(r, a)?));
            }
            let otherwise = fold(default, a)?;
            let first_condition_varies =
                matches!(operand, Some(F::No)) || matches!(folded.first(), Some((F::No, _)));
            if first_condition_varies {
                F::No
            } else if operand.is_none() {
                // A searched CASE: the first arm whose condition is a known
                // true, when every condition before it is a known false.
                let mut chosen = None;
                for (c, r) in folded {
                    match c {
                        F::K(V::Bool(false) | V::Null) => continue,
                        F::K(V::Bool(true)) => {
                            chosen = Some(r);
                            break;
                        }
                        _ => {
                            chosen = Some(F::K(V::Other));
                            break;
                        }
                    }
                }
                match chosen.unwrap_or(otherwise) {
                    F::No => F::No,
                    F::K(v) => F::K(v),
                }
            } else {
                F::K(V::Other)
            }
        }
        Node::Coalesce { args, .. } => {
            let mut out = None;
            for arg in args {
                let f = fold(arg, a)?;
                if out.is_none() {
                    match f {
                        F::K(V::Null) => {}
                        F::K(v) => out = Some(F::K(v)),
                        F::No => out = Some(F::No),
                    }
                }
            }
            out.unwrap_or(F::K(V::Null))
        }
        Node::MinMax { greatest, args, .. } => match fold_all(args, a)? {
            Some(values) => F::K(min_max(*greatest, values)),
            None => F::No,
        },
        // Each calls an equality (NULLIF, IS DISTINCT FROM) or the named
        // operator on every element (`= ANY`, `~ ANY`): folded on constants
        // only when that operator cannot raise (a regular expression can).
        Node::NullIf { args, .. } => {
            let l = fold(&args[0], a)?;
            let r = fold(&args[1], a)?;
            let types = (Some(args[0].type_id()), args[1].type_id());
            compared(l, r, "=", types, a)?
        }
        Node::Distinct { name, left, right } => {
            let types = (Some(left.type_id()), right.type_id());
            compared(fold(left, a)?, fold(right, a)?, name, types, a)?
        }
        Node::ScalarArrayOp {
            name, left, right, ..
        } => {
            let element = a.env.type_info(right.type_id()).map_or(0, |t| t.elem);
            let types = (Some(left.type_id()), element);
            compared(fold(left, a)?, fold(right, a)?, name, types, a)?
        }
        Node::Array { elements, .. } | Node::Row { args: elements } => {
            let mut constant = true;
            for e in elements {
                if let F::No = fold(e, a)? {
                    constant = false;
                }
            }
            if constant {
                F::K(V::Other)
            } else {
                F::No
            }
        }
        Node::Subscript {
            arg, subscripts, ..
        } => {
            let mut constant = matches!(fold(arg, a)?, F::K(_));
            for (l, u) in subscripts {
                for s in [l, u].into_iter().flatten() {
                    if let F::No = fold(s, a)? {
                        constant = false;
                    }
                }
            }
            if constant {
                F::K(V::Other)
            } else {
                F::No
            }
        }
    })
}

/// A node that applies the operator `name` to two folded inputs.
fn compared(
    l: F,
    r: F,
    name: &str,
    types: (Option<TypeId>, TypeId),
    a: &Analyzer,
) -> Result<F, Unproven> {
    Ok(match (l, r) {
        (F::K(_), F::K(_)) if harmless_operator(name, types, oid::BOOL, a) => F::K(V::Other),
        (F::K(_), F::K(_)) => return Err(not_evaluated(&format!("operator {name}"))),
        _ => F::No,
    })
}

/// Every argument folded (each one, so that what any of them raises is
/// seen); their values when all are constants, else `None`.
fn fold_all(args: &[Node], a: &Analyzer) -> Result<Option<Vec<V>>, Unproven> {
    let mut values = Vec::with_capacity(args.len());
    let mut constant = true;
    for arg in args {
        match fold(arg, a)? {
            F::No => constant = false,
            F::K(v) => values.push(v),
        }
    }
    Ok(constant.then_some(values))
}

fn is_text(t: TypeId) -> bool {
    matches!(
        t,
        oid::TEXT | oid::VARCHAR | oid::BPCHAR | oid::NAME | oid::UNKNOWN
    )
}

fn is_int(t: TypeId) -> bool {
    matches!(t, oid::INT2 | oid::INT4 | oid::INT8)
}

/// A constant's output text read back.
fn constant(t: TypeId, value: Option<&str>) -> V {
    let Some(s) = value else {
        return V::Null;
    };
    match t {
        oid::INT2 | oid::INT4 | oid::INT8 => s.parse().map_or(V::Other, V::Int),
        oid::NUMERIC => Num::parse(s).map_or(V::Other, V::Num),
        oid::FLOAT8 => s
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map_or(V::Other, V::Float),
        oid::BOOL => V::Bool(s == "t"),
        t if is_text(t) => V::Text(s.to_string()),
        _ => V::Other,
    }
}

/// An I/O conversion of a constant: the output function cannot raise; the
/// input function of a number or a boolean is run as the server runs it.
fn via_io(v: V, from: TypeId, to: TypeId, a: &Analyzer) -> Result<F, Unproven> {
    let out = a.io_volatility(from, true)?;
    let inp = a.io_volatility(to, false)?;
    if out != 'i' || inp != 'i' {
        return Ok(F::No);
    }
    if is_text(to) {
        return Ok(F::K(match v {
            V::Int(i) => V::Text(i.to_string()),
            V::Text(s) => V::Text(s),
            V::Bool(b) => V::Text(if b { "true" } else { "false" }.to_string()),
            _ => V::Other,
        }));
    }
    let V::Text(s) = v else {
        return Err(not_evaluated("an I/O cast"));
    };
    let s = s.trim_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let target = a.type_display(to);
    let invalid = || {
        raises(
            &format!("the cast to {target}"),
            "22P02",
            "invalid input syntax",
        )
    };
    Ok(F::K(match to {
        // `pg_strtoint32` and its kin (PostgreSQL 15: digits only).
        oid::INT2 | oid::INT4 | oid::INT8 => {
            let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid());
            }
            match s.parse::<i128>() {
                Ok(i) => V::Int(in_range(i, to)?),
                Err(_) => return Err(int_range(to)),
            }
        }
        _ => return Err(not_evaluated(&format!("the cast to {target}"))),
    }))
}

fn int_range(t: TypeId) -> Unproven {
    let what = match t {
        oid::INT2 => "smallint",
        oid::INT8 => "bigint",
        _ => "integer",
    };
    raises(
        &format!("the {what} result"),
        "22003",
        &format!("{what} out of range"),
    )
}

fn in_range(i: i128, t: TypeId) -> Result<i128, Unproven> {
    let ok = match t {
        oid::INT2 => i16::try_from(i).is_ok(),
        oid::INT4 => i32::try_from(i).is_ok(),
        _ => i64::try_from(i).is_ok(),
    };
    if ok {
        Ok(i)
    } else {
        Err(int_range(t))
    }
}

fn boolean(op: BoolOp, values: &[V]) -> V {
    match op {
        BoolOp::Not => match values.first() {
            Some(V::Bool(b)) => V::Bool(!b),
            Some(V::Null) => V::Null,
            _ => V::Other,
        },
        // No input is decisive: all are the other boolean or NULL.
        BoolOp::And | BoolOp::Or => {
            if values.contains(&V::Null) {
                V::Null
            } else {
                V::Bool(matches!(op, BoolOp::And))
            }
        }
    }
}

fn min_max(greatest: bool, values: Vec<V>) -> V {
    let present: Vec<V> = values.into_iter().filter(|v| *v != V::Null).collect();
    if present.is_empty() {
        return V::Null;
    }
    if present.iter().all(|v| matches!(v, V::Int(_))) {
        let ints = present.iter().map(|v| match v {
            V::Int(i) => *i,
            _ => 0,
        });
        return V::Int(if greatest {
            ints.max().unwrap_or(0)
        } else {
            ints.min().unwrap_or(0)
        });
    }
    V::Other
}

const DIV_ZERO: (&str, &str) = ("22012", "division by zero");

/// A built-in operator on known values; `None` when strata does not
/// evaluate it.
fn operator(name: &str, left: Option<V>, right: V, result: TypeId) -> Result<Option<V>, Unproven> {
    let call = format!("operator {name}");
    let Some(left) = left else {
        return Ok(match (name, right) {
            ("-", V::Int(i)) if is_int(result) => {
                Some(V::Int(in_range(-i, result).map_err(|_| int_range(result))?))
            }
            ("-", V::Num(n)) => Some(V::Num(n.neg())),
            ("-", V::Float(f)) => Some(V::Float(-f)),
            ("+", v @ (V::Int(_) | V::Num(_) | V::Float(_))) => Some(v),
            _ => None,
        });
    };
    if matches!(name, "=" | "<>" | "<" | "<=" | ">" | ">=") {
        let ord = match (&left, &right) {
            (V::Int(l), V::Int(r)) => Some(l.cmp(r)),
            (V::Num(l), V::Num(r)) if l.err == 0.0 && r.err == 0.0 => {
                Some((l.n * r.d).cmp(&(r.n * l.d)))
            }
            (V::Text(l), V::Text(r)) if matches!(name, "=" | "<>") => Some(l.cmp(r)),
            _ => None,
        };
        // Otherwise `None`: whether it may raise is the operator's types'
        // business (`harmless_operator`).
        return Ok(ord.map(|o| {
            use std::cmp::Ordering::*;
            V::Bool(match name {
                "=" => o == Equal,
                "<>" => o != Equal,
                "<" => o == Less,
                "<=" => o != Greater,
                ">" => o == Greater,
                _ => o != Less,
            })
        }));
    }
    Ok(match (left, right) {
        (V::Int(l), V::Int(r)) if is_int(result) => {
            let v = match name {
                "+" => l + r,
                "-" => l - r,
                "*" => l * r,
                "/" | "%" if r == 0 => return Err(raises(&call, DIV_ZERO.0, DIV_ZERO.1)),
                "/" => l / r,
                "%" => l % r,
                _ => return Ok(None),
            };
            Some(V::Int(in_range(v, result)?))
        }
        (V::Num(l), V::Num(r)) if result == oid::NUMERIC => match name {
            "+" => l.add(&r),
            "-" => l.add(&r.neg()),
            "*" => l.mul(&r),
            "/" | "%" => match r.is_zero() {
                Some(true) => return Err(raises(&call, DIV_ZERO.0, DIV_ZERO.1)),
                None => {
                    return Err(not_evaluated(&format!(
                        "{call} (a divisor that may be zero)"
                    )))
                }
                Some(false) if name == "/" => l.div(&r),
                Some(false) => Some(V::Other),
            },
            _ => None,
        },
        (V::Float(l), V::Float(r)) if result == oid::FLOAT8 => {
            let v = match name {
                "+" => l + r,
                "-" => l - r,
                "*" => l * r,
                "/" if r == 0.0 => return Err(raises(&call, DIV_ZERO.0, DIV_ZERO.1)),
                "/" => l / r,
                _ => return Ok(None),
            };
            if v.is_infinite() {
                return Err(raises(&call, "22003", "value out of range: overflow"));
            }
            let underflow = match name {
                "*" => v == 0.0 && l != 0.0 && r != 0.0,
                "/" => v == 0.0 && l != 0.0,
                _ => false,
            };
            if underflow {
                return Err(raises(&call, "22003", "value out of range: underflow"));
            }
            Some(V::Float(v))
        }
        _ => None,
    })
}

/// A built-in function on known values; `None` when strata does not
/// evaluate it.
fn function(
    name: &str,
    args: &[V],
    types: &[TypeId],
    result: TypeId,
    typmod: i32,
) -> Result<Option<V>, Unproven> {
    let call = format!("{name}()");
    Ok(match (name, args) {
        // Casts between numbers.
        ("int2" | "int4" | "int8", [v]) if is_int(result) => match v {
            V::Int(i) => Some(V::Int(in_range(*i, result)?)),
            V::Num(n) => match n.round(0) {
                Some(i) => Some(V::Int(in_range(i, result)?)),
                None => return Err(not_evaluated(&format!("the cast {call}"))),
            },
            V::Float(f) => {
                let r = f.round_ties_even();
                if r.is_finite() && r.abs() < 1e19 {
                    Some(V::Int(in_range(r as i128, result)?))
                } else {
                    return Err(int_range(result));
                }
            }
            _ => None,
        },
        ("numeric", [v]) => match v {
            V::Int(i) => Some(V::Num(Num {
                n: *i,
                d: 1,
                err: 0.0,
            })),
            V::Num(n) => Some(V::Num(n.clone())),
            _ => None,
        },
        ("numeric", [V::Num(n), _]) if typmod >= 4 => {
            let m = typmod - 4;
            let precision = (m >> 16) & 0xffff;
            let scale = ((m & 0x7ff) ^ 1024) - 1024;
            let target = format!("the cast to numeric({precision},{scale})");
            // Rounded to the scale, it must have fewer than
            // precision - scale digits before the point.
            let (Some(scaled), Some(limit)) = (
                n.round(scale),
                10i128.checked_pow(u32::try_from(precision).unwrap_or(u32::MAX)),
            ) else {
                return Err(not_evaluated(&target));
            };
            if scaled.abs() >= limit {
                return Err(raises(&target, "22003", "numeric field overflow"));
            }
            Some(V::Num(Num::new(scaled, 10i128.pow(scale as u32))))
        }
        ("float8", [v]) => match v {
            V::Int(i) => Some(V::Float(*i as f64)),
            V::Float(f) => Some(V::Float(*f)),
            // Exact: the nearest double keeps zero zero and is finite (a
            // fraction of 128-bit integers is far inside the range).
            V::Num(n) if n.err == 0.0 => Some(V::Float(n.value())),
            V::Num(_) => Some(V::Other),
            _ => None,
        },
        // A real is in range from 1e-37 to 1e38 (or zero).
        ("float4", [v]) => {
            let x = match v {
                V::Int(i) => Some(*i as f64),
                V::Num(n) if n.err == 0.0 => Some(n.value()),
                V::Float(f) => Some(*f),
                _ => None,
            };
            match x {
                Some(x) if x == 0.0 || (1e-37..1e38).contains(&x.abs()) => Some(V::Other),
                _ => None,
            }
        }
        // Raise only past 1 GB of text.
        ("repeat", [_, V::Int(n)]) if *n < 1_000_000 => Some(V::Other),
        ("lpad" | "rpad", [_, V::Int(n), ..]) if *n < 1_000_000 => Some(V::Other),
        // An escape of more than one character raises 22025.
        ("like_escape" | "similar_to_escape", [_, V::Text(e)]) if e.chars().count() <= 1 => {
            Some(V::Other)
        }
        ("similar_to_escape", [_]) => Some(V::Other),
        ("pi", []) => Some(V::Other),
        ("abs", [v]) => match v {
            V::Int(i) => Some(V::Int(in_range(i.abs(), result)?)),
            V::Num(n) => Some(V::Num(Num {
                n: n.n.abs(),
                ..n.clone()
            })),
            V::Float(f) => Some(V::Float(f.abs())),
            _ => None,
        },
        ("round", [V::Num(n), V::Int(s)]) => {
            let s = i32::try_from(*s).unwrap_or(i32::MAX).min(1000);
            match n.round(s.max(0)) {
                Some(v) if s >= 0 => Some(V::Num(Num::new(v, 10i128.pow(s as u32)))),
                _ => Some(V::Other),
            }
        }
        ("round", [V::Num(n)]) => n
            .round(0)
            .map(|v| V::Num(Num::new(v, 1)))
            .or(Some(V::Other)),
        ("mod", [V::Int(_), V::Int(0)]) => return Err(raises(&call, DIV_ZERO.0, DIV_ZERO.1)),
        ("mod", [V::Int(l), V::Int(r)]) => Some(V::Int(l % r)),
        ("mod" | "div", [_, V::Num(r)]) => match r.is_zero() {
            Some(true) => return Err(raises(&call, DIV_ZERO.0, DIV_ZERO.1)),
            Some(false) => Some(V::Other),
            None => {
                return Err(not_evaluated(&format!(
                    "{call} (a divisor that may be zero)"
                )))
            }
        },
        ("length" | "char_length" | "character_length" | "textlen", [V::Text(s)])
            if types.first().copied().is_some_and(is_text) =>
        {
            Some(V::Int(s.chars().count() as i128))
        }
        ("lower", [V::Text(s)]) if s.is_ascii() => Some(V::Text(s.to_ascii_lowercase())),
        ("upper", [V::Text(s)]) if s.is_ascii() => Some(V::Text(s.to_ascii_uppercase())),
        ("textcat", [V::Text(l), V::Text(r)]) => Some(V::Text(format!("{l}{r}"))),
        ("substring" | "substr", [s, V::Int(start), V::Int(len)]) => {
            if *len < 0 {
                return Err(raises(
                    &call,
                    "22011",
                    "negative substring length not allowed",
                ));
            }
            match s {
                V::Text(s) => {
                    let from = (*start).max(1);
                    let to = start.saturating_add(*len);
                    let taken = if to <= from {
                        String::new()
                    } else {
                        s.chars()
                            .skip(usize::try_from(from - 1).unwrap_or(usize::MAX))
                            .take(usize::try_from(to - from).unwrap_or(usize::MAX))
                            .collect()
                    };
                    Some(V::Text(taken))
                }
                _ => Some(V::Other),
            }
        }
        ("substring" | "substr", [_, V::Int(_)]) => Some(V::Other),
        ("split_part", [_, _, V::Int(0)]) => {
            return Err(raises(&call, "22023", "field position must not be zero"))
        }
        ("split_part", [_, _, V::Int(_)]) => Some(V::Other),
        ("varchar" | "bpchar", [v, V::Int(_), V::Bool(explicit)]) => {
            let limit = usize::try_from(typmod - 4).unwrap_or(usize::MAX);
            match v {
                _ if *explicit => Some(V::Other),
                V::Text(s) => {
                    let kept = s.trim_end_matches(' ').chars().count();
                    if s.chars().count() > limit && kept > limit {
                        return Err(raises(
                            &format!("the assignment to {name}({limit})"),
                            "22001",
                            "value too long",
                        ));
                    }
                    Some(V::Other)
                }
                _ => None,
            }
        }
        _ => None,
    })
}

/// Built-in operators that cannot raise, whatever their inputs: comparisons
/// and text concatenation.
fn harmless_operator(
    name: &str,
    types: (Option<TypeId>, TypeId),
    result: TypeId,
    a: &Analyzer,
) -> bool {
    // Base types, enums, domains and ranges compare without raising; a
    // record or composite may not (dissimilar column types), nor is an
    // array's comparison taken on trust.
    let scalar = |t: TypeId| {
        a.env
            .type_info(t)
            .is_some_and(|i| matches!(i.typtype, 'b' | 'e' | 'd' | 'r') && i.category != 'A')
    };
    match name {
        "=" | "<>" | "<" | "<=" | ">" | ">=" => types.0.is_some_and(scalar) && scalar(types.1),
        "||" => result == oid::TEXT,
        "~~" | "!~~" | "~~*" | "!~~*" => types.0.is_some_and(is_text) && is_text(types.1),
        _ => false,
    }
}

/// Built-in functions of text that cannot raise.
fn harmless_function(name: &str, types: &[TypeId]) -> bool {
    const TEXT: &[&str] = &[
        "lower",
        "upper",
        "initcap",
        "length",
        "char_length",
        "character_length",
        "octet_length",
        "bit_length",
        "textlen",
        "btrim",
        "ltrim",
        "rtrim",
        "md5",
        "reverse",
        "replace",
        "strpos",
        "position",
        "starts_with",
        "translate",
        "quote_ident",
        "quote_literal",
        "quote_nullable",
        "left",
        "right",
        "textcat",
        "concat",
        "concat_ws",
        "ascii",
        "text",
    ];
    TEXT.contains(&name)
        && types
            .iter()
            .all(|t| is_text(*t) || matches!(*t, oid::INT4 | oid::BOOL))
}

impl Num {
    fn new(n: i128, d: i128) -> Num {
        Num { n, d, err: 0.0 }.reduced()
    }

    /// `numeric_in`'s text: digits with an optional point and sign.
    fn parse(s: &str) -> Option<Num> {
        let (neg, body) = match s.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, s),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let d = 10i128.checked_pow(u32::try_from(frac.len()).ok()?)?;
        let digits: i128 = format!("{int}{frac}").parse().ok()?;
        Some(Num::new(if neg { -digits } else { digits }, d))
    }

    fn reduced(mut self) -> Num {
        let g =
            i128::try_from(gcd(self.n.unsigned_abs(), self.d.unsigned_abs()).max(1)).unwrap_or(1);
        self.n /= g;
        self.d /= g;
        self
    }

    fn value(&self) -> f64 {
        self.n as f64 / self.d as f64
    }

    fn neg(self) -> Num {
        Num { n: -self.n, ..self }
    }

    /// Whether it is zero; `None` when its error bound leaves it open.
    fn is_zero(&self) -> Option<bool> {
        if self.err == 0.0 {
            Some(self.n == 0)
        } else if self.value().abs() > 2.0 * self.err {
            Some(false)
        } else {
            None
        }
    }

    fn add(&self, o: &Num) -> Option<V> {
        let n = self
            .n
            .checked_mul(o.d)?
            .checked_add(o.n.checked_mul(self.d)?)?;
        let d = self.d.checked_mul(o.d)?;
        Some(V::Num(Num {
            err: self.err + o.err,
            ..Num::new(n, d)
        }))
    }

    fn mul(&self, o: &Num) -> Option<V> {
        let n = self.n.checked_mul(o.n)?;
        let d = self.d.checked_mul(o.d)?;
        let err = self.value().abs() * o.err + o.value().abs() * self.err + self.err * o.err;
        Some(V::Num(Num {
            err,
            ..Num::new(n, d)
        }))
    }

    /// The exact quotient; the server's is rounded to at least 16
    /// significant digits, which the error bound covers.
    fn div(&self, o: &Num) -> Option<V> {
        let n = self.n.checked_mul(o.d)?;
        let d = self.d.checked_mul(o.n)?;
        let (n, d) = if d < 0 { (-n, -d) } else { (n, d) };
        let q = Num::new(n, d);
        let ov = o.value().abs();
        let propagated = if self.err > 0.0 || o.err > 0.0 {
            let low = (ov - o.err).max(f64::MIN_POSITIVE);
            (self.err + q.value().abs() * o.err) / low
        } else {
            0.0
        };
        let err = propagated + q.value().abs() * 1e-15 + 1e-300;
        Some(V::Num(Num { err, ..q }))
    }

    /// Rounded half away from zero to `scale` digits, as `n * 10^scale`;
    /// `None` when the error bound straddles a rounding boundary.
    fn round(&self, scale: i32) -> Option<i128> {
        if scale < 0 {
            return None;
        }
        let f = 10i128.checked_pow(scale as u32)?;
        let at = |n: i128, d: i128| -> Option<i128> {
            let scaled = n.checked_mul(f)?;
            let (q, r) = (scaled / d, scaled % d);
            Some(if r.abs().checked_mul(2)? >= d {
                q + scaled.signum()
            } else {
                q
            })
        };
        let exact = at(self.n, self.d)?;
        if self.err == 0.0 {
            return Some(exact);
        }
        let v = self.value() * f as f64;
        let e = self.err * f as f64;
        let half_away = |x: f64| (x.abs() + 0.5).floor() * x.signum();
        (half_away(v - e) == half_away(v + e)).then_some(exact)
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}
