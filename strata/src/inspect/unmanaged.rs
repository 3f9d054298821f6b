//! Objects strata keeps by name only; the same query reads rules
//! (`rules`) and publications (`publications`).

use strata_core::model::{quote_ident, Schema, Unmanaged, UnmanagedKind};
use tokio_postgres::Row;

use super::*;

pub(super) const Q_UNMANAGED: &str = concat!(
    "SELECT 'function', \
            n.nspname::text, NULL::text, p.proname::text, oidvectortypes(p.proargtypes), \
            NULL::text, NULL::text[] \
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
     WHERE p.prokind = 'w' AND NOT EXISTS (SELECT FROM pg_depend dp WHERE dp.classid = 'pg_proc'::regclass \
                       AND dp.objid = p.oid AND dp.deptype IN ('e', 'i')) AND ",
    user_namespace!(),
    " UNION ALL \
     SELECT 'trigger', n.nspname::text, c.relname::text, tg.tgname::text, NULL::text, \
            tg.tgenabled::text, NULL::text[] \
     FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid \
     JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE NOT tg.tgisinternal AND c.relkind NOT IN ('r', 'p', 'f', 'v') AND ",
    user_namespace!(),
    " AND ",
    not_extension_probe!("pg_class", "c.oid"),
    " UNION ALL ",
    rules_branch!(),
    " UNION ALL ",
    publications_branch!()
);

/// Unmanaged objects into [`Schema::unmanaged`].
pub(super) fn build_unmanaged(rows: &[Row], schema: &mut Schema) -> Result<(), InspectError> {
    for row in rows {
        const STEP: &str = "unmanaged objects";
        let kind: String = get(row, 0, STEP)?;
        if kind == "rule" {
            build_rule(row, schema, STEP)?;
            continue;
        }
        if kind == "publication" {
            build_publication(row, schema, STEP)?;
            continue;
        }
        let namespace: Option<String> = get(row, 1, STEP)?;
        let parent: Option<String> = get(row, 2, STEP)?;
        let name: String = get(row, 3, STEP)?;
        let args: Option<String> = get(row, 4, STEP)?;
        let state: Option<String> = get(row, 5, STEP)?;
        if let Some(state) = state.filter(|s| s != "O") {
            let what = match state.as_str() {
                "D" => "disabled",
                "R" => "enabled for replica sessions only (ENABLE REPLICA)",
                "A" => "enabled always (ENABLE ALWAYS)",
                _ => "in an unknown state",
            };
            return Err(unsupported(
                &format!(
                    "{kind} {}.{}.{}",
                    quote_ident(namespace.as_deref().unwrap_or_default()),
                    quote_ident(parent.as_deref().unwrap_or_default()),
                    quote_ident(&name)
                ),
                format!("a {kind} {what}"),
                "strata keeps triggers on foreign tables and materialized views by name only and \
                 cannot compare their state: ALTER TABLE … ENABLE TRIGGER it, or inspect other \
                 namespaces only",
            ));
        }
        let kind = match kind.as_str() {
            "view" => UnmanagedKind::View,
            "materialized_view" => UnmanagedKind::MaterializedView,
            "composite_type" => UnmanagedKind::CompositeType,
            "domain" => UnmanagedKind::Domain,
            "function" => UnmanagedKind::Function,
            "procedure" => UnmanagedKind::Procedure,
            "aggregate" => UnmanagedKind::Aggregate,
            "trigger" => UnmanagedKind::Trigger,
            "policy" => UnmanagedKind::Policy,
            "collation" => UnmanagedKind::Collation,
            "event_trigger" => UnmanagedKind::EventTrigger,
            other => {
                return Err(InspectError::Catalog {
                    step: STEP,
                    reason: format!("unknown object kind {other:?}"),
                })
            }
        };
        let mut full = String::new();
        for part in [namespace, parent, Some(name)].into_iter().flatten() {
            if !full.is_empty() {
                full.push('.');
            }
            full.push_str(&quote_ident(&part));
        }
        if let Some(args) = args {
            full.push('(');
            full.push_str(&args);
            full.push(')');
        }
        schema.unmanaged.insert(Unmanaged { kind, name: full });
    }
    Ok(())
}
