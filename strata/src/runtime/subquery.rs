//! Subqueries: `EXISTS` / `NOT EXISTS`, `IN (subquery)` / `NOT IN`, and
//! scalar subqueries in projections and comparisons.
//!
//! A subquery is a select of its own (`Join`, or a projection
//! `Project`); a *correlated* one names the outer query's table with
//! `.outer(table)`, which puts it in the subquery's scope without adding
//! it to its `FROM`. The condition a subquery makes then refers to that
//! table (`Expr<AgentRunTable>`), so it compiles only in a query that
//! has it.

use std::sync::Arc;

use super::column::Column;
use super::decode::FromFields;
use super::expr::{Expr, Node, Piece, SqlWriter, WriteSql};
use super::join::{Inner, Join, Outer, Scope, Slot};
use super::project::{Project, Selectable};
use super::query::Select;
use super::scalar::Scalar;
use super::value::{NotNull, SqlValue};
use super::Table;

/// The tables of the outer query a subquery's scope refers to: `()`, one
/// table, or two. (`A + B`, at the type level.)
pub trait Plus<X> {
    type Out;
}

impl<X> Plus<X> for () {
    type Out = X;
}

impl<T: Table> Plus<()> for T {
    type Out = T;
}

impl<T: Table, U: Table> Plus<U> for T {
    type Out = (T, U);
}

impl<T: Table, U: Table> Plus<()> for (T, U) {
    type Out = (T, U);
}

/// The outer tables of a scope (the tables of its [`Outer`] slots).
pub trait Correlated {
    type Outer;
}

impl<A: Slot> Correlated for (A,) {
    type Outer = A::Outer;
}

impl<A: Slot, B: Slot> Correlated for (A, B)
where
    A::Outer: Plus<B::Outer>,
{
    type Outer = <A::Outer as Plus<B::Outer>>::Out;
}

impl<A: Slot, B: Slot, C: Slot> Correlated for (A, B, C)
where
    A::Outer: Plus<B::Outer>,
    <A::Outer as Plus<B::Outer>>::Out: Plus<C::Outer>,
{
    type Outer = <<A::Outer as Plus<B::Outer>>::Out as Plus<C::Outer>>::Out;
}

impl<A: Slot, B: Slot, C: Slot, D: Slot> Correlated for (A, B, C, D)
where
    A::Outer: Plus<B::Outer>,
    <A::Outer as Plus<B::Outer>>::Out: Plus<C::Outer>,
    <<A::Outer as Plus<B::Outer>>::Out as Plus<C::Outer>>::Out: Plus<D::Outer>,
{
    type Outer =
        <<<A::Outer as Plus<B::Outer>>::Out as Plus<C::Outer>>::Out as Plus<D::Outer>>::Out;
}

/// A select that can stand inside another statement.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a subquery",
    label = "not a select",
    note = "a subquery is a select (`Table::select()…`, joined or not), or a projection (`….columns(…)`) for IN and scalar subqueries"
)]
pub trait Subquery: Send + Sync + 'static {
    /// The outer query's tables it refers to: `()`, `T`, or `(T, U)`.
    type Outer;
    /// What one of its rows gives (a projection's row type).
    type Out;
    #[doc(hidden)]
    fn write_subquery(&self, w: &mut SqlWriter);
}

impl<Q: Subquery> WriteSql for Q {
    fn write_sql(&self, w: &mut SqlWriter) {
        self.write_subquery(w);
    }
}

impl<S, P, I> Subquery for Project<S, P, I>
where
    S: Scope + Correlated + 'static,
    P: Selectable<S, I> + Send + Sync + 'static,
    I: 'static,
{
    type Outer = S::Outer;
    type Out = P::Out;
    fn write_subquery(&self, w: &mut SqlWriter) {
        self.write_into(w);
    }
}

impl<S> Subquery for Join<S>
where
    S: Scope + Correlated + 'static,
{
    type Outer = S::Outer;
    type Out = ();
    fn write_subquery(&self, w: &mut SqlWriter) {
        w.push("SELECT 1");
        self.write_from(w);
        self.write_order(w);
    }
}

