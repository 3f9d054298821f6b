//! What the typed models of `strata::schema!` (and `strata codegen`) build
//! on: typed columns, filters, and query builders that write parameterized
//! SQL and run it on a `tokio_postgres` client or transaction.
//!
//! Generated code refers to everything here as `::strata::runtime::…`, so a
//! crate that uses the macro needs `strata` alone: the value types
//! ([`chrono`], [`rust_decimal`], [`uuid`], [`serde_json`]) and [`serde`]
//! are re-exported.
//!
//! The pieces:
//!
//! - [`Table`]: one per table (`agent_run::AgentRunTable`), with the entry
//!   points `select()`, `insert(…)`, `insert_many(…)`, `update()`, `delete()`.
//! - [`Column<T, V, A>`]: a column of table `T` whose Rust type is `V`;
//!   `A` is [`Writable`] or [`ReadOnly`] (generated columns and
//!   `GENERATED ALWAYS` identities can be read and filtered, never set).
//! - [`Expr<T>`]: a filter on table `T`, from `column.eq(…)` and friends,
//!   combined with `and`/`or`/`not`.
//! - [`Select`], [`Count`], [`Insert`], [`Update`], [`Delete`]: the
//!   statements; `.sql()` shows the text, `fetch_*`/`execute` run it.
//!
//! - [`Executor`]: where statements run — a `Client` or `Transaction`
//!   (unnamed statement per call) or a [`Db`] (statement cache per
//!   connection, [`Db::transaction`] with savepoints).
//!
//! Every value travels as a parameter (`$1`, `$2`, …); every identifier is
//! double-quoted.

pub mod aggregate;
mod checked;
mod column;
mod compound;
mod decode;
mod dml;
mod executor;
mod expr;
mod interval;
mod join;
mod keyset;
mod project;
mod query;
mod relation;
mod scalar;
mod subquery;
mod value;

pub use aggregate::{
    array_agg, avg, bool_and, bool_or, count, count_all, count_distinct, max, min, sum, Aggregate,
    Averageable, Having, Ordered, Summable,
};
pub use checked::{check_arg, Arg, CheckedQuery, CheckedRead};
pub use column::{Assignment, Column, ConflictTarget, Order, ReadOnly, Settable, Writable};
pub use compound::{Compound, SameRows};
pub use decode::{Fields, FromFields, RawField, RawRecord, RawRecords};
pub use dml::{AssignFrom, DeleteUsing, Dml, Returned, SourceColumn, UpdateFrom};
pub use executor::{
    BoxFuture, CacheStats, ClientRef, Db, Executor, Params, Pooled, DEFAULT_CACHE_CAPACITY,
};
pub use expr::{Expr, SqlWriter};
pub use futures_util::stream::{BoxStream, Stream, StreamExt, TryStreamExt};
pub use interval::Interval;
pub use join::{
    index, Has, InScope, Inner, Join, Left, OneTable, Outer, SameType, Scope, Slot, TwoTables,
};
pub use keyset::{KeyValue, Keys};
pub use project::{ColumnOf, FromRow, IntoStruct, Project, Selectable};
pub use query::{Count, Delete, Insert, NoReturning, OnConflict, Returning, Select, Update};
pub use relation::{
    Alias, Cardinality, Load, Many, Nested, One, OptionalOne, Relation, RowLoad, With,
};
pub use scalar::{
    coalesce, date_trunc, func, length, lower, now, raw, upper, Filter, FuncArg, FuncArgs,
    IntoScalar, NoTable, Scalar, ScalarOf, Timestamp,
};
pub use subquery::{exists, not_exists, scalar, Correlated, Plus, Subquery, SubqueryOf, Within};
pub use value::{IntoSql, NotNull, SqlValue};

pub use bytes::BytesMut;
pub use chrono;
pub use rust_decimal;
pub use serde;
pub use serde_json;
pub use tokio_postgres::types as pg;
pub use tokio_postgres::{GenericClient, Row};
pub use uuid;

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use tokio_postgres::types::{IsNull, ToSql, Type};

/// A boxed error, as `ToSql`/`FromSql` return them.
pub type BoxError = Box<dyn StdError + Sync + Send>;

/// A query parameter.
pub(crate) type Param = Arc<dyn ToSql + Sync + Send>;

