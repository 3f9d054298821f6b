//! Relations from foreign keys, table aliases, and loading a row with its
//! related rows nested (`select().with(…)`), in one statement.
//!
//! A loaded relation is a subquery in the select list: `ARRAY(SELECT
//! ROW(…) …)` for one-to-many, `(SELECT ROW(…) …)` for many-to-one, nested
//! as deep as asked. The server sends records in the binary format, and
//! each field is read by its column type's own `FromSql`: a value loaded
//! through a relation is exactly the value a direct select reads.

use std::fmt;
use std::marker::PhantomData;

use super::executor::Executor;

use super::column::{Column, Order};
use super::decode::{next_record, next_records, Fields, FromFields};
use super::expr::{Node, SqlWriter};
use super::query::{raw_rows, Select};
use super::{quote, DecodeError, Error, Table};

/// Cardinality: the relation leads to exactly one row (a `NOT NULL`
/// foreign key, read from the referencing table).
#[derive(Debug, Clone, Copy)]
pub struct One;

/// Cardinality: the relation leads to at most one row (a nullable foreign
/// key, read from the referencing table).
#[derive(Debug, Clone, Copy)]
pub struct OptionalOne;

/// Cardinality: the relation leads to any number of rows (a foreign key,
/// read from the referenced table).
#[derive(Debug, Clone, Copy)]
pub struct Many;

/// A relation from table `F` to table `T` along a foreign key, with
/// cardinality `C` ([`One`], [`OptionalOne`], [`Many`]). Generated as
/// `table::rel::name` in both directions: `agent_step::rel::agent_run`
/// (many-to-one) and `agent_run::rel::agent_step` (one-to-many).
pub struct Relation<F, T, C> {
    name: &'static str,
    from: &'static [&'static str],
    to: &'static [&'static str],
    order: &'static [&'static str],
    marker: RelationMarker<F, T, C>,
}

/// Ties a [`Relation`] to its tables and cardinality without owning any.
type RelationMarker<F, T, C> = PhantomData<fn() -> (F, T, C)>;

impl<F, T, C> Relation<F, T, C> {
    /// The relation `name`: columns `from` of `F` equal columns `to` of
    /// `T`, pair by pair; loaded rows come in the order of `T`'s columns
    /// `order` (its primary key). Generated code makes these.
    pub const fn new(
        name: &'static str,
        from: &'static [&'static str],
        to: &'static [&'static str],
        order: &'static [&'static str],
    ) -> Self {
        Relation {
            name,
            from,
            to,
            order,
            marker: PhantomData,
        }
    }

    /// The relation's generated name.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The same relation leading to an alias of `T` (to join a table twice:
    /// `agent_run::rel::parent_run.aliased::<1>()`).
    pub const fn aliased<const N: usize>(self) -> Relation<F, Alias<T, N>, C> {
        Relation::new(self.name, self.from, self.to, self.order)
    }

    /// The same relation starting from an alias of `F`.
    pub const fn from_alias<const N: usize>(self) -> Relation<Alias<F, N>, T, C> {
        Relation::new(self.name, self.from, self.to, self.order)
    }

    /// Loads the related rows' own relations too: `agent_run::rel::agent_step
    /// .with(agent_step::rel::message)`.
    pub fn with<L>(self, nested: L) -> Nested<F, T, C, L> {
        Nested {
            relation: self,
            nested,
        }
    }
}

impl<F: Table, T: Table, C> Relation<F, T, C> {
    /// The join condition, `"T"."to" = "F"."from" AND …`, over the two
    /// tables' aliases.
    pub(crate) fn condition(&self, from_alias: &str, to_alias: &str) -> Node {
        let mut s = String::new();
        for (i, (f, t)) in self.from.iter().zip(self.to.iter()).enumerate() {
            if i > 0 {
                s.push_str(" AND ");
            }
            s.push_str(&format!(
                "{}.{} = {}.{}",
                quote(to_alias),
                quote(t),
                quote(from_alias),
                quote(f)
            ));
        }
        Node::Sql(s)
    }
}

