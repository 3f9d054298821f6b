//! Privileges: access control lists (`aclitem[]`) and default privileges
//! (`pg_default_acl`), as PostgreSQL keeps them semantically.
//!
//! An ACL is a set of (grantee, privilege, grantable). The grantor is not
//! kept: offline every grant is made by the role running the migrations,
//! who owns what it created, so the grantor is always the owner; the server
//! records the owner as grantor too when a superuser grants. (Grants made
//! by a non-owner holding a grant option are outside what a history
//! replays.)
//!
//! Offline the owner is not known (it is whoever runs the migrations), so
//! the owner is the symbol [`Grantee::Owner`]; inspect maps the grantee
//! that is the object's owner to it. A NULL ACL (never granted or revoked)
//! means `acldefault` for the object's kind ([`AclKind::default_acl`]); the
//! model keeps `None` exactly when the effective ACL is the default
//! ([`canonical`]), so a NULL ACL and an explicit one equal to the default
//! compare equal, as pg_dump treats them.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::quote_ident;

/// Who a privilege is granted to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grantee {
    /// The object's owner (offline: the role running the migrations).
    Owner,
    /// `PUBLIC`: every role.
    Public,
    /// A role by name, as the server stores it.
    Role(String),
}

impl Grantee {
    /// As `GRANT … TO` writes it; the owner as `CURRENT_USER` (the role
    /// that applies the SQL, who creates and so owns the objects).
    pub fn sql(&self) -> String {
        match self {
            Grantee::Owner => "CURRENT_USER".to_string(),
            Grantee::Public => "PUBLIC".to_string(),
            Grantee::Role(r) => quote_ident(r),
        }
    }
}

impl fmt::Display for Grantee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Grantee::Owner => f.write_str("the owner"),
            Grantee::Public => f.write_str("PUBLIC"),
            Grantee::Role(r) => write!(f, "role {}", quote_ident(r)),
        }
    }
}

/// One privilege (`acl.h`'s `ACL_*` bits), in the order `aclitem` prints
/// them (`arwdDxtXUC`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Privilege {
    Insert,
    Select,
    Update,
    Delete,
    Truncate,
    References,
    Trigger,
    Execute,
    Usage,
    Create,
}

impl Privilege {
    pub fn keyword(self) -> &'static str {
        match self {
            Privilege::Insert => "INSERT",
            Privilege::Select => "SELECT",
            Privilege::Update => "UPDATE",
            Privilege::Delete => "DELETE",
            Privilege::Truncate => "TRUNCATE",
            Privilege::References => "REFERENCES",
            Privilege::Trigger => "TRIGGER",
            Privilege::Execute => "EXECUTE",
            Privilege::Usage => "USAGE",
            Privilege::Create => "CREATE",
        }
    }

    /// `string_to_privilege`: the keyword, upper case; `None` for a word
    /// that names no privilege (PostgreSQL: "unrecognized privilege type").
    /// `TEMP`/`TEMPORARY`/`CONNECT` are database privileges, not modelled.
    pub fn from_keyword(word: &str) -> Option<Privilege> {
        Some(match word {
            "INSERT" => Privilege::Insert,
            "SELECT" => Privilege::Select,
            "UPDATE" => Privilege::Update,
            "DELETE" => Privilege::Delete,
            "TRUNCATE" => Privilege::Truncate,
            "REFERENCES" => Privilege::References,
            "TRIGGER" => Privilege::Trigger,
            "EXECUTE" => Privilege::Execute,
            "USAGE" => Privilege::Usage,
            "CREATE" => Privilege::Create,
            _ => return None,
        })
    }

    /// The `aclitem` letter.
    pub fn letter(self) -> char {
        match self {
            Privilege::Insert => 'a',
            Privilege::Select => 'r',
            Privilege::Update => 'w',
            Privilege::Delete => 'd',
            Privilege::Truncate => 'D',
            Privilege::References => 'x',
            Privilege::Trigger => 't',
            Privilege::Execute => 'X',
            Privilege::Usage => 'U',
            Privilege::Create => 'C',
        }
    }

    pub fn from_letter(c: char) -> Option<Privilege> {
        Some(match c {
            'a' => Privilege::Insert,
            'r' => Privilege::Select,
            'w' => Privilege::Update,
            'd' => Privilege::Delete,
            'D' => Privilege::Truncate,
            'x' => Privilege::References,
            't' => Privilege::Trigger,
            'X' => Privilege::Execute,
            'U' => Privilege::Usage,
            'C' => Privilege::Create,
            _ => return None,
        })
    }
}

