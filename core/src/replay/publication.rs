//! Publications (`publicationcmds.c`): `CREATE PUBLICATION`, `ALTER
//! PUBLICATION … ADD | SET | DROP | SET (…) | RENAME TO | OWNER TO`, `DROP
//! PUBLICATION`, `COMMENT ON PUBLICATION`, with the server's checks (the
//! relations a publication may hold, column lists, row filters, members
//! added twice or dropped when absent, `FOR ALL TABLES`); and what happens
//! to them when their tables, columns or schemas change: a dropped table
//! leaves, a renamed one is followed, a column in a column list or row
//! filter cannot be dropped without CASCADE (which takes the table out) nor
//! retyped under a row filter.

use std::collections::BTreeSet;

use crate::analyze::Role;
use crate::model::{
    qualified, ObjectKind, ObjectPath, Publication, PublicationTable, PublishActions, RelationRef,
};
use crate::parse::{PubAction, PubObject, QName};

use super::{
    display_q, err, help, Replayer, DEPENDENT_OBJECTS, DUPLICATE_OBJECT, FEATURE_NOT_SUPPORTED,
    INVALID_PARAMETER, INVALID_SCHEMA, R, SYNTAX_ERROR, UNDEFINED_COLUMN, UNDEFINED_OBJECT,
    UNDEFINED_TABLE,
};

const OBJECT_NOT_IN_PREREQUISITE_STATE: &str = "55000";
const INVALID_COLUMN_REFERENCE: &str = "42P10";

fn path(name: &str) -> ObjectPath {
    ObjectPath::new(ObjectKind::Publication, "", name)
}

/// What the statement names, resolved: tables (deduplicated as the server
/// does) and schemas.
struct Resolved {
    tables: Vec<PublicationTable>,
    schemas: Vec<String>,
}

impl Replayer {
    fn missing_publication(name: &str) -> super::ReplayError {
        err(
            UNDEFINED_OBJECT,
            format!("publication \"{name}\" does not exist"),
        )
    }

    /// `CREATE PUBLICATION`.
    pub(super) fn create_publication(
        &mut self,
        name: String,
        all_tables: bool,
        objects: Vec<PubObject>,
        options: Vec<(String, Option<String>)>,
    ) -> R<()> {
        if self.schema.publications.contains_key(&name) {
            return Err(err(
                DUPLICATE_OBJECT,
                format!("publication \"{name}\" already exists"),
            ));
        }
        let mut p = Publication {
            all_tables,
            tables: Vec::new(),
            schemas: BTreeSet::new(),
            publish: PublishActions::default(),
            via_root: false,
            comment: None,
            owner: self.creator(),
        };
        apply_options(&mut p, &options)?;
        let r = self.resolve_objects(&objects)?;
        if !r.schemas.is_empty() {
            if let Some(t) = r.tables.iter().find(|t| t.columns.is_some()) {
                return Err(column_list_with_schemas(&t.table, &name));
            }
        }
        p.tables = r.tables;
        p.tables.sort_by(|a, b| a.table.cmp(&b.table));
        p.schemas = r.schemas.into_iter().collect();
        self.schema.publications.insert(name.clone(), p);
        self.touch(path(&name));
        Ok(())
    }

