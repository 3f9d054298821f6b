//! Inheritance hierarchies in plans, against the real server: a column
//! added to or dropped from a parent is planned once, on the parent, and
//! the children are planned from what the server's propagation leaves of
//! them (`attislocal` / `attinhcount`): a child's own column merged with
//! the parent's, kept when the parent drops it, dropped first when the
//! target wants it inherited only. Judged by `pg_dump -s`; the model's
//! inheritance marks checked against the server's catalog; what strata
//! does not plan is refused by name.

use crate::support;

use strata::inspect::{inspect_url, InspectOptions};
use strata_core::diff::{diff, DiffOptions};
use strata_core::model::{Inherited, Schema};
use strata_core::plan::{plan_verified, Hazard, Plan, PlanOptions};
use support::judge::plan_converges;
use support::{psql_apply_sql, TestDb};

fn replay(sql: &str) -> Schema {
    let text: std::sync::Arc<str> = std::sync::Arc::from(sql);
    strata_core::replay::replay_texts([("schema.sql", &text)])
        .unwrap_or_else(|e| panic!("replay: {e:?}"))
        .schema
}

fn opts() -> PlanOptions {
    PlanOptions {
        allow: Hazard::ALL.into_iter().collect(),
        ..PlanOptions::default()
    }
}

fn converge(name: &str, a: &str, b: &str) -> Plan {
    let plan =
        plan_verified(&replay(a), &replay(b), &opts()).unwrap_or_else(|e| panic!("{name}: {e}"));
    plan_converges(name, a, b, &plan).unwrap_or_else(|e| panic!("{e}"));
    plan
}

/// A parent with two children: one inherits `e` only, one also defines it.
const A: &str = r#"
CREATE TABLE base (created_at timestamp DEFAULT now(), e integer);
CREATE TABLE only_inherits (a1 integer, a2 integer) INHERITS (base);
CREATE TABLE also_local (e integer, b1 text) INHERITS (base);
"#;

/// `e` dropped from the parent: `only_inherits` loses it and defines its
/// own again (as migra's inherit2 fixture), `also_local` keeps its own;
/// `only_inherits.a2` dropped.
const B: &str = r#"
CREATE TABLE base (created_at timestamp DEFAULT now());
CREATE TABLE only_inherits (a1 integer) INHERITS (base);
ALTER TABLE only_inherits ADD COLUMN e integer;
CREATE TABLE also_local (e integer, b1 text) INHERITS (base);
"#;

#[test]
fn a_parents_column_changes_are_planned_once_and_converge() {
    let plan = converge("column dropped from the parent", A, B);
    let sql = plan.sql();
    assert!(
        sql.contains("ALTER TABLE public.base DROP COLUMN e"),
        "{sql}"
    );
    assert!(
        !sql.contains("ALTER TABLE public.also_local DROP COLUMN e"),
        "{sql}"
    );
    // Back: the parent adds `e`; the child that must inherit it only drops
    // its own first (a named hazard), the other merges.
    let plan = converge("column added to the parent", B, A);
    let sql = plan.sql();
    assert!(
        sql.contains("ALTER TABLE public.base ADD COLUMN e integer"),
        "{sql}"
    );
    let predrop = plan
        .steps()
        .find(|s| s.action == "drop column (to inherit it)")
        .unwrap_or_else(|| panic!("{sql}"));
    assert_eq!(predrop.object.to_string(), "column public.only_inherits.e");
    assert!(predrop.has(Hazard::DeletesData));
    assert!(
        sql.find("DROP COLUMN e").unwrap() < sql.find("base ADD COLUMN e").unwrap(),
        "{sql}"
    );
    // A child attached (INHERIT) after its parent gains the columns it has.
    let loose = "CREATE TABLE p (id integer);\nCREATE TABLE c (id integer, n text);\n";
    let joined = "CREATE TABLE p (id integer, n text);\nCREATE TABLE c (id integer, n text);\nALTER TABLE c INHERIT p;\n";
    converge("parent widened and child attached", loose, joined);
    converge("child detached and parent narrowed", joined, loose);
}

