//! sqlparser's AST → the analysed tree, as `transformExpr` (parse_expr.c)
//! builds it, with the grammar's own rewrites (gram.y: negative numbers
//! folded, `AND`/`OR` chains flattened, `BETWEEN`, `IN`, `LIKE`) and the
//! coercions of `parse_coerce.c`.

use sqlparser::ast::{
    AccessExpr, BinaryOperator, CastKind, DataType, DateTimeField, Expr, Function, FunctionArg,
    FunctionArgExpr, FunctionArguments, Ident, InTarget, ObjectName, ObjectNamePart, Subscript,
    TrimWhereField, UnaryOperator, Value,
};
use std::borrow::Cow;

use crate::catalog::{
    oid, ChosenFunc, CoercionContext, Env, Pathway, Resolve, TypeId, TypeInfo, UserTypes,
    USER_TYPE_BASE,
};
use crate::literal::{self, Literal};
use crate::model::{quote_ident, Schema, UnmanagedKind};

use super::node::{BoolOp, BoolTest, Form, Node, SqlValue};
use super::Unproven;

/// Pseudo-types a value is passed to unchanged (`coerce_type`).
const ANY: TypeId = 2276;
const ANYCOMPATIBLE: TypeId = 5077;
const ANYCOMPATIBLENONARRAY: TypeId = 5079;
/// Pseudo-types that need a real array, enum or range (not `unknown`).
const POLY_CONTAINERS: &[TypeId] = &[2277, 3500, 3831, 4537, 5078, 5080, 4538];

fn unproven(reason: impl Into<String>) -> Unproven {
    Unproven {
        reason: reason.into(),
    }
}

fn resolved<T>(r: Resolve<T>, what: &str) -> Result<T, Unproven> {
    match r {
        Resolve::Found(t) => Ok(t),
        Resolve::Error { sqlstate, message } => Err(unproven(format!(
            "{what}: the server raises {sqlstate} {message}"
        ))),
        Resolve::Unsupported(reason) => Err(unproven(format!("{what}: {reason}"))),
    }
}

/// The enums of the schema as user types: enum `i` is `USER_TYPE_BASE +
/// 2i`, its array type the next id.
pub struct SchemaTypes<'s> {
    /// (namespace, name, labels) of each enum, borrowed from the schema:
    /// built for every expression analysed, so nothing is copied up front.
    enums: Vec<(&'s str, &'s str, &'s [String])>,
    /// Each enum's `pg_type` row and its array's, made the first time one
    /// is asked for (resolving an operator on an enum asks many times).
    infos: Vec<std::cell::OnceCell<(TypeInfo, TypeInfo)>>,
}

impl<'s> SchemaTypes<'s> {
    pub fn new(schema: &'s Schema) -> SchemaTypes<'s> {
        let mut enums = Vec::new();
        for (ns, namespace) in &schema.namespaces {
            for (name, e) in &namespace.enums {
                enums.push((ns.as_str(), name.as_str(), e.values.as_slice()));
            }
        }
        let infos = enums.iter().map(|_| std::cell::OnceCell::new()).collect();
        SchemaTypes { enums, infos }
    }

    fn find(&self, ns: &str, name: &str) -> Option<TypeId> {
        self.enums
            .iter()
            .position(|(n, t, _)| *n == ns && *t == name)
            .map(|i| USER_TYPE_BASE + 2 * i as u32)
    }

    fn enum_labels(&self, id: TypeId) -> Option<&'s [String]> {
        if id < USER_TYPE_BASE || !(id - USER_TYPE_BASE).is_multiple_of(2) {
            return None;
        }
        self.enums
            .get(((id - USER_TYPE_BASE) / 2) as usize)
            .map(|(_, _, labels)| *labels)
    }
}

impl UserTypes for SchemaTypes<'_> {
    fn info(&self, id: TypeId) -> Option<std::borrow::Cow<'_, TypeInfo>> {
        let k = id.checked_sub(USER_TYPE_BASE)?;
        let at = (k / 2) as usize;
        let (ns, name, _) = self.enums.get(at)?;
        let (info, array) = self.infos.get(at)?.get_or_init(|| {
            let base = USER_TYPE_BASE + 2 * (k / 2);
            let info =
                TypeInfo::user_enum(base, name, &crate::model::qualified(ns, name), base + 1);
            let array = TypeInfo::user_enum_array(base + 1, &info);
            (info, array)
        });
        Some(std::borrow::Cow::Borrowed(if k % 2 == 0 {
            info
        } else {
            array
        }))
    }
    fn enums_only(&self) -> bool {
        true
    }
}

/// A built-in type's `format_type` name (without modifiers) → its typname.
fn builtin_typname(display: &str) -> &str {
    match display {
        "integer" | "int" => "int4",
        "smallint" => "int2",
        "bigint" => "int8",
        "real" => "float4",
        "double precision" => "float8",
        "boolean" => "bool",
        "character varying" => "varchar",
        "character" => "bpchar",
        "timestamp without time zone" | "timestamp" => "timestamp",
        "timestamp with time zone" => "timestamptz",
        "time without time zone" | "time" => "time",
        "time with time zone" => "timetz",
        "bit varying" => "varbit",
        "\"bit\"" => "bit",
        other => other,
    }
}

/// How deep [`Analyzer::transform`] recurses before it gives up.
pub const MAX_DEPTH: u32 = 64;

/// The `proc` of a [`Node::Func`] that calls a function the schema defines
/// (no built-in has this oid): its name is the function's, in `public`.
pub const USER_FUNCTION: crate::catalog::Oid = u32::MAX;

thread_local! {
    static DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

pub struct Analyzer<'a> {
    pub env: &'a Env<'a>,
    pub types: &'a SchemaTypes<'a>,
    pub columns: &'a [crate::model::Column],
    pub schema: &'a Schema,
    /// Reject nodes the server refuses in an immutable context (generated
    /// columns, index keys and predicates).
    pub immutable: bool,
    /// In a domain's CHECK: the base type `VALUE` has.
    pub domain_value: Option<(TypeId, i32)>,
    /// In a query (`strata::query!`): column references, parameters,
    /// subqueries and aggregates go through these hooks.
    pub query: Option<&'a dyn QueryHooks>,
}

/// What a query adds to expression analysis (`ParseState` beyond one
/// table): its range table, its parameters and its subqueries.
pub trait QueryHooks {
    /// A column reference (folded names, qualifier first).
    fn column(&self, parts: &[Ident]) -> Result<Node, Unproven>;
    /// `$index` as it stands: of `unknown` type until something decides.
    fn param(&self, index: usize) -> Result<Node, Unproven>;
    /// `variable_coerce_param_hook`: an unknown `$index` meets `target`.
    fn set_param(&self, index: usize, target: TypeId) -> Result<(), Unproven>;
    /// A subquery's result columns as (type, typmod, nullable), analysed
    /// with this query as its outer scope.
    fn subquery(
        &self,
        query: &sqlparser::ast::Query,
        analyzer: &Analyzer<'_>,
    ) -> Result<Vec<(TypeId, i32, bool)>, Unproven>;
    /// Whether an aggregate call is allowed here; `Err` explains why not.
    fn aggregate_allowed(&self) -> Result<(), Unproven>;
    /// Runs `f` with aggregates forbidden (an aggregate's arguments).
    fn in_aggregate(&self, f: &mut dyn FnMut() -> Result<Node, Unproven>)
        -> Result<Node, Unproven>;
}

