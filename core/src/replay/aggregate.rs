//! Aggregates (PostgreSQL's `aggregatecmds.c` and `pg_aggregate.c`):
//! `CREATE [OR REPLACE] AGGREGATE`, `ALTER AGGREGATE … RENAME TO | SET
//! SCHEMA | OWNER TO`, `DROP AGGREGATE`, comments, and the server's errors.
//! The functions an aggregate names are found by name (pg_catalog first,
//! then the search path), as pg_dump prints them; their argument types are
//! not resolved offline.

use crate::catalog::Catalog;
use crate::model::{quote_ident, Aggregate, ObjectKind, ObjectPath, ObjectRef, Parallel};
use crate::parse::{AggregateDef, AggregateRef, AlterAggregateAction, QName};

use super::{err, help, Replayer, DEPENDENT_OBJECTS, INVALID_SCHEMA, R};

const DUPLICATE_FUNCTION: &str = "42723";
const UNDEFINED_FUNCTION: &str = "42883";
const INVALID_FUNCTION_DEFINITION: &str = "42P13";
const WRONG_OBJECT_TYPE: &str = "42809";

/// Types an aggregate's state may have that are not checked as types.
const PSEUDO: &[&str] = &[
    "internal",
    "anyelement",
    "anyarray",
    "anynonarray",
    "anycompatible",
    "anycompatiblearray",
    "\"any\"",
    "any",
    "anyrange",
    "anymultirange",
];

pub(super) fn aggregate_path(ns: &str, key: &str) -> ObjectPath {
    ObjectPath::new(ObjectKind::Aggregate, ns, key)
}

impl Replayer {
    fn aggregate_type(&self, t: &str) -> R<String> {
        if PSEUDO.contains(&t.trim_end_matches("[]")) {
            return Ok(t.to_string());
        }
        self.check_type(t)?;
        Ok(self.resolve_type(t))
    }

    /// A support function named by an aggregate: pg_catalog first, then
    /// the search path (by name).
    fn aggregate_function(&self, f: &QName) -> R<ObjectRef> {
        self.aggregate_function_with(f, None)
    }

    /// [`Self::aggregate_function`], the message naming `args` when known.
    fn aggregate_function_with(&self, f: &QName, args: Option<&[&str]>) -> R<ObjectRef> {
        let cat = Catalog::pg15();
        if matches!(f.schema.as_deref(), None | Some("pg_catalog"))
            && cat
                .procs_named(&f.name)
                .any(|p| cat.proc_extension(p.oid).is_none())
        {
            return Ok(ObjectRef::new("pg_catalog", &f.name));
        }
        if f.schema.as_deref() != Some("pg_catalog") {
            let has = |n: &crate::model::Namespace| {
                n.routines
                    .keys()
                    .any(|k| crate::model::split_signature(k).0 == f.name)
            };
            if let Some(ns) = self.find_ns(f, has) {
                return Ok(ObjectRef::new(&ns, &f.name));
            }
        }
        let shown = match &f.schema {
            Some(s) => format!("{}.{}", quote_ident(s), quote_ident(&f.name)),
            None => quote_ident(&f.name),
        };
        if self.has_extensions() {
            return Err(help(
                err(
                    super::FEATURE_NOT_SUPPORTED,
                    format!("an aggregate calling {shown}, which may be a function of an extension, is not supported yet"),
                ),
                "strata compares aggregates by their functions and does not model extensions' functions",
            ));
        }
        let args = args
            .map(|a| format!("({})", a.join(", ")))
            .unwrap_or_default();
        Err(err(
            UNDEFINED_FUNCTION,
            format!("function {shown}{args} does not exist"),
        ))
    }

    /// `SORTOP`: the operator, pg_catalog first.
    fn aggregate_sortop(&self, q: &QName) -> R<ObjectRef> {
        let cat = Catalog::pg15();
        if matches!(q.schema.as_deref(), None | Some("pg_catalog"))
            && cat.opers_named(&q.name).next().is_some()
        {
            return Ok(ObjectRef::new("pg_catalog", &q.name));
        }
        let has = |n: &crate::model::Namespace| {
            n.operators
                .keys()
                .any(|k| crate::model::Operator::split_key(k).0 == q.name)
        };
        match self.find_ns(q, has) {
            Some(ns) => Ok(ObjectRef::new(&ns, &q.name)),
            None => Err(err(
                UNDEFINED_FUNCTION,
                format!("operator does not exist: {}", q.name),
            )),
        }
    }

    fn aggregate_key_of(&self, name: &str, types: &[String], direct: Option<usize>) -> R<String> {
        let types = types
            .iter()
            .map(|t| self.aggregate_type(t))
            .collect::<R<Vec<String>>>()?;
        let refs: Vec<&str> = types.iter().map(String::as_str).collect();
        Ok(Aggregate::key(name, &refs, direct))
    }