/// A check added to or dropped from a parent, inheritance or partitioned,
/// is one step on the parent: the server gives each child an inherited
/// copy, or merges it with the child's own same check (still local), and
/// on the drop takes the inherited copy or leaves the child's own.
#[test]
fn a_parents_check_is_planned_once_and_reaches_its_children() {
    let base = "CREATE TABLE p (v integer);\nCREATE TABLE plain () INHERITS (p);\nCREATE TABLE own (CONSTRAINT p_v_check CHECK (v > 0)) INHERITS (p);\n";
    let checked = "CREATE TABLE p (v integer CHECK (v > 0));\nCREATE TABLE plain () INHERITS (p);\nCREATE TABLE own (CONSTRAINT p_v_check CHECK (v > 0)) INHERITS (p);\n";
    for (name, a, b) in [
        ("check added", base, checked),
        ("check dropped", checked, base),
    ] {
        let plan = converge(name, a, b);
        assert_eq!(plan.step_count(), 1, "{name}: {}", plan.sql());
        assert!(
            plan.sql().contains("ALTER TABLE public.p "),
            "{}",
            plan.sql()
        );
    }
    let parts = "CREATE TABLE m (v integer, d date) PARTITION BY RANGE (d);\nCREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');\n";
    let checked_parts = parts.replace("(v integer, d date)", "(v integer CHECK (v <> 0), d date)");
    for (name, a, b) in [
        (
            "check added to a partitioned table",
            parts.to_string(),
            checked_parts.clone(),
        ),
        (
            "check dropped from a partitioned table",
            checked_parts,
            parts.to_string(),
        ),
    ] {
        let plan = converge(name, &a, &b);
        assert_eq!(plan.step_count(), 1, "{name}: {}", plan.sql());
    }
}

/// A parent's column added or dropped reaches every level: the server
/// recurses below each child whose column it added or dropped, and stops
/// at one that had the column of its own (merged, or kept as its own).
#[test]
fn a_parents_column_reaches_grandchildren() {
    let three = "CREATE TABLE p (v integer);\nCREATE TABLE c () INHERITS (p);\nCREATE TABLE g () INHERITS (c);\nCREATE TABLE g2 (w integer) INHERITS (c);\n";
    let wider = "CREATE TABLE p (v integer, w integer);\nCREATE TABLE c () INHERITS (p);\nCREATE TABLE g () INHERITS (c);\nCREATE TABLE g2 (w integer) INHERITS (c);\n";
    for (name, a, b) in [("added", three, wider), ("dropped", wider, three)] {
        let plan = converge(&format!("a grandparent's column {name}"), a, b);
        assert_eq!(plan.step_count(), 1, "{name}: {}", plan.sql());
    }
    // A child with the column of its own stops the recursion.
    let own = "CREATE TABLE p (v integer);\nCREATE TABLE c (w integer) INHERITS (p);\nCREATE TABLE g () INHERITS (c);\n";
    let own_wider = "CREATE TABLE p (v integer, w integer);\nCREATE TABLE c (w integer) INHERITS (p);\nCREATE TABLE g () INHERITS (c);\n";
    converge("merged at the child", own, own_wider);
    converge("kept by the child", own_wider, own);
    // Partitions of partitions.
    let nested = "CREATE TABLE m (d date, k int) PARTITION BY RANGE (d);\nCREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01') PARTITION BY LIST (k);\nCREATE TABLE m1a PARTITION OF m1 FOR VALUES IN (1);\n";
    let nested_wider = nested.replace("(d date, k int)", "(d date, k int, note text)");
    converge("a column added to nested partitions", nested, &nested_wider);
    converge(
        "a column dropped from nested partitions",
        &nested_wider,
        nested,
    );
}

/// What the plan leaves is what the server leaves: the inheritance marks
/// of the planned database, read from the catalog, are the target's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_planned_marks_are_the_servers() {
    let db = TestDb::create("strata_inherit_marks").await;
    psql_apply_sql(&db.url, B, true).unwrap();
    let plan = plan_verified(&replay(B), &replay(A), &opts()).unwrap();
    support::judge::apply_plan(&db.url, &plan).unwrap();
    let live = inspect_url(&db.url, &InspectOptions::default())
        .await
        .unwrap();
    let t = live.table("public", "only_inherits").unwrap();
    assert_eq!(
        t.column("e").unwrap().inherited,
        Some(Inherited {
            count: 1,
            local: false
        })
    );
    let t = live.table("public", "also_local").unwrap();
    assert_eq!(
        t.column("e").unwrap().inherited,
        Some(Inherited {
            count: 1,
            local: true
        })
    );
    let d = diff(&replay(A), &live, DiffOptions::default());
    assert!(
        d.is_empty(),
        "{:#?}",
        d.iter().map(|x| x.to_string()).collect::<Vec<_>>()
    );
}

