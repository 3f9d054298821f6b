//! TLS as libpq does it, with rustls: `sslmode` (`disable`, `allow`,
//! `prefer`, `require`, `verify-ca`, `verify-full`), root certificates from a
//! file or the system (`sslrootcert=system`), revocation lists (`sslcrl`),
//! client certificates (`sslcert`, `sslkey`), `sslsni` and the protocol
//! version bounds — from the connection string or the `PGSSL*` variables,
//! with libpq's defaults (`prefer`; `~/.postgresql/root.crt`,
//! `postgresql.crt`, `postgresql.key` when they exist).
//!
//! tokio-postgres knows only `disable`, `prefer` and `require`; the
//! parameters it does not know are taken out of the connection string here
//! and turned into a rustls configuration.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{
    CertificateDer, CertificateRevocationListDer, PrivateKeyDer, ServerName, UnixTime,
};
use rustls::{CertificateError, DigitallySignedStruct, Error as TlsError, SignatureScheme};

/// libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> Option<SslMode> {
        Some(match value {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// The TLS parameters of one connection string, after the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsParams {
    pub sslmode: Option<String>,
    pub sslrootcert: Option<String>,
    pub sslcert: Option<String>,
    pub sslkey: Option<String>,
    pub sslcrl: Option<String>,
    pub sslsni: Option<String>,
    pub ssl_min_protocol_version: Option<String>,
    pub ssl_max_protocol_version: Option<String>,
    pub sslpassword: Option<String>,
    pub gssencmode: Option<String>,
}

/// The parameters taken out of the connection string, and the variable
/// each falls back to.
const PARAMS: &[(&str, &str)] = &[
    ("sslmode", "PGSSLMODE"),
    ("sslrootcert", "PGSSLROOTCERT"),
    ("sslcert", "PGSSLCERT"),
    ("sslkey", "PGSSLKEY"),
    ("sslcrl", "PGSSLCRL"),
    ("sslsni", "PGSSLSNI"),
    ("ssl_min_protocol_version", "PGSSLMINPROTOCOLVERSION"),
    ("ssl_max_protocol_version", "PGSSLMAXPROTOCOLVERSION"),
    ("sslpassword", ""),
    ("gssencmode", "PGGSSENCMODE"),
    // Obsolete in libpq (compression is never negotiated): accepted, unused.
    ("sslcompression", ""),
];

impl TlsParams {
    fn set(&mut self, key: &str, value: String) {
        let slot = match key {
            "sslmode" => &mut self.sslmode,
            "sslrootcert" => &mut self.sslrootcert,
            "sslcert" => &mut self.sslcert,
            "sslkey" => &mut self.sslkey,
            "sslcrl" => &mut self.sslcrl,
            "sslsni" => &mut self.sslsni,
            "ssl_min_protocol_version" => &mut self.ssl_min_protocol_version,
            "ssl_max_protocol_version" => &mut self.ssl_max_protocol_version,
            "sslpassword" => &mut self.sslpassword,
            "gssencmode" => &mut self.gssencmode,
            _ => return,
        };
        *slot = Some(value);
    }

    /// Fills what the connection string left unset from `PGSSL*`, as libpq.
    fn with_environment(mut self, env: &dyn Fn(&str) -> Option<String>) -> TlsParams {
        for (key, var) in PARAMS {
            if var.is_empty() {
                continue;
            }
            let unset = match *key {
                "sslmode" => self.sslmode.is_none(),
                "sslrootcert" => self.sslrootcert.is_none(),
                "sslcert" => self.sslcert.is_none(),
                "sslkey" => self.sslkey.is_none(),
                "sslcrl" => self.sslcrl.is_none(),
                "sslsni" => self.sslsni.is_none(),
                "ssl_min_protocol_version" => self.ssl_min_protocol_version.is_none(),
                "ssl_max_protocol_version" => self.ssl_max_protocol_version.is_none(),
                "gssencmode" => self.gssencmode.is_none(),
                _ => false,
            };
            if unset {
                if let Some(v) = env(var).filter(|v| !v.is_empty()) {
                    self.set(key, v);
                }
            }
        }
        self
    }
}

/// Takes libpq's TLS parameters out of a connection string (a URL's query
/// or `key=value` words), returning the string tokio-postgres is given and
/// the parameters.
pub fn take_tls_params(conn: &str) -> Result<(String, TlsParams), String> {
    let mut params = TlsParams::default();
    let is_ours = |k: &str| PARAMS.iter().any(|(p, _)| *p == k);
    let trimmed = conn.trim_start();
    if trimmed.starts_with("postgres://") || trimmed.starts_with("postgresql://") {
        let Some(q) = conn.find('?') else {
            return Ok((conn.to_string(), params));
        };
        let (base, query) = (&conn[..q], &conn[q + 1..]);
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let key = percent_decode(k)?;
            if is_ours(&key) {
                params.set(&key, percent_decode(v)?);
            } else {
                kept.push(pair);
            }
        }
        let rest = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        return Ok((rest, params));
    }
    // `key = value` words; values may be single-quoted with `\` escapes.
    let mut kept = String::new();
    let bytes = conn.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let start = i;
        while i < bytes.len() && bytes[i] != b'=' && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let key = &conn[start..i];
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] != b'=' {
            return Err(format!(
                "missing \"=\" after \"{key}\" in the connection string"
            ));
        }
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < bytes.len() && bytes[i] == b'\'' {
            i += 1;
            let mut closed = false;
            while i < bytes.len() {
                match bytes[i] {
                    b'\\' if i + 1 < bytes.len() => {
                        let c = conn[i + 1..].chars().next().unwrap_or('\\');
                        value.push(c);
                        i += 1 + c.len_utf8();
                    }
                    b'\'' => {
                        i += 1;
                        closed = true;
                        break;
                    }
                    _ => {
                        let c = conn[i..].chars().next().unwrap_or(' ');
                        value.push(c);
                        i += c.len_utf8();
                    }
                }
            }
            if !closed {
                return Err("unterminated quoted string in the connection string".to_string());
            }
        } else {
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                if bytes[i] == b'\\' && i + 1 < bytes.len() {
                    i += 1;
                }
                let c = conn[i..].chars().next().unwrap_or(' ');
                value.push(c);
                i += c.len_utf8();
            }
        }
        if is_ours(key) {
            params.set(key, value);
        } else {
            if !kept.is_empty() {
                kept.push(' ');
            }
            kept.push_str(conn[start..i].trim_end());
        }
    }
    Ok((kept, params))
}

