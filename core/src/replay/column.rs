//! Columns: `ADD`, `DROP`, `RENAME` and `ALTER COLUMN` (the column half of
//! `tablecmds.c`).

use crate::model::{
    qualified, quote_ident, Column, ConstraintKind, IndexKeyExpr, ObjectKind, ObjectPath, Sequence,
};
use crate::parse::{ColumnDef, ColumnOp, ConstraintDef, SeqOptions};

use super::constraint::constraint_uses;
use super::index::{index_uses, rename_in_index};
use super::sequence::apply_seq_options;
use super::{
    err, help, Replayer, DUPLICATE_COLUMN, FEATURE_NOT_SUPPORTED, INVALID_PARAMETER,
    INVALID_TABLE_DEFINITION, R, SYNTAX_ERROR, UNDEFINED_COLUMN,
};

impl Replayer {
    /// Adds a column; returns its inline constraints for the caller to add.
    pub(super) fn add_column(
        &mut self,
        ns: &str,
        table: &str,
        c: ColumnDef,
        altering: bool,
    ) -> R<Vec<ConstraintDef>> {
        let t = self.table(ns, table).expect("resolved");
        if t.column(&c.name).is_some() {
            return Err(err(
                DUPLICATE_COLUMN,
                format!(
                    "column \"{}\" of relation \"{table}\" already exists",
                    c.name
                ),
            ));
        }
        if t.columns.len() >= 1600 {
            return Err(err("54011", "tables can have at most 1600 columns"));
        }
        self.check_type(&c.data_type).map_err(|mut e| {
            if e.offset.is_none() {
                (e.offset, e.len) = (Some(c.type_at.0), c.type_at.1);
            }
            e
        })?;
        let data_type = self.resolve_type(&c.data_type);
        if c.generated.is_some() && (c.default.is_some() || c.identity.is_some()) {
            return Err(err(SYNTAX_ERROR, format!("both default and generation expression specified for column \"{}\" of table \"{table}\"", c.name)));
        }
        if c.identity.is_some() && c.default.is_some() {
            return Err(err(
                SYNTAX_ERROR,
                format!(
                    "both default and identity specified for column \"{}\" of table \"{table}\"",
                    c.name
                ),
            ));
        }
        if c.identity.is_some() && !matches!(data_type.as_str(), "smallint" | "integer" | "bigint")
        {
            return Err(err(
                "22023",
                "identity column type must be smallint, integer, or bigint",
            ));
        }
        if !c.fdw_options.is_empty() && t.foreign.is_none() {
            return Err(err(
                super::WRONG_OBJECT_TYPE,
                format!("\"{table}\" is not a foreign table"),
            ));
        }
        let mut col = Column::new(c.name.clone(), data_type.clone());
        col.fdw_options = super::foreign::new_options(c.fdw_options.clone())?;
        col.not_null = c.not_null;
        col.default = c.default.clone();
        col.generated = c.generated.clone().map(Box::new);
        col.collation = c.collation.as_deref().map(Into::into);
        if let Some((kind, opts)) = &c.identity {
            col.identity = Some(*kind);
            col.not_null = true;
            let seq = self.choose_name(
                super::naming::TakenBy::Relation,
                ns,
                table,
                Some(&c.name),
                "seq",
            );
            identity_name_is_the_servers(opts, ns, &seq, self.stmt_offset)?;
            let mut s = Sequence::with_defaults(&data_type);
            apply_seq_options(&mut s, opts, true)?;
            col.identity_options = crate::model::IdentityOptions::canonical(&s);
            self.hidden_relations.insert((ns.to_string(), seq));
        }
        if c.serial {
            let seq_name = self.choose_name(
                super::naming::TakenBy::Relation,
                ns,
                table,
                Some(&c.name),
                "seq",
            );
            let mut s = Sequence::with_defaults(&data_type);
            s.owned_by = Some((table.to_string(), c.name.clone()));
            s.acl = self.initial_acl(crate::model::DefaultAclObject::Sequences, Some(ns));
            // A serial's sequence belongs to the table's owner.
            s.owner = self.schema.namespaces[ns]
                .tables
                .get(table)
                .map(|t| t.owner.clone())
                .unwrap_or_else(|| self.creator());
            self.ns_mut(ns).sequences.insert(seq_name.clone(), s);
            self.touch(ObjectPath::new(ObjectKind::Sequence, ns, &seq_name));
            col.default = Some(crate::model::Expression::from_server(format!(
                "nextval({}::regclass)",
                crate::model::quote_literal(&qualified(ns, &seq_name))
            )));
            col.not_null = true;
        }
        let _ = altering;
        let cname = c.name.clone();
        self.table_mut(ns, table).columns.push(col);
        self.touch(ObjectPath::in_table(ObjectKind::Column, ns, table, &cname));
        Ok(c.constraints)
    }

