//! PostgreSQL's stored expression trees read back: the text `outfuncs.c`
//! writes into `pg_node_tree` columns (`pg_attrdef.adbin`,
//! `pg_constraint.conbin`), `{OPEXPR :opno 96 … :args ({VAR …} {CONST …})}`,
//! into the analysed tree [`Node`], so that [`super::deparse`] prints it as
//! `pg_get_expr` does without the server opening the table.
//!
//! Only what is fully understood is decoded: the nodes checks and defaults
//! use, constants of the built-in types whose bytes are read here (bool,
//! int2/4/8, oid, float4/8, text, varchar, bpchar, name, numeric, date,
//! timestamp(tz), interval, uuid, empty arrays, regclass when the caller
//! names the relation, enums whose labels the caller knows), operators and
//! functions of PostgreSQL 15's catalog ([`Catalog::pg15`]) called with
//! exactly their declared argument types (so `ruleutils.c` prints their
//! bare names) — or, for the `anyenum` comparisons, over two values of one
//! enum when the caller says no other operator could be found. Anything else is
//! [`NotDecoded`] with the reason — the caller asks the server — never a
//! guess. Bad input is an error, never a panic.
//!
//! The datum bytes are read as a little-endian 64-bit server writes them,
//! in the `TimeZone = 'UTC'`, `DateStyle = 'ISO, MDY'`, `IntervalStyle =
//! 'postgres'`, `extra_float_digits = 1` session [`crate::literal`]
//! describes, with `standard_conforming_strings` on: the caller checks
//! those before using this module.

use crate::catalog::{oid, Catalog, Oid, TypeId};
use crate::literal::{self, Literal};

use super::deparse::{self, Names};
use super::node::{BoolOp, BoolTest, Form, Node, SqlValue};

/// Why a tree is not decoded on the client (the server must print it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotDecoded {
    pub reason: String,
}

fn nd<T>(reason: impl Into<String>) -> Result<T, NotDecoded> {
    Err(NotDecoded {
        reason: reason.into(),
    })
}

/// What decoding needs from the table the expression belongs to.
pub trait Context {
    /// The name of the table's column `attnum` (`None`: not known).
    fn column(&self, attnum: i16) -> Option<&str>;
    /// `regclassout` of relation `oid` as the reading session prints it,
    /// when certain (`None`: not decoded).
    fn relation(&self, oid: Oid) -> Option<String>;
    /// Whether text outside ASCII reads as it is printed (a UTF-8 server).
    fn utf8(&self) -> bool;
    /// Whether `type_id` is a user enum type the caller can name (its
    /// `format_type` text is the [`Names`] given to [`deparse`]).
    fn is_enum(&self, _type_id: TypeId) -> bool {
        false
    }
    /// The label of the `pg_enum` row `label` of enum type `type_id`.
    fn enum_label(&self, _type_id: TypeId, _label: Oid) -> Option<String> {
        None
    }
    /// Whether the database has no operators and no implicit casts but the
    /// server's own: then an operator over `anyenum` applied to two values
    /// of one enum type is the only candidate `ruleutils.c`'s lookup finds,
    /// and prints bare.
    fn builtin_operators_only(&self) -> bool {
        false
    }
}

/// The deepest nesting read (a guard against hostile input).
const MAX_DEPTH: usize = 200;

/// One value of the generic tree.
#[derive(Debug, Clone, PartialEq)]
enum Raw<'a> {
    Node(RawNode<'a>),
    List(Vec<Raw<'a>>),
    Token(&'a str),
    /// `<>`.
    Null,
    /// `:constvalue`: the printed length and bytes (`None`: `<>`).
    Datum(Option<(usize, Vec<u8>)>),
}

#[derive(Debug, Clone, PartialEq)]
struct RawNode<'a> {
    name: &'a str,
    fields: Vec<(&'a str, Raw<'a>)>,
}

/// A parsed node tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Tree<'a>(Raw<'a>);

/// Tokens as `pg_strtok` cuts them: brackets alone, the rest split at
/// white space, a backslash escaping the next character.
fn tokens(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if matches!(c, b' ' | b'\n' | b'\t' | b'\r') {
            i += 1;
            continue;
        }
        if matches!(c, b'(' | b')' | b'{' | b'}') {
            out.push(&text[i..i + 1]);
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() {
            let c = bytes[i];
            if matches!(c, b' ' | b'\n' | b'\t' | b'\r' | b'(' | b')' | b'{' | b'}') {
                break;
            }
            if c == b'\\' {
                i += 1;
            }
            i += 1;
        }
        let end = i.min(bytes.len());
        // A backslash before a multi-byte character: cut at a boundary.
        let mut end = end;
        while !text.is_char_boundary(end) {
            end += 1;
        }
        i = end;
        out.push(&text[start..end]);
    }
    out
}

struct Parser<'a> {
    tokens: Vec<&'a str>,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn next(&mut self) -> Result<&'a str, NotDecoded> {
        let Some(t) = self.tokens.get(self.pos) else {
            return nd("node tree ends early");
        };
        self.pos += 1;
        Ok(t)
    }

    fn value(&mut self, depth: usize) -> Result<Raw<'a>, NotDecoded> {
        if depth > MAX_DEPTH {
            return nd("node tree nested too deep");
        }
        match self.next()? {
            "{" => self.node(depth + 1).map(Raw::Node),
            "(" => {
                let mut items = Vec::new();
                loop {
                    if self.tokens.get(self.pos) == Some(&")") {
                        self.pos += 1;
                        return Ok(Raw::List(items));
                    }
                    items.push(self.value(depth + 1)?);
                }
            }
            "<>" => Ok(Raw::Null),
            t @ (")" | "}") => nd(format!("unexpected {t} in node tree")),
            t => Ok(Raw::Token(t)),
        }
    }

    fn node(&mut self, depth: usize) -> Result<RawNode<'a>, NotDecoded> {
        let name = self.next()?;
        if matches!(name, "(" | ")" | "{" | "}") || name.starts_with(':') {
            return nd("node without a name");
        }
        let mut fields = Vec::new();
        loop {
            let t = self.next()?;
            if t == "}" {
                return Ok(RawNode { name, fields });
            }
            let Some(field) = t.strip_prefix(':') else {
                return nd(format!("unexpected {t:?} in node {name}"));
            };
            let value = if field == "constvalue" {
                self.datum()?
            } else {
                self.value(depth)?
            };
            fields.push((field, value));
        }
    }

    /// `outDatum`: `<>`, or `length [ b b … ]`.
    fn datum(&mut self) -> Result<Raw<'a>, NotDecoded> {
        let t = self.next()?;
        if t == "<>" {
            return Ok(Raw::Datum(None));
        }
        let Ok(length) = t.parse::<usize>() else {
            return nd("datum without a length");
        };
        if self.next()? != "[" {
            return nd("datum without its bytes");
        }
        let mut bytes = Vec::new();
        loop {
            let t = self.next()?;
            if t == "]" {
                break;
            }
            match t.parse::<i16>() {
                Ok(b) if (-128..=255).contains(&b) => bytes.push(b as u8),
                _ => return nd(format!("datum byte {t:?}")),
            }
        }
        Ok(Raw::Datum(Some((length, bytes))))
    }
}

