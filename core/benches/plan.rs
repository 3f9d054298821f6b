//! Planning between two 10,000-table schemas that differ in 1% of their
//! tables: goal under a second, linear in the size of the schemas.

use std::collections::BTreeMap;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use strata_core::model::{
    Column, Constraint, ConstraintKind, FkAction, Index, IndexKey, IndexKeyExpr, Namespace, Schema,
    Table,
};
use strata_core::plan::{plan, Hazard, PlanOptions};

fn key(c: &str) -> IndexKey {
    IndexKey {
        key: IndexKeyExpr::Column(c.to_string()),
        opclass: None,
        collation: None,
        descending: false,
        nulls_first: false,
        statistics: None,
    }
}

fn table(i: usize) -> Table {
    let mut t = Table::default();
    let mut id = Column::new("id", "bigint");
    id.not_null = true;
    t.columns.push(id);
    let mut name = Column::new("name", "text");
    name.not_null = true;
    t.columns.push(name);
    let mut created = Column::new("created_at", "timestamp with time zone");
    created.default = Some(strata_core::model::Expression::from_server("now()"));
    created.not_null = true;
    t.columns.push(created);
    t.columns.push(Column::new("parent_id", "bigint"));
    t.columns.push(Column::new("score", "integer"));
    t.constraints.insert(
        format!("t{i}_pkey"),
        Box::new(Constraint {
            kind: ConstraintKind::PrimaryKey {
                columns: vec!["id".to_string()],
                include: vec![],
            },
            deferrable: false,
            initially_deferred: false,
            validated: true,
            comment: None,
            inherited: None,
        }),
    );
    if i > 0 {
        t.constraints.insert(
            format!("t{i}_parent_id_fkey"),
            Box::new(Constraint {
                kind: ConstraintKind::ForeignKey {
                    columns: vec!["parent_id".to_string()],
                    ref_namespace: "public".to_string(),
                    ref_table: format!("t{}", i - 1),
                    ref_columns: vec!["id".to_string()],
                    on_delete: FkAction::Cascade,
                    on_update: FkAction::NoAction,
                    match_full: false,
                },
                deferrable: false,
                initially_deferred: false,
                validated: true,
                comment: None,
                inherited: None,
            }),
        );
    }
    t.indexes.insert(
        format!("t{i}_name_idx"),
        Box::new(Index {
            unique: false,
            method: "btree".to_string(),
            keys: vec![key("name")],
            include: vec![],
            nulls_not_distinct: false,
            predicate: None,
            comment: None,
            options: Default::default(),
            attached_to: None,
        }),
    );
    t
}

fn schema(n: usize) -> Schema {
    let mut tables = BTreeMap::new();
    for i in 0..n {
        tables.insert(format!("t{i}"), table(i));
    }
    let mut s = Schema::default();
    s.namespaces.insert(
        "public".to_string(),
        Namespace {
            comment: Some("standard public schema".to_string()),
            tables,
            ..Namespace::default()
        },
    );
    s
}

/// 1% of the tables changed, four kinds of change in turn: a column
/// added, a type widened, an index added, a table created.
fn edited(a: &Schema) -> Schema {
    let mut b = a.clone();
    let n = a.namespaces["public"].tables.len();
    let ns = b.namespaces.get_mut("public").expect("public");
    for k in 0..n / 100 {
        let i = k * 100 + 7;
        match k % 4 {
            0 => {
                if let Some(t) = ns.tables.get_mut(&format!("t{i}")) {
                    t.columns.push(Column::new("note", "text"));
                }
            }
            1 => {
                if let Some(c) = ns
                    .tables
                    .get_mut(&format!("t{i}"))
                    .and_then(|t| t.column_mut("score"))
                {
                    c.data_type = "bigint".to_string();
                }
            }
            2 => {
                if let Some(t) = ns.tables.get_mut(&format!("t{i}")) {
                    t.indexes.insert(
                        format!("t{i}_score_idx"),
                        Box::new(Index {
                            unique: false,
                            method: "btree".to_string(),
                            keys: vec![key("score")],
                            include: vec![],
                            nulls_not_distinct: false,
                            predicate: None,
                            comment: None,
                            options: Default::default(),
                            attached_to: None,
                        }),
                    );
                }
            }
            _ => {
                ns.tables.insert(format!("new{i}"), table(i + 1));
            }
        }
    }
    b
}

fn bench(c: &mut Criterion) {
    let a = schema(10_000);
    let b = edited(&a);
    let opts = PlanOptions {
        allow: Hazard::ALL.into_iter().collect(),
        ..PlanOptions::default()
    };
    let p = plan(&a, &b, &opts).expect("plan");
    assert_eq!(
        p.step_count(),
        100 + 25,
        "one step per change, and the new tables' keys"
    );
    let mut g = c.benchmark_group("plan");
    g.sample_size(10);
    g.bench_function("10000 tables, 1% changed", |bench| {
        bench.iter(|| plan(black_box(&a), black_box(&b), &opts).map(|p| p.step_count()))
    });
    let a2 = schema(20_000);
    let b2 = edited(&a2);
    g.bench_function("20000 tables, 1% changed", |bench| {
        bench.iter(|| plan(black_box(&a2), black_box(&b2), &opts).map(|p| p.step_count()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
