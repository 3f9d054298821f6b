//! `-- strata:renamed-from OLD` hints: read before and inside `CREATE TABLE`
//! and `CREATE TYPE … AS ENUM`, collected for the plan (`strata diff`,
//! `strata new`), which writes `ALTER … RENAME` for them.

use std::sync::Arc;

use serde::Serialize;

use crate::error::{line_column, Error, Location, SqlError};
use crate::parse::{self, Stmt};
use crate::split::{self, RawStatement};

use super::Replayer;

/// What a `-- strata:renamed-from OLD` hint renames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RenameKind {
    /// On the line before `CREATE TABLE`.
    Table,
    /// On the line before a column definition inside `CREATE TABLE`.
    Column,
    /// On the line before `CREATE TYPE … AS ENUM`.
    Enum,
    /// On the line before a label inside `CREATE TYPE … AS ENUM (…)`.
    EnumValue,
}

/// A declared rename: the object as it is now named, and its old name.
/// Collected by replay, used by the plan (`strata diff`, `strata new`) to
/// write `ALTER … RENAME` instead of a drop and an add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenameHint {
    pub kind: RenameKind,
    pub namespace: String,
    /// The table or enum (its new name).
    pub parent: String,
    /// The column or label (its new name); the same as `parent` for a
    /// table or an enum.
    pub name: String,
    /// The old name, as PostgreSQL stores it.
    pub from: String,
    /// Where the hint is written.
    pub location: Location,
}

/// The statement a rename hint may annotate.
pub(super) struct HintTarget {
    kind: RenameKind,
    namespace: String,
    name: String,
    /// Its columns or labels.
    members: Vec<String>,
}

impl Replayer {
    /// For `CREATE TABLE` and `CREATE TYPE … AS ENUM`: what a rename hint
    /// before it or inside it would name.
    pub(super) fn hint_target(&self, stmt: &Stmt) -> Option<HintTarget> {
        match stmt {
            Stmt::CreateTable(ct) => Some(HintTarget {
                kind: RenameKind::Table,
                namespace: self.creation_ns(&ct.name).ok()?,
                name: ct.name.name.clone(),
                members: ct.columns.iter().map(|c| c.name.clone()).collect(),
            }),
            Stmt::CreateEnum { name, values } => Some(HintTarget {
                kind: RenameKind::Enum,
                namespace: self.creation_ns(name).ok()?,
                name: name.name.clone(),
                members: values.clone(),
            }),
            _ => None,
        }
    }

