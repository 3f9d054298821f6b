//! Foreign-data wrappers, servers and user mappings: created after the
//! extensions (whose wrappers and functions they use) and before the
//! tables; dropped after what uses them. `ALTER … OPTIONS (ADD | SET |
//! DROP …)` in place; `ALTER FOREIGN DATA WRAPPER … HANDLER | VALIDATOR`,
//! `ALTER SERVER … VERSION`; a server whose wrapper or type changes is
//! dropped and created again with its user mappings.
//!
//! A user mapping whose options must be written is refused by name:
//! strata never holds nor prints their values (passwords, mostly).

use super::{
    key, step, Builder, K_EXTENSIONS, K_EXTENSIONS_DROPPED, P_COMMENT, P_DROP, P_DROP_DEPENDENT,
    P_NAMESPACE,
};
use crate::ddl::{
    alter_options_clause, comment_on_sql, create_user_mapping_sql, server_statements,
    wrapper_statements,
};
use crate::model::{
    mapping_user_sql, options_equal, quote_ident, quote_literal, user_mapping_path, ForeignServer,
    ObjectKind, ObjectPath, Schema,
};
use crate::plan::order::{Draft, Key};

fn k_wrapper(name: &str) -> Key {
    key("fdw", &[name])
}
fn k_server(name: &str) -> Key {
    key("srv", &[name])
}

/// Whether a server must be dropped and created again.
fn recreated(a: &ForeignServer, b: &ForeignServer) -> bool {
    a.wrapper != b.wrapper || a.server_type != b.server_type
}

/// What a plan cannot write: user mappings whose option values it would
/// need.
pub(super) fn unsupported(a: &Schema, b: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for (name, sb) in &b.foreign_servers {
        let sa = a.foreign_servers.get(name);
        let again = sa.is_some_and(|sa| recreated(sa, sb));
        for (user, mb) in &sb.user_mappings {
            let ma = sa
                .and_then(|s| s.user_mappings.get(user))
                .filter(|_| !again);
            let what = format!(
                "user mapping FOR {} SERVER {}",
                mapping_user_sql(user),
                quote_ident(name)
            );
            match (ma.map(|m| &m.options), &mb.options) {
                (_, None) => out.push(format!(
                    "{what}: its options could not be read, so strata cannot prove what to write and refuses"
                )),
                (Some(Some(oa)), Some(ob)) if options_equal(oa, ob) => {}
                (Some(None), Some(_)) => out.push(format!(
                    "{what}: its current options could not be read, so strata cannot prove what to change and refuses"
                )),
                (_, Some(ob)) if !ob.is_empty() => out.push(format!(
                    "{what}: strata refuses to write its options ({}), whose values it never prints; set them by hand (ALTER USER MAPPING … OPTIONS (…))",
                    mb.option_names().join(", ")
                )),
                _ => {}
            }
        }
    }
    out
}

