//! The statement types: what one statement means to the schema.

use crate::model::{Expression, FkAction, Identity};

/// A possibly qualified name, folded as PostgreSQL folds identifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QName {
    pub schema: Option<String>,
    pub name: String,
}

impl std::fmt::Display for QName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.schema {
            Some(s) => write!(
                f,
                "{}.{}",
                crate::model::quote_ident(s),
                crate::model::quote_ident(&self.name)
            ),
            None => write!(f, "{}", crate::model::quote_ident(&self.name)),
        }
    }
}

/// What a statement means to the schema.
#[derive(Debug, Clone)]
pub enum Stmt {
    CreateSchema {
        name: String,
        if_not_exists: bool,
        /// `AUTHORIZATION role`: `Some(None)` for CURRENT_USER.
        authorization: Option<Option<String>>,
    },
    DropSchema {
        names: Vec<String>,
        if_exists: bool,
        cascade: bool,
    },
    RenameSchema {
        name: String,
        new_name: String,
    },
    CreateExtension {
        name: String,
        if_not_exists: bool,
        schema: Option<String>,
        version: Option<String>,
    },
    DropExtension {
        names: Vec<String>,
        if_exists: bool,
        cascade: bool,
    },
    AlterExtension {
        name: String,
        version: Option<String>,
        schema: Option<String>,
    },
    CreateEnum {
        name: QName,
        values: Vec<String>,
    },
    AlterEnum {
        name: QName,
        action: EnumAction,
    },
    DropType {
        names: Vec<QName>,
        if_exists: bool,
        cascade: bool,
    },
    /// `CREATE TYPE name AS RANGE (param = value, …)`, the parameters in
    /// the order written (the server reads them in that order).
    CreateRange {
        name: QName,
        params: Vec<RangeParam>,
    },
    /// `CREATE TYPE name`: a shell type, filled in by a later `CREATE TYPE
    /// … AS RANGE` (strata models no base types).
    CreateShellType {
        name: QName,
    },
    /// `CREATE TYPE name AS (attribute type [COLLATE c], …)`.
    CreateComposite {
        name: QName,
        attributes: Vec<AttributeDef>,
    },
    /// `CREATE DOMAIN name [AS] type [COLLATE c] [DEFAULT e] [constraints]`.
    CreateDomain {
        name: QName,
        base_type: String,
        collation: Option<String>,
        default: Option<Expression>,
        constraints: Vec<DomainConstraintDef>,
    },
    AlterDomain {
        name: QName,
        action: DomainAction,
    },
    /// `CREATE STATISTICS [IF NOT EXISTS] name [(kinds)] ON … FROM table`.
    CreateStatistics {
        name: QName,
        if_not_exists: bool,
        /// The kinds as written (checked by replay, as the server does).
        kinds: Vec<String>,
        elems: Vec<StatsElem>,
        /// The `FROM` list (the server takes exactly one table).
        tables: Vec<QName>,
    },
    /// `ALTER STATISTICS [IF EXISTS] name …`.
    AlterStatistics {
        name: QName,
        if_exists: bool,
        action: StatisticsAction,
    },
    /// `DROP STATISTICS [IF EXISTS] name, …` (nothing depends on one, so
    /// CASCADE changes nothing).
    DropStatistics {
        names: Vec<QName>,
        if_exists: bool,
    },
    /// `CREATE EVENT TRIGGER name ON event [WHEN var IN (…) [AND …]]
    /// EXECUTE FUNCTION f()`.
    CreateEventTrigger {
        name: String,
        event: String,
        /// (filter variable, values as written), in order.
        filters: Vec<(String, Vec<String>)>,
        function: QName,
    },
    /// Foreign-data wrappers, servers and user mappings.
    Foreign(Box<ForeignStmt>),
    /// `ALTER EVENT TRIGGER name …`.
    AlterEventTrigger {
        name: String,
        action: EventTriggerAction,
    },
    DropEventTrigger {
        names: Vec<String>,
        if_exists: bool,
    },
    /// `CREATE [OR REPLACE] AGGREGATE`.
    CreateAggregate {
        name: QName,
        or_replace: bool,
        def: Box<AggregateDef>,
    },
    /// `ALTER AGGREGATE name (args) RENAME TO | SET SCHEMA | OWNER TO`.
    AlterAggregate {
        target: AggregateRef,
        action: AlterAggregateAction,
    },
    /// `DROP AGGREGATE [IF EXISTS] name (args)[, …] [CASCADE]`.
    DropAggregate {
        targets: Vec<AggregateRef>,
        if_exists: bool,
        cascade: bool,
    },
    /// `CREATE OPERATOR name (options)`.
    CreateOperator {
        name: QName,
        def: Box<OperatorDef>,
    },
    /// `ALTER OPERATOR name (left, right) SET (…) | SET SCHEMA | OWNER TO`.
    AlterOperator {
        target: OperatorRef,
        action: AlterOperatorAction,
    },
    /// `DROP OPERATOR [IF EXISTS] name (left, right)[, …] [CASCADE]`.
    DropOperator {
        targets: Vec<OperatorRef>,
        if_exists: bool,
        cascade: bool,
    },
    /// `CREATE COLLATION [IF NOT EXISTS] name (options)` or `FROM other`.
    CreateCollation {
        name: QName,
        if_not_exists: bool,
        def: CollationDef,
    },
    /// `ALTER COLLATION name RENAME TO | SET SCHEMA | REFRESH VERSION | OWNER TO`.
    AlterCollation {
        name: QName,
        rename: Option<String>,
        schema: Option<String>,
        /// `OWNER TO`: `Some(role)`, the role `None` for CURRENT_USER.
        owner: Option<Option<String>>,
    },
    /// `ALTER SCHEMA | TYPE | DOMAIN | SEQUENCE … OWNER TO role` (`None`:
    /// CURRENT_USER / CURRENT_ROLE / SESSION_USER).
    AlterOwner {
        target: OwnerTarget,
        role: Option<String>,
    },
    DropCollation {
        names: Vec<QName>,
        if_exists: bool,
        cascade: bool,
    },
    /// `DROP DOMAIN` (DROP TYPE reaches domains too).
    DropDomain {
        names: Vec<QName>,
        if_exists: bool,
        cascade: bool,
    },
    CreateTable(CreateTable),
    AlterTable {
        name: QName,
        if_exists: bool,
        /// `ALTER TABLE ONLY name`: the table without its children.
        only: bool,
        /// `ALTER FOREIGN TABLE`: the relation must be a foreign table.
        foreign: bool,
        actions: Vec<TableAction>,
    },
    /// `ALTER INDEX parent ATTACH PARTITION child`.
    AttachIndex {
        parent: QName,
        child: QName,
    },
    DropTable {
        names: Vec<QName>,
        if_exists: bool,
        cascade: bool,
        /// `DROP FOREIGN TABLE`.
        foreign: bool,
    },
    CreateIndex(CreateIndex),
    DropIndex {
        names: Vec<QName>,
        if_exists: bool,
        cascade: bool,
    },
    RenameIndex {
        name: QName,
        if_exists: bool,
        new_name: String,
    },
    /// `ALTER INDEX … SET (…)` / `RESET (…)`.
    AlterIndexOptions {
        name: QName,
        if_exists: bool,
        set: Vec<(String, String)>,
        reset: Vec<String>,
    },
    /// `ALTER INDEX … ALTER [COLUMN] n SET STATISTICS k[, …]`: each
    /// 1-based index column number with its target as written (-1 resets;
    /// replay checks the range as the server does).
    AlterIndexStatistics {
        name: QName,
        if_exists: bool,
        targets: Vec<(i16, i32)>,
    },
    CreateSequence {
        name: QName,
        if_not_exists: bool,
        options: SeqOptions,
    },
    AlterSequence {
        name: QName,
        if_exists: bool,
        options: SeqOptions,
        rename: Option<String>,
    },
    DropSequence {
        names: Vec<QName>,
        if_exists: bool,
        cascade: bool,
    },
    Comment {
        target: CommentTarget,
        text: Option<String>,
    },
    /// An object strata keeps by name only (views, aggregates, …).
    Unmanaged {
        kind: crate::model::UnmanagedKind,
        op: UnmanagedOp,
    },
    /// `SET search_path …` / `set_config('search_path', …)`.
    SetSearchPath(Vec<String>),
    /// `SET LOCAL search_path …` / `set_config('search_path', …, true)`:
    /// until the end of the transaction.
    SetLocalSearchPath(Vec<String>),
    /// `SET [LOCAL] ROLE name | NONE`, `SET [LOCAL] SESSION AUTHORIZATION
    /// name | DEFAULT`, `RESET ROLE`, `RESET SESSION AUTHORIZATION`: the
    /// role objects created afterwards belong to (`None`: the role running
    /// the migrations).
    SetRole {
        local: bool,
        role: Option<String>,
    },
    /// A statement that changes no schema (INSERT, SET, `GRANT role TO
    /// role`, …), by kind.
    NonSchema(&'static str),
    /// `GRANT` / `REVOKE` of privileges on objects of the schema.
    Grant(Box<GrantStmt>),
    /// `ALTER DEFAULT PRIVILEGES [FOR ROLE …] [IN SCHEMA …] GRANT | REVOKE
    /// … ON TABLES | SEQUENCES | FUNCTIONS | ROUTINES | TYPES | SCHEMAS …`.
    AlterDefaultPrivileges(Box<DefaultPrivilegesStmt>),
    /// `CREATE [OR REPLACE] FUNCTION | PROCEDURE`: the routine as written
    /// (argument defaults not analysed yet).
    CreateRoutine {
        name: QName,
        or_replace: bool,
        routine: Box<crate::model::Routine>,
    },
    /// `DROP FUNCTION | PROCEDURE | ROUTINE [IF EXISTS] name [(args)], …`.
    DropRoutine {
        /// `None` for `DROP ROUTINE`.
        kind: Option<crate::model::RoutineKind>,
        refs: Vec<RoutineRef>,
        if_exists: bool,
        cascade: bool,
    },
    /// `ALTER FUNCTION | PROCEDURE | ROUTINE name [(args)] …`.
    AlterRoutine {
        kind: Option<crate::model::RoutineKind>,
        target: RoutineRef,
        op: AlterRoutineOp,
        /// The statement as written: what to write back after the CREATE.
        text: String,
    },
    /// `CREATE POLICY name ON table …`: the policy as written (roles not
    /// resolved, expressions not analysed).
    CreatePolicy {
        name: String,
        table: QName,
        def: Box<PolicyDef>,
    },
    /// `ALTER POLICY name ON table RENAME TO new | [TO …] [USING (…)] [WITH CHECK (…)]`.
    AlterPolicy {
        name: String,
        table: QName,
        op: AlterPolicyOp,
    },
    /// `DROP POLICY [IF EXISTS] name ON table [CASCADE | RESTRICT]`.
    DropPolicy {
        name: String,
        table: QName,
        if_exists: bool,
    },
    /// `CREATE [OR REPLACE] [CONSTRAINT] TRIGGER`.
    CreateTrigger(Box<CreateTrigger>),
    /// `DROP TRIGGER [IF EXISTS] name ON table [CASCADE | RESTRICT]`.
    DropTrigger {
        name: String,
        table: QName,
        if_exists: bool,
    },
    /// `ALTER TRIGGER name ON table RENAME TO new`.
    RenameTrigger {
        name: String,
        table: QName,
        new_name: String,
    },
    /// `CREATE PUBLICATION name [FOR ALL TABLES | FOR …] [WITH (…)]`.
    CreatePublication {
        name: String,
        all_tables: bool,
        objects: Vec<PubObject>,
        options: Vec<(String, Option<String>)>,
    },
    /// `ALTER PUBLICATION name …`.
    AlterPublication {
        name: String,
        action: PubAction,
    },
    /// `DROP PUBLICATION [IF EXISTS] name, … [CASCADE | RESTRICT]`.
    DropPublication {
        names: Vec<String>,
        if_exists: bool,
    },
    /// `CREATE [OR REPLACE] RULE`.
    CreateRule(Box<CreateRule>),
    /// `DROP RULE [IF EXISTS] name ON table [CASCADE | RESTRICT]`.
    DropRule {
        name: String,
        table: QName,
        if_exists: bool,
    },
    /// `ALTER RULE name ON table RENAME TO new`.
    RenameRule {
        name: String,
        table: QName,
        new_name: String,
    },
    /// `CREATE [OR REPLACE] [RECURSIVE] VIEW` / `CREATE MATERIALIZED VIEW`.
    CreateView(Box<CreateView>),
    /// `ALTER VIEW | MATERIALIZED VIEW name …`.
    AlterView {
        name: QName,
        materialized: bool,
        if_exists: bool,
        action: ViewAction,
    },
    /// `DROP VIEW | MATERIALIZED VIEW [IF EXISTS] name, … [CASCADE]`.
    DropView {
        materialized: bool,
        names: Vec<QName>,
        if_exists: bool,
        cascade: bool,
    },
    /// `REFRESH MATERIALIZED VIEW [CONCURRENTLY] name [WITH [NO] DATA]`.
    RefreshView {
        name: QName,
        with_data: bool,
    },
    /// A `DO` block; its body is interpreted by replay.
    Do {
        body: String,
        body_offset: usize,
    },
}

/// `CREATE TRIGGER` as written: names not resolved yet.
#[derive(Debug, Clone)]
pub struct CreateTrigger {
    pub name: String,
    pub table: QName,
    pub or_replace: bool,
    pub constraint: bool,
    pub timing: crate::model::TriggerTiming,
    /// `update_of` as written (the order the server keeps).
    pub events: crate::model::TriggerEvents,
    pub for_each_row: bool,
    pub when: Option<Expression>,
    /// Columns the `WHEN` condition reads: (`true` for `NEW`, column);
    /// `*` for a whole row.
    pub when_refs: Vec<(bool, String)>,
    pub function: QName,
    pub arguments: Vec<String>,
    pub old_table: Option<String>,
    pub new_table: Option<String>,
    /// `FROM table` of a constraint trigger.
    pub from: Option<QName>,
    pub deferrable: bool,
    pub initially_deferred: bool,
    /// The statement as written.
    pub text: String,
}

/// What a publication names: a table (with its column list and row
/// filter as written) or a schema's tables (`None`: `CURRENT_SCHEMA`).
#[derive(Debug, Clone)]
pub enum PubObject {
    Table {
        name: QName,
        /// `ONLY`: without it, inheritance children come too.
        only: bool,
        columns: Option<Vec<String>>,
        filter: Option<Expression>,
    },
    Schema(Option<String>),
}

/// What `ALTER PUBLICATION` does.
#[derive(Debug, Clone)]
pub enum PubAction {
    Add(Vec<PubObject>),
    Set(Vec<PubObject>),
    Drop(Vec<PubObject>),
    Options(Vec<(String, Option<String>)>),
    Rename(String),
    /// `OWNER TO role` (`None`: CURRENT_USER).
    Owner(Option<String>),
}

/// `CREATE RULE` as written: names not resolved yet.
#[derive(Debug, Clone)]
pub struct CreateRule {
    pub name: String,
    pub table: QName,
    pub or_replace: bool,
    pub event: crate::model::RuleEvent,
    pub instead: bool,
    /// The `WHERE` condition as written.
    pub condition: Option<String>,
    /// The commands as written (none for `NOTHING` or `( ; )`).
    pub commands: Vec<String>,
    /// Everything after `DO [ALSO | INSTEAD]`, as written.
    pub actions: String,
    /// The statement as written.
    pub text: String,
}

/// Which triggers `ALTER TABLE … ENABLE | DISABLE TRIGGER` names.
#[derive(Debug, Clone)]
pub enum TriggerSelector {
    Name(String),
    All,
    User,
}

/// `CREATE VIEW` / `CREATE MATERIALIZED VIEW` as written.
#[derive(Debug, Clone)]
pub struct CreateView {
    pub name: QName,
    pub materialized: bool,
    pub or_replace: bool,
    pub if_not_exists: bool,
    pub recursive: bool,
    /// `(a, b)` after the name.
    pub columns: Vec<String>,
    /// `WITH (…)`, values as the server stores their text.
    pub options: Vec<(String, String)>,
    /// The query exactly as written (after `AS`, before any trailing
    /// `WITH … CHECK OPTION` / `WITH [NO] DATA`).
    pub query: String,
    /// The query's byte offset in the statement.
    pub query_offset: usize,
    /// The query's tokens, folded as the server folds them (its
    /// comparison key while unproven).
    pub query_key: String,
    /// The SELECT list (of the first SELECT of a set operation): each
    /// item's output name or a `*` to expand; empty when strata cannot
    /// read the query's shape (VALUES, …).
    pub items: Vec<ViewItem>,
    /// The relations of the FROM clause with their aliases, when the query
    /// is a single SELECT.
    pub from: Vec<(QName, Option<String>)>,
    pub check_option: Option<crate::model::CheckOption>,
    /// `WITH [NO] DATA` of a materialized view (`true` without one).
    pub with_data: bool,
}

/// One item of a view's SELECT list.
#[derive(Debug, Clone)]
pub enum ViewItem {
    /// An output column: its name (the alias, or what `FigureColname`
    /// gives), and the column it reads when it is a plain column reference
    /// (`[qualifier.]column`), so replay can give its type.
    Column {
        name: String,
        source: Option<(Option<String>, String)>,
    },
    /// `*` or `qualifier.*`.
    Star(Option<String>),
}

/// What `ALTER VIEW | MATERIALIZED VIEW` does.
#[derive(Debug, Clone)]
pub enum ViewAction {
    /// `OWNER TO role` (`None`: CURRENT_USER / CURRENT_ROLE / SESSION_USER, the
    /// role running the SQL).
    Owner(Option<String>),
    RenameTo(String),
    RenameColumn {
        old: String,
        new: String,
    },
    SetSchema(String),
    SetOptions(Vec<(String, String)>),
    ResetOptions(Vec<String>),
    SetDefault {
        column: String,
        default: Expression,
    },
    DropDefault {
        column: String,
    },
    /// `OWNER TO`: owners are not compared.
    NoOp(&'static str),
}

/// An operator named with its operand types: `ns.=== (integer, text)`,
/// `@@ (NONE, integer)`; the types as written (replay resolves them).
#[derive(Debug, Clone, PartialEq)]
pub struct OperatorRef {
    pub name: QName,
    pub left: Option<String>,
    pub right: String,
}

/// A reference to an operator in `COMMUTATOR` / `NEGATOR`: `===` or
/// `OPERATOR(ns.===)`.
pub type OperatorName = QName;

/// The options of `CREATE OPERATOR`, as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OperatorDef {
    /// `FUNCTION` (or `PROCEDURE`).
    pub function: Option<QName>,
    pub left: Option<String>,
    pub right: Option<String>,
    pub commutator: Option<OperatorName>,
    pub negator: Option<OperatorName>,
    pub restrict: Option<QName>,
    pub join: Option<QName>,
    pub hashes: bool,
    pub merges: bool,
}

/// An aggregate named with its argument types (as written).
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateRef {
    pub name: QName,
    pub types: Vec<String>,
    /// Direct arguments of an ordered-set aggregate (`ORDER BY` given).
    pub direct_args: Option<usize>,
}

/// The options of `CREATE AGGREGATE`, as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AggregateDef {
    pub args: Vec<(Option<String>, String)>,
    pub direct_args: Option<usize>,
    pub sfunc: Option<QName>,
    pub stype: Option<String>,
    pub sspace: i32,
    pub finalfunc: Option<QName>,
    pub finalfunc_extra: bool,
    pub finalfunc_modify: Option<char>,
    pub combinefunc: Option<QName>,
    pub serialfunc: Option<QName>,
    pub deserialfunc: Option<QName>,
    pub initcond: Option<String>,
    pub msfunc: Option<QName>,
    pub minvfunc: Option<QName>,
    pub mstype: Option<String>,
    pub msspace: i32,
    pub mfinalfunc: Option<QName>,
    pub mfinalfunc_extra: bool,
    pub mfinalfunc_modify: Option<char>,
    pub minitcond: Option<String>,
    pub sortop: Option<QName>,
    pub parallel: Option<crate::model::Parallel>,
    pub hypothetical: bool,
}

