//! Operators (PostgreSQL's `operatorcmds.c` and `pg_operator.c`): `CREATE
//! OPERATOR` with its shells (a `COMMUTATOR` or `NEGATOR` naming an
//! operator that does not exist yet creates it empty, a later `CREATE
//! OPERATOR` fills it), the links the server writes back into the
//! commutator and negator (`OperatorUpd`), `ALTER OPERATOR … SET (RESTRICT,
//! JOIN) | SET SCHEMA`, `DROP OPERATOR`, comments, and the server's errors.

use crate::catalog::Catalog;
use crate::model::{quote_ident, ObjectKind, ObjectPath, ObjectRef, Operator};
use crate::parse::{AlterOperatorAction, OperatorDef, OperatorRef, QName};

use super::{
    err, help, Replayer, DEPENDENT_OBJECTS, FEATURE_NOT_SUPPORTED, INVALID_OBJECT_DEFINITION,
    INVALID_SCHEMA, R,
};

const DUPLICATE_FUNCTION: &str = "42723";
const UNDEFINED_FUNCTION: &str = "42883";
const INVALID_FUNCTION_DEFINITION: &str = "42P13";

/// The arguments of a restriction and a join selectivity estimator.
const RESTRICT_ARGS: &[&str] = &["internal", "oid", "internal", "integer"];
const JOIN_ARGS: &[&str] = &["internal", "oid", "internal", "smallint", "internal"];

pub(super) fn operator_path(ns: &str, key: &str) -> ObjectPath {
    ObjectPath::new(ObjectKind::Operator, ns, key)
}

#[derive(Clone, Copy, PartialEq)]
enum Link {
    Commutator,
    Negator,
}

impl Link {
    fn label(self) -> &'static str {
        match self {
            Link::Commutator => "commutator",
            Link::Negator => "negator",
        }
    }
    fn get(self, o: &Operator) -> &Option<ObjectRef> {
        match self {
            Link::Commutator => &o.commutator,
            Link::Negator => &o.negator,
        }
    }
    fn get_mut(self, o: &mut Operator) -> &mut Option<ObjectRef> {
        match self {
            Link::Commutator => &mut o.commutator,
            Link::Negator => &mut o.negator,
        }
    }
}

/// `integer === text` as the server names an operator in messages.
fn display(name: &str, left: Option<&str>, right: &str) -> String {
    match left {
        Some(l) => format!("{l} {name} {right}"),
        None => format!("{name} {right}"),
    }
}

impl Replayer {
    /// An operand type, checked and in the model's form.
    fn operand_type(&self, t: &str) -> R<String> {
        self.check_type(t)?;
        Ok(self.resolve_type(t))
    }

    /// A built-in function `name(args)` (exact argument types).
    fn builtin_function(name: &str, args: &[&str]) -> bool {
        let cat = Catalog::pg15();
        let Some(ids) = args
            .iter()
            .map(|a| cat.type_named(a).map(|t| t.id))
            .collect::<Option<Vec<_>>>()
        else {
            return false;
        };
        cat.procs_named(name)
            .any(|p| p.args == ids && cat.proc_extension(p.oid).is_none())
    }

    /// The function `f(args)` as `LookupFuncName` finds it (exact argument
    /// types): pg_catalog first unless named otherwise, then the path.
    fn operator_function(&self, f: &QName, args: &[&str]) -> R<ObjectRef> {
        let key = format!("{}({})", f.name, args.join(", "));
        let builtin = matches!(f.schema.as_deref(), None | Some("pg_catalog"))
            && Self::builtin_function(&f.name, args);
        if builtin {
            return Ok(ObjectRef::new("pg_catalog", &f.name));
        }
        if f.schema.as_deref() != Some("pg_catalog") {
            if let Some(ns) = self.find_ns(f, |n| n.routines.contains_key(&key)) {
                return Ok(ObjectRef::new(&ns, &f.name));
            }
        }
        let shown = match &f.schema {
            Some(s) => format!("{}.{}", quote_ident(s), quote_ident(&f.name)),
            None => quote_ident(&f.name),
        };
        if let Some(ext) = self.uncatalogued_extension() {
            return Err(help(
                err(
                    FEATURE_NOT_SUPPORTED,
                    format!(
                        "an operator calling {shown}({}), which may be a function of extension \
                         {ext}, is not supported yet",
                        args.join(", ")
                    ),
                ),
                "strata compares operators by their functions and does not model this \
                 extension's functions",
            ));
        }
        Err(err(
            UNDEFINED_FUNCTION,
            format!("function {shown}({}) does not exist", args.join(", ")),
        ))
    }

