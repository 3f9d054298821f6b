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

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

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
    pub const INT2VECTOR: Oid = 22;
    pub const OIDVECTOR: Oid = 30;
    pub const CHAR: Oid = 18;
    pub const ANY: Oid = 2276;
    pub const RECORD_ARRAY: Oid = 2287;
    pub const TEXT_ARRAY: Oid = 1009;
    pub const ANYRANGE: Oid = 3831;
    pub const ANYMULTIRANGE: Oid = 4537;
    pub const ANYCOMPATIBLE: Oid = 5077;
    pub const ANYCOMPATIBLEARRAY: Oid = 5078;
    pub const ANYCOMPATIBLENONARRAY: Oid = 5079;
    pub const ANYCOMPATIBLERANGE: Oid = 5080;
    pub const ANYCOMPATIBLEMULTIRANGE: Oid = 4538;
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
    /// `typstorage`: `p` plain, `e` external, `m` main, `x` extended.
    pub storage: char,
    /// `typlen`: bytes, `-1` varlena, `-2` C string.
    pub len: i16,
    /// `typcollation <> 0`: the type is collatable.
    pub collatable: bool,
}

impl TypeInfo {
    /// A user enum `id` (its array type `array`, 0 if none), as
    /// `CREATE TYPE … AS ENUM` makes it.
    pub fn user_enum(id: TypeId, typname: &str, display: &str, array: TypeId) -> TypeInfo {
        TypeInfo {
            id,
            typname: typname.to_string(),
            display: display.to_string(),
            typtype: 'e',
            category: 'E',
            preferred: false,
            elem: 0,
            array,
            storage: 'p',
            len: 4,
            collatable: false,
        }
    }

    /// The array type `id` of a user enum `elem` (`_mood`, `mood[]`).
    pub fn user_enum_array(id: TypeId, elem: &TypeInfo) -> TypeInfo {
        TypeInfo {
            id,
            typname: format!("_{}", elem.typname),
            display: format!("{}[]", elem.display),
            typtype: 'b',
            category: 'A',
            preferred: false,
            elem: elem.id,
            array: 0,
            storage: 'x',
            len: -1,
            collatable: false,
        }
    }
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
    /// `proisstrict`.
    pub strict: bool,
}

/// One `pg_cast` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CastInfo {
    pub source: TypeId,
    pub target: TypeId,
    /// `castfunc`, 0 when none.
    pub func: Oid,
    /// `castcontext`: `i`, `a` or `e`.
    pub context: char,
    /// `castmethod`: `f` function, `b` binary-coercible, `i` I/O.
    pub method: char,
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
    /// The type `id` (at or above [`USER_TYPE_BASE`]); borrowed where the
    /// implementation keeps it, as type resolution asks for the same few
    /// types many times over.
    fn info(&self, id: TypeId) -> Option<Cow<'_, TypeInfo>>;

    /// A user type by its unqualified name, for `name(arg)` calls that
    /// PostgreSQL reads as a cast when `name` is a type. The default (no
    /// user type has that name) is only right for schemas without types.
    fn type_named(&self, _name: &str) -> Option<TypeId> {
        None
    }

    /// Whether every user type is an enum (even id) or its array (the next
    /// id), alike in all but name: then an operator resolved for one enum is
    /// resolved alike for any other, and [`Env::oper`] may remember it.
    fn enums_only(&self) -> bool {
        false
    }
}

/// No user types.
pub struct NoUserTypes;

impl UserTypes for NoUserTypes {
    fn info(&self, _: TypeId) -> Option<Cow<'_, TypeInfo>> {
        None
    }
}

/// Ids at or above this (and below [`USER_TYPE_BASE`]) are objects of an
/// extension: synthetic, stable ids the generator gave them (their real
/// OIDs differ per database).
pub const EXTENSION_ID_BASE: u32 = 0x4000_0000;

/// The generated data: `scripts/gen-catalog` against PostgreSQL 15.
const PG15_TEXT: &str = include_str!("pg15.txt");

