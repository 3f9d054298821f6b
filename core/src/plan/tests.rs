//! Plans for focused cases, each replayed offline to the target
//! ([`super::verify`]); the server proves the same in `tests/plan_*.rs`.

use std::sync::Arc;

use super::*;
use crate::replay::{replay_texts, Replayed};

fn replay(sql: &str) -> Replayed {
    let text: Arc<str> = Arc::from(sql);
    replay_texts([("schema.sql", &text)]).unwrap_or_else(|e| panic!("replay: {e:?}\n{sql}"))
}

fn opts(to: &Replayed) -> PlanOptions {
    PlanOptions {
        renames: to.renames.clone(),
        ..PlanOptions::default()
    }
}

fn allow_all(mut o: PlanOptions) -> PlanOptions {
    o.allow = Hazard::ALL.into_iter().collect();
    o
}

/// Plans `a` → `b` and checks offline that the plan arrives at `b`.
fn plan_ok(a: &str, b: &str, o: impl Fn(PlanOptions) -> PlanOptions) -> Plan {
    let (ra, rb) = (replay(a), replay(b));
    let p = plan_verified(&ra.schema, &rb.schema, &o(opts(&rb)))
        .unwrap_or_else(|e| panic!("{e}\nhelp: {}", e.help));
    // Deterministic.
    let again = plan(&ra.schema, &rb.schema, &o(opts(&rb))).unwrap();
    assert_eq!(p.sql(), again.sql());
    p
}

fn plan_err(a: &str, b: &str, o: impl Fn(PlanOptions) -> PlanOptions) -> PlanError {
    let (ra, rb) = (replay(a), replay(b));
    match plan(&ra.schema, &rb.schema, &o(opts(&rb))) {
        Ok(p) => panic!("expected an error, got:\n{}", p.sql()),
        Err(e) => e,
    }
}

fn same(o: PlanOptions) -> PlanOptions {
    o
}

fn position(sql: &str, needle: &str) -> usize {
    sql.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in:\n{sql}"))
}

const BASE: &str = "CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE public.account (
    id bigint PRIMARY KEY,
    email text NOT NULL,
    mood mood DEFAULT 'ok',
    version text,
    major integer GENERATED ALWAYS AS ((split_part(version, '.', 1))::integer) STORED
);
CREATE INDEX account_major ON public.account (major);
";

#[test]
fn nothing_to_do_is_an_empty_plan() {
    let p = plan_ok(BASE, BASE, same);
    assert!(p.is_empty());
    assert_eq!(p.sql(), "");
}

#[test]
fn a_new_table_with_a_foreign_key_and_a_partial_unique_index() {
    let b = format!(
        "{BASE}CREATE TABLE public.invite (
    id bigint PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES public.account (id) ON DELETE CASCADE,
    code text NOT NULL,
    used boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX invite_code_unused ON public.invite (code) WHERE NOT used;
"
    );
    let p = plan_ok(BASE, &b, same);
    let sql = p.sql();
    assert!(
        position(&sql, "CREATE TABLE public.invite")
            < position(&sql, "ADD CONSTRAINT invite_account_id_fkey")
    );
    assert!(
        sql.contains(
            "CREATE UNIQUE INDEX invite_code_unused ON public.invite (code) WHERE NOT used;"
        ),
        "{sql}"
    );
    assert!(p.hazards().is_empty(), "{sql}");
}

#[test]
fn tables_referencing_each_other_get_their_keys_after_both_exist() {
    let b = "CREATE TABLE public.a (id int PRIMARY KEY, b_id int);
CREATE TABLE public.b (id int PRIMARY KEY, a_id int REFERENCES public.a (id));
ALTER TABLE public.a ADD FOREIGN KEY (b_id) REFERENCES public.b (id);
";
    let p = plan_ok("", b, same);
    let sql = p.sql();
    assert!(position(&sql, "CREATE TABLE public.b") < position(&sql, "ADD CONSTRAINT a_b_id_fkey"));
    assert!(position(&sql, "CREATE TABLE public.a") < position(&sql, "ADD CONSTRAINT b_a_id_fkey"));
    // And back: foreign keys go before their tables.
    let p = plan_ok(b, "", allow_all);
    assert_eq!(p.steps().filter(|s| s.action == "drop table").count(), 2);
}

