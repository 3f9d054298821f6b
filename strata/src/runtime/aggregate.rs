//! Aggregates over typed columns, typed as PostgreSQL types them:
//! `count` is `bigint` and never NULL; every other aggregate is NULL over
//! no rows, so `Option`; `sum(int2/int4)` is `bigint`, `sum(int8)` and
//! `sum(numeric)` are `numeric`, `avg` of an integer or numeric is
//! `numeric`, of a float `double precision`; `min`/`max` keep the
//! column's type; `array_agg` is an array of the column's type;
//! `bool_or`/`bool_and` are `boolean`.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use tokio_postgres::types::FromSql;
use tokio_postgres::Row;

use super::column::Column;
use super::expr::{ColRef, Node, SqlWriter};
use super::join::Has;
use super::project::{read, write_col, Selectable};
use super::value::{IntoSql, NotNull, SqlValue};
use super::{Error, Table};

/// An aggregate of a column of table `T`, whose value is `O`.
pub struct Aggregate<T, O> {
    function: &'static str,
    distinct: bool,
    /// `None`: `count(*)`.
    column: Option<ColRef>,
    marker: PhantomData<fn() -> (T, O)>,
}

impl<T, O> Aggregate<T, O> {
    fn sql(&self) -> String {
        let mut s = String::from(self.function);
        s.push('(');
        match &self.column {
            Some(c) => {
                if self.distinct {
                    s.push_str("DISTINCT ");
                }
                write_col(&mut s, c);
            }
            None => s.push('*'),
        }
        s.push(')');
        s
    }
}

impl<T, O> Clone for Aggregate<T, O> {
    fn clone(&self) -> Self {
        Aggregate {
            function: self.function,
            distinct: self.distinct,
            column: self.column,
            marker: PhantomData,
        }
    }
}

impl<T, O> fmt::Debug for Aggregate<T, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Aggregate({})", self.sql())
    }
}

/// Marks an aggregate's table's position in the scope.
pub struct AggregateOf<I>(PhantomData<I>);

impl<S, T, O, I> Selectable<S, AggregateOf<I>> for Aggregate<T, O>
where
    S: Has<T, I>,
    T: Table,
    O: for<'a> FromSql<'a>,
{
    type Out = O;

    fn write(&self, w: &mut SqlWriter) {
        w.push(&self.sql());
    }

    fn names(&self, out: &mut Vec<&'static str>) {
        out.push("?");
    }

    fn decode(row: &Row, next: &mut usize) -> Result<O, Error> {
        read(row, next)
    }
}

/// A condition on an aggregate of table `T`'s rows, for
/// [`Project::having`](super::Project::having).
pub struct Having<T> {
    pub(crate) node: Node,
    marker: PhantomData<fn() -> T>,
}

impl<T: Table, O: SqlValue> Aggregate<T, O> {
    fn compare(&self, op: &'static str, value: O::NotNull) -> Having<T> {
        Having {
            node: Node::Aggregate {
                sql: self.sql(),
                op,
                value: Arc::new(value),
            },
            marker: PhantomData,
        }
    }

    /// `aggregate = $n`.
    pub fn eq(&self, value: impl IntoSql<O::NotNull>) -> Having<T> {
        self.compare("=", value.into_sql())
    }

    /// `aggregate > $n`.
    pub fn gt(&self, value: impl IntoSql<O::NotNull>) -> Having<T> {
        self.compare(">", value.into_sql())
    }

    /// `aggregate >= $n`.
    pub fn ge(&self, value: impl IntoSql<O::NotNull>) -> Having<T> {
        self.compare(">=", value.into_sql())
    }

    /// `aggregate < $n`.
    pub fn lt(&self, value: impl IntoSql<O::NotNull>) -> Having<T> {
        self.compare("<", value.into_sql())
    }

    /// `aggregate <= $n`.
    pub fn le(&self, value: impl IntoSql<O::NotNull>) -> Having<T> {
        self.compare("<=", value.into_sql())
    }
}

fn of<T: Table, V, A, O>(
    function: &'static str,
    distinct: bool,
    c: Column<T, V, A>,
) -> Aggregate<T, O> {
    Aggregate {
        function,
        distinct,
        column: Some(c.col_ref()),
        marker: PhantomData,
    }
}

/// `count(column)`: the rows where the column is not NULL (`bigint`).
pub fn count<T: Table, V, A>(column: Column<T, V, A>) -> Aggregate<T, i64> {
    of("count", false, column)
}

