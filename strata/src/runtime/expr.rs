//! Filters: a boolean expression on the columns of one table.

use std::fmt;
use std::marker::PhantomData;
use std::ops;

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
pub(crate) struct ColRef {
    pub table: fn() -> String,
    pub name: &'static str,
}

#[derive(Clone)]
pub(crate) enum Node {
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

/// SQL text being written, with its parameters (`$n` is `params[n-1]`).
/// `qualify`: columns are written with their table's alias
/// (`"agent_run"."id"`), as a statement over several tables needs.
#[derive(Default)]
pub(crate) struct SqlWriter {
    pub sql: String,
    pub params: Vec<Param>,
    pub qualify: bool,
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
        }
    }

    pub fn push(&mut self, s: &str) {
        self.sql.push_str(s);
    }

    pub fn param(&mut self, p: Param) {
        self.params.push(p);
        use std::fmt::Write as _;
        // Writing to a String cannot fail.
        let _ = write!(self.sql, "${}", self.params.len());
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