fn percent_decode(s: &str) -> Result<String, String> {
    let mut out = Vec::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| "invalid percent-encoding in the URL's query".to_string())?;
            out.push(hex);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "the URL's query is not UTF-8".to_string())
}

/// What a connection does about TLS: the mode tokio-postgres is told, and
/// the rustls configuration (none for `disable`).
pub struct TlsPlan {
    pub mode: SslMode,
    pub config: Option<rustls::ClientConfig>,
}

/// Turns the parameters into a plan, reading certificate files as libpq
/// does. `home` is where `~/.postgresql/` is looked for.
pub fn plan(params: TlsParams, home: Option<&Path>) -> Result<TlsPlan, String> {
    let params = params.with_environment(&|v| std::env::var(v).ok());
    plan_with(params, home)
}

fn plan_with(params: TlsParams, home: Option<&Path>) -> Result<TlsPlan, String> {
    if params.sslpassword.is_some() {
        return Err(
            "sslpassword (an encrypted client key) is not supported: decrypt the key \
                    into a file readable only by you and name it with sslkey"
                .to_string(),
        );
    }
    match params.gssencmode.as_deref() {
        None | Some("disable") | Some("prefer") => {}
        Some("require") => {
            return Err(
                "gssencmode=require: GSSAPI encryption is not supported; use TLS (sslmode)"
                    .to_string(),
            )
        }
        Some(other) => return Err(format!("invalid gssencmode value: \"{other}\"")),
    }
    let system_roots = params.sslrootcert.as_deref() == Some("system");
    let mode = match params.sslmode.as_deref() {
        Some(m) => SslMode::parse(m).ok_or_else(|| {
            format!(
                "invalid sslmode value: \"{m}\" (one of disable, allow, prefer, require, \
                 verify-ca, verify-full)"
            )
        })?,
        // As libpq 16: the system's roots make verify-full the default.
        None if system_roots => SslMode::VerifyFull,
        None => SslMode::Prefer,
    };
    if system_roots && mode != SslMode::VerifyFull && mode != SslMode::Disable {
        return Err(format!(
            "weak sslmode \"{}\" may not be used with sslrootcert=system (use \"verify-full\")",
            mode.as_str()
        ));
    }
    if mode == SslMode::Disable {
        return Ok(TlsPlan { mode, config: None });
    }
    let sni = match params.sslsni.as_deref() {
        None | Some("1") => true,
        Some("0") => false,
        Some(other) => return Err(format!("invalid sslsni value: \"{other}\" (0 or 1)")),
    };
    let versions = protocol_versions(
        params.ssl_min_protocol_version.as_deref(),
        params.ssl_max_protocol_version.as_deref(),
    )?;
    // ring, not aws-lc-rs: no CMake or C toolchain beyond ring's own, and a
    // quicker clean build. rustls 0.23.48 deprecates it for lacking
    // post-quantum key exchange, which PostgreSQL servers do not offer yet.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let dot = home.map(|h| h.join(".postgresql"));

    // Root certificates: the named file, the system's, or the default file
    // when it exists. A root file present means the chain is verified in
    // every mode, as libpq does; the host name only under verify-full.
    let root_file = match &params.sslrootcert {
        Some(p) if p == "system" => None,
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => dot.as_ref().map(|d| d.join("root.crt")),
    };
    let roots = if system_roots {
        Some(system_root_store()?)
    } else {
        match &root_file {
            Some(f) if f.exists() => Some(root_store_from(f)?),
            _ => None,
        }
    };
    let verifier: Arc<dyn ServerCertVerifier> = match roots {
        Some(roots) => {
            let mut builder =
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone());
            if let Some(crl) = params.sslcrl.as_deref().filter(|c| !c.is_empty()) {
                builder = builder.with_crls(read_crls(Path::new(crl))?);
            } else if let Some(d) = &dot {
                let default = d.join("root.crl");
                if default.exists() {
                    builder = builder.with_crls(read_crls(&default)?);
                }
            }
            let inner = builder
                .build()
                .map_err(|e| format!("cannot use the root certificates: {e}"))?;
            Arc::new(Verifier {
                chain: Some(inner),
                host_name: mode == SslMode::VerifyFull,
                provider: provider.clone(),
            })
        }
        None if mode >= SslMode::VerifyCa => {
            let shown = root_file
                .as_ref()
                .map(|f| f.display().to_string())
                .unwrap_or_else(|| "~/.postgresql/root.crt".to_string());
            return Err(format!(
                "root certificate file \"{shown}\" does not exist: sslmode={} needs one to check \
                 the server's certificate. Name it with sslrootcert=PATH, use the system's \
                 trusted roots with sslrootcert=system, or use sslmode=require (encrypted, \
                 the server not verified)",
                mode.as_str()
            ));
        }
        None => Arc::new(Verifier {
            chain: None,
            host_name: false,
            provider: provider.clone(),
        }),
    };

    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&versions)
        .map_err(|e| format!("cannot configure TLS: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);

    // The client certificate: the named file, else the default one when it
    // exists; its key likewise, and required once a certificate is there.
    let cert_file = match &params.sslcert {
        Some(p) if !p.is_empty() => Some((PathBuf::from(p), true)),
        _ => dot.as_ref().map(|d| (d.join("postgresql.crt"), false)),
    };
    let key_file = match &params.sslkey {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => dot.as_ref().map(|d| d.join("postgresql.key")),
    };
    let mut config = match cert_file {
        Some((cert, _)) if cert.exists() => {
            let chain = read_certs(&cert)?;
            let Some(key) = key_file.filter(|k| k.exists()) else {
                return Err(format!(
                    "certificate present, but not private key file: \"{}\" has no key beside \
                     it; name the key with sslkey=PATH",
                    cert.display()
                ));
            };
            check_key_permissions(&key)?;
            let key = PrivateKeyDer::from_pem_file(&key).map_err(|e| {
                format!(
                    "cannot read the private key \"{}\": {e} (an unencrypted PEM key is needed)",
                    key.display()
                )
            })?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| format!("cannot use the client certificate: {e}"))?
        }
        Some((cert, true)) => {
            return Err(format!(
                "could not open certificate file \"{}\": it does not exist",
                cert.display()
            ))
        }
        _ => builder.with_no_client_auth(),
    };
    config.enable_sni = sni;
    Ok(TlsPlan {
        mode,
        config: Some(config),
    })
}

