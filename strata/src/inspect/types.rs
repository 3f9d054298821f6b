//! Enums, domains, composite types, range types and collations.

use std::collections::BTreeMap;

use strata_core::model::{
    quote_ident, AclKind, Collation, CompositeAttribute, CompositeType, Domain, DomainCheck,
    EnumType, Expression, ObjectRef, RangeType, Schema,
};
use tokio_postgres::Row;

use super::*;

/// Enums, domains and composite types (`typtype` e, d, c; a composite
/// type only when it has its own relation, not a table's row type). Enums
/// carry their labels; domains their base type, collation, default, NOT
/// NULL and CHECKs (name, `pg_get_expr(conbin, 0)`, validated, comment);
/// composite types their attributes (name, `format_type`, collation when
/// not the type's default) and the relation whose comments hold the
/// attributes'; range types (`pg_range`) their subtype, its operator
/// class when not the default, the collation when not the subtype's, the
/// canonical and subtype_diff functions and the multirange type, each as
/// (namespace, name). A shell type left undefined is read to be refused.
/// Last, an enum's `pg_enum` oids (in label order) and `format_type`, for
/// printing its constants on the client (`expressions.rs`).
pub(super) const Q_TYPES: &str = concat!(
    "SELECT t.oid, n.nspname::text, t.typname::text, t.typtype::text, \
            ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid \
                  ORDER BY e.enumsortorder), \
            CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END, \
            CASE WHEN t.typtype = 'd' AND t.typcollation <> bt.typcollation \
                 THEN ARRAY[cn.nspname::text, co.collname::text] END, \
            CASE WHEN t.typtype = 'd' THEN pg_get_expr(t.typdefaultbin, 0) END, \
            t.typnotnull, \
            ARRAY(SELECT k.conname::text FROM pg_constraint k WHERE k.contypid = t.oid \
                  AND k.contype = 'c' ORDER BY k.conname), \
            ARRAY(SELECT pg_get_expr(k.conbin, 0) FROM pg_constraint k WHERE k.contypid = t.oid \
                  AND k.contype = 'c' ORDER BY k.conname), \
            ARRAY(SELECT k.convalidated FROM pg_constraint k WHERE k.contypid = t.oid \
                  AND k.contype = 'c' ORDER BY k.conname), \
            ARRAY(SELECT k.oid FROM pg_constraint k WHERE k.contypid = t.oid \
                  AND k.contype = 'c' ORDER BY k.conname), \
            t.typrelid, \
            ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = t.typrelid \
                  AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum), \
            ARRAY(SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a \
                  WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped \
                  ORDER BY a.attnum), \
            ARRAY(SELECT CASE WHEN a.attcollation <> at.typcollation THEN aco.collname::text END \
                  FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid \
                  LEFT JOIN pg_collation aco ON aco.oid = a.attcollation \
                  WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped \
                  ORDER BY a.attnum), \
            ARRAY(SELECT a.attnum::int4 FROM pg_attribute a WHERE a.attrelid = t.typrelid \
                  AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum), \
            ARRAY(SELECT CASE WHEN a.attcollation <> at.typcollation THEN acn.nspname::text END \
                  FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid \
                  LEFT JOIN pg_collation aco ON aco.oid = a.attcollation \
                  LEFT JOIN pg_namespace acn ON acn.oid = aco.collnamespace \
                  WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped \
                  ORDER BY a.attnum), \
            t.typacl::text[], pg_get_userbyid(t.typowner)::text, \
            format_type(r.rngsubtype, NULL), \
            (SELECT CASE WHEN NOT opc.opcdefault THEN ARRAY[ocn.nspname::text, opc.opcname::text] END \
             FROM pg_opclass opc JOIN pg_namespace ocn ON ocn.oid = opc.opcnamespace \
             WHERE opc.oid = r.rngsubopc), \
            (SELECT ARRAY[rcn.nspname::text, rco.collname::text] FROM pg_collation rco \
             JOIN pg_namespace rcn ON rcn.oid = rco.collnamespace \
             WHERE rco.oid = r.rngcollation AND r.rngcollation <> st.typcollation), \
            (SELECT ARRAY[pn.nspname::text, p.proname::text] FROM pg_proc p \
             JOIN pg_namespace pn ON pn.oid = p.pronamespace WHERE p.oid = r.rngcanonical), \
            (SELECT ARRAY[pn.nspname::text, p.proname::text] FROM pg_proc p \
             JOIN pg_namespace pn ON pn.oid = p.pronamespace WHERE p.oid = r.rngsubdiff), \
            (SELECT ARRAY[mn.nspname::text, m.typname::text] FROM pg_type m \
             JOIN pg_namespace mn ON mn.oid = m.typnamespace WHERE m.oid = r.rngmultitypid), \
            ARRAY(SELECT e.oid FROM pg_enum e WHERE e.enumtypid = t.oid \
                  ORDER BY e.enumsortorder), \
            CASE WHEN t.typtype = 'e' THEN format_type(t.oid, NULL) END \
     FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
     LEFT JOIN pg_range r ON r.rngtypid = t.oid \
     LEFT JOIN pg_type st ON st.oid = r.rngsubtype \
     LEFT JOIN pg_type bt ON bt.oid = t.typbasetype \
     LEFT JOIN pg_collation co ON co.oid = t.typcollation \
     LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace \
     WHERE (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'p' AND NOT t.typisdefined) \
            OR (t.typtype = 'c' AND EXISTS \
            (SELECT FROM pg_class r WHERE r.oid = t.typrelid AND r.relkind = 'c'))) AND ",
    user_namespace!(),
    " AND ",
    not_extension!("pg_type", "t.oid"),
    " ORDER BY t.oid"
);

