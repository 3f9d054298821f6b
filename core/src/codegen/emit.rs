//! The model → tokens. Everything generated refers to `::strata::runtime`
//! and to absolute paths (`::core::option::Option`), so a table called
//! `option` or a column called `row` cannot shadow what the code means.
//!
//! Layout, for table `agent_run` in `public`:
//!
//! ```text
//! pub mod agent_run {
//!     mod __model { AgentRun, NewAgentRun, AgentRunTable + impls }
//!     pub use self::__model::{AgentRun, AgentRunTable, NewAgentRun};
//!     pub const id: Column<AgentRunTable, String> = …;   // one per column
//!     pub mod conflict { pub const agent_run_pkey: ConflictTarget<…> = …; }
//!     pub mod rel { pub const agent_step: Relation<AgentRunTable, …, Many> = …; }
//! }
//! ```
//!
//! The structs live in `__model`, away from the column constants: a
//! constant in scope would turn a same-named binding (a constructor
//! parameter, a local of a derive) into a pattern.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::naming::{assign, camel, exact, ident, singular, snake};
use super::relations::{relations, Cardinality, Relation};
use super::types::{map, override_mismatch, EnumRef, RustType};
use super::{Diagnostic, DiagnosticKind};
use crate::model::{
    qualified, quote_ident, Column, ConstraintKind, EnumType, Identity, IndexKeyExpr, Schema,
    Table, View,
};

/// Everything generation needs to know across namespaces.
struct Ctx<'a> {
    schema: &'a Schema,
    overrides: &'a BTreeMap<String, TokenStream>,
    /// Module of each namespace (`None` for `public`: the top level).
    ns_modules: BTreeMap<String, Option<Ident>>,
    enums: BTreeMap<EnumRef, Ident>,
    /// Module of each table, by (namespace, table).
    table_modules: BTreeMap<(String, String), Ident>,
    /// Relations of each table, by (namespace, table).
    relations: BTreeMap<(String, String), Vec<Relation>>,
    /// Tables another table inherits from (`INHERITS`), by (namespace,
    /// table): their primary key does not identify the rows a select reads.
    inherited: BTreeSet<(String, String)>,
    errors: Vec<Diagnostic>,
}

fn inherited(schema: &Schema) -> BTreeSet<(String, String)> {
    schema
        .namespaces
        .values()
        .flat_map(|n| n.tables.values())
        .flat_map(|t| t.inherits.iter())
        .map(|r| (r.namespace.clone(), r.name.clone()))
        .collect()
}

fn error(ctx: &mut Ctx<'_>, kind: DiagnosticKind, message: String) {
    ctx.errors
        .push(Diagnostic::new(kind, message, Span::call_site()));
}

/// What a name at the top level or in a namespace's module names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Item {
    Namespace(String),
    Table(String, String),
    Enum(String, String),
}