/// The built-in catalog of one PostgreSQL major version, and of the
/// extensions the generator read.
#[derive(Debug, Default)]
pub struct Catalog {
    _private: (),
    /// The extensions read, with their versions (`citext`, `1.6`).
    extensions: Vec<(String, String)>,
    types: HashMap<TypeId, TypeInfo>,
    type_ext: HashMap<TypeId, String>,
    builtin_type_names: HashMap<String, TypeId>,
    ext_type_names: HashMap<String, TypeId>,
    casts: HashMap<(TypeId, TypeId), CastInfo>,
    cast_ext: HashMap<(TypeId, TypeId), String>,
    opers: HashMap<Oid, OperInfo>,
    oper_ext: HashMap<Oid, String>,
    opers_by_name: HashMap<String, Vec<Oid>>,
    procs: HashMap<Oid, ProcInfo>,
    proc_ext: HashMap<Oid, String>,
    procs_by_name: HashMap<String, Vec<Oid>>,
    /// `pg_range`: range type → (subtype, multirange type).
    ranges: HashMap<TypeId, (TypeId, TypeId)>,
}

fn parse_bool(s: &str) -> bool {
    s == "t"
}

fn parse_char(s: &str) -> char {
    s.chars().next().unwrap_or('\0')
}

fn parse_ext(s: &str) -> Option<String> {
    (s != "-").then(|| s.to_string())
}

