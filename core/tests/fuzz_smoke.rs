//! Fuzz smoke: the bodies of the cargo-fuzz targets (`strata_core::fuzzing`)
//! on stable, a few seconds each, as part of `.ci/run`.
//!
//! Each target first runs every committed seed (`fuzz/corpus/<target>/`) and
//! every kept crash (`fuzz/regressions/<target>/`), then random mutations of
//! them (byte edits, SQL fragments, splices, repetition) until its time is
//! up. A panic, or an input that runs longer than the hang limit, fails the
//! test; the input is written to a file whose path the failure names, to be
//! kept under `fuzz/regressions/<target>/`.
//!
//! Not a substitute for the coverage-guided runs (`fuzz/run.sh`, figures in
//! RELIABILITY.md): a net for regressions, at a cost of seconds.
//!
//! `STRATA_FUZZ_SMOKE_SECS` (default 3) sets the time per target and
//! `STRATA_FUZZ_SEED` the random seed (printed, for reproducing a failure).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use strata_core::fuzzing;

/// An input that takes longer than this is a hang (libFuzzer runs use
/// `-timeout=10` on a release build; this is a debug build).
const HANG_LIMIT: Duration = Duration::from_secs(30);

/// Pieces of SQL the mutator inserts: the lexemes and keywords the reader
/// treats specially.
#[rustfmt::skip]
const FRAGMENTS: &[&str] = &[
    "(", ")", "((((", "))))", ",", ";", "'", "''", "\"", "\"\"", "E'\\'", "$$", "$a$", "$a", "--",
    "\n", "/*", "*/", "/* /*", "::", "[", "]", "ARRAY[", "-- strata:no-transaction\n",
    "-- strata:ignore\n", "-- strata:", "\\", "\\connect x\n", "CREATE TABLE t (", "CREATE ",
    "TABLE ", "ALTER TABLE ", "DROP ", "INDEX ", "UNIQUE ", "ON ", "ADD COLUMN ", "NOT NULL",
    "NOT ", "NULL", "DEFAULT ", "CHECK (", "REFERENCES ", "PRIMARY KEY", "GENERATED ALWAYS AS (",
    ") STORED", "WHERE ", "CONSTRAINT ", "TYPE ", "AS ENUM (", "RENAME TO ", "RENAME COLUMN ",
    "DO $$ BEGIN ", " END $$", "EXCEPTION WHEN others THEN NULL;", "IF NOT EXISTS ", "IF EXISTS ",
    "CASCADE", "COMMENT ON ", " IS ", "int", "text", "varchar(", "numeric(", "timestamptz",
    "interval", "uuid", "jsonb", "[]", " COLLATE \"C\"", "now()", "lower(", "CASE WHEN ", " THEN ",
    " ELSE ", " END", " AND ", " OR ", " IN (", " BETWEEN ", "1e999", "-9223372036854775809", "0x",
    "\u{feff}", "\u{0}", "é", "日本", "\u{1F600}", "\t", "\r\n", "USING ", "btree (", "gin (",
    "INCLUDE (", "PARTITION BY ", "INHERITS (", "SEQUENCE ", "OWNED BY ", "EXTENSION ", "SCHEMA ",
    "\"user\"", "public.", "VIEW ", "FUNCTION ",
];

/// splitmix64: small, fast, and reproducible from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, seeds: &[Vec<u8>]) {
    let edits = 1 + rng.below(6);
    for _ in 0..edits {
        let len = input.len();
        let at = if len == 0 { 0 } else { rng.below(len + 1) };
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 => input.insert(at, rng.below(256) as u8),
            2 if len > 0 => {
                let end = (at + 1 + rng.below(32)).min(len);
                input.drain(at.min(end)..end);
            }
            3 | 4 => {
                let f = FRAGMENTS[rng.below(FRAGMENTS.len())].as_bytes();
                input.splice(at..at, f.iter().copied());
            }
            5 if len > 0 => {
                // Repeat a short piece many times (deep nesting, long lists).
                let start = rng.below(len);
                let end = (start + 1 + rng.below(8)).min(len);
                let piece = input[start..end].to_vec();
                let times = 1 + rng.below(200);
                let repeated: Vec<u8> = piece
                    .iter()
                    .copied()
                    .cycle()
                    .take(piece.len() * times)
                    .collect();
                input.splice(start..start, repeated);
            }
            6 if !seeds.is_empty() => {
                // Splice a piece of another seed in.
                let other = &seeds[rng.below(seeds.len())];
                if !other.is_empty() {
                    let s = rng.below(other.len());
                    let e = (s + 1 + rng.below(256)).min(other.len());
                    input.splice(at..at, other[s..e].iter().copied());
                }
            }
            _ if len > 0 => input.truncate(rng.below(len)),
            _ => {}
        }
    }
    input.truncate(64 * 1024);
}