/// Generates the items for the whole schema.
pub fn emit(
    schema: &Schema,
    overrides: &BTreeMap<String, TokenStream>,
) -> Result<TokenStream, Vec<Diagnostic>> {
    let mut ctx = Ctx {
        schema,
        overrides,
        ns_modules: BTreeMap::new(),
        enums: BTreeMap::new(),
        table_modules: BTreeMap::new(),
        relations: relations(schema),
        inherited: inherited(schema),
        errors: Vec::new(),
    };
    assign_names(&mut ctx);

    let mut top = Vec::new();
    for (ns_name, ns) in &schema.namespaces {
        let Some(module) = ctx.ns_modules.get(ns_name).cloned() else {
            continue;
        };
        let mut items = Vec::new();
        for (enum_name, e) in &ns.enums {
            items.push(emit_enum(&mut ctx, ns_name, enum_name, e));
        }
        for (domain_name, d) in &ns.domains {
            items.push(emit_domain(&ctx, ns_name, domain_name, d));
        }
        for (composite_name, c) in &ns.composites {
            items.push(emit_composite(&ctx, ns_name, composite_name, c));
        }
        for (table_name, t) in &ns.tables {
            items.push(emit_table(&mut ctx, ns_name, table_name, t, None));
        }
        for (view_name, v) in &ns.views {
            match view_columns(schema, v) {
                Ok(t) => items.push(emit_table(&mut ctx, ns_name, view_name, &t, Some(v))),
                Err(why) => {
                    let doc = docs(&format!(
                        "{} {} has no generated type: {why}. Add casts to its query (`expr::integer`) so each output column has a type strata can derive offline, or read it with `query!`.",
                        if v.materialized { "Materialized view" } else { "View" },
                        qualified(ns_name, view_name)
                    ));
                    items.push(quote! {
                        #doc
                        const _: () = ();
                    });
                }
            }
        }
        match module {
            None => top.extend(items),
            Some(m) => {
                let doc = docs(&format!(
                    "Schema {}.{}",
                    quote_ident(ns_name),
                    ns.comment
                        .as_ref()
                        .map(|c| format!("\n\n{c}"))
                        .unwrap_or_default()
                ));
                top.push(quote! {
                    #doc
                    #[allow(non_snake_case)]
                    pub mod #m {
                        #(#items)*
                    }
                });
            }
        }
    }
    if ctx.errors.is_empty() {
        Ok(quote!(#(#top)*))
    } else {
        Err(ctx.errors)
    }
}

/// Rust names for every namespace module, table module and enum.
fn assign_names(ctx: &mut Ctx<'_>) {
    let schema = ctx.schema;
    // Names, one Rust scope at a time (modules and types share a scope):
    // the top level holds the namespaces' modules and public's tables and
    // enums; a namespace's module holds its tables and enums.
    let mut scopes: BTreeMap<Option<String>, Vec<(Item, String, String)>> = BTreeMap::new();
    for (ns_name, ns) in &schema.namespaces {
        if ns.tables.is_empty()
            && ns.enums.is_empty()
            && ns.views.is_empty()
            && ns.domains.is_empty()
            && ns.composites.is_empty()
        {
            continue;
        }
        let scope = if ns_name == "public" {
            ctx.ns_modules.insert(ns_name.clone(), None);
            None
        } else {
            scopes.entry(None).or_default().push((
                Item::Namespace(ns_name.clone()),
                ns_name.clone(),
                snake(ns_name),
            ));
            Some(ns_name.clone())
        };
        let entries = scopes.entry(scope).or_default();
        // Views share the relation namespace with the tables, and enums,
        // domains and composite types one namespace of types (PostgreSQL
        // keeps each name once): no two of them clash in SQL. Enums first,
        // so that their Rust names stay what they were before domains and
        // composite types had any.
        for name in ns.tables.keys().chain(ns.views.keys()) {
            entries.push((
                Item::Table(ns_name.clone(), name.clone()),
                name.clone(),
                snake(name),
            ));
        }
        for name in ns
            .enums
            .keys()
            .chain(ns.domains.keys())
            .chain(ns.composites.keys())
        {
            entries.push((
                Item::Enum(ns_name.clone(), name.clone()),
                name.clone(),
                camel(name),
            ));
        }
    }
    for entries in scopes.values() {
        let names: Vec<(String, String)> = entries
            .iter()
            .map(|(_, name, text)| (name.clone(), text.clone()))
            .collect();
        for ((item, _, _), id) in entries.iter().zip(assign(&names, &[])) {
            match item {
                Item::Namespace(ns) => {
                    ctx.ns_modules.insert(ns.clone(), Some(id));
                }
                Item::Table(ns, t) => {
                    ctx.table_modules.insert((ns.clone(), t.clone()), id);
                }
                Item::Enum(ns, e) => {
                    ctx.enums.insert(
                        EnumRef {
                            namespace: ns.clone(),
                            name: e.clone(),
                        },
                        id,
                    );
                }
            }
        }
    }
}

/// The path of each generated enum, relative to where the generated code
/// sits (`AgentRunStatus`, `billing::PlanKind`): what `query!` names.
pub fn enum_paths(schema: &Schema) -> BTreeMap<EnumRef, TokenStream> {
    let overrides = BTreeMap::new();
    let mut ctx = Ctx {
        schema,
        overrides: &overrides,
        ns_modules: BTreeMap::new(),
        enums: BTreeMap::new(),
        table_modules: BTreeMap::new(),
        relations: BTreeMap::new(),
        inherited: BTreeSet::new(),
        errors: Vec::new(),
    };
    assign_names(&mut ctx);
    ctx.enums
        .iter()
        .map(|(r, name)| {
            let path = match ctx.ns_modules.get(&r.namespace).cloned().flatten() {
                Some(m) => quote!(#m::#name),
                None => quote!(#name),
            };
            (r.clone(), path)
        })
        .collect()
}

/// Doc attributes, one per line, each with the space `///` would put.
/// Control characters a SQL literal or name may hold (a tab) are escaped.
fn docs(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| {
        let l = if l.is_empty() {
            String::new()
        } else {
            let mut s = String::from(" ");
            for ch in l.chars() {
                if ch.is_control() {
                    s.extend(ch.escape_default());
                } else {
                    s.push(ch);
                }
            }
            s
        };
        quote!(#[doc = #l])
    });
    quote!(#(#lines)*)
}

/// A double-quoted identifier: generated SQL quotes every one.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn supers(n: usize) -> TokenStream {
    let s = (0..n).map(|_| quote!(super::));
    quote!(#(#s)*)
}

/// A Rust type as tokens, from a module `depth` levels below the top of
/// the generated code.
fn type_tokens(ctx: &Ctx<'_>, t: &RustType, depth: usize) -> TokenStream {
    match t {
        RustType::Builtin(t) | RustType::Override(t) => t.clone(),
        RustType::Array(inner) => {
            let inner = type_tokens(ctx, inner, depth);
            quote!(::std::vec::Vec<#inner>)
        }
        RustType::Enum(r) | RustType::Domain(r) | RustType::Composite(r) => {
            let up = supers(depth);
            let name = ctx
                .enums
                .get(r)
                .cloned()
                .unwrap_or_else(|| Ident::new("__unknown_enum", Span::call_site()));
            match ctx.ns_modules.get(&r.namespace).cloned().flatten() {
                Some(m) => quote!(#up #m::#name),
                None => quote!(#up #name),
            }
        }
    }
}

fn emit_enum(ctx: &mut Ctx<'_>, ns: &str, name: &str, e: &EnumType) -> TokenStream {
    let Some(ty) = ctx
        .enums
        .get(&EnumRef {
            namespace: ns.to_string(),
            name: name.to_string(),
        })
        .cloned()
    else {
        return TokenStream::new();
    };
    let mut variants = Vec::new();
    let mut arms = Vec::new();
    let mut all = Vec::new();
    let labels: Vec<(String, String)> = e.values.iter().map(|l| (l.clone(), camel(l))).collect();
    for (label, v) in e.values.iter().zip(assign(&labels, &[])) {
        let doc = docs(&format!("`'{label}'`"));
        let rename = (v != label).then(|| quote!(#[serde(rename = #label)]));
        variants.push(quote! {
            #doc
            #rename
            #v
        });
        arms.push(quote!(Self::#v => #label));
        all.push(quote!(Self::#v));
    }
    let doc = docs(&format!(
        "Enum {}{}",
        qualified(ns, name),
        e.comment
            .as_ref()
            .map(|c| format!(": {c}"))
            .unwrap_or_default()
    ));
    quote! {
        #doc
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            ::strata::runtime::serde::Serialize, ::strata::runtime::serde::Deserialize
        )]
        #[serde(crate = "::strata::runtime::serde")]
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        pub enum #ty {
            #(#variants,)*
        }

        impl #ty {
            /// The SQL label.
            pub const fn label(self) -> &'static str {
                match self {
                    #(#arms,)*
                }
            }
        }

        impl ::strata::runtime::PgEnum for #ty {
            const TYPE_NAME: &'static str = #name;
            const VARIANTS: &'static [Self] = &[#(#all),*];
            fn label(self) -> &'static str {
                #ty::label(self)
            }
        }

        impl ::strata::runtime::NotNull for #ty {}

        impl ::core::fmt::Display for #ty {
            fn fmt(&self, __f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                __f.pad(self.label())
            }
        }

        impl ::core::str::FromStr for #ty {
            type Err = ::strata::runtime::UnknownLabel;
            fn from_str(__s: &str) -> ::core::result::Result<Self, Self::Err> {
                ::strata::runtime::enum_from_label(__s)
            }
        }

        impl ::strata::runtime::pg::ToSql for #ty {
            fn to_sql(
                &self,
                _: &::strata::runtime::pg::Type,
                __out: &mut ::strata::runtime::BytesMut,
            ) -> ::core::result::Result<::strata::runtime::pg::IsNull, ::strata::runtime::BoxError> {
                ::strata::runtime::enum_to_sql(*self, __out)
            }

            fn accepts(__ty: &::strata::runtime::pg::Type) -> bool {
                ::strata::runtime::enum_accepts::<Self>(__ty)
            }

            ::strata::runtime::pg::to_sql_checked!();
        }

        impl<'__a> ::strata::runtime::pg::FromSql<'__a> for #ty {
            fn from_sql(
                _: &::strata::runtime::pg::Type,
                __raw: &'__a [u8],
            ) -> ::core::result::Result<Self, ::strata::runtime::BoxError> {
                ::strata::runtime::enum_from_sql(__raw)
            }

            fn accepts(__ty: &::strata::runtime::pg::Type) -> bool {
                ::strata::runtime::enum_accepts::<Self>(__ty)
            }
        }
    }
}

/// A domain's newtype: the base type's Rust type inside, read and written
/// through the base type's own `ToSql` / `FromSql` (the server sends a
/// domain column as its base type, and infers a parameter that meets one
/// as the domain: both are accepted). Nothing when the base type maps to
/// nothing (a column of the domain is then an error naming it).
fn emit_domain(ctx: &Ctx<'_>, ns: &str, name: &str, d: &crate::model::Domain) -> TokenStream {
    let r = EnumRef {
        namespace: ns.to_string(),
        name: name.to_string(),
    };
    let (Some(ty), Some(base)) = (
        ctx.enums.get(&r).cloned(),
        super::types::domain_base(&r, ctx.schema, ctx.overrides),
    ) else {
        return TokenStream::new();
    };
    let inner = type_tokens(ctx, &base, usize::from(ns != "public"));
    let mut text = format!("Domain {} over {}", qualified(ns, name), d.base_type);
    if d.not_null {
        text.push_str(" NOT NULL");
    }
    for (c, check) in &d.checks {
        text.push_str(&format!(
            "\n\n`CONSTRAINT {} CHECK {}`",
            quote_ident(c),
            check.expression
        ));
    }
    if let Some(c) = &d.comment {
        text.push_str(&format!("\n\n{c}"));
    }
    text.push_str(
        "\n\nThe server checks the domain's constraints on every write; the newtype does not.",
    );
    let doc = docs(&text);
    quote! {
        #doc
        #[derive(
            Debug, Clone, PartialEq,
            ::strata::runtime::serde::Serialize, ::strata::runtime::serde::Deserialize
        )]
        #[serde(crate = "::strata::runtime::serde", transparent)]
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        pub struct #ty(pub #inner);

        impl ::strata::runtime::NotNull for #ty {}

        impl ::core::convert::From<#inner> for #ty {
            fn from(__v: #inner) -> Self {
                Self(__v)
            }
        }

        impl ::strata::runtime::pg::ToSql for #ty {
            fn to_sql(
                &self,
                __ty: &::strata::runtime::pg::Type,
                __out: &mut ::strata::runtime::BytesMut,
            ) -> ::core::result::Result<::strata::runtime::pg::IsNull, ::strata::runtime::BoxError> {
                ::strata::runtime::pg::ToSql::to_sql(&self.0, ::strata::runtime::domain_base(__ty), __out)
            }

            fn accepts(__ty: &::strata::runtime::pg::Type) -> bool {
                <#inner as ::strata::runtime::pg::ToSql>::accepts(::strata::runtime::domain_base(__ty))
            }

            ::strata::runtime::pg::to_sql_checked!();
        }

        impl<'__a> ::strata::runtime::pg::FromSql<'__a> for #ty {
            fn from_sql(
                __ty: &::strata::runtime::pg::Type,
                __raw: &'__a [u8],
            ) -> ::core::result::Result<Self, ::strata::runtime::BoxError> {
                <#inner as ::strata::runtime::pg::FromSql<'__a>>::from_sql(
                    ::strata::runtime::domain_base(__ty),
                    __raw,
                )
                .map(Self)
            }

            fn accepts(__ty: &::strata::runtime::pg::Type) -> bool {
                <#inner as ::strata::runtime::pg::FromSql<'__a>>::accepts(
                    ::strata::runtime::domain_base(__ty),
                )
            }
        }
    }
}