impl Analyzer<'_> {
    pub fn type_info(&self, id: TypeId) -> Result<Cow<'_, TypeInfo>, Unproven> {
        self.env
            .type_info(id)
            .ok_or_else(|| unproven(format!("type {id} is not in the catalog")))
    }

    fn array_of(&self, elem: TypeId) -> Result<TypeId, Unproven> {
        let info = self.type_info(elem)?;
        if info.array == 0 {
            return Err(unproven(format!("type {} has no array type", info.display)));
        }
        Ok(info.array)
    }

    fn elem_of(&self, t: TypeId) -> Result<TypeId, Unproven> {
        Ok(self.type_info(t)?.elem)
    }

    fn is_array(&self, t: TypeId) -> bool {
        self.env
            .type_info(t)
            .is_some_and(|i| i.elem != 0 && i.typname.starts_with('_'))
    }

    /// Canonical type text (`format_type` form) → type and typmod.
    pub fn resolve_type(&self, text: &str) -> Result<(TypeId, i32), Unproven> {
        if let Some(elem) = text.strip_suffix("[]") {
            let (e, typmod) = self.resolve_type(elem)?;
            return Ok((self.array_of(e)?, typmod));
        }
        if let Some(id) = self.user_type(text) {
            return Ok((id, -1));
        }
        // Modifiers: `numeric(10,2)`, `timestamp(3) with time zone`.
        let (base, mods) = match (text.find('('), text.find(')')) {
            (Some(open), Some(close)) if close > open && !text.starts_with('"') => {
                let base = format!("{}{}", &text[..open], &text[close + 1..]);
                let mods: Result<Vec<i32>, _> = text[open + 1..close]
                    .split(',')
                    .map(|m| m.trim().parse::<i32>())
                    .collect();
                let mods = mods.map_err(|_| unproven(format!("type modifiers of {text}")))?;
                (base, mods)
            }
            _ => (text.to_string(), vec![]),
        };
        let typname = builtin_typname(base.trim());
        let info = self
            .env
            .type_named(typname)
            .or_else(|| self.env.type_named(base.trim()))
            .ok_or_else(|| match self.user_range(base.trim()) {
                Some(what) => unproven(format!(
                    "type {text} is {what} of the schema: its operators, functions and casts are not typed offline"
                )),
                None => unproven(format!("type {text} is not known to the catalog")),
            })?;
        let typmod = match (info.typname.as_str(), mods.as_slice()) {
            (_, []) => -1,
            ("varchar" | "bpchar", [n]) => n + 4,
            ("numeric", [p]) => (p << 16) + 4,
            ("numeric", [p, s]) => ((p << 16) | (s & 0xffff)) + 4,
            ("time" | "timetz" | "timestamp" | "timestamptz" | "bit" | "varbit", [p]) => *p,
            _ => return Err(unproven(format!("the type modifier of {text}"))),
        };
        Ok((info.id, typmod))
    }

    /// Whether `text` names a range or multirange type of the schema.
    fn user_range(&self, text: &str) -> Option<&'static str> {
        let parts = split_qualified(text)?;
        let (ns, name) = match parts.as_slice() {
            [name] => ("public", name.as_str()),
            [ns, name] => (ns.as_str(), name.as_str()),
            _ => return None,
        };
        for (rns, n) in &self.schema.namespaces {
            for (rn, r) in &n.ranges {
                if rns == ns && rn == name {
                    return Some("a range type");
                }
                if r.multirange.schema == ns && r.multirange.name == name {
                    return Some("a multirange type");
                }
            }
        }
        None
    }

    fn user_type(&self, text: &str) -> Option<TypeId> {
        let parts = split_qualified(text)?;
        match parts.as_slice() {
            [name] => self.types.find("public", name),
            [ns, name] => self.types.find(ns, name),
            _ => None,
        }
    }

    // -----------------------------------------------------------------
    // Coercion (parse_coerce.c)

    fn can_coerce(&self, from: TypeId, to: TypeId, ctx: CoercionContext) -> Result<bool, Unproven> {
        if from == to || to == ANY || from == oid::UNKNOWN || self.is_polymorphic(to) {
            return Ok(true);
        }
        match self.env.coercion(from, to, ctx) {
            Resolve::Found(_) => Ok(true),
            Resolve::Error { .. } => Ok(false),
            Resolve::Unsupported(r) => Err(unproven(r)),
        }
    }

    fn is_polymorphic(&self, t: TypeId) -> bool {
        matches!(
            t,
            oid::ANYELEMENT | oid::ANYNONARRAY | ANYCOMPATIBLE | ANYCOMPATIBLENONARRAY
        ) || POLY_CONTAINERS.contains(&t)
    }

    pub(super) fn type_display(&self, t: TypeId) -> String {
        self.env
            .type_info(t)
            .map(|i| i.display.clone())
            .unwrap_or_else(|| t.to_string())
    }

    /// `coerce_type`; the flag says whether a node was added on top.
    fn coerce_type(
        &self,
        node: Node,
        target: TypeId,
        typmod: i32,
        ctx: CoercionContext,
        form: Form,
    ) -> Result<Node, Unproven> {
        let from = node.type_id();
        if from == target {
            return Ok(node);
        }
        if matches!(
            target,
            ANY | oid::ANYELEMENT | oid::ANYNONARRAY | ANYCOMPATIBLE | ANYCOMPATIBLENONARRAY
        ) {
            return Ok(node);
        }
        if POLY_CONTAINERS.contains(&target) && from != oid::UNKNOWN {
            return Ok(node);
        }
        if node.is_unknown_const() {
            let Node::Const { value, .. } = node else {
                unreachable!()
            };
            return self.literal(value.as_deref(), target, typmod);
        }
        if let (Node::Param { index, type_id }, Some(q)) = (&node, self.query) {
            if *type_id == oid::UNKNOWN {
                if target == oid::UNKNOWN {
                    return Ok(node);
                }
                q.set_param(*index, target)?;
                return Ok(Node::Param {
                    index: *index,
                    type_id: target,
                });
            }
        }
        if matches!(node, Node::Collate { .. }) {
            return Err(unproven("a coercion of a COLLATE expression"));
        }
        let what = format!(
            "cast from {} to {}",
            self.type_display(from),
            self.type_display(target)
        );
        let path = resolved(self.env.coercion(from, target, ctx), &what)?;
        self.build_coercion(node, path, target, typmod, ctx, form)
    }

    fn build_coercion(
        &self,
        node: Node,
        path: Pathway,
        target: TypeId,
        typmod: i32,
        ctx: CoercionContext,
        form: Form,
    ) -> Result<Node, Unproven> {
        Ok(match path {
            Pathway::None => node,
            Pathway::Relabel => Node::Relabel {
                arg: Box::new(node),
                type_id: target,
                typmod: -1,
                form,
            },
            Pathway::Func(proc) => {
                let info = self.env.catalog.proc(proc).ok_or_else(|| {
                    unproven(format!("cast function {proc} is not in the catalog"))
                })?;
                let nargs = info.args.len();
                let mut args = vec![node];
                if nargs >= 2 {
                    args.push(int4(typmod));
                }
                if nargs >= 3 {
                    args.push(boolean(ctx == CoercionContext::Explicit));
                }
                if self.immutable && info.volatile != 'i' {
                    return Err(unproven(format!(
                        "cast function {}() is not immutable: the server rejects it here",
                        info.name
                    )));
                }
                Node::Func {
                    name: info.name.clone(),
                    proc,
                    args,
                    result: target,
                    result_typmod: if nargs >= 2 { typmod } else { -1 },
                    form,
                    variadic: false,
                }
            }
            Pathway::ViaIo => {
                if self.immutable {
                    let from = node.type_id();
                    let out = self.io_volatility(from, true)?;
                    let inp = self.io_volatility(target, false)?;
                    if out != 'i' || inp != 'i' {
                        return Err(unproven(format!(
                            "the cast from {} to {} goes through I/O functions that are not immutable: the server rejects it here",
                            self.type_display(from),
                            self.type_display(target)
                        )));
                    }
                }
                Node::CoerceViaIo {
                    arg: Box::new(node),
                    type_id: target,
                    form,
                }
            }
            Pathway::Array(_) => {
                let elem = self.elem_of(target)?;
                let typmod = if typmod >= 0 && self.typmod_function(elem)?.is_some() {
                    typmod
                } else {
                    -1
                };
                Node::ArrayCoerce {
                    arg: Box::new(node),
                    type_id: target,
                    typmod,
                    form,
                }
            }
        })
    }

    /// The volatility of a type's output (`output`) or input function,
    /// found by its conventional name and checked by its signature.
    pub(crate) fn io_volatility(&self, t: TypeId, output: bool) -> Result<char, Unproven> {
        const CSTRING: TypeId = 2275;
        let info = self.type_info(t)?;
        let base = if info.typtype == 'e' {
            "enum".to_string()
        } else if info.category == 'A' {
            "array".to_string()
        } else {
            info.typname.clone()
        };
        let suffix = if output { "out" } else { "in" };
        let signature_id = if info.typtype == 'e' {
            3500
        } else if info.category == 'A' {
            oid::ANYARRAY
        } else {
            t
        };
        for name in [format!("{base}{suffix}"), format!("{base}_{suffix}")] {
            for p in self.env.catalog.procs_named(&name) {
                let fits = if output {
                    p.args == [signature_id] && p.result == CSTRING
                } else {
                    p.args.first() == Some(&CSTRING) && p.result == signature_id
                };
                if fits {
                    return Ok(p.volatile);
                }
            }
        }
        Err(unproven(format!(
            "the {suffix}put function of type {} is not known",
            info.display
        )))
    }

    /// `coerce_to_target_type`.
    pub fn coerce_to_target(
        &self,
        node: Node,
        target: TypeId,
        typmod: i32,
        ctx: CoercionContext,
        form: Form,
        context: &str,
    ) -> Result<Node, Unproven> {
        let from = node.type_id();
        if !self.can_coerce(from, target, ctx)? {
            return Err(unproven(format!(
                "{context}: the server raises 42846/42804 (type {} cannot be coerced to {})",
                self.type_display(from),
                self.type_display(target)
            )));
        }
        let before = node.clone();
        let result = self.coerce_type(node, target, typmod, ctx, form)?;
        let hide = result != before && !matches!(result, Node::Const { .. });
        self.coerce_typmod(result, target, typmod, ctx, form, hide)
    }

    /// The length-coercion function of a type (`pg_cast` self-casts of
    /// PostgreSQL 15): its name and argument count.
    fn typmod_function(&self, t: TypeId) -> Result<Option<(&'static str, usize)>, Unproven> {
        let info = self.type_info(t)?;
        Ok(match info.typname.as_str() {
            "bpchar" => Some(("bpchar", 3)),
            "varchar" => Some(("varchar", 3)),
            "numeric" => Some(("numeric", 2)),
            "time" => Some(("time", 2)),
            "timetz" => Some(("timetz", 2)),
            "timestamp" => Some(("timestamp", 2)),
            "timestamptz" => Some(("timestamptz", 2)),
            "interval" => Some(("interval", 2)),
            "bit" => Some(("bit", 3)),
            "varbit" => Some(("varbit", 3)),
            _ => None,
        })
    }

    /// `coerce_type_typmod`.
    fn coerce_typmod(
        &self,
        mut node: Node,
        target: TypeId,
        typmod: i32,
        ctx: CoercionContext,
        form: Form,
        hide: bool,
    ) -> Result<Node, Unproven> {
        if typmod == node.typmod() {
            return Ok(node);
        }
        if hide {
            node.hide_coercion();
        }
        if typmod < 0 {
            return Ok(relabel(node, target, typmod, form));
        }
        if self.is_array(target) {
            let elem = self.elem_of(target)?;
            if self.typmod_function(elem)?.is_some() {
                return Ok(Node::ArrayCoerce {
                    arg: Box::new(node),
                    type_id: target,
                    typmod,
                    form,
                });
            }
            return Ok(relabel(node, target, typmod, form));
        }
        match self.typmod_function(target)? {
            Some((name, nargs)) => {
                let mut args = vec![node, int4(typmod)];
                if nargs == 3 {
                    args.push(boolean(ctx == CoercionContext::Explicit));
                }
                Ok(Node::Func {
                    name: name.to_string(),
                    proc: 0,
                    args,
                    result: target,
                    result_typmod: typmod,
                    form,
                    variadic: false,
                })
            }
            None => Ok(relabel(node, target, typmod, form)),
        }
    }

    /// `coerce_to_boolean`.
    pub fn coerce_to_boolean(&self, node: Node, construct: &str) -> Result<Node, Unproven> {
        if node.type_id() == oid::BOOL {
            return Ok(node);
        }
        let from = node.type_id();
        self.coerce_to_target(
            node,
            oid::BOOL,
            -1,
            CoercionContext::Assignment,
            Form::ImplicitCast,
            construct,
        )
        .map_err(|_| {
            unproven(format!(
                "argument of {construct} must be type boolean, not type {}",
                self.type_display(from)
            ))
        })
    }

    fn coerce_to_common(
        &self,
        node: Node,
        target: TypeId,
        context: &str,
    ) -> Result<Node, Unproven> {
        let from = node.type_id();
        if from == target {
            return Ok(node);
        }
        if !self.can_coerce(from, target, CoercionContext::Implicit)? {
            return Err(unproven(format!(
                "{context} could not convert type {} to {}",
                self.type_display(from),
                self.type_display(target)
            )));
        }
        self.coerce_type(
            node,
            target,
            -1,
            CoercionContext::Implicit,
            Form::ImplicitCast,
        )
    }

    fn common_type(&self, nodes: &[Node], context: &str) -> Result<TypeId, Unproven> {
        let types: Vec<TypeId> = nodes.iter().map(Node::type_id).collect();
        resolved(self.env.common_type(&types, context), context)
    }

    /// An unknown literal read by `target`'s input function.
    fn literal(&self, value: Option<&str>, target: TypeId, typmod: i32) -> Result<Node, Unproven> {
        let info = self.type_info(target)?;
        let input_typmod = if info.typname == "interval" {
            typmod
        } else {
            -1
        };
        let Some(text) = value else {
            return Ok(Node::Const {
                type_id: target,
                typmod: input_typmod,
                value: None,
            });
        };
        let out = if let Some(labels) = self.types.enum_labels(target) {
            if !labels.iter().any(|l| l == text) {
                return Err(unproven(format!(
                    "the server raises 22P02 invalid input value for enum {}: \"{text}\"",
                    info.display
                )));
            }
            text.to_string()
        } else if let Some(labels) = target
            .checked_sub(1)
            .filter(|_| info.category == 'A')
            .and_then(|elem| self.types.enum_labels(elem))
        {
            // An array of a schema's enum: array_in over enum_in.
            let read = |e: &str| {
                if labels.iter().any(|l| l == e) {
                    Literal::Value(e.to_string())
                } else {
                    Literal::Invalid {
                        sqlstate: "22P02",
                        message: format!("invalid input value for enum: \"{e}\""),
                    }
                }
            };
            match literal::array_with(text, &read) {
                Literal::Value(v) => v,
                Literal::Invalid { sqlstate, message } => {
                    return Err(unproven(format!(
                        "the server raises {sqlstate} {message} for a literal of type {}",
                        info.display
                    )))
                }
                Literal::Unknown(why) => {
                    return Err(unproven(format!(
                        "a literal of type {}: {why}",
                        info.display
                    )))
                }
            }
        } else if target >= USER_TYPE_BASE {
            return Err(unproven(format!("a literal of type {}", info.display)));
        } else if info.typname == "regclass" {
            self.regclass(text)?
        } else if info.typname == "regconfig" {
            regconfig(text)?
        } else {
            match literal::canonical(&info.typname, input_typmod, text) {
                // Kept as `boolout` prints it.
                Literal::Value(v) if info.typname == "bool" => {
                    if v == "true" || v == "t" {
                        "t".to_string()
                    } else {
                        "f".to_string()
                    }
                }
                Literal::Value(v) => v,
                Literal::Invalid { sqlstate, message } => {
                    return Err(unproven(format!("the server raises {sqlstate} {message}")))
                }
                Literal::Unknown(reason) => match simple_literal(&info.typname, text) {
                    Some(v) => v,
                    None => return Err(unproven(reason)),
                },
            }
        };
        Ok(Node::Const {
            type_id: target,
            typmod: input_typmod,
            value: Some(out),
        })
    }

    /// `regclassin` then `regclassout` with `search_path = public`.
    fn regclass(&self, text: &str) -> Result<String, Unproven> {
        let parts = split_qualified_sql(text)
            .ok_or_else(|| unproven(format!("regclass literal {text:?}")))?;
        let (ns, name) = match parts.as_slice() {
            [name] => ("public".to_string(), name.clone()),
            [ns, name] => (ns.clone(), name.clone()),
            _ => return Err(unproven(format!("regclass literal {text:?}"))),
        };
        if parts.len() == 1 && name.starts_with("pg_") {
            return Err(unproven(format!(
                "regclass {name:?} may name a pg_catalog relation"
            )));
        }
        let Some(namespace) = self.schema.namespaces.get(&ns) else {
            return Err(unproven(format!(
                "regclass {text:?}: schema {ns} is not modelled"
            )));
        };
        let known = namespace.tables.contains_key(&name)
            || namespace.sequences.contains_key(&name)
            || namespace
                .tables
                .values()
                .any(|t| t.indexes.contains_key(&name) || t.constraints.contains_key(&name));
        if !known {
            return Err(unproven(format!(
                "regclass {text:?}: no such relation in the model (the server raises 42P01 unless it exists outside it)"
            )));
        }
        Ok(crate::model::qualified(&ns, &name))
    }

    // -----------------------------------------------------------------
    // transformExpr

    /// `transformExpr`, with a depth limit: past [`MAX_DEPTH`] nested
    /// nodes the answer is unproven (the server has its own limit,
    /// `max_stack_depth`; strata's stack is not the server's).
    pub fn transform(&self, e: &Expr) -> Result<Node, Unproven> {
        struct Leave;
        impl Drop for Leave {
            fn drop(&mut self) {
                DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
            }
        }
        let depth = DEPTH.with(|d| {
            d.set(d.get() + 1);
            d.get()
        });
        let _leave = Leave;
        if depth > MAX_DEPTH {
            return Err(unproven(format!(
                "an expression nested more than {MAX_DEPTH} levels deep is not analysed"
            )));
        }
        self.transform_node(e)
    }

    fn transform_node(&self, e: &Expr) -> Result<Node, Unproven> {
        match e {
            Expr::Nested(inner) => self.transform(inner),
            Expr::Identifier(id) => {
                if id.quote_style.is_none() {
                    if let Some(v) = sql_value(&id.value.to_ascii_lowercase(), None) {
                        return self.sql_value(v);
                    }
                }
                self.column(std::slice::from_ref(id))
            }
            Expr::CompoundIdentifier(parts) => self.column(parts),
            Expr::Value(v) if matches!(&v.value, Value::Placeholder(_)) && self.query.is_some() => {
                let Value::Placeholder(p) = &v.value else {
                    unreachable!()
                };
                let index = p
                    .strip_prefix('$')
                    .and_then(|n| n.parse::<usize>().ok())
                    .filter(|n| (1..=65535).contains(n))
                    .ok_or_else(|| {
                        unproven(format!("parameter {p}: parameters are written $1, $2, …"))
                    })?;
                self.query
                    .map_or_else(|| Err(unproven("")), |q| q.param(index))
            }
            Expr::Value(v) => self.value(&v.value),
            Expr::UnaryOp {
                op: op @ (UnaryOperator::Minus | UnaryOperator::Plus),
                expr,
            } if binds_looser_than_unary(expr) => {
                let mut e = (**expr).clone();
                push_unary(&mut e, *op);
                self.transform(&e)
            }
            Expr::UnaryOp { op, expr } => match op {
                UnaryOperator::Minus => match fold_number(expr) {
                    Some(n) => self.number(&negate(&n)),
                    None => self.make_op("-", None, expr),
                },
                UnaryOperator::Not => {
                    let arg = self.transform(expr)?;
                    let arg = self.coerce_to_boolean(arg, "NOT")?;
                    Ok(Node::Bool {
                        op: BoolOp::Not,
                        args: vec![arg],
                    })
                }
                UnaryOperator::Plus => self.make_op("+", None, expr),
                UnaryOperator::PGAbs => self.make_op("@", None, expr),
                UnaryOperator::BitwiseNot => self.make_op("~", None, expr),
                UnaryOperator::PGSquareRoot => self.make_op("|/", None, expr),
                UnaryOperator::PGCubeRoot => self.make_op("||/", None, expr),
                other => Err(unproven(format!("prefix operator {other}"))),
            },
            Expr::BinaryOp { left, op, right } => match op {
                BinaryOperator::And | BinaryOperator::Or => self.bool_chain(e),
                _ => {
                    let name = operator_name(op)?;
                    self.make_op(&name, Some(left), right)
                }
            },
            Expr::IsNull(x) | Expr::IsNotNull(x) => Ok(Node::NullTest {
                arg: Box::new(self.transform(x)?),
                is_null: matches!(e, Expr::IsNull(_)),
            }),
            Expr::IsTrue(x)
            | Expr::IsNotTrue(x)
            | Expr::IsFalse(x)
            | Expr::IsNotFalse(x)
            | Expr::IsUnknown(x)
            | Expr::IsNotUnknown(x) => {
                let test = match e {
                    Expr::IsTrue(_) => BoolTest::IsTrue,
                    Expr::IsNotTrue(_) => BoolTest::IsNotTrue,
                    Expr::IsFalse(_) => BoolTest::IsFalse,
                    Expr::IsNotFalse(_) => BoolTest::IsNotFalse,
                    Expr::IsUnknown(_) => BoolTest::IsUnknown,
                    _ => BoolTest::IsNotUnknown,
                };
                let arg = self.transform(x)?;
                let arg = self.coerce_to_boolean(arg, "IS TRUE")?;
                Ok(Node::BooleanTest {
                    arg: Box::new(arg),
                    test,
                })
            }
            Expr::IsDistinctFrom(a, b) => self.distinct(a, b),
            Expr::IsNotDistinctFrom(a, b) => Ok(Node::Bool {
                op: BoolOp::Not,
                args: vec![self.distinct(a, b)?],
            }),
            Expr::Like {
                negated,
                any: false,
                expr,
                pattern,
                escape_char: None,
            } => self.make_op(if *negated { "!~~" } else { "~~" }, Some(expr), pattern),
            Expr::ILike {
                negated,
                any: false,
                expr,
                pattern,
                escape_char: None,
            } => self.make_op(if *negated { "!~~*" } else { "~~*" }, Some(expr), pattern),
            Expr::Like {
                negated,
                any: false,
                expr,
                pattern,
                escape_char: Some(esc),
            }
            | Expr::ILike {
                negated,
                any: false,
                expr,
                pattern,
                escape_char: Some(esc),
            } => {
                let ilike = matches!(e, Expr::ILike { .. });
                let op = match (ilike, *negated) {
                    (false, false) => "~~",
                    (false, true) => "!~~",
                    (true, false) => "~~*",
                    (true, true) => "!~~*",
                };
                let l = self.transform(expr)?;
                let args = vec![self.transform(pattern)?, self.transform(esc)?];
                let r = self.call("like_escape", args, Form::Call)?;
                self.make_op_nodes(op, Some(l), r)
            }
            Expr::SimilarTo {
                negated,
                expr,
                pattern,
                escape_char,
            } => {
                let l = self.transform(expr)?;
                let mut args = vec![self.transform(pattern)?];
                if let Some(esc) = escape_char {
                    args.push(self.transform(esc)?);
                }
                let r = self.call("similar_to_escape", args, Form::Call)?;
                self.make_op_nodes(if *negated { "!~" } else { "~" }, Some(l), r)
            }
            Expr::Ceil {
                expr,
                field: sqlparser::ast::CeilFloorKind::DateTimeField(DateTimeField::NoDateTime),
            }
            | Expr::Floor {
                expr,
                field: sqlparser::ast::CeilFloorKind::DateTimeField(DateTimeField::NoDateTime),
            } => {
                let name = if matches!(e, Expr::Ceil { .. }) {
                    "ceil"
                } else {
                    "floor"
                };
                let arg = self.transform(expr)?;
                self.call(name, vec![arg], Form::Call)
            }
            Expr::Substring {
                expr,
                substring_from,
                substring_for,
                shorthand: true,
                ..
            } => {
                let mut args = vec![self.transform(expr)?];
                if let Some(f) = substring_from {
                    args.push(self.transform(f)?);
                }
                if let Some(l) = substring_for {
                    args.push(self.transform(l)?);
                }
                self.call("substr", args, Form::Call)
            }
            Expr::Between {
                expr,
                negated,
                low,
                high,
            } => {
                let (op1, op2, bool_op) = if *negated {
                    ("<", ">", BoolOp::Or)
                } else {
                    (">=", "<=", BoolOp::And)
                };
                let a = self.make_op(op1, Some(expr), low)?;
                let a = self.coerce_to_boolean(a, "AND")?;
                let b = self.make_op(op2, Some(expr), high)?;
                let b = self.coerce_to_boolean(b, "AND")?;
                Ok(Node::Bool {
                    op: bool_op,
                    args: vec![a, b],
                })
            }
            Expr::In {
                expr,
                target: InTarget::List(list),
                negated,
                ..
            } => self.in_list(expr, list, *negated),
            Expr::AnyOp {
                left,
                compare_op,
                right,
                ..
            } => self.array_op(left, compare_op, right, true),
            Expr::AllOp {
                left,
                compare_op,
                right,
            } => self.array_op(left, compare_op, right, false),
            Expr::Cast {
                kind: CastKind::Cast | CastKind::DoubleColon,
                expr,
                data_type,
                format: None,
            } => self.cast(expr, data_type),
            Expr::TypedString(ts) => {
                let text = match &ts.value.value {
                    Value::SingleQuotedString(s) => s.clone(),
                    other => return Err(unproven(format!("typed literal {other}"))),
                };
                let (t, typmod) = self.type_of(&ts.data_type)?;
                self.coerce_to_target(
                    unknown(Some(text)),
                    t,
                    typmod,
                    CoercionContext::Explicit,
                    Form::ExplicitCast,
                    "CAST",
                )
            }
            Expr::Interval(iv) => {
                if iv.leading_field.is_some()
                    || iv.last_field.is_some()
                    || iv.leading_precision.is_some()
                    || iv.fractional_seconds_precision.is_some()
                {
                    return Err(unproven("an interval literal with fields or precision"));
                }
                let text = match &*iv.value {
                    Expr::Value(v) => match &v.value {
                        Value::SingleQuotedString(s) => s.clone(),
                        _ => return Err(unproven("an interval literal that is not a string")),
                    },
                    _ => return Err(unproven("an interval literal that is not a string")),
                };
                self.coerce_to_target(
                    unknown(Some(text)),
                    oid::INTERVAL,
                    -1,
                    CoercionContext::Explicit,
                    Form::ExplicitCast,
                    "CAST",
                )
            }
            Expr::AtTimeZone {
                timestamp,
                time_zone,
            } => {
                let zone = self.transform(time_zone)?;
                let ts = self.transform(timestamp)?;
                self.call("timezone", vec![zone, ts], Form::SqlSyntax)
            }
            Expr::Extract { field, expr, .. } => {
                let name = match field {
                    DateTimeField::Custom(Ident {
                        value,
                        quote_style: Some(_),
                        ..
                    }) => value.clone(),
                    other => other.to_string().to_ascii_lowercase(),
                };
                let arg = self.transform(expr)?;
                self.call("extract", vec![unknown(Some(name)), arg], Form::SqlSyntax)
            }
            Expr::Position { expr, r#in } => {
                let needle = self.transform(expr)?;
                let hay = self.transform(r#in)?;
                self.call("position", vec![hay, needle], Form::SqlSyntax)
            }
            Expr::Substring {
                expr,
                substring_from,
                substring_for,
                special,
                shorthand: false,
            } => {
                let mut args = vec![self.transform(expr)?];
                match (substring_from, substring_for) {
                    (Some(f), Some(l)) => {
                        args.push(self.transform(f)?);
                        args.push(self.transform(l)?);
                    }
                    (Some(f), None) => args.push(self.transform(f)?),
                    (None, Some(l)) => {
                        args.push(int4(1));
                        args.push(self.transform(l)?);
                    }
                    (None, None) => {}
                }
                let form = if *special {
                    Form::Call
                } else {
                    Form::SqlSyntax
                };
                self.call("substring", args, form)
            }
            Expr::Trim {
                trim_where,
                trim_what,
                expr,
                trim_characters: None,
            } => {
                let name = match trim_where {
                    None | Some(TrimWhereField::Both) => "btrim",
                    Some(TrimWhereField::Leading) => "ltrim",
                    Some(TrimWhereField::Trailing) => "rtrim",
                };
                let mut args = vec![self.transform(expr)?];
                if let Some(w) = trim_what {
                    args.push(self.transform(w)?);
                }
                self.call(name, args, Form::SqlSyntax)
            }
            Expr::Overlay {
                expr,
                overlay_what,
                overlay_from,
                overlay_for,
            } => {
                let mut args = vec![
                    self.transform(expr)?,
                    self.transform(overlay_what)?,
                    self.transform(overlay_from)?,
                ];
                if let Some(f) = overlay_for {
                    args.push(self.transform(f)?);
                }
                self.call("overlay", args, Form::SqlSyntax)
            }
            Expr::Collate { expr, collation } => {
                let parts = object_parts(collation)?;
                let name = match parts.as_slice() {
                    [n] => n.clone(),
                    [ns, n] if ns == "pg_catalog" => n.clone(),
                    _ => return Err(unproven(format!("collation {collation}"))),
                };
                if !matches!(name.as_str(), "C" | "POSIX" | "ucs_basic") {
                    return Err(unproven(format!(
                        "collation {name:?}: only C, POSIX and ucs_basic exist on every server"
                    )));
                }
                let arg = self.transform(expr)?;
                let collatable = self.type_info(arg.type_id())?.category.eq(&'S')
                    || arg.type_id() == oid::UNKNOWN;
                if !collatable {
                    return Err(unproven(format!(
                        "the server raises 42804 collations are not supported by type {}",
                        self.type_display(arg.type_id())
                    )));
                }
                let arg = if arg.is_unknown_const() {
                    self.coerce_to_common(arg, oid::TEXT, "COLLATE")?
                } else {
                    arg
                };
                Ok(Node::Collate {
                    arg: Box::new(arg),
                    collation: quote_ident(&name),
                })
            }
            Expr::Function(f) => self.function(f),
            Expr::Exists { subquery, negated } if self.query.is_some() => {
                let q = self.query.unwrap_or_else(|| unreachable!());
                q.subquery(subquery, self)?;
                let node = Node::SubLink {
                    type_id: oid::BOOL,
                    typmod: -1,
                    nullable: false,
                };
                Ok(if *negated {
                    Node::Bool {
                        op: BoolOp::Not,
                        args: vec![node],
                    }
                } else {
                    node
                })
            }
            Expr::Subquery(sub) if self.query.is_some() => {
                let q = self.query.unwrap_or_else(|| unreachable!());
                let cols = q.subquery(sub, self)?;
                let [(type_id, typmod, _)] = cols[..] else {
                    return Err(unproven(
                        "the server raises 42601 subquery must return only one column",
                    ));
                };
                // No row is NULL, whatever the column.
                Ok(Node::SubLink {
                    type_id,
                    typmod,
                    nullable: true,
                })
            }
            Expr::In {
                expr,
                target: InTarget::Subquery(subquery),
                negated,
                ..
            } if self.query.is_some() => {
                let q = self.query.unwrap_or_else(|| unreachable!());
                let left = self.transform(expr)?;
                let cols = q.subquery(subquery, self)?;
                let [(type_id, typmod, _)] = cols[..] else {
                    return Err(unproven(
                        "the server raises 42601 subquery has too many columns",
                    ));
                };
                let right = Node::Var {
                    name: String::new(),
                    type_id,
                    typmod,
                };
                let op = self.make_op_nodes("=", Some(left), right)?;
                self.coerce_to_boolean(op, "IN")?;
                let node = Node::SubLink {
                    type_id: oid::BOOL,
                    typmod: -1,
                    nullable: true,
                };
                Ok(if *negated {
                    Node::Bool {
                        op: BoolOp::Not,
                        args: vec![node],
                    }
                } else {
                    node
                })
            }
            Expr::Case {
                operand,
                conditions,
                else_result,
                ..
            } => self.case(operand.as_deref(), conditions, else_result.as_deref()),
            Expr::Array(a) => self.array(&a.elem, None),
            Expr::CompoundFieldAccess { root, access_chain } => self.subscripts(root, access_chain),
            other => Err(unproven(format!(
                "expression form not encoded: {}",
                short(&other.to_string())
            ))),
        }
    }

    fn sql_value(&self, v: SqlValue) -> Result<Node, Unproven> {
        if self.immutable {
            return Err(unproven(format!(
                "{} is not immutable: the server rejects it here",
                v.text()
            )));
        }
        Ok(Node::SqlValue(v))
    }

    fn column(&self, parts: &[Ident]) -> Result<Node, Unproven> {
        let folded: Vec<String> = parts.iter().map(fold).collect();
        if let Some((type_id, typmod)) = self.domain_value {
            // `replace_domain_constraint_value`: an unqualified `value` is
            // the value checked; nothing else can be referenced.
            if folded.len() == 1 && folded[0] == "value" {
                return Ok(Node::DomainValue { type_id, typmod });
            }
            return Err(unproven(format!(
                "the server raises 42703 column \"{}\" does not exist",
                folded.join(".")
            )));
        }
        if let Some(q) = self.query {
            return q.column(parts);
        }
        let (qualifier, name) = folded.split_at(folded.len() - 1);
        let name = &name[0];
        if !qualifier.is_empty() {
            let table = self
                .schema
                .namespaces
                .iter()
                .flat_map(|(ns, n)| n.tables.iter().map(move |(t, tab)| (ns, t, tab)))
                .find(|(_, _, tab)| std::ptr::eq(tab.columns.as_slice(), self.columns));
            let Some((ns, t, _)) = table else {
                return Err(unproven(
                    "a qualified column reference: the table is not known to the analysis",
                ));
            };
            let ok = match qualifier {
                [q] => q == t,
                [s, q] => q == t && s == ns,
                _ => false,
            };
            if !ok {
                return Err(unproven(format!(
                    "the server raises 42P01 missing FROM-clause entry for {}",
                    qualifier.join(".")
                )));
            }
        }
        let col = self
            .columns
            .iter()
            .find(|c| &c.name == name)
            .ok_or_else(|| {
                unproven(format!(
                    "the server raises 42703 column \"{name}\" does not exist"
                ))
            })?;
        let (type_id, typmod) = self.resolve_type(&col.data_type)?;
        Ok(Node::Var {
            name: col.name.clone(),
            type_id,
            typmod,
        })
    }

    fn value(&self, v: &Value) -> Result<Node, Unproven> {
        match v {
            Value::Number(n, false) => self.number(n),
            Value::SingleQuotedString(s)
            | Value::EscapedStringLiteral(s)
            | Value::DollarQuotedString(sqlparser::ast::DollarQuotedString { value: s, .. }) => {
                Ok(unknown(Some(s.clone())))
            }
            Value::Boolean(b) => Ok(Node::Const {
                type_id: oid::BOOL,
                typmod: -1,
                value: Some(if *b { "t" } else { "f" }.to_string()),
            }),
            Value::Null => Ok(unknown(None)),
            other => Err(unproven(format!("literal {other}"))),
        }
    }

    /// `make_const` for a number as the grammar hands it over.
    fn number(&self, text: &str) -> Result<Node, Unproven> {
        if let Ok(v) = text.parse::<i64>() {
            if !text.contains(['.', 'e', 'E']) {
                return Ok(if let Ok(v32) = i32::try_from(v) {
                    Node::Const {
                        type_id: oid::INT4,
                        typmod: -1,
                        value: Some(v32.to_string()),
                    }
                } else {
                    Node::Const {
                        type_id: oid::INT8,
                        typmod: -1,
                        value: Some(v.to_string()),
                    }
                });
            }
        }
        let value =
            numeric_text(text).ok_or_else(|| unproven(format!("numeric literal {text}")))?;
        Ok(Node::Const {
            type_id: oid::NUMERIC,
            typmod: -1,
            value: Some(value),
        })
    }

    fn type_of(&self, dt: &DataType) -> Result<(TypeId, i32), Unproven> {
        let text = crate::normalize::data_type(dt).map_err(unproven)?;
        self.resolve_type(&text)
    }

    fn cast(&self, expr: &Expr, dt: &DataType) -> Result<Node, Unproven> {
        let (t, typmod) = self.type_of(dt)?;
        let mut inner = expr;
        while let Expr::Nested(x) = inner {
            inner = x;
        }
        let node = match inner {
            Expr::Array(a) if self.is_array(t) => {
                let elem = self.elem_of(t)?;
                self.array(&a.elem, Some((t, elem, typmod)))?
            }
            _ => self.transform(expr)?,
        };
        self.coerce_to_target(
            node,
            t,
            typmod,
            CoercionContext::Explicit,
            Form::ExplicitCast,
            "CAST",
        )
    }

    /// `AND`/`OR` as gram.y builds them: a chain whose left operand is the
    /// same connective is one list.
    fn bool_chain(&self, e: &Expr) -> Result<Node, Unproven> {
        let Expr::BinaryOp { op, .. } = e else {
            unreachable!()
        };
        let mut raw = vec![];
        collect_chain(e, op, &mut raw);
        let (bop, name) = if *op == BinaryOperator::And {
            (BoolOp::And, "AND")
        } else {
            (BoolOp::Or, "OR")
        };
        let mut args = vec![];
        for r in raw {
            let n = self.transform(r)?;
            args.push(self.coerce_to_boolean(n, name)?);
        }
        Ok(Node::Bool { op: bop, args })
    }

    fn check_user_operator(&self, name: &str) -> Result<(), Unproven> {
        let captured = self.schema.unmanaged.iter().any(|u| {
            u.kind == UnmanagedKind::Operator
                && u.name
                    .rsplit('.')
                    .next()
                    .is_some_and(|n| n == name || n.starts_with(&format!("{name}(")))
        });
        if captured {
            return Err(unproven(format!(
                "the schema defines an operator {name}: it may capture the call"
            )));
        }
        Ok(())
    }

    /// A range or multirange type of the schema named `name`: the server
    /// made constructor functions of that name with it (`floatrange(lo,
    /// hi[, bounds])`, `floatmultirange(VARIADIC …)`), which strata does
    /// not type, and which may take a call of a built-in of the same name.
    fn range_constructor(&self, name: &str) -> Option<Unproven> {
        for (ns, n) in &self.schema.namespaces {
            for (rn, r) in &n.ranges {
                let what = if rn == name {
                    "range"
                } else if r.multirange.name == name {
                    "multirange"
                } else {
                    continue;
                };
                return Some(unproven(format!(
                    "{name} is the constructor of the schema's {what} type {} (range type {}): calls of user range constructors, and what they return, are not typed offline",
                    crate::model::qualified(
                        if what == "range" { ns } else { &r.multirange.schema },
                        name
                    ),
                    crate::model::qualified(ns, rn)
                )));
            }
        }
        None
    }

    /// Whether a function of the schema may take the call `name(types)`
    /// from the built-in `chosen`. `func_get_detail` takes an exact match
    /// (the candidate's input types are the actual argument types) before
    /// any other rule, whatever the namespace; two candidates with the same
    /// effective argument list (defaults and VARIADIC expanded) are told
    /// apart only by the search path. So the built-in is proven when it is
    /// an exact match of known types and no function of the schema offers
    /// that same argument list; anything else is "cannot prove". Functions
    /// kept by name only (aggregates) are never ruled out.
    fn check_user_function(
        &self,
        name: &str,
        types: &[TypeId],
        chosen: Option<&ChosenFunc>,
    ) -> Result<(), Unproven> {
        let by_name = self.schema.unmanaged.iter().any(|u| {
            matches!(
                u.kind,
                UnmanagedKind::Function | UnmanagedKind::Aggregate | UnmanagedKind::Procedure
            ) && {
                let base = u.name.split('(').next().unwrap_or("");
                base.rsplit('.').next() == Some(name)
            }
        });
        if let Some(range) = self.range_constructor(name) {
            return Err(range);
        }
        let routines: Vec<&crate::model::Routine> = self
            .schema
            .namespaces
            .values()
            .flat_map(|n| crate::model::routines_named(&n.routines, name))
            .collect();
        if !by_name && routines.is_empty() {
            return Ok(());
        }
        let captured = || {
            unproven(format!(
                "{name} is also a function defined in the schema, which may take the call (calls of the schema's own functions are not resolved offline)"
            ))
        };
        if by_name {
            return Err(captured());
        }
        let exact = chosen.is_some_and(|c| {
            !c.variadic_folded
                && c.proc.args.as_slice() == types
                && types.iter().all(|t| *t != oid::UNKNOWN)
        });
        if !exact {
            return Err(captured());
        }
        for r in routines {
            if r.kind != crate::model::RoutineKind::Function {
                continue;
            }
            let inputs: Vec<&crate::model::RoutineArg> = r
                .args
                .iter()
                .filter(|a| {
                    matches!(
                        a.mode,
                        crate::model::ArgMode::In
                            | crate::model::ArgMode::InOut
                            | crate::model::ArgMode::Variadic
                    )
                })
                .collect();
            if inputs
                .iter()
                .any(|a| a.mode == crate::model::ArgMode::Variadic)
            {
                // Its expanded forms are not worked out: it may tie.
                return Err(captured());
            }
            let defaults = inputs.iter().filter(|a| a.default.is_some()).count();
            let n = types.len();
            if n > inputs.len() || n + defaults < inputs.len() {
                continue;
            }
            let same = inputs.iter().zip(types).all(|(a, t)| {
                self.env
                    .type_named(&a.data_type)
                    .is_some_and(|info| info.id == *t)
            });
            if same {
                return Err(captured());
            }
        }
        Ok(())
    }

    fn make_op(&self, name: &str, left: Option<&Expr>, right: &Expr) -> Result<Node, Unproven> {
        let l = left.map(|l| self.transform(l)).transpose()?;
        let r = self.transform(right)?;
        self.make_op_nodes(name, l, r)
    }

    /// `make_op`.
    fn make_op_nodes(&self, name: &str, l: Option<Node>, r: Node) -> Result<Node, Unproven> {
        self.check_user_operator(name)?;
        let chosen = resolved(
            self.env
                .oper(name, l.as_ref().map(Node::type_id), r.type_id()),
            &format!("operator {name}"),
        )?;
        let proc = self.env.catalog.proc(chosen.oper.proc);
        if self.immutable && proc.is_some_and(|p| p.volatile != 'i') {
            return Err(unproven(format!(
                "operator {name} is not immutable (the server decides after inlining, which is not encoded)"
            )));
        }
        let left = match (l, chosen.left) {
            (Some(l), Some(t)) => Some(Box::new(self.coerce_arg(l, t)?)),
            (None, None) => None,
            _ => return Err(unproven(format!("operator {name}: arity mismatch"))),
        };
        let right = Box::new(self.coerce_arg(r, chosen.right)?);
        Ok(Node::Op {
            name: chosen.oper.name.clone(),
            oper: chosen.oper.oid,
            left,
            right,
            result: chosen.result,
        })
    }

    /// `make_fn_arguments`: each argument to its declared type.
    fn coerce_arg(&self, node: Node, target: TypeId) -> Result<Node, Unproven> {
        if node.type_id() == target {
            return Ok(node);
        }
        self.coerce_type(
            node,
            target,
            -1,
            CoercionContext::Implicit,
            Form::ImplicitCast,
        )
    }

    fn distinct(&self, a: &Expr, b: &Expr) -> Result<Node, Unproven> {
        let op = self.make_op("=", Some(a), b)?;
        let Node::Op {
            name,
            left: Some(left),
            right,
            result,
            ..
        } = op
        else {
            return Err(unproven("IS DISTINCT FROM"));
        };
        if result != oid::BOOL {
            return Err(unproven(
                "the server raises 42804 IS DISTINCT FROM requires = operator to yield boolean",
            ));
        }
        Ok(Node::Distinct { name, left, right })
    }

    /// `make_scalar_array_op`.
    fn scalar_array_op(&self, name: &str, any: bool, l: Node, r: Node) -> Result<Node, Unproven> {
        self.check_user_operator(name)?;
        let rtype = r.type_id();
        let elem = if rtype == oid::UNKNOWN {
            oid::UNKNOWN
        } else {
            let e = self.elem_of(rtype)?;
            if e == 0 {
                return Err(unproven(
                    "the server raises 42809 op ANY/ALL (array) requires array on right side",
                ));
            }
            e
        };
        let chosen = resolved(
            self.env.oper(name, Some(l.type_id()), elem),
            &format!("operator {name}"),
        )?;
        if chosen.result != oid::BOOL {
            return Err(unproven(
                "the server raises 42809 op ANY/ALL (array) requires operator to yield boolean",
            ));
        }
        let ltarget = chosen
            .left
            .ok_or_else(|| unproven("ANY/ALL with a prefix operator"))?;
        let left = self.coerce_arg(l, ltarget)?;
        let rarray = self.array_of(chosen.right)?;
        let right = self.coerce_arg(r, rarray)?;
        Ok(Node::ScalarArrayOp {
            name: chosen.oper.name.clone(),
            any,
            left: Box::new(left),
            right: Box::new(right),
        })
    }

    fn array_op(
        &self,
        left: &Expr,
        op: &BinaryOperator,
        right: &Expr,
        any: bool,
    ) -> Result<Node, Unproven> {
        let name = operator_name(op)?;
        let l = self.transform(left)?;
        let r = self.transform(right)?;
        self.scalar_array_op(&name, any, l, r)
    }

    /// `transformAExprIn`.
    fn in_list(&self, expr: &Expr, list: &[Expr], negated: bool) -> Result<Node, Unproven> {
        let (name, use_or) = if negated { ("<>", false) } else { ("=", true) };
        let lexpr = self.transform(expr)?;
        let mut all_r = vec![];
        for r in list {
            all_r.push(self.transform(r)?);
        }
        let rnonvars: Vec<Node> = all_r
            .iter()
            .filter(|n| !n.contains_var())
            .cloned()
            .collect();
        let mut result: Option<Node> = None;
        let mut rest = all_r.clone();
        if rnonvars.len() > 1 {
            let mut all = vec![lexpr.clone()];
            all.extend(rnonvars.iter().cloned());
            let types: Vec<TypeId> = all.iter().map(Node::type_id).collect();
            let scalar = match self.env.common_type(&types, "IN") {
                Resolve::Found(t) => Some(t),
                Resolve::Error { .. } => None,
                Resolve::Unsupported(r) => return Err(unproven(r)),
            };
            let mut usable = None;
            if let Some(t) = scalar {
                let mut ok = t != oid::RECORD && self.type_info(t)?.array != 0;
                for n in &all {
                    ok = ok && self.can_coerce(n.type_id(), t, CoercionContext::Implicit)?;
                }
                if ok {
                    usable = Some(t);
                }
            }
            if let Some(scalar) = usable {
                let mut elems = vec![];
                for n in rnonvars {
                    elems.push(self.coerce_to_common(n, scalar, "IN")?);
                }
                let array = Node::Array {
                    elements: elems,
                    type_id: self.array_of(scalar)?,
                    element_type: scalar,
                };
                result = Some(self.scalar_array_op(name, use_or, lexpr.clone(), array)?);
                rest = all_r.into_iter().filter(Node::contains_var).collect();
            }
        }
        for r in rest {
            let cmp = self.make_op_nodes(name, Some(lexpr.clone()), r)?;
            let cmp = self.coerce_to_boolean(cmp, "IN")?;
            result = Some(match result {
                None => cmp,
                Some(prev) => Node::Bool {
                    op: if use_or { BoolOp::Or } else { BoolOp::And },
                    args: vec![prev, cmp],
                },
            });
        }
        result.ok_or_else(|| unproven("an empty IN list"))
    }

    fn args_of(&self, f: &Function) -> Result<Vec<Node>, Unproven> {
        match &f.args {
            FunctionArguments::None => Ok(vec![]),
            FunctionArguments::List(list) => {
                if list.duplicate_treatment.is_some() || !list.clauses.is_empty() {
                    return Err(unproven(format!(
                        "aggregate syntax in {}",
                        short(&f.to_string())
                    )));
                }
                if self.query.is_some()
                    && list.args.len() == 1
                    && matches!(
                        list.args[0],
                        FunctionArg::Unnamed(FunctionArgExpr::Wildcard)
                    )
                {
                    // `count(*)`: the grammar's `agg_star`, no arguments.
                    return Ok(vec![]);
                }
                list.args
                    .iter()
                    .map(|a| match a {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => self.transform(e),
                        _ => Err(unproven(format!(
                            "named or star arguments in {}",
                            short(&f.to_string())
                        ))),
                    })
                    .collect()
            }
            FunctionArguments::Subquery(_) => Err(unproven("a subquery argument")),
        }
    }

    fn function(&self, f: &Function) -> Result<Node, Unproven> {
        if self.query.is_some() && f.over.is_some() {
            return Err(unproven(format!(
                "strata cannot type window functions yet ({}); compute it in a query strata does not check",
                short(&f.to_string())
            )));
        }
        if self.query.is_some()
            && (f.filter.is_some()
                || !f.within_group.is_empty()
                || matches!(&f.args, FunctionArguments::List(l) if l.duplicate_treatment.is_some() || !l.clauses.is_empty()))
        {
            return Err(unproven(format!(
                "strata cannot type aggregate modifiers (DISTINCT, ORDER BY, FILTER, WITHIN GROUP) yet: {}",
                short(&f.to_string())
            )));
        }
        if f.over.is_some()
            || f.filter.is_some()
            || !f.within_group.is_empty()
            || !matches!(f.parameters, FunctionArguments::None)
            || f.null_treatment.is_some()
            || f.uses_odbc_syntax
        {
            return Err(unproven(format!(
                "window or aggregate call {}",
                short(&f.to_string())
            )));
        }
        let parts: Vec<(String, bool)> = f
            .name
            .0
            .iter()
            .map(|p| match p {
                ObjectNamePart::Identifier(id) => Ok((fold(id), id.quote_style.is_some())),
                _ => Err(unproven(format!("function name {}", f.name))),
            })
            .collect::<Result<_, _>>()?;
        let (name, quoted) = match parts.as_slice() {
            [(n, q)] => (n.clone(), *q),
            [(ns, _), (n, _)] if ns == "pg_catalog" => (n.clone(), true),
            _ => {
                return Err(unproven(format!(
                    "a call of {}: a function defined in the schema (outside pg_catalog) is not resolved offline",
                    f.name
                )))
            }
        };
        if !quoted {
            let precision = match &f.args {
                FunctionArguments::None => Some(None),
                FunctionArguments::List(l) if l.args.len() == 1 => match &l.args[0] {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(v))) => match &v.value {
                        Value::Number(n, _) => n.parse::<u32>().ok().map(Some),
                        _ => None,
                    },
                    _ => None,
                },
                _ => None,
            };
            if let Some(p) = precision {
                if let Some(v) = sql_value(&name, p) {
                    return self.sql_value(v);
                }
            }
            match name.as_str() {
                "coalesce" | "greatest" | "least" | "nullif" => {
                    let args = self.args_of(f)?;
                    return self.special_call(&name, args);
                }
                _ => {}
            }
        }
        if let FunctionArguments::None = f.args {
            return Err(unproven(format!("{} without parentheses", f.name)));
        }
        if let Some(q) = self.query {
            if self.env.catalog.procs_named(&name).any(|p| p.kind == 'a') {
                q.aggregate_allowed()?;
                let mut args = None;
                q.in_aggregate(&mut || {
                    args = Some(self.args_of(f)?);
                    Ok(int4(0))
                })?;
                return self.call(&name, args.unwrap_or_default(), Form::Call);
            }
        }
        let args = self.args_of(f)?;
        self.call(&name, args, Form::Call)
    }

    fn special_call(&self, name: &str, args: Vec<Node>) -> Result<Node, Unproven> {
        let upper = name.to_ascii_uppercase();
        if name == "nullif" {
            let [a, b]: [Node; 2] = args
                .try_into()
                .map_err(|_| unproven("NULLIF takes two arguments"))?;
            let op = self.make_op_nodes("=", Some(a), b)?;
            let Node::Op {
                left: Some(left),
                right,
                result,
                ..
            } = op
            else {
                return Err(unproven("NULLIF"));
            };
            if result != oid::BOOL {
                return Err(unproven(
                    "the server raises 42804 NULLIF requires = operator to yield boolean",
                ));
            }
            let type_id = left.type_id();
            return Ok(Node::NullIf {
                args: [left, right],
                type_id,
            });
        }
        if args.is_empty() {
            return Err(unproven(format!("{upper} without arguments")));
        }
        let t = self.common_type(&args, &upper)?;
        let args = args
            .into_iter()
            .map(|a| self.coerce_to_common(a, t, &upper))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(match name {
            "coalesce" => Node::Coalesce { args, type_id: t },
            _ => Node::MinMax {
                greatest: name == "greatest",
                args,
                type_id: t,
            },
        })
    }

    /// `ParseFuncOrColumn` for a plain call of a built-in function.
    fn call(&self, name: &str, args: Vec<Node>, form: Form) -> Result<Node, Unproven> {
        if args.len() == 1 && self.env.type_named(name).is_some() {
            return Err(unproven(format!(
                "{name}(…) may be a function-style cast, which is not encoded"
            )));
        }
        let types: Vec<TypeId> = args.iter().map(Node::type_id).collect();
        if self.env.catalog.procs_named(name).next().is_none() {
            // No built-in of that name: only the schema's own can take it.
            return self.user_call(name, args, form);
        }
        let found = self.env.func(name, &types);
        let built_in = match &found {
            Resolve::Found(c) => Some(c),
            _ => None,
        };
        self.check_user_function(name, &types, built_in)?;
        let chosen = resolved(found, &format!("function {name}()"))?;
        let proc = &chosen.proc;
        match proc.kind {
            'f' => {}
            'a' if self.query.is_some() => {}
            'a' => return Err(unproven(format!("{name}() is an aggregate"))),
            'w' => return Err(unproven(format!("{name}() is a window function"))),
            _ => return Err(unproven(format!("{name}() is a procedure"))),
        }
        if proc.retset {
            return Err(unproven(format!("{name}() returns a set")));
        }
        if self.immutable && proc.volatile != 'i' {
            return Err(unproven(format!(
                "{name}() is not immutable (the server decides after inlining, which is not encoded)"
            )));
        }
        if chosen.args.len() != args.len() {
            return Err(unproven(format!("{name}(): argument count mismatch")));
        }
        let mut coerced = vec![];
        for (a, t) in args.into_iter().zip(chosen.args.iter()) {
            coerced.push(self.coerce_arg(a, *t)?);
        }
        if chosen.variadic_folded {
            let nfixed = proc.args.len().saturating_sub(1);
            let elem = proc.variadic;
            let elements = coerced.split_off(nfixed.min(coerced.len()));
            coerced.push(Node::Array {
                elements,
                type_id: self.array_of(elem)?,
                element_type: elem,
            });
        }
        Ok(Node::Func {
            name: proc.name.clone(),
            proc: proc.oid,
            args: coerced,
            result: chosen.result,
            result_typmod: -1,
            form,
            variadic: chosen.variadic_folded,
        })
    }

    /// A call no built-in function can take, resolved among the schema's
    /// own functions as `func_get_detail` would, where that is provable:
    /// every function of that name is a plain function in `public` (on the
    /// path the server prints with, so `pg_get_expr` writes the name
    /// unqualified), exactly one takes that many arguments (its defaults
    /// counted, none VARIADIC), with concrete argument and result types, and
    /// each argument coerces to its parameter implicitly (a single candidate
    /// is taken exactly then). Defaults are not put into the call (the
    /// planner adds them), so it prints as written. Anything else is
    /// "cannot prove", naming why.
    fn user_call(&self, name: &str, args: Vec<Node>, form: Form) -> Result<Node, Unproven> {
        let captured = |why: &str| {
            unproven(format!(
                "{name} is a function defined in the schema, and {why} (calls of the schema's own functions are resolved offline only when one plain function in public can take them)"
            ))
        };
        let by_name = self.schema.unmanaged.iter().any(|u| {
            matches!(
                u.kind,
                UnmanagedKind::Function | UnmanagedKind::Aggregate | UnmanagedKind::Procedure
            ) && u.name.split('(').next().unwrap_or("").rsplit('.').next() == Some(name)
        });
        if by_name {
            return Err(captured("one of that name is kept by name only"));
        }
        if let Some(range) = self.range_constructor(name) {
            return Err(range);
        }
        if let Some(ext) = self.env.uncovered_extension() {
            return Err(captured(&format!(
                "extension {ext} is installed, whose functions strata's catalog does not hold (one of them may take the call)"
            )));
        }
        let mut candidates = Vec::new();
        for (ns_name, ns) in &self.schema.namespaces {
            for (sig, r) in &ns.routines {
                if crate::model::split_signature(sig).0 != name {
                    continue;
                }
                if ns_name != "public" {
                    return Err(captured(&format!(
                        "one of that name is in schema {ns_name}"
                    )));
                }
                if r.kind != crate::model::RoutineKind::Function {
                    return Err(captured("one of that name is not a plain function"));
                }
                candidates.push(r);
            }
        }
        if candidates.is_empty() {
            return Err(unproven(format!(
                "function {name}() is neither built in nor defined in the schema"
            )));
        }
        use crate::model::ArgMode;
        let n = args.len();
        let mut fitting = Vec::new();
        for r in candidates {
            if r.args.iter().any(|a| a.mode != ArgMode::In) {
                return Err(captured(
                    "one of that name has OUT, INOUT or VARIADIC arguments",
                ));
            }
            let defaults = r.args.iter().filter(|a| a.default.is_some()).count();
            if n <= r.args.len() && n + defaults >= r.args.len() {
                fitting.push(r);
            }
        }
        let r = match fitting.as_slice() {
            [r] => *r,
            [] => {
                return Err(unproven(format!(
                    "no function {name} of the schema takes {n} argument(s)"
                )))
            }
            _ => return Err(captured("several of that name take that many arguments")),
        };
        let concrete = |text: &str| -> Result<TypeId, Unproven> {
            let (t, _) = self.resolve_type(text)?;
            if POLY_CONTAINERS.contains(&t)
                || matches!(t, ANY | ANYCOMPATIBLE | ANYCOMPATIBLENONARRAY)
                || text.starts_with("any")
                || matches!(
                    text,
                    "record" | "void" | "trigger" | "event_trigger" | "internal" | "cstring"
                )
            {
                return Err(captured(&format!(
                    "its type {text} is polymorphic or a pseudo-type"
                )));
            }
            Ok(t)
        };
        let returns = r
            .returns
            .as_deref()
            .ok_or_else(|| captured("it returns nothing"))?;
        if returns.starts_with("SETOF ") || returns.starts_with("TABLE(") {
            return Err(captured("it returns a set"));
        }
        let result = concrete(returns)?;
        if self.immutable && r.volatility != crate::model::Volatility::Immutable {
            return Err(unproven(format!(
                "{name}() is not immutable: the server refuses it here"
            )));
        }
        let mut coerced = Vec::with_capacity(n);
        for (a, p) in args.into_iter().zip(&r.args) {
            let t = concrete(&p.data_type)?;
            coerced.push(self.coerce_arg(a, t)?);
        }
        Ok(Node::Func {
            name: name.to_string(),
            proc: USER_FUNCTION,
            args: coerced,
            result,
            result_typmod: -1,
            form,
            variadic: false,
        })
    }

    /// The volatility of the schema's function `name` a [`USER_FUNCTION`]
    /// call of `nargs` arguments resolved to (`i`, `s` or `v`): the one
    /// function of that name in `public` taking that many.
    pub(super) fn user_volatility(&self, name: &str, nargs: usize) -> Option<char> {
        let mut fitting = self
            .schema
            .namespaces
            .get("public")?
            .routines
            .iter()
            .filter(|(sig, r)| {
                let defaults = r.args.iter().filter(|a| a.default.is_some()).count();
                crate::model::split_signature(sig).0 == name
                    && nargs <= r.args.len()
                    && nargs + defaults >= r.args.len()
            });
        let (_, r) = fitting.next()?;
        if fitting.next().is_some() {
            return None;
        }
        Some(match r.volatility {
            crate::model::Volatility::Immutable => 'i',
            crate::model::Volatility::Stable => 's',
            crate::model::Volatility::Volatile => 'v',
        })
    }

    /// `transformCaseExpr`.
    fn case(
        &self,
        operand: Option<&Expr>,
        conditions: &[sqlparser::ast::CaseWhen],
        else_result: Option<&Expr>,
    ) -> Result<Node, Unproven> {
        let arg = match operand {
            Some(o) => {
                let a = self.transform(o)?;
                Some(if a.type_id() == oid::UNKNOWN {
                    self.coerce_to_common(a, oid::TEXT, "CASE")?
                } else {
                    a
                })
            }
            None => None,
        };
        let mut whens = vec![];
        for w in conditions {
            let cond = match &arg {
                Some(a) => {
                    let placeholder = Node::Var {
                        name: String::new(),
                        type_id: a.type_id(),
                        typmod: a.typmod(),
                    };
                    let rhs = self.transform(&w.condition)?;
                    let op = self.make_op_nodes("=", Some(placeholder), rhs)?;
                    match op {
                        Node::Op { right, result, .. } if result == oid::BOOL => *right,
                        _ => return Err(unproven("CASE/WHEN comparison not yielding boolean")),
                    }
                }
                None => {
                    let c = self.transform(&w.condition)?;
                    self.coerce_to_boolean(c, "CASE/WHEN")?
                }
            };
            whens.push((cond, self.transform(&w.result)?));
        }
        let default = match else_result {
            Some(e) => self.transform(e)?,
            None => unknown(None),
        };
        let mut all = vec![default.clone()];
        all.extend(whens.iter().map(|(_, r)| r.clone()));
        let t = self.common_type(&all, "CASE")?;
        let default = self.coerce_to_common(default, t, "CASE/ELSE")?;
        let whens = whens
            .into_iter()
            .map(|(c, r)| Ok((c, self.coerce_to_common(r, t, "CASE/WHEN")?)))
            .collect::<Result<Vec<_>, Unproven>>()?;
        Ok(Node::Case {
            arg: arg.map(Box::new),
            whens,
            default: Box::new(default),
            type_id: t,
        })
    }

    /// `transformArrayExpr`; `target` is (array type, element type,
    /// typmod) when the array is cast.
    fn array(
        &self,
        elems: &[Expr],
        target: Option<(TypeId, TypeId, i32)>,
    ) -> Result<Node, Unproven> {
        let mut nodes = vec![];
        for e in elems {
            let mut inner = e;
            while let Expr::Nested(x) = inner {
                inner = x;
            }
            if matches!(inner, Expr::Array(_)) {
                return Err(unproven("a multidimensional ARRAY[…]"));
            }
            let n = self.transform(e)?;
            if self.is_array(n.type_id()) {
                return Err(unproven("a multidimensional ARRAY[…]"));
            }
            nodes.push(n);
        }
        match target {
            Some((array_type, elem, typmod)) => {
                let elements = nodes
                    .into_iter()
                    .map(|n| {
                        self.coerce_to_target(
                            n,
                            elem,
                            typmod,
                            CoercionContext::Explicit,
                            Form::ExplicitCast,
                            "ARRAY",
                        )
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Node::Array {
                    elements,
                    type_id: array_type,
                    element_type: elem,
                })
            }
            None => {
                if nodes.is_empty() {
                    return Err(unproven(
                        "the server raises 42P18 cannot determine type of empty array",
                    ));
                }
                let t = self.common_type(&nodes, "ARRAY")?;
                let array_type = self.array_of(t)?;
                let elements = nodes
                    .into_iter()
                    .map(|n| self.coerce_to_common(n, t, "ARRAY"))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Node::Array {
                    elements,
                    type_id: array_type,
                    element_type: t,
                })
            }
        }
    }

    fn subscripts(&self, root: &Expr, chain: &[AccessExpr]) -> Result<Node, Unproven> {
        let base = self.transform(root)?;
        let t = base.type_id();
        if !self.is_array(t) {
            return Err(unproven(format!(
                "subscripts of type {}",
                self.type_display(t)
            )));
        }
        let elem = self.elem_of(t)?;
        let mut subs = vec![];
        let mut slice = false;
        let to_int = |e: &Expr| -> Result<Node, Unproven> {
            let n = self.transform(e)?;
            self.coerce_to_target(
                n,
                oid::INT4,
                -1,
                CoercionContext::Assignment,
                Form::ImplicitCast,
                "array subscript",
            )
        };
        for a in chain {
            match a {
                AccessExpr::Subscript(Subscript::Index { index }) => {
                    subs.push((None, Some(to_int(index)?)));
                }
                AccessExpr::Subscript(Subscript::Slice {
                    lower_bound,
                    upper_bound,
                    stride: None,
                }) => {
                    slice = true;
                    subs.push((
                        lower_bound.as_ref().map(&to_int).transpose()?,
                        upper_bound.as_ref().map(&to_int).transpose()?,
                    ));
                }
                _ => return Err(unproven("field access or strided slice")),
            }
        }
        let typmod = base.typmod();
        Ok(Node::Subscript {
            arg: Box::new(base),
            subscripts: subs,
            slice,
            type_id: if slice { t } else { elem },
            typmod,
        })
    }
}

