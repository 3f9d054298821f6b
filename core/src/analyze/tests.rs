//! `stored` against the expressions read from PostgreSQL 15 that
//! `normalize`'s tests keep (`SERVER`): the server's text is the
//! expectation. Index keys there were read with `pretty = true`, a different
//! printing, so they are left to `tests/analyze_live.rs`.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::{stored, Role, Scope};
use crate::model::{Column, EnumType, Extension, Schema, Sequence};

/// The table the `SERVER` cases were read with (see its doc comment).
pub(crate) fn server_table() -> (Vec<Column>, Schema) {
    let cols: &[(&str, &str)] = &[
        ("id", "text"),
        ("agent_id", "text"),
        ("name", "text"),
        ("email", "text"),
        ("first_name", "text"),
        ("last_name", "text"),
        ("userId", "text"),
        ("User", "text"),
        ("status", "agent_run_status"),
        ("kind", "\"TaskRunStatus\""),
        ("th", "other.thing"),
        ("ancestor_run_ids", "text[]"),
        ("tags", "character varying(10)[]"),
        ("flags", "integer[]"),
        ("a", "integer"),
        ("b", "integer"),
        ("c", "integer"),
        ("x", "integer"),
        ("order", "integer"),
        ("n", "bigint"),
        ("price", "numeric"),
        ("balance", "numeric"),
        ("amount", "numeric(10,2)"),
        ("f", "double precision"),
        ("label", "character varying(20)"),
        ("code", "character(3)"),
        ("ci", "citext"),
        ("data", "jsonb"),
        ("ok", "boolean"),
        ("d", "date"),
        ("ts", "timestamp without time zone"),
        ("created_at", "timestamp with time zone"),
        ("completed_at", "timestamp with time zone"),
        ("expires_at", "timestamp with time zone"),
        ("deleted_at", "timestamp with time zone"),
        ("emailVerified", "timestamp with time zone"),
        ("user_id", "uuid"),
        ("org_id", "uuid"),
    ];
    let columns = cols.iter().map(|(n, t)| Column::new(*n, *t)).collect();
    let mut schema = Schema::default();
    let public = schema.namespaces.entry("public".into()).or_default();
    public.enums.insert(
        "agent_run_status".into(),
        EnumType {
            owner: crate::model::Owner::default(),
            values: vec!["running".into(), "done".into(), "failed".into()],
            comment: None,
            acl: None,
        },
    );
    public.enums.insert(
        "TaskRunStatus".into(),
        EnumType {
            owner: crate::model::Owner::default(),
            values: vec!["PENDING".into(), "RUNNING".into()],
            comment: None,
            acl: None,
        },
    );
    for s in ["seq", "users_id_seq", "MySeq"] {
        public
            .sequences
            .insert(s.into(), Sequence::with_defaults("bigint"));
    }
    let other = schema.namespaces.entry("other".into()).or_default();
    other.enums.insert(
        "thing".into(),
        EnumType {
            owner: crate::model::Owner::default(),
            values: vec!["x".into(), "y".into()],
            comment: None,
            acl: None,
        },
    );
    other
        .sequences
        .insert("oseq".into(), Sequence::with_defaults("bigint"));
    schema.extensions.insert(
        "citext".into(),
        Extension {
            namespace: "public".into(),
            version: None,
        },
    );
    (columns, schema)
}

pub(crate) fn parse(text: &str) -> sqlparser::ast::Expr {
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(text)
        .and_then(|mut p| p.parse_expr())
        .unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The canonical column type a case's context names (`default T`, `gen T`).
fn column_type_of(context: &str) -> String {
    context
        .strip_prefix("default ")
        .or_else(|| context.strip_prefix("gen "))
        .map(|t| crate::normalize::type_text(t).unwrap())
        .unwrap_or_default()
}

/// The role a case's context names: `default T`, `gen T`, `check`, `pred`.
fn role_of<'a>(context: &str, column_type: &'a str) -> Option<Role<'a>> {
    if context.starts_with("default ") {
        Some(Role::Default { column_type })
    } else if context.starts_with("gen ") {
        Some(Role::Generated { column_type })
    } else if context == "check" {
        Some(Role::Check)
    } else if context == "pred" {
        Some(Role::Predicate)
    } else {
        None
    }
}

