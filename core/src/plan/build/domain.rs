//! Domains and composite types: create, drop, and changed in place —
//! a domain's default, NOT NULL, checks (added, dropped, validated) and
//! comments; a composite type's attributes added, dropped or retyped.
//! What cannot change in place (a domain's base type or collation, the
//! order of a composite type's attributes) is refused in
//! [`super::check_supported`].

use std::collections::BTreeSet;

use super::{
    hz, k_ns, k_old_type, k_rel, k_type, step, Builder, P_ALTER, P_COMMENT, P_DROP, P_TYPE,
};
use crate::ddl::{attribute_sql, comment_on_sql, composite_sql, domain_check_sql, domain_sql};
use crate::model::{qualified_sql, quote_ident, CompositeType, Domain, ObjectKind, ObjectPath};
use crate::plan::hazard::Hazard;
use crate::plan::order::Draft;

impl<'a> Builder<'a> {
    pub(super) fn user_types(&mut self) {
        let mut names: BTreeSet<(String, String)> = BTreeSet::new();
        for s in [&self.a, self.b] {
            for (ns, n) in &s.namespaces {
                for t in n.domains.keys().chain(n.composites.keys()) {
                    names.insert((ns.clone(), t.clone()));
                }
            }
        }
        for (ns, name) in names {
            let get = |s: &crate::model::Schema| {
                let n = s.namespaces.get(&ns)?;
                Some((
                    n.domains.get(&name).cloned(),
                    n.composites.get(&name).cloned(),
                ))
            };
            let (da, ca) = get(&self.a).unwrap_or((None, None));
            let (db, cb) = get(self.b).unwrap_or((None, None));
            match (da, db) {
                (None, Some(db)) => self.create_domain(&ns, &name, &db),
                (Some(da), None) => self.drop_user_type(&ns, &name, &da.base_type, "domain"),
                (Some(da), Some(db)) => self.alter_domain(&ns, &name, &da, &db),
                (None, None) => {}
            }
            match (ca, cb) {
                (None, Some(cb)) => self.create_composite(&ns, &name, &cb),
                (Some(ca), None) => {
                    let uses: Vec<&str> =
                        ca.attributes.iter().map(|a| a.data_type.as_str()).collect();
                    self.drop_user_type(&ns, &name, &uses.join(" "), "type");
                }
                (Some(ca), Some(cb)) => self.alter_composite(&ns, &name, &ca, &cb),
                (None, None) => {}
            }
        }
    }

    /// The keys of the types `text` names (user types and enums).
    fn type_keys(&self, text: &str, old_too: bool) -> Vec<String> {
        let mut out = Vec::new();
        self.expr_keys(text, &mut out, old_too);
        out
    }

    fn create_domain(&mut self, ns: &str, name: &str, d: &Domain) {
        let q = qualified_sql(ns, name);
        let path = ObjectPath::new(ObjectKind::Domain, ns, name);
        let mut draft = Draft::new(step(path, "create domain", domain_sql(&q, d)), P_TYPE);
        draft.requires.push(k_ns(ns));
        draft.requires.extend(self.type_keys(&d.base_type, false));
        if let Some(c) = &d.collation {
            draft.requires.extend(self.type_keys(c, false));
        }
        for e in d
            .default
            .iter()
            .chain(d.checks.values().map(|c| &c.expression))
        {
            draft.requires.extend(self.type_keys(&e.sql, false));
        }
        draft.provides.push(k_type(ns, name));
        draft.provides.push(k_rel(ns, name));
        self.push(draft);
    }

    fn create_composite(&mut self, ns: &str, name: &str, c: &CompositeType) {
        let q = qualified_sql(ns, name);
        let path = ObjectPath::new(ObjectKind::Type, ns, name);
        let mut draft = Draft::new(step(path, "create type", composite_sql(&q, c)), P_TYPE);
        draft.requires.push(k_ns(ns));
        for a in &c.attributes {
            draft.requires.extend(self.type_keys(&a.data_type, false));
            if let Some(l) = &a.collation {
                draft.requires.extend(self.type_keys(l, false));
            }
        }
        draft.provides.push(k_type(ns, name));
        draft.provides.push(k_rel(ns, name));
        self.push(draft);
    }

