//! Reading a live database into the model.
//!
//! [`inspect`] reads `pg_catalog` (never `information_schema`) inside one
//! `REPEATABLE READ, READ ONLY` transaction, so every query sees the same
//! snapshot and nothing can be written. `search_path` is set to `public` for
//! the transaction, so `format_type`, `pg_get_expr` and friends print objects
//! of `public` unqualified and everything else qualified, which is the form
//! the model stores; `TimeZone`, `DateStyle`, `IntervalStyle` and
//! `extra_float_digits` are set too, so constants print the same whatever
//! the server's or the role's settings (the form `strata_core::literal`
//! derives offline). Expressions are kept exactly as the server prints them.
//!
//! **15 catalog queries whatever the size of the database** (the
//! [`QUERIES`] array, each run exactly once), plus one `BEGIN …; SET LOCAL
//! search_path = public` batch and one `COMMIT`: 18 statements in all. One
//! query per kind of object (namespaces, extensions, tables, columns,
//! constraints, index keys, types (enums, domains, composite types),
//! sequences, unmanaged objects, functions and procedures, policies,
//! collations, triggers, views and materialized views, default privileges)
//! and one for the comments of the others; every ACL (`relacl`, `attacl`,
//! `nspacl`, `typacl`, `proacl`) is read with its object, its owner mapped
//! to the owner symbol; they are pipelined on the connection and joined
//! in memory by object id.
//!
//! The first query also checks, from inside the snapshot, that the
//! transaction really is `REPEATABLE READ` and read-only (it is not when the
//! client was already inside a transaction) and that `public` is on the
//! effective search path (it silently is not when the role lacks USAGE on
//! it); either problem is an [`InspectError::Session`].
//!
//! System namespaces (`pg_catalog`, `information_schema`, `pg_toast*`,
//! `pg_temp_*`) and objects that belong to an extension are left out.
//! Types go through [`strata_core::normalize`]; text it cannot read is an
//! [`InspectError::Normalize`] naming the object, never silently kept raw.
//! Expressions are kept exactly as the server prints them.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap};

use strata_core::model::acl;
use strata_core::model::{
    quote_ident, Acl, AclKind, ArgMode, CheckOption, Collation, Column, CompositeAttribute,
    CompositeType, Constraint, ConstraintKind, ConstraintTrigger, DefaultAclKey, DefaultAclObject,
    Domain, DomainCheck, EnumType, Expression, Extension, FkAction, Grantee, Identity, Index,
    IndexKey, IndexKeyExpr, Inherited, Namespace, Parallel, PartitionOf, Policy, PolicyCommand,
    RelationRef, Routine, RoutineArg, RoutineBody, RoutineKind, Schema, Sequence, Table, Trigger,
    TriggerEnabled, TriggerEvents, TriggerTiming, Unmanaged, UnmanagedKind, View, ViewColumn,
    Volatility,
};
use strata_core::normalize;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{FromSql, ToSql, Type};
use tokio_postgres::{Client, Row};

use crate::conn::describe;

/// What to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InspectOptions {
    /// Namespaces to read; `None` reads every non-system namespace.
    /// Extensions, event triggers and publications are database-wide and
    /// always read.
    pub namespaces: Option<Vec<String>>,
}

/// Why a database could not be read. Messages never contain the connection
/// URL or a password: at most `host:port/dbname`.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum InspectError {
    #[error("invalid database URL: {reason}")]
    #[diagnostic(
        code(strata::inspect::url),
        help("expected a URL like postgres://user@host:5432/dbname")
    )]
    Url { reason: String },

    #[error("cannot connect to {target}: {reason}")]
    #[diagnostic(code(strata::inspect::connect))]
    Connect {
        target: String,
        reason: String,
        /// What to do about it, by what went wrong.
        #[help]
        advice: String,
    },

    #[error("reading the catalog ({step}) failed: {reason}")]
    #[diagnostic(code(strata::inspect::query))]
    Query { step: &'static str, reason: String },

    #[error("cannot inspect in this session: {reason}")]
    #[diagnostic(code(strata::inspect::session), help("{help}"))]
    Session { reason: String, help: &'static str },

    #[error("unexpected catalog data ({step}): {reason}")]
    #[diagnostic(
        code(strata::inspect::catalog),
        help("this is a strata bug or an unsupported PostgreSQL version; please report it")
    )]
    Catalog { step: &'static str, reason: String },

    #[error("{object}: cannot normalize {what} `{text}`: {reason}")]
    #[diagnostic(
        code(strata::inspect::normalize),
        help("strata cannot read this {what} yet; please report it with the text shown")
    )]
    Normalize {
        object: String,
        what: &'static str,
        text: String,
        reason: String,
    },

    /// The database holds something strata does not model yet; comparing
    /// without it could call two different schemas equal, so inspection
    /// stops instead.
    #[error("{object}: {what} is not supported yet")]
    #[diagnostic(code(strata::inspect::unsupported), help("{help}"))]
    Unsupported {
        object: String,
        what: String,
        help: String,
    },
}

/// The user namespace condition on alias `n` (and `$1`, the optional list
/// of namespaces to read).
macro_rules! user_namespace {
    () => {
        "n.nspname NOT IN ('pg_catalog', 'information_schema') \
         AND n.nspname NOT LIKE 'pg\\_toast%' \
         AND n.nspname NOT LIKE 'pg\\_temp\\_%' \
         AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[])) \
         AND NOT EXISTS (SELECT FROM pg_depend dn WHERE dn.classid = 'pg_namespace'::regclass \
             AND dn.objid = n.oid AND dn.deptype = 'e')"
    };
}

/// Excludes objects that belong to an extension.
macro_rules! not_extension {
    ($catalog:literal, $oid:literal) => {
        concat!(
            "NOT EXISTS (SELECT FROM pg_depend de WHERE de.classid = '",
            $catalog,
            "'::regclass AND de.objid = ",
            $oid,
            " AND de.deptype = 'e')"
        )
    };
}

macro_rules! begin_snapshot {
    () => {
        "BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
    };
}
macro_rules! set_search_path {
    () => {
        "SET LOCAL search_path = public; SET LOCAL TimeZone = 'UTC'; \
         SET LOCAL DateStyle = 'ISO, MDY'; SET LOCAL IntervalStyle = 'postgres'; \
         SET LOCAL extra_float_digits = 1"
    };
}
const BEGIN: &str = concat!(begin_snapshot!(), "; ", set_search_path!());

/// [`BEGIN`]'s first half: the snapshot alone, for callers (drift) that
/// read other tables with the session's own search path first.
pub(crate) const BEGIN_SNAPSHOT: &str = begin_snapshot!();

/// [`BEGIN`]'s second half.
pub(crate) const SET_SEARCH_PATH: &str = set_search_path!();

const Q_NAMESPACES: &str = concat!(
    "SELECT s.isolation, s.read_only, s.public_usable, n.oid, n.nspname::text, \
            n.nspacl::text[], pg_get_userbyid(n.nspowner)::text \
     FROM (SELECT current_setting('transaction_isolation') AS isolation, \
                  current_setting('transaction_read_only') AS read_only, \
                  NOT EXISTS (SELECT FROM pg_namespace p WHERE p.nspname = 'public') \
                  OR 'public' = ANY (current_schemas(false)) AS public_usable) s \
     LEFT JOIN pg_namespace n ON ",
    user_namespace!(),
    " ORDER BY n.nspname"
);

const Q_EXTENSIONS: &str = "SELECT e.extname::text, n.nspname::text, e.extversion \
     FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace \
     ORDER BY e.extname";

const Q_TABLES: &str = concat!(
    "SELECT c.oid, n.nspname::text, c.relname::text, c.relpersistence = 'u', \
            c.relrowsecurity, c.relforcerowsecurity, \
            CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END, \
            c.reloptions::text[], tc.reloptions::text[], c.relreplident::text, \
            c.relispartition, \
            CASE WHEN c.reloftype <> 0 THEN format_type(c.reloftype, NULL) END, \
            ARRAY(SELECT pn.nspname::text FROM pg_inherits ih \
                  JOIN pg_class pc ON pc.oid = ih.inhparent \
                  JOIN pg_namespace pn ON pn.oid = pc.relnamespace \
                  WHERE ih.inhrelid = c.oid ORDER BY ih.inhseqno), \
            am.amname::text, \
            ARRAY(SELECT pc.relname::text FROM pg_inherits ih \
                  JOIN pg_class pc ON pc.oid = ih.inhparent \
                  WHERE ih.inhrelid = c.oid ORDER BY ih.inhseqno), \
            CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END, \
            c.relacl::text[], pg_get_userbyid(c.relowner)::text \
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_class tc ON tc.oid = c.reltoastrelid \
     LEFT JOIN pg_am am ON am.oid = c.relam \
     WHERE c.relkind IN ('r', 'p') AND ",
    user_namespace!(),
    " AND ",
    not_extension!("pg_class", "c.oid"),
    " ORDER BY c.oid"
);

const Q_COLUMNS: &str = concat!(
    "SELECT a.attrelid, a.attnum::int4, a.attname::text, format_type(a.atttypid, a.atttypmod), \
            a.attnotnull, \
            CASE WHEN a.atthasdef THEN pg_get_expr(ad.adbin, ad.adrelid) END, \
            a.attgenerated::text, a.attidentity::text, \
            CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation \
                 THEN cn.nspname::text END, \
            CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation \
                 THEN co.collname::text END, \
            a.attstattarget::int4, a.attstorage <> t.typstorage, a.attstorage::text, \
            t.typstorage::text, a.attcompression::text, a.attoptions::text[], \
            idn.oid, idn.nspname, idn.relname, idn.seqtype, idn.seqstart, idn.seqincrement, \
            idn.seqmin, idn.seqmax, idn.seqcache, idn.seqcycle, \
            a.attislocal, a.attinhcount::int4, \
            a.attacl::text[], pg_get_userbyid(c.relowner)::text \
     FROM pg_attribute a \
     JOIN pg_class c ON c.oid = a.attrelid \
     JOIN pg_namespace n ON n.oid = c.relnamespace \
     JOIN pg_type t ON t.oid = a.atttypid \
     LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum \
     LEFT JOIN pg_collation co ON co.oid = a.attcollation \
     LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace \
     LEFT JOIN LATERAL (SELECT sc.oid, sn.nspname::text, sc.relname::text, \
                               format_type(sq.seqtypid, NULL) AS seqtype, sq.seqstart, \
                               sq.seqincrement, sq.seqmin, sq.seqmax, sq.seqcache, sq.seqcycle \
                        FROM pg_depend d JOIN pg_class sc ON sc.oid = d.objid \
                        JOIN pg_namespace sn ON sn.oid = sc.relnamespace \
                        JOIN pg_sequence sq ON sq.seqrelid = sc.oid \
                        WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass \
                          AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum \
                          AND d.deptype = 'i' AND a.attidentity <> '' LIMIT 1) idn ON true \
     WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND ",
    user_namespace!(),
    " AND ",
    not_extension!("pg_class", "c.oid"),
    " ORDER BY a.attrelid, a.attnum"
);

