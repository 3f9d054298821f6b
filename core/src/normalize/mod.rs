//! Canonical forms of types and expressions.
//!
//! strata compares a schema built offline from hand-written SQL with one read
//! from a live catalog (`format_type`, `pg_get_expr`, `pg_get_indexdef`, run
//! with `search_path = public`). Both sides go through these functions, which
//! give the same text whenever the two mean the same thing to PostgreSQL.
//!
//! - Types ([`data_type`], [`type_text`]) are canonical in the form
//!   `format_type(atttypid, atttypmod)` prints them: `integer`,
//!   `character varying(255)[]`, `timestamp(3) with time zone`,
//!   `"TaskRunStatus"`, `other.thing`.
//! - Expressions ([`expr`], [`expr_text`]) are parsed into sqlparser's AST,
//!   rewritten so that the written form and the server's deparsed form meet
//!   (parentheses, casts of literals, `IN`/`BETWEEN`/`LIKE` spelled the way the
//!   server stores them, identifiers folded and quoted like `quote_ident`), and
//!   printed back. The rules are listed on [`expr`].
//! - Interval literals ([`interval_literal`]) are printed the way PostgreSQL
//!   prints intervals: `'1 month'` → `1 mon`.

mod interval;
mod types;

pub use interval::interval_literal;
pub use types::{data_type, type_text};

/// For the serial pseudo-types (`serial`, `serial4`, `bigserial`, `serial8`,
/// `smallserial`, `serial2`, in any case) the real type the column gets:
/// `integer`, `bigint` or `smallint`. `None` for every other name.
pub fn serial_type(name: &str) -> Option<&'static str> {
    types::serial_real_type(name)
}

#[cfg(test)]
mod tests {
    use super::serial_type;

    #[test]
    fn serial_types() {
        assert_eq!(serial_type("serial"), Some("integer"));
        assert_eq!(serial_type("SERIAL4"), Some("integer"));
        assert_eq!(serial_type("bigserial"), Some("bigint"));
        assert_eq!(serial_type("serial8"), Some("bigint"));
        assert_eq!(serial_type("smallserial"), Some("smallint"));
        assert_eq!(serial_type("serial2"), Some("smallint"));
        assert_eq!(serial_type("integer"), None);
        assert_eq!(serial_type("int4"), None);
        assert_eq!(serial_type(""), None);
    }
}
