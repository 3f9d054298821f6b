//! Each rule on small migrations: flagged where the model says it matters,
//! not flagged where it does not.

use std::sync::Arc;

use super::*;
use crate::source::SqlFile;

fn file(path: &str, text: &str) -> SqlFile {
    SqlFile {
        path: path.to_string(),
        text: Arc::from(text),
    }
}

/// Lints `migration` (run in a transaction) after the `history`.
fn run(history: &[&str], migration: &str) -> LintReport {
    run_tx(history, migration, TxMode::Wrapped)
}

fn run_tx(history: &[&str], migration: &str, tx: TxMode) -> LintReport {
    let history: Vec<SqlFile> = history
        .iter()
        .enumerate()
        .map(|(i, t)| file(&format!("V{}__h.sql", i + 1), t))
        .collect();
    lint(&history, &[file("new.sql", migration)], |_| tx).expect("lint")
}

fn rules(r: &LintReport) -> Vec<&'static str> {
    r.findings.iter().map(|f| f.rule).collect()
}

fn only(history: &[&str], migration: &str, rule: &str) -> Vec<String> {
    run(history, migration)
        .findings
        .into_iter()
        .filter(|f| f.rule == rule)
        .map(|f| f.message)
        .collect()
}

const T: &str = "CREATE TABLE t (id bigint PRIMARY KEY, name text, v varchar(10), n bigint);";

#[test]
fn index_on_an_existing_table_needs_concurrently_but_not_on_a_new_one() {
    let m = only(
        &[T],
        "CREATE INDEX t_name ON t (name);",
        "require-concurrent-index-creation",
    );
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(m[0].contains(" on t "), "{m:?}");
    assert!(m[0].contains("t_name"), "{m:?}");
    // Created in the same migration: empty, nothing to block.
    let r = run(
        &[],
        "CREATE TABLE u (a bigint);\nCREATE INDEX u_a ON u (a);",
    );
    assert!(
        !rules(&r).contains(&"require-concurrent-index-creation"),
        "{r:?}"
    );
    // Concurrently is fine outside a transaction, refused inside one.
    let r = run_tx(
        &[T],
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS t_name ON t (name);",
        TxMode::Outside,
    );
    assert!(r.findings.is_empty(), "{r:?}");
    let r = run(&[T], "CREATE INDEX CONCURRENTLY t_name ON t (name);");
    assert_eq!(rules(&r), ["ban-concurrent-index-creation-in-transaction"]);
}

#[test]
fn prisma_runs_a_single_statement_outside_a_transaction() {
    let one = run_tx(
        &[T],
        "CREATE INDEX CONCURRENTLY t_n ON t (n);",
        TxMode::Script,
    );
    assert!(
        !rules(&one).contains(&"ban-concurrent-index-creation-in-transaction"),
        "{one:?}"
    );
    let two = run_tx(
        &[T],
        "CREATE INDEX CONCURRENTLY t_n ON t (n);\nCREATE INDEX CONCURRENTLY t_m ON t (name);",
        TxMode::Script,
    );
    assert_eq!(
        rules(&two),
        [
            "ban-concurrent-index-creation-in-transaction",
            "ban-concurrent-index-creation-in-transaction"
        ]
    );
}

#[test]
fn drop_index_needs_concurrently_unless_the_index_is_new() {
    let h = [T, "CREATE INDEX t_n ON t (n);"];
    assert_eq!(
        only(&h, "DROP INDEX t_n;", "require-concurrent-index-deletion").len(),
        1
    );
    assert!(only(
        &[T],
        "CREATE TABLE u (a int);\nCREATE INDEX u_a ON u (a);\nDROP INDEX u_a;",
        "require-concurrent-index-deletion"
    )
    .is_empty());
    let r = run_tx(
        &h,
        "DROP INDEX CONCURRENTLY IF EXISTS t_n;",
        TxMode::Outside,
    );
    assert!(r.findings.is_empty(), "{r:?}");
}

