//! Sequences: create, drop, alter, comment, and the column that owns them.

use std::collections::BTreeSet;

use super::{hz, k_col, k_ns, k_rel, k_seq, k_table, step, Builder, P_COMMENT, P_DROP, P_TYPE};
use crate::ddl::{comment_on_sql, sequence_sql};
use crate::model::{qualified_sql, quote_ident, ObjectKind, ObjectPath};
use crate::plan::hazard::Hazard;
use crate::plan::order::Draft;

impl<'a> Builder<'a> {
    pub(super) fn sequences(&mut self) {
        let mut names: BTreeSet<(String, String)> = BTreeSet::new();
        for s in [&self.a, self.b] {
            for (ns, n) in &s.namespaces {
                for q in n.sequences.keys() {
                    names.insert((ns.clone(), q.clone()));
                }
            }
        }
        for (ns, name) in names {
            let sa = self
                .a
                .namespaces
                .get(&ns)
                .and_then(|n| n.sequences.get(&name))
                .cloned();
            let sb = self
                .b
                .namespaces
                .get(&ns)
                .and_then(|n| n.sequences.get(&name))
                .cloned();
            let path = ObjectPath::new(ObjectKind::Sequence, &ns, &name);
            let q = qualified_sql(&ns, &name);
            match (sa, sb) {
                (None, Some(sb)) => {
                    let mut stmts = vec![sequence_sql(&ns, &name, &sb)];
                    stmts.extend(comment_on_sql("SEQUENCE", &q, sb.comment.as_deref(), false));
                    let mut d = Draft::new(step(path.clone(), "create sequence", stmts), P_TYPE);
                    d.requires.push(k_ns(&ns));
                    d.provides.push(k_seq(&ns, &name));
                    d.provides.push(k_rel(&ns, &name));
                    self.push(d);
                    if let Some((t, c)) = &sb.owned_by {
                        self.owned_by(&ns, &name, None, Some((t, c)));
                    }
                }
                (Some(sa), None) => {
                    // A sequence owned by a column that goes is dropped with it.
                    let owner_goes = sa.owned_by.as_ref().is_some_and(|(t, c)| {
                        self.b.table(&ns, t).is_none_or(|tb| tb.column(c).is_none())
                    });
                    if owner_goes {
                        continue;
                    }
                    let mut d = Draft::new(
                        step(path, "drop sequence", vec![format!("DROP SEQUENCE {q}")]),
                        P_DROP,
                    );
                    d.drops.push(k_seq(&ns, &name));
                    d.drops.push(k_rel(&ns, &name));
                    d.releases.push(k_ns(&ns));
                    self.push(d);
                }
                (Some(sa), Some(sb)) => {
                    let mut opts = Vec::new();
                    if sa.data_type != sb.data_type
                        || sa.min_value != sb.min_value
                        || sa.max_value != sb.max_value
                    {
                        opts.push(format!("AS {}", sb.data_type));
                        opts.push(format!("MINVALUE {}", sb.min_value));
                        opts.push(format!("MAXVALUE {}", sb.max_value));
                    }
                    if sa.increment != sb.increment {
                        opts.push(format!("INCREMENT BY {}", sb.increment));
                    }
                    if sa.start != sb.start {
                        opts.push(format!("START WITH {}", sb.start));
                    }
                    if sa.cache != sb.cache {
                        opts.push(format!("CACHE {}", sb.cache));
                    }
                    if sa.cycle != sb.cycle {
                        opts.push(if sb.cycle { "CYCLE" } else { "NO CYCLE" }.to_string());
                    }
                    if !opts.is_empty() {
                        let mut s = step(
                            path.clone(),
                            "alter sequence",
                            vec![format!("ALTER SEQUENCE {q} {}", opts.join(" "))],
                        );
                        if sa.max_value > sb.max_value || sa.min_value < sb.min_value {
                            s.hazards.push(hz(
                                Hazard::MayFail,
                                "fails if the sequence's current value is outside the new range",
                            ));
                        }
                        let mut d = Draft::new(s, P_TYPE);
                        d.provides.push(k_seq(&ns, &name));
                        self.push(d);
                    }
                    if sa.owned_by != sb.owned_by {
                        let old = sa.owned_by.as_ref().map(|(t, c)| (t.as_str(), c.as_str()));
                        let new = sb.owned_by.as_ref().map(|(t, c)| (t, c));
                        self.owned_by(&ns, &name, old, new);
                    }
                    if sa.comment != sb.comment {
                        let stmts: Vec<String> =
                            comment_on_sql("SEQUENCE", &q, sb.comment.as_deref(), true)
                                .into_iter()
                                .collect();
                        let mut d = Draft::new(step(path, "comment on sequence", stmts), P_COMMENT);
                        d.requires.push(k_seq(&ns, &name));
                        self.push(d);
                    }
                }
                (None, None) => {}
            }
        }
    }

    fn owned_by(
        &mut self,
        ns: &str,
        name: &str,
        old: Option<(&str, &str)>,
        new: Option<(&String, &String)>,
    ) {
        let target = match new {
            Some((t, c)) => format!("{}.{}", qualified_sql(ns, t), quote_ident(c)),
            None => "NONE".to_string(),
        };
        let mut d = Draft::new(
            step(
                ObjectPath::new(ObjectKind::Sequence, ns, name),
                "set sequence owner",
                vec![format!(
                    "ALTER SEQUENCE {} OWNED BY {target}",
                    qualified_sql(ns, name)
                )],
            ),
            P_COMMENT,
        );
        d.requires.push(k_seq(ns, name));
        if let Some((t, c)) = new {
            d.requires.push(k_table(ns, t));
            d.requires.push(k_col(ns, t, c));
        }
        if let Some((t, c)) = old {
            d.releases.push(k_col(ns, t, c));
            d.releases.push(k_table(ns, t));
        }
        self.push(d);
    }
}
