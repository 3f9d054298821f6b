//! TLS as libpq does it, against a private cluster with `ssl = on` and a CA
//! this test makes (openssl): every `sslmode`, root certificates from a file
//! or the `PGSSL*` variables, a host-name mismatch refused under
//! verify-full and accepted under verify-ca and require, client
//! certificates, and a server that speaks no TLS. Both the library
//! (`strata::conn::connect`, which generated code and every command use)
//! and the real binary are driven.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::cluster::PrivateCluster;

/// A certificate authority, a server certificate for `localhost` only, a
/// client certificate for role `certuser`, and a second, unrelated CA.
struct Pki {
    dir: tempfile::TempDir,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the TLS tests make their certificates with the openssl command");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Pki {
    fn make() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for ca in ["ca", "other-ca"] {
            openssl(
                d,
                &[
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-days",
                    "2",
                    "-keyout",
                    &format!("{ca}.key"),
                    "-out",
                    &format!("{ca}.crt"),
                    "-subj",
                    &format!("/CN=strata test {ca}"),
                    "-addext",
                    "basicConstraints=critical,CA:TRUE",
                    "-addext",
                    "keyUsage=critical,keyCertSign,cRLSign",
                ],
            );
        }
        std::fs::write(
            d.join("server.ext"),
            "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        std::fs::write(d.join("client.ext"), "extendedKeyUsage=clientAuth\n").unwrap();
        for (name, cn) in [("server", "localhost"), ("client", "certuser")] {
            openssl(
                d,
                &[
                    "req",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-keyout",
                    &format!("{name}.key"),
                    "-out",
                    &format!("{name}.csr"),
                    "-subj",
                    &format!("/CN={cn}"),
                ],
            );
            openssl(
                d,
                &[
                    "x509",
                    "-req",
                    "-in",
                    &format!("{name}.csr"),
                    "-CA",
                    "ca.crt",
                    "-CAkey",
                    "ca.key",
                    "-CAcreateserial",
                    "-days",
                    "2",
                    "-extfile",
                    &format!("{name}.ext"),
                    "-out",
                    &format!("{name}.crt"),
                ],
            );
        }
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(d.join("client.key"), std::fs::Permissions::from_mode(0o600))
            .unwrap();
        Pki { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn arg(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }
}

const HBA: &str = "local all all trust\n\
                   hostssl all certuser 127.0.0.1/32 cert\n\
                   hostssl all all 127.0.0.1/32 trust\n\
                   hostnossl all all 127.0.0.1/32 reject\n";

fn tls_cluster(pki: &Pki) -> PrivateCluster {
    let cluster = PrivateCluster::start("trust");
    cluster.enable_tls(
        &pki.path("server.crt"),
        &pki.path("server.key"),
        &pki.path("ca.crt"),
        HBA,
    );
    cluster
        .psql("postgres", "CREATE ROLE certuser LOGIN")
        .expect("create certuser");
    cluster
}

/// `postgres://USER@HOST:PORT/postgres?QUERY`.
fn url(cluster: &PrivateCluster, user: &str, host: &str, query: &str) -> String {
    let mut u = format!("postgres://{user}@{host}:{}/postgres", cluster.port);
    if !query.is_empty() {
        u.push('?');
        u.push_str(query);
    }
    u
}

/// Connects with the library; on success, whether the session is
/// encrypted (the server's `pg_stat_ssl`).
async fn encrypted(url: &str) -> Result<bool, String> {
    let session = strata::conn::connect(url)
        .await
        .map_err(|e| format!("{e} ({})", miette_help(&e)))?;
    let ssl: bool = session
        .client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .map_err(|e| e.to_string())?
        .get(0);
    session.close().await;
    Ok(ssl)
}

fn miette_help(e: &strata::conn::ConnectError) -> String {
    use miette::Diagnostic;
    e.help().map(|h| h.to_string()).unwrap_or_default()
}

/// The real binary: `strata inspect --database-url URL`, with HOME pointed
/// at `home` (so `~/.postgresql/` is under the test's control) and `env`.
fn inspect_cli(url: &str, home: &Path, env: &[(&str, String)]) -> Output {
    let mut cmd = Command::new(support::strata_bin());
    cmd.args(["inspect", "--database-url", url])
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL");
    for var in [
        "PGSSLMODE",
        "PGSSLROOTCERT",
        "PGSSLCERT",
        "PGSSLKEY",
        "PGSSLCRL",
        "PGSSLSNI",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run strata")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sslmodes_behave_as_libpqs() {
    let pki = Pki::make();
    let cluster = tls_cluster(&pki);
    let ca = format!("sslrootcert={}", pki.arg("ca.crt"));
    let other = format!("sslrootcert={}", pki.arg("other-ca.crt"));

    // The cluster rejects plain text: disable fails, everything else is TLS.
    let e = encrypted(&url(&cluster, "postgres", "127.0.0.1", "sslmode=disable"))
        .await
        .expect_err("hostnossl … reject");
    assert!(e.contains("no encryption"), "{e}");
    for query in [
        "sslmode=allow".to_string(),
        "sslmode=prefer".to_string(),
        "sslmode=require".to_string(),
        format!("sslmode=verify-ca&{ca}"),
    ] {
        let got = encrypted(&url(&cluster, "postgres", "127.0.0.1", &query)).await;
        assert_eq!(got, Ok(true), "{query}");
    }

    // The certificate names localhost, not 127.0.0.1: verify-full refuses
    // the address and accepts the name.
    let e = encrypted(&url(
        &cluster,
        "postgres",
        "127.0.0.1",
        &format!("sslmode=verify-full&{ca}"),
    ))
    .await
    .expect_err("host name mismatch under verify-full");
    assert!(e.contains("not valid for name"), "{e}");
    assert_eq!(
        encrypted(&url(
            &cluster,
            "postgres",
            "localhost",
            &format!("sslmode=verify-full&{ca}")
        ))
        .await,
        Ok(true)
    );
    // Another CA's root: the chain does not verify, under verify-ca or
    // require with a root file named (libpq checks the chain whenever it
    // has roots).
    for mode in ["verify-ca", "verify-full", "require"] {
        let e = encrypted(&url(
            &cluster,
            "postgres",
            "localhost",
            &format!("sslmode={mode}&{other}"),
        ))
        .await
        .expect_err("unknown issuer");
        assert!(
            e.contains("UnknownIssuer") || e.contains("unknown issuer"),
            "{mode}: {e}"
        );
    }
    // verify-* without a root file names the file and the ways out.
    let missing = pki.path("missing.crt");
    let e = encrypted(&url(
        &cluster,
        "postgres",
        "localhost",
        &format!("sslmode=verify-ca&sslrootcert={}", missing.display()),
    ))
    .await
    .expect_err("no root file");
    assert!(
        e.contains("missing.crt") && e.contains("sslrootcert=system"),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_certificates_authenticate() {
    let pki = Pki::make();
    let cluster = tls_cluster(&pki);
    let certs = format!(
        "sslmode=verify-full&sslrootcert={}&sslcert={}&sslkey={}",
        pki.arg("ca.crt"),
        pki.arg("client.crt"),
        pki.arg("client.key")
    );
    assert_eq!(
        encrypted(&url(&cluster, "certuser", "localhost", &certs)).await,
        Ok(true)
    );
    // Without the certificate, `cert` authentication fails.
    let e = encrypted(&url(
        &cluster,
        "certuser",
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={}", pki.arg("ca.crt")),
    ))
    .await
    .expect_err("cert auth without a certificate");
    assert!(e.contains("requires a valid client certificate"), "{e}");
    // A key others may read is refused before connecting, as libpq does.
    let open_key = pki.path("open.key");
    std::fs::copy(pki.path("client.key"), &open_key).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&open_key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = encrypted(&url(
        &cluster,
        "certuser",
        "localhost",
        &format!(
            "sslmode=require&sslcert={}&sslkey={}",
            pki.arg("client.crt"),
            open_key.display()
        ),
    ))
    .await
    .expect_err("world-readable key");
    assert!(e.contains("group or world access"), "{e}");
}

/// The binary reads libpq's variables and `~/.postgresql/`, and its error
/// for a refused certificate names the problem without the URL.
#[test]
fn the_cli_reads_pgssl_variables_and_the_default_files() {
    let pki = Pki::make();
    let cluster = tls_cluster(&pki);
    let home = tempfile::tempdir().unwrap();
    let ok = |o: &Output| {
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        assert!(text(&o.stdout).contains("CREATE") || text(&o.stdout).contains("--"));
    };
    // PGSSLMODE / PGSSLROOTCERT.
    let by_name = url(&cluster, "postgres", "localhost", "");
    ok(&inspect_cli(
        &by_name,
        home.path(),
        &[
            ("PGSSLMODE", "verify-full".to_string()),
            ("PGSSLROOTCERT", pki.arg("ca.crt")),
        ],
    ));
    // The URL wins over the variables; with a root file, require checks the
    // chain but not the name (libpq's rule), verify-full both.
    let roots = ("PGSSLROOTCERT", pki.arg("ca.crt"));
    ok(&inspect_cli(
        &url(&cluster, "postgres", "127.0.0.1", "sslmode=require"),
        home.path(),
        &[("PGSSLMODE", "verify-full".to_string()), roots.clone()],
    ));
    let by_address = url(&cluster, "postgres", "127.0.0.1", "sslmode=verify-full");
    let o = inspect_cli(
        &by_address,
        home.path(),
        &[("PGSSLMODE", "require".to_string()), roots.clone()],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("not valid for name"),
        "{}",
        text(&o.stderr)
    );
    assert!(
        !text(&o.stderr).contains(&by_address),
        "{}",
        text(&o.stderr)
    );
    // No root file at all: verify-full names ~/.postgresql/root.crt …
    let o = inspect_cli(
        &by_name,
        home.path(),
        &[("PGSSLMODE", "verify-full".to_string())],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("root.crt"), "{}", text(&o.stderr));
    // … and once it is there (with the client certificate beside it, as
    // libpq finds them), verify-full and certificate login just work.
    let dot = home.path().join(".postgresql");
    std::fs::create_dir(&dot).unwrap();
    std::fs::copy(pki.path("ca.crt"), dot.join("root.crt")).unwrap();
    std::fs::copy(pki.path("client.crt"), dot.join("postgresql.crt")).unwrap();
    std::fs::copy(pki.path("client.key"), dot.join("postgresql.key")).unwrap();
    ok(&inspect_cli(
        &url(&cluster, "certuser", "localhost", "sslmode=verify-full"),
        home.path(),
        &[],
    ));
}

/// A server that speaks no TLS (the recording proxy answers `N`): prefer
/// goes on in plain text, require refuses with a message that says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_tls() {
    let proxy = support::wire::start_proxy(support::wire::upstream());
    let base = format!("postgres://postgres@127.0.0.1:{}/postgres", proxy.port);
    assert_eq!(
        encrypted(&format!("{base}?sslmode=prefer")).await,
        Ok(false)
    );
    assert_eq!(encrypted(&base).await, Ok(false), "prefer is the default");
    let e = encrypted(&format!("{base}?sslmode=require"))
        .await
        .expect_err("require against a server without TLS");
    assert!(e.contains("does not accept TLS"), "{e}");
}
