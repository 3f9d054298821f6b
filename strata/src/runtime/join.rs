//! Statements over several tables: `select().join(relation)`,
//! `left_join`, joins on any condition, self-joins through [`Alias`].
//!
//! The tables in scope are a type: a tuple of [`Inner`] / [`Left`] slots,
//! one per table, in join order (`(Inner<AgentRunTable>,
//! Left<AgentStepTable>)`). A filter or an order on a column of table `T`
//! needs the scope to hold `T` ([`Has`]), so a filter on a table the query
//! has not joined does not compile. Rows come back as a tuple with one
//! element per slot: the row struct for an inner join, `Option` of it for
//! a left join.
//!
//! [`Alias`]: super::Alias

use std::fmt;
use std::marker::PhantomData;

use super::executor::Executor;

use super::column::{Column, Order};
use super::decode::{Fields, FromFields};
use super::expr::{Expr, Node, SqlWriter};
use super::query::{at_most_one, exactly_one, raw_rows, Select};
use super::relation::Relation;
use super::value::{NotNull, SqlValue};
use super::{quote, DecodeError, Error, Table};

/// Slot of an inner-joined table `T` (and of the table selected from):
/// its row comes back as `T::Row`.
pub struct Inner<T>(PhantomData<fn() -> T>);

/// Slot of a left-joined table `T`: its row comes back as
/// `Option<T::Row>`, `None` when no row matched.
pub struct Left<T>(PhantomData<fn() -> T>);

/// A table in a statement, and how its row comes back.
pub trait Slot {
    type Table: Table;
    /// `T::Row` or `Option<T::Row>`.
    type Out;
    /// A column's type as it comes back from this slot: as declared for an
    /// inner join, `Option` for a left join.
    type Value<V: SqlValue>;
    /// The outer query's table this slot stands for (`Outer<T>`: `T`), or
    /// `()` for a table of this statement.
    type Outer;
    #[doc(hidden)]
    fn decode(fields: &mut Fields<'_>) -> Result<Self::Out, DecodeError>;
    #[doc(hidden)]
    fn write_columns(out: &mut String, first: &mut bool) {
        write_columns::<Self::Table>(out, first);
    }
}

/// Slot of a table of the *outer* query, in a correlated subquery
/// (`select().outer(agent_run::AgentRunTable)`): its columns can be
/// used in the subquery's filters; it is not in the subquery's `FROM`.
pub struct Outer<T>(PhantomData<fn() -> T>);

impl<T: Table> Slot for Outer<T> {
    type Table = T;
    type Out = ();
    /// Nullable: the outer table may be left-joined out there.
    type Value<V: SqlValue> = Option<V::NotNull>;
    type Outer = T;
    fn decode(_: &mut Fields<'_>) -> Result<(), DecodeError> {
        Ok(())
    }
    fn write_columns(_: &mut String, _: &mut bool) {}
}

impl<T: Table> Slot for Inner<T>
where
    T::Row: FromFields,
{
    type Table = T;
    type Out = T::Row;
    type Value<V: SqlValue> = V;
    type Outer = ();
    fn decode(fields: &mut Fields<'_>) -> Result<T::Row, DecodeError> {
        T::Row::from_fields(fields)
    }
}

impl<T: Table> Slot for Left<T>
where
    T::Row: FromFields,
{
    type Table = T;
    type Out = Option<T::Row>;
    type Value<V: SqlValue> = Option<V::NotNull>;
    type Outer = ();
    /// `None` when every column is NULL: the join matched no row. (A
    /// matched row whose every column is NULL reads as `None` too; only a
    /// table without any `NOT NULL` column can have one.)
    fn decode(fields: &mut Fields<'_>) -> Result<Option<T::Row>, DecodeError> {
        if fields.all_null(T::COLUMNS.len()) {
            fields.skip(T::COLUMNS.len());
            return Ok(None);
        }
        T::Row::from_fields(fields).map(Some)
    }
}

/// Position markers for [`Has`]: which slot of the scope holds a table.
pub mod index {
    /// First slot.
    pub struct I0;
    /// Second slot.
    pub struct I1;
    /// Third slot.
    pub struct I2;
    /// Fourth slot.
    pub struct I3;
    /// Fifth slot.
    pub struct I4;
    /// Sixth slot.
    pub struct I5;
}

/// The scope holds table `T` (at the position `I`, which the compiler
/// infers).
#[diagnostic::on_unimplemented(
    message = "table `{T}` is not in this query",
    label = "this refers to `{T}`, which the query does not select from or join",
    note = "join the table first (`.join(…)`, `.left_join(…)`, `.join_on(…)`); a table joined twice needs an `Alias`"
)]
pub trait Has<T, I> {
    /// The slot that holds `T`.
    type Slot: Slot;
}