/// A composite type's struct: one `Option` field per attribute (a
/// composite's attributes have no `NOT NULL`), read from and written as
/// the record's binary format, each attribute through its own type's
/// conversion. Nothing when an attribute's type maps to nothing (a column
/// of the type is then an error naming it).
fn emit_composite(
    ctx: &Ctx<'_>,
    ns: &str,
    name: &str,
    c: &crate::model::CompositeType,
) -> TokenStream {
    let r = EnumRef {
        namespace: ns.to_string(),
        name: name.to_string(),
    };
    let Some(ty) = ctx.enums.get(&r).cloned() else {
        return TokenStream::new();
    };
    if !matches!(
        map(&qualified_type(ns, name), ctx.schema, ctx.overrides),
        Some(RustType::Composite(_))
    ) {
        return TokenStream::new();
    }
    let depth = usize::from(ns != "public");
    let names: Vec<(String, String)> = c
        .attributes
        .iter()
        .map(|a| (a.name.clone(), snake(&a.name)))
        .collect();
    let label = qualified(ns, name);
    let mut fields = Vec::new();
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    for (a, f) in c.attributes.iter().zip(assign(&names, &[])) {
        let Some(rt) = map(&a.data_type, ctx.schema, ctx.overrides) else {
            return TokenStream::new();
        };
        let inner = type_tokens(ctx, &rt, depth);
        let sql_name = &a.name;
        let rename = (f.to_string().trim_start_matches("r#") != *sql_name)
            .then(|| quote!(#[serde(rename = #sql_name)]));
        let doc = docs(&format!(
            "`{} {}`{}",
            quote_ident(&a.name),
            a.data_type,
            a.comment
                .as_ref()
                .map(|c| format!(": {c}"))
                .unwrap_or_default()
        ));
        fields.push(quote! {
            #doc
            #rename
            pub #f: ::core::option::Option<#inner>
        });
        let own_array = matches!(&rt, RustType::Array(e) if !matches!(**e, RustType::Builtin(_)));
        reads.push(if own_array {
            quote!(#f: __f.next_array(#label, #sql_name)?)
        } else {
            quote!(#f: __f.next(#label, #sql_name)?)
        });
        writes.push(quote!(&self.#f));
    }
    let doc = docs(&format!(
        "Composite type {label}{}",
        c.comment
            .as_ref()
            .map(|c| format!(": {c}"))
            .unwrap_or_default()
    ));
    quote! {
        #doc
        #[derive(
            Debug, Clone, PartialEq, Default,
            ::strata::runtime::serde::Serialize, ::strata::runtime::serde::Deserialize
        )]
        #[serde(crate = "::strata::runtime::serde")]
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        pub struct #ty {
            #(#fields,)*
        }

        impl ::strata::runtime::NotNull for #ty {}

        impl ::strata::runtime::pg::ToSql for #ty {
            fn to_sql(
                &self,
                __ty: &::strata::runtime::pg::Type,
                __out: &mut ::strata::runtime::BytesMut,
            ) -> ::core::result::Result<::strata::runtime::pg::IsNull, ::strata::runtime::BoxError> {
                ::strata::runtime::composite_to_sql(__ty, &[#(#writes),*], __out)
            }

            fn accepts(__ty: &::strata::runtime::pg::Type) -> bool {
                ::strata::runtime::composite_accepts(__ty, #ns, #name)
            }

            ::strata::runtime::pg::to_sql_checked!();
        }

        impl<'__a> ::strata::runtime::pg::FromSql<'__a> for #ty {
            fn from_sql(
                _: &::strata::runtime::pg::Type,
                __raw: &'__a [u8],
            ) -> ::core::result::Result<Self, ::strata::runtime::BoxError> {
                let mut __f = ::strata::runtime::composite_fields(__raw)?;
                ::core::result::Result::Ok(Self {
                    #(#reads,)*
                })
            }

            fn accepts(__ty: &::strata::runtime::pg::Type) -> bool {
                ::strata::runtime::composite_accepts(__ty, #ns, #name)
            }
        }
    }
}

/// A user type's name as `format_type` prints it (what `map` reads).
fn qualified_type(ns: &str, name: &str) -> String {
    if ns == "public" {
        quote_ident(name)
    } else {
        format!("{}.{}", quote_ident(ns), quote_ident(name))
    }
}

/// A column, with what generation decided about it.
struct Col<'a> {
    col: &'a Column,
    field: Ident,
    ty: RustType,
    nullable: bool,
    /// Generated, or `GENERATED ALWAYS AS IDENTITY`: never written.
    read_only: bool,
    /// A default (or a `BY DEFAULT` identity): optional in inserts.
    has_default: bool,
}

fn column_doc(c: &Column) -> String {
    let mut def = format!("`{} {}", quote_ident(&c.name), c.data_type);
    if c.not_null {
        def.push_str(" NOT NULL");
    }
    if let Some(d) = &c.default {
        def.push_str(&format!(" DEFAULT {d}"));
    }
    match c.identity {
        Some(Identity::Always) => def.push_str(" GENERATED ALWAYS AS IDENTITY"),
        Some(Identity::ByDefault) => def.push_str(" GENERATED BY DEFAULT AS IDENTITY"),
        None => {}
    }
    if let Some(g) = &c.generated {
        def.push_str(&format!(" GENERATED ALWAYS AS ({g}) STORED"));
    }
    def.push('`');
    match &c.comment {
        Some(comment) => format!("{comment}\n\n{def}"),
        None => def,
    }
}

/// The primary key's columns when they identify each row a select of the
/// table reads: a table (not a view), its primary key not deferrable (a
/// deferred one may be violated until commit), and no table inheriting
/// from it (a select reads the children's rows too, where the parent's
/// key is not enforced). `None` otherwise: the runtime then never relies
/// on a key (`runtime::Table::PRIMARY_KEY` stays empty).
fn identifying_key<'t>(t: &'t Table, view: Option<&View>, inherited: bool) -> Option<&'t [String]> {
    if view.is_some() || inherited {
        return None;
    }
    let key = t.constraints.values().find_map(|c| match &c.kind {
        ConstraintKind::PrimaryKey { columns, .. } if !c.deferrable => Some(columns.as_slice()),
        _ => None,
    })?;
    (!key.is_empty()).then_some(key)
}

/// `ON CONFLICT` targets: the primary key, unique constraints that are
/// not deferrable (the server refuses those as arbiters) and unique
/// indexes, with a partial index's predicate. Sorted by name.
fn conflict_targets(t: &Table) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let list = |cols: &[String]| {
        cols.iter()
            .map(|c| quoted(c))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (name, c) in &t.constraints {
        match &c.kind {
            ConstraintKind::PrimaryKey { columns, .. } if !c.deferrable => {
                out.push((
                    name.clone(),
                    format!("({})", list(columns)),
                    "primary key".to_string(),
                ));
            }
            ConstraintKind::Unique { columns, .. } if !c.deferrable => {
                out.push((
                    name.clone(),
                    format!("({})", list(columns)),
                    "unique constraint".to_string(),
                ));
            }
            _ => {}
        }
    }
    for (name, i) in &t.indexes {
        if !i.unique {
            continue;
        }
        let keys: Vec<String> = i
            .keys
            .iter()
            .map(|k| {
                let mut s = match &k.key {
                    IndexKeyExpr::Column(c) => quoted(c),
                    IndexKeyExpr::Expression(e) => format!("({e})"),
                };
                if let Some(c) = &k.collation {
                    s.push_str(&format!(" COLLATE {c}"));
                }
                if let Some(o) = &k.opclass {
                    s.push(' ');
                    s.push_str(o);
                }
                s
            })
            .collect();
        let mut sql = format!("({})", keys.join(", "));
        let mut what = "unique index".to_string();
        if let Some(p) = &i.predicate {
            sql.push_str(&format!(" WHERE ({p})"));
            what = "partial unique index".to_string();
        }
        out.push((name.clone(), sql, what));
    }
    out.sort();
    out
}

/// The table's name in camel case (`AgentRun`), spelled exactly when it has
/// nothing to convert: the stem of its structs' names.
fn camel_name(name: &str) -> String {
    Some(camel(name))
        .filter(|c| ident(c).is_some())
        .unwrap_or_else(|| exact(name))
}

/// The path of table `(ns, name)`'s table struct, from a module `depth`
/// levels below the top of the generated code.
fn table_path(ctx: &Ctx<'_>, ns: &str, name: &str, depth: usize) -> Option<TokenStream> {
    let module = ctx.table_modules.get(&(ns.to_string(), name.to_string()))?;
    let table = ident(&format!("{}Table", camel_name(name)))?;
    let up = supers(depth);
    Some(match ctx.ns_modules.get(ns).cloned().flatten() {
        Some(m) => quote!(#up #m::#module::#table),
        None => quote!(#up #module::#table),
    })
}

/// The table's `rel` module: one constant per relation.
fn emit_relations(ctx: &Ctx<'_>, ns: &str, name: &str, module_depth: usize) -> TokenStream {
    let Some(list) = ctx.relations.get(&(ns.to_string(), name.to_string())) else {
        return TokenStream::new();
    };
    let names: Vec<(String, String)> = list
        .iter()
        .map(|r| (r.name.clone(), r.name.clone()))
        .collect();
    let mut items = Vec::new();
    for (r, id) in list.iter().zip(assign(&names, &[])) {
        let Some(this) = table_path(ctx, ns, name, module_depth + 1) else {
            continue;
        };
        let Some(target) = table_path(ctx, &r.target.0, &r.target.1, module_depth + 1) else {
            continue;
        };
        let (card, what) = match r.cardinality {
            Cardinality::One => (quote!(One), "many-to-one"),
            Cardinality::OptionalOne => (quote!(OptionalOne), "many-to-one (nullable key)"),
            Cardinality::Many => (quote!(Many), "one-to-many"),
        };
        let cols = |c: &[String]| {
            c.iter()
                .map(|c| quote_ident(c))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let doc = docs(&format!(
            "{what}: {}.({}) = {}.({}), foreign key {}.",
            qualified(ns, name),
            cols(&r.from),
            qualified(&r.target.0, &r.target.1),
            cols(&r.to),
            quote_ident(&r.constraint)
        ));
        let rel_name = id.to_string();
        let rel_name = rel_name.trim_start_matches("r#");
        let from = &r.from;
        let to = &r.to;
        let order = &r.order;
        items.push(quote! {
            #doc
            pub const #id: ::strata::runtime::Relation<#this, #target, ::strata::runtime::#card> =
                ::strata::runtime::Relation::new(#rel_name, &[#(#from),*], &[#(#to),*], &[#(#order),*]);
        });
    }
    if items.is_empty() {
        return TokenStream::new();
    }
    quote! {
        /// Relations along foreign keys, both ways: to join
        /// (`select().join(rel::…)`) and to load related rows
        /// (`select().with(rel::…)`).
        pub mod rel {
            #(#items)*
        }
    }
}

/// A view's output columns as the columns of a table, typed as the server
/// types its query (`analyze::query`: types and the NOT NULL that the query
/// proves), or by the types the model holds (every column nullable) when
/// the query cannot be analysed; an error naming the first column neither
/// types.
fn view_columns(schema: &Schema, v: &View) -> Result<Table, String> {
    let text = v.query.exact().unwrap_or(&v.query.sql);
    let analysed = crate::analyze::query::analyze(text, schema)
        .ok()
        .filter(|a| a.columns.len() == v.columns.len() && a.params.is_empty());
    let mut t = Table::default();
    for (at, c) in v.columns.iter().enumerate() {
        let (data_type, not_null) = match (&analysed, &c.data_type) {
            (Some(a), _) => (a.columns[at].type_name.clone(), !a.columns[at].nullable),
            (None, Some(ty)) => (ty.clone(), false),
            (None, None) => {
                return Err(format!(
                    "strata cannot type its column {} offline",
                    quote_ident(&c.name)
                ))
            }
        };
        let mut col = Column::new(c.name.clone(), data_type);
        col.not_null = not_null;
        col.comment = c.comment.clone().map(Into::into);
        t.columns.push(col);
    }
    t.comment = v.comment.clone();
    Ok(t)
}

/// The module of a table (a foreign table's too: readable and writable
/// through its wrapper), or of a view (`view`: its rows are read only —
/// no insert struct, no `INSERT`/`UPDATE`/`DELETE`, every column read
/// only).
fn emit_table(
    ctx: &mut Ctx<'_>,
    ns: &str,
    name: &str,
    t: &Table,
    view: Option<&View>,
) -> TokenStream {
    // A foreign table gets a table's module, writes included: the server
    // sends reads and writes to its foreign-data wrapper (postgres_fdw
    // writes through; a wrapper that cannot raises its own error, as for
    // any statement the server refuses).
    let kind_label = match view {
        None if t.foreign.is_some() => "Foreign table",
        None => "Table",
        Some(v) if v.materialized => "Materialized view",
        Some(_) => "View",
    };
    let table_label = qualified(ns, name);
    let module = ctx
        .table_modules
        .get(&(ns.to_string(), name.to_string()))
        .cloned()
        .unwrap_or_else(|| Ident::new("__unnamed", Span::call_site()));
    // The structs live in the table's own module: no other table's can
    // clash. A name with nothing to convert is spelled exactly.
    let camel_name = camel_name(name);
    // The row is one of the table's rows: `users` → `User`.
    let row_name = Some(camel(&singular(name)))
        .filter(|c| !c.is_empty() && ident(c).is_some() && ident(&format!("{c}Table")).is_some())
        .unwrap_or_else(|| camel_name.clone());
    let struct_ident =
        |text: &str| ident(text).unwrap_or_else(|| Ident::new("__unnamed", Span::call_site()));
    let row = struct_ident(&row_name);
    let new_row = struct_ident(&format!("New{row_name}"));
    let table = struct_ident(&format!("{camel_name}Table"));
    // Depth below the top of the generated code: the table's module, plus
    // the namespace's.
    let module_depth = 1 + usize::from(ns != "public");
    let model_depth = module_depth + 1;

    let mut cols = Vec::new();
    // Column constants share the value namespace with the table's unit
    // struct, re-exported beside them.
    let names: Vec<(String, String)> = t
        .columns
        .iter()
        .map(|c| (c.name.clone(), snake(&c.name)))
        .collect();
    let fields = assign(&names, &[table.to_string()]);
    for (c, field) in t.columns.iter().zip(fields) {
        let what = format!("column {table_label}.{}", quote_ident(&c.name));
        let Some(ty) = map(&c.data_type, ctx.schema, ctx.overrides) else {
            let base = c.data_type.trim_end_matches("[]");
            error(
                ctx,
                DiagnosticKind::UnmappedType,
                format!(
                    "{what} has type {}, which strata does not map to a Rust type; map it in the macro input to a type of yours that reads and writes it, e.g. `types: {{ \"{base}\" => crate::MyType }}` (it must implement ToSql and FromSql accepting {base}, and strata::runtime::NotNull), or pass `--type '{base}=crate::MyType'` to `strata codegen`",
                    c.data_type
                ),
            );
            continue;
        };
        // An override of a standard type that cannot convert the column's.
        let mut inner = &ty;
        while let RustType::Array(e) = inner {
            inner = e;
        }
        if let RustType::Override(tokens) = inner {
            if let Some(why) = override_mismatch(&c.data_type, tokens) {
                error(ctx, DiagnosticKind::UnmappedType, format!("{what}: {why}"));
                continue;
            }
        }
        let read_only =
            view.is_some() || c.generated.is_some() || c.identity == Some(Identity::Always);
        let has_default = c.default.as_deref().is_some_and(|d| d != "NULL")
            || c.identity == Some(Identity::ByDefault);
        cols.push(Col {
            col: c,
            field,
            ty,
            nullable: !c.not_null,
            read_only,
            has_default,
        });
    }

    let field_type = |ctx: &Ctx<'_>, c: &Col<'_>, depth: usize| {
        let base = type_tokens(ctx, &c.ty, depth);
        if c.nullable {
            quote!(::core::option::Option<#base>)
        } else {
            base
        }
    };

    // The row struct.
    let mut row_fields = Vec::new();
    let mut decode = Vec::new();
    let mut decode_fields = Vec::new();
    for c in &cols {
        let f = &c.field;
        let ty = field_type(ctx, c, model_depth);
        let doc = docs(&column_doc(c.col));
        let sql_name = &c.col.name;
        let rename = (f.to_string().trim_start_matches("r#") != sql_name)
            .then(|| quote!(#[serde(rename = #sql_name)]));
        row_fields.push(quote! {
            #doc
            #rename
            pub #f: #ty
        });
        decode.push(quote!(#f: ::strata::runtime::get(__row, #name, #sql_name)?));
        // An array of the database's own type (an enum) is not known by its
        // oid inside a record: read it as an array.
        let own_array = matches!(&c.ty, RustType::Array(e) if !matches!(**e, RustType::Builtin(_)));
        decode_fields.push(if own_array {
            quote!(#f: __f.next_array(#name, #sql_name)?)
        } else {
            quote!(#f: __f.next(#name, #sql_name)?)
        });
    }

    // The insert struct.
    let mut new_fields = Vec::new();
    let mut new_params = Vec::new();
    let mut new_inits = Vec::new();
    let mut insert_columns = Vec::new();
    let mut insert_values = Vec::new();
    for c in cols.iter().filter(|c| !c.read_only) {
        let f = &c.field;
        let ty = field_type(ctx, c, model_depth);
        let sql_name = &c.col.name;
        insert_columns.push(sql_name.clone());
        let (field_ty, doc, value) = if c.has_default {
            (
                quote!(::core::option::Option<#ty>),
                docs(&format!(
                    "{}\n\n`None` inserts the column's `DEFAULT`.",
                    column_doc(c.col)
                )),
                quote!(::strata::runtime::InsertValue::or_default(self.#f)),
            )
        } else {
            (
                ty.clone(),
                docs(&column_doc(c.col)),
                quote!(::strata::runtime::InsertValue::value(self.#f)),
            )
        };
        new_fields.push(quote! {
            #doc
            pub #f: #field_ty
        });
        insert_values.push(value);
        if c.has_default || c.nullable {
            new_inits.push(quote!(#f: ::core::option::Option::None));
        } else {
            new_params.push(quote!(#f: #ty));
            new_inits.push(quote!(#f));
        }
    }
    let new_default = new_params.is_empty().then(|| quote!(Default,));
    let all_columns: Vec<&String> = cols.iter().map(|c| &c.col.name).collect();
    let inherited = ctx.inherited.contains(&(ns.to_string(), name.to_string()));
    let primary_key = identifying_key(t, view, inherited).map(|key| {
        quote! {
            const PRIMARY_KEY: &'static [&'static str] = &[#(#key),*];
        }
    });

    // Typed columns.
    let mut consts = Vec::new();
    for c in &cols {
        let f = &c.field;
        let ty = field_type(ctx, c, module_depth);
        let sql_name = &c.col.name;
        let access = if c.read_only {
            quote!(, ::strata::runtime::ReadOnly)
        } else {
            TokenStream::new()
        };
        let doc = docs(&column_doc(c.col));
        consts.push(quote! {
            #doc
            pub const #f: ::strata::runtime::Column<#table, #ty #access> =
                ::strata::runtime::Column::new(#sql_name);
        });
    }

    // Conflict targets.
    let mut targets = Vec::new();
    let conflicts = conflict_targets(t);
    let names: Vec<(String, String)> = conflicts
        .iter()
        .map(|(constraint, _, _)| (constraint.clone(), snake(constraint)))
        .collect();
    for ((constraint, sql, what), c) in conflicts.into_iter().zip(assign(&names, &[])) {
        let label = format!("{what} {}", quote_ident(&constraint));
        let doc = docs(&format!("`ON CONFLICT {sql}`: {label}."));
        targets.push(quote! {
            #doc
            pub const #c: ::strata::runtime::ConflictTarget<super::#table> =
                ::strata::runtime::ConflictTarget::new(#sql);
        });
    }
    let conflict = (!targets.is_empty()).then(|| {
        quote! {
            /// `ON CONFLICT` targets: the primary key, unique constraints and
            /// unique indexes (partial ones with their predicate).
            pub mod conflict {
                #(#targets)*
            }
        }
    });

    let rel = if view.is_none() {
        emit_relations(ctx, ns, name, module_depth)
    } else {
        TokenStream::new()
    };
    let conflict = if view.is_none() { conflict } else { None };
    let doc = docs(&format!(
        "{kind_label} {table_label}{}",
        t.comment
            .as_ref()
            .map(|c| format!(": {c}"))
            .unwrap_or_default()
    ));
    let row_doc = docs(&format!(
        "A row of {}{table_label}.",
        if view.is_some() {
            format!("{} ", kind_label.to_lowercase())
        } else {
            String::new()
        }
    ));
    let new_doc = docs(&format!(
        "A row to insert into {table_label}: generated columns are absent, and a column with a default is an `Option` (`None` inserts `DEFAULT`)."
    ));
    let new_fn_doc = docs("The row with every optional column `None`: defaults and NULLs.");
    let table_doc = docs(&format!(
        "{kind_label} {table_label}: the entry points of its statements{}.",
        if view.is_some() { " (read only)" } else { "" }
    ));
    let select_doc = docs(&format!("`SELECT` from {table_label}."));
    let insert_doc = docs(&format!("`INSERT` one row into {table_label}."));
    let insert_many_doc = docs(&format!(
        "`INSERT` many rows into {table_label} in one statement."
    ));
    let update_doc = docs(&format!("`UPDATE` {table_label}."));
    let delete_doc = docs(&format!("`DELETE` from {table_label}."));
    let (writes, write_fns, uses) = if view.is_some() {
        (
            TokenStream::new(),
            TokenStream::new(),
            quote!(pub use self::__model::{#row, #table};),
        )
    } else {
        (
            quote! {
                #new_doc
                #[derive(Debug, Clone, PartialEq, #new_default)]
                pub struct #new_row {
                    #(#new_fields,)*
                }

                impl #new_row {
                    #new_fn_doc
                    #[allow(clippy::too_many_arguments)]
                    pub fn new(#(#new_params),*) -> Self {
                        Self {
                            #(#new_inits,)*
                        }
                    }
                }

                impl ::strata::runtime::Insertable for #new_row {
                    type Table = #table;
                    const COLUMNS: &'static [&'static str] = &[#(#insert_columns),*];
                    fn into_values(self) -> ::std::vec::Vec<::strata::runtime::InsertValue> {
                        ::std::vec![#(#insert_values),*]
                    }
                }
            },
            quote! {
                #insert_doc
                pub fn insert(row: #new_row) -> ::strata::runtime::Insert<Self> {
                    ::strata::runtime::Insert::new([row])
                }

                #insert_many_doc
                pub fn insert_many(
                    rows: impl ::core::iter::IntoIterator<Item = #new_row>,
                ) -> ::strata::runtime::Insert<Self> {
                    ::strata::runtime::Insert::new(rows)
                }

                #update_doc
                pub fn update() -> ::strata::runtime::Update<Self> {
                    ::strata::runtime::Update::new()
                }

                #delete_doc
                pub fn delete() -> ::strata::runtime::Delete<Self> {
                    ::strata::runtime::Delete::new()
                }
            },
            quote!(pub use self::__model::{#row, #new_row, #table};),
        )
    };
    quote! {
        #doc
        #[allow(
            non_upper_case_globals,
            non_snake_case,
            non_camel_case_types,
            clippy::module_inception,
            clippy::upper_case_acronyms
        )]
        pub mod #module {
            mod __model {
                #row_doc
                #[derive(
                    Debug, Clone, PartialEq,
                    ::strata::runtime::serde::Serialize, ::strata::runtime::serde::Deserialize
                )]
                #[serde(crate = "::strata::runtime::serde")]
                pub struct #row {
                    #(#row_fields,)*
                }

                impl ::core::convert::TryFrom<&::strata::runtime::Row> for #row {
                    type Error = ::strata::runtime::DecodeError;
                    fn try_from(
                        __row: &::strata::runtime::Row,
                    ) -> ::core::result::Result<Self, Self::Error> {
                        ::core::result::Result::Ok(Self {
                            #(#decode,)*
                        })
                    }
                }

                impl ::strata::runtime::FromFields for #row {
                    fn from_fields(
                        __f: &mut ::strata::runtime::Fields<'_>,
                    ) -> ::core::result::Result<Self, ::strata::runtime::DecodeError> {
                        ::core::result::Result::Ok(Self {
                            #(#decode_fields,)*
                        })
                    }
                }

                #writes

                #table_doc
                #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
                pub struct #table;

                impl ::strata::runtime::Table for #table {
                    type Row = #row;
                    const NAMESPACE: &'static str = #ns;
                    const NAME: &'static str = #name;
                    const COLUMNS: &'static [&'static str] = &[#(#all_columns),*];
                    #primary_key
                }

                impl #table {
                    #select_doc
                    pub fn select() -> ::strata::runtime::Select<Self> {
                        ::strata::runtime::Select::new()
                    }

                    #write_fns
                }
            }

            #uses

            #(#consts)*

            #conflict

            #rel
        }
    }
}
