//! The statements: select, count, insert (with `ON CONFLICT`), update,
//! delete. Each writes its SQL with [`SqlWriter`] and runs on any
//! [`Executor`]: a `Client` or `Transaction` (unnamed statement per call) or
//! a [`Db`](super::Db) (statement cache). Every execution goes through
//! [`query_rows`], [`execute`] or [`stream_rows`] here.

use std::fmt;
use std::marker::PhantomData;

use futures_util::stream::{BoxStream, StreamExt};
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use super::executor::Executor;

use super::column::{AssignedValue, Assignment, ConflictTarget, Order};
use super::expr::{Node, SqlWriter};
use super::scalar::Filter;
use super::{quote, quote_into, Error, InsertValue, Insertable, Table};

/// Marker: the statement returns nothing but a row count.
#[derive(Debug, Clone, Copy)]
pub struct NoReturning;

/// Marker: the statement ends in `RETURNING` every column, and `fetch_*`
/// read the rows as the table's row struct.
#[derive(Debug, Clone, Copy)]
pub struct Returning;

fn and(filter: Option<Node>, e: Node) -> Option<Node> {
    Some(match filter {
        Some(f) => Node::And(Box::new(f), Box::new(e)),
        None => e,
    })
}

fn write_column_list(w: &mut SqlWriter, columns: &[&str]) {
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        quote_into(&mut w.sql, c);
    }
}

fn write_where(w: &mut SqlWriter, filter: &Option<Node>) {
    if let Some(f) = filter {
        w.push(" WHERE ");
        w.expr(f);
    }
}

fn write_returning<T: Table>(w: &mut SqlWriter, returning: bool) {
    if returning {
        w.push(" RETURNING ");
        write_column_list(w, T::COLUMNS);
    }
}

fn params(w: &SqlWriter) -> Vec<&(dyn ToSql + Sync)> {
    w.params
        .iter()
        .map(|p| &**p as &(dyn ToSql + Sync))
        .collect()
}

/// What made a statement impossible to write, before any round trip.
fn built(w: &SqlWriter) -> Result<(), Error> {
    match &w.error {
        Some(e) => Err(Error::Build(e.clone())),
        None => Ok(()),
    }
}

/// Runs a statement and reads every row it returns.
async fn query_rows<T: Table, C: Executor + ?Sized>(
    db: &C,
    w: &SqlWriter,
) -> Result<Vec<T::Row>, Error> {
    built(w)?;
    let rows = db.query_sql(w.sql.as_str(), &params(w)).await?;
    rows.iter()
        .map(|r| T::Row::try_from(r).map_err(Error::from))
        .collect()
}

/// Runs a statement and returns its rows undecoded (statements over
/// several tables, relation loads, projections decode them by position).
pub(crate) async fn raw_rows<C: Executor + ?Sized>(
    db: &C,
    w: &SqlWriter,
) -> Result<Vec<Row>, Error> {
    built(w)?;
    Ok(db.query_sql(w.sql.as_str(), &params(w)).await?)
}

pub(crate) async fn execute<C: Executor + ?Sized>(db: &C, w: &SqlWriter) -> Result<u64, Error> {
    built(w)?;
    Ok(db.execute_sql(w.sql.as_str(), &params(w)).await?)
}

/// Runs a statement and reads its rows as they arrive.
async fn stream_rows<T: Table, C: Executor + ?Sized>(
    db: &C,
    w: &SqlWriter,
) -> Result<BoxStream<'static, Result<T::Row, Error>>, Error> {
    built(w)?;
    let rows = db.stream_sql(w.sql.as_str(), &params(w)).await?;
    Ok(rows
        .map(|r| match r {
            Ok(row) => T::Row::try_from(&row).map_err(Error::from),
            Err(e) => Err(Error::from(e)),
        })
        .boxed())
}