const Q_CONSTRAINTS: &str = concat!(
    "SELECT co.oid, co.conrelid, co.conname::text, co.contype::text, \
            co.condeferrable, co.condeferred, co.convalidated, \
            ARRAY(SELECT a.attname::text FROM unnest(co.conkey) WITH ORDINALITY k(attnum, ord) \
                  JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.attnum \
                  ORDER BY k.ord), \
            ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord) \
                  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
                  WHERE k.ord > i.indnkeyatts ORDER BY k.ord), \
            coalesce(i.indnullsnotdistinct, false), \
            fn.nspname::text, fc.relname::text, \
            ARRAY(SELECT a.attname::text FROM unnest(co.confkey) WITH ORDINALITY k(attnum, ord) \
                  JOIN pg_attribute a ON a.attrelid = co.confrelid AND a.attnum = k.attnum \
                  ORDER BY k.ord), \
            co.confdeltype::text, co.confupdtype::text, co.confmatchtype::text, \
            CASE WHEN co.contype = 'c' THEN pg_get_expr(co.conbin, co.conrelid) END, \
            co.connoinherit, \
            CASE WHEN co.contype = 'x' THEN pg_get_constraintdef(co.oid) END, \
            co.conindid, ic.reloptions::text[], coalesce(i.indisclustered, false), \
            coalesce(cardinality(co.confdelsetcols), 0) > 0, \
            EXISTS (SELECT FROM pg_attribute ia WHERE ia.attrelid = co.conindid \
                    AND co.contype IN ('p', 'u', 'x') AND ia.attstattarget >= 0), \
            co.conislocal, co.coninhcount::int4 \
     FROM pg_constraint co \
     JOIN pg_class c ON c.oid = co.conrelid \
     JOIN pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_index i ON i.indexrelid = co.conindid AND co.contype IN ('p', 'u', 'x') \
     LEFT JOIN pg_class ic ON ic.oid = i.indexrelid \
     LEFT JOIN pg_class fc ON fc.oid = co.confrelid AND co.contype = 'f' \
     LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace \
     WHERE co.contype IN ('p', 'u', 'f', 'c', 'x') AND c.relkind IN ('r', 'p') \
       AND NOT EXISTS (SELECT FROM pg_constraint pc \
                       WHERE pc.oid = co.conparentid AND pc.conrelid = co.conrelid) AND ",
    user_namespace!(),
    " AND ",
    not_extension!("pg_class", "c.oid"),
    " ORDER BY co.conrelid, co.conname"
);

const Q_INDEXES: &str = concat!(
    "SELECT ic.oid, i.indrelid, ic.relname::text, i.indisunique, am.amname::text, \
            i.indnkeyatts::int4, i.indnullsnotdistinct, \
            CASE WHEN i.indpred IS NOT NULL THEN pg_get_expr(i.indpred, i.indrelid) END, \
            i.indexprs::text, \
            k.ord::int4, k.attnum::int4, ta.attname::text, \
            CASE WHEN k.attnum = 0 THEN pg_get_indexdef(i.indexrelid, k.ord::int4, false) END, \
            CASE WHEN NOT opc.opcdefault THEN opn.nspname::text END, \
            CASE WHEN NOT opc.opcdefault THEN opc.opcname::text END, \
            k.opt::int4, coalesce(k.coll, 0), cln.nspname::text, cl.collname::text, \
            coalesce(ta.attcollation, 0), \
            ic.reloptions::text[], i.indisclustered, coalesce(ia.attstattarget, -1)::int4, \
            (SELECT ARRAY[pn.nspname::text, pic.relname::text] FROM pg_inherits ih \
             JOIN pg_class pic ON pic.oid = ih.inhparent \
             JOIN pg_namespace pn ON pn.oid = pic.relnamespace \
             WHERE ih.inhrelid = i.indexrelid) \
     FROM pg_index i \
     JOIN pg_class ic ON ic.oid = i.indexrelid \
     JOIN pg_class c ON c.oid = i.indrelid \
     JOIN pg_namespace n ON n.oid = c.relnamespace \
     JOIN pg_am am ON am.oid = ic.relam \
     CROSS JOIN LATERAL unnest(i.indkey::int2[], i.indclass::oid[], i.indoption::int2[], \
                               i.indcollation::oid[]) \
                WITH ORDINALITY AS k(attnum, opclass, opt, coll, ord) \
     LEFT JOIN pg_attribute ta ON ta.attrelid = i.indrelid AND ta.attnum = k.attnum AND k.attnum > 0 \
     LEFT JOIN pg_attribute ia ON ia.attrelid = i.indexrelid AND ia.attnum = k.ord \
     LEFT JOIN pg_opclass opc ON opc.oid = k.opclass \
     LEFT JOIN pg_namespace opn ON opn.oid = opc.opcnamespace \
     LEFT JOIN pg_collation cl ON cl.oid = k.coll \
     LEFT JOIN pg_namespace cln ON cln.oid = cl.collnamespace \
     WHERE c.relkind IN ('r', 'p', 'm') \
       AND NOT EXISTS (SELECT FROM pg_constraint bc WHERE bc.conindid = i.indexrelid \
                       AND bc.conrelid = i.indrelid AND bc.contype IN ('p', 'u', 'x')) AND ",
    user_namespace!(),
    " AND ",
    not_extension!("pg_class", "c.oid"),
    " ORDER BY ic.oid, k.ord"
);

/// Enums, domains and composite types (`typtype` e, d, c; a composite
/// type only when it has its own relation, not a table's row type). Enums
/// carry their labels; domains their base type, collation, default, NOT
/// NULL and CHECKs (name, `pg_get_expr(conbin, 0)`, validated, comment);
/// composite types their attributes (name, `format_type`, collation when
/// not the type's default) and the relation whose comments hold the
/// attributes'.
const Q_TYPES: &str = concat!(
    "SELECT t.oid, n.nspname::text, t.typname::text, t.typtype::text, \
            ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid \
                  ORDER BY e.enumsortorder), \
            CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END, \
            CASE WHEN t.typtype = 'd' AND t.typcollation <> bt.typcollation \
                 THEN ARRAY[cn.nspname::text, co.collname::text] END, \
            CASE WHEN t.typtype = 'd' THEN pg_get_expr(t.typdefaultbin, 0) END, \
            t.typnotnull, \
            ARRAY(SELECT k.conname::text FROM pg_constraint k WHERE k.contypid = t.oid \
                  AND k.contype = 'c' ORDER BY k.conname), \
            ARRAY(SELECT pg_get_expr(k.conbin, 0) FROM pg_constraint k WHERE k.contypid = t.oid \
                  AND k.contype = 'c' ORDER BY k.conname), \
            ARRAY(SELECT k.convalidated FROM pg_constraint k WHERE k.contypid = t.oid \
                  AND k.contype = 'c' ORDER BY k.conname), \
            ARRAY(SELECT k.oid FROM pg_constraint k WHERE k.contypid = t.oid \
                  AND k.contype = 'c' ORDER BY k.conname), \
            t.typrelid, \
            ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = t.typrelid \
                  AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum), \
            ARRAY(SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a \
                  WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped \
                  ORDER BY a.attnum), \
            ARRAY(SELECT CASE WHEN a.attcollation <> at.typcollation THEN aco.collname::text END \
                  FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid \
                  LEFT JOIN pg_collation aco ON aco.oid = a.attcollation \
                  WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped \
                  ORDER BY a.attnum), \
            ARRAY(SELECT a.attnum::int4 FROM pg_attribute a WHERE a.attrelid = t.typrelid \
                  AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum), \
            ARRAY(SELECT CASE WHEN a.attcollation <> at.typcollation THEN acn.nspname::text END \
                  FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid \
                  LEFT JOIN pg_collation aco ON aco.oid = a.attcollation \
                  LEFT JOIN pg_namespace acn ON acn.oid = aco.collnamespace \
                  WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped \
                  ORDER BY a.attnum), \
            t.typacl::text[], pg_get_userbyid(t.typowner)::text \
     FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
     LEFT JOIN pg_type bt ON bt.oid = t.typbasetype \
     LEFT JOIN pg_collation co ON co.oid = t.typcollation \
     LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace \
     WHERE (t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND EXISTS \
            (SELECT FROM pg_class r WHERE r.oid = t.typrelid AND r.relkind = 'c'))) AND ",
    user_namespace!(),
    " AND ",
    not_extension!("pg_type", "t.oid"),
    " ORDER BY t.oid"
);

const Q_SEQUENCES: &str = concat!(
    "SELECT c.oid, n.nspname::text, c.relname::text, format_type(s.seqtypid, NULL), \
            s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle, \
            oc.relname::text, oa.attname::text, \
            c.relacl::text[], pg_get_userbyid(c.relowner)::text \
     FROM pg_sequence s \
     JOIN pg_class c ON c.oid = s.seqrelid \
     JOIN pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_depend od ON od.classid = 'pg_class'::regclass AND od.objid = c.oid \
          AND od.objsubid = 0 AND od.refclassid = 'pg_class'::regclass \
          AND od.refobjsubid > 0 AND od.deptype = 'a' \
     LEFT JOIN pg_class oc ON oc.oid = od.refobjid \
     LEFT JOIN pg_attribute oa ON oa.attrelid = od.refobjid AND oa.attnum = od.refobjsubid \
     WHERE c.relkind = 'S' \
       AND NOT EXISTS (SELECT FROM pg_depend di WHERE di.classid = 'pg_class'::regclass \
                       AND di.objid = c.oid AND di.deptype = 'i') AND ",
    user_namespace!(),
    " AND ",
    not_extension!("pg_class", "c.oid"),
    " ORDER BY c.oid"
);

const Q_UNMANAGED: &str = concat!(
    "SELECT 'foreign_table', \
            n.nspname::text, NULL::text, c.relname::text, NULL::text, NULL::text \
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE c.relkind = 'f' AND ",
    user_namespace!(),
    " AND ",
    not_extension!("pg_class", "c.oid"),
    " UNION ALL \
     SELECT 'range_type', n.nspname::text, NULL::text, t.typname::text, NULL::text, NULL::text \
     FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
     WHERE t.typtype = 'r' AND ",
    user_namespace!(),
    " AND ",
    not_extension!("pg_type", "t.oid"),
    " UNION ALL \
     SELECT CASE p.prokind WHEN 'a' THEN 'aggregate' ELSE 'function' END, \
            n.nspname::text, NULL::text, p.proname::text, oidvectortypes(p.proargtypes), \
            NULL::text \
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
     WHERE p.prokind IN ('a', 'w') AND NOT EXISTS (SELECT FROM pg_depend dp WHERE dp.classid = 'pg_proc'::regclass \
                       AND dp.objid = p.oid AND dp.deptype IN ('e', 'i')) AND ",
    user_namespace!(),
    " UNION ALL \
     SELECT 'trigger', n.nspname::text, c.relname::text, tg.tgname::text, NULL::text, \
            tg.tgenabled::text \
     FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid \
     JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE NOT tg.tgisinternal AND c.relkind NOT IN ('r', 'p') AND ",
    user_namespace!(),
    " AND ",
    not_extension!("pg_class", "c.oid"),
    " UNION ALL \
     SELECT 'rule', n.nspname::text, c.relname::text, r.rulename::text, NULL::text, \
            r.ev_enabled::text \
     FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class \
     JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE r.rulename <> '_RETURN' AND ",
    user_namespace!(),
    " AND ",
    not_extension!("pg_class", "c.oid"),
    " UNION ALL \
     SELECT 'event_trigger', NULL::text, NULL::text, ev.evtname::text, NULL::text, \
            NULL::text \
     FROM pg_event_trigger ev WHERE ",
    not_extension!("pg_event_trigger", "ev.oid"),
    " UNION ALL \
     SELECT 'publication', NULL::text, NULL::text, pb.pubname::text, NULL::text, \
            NULL::text \
     FROM pg_publication pb \
     UNION ALL \
     SELECT 'operator', n.nspname::text, NULL::text, o.oprname::text, \
            concat(CASE WHEN o.oprleft = 0 THEN 'NONE' ELSE format_type(o.oprleft, NULL) END, ', ', \
                   CASE WHEN o.oprright = 0 THEN 'NONE' ELSE format_type(o.oprright, NULL) END), \
            NULL::text \
     FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace WHERE ",
    user_namespace!(),
    " AND ",
    not_extension!("pg_operator", "o.oid")
);