#[test]
fn a_renamed_column_with_a_hint_is_renamed() {
    let b = BASE.replace(
        "    email text NOT NULL,",
        "    -- strata:renamed-from email\n    primary_email text NOT NULL,",
    );
    let p = plan_ok(BASE, &b, same);
    assert_eq!(
        p.sql(),
        "-- step 1: rename column public.account.primary_email\nALTER TABLE public.account RENAME COLUMN email TO primary_email;\n"
    );
    // Applied already: the hint is stale, and reported.
    let p = plan_ok(&b, &b, same);
    assert!(p.is_empty());
    assert_eq!(p.stale_hints.len(), 1);
    assert!(
        p.stale_hints[0].reason.contains("already"),
        "{:?}",
        p.stale_hints
    );
}

#[test]
fn a_renamed_table_with_a_hint_keeps_its_foreign_keys() {
    let a = "CREATE TABLE public.person (id int PRIMARY KEY);
CREATE TABLE public.pet (id int PRIMARY KEY, owner int REFERENCES public.person (id));
";
    let b = "-- strata:renamed-from person
CREATE TABLE public.owner (id int PRIMARY KEY);
CREATE TABLE public.pet (id int PRIMARY KEY, owner int);
ALTER TABLE public.pet ADD CONSTRAINT pet_owner_fkey FOREIGN KEY (owner) REFERENCES public.owner (id);
";
    let p = plan_ok(a, b, same);
    let sql = p.sql();
    assert!(
        sql.contains("ALTER TABLE public.person RENAME TO owner;"),
        "{sql}"
    );
    assert!(
        sql.contains("ALTER TABLE public.owner RENAME CONSTRAINT person_pkey TO owner_pkey;"),
        "{sql}"
    );
    assert_eq!(p.step_count(), 2, "{sql}");
}

#[test]
fn a_drop_and_an_add_that_look_like_a_rename_are_an_error_naming_the_hint() {
    let b = BASE.replace("    email text NOT NULL,", "    mail text NOT NULL,");
    let e = plan_err(BASE, &b, same);
    assert_eq!(e.kind, PlanErrorKind::PossibleRename, "{e}");
    assert!(e.details[0].contains("-- strata:renamed-from email"), "{e}");
    // Allowed on purpose: a drop and an add.
    let p = plan_ok(BASE, &b, allow_all);
    assert!(p.sql().contains("DROP COLUMN email"));
}

#[test]
fn dropping_data_is_refused_unless_allowed() {
    let b = BASE.replace("    email text NOT NULL,\n", "");
    let e = plan_err(BASE, &b, same);
    assert_eq!(e.kind, PlanErrorKind::Refused);
    assert!(e.details[0].contains("drop column"), "{e}");
    assert!(e.help.contains("--allow-hazards deletes-data"), "{e}");
    let p = plan_ok(BASE, &b, |mut o| {
        o.allow.insert(Hazard::DeletesData);
        o
    });
    assert!(p.sql().contains("hazard deletes-data"));
}

#[test]
fn an_enum_value_in_the_middle_is_added_in_place() {
    let b = BASE.replace(
        "('sad', 'ok', 'happy')",
        "('sad', 'meh', 'ok', 'happy', 'ecstatic')",
    );
    let p = plan_ok(BASE, &b, same);
    let sql = p.sql();
    assert!(
        sql.contains("ALTER TYPE public.mood ADD VALUE 'meh' BEFORE 'ok';"),
        "{sql}"
    );
    assert!(
        sql.contains("ALTER TYPE public.mood ADD VALUE 'ecstatic' AFTER 'happy';"),
        "{sql}"
    );
    assert_eq!(p.units.len(), 1);
}