/// The kinds of object an ACL is on, each with its privileges and its
/// `acldefault`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AclKind {
    /// Tables, views, materialized views (`OBJECT_TABLE`).
    Relation,
    /// A column of a relation (`OBJECT_COLUMN`).
    Column,
    Sequence,
    /// Functions and procedures (`OBJECT_FUNCTION`).
    Routine,
    /// Schemas (`OBJECT_SCHEMA`).
    Namespace,
    /// Enums, domains and composite types (`OBJECT_TYPE`).
    Type,
    /// Foreign servers (`OBJECT_FOREIGN_SERVER`).
    ForeignServer,
    /// Foreign-data wrappers (`OBJECT_FDW`).
    ForeignDataWrapper,
}

impl AclKind {
    /// Every privilege the kind has (`ACL_ALL_RIGHTS_*`): what `ALL`
    /// grants.
    pub fn all(self) -> &'static [Privilege] {
        use Privilege::*;
        match self {
            AclKind::Relation => &[
                Insert, Select, Update, Delete, Truncate, References, Trigger,
            ],
            AclKind::Column => &[Insert, Select, Update, References],
            AclKind::Sequence => &[Select, Update, Usage],
            AclKind::Routine => &[Execute],
            AclKind::Namespace => &[Usage, Create],
            AclKind::Type | AclKind::ForeignServer | AclKind::ForeignDataWrapper => &[Usage],
        }
    }

    /// What PostgreSQL calls the kind in "invalid privilege type %s for
    /// …".
    pub fn label(self) -> &'static str {
        match self {
            AclKind::Relation => "table",
            AclKind::Column => "column",
            AclKind::Sequence => "sequence",
            AclKind::Routine => "function",
            AclKind::Namespace => "schema",
            AclKind::Type => "type",
            AclKind::ForeignServer => "foreign server",
            AclKind::ForeignDataWrapper => "foreign-data wrapper",
        }
    }

    /// `acldefault`: the owner holds every privilege of the kind (none for a
    /// column, whose rights come from its table); PUBLIC holds EXECUTE on
    /// routines and USAGE on types.
    pub fn default_acl(self) -> Acl {
        let mut acl = Acl::default();
        if self != AclKind::Column {
            for p in self.all() {
                acl.items.insert(AclItem::new(Grantee::Owner, *p, false));
            }
        }
        let public: &[Privilege] = match self {
            AclKind::Routine => &[Privilege::Execute],
            AclKind::Type => &[Privilege::Usage],
            _ => &[],
        };
        for p in public {
            acl.items.insert(AclItem::new(Grantee::Public, *p, false));
        }
        acl
    }
}

/// One privilege held by one grantee, with or without the grant option.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AclItem {
    pub grantee: Grantee,
    pub privilege: Privilege,
    /// `WITH GRANT OPTION` (the `*` after the letter).
    pub grantable: bool,
}

impl AclItem {
    pub fn new(grantee: Grantee, privilege: Privilege, grantable: bool) -> AclItem {
        AclItem {
            grantee,
            privilege,
            grantable,
        }
    }
}

/// An access control list: at most one item per (grantee, privilege).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Acl {
    pub items: BTreeSet<AclItem>,
}

impl Acl {
    /// The item of `grantee` for `privilege`, if held.
    pub fn get(&self, grantee: &Grantee, privilege: Privilege) -> Option<&AclItem> {
        self.items
            .iter()
            .find(|i| &i.grantee == grantee && i.privilege == privilege)
    }

    /// `aclupdate` with `ACL_MODECHG_ADD`: grants `privilege` (and the grant
    /// option when `grantable`; a grant without it keeps an option already
    /// held).
    pub fn grant(&mut self, grantee: &Grantee, privilege: Privilege, grantable: bool) {
        let had = self.get(grantee, privilege).map(|i| i.grantable);
        if let Some(g) = had {
            self.items
                .remove(&AclItem::new(grantee.clone(), privilege, g));
        }
        self.items.insert(AclItem::new(
            grantee.clone(),
            privilege,
            grantable || had == Some(true),
        ));
    }

    /// `aclupdate` with `ACL_MODECHG_DEL`: revokes `privilege`, or only its
    /// grant option.
    pub fn revoke(&mut self, grantee: &Grantee, privilege: Privilege, grant_option_only: bool) {
        let Some(g) = self.get(grantee, privilege).map(|i| i.grantable) else {
            return;
        };
        self.items
            .remove(&AclItem::new(grantee.clone(), privilege, g));
        if grant_option_only {
            self.items
                .insert(AclItem::new(grantee.clone(), privilege, false));
        }
    }

