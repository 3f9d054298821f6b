//! Connecting to a database without ever printing its URL or password.

use tokio_postgres::config::SslMode as DriverSslMode;
use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres::{Client, Config, NoTls, Socket};

mod redact;
pub mod tls;

pub(crate) use redact::{describe, redact, target_of};

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
    #[diagnostic(code(strata::connect::failed))]
    Connect {
        target: String,
        reason: String,
        /// What to do about it, by what went wrong.
        #[help]
        advice: String,
    },
    #[error("cannot set up TLS for {target}: {reason}")]
    #[diagnostic(
        code(strata::connect::tls),
        help(
            "strata reads libpq's TLS settings: sslmode, sslrootcert, sslcert, sslkey, sslcrl \
             (in the URL, or PGSSLMODE, PGSSLROOTCERT, …)"
        )
    )]
    Tls { target: String, reason: String },
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

/// Connects, with TLS as libpq's `sslmode` asks (default `prefer`; see
/// [`tls`]), a 10 s connect timeout and `application_name=strata` unless
/// the URL sets them.
pub async fn connect(url: &str) -> Result<Session, ConnectError> {
    let (rest, tls_params) = tls::take_tls_params(url).map_err(|reason| ConnectError::Url {
        reason: redact(&reason, url, None),
    })?;
    let mut config: Config =
        rest.parse()
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
            advice: "call it from async code running on Tokio (#[tokio::main])".to_string(),
        });
    }
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let plan = tls::plan(tls_params, home.as_deref()).map_err(|reason| ConnectError::Tls {
        target: target.clone(),
        reason: redact(&reason, url, None),
    })?;
    // libpq's order: the URL (userinfo or `?password=`), PGPASSWORD, then
    // the password file (an empty password counts as none, as in libpq).
    if config.get_password().is_none_or(<[u8]>::is_empty) {
        if let Some(p) = password_from_environment(&config) {
            config.password(p);
        }
    }
    let password = config
        .get_password()
        .map(|p| String::from_utf8_lossy(p).into_owned());
    let fail = |e: tokio_postgres::Error, mode: tls::SslMode| {
        let mut reason = redact(&describe(&e), url, password.as_deref());
        if reason.contains("server does not support TLS") {
            reason = format!(
                "the server does not accept TLS connections, and sslmode={} requires TLS; \
                 turn on ssl in the server's postgresql.conf, or connect with sslmode=prefer",
                mode.as_str()
            );
        }
        ConnectError::Connect {
            target: target.clone(),
            reason,
            advice: advice(&e, mode),
        }
    };
    let (client, task) = match (plan.mode, plan.config) {
        (tls::SslMode::Disable, _) | (_, None) => {
            config.ssl_mode(DriverSslMode::Disable);
            open(&config, NoTls).await.map_err(|e| fail(e, plan.mode))?
        }
        (tls::SslMode::Allow, Some(tls_config)) => {
            // libpq's `allow`: without TLS first, with it if the server
            // refuses that.
            config.ssl_mode(DriverSslMode::Disable);
            match open(&config, NoTls).await {
                Ok(opened) => opened,
                Err(_) => {
                    config.ssl_mode(DriverSslMode::Require);
                    let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls_config);
                    open(&config, tls).await.map_err(|e| fail(e, plan.mode))?
                }
            }
        }
        (mode, Some(tls_config)) => {
            config.ssl_mode(if mode == tls::SslMode::Prefer {
                DriverSslMode::Prefer
            } else {
                DriverSslMode::Require
            });
            let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls_config);
            open(&config, tls).await.map_err(|e| fail(e, mode))?
        }
    };
    Ok(Session {
        client,
        target,
        url: url.to_string(),
        password,
        task,
    })
}

/// What to do about a failed connection, by what went wrong: the server's
/// SQLSTATE when it answered, else the kind of I/O failure.
fn advice(e: &tokio_postgres::Error, mode: tls::SslMode) -> String {
    use tokio_postgres::error::SqlState;
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        return if *code == SqlState::INVALID_PASSWORD {
            "the server refused the password: check the one in the URL, PGPASSWORD or the \
             password file (PGPASSFILE, ~/.pgpass) — strata uses the first it finds, in that order"
                .to_string()
        } else if *code == SqlState::INVALID_CATALOG_NAME {
            "that database does not exist on the server: create it, or fix the database name in \
             the URL"
                .to_string()
        } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
            && db.message().contains("role")
        {
            "that role does not exist on the server: fix the user name in the URL, or create the \
             role"
                .to_string()
        } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION {
            format!(
                "the server's pg_hba.conf does not let this user connect from here this way \
                 (sslmode={}): ask for an entry, or try another sslmode",
                mode.as_str()
            )
        } else if *code == SqlState::TOO_MANY_CONNECTIONS {
            "the server has no free connection slot: try again, or raise max_connections"
                .to_string()
        } else if *code == SqlState::CANNOT_CONNECT_NOW {
            "the server is starting up or shutting down: try again in a moment".to_string()
        } else {
            "check the user, the database and the server's log".to_string()
        };
    }
    let text = describe(e);
    if text.contains("password missing") {
        "the server asks for a password and none was found: put it in PGPASSWORD, the password \
         file (~/.pgpass) or the URL"
            .to_string()
    } else if text.contains("certificate") || text.contains("TLS") || text.contains("tls") {
        "the TLS handshake failed: check sslmode, sslrootcert and the server's certificate"
            .to_string()
    } else {
        "check that PostgreSQL is running there and accepts TCP connections (listen_addresses, \
         port, firewall)"
            .to_string()
    }
}