/// Reads a node tree's text.
pub fn parse(text: &str) -> Result<Tree<'_>, NotDecoded> {
    let mut p = Parser {
        tokens: tokens(text),
        pos: 0,
    };
    let v = p.value(0)?;
    if p.pos != p.tokens.len() {
        return nd("text after the node tree");
    }
    Ok(Tree(v))
}

impl Tree<'_> {
    /// Whether the tree has a `VAR` anywhere (then `pg_get_expr` needs the
    /// table; without, it prints the same text with relation 0).
    pub fn has_vars(&self) -> bool {
        fn walk(v: &Raw) -> bool {
            match v {
                Raw::Node(n) => n.name == "VAR" || n.fields.iter().any(|(_, f)| walk(f)),
                Raw::List(items) => items.iter().any(walk),
                _ => false,
            }
        }
        walk(&self.0)
    }

    /// The attribute numbers of its `VAR`s (unreadable ones as 0).
    pub fn var_attnums(&self) -> Vec<i16> {
        fn walk(v: &Raw, out: &mut Vec<i16>) {
            match v {
                Raw::Node(n) => {
                    if n.name == "VAR" {
                        out.push(
                            n.int("varattno")
                                .ok()
                                .and_then(|a| i16::try_from(a).ok())
                                .unwrap_or(0),
                        );
                    }
                    for (_, f) in &n.fields {
                        walk(f, out);
                    }
                }
                Raw::List(items) => items.iter().for_each(|i| walk(i, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(&self.0, &mut out);
        out
    }

    /// The analysed tree, where every part is decoded.
    pub fn to_node(&self, ctx: &dyn Context) -> Result<Node, NotDecoded> {
        let Raw::Node(n) = &self.0 else {
            return nd("not a single expression");
        };
        Reader {
            ctx,
            catalog: Catalog::pg15(),
        }
        .node(n)
    }
}

/// `text` (a stored expression) printed as `pg_get_expr` prints it, type
/// names by `names`.
pub fn deparse(text: &str, ctx: &dyn Context, names: &dyn Names) -> Result<String, NotDecoded> {
    let node = parse(text)?.to_node(ctx)?;
    deparse::expression(&node, names).map_err(|u| NotDecoded { reason: u.reason })
}

impl<'a> RawNode<'a> {
    fn field(&self, name: &str) -> Result<&Raw<'a>, NotDecoded> {
        match self.fields.iter().find(|(f, _)| *f == name) {
            Some((_, v)) => Ok(v),
            None => nd(format!("{} without :{name}", self.name)),
        }
    }

    fn token(&self, name: &str) -> Result<&'a str, NotDecoded> {
        match self.field(name)? {
            Raw::Token(t) => Ok(t),
            _ => nd(format!("{}.{name} is not a value", self.name)),
        }
    }

    fn int(&self, name: &str) -> Result<i64, NotDecoded> {
        self.token(name)?
            .parse()
            .or_else(|_| nd(format!("{}.{name} is not a number", self.name)))
    }

    fn oid(&self, name: &str) -> Result<Oid, NotDecoded> {
        u32::try_from(self.int(name)?).or_else(|_| nd(format!("{}.{name} out of range", self.name)))
    }

    fn int32(&self, name: &str) -> Result<i32, NotDecoded> {
        i32::try_from(self.int(name)?).or_else(|_| nd(format!("{}.{name} out of range", self.name)))
    }

    fn bool(&self, name: &str) -> Result<bool, NotDecoded> {
        match self.token(name)? {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => nd(format!("{}.{name} is not a boolean", self.name)),
        }
    }

    fn child(&self, name: &str) -> Result<&RawNode<'a>, NotDecoded> {
        match self.field(name)? {
            Raw::Node(n) => Ok(n),
            _ => nd(format!("{}.{name} is not a node", self.name)),
        }
    }

    fn list(&self, name: &str) -> Result<Vec<&RawNode<'a>>, NotDecoded> {
        match self.field(name)? {
            Raw::Null => Ok(Vec::new()),
            Raw::List(items) => items
                .iter()
                .map(|i| match i {
                    Raw::Node(n) => Ok(n),
                    _ => nd(format!("{}.{name} holds a non-node", self.name)),
                })
                .collect(),
            _ => nd(format!("{}.{name} is not a list", self.name)),
        }
    }

    /// `CoercionForm`.
    fn form(&self, name: &str) -> Result<Form, NotDecoded> {
        Ok(match self.int(name)? {
            0 => Form::Call,
            1 => Form::ExplicitCast,
            2 => Form::ImplicitCast,
            3 => Form::SqlSyntax,
            _ => return nd(format!("{}.{name}: unknown coercion form", self.name)),
        })
    }
}