impl Catalog {
    /// PostgreSQL 15's built-ins (parsed once, at first use).
    pub fn pg15() -> &'static Catalog {
        static PG15: OnceLock<Catalog> = OnceLock::new();
        PG15.get_or_init(|| {
            Catalog::parse(PG15_TEXT).expect("the generated catalog core/src/catalog/pg15.txt")
        })
    }

    /// Parses the generator's text format (see `scripts/gen-catalog`).
    pub fn parse(text: &str) -> Result<Catalog, String> {
        let mut c = Catalog::default();
        for (n, line) in text.lines().enumerate() {
            let bad = |what: &str| format!("pg15.txt line {}: {what}: {line}", n + 1);
            if let Some(rest) = line.strip_prefix("# extensions: ") {
                for item in rest.split_whitespace() {
                    let (name, version) = item.split_once('=').ok_or_else(|| bad("extension"))?;
                    c.extensions.push((name.to_string(), version.to_string()));
                }
                continue;
            }
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            let num = |i: usize| -> Result<u32, String> {
                f.get(i)
                    .and_then(|v| v.parse::<u32>().ok())
                    .ok_or_else(|| bad("number"))
            };
            match f[0] {
                "T" if f.len() == 13 => {
                    let info = TypeInfo {
                        id: num(1)?,
                        typname: f[2].to_string(),
                        display: f[3].to_string(),
                        typtype: parse_char(f[4]),
                        category: parse_char(f[5]),
                        preferred: parse_bool(f[6]),
                        elem: num(7)?,
                        array: num(8)?,
                        storage: parse_char(f[9]),
                        len: f[10].parse().map_err(|_| bad("typlen"))?,
                        collatable: parse_bool(f[11]),
                    };
                    if let Some(ext) = parse_ext(f[12]) {
                        c.ext_type_names.insert(info.typname.clone(), info.id);
                        c.ext_type_names.insert(info.display.clone(), info.id);
                        c.type_ext.insert(info.id, ext);
                    } else {
                        c.builtin_type_names
                            .entry(info.typname.clone())
                            .or_insert(info.id);
                        c.builtin_type_names
                            .entry(info.display.clone())
                            .or_insert(info.id);
                    }
                    c.types.insert(info.id, info);
                }
                "C" if f.len() == 7 => {
                    let cast = CastInfo {
                        source: num(1)?,
                        target: num(2)?,
                        func: num(3)?,
                        context: parse_char(f[4]),
                        method: parse_char(f[5]),
                    };
                    let key = (cast.source, cast.target);
                    if let Some(ext) = parse_ext(f[6]) {
                        c.cast_ext.insert(key, ext);
                    }
                    c.casts.insert(key, cast);
                }
                "R" if f.len() == 4 => {
                    c.ranges.insert(num(1)?, (num(2)?, num(3)?));
                }
                "O" if f.len() == 9 => {
                    let info = OperInfo {
                        oid: num(1)?,
                        name: f[2].to_string(),
                        left: num(4)?,
                        right: num(5)?,
                        result: num(6)?,
                        proc: num(7)?,
                    };
                    if let Some(ext) = parse_ext(f[8]) {
                        c.oper_ext.insert(info.oid, ext);
                    }
                    c.opers_by_name
                        .entry(info.name.clone())
                        .or_default()
                        .push(info.oid);
                    c.opers.insert(info.oid, info);
                }
                "P" if f.len() == 12 => {
                    let args = if f[3].is_empty() {
                        Vec::new()
                    } else {
                        f[3].split(',')
                            .map(|a| a.parse::<u32>().map_err(|_| bad("argument type")))
                            .collect::<Result<_, _>>()?
                    };
                    let info = ProcInfo {
                        oid: num(1)?,
                        name: f[2].to_string(),
                        args,
                        result: num(4)?,
                        retset: parse_bool(f[5]),
                        variadic: num(6)?,
                        n_defaults: f[7].parse().map_err(|_| bad("pronargdefaults"))?,
                        kind: parse_char(f[8]),
                        volatile: parse_char(f[9]),
                        strict: parse_bool(f[10]),
                    };
                    if let Some(ext) = parse_ext(f[11]) {
                        c.proc_ext.insert(info.oid, ext);
                    }
                    c.procs_by_name
                        .entry(info.name.clone())
                        .or_default()
                        .push(info.oid);
                    c.procs.insert(info.oid, info);
                }
                _ => return Err(bad("unrecognised line")),
            }
        }
        for list in c.opers_by_name.values_mut() {
            list.sort_unstable();
        }
        for list in c.procs_by_name.values_mut() {
            list.sort_unstable();
        }
        Ok(c)
    }

    /// The extensions the generator read, with their versions.
    pub fn extensions(&self) -> &[(String, String)] {
        &self.extensions
    }

    /// A built-in or extension type.
    pub fn type_info(&self, id: TypeId) -> Option<&TypeInfo> {
        self.types.get(&id)
    }

    /// A built-in type by `typname` (`int4`, `_text`) or by the name
    /// `format_type` prints (`integer`, `text[]`, `character varying`).
    /// Extension types are not found here: see [`Catalog::extension_type_named`].
    pub fn type_named(&self, name: &str) -> Option<&TypeInfo> {
        self.builtin_type_names
            .get(name)
            .and_then(|id| self.types.get(id))
    }

    /// A type of an extension (`citext`, `hstore`, `citext[]`), with the
    /// extension's name.
    pub fn extension_type_named(&self, name: &str) -> Option<(&TypeInfo, &str)> {
        let id = self.ext_type_names.get(name)?;
        Some((self.types.get(id)?, self.type_ext.get(id)?.as_str()))
    }

    /// Every type (built-in and extension), in no particular order.
    pub fn types(&self) -> impl Iterator<Item = &TypeInfo> {
        self.types.values()
    }

    pub fn proc(&self, oid: Oid) -> Option<&ProcInfo> {
        self.procs.get(&oid)
    }

    /// Every function named `name` (built-in and extension), by OID.
    pub fn procs_named<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s ProcInfo> + 's {
        self.procs_by_name
            .get(name)
            .into_iter()
            .flatten()
            .filter_map(|oid| self.procs.get(oid))
    }

    /// Every function (built-in and extension), in no particular order.
    pub fn procs(&self) -> impl Iterator<Item = &ProcInfo> {
        self.procs.values()
    }

    pub fn oper_by_oid(&self, oid: Oid) -> Option<&OperInfo> {
        self.opers.get(&oid)
    }

    /// Every operator named `name` (built-in and extension), by OID.
    pub fn opers_named<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s OperInfo> + 's {
        self.opers_by_name
            .get(name)
            .into_iter()
            .flatten()
            .filter_map(|oid| self.opers.get(oid))
    }

    /// Every operator (built-in and extension), in no particular order.
    pub fn opers(&self) -> impl Iterator<Item = &OperInfo> {
        self.opers.values()
    }

    /// The `pg_cast` row `source` → `target`, if any.
    pub fn cast(&self, source: TypeId, target: TypeId) -> Option<&CastInfo> {
        self.casts.get(&(source, target))
    }

    /// Every cast (built-in and extension), in no particular order.
    pub fn casts(&self) -> impl Iterator<Item = &CastInfo> {
        self.casts.values()
    }

    /// `pg_range.rngsubtype` of a range type.
    pub fn range_subtype(&self, range: TypeId) -> Option<TypeId> {
        self.ranges.get(&range).map(|r| r.0)
    }

    /// The range type of a multirange type.
    pub fn multirange_range(&self, multirange: TypeId) -> Option<TypeId> {
        self.ranges
            .iter()
            .find(|(_, (_, m))| *m == multirange)
            .map(|(r, _)| *r)
    }

    /// The multirange type of a range type.
    pub fn range_multirange(&self, range: TypeId) -> Option<TypeId> {
        self.ranges.get(&range).map(|r| r.1)
    }

    /// The extension a type belongs to; None for a built-in.
    pub fn type_extension(&self, id: TypeId) -> Option<&str> {
        self.type_ext.get(&id).map(String::as_str)
    }

    /// The extension a function belongs to; None for a built-in.
    pub fn proc_extension(&self, oid: Oid) -> Option<&str> {
        self.proc_ext.get(&oid).map(String::as_str)
    }

    /// The extension an operator belongs to; None for a built-in.
    pub fn oper_extension(&self, oid: Oid) -> Option<&str> {
        self.oper_ext.get(&oid).map(String::as_str)
    }

    /// The extension a cast belongs to; None for a built-in.
    pub fn cast_extension(&self, source: TypeId, target: TypeId) -> Option<&str> {
        self.cast_ext.get(&(source, target)).map(String::as_str)
    }
}

