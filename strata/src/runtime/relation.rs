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
use tokio_postgres::Row;

use super::column::Key;
use super::decode::{next_record, next_records, raw_column, Fields, FromFields};
use super::expr::{Node, SqlWriter};
use super::query::{raw_rows, Select};
use super::{quote, quote_into, DecodeError, Error, Table};

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
    const PRIMARY_KEY: &'static [&'static str] = T::PRIMARY_KEY;

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
    /// Whether a one-to-many relation is loaded here or below (the
    /// statement's shape depends on it). Unknown loads say yes.
    #[doc(hidden)]
    fn loads_many(&self) -> bool {
        true
    }
    /// This load as one level of one-to-many whose rows come as rows of
    /// the statement (one per related row), when it can be: see
    /// [`RowLoad`].
    #[doc(hidden)]
    fn as_rows(&self) -> Option<&dyn RowLoad<Self::Out>> {
        None
    }
}

/// One one-to-many relation (with, at most, many-to-one loads below it)
/// loaded as rows: `LEFT JOIN child ON …` beside the parent, one row per
/// related row (one row with the child's columns NULL for a parent
/// without any), grouped back per parent on the client.
#[doc(hidden)]
pub trait RowLoad<Out> {
    /// The related table's columns (and the nested loads' subqueries).
    fn write_columns(&self, out: &mut String);
    /// ` LEFT JOIN child AS … ON …` for a parent that goes by `parent`.
    fn write_join(&self, out: &mut String, parent: &str);
    /// `, ` and the related rows' order (the child's primary key).
    fn write_order(&self, out: &mut String);
    /// The value for one parent from its rows, the related table's
    /// columns from `offset`.
    fn decode_group(&self, rows: &[Row], offset: usize) -> Result<Out, DecodeError>;
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
    /// The value for related rows read one by one (one-to-many only).
    #[doc(hidden)]
    fn from_vec<X>(rows: Vec<X>) -> Option<Self::Out<X>> {
        let _ = rows;
        None
    }
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

    fn from_vec<X>(rows: Vec<X>) -> Option<Vec<X>> {
        Some(rows)
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
        qualified_list(out, &alias, T::COLUMNS);
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
            qualified_list(out, &alias, self.order);
        }
        out.push(')');
    }
}

/// The alias of a one-to-many relation loaded as rows.
fn row_alias<T: Table>() -> String {
    format!("{}#w1", T::NAME)
}

/// Whether every name of `names` is one of `columns` (and there is one).
fn all_in(names: &[&str], columns: &[&str]) -> bool {
    !names.is_empty() && names.iter().all(|n| columns.contains(n))
}

impl<F: Table, T: Table, C: Cardinality> Relation<F, T, C> {
    /// One-to-many, both tables with a key that identifies their rows
    /// (the parent's to group by, the child's to order by and to tell a
    /// parent without related rows apart: NULL in a primary key column).
    fn loads_as_rows(&self) -> bool {
        C::MANY && all_in(self.order, T::COLUMNS) && all_in(F::PRIMARY_KEY, F::COLUMNS)
    }

