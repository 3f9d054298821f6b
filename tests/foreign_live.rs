//! Foreign-data wrappers, foreign servers and user mappings against the
//! real server (postgres_fdw and file_fdw, loopback options only; nothing
//! ever connects through them): offline replay and `strata::inspect` build
//! the same model, the model written back dumps alike (`pg_dump -s`),
//! replay fails where the server fails with its SQLSTATE, plans converge
//! both ways, `strata drift` names each property changed out of band, a
//! user mapping's options hidden from the inspecting role are "cannot
//! prove", and a user-mapping password never appears in any output.

use crate::support;
use support::kinds::{read, shown};

use support::kinds::{all_hazards, converge, replay};

use strata::inspect::{inspect_url, InspectOptions};
use strata_core::diff::{diff, Change, DiffOptions};
use strata_core::plan::{plan_verified, PlanOptions};
use support::judge::{fresh_db, same_dump};
use support::kinds;
use support::{psql_apply_sql, run_strata_text, Roles, TestDb};

const SECRET: &str = "hunter2-s3cret-Zq";

/// Wrappers and servers, with user mappings that hold no options (what a
/// plan and the written model can carry whole).
fn base(r: &Roles) -> String {
    let (alice, bob) = (&r.0[0], &r.0[1]);
    format!(
        r#"
CREATE EXTENSION postgres_fdw;
CREATE EXTENSION file_fdw;
CREATE FOREIGN DATA WRAPPER my_fdw HANDLER postgres_fdw_handler VALIDATOR postgres_fdw_validator;
CREATE FOREIGN DATA WRAPPER plain_fdw OPTIONS (debug 'true', "Mixed Key" 'it''s');
COMMENT ON FOREIGN DATA WRAPPER plain_fdw IS 'no validator';
CREATE SERVER loop TYPE 'pg' VERSION '15' FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port '5432', dbname 'nowhere');
CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;
CREATE SERVER "Odd Server" FOREIGN DATA WRAPPER plain_fdw OPTIONS (a '1', b '2');
CREATE SERVER mine FOREIGN DATA WRAPPER my_fdw OPTIONS (host '127.0.0.1');
COMMENT ON SERVER loop IS 'loopback';
CREATE USER MAPPING FOR PUBLIC SERVER files;
CREATE USER MAPPING FOR "{alice}" SERVER loop;
CREATE USER MAPPING FOR "{bob}" SERVER "Odd Server";
GRANT USAGE ON FOREIGN SERVER loop TO "{alice}";
GRANT USAGE ON FOREIGN DATA WRAPPER plain_fdw TO "{bob}" WITH GRANT OPTION;
"#
    )
}

