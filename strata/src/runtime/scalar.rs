//! Typed SQL expressions that are not a bare column: calls of SQL
//! functions (a typed set of built-ins, and [`func`] for any function with
//! its return type given), raw SQL fragments whose values stay bound
//! parameters ([`raw`]), and scalar subqueries ([`super::scalar`]).
//!
//! A [`Scalar<T, V>`] reads columns of table `T` (or of no table: `T` is
//! `()`, as `now()`) and has Rust type `V` (`Option` when it can be NULL).
//! It compares with values of its type (`eq`, `lt`, …), with other
//! expressions of its type (`eq_expr`, …), orders (`asc`, `desc`), is
//! selected in projections, and — when `V` is `bool` — filters.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use tokio_postgres::types::FromSql;
use tokio_postgres::Row;

use super::column::{Column, Key, Order};
use super::expr::{Expr, Node, Piece, SqlWriter};
use super::join::{Has, InScope, OneTable, SameType};
use super::project::{read, Selectable};
use super::value::{IntoSql, NotNull, SqlValue};
use super::{Error, Table};

/// A typed SQL expression over the columns of table `T` (`()`: of no
/// table) whose Rust type is `V`.
pub struct Scalar<T, V> {
    pub(crate) pieces: Vec<Piece>,
    marker: PhantomData<fn() -> (T, V)>,
}

impl<T, V> Scalar<T, V> {
    pub(crate) fn from_pieces(pieces: Vec<Piece>) -> Self {
        Scalar {
            pieces,
            marker: PhantomData,
        }
    }

    /// The expression's SQL text, parameters numbered from `$1`.
    pub fn sql(&self) -> String {
        let mut w = SqlWriter {
            qualify: true,
            ..SqlWriter::default()
        };
        w.pieces(&self.pieces);
        w.sql
    }
}

impl<T, V> Clone for Scalar<T, V> {
    fn clone(&self) -> Self {
        Scalar::from_pieces(self.pieces.clone())
    }
}

impl<T, V> fmt::Debug for Scalar<T, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scalar({})", self.sql())
    }
}

fn param<V: SqlValue>(v: V) -> Piece {
    Piece::Param(Arc::new(v))
}

/// What stands for an expression of type `V` over table `T`: a column of
/// `T`, an expression over `T` or over no table, or a value (sent as a
/// bound parameter).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an expression of type `{V}` over table `{T}`",
    label = "expected a `{V}` column, expression or value of the same table",
    note = "an expression takes columns of one table (the one its other arguments read), expressions over that table or over no table (`now()`), and values of the Rust type it expects"
)]
pub trait IntoScalar<T, V> {
    #[doc(hidden)]
    fn into_pieces(self) -> Vec<Piece>;
}

impl<T: Table, V, A> IntoScalar<T, V> for Column<T, V, A> {
    fn into_pieces(self) -> Vec<Piece> {
        vec![Piece::Col(self.col_ref())]
    }
}

impl<T: Table, V> IntoScalar<T, V> for Scalar<T, V> {
    fn into_pieces(self) -> Vec<Piece> {
        self.pieces
    }
}

impl<T, V> IntoScalar<T, V> for Scalar<(), V> {
    fn into_pieces(self) -> Vec<Piece> {
        self.pieces
    }
}

impl<T, V: NotNull> IntoScalar<T, V> for V {
    fn into_pieces(self) -> Vec<Piece> {
        vec![param(self)]
    }
}

impl<T, V: NotNull> IntoScalar<T, Option<V>> for Option<V> {
    fn into_pieces(self) -> Vec<Piece> {
        vec![param(self)]
    }
}

impl<T> IntoScalar<T, String> for &str {
    fn into_pieces(self) -> Vec<Piece> {
        vec![param(self.to_string())]
    }
}

impl<T: Table, V: SqlValue, A> Column<T, V, A> {
    /// The column as an expression, to compare it with another
    /// expression (`created_at.expr().lt_expr(now())`).
    pub fn expr(self) -> Scalar<T, V> {
        Scalar::from_pieces(vec![Piece::Col(self.col_ref())])
    }
}