#[test]
fn a_new_enum_value_used_in_the_same_plan_gets_its_own_transaction() {
    let b = BASE
        .replace("('sad', 'ok', 'happy')", "('sad', 'meh', 'ok', 'happy')")
        .replace("mood mood DEFAULT 'ok'", "mood mood DEFAULT 'meh'");
    let p = plan_ok(BASE, &b, same);
    assert_eq!(p.units.len(), 2, "{}", p.sql());
    assert!(p.units[0].steps[0].statements[0].contains("ADD VALUE 'meh'"));
}

#[test]
fn an_enum_value_renamed_with_a_hint() {
    let b = BASE.replace(
        "CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');",
        "CREATE TYPE public.mood AS ENUM (\n    'sad',\n    -- strata:renamed-from 'ok'\n    'fine',\n    'happy'\n);",
    )
    .replace("DEFAULT 'ok'", "DEFAULT 'fine'");
    let p = plan_ok(BASE, &b, same);
    assert!(
        p.sql()
            .contains("ALTER TYPE public.mood RENAME VALUE 'ok' TO 'fine';"),
        "{}",
        p.sql()
    );
}

#[test]
fn a_removed_enum_value_swaps_the_type_behind_a_guard() {
    let b = BASE.replace("('sad', 'ok', 'happy')", "('happy', 'ok')");
    let p = plan_ok(BASE, &b, same);
    let sql = p.sql();
    let guard = position(&sql, "DO $strata$");
    let rename = position(&sql, "ALTER TYPE public.mood RENAME TO mood__strata_old;");
    let convert = position(
        &sql,
        "ALTER TABLE public.account ALTER COLUMN mood TYPE mood USING mood::text::mood;",
    );
    let drop = position(&sql, "DROP TYPE public.mood__strata_old;");
    assert!(
        guard < rename && rename < convert && convert < drop,
        "{sql}"
    );
    assert!(sql.contains("mood::text IN ('sad')"), "{sql}");
    assert!(
        sql.contains("ALTER TABLE public.account ALTER COLUMN mood SET DEFAULT 'ok';"),
        "{sql}"
    );
}

#[test]
fn a_generated_expression_changes_by_drop_and_add_before_17_and_set_expression_after() {
    let b = BASE.replace("split_part(version, '.', 1)", "split_part(version, '-', 1)");
    let p = plan_ok(BASE, &b, same);
    let sql = p.sql();
    let drop_index = position(&sql, "DROP INDEX public.account_major;");
    let drop = position(&sql, "ALTER TABLE public.account DROP COLUMN major;");
    let add = position(
        &sql,
        "ALTER TABLE public.account ADD COLUMN major integer GENERATED ALWAYS AS",
    );
    let index = position(
        &sql,
        "CREATE INDEX account_major ON public.account (major);",
    );
    assert!(drop_index < drop && drop < add && add < index, "{sql}");
    assert!(p.hazards().contains(&Hazard::ChangesGeneratedValues));
    let p17 = plan(
        &replay(BASE).schema,
        &replay(&b).schema,
        &PlanOptions {
            server_version_num: 170000,
            ..PlanOptions::default()
        },
    )
    .unwrap();
    assert!(p17.sql().contains("ALTER TABLE public.account ALTER COLUMN major SET EXPRESSION AS ((split_part(version, '-', 1))::integer);"), "{}", p17.sql());
    assert_eq!(p17.step_count(), 1);
}

#[test]
fn generated_to_plain_drops_the_expression() {
    let b = BASE.replace(
        "major integer GENERATED ALWAYS AS ((split_part(version, '.', 1))::integer) STORED",
        "major integer",
    );
    let p = plan_ok(BASE, &b, same);
    assert!(p
        .sql()
        .contains("ALTER TABLE public.account ALTER COLUMN major DROP EXPRESSION;"));
    let back = plan_ok(&b, BASE, allow_all);
    assert!(back.sql().contains("DROP COLUMN major"), "{}", back.sql());
}

