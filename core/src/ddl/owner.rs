//! Owners written back (`strata inspect --owners`): `ALTER … OWNER TO`
//! for every object with a named owner, after everything else — after the
//! privileges too, which are written with the owner as `CURRENT_USER`, so
//! the server's `aclnewowner` moves them to the new owner.

use crate::model::{
    owners, qualified_sql, quote_ident, split_signature, ObjectKind, ObjectPath, Operator, Schema,
};

/// `ALTER <kind> <name>` for an owned object, `None` for one that is not
/// altered alone (a sequence a column owns).
pub(crate) fn alter_target(s: &Schema, p: &ObjectPath) -> Option<String> {
    let q = || qualified_sql(&p.namespace, &p.name);
    let with_args = || {
        let (name, args) = split_signature(&p.name);
        format!("{}{args}", qualified_sql(&p.namespace, name))
    };
    Some(match p.kind {
        ObjectKind::Namespace => format!("SCHEMA {}", quote_ident(&p.name)),
        ObjectKind::Table => format!("TABLE {}", q()),
        ObjectKind::View => format!("VIEW {}", q()),
        ObjectKind::MaterializedView => format!("MATERIALIZED VIEW {}", q()),
        ObjectKind::Sequence => {
            let owned = s
                .namespaces
                .get(&p.namespace)
                .and_then(|n| n.sequences.get(&p.name))
                .is_some_and(|seq| seq.owned_by.is_some());
            if owned {
                return None;
            }
            format!("SEQUENCE {}", q())
        }
        ObjectKind::Enum | ObjectKind::Type | ObjectKind::Range => format!("TYPE {}", q()),
        ObjectKind::Domain => format!("DOMAIN {}", q()),
        ObjectKind::Function => format!("FUNCTION {}", with_args()),
        ObjectKind::Procedure => format!("PROCEDURE {}", with_args()),
        ObjectKind::Aggregate => format!("AGGREGATE {}", with_args()),
        ObjectKind::Operator => {
            let (name, left, right) = Operator::split_key(&p.name);
            format!(
                "OPERATOR {}.{name} ({}, {right})",
                quote_ident(&p.namespace),
                left.unwrap_or("NONE")
            )
        }
        ObjectKind::Collation => format!("COLLATION {}", q()),
        ObjectKind::Statistics => format!("STATISTICS {}", q()),
        ObjectKind::EventTrigger => format!("EVENT TRIGGER {}", quote_ident(&p.name)),
        ObjectKind::ForeignDataWrapper => format!("FOREIGN DATA WRAPPER {}", quote_ident(&p.name)),
        ObjectKind::ForeignServer => format!("SERVER {}", quote_ident(&p.name)),
        ObjectKind::Publication => format!("PUBLICATION {}", quote_ident(&p.name)),
        _ => return None,
    })
}

/// `ALTER … OWNER TO role;` for every object of `schema` whose owner is
/// named, but `public`'s owner when it is `pg_database_owner` (as a new
/// database has it).
pub(crate) fn write_owners(schema: &Schema) -> String {
    let mut out = String::new();
    for (path, owner) in owners(schema) {
        let Some(role) = owner.role() else {
            continue;
        };
        if path.kind == ObjectKind::Namespace
            && path.name == "public"
            && role == "pg_database_owner"
        {
            continue;
        }
        if let Some(target) = alter_target(schema, &path) {
            out.push_str(&format!("ALTER {target} OWNER TO {};\n", quote_ident(role)));
        }
    }
    out
}