/// Functions and procedures (aggregates and window functions are read by
/// name with the unmanaged objects). Arguments come as parallel arrays in
/// argument order: types (`format_type`), modes, names, and defaults —
/// `pg_get_function_arg_default` numbers arguments from 1 over all of them,
/// `OUT` and `TABLE` included.
const Q_ROUTINES: &str = concat!(
    "SELECT p.oid, n.nspname::text, p.proname::text, p.prokind::text, l.lanname::text, \
            ARRAY(SELECT format_type(a.t, NULL) \
                  FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) \
                       WITH ORDINALITY a(t, k) ORDER BY a.k), \
            p.proargmodes::text[], p.proargnames::text[], \
            ARRAY(SELECT pg_get_function_arg_default(p.oid, a.k::int4) \
                  FROM generate_series(1, coalesce(cardinality(p.proallargtypes), \
                                                   p.pronargs::int4)) a(k) ORDER BY a.k), \
            pg_get_function_result(p.oid), \
            CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid) END, \
            p.prosrc, p.probin, p.provolatile::text, p.proisstrict, p.prosecdef, \
            p.proleakproof, p.proparallel::text, p.procost::text, p.prorows::text, \
            p.proconfig, d.description, pg_get_functiondef(p.oid), \
            p.proacl::text[], pg_get_userbyid(p.proowner)::text \
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
     JOIN pg_language l ON l.oid = p.prolang \
     LEFT JOIN pg_description d ON d.classoid = 'pg_proc'::regclass AND d.objoid = p.oid \
          AND d.objsubid = 0 \
     WHERE p.prokind IN ('f', 'p') \
       AND NOT EXISTS (SELECT FROM pg_depend dp WHERE dp.classid = 'pg_proc'::regclass \
                       AND dp.objid = p.oid AND dp.deptype IN ('e', 'i')) AND ",
    user_namespace!(),
    " ORDER BY n.nspname, p.proname, p.oid"
);

/// Row-level security policies by definition: command, permissive, the
/// roles by name (`public` for PUBLIC, `polroles = {0}`; `pg_roles`, which
/// every role may read), USING and WITH CHECK as `pg_get_expr` prints them
/// over the table, and the comment.
const Q_POLICIES: &str = concat!(
    "SELECT n.nspname::text, c.relname::text, pol.polname::text, pol.polcmd::text, \
            pol.polpermissive, \
            ARRAY(SELECT CASE WHEN r.id = 0 THEN 'public' \
                              ELSE (SELECT ro.rolname::text FROM pg_roles ro WHERE ro.oid = r.id) END \
                  FROM unnest(pol.polroles) r(id)), \
            pg_get_expr(pol.polqual, pol.polrelid), pg_get_expr(pol.polwithcheck, pol.polrelid), \
            d.description \
     FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid \
     JOIN pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_description d ON d.classoid = 'pg_policy'::regclass AND d.objoid = pol.oid \
          AND d.objsubid = 0 \
     WHERE ",
    user_namespace!(),
    " AND ",
    not_extension!("pg_class", "c.oid"),
    " ORDER BY 1, 2, 3"
);

/// Triggers on tables (not internal ones: foreign keys' `RI_ConstraintTrigger`
/// and the like), by table: `tgtype` bits, `UPDATE OF` columns in `tgattr`
/// order, `tgargs` (NUL-terminated strings), the state, the constraint
/// trigger's deferral and `FROM` table, transition tables, the function as
/// the catalog holds it, `pg_get_triggerdef` (to write back, and for the
/// `WHEN` condition, printed as stored) and the comment. Triggers on views
/// are read by name with the unmanaged objects.
const Q_TRIGGERS: &str = concat!(
    "SELECT tg.tgrelid, tg.tgname::text, tg.tgtype::int4, \
            ARRAY(SELECT a.attname::text FROM unnest(tg.tgattr::int2[]) WITH ORDINALITY k(attnum, ord) \
                  JOIN pg_attribute a ON a.attrelid = tg.tgrelid AND a.attnum = k.attnum \
                  ORDER BY k.ord), \
            tg.tgnargs::int4, tg.tgargs, tg.tgenabled::text, tg.tgconstraint <> 0, \
            tg.tgdeferrable, tg.tginitdeferred, rn.nspname::text, rc.relname::text, \
            tg.tgoldtable::text, tg.tgnewtable::text, pn.nspname::text, p.proname::text, \
            tg.tgqual IS NOT NULL, pg_get_triggerdef(tg.oid), d.description, \
            tg.tgparentid <> 0 \
     FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid \
     JOIN pg_namespace n ON n.oid = c.relnamespace \
     JOIN pg_proc p ON p.oid = tg.tgfoid \
     JOIN pg_namespace pn ON pn.oid = p.pronamespace \
     LEFT JOIN pg_class rc ON rc.oid = tg.tgconstrrelid \
     LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace \
     LEFT JOIN pg_description d ON d.classoid = 'pg_trigger'::regclass AND d.objoid = tg.oid \
          AND d.objsubid = 0 \
     WHERE NOT tg.tgisinternal AND c.relkind IN ('r', 'p') AND ",
    user_namespace!(),
    " AND ",
    not_extension!("pg_class", "c.oid"),
    " ORDER BY tg.tgrelid, tg.tgname"
);

/// Views and materialized views: the query as `pg_get_viewdef` prints it,
/// reloptions (`check_option` among them), `relispopulated`, and the
/// columns as parallel arrays in `attnum` order (numbers, names,
/// `format_type` types, defaults). Their comments come with the others.
const Q_VIEWS: &str = concat!(
    "SELECT c.oid, n.nspname::text, c.relname::text, c.relkind = 'm', \
            pg_get_viewdef(c.oid), c.reloptions::text[], c.relispopulated, \
            ARRAY(SELECT a.attnum::int4 FROM pg_attribute a WHERE a.attrelid = c.oid \
                  AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum), \
            ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid \
                  AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum), \
            ARRAY(SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a \
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
                  ORDER BY a.attnum), \
            ARRAY(SELECT pg_get_expr(ad.adbin, ad.adrelid) FROM pg_attribute a \
                  LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum \
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
                  ORDER BY a.attnum), \
            am.amname::text, \
            ARRAY(SELECT a.attacl::text FROM pg_attribute a WHERE a.attrelid = c.oid \
                  AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum), \
            c.relacl::text[], pg_get_userbyid(c.relowner)::text \
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_am am ON am.oid = c.relam \
     WHERE c.relkind IN ('v', 'm') AND ",
    user_namespace!(),
    " AND ",
    not_extension!("pg_class", "c.oid"),
    " ORDER BY c.oid"
);

/// Default privileges (`pg_default_acl`): whose, in which schema (none:
/// everywhere), for which kind, the ACL, and the database's owner (the
/// role whose defaults the offline model calls the owner's).
const Q_DEFAULT_ACLS: &str = concat!(
    "SELECT pg_get_userbyid(d.defaclrole)::text, n.nspname::text, d.defaclobjtype::text, \
            d.defaclacl::text[], \
            (SELECT pg_get_userbyid(db.datdba)::text FROM pg_database db \
             WHERE db.datname = current_database()) \
     FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace \
     WHERE d.defaclnamespace = 0 OR (",
    user_namespace!(),
    ") ORDER BY 1, 2, 3"
);

const Q_COMMENTS: &str = "SELECT CASE d.classoid WHEN 'pg_namespace'::regclass THEN 'n' \
                                         WHEN 'pg_class'::regclass THEN 'c' \
                                         WHEN 'pg_constraint'::regclass THEN 'k' \
                                         ELSE 't' END, \
            d.objoid, d.objsubid, d.description \
     FROM pg_description d \
     WHERE d.classoid IN ('pg_namespace'::regclass, 'pg_class'::regclass, \
                          'pg_constraint'::regclass, 'pg_type'::regclass) \
       AND (d.objoid >= 16384 OR d.classoid = 'pg_namespace'::regclass)";

/// Collations: provider (`c` libc, `i` icu), locales, determinism and the
/// comment. The encoding and version are not read (pg_dump keeps neither).
const Q_COLLATIONS: &str = concat!(
    "SELECT n.nspname::text, cl.collname::text, cl.collprovider::text, cl.collcollate, \
            cl.collctype, cl.colliculocale, cl.collisdeterministic, \
            obj_description(cl.oid, 'pg_collation') \
     FROM pg_collation cl JOIN pg_namespace n ON n.oid = cl.collnamespace WHERE ",
    user_namespace!(),
    " AND ",
    not_extension!("pg_collation", "cl.oid"),
    " ORDER BY cl.oid"
);

/// Every catalog query [`inspect`] runs, in order, each exactly once. Each
/// takes one parameter, `$1 text[]`: the namespaces to read, or NULL.
pub const QUERIES: [(&str, &str); 16] = [
    ("namespaces", Q_NAMESPACES),
    ("extensions", Q_EXTENSIONS),
    ("tables", Q_TABLES),
    ("columns", Q_COLUMNS),
    ("constraints", Q_CONSTRAINTS),
    ("indexes", Q_INDEXES),
    ("types", Q_TYPES),
    ("sequences", Q_SEQUENCES),
    ("unmanaged objects", Q_UNMANAGED),
    ("comments", Q_COMMENTS),
    ("routines", Q_ROUTINES),
    ("policies", Q_POLICIES),
    ("collations", Q_COLLATIONS),
    ("triggers", Q_TRIGGERS),
    ("views", Q_VIEWS),
    ("default privileges", Q_DEFAULT_ACLS),
];

/// Connects to `url` (without TLS), reads the database and disconnects.
pub async fn inspect_url(url: &str, opts: &InspectOptions) -> Result<Schema, InspectError> {
    let session = crate::conn::connect(url).await.map_err(|e| match e {
        crate::conn::ConnectError::Url { reason } => InspectError::Url { reason },
        crate::conn::ConnectError::Connect {
            target,
            reason,
            advice,
        } => InspectError::Connect {
            target,
            reason,
            advice,
        },
        crate::conn::ConnectError::Tls { target, reason } => InspectError::Connect {
            target,
            reason,
            advice: "strata reads libpq's TLS settings: sslmode, sslrootcert, sslcert, sslkey, \
                     sslcrl (in the URL, or PGSSLMODE, PGSSLROOTCERT, …)"
                .to_string(),
        },
    })?;
    let result = inspect(&session.client, opts).await.map_err(|e| match e {
        InspectError::Query { step, reason } => InspectError::Query {
            step,
            reason: session.redact(&reason),
        },
        other => other,
    });
    session.close().await;
    result
}

/// Reads the database `client` is connected to. The client must not be
/// inside a transaction: `inspect` opens and commits its own.
pub async fn inspect(client: &Client, opts: &InspectOptions) -> Result<Schema, InspectError> {
    begin(client, BEGIN).await?;
    read_and_commit(client, opts).await
}

/// Opens the read-only snapshot with `sql` ([`BEGIN`] or
/// [`BEGIN_SNAPSHOT`]).
pub(crate) async fn begin(client: &Client, sql: &str) -> Result<(), InspectError> {
    client.batch_execute(sql).await.map_err(|e| {
        if e.code() == Some(&SqlState::ACTIVE_SQL_TRANSACTION) {
            InspectError::Session {
                reason: format!(
                    "the connection is already inside a transaction ({})",
                    describe(&e)
                ),
                help: NOT_IN_TRANSACTION,
            }
        } else {
            InspectError::Query {
                step: "begin",
                reason: describe(&e),
            }
        }
    })
}

/// Inside the transaction [`begin`] opened (with `search_path` set): reads
/// the catalog, checks the session, and commits (or rolls back on error).
pub(crate) async fn read_and_commit(
    client: &Client,
    opts: &InspectOptions,
) -> Result<Schema, InspectError> {
    match read_all(client, opts).await {
        Ok(rows) => {
            match check_session(&rows) {
                Ok(()) => {}
                // Not our transaction (the client was already in one): leave
                // it to its owner.
                Err((e, Transaction::Foreign)) => return Err(e),
                Err((e, Transaction::Ours)) => {
                    let _ = client.batch_execute("ROLLBACK").await;
                    return Err(e);
                }
            }
            client
                .batch_execute("COMMIT")
                .await
                .map_err(|e| InspectError::Query {
                    step: "commit",
                    reason: describe(&e),
                })?;
            build(rows)
        }
        Err(e) => {
            let _ = client.batch_execute("ROLLBACK").await;
            Err(e)
        }
    }
}

