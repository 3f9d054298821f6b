//! Sequences (not identity columns' own).

use strata_core::model::{quote_ident, AclKind, Schema, Sequence};
use strata_core::normalize;
use tokio_postgres::Row;

use super::*;

pub(super) const Q_SEQUENCES: &str = concat!(
    "SELECT c.oid, (SELECT n.nspname::text FROM pg_namespace n WHERE n.oid = c.relnamespace), \
            c.relname::text, format_type(s.seqtypid, NULL), \
            s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle, \
            oc.relname::text, oa.attname::text, \
            c.relacl::text[], pg_get_userbyid(c.relowner)::text \
     FROM pg_sequence s \
     JOIN pg_class c ON c.oid = s.seqrelid \
     LEFT JOIN pg_depend od ON od.classid = 'pg_class'::regclass AND od.objid = c.oid \
          AND od.objsubid = 0 AND od.refclassid = 'pg_class'::regclass \
          AND od.refobjsubid > 0 AND od.deptype = 'a' \
     LEFT JOIN pg_class oc ON oc.oid = od.refobjid \
     LEFT JOIN pg_attribute oa ON oa.attrelid = od.refobjid AND oa.attnum = od.refobjsubid \
     WHERE c.relkind = 'S' \
       AND NOT EXISTS (SELECT FROM pg_depend di WHERE di.classid = 'pg_class'::regclass \
                       AND di.objid = c.oid AND di.deptype = 'i') AND ",
    in_user_namespace!("c.relnamespace"),
    " AND ",
    not_extension!("pg_class", "c.oid"),
    " ORDER BY c.oid"
);

/// Sequences into their namespaces.
pub(super) fn build_sequences(
    rows: &[Row],
    schema: &mut Schema,
    comments: &mut Comments,
) -> Result<(), InspectError> {
    for row in rows {
        const STEP: &str = "sequences";
        let oid: u32 = get(row, 0, STEP)?;
        let namespace: String = get(row, 1, STEP)?;
        let name: String = get(row, 2, STEP)?;
        let raw_type: String = get(row, 3, STEP)?;
        let owner_table: Option<String> = get(row, 10, STEP)?;
        let owner_column: Option<String> = get(row, 11, STEP)?;
        let object = || {
            format!(
                "sequence {}.{}",
                quote_ident(&namespace),
                quote_ident(&name)
            )
        };
        let sequence = Sequence {
            data_type: normalized(normalize::type_text, &raw_type, object, "type")?,
            start: get(row, 4, STEP)?,
            increment: get(row, 5, STEP)?,
            min_value: get(row, 6, STEP)?,
            max_value: get(row, 7, STEP)?,
            cache: get(row, 8, STEP)?,
            cycle: get(row, 9, STEP)?,
            owned_by: owner_table.zip(owner_column),
            comment: take_comment(comments, 'c', oid, 0),
            acl: read_acl(row, 12, AclKind::Sequence, STEP, object)?,
            owner: super::privileges::read_owner(row, 13, STEP)?,
        };
        schema
            .namespaces
            .entry(namespace)
            .or_default()
            .sequences
            .insert(name, sequence);
    }
    Ok(())
}
