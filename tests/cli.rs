//! The real `strata` binary, driven as a user would.

use crate::support;

use support::repo_root;
use support::run_strata as strata;

use std::path::{Path, PathBuf};
use std::process::Output;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// A copy of the repository's worked example (strata.toml, schema, migrations).
fn example_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = repo_root();
    std::fs::copy(root.join("strata.toml"), dir.path().join("strata.toml")).unwrap();
    copy_dir(
        &root.join("schema").join("sql"),
        &dir.path().join("schema").join("sql"),
    );
    copy_dir(&root.join("migrations"), &dir.path().join("migrations"));
    dir
}

#[test]
fn check_reports_the_reference_in_step() {
    let o = strata(&repo_root(), &["check"]);
    let out = stdout(&o);
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout:\n{out}\nstderr:\n{}",
        stderr(&o)
    );
    assert!(out.contains("22 tables"), "{out}");
    assert!(out.contains("85 migrations"), "{out}");
    assert!(out.contains("in step"), "{out}");
}

#[test]
fn check_json_has_the_documented_shape() {
    let o = strata(&repo_root(), &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert_eq!(v["status"], "in_step");
    assert_eq!(v["counts"]["migrations"], 85);
    assert_eq!(v["counts"]["tables"], 22);
    assert_eq!(v["format"], "refinery");
    assert!(v["differences"].as_array().is_some_and(|d| d.is_empty()));
}

#[test]
fn check_from_a_subdirectory_finds_strata_toml() {
    let o = strata(&repo_root().join("schema"), &["check"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn a_migration_that_changes_a_column_makes_check_exit_1_naming_table_column_and_file() {
    let dir = example_copy();
    std::fs::write(
        dir.path().join("migrations").join("V86__widen_depth.sql"),
        "ALTER TABLE agent_step ALTER COLUMN step_number SET DATA TYPE bigint;\n",
    )
    .unwrap();
    let o = strata(dir.path(), &["check"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(
        out.contains("column public.agent_step.step_number"),
        "{out}"
    );
    assert!(out.contains("declared:   integer"), "{out}");
    assert!(out.contains("migrations: bigint"), "{out}");
    assert!(out.contains("V86__widen_depth.sql:1:1"), "{out}");
    insta::assert_snapshot!("check_text_report_with_a_difference", out);
    let o = strata(dir.path(), &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!("check_json_report_with_a_difference", stdout(&o));
}

#[test]
fn a_garbage_statement_makes_check_exit_2_with_file_line_column() {
    let dir = example_copy();
    std::fs::write(
        dir.path().join("migrations").join("V86__oops.sql"),
        "-- a mistake\nSELECT 1;\nfrobnicate everything;\n",
    )
    .unwrap();
    let o = strata(dir.path(), &["check"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("V86__oops.sql:3:1"), "{err}");
    assert!(err.contains("frobnicate"), "{err}");
}

#[test]
fn ignored_statements_are_counted_not_silently_dropped() {
    let dir = example_copy();
    std::fs::write(
        dir.path().join("migrations").join("V86__vendor.sql"),
        "-- strata:ignore\nfrobnicate everything;\n",
    )
    .unwrap();
    let o = strata(dir.path(), &["check"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(out.contains("1 ignored statement\n"), "{out}");
    assert!(out.contains("V86__vendor.sql:2:1"), "{out}");
}

/// Every bad input under tests/fixtures/bad exits 2 with a pinned message.
#[test]
fn bad_inputs_exit_2_with_pinned_messages() {
    let root = repo_root().join("tests").join("fixtures").join("bad");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 14, "catalogue shrank: {}", cases.len());
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let o = strata(
            &case,
            &[
                "check",
                "--schema",
                "schema.sql",
                "--migrations",
                "migrations",
            ],
        );
        let err = stderr(&o);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{name}: expected exit 2\nstdout:{}\nstderr:{err}",
            stdout(&o)
        );
        assert!(!err.contains("panicked"), "{name} panicked: {err}");
        insta::with_settings!({ snapshot_suffix => name.clone(), prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("bad_input", err);
        });
    }
}

#[test]
fn drizzle_and_prisma_corpus_histories_check_in_step() {
    let corpus = match std::env::var_os("STRATA_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => repo_root().join("..").join("shared").join("corpus"),
    };
    if !corpus.is_dir() {
        assert!(std::env::var_os("CI").is_none(), "corpus missing in CI");
        eprintln!("!!! shared corpus not found: 2 corpus check cases were NOT run");
        return;
    }
    for case in ["drizzle-zero", "prisma-trigger.dev"] {
        let dir = corpus.join(case);
        let o = strata(
            &dir,
            &[
                "check",
                "--schema",
                "final_schema.sql",
                "--migrations",
                "migrations",
            ],
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{case}:\n{}{}",
            stdout(&o),
            stderr(&o)
        );
    }
}

#[test]
fn committed_docs_page_is_current() {
    let o = strata(&repo_root(), &["docs"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let committed = std::fs::read_to_string(repo_root().join("docs").join("database.md")).unwrap();
    assert!(
        stdout(&o) == committed,
        "docs/database.md is stale: regenerate it with `cargo run -p pgstrata-cli -- docs --out docs/database.md`"
    );
}

/// One small history per tool strata reads, each declaring the same schema.
#[test]
fn every_supported_history_format_checks_in_step() {
    let root = repo_root().join("tests").join("fixtures").join("formats");
    let expected = [
        ("dbmate", "dbmate"),
        ("diesel", "diesel"),
        ("drizzle", "drizzle"),
        ("golang_migrate", "golang_migrate"),
        ("prisma", "prisma"),
        ("refinery", "refinery"),
        ("sqlx", "sqlx"),
        ("sqlx_reversible", "golang_migrate"),
    ];
    for (case, format) in expected {
        let dir = root.join(case);
        let o = strata(
            &dir,
            &[
                "check",
                "--schema",
                "schema.sql",
                "--migrations",
                "migrations",
                "--format",
                "json",
            ],
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{case}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["format"], format, "{case}");
        assert_eq!(
            v["counts"]["migrations"],
            3 + usize::from(case == "diesel"),
            "{case}"
        );
        assert_eq!(v["counts"]["tables"], 2, "{case}");
    }
}

/// Runs `strata check` on a declared schema of one generated statement
/// against a one-migration history; returns the output.
fn check_generated_schema(schema: &[u8]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("schema.sql"), schema).unwrap();
    let migrations = dir.path().join("migrations");
    std::fs::create_dir(&migrations).unwrap();
    std::fs::write(
        migrations.join("V1__big.sql"),
        "CREATE TABLE big (id int);\n",
    )
    .unwrap();
    strata(
        dir.path(),
        &[
            "check",
            "--schema",
            "schema.sql",
            "--migrations",
            "migrations",
        ],
    )
}

const MIB: usize = 1024 * 1024;

/// `strata check` on a declared schema whose second statement is a
/// `COMMENT` with a 100 MiB string, followed by `tail`: exit 2 without a
/// panic, and stderr (asserted short: a window of the line, never the
/// 100 MiB line itself) for the caller's checks.
fn check_100_mib_comment_then(tail: &[u8]) -> String {
    let mut sql = b"CREATE TABLE big (id int);\nCOMMENT ON TABLE big IS '".to_vec();
    sql.resize(sql.len() + 100 * MIB, b'x');
    sql.extend_from_slice(tail);
    let o = check_generated_schema(&sql);
    let e = stderr(&o);
    let head = &e[..e.len().min(2000)];
    assert_eq!(o.status.code(), Some(2), "stderr starts: {head}");
    assert!(!e.contains("panicked"), "{head}");
    assert!(e.len() < 16 * 1024, "stderr is {} bytes", e.len());
    e
}

#[test]
fn a_100_mb_statement_is_an_error_with_a_short_excerpt_not_a_crash() {
    // One statement of 100 MiB: a string literal that is never closed.
    let e = check_100_mib_comment_then(b"\n");
    assert!(e.contains("schema.sql:2:25"), "{e}");
    assert!(e.contains("never closed"), "{e}");
}

#[test]
fn an_error_at_the_end_of_a_100_mb_statement_is_located_there() {
    // A 100 MiB string, then garbage: the error is at the garbage, column
    // counted in characters on line 2, and shown in a short window.
    let e = check_100_mib_comment_then(b"' garbage;\n");
    let column = 25 + 100 * MIB + 2 + 1;
    assert!(e.contains(&format!("schema.sql:2:{column}")), "{e}");
    assert!(e.contains("garbage"), "{e}");
}

#[test]
fn an_error_inside_a_long_line_shows_a_window_with_its_label() {
    // A 1 MiB line with the error in its middle: the excerpt shows the
    // bytes around the error and the label under them.
    let mut sql = b"CREATE TABLE big (id int CHECK (id IN (".to_vec();
    for _ in 0..(MIB / 8) {
        sql.extend_from_slice(b"1, 2, 3,");
    }
    sql.extend_from_slice(b" 4 5, 6));\n");
    let o = check_generated_schema(&sql);
    let e = stderr(&o);
    assert_eq!(
        o.status.code(),
        Some(2),
        "stderr starts: {}",
        &e[..e.len().min(2000)]
    );
    assert!(e.contains("schema.sql:1:"), "{e}");
    assert!(
        e.contains("3, 4 5, 6"),
        "the window shows the error's surroundings:\n{e}"
    );
    assert!(e.len() < 8 * 1024, "stderr is {} bytes", e.len());
}

/// Shell completions and the man page come from the same clap definition
/// as `--help`: every subcommand is in them, the bash script is valid bash,
/// and an unknown shell is a usage error.
#[test]
fn completions_and_the_man_page_cover_every_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let subcommands = [
        "init", "check", "inspect", "migrate", "status", "drift", "docs", "codegen", "diff", "new",
        "lint",
    ];
    let bash = strata(dir.path(), &["completions", "bash"]);
    assert!(bash.status.success(), "{}", stderr(&bash));
    let script = stdout(&bash);
    for s in subcommands {
        assert!(script.contains(s), "bash completion lacks {s}");
    }
    let file = dir.path().join("strata.bash");
    std::fs::write(&file, &script).unwrap();
    let syntax = std::process::Command::new("bash")
        .arg("-n")
        .arg(&file)
        .output()
        .unwrap();
    assert!(syntax.status.success(), "{}", stderr(&syntax));
    let zsh = strata(dir.path(), &["completions", "zsh"]);
    assert!(
        stdout(&zsh).starts_with("#compdef strata"),
        "{}",
        stdout(&zsh)
    );
    let man = strata(dir.path(), &["man"]);
    assert!(man.status.success(), "{}", stderr(&man));
    let page = stdout(&man);
    assert!(page.contains(".TH strata 1"), "{page}");
    assert!(page.contains(".SH SUBCOMMANDS"), "{page}");
    for s in subcommands {
        assert!(
            page.contains(&format!("strata\\-{s}")),
            "the man page lacks {s}"
        );
    }
    let bad = strata(dir.path(), &["completions", "nosuch"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("possible values"), "{}", stderr(&bad));
}
