//! Canonical type text: exactly what `format_type(atttypid, atttypmod)`
//! prints with `search_path = public`.

use sqlparser::ast::{
    ArrayElemTypeDef, CharacterLength, DataType, ExactNumberInfo, Ident, IntervalFields,
    ObjectName, TimezoneInfo, TypeModifier,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;

use crate::model::{quote_ident, quote_literal};

/// Largest length PostgreSQL accepts for `character varying(n)`/`character(n)`.
const MAX_CHAR_LENGTH: u64 = 10_485_760;
/// Largest length PostgreSQL accepts for `bit(n)`/`bit varying(n)`.
const MAX_BIT_LENGTH: u64 = 83_886_080;
/// Largest fractional-seconds precision; larger ones are reduced to it.
const MAX_TIME_PRECISION: u64 = 6;

/// Canonical type text from a sqlparser DataType (as written in DDL: CREATE
/// TABLE, casts).
///
/// Serial pseudo-types (`serial`, `bigserial`, …) give the type the column
/// really gets (`integer`, `bigint`, …), as `format_type` shows it.
pub fn data_type(dt: &DataType) -> Result<String, String> {
    match dt {
        DataType::Array(elem) => {
            let inner = match elem {
                ArrayElemTypeDef::SquareBracket(t, _)
                | ArrayElemTypeDef::Qualified(t, _)
                | ArrayElemTypeDef::AngleBracket(t)
                | ArrayElemTypeDef::Parenthesis(t)
                | ArrayElemTypeDef::ParenthesisNotNull(t) => t,
                ArrayElemTypeDef::None => {
                    return Err("array type without an element type".to_string())
                }
            };
            let text = data_type(inner)?;
            // PostgreSQL does not keep array dimensions: `int[][]` is `integer[]`.
            if text.ends_with("[]") {
                Ok(text)
            } else {
                Ok(format!("{text}[]"))
            }
        }
        DataType::Int(p) | DataType::Int4(p) | DataType::Integer(p) => no_modifier(p, "integer"),
        DataType::Int2(p) | DataType::SmallInt(p) => no_modifier(p, "smallint"),
        DataType::Int8(p) | DataType::BigInt(p) => no_modifier(p, "bigint"),
        DataType::Float4 | DataType::Real => Ok("real".to_string()),
        DataType::Float8 | DataType::DoublePrecision => Ok("double precision".to_string()),
        DataType::Float(info) => match info {
            ExactNumberInfo::None => Ok("double precision".to_string()),
            ExactNumberInfo::Precision(p) => float_precision(*p),
            ExactNumberInfo::PrecisionAndScale(..) => {
                Err("type float takes a single precision".to_string())
            }
        },
        DataType::Bool | DataType::Boolean => Ok("boolean".to_string()),
        DataType::Varchar(len) | DataType::CharacterVarying(len) | DataType::CharVarying(len) => {
            match char_length(len)? {
                None => Ok("character varying".to_string()),
                Some(n) => Ok(format!("character varying({n})")),
            }
        }
        DataType::Char(len) | DataType::Character(len) => {
            Ok(format!("character({})", char_length(len)?.unwrap_or(1)))
        }
        DataType::Numeric(info) | DataType::Decimal(info) | DataType::Dec(info) => {
            let (p, s) = match info {
                ExactNumberInfo::None => return Ok("numeric".to_string()),
                ExactNumberInfo::Precision(p) => (*p, 0),
                ExactNumberInfo::PrecisionAndScale(p, s) => (*p, *s),
            };
            numeric(p, s)
        }
        DataType::Timestamp(p, tz) => datetime("timestamp", *p, tz),
        DataType::Time(p, tz) => datetime("time", *p, tz),
        DataType::Date => Ok("date".to_string()),
        DataType::Interval { fields, precision } => Ok(interval(fields.as_ref(), *precision)),
        DataType::Text => Ok("text".to_string()),
        DataType::Uuid => Ok("uuid".to_string()),
        DataType::JSON => Ok("json".to_string()),
        DataType::JSONB => Ok("jsonb".to_string()),
        DataType::Bytea => Ok("bytea".to_string()),
        DataType::Regclass => Ok("regclass".to_string()),
        DataType::TsVector => Ok("tsvector".to_string()),
        DataType::TsQuery => Ok("tsquery".to_string()),
        DataType::Trigger => Ok("trigger".to_string()),
        DataType::Bit(n) => bit("bit", Some(n.unwrap_or(1))),
        DataType::BitVarying(n) | DataType::VarBit(n) => bit("bit varying", *n),
        DataType::GeometricType(kind) => Ok(kind.to_string()),
        DataType::Custom(name, modifiers) => custom(name, modifiers),
        // The collation is not part of the type.
        DataType::Collate(inner, _) => data_type(inner),
        DataType::Unspecified | DataType::AnyType => Err(format!("not a column type: {dt}")),
        other => {
            // sqlparser knows type keywords of other databases (`string`,
            // `datetime`, `tinyint`, …). PostgreSQL has no such built-in
            // type, so the word can only name a user type.
            let text = other.to_string();
            if is_plain_word(&text) {
                Ok(quote_ident(&text.to_ascii_lowercase()))
            } else {
                Err(format!("unsupported type: {text}"))
            }
        }
    }
}

/// Canonical type text from text (`int4`, `format_type` output like
/// `character varying(255)[]`, `timestamp(3) without time zone`, `"MyEnum"`,
/// `other."MyEnum"[]`, `public.thing`).
pub fn type_text(text: &str) -> Result<String, String> {
    let dialect = PostgreSqlDialect {};
    let mut parser = Parser::new(&dialect)
        .try_with_sql(text)
        .map_err(|e| format!("cannot read type {text:?}: {e}"))?;
    let dt = parser
        .parse_data_type()
        .map_err(|e| format!("cannot read type {text:?}: {e}"))?;
    if parser.peek_token().token != Token::EOF {
        return Err(format!(
            "cannot read type {text:?}: unexpected text after the type"
        ));
    }
    data_type(&dt)
}

/// An identifier as PostgreSQL stores it: unquoted ones fold to lower case.
pub(crate) fn fold_ident(ident: &Ident) -> String {
    if ident.quote_style.is_some() {
        ident.value.clone()
    } else {
        ident.value.to_ascii_lowercase()
    }
}

fn is_plain_word(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn no_modifier(p: &Option<u64>, name: &str) -> Result<String, String> {
    match p {
        None => Ok(name.to_string()),
        Some(_) => Err(format!("type modifier is not allowed for type {name}")),
    }
}

fn float_precision(p: u64) -> Result<String, String> {
    match p {
        1..=24 => Ok("real".to_string()),
        25..=53 => Ok("double precision".to_string()),
        _ => Err(format!(
            "precision {p} for type float is out of range 1..53"
        )),
    }
}

fn char_length(len: &Option<CharacterLength>) -> Result<Option<u64>, String> {
    match len {
        None => Ok(None),
        Some(CharacterLength::IntegerLength { length, unit: None }) => {
            if (1..=MAX_CHAR_LENGTH).contains(length) {
                Ok(Some(*length))
            } else {
                Err(format!(
                    "length {length} for a character type is out of range"
                ))
            }
        }
        Some(other) => Err(format!("unsupported character length: {other}")),
    }
}

fn numeric(p: u64, s: i64) -> Result<String, String> {
    if !(1..=1000).contains(&p) {
        return Err(format!("NUMERIC precision {p} must be between 1 and 1000"));
    }
    if !(-1000..=1000).contains(&s) {
        return Err(format!("NUMERIC scale {s} must be between -1000 and 1000"));
    }
    Ok(format!("numeric({p},{s})"))
}

fn datetime(name: &str, p: Option<u64>, tz: &TimezoneInfo) -> Result<String, String> {
    let zone = match tz {
        TimezoneInfo::None | TimezoneInfo::WithoutTimeZone => "without time zone",
        TimezoneInfo::WithTimeZone | TimezoneInfo::Tz => "with time zone",
    };
    Ok(match p {
        None => format!("{name} {zone}"),
        Some(p) => format!("{name}({}) {zone}", p.min(MAX_TIME_PRECISION)),
    })
}

fn interval(fields: Option<&IntervalFields>, precision: Option<u64>) -> String {
    let mut s = "interval".to_string();
    if let Some(f) = fields {
        s.push(' ');
        s.push_str(&f.to_string().to_ascii_lowercase());
    }
    if let Some(p) = precision {
        s.push_str(&format!("({})", p.min(MAX_TIME_PRECISION)));
    }
    s
}

fn bit(name: &str, n: Option<u64>) -> Result<String, String> {
    match n {
        None => Ok(name.to_string()),
        Some(n) if (1..=MAX_BIT_LENGTH).contains(&n) => Ok(format!("{name}({n})")),
        Some(n) => Err(format!("length {n} for type {name} is out of range")),
    }
}

/// Integer type modifiers (`(10)`, `(10,2)`); error for anything else.
fn int_modifiers(modifiers: &[TypeModifier], name: &str) -> Result<Vec<i64>, String> {
    modifiers
        .iter()
        .map(|m| match m {
            TypeModifier::Number(n, _) => n
                .parse::<i64>()
                .map_err(|_| format!("invalid type modifier {n} for type {name}")),
            _ => Err(format!("invalid type modifier for type {name}")),
        })
        .collect()
}

fn one_modifier(modifiers: &[TypeModifier], name: &str) -> Result<Option<u64>, String> {
    let mods = int_modifiers(modifiers, name)?;
    match mods.as_slice() {
        [] => Ok(None),
        [n] if *n >= 0 => Ok(Some(*n as u64)),
        _ => Err(format!("invalid type modifier for type {name}")),
    }
}

/// The serial pseudo-types and the type the column really gets.
pub(crate) fn serial_real_type(name: &str) -> Option<&'static str> {
    match name.to_ascii_lowercase().as_str() {
        "serial" | "serial4" => Some("integer"),
        "bigserial" | "serial8" => Some("bigint"),
        "smallserial" | "serial2" => Some("smallint"),
        _ => None,
    }
}

/// A type named by an identifier (built-in names sqlparser does not know as
/// keywords, `pg_catalog.` names, user types).
fn custom(name: &ObjectName, modifiers: &[TypeModifier]) -> Result<String, String> {
    let mut parts = Vec::with_capacity(name.0.len());
    for part in &name.0 {
        match part.as_ident() {
            Some(ident) => parts.push(ident),
            None => return Err(format!("unsupported type name: {name}")),
        }
    }
    let (schema, ident) = match parts.as_slice() {
        [ident] => (None, *ident),
        [schema, ident] => (Some(fold_ident(schema)), *ident),
        _ => return Err(format!("unsupported type name: {name}")),
    };
    let type_name = fold_ident(ident);
    match schema.as_deref() {
        Some("public") => user_type(None, &type_name, modifiers),
        Some("pg_catalog") | None => {
            if let Some(t) = builtin(&type_name, ident.quote_style.is_none(), modifiers)? {
                Ok(t)
            } else {
                user_type(None, &type_name, modifiers)
            }
        }
        Some(schema) => user_type(Some(schema), &type_name, modifiers),
    }
}

/// Built-in types reached by name: `pg_type.typname`s that `format_type`
/// prints differently, plus the grammar's aliases when written unquoted.
fn builtin(
    name: &str,
    unquoted: bool,
    modifiers: &[TypeModifier],
) -> Result<Option<String>, String> {
    let plain = |t: &str| -> Result<Option<String>, String> {
        if modifiers.is_empty() {
            Ok(Some(t.to_string()))
        } else {
            Err(format!("type modifier is not allowed for type {t}"))
        }
    };
    let keyword = |alias: &str| unquoted && name == alias;
    if let Some(real) = serial_real_type(name) {
        // PostgreSQL expands `serial` and `pg_catalog.serial` (and the
        // others) to the real type plus a sequence default.
        return plain(real);
    }
    match name {
        "int4" => plain("integer"),
        "int2" => plain("smallint"),
        "int8" => plain("bigint"),
        "float4" => plain("real"),
        "float8" => plain("double precision"),
        "bool" => plain("boolean"),
        // sqlparser reads `text(…)` as a named type; text takes no modifier.
        "text" => plain("text"),
        _ if keyword("integer") || keyword("int") => plain("integer"),
        _ if keyword("smallint") => plain("smallint"),
        _ if keyword("bigint") => plain("bigint"),
        _ if keyword("real") => plain("real"),
        _ if keyword("boolean") => plain("boolean"),
        "varchar" => Ok(Some(match one_modifier(modifiers, "character varying")? {
            None => "character varying".to_string(),
            Some(n) => data_type(&DataType::Varchar(Some(CharacterLength::IntegerLength {
                length: n,
                unit: None,
            })))?,
        })),
        "bpchar" => Ok(Some(match one_modifier(modifiers, "character")? {
            // `bpchar` without a length is its own spelling in format_type.
            None => "bpchar".to_string(),
            Some(n) => data_type(&DataType::Char(Some(CharacterLength::IntegerLength {
                length: n,
                unit: None,
            })))?,
        })),
        // The one-byte internal type; unquoted `char` is `character(1)`.
        "char" if !unquoted => plain("\"char\""),
        "char" => {
            let n = one_modifier(modifiers, "character")?.unwrap_or(1);
            data_type(&DataType::Char(Some(CharacterLength::IntegerLength {
                length: n,
                unit: None,
            })))
            .map(Some)
        }
        _ if name == "numeric" || keyword("decimal") || keyword("dec") => {
            let mods = int_modifiers(modifiers, "numeric")?;
            match mods.as_slice() {
                [] => Ok(Some("numeric".to_string())),
                [p] if *p >= 0 => numeric(*p as u64, 0).map(Some),
                [p, s] if *p >= 0 => numeric(*p as u64, *s).map(Some),
                _ => Err("invalid NUMERIC type modifier".to_string()),
            }
        }
        "timestamp" | "timestamptz" | "time" | "timetz" => {
            let p = one_modifier(modifiers, name)?;
            let tz = if name.ends_with("tz") {
                TimezoneInfo::Tz
            } else {
                TimezoneInfo::None
            };
            datetime(name.trim_end_matches("tz"), p, &tz).map(Some)
        }
        "interval" => Ok(Some(interval(None, one_modifier(modifiers, name)?))),
        "bit" => bit("bit", Some(one_modifier(modifiers, name)?.unwrap_or(1))).map(Some),
        "varbit" => bit("bit varying", one_modifier(modifiers, name)?).map(Some),
        _ => Ok(None),
    }
}

/// A type `format_type` prints by name: quoted as needed, qualified unless
/// it lives in `public` (or `pg_catalog`), modifiers as written.
fn user_type(
    schema: Option<&str>,
    name: &str,
    modifiers: &[TypeModifier],
) -> Result<String, String> {
    let mut s = String::new();
    if let Some(schema) = schema {
        s.push_str(&quote_ident(schema));
        s.push('.');
    }
    s.push_str(&quote_ident(name));
    if !modifiers.is_empty() {
        let mods: Vec<String> = modifiers
            .iter()
            .map(|m| match m {
                TypeModifier::Identifier(ident) => ident.value.clone(),
                TypeModifier::Number(n, _) => n.clone(),
                TypeModifier::String(v) => quote_literal(v),
            })
            .collect();
        s.push('(');
        s.push_str(&mods.join(","));
        s.push(')');
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Column types written in `CREATE TABLE` and the `format_type(atttypid,
    /// atttypmod)` of the column: read from PostgreSQL 15 format_type
    /// (search_path = public; `citext` installed in public; enums
    /// `"TaskRunStatus"`, `agent_run_status`, `"user"`, `"MyEnum"`, `thing`
    /// in public and `other."MyEnum"`, `other.thing`).
    const SERVER: &[(&str, &str)] = &[
        ("int", "integer"),
        ("int4", "integer"),
        ("integer", "integer"),
        ("int8", "bigint"),
        ("bigint", "bigint"),
        ("int2", "smallint"),
        ("smallint", "smallint"),
        ("float8", "double precision"),
        ("double precision", "double precision"),
        ("float4", "real"),
        ("real", "real"),
        ("float(24)", "real"),
        ("float(25)", "double precision"),
        ("float", "double precision"),
        ("float(1)", "real"),
        ("float(53)", "double precision"),
        ("bool", "boolean"),
        ("boolean", "boolean"),
        ("varchar(10)", "character varying(10)"),
        ("character varying(10)", "character varying(10)"),
        ("varchar", "character varying"),
        ("character varying", "character varying"),
        ("char varying(3)", "character varying(3)"),
        ("char", "character(1)"),
        ("character", "character(1)"),
        ("char(5)", "character(5)"),
        ("character(1)", "character(1)"),
        ("bpchar", "bpchar"),
        ("bpchar(3)", "character(3)"),
        ("pg_catalog.bpchar", "bpchar"),
        ("timestamp", "timestamp without time zone"),
        ("timestamp without time zone", "timestamp without time zone"),
        ("timestamp(3)", "timestamp(3) without time zone"),
        ("timestamp(0)", "timestamp(0) without time zone"),
        ("timestamptz", "timestamp with time zone"),
        ("timestamp with time zone", "timestamp with time zone"),
        ("timestamp(3) with time zone", "timestamp(3) with time zone"),
        ("timestamptz(3)", "timestamp(3) with time zone"),
        ("time", "time without time zone"),
        ("timetz", "time with time zone"),
        ("time(2)", "time(2) without time zone"),
        ("time(2) with time zone", "time(2) with time zone"),
        ("time(0) without time zone", "time(0) without time zone"),
        ("numeric(100,20)", "numeric(100,20)"),
        ("decimal", "numeric"),
        ("numeric(10)", "numeric(10,0)"),
        ("numeric", "numeric"),
        ("decimal(10,2)", "numeric(10,2)"),
        ("dec(5)", "numeric(5,0)"),
        ("numeric(5,-2)", "numeric(5,-2)"),
        ("text", "text"),
        ("uuid", "uuid"),
        ("json", "json"),
        ("jsonb", "jsonb"),
        ("bytea", "bytea"),
        ("date", "date"),
        ("interval", "interval"),
        ("interval(6)", "interval(6)"),
        ("interval(3)", "interval(3)"),
        ("interval year to month", "interval year to month"),
        ("interval day to second(3)", "interval day to second(3)"),
        (
            "interval minute to second(2)",
            "interval minute to second(2)",
        ),
        ("interval hour", "interval hour"),
        ("interval day", "interval day"),
        ("interval year", "interval year"),
        ("interval second(2)", "interval second(2)"),
        ("inet", "inet"),
        ("cidr", "cidr"),
        ("macaddr", "macaddr"),
        ("macaddr8", "macaddr8"),
        ("tsvector", "tsvector"),
        ("tsquery", "tsquery"),
        ("citext", "citext"),
        ("public.citext", "citext"),
        ("oid", "oid"),
        ("money", "money"),
        ("bit(3)", "bit(3)"),
        ("bit", "bit(1)"),
        ("varbit", "bit varying"),
        ("varbit(4)", "bit varying(4)"),
        ("bit varying(5)", "bit varying(5)"),
        ("xml", "xml"),
        ("point", "point"),
        ("line", "line"),
        ("lseg", "lseg"),
        ("box", "box"),
        ("path", "path"),
        ("polygon", "polygon"),
        ("circle", "circle"),
        ("regclass", "regclass"),
        ("jsonpath", "jsonpath"),
        ("int4range", "int4range"),
        ("tstzrange", "tstzrange"),
        ("pg_lsn", "pg_lsn"),
        ("txid_snapshot", "txid_snapshot"),
        ("name", "name"),
        ("\"char\"", "\"char\""),
        ("\"varchar\"(7)", "character varying(7)"),
        ("\"bool\"", "boolean"),
        ("\"int4\"", "integer"),
        ("\"timestamptz\"", "timestamp with time zone"),
        ("pg_catalog.varchar(3)", "character varying(3)"),
        ("pg_catalog.int4", "integer"),
        ("text[]", "text[]"),
        ("integer[]", "integer[]"),
        ("int[][]", "integer[]"),
        ("varchar(10)[]", "character varying(10)[]"),
        ("text ARRAY", "text[]"),
        ("int ARRAY[4]", "integer[]"),
        ("citext[]", "citext[]"),
        ("\"TaskRunStatus\"", "\"TaskRunStatus\""),
        ("\"TaskRunStatus\"[]", "\"TaskRunStatus\"[]"),
        ("agent_run_status", "agent_run_status"),
        ("\"user\"", "\"user\""),
        ("other.\"MyEnum\"[]", "other.\"MyEnum\"[]"),
        ("public.\"MyEnum\"", "\"MyEnum\""),
        ("other.thing", "other.thing"),
        ("public.thing", "thing"),
        ("serial", "integer"),
        ("bigserial", "bigint"),
        ("smallserial", "smallint"),
    ];

    fn parse(text: &str) -> DataType {
        let dialect = PostgreSqlDialect {};
        Parser::new(&dialect)
            .try_with_sql(text)
            .and_then(|mut p| p.parse_data_type())
            .unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn written_types_match_format_type() {
        for (written, server) in SERVER {
            assert_eq!(
                data_type(&parse(written)).as_deref(),
                Ok(*server),
                "data_type({written})"
            );
            assert_eq!(
                type_text(written).as_deref(),
                Ok(*server),
                "type_text({written})"
            );
        }
    }

    #[test]
    fn format_type_output_is_a_fixed_point() {
        for (_, server) in SERVER {
            assert_eq!(
                type_text(server).as_deref(),
                Ok(*server),
                "type_text({server})"
            );
        }
    }

    #[test]
    fn case_folding_and_quoting() {
        assert_eq!(type_text("TEXT").as_deref(), Ok("text"));
        assert_eq!(
            type_text("VARCHAR(20)").as_deref(),
            Ok("character varying(20)")
        );
        assert_eq!(
            type_text("Agent_Run_Status").as_deref(),
            Ok("agent_run_status")
        );
        assert_eq!(
            type_text("\"Agent_Run_Status\"").as_deref(),
            Ok("\"Agent_Run_Status\"")
        );
        assert_eq!(type_text("Other.Thing").as_deref(), Ok("other.thing"));
        assert_eq!(
            type_text("\"Other\".thing").as_deref(),
            Ok("\"Other\".thing")
        );
        assert_eq!(type_text("PUBLIC.\"Foo\"").as_deref(), Ok("\"Foo\""));
        assert_eq!(type_text("PG_CATALOG.INT8").as_deref(), Ok("bigint"));
        assert_eq!(
            type_text("timestamp(9)").as_deref(),
            Ok("timestamp(6) without time zone")
        );
    }

    #[test]
    fn extension_types_keep_their_modifiers() {
        assert_eq!(type_text("vector(1536)").as_deref(), Ok("vector(1536)"));
        assert_eq!(
            type_text("public.vector(3)[]").as_deref(),
            Ok("vector(3)[]")
        );
        assert_eq!(
            type_text("geometry(Point,4326)").as_deref(),
            Ok("geometry(Point,4326)")
        );
    }

    #[test]
    fn invalid_types_are_errors() {
        for bad in [
            "",
            "int(11)",
            "varchar(0)",
            "float(54)",
            "float(0)",
            "numeric(0)",
            "numeric(1001,2)",
            "text(5)",
            "bit(0)",
            "a.b.c",
            "integer extra",
            "int4(3)",
            "\"varchar\"(x)",
            "varchar(10 CHARACTERS)",
            "(",
        ] {
            assert!(type_text(bad).is_err(), "{bad:?} should be an error");
        }
    }

    #[test]
    fn odd_input_does_not_panic() {
        for text in [
            "\"\"",
            "[]",
            "int[",
            "numeric(99999999999999999999)",
            "timestamp(99999999999999999999)",
            "ARRAY",
            "ARRAY<int>",
            "string",
            "datetime",
            "tinyint",
            "enum('a')",
            "double",
            "\u{0}",
        ] {
            let _ = type_text(text);
        }
        assert_eq!(type_text("string").as_deref(), Ok("string"));
    }
}
