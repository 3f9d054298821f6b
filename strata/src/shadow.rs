//! A shadow database: the server itself builds a side and strata reads
//! back what it built.
//!
//! Offline replay decides most equalities itself, and where it cannot it
//! says "cannot prove equal" — never equal by assumption. With a shadow
//! server (`--shadow-database URL`, like Atlas's dev database or Prisma's
//! shadow database) the server settles them: for each side strata creates a
//! scratch database (`CREATE DATABASE … TEMPLATE template0`, a unique
//! name), runs the side's SQL files there statement by statement as `psql
//! -f` would (each file in a fresh session state: `DISCARD ALL` between
//! files), reads the result with [`crate::inspect`] and drops the scratch
//! database again, also when a statement fails. The two inspected schemas
//! hold the server's own text for every expression, type and definition,
//! so comparing them needs no rule of strata's.
//!
//! What this needs of the server: a role with `CREATEDB`, the extensions
//! and the roles the SQL names (roles are cluster objects: a `CREATE ROLE`
//! in the history is run as written and outlives the scratch database —
//! point strata at a scratch server). psql meta-commands (`\connect`, …)
//! are not SQL and are not run; the offline reading has already vetted
//! them.

use std::sync::Arc;

use strata_core::model::Schema;
use strata_core::split::split;

use crate::conn::{self, Session};
use crate::inspect::{inspect_url, InspectOptions};

/// One SQL file of a side, in the order it runs.
#[derive(Debug, Clone)]
pub struct ShadowFile {
    /// The path shown in diagnostics.
    pub path: String,
    pub text: Arc<str>,
}

/// Why a side could not be built or read on the shadow server. Messages
/// name the server as `host:port/dbname`, never its URL or password.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ShadowError {
    #[error("cannot use the shadow database: {reason}")]
    #[diagnostic(code(strata::shadow::connect))]
    Connect {
        reason: String,
        #[help]
        advice: String,
    },
    #[error("cannot create a scratch database on the shadow server {target}: {reason}")]
    #[diagnostic(
        code(strata::shadow::create),
        help(
            "strata creates a scratch database for each side and drops it after: the role of \
             --shadow-database needs CREATEDB (ALTER ROLE … CREATEDB)"
        )
    )]
    Create { target: String, reason: String },
    #[error("{location}: the shadow server refused this statement: {reason}")]
    #[diagnostic(
        code(strata::shadow::statement),
        help(
            "the server itself rejects the SQL as written here; fix the statement, or make sure \
             the shadow server has the extensions and roles it names"
        )
    )]
    Statement { location: String, reason: String },
    #[error("{path}: the file leaves a transaction open ({reason})")]
    #[diagnostic(
        code(strata::shadow::transaction),
        help("end the file's transaction with COMMIT")
    )]
    OpenTransaction { path: String, reason: String },
    #[error("{path}: {reason}")]
    #[diagnostic(code(strata::shadow::split))]
    Split { path: String, reason: String },
    #[error("cannot read back what the shadow server built: {reason}")]
    #[diagnostic(code(strata::shadow::inspect))]
    Inspect {
        reason: String,
        #[help]
        advice: String,
    },
}

/// `url` with its database replaced by `db` (a plain name: letters, digits
/// and `_`). Takes both URL (`postgres://…/db?…`) and key/value
/// (`host=… dbname=…`) forms.
pub fn with_database(url: &str, db: &str) -> String {
    for scheme in ["postgres://", "postgresql://"] {
        if let Some(rest) = url.strip_prefix(scheme) {
            let (before_query, query) = match rest.find('?') {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, ""),
            };
            // The authority ends at the first '/' after any userinfo ('@'
            // may appear in a password only percent-encoded, so a '/'
            // before the last '@' cannot occur in a valid URL).
            let authority_end = before_query
                .rfind('@')
                .map(|at| at + 1)
                .map(|from| {
                    before_query[from..]
                        .find('/')
                        .map_or(before_query.len(), |i| from + i)
                })
                .unwrap_or_else(|| before_query.find('/').unwrap_or(before_query.len()));
            return format!("{scheme}{}/{db}{query}", &before_query[..authority_end]);
        }
    }
    format!("{url} dbname={db}")
}

