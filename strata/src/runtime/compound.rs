//! `UNION`, `UNION ALL`, `INTERSECT`, `EXCEPT` of projections whose rows
//! have one type, with `ORDER BY`, `LIMIT` and `OFFSET` on the whole.

use std::fmt;
use std::sync::Arc;

use tokio_postgres::Row;

use super::column::{Key, Order};
use super::executor::Executor;
use super::expr::{SqlWriter, WriteSql};
use super::join::Scope;
use super::project::{Project, Selectable};
use super::query::{at_most_one, exactly_one, raw_rows};
use super::subquery::{Correlated, Subquery};
use super::{quote_into, Error, Table};

/// Rows of one type: what the selects of a `UNION` must give.
#[diagnostic::on_unimplemented(
    message = "a select giving rows of `{Self}` cannot be combined with one giving rows of `{R}`",
    label = "rows of another type",
    note = "UNION, INTERSECT and EXCEPT combine selects whose projections have the same Rust types in the same order (nullable or not alike)"
)]
pub trait SameRows<R> {}

impl<R> SameRows<R> for R {}

type Decode<O> = fn(&Row, &mut usize) -> Result<O, Error>;

/// Selects combined by `UNION` and friends, rows of type `O`.
pub struct Compound<O> {
    first: Arc<dyn WriteSql>,
    rest: Vec<(&'static str, Arc<dyn WriteSql>)>,
    order: Vec<Order<()>>,
    limit: Option<i64>,
    offset: Option<i64>,
    decode: Decode<O>,
}

impl<S, P, I> Project<S, P, I>
where
    S: Scope + Correlated<Outer = ()> + 'static,
    P: Selectable<S, I> + Send + Sync + 'static,
    I: 'static,
{
    fn compound<Q: Subquery<Outer = ()>>(self, op: &'static str, other: Q) -> Compound<P::Out> {
        Compound {
            first: Arc::new(self),
            rest: vec![(op, Arc::new(other) as Arc<dyn WriteSql>)],
            order: Vec::new(),
            limit: None,
            offset: None,
            decode: P::decode,
        }
    }

    /// `(this) UNION (other)`: the rows of both, each different row once.
    pub fn union<Q: Subquery<Outer = ()>>(self, other: Q) -> Compound<P::Out>
    where
        Q::Out: SameRows<P::Out>,
    {
        self.compound(" UNION ", other)
    }

    /// `(this) UNION ALL (other)`: the rows of both, duplicates kept.
    pub fn union_all<Q: Subquery<Outer = ()>>(self, other: Q) -> Compound<P::Out>
    where
        Q::Out: SameRows<P::Out>,
    {
        self.compound(" UNION ALL ", other)
    }

    /// `(this) INTERSECT (other)`: the rows in both.
    pub fn intersect<Q: Subquery<Outer = ()>>(self, other: Q) -> Compound<P::Out>
    where
        Q::Out: SameRows<P::Out>,
    {
        self.compound(" INTERSECT ", other)
    }

    /// `(this) EXCEPT (other)`: the rows of this one not in the other.
    pub fn except<Q: Subquery<Outer = ()>>(self, other: Q) -> Compound<P::Out>
    where
        Q::Out: SameRows<P::Out>,
    {
        self.compound(" EXCEPT ", other)
    }
}

impl<O> Compound<O> {
    fn and<Q: Subquery<Outer = ()>>(mut self, op: &'static str, other: Q) -> Self {
        self.rest.push((op, Arc::new(other)));
        self
    }

    /// `… UNION (other)` (operators apply left to right).
    pub fn union<Q: Subquery<Outer = ()>>(self, other: Q) -> Self
    where
        Q::Out: SameRows<O>,
    {
        self.and(" UNION ", other)
    }

    /// `… UNION ALL (other)`.
    pub fn union_all<Q: Subquery<Outer = ()>>(self, other: Q) -> Self
    where
        Q::Out: SameRows<O>,
    {
        self.and(" UNION ALL ", other)
    }

    /// `… INTERSECT (other)`.
    pub fn intersect<Q: Subquery<Outer = ()>>(self, other: Q) -> Self
    where
        Q::Out: SameRows<O>,
    {
        self.and(" INTERSECT ", other)
    }

    /// `… EXCEPT (other)`.
    pub fn except<Q: Subquery<Outer = ()>>(self, other: Q) -> Self
    where
        Q::Out: SameRows<O>,
    {
        self.and(" EXCEPT ", other)
    }

    /// Orders the combined rows by an output column, named as the first
    /// select names it (`agent_run::id` orders by the output column
    /// `"id"`); the server refuses a name that is not an output column.
    pub fn order_by<T: Table>(mut self, order: impl Into<Order<T>>) -> Self {
        self.order.push(order.into().erase());
        self
    }

    /// At most `n` rows of the whole.
    pub fn limit(mut self, n: i64) -> Self {
        self.limit = Some(n);
        self
    }

    /// Skips the first `n` rows of the whole.
    pub fn offset(mut self, n: i64) -> Self {
        self.offset = Some(n);
        self
    }

    fn write(&self) -> SqlWriter {
        let mut w = SqlWriter {
            qualify: true,
            ..SqlWriter::default()
        };
        w.push("(");
        self.first.write_sql(&mut w);
        w.push(")");
        for (op, q) in &self.rest {
            w.push(op);
            w.push("(");
            q.write_sql(&mut w);
            w.push(")");
        }
        if !self.order.is_empty() {
            w.push(" ORDER BY ");
            for (i, o) in self.order.iter().enumerate() {
                if i > 0 {
                    w.push(", ");
                }
                match &o.key {
                    Key::Col(c) => quote_into(&mut w.sql, c.name),
                    Key::Expr(_) => w.fail(
                        "ORDER BY of a UNION, INTERSECT or EXCEPT takes output columns, not expressions"
                            .to_string(),
                    ),
                }
                w.direction(o);
            }
        }
        if let Some(n) = self.limit {
            w.push(" LIMIT ");
            w.param(Arc::new(n));
        }
        if let Some(n) = self.offset {
            w.push(" OFFSET ");
            w.param(Arc::new(n));
        }
        w
    }

    /// The statement's SQL text.
    pub fn sql(&self) -> String {
        self.write().sql
    }

    /// Every row.
    pub async fn fetch_all<C: Executor + ?Sized>(&self, db: &C) -> Result<Vec<O>, Error> {
        let rows = raw_rows(db, &self.write()).await?;
        rows.iter()
            .map(|r| {
                let mut next = 0;
                (self.decode)(r, &mut next)
            })
            .collect()
    }

    /// The one row; an error when there is none or more than one.
    pub async fn fetch_one<C: Executor + ?Sized>(&self, db: &C) -> Result<O, Error> {
        exactly_one(self.fetch_all(db).await?)
    }

    /// The row if there is one; an error when there are several.
    pub async fn fetch_optional<C: Executor + ?Sized>(&self, db: &C) -> Result<Option<O>, Error> {
        at_most_one(self.fetch_all(db).await?)
    }
}

impl<O> fmt::Debug for Compound<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Compound")
            .field("sql", &self.sql())
            .finish()
    }
}
