//! CHECK constraints and column defaults printed on the client.
//!
//! The constraints and columns queries read `conbin` / `adbin` as text (the
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
/// by constraint oid, defaults by (table, attribute number); each with
/// its relation or with relation 0 (no columns in it).
pub const Q_DEPARSE: &str = "SELECT 'c'::text, co.oid, 0::int2, \
            pg_get_expr(co.conbin, CASE WHEN k.rel THEN co.conrelid ELSE 0::oid END) \
     FROM unnest($1::oid[], $2::bool[]) AS k(oid, rel) \
     JOIN pg_constraint co ON co.oid = k.oid \
     UNION ALL \
     SELECT 'd'::text, ad.adrelid, ad.adnum, \
            pg_get_expr(ad.adbin, CASE WHEN k.rel THEN ad.adrelid ELSE 0::oid END) \
     FROM unnest($3::oid[], $4::int2[], $5::bool[]) AS k(relid, num, rel) \
     JOIN pg_attrdef ad ON ad.adrelid = k.relid AND ad.adnum = k.num";

/// Type names as `format_type_with_typemod` prints them: built-in types on
/// the client ([`super::format_type`]); any other is not printed here.
struct TypeNames;

impl Names for TypeNames {
    fn type_name(&self, id: u32, typmod: i32) -> Result<String, Unproven> {
        super::format_type::format_type(id, typmod).ok_or_else(|| Unproven {
            reason: format!("type {id} is not built in"),
        })
    }
}

/// One table's columns, and the sequences read, for the reader.
struct TableContext<'a> {
    relid: u32,
    attnames: &'a AttNames,
    relations: &'a HashMap<u32, String>,
    utf8: bool,
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
    /// `regclassout` of the sequences read (`nextval('…'::regclass)`).
    relations: HashMap<u32, String>,
    /// Checks for the server: (constraint oid, table, name, with relation).
    checks: Vec<(u32, u32, String, bool)>,
    /// Defaults for the server: (table, attribute, with relation).
    defaults: Vec<(u32, i16, bool)>,
    /// Defaults to try again after the columns: (table, attribute, tree).
    later: Vec<(u32, i16, String)>,
    /// How many expressions the client printed.
    pub(super) printed: usize,
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
    /// From the session check's row (namespaces query) and the sequences'
    /// rows.
    pub(super) fn new(namespaces: &[Row], sequences: &[Row]) -> Result<Self, InspectError> {
        let (enabled, utf8) = match namespaces.first() {
            Some(row) => (get(row, 7, "namespaces")?, get(row, 8, "namespaces")?),
            None => (false, false),
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
        Ok(ClientDeparse {
            enabled,
            utf8,
            relations,
            checks: Vec::new(),
            defaults: Vec::new(),
            later: Vec::new(),
            printed: 0,
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
            utf8: self.utf8,
        };
        let printed = parsed
            .to_node(&ctx)
            .ok()
            .and_then(|node| strata_core::analyze::deparse::expression(&node, &TypeNames).ok());
        match printed {
            Some(text) => {
                self.printed += 1;
                Outcome::Printed(text)
            }
            None => Outcome::Server { with_relation },
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
            jobs.push(async move {
                let params: [(&(dyn ToSql + Sync), Type); 5] = [
                    (&check_oids, Type::OID_ARRAY),
                    (&check_rel, Type::BOOL_ARRAY),
                    (&relids, Type::OID_ARRAY),
                    (&nums, Type::INT2_ARRAY),
                    (&rels, Type::BOOL_ARRAY),
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
        let mut expected = check_names.len() + self.defaults.len();
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
        column.generated = expr;
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

/// `tree` (a stored `conbin`/`adbin`) as the client prints it for a table
/// with `columns` (attribute number → name) and `relations` (oid →
/// `regclassout` text), or why not: for the oracle test that compares it
/// with `pg_get_expr`.
#[doc(hidden)]
pub fn client_deparse(
    tree: &str,
    columns: &HashMap<i16, String>,
    relations: &HashMap<u32, String>,
) -> Result<String, String> {
    let attnames: AttNames = columns.iter().map(|(a, n)| ((0, *a), n.clone())).collect();
    let ctx = TableContext {
        relid: 0,
        attnames: &attnames,
        relations,
        utf8: true,
    };
    let node = nodetree::parse(tree)
        .and_then(|t| t.to_node(&ctx))
        .map_err(|e| e.reason)?;
    strata_core::analyze::deparse::expression(&node, &TypeNames).map_err(|e| e.reason)
}

/// [`regclass_text`], for the oracle test.
#[doc(hidden)]
pub fn client_regclass(namespace: &str, name: &str) -> Option<String> {
    regclass_text(namespace, name)
}