    /// `DROP DOMAIN` / `DROP TYPE`, once nothing uses the type; `uses`: the
    /// types it was built on, released.
    fn drop_user_type(&mut self, ns: &str, name: &str, uses: &str, what: &str) {
        let q = qualified_sql(ns, name);
        let path = ObjectPath::new(
            if what == "domain" {
                ObjectKind::Domain
            } else {
                ObjectKind::Type
            },
            ns,
            name,
        );
        let keyword = if what == "domain" { "DOMAIN" } else { "TYPE" };
        let mut draft = Draft::new(
            step(
                path,
                &format!("drop {what}"),
                vec![format!("DROP {keyword} {q}")],
            ),
            P_DROP,
        );
        draft.drops.push(k_type(ns, name));
        draft.drops.push(k_old_type(ns, name));
        draft.drops.push(k_rel(ns, name));
        draft.releases.push(k_ns(ns));
        draft.releases.extend(self.type_keys(uses, true));
        self.push(draft);
    }

    fn alter_domain(&mut self, ns: &str, name: &str, a: &Domain, b: &Domain) {
        let q = qualified_sql(ns, name);
        let path = ObjectPath::new(ObjectKind::Domain, ns, name);
        let alter = |this: &mut Self,
                     action: &str,
                     stmts: Vec<String>,
                     priority: u8,
                     hazard: Option<(Hazard, String)>| {
            let mut s = step(path.clone(), action, stmts);
            if let Some((h, why)) = hazard {
                s.hazards.push(hz(h, why));
            }
            let mut d = Draft::new(s, priority);
            d.requires.push(k_type(ns, name));
            this.push(d);
        };
        if a.default != b.default {
            let sql = match &b.default {
                Some(e) => format!("ALTER DOMAIN {q} SET DEFAULT {}", e.sql),
                None => format!("ALTER DOMAIN {q} DROP DEFAULT"),
            };
            alter(self, "change domain default", vec![sql], P_ALTER, None);
        }
        if a.not_null != b.not_null {
            if b.not_null {
                alter(
                    self,
                    "set domain not null",
                    vec![format!("ALTER DOMAIN {q} SET NOT NULL")],
                    P_ALTER,
                    Some((
                        Hazard::MayFail,
                        "fails if a column of the domain holds NULL; every such column is scanned"
                            .to_string(),
                    )),
                );
            } else {
                alter(
                    self,
                    "drop domain not null",
                    vec![format!("ALTER DOMAIN {q} DROP NOT NULL")],
                    P_ALTER,
                    None,
                );
            }
        }
        let names: BTreeSet<&String> = a.checks.keys().chain(b.checks.keys()).collect();
        for cname in names {
            let c = quote_ident(cname);
            match (a.checks.get(cname), b.checks.get(cname)) {
                (Some(_), None) => alter(
                    self,
                    "drop domain check",
                    vec![format!("ALTER DOMAIN {q} DROP CONSTRAINT {c}")],
                    P_ALTER,
                    None,
                ),
                (None, Some(kb)) => {
                    let mut stmts = vec![domain_check_sql(&q, cname, kb)];
                    stmts.extend(comment_on_sql(
                        "CONSTRAINT",
                        &format!("{c} ON DOMAIN {q}"),
                        kb.comment.as_deref(),
                        false,
                    ));
                    let hazard = kb.validated.then(|| {
                        (
                            Hazard::MayFail,
                            "fails if a value of a column of the domain breaks the check; every such column is scanned"
                                .to_string(),
                        )
                    });
                    alter(self, "add domain check", stmts, P_ALTER, hazard);
                }
                (Some(ka), Some(kb)) => {
                    if ka.expression != kb.expression || (ka.validated && !kb.validated) {
                        let stmts = vec![
                            format!("ALTER DOMAIN {q} DROP CONSTRAINT {c}"),
                            domain_check_sql(&q, cname, kb),
                        ];
                        let hazard = kb.validated.then(|| {
                            (
                                Hazard::MayFail,
                                "fails if a value of a column of the domain breaks the new check"
                                    .to_string(),
                            )
                        });
                        alter(self, "replace domain check", stmts, P_ALTER, hazard);
                    } else if !ka.validated && kb.validated {
                        alter(
                            self,
                            "validate domain check",
                            vec![format!("ALTER DOMAIN {q} VALIDATE CONSTRAINT {c}")],
                            P_ALTER,
                            Some((
                                Hazard::MayFail,
                                "fails if a value of a column of the domain breaks the check"
                                    .to_string(),
                            )),
                        );
                    }
                    if ka.comment != kb.comment {
                        let stmts: Vec<String> = comment_on_sql(
                            "CONSTRAINT",
                            &format!("{c} ON DOMAIN {q}"),
                            kb.comment.as_deref(),
                            true,
                        )
                        .into_iter()
                        .collect();
                        alter(self, "comment on domain check", stmts, P_COMMENT, None);
                    }
                }
                (None, None) => {}
            }
        }
        if a.comment != b.comment {
            let stmts: Vec<String> = comment_on_sql("DOMAIN", &q, b.comment.as_deref(), true)
                .into_iter()
                .collect();
            alter(self, "comment on domain", stmts, P_COMMENT, None);
        }
    }

