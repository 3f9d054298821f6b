//! Namespaces (with the session check's columns), extensions and comments.

use std::collections::HashMap;

use strata_core::model::{quote_ident, AclKind, Extension, Namespace, Schema};
use tokio_postgres::Row;

use super::*;

pub(super) const Q_NAMESPACES: &str = concat!(
    "SELECT s.isolation, s.read_only, s.public_usable, n.oid, n.nspname::text, \
            n.nspacl::text[], pg_get_userbyid(n.nspowner)::text, s.client_decodes, s.utf8, \
            s.builtin_operators \
     FROM (SELECT current_setting('transaction_isolation') AS isolation, \
                  current_setting('transaction_read_only') AS read_only, \
                  NOT EXISTS (SELECT FROM pg_namespace p WHERE p.nspname = 'public') \
                  OR 'public' = ANY (current_schemas(false)) AS public_usable, \
                  coalesce(current_setting('server_version_num')::int4 / 10000 = 15 \
                  AND current_setting('standard_conforming_strings') = 'on' \
                  AND (SELECT p.proargdefaults::text FROM pg_proc p WHERE p.oid = 1268) \
                      LIKE '%:constvalue 1 [ 1 0 0 0 0 0 0 0 ]%', false) AS client_decodes, \
                  current_setting('server_encoding') = 'UTF8' AS utf8, \
                  NOT EXISTS (SELECT FROM pg_operator o WHERE o.oid >= 16384) \
                  AND NOT EXISTS (SELECT FROM pg_cast k WHERE k.oid >= 16384 \
                                  AND k.castcontext = 'i') AS builtin_operators) s \
     LEFT JOIN pg_namespace n ON ",
    user_namespace!(),
    " ORDER BY n.nspname"
);

pub(super) const Q_EXTENSIONS: &str = "SELECT e.extname::text, n.nspname::text, e.extversion \
     FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace \
     ORDER BY e.extname";

pub(super) const Q_COMMENTS: &str =
    "SELECT CASE d.classoid WHEN 'pg_namespace'::regclass THEN 'n' \
                                         WHEN 'pg_class'::regclass THEN 'c' \
                                         WHEN 'pg_constraint'::regclass THEN 'k' \
                                         ELSE 't' END, \
            d.objoid, d.objsubid, d.description \
     FROM pg_description d \
     WHERE d.classoid IN ('pg_namespace'::regclass, 'pg_class'::regclass, \
                          'pg_constraint'::regclass, 'pg_type'::regclass) \
       AND (d.objoid >= 16384 OR d.classoid = 'pg_namespace'::regclass)";

/// Comments of the objects other queries read, by (catalog, oid, sub-id).
pub(super) fn read_comments(rows: &[Row]) -> Result<Comments, InspectError> {
    let mut comments: Comments = HashMap::new();
    for row in rows {
        let catalog: String = get(row, 0, "comments")?;
        let oid: u32 = get(row, 1, "comments")?;
        let sub: i32 = get(row, 2, "comments")?;
        let text: String = get(row, 3, "comments")?;
        let catalog = catalog.chars().next().unwrap_or('?');
        comments.insert((catalog, oid, sub), text);
    }
    Ok(comments)
}

pub(super) fn build_namespaces(
    rows: &[Row],
    schema: &mut Schema,
    comments: &mut Comments,
) -> Result<(), InspectError> {
    for row in rows {
        let oid: Option<u32> = get(row, 3, "namespaces")?;
        let name: Option<String> = get(row, 4, "namespaces")?;
        let (Some(oid), Some(name)) = (oid, name) else {
            continue;
        };
        let comment = take_comment(comments, 'n', oid, 0);
        let acl = read_acl(row, 5, AclKind::Namespace, "namespaces", || {
            format!("schema {}", quote_ident(&name))
        })?;
        schema.namespaces.insert(
            name,
            Namespace {
                comment,
                acl,
                owner: super::privileges::read_owner(row, 6, "namespaces")?,
                ..Namespace::default()
            },
        );
    }
    Ok(())
}

pub(super) fn build_extensions(rows: &[Row], schema: &mut Schema) -> Result<(), InspectError> {
    for row in rows {
        let name: String = get(row, 0, "extensions")?;
        let namespace: String = get(row, 1, "extensions")?;
        let version: Option<String> = get(row, 2, "extensions")?;
        schema
            .extensions
            .insert(name, Extension { namespace, version });
    }
    Ok(())
}
