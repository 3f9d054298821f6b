//! Functions and procedures (PostgreSQL's `functioncmds.c`): `CREATE [OR
//! REPLACE]`, `DROP`, `ALTER` (rename, schema, options) and comments, with
//! the server's errors.

use crate::analyze::Role as ExprRole;
use crate::model::{
    quote_ident, ArgMode, DefaultAclObject, ObjectKind, ObjectPath, Routine, RoutineArg,
    RoutineKind,
};
use crate::parse::{set_config, AlterRoutineOp, QName, RoutineAction, RoutineRef};

use super::{err, help, Replayer, INVALID_PARAMETER, INVALID_SCHEMA, R, WRONG_OBJECT_TYPE};

const DUPLICATE_FUNCTION: &str = "42723";
const UNDEFINED_FUNCTION: &str = "42883";
const AMBIGUOUS_FUNCTION: &str = "42725";
const INVALID_FUNCTION_DEFINITION: &str = "42P13";

/// Types a routine may take or return that are not types of a table.
pub(super) const PSEUDO_TYPES: &[&str] = &[
    "any",
    "anyarray",
    "anycompatible",
    "anycompatiblearray",
    "anycompatiblemultirange",
    "anycompatiblenonarray",
    "anycompatiblerange",
    "anyelement",
    "anyenum",
    "anymultirange",
    "anynonarray",
    "anyrange",
    "cstring",
    "event_trigger",
    "internal",
    "language_handler",
    "record",
    "trigger",
    "void",
];

/// `f(integer, text)` as the server names a routine in messages.
fn display(name: &str, args: &[RoutineArg]) -> String {
    let types: Vec<&str> = args
        .iter()
        .filter(|a| a.mode.is_input())
        .map(|a| a.data_type.as_str())
        .collect();
    format!("{}({})", quote_ident(name), types.join(", "))
}

impl Replayer {
    fn routine_type(&self, t: &str) -> R<String> {
        let base = t.trim_end_matches("[]");
        if PSEUDO_TYPES.contains(&base) {
            return Ok(t.to_string());
        }
        let (sns, sname) = crate::parse::split_qualified(base);
        let shell = match sns {
            Some(s) => self.is_shell(&s, &sname),
            None => self
                .search_namespaces()
                .iter()
                .any(|n| self.is_shell(n, &sname)),
        };
        if shell {
            return Ok(self.resolve_type(t));
        }
        self.check_type(t)?;
        Ok(self.resolve_type(t))
    }

    /// A shell type as an argument or result (`verb`: accept, return):
    /// only functions in C or `internal` may take one (the server's
    /// `interpret_function_parameter_list` and the PL validators).
    fn check_shell_use(&self, language: &str, t: &str, verb: &str) -> R<()> {
        let (sns, sname) = crate::parse::split_qualified(t);
        if !self.is_shell(sns.as_deref().unwrap_or("public"), &sname) {
            return Ok(());
        }
        match language {
            "sql" => Err(err(
                INVALID_FUNCTION_DEFINITION,
                format!("SQL function cannot {verb} shell type {t}"),
            )),
            "plpgsql" => Err(err(
                super::FEATURE_NOT_SUPPORTED,
                format!("PL/pgSQL functions cannot {verb} type {t}"),
            )),
            _ => Ok(()),
        }
    }