/// `count(DISTINCT column)` (`bigint`).
pub fn count_distinct<T: Table, V, A>(column: Column<T, V, A>) -> Aggregate<T, i64> {
    of("count", true, column)
}

/// `count(*)` of the rows of table `T` in the query (`bigint`):
/// `count_all::<agent_step::AgentStepTable>()`.
pub fn count_all<T: Table>() -> Aggregate<T, i64> {
    Aggregate {
        function: "count",
        distinct: false,
        column: None,
        marker: PhantomData,
    }
}

/// The type `sum` gives over a column type.
#[diagnostic::on_unimplemented(
    message = "`sum` does not add `{Self}` values",
    label = "not a number column",
    note = "sum takes smallint, integer, bigint, numeric, real and double precision columns"
)]
pub trait Summable: NotNull {
    /// `int2`/`int4` → `int8`; `int8`/`numeric` → `numeric`; floats keep
    /// their type.
    type Sum: NotNull + for<'a> FromSql<'a>;
}

/// The type `avg` gives over a column type.
#[diagnostic::on_unimplemented(
    message = "`avg` does not average `{Self}` values",
    label = "not a number column",
    note = "avg takes smallint, integer, bigint, numeric, real and double precision columns"
)]
pub trait Averageable: NotNull {
    /// Integers and `numeric` → `numeric`; floats → `double precision`.
    type Avg: NotNull + for<'a> FromSql<'a>;
}

/// A column type with an order `min` and `max` use.
#[diagnostic::on_unimplemented(
    message = "`min`/`max` have no order for `{Self}` values",
    label = "a type PostgreSQL's min and max do not take",
    note = "min and max take numbers, text, dates and times (not boolean: use bool_and/bool_or; not jsonb)"
)]
pub trait Ordered: NotNull {}

macro_rules! sums {
    ($($t:ty => $s:ty, $a:ty);* $(;)?) => {
        $(
            impl Summable for $t {
                type Sum = $s;
            }
            impl Averageable for $t {
                type Avg = $a;
            }
            impl Ordered for $t {}
        )*
    };
}

use rust_decimal::Decimal;

sums!(
    i16 => i64, Decimal;
    i32 => i64, Decimal;
    i64 => Decimal, Decimal;
    Decimal => Decimal, Decimal;
    f32 => f32, f64;
    f64 => f64, f64;
);

impl Ordered for String {}
impl Ordered for chrono::NaiveDateTime {}
impl Ordered for chrono::DateTime<chrono::Utc> {}
impl Ordered for chrono::NaiveDate {}
impl Ordered for chrono::NaiveTime {}

/// `sum(column)`: `Option` of [`Summable::Sum`].
pub fn sum<T: Table, V: SqlValue, A>(
    column: Column<T, V, A>,
) -> Aggregate<T, Option<<V::NotNull as Summable>::Sum>>
where
    V::NotNull: Summable,
{
    of("sum", false, column)
}

/// `avg(column)`: `Option` of [`Averageable::Avg`].
pub fn avg<T: Table, V: SqlValue, A>(
    column: Column<T, V, A>,
) -> Aggregate<T, Option<<V::NotNull as Averageable>::Avg>>
where
    V::NotNull: Averageable,
{
    of("avg", false, column)
}

/// `min(column)`: `Option` of the column's type.
pub fn min<T: Table, V: SqlValue, A>(column: Column<T, V, A>) -> Aggregate<T, Option<V::NotNull>>
where
    V::NotNull: Ordered,
{
    of("min", false, column)
}

/// `max(column)`: `Option` of the column's type.
pub fn max<T: Table, V: SqlValue, A>(column: Column<T, V, A>) -> Aggregate<T, Option<V::NotNull>>
where
    V::NotNull: Ordered,
{
    of("max", false, column)
}

/// `array_agg(column)`: `Option<Vec<V>>` (elements `Option` for a
/// nullable column).
pub fn array_agg<T: Table, V: SqlValue, A>(
    column: Column<T, V, A>,
) -> Aggregate<T, Option<Vec<V>>> {
    of("array_agg", false, column)
}

/// `bool_or(column)` of a boolean column: `Option<bool>`.
pub fn bool_or<T: Table, V: SqlValue<NotNull = bool>, A>(
    column: Column<T, V, A>,
) -> Aggregate<T, Option<bool>> {
    of("bool_or", false, column)
}

/// `bool_and(column)` of a boolean column: `Option<bool>`.
pub fn bool_and<T: Table, V: SqlValue<NotNull = bool>, A>(
    column: Column<T, V, A>,
) -> Aggregate<T, Option<bool>> {
    of("bool_and", false, column)
}