/// What `ALTER AGGREGATE` does.
#[derive(Debug, Clone, PartialEq)]
pub enum AlterAggregateAction {
    Rename(String),
    SetSchema(String),
    /// `OWNER TO role` (`None`: CURRENT_USER / CURRENT_ROLE / SESSION_USER, the
    /// role running the SQL).
    Owner(Option<String>),
}

/// What `ALTER OPERATOR` does.
#[derive(Debug, Clone, PartialEq)]
pub enum AlterOperatorAction {
    /// `SET (RESTRICT = f | NONE, JOIN = f | NONE)`: `Some(None)` resets.
    Set {
        restrict: Option<Option<QName>>,
        join: Option<Option<QName>>,
    },
    SetSchema(String),
    /// `OWNER TO role` (`None`: CURRENT_USER / CURRENT_ROLE / SESSION_USER, the
    /// role running the SQL).
    Owner(Option<String>),
}

#[derive(Debug, Clone)]
pub enum UnmanagedOp {
    Create {
        name: String,
        or_replace: bool,
        if_not_exists: bool,
    },
    Drop {
        names: Vec<String>,
        if_exists: bool,
    },
    Rename {
        name: String,
        new_name: String,
    },
}

#[derive(Debug, Clone)]
pub enum EnumAction {
    AddValue {
        value: String,
        if_not_exists: bool,
        before: Option<String>,
        after: Option<String>,
    },
    RenameValue {
        old: String,
        new: String,
    },
    RenameTo(String),
    SetSchema(String),
    /// Composite types: `ADD ATTRIBUTE name type [COLLATE c]`.
    AddAttribute(AttributeDef),
    /// `DROP ATTRIBUTE [IF EXISTS] name [CASCADE]`.
    DropAttribute {
        name: String,
        if_exists: bool,
    },
    /// `ALTER ATTRIBUTE name [SET DATA] TYPE type [COLLATE c]`.
    AlterAttributeType(AttributeDef),
    /// `RENAME ATTRIBUTE old TO new`.
    RenameAttribute {
        old: String,
        new: String,
    },
}