/// The rows of every query of [`QUERIES`], in order.
struct CatalogRows {
    namespaces: Vec<Row>,
    extensions: Vec<Row>,
    tables: Vec<Row>,
    columns: Vec<Row>,
    constraints: Vec<Row>,
    indexes: Vec<Row>,
    enums: Vec<Row>,
    sequences: Vec<Row>,
    unmanaged: Vec<Row>,
    comments: Vec<Row>,
    routines: Vec<Row>,
    collations: Vec<Row>,
    policies: Vec<Row>,
    triggers: Vec<Row>,
    views: Vec<Row>,
    default_acls: Vec<Row>,
}

async fn read_all(client: &Client, opts: &InspectOptions) -> Result<CatalogRows, InspectError> {
    let filter: Option<Vec<String>> = opts.namespaces.clone();
    let run = |index: usize| {
        let (step, sql) = QUERIES[index];
        let filter = &filter;
        async move {
            let params: [(&(dyn ToSql + Sync), Type); 1] = [(filter, Type::TEXT_ARRAY)];
            client
                .query_typed(sql, &params)
                .await
                .map_err(|e| InspectError::Query {
                    step,
                    reason: describe(&e),
                })
        }
    };
    let (namespaces, extensions, tables, columns, constraints) =
        tokio::try_join!(run(0), run(1), run(2), run(3), run(4))?;
    let (indexes, enums, sequences, unmanaged, comments, routines, policies) =
        tokio::try_join!(run(5), run(6), run(7), run(8), run(9), run(10), run(11))?;
    let (collations, triggers, views, default_acls) =
        tokio::try_join!(run(12), run(13), run(14), run(15))?;
    Ok(CatalogRows {
        namespaces,
        extensions,
        tables,
        columns,
        constraints,
        indexes,
        enums,
        sequences,
        unmanaged,
        comments,
        routines,
        collations,
        policies,
        triggers,
        views,
        default_acls,
    })
}

/// Confirms the queries ran in the transaction `inspect` opened, and that
/// `search_path = public` took effect (it silently does not when the role
/// lacks USAGE on `public`, and every public name would come out qualified).
fn check_session(rows: &CatalogRows) -> Result<(), (InspectError, Transaction)> {
    const STEP: &str = "namespaces";
    let Some(row) = rows.namespaces.first() else {
        let e = InspectError::Catalog {
            step: STEP,
            reason: "the session check returned no row".to_string(),
        };
        return Err((e, Transaction::Ours));
    };
    let read = |index| get::<String>(row, index, STEP).map_err(|e| (e, Transaction::Ours));
    let isolation = read(0)?;
    let read_only = read(1)?;
    let public_usable: bool = get(row, 2, STEP).map_err(|e| (e, Transaction::Ours))?;
    if isolation != "repeatable read" || read_only != "on" {
        let e = InspectError::Session {
            reason: format!(
                "the connection was already inside a transaction ({isolation}, read only: \
                 {read_only})"
            ),
            help: NOT_IN_TRANSACTION,
        };
        return Err((e, Transaction::Foreign));
    }
    if !public_usable {
        let e = InspectError::Session {
            reason: "the role lacks USAGE on schema public, so names in public cannot be \
                     printed unqualified"
                .to_string(),
            help: "GRANT USAGE ON SCHEMA public to the inspecting role (PostgreSQL grants it \
                   to PUBLIC by default)",
        };
        return Err((e, Transaction::Ours));
    }
    Ok(())
}

const NOT_IN_TRANSACTION: &str =
    "pass a client that is not inside a transaction: inspect opens its own";

/// Whose transaction the queries ran in.
enum Transaction {
    Ours,
    /// The caller's: `BEGIN` only warned.
    Foreign,
}

fn get<'a, T: FromSql<'a>>(
    row: &'a Row,
    index: usize,
    step: &'static str,
) -> Result<T, InspectError> {
    row.try_get(index).map_err(|e| InspectError::Catalog {
        step,
        reason: describe(&e),
    })
}

/// Comment keys: (catalog, object id, sub-id). Catalogs: `n` namespace,
/// `c` relation (tables, columns, indexes, sequences), `k` constraint,
/// `t` type.
type Comments = HashMap<(char, u32, i32), String>;

fn take_comment(comments: &mut Comments, catalog: char, oid: u32, sub: i32) -> Option<String> {
    comments.remove(&(catalog, oid, sub))
}

fn normalized(
    f: fn(&str) -> Result<String, String>,
    text: &str,
    object: impl FnOnce() -> String,
    what: &'static str,
) -> Result<String, InspectError> {
    f(text).map_err(|reason| InspectError::Normalize {
        object: object(),
        what,
        text: text.to_string(),
        reason,
    })
}

/// `ns.name` with both parts quoted as needed; `pg_catalog` and `public`
/// left out (collations, operator classes).
fn qualified_unless_builtin(namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) if ns != "pg_catalog" && ns != "public" => {
            format!("{}.{}", quote_ident(ns), quote_ident(name))
        }
        _ => quote_ident(name),
    }
}

fn fk_action(code: &str) -> Result<FkAction, InspectError> {
    Ok(match code {
        "a" => FkAction::NoAction,
        "r" => FkAction::Restrict,
        "c" => FkAction::Cascade,
        "n" => FkAction::SetNull,
        "d" => FkAction::SetDefault,
        other => {
            return Err(InspectError::Catalog {
                step: "constraints",
                reason: format!("unknown foreign key action {other:?}"),
            })
        }
    })
}

