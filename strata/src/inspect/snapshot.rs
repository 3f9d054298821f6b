//! Several connections reading one snapshot, as parallel `pg_dump` does.
//!
//! The server spends most of an inspection deparsing (`pg_get_expr`,
//! `pg_get_viewdef`, …), and the first deparse of a relation in a session
//! loads it into that backend's relation cache: work that one backend does
//! on one core. The first connection, inside its `REPEATABLE READ, READ
//! ONLY` transaction, exports its snapshot (`pg_export_snapshot()`); each
//! further connection opens the same kind of transaction and imports it
//! (`SET TRANSACTION SNAPSHOT`) before any query, so every query of every
//! connection sees exactly the first one's snapshot. The queries of
//! [`super::SHARED`] then read, on each connection, the relations whose oid
//! falls to it (`oid % connections`): each relation is deparsed by one
//! backend only.
//!
//! The first connection's transaction stays open until every connection
//! has read (the exported snapshot lives as long as it does). A further
//! connection that cannot be opened or cannot import the snapshot is done
//! without: fewer connections still read everything, from the one
//! snapshot.

use tokio_postgres::Client;

use super::{InspectError, SET_SEARCH_PATH};
use crate::conn::{describe, Session};

/// Inside `primary`'s snapshot transaction: exports the snapshot and opens
/// up to `connections - 1` more sessions on `url` that import it (with the
/// same settings, [`SET_SEARCH_PATH`]). None when `connections` is 0 or 1.
pub(crate) async fn share(
    url: &str,
    primary: &Client,
    connections: usize,
) -> Result<Vec<Session>, InspectError> {
    if connections <= 1 {
        return Ok(Vec::new());
    }
    let row = primary
        .query_one("SELECT pg_export_snapshot()", &[])
        .await
        .map_err(|e| InspectError::Query {
            step: "export snapshot",
            reason: describe(&e),
        })?;
    let id: String = row.try_get(0).map_err(|e| InspectError::Catalog {
        step: "export snapshot",
        reason: describe(&e),
    })?;
    let import = format!(
        "BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; \
         SET TRANSACTION SNAPSHOT '{}'; {SET_SEARCH_PATH}",
        id.replace('\'', "''")
    );
    let opened =
        futures_util::future::join_all((1..connections).map(|_| open_importing(url, &import)))
            .await;
    Ok(opened.into_iter().flatten().collect())
}

/// A session inside the imported snapshot, or None.
async fn open_importing(url: &str, import: &str) -> Option<Session> {
    let session = crate::conn::connect(url).await.ok()?;
    match session.client.batch_execute(import).await {
        Ok(()) => Some(session),
        Err(_) => {
            session.close().await;
            None
        }
    }
}

/// Ends the helpers' transactions (read only: nothing to keep) and closes
/// them.
pub(crate) async fn close(helpers: Vec<Session>) {
    futures_util::future::join_all(helpers.into_iter().map(|h| async move {
        let _ = h.client.batch_execute("COMMIT").await;
        h.close().await;
    }))
    .await;
}
