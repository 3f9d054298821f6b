//! `UPDATE … FROM` and `DELETE … USING` other tables, typed like joins
//! (the tables in scope are a tuple of slots; a filter or a value from a
//! table not in scope does not compile), and `RETURNING` chosen columns
//! (a projection) of inserts, updates and deletes.

use std::fmt;
use std::marker::PhantomData;

use super::column::{Assignment, Column, Settable};
use super::decode::FromFields;
use super::executor::Executor;
use super::expr::{ColRef, Node, SqlWriter};
use super::join::{Has, InScope, Inner, Scope};
use super::project::{check_names, FromRow, Selectable};
use super::query::{at_most_one, exactly_one, execute, raw_rows, write_assignments};
use super::query::{Delete, Insert, NoReturning, Update};
use super::value::NotNull;
use super::{quote_into, Error, Table};

/// A column of type `Self` can be set from a value of type `W`.
#[diagnostic::on_unimplemented(
    message = "a column of type `{Self}` cannot be set from a column of type `{W}`",
    label = "another type, or a nullable value for a NOT NULL column",
    note = "a NOT NULL column is set from NOT NULL columns of its type; a nullable column from either"
)]
pub trait AssignFrom<W> {}

impl<X: NotNull> AssignFrom<X> for X {}
impl<X: NotNull> AssignFrom<X> for Option<X> {}
impl<X: NotNull> AssignFrom<Option<X>> for Option<X> {}

/// A column of a table in scope `S` whose values a column of type `V`
/// can be set to.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot set a column of type `{V}` in this statement",
    label = "not a column of a table in scope, or of another type",
    note = "set_col takes a column of a table the statement reads (`from(…)`), of the column's type; a NOT NULL column only from NOT NULL columns"
)]
pub trait SourceColumn<S, V, J> {
    #[doc(hidden)]
    fn col(&self) -> ColRef;
}

impl<S, V, U: Table, W, B, J> SourceColumn<S, V, J> for Column<U, W, B>
where
    S: Has<U, J>,
    V: AssignFrom<W>,
{
    fn col(&self) -> ColRef {
        self.col_ref()
    }
}

fn and(filter: Option<Node>, e: Node) -> Option<Node> {
    Some(match filter {
        Some(f) => Node::And(Box::new(f), Box::new(e)),
        None => e,
    })
}

/// The other tables of an `UPDATE … FROM` / `DELETE … USING`, with their
/// conditions, and the filter over all of them.
struct Others {
    tables: Vec<(String, String)>,
    filter: Option<Node>,
}

impl Others {
    fn push<U: Table>(&mut self, on: Node) {
        self.tables.push((U::sql_name(), U::alias()));
        self.filter = and(self.filter.take(), on);
    }

    fn write_tables(&self, w: &mut SqlWriter) {
        for (i, (table, alias)) in self.tables.iter().enumerate() {
            if i > 0 {
                w.push(", ");
            }
            w.push(table);
            w.push(" AS ");
            quote_into(&mut w.sql, alias);
        }
    }
}

fn write_target<T: Table>(w: &mut SqlWriter) {
    T::write_sql_name(&mut w.sql);
    w.push(" AS ");
    quote_into(&mut w.sql, &T::alias());
}

