//! The differential suite: PostgreSQL judges, strata must agree.
//!
//! Every folder under `tests/differential/` is a case: two schemas `A` and
//! `B` (each `X.sql`, or a folder `X/` of refinery migrations applied in
//! version order). Each side is built once in its own throwaway database;
//! the judge is their normalized `pg_dump --schema-only`
//! (`support::judge`). Then, both ways (X → Y = A → B and B → A), the real
//! binary:
//!
//! - `strata check --schema X --migrations <history whose V1 is Y>`;
//! - `strata drift --database-url <db Y> --against schema:X`;
//! - `strata diff --from <db X> --to <db Y>` (every hazard allowed); when it
//!   plans, the plan is applied to a copy of db X and the judge must find
//!   it equal to db Y;
//! - `strata inspect` of db X, applied to a fresh database: the judge must
//!   find it equal to db X.
//!
//! The judge says different ⇒ check, drift and diff say different (exit 1),
//! or refuse (exit 2 with a message that says strata cannot prove it or
//! does not support the construct). The judge says equal ⇒ they all exit 0.
//! The test prints one row per case and direction and fails if any row
//! fails. `STRATA_DIFF_CASE=name[,name…]` runs only those cases.

use crate::support;

use support::judge::{copy_db, fresh_db, pg_dump, unified_diff};
use support::run_strata as strata;
use support::{psql_apply, psql_apply_sql, repo_root, strata_bin, TestDb};

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, Mutex};

/// Words by which an exit-2 message says strata cannot prove the schemas
/// equal or does not handle the construct.
const NOT_PROVEN: &[&str] = &[
    "cannot prove",
    "not supported",
    "unsupported",
    "not modelled",
    "refuse",
    "does not understand",
];

/// Cases run at once (each with its own databases).
const WORKERS: usize = 4;

/// Inspect round trips that lose an object strata keeps by name only: the
/// inspect output names it in its list of objects it did not write, and the
/// re-applied database lacks it (issue 11 writes them). `(case, direction,
/// what)`; each must still differ: one that starts passing must be removed.
/// Also user mappings whose options strata never writes (their values,
/// passwords mostly, are never printed: `ddl/foreign.rs`).
const INSPECT_BY_NAME_ONLY: &[(&str, &str, &str)] = &[
    (
        "fdw_mapping_password",
        "A→B",
        "user-mapping option values are never written",
    ),
    (
        "fdw_mapping_password",
        "B→A",
        "user-mapping option values are never written",
    ),
];

/// A side of a case: one SQL file, or a refinery folder.
#[derive(Clone)]
enum Side {
    File(PathBuf),
    History(Vec<PathBuf>),
}

