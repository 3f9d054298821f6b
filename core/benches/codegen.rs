//! What `strata::schema!` costs at expansion: the reference crate's call
//! (22 tables, the 85-migration history check included) and a generated
//! 1,000-table schema, with and without a history to check against.
//!
//! `cargo bench -p pgstrata-core --bench codegen`. The figures are for
//! release code; `cargo build` runs the proc macro as built in its dev
//! profile (no `[profile.dev.build-override]` here), so add
//! `--profile dev` to see what a debug build pays. The wall time of an
//! incremental `cargo build` after a schema edit is `scripts/bench-codegen`.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use proc_macro2::TokenStream;
use strata_core::codegen::{expand_in, generate, load, Options, Request};

const TABLES: usize = 1_000;
/// Declared files (and table migrations) the generated schema is split in.
const CHUNKS: usize = 10;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn macro_input(text: &str) -> TokenStream {
    text.parse().expect("macro input tokenizes")
}

/// `CREATE TABLE t{i}`: 9 columns of mixed types (identity key, text, uuid,
/// enum, numeric, boolean, FK to every 10th table, timestamptz, jsonb).
/// `payload` is left out when `with_payload` is false (the history adds it
/// later), and the FK too when `with_fk` is false.
fn create_table(out: &mut String, i: usize, with_fk: bool, with_payload: bool) {
    let parent = (i / 10) * 10;
    let fk = if with_fk && i != parent {
        format!(" REFERENCES t{parent} (id) ON DELETE CASCADE")
    } else {
        String::new()
    };
    let payload = if with_payload {
        ",\n    payload jsonb"
    } else {
        ""
    };
    writeln!(
        out,
        "CREATE TABLE t{i} (\n    \
         id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    \
         name text NOT NULL,\n    \
         code uuid NOT NULL DEFAULT gen_random_uuid(),\n    \
         state state NOT NULL DEFAULT 'new',\n    \
         price numeric(12,2),\n    \
         active boolean NOT NULL DEFAULT true,\n    \
         parent_id bigint{fk},\n    \
         created_at timestamptz NOT NULL DEFAULT now(){payload}\n);\n\
         CREATE UNIQUE INDEX t{i}_name_key ON t{i} (name);\n\
         CREATE INDEX t{i}_parent_idx ON t{i} (parent_id) WHERE parent_id IS NOT NULL;\n"
    )
    .expect("write to a String");
}

const ENUM: &str = "CREATE TYPE state AS ENUM ('new', 'running', 'done', 'failed');\n";

/// Writes the 1,000-table schema under `root`: the declaration in `sql/`
/// (one enum file, then CHUNKS files of tables, each table whole) and a
/// refinery history in `migrations/` that builds the same schema another
/// way (tables first, then the foreign keys, then a column added later).
fn write_generated(root: &Path) {
    let sql = root.join("sql");
    let migrations = root.join("migrations");
    fs::create_dir_all(&sql).expect("create sql/");
    fs::create_dir_all(&migrations).expect("create migrations/");
    fs::write(sql.join("00_types.sql"), ENUM).expect("write declared enum");
    fs::write(migrations.join("V1__types.sql"), ENUM).expect("write V1");
    let per_chunk = TABLES / CHUNKS;
    for c in 0..CHUNKS {
        let (mut declared, mut migration) = (String::new(), String::new());
        for i in c * per_chunk..(c + 1) * per_chunk {
            create_table(&mut declared, i, true, true);
            create_table(&mut migration, i, false, false);
        }
        fs::write(sql.join(format!("{:02}_tables.sql", c + 1)), declared)
            .expect("write declared tables");
        fs::write(
            migrations.join(format!("V{}__tables_{c}.sql", c + 2)),
            migration,
        )
        .expect("write table migration");
    }
    let (mut fks, mut payload) = (String::new(), String::new());
    for i in 0..TABLES {
        let parent = (i / 10) * 10;
        if i != parent {
            writeln!(
                fks,
                "ALTER TABLE t{i} ADD CONSTRAINT t{i}_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES t{parent} (id) ON DELETE CASCADE;"
            )
            .expect("write to a String");
        }
        writeln!(payload, "ALTER TABLE t{i} ADD COLUMN payload jsonb;").expect("write to a String");
    }
    fs::write(
        migrations.join(format!("V{}__foreign_keys.sql", CHUNKS + 2)),
        fks,
    )
    .expect("write FK migration");
    fs::write(
        migrations.join(format!("V{}__payload.sql", CHUNKS + 3)),
        payload,
    )
    .expect("write column migration");
}

fn bench(c: &mut Criterion) {
    let crate_dir = repo_root().join("schema");
    let reference = macro_input(r#"schema: "sql", migrations: "../migrations""#);
    let tokens = expand_in(reference.clone(), &crate_dir).expect("the reference expands");
    eprintln!(
        "reference: expansion is {} bytes of tokens",
        tokens.to_string().len()
    );

    let mut g = c.benchmark_group("codegen_reference");
    g.bench_function("expand_with_history", |b| {
        b.iter(|| expand_in(black_box(reference.clone()), &crate_dir).expect("expands"))
    });
    let request = Request::new(crate_dir.join("sql"), Some(repo_root().join("migrations")));
    g.bench_function("load_and_check", |b| {
        b.iter(|| load(black_box(&request)).expect("loads"))
    });
    let loaded = load(&request).expect("loads");
    let options = Options::default();
    g.bench_function("generate_tokens", |b| {
        b.iter(|| generate(black_box(&loaded.schema), &options).expect("generates"))
    });
    g.finish();

    let dir = tempfile::tempdir().expect("temp dir");
    write_generated(dir.path());
    let with_history = macro_input(r#"schema: "sql", migrations: "migrations""#);
    let schema_only = macro_input(r#"schema: "sql""#);
    let tokens = expand_in(with_history.clone(), dir.path())
        .unwrap_or_else(|d| panic!("the generated schema expands: {d:?}"));
    eprintln!(
        "{TABLES} tables: expansion is {} bytes of tokens",
        tokens.to_string().len()
    );

    let mut g = c.benchmark_group("codegen_1000_tables");
    g.sample_size(10);
    g.bench_function("expand_schema_only", |b| {
        b.iter(|| expand_in(black_box(schema_only.clone()), dir.path()).expect("expands"))
    });
    g.bench_function("expand_with_history", |b| {
        b.iter(|| expand_in(black_box(with_history.clone()), dir.path()).expect("expands"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
