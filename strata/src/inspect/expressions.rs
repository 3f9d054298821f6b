//! CHECK constraints, column defaults and partial indexes' predicates
//! printed on the client.
//!
//! The constraints, columns and indexes queries read `conbin` / `adbin` /
//! `indpred` as text (the
//! stored node tree), not `pg_get_expr` of them: the server's first
//! `pg_get_expr` of a table in a backend builds the table's relation-cache
//! entry, most of what those queries cost (BENCHMARKS.md, issue 13).
//! [`strata_core::analyze::nodetree`] reads each tree and
//! [`strata_core::analyze::deparse`] prints it as `pg_get_expr` does; what
//! the reader does not fully decode is printed by the server, never
//! guessed: [`Q_DEPARSE`], one more statement on every connection (sent
//! even when there is nothing to ask), in the same snapshot, before it
//! commits. An expression without columns is asked with relation 0, which
//! prints the same text without opening the table.
//!
//! Client decoding is on only where the session check saw what the reader
//! assumes: PostgreSQL 15, `standard_conforming_strings` on, a
//! little-endian server (the bytes of a built-in default in `pg_proc`);
//! text outside ASCII only on a UTF-8 server.

use std::collections::HashMap;

use strata_core::analyze::deparse::Names;
use strata_core::analyze::nodetree::{self, Context};
use strata_core::analyze::Unproven;
use strata_core::model::{quote_ident, ConstraintKind, Expression, Schema};
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, Row};

use super::*;

/// The expressions the client did not print, printed by the server: checks
/// by constraint oid, defaults by (table, attribute number), partial
/// indexes' predicates by index oid; each with its relation or with
/// relation 0 (no columns in it).
pub const Q_DEPARSE: &str = "SELECT 'c'::text, co.oid, 0::int2, \
            pg_get_expr(co.conbin, CASE WHEN k.rel THEN co.conrelid ELSE 0::oid END) \
     FROM unnest($1::oid[], $2::bool[]) AS k(oid, rel) \
     JOIN pg_constraint co ON co.oid = k.oid \
     UNION ALL \
     SELECT 'd'::text, ad.adrelid, ad.adnum, \
            pg_get_expr(ad.adbin, CASE WHEN k.rel THEN ad.adrelid ELSE 0::oid END) \
     FROM unnest($3::oid[], $4::int2[], $5::bool[]) AS k(relid, num, rel) \
     JOIN pg_attrdef ad ON ad.adrelid = k.relid AND ad.adnum = k.num \
     UNION ALL \
     SELECT 'i'::text, i.indexrelid, 0::int2, \
            pg_get_expr(i.indpred, CASE WHEN k.rel THEN i.indrelid ELSE 0::oid END) \
     FROM unnest($6::oid[], $7::bool[]) AS k(oid, rel) \
     JOIN pg_index i ON i.indexrelid = k.oid";

/// A user enum type: its `format_type` text and its labels by `pg_enum`
/// oid.
#[derive(Debug, Default)]
struct EnumInfo {
    display: String,
    labels: HashMap<u32, String>,
}

/// Type names as `format_type_with_typemod` prints them: built-in types on
/// the client ([`super::format_type`]), enums as the types query read
/// them; any other is not printed here.
struct TypeNames<'a> {
    enums: &'a HashMap<u32, EnumInfo>,
}

impl Names for TypeNames<'_> {
    fn type_name(&self, id: u32, typmod: i32) -> Result<String, Unproven> {
        let text = match self.enums.get(&id) {
            Some(e) if typmod == -1 => Some(e.display.clone()),
            _ => super::format_type::format_type(id, typmod),
        };
        text.ok_or_else(|| Unproven {
            reason: format!("type {id} is not built in"),
        })
    }
}

/// One table's columns, the sequences and enums read, for the reader.
struct TableContext<'a> {
    relid: u32,
    attnames: &'a AttNames,
    relations: &'a HashMap<u32, String>,
    enums: &'a HashMap<u32, EnumInfo>,
    utf8: bool,
    builtin_operators: bool,
}

