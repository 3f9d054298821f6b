//! strata

pub mod inspect;

pub use inspect::{inspect, inspect_url, InspectError, InspectOptions};
