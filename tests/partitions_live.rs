//! Declarative partitioning and table inheritance against the real server:
//! offline replay builds the partitions, children, inherited columns and
//! constraints and attached indexes the server builds (the oracle),
//! `strata::inspect` reads them, and `ddl` writes them back as pg_dump
//! does — judged by `pg_dump -s`.

use crate::support;
use support::kinds::read;

use std::path::Path;

use strata_core::diff::{diff, DiffOptions};
use strata_core::model::{Inherited, RelationRef, Schema};
use strata_core::plan::{plan_verified, Hazard, Plan, PlanOptions};
use support::judge::{fresh_db, pg_dump_raw, plan_converges, same_dump};
use support::kinds;
use support::{psql_apply_sql, TestDb};

/// Range, list, hash, default and sub-partitions; keys, indexes and a
/// foreign key on the parent cloned to the partitions; a partition
/// created standalone (columns in another order) and attached; an index
/// created `ON ONLY` and attached by hand; inheritance with merged
/// columns, inherited checks and two parents.
const FIXTURE: &str = r#"
CREATE SCHEMA app;
CREATE TABLE app.account (id integer PRIMARY KEY);
CREATE TABLE measurement (
    city_id integer NOT NULL,
    logdate date NOT NULL,
    peaktemp integer DEFAULT 0 CHECK (peaktemp > -100),
    unitsales integer,
    account_id integer REFERENCES app.account (id),
    PRIMARY KEY (city_id, logdate)
) PARTITION BY RANGE (logdate);
CREATE INDEX ON measurement (unitsales);
CREATE INDEX measurement_expr ON measurement ((peaktemp + 1));
CREATE TABLE measurement_y2006m02 PARTITION OF measurement
    FOR VALUES FROM ('2006-02-01') TO ('2006-03-01');
CREATE TABLE measurement_y2006m03 PARTITION OF measurement
    FOR VALUES FROM ('2006-03-01') TO ('2006-04-01');
CREATE TABLE measurement_old (
    account_id integer,
    unitsales integer,
    peaktemp integer DEFAULT 0 CONSTRAINT measurement_peaktemp_check CHECK (peaktemp > -100),
    logdate date NOT NULL,
    city_id integer NOT NULL
);
ALTER TABLE measurement ATTACH PARTITION measurement_old FOR VALUES FROM (MINVALUE) TO ('2006-02-01');
CREATE TABLE measurement_rest PARTITION OF measurement DEFAULT;
CREATE INDEX ON measurement_y2006m02 (logdate);
ALTER TABLE measurement ADD COLUMN extra text;

CREATE TABLE orders (id bigint, region text, total numeric) PARTITION BY LIST (region);
CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('de', 'fr', 'it''s');
CREATE TABLE orders_us PARTITION OF orders FOR VALUES IN ('us') PARTITION BY HASH (id);
CREATE TABLE orders_us_0 PARTITION OF orders_us FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE orders_us_1 PARTITION OF orders_us FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE TABLE orders_none PARTITION OF orders FOR VALUES IN (NULL);
CREATE INDEX orders_total ON ONLY orders (total);
CREATE INDEX orders_eu_total ON orders_eu (total);
ALTER INDEX orders_total ATTACH PARTITION orders_eu_total;
CREATE TABLE app.big (n bigint, v numeric) PARTITION BY RANGE (n, v);
CREATE TABLE app.big_low PARTITION OF app.big FOR VALUES FROM (-5, 1.50) TO (10, MAXVALUE);

CREATE TABLE timestamp_base (created_at timestamp DEFAULT now(), e integer);
CREATE TABLE named (name text NOT NULL, e integer, CONSTRAINT named_ok CHECK (name <> ''));
CREATE TABLE thing (a1 integer, e integer NOT NULL, a2 integer) INHERITS (timestamp_base, named);
CREATE TABLE entity_bindings (id bigserial, entity_type text NOT NULL, entity_id bigint NOT NULL);
CREATE TABLE entity_bindings_a (
    CONSTRAINT "entity_type must be A" CHECK (entity_type = 'A'),
    UNIQUE (entity_id, entity_type)
) INHERITS (entity_bindings);
ALTER TABLE entity_bindings ADD CONSTRAINT positive CHECK (entity_id > 0);
ALTER TABLE entity_bindings ADD COLUMN note text;
CREATE TABLE app.loose (created_at timestamp, e integer, extra text);
ALTER TABLE app.loose INHERIT timestamp_base;
"#;

