//! Reading a row struct by position: from a row of a statement over
//! several tables (each table's columns one after the other), or from a
//! record (`ROW(…)`) the server built for a loaded relation.
//!
//! Both go through the column type's own binary `FromSql`, so a value read
//! from a record is exactly the value read from a row.

use tokio_postgres::types::{FromSql, Kind, Type};
use tokio_postgres::Row;

use super::{BoxError, DecodeError};

/// A row struct that can be read field by field, in table column order
/// (generated for every table).
pub trait FromFields: Sized {
    /// Reads the table's columns from the cursor's next fields.
    fn from_fields(fields: &mut Fields<'_>) -> Result<Self, DecodeError>;
}

/// One field of a record: its type's oid and its binary value (`None` for
/// NULL).
#[derive(Debug, Clone, Copy)]
pub struct RawField<'a> {
    pub oid: u32,
    pub raw: Option<&'a [u8]>,
}

/// A record (`ROW(…)`, type `record`) in the binary format: its fields
/// undecoded.
#[derive(Debug, Clone)]
pub struct RawRecord<'a> {
    pub fields: Vec<RawField<'a>>,
}

fn take<'a>(buf: &mut &'a [u8], n: usize) -> Result<&'a [u8], BoxError> {
    if buf.len() < n {
        return Err("a record ended before its fields".into());
    }
    let (head, tail) = buf.split_at(n);
    *buf = tail;
    Ok(head)
}

fn int(buf: &mut &[u8]) -> Result<i32, BoxError> {
    let b = take(buf, 4)?;
    Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

impl<'a> FromSql<'a> for RawRecord<'a> {
    fn from_sql(_: &Type, mut raw: &'a [u8]) -> Result<Self, BoxError> {
        // record_send: the field count, then per field its type oid, its
        // length (-1 for NULL) and its bytes.
        let count = int(&mut raw)?;
        let mut fields = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
        for _ in 0..count {
            let oid = int(&mut raw)? as u32;
            let len = int(&mut raw)?;
            let value = if len < 0 {
                None
            } else {
                Some(take(&mut raw, len as usize)?)
            };
            fields.push(RawField { oid, raw: value });
        }
        Ok(RawRecord { fields })
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::RECORD
    }
}

/// An array of records (`ARRAY(SELECT ROW(…) …)`, type `record[]`), in the
/// binary format.
#[derive(Debug, Clone)]
pub struct RawRecords<'a>(pub Vec<RawRecord<'a>>);

impl<'a> FromSql<'a> for RawRecords<'a> {
    fn from_sql(_: &Type, mut raw: &'a [u8]) -> Result<Self, BoxError> {
        // array_send: dimensions, a has-NULLs flag, the element oid, per
        // dimension its length and lower bound, then each element's length
        // and bytes.
        let dims = int(&mut raw)?;
        let _flags = int(&mut raw)?;
        let _element = int(&mut raw)?;
        if dims == 0 {
            return Ok(RawRecords(Vec::new()));
        }
        if dims != 1 {
            return Err(format!("an array of records has {dims} dimensions, not 1").into());
        }
        let len = int(&mut raw)?;
        let _lower = int(&mut raw)?;
        let mut out = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        for _ in 0..len {
            let n = int(&mut raw)?;
            if n < 0 {
                return Err("an array of records holds a NULL".into());
            }
            out.push(RawRecord::from_sql(
                &Type::RECORD,
                take(&mut raw, n as usize)?,
            )?);
        }
        Ok(RawRecords(out))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::RECORD_ARRAY
    }
}