#[test]
fn column_types_change_with_using_only_when_needed() {
    let b = BASE
        .replace("version text,", "version character varying(20),")
        .replace("email text NOT NULL,", "email text NOT NULL,\n    n text,");
    let c = b.replace("n text,", "n integer,");
    let p = plan_ok(&b, &c, allow_all);
    assert!(
        p.sql()
            .contains("ALTER TABLE public.account ALTER COLUMN n TYPE integer USING n::integer;"),
        "{}",
        p.sql()
    );
    let p = plan_ok(BASE, &b, same);
    assert!(
        p.sql()
            .contains("ALTER COLUMN version TYPE character varying(20);"),
        "{}",
        p.sql()
    );
}

#[test]
fn online_mode_builds_indexes_concurrently_in_their_own_unit() {
    let b = format!(
        "{}CREATE INDEX account_email ON public.account (email);\nALTER TABLE public.account ADD CONSTRAINT email_at CHECK (email ~~ '%@%');\n",
        BASE.replace("    version text,", "    version text NOT NULL,")
    );
    let p = plan_ok(BASE, &b, |mut o| {
        o.online = true;
        o
    });
    let sql = p.sql();
    assert!(
        sql.contains("CREATE INDEX CONCURRENTLY account_email ON public.account (email);"),
        "{sql}"
    );
    assert!(
        sql.contains("CHECK (version IS NOT NULL) NOT VALID;"),
        "{sql}"
    );
    assert!(
        sql.contains("ADD CONSTRAINT email_at CHECK (email ~~ '%@%') NOT VALID;"),
        "{sql}"
    );
    assert!(sql.contains("VALIDATE CONSTRAINT email_at;"), "{sql}");
    assert!(p.units.iter().any(|u| !u.transactional));
    for u in &p.units {
        for s in &u.steps {
            if s.statements.iter().any(|x| x.contains("CONCURRENTLY")) {
                assert!(!u.transactional);
            }
        }
    }
    assert!(!p.hazards().contains(&Hazard::BlocksWrites), "{sql}");
}

#[test]
fn online_mode_replaces_a_changed_index_without_a_gap() {
    let b = BASE.replace(
        "account_major ON public.account (major)",
        "account_major ON public.account (major DESC)",
    );
    let p = plan_ok(BASE, &b, |mut o| {
        o.online = true;
        o
    });
    let sql = p.sql();
    let build = position(&sql, "CREATE INDEX CONCURRENTLY account_major__strata_new");
    let drop = position(&sql, "DROP INDEX CONCURRENTLY public.account_major;");
    let rename = position(
        &sql,
        "ALTER INDEX public.account_major__strata_new RENAME TO account_major;",
    );
    assert!(build < drop && drop < rename, "{sql}");
}

#[test]
fn a_new_rule_is_created_after_its_table_and_changed_in_place() {
    let b = format!("{BASE}CREATE RULE keep AS ON DELETE TO account DO INSTEAD NOTHING;\n");
    let p = plan_ok(BASE, &b, same);
    assert!(
        p.sql()
            .trim_end()
            .ends_with("\nCREATE RULE keep AS ON DELETE TO public.account DO INSTEAD NOTHING;"),
        "{}",
        p.sql()
    );
    let c = b.replace("DO INSTEAD NOTHING", "DO ALSO NOTHING");
    let p = plan_ok(&b, &c, same);
    assert!(
        p.sql()
            .trim_end()
            .ends_with("\nCREATE OR REPLACE RULE keep AS ON DELETE TO public.account DO NOTHING;"),
        "{}",
        p.sql()
    );
    // A column the rule names changes type: dropped before, created after.
    let d = format!("{BASE}CREATE RULE keep AS ON DELETE TO account WHERE old.email = 'x' DO INSTEAD NOTHING;\n");
    let e = d.replace("email text NOT NULL", "email varchar(200) NOT NULL");
    let p = plan_ok(&d, &e, allow_all);
    let sql = p.sql();
    let drop = position(&sql, "DROP RULE keep ON public.account;");
    let alter = position(&sql, "ALTER COLUMN email TYPE");
    let create = position(&sql, "CREATE RULE keep");
    assert!(drop < alter && alter < create, "{sql}");
}