    /// `ALTER PUBLICATION`.
    pub(super) fn alter_publication(&mut self, name: String, action: PubAction) -> R<()> {
        let Some(mut p) = self.schema.publications.get(&name).cloned() else {
            return Err(Self::missing_publication(&name));
        };
        match action {
            PubAction::Owner(role) => {
                let owner = self.owner_for(role);
                if let Some(x) = self.schema.publications.get_mut(&name) {
                    x.owner = owner;
                }
                self.touch(path(&name));
                return Ok(());
            }
            PubAction::Rename(new) => {
                if self.schema.publications.contains_key(&new) {
                    return Err(err(
                        DUPLICATE_OBJECT,
                        format!("publication \"{new}\" already exists"),
                    ));
                }
                self.schema.publications.remove(&name);
                self.schema.publications.insert(new.clone(), p);
                self.touch(path(&new));
                return Ok(());
            }
            PubAction::Options(o) => apply_options(&mut p, &o)?,
            PubAction::Add(objects) | PubAction::Set(objects) | PubAction::Drop(objects)
                if p.all_tables =>
            {
                let _ = objects;
                return Err(help(
                    err(
                        OBJECT_NOT_IN_PREREQUISITE_STATE,
                        format!("publication \"{name}\" is defined as FOR ALL TABLES"),
                    ),
                    "Tables cannot be added to or dropped from FOR ALL TABLES publications.",
                ));
            }
            PubAction::Add(objects) => {
                let r = self.resolve_objects(&objects)?;
                if !r.schemas.is_empty() && p.tables.iter().any(|t| t.columns.is_some()) {
                    return Err(help(
                        err(
                            INVALID_PARAMETER,
                            format!("cannot add schema to publication \"{name}\""),
                        ),
                        "Schemas cannot be added if any tables that specify a column list are already part of the publication.",
                    ));
                }
                for t in r.tables {
                    if p.table(&t.table).is_some() {
                        return Err(err(
                            DUPLICATE_OBJECT,
                            format!(
                                "relation \"{}\" is already member of publication \"{name}\"",
                                t.table.name
                            ),
                        ));
                    }
                    p.tables.push(t);
                }
                for s in r.schemas {
                    if !p.schemas.insert(s.clone()) {
                        return Err(err(
                            DUPLICATE_OBJECT,
                            format!("schema \"{s}\" is already member of publication \"{name}\""),
                        ));
                    }
                }
            }
            PubAction::Set(objects) => {
                let r = self.resolve_objects(&objects)?;
                p.tables = r.tables;
                p.schemas = r.schemas.into_iter().collect();
            }
            PubAction::Drop(objects) => {
                let r = self.resolve_objects(&objects)?;
                for t in r.tables {
                    let before = p.tables.len();
                    p.tables.retain(|x| x.table != t.table);
                    if p.tables.len() == before {
                        return Err(err(
                            UNDEFINED_OBJECT,
                            format!(
                                "relation \"{}\" is not part of the publication",
                                t.table.name
                            ),
                        ));
                    }
                }
                for s in r.schemas {
                    if !p.schemas.remove(&s) {
                        return Err(err(
                            UNDEFINED_OBJECT,
                            format!("tables from schema \"{s}\" are not part of the publication"),
                        ));
                    }
                }
            }
        }
        if !p.schemas.is_empty() {
            if let Some(t) = p.tables.iter().find(|t| t.columns.is_some()) {
                return Err(column_list_with_schemas(&t.table, &name));
            }
        }
        p.tables.sort_by(|a, b| a.table.cmp(&b.table));
        self.schema.publications.insert(name.clone(), p);
        self.touch(path(&name));
        Ok(())
    }

    /// `DROP PUBLICATION [IF EXISTS] name, …`.
    pub(super) fn drop_publication(&mut self, names: Vec<String>, if_exists: bool) -> R<()> {
        for n in names {
            if self.schema.publications.remove(&n).is_none() && !if_exists {
                return Err(Self::missing_publication(&n));
            }
        }
        Ok(())
    }

    /// `COMMENT ON PUBLICATION`.
    pub(super) fn comment_publication(&mut self, name: &str, text: Option<String>) -> R<()> {
        let Some(p) = self.schema.publications.get_mut(name) else {
            return Err(Self::missing_publication(name));
        };
        p.comment = text.filter(|c| !c.is_empty());
        self.touch(path(name));
        Ok(())
    }