/// The tables of a statement: a tuple of slots.
pub trait Scope {
    /// One element per slot.
    type Out;
    /// The scope with one more slot at the end.
    type Push<X: Slot>;
    #[doc(hidden)]
    fn columns(out: &mut String);
    #[doc(hidden)]
    fn decode(fields: &mut Fields<'_>) -> Result<Self::Out, DecodeError>;
}

fn write_columns<T: Table>(out: &mut String, first: &mut bool) {
    let alias = quote(&T::alias());
    for c in T::COLUMNS {
        if !*first {
            out.push_str(", ");
        }
        *first = false;
        out.push_str(&alias);
        out.push('.');
        out.push_str(&quote(c));
    }
}

macro_rules! scope {
    ($($s:ident $i:ident),+) => {
        impl<$($s: Slot),+> Scope for ($($s,)+) {
            type Out = ($($s::Out,)+);
            type Push<X: Slot> = ($($s,)+ X,);
            fn columns(out: &mut String) {
                let mut first = true;
                $($s::write_columns(out, &mut first);)+
            }
            fn decode(fields: &mut Fields<'_>) -> Result<Self::Out, DecodeError> {
                Ok(($($s::decode(fields)?,)+))
            }
        }
        scope!(@has [$($s),+] $($s $i),+);
    };
    (@has $all:tt $($s:ident $i:ident),+) => {
        $(scope!(@one $all $s $i);)+
    };
    (@one [$($all:ident),+] $s:ident $i:ident) => {
        impl<$($all: Slot),+> Has<<$s as Slot>::Table, index::$i> for ($($all,)+) {
            type Slot = $s;
        }
    };
}

scope!(A I0);
scope!(A I0, B I1);
scope!(A I0, B I1, C I2);
scope!(A I0, B I1, C I2, D I3);
scope!(A I0, B I1, C I2, D I3, E I4);
scope!(A I0, B I1, C I2, D I3, E I4, G I5);

/// A condition over the tables of scope `S`: a filter on one table of the
/// scope (`Expr<T>`), or a comparison of two of its tables' columns
/// (`Expr<(T, U)>`, from [`Column::eq_col`] and friends).
#[diagnostic::on_unimplemented(
    message = "this condition refers to a table that is not in the query",
    label = "a filter on a table the query does not select from or join",
    note = "join the table first (`.join(…)`, `.left_join(…)`, `.join_on(…)`); a table joined twice needs an `Alias`"
)]
pub trait InScope<S, I> {
    /// The condition, its tables forgotten (the scope has checked them).
    fn erase(self) -> Expr<()>;
}

/// Marks the position of a one-table condition's table.
pub struct OneTable<I>(PhantomData<I>);

/// Marks the positions of a two-table condition's tables.
pub struct TwoTables<I, J>(PhantomData<(I, J)>);

impl<S: Has<T, I>, T: Table, I> InScope<S, OneTable<I>> for Expr<T> {
    fn erase(self) -> Expr<()> {
        Expr::new(self.node)
    }
}

impl<S: Has<T, I> + Has<U, J>, T: Table, U: Table, I, J> InScope<S, TwoTables<I, J>>
    for Expr<(T, U)>
{
    fn erase(self) -> Expr<()> {
        Expr::new(self.node)
    }
}

/// Two columns of one SQL type (`Option` or not).
#[diagnostic::on_unimplemented(
    message = "a column of type `{Self}` cannot be compared with a column of type `{W}`",
    label = "columns of different types",
    note = "columns compare only with columns of the same Rust type (nullable or not)"
)]
pub trait SameType<W> {}

impl<X: NotNull> SameType<X> for X {}
impl<X: NotNull> SameType<Option<X>> for X {}
impl<X: NotNull> SameType<X> for Option<X> {}
impl<X: NotNull> SameType<Option<X>> for Option<X> {}

impl<T: Table, V: SqlValue, A> Column<T, V, A> {
    fn columns<U: Table, W, B>(self, op: &'static str, other: Column<U, W, B>) -> Expr<(T, U)> {
        Expr::new(Node::Columns {
            left: self.col_ref(),
            op,
            right: other.col_ref(),
        })
    }

    /// `column = other`: a join condition, or a filter comparing two
    /// columns (of one table or two tables of the query).
    pub fn eq_col<U: Table, W, B>(self, other: Column<U, W, B>) -> Expr<(T, U)>
    where
        V: SameType<W>,
    {
        self.columns("=", other)
    }

    /// `column <> other`.
    pub fn ne_col<U: Table, W, B>(self, other: Column<U, W, B>) -> Expr<(T, U)>
    where
        V: SameType<W>,
    {
        self.columns("<>", other)
    }

    /// `column < other`.
    pub fn lt_col<U: Table, W, B>(self, other: Column<U, W, B>) -> Expr<(T, U)>
    where
        V: SameType<W>,
    {
        self.columns("<", other)
    }