pub(crate) fn exactly_one<R>(mut rows: Vec<R>) -> Result<R, Error> {
    if rows.len() == 1 {
        if let Some(r) = rows.pop() {
            return Ok(r);
        }
    }
    Err(Error::RowCount {
        expected: "exactly one row",
        found: rows.len(),
    })
}

pub(crate) fn at_most_one<R>(mut rows: Vec<R>) -> Result<Option<R>, Error> {
    if rows.len() > 1 {
        return Err(Error::RowCount {
            expected: "at most one row",
            found: rows.len(),
        });
    }
    Ok(rows.pop())
}

/// `SELECT` every column of table `T`, with filters, order, limit and
/// offset.
pub struct Select<T: Table> {
    pub(crate) filter: Option<Node>,
    pub(crate) keyset: Option<super::keyset::Keyset>,
    pub(crate) order: Vec<Order<T>>,
    pub(crate) limit: Option<i64>,
    pub(crate) offset: Option<i64>,
    pub(crate) lock: Lock,
}

/// The row-locking clause of a select.
#[derive(Debug, Clone, Default)]
pub(crate) struct Lock {
    strength: Option<&'static str>,
    of: Vec<String>,
    wait: Option<&'static str>,
}

impl Lock {
    fn write(&self, w: &mut SqlWriter) {
        let Some(strength) = self.strength else {
            return;
        };
        w.push(" FOR ");
        w.push(strength);
        for (i, table) in self.of.iter().enumerate() {
            w.push(if i == 0 { " OF " } else { ", " });
            w.push(table);
        }
        if let Some(wait) = self.wait {
            w.push(" ");
            w.push(wait);
        }
    }

    /// The clause of a relation load ([`super::relation::With`]): only the
    /// selected table's rows are locked (loaded rows are read, not
    /// locked), and it is the only table of the query the clause sits in,
    /// so no `OF` is written ([`Lock::check_for_load`] refuses an `OF`
    /// naming another table).
    pub(crate) fn write_for_load(&self, w: &mut SqlWriter) {
        let Some(strength) = self.strength else {
            return;
        };
        w.push(" FOR ");
        w.push(strength);
        if let Some(wait) = self.wait {
            w.push(" ");
            w.push(wait);
        }
    }

    /// [`Lock::check`], and an `OF` may name only the selected `table`.
    pub(crate) fn check_for_load(&self, table: &str) -> Result<(), Error> {
        self.check()?;
        let own = quote(table);
        match self.of.iter().find(|t| **t != own) {
            Some(other) => Err(Error::Build(format!(
                "a relation load locks only the rows of {own}: OF {other} names a table it does not lock (lock those rows with a select of their own)"
            ))),
            None => Ok(()),
        }
    }

    fn check(&self) -> Result<(), Error> {
        if self.strength.is_none() && (self.wait.is_some() || !self.of.is_empty()) {
            let what = self.wait.unwrap_or("OF");
            return Err(Error::Build(format!(
                "{what} needs a locking clause: call .for_update(), .for_no_key_update(), .for_share() or .for_key_share() first"
            )));
        }
        Ok(())
    }
}

impl<T: Table> Select<T> {
    /// Every row of the table.
    pub fn new() -> Self {
        Select {
            filter: None,
            keyset: None,
            order: Vec::new(),
            limit: None,
            offset: None,
            lock: Lock::default(),
        }
    }

    /// Keeps the rows `e` holds for; several filters must all hold. A
    /// filter on the table's columns (`Expr<T>`), a subquery condition
    /// (`exists(…)`, `column.in_query(…)`), a boolean expression.
    pub fn filter(mut self, e: impl Filter<T>) -> Self {
        self.filter = and(self.filter, e.into_node());
        self
    }