#[test]
fn column_type_changes_rewrite_only_when_not_binary_coercible() {
    let msgs = |m: &str| only(&[T], m, "changing-column-type");
    assert!(msgs("ALTER TABLE t ALTER COLUMN v TYPE varchar(20);").is_empty());
    assert!(msgs("ALTER TABLE t ALTER COLUMN v TYPE text;").is_empty());
    let narrowed = msgs("ALTER TABLE t ALTER COLUMN v TYPE varchar(5);");
    assert_eq!(narrowed.len(), 1);
    assert!(
        narrowed[0].contains("character varying(10)") && narrowed[0].contains("rewritten"),
        "{narrowed:?}"
    );
    let h = ["CREATE TABLE t (id integer);"];
    assert_eq!(
        only(
            &h,
            "ALTER TABLE t ALTER COLUMN id TYPE bigint;",
            "changing-column-type"
        )
        .len(),
        1
    );
    // A table of this migration is empty.
    assert!(only(
        &[],
        "CREATE TABLE u (a int);\nALTER TABLE u ALTER COLUMN a TYPE bigint;",
        "changing-column-type"
    )
    .is_empty());
    // An enum: strata does not guess.
    let e = only(
        &[
            "CREATE TYPE mood AS ENUM ('a');",
            "CREATE TABLE t (m mood);",
        ],
        "ALTER TABLE t ALTER COLUMN m TYPE text;",
        "changing-column-type",
    );
    assert!(e[0].contains("cannot tell"), "{e:?}");
}

#[test]
fn volatile_defaults_rewrite_constant_and_stable_ones_do_not() {
    let msgs = |m: &str| only(&[T], m, "adding-field-with-default");
    assert!(msgs("ALTER TABLE t ADD COLUMN c bigint DEFAULT 0;").is_empty());
    assert!(msgs("ALTER TABLE t ADD COLUMN c timestamptz DEFAULT now();").is_empty());
    assert!(msgs("ALTER TABLE t ADD COLUMN c text DEFAULT 'x';").is_empty());
    let v = msgs("ALTER TABLE t ADD COLUMN c double precision DEFAULT random();");
    assert_eq!(v.len(), 1);
    assert!(
        v[0].contains("volatile") && v[0].contains("random()"),
        "{v:?}"
    );
    assert_eq!(
        msgs("ALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid();").len(),
        1
    );
    assert_eq!(msgs("ALTER TABLE t ADD COLUMN s bigserial;").len(), 1);
    // New table: no rows to rewrite.
    assert!(only(
        &[],
        "CREATE TABLE u (a int);\nALTER TABLE u ADD COLUMN c float8 DEFAULT random();",
        "adding-field-with-default"
    )
    .is_empty());
}

#[test]
fn set_not_null_is_fine_after_a_validated_check() {
    let m = "ALTER TABLE t ALTER COLUMN name SET NOT NULL;";
    assert_eq!(only(&[T], m, "adding-not-nullable-field").len(), 1);
    let checked = [
        T,
        "ALTER TABLE t ADD CONSTRAINT name_nn CHECK (name IS NOT NULL) NOT VALID;",
        "ALTER TABLE t VALIDATE CONSTRAINT name_nn;",
    ];
    assert!(only(&checked, m, "adding-not-nullable-field").is_empty());
    // Not validated yet: still a scan.
    let unvalidated = [
        T,
        "ALTER TABLE t ADD CONSTRAINT name_nn CHECK (name IS NOT NULL) NOT VALID;",
    ];
    assert_eq!(only(&unvalidated, m, "adding-not-nullable-field").len(), 1);
}