/// Object ids below this are the server's own (`FirstNormalObjectId`).
const FIRST_NORMAL_OID: Oid = 16384;

struct Reader<'c> {
    ctx: &'c dyn Context,
    catalog: &'static Catalog,
}

impl Reader<'_> {
    fn node(&self, n: &RawNode) -> Result<Node, NotDecoded> {
        match n.name {
            "VAR" => self.var(n),
            "CONST" => self.constant(n),
            "OPEXPR" => self.op(n),
            "FUNCEXPR" => self.func(n),
            "BOOLEXPR" => {
                let op = match n.token("boolop")? {
                    "and" => BoolOp::And,
                    "or" => BoolOp::Or,
                    "not" => BoolOp::Not,
                    other => return nd(format!("boolean operator {other}")),
                };
                let args = self.nodes(&n.list("args")?)?;
                if args.is_empty() || (op == BoolOp::Not && args.len() != 1) {
                    return nd("BOOLEXPR with the wrong number of arguments");
                }
                Ok(Node::Bool { op, args })
            }
            "NULLTEST" => {
                if n.bool("argisrow")? {
                    return nd("IS NULL of a row");
                }
                let arg = self.node(n.child("arg")?)?;
                // A composite argument prints as IS [NOT] DISTINCT FROM NULL.
                match self.catalog.type_info(arg.type_id()) {
                    Some(t) if t.typtype != 'c' && t.typtype != 'p' && t.typtype != 'd' => {}
                    None if self.ctx.is_enum(arg.type_id()) => {}
                    _ => return nd("IS NULL of a value whose type is not a built-in scalar"),
                }
                let is_null = match n.int("nulltesttype")? {
                    0 => true,
                    1 => false,
                    _ => return nd("unknown null test"),
                };
                Ok(Node::NullTest {
                    arg: Box::new(arg),
                    is_null,
                })
            }
            "BOOLEANTEST" => {
                let test = match n.int("booltesttype")? {
                    0 => BoolTest::IsTrue,
                    1 => BoolTest::IsNotTrue,
                    2 => BoolTest::IsFalse,
                    3 => BoolTest::IsNotFalse,
                    4 => BoolTest::IsUnknown,
                    5 => BoolTest::IsNotUnknown,
                    _ => return nd("unknown boolean test"),
                };
                Ok(Node::BooleanTest {
                    arg: Box::new(self.node(n.child("arg")?)?),
                    test,
                })
            }
            "SCALARARRAYOPEXPR" => {
                let args = self.nodes(&n.list("args")?)?;
                let [left, right]: [Node; 2] = args
                    .try_into()
                    .or_else(|_| nd("SCALARARRAYOPEXPR without two arguments"))?;
                let element = self
                    .catalog
                    .type_info(right.type_id())
                    .map(|t| t.elem)
                    .unwrap_or(0);
                let oper = self.operator(n.oid("opno")?, Some(left.type_id()), element)?;
                if oper.result != oid::BOOL {
                    return nd("ANY/ALL over an operator that does not return boolean");
                }
                Ok(Node::ScalarArrayOp {
                    name: oper.name.clone(),
                    any: n.bool("useOr")?,
                    left: Box::new(left),
                    right: Box::new(right),
                })
            }
            "RELABELTYPE" => Ok(Node::Relabel {
                arg: Box::new(self.node(n.child("arg")?)?),
                type_id: n.oid("resulttype")?,
                typmod: n.int32("resulttypmod")?,
                form: n.form("relabelformat")?,
            }),
            "COERCEVIAIO" => Ok(Node::CoerceViaIo {
                arg: Box::new(self.node(n.child("arg")?)?),
                type_id: n.oid("resulttype")?,
                form: n.form("coerceformat")?,
            }),
            "SQLVALUEFUNCTION" => {
                let typmod = n.int32("typmod")?;
                let p = || u32::try_from(typmod).or_else(|_| nd("SQL value function precision"));
                let v = match n.int("op")? {
                    0 => SqlValue::CurrentDate,
                    1 => SqlValue::CurrentTime(None),
                    2 => SqlValue::CurrentTime(Some(p()?)),
                    3 => SqlValue::CurrentTimestamp(None),
                    4 => SqlValue::CurrentTimestamp(Some(p()?)),
                    5 => SqlValue::LocalTime(None),
                    6 => SqlValue::LocalTime(Some(p()?)),
                    7 => SqlValue::LocalTimestamp(None),
                    8 => SqlValue::LocalTimestamp(Some(p()?)),
                    9 => SqlValue::CurrentRole,
                    10 => SqlValue::CurrentUser,
                    11 => SqlValue::User,
                    12 => SqlValue::SessionUser,
                    13 => SqlValue::CurrentCatalog,
                    14 => SqlValue::CurrentSchema,
                    _ => return nd("unknown SQL value function"),
                };
                if v.type_id() != n.oid("type")? {
                    return nd("SQL value function of an unexpected type");
                }
                Ok(Node::SqlValue(v))
            }
            "ARRAYEXPR" => {
                let type_id = n.oid("array_typeid")?;
                let element_type = n.oid("element_typeid")?;
                let elements = self.nodes(&n.list("elements")?)?;
                Ok(Node::Array {
                    elements,
                    type_id,
                    element_type,
                })
            }
            "CASEEXPR" => {
                if !matches!(n.field("arg")?, Raw::Null) {
                    return nd("CASE with an operand");
                }
                let mut whens = Vec::new();
                for w in n.list("args")? {
                    if w.name != "CASEWHEN" {
                        return nd("CASE arm that is not a WHEN");
                    }
                    whens.push((self.node(w.child("expr")?)?, self.node(w.child("result")?)?));
                }
                if whens.is_empty() {
                    return nd("CASE without WHEN");
                }
                Ok(Node::Case {
                    arg: None,
                    whens,
                    default: Box::new(self.node(n.child("defresult")?)?),
                    type_id: n.oid("casetype")?,
                })
            }
            "COALESCEEXPR" => Ok(Node::Coalesce {
                args: self.nodes(&n.list("args")?)?,
                type_id: n.oid("coalescetype")?,
            }),
            "MINMAXEXPR" => {
                let greatest = match n.int("op")? {
                    0 => true,
                    1 => false,
                    _ => return nd("unknown GREATEST/LEAST"),
                };
                Ok(Node::MinMax {
                    greatest,
                    args: self.nodes(&n.list("args")?)?,
                    type_id: n.oid("minmaxtype")?,
                })
            }
            other => nd(format!("node {other}")),
        }
    }

    fn nodes(&self, list: &[&RawNode]) -> Result<Vec<Node>, NotDecoded> {
        list.iter().map(|n| self.node(n)).collect()
    }

    fn var(&self, n: &RawNode) -> Result<Node, NotDecoded> {
        if n.int("varno")? != 1 || n.int("varlevelsup")? != 0 {
            return nd("a column of another relation or level");
        }
        let attnum = n.int("varattno")?;
        let name = i16::try_from(attnum)
            .ok()
            .filter(|a| *a > 0)
            .and_then(|a| self.ctx.column(a));
        let Some(name) = name else {
            return nd(format!("column {attnum} not known"));
        };
        Ok(Node::Var {
            name: name.to_string(),
            type_id: n.oid("vartype")?,
            typmod: n.int32("vartypmod")?,
        })
    }

    /// A built-in operator whose declared argument types are exactly
    /// `left` (`None`: prefix) and `right`.
    fn operator(
        &self,
        opno: Oid,
        left: Option<TypeId>,
        right: TypeId,
    ) -> Result<&'static crate::catalog::OperInfo, NotDecoded> {
        if opno >= FIRST_NORMAL_OID {
            return nd(format!("operator {opno} is not built in"));
        }
        let Some(oper) = self.catalog.oper_by_oid(opno) else {
            return nd(format!("operator {opno} not in the catalog"));
        };
        let enum_pair = oper.left == oid::ANYENUM
            && oper.right == oid::ANYENUM
            && left == Some(right)
            && self.ctx.is_enum(right)
            && self.ctx.builtin_operators_only();
        if !enum_pair && (oper.left != left.unwrap_or(0) || oper.right != right) {
            return nd(format!(
                "operator {} applied to other types than its own",
                oper.name
            ));
        }
        Ok(oper)
    }

    fn op(&self, n: &RawNode) -> Result<Node, NotDecoded> {
        if n.bool("opretset")? {
            return nd("a set-returning operator");
        }
        let mut args = self.nodes(&n.list("args")?)?;
        let result = n.oid("opresulttype")?;
        let (left, right) = match args.len() {
            1 => (None, args.remove(0)),
            2 => {
                let right = args.remove(1);
                (Some(args.remove(0)), right)
            }
            _ => return nd("operator with the wrong number of arguments"),
        };
        let oper = self.operator(
            n.oid("opno")?,
            left.as_ref().map(Node::type_id),
            right.type_id(),
        )?;
        if oper.result != result {
            return nd("operator result type differs from the catalog's");
        }
        Ok(Node::Op {
            name: oper.name.clone(),
            oper: oper.oid,
            left: left.map(Box::new),
            right: Box::new(right),
            result,
        })
    }

    fn func(&self, n: &RawNode) -> Result<Node, NotDecoded> {
        if n.bool("funcretset")? || n.bool("funcvariadic")? {
            return nd("a set-returning or VARIADIC call");
        }
        let funcid = n.oid("funcid")?;
        let result = n.oid("funcresulttype")?;
        let form = n.form("funcformat")?;
        let args = self.nodes(&n.list("args")?)?;
        if funcid >= FIRST_NORMAL_OID {
            return nd(format!("function {funcid} is not built in"));
        }
        let Some(proc) = self.catalog.proc(funcid) else {
            return nd(format!("function {funcid} not in the catalog"));
        };
        if proc.kind != 'f' || proc.retset || proc.variadic != 0 || proc.result != result {
            return nd(format!("function {} is not a plain function", proc.name));
        }
        let (result_typmod, exact) = match form {
            Form::Call => (-1, true),
            Form::ExplicitCast | Form::ImplicitCast => {
                // `exprIsLengthCoercion`: the second argument, a constant.
                let typmod = match args.get(1) {
                    Some(Node::Const {
                        type_id: oid::INT4,
                        value: Some(v),
                        ..
                    }) => v.parse().or_else(|_| nd("length coercion's typmod"))?,
                    _ => -1,
                };
                (typmod, false)
            }
            Form::SqlSyntax => return nd(format!("the SQL syntax of {}()", proc.name)),
        };
        if args.is_empty() && !exact {
            return nd("a cast without an argument");
        }
        if exact
            && (proc.args.len() != args.len()
                || proc.args.iter().zip(&args).any(|(t, a)| *t != a.type_id()))
        {
            return nd(format!(
                "function {} called with other types than its own",
                proc.name
            ));
        }
        Ok(Node::Func {
            name: proc.name.clone(),
            proc: funcid,
            args,
            result,
            result_typmod,
            form,
            variadic: false,
        })
    }

    fn constant(&self, n: &RawNode) -> Result<Node, NotDecoded> {
        let type_id = n.oid("consttype")?;
        let typmod = n.int32("consttypmod")?;
        let collation = n.oid("constcollid")?;
        if type_id >= FIRST_NORMAL_OID && self.ctx.is_enum(type_id) {
            return self.enum_constant(n, type_id, typmod, collation);
        }
        let info = match self.catalog.type_info(type_id) {
            Some(t) if type_id < FIRST_NORMAL_OID => t,
            _ => return nd(format!("a constant of type {type_id}")),
        };
        // `get_const_collation` prints a collation other than the type's.
        let type_collation = match type_id {
            oid::NAME | 1003 => 950,
            _ if info.collatable => 100,
            _ => 0,
        };
        if collation != type_collation {
            return nd("a constant with a collation of its own");
        }
        let datum = match n.field("constvalue")? {
            Raw::Datum(d) => d,
            _ => return nd("CONST without a datum"),
        };
        let is_null = n.bool("constisnull")?;
        let Some((length, bytes)) = datum else {
            if !is_null {
                return nd("CONST without a value");
            }
            return Ok(Node::Const {
                type_id,
                typmod,
                value: None,
            });
        };
        if is_null {
            return nd("a NULL CONST with a value");
        }
        let value = self.datum(type_id, info, *length, bytes)?;
        Ok(Node::Const {
            type_id,
            typmod,
            value: Some(value),
        })
    }

    /// A constant of a user enum type: the `pg_enum` row's oid.
    fn enum_constant(
        &self,
        n: &RawNode,
        type_id: TypeId,
        typmod: i32,
        collation: Oid,
    ) -> Result<Node, NotDecoded> {
        if collation != 0 {
            return nd("an enum constant with a collation");
        }
        let value = match (n.bool("constisnull")?, n.field("constvalue")?) {
            (true, Raw::Datum(None)) => None,
            (false, Raw::Datum(Some((length, bytes)))) => {
                let label = byval(bytes, *length, 4)? as u32;
                match self.ctx.enum_label(type_id, label) {
                    Some(l) => Some(l),
                    None => return nd(format!("enum value {label} not known")),
                }
            }
            _ => return nd("enum constant datum"),
        };
        Ok(Node::Const {
            type_id,
            typmod,
            value,
        })
    }

    fn datum(
        &self,
        type_id: TypeId,
        info: &crate::catalog::TypeInfo,
        length: usize,
        bytes: &[u8],
    ) -> Result<String, NotDecoded> {
        Ok(match type_id {
            oid::BOOL => match byval(bytes, length, 1)? {
                0 => "f".to_string(),
                1 => "t".to_string(),
                _ => return nd("boolean datum"),
            },
            oid::INT2 => (byval(bytes, length, 2)? as i16).to_string(),
            oid::INT4 => (byval(bytes, length, 4)? as i32).to_string(),
            oid::INT8 => byval(bytes, length, 8)?.to_string(),
            oid::OID => (byval(bytes, length, 4)? as u32).to_string(),
            oid::REGCLASS => {
                let rel = byval(bytes, length, 4)? as u32;
                match self.ctx.relation(rel) {
                    Some(text) => text,
                    None => return nd(format!("relation {rel} not named")),
                }
            }
            oid::FLOAT4 => {
                let v = f32::from_bits(byval(bytes, length, 4)? as u32);
                canonical("float4", &float_text(f64::from(v), format!("{v:e}")))?
            }
            oid::FLOAT8 => {
                let v = f64::from_bits(byval(bytes, length, 8)? as u64);
                canonical("float8", &float_text(v, format!("{v:e}")))?
            }
            oid::TEXT | oid::VARCHAR | oid::BPCHAR => {
                let data = varlena(bytes, length)?;
                self.text(data)?
            }
            oid::NAME => {
                if length != 64 || bytes.len() != 64 {
                    return nd("name datum");
                }
                let end = bytes.iter().position(|b| *b == 0).unwrap_or(64);
                self.text(&bytes[..end])?
            }
            oid::NUMERIC => {
                let text = numeric(varlena(bytes, length)?)?;
                same("numeric", text)?
            }
            oid::DATE => {
                let d = byval(bytes, length, 4)? as i32;
                match d {
                    i32::MIN => "-infinity".to_string(),
                    i32::MAX => "infinity".to_string(),
                    _ => same("date", date_text(i64::from(d))?)?,
                }
            }
            oid::TIMESTAMP | oid::TIMESTAMPTZ => {
                let t = byval(bytes, length, 8)?;
                let tz = type_id == oid::TIMESTAMPTZ;
                match t {
                    i64::MIN => "-infinity".to_string(),
                    i64::MAX => "infinity".to_string(),
                    _ => same(
                        if tz { "timestamptz" } else { "timestamp" },
                        timestamp_text(t, tz)?,
                    )?,
                }
            }
            oid::INTERVAL => {
                if length != 16 || bytes.len() != 16 {
                    return nd("interval datum");
                }
                let time = i64::from_le_bytes(bytes[0..8].try_into().unwrap_or_default());
                let day = i32::from_le_bytes(bytes[8..12].try_into().unwrap_or_default());
                let month = i32::from_le_bytes(bytes[12..16].try_into().unwrap_or_default());
                let (sign, abs) = if time < 0 {
                    ("-", time.unsigned_abs())
                } else {
                    ("", time.unsigned_abs())
                };
                let secs = abs / 1_000_000;
                let input = format!(
                    "{month} mons {day} days {sign}{}:{:02}:{:02}.{:06}",
                    secs / 3600,
                    secs / 60 % 60,
                    secs % 60,
                    abs % 1_000_000
                );
                canonical("interval", &input)?
            }
            oid::UUID => {
                if length != 16 || bytes.len() != 16 {
                    return nd("uuid datum");
                }
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                format!(
                    "{}-{}-{}-{}-{}",
                    &hex[0..8],
                    &hex[8..12],
                    &hex[12..16],
                    &hex[16..20],
                    &hex[20..32]
                )
            }
            _ if info.category == 'A' && info.elem != 0 => {
                // Only the empty array: ndim 0, no data, its element type.
                let data = varlena(bytes, length)?;
                if data.len() != 12 {
                    return nd("a non-empty array constant");
                }
                let word =
                    |i: usize| u32::from_le_bytes(data[i..i + 4].try_into().unwrap_or_default());
                if word(0) != 0 || word(4) != 0 || word(8) != info.elem {
                    return nd("array datum");
                }
                "{}".to_string()
            }
            _ => return nd(format!("constants of type {}", info.typname)),
        })
    }

    fn text(&self, data: &[u8]) -> Result<String, NotDecoded> {
        if !data.is_ascii() && !self.ctx.utf8() {
            return nd("text outside ASCII on a server not in UTF-8");
        }
        match std::str::from_utf8(data) {
            Ok(s) if !s.contains('\0') => Ok(s.to_string()),
            _ => nd("text that is not UTF-8"),
        }
    }
}

