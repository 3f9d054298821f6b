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
pub fn canonical(typname: &str, typmod: i32, input: &str) -> Literal {
    let _ = (typmod, input);
    Literal::Unknown(format!(
        "literals of type {typname} are not read offline yet"
    ))
}
