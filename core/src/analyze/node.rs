//! The analysed expression tree, shaped like the server's `primnodes.h`:
//! every node knows its type, and coercions are explicit nodes that remember
//! how they were written (which decides how `ruleutils.c` prints them).

use crate::catalog::{oid, Oid, TypeId};

/// `CoercionForm`: how a coercion or call was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A plain call `f(x)`.
    Call,
    /// `x::t` / `CAST(x AS t)`.
    ExplicitCast,
    /// Inserted by the parser; not shown unless inside another node.
    ImplicitCast,
    /// Special SQL syntax (`EXTRACT(… FROM …)`, `x AT TIME ZONE z`, …).
    SqlSyntax,
}

/// `SQLValueFunctionOp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlValue {
    CurrentDate,
    CurrentTime(Option<u32>),
    CurrentTimestamp(Option<u32>),
    LocalTime(Option<u32>),
    LocalTimestamp(Option<u32>),
    CurrentRole,
    CurrentUser,
    User,
    SessionUser,
    CurrentCatalog,
    CurrentSchema,
}

impl SqlValue {
    pub fn type_id(self) -> TypeId {
        match self {
            SqlValue::CurrentDate => oid::DATE,
            SqlValue::CurrentTime(_) => oid::TIMETZ,
            SqlValue::CurrentTimestamp(_) => oid::TIMESTAMPTZ,
            SqlValue::LocalTime(_) => oid::TIME,
            SqlValue::LocalTimestamp(_) => oid::TIMESTAMP,
            _ => oid::NAME,
        }
    }

    pub fn typmod(self) -> i32 {
        match self {
            SqlValue::CurrentTime(Some(p))
            | SqlValue::CurrentTimestamp(Some(p))
            | SqlValue::LocalTime(Some(p))
            | SqlValue::LocalTimestamp(Some(p)) => p as i32,
            _ => -1,
        }
    }

    pub fn text(self) -> String {
        let with = |name: &str, p: Option<u32>| match p {
            Some(p) => format!("{name}({p})"),
            None => name.to_string(),
        };
        match self {
            SqlValue::CurrentDate => "CURRENT_DATE".to_string(),
            SqlValue::CurrentTime(p) => with("CURRENT_TIME", p),
            SqlValue::CurrentTimestamp(p) => with("CURRENT_TIMESTAMP", p),
            SqlValue::LocalTime(p) => with("LOCALTIME", p),
            SqlValue::LocalTimestamp(p) => with("LOCALTIMESTAMP", p),
            SqlValue::CurrentRole => "CURRENT_ROLE".to_string(),
            SqlValue::CurrentUser => "CURRENT_USER".to_string(),
            SqlValue::User => "USER".to_string(),
            SqlValue::SessionUser => "SESSION_USER".to_string(),
            SqlValue::CurrentCatalog => "CURRENT_CATALOG".to_string(),
            SqlValue::CurrentSchema => "CURRENT_SCHEMA".to_string(),
        }
    }
}

/// `BoolTestType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoolTest {
    IsTrue,
    IsNotTrue,
    IsFalse,
    IsNotFalse,
    IsUnknown,
    IsNotUnknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoolOp {
    And,
    Or,
    Not,
}