fn read_dir_files(dir: &Path, out: &mut Vec<Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_file() && p.file_name().is_some_and(|n| n != "README.md") {
            out.push(
                std::fs::read(&p)
                    .unwrap_or_else(|e| panic!("cannot read seed {}: {e}", p.display())),
            );
        }
    }
}

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

fn seeds_of(target: &str) -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    read_dir_files(&fuzz_dir().join("corpus").join(target), &mut seeds);
    if target == "declared" || target == "lint" {
        // Declared SQL is SQL: the replay seeds are declared schemas (and
        // migrations to lint) too.
        read_dir_files(&fuzz_dir().join("corpus").join("replay"), &mut seeds);
    }
    seeds
}

fn regressions_of(target: &str) -> Vec<Vec<u8>> {
    let mut inputs = Vec::new();
    read_dir_files(&fuzz_dir().join("regressions").join(target), &mut inputs);
    inputs
}

/// Writes a failing input where the failure message can name it.
fn keep(target: &str, input: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-smoke");
    std::fs::create_dir_all(&dir).expect("create the fuzz-smoke folder");
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in input {
        h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
    }
    let path = dir.join(format!("{target}-{h:016x}"));
    std::fs::write(&path, input).expect("write the failing input");
    path
}

/// The input a target panicked on, and the panic's message.
type Failure = (Vec<u8>, String);

#[derive(Debug)]
struct Outcome {
    executions: u64,
    seeds: usize,
}

/// Runs one target: seeds, regressions, then mutations for `budget`.
fn smoke(target: &str, run: fn(&[u8]), budget: Duration, seed: u64) -> Outcome {
    let seeds = seeds_of(target);
    assert!(
        !seeds.is_empty(),
        "no seeds for {target} under {}: the committed corpus is missing",
        fuzz_dir().display()
    );
    let regressions = regressions_of(target);
    let current: Arc<Mutex<Vec<u8>>> = Arc::default();
    let executions = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let failed: Arc<Mutex<Option<Failure>>> = Arc::default();

    let worker = {
        let (current, executions, done, failed) = (
            current.clone(),
            executions.clone(),
            done.clone(),
            failed.clone(),
        );
        let seeds = seeds.clone();
        // The CLI runs on the main thread's 8 MiB stack; so does libFuzzer.
        std::thread::Builder::new()
            .name(format!("fuzz-{target}"))
            .stack_size(8 << 20)
            .spawn(move || {
                let started = Instant::now();
                let mut rng = Rng(seed);
                let mut queue = regressions.into_iter().chain(seeds.iter().cloned());
                loop {
                    let input = match queue.next() {
                        Some(fixed) => fixed,
                        None if started.elapsed() >= budget => break,
                        None => {
                            let mut input = seeds[rng.below(seeds.len())].clone();
                            mutate(&mut rng, &mut input, &seeds);
                            if rng.below(10) != 0 {
                                // Mostly valid UTF-8: four of the five
                                // targets stop at invalid text.
                                input = String::from_utf8_lossy(&input).into_owned().into_bytes();
                            }
                            input
                        }
                    };
                    current.lock().unwrap().clone_from(&input);
                    if let Err(p) = catch_unwind(AssertUnwindSafe(|| run(&input))) {
                        let message = p
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_else(|| "non-string panic".to_string());
                        *failed.lock().unwrap() = Some((input, message));
                        break;
                    }
                    executions.fetch_add(1, Ordering::Relaxed);
                }
                done.store(true, Ordering::Release);
            })
            .expect("spawn the fuzz worker")
    };

    // Watch for hangs: the execution count must move within HANG_LIMIT.
    let mut last = (0, Instant::now());
    while !done.load(Ordering::Acquire) {
        std::thread::sleep(Duration::from_millis(50));
        let n = executions.load(Ordering::Relaxed);
        if n != last.0 {
            last = (n, Instant::now());
        } else if last.1.elapsed() > HANG_LIMIT {
            let input = current.lock().unwrap().clone();
            let path = keep(target, &input);
            panic!(
                "fuzz smoke {target} (seed {seed}): an input ran longer than {HANG_LIMIT:?}; \
                 it is kept at {} ({} bytes): reproduce, fix, and keep it under fuzz/regressions/{target}/",
                path.display(),
                input.len()
            );
        }
    }
    worker
        .join()
        .expect("the fuzz worker itself does not panic");
    if let Some((input, message)) = failed.lock().unwrap().take() {
        let path = keep(target, &input);
        panic!(
            "fuzz smoke {target} (seed {seed}): panic `{message}` on an input kept at {} ({} bytes): \
             fix it and keep the input under fuzz/regressions/{target}/",
            path.display(),
            input.len()
        );
    }
    Outcome {
        executions: executions.load(Ordering::Relaxed),
        seeds: seeds.len(),
    }
}