impl Side {
    fn load(case: &Path, letter: &str) -> Result<Side, String> {
        let file = case.join(format!("{letter}.sql"));
        let dir = case.join(letter);
        match (file.is_file(), dir.is_dir()) {
            (true, false) => Ok(Side::File(file)),
            (false, true) => {
                let mut files: Vec<(u64, PathBuf)> = std::fs::read_dir(&dir)
                    .map_err(|e| format!("{}: {e}", dir.display()))?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "sql"))
                    .map(|p| {
                        let name = p.file_name().unwrap_or_default().to_string_lossy();
                        let version = name
                            .strip_prefix('V')
                            .and_then(|r| r.split("__").next())
                            .and_then(|v| v.parse::<u64>().ok())
                            .ok_or_else(|| {
                                format!("{}: not a refinery name V<n>__name.sql", p.display())
                            })?;
                        Ok((version, p))
                    })
                    .collect::<Result<_, String>>()?;
                files.sort();
                if files.is_empty() {
                    return Err(format!("{}: no migrations", dir.display()));
                }
                Ok(Side::History(files.into_iter().map(|(_, p)| p).collect()))
            }
            (true, true) => Err(format!(
                "{}: both {letter}.sql and {letter}/",
                case.display()
            )),
            (false, false) => Err(format!(
                "{}: neither {letter}.sql nor {letter}/",
                case.display()
            )),
        }
    }

    fn files(&self) -> Vec<&Path> {
        match self {
            Side::File(f) => vec![f.as_path()],
            Side::History(fs) => fs.iter().map(|p| p.as_path()).collect(),
        }
    }

    /// The side as one declared SQL file (a history is concatenated in
    /// order).
    fn declared(&self, work: &Path, tag: &str) -> PathBuf {
        match self {
            Side::File(f) => f.clone(),
            Side::History(fs) => {
                let mut text = String::new();
                for f in fs {
                    text.push_str(&std::fs::read_to_string(f).expect("read migration"));
                    text.push('\n');
                }
                let p = work.join(format!("declared_{tag}.sql"));
                std::fs::write(&p, text).expect("write declared");
                p
            }
        }
    }

    /// The side as a refinery history folder (a file becomes its V1).
    fn history(&self, work: &Path, tag: &str) -> PathBuf {
        let dir = work.join(format!("history_{tag}"));
        std::fs::create_dir_all(&dir).expect("history folder");
        match self {
            Side::File(f) => {
                std::fs::copy(f, dir.join(format!("V1__{tag}.sql"))).expect("copy V1");
            }
            Side::History(fs) => {
                for f in fs {
                    std::fs::copy(f, dir.join(f.file_name().expect("name"))).expect("copy");
                }
            }
        }
        dir
    }

    fn build(&self, prefix: &str) -> Result<TestDb, String> {
        let db = fresh_db(prefix);
        for f in self.files() {
            psql_apply(&db.url, f, false).map_err(|e| format!("{}: {e}", f.display()))?;
        }
        Ok(db)
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// What a command said.
#[derive(Clone, PartialEq)]
enum Verdict {
    Equal,
    Differ,
    /// Exit 2 with a message saying it cannot prove / does not support.
    Refused,
    /// Anything else: a wrong exit code, an exit 2 that does not say so, a
    /// crash.
    Error,
}

impl Verdict {
    fn of(o: &Output) -> Verdict {
        match o.status.code() {
            Some(0) => Verdict::Equal,
            Some(1) => Verdict::Differ,
            Some(2) => {
                let t = text(o).to_lowercase();
                if NOT_PROVEN.iter().any(|w| t.contains(w)) {
                    Verdict::Refused
                } else {
                    Verdict::Error
                }
            }
            _ => Verdict::Error,
        }
    }

    fn label(&self) -> &'static str {
        match self {
            Verdict::Equal => "equal",
            Verdict::Differ => "differ",
            Verdict::Refused => "refused",
            Verdict::Error => "ERROR",
        }
    }

    /// Does this answer keep strata's promise, given the judge's?
    fn sound(&self, judge_equal: bool) -> bool {
        if judge_equal {
            *self == Verdict::Equal
        } else {
            matches!(self, Verdict::Differ | Verdict::Refused)
        }
    }
}

struct Row {
    case: String,
    direction: &'static str,
    judge: String,
    check: String,
    drift: String,
    diff: String,
    plan: String,
    inspect: String,
    pass: bool,
    /// Why it failed: command output, dump diffs.
    details: String,
}

fn allow_all() -> String {
    strata_core::plan::Hazard::ALL
        .iter()
        .map(|h| h.name())
        .collect::<Vec<_>>()
        .join(",")
}

/// Applies each unit of a `strata diff --format json` plan.
fn apply_units(url: &str, v: &serde_json::Value) -> Result<(), String> {
    for u in v["units"].as_array().into_iter().flatten() {
        let sql = u["sql"].as_str().unwrap_or_default();
        let tx = u["transactional"].as_bool().unwrap_or(true);
        psql_apply_sql(url, sql, tx).map_err(|e| format!("the plan fails: {e}\n{sql}"))?;
    }
    Ok(())
}

fn excerpt(s: &str) -> String {
    const MAX: usize = 3000;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n… ({} more bytes)", &s[..end], s.len() - end)
}