/// The base with passwords in user mappings.
fn with_secrets(r: &Roles) -> String {
    format!(
        "{}CREATE USER MAPPING FOR \"{}\" SERVER mine OPTIONS (user 'remote', password '{SECRET}');\n\
         CREATE USER MAPPING FOR PUBLIC SERVER loop OPTIONS (user 'nobody');\n",
        base(r),
        r.0[1]
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_replay_builds_what_the_server_builds() {
    let roles = Roles::create("strata_fdw_r", 2);
    let script = format!(
        "{}\nALTER SERVER \"Odd Server\" OPTIONS (ADD c '3', SET a '10', DROP b);\n\
         ALTER SERVER loop VERSION '16' OPTIONS (SET port '5433');\n\
         ALTER SERVER files VERSION NULL;\n\
         ALTER FOREIGN DATA WRAPPER plain_fdw OPTIONS (DROP debug, ADD extra 'x');\n\
         ALTER FOREIGN DATA WRAPPER my_fdw NO VALIDATOR;\n\
         ALTER FOREIGN DATA WRAPPER my_fdw RENAME TO your_fdw;\n\
         ALTER SERVER mine RENAME TO yours;\n\
         ALTER USER MAPPING FOR PUBLIC SERVER loop OPTIONS (ADD password 'pw', SET user 'someone');\n\
         ALTER USER MAPPING FOR \"{}\" SERVER yours OPTIONS (DROP password);\n\
         COMMENT ON SERVER loop IS NULL;\n\
         CREATE SERVER gone FOREIGN DATA WRAPPER plain_fdw;\n\
         CREATE USER MAPPING FOR PUBLIC SERVER gone;\n\
         DROP SERVER gone CASCADE;\n\
         DROP USER MAPPING IF EXISTS FOR PUBLIC SERVER files;\n\
         CREATE SERVER IF NOT EXISTS files FOREIGN DATA WRAPPER plain_fdw;\n",
        with_secrets(&roles),
        roles.0[1]
    );
    for (name, sql) in [
        ("fixture", with_secrets(&roles)),
        ("changed by statements", script),
    ] {
        let db = TestDb::create("strata_fdw_oracle").await;
        psql_apply_sql(&db.url, &sql, true).unwrap_or_else(|e| panic!("{name}: {e}"));
        let server = read(&db.url).await;
        let offline = replay(&sql).unwrap_or_else(|e| panic!("{name}: {e}"));
        let d = diff(&offline, &server, DiffOptions::default());
        assert!(d.is_empty(), "{name}: {:#?}", shown(&d));
        assert_eq!(server.foreign_data_wrappers.len(), 2, "{name}");
        assert_eq!(server.foreign_servers.len(), 4, "{name}");
        // Extensions' wrappers are theirs.
        assert!(!server.foreign_data_wrappers.contains_key("postgres_fdw"));
        // The model never holds a value of a user mapping's options.
        let dumped = format!("{server:?}{offline:?}");
        assert!(
            !dumped.contains(SECRET),
            "{name}: the password is in the model"
        );
        assert!(!serde_json::to_string(&server).unwrap().contains(SECRET));
    }
    // Mappings without options: the written model dumps as the server's.
    let db = TestDb::create("strata_fdw_dump").await;
    psql_apply_sql(&db.url, &base(&roles), true).unwrap();
    let server = read(&db.url).await;
    let offline = replay(&base(&roles)).unwrap();
    for (side, model) in [("offline", &offline), ("inspected", &server)] {
        let written = strata_core::ddl::schema_sql(model);
        let copy = fresh_db("strata_fdw_copy");
        psql_apply_sql(&copy.url, &written, true)
            .unwrap_or_else(|e| panic!("{side}: does not apply: {e}\n{written}"));
        let (same, dd) = same_dump(&db.url, &copy.url).unwrap();
        assert!(same, "{side}: pg_dump -s differs:\n{dd}\n{written}");
    }
    // With options: written without their values (and still applies),
    // a comment naming them.
    let written = strata_core::ddl::schema_sql(&replay(&with_secrets(&roles)).unwrap());
    assert!(!written.contains(SECRET), "{written}");
    assert!(
        written.contains(
            "options not written (strata never prints user-mapping option values): user, password"
        ),
        "{written}"
    );
    let copy = fresh_db("strata_fdw_copy2");
    psql_apply_sql(&copy.url, &written, true).unwrap_or_else(|e| panic!("{e}\n{written}"));
}

/// (setup after the fixture, statement): the statement must fail on the
/// server and offline with the same SQLSTATE, or succeed on both.
const CASES: &[(&str, &str)] = &[
    ("", "CREATE FOREIGN DATA WRAPPER plain_fdw"),
    ("", "CREATE FOREIGN DATA WRAPPER x HANDLER nope"),
    ("", "CREATE FOREIGN DATA WRAPPER x VALIDATOR nope"),
    ("", "CREATE FOREIGN DATA WRAPPER x OPTIONS (a '1', a '2')"),
    ("", "CREATE FOREIGN DATA WRAPPER x NO HANDLER NO VALIDATOR"),
    ("", "ALTER FOREIGN DATA WRAPPER nope OPTIONS (ADD a '1')"),
    (
        "",
        "ALTER FOREIGN DATA WRAPPER plain_fdw OPTIONS (ADD debug 'false')",
    ),
    (
        "",
        "ALTER FOREIGN DATA WRAPPER plain_fdw OPTIONS (SET nope 'false')",
    ),
    (
        "",
        "ALTER FOREIGN DATA WRAPPER plain_fdw OPTIONS (DROP nope)",
    ),
    (
        "",
        "ALTER FOREIGN DATA WRAPPER plain_fdw OPTIONS (SET debug 'false', DROP \"Mixed Key\")",
    ),
    ("", "ALTER FOREIGN DATA WRAPPER plain_fdw RENAME TO my_fdw"),
    (
        "",
        "ALTER FOREIGN DATA WRAPPER plain_fdw OWNER TO CURRENT_USER",
    ),
    ("", "DROP FOREIGN DATA WRAPPER nope"),
    ("", "DROP FOREIGN DATA WRAPPER IF EXISTS nope"),
    ("", "DROP FOREIGN DATA WRAPPER plain_fdw"),
    ("", "DROP FOREIGN DATA WRAPPER plain_fdw CASCADE"),
    ("", "DROP FOREIGN DATA WRAPPER postgres_fdw"),
    ("", "CREATE SERVER loop FOREIGN DATA WRAPPER postgres_fdw"),
    (
        "",
        "CREATE SERVER IF NOT EXISTS loop FOREIGN DATA WRAPPER postgres_fdw",
    ),
    ("", "CREATE SERVER x FOREIGN DATA WRAPPER nope"),
    (
        "",
        "CREATE SERVER x FOREIGN DATA WRAPPER plain_fdw OPTIONS (a '1', a '1')",
    ),
    ("", "ALTER SERVER nope VERSION '1'"),
    ("", "ALTER SERVER loop OPTIONS (ADD host 'localhost')"),
    ("", "ALTER SERVER loop OPTIONS (DROP nope)"),
    (
        "",
        "ALTER SERVER loop OPTIONS (SET host '127.0.0.2', DROP port)",
    ),
    ("", "ALTER SERVER loop RENAME TO files"),
    ("", "ALTER SERVER loop OWNER TO CURRENT_USER"),
    ("", "DROP SERVER nope"),
    ("", "DROP SERVER IF EXISTS nope, \"Odd Server\" CASCADE"),
    ("", "DROP SERVER loop"),
    ("", "DROP SERVER mine"),
    ("", "DROP SERVER loop CASCADE"),
    (
        "DROP USER MAPPING FOR PUBLIC SERVER files",
        "DROP SERVER files",
    ),
    ("", "CREATE USER MAPPING FOR PUBLIC SERVER nope"),
    ("", "CREATE USER MAPPING FOR PUBLIC SERVER files"),
    (
        "",
        "CREATE USER MAPPING IF NOT EXISTS FOR PUBLIC SERVER files",
    ),
    (
        "",
        "CREATE USER MAPPING FOR PUBLIC SERVER loop OPTIONS (user 'x')",
    ),
    (
        "",
        "ALTER USER MAPPING FOR PUBLIC SERVER \"Odd Server\" OPTIONS (ADD user 'x')",
    ),
    (
        "",
        "ALTER USER MAPPING FOR PUBLIC SERVER loop OPTIONS (ADD user 'x')",
    ),
    (
        "",
        "ALTER USER MAPPING FOR PUBLIC SERVER loop OPTIONS (DROP password)",
    ),
    (
        "",
        "ALTER USER MAPPING FOR PUBLIC SERVER loop OPTIONS (DROP user)",
    ),
    ("", "DROP USER MAPPING FOR PUBLIC SERVER \"Odd Server\""),
    (
        "",
        "DROP USER MAPPING IF EXISTS FOR PUBLIC SERVER \"Odd Server\"",
    ),
    ("", "DROP USER MAPPING IF EXISTS FOR PUBLIC SERVER nope"),
    ("", "DROP USER MAPPING FOR PUBLIC SERVER nope"),
    ("", "DROP EXTENSION file_fdw"),
    ("", "DROP EXTENSION file_fdw CASCADE"),
    ("DROP EXTENSION file_fdw CASCADE", "DROP SERVER files"),
    ("", "CREATE FOREIGN TABLE ft (a int) SERVER nope"),
    (
        "CREATE FOREIGN TABLE ft (a int) SERVER loop",
        "DROP SERVER loop",
    ),
    (
        "CREATE FOREIGN TABLE ft (a int) SERVER loop",
        "DROP SERVER loop CASCADE",
    ),
    (
        "CREATE FOREIGN TABLE ft (a int) SERVER loop; DROP SERVER loop CASCADE",
        "DROP FOREIGN TABLE ft",
    ),
    (
        "CREATE FOREIGN TABLE ft (a int) SERVER loop; ALTER FOREIGN TABLE ft RENAME TO ft2",
        "DROP SERVER loop",
    ),
    (
        "COMMENT ON SERVER files IS 'x'",
        "COMMENT ON SERVER nope IS 'x'",
    ),
    ("", "COMMENT ON FOREIGN DATA WRAPPER nope IS 'x'"),
    ("", "GRANT SELECT ON FOREIGN SERVER loop TO PUBLIC"),
    ("", "GRANT USAGE ON FOREIGN SERVER nope TO PUBLIC"),
    ("", "GRANT USAGE ON FOREIGN DATA WRAPPER nope TO PUBLIC"),
    (
        "",
        "GRANT USAGE ON FOREIGN DATA WRAPPER plain_fdw TO PUBLIC WITH GRANT OPTION",
    ),
    ("", "GRANT ALL ON FOREIGN SERVER loop, files TO PUBLIC"),
    ("", "REVOKE USAGE ON FOREIGN SERVER loop FROM PUBLIC"),
    (
        "",
        "GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO PUBLIC",
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_fails_where_the_server_fails_with_its_sqlstate() {
    let roles = Roles::create("strata_fdw_r", 2);
    let fixture = with_secrets(&roles);
    let mismatches =
        support::kinds::sqlstate_mismatches("strata_fdw_errors", &fixture, CASES).await;
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn import_foreign_schema_is_refused_by_name_with_what_to_do() {
    let e = replay("IMPORT FOREIGN SCHEMA remote FROM SERVER s INTO public;").unwrap_err();
    assert!(
        e.contains("IMPORT FOREIGN SCHEMA cannot be replayed offline"),
        "{e}"
    );
    assert!(e.contains("CREATE FOREIGN TABLE"), "{e}");
}

/// Options added, set and dropped; a version, a comment, a handler; a
/// server's wrapper changed; a mapping dropped and one added.
fn changed(r: &Roles) -> String {
    base(r)
        .replace(
            "OPTIONS (debug 'true', \"Mixed Key\" 'it''s')",
            "OPTIONS (debug 'false', extra 'x')",
        )
        .replace("HANDLER postgres_fdw_handler VALIDATOR", "VALIDATOR")
        .replace("VERSION '15'", "VERSION '16'")
        .replace(
            "port '5432', dbname 'nowhere'",
            "dbname 'elsewhere', port '5432'",
        )
        .replace("'loopback'", "'loop back'")
        .replace(
            "GRANT USAGE ON FOREIGN SERVER loop TO",
            "GRANT USAGE ON FOREIGN SERVER files TO",
        )
        .replace(
            "CREATE SERVER files FOREIGN DATA WRAPPER file_fdw",
            "CREATE SERVER files FOREIGN DATA WRAPPER plain_fdw",
        )
        .replace("OPTIONS (a '1', b '2')", "OPTIONS (b '2', c '3')")
        .replace(
            &format!("CREATE USER MAPPING FOR \"{}\" SERVER loop;", r.0[0]),
            &format!("CREATE USER MAPPING FOR \"{}\" SERVER mine;", r.0[0]),
        )
}

#[test]
fn plans_create_drop_change_and_converge() {
    let roles = Roles::create("strata_fdw_r", 2);
    let ext = "CREATE EXTENSION postgres_fdw;\nCREATE EXTENSION file_fdw;\n";
    converge("created", ext, &base(&roles));
    converge("dropped", &base(&roles), ext);
    converge("changed", &base(&roles), &changed(&roles));
    converge("changed back", &changed(&roles), &base(&roles));
    let plan = converge(
        "options only",
        &base(&roles),
        &base(&roles).replace("(a '1', b '2')", "(a '10', c '3')"),
    );
    assert_eq!(plan.step_count(), 1, "{}", plan.sql());
    assert!(
        plan.sql()
            .contains("ALTER SERVER \"Odd Server\" OPTIONS (DROP b, SET a '10', ADD c '3')"),
        "{}",
        plan.sql()
    );
    // Dropping a mapping's options needs no value: planned.
    converge(
        "mapping options dropped",
        &with_secrets(&roles),
        &with_secrets(&roles).replace(
            &format!(" OPTIONS (user 'remote', password '{SECRET}')"),
            "",
        ),
    );
    // Writing them would print them: refused by name.
    let (a, b) = (
        replay(&base(&roles)).unwrap(),
        replay(&with_secrets(&roles)).unwrap(),
    );
    let e = plan_verified(&a, &b, &all_hazards())
        .unwrap_err()
        .to_string();
    let details = format!("{e:?}");
    assert!(!details.contains(SECRET), "{details}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plans_between_inspected_databases_converge() {
    let roles = Roles::create("strata_fdw_r", 2);
    kinds::inspected_plans_converge("strata_fdw", &base(&roles), &changed(&roles)).await;
}

#[test]
fn strata_drift_names_each_property_changed_out_of_band() {
    let roles = Roles::create("strata_fdw_r", 2);
    let fixture = with_secrets(&roles);
    let bob = &roles.0[1];
    let outputs = kinds::drift_names_each_change(
        "strata_fdw_drift",
        &fixture,
        kinds::Expect::Against,
        &[
        ("ALTER SERVER loop OPTIONS (SET port '5433')", "server loop: options differ"),
        ("ALTER SERVER loop VERSION '16'", "server loop: version differs"),
        ("COMMENT ON SERVER loop IS 'x'", "server loop: comment differs"),
        ("DROP SERVER files CASCADE; CREATE SERVER files TYPE 't' FOREIGN DATA WRAPPER file_fdw; CREATE USER MAPPING FOR PUBLIC SERVER files", "server files: type differs"),
        ("DROP SERVER files CASCADE; CREATE SERVER files FOREIGN DATA WRAPPER plain_fdw; CREATE USER MAPPING FOR PUBLIC SERVER files", "server files: foreign-data wrapper differs"),
        ("ALTER FOREIGN DATA WRAPPER plain_fdw OPTIONS (SET debug 'false')", "foreign-data wrapper plain_fdw: options differ"),
        ("ALTER FOREIGN DATA WRAPPER my_fdw NO HANDLER", "foreign-data wrapper my_fdw: handler differs"),
        ("ALTER FOREIGN DATA WRAPPER my_fdw NO VALIDATOR", "foreign-data wrapper my_fdw: validator differs"),
        ("COMMENT ON FOREIGN DATA WRAPPER plain_fdw IS NULL", "foreign-data wrapper plain_fdw: comment differs"),
        ("DROP USER MAPPING FOR PUBLIC SERVER files", "user mapping FOR PUBLIC SERVER files"),
        ("CREATE USER MAPPING FOR PUBLIC SERVER \"Odd Server\"", "user mapping FOR PUBLIC SERVER \"Odd Server\""),
        ("ALTER USER MAPPING FOR PUBLIC SERVER loop OPTIONS (SET user 'other')", "user mapping FOR PUBLIC SERVER loop: option values differ"),
        (&format!("ALTER USER MAPPING FOR \"{bob}\" SERVER mine OPTIONS (SET password 'other')"), "SERVER mine: option values differ"),
        ("ALTER USER MAPPING FOR PUBLIC SERVER loop OPTIONS (ADD password 'p')", "user mapping FOR PUBLIC SERVER loop: option names differ"),
        ("CREATE SERVER sneaky FOREIGN DATA WRAPPER plain_fdw", "server sneaky"),
        ("CREATE FOREIGN DATA WRAPPER sneaky_fdw", "foreign-data wrapper sneaky_fdw"),
        ("GRANT USAGE ON FOREIGN SERVER files TO PUBLIC", "server files: privilege USAGE of PUBLIC differs"),
        ("REVOKE GRANT OPTION FOR USAGE ON FOREIGN DATA WRAPPER plain_fdw FROM PUBLIC; REVOKE USAGE ON FOREIGN DATA WRAPPER plain_fdw FROM PUBLIC CASCADE; REVOKE ALL ON FOREIGN DATA WRAPPER plain_fdw FROM CURRENT_USER", "foreign-data wrapper plain_fdw: privilege USAGE of"),
    ],
    );
    for out in outputs {
        assert!(!out.contains(SECRET), "the password is printed:\n{out}");
    }
}

/// A role that is not the mapped user, the server's owner nor a superuser
/// cannot read a mapping's options: inspect says so, and nothing is
/// proven about them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_hidden_from_the_inspecting_role_cannot_be_proven() {
    let roles = Roles::create("strata_fdw_r", 2);
    let reader = support::unique_name("strata_fdw_reader");
    support::admin_execute_blocking(&format!("CREATE ROLE \"{reader}\" LOGIN")).unwrap();
    let fixture = with_secrets(&roles);
    let db = TestDb::create("strata_fdw_hidden").await;
    psql_apply_sql(&db.url, &fixture, true).unwrap();
    let as_reader = url_with_user(&db.url, &reader);
    let result = inspect_url(&as_reader, &InspectOptions::default()).await;
    drop(db);
    let _ = support::admin_execute_blocking(&format!("DROP ROLE IF EXISTS \"{reader}\""));
    let server = result.unwrap_or_else(|e| panic!("inspect as {reader}: {e}"));
    let m = &server.foreign_servers["mine"].user_mappings[&roles.0[1]];
    assert!(m.options.is_none(), "{m:?}");
    // PUBLIC's mapping on a server owned by another role is hidden too.
    let offline = replay(&fixture).unwrap();
    let d = diff(&offline, &server, DiffOptions::default());
    let unproven: Vec<String> = d
        .iter()
        .filter(|x| matches!(x.change, Change::Unproven { .. }))
        .map(|x| x.to_string())
        .collect();
    assert!(
        unproven
            .iter()
            .any(|x| x.contains("SERVER mine") && x.contains("cannot prove")),
        "{:#?}",
        shown(&d)
    );
    assert!(!d.is_empty());
}

fn url_with_user(url: &str, user: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split_once('@').map_or(rest, |(_, h)| h);
    format!("postgres://{user}@{host}")
}

/// The password is never printed: check, drift (text and JSON), diff
/// (its plan and its refusal), inspect, docs.
#[test]
fn a_user_mapping_password_never_appears_in_any_output() {
    let roles = Roles::create("strata_fdw_r", 2);
    let dir = tempfile::tempdir().unwrap();
    let fixture = with_secrets(&roles);
    let other = fixture.replace(SECRET, "another-pass-Xy");
    std::fs::create_dir_all(dir.path().join("schema")).unwrap();
    std::fs::create_dir_all(dir.path().join("migrations")).unwrap();
    std::fs::write(dir.path().join("schema/schema.sql"), &fixture).unwrap();
    std::fs::write(dir.path().join("migrations/V1__init.sql"), &other).unwrap();
    std::fs::write(dir.path().join("other.sql"), &other).unwrap();
    let db = fresh_db("strata_fdw_secret");
    psql_apply_sql(&db.url, &other, true).unwrap();
    let schema = format!("schema:{}", dir.path().join("schema/schema.sql").display());
    let schema_path = dir.path().join("schema/schema.sql").display().to_string();
    let migrations = dir.path().join("migrations").display().to_string();
    let other_src = format!("schema:{}", dir.path().join("other.sql").display());
    let mut outputs = Vec::new();
    for args in [
        vec![
            "check",
            "--schema",
            &schema_path,
            "--migrations",
            &migrations,
        ],
        vec![
            "check",
            "--schema",
            &schema_path,
            "--migrations",
            &migrations,
            "--format",
            "json",
        ],
        vec!["drift", "--database-url", &db.url, "--against", &schema],
        vec![
            "drift",
            "--database-url",
            &db.url,
            "--against",
            &schema,
            "--format",
            "json",
        ],
        vec!["diff", "--from", &other_src, "--to", &schema],
        vec![
            "diff", "--from", &other_src, "--to", &schema, "--format", "json",
        ],
        vec!["diff", "--from", &db.url, "--to", &schema],
        vec!["inspect", "--database-url", &db.url],
        vec!["docs", "--source", &schema],
    ] {
        let (code, out) = run_strata_text(dir.path(), &args);
        assert!(
            !out.contains(SECRET),
            "{args:?} printed the password:\n{out}"
        );
        assert!(
            !out.contains("another-pass-Xy"),
            "{args:?} printed the password:\n{out}"
        );
        outputs.push((args.join(" "), code, out));
    }
    // They did report the difference, without the values.
    let drift_text = &outputs[2].2;
    assert!(drift_text.contains("option values differ"), "{drift_text}");
    assert!(drift_text.contains("<redacted>"), "{drift_text}");
    let check = &outputs[0];
    assert_eq!(check.1, Some(1), "{}", check.2);
}

// ------------------------------------------------------------ foreign tables

/// Foreign tables over the base's servers: column options, collation,
/// default, NOT NULL, a NOT VALID check, comments, a foreign partition, an
/// inheritance child, a trigger, extended statistics, privileges.
const TABLES: &str = r#"
CREATE SCHEMA remote;
CREATE FOREIGN TABLE remote.items (
    id integer OPTIONS (column_name 'item_id') NOT NULL,
    name text COLLATE "C" DEFAULT 'x',
    price numeric(10,2),
    CONSTRAINT price_positive CHECK (price > 0) NOT VALID
) SERVER loop OPTIONS (schema_name 'public', table_name 'items');
COMMENT ON FOREIGN TABLE remote.items IS 'remote items';
COMMENT ON COLUMN remote.items.name IS 'the name';
CREATE TABLE measurements (at date NOT NULL, v integer) PARTITION BY RANGE (at);
CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE FOREIGN TABLE measurements_old PARTITION OF measurements FOR VALUES FROM ('2000-01-01') TO ('2024-01-01') SERVER mine OPTIONS (table_name 'old');
CREATE TABLE base (a integer);
CREATE FOREIGN TABLE kid (b text) INHERITS (base) SERVER "Odd Server";
CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER items_t BEFORE INSERT ON remote.items FOR EACH ROW EXECUTE FUNCTION trg();
CREATE STATISTICS remote.items_st ON id, price FROM remote.items;
GRANT SELECT ON remote.items TO PUBLIC;
GRANT UPDATE (price) ON remote.items TO PUBLIC;
CREATE FOREIGN TABLE files_csv (line text) SERVER files OPTIONS (filename '/dev/null', format 'csv');
"#;

fn tables(r: &Roles) -> String {
    format!("{}{TABLES}", base(r))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_tables_replay_as_the_server_builds_them_and_round_trip() {
    let roles = Roles::create("strata_fdw_r", 2);
    let script = format!(
        "{}\nALTER FOREIGN TABLE remote.items ALTER COLUMN price OPTIONS (ADD column_name 'cost');\n\
         ALTER FOREIGN TABLE remote.items ALTER COLUMN id OPTIONS (DROP column_name);\n\
         ALTER FOREIGN TABLE remote.items OPTIONS (SET table_name 'items2', DROP schema_name);\n\
         ALTER FOREIGN TABLE remote.items ADD COLUMN extra int OPTIONS (column_name 'x');\n\
         ALTER FOREIGN TABLE remote.items ALTER COLUMN extra TYPE bigint;\n\
         ALTER FOREIGN TABLE remote.items ALTER COLUMN name DROP DEFAULT;\n\
         ALTER FOREIGN TABLE remote.items ALTER COLUMN price SET NOT NULL;\n\
         ALTER FOREIGN TABLE remote.items RENAME COLUMN name TO title;\n\
         ALTER TABLE remote.items ADD CONSTRAINT id_positive CHECK (id > 0);\n\
         ALTER FOREIGN TABLE remote.items DROP CONSTRAINT price_positive;\n\
         ALTER FOREIGN TABLE kid RENAME TO child;\n\
         ALTER FOREIGN TABLE child SET SCHEMA remote;\n\
         ALTER FOREIGN TABLE IF EXISTS nope RENAME TO nothing;\n\
         COMMENT ON FOREIGN TABLE remote.items IS NULL;\n\
         DROP FOREIGN TABLE files_csv;\n\
         ALTER SERVER mine RENAME TO yours;\n\
         DROP SERVER \"Odd Server\" CASCADE;\n",
        tables(&roles)
    );
    for (name, sql) in [
        ("fixture", tables(&roles)),
        ("changed by statements", script),
    ] {
        let db = TestDb::create("strata_fdw_t_oracle").await;
        psql_apply_sql(&db.url, &sql, true).unwrap_or_else(|e| panic!("{name}: {e}"));
        let server = read(&db.url).await;
        let offline = replay(&sql).unwrap_or_else(|e| panic!("{name}: {e}"));
        let d = diff(&offline, &server, DiffOptions::default());
        assert!(d.is_empty(), "{name}: {:#?}", shown(&d));
        assert!(
            server.unmanaged.is_empty(),
            "{name}: {:?}",
            server.unmanaged
        );
        let items = &server.namespaces["remote"].tables["items"];
        assert_eq!(items.foreign.as_ref().unwrap().server, "loop");
        assert!(
            !items.triggers.is_empty(),
            "{name}: the trigger by definition"
        );
        assert!(server.namespaces["remote"]
            .statistics
            .contains_key("items_st"));
        // The written model dumps as the server's database.
        for (side, model) in [("offline", &offline), ("inspected", &server)] {
            let written = strata_core::ddl::schema_sql(model);
            let copy = fresh_db("strata_fdw_t_copy");
            psql_apply_sql(&copy.url, &written, true)
                .unwrap_or_else(|e| panic!("{name}, {side}: does not apply: {e}\n{written}"));
            let (same, dd) = same_dump(&db.url, &copy.url).unwrap();
            assert!(same, "{name}, {side}: pg_dump -s differs:\n{dd}\n{written}");
        }
    }
}

/// After the base and the foreign tables: the statement fails on the
/// server and offline with the same SQLSTATE, or succeeds on both.
const TABLE_CASES: &[(&str, &str)] = &[
    ("", "CREATE FOREIGN TABLE t1 (a int) SERVER nope"),
    ("", "CREATE FOREIGN TABLE t1 (a int PRIMARY KEY) SERVER loop"),
    ("", "CREATE FOREIGN TABLE t1 (a int UNIQUE) SERVER loop"),
    ("", "CREATE FOREIGN TABLE t1 (a int REFERENCES base (a)) SERVER loop"),
    ("", "CREATE FOREIGN TABLE t1 (a int OPTIONS (x '1', x '2')) SERVER plain_srv_missing"),
    ("", "CREATE FOREIGN TABLE t1 (a int) SERVER \"Odd Server\" OPTIONS (x '1', x '2')"),
    ("", "CREATE FOREIGN TABLE remote.items (a int) SERVER loop"),
    ("", "CREATE FOREIGN TABLE IF NOT EXISTS remote.items (a int) SERVER loop"),
    ("", "CREATE TABLE t1 (a int OPTIONS (x '1'))"),
    ("", "CREATE INDEX ON remote.items (id)"),
    ("", "ALTER TABLE remote.items ADD PRIMARY KEY (id)"),
    ("", "ALTER TABLE remote.items ADD CONSTRAINT u UNIQUE (id)"),
    ("", "ALTER TABLE remote.items ENABLE ROW LEVEL SECURITY"),
    ("", "ALTER FOREIGN TABLE base ADD COLUMN z int"),
    ("", "ALTER TABLE base OPTIONS (ADD x '1')"),
    ("", "ALTER TABLE base ALTER COLUMN a OPTIONS (ADD x '1')"),
    ("", "ALTER FOREIGN TABLE remote.items OPTIONS (ADD table_name 'x')"),
    ("", "ALTER FOREIGN TABLE remote.items OPTIONS (DROP nope)"),
    ("", "ALTER FOREIGN TABLE remote.items ALTER COLUMN id OPTIONS (ADD column_name 'y')"),
    ("", "ALTER FOREIGN TABLE remote.items ALTER COLUMN id OPTIONS (SET nope 'y')"),
    ("", "ALTER TABLE remote.items OPTIONS (SET table_name 't3')"),
    ("", "ALTER FOREIGN TABLE remote.items ADD COLUMN z int OPTIONS (column_name 'zz')"),
    ("", "ALTER TABLE base ADD COLUMN z int OPTIONS (column_name 'zz')"),
    ("", "DROP TABLE remote.items"),
    ("", "DROP FOREIGN TABLE base"),
    ("", "DROP FOREIGN TABLE IF EXISTS nope, remote.items"),
    ("", "DROP SERVER loop"),
    ("", "DROP SERVER \"Odd Server\" CASCADE"),
    ("DROP SERVER \"Odd Server\" CASCADE", "DROP FOREIGN TABLE kid"),
    ("DROP SERVER loop CASCADE", "DROP TRIGGER items_t ON remote.items"),
    ("", "DROP FOREIGN DATA WRAPPER plain_fdw CASCADE"),
    ("DROP FOREIGN DATA WRAPPER plain_fdw CASCADE", "CREATE FOREIGN TABLE kid (a int) SERVER loop"),
    ("", "DROP EXTENSION file_fdw"),
    ("", "COMMENT ON TABLE remote.items IS 'x'"),
    ("", "COMMENT ON FOREIGN TABLE base IS 'x'"),
    ("", "COMMENT ON FOREIGN TABLE remote.items IS 'x'"),
    ("", "CREATE STATISTICS s2 ON id, price FROM remote.items"),
    ("", "CREATE CONSTRAINT TRIGGER ct AFTER INSERT ON remote.items FOR EACH ROW EXECUTE FUNCTION trg()"),
    ("", "CREATE TRIGGER tt AFTER INSERT ON remote.items REFERENCING NEW TABLE AS nt FOR EACH STATEMENT EXECUTE FUNCTION trg()"),
    ("", "CREATE TRIGGER tr BEFORE TRUNCATE ON remote.items FOR EACH STATEMENT EXECUTE FUNCTION trg()"),
    ("", "CREATE TRIGGER io INSTEAD OF INSERT ON remote.items FOR EACH ROW EXECUTE FUNCTION trg()"),
    ("", "CREATE TRIGGER st AFTER UPDATE ON remote.items FOR EACH STATEMENT EXECUTE FUNCTION trg()"),
    ("", "ALTER TABLE measurements DETACH PARTITION measurements_old"),
    ("", "CREATE FOREIGN TABLE m2 PARTITION OF measurements FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') SERVER loop"),
    ("", "CREATE FOREIGN TABLE m2 PARTITION OF measurements FOR VALUES FROM ('2023-01-01') TO ('2026-01-01') SERVER loop"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_table_replay_fails_where_the_server_fails() {
    let roles = Roles::create("strata_fdw_r", 2);
    let fixture = tables(&roles);
    let mismatches = kinds::sqlstate_mismatches("strata_fdw_t_errors", &fixture, TABLE_CASES).await;
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// Options and column options changed, a column added, one dropped, one
/// retyped, a default, a comment; a server changed (dropped and created
/// again); a foreign table dropped, one added; an ordinary table turned
/// foreign.
fn tables_changed(r: &Roles) -> String {
    tables(r)
        .replace("(schema_name 'public', table_name 'items')", "(table_name 'items2', updatable 'false')")
        .replace("id integer OPTIONS (column_name 'item_id') NOT NULL", "id bigint OPTIONS (column_name 'iid') NOT NULL")
        .replace("name text COLLATE \"C\" DEFAULT 'x',", "name text COLLATE \"C\" DEFAULT 'y',\n    added date,")
        .replace("    price numeric(10,2),\n", "")
        .replace(" CHECK (price > 0) NOT VALID", " CHECK (id > 0) NOT VALID")
        .replace("'remote items'", "'items over there'")
        .replace("CREATE STATISTICS remote.items_st ON id, price FROM remote.items;\n", "")
        .replace("GRANT UPDATE (price) ON remote.items TO PUBLIC;\n", "")
        .replace(
            "CREATE FOREIGN TABLE files_csv (line text) SERVER files OPTIONS (filename '/dev/null', format 'csv');",
            "CREATE FOREIGN TABLE files_txt (line text) SERVER files OPTIONS (filename '/dev/null');\n\
             CREATE TABLE local_then_foreign (a int);",
        )
}

/// The server of a foreign table changed (no ALTER does it: dropped and
/// created again, with its trigger, statistics and privileges), and an
/// ordinary table turned into a foreign one.
fn tables_moved(r: &Roles) -> String {
    format!(
        "{}CREATE FOREIGN TABLE local_then_foreign (a int) SERVER loop;\n",
        tables(r).replace(
            ") SERVER loop OPTIONS (schema_name",
            ") SERVER mine OPTIONS (schema_name"
        )
    )
}

#[test]
fn foreign_table_plans_converge_both_ways() {
    let roles = Roles::create("strata_fdw_r", 2);
    converge("foreign tables created", &base(&roles), &tables(&roles));
    converge("foreign tables dropped", &tables(&roles), &base(&roles));
    converge(
        "foreign tables changed",
        &tables(&roles),
        &tables_changed(&roles),
    );
    converge(
        "foreign tables changed back",
        &tables_changed(&roles),
        &tables(&roles),
    );
    let plain = format!(
        "{}CREATE TABLE local_then_foreign (a int);\n",
        tables(&roles)
    );
    let plan = converge(
        "server changed, table turned foreign",
        &plain,
        &tables_moved(&roles),
    );
    assert!(
        plan.sql().contains("DROP FOREIGN TABLE remote.items"),
        "{}",
        plan.sql()
    );
    converge("and back", &tables_moved(&roles), &plain);
    // A partition or an inheritance child whose server changes is refused
    // by name (strata recreates only a table at the top of its hierarchy).
    let (a, b) = (
        replay(&tables(&roles)).unwrap(),
        replay(&tables(&roles).replace(
            "INHERITS (base) SERVER \"Odd Server\"",
            "INHERITS (base) SERVER loop",
        ))
        .unwrap(),
    );
    let e = plan_verified(&a, &b, &all_hazards())
        .unwrap_err()
        .to_string();
    assert!(e.contains("table public.kid: its server changes"), "{e}");
    let plan = converge(
        "options only",
        &tables(&roles),
        &tables(&roles).replace(
            "(schema_name 'public', table_name 'items')",
            "(table_name 'other')",
        ),
    );
    assert_eq!(plan.step_count(), 1, "{}", plan.sql());
    assert!(
        plan.sql().contains(
            "ALTER FOREIGN TABLE remote.items OPTIONS (DROP schema_name, SET table_name 'other')"
        ),
        "{}",
        plan.sql()
    );
    // Dropping a foreign table loses no local rows: no hazard to allow.
    let (a, b) = (replay(&tables(&roles)).unwrap(), replay(&tables(&roles).replace(
        "CREATE FOREIGN TABLE files_csv (line text) SERVER files OPTIONS (filename '/dev/null', format 'csv');\n",
        "",
    )).unwrap());
    let plan = plan_verified(&a, &b, &PlanOptions::default()).unwrap();
    assert!(
        plan.sql().contains("DROP FOREIGN TABLE public.files_csv"),
        "{}",
        plan.sql()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_table_plans_between_inspected_databases_converge() {
    let roles = Roles::create("strata_fdw_r", 2);
    kinds::inspected_plans_converge("strata_fdw_t", &tables(&roles), &tables_changed(&roles)).await;
}

#[test]
fn strata_drift_names_each_foreign_table_property_changed_out_of_band() {
    let roles = Roles::create("strata_fdw_r", 2);
    let fixture = tables(&roles);
    kinds::drift_names_each_change(
        "strata_fdw_t_drift",
        &fixture,
        kinds::Expect::Against,
        &[
        (
            "ALTER FOREIGN TABLE remote.items OPTIONS (SET table_name 'x')",
            "table remote.items: options differ",
        ),
        (
            "ALTER FOREIGN TABLE remote.items ALTER COLUMN id OPTIONS (SET column_name 'x')",
            "column remote.items.id: options differ",
        ),
        (
            "ALTER FOREIGN TABLE remote.items ALTER COLUMN price OPTIONS (ADD column_name 'x')",
            "column remote.items.price: options differ",
        ),
        (
            "ALTER FOREIGN TABLE remote.items ADD COLUMN sneaky int",
            "column remote.items.sneaky",
        ),
        (
            "ALTER FOREIGN TABLE remote.items ALTER COLUMN name SET DEFAULT 'z'",
            "column remote.items.name: default differs",
        ),
        (
            "ALTER FOREIGN TABLE remote.items ALTER COLUMN price TYPE numeric",
            "column remote.items.price: type differs",
        ),
        (
            "ALTER FOREIGN TABLE remote.items DROP CONSTRAINT price_positive",
            "constraint remote.items.price_positive",
        ),
        (
            "COMMENT ON FOREIGN TABLE remote.items IS 'x'",
            "table remote.items: comment differs",
        ),
        (
            "DROP FOREIGN TABLE kid; CREATE FOREIGN TABLE kid (b text) INHERITS (base) SERVER loop",
            "table public.kid: server differs",
        ),
        (
            "DROP FOREIGN TABLE files_csv; CREATE TABLE files_csv (line text)",
            "table public.files_csv: kind differs",
        ),
        (
            "REVOKE SELECT ON remote.items FROM PUBLIC",
            "table remote.items",
        ),
        (
            "DROP TRIGGER items_t ON remote.items",
            "trigger remote.items.items_t",
        ),
    ],
    );
}

/// A foreign table's rows are its server's: `strata lint` does not say
/// that adding a NOT NULL column scans it, that retyping a column rewrites
/// it, or that dropping it loses data.
#[test]
fn lint_knows_a_foreign_table_holds_no_rows() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("migrations");
    std::fs::create_dir_all(&m).unwrap();
    std::fs::write(
        m.join("V1__a.sql"),
        "CREATE EXTENSION postgres_fdw;\n\
         CREATE SERVER loop FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1');\n\
         CREATE FOREIGN TABLE ft (a bigint) SERVER loop;\n\
         CREATE TABLE t (a bigint);\n",
    )
    .unwrap();
    std::fs::write(
        m.join("V2__b.sql"),
        "ALTER FOREIGN TABLE ft ADD COLUMN b bigint NOT NULL;\n\
         ALTER FOREIGN TABLE ft ALTER COLUMN a TYPE numeric;\n\
         DROP FOREIGN TABLE ft;\n\
         DROP TABLE t;\n",
    )
    .unwrap();
    let (_, out) = run_strata_text(
        dir.path(),
        &["lint", "--migrations", &m.display().to_string()],
    );
    for rule in ["adding-required-field", "changing-column-type"] {
        assert!(!out.contains(rule), "{rule}:\n{out}");
    }
    assert!(out.contains("drops table t"), "{out}");
    assert!(!out.contains("drops table ft"), "{out}");
}
