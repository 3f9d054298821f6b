//! The built-in catalog (`core/src/catalog/pg15.txt`) and the resolution
//! rules over it, against the real server:
//!
//! * the committed data equals what the server holds now (regenerating the
//!   file is the only way to change it), read independently here;
//! * a differential test: for ~200 operator and function calls over typed
//!   columns and literals, the server's parse tree (a view's stored
//!   `pg_rewrite.ev_action`: `OPEXPR :opno`, `FUNCEXPR :funcid`, the result
//!   type and the type of every argument after coercion) or its error
//!   (SQLSTATE and message) must be what `Env::oper` / `Env::func` /
//!   `Env::common_type` predict.

use crate::support;

use std::collections::HashMap;

use strata_core::catalog::{
    Catalog, ChosenFunc, ChosenOper, Env, Resolve, TypeId, TypeInfo, UserTypes, USER_TYPE_BASE,
};
use support::TestDb;

// ---------------------------------------------------------------- data ----

#[tokio::test]
async fn committed_builtin_catalog_equals_the_server() {
    let db = TestDb::create("catalog_data").await;
    let client = db.client().await;
    let cat = Catalog::pg15();
    client
        .batch_execute("SET search_path = public")
        .await
        .unwrap();

    let rows = client
        .query(
            "SELECT t.oid, t.typname, format_type(t.oid, NULL), t.typtype, t.typcategory, \
             t.typispreferred, t.typelem, t.typarray, t.typstorage, t.typlen, t.typcollation <> 0 \
             FROM pg_type t WHERE t.typnamespace = 'pg_catalog'::regnamespace",
            &[],
        )
        .await
        .unwrap();
    assert!(rows.len() > 400, "pg_catalog has its types");
    for r in &rows {
        let id: u32 = r.get(0);
        let chr = |i: usize| r.get::<_, i8>(i) as u8 as char;
        let expected = TypeInfo {
            id,
            typname: r.get(1),
            display: r.get(2),
            typtype: chr(3),
            category: chr(4),
            preferred: r.get(5),
            elem: r.get(6),
            array: r.get(7),
            storage: chr(8),
            len: r.get(9),
            collatable: r.get(10),
        };
        assert_eq!(cat.type_info(id), Some(&expected), "pg_type {id}");
    }
    let builtin_types = cat.types().filter(|t| t.id < 0x4000_0000).count();
    assert_eq!(builtin_types, rows.len(), "no extra built-in types");

    let rows = client
        .query(
            "SELECT o.oid, o.oprname, o.oprleft, o.oprright, o.oprresult, o.oprcode::oid \
             FROM pg_operator o WHERE o.oprnamespace = 'pg_catalog'::regnamespace",
            &[],
        )
        .await
        .unwrap();
    for r in &rows {
        let o = cat.oper_by_oid(r.get(0)).expect("operator in the catalog");
        assert_eq!(
            (o.name.as_str(), o.left, o.right, o.result, o.proc),
            (
                r.get::<_, String>(1).as_str(),
                r.get(2),
                r.get(3),
                r.get(4),
                r.get(5)
            )
        );
    }
    assert_eq!(
        cat.opers().filter(|o| o.oid < 0x4000_0000).count(),
        rows.len()
    );

    let rows = client
        .query(
            "SELECT p.oid, p.proname, p.proargtypes::oid[], p.prorettype, p.proretset, \
             p.provariadic, p.pronargdefaults, p.prokind, p.provolatile, p.proisstrict \
             FROM pg_proc p WHERE p.pronamespace = 'pg_catalog'::regnamespace",
            &[],
        )
        .await
        .unwrap();
    for r in &rows {
        let oid: u32 = r.get(0);
        let p = cat
            .proc(oid)
            .unwrap_or_else(|| panic!("function {oid} not in the catalog"));
        let chr = |i: usize| r.get::<_, i8>(i) as u8 as char;
        assert_eq!(p.name, r.get::<_, String>(1), "{oid}");
        assert_eq!(p.args, r.get::<_, Vec<u32>>(2), "{oid}");
        assert_eq!(p.result, r.get::<_, u32>(3), "{oid}");
        assert_eq!(p.retset, r.get::<_, bool>(4), "{oid}");
        assert_eq!(p.variadic, r.get::<_, u32>(5), "{oid}");
        assert_eq!(p.n_defaults as i16, r.get::<_, i16>(6), "{oid}");
        assert_eq!((p.kind, p.volatile), (chr(7), chr(8)), "{oid}");
        assert_eq!(p.strict, r.get::<_, bool>(9), "{oid}");
    }
    assert_eq!(
        cat.procs().filter(|p| p.oid < 0x4000_0000).count(),
        rows.len()
    );

    let rows = client
        .query(
            "SELECT castsource, casttarget, castfunc, castcontext, castmethod FROM pg_cast \
             WHERE oid < 16384",
            &[],
        )
        .await
        .unwrap();
    for r in &rows {
        let c = cat.cast(r.get(0), r.get(1)).expect("cast in the catalog");
        let chr = |i: usize| r.get::<_, i8>(i) as u8 as char;
        assert_eq!(
            (c.func, c.context, c.method),
            (r.get::<_, u32>(2), chr(3), chr(4))
        );
    }
}

/// The whole file (extensions included) is what the generator writes from
/// the server now.
#[test]
fn committed_file_equals_a_fresh_generation() {
    let root = support::repo_root();
    let out = tempfile::NamedTempFile::new().unwrap();
    let status = std::process::Command::new(root.join("scripts/gen-catalog"))
        .arg(out.path())
        .env("DATABASE_URL", support::database_url())
        .status()
        .expect("scripts/gen-catalog runs (python3 and psql on PATH)");
    assert!(status.success(), "scripts/gen-catalog failed");
    let fresh = std::fs::read_to_string(out.path()).unwrap();
    let committed = std::fs::read_to_string(root.join("core/src/catalog/pg15.txt")).unwrap();
    if fresh != committed {
        let diff = similar::TextDiff::from_lines(&committed, &fresh);
        let changes: Vec<String> = diff
            .iter_all_changes()
            .filter(|c| c.tag() != similar::ChangeTag::Equal)
            .take(20)
            .map(|c| format!("{}{}", c.tag(), c.value()))
            .collect();
        panic!(
            "pg15.txt differs from the server; run scripts/gen-catalog:\n{}",
            changes.join("")
        );
    }
}

// ------------------------------------------------------- node trees ----

/// A parsed `nodeToString` item.
#[derive(Debug, Clone)]
enum Item {
    Atom(String),
    Node(String, Vec<(String, Vec<Item>)>),
    List(Vec<Item>),
}

fn tokenize(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if "{}()[]".contains(c) {
            out.push(c.to_string());
            chars.next();
        } else if c == '"' {
            let mut t = String::new();
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => t.extend(chars.next()),
                    '"' => break,
                    c => t.push(c),
                }
            }
            out.push(t);
        } else {
            let mut t = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || "{}()[]".contains(c) {
                    break;
                }
                if c == '\\' {
                    chars.next();
                    t.extend(chars.next());
                    continue;
                }
                t.push(c);
                chars.next();
            }
            out.push(t);
        }
    }
    out
}

fn parse_items(toks: &[String], pos: &mut usize, end: &str) -> Vec<Item> {
    let mut items = Vec::new();
    while *pos < toks.len() && toks[*pos] != end && !(end == "}" && toks[*pos].starts_with(':')) {
        items.push(parse_item(toks, pos));
    }
    items
}

fn parse_item(toks: &[String], pos: &mut usize) -> Item {
    let t = toks[*pos].clone();
    *pos += 1;
    match t.as_str() {
        "{" => {
            let name = toks[*pos].clone();
            *pos += 1;
            let mut fields = Vec::new();
            while toks[*pos] != "}" {
                let key = toks[*pos].trim_start_matches(':').to_string();
                *pos += 1;
                let value = parse_items(toks, pos, "}");
                fields.push((key, value));
            }
            *pos += 1;
            Item::Node(name, fields)
        }
        "(" => {
            let mut items = Vec::new();
            while toks[*pos] != ")" {
                items.push(parse_item(toks, pos));
            }
            *pos += 1;
            Item::List(items)
        }
        "[" => {
            let mut items = Vec::new();
            while toks[*pos] != "]" {
                items.push(Item::Atom(toks[*pos].clone()));
                *pos += 1;
            }
            *pos += 1;
            Item::List(items)
        }
        _ => Item::Atom(t),
    }
}

