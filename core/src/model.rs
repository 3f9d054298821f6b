//! The one in-memory model of a PostgreSQL schema.
//!
//! Every source (replayed history, declared SQL, a live database) produces a
//! [`Schema`]; every consumer (check, diff, plan, codegen, docs) reads one.
//!
//! The model is canonical: names are stored exactly as PostgreSQL stores them
//! (unquoted, case preserved, truncated to 63 bytes), types in the form
//! `format_type` prints them with `search_path = public`, expressions as
//! written beside what the server stores for them ([`Expression`]). Maps are
//! sorted, so the same schema always serializes to the same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

pub mod acl;
mod aggregate;
mod foreign;
mod operator;
mod owner;
mod rule_text;
pub use acl::{
    Acl, AclItem, AclKind, DefaultAcl, DefaultAclKey, DefaultAclObject, Grantee, Privilege,
};
pub use aggregate::Aggregate;
pub use foreign::{
    mapping_user_sql, options_equal, options_sql, user_mapping_path, FdwOptions,
    ForeignDataWrapper, ForeignServer, SecretValue, UserMapping,
};
pub use operator::{ObjectRef, Operator};
pub use owner::{for_each_owner_mut, owners, Owner};
pub use rule_text::{RulePart, RuleText};

/// A whole database schema: every namespace strata manages, the extensions
/// installed, and the objects it does not model yet (kept by name).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    pub namespaces: BTreeMap<String, Namespace>,
    pub extensions: BTreeMap<String, Extension>,
    /// Objects strata recognises but does not model (views, aggregates,
    /// foreign tables, range types, …). Always reported, never silently dropped.
    pub unmanaged: BTreeSet<Unmanaged>,
    /// What each object kept by name was created with, when strata read its
    /// statement offline: the statement's tokens ([`crate::parse::query_key`]).
    /// Two such objects are equal only when both sides have the same
    /// tokens; an object without one (read from a live database, renamed,
    /// or made another way) cannot be proven equal to anything.
    #[serde(skip)]
    pub unmanaged_definitions: BTreeMap<Unmanaged, String>,
    /// Default privileges (`pg_default_acl`), applied to objects created
    /// afterwards.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        with = "acl::default_acl_serde"
    )]
    pub default_privileges: BTreeMap<DefaultAclKey, Acl>,
    /// Event triggers (`pg_event_trigger`) by name: database objects, in no
    /// namespace.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub event_triggers: BTreeMap<String, EventTrigger>,
    /// Foreign-data wrappers not made by an extension, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub foreign_data_wrappers: BTreeMap<String, ForeignDataWrapper>,
    /// Foreign servers by name, each with its user mappings.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub foreign_servers: BTreeMap<String, ForeignServer>,
    /// Publications (`pg_publication`) by name: database objects, in no
    /// namespace. The owner is compared only when asked (`--owners`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub publications: BTreeMap<String, Publication>,
}

/// A PostgreSQL schema (`pg_namespace`). Called namespace to avoid confusion
/// with [`Schema`], the whole database.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Namespace {
    pub comment: Option<String>,
    pub tables: BTreeMap<String, Table>,
    pub enums: BTreeMap<String, EnumType>,
    pub sequences: BTreeMap<String, Sequence>,
    /// Functions and procedures by signature: `name(integer, text)` — the
    /// name and the input argument types, as
    /// `pg_get_function_identity_arguments` prints them without names.
    /// Overloads are distinct objects.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub routines: BTreeMap<String, Routine>,
    /// Domains (`CREATE DOMAIN`) by name, compared by definition.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub domains: BTreeMap<String, Domain>,
    /// Composite types (`CREATE TYPE … AS (…)`) by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub composites: BTreeMap<String, CompositeType>,
    /// Collations (`CREATE COLLATION`) by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub collations: BTreeMap<String, Collation>,
    /// Range types (`CREATE TYPE … AS RANGE`) by name, compared by
    /// definition. Their multirange types are named in [`RangeType`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ranges: BTreeMap<String, RangeType>,
    /// Operators (`CREATE OPERATOR`) by [`Operator::key`]:
    /// `===(integer, text)`, compared by definition.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub operators: BTreeMap<String, Operator>,
    /// Aggregates (`CREATE AGGREGATE`) by [`Aggregate::key`]:
    /// `mysum(integer)`, compared by definition.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub aggregates: BTreeMap<String, Aggregate>,
    /// Views and materialized views by name (they share the relation
    /// namespace with tables), compared by definition.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub views: BTreeMap<String, View>,
    /// Extended statistics objects (`pg_statistic_ext`) by name, in their
    /// own namespace (which need not be their table's).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub statistics: BTreeMap<String, Statistics>,
    /// Privileges (`nspacl`): `None` for the default (`acldefault`), see
    /// [`acl`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl: Option<Acl>,
    /// The owner, compared only when asked (`--owners`): see [`Owner`].
    #[serde(default, skip_serializing_if = "Owner::is_implicit")]
    pub owner: Owner,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    /// Namespace the extension's objects live in.
    pub namespace: String,
    /// Version, when the source states one (`CREATE EXTENSION … VERSION`).
    /// Not compared when either side leaves it unknown.
    pub version: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// Columns in `attnum` order (dropped columns removed).
    pub columns: Vec<Column>,
    /// Table constraints by name: primary key, unique, foreign key, check,
    /// exclusion. (NOT NULL is a column property.)
    pub constraints: BTreeMap<String, Box<Constraint>>,
    /// Indexes by name, excluding those that back a constraint.
    pub indexes: BTreeMap<String, Box<Index>>,
    pub comment: Option<String>,
    pub unlogged: bool,
    /// Partition key of a partitioned table, as `pg_get_partkeydef` prints
    /// it: `RANGE ("createdAt")`.
    pub partition_by: Option<String>,
    pub row_level_security: bool,
    pub force_row_level_security: bool,
    /// Storage parameters (`pg_class.reloptions`): name → value exactly as
    /// the server stores the text (`fillfactor` → `70`). Compared as a map:
    /// the order the server keeps them in carries no meaning.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
    /// Row-level security policies by name (`pg_policy`), compared by
    /// definition.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub policies: BTreeMap<String, Policy>,
    /// Triggers by name (`pg_trigger`, internal ones left out), compared by
    /// definition.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub triggers: BTreeMap<String, Box<Trigger>>,
    /// Rewrite rules by name (`pg_rewrite`), compared by definition.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rules: BTreeMap<String, Rule>,
    /// The partitioned table this table is a partition of, with its bound
    /// (`pg_inherits` + `relispartition`, `relpartbound`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_of: Option<PartitionOf>,
    /// Inheritance parents (`INHERITS (…)`, `pg_inherits` by `inhseqno`), in
    /// order. Empty for a partition (its parent is [`Table::partition_of`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inherits: Vec<RelationRef>,
    /// Privileges (`relacl`): `None` for the default (`acldefault`), see
    /// [`acl`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl: Option<Acl>,
    /// The owner, compared only when asked (`--owners`): see [`Owner`].
    #[serde(default, skip_serializing_if = "Owner::is_implicit")]
    pub owner: Owner,
    /// A foreign table (`CREATE FOREIGN TABLE`, `pg_foreign_table`): its
    /// server and options. `None` for an ordinary or partitioned table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foreign: Option<ForeignTable>,
}

/// What makes a table a foreign table: the server it reads through and
/// its options (`ftserver`, `ftoptions`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignTable {
    pub server: String,
    pub options: FdwOptions,
}

/// A table named by namespace and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RelationRef {
    pub namespace: String,
    pub name: String,
}

impl RelationRef {
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> RelationRef {
        RelationRef {
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    /// `"ns"."name"`, quoted as needed.
    pub fn sql(&self) -> String {
        qualified_sql(&self.namespace, &self.name)
    }
}

impl fmt::Display for RelationRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sql())
    }
}