    /// Drops a column and everything on the table that uses it, as
    /// PostgreSQL does (indexes, constraints, owned sequences).
    pub(super) fn drop_column_inner(&mut self, ns: &str, table: &str, col: &str) {
        let t = self.table_mut(ns, table);
        t.columns.retain(|c| c.name != col);
        t.indexes.retain(|_, i| !index_uses(i, col));
        t.constraints.retain(|_, c| !constraint_uses(&c.kind, col));
        // Policies that read the column go with it (DROP COLUMN … CASCADE).
        for name in super::policy::policies_reading(t, col) {
            t.policies.remove(&name);
        }
        let nsm = self.ns_mut(ns);
        nsm.sequences
            .retain(|_, s| s.owned_by.as_ref() != Some(&(table.to_string(), col.to_string())));
        self.drop_column_statistics(ns, table, col);
    }

    pub(super) fn rename_column(&mut self, ns: &str, table: &str, old: &str, new: &str) {
        self.rename_column_statistics(ns, table, old, new);
        self.rules_after_rename(
            ns,
            table,
            None,
            &format!(
                "column {old} of {} was renamed to {new}",
                crate::model::qualified(ns, table)
            ),
        );
        self.rules_column_renamed(ns, table, old, new);
        self.publications_column_renamed(ns, table, old, new);
        self.demote_views_reading(
            ns,
            table,
            &format!(
                "column {old} of {} was renamed to {new}",
                crate::model::qualified(ns, table)
            ),
        );
        // Views keep using the column under its new name.
        for d in self.view_deps.values_mut() {
            if d.rels
                .as_ref()
                .is_some_and(|r| r.contains(&(ns.to_string(), table.to_string())))
            {
                if d.cols
                    .remove(&(ns.to_string(), table.to_string(), old.to_string()))
                {
                    d.cols
                        .insert((ns.to_string(), table.to_string(), new.to_string()));
                }
                if d.idents.contains(old) {
                    d.idents.insert(new.to_string());
                }
            }
        }
        let t = self.table_mut(ns, table);
        if let Some(c) = t.column_mut(old) {
            c.name = new.to_string();
        }
        for c in t.columns.iter_mut() {
            if let Some(g) = &mut c.generated {
                **g = crate::expression::rename(g, old, new);
            }
        }
        for i in t.indexes.values_mut() {
            rename_in_index(i, old, new);
        }
        // The server keeps a policy's tree and prints the new name.
        for p in t.policies.values_mut() {
            for e in p.using.iter_mut().chain(p.with_check.iter_mut()) {
                *e = crate::expression::rename(e, old, new);
            }
        }
        for c in t.constraints.values_mut() {
            match &mut c.kind {
                ConstraintKind::PrimaryKey { columns, include }
                | ConstraintKind::Unique {
                    columns, include, ..
                } => {
                    rename_in_list(columns, old, new);
                    rename_in_list(include, old, new);
                }
                ConstraintKind::ForeignKey { columns, .. } => rename_in_list(columns, old, new),
                ConstraintKind::Check { expression, .. } => {
                    *expression = crate::expression::rename(expression, old, new)
                }
                ConstraintKind::Exclusion { definition } => {
                    *definition = definition.replace(&quote_ident(old), &quote_ident(new));
                }
            }
        }
        for s in self.ns_mut(ns).sequences.values_mut() {
            if s.owned_by.as_ref() == Some(&(table.to_string(), old.to_string())) {
                s.owned_by = Some((table.to_string(), new.to_string()));
            }
        }
        // Only the tables that name this one can refer to its columns.
        for (rns, rtn) in self.referrers(ns, table) {
            let Some(t) = self.table_mut_if(&rns, &rtn) else {
                continue;
            };
            for c in t.constraints.values_mut() {
                if let ConstraintKind::ForeignKey {
                    ref_namespace,
                    ref_table,
                    ref_columns,
                    ..
                } = &mut c.kind
                {
                    if ref_namespace == ns && ref_table == table {
                        rename_in_list(ref_columns, old, new);
                    }
                }
            }
        }
    }

