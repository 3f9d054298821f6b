//! `strata::schema!` and `strata::embed_migrations!` (examples/job_queue.rs)
//! read these folders at build time; a file added to one of them is noticed
//! by cargo through these lines (an edited file is noticed anyway, through
//! the `include_bytes!` the macros write).
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
    println!("cargo:rerun-if-changed=sql");
}