    /// Records the `-- strata:renamed-from OLD` hints of a `CREATE TABLE`
    /// or `CREATE TYPE … AS ENUM` just applied: before the statement (the
    /// table or enum) and before a column definition or label inside it.
    /// A hint anywhere else inside the statement is an error.
    pub(super) fn collect_renames(
        &mut self,
        path: &str,
        text: &Arc<str>,
        st: &RawStatement,
        target: HintTarget,
    ) -> Result<(), Error> {
        let hint_error = |offset: usize, message: String| -> Error {
            let mut se = SqlError::new(path, text, offset, 2, message).with_label("rename hint");
            se.help = Some(
                "write `-- strata:renamed-from OLD_NAME` on the line before `CREATE TABLE` or \
                 `CREATE TYPE`, or on the line before a column definition or enum label inside it"
                    .to_string(),
            );
            Error::from(se)
        };
        let member_kind = match target.kind {
            RenameKind::Table => RenameKind::Column,
            _ => RenameKind::EnumValue,
        };
        for d in st.directives.iter().filter(|d| d.name == "renamed-from") {
            let from = hint_name(&d.args, false).ok_or_else(|| {
                hint_error(
                    d.offset,
                    format!("`-- strata:renamed-from {}`: expected one name", d.args),
                )
            })?;
            let location = Location {
                file: path.into(),
                line: d.line,
                column: d.column,
            };
            self.renames.push(RenameHint {
                kind: target.kind,
                namespace: target.namespace.clone(),
                parent: target.name.clone(),
                name: target.name.clone(),
                from,
                location,
            });
        }
        let body = st.text.as_str();
        let toks = split::tokens(body);
        let mut depth = 0usize;
        for (i, tok) in toks.iter().enumerate() {
            let gap_start = if i == 0 { 0 } else { toks[i - 1].end };
            let gap = body.get(gap_start..tok.start).unwrap_or("");
            for (at, args) in renamed_from_comments(gap) {
                let offset = st.offset + gap_start + at;
                let prev_opens_member = i > 0
                    && depth == 1
                    && (toks[i - 1].is_symbol(body, "(") || toks[i - 1].is_symbol(body, ","));
                let member = if prev_opens_member {
                    match (target.kind, tok.kind) {
                        (RenameKind::Table, split::TokenKind::Word) => {
                            Some(parse::fold_ident(tok.text(body), false))
                        }
                        (RenameKind::Table, split::TokenKind::QuotedIdent) => {
                            hint_name(tok.text(body), false)
                        }
                        (RenameKind::Enum, split::TokenKind::String) => {
                            hint_name(tok.text(body), true)
                        }
                        _ => None,
                    }
                    .filter(|m| target.members.contains(m))
                } else {
                    None
                };
                let Some(member) = member else {
                    return Err(hint_error(
                        offset,
                        format!(
                            "`-- strata:renamed-from {args}` inside `{}` must be on the line before a {}",
                            if target.kind == RenameKind::Table { "CREATE TABLE" } else { "CREATE TYPE" },
                            if target.kind == RenameKind::Table { "column definition" } else { "label" },
                        ),
                    ));
                };
                let from = hint_name(&args, target.kind == RenameKind::Enum).ok_or_else(|| {
                    hint_error(
                        offset,
                        format!("`-- strata:renamed-from {args}`: expected one name"),
                    )
                })?;
                let (line, column) = line_column(text, offset);
                self.renames.push(RenameHint {
                    kind: member_kind,
                    namespace: target.namespace.clone(),
                    parent: target.name.clone(),
                    name: member,
                    from,
                    location: Location {
                        file: path.into(),
                        line,
                        column,
                    },
                });
            }
            if tok.is_symbol(body, "(") {
                depth += 1;
            } else if tok.is_symbol(body, ")") {
                depth = depth.saturating_sub(1);
            }
        }
        Ok(())
    }
}

/// `-- strata:renamed-from ARGS` line comments in the whitespace and
/// comments between two tokens: (offset of `--` in `gap`, ARGS).
fn renamed_from_comments(gap: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(i) = gap.get(pos..).and_then(|r| r.find("--")) {
        let start = pos + i;
        let end = gap[start..].find('\n').map_or(gap.len(), |e| start + e);
        let comment = gap[start + 2..end].trim_start();
        if let Some(rest) = comment.strip_prefix("strata:renamed-from") {
            if rest.is_empty() || rest.starts_with(char::is_whitespace) {
                out.push((start, rest.trim().to_string()));
            }
        }
        pos = end;
    }
    out
}

/// The one name a hint gives: an identifier (folded, or `"quoted"`) or,
/// for an enum label, a `'string'` or a bare word taken as written.
fn hint_name(args: &str, label: bool) -> Option<String> {
    let toks = split::tokens(args);
    let [tok] = toks.as_slice() else {
        return None;
    };
    let t = tok.text(args);
    match tok.kind {
        split::TokenKind::Word if label => Some(t.to_string()),
        split::TokenKind::Word => Some(parse::fold_ident(t, false)),
        split::TokenKind::QuotedIdent if !label => {
            let inner = t.strip_prefix('"')?.strip_suffix('"')?;
            Some(parse::fold_ident(&inner.replace("\"\"", "\""), true))
        }
        split::TokenKind::String if label => {
            let inner = t.strip_prefix('\'')?.strip_suffix('\'')?;
            Some(inner.replace("''", "'"))
        }
        _ => None,
    }
}
