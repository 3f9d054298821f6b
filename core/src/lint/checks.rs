//! One statement against the model before it: the findings, as (rule,
//! message) pairs; [`after`] keeps [`FileState`] up to date once the
//! statement is applied.

use crate::analyze::{self, Scope};
use crate::expression;
use crate::model::{qualified, quote_ident, quote_literal, Column, ConstraintKind, Table};
use crate::parse::{
    ColumnDef, ColumnOp, ConstraintDef, ConstraintDefKind, DomainAction, DomainConstraintKind,
    EnumAction, QName, Stmt, TableAction,
};
use crate::replay::Replayer;
use crate::split::TokenKind;

use super::{key, types, words, FileState};

type Found = Vec<(&'static str, String)>;

/// A table a statement names, as the model knows it.
struct Target<'a> {
    /// `schema.table`, quoted.
    label: String,
    /// The table's name (unquoted).
    name: String,
    /// Namespace and table when the model has it.
    known: Option<(String, &'a Table)>,
    /// Created by this migration, or a foreign table (its rows are the
    /// remote server's): nothing here to scan, lock for long, rewrite or
    /// lose.
    new: bool,
}

fn target<'a>(r: &'a Replayer, state: &FileState, q: &QName) -> Target<'a> {
    match r.lookup_table(q) {
        Some((ns, t)) => Target {
            label: qualified(&ns, &q.name),
            name: q.name.clone(),
            new: state.created.contains(&key(&ns, &q.name)) || t.foreign.is_some(),
            known: Some((ns, t)),
        },
        None => Target {
            label: q.to_string(),
            name: q.name.clone(),
            known: None,
            new: false,
        },
    }
}

/// The findings of one statement, the model being as it is before it.
pub(super) fn statement(r: &Replayer, state: &FileState, stmt: &Stmt, text: &str) -> Found {
    let mut out = Found::new();
    enum_value_use(state, stmt, text, &mut out);
    match stmt {
        Stmt::CreateTable(ct) => {
            for c in &ct.columns {
                column_type(&ct.name.to_string(), c, &mut out);
            }
            if state.outside_many && !ct.if_not_exists {
                out.push((
                    "prefer-robust-stmts",
                    format!("CREATE TABLE {} without IF NOT EXISTS", ct.name),
                ));
            }
        }
        Stmt::AlterTable { name, actions, .. } => {
            let t = target(r, state, name);
            for a in actions {
                alter_table(r, state, &t, a, &mut out);
            }
        }
        Stmt::DropTable { names, .. } => {
            for q in names {
                let t = target(r, state, q);
                if !t.new {
                    out.push(("ban-drop-table", format!("drops table {}", t.label)));
                }
            }
        }
        Stmt::CreateIndex(ci) => {
            let t = target(r, state, &ci.table);
            let name = ci
                .name
                .as_deref()
                .map(|n| format!("index {} ", quote_ident(n)))
                .unwrap_or_else(|| "an index ".to_string());
            if !ci.concurrently && !t.new {
                out.push((
                    "require-concurrent-index-creation",
                    format!(
                        "creates {name}on {} without CONCURRENTLY: writes to the table wait until it is built",
                        t.label
                    ),
                ));
            }
            if ci.concurrently && state.in_transaction() {
                out.push((
                    "ban-concurrent-index-creation-in-transaction",
                    format!("creates {name}CONCURRENTLY inside a transaction: PostgreSQL refuses (25001)"),
                ));
            }
            if ci.concurrently && state.outside && !ci.if_not_exists {
                out.push((
                    "prefer-robust-stmts",
                    format!("creates {name}CONCURRENTLY without IF NOT EXISTS: a failed build leaves an invalid index behind"),
                ));
            }
        }
        Stmt::DropIndex {
            names, if_exists, ..
        } => {
            let w = words(text);
            let concurrently = w.get(2).is_some_and(|(k, t)| {
                *k == TokenKind::Word && t.eq_ignore_ascii_case("concurrently")
            });
            for q in names {
                let found = r.lookup_index(q);
                let label = match &found {
                    Some((ns, _, _)) => qualified(ns, &q.name),
                    None => q.to_string(),
                };
                let new = found.as_ref().is_some_and(|(ns, t, _)| {
                    state.created.contains(&key(ns, t))
                        || state.created_indexes.contains(&key(ns, &q.name))
                });
                if !concurrently && !new {
                    let on = match &found {
                        Some((ns, t, _)) => format!(" on {}", qualified(ns, t)),
                        None => String::new(),
                    };
                    out.push((
                        "require-concurrent-index-deletion",
                        format!("drops index {label}{on} without CONCURRENTLY"),
                    ));
                }
                if concurrently && state.in_transaction() {
                    out.push((
                        "ban-concurrent-index-creation-in-transaction",
                        format!("drops index {label} CONCURRENTLY inside a transaction: PostgreSQL refuses (25001)"),
                    ));
                }
                if concurrently && state.outside && !if_exists {
                    out.push((
                        "prefer-robust-stmts",
                        format!("drops index {label} without IF EXISTS"),
                    ));
                }
            }
        }
        Stmt::CreateDomain {
            name, constraints, ..
        } if constraints
            .iter()
            .any(|c| matches!(c.kind, DomainConstraintKind::Check(..))) =>
        {
            out.push((
                "ban-create-domain-with-constraint",
                format!("creates domain {name} with a CHECK constraint"),
            ));
        }
        Stmt::AlterDomain {
            name,
            action: DomainAction::AddConstraint(c),
        } if !c.not_valid => {
            out.push((
                "ban-alter-domain-with-add-constraint",
                format!("adds a constraint to domain {name}: every column of the type is checked"),
            ));
        }
        Stmt::NonSchema(kind) => non_schema(state, kind, text, &mut out),
        _ => {}
    }
    out
}

