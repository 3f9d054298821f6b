//! Owners (`--owners`) against the real server: offline replay gives each
//! object the owner the server gives it (`OWNER TO`, `CREATE SCHEMA …
//! AUTHORIZATION`, `SET ROLE`, a table's owned sequences following it,
//! `CREATE OR REPLACE` keeping it), read back by `strata::inspect`;
//! `strata drift --owners` names an owner changed out of band, as a
//! security difference, and says nothing of it without the flag; `strata
//! diff --owners` plans `ALTER … OWNER TO` that converge by `pg_dump -s`
//! (which prints owners); replay refuses what the server refuses.

use crate::support;
use support::kinds::read;

use std::process::Command;

use strata_core::diff::owner::diff_owners;
use strata_core::model::Schema;
use support::judge::{copy_db, fresh_db, judge_converged};
use support::{current_user, psql_apply_sql, quote_ident, strata_bin, Roles, TestDb};

/// Every kind that has an owner, some given to `alice` or `bob` by each
/// way the server knows, the rest left to the role applying the SQL.
fn fixture(alice: &str, bob: &str) -> String {
    let (a, b) = (quote_ident(alice), quote_ident(bob));
    format!(
        r#"
CREATE SCHEMA app AUTHORIZATION {a};
CREATE SCHEMA {b};
CREATE SCHEMA plain;
CREATE TABLE app.items (id serial PRIMARY KEY, name text, qty int);
ALTER TABLE app.items OWNER TO {a};
CREATE TABLE plain.notes (id bigint GENERATED ALWAYS AS IDENTITY, body text);
CREATE SEQUENCE plain.counter;
ALTER SEQUENCE plain.counter OWNER TO {b};
CREATE VIEW app.names AS SELECT name FROM app.items;
ALTER VIEW app.names OWNER TO {b};
CREATE MATERIALIZED VIEW plain.totals AS SELECT id, body FROM plain.notes;
ALTER MATERIALIZED VIEW plain.totals OWNER TO {a};
CREATE TYPE plain.mood AS ENUM ('ok', 'meh');
ALTER TYPE plain.mood OWNER TO {a};
CREATE TYPE plain.pair AS (x int, y int);
ALTER TYPE plain.pair OWNER TO {b};
CREATE DOMAIN plain.positive AS int CHECK (VALUE > 0);
ALTER DOMAIN plain.positive OWNER TO {a};
CREATE FUNCTION plain.add(a int, b int) RETURNS int LANGUAGE sql AS 'SELECT a + b';
ALTER FUNCTION plain.add(int, int) OWNER TO {b};
CREATE PROCEDURE plain.nop() LANGUAGE sql AS 'SELECT 1';
ALTER PROCEDURE plain.nop() OWNER TO {a};
CREATE AGGREGATE plain.total(int) (SFUNC = int4pl, STYPE = int);
ALTER AGGREGATE plain.total(int) OWNER TO {b};
CREATE OPERATOR plain.<~> (LEFTARG = int, RIGHTARG = int, FUNCTION = plain.add);
ALTER OPERATOR plain.<~> (int, int) OWNER TO {a};
CREATE COLLATION plain.c_copy FROM "C";
ALTER COLLATION plain.c_copy OWNER TO {b};
CREATE STATISTICS plain.notes_stats ON id, body FROM plain.notes;
ALTER STATISTICS plain.notes_stats OWNER TO {a};
CREATE TYPE plain.span AS RANGE (SUBTYPE = int8);
ALTER TYPE plain.span OWNER TO {b};
CREATE PUBLICATION notes_pub FOR TABLE plain.notes;
ALTER PUBLICATION notes_pub OWNER TO {a};
CREATE EXTENSION postgres_fdw;
CREATE SERVER loopback FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1');
ALTER SERVER loopback OWNER TO {b};
GRANT USAGE, CREATE ON SCHEMA {b} TO {b};
SET ROLE {b};
CREATE TABLE {b}.made_as_bob (id int);
CREATE FUNCTION {b}.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
RESET ROLE;
CREATE TABLE plain.after_reset (id int);
CREATE OR REPLACE FUNCTION plain.add(a int, b int) RETURNS int LANGUAGE sql AS 'SELECT a + b + 0';
GRANT SELECT ON app.items TO {a};
GRANT INSERT, UPDATE (body) ON plain.notes TO {b};
ALTER TABLE plain.notes OWNER TO {b};
GRANT USAGE ON TYPE plain.mood TO {a}, {b};
"#
    )
}