    /// An installed extension strata has no catalog of (its functions and
    /// operators are unknown).
    fn uncatalogued_extension(&self) -> Option<String> {
        let cat = Catalog::pg15();
        self.schema
            .extensions
            .keys()
            .find(|e| e.as_str() != "plpgsql" && !cat.extensions().iter().any(|(n, _)| n == *e))
            .cloned()
    }

    /// The operator `q` with these operand types, as `OperatorLookup` finds
    /// it: (namespace, key), a built-in one in `pg_catalog`.
    fn lookup_operator(
        &self,
        q: &QName,
        left: Option<&str>,
        right: &str,
    ) -> Option<(String, String)> {
        let key = Operator::key(&q.name, left, right);
        if matches!(q.schema.as_deref(), None | Some("pg_catalog")) {
            let cat = Catalog::pg15();
            let id = |t: &str| cat.type_named(t).map(|t| t.id);
            let l = match left {
                Some(l) => id(l),
                None => Some(0),
            };
            if let (Some(l), Some(r)) = (l, id(right)) {
                if cat
                    .opers_named(&q.name)
                    .any(|o| o.left == l && o.right == r && cat.oper_extension(o.oid).is_none())
                {
                    return Some(("pg_catalog".to_string(), key));
                }
            }
            if q.schema.is_some() {
                return None;
            }
        }
        self.find_ns(q, |n| n.operators.contains_key(&key))
            .map(|ns| (ns, key))
    }

    /// `RESTRICT` / `JOIN`: the estimator `f` with its fixed arguments.
    fn estimator(&self, f: &QName, join: bool) -> R<ObjectRef> {
        let args = if join { JOIN_ARGS } else { RESTRICT_ARGS };
        self.operator_function(f, args)
    }

    /// The operator a `DROP`, `ALTER` or `COMMENT` names: (namespace, key).
    fn find_operator(&self, r: &OperatorRef) -> R<Option<(String, String)>> {
        let left = r
            .left
            .as_deref()
            .map(|t| self.operand_type(t))
            .transpose()?;
        let right = self.operand_type(&r.right)?;
        let found = self
            .lookup_operator(&r.name, left.as_deref(), &right)
            .filter(|(ns, _)| ns != "pg_catalog");
        if found.is_none() {
            if let Some(s) = &r.name.schema {
                if !self.schema.namespaces.contains_key(s) && s != "pg_catalog" {
                    return Err(err(
                        INVALID_SCHEMA,
                        format!("schema \"{s}\" does not exist"),
                    ));
                }
            }
        }
        Ok(found)
    }

    fn missing_operator(&self, r: &OperatorRef) -> super::ReplayError {
        let left = r.left.as_deref().map(|t| self.resolve_type(t));
        let right = self.resolve_type(&r.right);
        err(
            UNDEFINED_FUNCTION,
            format!(
                "operator does not exist: {}",
                display(&r.name.name, left.as_deref(), &right)
            ),
        )
    }