/// BEGIN / COMMIT in a migration, DROP DATABASE.
fn non_schema(state: &FileState, kind: &str, text: &str, out: &mut Found) {
    match kind {
        "BEGIN" | "START" if (state.explicit_tx || (state.tool_tx && !state.implicit_tx)) => {
            out.push((
                "transaction-nesting",
                "BEGIN inside the transaction the migration already runs in".to_string(),
            ));
        }
        "COMMIT" | "END" | "ROLLBACK" | "ABORT" if state.tool_tx && !state.implicit_tx => {
            out.push((
                "transaction-nesting",
                format!("{kind} ends the transaction the migration tool runs it in"),
            ));
        }
        "DROP ROLE/OWNED" => {
            let w = words(text);
            if w.get(1)
                .is_some_and(|(_, t)| t.eq_ignore_ascii_case("database"))
            {
                let name = w
                    .iter()
                    .skip(2)
                    .find(|(k, t)| {
                        matches!(k, TokenKind::Word | TokenKind::QuotedIdent)
                            && !t.eq_ignore_ascii_case("if")
                            && !t.eq_ignore_ascii_case("exists")
                    })
                    .map(|(_, t)| t.clone())
                    .unwrap_or_default();
                out.push(("ban-drop-database", format!("drops database {name}")));
            }
        }
        _ => {}
    }
}

/// A column's type, as written in CREATE TABLE or ADD COLUMN.
fn column_type(table: &str, c: &ColumnDef, out: &mut Found) {
    let col = format!("{table}.{}", quote_ident(&c.name));
    type_rules(&col, &c.data_type, out);
    if c.serial {
        out.push((
            "prefer-identity",
            format!("column {col} is serial; prefer an identity column"),
        ));
    }
}

fn type_rules(col: &str, data_type: &str, out: &mut Found) {
    let (base, mods, dims) = crate::plan::hazard::split_type(data_type);
    if dims > 0 {
        return;
    }
    match base {
        "character" => out.push(("ban-char-field", format!("column {col} is {data_type}"))),
        "character varying" if !mods.is_empty() => {
            out.push(("prefer-text-field", format!("column {col} is {data_type}")))
        }
        "timestamp without time zone" => {
            out.push(("prefer-timestamptz", format!("column {col} is {data_type}")))
        }
        "integer" => out.push(("prefer-bigint-over-int", format!("column {col} is integer"))),
        "smallint" => out.push((
            "prefer-bigint-over-smallint",
            format!("column {col} is smallint"),
        )),
        _ => {}
    }
}

fn column_of<'a>(t: &'a Target, name: &str) -> Option<&'a Column> {
    t.known.as_ref().and_then(|(_, tb)| tb.column(name))
}