impl Item {
    fn field(&self, key: &str) -> Option<&[Item]> {
        match self {
            Item::Node(_, fields) => fields
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_slice()),
            _ => None,
        }
    }

    fn num(&self, key: &str) -> u32 {
        match self.field(key) {
            Some([Item::Atom(a)]) => a.parse().unwrap_or_else(|_| panic!("{key}: {a}")),
            other => panic!("no numeric field {key}: {other:?} in {}", self.name()),
        }
    }

    fn name(&self) -> &str {
        match self {
            Item::Node(n, _) => n,
            _ => "",
        }
    }

    fn list(&self, key: &str) -> Vec<Item> {
        match self.field(key) {
            Some([Item::List(items)]) => items.clone(),
            _ => Vec::new(),
        }
    }

    /// The type an expression node yields.
    fn expr_type(&self) -> u32 {
        match self.name() {
            "VAR" => self.num("vartype"),
            "CONST" => self.num("consttype"),
            "FUNCEXPR" => self.num("funcresulttype"),
            "OPEXPR" => self.num("opresulttype"),
            "RELABELTYPE" | "COERCEVIAIO" | "ARRAYCOERCEEXPR" => self.num("resulttype"),
            "ARRAYEXPR" => self.num("array_typeid"),
            "COALESCEEXPR" => self.num("coalescetype"),
            "CASEEXPR" => self.num("casetype"),
            other => panic!("expression node {other} not handled by the test"),
        }
    }
}

// ------------------------------------------------- differential test ----

const FIXTURE: &str = r#"
CREATE EXTENSION citext;
CREATE EXTENSION pg_trgm;
CREATE EXTENSION hstore;
CREATE EXTENSION fuzzystrmatch;
CREATE EXTENSION pgcrypto;
CREATE EXTENSION "uuid-ossp";
CREATE EXTENSION unaccent;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE t (
    i2 smallint, i4 integer, i8 bigint, num numeric, f4 real, f8 double precision,
    txt text, vc varchar(20), bp char(5), nm name, ch "char", b boolean, by bytea,
    d date, ts timestamp, tstz timestamptz, iv interval, tm time,
    js json, jb jsonb, u uuid, m mood, ci citext, hs hstore,
    ia integer[], ta text[], ma mood[], ir int4range, o oid, inet_ inet
);
CREATE SEQUENCE s;
"#;

/// The fixture's enum, as strata's analyzer would hand it over.
struct Mood;

const MOOD: TypeId = USER_TYPE_BASE;
const MOOD_ARRAY: TypeId = USER_TYPE_BASE + 1;

impl UserTypes for Mood {
    fn info(&self, id: TypeId) -> Option<std::borrow::Cow<'_, TypeInfo>> {
        let mood = TypeInfo::user_enum(MOOD, "mood", "mood", MOOD_ARRAY);
        match id {
            MOOD => Some(std::borrow::Cow::Owned(mood)),
            MOOD_ARRAY => Some(std::borrow::Cow::Owned(TypeInfo::user_enum_array(
                MOOD_ARRAY, &mood,
            ))),
            _ => None,
        }
    }

    fn type_named(&self, name: &str) -> Option<TypeId> {
        (name == "mood").then_some(MOOD)
    }
}

