//! Extended statistics (`statscmds.c`): `CREATE STATISTICS`, `ALTER
//! STATISTICS`, `DROP STATISTICS`, and what happens to them when their
//! table or its columns change. A statistics object depends on its columns
//! (and, without any, on its table) automatically: it goes, without an
//! error or CASCADE, when one of them is dropped.

use std::collections::BTreeSet;

use crate::model::{
    Expression, ObjectKind, ObjectPath, RelationRef, Statistics, StatisticsKind, Table,
};
use crate::parse::{QName, StatisticsAction, StatsElem};

use super::{
    display_q, err, help, Replayer, DUPLICATE_COLUMN, DUPLICATE_OBJECT, FEATURE_NOT_SUPPORTED,
    INVALID_OBJECT_DEFINITION, INVALID_PARAMETER, INVALID_SCHEMA, R, SYNTAX_ERROR,
    UNDEFINED_COLUMN, UNDEFINED_OBJECT,
};

/// `STATS_MAX_DIMENSIONS`.
const MAX_DIMENSIONS: usize = 8;
/// `MAX_STATISTICS_TARGET`.
const MAX_TARGET: i64 = 10000;

impl Replayer {
    pub(super) fn find_statistics(&self, q: &QName) -> Option<String> {
        self.find_ns(q, |ns| ns.statistics.contains_key(&q.name))
    }

    fn statistics_missing(q: &QName) -> super::ReplayError {
        err(
            UNDEFINED_OBJECT,
            format!("statistics object \"{}\" does not exist", display_q(q)),
        )
    }