fn binary<T, V, W>(left: Vec<Piece>, op: &'static str, right: Vec<Piece>) -> Expr<T> {
    let _ = PhantomData::<(V, W)>;
    let mut pieces = left;
    pieces.push(Piece::text(op));
    pieces.extend(right);
    Expr::new(Node::Frag(pieces))
}

impl<T, V: SqlValue> Scalar<T, V> {
    /// `expression = $n`.
    pub fn eq(self, value: impl IntoSql<V::NotNull>) -> Expr<T> {
        binary::<T, V, V>(self.pieces, " = ", vec![param(value.into_sql())])
    }

    /// `expression <> $n`.
    pub fn ne(self, value: impl IntoSql<V::NotNull>) -> Expr<T> {
        binary::<T, V, V>(self.pieces, " <> ", vec![param(value.into_sql())])
    }

    /// `expression < $n`.
    pub fn lt(self, value: impl IntoSql<V::NotNull>) -> Expr<T> {
        binary::<T, V, V>(self.pieces, " < ", vec![param(value.into_sql())])
    }

    /// `expression <= $n`.
    pub fn le(self, value: impl IntoSql<V::NotNull>) -> Expr<T> {
        binary::<T, V, V>(self.pieces, " <= ", vec![param(value.into_sql())])
    }

    /// `expression > $n`.
    pub fn gt(self, value: impl IntoSql<V::NotNull>) -> Expr<T> {
        binary::<T, V, V>(self.pieces, " > ", vec![param(value.into_sql())])
    }

    /// `expression >= $n`.
    pub fn ge(self, value: impl IntoSql<V::NotNull>) -> Expr<T> {
        binary::<T, V, V>(self.pieces, " >= ", vec![param(value.into_sql())])
    }

    /// `expression = other`: another expression or column of the same
    /// type (nullable or not) over the same table, or over no table.
    pub fn eq_expr<W>(self, other: impl IntoScalar<T, W>) -> Expr<T>
    where
        V: SameType<W>,
    {
        binary::<T, V, W>(self.pieces, " = ", other.into_pieces())
    }

    /// `expression <> other`.
    pub fn ne_expr<W>(self, other: impl IntoScalar<T, W>) -> Expr<T>
    where
        V: SameType<W>,
    {
        binary::<T, V, W>(self.pieces, " <> ", other.into_pieces())
    }

    /// `expression < other`.
    pub fn lt_expr<W>(self, other: impl IntoScalar<T, W>) -> Expr<T>
    where
        V: SameType<W>,
    {
        binary::<T, V, W>(self.pieces, " < ", other.into_pieces())
    }

    /// `expression > other`.
    pub fn gt_expr<W>(self, other: impl IntoScalar<T, W>) -> Expr<T>
    where
        V: SameType<W>,
    {
        binary::<T, V, W>(self.pieces, " > ", other.into_pieces())
    }

    /// `expression IS NULL`.
    pub fn is_null(self) -> Expr<T> {
        let mut pieces = self.pieces;
        pieces.push(Piece::text(" IS NULL"));
        Expr::new(Node::Frag(pieces))
    }

    /// `expression IS NOT NULL`.
    pub fn is_not_null(self) -> Expr<T> {
        let mut pieces = self.pieces;
        pieces.push(Piece::text(" IS NOT NULL"));
        Expr::new(Node::Frag(pieces))
    }

    /// Ascending order by the expression.
    pub fn asc(self) -> Order<T> {
        Order::of(Key::Expr(self.pieces), false)
    }

    /// Descending order by the expression.
    pub fn desc(self) -> Order<T> {
        Order::of(Key::Expr(self.pieces), true)
    }
}

impl<T, V> From<Scalar<T, V>> for Order<T> {
    fn from(s: Scalar<T, V>) -> Self {
        Order::of(Key::Expr(s.pieces), false)
    }
}

/// A boolean expression is a filter.
impl<T> From<Scalar<T, bool>> for Expr<T> {
    fn from(s: Scalar<T, bool>) -> Self {
        Expr::new(Node::Frag(s.pieces))
    }
}

/// Marks an expression read from no table.
pub struct NoTable;

