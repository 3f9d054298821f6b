//! Collations (`collationcmds.c`): `CREATE COLLATION` from options or from
//! another collation, `ALTER COLLATION … RENAME TO | SET SCHEMA`, `DROP
//! COLLATION`, and what uses them (columns, attributes, domains, index
//! keys).

use crate::model::{qualified, Collation, ObjectKind, ObjectPath};
use crate::parse::{CollationDef, QName};

use super::{
    display_q, err, help, Replayer, DEPENDENT_OBJECTS, DUPLICATE_OBJECT, FEATURE_NOT_SUPPORTED,
    INVALID_OBJECT_DEFINITION, INVALID_SCHEMA, R, SYNTAX_ERROR, UNDEFINED_OBJECT,
};

/// The database encoding the messages name (strata assumes UTF8, as every
/// modern cluster).
const ENCODING: &str = "UTF8";

impl Replayer {
    pub(super) fn find_collation(&self, q: &QName) -> Option<String> {
        self.find_ns(q, |ns| ns.collations.contains_key(&q.name))
    }

    /// `CREATE COLLATION`.
    pub(super) fn create_collation(
        &mut self,
        name: QName,
        if_not_exists: bool,
        def: CollationDef,
    ) -> R<()> {
        let ns = self.creation_ns(&name)?;
        let collation = match def {
            CollationDef::From(src) => self.collation_from(&src)?,
            CollationDef::Options(options) => collation_from_options(&options)?,
        };
        if self.schema.namespaces[&ns]
            .collations
            .contains_key(&name.name)
        {
            if if_not_exists {
                return Ok(());
            }
            return Err(err(
                DUPLICATE_OBJECT,
                format!("collation \"{}\" already exists", name.name),
            ));
        }
        let mut collation = collation;
        collation.owner = self.creator();
        self.ns_mut(&ns)
            .collations
            .insert(name.name.clone(), collation);
        self.touch(ObjectPath::new(ObjectKind::Collation, &ns, &name.name));
        Ok(())
    }

    /// `FROM existing`: a collation of the model, or `C` / `POSIX` /
    /// `ucs_basic` (whose definitions are fixed); other system collations
    /// depend on the server's locales and are refused.
    fn collation_from(&self, src: &QName) -> R<Collation> {
        if let Some(ns) = self.find_collation(src) {
            let mut c = self.schema.namespaces[&ns].collations[&src.name].clone();
            c.comment = None;
            return Ok(c);
        }
        if matches!(src.schema.as_deref(), None | Some("pg_catalog")) {
            let fixed = |l: &str| Collation {
                owner: crate::model::Owner::default(),
                provider: "libc".to_string(),
                lc_collate: Some(l.to_string()),
                lc_ctype: Some(l.to_string()),
                icu_locale: None,
                deterministic: true,
                comment: None,
            };
            match src.name.as_str() {
                "C" | "ucs_basic" => return Ok(fixed("C")),
                "POSIX" => return Ok(fixed("POSIX")),
                "default" => {
                    return Err(err(
                        INVALID_OBJECT_DEFINITION,
                        "collation \"default\" cannot be copied",
                    ))
                }
                _ => {}
            }
        }
        Err(help(
            err(
                FEATURE_NOT_SUPPORTED,
                format!(
                    "a collation copied FROM {} is not supported offline: its locale depends on the server",
                    display_q(src)
                ),
            ),
            "state the provider and locale instead: CREATE COLLATION name (provider = icu, locale = '…')",
        ))
    }

