//! Row-level security policies: `CREATE`, `ALTER`, `DROP` and `COMMENT ON
//! POLICY`, with the server's errors (PostgreSQL's `policy.c`); what a
//! column's drop, rename or new type does to the policies that read it.

use std::collections::BTreeSet;

use crate::model::{ObjectKind, ObjectPath, Policy, PolicyCommand, POLICY_PUBLIC};
use crate::parse::{AlterPolicyOp, PolicyDef, PolicyExpr, PolicyRoleSpec, QName};

use super::constraint::is_sql_keyword_value;
use super::namespace::Role;
use super::{
    err, help, Replayer, DEPENDENT_OBJECTS, DUPLICATE_OBJECT, FEATURE_NOT_SUPPORTED, R,
    SYNTAX_ERROR, UNDEFINED_COLUMN, UNDEFINED_OBJECT,
};

impl Replayer {
    pub(super) fn create_policy(&mut self, name: String, table: QName, def: PolicyDef) -> R<()> {
        // policy.c checks the clauses against the command first, then the
        // roles, the table, the expressions, and last the name.
        if def.with_check.is_some()
            && matches!(def.command, PolicyCommand::Select | PolicyCommand::Delete)
        {
            return Err(err(
                SYNTAX_ERROR,
                "WITH CHECK cannot be applied to SELECT or DELETE",
            ));
        }
        if def.using.is_some() && def.command == PolicyCommand::Insert {
            return Err(err(
                SYNTAX_ERROR,
                "only WITH CHECK expression allowed for INSERT",
            ));
        }
        let roles = self.policy_roles(&def.roles)?;
        let ns = self.table_ns(&table)?;
        for x in def.using.iter().chain(&def.with_check) {
            self.check_policy_columns(&ns, &table.name, x)?;
        }
        let t = self.table(&ns, &table.name).expect("resolved");
        if t.policies.contains_key(&name) {
            return Err(err(
                DUPLICATE_OBJECT,
                format!(
                    "policy \"{name}\" for table \"{}\" already exists",
                    table.name
                ),
            ));
        }
        let policy = Policy {
            command: def.command,
            permissive: def.permissive,
            roles,
            using: def.using.map(|x| x.expression),
            with_check: def.with_check.map(|x| x.expression),
            comment: None,
        };
        self.table_mut(&ns, &table.name)
            .policies
            .insert(name.clone(), policy);
        self.touch(ObjectPath::in_table(
            ObjectKind::Policy,
            &ns,
            &table.name,
            &name,
        ));
        Ok(())
    }

    pub(super) fn alter_policy(&mut self, name: String, table: QName, op: AlterPolicyOp) -> R<()> {
        match op {
            AlterPolicyOp::Rename(new) => {
                let ns = self.table_ns(&table)?;
                let t = self.table(&ns, &table.name).expect("resolved");
                // rename_policy looks for a conflict first.
                if t.policies.contains_key(&new) {
                    return Err(err(
                        DUPLICATE_OBJECT,
                        format!(
                            "policy \"{new}\" for table \"{}\" already exists",
                            table.name
                        ),
                    ));
                }
                let Some(p) = self.table_mut(&ns, &table.name).policies.remove(&name) else {
                    return Err(missing_policy(&name, &table));
                };
                self.table_mut(&ns, &table.name)
                    .policies
                    .insert(new.clone(), p);
                self.touch(ObjectPath::in_table(
                    ObjectKind::Policy,
                    &ns,
                    &table.name,
                    &new,
                ));
            }
            AlterPolicyOp::Change {
                roles,
                using,
                with_check,
            } => {
                let roles = match roles {
                    Some(r) => Some(self.policy_roles(&r)?),
                    None => None,
                };
                let ns = self.table_ns(&table)?;
                for x in using.iter().chain(&with_check) {
                    self.check_policy_columns(&ns, &table.name, x)?;
                }
                let t = self.table(&ns, &table.name).expect("resolved");
                let Some(p) = t.policies.get(&name) else {
                    return Err(missing_policy(&name, &table));
                };
                if with_check.is_some()
                    && matches!(p.command, PolicyCommand::Select | PolicyCommand::Delete)
                {
                    return Err(err(
                        SYNTAX_ERROR,
                        "only USING expression allowed for SELECT, DELETE",
                    ));
                }
                if using.is_some() && p.command == PolicyCommand::Insert {
                    return Err(err(
                        SYNTAX_ERROR,
                        "only WITH CHECK expression allowed for INSERT",
                    ));
                }
                let p = self
                    .table_mut(&ns, &table.name)
                    .policies
                    .get_mut(&name)
                    .expect("exists");
                if let Some(r) = roles {
                    p.roles = r;
                }
                if let Some(u) = using {
                    p.using = Some(u.expression);
                }
                if let Some(w) = with_check {
                    p.with_check = Some(w.expression);
                }
                self.touch(ObjectPath::in_table(
                    ObjectKind::Policy,
                    &ns,
                    &table.name,
                    &name,
                ));
            }
        }
        Ok(())
    }

