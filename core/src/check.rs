//! `strata check`: replay the history, compare with the declared schema.

use serde::Serialize;

use crate::diff::{diff, DiffOptions, Difference};
use crate::error::{Error, Location};
use crate::source::{load_offline_with, HistoryFormat, Loaded, ReplayOptions, SourceSpec};

/// What `check` compares.
#[derive(Debug, Clone)]
pub struct CheckInput {
    /// The declared schema (usually `schema:` a folder of SQL files).
    pub schema: SourceSpec,
    /// The history (usually `migrations:` a folder).
    pub migrations: SourceSpec,
    /// How both sides are replayed (the role running them).
    pub replay: ReplayOptions,
    /// Compare owners too (`--owners`); an object the SQL gives no owner
    /// is owned by the role running it (`replay.role`, when named).
    pub owners: bool,
}

/// Counts the report leads with.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct CheckCounts {
    pub migrations: usize,
    pub schema_files: usize,
    /// What the declared schema holds.
    #[serde(flatten)]
    pub schema: crate::model::Counts,
    pub ignored_statements: usize,
    pub data_statements: usize,
}

/// One difference, with the migration that last touched the object.
#[derive(Debug, Clone, Serialize)]
pub struct CheckDifference {
    #[serde(flatten)]
    pub difference: Difference,
    /// Where the history last created or changed the object (or its table).
    pub last_touched: Option<Location>,
    /// Where the declared schema defines the object (or its table).
    pub declared_at: Option<Location>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    InStep,
    Differs,
}

/// The result of `strata check`.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub status: CheckStatus,
    pub format: Option<HistoryFormat>,
    pub counts: CheckCounts,
    pub differences: Vec<CheckDifference>,
    pub warnings: Vec<String>,
    /// Statements marked `-- strata:ignore`, by location.
    pub ignored: Vec<Location>,
    /// Who compared: `None` for strata's offline reading, else the shadow
    /// server (`host:port`) that built both sides.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub judged_by: Option<String>,
}

/// Runs the check. Differences are `expected` = declared, `found` = what the
/// history builds.
pub fn check(input: &CheckInput) -> Result<CheckReport, Error> {
    check_keeping(input).map(|(report, _, _)| report)
}

/// [`check`], also handing back both sides as loaded (the declared schema,
/// then the history), so that a caller about to exit can skip freeing them.
///
/// The two sides are independent: the history is read, parsed and replayed
/// on a second thread while this one does the declared schema. An error of
/// the declared side is reported first, as when they ran one after the
/// other.
///
/// Each side keeps only the locations the report reads: where the declared
/// schema defines an object, and which migration last touched it.
pub fn check_keeping(input: &CheckInput) -> Result<(CheckReport, Loaded, Loaded), Error> {
    let declared_options = ReplayOptions {
        skip_provenance: true,
        ..input.replay.clone()
    };
    let history_options = ReplayOptions {
        skip_defined: true,
        ..input.replay.clone()
    };
    let (declared, history) = std::thread::scope(|s| {
        let history = std::thread::Builder::new()
            .name("strata-history".into())
            .spawn_scoped(s, || load_offline_with(&input.migrations, &history_options));
        let declared = load_offline_with(&input.schema, &declared_options);
        let history = match history {
            Ok(h) => h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
            // No second thread to be had: one after the other.
            Err(_) => load_offline_with(&input.migrations, &history_options),
        };
        (declared, history)
    });
    let (declared, history) = (declared?, history?);
    let owners = input.owners.then_some(match &input.replay.role {
        crate::replay::Role::Named(role) => Some(role.as_str()),
        _ => None,
    });
    let report = compare(&declared, &history, owners);
    Ok((report, declared, history))
}

/// Compares the two sides as loaded; `owners`: owners too, with the role
/// that runs the SQL when known (see [`crate::diff::owner::diff_owners`]).
pub fn compare(declared: &Loaded, history: &Loaded, owners: Option<Option<&str>>) -> CheckReport {
    compare_built(
        declared,
        history,
        &declared.replayed.schema,
        &history.replayed.schema,
        owners,
    )
}

/// As [`compare`], with the two schemas as something else built them (a
/// shadow database: the server's own reading of each side). Locations and
/// counts still come from the offline reading.
pub fn compare_built(
    declared: &Loaded,
    history: &Loaded,
    expected: &crate::model::Schema,
    found: &crate::model::Schema,
    owners: Option<Option<&str>>,
) -> CheckReport {
    let mut differences = diff(expected, found, DiffOptions::default());
    if let Some(implicit) = owners {
        crate::diff::owner::diff_owners(&mut differences, expected, found, implicit);
    }
    let locate = |prov: &std::collections::BTreeMap<crate::model::ObjectPath, Location>,
                  d: &Difference| {
        prov.get(&d.path)
            .or_else(|| d.path.table_path().and_then(|t| prov.get(&t)))
            .cloned()
    };
    let differences: Vec<CheckDifference> = differences
        .into_iter()
        .map(|d| CheckDifference {
            last_touched: locate(&history.replayed.provenance, &d),
            declared_at: locate(&declared.replayed.defined, &d),
            difference: d,
        })
        .collect();
    let c = declared.replayed.schema.counts();
    let mut ignored = declared.replayed.stats.ignored.clone();
    ignored.extend(history.replayed.stats.ignored.iter().cloned());
    let counts = CheckCounts {
        migrations: history.files,
        schema_files: declared.files,
        schema: c,
        ignored_statements: ignored.len(),
        data_statements: history.replayed.stats.data_statements,
    };
    let mut warnings = Vec::new();
    if let Some(h) = &history.history {
        warnings.extend(h.warnings.iter().cloned());
    }
    CheckReport {
        status: if differences.is_empty() {
            CheckStatus::InStep
        } else {
            CheckStatus::Differs
        },
        format: history.history.as_ref().map(|h| h.format),
        counts,
        differences,
        warnings,
        ignored,
        judged_by: None,
    }
}
