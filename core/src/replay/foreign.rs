//! Foreign-data wrappers, foreign servers and user mappings
//! (`foreigncmds.c`): their checks in its order, `transformGenericOptions`'
//! errors for `OPTIONS (ADD | SET | DROP …)`, what `DROP … CASCADE` takes
//! with them (servers, user mappings, foreign tables kept by name), and
//! the wrappers extensions bring (`postgres_fdw`, `file_fdw`, `dblink`),
//! which belong to their extension and are not modelled.
//!
//! Not checked offline: the wrapper's validator (which option names it
//! accepts; the server checks them when the statement runs).

use crate::model::{
    user_mapping_path, FdwOptions, ForeignDataWrapper, ForeignServer, ObjectKind, ObjectPath,
    RelationRef, SecretValue, UserMapping,
};
use crate::parse::{ForeignStmt, MappingUser, OptionChange, OptionOp, QName};

use super::{
    err, help, Replayer, Role, DEPENDENT_OBJECTS, DUPLICATE_OBJECT, FEATURE_NOT_SUPPORTED, R,
    UNDEFINED_OBJECT,
};

const UNDEFINED_FUNCTION: &str = "42883";

/// The foreign-data wrappers extensions create, with their handler and
/// validator functions: (extension, wrapper, functions).
const EXTENSION_WRAPPERS: &[(&str, &str, &[&str])] = &[
    (
        "postgres_fdw",
        "postgres_fdw",
        &["postgres_fdw_handler", "postgres_fdw_validator"],
    ),
    (
        "file_fdw",
        "file_fdw",
        &["file_fdw_handler", "file_fdw_validator"],
    ),
    ("dblink", "dblink_fdw", &["dblink_fdw_validator"]),
];