/// `UPDATE` of table `T` `FROM` other tables, the tables in scope `S`
/// (`(Inner<T>, Inner<U>, …)`), from [`Update::from`].
pub struct UpdateFrom<T: Table, S> {
    assignments: Vec<Assignment<T>>,
    from_columns: Vec<(&'static str, ColRef)>,
    others: Others,
    marker: PhantomData<fn() -> S>,
}

impl<T: Table> Update<T, NoReturning>
where
    T::Row: FromFields,
{
    /// `UPDATE t … FROM table WHERE on`: the update reads another table,
    /// joined on `on` (a condition over both, `eq_col`); set columns from
    /// it with [`UpdateFrom::set_col`]. A row of `T` matched by several
    /// rows of `table` is updated from one of them, which the server
    /// chooses: join on a key.
    pub fn from<U: Table, E, I>(self, _table: U, on: E) -> UpdateFrom<T, (Inner<T>, Inner<U>)>
    where
        U::Row: FromFields,
        E: InScope<(Inner<T>, Inner<U>), I>,
    {
        let mut others = Others {
            tables: Vec::new(),
            filter: self.filter,
        };
        others.push::<U>(on.erase().node);
        UpdateFrom {
            assignments: self.assignments,
            from_columns: Vec::new(),
            others,
            marker: PhantomData,
        }
    }
}

impl<T: Table, S: Scope> UpdateFrom<T, S> {
    /// One more table in `FROM`, joined on `on`.
    pub fn from<U: Table, E, I>(mut self, _table: U, on: E) -> UpdateFrom<T, S::Push<Inner<U>>>
    where
        U::Row: FromFields,
        E: InScope<S::Push<Inner<U>>, I>,
    {
        self.others.push::<U>(on.erase().node);
        UpdateFrom {
            assignments: self.assignments,
            from_columns: self.from_columns,
            others: self.others,
            marker: PhantomData,
        }
    }

    /// Sets a column to a value: `.set(agent_run::status.to(…))`.
    pub fn set(mut self, assignment: Assignment<T>) -> Self {
        self.assignments.push(assignment);
        self
    }

    /// Sets a column of `T` to a column of a table in scope:
    /// `.set_col(agent_run::error_message, agent_step::error_message)`.
    pub fn set_col<V, A, C, J>(mut self, column: Column<T, V, A>, source: C) -> Self
    where
        A: Settable,
        C: SourceColumn<S, V, J>,
    {
        self.from_columns.push((column.name(), source.col()));
        self
    }

    /// Keeps the rows `e` holds for: a condition on any table in scope.
    pub fn filter<E: InScope<S, I>, I>(mut self, e: E) -> Self {
        self.others.filter = and(self.others.filter.take(), e.erase().node);
        self
    }

    fn write_into(&self, w: &mut SqlWriter) {
        w.qualify = true;
        w.push("UPDATE ");
        write_target::<T>(w);
        w.push(" SET ");
        write_assignments(w, &self.assignments);
        for (i, (name, source)) in self.from_columns.iter().enumerate() {
            if i > 0 || !self.assignments.is_empty() {
                w.push(", ");
            }
            quote_into(&mut w.sql, name);
            w.push(" = ");
            w.column(source);
        }
        w.push(" FROM ");
        self.others.write_tables(w);
        if let Some(f) = &self.others.filter {
            w.push(" WHERE ");
            w.expr(f);
        }
    }

    fn check(&self) -> Result<(), Error> {
        if self.assignments.is_empty() && self.from_columns.is_empty() {
            return Err(Error::Build(format!(
                "update of table {} sets no column; add .set(column.to(value)) or .set_col(column, other_column)",
                T::NAME
            )));
        }
        Ok(())
    }

    /// The statement's SQL text.
    pub fn sql(&self) -> String {
        let mut w = SqlWriter::default();
        self.write_into(&mut w);
        w.sql
    }

    /// Runs the update; the number of rows updated.
    pub async fn execute<C: Executor + ?Sized>(&self, db: &C) -> Result<u64, Error> {
        self.check()?;
        let mut w = SqlWriter::default();
        self.write_into(&mut w);
        execute(db, &w).await
    }

    /// `RETURNING` chosen columns of any table in scope (the updated
    /// row's values are as they are after the update).
    pub fn returning_columns<P: Selectable<S, I>, I>(self, projection: P) -> Returned<Self, S, P, I>
    where
        T: 'static,
    {
        Returned::new(self, projection)
    }
}

impl<T: Table, S: Scope> fmt::Debug for UpdateFrom<T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UpdateFrom")
            .field("sql", &self.sql())
            .finish()
    }
}

/// `DELETE` from table `T` `USING` other tables, the tables in scope `S`,
/// from [`Delete::using`].
pub struct DeleteUsing<T: Table, S> {
    others: Others,
    marker: PhantomData<fn() -> (T, S)>,
}