/// Marks an expression's table's position in the scope.
pub struct ScalarOf<I>(PhantomData<I>);

impl<S, T, V, I> Selectable<S, ScalarOf<I>> for Scalar<T, V>
where
    S: Has<T, I>,
    T: Table,
    V: for<'a> FromSql<'a>,
{
    type Out = V;

    fn write(&self, w: &mut SqlWriter) {
        w.pieces(&self.pieces);
    }

    fn names(&self, out: &mut Vec<&'static str>) {
        out.push("?");
    }

    fn decode(row: &Row, next: &mut usize) -> Result<V, Error> {
        read(row, next)
    }
}

impl<S, V> Selectable<S, NoTable> for Scalar<(), V>
where
    V: for<'a> FromSql<'a>,
{
    type Out = V;

    fn write(&self, w: &mut SqlWriter) {
        w.pieces(&self.pieces);
    }

    fn names(&self, out: &mut Vec<&'static str>) {
        out.push("?");
    }

    fn decode(row: &Row, next: &mut usize) -> Result<V, Error> {
        read(row, next)
    }
}

/// A condition on the rows of one table's statement (`select().filter`,
/// `update().filter`, `delete().filter`): a filter on the table
/// (`Expr<T>`), a condition on no table (an uncorrelated `exists`), a
/// boolean expression over the table.
#[diagnostic::on_unimplemented(
    message = "this condition cannot filter the rows of table `{T}`",
    label = "a filter on another table, or not a boolean condition",
    note = "a filter of a one-table statement uses that table's columns; to filter on another table, join it (`.join(…)`), use a subquery (`exists(…)`, `in_query(…)`), or `update().from(…)` / `delete().using(…)`"
)]
pub trait Filter<T> {
    #[doc(hidden)]
    fn into_node(self) -> Node;
}

impl<T> Filter<T> for Expr<T> {
    fn into_node(self) -> Node {
        self.node
    }
}

impl<T: Table> Filter<T> for Expr<()> {
    fn into_node(self) -> Node {
        self.node
    }
}

impl<T: Table> Filter<T> for Expr<(T, T)> {
    fn into_node(self) -> Node {
        self.node
    }
}

impl<T: Table> Filter<T> for Scalar<T, bool> {
    fn into_node(self) -> Node {
        Node::Frag(self.pieces)
    }
}

impl<T: Table> Filter<T> for Scalar<T, Option<bool>> {
    fn into_node(self) -> Node {
        Node::Frag(self.pieces)
    }
}

impl<T: Table> Filter<T> for Scalar<(), bool> {
    fn into_node(self) -> Node {
        Node::Frag(self.pieces)
    }
}

impl<S> InScope<S, NoTable> for Expr<()> {
    fn erase(self) -> Expr<()> {
        self
    }
}

impl<S: Has<T, I>, T: Table, I> InScope<S, OneTable<I>> for Scalar<T, bool> {
    fn erase(self) -> Expr<()> {
        Expr::new(Node::Frag(self.pieces))
    }
}

impl<S: Has<T, I>, T: Table, I> InScope<S, OneTable<I>> for Scalar<T, Option<bool>> {
    fn erase(self) -> Expr<()> {
        Expr::new(Node::Frag(self.pieces))
    }
}

impl<S> InScope<S, NoTable> for Scalar<(), bool> {
    fn erase(self) -> Expr<()> {
        Expr::new(Node::Frag(self.pieces))
    }
}

/// One argument of [`func`] or [`raw`]: a column of table `T`, an
/// expression over `T` or over no table, or a value (a bound parameter).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an argument of a function or raw fragment over table `{T}`",
    label = "not a column, expression or value of that table",
    note = "every argument reads the same table (or no table): columns of one table, expressions, values"
)]
pub trait FuncArg<T> {
    #[doc(hidden)]
    fn pieces(self) -> Vec<Piece>;
}

impl<T: Table, V, A> FuncArg<T> for Column<T, V, A> {
    fn pieces(self) -> Vec<Piece> {
        vec![Piece::Col(self.col_ref())]
    }
}