    pub(super) fn create_operator(&mut self, name: QName, def: OperatorDef) -> R<()> {
        let ns = self.creation_ns(&name)?;
        if def.left.is_none() && def.right.is_none() {
            return Err(err(
                INVALID_FUNCTION_DEFINITION,
                "operator argument types must be specified",
            ));
        }
        let Some(right) = &def.right else {
            return Err(help(
                err(
                    INVALID_FUNCTION_DEFINITION,
                    "operator right argument type must be specified",
                ),
                "Postfix operators are not supported.",
            ));
        };
        let Some(function) = &def.function else {
            return Err(err(
                INVALID_FUNCTION_DEFINITION,
                "operator function must be specified",
            ));
        };
        let left = def
            .left
            .as_deref()
            .map(|t| self.operand_type(t))
            .transpose()?;
        let right = self.operand_type(right)?;
        let args: Vec<&str> = left
            .iter()
            .map(String::as_str)
            .chain([right.as_str()])
            .collect();
        let fref = self.operator_function(function, &args)?;
        let restrict = def
            .restrict
            .as_ref()
            .map(|f| self.estimator(f, false))
            .transpose()?;
        let join = def
            .join
            .as_ref()
            .map(|f| self.estimator(f, true))
            .transpose()?;
        if left.is_none() {
            for (on, what) in [
                (def.hashes, "only binary operators can hash"),
                (def.merges, "only binary operators can merge"),
                (
                    def.commutator.is_some(),
                    "only binary operators can have commutators",
                ),
                (
                    def.join.is_some(),
                    "only binary operators can have join selectivity",
                ),
            ] {
                if on {
                    return Err(err(INVALID_FUNCTION_DEFINITION, what));
                }
            }
        }
        let key = Operator::key(&name.name, left.as_deref(), &right);
        let existing = self
            .schema
            .namespaces
            .get(&ns)
            .and_then(|n| n.operators.get(&key))
            .cloned();
        if existing.as_ref().is_some_and(|o| o.function.is_some()) {
            return Err(err(
                DUPLICATE_FUNCTION,
                format!("operator {} already exists", name.name),
            ));
        }
        let me = ObjectRef::new(&ns, &name.name);
        // The links first (`get_other_operator`): found, or a shell made.
        let mut links = Vec::new();
        for (link, target) in [
            (Link::Commutator, &def.commutator),
            (Link::Negator, &def.negator),
        ] {
            let Some(target) = target else { continue };
            let (tl, tr) = match link {
                // A commutator's operands are swapped.
                Link::Commutator => (Some(right.as_str()), left.as_deref().unwrap_or_default()),
                Link::Negator => (left.as_deref(), right.as_str()),
            };
            let found = self.lookup_operator(target, tl, tr);
            let is_self = found.as_ref().is_some_and(|(n, k)| *n == ns && *k == key)
                || (found.is_none()
                    && target.name == name.name
                    && target.schema.as_deref().is_none_or(|s| s == ns)
                    && Operator::key(&target.name, tl, tr) == key);
            if is_self && link == Link::Negator {
                return Err(err(
                    INVALID_FUNCTION_DEFINITION,
                    "operator cannot be its own negator",
                ));
            }
            links.push((
                link,
                target.clone(),
                tl.map(str::to_string),
                tr.to_string(),
                found,
                is_self,
            ));
        }
        let mut op = existing.unwrap_or_else(Operator::shell);
        op.function = Some(fref);
        op.restrict = restrict;
        op.join = join;
        op.hashes = def.hashes;
        op.merges = def.merges;
        let mut shells = Vec::new();
        let mut updates = Vec::new();
        for (link, target, tl, tr, found, is_self) in links {
            let tref = if is_self {
                me.clone()
            } else if let Some((tns, tkey)) = &found {
                if tns != "pg_catalog" {
                    updates.push((link, tns.clone(), tkey.clone()));
                }
                ObjectRef::new(tns, &target.name)
            } else {
                let tns = self.creation_ns(&target)?;
                let tkey = Operator::key(&target.name, tl.as_deref(), &tr);
                shells.push((link, tns.clone(), tkey));
                ObjectRef::new(&tns, &target.name)
            };
            // Filling a shell keeps its links; naming another one fails.
            let slot = link.get_mut(&mut op);
            if let Some(old) = slot.as_ref().filter(|o| **o != tref) {
                return Err(err(
                    INVALID_OBJECT_DEFINITION,
                    format!(
                        "{} operator {} is already the {} of operator {}",
                        link.label(),
                        old.name,
                        link.label(),
                        name.name
                    ),
                ));
            }
            *slot = Some(tref);
        }
        // `OperatorUpd`: each link written back where it is still empty;
        // one already pointing elsewhere is an error.
        for (link, tns, tkey) in &updates {
            let other = &self.schema.namespaces[tns].operators[tkey];
            if let Some(x) = link.get(other).as_ref().filter(|x| **x != me) {
                return Err(err(
                    INVALID_OBJECT_DEFINITION,
                    format!(
                        "operator {} is already the {} of operator {}",
                        Operator::split_key(tkey).0,
                        link.label(),
                        x.name
                    ),
                ));
            }
        }
        // OperatorCreate fills a shell in as the role running it.
        op.owner = self.creator();
        self.ns_mut(&ns).operators.insert(key.clone(), op);
        for (link, tns, tkey) in shells {
            let mut shell = Operator::shell();
            shell.owner = self.creator();
            *link.get_mut(&mut shell) = Some(me.clone());
            self.ns_mut(&tns).operators.insert(tkey.clone(), shell);
            self.touch(operator_path(&tns, &tkey));
        }
        for (link, tns, tkey) in updates {
            if let Some(o) = self.ns_mut(&tns).operators.get_mut(&tkey) {
                *link.get_mut(o) = Some(me.clone());
            }
            self.touch(operator_path(&tns, &tkey));
        }
        self.touch(operator_path(&ns, &key));
        Ok(())
    }