fn protocol_versions(
    min: Option<&str>,
    max: Option<&str>,
) -> Result<Vec<&'static rustls::SupportedProtocolVersion>, String> {
    // rustls speaks TLS 1.2 and 1.3; libpq's default minimum is 1.2.
    fn rank(v: &str, which: &str) -> Result<u8, String> {
        match v {
            "TLSv1" | "TLSv1.1" => Err(format!(
                "{which}={v}: TLS versions before 1.2 are not supported (TLSv1.2 or TLSv1.3)"
            )),
            "TLSv1.2" => Ok(2),
            "TLSv1.3" => Ok(3),
            other => Err(format!("invalid {which} value: \"{other}\"")),
        }
    }
    let lo = match min.filter(|m| !m.is_empty()) {
        Some(m) => rank(m, "ssl_min_protocol_version")?,
        None => 2,
    };
    let hi = match max.filter(|m| !m.is_empty()) {
        Some(m) => rank(m, "ssl_max_protocol_version")?,
        None => 3,
    };
    if lo > hi {
        return Err("invalid SSL protocol version range: the minimum is above the maximum".into());
    }
    let mut v = Vec::new();
    if lo <= 2 {
        v.push(&rustls::version::TLS12);
    }
    if hi >= 3 {
        v.push(&rustls::version::TLS13);
    }
    Ok(v)
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .map_err(|e| {
            format!(
                "could not read certificate file \"{}\": {e}",
                path.display()
            )
        })?
        .collect::<Result<_, _>>()
        .map_err(|e| {
            format!(
                "could not read certificate file \"{}\": {e}",
                path.display()
            )
        })?;
    if certs.is_empty() {
        return Err(format!(
            "certificate file \"{}\" holds no PEM certificate",
            path.display()
        ));
    }
    Ok(certs)
}