/// One parameter of `CREATE TYPE … AS RANGE (…)`.
#[derive(Debug, Clone)]
pub enum RangeParam {
    /// `SUBTYPE = type`, the type as written (canonical form).
    Subtype(String),
    SubtypeOpclass(QName),
    Collation(QName),
    Canonical(QName),
    SubtypeDiff(QName),
    MultirangeTypeName(QName),
    /// Any other name (the server raises 42601 when it reaches it).
    Unknown(String),
}

/// An element of `CREATE STATISTICS … ON`.
#[derive(Debug, Clone)]
pub enum StatsElem {
    /// A column, bare or in parentheses (folded).
    Column(String),
    /// An expression, as written (without the parentheses around it).
    Expression(crate::model::Expression),
}

/// What `ALTER EVENT TRIGGER` does.
#[derive(Debug, Clone)]
pub enum EventTriggerAction {
    Enable(crate::model::TriggerEnabled),
    Rename(String),
    /// `OWNER TO role` (`None`: CURRENT_USER / CURRENT_ROLE / SESSION_USER, the
    /// role running the SQL).
    Owner(Option<String>),
}

/// What `ALTER STATISTICS` does.
#[derive(Debug, Clone)]
pub enum StatisticsAction {
    /// `SET STATISTICS n` (-1: the default).
    SetTarget(i64),
    Rename(String),
    SetSchema(String),
    /// `OWNER TO role` (`None`: CURRENT_USER / CURRENT_ROLE / SESSION_USER, the
    /// role running the SQL).
    Owner(Option<String>),
}