fn replay(sql: &str) -> Schema {
    let text: std::sync::Arc<str> = std::sync::Arc::from(sql);
    strata_core::replay::replay_texts([("schema.sql", &text)])
        .unwrap_or_else(|e| panic!("replay: {e:?}"))
        .schema
}

fn differences(expected: &Schema, found: &Schema) -> Vec<String> {
    diff(expected, found, DiffOptions::default())
        .iter()
        .map(|d| d.to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partitions_and_children_replay_to_what_the_server_builds() {
    let db = TestDb::create("strata_partitions").await;
    psql_apply_sql(&db.url, FIXTURE, true).unwrap();
    let server = read(&db.url).await;
    let offline = replay(FIXTURE);
    let d = differences(&offline, &server);
    assert!(d.is_empty(), "offline and server differ:\n{}", d.join("\n"));

    // What the catalog says, spot-checked.
    let m2 = server.table("public", "measurement_y2006m02").unwrap();
    let po = m2.partition_of.as_ref().unwrap();
    assert_eq!(po.parent, RelationRef::new("public", "measurement"));
    assert_eq!(
        po.bound.exact(),
        Some("FOR VALUES FROM ('2006-02-01') TO ('2006-03-01')")
    );
    assert!(m2
        .indexes
        .contains_key("measurement_y2006m02_unitsales_idx"));
    assert!(m2.indexes.contains_key("measurement_y2006m02_expr_idx"));
    assert_eq!(
        m2.indexes["measurement_y2006m02_unitsales_idx"].attached_to,
        Some(RelationRef::new("public", "measurement_unitsales_idx"))
    );
    assert_eq!(
        m2.column("extra").unwrap().inherited,
        Some(Inherited {
            count: 1,
            local: false
        })
    );
    let old = server.table("public", "measurement_old").unwrap();
    assert_eq!(old.columns[0].name, "account_id");
    let thing = server.table("public", "thing").unwrap();
    assert_eq!(
        thing.inherits,
        [
            RelationRef::new("public", "timestamp_base"),
            RelationRef::new("public", "named")
        ]
    );
    assert_eq!(
        thing.column("e").unwrap().inherited,
        Some(Inherited {
            count: 2,
            local: true
        })
    );
    let big = server.table("app", "big_low").unwrap();
    assert_eq!(
        big.partition_of.as_ref().unwrap().bound.exact(),
        Some("FOR VALUES FROM ('-5', 1.50) TO ('10', MAXVALUE)")
    );

    // Written back and applied to an empty database: pg_dump agrees, and
    // so does inspect.
    let sql = strata_core::ddl::schema_sql(&server);
    let copy = fresh_db("strata_partitions_copy");
    psql_apply_sql(&copy.url, &sql, true)
        .unwrap_or_else(|e| panic!("the written schema does not apply: {e}\n{sql}"));
    let (same, d) = same_dump(&db.url, &copy.url).unwrap();
    assert!(same, "pg_dump -s differs:\n{d}\n--- written:\n{sql}");
    let again = read(&copy.url).await;
    let d = differences(&server, &again);
    assert!(d.is_empty(), "{}\n{sql}", d.join("\n"));

    // The folder form, file by file.
    let files = fresh_db("strata_partitions_files");
    for (name, text) in strata_core::ddl::schema_files(&server) {
        psql_apply_sql(&files.url, &text, true)
            .unwrap_or_else(|e| panic!("{name} does not apply: {e}\n{text}"));
    }
    let (same, d) = same_dump(&db.url, &files.url).unwrap();
    assert!(same, "pg_dump -s differs (folder form):\n{d}");
}

/// Plans A → B from offline models, applies A and the plan to one database
/// and B to another: pg_dump must agree.
fn converge(name: &str, a: &str, b: &str) -> Plan {
    let (ra, rb) = (replay(a), replay(b));
    let opts = PlanOptions {
        allow: Hazard::ALL.into_iter().collect(),
        ..PlanOptions::default()
    };
    let plan = plan_verified(&ra, &rb, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
    plan_converges(name, a, b, &plan).unwrap_or_else(|e| panic!("{e}"));
    plan
}

const PARENT: &str = r#"
CREATE TABLE city (id integer PRIMARY KEY);
CREATE TABLE m (
    city integer NOT NULL REFERENCES city (id),
    logdate date NOT NULL,
    note text DEFAULT 'x' CHECK (note <> ''),
    PRIMARY KEY (city, logdate)
) PARTITION BY RANGE (logdate);
CREATE INDEX ON m (city);
CREATE TABLE m_2020 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
"#;

#[test]
fn plans_add_drop_and_move_partitions_and_change_parents() {
    // A partition added (created and attached: its key, index and foreign
    // key come from the parent), and dropped (detached, then dropped).
    let more = format!(
        "{PARENT}CREATE TABLE m_2021 PARTITION OF m FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');\nCREATE TABLE m_rest PARTITION OF m DEFAULT;\n"
    );
    let plan = converge("partition added", PARENT, &more);
    let sql = plan.sql();
    assert!(
        sql.contains(
            "ATTACH PARTITION public.m_2021 FOR VALUES FROM ('2021-01-01') TO ('2022-01-01')"
        ),
        "{sql}"
    );
    let plan = converge("partition dropped", &more, PARENT);
    let sql = plan.sql();
    assert!(
        sql.contains("ALTER TABLE public.m DETACH PARTITION public.m_2021"),
        "{sql}"
    );
    let hazards: Vec<Hazard> = plan
        .units
        .iter()
        .flat_map(|u| u.steps.iter())
        .flat_map(|s| s.hazards.iter().map(|h| h.hazard))
        .collect();
    assert!(hazards.contains(&Hazard::DeletesData), "{sql}");
    assert!(hazards.contains(&Hazard::LocksTable), "{sql}");

    // A bound changed: detached and attached again.
    let moved = PARENT.replace("TO ('2021-01-01')", "TO ('2020-07-01')");
    let plan = converge("bound changed", PARENT, &moved);
    let sql = plan.sql();
    assert!(sql.contains("DETACH PARTITION public.m_2020"), "{sql}");
    assert!(sql.contains("TO ('2020-07-01')"), "{sql}");

    // Inheritance: a parent changed.
    let base = "CREATE TABLE p (id integer);\nCREATE TABLE q (id integer);\nCREATE TABLE c (id integer, extra text);\n";
    let under_p = format!("{base}ALTER TABLE c INHERIT p;\n");
    let under_q = format!("{base}ALTER TABLE c INHERIT q;\n");
    let plan = converge("parent changed", &under_p, &under_q);
    let sql = plan.sql();
    assert!(
        sql.contains("NO INHERIT public.p") && sql.contains("INHERIT public.q"),
        "{sql}"
    );
    converge("no parent", &under_p, base);
    converge("parent again", base, &under_p);

    // Children created with INHERITS, and dropped before their parent.
    let family = "CREATE TABLE p (id bigserial, kind text NOT NULL);\nCREATE TABLE c (CONSTRAINT kind_c CHECK (kind = 'c'), UNIQUE (id, kind)) INHERITS (p);\n";
    converge("children created", "", family);
    converge("children dropped", family, "");

    // A column added to a partitioned parent reaches its partitions (one
    // step, on the parent), and dropped from it leaves them.
    let wider = PARENT.replace("note text DEFAULT", "extra integer, note text DEFAULT");
    let plan = converge("column added to the parent", PARENT, &wider);
    assert_eq!(plan.step_count(), 1, "{}", plan.sql());
    let plan = converge("column dropped from the parent", &wider, PARENT);
    assert_eq!(plan.step_count(), 1, "{}", plan.sql());

    // The partition key changes: the table and its partitions are dropped
    // and created again, a hazard that deletes data; both ways.
    let regular = PARENT.replace(" PARTITION BY RANGE (logdate)", "").replace(
        "CREATE TABLE m_2020 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');\n",
        "",
    );
    for (name, a, b) in [
        (
            "partitioned to regular",
            PARENT.to_string(),
            regular.clone(),
        ),
        (
            "regular to partitioned",
            regular.clone(),
            PARENT.to_string(),
        ),
        (
            "key changed",
            PARENT.to_string(),
            PARENT.replace("RANGE (logdate)", "LIST (city)").replace(
                "FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')",
                "FOR VALUES IN (1, 2)",
            ),
        ),
    ] {
        let plan = converge(name, &a, &b);
        let recreate = plan
            .steps()
            .find(|s| s.action == "drop table (to create it again)")
            .unwrap_or_else(|| panic!("{name}: not recreated:\n{}", plan.sql()));
        assert!(recreate.has(Hazard::DeletesData), "{name}");
    }
    // A view over it is created again with it.
    let view = "CREATE VIEW recent AS SELECT city, logdate FROM m;\n";
    converge(
        "key changed under a view",
        &format!("{PARENT}{view}"),
        &format!("{regular}{view}"),
    );

    // What cannot be planned safely is refused, naming the table: a key
    // change of a table another table's foreign key references.
    let opts = PlanOptions {
        allow: Hazard::ALL.into_iter().collect(),
        ..PlanOptions::default()
    };
    let fk =
        "CREATE TABLE r (id integer PRIMARY KEY);\nCREATE TABLE s (r integer REFERENCES r (id));\n";
    let e = plan_verified(
        &replay(fk),
        &replay(&fk.replace("PRIMARY KEY);", "PRIMARY KEY) PARTITION BY HASH (id);")),
        &opts,
    )
    .unwrap_err();
    let details = format!("{:?}", e.details);
    assert!(
        details.contains("partition key changes") && details.contains("table public.r"),
        "{details}"
    );
    // A rule on it is created again with it.
    let ruled = "CREATE TABLE r (id integer);\nCREATE TABLE log (id integer);\nCREATE RULE r_log AS ON INSERT TO r DO ALSO INSERT INTO log VALUES (NEW.id);\n";
    let plan = converge(
        "key changed under a rule",
        ruled,
        &ruled.replace(
            "(id integer);\nCREATE TABLE log",
            "(id integer) PARTITION BY HASH (id);\nCREATE TABLE log",
        ),
    );
    assert!(plan.sql().contains("CREATE RULE r_log"), "{}", plan.sql());
}

/// A partitioned table's own index, created or dropped: the server does the
/// same to every partition (creating an index, or attaching a matching one
/// the partition has), so the plan has one step, on the parent; a
/// partition's index attached to its parent's with `ALTER INDEX … ATTACH
/// PARTITION`; an index of an inheritance parent is its own.
#[test]
fn plans_partitioned_indexes_with_their_partitions() {
    let with_index = format!("{PARENT}CREATE INDEX m_note_idx ON m (note);\n");
    let plan = converge("index on the parent", PARENT, &with_index);
    assert_eq!(plan.step_count(), 1, "{}", plan.sql());
    let plan = converge("index on the parent dropped", &with_index, PARENT);
    assert_eq!(plan.step_count(), 1, "{}", plan.sql());
    // The partition's matching index is attached, not created again.
    let own = format!("{PARENT}CREATE INDEX m_2020_by_note ON m_2020 (note);\n");
    let both = format!("{own}CREATE INDEX m_note_idx ON m (note);\n");
    let plan = converge("a partition's index attached by the parent's", &own, &both);
    assert_eq!(plan.step_count(), 1, "{}", plan.sql());
    // ON ONLY, then attached by hand.
    let only = format!(
        "{PARENT}CREATE INDEX m_note_idx ON ONLY m (note);\nCREATE INDEX m_2020_by_note ON m_2020 (note);\n"
    );
    let attached = format!("{only}ALTER INDEX m_note_idx ATTACH PARTITION m_2020_by_note;\n");
    let plan = converge("a partition's index attached", &only, &attached);
    assert!(
        plan.sql()
            .contains("ALTER INDEX public.m_note_idx ATTACH PARTITION public.m_2020_by_note"),
        "{}",
        plan.sql()
    );
    // Two matching indexes on the partition: which one the server attaches
    // is not the plan's to choose. Refused, naming the table.
    let two = format!("{own}CREATE INDEX m_2020_by_note2 ON m_2020 (note);\n");
    let opts = PlanOptions {
        allow: Hazard::ALL.into_iter().collect(),
        ..PlanOptions::default()
    };
    let e = plan_verified(
        &replay(&two),
        &replay(&format!("{two}CREATE INDEX m_note_idx ON m (note);\n")),
        &opts,
    )
    .unwrap_err();
    assert!(
        format!("{:?}", e.details).contains("table public.m_2020"),
        "{e}"
    );
    // Inheritance: an index of the parent or of a child is its own.
    let family = "CREATE TABLE p (id bigserial, kind text NOT NULL);\nCREATE TABLE c (extra int) INHERITS (p);\n";
    let indexed = format!("{family}CREATE INDEX ON p (kind);\nCREATE INDEX ON c (extra);\n");
    converge("indexes in an inheritance hierarchy", family, &indexed);
    converge(
        "indexes in an inheritance hierarchy dropped",
        &indexed,
        family,
    );
}

/// `strata drift` against a database where a partition was added out of
/// band: exit 1, the partition named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strata_drift_names_a_partition_added_out_of_band() {
    let ws = tempfile::tempdir().unwrap();
    write_workspace(ws.path(), PARENT);
    let drift = |url: &str| kinds::run_drift(ws.path(), url, kinds::Expect::Workspace);
    let clean = TestDb::create("strata_partitions_cli").await;
    psql_apply_sql(&clean.url, PARENT, true).unwrap();
    let (code, out) = drift(&clean.url);
    assert_eq!(code, Some(0), "no drift expected:\n{out}");
    let db = TestDb::create("strata_partitions_cli").await;
    psql_apply_sql(&db.url, PARENT, true).unwrap();
    psql_apply_sql(
        &db.url,
        "CREATE TABLE m_2021 PARTITION OF m FOR VALUES FROM ('2021-01-01') TO ('2022-01-01')",
        true,
    )
    .unwrap();
    let (code, out) = drift(&db.url);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("m_2021"), "{out}");
    let db = TestDb::create("strata_partitions_cli").await;
    psql_apply_sql(&db.url, PARENT, true).unwrap();
    psql_apply_sql(
        &db.url,
        "ALTER TABLE m DETACH PARTITION m_2020; ALTER TABLE m ATTACH PARTITION m_2020 FOR VALUES FROM ('2020-01-01') TO ('2020-02-01')",
        false,
    )
    .unwrap();
    let (code, out) = drift(&db.url);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("partition bound"), "{out}");
}