#[test]
fn a_new_view_is_created_after_its_table() {
    let b = format!("{BASE}CREATE VIEW public.v AS SELECT id, email FROM account;\n");
    let p = plan_ok(BASE, &b, same);
    assert!(p.sql().contains("CREATE VIEW public.v AS"), "{}", p.sql());
}

#[test]
fn a_view_read_by_a_kept_view_is_recreated_with_its_reader() {
    let a = "CREATE TABLE public.t (id int, nick varchar(20));
CREATE VIEW public.v AS SELECT id, nick FROM t;
CREATE VIEW public.w AS SELECT id FROM v;
CREATE VIEW public.unrelated AS SELECT 1 AS one;
";
    // v changes; w reads it and stays as it is: both are dropped (w
    // first) and created again (v first); unrelated is left alone.
    let b = a.replace("SELECT id, nick FROM t", "SELECT id, nick, 2 AS two FROM t");
    let p = plan_ok(a, &b, same);
    let sql = p.sql();
    let drop_w = position(&sql, "DROP VIEW public.w;");
    let drop_v = position(&sql, "DROP VIEW public.v;");
    let create_v = position(&sql, "CREATE VIEW public.v AS");
    let create_w = position(&sql, "CREATE VIEW public.w AS");
    assert!(
        drop_w < drop_v && drop_v < create_v && create_v < create_w,
        "{sql}"
    );
    assert!(!sql.contains("unrelated"), "{sql}");
    assert!(
        p.steps()
            .any(|s| s.action == "create view (dropped for what it reads)"),
        "{sql}"
    );
}

#[test]
fn views_over_a_retyped_column_are_recreated_around_the_change() {
    let a = "CREATE TABLE public.t (id int, nick varchar(20));
CREATE VIEW public.v AS SELECT id, nick FROM t;
CREATE VIEW public.w AS SELECT id, nick FROM v;
";
    let b = a.replace("nick varchar(20)", "nick text");
    let p = plan_ok(a, &b, same);
    let sql = p.sql();
    let drop_w = position(&sql, "DROP VIEW public.w;");
    let drop_v = position(&sql, "DROP VIEW public.v;");
    let alter = position(&sql, "ALTER TABLE public.t ALTER COLUMN nick TYPE text");
    let create_v = position(&sql, "CREATE VIEW public.v AS");
    let create_w = position(&sql, "CREATE VIEW public.w AS");
    assert!(
        drop_w < drop_v && drop_v < alter && alter < create_v && create_v < create_w,
        "{sql}"
    );
}

#[test]
fn foreign_keys_follow_a_replaced_key() {
    let a = "CREATE TABLE public.p (a int, b int, CONSTRAINT p_key UNIQUE (a));
CREATE TABLE public.c (x int, CONSTRAINT c_x FOREIGN KEY (x) REFERENCES public.p (a));
";
    let b = "CREATE TABLE public.p (a int, b int, CONSTRAINT p_key UNIQUE (a) DEFERRABLE);
CREATE TABLE public.c (x int, CONSTRAINT c_x FOREIGN KEY (x) REFERENCES public.p (a));
";
    let p = plan_ok(a, b, same);
    let sql = p.sql();
    let drop_fk = position(&sql, "ALTER TABLE public.c DROP CONSTRAINT c_x;");
    let drop_key = position(&sql, "ALTER TABLE public.p DROP CONSTRAINT p_key;");
    let add_key = position(
        &sql,
        "ALTER TABLE public.p ADD CONSTRAINT p_key UNIQUE (a) DEFERRABLE;",
    );
    let add_fk = position(&sql, "ALTER TABLE public.c ADD CONSTRAINT c_x FOREIGN KEY");
    assert!(
        drop_fk < drop_key && drop_key < add_key && add_key < add_fk,
        "{sql}"
    );
}