    pub(super) fn alter_column(&mut self, ns: &str, table: &str, col: &str, op: ColumnOp) -> R<()> {
        let Some(c) = self.table(ns, table).expect("resolved").column(col) else {
            return Err(err(
                UNDEFINED_COLUMN,
                format!("column \"{col}\" of relation \"{table}\" does not exist"),
            ));
        };
        let c = c.clone();
        match op {
            ColumnOp::FdwOptions(changes) => {
                self.check_foreign_action(ns, table, "ALTER COLUMN ... OPTIONS", true)?;
                let mut options = c.fdw_options.clone();
                super::foreign::apply_options(&mut options, &changes)?;
                let t = self.table_mut(ns, table);
                if let Some(col) = t.columns.iter_mut().find(|x| x.name == col) {
                    col.fdw_options = options;
                }
            }
            ColumnOp::SetType {
                data_type,
                collation,
                using: _,
            } => {
                self.check_type(&data_type)?;
                self.check_policies_on_column_retype(ns, table, col)?;
                self.retype_column_triggers(ns, table, col)?;
                if let Some(p) = self.publication_using_column(ns, table, col) {
                    return Err(help(
                        err(
                            FEATURE_NOT_SUPPORTED,
                            "cannot alter type of a column used by a publication WHERE clause",
                        ),
                        format!("publication of table {table} in publication {p} depends on column \"{col}\""),
                    ));
                }
                if let Some(r) = self.rule_using_column(ns, table, col)? {
                    return Err(help(
                        err(
                            FEATURE_NOT_SUPPORTED,
                            "cannot alter type of a column used by a view or rule",
                        ),
                        format!(
                            "{r} depends on column \"{col}\": drop the rule, change the type, and create the rule again"
                        ),
                    ));
                }
                if let Some(u) = self.views_depending_on(ns, table, Some(col))?.first() {
                    return Err(help(
                        err(
                            FEATURE_NOT_SUPPORTED,
                            "cannot alter type of a column used by a view or rule",
                        ),
                        format!(
                            "rule _RETURN on {u} depends on column \"{col}\": drop the view, change the type, and create the view again"
                        ),
                    ));
                }
                if c.generated.is_some() {
                    // Allowed: the expression is re-cast.
                }
                let t = self.table(ns, table).expect("resolved");
                if let Some(g) = t.columns.iter().find(|g| {
                    g.name != col
                        && g.generated
                            .as_ref()
                            .is_some_and(|e| crate::expression::mentions(e, col))
                }) {
                    return Err(err(
                        "0A000",
                        format!(
                            "cannot alter type of a column used by a generated column (column \"{col}\" is used by generated column \"{}\")",
                            g.name
                        ),
                    )
                    .with_hint("drop the generated column first and add it again after the change"));
                }
                let dt = self.resolve_type(&data_type);
                // The identity sequence follows the column's type (as
                // `ALTER SEQUENCE … AS` would).
                let identity_options = match &c.identity_options {
                    Some(o) if c.identity.is_some() => {
                        let mut s =
                            crate::model::IdentityOptions::sequence(Some(&**o), &c.data_type);
                        let to = SeqOptions {
                            data_type: Some(dt.clone()),
                            ..SeqOptions::default()
                        };
                        apply_seq_options(&mut s, &to, false)?;
                        crate::model::IdentityOptions::canonical(&s)
                    }
                    other => other.clone(),
                };
                let t = self.table_mut(ns, table);
                let cc = t.column_mut(col).expect("exists");
                cc.data_type = dt;
                cc.collation = collation.map(Into::into);
                cc.identity_options = identity_options;
                // The server re-reads the default and generation expression
                // against the new type, and re-creates the checks and
                // indexes that read the column from their stored text.
                for e in cc.default.iter_mut().chain(cc.generated.as_deref_mut()) {
                    *e = crate::expression::retyped(e);
                }
                for c in t.columns.iter_mut() {
                    if let Some(g) = c.generated.as_mut() {
                        if crate::expression::mentions(g, col) {
                            **g = crate::expression::retyped(g);
                        }
                    }
                }
                for k in t.constraints.values_mut() {
                    if let ConstraintKind::Check { expression, .. } = &mut k.kind {
                        if crate::expression::mentions(expression, col) {
                            *expression = crate::expression::retyped(expression);
                        }
                    }
                }
                for i in t.indexes.values_mut() {
                    if index_uses(i, col) {
                        for k in i.keys.iter_mut() {
                            if let IndexKeyExpr::Expression(e) = &mut k.key {
                                *e = crate::expression::retyped(e);
                            }
                        }
                        if let Some(p) = i.predicate.as_mut() {
                            *p = crate::expression::retyped(p);
                        }
                    }
                }
                self.retype_column_statistics(ns, table, col);
                self.touch(ObjectPath::in_table(ObjectKind::Column, ns, table, col));
            }
            ColumnOp::SetDefault(e) => {
                if c.generated.is_some() {
                    return Err(err(SYNTAX_ERROR, format!("column \"{col}\" of relation \"{table}\" is a generated column")).with_hint("use ALTER COLUMN … SET EXPRESSION (PostgreSQL 17+) or drop and re-add the column"));
                }
                if c.identity.is_some() {
                    return Err(err(
                        SYNTAX_ERROR,
                        format!("column \"{col}\" of relation \"{table}\" is an identity column"),
                    ));
                }
                self.table_mut(ns, table)
                    .column_mut(col)
                    .expect("exists")
                    .default = Some(e);
            }
            ColumnOp::DropDefault => {
                if c.generated.is_some() {
                    return Err(err(
                        SYNTAX_ERROR,
                        format!("column \"{col}\" of relation \"{table}\" is a generated column"),
                    )
                    .with_hint("use ALTER COLUMN … DROP EXPRESSION"));
                }
                self.table_mut(ns, table)
                    .column_mut(col)
                    .expect("exists")
                    .default = None;
            }
            ColumnOp::SetNotNull => {
                self.table_mut(ns, table)
                    .column_mut(col)
                    .expect("exists")
                    .not_null = true;
            }
            ColumnOp::DropNotNull => {
                let t = self.table(ns, table).expect("resolved");
                let in_pk = t.constraints.values().any(|k| matches!(&k.kind, ConstraintKind::PrimaryKey { columns, .. } if columns.iter().any(|x| x == col)));
                if in_pk {
                    return Err(err(
                        INVALID_TABLE_DEFINITION,
                        format!("column \"{col}\" is in a primary key"),
                    ));
                }
                if c.identity.is_some() {
                    return Err(err(
                        SYNTAX_ERROR,
                        format!("column \"{col}\" of relation \"{table}\" is an identity column"),
                    ));
                }
                self.table_mut(ns, table)
                    .column_mut(col)
                    .expect("exists")
                    .not_null = false;
            }
            ColumnOp::DropExpression { if_exists } => {
                if c.generated.is_none() {
                    if if_exists {
                        return Ok(());
                    }
                    return Err(err(
                        "55000",
                        format!("column \"{col}\" of relation \"{table}\" is not a stored generated column"),
                    ));
                }
                self.table_mut(ns, table)
                    .column_mut(col)
                    .expect("exists")
                    .generated = None;
            }
            ColumnOp::SetExpression(_) => {
                return Err(help(
                    err(SYNTAX_ERROR, "ALTER COLUMN … SET EXPRESSION requires PostgreSQL 17; this history targets PostgreSQL 15"),
                    "drop and re-add the column with the new expression",
                ));
            }
            ColumnOp::AddIdentity(kind, opts) => {
                if c.identity.is_some() {
                    return Err(err("55000", format!("column \"{col}\" of relation \"{table}\" is already an identity column")));
                }
                if c.default.is_some() {
                    return Err(err(
                        "55000",
                        format!(
                            "column \"{col}\" of relation \"{table}\" already has a default value"
                        ),
                    ));
                }
                if !c.not_null {
                    return Err(err("55000", format!("column \"{col}\" of relation \"{table}\" must be declared NOT NULL before identity can be added")));
                }
                let mut s = Sequence::with_defaults(&c.data_type);
                apply_seq_options(&mut s, &opts, true)?;
                let seq = self.choose_name(
                    super::naming::TakenBy::Relation,
                    ns,
                    table,
                    Some(col),
                    "seq",
                );
                identity_name_is_the_servers(&opts, ns, &seq, self.stmt_offset)?;
                self.hidden_relations.insert((ns.to_string(), seq));
                let cc = self.table_mut(ns, table).column_mut(col).expect("exists");
                cc.identity = Some(kind);
                cc.identity_options = crate::model::IdentityOptions::canonical(&s);
            }
            ColumnOp::SetIdentity(kind, opts) => {
                if c.identity.is_none() {
                    return Err(err(
                        "55000",
                        format!(
                            "column \"{col}\" of relation \"{table}\" is not an identity column"
                        ),
                    ));
                }
                let mut s = crate::model::IdentityOptions::sequence(
                    c.identity_options.as_deref(),
                    &c.data_type,
                );
                apply_seq_options(&mut s, &opts, false)?;
                let cc = self.table_mut(ns, table).column_mut(col).expect("exists");
                cc.identity_options = crate::model::IdentityOptions::canonical(&s);
                if let Some(k) = kind {
                    cc.identity = Some(k);
                }
            }
            ColumnOp::DropIdentity { if_exists } => {
                if c.identity.is_none() {
                    if if_exists {
                        return Ok(());
                    }
                    return Err(err(
                        "55000",
                        format!(
                            "column \"{col}\" of relation \"{table}\" is not an identity column"
                        ),
                    ));
                }
                let cc = self.table_mut(ns, table).column_mut(col).expect("exists");
                cc.identity = None;
                cc.identity_options = None;
            }
            ColumnOp::SetStatistics(n) => {
                if n < -1 {
                    return Err(err(
                        INVALID_PARAMETER,
                        format!("statistics target {n} is too low"),
                    ));
                }
                self.table_mut(ns, table)
                    .column_mut(col)
                    .expect("exists")
                    .statistics = (n >= 0).then_some(n.min(10_000));
            }
            ColumnOp::NoOp(_) => return Ok(()),
        }
        self.touch(ObjectPath::in_table(ObjectKind::Column, ns, table, col));
        Ok(())
    }
}