    fn resolve_objects(&self, objects: &[PubObject]) -> R<Resolved> {
        let mut tables: Vec<PublicationTable> = Vec::new();
        let mut schemas: Vec<String> = Vec::new();
        for o in objects {
            match o {
                PubObject::Schema(s) => {
                    let s = match s {
                        Some(s) => s.clone(),
                        None => self.search_namespaces().into_iter().next().ok_or_else(|| {
                            err(
                                INVALID_SCHEMA,
                                "no schema has been selected for CURRENT_SCHEMA",
                            )
                        })?,
                    };
                    if !self.schema.namespaces.contains_key(&s) {
                        return Err(err(
                            INVALID_SCHEMA,
                            format!("schema \"{s}\" does not exist"),
                        ));
                    }
                    if !schemas.contains(&s) {
                        schemas.push(s);
                    }
                }
                PubObject::Table {
                    name,
                    only,
                    columns,
                    filter,
                } => {
                    let t = self.publication_table(name, columns.as_deref(), filter.as_ref())?;
                    // Without ONLY, inheritance children come too (not
                    // partitions), with the same column list and filter.
                    if !only {
                        for child in self.inheritance_descendants(&t.table) {
                            if tables.iter().any(|x| x.table == child) || child == t.table {
                                continue;
                            }
                            let q = QName {
                                schema: Some(child.namespace.clone()),
                                name: child.name.clone(),
                            };
                            tables.push(self.publication_table(
                                &q,
                                columns.as_deref(),
                                filter.as_ref(),
                            )?);
                        }
                    }
                    if let Some(prev) = tables.iter().find(|x| x.table == t.table) {
                        if t.row_filter.is_some() || prev.row_filter.is_some() {
                            return Err(err(
                                DUPLICATE_OBJECT,
                                format!(
                                    "conflicting or redundant WHERE clauses for table \"{}\"",
                                    name.name
                                ),
                            ));
                        }
                        if t.columns.is_some() || prev.columns.is_some() {
                            return Err(err(
                                DUPLICATE_OBJECT,
                                format!(
                                    "conflicting or redundant column lists for table \"{}\"",
                                    name.name
                                ),
                            ));
                        }
                        continue;
                    }
                    tables.push(t);
                }
            }
        }
        Ok(Resolved { tables, schemas })
    }

    /// The inheritance children of a table, and theirs (not partitions).
    fn inheritance_descendants(&self, t: &RelationRef) -> Vec<RelationRef> {
        let mut out: Vec<RelationRef> = Vec::new();
        let mut queue = vec![t.clone()];
        while let Some(parent) = queue.pop() {
            for (ns, n) in &self.schema.namespaces {
                for (name, x) in &n.tables {
                    if x.inherits.contains(&parent) {
                        let r = RelationRef::new(ns.clone(), name.clone());
                        if !out.contains(&r) {
                            out.push(r.clone());
                            queue.push(r);
                        }
                    }
                }
            }
        }
        out
    }

    /// A table of `FOR TABLE`, checked as the server checks it.
    fn publication_table(
        &self,
        q: &QName,
        columns: Option<&[String]>,
        filter: Option<&crate::model::Expression>,
    ) -> R<PublicationTable> {
        let cannot = |detail: &str| {
            help(
                err(
                    INVALID_PARAMETER,
                    format!("cannot add relation \"{}\" to publication", q.name),
                ),
                detail.to_string(),
            )
        };
        let Some(ns) = self.find_table(q) else {
            return Err(match self.relation_kind(q) {
                Some(k) => cannot(&format!("This operation is not supported for {k}s.")),
                None => err(
                    UNDEFINED_TABLE,
                    format!("relation \"{}\" does not exist", display_q(q)),
                ),
            });
        };
        let table = self.table(&ns, &q.name).expect("found");
        if table.unlogged {
            return Err(cannot(
                "This operation is not supported for unlogged tables.",
            ));
        }
        let columns = match columns {
            None => None,
            Some(cols) => {
                let mut seen = BTreeSet::new();
                for c in cols {
                    let Some(col) = table.column(c) else {
                        return Err(err(
                            UNDEFINED_COLUMN,
                            format!("column \"{c}\" of relation \"{}\" does not exist", q.name),
                        ));
                    };
                    if col.generated.is_some() {
                        return Err(err(
                            INVALID_COLUMN_REFERENCE,
                            format!(
                                "cannot use generated column \"{c}\" in publication column list"
                            ),
                        ));
                    }
                    if !seen.insert(c.clone()) {
                        return Err(err(
                            DUPLICATE_OBJECT,
                            format!("duplicate column \"{c}\" in publication column list"),
                        ));
                    }
                }
                // Kept in attribute order (`prattrs`).
                Some(
                    table
                        .columns
                        .iter()
                        .filter(|c| seen.contains(&c.name))
                        .map(|c| c.name.clone())
                        .collect(),
                )
            }
        };
        let row_filter = match filter {
            None => None,
            Some(f) => {
                let lower = f.sql.to_ascii_lowercase();
                if crate::ddl::name_tokens(&lower).contains(&"select") {
                    return Err(help(
                        err(FEATURE_NOT_SUPPORTED, "invalid publication WHERE expression"),
                        "Only columns, constants, built-in operators, built-in data types, built-in collations, and immutable built-in functions are allowed.",
                    ));
                }
                Some(crate::expression::resolve(
                    f,
                    &table.columns,
                    &self.schema,
                    Role::Policy,
                ))
            }
        };
        Ok(PublicationTable {
            table: RelationRef::new(ns, q.name.clone()),
            columns,
            row_filter,
        })
    }