fn write_workspace(dir: &Path, sql: &str) {
    std::fs::write(
        dir.join("strata.toml"),
        "schema = \"schema/sql\"\nmigrations = \"migrations\"\ndatabase_url_env = \"DATABASE_URL\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("schema").join("sql")).unwrap();
    std::fs::create_dir_all(dir.join("migrations")).unwrap();
    std::fs::write(dir.join("schema").join("sql").join("10_app.sql"), sql).unwrap();
    std::fs::write(dir.join("migrations").join("V1__app.sql"), sql).unwrap();
}

/// A structure.sql (what `pg_dump -s` prints, as Rails keeps it) of the
/// fixture replays offline to what the server has: partitions attached
/// with `ALTER TABLE ONLY … ATTACH PARTITION`, keys added `ONLY` to the
/// parent, indexes `ON ONLY` and `ALTER INDEX … ATTACH PARTITION`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pg_dump_of_partitions_replays_to_what_the_server_has() {
    let db = TestDb::create("strata_partitions_dump").await;
    psql_apply_sql(&db.url, FIXTURE, true).unwrap();
    let server = read(&db.url).await;
    let dump = pg_dump_raw(&db.url).unwrap();
    let offline = replay(&dump);
    let d = differences(&offline, &server);
    assert!(
        d.is_empty(),
        "the dump replays differently:\n{}",
        d.join("\n")
    );
}

