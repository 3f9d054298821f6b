//! The analysed tree printed as `ruleutils.c` prints it with
//! `prettyFlags = PRETTYFLAG_INDENT` (what `pg_get_expr(…)` and
//! `pg_get_indexdef(…, n, false)` use): every operator, boolean and test
//! node in parentheses, implicit coercions hidden at the top of an argument
//! that does not show them, CASE on indented lines.

use crate::catalog::{oid, TypeId};
use crate::model::{quote_ident, quote_literal};

use super::node::{BoolOp, BoolTest, Form, Node};
use super::Unproven;

/// What printing needs from outside: type names and the check that a bare
/// operator or function name resolves back to the same object.
pub trait Names {
    /// `format_type_with_typemod`.
    fn type_name(&self, id: TypeId, typmod: i32) -> Result<String, Unproven>;
}

const PRETTYINDENT_VAR: i32 = 4;

pub struct Deparser<'a> {
    names: &'a dyn Names,
    buf: String,
    indent: i32,
    /// The relation name columns are printed with (`t.col`), as in a
    /// view's query (`varprefix`).
    var_prefix: Option<String>,
    /// Columns printed as their names stand, unquoted: a caller's handles
    /// (a rule's columns, printed with their relation's name later).
    raw_vars: bool,
}

/// `deparse_expression_pretty(node, …, showimplicit = false, PRETTYFLAG_INDENT)`.
pub fn expression(node: &Node, names: &dyn Names) -> Result<String, Unproven> {
    let mut d = Deparser {
        names,
        buf: String::new(),
        indent: 0,
        var_prefix: None,
        raw_vars: false,
    };
    d.expr(node, false)?;
    Ok(d.buf)
}

/// [`expression`] with every column printed `prefix.column` (`prefix`
/// already quoted), as `pg_get_viewdef` prints a view's columns.
pub fn expression_prefixed(
    node: &Node,
    names: &dyn Names,
    prefix: &str,
) -> Result<String, Unproven> {
    let mut d = Deparser {
        names,
        buf: String::new(),
        indent: 0,
        var_prefix: Some(prefix.to_string()),
        raw_vars: false,
    };
    d.expr(node, false)?;
    Ok(d.buf)
}

/// [`expression`] with every column printed as its name stands (not
/// quoted, no prefix): the caller's handles for what it names.
pub fn expression_raw_vars(node: &Node, names: &dyn Names) -> Result<String, Unproven> {
    let mut d = Deparser {
        names,
        buf: String::new(),
        indent: 0,
        var_prefix: None,
        raw_vars: true,
    };
    d.expr(node, false)?;
    Ok(d.buf)
}

/// `pg_get_indexdef(index, n, false)` for an expression key: the text in
/// parentheses unless it looks like a function call; a bare column is its
/// quoted name.
pub fn index_key(node: &Node, names: &dyn Names) -> Result<String, Unproven> {
    if let Node::Var { name, .. } = node {
        return Ok(quote_ident(name));
    }
    let text = expression(node, names)?;
    if looks_like_function(node) {
        Ok(text)
    } else {
        Ok(format!("({text})"))
    }
}

/// `looks_like_function`.
pub fn looks_like_function(node: &Node) -> bool {
    match node {
        Node::Func { form, .. } => matches!(form, Form::Call | Form::SqlSyntax),
        Node::NullIf { .. } | Node::Coalesce { .. } | Node::MinMax { .. } | Node::SqlValue(_) => {
            true
        }
        _ => false,
    }
}

fn unproven(reason: impl Into<String>) -> Unproven {
    Unproven {
        reason: reason.into(),
    }
}