impl Replayer {
    pub(super) fn foreign(&mut self, s: ForeignStmt) -> R<()> {
        match s {
            ForeignStmt::CreateWrapper {
                name,
                handler,
                validator,
                options,
            } => {
                if self.wrapper_exists(&name) {
                    return Err(err(
                        DUPLICATE_OBJECT,
                        format!("foreign-data wrapper \"{name}\" already exists"),
                    ));
                }
                let handler = match handler {
                    Some(q) => Some(self.fdw_function(&q, "")?),
                    None => None,
                };
                let validator = match validator {
                    Some(q) => Some(self.fdw_function(&q, "text[], oid")?),
                    None => None,
                };
                let options = new_options(options)?;
                self.schema.foreign_data_wrappers.insert(
                    name.clone(),
                    ForeignDataWrapper {
                        handler,
                        validator,
                        options,
                        comment: None,
                        acl: None,
                        owner: self.creator(),
                    },
                );
                self.touch(wrapper_path(&name));
                Ok(())
            }
            ForeignStmt::AlterWrapper {
                name,
                handler,
                validator,
                options,
            } => {
                self.modelled_wrapper(&name)?;
                let handler = match handler {
                    Some(Some(q)) => Some(Some(self.fdw_function(&q, "")?)),
                    Some(None) => Some(None),
                    None => None,
                };
                let validator = match validator {
                    Some(Some(q)) => Some(Some(self.fdw_function(&q, "text[], oid")?)),
                    Some(None) => Some(None),
                    None => None,
                };
                let w = self
                    .schema
                    .foreign_data_wrappers
                    .get_mut(&name)
                    .expect("checked");
                let mut opts = w.options.clone();
                apply_options(&mut opts, &options)?;
                w.options = opts;
                if let Some(h) = handler {
                    w.handler = h;
                }
                if let Some(v) = validator {
                    w.validator = v;
                }
                self.touch(wrapper_path(&name));
                Ok(())
            }
            ForeignStmt::RenameWrapper { name, new_name } => {
                self.modelled_wrapper(&name)?;
                if self.wrapper_exists(&new_name) {
                    return Err(err(
                        DUPLICATE_OBJECT,
                        format!("foreign-data wrapper \"{new_name}\" already exists"),
                    ));
                }
                let w = self
                    .schema
                    .foreign_data_wrappers
                    .remove(&name)
                    .expect("checked");
                self.schema
                    .foreign_data_wrappers
                    .insert(new_name.clone(), w);
                for s in self.schema.foreign_servers.values_mut() {
                    if s.wrapper == name {
                        s.wrapper = new_name.clone();
                    }
                }
                self.touch(wrapper_path(&new_name));
                Ok(())
            }
            ForeignStmt::OwnerWrapper { name, role } => {
                if !self.wrapper_exists(&name) {
                    return Err(no_wrapper(&name));
                }
                let owner = self.owner_for(role);
                if let Some(w) = self.schema.foreign_data_wrappers.get_mut(&name) {
                    w.owner = owner;
                    self.touch(wrapper_path(&name));
                }
                Ok(())
            }
            ForeignStmt::DropWrapper { names, if_exists } => {
                for name in names {
                    if let Some(ext) = self.wrapper_extension(&name) {
                        return Err(help(
                            err(
                                DEPENDENT_OBJECTS,
                                format!("cannot drop foreign-data wrapper {name} because extension {ext} requires it"),
                            ),
                            format!("You can drop extension {ext} instead."),
                        ));
                    }
                    if !self.schema.foreign_data_wrappers.contains_key(&name) {
                        if if_exists {
                            continue;
                        }
                        return Err(no_wrapper(&name));
                    }
                    let servers: Vec<String> = self.servers_of_wrapper(&name);
                    if !servers.is_empty() && !self.stmt_cascade {
                        return Err(dependents(format!("foreign-data wrapper {name}")));
                    }
                    for s in servers {
                        self.drop_server_cascade(&s);
                    }
                    self.schema.foreign_data_wrappers.remove(&name);
                }
                Ok(())
            }
            ForeignStmt::CreateServer {
                name,
                if_not_exists,
                server_type,
                version,
                wrapper,
                options,
            } => {
                if self.schema.foreign_servers.contains_key(&name) {
                    if if_not_exists {
                        return Ok(());
                    }
                    return Err(err(
                        DUPLICATE_OBJECT,
                        format!("server \"{name}\" already exists"),
                    ));
                }
                if !self.wrapper_exists(&wrapper) {
                    return Err(no_wrapper(&wrapper));
                }
                let options = new_options(options)?;
                self.schema.foreign_servers.insert(
                    name.clone(),
                    ForeignServer {
                        wrapper,
                        server_type,
                        version,
                        options,
                        comment: None,
                        acl: None,
                        owner: self.creator(),
                        user_mappings: Default::default(),
                    },
                );
                self.touch(server_path(&name));
                Ok(())
            }
            ForeignStmt::AlterServer {
                name,
                version,
                options,
            } => {
                let s = self.server_mut(&name)?;
                let mut opts = s.options.clone();
                apply_options(&mut opts, &options)?;
                s.options = opts;
                if let Some(v) = version {
                    s.version = v;
                }
                self.touch(server_path(&name));
                Ok(())
            }
            ForeignStmt::RenameServer { name, new_name } => {
                self.server_mut(&name)?;
                if self.schema.foreign_servers.contains_key(&new_name) {
                    return Err(err(
                        DUPLICATE_OBJECT,
                        format!("server \"{new_name}\" already exists"),
                    ));
                }
                let s = self.schema.foreign_servers.remove(&name).expect("checked");
                self.schema.foreign_servers.insert(new_name.clone(), s);
                for n in self.schema.namespaces.values_mut() {
                    for t in n.tables.values_mut() {
                        if let Some(f) = t.foreign.as_mut().filter(|f| f.server == name) {
                            f.server = new_name.clone();
                        }
                    }
                }
                self.touch(server_path(&new_name));
                Ok(())
            }
            ForeignStmt::OwnerServer { name, role } => {
                let owner = self.owner_for(role);
                self.server_mut(&name)?.owner = owner;
                self.touch(server_path(&name));
                Ok(())
            }
            ForeignStmt::DropServer { names, if_exists } => {
                for name in names {
                    let Some(s) = self.schema.foreign_servers.get(&name) else {
                        if if_exists {
                            continue;
                        }
                        return Err(no_server(&name));
                    };
                    let has_dependents =
                        !s.user_mappings.is_empty() || !self.foreign_tables_of(&name).is_empty();
                    if has_dependents && !self.stmt_cascade {
                        return Err(dependents(format!("server {name}")));
                    }
                    self.drop_server_cascade(&name);
                }
                Ok(())
            }
            ForeignStmt::CreateMapping {
                user,
                server,
                if_not_exists,
                options,
            } => {
                let user = self.mapping_user(&user)?;
                let s = self.server_mut(&server)?;
                if s.user_mappings.contains_key(&user) {
                    if if_not_exists {
                        return Ok(());
                    }
                    return Err(err(
                        DUPLICATE_OBJECT,
                        format!(
                            "user mapping for \"{user}\" already exists for server \"{server}\""
                        ),
                    ));
                }
                let options = new_options(options)?;
                s.user_mappings.insert(
                    user.clone(),
                    UserMapping {
                        options: Some(secret_options(&options)),
                    },
                );
                self.touch(user_mapping_path(&server, &user));
                Ok(())
            }
            ForeignStmt::AlterMapping {
                user,
                server,
                options,
            } => {
                let user = self.mapping_user(&user)?;
                let s = self.server_mut(&server)?;
                let Some(m) = s.user_mappings.get_mut(&user) else {
                    return Err(no_mapping(&user, &server));
                };
                let mut opts = m.options.clone().unwrap_or_default();
                apply_secret_options(&mut opts, &options)?;
                m.options = Some(opts);
                self.touch(user_mapping_path(&server, &user));
                Ok(())
            }
            ForeignStmt::DropMapping {
                user,
                server,
                if_exists,
            } => {
                let user = self.mapping_user(&user)?;
                let Some(s) = self.schema.foreign_servers.get_mut(&server) else {
                    if if_exists {
                        return Ok(());
                    }
                    return Err(no_server(&server));
                };
                if s.user_mappings.remove(&user).is_none() && !if_exists {
                    return Err(no_mapping(&user, &server));
                }
                Ok(())
            }
        }
    }

