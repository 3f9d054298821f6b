//! Rebuilds the crate when a SQL file is added to (or removed from) the
//! declared schema or the history. Edits of existing files need nothing
//! here: `strata::schema!` includes every file it reads with
//! `include_bytes!`, which cargo tracks.

fn main() {
    println!("cargo:rerun-if-changed=sql");
    println!("cargo:rerun-if-changed=../migrations");
}