    /// `column > other`.
    pub fn gt_col<U: Table, W, B>(self, other: Column<U, W, B>) -> Expr<(T, U)>
    where
        V: SameType<W>,
    {
        self.columns(">", other)
    }
}

struct Clause {
    kind: &'static str,
    table: String,
    alias: String,
    on: Node,
}

/// `SELECT` over the tables of scope `S` (a tuple of [`Inner`] / [`Left`]
/// slots), from [`Select::join`] and friends.
pub struct Join<S> {
    from: String,
    from_alias: String,
    joins: Vec<Clause>,
    filter: Option<Node>,
    pub(crate) keyset: Option<super::keyset::Keyset>,
    /// The aliases of the outer query's tables a correlated subquery reads.
    outer: Vec<String>,
    order: Vec<Order<()>>,
    limit: Option<i64>,
    offset: Option<i64>,
    marker: PhantomData<fn() -> S>,
}

fn and(filter: Option<Node>, e: Node) -> Option<Node> {
    Some(match filter {
        Some(f) => Node::And(Box::new(f), Box::new(e)),
        None => e,
    })
}

impl<T: Table> Select<T> {
    pub(crate) fn into_join(self) -> Join<(Inner<T>,)> {
        Join {
            from: T::sql_name(),
            from_alias: T::alias(),
            joins: Vec::new(),
            filter: self.filter,
            keyset: self.keyset,
            outer: Vec::new(),
            order: self.order.into_iter().map(Order::erase).collect(),
            limit: self.limit,
            offset: self.offset,
            marker: PhantomData,
        }
    }

    /// `JOIN` the table `relation` leads to: `agent_step::AgentStepTable::
    /// select().join(agent_step::rel::agent_run)`.
    pub fn join<U: Table, C>(self, relation: Relation<T, U, C>) -> Join<(Inner<T>, Inner<U>)>
    where
        T::Row: FromFields,
        U::Row: FromFields,
    {
        self.into_join().join(relation)
    }

    /// `LEFT JOIN` the table `relation` leads to; its row is `None` when
    /// none matched.
    pub fn left_join<U: Table, C>(self, relation: Relation<T, U, C>) -> Join<(Inner<T>, Left<U>)>
    where
        T::Row: FromFields,
        U::Row: FromFields,
    {
        self.into_join().left_join(relation)
    }

    /// `JOIN table ON condition`, on any condition over the two tables.
    pub fn join_on<U: Table, E, I>(self, table: U, on: E) -> Join<(Inner<T>, Inner<U>)>
    where
        T::Row: FromFields,
        U::Row: FromFields,
        E: InScope<(Inner<T>, Inner<U>), I>,
    {
        self.into_join().join_on(table, on)
    }

    /// `LEFT JOIN table ON condition`.
    pub fn left_join_on<U: Table, E, I>(self, table: U, on: E) -> Join<(Inner<T>, Left<U>)>
    where
        T::Row: FromFields,
        U::Row: FromFields,
        E: InScope<(Inner<T>, Left<U>), I>,
    {
        self.into_join().left_join_on(table, on)
    }
}

impl<S: Scope> Join<S> {
    fn push<X: Slot>(mut self, kind: &'static str, on: Node) -> Join<S::Push<X>> {
        self.joins.push(Clause {
            kind,
            table: X::Table::sql_name(),
            alias: X::Table::alias(),
            on,
        });
        self.retype()
    }

    fn retype<X>(self) -> Join<X> {
        Join {
            from: self.from,
            from_alias: self.from_alias,
            joins: self.joins,
            filter: self.filter,
            keyset: self.keyset,
            outer: self.outer,
            order: self.order,
            limit: self.limit,
            offset: self.offset,
            marker: PhantomData,
        }
    }

    /// `JOIN` the table `relation` leads to, from a table of the query.
    pub fn join<F: Table, U: Table, C, I>(
        self,
        relation: Relation<F, U, C>,
    ) -> Join<S::Push<Inner<U>>>
    where
        S: Has<F, I>,
        U::Row: FromFields,
    {
        let on = relation.condition(&F::alias(), &U::alias());
        self.push::<Inner<U>>("JOIN", on)
    }

    /// `LEFT JOIN` the table `relation` leads to, from a table of the
    /// query; its row is `None` when none matched.
    pub fn left_join<F: Table, U: Table, C, I>(
        self,
        relation: Relation<F, U, C>,
    ) -> Join<S::Push<Left<U>>>
    where
        S: Has<F, I>,
        U::Row: FromFields,
    {
        let on = relation.condition(&F::alias(), &U::alias());
        self.push::<Left<U>>("LEFT JOIN", on)
    }

