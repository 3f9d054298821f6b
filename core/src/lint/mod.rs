//! `strata lint`: hand-written migrations checked statement by statement
//! against the model of the schema *at that point of the history*.
//!
//! Each statement is looked at with the model as it is before the statement
//! (the replayer's), then applied. That is what a one-file linter cannot
//! know: whether the table a `CREATE INDEX` builds on existed before this
//! migration (an empty table created in the same migration is no hazard),
//! the column's current type when its type changes (a binary-coercible
//! change does not rewrite), whether a validated `CHECK (col IS NOT NULL)`
//! lets `SET NOT NULL` skip its scan, which views read a dropped column.
//!
//! `rules` is the catalogue (names, help, links to `docs/lint.md`);
//! `checks` looks at one statement; `types` decides whether a change of
//! column type rewrites, over [`crate::catalog`]. A statement carrying
//! `-- strata:allow RULE[, RULE]` (on the lines before it, or after it on
//! its last line) accepts those rules for that statement; an unknown rule
//! name there is an error.
//!
//! Replay errors do not stop linting: a statement PostgreSQL would refuse
//! in this model (an `ALTER TABLE` of a table the linted files alone do not
//! create) is a [`Note`], and linting goes on with what the model knows.

mod checks;
pub mod rules;
mod types;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;

use crate::error::{Error, Location, SqlError};
use crate::parse;
use crate::replay::Replayer;
use crate::source::{HistoryFormat, SqlFile};
use crate::split::{self, Directive, RawStatement};

pub use rules::{rule, Level, Rule, RULES};

/// One finding: a rule broken by a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub level: Level,
    /// The statement's first character.
    pub location: Location,
    /// One line, naming the object.
    pub message: String,
    /// Why it matters and what to do.
    pub help: &'static str,
    /// The rule's section of `docs/lint.md`.
    pub url: String,
}

/// A statement replay could not apply to the model (PostgreSQL would refuse
/// it there, or strata does not model it): the findings after it are made
/// with what the model knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub location: Location,
    pub message: String,
}

/// What linting found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LintReport {
    pub findings: Vec<Finding>,
    /// Findings accepted by `-- strata:allow`, by rule.
    pub allowed: BTreeMap<&'static str, usize>,
    pub notes: Vec<Note>,
    /// Files linted (the history they follow is not counted).
    pub files: usize,
    pub statements: usize,
}

impl LintReport {
    /// Findings by rule, every rule with at least one.
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        let mut m = BTreeMap::new();
        for f in &self.findings {
            *m.entry(f.rule).or_insert(0) += 1;
        }
        m
    }
}

/// How the migration tool runs a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TxMode {
    /// In one transaction (refinery, sqlx, Diesel, drizzle-kit, dbmate,
    /// golang-migrate as a multi-statement script, strata migrate).
    Wrapped,
    /// As one multi-statement query: an implicit transaction when it holds
    /// more than one statement (Prisma Migrate).
    Script,
    /// Outside a transaction: each statement commits on its own
    /// (`-- strata:no-transaction`, sqlx's `-- no-transaction`).
    Outside,
}

impl TxMode {
    /// How `format` runs `file`. Without a known tool, a file is one
    /// transaction unless it says otherwise on its first line.
    pub fn of(format: Option<HistoryFormat>, text: &str) -> TxMode {
        let first = text.trim_start().lines().next().unwrap_or("").trim();
        let strata_directive = split::file_directives(text)
            .iter()
            .any(|d| d.name == "no-transaction");
        if strata_directive || first == "-- no-transaction" {
            return TxMode::Outside;
        }
        match format {
            Some(HistoryFormat::Prisma) => TxMode::Script,
            _ => TxMode::Wrapped,
        }
    }
}

/// Lints `files` as the migrations that follow `history` (replayed first,
/// not linted), each run as `tx(file)` says.
pub fn lint(
    history: &[SqlFile],
    files: &[SqlFile],
    tx: impl Fn(&SqlFile) -> TxMode,
) -> Result<LintReport, Error> {
    let mut l = Linter::new();
    for f in history {
        l.context(&f.path, &f.text)?;
    }
    for f in files {
        l.lint_file(&f.path, &f.text, tx(f))?;
    }
    Ok(l.finish())
}