    pub(super) fn alter_operator(
        &mut self,
        target: OperatorRef,
        action: AlterOperatorAction,
    ) -> R<()> {
        let Some((ns, key)) = self.find_operator(&target)? else {
            return Err(self.missing_operator(&target));
        };
        match action {
            AlterOperatorAction::Owner(role) => {
                let owner = self.owner_for(role);
                self.ns_mut(&ns)
                    .operators
                    .get_mut(&key)
                    .expect("found")
                    .owner = owner;
                self.touch(operator_path(&ns, &key));
                return Ok(());
            }
            AlterOperatorAction::Set { restrict, join } => {
                let restrict = match restrict {
                    Some(Some(f)) => Some(Some(self.estimator(&f, false)?)),
                    Some(None) => Some(None),
                    None => None,
                };
                let (_, left, _) = Operator::split_key(&key);
                let join = match join {
                    Some(Some(_)) if left.is_none() => {
                        return Err(err(
                            INVALID_FUNCTION_DEFINITION,
                            "only binary operators can have join selectivity",
                        ))
                    }
                    Some(Some(f)) => Some(Some(self.estimator(&f, true)?)),
                    Some(None) => Some(None),
                    None => None,
                };
                let op = self.ns_mut(&ns).operators.get_mut(&key).expect("found");
                if let Some(r) = restrict {
                    op.restrict = r;
                }
                if let Some(j) = join {
                    op.join = j;
                }
                self.touch(operator_path(&ns, &key));
            }
            AlterOperatorAction::SetSchema(to) => {
                if !self.schema.namespaces.contains_key(&to) {
                    return Err(err(
                        INVALID_SCHEMA,
                        format!("schema \"{to}\" does not exist"),
                    ));
                }
                if to == ns {
                    return Ok(());
                }
                let name = Operator::split_key(&key).0.to_string();
                if self.schema.namespaces[&to].operators.contains_key(&key) {
                    return Err(err(
                        DUPLICATE_FUNCTION,
                        format!("operator {name} already exists in schema \"{to}\""),
                    ));
                }
                let op = self.ns_mut(&ns).operators.remove(&key).expect("found");
                self.ns_mut(&to).operators.insert(key.clone(), op);
                let (from, moved) = (ObjectRef::new(&ns, &name), ObjectRef::new(&to, &name));
                self.retarget_operator_links(&from, &moved);
                self.touch(operator_path(&ns, &key));
                self.touch(operator_path(&to, &key));
            }
        }
        Ok(())
    }

    /// Every commutator or negator naming `from` names `to` now.
    fn retarget_operator_links(&mut self, from: &ObjectRef, to: &ObjectRef) {
        for n in self.schema.namespaces.values_mut() {
            for o in n.operators.values_mut() {
                for slot in [&mut o.commutator, &mut o.negator] {
                    if slot.as_ref() == Some(from) {
                        *slot = Some(to.clone());
                    }
                }
            }
        }
    }

    pub(super) fn drop_operators(
        &mut self,
        targets: Vec<OperatorRef>,
        if_exists: bool,
        _cascade: bool,
    ) -> R<()> {
        for target in targets {
            let Some((ns, key)) = self.find_operator(&target)? else {
                if if_exists {
                    continue;
                }
                return Err(self.missing_operator(&target));
            };
            self.remove_operator(&ns, &key);
        }
        Ok(())
    }

