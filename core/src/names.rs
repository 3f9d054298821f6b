//! PostgreSQL's identifier rules: truncation to 63 bytes and the names the
//! server makes up for constraints, indexes and sequences created without a
//! name.
//!
//! The behaviour follows PostgreSQL's `makeObjectName`, `ChooseRelationName`,
//! `ChooseConstraintName`, `ChooseIndexColumnNames` and
//! `ChooseForeignKeyConstraintNameAddition`; the tests hold names read back
//! from a PostgreSQL 15 server. The labels the server uses:
//!
//! | object | name1 | name2 | label |
//! | --- | --- | --- | --- |
//! | primary key | table | – | `pkey` |
//! | unique constraint | table | [`join_column_names`] of [`index_column_names`] | `key` |
//! | exclusion constraint | table | same | `excl` |
//! | index (also `CREATE UNIQUE INDEX`) | table | same | `idx` |
//! | foreign key | table | [`join_column_names`] of the referencing columns | `fkey` |
//! | check | table | the column, when the expression uses exactly one | `check` |
//! | serial / identity sequence | table | column | `seq` |
//!
//! Index and constraint names are unique per schema, not per table: an index
//! name must not be taken by any relation (table, index, sequence, view, …)
//! of the schema, and a constraint name by any constraint of the schema (a
//! constraint `t2_a_check` on table `t1` makes `t2`'s next one `t2_a_check1`).
//! Index-backed constraints (primary key, unique, exclusion) must avoid both.

/// PostgreSQL's `NAMEDATALEN`: identifiers are at most `NAMEDATALEN - 1` = 63
/// bytes long.
pub const NAMEDATALEN: usize = 64;

/// The longest identifier, in bytes.
const MAX_IDENTIFIER: usize = NAMEDATALEN - 1;

/// The longest prefix of `s` that is at most `max` bytes and ends on a char
/// boundary (PostgreSQL's `pg_mbcliplen`).
fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or("")
}

/// Truncate to at most `max` bytes on a char boundary (`pg_mbcliplen`).
pub fn truncate_identifier_to(name: &str, max: usize) -> String {
    clip(name, max).to_string()
}

/// Truncate to at most 63 bytes on a char boundary, as PostgreSQL does to
/// identifiers (with a NOTICE) when it reads them.
pub fn truncate_identifier(name: &str) -> String {
    clip(name, MAX_IDENTIFIER).to_string()
}

/// PostgreSQL's `makeObjectName(name1, name2, label)`: `name1_name2_label`
/// (name2 and label optional), truncating name1 and/or name2 so that the whole
/// fits in 63 bytes.
///
/// The server decides the byte budget first — it takes one byte at a time
/// from the longer of the two names, from name2 when they are equally long —
/// and only then cuts each name back to a char boundary. With multibyte
/// names the result can therefore be shorter than 63 bytes.
pub fn make_object_name(name1: &str, name2: Option<&str>, label: Option<&str>) -> String {
    let overhead = name2.map_or(0, |_| 1) + label.map_or(0, |l| l.len() + 1);
    let available = MAX_IDENTIFIER.saturating_sub(overhead);
    let (len1, len2) = budget(name1.len(), name2.map_or(0, str::len), available);

    let mut name = String::with_capacity(len1 + len2 + overhead);
    name.push_str(clip(name1, len1));
    if let Some(name2) = name2 {
        name.push('_');
        name.push_str(clip(name2, len2));
    }
    if let Some(label) = label {
        name.push('_');
        name.push_str(label);
    }
    // Only an absurdly long label (which PostgreSQL never uses) gets here.
    if name.len() > MAX_IDENTIFIER {
        name = truncate_identifier(&name);
    }
    name
}

/// The byte lengths that remain of two names of `len1` and `len2` bytes when
/// together they may take `available` bytes: the longer one shrinks until
/// both are equally long, then name2 and name1 shrink by turns, name2 first.
fn budget(mut len1: usize, mut len2: usize, available: usize) -> (usize, usize) {
    let mut excess = (len1 + len2).saturating_sub(available);
    if len1 > len2 {
        let cut = excess.min(len1 - len2);
        len1 -= cut;
        excess -= cut;
    } else {
        let cut = excess.min(len2 - len1);
        len2 -= cut;
        excess -= cut;
    }
    // Either nothing is left to cut or both are equally long (and then
    // `excess <= len1 + len2`).
    len2 = len2.saturating_sub(excess.div_ceil(2));
    len1 = len1.saturating_sub(excess / 2);
    (len1, len2)
}