#[test]
fn what_is_not_planned_in_a_hierarchy_is_refused_by_name() {
    for (name, a, b, named) in [
        (
            "a parent's DROP NOT NULL reaching a child's primary key",
            "CREATE TABLE p (v integer NOT NULL);\nCREATE TABLE c (PRIMARY KEY (v)) INHERITS (p);\n",
            "CREATE TABLE p (v integer);\nCREATE TABLE c (PRIMARY KEY (v)) INHERITS (p);\n",
            "public.c.v",
        ),
        (
            "a check added to a parent whose child has a different one of that name",
            "CREATE TABLE p (v integer);\nCREATE TABLE c (CONSTRAINT p_v_check CHECK (v > 1)) INHERITS (p);\n",
            "CREATE TABLE p (v integer CHECK (v > 0));\nCREATE TABLE c () INHERITS (p);\n",
            "table public.c: it has a different constraint p_v_check",
        ),
        (
            "a check a child has of its own, to be inherited only once its parent gains it",
            "CREATE TABLE p (v integer);\nCREATE TABLE c (CONSTRAINT p_v_check CHECK (v > 0)) INHERITS (p);\n",
            "CREATE TABLE p (v integer CHECK (v > 0));\nCREATE TABLE c () INHERITS (p);\n",
            "table public.c: constraint p_v_check would be inherited instead of inherited and local",
        ),
        (
            "a column of a partition key retyped",
            "CREATE TABLE m (v integer, d date) PARTITION BY RANGE (d);\nCREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01') PARTITION BY LIST (v);\n",
            "CREATE TABLE m (v bigint, d date) PARTITION BY RANGE (d);\nCREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01') PARTITION BY LIST (v);\n",
            "table public.m1.v: its type changes (integer → bigint) and the partition key LIST (v) uses it",
        ),
    ] {
        let e = plan_verified(&replay(a), &replay(b), &opts())
            .err()
            .unwrap_or_else(|| panic!("{name}: planned"));
        let text = format!("{} {:?}", e.message, e.details);
        assert!(text.contains(named), "{name}: {text}");
    }
}

/// A check on a parent whose child has children reaches every level the
/// server's recursion reaches: a grandchild gets its copy through a child
/// that got a new one, and one with the check of its own merges it. A child
/// with two parents inherits a check twice: dropped from one parent it
/// stays, inherited from the other; added to the other again, merged.
#[test]
fn a_parents_check_reaches_grandchildren_and_children_of_two_parents() {
    let three = "CREATE TABLE p (v integer);\nCREATE TABLE c () INHERITS (p);\nCREATE TABLE g () INHERITS (c);\nCREATE TABLE g2 (CONSTRAINT p_v_check CHECK (v > 0)) INHERITS (c);\n";
    let checked = three.replace("p (v integer)", "p (v integer CHECK (v > 0))");
    for (name, a, b) in [
        ("a check added to a grandparent", three, checked.as_str()),
        (
            "a check dropped from a grandparent",
            checked.as_str(),
            three,
        ),
    ] {
        let plan = converge(name, a, b);
        assert_eq!(plan.step_count(), 1, "{name}: {}", plan.sql());
    }
    let merged = replay(&checked);
    assert_eq!(
        merged.table("public", "g2").unwrap().constraints["p_v_check"].inherited,
        Some(Inherited {
            count: 1,
            local: true
        })
    );
    let two = "CREATE TABLE p1 (v integer, CONSTRAINT pos CHECK (v > 0));\nCREATE TABLE p2 (v integer, CONSTRAINT pos CHECK (v > 0));\nCREATE TABLE c () INHERITS (p1, p2);\nCREATE TABLE g () INHERITS (c);\n";
    let one = two.replace(
        "p2 (v integer, CONSTRAINT pos CHECK (v > 0))",
        "p2 (v integer)",
    );
    for (name, a, b) in [
        ("a check dropped from one of two parents", two, one.as_str()),
        ("a check added to the second parent", one.as_str(), two),
    ] {
        let plan = converge(name, a, b);
        assert_eq!(plan.step_count(), 1, "{name}: {}", plan.sql());
        assert!(
            plan.sql().contains("ALTER TABLE public.p2 "),
            "{}",
            plan.sql()
        );
    }
    // A parent's check changed: dropped and added again on the parent, the
    // children following (a grandchild's copy too).
    // (A grandchild with the old check of its own is refused: the server
    // would not merge the new one with it.)
    let plain = checked.replace(
        "(CONSTRAINT p_v_check CHECK (v > 0)) INHERITS (c)",
        "() INHERITS (c)",
    );
    let stricter = plain.replace("CHECK (v > 0)", "CHECK (v > 1)");
    for (name, a, b) in [
        (
            "a grandparent's check changed",
            plain.as_str(),
            stricter.as_str(),
        ),
        (
            "a grandparent's check changed back",
            stricter.as_str(),
            plain.as_str(),
        ),
    ] {
        let plan = converge(name, a, b);
        assert_eq!(plan.step_count(), 2, "{name}: {}", plan.sql());
    }
    let e = plan_verified(
        &replay(&checked),
        &replay(&checked.replace("CHECK (v > 0)", "CHECK (v > 1)")),
        &opts(),
    )
    .unwrap_err();
    assert!(
        format!("{:?}", e.details).contains("table public.g2: it has a different constraint"),
        "{e}"
    );
    assert_eq!(
        replay(&one).table("public", "c").unwrap().constraints["pos"].inherited,
        Some(Inherited {
            count: 1,
            local: false
        })
    );
}