/// One analysed expression node.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A column of the table.
    Var {
        name: String,
        type_id: TypeId,
        typmod: i32,
    },
    /// `VALUE` in a domain's CHECK (`CoerceToDomainValue`): the value being
    /// checked, of the domain's base type.
    DomainValue {
        type_id: TypeId,
        typmod: i32,
    },
    /// A constant: the output function's text, or NULL.
    Const {
        type_id: TypeId,
        typmod: i32,
        value: Option<String>,
    },
    Op {
        /// `pg_operator.oprname`.
        name: String,
        oper: Oid,
        left: Option<Box<Node>>,
        right: Box<Node>,
        result: TypeId,
    },
    Func {
        /// `pg_proc.proname`.
        name: String,
        proc: Oid,
        args: Vec<Node>,
        result: TypeId,
        /// The typmod a length-coercion call gives its result (-1 otherwise).
        result_typmod: i32,
        form: Form,
        /// The last argument is an array built from a VARIADIC list.
        variadic: bool,
    },
    Relabel {
        arg: Box<Node>,
        type_id: TypeId,
        typmod: i32,
        form: Form,
    },
    CoerceViaIo {
        arg: Box<Node>,
        type_id: TypeId,
        form: Form,
    },
    ArrayCoerce {
        arg: Box<Node>,
        type_id: TypeId,
        typmod: i32,
        form: Form,
    },
    Bool {
        op: BoolOp,
        args: Vec<Node>,
    },
    NullTest {
        arg: Box<Node>,
        is_null: bool,
    },
    BooleanTest {
        arg: Box<Node>,
        test: BoolTest,
    },
    Case {
        /// The operand of a simple CASE.
        arg: Option<Box<Node>>,
        /// (condition, result); for a simple CASE the condition is the
        /// comparison's right-hand side as printed.
        whens: Vec<(Node, Node)>,
        default: Box<Node>,
        type_id: TypeId,
    },
    Coalesce {
        args: Vec<Node>,
        type_id: TypeId,
    },
    MinMax {
        greatest: bool,
        args: Vec<Node>,
        type_id: TypeId,
    },
    NullIf {
        args: [Box<Node>; 2],
        type_id: TypeId,
    },
    Distinct {
        name: String,
        left: Box<Node>,
        right: Box<Node>,
    },
    ScalarArrayOp {
        name: String,
        any: bool,
        left: Box<Node>,
        right: Box<Node>,
    },
    Array {
        elements: Vec<Node>,
        type_id: TypeId,
        element_type: TypeId,
    },
    SqlValue(SqlValue),
    Subscript {
        arg: Box<Node>,
        /// (lower, upper) per dimension; lower only for slices.
        subscripts: Vec<(Option<Node>, Option<Node>)>,
        slice: bool,
        type_id: TypeId,
        typmod: i32,
    },
    Collate {
        arg: Box<Node>,
        /// As `generate_collation_name` prints it.
        collation: String,
    },
    Row {
        args: Vec<Node>,
    },
    /// `$n` of a query (`PARAM_EXTERN`), 1-based; of type `unknown` until
    /// the operator, function or column it meets decides
    /// (`variable_coerce_param_hook`).
    Param {
        index: usize,
        type_id: TypeId,
    },
    /// A subquery used as an expression (`SubLink`): EXISTS, IN, or a
    /// scalar subquery, with the type and nullability it yields.
    SubLink {
        type_id: TypeId,
        typmod: i32,
        nullable: bool,
    },
}

impl Node {
    /// `exprType`.
    pub fn type_id(&self) -> TypeId {
        match self {
            Node::Var { type_id, .. }
            | Node::DomainValue { type_id, .. }
            | Node::Const { type_id, .. }
            | Node::Relabel { type_id, .. }
            | Node::CoerceViaIo { type_id, .. }
            | Node::ArrayCoerce { type_id, .. }
            | Node::Case { type_id, .. }
            | Node::Coalesce { type_id, .. }
            | Node::MinMax { type_id, .. }
            | Node::NullIf { type_id, .. }
            | Node::Array { type_id, .. }
            | Node::Subscript { type_id, .. }
            | Node::Param { type_id, .. }
            | Node::SubLink { type_id, .. } => *type_id,
            Node::Op { result, .. } | Node::Func { result, .. } => *result,
            Node::Bool { .. }
            | Node::NullTest { .. }
            | Node::BooleanTest { .. }
            | Node::Distinct { .. }
            | Node::ScalarArrayOp { .. } => oid::BOOL,
            Node::SqlValue(v) => v.type_id(),
            Node::Collate { arg, .. } => arg.type_id(),
            Node::Row { .. } => oid::RECORD,
        }
    }

    /// `exprTypmod` (only the cases analysis produces).
    pub fn typmod(&self) -> i32 {
        match self {
            Node::Var { typmod, .. }
            | Node::DomainValue { typmod, .. }
            | Node::Const { typmod, .. }
            | Node::Relabel { typmod, .. }
            | Node::ArrayCoerce { typmod, .. }
            | Node::Subscript { typmod, .. }
            | Node::SubLink { typmod, .. } => *typmod,
            Node::Func { result_typmod, .. } => *result_typmod,
            Node::SqlValue(v) => v.typmod(),
            Node::Collate { arg, .. } => arg.typmod(),
            Node::NullIf { args, .. } => args[0].typmod(),
            Node::Case {
                whens,
                default,
                type_id,
                ..
            } => common_typmod(
                *type_id,
                std::iter::once(&**default).chain(whens.iter().map(|(_, r)| r)),
            ),
            Node::Coalesce { args, type_id } | Node::MinMax { args, type_id, .. } => {
                common_typmod(*type_id, args.iter())
            }
            Node::Array {
                elements,
                element_type,
                ..
            } => common_typmod(*element_type, elements.iter()),
            _ => -1,
        }
    }

    /// A constant of type `unknown` (a string literal not yet typed).
    pub fn is_unknown_const(&self) -> bool {
        matches!(self, Node::Const { type_id, .. } if *type_id == oid::UNKNOWN)
    }