#[test]
fn required_columns_and_constraints_on_existing_tables() {
    assert_eq!(
        only(
            &[T],
            "ALTER TABLE t ADD COLUMN c text NOT NULL;",
            "adding-required-field"
        )
        .len(),
        1
    );
    assert!(only(
        &[T],
        "ALTER TABLE t ADD COLUMN c text NOT NULL DEFAULT '';",
        "adding-required-field"
    )
    .is_empty());
    let u = "CREATE TABLE u (id bigint PRIMARY KEY, t_id bigint);";
    assert_eq!(
        only(
            &[T, u],
            "ALTER TABLE u ADD CONSTRAINT fk FOREIGN KEY (t_id) REFERENCES t (id);",
            "adding-foreign-key-constraint"
        )
        .len(),
        1
    );
    assert!(only(
        &[T, u],
        "ALTER TABLE u ADD CONSTRAINT fk FOREIGN KEY (t_id) REFERENCES t (id) NOT VALID;",
        "adding-foreign-key-constraint"
    )
    .is_empty());
    assert_eq!(
        only(
            &[T],
            "ALTER TABLE t ADD CONSTRAINT pos CHECK (n > 0);",
            "constraint-missing-not-valid"
        )
        .len(),
        1
    );
    // NOT VALID then VALIDATE in the same transaction defeats NOT VALID.
    let same = only(
        &[T],
        "ALTER TABLE t ADD CONSTRAINT pos CHECK (n > 0) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT pos;",
        "constraint-missing-not-valid",
    );
    assert_eq!(same.len(), 1, "{same:?}");
    assert!(same[0].contains("same") || same[0].contains("transaction"));
    assert_eq!(
        only(
            &[T],
            "ALTER TABLE t ADD CONSTRAINT un UNIQUE (n);",
            "disallowed-unique-constraint"
        )
        .len(),
        1
    );
    assert!(only(
        &[T, "CREATE UNIQUE INDEX t_n ON t (n);"],
        "ALTER TABLE t ADD CONSTRAINT un UNIQUE USING INDEX t_n;",
        "disallowed-unique-constraint"
    )
    .is_empty());
    assert_eq!(
        only(
            &["CREATE TABLE p (id bigint NOT NULL);"],
            "ALTER TABLE p ADD PRIMARY KEY (id);",
            "adding-serial-primary-key-field"
        )
        .len(),
        1
    );
}

#[test]
fn drops_and_renames_of_existing_objects() {
    assert_eq!(only(&[T], "DROP TABLE t;", "ban-drop-table").len(), 1);
    assert!(only(
        &[],
        "CREATE TABLE u (a int);\nDROP TABLE u;",
        "ban-drop-table"
    )
    .is_empty());
    assert_eq!(
        only(&[T], "ALTER TABLE t DROP COLUMN name;", "ban-drop-column").len(),
        1
    );
    assert_eq!(
        only(
            &[T],
            "ALTER TABLE t ALTER COLUMN name DROP NOT NULL;",
            "ban-drop-not-null"
        )
        .len(),
        1
    );
    assert_eq!(
        only(
            &[T],
            "ALTER TABLE t RENAME COLUMN name TO title;",
            "renaming-column"
        )
        .len(),
        1
    );
    assert_eq!(
        only(&[T], "ALTER TABLE t RENAME TO things;", "renaming-table").len(),
        1
    );
    // A table renamed in the migration that created it stays new.
    let r = run(
        &[],
        "CREATE TABLE a (x int);\nALTER TABLE a RENAME TO b;\nCREATE INDEX ON b (x);",
    );
    assert!(!rules(&r).contains(&"renaming-table"), "{r:?}");
    assert!(
        !rules(&r).contains(&"require-concurrent-index-creation"),
        "{r:?}"
    );
    assert_eq!(
        only(&[], "DROP DATABASE prod;", "ban-drop-database"),
        ["drops database prod"]
    );
}

#[test]
fn dropping_a_column_names_the_views_cascade_drops() {
    let h = [T, "CREATE VIEW names AS SELECT id, name FROM t;"];
    let m = only(
        &h,
        "ALTER TABLE t DROP COLUMN name CASCADE;",
        "ban-drop-column",
    );
    assert_eq!(m.len(), 1);
    assert!(m[0].contains("names") && m[0].contains("CASCADE"), "{m:?}");
}

#[test]
fn column_types_in_new_tables() {
    let r = run(
        &[],
        "CREATE TABLE s (a char(3), b varchar(20), c timestamp, d int, e smallint, f serial, g text, h timestamptz, i bigint);",
    );
    let mut got = rules(&r);
    got.sort();
    assert_eq!(
        got,
        [
            "ban-char-field",
            "prefer-bigint-over-int",
            "prefer-bigint-over-int",
            "prefer-bigint-over-smallint",
            "prefer-identity",
            "prefer-text-field",
            "prefer-timestamptz"
        ]
    );
}

#[test]
fn domains_and_transactions() {
    assert_eq!(
        rules(&run(&[], "CREATE DOMAIN pos AS int CHECK (VALUE > 0);")),
        ["ban-create-domain-with-constraint"]
    );
    assert_eq!(
        rules(&run(
            &["CREATE DOMAIN pos AS bigint;"],
            "ALTER DOMAIN pos ADD CONSTRAINT p CHECK (VALUE > 0);"
        )),
        ["ban-alter-domain-with-add-constraint"]
    );
    let r = run(&[T], "BEGIN;\nALTER TABLE t ADD COLUMN x text;\nCOMMIT;");
    assert_eq!(rules(&r), ["transaction-nesting", "transaction-nesting"]);
    let r = run_tx(
        &[T],
        "BEGIN;\nALTER TABLE t ADD COLUMN IF NOT EXISTS x text;\nCOMMIT;",
        TxMode::Outside,
    );
    assert!(r.findings.is_empty(), "{r:?}");
}

