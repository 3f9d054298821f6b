//! Filters: a boolean expression on the columns of one table.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::ops;
use std::sync::Arc;

use super::{quote_into, Param};

/// A condition on the rows of table `T` (`WHERE …`). Made by the column
/// methods (`eq`, `lt`, `is_null`, `in_`, `like`, …), combined with
/// [`Expr::and`], [`Expr::or`] and [`Expr::not`] (or `&`, `|`, `!`). A
/// filter on another table's column does not type-check.
pub struct Expr<T> {
    pub(crate) node: Node,
    marker: PhantomData<fn() -> T>,
}

/// A column in SQL: its name, and the name its table goes by in a
/// statement over several tables (its alias), written only there.
#[derive(Clone, Copy)]
#[doc(hidden)]
pub struct ColRef {
    pub table: fn() -> String,
    pub name: &'static str,
}

#[derive(Clone)]
#[doc(hidden)]
pub enum Node {
    Compare {
        column: ColRef,
        op: &'static str,
        value: Param,
    },
    /// `a op b` of two columns (of one table or of two joined ones).
    Columns {
        left: ColRef,
        op: &'static str,
        right: ColRef,
    },
    Null {
        column: ColRef,
        negated: bool,
    },
    In {
        column: ColRef,
        values: Vec<Param>,
        negated: bool,
    },
    Like {
        column: ColRef,
        pattern: Param,
        case_insensitive: bool,
    },
    /// `aggregate op $n` (in `HAVING`): the aggregate's text is written
    /// with its columns qualified.
    Aggregate {
        sql: String,
        op: &'static str,
        value: Param,
    },
    /// Raw SQL text written as is (join conditions strata writes itself).
    Sql(String),
    /// An expression made of pieces: functions, raw fragments with bound
    /// parameters, subqueries (see `runtime/scalar.rs`).
    Frag(Vec<Piece>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
}

impl<T> Expr<T> {
    pub(crate) fn new(node: Node) -> Self {
        Expr {
            node,
            marker: PhantomData,
        }
    }

    /// Both conditions (`a AND b`).
    pub fn and(self, other: Expr<T>) -> Expr<T> {
        Expr::new(Node::And(Box::new(self.node), Box::new(other.node)))
    }

    /// Either condition (`a OR b`).
    pub fn or(self, other: Expr<T>) -> Expr<T> {
        Expr::new(Node::Or(Box::new(self.node), Box::new(other.node)))
    }

    /// The negation (`NOT a`).
    #[allow(clippy::should_implement_trait)] // `!` works too, through ops::Not below.
    pub fn not(self) -> Expr<T> {
        Expr::new(Node::Not(Box::new(self.node)))
    }

    /// The expression's SQL text, parameters numbered from `$1`.
    pub fn sql(&self) -> String {
        let mut w = SqlWriter::default();
        w.expr(&self.node);
        w.sql
    }
}

impl<T> Clone for Expr<T> {
    fn clone(&self) -> Self {
        Expr::new(self.node.clone())
    }
}

impl<T> fmt::Debug for Expr<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut w = SqlWriter::default();
        w.expr(&self.node);
        write!(f, "Expr({} with {:?})", w.sql, w.params)
    }
}

impl<T> ops::BitAnd for Expr<T> {
    type Output = Expr<T>;
    fn bitand(self, other: Expr<T>) -> Expr<T> {
        self.and(other)
    }
}

impl<T> ops::BitOr for Expr<T> {
    type Output = Expr<T>;
    fn bitor(self, other: Expr<T>) -> Expr<T> {
        self.or(other)
    }
}

impl<T> ops::Not for Expr<T> {
    type Output = Expr<T>;
    fn not(self) -> Expr<T> {
        Expr::new(Node::Not(Box::new(self.node)))
    }
}

/// One piece of an expression: text strata wrote, a column, a bound
/// parameter, a whole subquery, or an error found while building (a raw
/// fragment whose placeholders do not match its arguments), reported
/// before the statement runs.
#[derive(Clone)]
#[doc(hidden)]
pub enum Piece {
    Text(Cow<'static, str>),
    Col(ColRef),
    Param(Param),
    Sub(Arc<dyn WriteSql>),
    Error(Arc<str>),
}

impl Piece {
    pub(crate) fn text(s: &'static str) -> Piece {
        Piece::Text(Cow::Borrowed(s))
    }
}

/// A statement that can be written inside another (a subquery).
#[doc(hidden)]
pub trait WriteSql: Send + Sync {
    fn write_sql(&self, w: &mut SqlWriter);
}

/// SQL text being written, with its parameters (`$n` is `params[n-1]`).
/// `qualify`: columns are written with their table's alias
/// (`"agent_run"."id"`), as a statement over several tables needs.
/// `error`: what made the statement impossible to write (reported as
/// [`super::Error::Build`] before any round trip).
#[doc(hidden)]
#[derive(Default)]
pub struct SqlWriter {
    pub(crate) sql: String,
    pub(crate) params: Vec<Param>,
    pub(crate) qualify: bool,
    pub(crate) error: Option<String>,
}

/// `n` in decimal, appended without the formatting machinery (a
/// 1,000-row insert writes 2,000 of them).
fn push_number(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        out.push(char::from(d));
    }
}

/// Binding strength, loosest first: what needs parentheses inside what.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Prec {
    Or,
    And,
    Not,
    Atom,
}