    /// Orders by a column (`agent_run::created_at`, ascending) or an
    /// [`Order`] (`agent_run::created_at.desc()`); later calls break ties.
    pub fn order_by(mut self, order: impl Into<Order<T>>) -> Self {
        self.order.push(order.into());
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

    /// `FOR UPDATE`: locks the rows read against updates, deletes and
    /// other locks until the transaction ends.
    pub fn for_update(mut self) -> Self {
        self.lock.strength = Some("UPDATE");
        self
    }

    /// `FOR NO KEY UPDATE`: like `FOR UPDATE`, but lets others take
    /// `FOR KEY SHARE` (foreign-key checks of inserts elsewhere go on).
    pub fn for_no_key_update(mut self) -> Self {
        self.lock.strength = Some("NO KEY UPDATE");
        self
    }

    /// `FOR SHARE`: others may read and share-lock, not change.
    pub fn for_share(mut self) -> Self {
        self.lock.strength = Some("SHARE");
        self
    }

    /// `FOR KEY SHARE`: only changes of the key are held off.
    pub fn for_key_share(mut self) -> Self {
        self.lock.strength = Some("KEY SHARE");
        self
    }

    /// `SKIP LOCKED`: rows another transaction has locked are left out
    /// instead of waited for (job queues). Needs a `for_*` lock.
    pub fn skip_locked(mut self) -> Self {
        self.lock.wait = Some("SKIP LOCKED");
        self
    }

    /// `NOWAIT`: a row another transaction has locked fails the statement
    /// (SQLSTATE 55P03) instead of waiting. Needs a `for_*` lock.
    pub fn nowait(mut self) -> Self {
        self.lock.wait = Some("NOWAIT");
        self
    }

    /// `OF table`: locks only the rows of that table (of the tables a join
    /// reads). PostgreSQL takes the unqualified name here.
    pub fn of<U: Table>(mut self, _table: U) -> Self {
        let name = quote(U::NAME);
        if !self.lock.of.contains(&name) {
            self.lock.of.push(name);
        }
        self
    }

    /// `SELECT count(*)` of the rows the filters keep (order, limit,
    /// offset and locking do not apply).
    pub fn count(self) -> Count<T> {
        Count {
            filter: self.filter,
            marker: PhantomData,
        }
    }

    fn write(&self) -> SqlWriter {
        let mut w = SqlWriter::with_capacity();
        w.push("SELECT ");
        write_column_list(&mut w, T::COLUMNS);
        w.push(" FROM ");
        T::write_sql_name(&mut w.sql);
        self.write_tail(&mut w);
        self.lock.write(&mut w);
        w
    }

    /// `WHERE …`, `ORDER BY …`, `LIMIT`, `OFFSET` (columns qualified when
    /// the writer qualifies).
    pub(crate) fn write_tail(&self, w: &mut SqlWriter) {
        let filter = super::keyset::with_keyset(w, self.filter.clone(), &self.keyset, &self.order);
        write_where(w, &filter);
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

    /// The statement's SQL text.
    pub fn sql(&self) -> String {
        self.write().sql
    }

    /// Every row.
    pub async fn fetch_all<C: Executor + ?Sized>(&self, db: &C) -> Result<Vec<T::Row>, Error> {
        self.lock.check()?;
        query_rows::<T, C>(db, &self.write()).await
    }

    /// The rows as they arrive from the server, decoded one by one: for
    /// reads too large to hold at once. The statement runs (and its first
    /// error shows) before this returns; a row that fails to decode is an
    /// `Err` item.
    pub async fn fetch_stream<C: Executor + ?Sized>(
        &self,
        db: &C,
    ) -> Result<BoxStream<'static, Result<T::Row, Error>>, Error>
    where
        T::Row: 'static,
    {
        self.lock.check()?;
        stream_rows::<T, C>(db, &self.write()).await
    }

    /// The one row; an error when there is none or more than one.
    pub async fn fetch_one<C: Executor + ?Sized>(&self, db: &C) -> Result<T::Row, Error> {
        exactly_one(self.fetch_all(db).await?)
    }

    /// The row if there is one; an error when there are several.
    pub async fn fetch_optional<C: Executor + ?Sized>(
        &self,
        db: &C,
    ) -> Result<Option<T::Row>, Error> {
        at_most_one(self.fetch_all(db).await?)
    }
}

impl<T: Table> Default for Select<T> {
    fn default() -> Self {
        Select::new()
    }
}

impl<T: Table> Clone for Select<T> {
    fn clone(&self) -> Self {
        Select {
            filter: self.filter.clone(),
            keyset: self.keyset.clone(),
            order: self.order.clone(),
            limit: self.limit,
            offset: self.offset,
            lock: self.lock.clone(),
        }
    }
}

impl<T: Table> fmt::Debug for Select<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Select").field("sql", &self.sql()).finish()
    }
}