fn alter_table(r: &Replayer, state: &FileState, t: &Target, a: &TableAction, out: &mut Found) {
    let tl = &t.label;
    match a {
        TableAction::AddColumn {
            column,
            if_not_exists,
        } => {
            column_type(tl, column, out);
            let col = format!("{tl}.{}", quote_ident(&column.name));
            if state.outside_many && !if_not_exists {
                out.push((
                    "prefer-robust-stmts",
                    format!("adds column {col} without IF NOT EXISTS"),
                ));
            }
            if t.new {
                return;
            }
            if column.not_null
                && column.default.is_none()
                && column.generated.is_none()
                && column.identity.is_none()
                && !column.serial
            {
                out.push((
                    "adding-required-field",
                    format!("adds NOT NULL column {col} without a default: fails if {tl} has rows"),
                ));
            }
            if let Some(why) = add_column_rewrite(r, t, column) {
                out.push((
                    "adding-field-with-default",
                    format!("adds column {col} {why}"),
                ));
            }
            for c in &column.constraints {
                added_constraint(tl, c, out);
            }
        }
        TableAction::DropColumn {
            name,
            if_exists,
            cascade,
        } => {
            let col = format!("{tl}.{}", quote_ident(name));
            if state.outside_many && !if_exists {
                out.push((
                    "prefer-robust-stmts",
                    format!("drops column {col} without IF EXISTS"),
                ));
            }
            if t.new {
                return;
            }
            let views = t
                .known
                .as_ref()
                .and_then(|(ns, _)| r.views_reading(ns, &t.name, Some(name)));
            let suffix = match views {
                Some(v) if !v.is_empty() => {
                    let list = v.join(", ");
                    if *cascade {
                        format!(" and, by CASCADE, the views reading it: {list}")
                    } else {
                        format!(" (read by {list}: PostgreSQL refuses without CASCADE)")
                    }
                }
                Some(_) => String::new(),
                None => " (strata cannot tell which views read it)".to_string(),
            };
            out.push(("ban-drop-column", format!("drops column {col}{suffix}")));
        }
        TableAction::AlterColumn { name, op } => {
            let col = format!("{tl}.{}", quote_ident(name));
            match op {
                ColumnOp::SetType {
                    data_type, using, ..
                } => {
                    type_rules(&col, data_type, out);
                    if t.new {
                        return;
                    }
                    match column_of(t, name) {
                        Some(c) => match types::rewrites(&c.data_type, data_type, *using) {
                            Ok(false) => {}
                            Ok(true) => out.push((
                                "changing-column-type",
                                format!(
                                    "changes column {col} from {} to {data_type}{}: the table is rewritten",
                                    c.data_type,
                                    if *using { " with USING" } else { "" }
                                ),
                            )),
                            Err(why) => out.push((
                                "changing-column-type",
                                format!(
                                    "changes column {col} from {} to {data_type}: strata cannot tell whether the table is rewritten ({why})",
                                    c.data_type
                                ),
                            )),
                        },
                        None => out.push((
                            "changing-column-type",
                            format!("changes the type of column {col} to {data_type}, whose current type strata does not know: the table may be rewritten"),
                        )),
                    }
                }
                ColumnOp::SetNotNull => {
                    if t.new {
                        return;
                    }
                    if column_of(t, name).is_some_and(|c| c.not_null) {
                        return;
                    }
                    if t.known
                        .as_ref()
                        .is_some_and(|(_, tb)| proven_not_null(tb, name))
                    {
                        return;
                    }
                    let why = match t.known {
                        Some(_) => format!(
                            "no validated CHECK ({} IS NOT NULL) on it",
                            quote_ident(name)
                        ),
                        None => "strata does not know the table's constraints".to_string(),
                    };
                    out.push((
                        "adding-not-nullable-field",
                        format!("sets column {col} NOT NULL: {tl} is scanned under an ACCESS EXCLUSIVE lock ({why})"),
                    ));
                }
                ColumnOp::DropNotNull if !t.new => {
                    out.push((
                        "ban-drop-not-null",
                        format!("drops NOT NULL from column {col}"),
                    ));
                }
                _ => {}
            }
        }
        TableAction::AddConstraint(c) if !t.new => {
            added_constraint(tl, c, out);
        }
        TableAction::ValidateConstraint(c) => {
            let added_here = t.known.as_ref().is_some_and(|(ns, _)| {
                state
                    .not_valid
                    .contains(&(ns.clone(), t.name.clone(), c.clone()))
            });
            if added_here && state.in_transaction() {
                out.push((
                    "constraint-missing-not-valid",
                    format!(
                        "validates constraint {} on {tl} in the transaction that added it NOT VALID: the ADD's lock is held while every row is checked",
                        quote_ident(c)
                    ),
                ));
            }
        }
        TableAction::RenameColumn { old, new } if !t.new => {
            out.push((
                "renaming-column",
                format!(
                    "renames column {tl}.{} to {}",
                    quote_ident(old),
                    quote_ident(new)
                ),
            ));
        }
        TableAction::RenameTo(new) if !t.new => {
            out.push((
                "renaming-table",
                format!("renames table {tl} to {}", quote_ident(new)),
            ));
        }
        _ => {}
    }
}

