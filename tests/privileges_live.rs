//! Privileges against the real server: offline replay of GRANT, REVOKE and
//! ALTER DEFAULT PRIVILEGES builds the ACLs the server builds; a privilege
//! changed out of band on any kind of object is drift marked security;
//! inspect's SQL and plans are judged by `pg_dump -s`.
//!
//! (Not to be confused with `privilege_live.rs`: inspecting as a role with
//! the least privileges.) Roles are cluster objects: each test creates its
//! own, uniquely named, and drops them after its databases.

use crate::support;
use support::kinds::read;

use support::Roles;

use support::run_strata as strata;

use std::process::Output;

use strata_core::diff::{diff, DiffOptions};
use strata_core::model::{Grantee, Privilege, Schema};
use strata_core::plan::{plan_verified, Hazard, PlanOptions};
use support::judge::{fresh_db, plan_converges, same_dump};
use support::{psql_apply_sql, unique_name, TestDb};

/// Every kind of object with privileges: tables (and a column), a view and
/// its column, a materialized view, sequences (one a serial's), functions
/// and a procedure, schemas, an enum, a domain, a composite type, default
/// privileges global and per schema (applied to objects created after
/// them); grant options, revokes of grant options, revokes from the owner,
/// `ALL TABLES IN SCHEMA`, a role named with a capital letter.
fn fixture(r: &Roles) -> String {
    let (r1, r2) = (&r.0[0], &r.0[1]);
    format!(
        r#"
CREATE SCHEMA app;
CREATE TABLE app.account (id serial PRIMARY KEY, email text, secret text);
CREATE TABLE app.audit (at timestamptz);
CREATE VIEW app.account_v AS SELECT id, email FROM app.account;
CREATE MATERIALIZED VIEW app.counts AS SELECT id FROM app.account;
GRANT SELECT ON app.counts TO PUBLIC;
CREATE SEQUENCE app.ticket;
CREATE FUNCTION app.uid() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
CREATE PROCEDURE app.tidy() LANGUAGE sql AS $$ SELECT 1 $$;
CREATE TYPE app.mood AS ENUM ('ok', 'sad');
CREATE DOMAIN app.positive AS integer CHECK (VALUE > 0);
CREATE TYPE app.pair AS (a integer, b integer);
GRANT USAGE ON SCHEMA app TO {r1}, "{r2}";
GRANT SELECT, INSERT ON app.account TO {r1} WITH GRANT OPTION;
REVOKE GRANT OPTION FOR INSERT ON app.account FROM {r1};
GRANT SELECT (id, email), UPDATE (email) ON app.account TO "{r2}";
GRANT SELECT ON ALL TABLES IN SCHEMA app TO "{r2}";
REVOKE SELECT ON app.audit FROM "{r2}";
GRANT SELECT (email) ON app.account_v TO {r1};
REVOKE TRUNCATE ON app.audit FROM CURRENT_USER;
GRANT USAGE ON SEQUENCE app.account_id_seq TO {r1};
GRANT ALL ON SEQUENCE app.ticket TO PUBLIC;
REVOKE EXECUTE ON FUNCTION app.uid() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.uid TO {r1};
REVOKE ALL ON PROCEDURE app.tidy FROM PUBLIC;
REVOKE USAGE ON TYPE app.mood FROM PUBLIC;
GRANT USAGE ON TYPE app.mood TO {r1};
GRANT USAGE ON DOMAIN app.positive TO {r1} WITH GRANT OPTION;
REVOKE USAGE ON TYPE app.pair FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT CREATE ON SCHEMA public TO {r1};
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO {r1};
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT INSERT ON TABLES TO "{r2}";
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES GRANT USAGE ON SEQUENCES TO {r1};
ALTER DEFAULT PRIVILEGES GRANT USAGE ON TYPES TO {r1};
ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO {r1};
ALTER DEFAULT PRIVILEGES FOR ROLE {r1} IN SCHEMA app GRANT SELECT ON TABLES TO "{r2}";
ALTER DEFAULT PRIVILEGES FOR ROLE {r1} REVOKE EXECUTE ON ROUTINES FROM PUBLIC;
GRANT SELECT ON ALL SEQUENCES IN SCHEMA app TO "{r2}";
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA app TO "{r2}";
REVOKE ALL ON ALL PROCEDURES IN SCHEMA app FROM "{r2}" CASCADE;
CREATE SCHEMA later;
CREATE TABLE app.created_after (id serial);
CREATE TABLE later.elsewhere (id integer);
CREATE FUNCTION app.after() RETURNS integer LANGUAGE sql AS $$ SELECT 2 $$;
CREATE TYPE app.after_enum AS ENUM ('x');
GRANT role_that_is_not_an_object_grant_check TO nobody_here;
"#
    )
    .replace(
        "GRANT role_that_is_not_an_object_grant_check TO nobody_here;\n",
        &format!("GRANT {r1} TO \"{r2}\";\n"),
    )
}

