//! Publications (`pg_publication`, `pg_publication_rel` with `prattrs` and
//! `pg_get_expr(prqual, prrelid)`, `pg_publication_namespace`): read with
//! the objects kept by name (one branch of the unmanaged objects' query,
//! its `detail` column), database objects like event triggers.

use std::collections::BTreeSet;

use strata_core::model::{
    quote_ident, Expression, Publication, PublicationTable, PublishActions, RelationRef, Schema,
};
use tokio_postgres::Row;

use super::*;

/// The publications' branch of the unmanaged objects' query.
macro_rules! publications_branch {
    () => {
        "SELECT 'publication', NULL::text, NULL::text, pb.pubname::text, NULL::text, NULL::text, \
                ARRAY[pb.puballtables::text, pb.pubinsert::text, pb.pubupdate::text, \
                      pb.pubdelete::text, pb.pubtruncate::text, pb.pubviaroot::text, \
                      obj_description(pb.oid, 'pg_publication'), \
                      (SELECT json_agg(json_build_object('ns', n.nspname, 'rel', c.relname, \
                              'cols', CASE WHEN pr.prattrs IS NULL THEN NULL ELSE \
                                  (SELECT json_agg(a.attname ORDER BY a.attnum) FROM pg_attribute a \
                                   WHERE a.attrelid = pr.prrelid \
                                     AND a.attnum = ANY (pr.prattrs::int2[])) END, \
                              'qual', pg_get_expr(pr.prqual, pr.prrelid)))::text \
                       FROM pg_publication_rel pr JOIN pg_class c ON c.oid = pr.prrelid \
                       JOIN pg_namespace n ON n.oid = c.relnamespace \
                       WHERE pr.prpubid = pb.oid), \
                      (SELECT json_agg(n.nspname)::text FROM pg_publication_namespace pn \
                       JOIN pg_namespace n ON n.oid = pn.pnnspid WHERE pn.pnpubid = pb.oid), \
                      pg_get_userbyid(pb.pubowner)::text] \
         FROM pg_publication pb"
    };
}

#[derive(serde::Deserialize)]
struct RelRow {
    ns: String,
    rel: String,
    cols: Option<Vec<String>>,
    qual: Option<String>,
}

/// One row of the publications' branch into [`Schema::publications`].
pub(super) fn build_publication(
    row: &Row,
    schema: &mut Schema,
    step: &'static str,
) -> Result<(), InspectError> {
    let name: String = get(row, 3, step)?;
    let detail: Vec<Option<String>> = get(row, 6, step)?;
    let at = |i: usize| detail.get(i).cloned().flatten();
    let flag = |i: usize| at(i).as_deref() == Some("true");
    let bad = |what: &str| InspectError::Catalog {
        step,
        reason: format!("publication {}: cannot read {what}", quote_ident(&name)),
    };
    let rels: Vec<RelRow> = match at(7) {
        None => Vec::new(),
        Some(j) => serde_json::from_str(&j).map_err(|_| bad("its tables"))?,
    };
    let schemas: Vec<String> = match at(8) {
        None => Vec::new(),
        Some(j) => serde_json::from_str(&j).map_err(|_| bad("its schemas"))?,
    };
    let mut tables: Vec<PublicationTable> = rels
        .into_iter()
        .map(|r| PublicationTable {
            table: RelationRef::new(r.ns, r.rel),
            columns: r.cols,
            row_filter: r.qual.map(Expression::from_server),
        })
        .collect();
    tables.sort_by(|a, b| a.table.cmp(&b.table));
    schema.publications.insert(
        name.clone(),
        Publication {
            all_tables: flag(0),
            tables,
            schemas: schemas.into_iter().collect::<BTreeSet<_>>(),
            publish: PublishActions {
                insert: flag(1),
                update: flag(2),
                delete: flag(3),
                truncate: flag(4),
            },
            via_root: flag(5),
            comment: at(6),
            owner: strata_core::model::Owner(at(9)),
        },
    );
    Ok(())
}