    pub(super) fn create_routine(
        &mut self,
        name: QName,
        or_replace: bool,
        mut r: Routine,
    ) -> R<()> {
        let ns = self.creation_ns(&name)?;
        for a in r.args.iter_mut() {
            a.data_type = self.routine_type(&a.data_type)?;
            self.check_shell_use(&r.language, &a.data_type, "accept")?;
        }
        if let Some(ret) = r.returns.take() {
            r.returns = Some(if ret.starts_with("TABLE(") {
                let cols: Vec<String> = r
                    .args
                    .iter()
                    .filter(|a| a.mode == ArgMode::Table)
                    .map(|a| {
                        format!(
                            "{} {}",
                            quote_ident(a.name.as_deref().unwrap_or_default()),
                            a.data_type
                        )
                    })
                    .collect();
                format!("TABLE({})", cols.join(", "))
            } else if let Some(t) = ret.strip_prefix("SETOF ") {
                format!("SETOF {}", self.routine_type(t)?)
            } else {
                self.routine_type(&ret)?
            });
            if let Some(ret) = &r.returns {
                self.check_shell_use(&r.language, ret, "return")?;
            }
        }
        // Argument defaults, as the server stores them (read against the
        // schema in place: a copy of it per function made replay quadratic).
        for a in r.args.iter_mut() {
            if let Some(d) = &a.default {
                let t = a.data_type.clone();
                a.default = Some(crate::expression::resolve(
                    d,
                    &[],
                    &self.schema,
                    ExprRole::ArgDefault { arg_type: &t },
                ));
            }
        }
        let key = Routine::signature(&name.name, &r.args);
        let label = r.kind.label();
        if let Some(old) = self.ns_mut(&ns).routines.get(&key).cloned() {
            if !or_replace {
                return Err(err(
                    DUPLICATE_FUNCTION,
                    format!(
                        "{label} \"{}\" already exists with same argument types",
                        name.name
                    ),
                ));
            }
            let drop_first = format!(
                "Use DROP {} {} first.",
                old.kind.keyword(),
                display(&name.name, &old.args)
            );
            if old.kind != r.kind {
                return Err(err(WRONG_OBJECT_TYPE, "cannot change routine kind"));
            }
            if old.returns != r.returns {
                return Err(help(
                    err(
                        INVALID_FUNCTION_DEFINITION,
                        format!("cannot change return type of existing {label}"),
                    ),
                    &drop_first,
                ));
            }
            let inputs = |rt: &Routine| -> Vec<RoutineArg> {
                rt.args
                    .iter()
                    .filter(|a| a.mode.is_input())
                    .cloned()
                    .collect()
            };
            for (o, n) in inputs(&old).iter().zip(inputs(&r).iter()) {
                if let Some(on) = &o.name {
                    if o.name != n.name {
                        return Err(help(
                            err(
                                INVALID_FUNCTION_DEFINITION,
                                format!("cannot change name of input parameter \"{on}\""),
                            ),
                            &drop_first,
                        ));
                    }
                }
            }
            let defaults = |rt: &Routine| rt.args.iter().filter(|a| a.default.is_some()).count();
            if defaults(&r) < defaults(&old) {
                return Err(help(
                    err(
                        INVALID_FUNCTION_DEFINITION,
                        format!("cannot remove parameter defaults from existing {label}"),
                    ),
                    &drop_first,
                ));
            }
            // The comment and the privileges stay with the replaced
            // routine.
            r.comment = old.comment;
            r.acl = old.acl;
            r.owner = old.owner;
        } else {
            r.acl = self.initial_acl(DefaultAclObject::Functions, Some(&ns));
            r.owner = self.creator();
        }
        self.ns_mut(&ns).routines.insert(key.clone(), r);
        self.touch(routine_path(&ns, &key, self.kind_of(&ns, &key)));
        Ok(())
    }

    pub(super) fn kind_of(&self, ns: &str, key: &str) -> RoutineKind {
        self.schema
            .namespaces
            .get(ns)
            .and_then(|n| n.routines.get(key))
            .map_or(RoutineKind::Function, |r| r.kind)
    }

