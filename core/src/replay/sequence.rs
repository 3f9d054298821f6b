//! `CREATE` / `ALTER` / `DROP SEQUENCE` and `OWNED BY` (`sequence.c`), and
//! the sequence options identity columns share.

use crate::model::{qualified, ObjectKind, ObjectPath, Sequence};
use crate::parse::{QName, SeqOptions};

use super::{
    display_q, err, help, Replayer, DEPENDENT_OBJECTS, DUPLICATE_TABLE, INVALID_OBJECT_DEFINITION,
    INVALID_PARAMETER, R, UNDEFINED_COLUMN, UNDEFINED_TABLE,
};

impl Replayer {
    /// `CREATE SEQUENCE`.
    pub(super) fn create_sequence(
        &mut self,
        name: QName,
        if_not_exists: bool,
        options: SeqOptions,
    ) -> R<()> {
        let ns = self.creation_ns(&name)?;
        if self.relation_taken(&ns, &name.name) {
            if if_not_exists {
                return Ok(());
            }
            return Err(err(
                DUPLICATE_TABLE,
                format!("relation \"{}\" already exists", name.name),
            ));
        }
        let mut seq = Sequence::with_defaults(options.data_type.as_deref().unwrap_or("bigint"));
        apply_seq_options(&mut seq, &options, true)?;
        if let Some(Some((tq, col))) = &options.owned_by {
            seq.owned_by = Some(self.check_owned_by(&ns, tq, col)?);
        }
        seq.acl = self.initial_acl(crate::model::DefaultAclObject::Sequences, Some(&ns));
        seq.owner = self.creator();
        self.ns_mut(&ns).sequences.insert(name.name.clone(), seq);
        self.touch(ObjectPath::new(ObjectKind::Sequence, &ns, &name.name));
        Ok(())
    }

    /// `ALTER SEQUENCE`.
    pub(super) fn alter_sequence(
        &mut self,
        name: QName,
        if_exists: bool,
        options: SeqOptions,
        rename: Option<String>,
    ) -> R<()> {
        let Some(ns) = self.find_sequence(&name) else {
            if if_exists {
                return Ok(());
            }
            return Err(err(
                UNDEFINED_TABLE,
                format!("relation \"{}\" does not exist", display_q(&name)),
            ));
        };
        if let Some(new) = rename {
            if self.relation_taken(&ns, &new) {
                return Err(err(
                    DUPLICATE_TABLE,
                    format!("relation \"{new}\" already exists"),
                ));
            }
            let s = self
                .ns_mut(&ns)
                .sequences
                .remove(&name.name)
                .expect("found above");
            self.ns_mut(&ns).sequences.insert(new.clone(), s);
            self.rename_in_defaults(&ns, &name.name, &new);
            self.touch(ObjectPath::new(ObjectKind::Sequence, &ns, &new));
            return Ok(());
        }
        let owned = match &options.owned_by {
            Some(Some((tq, col))) => Some(Some(self.check_owned_by(&ns, tq, col)?)),
            Some(None) => Some(None),
            None => None,
        };
        let seq = self
            .ns_mut(&ns)
            .sequences
            .get_mut(&name.name)
            .expect("found above");
        apply_seq_options(seq, &options, false)?;
        if let Some(o) = owned {
            seq.owned_by = o;
        }
        self.touch(ObjectPath::new(ObjectKind::Sequence, &ns, &name.name));
        Ok(())
    }

    /// `DROP SEQUENCE`.
    pub(super) fn drop_sequence(
        &mut self,
        names: Vec<QName>,
        if_exists: bool,
        cascade: bool,
    ) -> R<()> {
        for q in names {
            let Some(ns) = self.find_sequence(&q) else {
                if if_exists {
                    continue;
                }
                return Err(err(
                    UNDEFINED_TABLE,
                    format!("sequence \"{}\" does not exist", display_q(&q)),
                ));
            };
            let users = self.columns_defaulting_to_sequence(&ns, &q.name);
            if !users.is_empty() {
                if !cascade {
                    return Err(help(
                        err(
                            DEPENDENT_OBJECTS,
                            format!(
                                "cannot drop sequence {} because other objects depend on it (default value for column {} of table {})",
                                qualified(&ns, &q.name),
                                users[0].2,
                                users[0].1
                            ),
                        ),
                        "drop the column defaults first, or use DROP SEQUENCE … CASCADE",
                    ));
                }
                for (uns, ut, uc) in users {
                    if let Some(c) = self.table_mut(&uns, &ut).column_mut(&uc) {
                        c.default = None;
                    }
                }
            }
            self.ns_mut(&ns).sequences.remove(&q.name);
        }
        Ok(())
    }