/// A pass-by-value datum of `size` bytes: 8 bytes little-endian, the
/// value sign- or zero-extended.
fn byval(bytes: &[u8], length: usize, size: usize) -> Result<i64, NotDecoded> {
    let Ok(word) = <[u8; 8]>::try_from(bytes) else {
        return nd("a by-value datum that is not 8 bytes");
    };
    if length != size {
        return nd("a datum of an unexpected length");
    }
    let v = i64::from_le_bytes(word);
    let fits = match size {
        1 => v == i64::from(v as u8) || v == i64::from(v as i8),
        2 => v == i64::from(v as u16) || v == i64::from(v as i16),
        4 => v == i64::from(v as u32) || v == i64::from(v as i32),
        _ => true,
    };
    if !fits {
        return nd("a by-value datum with stray bytes");
    }
    Ok(v)
}

/// The data of an uncompressed, inline varlena of `length` bytes.
fn varlena(bytes: &[u8], length: usize) -> Result<&[u8], NotDecoded> {
    if bytes.len() != length || bytes.is_empty() {
        return nd("varlena datum of an unexpected length");
    }
    let (size, header) = if bytes[0] & 0x01 == 0x01 {
        if bytes[0] == 0x01 {
            return nd("an out-of-line datum");
        }
        (usize::from(bytes[0] >> 1), 1)
    } else if bytes[0] & 0x03 == 0 && bytes.len() >= 4 {
        let word = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        ((word >> 2) as usize, 4)
    } else {
        return nd("a compressed datum");
    };
    if size != bytes.len() {
        return nd("varlena header disagrees with the datum's length");
    }
    Ok(&bytes[header..])
}

