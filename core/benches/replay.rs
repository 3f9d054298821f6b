//! Split + parse + replay of whole histories, files already in memory.
//!
//! `cargo bench -p pgstrata-core --bench replay`. The prisma case reads the
//! shared corpus (`STRATA_CORPUS` or `../shared/corpus`); without it only the
//! reference history is measured, and the bench says so.

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

criterion_group!(benches, bench);
criterion_main!(benches);