/// Keys of a partitioned table with partitions: two partitions, one made
/// standalone with a unique constraint of its own, one partitioned in turn.
const KEYLESS: &str = r#"
CREATE TABLE k (id integer NOT NULL, d date NOT NULL, code text) PARTITION BY RANGE (d);
CREATE TABLE k_2020 PARTITION OF k FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
CREATE TABLE k_2021 (id integer NOT NULL, d date NOT NULL, code text, CONSTRAINT k_2021_own UNIQUE (code, d));
ALTER TABLE k ATTACH PARTITION k_2021 FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');
CREATE TABLE k_2022 PARTITION OF k FOR VALUES FROM ('2022-01-01') TO ('2023-01-01') PARTITION BY RANGE (d);
CREATE TABLE k_2022_a PARTITION OF k_2022 FOR VALUES FROM ('2022-01-01') TO ('2022-07-01');
"#;

/// A primary key or unique constraint added to or dropped from a
/// partitioned table: one step, on the parent; the server gives every
/// partition (and their partitions) its copy, named by its own rules, or
/// attaches the partition's own matching key, and drops them with the
/// parent's.
#[test]
fn plans_keys_of_a_partitioned_table_with_its_partitions() {
    let keyed = KEYLESS.replace(
        "code text) PARTITION BY RANGE (d);",
        "code text, PRIMARY KEY (id, d), UNIQUE (code, d)) PARTITION BY RANGE (d);",
    );
    let plan = converge("keys added to a partitioned table", KEYLESS, &keyed);
    assert_eq!(plan.step_count(), 2, "{}", plan.sql());
    assert!(
        plan.steps()
            .all(|s| s.object.to_string().contains("public.k.")),
        "{}",
        plan.sql()
    );
    // Dropped: the partition's own key, attached, goes with the parent's
    // and is made again after it.
    let plan = converge("keys dropped from a partitioned table", &keyed, KEYLESS);
    let sql = plan.sql();
    assert_eq!(plan.step_count(), 3, "{sql}");
    assert!(
        sql.find("DROP CONSTRAINT k_code_d_key").unwrap()
            < sql.find("ADD CONSTRAINT k_2021_own").unwrap(),
        "{sql}"
    );
    // The model of what the plan leaves: the partition's own key attached,
    // the others named as the server names them.
    let after = replay(&keyed);
    let own = &after.table("public", "k_2021").unwrap().constraints["k_2021_own"];
    assert_eq!(
        own.inherited,
        Some(Inherited {
            count: 1,
            local: false
        })
    );
    assert!(after
        .table("public", "k_2022_a")
        .unwrap()
        .constraints
        .contains_key("k_2022_a_pkey"));

    // A key changed: dropped and added again on the parent, the partitions
    // following (the partition's own key, which no longer matches, made
    // again after the drop took it).
    let nnd = keyed.replace(
        "UNIQUE (code, d)) PARTITION",
        "UNIQUE NULLS NOT DISTINCT (code, d)) PARTITION",
    );
    for (name, a, b) in [
        ("a key of a partitioned table changed", &keyed, &nnd),
        ("a key of a partitioned table changed back", &nnd, &keyed),
    ] {
        let plan = converge(name, a, b);
        assert!(
            plan.steps()
                .all(|s| s.object.to_string().contains("public.k.")
                    || s.object.to_string() == "constraint public.k_2021.k_2021_own"),
            "{name}: {}",
            plan.sql()
        );
    }
    // A key over a column that may hold NULL: SET NOT NULL on the parent
    // reaches the partitions, then the key.
    let nullable = KEYLESS.replace("k (id integer NOT NULL,", "k (id integer,");
    let plan = converge("a key over a nullable column", &nullable, &keyed);
    assert_eq!(plan.step_count(), 3, "{}", plan.sql());

    // Which of two matching keys of a partition the server attaches is not
    // the plan's to choose: refused, naming the partition.
    let two = KEYLESS.replace(
        "ALTER TABLE k ATTACH",
        "ALTER TABLE k_2021 ADD CONSTRAINT k_2021_own2 UNIQUE (code, d);\nALTER TABLE k ATTACH",
    );
    let e = plan_verified(
        &replay(&two),
        &replay(&two.replace(
            "code text) PARTITION",
            "code text, UNIQUE (code, d)) PARTITION",
        )),
        &support::kinds::all_hazards(),
    )
    .unwrap_err();
    let text = format!("{} {:?}", e.message, e.details);
    assert!(text.contains("table public.k_2021"), "{text}");
}

