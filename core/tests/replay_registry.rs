//! The replayer's registry of index and constraint names stays in step when
//! a table is renamed or loses foreign keys to a dropped table (it is
//! updated for those tables only, no longer rebuilt whole, which made a
//! history with a rename every few migrations quadratic: `scripts/scale`).
//! Expected outcomes are what PostgreSQL 15 does with the same scripts
//! (checked with psql).

use std::sync::Arc;

use strata_core::replay::Replayer;

fn replay(sql: &str) -> Result<strata_core::replay::Replayed, strata_core::Error> {
    let text: Arc<str> = Arc::from(sql);
    let mut r = Replayer::new();
    r.apply_file("case.sql", &text)?;
    Ok(r.finish())
}

fn failure_line(sql: &str) -> Option<u32> {
    match replay(sql) {
        Ok(_) => None,
        Err(strata_core::Error::Sql(e)) => Some(e.location.line),
        Err(e) => panic!("unexpected non-SQL error: {e}"),
    }
}

/// After `zz` becomes `aa` (a name that sorts before the old one), its
/// index and its unique constraint's index still hold their names.
#[test]
fn renamed_table_keeps_its_index_names() {
    let base = "CREATE TABLE zz (id int CONSTRAINT zz_key UNIQUE);\nCREATE INDEX zz_idx ON zz (id);\nALTER TABLE zz RENAME TO aa;\n";
    // PostgreSQL: ERROR: relation "zz_idx" already exists.
    assert_eq!(
        failure_line(&format!("{base}CREATE INDEX zz_idx ON aa (id);\n")),
        Some(4)
    );
    // PostgreSQL: ERROR: relation "zz_key" already exists.
    assert_eq!(
        failure_line(&format!(
            "{base}CREATE TABLE t (id int);\nALTER TABLE t ADD CONSTRAINT zz_key UNIQUE (id);\n"
        )),
        Some(5)
    );
    // The index is found by name on the renamed table, and dropped there.
    let r = replay(&format!("{base}DROP INDEX zz_idx;\n")).expect("replays");
    let t = r.schema.table("public", "aa").expect("renamed table");
    assert!(!t.indexes.contains_key("zz_idx"));
    assert!(t.constraints.contains_key("zz_key"));
    assert!(r.schema.table("public", "zz").is_none());
    // The old name is free for a new table and its own index names.
    assert_eq!(
        failure_line(&format!(
            "{base}CREATE TABLE zz (id int);\nCREATE INDEX zz_other_idx ON zz (id);\n"
        )),
        None
    );
}

/// A rename that sorts after the old name, for the same reasons.
#[test]
fn table_renamed_forward_keeps_its_index_names() {
    let base = "CREATE TABLE aa (id int);\nCREATE INDEX aa_idx ON aa (id);\nALTER TABLE aa RENAME TO zz;\n";
    assert_eq!(
        failure_line(&format!("{base}CREATE INDEX aa_idx ON zz (id);\n")),
        Some(4)
    );
    assert_eq!(failure_line(&format!("{base}DROP INDEX aa_idx;\n")), None);
}

/// `DROP TABLE p CASCADE` drops `c`'s foreign key to it; its name is free
/// again, so the next unnamed foreign key on the same column takes it
/// (PostgreSQL: `c_pid_fkey`, not `c_pid_fkey1`).
#[test]
fn foreign_key_dropped_by_cascade_frees_its_name() {
    let r = replay(
        "CREATE TABLE p (id int PRIMARY KEY);\n\
         CREATE TABLE c (pid int REFERENCES p);\n\
         DROP TABLE p CASCADE;\n\
         CREATE TABLE p2 (id int PRIMARY KEY);\n\
         ALTER TABLE c ADD FOREIGN KEY (pid) REFERENCES p2;\n",
    )
    .expect("replays");
    let c = r.schema.table("public", "c").expect("table c");
    let names: Vec<&String> = c.constraints.keys().collect();
    assert_eq!(names, ["c_pid_fkey"]);
}