/// Lints files one after the other, over one model.
#[derive(Debug, Clone, Default)]
pub struct Linter {
    replayer: Replayer,
    report: LintReport,
}

/// What linting remembers within one file (one migration).
#[derive(Debug, Default)]
pub(crate) struct FileState {
    /// The statements run in a transaction block (the tool's, an implicit
    /// one, or an explicit BEGIN).
    pub tool_tx: bool,
    pub explicit_tx: bool,
    /// The transaction is the implicit one of a multi-statement query
    /// (Prisma): BEGIN and COMMIT in it are the file's own, not nesting.
    pub implicit_tx: bool,
    /// Outside a transaction.
    pub outside: bool,
    /// Outside a transaction with more than one statement: a failure
    /// half-way leaves the first statements applied.
    pub outside_many: bool,
    /// Tables created by this migration (namespace, name): empty, so no
    /// lock on them matters.
    pub created: BTreeSet<(String, String)>,
    /// Indexes created by this migration (namespace, name).
    pub created_indexes: BTreeSet<(String, String)>,
    /// Constraints added NOT VALID by this migration (namespace, table, name).
    pub not_valid: BTreeSet<(String, String, String)>,
    /// Enum values added by this migration in a transaction.
    pub enum_values: Vec<NewEnumValue>,
}

/// A value `ALTER TYPE … ADD VALUE` added in the current transaction.
#[derive(Debug)]
pub(crate) struct NewEnumValue {
    /// The enum, qualified and quoted, for messages.
    pub label: String,
    /// The enum's name, as stored.
    pub name: String,
    pub value: String,
    /// Names of the columns of this enum type (or arrays of it).
    pub columns: BTreeSet<String>,
}

impl FileState {
    pub fn in_transaction(&self) -> bool {
        self.tool_tx || self.explicit_tx
    }
}

impl Linter {
    pub fn new() -> Linter {
        Linter::default()
    }

    /// Replays a migration of the history the linted files follow.
    pub fn context(&mut self, path: &str, text: &Arc<str>) -> Result<(), Error> {
        self.replayer.apply_file(path, text)
    }

    /// Lints one migration file and applies it to the model.
    pub fn lint_file(&mut self, path: &str, text: &Arc<str>, tx: TxMode) -> Result<(), Error> {
        self.report.files += 1;
        self.replayer.begin_file();
        let mut statements = split::split(path, text)?;
        attach_trailing_allows(text, &mut statements);
        let countable = statements.iter().filter(|s| !s.meta_command).count();
        let mut state = FileState {
            tool_tx: match tx {
                TxMode::Wrapped => true,
                TxMode::Script => countable > 1,
                TxMode::Outside => false,
            },
            ..FileState::default()
        };
        state.implicit_tx = tx == TxMode::Script;
        state.outside = !state.tool_tx;
        state.outside_many = state.outside && countable > 1;
        for st in &statements {
            self.statement(path, text, st, &mut state)?;
        }
        Ok(())
    }

    fn statement(
        &mut self,
        path: &str,
        text: &Arc<str>,
        st: &RawStatement,
        state: &mut FileState,
    ) -> Result<(), Error> {
        self.report.statements += 1;
        let location = Location {
            file: path.into(),
            line: st.line,
            column: st.column,
        };
        let allowed = allowed_rules(path, text, &st.directives)?;
        if st.meta_command || st.directives.iter().any(|d| d.name == "ignore") {
            return self.apply(path, text, st, &location);
        }
        let stmt = match parse::parse_statement(&st.text) {
            Ok(s) => s,
            // Replay reports the parse error with its file:line:column.
            Err(_) => return self.replayer.apply_statement(path, text, st),
        };
        let found = checks::statement(&self.replayer, state, &stmt, &st.text);
        for (name, message) in found {
            let Some(r) = rule(name) else { continue };
            if allowed.contains(name) {
                *self.report.allowed.entry(r.name).or_insert(0) += 1;
                continue;
            }
            self.report.findings.push(Finding {
                rule: r.name,
                level: r.level,
                location: location.clone(),
                message,
                help: r.help,
                url: r.url(),
            });
        }
        self.apply(path, text, st, &location)?;
        checks::after(&self.replayer, state, &stmt);
        Ok(())
    }