/// Grants the fixture needs: `SET ROLE bob` must be allowed, and bob must
/// be able to create in its schema (it owns it, by name).
fn roles() -> Roles {
    Roles::create("strata_owner", 2)
}

fn replay(sql: &str) -> Result<Schema, String> {
    let text: std::sync::Arc<str> = std::sync::Arc::from(sql);
    strata_core::replay::replay_texts([("schema.sql", &text)])
        .map(|r| r.schema)
        .map_err(|e| match e {
            strata_core::Error::Sql(s) => format!("{} [{}]", s.message, s.help.unwrap_or_default()),
            other => format!("{other}"),
        })
}

fn owner_differences(e: &Schema, f: &Schema, implicit: Option<&str>) -> Vec<String> {
    let mut d = Vec::new();
    diff_owners(&mut d, e, f, implicit);
    d.iter().map(|x| x.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_replay_gives_each_object_the_owner_the_server_gives_it() {
    let roles = roles();
    let (alice, bob) = (&roles.0[0], &roles.0[1]);
    let db = TestDb::create("strata_owners_oracle").await;
    let sql = fixture(alice, bob);
    psql_apply_sql(&db.url, &sql, true).unwrap();
    let server = read(&db.url).await;
    let offline = replay(&sql).unwrap();
    let me = current_user();
    // The role applying the SQL owns what the SQL gives no owner.
    assert_eq!(
        owner_differences(&offline, &server, Some(&me)),
        Vec::<String>::new()
    );
    // The owners are really there, read by name.
    let owner = |ns: &str, t: &str| {
        server.namespaces[ns].tables[t]
            .owner
            .role()
            .map(str::to_string)
    };
    assert_eq!(owner("app", "items").as_deref(), Some(alice.as_str()));
    assert_eq!(owner(bob, "made_as_bob").as_deref(), Some(bob.as_str()));
    assert_eq!(owner("plain", "after_reset").as_deref(), Some(me.as_str()));
    // The serial's sequence followed its table.
    assert_eq!(
        server.namespaces["app"].sequences["items_id_seq"]
            .owner
            .role(),
        Some(alice.as_str())
    );
    assert_eq!(
        offline.namespaces["app"].sequences["items_id_seq"]
            .owner
            .role(),
        Some(alice.as_str())
    );
    // CREATE OR REPLACE kept bob as the function's owner.
    assert_eq!(
        offline.namespaces["plain"].routines["add(integer, integer)"]
            .owner
            .role(),
        Some(bob.as_str())
    );
    // Without the role applying it named, the implicit owners differ from
    // the server's named ones: never "in step" by assumption.
    assert!(!owner_differences(&offline, &server, None).is_empty());
    // And everything else agrees, privileges included: a grant to the owner
    // by name is the owner's, and a grant to a role that then became the
    // owner is the owner's too (`aclnewowner`).
    let mut named = offline.clone();
    strata_core::model::acl::name_owner(&mut named, &me);
    let all: Vec<String> = strata_core::diff::diff(&named, &server, Default::default())
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(all, Vec::<String>::new());
    // Owners never enter a comparison that was not asked for.
    let plain = strata_core::diff::diff(&offline, &server, Default::default());
    assert!(
        plain.iter().all(|d| d.field() != Some("owner")),
        "{plain:?}"
    );
    drop(db);
    drop(roles);
}

#[test]
fn replay_refuses_what_the_server_refuses() {
    let roles = roles();
    let bob = &roles.0[0];
    let db = fresh_db("strata_owners_errors");
    let cases = [
        // An owned sequence follows its table only.
        format!(
            "CREATE TABLE t (id serial); ALTER SEQUENCE t_id_seq OWNER TO {};",
            quote_ident(bob)
        ),
        format!("ALTER SCHEMA nope OWNER TO {};", quote_ident(bob)),
        format!("ALTER TYPE nope OWNER TO {};", quote_ident(bob)),
        format!(
            "CREATE TABLE t (id int); ALTER TYPE t OWNER TO {};",
            quote_ident(bob)
        ),
        format!(
            "CREATE TYPE m AS ENUM ('a'); ALTER DOMAIN m OWNER TO {};",
            quote_ident(bob)
        ),
        format!(
            "CREATE TABLE t (id int); ALTER SEQUENCE t OWNER TO {};",
            quote_ident(bob)
        ),
    ];
    for sql in &cases {
        let probe = copy_db("strata_owners_probe", &db);
        let server = psql_apply_sql(&probe.url, sql, true);
        let offline = replay(sql);
        assert!(server.is_err(), "the server accepts {sql}");
        assert!(
            offline.is_err(),
            "replay accepts {sql}; the server: {server:?}"
        );
    }
    drop(db);
    drop(roles);
}

fn strata(args: &[&str]) -> std::process::Output {
    Command::new(strata_bin())
        .args(args)
        .env_remove("DATABASE_URL")
        .env("NO_COLOR", "1")
        .output()
        .expect("run strata")
}

#[test]
fn drift_names_an_owner_changed_out_of_band_as_security_and_diff_plans_it_back() {
    let roles = roles();
    let (alice, bob) = (&roles.0[0], &roles.0[1]);
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("schema.sql");
    std::fs::write(&schema, fixture(alice, bob)).unwrap();
    let schema_arg = format!("schema:{}", schema.display());
    let db = fresh_db("strata_owners_drift");
    psql_apply_sql(&db.url, &fixture(alice, bob), true).unwrap();
    let me = current_user();
    let drift = |extra: &[&str]| {
        let mut args = vec!["drift", "--database-url", &db.url, "--against", &schema_arg];
        args.extend_from_slice(extra);
        strata(&args)
    };
    let o = drift(&["--owners"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "in step: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    let expected = fresh_db("strata_owners_expected");
    psql_apply_sql(&expected.url, &fixture(alice, bob), true).unwrap();
    // Out of band: the table goes to bob, the function to the applying
    // role, the schema to alice.
    psql_apply_sql(
        &db.url,
        &format!(
            "ALTER TABLE app.items OWNER TO {b}; ALTER FUNCTION plain.add(int, int) OWNER TO {me}; \
             ALTER SCHEMA plain OWNER TO {a};",
            a = quote_ident(alice),
            b = quote_ident(bob),
            me = quote_ident(&me)
        ),
        true,
    )
    .unwrap();
    let o = drift(&[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "owners are not compared unless asked"
    );
    let o = drift(&["--owners", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let text = v.to_string();
    let diffs: Vec<&serde_json::Value> = v["databases"][0]["differences"]
        .as_array()
        .or_else(|| v["differences"].as_array())
        .unwrap_or_else(|| panic!("no differences in {text}"))
        .iter()
        .collect();
    let owners: Vec<String> = diffs
        .iter()
        .filter(|d| d["field"] == "owner")
        .map(|d| {
            assert_eq!(d["security"], true, "{d}");
            format!("{} {}", d["kind"], d["name"])
        })
        .collect();
    // The table, the sequence its serial owns (which followed it), the
    // schema and the function.
    assert_eq!(owners.len(), 4, "{text}");
    assert!(
        owners.iter().any(|o| o.contains("items_id_seq")),
        "{owners:?}"
    );
    let o = drift(&["--owners", "--fail-on", "security"]);
    assert_eq!(o.status.code(), Some(1));
    // The plan back, judged by pg_dump -s (which prints every owner).
    let o = strata(&[
        "diff",
        "--from",
        &db.url,
        "--to",
        &schema_arg,
        "--owners",
        "--format",
        "sql",
    ]);
    let plan = String::from_utf8_lossy(&o.stdout).into_owned();
    // 1: there is something to do.
    assert_eq!(
        o.status.code(),
        Some(1),
        "{plan}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // The sequence follows its table: three statements.
    assert_eq!(plan.matches("OWNER TO").count(), 3, "{plan}");
    psql_apply_sql(&db.url, &plan, true).unwrap();
    judge_converged("owners back", &expected.url, &db.url).unwrap();
    drop((db, expected));
    drop(roles);
}

/// `strata inspect --owners` writes every owner (`ALTER … OWNER TO`, after
/// the grants, which name the owner): applied to an empty database it
/// dumps as the original does, owners and privileges included.
#[test]
fn inspect_writes_owners_and_round_trips() {
    let roles = roles();
    let (alice, bob) = (&roles.0[0], &roles.0[1]);
    let original = fresh_db("strata_owners_inspected");
    psql_apply_sql(&original.url, &fixture(alice, bob), true).unwrap();
    let o = strata(&["inspect", "--database-url", &original.url, "--owners"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let sql = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        sql.contains(&format!("ALTER TABLE app.items OWNER TO {alice};")),
        "{sql}"
    );
    let copy = fresh_db("strata_owners_applied");
    psql_apply_sql(&copy.url, &sql, true).unwrap();
    judge_converged("inspect --owners", &original.url, &copy.url).unwrap();
    drop((original, copy));
    drop(roles);
}