/// A table of a generated model.
pub trait Table: Copy + Send + Sync + 'static {
    /// The row struct, read from every column.
    type Row: for<'r> TryFrom<&'r Row, Error = DecodeError> + Send;
    /// The PostgreSQL schema the table lives in.
    const NAMESPACE: &'static str;
    /// The table's name, as PostgreSQL stores it.
    const NAME: &'static str;
    /// Every column, in table order.
    const COLUMNS: &'static [&'static str];
    /// The primary key's columns when they identify every row a select of
    /// the table reads (generated for a table whose primary key is not
    /// deferrable and that no table inherits from); empty otherwise. A
    /// relation load groups the rows of a one-to-many relation by it.
    const PRIMARY_KEY: &'static [&'static str] = &[];

    /// The table's name as SQL: quoted, and qualified unless it lives in
    /// `public` (so `search_path` decides, as for unqualified SQL).
    /// The name the table goes by in a statement over several tables:
    /// its own name, or an [`Alias`]'s (`agent_run#1`).
    fn alias() -> String {
        Self::NAME.to_string()
    }

    fn sql_name() -> String {
        let mut s = String::new();
        Self::write_sql_name(&mut s);
        s
    }

    /// [`Table::sql_name`], appended to `out`.
    fn write_sql_name(out: &mut String) {
        if Self::NAMESPACE != "public" {
            quote_into(out, Self::NAMESPACE);
            out.push('.');
        }
        quote_into(out, Self::NAME);
    }
}

/// What `insert` takes: the generated `New…` struct of a table.
pub trait Insertable: Send {
    type Table: Table;
    /// The columns an insert writes (generated columns and `GENERATED
    /// ALWAYS` identities are not among them).
    const COLUMNS: &'static [&'static str];
    /// One value per column of [`Insertable::COLUMNS`], in that order.
    fn into_values(self) -> Vec<InsertValue>;
}

/// One value of an inserted row: a parameter, or the column's `DEFAULT`.
pub enum InsertValue {
    Value(Param),
    Default,
}

impl InsertValue {
    /// The value, sent as a parameter (`None` is SQL `NULL`).
    pub fn value<V: SqlValue>(value: V) -> InsertValue {
        InsertValue::Value(Arc::new(value))
    }

    /// `None` leaves the column to its `DEFAULT`.
    pub fn or_default<V: SqlValue>(value: Option<V>) -> InsertValue {
        match value {
            Some(v) => InsertValue::value(v),
            None => InsertValue::Default,
        }
    }
}

impl fmt::Debug for InsertValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InsertValue::Value(v) => write!(f, "Value({v:?})"),
            InsertValue::Default => f.write_str("Default"),
        }
    }
}

/// A PostgreSQL enum, generated as a Rust enum.
pub trait PgEnum: Sized + Copy + Send + Sync + 'static {
    /// The type's name as PostgreSQL stores it (`agent_run_status`).
    const TYPE_NAME: &'static str;
    /// Every variant, in the type's sort order.
    const VARIANTS: &'static [Self];
    /// The SQL label of the variant.
    fn label(self) -> &'static str;
}

/// The type a domain's values are of: its base type (a domain over a
/// domain: the innermost), or `ty` itself when it is no domain. What the
/// newtype generated for a domain converts through.
pub fn domain_base(ty: &Type) -> &Type {
    let mut t = ty;
    while let tokio_postgres::types::Kind::Domain(base) = t.kind() {
        t = base;
    }
    t
}

/// `accepts` of a generated composite type's struct: the composite type
/// `namespace.name` (or a domain over it).
pub fn composite_accepts(ty: &Type, namespace: &str, name: &str) -> bool {
    let t = domain_base(ty);
    t.name() == name
        && t.schema() == namespace
        && matches!(t.kind(), tokio_postgres::types::Kind::Composite(_))
}

/// `ToSql::to_sql` of a generated composite type's struct, in the binary
/// format `record_recv` reads: the number of attributes, then each
/// attribute's type oid, length (-1 for NULL) and bytes, each value written
/// by its own `ToSql` for the attribute's type.
pub fn composite_to_sql(
    ty: &Type,
    values: &[&(dyn pg::ToSql + Sync)],
    out: &mut BytesMut,
) -> Result<IsNull, BoxError> {
    use bytes::BufMut;
    let tokio_postgres::types::Kind::Composite(fields) = domain_base(ty).kind() else {
        return Err(format!("type {} is not a composite type", ty.name()).into());
    };
    if fields.len() != values.len() {
        return Err(format!(
            "type {} has {} attributes on the server, the generated struct {}: generate the code again",
            ty.name(),
            fields.len(),
            values.len()
        )
        .into());
    }
    out.put_i32(i32::try_from(values.len())?);
    for (field, value) in fields.iter().zip(values) {
        out.put_u32(field.type_().oid());
        let at = out.len();
        out.put_i32(0);
        let len = match value.to_sql_checked(field.type_(), out)? {
            IsNull::Yes => -1,
            IsNull::No => i32::try_from(out.len() - at - 4)?,
        };
        out[at..at + 4].copy_from_slice(&len.to_be_bytes());
    }
    Ok(IsNull::No)
}