    /// Gives the user mappings of `from` their options (which the written
    /// model leaves out: strata never prints their values), for a plan's
    /// verification to start where `from` is.
    pub(crate) fn restore_user_mapping_options(&mut self, from: &crate::model::Schema) {
        for (name, s) in &from.foreign_servers {
            let Some(mine) = self.schema.foreign_servers.get_mut(name) else {
                continue;
            };
            for (user, m) in &s.user_mappings {
                if let Some(x) = mine.user_mappings.get_mut(user) {
                    x.options.clone_from(&m.options);
                }
            }
        }
    }

    /// `COMMENT ON SERVER`.
    pub(super) fn comment_on_server(&mut self, name: &str, text: Option<String>) -> R<()> {
        self.server_mut(name)?.comment = text;
        self.touch(server_path(name));
        Ok(())
    }

    /// `COMMENT ON FOREIGN DATA WRAPPER`.
    pub(super) fn comment_on_wrapper(&mut self, name: &str, text: Option<String>) -> R<()> {
        self.modelled_wrapper(name)?;
        self.schema
            .foreign_data_wrappers
            .get_mut(name)
            .expect("checked")
            .comment = text;
        self.touch(wrapper_path(name));
        Ok(())
    }

    /// `DROP EXTENSION`: the servers over its wrapper depend on it.
    pub(super) fn drop_extension_wrappers(&mut self, ext: &str) -> R<()> {
        for (e, wrapper, _) in EXTENSION_WRAPPERS {
            if *e != ext {
                continue;
            }
            let servers = self.servers_of_wrapper(wrapper);
            if !servers.is_empty() && !self.stmt_cascade {
                return Err(dependents(format!("extension {ext}")));
            }
            for s in servers {
                self.drop_server_cascade(&s);
            }
        }
        Ok(())
    }

