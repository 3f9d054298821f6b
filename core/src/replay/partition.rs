//! Declarative partitioning and table inheritance (`tablecmds.c`:
//! `DefineRelation` for `PARTITION OF` / `INHERITS`, `MergeAttributes`,
//! `ATExecAttachPartition`, `AttachPartitionEnsureIndexes`,
//! `CloneForeignKeyConstraints`, `ATExecDetachPartition`,
//! `ATExecAddInherit` / `ATExecDropInherit`; `partbounds.c` for bounds).
//!
//! The model keeps what the catalog keeps: a partition or child holds its
//! inherited columns and constraints itself, marked [`Inherited`]; a
//! partition's indexes name the partitioned index they are attached to.

use crate::error::Failure as ReplayError;
use crate::literal::{self, Literal};
use crate::model::{
    Column, ConstraintKind, Expression, Index, IndexKeyExpr, Inherited, ObjectKind, ObjectPath,
    PartitionOf, RelationRef, Stored, Table,
};
use crate::names;
use crate::parse::{
    BoundDatum, BoundSpec, ColumnOp, ConstraintDef, ConstraintDefKind, PartitionBound, QName,
    TableAction,
};

use super::{
    err, help, Replayer, DEPENDENT_OBJECTS, DUPLICATE_TABLE, FEATURE_NOT_SUPPORTED,
    INVALID_OBJECT_DEFINITION, INVALID_TABLE_DEFINITION, R, UNDEFINED_TABLE, WRONG_OBJECT_TYPE,
};

const DATATYPE_MISMATCH: &str = "42804";
const NOT_IN_PREREQUISITE_STATE: &str = "55000";

/// The help every "not supported yet" error here carries.
const IGNORE_HELP: &str = "mark the statement with `-- strata:ignore` to skip it";

