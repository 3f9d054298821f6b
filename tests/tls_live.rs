//! TLS as libpq does it, against a private cluster with `ssl = on` and a CA
//! this test makes (openssl): every `sslmode`, root certificates from a file
//! or the `PGSSL*` variables, a host-name mismatch refused under
//! verify-full and accepted under verify-ca and require, client
//! certificates, and a server that speaks no TLS. Both the library
//! (`strata::conn::connect`, which generated code and every command use)
//! and the real binary are driven.

use crate::support;

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

/// The fenced blocks of a README section, in order: `(language, text)`.
fn readme_blocks(section: &str) -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(support::repo_root().join("README.md")).unwrap();
    let start = readme
        .find(&format!("\n## {section}\n"))
        .unwrap_or_else(|| panic!("README has no section {section}"));
    let body = &readme[start + 1..];
    let end = body[3..].find("\n## ").map_or(body.len(), |i| i + 3);
    let mut blocks = Vec::new();
    let mut lines = body[..end].lines();
    while let Some(line) = lines.next() {
        if let Some(lang) = line.strip_prefix("```") {
            let mut text = String::new();
            for l in lines.by_ref() {
                if l.starts_with("```") {
                    break;
                }
                text.push_str(l);
                text.push('\n');
            }
            blocks.push((lang.to_string(), text));
        }
    }
    blocks
}

/// A bash script run in `dir` with the strata binary first on PATH.
fn run_script(dir: &Path, script: &str, env: &[(&str, String)]) -> Output {
    let bin_dir = support::strata_bin().parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.args(["-euo", "pipefail", "-c", script])
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run bash")
}

/// The README's getting-started path, run as written on a new crate: `cargo
/// new` and `strata init`, the dependency lines, the macro, a table,
/// `strata new`, `strata check`, `cargo build` (the macro proves the same
/// and generates the models, and the README's query compiles against
/// them), then `strata migrate` and `strata drift` over TLS with
/// `sslmode=verify-full` against a private cluster — each step first time.
/// Only the URL is the test's (the README's names a host of its own).
#[test]
fn the_readme_getting_started_runs_as_written() {
    let blocks = readme_blocks("Getting started");
    let block = |lang: &str, needle: &str| -> String {
        blocks
            .iter()
            .find(|(l, t)| l == lang && t.contains(needle))
            .map(|(_, t)| t.clone())
            .unwrap_or_else(|| panic!("README's getting started has no {lang} block with {needle}"))
    };
    let pki = Pki::make();
    let cluster = tls_cluster(&pki);
    let work = tempfile::tempdir().unwrap();
    let repo = support::repo_root();

    // `cargo new --lib blog && cd blog && strata init`
    let console = block("console", "strata init");
    let init = console
        .lines()
        .find_map(|l| l.strip_prefix("$ "))
        .expect("the console line");
    let o = run_script(work.path(), init, &[]);
    assert!(
        o.status.success(),
        "{init}\n{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    let blog = work.path().join("blog");
    let said = format!("{}{}", text(&o.stdout), text(&o.stderr));
    let strata_dir = repo.join("strata");
    assert!(
        said.contains(&format!("path = {:?}", strata_dir.display().to_string())),
        "strata init names the library's path:\n{said}"
    );
    for f in ["strata.toml", "schema/schema.sql", "build.rs"] {
        assert!(blog.join(f).is_file(), "strata init wrote no {f}:\n{said}");
    }

    // The dependency lines, with the path of this clone.
    let deps = block("toml", "package = \"pgstrata\"")
        .replace("/path/to/strata/strata", &strata_dir.display().to_string());
    let manifest = std::fs::read_to_string(blog.join("Cargo.toml")).unwrap();
    let manifest = manifest.replace(
        "[dependencies]\n",
        deps.strip_prefix("[dependencies]\n")
            .map_or(deps.clone(), |d| format!("[dependencies]\n{d}"))
            .as_str(),
    );
    std::fs::write(blog.join("Cargo.toml"), manifest).unwrap();
    // The same versions as this workspace, so the build needs no network.
    std::fs::copy(repo.join("Cargo.lock"), blog.join("Cargo.lock")).unwrap();

    // src/lib.rs: the macro, and the README's query in a function.
    let query = block("rust", "PostTable::select()");
    let lib = format!(
        "{}\npub async fn latest(client: tokio_postgres::Client) -> Result<Vec<post::Post>, Box<dyn std::error::Error>> {{\n{query}    Ok(posts)\n}}\n",
        block("rust", "strata::schema!")
    );
    std::fs::write(blog.join("src/lib.rs"), lib).unwrap();

    // The steps, with this cluster's URL for the README's.
    let url = format!(
        "postgres://postgres@localhost:{}/postgres?sslmode=verify-full&sslrootcert={}",
        cluster.port,
        pki.arg("ca.crt")
    );
    let steps = block("sh", "strata new create_post");
    let steps: String = steps
        .lines()
        .map(|l| {
            if l.starts_with("export DATABASE_URL=") {
                format!("export DATABASE_URL='{url}'")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        steps.contains(&url),
        "the README sets DATABASE_URL:\n{steps}"
    );
    // The workspace's own target folder: the dependencies the tests were
    // built with are built already.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.join("target"));
    let o = run_script(
        &blog,
        &steps,
        &[
            ("CARGO_TARGET_DIR", target.display().to_string()),
            ("CARGO_NET_OFFLINE", "true".to_string()),
        ],
    );
    let said = format!("{}{}", text(&o.stdout), text(&o.stderr));
    assert!(o.status.success(), "{steps}\n---\n{said}");
    assert!(
        blog.join("migrations/V1__create_post.sql").is_file(),
        "{said}"
    );
    assert!(said.contains("in step"), "{said}");
    assert!(said.contains("no drift"), "{said}");
    // The migration ran over TLS: the table is there.
    let tables = cluster
        .psql(
            "postgres",
            "SELECT count(*) FROM pg_class WHERE relname = 'post'",
        )
        .unwrap();
    assert!(tables.contains('1'), "{tables}");
}