    /// Removes an operator, clearing the links that pointed at it
    /// (`OperatorUpd` with `isDelete`).
    fn remove_operator(&mut self, ns: &str, key: &str) {
        let Some(op) = self.ns_mut(ns).operators.remove(key) else {
            return;
        };
        let me = ObjectRef::new(ns, Operator::split_key(key).0);
        let (left, right) = {
            let (_, l, r) = Operator::split_key(key);
            (l.map(str::to_string), r.to_string())
        };
        for (link, target) in [
            (Link::Commutator, &op.commutator),
            (Link::Negator, &op.negator),
        ] {
            let Some(t) = target else { continue };
            let tkey = match link {
                Link::Commutator => {
                    Operator::key(&t.name, Some(&right), left.as_deref().unwrap_or_default())
                }
                Link::Negator => Operator::key(&t.name, left.as_deref(), &right),
            };
            if let Some(o) = self
                .schema
                .namespaces
                .get_mut(&t.schema)
                .and_then(|n| n.operators.get_mut(&tkey))
            {
                let slot = link.get_mut(o);
                if slot.as_ref() == Some(&me) {
                    *slot = None;
                }
                self.touch(operator_path(&t.schema, &tkey));
            }
        }
        self.touch(operator_path(ns, key));
    }

    pub(super) fn comment_operator(&mut self, target: OperatorRef, text: Option<String>) -> R<()> {
        let Some((ns, key)) = self.find_operator(&target)? else {
            return Err(self.missing_operator(&target));
        };
        if let Some(o) = self.ns_mut(&ns).operators.get_mut(&key) {
            o.comment = text.filter(|t| !t.is_empty());
        }
        self.touch(operator_path(&ns, &key));
        Ok(())
    }

    /// Operators whose function or estimator is `ns.name` (with these
    /// argument types for the function), for a `DROP FUNCTION`.
    pub(super) fn operators_calling(&self, ns: &str, signature: &str) -> Vec<(String, String)> {
        let (name, _) = crate::model::split_signature(signature);
        let f = ObjectRef::new(ns, name);
        let mut out = Vec::new();
        for (on, n) in &self.schema.namespaces {
            for (key, o) in &n.operators {
                let (_, l, r) = Operator::split_key(key);
                let args: Vec<&str> = l.into_iter().chain([r]).collect();
                let own = format!("{name}({})", args.join(", "));
                let uses = (o.function.as_ref() == Some(&f) && own == signature)
                    || (o.restrict.as_ref() == Some(&f)
                        && signature == format!("{name}({})", RESTRICT_ARGS.join(", ")))
                    || (o.join.as_ref() == Some(&f)
                        && signature == format!("{name}({})", JOIN_ARGS.join(", ")));
                if uses {
                    out.push((on.clone(), key.clone()));
                }
            }
        }
        out
    }

    /// `DROP FUNCTION` of a function operators use: refused as the server
    /// refuses it, or (CASCADE) the operators go too.
    pub(super) fn drop_operators_of(
        &mut self,
        ns: &str,
        signature: &str,
        display: &str,
        cascade: bool,
    ) -> R<()> {
        let users = self.operators_calling(ns, signature);
        if users.is_empty() {
            return Ok(());
        }
        if !cascade {
            let (uns, ukey) = &users[0];
            let (name, l, r) = Operator::split_key(ukey);
            let args: Vec<&str> = l.into_iter().chain([r]).collect();
            return Err(help(
                err(
                    DEPENDENT_OBJECTS,
                    format!("cannot drop function {display} because other objects depend on it"),
                ),
                format!(
                    "operator {}.{name}({}) depends on it; use DROP … CASCADE to drop the dependent objects too",
                    quote_ident(uns),
                    args.join(",")
                ),
            ));
        }
        for (uns, ukey) in users {
            self.remove_operator(&uns, &ukey);
        }
        Ok(())
    }

    /// `ALTER FUNCTION … RENAME TO | SET SCHEMA` of the function
    /// `ns.signature`: the operators that use it follow it.
    pub(super) fn function_moved_operators(
        &mut self,
        ns: &str,
        signature: &str,
        new_ns: &str,
        new: &str,
    ) {
        let users = self.operators_calling(ns, signature);
        let old = crate::model::split_signature(signature).0;
        let (from, to) = (ObjectRef::new(ns, old), ObjectRef::new(new_ns, new));
        for (uns, ukey) in users {
            if let Some(o) = self.ns_mut(&uns).operators.get_mut(&ukey) {
                for slot in [&mut o.function, &mut o.restrict, &mut o.join] {
                    if slot.as_ref() == Some(&from) {
                        *slot = Some(to.clone());
                    }
                }
            }
            self.touch(operator_path(&uns, &ukey));
        }
    }
}
