//! Connecting to a database without ever printing its URL or password.

use tokio_postgres::{Client, Config, NoTls};

use crate::inspect::{describe, redact, target_of};

/// Why a connection could not be made. Messages hold at most
/// `host:port/dbname`, never the URL or a password.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ConnectError {
    #[error("invalid database URL: {reason}")]
    #[diagnostic(
        code(strata::connect::url),
        help("expected a URL like postgres://user@host:5432/dbname")
    )]
    Url { reason: String },
    #[error("cannot connect to {target}: {reason}")]
    #[diagnostic(
        code(strata::connect::failed),
        help("check that PostgreSQL is running there and that the user and database exist")
    )]
    Connect { target: String, reason: String },
}

/// An open connection: the client, the task driving it, and what may be
/// said about where it goes.
pub struct Session {
    pub client: Client,
    /// `host:port/dbname`, safe to print.
    pub target: String,
    url: String,
    password: Option<String>,
    task: tokio::task::JoinHandle<()>,
}

impl Session {
    /// Removes the URL and the password from a message before it is shown.
    pub fn redact(&self, message: &str) -> String {
        redact(message, &self.url, self.password.as_deref())
    }

    /// A driver error as text, the server's message first, redacted.
    pub fn describe(&self, e: &tokio_postgres::Error) -> String {
        self.redact(&describe(e))
    }

    /// Closes the connection and waits for its task.
    pub async fn close(self) {
        drop(self.client);
        let _ = self.task.await;
    }
}

/// `host:port/dbname` of a URL, or `<invalid URL>`: safe to print.
pub fn describe_url(url: &str) -> String {
    match url.parse::<Config>() {
        Ok(c) => target_of(&c),
        Err(_) => "<invalid database URL>".to_string(),
    }
}

/// Connects (no TLS; 10 s connect timeout and `application_name=strata`
/// unless the URL sets them).
pub async fn connect(url: &str) -> Result<Session, ConnectError> {
    let mut config: Config = url
        .parse()
        .map_err(|e: tokio_postgres::Error| ConnectError::Url {
            reason: redact(&describe(&e), url, None),
        })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(std::time::Duration::from_secs(10));
    }
    // So a DBA can tell strata's sessions in pg_stat_activity.
    if config.get_application_name().is_none() {
        config.application_name("strata");
    }
    let target = target_of(&config);
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(ConnectError::Connect {
            target,
            reason: "strata's connection must be awaited inside a Tokio runtime".to_string(),
        });
    }
    let password = config
        .get_password()
        .map(|p| String::from_utf8_lossy(p).into_owned());
    let (client, connection) = config
        .connect(NoTls)
        .await
        .map_err(|e| ConnectError::Connect {
            target: target.clone(),
            reason: redact(&describe(&e), url, password.as_deref()),
        })?;
    let task = tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(Session {
        client,
        target,
        url: url.to_string(),
        password,
        task,
    })
}
