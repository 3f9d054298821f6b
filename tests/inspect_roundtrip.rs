//! `strata inspect` and `strata_core::ddl` against the real server: a
//! database is inspected, written as SQL, the SQL applied to an empty
//! database with psql and inspected again — the two models must be equal,
//! column order included. The same SQL must replay offline to the same
//! model, and serve `strata check` as the declared schema of the history
//! that built the database.

use crate::support;

use support::repo_root;
use support::run_strata as strata;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use strata::inspect::{inspect_url, InspectOptions};
use strata_core::ddl;
use strata_core::diff::{diff, DiffOptions};
use strata_core::source::{load_declared, load_history, replay_declared, History};
use strata_core::Schema;
use support::{psql_apply, psql_apply_sql, TestDb};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The shared corpus: `STRATA_CORPUS`, or `../shared/corpus` beside the
/// repository. Absent, the test says loudly how many cases did not run,
/// and fails in CI.
fn corpus(cases: usize) -> Option<PathBuf> {
    let p = match std::env::var_os("STRATA_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => repo_root().join("..").join("shared").join("corpus"),
    };
    if p.is_dir() {
        return Some(p);
    }
    let msg = format!(
        "!!! the shared corpus was not found (set STRATA_CORPUS): {cases} inspect round-trip \
         corpus cases were NOT run"
    );
    assert!(
        std::env::var_os("CI").is_none(),
        "{msg} — in CI the corpus must be present"
    );
    eprintln!("{msg}");
    None
}

/// Applies a history one migration at a time, each in one transaction
/// unless it starts with `-- strata:no-transaction`.
fn apply_history_per_migration(url: &str, h: &History) {
    for m in &h.migrations {
        psql_apply(url, Path::new(&m.file.path), !m.no_transaction)
            .unwrap_or_else(|e| panic!("{}: {e}", m.file.path));
    }
}

/// Applies a history with one psql session, statement by statement (the
/// corpus's tools run `CREATE INDEX CONCURRENTLY` outside transactions
/// without marking it).
fn apply_history_one_session(url: &str, h: &History) {
    let mut cmd = Command::new("psql");
    cmd.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url]);
    for m in &h.migrations {
        cmd.arg("-f").arg(&m.file.path);
    }
    let out = cmd.output().expect("run psql");
    assert!(
        out.status.success(),
        "{}: {}",
        h.root.display(),
        text(&out.stderr)
    );
}

async fn inspect(url: &str) -> Schema {
    inspect_url(url, &InspectOptions::default())
        .await
        .unwrap_or_else(|e| panic!("inspect: {e}"))
}

/// Asserts two models equal: no difference (column order included) and
/// equal values.
fn assert_same(case: &str, expected: &Schema, found: &Schema) {
    let d = diff(
        expected,
        found,
        DiffOptions {
            column_order: true,
            ..Default::default()
        },
    );
    let shown: Vec<String> = d.iter().take(40).map(|x| format!("  {x}")).collect();
    assert!(
        d.is_empty(),
        "{case}: {} differences (expected = original, found = round trip):\n{}",
        d.len(),
        shown.join("\n")
    );
    assert!(expected == found, "{case}: models differ beyond diff");
}

/// Offline replay of SQL files must give the model they were written from
/// (extension versions, which the SQL leaves out, are not compared).
fn assert_replays_to(case: &str, files: &[(String, String)], expected: &Schema) {
    let texts: Vec<(String, Arc<str>)> = files
        .iter()
        .map(|(n, s)| (n.clone(), Arc::from(s.as_str())))
        .collect();
    let replayed = strata_core::replay::replay_texts(texts.iter().map(|(n, s)| (n.as_str(), s)))
        .unwrap_or_else(|e| panic!("{case}: offline replay failed: {e}"));
    let d = diff(
        expected,
        &replayed.schema,
        DiffOptions {
            column_order: true,
            ..Default::default()
        },
    );
    let shown: Vec<String> = d.iter().take(40).map(|x| format!("  {x}")).collect();
    assert!(
        d.is_empty(),
        "{case}: offline replay differs ({} differences, expected = inspected, found = replay):\n{}",
        d.len(),
        shown.join("\n")
    );
}