/// `FromSql::from_sql` of a generated composite type's struct: its
/// attributes, in order, as the fields of a record.
pub fn composite_fields(raw: &[u8]) -> Result<Fields<'_>, BoxError> {
    Ok(Fields::record(
        <RawRecord<'_> as pg::FromSql<'_>>::from_sql(&Type::RECORD, raw)?,
    ))
}

/// `ToSql::accepts` of a generated enum: a PostgreSQL type of that name.
pub fn enum_accepts<E: PgEnum>(ty: &Type) -> bool {
    ty.name() == E::TYPE_NAME
}

/// `ToSql::to_sql` of a generated enum: the label's bytes.
pub fn enum_to_sql<E: PgEnum>(value: E, out: &mut BytesMut) -> Result<IsNull, BoxError> {
    out.extend_from_slice(value.label().as_bytes());
    Ok(IsNull::No)
}

/// `FromSql::from_sql` of a generated enum: the variant whose label the
/// server sent, or an error naming the label and the type.
pub fn enum_from_sql<E: PgEnum>(raw: &[u8]) -> Result<E, BoxError> {
    E::VARIANTS
        .iter()
        .copied()
        .find(|v| v.label().as_bytes() == raw)
        .ok_or_else(|| {
            let label = String::from_utf8_lossy(raw);
            format!(
                "enum {} has no label {label:?} in the generated model; regenerate it from the schema the database runs",
                E::TYPE_NAME
            )
            .into()
        })
}

/// The variant with this label, for `FromStr`.
pub fn enum_from_label<E: PgEnum>(label: &str) -> Result<E, UnknownLabel> {
    E::VARIANTS
        .iter()
        .copied()
        .find(|v| v.label() == label)
        .ok_or_else(|| UnknownLabel {
            type_name: E::TYPE_NAME,
            label: label.to_string(),
        })
}

/// A string that is no label of a generated enum.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("enum {type_name} has no label {label:?}")]
pub struct UnknownLabel {
    pub type_name: &'static str,
    pub label: String,
}

/// A column of a row that could not be read as its generated Rust type.
#[derive(Debug, thiserror::Error)]
#[error("cannot read column {column} of table {table}: {}", describe_box(.source))]
pub struct DecodeError {
    pub table: &'static str,
    pub column: &'static str,
    /// A `tokio_postgres::Error` for a column of a row; the decoder's own
    /// error for a field of a loaded relation's record.
    #[source]
    pub source: BoxError,
}

/// Reads one column of a row (generated `TryFrom<&Row>` impls call this).
pub fn get<'r, V: pg::FromSql<'r>>(
    row: &'r Row,
    table: &'static str,
    column: &'static str,
) -> Result<V, DecodeError> {
    row.try_get(column).map_err(|source| DecodeError {
        table,
        column,
        source: Box::new(source),
    })
}

/// What running a statement can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server (or the connection) refused the statement.
    #[error("{}", describe(.0))]
    Db(#[from] tokio_postgres::Error),
    /// A row came back but a column could not be read.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// `fetch_one` got no row or several, `fetch_optional` several.
    #[error("expected {expected}, the statement returned {found} rows")]
    RowCount {
        expected: &'static str,
        found: usize,
    },
    /// The statement cannot be written (an update that sets nothing).
    #[error("{0}")]
    Build(String),
}

/// `tokio_postgres::Error`'s own text says only "db error"; this adds the
/// server's message (severity, message, detail, hint) or the cause.
fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return db.to_string();
    }
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        source = cause.source();
    }
    s
}

fn describe_box(e: &BoxError) -> String {
    match e.downcast_ref::<tokio_postgres::Error>() {
        Some(pg) => describe(pg),
        None => e.to_string(),
    }
}

/// A double-quoted identifier (always quoted, so reserved words like
/// `user` and mixed case like `emailVerified` need no special case).
pub fn quote(name: &str) -> String {
    let mut s = String::with_capacity(name.len() + 2);
    quote_into(&mut s, name);
    s
}

/// [`quote`], appended to `out` (no allocation of its own).
pub fn quote_into(out: &mut String, name: &str) {
    out.push('"');
    if name.contains('"') {
        for c in name.chars() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
    } else {
        out.push_str(name);
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_always_quoted() {
        assert_eq!(quote("user"), "\"user\"");
        assert_eq!(quote("emailVerified"), "\"emailVerified\"");
        assert_eq!(quote("a\"b"), "\"a\"\"b\"");
    }
}