/// A constraint added to an existing table.
fn added_constraint(tl: &str, c: &ConstraintDef, out: &mut Found) {
    let name = c
        .name
        .as_deref()
        .map(|n| format!("{} ", quote_ident(n)))
        .unwrap_or_default();
    match &c.kind {
        ConstraintDefKind::ForeignKey { ref_table, .. } if !c.not_valid => out.push((
            "adding-foreign-key-constraint",
            format!("adds foreign key {name}on {tl} referencing {ref_table} without NOT VALID: every row is checked while both tables are locked"),
        )),
        ConstraintDefKind::Check { .. } if !c.not_valid => out.push((
            "constraint-missing-not-valid",
            format!("adds check constraint {name}on {tl} without NOT VALID: every row is checked under an ACCESS EXCLUSIVE lock"),
        )),
        ConstraintDefKind::Unique {
            using_index: None, ..
        } => out.push((
            "disallowed-unique-constraint",
            format!("adds unique constraint {name}on {tl} without USING INDEX: its index is built under an ACCESS EXCLUSIVE lock"),
        )),
        ConstraintDefKind::PrimaryKey {
            using_index: None, ..
        } => out.push((
            "adding-serial-primary-key-field",
            format!("adds primary key {name}on {tl} without USING INDEX: its index is built under an ACCESS EXCLUSIVE lock"),
        )),
        _ => {}
    }
}

/// Why adding this column rewrites the table, if it does.
fn add_column_rewrite(r: &Replayer, t: &Target, c: &ColumnDef) -> Option<String> {
    if c.generated.is_some() {
        return Some(
            "as a stored generated column: every row is computed and the table rewritten"
                .to_string(),
        );
    }
    if c.identity.is_some() {
        return Some(
            "as an identity column: a value is assigned to every row and the table rewritten"
                .to_string(),
        );
    }
    if c.serial {
        return Some(
            "as serial: nextval() is called for every row and the table rewritten".to_string(),
        );
    }
    let d = c.default.as_ref()?;
    let columns: &[Column] = t.known.as_ref().map_or(&[], |(_, tb)| &tb.columns);
    let scope = Scope {
        columns,
        schema: r.schema(),
    };
    let verdict = expression::parse(&d.sql)
        .map_err(|e| e.to_string())
        .and_then(|e| analyze::default_volatility(&e, &scope, &c.data_type).map_err(|u| u.reason));
    match verdict {
        Ok('v') => Some(format!(
            "with the volatile default {}: it is computed for every row and the table rewritten",
            d.sql
        )),
        Ok(_) => None,
        Err(why) => Some(format!(
            "with the default {}, which strata cannot prove is not volatile ({why}): a volatile default rewrites the table",
            d.sql
        )),
    }
}

/// A validated `CHECK (col IS NOT NULL)` on the table: `SET NOT NULL`
/// then skips its scan (PostgreSQL 12 and later).
fn proven_not_null(t: &Table, col: &str) -> bool {
    let want_exact = format!("({} IS NOT NULL)", quote_ident(col));
    let want_written = format!("{} is not null", col.to_lowercase());
    t.constraints.values().any(|c| {
        c.validated
            && match &c.kind {
                ConstraintKind::Check { expression, .. } => {
                    expression.exact() == Some(want_exact.as_str()) || {
                        let w = expression
                            .sql
                            .to_lowercase()
                            .replace('"', "")
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ");
                        w.trim_start_matches('(').trim_end_matches(')') == want_written
                    }
                }
                _ => false,
            }
    })
}