    /// `ALTER COLLATION … RENAME TO | SET SCHEMA` (REFRESH VERSION and
    /// OWNER TO change nothing modelled, but the collation must exist).
    pub(super) fn alter_collation(
        &mut self,
        name: QName,
        rename: Option<String>,
        schema: Option<String>,
        owner: Option<Option<String>>,
    ) -> R<()> {
        let Some(ns) = self.find_collation(&name) else {
            return Err(missing(&name));
        };
        if let Some(role) = owner {
            let owner = self.owner_for(role);
            self.ns_mut(&ns)
                .collations
                .get_mut(&name.name)
                .expect("found")
                .owner = owner;
            self.touch(ObjectPath::new(ObjectKind::Collation, &ns, &name.name));
            return Ok(());
        }
        let (to_ns, to_name) = match (rename, schema) {
            (Some(n), _) => (ns.clone(), n),
            (None, Some(s)) => {
                if !self.schema.namespaces.contains_key(&s) {
                    return Err(err(
                        INVALID_SCHEMA,
                        format!("schema \"{s}\" does not exist"),
                    ));
                }
                (s, name.name.clone())
            }
            (None, None) => return Ok(()),
        };
        if self.schema.namespaces[&to_ns]
            .collations
            .contains_key(&to_name)
        {
            return Err(err(
                DUPLICATE_OBJECT,
                format!(
                    "collation \"{to_name}\" for encoding \"{ENCODING}\" already exists in schema \"{to_ns}\""
                ),
            ));
        }
        let c = self
            .ns_mut(&ns)
            .collations
            .remove(&name.name)
            .expect("found");
        self.ns_mut(&to_ns).collations.insert(to_name.clone(), c);
        let (from, to) = (qualified(&ns, &name.name), qualified(&to_ns, &to_name));
        self.each_collation_ref(|c| {
            if *c == from {
                *c = to.clone();
            }
        });
        self.touch(ObjectPath::new(ObjectKind::Collation, &to_ns, &to_name));
        Ok(())
    }

    /// `DROP COLLATION`: refused (2BP01) while a column, attribute or domain
    /// uses it; with CASCADE the columns and attributes go too.
    pub(super) fn drop_collation(
        &mut self,
        names: Vec<QName>,
        if_exists: bool,
        cascade: bool,
    ) -> R<()> {
        for q in names {
            let Some(ns) = self.find_collation(&q) else {
                if if_exists {
                    continue;
                }
                return Err(missing(&q));
            };
            let target = qualified(&ns, &q.name);
            let mut columns = Vec::new();
            let mut others = Vec::new();
            for (nsn, n) in &self.schema.namespaces {
                for (tn, t) in &n.tables {
                    for c in &t.columns {
                        if c.collation.as_deref() == Some(target.as_str()) {
                            columns.push((nsn.clone(), tn.clone(), c.name.clone()));
                        }
                    }
                }
                for (cn, c) in &n.composites {
                    for a in &c.attributes {
                        if a.collation.as_deref() == Some(target.as_str()) {
                            others.push(format!(
                                "column {} of composite type {}",
                                a.name,
                                qualified(nsn, cn)
                            ));
                        }
                    }
                }
                for (dn, d) in &n.domains {
                    if d.collation.as_deref() == Some(target.as_str()) {
                        others.push(format!("type {}", qualified(nsn, dn)));
                    }
                }
            }
            if let Some((_, t, c)) = columns.first() {
                if !cascade {
                    return Err(help(
                        err(
                            DEPENDENT_OBJECTS,
                            format!(
                                "cannot drop collation {} because other objects depend on it (column {c} of table {t})",
                                q.name
                            ),
                        ),
                        "change the columns' collation first, or use DROP COLLATION … CASCADE",
                    ));
                }
            }
            if let Some(first) = others.first() {
                // Dropping the attribute or domain with it is not modelled.
                return Err(help(
                    err(
                        DEPENDENT_OBJECTS,
                        format!(
                            "cannot drop collation {} because other objects depend on it ({first})",
                            q.name
                        ),
                    ),
                    "change what uses the collation first",
                ));
            }
            for (uns, ut, uc) in columns {
                self.drop_column_inner(&uns, &ut, &uc);
            }
            self.ns_mut(&ns).collations.remove(&q.name);
        }
        Ok(())
    }

