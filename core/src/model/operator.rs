//! Operators (`pg_operator`), compared by definition.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::quote_ident;

/// A function or operator an operator names, by schema and name, written
/// as pg_dump writes it: bare in `pg_catalog`, qualified elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ObjectRef {
    pub schema: String,
    pub name: String,
}

impl ObjectRef {
    pub fn new(schema: &str, name: &str) -> ObjectRef {
        ObjectRef {
            schema: schema.to_string(),
            name: name.to_string(),
        }
    }

    /// A function as `regproc` prints it with an empty search path:
    /// `eqsel`, `public.reverse_textregexeq`.
    pub fn function_sql(&self) -> String {
        if self.schema == "pg_catalog" {
            quote_ident(&self.name)
        } else {
            format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.name))
        }
    }

    /// An operator as pg_dump names a commutator or negator:
    /// `OPERATOR(public.===)`, or the bare symbol in `pg_catalog`.
    pub fn operator_sql(&self) -> String {
        if self.schema == "pg_catalog" {
            self.name.clone()
        } else {
            format!("OPERATOR({}.{})", quote_ident(&self.schema), self.name)
        }
    }
}

/// An operator, keyed in its namespace by [`Operator::key`]:
/// `===(integer, text)`, `@@(NONE, integer)` for a prefix operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    /// The function that implements it (`oprcode`); `None` for a shell
    /// operator, which a `COMMUTATOR` or `NEGATOR` naming an operator that
    /// did not exist yet creates (pg_dump never writes one).
    pub function: Option<ObjectRef>,
    /// `oprcom`: the operator with the operand types swapped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commutator: Option<ObjectRef>,
    /// `oprnegate`: the operator with the same operand types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negator: Option<ObjectRef>,
    /// `oprrest`, the restriction selectivity estimator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restrict: Option<ObjectRef>,
    /// `oprjoin`, the join selectivity estimator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join: Option<ObjectRef>,
    /// `oprcanhash`.
    pub hashes: bool,
    /// `oprcanmerge`.
    pub merges: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The owner, compared only when asked (`--owners`): see [`super::Owner`].
    #[serde(default, skip_serializing_if = "super::Owner::is_implicit")]
    pub owner: super::Owner,
}

impl Operator {
    /// A shell: a name and operand types, nothing else.
    pub fn shell() -> Operator {
        Operator {
            owner: super::Owner::default(),
            function: None,
            commutator: None,
            negator: None,
            restrict: None,
            join: None,
            hashes: false,
            merges: false,
            comment: None,
        }
    }

    /// The key of an operator in its namespace: `name(left, right)`, the
    /// types as `format_type` prints them, `NONE` for no left operand.
    pub fn key(name: &str, left: Option<&str>, right: &str) -> String {
        format!("{name}({}, {right})", left.unwrap_or("NONE"))
    }

    /// A key split back: (symbol, left type, right type).
    pub fn split_key(key: &str) -> (&str, Option<&str>, &str) {
        let (name, args) = key.split_once('(').unwrap_or((key, ""));
        let args = args.strip_suffix(')').unwrap_or(args);
        let (left, right) = split_top_comma(args);
        let left = if left == "NONE" { None } else { Some(left) };
        (name, left, right)
    }
}

/// `a, b` at the first comma outside parentheses and quotes.
fn split_top_comma(s: &str) -> (&str, &str) {
    let (mut depth, mut quoted) = (0i32, false);
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => return (s[..i].trim(), s[i + 1..].trim()),
            _ => {}
        }
    }
    (s.trim(), "")
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", quote_ident(&self.schema), self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_split_back() {
        let k = Operator::key("===", Some("numeric(10,2)"), "text");
        assert_eq!(k, "===(numeric(10,2), text)");
        assert_eq!(
            Operator::split_key(&k),
            ("===", Some("numeric(10,2)"), "text")
        );
        assert_eq!(
            Operator::split_key("@@(NONE, integer)"),
            ("@@", None, "integer")
        );
    }

    #[test]
    fn references_print_as_pg_dump_does() {
        assert_eq!(
            ObjectRef::new("pg_catalog", "eqsel").function_sql(),
            "eqsel"
        );
        assert_eq!(ObjectRef::new("My", "f").function_sql(), "\"My\".f");
        assert_eq!(
            ObjectRef::new("public", "===").operator_sql(),
            "OPERATOR(public.===)"
        );
        assert_eq!(ObjectRef::new("pg_catalog", "=").operator_sql(), "=");
    }
}