    /// The routine a DROP / ALTER / COMMENT names: (namespace, key).
    /// `Ok(None)` only when it is missing and `missing_ok`.
    pub(super) fn find_routine(
        &self,
        kind: Option<RoutineKind>,
        target: &RoutineRef,
        missing_ok: bool,
    ) -> R<Option<(String, String)>> {
        let namespaces: Vec<String> = match &target.name.schema {
            Some(s) => {
                if !self.schema.namespaces.contains_key(s) {
                    if missing_ok {
                        return Ok(None);
                    }
                    return Err(err(
                        INVALID_SCHEMA,
                        format!("schema \"{s}\" does not exist"),
                    ));
                }
                vec![s.clone()]
            }
            None => self.search_namespaces(),
        };
        let label = kind.map_or("routine", RoutineKind::label);
        let found: Option<(String, String)> = match &target.args {
            Some(args) => {
                let mut resolved = Vec::new();
                for a in args.iter().filter(|a| a.mode != ArgMode::Out) {
                    let mut a = a.clone();
                    a.data_type = self.routine_type(&a.data_type)?;
                    a.mode = ArgMode::In;
                    resolved.push(a);
                }
                let key = Routine::signature(&target.name.name, &resolved);
                let hit = namespaces.iter().find(|n| {
                    self.schema
                        .namespaces
                        .get(*n)
                        .is_some_and(|x| x.routines.contains_key(&key))
                });
                match hit {
                    Some(n) => Some((n.clone(), key)),
                    None if missing_ok => None,
                    None => {
                        return Err(err(
                            UNDEFINED_FUNCTION,
                            format!(
                                "{label} {} does not exist",
                                display(&target.name.name, &resolved)
                            ),
                        ))
                    }
                }
            }
            None => {
                let mut hits = Vec::new();
                for n in &namespaces {
                    if let Some(x) = self.schema.namespaces.get(n) {
                        for key in x.routines.keys() {
                            if crate::model::split_signature(key).0 == target.name.name {
                                hits.push((n.clone(), key.clone()));
                            }
                        }
                    }
                    if !hits.is_empty() {
                        break;
                    }
                }
                match hits.len() {
                    0 if missing_ok => None,
                    0 => {
                        return Err(err(
                            UNDEFINED_FUNCTION,
                            format!("could not find a {label} named \"{}\"", target.name.name),
                        ))
                    }
                    1 => hits.pop(),
                    _ => {
                        return Err(help(
                            err(
                                AMBIGUOUS_FUNCTION,
                                format!("{label} name \"{}\" is not unique", target.name.name),
                            ),
                            "Specify the argument list to select the function unambiguously.",
                        ))
                    }
                }
            }
        };
        if let (Some((n, key)), Some(k)) = (&found, kind) {
            let actual = self.kind_of(n, key);
            if actual != k {
                return Err(err(
                    WRONG_OBJECT_TYPE,
                    format!("{} is not a {}", display_key(key), k.label()),
                ));
            }
        }
        Ok(found)
    }

    pub(super) fn drop_routine(
        &mut self,
        kind: Option<RoutineKind>,
        refs: Vec<RoutineRef>,
        if_exists: bool,
        cascade: bool,
    ) -> R<()> {
        for target in refs {
            let Some((ns, key)) = self.find_routine(kind, &target, if_exists)? else {
                continue;
            };
            let name = crate::model::split_signature(&key).0.to_string();
            if key == format!("{name}()") {
                let events = self.event_triggers_calling(&ns, &name);
                if !events.is_empty() && !cascade {
                    return Err(help(
                        err(
                            super::DEPENDENT_OBJECTS,
                            format!(
                                "cannot drop {} {} because other objects depend on it",
                                self.kind_of(&ns, &key).label(),
                                display_key(&key)
                            ),
                        ),
                        format!("used by {}", events.join(", ")),
                    ));
                }
                self.drop_event_triggers_calling(&ns, &name);
            }
            let triggers = if key == format!("{name}()") {
                self.triggers_calling(&ns, &name)
            } else {
                Vec::new()
            };
            let mut users = self.expressions_calling(&name);
            if key == format!("{name}()") {
                let on_views = self.view_triggers_calling(&ns, &name);
                if cascade {
                    // CASCADE drops the triggers on views that call it.
                    for (n, v, g) in on_views {
                        if let Some(t) = self.view_triggers_mut(&n, &v) {
                            t.remove(&g);
                        }
                        self.touch(super::trigger::trigger_path(&n, &v, &g));
                    }
                } else {
                    users.extend(on_views.into_iter().map(|(n, v, g)| {
                        format!(
                            "trigger {} on view {}.{}",
                            quote_ident(&g),
                            quote_ident(&n),
                            quote_ident(&v)
                        )
                    }));
                }
            }
            if !triggers.is_empty() && (users.is_empty() || !cascade) {
                if !cascade {
                    let mut on: Vec<String> = triggers
                        .iter()
                        .map(|(n, t, g)| {
                            format!(
                                "trigger {} on table {}.{}",
                                quote_ident(g),
                                quote_ident(n),
                                quote_ident(t)
                            )
                        })
                        .collect();
                    on.extend(users.iter().cloned());
                    return Err(help(
                        err(
                            super::DEPENDENT_OBJECTS,
                            format!(
                                "cannot drop {} {} because other objects depend on it",
                                self.kind_of(&ns, &key).label(),
                                display_key(&key)
                            ),
                        ),
                        format!("used by {}", on.join(", ")),
                    ));
                }
                // CASCADE drops the triggers that call it.
                for (n, t, g) in triggers {
                    self.table_mut(&n, &t).triggers.remove(&g);
                    self.touch(super::trigger::trigger_path(&n, &t, &g));
                }
            }
            if !users.is_empty() {
                let what = format!(
                    "cannot drop {} {} because other objects depend on it",
                    self.kind_of(&ns, &key).label(),
                    display_key(&key)
                );
                if !cascade {
                    return Err(help(
                        err(super::DEPENDENT_OBJECTS, what),
                        format!("used by {}", users.join(", ")),
                    ));
                }
                return Err(err(
                    super::FEATURE_NOT_SUPPORTED,
                    format!(
                        "DROP … CASCADE of a routine that {} use{} is not supported yet",
                        users.join(", "),
                        if users.len() == 1 { "s" } else { "" }
                    ),
                ));
            }
            let k = self.kind_of(&ns, &key);
            let shown = format!("{}({})", quote_ident(&name), {
                let (_, args) = crate::model::split_signature(&key);
                args.trim_start_matches('(')
                    .trim_end_matches(')')
                    .replace(", ", ",")
            });
            let arg_types: Vec<String> = {
                let (_, args) = crate::model::split_signature(&key);
                let inner = args.trim_start_matches('(').trim_end_matches(')');
                if inner.is_empty() {
                    Vec::new()
                } else {
                    inner.split(", ").map(str::to_string).collect()
                }
            };
            if let Some(range) = self.ranges_calling(&ns, &name, &arg_types) {
                if !cascade {
                    return Err(help(
                        err(
                            super::DEPENDENT_OBJECTS,
                            format!(
                                "cannot drop {} {shown} because other objects depend on it",
                                self.kind_of(&ns, &key).label(),
                            ),
                        ),
                        format!("used by {range}"),
                    ));
                }
                let (rns, rn) = crate::parse::split_qualified(range.trim_start_matches("type "));
                self.drop_range(
                    &QName {
                        schema: Some(rns.unwrap_or_else(|| "public".to_string())),
                        name: rn,
                    },
                    true,
                )?;
            }
            self.drop_operators_of(&ns, &key, &shown, cascade)?;
            self.drop_aggregates_of(&ns, &name, &shown, cascade)?;
            self.ns_mut(&ns).routines.remove(&key);
            self.touch(routine_path(&ns, &key, k));
        }
        Ok(())
    }