    fn alter_composite(&mut self, ns: &str, name: &str, a: &CompositeType, b: &CompositeType) {
        let q = qualified_sql(ns, name);
        let path = ObjectPath::new(ObjectKind::Type, ns, name);
        let mut stmts = Vec::new();
        let mut requires = vec![k_type(ns, name)];
        let mut releases = Vec::new();
        for x in &a.attributes {
            if !b.attributes.iter().any(|y| y.name == x.name) {
                stmts.push(format!(
                    "ALTER TYPE {q} DROP ATTRIBUTE {}",
                    quote_ident(&x.name)
                ));
                releases.extend(self.type_keys(&x.data_type, true));
            }
        }
        for y in &b.attributes {
            match a.attributes.iter().find(|x| x.name == y.name) {
                None => {
                    stmts.push(format!("ALTER TYPE {q} ADD ATTRIBUTE {}", attribute_sql(y)));
                    requires.extend(self.type_keys(&y.data_type, false));
                }
                Some(x) if x.data_type != y.data_type || x.collation != y.collation => {
                    let mut sql = format!(
                        "ALTER TYPE {q} ALTER ATTRIBUTE {} TYPE {}",
                        quote_ident(&y.name),
                        y.data_type
                    );
                    if let Some(c) = &y.collation {
                        sql.push_str(&format!(" COLLATE {c}"));
                    }
                    stmts.push(sql);
                    requires.extend(self.type_keys(&y.data_type, false));
                    releases.extend(self.type_keys(&x.data_type, true));
                }
                Some(_) => {}
            }
        }
        if !stmts.is_empty() {
            let mut d = Draft::new(step(path.clone(), "change type attributes", stmts), P_ALTER);
            d.requires = requires;
            d.releases = releases;
            self.push(d);
        }
        let mut comments = Vec::new();
        if a.comment != b.comment {
            comments.extend(comment_on_sql("TYPE", &q, b.comment.as_deref(), true));
        }
        for y in &b.attributes {
            let before = a
                .attributes
                .iter()
                .find(|x| x.name == y.name)
                .and_then(|x| x.comment.clone());
            if before != y.comment {
                comments.extend(comment_on_sql(
                    "COLUMN",
                    &format!("{q}.{}", quote_ident(&y.name)),
                    y.comment.as_deref(),
                    true,
                ));
            }
        }
        if !comments.is_empty() {
            let mut d = Draft::new(step(path, "comment on type", comments), P_COMMENT);
            d.requires.push(k_type(ns, name));
            self.push(d);
        }
    }
}