/// `SELECT count(*)` of table `T`, from [`Select::count`].
pub struct Count<T: Table> {
    filter: Option<Node>,
    marker: PhantomData<fn() -> T>,
}

impl<T: Table> Count<T> {
    fn write(&self) -> SqlWriter {
        let mut w = SqlWriter::with_capacity();
        w.push("SELECT count(*) FROM ");
        T::write_sql_name(&mut w.sql);
        write_where(&mut w, &self.filter);
        w
    }

    /// The statement's SQL text.
    pub fn sql(&self) -> String {
        self.write().sql
    }

    /// The number of rows.
    pub async fn fetch<C: Executor + ?Sized>(&self, db: &C) -> Result<i64, Error> {
        let w = self.write();
        let row = exactly_one(raw_rows(db, &w).await?)?;
        Ok(row.try_get::<_, i64>(0)?)
    }
}

impl<T: Table> fmt::Debug for Count<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Count").field("sql", &self.sql()).finish()
    }
}

enum ConflictAction<T> {
    Nothing,
    Update(Vec<Assignment<T>>),
}

struct Conflict<T> {
    target: Option<ConflictTarget<T>>,
    action: ConflictAction<T>,
}

pub(crate) fn write_assignments<T>(w: &mut SqlWriter, assignments: &[Assignment<T>]) {
    for (i, a) in assignments.iter().enumerate() {
        if i > 0 {
            w.push(", ");
        }
        quote_into(&mut w.sql, a.column);
        w.push(" = ");
        match &a.value {
            AssignedValue::Value(v) => w.param(v.clone()),
            AssignedValue::Default => w.push("DEFAULT"),
            AssignedValue::Excluded => {
                w.push("EXCLUDED.");
                quote_into(&mut w.sql, a.column);
            }
        }
    }
}

/// `INSERT` of one or many rows of table `T`, from the table's
/// `insert`/`insert_many`. `R` is [`NoReturning`] until
/// [`Insert::returning`].
pub struct Insert<T: Table, R = NoReturning> {
    columns: &'static [&'static str],
    rows: Vec<Vec<InsertValue>>,
    conflict: Option<Conflict<T>>,
    marker: PhantomData<fn() -> R>,
}

impl<T: Table> Insert<T, NoReturning> {
    /// Inserts `rows` (the generated `New…` structs).
    pub fn new<N: Insertable<Table = T>>(rows: impl IntoIterator<Item = N>) -> Self {
        Insert {
            columns: N::COLUMNS,
            rows: rows.into_iter().map(Insertable::into_values).collect(),
            conflict: None,
            marker: PhantomData,
        }
    }
}

impl<T: Table, R> Insert<T, R> {
    /// `ON CONFLICT target …`: a generated `table::conflict::…` target,
    /// then [`OnConflict::do_nothing`] or [`OnConflict::do_update`].
    pub fn on_conflict(self, target: ConflictTarget<T>) -> OnConflict<T, R> {
        OnConflict {
            insert: self,
            target: Some(target),
        }
    }

    /// `ON CONFLICT DO NOTHING`, whatever unique index the row conflicts on.
    pub fn on_conflict_do_nothing(mut self) -> Self {
        self.conflict = Some(Conflict {
            target: None,
            action: ConflictAction::Nothing,
        });
        self
    }