impl<T: Table, V> FuncArg<T> for Scalar<T, V> {
    fn pieces(self) -> Vec<Piece> {
        self.pieces
    }
}

impl<T, V> FuncArg<T> for Scalar<(), V> {
    fn pieces(self) -> Vec<Piece> {
        self.pieces
    }
}

impl<T, V: NotNull> FuncArg<T> for V {
    fn pieces(self) -> Vec<Piece> {
        vec![param(self)]
    }
}

impl<T, V: NotNull> FuncArg<T> for Option<V> {
    fn pieces(self) -> Vec<Piece> {
        vec![param(self)]
    }
}

impl<T> FuncArg<T> for &str {
    fn pieces(self) -> Vec<Piece> {
        vec![param(self.to_string())]
    }
}

/// The arguments of [`func`] or [`raw`]: `()` or a tuple of [`Arg`]s.
#[diagnostic::on_unimplemented(
    message = "`{Self}` are not arguments over table `{T}`",
    label = "expected `()` or a tuple of columns, expressions and values of one table",
    note = "write one argument as a one-element tuple: `(agent_run::id,)`"
)]
pub trait FuncArgs<T> {
    #[doc(hidden)]
    fn pieces(self) -> Vec<Vec<Piece>>;
}

impl<T> FuncArgs<T> for () {
    fn pieces(self) -> Vec<Vec<Piece>> {
        Vec::new()
    }
}

macro_rules! args_tuple {
    ($($a:ident $n:tt),+) => {
        impl<T, $($a: FuncArg<T>),+> FuncArgs<T> for ($($a,)+) {
            fn pieces(self) -> Vec<Vec<Piece>> {
                vec![$(self.$n.pieces()),+]
            }
        }
    };
}

args_tuple!(A 0);
args_tuple!(A 0, B 1);
args_tuple!(A 0, B 1, C 2);
args_tuple!(A 0, B 1, C 2, D 3);
args_tuple!(A 0, B 1, C 2, D 3, E 4);
args_tuple!(A 0, B 1, C 2, D 3, E 4, F 5);

/// A function's name as SQL: each dot-separated part as is when it is a
/// plain lower-case identifier, quoted otherwise.
fn function_name(name: &str) -> String {
    let mut out = String::new();
    for (i, part) in name.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        let plain = part
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if plain {
            out.push_str(part);
        } else {
            super::quote_into(&mut out, part);
        }
    }
    out
}

fn call<T, V>(name: Cow<'static, str>, args: Vec<Vec<Piece>>) -> Scalar<T, V> {
    let mut pieces = vec![Piece::Text(name), Piece::text("(")];
    for (i, a) in args.into_iter().enumerate() {
        if i > 0 {
            pieces.push(Piece::text(", "));
        }
        pieces.extend(a);
    }
    pieces.push(Piece::text(")"));
    Scalar::from_pieces(pieces)
}

/// A call of SQL function `name` (a built-in, or a function the schema
/// declares; `"schema.name"` qualifies it) whose result has Rust type `V`
/// — you state it, as you would in a cast: `func::<i32, _>("length",
/// (agent_run::agent_id,))`. Arguments are columns of one table,
/// expressions, and values (bound parameters, typed by the server from
/// the function's signature).
pub fn func<V, T>(name: &str, args: impl FuncArgs<T>) -> Scalar<T, V> {
    call(Cow::Owned(function_name(name)), args.pieces())
}