/// A database name no other run uses.
fn scratch_name(side: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("strata_shadow_{side}_{}_{nanos}", std::process::id())
}

/// Builds `files` in a scratch database on the shadow server and reads the
/// result back. `side` names it in the scratch database's name
/// (`declared`, `history`).
pub async fn build(url: &str, side: &str, files: &[ShadowFile]) -> Result<Schema, ShadowError> {
    let admin = conn::connect(url).await.map_err(|e| ShadowError::Connect {
        reason: e.to_string(),
        advice: "check --shadow-database: a URL of a server where strata may create databases"
            .to_string(),
    })?;
    let name = scratch_name(side);
    admin
        .client
        .batch_execute(&format!(
            "CREATE DATABASE {} TEMPLATE template0",
            strata_core::model::quote_ident(&name)
        ))
        .await
        .map_err(|e| ShadowError::Create {
            target: admin.target.clone(),
            reason: admin.describe(&e),
        })?;
    let scratch = with_database(url, &name);
    let built = build_in(&scratch, files).await;
    // Dropped whatever happened; a failure to drop is reported only when
    // the build itself succeeded (the build's error matters more).
    let dropped = admin
        .client
        .batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            strata_core::model::quote_ident(&name)
        ))
        .await
        .map_err(|e| ShadowError::Connect {
            reason: format!(
                "the scratch database {name} could not be dropped: {}",
                admin.describe(&e)
            ),
            advice: format!("drop it by hand: DROP DATABASE {name}"),
        });
    admin.close().await;
    let schema = built?;
    dropped?;
    Ok(schema)
}

async fn build_in(url: &str, files: &[ShadowFile]) -> Result<Schema, ShadowError> {
    let session = conn::connect(url).await.map_err(|e| ShadowError::Connect {
        reason: e.to_string(),
        advice: "the scratch database was created but cannot be connected to".to_string(),
    })?;
    let applied = apply(&session, files).await;
    session.close().await;
    applied?;
    inspect_url(url, &InspectOptions::default())
        .await
        .map_err(|e| ShadowError::Inspect {
            reason: e.to_string(),
            advice: "strata could not read what the server built; run without \
                     --shadow-database to see the offline reading"
                .to_string(),
        })
}

async fn apply(session: &Session, files: &[ShadowFile]) -> Result<(), ShadowError> {
    for f in files {
        let statements = split(&f.path, &f.text).map_err(|e| ShadowError::Split {
            path: f.path.clone(),
            reason: e.to_string(),
        })?;
        for s in statements.iter().filter(|s| !s.meta_command) {
            if let Err(e) = session.client.batch_execute(&s.text).await {
                return Err(ShadowError::Statement {
                    location: format!("{}:{}:{}", f.path, s.line, s.column),
                    reason: session.describe(&e),
                });
            }
        }
        // As a new session for the next file; refused inside a transaction
        // block, which the file then left open.
        if let Err(e) = session.client.batch_execute("DISCARD ALL").await {
            return Err(ShadowError::OpenTransaction {
                path: f.path.clone(),
                reason: session.describe(&e),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_is_replaced_in_every_url_form() {
        let cases = [
            (
                "postgres://u:p@h:5432/app?sslmode=disable",
                "postgres://u:p@h:5432/x?sslmode=disable",
            ),
            ("postgres://h", "postgres://h/x"),
            ("postgresql://u@h/", "postgresql://u@h/x"),
            ("postgres://u:p%2Fq@h/db", "postgres://u:p%2Fq@h/x"),
            (
                "host=h user=u dbname=app",
                "host=h user=u dbname=app dbname=x",
            ),
        ];
        for (url, want) in cases {
            assert_eq!(with_database(url, "x"), want, "{url}");
        }
    }
}