impl<F, T, C> Clone for Relation<F, T, C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F, T, C> Copy for Relation<F, T, C> {}

impl<F, T, C> fmt::Debug for Relation<F, T, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Relation({}: {:?} = {:?})",
            self.name, self.from, self.to
        )
    }
}

/// Table `T` under another name in a statement, to use a table twice (a
/// self-join): `Alias<agent_run::AgentRunTable, 1>` goes by `agent_run#1`.
/// Its columns are the table's, through [`Alias::col`].
pub struct Alias<T, const N: usize>(PhantomData<fn() -> T>);

impl<T, const N: usize> Alias<T, N> {
    /// The alias (a value, for [`Alias::col`]).
    pub const fn new() -> Self {
        Alias(PhantomData)
    }
}

impl<T: Table, const N: usize> Alias<T, N> {
    /// Column `c` of the table, under this alias:
    /// `Alias::<AgentRunTable, 1>::new().col(agent_run::status)`.
    pub const fn col<V, A>(self, c: Column<T, V, A>) -> Column<Alias<T, N>, V, A> {
        Column::new(c.name())
    }
}

impl<T, const N: usize> Default for Alias<T, N> {
    fn default() -> Self {
        Alias::new()
    }
}

impl<T, const N: usize> Clone for Alias<T, N> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T, const N: usize> Copy for Alias<T, N> {}

impl<T, const N: usize> fmt::Debug for Alias<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Alias<{}, {N}>", std::any::type_name::<T>())
    }
}

impl<T: Table, const N: usize> Table for Alias<T, N> {
    type Row = T::Row;
    const NAMESPACE: &'static str = T::NAMESPACE;
    const NAME: &'static str = T::NAME;
    const COLUMNS: &'static [&'static str] = T::COLUMNS;

    fn alias() -> String {
        format!("{}#{N}", T::NAME)
    }
}

