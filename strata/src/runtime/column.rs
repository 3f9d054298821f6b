//! Typed columns, and what is made from them: orderings, assignments,
//! conflict targets.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use super::expr::{ColRef, Expr, Node, Piece, SqlWriter};
use super::value::{IntoSql, NotNull, SqlValue};
use super::{Param, Table};

/// A column that inserts and updates may set.
#[derive(Debug, Clone, Copy)]
pub struct Writable;

/// A column the server computes (`GENERATED ALWAYS AS … STORED`, `GENERATED
/// ALWAYS AS IDENTITY`): it can be read and filtered, never set.
#[derive(Debug, Clone, Copy)]
pub struct ReadOnly;

/// Column `name` of table `T`, whose Rust type is `V` (`Option<…>` when the
/// column is nullable). Filters compare it only with values of its type:
/// `agent_run::depth.gt(2)` compiles, `agent_run::depth.eq("two")` does not.
pub struct Column<T, V, A = Writable> {
    name: &'static str,
    marker: Marker<T, V, A>,
}

/// Ties a [`Column`] to its table, type and access without owning any
/// (so columns are `Copy`, `Send` and `Sync` whatever the types).
type Marker<T, V, A> = PhantomData<fn() -> (T, V, A)>;

impl<T, V, A> Column<T, V, A> {
    /// The column `name` (as PostgreSQL stores it). Generated code makes
    /// these; a wrong name or type is only found by the server.
    pub const fn new(name: &'static str) -> Self {
        Column {
            name,
            marker: PhantomData,
        }
    }

    /// The column's name, as PostgreSQL stores it.
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

impl<T, V, A> Clone for Column<T, V, A> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T, V, A> Copy for Column<T, V, A> {}

impl<T, V, A> fmt::Debug for Column<T, V, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Column({})", self.name)
    }
}

fn param<V: SqlValue>(value: V) -> Param {
    Arc::new(value)
}

impl<T: Table, V, A> Column<T, V, A> {
    /// The column as SQL: its name and its table's alias.
    pub(crate) fn col_ref(&self) -> ColRef {
        ColRef {
            table: T::alias,
            name: self.name,
        }
    }
}

impl<T: Table, V: SqlValue, A> Column<T, V, A> {
    fn compare(self, op: &'static str, value: V::NotNull) -> Expr<T> {
        Expr::new(Node::Compare {
            column: self.col_ref(),
            op,
            value: param(value),
        })
    }

    /// `column = $n`.
    pub fn eq(self, value: impl IntoSql<V::NotNull>) -> Expr<T> {
        self.compare("=", value.into_sql())
    }

    /// `column <> $n`.
    pub fn ne(self, value: impl IntoSql<V::NotNull>) -> Expr<T> {
        self.compare("<>", value.into_sql())
    }

    /// `column < $n`.
    pub fn lt(self, value: impl IntoSql<V::NotNull>) -> Expr<T> {
        self.compare("<", value.into_sql())
    }

    /// `column <= $n`.
    pub fn le(self, value: impl IntoSql<V::NotNull>) -> Expr<T> {
        self.compare("<=", value.into_sql())
    }

    /// `column > $n`.
    pub fn gt(self, value: impl IntoSql<V::NotNull>) -> Expr<T> {
        self.compare(">", value.into_sql())
    }

    /// `column >= $n`.
    pub fn ge(self, value: impl IntoSql<V::NotNull>) -> Expr<T> {
        self.compare(">=", value.into_sql())
    }

    /// `column IN ($n, $m, …)`; an empty list matches no row (`FALSE`).
    pub fn in_<I>(self, values: I) -> Expr<T>
    where
        I: IntoIterator,
        I::Item: IntoSql<V::NotNull>,
    {
        Expr::new(Node::In {
            column: self.col_ref(),
            values: values.into_iter().map(|v| param(v.into_sql())).collect(),
            negated: false,
        })
    }

    /// `column NOT IN ($n, $m, …)`; an empty list matches every row
    /// (`TRUE`), NULLs included, as the empty set would.
    pub fn not_in<I>(self, values: I) -> Expr<T>
    where
        I: IntoIterator,
        I::Item: IntoSql<V::NotNull>,
    {
        Expr::new(Node::In {
            column: self.col_ref(),
            values: values.into_iter().map(|v| param(v.into_sql())).collect(),
            negated: true,
        })
    }

    /// Ascending order (`ORDER BY column`).
    pub fn asc(self) -> Order<T> {
        Order::new(self.col_ref(), false)
    }

    /// Descending order (`ORDER BY column DESC`).
    pub fn desc(self) -> Order<T> {
        Order::new(self.col_ref(), true)
    }
}

impl<T: Table, V: NotNull, A> Column<T, Option<V>, A> {
    /// `column IS NULL` (nullable columns only).
    pub fn is_null(self) -> Expr<T> {
        Expr::new(Node::Null {
            column: self.col_ref(),
            negated: false,
        })
    }

    /// `column IS NOT NULL` (nullable columns only).
    pub fn is_not_null(self) -> Expr<T> {
        Expr::new(Node::Null {
            column: self.col_ref(),
            negated: true,
        })
    }
}

impl<T: Table, V: SqlValue<NotNull = String>, A> Column<T, V, A> {
    /// `column LIKE $n` (text columns only).
    pub fn like(self, pattern: impl IntoSql<String>) -> Expr<T> {
        Expr::new(Node::Like {
            column: self.col_ref(),
            pattern: param(pattern.into_sql()),
            case_insensitive: false,
        })
    }