impl Context for TableContext<'_> {
    fn column(&self, attnum: i16) -> Option<&str> {
        self.attnames.get(&(self.relid, attnum)).map(String::as_str)
    }

    fn relation(&self, oid: u32) -> Option<String> {
        self.relations.get(&oid).cloned()
    }

    fn utf8(&self) -> bool {
        self.utf8
    }

    fn is_enum(&self, type_id: u32) -> bool {
        self.enums.contains_key(&type_id)
    }

    fn enum_label(&self, type_id: u32, label: u32) -> Option<String> {
        self.enums.get(&type_id)?.labels.get(&label).cloned()
    }

    fn builtin_operators_only(&self) -> bool {
        self.builtin_operators
    }
}

/// Prints `tree` for table `relid`, or says why not.
fn print(tree: &nodetree::Tree, ctx: &TableContext) -> Result<String, String> {
    let node = tree.to_node(ctx).map_err(|e| e.reason)?;
    let names = TypeNames { enums: ctx.enums };
    strata_core::analyze::deparse::expression(&node, &names).map_err(|e| e.reason)
}

/// What became of one stored expression.
enum Outcome {
    Printed(String),
    /// The server prints it (with its relation, or with 0).
    Server {
        with_relation: bool,
    },
    /// It names columns not read yet (a generated column over a later
    /// one): tried again once every column is read.
    Later,
}

/// The client's side of printing checks and defaults, and what is left
/// for the server.
pub(super) struct ClientDeparse {
    enabled: bool,
    utf8: bool,
    builtin_operators: bool,
    /// `regclassout` of the sequences read (`nextval('…'::regclass)`).
    relations: HashMap<u32, String>,
    /// The enums read, by type oid.
    enums: HashMap<u32, EnumInfo>,
    /// Checks for the server: (constraint oid, table, name, with relation).
    checks: Vec<(u32, u32, String, bool)>,
    /// Defaults for the server: (table, attribute, with relation).
    defaults: Vec<(u32, i16, bool)>,
    /// Index predicates for the server: (index oid, relation, index name,
    /// with relation).
    predicates: Vec<(u32, u32, String, bool)>,
    /// Defaults to try again after the columns: (table, attribute, tree).
    later: Vec<(u32, i16, String)>,
}

/// `regclassout` of a relation in `namespace` with `search_path = public`,
/// when certain: names in other schemas are qualified; one in `public` is
/// bare unless `pg_catalog` (searched first) could hold the same name.
fn regclass_text(namespace: &str, name: &str) -> Option<String> {
    if namespace == "public" {
        (!name.starts_with("pg_")).then(|| quote_ident(name))
    } else if namespace.starts_with("pg_") || namespace == "information_schema" {
        None
    } else {
        Some(format!("{}.{}", quote_ident(namespace), quote_ident(name)))
    }
}

impl ClientDeparse {
    /// From the session check's row (namespaces query), the sequences' and
    /// the types' rows.
    pub(super) fn new(
        namespaces: &[Row],
        sequences: &[Row],
        types: &[Row],
    ) -> Result<Self, InspectError> {
        let (enabled, utf8, builtin_operators) = match namespaces.first() {
            Some(row) => (
                get(row, 7, "namespaces")?,
                get(row, 8, "namespaces")?,
                get(row, 9, "namespaces")?,
            ),
            None => (false, false, false),
        };
        let mut relations = HashMap::new();
        for row in sequences {
            let oid: u32 = get(row, 0, "sequences")?;
            let namespace: String = get(row, 1, "sequences")?;
            let name: String = get(row, 2, "sequences")?;
            if let Some(text) = regclass_text(&namespace, &name) {
                relations.insert(oid, text);
            }
        }
        let mut enums = HashMap::new();
        for row in types {
            let display: Option<String> = get(row, 28, "types")?;
            let Some(display) = display else {
                continue;
            };
            let labels: Vec<String> = get(row, 4, "types")?;
            let oids: Vec<u32> = get(row, 27, "types")?;
            if labels.len() != oids.len() {
                continue;
            }
            let labels = oids.into_iter().zip(labels).collect();
            enums.insert(get(row, 0, "types")?, EnumInfo { display, labels });
        }
        Ok(ClientDeparse {
            enabled,
            utf8,
            builtin_operators,
            relations,
            enums,
            checks: Vec::new(),
            defaults: Vec::new(),
            predicates: Vec::new(),
            later: Vec::new(),
        })
    }