/// Collations: provider (`c` libc, `i` icu), locales, determinism and the
/// comment. The encoding and version are not read (pg_dump keeps neither).
pub(super) const Q_COLLATIONS: &str = concat!(
    "SELECT n.nspname::text, cl.collname::text, cl.collprovider::text, cl.collcollate, \
            cl.collctype, cl.colliculocale, cl.collisdeterministic, \
            obj_description(cl.oid, 'pg_collation'), pg_get_userbyid(cl.collowner)::text \
     FROM pg_collation cl JOIN pg_namespace n ON n.oid = cl.collnamespace WHERE ",
    user_namespace!(),
    " AND ",
    not_extension!("pg_collation", "cl.oid"),
    " ORDER BY cl.oid"
);

/// Enums, domains and composite types into their namespaces.
pub(super) fn build_types(
    rows: &[Row],
    schema: &mut Schema,
    comments: &mut Comments,
) -> Result<(), InspectError> {
    for row in rows {
        const STEP: &str = "types";
        let oid: u32 = get(row, 0, STEP)?;
        let namespace: String = get(row, 1, STEP)?;
        let name: String = get(row, 2, STEP)?;
        let typtype: String = get(row, 3, STEP)?;
        let comment = take_comment(comments, 't', oid, 0);
        let acl = read_acl(row, 19, AclKind::Type, STEP, || {
            format!("type {}.{}", quote_ident(&namespace), quote_ident(&name))
        })?;
        if typtype == "p" {
            return Err(unsupported(
                &format!("type {}.{}", quote_ident(&namespace), quote_ident(&name)),
                "a shell type left undefined (CREATE TYPE name; with no definition after it)"
                    .to_string(),
                "strata models shell types only on their way to a range type: define the type or                  drop it (DROP TYPE … CASCADE drops the functions over it), or inspect other                  namespaces only",
            ));
        }
        let owner = super::privileges::read_owner(row, 20, STEP)?;
        let n = schema.namespaces.entry(namespace).or_default();
        match typtype.as_str() {
            "e" => {
                let values: Vec<String> = get(row, 4, STEP)?;
                n.enums.insert(
                    name,
                    EnumType {
                        values,
                        comment,
                        acl,
                        owner,
                    },
                );
            }
            "d" => {
                let base_type: String = get(row, 5, STEP)?;
                let collation: Option<Vec<String>> = get(row, 6, STEP)?;
                let default: Option<String> = get(row, 7, STEP)?;
                let not_null: bool = get(row, 8, STEP)?;
                let names: Vec<String> = get(row, 9, STEP)?;
                let exprs: Vec<String> = get(row, 10, STEP)?;
                let validated: Vec<bool> = get(row, 11, STEP)?;
                let oids: Vec<u32> = get(row, 12, STEP)?;
                let mut checks = BTreeMap::new();
                for (((cname, e), v), coid) in names.into_iter().zip(exprs).zip(validated).zip(oids)
                {
                    checks.insert(
                        cname,
                        DomainCheck {
                            expression: Expression::from_server(e),
                            validated: v,
                            comment: take_comment(comments, 'k', coid, 0),
                        },
                    );
                }
                n.domains.insert(
                    name,
                    Domain {
                        base_type,
                        collation: collation.and_then(|c| match c.as_slice() {
                            [ns, name] => Some(qualified_unless_builtin(Some(ns), name)),
                            _ => None,
                        }),
                        default: default.map(Expression::from_server),
                        not_null,
                        checks,
                        comment,
                        acl,
                        owner,
                    },
                );
            }
            "r" => {
                let pair = |i: usize| -> Result<Option<ObjectRef>, InspectError> {
                    let v: Option<Vec<String>> = get(row, i, STEP)?;
                    Ok(v.and_then(|v| match v.as_slice() {
                        [ns, name] => Some(ObjectRef::new(ns, name)),
                        _ => None,
                    }))
                };
                let subtype: String = get(row, 21, STEP)?;
                let multirange = pair(26)?.ok_or_else(|| InspectError::Catalog {
                    step: STEP,
                    reason: format!("range type {} has no multirange type", quote_ident(&name)),
                })?;
                n.ranges.insert(
                    name,
                    RangeType {
                        subtype,
                        subtype_opclass: pair(22)?,
                        collation: pair(23)?,
                        canonical: pair(24)?,
                        subtype_diff: pair(25)?,
                        multirange,
                        comment,
                        acl,
                        owner,
                    },
                );
            }
            _ => {
                let relid: u32 = get(row, 13, STEP)?;
                let names: Vec<String> = get(row, 14, STEP)?;
                let types: Vec<String> = get(row, 15, STEP)?;
                let collations: Vec<Option<String>> = get(row, 16, STEP)?;
                let nums: Vec<i32> = get(row, 17, STEP)?;
                let collation_ns: Vec<Option<String>> = get(row, 18, STEP)?;
                let attributes = names
                    .into_iter()
                    .zip(types)
                    .zip(collations.into_iter().zip(collation_ns))
                    .zip(nums)
                    .map(
                        |(((name, data_type), (collation, cns)), num)| CompositeAttribute {
                            name,
                            data_type,
                            collation: collation
                                .map(|c| qualified_unless_builtin(cns.as_deref(), &c)),
                            comment: take_comment(comments, 'c', relid, num),
                        },
                    )
                    .collect();
                n.composites.insert(
                    name,
                    CompositeType {
                        attributes,
                        comment,
                        acl,
                        owner,
                    },
                );
            }
        }
    }
    Ok(())
}

/// Collations into their namespaces.
pub(super) fn build_collations(rows: &[Row], schema: &mut Schema) -> Result<(), InspectError> {
    for row in rows {
        const STEP: &str = "collations";
        let namespace: String = get(row, 0, STEP)?;
        let name: String = get(row, 1, STEP)?;
        let provider: String = get(row, 2, STEP)?;
        let provider = match provider.as_str() {
            "c" => "libc",
            "i" => "icu",
            other => {
                return Err(unsupported(
                    &format!(
                        "collation {}.{}",
                        quote_ident(&namespace),
                        quote_ident(&name)
                    ),
                    format!("a collation of provider {other:?}"),
                    "strata models libc and ICU collations",
                ))
            }
        };
        let collation = Collation {
            provider: provider.to_string(),
            lc_collate: get(row, 3, STEP)?,
            lc_ctype: get(row, 4, STEP)?,
            icu_locale: get(row, 5, STEP)?,
            deterministic: get(row, 6, STEP)?,
            comment: get(row, 7, STEP)?,
            owner: super::privileges::read_owner(row, 8, STEP)?,
        };
        schema
            .namespaces
            .entry(namespace)
            .or_default()
            .collations
            .insert(name, collation);
    }
    Ok(())
}
