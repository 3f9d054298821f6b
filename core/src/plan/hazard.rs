//! Hazards: what a step may do to a live database, and how a change of
//! column type behaves.

use std::fmt;

use serde::Serialize;

/// What a step may do to a live database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hazard {
    /// Data is lost: a table or column dropped, values narrowed or rounded.
    DeletesData,
    /// The table is rewritten (every row copied) under its lock.
    RewritesTable,
    /// An `ACCESS EXCLUSIVE` lock is held while the table is scanned or
    /// rewritten: reads and writes wait.
    LocksTable,
    /// An index is built without `CONCURRENTLY`: writes wait until it is.
    BlocksWrites,
    /// Existing rows may make it fail (`NOT NULL`, `CHECK`, `UNIQUE`,
    /// foreign keys, narrowing casts, a removed enum value still in use).
    MayFail,
    /// The values of a generated column are computed again.
    ChangesGeneratedValues,
}

impl Hazard {
    pub const ALL: [Hazard; 6] = [
        Hazard::DeletesData,
        Hazard::RewritesTable,
        Hazard::LocksTable,
        Hazard::BlocksWrites,
        Hazard::MayFail,
        Hazard::ChangesGeneratedValues,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Hazard::DeletesData => "deletes-data",
            Hazard::RewritesTable => "rewrites-table",
            Hazard::LocksTable => "locks-table",
            Hazard::BlocksWrites => "blocks-writes",
            Hazard::MayFail => "may-fail",
            Hazard::ChangesGeneratedValues => "changes-generated-values",
        }
    }

    /// `deletes-data`, … (as [`Hazard::name`] prints it).
    pub fn parse(s: &str) -> Option<Hazard> {
        Hazard::ALL.into_iter().find(|h| h.name() == s.trim())
    }

    /// Whether a step with this hazard is refused unless allowed: only
    /// losing data is.
    pub fn refused_by_default(self) -> bool {
        self == Hazard::DeletesData
    }
}

impl fmt::Display for Hazard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How `ALTER COLUMN … TYPE` from one type to another behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct TypeChange {
    /// No assignment cast: `USING col::new` is needed.
    pub using: bool,
    /// Convert through this type first (`col::text::mood`,
    /// `col::integer::boolean`): no direct cast exists.
    pub via: Option<&'static str>,
    pub rewrite: bool,
    pub may_fail: bool,
    pub deletes: bool,
}

/// A canonical type split into base name, type modifiers and array depth:
/// `character varying(20)[]` → (`character varying`, [20], 1).
pub(crate) fn split_type(t: &str) -> (&str, Vec<i64>, usize) {
    let mut s = t.trim();
    let mut dims = 0;
    while let Some(rest) = s.strip_suffix("[]") {
        s = rest.trim_end();
        dims += 1;
    }
    // `timestamp(3) with time zone`: modifiers may sit inside the name.
    if let (Some(open), Some(close)) = (s.find('('), s.find(')')) {
        if open < close {
            let mods = s[open + 1..close]
                .split(',')
                .filter_map(|m| m.trim().parse().ok())
                .collect();
            let base_start = s[..open].trim_end();
            let base_end = s[close + 1..].trim_start();
            if base_end.is_empty() {
                return (base_start, mods, dims);
            }
            // Only the time types put the modifier in the middle.
            return (
                match (base_start, base_end) {
                    ("timestamp", "with time zone") => "timestamp with time zone",
                    ("timestamp", "without time zone") => "timestamp without time zone",
                    ("time", "with time zone") => "time with time zone",
                    ("time", "without time zone") => "time without time zone",
                    _ => s,
                },
                mods,
                dims,
            );
        }
    }
    (s, Vec::new(), dims)
}

fn int_rank(base: &str) -> Option<u8> {
    match base {
        "smallint" => Some(1),
        "integer" => Some(2),
        "bigint" => Some(3),
        _ => None,
    }
}

fn is_string(base: &str) -> bool {
    matches!(base, "text" | "character varying" | "character" | "citext")
}

fn is_number(base: &str) -> bool {
    int_rank(base).is_some() || matches!(base, "numeric" | "real" | "double precision")
}

fn is_temporal(base: &str) -> bool {
    matches!(
        base,
        "date" | "timestamp without time zone" | "timestamp with time zone"
    )
}