/// What [`Select::with`] loads for each row of table `P`: a relation
/// (`agent_run::rel::agent_step`), a relation with its own nested loads
/// (`rel.with(…)`), or a tuple of those.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be loaded from a row of `{P}`",
    label = "not a relation of this table",
    note = "`with` takes relations that start at the selected table (`table::rel::…`), `rel.with(…)` for nested ones, or a tuple of them"
)]
pub trait Load<P: Table> {
    /// What each row gets: `Vec<Row>` (one-to-many), `Row` or `Option<Row>`
    /// (many-to-one), nested as `(Row, …)`.
    type Out;
    /// Writes the select-list expressions (one per relation) for a parent
    /// that goes by `parent`; `depth` numbers the aliases of nested
    /// subqueries.
    fn write(&self, out: &mut String, parent: &str, depth: usize);
    /// Reads what [`Load::write`] selected.
    fn decode(&self, fields: &mut Fields<'_>) -> Result<Self::Out, DecodeError>;
}

/// Per cardinality: how a subquery is written and its value read.
pub trait Cardinality {
    /// The value for one related row `X`.
    type Out<X>;
    #[doc(hidden)]
    const MANY: bool;
    #[doc(hidden)]
    fn decode<X>(
        fields: &mut Fields<'_>,
        name: &'static str,
        read: &mut dyn FnMut(&mut Fields<'_>) -> Result<X, DecodeError>,
    ) -> Result<Self::Out<X>, DecodeError>;
}

impl Cardinality for Many {
    type Out<X> = Vec<X>;
    const MANY: bool = true;
    fn decode<X>(
        fields: &mut Fields<'_>,
        name: &'static str,
        read: &mut dyn FnMut(&mut Fields<'_>) -> Result<X, DecodeError>,
    ) -> Result<Vec<X>, DecodeError> {
        next_records(fields, name)?
            .into_iter()
            .map(|r| read(&mut Fields::record(r)))
            .collect()
    }
}

impl Cardinality for OptionalOne {
    type Out<X> = Option<X>;
    const MANY: bool = false;
    fn decode<X>(
        fields: &mut Fields<'_>,
        name: &'static str,
        read: &mut dyn FnMut(&mut Fields<'_>) -> Result<X, DecodeError>,
    ) -> Result<Option<X>, DecodeError> {
        next_record(fields, name)?
            .map(|r| read(&mut Fields::record(r)))
            .transpose()
    }
}

impl Cardinality for One {
    type Out<X> = X;
    const MANY: bool = false;
    fn decode<X>(
        fields: &mut Fields<'_>,
        name: &'static str,
        read: &mut dyn FnMut(&mut Fields<'_>) -> Result<X, DecodeError>,
    ) -> Result<X, DecodeError> {
        match next_record(fields, name)? {
            Some(r) => read(&mut Fields::record(r)),
            None => Err(DecodeError {
                table: name,
                column: "(record)",
                source:
                    "a NOT NULL foreign key found no row (a deferred constraint not yet checked?)"
                        .into(),
            }),
        }
    }
}

impl<F: Table, T: Table, C: Cardinality> Relation<F, T, C> {
    fn write_subquery(
        &self,
        out: &mut String,
        parent: &str,
        depth: usize,
        nested: &dyn Fn(&mut String, &str, usize),
    ) {
        let alias = format!("{}#w{depth}", T::NAME);
        let a = quote(&alias);
        out.push_str(if C::MANY {
            "ARRAY(SELECT ROW("
        } else {
            "(SELECT ROW("
        });
        for (i, c) in T::COLUMNS.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&a);
            out.push('.');
            out.push_str(&quote(c));
        }
        nested(out, &alias, depth + 1);
        out.push_str(") FROM ");
        out.push_str(&T::sql_name());
        out.push_str(" AS ");
        out.push_str(&a);
        out.push_str(" WHERE ");
        let mut w = SqlWriter::default();
        w.expr(&self.condition(parent, &alias));
        out.push_str(&w.sql);
        if C::MANY && !self.order.is_empty() {
            out.push_str(" ORDER BY ");
            for (i, c) in self.order.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&a);
                out.push('.');
                out.push_str(&quote(c));
            }
        }
        out.push(')');
    }
}

impl<F: Table, T: Table, C: Cardinality> Load<F> for Relation<F, T, C>
where
    T::Row: FromFields,
{
    type Out = C::Out<T::Row>;

    fn write(&self, out: &mut String, parent: &str, depth: usize) {
        self.write_subquery(out, parent, depth, &|_, _, _| {});
    }

    fn decode(&self, fields: &mut Fields<'_>) -> Result<Self::Out, DecodeError> {
        C::decode(fields, self.name, &mut |f| T::Row::from_fields(f))
    }
}

/// A relation with loads of its own, from [`Relation::with`].
pub struct Nested<F, T, C, L> {
    relation: Relation<F, T, C>,
    nested: L,
}

impl<F: Table, T: Table, C: Cardinality, L: Load<T>> Load<F> for Nested<F, T, C, L>
where
    T::Row: FromFields,
{
    type Out = C::Out<(T::Row, L::Out)>;

    fn write(&self, out: &mut String, parent: &str, depth: usize) {
        self.relation
            .write_subquery(out, parent, depth, &|out, alias, depth| {
                out.push_str(", ");
                self.nested.write(out, alias, depth);
            });
    }

    fn decode(&self, fields: &mut Fields<'_>) -> Result<Self::Out, DecodeError> {
        C::decode(fields, self.relation.name, &mut |f| {
            let row = T::Row::from_fields(f)?;
            let nested = self.nested.decode(f)?;
            Ok((row, nested))
        })
    }
}

macro_rules! load_tuple {
    ($($l:ident $i:tt),+) => {
        impl<P: Table, $($l: Load<P>),+> Load<P> for ($($l,)+) {
            type Out = ($($l::Out,)+);

            fn write(&self, out: &mut String, parent: &str, depth: usize) {
                let mut first = true;
                $(
                    if !first {
                        out.push_str(", ");
                    }
                    first = false;
                    self.$i.write(out, parent, depth);
                )+
                let _ = first;
            }

            fn decode(&self, fields: &mut Fields<'_>) -> Result<Self::Out, DecodeError> {
                Ok(($(self.$i.decode(fields)?,)+))
            }
        }
    };
}

load_tuple!(A 0);
load_tuple!(A 0, B 1);
load_tuple!(A 0, B 1, C 2);
load_tuple!(A 0, B 1, C 2, D 3);
load_tuple!(A 0, B 1, C 2, D 3, E 4);
load_tuple!(A 0, B 1, C 2, D 3, E 4, G 5);

impl<T: Table> Select<T> {
    /// Loads related rows with each row, in the same statement (never one
    /// query per row): `agent_run::AgentRunTable::select().with(
    /// agent_run::rel::agent_step)` gives `Vec<(AgentRun, Vec<AgentStep>)>`.
    pub fn with<L: Load<T>>(self, load: L) -> With<T, L> {
        With { select: self, load }
    }
}

/// A select whose rows come with their related rows, from [`Select::with`].
pub struct With<T: Table, L> {
    select: Select<T>,
    load: L,
}

impl<T: Table, L: Load<T>> With<T, L>
where
    T::Row: FromFields,
{
    /// Keeps the rows `e` holds for (of the selected table).
    pub fn filter(mut self, e: impl super::scalar::Filter<T>) -> Self {
        self.select = self.select.filter(e);
        self
    }

    /// Orders the selected rows.
    pub fn order_by(mut self, order: impl Into<Order<T>>) -> Self {
        self.select = self.select.order_by(order);
        self
    }

    /// At most `n` rows (with their related rows).
    pub fn limit(mut self, n: i64) -> Self {
        self.select = self.select.limit(n);
        self
    }

    fn write(&self) -> SqlWriter {
        let alias = T::alias();
        let mut w = SqlWriter {
            qualify: true,
            ..SqlWriter::default()
        };
        w.push("SELECT ");
        for (i, c) in T::COLUMNS.iter().enumerate() {
            if i > 0 {
                w.push(", ");
            }
            w.push(&quote(&alias));
            w.push(".");
            w.push(&quote(c));
        }
        w.push(", ");
        self.load.write(&mut w.sql, &alias, 1);
        w.push(" FROM ");
        w.push(&T::sql_name());
        w.push(" AS ");
        w.push(&quote(&alias));
        self.select.write_tail(&mut w);
        w
    }

    /// The statement's SQL text.
    pub fn sql(&self) -> String {
        self.write().sql
    }

    /// Every row, each with what was loaded for it.
    pub async fn fetch_all<C: Executor + ?Sized>(
        &self,
        db: &C,
    ) -> Result<Vec<(T::Row, L::Out)>, Error> {
        let rows = raw_rows(db, &self.write()).await?;
        rows.iter()
            .map(|r| {
                let mut f = Fields::row(r, 0);
                let row = T::Row::from_fields(&mut f)?;
                let loaded = self.load.decode(&mut f)?;
                Ok((row, loaded))
            })
            .collect()
    }

    /// The one row; an error when there is none or more than one.
    pub async fn fetch_one<C: Executor + ?Sized>(&self, db: &C) -> Result<(T::Row, L::Out), Error> {
        super::query::exactly_one(self.fetch_all(db).await?)
    }

    /// The row if there is one; an error when there are several.
    pub async fn fetch_optional<C: Executor + ?Sized>(
        &self,
        db: &C,
    ) -> Result<Option<(T::Row, L::Out)>, Error> {
        super::query::at_most_one(self.fetch_all(db).await?)
    }
}
