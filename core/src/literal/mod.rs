//! Literals as the server stores them: a string read by a built-in type's
//! input function, printed back by its output function, exactly as
//! PostgreSQL 15 does with `DateStyle = 'ISO, MDY'`, `IntervalStyle =
//! 'postgres'`, `TimeZone = 'UTC'` and `extra_float_digits = 1` (the
//! settings `strata::inspect` reads the catalog under).
//!
//! `'yes'` read as `boolean` is `true`; `'1 week'` as `interval` is
//! `7 days`; `'{"a":1}'` as `jsonb` is `{"a": 1}`, and as `json` stays as
//! written. Where the output depends on something strata cannot know offline
//! (a `timestamptz` written without a zone depends on the `TimeZone` of the
//! session that created it), the answer is [`Literal::Unknown`], never a
//! guess.

mod array;
mod bitstring;
mod boolean;
mod datetime;
mod json;
mod network;
mod numeric;
mod text;

pub use array::array_with;

/// What the server makes of a literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Literal {
    /// The output function's text.
    Value(String),
    /// The input function rejects it: the error PostgreSQL raises.
    Invalid {
        sqlstate: &'static str,
        message: String,
    },
    /// strata cannot tell offline (why).
    Unknown(String),
}

/// `input` read as the built-in type `typname` (`pg_type.typname`: `bool`,
/// `int4`, `numeric`, `timestamptz`, `_int4` for `integer[]`, …) with
/// type modifier `typmod` (`-1` for none; as `atttypmod` stores it:
/// `varchar(20)` is 24, `numeric(10,2)` is `((10 << 16) | 2) + 4`), and
/// printed by its output function.
///
/// This is the input function called with the typmod (implicit-coercion
/// semantics: `'abcd'` as `varchar(3)` is an error, not a truncation).
pub fn canonical(typname: &str, typmod: i32, input: &str) -> Literal {
    if input.contains('\0') {
        return Literal::Unknown("a literal cannot contain a NUL byte".to_string());
    }
    if let Some(elem) = typname.strip_prefix('_') {
        if scalar_supported(elem) {
            return array::array_in(elem, typmod, input);
        }
        return Literal::Unknown(format!("arrays of type {elem} are not read offline"));
    }
    scalar(typname, typmod, input)
}

/// Element types `canonical` reads (arrays of these are read too).
fn scalar_supported(typname: &str) -> bool {
    matches!(
        typname,
        "bool"
            | "int2"
            | "int4"
            | "int8"
            | "oid"
            | "numeric"
            | "float4"
            | "float8"
            | "text"
            | "varchar"
            | "bpchar"
            | "name"
            | "char"
            | "bytea"
            | "bit"
            | "varbit"
            | "date"
            | "time"
            | "timetz"
            | "timestamp"
            | "timestamptz"
            | "interval"
            | "uuid"
            | "inet"
            | "cidr"
            | "macaddr"
            | "macaddr8"
            | "json"
            | "jsonb"
    )
}

/// One element or scalar value.
pub(crate) fn scalar(typname: &str, typmod: i32, input: &str) -> Literal {
    match typname {
        "bool" => boolean::bool_in(input),
        "int2" => numeric::int_in(input, numeric::IntKind::Int2),
        "int4" => numeric::int_in(input, numeric::IntKind::Int4),
        "int8" => numeric::int_in(input, numeric::IntKind::Int8),
        "oid" => numeric::oid_in(input),
        "numeric" => numeric::numeric_in(input, typmod),
        "float4" => numeric::float_in(input, false),
        "float8" => numeric::float_in(input, true),
        "text" => Literal::Value(input.to_string()),
        "varchar" => text::varchar_in(input, typmod),
        "bpchar" => text::bpchar_in(input, typmod),
        "name" => text::name_in(input),
        "char" => text::char_in(input),
        "bytea" => text::bytea_in(input),
        "bit" => bitstring::bit_in(input, typmod, false),
        "varbit" => bitstring::bit_in(input, typmod, true),
        "date" => datetime::date_in(input),
        "time" => datetime::time_in(input, typmod),
        "timetz" => datetime::timetz_in(input, typmod),
        "timestamp" => datetime::timestamp_in(input, typmod, false),
        "timestamptz" => datetime::timestamp_in(input, typmod, true),
        "interval" => datetime::interval_in(input, typmod),
        "uuid" => network::uuid_in(input),
        "inet" => network::inet_in(input, false),
        "cidr" => network::inet_in(input, true),
        "macaddr" => network::macaddr_in(input),
        "macaddr8" => network::macaddr8_in(input),
        "json" => json::json_in(input),
        "jsonb" => json::jsonb_in(input),
        "money" => {
            Literal::Unknown("money literals depend on the server's lc_monetary".to_string())
        }
        other => Literal::Unknown(format!("literals of type {other} are not read offline")),
    }
}

/// `invalid input syntax for type T: "input"` (22P02).
pub(crate) fn syntax(type_name: &str, input: &str) -> Literal {
    Literal::Invalid {
        sqlstate: "22P02",
        message: format!("invalid input syntax for type {type_name}: \"{input}\""),
    }
}

pub(crate) fn invalid(sqlstate: &'static str, message: impl Into<String>) -> Literal {
    Literal::Invalid {
        sqlstate,
        message: message.into(),
    }
}

/// C's `isspace` in the "C" locale.
pub(crate) fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

pub(crate) fn trim_space(s: &str) -> &str {
    s.trim_matches(is_space)
}