/// A foreign key added to or dropped from a partitioned table with
/// partitions: one step, on the parent; the server clones it onto every
/// partition (a partition's own foreign key of that name and definition is
/// attached) and drops the clones with it. And a foreign key that
/// references a partitioned table, from a plain table and from a
/// partitioned one.
#[test]
fn plans_foreign_keys_of_and_to_partitioned_tables() {
    let base = format!(
        "CREATE TABLE city (id integer PRIMARY KEY);\n{}",
        KEYLESS.replace(
            "code text, CONSTRAINT k_2021_own",
            "code text, CONSTRAINT k_city FOREIGN KEY (id) REFERENCES city (id), CONSTRAINT k_2021_own"
        )
    );
    let with_fk = base.replace(
        "code text) PARTITION BY RANGE (d);",
        "code text, CONSTRAINT k_city FOREIGN KEY (id) REFERENCES city (id)) PARTITION BY RANGE (d);",
    );
    let plan = converge(
        "a foreign key added to a partitioned table",
        &base,
        &with_fk,
    );
    assert_eq!(plan.step_count(), 1, "{}", plan.sql());
    // Dropped: the clones go, the partition's own (attached) too, made
    // again after.
    let plan = converge(
        "a foreign key dropped from a partitioned table",
        &with_fk,
        &base,
    );
    let sql = plan.sql();
    assert_eq!(plan.step_count(), 2, "{sql}");
    assert!(
        sql.contains("ALTER TABLE public.k DROP CONSTRAINT k_city"),
        "{sql}"
    );
    let keyed = with_fk.replace(
        "CONSTRAINT k_city FOREIGN KEY (id) REFERENCES city (id)) PARTITION",
        "CONSTRAINT k_city FOREIGN KEY (id) REFERENCES city (id), PRIMARY KEY (id, d)) PARTITION",
    );
    // Referencing a partitioned table: from a plain table, from a
    // partitioned one.
    let referencing = format!(
        "{keyed}CREATE TABLE r (id integer, d date, CONSTRAINT r_k FOREIGN KEY (id, d) REFERENCES k (id, d));\n\
         CREATE TABLE rp (id integer, d date, CONSTRAINT rp_k FOREIGN KEY (id, d) REFERENCES k (id, d)) PARTITION BY RANGE (d);\n\
         CREATE TABLE rp_1 PARTITION OF rp FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');\n"
    );
    let unreferenced = referencing
        .replace(
            ", CONSTRAINT r_k FOREIGN KEY (id, d) REFERENCES k (id, d)",
            "",
        )
        .replace(
            ", CONSTRAINT rp_k FOREIGN KEY (id, d) REFERENCES k (id, d)",
            "",
        );
    let plan = converge(
        "foreign keys to a partitioned table added",
        &unreferenced,
        &referencing,
    );
    assert_eq!(plan.step_count(), 2, "{}", plan.sql());
    let plan = converge(
        "foreign keys to a partitioned table dropped",
        &referencing,
        &unreferenced,
    );
    assert_eq!(plan.step_count(), 2, "{}", plan.sql());
    // The referenced key and the foreign keys on it added together.
    converge(
        "a partitioned table's key and the foreign keys to it",
        &with_fk,
        &referencing,
    );
    // A partition's own foreign key of the same definition under another
    // name: the server attaches it rather than cloning; refused, named.
    let other = base.replace(
        "CONSTRAINT k_city FOREIGN KEY",
        "CONSTRAINT k_2021_city FOREIGN KEY",
    );
    let e = plan_verified(
        &replay(&other),
        &replay(&other.replace(
            "code text) PARTITION BY RANGE (d);",
            "code text, CONSTRAINT k_city FOREIGN KEY (id) REFERENCES city (id)) PARTITION BY RANGE (d);",
        )),
        &support::kinds::all_hazards(),
    )
    .unwrap_err();
    let text = format!("{} {:?}", e.message, e.details);
    assert!(
        text.contains("table public.k_2021: it has a foreign key like k_city"),
        "{text}"
    );
}

