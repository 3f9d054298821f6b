//! PostgreSQL's `interval`, which tokio-postgres does not map.

use std::error::Error;

use bytes::BytesMut;
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type, WrongType};

/// An `interval` as the server keeps it: months, days and microseconds,
/// apart — a month is not a fixed number of days, nor a day of hours
/// across a daylight-saving change — so nothing is lost either way
/// (`'1 mon 2 days 03:00:00'` is `Interval { months: 1, days: 2,
/// microseconds: 10_800_000_000 }`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub struct Interval {
    pub months: i32,
    pub days: i32,
    pub microseconds: i64,
}

impl Interval {
    pub const fn new(months: i32, days: i32, microseconds: i64) -> Interval {
        Interval {
            months,
            days,
            microseconds,
        }
    }
}

impl<'a> FromSql<'a> for Interval {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Interval, Box<dyn Error + Sync + Send>> {
        // The binary form: microseconds (int8), days (int4), months (int4).
        let bytes: &[u8; 16] = raw
            .try_into()
            .map_err(|_| format!("an interval is 16 bytes, got {}", raw.len()))?;
        let (micros, rest) = bytes.split_at(8);
        let (days, months) = rest.split_at(4);
        Ok(Interval {
            microseconds: i64::from_be_bytes(micros.try_into()?),
            days: i32::from_be_bytes(days.try_into()?),
            months: i32::from_be_bytes(months.try_into()?),
        })
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::INTERVAL
    }
}

impl ToSql for Interval {
    fn to_sql(&self, _: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        out.extend_from_slice(&self.microseconds.to_be_bytes());
        out.extend_from_slice(&self.days.to_be_bytes());
        out.extend_from_slice(&self.months.to_be_bytes());
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::INTERVAL
    }

    fn to_sql_checked(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        if !<Interval as ToSql>::accepts(ty) {
            return Err(Box::new(WrongType::new::<Interval>(ty.clone())));
        }
        self.to_sql(ty, out)
    }
}

impl super::NotNull for Interval {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_binary_form_round_trips() {
        let i = Interval::new(14, -3, 10_800_000_001);
        let mut buf = BytesMut::new();
        i.to_sql(&Type::INTERVAL, &mut buf).unwrap();
        assert_eq!(buf.len(), 16);
        assert_eq!(Interval::from_sql(&Type::INTERVAL, &buf).unwrap(), i);
        assert!(Interval::from_sql(&Type::INTERVAL, &buf[..15]).is_err());
        assert!(i.to_sql_checked(&Type::TEXT, &mut BytesMut::new()).is_err());
    }
}