impl<T: Table> Delete<T, NoReturning>
where
    T::Row: FromFields,
{
    /// `DELETE FROM t USING table WHERE on`: the rows of `T` that match
    /// rows of `table` on `on` (and the filters) are deleted.
    pub fn using<U: Table, E, I>(self, _table: U, on: E) -> DeleteUsing<T, (Inner<T>, Inner<U>)>
    where
        U::Row: FromFields,
        E: InScope<(Inner<T>, Inner<U>), I>,
    {
        let mut others = Others {
            tables: Vec::new(),
            filter: self.filter,
        };
        others.push::<U>(on.erase().node);
        DeleteUsing {
            others,
            marker: PhantomData,
        }
    }
}

impl<T: Table, S: Scope> DeleteUsing<T, S> {
    /// One more table in `USING`, joined on `on`.
    pub fn using<U: Table, E, I>(mut self, _table: U, on: E) -> DeleteUsing<T, S::Push<Inner<U>>>
    where
        U::Row: FromFields,
        E: InScope<S::Push<Inner<U>>, I>,
    {
        self.others.push::<U>(on.erase().node);
        DeleteUsing {
            others: self.others,
            marker: PhantomData,
        }
    }

    /// Keeps the rows `e` holds for: a condition on any table in scope.
    pub fn filter<E: InScope<S, I>, I>(mut self, e: E) -> Self {
        self.others.filter = and(self.others.filter.take(), e.erase().node);
        self
    }

    fn write_into(&self, w: &mut SqlWriter) {
        w.qualify = true;
        w.push("DELETE FROM ");
        write_target::<T>(w);
        w.push(" USING ");
        self.others.write_tables(w);
        if let Some(f) = &self.others.filter {
            w.push(" WHERE ");
            w.expr(f);
        }
    }

    /// The statement's SQL text.
    pub fn sql(&self) -> String {
        let mut w = SqlWriter::default();
        self.write_into(&mut w);
        w.sql
    }

    /// Runs the delete; the number of rows deleted.
    pub async fn execute<C: Executor + ?Sized>(&self, db: &C) -> Result<u64, Error> {
        let mut w = SqlWriter::default();
        self.write_into(&mut w);
        execute(db, &w).await
    }

    /// `RETURNING` chosen columns of any table in scope.
    pub fn returning_columns<P: Selectable<S, I>, I>(self, projection: P) -> Returned<Self, S, P, I>
    where
        T: 'static,
    {
        Returned::new(self, projection)
    }
}

impl<T: Table, S: Scope> fmt::Debug for DeleteUsing<T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeleteUsing")
            .field("sql", &self.sql())
            .finish()
    }
}

/// A data-changing statement that can end in `RETURNING`.
#[doc(hidden)]
pub trait Dml {
    #[doc(hidden)]
    fn write_dml(&self, w: &mut SqlWriter);
    #[doc(hidden)]
    fn check_dml(&self) -> Result<(), Error>;
    /// Nothing to do (an insert of no rows): no round trip.
    #[doc(hidden)]
    fn nothing(&self) -> bool {
        false
    }
}

impl<T: Table> Dml for Insert<T, NoReturning> {
    fn write_dml(&self, w: &mut SqlWriter) {
        *w = self.write(false);
    }
    fn check_dml(&self) -> Result<(), Error> {
        self.check()
    }
    fn nothing(&self) -> bool {
        self.is_empty()
    }
}

impl<T: Table> Dml for Update<T, NoReturning> {
    fn write_dml(&self, w: &mut SqlWriter) {
        *w = self.write(false);
    }
    fn check_dml(&self) -> Result<(), Error> {
        self.check()
    }
}

impl<T: Table> Dml for Delete<T, NoReturning> {
    fn write_dml(&self, w: &mut SqlWriter) {
        *w = self.write(false);
    }
    fn check_dml(&self) -> Result<(), Error> {
        Ok(())
    }
}