    fn servers_of_wrapper(&self, wrapper: &str) -> Vec<String> {
        self.schema
            .foreign_servers
            .iter()
            .filter(|(_, s)| s.wrapper == wrapper)
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// The foreign tables over a server.
    fn foreign_tables_of(&self, server: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (ns, n) in &self.schema.namespaces {
            for (t, table) in &n.tables {
                if table.foreign.as_ref().is_some_and(|f| f.server == server) {
                    out.push((ns.clone(), t.clone()));
                }
            }
        }
        out
    }

    /// Drops a server with its user mappings and the foreign tables over
    /// it (and their triggers, kept by name).
    fn drop_server_cascade(&mut self, name: &str) {
        for (ns, t) in self.foreign_tables_of(name) {
            // CASCADE: what depends on the tables goes with them.
            let _ = self.drop_table(
                vec![QName {
                    schema: Some(ns),
                    name: t,
                }],
                true,
                true,
            );
        }
        self.schema.foreign_servers.remove(name);
    }

    fn mapping_user(&self, user: &MappingUser) -> R<String> {
        match user {
            MappingUser::Public => Ok("public".to_string()),
            MappingUser::Role(r) => Ok(r.clone()),
            MappingUser::CurrentUser | MappingUser::SessionUser => match &self.role {
                Role::Named(r) => Ok(r.clone()),
                _ => Err(help(
                    err(
                        FEATURE_NOT_SUPPORTED,
                        "a user mapping FOR CURRENT_USER names the role the migration runs as, which strata does not know offline",
                    ),
                    "name the role (`FOR app_user`), or tell strata the role it runs as",
                )),
            },
        }
    }

    fn server_mut(&mut self, name: &str) -> R<&mut ForeignServer> {
        self.schema
            .foreign_servers
            .get_mut(name)
            .ok_or_else(|| no_server(name))
    }

    /// A wrapper the model holds (not an extension's).
    fn modelled_wrapper(&self, name: &str) -> R<()> {
        if self.schema.foreign_data_wrappers.contains_key(name) {
            return Ok(());
        }
        if let Some(ext) = self.wrapper_extension(name) {
            return Err(help(
                err(
                    FEATURE_NOT_SUPPORTED,
                    format!("foreign-data wrapper \"{name}\" belongs to extension {ext}: strata does not model changes to an extension's objects"),
                ),
                "create a wrapper of your own over the extension's handler and validator, and change that",
            ));
        }
        if self.unknown_extension().is_some() {
            return Err(unknown_wrapper(name, self.unknown_extension()));
        }
        Err(no_wrapper(name))
    }

    /// Whether `name` is an installed extension's wrapper.
    pub(super) fn extension_wrapper(&self, name: &str) -> bool {
        self.wrapper_extension(name).is_some()
    }

    /// The installed extension whose wrapper `name` is.
    fn wrapper_extension(&self, name: &str) -> Option<&'static str> {
        EXTENSION_WRAPPERS
            .iter()
            .find(|(e, w, _)| *w == name && self.schema.extensions.contains_key(*e))
            .map(|(e, _, _)| *e)
    }

    /// An installed extension whose wrappers strata does not know (any
    /// but PL/pgSQL and those of [`EXTENSION_WRAPPERS`]).
    fn unknown_extension(&self) -> Option<String> {
        self.schema
            .extensions
            .keys()
            .find(|e| *e != "plpgsql" && !EXTENSION_WRAPPERS.iter().any(|(x, _, _)| x == e))
            .cloned()
    }

    /// Whether a wrapper of that name exists: the model's, an installed
    /// extension's, or (when an extension strata does not know is
    /// installed and might have made it) an error saying it cannot tell.
    fn wrapper_exists(&self, name: &str) -> bool {
        self.schema.foreign_data_wrappers.contains_key(name)
            || self.wrapper_extension(name).is_some()
    }