/// PostgreSQL's `ChooseRelationName` / `ChooseConstraintName`:
/// [`make_object_name`], and while `taken(name)` is true, the same with
/// `label1`, `label2`, … (the number goes after the label, `t_a_key1`; the
/// longer label can make the server truncate the names by one more byte).
///
/// `taken` must answer whether the name is used in the schema: by any
/// relation for an index, by any constraint for a constraint, by either for
/// an index-backed constraint (see the module documentation). It must
/// return false for some name (any finite set of names does).
pub fn choose_name(
    name1: &str,
    name2: Option<&str>,
    label: &str,
    taken: impl Fn(&str) -> bool,
) -> String {
    let mut name = make_object_name(name1, name2, Some(label));
    let mut pass: u64 = 0;
    while taken(&name) {
        pass += 1;
        name = make_object_name(name1, name2, Some(&format!("{label}{pass}")));
    }
    name
}

/// PostgreSQL's `ChooseIndexColumnNames`: the names of an index's columns,
/// made distinct. Pass for each key its column name, the name PostgreSQL
/// figures for an expression (the function's name for `lower(email)`, the
/// column's for `(email::text)`) or `"expr"` for an expression it cannot name.
/// A name used before gets a number, `expr`, `expr1`, `expr2`, kept within 63
/// bytes. Used for indexes and for unique, primary key and exclusion
/// constraints; foreign keys use their column names as they are.
pub fn index_column_names(names: &[&str]) -> Vec<String> {
    let mut result: Vec<String> = Vec::with_capacity(names.len());
    for &original in names {
        let mut name = original.to_string();
        let mut n: u64 = 0;
        while result.contains(&name) {
            n += 1;
            let suffix = n.to_string();
            let keep = clip(original, MAX_IDENTIFIER.saturating_sub(suffix.len()));
            name = format!("{keep}{suffix}");
        }
        result.push(name);
    }
    result
}