/// Connects and spawns the task that drives the connection.
async fn open<T>(
    config: &Config,
    tls: T,
) -> Result<(Client, tokio::task::JoinHandle<()>), tokio_postgres::Error>
where
    T: MakeTlsConnect<Socket>,
    T::Stream: Send + 'static,
{
    let (client, connection) = config.connect(tls).await?;
    let task = tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok((client, task))
}

/// The password libpq would use when the URL has none: `PGPASSWORD`, else
/// the first matching line of the password file (`PGPASSFILE`, else
/// `~/.pgpass`).
fn password_from_environment(config: &Config) -> Option<String> {
    if let Some(p) = std::env::var_os("PGPASSWORD") {
        let p = p.to_string_lossy().into_owned();
        if !p.is_empty() {
            return Some(p);
        }
    }
    let path = match std::env::var_os("PGPASSFILE") {
        Some(p) if !p.is_empty() => std::path::PathBuf::from(p),
        _ => std::path::PathBuf::from(std::env::var_os("HOME")?).join(".pgpass"),
    };
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        // libpq matches a socket in its default directory as `localhost`;
        // other socket directories by their path.
        #[cfg(unix)]
        Some(tokio_postgres::config::Host::Unix(p)) => {
            let dir = p.display().to_string();
            if dir == "/tmp" || dir == "/var/run/postgresql" {
                "localhost".to_string()
            } else {
                dir
            }
        }
        None => "localhost".to_string(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let user = config.get_user().unwrap_or_default();
    let dbname = config.get_dbname().unwrap_or(user);
    let text = read_passfile(&path)?;
    passfile_lookup(&text, &host, &port, dbname, user)
}

/// The password file's text, or `None` (with a warning on stderr, as libpq
/// prints one) when it is not a plain file or others may read it.
fn read_passfile(path: &std::path::Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        eprintln!(
            "warning: password file \"{}\" is not a plain file",
            path.display()
        );
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            eprintln!(
                "warning: password file \"{}\" has group or world access; permissions \
                 should be u=rw (0600) or less",
                path.display()
            );
            return None;
        }
    }
    std::fs::read_to_string(path).ok()
}

/// The password of the first line `host:port:database:username:password`
/// matching the connection (`*` matches anything; `\:` and `\\` escape).
/// Lines starting with `#` are comments.
pub(crate) fn passfile_lookup(
    text: &str,
    host: &str,
    port: &str,
    dbname: &str,
    user: &str,
) -> Option<String> {
    for line in text.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut rest = line;
        let mut matched = true;
        for want in [host, port, dbname, user] {
            match match_field(rest, want) {
                Some(after) => rest = after,
                None => {
                    matched = false;
                    break;
                }
            }
        }
        if !matched {
            continue;
        }
        let mut password = String::with_capacity(rest.len());
        let mut chars = rest.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some(next) => password.push(next),
                    None => password.push('\\'),
                }
            } else {
                password.push(c);
            }
        }
        return Some(password);
    }
    None
}

/// Matches one `:`-terminated field at the start of `line` against `want`;
/// returns what follows the `:`.
fn match_field<'a>(line: &'a str, want: &str) -> Option<&'a str> {
    if let Some(after) = line.strip_prefix("*:") {
        return Some(after);
    }
    let mut value = String::new();
    let mut chars = line.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, next)) => value.push(next),
                None => return None,
            },
            ':' => return (value == want).then(|| &line[i + 1..]),
            other => value.push(other),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passfile_lines_match_like_libpq() {
        let text = "# comment\n\
                    other:5432:db:u:wrong\n\
                    127.0.0.1:5432:db:u:p\\:a\\\\ss:word\n\
                    *:*:*:u:fallback\n";
        assert_eq!(
            passfile_lookup(text, "127.0.0.1", "5432", "db", "u").as_deref(),
            Some("p:a\\ss:word")
        );
        assert_eq!(
            passfile_lookup(text, "127.0.0.1", "5433", "db", "u").as_deref(),
            Some("fallback")
        );
        assert_eq!(passfile_lookup(text, "127.0.0.1", "5432", "db", "v"), None);
        // Escaped separators in the key fields.
        let text = "h:1:my\\:db:u:pw\n";
        assert_eq!(
            passfile_lookup(text, "h", "1", "my:db", "u").as_deref(),
            Some("pw")
        );
        // `*` only as a whole field.
        assert_eq!(passfile_lookup("h*:1:d:u:pw\n", "hx", "1", "d", "u"), None);
    }
}
