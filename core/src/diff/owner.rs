//! Owners, compared only when asked (`DiffOptions::owners`, `--owners`):
//! for every object both sides have, the role that owns it. An implicit
//! owner (the role the SQL runs as, see [`crate::model::Owner`]) is shown
//! as such; callers that know that role name it first
//! ([`Schema::resolve_owners`]).

use std::collections::BTreeMap;

use super::{Change, Difference};
use crate::model::{owners, Schema};

/// The property's name in reports and plans.
pub const FIELD: &str = "owner";

/// How an owner is shown.
pub fn show(role: Option<&str>) -> String {
    match role {
        Some(r) => crate::model::quote_ident(r),
        None => "the role running the migrations".to_string(),
    }
}

/// Every object both sides have whose owners differ, marked as concerning
/// security. `implicit`: the role that runs the SQL, when known — an owner
/// named so on either side is the implicit one (an object a history
/// creates without `OWNER TO` is owned by whoever runs it).
pub fn diff_owners(
    d: &mut Vec<Difference>,
    expected: &Schema,
    found: &Schema,
    implicit: Option<&str>,
) {
    let norm = |r: Option<&str>| r.filter(|r| Some(*r) != implicit).map(str::to_string);
    let found: BTreeMap<_, _> = owners(found).into_iter().collect();
    for (path, e) in owners(expected) {
        let Some(f) = found.get(&path) else {
            continue;
        };
        let (e, f) = (norm(e.role()), norm(f.role()));
        if e != f {
            let shown = |r: &Option<String>| match (r, implicit) {
                (None, Some(i)) => crate::model::quote_ident(i),
                _ => show(r.as_deref()),
            };
            d.push(
                Difference::new(
                    path,
                    Change::Changed {
                        field: FIELD.to_string(),
                        expected: shown(&e),
                        found: shown(&f),
                    },
                )
                .security(),
            );
        }
    }
}