/// `applyRelabelType`.
fn relabel(node: Node, target: TypeId, typmod: i32, form: Form) -> Node {
    let mut arg = node;
    while let Node::Relabel { arg: inner, .. } = arg {
        arg = *inner;
    }
    match arg {
        Node::Const { value, .. } => Node::Const {
            type_id: target,
            typmod,
            value,
        },
        other if other.type_id() == target && other.typmod() == typmod => other,
        other => Node::Relabel {
            arg: Box::new(other),
            type_id: target,
            typmod,
            form,
        },
    }
}

fn int4(v: i32) -> Node {
    Node::Const {
        type_id: oid::INT4,
        typmod: -1,
        value: Some(v.to_string()),
    }
}

fn boolean(v: bool) -> Node {
    Node::Const {
        type_id: oid::BOOL,
        typmod: -1,
        value: Some(if v { "t" } else { "f" }.to_string()),
    }
}

fn unknown(value: Option<String>) -> Node {
    Node::Const {
        type_id: oid::UNKNOWN,
        typmod: -1,
        value,
    }
}

fn short(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_string()
    }
}

/// An identifier as the server folds it: unquoted ones to lower case.
fn fold(id: &Ident) -> String {
    if id.quote_style.is_some() {
        id.value.clone()
    } else {
        id.value.to_ascii_lowercase()
    }
}