/// An extended statistics object (`CREATE STATISTICS`, `pg_statistic_ext`):
/// compared by what the server stores, not by what was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statistics {
    /// The table it is defined on.
    pub table: RelationRef,
    /// The kinds among `ndistinct`, `dependencies`, `mcv` the server builds
    /// (`stxkind` without `e`, which follows from the expressions): all
    /// three when none are written and there are two or more columns and
    /// expressions, none for one expression alone.
    pub kinds: BTreeSet<StatisticsKind>,
    /// Plain columns, in the table's column order (`stxkeys` is sorted by
    /// attribute number, whatever order they were written in).
    pub columns: Vec<String>,
    /// Expressions in the order written (`stxexprs`), each stored as
    /// `pg_get_statisticsobjdef_expressions` prints it.
    pub expressions: Vec<Expression>,
    /// `ALTER STATISTICS … SET STATISTICS n` (`stxstattarget`); `None` for
    /// the default (-1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<i32>,
    pub comment: Option<String>,
    /// The owner, compared only when asked (`--owners`): see [`Owner`].
    #[serde(default, skip_serializing_if = "Owner::is_implicit")]
    pub owner: Owner,
}

/// An event trigger (`CREATE EVENT TRIGGER`, `pg_event_trigger`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventTrigger {
    /// `ddl_command_start`, `ddl_command_end`, `sql_drop` or
    /// `table_rewrite`.
    pub event: String,
    /// `WHEN TAG IN (…)`, upper-cased as the server stores them, in the
    /// order written; empty for none.
    pub tags: Vec<String>,
    /// The function it executes (no arguments, returning `event_trigger`).
    pub function: RelationRef,
    pub enabled: TriggerEnabled,
    pub comment: Option<String>,
    /// The owner, compared only when asked (`--owners`): see [`Owner`].
    #[serde(default, skip_serializing_if = "Owner::is_implicit")]
    pub owner: Owner,
}

/// A publication (`CREATE PUBLICATION`, `pg_publication`,
/// `pg_publication_rel`, `pg_publication_namespace`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    /// `FOR ALL TABLES` (`puballtables`).
    pub all_tables: bool,
    /// `FOR TABLE …`: the tables, sorted, each with its column list and
    /// row filter.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<PublicationTable>,
    /// `FOR TABLES IN SCHEMA …`, by name.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub schemas: BTreeSet<String>,
    /// `publish`: the actions published.
    pub publish: PublishActions,
    /// `publish_via_partition_root` (`pubviaroot`).
    pub via_root: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The owner, compared only when asked (`--owners`): see [`Owner`].
    #[serde(default, skip_serializing_if = "Owner::is_implicit")]
    pub owner: Owner,
}

impl Publication {
    pub fn table(&self, t: &RelationRef) -> Option<&PublicationTable> {
        self.tables.iter().find(|x| x.table == *t)
    }
}

/// A table of a publication (`pg_publication_rel`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicationTable {
    pub table: RelationRef,
    /// The column list (`prattrs`), in the table's column order; `None`
    /// for every column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
    /// `WHERE (…)` (`prqual`), printed by `pg_get_expr(prqual, prrelid)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_filter: Option<Expression>,
}

/// What a publication publishes (`pubinsert`, `pubupdate`, `pubdelete`,
/// `pubtruncate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishActions {
    pub insert: bool,
    pub update: bool,
    pub delete: bool,
    pub truncate: bool,
}

impl Default for PublishActions {
    fn default() -> PublishActions {
        PublishActions {
            insert: true,
            update: true,
            delete: true,
            truncate: true,
        }
    }
}

impl PublishActions {
    /// `insert, update, delete, truncate`, as pg_dump writes `publish`.
    pub fn sql(&self) -> String {
        [
            (self.insert, "insert"),
            (self.update, "update"),
            (self.delete, "delete"),
            (self.truncate, "truncate"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, n)| *n)
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// A kind of extended statistics (`stxkind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatisticsKind {
    Ndistinct,
    Dependencies,
    Mcv,
}

impl StatisticsKind {
    pub const ALL: [StatisticsKind; 3] = [
        StatisticsKind::Ndistinct,
        StatisticsKind::Dependencies,
        StatisticsKind::Mcv,
    ];

    /// The keyword `CREATE STATISTICS` takes.
    pub fn keyword(self) -> &'static str {
        match self {
            StatisticsKind::Ndistinct => "ndistinct",
            StatisticsKind::Dependencies => "dependencies",
            StatisticsKind::Mcv => "mcv",
        }
    }

    /// The kind a keyword names.
    pub fn from_keyword(s: &str) -> Option<StatisticsKind> {
        StatisticsKind::ALL.into_iter().find(|k| k.keyword() == s)
    }

    /// The kind a `stxkind` letter stands for (`e` is not one of these).
    pub fn from_letter(c: char) -> Option<StatisticsKind> {
        match c {
            'd' => Some(StatisticsKind::Ndistinct),
            'f' => Some(StatisticsKind::Dependencies),
            'm' => Some(StatisticsKind::Mcv),
            _ => None,
        }
    }
}

/// A partition's parent and bound.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionOf {
    pub parent: RelationRef,
    /// `FOR VALUES …` or `DEFAULT`: as written, beside the text
    /// `pg_get_expr(relpartbound, oid)` prints (the values read by the
    /// partition key's types), or unproven with the reason.
    pub bound: Expression,
}

/// How a column or constraint came to a table that inherits
/// (`attislocal`/`attinhcount`, `conislocal`/`coninhcount`). `None` on the
/// column or constraint stands for local only (`islocal`, no parent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inherited {
    /// From how many parents (`attinhcount` / `coninhcount`), at least 1.
    pub count: u32,
    /// Also defined locally (`attislocal` / `conislocal`).
    pub local: bool,
}

impl Inherited {
    /// The text reports show: `inherited`, `inherited (2 parents)`,
    /// `inherited and local`.
    pub fn describe(i: Option<Inherited>) -> String {
        match i {
            None => "local".to_string(),
            Some(Inherited { count, local }) => format!(
                "inherited{}{}",
                if count > 1 {
                    format!(" from {count} parents")
                } else {
                    String::new()
                },
                if local { " and local" } else { "" }
            ),
        }
    }
}

/// A row-level security policy (`pg_policy`), compared by definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// `FOR ALL | SELECT | INSERT | UPDATE | DELETE` (`polcmd`).
    pub command: PolicyCommand,
    /// `AS PERMISSIVE` (the default) or `AS RESTRICTIVE` (`polpermissive`).
    pub permissive: bool,
    /// The roles of `TO …` by name as the server stores them (`polroles`);
    /// `public` stands for `PUBLIC` (`polroles = {0}`): no role can be
    /// named `public`, the server reserves the name. A list naming PUBLIC
    /// is PUBLIC alone, as the server keeps it.
    pub roles: BTreeSet<String>,
    /// `USING (…)` over the table's columns, printed by
    /// `pg_get_expr(polqual, polrelid)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using: Option<Expression>,
    /// `WITH CHECK (…)`, printed by `pg_get_expr(polwithcheck, polrelid)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_check: Option<Expression>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// The role list that stands for `PUBLIC` in [`Policy::roles`].
pub const POLICY_PUBLIC: &str = "public";

