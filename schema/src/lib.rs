//! The reference database of strata's worked example, as typed models.
//!
//! `strata::schema!` replays the declared schema (`sql/`) and the 85
//! migrations (`../migrations`) at build time, refuses to compile when they
//! differ, and generates a module per table (row struct, `New…` insert
//! struct, typed columns, conflict targets, query entry points) and an enum
//! per PostgreSQL enum. `src/generated.rs` is the same code written by
//! `strata codegen`, committed for reading and reviewed in diffs.
//!
//! ```no_run
//! use strata_reference_schema::{agent_run, AgentRunStatus};
//!
//! # async fn demo(client: &tokio_postgres::Client) -> Result<(), strata::runtime::Error> {
//! let running = agent_run::AgentRunTable::select()
//!     .filter(agent_run::status.eq(AgentRunStatus::Running).and(agent_run::depth.gt(1)))
//!     .order_by(agent_run::created_at.desc())
//!     .limit(10)
//!     .fetch_all(client)
//!     .await?;
//! # let _ = running;
//! # Ok(())
//! # }
//! ```

strata::schema! {
    schema: "sql",
    migrations: "../migrations",
}
