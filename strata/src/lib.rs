//! strata: the crate users depend on.
//!
//! It re-exports the pure core ([`strata_core`]) and holds the live side:
//! reading a database ([`inspect`]), connecting safely ([`conn`]), and (as
//! they land) the migration runner and drift checks.
//!
//! Architecture Invariant: only [`inspect`] reads the catalog; nothing here
//! prints a database URL or password.

pub mod conn;
pub mod drift;
pub mod history;
pub mod inspect;
pub mod migrate;
pub mod runtime;
pub mod shadow;

pub use inspect::{inspect, inspect_url, InspectError, InspectOptions};
pub use strata_core as core;
#[doc(hidden)]
pub use strata_macros::__query;
pub use strata_macros::{embed_migrations, schema, FromRow};
