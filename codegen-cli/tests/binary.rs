//! The built `strata` binary starts and knows its commands. Also the reason
//! `cargo test --workspace` builds the binary with the workspace's test
//! features, which `scripts/test` hands to the integration tests
//! (`STRATA_TEST_BIN`) instead of building it a second time.

use std::process::Command;

fn strata(args: &[&str]) -> (Option<i32>, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL")
        .output()
        .expect("run strata");
    (
        o.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

#[test]
fn the_binary_prints_its_version_and_every_command() {
    let (code, out) = strata(&["--version"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains(env!("CARGO_PKG_VERSION")), "{out}");
    let (code, out) = strata(&["--help"]);
    assert_eq!(code, Some(0), "{out}");
    for command in [
        "check", "inspect", "drift", "diff", "migrate", "lint", "codegen",
    ] {
        assert!(
            out.contains(command),
            "{command} missing from --help:\n{out}"
        );
    }
}

#[test]
fn an_unknown_command_is_refused_with_usage() {
    let (code, out) = strata(&["no-such-command"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("no-such-command"), "{out}");
}