    /// Every grantee, in order.
    pub fn grantees(&self) -> BTreeSet<&Grantee> {
        self.items.iter().map(|i| &i.grantee).collect()
    }

    /// `grantee`'s privileges (with their grant option), in `aclitem`
    /// order.
    pub fn of(&self, grantee: &Grantee) -> Vec<(Privilege, bool)> {
        let mut v: Vec<(Privilege, bool)> = self
            .items
            .iter()
            .filter(|i| &i.grantee == grantee)
            .map(|i| (i.privilege, i.grantable))
            .collect();
        v.sort();
        v
    }

    /// Reads `aclitem` texts as the server prints them
    /// (`alice=arw*/owner`, `=r/owner`), `owner` being the object's owner
    /// (mapped to [`Grantee::Owner`]). `None` on a text it cannot read.
    pub fn from_aclitems<'s>(items: impl IntoIterator<Item = &'s str>, owner: &str) -> Option<Acl> {
        let mut acl = Acl::default();
        for text in items {
            let (grantee, rest) = split_aclitem_name(text)?;
            let grantee = if grantee.is_empty() {
                Grantee::Public
            } else if grantee == owner {
                Grantee::Owner
            } else {
                Grantee::Role(grantee)
            };
            let privs = rest.split('/').next()?;
            let mut chars = privs.chars().peekable();
            while let Some(c) = chars.next() {
                let p = Privilege::from_letter(c)?;
                let grantable = chars.peek() == Some(&'*');
                if grantable {
                    chars.next();
                }
                acl.grant(&grantee, p, grantable);
            }
        }
        Some(acl)
    }
}

/// The first grantor in `aclitem` texts that is not `owner`: a grant made
/// by a role holding a grant option. The model does not keep grantors (every
/// grant a history replays is the owner's), and pg_dump writes such a grant
/// under `SET SESSION AUTHORIZATION`: a reader must refuse it rather than
/// compare the ACL without it.
pub fn grantor_not_owner<'s>(
    items: impl IntoIterator<Item = &'s str>,
    owner: &str,
) -> Option<String> {
    for text in items {
        let Some((_, rest)) = split_aclitem_name(text) else {
            continue;
        };
        let Some((_, grantor)) = rest.split_once('/') else {
            continue;
        };
        let grantor = unquote_role(grantor);
        if grantor != owner {
            return Some(grantor);
        }
    }
    None
}

/// A role name as `putid` writes it (double quotes when needed).
fn unquote_role(text: &str) -> String {
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => text.to_string(),
    }
}

/// `name=rest` of an `aclitem` text, the name unquoted as `putid` wrote it.
fn split_aclitem_name(text: &str) -> Option<(String, &str)> {
    let mut name = String::new();
    let mut chars = text.char_indices().peekable();
    let mut in_quotes = false;
    while let Some((i, c)) = chars.next() {
        match c {
            '"' if in_quotes && chars.peek().map(|(_, c)| *c) == Some('"') => {
                name.push('"');
                chars.next();
            }
            '"' => in_quotes = !in_quotes,
            '=' if !in_quotes => return Some((name, &text[i + 1..])),
            c => name.push(c),
        }
    }
    None
}

/// The effective ACL of an object of `kind` whose ACL is `acl` (`None`:
/// the default).
pub fn effective(acl: &Option<Acl>, kind: AclKind) -> Acl {
    acl.clone().unwrap_or_else(|| kind.default_acl())
}

/// The canonical form the model keeps: `None` when `acl` is the default.
pub fn canonical(acl: Acl, kind: AclKind) -> Option<Acl> {
    (acl != kind.default_acl()).then_some(acl)
}

/// The ACL of the `public` schema of a new PostgreSQL 15 database:
/// `{pg_database_owner=UC/pg_database_owner,=U/pg_database_owner}`, its
/// owner being `pg_database_owner`.
pub fn public_schema_acl() -> Acl {
    let mut acl = AclKind::Namespace.default_acl();
    acl.grant(&Grantee::Public, Privilege::Usage, false);
    acl
}