impl Policy {
    /// `PUBLIC, app_user`: the roles as `TO` writes them.
    pub fn roles_sql(&self) -> String {
        self.roles
            .iter()
            .map(|r| {
                if r == POLICY_PUBLIC {
                    "PUBLIC".to_string()
                } else {
                    quote_ident(r)
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyCommand {
    All,
    Select,
    Insert,
    Update,
    Delete,
}

impl PolicyCommand {
    pub fn keyword(self) -> &'static str {
        match self {
            PolicyCommand::All => "ALL",
            PolicyCommand::Select => "SELECT",
            PolicyCommand::Insert => "INSERT",
            PolicyCommand::Update => "UPDATE",
            PolicyCommand::Delete => "DELETE",
        }
    }

    /// `polcmd`: `*`, `r`, `a`, `w`, `d`.
    pub fn from_polcmd(c: &str) -> Option<PolicyCommand> {
        Some(match c {
            "*" => PolicyCommand::All,
            "r" => PolicyCommand::Select,
            "a" => PolicyCommand::Insert,
            "w" => PolicyCommand::Update,
            "d" => PolicyCommand::Delete,
            _ => return None,
        })
    }
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    /// Canonical type, as `format_type` prints it (`integer`, `text[]`,
    /// `character varying(255)`, `timestamp without time zone`, user types
    /// qualified unless they live in `public`).
    pub data_type: String,
    pub not_null: bool,
    /// Default expression.
    pub default: Option<Expression>,
    pub identity: Option<Identity>,
    /// Options of an identity column's sequence; `None` when they are the
    /// ones PostgreSQL gives an identity of the column's type (see
    /// [`IdentityOptions::canonical`]).
    /// Boxed, as `generated`: rarely set, and a table holds its columns
    /// inline (a pointer instead of the value in every column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_options: Option<Box<IdentityOptions>>,
    /// Expression of a `GENERATED ALWAYS AS (…) STORED` column.
    pub generated: Option<Box<Expression>>,
    /// Explicit collation, when it differs from the type's default.
    /// Boxed (`collation` and `comment`): rarely set, and held inline by
    /// every column.
    pub collation: Option<Box<str>>,
    pub comment: Option<Box<str>>,
    /// Statistics target set by `ALTER COLUMN … SET STATISTICS n`
    /// (`pg_attribute.attstattarget`); `None` for the default (-1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistics: Option<i32>,
    /// Inherited from a parent (partition or `INHERITS`); `None`: local only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inherited: Option<Inherited>,
    /// Privileges (`attacl; the default grants nothing`): `None` for the default (`acldefault`), see
    /// [`acl`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl: Option<Acl>,
    /// A foreign table's column options (`attfdwoptions`), in stored
    /// order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fdw_options: FdwOptions,
}

impl Column {
    pub fn new(name: impl Into<String>, data_type: impl Into<String>) -> Self {
        Column {
            name: name.into(),
            data_type: data_type.into(),
            not_null: false,
            default: None,
            identity: None,
            identity_options: None,
            generated: None,
            collation: None,
            comment: None,
            statistics: None,
            inherited: None,
            acl: None,
            fdw_options: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Identity {
    Always,
    ByDefault,
}

/// The options of an identity column's sequence (`pg_sequence`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityOptions {
    pub start: i64,
    pub increment: i64,
    pub min_value: i64,
    pub max_value: i64,
    pub cache: i64,
    pub cycle: bool,
}

impl IdentityOptions {
    /// The options of `seq` (whose type is the column's), or `None` when
    /// they are the defaults for that type (boxed, as a column holds them:
    /// most identity columns have none).
    pub fn canonical(seq: &Sequence) -> Option<Box<IdentityOptions>> {
        let of = |s: &Sequence| IdentityOptions {
            start: s.start,
            increment: s.increment,
            min_value: s.min_value,
            max_value: s.max_value,
            cache: s.cache,
            cycle: s.cycle,
        };
        let o = of(seq);
        (o != of(&Sequence::with_defaults(&seq.data_type))).then(|| Box::new(o))
    }

    /// The sequence of an identity column of `data_type` with `options`.
    pub fn sequence(options: Option<&IdentityOptions>, data_type: &str) -> Sequence {
        let mut s = Sequence::with_defaults(data_type);
        if let Some(o) = options {
            s.start = o.start;
            s.increment = o.increment;
            s.min_value = o.min_value;
            s.max_value = o.max_value;
            s.cache = o.cache;
            s.cycle = o.cycle;
        }
        s
    }

    /// `START WITH … INCREMENT BY … MINVALUE … MAXVALUE … CACHE … [NO] CYCLE`.
    pub fn sql(&self) -> String {
        format!(
            "START WITH {} INCREMENT BY {} MINVALUE {} MAXVALUE {} CACHE {} {}",
            self.start,
            self.increment,
            self.min_value,
            self.max_value,
            self.cache,
            if self.cycle { "CYCLE" } else { "NO CYCLE" }
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constraint {
    pub kind: ConstraintKind,
    pub deferrable: bool,
    pub initially_deferred: bool,
    /// False for a constraint added `NOT VALID` and not validated since.
    pub validated: bool,
    pub comment: Option<String>,
    /// Inherited from a parent's constraint (a partition's copy of its
    /// parent's key or foreign key, a child's inherited check); `None`:
    /// local only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inherited: Option<Inherited>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum ConstraintKind {
    PrimaryKey {
        columns: Vec<String>,
        include: Vec<String>,
    },
    Unique {
        columns: Vec<String>,
        include: Vec<String>,
        nulls_not_distinct: bool,
    },
    ForeignKey {
        columns: Vec<String>,
        ref_namespace: String,
        ref_table: String,
        ref_columns: Vec<String>,
        on_delete: FkAction,
        on_update: FkAction,
        match_full: bool,
    },
    Check {
        expression: Expression,
        no_inherit: bool,
    },
    Exclusion {
        /// Text of `USING method (elements) [WHERE (…)]`: as
        /// `pg_get_constraintdef` prints it from a live database, as written
        /// offline (so a written and a server text compare different, never
        /// equal by assumption).
        definition: String,
    },
}

impl ConstraintKind {
    pub fn label(&self) -> &'static str {
        match self {
            ConstraintKind::PrimaryKey { .. } => "primary key",
            ConstraintKind::Unique { .. } => "unique",
            ConstraintKind::ForeignKey { .. } => "foreign key",
            ConstraintKind::Check { .. } => "check",
            ConstraintKind::Exclusion { .. } => "exclusion",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FkAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl FkAction {
    pub fn sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "NO ACTION",
            FkAction::Restrict => "RESTRICT",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    pub unique: bool,
    /// Access method: `btree`, `gin`, `gist`, `hash`, `brin`, `spgist`, …
    pub method: String,
    pub keys: Vec<IndexKey>,
    /// Columns of `INCLUDE (…)`.
    pub include: Vec<String>,
    pub nulls_not_distinct: bool,
    /// Predicate of a partial index.
    pub predicate: Option<Expression>,
    pub comment: Option<String>,
    /// Storage parameters (`pg_class.reloptions` of the index), as for
    /// [`Table::options`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
    /// The partitioned index this index is attached to (a partition's
    /// index, `pg_inherits` on indexes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attached_to: Option<RelationRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexKey {
    pub key: IndexKeyExpr,
    /// Operator class, when not the default for the key's type and method.
    pub opclass: Option<String>,
    pub collation: Option<String>,
    pub descending: bool,
    /// Canonical: true for `DESC` without `NULLS LAST` and for explicit
    /// `NULLS FIRST`.
    pub nulls_first: bool,
    /// Statistics target set by `ALTER INDEX … ALTER COLUMN n SET STATISTICS`
    /// (`pg_attribute.attstattarget` of the index column); `None` for the
    /// default (-1). Only an expression key can have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistics: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexKeyExpr {
    Column(String),
    /// An expression key, as `pg_get_indexdef(index, n, false)` prints key
    /// `n` (in parentheses unless it looks like a function call).
    Expression(Expression),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumType {
    /// Labels in sort order.
    pub values: Vec<String>,
    pub comment: Option<String>,
    /// Privileges (`typacl`): `None` for the default (`acldefault`), see
    /// [`acl`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl: Option<Acl>,
    /// The owner, compared only when asked (`--owners`): see [`Owner`].
    #[serde(default, skip_serializing_if = "Owner::is_implicit")]
    pub owner: Owner,
}

/// A domain (`pg_type.typtype = 'd'`, `typcmds.c` `DefineDomain`): a base
/// type with a default, NOT NULL and named CHECK constraints over `VALUE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    /// The base type with its modifier, as `format_type` prints it
    /// (`numeric(10,2)`, `other.mood`).
    pub base_type: String,
    /// `COLLATE`, when the domain's collation differs from its base
    /// type's (as pg_dump writes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// `DEFAULT`, analysed against the base type as the server stores it
    /// (`typdefaultbin`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Expression>,
    /// `NOT NULL` (`typnotnull`; in PostgreSQL 15 it has no name).
    pub not_null: bool,
    /// CHECK constraints by name (`pg_constraint.contypid`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub checks: BTreeMap<String, DomainCheck>,
    pub comment: Option<String>,
    /// Privileges (`typacl`): `None` for the default (`acldefault`), see
    /// [`acl`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl: Option<Acl>,
    /// The owner, compared only when asked (`--owners`): see [`Owner`].
    #[serde(default, skip_serializing_if = "Owner::is_implicit")]
    pub owner: Owner,
}

/// A domain's CHECK: the expression as `pg_get_expr(conbin, 0)` prints it
/// (`VALUE > 0`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainCheck {
    pub expression: Expression,
    /// False for `NOT VALID` until `VALIDATE CONSTRAINT`.
    pub validated: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A composite type (`pg_type.typtype = 'c'` with its own `pg_class` of
/// relkind `c`): its attributes in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompositeType {
    pub attributes: Vec<CompositeAttribute>,
    pub comment: Option<String>,
    /// Privileges (`typacl`): `None` for the default (`acldefault`), see
    /// [`acl`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl: Option<Acl>,
    /// The owner, compared only when asked (`--owners`): see [`Owner`].
    #[serde(default, skip_serializing_if = "Owner::is_implicit")]
    pub owner: Owner,
}

/// A range type (`pg_type.typtype = 'r'` with its `pg_range` row,
/// `typecmds.c` `DefineRange`), as pg_dump writes it. The constructor
/// functions, the array types and the range → multirange cast the server
/// makes with it are implied and not kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeType {
    /// `SUBTYPE`, as `format_type` prints it.
    pub subtype: String,
    /// `SUBTYPE_OPCLASS`, only when it is not the subtype's default btree
    /// operator class (pg_dump writes it then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtype_opclass: Option<ObjectRef>,
    /// `COLLATION`, only when it differs from the subtype's collation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<ObjectRef>,
    /// `CANONICAL`: a function taking and returning the range type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical: Option<ObjectRef>,
    /// `SUBTYPE_DIFF`: a function of two subtype values to `float8`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtype_diff: Option<ObjectRef>,
    /// The multirange type (`MULTIRANGE_TYPE_NAME`, or the name the server
    /// chose, `makeMultirangeTypeName`), with its namespace.
    pub multirange: ObjectRef,
    pub comment: Option<String>,
    /// Privileges (`typacl`): `None` for the default (`acldefault`), see
    /// [`acl`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl: Option<Acl>,
    /// The owner, compared only when asked (`--owners`): see [`Owner`].
    #[serde(default, skip_serializing_if = "Owner::is_implicit")]
    pub owner: Owner,
}

/// A collation (`pg_collation`): its provider and locales. The encoding
/// and the provider's version are not compared (pg_dump keeps neither).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collation {
    /// `libc` or `icu`.
    pub provider: String,
    /// `collcollate` and `collctype` (libc).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lc_collate: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lc_ctype: Option<String>,
    /// `colliculocale` (icu).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icu_locale: Option<String>,
    pub deterministic: bool,
    pub comment: Option<String>,
    /// The owner, compared only when asked (`--owners`): see [`Owner`].
    #[serde(default, skip_serializing_if = "Owner::is_implicit")]
    pub owner: Owner,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompositeAttribute {
    pub name: String,
    /// As `format_type` prints it.
    pub data_type: String,
    /// `COLLATE`, when it differs from the type's default collation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sequence {
    /// `smallint`, `integer` or `bigint`.
    pub data_type: String,
    pub start: i64,
    pub increment: i64,
    pub min_value: i64,
    pub max_value: i64,
    pub cache: i64,
    pub cycle: bool,
    /// `table.column` (same namespace) that owns the sequence, if any.
    pub owned_by: Option<(String, String)>,
    pub comment: Option<String>,
    /// Privileges (`relacl`): `None` for the default (`acldefault`), see
    /// [`acl`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl: Option<Acl>,
    /// The owner, compared only when asked (`--owners`): see [`Owner`].
    #[serde(default, skip_serializing_if = "Owner::is_implicit")]
    pub owner: Owner,
}

impl Sequence {
    /// The sequence PostgreSQL creates with no options, for a data type.
    pub fn with_defaults(data_type: &str) -> Sequence {
        let max = match data_type {
            "smallint" => i16::MAX as i64,
            "integer" => i32::MAX as i64,
            _ => i64::MAX,
        };
        Sequence {
            owner: crate::model::Owner::default(),
            data_type: data_type.to_string(),
            start: 1,
            increment: 1,
            min_value: 1,
            max_value: max,
            cache: 1,
            cycle: false,
            owned_by: None,
            comment: None,
            acl: None,
        }
    }
}

/// A function or procedure (`pg_proc`, `prokind` `f` or `p`), compared by
/// definition.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Routine {
    pub kind: RoutineKind,
    /// Every argument in order, `OUT` and `TABLE` columns included.
    pub args: Vec<RoutineArg>,
    /// The result as `pg_get_function_result` prints it (`integer`,
    /// `SETOF text`, `TABLE(id integer, name text)`, `trigger`); `None` for
    /// a procedure.
    pub returns: Option<String>,
    /// `plpgsql`, `sql`, `c`, … (lower case).
    pub language: String,
    pub body: RoutineBody,
    /// `IMMUTABLE`, `STABLE` or `VOLATILE`.
    pub volatility: Volatility,
    /// `STRICT` (`RETURNS NULL ON NULL INPUT`).
    pub strict: bool,
    pub security_definer: bool,
    pub leakproof: bool,
    pub parallel: Parallel,
    /// `COST`, as `procost` stores it (float4, printed as the server does).
    pub cost: String,
    /// `ROWS` for a set-returning function, else `0`.
    pub rows: String,
    /// `SET name = value` entries as `proconfig` stores them
    /// (`search_path=public, pg_temp`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub config: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The statement to write back: the user's `CREATE FUNCTION` as written,
    /// or the server's `pg_get_functiondef`. Never compared.
    #[serde(skip)]
    pub definition: String,
    /// Privileges (`proacl`): `None` for the default (`acldefault`), see
    /// [`acl`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl: Option<Acl>,
    /// The owner, compared only when asked (`--owners`): see [`Owner`].
    #[serde(default, skip_serializing_if = "Owner::is_implicit")]
    pub owner: Owner,
}

impl PartialEq for Routine {
    /// Every property but [`Routine::definition`], the text to write.
    fn eq(&self, o: &Routine) -> bool {
        self.kind == o.kind
            && self.args == o.args
            && self.returns == o.returns
            && self.language == o.language
            && self.body == o.body
            && self.volatility == o.volatility
            && self.strict == o.strict
            && self.security_definer == o.security_definer
            && self.leakproof == o.leakproof
            && self.parallel == o.parallel
            && self.cost == o.cost
            && self.rows == o.rows
            && self.config == o.config
            && self.comment == o.comment
            && self.acl == o.acl
    }
}

impl Eq for Routine {}

/// What a routine runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum RoutineBody {
    /// `AS 'text'` / `AS $$ … $$`: `prosrc`, byte for byte.
    Source { text: String },
    /// `AS 'obj_file', 'link_symbol'` (LANGUAGE C).
    Object { file: String, symbol: String },
    /// A SQL-standard body (`RETURN e`, `BEGIN ATOMIC … END`): the server
    /// keeps it parsed (`prosqlbody`). Its text as the server prints it is
    /// exact; written text offline is unproven (compared by its tokens
    /// only with another written one).
    Sql(Expression),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoutineKind {
    Function,
    Procedure,
}

impl RoutineKind {
    pub fn label(self) -> &'static str {
        match self {
            RoutineKind::Function => "function",
            RoutineKind::Procedure => "procedure",
        }
    }

    pub fn keyword(self) -> &'static str {
        match self {
            RoutineKind::Function => "FUNCTION",
            RoutineKind::Procedure => "PROCEDURE",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutineArg {
    pub mode: ArgMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Canonical type (`format_type`).
    pub data_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Expression>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArgMode {
    In,
    Out,
    InOut,
    Variadic,
    /// A column of `RETURNS TABLE (…)`.
    Table,
}

impl ArgMode {
    /// Whether the argument is part of the call signature.
    pub fn is_input(self) -> bool {
        matches!(self, ArgMode::In | ArgMode::InOut | ArgMode::Variadic)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Volatility {
    Immutable,
    Stable,
    Volatile,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Parallel {
    Safe,
    Restricted,
    Unsafe,
}

impl Routine {
    /// The key of a routine in its namespace: `name(type, type)`, input
    /// arguments only.
    pub fn signature(name: &str, args: &[RoutineArg]) -> String {
        let types: Vec<&str> = args
            .iter()
            .filter(|a| a.mode.is_input())
            .map(|a| a.data_type.as_str())
            .collect();
        format!("{name}({})", types.join(", "))
    }
}

/// A trigger on a table (`pg_trigger`, not `tgisinternal`), compared by
/// definition.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Trigger {
    pub timing: TriggerTiming,
    pub events: TriggerEvents,
    /// `FOR EACH ROW` (else `FOR EACH STATEMENT`).
    pub for_each_row: bool,
    /// The `WHEN` condition over `OLD` / `NEW`: from a live database the
    /// text `pg_get_triggerdef` prints inside `WHEN (…)` (exact); offline
    /// as written (unproven: strata does not analyse it, so a written and a
    /// server condition never compare equal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Expression>,
    /// The function's schema, as the server resolved it.
    pub function_schema: String,
    /// The function's name (it takes no arguments and returns `trigger`).
    pub function: String,
    /// The argument strings (`tgargs`), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arguments: Vec<String>,
    /// `REFERENCING OLD TABLE AS name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_table: Option<String>,
    /// `REFERENCING NEW TABLE AS name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_table: Option<String>,
    /// `CREATE CONSTRAINT TRIGGER`: its deferral and `FROM` table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<ConstraintTrigger>,
    /// `tgenabled`.
    pub enabled: TriggerEnabled,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The statement to write back: the user's `CREATE TRIGGER` (written
    /// again from the model by [`crate::ddl::trigger_sql`] once a rename
    /// made it stale), or the server's `pg_get_triggerdef`. Never compared.
    #[serde(skip)]
    pub definition: String,
    /// Columns the `WHEN` condition reads (offline only: replay's
    /// dependency checks). Never compared.
    #[serde(skip)]
    pub when_columns: Vec<String>,
}

impl PartialEq for Trigger {
    /// Every property but [`Trigger::definition`], the text to write.
    fn eq(&self, o: &Trigger) -> bool {
        self.timing == o.timing
            && self.events == o.events
            && self.for_each_row == o.for_each_row
            && self.when == o.when
            && self.function_schema == o.function_schema
            && self.function == o.function
            && self.arguments == o.arguments
            && self.old_table == o.old_table
            && self.new_table == o.new_table
            && self.constraint == o.constraint
            && self.enabled == o.enabled
            && self.comment == o.comment
    }
}

impl Eq for Trigger {}

impl Trigger {
    /// `schema.function`, quoted as needed.
    pub fn function_name(&self) -> String {
        format!(
            "{}.{}",
            quote_ident(&self.function_schema),
            quote_ident(&self.function)
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerTiming {
    Before,
    After,
    InsteadOf,
}

impl TriggerTiming {
    pub fn sql(self) -> &'static str {
        match self {
            TriggerTiming::Before => "BEFORE",
            TriggerTiming::After => "AFTER",
            TriggerTiming::InsteadOf => "INSTEAD OF",
        }
    }
}

/// The events a trigger fires on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriggerEvents {
    pub insert: bool,
    pub update: bool,
    /// `UPDATE OF` columns in the order written: `tgattr` keeps it (the
    /// server does not sort it) and `pg_get_triggerdef` prints it so.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub update_of: Vec<String>,
    pub delete: bool,
    pub truncate: bool,
}

impl TriggerEvents {
    /// `INSERT OR UPDATE OF a, b OR DELETE`, in the order the server
    /// prints them.
    pub fn sql(&self) -> String {
        let mut parts = Vec::new();
        if self.insert {
            parts.push("INSERT".to_string());
        }
        if self.delete {
            parts.push("DELETE".to_string());
        }
        if self.update {
            if self.update_of.is_empty() {
                parts.push("UPDATE".to_string());
            } else {
                let cols: Vec<String> = self.update_of.iter().map(|c| quote_ident(c)).collect();
                parts.push(format!("UPDATE OF {}", cols.join(", ")));
            }
        }
        if self.truncate {
            parts.push("TRUNCATE".to_string());
        }
        parts.join(" OR ")
    }
}

/// `CREATE CONSTRAINT TRIGGER`'s extra properties.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConstraintTrigger {
    /// `FROM table`: `(namespace, table)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referenced: Option<(String, String)>,
    pub deferrable: bool,
    pub initially_deferred: bool,
}

/// `tgenabled`: when a trigger fires.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerEnabled {
    /// `O`: in origin and local sessions (`ENABLE`, the default).
    #[default]
    Origin,
    /// `D`: never (`DISABLE`).
    Disabled,
    /// `R`: in replica sessions only (`ENABLE REPLICA`).
    Replica,
    /// `A`: always (`ENABLE ALWAYS`).
    Always,
}

impl TriggerEnabled {
    /// The `ALTER TABLE` action that sets it: `ENABLE`, `DISABLE`,
    /// `ENABLE REPLICA`, `ENABLE ALWAYS`.
    pub fn sql(self) -> &'static str {
        match self {
            TriggerEnabled::Origin => "ENABLE",
            TriggerEnabled::Disabled => "DISABLE",
            TriggerEnabled::Replica => "ENABLE REPLICA",
            TriggerEnabled::Always => "ENABLE ALWAYS",
        }
    }
}

/// A rewrite rule (`CREATE RULE`, `pg_rewrite`), on its table or view,
/// compared by definition.
///
/// The server keeps the condition and the actions as query trees and
/// prints them with `pg_get_ruledef`; [`Rule::condition`] and
/// [`Rule::actions`] are [`Expression`]s whose stored text is the part of
/// that output after `WHERE` and after `DO [INSTEAD]` (read from the
/// catalog, or derived offline where strata can: `NOTHING`), or unproven:
/// the tokens as written with the relations they read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rule {
    pub event: RuleEvent,
    /// `DO INSTEAD` (else `DO ALSO`).
    pub instead: bool,
    /// `WHERE …` over `OLD` / `NEW`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Expression>,
    /// What follows `DO [INSTEAD]`: `NOTHING`, one command, or
    /// `( command; … )`.
    pub actions: Expression,
    /// `ev_enabled` (`ALTER TABLE … ENABLE | DISABLE [REPLICA | ALWAYS]
    /// RULE`; tables only).
    pub enabled: TriggerEnabled,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The relations the condition and actions read, besides the rule's
    /// own (offline only, for replay's dependency checks; `None` when not
    /// analysed). Never compared.
    #[serde(skip)]
    pub reads: Option<BTreeSet<RelationRef>>,
    /// Every name the condition and actions mention but those after
    /// `new.` / `old.` (offline only). Never compared.
    #[serde(skip)]
    pub idents: BTreeSet<String>,
    /// The columns of its own relation named as `new.c` / `old.c`
    /// (offline only). Never compared.
    #[serde(skip)]
    pub row_columns: BTreeSet<String>,
    /// Columns of other relations it certainly uses (an `INSERT` without
    /// a column list uses every one), offline only. Never compared.
    #[serde(skip)]
    pub columns: BTreeSet<(RelationRef, String)>,
    /// The condition's and the actions' texts when derived offline, held
    /// by what they name so a rename prints the new names (offline only).
    /// Never compared.
    #[serde(skip)]
    pub derived: RuleDerived,
}

/// What replay derived of a [`Rule`]'s texts.
#[derive(Debug, Clone, Default)]
pub struct RuleDerived {
    pub condition: Option<RuleText>,
    pub actions: Option<RuleText>,
}

impl PartialEq for Rule {
    /// Every property but replay's side data.
    fn eq(&self, o: &Rule) -> bool {
        self.event == o.event
            && self.instead == o.instead
            && self.condition == o.condition
            && self.actions == o.actions
            && self.enabled == o.enabled
            && self.comment == o.comment
    }
}

impl Eq for Rule {}

/// The event a rule fires on (`ev_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleEvent {
    Select,
    Update,
    Insert,
    Delete,
}

impl RuleEvent {
    pub fn keyword(self) -> &'static str {
        match self {
            RuleEvent::Select => "SELECT",
            RuleEvent::Update => "UPDATE",
            RuleEvent::Insert => "INSERT",
            RuleEvent::Delete => "DELETE",
        }
    }

    pub fn from_keyword(s: &str) -> Option<RuleEvent> {
        [
            RuleEvent::Select,
            RuleEvent::Update,
            RuleEvent::Insert,
            RuleEvent::Delete,
        ]
        .into_iter()
        .find(|e| e.keyword().eq_ignore_ascii_case(s))
    }

    /// The `ev_type` character: `1` SELECT, `2` UPDATE, `3` INSERT, `4`
    /// DELETE.
    pub fn from_ev_type(c: &str) -> Option<RuleEvent> {
        match c {
            "1" => Some(RuleEvent::Select),
            "2" => Some(RuleEvent::Update),
            "3" => Some(RuleEvent::Insert),
            "4" => Some(RuleEvent::Delete),
            _ => None,
        }
    }
}

/// A view or a materialized view (`pg_class.relkind` `v` / `m`), compared
/// by definition.
///
/// The query is an [`Expression`]: [`Expression::sql`] is the text to
/// write back (the query as written, or `pg_get_viewdef` without its
/// trailing `;`), and what is compared is the text `pg_get_viewdef(oid)`
/// prints (read from the catalog, or derived offline where strata can
/// derive it exactly) — or, unproven, the query's tokens (folded as
/// the server folds them, comments and layout left out) with the relations
/// it reads: two written queries with the same tokens over the same
/// relations are equal; a written query equals the server's text only when
/// strata derived that exact text.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct View {
    pub materialized: bool,
    /// Output columns in order.
    pub columns: Vec<ViewColumn>,
    pub query: Expression,
    /// `WITH [LOCAL | CASCADED] CHECK OPTION` (views only; the server keeps
    /// it as the `check_option` reloption).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_option: Option<CheckOption>,
    /// Other `pg_class.reloptions` (`security_barrier`, `security_invoker`;
    /// storage parameters of a materialized view), as the server stores
    /// the text.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
    /// A materialized view's `relispopulated`: false after
    /// `CREATE MATERIALIZED VIEW … WITH NO DATA` until a `REFRESH`. (`WITH
    /// NO DATA` itself is not kept: pg_dump always creates it so and
    /// refreshes the populated ones.) Always true for a view.
    pub populated: bool,
    /// Indexes of a materialized view, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub indexes: BTreeMap<String, Box<Index>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The column names written after the view's name
    /// (`CREATE VIEW v (a, b) AS …`), or set when a column was renamed
    /// since: what `ddl` writes back so the written query gives the same
    /// names. Empty for a view read from the server (`pg_get_viewdef`
    /// names its columns with `AS`). Never compared.
    #[serde(skip)]
    pub column_list: Vec<String>,
    /// Privileges (`relacl`): `None` for the default (`acldefault`), see
    /// [`acl`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl: Option<Acl>,
    /// Triggers on a view (not a materialized view): `INSTEAD OF` row
    /// triggers and `BEFORE`/`AFTER` statement triggers, by name. Dropped
    /// with the view.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub triggers: BTreeMap<String, Box<Trigger>>,
    /// The owner, compared only when asked (`--owners`): see [`Owner`].
    #[serde(default, skip_serializing_if = "Owner::is_implicit")]
    pub owner: Owner,
    /// Rewrite rules on a view (`pg_rewrite`, not its `_RETURN` rule, which
    /// is the view itself), by name. Dropped with the view.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rules: BTreeMap<String, Rule>,
}

impl View {
    /// Equal but for the triggers on it: what dropping and creating the
    /// view again changes (its triggers are planned apart).
    pub fn same_but_triggers(&self, o: &View) -> bool {
        self.materialized == o.materialized
            && self.columns == o.columns
            && self.query == o.query
            && self.check_option == o.check_option
            && self.options == o.options
            && self.populated == o.populated
            && self.indexes == o.indexes
            && self.comment == o.comment
            && self.acl == o.acl
    }

    pub fn column(&self, name: &str) -> Option<&ViewColumn> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn column_mut(&mut self, name: &str) -> Option<&mut ViewColumn> {
        self.columns.iter_mut().find(|c| c.name == name)
    }

    pub fn label(&self) -> &'static str {
        if self.materialized {
            "materialized view"
        } else {
            "view"
        }
    }

    pub fn keyword(&self) -> &'static str {
        if self.materialized {
            "MATERIALIZED VIEW"
        } else {
            "VIEW"
        }
    }
}

impl PartialEq for View {
    /// Every property but [`View::column_list`], the text to write.
    fn eq(&self, o: &View) -> bool {
        self.same_but_triggers(o) && self.triggers == o.triggers && self.rules == o.rules
    }
}

impl Eq for View {}

/// A column of a view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewColumn {
    pub name: String,
    /// Canonical type (`format_type`), when known: always from the server;
    /// offline when the column is a column of a known table, else `None`
    /// (and then never equal to a known type).
    pub data_type: Option<String>,
    /// `ALTER VIEW … ALTER COLUMN … SET DEFAULT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Expression>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Privileges (`attacl; the default grants nothing`): `None` for the default (`acldefault`), see
    /// [`acl`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl: Option<Acl>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckOption {
    Local,
    Cascaded,
}

impl CheckOption {
    pub fn sql(self) -> &'static str {
        match self {
            CheckOption::Local => "LOCAL",
            CheckOption::Cascaded => "CASCADED",
        }
    }
}

/// An object strata does not model yet, kept by kind and qualified name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Unmanaged {
    pub kind: UnmanagedKind,
    /// Qualified name: `namespace.name`; for functions with their argument
    /// types `namespace.name(integer, text)`; for objects that belong to a
    /// table (triggers, policies) `namespace.table.name`.
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnmanagedKind {
    View,
    MaterializedView,
    Function,
    Procedure,
    Aggregate,
    Trigger,
    Policy,
    Domain,
    CompositeType,
    Collation,
    EventTrigger,
    Operator,
}

impl UnmanagedKind {
    pub fn label(self) -> &'static str {
        match self {
            UnmanagedKind::View => "view",
            UnmanagedKind::MaterializedView => "materialized view",
            UnmanagedKind::Function => "function",
            UnmanagedKind::Procedure => "procedure",
            UnmanagedKind::Aggregate => "aggregate",
            UnmanagedKind::Trigger => "trigger",
            UnmanagedKind::Policy => "policy",
            UnmanagedKind::Domain => "domain",
            UnmanagedKind::CompositeType => "composite type",
            UnmanagedKind::Collation => "collation",
            UnmanagedKind::EventTrigger => "event trigger",
            UnmanagedKind::Operator => "operator",
        }
    }
}

impl fmt::Display for Unmanaged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.label(), self.name)
    }
}