fn object_parts(name: &ObjectName) -> Result<Vec<String>, Unproven> {
    name.0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(id) => Ok(fold(id)),
            _ => Err(unproven(format!("name {name}"))),
        })
        .collect()
}

fn collect_chain<'e>(e: &'e Expr, op: &BinaryOperator, out: &mut Vec<&'e Expr>) {
    if let Expr::BinaryOp { left, op: o, right } = e {
        if o == op {
            let mut l: &Expr = left;
            while let Expr::Nested(x) = l {
                l = x;
            }
            if matches!(l, Expr::BinaryOp { op: lo, .. } if lo == op) {
                collect_chain(l, op, out);
            } else {
                out.push(left);
            }
            out.push(right);
            return;
        }
    }
    out.push(e);
}

fn operator_name(op: &BinaryOperator) -> Result<String, Unproven> {
    match op {
        BinaryOperator::And
        | BinaryOperator::Or
        | BinaryOperator::Xor
        | BinaryOperator::Spaceship
        | BinaryOperator::DuckIntegerDivide
        | BinaryOperator::MyIntegerDivide
        | BinaryOperator::Match
        | BinaryOperator::Regexp
        | BinaryOperator::Glob
        | BinaryOperator::Overlaps
        | BinaryOperator::Assignment
        | BinaryOperator::Is
        | BinaryOperator::IsNot
        | BinaryOperator::PGCustomBinaryOperator(_) => {
            Err(unproven(format!("operator {op} is not encoded")))
        }
        other => Ok(other.to_string()),
    }
}