    /// Columns, checks and index expressions that call a function named
    /// `name` (any overload: strata does not resolve user calls).
    fn expressions_calling(&self, name: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (nsn, n) in &self.schema.namespaces {
            for (tn, t) in &n.tables {
                let table = format!("{}.{}", quote_ident(nsn), quote_ident(tn));
                for c in &t.columns {
                    for e in c.default.iter().chain(c.generated.as_deref()) {
                        if crate::expression::calls(e, name) {
                            out.push(format!("column {table}.{}", quote_ident(&c.name)));
                        }
                    }
                }
                for (kn, k) in &t.constraints {
                    if let crate::model::ConstraintKind::Check { expression, .. } = &k.kind {
                        if crate::expression::calls(expression, name) {
                            out.push(format!("constraint {} on {table}", quote_ident(kn)));
                        }
                    }
                }
                for (iname, i) in &t.indexes {
                    let uses = i.keys.iter().any(|k| {
                        matches!(&k.key, crate::model::IndexKeyExpr::Expression(e) if crate::expression::calls(e, name))
                    }) || i.predicate.as_ref().is_some_and(|p| crate::expression::calls(p, name));
                    if uses {
                        out.push(format!("index {}", quote_ident(iname)));
                    }
                }
                for (pn, p) in &t.policies {
                    if p.using
                        .iter()
                        .chain(&p.with_check)
                        .any(|e| crate::expression::calls(e, name))
                    {
                        out.push(format!("policy {} on {table}", quote_ident(pn)));
                    }
                }
            }
        }
        out
    }

