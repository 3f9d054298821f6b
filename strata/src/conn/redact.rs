//! What may be said about a connection: `host:port/dbname`, and messages
//! with the URL and the password taken out.

use tokio_postgres::Config;

/// `host:port/dbname` of a connection config, for messages.
pub(crate) fn target_of(config: &Config) -> String {
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let dbname = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or_default();
    format!("{host}:{port}/{dbname}")
}

/// Removes the URL and the password from a message, should a driver or
/// server message ever echo them.
pub(crate) fn redact(message: &str, url: &str, password: Option<&str>) -> String {
    let mut out = message.to_string();
    if !url.is_empty() {
        out = out.replace(url, "<database URL>");
    }
    // The password as given, as written in the URL (which may be
    // percent-encoded, and is all there is when the URL does not parse),
    // and percent-encoded either way.
    let mut secrets: Vec<String> = Vec::new();
    for p in password.into_iter().chain(password_in_url(url)) {
        if !p.is_empty() {
            secrets.push(p.to_string());
            secrets.push(percent_encode(p, false));
            secrets.push(percent_encode(p, true));
        }
    }
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for secret in secrets {
        out = out.replace(&secret, "<password>");
    }
    out
}

/// The password of `scheme://user:password@host/…`, as written.
fn password_in_url(url: &str) -> Option<&str> {
    let rest = &url[url.find("://")? + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let userinfo = &authority[..authority.rfind('@')?];
    let (_, password) = userinfo.split_once(':')?;
    (!password.is_empty()).then_some(password)
}

/// Percent-encodes all but unreserved characters (upper- or lower-case hex).
fn percent_encode(s: &str, lower: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else if lower {
            out.push_str(&format!("%{b:02x}"));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A driver error with its causes (the server's message for database errors).
pub(crate) fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return db.to_string();
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_url_and_password() {
        let url = "postgres://u:s3cret@h:1/d";
        let msg = redact(&format!("bad {url} and s3cret"), url, Some("s3cret"));
        assert!(!msg.contains("s3cret"), "{msg}");
        // The URL's own password when none is given (a URL that did not
        // parse), and percent-encoded forms of either.
        assert_eq!(password_in_url(url), Some("s3cret"));
        assert_eq!(password_in_url("postgres://u@h/db"), None);
        let msg = redact(
            "failed for s3cret at postgres://u:s3cret@h:5432/x",
            url,
            None,
        );
        assert!(!msg.contains("s3cret"), "{msg}");
        let m = redact("x p%40ss%3Aw y p%40ss%3aw z p@ss:w", "", Some("p@ss:w"));
        assert!(!m.contains("p%40ss") && !m.contains("p@ss"), "{m}");
    }
}