fn offline(sql: &str) -> Schema {
    let text: std::sync::Arc<str> = std::sync::Arc::from(sql);
    strata_core::replay::replay_texts([("fixture.sql", &text)])
        .unwrap_or_else(|e| panic!("the fixture replays offline: {e:?}"))
        .schema
}

/// Two roles, the second with upper case letters, so that quoting is
/// exercised.
fn mixed_roles() -> Roles {
    let names = vec![
        unique_name("strata_priv_role"),
        format!("{}_Up", unique_name("strata_priv_role")),
    ];
    for r in &names {
        support::admin_execute_blocking(&format!("CREATE ROLE {}", support::quote_ident(r)))
            .unwrap_or_else(|e| panic!("cannot create role {r}: {e}"));
    }
    Roles(names)
}

/// Drops every privilege the roles hold in a database, so that the
/// database and then the roles can be dropped.
fn release(db: &TestDb, roles: &Roles) {
    let owned: Vec<String> = roles.0.iter().map(|r| support::quote_ident(r)).collect();
    let _ = psql_apply_sql(
        &db.url,
        &format!("DROP OWNED BY {}", owned.join(", ")),
        true,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_replay_builds_the_acls_the_server_builds() {
    let roles = mixed_roles();
    let sql = fixture(&roles);
    let db = TestDb::create("strata_privileges").await;
    psql_apply_sql(&db.url, &sql, true).unwrap();
    let server = read(&db.url).await;
    let account = server.table("app", "account").expect("account");
    let acl = account.acl.as_ref().expect("account has grants");
    let r1 = Grantee::Role(roles.0[0].clone());
    assert!(acl.get(&r1, Privilege::Select).unwrap().grantable);
    assert!(!acl.get(&r1, Privilege::Insert).unwrap().grantable);
    assert!(acl.get(&Grantee::Owner, Privilege::Truncate).is_some());
    let email = account
        .column("email")
        .unwrap()
        .acl
        .as_ref()
        .expect("email acl");
    assert!(email
        .get(&Grantee::Role(roles.0[1].clone()), Privilege::Update)
        .is_some());
    assert!(!server.default_privileges.is_empty());

    let replayed = offline(&sql);
    let differences = diff(&replayed, &server, DiffOptions::default());
    assert!(
        differences.is_empty(),
        "offline and server differ:\n{}",
        differences
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );

    // inspect → SQL → apply: pg_dump -s of the copy is the original's.
    let written = strata_core::ddl::schema_sql(&server);
    let copy = fresh_db("strata_privileges_copy");
    psql_apply_sql(&copy.url, &written, true)
        .unwrap_or_else(|e| panic!("the written schema does not apply: {e}\n{written}"));
    let (same, d) = same_dump(&db.url, &copy.url).unwrap();
    assert!(same, "pg_dump -s differs:\n{d}\n--- written:\n{written}");
    let again = read(&copy.url).await;
    let differences = diff(&server, &again, DiffOptions::default());
    assert!(differences.is_empty(), "{differences:#?}");
    let files = fresh_db("strata_privileges_files");
    for (name, text) in strata_core::ddl::schema_files(&server) {
        psql_apply_sql(&files.url, &text, true)
            .unwrap_or_else(|e| panic!("{name} does not apply: {e}\n{text}"));
    }
    let (same, d) = same_dump(&db.url, &files.url).unwrap();
    assert!(same, "pg_dump -s differs (folder form):\n{d}");
    for x in [&db, &copy, &files] {
        release(x, &roles);
    }
    drop((db, copy, files));
}

fn shown(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn declared(sql: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("strata.toml"), "").expect("strata.toml");
    std::fs::write(dir.path().join("schema.sql"), sql).expect("schema.sql");
    dir
}

/// One object of each kind, with a grant or two.
fn base(r: &Roles) -> String {
    let r1 = &r.0[0];
    format!(
        r#"CREATE SCHEMA app;
CREATE TABLE app.account (id integer PRIMARY KEY, email text);
CREATE VIEW app.v AS SELECT id FROM app.account;
CREATE SEQUENCE app.ticket;
CREATE FUNCTION app.uid() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
CREATE TYPE app.mood AS ENUM ('ok');
CREATE DOMAIN app.positive AS integer;
CREATE TYPE app.pair AS (a integer);
GRANT USAGE ON SCHEMA app TO {r1};
GRANT SELECT ON app.account TO {r1};
"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_privilege_changed_out_of_band_is_security_drift() {
    let roles = Roles::create("strata_priv_role", 1);
    let r1 = roles.0[0].clone();
    let sql = base(&roles);
    let dir = declared(&sql);
    let drift = |url: &str, extra: &[&str]| {
        let mut args = vec!["drift", "--against", "schema.sql", "--database-url", url];
        args.extend(extra);
        strata(dir.path(), &args)
    };
    let db = TestDb::create("strata_privileges_drift").await;
    psql_apply_sql(&db.url, &sql, true).unwrap();
    let o = drift(&db.url, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", shown(&o));
    release(&db, &roles);
    drop(db);
    let cases: Vec<(String, String)> = vec![
        (
            "GRANT ALL ON app.account TO PUBLIC".into(),
            "table app.account: privilege INSERT of PUBLIC differs".into(),
        ),
        (
            "REVOKE TRUNCATE ON app.account FROM CURRENT_USER".into(),
            "table app.account: privilege TRUNCATE of the owner differs".into(),
        ),
        (
            format!("GRANT SELECT ON app.account TO {r1} WITH GRANT OPTION"),
            format!("table app.account: privilege SELECT of role {r1} differs"),
        ),
        (
            format!("GRANT UPDATE (email) ON app.account TO {r1}"),
            format!("column app.account.email: privilege UPDATE of role {r1} differs"),
        ),
        (
            "GRANT SELECT ON app.v TO PUBLIC".into(),
            "view app.v: privilege SELECT of PUBLIC differs".into(),
        ),
        (
            "GRANT USAGE ON SEQUENCE app.ticket TO PUBLIC".into(),
            "sequence app.ticket: privilege USAGE of PUBLIC differs".into(),
        ),
        (
            "REVOKE EXECUTE ON FUNCTION app.uid() FROM PUBLIC".into(),
            "function app.uid(): privilege EXECUTE of PUBLIC differs".into(),
        ),
        (
            format!("GRANT CREATE ON SCHEMA app TO {r1}"),
            format!("schema app: privilege CREATE of role {r1} differs"),
        ),
        (
            "REVOKE USAGE ON SCHEMA public FROM PUBLIC".into(),
            "schema public: privilege USAGE of PUBLIC differs".into(),
        ),
        (
            "REVOKE USAGE ON TYPE app.mood FROM PUBLIC".into(),
            "enum app.mood: privilege USAGE of PUBLIC differs".into(),
        ),
        (
            format!("GRANT USAGE ON DOMAIN app.positive TO {r1}"),
            format!("domain app.positive: privilege USAGE of role {r1} differs"),
        ),
        (
            "REVOKE USAGE ON TYPE app.pair FROM PUBLIC".into(),
            "type app.pair: privilege USAGE of PUBLIC differs".into(),
        ),
        (
            "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC".into(),
            "default privileges on tables for the owner: privilege SELECT of PUBLIC differs".into(),
        ),
        (
            format!("ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT EXECUTE ON FUNCTIONS TO {r1}"),
            format!("default privileges on functions in schema app for the owner: privilege EXECUTE of role {r1} differs"),
        ),
    ];
    for (injected, what) in &cases {
        let db = TestDb::create("strata_privileges_drift").await;
        psql_apply_sql(&db.url, &sql, true).unwrap();
        psql_apply_sql(&db.url, injected, true).unwrap();
        let o = drift(&db.url, &[]);
        let out = shown(&o);
        assert_eq!(o.status.code(), Some(1), "{injected}: {out}");
        let line = format!("[security] {what}");
        assert!(
            out.contains(&line),
            "{injected}: expected {line:?} in:\n{out}"
        );
        let o = drift(&db.url, &["--fail-on", "security", "--format", "github"]);
        let out = shown(&o);
        assert_eq!(o.status.code(), Some(1), "{injected}: {out}");
        assert!(out.contains("::error "), "{injected}: {out}");
        assert!(out.contains("%2C security%3A"), "{injected}: {out}");
        release(&db, &roles);
        drop(db);
    }
}

/// A → B planned offline, applied to A on the server: `pg_dump -s` equals
/// B's (and the other way round).
fn converge(name: &str, a: &str, b: &str) -> Result<(), String> {
    let opts = PlanOptions {
        allow: Hazard::ALL.into_iter().collect(),
        ..PlanOptions::default()
    };
    for (label, from, to) in [("", a, b), (" (reversed)", b, a)] {
        let plan = plan_verified(&offline(from), &offline(to), &opts)
            .map_err(|e| format!("{name}{label}: {e}"))?;
        // B adds privileges: the forward plan writes them.
        assert!(
            !label.is_empty() || plan.sql().contains("GRANT") || plan.sql().contains("REVOKE"),
            "{name}{label}: no privilege step:\n{}",
            plan.sql()
        );
        plan_converges(&format!("{name}{label}"), from, to, &plan)?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn privilege_plans_converge_in_both_directions() {
    let roles = Roles::create("strata_priv_role", 2);
    let (r1, r2) = (&roles.0[0], &roles.0[1]);
    let base = format!(
        "CREATE SCHEMA app;
CREATE TABLE app.account (id integer PRIMARY KEY, email text);
CREATE VIEW app.v AS SELECT id, email FROM app.account;
CREATE SEQUENCE app.ticket;
CREATE FUNCTION app.uid() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
CREATE TYPE app.mood AS ENUM ('ok');
GRANT USAGE ON SCHEMA app TO {r1};
GRANT SELECT ON app.account TO {r1};
"
    );
    let cases: Vec<(&str, String)> = vec![
        (
            "table grants",
            format!("{base}GRANT ALL ON app.account TO {r2} WITH GRANT OPTION;\nREVOKE SELECT ON app.account FROM {r1};\n"),
        ),
        (
            "owner rights reduced",
            format!("{base}REVOKE TRUNCATE, DELETE ON app.account FROM CURRENT_USER;\n"),
        ),
        (
            "column and view column",
            format!("{base}GRANT UPDATE (email) ON app.account TO {r2};\nGRANT SELECT (email) ON app.v TO {r1};\n"),
        ),
        (
            "sequence, function, type, schema",
            format!("{base}GRANT USAGE ON SEQUENCE app.ticket TO PUBLIC;\nREVOKE EXECUTE ON FUNCTION app.uid() FROM PUBLIC;\nGRANT EXECUTE ON FUNCTION app.uid() TO {r2};\nREVOKE USAGE ON TYPE app.mood FROM PUBLIC;\nGRANT CREATE ON SCHEMA app TO {r2};\nREVOKE CREATE ON SCHEMA public FROM PUBLIC;\n"),
        ),
        (
            "default privileges",
            format!("{base}ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO {r1};\nALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT USAGE ON SEQUENCES TO {r2};\nALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;\n"),
        ),
        (
            "new objects with grants",
            format!("{base}CREATE SEQUENCE app.more;\nREVOKE ALL ON SEQUENCE app.more FROM CURRENT_USER;\n"),
        ),
        (
            "view recreated keeps its grants",
            format!("{base}GRANT SELECT ON app.v TO {r2};\n")
                .replace("SELECT id, email FROM", "SELECT email, id FROM"),
        ),
    ];
    let mut failures = Vec::new();
    for (name, b) in &cases {
        if let Err(e) = converge(name, &base, b) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `--role`: the role that runs the migrations owns what they create, so a
/// grant to it by name is the owner's (a no-op here) and `"$user"` in the
/// search path is its schema. The server judges: the history and the
/// declared schema, each applied as that role, dump the same; strata says
/// in step with `--role` and differs without it (grants to another role).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_with_role_reads_grants_and_user_schema_as_the_server_does() {
    let roles = Roles::create("strata_priv_runner", 1);
    let r = roles.0[0].clone();
    let q = support::quote_ident(&r);
    let history = format!(
        "CREATE SCHEMA {q};\n\
         CREATE TABLE t (id integer);\n\
         CREATE TABLE public.p (id integer);\n\
         GRANT SELECT ON public.p TO {q};\n\
         REVOKE UPDATE ON public.p FROM {q};\n"
    );
    let declared_sql = format!(
        "CREATE SCHEMA {q};\n\
         CREATE TABLE {q}.t (id integer);\n\
         CREATE TABLE public.p (id integer);\n\
         REVOKE UPDATE ON public.p FROM CURRENT_USER;\n"
    );
    // The server: each applied as the role.
    let a = TestDb::create("strata_priv_role_hist").await;
    let b = TestDb::create("strata_priv_role_decl").await;
    for (db, sql) in [(&a, &history), (&b, &declared_sql)] {
        let setup = format!(
            "GRANT CREATE ON DATABASE {} TO {q}; GRANT CREATE ON SCHEMA public TO {q};",
            support::quote_ident(&db.name)
        );
        psql_apply_sql(&db.url, &setup, true).unwrap();
        psql_apply_sql(&db.url, &format!("SET ROLE {q};\n{sql}"), true).unwrap();
    }
    let (same, diff_text) = same_dump(&a.url, &b.url).unwrap();
    assert!(same, "the server builds different schemas:\n{diff_text}");
    for db in [&a, &b] {
        release(db, &roles);
    }
    drop((a, b));

    let dir = declared(&declared_sql);
    std::fs::create_dir(dir.path().join("migrations")).unwrap();
    std::fs::write(dir.path().join("migrations/V1__init.sql"), &history).unwrap();
    let check = |extra: &[&str]| {
        let mut args = vec![
            "check",
            "--schema",
            "schema:schema.sql",
            "--migrations",
            "migrations",
        ];
        args.extend(extra);
        strata(dir.path(), &args)
    };
    let o = check(&["--role", &r]);
    assert_eq!(o.status.code(), Some(0), "{}", shown(&o));
    let o = check(&[]);
    assert_eq!(o.status.code(), Some(1), "{}", shown(&o));
    let text = shown(&o);
    assert!(text.contains(&format!("role {r}")), "{text}");
    // strata.toml's `role` does the same as the flag.
    std::fs::write(dir.path().join("strata.toml"), format!("role = \"{r}\"\n")).unwrap();
    let o = check(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", shown(&o));
    let o = check(&["--role", " "]);
    assert_eq!(o.status.code(), Some(2), "{}", shown(&o));
    assert!(shown(&o).contains("--role"), "{}", shown(&o));
}

/// A grant made by a role holding a grant option, not by the owner
/// (`bob=r/alice`): pg_dump writes it under `SET SESSION AUTHORIZATION
/// alice`, so it is a different database from one where the owner granted
/// the same privilege. strata does not model grantors: inspect, drift and
/// diff refuse it (exit 2), naming the object and the grantor, rather than
/// compare the ACL without it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grant_made_by_another_role_than_the_owner_is_refused_by_name() {
    let roles = Roles::create("strata_priv_grantor", 2);
    let (alice, bob) = (
        support::quote_ident(&roles.0[0]),
        support::quote_ident(&roles.0[1]),
    );
    let by_owner = TestDb::create("strata_priv_by_owner").await;
    let by_other = TestDb::create("strata_priv_by_other").await;
    let base =
        format!("CREATE TABLE t (id integer);\nGRANT SELECT ON t TO {alice} WITH GRANT OPTION;\n");
    psql_apply_sql(
        &by_owner.url,
        &format!("{base}GRANT SELECT ON t TO {bob};\n"),
        true,
    )
    .unwrap();
    psql_apply_sql(
        &by_other.url,
        &format!("{base}SET ROLE {alice};\nGRANT SELECT ON t TO {bob};\nRESET ROLE;\n"),
        true,
    )
    .unwrap();
    assert_ne!(
        support::judge::pg_dump(&by_owner.url).unwrap(),
        support::judge::pg_dump(&by_other.url).unwrap(),
        "the server must tell the two grantors apart"
    );
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["inspect", "--database-url", by_other.url.as_str()],
        vec![
            "diff",
            "--from",
            by_owner.url.as_str(),
            "--to",
            by_other.url.as_str(),
        ],
    ] {
        let o = support::run_strata(dir.path(), &args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("public.t") && err.contains(&roles.0[0]) && err.contains("not supported"),
            "{args:?}: the refusal names the table and the grantor: {err}"
        );
    }
}