fn build(rows: CatalogRows) -> Result<Schema, InspectError> {
    let mut schema = Schema::default();

    let mut comments: Comments = HashMap::new();
    for row in &rows.comments {
        let catalog: String = get(row, 0, "comments")?;
        let oid: u32 = get(row, 1, "comments")?;
        let sub: i32 = get(row, 2, "comments")?;
        let text: String = get(row, 3, "comments")?;
        let catalog = catalog.chars().next().unwrap_or('?');
        comments.insert((catalog, oid, sub), text);
    }

    for row in &rows.namespaces {
        let oid: Option<u32> = get(row, 3, "namespaces")?;
        let name: Option<String> = get(row, 4, "namespaces")?;
        let (Some(oid), Some(name)) = (oid, name) else {
            continue;
        };
        let comment = take_comment(&mut comments, 'n', oid, 0);
        let acl = read_acl(row, 5, AclKind::Namespace, "namespaces", || {
            format!("schema {}", quote_ident(&name))
        })?;
        schema.namespaces.insert(
            name,
            Namespace {
                comment,
                acl,
                ..Namespace::default()
            },
        );
    }

    for row in &rows.extensions {
        let name: String = get(row, 0, "extensions")?;
        let namespace: String = get(row, 1, "extensions")?;
        let version: Option<String> = get(row, 2, "extensions")?;
        schema
            .extensions
            .insert(name, Extension { namespace, version });
    }

    // Objects whose comments strata cannot hold (the index of a constraint,
    // an identity sequence): refused if commented.
    let mut hidden_comments: Vec<(u32, String)> = Vec::new();

    // Tables, by oid: (namespace, name).
    let mut table_names: HashMap<u32, (String, String)> = HashMap::new();
    for row in &rows.tables {
        let oid: u32 = get(row, 0, "tables")?;
        let namespace: String = get(row, 1, "tables")?;
        let name: String = get(row, 2, "tables")?;
        let object = format!("table {}.{}", quote_ident(&namespace), quote_ident(&name));
        let raw_options: Option<Vec<String>> = get(row, 7, "tables")?;
        let toast_options: Option<Vec<String>> = get(row, 8, "tables")?;
        let replica_identity: String = get(row, 9, "tables")?;
        let is_partition: bool = get(row, 10, "tables")?;
        let of_type: Option<String> = get(row, 11, "tables")?;
        let parent_namespaces: Vec<String> = get(row, 12, "tables")?;
        let access_method: Option<String> = get(row, 13, "tables")?;
        let parent_names: Vec<String> = get(row, 14, "tables")?;
        let bound: Option<String> = get(row, 15, "tables")?;
        let parents: Vec<RelationRef> = parent_namespaces
            .into_iter()
            .zip(parent_names)
            .map(|(n, t)| RelationRef::new(n, t))
            .collect();
        let (partition_of, inherits) = if is_partition {
            let (Some(parent), Some(bound)) = (parents.first().cloned(), bound) else {
                return Err(InspectError::Catalog {
                    step: "tables",
                    reason: format!("{object}: a partition without its parent or bound"),
                });
            };
            (
                Some(PartitionOf {
                    parent,
                    bound: Expression::from_server(bound),
                }),
                Vec::new(),
            )
        } else {
            (None, parents)
        };
        if let Some(t) = of_type {
            return Err(unsupported(
                &object,
                format!("a typed table (OF {t})"),
                "strata does not model typed tables yet; inspect the other namespaces only \
                 (--namespace), or declare the table with its columns",
            ));
        }
        if toast_options.is_some() {
            return Err(unsupported(
                &object,
                "a storage parameter of its TOAST table (toast.…)".to_string(),
                "strata does not model TOAST storage parameters yet: \
                 ALTER TABLE … RESET (toast.…) them, or inspect other namespaces only",
            ));
        }
        if replica_identity != "d" {
            let what = match replica_identity.as_str() {
                "f" => "FULL",
                "n" => "NOTHING",
                "i" => "USING INDEX",
                _ => "?",
            };
            return Err(unsupported(
                &object,
                format!("REPLICA IDENTITY {what}"),
                "strata does not model replica identity yet: \
                 ALTER TABLE … REPLICA IDENTITY DEFAULT, or inspect other namespaces only",
            ));
        }
        if let Some(am) = access_method.filter(|a| a != "heap") {
            return Err(unsupported(
                &object,
                format!("the table access method {am}"),
                "strata models heap tables only",
            ));
        }
        let table = Table {
            unlogged: get(row, 3, "tables")?,
            row_level_security: get(row, 4, "tables")?,
            force_row_level_security: get(row, 5, "tables")?,
            partition_by: get(row, 6, "tables")?,
            comment: take_comment(&mut comments, 'c', oid, 0),
            options: rel_options(raw_options, "tables")?,
            partition_of,
            inherits,
            acl: read_acl(row, 16, AclKind::Relation, "tables", || object.clone())?,
            ..Table::default()
        };
        schema
            .namespaces
            .entry(namespace.clone())
            .or_default()
            .tables
            .insert(name.clone(), table);
        table_names.insert(oid, (namespace, name));
    }

    fn table_mut<'s>(
        schema: &'s mut Schema,
        names: &HashMap<u32, (String, String)>,
        oid: u32,
    ) -> Option<(&'s mut Table, String)> {
        let (ns, name) = names.get(&oid)?;
        let table = schema.namespaces.get_mut(ns)?.tables.get_mut(name)?;
        Some((table, format!("{}.{}", quote_ident(ns), quote_ident(name))))
    }

    for row in &rows.columns {
        const STEP: &str = "columns";
        let relid: u32 = get(row, 0, STEP)?;
        let attnum: i32 = get(row, 1, STEP)?;
        let name: String = get(row, 2, STEP)?;
        let raw_type: String = get(row, 3, STEP)?;
        let not_null: bool = get(row, 4, STEP)?;
        let raw_default: Option<String> = get(row, 5, STEP)?;
        let generated_kind: String = get(row, 6, STEP)?;
        let identity_kind: String = get(row, 7, STEP)?;
        let coll_ns: Option<String> = get(row, 8, STEP)?;
        let coll_name: Option<String> = get(row, 9, STEP)?;
        let stattarget: i32 = get(row, 10, STEP)?;
        let storage_changed: bool = get(row, 11, STEP)?;
        let storage: String = get(row, 12, STEP)?;
        let type_storage: String = get(row, 13, STEP)?;
        let compression: String = get(row, 14, STEP)?;
        let attoptions: Option<Vec<String>> = get(row, 15, STEP)?;
        let comment = take_comment(&mut comments, 'c', relid, attnum);
        let Some((table, table_name)) = table_mut(&mut schema, &table_names, relid) else {
            continue;
        };
        let object = || format!("column {table_name}.{}", quote_ident(&name));
        if storage_changed {
            return Err(unsupported(
                &object(),
                format!(
                    "SET STORAGE {} (the type's default is {})",
                    storage_name(&storage),
                    storage_name(&type_storage)
                ),
                "strata does not model column storage yet: set it back to the type's default, \
                 or inspect other namespaces only",
            ));
        }
        if !compression.is_empty() && compression != "\0" {
            return Err(unsupported(
                &object(),
                format!(
                    "COMPRESSION {}",
                    if compression == "l" { "lz4" } else { "pglz" }
                ),
                "strata does not model column compression yet: ALTER COLUMN … SET COMPRESSION \
                 default, or inspect other namespaces only",
            ));
        }
        // The server this was built against (15.20) keeps an internal
        // `pg_attver=N` in every column's attoptions: pg_dump does not print
        // it and `SET (pg_attver = …)` does not change it. Not a user option.
        let attoptions: Vec<String> = attoptions
            .unwrap_or_default()
            .into_iter()
            .filter(|o| !o.starts_with("pg_attver="))
            .collect();
        if !attoptions.is_empty() {
            let o = attoptions;
            return Err(unsupported(
                &object(),
                format!("attribute options ({})", o.join(", ")),
                "strata does not model column attribute options yet: ALTER COLUMN … RESET (…) \
                 them, or inspect other namespaces only",
            ));
        }
        let data_type = normalized(normalize::type_text, &raw_type, object, "type")?;
        let (default, generated) = match raw_default {
            Some(text) => {
                let expr = Expression::from_server(text);
                if generated_kind.is_empty() {
                    (Some(expr), None)
                } else {
                    (None, Some(expr))
                }
            }
            None => (None, None),
        };
        let identity = match identity_kind.as_str() {
            "a" => Some(Identity::Always),
            "d" => Some(Identity::ByDefault),
            _ => None,
        };
        let mut identity_options = None;
        if identity.is_some() {
            let seq_oid: Option<u32> = get(row, 16, STEP)?;
            let seq_ns: Option<String> = get(row, 17, STEP)?;
            let seq_name: Option<String> = get(row, 18, STEP)?;
            let seq_type: Option<String> = get(row, 19, STEP)?;
            let (Some(seq_oid), Some(seq_ns), Some(seq_name), Some(seq_type)) =
                (seq_oid, seq_ns, seq_name, seq_type)
            else {
                return Err(InspectError::Catalog {
                    step: STEP,
                    reason: format!("{}: identity sequence not found", object()),
                });
            };
            let (table_ns, table_bare) = &table_names[&relid];
            let expected_name =
                strata_core::names::choose_name(table_bare, Some(&name), "seq", |_| false);
            let seq_type = normalize::type_text(&seq_type).unwrap_or(seq_type);
            if seq_ns != *table_ns || seq_name != expected_name || seq_type != data_type {
                return Err(unsupported(
                    &object(),
                    format!(
                        "an identity sequence named {}.{} of type {seq_type} (strata models \
                         the name {} and the column's type only)",
                        quote_ident(&seq_ns),
                        quote_ident(&seq_name),
                        quote_ident(&expected_name)
                    ),
                    "strata does not model identity sequence names yet: \
                     ALTER SEQUENCE … RENAME TO table_column_seq, or inspect other namespaces only",
                ));
            }
            let mut seq = Sequence::with_defaults(&data_type);
            seq.start = get(row, 20, STEP)?;
            seq.increment = get(row, 21, STEP)?;
            seq.min_value = get(row, 22, STEP)?;
            seq.max_value = get(row, 23, STEP)?;
            seq.cache = get(row, 24, STEP)?;
            seq.cycle = get(row, 25, STEP)?;
            identity_options = strata_core::model::IdentityOptions::canonical(&seq);
            hidden_comments.push((
                seq_oid,
                format!(
                    "sequence {}.{}",
                    quote_ident(&seq_ns),
                    quote_ident(&seq_name)
                ),
            ));
        }
        let collation = coll_name.map(|c| qualified_unless_builtin(coll_ns.as_deref(), &c));
        let acl = read_acl(row, 28, AclKind::Column, STEP, || {
            format!("column {}", name)
        })?;
        table.columns.push(Column {
            acl,
            name,
            data_type,
            not_null,
            default,
            identity,
            identity_options,
            generated,
            collation,
            comment,
            statistics: (stattarget >= 0).then_some(stattarget),
            inherited: inherited(get(row, 26, STEP)?, get(row, 27, STEP)?),
        });
    }

    for row in &rows.constraints {
        const STEP: &str = "constraints";
        let oid: u32 = get(row, 0, STEP)?;
        let relid: u32 = get(row, 1, STEP)?;
        let name: String = get(row, 2, STEP)?;
        let contype: String = get(row, 3, STEP)?;
        let deferrable: bool = get(row, 4, STEP)?;
        let initially_deferred: bool = get(row, 5, STEP)?;
        let validated: bool = get(row, 6, STEP)?;
        let columns: Vec<String> = get(row, 7, STEP)?;
        let include: Vec<String> = get(row, 8, STEP)?;
        let nulls_not_distinct: bool = get(row, 9, STEP)?;
        let index_oid: u32 = get(row, 19, STEP)?;
        let index_options: Option<Vec<String>> = get(row, 20, STEP)?;
        let clustered: bool = get(row, 21, STEP)?;
        let set_columns: bool = get(row, 22, STEP)?;
        let index_statistics: bool = get(row, 23, STEP)?;
        let comment = take_comment(&mut comments, 'k', oid, 0);
        let Some((table, table_name)) = table_mut(&mut schema, &table_names, relid) else {
            continue;
        };
        let object = || format!("constraint {} on {table_name}", quote_ident(&name));
        if let Some(o) = index_options {
            return Err(unsupported(
                &object(),
                format!(
                    "storage parameters of the constraint's index ({})",
                    o.join(", ")
                ),
                "strata does not model storage parameters of a constraint's index yet: \
                 ALTER INDEX … RESET (…) them, or inspect other namespaces only",
            ));
        }
        if clustered {
            return Err(unsupported(
                &object(),
                "CLUSTER ON its index".to_string(),
                CLUSTER_HELP,
            ));
        }
        if set_columns {
            return Err(unsupported(
                &object(),
                "ON DELETE SET NULL/SET DEFAULT with a column list".to_string(),
                "strata does not model the column list of ON DELETE SET NULL/DEFAULT yet",
            ));
        }
        if index_statistics {
            return Err(unsupported(
                &object(),
                "a statistics target on a column of its index".to_string(),
                "strata models statistics targets on the columns of an index, not yet of a \
                 constraint's index (only an exclusion constraint's can have one): \
                 ALTER INDEX … ALTER COLUMN n SET STATISTICS -1",
            ));
        }
        if matches!(contype.as_str(), "p" | "u" | "x") {
            hidden_comments.push((
                index_oid,
                format!("index {} (of {})", quote_ident(&name), object()),
            ));
        }
        let kind = match contype.as_str() {
            "p" => ConstraintKind::PrimaryKey { columns, include },
            "u" => ConstraintKind::Unique {
                columns,
                include,
                nulls_not_distinct,
            },
            "f" => {
                let ref_namespace: Option<String> = get(row, 10, STEP)?;
                let ref_table: Option<String> = get(row, 11, STEP)?;
                let (Some(ref_namespace), Some(ref_table)) = (ref_namespace, ref_table) else {
                    return Err(InspectError::Catalog {
                        step: STEP,
                        reason: format!("{}: referenced table not found", object()),
                    });
                };
                let del: String = get(row, 13, STEP)?;
                let upd: String = get(row, 14, STEP)?;
                let matchtype: String = get(row, 15, STEP)?;
                ConstraintKind::ForeignKey {
                    columns,
                    ref_namespace,
                    ref_table,
                    ref_columns: get(row, 12, STEP)?,
                    on_delete: fk_action(&del)?,
                    on_update: fk_action(&upd)?,
                    match_full: matchtype == "f",
                }
            }
            "c" => {
                let text: Option<String> = get(row, 16, STEP)?;
                let text = text.unwrap_or_default();
                ConstraintKind::Check {
                    expression: Expression::from_server(text),
                    no_inherit: get(row, 17, STEP)?,
                }
            }
            "x" => {
                let text: Option<String> = get(row, 18, STEP)?;
                ConstraintKind::Exclusion {
                    definition: exclusion_definition(
                        text.as_deref().unwrap_or_default(),
                        deferrable,
                        initially_deferred,
                        validated,
                    ),
                }
            }
            _ => continue,
        };
        table.constraints.insert(
            name,
            Constraint {
                kind,
                deferrable,
                initially_deferred,
                validated,
                comment,
                inherited: inherited(get(row, 24, STEP)?, get(row, 25, STEP)?),
            },
        );
    }

    let view_names = build_views(&rows.views, &mut schema, &mut comments)?;
    let mut relation_names = table_names.clone();
    relation_names.extend(view_names);
    build_indexes(&rows.indexes, &mut schema, &relation_names, &mut comments)?;

    for row in &rows.enums {
        const STEP: &str = "types";
        let oid: u32 = get(row, 0, STEP)?;
        let namespace: String = get(row, 1, STEP)?;
        let name: String = get(row, 2, STEP)?;
        let typtype: String = get(row, 3, STEP)?;
        let comment = take_comment(&mut comments, 't', oid, 0);
        let acl = read_acl(row, 19, AclKind::Type, STEP, || {
            format!("type {}.{}", quote_ident(&namespace), quote_ident(&name))
        })?;
        let n = schema.namespaces.entry(namespace).or_default();
        match typtype.as_str() {
            "e" => {
                let values: Vec<String> = get(row, 4, STEP)?;
                n.enums.insert(
                    name,
                    EnumType {
                        values,
                        comment,
                        acl,
                    },
                );
            }
            "d" => {
                let base_type: String = get(row, 5, STEP)?;
                let collation: Option<Vec<String>> = get(row, 6, STEP)?;
                let default: Option<String> = get(row, 7, STEP)?;
                let not_null: bool = get(row, 8, STEP)?;
                let names: Vec<String> = get(row, 9, STEP)?;
                let exprs: Vec<String> = get(row, 10, STEP)?;
                let validated: Vec<bool> = get(row, 11, STEP)?;
                let oids: Vec<u32> = get(row, 12, STEP)?;
                let mut checks = BTreeMap::new();
                for (((cname, e), v), coid) in names.into_iter().zip(exprs).zip(validated).zip(oids)
                {
                    checks.insert(
                        cname,
                        DomainCheck {
                            expression: Expression::from_server(e),
                            validated: v,
                            comment: take_comment(&mut comments, 'k', coid, 0),
                        },
                    );
                }
                n.domains.insert(
                    name,
                    Domain {
                        base_type,
                        collation: collation.and_then(|c| match c.as_slice() {
                            [ns, name] => Some(qualified_unless_builtin(Some(ns), name)),
                            _ => None,
                        }),
                        default: default.map(Expression::from_server),
                        not_null,
                        checks,
                        comment,
                        acl,
                    },
                );
            }
            _ => {
                let relid: u32 = get(row, 13, STEP)?;
                let names: Vec<String> = get(row, 14, STEP)?;
                let types: Vec<String> = get(row, 15, STEP)?;
                let collations: Vec<Option<String>> = get(row, 16, STEP)?;
                let nums: Vec<i32> = get(row, 17, STEP)?;
                let collation_ns: Vec<Option<String>> = get(row, 18, STEP)?;
                let attributes = names
                    .into_iter()
                    .zip(types)
                    .zip(collations.into_iter().zip(collation_ns))
                    .zip(nums)
                    .map(
                        |(((name, data_type), (collation, cns)), num)| CompositeAttribute {
                            name,
                            data_type,
                            collation: collation
                                .map(|c| qualified_unless_builtin(cns.as_deref(), &c)),
                            comment: take_comment(&mut comments, 'c', relid, num),
                        },
                    )
                    .collect();
                n.composites.insert(
                    name,
                    CompositeType {
                        attributes,
                        comment,
                        acl,
                    },
                );
            }
        }
    }

    for row in &rows.collations {
        const STEP: &str = "collations";
        let namespace: String = get(row, 0, STEP)?;
        let name: String = get(row, 1, STEP)?;
        let provider: String = get(row, 2, STEP)?;
        let provider = match provider.as_str() {
            "c" => "libc",
            "i" => "icu",
            other => {
                return Err(unsupported(
                    &format!(
                        "collation {}.{}",
                        quote_ident(&namespace),
                        quote_ident(&name)
                    ),
                    format!("a collation of provider {other:?}"),
                    "strata models libc and ICU collations",
                ))
            }
        };
        let collation = Collation {
            provider: provider.to_string(),
            lc_collate: get(row, 3, STEP)?,
            lc_ctype: get(row, 4, STEP)?,
            icu_locale: get(row, 5, STEP)?,
            deterministic: get(row, 6, STEP)?,
            comment: get(row, 7, STEP)?,
        };
        schema
            .namespaces
            .entry(namespace)
            .or_default()
            .collations
            .insert(name, collation);
    }

    for row in &rows.sequences {
        const STEP: &str = "sequences";
        let oid: u32 = get(row, 0, STEP)?;
        let namespace: String = get(row, 1, STEP)?;
        let name: String = get(row, 2, STEP)?;
        let raw_type: String = get(row, 3, STEP)?;
        let owner_table: Option<String> = get(row, 10, STEP)?;
        let owner_column: Option<String> = get(row, 11, STEP)?;
        let object = || {
            format!(
                "sequence {}.{}",
                quote_ident(&namespace),
                quote_ident(&name)
            )
        };
        let sequence = Sequence {
            data_type: normalized(normalize::type_text, &raw_type, object, "type")?,
            start: get(row, 4, STEP)?,
            increment: get(row, 5, STEP)?,
            min_value: get(row, 6, STEP)?,
            max_value: get(row, 7, STEP)?,
            cache: get(row, 8, STEP)?,
            cycle: get(row, 9, STEP)?,
            owned_by: owner_table.zip(owner_column),
            comment: take_comment(&mut comments, 'c', oid, 0),
            acl: read_acl(row, 12, AclKind::Sequence, STEP, object)?,
        };
        schema
            .namespaces
            .entry(namespace)
            .or_default()
            .sequences
            .insert(name, sequence);
    }

    for row in &rows.unmanaged {
        const STEP: &str = "unmanaged objects";
        let kind: String = get(row, 0, STEP)?;
        let namespace: Option<String> = get(row, 1, STEP)?;
        let parent: Option<String> = get(row, 2, STEP)?;
        let name: String = get(row, 3, STEP)?;
        let args: Option<String> = get(row, 4, STEP)?;
        let state: Option<String> = get(row, 5, STEP)?;
        if let Some(state) = state.filter(|s| s != "O") {
            let what = match state.as_str() {
                "D" => "disabled",
                "R" => "enabled for replica sessions only (ENABLE REPLICA)",
                "A" => "enabled always (ENABLE ALWAYS)",
                _ => "in an unknown state",
            };
            return Err(unsupported(
                &format!(
                    "{kind} {}.{}.{}",
                    quote_ident(namespace.as_deref().unwrap_or_default()),
                    quote_ident(parent.as_deref().unwrap_or_default()),
                    quote_ident(&name)
                ),
                format!("a {kind} {what}"),
                "strata keeps triggers and rules by name only and cannot compare their state: \
                 ALTER TABLE … ENABLE TRIGGER/RULE it, or inspect other namespaces only",
            ));
        }
        let kind = match kind.as_str() {
            "view" => UnmanagedKind::View,
            "materialized_view" => UnmanagedKind::MaterializedView,
            "foreign_table" => UnmanagedKind::ForeignTable,
            "composite_type" => UnmanagedKind::CompositeType,
            "domain" => UnmanagedKind::Domain,
            "range_type" => UnmanagedKind::RangeType,
            "function" => UnmanagedKind::Function,
            "procedure" => UnmanagedKind::Procedure,
            "aggregate" => UnmanagedKind::Aggregate,
            "trigger" => UnmanagedKind::Trigger,
            "policy" => UnmanagedKind::Policy,
            "rule" => UnmanagedKind::Rule,
            "collation" => UnmanagedKind::Collation,
            "event_trigger" => UnmanagedKind::EventTrigger,
            "publication" => UnmanagedKind::Publication,
            "operator" => UnmanagedKind::Operator,
            other => {
                return Err(InspectError::Catalog {
                    step: STEP,
                    reason: format!("unknown object kind {other:?}"),
                })
            }
        };
        let mut full = String::new();
        let operator = kind == UnmanagedKind::Operator;
        let last = if operator { None } else { Some(name.clone()) };
        for part in [namespace, parent, last].into_iter().flatten() {
            if !full.is_empty() {
                full.push('.');
            }
            full.push_str(&quote_ident(&part));
        }
        if operator {
            // Operator names are symbols, never quoted.
            full.push('.');
            full.push_str(&name);
        }
        if let Some(args) = args {
            full.push('(');
            full.push_str(&args);
            full.push(')');
        }
        schema.unmanaged.insert(Unmanaged { kind, name: full });
    }

    build_routines(&rows.routines, &mut schema)?;
    build_policies(&rows.policies, &mut schema)?;
    build_default_acls(&rows.default_acls, &mut schema)?;
    build_triggers(&rows.triggers, &mut schema, &table_names)?;

    for (oid, object) in hidden_comments {
        if comments.contains_key(&('c', oid, 0)) {
            return Err(unsupported(
                &object,
                "a comment".to_string(),
                "strata does not model comments on the index of a constraint or on an identity \
                 sequence yet: COMMENT ON the constraint or column instead",
            ));
        }
    }

    Ok(schema)
}