/// The ACL an object the owner creates in `ns` starts with
/// (`get_user_default_acl`): the owner's global default privileges (else
/// `acldefault`) merged with those of the schema; `None` when that is the
/// default.
pub fn initial_acl(
    defaults: &std::collections::BTreeMap<DefaultAclKey, Acl>,
    object: DefaultAclObject,
    ns: Option<&str>,
) -> Option<Acl> {
    if defaults.is_empty() {
        return None;
    }
    let key = |schema: Option<&str>| DefaultAclKey {
        role: Grantee::Owner,
        schema: schema.map(str::to_string),
        object,
    };
    let global = defaults.get(&key(None));
    let local = ns.and_then(|n| defaults.get(&key(Some(n))));
    if global.is_none() && local.is_none() {
        return None;
    }
    let kind = object.kind();
    let mut acl = global.cloned().unwrap_or_else(|| kind.default_acl());
    if let Some(l) = local {
        for i in &l.items {
            acl.grant(&i.grantee, i.privilege, i.grantable);
        }
    }
    canonical(acl, kind)
}

/// Calls `f` with every ACL of `schema` and its kind.
pub fn for_each_acl_mut(schema: &mut super::Schema, mut f: impl FnMut(&mut Option<Acl>, AclKind)) {
    for n in schema.namespaces.values_mut() {
        f(&mut n.acl, AclKind::Namespace);
        for e in n.enums.values_mut() {
            f(&mut e.acl, AclKind::Type);
        }
        for d in n.domains.values_mut() {
            f(&mut d.acl, AclKind::Type);
        }
        for c in n.composites.values_mut() {
            f(&mut c.acl, AclKind::Type);
        }
        for r in n.ranges.values_mut() {
            f(&mut r.acl, AclKind::Type);
        }
        for s in n.sequences.values_mut() {
            f(&mut s.acl, AclKind::Sequence);
        }
        for r in n.routines.values_mut() {
            f(&mut r.acl, AclKind::Routine);
        }
        for t in n.tables.values_mut() {
            f(&mut t.acl, AclKind::Relation);
            for c in &mut t.columns {
                f(&mut c.acl, AclKind::Column);
            }
        }
        for v in n.views.values_mut() {
            f(&mut v.acl, AclKind::Relation);
            for c in &mut v.columns {
                f(&mut c.acl, AclKind::Column);
            }
        }
    }
    for w in schema.foreign_data_wrappers.values_mut() {
        f(&mut w.acl, AclKind::ForeignDataWrapper);
    }
    for s in schema.foreign_servers.values_mut() {
        f(&mut s.acl, AclKind::ForeignServer);
    }
}

/// `aclnewowner`: an object's ACL when `role` becomes its owner — what was
/// granted to `role` by name is the owner's now (the owner symbol already
/// stands for whoever owns it).
pub fn owner_becomes(slot: &mut Option<Acl>, role: &str, kind: AclKind) {
    let Some(acl) = slot.as_mut() else {
        return;
    };
    let named = Grantee::Role(role.to_string());
    if !acl.items.iter().any(|i| i.grantee == named) {
        return;
    }
    let items = std::mem::take(&mut acl.items);
    for i in items {
        let g = if i.grantee == named {
            Grantee::Owner
        } else {
            i.grantee
        };
        acl.grant(&g, i.privilege, i.grantable);
    }
    *slot = canonical(std::mem::take(acl), kind);
}

/// Names the role that ran the statements of an offline model: grants to
/// and default privileges of `role` by name become the owner's, as the
/// server sees them when `role` created (so owns) the objects. For a
/// caller that knows the role (the oracle applies the same SQL as it).
pub fn name_owner(schema: &mut super::Schema, role: &str) {
    let named = Grantee::Role(role.to_string());
    let rename = |acl: &mut Acl| {
        let items = std::mem::take(&mut acl.items);
        for i in items {
            let g = if i.grantee == named {
                Grantee::Owner
            } else {
                i.grantee
            };
            acl.grant(&g, i.privilege, i.grantable);
        }
    };
    for_each_acl_mut(schema, |slot, kind| {
        if let Some(acl) = slot.as_mut() {
            rename(acl);
            *slot = canonical(std::mem::take(acl), kind);
        }
    });
    let defaults = std::mem::take(&mut schema.default_privileges);
    for (mut key, mut acl) in defaults {
        if key.role == named {
            key.role = Grantee::Owner;
        }
        rename(&mut acl);
        if acl != key.base() {
            schema.default_privileges.insert(key, acl);
        }
    }
}

/// The kind of object default privileges apply to (`defaclobjtype`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefaultAclObject {
    /// `r`: tables, views, materialized views.
    Tables,
    /// `S`.
    Sequences,
    /// `f`: functions and procedures.
    Functions,
    /// `T`: types and domains.
    Types,
    /// `n`: schemas (never `IN SCHEMA`).
    Schemas,
}