impl Deparser<'_> {
    fn push(&mut self, s: &str) {
        self.buf.push_str(s);
    }

    /// `appendContextKeyword` with `PRETTY_INDENT` on.
    fn keyword(&mut self, s: &str, before: i32, after: i32, plus: i32) {
        self.indent += before;
        while self.buf.ends_with(' ') {
            self.buf.pop();
        }
        self.buf.push('\n');
        let n = self.indent.max(0) + plus;
        for _ in 0..n {
            self.buf.push(' ');
        }
        self.buf.push_str(s);
        self.indent += after;
    }

    fn type_name(&self, id: TypeId, typmod: i32) -> Result<String, Unproven> {
        self.names.type_name(id, typmod)
    }

    /// `get_rule_expr`.
    fn expr(&mut self, node: &Node, showimplicit: bool) -> Result<(), Unproven> {
        match node {
            Node::Var { name, .. } if self.raw_vars => self.push(name),
            Node::Var { name, .. } => {
                if let Some(p) = self.var_prefix.clone() {
                    self.push(&p);
                    self.push(".");
                }
                self.push(&quote_ident(name))
            }
            Node::DomainValue { .. } => self.push("VALUE"),
            Node::Const { .. } => self.constant(node, 0)?,
            Node::Op {
                name, left, right, ..
            } => {
                self.push("(");
                match left {
                    Some(l) => {
                        self.expr(l, true)?;
                        self.push(&format!(" {name} "));
                    }
                    None => self.push(&format!("{name} ")),
                }
                self.expr(right, true)?;
                self.push(")");
            }
            Node::Func {
                name,
                args,
                result,
                result_typmod,
                form,
                variadic,
                ..
            } => match form {
                Form::ImplicitCast if !showimplicit => self.expr(&args[0], false)?,
                Form::ImplicitCast | Form::ExplicitCast => {
                    self.coercion(&args[0], *result, *result_typmod)?
                }
                Form::SqlSyntax => self.sql_syntax(name, args)?,
                Form::Call => {
                    self.push(&quote_ident(name));
                    self.push("(");
                    for (i, a) in args.iter().enumerate() {
                        if i > 0 {
                            self.push(", ");
                        }
                        if *variadic && i + 1 == args.len() {
                            self.push("VARIADIC ");
                        }
                        self.expr(a, true)?;
                    }
                    self.push(")");
                }
            },
            Node::Relabel {
                arg,
                type_id,
                typmod,
                form,
            }
            | Node::ArrayCoerce {
                arg,
                type_id,
                typmod,
                form,
            } => {
                if *form == Form::ImplicitCast && !showimplicit {
                    self.expr(arg, false)?;
                } else {
                    self.coercion(arg, *type_id, *typmod)?;
                }
            }
            Node::CoerceViaIo { arg, type_id, form } => {
                if *form == Form::ImplicitCast && !showimplicit {
                    self.expr(arg, false)?;
                } else {
                    self.coercion(arg, *type_id, -1)?;
                }
            }
            Node::Bool { op, args } => match op {
                BoolOp::And | BoolOp::Or => {
                    let word = if *op == BoolOp::And { " AND " } else { " OR " };
                    self.push("(");
                    for (i, a) in args.iter().enumerate() {
                        if i > 0 {
                            self.push(word);
                        }
                        self.expr(a, false)?;
                    }
                    self.push(")");
                }
                BoolOp::Not => {
                    self.push("(NOT ");
                    self.expr(&args[0], false)?;
                    self.push(")");
                }
            },
            Node::NullTest { arg, is_null } => {
                if matches!(**arg, Node::Row { .. }) {
                    return Err(unproven("IS NULL of a row value"));
                }
                self.push("(");
                self.expr(arg, true)?;
                self.push(if *is_null {
                    " IS NULL)"
                } else {
                    " IS NOT NULL)"
                });
            }
            Node::BooleanTest { arg, test } => {
                self.push("(");
                self.expr(arg, false)?;
                self.push(match test {
                    BoolTest::IsTrue => " IS TRUE)",
                    BoolTest::IsNotTrue => " IS NOT TRUE)",
                    BoolTest::IsFalse => " IS FALSE)",
                    BoolTest::IsNotFalse => " IS NOT FALSE)",
                    BoolTest::IsUnknown => " IS UNKNOWN)",
                    BoolTest::IsNotUnknown => " IS NOT UNKNOWN)",
                });
            }
            Node::Case {
                arg,
                whens,
                default,
                ..
            } => {
                self.keyword("CASE", 0, PRETTYINDENT_VAR, 0);
                if let Some(a) = arg {
                    self.push(" ");
                    self.expr(a, true)?;
                }
                for (w, r) in whens {
                    self.keyword("WHEN ", 0, 0, 0);
                    self.expr(w, false)?;
                    self.push(" THEN ");
                    self.expr(r, true)?;
                }
                self.keyword("ELSE ", 0, 0, 0);
                self.expr(default, true)?;
                self.keyword("END", -PRETTYINDENT_VAR, 0, 0);
            }
            Node::Coalesce { args, .. } => self.call_list("COALESCE", args)?,
            Node::MinMax { greatest, args, .. } => {
                self.call_list(if *greatest { "GREATEST" } else { "LEAST" }, args)?
            }
            Node::NullIf { args, .. } => {
                self.push("NULLIF(");
                self.expr(&args[0], true)?;
                self.push(", ");
                self.expr(&args[1], true)?;
                self.push(")");
            }
            Node::Distinct { name, left, right } => {
                if name != "=" {
                    return Err(unproven(format!(
                        "IS DISTINCT FROM through operator {name}"
                    )));
                }
                self.push("(");
                self.expr(left, true)?;
                self.push(" IS DISTINCT FROM ");
                self.expr(right, true)?;
                self.push(")");
            }
            Node::ScalarArrayOp {
                name,
                any,
                left,
                right,
            } => {
                self.push("(");
                self.expr(left, true)?;
                self.push(&format!(" {name} {} (", if *any { "ANY" } else { "ALL" }));
                self.expr(right, true)?;
                self.push("))");
            }
            Node::Array {
                elements, type_id, ..
            } => {
                self.push("ARRAY[");
                for (i, e) in elements.iter().enumerate() {
                    if i > 0 {
                        self.push(", ");
                    }
                    self.expr(e, true)?;
                }
                self.push("]");
                if elements.is_empty() {
                    let t = self.type_name(*type_id, -1)?;
                    self.push(&format!("::{t}"));
                }
            }
            Node::SqlValue(v) => self.push(&v.text()),
            Node::Subscript {
                arg,
                subscripts,
                slice,
                ..
            } => {
                let parens = !matches!(**arg, Node::Var { .. });
                if parens {
                    self.push("(");
                }
                self.expr(arg, showimplicit)?;
                if parens {
                    self.push(")");
                }
                for (lower, upper) in subscripts {
                    self.push("[");
                    if *slice {
                        if let Some(l) = lower {
                            self.expr(l, false)?;
                        }
                        self.push(":");
                    }
                    if let Some(u) = upper {
                        self.expr(u, false)?;
                    }
                    self.push("]");
                }
            }
            Node::Collate { arg, collation } => {
                self.push("(");
                self.expr(arg, showimplicit)?;
                self.push(&format!(" COLLATE {collation})"));
            }
            Node::Row { args } => self.call_list("ROW", args)?,
            Node::Param { .. } | Node::SubLink { .. } => {
                return Err(unproven("a parameter or subquery is not printed"))
            }
        }
        Ok(())
    }

    fn call_list(&mut self, name: &str, args: &[Node]) -> Result<(), Unproven> {
        self.push(name);
        self.push("(");
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.expr(a, true)?;
        }
        self.push(")");
        Ok(())
    }

    /// `get_coercion_expr`.
    fn coercion(&mut self, arg: &Node, result: TypeId, typmod: i32) -> Result<(), Unproven> {
        match arg {
            Node::Const {
                type_id,
                typmod: -1,
                ..
            } if *type_id == result => self.constant(arg, -1)?,
            _ => {
                self.push("(");
                self.expr(arg, false)?;
                self.push(")");
            }
        }
        let t = self.type_name(result, typmod)?;
        self.push(&format!("::{t}"));
        Ok(())
    }

    /// `get_const_expr`: `showtype` -1 never labels, 0 labels unless the
    /// literal reads back as the same type.
    fn constant(&mut self, node: &Node, showtype: i32) -> Result<(), Unproven> {
        let Node::Const {
            type_id,
            typmod,
            value,
        } = node
        else {
            unreachable!("constant() on a non-Const")
        };
        let Some(text) = value else {
            self.push("NULL");
            if showtype >= 0 {
                let t = self.type_name(*type_id, *typmod)?;
                self.push(&format!("::{t}"));
            }
            return Ok(());
        };
        let mut needlabel = false;
        match *type_id {
            oid::INT4 => {
                if text.starts_with('-') {
                    self.push(&format!("'{text}'"));
                    needlabel = true;
                } else {
                    self.push(text);
                }
            }
            oid::NUMERIC => {
                if text.starts_with(|c: char| c.is_ascii_digit()) && text.contains(['e', 'E', '.'])
                {
                    self.push(text);
                } else {
                    self.push(&format!("'{text}'"));
                    needlabel = true;
                }
            }
            oid::BOOL => self.push(if text == "t" { "true" } else { "false" }),
            _ => self.push(&quote_literal(text)),
        }
        if showtype < 0 {
            return Ok(());
        }
        match *type_id {
            oid::BOOL | oid::UNKNOWN => needlabel = false,
            oid::INT4 => {}
            oid::NUMERIC => needlabel |= *typmod >= 0,
            _ => needlabel = true,
        }
        if needlabel || showtype > 0 {
            let t = self.type_name(*type_id, *typmod)?;
            self.push(&format!("::{t}"));
        }
        Ok(())
    }

    /// `get_func_sql_syntax` for the functions analysis marks SQL syntax.
    fn sql_syntax(&mut self, name: &str, args: &[Node]) -> Result<(), Unproven> {
        match (name, args.len()) {
            ("timezone", 2) => {
                self.push("(");
                self.expr(&args[1], false)?;
                self.push(" AT TIME ZONE ");
                self.expr(&args[0], false)?;
                self.push(")");
            }
            ("extract", 2) => {
                let Node::Const {
                    value: Some(field), ..
                } = &args[0]
                else {
                    return Err(unproven("EXTRACT with a field that is not a constant"));
                };
                self.push(&format!("EXTRACT({field} FROM "));
                self.expr(&args[1], false)?;
                self.push(")");
            }
            ("position", 2) => {
                self.push("POSITION((");
                self.expr(&args[1], false)?;
                self.push(") IN (");
                self.expr(&args[0], false)?;
                self.push("))");
            }
            ("substring", 2 | 3) => {
                self.push("SUBSTRING(");
                self.expr(&args[0], false)?;
                self.push(" FROM ");
                self.expr(&args[1], false)?;
                if args.len() == 3 {
                    self.push(" FOR ");
                    self.expr(&args[2], false)?;
                }
                self.push(")");
            }
            ("btrim" | "ltrim" | "rtrim", 1 | 2) => {
                self.push(match name {
                    "btrim" => "TRIM(BOTH",
                    "ltrim" => "TRIM(LEADING",
                    _ => "TRIM(TRAILING",
                });
                if args.len() == 2 {
                    self.push(" ");
                    self.expr(&args[1], false)?;
                }
                self.push(" FROM ");
                self.expr(&args[0], false)?;
                self.push(")");
            }
            ("overlay", 3 | 4) => {
                self.push("OVERLAY(");
                self.expr(&args[0], false)?;
                self.push(" PLACING ");
                self.expr(&args[1], false)?;
                self.push(" FROM ");
                self.expr(&args[2], false)?;
                if args.len() == 4 {
                    self.push(" FOR ");
                    self.expr(&args[3], false)?;
                }
                self.push(")");
            }
            _ => {
                return Err(unproven(format!(
                    "the SQL-syntax form of {name}() is not encoded"
                )))
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::node::SqlValue;

    struct Builtins;

    impl Names for Builtins {
        fn type_name(&self, id: TypeId, typmod: i32) -> Result<String, Unproven> {
            Ok(match (id, typmod) {
                (oid::INT4, _) => "integer".into(),
                (oid::INT8, _) => "bigint".into(),
                (oid::TEXT, _) => "text".into(),
                (oid::NUMERIC, -1) => "numeric".into(),
                (oid::NUMERIC, m) => format!("numeric({},{})", (m - 4) >> 16, (m - 4) & 0xffff),
                (oid::VARCHAR, -1) => "character varying".into(),
                (oid::VARCHAR, m) => format!("character varying({})", m - 4),
                (oid::INTERVAL, _) => "interval".into(),
                (1009, _) => "text[]".into(),
                _ => return Err(unproven("type")),
            })
        }
    }

    fn c(type_id: TypeId, v: &str) -> Node {
        Node::Const {
            type_id,
            typmod: -1,
            value: Some(v.into()),
        }
    }

    fn var(name: &str, type_id: TypeId) -> Node {
        Node::Var {
            name: name.into(),
            type_id,
            typmod: -1,
        }
    }

    fn cast(arg: Node, to: TypeId, typmod: i32, form: Form) -> Node {
        Node::Func {
            name: "numeric".into(),
            proc: 0,
            args: vec![arg],
            result: to,
            result_typmod: typmod,
            form,
            variadic: false,
        }
    }

    fn op(name: &str, l: Node, r: Node, result: TypeId) -> Node {
        Node::Op {
            name: name.into(),
            oper: 0,
            left: Some(Box::new(l)),
            right: Box::new(r),
            result,
        }
    }

    fn show(n: &Node) -> String {
        expression(n, &Builtins).unwrap()
    }

    #[test]
    fn constants_as_get_const_expr_prints_them() {
        assert_eq!(show(&c(oid::INT4, "5")), "5");
        assert_eq!(show(&c(oid::INT4, "-1")), "'-1'::integer");
        assert_eq!(show(&c(oid::INT8, "5000000000")), "'5000000000'::bigint");
        assert_eq!(show(&c(oid::NUMERIC, "1.50")), "1.50");
        assert_eq!(show(&c(oid::NUMERIC, "1000")), "'1000'::numeric");
        assert_eq!(show(&c(oid::NUMERIC, "-1.5")), "'-1.5'::numeric");
        assert_eq!(show(&c(oid::BOOL, "t")), "true");
        assert_eq!(show(&c(oid::TEXT, "it's")), "'it''s'::text");
        assert_eq!(show(&c(oid::UNKNOWN, "a")), "'a'");
        let null = Node::Const {
            type_id: oid::TEXT,
            typmod: -1,
            value: None,
        };
        assert_eq!(show(&null), "NULL::text");
    }

    #[test]
    fn implicit_casts_hidden_at_the_top_shown_in_arguments() {
        let implicit = cast(c(oid::INT4, "0"), oid::NUMERIC, -1, Form::ImplicitCast);
        assert_eq!(show(&implicit), "0");
        let e = op("/", var("cents", oid::INT4), implicit.clone(), oid::NUMERIC);
        assert_eq!(show(&e), "(cents / (0)::numeric)");
        let explicit = cast(
            var("a", oid::INT4),
            oid::NUMERIC,
            655366,
            Form::ExplicitCast,
        );
        assert_eq!(show(&explicit), "(a)::numeric(10,2)");
        let konst = Node::Relabel {
            arg: Box::new(c(oid::VARCHAR, "a")),
            type_id: oid::TEXT,
            typmod: -1,
            form: Form::ExplicitCast,
        };
        assert_eq!(show(&konst), "('a'::character varying)::text");
        let same = cast(
            c(oid::NUMERIC, "1000"),
            oid::NUMERIC,
            -1,
            Form::ExplicitCast,
        );
        assert_eq!(show(&same), "'1000'::numeric");
    }

    #[test]
    fn case_on_indented_lines() {
        let case = Node::Case {
            arg: None,
            whens: vec![(c(oid::BOOL, "t"), c(oid::TEXT, "a"))],
            default: Box::new(c(oid::TEXT, "b")),
            type_id: oid::TEXT,
        };
        assert_eq!(
            show(&case),
            "\nCASE\n    WHEN true THEN 'a'::text\n    ELSE 'b'::text\nEND"
        );
        let and = Node::Bool {
            op: BoolOp::And,
            args: vec![case, c(oid::BOOL, "f")],
        };
        assert_eq!(
            show(&and),
            "(\nCASE\n    WHEN true THEN 'a'::text\n    ELSE 'b'::text\nEND AND false)"
        );
    }

    #[test]
    fn arrays_and_sql_syntax() {
        let arr = Node::Array {
            elements: vec![],
            type_id: 1009,
            element_type: oid::TEXT,
        };
        assert_eq!(show(&arr), "ARRAY[]::text[]");
        let saop = Node::ScalarArrayOp {
            name: "<>".into(),
            any: false,
            left: Box::new(var("a", oid::INT4)),
            right: Box::new(Node::Array {
                elements: vec![c(oid::INT4, "1"), c(oid::INT4, "2")],
                type_id: 1007,
                element_type: oid::INT4,
            }),
        };
        assert_eq!(show(&saop), "(a <> ALL (ARRAY[1, 2]))");
        let tz = Node::Func {
            name: "timezone".into(),
            proc: 0,
            args: vec![
                c(oid::TEXT, "utc"),
                Node::SqlValue(SqlValue::CurrentTimestamp(None)),
            ],
            result: oid::TIMESTAMP,
            result_typmod: -1,
            form: Form::SqlSyntax,
            variadic: false,
        };
        assert_eq!(show(&tz), "(CURRENT_TIMESTAMP AT TIME ZONE 'utc'::text)");
        assert_eq!(index_key(&tz, &Builtins).unwrap(), show(&tz));
        let sum = op("+", var("a", oid::INT4), var("b", oid::INT4), oid::INT4);
        assert_eq!(index_key(&sum, &Builtins).unwrap(), "((a + b))");
        assert_eq!(
            index_key(&var("User", oid::TEXT), &Builtins).unwrap(),
            "\"User\""
        );
    }
}