    /// Before table `ns.rel` or its column `col` is dropped: the table
    /// leaves every publication; a column in a column list or row filter
    /// needs CASCADE, which takes the table out of that publication.
    pub(super) fn publications_before_drop(
        &mut self,
        ns: &str,
        rel: &str,
        col: Option<&str>,
        cascade: bool,
    ) -> R<()> {
        if self.schema.publications.is_empty() {
            return Ok(());
        }
        let target = RelationRef::new(ns, rel);
        for (pname, p) in self.schema.publications.iter_mut() {
            let Some(c) = col else {
                p.tables.retain(|t| t.table != target);
                continue;
            };
            let uses = |t: &PublicationTable| {
                t.table == target
                    && (t.columns.as_ref().is_some_and(|x| x.iter().any(|n| n == c))
                        || t.row_filter
                            .as_ref()
                            .is_some_and(|e| crate::expression::mentions(e, c)))
            };
            if !p.tables.iter().any(uses) {
                continue;
            }
            if !cascade {
                return Err(help(
                    err(
                        DEPENDENT_OBJECTS,
                        format!(
                            "cannot drop column {c} of table {} because other objects depend on it",
                            qualified(ns, rel)
                        ),
                    ),
                    format!(
                        "publication of table {rel} in publication {pname} depends on column {c}: drop it first, or use CASCADE"
                    ),
                ));
            }
            p.tables.retain(|t| !uses(t));
        }
        Ok(())
    }

    /// Whether column `col` of `ns.rel` cannot change type: a publication's
    /// row filter (or column list) uses it.
    pub(super) fn publication_using_column(
        &self,
        ns: &str,
        rel: &str,
        col: &str,
    ) -> Option<String> {
        let target = RelationRef::new(ns, rel);
        self.schema.publications.iter().find_map(|(pname, p)| {
            p.tables
                .iter()
                .any(|t| {
                    t.table == target
                        && (t
                            .columns
                            .as_ref()
                            .is_some_and(|x| x.iter().any(|n| n == col))
                            || t.row_filter
                                .as_ref()
                                .is_some_and(|e| crate::expression::mentions(e, col)))
                })
                .then(|| pname.clone())
        })
    }

    /// Table `ns.rel` renamed or moved: the publications follow it.
    pub(super) fn publications_table_moved(
        &mut self,
        ns: &str,
        rel: &str,
        new_ns: &str,
        new: &str,
    ) {
        let target = RelationRef::new(ns, rel);
        for p in self.schema.publications.values_mut() {
            for t in p.tables.iter_mut().filter(|t| t.table == target) {
                t.table = RelationRef::new(new_ns, new);
            }
            p.tables.sort_by(|a, b| a.table.cmp(&b.table));
        }
    }

