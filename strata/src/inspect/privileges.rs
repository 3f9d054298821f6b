//! ACLs and default privileges.

use strata_core::model::acl;
use strata_core::model::{Acl, AclKind, DefaultAclKey, DefaultAclObject, Grantee, Schema};
use tokio_postgres::Row;

use super::*;

/// Default privileges (`pg_default_acl`): whose, in which schema (none:
/// everywhere), for which kind, the ACL, and the database's owner (the
/// role whose defaults the offline model calls the owner's).
pub(super) const Q_DEFAULT_ACLS: &str = concat!(
    "SELECT pg_get_userbyid(d.defaclrole)::text, n.nspname::text, d.defaclobjtype::text, \
            d.defaclacl::text[], \
            (SELECT pg_get_userbyid(db.datdba)::text FROM pg_database db \
             WHERE db.datname = current_database()) \
     FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace \
     WHERE d.defaclnamespace = 0 OR (",
    user_namespace!(),
    ") ORDER BY 1, 2, 3"
);

/// An object's owner, read as `pg_get_userbyid(…)::text` at `index`.
pub(super) fn read_owner(
    row: &Row,
    index: usize,
    step: &'static str,
) -> Result<strata_core::model::Owner, InspectError> {
    let owner: Option<String> = get(row, index, step)?;
    Ok(strata_core::model::Owner(owner))
}

/// An ACL read as `aclitem[]::text[]` at `index`, its owner's name at
/// `index + 1` (mapped to [`Grantee::Owner`]); `None` for the default.
pub(super) fn read_acl(
    row: &Row,
    index: usize,
    kind: AclKind,
    step: &'static str,
    object: impl FnOnce() -> String + Clone,
) -> Result<Option<Acl>, InspectError> {
    let items: Option<Vec<String>> = get(row, index, step)?;
    let Some(items) = items else {
        return Ok(None);
    };
    let owner: Option<String> = get(row, index + 1, step)?;
    refuse_foreign_grantor(&items, owner.as_deref().unwrap_or(""), object.clone())?;
    let acl = Acl::from_aclitems(
        items.iter().map(String::as_str),
        owner.as_deref().unwrap_or(""),
    )
    .ok_or_else(|| InspectError::Catalog {
        step,
        reason: format!("{}: cannot read the ACL {items:?}", object()),
    })?;
    Ok(acl::canonical(acl, kind))
}

/// A grant made by another role than the object's owner (`grantee=r/other`)
/// is refused, naming the object: the model does not keep grantors, so
/// comparing the ACL without it could call two different databases equal.
pub(super) fn refuse_foreign_grantor(
    items: &[String],
    owner: &str,
    object: impl FnOnce() -> String,
) -> Result<(), InspectError> {
    match acl::grantor_not_owner(items.iter().map(String::as_str), owner) {
        None => Ok(()),
        Some(grantor) => Err(InspectError::Unsupported {
            object: object(),
            what: format!("a privilege granted by role {grantor}, not by the owner {owner},"),
            help: "strata compares privileges as granted by each object's owner; re-grant it as the owner (or revoke it) to compare this database".to_string(),
        }),
    }
}

/// The elements of an array's text form (`{a,"b c"}`), unquoted.
pub(super) fn array_items(text: &str) -> Vec<String> {
    let inner = text
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(text);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '\\' if quoted => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    if !inner.is_empty() {
        out.push(cur);
    }
    out
}

/// Default privileges into [`Schema::default_privileges`]: the database
/// owner's are the owner's (offline, the role running the migrations), and
/// in each entry the role whose defaults they are is the owner of the
/// objects they will apply to.
pub(super) fn build_default_acls(rows: &[Row], schema: &mut Schema) -> Result<(), InspectError> {
    const STEP: &str = "default privileges";
    for row in rows {
        let role: String = get(row, 0, STEP)?;
        let namespace: Option<String> = get(row, 1, STEP)?;
        let objtype: String = get(row, 2, STEP)?;
        let items: Vec<String> = get(row, 3, STEP)?;
        let db_owner: Option<String> = get(row, 4, STEP)?;
        let Some(object) = DefaultAclObject::from_objtype(&objtype) else {
            return Err(InspectError::Catalog {
                step: STEP,
                reason: format!("unknown defaclobjtype {objtype:?}"),
            });
        };
        refuse_foreign_grantor(&items, &role, || {
            format!("default privileges of role {role} ({objtype})")
        })?;
        let acl = Acl::from_aclitems(items.iter().map(String::as_str), &role).ok_or_else(|| {
            InspectError::Catalog {
                step: STEP,
                reason: format!("cannot read the default ACL {items:?}"),
            }
        })?;
        let key = DefaultAclKey {
            role: if db_owner.as_deref() == Some(role.as_str()) {
                Grantee::Owner
            } else {
                Grantee::Role(role)
            },
            schema: namespace,
            object,
        };
        if acl != key.base() {
            schema.default_privileges.insert(key, acl);
        }
    }
    Ok(())
}
