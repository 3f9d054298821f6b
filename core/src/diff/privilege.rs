//! Privileges compared by definition: the effective ACL of each object
//! (NULL expanded to `acldefault`), one difference per grantee and
//! privilege, every one marked as concerning security ([`super::is_security`]).
//! The grantor is not compared (see [`crate::model::acl`]).

use std::collections::BTreeMap;

use super::{Change, Difference};
use crate::model::acl::effective;
use crate::model::{Acl, AclKind, DefaultAclKey, Grantee, ObjectKind, ObjectPath, Privilege};

/// The field every privilege difference names: `privilege SELECT of
/// PUBLIC` (and ` on column c` for a view's column).
pub(crate) const FIELD_PREFIX: &str = "privilege ";

/// Differences between two ACLs of an object of `kind` at `p`; `suffix`
/// follows the field (` on column "c"`).
pub(super) fn diff_acl(
    d: &mut Vec<Difference>,
    p: &ObjectPath,
    kind: AclKind,
    e: &Option<Acl>,
    f: &Option<Acl>,
    suffix: &str,
) {
    if e == f {
        return;
    }
    diff_effective(d, p, &effective(e, kind), &effective(f, kind), suffix);
}

fn diff_effective(d: &mut Vec<Difference>, p: &ObjectPath, e: &Acl, f: &Acl, suffix: &str) {
    // (grantee, privilege) → (expected, found): held, and with the grant
    // option.
    type Held = (Option<bool>, Option<bool>);
    let mut all: BTreeMap<(&Grantee, Privilege), Held> = BTreeMap::new();
    for i in &e.items {
        all.entry((&i.grantee, i.privilege)).or_default().0 = Some(i.grantable);
    }
    for i in &f.items {
        all.entry((&i.grantee, i.privilege)).or_default().1 = Some(i.grantable);
    }
    let show = |g: Option<bool>| match g {
        None => "not granted",
        Some(false) => "granted",
        Some(true) => "granted WITH GRANT OPTION",
    };
    for ((grantee, privilege), (ge, gf)) in all {
        if ge != gf {
            d.push(Difference {
                path: p.clone(),
                change: Change::Changed {
                    field: format!("{FIELD_PREFIX}{} of {grantee}{suffix}", privilege.keyword()),
                    expected: show(ge).to_string(),
                    found: show(gf).to_string(),
                },
                security: true,
            });
        }
    }
}

/// The path of one entry of default privileges.
pub fn default_acl_path(key: &DefaultAclKey) -> ObjectPath {
    let mut name = format!("on {}", key.object.keyword().to_lowercase());
    if let Some(s) = &key.schema {
        name.push_str(&format!(" in schema {}", crate::model::quote_ident(s)));
    }
    match &key.role {
        Grantee::Owner => name.push_str(" for the owner"),
        g => name.push_str(&format!(" for {g}")),
    }
    ObjectPath::new(ObjectKind::DefaultPrivileges, "", &name)
}

/// Default privileges, entry by entry (a missing entry is its base: the
/// kind's `acldefault` without a schema, nothing in one).
pub(super) fn diff_default_acls(
    d: &mut Vec<Difference>,
    e: &BTreeMap<DefaultAclKey, Acl>,
    f: &BTreeMap<DefaultAclKey, Acl>,
) {
    let keys: std::collections::BTreeSet<&DefaultAclKey> = e.keys().chain(f.keys()).collect();
    for key in keys {
        let base = key.base();
        let ea = e.get(key).unwrap_or(&base);
        let fa = f.get(key).unwrap_or(&base);
        if ea != fa {
            diff_effective(d, &default_acl_path(key), ea, fa, "");
        }
    }
}
