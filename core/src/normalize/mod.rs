//! Canonical forms of types, and interval literals.
//!
//! - Types ([`data_type`], [`type_text`]) are canonical in the form
//!   `format_type(atttypid, atttypmod)` prints them with `search_path =
//!   public`: `integer`, `character varying(255)[]`, `timestamp(3) with time
//!   zone`, `"TaskRunStatus"`, `other.thing`.
//! - Interval literals ([`interval_literal`]) are printed the way PostgreSQL
//!   prints intervals: `'1 month'` → `1 mon`.
//!
//! Expressions are not normalized: [`crate::analyze`] types them and prints
//! them as the server stores them.

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