#[test]
fn server_cases_are_equal_or_unproven() {
    let (columns, schema) = server_table();
    let scope = Scope {
        columns: &columns,
        schema: &schema,
    };
    let mut equal = 0;
    let mut unproven = vec![];
    let mut total = 0;
    for (context, written, server, _) in super::server_cases::SERVER {
        let type_text = column_type_of(context);
        let Some(role) = role_of(context, &type_text) else {
            continue;
        };
        total += 1;
        match stored(&parse(written), &scope, role) {
            Ok(text) => {
                assert_eq!(text, *server, "[{context}] {written}");
                equal += 1;
            }
            Err(u) => unproven.push(format!("[{context}] {written}: {}", u.reason)),
        }
    }
    eprintln!("{equal} of {total} equal; unproven:");
    for u in &unproven {
        eprintln!("  {u}");
    }
    assert!(equal >= MIN_EQUAL, "{equal} of {total} equal");
}

/// What the old cast-stripping normalizer could not bring together: each
/// is now the server's text, or unproven — never another text.
#[test]
fn former_gaps_are_equal_or_unproven() {
    let (columns, schema) = server_table();
    let scope = Scope {
        columns: &columns,
        schema: &schema,
    };
    let mut equal = 0;
    for (context, written, server) in super::server_cases::FORMER_GAPS {
        let type_text = column_type_of(context);
        let role = role_of(context, &type_text).unwrap_or(Role::Check);
        let Ok(e) = crate::expression::parse(written) else {
            continue; // sqlparser cannot read it (BETWEEN SYMMETRIC)
        };
        if let Ok(text) = stored(&e, &scope, role) {
            assert_eq!(text, *server, "[{context}] {written}");
            equal += 1;
        }
    }
    assert!(
        equal >= 6,
        "{equal} of {} equal",
        super::server_cases::FORMER_GAPS.len()
    );
}

/// Raised as the catalog and literal modules land.
const MIN_EQUAL: usize = 475;

/// An operator resolved on one enum is remembered by the enum's place, not
/// its id (ids mean something inside one analysis only): the next analysis,
/// on another enum in that place, gets its own enum back, and an error still
/// names the enums it was raised for.
#[test]
fn an_operator_on_an_enum_is_remembered_by_place_not_by_enum() {
    let (columns, schema) = server_table();
    // The same schema with one more enum sorted among the others: every
    // enum after it gets another id (as when a replay creates an enum).
    let mut shifted = schema.clone();
    shifted
        .namespaces
        .get_mut("public")
        .expect("public")
        .enums
        .insert(
            "aaa".into(),
            EnumType {
                owner: crate::model::Owner::default(),
                values: vec!["z".into()],
                comment: None,
                acl: None,
            },
        );
    for schema in [&schema, &shifted, &schema, &shifted] {
        let scope = Scope {
            columns: &columns,
            schema,
        };
        let check = |text: &str| stored(&parse(text), &scope, Role::Check);
        assert_eq!(
            check("status = 'done'").unwrap(),
            "(status = 'done'::agent_run_status)"
        );
        assert_eq!(check("th = 'x'").unwrap(), "(th = 'x'::other.thing)");
        assert_eq!(
            check("kind <> 'RUNNING'").unwrap(),
            "(kind <> 'RUNNING'::\"TaskRunStatus\")"
        );
        assert_eq!(
            check("status IN ('done', 'failed')").unwrap(),
            "(status = ANY (ARRAY['done'::agent_run_status, 'failed'::agent_run_status]))"
        );
        // An operator whose result is the enum's array type (the server's
        // text, PostgreSQL 15).
        assert_eq!(
            check("(ARRAY[status] || status) <> '{}'").unwrap(),
            "((ARRAY[status] || status) <> '{}'::agent_run_status[])"
        );
        assert_eq!(
            check("(ARRAY[th] || th) <> '{}'").unwrap(),
            "((ARRAY[th] || th) <> '{}'::other.thing[])"
        );
        // Unknown literals in ARRAY[] are text: no enum = text.
        let e = check("status = ANY (ARRAY['done', 'failed'])")
            .unwrap_err()
            .reason;
        assert!(e.contains("agent_run_status = text"), "{e}");
        // Two enums compared: no operator; the error names both.
        let e = check("status = th").unwrap_err().reason;
        assert!(e.contains("agent_run_status = other.thing"), "{e}");
        let e = check("th = kind").unwrap_err().reason;
        assert!(e.contains("other.thing = \"TaskRunStatus\""), "{e}");
    }
}
