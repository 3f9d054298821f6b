//! Rewrite rules (`pg_rewrite`, not views' `_RETURN`): read with the
//! objects kept by name (one branch of the unmanaged objects' query, its
//! `detail` column: `ev_type`, `is_instead`, `pg_get_ruledef`, the comment,
//! the relation's kind), built onto their table or view. The condition and
//! the actions are the parts of `pg_get_ruledef`'s text after `WHERE` and
//! after `DO [INSTEAD]`, exactly as the server prints them.

use strata_core::model::{qualified, Expression, Rule, RuleEvent, Schema, TriggerEnabled};
use strata_core::split;
use tokio_postgres::Row;

use super::*;

/// The rules' branch of the unmanaged objects' query.
macro_rules! rules_branch {
    () => {
        concat!(
            "SELECT 'rule', n.nspname::text, c.relname::text, r.rulename::text, NULL::text, \
                    r.ev_enabled::text, \
                    ARRAY[r.ev_type::text, r.is_instead::text, pg_get_ruledef(r.oid), \
                          obj_description(r.oid, 'pg_rewrite'), c.relkind::text] \
             FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE r.rulename <> '_RETURN' AND ",
            user_namespace!(),
            " AND ",
            not_extension_probe!("pg_class", "c.oid")
        )
    };
}

/// One row of the rules' branch onto its relation.
pub(super) fn build_rule(
    row: &Row,
    schema: &mut Schema,
    step: &'static str,
) -> Result<(), InspectError> {
    let ns: String = get(row, 1, step)?;
    let rel: String = get(row, 2, step)?;
    let name: String = get(row, 3, step)?;
    let state: String = get(row, 5, step)?;
    let detail: Vec<Option<String>> = get(row, 6, step)?;
    let at = |i: usize| detail.get(i).cloned().flatten();
    let object = format!("rule {} on {}", quote_ident(&name), qualified(&ns, &rel));
    let enabled = match state.as_str() {
        "O" => TriggerEnabled::Origin,
        "D" => TriggerEnabled::Disabled,
        "R" => TriggerEnabled::Replica,
        "A" => TriggerEnabled::Always,
        other => {
            return Err(unsupported(
                &object,
                format!("the enabled state {other:?}"),
                "strata reads the states O, D, R and A",
            ))
        }
    };
    let event = at(0)
        .as_deref()
        .and_then(RuleEvent::from_ev_type)
        .ok_or_else(|| InspectError::Catalog {
            step,
            reason: format!("{object}: unknown ev_type {:?}", at(0)),
        })?;
    if event == RuleEvent::Select {
        return Err(unsupported(
            &object,
            "an ON SELECT rule".to_string(),
            "strata models views, not ON SELECT rules of other names",
        ));
    }
    let instead = at(1).as_deref() == Some("true");
    let def = at(2).unwrap_or_default();
    let (condition, actions) = split_ruledef(&def).ok_or_else(|| InspectError::Catalog {
        step,
        reason: format!("{object}: cannot read pg_get_ruledef's text {def:?}"),
    })?;
    let rule = Rule {
        event,
        instead,
        condition: condition.map(Expression::from_server),
        actions: Expression::from_server(actions),
        enabled,
        comment: at(3),
        reads: None,
        idents: Default::default(),
        row_columns: Default::default(),
        columns: Default::default(),
        derived: Default::default(),
    };
    let n = schema.namespaces.entry(ns.clone()).or_default();
    let rules = match at(4).as_deref() {
        Some("r" | "p") => n.tables.get_mut(&rel).map(|t| &mut t.rules),
        Some("v") => n.views.get_mut(&rel).map(|v| &mut v.rules),
        _ => None,
    };
    let Some(rules) = rules else {
        return Err(unsupported(
            &object,
            "a rule on a relation strata does not model".to_string(),
            "inspect other namespaces only",
        ));
    };
    rules.insert(name, rule);
    Ok(())
}

/// `pg_get_ruledef`'s text cut into the condition (after a `WHERE` at the
/// top level, before `DO`) and the actions (after `DO [INSTEAD]`, without
/// the final `;`).
fn split_ruledef(def: &str) -> Option<(Option<String>, String)> {
    let tokens = split::tokens(def);
    let mut depth = 0usize;
    let mut to = None;
    let mut where_at = None;
    let mut do_at = None;
    for (i, t) in tokens.iter().enumerate() {
        if t.is_symbol(def, "(") {
            depth += 1;
        } else if t.is_symbol(def, ")") {
            depth = depth.saturating_sub(1);
        } else if depth == 0 {
            if to.is_none() && t.is_keyword(def, "TO") {
                to = Some(i);
            } else if to.is_some() && where_at.is_none() && t.is_keyword(def, "WHERE") {
                where_at = Some(i);
            } else if to.is_some() && t.is_keyword(def, "DO") {
                do_at = Some(i);
                break;
            }
        }
    }
    let do_at = do_at?;
    let condition = where_at.map(|w| {
        def[tokens[w].range().end..tokens[do_at].range().start]
            .trim()
            .to_string()
    });
    let mut start = tokens[do_at].range().end;
    if tokens
        .get(do_at + 1)
        .is_some_and(|t| t.is_keyword(def, "INSTEAD"))
    {
        start = tokens[do_at + 1].range().end;
    }
    let actions = strata_core::analyze::rule::actions_text(&def[start..]);
    Some((condition, actions))
}

#[cfg(test)]
mod tests {
    use super::split_ruledef;

    #[test]
    fn ruledef_parts() {
        let (c, a) = split_ruledef(
            "CREATE RULE r1 AS\n    ON INSERT TO public.t\n   WHERE (new.a > 0) DO INSTEAD  INSERT INTO t2 (x, y)\n  VALUES (new.a, new.b);",
        )
        .unwrap();
        assert_eq!(c.as_deref(), Some("(new.a > 0)"));
        assert_eq!(a, "INSERT INTO t2 (x, y)\n  VALUES (new.a, new.b)");
        let (c, a) =
            split_ruledef("CREATE RULE \"do\" AS\n    ON DELETE TO public.\"where\" DO NOTHING;")
                .unwrap();
        assert_eq!(c, None);
        assert_eq!(a, "NOTHING");
    }
}