    pub(super) fn drop_policy(&mut self, name: String, table: QName, if_exists: bool) -> R<()> {
        let ns = match self.table_ns(&table) {
            Ok(ns) => ns,
            Err(_) if if_exists && self.relation_kind(&table).is_none() => return Ok(()),
            Err(e) => return Err(e),
        };
        if self
            .table_mut(&ns, &table.name)
            .policies
            .remove(&name)
            .is_none()
            && !if_exists
        {
            return Err(missing_policy(&name, &table));
        }
        self.touch(ObjectPath::new(ObjectKind::Table, &ns, &table.name));
        Ok(())
    }

    pub(super) fn comment_policy(
        &mut self,
        name: String,
        table: QName,
        text: Option<String>,
    ) -> R<()> {
        let ns = self.table_ns(&table)?;
        let Some(p) = self.table_mut(&ns, &table.name).policies.get_mut(&name) else {
            return Err(missing_policy(&name, &table));
        };
        p.comment = text;
        self.touch(ObjectPath::in_table(
            ObjectKind::Policy,
            &ns,
            &table.name,
            &name,
        ));
        Ok(())
    }

    /// Before `DROP COLUMN`: the policies that read the column make the
    /// drop fail without CASCADE (2BP01); with it, they go with the column
    /// ([`Replayer::drop_column_inner`] drops them).
    pub(super) fn check_policies_on_column_drop(
        &self,
        ns: &str,
        table: &str,
        col: &str,
        cascade: bool,
    ) -> R<()> {
        if cascade {
            return Ok(());
        }
        let Some(t) = self.table(ns, table) else {
            return Ok(());
        };
        if let Some(name) = policies_reading(t, col).into_iter().next() {
            return Err(help(
                err(
                    DEPENDENT_OBJECTS,
                    format!("cannot drop column {col} of table {table} because other objects depend on it"),
                ),
                format!(
                    "policy {name} on table {table} depends on column {col} of table {table}: drop it first, or use DROP … CASCADE"
                ),
            ));
        }
        Ok(())
    }

    /// `ALTER COLUMN … TYPE` of a column a policy reads: the server's 0A000.
    pub(super) fn check_policies_on_column_retype(
        &self,
        ns: &str,
        table: &str,
        col: &str,
    ) -> R<()> {
        let Some(t) = self.table(ns, table) else {
            return Ok(());
        };
        if let Some(name) = policies_reading(t, col).into_iter().next() {
            return Err(help(
                err(
                    FEATURE_NOT_SUPPORTED,
                    "cannot alter type of a column used in a policy definition",
                ),
                format!("policy {name} on table {table} depends on column \"{col}\""),
            ));
        }
        Ok(())
    }

    /// The roles of a `TO` list as `pg_policy.polroles` keeps them: a list
    /// naming PUBLIC is PUBLIC alone; no list is PUBLIC. Roles are cluster
    /// objects: named, never created or checked here.
    fn policy_roles(&self, specs: &[PolicyRoleSpec]) -> R<BTreeSet<String>> {
        let mut out = BTreeSet::new();
        if specs.is_empty() || specs.contains(&PolicyRoleSpec::Public) {
            out.insert(POLICY_PUBLIC.to_string());
            return Ok(out);
        }
        for s in specs {
            match s {
                PolicyRoleSpec::Public => {}
                PolicyRoleSpec::Name(n) => {
                    out.insert(n.clone());
                }
                PolicyRoleSpec::Session(kw) => match &self.role {
                    Role::Named(n) if *kw != "SESSION_USER" => {
                        out.insert(n.clone());
                    }
                    _ => {
                        return Err(help(
                            err(
                                FEATURE_NOT_SUPPORTED,
                                format!("a policy for {kw}: strata does not know which role runs these statements"),
                            ),
                            "name the role in the policy's TO list",
                        ))
                    }
                },
            }
        }
        Ok(out)
    }

    /// 42703 for a column the expression reads (outside subqueries) that
    /// the table does not have.
    fn check_policy_columns(&self, ns: &str, table: &str, x: &PolicyExpr) -> R<()> {
        let t = self.table(ns, table).expect("resolved");
        for col in &x.columns {
            if t.column(col).is_none() && !is_sql_keyword_value(col) && !is_session_keyword(col) {
                return Err(err(
                    UNDEFINED_COLUMN,
                    format!("column \"{col}\" does not exist"),
                ));
            }
        }
        Ok(())
    }
}

/// `current_role`, `session_user`, `user`: read as identifiers by the
/// expression parser, values to the server.
fn is_session_keyword(s: &str) -> bool {
    matches!(
        s,
        "current_role"
            | "session_user"
            | "user"
            | "current_catalog"
            | "current_schema"
            | "current_time"
            | "localtime"
    )
}

fn missing_policy(name: &str, table: &QName) -> super::ReplayError {
    err(
        UNDEFINED_OBJECT,
        format!(
            "policy \"{name}\" for table \"{}\" does not exist",
            table.name
        ),
    )
}

/// The names of the policies of `t` that read column `col`.
pub(super) fn policies_reading(t: &crate::model::Table, col: &str) -> Vec<String> {
    t.policies
        .iter()
        .filter(|(_, p)| {
            p.using
                .iter()
                .chain(&p.with_check)
                .any(|e| crate::expression::mentions(e, col))
        })
        .map(|(n, _)| n.clone())
        .collect()
}