/// Classifies a type change. `old_enum` / `new_enum`: whether the base of
/// each side is an enum.
pub(crate) fn type_change(old: &str, new: &str, old_enum: bool, new_enum: bool) -> TypeChange {
    let (ob, om, od) = split_type(old);
    let (nb, nm, nd) = split_type(new);
    let mut c = TypeChange {
        rewrite: true,
        ..TypeChange::default()
    };
    if old_enum || new_enum || od != nd {
        c.using = true;
        c.via = (old_enum || new_enum).then_some("text");
        c.may_fail = true;
        return c;
    }
    if ob == nb {
        // Only the modifiers differ.
        match ob {
            "character varying" | "bit varying" => {
                let widen = nm.is_empty() || (!om.is_empty() && nm[0] >= om[0]);
                c.rewrite = false;
                c.may_fail = !widen;
            }
            "numeric" => {
                if nm.is_empty() {
                    c.rewrite = false;
                } else {
                    let (op, os) = (
                        om.first().copied().unwrap_or(1000),
                        om.get(1).copied().unwrap_or(0),
                    );
                    let (np, ns) = (nm[0], nm.get(1).copied().unwrap_or(0));
                    c.may_fail = np - ns < op - os || om.is_empty();
                    c.deletes = ns < os || om.is_empty();
                    c.rewrite = !(ns == os && np >= op);
                }
            }
            "timestamp without time zone"
            | "timestamp with time zone"
            | "time without time zone"
            | "time with time zone"
            | "interval" => {
                let widen = nm.is_empty() || (!om.is_empty() && nm[0] >= om[0]);
                c.rewrite = !widen;
                c.deletes = !widen;
            }
            _ => {
                c.may_fail = true;
            }
        }
        return c;
    }
    if let (Some(o), Some(n)) = (int_rank(ob), int_rank(nb)) {
        c.may_fail = n < o;
        return c;
    }
    if is_number(ob) && is_number(nb) {
        let to_int = int_rank(nb).is_some();
        let from_float = matches!(ob, "real" | "double precision");
        c.may_fail = to_int || (nb == "numeric" && !nm.is_empty()) || ob == "numeric";
        c.deletes = to_int && int_rank(ob).is_none()
            || from_float && nb != "double precision"
            || matches!(nb, "real" | "double precision") && ob != "real";
        return c;
    }
    if is_string(nb) {
        // Every type has an assignment cast to the string types.
        c.rewrite = !(is_string(ob) && ob != "character" && nb != "character");
        c.may_fail = !nm.is_empty();
        return c;
    }
    if is_temporal(ob) && is_temporal(nb) {
        c.deletes = nb == "date" || ob == "timestamp with time zone";
        return c;
    }
    if (ob == "boolean" && int_rank(nb).is_some()) || (int_rank(ob).is_some() && nb == "boolean") {
        // Only integer casts to and from boolean.
        c.using = true;
        c.may_fail = nb == "boolean";
        c.via = (ob != "integer" && nb != "integer").then_some("integer");
        return c;
    }
    c.using = true;
    c.may_fail = true;
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hazards_parse_by_name() {
        for h in Hazard::ALL {
            assert_eq!(Hazard::parse(h.name()), Some(h));
        }
        assert_eq!(Hazard::parse("nope"), None);
    }

    #[test]
    fn types_split() {
        assert_eq!(
            split_type("character varying(20)[]"),
            ("character varying", vec![20], 1)
        );
        assert_eq!(
            split_type("timestamp(3) with time zone"),
            ("timestamp with time zone", vec![3], 0)
        );
        assert_eq!(split_type("numeric(10,2)"), ("numeric", vec![10, 2], 0));
    }

    #[test]
    fn type_changes() {
        let w = type_change(
            "character varying(20)",
            "character varying(40)",
            false,
            false,
        );
        assert!(!w.rewrite && !w.may_fail && !w.using);
        let n = type_change(
            "character varying(40)",
            "character varying(20)",
            false,
            false,
        );
        assert!(n.may_fail && !n.using);
        let i = type_change("integer", "bigint", false, false);
        assert!(i.rewrite && !i.may_fail && !i.using);
        let t = type_change("text", "integer", false, false);
        assert!(t.using && t.may_fail);
        let e = type_change("mood", "text", true, false);
        assert!(e.using && e.via == Some("text"));
        let b = type_change("bigint", "boolean", false, false);
        assert_eq!(b.via, Some("integer"));
        let s = type_change("character varying(5)", "text", false, false);
        assert!(!s.rewrite && !s.using);
        let r = type_change("numeric(10,2)", "numeric(10,0)", false, false);
        assert!(r.deletes);
    }
}
