//! PostgreSQL's built-in rules as data: the entries of `pg_type`, `pg_cast`,
//! `pg_operator` and `pg_proc` that expression analysis needs, generated from
//! a real server by `scripts/gen-catalog` (PostgreSQL 15), plus the
//! resolution algorithms of `parse_coerce.c`, `parse_oper.c` and
//! `parse_func.c` that run over them.
//!
//! Types are named by [`TypeId`]: a built-in's OID, or an id the caller's
//! [`UserTypes`] hands out for a type of the schema (an enum).
//!
//! Nothing here guesses: where the server's rule is not encoded, the answer is
//! [`Resolve::Unsupported`], and analysis reports "cannot prove".

pub type Oid = u32;

/// A type as the analysis sees it: a built-in OID, or a user type's id
/// (`>= USER_TYPE_BASE`) handed out by [`UserTypes`].
pub type TypeId = u32;

/// Ids at or above this are user types (enums of the schema being analysed).
pub const USER_TYPE_BASE: TypeId = 0x8000_0000;

/// Well-known OIDs (stable across PostgreSQL versions).
pub mod oid {
    use super::Oid;
    pub const BOOL: Oid = 16;
    pub const BYTEA: Oid = 17;
    pub const NAME: Oid = 19;
    pub const INT8: Oid = 20;
    pub const INT2: Oid = 21;
    pub const INT4: Oid = 23;
    pub const REGPROC: Oid = 24;
    pub const TEXT: Oid = 25;
    pub const OID: Oid = 26;
    pub const JSON: Oid = 114;
    pub const FLOAT4: Oid = 700;
    pub const FLOAT8: Oid = 701;
    pub const UNKNOWN: Oid = 705;
    pub const BPCHAR: Oid = 1042;
    pub const VARCHAR: Oid = 1043;
    pub const DATE: Oid = 1082;
    pub const TIME: Oid = 1083;
    pub const TIMESTAMP: Oid = 1114;
    pub const TIMESTAMPTZ: Oid = 1184;
    pub const INTERVAL: Oid = 1186;
    pub const TIMETZ: Oid = 1266;
    pub const NUMERIC: Oid = 1700;
    pub const REGCLASS: Oid = 2205;
    pub const UUID: Oid = 2950;
    pub const JSONB: Oid = 3802;
    pub const ANYENUM: Oid = 3500;
    pub const ANYELEMENT: Oid = 2283;
    pub const ANYARRAY: Oid = 2277;
    pub const ANYNONARRAY: Oid = 2776;
    pub const RECORD: Oid = 2249;
}

/// One `pg_type` row, reduced to what analysis needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeInfo {
    pub id: TypeId,
    /// `pg_type.typname` (`int4`, `_text`, `timestamptz`).
    pub typname: String,
    /// What `format_type(oid, NULL)` prints with `search_path = public`
    /// (`integer`, `text[]`, `timestamp with time zone`, `"MyEnum"`).
    pub display: String,
    /// `typtype`: `b` base, `e` enum, `p` pseudo, `d` domain, `c` composite, `r` range, `m` multirange.
    pub typtype: char,
    /// `typcategory`: `N` numeric, `S` string, `D` datetime, `B` boolean, `A` array, `E` enum, `U` user, …
    pub category: char,
    pub preferred: bool,
    /// Element type of an array type, 0 otherwise.
    pub elem: TypeId,
    /// Array type of this type, 0 when none.
    pub array: TypeId,
}

/// How a coercion is performed (`pg_cast.castmethod`, plus the cases
/// `find_coercion_pathway` adds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pathway {
    /// Same type: nothing to do.
    None,
    /// Binary-compatible: a `RelabelType` node.
    Relabel,
    /// A cast function, by its `pg_proc` entry.
    Func(Oid),
    /// Through the output and input functions: a `CoerceViaIO` node.
    ViaIo,
    /// Element by element (`ArrayCoerceExpr`): the element pathway.
    Array(Box<Pathway>),
}

/// `COERCION_IMPLICIT`, `COERCION_ASSIGNMENT`, `COERCION_EXPLICIT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CoercionContext {
    Implicit,
    Assignment,
    Explicit,
}

/// One `pg_operator` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperInfo {
    pub oid: Oid,
    pub name: String,
    /// 0 for a prefix operator.
    pub left: TypeId,
    pub right: TypeId,
    pub result: TypeId,
    /// `oprcode`: the function that implements it.
    pub proc: Oid,
}