#[test]
fn a_new_enum_value_used_in_the_same_transaction() {
    let h = [
        "CREATE TYPE mood AS ENUM ('ok');",
        "CREATE TABLE p (m mood);",
    ];
    let m = only(
        &h,
        "ALTER TYPE mood ADD VALUE 'sad';\nUPDATE p SET m = 'sad';",
        "unsafe-enum-value-use",
    );
    assert_eq!(m.len(), 1);
    assert!(m[0].contains("'sad'") && m[0].contains("mood"), "{m:?}");
    // Outside a transaction each statement commits: fine.
    let r = run_tx(
        &h,
        "ALTER TYPE mood ADD VALUE 'sad';\nUPDATE p SET m = 'sad';",
        TxMode::Outside,
    );
    assert!(r.findings.is_empty(), "{r:?}");
}

#[test]
fn allow_directives_accept_a_rule_for_one_statement() {
    let m = "-- strata:allow require-concurrent-index-creation\nCREATE INDEX a ON t (n);\nCREATE INDEX b ON t (name); -- strata:allow require-concurrent-index-creation, ban-drop-table\nCREATE INDEX c ON t (v);\n";
    let r = run(&[T], m);
    assert_eq!(rules(&r), ["require-concurrent-index-creation"]);
    assert_eq!(r.findings[0].location.line, 4);
    assert_eq!(r.allowed.get("require-concurrent-index-creation"), Some(&2));
}

#[test]
fn an_unknown_rule_in_an_allow_directive_is_an_error_at_the_directive() {
    let h: Vec<SqlFile> = vec![file("V1__t.sql", T)];
    let e = lint(
        &h,
        &[file(
            "new.sql",
            "SELECT 1;\n  -- strata:allow no-such-rule\nCREATE INDEX a ON t (n);",
        )],
        |_| TxMode::Wrapped,
    )
    .unwrap_err();
    let Error::Sql(e) = e else { panic!("{e:?}") };
    assert_eq!((e.location.line, e.location.column), (2, 3));
    assert!(e.message.contains("no-such-rule"), "{}", e.message);
    let e = lint(&h, &[file("new.sql", "-- strata:allow\nSELECT 1;")], |_| {
        TxMode::Wrapped
    })
    .unwrap_err();
    assert!(e.to_string().contains("names no rule"), "{e}");
}

#[test]
fn unknown_tables_do_not_stop_linting() {
    // Without the history: the table is unknown to the model.
    let r = run(
        &[],
        "ALTER TABLE ghost ALTER COLUMN a TYPE bigint;\nALTER TABLE ghost ALTER COLUMN a SET NOT NULL;\nCREATE INDEX ON ghost (a);\nALTER TABLE ghost ADD COLUMN c float8 DEFAULT random();",
    );
    assert_eq!(
        rules(&r),
        [
            "changing-column-type",
            "adding-not-nullable-field",
            "require-concurrent-index-creation",
            "adding-field-with-default"
        ]
    );
    assert_eq!(r.notes.len(), 4, "{:?}", r.notes);
    assert_eq!(r.notes[0].location.line, 1);
}

#[test]
fn findings_carry_location_help_and_link() {
    let r = run(&[T], "\n\n  CREATE INDEX a ON t (n);");
    let f = &r.findings[0];
    assert_eq!(
        (&*f.location.file, f.location.line, f.location.column),
        ("new.sql", 3, 3)
    );
    assert!(f
        .url
        .ends_with("docs/lint.md#require-concurrent-index-creation"));
    assert!(!f.help.is_empty());
    assert_eq!(f.level, Level::Error);
}

#[test]
fn parse_errors_are_errors_with_their_location() {
    let e = lint(
        &[],
        &[file("bad.sql", "SELECT 1;\nCREATE TABEL x ();")],
        |_| TxMode::Wrapped,
    )
    .unwrap_err();
    let Error::Sql(e) = e else { panic!("{e:?}") };
    assert_eq!(e.location.line, 2);
}