fn sql_value(name: &str, precision: Option<u32>) -> Option<SqlValue> {
    Some(match (name, precision) {
        ("current_date", None) => SqlValue::CurrentDate,
        ("current_time", p) => SqlValue::CurrentTime(p),
        ("current_timestamp", p) => SqlValue::CurrentTimestamp(p),
        ("localtime", p) => SqlValue::LocalTime(p),
        ("localtimestamp", p) => SqlValue::LocalTimestamp(p),
        ("current_role", None) => SqlValue::CurrentRole,
        ("current_user", None) => SqlValue::CurrentUser,
        ("user", None) => SqlValue::User,
        ("session_user", None) => SqlValue::SessionUser,
        ("current_catalog", None) => SqlValue::CurrentCatalog,
        ("current_schema", None) => SqlValue::CurrentSchema,
        _ => return None,
    })
}

/// gram.y binds unary minus and plus tighter than `^`, `AT TIME ZONE` and
/// `COLLATE`; sqlparser reads `-a ^ b` as `-(a ^ b)`.
fn binds_looser_than_unary(e: &Expr) -> bool {
    matches!(
        e,
        Expr::BinaryOp {
            op: BinaryOperator::PGExp,
            ..
        } | Expr::AtTimeZone { .. }
            | Expr::Collate { .. }
    )
}