impl DefaultAclObject {
    pub fn keyword(self) -> &'static str {
        match self {
            DefaultAclObject::Tables => "TABLES",
            DefaultAclObject::Sequences => "SEQUENCES",
            DefaultAclObject::Functions => "FUNCTIONS",
            DefaultAclObject::Types => "TYPES",
            DefaultAclObject::Schemas => "SCHEMAS",
        }
    }

    pub fn kind(self) -> AclKind {
        match self {
            DefaultAclObject::Tables => AclKind::Relation,
            DefaultAclObject::Sequences => AclKind::Sequence,
            DefaultAclObject::Functions => AclKind::Routine,
            DefaultAclObject::Types => AclKind::Type,
            DefaultAclObject::Schemas => AclKind::Namespace,
        }
    }

    /// `defaclobjtype`.
    pub fn from_objtype(c: &str) -> Option<DefaultAclObject> {
        Some(match c {
            "r" => DefaultAclObject::Tables,
            "S" => DefaultAclObject::Sequences,
            "f" => DefaultAclObject::Functions,
            "T" => DefaultAclObject::Types,
            "n" => DefaultAclObject::Schemas,
            _ => return None,
        })
    }
}

/// Default privileges (`pg_default_acl`): for objects `role` creates
/// (in `schema`, or anywhere), of one kind.
///
/// Without a schema the ACL replaces `acldefault` (it is the whole ACL new
/// objects get); in a schema it is added to what they get otherwise
/// (`get_user_default_acl`), so it only grants.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DefaultAclKey {
    /// Whose objects: [`Grantee::Owner`] for the role running the
    /// migrations (offline, `ALTER DEFAULT PRIVILEGES` without `FOR
    /// ROLE`; live, the database's owner).
    pub role: Grantee,
    pub schema: Option<String>,
    pub object: DefaultAclObject,
}

/// One entry of `pg_default_acl`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DefaultAcl {
    pub key: DefaultAclKey,
    pub acl: Acl,
}

impl DefaultAclKey {
    /// What an empty entry stands for: `acldefault` without a schema,
    /// nothing in one.
    pub fn base(&self) -> Acl {
        if self.schema.is_some() {
            Acl::default()
        } else {
            self.object.kind().default_acl()
        }
    }
}

/// `Schema::default_privileges` as a list of entries (its keys are not
/// strings).
pub(crate) mod default_acl_serde {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{Acl, DefaultAcl, DefaultAclKey};

    pub fn serialize<S: Serializer>(
        m: &BTreeMap<DefaultAclKey, Acl>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let v: Vec<DefaultAcl> = m
            .iter()
            .map(|(key, acl)| DefaultAcl {
                key: key.clone(),
                acl: acl.clone(),
            })
            .collect();
        v.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<DefaultAclKey, Acl>, D::Error> {
        let v: Vec<DefaultAcl> = Vec::deserialize(d)?;
        Ok(v.into_iter().map(|e| (e.key, e.acl)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aclitems_read_as_the_server_prints_them() {
        let acl = Acl::from_aclitems(
            [
                "postgres=arwdDxt/postgres",
                "=r/postgres",
                "\"a=b\"=w*/postgres",
            ],
            "postgres",
        )
        .unwrap();
        assert_eq!(canonical(acl.clone(), AclKind::Relation), Some(acl.clone()));
        assert!(acl.get(&Grantee::Public, Privilege::Select).is_some());
        assert_eq!(
            acl.get(&Grantee::Role("a=b".into()), Privilege::Update),
            Some(&AclItem::new(
                Grantee::Role("a=b".into()),
                Privilege::Update,
                true
            ))
        );
        let owner_only = Acl::from_aclitems(["postgres=arwdDxt/postgres"], "postgres").unwrap();
        assert_eq!(canonical(owner_only, AclKind::Relation), None);
    }

    #[test]
    fn grant_keeps_an_option_and_revoke_can_take_only_the_option() {
        let mut acl = Acl::default();
        let bob = Grantee::Role("bob".into());
        acl.grant(&bob, Privilege::Select, true);
        acl.grant(&bob, Privilege::Select, false);
        assert!(acl.get(&bob, Privilege::Select).unwrap().grantable);
        acl.revoke(&bob, Privilege::Select, true);
        assert!(!acl.get(&bob, Privilege::Select).unwrap().grantable);
        acl.revoke(&bob, Privilege::Select, false);
        assert!(acl.items.is_empty());
    }
}
