//! Triggers and row-level security policies.

use std::collections::HashMap;

use strata_core::model::{
    quote_ident, ConstraintTrigger, Expression, Policy, PolicyCommand, Schema, Trigger,
    TriggerEnabled, TriggerEvents, TriggerTiming,
};
use tokio_postgres::Row;

use super::*;

/// Row-level security policies by definition: command, permissive, the
/// roles by name (`public` for PUBLIC, `polroles = {0}`; `pg_roles`, which
/// every role may read), USING and WITH CHECK as `pg_get_expr` prints them
/// over the table, and the comment.
pub(super) const Q_POLICIES: &str = concat!(
    "SELECT n.nspname::text, c.relname::text, pol.polname::text, pol.polcmd::text, \
            pol.polpermissive, \
            ARRAY(SELECT CASE WHEN r.id = 0 THEN 'public' \
                              ELSE (SELECT ro.rolname::text FROM pg_roles ro WHERE ro.oid = r.id) END \
                  FROM unnest(pol.polroles) r(id)), \
            pg_get_expr(pol.polqual, pol.polrelid), pg_get_expr(pol.polwithcheck, pol.polrelid), \
            d.description \
     FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid \
     JOIN pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_description d ON d.classoid = 'pg_policy'::regclass AND d.objoid = pol.oid \
          AND d.objsubid = 0 \
     WHERE ",
    share!("pol.polrelid"),
    " AND ",
    user_namespace!(),
    " AND ",
    not_extension_probe!("pg_class", "c.oid"),
    " ORDER BY 1, 2, 3"
);

/// Triggers on tables (not internal ones: foreign keys' `RI_ConstraintTrigger`
/// and the like), by table: `tgtype` bits, `UPDATE OF` columns in `tgattr`
/// order, `tgargs` (NUL-terminated strings), the state, the constraint
/// trigger's deferral and `FROM` table, transition tables, the function as
/// the catalog holds it, `pg_get_triggerdef` (to write back, and for the
/// `WHEN` condition, printed as stored) and the comment. Triggers on views
/// too (on the view), and on foreign tables; those on materialized views are
/// read by name with the unmanaged objects.
pub(super) const Q_TRIGGERS: &str = concat!(
    "SELECT tg.tgrelid, tg.tgname::text, tg.tgtype::int4, \
            ARRAY(SELECT a.attname::text FROM unnest(tg.tgattr::int2[]) WITH ORDINALITY k(attnum, ord) \
                  JOIN pg_attribute a ON a.attrelid = tg.tgrelid AND a.attnum = k.attnum \
                  ORDER BY k.ord), \
            tg.tgnargs::int4, tg.tgargs, tg.tgenabled::text, tg.tgconstraint <> 0, \
            tg.tgdeferrable, tg.tginitdeferred, rn.nspname::text, rc.relname::text, \
            tg.tgoldtable::text, tg.tgnewtable::text, pn.nspname::text, p.proname::text, \
            tg.tgqual IS NOT NULL, pg_get_triggerdef(tg.oid), d.description, \
            tg.tgparentid <> 0 \
     FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid \
     JOIN pg_proc p ON p.oid = tg.tgfoid \
     JOIN pg_namespace pn ON pn.oid = p.pronamespace \
     LEFT JOIN pg_class rc ON rc.oid = tg.tgconstrrelid \
     LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace \
     LEFT JOIN pg_description d ON d.classoid = 'pg_trigger'::regclass AND d.objoid = tg.oid \
          AND d.objsubid = 0 \
     WHERE NOT tg.tgisinternal AND c.relkind IN ('r', 'p', 'f', 'v') AND ",
    share!("tg.tgrelid"),
    " AND ",
    in_user_namespace!("c.relnamespace"),
    " AND ",
    not_extension!("pg_class", "c.oid"),
    " ORDER BY tg.tgrelid, tg.tgname"
);