    /// `column ILIKE $n` (text columns only).
    pub fn ilike(self, pattern: impl IntoSql<String>) -> Expr<T> {
        Expr::new(Node::Like {
            column: self.col_ref(),
            pattern: param(pattern.into_sql()),
            case_insensitive: true,
        })
    }
}

/// What can be set: [`Writable`] columns, not [`ReadOnly`] ones.
#[diagnostic::on_unimplemented(
    message = "this column is computed by the server (a generated column or a GENERATED ALWAYS identity): it cannot be set",
    label = "read-only column",
    note = "generated columns are read from the rows the server returns; set the columns they are computed from"
)]
pub trait Settable {}

impl Settable for Writable {}

impl<T: Table, V: SqlValue, A> Column<T, V, A> {
    /// `column = $n` in an `UPDATE … SET` or `ON CONFLICT … DO UPDATE SET`.
    pub fn to(self, value: impl IntoSql<V>) -> Assignment<T>
    where
        A: Settable,
    {
        Assignment::new(self.name, AssignedValue::Value(param(value.into_sql())))
    }

    /// `column = DEFAULT`.
    pub fn to_default(self) -> Assignment<T>
    where
        A: Settable,
    {
        Assignment::new(self.name, AssignedValue::Default)
    }

    /// `column = EXCLUDED.column`: the value the insert proposed, in
    /// `ON CONFLICT … DO UPDATE SET` only (the server refuses it elsewhere).
    pub fn to_excluded(self) -> Assignment<T>
    where
        A: Settable,
    {
        Assignment::new(self.name, AssignedValue::Excluded)
    }
}

/// What an `ORDER BY` key orders by: a column, or an expression
/// (a function call, a raw fragment).
#[derive(Clone)]
pub(crate) enum Key {
    Col(ColRef),
    Expr(Vec<Piece>),
}

/// One key of an `ORDER BY`.
pub struct Order<T> {
    pub(crate) key: Key,
    pub(crate) descending: bool,
    pub(crate) nulls: Option<bool>,
    marker: PhantomData<fn() -> T>,
}

impl<T> Order<T> {
    pub(crate) fn new(column: ColRef, descending: bool) -> Self {
        Order::of(Key::Col(column), descending)
    }

    pub(crate) fn of(key: Key, descending: bool) -> Self {
        Order {
            key,
            descending,
            nulls: None,
            marker: PhantomData,
        }
    }

    /// `NULLS FIRST`.
    pub fn nulls_first(mut self) -> Self {
        self.nulls = Some(true);
        self
    }

    /// `NULLS LAST`.
    pub fn nulls_last(mut self) -> Self {
        self.nulls = Some(false);
        self
    }

    /// The key with its table forgotten (the scope has checked it).
    pub(crate) fn erase(self) -> Order<()> {
        Order {
            key: self.key,
            descending: self.descending,
            nulls: self.nulls,
            marker: PhantomData,
        }
    }
}

impl<T> Clone for Order<T> {
    fn clone(&self) -> Self {
        Order {
            key: self.key.clone(),
            descending: self.descending,
            nulls: self.nulls,
            marker: PhantomData,
        }
    }
}

impl<T> fmt::Debug for Order<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut w = SqlWriter::default();
        w.order(self);
        write!(f, "Order({})", w.sql)
    }
}

impl<T: Table, V: SqlValue, A> From<Column<T, V, A>> for Order<T> {
    fn from(c: Column<T, V, A>) -> Self {
        c.asc()
    }
}

#[derive(Clone)]
pub(crate) enum AssignedValue {
    Value(Param),
    Default,
    Excluded,
}

/// `column = …` of an update, from [`Column::to`], [`Column::to_default`]
/// or [`Column::to_excluded`].
pub struct Assignment<T> {
    pub(crate) column: &'static str,
    pub(crate) value: AssignedValue,
    marker: PhantomData<fn() -> T>,
}

impl<T> Assignment<T> {
    fn new(column: &'static str, value: AssignedValue) -> Self {
        Assignment {
            column,
            value,
            marker: PhantomData,
        }
    }
}

impl<T> Clone for Assignment<T> {
    fn clone(&self) -> Self {
        Assignment::new(self.column, self.value.clone())
    }
}

impl<T> fmt::Debug for Assignment<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            AssignedValue::Value(v) => write!(f, "Assignment({} = {v:?})", self.column),
            AssignedValue::Default => write!(f, "Assignment({} = DEFAULT)", self.column),
            AssignedValue::Excluded => write!(f, "Assignment({} = EXCLUDED)", self.column),
        }
    }
}

/// What `ON CONFLICT` arbitrates on: a primary key, a unique constraint or
/// a unique index of table `T`, generated as `table::conflict::name`. The
/// text is the index's keys in parentheses, with the `WHERE` predicate of a
/// partial index.
pub struct ConflictTarget<T> {
    sql: &'static str,
    marker: PhantomData<fn() -> T>,
}

impl<T> ConflictTarget<T> {
    /// The conflict target `sql` (`("org_id", "repo_url")`, `("slug")
    /// WHERE (deleted_at IS NULL)`). Generated code makes these.
    pub const fn new(sql: &'static str) -> Self {
        ConflictTarget {
            sql,
            marker: PhantomData,
        }
    }

    /// The target's SQL text.
    pub const fn sql(&self) -> &'static str {
        self.sql
    }
}

impl<T> Clone for ConflictTarget<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for ConflictTarget<T> {}

impl<T> fmt::Debug for ConflictTarget<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConflictTarget({})", self.sql)
    }
}
