//! Projections: selecting chosen columns and aggregates instead of whole
//! rows, into tuples or into the user's own structs
//! (`#[derive(strata::FromRow)]`), with `GROUP BY`, `HAVING`, `DISTINCT`
//! and `DISTINCT ON`.
//!
//! A projected column has the column's Rust type — `Option` when the
//! column is nullable or its table is left-joined — and an aggregate the
//! type PostgreSQL gives it (see [`super::aggregate`]).

use std::fmt;
use std::marker::PhantomData;

use tokio_postgres::types::FromSql;
use tokio_postgres::Row;

use super::executor::Executor;

use super::aggregate::Having;
use super::column::{Column, Order};
use super::decode::FromFields;
use super::expr::{ColRef, Node, SqlWriter};
use super::join::{Has, InScope, Inner, Join, Scope, Slot};
use super::query::{at_most_one, exactly_one, raw_rows, Select};
use super::value::SqlValue;
use super::{quote, Error, Table};

/// What can be selected over the tables of scope `S`: a column of one of
/// them, an aggregate, or a tuple of those.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be selected in this query",
    label = "not a column or aggregate of a table in the query",
    note = "select columns (`table::column`) and aggregates (`count(…)`, `sum(…)`, …) of the tables the query selects from or joins, alone or in a tuple"
)]
pub trait Selectable<S, I> {
    /// What one row gives.
    type Out;
    #[doc(hidden)]
    fn write(&self, w: &mut SqlWriter);
    #[doc(hidden)]
    fn names(&self, out: &mut Vec<&'static str>);
    #[doc(hidden)]
    fn decode(row: &Row, next: &mut usize) -> Result<Self::Out, Error>;
}

pub(crate) fn write_col(out: &mut String, c: &ColRef) {
    out.push_str(&quote(&(c.table)()));
    out.push('.');
    out.push_str(&quote(c.name));
}

pub(crate) fn read<V: for<'a> FromSql<'a>>(row: &Row, next: &mut usize) -> Result<V, Error> {
    let i = *next;
    *next += 1;
    Ok(row.try_get(i)?)
}

/// Marks a column's table's position in the scope.
pub struct ColumnOf<I>(PhantomData<I>);

impl<S, T, V, A, I> Selectable<S, ColumnOf<I>> for Column<T, V, A>
where
    S: Has<T, I>,
    T: Table,
    V: SqlValue,
    <S::Slot as Slot>::Value<V>: for<'a> FromSql<'a>,
{
    type Out = <S::Slot as Slot>::Value<V>;

    fn write(&self, w: &mut SqlWriter) {
        write_col(&mut w.sql, &self.col_ref());
    }

    fn names(&self, out: &mut Vec<&'static str>) {
        out.push(self.name());
    }

    fn decode(row: &Row, next: &mut usize) -> Result<Self::Out, Error> {
        read(row, next)
    }
}

macro_rules! select_tuple {
    ($($p:ident $i:ident $n:tt),+) => {
        impl<S, $($p: Selectable<S, $i>, $i),+> Selectable<S, ($($i,)+)> for ($($p,)+) {
            type Out = ($($p::Out,)+);

            fn write(&self, w: &mut SqlWriter) {
                let mut first = true;
                $(
                    if !first {
                        w.push(", ");
                    }
                    first = false;
                    self.$n.write(w);
                )+
                let _ = first;
            }

            fn names(&self, out: &mut Vec<&'static str>) {
                $(self.$n.names(out);)+
            }

            fn decode(row: &Row, next: &mut usize) -> Result<Self::Out, Error> {
                Ok(($($p::decode(row, next)?,)+))
            }
        }
    };
}

select_tuple!(A IA 0);
select_tuple!(A IA 0, B IB 1);
select_tuple!(A IA 0, B IB 1, C IC 2);
select_tuple!(A IA 0, B IB 1, C IC 2, D ID 3);
select_tuple!(A IA 0, B IB 1, C IC 2, D ID 3, E IE 4);
select_tuple!(A IA 0, B IB 1, C IC 2, D ID 3, E IE 4, F IF 5);
select_tuple!(A IA 0, B IB 1, C IC 2, D ID 3, E IE 4, F IF 5, G IG 6);
select_tuple!(A IA 0, B IB 1, C IC 2, D ID 3, E IE 4, F IF 5, G IG 6, H IH 7);

/// A struct a projection can be read into: `#[derive(strata::FromRow)]`
/// maps a tuple of the fields' types, in field order, to the struct, and
/// [`Project::into`] checks the projection's column names against the
/// field names.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be read from a projection whose rows are `{Tuple}`",
    label = "the struct's fields do not have the projected columns' types",
    note = "the fields, in order, must have the projected columns' types: `Option` for a nullable column, an aggregate's PostgreSQL type (`sum(int4)` is `Option<i64>`)"
)]
pub trait FromRow<Tuple>: Sized {
    /// The fields' names, in order.
    const FIELDS: &'static [&'static str];
    /// The struct from the projected values.
    fn from_tuple(values: Tuple) -> Self;
}