fn root_store_from(path: &Path) -> Result<rustls::RootCertStore, String> {
    let mut roots = rustls::RootCertStore::empty();
    for c in read_certs(path)? {
        roots.add(c).map_err(|e| {
            format!(
                "could not use root certificate file \"{}\": {e}",
                path.display()
            )
        })?;
    }
    Ok(roots)
}

fn system_root_store() -> Result<rustls::RootCertStore, String> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = rustls::RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        let why = found
            .errors
            .first()
            .map(|e| format!(": {e}"))
            .unwrap_or_default();
        return Err(format!(
            "sslrootcert=system: no trusted root certificates were found on this system{why}"
        ));
    }
    Ok(roots)
}

fn read_crls(path: &Path) -> Result<Vec<CertificateRevocationListDer<'static>>, String> {
    CertificateRevocationListDer::pem_file_iter(path)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| {
            format!(
                "could not read certificate revocation list \"{}\": {e}",
                path.display()
            )
        })
}

/// libpq refuses a private key others may read.
fn check_key_permissions(path: &Path) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).map_err(|e| {
            format!(
                "could not read private key file \"{}\": {e}",
                path.display()
            )
        })?;
        if !meta.is_file() {
            return Err(format!(
                "private key file \"{}\" is not a regular file",
                path.display()
            ));
        }
        let mode = meta.mode();
        let too_open = if meta.uid() == 0 {
            mode & 0o137 != 0
        } else {
            mode & 0o077 != 0
        };
        if too_open {
            return Err(format!(
                "private key file \"{}\" has group or world access; it must have permissions \
                 u=rw (0600) or less if owned by the current user, or u=rw,g=r (0640) or less \
                 if owned by root",
                path.display()
            ));
        }
    }
    Ok(())
}

