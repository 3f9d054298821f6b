//! `strata lint`: the real binary on a small history in every format, the
//! `-- strata:allow` directive, bad input, SARIF checked against the
//! required properties of the SARIF 2.1.0 schema, and the shared corpus
//! linted whole with counts checked by an independent scan.

use crate::support;

use support::repo_root;
use support::run_strata as strata;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Output;
use std::sync::Arc;

use serde_json::Value;
use strata_core::lint::{lint, LintReport, TxMode, RULES};
use strata_core::source::{load_history, SqlFile};
use strata_core::split;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A project: strata.toml naming a refinery history of two migrations, the
/// second indexing the table the first created.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("strata.toml"), "migrations = \"migrations\"\n").unwrap();
    std::fs::create_dir(p.join("migrations")).unwrap();
    std::fs::write(
        p.join("migrations/V1__accounts.sql"),
        "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);\n\
         CREATE INDEX accounts_email_new ON accounts (email);\n",
    )
    .unwrap();
    std::fs::write(
        p.join("migrations/V2__index.sql"),
        "-- a hand-written index\nCREATE INDEX accounts_email ON accounts (email);\n",
    )
    .unwrap();
    dir
}

#[test]
fn lints_the_configured_history_with_the_model_of_each_point() {
    let dir = project();
    let o = strata(dir.path(), &["lint"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{}", stderr(&o));
    // The index of V1 is on a table V1 creates: no finding. V2's is.
    assert!(
        out.contains("migrations/V2__index.sql:2:1: error[require-concurrent-index-creation] creates index accounts_email on accounts without CONCURRENTLY"),
        "{out}"
    );
    assert!(!out.contains("V1__accounts.sql"), "{out}");
    assert!(out.contains("help: CREATE INDEX CONCURRENTLY"), "{out}");
    assert!(
        out.contains("docs/lint.md#require-concurrent-index-creation"),
        "{out}"
    );
    assert!(
        out.contains("1 finding in 2 files (3 statements): require-concurrent-index-creation 1"),
        "{out}"
    );
}

#[test]
fn files_are_linted_as_the_next_migrations_after_the_history() {
    let dir = project();
    let p = dir.path();
    std::fs::write(
        p.join("next.sql"),
        "ALTER TABLE accounts ALTER COLUMN email TYPE varchar(100);\n\
         ALTER TABLE accounts ADD COLUMN n integer;\n\
         CREATE TABLE fresh (id bigint);\nCREATE INDEX fresh_id ON fresh (id);\n",
    )
    .unwrap();
    let o = strata(p, &["lint", "next.sql", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["status"], "findings");
    assert_eq!(v["files"], 1);
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    // text → varchar(100) checks every value: a rewrite (strata knows the
    // column is text from the history); the new table's index is fine.
    assert_eq!(
        rules,
        [
            "prefer-text-field",
            "changing-column-type",
            "prefer-bigint-over-int"
        ]
    );
    let f = &v["findings"][1];
    assert_eq!(f["location"]["file"], "next.sql");
    assert_eq!(f["location"]["line"], 1);
    assert_eq!(f["location"]["column"], 1);
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("from text to character varying(100)"),
        "{f}"
    );
    assert_eq!(v["counts"]["changing-column-type"], 1);

    // Without strata.toml the file is linted alone: the table is unknown,
    // replay notes it, and what can be said is said.
    let alone = tempfile::tempdir().unwrap();
    std::fs::copy(p.join("next.sql"), alone.path().join("next.sql")).unwrap();
    let o = strata(alone.path(), &["lint", "next.sql", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert!(!v["notes"].as_array().unwrap().is_empty(), "{v}");
    assert!(
        v["findings"][1]["message"]
            .as_str()
            .unwrap()
            .contains("does not know"),
        "{v}"
    );
}

#[test]
fn a_clean_migration_exits_zero() {
    let dir = project();
    std::fs::write(
        dir.path().join("ok.sql"),
        "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz);\n",
    )
    .unwrap();
    let o = strata(dir.path(), &["lint", "ok.sql"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("0 findings in 1 file (1 statement)"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn github_annotations_carry_file_line_column_and_rule() {
    let dir = project();
    let o = strata(dir.path(), &["lint", "--format", "github"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let first = out.lines().next().unwrap();
    assert!(
        first.starts_with(
            "::error file=migrations/V2__index.sql,line=2,col=1,title=strata lint%3A require-concurrent-index-creation::creates index accounts_email"
        ),
        "{out}"
    );
    // Help and link on the following lines of the message, escaped.
    assert!(
        first.contains("%0Ahelp: ") && first.contains("%0Asee: "),
        "{first}"
    );
}

#[test]
fn allow_directives_accept_a_finding_and_unknown_rules_are_errors() {
    let dir = project();
    let p = dir.path();
    std::fs::write(
        p.join("migrations/V2__index.sql"),
        "-- strata:allow require-concurrent-index-creation\nCREATE INDEX accounts_email ON accounts (email);\n",
    )
    .unwrap();
    let o = strata(p, &["lint", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["allowed"]["require-concurrent-index-creation"], 1);

    std::fs::write(
        p.join("migrations/V2__index.sql"),
        "CREATE INDEX accounts_email ON accounts (email); -- strata:allow require-concurent-index-creation\n",
    )
    .unwrap();
    let o = strata(p, &["lint"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("migrations/V2__index.sql:1:50")
            && err.contains("unknown lint rule `require-concurent-index-creation`"),
        "{err}"
    );
    let o = strata(p, &["lint", "--format", "github"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stdout(&o).starts_with("::error file=migrations/V2__index.sql,line=1,col=50,"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn bad_input_exits_two_with_a_location() {
    let dir = project();
    let o = strata(dir.path(), &["lint", "missing.sql"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("missing.sql"), "{}", stderr(&o));
    std::fs::write(
        dir.path().join("bad.sql"),
        "SELECT 1;\nCREATE TABEL x ();\n",
    )
    .unwrap();
    let o = strata(dir.path(), &["lint", "bad.sql", "--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["status"], "error");
    assert!(
        v["error"]["location"]
            .as_str()
            .unwrap()
            .starts_with("bad.sql:2:"),
        "{v}"
    );
    // No configuration and no files: nothing to lint.
    let empty = tempfile::tempdir().unwrap();
    let o = strata(empty.path(), &["lint"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nothing to lint"), "{}", stderr(&o));
}

// ---------------------------------------------------------------- SARIF

fn fail(path: &str, what: &str) -> ! {
    panic!("SARIF 2.1.0: {path}: {what}")
}

fn obj<'a>(v: &'a Value, path: &str) -> &'a serde_json::Map<String, Value> {
    v.as_object()
        .unwrap_or_else(|| fail(path, "must be an object"))
}

fn arr<'a>(v: &'a Value, path: &str) -> &'a Vec<Value> {
    v.as_array()
        .unwrap_or_else(|| fail(path, "must be an array"))
}

fn required<'a>(o: &'a serde_json::Map<String, Value>, key: &str, path: &str) -> &'a Value {
    o.get(key)
        .unwrap_or_else(|| fail(path, &format!("required property `{key}` is missing")))
}

fn only_known(o: &serde_json::Map<String, Value>, known: &[&str], path: &str) {
    for k in o.keys() {
        if !known.contains(&k.as_str()) {
            fail(
                path,
                &format!("property `{k}` is not defined by the schema"),
            );
        }
    }
}

fn string<'a>(v: &'a Value, path: &str) -> &'a str {
    v.as_str().unwrap_or_else(|| fail(path, "must be a string"))
}

/// `message` / `multiformatMessageString`: `text` required here (the
/// schema accepts `id` instead for a message; strata always writes text).
fn message(v: &Value, path: &str) {
    let o = obj(v, path);
    string(required(o, "text", path), &format!("{path}.text"));
}

fn positive(v: &Value, path: &str) {
    if v.as_u64().is_none_or(|n| n < 1) {
        fail(path, "must be an integer >= 1");
    }
}

fn location(v: &Value, path: &str) {
    let l = obj(v, path);
    let pl = obj(
        required(l, "physicalLocation", path),
        &format!("{path}.physicalLocation"),
    );
    let al = obj(
        required(pl, "artifactLocation", path),
        &format!("{path}.physicalLocation.artifactLocation"),
    );
    let uri = string(required(al, "uri", path), "uri");
    if uri.contains(' ') || uri.contains('\\') {
        fail(path, &format!("uri `{uri}` is not a URI reference"));
    }
    let region = obj(required(pl, "region", path), &format!("{path}.region"));
    positive(
        required(region, "startLine", path),
        &format!("{path}.region.startLine"),
    );
    positive(
        required(region, "startColumn", path),
        &format!("{path}.region.startColumn"),
    );
}

/// The properties SARIF 2.1.0 (OASIS standard, schema
/// `sarif-schema-2.1.0.json`) requires of what strata writes: `sarifLog`
/// needs `version` ("2.1.0") and `runs`; a `run` needs `tool`; a `tool`
/// needs `driver`; a `toolComponent` needs `name`; a
/// `reportingDescriptor` needs `id`; a `result` needs `message`; an
/// `invocation` needs `executionSuccessful`; a `notification` needs
/// `message`. `level` is one of none, note, warning, error; `ruleIndex`
/// points at the rule whose id is `ruleId`; `helpUri` is an absolute URI.
/// Returns the results' rule ids.
fn validate_sarif(v: &Value) -> Vec<String> {
    let root = obj(v, "sarifLog");
    only_known(
        root,
        &[
            "$schema",
            "version",
            "runs",
            "inlineExternalProperties",
            "properties",
        ],
        "sarifLog",
    );
    assert_eq!(
        string(required(root, "version", "sarifLog"), "version"),
        "2.1.0"
    );
    let schema = string(required(root, "$schema", "sarifLog"), "$schema");
    assert!(
        schema.starts_with("https://") && schema.contains("2.1.0"),
        "{schema}"
    );
    let runs = arr(required(root, "runs", "sarifLog"), "runs");
    assert_eq!(runs.len(), 1);
    let mut ids = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let rp = format!("runs[{i}]");
        let r = obj(run, &rp);
        let tool = obj(required(r, "tool", &rp), &format!("{rp}.tool"));
        let driver = obj(required(tool, "driver", &rp), &format!("{rp}.tool.driver"));
        assert_eq!(string(required(driver, "name", "driver"), "name"), "strata");
        let rules = arr(required(driver, "rules", "driver"), "driver.rules");
        let mut rule_ids = Vec::new();
        for (j, rule) in rules.iter().enumerate() {
            let p = format!("driver.rules[{j}]");
            let o = obj(rule, &p);
            only_known(
                o,
                &[
                    "id",
                    "deprecatedIds",
                    "guid",
                    "deprecatedGuids",
                    "name",
                    "deprecatedNames",
                    "shortDescription",
                    "fullDescription",
                    "messageStrings",
                    "defaultConfiguration",
                    "helpUri",
                    "help",
                    "relationships",
                    "properties",
                ],
                &p,
            );
            rule_ids.push(string(required(o, "id", &p), "id").to_string());
            message(
                required(o, "shortDescription", &p),
                &format!("{p}.shortDescription"),
            );
            let help_uri = string(required(o, "helpUri", &p), "helpUri");
            assert!(
                help_uri.contains("://") && help_uri.contains('#'),
                "{help_uri}"
            );
            let level = &o["defaultConfiguration"]["level"];
            assert!(
                ["none", "note", "warning", "error"].contains(&string(level, "level")),
                "{level}"
            );
        }
        let unique: BTreeSet<&String> = rule_ids.iter().collect();
        assert_eq!(unique.len(), rule_ids.len(), "rule ids are unique");
        for (k, inv) in arr(required(r, "invocations", &rp), "invocations")
            .iter()
            .enumerate()
        {
            let p = format!("{rp}.invocations[{k}]");
            let o = obj(inv, &p);
            assert!(required(o, "executionSuccessful", &p).is_boolean());
            for (n, note) in arr(&o["toolExecutionNotifications"], "notifications")
                .iter()
                .enumerate()
            {
                let np = format!("{p}.toolExecutionNotifications[{n}]");
                message(required(obj(note, &np), "message", &np), &np);
            }
        }
        for (k, res) in arr(required(r, "results", &rp), "results")
            .iter()
            .enumerate()
        {
            let p = format!("{rp}.results[{k}]");
            let o = obj(res, &p);
            only_known(
                o,
                &[
                    "ruleId",
                    "ruleIndex",
                    "rule",
                    "kind",
                    "level",
                    "message",
                    "analysisTarget",
                    "locations",
                    "guid",
                    "correlationGuid",
                    "occurrenceCount",
                    "partialFingerprints",
                    "fingerprints",
                    "stacks",
                    "codeFlows",
                    "graphs",
                    "graphTraversals",
                    "relatedLocations",
                    "suppressions",
                    "baselineState",
                    "rank",
                    "attachments",
                    "hostedViewerUri",
                    "workItemUris",
                    "provenance",
                    "fixes",
                    "taxa",
                    "webRequest",
                    "webResponse",
                    "properties",
                ],
                &p,
            );
            message(required(o, "message", &p), &format!("{p}.message"));
            let id = string(&o["ruleId"], "ruleId");
            let index = o["ruleIndex"]
                .as_u64()
                .unwrap_or_else(|| fail(&p, "ruleIndex must be an integer"))
                as usize;
            assert_eq!(rule_ids.get(index).map(String::as_str), Some(id), "{p}");
            assert!(["none", "note", "warning", "error"].contains(&string(&o["level"], "level")));
            let locations = arr(&o["locations"], "locations");
            assert!(!locations.is_empty(), "{p}");
            for (n, l) in locations.iter().enumerate() {
                location(l, &format!("{p}.locations[{n}]"));
            }
            ids.push(id.to_string());
        }
    }
    ids
}

#[test]
fn sarif_output_has_every_property_the_schema_requires() {
    let dir = project();
    let p = dir.path();
    std::fs::write(
        p.join("migrations/V3__more.sql"),
        "ALTER TABLE accounts ADD COLUMN code char(4);\nALTER TABLE ghost ADD COLUMN x text;\n",
    )
    .unwrap();
    let o = strata(p, &["lint", "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).expect("SARIF is JSON");
    let ids = validate_sarif(&v);
    assert_eq!(
        ids,
        ["require-concurrent-index-creation", "ban-char-field"],
        "{v:#}"
    );
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), RULES.len());
    let r = &v["runs"][0]["results"][1];
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "migrations/V3__more.sql"
    );
    assert_eq!(r["level"], "warning");
    // The ALTER of an unknown table is a notification, not a result.
    let notes = v["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
}

#[test]
fn the_sarif_check_rejects_what_the_schema_rejects() {
    let good = serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{ "tool": { "driver": { "name": "strata", "rules": [] } }, "invocations": [], "results": [] }]
    });
    validate_sarif(&good);
    // The rejections are panics: keep them off the output.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    for broken in [
        serde_json::json!({ "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "runs": [] }),
        serde_json::json!({ "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [{ "tool": {} }] }),
        serde_json::json!({ "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [{ "tool": { "driver": { "name": "strata", "rules": [] } }, "invocations": [], "results": [{ "ruleId": "x", "ruleIndex": 0, "level": "error" }] }] }),
    ] {
        let r = std::panic::catch_unwind(|| validate_sarif(&broken));
        assert!(r.is_err(), "accepted {broken}");
    }
    std::panic::set_hook(hook);
}

// --------------------------------------------------------------- corpus

fn corpus() -> Option<PathBuf> {
    let root = match std::env::var_os("STRATA_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => repo_root().join("..").join("shared").join("corpus"),
    };
    root.join("prisma-trigger.dev").is_dir().then_some(root)
}

/// `CREATE [UNIQUE] INDEX` without CONCURRENTLY on a table the same file
/// does not create, counted from the statements' words alone (no parser,
/// no model): the independent count of require-concurrent-index-creation.
fn scan_plain_indexes_on_older_tables(files: &[SqlFile]) -> usize {
    let name_after = |w: &[String], i: usize| -> Option<String> {
        // `"schema"."t"` or `t`: the last part, unquoted, as PostgreSQL folds it.
        let mut j = i;
        let mut last = w.get(j)?.clone();
        while w.get(j + 1).map(String::as_str) == Some(".") {
            last = w.get(j + 2)?.clone();
            j += 2;
        }
        Some(
            match last.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                Some(q) => q.replace("\"\"", "\""),
                None => last.to_lowercase(),
            },
        )
    };
    let mut count = 0;
    for f in files {
        let mut created = BTreeSet::new();
        for st in split::split(&f.path, &f.text).unwrap() {
            let w: Vec<String> = split::tokens(&st.text)
                .iter()
                .map(|t| t.text(&st.text).to_string())
                .collect();
            let up: Vec<String> = w.iter().map(|s| s.to_uppercase()).collect();
            if up.first().map(String::as_str) != Some("CREATE") {
                continue;
            }
            if up.get(1).map(String::as_str) == Some("TABLE") {
                let at = if up.get(2).map(String::as_str) == Some("IF") {
                    5
                } else {
                    2
                };
                if let Some(n) = name_after(&w, at) {
                    created.insert(n);
                }
                continue;
            }
            let idx = if up.get(1).map(String::as_str) == Some("UNIQUE") {
                2
            } else {
                1
            };
            if up.get(idx).map(String::as_str) != Some("INDEX")
                || up.get(idx + 1).map(String::as_str) == Some("CONCURRENTLY")
            {
                continue;
            }
            let on = up
                .iter()
                .position(|s| s == "ON")
                .expect("ON in CREATE INDEX");
            let at = if up.get(on + 1).map(String::as_str) == Some("ONLY") {
                on + 2
            } else {
                on + 1
            };
            let table = name_after(&w, at).unwrap();
            if !created.contains(&table) {
                count += 1;
            }
        }
    }
    count
}

/// Column lines of `CREATE TABLE` blocks in pg_dump output whose type is
/// `ty` (not an array of it): `    name integer NOT NULL,`.
fn scan_dump_columns(text: &str, ty: &[&str]) -> usize {
    let mut inside = false;
    let mut n = 0;
    for line in text.lines() {
        if line.starts_with("CREATE TABLE ") || line.starts_with("CREATE UNLOGGED TABLE ") {
            inside = true;
            continue;
        }
        if inside && line.starts_with(')') {
            inside = false;
            continue;
        }
        if !inside {
            continue;
        }
        let rest = line.trim_start();
        // Skip the column name (quoted or not).
        let after = if let Some(q) = rest.strip_prefix('"') {
            q.find('"').map(|e| &q[e + 1..]).unwrap_or("")
        } else {
            rest.split_once(' ').map(|(_, r)| r).unwrap_or("")
        };
        let after = after.trim_start();
        if ty.iter().any(|t| {
            after
                .strip_prefix(t)
                .is_some_and(|r| r.is_empty() || r.starts_with(' ') || r.starts_with(','))
        }) {
            n += 1;
        }
    }
    n
}

fn table(name: &str, r: &LintReport) -> String {
    let mut s = format!(
        "{name}: {} findings, {} files, {} statements, {} notes\n",
        r.findings.len(),
        r.files,
        r.statements,
        r.notes.len()
    );
    for (rule, n) in r.counts() {
        s.push_str(&format!("  {rule:<45} {n}\n"));
    }
    s
}

#[test]
fn the_corpus_lints_without_crash_with_plausible_counts() {
    let Some(root) = corpus() else {
        let msg = "!!! the shared corpus was not found (set STRATA_CORPUS): the 3 corpus lint cases were NOT run";
        eprintln!("{msg}");
        assert!(
            std::env::var_os("CI").is_none(),
            "{msg} — in CI the corpus must be present"
        );
        return;
    };
    let mut printed = String::new();
    let mut all: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();

    // trigger.dev: 820 Prisma migrations.
    let h = load_history(&root.join("prisma-trigger.dev").join("migrations")).unwrap();
    let files: Vec<SqlFile> = h.migrations.iter().map(|m| m.file.clone()).collect();
    let r = lint(&[], &files, |f| TxMode::of(Some(h.format), &f.text)).expect("lint trigger.dev");
    printed.push_str(&table("prisma-trigger.dev/migrations", &r));
    let c = r.counts();
    assert_eq!(r.files, 820);
    assert!(
        r.notes.is_empty(),
        "the history replays: {:?}",
        r.notes.first()
    );
    let plain = scan_plain_indexes_on_older_tables(&files);
    assert!(plain > 0);
    assert_eq!(
        c.get("require-concurrent-index-creation")
            .copied()
            .unwrap_or(0),
        plain,
        "require-concurrent-index-creation against the independent scan"
    );
    for rule in [
        "ban-drop-column",
        "adding-foreign-key-constraint",
        "prefer-timestamptz",
    ] {
        assert!(c.get(rule).copied().unwrap_or(0) > 0, "{rule}");
    }
    all.insert("prisma-trigger.dev", c);

    // drizzle-zero: 26 drizzle-kit migrations.
    let h = load_history(&root.join("drizzle-zero").join("migrations")).unwrap();
    let files: Vec<SqlFile> = h.migrations.iter().map(|m| m.file.clone()).collect();
    let r = lint(&[], &files, |f| TxMode::of(Some(h.format), &f.text)).expect("lint drizzle");
    printed.push_str(&table("drizzle-zero/migrations", &r));
    assert_eq!(r.files, 26);
    assert!(r.notes.is_empty(), "{:?}", r.notes.first());
    let c = r.counts();
    assert_eq!(
        c.get("require-concurrent-index-creation")
            .copied()
            .unwrap_or(0),
        scan_plain_indexes_on_older_tables(&files)
    );
    all.insert("drizzle-zero", c);

    // danbooru: one pg_dump file; every table is created by it.
    let path = root.join("structure-danbooru").join("structure.sql");
    let text: Arc<str> = Arc::from(std::fs::read_to_string(&path).unwrap());
    let file = SqlFile {
        path: path.display().to_string(),
        text: Arc::clone(&text),
    };
    let r = lint(&[], &[file], |f| TxMode::of(None, &f.text)).expect("lint danbooru");
    printed.push_str(&table("structure-danbooru/structure.sql", &r));
    assert!(r.notes.is_empty(), "{:?}", r.notes.first());
    let c = r.counts();
    // Indexes and constraints on tables the same file creates: no lock
    // findings at all.
    for rule in [
        "require-concurrent-index-creation",
        "adding-foreign-key-constraint",
        "disallowed-unique-constraint",
        "adding-serial-primary-key-field",
    ] {
        assert_eq!(c.get(rule), None, "{rule}");
    }
    assert!(c.get("prefer-bigint-over-int").copied().unwrap_or(0) > 100);
    assert_eq!(
        c.get("prefer-bigint-over-int").copied().unwrap_or(0),
        scan_dump_columns(&text, &["integer"]),
        "prefer-bigint-over-int against the column lines of the dump"
    );
    assert_eq!(
        c.get("prefer-timestamptz").copied().unwrap_or(0),
        scan_dump_columns(
            &text,
            &[
                "timestamp without time zone",
                "timestamp(0) without time zone",
                "timestamp(3) without time zone",
                "timestamp(6) without time zone"
            ]
        ),
        "prefer-timestamptz against the column lines of the dump"
    );
    all.insert("structure-danbooru", c);

    // The table README.md shows.
    let rules: BTreeSet<&str> = all.values().flat_map(|m| m.keys().copied()).collect();
    printed.push_str("\n| rule | trigger.dev | drizzle-zero | danbooru |\n|---|---:|---:|---:|\n");
    for rule in rules {
        let n = |k: &str| all[k].get(rule).copied().unwrap_or(0);
        printed.push_str(&format!(
            "| {rule} | {} | {} | {} |\n",
            n("prisma-trigger.dev"),
            n("drizzle-zero"),
            n("structure-danbooru")
        ));
    }
    println!("{printed}");
}