/// A raw SQL fragment of Rust type `V`, its `{}` placeholders replaced in
/// order by the arguments — columns (written qualified), expressions, and
/// values, which are sent as bound parameters (`$n`), never written into
/// the text. `{{` and `}}` are literal braces. The text is `'static`: it
/// is code, not data. The fragment is written in parentheses.
///
/// `raw::<bool, _>("{} @> {}", (agent_run::ancestor_run_ids, vec!["r1".to_string()]))`
///
/// A placeholder count that differs from the argument count is an
/// [`Error::Build`] when the statement runs, before any round trip.
pub fn raw<V, T>(sql: &'static str, args: impl FuncArgs<T>) -> Scalar<T, V> {
    let all = args.pieces();
    let given = all.len();
    let mut args = all.into_iter();
    let mut pieces = vec![Piece::text("(")];
    let mut text = String::new();
    let mut chars = sql.chars().peekable();
    let mut placeholders = 0usize;
    let mut lone_brace = false;
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' if chars.peek() == Some(&'}') => {
                chars.next();
                placeholders += 1;
                pieces.push(Piece::Text(Cow::Owned(std::mem::take(&mut text))));
                if let Some(a) = args.next() {
                    pieces.extend(a);
                }
            }
            '{' | '}' => {
                lone_brace = true;
                text.push(c);
            }
            c => text.push(c),
        }
    }
    pieces.push(Piece::Text(Cow::Owned(text)));
    pieces.push(Piece::text(")"));
    let dollar_digit = sql
        .as_bytes()
        .windows(2)
        .any(|w| w[0] == b'$' && w[1].is_ascii_digit());
    if dollar_digit {
        pieces.push(Piece::Error(Arc::from(format!(
            "raw SQL {sql:?} writes a parameter as `$n`: strata numbers the parameters; pass the value as an argument for a `{{}}`"
        ))));
    } else if lone_brace {
        pieces.push(Piece::Error(Arc::from(format!(
            "raw SQL {sql:?} has a lone brace: write a placeholder as `{{}}` and a literal brace as `{{{{` or `}}}}`"
        ))));
    } else if placeholders != given {
        pieces.push(Piece::Error(Arc::from(format!(
            "raw SQL {sql:?} has {placeholders} placeholder(s) `{{}}` but {given} argument(s) were given: give one argument per placeholder"
        ))));
    }
    Scalar::from_pieces(pieces)
}

/// `lower(text)`: nullable as its argument.
pub fn lower<T, V: SqlValue<NotNull = String>>(text: impl IntoScalar<T, V>) -> Scalar<T, V> {
    call(Cow::Borrowed("lower"), vec![text.into_pieces()])
}

/// `upper(text)`: nullable as its argument.
pub fn upper<T, V: SqlValue<NotNull = String>>(text: impl IntoScalar<T, V>) -> Scalar<T, V> {
    call(Cow::Borrowed("upper"), vec![text.into_pieces()])
}

/// `length(text)`: `integer`, nullable as its argument.
pub fn length<T, V: SqlValue<NotNull = String>>(
    text: impl IntoScalar<T, V>,
) -> Scalar<T, V::With<i32>> {
    call(Cow::Borrowed("length"), vec![text.into_pieces()])
}

/// `coalesce(a, b)`: `a` unless it is NULL, then `b` (not nullable).
pub fn coalesce<T, X: NotNull>(
    a: impl IntoScalar<T, Option<X>>,
    b: impl IntoScalar<T, X>,
) -> Scalar<T, X> {
    call(
        Cow::Borrowed("coalesce"),
        vec![a.into_pieces(), b.into_pieces()],
    )
}

/// `now()`: the transaction's start time, `timestamp with time zone`.
pub fn now() -> Scalar<(), chrono::DateTime<chrono::Utc>> {
    call(Cow::Borrowed("now"), Vec::new())
}

/// A timestamp type `date_trunc` takes and gives back.
#[diagnostic::on_unimplemented(
    message = "`date_trunc` does not truncate `{Self}` values",
    label = "not a timestamp",
    note = "date_trunc takes timestamp and timestamp with time zone columns"
)]
pub trait Timestamp: NotNull {}

impl Timestamp for chrono::DateTime<chrono::Utc> {}
impl Timestamp for chrono::NaiveDateTime {}

/// `date_trunc(unit, timestamp)` (`unit` as `'hour'`, `'day'`, …, a bound
/// parameter): the timestamp's type, nullable as it is. For a
/// `timestamptz` the truncation happens in the session's `TimeZone`.
pub fn date_trunc<T, V: SqlValue>(unit: &str, ts: impl IntoScalar<T, V>) -> Scalar<T, V>
where
    V::NotNull: Timestamp,
{
    call(
        Cow::Borrowed("date_trunc"),
        vec![vec![param(unit.to_string())], ts.into_pieces()],
    )
}