    /// `RETURNING` every column: `fetch_*` read the inserted (or updated)
    /// rows, generated columns and defaults as the server computed them.
    pub fn returning(self) -> Insert<T, Returning> {
        Insert {
            columns: self.columns,
            rows: self.rows,
            conflict: self.conflict,
            marker: PhantomData,
        }
    }

    pub(crate) fn write(&self, returning: bool) -> SqlWriter {
        // Room for the whole text ahead: `($1234, $1235, DEFAULT), ` is at
        // most 9 bytes a value and 4 a row, plus the column names.
        let values = self.rows.len() * self.columns.len();
        let names: usize = self.columns.iter().map(|c| c.len() + 4).sum();
        let mut w = SqlWriter::with_room(64 + 2 * names + 9 * values + 4 * self.rows.len(), values);
        w.push("INSERT INTO ");
        T::write_sql_name(&mut w.sql);
        if self.columns.is_empty() {
            w.push(" DEFAULT VALUES");
        } else {
            w.push(" (");
            write_column_list(&mut w, self.columns);
            w.push(") VALUES ");
            for (i, row) in self.rows.iter().enumerate() {
                if i > 0 {
                    w.push(", ");
                }
                w.push("(");
                for (j, v) in row.iter().enumerate() {
                    if j > 0 {
                        w.push(", ");
                    }
                    match v {
                        InsertValue::Value(p) => w.param(p.clone()),
                        InsertValue::Default => w.push("DEFAULT"),
                    }
                }
                w.push(")");
            }
        }
        if let Some(c) = &self.conflict {
            w.push(" ON CONFLICT");
            if let Some(t) = &c.target {
                w.push(" ");
                w.push(t.sql());
            }
            match &c.action {
                ConflictAction::Nothing => w.push(" DO NOTHING"),
                ConflictAction::Update(a) => {
                    w.push(" DO UPDATE SET ");
                    write_assignments(&mut w, a);
                }
            }
        }
        write_returning::<T>(&mut w, returning);
        w
    }

    /// No row to insert.
    pub(crate) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Checks what the server would refuse less clearly.
    pub(crate) fn check(&self) -> Result<(), Error> {
        if self.columns.is_empty() && self.rows.len() > 1 {
            return Err(Error::Build(format!(
                "table {} has no column an insert can set, so one statement inserts one row (DEFAULT VALUES); insert the rows one by one",
                T::NAME
            )));
        }
        if let Some(Conflict {
            action: ConflictAction::Update(a),
            ..
        }) = &self.conflict
        {
            if a.is_empty() {
                return Err(Error::Build(
                    "ON CONFLICT DO UPDATE needs at least one assignment".to_string(),
                ));
            }
        }
        Ok(())
    }

    /// Runs the insert; the number of rows inserted (or updated by `ON
    /// CONFLICT DO UPDATE`). No rows to insert: 0, without a round trip.
    pub async fn execute<C: Executor + ?Sized>(&self, db: &C) -> Result<u64, Error> {
        self.check()?;
        if self.rows.is_empty() {
            return Ok(0);
        }
        execute(db, &self.write(false)).await
    }
}

impl<T: Table> Insert<T, NoReturning> {
    /// The statement's SQL text.
    pub fn sql(&self) -> String {
        self.write(false).sql
    }
}

impl<T: Table> Insert<T, Returning> {
    /// The statement's SQL text.
    pub fn sql(&self) -> String {
        self.write(true).sql
    }

    /// Every row inserted (or updated by `ON CONFLICT DO UPDATE`; rows
    /// skipped by `DO NOTHING` do not come back).
    pub async fn fetch_all<C: Executor + ?Sized>(&self, db: &C) -> Result<Vec<T::Row>, Error> {
        self.check()?;
        if self.rows.is_empty() {
            return Ok(Vec::new());
        }
        query_rows::<T, C>(db, &self.write(true)).await
    }