    /// `JOIN table ON condition`, the condition over the tables joined so
    /// far and this one.
    pub fn join_on<U: Table, E, I>(self, _table: U, on: E) -> Join<S::Push<Inner<U>>>
    where
        U::Row: FromFields,
        E: InScope<S::Push<Inner<U>>, I>,
    {
        self.push::<Inner<U>>("JOIN", on.erase().node)
    }

    /// `LEFT JOIN table ON condition`.
    pub fn left_join_on<U: Table, E, I>(self, _table: U, on: E) -> Join<S::Push<Left<U>>>
    where
        U::Row: FromFields,
        E: InScope<S::Push<Left<U>>, I>,
    {
        self.push::<Left<U>>("LEFT JOIN", on.erase().node)
    }

    /// Keeps the rows `e` holds for: a filter on any table of the query
    /// (`agent_step::status.eq(…)`), or a comparison of two of their
    /// columns. Several filters must all hold.
    pub fn filter<E: InScope<S, I>, I>(mut self, e: E) -> Self {
        self.filter = and(self.filter, e.erase().node);
        self
    }

    /// Orders by a column of any table of the query; later calls break
    /// ties.
    pub fn order_by<T: Table, I>(mut self, order: impl Into<Order<T>>) -> Self
    where
        S: Has<T, I>,
    {
        self.order.push(order.into().erase());
        self
    }

    /// At most `n` rows.
    pub fn limit(mut self, n: i64) -> Self {
        self.limit = Some(n);
        self
    }

    /// Skips the first `n` rows.
    pub fn offset(mut self, n: i64) -> Self {
        self.offset = Some(n);
        self
    }

    pub(crate) fn write_from(&self, w: &mut SqlWriter) {
        for o in &self.outer {
            if *o == self.from_alias || self.joins.iter().any(|j| j.alias == *o) {
                w.fail(format!(
                    "a subquery reads table {} and refers to the outer query's {} too: inside it the name means its own table; give one of them an Alias",
                    quote(o),
                    quote(o)
                ));
            }
        }
        w.push(" FROM ");
        w.push(&self.from);
        w.push(" AS ");
        w.push(&quote(&self.from_alias));
        for j in &self.joins {
            w.push(" ");
            w.push(j.kind);
            w.push(" ");
            w.push(&j.table);
            w.push(" AS ");
            w.push(&quote(&j.alias));
            w.push(" ON ");
            w.expr(&j.on);
        }
        let filter = super::keyset::with_keyset(w, self.filter.clone(), &self.keyset, &self.order);
        if let Some(f) = &filter {
            w.push(" WHERE ");
            w.expr(f);
        }
    }

    /// A table of the outer query, for a correlated subquery: its columns
    /// may be used in this query's filters (`agent_step::agent_run_id
    /// .eq_col(agent_run::id)`), and it is not added to `FROM`.
    pub fn outer<O: Table>(mut self, _table: O) -> Join<S::Push<Outer<O>>> {
        self.outer.push(O::alias());
        self.retype()
    }

    pub(crate) fn write_order(&self, w: &mut SqlWriter) {
        if !self.order.is_empty() {
            w.push(" ORDER BY ");
            for (i, o) in self.order.iter().enumerate() {
                if i > 0 {
                    w.push(", ");
                }
                w.order(o);
            }
        }
        if let Some(n) = self.limit {
            w.push(" LIMIT ");
            w.param(std::sync::Arc::new(n));
        }
        if let Some(n) = self.offset {
            w.push(" OFFSET ");
            w.param(std::sync::Arc::new(n));
        }
    }

    fn write(&self) -> SqlWriter {
        let mut w = SqlWriter {
            qualify: true,
            ..SqlWriter::default()
        };
        w.push("SELECT ");
        S::columns(&mut w.sql);
        self.write_from(&mut w);
        self.write_order(&mut w);
        w
    }

    /// The statement's SQL text.
    pub fn sql(&self) -> String {
        self.write().sql
    }

    /// Every row: a tuple with one element per table.
    pub async fn fetch_all<C: Executor + ?Sized>(&self, db: &C) -> Result<Vec<S::Out>, Error> {
        let rows = raw_rows(db, &self.write()).await?;
        rows.iter()
            .map(|r| S::decode(&mut Fields::row(r, 0)).map_err(Error::from))
            .collect()
    }

    /// The one row; an error when there is none or more than one.
    pub async fn fetch_one<C: Executor + ?Sized>(&self, db: &C) -> Result<S::Out, Error> {
        exactly_one(self.fetch_all(db).await?)
    }

    /// The row if there is one; an error when there are several.
    pub async fn fetch_optional<C: Executor + ?Sized>(
        &self,
        db: &C,
    ) -> Result<Option<S::Out>, Error> {
        at_most_one(self.fetch_all(db).await?)
    }
}

impl<S: Scope> fmt::Debug for Join<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Join").field("sql", &self.sql()).finish()
    }
}