/// What resolution runs against: the built-ins, the extensions the schema
/// installed (their objects join the candidates), and the schema's own
/// types.
///
/// What the rules assume (callers must refuse the other cases):
/// - the search path is the default one: `pg_catalog` first, then the
///   schema holding the extensions (a built-in with the same arguments as an
///   extension's function or operator hides it);
/// - the schema defines no functions, operators or casts of its own (only
///   the built-ins and the listed extensions' are candidates);
/// - user types are enums (and their arrays); a domain anywhere makes the
///   answer `Unsupported`.
pub struct Env<'a> {
    pub catalog: &'a Catalog,
    /// Names of the extensions installed (`pg_trgm`, `citext`, …).
    pub extensions: Vec<String>,
    pub user: &'a dyn UserTypes,
}

impl Env<'_> {
    /// The PostgreSQL 15 built-ins, the given extensions, no user types.
    pub fn pg15(extensions: &[&str]) -> Env<'static> {
        Env {
            catalog: Catalog::pg15(),
            extensions: extensions.iter().map(|e| e.to_string()).collect(),
            user: &NoUserTypes,
        }
    }

    /// An installed extension whose objects the catalog does not hold
    /// (`plpgsql` aside: it defines no functions a call can reach). Such an
    /// extension may define a function or operator that takes a call the
    /// built-ins would otherwise take, so only exact matches are proven
    /// while one is installed.
    pub fn uncovered_extension(&self) -> Option<&str> {
        self.extensions
            .iter()
            .map(String::as_str)
            .find(|e| *e != "plpgsql" && !self.catalog.extensions.iter().any(|(n, _)| n == e))
    }

    fn ext_visible(&self, ext: Option<&str>) -> bool {
        match ext {
            None => true,
            Some(e) => self.extensions.iter().any(|x| x == e),
        }
    }

    /// A built-in type, or a type of an installed extension, by `typname`
    /// or display name.
    pub fn type_named(&self, name: &str) -> Option<TypeInfo> {
        if let Some(t) = self.catalog.type_named(name) {
            return Some(t.clone());
        }
        match self.catalog.extension_type_named(name) {
            Some((t, ext)) if self.ext_visible(Some(ext)) => Some(t.clone()),
            _ => None,
        }
    }

    /// The functions named `name` a call can see: built-ins and those of
    /// installed extensions.
    pub fn visible_procs<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s ProcInfo> + 's {
        self.catalog
            .procs_named(name)
            .filter(move |p| self.ext_visible(self.catalog.proc_extension(p.oid)))
    }

    /// The operators named `name` an expression can see.
    pub fn visible_opers<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s OperInfo> + 's {
        self.catalog
            .opers_named(name)
            .filter(move |o| self.ext_visible(self.catalog.oper_extension(o.oid)))
    }

    /// The `pg_cast` row `source` → `target` if built-in or of an installed
    /// extension.
    pub fn cast(&self, source: TypeId, target: TypeId) -> Option<&CastInfo> {
        let c = self.catalog.cast(source, target)?;
        self.ext_visible(self.catalog.cast_extension(source, target))
            .then_some(c)
    }

    /// A built-in, extension or user type. Borrowed from the catalog (no
    /// copy of its names: analysis asks for types at every node).
    pub fn type_info(&self, id: TypeId) -> Option<Cow<'_, TypeInfo>> {
        if id >= USER_TYPE_BASE {
            self.user.info(id)
        } else {
            self.catalog.type_info(id).map(Cow::Borrowed)
        }
    }
}

mod resolve;

#[cfg(test)]
mod tests;