    /// A wrapper's handler (`args` empty) or validator (`text[], oid`):
    /// a function of the model or of an installed extension.
    fn fdw_function(&self, q: &QName, args: &str) -> R<RelationRef> {
        let key = format!("{}({args})", q.name);
        if let Some(ns) = self.find_ns(q, |n| n.routines.contains_key(&key)) {
            return Ok(RelationRef::new(ns, q.name.clone()));
        }
        for (ext, _, functions) in EXTENSION_WRAPPERS {
            if !functions.contains(&q.name.as_str()) {
                continue;
            }
            if let Some(e) = self.schema.extensions.get(*ext) {
                if q.schema.as_deref().is_none_or(|s| s == e.namespace) {
                    return Ok(RelationRef::new(e.namespace.clone(), q.name.clone()));
                }
            }
        }
        if let Some(ext) = self.unknown_extension() {
            return Err(help(
                err(
                    FEATURE_NOT_SUPPORTED,
                    format!("function {key} is not known offline: extension {ext} may have made it"),
                ),
                "strata knows the functions of postgres_fdw, file_fdw and dblink; use one of those or a function the history creates",
            ));
        }
        Err(err(
            UNDEFINED_FUNCTION,
            format!("function {key} does not exist"),
        ))
    }
}

fn wrapper_path(name: &str) -> ObjectPath {
    ObjectPath::new(ObjectKind::ForeignDataWrapper, "", name)
}

fn server_path(name: &str) -> ObjectPath {
    ObjectPath::new(ObjectKind::ForeignServer, "", name)
}

pub(super) fn no_wrapper(name: &str) -> super::ReplayError {
    err(
        UNDEFINED_OBJECT,
        format!("foreign-data wrapper \"{name}\" does not exist"),
    )
}

fn unknown_wrapper(name: &str, ext: Option<String>) -> super::ReplayError {
    help(
        err(
            FEATURE_NOT_SUPPORTED,
            format!(
                "foreign-data wrapper \"{name}\" is not known offline: extension {} may have made it",
                ext.unwrap_or_default()
            ),
        ),
        "strata knows the wrappers of postgres_fdw, file_fdw and dblink and those the history creates",
    )
}

pub(super) fn no_server(name: &str) -> super::ReplayError {
    err(
        UNDEFINED_OBJECT,
        format!("server \"{name}\" does not exist"),
    )
}

fn no_mapping(user: &str, server: &str) -> super::ReplayError {
    err(
        UNDEFINED_OBJECT,
        format!("user mapping for \"{user}\" does not exist for server \"{server}\""),
    )
}

fn dependents(what: String) -> super::ReplayError {
    help(
        err(
            DEPENDENT_OBJECTS,
            format!("cannot drop {what} because other objects depend on it"),
        ),
        "Use DROP ... CASCADE to drop the dependent objects too.",
    )
}

/// The options of a CREATE: a name given twice is the server's error.
pub(super) fn new_options(options: Vec<(String, String)>) -> R<FdwOptions> {
    let mut out: FdwOptions = Vec::new();
    for (k, v) in options {
        if out.iter().any(|(x, _)| *x == k) {
            return Err(duplicate_option(&k));
        }
        out.push((k, v));
    }
    Ok(out)
}

fn duplicate_option(name: &str) -> super::ReplayError {
    err(
        DUPLICATE_OBJECT,
        format!("option \"{name}\" provided more than once"),
    )
}

fn missing_option(name: &str) -> super::ReplayError {
    err(UNDEFINED_OBJECT, format!("option \"{name}\" not found"))
}

/// `transformGenericOptions`: ADD appends (a name already there is an
/// error), SET replaces in place and DROP removes (a name not there is an
/// error).
pub(super) fn apply_options(opts: &mut FdwOptions, changes: &[OptionChange]) -> R<()> {
    apply_generic(opts, changes, |v: &str| v.to_string())
}

fn apply_secret_options(opts: &mut Vec<(String, SecretValue)>, changes: &[OptionChange]) -> R<()> {
    apply_generic(opts, changes, SecretValue::of)
}

