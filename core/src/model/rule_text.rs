//! A rule's condition or actions derived offline, kept as the server keeps
//! its tree: the names it prints are held by what they name (a column of
//! the rule's relation, a column or the name of a relation an action
//! writes), so that a rename prints the new name, as `pg_get_ruledef` does
//! after `ALTER TABLE … RENAME`.

use super::{qualified, quote_ident, RelationRef};

/// One piece of a derived text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RulePart {
    /// Printed as is.
    Text(String),
    /// A column of the rule's own relation (`new.c`, `old.c`): its name.
    OwnColumn(String),
    /// A column of a relation an action writes: its name.
    Column(RelationRef, String),
    /// A relation an action writes, as `generate_relation_name` prints it
    /// with `search_path = public`.
    Relation(RelationRef),
    /// The name a relation's columns are prefixed with when the action
    /// gives it no alias: its own name, made unique against `old` and
    /// `new` as `set_rtable_names` does (`old_1`).
    RefName(RelationRef),
    /// After a relation an action writes without an alias: ` AS old_1`
    /// when its name had to be made unique, else nothing.
    Alias(RelationRef),
}

/// The name the server gives a relation an action writes (the third
/// entry of the range table, after `old` and `new`).
fn refname(name: &str) -> String {
    if name == "old" || name == "new" {
        format!("{name}_1")
    } else {
        name.to_string()
    }
}

/// A derived text: its pieces in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RuleText {
    pub parts: Vec<RulePart>,
}

impl RuleText {
    /// The text the server prints now.
    pub fn render(&self) -> String {
        let mut s = String::new();
        for p in &self.parts {
            match p {
                RulePart::Text(t) => s.push_str(t),
                RulePart::OwnColumn(c) | RulePart::Column(_, c) => s.push_str(&quote_ident(c)),
                RulePart::Relation(r) => s.push_str(&qualified(&r.namespace, &r.name)),
                RulePart::RefName(r) => s.push_str(&quote_ident(&refname(&r.name))),
                RulePart::Alias(r) => {
                    let n = refname(&r.name);
                    if n != r.name {
                        s.push_str(" AS ");
                        s.push_str(&quote_ident(&n));
                    }
                }
            }
        }
        s
    }

    /// Every relation it names but its own.
    pub fn relations(&self) -> impl Iterator<Item = &RelationRef> {
        self.parts.iter().filter_map(|p| match p {
            RulePart::Column(r, _)
            | RulePart::Relation(r)
            | RulePart::RefName(r)
            | RulePart::Alias(r) => Some(r),
            _ => None,
        })
    }

    /// Column `old` of `rel` renamed to `new`; `own` when `rel` is the
    /// rule's relation. Whether the text names it.
    pub fn column_renamed(&mut self, own: bool, rel: &RelationRef, old: &str, new: &str) -> bool {
        let mut hit = false;
        for p in &mut self.parts {
            match p {
                RulePart::OwnColumn(c) if own && c == old => {
                    *c = new.to_string();
                    hit = true;
                }
                RulePart::Column(r, c) if r == rel && c == old => {
                    *c = new.to_string();
                    hit = true;
                }
                _ => {}
            }
        }
        hit
    }

    /// Relation `from` renamed or moved to `to`. Whether the text names it.
    pub fn relation_moved(&mut self, from: &RelationRef, to: &RelationRef) -> bool {
        let mut hit = false;
        for p in &mut self.parts {
            match p {
                RulePart::Column(r, _)
                | RulePart::Relation(r)
                | RulePart::RefName(r)
                | RulePart::Alias(r)
                    if r == from =>
                {
                    *r = to.clone();
                    hit = true;
                }
                _ => {}
            }
        }
        hit
    }
}