impl<T: Table, S: Scope> Dml for UpdateFrom<T, S> {
    fn write_dml(&self, w: &mut SqlWriter) {
        self.write_into(w);
    }
    fn check_dml(&self) -> Result<(), Error> {
        self.check()
    }
}

impl<T: Table, S: Scope> Dml for DeleteUsing<T, S> {
    fn write_dml(&self, w: &mut SqlWriter) {
        self.write_into(w);
    }
    fn check_dml(&self) -> Result<(), Error> {
        Ok(())
    }
}

macro_rules! returning_columns {
    ($($stmt:ident),+) => {
        $(
            impl<T: Table> $stmt<T, NoReturning>
            where
                T::Row: FromFields,
            {
                /// `RETURNING` chosen columns (a projection, as
                /// `select().columns(…)` takes): rows are tuples, or
                /// structs through `fetch_all_as`.
                pub fn returning_columns<P: Selectable<(Inner<T>,), I>, I>(
                    self,
                    projection: P,
                ) -> Returned<Self, (Inner<T>,), P, I> {
                    Returned::new(self, projection)
                }
            }
        )+
    };
}

returning_columns!(Insert, Update, Delete);

/// A statement ending in `RETURNING` a projection `P` over scope `S`.
pub struct Returned<D, S, P, I> {
    dml: D,
    projection: P,
    marker: PhantomData<fn() -> (S, I)>,
}

impl<D: Dml, S, P: Selectable<S, I>, I> Returned<D, S, P, I> {
    fn new(dml: D, projection: P) -> Self {
        Returned {
            dml,
            projection,
            marker: PhantomData,
        }
    }

    fn write(&self) -> SqlWriter {
        let mut w = SqlWriter::default();
        self.dml.write_dml(&mut w);
        w.push(" RETURNING ");
        self.projection.write(&mut w);
        w
    }

    /// The statement's SQL text.
    pub fn sql(&self) -> String {
        self.write().sql
    }

    /// Every returned row.
    pub async fn fetch_all<C: Executor + ?Sized>(&self, db: &C) -> Result<Vec<P::Out>, Error> {
        self.dml.check_dml()?;
        if self.dml.nothing() {
            return Ok(Vec::new());
        }
        let rows = raw_rows(db, &self.write()).await?;
        rows.iter()
            .map(|r| {
                let mut next = 0;
                P::decode(r, &mut next)
            })
            .collect()
    }

    /// The one returned row; an error when none or several came back.
    pub async fn fetch_one<C: Executor + ?Sized>(&self, db: &C) -> Result<P::Out, Error> {
        exactly_one(self.fetch_all(db).await?)
    }

    /// The returned row, if any; an error when several came back.
    pub async fn fetch_optional<C: Executor + ?Sized>(
        &self,
        db: &C,
    ) -> Result<Option<P::Out>, Error> {
        at_most_one(self.fetch_all(db).await?)
    }

    /// Every returned row as struct `R` (`#[derive(strata::FromRow)]`;
    /// field types checked by the compiler, names against the projected
    /// columns before the statement runs).
    pub async fn fetch_all_as<R: FromRow<P::Out>, C: Executor + ?Sized>(
        &self,
        db: &C,
    ) -> Result<Vec<R>, Error> {
        let mut names = Vec::new();
        self.projection.names(&mut names);
        check_names::<R, P::Out>(&names)?;
        Ok(self
            .fetch_all(db)
            .await?
            .into_iter()
            .map(R::from_tuple)
            .collect())
    }

    /// The one returned row as struct `R`.
    pub async fn fetch_one_as<R: FromRow<P::Out>, C: Executor + ?Sized>(
        &self,
        db: &C,
    ) -> Result<R, Error> {
        exactly_one(self.fetch_all_as(db).await?)
    }
}

impl<D: Dml, S, P: Selectable<S, I>, I> fmt::Debug for Returned<D, S, P, I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Returned")
            .field("sql", &self.sql())
            .finish()
    }
}