    pub(super) fn alter_routine(
        &mut self,
        kind: Option<RoutineKind>,
        target: RoutineRef,
        op: AlterRoutineOp,
        text: String,
    ) -> R<()> {
        let Some((ns, key)) = self.find_routine(kind, &target, false)? else {
            return Ok(());
        };
        let mut r = self.ns_mut(&ns).routines.get(&key).cloned().expect("found");
        let (new_ns, new_key) = match op {
            AlterRoutineOp::NoModelChange => return Ok(()),
            AlterRoutineOp::Owner(role) => {
                let owner = self.owner_for(role);
                let r = self.ns_mut(&ns).routines.get_mut(&key).expect("found");
                if let Some(role) = owner.role() {
                    crate::model::acl::owner_becomes(
                        &mut r.acl,
                        role,
                        crate::model::AclKind::Routine,
                    );
                }
                r.owner = owner;
                self.touch(routine_path(&ns, &key, self.kind_of(&ns, &key)));
                return Ok(());
            }
            AlterRoutineOp::Rename(new) => (ns.clone(), Routine::signature(&new, &r.args)),
            AlterRoutineOp::SetSchema(s) => {
                if !self.schema.namespaces.contains_key(&s) {
                    return Err(err(
                        INVALID_SCHEMA,
                        format!("schema \"{s}\" does not exist"),
                    ));
                }
                (s, key.clone())
            }
            AlterRoutineOp::Actions(actions) => {
                for a in actions {
                    match a {
                        RoutineAction::Volatility(v) => r.volatility = v,
                        RoutineAction::Strict(s) => r.strict = s,
                        RoutineAction::SecurityDefiner(s) => r.security_definer = s,
                        RoutineAction::Leakproof(l) => r.leakproof = l,
                        RoutineAction::Parallel(p) => r.parallel = p,
                        RoutineAction::Cost(c) => r.cost = crate::parse::float4_text(c),
                        RoutineAction::Rows(n) => {
                            if r.rows == "0" {
                                return Err(err(
                                    INVALID_PARAMETER,
                                    "ROWS is not applicable when function does not return a set",
                                ));
                            }
                            r.rows = crate::parse::float4_text(n);
                        }
                        RoutineAction::Set(entry) => set_config(&mut r.config, entry),
                        RoutineAction::Reset(name) => r
                            .config
                            .retain(|e| e.split('=').next() != Some(name.as_str())),
                        RoutineAction::ResetAll => r.config.clear(),
                    }
                }
                (ns.clone(), key.clone())
            }
        };
        if (new_ns != ns || new_key != key)
            && self
                .schema
                .namespaces
                .get(&new_ns)
                .is_some_and(|n| n.routines.contains_key(&new_key))
        {
            return Err(err(
                DUPLICATE_FUNCTION,
                format!(
                    "{} {} already exists in schema \"{new_ns}\"",
                    r.kind.label(),
                    display_key(&new_key)
                ),
            ));
        }
        // What to write back: the statements that built it, in order.
        r.definition = format!("{};\n{}", r.definition, text.trim().trim_end_matches(';'));
        let k = r.kind;
        self.ns_mut(&ns).routines.remove(&key);
        self.ns_mut(&new_ns).routines.insert(new_key.clone(), r);
        if new_ns != ns || new_key != key {
            let (old_name, new_name) = (
                crate::model::split_signature(&key).0.to_string(),
                crate::model::split_signature(&new_key).0.to_string(),
            );
            if key == format!("{old_name}()") {
                self.function_moved_triggers(&ns, &old_name, &new_ns, &new_name);
                self.event_trigger_function_moved(&ns, &old_name, &new_ns, &new_name);
            }
            self.function_moved_operators(&ns, &key, &new_ns, &new_name);
        }
        self.touch(routine_path(&ns, &key, k));
        self.touch(routine_path(&new_ns, &new_key, k));
        Ok(())
    }

    pub(super) fn comment_routine(
        &mut self,
        kind: Option<RoutineKind>,
        target: RoutineRef,
        text: Option<String>,
    ) -> R<()> {
        let Some((ns, key)) = self.find_routine(kind, &target, false)? else {
            return Ok(());
        };
        let k = self.kind_of(&ns, &key);
        if let Some(r) = self.ns_mut(&ns).routines.get_mut(&key) {
            r.comment = text.filter(|t| !t.is_empty());
        }
        self.touch(routine_path(&ns, &key, k));
        Ok(())
    }
}

/// `name(integer, text)` with the name quoted as the server quotes it.
fn display_key(key: &str) -> String {
    let (name, args) = crate::model::split_signature(key);
    format!("{}{args}", quote_ident(name))
}

pub(super) fn routine_path(ns: &str, key: &str, kind: RoutineKind) -> ObjectPath {
    let k = match kind {
        RoutineKind::Function => ObjectKind::Function,
        RoutineKind::Procedure => ObjectKind::Procedure,
    };
    ObjectPath::new(k, ns, key)
}