/// Triggers into their tables' `triggers`.
fn build_triggers(
    rows: &[Row],
    schema: &mut Schema,
    table_names: &HashMap<u32, (String, String)>,
) -> Result<(), InspectError> {
    const STEP: &str = "triggers";
    let bad = |reason: String| InspectError::Catalog { step: STEP, reason };
    for row in rows {
        let relid: u32 = get(row, 0, STEP)?;
        let Some((ns, table)) = table_names.get(&relid) else {
            continue;
        };
        let name: String = get(row, 1, STEP)?;
        let object = || {
            format!(
                "trigger {} on {}.{}",
                quote_ident(&name),
                quote_ident(ns),
                quote_ident(table)
            )
        };
        let cloned: bool = get(row, 19, STEP)?;
        if cloned {
            return Err(unsupported(
                &object(),
                "a trigger cloned from its partitioned parent's".to_string(),
                "strata does not model the triggers a partitioned table clones to its \
                 partitions yet (replay refuses partitions of a table with triggers): inspect \
                 the other namespaces only (--namespace)",
            ));
        }
        let tgtype: i32 = get(row, 2, STEP)?;
        let update_of: Vec<String> = get(row, 3, STEP)?;
        let nargs: i32 = get(row, 4, STEP)?;
        let raw_args: Vec<u8> = get(row, 5, STEP)?;
        let enabled: String = get(row, 6, STEP)?;
        let is_constraint: bool = get(row, 7, STEP)?;
        let deferrable: bool = get(row, 8, STEP)?;
        let initially_deferred: bool = get(row, 9, STEP)?;
        let ref_ns: Option<String> = get(row, 10, STEP)?;
        let ref_table: Option<String> = get(row, 11, STEP)?;
        let old_table: Option<String> = get(row, 12, STEP)?;
        let new_table: Option<String> = get(row, 13, STEP)?;
        let function_schema: String = get(row, 14, STEP)?;
        let function: String = get(row, 15, STEP)?;
        let has_when: bool = get(row, 16, STEP)?;
        let definition: String = get(row, 17, STEP)?;
        let comment: Option<String> = get(row, 18, STEP)?;
        // tgtype bits (trigger.h): ROW 1, BEFORE 2, INSERT 4, DELETE 8,
        // UPDATE 16, TRUNCATE 32, INSTEAD 64.
        let timing = if tgtype & 2 != 0 {
            TriggerTiming::Before
        } else if tgtype & 64 != 0 {
            TriggerTiming::InsteadOf
        } else {
            TriggerTiming::After
        };
        let events = TriggerEvents {
            insert: tgtype & 4 != 0,
            delete: tgtype & 8 != 0,
            update: tgtype & 16 != 0,
            update_of,
            truncate: tgtype & 32 != 0,
        };
        let mut arguments = Vec::new();
        let mut rest: &[u8] = &raw_args;
        for _ in 0..nargs {
            let end = rest
                .iter()
                .position(|b| *b == 0)
                .ok_or_else(|| bad(format!("{}: tgargs shorter than tgnargs", object())))?;
            let text = std::str::from_utf8(&rest[..end])
                .map_err(|e| bad(format!("{}: an argument is not UTF-8: {e}", object())))?;
            arguments.push(text.to_string());
            rest = &rest[end + 1..];
        }
        let enabled = match enabled.as_str() {
            "O" => TriggerEnabled::Origin,
            "D" => TriggerEnabled::Disabled,
            "R" => TriggerEnabled::Replica,
            "A" => TriggerEnabled::Always,
            other => return Err(bad(format!("{}: unknown tgenabled {other:?}", object()))),
        };
        let when = if has_when {
            Some(Expression::from_server(
                when_of_triggerdef(&definition)
                    .ok_or_else(|| bad(format!("{}: no WHEN (…) in {definition:?}", object())))?,
            ))
        } else {
            None
        };
        let trigger = Trigger {
            timing,
            events,
            for_each_row: tgtype & 1 != 0,
            when,
            function_schema,
            function,
            arguments,
            old_table,
            new_table,
            constraint: is_constraint.then(|| ConstraintTrigger {
                referenced: ref_ns.zip(ref_table),
                deferrable,
                initially_deferred,
            }),
            enabled,
            comment,
            definition,
            when_columns: Vec::new(),
        };
        if let Some(t) = schema
            .namespaces
            .get_mut(ns)
            .and_then(|n| n.tables.get_mut(table))
        {
            t.triggers.insert(name, trigger);
        }
    }
    Ok(())
}