impl Builder<'_> {
    pub(super) fn foreign(&mut self) {
        let a_wrappers = self.a.foreign_data_wrappers.clone();
        let a_servers = self.a.foreign_servers.clone();
        let b = self.b;
        for (name, wa) in &a_wrappers {
            match b.foreign_data_wrappers.get(name) {
                None => {
                    let mut d = Draft::new(
                        step(
                            ObjectPath::new(ObjectKind::ForeignDataWrapper, "", name),
                            "drop foreign-data wrapper",
                            vec![format!("DROP FOREIGN DATA WRAPPER {}", quote_ident(name))],
                        ),
                        P_DROP,
                    );
                    d.drops.push(k_wrapper(name));
                    d.releases.push(K_EXTENSIONS_DROPPED.to_string());
                    self.push(d);
                }
                Some(wb) => {
                    let path = ObjectPath::new(ObjectKind::ForeignDataWrapper, "", name);
                    let mut parts = Vec::new();
                    if wa.handler != wb.handler {
                        parts.push(match &wb.handler {
                            Some(h) => format!("HANDLER {}", h.sql()),
                            None => "NO HANDLER".to_string(),
                        });
                    }
                    if wa.validator != wb.validator {
                        parts.push(match &wb.validator {
                            Some(v) => format!("VALIDATOR {}", v.sql()),
                            None => "NO VALIDATOR".to_string(),
                        });
                    }
                    if !options_equal(&wa.options, &wb.options) {
                        parts.extend(alter_options_clause(&wa.options, &wb.options));
                    }
                    if !parts.is_empty() {
                        let mut d = Draft::new(
                            step(
                                path.clone(),
                                "alter foreign-data wrapper",
                                vec![format!(
                                    "ALTER FOREIGN DATA WRAPPER {} {}",
                                    quote_ident(name),
                                    parts.join(" ")
                                )],
                            ),
                            P_NAMESPACE,
                        );
                        d.requires.push(K_EXTENSIONS.to_string());
                        d.provides.push(k_wrapper(name));
                        self.push(d);
                    }
                    if wa.comment != wb.comment {
                        let stmts: Vec<String> = comment_on_sql(
                            "FOREIGN DATA WRAPPER",
                            &quote_ident(name),
                            wb.comment.as_deref(),
                            true,
                        )
                        .into_iter()
                        .collect();
                        self.push(Draft::new(
                            step(path, "comment on foreign-data wrapper", stmts),
                            P_COMMENT,
                        ));
                    }
                }
            }
        }
        for (name, wb) in &b.foreign_data_wrappers {
            if a_wrappers.contains_key(name) {
                continue;
            }
            let mut d = Draft::new(
                step(
                    ObjectPath::new(ObjectKind::ForeignDataWrapper, "", name),
                    "create foreign-data wrapper",
                    wrapper_statements(name, wb),
                ),
                P_NAMESPACE,
            );
            d.requires.push(K_EXTENSIONS.to_string());
            d.provides.push(k_wrapper(name));
            self.push(d);
        }
        for (name, sa) in &a_servers {
            match b.foreign_servers.get(name) {
                Some(sb) if !recreated(sa, sb) => self.alter_server(name, sa, sb),
                Some(sb) => {
                    self.drop_server(name, sa);
                    self.create_server(name, sb);
                }
                None => self.drop_server(name, sa),
            }
        }
        for (name, sb) in &b.foreign_servers {
            if !a_servers.contains_key(name) {
                self.create_server(name, sb);
            }
        }
    }

    fn create_server(&mut self, name: &str, s: &ForeignServer) {
        let mut d = Draft::new(
            step(
                ObjectPath::new(ObjectKind::ForeignServer, "", name),
                "create server",
                server_statements(name, s),
            ),
            P_NAMESPACE,
        );
        d.requires.push(k_wrapper(&s.wrapper));
        d.requires.push(K_EXTENSIONS.to_string());
        d.provides.push(k_server(name));
        self.push(d);
        for user in s.user_mappings.keys() {
            self.create_mapping(name, user);
        }
    }

    fn create_mapping(&mut self, server: &str, user: &str) {
        // Options with values are refused (`unsupported`).
        let mut d = Draft::new(
            step(
                user_mapping_path(server, user),
                "create user mapping",
                vec![create_user_mapping_sql(server, user)],
            ),
            P_NAMESPACE,
        );
        d.requires.push(k_server(server));
        self.push(d);
    }

    fn drop_mapping(&mut self, server: &str, user: &str) {
        let mut d = Draft::new(
            step(
                user_mapping_path(server, user),
                "drop user mapping",
                vec![format!(
                    "DROP USER MAPPING FOR {} SERVER {}",
                    mapping_user_sql(user),
                    quote_ident(server)
                )],
            ),
            P_DROP_DEPENDENT,
        );
        d.releases.push(k_server(server));
        self.push(d);
    }

    fn drop_server(&mut self, name: &str, s: &ForeignServer) {
        for user in s.user_mappings.keys() {
            self.drop_mapping(name, user);
        }
        let mut d = Draft::new(
            step(
                ObjectPath::new(ObjectKind::ForeignServer, "", name),
                "drop server",
                vec![format!("DROP SERVER {}", quote_ident(name))],
            ),
            P_DROP,
        );
        d.drops.push(k_server(name));
        d.releases.push(k_wrapper(&s.wrapper));
        d.releases.push(K_EXTENSIONS_DROPPED.to_string());
        self.push(d);
    }

    fn alter_server(&mut self, name: &str, a: &ForeignServer, b: &ForeignServer) {
        let path = ObjectPath::new(ObjectKind::ForeignServer, "", name);
        let mut parts = Vec::new();
        if a.version != b.version {
            parts.push(match &b.version {
                Some(v) => format!("VERSION {}", quote_literal(v)),
                None => "VERSION NULL".to_string(),
            });
        }
        if !options_equal(&a.options, &b.options) {
            parts.extend(alter_options_clause(&a.options, &b.options));
        }
        if !parts.is_empty() {
            let mut d = Draft::new(
                step(
                    path.clone(),
                    "alter server",
                    vec![format!(
                        "ALTER SERVER {} {}",
                        quote_ident(name),
                        parts.join(" ")
                    )],
                ),
                P_NAMESPACE,
            );
            d.provides.push(k_server(name));
            self.push(d);
        }
        if a.comment != b.comment {
            let stmts: Vec<String> =
                comment_on_sql("SERVER", &quote_ident(name), b.comment.as_deref(), true)
                    .into_iter()
                    .collect();
            self.push(Draft::new(
                step(path, "comment on server", stmts),
                P_COMMENT,
            ));
        }
        for (user, ma) in &a.user_mappings {
            match b.user_mappings.get(user) {
                None => self.drop_mapping(name, user),
                Some(mb) => {
                    // Options to drop only (names, no values): what else
                    // changes is refused (`unsupported`).
                    if let (Some(oa), Some(ob)) = (&ma.options, &mb.options) {
                        if ob.is_empty() && !oa.is_empty() {
                            let drops: Vec<String> = oa
                                .iter()
                                .map(|(k, _)| format!("DROP {}", quote_ident(k)))
                                .collect();
                            let mut d = Draft::new(
                                step(
                                    user_mapping_path(name, user),
                                    "alter user mapping",
                                    vec![format!(
                                        "ALTER USER MAPPING FOR {} SERVER {} OPTIONS ({})",
                                        mapping_user_sql(user),
                                        quote_ident(name),
                                        drops.join(", ")
                                    )],
                                ),
                                P_NAMESPACE,
                            );
                            d.requires.push(k_server(name));
                            self.push(d);
                        }
                    }
                }
            }
        }
        for user in b.user_mappings.keys() {
            if !a.user_mappings.contains_key(user) {
                self.create_mapping(name, user);
            }
        }
    }
}