    fn check_owned_by(&self, seq_ns: &str, tq: &QName, col: &str) -> R<(String, String)> {
        let tns = self.table_ns(tq)?;
        if tns != seq_ns {
            return Err(err(
                INVALID_OBJECT_DEFINITION,
                "sequence must be in same schema as table it is linked to",
            ));
        }
        let t = self.table(&tns, &tq.name).expect("resolved");
        if t.column(col).is_none() {
            return Err(err(
                UNDEFINED_COLUMN,
                format!(
                    "column \"{col}\" of relation \"{}\" does not exist",
                    tq.name
                ),
            ));
        }
        Ok((tq.name.clone(), col.to_string()))
    }

    fn columns_defaulting_to_sequence(&self, ns: &str, seq: &str) -> Vec<(String, String, String)> {
        let needle = nextval_of(ns, seq);
        let mut v = Vec::new();
        for (nsn, n) in &self.schema.namespaces {
            for (tn, t) in &n.tables {
                for c in &t.columns {
                    if c.default.as_ref().is_some_and(|d| {
                        d.sql.contains(&needle) || d.exact().is_some_and(|t| t.contains(&needle))
                    }) {
                        v.push((nsn.clone(), tn.clone(), c.name.clone()));
                    }
                }
            }
        }
        v
    }

    fn rename_in_defaults(&mut self, ns: &str, old: &str, new: &str) {
        let from = nextval_of(ns, old);
        let to = nextval_of(ns, new);
        self.each_expression(|e| crate::expression::replace_in_server_text(e, &from, &to));
    }
}

fn nextval_of(ns: &str, seq: &str) -> String {
    format!(
        "nextval({}::regclass)",
        crate::model::quote_literal(&qualified(ns, seq))
    )
}

pub(super) fn apply_seq_options(seq: &mut Sequence, o: &SeqOptions, creating: bool) -> R<()> {
    if let Some(t) = &o.data_type {
        if !matches!(t.as_str(), "smallint" | "integer" | "bigint") {
            return Err(err(
                INVALID_PARAMETER,
                "sequence type must be smallint, integer, or bigint",
            ));
        }
        let old_default_max = Sequence::with_defaults(&seq.data_type).max_value;
        seq.data_type = t.clone();
        if seq.max_value == old_default_max {
            seq.max_value = Sequence::with_defaults(t).max_value;
        }
    }
    if let Some(i) = o.increment {
        if i == 0 {
            return Err(err(INVALID_PARAMETER, "INCREMENT must not be zero"));
        }
        seq.increment = i;
    }
    let type_max = Sequence::with_defaults(&seq.data_type).max_value;
    let type_min = -type_max - 1;
    match o.min_value {
        Some(Some(v)) => seq.min_value = v,
        Some(None) => seq.min_value = if seq.increment > 0 { 1 } else { type_min },
        None if creating => seq.min_value = if seq.increment > 0 { 1 } else { type_min },
        None => {}
    }
    match o.max_value {
        Some(Some(v)) => seq.max_value = v,
        Some(None) => seq.max_value = if seq.increment > 0 { type_max } else { -1 },
        None if creating => seq.max_value = if seq.increment > 0 { type_max } else { -1 },
        None => {}
    }
    if let Some(s) = o.start {
        seq.start = s;
    } else if creating {
        seq.start = if seq.increment > 0 {
            seq.min_value
        } else {
            seq.max_value
        };
    }
    if let Some(c) = o.cache {
        seq.cache = c;
    }
    if let Some(c) = o.cycle {
        seq.cycle = c;
    }
    if seq.min_value >= seq.max_value {
        return Err(err(
            INVALID_PARAMETER,
            format!(
                "MINVALUE ({}) must be less than MAXVALUE ({})",
                seq.min_value, seq.max_value
            ),
        ));
    }
    if seq.start < seq.min_value || seq.start > seq.max_value {
        return Err(err(
            INVALID_PARAMETER,
            format!(
                "START value ({}) cannot be outside the sequence's bounds",
                seq.start
            ),
        ));
    }
    Ok(())
}
