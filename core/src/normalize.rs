//! Canonical forms of types and expressions.
//!
//! API contract (implemented by the normalize task):
//!
//! ```ignore
//! /// Canonical type text from a sqlparser DataType (as written in DDL).
//! pub fn data_type(dt: &sqlparser::ast::DataType) -> Result<String, String>;
//! /// Canonical type text from type text (`int4`, `format_type` output, …).
//! pub fn type_text(text: &str) -> Result<String, String>;
//! /// Canonical expression text from a sqlparser Expr.
//! pub fn expr(e: &sqlparser::ast::Expr) -> String;
//! /// Canonical expression text from SQL text (`pg_get_expr` output, …).
//! pub fn expr_text(text: &str) -> Result<String, String>;
//! ```
