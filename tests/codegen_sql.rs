//! The SQL the reference's query builders write: parameters numbered in
//! order, every identifier double-quoted (`"user"`), conflict targets from
//! keys, constraints and expression indexes. No database needed.

use strata::runtime::chrono::{TimeZone, Utc};
use strata_reference_schema::{agent_run, agent_step, org_member, user, AgentRunStatus, OrgRole};

const AGENT_RUN_COLUMNS: &str = "\"id\", \"user_id\", \"agent_id\", \"publisher_id\", \"agent_name\", \"agent_version\", \"ancestor_run_ids\", \"root_run_id\", \"parent_run_id\", \"depth\", \"status\", \"total_steps\", \"direct_credits\", \"total_credits\", \"error_message\", \"created_at\", \"completed_at\", \"duration_ms\"";

#[test]
fn select_with_filters_order_limit_and_offset() {
    let q = agent_run::AgentRunTable::select()
        .filter(
            agent_run::status.eq(AgentRunStatus::Running).and(
                agent_run::depth
                    .gt(1)
                    .or(agent_run::parent_run_id.is_null()),
            ),
        )
        .filter(!agent_run::agent_id.like("test/%"))
        .filter(agent_run::user_id.in_(["a", "b"]))
        .order_by(agent_run::created_at.desc().nulls_last())
        .order_by(agent_run::id)
        .limit(20)
        .offset(40);
    assert_eq!(
        q.sql(),
        format!(
            "SELECT {AGENT_RUN_COLUMNS} FROM \"agent_run\" WHERE \"status\" = $1 AND (\"depth\" > $2 OR \"parent_run_id\" IS NULL) AND NOT (\"agent_id\" LIKE $3) AND \"user_id\" IN ($4, $5) ORDER BY \"created_at\" DESC NULLS LAST, \"id\" LIMIT $6 OFFSET $7"
        )
    );
    let c = agent_run::AgentRunTable::select()
        .filter(agent_run::user_id.in_(Vec::<String>::new()))
        .count();
    assert_eq!(c.sql(), "SELECT count(*) FROM \"agent_run\" WHERE FALSE");
}

#[test]
fn the_user_table_is_always_quoted() {
    let q = user::UserTable::select().filter(user::email_verified.is_not_null());
    assert!(
        q.sql()
            .ends_with(" FROM \"user\" WHERE \"emailVerified\" IS NOT NULL"),
        "{}",
        q.sql()
    );
    let d = user::UserTable::delete()
        .filter(user::id.eq("u1"))
        .returning();
    assert!(
        d.sql().starts_with(
            "DELETE FROM \"user\" WHERE \"id\" = $1 RETURNING \"id\", \"name\", \"email\""
        ),
        "{}",
        d.sql()
    );
}

#[test]
fn insert_writes_default_for_omitted_columns_and_conflict_targets() {
    let mut u = user::NewUser::new("ada@example.com".to_string());
    u.handle = Some("Ada".to_string());
    let q = user::UserTable::insert(u)
        .on_conflict(user::conflict::user_handle_lower_idx)
        .do_update([user::name.to_excluded(), user::banned.to(false)]);
    assert_eq!(
        q.sql(),
        "INSERT INTO \"user\" (\"id\", \"name\", \"email\", \"password\", \"emailVerified\", \"image\", \"stripe_customer_id\", \"stripe_price_id\", \"next_quota_reset\", \"created_at\", \"referral_code\", \"referral_limit\", \"discord_id\", \"handle\", \"auto_topup_enabled\", \"auto_topup_threshold\", \"auto_topup_amount\", \"banned\", \"fallback_to_a_la_carte\") VALUES (DEFAULT, $1, $2, $3, $4, $5, $6, $7, DEFAULT, DEFAULT, DEFAULT, DEFAULT, $8, $9, DEFAULT, $10, $11, DEFAULT, DEFAULT) ON CONFLICT ((lower(handle))) DO UPDATE SET \"name\" = EXCLUDED.\"name\", \"banned\" = $12"
    );
    let many = org_member::OrgMemberTable::insert_many([
        org_member::NewOrgMember::new("o".into(), "u1".into()),
        {
            let mut m = org_member::NewOrgMember::new("o".into(), "u2".into());
            m.role = Some(OrgRole::Admin);
            m
        },
    ])
    .on_conflict(org_member::conflict::org_member_pkey)
    .do_nothing()
    .returning();
    assert_eq!(
        many.sql(),
        "INSERT INTO \"org_member\" (\"org_id\", \"user_id\", \"role\", \"joined_at\") VALUES ($1, $2, DEFAULT, DEFAULT), ($3, $4, $5, DEFAULT) ON CONFLICT (\"org_id\", \"user_id\") DO NOTHING RETURNING \"org_id\", \"user_id\", \"role\", \"joined_at\""
    );
    assert_eq!(
        agent_step::conflict::agent_step_agent_run_id_step_number_key.sql(),
        "(\"agent_run_id\", \"step_number\")"
    );
}

#[test]
fn update_sets_values_defaults_and_filters() {
    let at = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).single();
    let q = agent_run::AgentRunTable::update()
        .set(agent_run::status.to(AgentRunStatus::Completed))
        .set(agent_run::completed_at.to(at))
        .set(agent_run::error_message.to_default())
        .filter(agent_run::id.eq("r1"))
        .returning();
    assert_eq!(
        q.sql(),
        format!("UPDATE \"agent_run\" SET \"status\" = $1, \"completed_at\" = $2, \"error_message\" = DEFAULT WHERE \"id\" = $3 RETURNING {AGENT_RUN_COLUMNS}")
    );
}