/// The server's certificate checked as the mode asks: the chain against the
/// roots (when there are roots), the host name only for verify-full.
/// Handshake signatures are always verified.
#[derive(Debug)]
struct Verifier {
    chain: Option<Arc<WebPkiServerVerifier>>,
    host_name: bool,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, TlsError> {
        let Some(chain) = &self.chain else {
            return Ok(ServerCertVerified::assertion());
        };
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            // The name is checked last, once the chain is good: verify-ca
            // accepts a certificate for another name.
            Err(TlsError::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if !self.host_name => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_parameters_leave_the_url() {
        let (rest, p) = take_tls_params(
            "postgres://u:pw@h:5/db?sslmode=verify-full&application_name=x&sslrootcert=%2Ftmp%2Fca.pem",
        )
        .unwrap();
        assert_eq!(rest, "postgres://u:pw@h:5/db?application_name=x");
        assert_eq!(p.sslmode.as_deref(), Some("verify-full"));
        assert_eq!(p.sslrootcert.as_deref(), Some("/tmp/ca.pem"));
        let (rest, p) = take_tls_params("postgres://h/db?sslmode=require").unwrap();
        assert_eq!(rest, "postgres://h/db");
        assert_eq!(p.sslmode.as_deref(), Some("require"));
        let (rest, p) = take_tls_params("postgres://h/db").unwrap();
        assert_eq!(
            (rest.as_str(), p),
            ("postgres://h/db", TlsParams::default())
        );
    }

    #[test]
    fn tls_parameters_leave_key_value_strings() {
        let (rest, p) = take_tls_params(
            "host=h  sslmode = verify-ca dbname='my db' sslcert='/a b/c.crt' user=u",
        )
        .unwrap();
        assert_eq!(rest, "host=h dbname='my db' user=u");
        assert_eq!(p.sslmode.as_deref(), Some("verify-ca"));
        assert_eq!(p.sslcert.as_deref(), Some("/a b/c.crt"));
        assert!(take_tls_params("host=h sslmode='x").is_err());
        assert!(take_tls_params("host").is_err());
    }

    #[test]
    fn the_environment_fills_only_what_the_string_leaves() {
        let env = |v: &str| match v {
            "PGSSLMODE" => Some("verify-full".to_string()),
            "PGSSLROOTCERT" => Some("/env/root.crt".to_string()),
            _ => None,
        };
        let p = TlsParams {
            sslmode: Some("require".into()),
            ..TlsParams::default()
        }
        .with_environment(&env);
        assert_eq!(p.sslmode.as_deref(), Some("require"));
        assert_eq!(p.sslrootcert.as_deref(), Some("/env/root.crt"));
    }

    fn plan_err(p: TlsParams) -> String {
        match plan_with(p, None) {
            Ok(_) => panic!("expected an error"),
            Err(e) => e,
        }
    }

    #[test]
    fn modes_are_libpqs() {
        let none = tempfile::tempdir().unwrap();
        let p = plan_with(TlsParams::default(), Some(none.path())).unwrap();
        assert_eq!(p.mode, SslMode::Prefer);
        assert!(p.config.is_some());
        let p = plan_with(
            TlsParams {
                sslmode: Some("disable".into()),
                ..TlsParams::default()
            },
            None,
        )
        .unwrap();
        assert!(p.config.is_none());
        let e = plan_err(TlsParams {
            sslmode: Some("verify-full".into()),
            sslrootcert: Some(none.path().join("missing.crt").display().to_string()),
            ..TlsParams::default()
        });
        assert!(
            e.contains("missing.crt") && e.contains("does not exist"),
            "{e}"
        );
        let e = plan_err(TlsParams {
            sslmode: Some("require".into()),
            sslrootcert: Some("system".into()),
            ..TlsParams::default()
        });
        assert!(e.contains("weak sslmode \"require\""), "{e}");
        assert!(plan_err(TlsParams {
            sslmode: Some("sometimes".into()),
            ..TlsParams::default()
        })
        .contains("invalid sslmode value: \"sometimes\""));
        assert!(plan_err(TlsParams {
            ssl_min_protocol_version: Some("TLSv1.3".into()),
            ssl_max_protocol_version: Some("TLSv1.2".into()),
            ..TlsParams::default()
        })
        .contains("minimum is above the maximum"));
        assert!(plan_err(TlsParams {
            sslcert: Some(none.path().join("c.crt").display().to_string()),
            ..TlsParams::default()
        })
        .contains("could not open certificate file"));
    }
}