/// `numeric_out` of a stored numeric's bytes.
fn numeric(data: &[u8]) -> Result<String, NotDecoded> {
    let u16_at = |i: usize| -> Result<u16, NotDecoded> {
        match data.get(i..i + 2) {
            Some(b) => Ok(u16::from_le_bytes([b[0], b[1]])),
            None => nd("numeric datum too short"),
        }
    };
    let head = u16_at(0)?;
    let (neg, dscale, weight, start) = match head & 0xC000 {
        0xC000 => {
            return Ok(match head & 0xF000 {
                0xC000 => "NaN",
                0xD000 => "Infinity",
                0xF000 => "-Infinity",
                _ => return nd("numeric special value"),
            }
            .to_string())
        }
        0x8000 => {
            let w = i32::from(head & 0x003F);
            let weight = if head & 0x0040 != 0 { w - 64 } else { w };
            (
                head & 0x2000 != 0,
                usize::from((head & 0x1F80) >> 7),
                weight,
                2,
            )
        }
        sign => {
            let weight = i32::from(u16_at(2)? as i16);
            (sign == 0x4000, usize::from(head & 0x3FFF), weight, 4)
        }
    };
    let rest = &data[start.min(data.len())..];
    if !rest.len().is_multiple_of(2) {
        return nd("numeric digits");
    }
    let mut digits = Vec::new();
    for pair in rest.chunks(2) {
        let d = i16::from_le_bytes([pair[0], pair[1]]);
        if !(0..10000).contains(&d) {
            return nd("numeric digit out of range");
        }
        digits.push(d as u32);
    }
    let digit = |i: i64| -> u32 {
        usize::try_from(i)
            .ok()
            .and_then(|i| digits.get(i).copied())
            .unwrap_or(0)
    };
    if weight > 1000 || dscale > 1000 {
        return nd("numeric too large");
    }
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if weight < 0 {
        out.push('0');
    } else {
        for d in 0..=i64::from(weight) {
            if d == 0 {
                out.push_str(&digit(0).to_string());
            } else {
                out.push_str(&format!("{:04}", digit(d)));
            }
        }
    }
    if dscale > 0 {
        out.push('.');
        let mut frac = String::new();
        let mut d = i64::from(weight) + 1;
        while frac.len() < dscale {
            frac.push_str(&format!("{:04}", digit(d)));
            d += 1;
        }
        frac.truncate(dscale);
        out.push_str(&frac);
    }
    Ok(out)
}