/// A parent's column type, default or NOT NULL changed: one step on the
/// parent (ALTER TYPE, SET | DROP DEFAULT and SET | DROP NOT NULL recurse to
/// every descendant that has the column, a child's own default overwritten),
/// then a child's own default set again after it. Inheritance with a
/// grandchild, and partitions.
#[test]
fn a_parents_column_type_default_and_not_null_reach_its_children() {
    let narrow = "CREATE TABLE p (v integer DEFAULT 1, w text);\nCREATE TABLE c () INHERITS (p);\nCREATE TABLE g () INHERITS (c);\nCREATE TABLE c2 (v integer DEFAULT 5) INHERITS (p);\n";
    let wide = "CREATE TABLE p (v bigint DEFAULT 2 NOT NULL, w text);\nCREATE TABLE c () INHERITS (p);\nCREATE TABLE g () INHERITS (c);\nCREATE TABLE c2 (v bigint DEFAULT 5) INHERITS (p);\n";
    for (name, a, b) in [
        ("a parent's column widened", narrow, wide),
        ("a parent's column narrowed", wide, narrow),
    ] {
        let plan = converge(name, a, b);
        let sql = plan.sql();
        assert!(
            plan.steps()
                .all(|s| s.object.to_string().contains("public.p.")
                    || s.object.to_string() == "column public.c2.v"),
            "{name}: {sql}"
        );
        // The child's own default after the parent's, which overwrote it.
        assert!(
            sql.rfind("ALTER TABLE public.p ").unwrap()
                < sql
                    .find("ALTER TABLE public.c2 ALTER COLUMN v SET DEFAULT 5")
                    .unwrap(),
            "{name}: {sql}"
        );
    }
    // Only the default: the same.
    let two = narrow.replace("DEFAULT 1", "DEFAULT 2");
    let plan = converge("a parent's default changed", narrow, &two);
    assert_eq!(plan.step_count(), 2, "{}", plan.sql());

    let parts = "CREATE TABLE m (v integer DEFAULT 1, d date) PARTITION BY RANGE (d);\nCREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');\nCREATE TABLE m2 PARTITION OF m FOR VALUES FROM ('2021-01-01') TO ('2022-01-01') PARTITION BY RANGE (d);\nCREATE TABLE m2a PARTITION OF m2 FOR VALUES FROM ('2021-01-01') TO ('2021-07-01');\nALTER TABLE m1 ALTER v SET DEFAULT 7;\n";
    let retyped = parts
        .replace(
            "(v integer DEFAULT 1, d date)",
            "(v bigint NOT NULL, d date)",
        )
        .replace("ALTER TABLE m1 ALTER v SET DEFAULT 7;\n", "");
    for (name, a, b) in [
        (
            "a partitioned table's column retyped",
            parts,
            retyped.as_str(),
        ),
        (
            "a partitioned table's column retyped back",
            retyped.as_str(),
            parts,
        ),
    ] {
        let plan = converge(name, a, b);
        assert!(
            plan.steps()
                .all(|s| s.object.to_string().contains("public.m.")
                    || s.object.to_string() == "column public.m1.v"),
            "{name}: {}",
            plan.sql()
        );
    }
}

/// Keys and foreign keys of an inheritance parent are its own (children
/// inherit neither): one step on the parent, both ways, its children kept.
#[test]
fn an_inheritance_parents_keys_are_its_own() {
    let family = "CREATE TABLE r (id integer PRIMARY KEY);\nCREATE TABLE p (id integer NOT NULL, v text);\nCREATE TABLE c () INHERITS (p);\n";
    let keyed = family.replace(
        "v text)",
        "v text, PRIMARY KEY (id), FOREIGN KEY (id) REFERENCES r)",
    );
    for (name, a, b) in [
        ("an inheritance parent's keys added", family, keyed.as_str()),
        (
            "an inheritance parent's keys dropped",
            keyed.as_str(),
            family,
        ),
    ] {
        let plan = converge(name, a, b);
        assert_eq!(plan.step_count(), 2, "{name}: {}", plan.sql());
    }
}
