//! What `query!` / `query_as!` expand to: a statement checked at build
//! time (its SQL, its argument types, its row type), run here.
//!
//! The macro has already proven the argument types against the
//! parameters the server will infer ([`arg`]) and generated the function
//! that reads a row into its struct; this only sends the statement.

use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use super::Executor;

use super::Error;

/// What reading one row into a `query!` row type gives.
pub type CheckedRead<R> = Result<R, tokio_postgres::Error>;

/// A checked statement with its arguments bound; `R` is its row type.
pub struct CheckedQuery<'a, R, const N: usize> {
    sql: &'static str,
    read: fn(&Row) -> CheckedRead<R>,
    args: [&'a (dyn ToSql + Sync); N],
}

impl<'a, R, const N: usize> CheckedQuery<'a, R, N> {
    #[doc(hidden)]
    pub fn new(
        sql: &'static str,
        read: fn(&Row) -> CheckedRead<R>,
        args: [&'a (dyn ToSql + Sync); N],
    ) -> Self {
        CheckedQuery { sql, read, args }
    }

    /// The SQL as written in the macro.
    pub fn sql(&self) -> &'static str {
        self.sql
    }

    /// Every row.
    pub async fn fetch_all<C: Executor + ?Sized>(&self, db: &C) -> Result<Vec<R>, Error> {
        let rows = db.query_sql(self.sql, &self.args).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push((self.read)(row)?);
        }
        Ok(out)
    }

    /// The one row; an error when there is none or more than one.
    pub async fn fetch_one<C: Executor + ?Sized>(&self, db: &C) -> Result<R, Error> {
        let mut rows = self.fetch_all(db).await?;
        match rows.len() {
            1 => Ok(rows.remove(0)),
            found => Err(Error::RowCount {
                expected: "exactly one row",
                found,
            }),
        }
    }

    /// The row if there is one; an error when there are several.
    pub async fn fetch_optional<C: Executor + ?Sized>(&self, db: &C) -> Result<Option<R>, Error> {
        let mut rows = self.fetch_all(db).await?;
        match rows.len() {
            0 => Ok(None),
            1 => Ok(Some(rows.remove(0))),
            found => Err(Error::RowCount {
                expected: "at most one row",
                found,
            }),
        }
    }

    /// Runs the statement; the number of rows it affected.
    pub async fn execute<C: Executor + ?Sized>(&self, db: &C) -> Result<u64, Error> {
        Ok(db.execute_sql(self.sql, &self.args).await?)
    }
}

/// An argument that can be bound to a parameter whose Rust type is `T`:
/// a `T`, a reference to one, `None`/`Some` of one, and the borrowed
/// forms `&str` for `String` and `&[E]` for `Vec<E>`.
#[diagnostic::on_unimplemented(
    message = "this argument is `{Self}`, but the query's parameter takes `{T}`",
    label = "`{T}`, `&{T}` or `Option<{T}>` expected",
    note = "the parameter's type is the one PostgreSQL infers from the SQL; cast the parameter in the SQL ($1::type) to choose another"
)]
pub trait Arg<T>: ToSql + Sync {}

impl<T: ToSql + Sync> Arg<T> for T {}
impl<T: ToSql + Sync> Arg<T> for &T {}
impl<T: ToSql + Sync> Arg<T> for Option<T> {}
impl<T: ToSql + Sync> Arg<T> for Option<&T> {}
impl Arg<String> for &str {}
impl Arg<String> for Option<&str> {}
impl<E: ToSql + Sync> Arg<Vec<E>> for &[E] {}

/// Checks an argument against its parameter's Rust type `T`.
#[doc(hidden)]
pub fn check_arg<T, A: Arg<T>>(value: &A) -> &(dyn ToSql + Sync) {
    value
}
