//! Keyset pagination: `after((col1, col2), (v1, v2))` keeps the rows that
//! come after the row whose keys are `(v1, v2)` in the statement's
//! `ORDER BY`, which must start with those columns.
//!
//! Unlike `OFFSET n`, which makes the server read and throw away `n` rows
//! on every page (and shifts when rows are inserted or deleted before the
//! page), a keyset condition lets an index on the keys start right after
//! the last row seen: every page costs the same, and no row is skipped or
//! shown twice while others change. The keys must identify a row (end
//! with a unique column) and be `NOT NULL` (a NULL has no place in a row
//! comparison; nullable columns do not compile).

use std::sync::Arc;

use super::column::{Column, Key, Order};
use super::expr::{ColRef, Node, Piece, SqlWriter};
use super::join::{Has, Scope};
use super::project::{Project, Selectable};
use super::query::Select;
use super::value::{IntoSql, NotNull};
use super::{decode::FromFields, join::Inner, join::Join};
use super::{quote, Param, Table};

/// The keys and the values a page starts after.
#[derive(Clone)]
#[doc(hidden)]
pub struct Keyset {
    columns: Vec<ColRef>,
    values: Vec<Param>,
}

/// A key of keyset pagination: a `NOT NULL` column's type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is the type of a nullable column: keyset pagination needs NOT NULL columns",
    label = "a nullable key",
    note = "`after` compares rows of keys, where NULL has no place; order and page by NOT NULL columns (end with a unique one), or use OFFSET"
)]
pub trait KeyValue {}

impl<X: NotNull> KeyValue for X {}

/// Keys (a tuple of columns of tables in scope `S`) with the values
/// `Vals` of the row a page starts after (a tuple of values of the
/// columns' types).
#[diagnostic::on_unimplemented(
    message = "`{Self}` with `{Vals}` are not keys and values for keyset pagination in this query",
    label = "keys and values do not match",
    note = "`after((col1, col2), (value1, value2))`: a tuple of NOT NULL columns of the query's tables and a tuple of as many values, each of its column's type"
)]
pub trait Keys<S, Vals, I> {
    #[doc(hidden)]
    fn keyset(self, values: Vals) -> Keyset;
}

macro_rules! keys {
    ($($t:ident $x:ident $a:ident $y:ident $i:ident $n:tt),+) => {
        impl<S, $($t: Table, $x: KeyValue + NotNull, $a, $y: IntoSql<$x>, $i),+>
            Keys<S, ($($y,)+), ($($i,)+)> for ($(Column<$t, $x, $a>,)+)
        where
            $(S: Has<$t, $i>,)+
        {
            fn keyset(self, values: ($($y,)+)) -> Keyset {
                Keyset {
                    columns: vec![$(self.$n.col_ref()),+],
                    values: vec![$(Arc::new(values.$n.into_sql()) as Param),+],
                }
            }
        }
    };
}

keys!(T0 X0 A0 Y0 I0 0);
keys!(T0 X0 A0 Y0 I0 0, T1 X1 A1 Y1 I1 1);
keys!(T0 X0 A0 Y0 I0 0, T1 X1 A1 Y1 I1 1, T2 X2 A2 Y2 I2 2);
keys!(T0 X0 A0 Y0 I0 0, T1 X1 A1 Y1 I1 1, T2 X2 A2 Y2 I2 2, T3 X3 A3 Y3 I3 3);

fn same(a: &ColRef, b: &ColRef) -> bool {
    a.name == b.name && (a.table)() == (b.table)()
}

/// The statement's filter with the keyset condition added; a keyset that
/// does not match the `ORDER BY` fails the writer.
pub(crate) fn with_keyset<X>(
    w: &mut SqlWriter,
    filter: Option<Node>,
    keyset: &Option<Keyset>,
    order: &[Order<X>],
) -> Option<Node> {
    let Some(k) = keyset else {
        return filter;
    };
    let mut descending = Vec::with_capacity(k.columns.len());
    for (i, c) in k.columns.iter().enumerate() {
        match order.get(i).map(|o| (&o.key, o.descending)) {
            Some((Key::Col(o), desc)) if same(o, c) => descending.push(desc),
            _ => {
                w.fail(format!(
                    "after(…) takes the leading ORDER BY columns in order, but key {} is {}.{}: order by the keys first (`.order_by(…)`, one call per key)",
                    i + 1,
                    quote(&(c.table)()),
                    quote(c.name)
                ));
                return filter;
            }
        }
    }
    let mut pieces = Vec::new();
    if descending.iter().all(|d| *d == descending[0]) {
        // One direction: a row comparison, which an index on the keys
        // serves directly.
        pieces.push(Piece::text("("));
        for (i, c) in k.columns.iter().enumerate() {
            if i > 0 {
                pieces.push(Piece::text(", "));
            }
            pieces.push(Piece::Col(*c));
        }
        pieces.push(Piece::text(if descending[0] { ") < (" } else { ") > (" }));
        for (i, v) in k.values.iter().enumerate() {
            if i > 0 {
                pieces.push(Piece::text(", "));
            }
            pieces.push(Piece::Param(v.clone()));
        }
        pieces.push(Piece::text(")"));
    } else {
        // Mixed directions: (a > $1) OR (a = $1 AND b < $2) OR …
        pieces.push(Piece::text("("));
        for (i, (column, desc)) in k.columns.iter().zip(&descending).enumerate() {
            if i > 0 {
                pieces.push(Piece::text(" OR "));
            }
            pieces.push(Piece::text("("));
            for (c, v) in k.columns.iter().zip(&k.values).take(i) {
                pieces.push(Piece::Col(*c));
                pieces.push(Piece::text(" = "));
                pieces.push(Piece::Param(v.clone()));
                pieces.push(Piece::text(" AND "));
            }
            pieces.push(Piece::Col(*column));
            pieces.push(Piece::text(if *desc { " < " } else { " > " }));
            pieces.push(Piece::Param(k.values[i].clone()));
            pieces.push(Piece::text(")"));
        }
        pieces.push(Piece::text(")"));
    }
    let node = Node::Frag(pieces);
    Some(match filter {
        Some(f) => Node::And(Box::new(f), Box::new(node)),
        None => node,
    })
}

impl<T: Table> Select<T>
where
    T::Row: FromFields,
{
    /// Keyset pagination: the rows after the one whose keys are `values`
    /// in this select's order (`ORDER BY` must start with `keys`, in
    /// order; the direction of each is its `ORDER BY`'s). See the module
    /// documentation for how it differs from `offset`.
    pub fn after<K, Vals, I>(mut self, keys: K, values: Vals) -> Self
    where
        K: Keys<(Inner<T>,), Vals, I>,
    {
        self.keyset = Some(keys.keyset(values));
        self
    }
}

impl<S: Scope> Join<S> {
    /// Keyset pagination over the joined tables (see [`Select::after`]).
    pub fn after<K, Vals, I>(mut self, keys: K, values: Vals) -> Self
    where
        K: Keys<S, Vals, I>,
    {
        self.keyset = Some(keys.keyset(values));
        self
    }
}

impl<S: Scope, P: Selectable<S, I>, I> Project<S, P, I> {
    /// Keyset pagination of a projection (see [`Select::after`]).
    pub fn after<K, Vals, J>(self, keys: K, values: Vals) -> Self
    where
        K: Keys<S, Vals, J>,
    {
        self.map_join(|j| j.after(keys, values))
    }
}