    /// `CREATE STATISTICS`, checked in the order `CreateStatistics` checks.
    pub(super) fn create_statistics(
        &mut self,
        name: QName,
        if_not_exists: bool,
        kinds: Vec<String>,
        elems: Vec<StatsElem>,
        tables: Vec<QName>,
    ) -> R<()> {
        let [table] = tables.as_slice() else {
            return Err(err(
                FEATURE_NOT_SUPPORTED,
                "only a single relation is allowed in CREATE STATISTICS",
            ));
        };
        let tns = match self.find_table(table) {
            Some(ns) => ns,
            None => {
                return Err(match self.relation_kind(table) {
                    Some("materialized view") => help(
                        err(
                            FEATURE_NOT_SUPPORTED,
                            format!(
                                "statistics on materialized view \"{}\" are not supported by strata yet",
                                display_q(table)
                            ),
                        ),
                        "mark the statement with `-- strata:ignore` to skip it",
                    ),
                    Some(_) => err(
                        super::WRONG_OBJECT_TYPE,
                        format!(
                            "cannot define statistics for relation \"{}\"",
                            table.name
                        ),
                    ),
                    None => self.table_ns(table).err().unwrap_or_else(|| {
                        err(super::UNDEFINED_TABLE, "relation does not exist")
                    }),
                });
            }
        };
        let ns = self.creation_ns(&name)?;
        if self.schema.namespaces[&ns]
            .statistics
            .contains_key(&name.name)
        {
            if if_not_exists {
                return Ok(());
            }
            return Err(err(
                DUPLICATE_OBJECT,
                format!("statistics object \"{}\" already exists", name.name),
            ));
        }
        if elems.len() > MAX_DIMENSIONS {
            return Err(err(
                "54011",
                format!("cannot have more than {MAX_DIMENSIONS} columns in statistics"),
            ));
        }
        let t = self.table(&tns, &table.name).expect("found");
        let mut columns: Vec<String> = Vec::new();
        let mut expressions: Vec<Expression> = Vec::new();
        for e in &elems {
            match e {
                StatsElem::Column(c) => {
                    let Some(col) = t.column(c) else {
                        if is_system_column(c) {
                            return Err(err(
                                FEATURE_NOT_SUPPORTED,
                                "statistics creation on system columns is not supported",
                            ));
                        }
                        return Err(err(
                            UNDEFINED_COLUMN,
                            format!("column \"{c}\" does not exist"),
                        ));
                    };
                    if self.lacks_btree(&col.data_type) {
                        return Err(err(
                            FEATURE_NOT_SUPPORTED,
                            format!(
                                "column \"{c}\" cannot be used in statistics because its type {} has no default btree operator class",
                                col.data_type
                            ),
                        ));
                    }
                    columns.push(c.clone());
                }
                StatsElem::Expression(x) => {
                    let refs = crate::expression::parse(&x.sql)
                        .map(|a| crate::parse::column_refs(&a))
                        .unwrap_or_default();
                    for r in &refs {
                        if t.column(r).is_none() {
                            if is_system_column(r) {
                                return Err(err(
                                    FEATURE_NOT_SUPPORTED,
                                    "statistics creation on system columns is not supported",
                                ));
                            }
                            return Err(err(
                                UNDEFINED_COLUMN,
                                format!("column \"{r}\" does not exist"),
                            ));
                        }
                    }
                    expressions.push(x.clone());
                }
            }
        }
        if elems.len() == 1 && expressions.len() == 1 && !kinds.is_empty() {
            return Err(err(
                FEATURE_NOT_SUPPORTED,
                "when building statistics on a single expression, statistics kinds may not be specified",
            ));
        }
        let mut built = BTreeSet::new();
        for k in &kinds {
            match StatisticsKind::from_keyword(k) {
                Some(k) => {
                    built.insert(k);
                }
                None => {
                    return Err(err(
                        SYNTAX_ERROR,
                        format!("unrecognized statistics kind \"{k}\""),
                    ))
                }
            }
        }
        if kinds.is_empty() && elems.len() >= 2 {
            built.extend(StatisticsKind::ALL);
        }
        if elems.len() < 2 && expressions.len() != 1 {
            return Err(err(
                INVALID_OBJECT_DEFINITION,
                "extended statistics require at least 2 columns",
            ));
        }
        // Columns in attribute-number order, duplicates refused.
        let order = |c: &String| t.columns.iter().position(|x| &x.name == c);
        columns.sort_by_key(order);
        if columns.windows(2).any(|w| w[0] == w[1]) {
            return Err(err(
                DUPLICATE_COLUMN,
                "duplicate column name in statistics definition",
            ));
        }
        // Duplicate expressions (`equal()` on the trees): by their parsed
        // form, which is what the server compares after analysis.
        let keys: Vec<String> = expressions
            .iter()
            .map(|x| {
                crate::expression::parse(&x.sql)
                    .map(|a| strip_nested(&a).to_string())
                    .unwrap_or_else(|_| x.sql.clone())
            })
            .collect();
        for (i, k) in keys.iter().enumerate() {
            if keys[..i].contains(k) {
                return Err(err(
                    DUPLICATE_COLUMN,
                    "duplicate expression in statistics definition",
                ));
            }
        }
        let columns_of = t.columns.clone();
        let expressions = expressions
            .iter()
            .map(|x| {
                crate::expression::resolve(
                    x,
                    &columns_of,
                    &self.schema,
                    crate::analyze::Role::Statistics,
                )
            })
            .collect();
        let s = Statistics {
            owner: self.creator(),
            table: RelationRef::new(&tns, &table.name),
            kinds: built,
            columns,
            expressions,
            target: None,
            comment: None,
        };
        self.ns_mut(&ns).statistics.insert(name.name.clone(), s);
        self.touch(ObjectPath::new(ObjectKind::Statistics, &ns, &name.name));
        Ok(())
    }