/// A `SELECT` of chosen columns or aggregates, from [`Select::columns`] or
/// [`Join::columns`]: rows are `P::Out` (a tuple for a tuple).
pub struct Project<S, P, I> {
    join: Join<S>,
    projection: P,
    distinct: Option<Vec<ColRef>>,
    group_by: Vec<ColRef>,
    having: Option<Node>,
    marker: PhantomData<fn() -> I>,
}

impl<T: Table> Select<T>
where
    T::Row: FromFields,
{
    /// Selects chosen columns or aggregates instead of whole rows:
    /// `select().columns((agent_run::id, agent_run::status))` gives
    /// `Vec<(String, AgentRunStatus)>`.
    pub fn columns<P, I>(self, projection: P) -> Project<(Inner<T>,), P, I>
    where
        P: Selectable<(Inner<T>,), I>,
    {
        self.into_join().columns(projection)
    }
}

impl<S: Scope> Join<S> {
    /// Selects chosen columns or aggregates of the joined tables.
    pub fn columns<P: Selectable<S, I>, I>(self, projection: P) -> Project<S, P, I> {
        Project {
            join: self,
            projection,
            distinct: None,
            group_by: Vec::new(),
            having: None,
            marker: PhantomData,
        }
    }
}

impl<S: Scope, P: Selectable<S, I>, I> Project<S, P, I> {
    /// Keeps the rows `e` holds for (before grouping).
    pub fn filter<E: InScope<S, J>, J>(mut self, e: E) -> Self {
        self.join = self.join.filter(e);
        self
    }

    /// Orders the result by a column of any table of the query.
    pub fn order_by<T: Table, J>(mut self, order: impl Into<Order<T>>) -> Self
    where
        S: Has<T, J>,
    {
        self.join = self.join.order_by(order);
        self
    }

    /// At most `n` rows.
    pub fn limit(mut self, n: i64) -> Self {
        self.join = self.join.limit(n);
        self
    }

    /// Skips the first `n` rows.
    pub fn offset(mut self, n: i64) -> Self {
        self.join = self.join.offset(n);
        self
    }

    pub(crate) fn map_join(mut self, f: impl FnOnce(Join<S>) -> Join<S>) -> Self {
        self.join = f(self.join);
        self
    }

    /// `SELECT DISTINCT`: each different row once.
    pub fn distinct(mut self) -> Self {
        self.distinct = Some(Vec::new());
        self
    }

    /// `SELECT DISTINCT ON (column, …)`: the first row of each value of
    /// the columns, in the order given by `order_by` (which must start with
    /// them: the server says so otherwise).
    pub fn distinct_on<T: Table, V, A, J>(mut self, column: Column<T, V, A>) -> Self
    where
        S: Has<T, J>,
    {
        self.distinct
            .get_or_insert_with(Vec::new)
            .push(column.col_ref());
        self
    }

    /// `GROUP BY column` (several calls add columns).
    pub fn group_by<T: Table, V, A, J>(mut self, column: Column<T, V, A>) -> Self
    where
        S: Has<T, J>,
    {
        self.group_by.push(column.col_ref());
        self
    }

    /// `HAVING condition` on an aggregate (`count(…).gt(1)`); several
    /// must all hold.
    pub fn having<T: Table, J>(mut self, condition: Having<T>) -> Self
    where
        S: Has<T, J>,
    {
        self.having = Some(match self.having {
            Some(h) => Node::And(Box::new(h), Box::new(condition.node)),
            None => condition.node,
        });
        self
    }

    fn write(&self) -> SqlWriter {
        let mut w = SqlWriter {
            qualify: true,
            ..SqlWriter::default()
        };
        self.write_into(&mut w);
        w
    }