/// A float's input text: the shortest digits, or its special name.
fn float_text(v: f64, shortest: String) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
    } else {
        shortest
    }
}

/// `input` read and printed by the type's functions ([`literal`]).
fn canonical(typname: &str, input: &str) -> Result<String, NotDecoded> {
    match literal::canonical(typname, -1, input) {
        Literal::Value(v) => Ok(v),
        _ => nd(format!("{typname} value {input:?} not read back")),
    }
}

/// `text`, when reading and printing it gives it back.
fn same(typname: &str, text: String) -> Result<String, NotDecoded> {
    let back = canonical(typname, &text)?;
    if back != text {
        return nd(format!("{typname} value {text:?} prints as {back:?}"));
    }
    Ok(text)
}

/// `j2date`.
fn j2date(jd: i64) -> Result<(i64, i64, i64), NotDecoded> {
    if !(0..=i64::from(i32::MAX)).contains(&jd) {
        return nd("date out of range");
    }
    let mut julian = jd as u64 + 32044;
    let mut quad = julian / 146097;
    let extra = (julian - quad * 146097) * 4 + 3;
    julian += 60 + quad * 3 + extra / 146097;
    quad = julian / 1461;
    julian -= quad * 1461;
    let mut y = julian * 4 / 1461;
    julian = if y != 0 {
        (julian + 305) % 365
    } else {
        (julian + 306) % 366
    } + 123;
    y += quad * 4;
    let year = y as i64 - 4800;
    let quad = julian * 2141 / 65536;
    let day = julian - 7834 * quad / 256;
    let month = (quad + 10) % 12 + 1;
    Ok((year, month as i64, day as i64))
}

