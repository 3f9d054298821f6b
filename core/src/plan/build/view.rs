//! Views and materialized views in a plan: compared by definition, not
//! planned yet — every difference is refused by name, and a step that
//! drops or retypes what a view may read is refused naming the view.

use std::collections::BTreeMap;

use crate::model::{quote_ident, Schema, View};

/// `view ns.name: only in the target` / `…: differs` / `…: only in the
/// source`, for [`super::check_supported`].
pub(super) fn unsupported_views(a: &Schema, b: &Schema) -> Vec<String> {
    let mut details = Vec::new();
    let empty = BTreeMap::new();
    let names: std::collections::BTreeSet<&String> =
        a.namespaces.keys().chain(b.namespaces.keys()).collect();
    for ns in names {
        let va: &BTreeMap<String, View> = a.namespaces.get(ns).map_or(&empty, |n| &n.views);
        let vb: &BTreeMap<String, View> = b.namespaces.get(ns).map_or(&empty, |n| &n.views);
        let name =
            |v: &View, n: &str| format!("{} {}.{}", v.label(), quote_ident(ns), quote_ident(n));
        for (n, v) in vb {
            match va.get(n) {
                None => details.push(format!("{}: only in the target", name(v, n))),
                Some(x) if x != v => details.push(format!("{}: differs", name(v, n))),
                Some(_) => {}
            }
        }
        for (n, v) in va {
            if !vb.contains_key(n) {
                details.push(format!("{}: only in the source", name(v, n)));
            }
        }
    }
    details
}

/// The views of the source that may read a table — any view, since one in
/// another namespace may read it through its search path — as `view
/// ns.name`: what a step that drops or retypes a table or column may break.
pub(super) fn views_reading(from: &Schema) -> Vec<String> {
    from.namespaces
        .iter()
        .flat_map(|(nsn, n)| n.views.iter().map(move |(vn, v)| (nsn, vn, v)))
        .map(|(nsn, vn, v)| format!("{} {}.{}", v.label(), quote_ident(nsn), quote_ident(vn)))
        .collect()
}