    fn outcome(&mut self, relid: u32, tree: &str, attnames: &AttNames, last: bool) -> Outcome {
        let Ok(parsed) = nodetree::parse(tree) else {
            return Outcome::Server {
                with_relation: true,
            };
        };
        let with_relation = parsed.has_vars();
        if !self.enabled {
            return Outcome::Server { with_relation };
        }
        if !last
            && parsed
                .var_attnums()
                .iter()
                .any(|a| !attnames.contains_key(&(relid, *a)))
        {
            return Outcome::Later;
        }
        let ctx = TableContext {
            relid,
            attnames,
            relations: &self.relations,
            enums: &self.enums,
            utf8: self.utf8,
            builtin_operators: self.builtin_operators,
        };
        match print(&parsed, &ctx) {
            Ok(text) => Outcome::Printed(text),
            Err(_) => Outcome::Server { with_relation },
        }
    }

    /// A column's default (or generation expression): its text, or `None`
    /// when the server prints it later ([`Self::resolve`] fills it in).
    pub(super) fn default(
        &mut self,
        relid: u32,
        attnum: i16,
        tree: String,
        attnames: &AttNames,
    ) -> Option<String> {
        match self.outcome(relid, &tree, attnames, false) {
            Outcome::Printed(text) => Some(text),
            Outcome::Server { with_relation } => {
                self.defaults.push((relid, attnum, with_relation));
                None
            }
            Outcome::Later => {
                self.later.push((relid, attnum, tree));
                None
            }
        }
    }

    /// A CHECK constraint's expression, or `None` when the server prints
    /// it later.
    pub(super) fn check(
        &mut self,
        oid: u32,
        relid: u32,
        name: &str,
        tree: &str,
        attnames: &AttNames,
    ) -> Option<String> {
        match self.outcome(relid, tree, attnames, true) {
            Outcome::Printed(text) => Some(text),
            Outcome::Server { with_relation } => {
                self.checks
                    .push((oid, relid, name.to_string(), with_relation));
                None
            }
            // Not given for the last try (every column is read).
            Outcome::Later => {
                self.checks.push((oid, relid, name.to_string(), true));
                None
            }
        }
    }

    /// A partial index's predicate, or `None` when the server prints it
    /// later.
    pub(super) fn predicate(
        &mut self,
        oid: u32,
        relid: u32,
        name: &str,
        tree: &str,
        attnames: &AttNames,
    ) -> Option<String> {
        let with_relation = match self.outcome(relid, tree, attnames, true) {
            Outcome::Printed(text) => return Some(text),
            Outcome::Server { with_relation } => with_relation,
            Outcome::Later => true,
        };
        self.predicates
            .push((oid, relid, name.to_string(), with_relation));
        None
    }

    /// The defaults that named later columns, now that every column is read.
    pub(super) fn finish_columns(
        &mut self,
        schema: &mut Schema,
        table_names: &HashMap<u32, (String, String)>,
        attnames: &AttNames,
    ) -> Result<(), InspectError> {
        for (relid, attnum, tree) in std::mem::take(&mut self.later) {
            match self.outcome(relid, &tree, attnames, true) {
                Outcome::Printed(text) => {
                    set_default(schema, table_names, attnames, relid, attnum, text)?
                }
                Outcome::Server { with_relation } => {
                    self.defaults.push((relid, attnum, with_relation))
                }
                Outcome::Later => self.defaults.push((relid, attnum, true)),
            }
        }
        Ok(())
    }