/// A cursor over the fields of a row (from an offset) or of a record.
pub enum Fields<'a> {
    Row { row: &'a Row, next: usize },
    Record { record: RawRecord<'a>, next: usize },
}

impl<'a> Fields<'a> {
    /// The row's fields from column `offset`.
    pub fn row(row: &'a Row, offset: usize) -> Self {
        Fields::Row { row, next: offset }
    }

    /// The record's fields.
    pub fn record(record: RawRecord<'a>) -> Self {
        Fields::Record { record, next: 0 }
    }

    /// The next field, read as `V` (column `column` of table `table`, for
    /// the error).
    pub fn next<V: FromSql<'a>>(
        &mut self,
        table: &'static str,
        column: &'static str,
    ) -> Result<V, DecodeError> {
        let err = |source: BoxError| DecodeError {
            table,
            column,
            source,
        };
        match self {
            Fields::Row { row, next } => {
                let i = *next;
                *next += 1;
                row.try_get(i).map_err(|e| err(Box::new(e)))
            }
            Fields::Record { record, next } => {
                let i = *next;
                *next += 1;
                let field = record.fields.get(i).copied().ok_or_else(|| {
                    err("the record has fewer fields than the table has columns".into())
                })?;
                decode_field::<V>(field).map_err(err)
            }
        }
    }

    /// The next field, an array whose element type is one of the
    /// database's own (an enum array): read as `V` like [`Fields::next`].
    pub fn next_array<V: FromSql<'a>>(
        &mut self,
        table: &'static str,
        column: &'static str,
    ) -> Result<V, DecodeError> {
        match self {
            Fields::Row { .. } => self.next(table, column),
            Fields::Record { record, next } => {
                let i = *next;
                *next += 1;
                let err = |source: BoxError| DecodeError {
                    table,
                    column,
                    source,
                };
                let field = record.fields.get(i).copied().ok_or_else(|| {
                    err("the record has fewer fields than the table has columns".into())
                })?;
                let ty = Type::from_oid(field.oid).unwrap_or_else(|| {
                    let element = Type::new(String::new(), 0, Kind::Simple, String::new());
                    Type::new(
                        format!("oid {}", field.oid),
                        field.oid,
                        Kind::Array(element),
                        String::new(),
                    )
                });
                V::from_sql_nullable(&ty, field.raw).map_err(err)
            }
        }
    }

    /// Whether every one of the next `n` fields is NULL (a left join that
    /// matched no row), without moving.
    pub fn all_null(&self, n: usize) -> bool {
        match self {
            Fields::Row { row, next } => (*next..*next + n)
                .all(|i| matches!(row.try_get::<_, Option<AnyValue>>(i), Ok(None))),
            Fields::Record { record, next } => record
                .fields
                .iter()
                .skip(*next)
                .take(n)
                .all(|f| f.raw.is_none()),
        }
    }

    /// Moves past `n` fields.
    pub fn skip(&mut self, n: usize) {
        match self {
            Fields::Row { next, .. } | Fields::Record { next, .. } => *next += n,
        }
    }
}

/// A field's value by its own type's `FromSql`. A built-in type is known
/// by its oid; a type of the database (an enum, a domain) is not, and its
/// generated `FromSql` reads the bytes without looking at the type.
fn decode_field<'a, V: FromSql<'a>>(field: RawField<'a>) -> Result<V, BoxError> {
    let ty = Type::from_oid(field.oid).unwrap_or_else(|| {
        Type::new(
            format!("oid {}", field.oid),
            field.oid,
            Kind::Simple,
            String::new(),
        )
    });
    if Type::from_oid(field.oid).is_some() && !V::accepts(&ty) {
        return Err(format!(
            "a field of type {} cannot be read as {}",
            ty.name(),
            std::any::type_name::<V>()
        )
        .into());
    }
    V::from_sql_nullable(&ty, field.raw)
}

/// Any value, read only to learn whether it is NULL.
struct AnyValue;

/// Any value's bytes as the server sent them (`None` for NULL).
struct AnyBytes<'a>(&'a [u8]);

impl<'a> FromSql<'a> for AnyBytes<'a> {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(AnyBytes(raw))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// Column `i` of a row as the bytes the server sent (`None` for NULL):
/// equal bytes of one column of one statement are the same value.
pub(crate) fn raw_column<'a>(
    row: &'a Row,
    i: usize,
    table: &'static str,
) -> Result<Option<&'a [u8]>, DecodeError> {
    match row.try_get::<_, Option<AnyBytes<'a>>>(i) {
        Ok(v) => Ok(v.map(|b| b.0)),
        Err(e) => Err(DecodeError {
            table,
            column: "(key)",
            source: Box::new(e),
        }),
    }
}

impl<'a> FromSql<'a> for AnyValue {
    fn from_sql(_: &Type, _: &'a [u8]) -> Result<Self, BoxError> {
        Ok(AnyValue)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// Reads a record-valued field (a loaded many-to-one relation).
pub(crate) fn next_record<'a>(
    fields: &mut Fields<'a>,
    what: &'static str,
) -> Result<Option<RawRecord<'a>>, DecodeError> {
    fields.next::<Option<RawRecord<'a>>>(what, "(record)")
}

/// Reads a `record[]`-valued field (a loaded one-to-many relation).
pub(crate) fn next_records<'a>(
    fields: &mut Fields<'a>,
    what: &'static str,
) -> Result<Vec<RawRecord<'a>>, DecodeError> {
    // In a row and nested in a record alike, the field is a record[].
    Ok(fields.next::<RawRecords<'a>>(what, "(records)")?.0)
}