/// The Julian day of 2000-01-01, where dates and timestamps count from.
const EPOCH_JDATE: i64 = 2451545;

/// ISO date text (`DateStyle = ISO`), ` BC` as the server writes it.
fn ymd_text(year: i64, month: i64, day: i64) -> (String, bool) {
    if year > 0 {
        (format!("{year:04}-{month:02}-{day:02}"), false)
    } else {
        (format!("{:04}-{month:02}-{day:02}", 1 - year), true)
    }
}

fn date_text(days: i64) -> Result<String, NotDecoded> {
    let (y, m, d) = j2date(days + EPOCH_JDATE)?;
    let (text, bc) = ymd_text(y, m, d);
    Ok(if bc { format!("{text} BC") } else { text })
}

fn timestamp_text(usecs: i64, tz: bool) -> Result<String, NotDecoded> {
    const DAY: i64 = 86_400_000_000;
    let days = usecs.div_euclid(DAY);
    let time = usecs.rem_euclid(DAY);
    let (y, m, d) = j2date(days + EPOCH_JDATE)?;
    let (date, bc) = ymd_text(y, m, d);
    let secs = time / 1_000_000;
    let frac = time % 1_000_000;
    let mut out = format!(
        "{date} {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    if frac != 0 {
        let f = format!("{frac:06}");
        out.push('.');
        out.push_str(f.trim_end_matches('0'));
    }
    if tz {
        out.push_str("+00");
    }
    if bc {
        out.push_str(" BC");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Cols;

    impl Context for Cols {
        fn column(&self, attnum: i16) -> Option<&str> {
            ["", "id", "Name", "price"]
                .get(usize::try_from(attnum).ok()?)
                .copied()
        }
        fn relation(&self, oid: Oid) -> Option<String> {
            (oid == 99999).then(|| "s.seq".to_string())
        }
        fn utf8(&self) -> bool {
            true
        }
    }

    struct Types;

    impl Names for Types {
        fn type_name(&self, id: TypeId, _typmod: i32) -> Result<String, super::super::Unproven> {
            Ok(Catalog::pg15()
                .type_info(id)
                .map(|t| t.display.clone())
                .unwrap_or_else(|| format!("type{id}")))
        }
    }

    fn show(text: &str) -> Result<String, NotDecoded> {
        deparse(text, &Cols, &Types)
    }

    #[test]
    fn reads_what_the_server_wrote() {
        let check = "{OPEXPR :opno 531 :opfuncid 157 :opresulttype 16 :opretset false \
            :opcollid 0 :inputcollid 100 :args ({RELABELTYPE :arg {VAR :varno 1 :varattno 2 \
            :vartype 1043 :vartypmod 9 :varcollid 100 :varlevelsup 0 :varnosyn 1 :varattnosyn 2 \
            :location 414} :resulttype 25 :resulttypmod -1 :resultcollid 100 :relabelformat 1 \
            :location 415} {CONST :consttype 25 :consttypmod -1 :constcollid 100 :constlen -1 \
            :constbyval false :constisnull false :location 425 :constvalue 4 [ 16 0 0 0 ]}) \
            :location 422}";
        assert_eq!(show(check).unwrap(), "((\"Name\")::text <> ''::text)");
        let int = "{CONST :consttype 23 :consttypmod -1 :constcollid 0 :constlen 4 \
            :constbyval true :constisnull false :location 30 :constvalue 4 \
            [ -5 -1 -1 -1 -1 -1 -1 -1 ]}";
        assert_eq!(show(int).unwrap(), "'-5'::integer");
        let numeric = "{CONST :consttype 1700 :consttypmod -1 :constcollid 0 :constlen -1 \
            :constbyval false :constisnull false :location 105 :constvalue 10 \
            [ 40 0 0 0 0 -127 1 0 -120 19 ]}";
        assert_eq!(show(numeric).unwrap(), "1.50");
        let tstz = "{CONST :consttype 1184 :consttypmod -1 :constcollid 0 :constlen 8 \
            :constbyval true :constisnull false :location 165 :constvalue 8 \
            [ 0 -128 95 59 14 62 2 0 ]}";
        assert_eq!(
            show(tstz).unwrap(),
            "'2020-01-01 08:00:00+00'::timestamp with time zone"
        );
        let nextval = "{FUNCEXPR :funcid 1574 :funcresulttype 20 :funcretset false \
            :funcvariadic false :funcformat 0 :funccollid 0 :inputcollid 0 :args ({CONST \
            :consttype 2205 :consttypmod -1 :constcollid 0 :constlen 4 :constbyval true \
            :constisnull false :location 267 :constvalue 4 [ -97 -122 1 0 0 0 0 0 ]}) \
            :location 259}";
        assert_eq!(show(nextval).unwrap(), "nextval('s.seq'::regclass)");
    }

    #[test]
    fn refuses_what_it_does_not_know() {
        let user_op = "{OPEXPR :opno 99999 :opfuncid 1 :opresulttype 16 :opretset false \
            :opcollid 0 :inputcollid 0 :args <> :location 1}";
        assert!(show(user_op).is_err());
        let enum_const = "{CONST :consttype 389309 :consttypmod -1 :constcollid 0 \
            :constlen 4 :constbyval true :constisnull false :location 554 :constvalue 4 \
            [ -66 -16 5 0 0 0 0 0 ]}";
        assert!(show(enum_const).is_err());
        let collated = "{CONST :consttype 25 :consttypmod -1 :constcollid 950 :constlen -1 \
            :constbyval false :constisnull false :location 1 :constvalue 5 [ 20 0 0 0 120 ]}";
        assert!(show(collated).is_err());
    }

    #[test]
    fn bad_input_is_an_error() {
        for text in [
            "",
            "{",
            "}",
            "({",
            "{CONST",
            "{CONST :constvalue",
            "{CONST :constvalue 4 [ 1 2",
            "{CONST :constvalue 4 [ 999 ]}",
            "{VAR :varno x}",
            "((((",
            "\\",
            "{\\",
            "{A :b \\é}",
            "{OPEXPR :args ({VAR} {VAR} {VAR})}",
            "{CONST :consttype 1700 :consttypmod -1 \
             :constcollid 0 :constisnull false :constvalue 6 [ 24 0 0 0 0 -128 ]}",
        ] {
            let _ = show(text);
        }
        let deep = "{A :b ".repeat(500);
        assert!(parse(&deep).is_err());
    }
}