    /// Asks the server for what the client did not print: [`Q_DEPARSE`] on
    /// every connection (each for the tables of its share), then fills the
    /// model in.
    pub(super) async fn resolve(
        self,
        clients: &[&Client],
        schema: &mut Schema,
        table_names: &HashMap<u32, (String, String)>,
        relation_names: &HashMap<u32, (String, String)>,
        attnames: &AttNames,
    ) -> Result<(), InspectError> {
        const STEP: &str = "deparse";
        let parts = clients.len().max(1);
        let share = |relid: u32| relid as usize % parts;
        let mut check_names: HashMap<u32, (u32, String)> = HashMap::new();
        let mut jobs = Vec::new();
        for (part, client) in clients.iter().enumerate() {
            let mut check_oids: Vec<u32> = Vec::new();
            let mut check_rel: Vec<bool> = Vec::new();
            for (oid, relid, _, rel) in &self.checks {
                if share(*relid) == part {
                    check_oids.push(*oid);
                    check_rel.push(*rel);
                }
            }
            let mut relids: Vec<u32> = Vec::new();
            let mut nums: Vec<i16> = Vec::new();
            let mut rels: Vec<bool> = Vec::new();
            for (relid, attnum, rel) in &self.defaults {
                if share(*relid) == part {
                    relids.push(*relid);
                    nums.push(*attnum);
                    rels.push(*rel);
                }
            }
            let mut index_oids: Vec<u32> = Vec::new();
            let mut index_rel: Vec<bool> = Vec::new();
            for (oid, relid, _, rel) in &self.predicates {
                if share(*relid) == part {
                    index_oids.push(*oid);
                    index_rel.push(*rel);
                }
            }
            jobs.push(async move {
                let params: [(&(dyn ToSql + Sync), Type); 7] = [
                    (&check_oids, Type::OID_ARRAY),
                    (&check_rel, Type::BOOL_ARRAY),
                    (&relids, Type::OID_ARRAY),
                    (&nums, Type::INT2_ARRAY),
                    (&rels, Type::BOOL_ARRAY),
                    (&index_oids, Type::OID_ARRAY),
                    (&index_rel, Type::BOOL_ARRAY),
                ];
                client
                    .query_typed(Q_DEPARSE, &params)
                    .await
                    .map_err(|e| InspectError::Query {
                        step: STEP,
                        reason: crate::conn::describe(&e),
                    })
            });
        }
        let results = futures_util::future::try_join_all(jobs).await?;
        for (oid, relid, name, _) in self.checks {
            check_names.insert(oid, (relid, name));
        }
        let index_names: HashMap<u32, (u32, String)> = self
            .predicates
            .into_iter()
            .map(|(oid, relid, name, _)| (oid, (relid, name)))
            .collect();
        let mut expected = check_names.len() + self.defaults.len() + index_names.len();
        for row in results.into_iter().flatten() {
            let kind: String = get(&row, 0, STEP)?;
            let id: u32 = get(&row, 1, STEP)?;
            let num: i16 = get(&row, 2, STEP)?;
            let text: Option<String> = get(&row, 3, STEP)?;
            let text = text.unwrap_or_default();
            if kind == "c" {
                let Some((relid, name)) = check_names.get(&id) else {
                    continue;
                };
                set_check(schema, table_names, *relid, name, text)?;
            } else if kind == "i" {
                let Some((relid, name)) = index_names.get(&id) else {
                    continue;
                };
                set_predicate(schema, relation_names, *relid, name, text)?;
            } else {
                set_default(schema, table_names, attnames, id, num, text)?;
            }
            expected = expected.saturating_sub(1);
        }
        if expected != 0 {
            return Err(InspectError::Catalog {
                step: STEP,
                reason: format!("{expected} expressions were not printed by the server"),
            });
        }
        Ok(())
    }
}

