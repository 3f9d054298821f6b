//! strata-core: the pure heart of strata.
//!
//! The model of a PostgreSQL schema ([`model`]), the reader of SQL files
//! ([`split`], [`parse`]), offline replay ([`replay`]), canonical types
//! ([`normalize`]), expressions typed and printed as the server does
//! ([`catalog`], [`literal`], [`analyze`]), differences between two models ([`diff`]) and the sources
//! that produce a model ([`source`]).
//!
//! Architecture Invariant: this crate does no network IO and has no async
//! runtime; the proc macro depends on it alone.

pub mod analyze;
pub mod catalog;
pub mod check;
pub mod codegen;
pub mod colname;
pub mod ddl;
pub mod diff;
pub mod docs;
pub mod error;
pub mod expression;
#[doc(hidden)]
pub mod fuzzing;
pub mod keywords;
pub mod lint;
pub mod literal;
pub mod model;
pub mod names;
pub mod normalize;
pub mod parse;
pub mod plan;
mod plpgsql;
pub mod replay;
pub mod source;
pub mod split;

pub use error::{Error, Location, SqlError};
pub use model::Schema;