    /// The one row inserted; an error when none or several came back.
    pub async fn fetch_one<C: Executor + ?Sized>(&self, db: &C) -> Result<T::Row, Error> {
        exactly_one(self.fetch_all(db).await?)
    }

    /// The row inserted, or `None` when `DO NOTHING` skipped it.
    pub async fn fetch_optional<C: Executor + ?Sized>(
        &self,
        db: &C,
    ) -> Result<Option<T::Row>, Error> {
        at_most_one(self.fetch_all(db).await?)
    }
}

impl<T: Table, R> fmt::Debug for Insert<T, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Insert")
            .field("sql", &self.write(false).sql)
            .finish()
    }
}

/// An insert waiting for what to do on conflict.
pub struct OnConflict<T: Table, R> {
    insert: Insert<T, R>,
    target: Option<ConflictTarget<T>>,
}

impl<T: Table, R> OnConflict<T, R> {
    /// `DO NOTHING`: the conflicting row is skipped.
    pub fn do_nothing(mut self) -> Insert<T, R> {
        self.insert.conflict = Some(Conflict {
            target: self.target,
            action: ConflictAction::Nothing,
        });
        self.insert
    }

    /// `DO UPDATE SET …`: the existing row gets the assignments
    /// (`column.to_excluded()` takes the value the insert proposed).
    pub fn do_update(
        mut self,
        assignments: impl IntoIterator<Item = Assignment<T>>,
    ) -> Insert<T, R> {
        self.insert.conflict = Some(Conflict {
            target: self.target,
            action: ConflictAction::Update(assignments.into_iter().collect()),
        });
        self.insert
    }
}

/// `UPDATE` of table `T`, from the table's `update()`.
pub struct Update<T: Table, R = NoReturning> {
    pub(crate) assignments: Vec<Assignment<T>>,
    pub(crate) filter: Option<Node>,
    marker: PhantomData<fn() -> R>,
}

impl<T: Table> Update<T, NoReturning> {
    /// An update of every row, setting nothing yet.
    pub fn new() -> Self {
        Update {
            assignments: Vec::new(),
            filter: None,
            marker: PhantomData,
        }
    }
}

impl<T: Table> Default for Update<T, NoReturning> {
    fn default() -> Self {
        Update::new()
    }
}

impl<T: Table, R> Update<T, R> {
    /// Sets a column: `.set(agent_run::status.to(AgentRunStatus::Completed))`.
    pub fn set(mut self, assignment: Assignment<T>) -> Self {
        self.assignments.push(assignment);
        self
    }

    /// Updates only the rows `e` holds for; several filters must all hold.
    /// Without a filter every row is updated.
    pub fn filter(mut self, e: impl Filter<T>) -> Self {
        self.filter = and(self.filter, e.into_node());
        self
    }

    /// `RETURNING` every column.
    pub fn returning(self) -> Update<T, Returning> {
        Update {
            assignments: self.assignments,
            filter: self.filter,
            marker: PhantomData,
        }
    }

    pub(crate) fn write(&self, returning: bool) -> SqlWriter {
        let mut w = SqlWriter::with_capacity();
        w.push("UPDATE ");
        T::write_sql_name(&mut w.sql);
        w.push(" SET ");
        write_assignments(&mut w, &self.assignments);
        write_where(&mut w, &self.filter);
        write_returning::<T>(&mut w, returning);
        w
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        if self.assignments.is_empty() {
            return Err(Error::Build(format!(
                "update of table {} sets no column; add .set(column.to(value))",
                T::NAME
            )));
        }
        Ok(())
    }

    /// Runs the update; the number of rows updated.
    pub async fn execute<C: Executor + ?Sized>(&self, db: &C) -> Result<u64, Error> {
        self.check()?;
        execute(db, &self.write(false)).await
    }
}

impl<T: Table> Update<T, NoReturning> {
    /// The statement's SQL text.
    pub fn sql(&self) -> String {
        self.write(false).sql
    }
}