/// An expression the server stores as a parsed tree: a column default, a
/// generated column, a CHECK, an index key, a partial-index predicate.
///
/// Two texts are kept apart. [`Expression::sql`] is what strata writes
/// back: the text the user wrote (declared SQL, a history) or the server
/// printed (a live database) — never a normalized stand-in. [`Stored`] is
/// what it compares: the text `pg_get_expr` prints for the stored tree, when
/// strata derived it exactly ([`crate::analyze`]) or read it from the
/// catalog; otherwise the reason it could not.
///
/// Architecture Invariant: what strata cannot prove equal is different.
/// Equality is [`Stored`]'s: two exact texts are equal when they are the same
/// text; an unproven expression equals only another unproven one written
/// with the same tokens over columns of the same types (both offline, same
/// text in the same context: the server would store the same tree); an
/// exact text never equals an unproven one.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Expression {
    /// The SQL to write back, as written.
    pub sql: String,
    pub stored: Stored,
}

/// What PostgreSQL stores for an [`Expression`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Stored {
    /// Exactly what `pg_get_expr` prints (`search_path = public`).
    Exact { text: String },
    /// strata cannot derive it offline: why, and the expression's tokens
    /// with the types of the columns it reads (its comparison key).
    Unproven { reason: String, key: String },
}