    /// `ALTER STATISTICS`.
    pub(super) fn alter_statistics(
        &mut self,
        name: QName,
        if_exists: bool,
        action: StatisticsAction,
    ) -> R<()> {
        // The target is checked before the object is looked up.
        let target = match action {
            StatisticsAction::SetTarget(n) => {
                if n < -1 {
                    return Err(err(
                        INVALID_PARAMETER,
                        format!("statistics target {n} is too low"),
                    ));
                }
                Some(if n == -1 {
                    None
                } else {
                    Some(n.min(MAX_TARGET) as i32)
                })
            }
            _ => None,
        };
        let Some(ns) = self.find_statistics(&name) else {
            if if_exists {
                return Ok(());
            }
            return Err(Self::statistics_missing(&name));
        };
        let (to_ns, to_name) = match action {
            StatisticsAction::SetTarget(_) => {
                let s = self
                    .ns_mut(&ns)
                    .statistics
                    .get_mut(&name.name)
                    .expect("found");
                s.target = target.expect("a target");
                self.touch(ObjectPath::new(ObjectKind::Statistics, &ns, &name.name));
                return Ok(());
            }
            StatisticsAction::Owner(role) => {
                let owner = self.owner_for(role);
                self.ns_mut(&ns)
                    .statistics
                    .get_mut(&name.name)
                    .expect("found")
                    .owner = owner;
                self.touch(ObjectPath::new(ObjectKind::Statistics, &ns, &name.name));
                return Ok(());
            }
            StatisticsAction::Rename(new) => (ns.clone(), new),
            StatisticsAction::SetSchema(s) => {
                if !self.schema.namespaces.contains_key(&s) {
                    return Err(err(
                        INVALID_SCHEMA,
                        format!("schema \"{s}\" does not exist"),
                    ));
                }
                (s, name.name.clone())
            }
        };
        if (to_ns.as_str(), to_name.as_str()) == (ns.as_str(), name.name.as_str()) {
            return Ok(());
        }
        if self.schema.namespaces[&to_ns]
            .statistics
            .contains_key(&to_name)
        {
            return Err(err(
                DUPLICATE_OBJECT,
                format!("statistics object \"{to_name}\" already exists in schema \"{to_ns}\""),
            ));
        }
        let s = self
            .ns_mut(&ns)
            .statistics
            .remove(&name.name)
            .expect("found");
        self.ns_mut(&to_ns).statistics.insert(to_name.clone(), s);
        self.touch(ObjectPath::new(ObjectKind::Statistics, &to_ns, &to_name));
        Ok(())
    }

    /// `DROP STATISTICS`.
    pub(super) fn drop_statistics(&mut self, names: Vec<QName>, if_exists: bool) -> R<()> {
        for q in names {
            let Some(ns) = self.find_statistics(&q) else {
                if if_exists {
                    continue;
                }
                return Err(Self::statistics_missing(&q));
            };
            self.ns_mut(&ns).statistics.remove(&q.name);
        }
        Ok(())
    }

    /// `COMMENT ON STATISTICS`.
    pub(super) fn comment_on_statistics(&mut self, q: &QName, text: Option<String>) -> R<()> {
        let Some(ns) = self.find_statistics(q) else {
            return Err(Self::statistics_missing(q));
        };
        self.ns_mut(&ns)
            .statistics
            .get_mut(&q.name)
            .expect("found")
            .comment = text;
        self.touch(ObjectPath::new(ObjectKind::Statistics, &ns, &q.name));
        Ok(())
    }

    /// Whether a column type has no default btree operator class (no
    /// less-than operator for the type cache): the built-in types without
    /// one, arrays of them, domains over them.
    fn lacks_btree(&self, ty: &str) -> bool {
        const NONE: &[&str] = &[
            "json",
            "xml",
            "point",
            "line",
            "lseg",
            "box",
            "path",
            "polygon",
            "circle",
            "aclitem",
            "txid_snapshot",
            "pg_snapshot",
            "int2vector",
            "cid",
            "xid",
        ];
        if let Some(element) = ty.strip_suffix("[]") {
            return self.lacks_btree(element);
        }
        if NONE.contains(&ty) {
            return true;
        }
        let (ns, name) = crate::parse::split_qualified(ty);
        if let Some(d) = ns
            .and_then(|ns| self.schema.namespaces.get(&ns))
            .and_then(|n| n.domains.get(&name))
        {
            return self.lacks_btree(&d.base_type.clone());
        }
        false
    }

    // ------------------------------------------------ what follows a table

    /// Statistics on `ns.table`, by (namespace, name).
    fn statistics_on(&self, ns: &str, table: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (sns, n) in &self.schema.namespaces {
            for (name, s) in &n.statistics {
                if s.table.namespace == ns && s.table.name == table {
                    out.push((sns.clone(), name.clone()));
                }
            }
        }
        out
    }

    /// A column was dropped: the statistics using it go (an automatic
    /// dependency: no CASCADE needed).
    pub(super) fn drop_column_statistics(&mut self, ns: &str, table: &str, col: &str) {
        for (sns, name) in self.statistics_on(ns, table) {
            let s = &self.schema.namespaces[&sns].statistics[&name];
            let uses = s.columns.iter().any(|c| c == col)
                || s.expressions
                    .iter()
                    .any(|e| crate::expression::mentions(e, col));
            if uses {
                self.ns_mut(&sns).statistics.remove(&name);
            }
        }
    }