/// One case, both ways.
fn run_case(case: &Path) -> Vec<Row> {
    let name = case
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let fail_all = |why: String| {
        vec![Row {
            case: name.clone(),
            direction: "-",
            judge: "-".into(),
            check: "-".into(),
            drift: "-".into(),
            diff: "-".into(),
            plan: "-".into(),
            inspect: "-".into(),
            pass: false,
            details: why,
        }]
    };
    let sides = match (Side::load(case, "A"), Side::load(case, "B")) {
        (Ok(a), Ok(b)) => [a, b],
        (Err(e), _) | (_, Err(e)) => return fail_all(e),
    };
    let work = tempfile::tempdir().expect("temp dir");
    let dbs = match (
        sides[0].build("strata_diffa"),
        sides[1].build("strata_diffb"),
    ) {
        (Ok(a), Ok(b)) => [a, b],
        (Err(e), _) | (_, Err(e)) => return fail_all(format!("does not apply: {e}")),
    };
    let dumps = match (pg_dump(&dbs[0].url), pg_dump(&dbs[1].url)) {
        (Ok(a), Ok(b)) => [a, b],
        (Err(e), _) | (_, Err(e)) => return fail_all(e),
    };
    let judge_diff = unified_diff("A", &dumps[0], "B", &dumps[1]);
    let judge_equal = judge_diff.is_empty();
    let allow = allow_all();
    let mut rows = Vec::new();
    for (x, y, direction) in [(0usize, 1usize, "A→B"), (1, 0, "B→A")] {
        let (xl, yl) = (["a", "b"][x], ["a", "b"][y]);
        let mut details = String::new();
        let note = |details: &mut String, label: &str, o: &Output| {
            let _ = writeln!(
                details,
                "--- strata {label} (exit {:?}):\n{}",
                o.status.code(),
                excerpt(text(o).trim_end())
            );
        };

        let declared = sides[x].declared(work.path(), xl);
        let history = sides[y].history(work.path(), yl);
        let declared_s = declared.to_string_lossy().into_owned();
        let o = strata(
            work.path(),
            &[
                "check",
                "--schema",
                &format!("schema:{declared_s}"),
                "--migrations",
                &format!("migrations:{}", history.to_string_lossy()),
            ],
        );
        let check = Verdict::of(&o);
        if !check.sound(judge_equal) {
            note(&mut details, "check", &o);
        }

        let o = strata(
            work.path(),
            &[
                "drift",
                "--database-url",
                &dbs[y].url,
                "--against",
                &format!("schema:{declared_s}"),
            ],
        );
        let drift = Verdict::of(&o);
        if !drift.sound(judge_equal) {
            note(&mut details, "drift", &o);
        }

        let o = strata(
            work.path(),
            &[
                "diff",
                "--from",
                &dbs[x].url,
                "--to",
                &dbs[y].url,
                "--format",
                "json",
                "--allow-hazards",
                &allow,
            ],
        );
        let diff = Verdict::of(&o);
        if !diff.sound(judge_equal) {
            note(&mut details, "diff", &o);
        }
        let (plan, plan_ok) = if diff == Verdict::Differ {
            let v: serde_json::Value =
                serde_json::from_slice(&o.stdout).unwrap_or(serde_json::Value::Null);
            let copy = copy_db("strata_diffp", &dbs[x]);
            let result = apply_units(&copy.url, &v).and_then(|()| pg_dump(&copy.url));
            match result {
                Ok(dump) => {
                    let d = unified_diff("expected (Y)", &dumps[y], "X + plan", &dump);
                    if d.is_empty() {
                        ("converges".to_string(), true)
                    } else {
                        let _ = writeln!(
                            details,
                            "--- the plan does not reach {}: pg_dump differs:\n{}\nplan:\n{}",
                            yl.to_uppercase(),
                            excerpt(&d),
                            excerpt(&text(&o))
                        );
                        ("WRONG".to_string(), false)
                    }
                }
                Err(e) => {
                    let _ = writeln!(details, "--- the plan: {}", excerpt(&e));
                    ("FAILS".to_string(), false)
                }
            }
        } else {
            ("-".to_string(), true)
        };

        let out_file = work.path().join(format!("inspect_{xl}.sql"));
        let o = strata(
            work.path(),
            &[
                "inspect",
                "--database-url",
                &dbs[x].url,
                "--out",
                &out_file.to_string_lossy(),
            ],
        );
        let (inspect, inspect_ok) = match o.status.code() {
            Some(0) => {
                let fresh = fresh_db("strata_diffi");
                let result =
                    psql_apply(&fresh.url, &out_file, false).and_then(|()| pg_dump(&fresh.url));
                match result {
                    Ok(dump) => {
                        let d = unified_diff("db", &dumps[x], "inspect re-applied", &dump);
                        if d.is_empty() {
                            ("same".to_string(), true)
                        } else {
                            let _ = writeln!(
                                details,
                                "--- strata inspect of {} re-applied: pg_dump differs:\n{}",
                                xl.to_uppercase(),
                                excerpt(&d)
                            );
                            ("DIFFERS".to_string(), false)
                        }
                    }
                    Err(e) => {
                        let _ = writeln!(
                            details,
                            "--- strata inspect output does not apply: {}",
                            excerpt(&e)
                        );
                        ("FAILS".to_string(), false)
                    }
                }
            }
            _ => {
                let v = Verdict::of(&o);
                if v == Verdict::Refused {
                    ("refused".to_string(), true)
                } else {
                    note(&mut details, "inspect", &o);
                    ("ERROR".to_string(), false)
                }
            }
        };

        // A listed inspect gap (an object kept by name only) must still be one.
        let (inspect, inspect_ok) = match INSPECT_BY_NAME_ONLY
            .iter()
            .find(|(c, d, _)| *c == name && *d == direction)
        {
            Some((_, _, what)) if !inspect_ok => (format!("by-name ({what})"), true),
            Some(_) => {
                let _ = writeln!(
                    details,
                    "--- listed in INSPECT_BY_NAME_ONLY but the round trip now passes: remove it"
                );
                (inspect, false)
            }
            None => (inspect, inspect_ok),
        };
        let pass = check.sound(judge_equal)
            && drift.sound(judge_equal)
            && diff.sound(judge_equal)
            && plan_ok
            && inspect_ok;
        if !pass && !judge_equal {
            let _ = writeln!(
                details,
                "--- the judge (pg_dump A → B):\n{}",
                excerpt(&judge_diff)
            );
        }
        rows.push(Row {
            case: name.clone(),
            direction,
            judge: if judge_equal { "equal" } else { "differ" }.to_string(),
            check: check.label().to_string(),
            drift: drift.label().to_string(),
            diff: diff.label().to_string(),
            plan,
            inspect,
            pass,
            details,
        });
    }
    rows
}