/// One `pg_proc` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcInfo {
    pub oid: Oid,
    pub name: String,
    /// `proargtypes` (input arguments only).
    pub args: Vec<TypeId>,
    pub result: TypeId,
    pub retset: bool,
    /// Element type of a VARIADIC argument (`provariadic`), 0 when none.
    pub variadic: TypeId,
    /// `pronargdefaults`.
    pub n_defaults: u16,
    /// `prokind`: `f` function, `a` aggregate, `w` window, `p` procedure.
    pub kind: char,
    /// `provolatile`: `i`, `s` or `v`.
    pub volatile: char,
}

/// The outcome of a resolution: found, the server would raise an error, or
/// a case this module does not encode (analysis then cannot prove anything).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolve<T> {
    Found(T),
    /// PostgreSQL raises this error (e.g. `42883` operator does not exist,
    /// `42725` ambiguous).
    Error {
        sqlstate: &'static str,
        message: String,
    },
    Unsupported(String),
}

/// An operator chosen for argument types, with what each argument must be
/// coerced to and the result type after polymorphic resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChosenOper {
    pub oper: OperInfo,
    pub left: Option<TypeId>,
    pub right: TypeId,
    pub result: TypeId,
}

/// A function chosen for argument types (`func_get_detail`): the coercion
/// target of every actual argument, the result type after polymorphic
/// resolution, and whether the trailing arguments were folded into a
/// VARIADIC array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChosenFunc {
    pub proc: ProcInfo,
    pub args: Vec<TypeId>,
    pub result: TypeId,
    pub variadic_folded: bool,
}

/// Types of the schema being analysed, beyond the built-ins.
pub trait UserTypes {
    fn info(&self, id: TypeId) -> Option<TypeInfo>;
}

/// No user types.
pub struct NoUserTypes;

impl UserTypes for NoUserTypes {
    fn info(&self, _: TypeId) -> Option<TypeInfo> {
        None
    }
}

/// The built-in catalog of one PostgreSQL major version, and of the
/// extensions the generator read.
#[derive(Debug, Default)]
pub struct Catalog {
    _private: (),
}

impl Catalog {
    /// PostgreSQL 15's built-ins.
    pub fn pg15() -> &'static Catalog {
        static EMPTY: Catalog = Catalog { _private: () };
        &EMPTY
    }

    pub fn type_info(&self, _id: TypeId) -> Option<&TypeInfo> {
        None
    }

    /// A built-in type by `typname` (`int4`, `_text`) or by the name
    /// `format_type` prints (`integer`, `text[]`, `character varying`).
    pub fn type_named(&self, _name: &str) -> Option<&TypeInfo> {
        None
    }

    pub fn proc(&self, _oid: Oid) -> Option<&ProcInfo> {
        None
    }
}

/// What resolution runs against: the built-ins, the extensions the schema
/// installed (their objects join the candidates), and the schema's own
/// types.
pub struct Env<'a> {
    pub catalog: &'a Catalog,
    /// Names of the extensions installed (`pg_trgm`, `citext`, …).
    pub extensions: Vec<String>,
    pub user: &'a dyn UserTypes,
}

impl Env<'_> {
    /// A built-in, extension or user type.
    pub fn type_info(&self, id: TypeId) -> Option<TypeInfo> {
        if id >= USER_TYPE_BASE {
            self.user.info(id)
        } else {
            self.catalog.type_info(id).cloned()
        }
    }

    /// `find_coercion_pathway` for `from` → `to` in `context`;
    /// `Error` when no such coercion exists.
    pub fn coercion(
        &self,
        _from: TypeId,
        _to: TypeId,
        _context: CoercionContext,
    ) -> Resolve<Pathway> {
        Resolve::Unsupported("the built-in catalog is not loaded".to_string())
    }

    /// `oper()` (binary, `left` given) / `left_oper()` (prefix, `left`
    /// None): the operator `name` chosen for these argument types, unknown
    /// literals being `oid::UNKNOWN`.
    pub fn oper(&self, _name: &str, _left: Option<TypeId>, _right: TypeId) -> Resolve<ChosenOper> {
        Resolve::Unsupported("the built-in catalog is not loaded".to_string())
    }

    /// `func_get_detail` for a plain call `name(args…)` (no named
    /// arguments, no `VARIADIC` keyword), `name` unqualified or
    /// `pg_catalog`-qualified.
    pub fn func(&self, _name: &str, _args: &[TypeId]) -> Resolve<ChosenFunc> {
        Resolve::Unsupported("the built-in catalog is not loaded".to_string())
    }

    /// `select_common_type` (CASE, COALESCE, ARRAY[…], IN lists, VALUES):
    /// `context` names the construct for the error message.
    pub fn common_type(&self, _types: &[TypeId], _context: &str) -> Resolve<TypeId> {
        Resolve::Unsupported("the built-in catalog is not loaded".to_string())
    }
}