impl<T: Table> Update<T, Returning> {
    /// The statement's SQL text.
    pub fn sql(&self) -> String {
        self.write(true).sql
    }

    /// Every updated row, as it is after the update.
    pub async fn fetch_all<C: Executor + ?Sized>(&self, db: &C) -> Result<Vec<T::Row>, Error> {
        self.check()?;
        query_rows::<T, C>(db, &self.write(true)).await
    }

    /// The one updated row; an error when none or several were updated.
    pub async fn fetch_one<C: Executor + ?Sized>(&self, db: &C) -> Result<T::Row, Error> {
        exactly_one(self.fetch_all(db).await?)
    }

    /// The updated row, if any; an error when several were updated.
    pub async fn fetch_optional<C: Executor + ?Sized>(
        &self,
        db: &C,
    ) -> Result<Option<T::Row>, Error> {
        at_most_one(self.fetch_all(db).await?)
    }
}

impl<T: Table, R> fmt::Debug for Update<T, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Update")
            .field("sql", &self.write(false).sql)
            .finish()
    }
}

/// `DELETE` from table `T`, from the table's `delete()`.
pub struct Delete<T: Table, R = NoReturning> {
    pub(crate) filter: Option<Node>,
    marker: PhantomData<fn() -> (T, R)>,
}

impl<T: Table> Delete<T, NoReturning> {
    /// A delete of every row.
    pub fn new() -> Self {
        Delete {
            filter: None,
            marker: PhantomData,
        }
    }
}

impl<T: Table> Default for Delete<T, NoReturning> {
    fn default() -> Self {
        Delete::new()
    }
}

impl<T: Table, R> Delete<T, R> {
    /// Deletes only the rows `e` holds for; several filters must all hold.
    /// Without a filter every row is deleted.
    pub fn filter(mut self, e: impl Filter<T>) -> Self {
        self.filter = and(self.filter, e.into_node());
        self
    }

    /// `RETURNING` every column of the deleted rows.
    pub fn returning(self) -> Delete<T, Returning> {
        Delete {
            filter: self.filter,
            marker: PhantomData,
        }
    }

    pub(crate) fn write(&self, returning: bool) -> SqlWriter {
        let mut w = SqlWriter::with_capacity();
        w.push("DELETE FROM ");
        T::write_sql_name(&mut w.sql);
        write_where(&mut w, &self.filter);
        write_returning::<T>(&mut w, returning);
        w
    }

    /// Runs the delete; the number of rows deleted.
    pub async fn execute<C: Executor + ?Sized>(&self, db: &C) -> Result<u64, Error> {
        execute(db, &self.write(false)).await
    }
}

impl<T: Table> Delete<T, NoReturning> {
    /// The statement's SQL text.
    pub fn sql(&self) -> String {
        self.write(false).sql
    }
}

impl<T: Table> Delete<T, Returning> {
    /// The statement's SQL text.
    pub fn sql(&self) -> String {
        self.write(true).sql
    }

    /// Every deleted row.
    pub async fn fetch_all<C: Executor + ?Sized>(&self, db: &C) -> Result<Vec<T::Row>, Error> {
        query_rows::<T, C>(db, &self.write(true)).await
    }

    /// The one deleted row; an error when none or several were deleted.
    pub async fn fetch_one<C: Executor + ?Sized>(&self, db: &C) -> Result<T::Row, Error> {
        exactly_one(self.fetch_all(db).await?)
    }

    /// The deleted row, if any; an error when several were deleted.
    pub async fn fetch_optional<C: Executor + ?Sized>(
        &self,
        db: &C,
    ) -> Result<Option<T::Row>, Error> {
        at_most_one(self.fetch_all(db).await?)
    }
}

impl<T: Table, R> fmt::Debug for Delete<T, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delete")
            .field("sql", &self.write(false).sql)
            .finish()
    }
}