fn cases() -> Vec<PathBuf> {
    let root = repo_root().join("tests").join("differential");
    let only: Option<Vec<String>> = std::env::var("STRATA_DIFF_CASE")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|v| v.split(',').map(|s| s.trim().to_string()).collect());
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    if let Some(only) = only {
        for o in &only {
            assert!(
                cases.iter().any(|c| c.ends_with(o)),
                "STRATA_DIFF_CASE names {o}, which is not a folder under {}",
                root.display()
            );
        }
        cases.retain(|c| only.iter().any(|o| c.ends_with(o)));
    }
    cases
}

#[test]
fn strata_agrees_with_pg_dump_on_every_case() {
    let cases = cases();
    assert!(!cases.is_empty(), "no cases under tests/differential");
    // Build the binary before the workers start.
    let _ = strata_bin();
    let started = std::time::Instant::now();
    let queue = Arc::new(Mutex::new(cases.clone()));
    let results = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..WORKERS.min(cases.len()))
        .map(|_| {
            let queue = Arc::clone(&queue);
            let results = Arc::clone(&results);
            std::thread::spawn(move || loop {
                let next = queue.lock().expect("queue").pop();
                let Some(case) = next else { break };
                let rows = std::panic::catch_unwind(|| run_case(&case)).unwrap_or_else(|p| {
                    let why = p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    vec![Row {
                        case: case.file_name().unwrap().to_string_lossy().into_owned(),
                        direction: "-",
                        judge: "-".into(),
                        check: "-".into(),
                        drift: "-".into(),
                        diff: "-".into(),
                        plan: "-".into(),
                        inspect: "-".into(),
                        pass: false,
                        details: format!("panicked: {why}"),
                    }]
                });
                results.lock().expect("results").extend(rows);
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker");
    }
    let mut rows = std::mem::take(&mut *results.lock().expect("results"));
    rows.sort_by(|a, b| (&a.case, a.direction).cmp(&(&b.case, b.direction)));

    let width = rows.iter().map(|r| r.case.len()).max().unwrap_or(4).max(4);
    let mut table = format!(
        "{:width$}  {:4}  {:6}  {:7}  {:7}  {:7}  {:9}  {:7}  result\n",
        "case", "dir", "judge", "check", "drift", "diff", "plan", "inspect"
    );
    for r in &rows {
        let _ = writeln!(
            table,
            "{:width$}  {:4}  {:6}  {:7}  {:7}  {:7}  {:9}  {:7}  {}",
            r.case,
            r.direction,
            r.judge,
            r.check,
            r.drift,
            r.diff,
            r.plan,
            r.inspect,
            if r.pass { "PASS" } else { "FAIL" }
        );
    }
    let failed: Vec<&Row> = rows.iter().filter(|r| !r.pass).collect();
    let _ = writeln!(
        table,
        "{} rows, {} passed, {} failed ({} cases in {:.1} s)",
        rows.len(),
        rows.len() - failed.len(),
        failed.len(),
        cases.len(),
        started.elapsed().as_secs_f64()
    );
    eprintln!("{table}");
    for r in &failed {
        eprintln!(
            "==== FAIL {} {}\n{}",
            r.case,
            r.direction,
            r.details.trim_end()
        );
    }
    assert!(
        failed.is_empty(),
        "{} of {} rows fail: strata disagrees with pg_dump (table and details above)\n{table}",
        failed.len(),
        rows.len()
    );
}

/// The normalizer removes the dump's header, preamble, keys and blank runs,
/// and puts what pg_dump prints in column order into one order, and
/// nothing else (a later `SET` stays, other entries keep their order).
#[test]
fn the_normalizer_removes_only_what_never_means_a_difference() {
    let dump = "--\n-- PostgreSQL database dump\n--\n\n\\restrict abc\n\n-- Dumped from database version 15\n-- Dumped by pg_dump version 15\n\nSET x = 0;\nSELECT pg_catalog.set_config('search_path', '', false);\n\n\n--\n-- Name: t; Type: TABLE; Schema: public; Owner: o\n--\n\nCREATE TABLE public.t (\n    b text,\n    a integer\n);\nALTER TABLE ONLY public.t ALTER COLUMN b SET STORAGE EXTERNAL;\nALTER TABLE ONLY public.t ALTER COLUMN a SET STATISTICS 5;\n\n\nSET default_tablespace = x;\n\n--\n-- Name: COLUMN t.b; Type: COMMENT; Schema: public; Owner: o\n--\n\nCOMMENT ON COLUMN public.t.b IS 'b';\n\n\n--\n-- Name: COLUMN t.a; Type: COMMENT; Schema: public; Owner: o\n--\n\nCOMMENT ON COLUMN public.t.a IS 'a';\n\n\n--\n-- Name: z; Type: TABLE; Schema: public; Owner: o\n--\n\nCREATE TABLE public.z (\n);\n\n--\n-- Name: y; Type: TABLE; Schema: public; Owner: o\n--\n\nCREATE TABLE public.y (\n);\n\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict abc\n";
    assert_eq!(
        support::judge::normalize(dump),
        "--\n-- Name: t; Type: TABLE; Schema: public; Owner: o\n--\n\nCREATE TABLE public.t (\n    a integer,\n    b text\n);\nALTER TABLE ONLY public.t ALTER COLUMN a SET STATISTICS 5;\nALTER TABLE ONLY public.t ALTER COLUMN b SET STORAGE EXTERNAL;\n\nSET default_tablespace = x;\n\n--\n-- Name: COLUMN t.a; Type: COMMENT; Schema: public; Owner: o\n--\n\nCOMMENT ON COLUMN public.t.a IS 'a';\n\n--\n-- Name: COLUMN t.b; Type: COMMENT; Schema: public; Owner: o\n--\n\nCOMMENT ON COLUMN public.t.b IS 'b';\n\n--\n-- Name: z; Type: TABLE; Schema: public; Owner: o\n--\n\nCREATE TABLE public.z (\n);\n\n--\n-- Name: y; Type: TABLE; Schema: public; Owner: o\n--\n\nCREATE TABLE public.y (\n);\n"
    );
}

/// The judge itself on the server: column order is no difference, a
/// column's type is.
#[test]
fn the_judge_ignores_column_order_and_nothing_more() {
    let (same, d) = support::judge::same_schema(
        "CREATE TABLE t (a integer, b text);",
        "CREATE TABLE t (b text, a integer);",
    );
    assert!(same, "{d}");
    // Comments follow column order in pg_dump; they are no difference either.
    let (same, d) = support::judge::same_schema(
        "CREATE TABLE t (a integer, b text); COMMENT ON COLUMN t.a IS 'a'; COMMENT ON COLUMN t.b IS 'b';",
        "CREATE TABLE t (b text, a integer); COMMENT ON COLUMN t.a IS 'a'; COMMENT ON COLUMN t.b IS 'b';",
    );
    assert!(same, "{d}");
    let (same, d) = support::judge::same_schema(
        "CREATE TABLE t (a integer, b text);",
        "CREATE TABLE t (a bigint, b text);",
    );
    assert!(!same);
    assert!(
        d.contains("-    a integer,") && d.contains("+    a bigint,"),
        "{d}"
    );
}