impl Expression {
    /// An expression read from the catalog: the server's text is both what
    /// to write and what it stores.
    pub fn from_server(text: impl Into<String>) -> Expression {
        let text = text.into();
        Expression {
            sql: text.clone(),
            stored: Stored::Exact { text },
        }
    }

    /// An expression as written in a SQL file, before replay works out
    /// what the server stores for it in its table (`key`: its tokens).
    pub fn written(sql: impl Into<String>, key: impl Into<String>) -> Expression {
        Expression {
            sql: sql.into(),
            stored: Stored::Unproven {
                reason: "not analysed".to_string(),
                key: key.into(),
            },
        }
    }

    /// The server's text, when known.
    pub fn exact(&self) -> Option<&str> {
        match &self.stored {
            Stored::Exact { text } => Some(text),
            Stored::Unproven { .. } => None,
        }
    }

    /// Why strata cannot say what the server stores, when it cannot.
    pub fn unproven(&self) -> Option<&str> {
        match &self.stored {
            Stored::Exact { .. } => None,
            Stored::Unproven { reason, .. } => Some(reason),
        }
    }

    /// The text two expressions are compared by, tagged so an exact text
    /// never meets an unproven key.
    fn key(&self) -> (u8, &str) {
        match &self.stored {
            Stored::Exact { text } => (0, text),
            Stored::Unproven { key, .. } => (1, key),
        }
    }
}