    /// Column `old` of `ns.rel` renamed to `new`: column lists follow it,
    /// row filters are analysed again (the server prints the new name).
    pub(super) fn publications_column_renamed(
        &mut self,
        ns: &str,
        rel: &str,
        old: &str,
        new: &str,
    ) {
        if self.schema.publications.is_empty() {
            return;
        }
        let target = RelationRef::new(ns, rel);
        // The table's columns as they are after the rename (which may not
        // have happened yet).
        let mut columns = match self.table(ns, rel) {
            Some(t) => t.columns.clone(),
            None => return,
        };
        for c in columns.iter_mut().filter(|c| c.name == old) {
            c.name = new.to_string();
        }
        let snapshot = self.schema.clone();
        for p in self.schema.publications.values_mut() {
            for t in p.tables.iter_mut().filter(|t| t.table == target) {
                if let Some(cols) = &mut t.columns {
                    for c in cols.iter_mut().filter(|c| *c == old) {
                        *c = new.to_string();
                    }
                }
                if let Some(e) = &t.row_filter {
                    if crate::expression::mentions(e, old) {
                        let renamed = crate::expression::rename(e, old, new);
                        t.row_filter = Some(crate::expression::resolve(
                            &renamed,
                            &columns,
                            &snapshot,
                            Role::Policy,
                        ));
                    }
                }
            }
        }
    }

    /// Schema `name` renamed: `FOR TABLES IN SCHEMA` follows it.
    pub(super) fn publications_schema_renamed(&mut self, name: &str, new: &str) {
        for p in self.schema.publications.values_mut() {
            if p.schemas.remove(name) {
                p.schemas.insert(new.to_string());
            }
        }
    }

    /// Schema `name` dropped: it leaves every publication.
    pub(super) fn publications_schema_dropped(&mut self, name: &str) {
        for p in self.schema.publications.values_mut() {
            p.schemas.remove(name);
        }
    }
}

fn column_list_with_schemas(t: &RelationRef, publication: &str) -> super::ReplayError {
    help(
        err(
            INVALID_PARAMETER,
            format!(
                "cannot use column list for relation \"{}.{}\" in publication \"{publication}\"",
                t.namespace, t.name
            ),
        ),
        "Column lists cannot be specified in publications containing FOR TABLES IN SCHEMA elements.",
    )
}

/// `WITH (…)` / `SET (…)`: `publish` and `publish_via_partition_root`.
fn apply_options(p: &mut Publication, options: &[(String, Option<String>)]) -> R<()> {
    let mut seen = BTreeSet::new();
    for (name, value) in options {
        if !seen.insert(name.as_str()) {
            return Err(err(SYNTAX_ERROR, "conflicting or redundant options"));
        }
        match name.as_str() {
            "publish" => {
                let v = value.clone().unwrap_or_default();
                let mut a = PublishActions {
                    insert: false,
                    update: false,
                    delete: false,
                    truncate: false,
                };
                for part in v.split(',').map(str::trim).filter(|x| !x.is_empty()) {
                    match part {
                        "insert" => a.insert = true,
                        "update" => a.update = true,
                        "delete" => a.delete = true,
                        "truncate" => a.truncate = true,
                        other => {
                            return Err(err(
                                SYNTAX_ERROR,
                                format!(
                                    "unrecognized value for publication option \"publish\": \"{other}\""
                                ),
                            ))
                        }
                    }
                }
                p.publish = a;
            }
            "publish_via_partition_root" => {
                p.via_root = match value.as_deref().map(str::to_ascii_lowercase).as_deref() {
                    None | Some("true" | "on" | "1" | "yes" | "t" | "y") => true,
                    Some("false" | "off" | "0" | "no" | "f" | "n") => false,
                    Some(_) => {
                        return Err(err(
                            SYNTAX_ERROR,
                            "publish_via_partition_root requires a Boolean value",
                        ))
                    }
                };
            }
            other => {
                return Err(err(
                    SYNTAX_ERROR,
                    format!("unrecognized publication parameter: \"{other}\""),
                ))
            }
        }
    }
    Ok(())
}