/// Moves the unary operator onto the leftmost operand of such a chain.
fn push_unary(e: &mut Expr, op: UnaryOperator) {
    match e {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::PGExp,
            ..
        }
        | Expr::AtTimeZone {
            timestamp: left, ..
        }
        | Expr::Collate { expr: left, .. } => push_unary(left, op),
        other => {
            let operand = std::mem::replace(other, Expr::value(Value::Null));
            *other = Expr::UnaryOp {
                op,
                expr: Box::new(operand),
            };
        }
    }
}

/// A number literal possibly under unary minus and parentheses, as gram.y's
/// `doNegate` folds it: the signed text.
fn fold_number(e: &Expr) -> Option<String> {
    match e {
        Expr::Nested(x) => fold_number(x),
        Expr::Value(v) => match &v.value {
            Value::Number(n, false) => Some(n.clone()),
            _ => None,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => fold_number(expr).map(|n| negate(&n)),
        _ => None,
    }
}

fn negate(n: &str) -> String {
    match n.strip_prefix('-') {
        Some(rest) => rest.to_string(),
        None => format!("-{n}"),
    }
}

/// `numeric_out(numeric_in(text))` for a decimal literal: digits with an
/// optional point and exponent, and an optional sign.
pub fn numeric_text(text: &str) -> Option<String> {
    let (neg, body) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], body[i + 1..].parse::<i64>().ok()?),
        None => (body, 0),
    };
    let (int_part, frac_part) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, ""),
    };
    if int_part.is_empty() && frac_part.is_empty()
        || !int_part.chars().all(|c| c.is_ascii_digit())
        || !frac_part.chars().all(|c| c.is_ascii_digit())
        || exp.abs() > 1000
    {
        return None;
    }
    let digits: String = format!("{int_part}{frac_part}");
    // value = digits × 10^(exp − frac_len); the display scale is
    // max(0, frac_len − exp).
    let frac_len = frac_part.len() as i64;
    let dscale = (frac_len - exp).max(0) as usize;
    let point = int_part.len() as i64 + exp; // digits before the point
    let (mut ip, mut fp) = if point <= 0 {
        (
            String::from("0"),
            format!("{}{}", "0".repeat((-point) as usize), digits),
        )
    } else if point as usize >= digits.len() {
        (
            format!("{}{}", digits, "0".repeat(point as usize - digits.len())),
            String::new(),
        )
    } else {
        (
            digits[..point as usize].to_string(),
            digits[point as usize..].to_string(),
        )
    };
    let trimmed = ip.trim_start_matches('0');
    ip = if trimmed.is_empty() {
        "0".to_string()
    } else {
        trimmed.to_string()
    };
    while fp.len() < dscale {
        fp.push('0');
    }
    fp.truncate(dscale);
    let zero = ip == "0" && fp.chars().all(|c| c == '0');
    let mut out = String::new();
    if neg && !zero {
        out.push('-');
    }
    out.push_str(&ip);
    if dscale > 0 {
        out.push('.');
        out.push_str(&fp);
    }
    Some(out)
}