#[test]
fn hints_are_collected_by_replay() {
    let r = replay(
        "-- strata:renamed-from old_t\nCREATE TABLE public.t (\n    -- strata:renamed-from \"Old\"\n    \"New\" int,\n    b int\n);\n",
    );
    assert_eq!(r.renames.len(), 2);
    assert_eq!(r.renames[0].kind, crate::replay::RenameKind::Table);
    assert_eq!(r.renames[0].from, "old_t");
    assert_eq!(r.renames[1].kind, crate::replay::RenameKind::Column);
    assert_eq!(
        (r.renames[1].name.as_str(), r.renames[1].from.as_str()),
        ("New", "Old")
    );
    assert_eq!(r.renames[1].location.line, 3);
    let text: Arc<str> =
        Arc::from("CREATE TABLE public.t (\n    a int\n    -- strata:renamed-from x\n);\n");
    assert!(replay_texts([("x.sql", &text)]).is_err());
}

/// The plans of focused cases, pinned: ordering, hazards, online mode,
/// renames, the enum swap and its guard, generated columns on 15 and 17.
#[test]
fn focused_plans_are_pinned() {
    let online = |mut o: PlanOptions| {
        o.online = true;
        o
    };
    let pg17 = |mut o: PlanOptions| {
        o.server_version_num = 170000;
        o
    };
    let new_tables = "CREATE TABLE public.org (id bigint PRIMARY KEY, owner bigint);
CREATE TABLE public.member (
    id bigint PRIMARY KEY,
    org_id bigint NOT NULL REFERENCES public.org (id),
    email text NOT NULL
);
ALTER TABLE public.org ADD CONSTRAINT org_owner_fkey FOREIGN KEY (owner) REFERENCES public.member (id);
CREATE UNIQUE INDEX member_email ON public.member (org_id, email) WHERE email <> '';
";
    type Case<'a> = (
        &'a str,
        String,
        String,
        &'a dyn Fn(PlanOptions) -> PlanOptions,
    );
    let cases: Vec<Case> = vec![
        ("ordering", BASE.to_string(), format!("{BASE}{new_tables}"), &same),
        (
            "hazards",
            BASE.to_string(),
            BASE.replace("    email text NOT NULL,\n", "")
                .replace("version text,", "version character varying(10) NOT NULL,"),
            &allow_all,
        ),
        (
            "online",
            BASE.to_string(),
            format!(
                "{}CREATE INDEX account_email ON public.account (email);\nALTER TABLE public.account ADD CONSTRAINT account_email_key UNIQUE (email);\n",
                BASE.replace("    version text,", "    version text NOT NULL,")
                    .replace("account_major ON public.account (major)", "account_major ON account (major DESC)")
            ),
            &online,
        ),
        (
            "renames",
            BASE.to_string(),
            BASE.replace("CREATE TABLE public.account (", "-- strata:renamed-from account\nCREATE TABLE public.member (")
                .replace("    email text NOT NULL,", "    -- strata:renamed-from email\n    primary_email text NOT NULL,")
                .replace("account_major ON public.account", "account_major ON public.member"),
            &same,
        ),
        (
            "enum_swap",
            BASE.to_string(),
            BASE.replace("('sad', 'ok', 'happy')", "('happy', 'ok')"),
            &same,
        ),
        (
            "generated_15",
            BASE.to_string(),
            BASE.replace("split_part(version, '.', 1)", "split_part(version, '-', 1)"),
            &same,
        ),
        (
            "generated_17",
            BASE.to_string(),
            BASE.replace("split_part(version, '.', 1)", "split_part(version, '-', 1)"),
            &pg17,
        ),
    ];
    for (name, a, b, o) in cases {
        let p = plan_ok(&a, &b, o);
        insta::assert_snapshot!(name, p.sql());
    }
}