impl SqlWriter {
    /// A writer with room for a typical statement, so that writing one
    /// seldom reallocates.
    pub fn with_capacity() -> SqlWriter {
        SqlWriter {
            sql: String::with_capacity(256),
            params: Vec::with_capacity(4),
            qualify: false,
            error: None,
        }
    }

    /// A writer with room for `sql` bytes of text and `params`
    /// parameters (a statement whose size is known ahead, such as a
    /// multi-row insert).
    pub fn with_room(sql: usize, params: usize) -> SqlWriter {
        SqlWriter {
            sql: String::with_capacity(sql),
            params: Vec::with_capacity(params),
            qualify: false,
            error: None,
        }
    }

    /// Records the first reason the statement cannot be written.
    pub fn fail(&mut self, reason: String) {
        if self.error.is_none() {
            self.error = Some(reason);
        }
    }

    /// The pieces of an expression, in order.
    pub(crate) fn pieces(&mut self, pieces: &[Piece]) {
        for p in pieces {
            match p {
                Piece::Text(t) => self.sql.push_str(t),
                Piece::Col(c) => self.column(c),
                Piece::Param(v) => self.param(v.clone()),
                Piece::Sub(q) => {
                    // A subquery qualifies its columns: it names its own
                    // tables and, when correlated, the outer query's.
                    let qualify = self.qualify;
                    self.qualify = true;
                    q.write_sql(self);
                    self.qualify = qualify;
                }
                Piece::Error(e) => self.fail(e.to_string()),
            }
        }
    }

    /// An `ORDER BY` key with its direction.
    pub(crate) fn order<T>(&mut self, o: &super::column::Order<T>) {
        match &o.key {
            super::column::Key::Col(c) => self.column(c),
            super::column::Key::Expr(pieces) => self.pieces(pieces),
        }
        self.direction(o);
    }

    /// An `ORDER BY` key's ` DESC` and ` NULLS FIRST` / ` NULLS LAST`.
    pub(crate) fn direction<T>(&mut self, o: &super::column::Order<T>) {
        if o.descending {
            self.push(" DESC");
        }
        match o.nulls {
            Some(true) => self.push(" NULLS FIRST"),
            Some(false) => self.push(" NULLS LAST"),
            None => {}
        }
    }

    pub fn push(&mut self, s: &str) {
        self.sql.push_str(s);
    }

    pub fn param(&mut self, p: Param) {
        self.params.push(p);
        self.sql.push('$');
        push_number(&mut self.sql, self.params.len());
    }

    /// A column: `"name"`, or `"alias"."name"` when qualifying.
    pub fn column(&mut self, c: &ColRef) {
        if self.qualify {
            quote_into(&mut self.sql, &(c.table)());
            self.sql.push('.');
        }
        quote_into(&mut self.sql, c.name);
    }

    pub fn expr(&mut self, node: &Node) {
        self.node(node, Prec::Or);
    }

    fn node(&mut self, node: &Node, outer: Prec) {
        let own = match node {
            Node::Or(..) => Prec::Or,
            Node::And(..) => Prec::And,
            Node::Not(..) => Prec::Not,
            _ => Prec::Atom,
        };
        let paren = own < outer;
        if paren {
            self.sql.push('(');
        }
        match node {
            Node::Compare { column, op, value } => {
                self.column(column);
                self.sql.push(' ');
                self.push(op);
                self.sql.push(' ');
                self.param(value.clone());
            }
            Node::Columns { left, op, right } => {
                self.column(left);
                self.sql.push(' ');
                self.push(op);
                self.sql.push(' ');
                self.column(right);
            }
            Node::Sql(text) => self.push(text),
            Node::Frag(pieces) => self.pieces(pieces),
            Node::Aggregate { sql, op, value } => {
                self.push(sql);
                self.sql.push(' ');
                self.push(op);
                self.sql.push(' ');
                self.param(value.clone());
            }
            Node::Null { column, negated } => {
                self.column(column);
                self.push(if *negated { " IS NOT NULL" } else { " IS NULL" });
            }
            Node::In {
                column,
                values,
                negated,
            } => {
                if values.is_empty() {
                    self.push(if *negated { "TRUE" } else { "FALSE" });
                } else {
                    self.column(column);
                    self.push(if *negated { " NOT IN (" } else { " IN (" });
                    for (i, v) in values.iter().enumerate() {
                        if i > 0 {
                            self.push(", ");
                        }
                        self.param(v.clone());
                    }
                    self.sql.push(')');
                }
            }
            Node::Like {
                column,
                pattern,
                case_insensitive,
            } => {
                self.column(column);
                self.push(if *case_insensitive {
                    " ILIKE "
                } else {
                    " LIKE "
                });
                self.param(pattern.clone());
            }
            Node::And(a, b) => {
                self.node(a, Prec::And);
                self.push(" AND ");
                self.node(b, Prec::And);
            }
            Node::Or(a, b) => {
                self.node(a, Prec::Or);
                self.push(" OR ");
                self.node(b, Prec::Or);
            }
            Node::Not(a) => {
                self.push("NOT (");
                self.node(a, Prec::Or);
                self.sql.push(')');
            }
        }
        if paren {
            self.sql.push(')');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_numbered_in_decimal() {
        let mut w = SqlWriter::with_room(0, 0);
        for _ in 0..1001 {
            w.param(Arc::new(1_i32));
            w.push(",");
        }
        let expected: String = (1..=1001).map(|n| format!("${n},")).collect();
        assert_eq!(w.sql, expected);
        assert_eq!(w.params.len(), 1001);
    }
}