/// The object of `ALTER … OWNER TO` when no other statement of its kind
/// carries it.
#[derive(Debug, Clone)]
pub enum OwnerTarget {
    Schema(String),
    /// `ALTER TYPE` (an enum, composite or other type) or `ALTER DOMAIN`.
    Type {
        name: QName,
        domain: bool,
    },
    Sequence {
        name: QName,
        if_exists: bool,
    },
}

/// What `CREATE COLLATION` says.
#[derive(Debug, Clone)]
pub enum CollationDef {
    /// `FROM existing`.
    From(QName),
    /// The options, names folded to lower case, values as written.
    Options(Vec<(String, String)>),
}

/// An attribute of a composite type as written.
#[derive(Debug, Clone)]
pub struct AttributeDef {
    pub name: String,
    /// Canonical type text, as a column's.
    pub data_type: String,
    pub collation: Option<String>,
}

/// A constraint of `CREATE DOMAIN` or `ALTER DOMAIN … ADD`.
#[derive(Debug, Clone)]
pub struct DomainConstraintDef {
    pub name: Option<String>,
    pub kind: DomainConstraintKind,
    pub not_valid: bool,
}

#[derive(Debug, Clone)]
pub enum DomainConstraintKind {
    NotNull,
    Null,
    /// The expression and the columns it names (only `value` may be).
    Check(Expression, Vec<String>),
}