    /// A column was renamed: the statistics print the new name.
    pub(super) fn rename_column_statistics(&mut self, ns: &str, table: &str, old: &str, new: &str) {
        for (sns, name) in self.statistics_on(ns, table) {
            let s = self.ns_mut(&sns).statistics.get_mut(&name).expect("listed");
            for c in s.columns.iter_mut() {
                if c == old {
                    *c = new.to_string();
                }
            }
            for e in s.expressions.iter_mut() {
                if crate::expression::mentions(e, old) {
                    *e = crate::expression::rename(e, old, new);
                }
            }
        }
    }

    /// A column was retyped: the server rebuilds the statistics from their
    /// stored expressions.
    pub(super) fn retype_column_statistics(&mut self, ns: &str, table: &str, col: &str) {
        for (sns, name) in self.statistics_on(ns, table) {
            let s = self.ns_mut(&sns).statistics.get_mut(&name).expect("listed");
            for e in s.expressions.iter_mut() {
                if crate::expression::mentions(e, col) {
                    *e = crate::expression::retyped(e);
                }
            }
        }
    }

    /// A table was renamed or moved to another schema: its statistics stay
    /// where they are and follow it.
    pub(super) fn table_moved_statistics(&mut self, ons: &str, otn: &str, nns: &str, ntn: &str) {
        for (sns, name) in self.statistics_on(ons, otn) {
            let s = self.ns_mut(&sns).statistics.get_mut(&name).expect("listed");
            s.table = RelationRef::new(nns, ntn);
        }
    }

    /// A schema was renamed: statistics on its tables follow.
    pub(super) fn schema_renamed_statistics(&mut self, old: &str, new: &str) {
        for n in self.schema.namespaces.values_mut() {
            for s in n.statistics.values_mut() {
                if s.table.namespace == old {
                    s.table.namespace = new.to_string();
                }
            }
        }
    }

    /// After every statement: statistics whose table is gone go with it
    /// (the table's own drop, a schema dropped with CASCADE, a partition
    /// dropped with its parent); expressions not analysed yet (created, or
    /// a column they read renamed or retyped) are analysed over their
    /// table.
    pub(super) fn settle_statistics(&mut self) {
        if self
            .schema
            .namespaces
            .values()
            .all(|n| n.statistics.is_empty())
        {
            return;
        }
        let mut gone = Vec::new();
        let mut pending = Vec::new();
        for (sns, n) in &self.schema.namespaces {
            for (name, s) in &n.statistics {
                match self.table(&s.table.namespace, &s.table.name) {
                    None => gone.push((sns.clone(), name.clone())),
                    Some(_) => {
                        if s.expressions.iter().any(crate::expression::pending) {
                            pending.push((sns.clone(), name.clone()));
                        }
                    }
                }
            }
        }
        for (sns, name) in gone {
            self.ns_mut(&sns).statistics.remove(&name);
        }
        for (sns, name) in pending {
            let s = &self.schema.namespaces[&sns].statistics[&name];
            let t: &Table = self
                .table(&s.table.namespace, &s.table.name)
                .expect("checked");
            let resolved: Vec<Expression> = s
                .expressions
                .iter()
                .map(|e| {
                    if crate::expression::pending(e) {
                        crate::expression::resolve(
                            e,
                            &t.columns,
                            &self.schema,
                            crate::analyze::Role::Statistics,
                        )
                    } else {
                        e.clone()
                    }
                })
                .collect();
            self.ns_mut(&sns)
                .statistics
                .get_mut(&name)
                .expect("listed")
                .expressions = resolved;
        }
    }
}

fn is_system_column(c: &str) -> bool {
    matches!(c, "ctid" | "xmin" | "xmax" | "cmin" | "cmax" | "tableoid")
}

fn strip_nested(e: &sqlparser::ast::Expr) -> &sqlparser::ast::Expr {
    let mut e = e;
    while let sqlparser::ast::Expr::Nested(x) = e {
        e = x;
    }
    e
}