#[test]
fn tx_mode_follows_the_tool_and_the_first_line() {
    assert_eq!(TxMode::of(None, "CREATE TABLE a ();"), TxMode::Wrapped);
    assert_eq!(
        TxMode::of(
            None,
            "-- strata:no-transaction\nCREATE INDEX CONCURRENTLY …"
        ),
        TxMode::Outside
    );
    assert_eq!(
        TxMode::of(Some(HistoryFormat::Sqlx), "-- no-transaction\nSELECT 1;"),
        TxMode::Outside
    );
    assert_eq!(
        TxMode::of(Some(HistoryFormat::Prisma), "SELECT 1;"),
        TxMode::Script
    );
}

#[test]
fn robust_statements_matter_only_outside_a_transaction_with_many_statements() {
    let m = "CREATE TABLE a (x bigint);\nALTER TABLE t ADD COLUMN y text;\nALTER TABLE t DROP COLUMN name;";
    let r = run_tx(&[T], m, TxMode::Outside);
    assert_eq!(
        rules(&r)
            .into_iter()
            .filter(|r| *r == "prefer-robust-stmts")
            .count(),
        3,
        "{r:?}"
    );
    let robust = "CREATE TABLE IF NOT EXISTS a (x bigint);\nALTER TABLE t ADD COLUMN IF NOT EXISTS y text;\nALTER TABLE t DROP COLUMN IF EXISTS name;";
    let r = run_tx(&[T], robust, TxMode::Outside);
    assert!(!rules(&r).contains(&"prefer-robust-stmts"), "{r:?}");
    // In a transaction a failure undoes everything; one statement alone is
    // atomic too.
    assert!(!rules(&run(&[T], m)).contains(&"prefer-robust-stmts"));
    let one = run_tx(&[T], "CREATE TABLE a (x bigint);", TxMode::Outside);
    assert!(one.findings.is_empty(), "{one:?}");
    // A concurrent build that fails leaves an invalid index: always.
    let r = run_tx(
        &[T],
        "CREATE INDEX CONCURRENTLY i ON t (n);",
        TxMode::Outside,
    );
    assert_eq!(rules(&r), ["prefer-robust-stmts"]);
}

#[test]
fn constraints_written_on_an_added_column() {
    let u = "CREATE TABLE u (id bigint PRIMARY KEY);";
    let r = run(
        &[T, u],
        "ALTER TABLE u ADD COLUMN t_id bigint REFERENCES t (id);",
    );
    assert_eq!(rules(&r), ["adding-foreign-key-constraint"]);
    let r = run(&[T], "ALTER TABLE t ADD COLUMN code text UNIQUE;");
    assert_eq!(rules(&r), ["disallowed-unique-constraint"]);
    let r = run(&[T], "DROP INDEX CONCURRENTLY IF EXISTS nothing;");
    assert_eq!(rules(&r), ["ban-concurrent-index-creation-in-transaction"]);
}

#[test]
fn dropping_a_column_a_view_reads_without_cascade_says_so() {
    let h = [T, "CREATE VIEW names AS SELECT id, name FROM t;"];
    let r = run(&h, "ALTER TABLE t DROP COLUMN name;");
    assert_eq!(rules(&r), ["ban-drop-column"]);
    assert!(
        r.findings[0].message.contains("names") && r.findings[0].message.contains("refuses"),
        "{r:?}"
    );
    // PostgreSQL would refuse it: the model is left as it was, and said so.
    assert_eq!(r.notes.len(), 1, "{r:?}");
}

#[test]
fn a_literal_that_does_not_meet_the_enum_is_not_its_new_value() {
    let h = [
        "CREATE TYPE mood AS ENUM ('ok');",
        "CREATE TABLE p (m mood, note text);",
    ];
    // The same text in a text column: nothing to do with the enum.
    let r = run(
        &h,
        "ALTER TYPE mood ADD VALUE 'sad';\nUPDATE p SET note = 'sad';",
    );
    assert!(r.findings.is_empty(), "{r:?}");
    // A cast to the type names it.
    let r = run(&h, "ALTER TYPE mood ADD VALUE 'sad';\nSELECT 'sad'::mood;");
    assert_eq!(rules(&r), ["unsafe-enum-value-use"]);
}
