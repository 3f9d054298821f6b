//! Embedded migrations on a real server: `strata::embed_migrations!` reads
//! the reference history at build time, and `EmbeddedMigrations::migrate`
//! applies it with the runner of `strata migrate` — applied once, a re-run
//! applies nothing, the checksums written are those embedded, an edited
//! applied migration refuses the run; and folders of other tools (sqlx,
//! golang-migrate) apply into their tool's own table.

use crate::support;

use strata::migrate::{EmbeddedMigration, EmbeddedMigrations, MigrateError, MigrateOptions};
use support::TestDb;

static MIGRATIONS: EmbeddedMigrations = strata::embed_migrations!("../migrations");
static SQLX: EmbeddedMigrations = strata::embed_migrations!("fixtures/formats/sqlx/migrations");
static GOLANG: EmbeddedMigrations =
    strata::embed_migrations!("fixtures/formats/golang_migrate/migrations");

fn ok<T, E: std::fmt::Display>(r: Result<T, E>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{what}: {e}"),
    }
}

#[tokio::test]
async fn embedded_migrations_apply_once_with_their_checksums_and_refuse_an_edit() {
    let db = TestDb::create("embed_ref").await;
    let opts = MigrateOptions::default();
    assert_eq!(MIGRATIONS.migrations.len(), 85);

    let first = ok(MIGRATIONS.migrate(&db.url, &opts).await, "first run");
    assert!(first.created_table);
    assert_eq!(first.applied.len(), 85);
    for (applied, embedded) in first.applied.iter().zip(MIGRATIONS.migrations) {
        assert_eq!(
            applied.checksum,
            embedded.refinery_checksum.map(|c| c.to_string())
        );
        assert_eq!(applied.file, embedded.file);
    }
    // What the server recorded is what was embedded.
    let client = db.client().await;
    let rows = ok(
        client
            .query(
                "SELECT version, checksum FROM refinery_schema_history ORDER BY version",
                &[],
            )
            .await,
        "history",
    );
    assert_eq!(rows.len(), 85);
    for (row, m) in rows.iter().zip(MIGRATIONS.migrations) {
        let version: i32 = row.get(0);
        let checksum: String = row.get(1);
        assert_eq!(version.to_string(), m.version);
        assert_eq!(Some(checksum), m.refinery_checksum.map(|c| c.to_string()));
    }
    // The schema is there.
    let tables: i64 = ok(
        client
            .query_one(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'refinery_schema_history'",
                &[],
            )
            .await,
        "tables",
    )
    .get(0);
    assert_eq!(tables, 22);

    let again = ok(MIGRATIONS.migrate(&db.url, &opts).await, "second run");
    assert!(again.applied.is_empty());
    assert_eq!(again.already_applied, 85);

    // An applied migration whose text changed since: the run is refused
    // before anything runs.
    let mut edited: Vec<EmbeddedMigration> = MIGRATIONS.migrations.to_vec();
    let sql = format!("{}\n-- edited after it was applied\n", edited[2].sql);
    edited[2].sql = Box::leak(sql.into_boxed_str());
    let edited = EmbeddedMigrations {
        migrations: Box::leak(edited.into_boxed_slice()),
        ..MIGRATIONS
    };
    match edited.migrate(&db.url, &opts).await {
        Err(MigrateError::Refused(r)) => {
            let text = r.to_string();
            assert!(text.contains(edited.migrations[2].file), "{text}");
        }
        other => panic!(
            "an edited migration was not refused: {:?}",
            other.map(|r| r.applied.len())
        ),
    }
}

#[tokio::test]
async fn embedded_histories_of_other_tools_apply_into_their_tools_tables() {
    let db = TestDb::create("embed_sqlx").await;
    let opts = MigrateOptions::default();
    assert_eq!(SQLX.format.label(), "sqlx");
    let first = ok(SQLX.migrate(&db.url, &opts).await, "sqlx first run");
    assert_eq!(first.applied.len(), SQLX.migrations.len());
    assert_eq!(first.table, "_sqlx_migrations");
    let client = db.client().await;
    let rows = ok(
        client
            .query(
                "SELECT version, description, success, checksum = sha384(convert_to($1::text, 'UTF8')) \
                 FROM _sqlx_migrations WHERE version = $2",
                &[&SQLX.migrations[0].sql, &SQLX.migrations[0].version.parse::<i64>().unwrap()],
            )
            .await,
        "sqlx rows",
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].get::<_, String>(1),
        SQLX.migrations[0].name.replace('_', " ")
    );
    assert!(rows[0].get::<_, bool>(2));
    assert!(rows[0].get::<_, bool>(3), "checksum is SHA-384 of the file");
    let again = ok(SQLX.migrate(&db.url, &opts).await, "sqlx second run");
    assert!(again.applied.is_empty());

    let db = TestDb::create("embed_golang").await;
    assert_eq!(GOLANG.format.label(), "golang-migrate");
    let first = ok(GOLANG.migrate(&db.url, &opts).await, "golang first run");
    assert_eq!(first.applied.len(), GOLANG.migrations.len());
    let client = db.client().await;
    let rows = ok(
        client
            .query("SELECT version, dirty FROM schema_migrations", &[])
            .await,
        "golang row",
    );
    assert_eq!(rows.len(), 1);
    let last: i64 = GOLANG.migrations.last().unwrap().version.parse().unwrap();
    assert_eq!(rows[0].get::<_, i64>(0), last);
    assert!(!rows[0].get::<_, bool>(1));
    // The down files are never embedded, never run: the tables are there.
    let tables: i64 = ok(
        client
            .query_one(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('user', 'post')",
                &[],
            )
            .await,
        "tables",
    )
    .get(0);
    assert_eq!(tables, 2);
    let again = ok(GOLANG.migrate(&db.url, &opts).await, "golang second run");
    assert!(again.applied.is_empty());
    assert_eq!(again.already_applied, GOLANG.migrations.len());
}