impl PartialEq for Expression {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Expression {}

impl PartialOrd for Expression {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Expression {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl std::ops::Deref for Expression {
    type Target = str;
    fn deref(&self) -> &str {
        &self.sql
    }
}

impl fmt::Display for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sql)
    }
}

/// Summary counts of a schema, as reports print them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub namespaces: usize,
    pub tables: usize,
    pub columns: usize,
    pub constraints: usize,
    pub indexes: usize,
    pub enums: usize,
    pub sequences: usize,
    pub extensions: usize,
    pub unmanaged: usize,
    /// Views (not materialized).
    #[serde(default)]
    pub views: usize,
    #[serde(default)]
    pub materialized_views: usize,
    /// Functions and procedures (each overload counted).
    #[serde(default)]
    pub routines: usize,
    /// Triggers on tables.
    #[serde(default)]
    pub triggers: usize,
    /// Row-level security policies.
    #[serde(default)]
    pub policies: usize,
    #[serde(default)]
    pub domains: usize,
    #[serde(default)]
    pub composite_types: usize,
    #[serde(default)]
    pub collations: usize,
    #[serde(default)]
    pub range_types: usize,
    #[serde(default)]
    pub operators: usize,
    #[serde(default)]
    pub aggregates: usize,
    #[serde(default)]
    pub foreign_data_wrappers: usize,
    #[serde(default)]
    pub foreign_servers: usize,
    #[serde(default)]
    pub user_mappings: usize,
    /// Rewrite rules on tables and views (not views' `_RETURN`).
    #[serde(default)]
    pub rules: usize,
    #[serde(default)]
    pub publications: usize,
}