/// The condition inside `WHEN (…)` of a `pg_get_triggerdef` text: the
/// parenthesised group after ` FOR EACH ROW|STATEMENT WHEN ` (string literals and
/// quoted names skipped while matching).
fn when_of_triggerdef(def: &str) -> Option<String> {
    let start = [" FOR EACH ROW WHEN (", " FOR EACH STATEMENT WHEN ("]
        .iter()
        .filter_map(|m| def.find(m).map(|i| i + m.len()))
        .min()?;
    let bytes = def.as_bytes();
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            q @ (b'\'' | b'"') => {
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == q {
                        if bytes.get(i + 1) == Some(&q) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
            }
            b'(' => depth += 1,
            b')' if depth == 0 => return Some(def[start..i].to_string()),
            b')' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Views and materialized views into their namespaces' `views`; returns
/// their names by oid (for their indexes).
fn build_views(
    rows: &[Row],
    schema: &mut Schema,
    comments: &mut Comments,
) -> Result<HashMap<u32, (String, String)>, InspectError> {
    const STEP: &str = "views";
    let mut names = HashMap::new();
    for row in rows {
        let oid: u32 = get(row, 0, STEP)?;
        let namespace: String = get(row, 1, STEP)?;
        let name: String = get(row, 2, STEP)?;
        let materialized: bool = get(row, 3, STEP)?;
        let definition: Option<String> = get(row, 4, STEP)?;
        let raw_options: Option<Vec<String>> = get(row, 5, STEP)?;
        let populated: bool = get(row, 6, STEP)?;
        let attnums: Vec<i32> = get(row, 7, STEP)?;
        let attnames: Vec<String> = get(row, 8, STEP)?;
        let types: Vec<String> = get(row, 9, STEP)?;
        let defaults: Vec<Option<String>> = get(row, 10, STEP)?;
        let access_method: Option<String> = get(row, 11, STEP)?;
        let column_acls: Vec<Option<String>> = get(row, 12, STEP)?;
        let object = format!(
            "{} {}.{}",
            if materialized {
                "materialized view"
            } else {
                "view"
            },
            quote_ident(&namespace),
            quote_ident(&name)
        );
        if let Some(am) = access_method.filter(|a| a != "heap") {
            return Err(unsupported(
                &object,
                format!("the table access method {am}"),
                "strata models heap materialized views only",
            ));
        }
        let Some(definition) = definition else {
            return Err(InspectError::Catalog {
                step: STEP,
                reason: format!("{object}: no definition"),
            });
        };
        // pg_get_viewdef ends the query with `;`; pg_dump writes it without.
        let text = definition
            .strip_suffix(';')
            .unwrap_or(&definition)
            .to_string();
        let mut options = rel_options(raw_options, STEP)?;
        let check_option = match options.remove("check_option").as_deref() {
            None => None,
            Some("local") => Some(CheckOption::Local),
            Some("cascaded") => Some(CheckOption::Cascaded),
            Some(other) => {
                return Err(InspectError::Catalog {
                    step: STEP,
                    reason: format!("{object}: check_option {other:?}"),
                })
            }
        };
        let mut columns = Vec::with_capacity(attnames.len());
        for (i, cname) in attnames.into_iter().enumerate() {
            let raw_type = types.get(i).cloned().unwrap_or_default();
            let data_type = normalized(
                normalize::type_text,
                &raw_type,
                || format!("column {object}.{}", quote_ident(&cname)),
                "type",
            )?;
            let owner: String = get(row, 14, STEP)?;
            let acl = match column_acls.get(i).cloned().flatten() {
                None => None,
                Some(text) => {
                    let items = array_items(&text);
                    let acl = Acl::from_aclitems(items.iter().map(String::as_str), &owner)
                        .ok_or_else(|| InspectError::Catalog {
                            step: STEP,
                            reason: format!("{object}: cannot read the column ACL {text}"),
                        })?;
                    acl::canonical(acl, AclKind::Column)
                }
            };
            columns.push(ViewColumn {
                acl,
                comment: take_comment(comments, 'c', oid, attnums.get(i).copied().unwrap_or(0)),
                default: defaults
                    .get(i)
                    .cloned()
                    .flatten()
                    .map(Expression::from_server),
                data_type: Some(data_type),
                name: cname,
            });
        }
        let view = View {
            materialized,
            columns,
            query: Expression {
                sql: text,
                stored: strata_core::model::Stored::Exact { text: definition },
            },
            check_option,
            options,
            populated: populated || !materialized,
            indexes: BTreeMap::new(),
            comment: take_comment(comments, 'c', oid, 0),
            acl: read_acl(row, 13, AclKind::Relation, STEP, || object.clone())?,
            column_list: Vec::new(),
        };
        schema
            .namespaces
            .entry(namespace.clone())
            .or_default()
            .views
            .insert(name.clone(), view);
        names.insert(oid, (namespace, name));
    }
    Ok(names)
}

/// Functions and procedures into their namespaces' `routines`.
/// Policies into their tables' [`Table::policies`].
fn build_policies(rows: &[Row], schema: &mut Schema) -> Result<(), InspectError> {
    const STEP: &str = "policies";
    let bad = |reason: String| InspectError::Catalog { step: STEP, reason };
    for row in rows {
        let namespace: String = get(row, 0, STEP)?;
        let table: String = get(row, 1, STEP)?;
        let name: String = get(row, 2, STEP)?;
        let object = || {
            format!(
                "policy {} on {}.{}",
                quote_ident(&name),
                quote_ident(&namespace),
                quote_ident(&table)
            )
        };
        let polcmd: String = get(row, 3, STEP)?;
        let command = PolicyCommand::from_polcmd(&polcmd)
            .ok_or_else(|| bad(format!("{}: unknown polcmd {polcmd:?}", object())))?;
        let permissive: bool = get(row, 4, STEP)?;
        let roles: Vec<Option<String>> = get(row, 5, STEP)?;
        let roles = roles
            .into_iter()
            .map(|r| r.ok_or_else(|| bad(format!("{}: a role that does not exist", object()))))
            .collect::<Result<_, _>>()?;
        let using: Option<String> = get(row, 6, STEP)?;
        let with_check: Option<String> = get(row, 7, STEP)?;
        let comment: Option<String> = get(row, 8, STEP)?;
        let Some(t) = schema
            .namespaces
            .get_mut(&namespace)
            .and_then(|n| n.tables.get_mut(&table))
        else {
            return Err(bad(format!(
                "{}: on a relation strata did not read",
                object()
            )));
        };
        t.policies.insert(
            name,
            Policy {
                command,
                permissive,
                roles,
                using: using.map(Expression::from_server),
                with_check: with_check.map(Expression::from_server),
                comment,
            },
        );
    }
    Ok(())
}

fn build_routines(rows: &[Row], schema: &mut Schema) -> Result<(), InspectError> {
    const STEP: &str = "routines";
    let bad = |reason: String| InspectError::Catalog { step: STEP, reason };
    for row in rows {
        let namespace: String = get(row, 1, STEP)?;
        let name: String = get(row, 2, STEP)?;
        let object = || format!("{}.{}", quote_ident(&namespace), quote_ident(&name));
        let kind = match get::<String>(row, 3, STEP)?.as_str() {
            "f" => RoutineKind::Function,
            "p" => RoutineKind::Procedure,
            other => return Err(bad(format!("{}: unknown prokind {other:?}", object()))),
        };
        let language: String = get(row, 4, STEP)?;
        let types: Vec<String> = get(row, 5, STEP)?;
        let modes: Option<Vec<String>> = get(row, 6, STEP)?;
        let names: Option<Vec<String>> = get(row, 7, STEP)?;
        let defaults: Vec<Option<String>> = get(row, 8, STEP)?;
        let count = types.len();
        if modes.as_ref().is_some_and(|m| m.len() != count)
            || names.as_ref().is_some_and(|n| n.len() != count)
            || defaults.len() != count
        {
            return Err(bad(format!(
                "{}: argument arrays of different lengths",
                object()
            )));
        }
        let mut args = Vec::with_capacity(count);
        for (k, (data_type, default)) in types.into_iter().zip(defaults).enumerate() {
            let mode = match modes.as_ref().map(|m| m[k].as_str()) {
                None | Some("i") => ArgMode::In,
                Some("o") => ArgMode::Out,
                Some("b") => ArgMode::InOut,
                Some("v") => ArgMode::Variadic,
                Some("t") => ArgMode::Table,
                Some(other) => {
                    return Err(bad(format!(
                        "{}: unknown argument mode {other:?}",
                        object()
                    )))
                }
            };
            let name = names
                .as_ref()
                .map(|n| n[k].clone())
                .filter(|n| !n.is_empty());
            args.push(RoutineArg {
                mode,
                name,
                data_type,
                default: default.map(Expression::from_server),
            });
        }
        let returns: Option<String> = get(row, 9, STEP)?;
        let sql_body: Option<String> = get(row, 10, STEP)?;
        let source: String = get(row, 11, STEP)?;
        let object_file: Option<String> = get(row, 12, STEP)?;
        let body = match (sql_body, object_file) {
            (Some(text), _) => RoutineBody::Sql(Expression::from_server(text)),
            (None, Some(file)) if language == "c" => RoutineBody::Object {
                file,
                symbol: source,
            },
            _ => RoutineBody::Source { text: source },
        };
        let volatility = match get::<String>(row, 13, STEP)?.as_str() {
            "i" => Volatility::Immutable,
            "s" => Volatility::Stable,
            "v" => Volatility::Volatile,
            other => return Err(bad(format!("{}: unknown provolatile {other:?}", object()))),
        };
        let parallel = match get::<String>(row, 17, STEP)?.as_str() {
            "s" => Parallel::Safe,
            "r" => Parallel::Restricted,
            "u" => Parallel::Unsafe,
            other => return Err(bad(format!("{}: unknown proparallel {other:?}", object()))),
        };
        let config: Option<Vec<String>> = get(row, 20, STEP)?;
        let routine = Routine {
            kind,
            returns,
            language,
            body,
            volatility,
            strict: get(row, 14, STEP)?,
            security_definer: get(row, 15, STEP)?,
            leakproof: get(row, 16, STEP)?,
            parallel,
            cost: get(row, 18, STEP)?,
            rows: get(row, 19, STEP)?,
            config: config.unwrap_or_default(),
            comment: get(row, 21, STEP)?,
            definition: get(row, 22, STEP)?,
            acl: read_acl(row, 23, AclKind::Routine, STEP, object)?,
            args,
        };
        let signature = Routine::signature(&name, &routine.args);
        let routines = &mut schema.namespaces.entry(namespace).or_default().routines;
        if routines.insert(signature.clone(), routine).is_some() {
            return Err(bad(format!("two routines with the signature {signature}")));
        }
    }
    Ok(())
}

/// `attislocal`/`attinhcount` or `conislocal`/`coninhcount` as the model
/// keeps them: `None` for a local definition with no parent.
fn inherited(local: bool, count: i32) -> Option<Inherited> {
    (count > 0).then_some(Inherited {
        count: count.unsigned_abs(),
        local,
    })
}

/// An ACL read as `aclitem[]::text[]` at `index`, its owner's name at
/// `index + 1` (mapped to [`Grantee::Owner`]); `None` for the default.
fn read_acl(
    row: &Row,
    index: usize,
    kind: AclKind,
    step: &'static str,
    object: impl FnOnce() -> String,
) -> Result<Option<Acl>, InspectError> {
    let items: Option<Vec<String>> = get(row, index, step)?;
    let Some(items) = items else {
        return Ok(None);
    };
    let owner: Option<String> = get(row, index + 1, step)?;
    let acl = Acl::from_aclitems(
        items.iter().map(String::as_str),
        owner.as_deref().unwrap_or(""),
    )
    .ok_or_else(|| InspectError::Catalog {
        step,
        reason: format!("{}: cannot read the ACL {items:?}", object()),
    })?;
    Ok(acl::canonical(acl, kind))
}

/// The elements of an array's text form (`{a,"b c"}`), unquoted.
fn array_items(text: &str) -> Vec<String> {
    let inner = text
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(text);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '\\' if quoted => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    if !inner.is_empty() {
        out.push(cur);
    }
    out
}

/// Default privileges into [`Schema::default_privileges`]: the database
/// owner's are the owner's (offline, the role running the migrations), and
/// in each entry the role whose defaults they are is the owner of the
/// objects they will apply to.
fn build_default_acls(rows: &[Row], schema: &mut Schema) -> Result<(), InspectError> {
    const STEP: &str = "default privileges";
    for row in rows {
        let role: String = get(row, 0, STEP)?;
        let namespace: Option<String> = get(row, 1, STEP)?;
        let objtype: String = get(row, 2, STEP)?;
        let items: Vec<String> = get(row, 3, STEP)?;
        let db_owner: Option<String> = get(row, 4, STEP)?;
        let Some(object) = DefaultAclObject::from_objtype(&objtype) else {
            return Err(InspectError::Catalog {
                step: STEP,
                reason: format!("unknown defaclobjtype {objtype:?}"),
            });
        };
        let acl = Acl::from_aclitems(items.iter().map(String::as_str), &role).ok_or_else(|| {
            InspectError::Catalog {
                step: STEP,
                reason: format!("cannot read the default ACL {items:?}"),
            }
        })?;
        let key = DefaultAclKey {
            role: if db_owner.as_deref() == Some(role.as_str()) {
                Grantee::Owner
            } else {
                Grantee::Role(role)
            },
            schema: namespace,
            object,
        };
        if acl != key.base() {
            schema.default_privileges.insert(key, acl);
        }
    }
    Ok(())
}

const CLUSTER_HELP: &str = "strata does not model the clustered index yet: \
     ALTER TABLE … SET WITHOUT CLUSTER, or inspect other namespaces only";

fn unsupported(object: &str, what: String, help: &str) -> InspectError {
    InspectError::Unsupported {
        object: object.to_string(),
        what,
        help: help.to_string(),
    }
}

/// `pg_class.reloptions` (`name=value` texts) as a map.
fn rel_options(
    raw: Option<Vec<String>>,
    step: &'static str,
) -> Result<std::collections::BTreeMap<String, String>, InspectError> {
    let mut out = std::collections::BTreeMap::new();
    for item in raw.unwrap_or_default() {
        let Some((k, v)) = item.split_once('=') else {
            return Err(InspectError::Catalog {
                step,
                reason: format!("storage parameter without a value: {item:?}"),
            });
        };
        out.insert(k.to_string(), v.to_string());
    }
    Ok(out)
}

fn storage_name(code: &str) -> &'static str {
    match code {
        "p" => "PLAIN",
        "e" => "EXTERNAL",
        "m" => "MAIN",
        "x" => "EXTENDED",
        _ => "?",
    }
}

/// `USING method (…) [WHERE (…)]`: `pg_get_constraintdef` without the
/// leading `EXCLUDE` and without the trailing flags the model keeps apart.
fn exclusion_definition(text: &str, deferrable: bool, deferred: bool, validated: bool) -> String {
    let mut def = text.strip_prefix("EXCLUDE ").unwrap_or(text);
    if !validated {
        def = def.strip_suffix(" NOT VALID").unwrap_or(def);
    }
    if deferred {
        def = def.strip_suffix(" INITIALLY DEFERRED").unwrap_or(def);
    }
    if deferrable {
        def = def.strip_suffix(" DEFERRABLE").unwrap_or(def);
    }
    def.to_string()
}

/// Index being assembled from its per-key rows.
struct PartialIndex {
    relid: u32,
    name: String,
    index: Index,
    /// Result collation of each expression key, from `indexprs`.
    expr_collations: Option<Vec<u32>>,
    expressions_seen: usize,
}

fn build_indexes(
    rows: &[Row],
    schema: &mut Schema,
    table_names: &HashMap<u32, (String, String)>,
    comments: &mut Comments,
) -> Result<(), InspectError> {
    const STEP: &str = "indexes";
    // Rows come ordered by index oid, then key position.
    let mut indexes: BTreeMap<u32, PartialIndex> = BTreeMap::new();
    for row in rows {
        let oid: u32 = get(row, 0, STEP)?;
        let relid: u32 = get(row, 1, STEP)?;
        let Some((ns, table)) = table_names.get(&relid) else {
            continue;
        };
        let name: String = get(row, 2, STEP)?;
        let object = || {
            format!(
                "index {}.{} on {}",
                quote_ident(ns),
                quote_ident(&name),
                quote_ident(table)
            )
        };
        let partial = match indexes.entry(oid) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let raw_predicate: Option<String> = get(row, 7, STEP)?;
                let predicate = raw_predicate.map(Expression::from_server);
                let exprs: Option<String> = get(row, 8, STEP)?;
                let raw_options: Option<Vec<String>> = get(row, 20, STEP)?;
                let clustered: bool = get(row, 21, STEP)?;
                if clustered {
                    return Err(unsupported(
                        &object(),
                        "CLUSTER ON".to_string(),
                        CLUSTER_HELP,
                    ));
                }
                e.insert(PartialIndex {
                    relid,
                    name: name.clone(),
                    index: Index {
                        unique: get(row, 3, STEP)?,
                        method: get(row, 4, STEP)?,
                        keys: Vec::new(),
                        include: Vec::new(),
                        nulls_not_distinct: get(row, 6, STEP)?,
                        predicate,
                        comment: take_comment(comments, 'c', oid, 0),
                        options: rel_options(raw_options, STEP)?,
                        attached_to: {
                            let parent: Option<Vec<String>> = get(row, 23, STEP)?;
                            match parent.as_deref() {
                                Some([ns, name]) => Some(RelationRef::new(ns, name)),
                                _ => None,
                            }
                        },
                    },
                    expr_collations: exprs.as_deref().map(node_list_collations),
                    expressions_seen: 0,
                })
            }
        };
        let key_count: i32 = get(row, 5, STEP)?;
        let position: i32 = get(row, 9, STEP)?;
        let key_statistics: i32 = get(row, 22, STEP)?;
        let attnum: i32 = get(row, 10, STEP)?;
        let column: Option<String> = get(row, 11, STEP)?;
        if position > key_count {
            // The server refuses a target on an INCLUDE column; never
            // drop one silently all the same.
            if key_statistics >= 0 {
                return Err(unsupported(
                    &object(),
                    format!("a statistics target on included index column {position}"),
                    "strata models statistics targets on an index's key columns only: \
                     ALTER INDEX … ALTER COLUMN n SET STATISTICS -1",
                ));
            }
            if let Some(column) = column {
                partial.index.include.push(column);
            }
            continue;
        }
        let expr_text: Option<String> = get(row, 12, STEP)?;
        let opclass_ns: Option<String> = get(row, 13, STEP)?;
        let opclass: Option<String> = get(row, 14, STEP)?;
        let option: Option<i32> = get(row, 15, STEP)?;
        let collation: u32 = get(row, 16, STEP)?;
        let coll_ns: Option<String> = get(row, 17, STEP)?;
        let coll_name: Option<String> = get(row, 18, STEP)?;
        let column_collation: u32 = get(row, 19, STEP)?;
        let (key, default_collation) = if attnum == 0 {
            let text = expr_text.unwrap_or_default();
            let expr = Expression::from_server(text);
            let n = partial.expressions_seen;
            partial.expressions_seen += 1;
            let default = partial
                .expr_collations
                .as_ref()
                .and_then(|c| c.get(n).copied());
            (IndexKeyExpr::Expression(expr), default)
        } else {
            let Some(column) = column else {
                return Err(InspectError::Catalog {
                    step: STEP,
                    reason: format!("{}: key column {attnum} not found", object()),
                });
            };
            (IndexKeyExpr::Column(column), Some(column_collation))
        };
        // Without a known default (unreadable `indexprs`), compare with the
        // database default collation.
        let default_collation = default_collation.unwrap_or(DEFAULT_COLLATION_OID);
        let collation = match coll_name {
            Some(c) if collation != 0 && collation != default_collation => {
                Some(qualified_unless_builtin(coll_ns.as_deref(), &c))
            }
            _ => None,
        };
        let option = option.unwrap_or(0);
        partial.index.keys.push(IndexKey {
            key,
            opclass: opclass.map(|o| qualified_unless_builtin(opclass_ns.as_deref(), &o)),
            collation,
            descending: option & 1 != 0,
            nulls_first: option & 2 != 0,
            statistics: (key_statistics >= 0).then_some(key_statistics),
        });
    }
    for partial in indexes.into_values() {
        let Some((ns, table)) = table_names.get(&partial.relid) else {
            continue;
        };
        let Some(n) = schema.namespaces.get_mut(ns) else {
            continue;
        };
        if let Some(t) = n.tables.get_mut(table) {
            t.indexes.insert(partial.name, partial.index);
        } else if let Some(v) = n.views.get_mut(table) {
            v.indexes.insert(partial.name, partial.index);
        }
    }
    Ok(())
}