#[derive(Debug, Clone)]
pub enum DomainAction {
    SetDefault(Expression),
    DropDefault,
    SetNotNull,
    DropNotNull,
    AddConstraint(DomainConstraintDef),
    DropConstraint { name: String, if_exists: bool },
    RenameConstraint { old: String, new: String },
    ValidateConstraint(String),
    RenameTo(String),
    SetSchema(String),
}

#[derive(Debug, Clone, Default)]
pub struct SeqOptions {
    pub data_type: Option<String>,
    pub start: Option<i64>,
    pub increment: Option<i64>,
    /// `Some(None)` for `NO MINVALUE`.
    pub min_value: Option<Option<i64>>,
    pub max_value: Option<Option<i64>>,
    pub cache: Option<i64>,
    pub cycle: Option<bool>,
    /// `Some(None)` for `OWNED BY NONE`; else table and column.
    pub owned_by: Option<Option<(QName, String)>>,
    pub restart: bool,
    /// An identity column's `SEQUENCE NAME` (pg_dump writes it always).
    pub sequence_name: Option<QName>,
    /// Where `SEQUENCE NAME` starts in the statement.
    pub sequence_name_at: usize,
}

#[derive(Debug, Clone)]
pub struct CreateTable {
    pub name: QName,
    pub if_not_exists: bool,
    pub unlogged: bool,
    pub partition_by: Option<String>,
    /// `WITH (name = value, …)`: storage parameters, values as the server
    /// stores their text.
    pub options: Vec<(String, String)>,
    pub columns: Vec<ColumnDef>,
    pub constraints: Vec<ConstraintDef>,
    /// `PARTITION OF parent FOR VALUES … | DEFAULT`.
    pub partition_of: Option<(QName, PartitionBound)>,
    /// `INHERITS (parent, …)`, in order.
    pub inherits: Vec<QName>,
    /// `CREATE FOREIGN TABLE … SERVER s [OPTIONS (…)]`: the server and
    /// the table's options.
    pub foreign: Option<(String, Vec<(String, String)>)>,
}

