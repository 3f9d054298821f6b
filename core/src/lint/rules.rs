//! The rules `strata lint` knows: a stable kebab-case name (squawk's where
//! the rule is the same), a one-line summary, the help a finding carries and
//! the anchor of its section in `docs/lint.md`.

use serde::Serialize;

/// How serious a finding of a rule is: an operation that locks, rewrites,
/// fails or loses data is an error; a style preference a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Warning,
    Error,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// One rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub name: &'static str,
    /// One line: what the rule flags.
    pub summary: &'static str,
    /// Why it matters and what to do instead, in a sentence or two.
    pub help: &'static str,
    pub level: Level,
}

impl Rule {
    /// The explanation of the rule: its section of `docs/lint.md`.
    pub fn url(&self) -> String {
        format!("{DOCS_URL}#{}", self.name)
    }
}

/// Where `docs/lint.md` is published.
pub const DOCS_URL: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/lint.md");

use Level::{Error, Warning};

/// Every rule, sorted by name.
pub const RULES: &[Rule] = &[
    Rule {
        name: "adding-field-with-default",
        summary: "a column added to an existing table with a volatile default, or a generated, identity or serial column, rewrites the table",
        help: "add the column without the default (or with a constant one), then fill it in batches; a constant default does not rewrite since PostgreSQL 11",
        level: Error,
    },
    Rule {
        name: "adding-foreign-key-constraint",
        summary: "a foreign key added to an existing table without NOT VALID checks every row while both tables are locked",
        help: "add it with NOT VALID, then VALIDATE CONSTRAINT in a later migration (validation takes a weaker lock)",
        level: Error,
    },
    Rule {
        name: "adding-not-nullable-field",
        summary: "SET NOT NULL on an existing table scans it under an ACCESS EXCLUSIVE lock unless a validated CHECK (col IS NOT NULL) proves it",
        help: "add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it in a later migration, then SET NOT NULL (no scan) and drop the check",
        level: Error,
    },
    Rule {
        name: "adding-required-field",
        summary: "a NOT NULL column without a default added to an existing table fails as soon as the table has a row",
        help: "add the column nullable or with a default, fill it, then make it NOT NULL",
        level: Error,
    },
    Rule {
        name: "adding-serial-primary-key-field",
        summary: "a primary key added to an existing table builds its index under an ACCESS EXCLUSIVE lock",
        help: "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT … PRIMARY KEY USING INDEX",
        level: Error,
    },
    Rule {
        name: "ban-alter-domain-with-add-constraint",
        summary: "ALTER DOMAIN … ADD CONSTRAINT checks every column of the domain's type under lock",
        help: "add the constraint NOT VALID and VALIDATE it later, or put the check on the tables",
        level: Error,
    },
    Rule {
        name: "ban-char-field",
        summary: "a char(n) column pads values with spaces and is no faster than text",
        help: "use text (or varchar) with a CHECK on the length if one is needed",
        level: Warning,
    },
    Rule {
        name: "ban-concurrent-index-creation-in-transaction",
        summary: "CREATE or DROP INDEX CONCURRENTLY cannot run inside a transaction, and the migration runs in one",
        help: "put the statement alone in a migration that runs outside a transaction (`-- strata:no-transaction` on its first line, or your tool's equivalent)",
        level: Error,
    },
    Rule {
        name: "ban-create-domain-with-constraint",
        summary: "a domain with a CHECK constraint cannot later change it without checking every column of its type",
        help: "put the check on the tables' columns, where it can be added NOT VALID",
        level: Warning,
    },
    Rule {
        name: "ban-drop-column",
        summary: "dropping a column of an existing table breaks the code still reading it (and drops the views that read it with CASCADE)",
        help: "stop reading the column in the application first, deploy, then drop it",
        level: Error,
    },
    Rule {
        name: "ban-drop-database",
        summary: "DROP DATABASE in a migration",
        help: "databases are dropped by people, not by migrations",
        level: Error,
    },
    Rule {
        name: "ban-drop-not-null",
        summary: "dropping NOT NULL lets NULLs into a column the running code expects to be set",
        help: "make sure every reader handles NULL before the migration runs",
        level: Warning,
    },
    Rule {
        name: "ban-drop-table",
        summary: "dropping an existing table loses its data and breaks the code still using it",
        help: "stop using the table first; keep a backup; drop it in a migration of its own",
        level: Error,
    },
    Rule {
        name: "changing-column-type",
        summary: "changing a column's type to one that is not binary-coercible rewrites the table under an ACCESS EXCLUSIVE lock",
        help: "add a column of the new type, backfill it in batches, switch readers, drop the old one; widening varchar or numeric, or varchar to text, does not rewrite",
        level: Error,
    },
    Rule {
        name: "constraint-missing-not-valid",
        summary: "a CHECK constraint added to an existing table without NOT VALID (or validated in the same transaction) scans it under lock",
        help: "add it NOT VALID, then VALIDATE CONSTRAINT in a later migration (validation takes a SHARE UPDATE EXCLUSIVE lock)",
        level: Error,
    },
    Rule {
        name: "disallowed-unique-constraint",
        summary: "a UNIQUE constraint added to an existing table builds its index under an ACCESS EXCLUSIVE lock",
        help: "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT … UNIQUE USING INDEX",
        level: Error,
    },
    Rule {
        name: "prefer-bigint-over-int",
        summary: "an integer column can run out of values (2^31)",
        help: "use bigint: it costs four bytes more and never needs a rewrite to widen",
        level: Warning,
    },
    Rule {
        name: "prefer-bigint-over-smallint",
        summary: "a smallint column can run out of values (2^15)",
        help: "use bigint (or integer) unless the range is truly bounded",
        level: Warning,
    },
    Rule {
        name: "prefer-identity",
        summary: "serial columns own a sequence with surprising permissions and dump behaviour",
        help: "use GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY",
        level: Warning,
    },
    Rule {
        name: "prefer-robust-stmts",
        summary: "a statement in a migration that runs outside a transaction fails when re-run after a partial failure",
        help: "use IF NOT EXISTS / IF EXISTS so the migration can be run again",
        level: Warning,
    },
    Rule {
        name: "prefer-text-field",
        summary: "a varchar(n) column needs an ACCESS EXCLUSIVE lock to shrink its limit later",
        help: "use text with a CHECK (length(col) <= n) constraint, which can be changed NOT VALID",
        level: Warning,
    },
    Rule {
        name: "prefer-timestamptz",
        summary: "timestamp without time zone stores wall-clock values whose meaning depends on the client's time zone",
        help: "use timestamptz (timestamp with time zone)",
        level: Warning,
    },
    Rule {
        name: "renaming-column",
        summary: "renaming a column of an existing table breaks the code still running with the old name",
        help: "add the new column (or a view) and move readers over before removing the old name",
        level: Error,
    },
    Rule {
        name: "renaming-table",
        summary: "renaming an existing table breaks the code still running with the old name",
        help: "create a view with the old name during the switch, or move readers first",
        level: Error,
    },
    Rule {
        name: "require-concurrent-index-creation",
        summary: "CREATE INDEX without CONCURRENTLY on a table that existed before this migration blocks writes while it builds",
        help: "CREATE INDEX CONCURRENTLY, in a migration that runs outside a transaction",
        level: Error,
    },
    Rule {
        name: "require-concurrent-index-deletion",
        summary: "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the index's table",
        help: "DROP INDEX CONCURRENTLY, in a migration that runs outside a transaction",
        level: Error,
    },
    Rule {
        name: "transaction-nesting",
        summary: "BEGIN, COMMIT or ROLLBACK in a migration the tool already runs in a transaction",
        help: "remove them: the migration tool starts and ends the transaction (a COMMIT would end it early)",
        level: Error,
    },
    Rule {
        name: "unsafe-enum-value-use",
        summary: "a value added with ALTER TYPE … ADD VALUE is used in the same transaction: PostgreSQL refuses (55P04)",
        help: "add the value in one migration and use it in a later one",
        level: Error,
    },
];

/// The rule named `name`.
pub fn rule(name: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_sorted_unique_kebab_case_and_documented() {
        let names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(names, sorted);
        let doc = include_str!("../../../docs/lint.md");
        for r in RULES {
            assert!(
                r.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                r.name
            );
            assert!(
                doc.contains(&format!("## {}\n", r.name)),
                "docs/lint.md has no section `## {}`",
                r.name
            );
            assert!(rule(r.name).is_some());
        }
    }
}