/// PostgreSQL's `ChooseIndexNameAddition` /
/// `ChooseForeignKeyConstraintNameAddition`: the column names joined with
/// `_`, truncated to 63 bytes (on a char boundary). This is name2 of
/// [`make_object_name`]; for an index or an index-backed constraint pass the
/// names [`index_column_names`] made distinct.
///
/// The server stops joining at 64 bytes and lets `makeObjectName` cut the
/// rest; since that leaves name2 at most 60 bytes, cutting at 63 first gives
/// the same names.
pub fn join_column_names(names: &[&str]) -> String {
    let mut joined = String::new();
    for name in names {
        if !joined.is_empty() {
            joined.push('_');
        }
        joined.push_str(clip(name, MAX_IDENTIFIER));
        if joined.len() > MAX_IDENTIFIER {
            break;
        }
    }
    truncate_identifier(&joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// makeObjectName's loop, one byte at a time, as a reference for
    /// [`budget`].
    fn budget_by_steps(mut len1: usize, mut len2: usize, available: usize) -> (usize, usize) {
        while len1 + len2 > available {
            if len1 > len2 {
                len1 -= 1;
            } else {
                len2 -= 1;
            }
        }
        (len1, len2)
    }

    #[test]
    fn budget_matches_the_byte_by_byte_loop() {
        for available in 0..=63 {
            for len1 in 0..=130 {
                for len2 in 0..=130 {
                    assert_eq!(
                        budget(len1, len2, available),
                        budget_by_steps(len1, len2, available),
                        "len1 {len1}, len2 {len2}, available {available}"
                    );
                }
            }
        }
    }

    #[test]
    fn truncate_identifier_keeps_63_bytes_on_a_char_boundary() {
        assert_eq!(truncate_identifier("users"), "users");
        assert_eq!(truncate_identifier(&"a".repeat(63)), "a".repeat(63));
        assert_eq!(truncate_identifier(&"a".repeat(64)), "a".repeat(63));
        assert_eq!(truncate_identifier(&"a".repeat(200)), "a".repeat(63));
        // 'é' is 2 bytes: 31 of them are 62 bytes, a 32nd would make 64.
        assert_eq!(truncate_identifier(&"é".repeat(40)), "é".repeat(31));
        // 'a' + 31 × 'é' = 63 bytes exactly.
        let s = format!("a{}", "é".repeat(40));
        assert_eq!(truncate_identifier(&s), format!("a{}", "é".repeat(31)));
        // 4-byte chars: 15 × 4 = 60 bytes.
        assert_eq!(truncate_identifier(&"😀".repeat(20)), "😀".repeat(15));
        assert_eq!(truncate_identifier(""), "");
    }

    #[test]
    fn make_object_name_short_names() {
        assert_eq!(make_object_name("t", Some("a"), Some("key")), "t_a_key");
        assert_eq!(make_object_name("t", None, Some("pkey")), "t_pkey");
        assert_eq!(make_object_name("t", Some("a_b"), None), "t_a_b");
        assert_eq!(make_object_name("t", None, None), "t");
        assert_eq!(make_object_name("t", Some(""), Some("idx")), "t__idx");
    }

    #[test]
    fn make_object_name_truncates_the_longer_name_first() {
        // 63 - len("_a") - len("_key") = 57 bytes left for the table name.
        let t = "t".repeat(60);
        assert_eq!(
            make_object_name(&t, Some("a"), Some("key")),
            format!("{}_a_key", "t".repeat(57))
        );
        // Both long: 58 bytes shared equally.
        let c = "c".repeat(60);
        assert_eq!(
            make_object_name(&t, Some(&c), Some("key")),
            format!("{}_{}_key", "t".repeat(29), "c".repeat(29))
        );
        // 57 bytes to share, an odd number: name2 gives the extra byte.
        assert_eq!(
            make_object_name(&t, Some(&c), Some("fkey")),
            format!("{}_{}_fkey", "t".repeat(29), "c".repeat(28))
        );
        // A long name2 and a short name1.
        assert_eq!(
            make_object_name("k", Some(&"p".repeat(80)), Some("key")),
            format!("k_{}_key", "p".repeat(57))
        );
        for name in [
            make_object_name(&"x".repeat(63), Some(&"y".repeat(63)), Some("check")),
            make_object_name(&"x".repeat(500), None, Some("pkey")),
        ] {
            assert_eq!(name.len(), 63, "{name}");
        }
    }

    #[test]
    fn make_object_name_cuts_multibyte_names_after_budgeting() {
        // 31 × 'é' = 62 bytes; the budget of 57 bytes is cut back to 56.
        let e = "é".repeat(31);
        let name = make_object_name(&e, Some("a"), Some("key"));
        assert_eq!(name, format!("{}_a_key", "é".repeat(28)));
        assert_eq!(name.len(), 62);
        // Budget 58 is a char boundary: 63 bytes.
        assert_eq!(
            make_object_name(&e, None, Some("pkey")),
            format!("{}_pkey", "é".repeat(29))
        );
        // 3-byte chars: 29 + 29 byte budget, each cut to 27.
        let name = make_object_name(&"€".repeat(21), Some(&"€".repeat(20)), Some("key"));
        assert_eq!(name, format!("{0}_{0}_key", "€".repeat(9)));
        assert_eq!(name.len(), 59);
    }

    #[test]
    fn make_object_name_survives_absurd_labels() {
        let name = make_object_name("t", Some("a"), Some(&"l".repeat(100)));
        assert_eq!(name.len(), 63);
        let name = make_object_name("é", Some("é"), Some(&"é".repeat(100)));
        assert!(name.len() <= 63);
    }

    #[test]
    fn choose_name_appends_a_number_to_the_label() {
        let taken = ["t_a_key", "t_a_key1"];
        assert_eq!(choose_name("t", Some("a"), "key", |_| false), "t_a_key");
        assert_eq!(
            choose_name("t", Some("a"), "key", |n| n == "t_a_key"),
            "t_a_key1"
        );
        assert_eq!(
            choose_name("t", Some("a"), "key", |n| taken.contains(&n)),
            "t_a_key2"
        );
        assert_eq!(
            choose_name("t", None, "check", |n| n == "t_check"),
            "t_check1"
        );
        // Past 9 the label grows by one more digit.
        assert_eq!(
            choose_name("t", None, "idx", |n| n == "t_idx"
                || (n.len() == 6 && n.starts_with("t_idx"))),
            "t_idx10"
        );
    }

    #[test]
    fn choose_name_truncates_one_more_byte_for_a_longer_label() {
        let x = "x".repeat(63);
        let first = format!("{}_a_key", "x".repeat(57));
        assert_eq!(choose_name(&x, Some("a"), "key", |_| false), first);
        assert_eq!(
            choose_name(&x, Some("a"), "key", |n| n == first),
            format!("{}_a_key1", "x".repeat(56))
        );
    }

    #[test]
    fn index_column_names_are_made_distinct() {
        assert_eq!(index_column_names(&["a", "b"]), ["a", "b"]);
        assert_eq!(index_column_names(&["a", "a", "a"]), ["a", "a1", "a2"]);
        assert_eq!(
            index_column_names(&["expr", "expr", "lower", "lower"]),
            ["expr", "expr1", "lower", "lower1"]
        );
        // A name that already looks numbered is taken as it is.
        assert_eq!(index_column_names(&["a1", "a", "a"]), ["a1", "a", "a2"]);
        // The number replaces the end of a 63-byte name.
        let long = "c".repeat(63);
        assert_eq!(
            index_column_names(&[&long, &long]),
            [long.clone(), format!("{}1", "c".repeat(62))]
        );
        let long = "é".repeat(31);
        assert_eq!(
            index_column_names(&[&long, &long]),
            [long.clone(), format!("{}1", "é".repeat(31))]
        );
        let long = "€".repeat(21);
        assert_eq!(
            index_column_names(&[&long, &long]),
            [long.clone(), format!("{}1", "€".repeat(20))]
        );
        assert!(index_column_names(&[]).is_empty());
    }

    #[test]
    fn join_column_names_joins_with_underscores_within_63_bytes() {
        assert_eq!(join_column_names(&["a"]), "a");
        assert_eq!(join_column_names(&["a", "b", "c"]), "a_b_c");
        assert_eq!(join_column_names(&[]), "");
        let p = "p".repeat(40);
        let q = "q".repeat(40);
        assert_eq!(
            join_column_names(&[&p, &q, "r"]),
            format!("{p}_{}", "q".repeat(22))
        );
        let e = "é".repeat(20);
        let joined = join_column_names(&[&e, &e]);
        assert_eq!(joined, format!("{e}_{}", "é".repeat(11)));
        assert_eq!(joined.len(), 63);
        let joined = join_column_names(&["ab", &"😀".repeat(20)]);
        assert_eq!(joined, format!("ab_{}", "😀".repeat(15)));
    }

    /// Names read back from PostgreSQL 15.20 (UTF8 database). Run by hand in
    /// a scratch database:
    ///
    /// ```sql
    /// CREATE TABLE t (a int PRIMARY KEY, b int UNIQUE, c int CHECK (c > 0), d int,
    ///                 CHECK (b > d), CHECK (true), UNIQUE (b, d));
    /// CREATE TABLE f (x int REFERENCES t, y int, z int, FOREIGN KEY (y, z) REFERENCES t (b, d));
    /// CREATE TABLE fd (x int, FOREIGN KEY (x, x) REFERENCES t (b, d));
    /// CREATE INDEX ON t (a);
    /// CREATE INDEX ON t (a, a);
    /// CREATE INDEX ON t (lower(c::text));
    /// CREATE INDEX ON t ((a + b));
    /// CREATE INDEX ON t ((a + b), (b + a), lower(c::text), lower(d::text));
    /// CREATE INDEX ON t (a);
    /// CREATE UNIQUE INDEX ON t (c);
    /// CREATE INDEX ON t ((c::text));
    /// CREATE INDEX ON t ((c));
    /// CREATE TABLE ex2 (a int, b int, EXCLUDE USING btree (a WITH =, a WITH =));
    /// CREATE TABLE ck2 (a int CHECK (a > 0), CHECK (a > 1), b int CHECK (b > a));
    /// CREATE TABLE ck3 (a int, "A" int, CHECK (a > "A"), CHECK (a > a + 1));
    /// CREATE TABLE "T" ("A" int UNIQUE);
    /// CREATE TABLE s (id serial, a int REFERENCES s (id), UNIQUE (id));
    /// -- collisions
    /// CREATE TABLE c (a int, CONSTRAINT c_a_key CHECK (a > 0), UNIQUE (a));
    /// CREATE TABLE h2 (a int, CONSTRAINT h2_a_key CHECK (a > 0),
    ///                  CONSTRAINT h2_a_key1 CHECK (a > 1), UNIQUE (a));
    /// CREATE TABLE d_a_idx ();
    /// CREATE TABLE d (a int);
    /// CREATE INDEX ON d (a);
    /// CREATE TABLE e1 (a int, CONSTRAINT e2_a_check CHECK (a > 0));
    /// CREATE TABLE e2 (a int CHECK (a > 0));
    /// CREATE TABLE g_pkey ();
    /// CREATE TABLE g (id int PRIMARY KEY);
    /// -- long names
    /// DO $$ BEGIN
    ///   EXECUTE format('CREATE TABLE %I (a int PRIMARY KEY, %I int UNIQUE, b int CHECK (b > 0),
    ///                   CHECK (a > b), CHECK (a > 0 AND b > 0), CHECK (%I > 0))',
    ///                  repeat('t', 60), repeat('c', 60), repeat('c', 60));
    ///   EXECUTE format('CREATE UNIQUE INDEX ON %I (%I)', repeat('t', 60), repeat('c', 60));
    ///   EXECUTE format('CREATE INDEX ON %I (%I)', repeat('t', 60), repeat('c', 60));
    ///   EXECUTE format('CREATE INDEX ON %I (b, %I, a)', repeat('t', 60), repeat('c', 60));
    ///   EXECUTE format('CREATE TABLE %I (a int, CONSTRAINT %I CHECK (a > 0), UNIQUE (a))',
    ///                  repeat('x', 63), repeat('x', 57) || '_a_key');
    ///   EXECUTE format('CREATE TABLE k (%I int, %I int, UNIQUE (%I, %I))',
    ///                  repeat('p', 40), repeat('q', 40), repeat('p', 40), repeat('q', 40));
    ///   EXECUTE format('CREATE TABLE kf (%I int, %I int, FOREIGN KEY (%I, %I) REFERENCES k (%I, %I))',
    ///                  repeat('p', 40), repeat('q', 40), repeat('p', 40), repeat('q', 40),
    ///                  repeat('p', 40), repeat('q', 40));
    ///   EXECUTE format('CREATE TABLE %I (%I serial PRIMARY KEY)', repeat('s', 62), repeat('i', 10));
    /// END $$;
    /// -- multibyte names
    /// DO $$ BEGIN
    ///   EXECUTE format('CREATE TABLE %I (a int UNIQUE, b int PRIMARY KEY)', repeat('é', 31));
    ///   EXECUTE format('CREATE TABLE %I (x int)', repeat('ö', 40));  -- NOTICE: truncated
    ///   EXECUTE format('CREATE TABLE %I (%I int UNIQUE)', repeat('€', 21), repeat('€', 20));
    ///   EXECUTE format('CREATE TABLE %I (a int UNIQUE, b int CHECK (b > 0))', repeat('😀', 15));
    ///   EXECUTE format('CREATE TABLE %I (a int UNIQUE)', 'a' || repeat('é', 30));
    /// END $$;
    /// SELECT conrelid::regclass, contype, conname, octet_length(conname::text)
    ///   FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 3;
    /// SELECT relkind, relname, octet_length(relname::text)
    ///   FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY 1, 2;
    /// ```
    mod observed_on_postgres_15 {
        use super::super::*;

        fn index(table: &str, keys: &[&str], label: &str) -> String {
            let cols = index_column_names(keys);
            let cols: Vec<&str> = cols.iter().map(String::as_str).collect();
            make_object_name(table, Some(&join_column_names(&cols)), Some(label))
        }

        fn fkey(table: &str, columns: &[&str]) -> String {
            make_object_name(table, Some(&join_column_names(columns)), Some("fkey"))
        }

        #[test]
        fn short_names() {
            assert_eq!(make_object_name("t", None, Some("pkey")), "t_pkey");
            assert_eq!(index("t", &["b"], "key"), "t_b_key");
            assert_eq!(index("t", &["b", "d"], "key"), "t_b_d_key");
            assert_eq!(make_object_name("t", Some("c"), Some("check")), "t_c_check");
            assert_eq!(fkey("f", &["x"]), "f_x_fkey");
            assert_eq!(fkey("f", &["y", "z"]), "f_y_z_fkey");
            // Foreign keys may repeat a column, and keep it as it is.
            assert_eq!(fkey("fd", &["x", "x"]), "fd_x_x_fkey");
            assert_eq!(make_object_name("s", Some("id"), Some("seq")), "s_id_seq");
            assert_eq!(index("s", &["id"], "key"), "s_id_key");
            assert_eq!(fkey("s", &["a"]), "s_a_fkey");
            // Case is kept.
            assert_eq!(index("T", &["A"], "key"), "T_A_key");
        }

        #[test]
        fn check_constraints_name_their_only_column() {
            // CHECK (b > d) and CHECK (true) use two and no columns: `t_check`,
            // then `t_check1`.
            let taken = ["t_check"];
            assert_eq!(choose_name("t", None, "check", |n| n == "never"), "t_check");
            assert_eq!(
                choose_name("t", None, "check", |n| taken.contains(&n)),
                "t_check1"
            );
            // ck2: the column constraint and the table constraint on `a`.
            let taken = ["ck2_a_check"];
            assert_eq!(
                choose_name("ck2", Some("a"), "check", |n| taken.contains(&n)),
                "ck2_a_check1"
            );
            // ck3: CHECK (a > a + 1) uses one column, twice.
            assert_eq!(
                make_object_name("ck3", Some("a"), Some("check")),
                "ck3_a_check"
            );
        }

        #[test]
        fn indexes_name_expressions_and_number_repeated_columns() {
            assert_eq!(index("t", &["a", "a"], "idx"), "t_a_a1_idx");
            assert_eq!(index("t", &["lower"], "idx"), "t_lower_idx");
            assert_eq!(index("t", &["expr"], "idx"), "t_expr_idx");
            assert_eq!(
                index("t", &["expr", "expr", "lower", "lower"], "idx"),
                "t_expr_expr1_lower_lower1_idx"
            );
            assert_eq!(index("ex2", &["a", "a"], "excl"), "ex2_a_a1_excl");
            // CREATE INDEX ON t (a) twice; then t (c) unique, (c::text), ((c)):
            // a cast and a parenthesized column are named after the column.
            let taken = ["t_a_idx"];
            assert_eq!(
                choose_name("t", Some("a"), "idx", |n| taken.contains(&n)),
                "t_a_idx1"
            );
            let taken = ["t_c_idx", "t_c_idx1"];
            assert_eq!(
                choose_name("t", Some("c"), "idx", |n| taken.contains(&n)),
                "t_c_idx2"
            );
        }

        #[test]
        fn collisions_add_a_number_to_the_label() {
            assert_eq!(
                choose_name("c", Some("a"), "key", |n| n == "c_a_key"),
                "c_a_key1"
            );
            let taken = ["h2_a_key", "h2_a_key1"];
            assert_eq!(
                choose_name("h2", Some("a"), "key", |n| taken.contains(&n)),
                "h2_a_key2"
            );
            // Table `d_a_idx` takes the index name; table `g_pkey` the primary key's.
            assert_eq!(
                choose_name("d", Some("a"), "idx", |n| n == "d_a_idx"),
                "d_a_idx1"
            );
            assert_eq!(choose_name("g", None, "pkey", |n| n == "g_pkey"), "g_pkey1");
            // A constraint of table e1 named e2_a_check takes the name from e2.
            assert_eq!(
                choose_name("e2", Some("a"), "check", |n| n == "e2_a_check"),
                "e2_a_check1"
            );
        }

        #[test]
        fn long_ascii_names() {
            let t = "t".repeat(60);
            let c = "c".repeat(60);
            assert_eq!(
                make_object_name(&t, None, Some("pkey")),
                "tttttttttttttttttttttttttttttttttttttttttttttttttttttttttt_pkey"
            );
            assert_eq!(
                index(&t, &[&c], "key"),
                "ttttttttttttttttttttttttttttt_ccccccccccccccccccccccccccccc_key"
            );
            assert_eq!(
                make_object_name(&t, Some("b"), Some("check")),
                "ttttttttttttttttttttttttttttttttttttttttttttttttttttttt_b_check"
            );
            let first = make_object_name(&t, None, Some("check"));
            assert_eq!(
                first,
                "ttttttttttttttttttttttttttttttttttttttttttttttttttttttttt_check"
            );
            assert_eq!(
                choose_name(&t, None, "check", |n| n == first),
                "tttttttttttttttttttttttttttttttttttttttttttttttttttttttt_check1"
            );
            assert_eq!(
                make_object_name(&t, Some(&c), Some("check")),
                "tttttttttttttttttttttttttttt_cccccccccccccccccccccccccccc_check"
            );
            // CREATE UNIQUE INDEX is labelled idx; the next index on the same
            // column gets idx1 and loses a byte of the column name.
            let first = index(&t, &[&c], "idx");
            assert_eq!(
                first,
                "ttttttttttttttttttttttttttttt_ccccccccccccccccccccccccccccc_idx"
            );
            assert_eq!(
                choose_name(&t, Some(&c), "idx", |n| n == first),
                "ttttttttttttttttttttttttttttt_cccccccccccccccccccccccccccc_idx1"
            );
            assert_eq!(
                index(&t, &["b", &c, "a"], "idx"),
                "ttttttttttttttttttttttttttttt_b_ccccccccccccccccccccccccccc_idx"
            );
            // A 63-byte table whose `x…x_a_key` is taken by a check constraint.
            let x = "x".repeat(63);
            let check = format!("{}_a_key", "x".repeat(57));
            assert_eq!(
                choose_name(&x, Some("a"), "key", |n| n == check),
                "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx_a_key1"
            );
            let p = "p".repeat(40);
            let q = "q".repeat(40);
            assert_eq!(
                index("k", &[&p, &q], "key"),
                "k_pppppppppppppppppppppppppppppppppppppppp_qqqqqqqqqqqqqqqq_key"
            );
            assert_eq!(
                fkey("kf", &[&p, &q]),
                "kf_pppppppppppppppppppppppppppppppppppppppp_qqqqqqqqqqqqqq_fkey"
            );
            let s = "s".repeat(62);
            assert_eq!(
                make_object_name(&s, Some("iiiiiiiiii"), Some("seq")),
                "ssssssssssssssssssssssssssssssssssssssssssssssss_iiiiiiiiii_seq"
            );
            assert_eq!(
                make_object_name(&s, None, Some("pkey")),
                "ssssssssssssssssssssssssssssssssssssssssssssssssssssssssss_pkey"
            );
        }

        #[test]
        fn multibyte_names() {
            // The server truncated a 40 × 'ö' (80 bytes) table name to 62 bytes.
            assert_eq!(
                truncate_identifier(&"ö".repeat(40)),
                "ööööööööööööööööööööööööööööööö"
            );
            let e = "é".repeat(31);
            let name = index(&e, &["a"], "key");
            assert_eq!(name, "éééééééééééééééééééééééééééé_a_key");
            assert_eq!(name.len(), 62);
            let name = make_object_name(&e, None, Some("pkey"));
            assert_eq!(name, "ééééééééééééééééééééééééééééé_pkey");
            assert_eq!(name.len(), 63);
            let name = index(&format!("a{}", "é".repeat(30)), &["a"], "key");
            assert_eq!(name, "aéééééééééééééééééééééééééééé_a_key");
            assert_eq!(name.len(), 63);
            let name = index(&"€".repeat(21), &[&"€".repeat(20)], "key");
            assert_eq!(name, "€€€€€€€€€_€€€€€€€€€_key");
            assert_eq!(name.len(), 59);
            let smile = "😀".repeat(15);
            let name = index(&smile, &["a"], "key");
            assert_eq!(name, "😀😀😀😀😀😀😀😀😀😀😀😀😀😀_a_key");
            assert_eq!(name.len(), 62);
            let name = make_object_name(&smile, Some("b"), Some("check"));
            assert_eq!(name, "😀😀😀😀😀😀😀😀😀😀😀😀😀_b_check");
            assert_eq!(name.len(), 60);
        }
    }
}
