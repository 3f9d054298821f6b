//! `COMMENT ON` (`comment.c`).

use crate::model::{ObjectKind, ObjectPath, Unmanaged};
use crate::parse::CommentTarget;

use super::{
    display_q, err, help, Replayer, FEATURE_NOT_SUPPORTED, R, UNDEFINED_COLUMN, UNDEFINED_OBJECT,
    UNDEFINED_TABLE,
};

impl Replayer {
    pub(super) fn comment(&mut self, target: CommentTarget, text: Option<String>) -> R<()> {
        let target_kind = match &target {
            CommentTarget::Table(_) => Some(false),
            CommentTarget::ForeignTable(_) => Some(true),
            _ => None,
        };
        match target {
            CommentTarget::Policy { name, table } => {
                self.comment_policy(name, table, text)?;
            }
            CommentTarget::Routine(kind, target) => {
                self.comment_routine(kind, target, text)?;
            }
            CommentTarget::Table(q) | CommentTarget::ForeignTable(q) => {
                let foreign = matches!(target_kind, Some(true));
                let ns = self.table_ns(&q)?;
                let is_foreign = self
                    .table(&ns, &q.name)
                    .is_some_and(|t| t.foreign.is_some());
                if foreign != is_foreign {
                    return Err(err(
                        super::WRONG_OBJECT_TYPE,
                        format!(
                            "\"{}\" is not a {}table",
                            q.name,
                            if foreign { "foreign " } else { "" }
                        ),
                    ));
                }
                self.table_mut(&ns, &q.name).comment = text;
                self.touch(ObjectPath::new(ObjectKind::Table, &ns, &q.name));
            }
            CommentTarget::Column(q, col)
                if self.find_table(&q).is_none() && self.find_composite(&q).is_some() =>
            {
                let ns = self.find_composite(&q).expect("found");
                let c = self.ns_mut(&ns).composites.get_mut(&q.name).expect("found");
                let Some(a) = c.attributes.iter_mut().find(|a| a.name == col) else {
                    return Err(err(
                        UNDEFINED_COLUMN,
                        format!("column \"{col}\" of relation \"{}\" does not exist", q.name),
                    ));
                };
                a.comment = text;
                self.touch(ObjectPath::new(ObjectKind::Type, &ns, &q.name));
            }
            CommentTarget::View { name, materialized } => {
                self.comment_view(name, materialized, text)?;
            }
            CommentTarget::Column(q, col) => {
                if self.find_table(&q).is_none()
                    && self.comment_view_column(&q, &col, text.clone())?
                {
                    return Ok(());
                }
                let ns = self.table_ns(&q)?;
                let t = self.table_mut(&ns, &q.name);
                let Some(c) = t.column_mut(&col) else {
                    return Err(err(
                        UNDEFINED_COLUMN,
                        format!("column \"{col}\" of relation \"{}\" does not exist", q.name),
                    ));
                };
                c.comment = text.map(Into::into);
                self.touch(ObjectPath::in_table(ObjectKind::Column, &ns, &q.name, &col));
            }
            CommentTarget::Index(q) => {
                if self.find_index(&q).is_none() {
                    if let Some(ns) = self.find_view_index_ns(&q) {
                        let v = self.view_index_owner(&ns, &q.name).expect("found");
                        if let Some(i) = self
                            .ns_mut(&ns)
                            .views
                            .get_mut(&v)
                            .and_then(|v| v.indexes.get_mut(&q.name))
                        {
                            i.comment = text;
                        }
                        return Ok(());
                    }
                }
                let Some((ns, t, is_constraint)) = self.find_index(&q) else {
                    return Err(err(
                        UNDEFINED_TABLE,
                        format!("relation \"{}\" does not exist", display_q(&q)),
                    ));
                };
                if is_constraint {
                    // The comment is on the index, which strata does not
                    // model apart from its constraint: refused, not dropped.
                    return Err(help(
                        err(
                            FEATURE_NOT_SUPPORTED,
                            format!(
                                "a comment on index \"{}\", which backs a constraint, is not supported yet",
                                q.name
                            ),
                        ),
                        "comment on the constraint instead (COMMENT ON CONSTRAINT … ON table), or mark the statement with `-- strata:ignore`",
                    ));
                }
                if let Some(i) = self.table_mut(&ns, &t).indexes.get_mut(&q.name) {
                    i.comment = text;
                }
                self.touch(ObjectPath::in_table(ObjectKind::Index, &ns, &t, &q.name));
            }
            CommentTarget::Sequence(q) => {
                let Some(ns) = self.find_sequence(&q) else {
                    return Err(err(
                        UNDEFINED_TABLE,
                        format!("relation \"{}\" does not exist", display_q(&q)),
                    ));
                };
                if let Some(s) = self.ns_mut(&ns).sequences.get_mut(&q.name) {
                    s.comment = text;
                }
            }
            CommentTarget::Type(q) => {
                if let Some(ns) = self.find_enum(&q) {
                    if let Some(e) = self.ns_mut(&ns).enums.get_mut(&q.name) {
                        e.comment = text;
                    }
                    self.touch(ObjectPath::new(ObjectKind::Enum, &ns, &q.name));
                } else if let Some(ns) = self.find_domain(&q) {
                    if let Some(d) = self.ns_mut(&ns).domains.get_mut(&q.name) {
                        d.comment = text;
                    }
                    self.touch(ObjectPath::new(ObjectKind::Domain, &ns, &q.name));
                } else if let Some(ns) = self.find_composite(&q) {
                    if let Some(c) = self.ns_mut(&ns).composites.get_mut(&q.name) {
                        c.comment = text;
                    }
                    self.touch(ObjectPath::new(ObjectKind::Type, &ns, &q.name));
                } else if let Some(ns) = self.find_range(&q) {
                    if let Some(r) = self.ns_mut(&ns).ranges.get_mut(&q.name) {
                        r.comment = text;
                    }
                    self.touch(ObjectPath::new(ObjectKind::Range, &ns, &q.name));
                } else if self
                    .candidate_ns(&q)
                    .iter()
                    .any(|n| self.is_multirange(n, &q.name))
                {
                    // pg_dump does not write it, and strata keeps none.
                    return Err(help(
                        err(
                            FEATURE_NOT_SUPPORTED,
                            format!(
                                "a comment on multirange type \"{}\" is not supported (pg_dump does not keep it either)",
                                display_q(&q)
                            ),
                        ),
                        "comment on the range type instead",
                    ));
                } else if self.find_table(&q).is_some() {
                    // A table's row type: the server keeps the comment on
                    // the pg_type row, which strata does not model.
                    return Err(help(
                        err(
                            FEATURE_NOT_SUPPORTED,
                            format!(
                                "a comment on the row type of table \"{}\" is not supported yet",
                                display_q(&q)
                            ),
                        ),
                        "comment on the table instead (COMMENT ON TABLE), or mark the statement with `-- strata:ignore`",
                    ));
                } else if !self
                    .candidate_ns(&q)
                    .iter()
                    .any(|n| self.type_exists_in(n, &q.name))
                {
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!("type \"{}\" does not exist", display_q(&q)),
                    ));
                }
            }
            CommentTarget::Schema(s) => {
                let Some(n) = self.schema.namespaces.get_mut(&s) else {
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!("schema \"{s}\" does not exist"),
                    ));
                };
                n.comment = text;
                self.touch(ObjectPath::new(ObjectKind::Namespace, "", &s));
            }
            CommentTarget::Extension(e) => {
                if !self.schema.extensions.contains_key(&e) {
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!("extension \"{e}\" does not exist"),
                    ));
                }
            }
            CommentTarget::Constraint { name, table } => {
                let ns = self.table_ns(&table)?;
                let t = self.table_mut(&ns, &table.name);
                let Some(c) = t.constraints.get_mut(&name) else {
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!(
                            "constraint \"{name}\" for table \"{}\" does not exist",
                            table.name
                        ),
                    ));
                };
                c.comment = text;
                self.touch(ObjectPath::in_table(
                    ObjectKind::Constraint,
                    &ns,
                    &table.name,
                    &name,
                ));
            }
            CommentTarget::Collation(q) => {
                let Some(ns) = self.find_collation(&q) else {
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!(
                            "collation \"{}\" for encoding \"UTF8\" does not exist",
                            display_q(&q)
                        ),
                    ));
                };
                self.ns_mut(&ns)
                    .collations
                    .get_mut(&q.name)
                    .expect("found")
                    .comment = text;
                self.touch(ObjectPath::new(ObjectKind::Collation, &ns, &q.name));
            }
            CommentTarget::Statistics(q) => self.comment_on_statistics(&q, text)?,
            CommentTarget::EventTrigger(name) => self.comment_on_event_trigger(&name, text)?,
            CommentTarget::ForeignServer(name) => self.comment_on_server(&name, text)?,
            CommentTarget::ForeignDataWrapper(name) => self.comment_on_wrapper(&name, text)?,
            CommentTarget::Domain(q) => {
                let ns = self.domain_ns(&q)?;
                self.ns_mut(&ns)
                    .domains
                    .get_mut(&q.name)
                    .expect("found")
                    .comment = text;
                self.touch(ObjectPath::new(ObjectKind::Domain, &ns, &q.name));
            }
            CommentTarget::DomainConstraint { name, domain } => {
                let ns = self.domain_ns(&domain)?;
                let d = self
                    .ns_mut(&ns)
                    .domains
                    .get_mut(&domain.name)
                    .expect("found");
                let Some(c) = d.checks.get_mut(&name) else {
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!(
                            "constraint \"{name}\" for domain {} does not exist",
                            domain.name
                        ),
                    ));
                };
                c.comment = text;
                self.touch(ObjectPath::new(ObjectKind::Domain, &ns, &domain.name));
            }
            CommentTarget::Unmanaged(kind, name) => {
                let name = self.qualify_unmanaged(kind, &name);
                if !self.schema.unmanaged.contains(&Unmanaged {
                    kind,
                    name: name.clone(),
                }) {
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!("{} {name} does not exist", kind.label()),
                    ));
                }
            }
            CommentTarget::Trigger { name, table } => {
                self.comment_trigger(name, table, text)?;
            }
            CommentTarget::Publication(name) => self.comment_publication(&name, text)?,
            CommentTarget::Rule { name, table } => {
                self.comment_rule(name, table, text)?;
            }
            CommentTarget::Operator(target) => self.comment_operator(target, text)?,
            CommentTarget::Aggregate(target) => self.comment_aggregate(target, text)?,
            CommentTarget::Other(_) => {}
        }
        Ok(())
    }
}