fn apply_generic<V>(
    opts: &mut Vec<(String, V)>,
    changes: &[OptionChange],
    value: impl Fn(&str) -> V,
) -> R<()> {
    for c in changes {
        let at = opts.iter().position(|(k, _)| *k == c.name);
        match (c.op, at) {
            (OptionOp::Add, Some(_)) => return Err(duplicate_option(&c.name)),
            (OptionOp::Add, None) => {
                opts.push((c.name.clone(), value(c.value.as_deref().unwrap_or(""))))
            }
            (OptionOp::Set, Some(i)) => opts[i].1 = value(c.value.as_deref().unwrap_or("")),
            (OptionOp::Drop, Some(i)) => {
                opts.remove(i);
            }
            (OptionOp::Set | OptionOp::Drop, None) => return Err(missing_option(&c.name)),
        }
    }
    Ok(())
}

fn secret_options(options: &[(String, String)]) -> Vec<(String, SecretValue)> {
    options
        .iter()
        .map(|(k, v)| (k.clone(), SecretValue::of(v)))
        .collect()
}

impl Replayer {
    /// `ALTER FOREIGN TABLE name`: a relation that exists must be a
    /// foreign table.
    pub(super) fn check_foreign_relation(&self, q: &QName) -> R<()> {
        let not_foreign = match self.find_table(q) {
            Some(ns) => self
                .table(&ns, &q.name)
                .is_some_and(|t| t.foreign.is_none()),
            None => self.relation_kind(q).is_some(),
        };
        if not_foreign {
            return Err(err(
                super::WRONG_OBJECT_TYPE,
                format!("\"{}\" is not a foreign table", q.name),
            ));
        }
        Ok(())
    }

    /// `DROP TABLE` of a foreign table, `DROP FOREIGN TABLE` of a table
    /// (or of nothing: "foreign table … does not exist").
    pub(super) fn check_drop_kind(&self, names: &[QName], foreign: bool, if_exists: bool) -> R<()> {
        for q in names {
            let Some(ns) = self.find_table(q) else {
                if foreign && !if_exists && self.relation_kind(q).is_none() {
                    return Err(err(
                        UNDEFINED_OBJECT,
                        format!("foreign table \"{}\" does not exist", q.name),
                    ));
                }
                continue;
            };
            let is_foreign = self
                .table(&ns, &q.name)
                .is_some_and(|t| t.foreign.is_some());
            if foreign && !is_foreign {
                return Err(help(
                    err(
                        super::WRONG_OBJECT_TYPE,
                        format!("\"{}\" is not a foreign table", q.name),
                    ),
                    "Use DROP TABLE to remove a table.",
                ));
            }
            if !foreign && is_foreign {
                return Err(help(
                    err(
                        super::WRONG_OBJECT_TYPE,
                        format!("\"{}\" is not a table", q.name),
                    ),
                    "Use DROP FOREIGN TABLE to remove a foreign table.",
                ));
            }
        }
        Ok(())
    }

    /// An `ALTER` action only a foreign table can take (`foreign_only`),
    /// or one it cannot: the server's error.
    pub(super) fn check_foreign_action(
        &self,
        ns: &str,
        table: &str,
        what: &str,
        foreign_only: bool,
    ) -> R<()> {
        let is_foreign = self.table(ns, table).is_some_and(|t| t.foreign.is_some());
        if is_foreign == foreign_only {
            return Ok(());
        }
        Err(help(
            err(
                super::WRONG_OBJECT_TYPE,
                format!("ALTER action {what} cannot be performed on relation \"{table}\""),
            ),
            format!(
                "This operation is not supported for {}.",
                if is_foreign {
                    "foreign tables"
                } else {
                    "tables"
                }
            ),
        ))
    }

    /// A constraint a foreign table cannot have.
    pub(super) fn check_foreign_constraint(&self, ns: &str, table: &str, kind: &str) -> R<()> {
        if self.table(ns, table).is_some_and(|t| t.foreign.is_some()) {
            return Err(err(
                FEATURE_NOT_SUPPORTED,
                format!("{kind} constraints are not supported on foreign tables"),
            ));
        }
        Ok(())
    }
}