    /// The statement into `w` (which qualifies columns): the whole
    /// statement, or a subquery or a branch of a `UNION` inside another.
    pub(crate) fn write_into(&self, w: &mut SqlWriter) {
        w.push("SELECT ");
        match &self.distinct {
            Some(on) if on.is_empty() => w.push("DISTINCT "),
            Some(on) => {
                w.push("DISTINCT ON (");
                for (i, c) in on.iter().enumerate() {
                    if i > 0 {
                        w.push(", ");
                    }
                    w.column(c);
                }
                w.push(") ");
            }
            None => {}
        }
        self.projection.write(w);
        self.join.write_from(w);
        if !self.group_by.is_empty() {
            w.push(" GROUP BY ");
            for (i, c) in self.group_by.iter().enumerate() {
                if i > 0 {
                    w.push(", ");
                }
                w.column(c);
            }
        }
        if let Some(h) = &self.having {
            w.push(" HAVING ");
            w.expr(h);
        }
        self.join.write_order(w);
    }

    /// The statement's SQL text.
    pub fn sql(&self) -> String {
        self.write().sql
    }

    /// Every row.
    pub async fn fetch_all<C: Executor + ?Sized>(&self, db: &C) -> Result<Vec<P::Out>, Error> {
        let rows = raw_rows(db, &self.write()).await?;
        rows.iter()
            .map(|r| {
                let mut next = 0;
                P::decode(r, &mut next)
            })
            .collect()
    }

    /// The one row; an error when there is none or more than one.
    pub async fn fetch_one<C: Executor + ?Sized>(&self, db: &C) -> Result<P::Out, Error> {
        exactly_one(self.fetch_all(db).await?)
    }

    /// The row if there is one; an error when there are several.
    pub async fn fetch_optional<C: Executor + ?Sized>(
        &self,
        db: &C,
    ) -> Result<Option<P::Out>, Error> {
        at_most_one(self.fetch_all(db).await?)
    }

    /// Reads the rows into struct `R` (`#[derive(strata::FromRow)]`):
    /// its fields' types must be the projection's (checked by the
    /// compiler), and the names of projected columns must be its fields'
    /// names (checked here, before any round trip; aggregates are not
    /// named).
    pub fn into<R: FromRow<P::Out>>(self) -> Result<IntoStruct<S, P, I, R>, Error> {
        let mut names = Vec::new();
        self.projection.names(&mut names);
        check_names::<R, P::Out>(&names)?;
        Ok(IntoStruct {
            project: self,
            marker: PhantomData,
        })
    }
}

impl<S: Scope, P: Selectable<S, I>, I> fmt::Debug for Project<S, P, I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Project").field("sql", &self.sql()).finish()
    }
}

/// Checks that the projected columns' names are `R`'s fields' names, in
/// order (aggregates and expressions are not named).
pub(crate) fn check_names<R: FromRow<O>, O>(names: &[&'static str]) -> Result<(), Error> {
    for (i, name) in names.iter().enumerate() {
        if *name == "?" {
            continue;
        }
        match R::FIELDS.get(i) {
            Some(field) if field.trim_start_matches("r#") == *name => {}
            Some(field) => {
                return Err(Error::Build(format!(
                    "projected column {} is number {} of the projection, but field number {} of {} is {field}: fields are read in the projection's order",
                    quote(name),
                    i + 1,
                    i + 1,
                    std::any::type_name::<R>()
                )))
            }
            None => {
                return Err(Error::Build(format!(
                    "{} has fewer fields than the projection has columns",
                    std::any::type_name::<R>()
                )))
            }
        }
    }
    Ok(())
}

/// A projection read into struct `R`, from [`Project::into`].
pub struct IntoStruct<S, P, I, R> {
    project: Project<S, P, I>,
    marker: PhantomData<fn() -> R>,
}

impl<S: Scope, P: Selectable<S, I>, I, R: FromRow<P::Out>> IntoStruct<S, P, I, R> {
    /// The statement's SQL text.
    pub fn sql(&self) -> String {
        self.project.sql()
    }

    /// Every row, as `R`.
    pub async fn fetch_all<C: Executor + ?Sized>(&self, db: &C) -> Result<Vec<R>, Error> {
        Ok(self
            .project
            .fetch_all(db)
            .await?
            .into_iter()
            .map(R::from_tuple)
            .collect())
    }

    /// The one row; an error when there is none or more than one.
    pub async fn fetch_one<C: Executor + ?Sized>(&self, db: &C) -> Result<R, Error> {
        exactly_one(self.fetch_all(db).await?)
    }
}