/// Input/output of the few types whose text form strata can state exactly
/// without the `literal` module: the string types and integers.
fn simple_literal(typname: &str, text: &str) -> Option<String> {
    match typname {
        // citext's input and output functions are textin and textout.
        "text" | "varchar" | "bpchar" | "citext" => Some(text.to_string()),
        "int2" | "int4" | "int8" => {
            let t = text.trim_matches([' ', '\t', '\n', '\r']);
            let (neg, digits) = match t.as_bytes().first()? {
                b'-' => (true, &t[1..]),
                b'+' => (false, &t[1..]),
                _ => (false, t),
            };
            if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let v: i128 = digits.parse().ok()?;
            let v = if neg { -v } else { v };
            let (min, max) = match typname {
                "int2" => (i16::MIN as i128, i16::MAX as i128),
                "int4" => (i32::MIN as i128, i32::MAX as i128),
                _ => (i64::MIN as i128, i64::MAX as i128),
            };
            (min..=max).contains(&v).then(|| v.to_string())
        }
        _ => None,
    }
}

/// `ns.name` / `"Name"` in `format_type` form → its parts.
fn split_qualified(text: &str) -> Option<Vec<String>> {
    let mut parts = vec![];
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted_part = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted_part = true;
                loop {
                    match chars.next()? {
                        '"' if chars.peek() == Some(&'"') => {
                            chars.next();
                            cur.push('"');
                        }
                        '"' => break,
                        ch => cur.push(ch),
                    }
                }
            }
            '.' => {
                parts.push(std::mem::take(&mut cur));
                quoted_part = false;
            }
            c if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$' => {
                if quoted_part {
                    return None;
                }
                cur.push(c)
            }
            _ => return None,
        }
    }
    parts.push(cur);
    if parts.iter().any(String::is_empty) {
        return None;
    }
    Some(parts)
}

