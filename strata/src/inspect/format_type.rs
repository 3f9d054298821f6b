//! `format_type(oid, typmod)` on the client, for the built-in types only.
//!
//! The queries ask the server for `format_type` only where this module
//! cannot answer ([`super::SERVER_FORMATS_TYPE`]: a type created after `initdb`'s
//! bootstrap, or a type modifier on a type this module does not know the
//! modifier of); every other column comes as its raw `atttypid` and
//! `atttypmod` and is printed here as `format_type_extended` prints it with
//! `FORMAT_TYPE_TYPEMOD_GIVEN` (PostgreSQL 15, `utils/adt/format_type.c`
//! and the types' `typmodout` functions). The oracle test
//! (`tests/inspect_format_live.rs`) compares every form with the server's.

use std::collections::HashMap;

use strata_core::catalog::Catalog;
use strata_core::normalize;

use super::{normalized, InspectError};

/// Normalized type texts by (type oid, typmod), within one snapshot.
pub(super) type TypeCache = HashMap<(u32, i32), String>;

/// A column's type as the model keeps it: the server's `format_type` text
/// when the query asked for it, the client's otherwise, normalized.
pub(super) fn column_type(
    cache: &mut TypeCache,
    typid: u32,
    typmod: i32,
    server: Option<String>,
    object: impl Fn() -> String,
) -> Result<String, InspectError> {
    if let Some(t) = cache.get(&(typid, typmod)) {
        return Ok(t.clone());
    }
    let raw = match server {
        Some(text) => text,
        None => format_type(typid, typmod).ok_or_else(|| InspectError::Catalog {
            step: "columns",
            reason: format!(
                "{}: the type {typid} with modifier {typmod} was not printed by the server \
                 and is not a built-in type strata prints",
                object()
            ),
        })?,
    };
    let t = normalized(normalize::type_text, &raw, &object, "type")?;
    cache.insert((typid, typmod), t.clone());
    Ok(t)
}

/// The SQL condition (over `$typid`, `$typmod`) under which the server
/// formats a type: exactly the cases [`format_type`] returns `None` for.
/// Oids below 10000 are `pg_catalog`'s own (`FirstGenbkiObjectId`);
/// `information_schema`'s and every user's come after.
macro_rules! server_formats_type {
    ($typid:literal, $typmod:literal) => {
        concat!(
            "(",
            $typid,
            " >= 10000 OR (",
            $typmod,
            " >= 0 AND ",
            $typid,
            " NOT IN (1042, 1014, 1043, 1015, 1560, 1561, 1562, 1563, 1700, 1231, \
             1083, 1183, 1266, 1270, 1114, 1115, 1184, 1185, 1186, 1187)))"
        )
    };
}
pub(super) use server_formats_type;

/// `VARHDRSZ`: `varchar(n)`'s and `numeric(p,s)`'s typmods count it.
const VARHDRSZ: i32 = 4;

/// What `format_type(typid, typmod)` prints with `search_path = public`,
/// for a built-in type (oid below 10000); `None` where the server must be
/// asked (the query did).
pub(super) fn format_type(typid: u32, typmod: i32) -> Option<String> {
    if typid >= 10000 {
        return None;
    }
    let catalog = Catalog::pg15();
    let info = catalog.type_info(typid)?;
    if catalog.type_extension(typid).is_some() {
        return None;
    }
    // A true array prints its element with the modifier, then `[]`.
    let (base, array) = if info.category == 'A' && info.elem != 0 && typid != 22 && typid != 30 {
        (info.elem, true)
    } else {
        (typid, false)
    };
    let mut out = if typmod < 0 {
        match base {
            // bpchar and bit with typmod -1 are not `character` (which
            // means character(1)) nor `bit` (bit(1)): printed as bpchar and
            // the quoted `"bit"` so that reading them back gives no typmod.
            1042 => "bpchar".to_string(),
            1560 => "\"bit\"".to_string(),
            _ => return Some(info.display.clone()),
        }
    } else {
        with_typmod(base, typmod)?
    };
    if array {
        out.push_str("[]");
    }
    Some(out)
}

/// `printTypmod` of the types whose modifiers are known here.
fn with_typmod(base: u32, typmod: i32) -> Option<String> {
    let length = |name: &str| {
        if typmod > VARHDRSZ {
            format!("{name}({})", typmod - VARHDRSZ)
        } else {
            name.to_string()
        }
    };
    Some(match base {
        1042 => length("character"),
        1043 => length("character varying"),
        1560 => format!("bit({typmod})"),
        1562 => format!("bit varying({typmod})"),
        1700 => {
            if typmod >= VARHDRSZ {
                let t = typmod - VARHDRSZ;
                let precision = (t >> 16) & 0xffff;
                let scale = ((t & 0x7ff) ^ 1024) - 1024;
                format!("numeric({precision},{scale})")
            } else {
                "numeric".to_string()
            }
        }
        1083 => format!("time({typmod}) without time zone"),
        1266 => format!("time({typmod}) with time zone"),
        1114 => format!("timestamp({typmod}) without time zone"),
        1184 => format!("timestamp({typmod}) with time zone"),
        1186 => format!("interval{}", interval_typmod(typmod)?),
        _ => return None,
    })
}

/// `intervaltypmodout`: the fields, then the precision unless it is the
/// full one.
fn interval_typmod(typmod: i32) -> Option<String> {
    // datetime.h: MONTH 1, YEAR 2, DAY 3, HOUR 10, MINUTE 11, SECOND 12.
    const MONTH: i32 = 1 << 1;
    const YEAR: i32 = 1 << 2;
    const DAY: i32 = 1 << 3;
    const HOUR: i32 = 1 << 10;
    const MINUTE: i32 = 1 << 11;
    const SECOND: i32 = 1 << 12;
    const FULL_RANGE: i32 = 0x7fff;
    const FULL_PRECISION: i32 = 0xffff;
    let fields = (typmod >> 16) & 0x7fff;
    let precision = typmod & 0xffff;
    let fields = match fields {
        YEAR => " year",
        MONTH => " month",
        DAY => " day",
        HOUR => " hour",
        MINUTE => " minute",
        SECOND => " second",
        x if x == YEAR | MONTH => " year to month",
        x if x == DAY | HOUR => " day to hour",
        x if x == DAY | HOUR | MINUTE => " day to minute",
        x if x == DAY | HOUR | MINUTE | SECOND => " day to second",
        x if x == HOUR | MINUTE => " hour to minute",
        x if x == HOUR | MINUTE | SECOND => " hour to second",
        x if x == MINUTE | SECOND => " minute to second",
        FULL_RANGE => "",
        _ => return None,
    };
    Some(if precision != FULL_PRECISION {
        format!("{fields}({precision})")
    } else {
        fields.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modifiers_print_as_the_server_prints_them() {
        assert_eq!(
            format_type(1043, 14).as_deref(),
            Some("character varying(10)")
        );
        assert_eq!(
            format_type(1015, -1).as_deref(),
            Some("character varying[]")
        );
        assert_eq!(format_type(1042, -1).as_deref(), Some("bpchar"));
        assert_eq!(format_type(1561, -1).as_deref(), Some("\"bit\"[]"));
        assert_eq!(
            format_type(1700, (12 << 16 | 2) + 4).as_deref(),
            Some("numeric(12,2)")
        );
        assert_eq!(
            format_type(1186, (0x7fff << 16) | 3).as_deref(),
            Some("interval(3)")
        );
        assert_eq!(format_type(16384, -1), None);
    }
}