/// A string literal equal to an enum value added earlier in this
/// transaction, in a statement that names the enum or a column of it.
fn enum_value_use(state: &FileState, stmt: &Stmt, text: &str, out: &mut Found) {
    if state.enum_values.is_empty() || matches!(stmt, Stmt::AlterEnum { .. }) {
        return;
    }
    let w = words(text);
    // The identifiers the statement names, as PostgreSQL folds them.
    let names: Vec<String> = w
        .iter()
        .filter_map(|(k, t)| match k {
            TokenKind::Word => Some(t.to_lowercase()),
            TokenKind::QuotedIdent => Some(unquote(t)),
            _ => None,
        })
        .collect();
    for (kind, t) in &w {
        if *kind != TokenKind::String {
            continue;
        }
        let Some(inner) = t.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) else {
            continue;
        };
        let value = inner.replace("''", "'");
        // The literal must meet the enum: the statement names the type or
        // a column of it.
        let used = state.enum_values.iter().find(|ev| {
            ev.value == value
                && names
                    .iter()
                    .any(|n| *n == ev.name || ev.columns.contains(n))
        });
        if let Some(ev) = used {
            let e = &ev.label;
            out.push((
                "unsafe-enum-value-use",
                format!(
                    "uses {} of enum {e}, added in this transaction",
                    quote_literal(&value)
                ),
            ));
            return;
        }
    }
}

/// What the file state learns from a statement once it is applied.
pub(super) fn after(r: &Replayer, state: &mut FileState, stmt: &Stmt) {
    match stmt {
        Stmt::CreateTable(ct) => {
            if let Some((ns, _)) = r.lookup_table(&ct.name) {
                state.created.insert(key(&ns, &ct.name.name));
            }
        }
        Stmt::AlterTable { name, actions, .. } => {
            for a in actions {
                match a {
                    TableAction::RenameTo(new) => {
                        let q = QName {
                            schema: name.schema.clone(),
                            name: new.clone(),
                        };
                        if let Some((ns, _)) = r.lookup_table(&q) {
                            if state.created.remove(&key(&ns, &name.name)) {
                                state.created.insert(key(&ns, new));
                            }
                        }
                    }
                    TableAction::AddConstraint(c) if c.not_valid => {
                        if let (Some(n), Some((ns, _))) = (&c.name, r.lookup_table(name)) {
                            state.not_valid.insert((ns, name.name.clone(), n.clone()));
                        }
                    }
                    _ => {}
                }
            }
        }
        Stmt::CreateIndex(ci) => {
            if let (Some(n), Some((ns, _))) = (&ci.name, r.lookup_table(&ci.table)) {
                state.created_indexes.insert(key(&ns, n));
            }
        }
        Stmt::AlterEnum {
            name,
            action: EnumAction::AddValue { value, .. },
        } if state.in_transaction() => {
            let ns = r.lookup_enum(name);
            let label = match &ns {
                Some(ns) => qualified(ns, &name.name),
                None => name.to_string(),
            };
            // The columns of this type (or arrays of it), by name.
            let mut columns = std::collections::BTreeSet::new();
            for n in r.schema().namespaces.values() {
                for t in n.tables.values() {
                    for c in &t.columns {
                        let base = c.data_type.trim_end_matches("[]");
                        let last = base.rsplit('.').next().unwrap_or(base);
                        if unquote(last) == name.name {
                            columns.insert(c.name.clone());
                        }
                    }
                }
            }
            state.enum_values.push(super::NewEnumValue {
                label,
                name: name.name.clone(),
                value: value.clone(),
                columns,
            });
        }
        Stmt::NonSchema(kind) => match *kind {
            "BEGIN" | "START" => state.explicit_tx = true,
            "COMMIT" | "END" | "ROLLBACK" | "ABORT" => {
                state.explicit_tx = false;
                state.tool_tx = false;
                state.enum_values.clear();
                state.not_valid.clear();
            }
            _ => {}
        },
        _ => {}
    }
}

/// An identifier as PostgreSQL stores it: `"Foo"` → `Foo`, `foo` as is.
fn unquote(s: &str) -> String {
    match s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => s.to_string(),
    }
}