pub(super) fn rename_in_list(v: &mut [String], old: &str, new: &str) {
    for c in v.iter_mut() {
        if c == old {
            *c = new.to_string();
        }
    }
}

/// An identity column's `SEQUENCE NAME` (pg_dump writes it every time) is
/// accepted where it names the sequence PostgreSQL names without it
/// (`chosen`, in the table's schema): the catalog is then the same. Any
/// other name is refused, as strata does not model it.
fn identity_name_is_the_servers(
    opts: &SeqOptions,
    ns: &str,
    chosen: &str,
    stmt_offset: usize,
) -> R<()> {
    let Some(q) = &opts.sequence_name else {
        return Ok(());
    };
    if q.name == chosen && q.schema.as_deref().is_none_or(|s| s == ns) {
        return Ok(());
    }
    let mut e = help(
        err(
            FEATURE_NOT_SUPPORTED,
            format!(
                "the identity sequence name (SEQUENCE NAME) {} is not the one PostgreSQL would choose ({}.{}): identity sequence names are not modelled yet",
                super::display_q(q),
                crate::model::quote_ident(ns),
                crate::model::quote_ident(chosen)
            ),
        ),
        "leave SEQUENCE NAME out (PostgreSQL then names the sequence table_column_seq), or rename the sequence to that name",
    );
    e.offset = Some(stmt_offset + opts.sequence_name_at);
    e.len = "SEQUENCE NAME".len();
    Err(e)
}