    /// `contain_vars_of_level(node, 0)`.
    pub fn contains_var(&self) -> bool {
        match self {
            Node::Var { .. } => true,
            Node::Const { .. }
            | Node::SqlValue(_)
            | Node::DomainValue { .. }
            | Node::Param { .. }
            | Node::SubLink { .. } => false,
            Node::Op { left, right, .. } => {
                left.as_ref().is_some_and(|l| l.contains_var()) || right.contains_var()
            }
            Node::Func { args, .. }
            | Node::Bool { args, .. }
            | Node::Coalesce { args, .. }
            | Node::MinMax { args, .. }
            | Node::Row { args } => args.iter().any(Node::contains_var),
            Node::Array { elements, .. } => elements.iter().any(Node::contains_var),
            Node::Relabel { arg, .. }
            | Node::CoerceViaIo { arg, .. }
            | Node::ArrayCoerce { arg, .. }
            | Node::NullTest { arg, .. }
            | Node::BooleanTest { arg, .. }
            | Node::Collate { arg, .. } => arg.contains_var(),
            Node::Case {
                arg,
                whens,
                default,
                ..
            } => {
                arg.as_ref().is_some_and(|a| a.contains_var())
                    || whens
                        .iter()
                        .any(|(w, r)| w.contains_var() || r.contains_var())
                    || default.contains_var()
            }
            Node::NullIf { args, .. } => args.iter().any(|a| a.contains_var()),
            Node::Distinct { left, right, .. } | Node::ScalarArrayOp { left, right, .. } => {
                left.contains_var() || right.contains_var()
            }
            Node::Subscript {
                arg, subscripts, ..
            } => {
                arg.contains_var()
                    || subscripts.iter().any(|(l, u)| {
                        l.as_ref().is_some_and(Node::contains_var)
                            || u.as_ref().is_some_and(Node::contains_var)
                    })
            }
        }
    }

    /// The nodes directly under this one.
    pub fn children(&self) -> Vec<&Node> {
        match self {
            Node::Var { .. }
            | Node::Const { .. }
            | Node::SqlValue(_)
            | Node::DomainValue { .. }
            | Node::Param { .. }
            | Node::SubLink { .. } => Vec::new(),
            Node::Op { left, right, .. } => {
                let mut v: Vec<&Node> = left.iter().map(|l| l.as_ref()).collect();
                v.push(right);
                v
            }
            Node::Func { args, .. }
            | Node::Bool { args, .. }
            | Node::Coalesce { args, .. }
            | Node::MinMax { args, .. }
            | Node::Row { args } => args.iter().collect(),
            Node::Array { elements, .. } => elements.iter().collect(),
            Node::Relabel { arg, .. }
            | Node::CoerceViaIo { arg, .. }
            | Node::ArrayCoerce { arg, .. }
            | Node::NullTest { arg, .. }
            | Node::BooleanTest { arg, .. }
            | Node::Collate { arg, .. } => vec![arg],
            Node::Case {
                arg,
                whens,
                default,
                ..
            } => {
                let mut v: Vec<&Node> = arg.iter().map(|a| a.as_ref()).collect();
                for (w, r) in whens {
                    v.push(w);
                    v.push(r);
                }
                v.push(default);
                v
            }
            Node::NullIf { args, .. } => args.iter().map(|a| a.as_ref()).collect(),
            Node::Distinct { left, right, .. } | Node::ScalarArrayOp { left, right, .. } => {
                vec![left, right]
            }
            Node::Subscript {
                arg, subscripts, ..
            } => {
                let mut v: Vec<&Node> = vec![arg];
                for (l, u) in subscripts {
                    v.extend(l.iter());
                    v.extend(u.iter());
                }
                v
            }
        }
    }

    /// Marks a coercion node implicit (`hide_coercion_node`).
    pub fn hide_coercion(&mut self) {
        match self {
            Node::Func { form, .. }
            | Node::Relabel { form, .. }
            | Node::CoerceViaIo { form, .. }
            | Node::ArrayCoerce { form, .. } => *form = Form::ImplicitCast,
            _ => {}
        }
    }
}

/// The typmod all of `nodes` share with type `t`, else -1 (`exprTypmod`).
fn common_typmod<'a>(t: TypeId, mut nodes: impl Iterator<Item = &'a Node>) -> i32 {
    let Some(first) = nodes.next() else {
        return -1;
    };
    if first.type_id() != t {
        return -1;
    }
    let m = first.typmod();
    if m < 0 {
        return -1;
    }
    for n in nodes {
        if n.type_id() != t || n.typmod() != m {
            return -1;
        }
    }
    m
}
