//! Foreign-data wrappers, servers and user mappings compared property by
//! property. A user mapping's option values are compared by digest and
//! never shown (`<redacted>`); options one side could not read cannot be
//! proven equal.

use crate::ddl::{create_server_sql, create_wrapper_sql};
use crate::model::{
    options_equal, user_mapping_path, FdwOptions, ForeignDataWrapper, ForeignServer, ObjectKind,
    ObjectPath, Schema, UserMapping,
};

use super::{field, missing, opt_field, pairs, unexpected, Change, Difference};

pub(super) fn diff_foreign(d: &mut Vec<Difference>, e: &Schema, f: &Schema) {
    for (name, e, f) in pairs(&e.foreign_data_wrappers, &f.foreign_data_wrappers) {
        let p = ObjectPath::new(ObjectKind::ForeignDataWrapper, "", name);
        match (e, f) {
            (Some(e), None) => d.push(missing(p, create_wrapper_sql(name, e))),
            (None, Some(f)) => d.push(unexpected(p, create_wrapper_sql(name, f))),
            (Some(e), Some(f)) => compare_wrapper(d, &p, e, f),
            (None, None) => {}
        }
    }
    for (name, e, f) in pairs(&e.foreign_servers, &f.foreign_servers) {
        let p = ObjectPath::new(ObjectKind::ForeignServer, "", name);
        match (e, f) {
            (Some(e), None) => {
                d.push(missing(p, create_server_sql(name, e)));
                for (user, m) in &e.user_mappings {
                    d.push(missing(
                        user_mapping_path(name, user),
                        render_mapping(name, user, m),
                    ));
                }
            }
            (None, Some(f)) => {
                d.push(unexpected(p, create_server_sql(name, f)));
                for (user, m) in &f.user_mappings {
                    d.push(unexpected(
                        user_mapping_path(name, user),
                        render_mapping(name, user, m),
                    ));
                }
            }
            (Some(e), Some(f)) => compare_server(d, &p, name, e, f),
            (None, None) => {}
        }
    }
}

pub(super) fn show_options(o: &FdwOptions) -> String {
    let mut v: Vec<String> = o
        .iter()
        .map(|(k, v)| {
            format!(
                "{} {}",
                crate::model::quote_ident(k),
                crate::model::quote_literal(v)
            )
        })
        .collect();
    v.sort();
    if v.is_empty() {
        "(none)".to_string()
    } else {
        v.join(", ")
    }
}

fn options_field(d: &mut Vec<Difference>, p: &ObjectPath, e: &FdwOptions, f: &FdwOptions) {
    if !options_equal(e, f) {
        field(d, p, "options", &show_options(e), &show_options(f));
    }
}

fn compare_wrapper(
    d: &mut Vec<Difference>,
    p: &ObjectPath,
    e: &ForeignDataWrapper,
    f: &ForeignDataWrapper,
) {
    let func = |x: &Option<crate::model::RelationRef>| {
        x.as_ref().map_or("(none)".to_string(), |r| r.sql())
    };
    field(d, p, "handler", &func(&e.handler), &func(&f.handler));
    field(d, p, "validator", &func(&e.validator), &func(&f.validator));
    options_field(d, p, &e.options, &f.options);
    opt_field(d, p, "comment", &e.comment, &f.comment);
    super::privilege::diff_acl(
        d,
        p,
        crate::model::AclKind::ForeignDataWrapper,
        &e.acl,
        &f.acl,
        "",
    );
}

fn compare_server(
    d: &mut Vec<Difference>,
    p: &ObjectPath,
    name: &str,
    e: &ForeignServer,
    f: &ForeignServer,
) {
    field(d, p, "foreign-data wrapper", &e.wrapper, &f.wrapper);
    opt_field(d, p, "type", &e.server_type, &f.server_type);
    opt_field(d, p, "version", &e.version, &f.version);
    options_field(d, p, &e.options, &f.options);
    opt_field(d, p, "comment", &e.comment, &f.comment);
    super::privilege::diff_acl(
        d,
        p,
        crate::model::AclKind::ForeignServer,
        &e.acl,
        &f.acl,
        "",
    );
    for (user, em, fm) in pairs(&e.user_mappings, &f.user_mappings) {
        let mp = user_mapping_path(name, user);
        match (em, fm) {
            (Some(em), None) => d.push(missing(mp, render_mapping(name, user, em))),
            (None, Some(fm)) => d.push(unexpected(mp, render_mapping(name, user, fm))),
            (Some(em), Some(fm)) => compare_mapping(d, &mp, em, fm),
            (None, None) => {}
        }
    }
}

/// `CREATE USER MAPPING FOR alice SERVER s OPTIONS (user <redacted>, …)`.
pub fn render_mapping(server: &str, user: &str, m: &UserMapping) -> String {
    let mut s = crate::ddl::create_user_mapping_sql(server, user);
    let o = m.redacted_options();
    if !o.is_empty() {
        s.push(' ');
        if m.options.is_none() {
            s.push_str(&format!("({o})"));
        } else {
            s.push_str(&o);
        }
    }
    s
}

fn compare_mapping(d: &mut Vec<Difference>, p: &ObjectPath, e: &UserMapping, f: &UserMapping) {
    let names = |m: &UserMapping| {
        let mut v = m.option_names();
        v.sort();
        if v.is_empty() {
            "(none)".to_string()
        } else {
            v.join(", ")
        }
    };
    match (&e.options, &f.options) {
        (Some(eo), Some(fo)) => {
            if options_equal(eo, fo) {
                return;
            }
            let (en, fn_) = (names(e), names(f));
            if en != fn_ {
                field(d, p, "option names", &en, &fn_);
            } else {
                // Same names, another value: which ones, never what.
                let mut changed: Vec<String> = eo
                    .iter()
                    .filter(|(k, v)| fo.iter().any(|(x, w)| x == k && w != v))
                    .map(|(k, _)| k.clone())
                    .collect();
                changed.sort();
                field(
                    d,
                    p,
                    "option values",
                    &format!("{} <redacted>", changed.join(", ")),
                    &format!("{} <redacted> (another value)", changed.join(", ")),
                );
            }
        }
        _ => d.push(Difference::new(
            p.clone(),
            Change::Unproven {
                field: "options".to_string(),
                expected: e.redacted_options(),
                found: f.redacted_options(),
                reason: "the options could not be read: pg_user_mappings shows them only to the mapped user, the server's owner and superusers".to_string(),
            },
        )),
    }
}

/// A foreign table's server and options (or an ordinary table against a
/// foreign one).
pub(super) fn diff_foreign_table(
    d: &mut Vec<Difference>,
    p: &ObjectPath,
    e: Option<&crate::model::ForeignTable>,
    f: Option<&crate::model::ForeignTable>,
) {
    let kind = |x: Option<&crate::model::ForeignTable>| {
        if x.is_some() {
            "foreign table"
        } else {
            "table"
        }
    };
    field(d, p, "kind", kind(e), kind(f));
    if let (Some(e), Some(f)) = (e, f) {
        field(d, p, "server", &e.server, &f.server);
        options_field(d, p, &e.options, &f.options);
    }
}
