//! Foreign-data wrappers (not an extension's), foreign servers and user
//! mappings: database objects, read whole in one query (a kind per row).
//!
//! User mappings come from `pg_user_mappings`, which shows a mapping's
//! options only to the mapped user (with `USAGE` on the server), the
//! server's owner and superusers: the query computes the same condition,
//! and a mapping whose options are hidden is read as "options unknown",
//! never as "no options". Option values are digested on arrival and never
//! kept.

use strata_core::model::{
    quote_ident, AclKind, FdwOptions, ForeignDataWrapper, ForeignServer, RelationRef, Schema,
    SecretValue, UserMapping,
};
use tokio_postgres::Row;

use super::*;

pub(super) const Q_FOREIGN: &str = concat!(
    "SELECT 'w'::text, w.fdwname::text, NULL::text, hn.nspname::text, h.proname::text, \
            vn.nspname::text, v.proname::text, w.fdwoptions::text[], NULL::text, NULL::text, \
            obj_description(w.oid, 'pg_foreign_data_wrapper'), NULL::text, NULL::bool, \
            w.fdwacl::text[], pg_get_userbyid(w.fdwowner)::text \
     FROM pg_foreign_data_wrapper w \
     LEFT JOIN pg_proc h ON h.oid = w.fdwhandler \
     LEFT JOIN pg_namespace hn ON hn.oid = h.pronamespace \
     LEFT JOIN pg_proc v ON v.oid = w.fdwvalidator \
     LEFT JOIN pg_namespace vn ON vn.oid = v.pronamespace \
     WHERE ",
    not_extension!("pg_foreign_data_wrapper", "w.oid"),
    " UNION ALL \
     SELECT 's', s.srvname::text, w.fdwname::text, NULL, NULL, NULL, NULL, \
            s.srvoptions::text[], s.srvtype, s.srvversion, \
            obj_description(s.oid, 'pg_foreign_server'), NULL, NULL, \
            s.srvacl::text[], pg_get_userbyid(s.srvowner)::text \
     FROM pg_foreign_server s JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw \
     WHERE ",
    not_extension!("pg_foreign_server", "s.oid"),
    " UNION ALL \
     SELECT 'm', um.srvname::text, NULL, NULL, NULL, NULL, NULL, um.umoptions::text[], \
            NULL, NULL, NULL, um.usename::text, \
            (um.umuser <> 0 AND um.usename = current_user \
             AND (pg_has_role(s.srvowner, 'USAGE') OR has_server_privilege(s.oid, 'USAGE'))) \
            OR (um.umuser = 0 AND pg_has_role(s.srvowner, 'USAGE')) \
            OR COALESCE((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = current_user), false), \
            NULL, NULL \
     FROM pg_user_mappings um JOIN pg_foreign_server s ON s.oid = um.srvid \
     ORDER BY 1 DESC, 2, 12"
);

/// `name=value` as `pg_options_to_table` splits them (at the first `=`).
pub(super) fn split_options(raw: Option<Vec<String>>) -> FdwOptions {
    raw.unwrap_or_default()
        .into_iter()
        .map(|o| match o.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (o, String::new()),
        })
        .collect()
}

pub(super) fn build_foreign(rows: &[Row], schema: &mut Schema) -> Result<(), InspectError> {
    const STEP: &str = "foreign servers";
    // Rows come wrappers ('w'), then servers ('s'), then mappings ('m').
    for row in rows {
        let kind: String = get(row, 0, STEP)?;
        let name: String = get(row, 1, STEP)?;
        let func = |ns: usize, f: usize| -> Result<Option<RelationRef>, InspectError> {
            let ns: Option<String> = get(row, ns, STEP)?;
            let f: Option<String> = get(row, f, STEP)?;
            Ok(ns.zip(f).map(|(n, f)| RelationRef::new(n, f)))
        };
        match kind.as_str() {
            "w" => {
                let w = ForeignDataWrapper {
                    handler: func(3, 4)?,
                    validator: func(5, 6)?,
                    options: split_options(get(row, 7, STEP)?),
                    comment: get(row, 10, STEP)?,
                    acl: read_acl(row, 13, AclKind::ForeignDataWrapper, STEP, || {
                        format!("foreign-data wrapper {}", quote_ident(&name))
                    })?,
                    owner: super::privileges::read_owner(row, 14, STEP)?,
                };
                schema.foreign_data_wrappers.insert(name, w);
            }
            "s" => {
                let s = ForeignServer {
                    wrapper: get::<Option<String>>(row, 2, STEP)?.unwrap_or_default(),
                    server_type: get(row, 8, STEP)?,
                    version: get(row, 9, STEP)?,
                    options: split_options(get(row, 7, STEP)?),
                    comment: get(row, 10, STEP)?,
                    acl: read_acl(row, 13, AclKind::ForeignServer, STEP, || {
                        format!("server {}", quote_ident(&name))
                    })?,
                    owner: super::privileges::read_owner(row, 14, STEP)?,
                    user_mappings: Default::default(),
                };
                schema.foreign_servers.insert(name, s);
            }
            "m" => {
                let user: String = get::<Option<String>>(row, 11, STEP)?.unwrap_or_default();
                let readable: Option<bool> = get(row, 12, STEP)?;
                let options = if readable == Some(true) {
                    Some(
                        split_options(get(row, 7, STEP)?)
                            .into_iter()
                            .map(|(k, v)| (k, SecretValue::of(&v)))
                            .collect(),
                    )
                } else {
                    None
                };
                // A mapping on a server an extension made is the
                // extension's too.
                if let Some(s) = schema.foreign_servers.get_mut(&name) {
                    s.user_mappings.insert(user, UserMapping { options });
                }
            }
            other => {
                return Err(InspectError::Catalog {
                    step: STEP,
                    reason: format!("unknown kind {other:?} for {}", quote_ident(&name)),
                })
            }
        }
    }
    Ok(())
}