impl Schema {
    pub fn counts(&self) -> Counts {
        let mut c = Counts {
            namespaces: self.namespaces.len(),
            // PL/pgSQL is in every database; counting it would only confuse.
            extensions: self.extensions.keys().filter(|k| *k != "plpgsql").count(),
            unmanaged: self.unmanaged.len(),
            foreign_data_wrappers: self.foreign_data_wrappers.len(),
            foreign_servers: self.foreign_servers.len(),
            user_mappings: self
                .foreign_servers
                .values()
                .map(|s| s.user_mappings.len())
                .sum(),
            publications: self.publications.len(),
            ..Counts::default()
        };
        for ns in self.namespaces.values() {
            c.tables += ns.tables.len();
            c.enums += ns.enums.len();
            c.sequences += ns.sequences.len();
            c.routines += ns.routines.len();
            c.domains += ns.domains.len();
            c.composite_types += ns.composites.len();
            c.collations += ns.collations.len();
            c.range_types += ns.ranges.len();
            c.operators += ns
                .operators
                .values()
                .filter(|o| o.function.is_some())
                .count();
            for v in ns.views.values() {
                if v.materialized {
                    c.materialized_views += 1;
                    c.indexes += v.indexes.len();
                } else {
                    c.views += 1;
                    c.triggers += v.triggers.len();
                    c.rules += v.rules.len();
                }
            }
            for t in ns.tables.values() {
                c.columns += t.columns.len();
                c.constraints += t.constraints.len();
                c.indexes += t.indexes.len();
                c.triggers += t.triggers.len();
                c.policies += t.policies.len();
                c.rules += t.rules.len();
            }
        }
        c
    }

    pub fn table(&self, namespace: &str, name: &str) -> Option<&Table> {
        self.namespaces.get(namespace)?.tables.get(name)
    }

    /// Drops namespaces that hold nothing and were not commented: `public`
    /// exists in every database, so an empty one carries no information.
    pub fn prune_empty_public(&mut self) {
        if let Some(ns) = self.namespaces.get("public") {
            if ns == &Namespace::default() {
                self.namespaces.remove("public");
            }
        }
    }
}

/// Quotes an identifier the way PostgreSQL's `quote_ident` does: only when
/// needed (not all lower-case letters, digits and underscores, starts with a
/// digit, or is a reserved keyword).
pub fn quote_ident(name: &str) -> String {
    let safe = !name.is_empty()
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        && !crate::keywords::is_quote_needed_keyword(name);
    if safe {
        name.to_string()
    } else {
        let mut s = String::with_capacity(name.len() + 2);
        s.push('"');
        for ch in name.chars() {
            if ch == '"' {
                s.push('"');
            }
            s.push(ch);
        }
        s.push('"');
        s
    }
}

/// `namespace.name`, quoted as needed, with `public.` left out.
pub fn qualified(namespace: &str, name: &str) -> String {
    if namespace == "public" {
        quote_ident(name)
    } else {
        format!("{}.{}", quote_ident(namespace), quote_ident(name))
    }
}

/// `namespace.name` as written into DDL that is run: always qualified, as
/// pg_dump writes it, so that the session's `search_path` (a schema named
/// like the role, `"$user"`, first in it) cannot take the object.
pub fn qualified_sql(namespace: &str, name: &str) -> String {
    format!("{}.{}", quote_ident(namespace), quote_ident(name))
}

