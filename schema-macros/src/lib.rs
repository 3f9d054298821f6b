//! strata-macros: thin proc-macro shims over strata-core (the typed models
//! come with the codegen issue).
