//! The reference database of strata's worked example.