/// `pg_collation` oid of the `default` collation.
const DEFAULT_COLLATION_OID: u32 = 100;

/// The result collation of each expression of a stored node list
/// (`pg_index.indexprs`), as PostgreSQL's `exprCollation` gives it: the
/// node's own `…collid` field (not `inputcollid`) or `collOid`; 0 for nodes
/// without one (non-collatable results).
fn node_list_collations(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut current: Option<u32> = None;
    let mut pending_field: Option<String> = None;
    for token in node_tokens(text) {
        match token.as_str() {
            "(" | "{" => {
                if token == "{" && depth == 1 {
                    current = None;
                }
                depth += 1;
                pending_field = None;
            }
            ")" | "}" => {
                depth = depth.saturating_sub(1);
                if token == "}" && depth == 1 {
                    out.push(current.take().unwrap_or(0));
                }
                pending_field = None;
            }
            _ if depth == 2 => {
                if let Some(field) = pending_field.take() {
                    let is_collation =
                        field == "collOid" || (field.ends_with("collid") && field != "inputcollid");
                    if is_collation && current.is_none() {
                        current = token.parse().ok();
                    }
                }
                if let Some(field) = token.strip_prefix(':') {
                    pending_field = Some(field.to_string());
                }
            }
            _ => {}
        }
    }
    out
}

/// Tokens of a stored node tree: brackets alone, other tokens split at
/// white space; a backslash escapes the next character.
fn node_tokens(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if matches!(c, '(' | ')' | '{' | '}') {
            chars.next();
            tokens.push(c.to_string());
            continue;
        }
        let mut token = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || matches!(c, '(' | ')' | '{' | '}') {
                break;
            }
            chars.next();
            if c == '\\' {
                if let Some(escaped) = chars.next() {
                    token.push(escaped);
                }
            } else {
                token.push(c);
            }
        }
        tokens.push(token);
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expression_collations_come_from_the_top_node() {
        let text = "({FUNCEXPR :funcid 870 :funcresulttype 25 :funcretset false \
                    :funcvariadic false :funcformat 0 :funccollid 950 :inputcollid 950 \
                    :args ({VAR :varno 1 :varattno 3 :vartype 25 :vartypmod -1 \
                    :varcollid 100 :varlevelsup 0 :varnosyn 1 :varattnosyn 3 :location 51}) \
                    :location 45} {OPEXPR :opno 96 :opfuncid 65 :opresulttype 16 \
                    :opretset false :opcollid 0 :inputcollid 0 :args <> :location 3} \
                    {NULLTEST :arg {VAR :varcollid 7} :nulltesttype 0} \
                    {CONST :consttype 25 :consttypmod -1 :constcollid 100 :constlen -1 \
                    :constbyval false :constisnull false :location 3 :constvalue 7 \
                    [ 28 0 0 0 97 \\{ \\) ]})";
        assert_eq!(node_list_collations(text), vec![950, 0, 0, 100]);
    }

    #[test]
    fn node_scanner_survives_garbage() {
        for text in [
            "",
            "(",
            "}}}",
            "({",
            "({X :collOid",
            "\\",
            "({X :varcollid x})",
        ] {
            let _ = node_list_collations(text);
        }
        assert_eq!(node_list_collations("({X :varcollid x})"), vec![0]);
    }

    #[test]
    fn exclusion_definition_drops_flags() {
        assert_eq!(
            exclusion_definition(
                "EXCLUDE USING gist (c WITH &&) DEFERRABLE INITIALLY DEFERRED",
                true,
                true,
                true
            ),
            "USING gist (c WITH &&)"
        );
        assert_eq!(exclusion_definition("odd", false, false, true), "odd");
    }

    #[test]
    fn begin_is_the_snapshot_then_the_search_path() {
        assert_eq!(BEGIN, format!("{BEGIN_SNAPSHOT}; {SET_SEARCH_PATH}"));
    }

    #[test]
    fn qualification_skips_builtin_namespaces() {
        assert_eq!(qualified_unless_builtin(Some("pg_catalog"), "C"), "\"C\"");
        assert_eq!(qualified_unless_builtin(Some("public"), "x"), "x");
        assert_eq!(qualified_unless_builtin(Some("Ext"), "x"), "\"Ext\".x");
        assert_eq!(qualified_unless_builtin(None, "x"), "x");
    }
}
