//! Split + parse + replay of whole histories, files already in memory.
//!
//! `cargo bench -p pgstrata-core --bench replay`. The prisma case reads the
//! shared corpus (`STRATA_CORPUS` or `../shared/corpus`); without it only the
//! reference history is measured, and the bench says so.
//!
//! `replay_scaling` replays generated histories that used to be superlinear
//! (issue 13) at 1,000, 2,000 and 4,000 migrations, so each doubling's ratio
//! shows: `unnamed` (duplicate unnamed indexes and checks on one table,
//! some dropped so lower numbers are taken again) and `renames` (tables
//! with foreign keys; every third migration renames a referenced table and
//! its referenced column).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use strata_core::replay::Replayer;
use strata_core::source::load_history;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn files(dir: &Path) -> Vec<(String, Arc<str>)> {
    let h = load_history(dir).expect("history loads");
    h.migrations
        .into_iter()
        .map(|m| (m.file.path, m.file.text))
        .collect()
}

fn replay_all(files: &[(String, Arc<str>)]) -> usize {
    let mut r = Replayer::new();
    for (p, t) in files {
        r.apply_file(p, t).expect("replays");
    }
    r.finish().schema.counts().tables
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("replay");
    let reference = files(&repo_root().join("migrations"));
    let bytes: usize = reference.iter().map(|(_, t)| t.len()).sum();
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("reference_85_migrations", |b| {
        b.iter(|| replay_all(&reference))
    });
    let corpus = std::env::var_os("STRATA_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("..").join("shared").join("corpus"));
    let prisma = corpus.join("prisma-trigger.dev").join("migrations");
    if prisma.is_dir() {
        let p = files(&prisma);
        let bytes: usize = p.iter().map(|(_, t)| t.len()).sum();
        g.throughput(Throughput::Bytes(bytes as u64));
        g.bench_function("prisma_820_migrations", |b| b.iter(|| replay_all(&p)));
    } else {
        eprintln!("!!! shared corpus not found: the 820-migration bench was NOT run");
    }
    g.finish();
}

/// N migrations: duplicate unnamed indexes and checks on one table, every
/// fifth migration dropping an earlier one of each.
fn unnamed_history(n: usize) -> Vec<(String, Arc<str>)> {
    let mut v = vec![(
        "V1__create.sql".to_string(),
        Arc::from("CREATE TABLE t (id bigint PRIMARY KEY, a integer, b integer);"),
    )];
    for i in 2..=n {
        let mut sql = format!("CREATE INDEX ON t (a);\nALTER TABLE t ADD CHECK (b > -{i});\n");
        if i % 5 == 0 {
            let k = i / 3;
            sql += &format!(
                "DROP INDEX IF EXISTS t_a_idx{k};\nALTER TABLE t DROP CONSTRAINT IF EXISTS t_b_check{k};\n"
            );
        }
        v.push((format!("V{i}__step.sql"), Arc::from(sql.as_str())));
    }
    v
}

/// N migrations: one table each, with a foreign key to an earlier one;
/// every third renames an earlier table and its referenced column.
fn renames_history(n: usize) -> Vec<(String, Arc<str>)> {
    let mut names: Vec<(String, String)> = vec![("r0".into(), "k0".into())];
    let mut v = vec![(
        "V1__create.sql".to_string(),
        Arc::from("CREATE TABLE r0 (id bigint PRIMARY KEY, k0 integer UNIQUE);"),
    )];
    for m in 2..=n {
        let i = m - 1;
        let p = (i * 7919) % i;
        let mut sql = format!(
            "CREATE TABLE r{i} (id bigint PRIMARY KEY, k{i} integer UNIQUE, parent_k integer REFERENCES {} ({}));\n",
            names[p].0, names[p].1
        );
        names.push((format!("r{i}"), format!("k{i}")));
        if m % 3 == 0 {
            let q = i / 2;
            if names[q].0 == format!("r{q}") {
                sql += &format!(
                    "ALTER TABLE r{q} RENAME TO s{q};\nALTER TABLE s{q} RENAME COLUMN k{q} TO key{q};\n"
                );
                names[q] = (format!("s{q}"), format!("key{q}"));
            }
        }
        v.push((format!("V{m}__step.sql"), Arc::from(sql.as_str())));
    }
    v
}

fn bench_scaling(c: &mut Criterion) {
    let mut g = c.benchmark_group("replay_scaling");
    g.sample_size(10);
    for n in [1000, 2000, 4000] {
        let unnamed = unnamed_history(n);
        g.bench_function(format!("unnamed_{n}"), |b| b.iter(|| replay_all(&unnamed)));
        let renames = renames_history(n);
        g.bench_function(format!("renames_{n}"), |b| b.iter(|| replay_all(&renames)));
    }
    g.finish();
}

criterion_group!(benches, bench, bench_scaling);
criterion_main!(benches);
