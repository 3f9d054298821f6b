//! Whether `ALTER COLUMN … TYPE` rewrites the table, decided as
//! `ATColumnChangeRequiresRewrite` does: no rewrite when the new value is
//! the old one relabelled (a binary-coercible cast in `pg_cast`, read from
//! [`crate::catalog`]) or a length coercion its support function removes
//! (a wider `varchar`, `numeric` with the same scale and more precision, a
//! `timestamp`, `time` or `interval` with more fractional digits, or a
//! limit dropped).

use crate::catalog::Catalog;
use crate::plan::hazard::split_type;

/// `Ok(true)` when changing a column from `old` to `new` (canonical types,
/// as the model keeps them) rewrites the table; `Err` with the reason when
/// strata cannot tell (a type not in the catalog: enums, domains,
/// extension types).
pub(crate) fn rewrites(old: &str, new: &str, using: bool) -> Result<bool, String> {
    let (ob, om, od) = split_type(old);
    let (nb, nm, nd) = split_type(new);
    if using {
        // USING computes every value again (the server spots only a bare
        // relabelled column, which USING is rarely written for).
        return Ok(true);
    }
    if od != nd {
        return Ok(true);
    }
    let widens = || nm.is_empty() || (!om.is_empty() && nm[0] >= om[0]);
    if ob == nb {
        return Ok(match ob {
            "character varying" | "bit varying" => !widens(),
            "numeric" => {
                if nm.is_empty() {
                    false
                } else if om.is_empty() {
                    true
                } else {
                    let (op, os) = (om[0], om.get(1).copied().unwrap_or(0));
                    let (np, ns) = (nm[0], nm.get(1).copied().unwrap_or(0));
                    !(ns == os && np >= op)
                }
            }
            "timestamp without time zone"
            | "timestamp with time zone"
            | "time without time zone"
            | "time with time zone"
            | "interval" => !widens(),
            _ => om != nm,
        });
    }
    let catalog = Catalog::pg15();
    let find = |b: &str| {
        catalog
            .type_named(b)
            .map(|t| t.id)
            .ok_or_else(|| format!("type {b} is not a built-in type strata knows"))
    };
    let (from, to) = (find(ob)?, find(nb)?);
    if od > 0 {
        // Arrays of another element type are converted element by element.
        return Ok(true);
    }
    let binary = catalog.cast(from, to).is_some_and(|c| c.method == 'b');
    if !binary {
        return Ok(true);
    }
    // Relabelled; a length limit on the new type is then checked against
    // every value (the old type's limit, of another type, is not known to
    // be no longer).
    Ok(!nm.is_empty())
}

#[cfg(test)]
mod tests {
    use super::rewrites;

    #[test]
    fn binary_coercible_and_widening_changes_do_not_rewrite() {
        for (old, new) in [
            ("character varying(10)", "character varying(20)"),
            ("character varying(10)", "character varying"),
            ("character varying(10)", "text"),
            ("character varying", "text"),
            ("text", "character varying"),
            ("numeric(10,2)", "numeric(12,2)"),
            ("numeric(10,2)", "numeric"),
            ("timestamp(3) with time zone", "timestamp(6) with time zone"),
            (
                "timestamp(3) without time zone",
                "timestamp without time zone",
            ),
            ("json", "json"),
        ] {
            assert_eq!(rewrites(old, new, false), Ok(false), "{old} -> {new}");
        }
    }

    #[test]
    fn other_changes_rewrite() {
        for (old, new) in [
            ("integer", "bigint"),
            ("smallint", "integer"),
            ("character varying(20)", "character varying(10)"),
            ("text", "character varying(10)"),
            ("numeric", "numeric(10,2)"),
            ("numeric(10,2)", "numeric(12,3)"),
            ("timestamp without time zone", "timestamp with time zone"),
            ("text", "jsonb"),
            ("character(5)", "character(10)"),
            ("text[]", "text"),
            ("integer[]", "bigint[]"),
        ] {
            assert_eq!(rewrites(old, new, false), Ok(true), "{old} -> {new}");
        }
        assert_eq!(rewrites("text", "text", true), Ok(true));
    }

    #[test]
    fn unknown_types_are_not_guessed() {
        assert!(rewrites("mood", "text", false).is_err());
    }
}