enum Call {
    /// Binary (`Some` left) or prefix operator over argument type names.
    Op(&'static str, Option<&'static str>, &'static str),
    Func(&'static str, &'static [&'static str]),
    Common(&'static str, &'static [&'static str]),
    /// `name(arg)` that the server reads as a cast to type `name`.
    Cast(&'static str, &'static str),
}

use Call::{Cast, Common, Func, Op};

/// (SQL expression over table `t`, the same call for strata). Types are
/// named as `format_type` prints them; `unknown` is a quoted literal.
const CASES: &[(&str, Call)] = &[
    // arithmetic and numeric promotion
    ("i4 + 1.5", Op("+", Some("integer"), "numeric")),
    ("i4 + 1", Op("+", Some("integer"), "integer")),
    ("i2 + i4", Op("+", Some("smallint"), "integer")),
    ("i2 + i2", Op("+", Some("smallint"), "smallint")),
    ("i8 * i4", Op("*", Some("bigint"), "integer")),
    ("i4 / 2.0", Op("/", Some("integer"), "numeric")),
    ("f4 * 2", Op("*", Some("real"), "integer")),
    ("f8 + num", Op("+", Some("double precision"), "numeric")),
    ("num + f4", Op("+", Some("numeric"), "real")),
    ("i8 + num", Op("+", Some("bigint"), "numeric")),
    ("i4 + '5'", Op("+", Some("integer"), "unknown")),
    ("'5' + i4", Op("+", Some("unknown"), "integer")),
    ("num % 3", Op("%", Some("numeric"), "integer")),
    ("i4 % i2", Op("%", Some("integer"), "smallint")),
    ("2 ^ 3", Op("^", Some("integer"), "integer")),
    ("f4 ^ 2", Op("^", Some("real"), "integer")),
    ("- i4", Op("-", None, "integer")),
    ("- num", Op("-", None, "numeric")),
    ("@ f4", Op("@", None, "real")),
    ("|/ i4", Op("|/", None, "integer")),
    ("~ i8", Op("~", None, "bigint")),
    ("i4 & i8", Op("&", Some("integer"), "bigint")),
    ("i4 << 2", Op("<<", Some("integer"), "integer")),
    ("o + 1", Op("+", Some("oid"), "integer")),
    // comparisons
    ("i4 = 1.5", Op("=", Some("integer"), "numeric")),
    ("i4 = i8", Op("=", Some("integer"), "bigint")),
    ("i2 < 5", Op("<", Some("smallint"), "integer")),
    ("i4 = '7'", Op("=", Some("integer"), "unknown")),
    ("num >= 0", Op(">=", Some("numeric"), "integer")),
    ("f4 = f8", Op("=", Some("real"), "double precision")),
    ("f4 = 1.5", Op("=", Some("real"), "numeric")),
    ("vc = 'x'", Op("=", Some("character varying"), "unknown")),
    ("vc = txt", Op("=", Some("character varying"), "text")),
    ("bp = 'x'", Op("=", Some("character"), "unknown")),
    ("bp = txt", Op("=", Some("character"), "text")),
    ("bp = vc", Op("=", Some("character"), "character varying")),
    ("nm = 'x'", Op("=", Some("name"), "unknown")),
    ("nm = txt", Op("=", Some("name"), "text")),
    ("nm = vc", Op("=", Some("name"), "character varying")),
    ("ch = 'x'", Op("=", Some("\"char\""), "unknown")),
    ("txt < 'b'", Op("<", Some("text"), "unknown")),
    ("txt <> vc", Op("<>", Some("text"), "character varying")),
    ("'a' = 'b'", Op("=", Some("unknown"), "unknown")),
    ("'a' < 'b'", Op("<", Some("unknown"), "unknown")),
    ("b = true", Op("=", Some("boolean"), "boolean")),
    ("b = 't'", Op("=", Some("boolean"), "unknown")),
    ("by = '\\x00'", Op("=", Some("bytea"), "unknown")),
    (
        "u = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'",
        Op("=", Some("uuid"), "unknown"),
    ),
    ("m = 'ok'", Op("=", Some("mood"), "unknown")),
    ("m < 'happy'", Op("<", Some("mood"), "unknown")),
    ("m = m", Op("=", Some("mood"), "mood")),
    ("'ok' = m", Op("=", Some("unknown"), "mood")),
    ("m = txt", Op("=", Some("mood"), "text")),
    ("o = 5", Op("=", Some("oid"), "integer")),
    ("o = i8", Op("=", Some("oid"), "bigint")),
    ("inet_ << '10.0.0.0/8'", Op("<<", Some("inet"), "unknown")),
    ("i4 = b", Op("=", Some("integer"), "boolean")),
    ("txt = i4", Op("=", Some("text"), "integer")),
    ("u = txt", Op("=", Some("uuid"), "text")),
    ("js = js", Op("=", Some("json"), "json")),
    ("jb = '{}'", Op("=", Some("jsonb"), "unknown")),
    // dates and times
    ("d + 1", Op("+", Some("date"), "integer")),
    ("d - d", Op("-", Some("date"), "date")),
    ("d + iv", Op("+", Some("date"), "interval")),
    ("d + tm", Op("+", Some("date"), "time without time zone")),
    (
        "ts - ts",
        Op(
            "-",
            Some("timestamp without time zone"),
            "timestamp without time zone",
        ),
    ),
    (
        "tstz - ts",
        Op(
            "-",
            Some("timestamp with time zone"),
            "timestamp without time zone",
        ),
    ),
    (
        "ts < tstz",
        Op(
            "<",
            Some("timestamp without time zone"),
            "timestamp with time zone",
        ),
    ),
    (
        "d < ts",
        Op("<", Some("date"), "timestamp without time zone"),
    ),
    ("d = '2020-01-01'", Op("=", Some("date"), "unknown")),
    (
        "tstz > '2020-01-01'",
        Op(">", Some("timestamp with time zone"), "unknown"),
    ),
    (
        "now() - interval '1 day'",
        Op("-", Some("timestamp with time zone"), "interval"),
    ),
    (
        "tstz - '2020-01-01'",
        Op("-", Some("timestamp with time zone"), "unknown"),
    ),
    ("iv * 2", Op("*", Some("interval"), "integer")),
    ("iv / 1.5", Op("/", Some("interval"), "numeric")),
    ("- iv", Op("-", None, "interval")),
    (
        "tm + iv",
        Op("+", Some("time without time zone"), "interval"),
    ),
    ("d + '1 day'", Op("+", Some("date"), "unknown")),
    // strings
    ("txt || 5", Op("||", Some("text"), "integer")),
    ("5 || txt", Op("||", Some("integer"), "text")),
    ("txt || 'x'", Op("||", Some("text"), "unknown")),
    ("'x' || 'y'", Op("||", Some("unknown"), "unknown")),
    (
        "vc || vc",
        Op("||", Some("character varying"), "character varying"),
    ),
    ("bp || bp", Op("||", Some("character"), "character")),
    ("txt || m", Op("||", Some("text"), "mood")),
    ("by || by", Op("||", Some("bytea"), "bytea")),
    ("txt ~ 'a.*'", Op("~", Some("text"), "unknown")),
    ("vc ~~ 'a%'", Op("~~", Some("character varying"), "unknown")),
    ("bp ~~ 'a%'", Op("~~", Some("character"), "unknown")),
    ("nm ~~ 'a%'", Op("~~", Some("name"), "unknown")),
    ("txt ~~* vc", Op("~~*", Some("text"), "character varying")),
    ("txt ^@ 'a'", Op("^@", Some("text"), "unknown")),
    ("txt % 'a'", Op("%", Some("text"), "unknown")),
    ("txt <-> 'a'", Op("<->", Some("text"), "unknown")),
    ("i4 || i4", Op("||", Some("integer"), "integer")),
    ("b || txt", Op("||", Some("boolean"), "text")),
    // citext
    ("ci = 'x'", Op("=", Some("citext"), "unknown")),
    ("ci = txt", Op("=", Some("citext"), "text")),
    ("ci = vc", Op("=", Some("citext"), "character varying")),
    ("ci || 'x'", Op("||", Some("citext"), "unknown")),
    ("ci ~~ 'a%'", Op("~~", Some("citext"), "unknown")),
    ("ci < ci", Op("<", Some("citext"), "citext")),
    ("ci % 'a'", Op("%", Some("citext"), "unknown")),
    // arrays
    ("ia @> ARRAY[1]", Op("@>", Some("integer[]"), "integer[]")),
    ("ia @> '{1}'", Op("@>", Some("integer[]"), "unknown")),
    ("ia || 5", Op("||", Some("integer[]"), "integer")),
    ("5 || ia", Op("||", Some("integer"), "integer[]")),
    ("ia || ia", Op("||", Some("integer[]"), "integer[]")),
    ("ia || i8", Op("||", Some("integer[]"), "bigint")),
    ("ta || '{x}'", Op("||", Some("text[]"), "unknown")),
    ("ta || txt", Op("||", Some("text[]"), "text")),
    ("ta || vc", Op("||", Some("text[]"), "character varying")),
    ("ia = '{1,2}'", Op("=", Some("integer[]"), "unknown")),
    ("ia && ia", Op("&&", Some("integer[]"), "integer[]")),
    ("ta @> ARRAY['a']", Op("@>", Some("text[]"), "text[]")),
    ("ma @> ARRAY[m]", Op("@>", Some("mood[]"), "mood[]")),
    ("ma || m", Op("||", Some("mood[]"), "mood")),
    ("ia < ia", Op("<", Some("integer[]"), "integer[]")),
    ("ia = ta", Op("=", Some("integer[]"), "text[]")),
    // ranges
    ("ir @> 5", Op("@>", Some("int4range"), "integer")),
    ("ir @> i8", Op("@>", Some("int4range"), "bigint")),
    ("ir && '[1,2)'", Op("&&", Some("int4range"), "unknown")),
    ("ir * ir", Op("*", Some("int4range"), "int4range")),
    ("ir + '[1,2)'", Op("+", Some("int4range"), "unknown")),
    // json
    ("jb ->> 'k'", Op("->>", Some("jsonb"), "unknown")),
    ("jb -> 'k'", Op("->", Some("jsonb"), "unknown")),
    ("jb -> 0", Op("->", Some("jsonb"), "integer")),
    ("js ->> 'k'", Op("->>", Some("json"), "unknown")),
    ("js -> 2", Op("->", Some("json"), "integer")),
    ("jb @> '{}'", Op("@>", Some("jsonb"), "unknown")),
    ("jb ? 'k'", Op("?", Some("jsonb"), "unknown")),
    ("jb #> '{a}'", Op("#>", Some("jsonb"), "unknown")),
    ("jb || jb", Op("||", Some("jsonb"), "jsonb")),
    ("jb - 'k'", Op("-", Some("jsonb"), "unknown")),
    ("jb - 1", Op("-", Some("jsonb"), "integer")),
    ("js = 'x'", Op("=", Some("json"), "unknown")),
    // hstore
    ("hs -> 'k'", Op("->", Some("hstore"), "unknown")),
    ("hs ? 'k'", Op("?", Some("hstore"), "unknown")),
    ("hs || hs", Op("||", Some("hstore"), "hstore")),
    ("hs @> 'a=>1'", Op("@>", Some("hstore"), "unknown")),
    // operators that do not exist / are ambiguous
    ("b + 1", Op("+", Some("boolean"), "integer")),
    ("u + 1", Op("+", Some("uuid"), "integer")),
    ("'a' + 'b'", Op("+", Some("unknown"), "unknown")),
    ("- 'a'", Op("-", None, "unknown")),
    ("- txt", Op("-", None, "text")),
    ("m + 1", Op("+", Some("mood"), "integer")),
    ("'a' @> 'b'", Op("@>", Some("unknown"), "unknown")),
    ("txt @@ 'x'", Op("@@", Some("text"), "unknown")),
    (
        "d - tstz",
        Op("-", Some("date"), "timestamp with time zone"),
    ),
    ("iv + 1", Op("+", Some("interval"), "integer")),
    ("ir @> 1.5", Op("@>", Some("int4range"), "numeric")),
    // functions
    ("lower(txt)", Func("lower", &["text"])),
    ("lower(vc)", Func("lower", &["character varying"])),
    ("lower('X')", Func("lower", &["unknown"])),
    ("lower(ci)", Func("lower", &["citext"])),
    ("upper(bp)", Func("upper", &["character"])),
    ("length(bp)", Func("length", &["character"])),
    ("length(txt)", Func("length", &["text"])),
    ("length(by)", Func("length", &["bytea"])),
    ("length('abc')", Func("length", &["unknown"])),
    ("length(ci)", Func("length", &["citext"])),
    ("round(num, 2)", Func("round", &["numeric", "integer"])),
    ("round(f8)", Func("round", &["double precision"])),
    ("round(i4)", Func("round", &["integer"])),
    ("round(f4, 2)", Func("round", &["real", "integer"])),
    ("round(1.5)", Func("round", &["numeric"])),
    ("abs(i2)", Func("abs", &["smallint"])),
    ("abs(-1)", Func("abs", &["integer"])),
    ("abs('1')", Func("abs", &["unknown"])),
    ("sqrt(i4)", Func("sqrt", &["integer"])),
    ("power(i4, 2)", Func("power", &["integer", "integer"])),
    ("trunc(num)", Func("trunc", &["numeric"])),
    ("mod(i4, i8)", Func("mod", &["integer", "bigint"])),
    (
        "substr(txt, 1, 2)",
        Func("substr", &["text", "integer", "integer"]),
    ),
    (
        "substr(vc, 2)",
        Func("substr", &["character varying", "integer"]),
    ),
    (
        "substring(txt, 1, 2)",
        Func("substring", &["text", "integer", "integer"]),
    ),
    (
        "position('a' in txt)",
        Func("position", &["text", "unknown"]),
    ),
    (
        "replace(txt, 'a', 'b')",
        Func("replace", &["text", "unknown", "unknown"]),
    ),
    ("left(txt, 3)", Func("left", &["text", "integer"])),
    (
        "lpad(txt, 5, '0')",
        Func("lpad", &["text", "integer", "unknown"]),
    ),
    ("lpad(i4::text, 5)", Func("lpad", &["text", "integer"])),
    ("btrim(bp)", Func("btrim", &["character"])),
    ("md5(txt)", Func("md5", &["text"])),
    ("md5('x')", Func("md5", &["unknown"])),
    (
        "concat(txt, i4, d)",
        Func("concat", &["text", "integer", "date"]),
    ),
    (
        "concat_ws(',', txt, i4)",
        Func("concat_ws", &["unknown", "text", "integer"]),
    ),
    ("format('%s', i4)", Func("format", &["unknown", "integer"])),
    ("format('x')", Func("format", &["unknown"])),
    ("now()", Func("now", &[])),
    (
        "date_trunc('day', tstz)",
        Func("date_trunc", &["unknown", "timestamp with time zone"]),
    ),
    (
        "date_trunc('day', ts)",
        Func("date_trunc", &["unknown", "timestamp without time zone"]),
    ),
    (
        "date_trunc('day', d)",
        Func("date_trunc", &["unknown", "date"]),
    ),
    (
        "date_part('year', d)",
        Func("date_part", &["unknown", "date"]),
    ),
    (
        "date_part('year', tstz)",
        Func("date_part", &["unknown", "timestamp with time zone"]),
    ),
    ("age(tstz)", Func("age", &["timestamp with time zone"])),
    (
        "age(ts, ts)",
        Func(
            "age",
            &["timestamp without time zone", "timestamp without time zone"],
        ),
    ),
    (
        "to_char(tstz, 'YYYY')",
        Func("to_char", &["timestamp with time zone", "unknown"]),
    ),
    (
        "to_char(num, '999')",
        Func("to_char", &["numeric", "unknown"]),
    ),
    (
        "to_char(i4, '999')",
        Func("to_char", &["integer", "unknown"]),
    ),
    ("to_char(d, 'YYYY')", Func("to_char", &["date", "unknown"])),
    ("make_interval(1)", Func("make_interval", &["integer"])),
    (
        "make_interval(1, 2, 3)",
        Func("make_interval", &["integer", "integer", "integer"]),
    ),
    (
        "extract(year from d)",
        Func("extract", &["unknown", "date"]),
    ),
    (
        "to_timestamp(f8)",
        Func("to_timestamp", &["double precision"]),
    ),
    ("to_timestamp(i4)", Func("to_timestamp", &["integer"])),
    (
        "to_timestamp('x', 'y')",
        Func("to_timestamp", &["unknown", "unknown"]),
    ),
    (
        "array_length(ia, 1)",
        Func("array_length", &["integer[]", "integer"]),
    ),
    (
        "array_append(ia, 1)",
        Func("array_append", &["integer[]", "integer"]),
    ),
    (
        "array_append(ia, i8)",
        Func("array_append", &["integer[]", "bigint"]),
    ),
    (
        "array_append(ta, 'x')",
        Func("array_append", &["text[]", "unknown"]),
    ),
    (
        "array_prepend(i2, ia)",
        Func("array_prepend", &["smallint", "integer[]"]),
    ),
    (
        "array_cat(ia, ia)",
        Func("array_cat", &["integer[]", "integer[]"]),
    ),
    (
        "array_position(ta, 'x')",
        Func("array_position", &["text[]", "unknown"]),
    ),
    (
        "array_to_string(ia, ',')",
        Func("array_to_string", &["integer[]", "unknown"]),
    ),
    ("cardinality(ma)", Func("cardinality", &["mood[]"])),
    ("unnest(ia)", Func("unnest", &["integer[]"])),
    (
        "array_length('{1}', 1)",
        Func("array_length", &["unknown", "integer"]),
    ),
    (
        "array_fill(i4, ARRAY[2])",
        Func("array_fill", &["integer", "integer[]"]),
    ),
    ("enum_first(m)", Func("enum_first", &["mood"])),
    ("enum_range(m)", Func("enum_range", &["mood"])),
    ("enum_first(null::mood)", Func("enum_first", &["mood"])),
    (
        "num_nulls(i4, txt)",
        Func("num_nulls", &["integer", "text"]),
    ),
    (
        "jsonb_extract_path(jb, 'a', 'b')",
        Func("jsonb_extract_path", &["jsonb", "unknown", "unknown"]),
    ),
    (
        "json_extract_path_text(js, 'a')",
        Func("json_extract_path_text", &["json", "unknown"]),
    ),
    (
        "jsonb_build_object('a', i4)",
        Func("jsonb_build_object", &["unknown", "integer"]),
    ),
    ("jsonb_typeof(jb)", Func("jsonb_typeof", &["jsonb"])),
    (
        "jsonb_set(jb, '{a}', jb)",
        Func("jsonb_set", &["jsonb", "unknown", "jsonb"]),
    ),
    ("to_jsonb(i4)", Func("to_jsonb", &["integer"])),
    ("to_json(m)", Func("to_json", &["mood"])),
    (
        "jsonb_array_length(jb)",
        Func("jsonb_array_length", &["jsonb"]),
    ),
    ("greatest_of(1)", Func("greatest_of", &["integer"])),
    ("lower(i4)", Func("lower", &["integer"])),
    ("length(i4)", Func("length", &["integer"])),
    ("length(m)", Func("length", &["mood"])),
    ("gen_random_uuid()", Func("gen_random_uuid", &[])),
    ("random()", Func("random", &[])),
    (
        "similarity(txt, 'x')",
        Func("similarity", &["text", "unknown"]),
    ),
    (
        "similarity(ci, ci)",
        Func("similarity", &["citext", "citext"]),
    ),
    (
        "levenshtein(txt, vc)",
        Func("levenshtein", &["text", "character varying"]),
    ),
    ("soundex(ci)", Func("soundex", &["citext"])),
    (
        "regexp_replace(ci, 'a', 'b')",
        Func("regexp_replace", &["citext", "unknown", "unknown"]),
    ),
    ("strpos(ci, 'a')", Func("strpos", &["citext", "unknown"])),
    ("akeys(hs)", Func("akeys", &["hstore"])),
    ("hstore('a', 'b')", Func("hstore", &["unknown", "unknown"])),
    ("coalesce_(1)", Func("coalesce_", &["integer"])),
    ("pg_catalog.lower(txt)", Func("pg_catalog.lower", &["text"])),
    ("quote_literal(i4)", Func("quote_literal", &["integer"])),
    ("quote_literal(txt)", Func("quote_literal", &["text"])),
    ("quote_ident('x')", Func("quote_ident", &["unknown"])),
    (
        "string_to_array(txt, ',')",
        Func("string_to_array", &["text", "unknown"]),
    ),
    (
        "split_part(vc, ',', 1)",
        Func("split_part", &["character varying", "unknown", "integer"]),
    ),
    ("repeat(ch, 2)", Func("repeat", &["\"char\"", "integer"])),
    ("nextval('s')", Func("nextval", &["unknown"])),
    (
        "width_bucket(num, 0, 10, 5)",
        Func(
            "width_bucket",
            &["numeric", "integer", "integer", "integer"],
        ),
    ),
    (
        "width_bucket(f8, 0, 10, 5)",
        Func(
            "width_bucket",
            &["double precision", "integer", "integer", "integer"],
        ),
    ),
    (
        "width_bucket(i4, ia)",
        Func("width_bucket", &["integer", "integer[]"]),
    ),
    ("isfinite(d)", Func("isfinite", &["date"])),
    ("overlaps_(1)", Func("overlaps_", &["integer"])),
    (
        "range_merge(ir, ir)",
        Func("range_merge", &["int4range", "int4range"]),
    ),
    ("lower(ir)", Func("lower", &["int4range"])),
    ("upper(ir)", Func("upper", &["int4range"])),
    ("isempty(ir)", Func("isempty", &["int4range"])),
    (
        "int4range(1, 5)",
        Func("int4range", &["integer", "integer"]),
    ),
    (
        "int4range(i2, i2, '[]')",
        Func("int4range", &["smallint", "smallint", "unknown"]),
    ),
    (
        "numrange(i4, num)",
        Func("numrange", &["integer", "numeric"]),
    ),
    ("array_dims(ir)", Func("array_dims", &["int4range"])),
    ("pg_typeof(i4)", Func("pg_typeof", &["integer"])),
    ("txtfunc(1)", Func("txtfunc", &["integer"])),
    ("octet_length(ci)", Func("octet_length", &["citext"])),
    ("encode(by, 'hex')", Func("encode", &["bytea", "unknown"])),
    (
        "decode('00', 'hex')",
        Func("decode", &["unknown", "unknown"]),
    ),
    ("sign(num)", Func("sign", &["numeric"])),
    ("sign(i4)", Func("sign", &["integer"])),
    ("log(10)", Func("log", &["integer"])),
    ("log(i4, num)", Func("log", &["integer", "numeric"])),
    ("floor(i2)", Func("floor", &["smallint"])),
    ("ceil(f4)", Func("ceil", &["real"])),
    ("div(i4, i4)", Func("div", &["integer", "integer"])),
    ("gcd(i4, i8)", Func("gcd", &["integer", "bigint"])),
    (
        "translate(bp, 'a', 'b')",
        Func("translate", &["character", "unknown", "unknown"]),
    ),
    (
        "starts_with(vc, 'a')",
        Func("starts_with", &["character varying", "unknown"]),
    ),
    ("trim_scale(num)", Func("trim_scale", &["numeric"])),
    // more edges: NULL literals, zero arguments, set-returning, ambiguity
    ("lower(NULL)", Func("lower", &["unknown"])),
    ("length(NULL)", Func("length", &["unknown"])),
    ("txt || NULL", Op("||", Some("text"), "unknown")),
    ("NULL = NULL", Op("=", Some("unknown"), "unknown")),
    (
        "to_char('x', 'y')",
        Func("to_char", &["unknown", "unknown"]),
    ),
    ("round('1.5')", Func("round", &["unknown"])),
    (
        "date_trunc('day', '2020-01-01')",
        Func("date_trunc", &["unknown", "unknown"]),
    ),
    (
        "generate_series(1, 10)",
        Func("generate_series", &["integer", "integer"]),
    ),
    (
        "generate_series(i8, 10)",
        Func("generate_series", &["bigint", "integer"]),
    ),
    (
        "generate_series(d, d, iv)",
        Func("generate_series", &["date", "date", "interval"]),
    ),
    (
        "generate_series(1, 10, 0.5)",
        Func("generate_series", &["integer", "integer", "numeric"]),
    ),
    ("to_jsonb('x')", Func("to_jsonb", &["unknown"])),
    ("num_nonnulls()", Func("num_nonnulls", &[])),
    ("concat()", Func("concat", &[])),
    ("make_interval()", Func("make_interval", &[])),
    ("jsonb_build_array()", Func("jsonb_build_array", &[])),
    ("int4(num)", Func("int4", &["numeric"])),
    (
        "array_cat(ia, '{1}')",
        Func("array_cat", &["integer[]", "unknown"]),
    ),
    (
        "array_remove(ta, 'x')",
        Func("array_remove", &["text[]", "unknown"]),
    ),
    (
        "array_remove(ia, i2)",
        Func("array_remove", &["integer[]", "smallint"]),
    ),
    (
        "array_replace(ma, 'ok', 'sad')",
        Func("array_replace", &["mood[]", "unknown", "unknown"]),
    ),
    ("upper(ci)", Func("upper", &["citext"])),
    (
        "replace(ci, 'a', 'b')",
        Func("replace", &["citext", "unknown", "unknown"]),
    ),
    (
        "split_part(ci, ',', 1)",
        Func("split_part", &["citext", "unknown", "integer"]),
    ),
    ("iv * i4", Op("*", Some("interval"), "integer")),
    ("i4 * iv", Op("*", Some("integer"), "interval")),
    (
        "ts - iv",
        Op("-", Some("timestamp without time zone"), "interval"),
    ),
    (
        "tstz + iv",
        Op("+", Some("timestamp with time zone"), "interval"),
    ),
    ("iv + d", Op("+", Some("interval"), "date")),
    ("ci = ci", Op("=", Some("citext"), "citext")),
    ("ci || ci", Op("||", Some("citext"), "citext")),
    ("ci ~ 'x'", Op("~", Some("citext"), "unknown")),
    ("txt ~ ci", Op("~", Some("text"), "citext")),
    ("jb -> i4", Op("->", Some("jsonb"), "integer")),
    ("jb #>> '{a,b}'", Op("#>>", Some("jsonb"), "unknown")),
    ("hs -> ARRAY['a']", Op("->", Some("hstore"), "text[]")),
    (
        "u < 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'",
        Op("<", Some("uuid"), "unknown"),
    ),
    ("inet_ - 1", Op("-", Some("inet"), "integer")),
    ("inet_ + 1", Op("+", Some("inet"), "integer")),
    ("inet_ - inet_", Op("-", Some("inet"), "inet")),
    ("o = i4", Op("=", Some("oid"), "integer")),
    ("nm || 'x'", Op("||", Some("name"), "unknown")),
    ("vc || 1", Op("||", Some("character varying"), "integer")),
    ("bp || 'x'", Op("||", Some("character"), "unknown")),
    ("ch || 'x'", Op("||", Some("\"char\""), "unknown")),
    (
        "d = tstz",
        Op("=", Some("date"), "timestamp with time zone"),
    ),
    ("d - 1.5", Op("-", Some("date"), "numeric")),
    ("f8 = 'NaN'", Op("=", Some("double precision"), "unknown")),
    ("ir -|- ir", Op("-|-", Some("int4range"), "int4range")),
    ("ir << '[1,2)'", Op("<<", Some("int4range"), "unknown")),
    ("@ -5", Op("@", None, "integer")),
    ("'1' + '2'", Op("+", Some("unknown"), "unknown")),
    ("ia @> ta", Op("@>", Some("integer[]"), "text[]")),
    (
        "ia @> '{1}'::int8[]",
        Op("@>", Some("integer[]"), "bigint[]"),
    ),
    (
        "ARRAY[1] || ARRAY[1.5]",
        Op("||", Some("integer[]"), "numeric[]"),
    ),
    ("ia || 1.5", Op("||", Some("integer[]"), "numeric")),
    ("NULL || ia", Op("||", Some("unknown"), "integer[]")),
    ("m || 'x'", Op("||", Some("mood"), "unknown")),
    // more extensions: pgcrypto's gen_random_uuid() is hidden by the built-in
    (
        "digest(txt, 'sha256')",
        Func("digest", &["text", "unknown"]),
    ),
    (
        "digest(by, 'sha256')",
        Func("digest", &["bytea", "unknown"]),
    ),
    (
        "digest('x', 'sha256')",
        Func("digest", &["unknown", "unknown"]),
    ),
    (
        "crypt(txt, gen_salt('bf'))",
        Func("crypt", &["text", "text"]),
    ),
    (
        "gen_salt('bf', 8)",
        Func("gen_salt", &["unknown", "integer"]),
    ),
    ("uuid_generate_v4()", Func("uuid_generate_v4", &[])),
    (
        "uuid_generate_v5(u, 'x')",
        Func("uuid_generate_v5", &["uuid", "unknown"]),
    ),
    ("unaccent(txt)", Func("unaccent", &["text"])),
    ("unaccent(vc)", Func("unaccent", &["character varying"])),
    (
        "difference(ci, txt)",
        Func("difference", &["citext", "text"]),
    ),
    (
        "word_similarity(vc, txt)",
        Func("word_similarity", &["character varying", "text"]),
    ),
    ("show_trgm(ci)", Func("show_trgm", &["citext"])),
    ("hstore(ta, ta)", Func("hstore", &["text[]", "text[]"])),
    ("hs ?| ARRAY['a']", Op("?|", Some("hstore"), "text[]")),
    ("txt <% 'x'", Op("<%", Some("text"), "unknown")),
    // calls that are casts (FuncNameAsType)
    ("text(i4)", Cast("text", "integer")),
    ("\"varchar\"(txt)", Cast("varchar", "text")),
    ("int4('5')", Cast("int4", "unknown")),
    ("text(m)", Cast("text", "mood")),
    ("mood('ok')", Cast("mood", "unknown")),
    ("citext(txt)", Cast("citext", "text")),
    ("json(txt)", Cast("json", "text")),
    ("bpchar(vc)", Cast("bpchar", "character varying")),
    ("int4(num)", Func("int4", &["numeric"])),
    ("int8(i4)", Func("int8", &["integer"])),
    ("text(b)", Func("text", &["boolean"])),
    ("date(tstz)", Func("date", &["timestamp with time zone"])),
    // common types (COALESCE, CASE, ARRAY)
    (
        "coalesce(i4, 0)",
        Common("COALESCE", &["integer", "integer"]),
    ),
    (
        "coalesce(i4, 1.5)",
        Common("COALESCE", &["integer", "numeric"]),
    ),
    (
        "coalesce(i2, i8)",
        Common("COALESCE", &["smallint", "bigint"]),
    ),
    (
        "coalesce(txt, 'x')",
        Common("COALESCE", &["text", "unknown"]),
    ),
    (
        "coalesce(vc, txt)",
        Common("COALESCE", &["character varying", "text"]),
    ),
    (
        "coalesce(bp, vc)",
        Common("COALESCE", &["character", "character varying"]),
    ),
    (
        "coalesce('a', 'b')",
        Common("COALESCE", &["unknown", "unknown"]),
    ),
    (
        "coalesce(f4, num)",
        Common("COALESCE", &["real", "numeric"]),
    ),
    (
        "coalesce(d, tstz)",
        Common("COALESCE", &["date", "timestamp with time zone"]),
    ),
    (
        "coalesce(ts, d)",
        Common("COALESCE", &["timestamp without time zone", "date"]),
    ),
    (
        "coalesce(m, 'ok')",
        Common("COALESCE", &["mood", "unknown"]),
    ),
    (
        "coalesce(i4, b)",
        Common("COALESCE", &["integer", "boolean"]),
    ),
    (
        "coalesce(i4, txt)",
        Common("COALESCE", &["integer", "text"]),
    ),
    ("coalesce(m, txt)", Common("COALESCE", &["mood", "text"])),
    ("coalesce(by, u)", Common("COALESCE", &["bytea", "uuid"])),
    ("coalesce(nm, txt)", Common("COALESCE", &["name", "text"])),
    ("coalesce(ci, txt)", Common("COALESCE", &["citext", "text"])),
    ("coalesce(js, jb)", Common("COALESCE", &["json", "jsonb"])),
    (
        "CASE WHEN b THEN i4 ELSE num END",
        Common("CASE", &["numeric", "integer"]),
    ),
    (
        "CASE WHEN b THEN 'a' ELSE 'b' END",
        Common("CASE", &["unknown", "unknown"]),
    ),
    (
        "CASE WHEN b THEN i4 ELSE '7' END",
        Common("CASE", &["unknown", "integer"]),
    ),
    (
        "CASE WHEN b THEN d ELSE i4 END",
        Common("CASE", &["integer", "date"]),
    ),
    ("ARRAY[i4, i8]", Common("ARRAY", &["integer", "bigint"])),
    ("ARRAY[1, 2.5]", Common("ARRAY", &["integer", "numeric"])),
    (
        "ARRAY[txt, vc]",
        Common("ARRAY", &["text", "character varying"]),
    ),
    ("ARRAY[i4, txt]", Common("ARRAY", &["integer", "text"])),
];

/// `regprocedure` output without `pg_catalog.` and without the quotes a
/// keyword name gets (`"substring"(text,integer)`).
fn unquote_proc(s: &str) -> String {
    let s = s.trim_start_matches("pg_catalog.");
    match s.strip_prefix('"').and_then(|r| r.split_once('"')) {
        Some((name, rest)) => format!("{name}{rest}"),
        None => s.to_string(),
    }
}

fn type_id(env: &Env, name: &str) -> TypeId {
    if name == "mood" {
        return MOOD;
    }
    if name == "mood[]" {
        return MOOD_ARRAY;
    }
    env.type_named(name)
        .unwrap_or_else(|| panic!("type {name} not in the catalog"))
        .id
}

/// What the server did with one case.
enum Outcome {
    Error { sqlstate: String, message: String },
    Tree(Item),
}

/// strata's answer, rendered like the server's (names, not ids).
#[derive(Debug, PartialEq)]
enum Answer {
    Error {
        sqlstate: String,
        message: String,
    },
    /// `+(integer,integer)` / `lower(text)` / `COALESCE`; result type name;
    /// argument type names after coercion.
    Call {
        callee: String,
        result: String,
        args: Vec<String>,
    },
}

fn display(env: &Env, t: TypeId) -> String {
    env.type_info(t)
        .map(|i| i.display.clone())
        .unwrap_or_else(|| format!("?{t}"))
}

fn strata_answer(env: &Env, call: &Call) -> Result<Answer, String> {
    let ids = |names: &[&str]| names.iter().map(|n| type_id(env, n)).collect::<Vec<_>>();
    let err = |sqlstate: &str, message: String| {
        Ok(Answer::Error {
            sqlstate: sqlstate.to_string(),
            message,
        })
    };
    match call {
        Op(name, left, right) => {
            let l = left.map(|l| type_id(env, l));
            let r = type_id(env, right);
            match env.oper(name, l, r) {
                Resolve::Found(ChosenOper {
                    oper,
                    left,
                    right,
                    result,
                }) => {
                    let ld = if oper.left == 0 {
                        "NONE".to_string()
                    } else {
                        display(env, oper.left)
                    };
                    let mut args: Vec<String> = left.iter().map(|&t| display(env, t)).collect();
                    args.push(display(env, right));
                    Ok(Answer::Call {
                        callee: format!("{}({},{})", oper.name, ld, display(env, oper.right)),
                        result: display(env, result),
                        args,
                    })
                }
                Resolve::Error { sqlstate, message } => err(sqlstate, message),
                Resolve::Unsupported(why) => Err(why),
            }
        }
        Func(name, args) => match env.func(name, &ids(args)) {
            Resolve::Found(ChosenFunc {
                proc,
                args,
                result,
                variadic_folded,
            }) => {
                let decl: Vec<String> = proc.args.iter().map(|&t| display(env, t)).collect();
                let mut shown: Vec<String> = args.iter().map(|&t| display(env, t)).collect();
                if variadic_folded {
                    // The server folds the trailing arguments into one ARRAY[…].
                    let fixed = proc.args.len() - 1;
                    let elems = shown.split_off(fixed);
                    let array = env
                        .type_info(proc.variadic)
                        .map(|t| display(env, t.array))
                        .unwrap_or_default();
                    shown.push(format!("{array}[{}]", elems.join(",")));
                }
                Ok(Answer::Call {
                    callee: format!("{}({})", proc.name, decl.join(",")),
                    result: display(env, result),
                    args: shown,
                })
            }
            Resolve::Error { sqlstate, message } => err(sqlstate, message),
            Resolve::Unsupported(why) => Err(why),
        },
        Cast(name, arg) => {
            let from = type_id(env, arg);
            match env.func_as_cast(name, &[from]) {
                Resolve::Found(Some(target)) => {
                    let how = if from == strata_core::catalog::oid::UNKNOWN {
                        "Const".to_string()
                    } else {
                        match env.coercion(
                            from,
                            target,
                            strata_core::catalog::CoercionContext::Explicit,
                        ) {
                            Resolve::Found(p) => pathway_name(env, &p),
                            other => return Err(format!("{other:?}")),
                        }
                    };
                    Ok(Answer::Call {
                        callee: "cast".to_string(),
                        result: display(env, target),
                        args: vec![how],
                    })
                }
                Resolve::Found(None) => Err(format!("{name}({arg}) is not a cast for strata")),
                Resolve::Error { sqlstate, message } => err(sqlstate, message),
                Resolve::Unsupported(why) => Err(why),
            }
        }
        Common(context, types) => {
            let ids = ids(types);
            match env.common_type(&ids, context) {
                Resolve::Found(t) => {
                    let (callee, result) = if *context == "ARRAY" {
                        let a = env.type_info(t).map(|i| i.array).unwrap_or(0);
                        (context.to_string(), display(env, a))
                    } else {
                        (context.to_string(), display(env, t))
                    };
                    Ok(Answer::Call {
                        callee,
                        result,
                        args: ids.iter().map(|_| display(env, t)).collect(),
                    })
                }
                Resolve::Error { sqlstate, message } => err(sqlstate, message),
                Resolve::Unsupported(why) => Err(why),
            }
        }
    }
}

#[tokio::test]
async fn operator_and_function_resolution_matches_the_server() {
    let started = std::time::Instant::now();
    let db = TestDb::create("catalog_resolve").await;
    let client = db.client().await;
    client.batch_execute(FIXTURE).await.unwrap();

    // 1. Which expressions the server accepts, and its errors.
    let mut outcomes: Vec<Option<Outcome>> = Vec::new();
    let mut ok = Vec::new();
    for (i, (sql, _)) in CASES.iter().enumerate() {
        match client.prepare(&format!("SELECT {sql} FROM t")).await {
            Ok(_) => {
                ok.push(i);
                outcomes.push(None);
            }
            Err(e) => {
                let db = e
                    .as_db_error()
                    .unwrap_or_else(|| panic!("{sql}: not a server error: {e}"));
                outcomes.push(Some(Outcome::Error {
                    sqlstate: db.code().code().to_string(),
                    message: db.message().to_string(),
                }));
            }
        }
    }
    // 2. One view holding every accepted expression; its stored tree.
    let columns: Vec<String> = ok
        .iter()
        .map(|&i| format!("{} AS c{i}", CASES[i].0))
        .collect();
    client
        .batch_execute(&format!(
            "CREATE VIEW v AS SELECT {} FROM t",
            columns.join(", ")
        ))
        .await
        .unwrap();
    let action: String = client
        .query_one(
            "SELECT ev_action::text FROM pg_rewrite WHERE ev_class = 'v'::regclass",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let toks = tokenize(&action);
    let mut pos = 0;
    let Item::List(queries) = parse_item(&toks, &mut pos) else {
        panic!("ev_action is a list")
    };
    let targets = queries[0].list("targetList");
    assert_eq!(targets.len(), ok.len());
    for (te, &i) in targets.iter().zip(&ok) {
        let expr = match te.field("expr") {
            Some([e]) => e.clone(),
            other => panic!("TARGETENTRY without expr: {other:?}"),
        };
        outcomes[i] = Some(Outcome::Tree(expr));
    }

    // 3. The server's answers, named.
    async fn name_of(client: &tokio_postgres::Client, sql: &str, oid: u32) -> String {
        client.query_one(sql, &[&oid]).await.unwrap().get(0)
    }
    let regtype = |oid| name_of(&client, "SELECT $1::oid::regtype::text", oid);
    let regoper = |oid| name_of(&client, "SELECT $1::oid::regoperator::text", oid);
    let regproc = |oid| name_of(&client, "SELECT $1::oid::regprocedure::text", oid);

    let env = Env {
        catalog: Catalog::pg15(),
        extensions: vec![
            "citext".into(),
            "pg_trgm".into(),
            "hstore".into(),
            "fuzzystrmatch".into(),
            "pgcrypto".into(),
            "uuid-ossp".into(),
            "unaccent".into(),
        ],
        user: &Mood,
    };
    let mut failures = Vec::new();
    let mut unsupported = Vec::new();
    let mut checked: HashMap<&str, usize> = HashMap::new();
    for ((sql, call), outcome) in CASES.iter().zip(outcomes) {
        let server = match outcome.expect("every case has an outcome") {
            Outcome::Error { sqlstate, message } => Answer::Error { sqlstate, message },
            Outcome::Tree(expr) => {
                let mut server_answers = Vec::new();
                let mut continue_with_cast = false;
                let (callee, result) = match (expr.name(), call) {
                    ("OPEXPR", Op(..)) => (
                        regoper(expr.num("opno")).await,
                        regtype(expr.num("opresulttype")).await,
                    ),
                    ("FUNCEXPR", Func(..)) => (
                        unquote_proc(&regproc(expr.num("funcid")).await),
                        regtype(expr.num("funcresulttype")).await,
                    ),
                    ("COERCEVIAIO" | "RELABELTYPE" | "CONST", Cast(..)) => {
                        let how = match expr.name() {
                            "COERCEVIAIO" => "ViaIo",
                            "RELABELTYPE" => "Relabel",
                            _ => "Const",
                        };
                        let result = regtype(expr.expr_type()).await;
                        server_answers.push(Answer::Call {
                            callee: "cast".to_string(),
                            result,
                            args: vec![how.to_string()],
                        });
                        continue_with_cast = true;
                        (String::new(), String::new())
                    }
                    ("COALESCEEXPR" | "CASEEXPR" | "ARRAYEXPR", Common(ctx, _)) => {
                        (ctx.to_string(), regtype(expr.expr_type()).await)
                    }
                    (node, _) => {
                        failures.push(format!("{sql}: the server made a {node}"));
                        continue;
                    }
                };
                if continue_with_cast {
                    server_answers.pop().expect("the cast's answer")
                } else {
                    let arg_nodes: Vec<Item> = match expr.name() {
                        "CASEEXPR" => {
                            let mut v: Vec<Item> = expr
                                .list("args")
                                .iter()
                                .filter_map(|w| match w.field("result") {
                                    Some([r]) => Some(r.clone()),
                                    _ => None,
                                })
                                .collect();
                            if let Some([d]) = expr.field("defresult") {
                                v.push(d.clone());
                            }
                            v
                        }
                        "ARRAYEXPR" => expr.list("elements"),
                        _ => expr.list("args"),
                    };
                    // A call of a VARIADIC (not "any") function always folds
                    // its trailing arguments into one ARRAY[…] node, the last.
                    let folds = expr.name() == "FUNCEXPR"
                        && client
                            .query_one(
                                "SELECT provariadic NOT IN (0, '\"any\"'::regtype) FROM pg_proc \
                             WHERE oid = $1::oid",
                                &[&expr.num("funcid")],
                            )
                            .await
                            .unwrap()
                            .get::<_, bool>(0);
                    let mut args = Vec::new();
                    for (k, a) in arg_nodes.iter().enumerate() {
                        let t = regtype(a.expr_type()).await;
                        if folds && k + 1 == arg_nodes.len() {
                            let mut elems = Vec::new();
                            for e in a.list("elements") {
                                elems.push(regtype(e.expr_type()).await);
                            }
                            args.push(format!("{t}[{}]", elems.join(",")));
                        } else {
                            args.push(t);
                        }
                    }
                    Answer::Call {
                        callee,
                        result,
                        args,
                    }
                }
            }
        };
        let kind = match &server {
            Answer::Error { .. } => "error",
            Answer::Call { .. } => "call",
        };
        *checked.entry(kind).or_default() += 1;
        match strata_answer(&env, call) {
            Ok(mine) if mine == server => {}
            Ok(mine) => failures.push(format!("{sql}:\n  server {server:?}\n  strata {mine:?}")),
            Err(why) => unsupported.push(format!("{sql}: Unsupported ({why}); server {server:?}")),
        }
    }
    eprintln!(
        "checked {} cases ({checked:?}) in {:?}",
        CASES.len(),
        started.elapsed()
    );
    assert!(
        failures.is_empty() && unsupported.is_empty(),
        "{} disagreements, {} unsupported:\n{}\n{}",
        failures.len(),
        unsupported.len(),
        failures.join("\n"),
        unsupported.join("\n")
    );
    assert!(checked.get("error").copied().unwrap_or(0) >= 10);
    assert!(checked.get("call").copied().unwrap_or(0) >= 150);
}

// ------------------------------------------------------- coercions ----

/// Types for the coercion matrix: (SQL name without typmod, display name).
const COERCION_TYPES: &[(&str, &str)] = &[
    ("int2", "smallint"),
    ("int4", "integer"),
    ("int8", "bigint"),
    ("numeric", "numeric"),
    ("float8", "double precision"),
    ("text", "text"),
    ("varchar", "character varying"),
    ("bpchar", "character"),
    ("name", "name"),
    ("\"char\"", "\"char\""),
    ("bool", "boolean"),
    ("bytea", "bytea"),
    ("date", "date"),
    ("timestamp", "timestamp without time zone"),
    ("timestamptz", "timestamp with time zone"),
    ("interval", "interval"),
    ("json", "json"),
    ("jsonb", "jsonb"),
    ("uuid", "uuid"),
    ("mood", "mood"),
    ("citext", "citext"),
    ("_int4", "integer[]"),
    ("_int8", "bigint[]"),
    ("_text", "text[]"),
    ("_mood", "mood[]"),
    ("oid", "oid"),
    ("regclass", "regclass"),
    ("int4range", "int4range"),
    ("inet", "inet"),
];

/// The pathway a coercion node shows (`CAST(col AS t)`, or the argument of
/// a function taking `t`), named like strata's `Pathway`.
async fn node_pathway(client: &tokio_postgres::Client, node: &Item) -> String {
    async fn name_of(client: &tokio_postgres::Client, oid: u32) -> String {
        client
            .query_one("SELECT $1::oid::regprocedure::text", &[&oid])
            .await
            .unwrap()
            .get(0)
    }
    match node.name() {
        "VAR" => "None".to_string(),
        "RELABELTYPE" => "Relabel".to_string(),
        "COERCEVIAIO" => "ViaIo".to_string(),
        "FUNCEXPR" => format!(
            "Func({})",
            unquote_proc(&name_of(client, node.num("funcid")).await)
        ),
        "ARRAYCOERCEEXPR" => {
            let elem = match node.field("elemexpr") {
                Some([e]) => e.clone(),
                other => panic!("ARRAYCOERCEEXPR without elemexpr: {other:?}"),
            };
            let inner = match elem.name() {
                "RELABELTYPE" => "Relabel".to_string(),
                "COERCEVIAIO" => "ViaIo".to_string(),
                "FUNCEXPR" => format!(
                    "Func({})",
                    unquote_proc(&name_of(client, elem.num("funcid")).await)
                ),
                other => format!("element node {other}"),
            };
            format!("Array({inner})")
        }
        other => format!("node {other}"),
    }
}

fn pathway_name(env: &Env, p: &strata_core::catalog::Pathway) -> String {
    use strata_core::catalog::Pathway;
    match p {
        Pathway::None => "None".to_string(),
        Pathway::Relabel => "Relabel".to_string(),
        Pathway::ViaIo => "ViaIo".to_string(),
        Pathway::Func(oid) => {
            let proc = env
                .catalog
                .proc(*oid)
                .expect("cast function in the catalog");
            let args: Vec<String> = proc.args.iter().map(|&t| display(env, t)).collect();
            format!("Func({}({}))", proc.name, args.join(","))
        }
        Pathway::Array(inner) => format!("Array({})", pathway_name(env, inner)),
    }
}

/// `Env::coercion` for every pair of a type matrix in the three contexts,
/// against the server: implicit through a one-function call
/// (`cv_N(col)`), assignment through `INSERT … SELECT`, explicit through
/// `CAST`; the pathway from the stored view tree.
#[tokio::test]
async fn coercions_match_the_server() {
    use strata_core::catalog::CoercionContext;
    let db = TestDb::create("catalog_coerce").await;
    let client = db.client().await;
    let mut ddl =
        String::from("CREATE EXTENSION citext; CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\n");
    let cols: Vec<String> = COERCION_TYPES
        .iter()
        .enumerate()
        .map(|(i, (t, _))| format!("c{i} {t}"))
        .collect();
    ddl += &format!("CREATE TABLE src ({});\n", cols.join(", "));
    ddl += &format!("CREATE TABLE dst ({});\n", cols.join(", "));
    for (i, (t, _)) in COERCION_TYPES.iter().enumerate() {
        ddl += &format!("CREATE FUNCTION cv_{i}({t}) RETURNS int LANGUAGE sql AS 'SELECT 1';\n");
    }
    client.batch_execute(&ddl).await.unwrap();

    let env = Env {
        catalog: Catalog::pg15(),
        extensions: vec!["citext".into()],
        user: &Mood,
    };
    let contexts = [
        CoercionContext::Implicit,
        CoercionContext::Assignment,
        CoercionContext::Explicit,
    ];
    let mut failures = Vec::new();
    let mut accepted: Vec<(usize, usize, CoercionContext, String)> = Vec::new();
    let mut counts = [0usize; 2];
    for (from, (_, from_name)) in COERCION_TYPES.iter().enumerate() {
        for (to, (to_sql, to_name)) in COERCION_TYPES.iter().enumerate() {
            for ctx in contexts {
                let (sql, expr) = match ctx {
                    CoercionContext::Implicit => {
                        let e = format!("cv_{to}(c{from})");
                        (format!("SELECT {e} FROM src"), e)
                    }
                    CoercionContext::Assignment => (
                        format!("INSERT INTO dst (c{to}) SELECT c{from} FROM src"),
                        String::new(),
                    ),
                    CoercionContext::Explicit => {
                        let e = format!("CAST(c{from} AS {to_sql})");
                        (format!("SELECT {e} FROM src"), e)
                    }
                };
                let server_ok = client.prepare(&sql).await.is_ok();
                counts[usize::from(server_ok)] += 1;
                let mine = env.coercion(type_id(&env, from_name), type_id(&env, to_name), ctx);
                match (&mine, server_ok) {
                    (Resolve::Found(p), true) => {
                        if ctx != CoercionContext::Assignment {
                            accepted.push((
                                from,
                                to,
                                ctx,
                                format!("{expr}\t{}", pathway_name(&env, p)),
                            ));
                        }
                    }
                    (Resolve::Error { .. }, false) => {}
                    _ => failures.push(format!(
                        "{from_name} -> {to_name} ({ctx:?}): server {}, strata {mine:?}",
                        if server_ok { "accepts" } else { "refuses" }
                    )),
                }
            }
        }
    }
    // The pathways of what both accept (implicit and explicit), from one view.
    let columns: Vec<String> = accepted
        .iter()
        .enumerate()
        .map(|(k, (_, _, _, e))| format!("{} AS k{k}", e.split('\t').next().unwrap()))
        .collect();
    client
        .batch_execute(&format!(
            "CREATE VIEW v AS SELECT {} FROM src",
            columns.join(", ")
        ))
        .await
        .unwrap();
    let action: String = client
        .query_one(
            "SELECT ev_action::text FROM pg_rewrite WHERE ev_class = 'v'::regclass",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let toks = tokenize(&action);
    let mut pos = 0;
    let Item::List(queries) = parse_item(&toks, &mut pos) else {
        panic!("ev_action is a list")
    };
    let targets = queries[0].list("targetList");
    assert_eq!(targets.len(), accepted.len());
    for (te, (from, to, ctx, e)) in targets.iter().zip(&accepted) {
        let mut node = match te.field("expr") {
            Some([n]) => n.clone(),
            other => panic!("TARGETENTRY without expr: {other:?}"),
        };
        if *ctx == CoercionContext::Implicit {
            node = node.list("args")[0].clone();
        }
        let server = node_pathway(&client, &node).await;
        let mine = e.split('\t').nth(1).unwrap();
        if server != mine {
            failures.push(format!(
                "{} -> {} ({ctx:?}): server {server}, strata {mine}",
                COERCION_TYPES[*from].1, COERCION_TYPES[*to].1
            ));
        }
    }
    eprintln!("coercions: {} refused, {} accepted", counts[0], counts[1]);
    assert!(
        counts[0] > 300 && counts[1] > 300,
        "the matrix has both outcomes"
    );
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