/// Inspects `url`, writes one file, applies it to an empty database and
/// inspects that: equal. Returns the first model.
async fn round_trip_file(case: &str, url: &str) -> Schema {
    let original = inspect(url).await;
    let sql = ddl::schema_sql(&original);
    assert_eq!(
        sql,
        ddl::schema_sql(&original.clone()),
        "{case}: output not deterministic"
    );
    assert_replays_to(case, &[(format!("{case}.sql"), sql.clone())], &original);
    let copy = TestDb::create("strata_rt_file").await;
    psql_apply_sql(&copy.url, &sql, true)
        .unwrap_or_else(|e| panic!("{case}: the written SQL does not apply: {e}\n{sql}"));
    let again = inspect(&copy.url).await;
    assert_same(case, &original, &again);
    original
}

/// `strata inspect --out DIR/`, then the files applied in name order to an
/// empty database (and replayed offline): equal to `original`.
async fn round_trip_folder(case: &str, url: &str, original: &Schema) {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = format!("{}/schema/", dir.path().display());
    let o = strata(
        dir.path(),
        &["inspect", "--database-url", url, "--out", &out_dir],
    );
    assert_eq!(o.status.code(), Some(0), "{case}: {}", text(&o.stderr));
    assert!(o.stdout.is_empty(), "{case}: SQL on stdout with --out");
    let files = load_declared(Path::new(&out_dir)).unwrap();
    let written: Vec<(String, String)> = ddl::schema_files(original);
    let names: Vec<String> = files
        .iter()
        .map(|f| {
            Path::new(&f.path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .collect();
    let expected_names: Vec<String> = written.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(names, expected_names, "{case}: files in name order");
    for (f, (_, sql)) in files.iter().zip(&written) {
        assert_eq!(
            &*f.text,
            sql.as_str(),
            "{case}: {} as schema_files says",
            f.path
        );
    }
    let replayed = replay_declared(&files).unwrap_or_else(|e| panic!("{case}: {e}"));
    let d = diff(
        original,
        &replayed.schema,
        DiffOptions {
            column_order: true,
            ..Default::default()
        },
    );
    assert!(d.is_empty(), "{case}: folder replays differently: {d:?}");
    let copy = TestDb::create("strata_rt_dir").await;
    for f in &files {
        psql_apply(&copy.url, Path::new(&f.path), true)
            .unwrap_or_else(|e| panic!("{case}: {} does not apply: {e}", f.path));
    }
    let again = inspect(&copy.url).await;
    assert_same(&format!("{case} (folder)"), original, &again);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_database_round_trips() {
    let history = load_history(&repo_root().join("migrations")).unwrap();
    assert_eq!(
        history
            .migrations
            .iter()
            .filter(|m| m.no_transaction)
            .count(),
        1,
        "the reference history has one no-transaction migration"
    );
    let db = TestDb::create("strata_rt_reference").await;
    apply_history_per_migration(&db.url, &history);
    let original = round_trip_file("reference", &db.url).await;
    assert_eq!(original.counts().tables, 22);
    round_trip_folder("reference", &db.url, &original).await;
}

/// Every feature of the model, with names that need quoting and types and
/// sequences used across schemas (both ways, so the folder form hoists
/// types).
const FIXTURE: &str = r#"
CREATE EXTENSION btree_gist;
CREATE SCHEMA billing;
COMMENT ON SCHEMA billing IS 'Money things';
CREATE SCHEMA "Audit";
COMMENT ON SCHEMA public IS 'Main schema, it''s ours';
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'it''s');
COMMENT ON TYPE mood IS 'How it feels';
CREATE TYPE billing.currency AS ENUM ('EUR', 'USD');
CREATE TYPE "Audit"."Level" AS ENUM ('Low', 'High');
COMMENT ON TYPE "Audit"."Level" IS 'Severity';
CREATE SEQUENCE billing.invoice_no AS integer START 1000 INCREMENT 2 MINVALUE 100
    MAXVALUE 99999 CACHE 5 CYCLE;
COMMENT ON SEQUENCE billing.invoice_no IS 'Invoice numbers';
CREATE SEQUENCE countdown AS bigint INCREMENT -1;
CREATE TABLE "user" (
    id bigserial PRIMARY KEY,
    "displayName" varchar(80) NOT NULL DEFAULT 'anon',
    email text COLLATE "C" NOT NULL,
    mood mood DEFAULT 'ok',
    moods mood[] DEFAULT '{ok,sad}',
    tags text[] NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    day date DEFAULT now(),
    score numeric(10,2) CHECK (score >= 0),
    ext_id integer GENERATED ALWAYS AS IDENTITY,
    ext_id2 smallint GENERATED BY DEFAULT AS IDENTITY (START WITH 10 INCREMENT BY 5),
    score2 numeric GENERATED ALWAYS AS (score * 2) STORED,
    name_len integer GENERATED ALWAYS AS (length("displayName")) STORED,
    local_part_no integer GENERATED ALWAYS AS (split_part(email, '@', 1)::integer) STORED,
    ticket integer DEFAULT nextval('billing.invoice_no'),
    during tstzrange,
    room integer,
    "Currency" billing.currency DEFAULT 'EUR',
    "Level" "Audit"."Level",
    CONSTRAINT user_email_key UNIQUE (email) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT user_room_no_overlap EXCLUDE USING gist (room WITH =, during WITH &&),
    CONSTRAINT user_mood_check CHECK (mood IN ('ok', 'happy', 'sad'))
);
COMMENT ON TABLE "user" IS 'People';
COMMENT ON COLUMN "user"."displayName" IS 'Shown name';
COMMENT ON COLUMN "user".id IS e'multi\nline; -- not a comment';
COMMENT ON CONSTRAINT user_email_key ON "user" IS 'one account per mail';
COMMENT ON CONSTRAINT user_room_no_overlap ON "user" IS 'no double booking';
CREATE TABLE billing.account (
    org_id integer NOT NULL,
    account_no integer NOT NULL,
    owner_id bigint REFERENCES "user"(id) ON DELETE SET NULL,
    currency billing.currency NOT NULL DEFAULT 'EUR',
    feeling mood,
    label text,
    note text,
    PRIMARY KEY (org_id, account_no) INCLUDE (label),
    CONSTRAINT account_label_note_key UNIQUE NULLS NOT DISTINCT (label, note)
);
ALTER TABLE billing.account ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing.account FORCE ROW LEVEL SECURITY;
CREATE TABLE billing.entry (
    id serial PRIMARY KEY,
    org_id integer NOT NULL,
    account_no integer NOT NULL,
    amount bigint NOT NULL,
    user_id bigint,
    meta jsonb DEFAULT '{}'::jsonb,
    kind text DEFAULT 'x',
    FOREIGN KEY (org_id, account_no) REFERENCES billing.account (org_id, account_no)
        MATCH FULL ON DELETE CASCADE ON UPDATE CASCADE DEFERRABLE,
    CONSTRAINT entry_amount_check CHECK (amount <> 0) NO INHERIT,
    CONSTRAINT entry_kind_check CHECK (kind IN ('x', 'y', 'z'))
);
ALTER TABLE billing.entry ADD CONSTRAINT entry_user_fk FOREIGN KEY (user_id)
    REFERENCES "user"(id) ON UPDATE RESTRICT NOT VALID;
ALTER TABLE billing.entry ADD CONSTRAINT entry_amount_floor CHECK (amount > -1000) NOT VALID;
COMMENT ON CONSTRAINT entry_user_fk ON billing.entry IS 'who booked it';
COMMENT ON CONSTRAINT entry_amount_floor ON billing.entry IS 'not checked on old rows';
CREATE INDEX entry_meta_gin ON billing.entry USING gin (meta jsonb_path_ops);
COMMENT ON INDEX billing.entry_meta_gin IS 'jsonb paths';
CREATE INDEX user_lower_email_idx ON "user" (lower(email));
CREATE INDEX user_created_partial ON "user" (created_at DESC NULLS LAST) WHERE mood <> 'sad';
CREATE INDEX user_mood_in ON "user" (id) WHERE mood IN ('ok', 'happy');
CREATE INDEX user_mood_not_in ON "user" (id) WHERE mood NOT IN ('sad', 'it''s');
CREATE UNIQUE INDEX user_name_incl ON "user" ("displayName" COLLATE "C" text_pattern_ops, created_at DESC)
    INCLUDE (tags) NULLS NOT DISTINCT;
COMMENT ON INDEX user_lower_email_idx IS 'case-insensitive lookup';
CREATE UNLOGGED TABLE scratch (k text);
CREATE SEQUENCE ticket_seq OWNED BY scratch.k;
CREATE TABLE billing.events (
    id integer,
    at date NOT NULL,
    "Level" "Audit"."Level",
    PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE INDEX events_level ON billing.events ("Level");
CREATE TABLE "Audit"."Log" (
    "Id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    "UserId" bigint NOT NULL REFERENCES public."user"(id),
    "Level" "Audit"."Level" NOT NULL DEFAULT 'Low',
    "At" timestamp(3) without time zone DEFAULT CURRENT_TIMESTAMP(3),
    "Parent" bigint REFERENCES "Audit"."Log"("Id") DEFERRABLE INITIALLY DEFERRED
);
COMMENT ON TABLE "Audit"."Log" IS 'Audit trail';
COMMENT ON COLUMN "Audit"."Log"."Level" IS 'Severity';
CREATE TABLE "select" ("from" integer, "Weird ""quoted"" col" text);
CREATE TABLE nothing ();
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_model_feature_round_trips() {
    let db = TestDb::create("strata_rt_fixture").await;
    psql_apply_sql(&db.url, FIXTURE, true).unwrap_or_else(|e| panic!("fixture: {e}"));
    let original = round_trip_file("fixture", &db.url).await;
    // The fixture is what it claims to be.
    let c = original.counts();
    assert_eq!((c.namespaces, c.enums, c.sequences), (3, 3, 5), "{c:?}");
    assert!(original.unmanaged.is_empty());
    let user = original.table("public", "user").expect("\"user\"");
    assert!(user
        .column("local_part_no")
        .is_some_and(|c| c.generated.is_some()));
    let events = original.table("billing", "events").expect("billing.events");
    assert!(events.partition_by.is_some());
    let files: Vec<String> = ddl::schema_files(&original)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        files,
        [
            "00_extensions.sql",
            "01_types.sql",
            "10_Audit.sql",
            "11_public.sql",
            "12_billing.sql",
            "90_foreign_keys.sql"
        ],
        "Audit uses no other schema's types; public and billing use each other's"
    );
    round_trip_folder("fixture", &db.url, &original).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspected_corpus_databases_check_in_step_with_their_histories() {
    let Some(root) = corpus(2) else {
        return;
    };
    for case in ["drizzle-zero", "prisma-trigger.dev"] {
        let migrations = root.join(case).join("migrations");
        // Journal order for drizzle-kit, name order for Prisma.
        let history = load_history(&migrations).unwrap_or_else(|e| panic!("{case}: {e}"));
        let db = TestDb::create("strata_rt_corpus").await;
        apply_history_one_session(&db.url, &history);
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("inspected.sql");
        let out = out.to_string_lossy().into_owned();
        let o = strata(
            dir.path(),
            &["inspect", "--database-url", &db.url, "--out", &out],
        );
        assert_eq!(o.status.code(), Some(0), "{case}: {}", text(&o.stderr));
        let migrations = migrations.to_string_lossy().into_owned();
        let o = strata(
            dir.path(),
            &["check", "--schema", &out, "--migrations", &migrations],
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{case}: strata check of the inspected schema against its history\n{}{}",
            text(&o.stdout),
            text(&o.stderr)
        );
        // And the written schema builds the same database again.
        round_trip_file(case, &db.url).await;
    }
}

/// danbooru's `structure.sql` (pg_dump output with a `CREATE OPERATOR`):
/// applied with psql, inspected, written, applied to an empty database —
/// `pg_dump -s` of the two equal, the operator included (issue 10's last
/// round-trip gap), and the model read back equal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn danbooru_round_trips_with_its_operator() {
    let Some(root) = corpus(1) else {
        return;
    };
    let db = TestDb::create("strata_rt_danbooru").await;
    psql_apply(
        &db.url,
        &root.join("structure-danbooru/structure.sql"),
        true,
    )
    .unwrap();
    let original = inspect(&db.url).await;
    let op = &original.namespaces["public"].operators["~<<(text, text)"];
    assert_eq!(
        op.function,
        Some(strata_core::model::ObjectRef::new(
            "public",
            "reverse_textregexeq"
        ))
    );
    assert!(original.unmanaged.is_empty(), "{:?}", original.unmanaged);
    let sql = ddl::schema_sql(&original);
    assert!(
        sql.contains(
            "CREATE OPERATOR public.~<< (\n    FUNCTION = public.reverse_textregexeq,\n    \
             LEFTARG = text,\n    RIGHTARG = text\n);\n"
        ),
        "the operator is written"
    );
    let copy = TestDb::create("strata_rt_danbooru_copy").await;
    psql_apply_sql(&copy.url, &sql, true)
        .unwrap_or_else(|e| panic!("danbooru: the written SQL does not apply: {e}"));
    let (same, d) = support::judge::same_dump(&db.url, &copy.url).unwrap();
    assert!(
        same,
        "danbooru: pg_dump -s differs after the round trip:\n{d}"
    );
    let again = inspect(&copy.url).await;
    assert_same("danbooru", &original, &again);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmanaged_objects_are_listed_and_warned_about() {
    let db = TestDb::create("strata_rt_unmanaged").await;
    psql_apply_sql(
        &db.url,
        "CREATE TABLE t (id integer);
         CREATE VIEW v AS SELECT id FROM t;
         CREATE TYPE fr AS RANGE (SUBTYPE = float8);
         CREATE RULE t_keep AS ON DELETE TO t DO INSTEAD NOTHING;
         CREATE FUNCTION my_rn() RETURNS bigint LANGUAGE internal WINDOW AS 'window_row_number';
         CREATE FUNCTION f(a integer) RETURNS integer LANGUAGE sql AS 'SELECT a';",
        true,
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let o = strata(dir.path(), &["inspect", "--database-url", &db.url]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        out.contains(
            "-- unmanaged objects (not written; strata keeps them by name): 1\n\
             --   function public.my_rn()\n"
        ),
        "{out}"
    );
    // The range type is written, as pg_dump writes it.
    assert!(
        out.contains(
            "CREATE TYPE public.fr AS RANGE (\n    subtype = double precision,\n    \
             multirange_type_name = public.fr_multirange\n);\n"
        ),
        "{out}"
    );
    assert!(!out.contains("--   function public.f("), "{out}");
    // The rule is written, as pg_dump writes it.
    assert!(out.contains("CREATE RULE t_keep AS"), "{out}");
    // The function is written now, from its definition.
    assert!(
        out.contains(
            "CREATE OR REPLACE FUNCTION public.f(a integer)\n \
             RETURNS integer\n \
             LANGUAGE sql\n\
             AS $function$SELECT a$function$;\n"
        ),
        "{out}"
    );
    assert!(out.contains("CREATE TABLE public.t ("), "{out}");
    // The view is written too, as pg_dump writes it.
    assert!(
        out.contains("CREATE VIEW public.v AS\n SELECT t.id\n   FROM t;\n"),
        "{out}"
    );
    assert!(err.contains("warning: 1 unmanaged object"), "{err}");
    assert!(!err.contains(&db.url), "the URL is printed: {err}");
    assert!(err.contains(&db.name), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemas_flag_reads_only_the_named_schemas() {
    let db = TestDb::create("strata_rt_schemas").await;
    psql_apply_sql(
        &db.url,
        "CREATE SCHEMA a; CREATE SCHEMA b;
         CREATE TABLE a.x (id integer); CREATE TABLE b.y (id integer);
         CREATE TABLE z (id integer);",
        true,
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let o = strata(
        dir.path(),
        &["inspect", "--database-url", &db.url, "--schemas", "b, a"],
    );
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        out.contains("CREATE TABLE a.x (") && out.contains("CREATE TABLE b.y ("),
        "{out}"
    );
    assert!(!out.contains("CREATE TABLE z"), "{out}");
}

#[test]
fn errors_exit_2_without_printing_the_url_or_password() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 1.
    let url = "postgres://someone:s3cretpw@127.0.0.1:1/nowhere?connect_timeout=5";
    let o = strata(dir.path(), &["inspect", "--database-url", url]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(o.stdout.is_empty());
    assert!(err.contains("127.0.0.1:1/nowhere"), "{err}");
    assert!(!err.contains("s3cretpw") && !err.contains(url), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let o = strata(
        dir.path(),
        &["inspect", "--database-url", "postgres://u:pw@h:notaport/x"],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("invalid database URL"), "{err}");
    assert!(!err.contains(":pw@"), "{err}");

    let o = strata(dir.path(), &["inspect"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("no database given"), "{err}");

    let o = strata(
        dir.path(),
        &[
            "inspect",
            "--database-url",
            "postgres://x@127.0.0.1:1/y",
            "--schemas",
            ",",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
}