impl<T: Table> Subquery for Select<T> {
    type Outer = ();
    type Out = ();
    fn write_subquery(&self, w: &mut SqlWriter) {
        w.push("SELECT 1 FROM ");
        T::write_sql_name(&mut w.sql);
        w.push(" AS ");
        super::quote_into(&mut w.sql, &T::alias());
        self.write_tail(w);
    }
}

impl<T: Table> Select<T>
where
    T::Row: FromFields,
{
    /// A table of the outer query, for a correlated subquery (see
    /// [`Join::outer`]).
    pub fn outer<O: Table>(self, table: O) -> Join<(Inner<T>, Outer<O>)> {
        self.into_join().outer(table)
    }
}

fn sub<Q: Subquery>(before: &'static str, q: Q) -> Vec<Piece> {
    vec![
        Piece::text(before),
        Piece::Sub(Arc::new(q)),
        Piece::text(")"),
    ]
}

/// `EXISTS (subquery)`: a condition on the outer query's table the
/// subquery refers to (on no table when it refers to none).
pub fn exists<Q: Subquery>(q: Q) -> Expr<Q::Outer> {
    Expr::new(Node::Frag(sub("EXISTS (", q)))
}

/// `NOT EXISTS (subquery)`.
pub fn not_exists<Q: Subquery>(q: Q) -> Expr<Q::Outer> {
    Expr::new(Node::Frag(sub("NOT EXISTS (", q)))
}

/// A scalar subquery: one column of at most one row, NULL when there is
/// none (so `Option`). More than one row is an error of the server's.
pub fn scalar<Q>(q: Q) -> Scalar<Q::Outer, Option<<Q::Out as SqlValue>::NotNull>>
where
    Q: Subquery,
    Q::Out: SqlValue,
{
    Scalar::from_pieces(sub("(", q))
}

/// A subquery's column type that a column of type `V` can be compared
/// with.
#[diagnostic::on_unimplemented(
    message = "a subquery selecting `{Self}` cannot be compared with a column of type `{V}`",
    label = "the subquery selects another type",
    note = "IN (subquery) takes a subquery of one column of the column's Rust type, nullable or not: `.columns(other_table::column)`"
)]
pub trait SubqueryOf<V> {}

impl<X: NotNull> SubqueryOf<X> for X {}
impl<X: NotNull> SubqueryOf<X> for Option<X> {}
impl<X: NotNull> SubqueryOf<Option<X>> for X {}
impl<X: NotNull> SubqueryOf<Option<X>> for Option<X> {}

/// The tables a condition on a column of `T` and a subquery refers to:
/// `T`, or `(T, O)` for a subquery correlated to `O`.
pub trait Within<T> {
    type Out;
}

impl<T> Within<T> for () {
    type Out = T;
}

impl<T, O: Table> Within<T> for O {
    type Out = (T, O);
}

impl<T: Table, V: SqlValue, A> Column<T, V, A> {
    /// `column IN (subquery)`: the subquery selects one column of this
    /// column's type.
    pub fn in_query<Q>(self, q: Q) -> Expr<<Q::Outer as Within<T>>::Out>
    where
        Q: Subquery,
        Q::Out: SubqueryOf<V>,
        Q::Outer: Within<T>,
    {
        let mut pieces = vec![Piece::Col(self.col_ref())];
        pieces.extend(sub(" IN (", q));
        Expr::new(Node::Frag(pieces))
    }

    /// `column NOT IN (subquery)`. As in SQL, a NULL among the
    /// subquery's values makes it match no row; prefer `not_exists` when
    /// the subquery's column is nullable.
    pub fn not_in_query<Q>(self, q: Q) -> Expr<<Q::Outer as Within<T>>::Out>
    where
        Q: Subquery,
        Q::Out: SubqueryOf<V>,
        Q::Outer: Within<T>,
    {
        let mut pieces = vec![Piece::Col(self.col_ref())];
        pieces.extend(sub(" NOT IN (", q));
        Expr::new(Node::Frag(pieces))
    }
}
