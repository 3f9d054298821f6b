//! Which Rust types a column can have, and the non-null type behind each.

use std::fmt::Debug;

use tokio_postgres::types::ToSql;

/// A Rust type that stands for a non-null SQL value: what filters compare a
/// column with, whether or not the column is nullable.
///
/// Implemented for the types of strata's type mapping (see the README) and
/// for every generated enum. A type given in the macro's `types: { … }`
/// override must implement it too (`impl strata::runtime::NotNull for
/// MyType {}`), besides `ToSql`, `FromSql`, `Clone`, `Debug`, `PartialEq`
/// and serde's traits.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a value of a NOT NULL SQL type",
    label = "expected a non-null value of the type mapping",
    note = "keyset keys are NOT NULL columns (not `Option<…>`); the arguments of a function or raw fragment are columns of one table, expressions over it, or values of the type mapping (see the README)"
)]
pub trait NotNull: ToSql + Debug + Sync + Send + 'static {}

/// The Rust type of a column: a [`NotNull`] type, or `Option` of one for a
/// nullable column.
pub trait SqlValue: ToSql + Debug + Sync + Send + 'static {
    /// The type without `Option`.
    type NotNull: NotNull;
    /// `X`, nullable as this type is: what a function that keeps NULL
    /// (`length(text)`) gives.
    type With<X: NotNull>: SqlValue;
}

impl<T: NotNull> SqlValue for T {
    type NotNull = T;
    type With<X: NotNull> = X;
}

impl<T: NotNull> SqlValue for Option<T> {
    type NotNull = T;
    type With<X: NotNull> = Option<X>;
}

macro_rules! not_null {
    ($($t:ty),* $(,)?) => {
        $(impl NotNull for $t {})*
    };
}

not_null!(
    String,
    bool,
    i8,
    i16,
    i32,
    i64,
    u32,
    f32,
    f64,
    Vec<u8>,
    rust_decimal::Decimal,
    chrono::NaiveDateTime,
    chrono::DateTime<chrono::Utc>,
    chrono::NaiveDate,
    chrono::NaiveTime,
    serde_json::Value,
    uuid::Uuid,
    std::net::IpAddr,
);

/// Arrays: `text[]` is `Vec<String>` (`Vec<u8>` is `bytea`, as above).
impl<T: NotNull> NotNull for Vec<T> where Vec<T>: ToSql {}

/// A Rust value that stands for a SQL value of Rust type `V`: the value
/// itself, and a few borrowed forms (`&str` for `String`, `T` for
/// `Option<T>`). Filters and assignments take `impl IntoSql<…>`, so a
/// column is only ever compared with, or set to, a value of its own type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a value of this column: it takes `{V}`",
    label = "expected `{V}`",
    note = "filters and assignments take values of the column's own Rust type (see the type mapping in the README)"
)]
pub trait IntoSql<V> {
    fn into_sql(self) -> V;
}

impl<V: NotNull> IntoSql<V> for V {
    fn into_sql(self) -> V {
        self
    }
}

impl<T: NotNull> IntoSql<Option<T>> for T {
    fn into_sql(self) -> Option<T> {
        Some(self)
    }
}

impl<T: NotNull> IntoSql<Option<T>> for Option<T> {
    fn into_sql(self) -> Option<T> {
        self
    }
}

impl IntoSql<String> for &str {
    fn into_sql(self) -> String {
        self.to_string()
    }
}

impl IntoSql<String> for &String {
    fn into_sql(self) -> String {
        self.clone()
    }
}

impl IntoSql<Option<String>> for &str {
    fn into_sql(self) -> Option<String> {
        Some(self.to_string())
    }
}

impl IntoSql<Option<String>> for Option<&str> {
    fn into_sql(self) -> Option<String> {
        self.map(str::to_string)
    }
}

impl IntoSql<Vec<u8>> for &[u8] {
    fn into_sql(self) -> Vec<u8> {
        self.to_vec()
    }
}