/// One column of a partition key: its column, or `None` for an expression.
fn key_columns(partition_by: &str) -> (String, Vec<Option<String>>) {
    let (strategy, rest) = partition_by.split_once(' ').unwrap_or((partition_by, ""));
    let inner = rest
        .trim()
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or("");
    let mut keys = Vec::new();
    let mut depth = 0i32;
    let mut in_quote = false;
    let mut cur = String::new();
    for ch in inner.chars() {
        match ch {
            '"' => in_quote = !in_quote,
            '(' if !in_quote => depth += 1,
            ')' if !in_quote => depth -= 1,
            ',' if !in_quote && depth == 0 => {
                keys.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    if !cur.trim().is_empty() {
        keys.push(cur);
    }
    let cols = keys
        .iter()
        .map(|k| {
            let k = k.trim();
            if let Some(q) = k.strip_prefix('"').and_then(|q| q.strip_suffix('"')) {
                if !q.contains('"') || q.contains("\"\"") {
                    return Some(q.replace("\"\"", "\""));
                }
            }
            (!k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$'))
            .then(|| k.to_string())
        })
        .collect();
    (strategy.to_ascii_uppercase(), cols)
}

/// The built-in type and typmod of a column type as `format_type` prints
/// it, for the types whose literals strata reads.
fn type_of(data_type: &str) -> Option<(&'static str, i32)> {
    let with_precision = |s: &str, prefix: &str, suffix: &str| -> Option<i32> {
        s.strip_prefix(prefix)?
            .strip_suffix(suffix)?
            .parse::<i32>()
            .ok()
    };
    Some(match data_type {
        "smallint" => ("int2", -1),
        "integer" => ("int4", -1),
        "bigint" => ("int8", -1),
        "numeric" => ("numeric", -1),
        "real" => ("float4", -1),
        "double precision" => ("float8", -1),
        "text" => ("text", -1),
        "character varying" => ("varchar", -1),
        "date" => ("date", -1),
        "boolean" => ("bool", -1),
        "uuid" => ("uuid", -1),
        "timestamp without time zone" => ("timestamp", -1),
        "timestamp with time zone" => ("timestamptz", -1),
        s => {
            if let Some(p) = with_precision(s, "timestamp(", ") without time zone") {
                ("timestamp", p)
            } else if let Some(p) = with_precision(s, "timestamp(", ") with time zone") {
                ("timestamptz", p)
            } else if let Some(n) = with_precision(s, "character varying(", ")") {
                ("varchar", n + 4)
            } else {
                return None;
            }
        }
    })
}

/// A bound value as `get_const_expr` prints it with no type label.
fn const_text(typname: &str, value: &str) -> String {
    match typname {
        "int4" if !value.starts_with('-') => value.to_string(),
        "numeric"
            if value.starts_with(|c: char| c.is_ascii_digit())
                && value.contains(['e', 'E', '.']) =>
        {
            value.to_string()
        }
        "bool" => if value == "t" || value == "true" {
            "true"
        } else {
            "false"
        }
        .to_string(),
        _ => format!("'{}'", value.replace('\'', "''")),
    }
}

/// A bound value read by its key column's type: `Ok(Some(text))` as the
/// server prints it, `Ok(None)` when strata cannot tell offline (with the
/// reason in `why`), or the server's error.
fn datum_text(
    d: &BoundDatum,
    key: Option<&(&'static str, i32)>,
    why: &mut String,
) -> R<Option<String>> {
    let Some((typname, typmod)) = key else {
        *why = "the partition key's column type is not read offline".to_string();
        return Ok(None);
    };
    let read = |input: &str, why: &mut String| -> R<Option<String>> {
        match literal::canonical(typname, *typmod, input) {
            Literal::Value(v) => Ok(Some(const_text(typname, &v))),
            Literal::Invalid { sqlstate, message } => Err(err(sqlstate, message)),
            Literal::Unknown(reason) => {
                *why = reason;
                Ok(None)
            }
        }
    };
    match d {
        BoundDatum::Text(s) => read(s, why),
        BoundDatum::Number(n)
            if matches!(*typname, "int2" | "int4" | "int8") && !n.contains(['.', 'e', 'E']) =>
        {
            read(n, why)
        }
        BoundDatum::Number(n) if matches!(*typname, "numeric" | "float4" | "float8") => {
            read(n, why)
        }
        BoundDatum::Bool(b) if *typname == "bool" => Ok(Some(b.to_string())),
        BoundDatum::Null => Ok(Some("NULL".to_string())),
        BoundDatum::MinValue => Ok(Some("MINVALUE".to_string())),
        BoundDatum::MaxValue => Ok(Some("MAXVALUE".to_string())),
        other => {
            *why = format!(
                "a bound value {other:?} of type {typname} is not read offline (it is coerced by the server)"
            );
            Ok(None)
        }
    }
}

/// What a bound is, once read: for overlap checks.
#[derive(Debug, Clone, PartialEq)]
enum Bound {
    Default,
    List(Vec<String>),
    Range(Vec<String>, Vec<String>),
    Hash(i64, i64),
}

/// A value of a key of a type whose order strata knows, as a sortable
/// key; `None` when it cannot order it.
fn order_key(typname: &str, v: &str) -> Option<(i8, i128, String)> {
    match v {
        "MINVALUE" => return Some((-1, 0, String::new())),
        "MAXVALUE" => return Some((1, 0, String::new())),
        _ => {}
    }
    let inner = v
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .unwrap_or(v);
    match typname {
        "int2" | "int4" | "int8" => inner.parse::<i128>().ok().map(|n| (0, n, String::new())),
        // ISO dates and timestamps of years 1000–9999 AD sort as text.
        "date" | "timestamp"
            if inner.len() >= 10
                && inner.as_bytes()[4] == b'-'
                && inner[..4].chars().all(|c| c.is_ascii_digit())
                && !inner.contains("BC") =>
        {
            Some((0, 0, inner.to_string()))
        }
        _ => None,
    }
}

fn cmp_tuple(
    types: &[Option<(&'static str, i32)>],
    a: &[String],
    b: &[String],
) -> Option<std::cmp::Ordering> {
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let t = types.get(i)?.as_ref()?.0;
        let (kx, ky) = (order_key(t, x)?, order_key(t, y)?);
        match kx.cmp(&ky) {
            std::cmp::Ordering::Equal => {
                // MINVALUE / MAXVALUE end the comparison.
                if kx.0 != 0 {
                    return Some(std::cmp::Ordering::Equal);
                }
            }
            o => return Some(o),
        }
    }
    Some(std::cmp::Ordering::Equal)
}

impl Replayer {
    /// The tables that inherit from `ns.name` directly: its partitions and
    /// its inheritance children.
    pub(super) fn children_of(&self, ns: &str, name: &str) -> Vec<(String, String)> {
        let me = RelationRef::new(ns, name);
        // Only the tables that name it (the registry's referrers, sorted as
        // the namespaces and tables are) can be its children: not a scan of
        // every table at each ALTER TABLE.
        self.referrers(ns, name)
            .into_iter()
            .filter(|(nsn, tn)| {
                self.table(nsn, tn).is_some_and(|t| {
                    t.partition_of.as_ref().is_some_and(|p| p.parent == me)
                        || t.inherits.contains(&me)
                })
            })
            .collect()
    }

    /// Every table below `ns.name`, children before grandchildren.
    pub(super) fn descendants_of(&self, ns: &str, name: &str) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut queue = self.children_of(ns, name);
        while let Some(c) = queue.first().cloned() {
            queue.remove(0);
            if out.contains(&c) {
                continue;
            }
            queue.extend(self.children_of(&c.0, &c.1));
            out.push(c);
        }
        out
    }

    /// Reads a bound against the parent's partition key, as
    /// `transformPartitionBound` does; returns the model's expression and
    /// the read bound (`None` when some value is not read offline).
    fn read_bound(
        &self,
        parent: &Table,
        pname: &str,
        b: &PartitionBound,
    ) -> R<(Expression, Option<Bound>)> {
        let pb = parent.partition_by.as_deref().unwrap_or_default();
        let (strategy, keys) = key_columns(pb);
        let types: Vec<Option<(&'static str, i32)>> = keys
            .iter()
            .map(|k| {
                k.as_ref()
                    .and_then(|c| parent.column(c))
                    .and_then(|c| type_of(&c.data_type))
            })
            .collect();
        let invalid = |kind: &str| {
            err(
                INVALID_TABLE_DEFINITION,
                format!("invalid bound specification for a {kind} partition"),
            )
        };
        let mut why = String::new();
        let mut proven = true;
        let (text, read) = match (&b.spec, strategy.as_str()) {
            (BoundSpec::Default, "HASH") => {
                return Err(err(
                    INVALID_TABLE_DEFINITION,
                    "a hash-partitioned table may not have a default partition",
                ))
            }
            (BoundSpec::Default, _) => ("DEFAULT".to_string(), Bound::Default),
            (BoundSpec::Hash { modulus, remainder }, "HASH") => {
                if *modulus <= 0 {
                    return Err(err(
                        INVALID_TABLE_DEFINITION,
                        "modulus for hash partition must be an integer value greater than zero",
                    ));
                }
                if *remainder < 0 {
                    return Err(err(INVALID_TABLE_DEFINITION, "remainder for hash partition must be an integer value greater than or equal to zero"));
                }
                if remainder >= modulus {
                    return Err(err(
                        INVALID_TABLE_DEFINITION,
                        "remainder for hash partition must be less than modulus",
                    ));
                }
                (
                    format!("FOR VALUES WITH (modulus {modulus}, remainder {remainder})"),
                    Bound::Hash(*modulus, *remainder),
                )
            }
            (BoundSpec::In(values), "LIST") => {
                let mut out: Vec<String> = Vec::new();
                for v in values {
                    if matches!(v, BoundDatum::MinValue | BoundDatum::MaxValue) {
                        proven = false;
                        why = "MINVALUE/MAXVALUE in a list bound".to_string();
                        continue;
                    }
                    match datum_text(v, types.first().and_then(Option::as_ref), &mut why)? {
                        Some(t) => {
                            if !out.contains(&t) {
                                out.push(t);
                            }
                        }
                        None => proven = false,
                    }
                }
                (
                    format!("FOR VALUES IN ({})", out.join(", ")),
                    Bound::List(out),
                )
            }
            (BoundSpec::Range { from, to }, "RANGE") => {
                if from.len() != keys.len() {
                    return Err(err(
                        INVALID_TABLE_DEFINITION,
                        "FROM must specify exactly one value per partitioning column",
                    ));
                }
                if to.len() != keys.len() {
                    return Err(err(
                        INVALID_TABLE_DEFINITION,
                        "TO must specify exactly one value per partitioning column",
                    ));
                }
                let mut side = |vals: &[BoundDatum]| -> R<Vec<String>> {
                    let mut out = Vec::new();
                    let mut seen_inf: Option<&BoundDatum> = None;
                    for (i, v) in vals.iter().enumerate() {
                        if let Some(inf) = seen_inf {
                            if v != inf {
                                return Err(err(
                                    INVALID_TABLE_DEFINITION,
                                    if *inf == BoundDatum::MaxValue {
                                        "every bound following MAXVALUE must also be MAXVALUE"
                                    } else {
                                        "every bound following MINVALUE must also be MINVALUE"
                                    },
                                ));
                            }
                        }
                        if matches!(v, BoundDatum::MinValue | BoundDatum::MaxValue) {
                            seen_inf = Some(v);
                        }
                        if *v == BoundDatum::Null {
                            return Err(err(
                                INVALID_TABLE_DEFINITION,
                                "cannot specify NULL in range bound",
                            ));
                        }
                        match datum_text(v, types.get(i).and_then(Option::as_ref), &mut why)? {
                            Some(t) => out.push(t),
                            None => {
                                proven = false;
                                out.push(format!("{v:?}"));
                            }
                        }
                    }
                    Ok(out)
                };
                let (lo, hi) = (side(from)?, side(to)?);
                (
                    format!("FOR VALUES FROM ({}) TO ({})", lo.join(", "), hi.join(", ")),
                    Bound::Range(lo, hi),
                )
            }
            (_, "RANGE") => return Err(invalid("range")),
            (_, "LIST") => return Err(invalid("list")),
            (_, "HASH") => return Err(invalid("hash")),
            _ => {
                return Err(err(
                    INVALID_OBJECT_DEFINITION,
                    format!("\"{pname}\" is not partitioned"),
                ))
            }
        };
        let _ = &types;
        if proven {
            Ok((
                Expression {
                    sql: b.sql.clone(),
                    stored: Stored::Exact { text },
                },
                Some(read),
            ))
        } else {
            Ok((
                Expression {
                    sql: b.sql.clone(),
                    stored: Stored::Unproven {
                        reason: format!("partition bound: {why}"),
                        key: b.sql.clone(),
                    },
                },
                None,
            ))
        }
    }

    /// `check_new_partition_bound`: a new partition's bound must not
    /// overlap its siblings' (as far as strata can order the values).
    fn check_overlap(&self, pns: &str, pname: &str, child: &str, bound: &Expression) -> R<()> {
        let Some(parent) = self.table(pns, pname) else {
            return Ok(());
        };
        let pb = parent.partition_by.clone().unwrap_or_default();
        let (_, keys) = key_columns(&pb);
        let types: Vec<Option<(&'static str, i32)>> = keys
            .iter()
            .map(|k| {
                k.as_ref()
                    .and_then(|c| parent.column(c))
                    .and_then(|c| type_of(&c.data_type))
            })
            .collect();
        let Some(new) = bound.exact().map(parse_bound_text) else {
            return Ok(());
        };
        // An empty range.
        if let Bound::Range(lo, hi) = &new {
            if cmp_tuple(&types, lo, hi).is_some_and(|o| o != std::cmp::Ordering::Less) {
                return Err(help(
                    err(
                        INVALID_OBJECT_DEFINITION,
                        format!("empty range bound specified for partition \"{child}\""),
                    ),
                    format!(
                        "Specified lower bound ({}) is greater than or equal to upper bound ({}).",
                        lo.join(", "),
                        hi.join(", ")
                    ),
                ));
            }
        }
        for (sns, sn) in self.children_of(pns, pname) {
            if sn == child && sns == pns {
                continue;
            }
            let Some(sib) = self
                .table(&sns, &sn)
                .and_then(|t| t.partition_of.as_ref())
                .and_then(|p| p.bound.exact())
                .map(parse_bound_text)
            else {
                continue;
            };
            let overlap = match (&new, &sib) {
                (Bound::Default, Bound::Default) => {
                    return Err(err(
                        INVALID_OBJECT_DEFINITION,
                        format!(
                        "partition \"{child}\" conflicts with existing default partition \"{sn}\""
                    ),
                    ))
                }
                (Bound::List(a), Bound::List(b)) => a.iter().any(|v| b.contains(v)),
                (Bound::Range(alo, ahi), Bound::Range(blo, bhi)) => {
                    match (cmp_tuple(&types, alo, bhi), cmp_tuple(&types, blo, ahi)) {
                        (Some(x), Some(y)) => {
                            x == std::cmp::Ordering::Less && y == std::cmp::Ordering::Less
                        }
                        _ => false,
                    }
                }
                (Bound::Hash(m1, r1), Bound::Hash(m2, r2)) => {
                    let (small, large) = if m1 <= m2 { (m1, m2) } else { (m2, m1) };
                    if large % small != 0 {
                        return Err(help(
                            err(
                                INVALID_OBJECT_DEFINITION,
                                "every hash partition modulus must be a factor of the next larger modulus",
                            ),
                            format!(
                                "The new modulus {m1} is not compatible with the modulus of existing partition \"{sn}\" ({m2})."
                            ),
                        ));
                    }
                    r1 % small == r2 % small
                }
                _ => false,
            };
            if overlap {
                return Err(err(
                    INVALID_OBJECT_DEFINITION,
                    format!("partition \"{child}\" would overlap partition \"{sn}\""),
                ));
            }
        }
        Ok(())
    }

    /// Resolves the parent of `PARTITION OF` / `ATTACH PARTITION`: a
    /// partitioned table.
    fn partitioned_parent(&self, q: &QName) -> R<(String, String)> {
        let ns = self.table_ns(q)?;
        let t = self.table(&ns, &q.name).expect("resolved");
        if t.partition_by.is_none() {
            return Err(err(
                INVALID_OBJECT_DEFINITION,
                format!("\"{}\" is not partitioned", q.name),
            ));
        }
        Ok((ns, q.name.clone()))
    }

    /// What strata does not model on a partitioned parent yet.
    fn refuse_unmodelled_parent(&self, pns: &str, pname: &str) -> R<()> {
        let p = self.table(pns, pname).expect("resolved");
        if !p.triggers.is_empty() {
            return Err(help(
                err(
                    FEATURE_NOT_SUPPORTED,
                    format!(
                        "partitions of a table with triggers (\"{pname}\") are not supported yet (the triggers cloned to partitions are not modelled)"
                    ),
                ),
                IGNORE_HELP,
            ));
        }
        if p.columns.iter().any(|c| c.identity.is_some()) {
            return Err(help(
                err(
                    FEATURE_NOT_SUPPORTED,
                    format!("partitions of a table with identity columns (\"{pname}\") are not supported yet"),
                ),
                IGNORE_HELP,
            ));
        }
        if p.constraints
            .values()
            .any(|c| matches!(c.kind, ConstraintKind::Exclusion { .. }))
        {
            return Err(help(
                err(
                    FEATURE_NOT_SUPPORTED,
                    format!("partitions of a table with exclusion constraints (\"{pname}\") are not supported yet"),
                ),
                IGNORE_HELP,
            ));
        }
        Ok(())
    }

    /// `CREATE TABLE name PARTITION OF parent …`: the table exists, empty;
    /// its columns come from the parent, then its own constraints
    /// (`constraints_after`, added by the caller), then the parent's keys,
    /// indexes and foreign keys cloned.
    pub(super) fn create_partition_columns(
        &mut self,
        ns: &str,
        name: &str,
        parent: &QName,
        bound: &PartitionBound,
    ) -> R<()> {
        let (pns, pname) = self.partitioned_parent(parent)?;
        self.refuse_unmodelled_parent(&pns, &pname)?;
        let p = self.table(&pns, &pname).expect("resolved").clone();
        let (expr, _) = self.read_bound(&p, &pname, bound)?;
        self.check_overlap(&pns, &pname, name, &expr)?;
        let t = self.table_mut(ns, name);
        t.unlogged = p.unlogged;
        for c in &p.columns {
            t.columns.push(inherited_column(c));
        }
        // Checks are inherited by name.
        for (cn, c) in &p.constraints {
            if let ConstraintKind::Check {
                no_inherit: false, ..
            } = c.kind
            {
                let mut c = c.clone();
                c.inherited = Some(Inherited {
                    count: 1,
                    local: false,
                });
                c.comment = None;
                t.constraints.insert(cn.clone(), c);
            }
        }
        t.partition_of = Some(PartitionOf {
            parent: RelationRef::new(&pns, &pname),
            bound: expr,
        });
        for c in p.columns.iter() {
            self.touch(ObjectPath::in_table(ObjectKind::Column, ns, name, &c.name));
        }
        Ok(())
    }

    /// The parent's keys, indexes and foreign keys on a new or attached
    /// partition (`AttachPartitionEnsureIndexes`, `CloneForeignKeyConstraints`):
    /// a matching index of the child is attached, else one is created with
    /// a name chosen as the server chooses it.
    pub(super) fn clone_parent_indexes(
        &mut self,
        pns: &str,
        pname: &str,
        ns: &str,
        name: &str,
    ) -> R<()> {
        let p = self.table(pns, pname).expect("resolved").clone();
        // Key constraints first, in name order as the server's index scan
        // (by OID, creation order) cannot be known: indexes are matched by
        // definition, so the order only matters for the names chosen.
        for (cn, c) in &p.constraints {
            let (columns, include, nnd, primary) = match &c.kind {
                ConstraintKind::PrimaryKey { columns, include } => {
                    (columns.clone(), include.clone(), false, true)
                }
                ConstraintKind::Unique {
                    columns,
                    include,
                    nulls_not_distinct,
                } => (columns.clone(), include.clone(), *nulls_not_distinct, false),
                _ => continue,
            };
            let child = self.table(ns, name).expect("resolved");
            // Attached already (strata keeps one key per definition).
            if child
                .constraints
                .values()
                .any(|cc| cc.inherited.is_some() && cc.kind == c.kind)
            {
                continue;
            }
            let found = child.constraints.iter().find(|(_, cc)| {
                cc.inherited.is_none_or(|i| i.local)
                    && cc.inherited.is_none()
                    && cc.deferrable == c.deferrable
                    && match &cc.kind {
                        ConstraintKind::PrimaryKey {
                            columns: c2,
                            include: i2,
                        } => primary && *c2 == columns && *i2 == include,
                        ConstraintKind::Unique {
                            columns: c2,
                            include: i2,
                            nulls_not_distinct: n2,
                        } => !primary && *c2 == columns && *i2 == include && *n2 == nnd,
                        _ => false,
                    }
            });
            if let Some((found, _)) = found {
                let found = found.clone();
                let t = self.table_mut(ns, name);
                let cc = t.constraints.get_mut(&found).expect("found");
                cc.inherited = Some(Inherited {
                    count: 1,
                    local: false,
                });
                continue;
            }
            // A partitioned partition's copy must hold its own partition
            // key's columns too (`DefineIndex` on it).
            self.check_unique_on_partitioned(
                ns,
                name,
                &columns,
                if primary { "PRIMARY KEY" } else { "UNIQUE" },
            )?;
            if primary
                && child
                    .constraints
                    .values()
                    .any(|x| matches!(x.kind, ConstraintKind::PrimaryKey { .. }))
            {
                return Err(err(
                    INVALID_TABLE_DEFINITION,
                    format!("multiple primary keys for table \"{name}\" are not allowed"),
                ));
            }
            let cname = if primary {
                self.choose_name(super::naming::TakenBy::Both, ns, name, None, "pkey")
            } else {
                let mut parts: Vec<&str> = columns.iter().map(String::as_str).collect();
                parts.extend(include.iter().map(String::as_str));
                let numbered = names::index_column_names(&parts);
                let numbered: Vec<&str> = numbered.iter().map(String::as_str).collect();
                let joined = names::join_column_names(&numbered);
                self.choose_name(super::naming::TakenBy::Both, ns, name, Some(&joined), "key")
            };
            let mut nc = c.clone();
            nc.comment = None;
            nc.inherited = Some(Inherited {
                count: 1,
                local: false,
            });
            let t = self.table_mut(ns, name);
            for col in &columns {
                if primary {
                    if let Some(x) = t.column_mut(col) {
                        x.not_null = true;
                    }
                }
            }
            t.constraints.insert(cname.clone(), nc);
            self.table_changed(ns, name);
            self.touch(ObjectPath::in_table(
                ObjectKind::Constraint,
                ns,
                name,
                &cname,
            ));
            let _ = cn;
        }
        for (iname, idx) in &p.indexes {
            self.attach_or_create_index(pns, iname, idx, ns, name)?;
        }
        // Foreign keys, by name.
        for (cn, c) in &p.constraints {
            if !matches!(c.kind, ConstraintKind::ForeignKey { .. }) {
                continue;
            }
            let child = self.table(ns, name).expect("resolved");
            if let Some(existing) = child.constraints.get(cn) {
                if existing.kind == c.kind && existing.inherited.is_some() {
                    // Cloned already.
                    continue;
                }
                if existing.kind == c.kind && existing.inherited.is_none() {
                    let t = self.table_mut(ns, name);
                    t.constraints.get_mut(cn).expect("found").inherited = Some(Inherited {
                        count: 1,
                        local: false,
                    });
                    continue;
                }
                return Err(help(
                    err(
                        FEATURE_NOT_SUPPORTED,
                        format!(
                            "the foreign key \"{cn}\" of \"{pname}\" cannot be cloned to \"{name}\": a constraint of that name exists (strata does not choose another name yet)"
                        ),
                    ),
                    IGNORE_HELP,
                ));
            }
            let mut nc = c.clone();
            nc.comment = None;
            nc.inherited = Some(Inherited {
                count: 1,
                local: false,
            });
            self.table_mut(ns, name).constraints.insert(cn.clone(), nc);
            self.touch(ObjectPath::in_table(ObjectKind::Constraint, ns, name, cn));
        }
        Ok(())
    }

    /// A key or foreign key added to the partitioned table `ns.tn`: every
    /// partition gets its copy, and the partitions of a partitioned one
    /// theirs (`DefineIndex` and `addFkRecurseReferencing` recurse).
    fn clone_to_partitions(&mut self, ns: &str, tn: &str) -> R<()> {
        for (cns, cn) in self.children_of(ns, tn) {
            self.clone_parent_indexes(ns, tn, &cns, &cn)?;
            if self
                .table(&cns, &cn)
                .is_some_and(|t| t.partition_by.is_some())
            {
                self.clone_to_partitions(&cns, &cn)?;
            }
        }
        Ok(())
    }

    /// A partitioned index on a partition: an unattached index of the same
    /// definition is attached, else an index is created.
    pub(super) fn attach_or_create_index(
        &mut self,
        pns: &str,
        iname: &str,
        idx: &Index,
        ns: &str,
        name: &str,
    ) -> R<()> {
        let parent_ref = RelationRef::new(pns, iname);
        let child = self.table(ns, name).expect("resolved");
        if child
            .indexes
            .values()
            .any(|i| i.attached_to.as_ref() == Some(&parent_ref))
        {
            return Ok(());
        }
        let found = child
            .indexes
            .iter()
            .find(|(_, ci)| ci.attached_to.is_none() && same_index(ci, idx))
            .map(|(n, _)| n.clone());
        if let Some(found) = found {
            self.table_mut(ns, name)
                .indexes
                .get_mut(&found)
                .expect("found")
                .attached_to = Some(parent_ref);
            self.touch(ObjectPath::in_table(ObjectKind::Index, ns, name, &found));
            return Ok(());
        }
        let mut parts: Vec<String> = idx
            .keys
            .iter()
            .map(|k| match &k.key {
                IndexKeyExpr::Column(c) => c.clone(),
                IndexKeyExpr::Expression(e) => super::index::expression_column_name(&e.sql),
            })
            .collect();
        parts.extend(idx.include.iter().cloned());
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        let numbered = names::index_column_names(&parts);
        let numbered: Vec<&str> = numbered.iter().map(String::as_str).collect();
        let joined = names::join_column_names(&numbered);
        let new_name = self.choose_name(
            super::naming::TakenBy::Relation,
            ns,
            name,
            Some(&joined),
            "idx",
        );
        let mut ni = idx.clone();
        ni.comment = None;
        ni.attached_to = Some(parent_ref);
        // Statistics targets of expression keys are not copied.
        for k in &mut ni.keys {
            k.statistics = None;
        }
        self.table_mut(ns, name)
            .indexes
            .insert(new_name.clone(), Box::new(ni.clone()));
        self.touch(ObjectPath::in_table(ObjectKind::Index, ns, name, &new_name));
        // A partitioned partition passes the index on.
        if self
            .table(ns, name)
            .is_some_and(|t| t.partition_by.is_some())
        {
            for (cns, cn) in self.children_of(ns, name) {
                self.attach_or_create_index(ns, &new_name, &ni, &cns, &cn)?;
            }
        }
        Ok(())
    }

    /// `CREATE TABLE … INHERITS (…)`: `MergeAttributes`. Called on the new,
    /// empty table before its own columns are added; the local columns
    /// that repeat an inherited one are merged by `merge_local_column`.
    pub(super) fn inherit_at_create(&mut self, ns: &str, name: &str, parents: &[QName]) -> R<()> {
        let mut refs: Vec<RelationRef> = Vec::new();
        let mut columns: Vec<Column> = Vec::new();
        let mut checks: std::collections::BTreeMap<String, Box<crate::model::Constraint>> =
            std::collections::BTreeMap::new();
        for q in parents {
            let pns = self.table_ns(q)?;
            let p = self.table(&pns, &q.name).expect("resolved");
            if p.partition_by.is_some() {
                return Err(err(
                    WRONG_OBJECT_TYPE,
                    format!("cannot inherit from partitioned table \"{}\"", q.name),
                ));
            }
            if p.partition_of.is_some() {
                return Err(err(
                    WRONG_OBJECT_TYPE,
                    format!("cannot inherit from partition \"{}\"", q.name),
                ));
            }
            let r = RelationRef::new(&pns, &q.name);
            if refs.contains(&r) {
                return Err(err(
                    DUPLICATE_TABLE,
                    format!(
                        "relation \"{}\" would be inherited from more than once",
                        q.name
                    ),
                ));
            }
            refs.push(r);
            for c in &p.columns {
                if c.identity.is_some() {
                    return Err(help(
                        err(
                            FEATURE_NOT_SUPPORTED,
                            format!(
                                "inheriting the identity column \"{}\" is not supported yet",
                                c.name
                            ),
                        ),
                        IGNORE_HELP,
                    ));
                }
                match columns.iter_mut().find(|x| x.name == c.name) {
                    Some(x) => {
                        if x.data_type != c.data_type {
                            return Err(help(
                                err(
                                    DATATYPE_MISMATCH,
                                    format!("inherited column \"{}\" has a type conflict", c.name),
                                ),
                                format!("{} versus {}", x.data_type, c.data_type),
                            ));
                        }
                        if x.collation != c.collation {
                            return Err(err(
                                DATATYPE_MISMATCH,
                                format!("inherited column \"{}\" has a collation conflict", c.name),
                            ));
                        }
                        x.not_null |= c.not_null;
                        if x.default != c.default {
                            if x.default.is_none() {
                                x.default = c.default.clone();
                            } else if c.default.is_some() {
                                return Err(help(
                                    err(
                                        FEATURE_NOT_SUPPORTED,
                                        format!("column \"{}\" inherits different defaults from its parents: not supported yet (the server accepts it only when the child sets its own default)", c.name),
                                    ),
                                    IGNORE_HELP,
                                ));
                            }
                        }
                        if x.generated != c.generated {
                            return Err(err(
                                DATATYPE_MISMATCH,
                                format!(
                                    "inherited column \"{}\" has a generation conflict",
                                    c.name
                                ),
                            ));
                        }
                        if let Some(i) = &mut x.inherited {
                            i.count += 1;
                        }
                    }
                    None => columns.push(inherited_column(c)),
                }
            }
            for (cn, c) in &p.constraints {
                if let ConstraintKind::Check {
                    no_inherit: false, ..
                } = c.kind
                {
                    match checks.get_mut(cn) {
                        Some(x) if x.kind == c.kind => {
                            if let Some(i) = &mut x.inherited {
                                i.count += 1;
                            }
                        }
                        Some(_) => {
                            return Err(err(
                                "42710",
                                format!("check constraint name \"{cn}\" appears multiple times but with different expressions"),
                            ))
                        }
                        None => {
                            let mut c = c.clone();
                            c.comment = None;
                            c.inherited = Some(Inherited {
                                count: 1,
                                local: false,
                            });
                            checks.insert(cn.clone(), c);
                        }
                    }
                }
            }
        }
        let t = self.table_mut(ns, name);
        t.columns = columns;
        t.constraints = checks;
        t.inherits = refs;
        Ok(())
    }

    /// A local column of `CREATE TABLE … INHERITS` that repeats an inherited
    /// one: merged (`merging column "a" with inherited definition`).
    /// Returns false when the column is not inherited.
    pub(super) fn merge_local_column(
        &mut self,
        ns: &str,
        table: &str,
        c: &crate::parse::ColumnDef,
    ) -> R<bool> {
        let data_type = self.resolve_type(&c.data_type);
        let t = self.table_mut(ns, table);
        let Some(x) = t.column_mut(&c.name) else {
            return Ok(false);
        };
        if x.inherited.is_none() {
            return Ok(false);
        }
        if x.data_type != data_type {
            return Err(help(
                err(
                    DATATYPE_MISMATCH,
                    format!("column \"{}\" has a type conflict", c.name),
                ),
                format!("{} versus {}", x.data_type, data_type),
            ));
        }
        if c.identity.is_some() || c.serial || c.generated.is_some() {
            return Err(help(
                err(
                    FEATURE_NOT_SUPPORTED,
                    format!(
                        "merging column \"{}\" with an identity, serial or generated local definition is not supported yet",
                        c.name
                    ),
                ),
                IGNORE_HELP,
            ));
        }
        if c.collation.is_some() && c.collation.as_deref() != x.collation.as_deref() {
            return Err(err(
                DATATYPE_MISMATCH,
                format!("column \"{}\" has a collation conflict", c.name),
            ));
        }
        x.not_null |= c.not_null;
        if c.default.is_some() {
            x.default = c.default.clone();
        }
        if let Some(i) = &mut x.inherited {
            i.local = true;
        }
        Ok(true)
    }

    /// `ALTER TABLE parent ATTACH PARTITION child FOR VALUES …`.
    pub(super) fn attach_partition(
        &mut self,
        pns: &str,
        pname: &str,
        child: &QName,
        bound: &PartitionBound,
    ) -> R<()> {
        let p = self.table(pns, pname).expect("resolved").clone();
        if p.partition_by.is_none() {
            return Err(err(
                WRONG_OBJECT_TYPE,
                format!("table \"{pname}\" is not partitioned"),
            ));
        }
        let ns = self.table_ns(child)?;
        let name = child.name.clone();
        let c = self.table(&ns, &name).expect("resolved").clone();
        if c.partition_of.is_some() {
            return Err(err(
                NOT_IN_PREREQUISITE_STATE,
                format!("\"{name}\" is already a partition"),
            ));
        }
        if !c.inherits.is_empty() {
            return Err(err(
                WRONG_OBJECT_TYPE,
                "cannot attach inheritance child as partition",
            ));
        }
        if !self.children_of(&ns, &name).is_empty() && c.partition_by.is_none() {
            return Err(err(
                WRONG_OBJECT_TYPE,
                "cannot attach inheritance parent as partition",
            ));
        }
        if ns == pns && name == pname {
            return Err(err(DUPLICATE_TABLE, "circular inheritance not allowed"));
        }
        if p.unlogged != c.unlogged {
            return Err(help(
                err(
                    FEATURE_NOT_SUPPORTED,
                    "attaching a partition whose UNLOGGED setting differs from its parent's is not supported yet",
                ),
                IGNORE_HELP,
            ));
        }
        self.refuse_unmodelled_parent(pns, pname)?;
        // Columns: the same set, the same types (`MergeAttributesIntoExisting`).
        for cc in &c.columns {
            if p.column(&cc.name).is_none() {
                return Err(help(
                    err(
                        DATATYPE_MISMATCH,
                        format!(
                            "table \"{name}\" contains column \"{}\" not found in parent \"{pname}\"",
                            cc.name
                        ),
                    ),
                    "The new partition may contain only the columns present in parent.",
                ));
            }
        }
        let (expr, _) = self.read_bound(&p, pname, bound)?;
        self.check_overlap(pns, pname, &name, &expr)?;
        self.merge_into_existing(&p, pname, &ns, &name, true)?;
        let t = self.table_mut(&ns, &name);
        t.partition_of = Some(PartitionOf {
            parent: RelationRef::new(pns, pname),
            bound: expr,
        });
        self.table_changed(&ns, &name);
        self.touch(ObjectPath::new(ObjectKind::Table, &ns, &name));
        self.clone_parent_indexes(pns, pname, &ns, &name)
    }

    /// `MergeAttributesIntoExisting` and `MergeConstraintsIntoExisting`:
    /// the parent's columns and checks must be on the child; their counts
    /// go up (and a partition's copies stop being local).
    fn merge_into_existing(
        &mut self,
        p: &Table,
        pname: &str,
        ns: &str,
        name: &str,
        is_partition: bool,
    ) -> R<()> {
        let c = self.table(ns, name).expect("resolved").clone();
        for pc in &p.columns {
            let Some(cc) = c.column(&pc.name) else {
                return Err(err(
                    DATATYPE_MISMATCH,
                    format!("child table is missing column \"{}\"", pc.name),
                ));
            };
            if cc.data_type != pc.data_type {
                return Err(err(
                    DATATYPE_MISMATCH,
                    format!(
                        "child table \"{name}\" has different type for column \"{}\"",
                        pc.name
                    ),
                ));
            }
            if cc.collation != pc.collation {
                return Err(err(
                    DATATYPE_MISMATCH,
                    format!(
                        "child table \"{name}\" has different collation for column \"{}\"",
                        pc.name
                    ),
                ));
            }
            if pc.not_null && !cc.not_null {
                return Err(err(
                    DATATYPE_MISMATCH,
                    format!(
                        "column \"{}\" in child table must be marked NOT NULL",
                        pc.name
                    ),
                ));
            }
            if pc.generated.is_some() != cc.generated.is_some() {
                return Err(err(
                    DATATYPE_MISMATCH,
                    format!(
                        "column \"{}\" in child table must {}be a generated column",
                        pc.name,
                        if pc.generated.is_some() { "" } else { "not " }
                    ),
                ));
            }
        }
        for (pcn, pcon) in &p.constraints {
            let ConstraintKind::Check {
                no_inherit: false, ..
            } = pcon.kind
            else {
                continue;
            };
            let ok = c.constraints.get(pcn).is_some_and(|x| {
                matches!(
                    (&x.kind, &pcon.kind),
                    (ConstraintKind::Check { expression: a, no_inherit: false }, ConstraintKind::Check { expression: b, .. }) if a == b
                )
            });
            if !ok {
                if c.constraints.contains_key(pcn) {
                    return Err(help(
                        err(
                            DATATYPE_MISMATCH,
                            format!(
                                "child table \"{name}\" has different definition for check constraint \"{pcn}\""
                            ),
                        ),
                        "or strata cannot prove the two expressions the same",
                    ));
                }
                return Err(err(
                    DATATYPE_MISMATCH,
                    format!("child table is missing constraint \"{pcn}\""),
                ));
            }
        }
        let _ = pname;
        let t = self.table_mut(ns, name);
        for pc in &p.columns {
            let cc = t.column_mut(&pc.name).expect("checked");
            cc.inherited = Some(match cc.inherited {
                None => Inherited {
                    count: 1,
                    local: !is_partition,
                },
                Some(i) => Inherited {
                    count: i.count + 1,
                    local: i.local && !is_partition,
                },
            });
        }
        for (pcn, pcon) in &p.constraints {
            if let ConstraintKind::Check {
                no_inherit: false, ..
            } = pcon.kind
            {
                let x = t.constraints.get_mut(pcn).expect("checked");
                x.inherited = Some(match x.inherited {
                    None => Inherited {
                        count: 1,
                        local: !is_partition,
                    },
                    Some(i) => Inherited {
                        count: i.count + 1,
                        local: i.local && !is_partition,
                    },
                });
            }
        }
        Ok(())
    }

    /// `ALTER TABLE parent DETACH PARTITION child [CONCURRENTLY | FINALIZE]`.
    pub(super) fn detach_partition(
        &mut self,
        pns: &str,
        pname: &str,
        child: &QName,
        concurrently: bool,
        finalize: bool,
    ) -> R<()> {
        let p = self.table(pns, pname).expect("resolved").clone();
        if p.partition_by.is_none() {
            return Err(err(
                WRONG_OBJECT_TYPE,
                format!("table \"{pname}\" is not partitioned"),
            ));
        }
        let ns = self.table_ns(child)?;
        let name = child.name.clone();
        let me = RelationRef::new(pns, pname);
        let is_mine = self
            .table(&ns, &name)
            .and_then(|t| t.partition_of.as_ref())
            .is_some_and(|po| po.parent == me);
        if !is_mine {
            return Err(err(
                UNDEFINED_TABLE,
                format!("relation \"{name}\" is not a partition of relation \"{pname}\""),
            ));
        }
        if finalize {
            return Err(help(
                err(
                    NOT_IN_PREREQUISITE_STATE,
                    format!("cannot complete detaching partition \"{name}\""),
                ),
                "There's no pending concurrent detach.",
            ));
        }
        if concurrently {
            let has_default = self.children_of(pns, pname).iter().any(|(sns, sn)| {
                self.table(sns, sn)
                    .and_then(|t| t.partition_of.as_ref())
                    .is_some_and(|po| po.bound.exact() == Some("DEFAULT"))
            });
            if has_default {
                return Err(err(
                    NOT_IN_PREREQUISITE_STATE,
                    "cannot detach partitions concurrently when a default partition exists",
                ));
            }
        }
        let parent_indexes: Vec<RelationRef> =
            p.indexes.keys().map(|i| RelationRef::new(pns, i)).collect();
        let t = self.table_mut(&ns, &name);
        t.partition_of = None;
        uninherit(t, &p, true);
        for i in t.indexes.values_mut() {
            if i.attached_to
                .as_ref()
                .is_some_and(|a| parent_indexes.contains(a))
            {
                i.attached_to = None;
            }
        }
        for c in t.constraints.values_mut() {
            if matches!(
                c.kind,
                ConstraintKind::PrimaryKey { .. }
                    | ConstraintKind::Unique { .. }
                    | ConstraintKind::ForeignKey { .. }
            ) {
                c.inherited = None;
            }
        }
        self.table_changed(&ns, &name);
        self.touch(ObjectPath::new(ObjectKind::Table, &ns, &name));
        Ok(())
    }

    /// `ALTER TABLE child INHERIT parent`.
    pub(super) fn add_inherit(&mut self, ns: &str, name: &str, parent: &QName) -> R<()> {
        let pns = self.table_ns(parent)?;
        let pname = parent.name.clone();
        let p = self.table(&pns, &pname).expect("resolved").clone();
        let c = self.table(ns, name).expect("resolved").clone();
        if c.partition_of.is_some() {
            return Err(err(
                WRONG_OBJECT_TYPE,
                "cannot change inheritance of a partition",
            ));
        }
        if c.partition_by.is_some() {
            return Err(err(
                WRONG_OBJECT_TYPE,
                "cannot change inheritance of partitioned table",
            ));
        }
        if p.partition_by.is_some() {
            return Err(err(
                WRONG_OBJECT_TYPE,
                format!("cannot inherit from partitioned table \"{pname}\""),
            ));
        }
        if p.partition_of.is_some() {
            return Err(err(WRONG_OBJECT_TYPE, "cannot inherit from a partition"));
        }
        let pref = RelationRef::new(&pns, &pname);
        if c.inherits.contains(&pref) {
            return Err(err(
                DUPLICATE_TABLE,
                format!("relation \"{pname}\" would be inherited from more than once"),
            ));
        }
        if (pns == ns && pname == name)
            || self
                .descendants_of(ns, name)
                .contains(&(pns.clone(), pname.clone()))
        {
            return Err(err(DUPLICATE_TABLE, "circular inheritance not allowed"))
                .map_err(|e| help(e, format!("\"{pname}\" is already a child of \"{name}\".")));
        }
        self.merge_into_existing(&p, &pname, ns, name, false)?;
        let t = self.table_mut(ns, name);
        t.inherits.push(pref);
        self.touch(ObjectPath::new(ObjectKind::Table, ns, name));
        Ok(())
    }

    /// `ALTER TABLE child NO INHERIT parent`.
    pub(super) fn drop_inherit(&mut self, ns: &str, name: &str, parent: &QName) -> R<()> {
        let pns = self.table_ns(parent)?;
        let pname = parent.name.clone();
        let pref = RelationRef::new(&pns, &pname);
        let c = self.table(ns, name).expect("resolved");
        if c.partition_of.is_some() {
            return Err(err(
                WRONG_OBJECT_TYPE,
                "cannot change inheritance of a partition",
            ));
        }
        if !c.inherits.contains(&pref) {
            return Err(err(
                UNDEFINED_TABLE,
                format!("relation \"{pname}\" is not a parent of relation \"{name}\""),
            ));
        }
        let p = self.table(&pns, &pname).expect("resolved").clone();
        let t = self.table_mut(ns, name);
        t.inherits.retain(|r| *r != pref);
        uninherit(t, &p, false);
        self.touch(ObjectPath::new(ObjectKind::Table, ns, name));
        Ok(())
    }

    /// `DROP TABLE` of a table with children: partitions go with their
    /// parent; inheritance children need CASCADE. Returns every table to
    /// drop, children first.
    pub(super) fn tables_dropped_with(
        &self,
        ns: &str,
        name: &str,
        cascade: bool,
    ) -> R<Vec<(String, String)>> {
        let t = self.table(ns, name).expect("resolved");
        let mut out = Vec::new();
        for (cns, cn) in self.children_of(ns, name) {
            if t.partition_by.is_none() && !cascade {
                return Err(help(
                    err(
                        DEPENDENT_OBJECTS,
                        format!("cannot drop table {name} because other objects depend on it"),
                    ),
                    format!(
                        "table {cn} depends on table {name}; use DROP ... CASCADE to drop the dependent objects too"
                    ),
                ));
            }
            let c = self.table(&cns, &cn).expect("listed");
            if t.partition_by.is_some() || c.inherits.len() <= 1 || cascade {
                for d in self.tables_dropped_with(&cns, &cn, cascade)? {
                    if !out.contains(&d) {
                        out.push(d);
                    }
                }
                out.push((cns, cn));
            }
        }
        Ok(out)
    }

    /// After a table is dropped: its parents lose a partition or child
    /// (nothing to do, children name their parents), and the indexes
    /// attached to its indexes are detached (they went with it).
    pub(super) fn dropped_from_hierarchy(&mut self, ns: &str, name: &str) {
        self.relink_parent(&RelationRef::new(ns, name), None);
    }

    /// After a table is dropped, renamed or moved: what names it.
    pub(super) fn relink_parent(&mut self, from: &RelationRef, to: Option<&RelationRef>) {
        // Only the tables that name `from` can be its partitions or children.
        for (rns, rtn) in self.referrers(&from.namespace, &from.name) {
            if let Some(t) = self.table_mut_if(&rns, &rtn) {
                if let Some(po) = &mut t.partition_of {
                    if po.parent == *from {
                        match to {
                            Some(to) => po.parent = to.clone(),
                            None => t.partition_of = None,
                        }
                    }
                }
                match to {
                    Some(to) => {
                        for r in t.inherits.iter_mut() {
                            if r == from {
                                *r = to.clone();
                            }
                        }
                    }
                    None => t.inherits.retain(|r| r != from),
                }
            }
        }
    }

    /// After an index is renamed or moved: the indexes attached to it.
    pub(super) fn relink_index(&mut self, from: &RelationRef, to: Option<&RelationRef>) {
        for n in self.schema.namespaces.values_mut() {
            for t in n.tables.values_mut() {
                for i in t.indexes.values_mut() {
                    if i.attached_to.as_ref() == Some(from) {
                        i.attached_to = to.cloned();
                    }
                }
            }
        }
    }

    /// `ALTER INDEX parent ATTACH PARTITION child`.
    pub(super) fn attach_index(&mut self, parent: QName, child: QName) -> R<()> {
        let Some((pns, ptable, pcons)) = self.find_index(&parent) else {
            return Err(err(
                UNDEFINED_TABLE,
                format!("relation \"{}\" does not exist", super::display_q(&parent)),
            ));
        };
        let Some((cns, ctable, ccons)) = self.find_index(&child) else {
            return Err(err(
                UNDEFINED_TABLE,
                format!("relation \"{}\" does not exist", super::display_q(&child)),
            ));
        };
        let p = self.table(&pns, &ptable).expect("resolved").clone();
        let c = self.table(&cns, &ctable).expect("resolved").clone();
        if p.partition_by.is_none() {
            return Err(err(
                WRONG_OBJECT_TYPE,
                format!("\"{}\" is not a partitioned index", parent.name),
            ));
        }
        let cant = |detail: String| {
            help(
                err(
                    INVALID_OBJECT_DEFINITION,
                    format!(
                        "cannot attach index \"{}\" as a partition of index \"{}\"",
                        child.name, parent.name
                    ),
                ),
                detail,
            )
        };
        if c.partition_of.as_ref().map(|po| &po.parent) != Some(&RelationRef::new(&pns, &ptable)) {
            return Err(cant(format!(
                "Index \"{}\" is not an index on any partition of table \"{ptable}\".",
                child.name
            )));
        }
        let pref = RelationRef::new(&pns, &parent.name);
        match (pcons, ccons) {
            (false, false) => {
                let pi = p.indexes.get(&parent.name).expect("found").clone();
                let ci = c.indexes.get(&child.name).expect("found");
                if ci.attached_to.as_ref() == Some(&pref) {
                    return Ok(());
                }
                if ci.attached_to.is_some() {
                    return Err(cant(format!(
                        "Index \"{}\" is already attached to another index.",
                        child.name
                    )));
                }
                if !same_index(ci, &pi) {
                    return Err(cant("The index definitions do not match.".to_string()));
                }
                if c.indexes
                    .values()
                    .any(|i| i.attached_to.as_ref() == Some(&pref))
                {
                    return Err(cant(format!(
                        "Another index is already attached for partition \"{ctable}\"."
                    )));
                }
                self.table_mut(&cns, &ctable)
                    .indexes
                    .get_mut(&child.name)
                    .expect("found")
                    .attached_to = Some(pref);
            }
            (true, true) => {
                let pc = p.constraints.get(&parent.name).expect("found");
                let cc = c.constraints.get(&child.name).expect("found");
                if cc.inherited.is_some() {
                    // Attached already (to this index, as strata keeps one
                    // key per definition).
                    if pc.kind == cc.kind {
                        return Ok(());
                    }
                    return Err(cant(format!(
                        "Index \"{}\" is already attached to another index.",
                        child.name
                    )));
                }
                if pc.kind != cc.kind || pc.deferrable != cc.deferrable {
                    return Err(cant("The index definitions do not match.".to_string()));
                }
                self.table_mut(&cns, &ctable)
                    .constraints
                    .get_mut(&child.name)
                    .expect("found")
                    .inherited = Some(Inherited {
                    count: 1,
                    local: false,
                });
            }
            _ => return Err(cant("The index definitions do not match.".to_string())),
        }
        self.touch(ObjectPath::in_table(
            if ccons {
                ObjectKind::Constraint
            } else {
                ObjectKind::Index
            },
            &cns,
            &ctable,
            &child.name,
        ));
        Ok(())
    }
}

impl Replayer {
    /// What `ALTER TABLE` does to a table in a hierarchy: recursion to
    /// children, and the errors for inherited columns and constraints.
    /// Returns true when it applied the action itself; false to let the
    /// ordinary path apply it to this table (after the children, if any).
    pub(super) fn alter_inherited(
        &mut self,
        ns: &str,
        tn: &str,
        only: bool,
        a: &TableAction,
    ) -> R<bool> {
        let t = self.table(ns, tn).expect("resolved");
        let partitioned = t.partition_by.is_some();
        let is_partition = t.partition_of.is_some();
        let children = self.children_of(ns, tn);
        let not_yet =
            |what: String| -> ReplayError { help(err(FEATURE_NOT_SUPPORTED, what), IGNORE_HELP) };
        match a {
            TableAction::AddColumn { column, .. } => {
                if children.is_empty() || t.column(&column.name).is_some() {
                    return Ok(false);
                }
                if only {
                    return Err(err(
                        INVALID_TABLE_DEFINITION,
                        "column must be added to child tables too",
                    ));
                }
                if !column.constraints.is_empty() || column.identity.is_some() || column.serial {
                    return Err(not_yet(format!(
                        "ADD COLUMN \"{}\" with constraints, identity or serial on a table with partitions or children is not supported yet",
                        column.name
                    )));
                }
                self.add_column(ns, tn, (**column).clone(), true)?;
                let col = self
                    .table(ns, tn)
                    .and_then(|t| t.column(&column.name))
                    .expect("added")
                    .clone();
                self.add_column_to_children(ns, tn, &col)?;
                Ok(true)
            }
            TableAction::DropColumn { name, .. } => {
                let Some(c) = t.column(name) else {
                    return Ok(false);
                };
                if c.inherited.is_some() {
                    return Err(err(
                        INVALID_TABLE_DEFINITION,
                        format!("cannot drop inherited column \"{name}\""),
                    ));
                }
                if children.is_empty() {
                    return Ok(false);
                }
                if only && partitioned {
                    return Err(help(
                        err(
                            INVALID_TABLE_DEFINITION,
                            "cannot drop column from only the partitioned table when partitions exist",
                        ),
                        "Do not specify the ONLY keyword.",
                    ));
                }
                for (cns, cn) in children {
                    self.drop_column_from_child(&cns, &cn, name, only)?;
                }
                Ok(false)
            }
            TableAction::AlterColumn { name, op } => {
                let Some(c) = t.column(name) else {
                    return Ok(false);
                };
                if c.inherited.is_some() && matches!(op, ColumnOp::SetType { .. }) {
                    return Err(err(
                        INVALID_TABLE_DEFINITION,
                        format!("cannot alter inherited column \"{name}\""),
                    ));
                }
                if is_partition && matches!(op, ColumnOp::DropNotNull) {
                    let parent = t.partition_of.as_ref().expect("partition").parent.clone();
                    if self
                        .table(&parent.namespace, &parent.name)
                        .and_then(|p| p.column(name))
                        .is_some_and(|pc| pc.not_null)
                    {
                        return Err(err(
                            INVALID_TABLE_DEFINITION,
                            format!("column \"{name}\" is marked NOT NULL in parent table"),
                        ));
                    }
                }
                if children.is_empty() {
                    return Ok(false);
                }
                let recurses = matches!(
                    op,
                    ColumnOp::SetType { .. }
                        | ColumnOp::SetDefault(_)
                        | ColumnOp::DropDefault
                        | ColumnOp::SetNotNull
                        | ColumnOp::DropNotNull
                        | ColumnOp::SetStatistics(_)
                        | ColumnOp::NoOp(_)
                );
                if !recurses {
                    return Err(not_yet(format!(
                        "this ALTER COLUMN on \"{name}\" of a table with partitions or children is not supported yet"
                    )));
                }
                if only {
                    return match op {
                        ColumnOp::SetDefault(_) | ColumnOp::DropDefault | ColumnOp::NoOp(_) | ColumnOp::SetStatistics(_) => Ok(false),
                        ColumnOp::SetType { .. } => Err(err(
                            INVALID_TABLE_DEFINITION,
                            format!("type of inherited column \"{name}\" must be changed in child tables too"),
                        )),
                        ColumnOp::SetNotNull if partitioned => Err(err(
                            INVALID_TABLE_DEFINITION,
                            "constraint must be added to child tables too",
                        )),
                        ColumnOp::DropNotNull if partitioned => Err(err(
                            INVALID_TABLE_DEFINITION,
                            "constraint must be dropped from child tables too",
                        )),
                        _ => Ok(false),
                    };
                }
                for (cns, cn) in self.descendants_of(ns, tn) {
                    if self.table(&cns, &cn).and_then(|t| t.column(name)).is_some() {
                        self.alter_column(&cns, &cn, name, op.clone())?;
                    }
                }
                Ok(false)
            }
            TableAction::RenameColumn { old, new } => {
                if t.column(old).is_some_and(|c| c.inherited.is_some()) {
                    return Err(err(
                        INVALID_TABLE_DEFINITION,
                        format!("cannot rename inherited column \"{old}\""),
                    ));
                }
                if children.is_empty() {
                    return Ok(false);
                }
                if only {
                    return Err(err(
                        INVALID_TABLE_DEFINITION,
                        format!("inherited column \"{old}\" must be renamed in child tables too"),
                    ));
                }
                for (cns, cn) in self.descendants_of(ns, tn) {
                    let c = self.table(&cns, &cn).expect("listed");
                    if c.column(new).is_some() {
                        return Err(err(
                            super::DUPLICATE_COLUMN,
                            format!("column \"{new}\" of relation \"{cn}\" already exists"),
                        ));
                    }
                    if c.column(old).is_some_and(|c| c.inherited.is_some_and(|i| i.count > 1)) {
                        return Err(err(
                            INVALID_TABLE_DEFINITION,
                            format!("cannot rename inherited column \"{old}\""),
                        ));
                    }
                }
                for (cns, cn) in self.descendants_of(ns, tn) {
                    if self.table(&cns, &cn).and_then(|t| t.column(old)).is_some() {
                        self.rename_column(&cns, &cn, old, new);
                    }
                }
                Ok(false)
            }
            TableAction::AddConstraint(c) => {
                if partitioned {
                    self.check_partitioned_key(ns, tn, c)?;
                }
                if children.is_empty() {
                    return Ok(false);
                }
                match &c.kind {
                    ConstraintDefKind::Check { no_inherit, .. } => {
                        if *no_inherit {
                            if partitioned {
                                return Err(err(
                                    FEATURE_NOT_SUPPORTED,
                                    format!("cannot add NO INHERIT constraint to partitioned table \"{tn}\""),
                                ));
                            }
                            return Ok(false);
                        }
                        if only {
                            if partitioned {
                                return Err(err(
                                    INVALID_TABLE_DEFINITION,
                                    "constraint must be added to child tables too",
                                ));
                            }
                            return Ok(false);
                        }
                        let before: Vec<String> = t.constraints.keys().cloned().collect();
                        self.add_constraint(ns, tn, c.clone(), false)?;
                        let t = self.table(ns, tn).expect("resolved");
                        let (cname, con) = t
                            .constraints
                            .iter()
                            .find(|(k, _)| !before.contains(k))
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .expect("added");
                        self.add_check_to_children(ns, tn, &cname, &con)?;
                        Ok(true)
                    }
                    ConstraintDefKind::PrimaryKey { .. } | ConstraintDefKind::Unique { .. }
                        if partitioned =>
                    {
                        if only {
                            // pg_dump's form: the parent's key alone, its
                            // partitions' keys attached one by one with
                            // `ALTER INDEX … ATTACH PARTITION`.
                            return Ok(false);
                        }
                        self.add_constraint(ns, tn, c.clone(), false)?;
                        self.clone_to_partitions(ns, tn)?;
                        Ok(true)
                    }
                    ConstraintDefKind::ForeignKey { .. } if partitioned => {
                        if only {
                            return Err(err(
                                WRONG_OBJECT_TYPE,
                                format!("cannot use ONLY for foreign key on partitioned table \"{tn}\" referencing relation"),
                            ));
                        }
                        self.add_constraint(ns, tn, c.clone(), false)?;
                        self.clone_to_partitions(ns, tn)?;
                        Ok(true)
                    }
                    ConstraintDefKind::Exclusion { .. } if partitioned => Err(not_yet(format!(
                        "exclusion constraints on the partitioned table \"{tn}\" with partitions are not supported yet"
                    ))),
                    _ => Ok(false),
                }
            }
            TableAction::DropConstraint { name, .. } => {
                let Some(c) = t.constraints.get(name) else {
                    return Ok(false);
                };
                if c.inherited.is_some_and(|i| !i.local || i.count > 0) && c.inherited.is_some() {
                    return Err(err(
                        INVALID_TABLE_DEFINITION,
                        format!("cannot drop inherited constraint \"{name}\" of relation \"{tn}\""),
                    ));
                }
                if children.is_empty() {
                    return Ok(false);
                }
                let kind = c.kind.clone();
                for (cns, cn) in children {
                    self.drop_constraint_from_child(&cns, &cn, name, &kind, only)?;
                }
                Ok(false)
            }
            TableAction::SetTrigger { .. } if !children.is_empty() => Err(not_yet(format!(
                "ENABLE/DISABLE TRIGGER on \"{tn}\", a table with partitions or children, is not supported yet"
            ))),
            _ => Ok(false),
        }
    }

    /// A unique key or primary key on a partitioned table must hold the
    /// partition key's columns (`DefineIndex`).
    pub(super) fn check_partitioned_key(&self, ns: &str, tn: &str, c: &ConstraintDef) -> R<()> {
        let (columns, what) = match &c.kind {
            ConstraintDefKind::PrimaryKey { columns, .. } => (columns, "PRIMARY KEY"),
            ConstraintDefKind::Unique { columns, .. } => (columns, "UNIQUE"),
            _ => return Ok(()),
        };
        self.check_unique_on_partitioned(ns, tn, columns, what)
    }

    pub(super) fn check_unique_on_partitioned(
        &self,
        ns: &str,
        tn: &str,
        columns: &[String],
        what: &str,
    ) -> R<()> {
        let t = self.table(ns, tn).expect("resolved");
        let Some(pb) = &t.partition_by else {
            return Ok(());
        };
        let (_, keys) = key_columns(pb);
        for k in keys {
            let Some(k) = k else {
                return Err(err(
                    FEATURE_NOT_SUPPORTED,
                    "unsupported UNIQUE constraint with partition key definition",
                ));
            };
            if !columns.contains(&k) {
                return Err(help(
                    err(
                        FEATURE_NOT_SUPPORTED,
                        "unique constraint on partitioned table must include all partitioning columns",
                    ),
                    format!(
                        "{what} constraint on table \"{tn}\" lacks column \"{k}\" which is part of the partition key."
                    ),
                ));
            }
        }
        Ok(())
    }

    fn add_column_to_children(&mut self, ns: &str, tn: &str, col: &Column) -> R<()> {
        for (cns, cn) in self.children_of(ns, tn) {
            let child = self.table(&cns, &cn).expect("listed");
            match child.column(&col.name) {
                Some(x) => {
                    if x.data_type != col.data_type {
                        return Err(err(
                            DATATYPE_MISMATCH,
                            format!(
                                "child table \"{cn}\" has different type for column \"{}\"",
                                col.name
                            ),
                        ));
                    }
                    let t = self.table_mut(&cns, &cn);
                    let x = t.column_mut(&col.name).expect("found");
                    x.inherited = Some(match x.inherited {
                        None => Inherited {
                            count: 1,
                            local: true,
                        },
                        Some(i) => Inherited {
                            count: i.count + 1,
                            local: i.local,
                        },
                    });
                    x.not_null |= col.not_null;
                }
                None => {
                    self.table_mut(&cns, &cn)
                        .columns
                        .push(inherited_column(col));
                    self.touch(ObjectPath::in_table(
                        ObjectKind::Column,
                        &cns,
                        &cn,
                        &col.name,
                    ));
                    self.add_column_to_children(&cns, &cn, col)?;
                }
            }
        }
        Ok(())
    }

    fn drop_column_from_child(&mut self, cns: &str, cn: &str, col: &str, only: bool) -> R<()> {
        let Some(c) = self.table(cns, cn).and_then(|t| t.column(col)).cloned() else {
            return Ok(());
        };
        let i = c.inherited.unwrap_or(Inherited {
            count: 1,
            local: true,
        });
        if !only && i.count == 1 && !i.local {
            for (gns, gn) in self.children_of(cns, cn) {
                self.drop_column_from_child(&gns, &gn, col, false)?;
            }
            self.drop_column_inner(cns, cn, col);
        } else {
            let t = self.table_mut(cns, cn);
            let x = t.column_mut(col).expect("found");
            x.inherited = if i.count <= 1 {
                None
            } else {
                Some(Inherited {
                    count: i.count - 1,
                    local: i.local || only,
                })
            };
        }
        Ok(())
    }

    fn add_check_to_children(
        &mut self,
        ns: &str,
        tn: &str,
        cname: &str,
        con: &crate::model::Constraint,
    ) -> R<()> {
        for (cns, cn) in self.children_of(ns, tn) {
            let child = self.table(&cns, &cn).expect("listed");
            match child.constraints.get(cname) {
                Some(x) => {
                    // The same check: the same stored expression, or (one
                    // of them not analysed yet) written with the same
                    // tokens.
                    let same = x.kind == con.kind
                        || match (&x.kind, &con.kind) {
                            (
                                ConstraintKind::Check {
                                    expression: e,
                                    no_inherit: n,
                                },
                                ConstraintKind::Check {
                                    expression: f,
                                    no_inherit: m,
                                },
                            ) => {
                                n == m
                                    && crate::parse::query_key(&e.sql)
                                        == crate::parse::query_key(&f.sql)
                            }
                            _ => false,
                        };
                    if !same {
                        return Err(err(
                            super::DUPLICATE_OBJECT,
                            format!("constraint \"{cname}\" for relation \"{cn}\" already exists"),
                        ));
                    }
                    let t = self.table_mut(&cns, &cn);
                    let x = t.constraints.get_mut(cname).expect("found");
                    x.inherited = Some(match x.inherited {
                        None => Inherited {
                            count: 1,
                            local: true,
                        },
                        Some(i) => Inherited {
                            count: i.count + 1,
                            local: i.local,
                        },
                    });
                }
                None => {
                    let mut c = con.clone();
                    c.comment = None;
                    c.inherited = Some(Inherited {
                        count: 1,
                        local: false,
                    });
                    self.table_mut(&cns, &cn)
                        .constraints
                        .insert(cname.to_string(), Box::new(c.clone()));
                    self.touch(ObjectPath::in_table(
                        ObjectKind::Constraint,
                        &cns,
                        &cn,
                        cname,
                    ));
                    self.add_check_to_children(&cns, &cn, cname, con)?;
                }
            }
        }
        Ok(())
    }

    fn drop_constraint_from_child(
        &mut self,
        cns: &str,
        cn: &str,
        name: &str,
        kind: &ConstraintKind,
        only: bool,
    ) -> R<()> {
        let child = self.table(cns, cn).expect("listed");
        // A partition's copy of a key has a name of its own.
        let target = match kind {
            ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. } => child
                .constraints
                .iter()
                .find(|(_, c)| c.inherited.is_some() && c.kind == *kind)
                .map(|(n, _)| n.clone()),
            _ => child
                .constraints
                .get(name)
                .filter(|c| c.inherited.is_some())
                .map(|_| name.to_string()),
        };
        let Some(target) = target else {
            return Ok(());
        };
        let i = child.constraints[&target].inherited.expect("inherited");
        if !only && i.count <= 1 && !i.local {
            for (gns, gn) in self.children_of(cns, cn) {
                self.drop_constraint_from_child(&gns, &gn, &target, kind, false)?;
            }
            self.table_mut(cns, cn).constraints.remove(&target);
        } else {
            let x = self
                .table_mut(cns, cn)
                .constraints
                .get_mut(&target)
                .expect("found");
            x.inherited = if i.count <= 1 {
                None
            } else {
                Some(Inherited {
                    count: i.count - 1,
                    local: i.local || only,
                })
            };
        }
        Ok(())
    }
}

/// A parent's column as a new child's: inherited once, not local.
fn inherited_column(c: &Column) -> Column {
    let mut x = c.clone();
    x.comment = None;
    x.statistics = None;
    x.identity = None;
    x.identity_options = None;
    // A foreign table's column options stay its own.
    x.fdw_options = Vec::new();
    x.inherited = Some(Inherited {
        count: 1,
        local: false,
    });
    x
}

/// `RemoveInheritance`: the child's copies of the parent's columns and
/// checks are inherited once less; what is inherited no more is local.
fn uninherit(t: &mut Table, p: &Table, is_partition: bool) {
    let _ = is_partition;
    let down = |i: &mut Option<Inherited>| {
        if let Some(x) = *i {
            *i = if x.count <= 1 {
                None
            } else {
                Some(Inherited {
                    count: x.count - 1,
                    local: x.local,
                })
            };
        }
    };
    for pc in &p.columns {
        if let Some(c) = t.column_mut(&pc.name) {
            down(&mut c.inherited);
        }
    }
    for (pcn, pcon) in &p.constraints {
        if matches!(
            pcon.kind,
            ConstraintKind::Check {
                no_inherit: false,
                ..
            }
        ) {
            if let Some(c) = t.constraints.get_mut(pcn) {
                down(&mut c.inherited);
            }
        }
    }
}

/// Two indexes of the same definition (what `CompareIndexInfo` compares;
/// names, comments and attachment aside).
pub(super) fn same_index(a: &Index, b: &Index) -> bool {
    a.unique == b.unique
        && a.method == b.method
        && a.keys.len() == b.keys.len()
        && a.keys.iter().zip(&b.keys).all(|(x, y)| {
            x.key == y.key
                && x.opclass == y.opclass
                && x.collation == y.collation
                && x.descending == y.descending
                && x.nulls_first == y.nulls_first
        })
        && a.include == b.include
        && a.nulls_not_distinct == b.nulls_not_distinct
        && a.predicate == b.predicate
}

/// A bound as the server's text, back into values (for overlap checks).
fn parse_bound_text(text: &str) -> Bound {
    fn values(s: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut cur = String::new();
        let mut in_q = false;
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\'' => {
                    in_q = !in_q;
                    cur.push(c);
                }
                ',' if !in_q => {
                    out.push(cur.trim().to_string());
                    cur.clear();
                    if chars.peek() == Some(&' ') {
                        chars.next();
                    }
                }
                _ => cur.push(c),
            }
        }
        if !cur.trim().is_empty() {
            out.push(cur.trim().to_string());
        }
        out
    }
    if text == "DEFAULT" {
        return Bound::Default;
    }
    if let Some(rest) = text
        .strip_prefix("FOR VALUES IN (")
        .and_then(|r| r.strip_suffix(')'))
    {
        return Bound::List(values(rest));
    }
    if let Some(rest) = text
        .strip_prefix("FOR VALUES WITH (modulus ")
        .and_then(|r| r.strip_suffix(')'))
    {
        if let Some((m, r)) = rest.split_once(", remainder ") {
            return Bound::Hash(m.parse().unwrap_or(1), r.parse().unwrap_or(0));
        }
    }
    if let Some(rest) = text.strip_prefix("FOR VALUES FROM (") {
        // `a, b) TO (c, d)` — the split is outside quotes.
        let mut in_q = false;
        let bytes: Vec<char> = rest.chars().collect();
        for i in 0..bytes.len() {
            if bytes[i] == '\'' {
                in_q = !in_q;
            }
            if !in_q && rest[rest.char_indices().nth(i).map_or(0, |x| x.0)..].starts_with(") TO (")
            {
                let at = rest.char_indices().nth(i).map_or(0, |x| x.0);
                let lo = &rest[..at];
                let hi = rest[at + ") TO (".len()..].trim_end_matches(')');
                return Bound::Range(values(lo), values(hi));
            }
        }
    }
    Bound::List(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_a_partition_key() {
        assert_eq!(
            key_columns("RANGE (\"createdAt\")"),
            ("RANGE".to_string(), vec![Some("createdAt".to_string())])
        );
        assert_eq!(
            key_columns("LIST (a, (lower(b)))"),
            ("LIST".to_string(), vec![Some("a".to_string()), None])
        );
    }

    #[test]
    fn bound_text_reads_back() {
        assert_eq!(
            parse_bound_text("FOR VALUES FROM ('2020-01-01', 5) TO ('2020-02-01', MAXVALUE)"),
            Bound::Range(
                vec!["'2020-01-01'".into(), "5".into()],
                vec!["'2020-02-01'".into(), "MAXVALUE".into()]
            )
        );
        assert_eq!(
            parse_bound_text("FOR VALUES IN ('a''b', NULL)"),
            Bound::List(vec!["'a''b'".into(), "NULL".into()])
        );
        assert_eq!(
            parse_bound_text("FOR VALUES WITH (modulus 4, remainder 1)"),
            Bound::Hash(4, 1)
        );
    }

    #[test]
    fn constants_print_as_get_const_expr() {
        assert_eq!(const_text("int4", "5"), "5");
        assert_eq!(const_text("int4", "-5"), "'-5'");
        assert_eq!(const_text("int8", "10"), "'10'");
        assert_eq!(const_text("numeric", "1.50"), "1.50");
        assert_eq!(const_text("numeric", "2"), "'2'");
        assert_eq!(const_text("text", "a'b"), "'a''b'");
    }
}