fn budget() -> Duration {
    let secs = std::env::var("STRATA_FUZZ_SMOKE_SECS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(3.0);
    Duration::from_secs_f64(secs)
}

fn seed() -> u64 {
    std::env::var("STRATA_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        })
}

fn run_target(name: &str) {
    let (_, run) = fuzzing::TARGETS
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no fuzz target named {name}"));
    let seed = seed();
    let budget = budget();
    let o = smoke(name, *run, budget, seed);
    eprintln!(
        "fuzz smoke {name}: {} executions ({} seeds, then mutations) in {budget:?}, seed {seed}",
        o.executions, o.seeds
    );
    assert!(
        o.executions as usize >= o.seeds,
        "{name}: every seed must have run ({} of {})",
        o.executions,
        o.seeds
    );
}

#[test]
fn split() {
    run_target("split");
}

#[test]
fn parse() {
    run_target("parse");
}

#[test]
fn replay() {
    run_target("replay");
}

#[test]
fn normalize() {
    run_target("normalize");
}

#[test]
fn declared() {
    run_target("declared");
}

#[test]
fn lint() {
    run_target("lint");
}

#[test]
fn nodetree() {
    run_target("nodetree");
}

#[test]
fn every_target_has_a_smoke_test_and_a_cargo_fuzz_binary() {
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).expect("fuzz/Cargo.toml");
    for (name, _) in fuzzing::TARGETS {
        assert!(
            [
                "split",
                "parse",
                "replay",
                "normalize",
                "declared",
                "lint",
                "nodetree"
            ]
            .contains(name),
            "{name} has no #[test] in fuzz_smoke.rs"
        );
        assert!(
            manifest.contains(&format!("path = \"fuzz_targets/{name}.rs\"")),
            "{name} has no [[bin]] in fuzz/Cargo.toml"
        );
        assert!(fuzz_dir()
            .join("fuzz_targets")
            .join(format!("{name}.rs"))
            .is_file());
    }
}

#[test]
fn the_smoke_catches_a_panicking_target() {
    // The harness itself must fail on a panic and keep the input.
    fn panics_on_paren(data: &[u8]) {
        assert!(!data.contains(&b'('), "found a paren");
    }
    let r = catch_unwind(|| smoke("replay", panics_on_paren, Duration::from_millis(200), 7));
    let message = r.expect_err("the smoke must fail");
    let message = message
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(message.contains("panic `found a paren`"), "{message}");
    assert!(message.contains("fuzz-smoke/replay-"), "{message}");
}