fn set_default(
    schema: &mut Schema,
    table_names: &HashMap<u32, (String, String)>,
    attnames: &AttNames,
    relid: u32,
    attnum: i16,
    text: String,
) -> Result<(), InspectError> {
    let column = attnames.get(&(relid, attnum)).and_then(|name| {
        let (table, _) = table_mut(schema, table_names, relid)?;
        table.columns.iter_mut().find(|c| c.name == *name)
    });
    let Some(column) = column else {
        return Err(InspectError::Catalog {
            step: "deparse",
            reason: format!("default of column {attnum} of table {relid} has no column"),
        });
    };
    let expr = Some(Expression::from_server(text));
    if column.generated.is_some() {
        column.generated = expr.map(Box::new);
    } else {
        column.default = expr;
    }
    Ok(())
}

fn set_check(
    schema: &mut Schema,
    table_names: &HashMap<u32, (String, String)>,
    relid: u32,
    name: &str,
    text: String,
) -> Result<(), InspectError> {
    let check = table_mut(schema, table_names, relid)
        .and_then(|(table, _)| table.constraints.get_mut(name))
        .map(|c| &mut c.kind);
    let Some(ConstraintKind::Check { expression, .. }) = check else {
        return Err(InspectError::Catalog {
            step: "deparse",
            reason: format!(
                "check constraint {} of table {relid} not found",
                quote_ident(name)
            ),
        });
    };
    *expression = Expression::from_server(text);
    Ok(())
}

fn set_predicate(
    schema: &mut Schema,
    relation_names: &HashMap<u32, (String, String)>,
    relid: u32,
    name: &str,
    text: String,
) -> Result<(), InspectError> {
    let index = relation_names.get(&relid).and_then(|(ns, rel)| {
        let n = schema.namespaces.get_mut(ns)?;
        match n.tables.get_mut(rel) {
            Some(t) => t.indexes.get_mut(name),
            None => n.views.get_mut(rel)?.indexes.get_mut(name),
        }
    });
    let Some(index) = index else {
        return Err(InspectError::Catalog {
            step: "deparse",
            reason: format!("index {} of relation {relid} not found", quote_ident(name)),
        });
    };
    index.predicate = Some(Expression::from_server(text));
    Ok(())
}

/// Enums for [`client_deparse`]: type oid → (`format_type`, labels by
/// `pg_enum` oid).
#[doc(hidden)]
pub type ClientEnums = HashMap<u32, (String, Vec<(u32, String)>)>;

/// `tree` (a stored `conbin`/`adbin`/`indpred`) as the client prints it
/// for a table with `columns` (attribute number → name), `relations` (oid →
/// `regclassout` text) and `enums` (type oid → `format_type` and labels by
/// `pg_enum` oid), or why not: for the oracle test that compares it with
/// `pg_get_expr`.
#[doc(hidden)]
pub fn client_deparse(
    tree: &str,
    columns: &HashMap<i16, String>,
    relations: &HashMap<u32, String>,
    enums: &ClientEnums,
    builtin_operators: bool,
) -> Result<String, String> {
    let attnames: AttNames = columns.iter().map(|(a, n)| ((0, *a), n.clone())).collect();
    let enums: HashMap<u32, EnumInfo> = enums
        .iter()
        .map(|(t, (display, labels))| {
            let labels = labels.iter().cloned().collect();
            let display = display.clone();
            (*t, EnumInfo { display, labels })
        })
        .collect();
    let ctx = TableContext {
        relid: 0,
        attnames: &attnames,
        relations,
        enums: &enums,
        utf8: true,
        builtin_operators,
    };
    let tree = nodetree::parse(tree).map_err(|e| e.reason)?;
    print(&tree, &ctx)
}

/// [`regclass_text`], for the oracle test.
#[doc(hidden)]
pub fn client_regclass(namespace: &str, name: &str) -> Option<String> {
    regclass_text(namespace, name)
}