/// A partition bound as written (`FOR VALUES …` or `DEFAULT`).
#[derive(Debug, Clone)]
pub struct PartitionBound {
    /// The text as written, from `FOR` or `DEFAULT` to the end of the bound.
    pub sql: String,
    pub spec: BoundSpec,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BoundSpec {
    Default,
    In(Vec<BoundDatum>),
    Range {
        from: Vec<BoundDatum>,
        to: Vec<BoundDatum>,
    },
    Hash {
        modulus: i64,
        remainder: i64,
    },
}

/// One value of a partition bound.
#[derive(Debug, Clone, PartialEq)]
pub enum BoundDatum {
    /// A quoted string literal (its value).
    Text(String),
    /// A number as written, with its sign.
    Number(String),
    Bool(bool),
    Null,
    MinValue,
    MaxValue,
    /// Anything else (a cast, a function call): kept as written; its
    /// stored value is not derived offline.
    Other(String),
}

#[derive(Debug, Clone)]
pub struct ColumnDef {
    pub name: String,
    /// Canonical type (serial pseudo-types already resolved to their integer type).
    pub data_type: String,
    /// `serial`/`bigserial`/`smallserial`.
    pub serial: bool,
    pub collation: Option<String>,
    pub not_null: bool,
    pub default: Option<Expression>,
    pub generated: Option<Expression>,
    pub identity: Option<(Identity, SeqOptions)>,
    /// Constraints written on the column, bound to it.
    pub constraints: Vec<ConstraintDef>,
    /// Where the type is written in the statement (byte offset, length), so
    /// an unknown type is shown at the type, not at `CREATE TABLE`.
    pub type_at: (usize, usize),
    /// A foreign table's column `OPTIONS (…)`.
    pub fdw_options: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct ConstraintDef {
    pub name: Option<String>,
    pub kind: ConstraintDefKind,
    pub deferrable: bool,
    pub initially_deferred: bool,
    pub not_valid: bool,
}

#[derive(Debug, Clone)]
pub enum ConstraintDefKind {
    PrimaryKey {
        columns: Vec<String>,
        include: Vec<String>,
        using_index: Option<String>,
    },
    Unique {
        columns: Vec<String>,
        include: Vec<String>,
        nulls_not_distinct: bool,
        using_index: Option<String>,
    },
    ForeignKey {
        columns: Vec<String>,
        ref_table: QName,
        ref_columns: Vec<String>,
        on_delete: FkAction,
        on_update: FkAction,
        match_full: bool,
    },
    Check {
        expression: Expression,
        columns: Vec<String>,
        no_inherit: bool,
    },
    Exclusion {
        definition: String,
        columns: Vec<String>,
        /// The names PostgreSQL gives its index columns (keys, then
        /// INCLUDE columns) when it chooses the constraint's name.
        name_parts: Vec<String>,
    },
}

#[derive(Debug, Clone)]
pub enum TableAction {
    /// `OWNER TO role` (`None`: CURRENT_USER / CURRENT_ROLE / SESSION_USER, the
    /// role running the SQL).
    Owner(Option<String>),
    /// `ATTACH PARTITION name FOR VALUES … | DEFAULT`.
    AttachPartition {
        name: QName,
        bound: PartitionBound,
    },
    /// `DETACH PARTITION name [CONCURRENTLY | FINALIZE]`.
    DetachPartition {
        name: QName,
        concurrently: bool,
        finalize: bool,
    },
    /// `INHERIT parent`.
    Inherit(QName),
    /// `NO INHERIT parent`.
    NoInherit(QName),
    AddColumn {
        if_not_exists: bool,
        column: Box<ColumnDef>,
    },
    DropColumn {
        name: String,
        if_exists: bool,
        cascade: bool,
    },
    AlterColumn {
        name: String,
        op: ColumnOp,
    },
    AddConstraint(ConstraintDef),
    DropConstraint {
        name: String,
        if_exists: bool,
        cascade: bool,
    },
    ValidateConstraint(String),
    RenameColumn {
        old: String,
        new: String,
    },
    RenameConstraint {
        old: String,
        new: String,
    },
    RenameTo(String),
    SetSchema(String),
    RowLevelSecurity(bool),
    ForceRowLevelSecurity(bool),
    SetLogged(bool),
    /// `SET (name = value, …)`.
    /// A foreign table's `OPTIONS (ADD | SET | DROP …)`.
    FdwOptions(Vec<OptionChange>),
    SetOptions(Vec<(String, String)>),
    /// `RESET (name, …)`.
    ResetOptions(Vec<String>),
    /// `ENABLE [REPLICA | ALWAYS] | DISABLE TRIGGER name | ALL | USER`.
    SetTrigger {
        which: TriggerSelector,
        state: crate::model::TriggerEnabled,
    },
    /// `ENABLE [REPLICA | ALWAYS] | DISABLE RULE name`.
    SetRule {
        name: String,
        state: crate::model::TriggerEnabled,
    },
    /// Changes nothing strata models (OWNER TO, SET (storage), CLUSTER ON, …).
    NoOp(&'static str),
}

#[derive(Debug, Clone)]
pub enum ColumnOp {
    SetType {
        data_type: String,
        collation: Option<String>,
        using: bool,
    },
    SetDefault(Expression),
    DropDefault,
    SetNotNull,
    DropNotNull,
    DropExpression {
        if_exists: bool,
    },
    SetExpression(Expression),
    AddIdentity(Identity, SeqOptions),
    SetIdentity(Option<Identity>, SeqOptions),
    DropIdentity {
        if_exists: bool,
    },
    /// `SET STATISTICS n` (-1: the default).
    /// A foreign table column's `OPTIONS (ADD | SET | DROP …)`.
    FdwOptions(Vec<OptionChange>),
    SetStatistics(i32),
    NoOp(&'static str),
}

#[derive(Debug, Clone)]
pub struct CreateIndex {
    pub name: Option<String>,
    pub unique: bool,
    pub concurrently: bool,
    pub if_not_exists: bool,
    pub table: QName,
    pub method: String,
    pub keys: Vec<IndexElem>,
    pub include: Vec<String>,
    pub nulls_not_distinct: bool,
    pub predicate: Option<Expression>,
    /// `WITH (…)`: storage parameters.
    pub options: Vec<(String, String)>,
    /// `ON ONLY table`: a partitioned table's index without its partitions'.
    pub only: bool,
}

#[derive(Debug, Clone)]
pub struct IndexElem {
    pub key: crate::model::IndexKeyExpr,
    /// Name PostgreSQL uses for it when choosing an index name.
    pub name_part: String,
    pub opclass: Option<String>,
    pub collation: Option<String>,
    pub descending: bool,
    pub nulls_first: Option<bool>,
}

#[derive(Debug, Clone)]
pub enum CommentTarget {
    /// `COMMENT ON POLICY name ON table`.
    Policy {
        name: String,
        table: QName,
    },
    /// `COMMENT ON FUNCTION | PROCEDURE | ROUTINE name [(args)]`.
    Routine(Option<crate::model::RoutineKind>, RoutineRef),
    Table(QName),
    Column(QName, String),
    Index(QName),
    Sequence(QName),
    Type(QName),
    Schema(String),
    Extension(String),
    Constraint {
        name: String,
        table: QName,
    },
    Domain(QName),
    Collation(QName),
    Statistics(QName),
    EventTrigger(String),
    /// `COMMENT ON FOREIGN TABLE name`.
    ForeignTable(QName),
    /// `COMMENT ON SERVER name`.
    ForeignServer(String),
    /// `COMMENT ON FOREIGN DATA WRAPPER name`.
    ForeignDataWrapper(String),
    DomainConstraint {
        name: String,
        domain: QName,
    },
    Unmanaged(crate::model::UnmanagedKind, String),
    /// `COMMENT ON AGGREGATE name (args)`.
    Aggregate(AggregateRef),
    /// `COMMENT ON OPERATOR name (left, right)`.
    Operator(OperatorRef),
    /// `COMMENT ON TRIGGER name ON table`.
    Trigger {
        name: String,
        table: QName,
    },
    /// `COMMENT ON PUBLICATION name`.
    Publication(String),
    /// `COMMENT ON RULE name ON table`.
    Rule {
        name: String,
        table: QName,
    },
    /// `COMMENT ON VIEW | MATERIALIZED VIEW`.
    View {
        name: QName,
        materialized: bool,
    },
    /// Objects whose comments are not modelled (database, role, …).
    Other(&'static str),
}

/// A routine named in DROP, ALTER or COMMENT: its name and, when written,
/// its argument list (names and modes allowed; OUT arguments are not part
/// of the signature).
#[derive(Debug, Clone)]
pub struct RoutineRef {
    pub name: QName,
    pub args: Option<Vec<crate::model::RoutineArg>>,
}

/// What `ALTER FUNCTION` does.
#[derive(Debug, Clone)]
pub enum AlterRoutineOp {
    Rename(String),
    SetSchema(String),
    /// `DEPENDS ON EXTENSION`.
    NoModelChange,
    /// `OWNER TO role` (`None`: CURRENT_USER / CURRENT_ROLE / SESSION_USER, the
    /// role running the SQL).
    Owner(Option<String>),
    Actions(Vec<RoutineAction>),
}

/// One option of `CREATE FUNCTION` / `ALTER FUNCTION`.
#[derive(Debug, Clone)]
pub enum RoutineAction {
    Volatility(crate::model::Volatility),
    Strict(bool),
    SecurityDefiner(bool),
    Leakproof(bool),
    Parallel(crate::model::Parallel),
    Cost(f64),
    Rows(f64),
    /// `name=value` as proconfig keeps it.
    Set(String),
    Reset(String),
    ResetAll,
}

/// A role of a policy's `TO` list, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyRoleSpec {
    /// `PUBLIC`.
    Public,
    /// A role by name (folded).
    Name(String),
    /// `CURRENT_USER`, `CURRENT_ROLE` or `SESSION_USER`.
    Session(&'static str),
}

/// `CREATE POLICY` as written.
#[derive(Debug, Clone)]
pub struct PolicyDef {
    pub command: crate::model::PolicyCommand,
    pub permissive: bool,
    /// Empty when `TO` is not written (PUBLIC).
    pub roles: Vec<PolicyRoleSpec>,
    pub using: Option<PolicyExpr>,
    pub with_check: Option<PolicyExpr>,
}

/// A policy's `USING (…)` or `WITH CHECK (…)`: the expression as written and
/// the columns it reads outside subqueries (checked against the table).
#[derive(Debug, Clone)]
pub struct PolicyExpr {
    pub expression: crate::model::Expression,
    pub columns: Vec<String>,
}

/// What `ALTER POLICY` does.
#[derive(Debug, Clone)]
pub enum AlterPolicyOp {
    Rename(String),
    Change {
        roles: Option<Vec<PolicyRoleSpec>>,
        using: Option<PolicyExpr>,
        with_check: Option<PolicyExpr>,
    },
}

/// A privilege as written in `GRANT` / `REVOKE`: its keyword upper case
/// (`ALL` for `ALL [PRIVILEGES]`) and the columns it is limited to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivilegeSpec {
    pub keyword: String,
    pub columns: Vec<String>,
}

/// What a `GRANT` / `REVOKE` is on.
#[derive(Debug, Clone)]
pub enum GrantTarget {
    /// `[TABLE] t, …` (tables, views, materialized views, sequences).
    Tables(Vec<QName>),
    /// `SEQUENCE s, …`.
    Sequences(Vec<QName>),
    /// `FUNCTION | PROCEDURE | ROUTINE f(args), …` (`None`: ROUTINE).
    Routines(Option<crate::model::RoutineKind>, Vec<RoutineRef>),
    /// `ALL TABLES | SEQUENCES | FUNCTIONS | PROCEDURES | ROUTINES IN
    /// SCHEMA s, …`.
    AllInSchema(AllInSchema, Vec<String>),
    /// `SCHEMA s, …`.
    Schemas(Vec<String>),
    /// `TYPE t, …` (`domain`: `DOMAIN t, …`).
    Types { domain: bool, names: Vec<QName> },
    /// `FOREIGN SERVER s, …`.
    ForeignServers(Vec<String>),
    /// `FOREIGN DATA WRAPPER w, …`.
    ForeignWrappers(Vec<String>),
}

/// The kinds of `ALL … IN SCHEMA`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllInSchema {
    Tables,
    Sequences,
    Functions,
    Procedures,
    Routines,
}

/// `GRANT` or `REVOKE` of privileges on objects.
#[derive(Debug, Clone)]
pub struct GrantStmt {
    pub is_grant: bool,
    /// `WITH GRANT OPTION` (GRANT) or `GRANT OPTION FOR` (REVOKE).
    pub grant_option: bool,
    /// Empty for `ALL [PRIVILEGES]` without columns.
    pub privileges: Vec<PrivilegeSpec>,
    pub target: GrantTarget,
    pub grantees: Vec<PolicyRoleSpec>,
    /// `REVOKE … CASCADE`.
    pub cascade: bool,
}

/// `ALTER DEFAULT PRIVILEGES`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultPrivilegesStmt {
    /// `FOR ROLE | USER r, …` (empty: the current role).
    pub for_roles: Vec<PolicyRoleSpec>,
    /// `IN SCHEMA s, …`.
    pub schemas: Vec<String>,
    pub is_grant: bool,
    pub grant_option: bool,
    /// Empty for `ALL`.
    pub privileges: Vec<PrivilegeSpec>,
    pub object: crate::model::DefaultAclObject,
    pub grantees: Vec<PolicyRoleSpec>,
}

/// A statement on a foreign-data wrapper, a foreign server or a user
/// mapping (`foreigncmds.c`).
#[derive(Debug, Clone)]
pub enum ForeignStmt {
    CreateWrapper {
        name: String,
        handler: Option<QName>,
        validator: Option<QName>,
        options: Vec<(String, String)>,
    },
    /// `ALTER FOREIGN DATA WRAPPER name [HANDLER …] [VALIDATOR …]
    /// [OPTIONS (…)]`: `Some(None)` for `NO HANDLER` / `NO VALIDATOR`.
    AlterWrapper {
        name: String,
        handler: Option<Option<QName>>,
        validator: Option<Option<QName>>,
        options: Vec<OptionChange>,
    },
    RenameWrapper {
        name: String,
        new_name: String,
    },
    /// `OWNER TO role` (`None`: CURRENT_USER).
    OwnerWrapper {
        name: String,
        role: Option<String>,
    },
    DropWrapper {
        names: Vec<String>,
        if_exists: bool,
    },
    CreateServer {
        name: String,
        if_not_exists: bool,
        server_type: Option<String>,
        version: Option<String>,
        wrapper: String,
        options: Vec<(String, String)>,
    },
    /// `ALTER SERVER name [VERSION 'v' | VERSION NULL] [OPTIONS (…)]`.
    AlterServer {
        name: String,
        version: Option<Option<String>>,
        options: Vec<OptionChange>,
    },
    RenameServer {
        name: String,
        new_name: String,
    },
    OwnerServer {
        name: String,
        role: Option<String>,
    },
    DropServer {
        names: Vec<String>,
        if_exists: bool,
    },
    CreateMapping {
        user: MappingUser,
        server: String,
        if_not_exists: bool,
        options: Vec<(String, String)>,
    },
    AlterMapping {
        user: MappingUser,
        server: String,
        options: Vec<OptionChange>,
    },
    DropMapping {
        user: MappingUser,
        server: String,
        if_exists: bool,
    },
}

/// Whom a user mapping is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MappingUser {
    Public,
    /// `CURRENT_USER`, `CURRENT_ROLE`, `USER`.
    CurrentUser,
    SessionUser,
    Role(String),
}

/// `ADD`, `SET` or `DROP` of one option in an `OPTIONS (…)` of an ALTER.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionOp {
    Add,
    Set,
    Drop,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionChange {
    pub op: OptionOp,
    pub name: String,
    /// `None` for `DROP`.
    pub value: Option<String>,
}