/// Quotes a string literal (standard_conforming_strings on).
pub fn quote_literal(value: &str) -> String {
    let mut s = String::with_capacity(value.len() + 2);
    s.push('\'');
    for ch in value.chars() {
        if ch == '\'' {
            s.push('\'');
        }
        s.push(ch);
    }
    s.push('\'');
    s
}

/// The kind of a modelled object, as paths and reports name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Namespace,
    Extension,
    Table,
    Column,
    Constraint,
    Index,
    Enum,
    Sequence,
    /// A function or procedure; the path's name is its signature
    /// (`name(integer, text)`).
    Function,
    Procedure,
    Domain,
    /// A composite type.
    Type,
    /// A range type.
    Range,
    Collation,
    /// An extended statistics object.
    Statistics,
    /// An event trigger (a database object: the path's namespace is empty).
    EventTrigger,
    /// A foreign-data wrapper (a database object).
    ForeignDataWrapper,
    /// A foreign server (a database object).
    ForeignServer,
    /// A user mapping: the path's table is its server, its name the role
    /// (`public` for PUBLIC).
    UserMapping,
    /// A publication (a database object: the path's namespace is empty).
    Publication,
    /// An operator; the path's name is its key (`===(integer, text)`).
    Operator,
    /// An aggregate; the path's name is its key (`mysum(integer)`).
    Aggregate,
    /// A row-level security policy; the path's table is its table.
    Policy,
    /// A trigger on a table (the path's table is its table).
    Trigger,
    /// A rewrite rule on a table or view (the path's table is its relation).
    Rule,
    View,
    MaterializedView,
    /// Default privileges (`pg_default_acl`); the path's name says whose,
    /// where and on what.
    DefaultPrivileges,
    Unmanaged,
}

impl ObjectKind {
    pub fn label(self) -> &'static str {
        match self {
            ObjectKind::Namespace => "schema",
            ObjectKind::Extension => "extension",
            ObjectKind::Table => "table",
            ObjectKind::Column => "column",
            ObjectKind::Constraint => "constraint",
            ObjectKind::Index => "index",
            ObjectKind::Enum => "enum",
            ObjectKind::Sequence => "sequence",
            ObjectKind::Function => "function",
            ObjectKind::Procedure => "procedure",
            ObjectKind::View => "view",
            ObjectKind::MaterializedView => "materialized view",
            ObjectKind::Domain => "domain",
            ObjectKind::Type => "type",
            ObjectKind::Range => "range type",
            ObjectKind::Collation => "collation",
            ObjectKind::Statistics => "statistics",
            ObjectKind::EventTrigger => "event trigger",
            ObjectKind::ForeignDataWrapper => "foreign-data wrapper",
            ObjectKind::ForeignServer => "server",
            ObjectKind::UserMapping => "user mapping",
            ObjectKind::Publication => "publication",
            ObjectKind::Operator => "operator",
            ObjectKind::Aggregate => "aggregate",
            ObjectKind::Policy => "policy",
            ObjectKind::Trigger => "trigger",
            ObjectKind::Rule => "rule",
            ObjectKind::DefaultPrivileges => "default privileges",
            ObjectKind::Unmanaged => "object",
        }
    }
}

/// Where an object is in a [`Schema`]: its kind, namespace, owning table
/// (for columns, constraints and indexes) and name. Displays as
/// `column public."user".email`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ObjectPath {
    pub kind: ObjectKind,
    /// Empty for extensions and unmanaged objects.
    pub namespace: String,
    pub table: Option<String>,
    pub name: String,
}

impl ObjectPath {
    pub fn new(kind: ObjectKind, namespace: &str, name: &str) -> ObjectPath {
        ObjectPath {
            kind,
            namespace: namespace.to_string(),
            table: None,
            name: name.to_string(),
        }
    }

    pub fn in_table(kind: ObjectKind, namespace: &str, table: &str, name: &str) -> ObjectPath {
        ObjectPath {
            kind,
            namespace: namespace.to_string(),
            table: Some(table.to_string()),
            name: name.to_string(),
        }
    }

    /// The path of the table this object belongs to (itself for a table).
    pub fn table_path(&self) -> Option<ObjectPath> {
        match (&self.kind, &self.table) {
            (ObjectKind::Table, _) => Some(self.clone()),
            (_, Some(t)) => Some(ObjectPath::new(ObjectKind::Table, &self.namespace, t)),
            _ => None,
        }
    }

    /// The object's name as SQL would write it: `public."user".email`.
    pub fn sql_name(&self) -> String {
        let mut s = String::new();
        if !self.namespace.is_empty() {
            s.push_str(&quote_ident(&self.namespace));
            s.push('.');
        }
        if let Some(t) = &self.table {
            s.push_str(&quote_ident(t));
            s.push('.');
        }
        if matches!(
            self.kind,
            ObjectKind::Unmanaged
                | ObjectKind::DefaultPrivileges
                | ObjectKind::Operator
                | ObjectKind::UserMapping
        ) {
            s.push_str(&self.name);
        } else if matches!(
            self.kind,
            ObjectKind::Function | ObjectKind::Procedure | ObjectKind::Aggregate
        ) {
            let (name, args) = split_signature(&self.name);
            s.push_str(&quote_ident(name));
            s.push_str(args);
        } else {
            s.push_str(&quote_ident(&self.name));
        }
        s
    }
}

/// The routines of `routines` (keyed by signature) whose name is `name`, in
/// key order: those [`split_signature`] gives `name`, found by a range over
/// the keys that start with `name(` rather than by splitting every key.
pub fn routines_named<'a, V>(
    routines: &'a BTreeMap<String, V>,
    name: &'a str,
) -> impl Iterator<Item = &'a V> + 'a {
    // A key without an argument list is its own name (and sorts first).
    let bare = routines.get(name);
    // Most namespaces have no routines: nothing to format for them (a
    // call is looked up in every namespace).
    let prefix = if routines.is_empty() {
        String::new()
    } else {
        format!("{name}(")
    };
    let rest = routines
        .range::<str, _>((
            std::ops::Bound::Included(prefix.as_str()),
            std::ops::Bound::Unbounded,
        ))
        .take_while(move |(k, _)| k.starts_with(prefix.as_str()))
        .filter(move |(k, _)| split_signature(k).0 == name)
        .map(|(_, v)| v);
    bare.filter(|_| split_signature(name).0 == name)
        .into_iter()
        .chain(rest)
}

/// `name(integer, text)` → (`name`, `(integer, text)`): the argument list
/// is the last balanced parenthesis group.
pub fn split_signature(signature: &str) -> (&str, &str) {
    if !signature.ends_with(')') {
        return (signature, "");
    }
    let mut depth = 0i32;
    for (i, c) in signature.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' => {
                depth -= 1;
                if depth == 0 {
                    return (&signature[..i], &signature[i..]);
                }
            }
            _ => {}
        }
    }
    (signature, "")
}

impl fmt::Display for ObjectPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.label(), self.sql_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `routines_named` finds exactly what filtering every key by
    /// `split_signature` finds, in the same order, names with parentheses
    /// and keys without an argument list included.
    #[test]
    fn routines_named_is_the_filter_over_every_signature() {
        let keys = [
            "f",
            "f()",
            "f(integer)",
            "f(integer, text)",
            "f(x(integer)",
            "f(x()",
            "f_2(integer)",
            "fa()",
            "g(f(integer))",
            "(()",
            "f(",
            "",
        ];
        let routines: BTreeMap<String, usize> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.to_string(), i))
            .collect();
        for name in ["f", "f(x", "f(", "fa", "g", "", "(", "h", "f_2", "f()"] {
            let brute: Vec<usize> = routines
                .iter()
                .filter(|(k, _)| split_signature(k).0 == name)
                .map(|(_, v)| *v)
                .collect();
            let found: Vec<usize> = routines_named(&routines, name).copied().collect();
            assert_eq!(found, brute, "name {name:?}");
        }
    }
}