    /// Applies `f` to every collation name the model holds.
    fn each_collation_ref(&mut self, mut f: impl FnMut(&mut String)) {
        for n in self.schema.namespaces.values_mut() {
            for t in n.tables.values_mut() {
                for c in t.columns.iter_mut() {
                    if let Some(b) = &mut c.collation {
                        let mut s = b.to_string();
                        f(&mut s);
                        if *s != **b {
                            *b = s.into();
                        }
                    }
                }
                for i in t.indexes.values_mut() {
                    for k in i.keys.iter_mut() {
                        k.collation.iter_mut().for_each(&mut f);
                    }
                }
            }
            for c in n.composites.values_mut() {
                for a in c.attributes.iter_mut() {
                    a.collation.iter_mut().for_each(&mut f);
                }
            }
            for d in n.domains.values_mut() {
                d.collation.iter_mut().for_each(&mut f);
            }
        }
    }
}

fn missing(q: &QName) -> super::ReplayError {
    err(
        UNDEFINED_OBJECT,
        format!(
            "collation \"{}\" for encoding \"{ENCODING}\" does not exist",
            display_q(q)
        ),
    )
}

/// `DefineCollation` over the options: `provider`, `locale`, `lc_collate`,
/// `lc_ctype`, `deterministic`, `version` (not kept).
fn collation_from_options(options: &[(String, String)]) -> R<Collation> {
    let mut provider = None;
    let mut locale = None;
    let mut lc_collate = None;
    let mut lc_ctype = None;
    let mut deterministic = None;
    for (k, v) in options {
        let slot = match k.as_str() {
            "provider" => &mut provider,
            "locale" => &mut locale,
            "lc_collate" => &mut lc_collate,
            "lc_ctype" => &mut lc_ctype,
            "deterministic" => &mut deterministic,
            "version" => continue,
            "from" => {
                return Err(err(SYNTAX_ERROR, "conflicting or redundant options"));
            }
            other => {
                return Err(err(
                    SYNTAX_ERROR,
                    format!("collation attribute \"{other}\" not recognized"),
                ))
            }
        };
        if slot.is_some() {
            return Err(err(SYNTAX_ERROR, "conflicting or redundant options"));
        }
        *slot = Some(v.clone());
    }
    if locale.is_some() && (lc_collate.is_some() || lc_ctype.is_some()) {
        return Err(err(SYNTAX_ERROR, "conflicting or redundant options"));
    }
    let deterministic = match deterministic
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("true" | "on" | "yes" | "1") => true,
        Some("false" | "off" | "no" | "0") => false,
        Some(other) => {
            return Err(err(
                SYNTAX_ERROR,
                format!("deterministic requires a Boolean value, not \"{other}\""),
            ))
        }
    };
    let provider = provider.unwrap_or_else(|| "libc".to_string());
    match provider.as_str() {
        "icu" => {
            let Some(l) = locale else {
                return Err(err(
                    INVALID_OBJECT_DEFINITION,
                    "parameter \"locale\" must be specified",
                ));
            };
            Ok(Collation {
                owner: crate::model::Owner::default(),
                provider,
                lc_collate: None,
                lc_ctype: None,
                icu_locale: Some(l),
                deterministic,
                comment: None,
            })
        }
        "libc" => {
            if !deterministic {
                return Err(err(
                    FEATURE_NOT_SUPPORTED,
                    "nondeterministic collations not supported with this provider",
                ));
            }
            let collate = lc_collate.or(locale.clone());
            let ctype = lc_ctype.or(locale);
            let Some(collate) = collate else {
                return Err(err(
                    INVALID_OBJECT_DEFINITION,
                    "parameter \"lc_collate\" must be specified",
                ));
            };
            let Some(ctype) = ctype else {
                return Err(err(
                    INVALID_OBJECT_DEFINITION,
                    "parameter \"lc_ctype\" must be specified",
                ));
            };
            Ok(Collation {
                owner: crate::model::Owner::default(),
                provider,
                lc_collate: Some(collate),
                lc_ctype: Some(ctype),
                icu_locale: None,
                deterministic,
                comment: None,
            })
        }
        other => Err(err(
            "22023",
            format!("unrecognized collation provider: {other}"),
        )),
    }
}