    pub(super) fn create_aggregate(
        &mut self,
        name: QName,
        or_replace: bool,
        def: AggregateDef,
    ) -> R<()> {
        let ns = self.creation_ns(&name)?;
        let Some(sfunc) = &def.sfunc else {
            return Err(err(
                INVALID_FUNCTION_DEFINITION,
                "aggregate sfunc must be specified",
            ));
        };
        let Some(stype) = &def.stype else {
            return Err(err(
                INVALID_FUNCTION_DEFINITION,
                "aggregate stype must be specified",
            ));
        };
        if def.hypothetical && def.direct_args.is_none() {
            return Err(err(
                INVALID_FUNCTION_DEFINITION,
                "only ordered-set aggregates can be hypothetical",
            ));
        }
        if def.msfunc.is_some() != def.minvfunc.is_some()
            || def.msfunc.is_some() != def.mstype.is_some()
        {
            return Err(err(
                INVALID_FUNCTION_DEFINITION,
                "aggregate msfunc, minvfunc and mstype must be specified together",
            ));
        }
        let mut args = Vec::with_capacity(def.args.len());
        for (n, t) in &def.args {
            args.push((n.clone(), self.aggregate_type(t)?));
        }
        let sfunc_args: Vec<String> = args.iter().map(|(_, t)| t.clone()).collect();
        let f = |x: &Option<QName>| x.as_ref().map(|q| self.aggregate_function(q)).transpose();
        let ordered = def.direct_args.is_some();
        let default_modify = if ordered { 'w' } else { 'r' };
        let agg = Aggregate {
            owner: self.creator(),
            args,
            direct_args: def.direct_args,
            hypothetical: def.hypothetical,
            sfunc: {
                let st = self.aggregate_type(stype)?;
                let mut a: Vec<&str> = vec![st.as_str()];
                a.extend(sfunc_args.iter().map(String::as_str));
                self.aggregate_function_with(sfunc, Some(&a))?
            },
            stype: self.aggregate_type(stype)?,
            sspace: def.sspace,
            finalfunc: f(&def.finalfunc)?,
            finalfunc_extra: def.finalfunc_extra,
            finalfunc_modify: def.finalfunc_modify.unwrap_or(default_modify),
            combinefunc: f(&def.combinefunc)?,
            serialfunc: f(&def.serialfunc)?,
            deserialfunc: f(&def.deserialfunc)?,
            initcond: def.initcond.clone(),
            msfunc: f(&def.msfunc)?,
            minvfunc: f(&def.minvfunc)?,
            mstype: def
                .mstype
                .as_deref()
                .map(|t| self.aggregate_type(t))
                .transpose()?,
            msspace: def.msspace,
            mfinalfunc: f(&def.mfinalfunc)?,
            mfinalfunc_extra: def.mfinalfunc_extra,
            mfinalfunc_modify: def.mfinalfunc_modify.unwrap_or(default_modify),
            minitcond: def.minitcond.clone(),
            sortop: def
                .sortop
                .as_ref()
                .map(|q| self.aggregate_sortop(q))
                .transpose()?,
            parallel: def.parallel.unwrap_or(Parallel::Unsafe),
            comment: None,
        };
        let key = Aggregate::key(
            &name.name,
            &agg.args.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>(),
            agg.direct_args,
        );
        // Functions and aggregates share pg_proc.
        let routine_key = format!(
            "{}({})",
            name.name,
            agg.args
                .iter()
                .map(|(_, t)| t.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        if self.schema.namespaces[&ns]
            .routines
            .contains_key(&routine_key)
        {
            if or_replace {
                return Err(err(
                    WRONG_OBJECT_TYPE,
                    format!("\"{}\" is a function", name.name),
                ));
            }
            return Err(err(
                DUPLICATE_FUNCTION,
                format!(
                    "function \"{}\" already exists with same argument types",
                    name.name
                ),
            ));
        }
        let mut agg = agg;
        if let Some(old) = self.schema.namespaces[&ns].aggregates.get(&key) {
            if !or_replace {
                return Err(err(
                    DUPLICATE_FUNCTION,
                    format!(
                        "function \"{}\" already exists with same argument types",
                        name.name
                    ),
                ));
            }
            if old.hypothetical != agg.hypothetical
                || old.direct_args.is_some() != agg.direct_args.is_some()
            {
                return Err(err(
                    INVALID_FUNCTION_DEFINITION,
                    "cannot change routine kind",
                ));
            }
            if old.direct_args != agg.direct_args {
                return Err(err(
                    INVALID_FUNCTION_DEFINITION,
                    "cannot change number of direct arguments of an aggregate function",
                ));
            }
            agg.comment = old.comment.clone();
            agg.owner = old.owner.clone();
        }
        self.ns_mut(&ns).aggregates.insert(key.clone(), agg);
        self.touch(aggregate_path(&ns, &key));
        Ok(())
    }

    fn find_aggregate(&self, r: &AggregateRef) -> R<Option<(String, String)>> {
        let key = self.aggregate_key_of(&r.name.name, &r.types, r.direct_args)?;
        if let Some(s) = &r.name.schema {
            if !self.schema.namespaces.contains_key(s) {
                return Err(err(
                    INVALID_SCHEMA,
                    format!("schema \"{s}\" does not exist"),
                ));
            }
        }
        Ok(self
            .find_ns(&r.name, |n| n.aggregates.contains_key(&key))
            .map(|ns| (ns, key)))
    }

    fn missing_aggregate(&self, r: &AggregateRef) -> super::ReplayError {
        let key = self
            .aggregate_key_of(&r.name.name, &r.types, r.direct_args)
            .unwrap_or_else(|_| r.name.name.clone());
        err(
            UNDEFINED_FUNCTION,
            format!("aggregate {key} does not exist"),
        )
    }

    pub(super) fn drop_aggregates(
        &mut self,
        targets: Vec<AggregateRef>,
        if_exists: bool,
        _cascade: bool,
    ) -> R<()> {
        for t in targets {
            match self.find_aggregate(&t)? {
                Some((ns, key)) => {
                    self.ns_mut(&ns).aggregates.remove(&key);
                    self.touch(aggregate_path(&ns, &key));
                }
                None if if_exists => {}
                None => return Err(self.missing_aggregate(&t)),
            }
        }
        Ok(())
    }

    pub(super) fn alter_aggregate(
        &mut self,
        target: AggregateRef,
        action: AlterAggregateAction,
    ) -> R<()> {
        let Some((ns, key)) = self.find_aggregate(&target)? else {
            return Err(self.missing_aggregate(&target));
        };
        let (to_ns, to_key) = match action {
            AlterAggregateAction::Owner(role) => {
                let owner = self.owner_for(role);
                self.ns_mut(&ns)
                    .aggregates
                    .get_mut(&key)
                    .expect("found")
                    .owner = owner;
                self.touch(aggregate_path(&ns, &key));
                return Ok(());
            }
            AlterAggregateAction::Rename(new) => {
                let (_, args) = crate::model::split_signature(&key);
                (ns.clone(), format!("{new}{args}"))
            }
            AlterAggregateAction::SetSchema(s) => {
                if !self.schema.namespaces.contains_key(&s) {
                    return Err(err(
                        INVALID_SCHEMA,
                        format!("schema \"{s}\" does not exist"),
                    ));
                }
                (s, key.clone())
            }
        };
        if (to_ns != ns || to_key != key)
            && self.schema.namespaces[&to_ns]
                .aggregates
                .contains_key(&to_key)
        {
            return Err(err(
                DUPLICATE_FUNCTION,
                format!("function {to_key} already exists in schema \"{to_ns}\""),
            ));
        }
        let a = self.ns_mut(&ns).aggregates.remove(&key).expect("found");
        self.ns_mut(&to_ns).aggregates.insert(to_key.clone(), a);
        self.touch(aggregate_path(&ns, &key));
        self.touch(aggregate_path(&to_ns, &to_key));
        Ok(())
    }

    pub(super) fn comment_aggregate(
        &mut self,
        target: AggregateRef,
        text: Option<String>,
    ) -> R<()> {
        let Some((ns, key)) = self.find_aggregate(&target)? else {
            return Err(self.missing_aggregate(&target));
        };
        if let Some(a) = self.ns_mut(&ns).aggregates.get_mut(&key) {
            a.comment = text.filter(|t| !t.is_empty());
        }
        self.touch(aggregate_path(&ns, &key));
        Ok(())
    }

    /// `DROP FUNCTION ns.name` while aggregates name it: refused as the
    /// server refuses it, or (CASCADE) the aggregates go too. By name: the
    /// functions an aggregate names are not resolved to one overload.
    pub(super) fn drop_aggregates_of(
        &mut self,
        ns: &str,
        name: &str,
        display: &str,
        cascade: bool,
    ) -> R<()> {
        let f = ObjectRef::new(ns, name);
        let mut users = Vec::new();
        for (ans, n) in &self.schema.namespaces {
            for (key, a) in &n.aggregates {
                let refs = [
                    Some(&a.sfunc),
                    a.finalfunc.as_ref(),
                    a.combinefunc.as_ref(),
                    a.serialfunc.as_ref(),
                    a.deserialfunc.as_ref(),
                    a.msfunc.as_ref(),
                    a.minvfunc.as_ref(),
                    a.mfinalfunc.as_ref(),
                ];
                if refs.into_iter().flatten().any(|r| *r == f) {
                    users.push((ans.clone(), key.clone()));
                }
            }
        }
        if users.is_empty() {
            return Ok(());
        }
        if !cascade {
            return Err(help(
                err(
                    DEPENDENT_OBJECTS,
                    format!("cannot drop function {display} because other objects depend on it"),
                ),
                format!(
                    "function {}.{} depends on it (an aggregate); use DROP … CASCADE to drop the dependent objects too",
                    quote_ident(&users[0].0),
                    users[0].1
                ),
            ));
        }
        for (ans, key) in users {
            self.ns_mut(&ans).aggregates.remove(&key);
            self.touch(aggregate_path(&ans, &key));
        }
        Ok(())
    }
}