/// Replay's side of keys and foreign keys added to a partitioned table
/// whose partition is partitioned in turn, against the server: the copy
/// on the partitioned partition must hold its own partition key's columns,
/// and the partitions of that partition get theirs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_reach_partitions_of_partitions_as_on_the_server() {
    let fixture = "CREATE TABLE city (id integer PRIMARY KEY);\nCREATE TABLE k (id integer NOT NULL, d date NOT NULL, code text) PARTITION BY RANGE (d);\nCREATE TABLE k_1 PARTITION OF k FOR VALUES FROM ('2020-01-01') TO ('2021-01-01') PARTITION BY LIST (code);\nCREATE TABLE k_1a PARTITION OF k_1 FOR VALUES IN ('a');\n";
    let mismatches = support::kinds::sqlstate_mismatches(
        "strata_partition_keys",
        fixture,
        &[
            ("", "ALTER TABLE k ADD PRIMARY KEY (id, d)"),
            ("", "ALTER TABLE k ADD UNIQUE (d, code)"),
            (
                "ALTER TABLE k ADD CONSTRAINT k_city FOREIGN KEY (id) REFERENCES city (id)",
                "ALTER TABLE k_1a DROP CONSTRAINT k_city",
            ),
            (
                "",
                "ALTER TABLE k ADD CONSTRAINT k_city FOREIGN KEY (id) REFERENCES city (id)",
            ),
        ],
    )
    .await;
    assert!(mismatches.is_empty(), "{mismatches:#?}");
    // What replay builds is what the server builds.
    let sql = format!(
        "{fixture}ALTER TABLE k ADD UNIQUE (d, code);\nALTER TABLE k ADD CONSTRAINT k_city FOREIGN KEY (id) REFERENCES city (id);\n"
    );
    let db = TestDb::create("strata_partition_keys").await;
    psql_apply_sql(&db.url, &sql, true).unwrap();
    let d = differences(&replay(&sql), &read(&db.url).await);
    assert!(d.is_empty(), "{}", d.join("\n"));
}

/// A standalone table attached as a partition of a table with keys,
/// foreign keys and checks: ATTACH PARTITION gives it the parent's keys
/// and foreign keys (or attaches its own matching key) and takes its checks
/// as inherited; detached, it keeps them all as its own.
#[test]
fn plans_a_table_attached_to_and_detached_from_a_keyed_parent() {
    let alone = format!(
        "{PARENT}CREATE TABLE m_2021 (city integer NOT NULL, logdate date NOT NULL, note text DEFAULT 'x' CONSTRAINT m_note_check CHECK (note <> ''), CONSTRAINT m_2021_own PRIMARY KEY (city, logdate));\n"
    );
    let attached = format!(
        "{alone}ALTER TABLE m ATTACH PARTITION m_2021 FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');\n"
    );
    let plan = converge("a table attached to a keyed parent", &alone, &attached);
    assert_eq!(plan.step_count(), 1, "{}", plan.sql());
    // Detached: what it inherited stays its own, which a standalone target
    // with them has.
    let detached = format!("{attached}ALTER TABLE m DETACH PARTITION m_2021;\n");
    let plan = converge(
        "a partition detached from a keyed parent",
        &attached,
        &detached,
    );
    assert_eq!(plan.step_count(), 1, "{}", plan.sql());
}
