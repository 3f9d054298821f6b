//! Foreign-data wrappers, foreign servers and user mappings
//! (`pg_foreign_data_wrapper`, `pg_foreign_server`, `pg_user_mapping`):
//! database objects, in no namespace.
//!
//! A user mapping's options often hold a password. strata never keeps nor
//! prints their values: it keeps a digest of each ([`SecretValue`]), enough
//! to tell two values equal or different, and renders every value as
//! `<redacted>`.

use std::collections::BTreeMap;
use std::fmt;
use std::hash::Hasher;

use serde::{Deserialize, Serialize};

use super::{quote_ident, quote_literal, RelationRef};

/// `OPTIONS (name 'value', …)` in the order the server stores them
/// (`text[]` of `name=value`): the order matters to no wrapper, so two
/// lists are compared as sets ([`options_equal`]).
pub type FdwOptions = Vec<(String, String)>;

/// Whether two option lists hold the same names with the same values.
pub fn options_equal<V: PartialEq + Ord>(a: &[(String, V)], b: &[(String, V)]) -> bool {
    fn sorted<V: Ord>(o: &[(String, V)]) -> Vec<(&String, &V)> {
        let mut v: Vec<(&String, &V)> = o.iter().map(|(k, v)| (k, v)).collect();
        v.sort();
        v
    }
    sorted(a) == sorted(b)
}

/// `OPTIONS (a 'x', b 'y')`; empty for none.
pub fn options_sql(options: &[(String, String)]) -> String {
    if options.is_empty() {
        return String::new();
    }
    let items: Vec<String> = options
        .iter()
        .map(|(k, v)| format!("{} {}", quote_ident(k), quote_literal(v)))
        .collect();
    format!("OPTIONS ({})", items.join(", "))
}

/// A foreign-data wrapper not made by an extension (those are the
/// extension's, as its other members).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignDataWrapper {
    /// `HANDLER f`; `None` for `NO HANDLER`.
    pub handler: Option<RelationRef>,
    /// `VALIDATOR f`; `None` for `NO VALIDATOR`.
    pub validator: Option<RelationRef>,
    pub options: FdwOptions,
    pub comment: Option<String>,
    /// Privileges (`fdwacl`; USAGE): `None` for the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl: Option<super::Acl>,
    /// The owner, compared only when asked (`--owners`).
    #[serde(default, skip_serializing_if = "super::Owner::is_implicit")]
    pub owner: super::Owner,
}

/// A foreign server (`CREATE SERVER`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignServer {
    /// The foreign-data wrapper's name.
    pub wrapper: String,
    /// `TYPE 'x'`.
    pub server_type: Option<String>,
    /// `VERSION 'x'`.
    pub version: Option<String>,
    pub options: FdwOptions,
    pub comment: Option<String>,
    /// Privileges (`srvacl`; USAGE): `None` for the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl: Option<super::Acl>,
    /// The owner, compared only when asked (`--owners`).
    #[serde(default, skip_serializing_if = "super::Owner::is_implicit")]
    pub owner: super::Owner,

    /// Its user mappings by role name; `public` for `PUBLIC` (a role
    /// cannot be named `public`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub user_mappings: BTreeMap<String, UserMapping>,
}

/// A user mapping (`CREATE USER MAPPING FOR role SERVER s`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserMapping {
    /// The options' names and their values' digests, in stored order;
    /// `None` when they could not be read (`pg_user_mappings` shows them
    /// only to the mapped user, the server's owner and superusers): then
    /// nothing can be proven about them.
    pub options: Option<Vec<(String, SecretValue)>>,
}

impl UserMapping {
    /// The option names as the reports show them: `user, password`.
    pub fn option_names(&self) -> Vec<String> {
        self.options
            .iter()
            .flatten()
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// `OPTIONS (user <redacted>, password <redacted>)`, or the reason
    /// they are not known.
    pub fn redacted_options(&self) -> String {
        match &self.options {
            None => "options not readable".to_string(),
            Some(o) if o.is_empty() => String::new(),
            Some(o) => {
                let items: Vec<String> = o
                    .iter()
                    .map(|(k, _)| format!("{} {}", quote_ident(k), SecretValue::REDACTED))
                    .collect();
                format!("OPTIONS ({})", items.join(", "))
            }
        }
    }
}

/// A user-mapping option's value, kept as a 128-bit digest: equal values
/// have equal digests; the value itself is never held, printed nor
/// serialized.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SecretValue(u128);

impl SecretValue {
    pub const REDACTED: &'static str = "<redacted>";

    pub fn of(value: &str) -> SecretValue {
        let mut h =
            siphasher::sip128::SipHasher13::new_with_keys(0x7374_7261_7461, 0x7365_6372_6574);
        h.write(value.as_bytes());
        SecretValue(siphasher::sip128::Hasher128::finish128(&h).as_u128())
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(SecretValue::REDACTED)
    }
}

impl fmt::Display for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(SecretValue::REDACTED)
    }
}

impl Serialize for SecretValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("digest:{:032x}", self.0))
    }
}

impl<'de> Deserialize<'de> for SecretValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let hex = s
            .strip_prefix("digest:")
            .ok_or_else(|| serde::de::Error::custom("expected digest:<hex>"))?;
        u128::from_str_radix(hex, 16)
            .map(SecretValue)
            .map_err(serde::de::Error::custom)
    }
}

/// `PUBLIC` or the role, as SQL names the user of a mapping.
pub fn mapping_user_sql(user: &str) -> String {
    if user == "public" {
        "PUBLIC".to_string()
    } else {
        quote_ident(user)
    }
}

/// The path of a user mapping: its name is `FOR role SERVER s`.
pub fn user_mapping_path(server: &str, user: &str) -> super::ObjectPath {
    super::ObjectPath::new(
        super::ObjectKind::UserMapping,
        "",
        &format!(
            "FOR {} SERVER {}",
            mapping_user_sql(user),
            quote_ident(server)
        ),
    )
}