    /// Applies a statement; a replay error becomes a note.
    fn apply(
        &mut self,
        path: &str,
        text: &Arc<str>,
        st: &RawStatement,
        location: &Location,
    ) -> Result<(), Error> {
        match self.replayer.apply_statement(path, text, st) {
            Ok(()) => Ok(()),
            Err(Error::Sql(e)) => {
                self.report.notes.push(Note {
                    location: location.clone(),
                    message: e.message,
                });
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    pub fn finish(self) -> LintReport {
        self.report
    }
}

/// A `-- strata:allow` written after a statement on its last line belongs
/// to that statement, not to the next one the splitter attached it to.
fn attach_trailing_allows(text: &str, statements: &mut [RawStatement]) {
    // The last statement: the rest of its last line.
    if let Some(last) = statements.last_mut() {
        let end = last.offset + last.text.len();
        let line_end = text[end..].find('\n').map_or(text.len(), |n| end + n);
        for mut d in split::file_directives(&text[end..line_end]) {
            if d.name == "allow" {
                d.offset += end;
                (d.line, d.column) = crate::error::line_column(text, d.offset);
                last.directives.push(d);
            }
        }
    }
    for i in 1..statements.len() {
        let (before, after) = statements.split_at_mut(i);
        let prev = &mut before[i - 1];
        let end_line = prev.line + prev.text.matches('\n').count() as u32;
        let next = &mut after[0];
        let (mine, theirs): (Vec<Directive>, Vec<Directive>) = std::mem::take(&mut next.directives)
            .into_iter()
            .partition(|d| d.name == "allow" && d.line == end_line);
        next.directives = theirs;
        prev.directives.extend(mine);
    }
}

/// The rules `-- strata:allow RULE[, RULE]` directives name; an unknown
/// name is an error at the directive.
// The crate's errors are `SqlError` by value (see `split::split`).
#[allow(clippy::result_large_err)]
fn allowed_rules(
    path: &str,
    text: &Arc<str>,
    directives: &[Directive],
) -> Result<BTreeSet<&'static str>, SqlError> {
    let mut out = BTreeSet::new();
    for d in directives.iter().filter(|d| d.name == "allow") {
        let names: Vec<&str> = d
            .args
            .split([',', ' ', '\t'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        let at = |message: String| {
            let len = text[d.offset..].find('\n').unwrap_or(text.len() - d.offset);
            SqlError::new(path, text, d.offset, len, message)
                .with_label("in this directive")
                .with_help(format!(
                    "`-- strata:allow RULE[, RULE]` takes rule names: {}",
                    RULES.iter().map(|r| r.name).collect::<Vec<_>>().join(", ")
                ))
        };
        if names.is_empty() {
            return Err(at("`-- strata:allow` names no rule".to_string()));
        }
        for n in names {
            match rule(n) {
                Some(r) => {
                    out.insert(r.name);
                }
                None => return Err(at(format!("unknown lint rule `{n}` in `-- strata:allow`"))),
            }
        }
    }
    Ok(out)
}

/// The statement's tokens, for what the statement types do not keep
/// (`DROP INDEX CONCURRENTLY`, `DROP DATABASE`, string literals).
pub(crate) fn words(text: &str) -> Vec<(split::TokenKind, String)> {
    split::tokens(text)
        .into_iter()
        .map(|t| (t.kind, t.text(text).to_string()))
        .collect()
}

/// A table's key in [`FileState`].
pub(crate) fn key(ns: &str, name: &str) -> (String, String) {
    (ns.to_string(), name.to_string())
}