    fn write_row_columns(&self, out: &mut String, nested: &dyn Fn(&mut String, &str, usize)) {
        let alias = row_alias::<T>();
        for (i, c) in T::COLUMNS.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            quote_into(out, &alias);
            out.push('.');
            quote_into(out, c);
        }
        nested(out, &alias, 2);
    }

    fn write_row_join(&self, out: &mut String, parent: &str) {
        let alias = row_alias::<T>();
        out.push_str(" LEFT JOIN ");
        T::write_sql_name(out);
        out.push_str(" AS ");
        quote_into(out, &alias);
        out.push_str(" ON ");
        let mut w = SqlWriter::default();
        w.expr(&self.condition(parent, &alias));
        out.push_str(&w.sql);
    }

    fn write_row_order(&self, out: &mut String) {
        let alias = row_alias::<T>();
        for c in self.order {
            out.push_str(", ");
            quote_into(out, &alias);
            out.push('.');
            quote_into(out, c);
        }
    }

    fn decode_row_group<X>(
        &self,
        rows: &[Row],
        offset: usize,
        read: &mut dyn FnMut(&mut Fields<'_>) -> Result<X, DecodeError>,
    ) -> Result<C::Out<X>, DecodeError> {
        // A primary key column is NOT NULL: NULL there is the one row of a
        // parent without related rows (`loads_as_rows` checked the column
        // is the table's).
        let key = self
            .order
            .first()
            .and_then(|k| T::COLUMNS.iter().position(|c| c == k))
            .unwrap_or(0);
        let mut related = Vec::with_capacity(rows.len());
        for r in rows {
            if raw_column(r, offset + key, self.name)?.is_some() {
                related.push(read(&mut Fields::row(r, offset))?);
            }
        }
        C::from_vec(related).ok_or_else(|| DecodeError {
            table: self.name,
            column: "(records)",
            source: "a relation loaded as rows is not one-to-many".into(),
        })
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

    fn loads_many(&self) -> bool {
        C::MANY
    }

    fn as_rows(&self) -> Option<&dyn RowLoad<Self::Out>> {
        if self.loads_as_rows() {
            Some(self)
        } else {
            None
        }
    }
}

impl<F: Table, T: Table, C: Cardinality> RowLoad<C::Out<T::Row>> for Relation<F, T, C>
where
    T::Row: FromFields,
{
    fn write_columns(&self, out: &mut String) {
        self.write_row_columns(out, &|_, _, _| {});
    }

    fn write_join(&self, out: &mut String, parent: &str) {
        self.write_row_join(out, parent);
    }

    fn write_order(&self, out: &mut String) {
        self.write_row_order(out);
    }

    fn decode_group(&self, rows: &[Row], offset: usize) -> Result<C::Out<T::Row>, DecodeError> {
        self.decode_row_group(rows, offset, &mut |f| T::Row::from_fields(f))
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

    fn loads_many(&self) -> bool {
        C::MANY || self.nested.loads_many()
    }

    fn as_rows(&self) -> Option<&dyn RowLoad<Self::Out>> {
        // Only many-to-one loads below: each related row stays one row.
        if self.relation.loads_as_rows() && !self.nested.loads_many() {
            Some(self)
        } else {
            None
        }
    }
}

impl<F: Table, T: Table, C: Cardinality, L: Load<T>> RowLoad<C::Out<(T::Row, L::Out)>>
    for Nested<F, T, C, L>
where
    T::Row: FromFields,
{
    fn write_columns(&self, out: &mut String) {
        self.relation.write_row_columns(out, &|out, alias, depth| {
            out.push_str(", ");
            self.nested.write(out, alias, depth);
        });
    }

    fn write_join(&self, out: &mut String, parent: &str) {
        self.relation.write_row_join(out, parent);
    }

    fn write_order(&self, out: &mut String) {
        self.relation.write_row_order(out);
    }

    fn decode_group(
        &self,
        rows: &[Row],
        offset: usize,
    ) -> Result<C::Out<(T::Row, L::Out)>, DecodeError> {
        self.relation.decode_row_group(rows, offset, &mut |f| {
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

            fn loads_many(&self) -> bool {
                false $(|| self.$i.loads_many())+
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
        With {
            select: self,
            load,
            records: false,
        }
    }
}

/// Each parent row with what was loaded for it.
type Loaded<T, L> = Vec<(<T as Table>::Row, <L as Load<T>>::Out)>;

/// A select whose rows come with their related rows, from [`Select::with`].
///
/// A locking clause of the select (`for_update()`, `skip_locked()`, …)
/// locks the selected rows; the loaded rows are read, not locked.
///
/// One statement either way. One level of one-to-many (with at most
/// many-to-one loads below it), between tables with primary keys, comes
/// as rows: `SELECT parent…, child… FROM (SELECT parent… WHERE … ORDER BY
/// … LIMIT …) AS parent LEFT JOIN child ON … ORDER BY <the parent's
/// order>, <its key>, <the child's key>`, grouped per parent on the
/// client (a filter, order and limit mean the parents', as always). Every
/// other load is a select-list subquery per relation (`ARRAY(SELECT
/// ROW(…) …)`, `(SELECT ROW(…) …)`).
pub struct With<T: Table, L> {
    select: Select<T>,
    load: L,
    records: bool,
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

    /// Every relation as a select-list subquery (`ARRAY(SELECT ROW(…))`),
    /// even where rows would do: the same values, another statement (for
    /// tests and measurements).
    #[doc(hidden)]
    pub fn as_records(mut self) -> Self {
        self.records = true;
        self
    }

    /// The load as rows, when the statement takes that shape.
    fn rows(&self) -> Option<&dyn RowLoad<L::Out>> {
        if self.records {
            return None;
        }
        self.load.as_rows()
    }

    fn write(&self) -> SqlWriter {
        match self.rows() {
            Some(rows) => self.write_rows(rows),
            None => self.write_records(),
        }
    }

    /// `SELECT parent…, child… FROM (SELECT parent…, <order expressions>
    /// FROM parent WHERE … ORDER BY … LIMIT …) AS parent LEFT JOIN child
    /// ON … ORDER BY <the parent's order>, <its key>, <the child's order>`.
    /// SQL keeps no order without the outer `ORDER BY`; the parent's key
    /// after its own order keeps each parent's rows together when order
    /// values tie. An order expression is computed once, inside, and the
    /// outer `ORDER BY` reads its value (`"strata#o<i>"`) with the same
    /// direction and NULLS placement.
    fn write_rows(&self, rows: &dyn RowLoad<L::Out>) -> SqlWriter {
        let alias = T::alias();
        let mut w = SqlWriter {
            sql: String::with_capacity(512),
            qualify: true,
            ..SqlWriter::default()
        };
        let parent_columns = |w: &mut SqlWriter| qualified_list(&mut w.sql, &alias, T::COLUMNS);
        w.push("SELECT ");
        parent_columns(&mut w);
        w.push(", ");
        rows.write_columns(&mut w.sql);
        w.push(" FROM (SELECT ");
        parent_columns(&mut w);
        for (i, o) in self.select.order.iter().enumerate() {
            if let Key::Expr(pieces) = &o.key {
                w.push(", ");
                w.pieces(pieces);
                w.push(" AS ");
                quote_into(&mut w.sql, &format!("strata#o{i}"));
            }
        }
        w.push(" FROM ");
        T::write_sql_name(&mut w.sql);
        w.push(" AS ");
        quote_into(&mut w.sql, &alias);
        self.select.write_tail(&mut w);
        // The lock sits with the parent's rows, inside: a locking clause
        // cannot reach the nullable side of the outer join.
        self.select.lock.write_for_load(&mut w);
        w.push(") AS ");
        quote_into(&mut w.sql, &alias);
        rows.write_join(&mut w.sql, &alias);
        w.push(" ORDER BY ");
        for (i, o) in self.select.order.iter().enumerate() {
            match &o.key {
                Key::Col(c) => w.column(c),
                Key::Expr(_) => {
                    quote_into(&mut w.sql, &alias);
                    w.push(".");
                    quote_into(&mut w.sql, &format!("strata#o{i}"));
                }
            }
            w.direction(o);
            w.push(", ");
        }
        qualified_list(&mut w.sql, &alias, T::PRIMARY_KEY);
        rows.write_order(&mut w.sql);
        w
    }

    /// Reads the rows of [`With::write_rows`]: consecutive rows with the
    /// same parent key are one parent's.
    fn decode_rows(&self, rows: &[Row], load: &dyn RowLoad<L::Out>) -> Result<Loaded<T, L>, Error> {
        let key: Vec<usize> = T::PRIMARY_KEY
            .iter()
            .filter_map(|k| T::COLUMNS.iter().position(|c| c == k))
            .collect();
        let same_parent = |a: &Row, b: &Row| -> Result<bool, DecodeError> {
            for &i in &key {
                if raw_column(a, i, T::NAME)? != raw_column(b, i, T::NAME)? {
                    return Ok(false);
                }
            }
            Ok(true)
        };
        let mut out = Vec::new();
        let mut start = 0;
        while start < rows.len() {
            let mut end = start + 1;
            while end < rows.len() && same_parent(&rows[start], &rows[end])? {
                end += 1;
            }
            let parent = T::Row::from_fields(&mut Fields::row(&rows[start], 0))?;
            let loaded = load.decode_group(&rows[start..end], T::COLUMNS.len())?;
            out.push((parent, loaded));
            start = end;
        }
        Ok(out)
    }

    fn write_records(&self) -> SqlWriter {
        let alias = T::alias();
        let mut w = SqlWriter {
            qualify: true,
            ..SqlWriter::default()
        };
        w.push("SELECT ");
        qualified_list(&mut w.sql, &alias, T::COLUMNS);
        w.push(", ");
        self.load.write(&mut w.sql, &alias, 1);
        w.push(" FROM ");
        w.push(&T::sql_name());
        w.push(" AS ");
        w.push(&quote(&alias));
        self.select.write_tail(&mut w);
        self.select.lock.write_for_load(&mut w);
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
        self.select.lock.check_for_load(T::NAME)?;
        let rows = raw_rows(db, &self.write()).await?;
        if let Some(load) = self.rows() {
            return self.decode_rows(&rows, load);
        }
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

/// `"alias"."a", "alias"."b", …`.
fn qualified_list(sql: &mut String, alias: &str, columns: &[&str]) {
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        quote_into(sql, alias);
        sql.push('.');
        quote_into(sql, c);
    }
}
