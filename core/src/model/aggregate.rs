//! Aggregates (`pg_aggregate` with their `pg_proc` row), compared by
//! definition.

use serde::{Deserialize, Serialize};

use super::{ObjectRef, Parallel};

/// An aggregate, keyed in its namespace by [`Aggregate::key`]:
/// `mysum(integer)`, `pct(double precision ORDER BY double precision)`,
/// `total(*)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aggregate {
    /// The aggregated arguments (for an ordered-set aggregate, the direct
    /// ones first): name (when given) and type as `format_type` prints it.
    pub args: Vec<(Option<String>, String)>,
    /// An ordered-set aggregate (`ORDER BY` in its arguments): how many of
    /// [`Aggregate::args`] are direct; `None` for a plain aggregate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct_args: Option<usize>,
    /// `HYPOTHETICAL` (an ordered-set aggregate of kind `h`).
    #[serde(default)]
    pub hypothetical: bool,
    pub sfunc: ObjectRef,
    pub stype: String,
    #[serde(default)]
    pub sspace: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finalfunc: Option<ObjectRef>,
    #[serde(default)]
    pub finalfunc_extra: bool,
    /// `r` read only, `s` shareable, `w` read write.
    pub finalfunc_modify: char,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub combinefunc: Option<ObjectRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serialfunc: Option<ObjectRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deserialfunc: Option<ObjectRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initcond: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msfunc: Option<ObjectRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minvfunc: Option<ObjectRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mstype: Option<String>,
    #[serde(default)]
    pub msspace: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfinalfunc: Option<ObjectRef>,
    #[serde(default)]
    pub mfinalfunc_extra: bool,
    pub mfinalfunc_modify: char,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minitcond: Option<String>,
    /// `SORTOP`: an operator (schema and symbol).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sortop: Option<ObjectRef>,
    pub parallel: Parallel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The owner, compared only when asked (`--owners`): see [`super::Owner`].
    #[serde(default, skip_serializing_if = "super::Owner::is_implicit")]
    pub owner: super::Owner,
}

impl Aggregate {
    /// The argument list as `pg_get_function_identity_arguments` prints it
    /// without names: `integer`, `double precision ORDER BY double
    /// precision`, `*`.
    pub fn identity_args(&self) -> String {
        Self::types_text(
            &self
                .args
                .iter()
                .map(|(_, t)| t.as_str())
                .collect::<Vec<_>>(),
            self.direct_args,
        )
    }

    /// `name(identity arguments)`: the key in its namespace.
    pub fn key(name: &str, types: &[&str], direct_args: Option<usize>) -> String {
        format!("{name}({})", Self::types_text(types, direct_args))
    }

    fn types_text(types: &[&str], direct_args: Option<usize>) -> String {
        match direct_args {
            None if types.is_empty() => "*".to_string(),
            None => types.join(", "),
            Some(n) => {
                let n = n.min(types.len());
                let (direct, ordered) = types.split_at(n);
                if direct.is_empty() {
                    format!("ORDER BY {}", ordered.join(", "))
                } else {
                    format!("{} ORDER BY {}", direct.join(", "), ordered.join(", "))
                }
            }
        }
    }

    /// The arguments as `pg_get_function_arguments` prints them (names
    /// included), for `CREATE AGGREGATE`.
    pub fn arguments_sql(&self) -> String {
        let shown: Vec<String> = self
            .args
            .iter()
            .map(|(n, t)| match n {
                Some(n) => format!("{} {t}", super::quote_ident(n)),
                None => t.clone(),
            })
            .collect();
        let refs: Vec<&str> = shown.iter().map(String::as_str).collect();
        Self::types_text(&refs, self.direct_args)
    }
}