/// Triggers into their tables' (or views') `triggers`. `relation_names`
/// holds the tables and the views.
pub(super) fn build_triggers(
    rows: &[Row],
    schema: &mut Schema,
    table_names: &HashMap<u32, (String, String)>,
) -> Result<(), InspectError> {
    const STEP: &str = "triggers";
    let bad = |reason: String| InspectError::Catalog { step: STEP, reason };
    for row in rows {
        let relid: u32 = get(row, 0, STEP)?;
        let Some((ns, table)) = table_names.get(&relid) else {
            continue;
        };
        let name: String = get(row, 1, STEP)?;
        let object = || {
            format!(
                "trigger {} on {}.{}",
                quote_ident(&name),
                quote_ident(ns),
                quote_ident(table)
            )
        };
        let cloned: bool = get(row, 19, STEP)?;
        if cloned {
            return Err(unsupported(
                &object(),
                "a trigger cloned from its partitioned parent's".to_string(),
                "strata does not model the triggers a partitioned table clones to its \
                 partitions yet (replay refuses partitions of a table with triggers): inspect \
                 the other namespaces only (--namespace)",
            ));
        }
        let tgtype: i32 = get(row, 2, STEP)?;
        let update_of: Vec<String> = get(row, 3, STEP)?;
        let nargs: i32 = get(row, 4, STEP)?;
        let raw_args: Vec<u8> = get(row, 5, STEP)?;
        let enabled: String = get(row, 6, STEP)?;
        let is_constraint: bool = get(row, 7, STEP)?;
        let deferrable: bool = get(row, 8, STEP)?;
        let initially_deferred: bool = get(row, 9, STEP)?;
        let ref_ns: Option<String> = get(row, 10, STEP)?;
        let ref_table: Option<String> = get(row, 11, STEP)?;
        let old_table: Option<String> = get(row, 12, STEP)?;
        let new_table: Option<String> = get(row, 13, STEP)?;
        let function_schema: String = get(row, 14, STEP)?;
        let function: String = get(row, 15, STEP)?;
        let has_when: bool = get(row, 16, STEP)?;
        let definition: String = get(row, 17, STEP)?;
        let comment: Option<String> = get(row, 18, STEP)?;
        // tgtype bits (trigger.h): ROW 1, BEFORE 2, INSERT 4, DELETE 8,
        // UPDATE 16, TRUNCATE 32, INSTEAD 64.
        let timing = if tgtype & 2 != 0 {
            TriggerTiming::Before
        } else if tgtype & 64 != 0 {
            TriggerTiming::InsteadOf
        } else {
            TriggerTiming::After
        };
        let events = TriggerEvents {
            insert: tgtype & 4 != 0,
            delete: tgtype & 8 != 0,
            update: tgtype & 16 != 0,
            update_of,
            truncate: tgtype & 32 != 0,
        };
        let mut arguments = Vec::new();
        let mut rest: &[u8] = &raw_args;
        for _ in 0..nargs {
            let end = rest
                .iter()
                .position(|b| *b == 0)
                .ok_or_else(|| bad(format!("{}: tgargs shorter than tgnargs", object())))?;
            let text = std::str::from_utf8(&rest[..end])
                .map_err(|e| bad(format!("{}: an argument is not UTF-8: {e}", object())))?;
            arguments.push(text.to_string());
            rest = &rest[end + 1..];
        }
        let enabled = match enabled.as_str() {
            "O" => TriggerEnabled::Origin,
            "D" => TriggerEnabled::Disabled,
            "R" => TriggerEnabled::Replica,
            "A" => TriggerEnabled::Always,
            other => return Err(bad(format!("{}: unknown tgenabled {other:?}", object()))),
        };
        let when = if has_when {
            Some(Expression::from_server(
                when_of_triggerdef(&definition)
                    .ok_or_else(|| bad(format!("{}: no WHEN (…) in {definition:?}", object())))?,
            ))
        } else {
            None
        };
        let trigger = Trigger {
            timing,
            events,
            for_each_row: tgtype & 1 != 0,
            when,
            function_schema,
            function,
            arguments,
            old_table,
            new_table,
            constraint: is_constraint.then(|| ConstraintTrigger {
                referenced: ref_ns.zip(ref_table),
                deferrable,
                initially_deferred,
            }),
            enabled,
            comment,
            definition,
            when_columns: Vec::new(),
        };
        if let Some(n) = schema.namespaces.get_mut(ns) {
            if let Some(t) = n.tables.get_mut(table) {
                t.triggers.insert(name, Box::new(trigger));
            } else if let Some(v) = n.views.get_mut(table) {
                v.triggers.insert(name, Box::new(trigger));
            }
        }
    }
    Ok(())
}

/// The condition inside `WHEN (…)` of a `pg_get_triggerdef` text: the
/// parenthesised group after ` FOR EACH ROW|STATEMENT WHEN ` (string literals and
/// quoted names skipped while matching).
pub(super) fn when_of_triggerdef(def: &str) -> Option<String> {
    let start = [" FOR EACH ROW WHEN (", " FOR EACH STATEMENT WHEN ("]
        .iter()
        .filter_map(|m| def.find(m).map(|i| i + m.len()))
        .min()?;
    let bytes = def.as_bytes();
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            q @ (b'\'' | b'"') => {
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == q {
                        if bytes.get(i + 1) == Some(&q) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
            }
            b'(' => depth += 1,
            b')' if depth == 0 => return Some(def[start..i].to_string()),
            b')' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Policies into their tables' [`Table::policies`].
pub(super) fn build_policies(rows: &[Row], schema: &mut Schema) -> Result<(), InspectError> {
    const STEP: &str = "policies";
    let bad = |reason: String| InspectError::Catalog { step: STEP, reason };
    for row in rows {
        let namespace: String = get(row, 0, STEP)?;
        let table: String = get(row, 1, STEP)?;
        let name: String = get(row, 2, STEP)?;
        let object = || {
            format!(
                "policy {} on {}.{}",
                quote_ident(&name),
                quote_ident(&namespace),
                quote_ident(&table)
            )
        };
        let polcmd: String = get(row, 3, STEP)?;
        let command = PolicyCommand::from_polcmd(&polcmd)
            .ok_or_else(|| bad(format!("{}: unknown polcmd {polcmd:?}", object())))?;
        let permissive: bool = get(row, 4, STEP)?;
        let roles: Vec<Option<String>> = get(row, 5, STEP)?;
        let roles = roles
            .into_iter()
            .map(|r| r.ok_or_else(|| bad(format!("{}: a role that does not exist", object()))))
            .collect::<Result<_, _>>()?;
        let using: Option<String> = get(row, 6, STEP)?;
        let with_check: Option<String> = get(row, 7, STEP)?;
        let comment: Option<String> = get(row, 8, STEP)?;
        let Some(t) = schema
            .namespaces
            .get_mut(&namespace)
            .and_then(|n| n.tables.get_mut(&table))
        else {
            return Err(bad(format!(
                "{}: on a relation strata did not read",
                object()
            )));
        };
        t.policies.insert(
            name,
            Policy {
                command,
                permissive,
                roles,
                using: using.map(Expression::from_server),
                with_check: with_check.map(Expression::from_server),
                comment,
            },
        );
    }
    Ok(())
}
