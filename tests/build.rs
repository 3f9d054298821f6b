//! `embed_migrations!` in embed_live.rs: a migration *added* to a folder it
//! embeds is noticed by cargo through these lines (editing a file is noticed
//! anyway, through the `include_bytes!` the macro writes).
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
    println!("cargo:rerun-if-changed=fixtures/formats/sqlx/migrations");
    println!("cargo:rerun-if-changed=fixtures/formats/golang_migrate/migrations");
}