/// A relation name as `regclassin` reads it (`stringToQualifiedNameList`):
/// unquoted parts folded to lower case.
fn split_qualified_sql(text: &str) -> Option<Vec<String>> {
    let mut parts = vec![];
    let mut cur = String::new();
    let mut chars = text.trim().chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => loop {
                match chars.next()? {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        cur.push('"');
                    }
                    '"' => break,
                    ch => cur.push(ch),
                }
            },
            '.' => parts.push(std::mem::take(&mut cur)),
            c if c.is_ascii_alphanumeric() || c == '_' || c == '$' => {
                cur.push(c.to_ascii_lowercase())
            }
            _ => return None,
        }
    }
    parts.push(cur);
    if parts.iter().any(String::is_empty) {
        return None;
    }
    Some(parts)
}

/// The text search configurations PostgreSQL 15 ships in `pg_catalog`.
const BUILTIN_TS_CONFIGS: &[&str] = &[
    "arabic",
    "armenian",
    "basque",
    "catalan",
    "danish",
    "dutch",
    "english",
    "finnish",
    "french",
    "german",
    "greek",
    "hindi",
    "hungarian",
    "indonesian",
    "irish",
    "italian",
    "lithuanian",
    "nepali",
    "norwegian",
    "portuguese",
    "romanian",
    "russian",
    "serbian",
    "simple",
    "spanish",
    "swedish",
    "tamil",
    "turkish",
    "yiddish",
];

/// A `regconfig` constant as `regconfigout` prints it: a built-in text
/// search configuration (found first, `pg_catalog` leading the search path)
/// by its bare name. Others are not modelled.
fn regconfig(text: &str) -> Result<String, Unproven> {
    let parts =
        split_qualified_sql(text).ok_or_else(|| unproven(format!("regconfig literal {text:?}")))?;
    let name = match parts.as_slice() {
        [name] => name,
        [ns, name] if ns == "pg_catalog" => name,
        _ => {
            return Err(unproven(format!(
                "regconfig {text:?}: text search configurations outside pg_catalog are not modelled"
            )))
        }
    };
    if BUILTIN_TS_CONFIGS.contains(&name.as_str()) {
        Ok(name.clone())
    } else {
        Err(unproven(format!(
            "regconfig {text:?}: not a built-in text search configuration (the schema's own are not modelled)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_literals_as_numeric_out_prints_them() {
        assert_eq!(numeric_text("1.50").as_deref(), Some("1.50"));
        assert_eq!(numeric_text("1e3").as_deref(), Some("1000"));
        assert_eq!(numeric_text("1.0e-3").as_deref(), Some("0.0010"));
        assert_eq!(numeric_text(".5").as_deref(), Some("0.5"));
        assert_eq!(numeric_text("-1.5").as_deref(), Some("-1.5"));
        assert_eq!(numeric_text("00.0").as_deref(), Some("0.0"));
        assert_eq!(numeric_text("1.5e1").as_deref(), Some("15"));
        assert_eq!(numeric_text("1.25e1").as_deref(), Some("12.5"));
        assert_eq!(numeric_text("abc"), None);
    }

    #[test]
    fn qualified_names() {
        assert_eq!(
            split_qualified("other.thing"),
            Some(vec!["other".into(), "thing".into()])
        );
        assert_eq!(split_qualified("\"MyEnum\""), Some(vec!["MyEnum".into()]));
        assert_eq!(split_qualified("character varying(3)"), None);
        assert_eq!(
            split_qualified_sql("public.\"Users_id_seq\""),
            Some(vec!["public".into(), "Users_id_seq".into()])
        );
        assert_eq!(split_qualified_sql("Seq"), Some(vec!["seq".into()]));
    }

    #[test]
    fn grammar_folds_negative_numbers() {
        let dialect = sqlparser::dialect::PostgreSqlDialect {};
        let e = sqlparser::parser::Parser::new(&dialect)
            .try_with_sql("- (1)")
            .unwrap()
            .parse_expr()
            .unwrap();
        assert_eq!(fold_number(&e).as_deref(), Some("-1"));
        let e = sqlparser::parser::Parser::new(&dialect)
            .try_with_sql("- - 2.5")
            .unwrap()
            .parse_expr()
            .unwrap();
        assert_eq!(fold_number(&e).as_deref(), Some("2.5"));
    }
}
