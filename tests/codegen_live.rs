//! Typed models on a real server: round trips of every column type of the
//! reference database (and of a focused schema that has the rest of the
//! type mapping), with defaults omitted, generated columns computed by the
//! server, updates, upserts on unique constraints, expression and partial
//! unique indexes, and deletes.
//!
//! The reference database is built by applying its migrations with psql.

mod support;

use std::str::FromStr;

use strata::runtime::chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use strata::runtime::rust_decimal::Decimal;
use strata::runtime::serde_json::json;
use strata::runtime::uuid::Uuid;
use strata::runtime::Error;
use strata_core::source::load_history;
use support::{psql_apply, TestDb};
use tokio_postgres::Client;

use strata_reference_schema::{
    agent_config, agent_run, agent_step, credit_ledger, encrypted_api_keys, message, org,
    org_member, publisher, referral, session, subscription, user, AgentRunStatus, AgentStepStatus,
    ApiKeyType, GrantType, OrgRole, ReferralStatus, SessionType, SubscriptionStatus,
};

/// The focused schema (`ui-tests/ui/fixtures/focused/schema.sql`).
mod focused {
    strata::schema! {
        schema: "ui-tests/ui/fixtures/focused/schema.sql",
    }
}

fn ok<T>(r: Result<T, Error>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{what}: {e}"),
    }
}

fn decimal(s: &str) -> Decimal {
    match Decimal::from_str(s) {
        Ok(d) => d,
        Err(e) => panic!("{s}: {e}"),
    }
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    match Utc.with_ymd_and_hms(y, mo, d, h, mi, s).single() {
        Some(t) => t,
        None => panic!("bad date"),
    }
}

/// A fresh database with the reference schema, built by its migrations.
async fn reference_db(prefix: &str) -> (TestDb, Client) {
    let db = TestDb::create(prefix).await;
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations"));
    let history = match load_history(dir) {
        Ok(h) => h,
        Err(e) => panic!("{e}"),
    };
    for m in &history.migrations {
        if let Err(e) = psql_apply(
            &db.url,
            std::path::Path::new(&m.file.path),
            !m.no_transaction,
        ) {
            panic!("applying {}: {e}", m.file.path);
        }
    }
    let client = db.client().await;
    (db, client)
}

async fn new_user(client: &Client, email: &str) -> user::User {
    ok(
        user::UserTable::insert(user::NewUser::new(email.to_string()))
            .returning()
            .fetch_one(client)
            .await,
        "insert user",
    )
}

#[tokio::test]
async fn users_round_trip_with_defaults_updates_upserts_and_deletes() {
    let (_db, client) = reference_db("codegen_users").await;

    // Insert with every default omitted: the server's defaults come back.
    let ada = new_user(&client, "ada@example.com").await;
    assert_eq!(ada.id.len(), 36, "gen_random_uuid()::text");
    assert_eq!(ada.email, "ada@example.com");
    assert_eq!(ada.referral_limit, 5);
    assert!(!ada.banned && !ada.auto_topup_enabled && !ada.fallback_to_a_la_carte);
    assert!(ada
        .referral_code
        .as_deref()
        .is_some_and(|c| c.starts_with("ref-")));
    let next_reset = ada.next_quota_reset.unwrap_or(ada.created_at);
    assert!(next_reset > ada.created_at, "now() + 1 month");
    assert_eq!(ada.email_verified, None);

    // Read back: the same row.
    let read = ok(
        user::UserTable::select()
            .filter(user::id.eq(&ada.id))
            .fetch_one(&client)
            .await,
        "select user",
    );
    assert_eq!(read, ada);

    // Update: a quoted mixed-case column ("emailVerified"), integers, text.
    let verified = utc(2024, 5, 1, 12, 30, 0);
    let updated = ok(
        user::UserTable::update()
            .set(user::email_verified.to(verified))
            .set(user::name.to("Ada Lovelace"))
            .set(user::auto_topup_threshold.to(100))
            .set(user::handle.to("Ada"))
            .filter(user::id.eq(&ada.id))
            .returning()
            .fetch_one(&client)
            .await,
        "update user",
    );
    assert_eq!(updated.email_verified, Some(verified));
    assert_eq!(updated.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(updated.auto_topup_threshold, Some(100));

    // Upsert on the expression unique index user_handle_lower_idx
    // ((lower(handle))): "ADA" conflicts with "Ada".
    let mut again = user::NewUser::new("someone-else@example.com".to_string());
    again.handle = Some("ADA".to_string());
    again.name = Some("Countess".to_string());
    let upserted = ok(
        user::UserTable::insert(again)
            .on_conflict(user::conflict::user_handle_lower_idx)
            .do_update([user::name.to_excluded()])
            .returning()
            .fetch_one(&client)
            .await,
        "upsert on lower(handle)",
    );
    assert_eq!(upserted.id, ada.id, "the existing row was updated");
    assert_eq!(upserted.name.as_deref(), Some("Countess"));
    assert_eq!(upserted.email, "ada@example.com");

    // DO NOTHING on the email unique constraint: no row comes back.
    let skipped = ok(
        user::UserTable::insert(user::NewUser::new("ada@example.com".to_string()))
            .on_conflict(user::conflict::user_email_key)
            .do_nothing()
            .returning()
            .fetch_optional(&client)
            .await,
        "insert … do nothing",
    );
    assert_eq!(skipped, None);

    // Many rows in one statement; filters combined; count; order; limit.
    let many = ok(
        user::UserTable::insert_many((1..=4).map(|i| {
            let mut u = user::NewUser::new(format!("user{i}@example.com"));
            u.referral_limit = Some(i);
            u.banned = Some(i % 2 == 0);
            u
        }))
        .execute(&client)
        .await,
        "insert many",
    );
    assert_eq!(many, 4);
    let count = ok(
        user::UserTable::select()
            .filter(user::email.like("user%@example.com"))
            .filter(user::banned.eq(false).or(user::referral_limit.ge(4)))
            .count()
            .fetch(&client)
            .await,
        "count",
    );
    assert_eq!(count, 3, "users 1, 3 (not banned) and 4 (limit ≥ 4)");
    let page = ok(
        user::UserTable::select()
            .filter(user::email.in_([
                "user1@example.com",
                "user2@example.com",
                "user3@example.com",
            ]))
            .filter(user::handle.is_null().and(user::banned.eq(true).not()))
            .order_by(user::referral_limit.desc())
            .limit(1)
            .offset(0)
            .fetch_all(&client)
            .await,
        "page",
    );
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].email, "user3@example.com");

    // Delete, returning what was deleted.
    let gone = ok(
        user::UserTable::delete()
            .filter(user::email.like("user%"))
            .filter(user::referral_limit.lt(3))
            .returning()
            .fetch_all(&client)
            .await,
        "delete",
    );
    let mut emails: Vec<String> = gone.into_iter().map(|u| u.email).collect();
    emails.sort();
    assert_eq!(emails, ["user1@example.com", "user2@example.com"]);
    let left = ok(
        user::UserTable::select().count().fetch(&client).await,
        "count",
    );
    assert_eq!(left, 3);

    // fetch_one of nothing is an error, not a panic.
    let none = user::UserTable::select()
        .filter(user::email.eq("nobody@example.com"))
        .fetch_one(&client)
        .await;
    assert!(
        matches!(none, Err(Error::RowCount { found: 0, .. })),
        "{none:?}"
    );
}

#[tokio::test]
async fn agent_runs_and_steps_get_generated_columns_from_the_server() {
    let (_db, client) = reference_db("codegen_agents").await;
    let owner = new_user(&client, "owner@example.com").await;

    // text[] in, generated columns (publisher_id, agent_name, agent_version,
    // root_run_id, parent_run_id, depth) out.
    let mut run = agent_run::NewAgentRun::new("acme/reviewer@1.2.3".to_string());
    run.user_id = Some(owner.id.clone());
    run.ancestor_run_ids = Some(vec!["root-run".to_string(), "parent-run".to_string()]);
    run.direct_credits = Some(Some(decimal("1.250000")));
    let run = ok(
        agent_run::AgentRunTable::insert(run)
            .returning()
            .fetch_one(&client)
            .await,
        "insert agent run",
    );
    assert_eq!(run.publisher_id.as_deref(), Some("acme"));
    assert_eq!(run.agent_name.as_deref(), Some("reviewer"));
    assert_eq!(run.agent_version.as_deref(), Some("1.2.3"));
    assert_eq!(run.root_run_id.as_deref(), Some("root-run"));
    assert_eq!(run.parent_run_id.as_deref(), Some("parent-run"));
    assert_eq!(run.depth, Some(2));
    assert_eq!(run.status, AgentRunStatus::Running, "the default");
    assert_eq!(run.total_steps, Some(0));
    assert_eq!(run.direct_credits, Some(decimal("1.25")));
    assert_eq!(run.total_credits, Some(Decimal::ZERO));
    assert_eq!(run.duration_ms, None);

    // A root run: depth 1, root_run_id = its own id.
    let root = ok(
        agent_run::AgentRunTable::insert(agent_run::NewAgentRun::new("plain-agent".to_string()))
            .returning()
            .fetch_one(&client)
            .await,
        "insert root run",
    );
    assert_eq!(root.depth, Some(1));
    assert_eq!(root.root_run_id.as_deref(), Some(root.id.as_str()));
    assert_eq!(root.publisher_id, None);
    assert_eq!(root.agent_name.as_deref(), Some("plain-agent"));

    // Update: status and completion; duration_ms is computed by the server.
    let completed_at = run.created_at + strata::runtime::chrono::Duration::milliseconds(1500);
    let done = ok(
        agent_run::AgentRunTable::update()
            .set(agent_run::status.to(AgentRunStatus::Completed))
            .set(agent_run::completed_at.to(completed_at))
            .set(agent_run::total_steps.to(3))
            .filter(agent_run::id.eq(&run.id))
            .returning()
            .fetch_one(&client)
            .await,
        "complete run",
    );
    assert_eq!(done.status, AgentRunStatus::Completed);
    assert_eq!(done.duration_ms, Some(1500));

    // Filters on generated and enum columns.
    let deep = ok(
        agent_run::AgentRunTable::select()
            .filter(agent_run::depth.gt(1))
            .filter(agent_run::status.in_([AgentRunStatus::Completed, AgentRunStatus::Failed]))
            .fetch_all(&client)
            .await,
        "deep runs",
    );
    assert_eq!(deep.len(), 1);
    assert_eq!(deep[0].id, run.id);
    let still_running = ok(
        agent_run::AgentRunTable::select()
            .filter(agent_run::completed_at.is_null())
            .filter(agent_run::status.eq(AgentRunStatus::Running))
            .fetch_optional(&client)
            .await,
        "running",
    );
    assert_eq!(still_running.map(|r| r.id), Some(root.id.clone()));

    // Steps: numeric, text[], enum, generated spawned_count; upsert on the
    // (agent_run_id, step_number) unique constraint.
    let mut step = agent_step::NewAgentStep::new(run.id.clone(), 1);
    step.credits = Some(decimal("0.000123"));
    step.child_run_ids = Some(vec!["c1".into(), "c2".into(), "c3".into()]);
    let step = ok(
        agent_step::AgentStepTable::insert(step)
            .returning()
            .fetch_one(&client)
            .await,
        "insert step",
    );
    assert_eq!(step.spawned_count, Some(3));
    assert_eq!(step.status, AgentStepStatus::Completed);
    assert_eq!(step.credits, decimal("0.000123"));
    let mut retry = agent_step::NewAgentStep::new(run.id.clone(), 1);
    retry.credits = Some(decimal("2.5"));
    retry.status = Some(AgentStepStatus::Skipped);
    let merged = ok(
        agent_step::AgentStepTable::insert(retry)
            .on_conflict(agent_step::conflict::agent_step_agent_run_id_step_number_key)
            .do_update([
                agent_step::credits.to_excluded(),
                agent_step::status.to_excluded(),
                agent_step::error_message.to("retried"),
            ])
            .returning()
            .fetch_one(&client)
            .await,
        "upsert step",
    );
    assert_eq!(merged.id, step.id);
    assert_eq!(merged.credits, decimal("2.5"));
    assert_eq!(merged.status, AgentStepStatus::Skipped);
    assert_eq!(merged.error_message.as_deref(), Some("retried"));

    // agent_config: jsonb, and integers generated from the version text.
    let publisher = ok(
        publisher::PublisherTable::insert({
            let mut p = publisher::NewPublisher::new(
                "acme".to_string(),
                "Acme".to_string(),
                owner.id.clone(),
            );
            p.user_id = Some(owner.id.clone());
            p
        })
        .returning()
        .fetch_one(&client)
        .await,
        "insert publisher",
    );
    let config = ok(
        agent_config::AgentConfigTable::insert(agent_config::NewAgentConfig::new(
            "reviewer".to_string(),
            "2.10.7-beta.1".to_string(),
            publisher.id.clone(),
            json!({"model": "large", "tools": ["read", "write"], "depth": 3}),
        ))
        .returning()
        .fetch_one(&client)
        .await,
        "insert agent config",
    );
    assert_eq!(
        (config.major, config.minor, config.patch),
        (Some(2), Some(10), Some(7))
    );
    assert_eq!(config.data["tools"][1], "write");

    // Deleting the run cascades to its steps.
    let deleted = ok(
        agent_run::AgentRunTable::delete()
            .filter(agent_run::id.eq(&run.id))
            .execute(&client)
            .await,
        "delete run",
    );
    assert_eq!(deleted, 1);
    let steps = ok(
        agent_step::AgentStepTable::select()
            .count()
            .fetch(&client)
            .await,
        "steps",
    );
    assert_eq!(steps, 0);
}

#[tokio::test]
async fn billing_orgs_and_auth_round_trip_every_enum() {
    let (_db, client) = reference_db("codegen_billing").await;
    let owner = new_user(&client, "owner@example.com").await;
    let friend = new_user(&client, "friend@example.com").await;

    // org: check constraints pass, defaults come back.
    let acme = ok(
        org::OrgTable::insert(org::NewOrg::new(
            "Acme".to_string(),
            "acme".to_string(),
            owner.id.clone(),
        ))
        .returning()
        .fetch_one(&client)
        .await,
        "insert org",
    );
    assert!(acme.billing_alerts && acme.usage_alerts && !acme.weekly_reports);
    let member = ok(
        org_member::OrgMemberTable::insert(org_member::NewOrgMember::new(
            acme.id.clone(),
            friend.id.clone(),
        ))
        .returning()
        .fetch_one(&client)
        .await,
        "insert member",
    );
    assert_eq!(member.role, OrgRole::Member);
    let promoted = ok(
        org_member::OrgMemberTable::insert({
            let mut m = org_member::NewOrgMember::new(acme.id.clone(), friend.id.clone());
            m.role = Some(OrgRole::Admin);
            m
        })
        .on_conflict(org_member::conflict::org_member_pkey)
        .do_update([org_member::role.to_excluded()])
        .returning()
        .fetch_one(&client)
        .await,
        "upsert member",
    );
    assert_eq!(promoted.role, OrgRole::Admin);
    assert_eq!(promoted.joined_at, member.joined_at);

    // credit_ledger: grant_type, integers, nullable timestamptz, org FK.
    let mut grant = credit_ledger::NewCreditLedger::new(
        "op-1".to_string(),
        owner.id.clone(),
        500,
        500,
        GrantType::Purchase,
        10,
    );
    grant.org_id = Some(acme.id.clone());
    grant.expires_at = Some(utc(2030, 1, 1, 0, 0, 0));
    let grant = ok(
        credit_ledger::CreditLedgerTable::insert(grant)
            .returning()
            .fetch_one(&client)
            .await,
        "insert grant",
    );
    assert_eq!(grant.r#type, GrantType::Purchase);
    let spent = ok(
        credit_ledger::CreditLedgerTable::update()
            .set(credit_ledger::balance.to(120))
            .filter(credit_ledger::operation_id.eq("op-1"))
            .returning()
            .fetch_one(&client)
            .await,
        "spend",
    );
    assert_eq!(spent.balance, 120);

    // message: numeric(100,20) with 28 significant digits, jsonb.
    let cost = decimal("12345678.12345678901234567890");
    let mut msg = message::NewMessage::new(
        "msg-1".to_string(),
        utc(2024, 6, 1, 8, 0, 0),
        "model-x".to_string(),
        json!({"text": "hello", "tokens": [1, 2, 3]}),
        42,
        cost,
        7,
    );
    msg.user_id = Some(owner.id.clone());
    msg.request = Some(json!({"prompt": "hi"}));
    let msg = ok(
        message::MessageTable::insert(msg)
            .returning()
            .fetch_one(&client)
            .await,
        "insert message",
    );
    assert_eq!(msg.cost, cost);
    assert_eq!(msg.input_tokens, 0, "default");
    assert_eq!(msg.response["tokens"][2], 3);
    let read = ok(
        message::MessageTable::select()
            .filter(message::cost.gt(decimal("12345678")))
            .fetch_one(&client)
            .await,
        "read message",
    );
    assert_eq!(read, msg);

    // session_type, api_key_type, subscription_status, referral_status.
    let s = ok(
        session::SessionTable::insert(session::NewSession::new(
            "token-1".to_string(),
            owner.id.clone(),
            utc(2030, 1, 1, 0, 0, 0),
        ))
        .returning()
        .fetch_one(&client)
        .await,
        "insert session",
    );
    assert_eq!(s.r#type, SessionType::Web);
    let cli = ok(
        session::SessionTable::update()
            .set(session::r#type.to(SessionType::Cli))
            .filter(session::session_token.eq("token-1"))
            .returning()
            .fetch_one(&client)
            .await,
        "session type",
    );
    assert_eq!(cli.r#type, SessionType::Cli);

    for kind in [
        ApiKeyType::Anthropic,
        ApiKeyType::Gemini,
        ApiKeyType::Openai,
    ] {
        ok(
            encrypted_api_keys::EncryptedApiKeysTable::insert(
                encrypted_api_keys::NewEncryptedApiKey::new(
                    owner.id.clone(),
                    kind,
                    format!("secret-{kind}"),
                ),
            )
            .execute(&client)
            .await,
            "insert key",
        );
    }
    let keys = ok(
        encrypted_api_keys::EncryptedApiKeysTable::select()
            .filter(encrypted_api_keys::r#type.ne(ApiKeyType::Gemini))
            .order_by(encrypted_api_keys::r#type)
            .fetch_all(&client)
            .await,
        "keys",
    );
    let kinds: Vec<ApiKeyType> = keys.iter().map(|k| k.r#type).collect();
    assert_eq!(kinds, [ApiKeyType::Anthropic, ApiKeyType::Openai]);
    assert_eq!(keys[1].api_key, "secret-openai");

    let sub = ok(
        subscription::SubscriptionTable::insert(subscription::NewSubscription::new(
            "sub_1".to_string(),
            "cus_1".to_string(),
            "price_1".to_string(),
            utc(2024, 1, 1, 0, 0, 0),
            utc(2024, 2, 1, 0, 0, 0),
        ))
        .returning()
        .fetch_one(&client)
        .await,
        "insert subscription",
    );
    assert_eq!(sub.status, SubscriptionStatus::Active);
    assert_eq!(sub.user_id, None);
    let paused = ok(
        subscription::SubscriptionTable::update()
            .set(subscription::status.to(SubscriptionStatus::PastDue))
            .set(subscription::user_id.to(owner.id.clone()))
            .set(subscription::tier.to(Some(2)))
            .filter(subscription::stripe_subscription_id.eq("sub_1"))
            .returning()
            .fetch_one(&client)
            .await,
        "update subscription",
    );
    assert_eq!(paused.status, SubscriptionStatus::PastDue);
    assert_eq!(paused.tier, Some(2));

    let r = ok(
        referral::ReferralTable::insert(referral::NewReferral::new(
            owner.id.clone(),
            friend.id.clone(),
            250,
        ))
        .returning()
        .fetch_one(&client)
        .await,
        "insert referral",
    );
    assert_eq!(r.status, ReferralStatus::Pending);
    let done = ok(
        referral::ReferralTable::update()
            .set(referral::status.to(ReferralStatus::Completed))
            .set(referral::completed_at.to(utc(2024, 3, 1, 0, 0, 0)))
            .filter(
                referral::referrer_id
                    .eq(&owner.id)
                    .and(referral::referred_id.eq(&friend.id)),
            )
            .returning()
            .fetch_one(&client)
            .await,
        "complete referral",
    );
    assert_eq!(done.status, ReferralStatus::Completed);

    // Deleting the owner cascades through the org and the ledger.
    let deleted = ok(
        user::UserTable::delete()
            .filter(user::id.eq(&owner.id))
            .execute(&client)
            .await,
        "delete owner",
    );
    assert_eq!(deleted, 1);
    let orgs = ok(org::OrgTable::select().count().fetch(&client).await, "orgs");
    assert_eq!(orgs, 0);
}

#[tokio::test]
async fn a_transaction_is_a_client_too() {
    let (_db, mut client) = reference_db("codegen_tx").await;
    let tx = match client.transaction().await {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    };
    ok(
        user::UserTable::insert(user::NewUser::new("tx@example.com".to_string()))
            .execute(&tx)
            .await,
        "insert in transaction",
    );
    let inside = ok(user::UserTable::select().count().fetch(&tx).await, "count");
    assert_eq!(inside, 1);
    if let Err(e) = tx.rollback().await {
        panic!("{e}");
    }
    let after = ok(
        user::UserTable::select().count().fetch(&client).await,
        "count",
    );
    assert_eq!(after, 0);
}

/// The focused schema's tables, created with psql.
async fn focused_db(prefix: &str) -> (TestDb, Client) {
    let db = TestDb::create(prefix).await;
    let file = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/ui-tests/ui/fixtures/focused/schema.sql"
    ));
    if let Err(e) = psql_apply(&db.url, file, true) {
        panic!("{e}");
    }
    let client = db.client().await;
    (db, client)
}

#[tokio::test]
async fn every_type_of_the_mapping_round_trips() {
    use focused::{every_type, Mood};
    let (_db, client) = focused_db("codegen_types").await;

    // Defaults omitted: identity, integer, timestamptz and enum defaults and
    // the generated column come from the server.
    let minimal = ok(
        every_type::EveryTypeTable::insert(every_type::NewEveryType::new("héllo".to_string()))
            .returning()
            .fetch_one(&client)
            .await,
        "insert minimal",
    );
    assert_eq!(minimal.id, 1);
    assert_eq!(minimal.an_integer, 7);
    assert_eq!(minimal.a_mood, Mood::Happy);
    assert_eq!(minimal.text_len, Some(5));
    assert_eq!(minimal.a_uuid, None);

    // Every column set.
    let mut full = every_type::NewEveryType::new("full".to_string());
    full.a_varchar = Some("varchar".to_string());
    full.a_char = Some("ab".to_string());
    full.a_smallint = Some(-12);
    full.an_integer = Some(i32::MAX);
    full.a_bigint = Some(i64::MIN);
    full.a_real = Some(1.5);
    full.a_double = Some(-0.125);
    full.a_boolean = Some(true);
    full.a_numeric = Some(decimal("-98765432.10987654321098765432"));
    full.a_timestamp =
        NaiveDate::from_ymd_opt(2024, 2, 29).and_then(|d| d.and_hms_micro_opt(23, 59, 58, 123_456));
    full.a_timestamptz = Some(utc(1999, 12, 31, 23, 59, 59));
    full.a_date = NaiveDate::from_ymd_opt(1970, 1, 1);
    full.a_time = NaiveTime::from_hms_micro_opt(7, 8, 9, 10);
    full.a_json = Some(json!({"a": [1, 2], "b": null}));
    full.a_jsonb = Some(json!({"nested": {"ok": true}}));
    full.a_uuid = Some(Uuid::from_u128(0x1234_5678_9abc_def0_1234_5678_9abc_def0));
    full.a_bytea = Some(vec![0, 1, 2, 254, 255]);
    full.an_inet = "192.0.2.7".parse().ok();
    full.texts = Some(vec!["a".into(), "b, c".into(), "\"quoted\"".into()]);
    full.ints = Some(vec![3, -1, 0]);
    full.a_mood = Some(Mood::SoSo);
    full.moods = Some(vec![Mood::Sad, Mood::Happy]);
    let row = ok(
        every_type::EveryTypeTable::insert(full.clone())
            .returning()
            .fetch_one(&client)
            .await,
        "insert full",
    );
    assert_eq!(row.a_char.as_deref(), Some("ab "), "char(3) pads");
    assert_eq!(row.a_smallint, full.a_smallint);
    assert_eq!(row.an_integer, i32::MAX);
    assert_eq!(row.a_bigint, full.a_bigint);
    assert_eq!(row.a_real, full.a_real);
    assert_eq!(row.a_double, full.a_double);
    assert_eq!(row.a_boolean, full.a_boolean);
    assert_eq!(row.a_numeric, full.a_numeric);
    assert_eq!(row.a_timestamp, full.a_timestamp);
    assert_eq!(Some(row.a_timestamptz), full.a_timestamptz);
    assert_eq!(row.a_date, full.a_date);
    assert_eq!(row.a_time, full.a_time);
    assert_eq!(row.a_json, full.a_json);
    assert_eq!(row.a_jsonb, full.a_jsonb);
    assert_eq!(row.a_uuid, full.a_uuid);
    assert_eq!(row.a_bytea, full.a_bytea);
    assert_eq!(row.an_inet, full.an_inet);
    assert_eq!(row.texts, full.texts);
    assert_eq!(row.ints, full.ints);
    assert_eq!(row.a_mood, Mood::SoSo);
    assert_eq!(row.moods, full.moods);
    assert_eq!(row.text_len, Some(4));

    // Filters with values of every kind find the row.
    let found = ok(
        every_type::EveryTypeTable::select()
            .filter(
                every_type::a_uuid.eq(Uuid::from_u128(0x1234_5678_9abc_def0_1234_5678_9abc_def0)),
            )
            .filter(every_type::a_bytea.eq(&[0u8, 1, 2, 254, 255][..]))
            .filter(every_type::moods.eq(vec![Mood::Sad, Mood::Happy]))
            .filter(every_type::a_mood.in_([Mood::SoSo, Mood::Sad]))
            .filter(every_type::a_numeric.lt(Decimal::ZERO))
            .filter(every_type::a_text.ilike("FU%"))
            .fetch_one(&client)
            .await,
        "filter every kind",
    );
    assert_eq!(found, row);

    // Update to NULL and back to a value; the generated column follows.
    let cleared = ok(
        every_type::EveryTypeTable::update()
            .set(every_type::a_jsonb.to(None))
            .set(every_type::a_text.to("longer text"))
            .set(every_type::a_mood.to_default())
            .filter(every_type::id.eq(row.id))
            .returning()
            .fetch_one(&client)
            .await,
        "update",
    );
    assert_eq!(cleared.a_jsonb, None);
    assert_eq!(cleared.a_mood, Mood::Happy);
    assert_eq!(cleared.text_len, Some(11));

    // Row structs serialize with serde (enum labels, SQL names).
    let value = match strata::runtime::serde_json::to_value(&cleared) {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(value["a_mood"], "happy");
    assert_eq!(value["moods"], json!(["sad", "happy"]));
}

#[tokio::test]
async fn upserts_on_partial_and_expression_unique_indexes() {
    use focused::account;
    let (_db, client) = focused_db("codegen_upsert").await;
    let new = |id: &str, email: &str, handle: Option<&str>, visits: i32| {
        let mut a = account::NewAccount::new(id.to_string(), email.to_string());
        a.handle = handle.map(str::to_string);
        a.visits = Some(visits);
        a
    };
    let first = ok(
        account::AccountTable::insert(new("a1", "x@example.com", Some("Xavier"), 1))
            .returning()
            .fetch_one(&client)
            .await,
        "insert",
    );
    assert_eq!(first.r#type, "personal", "quoted column \"type\", default");

    // Partial unique index: ON CONFLICT ("email") WHERE deleted_at IS NULL.
    let target = account::conflict::account_live_email_idx;
    assert_eq!(target.sql(), "(\"email\") WHERE (deleted_at IS NULL)");
    let merged = ok(
        account::AccountTable::insert(new("a2", "x@example.com", None, 5))
            .on_conflict(target)
            .do_update([account::visits.to_excluded()])
            .returning()
            .fetch_one(&client)
            .await,
        "upsert on the partial index",
    );
    assert_eq!(merged.account_id, "a1", "the live row was updated");
    assert_eq!(merged.visits, 5);

    // Once the row is soft-deleted, the same email no longer conflicts.
    ok(
        account::AccountTable::update()
            .set(account::deleted_at.to(utc(2024, 1, 1, 0, 0, 0)))
            .filter(account::account_id.eq("a1"))
            .execute(&client)
            .await,
        "soft delete",
    );
    let fresh = ok(
        account::AccountTable::insert(new("a3", "x@example.com", None, 1))
            .on_conflict(target)
            .do_update([account::visits.to_excluded()])
            .returning()
            .fetch_one(&client)
            .await,
        "insert after soft delete",
    );
    assert_eq!(fresh.account_id, "a3");
    let live = ok(
        account::AccountTable::select()
            .filter(account::email.eq("x@example.com"))
            .filter(account::deleted_at.is_null())
            .count()
            .fetch(&client)
            .await,
        "live rows",
    );
    assert_eq!(live, 1);

    // Expression unique index ((lower(handle))), DO NOTHING.
    let skipped = ok(
        account::AccountTable::insert(new("a4", "y@example.com", Some("XAVIER"), 1))
            .on_conflict(account::conflict::account_handle_lower_idx)
            .do_nothing()
            .returning()
            .fetch_optional(&client)
            .await,
        "do nothing on lower(handle)",
    );
    assert_eq!(skipped, None);

    // A table outside public, an enum outside public, BY DEFAULT identity.
    use focused::billing::{invoice, InvoiceState};
    let inv = ok(
        invoice::InvoiceTable::insert(invoice::NewInvoice::new(decimal("19.99")))
            .returning()
            .fetch_one(&client)
            .await,
        "insert invoice",
    );
    assert_eq!((inv.id, inv.state, inv.mood), (1, InvoiceState::Open, None));
    let mut explicit = invoice::NewInvoice::new(decimal("5.00"));
    explicit.id = Some(100);
    explicit.state = Some(InvoiceState::Paid);
    explicit.mood = Some(focused::Mood::Sad);
    let inv = ok(
        invoice::InvoiceTable::insert(explicit)
            .on_conflict(invoice::conflict::invoice_pkey)
            .do_update([invoice::state.to(InvoiceState::Void)])
            .returning()
            .fetch_one(&client)
            .await,
        "insert invoice with id",
    );
    assert_eq!((inv.id, inv.state), (100, InvoiceState::Paid));
    let voided = ok(
        invoice::InvoiceTable::delete()
            .filter(invoice::state.eq(InvoiceState::Paid))
            .returning()
            .fetch_all(&client)
            .await,
        "delete invoice",
    );
    assert_eq!(voided.len(), 1);
}

#[tokio::test]
async fn a_value_the_rust_type_cannot_hold_is_an_error_naming_the_column() {
    use focused::{account, every_type};
    let (_db, client) = focused_db("codegen_decode").await;
    // 10^30 fits numeric(100,20) but not rust_decimal (at most ~7.9·10^28).
    if let Err(e) = client
        .batch_execute(&format!(
            "INSERT INTO every_type (a_text, a_numeric) VALUES ('big', 1{})",
            "0".repeat(30)
        ))
        .await
    {
        panic!("{e}");
    }
    match every_type::EveryTypeTable::select()
        .fetch_all(&client)
        .await
    {
        Err(Error::Decode(e)) => {
            assert_eq!((e.table, e.column), ("every_type", "a_numeric"));
            assert!(
                e.to_string()
                    .starts_with("cannot read column a_numeric of table every_type:"),
                "{e}"
            );
        }
        other => panic!("expected a decode error, got {other:?}"),
    }

    // A statement the server refuses carries the server's message.
    let insert = || {
        account::AccountTable::insert(account::NewAccount::new(
            "same".into(),
            "s@example.com".into(),
        ))
    };
    ok(insert().execute(&client).await, "first insert");
    match insert().execute(&client).await {
        Err(Error::Db(e)) => {
            let text = Error::Db(e).to_string();
            assert!(
                text.contains("duplicate key value violates unique constraint \"Account_pkey\""),
                "{text}"
            );
        }
        other => panic!("expected a database error, got {other:?}"),
    }
}

/// `interval` maps to `strata::runtime::Interval`: read from the server's
/// binary form and written back, months, days and microseconds apart, as
/// the server prints them.
#[tokio::test]
async fn intervals_round_trip_through_the_server() {
    use strata::runtime::Interval;
    let db = TestDb::create("strata_interval").await;
    let client = db.client().await;
    client
        .batch_execute("SET IntervalStyle = postgres")
        .await
        .unwrap();
    let cases = [
        (
            "1 mon 2 days 03:00:00.000001",
            Interval::new(1, 2, 10_800_000_001),
        ),
        (
            "-1 years -2 days +00:00:05",
            Interval::new(-12, -2, 5_000_000),
        ),
        ("00:00:00", Interval::new(0, 0, 0)),
        ("178000000 years", Interval::new(2_136_000_000, 0, 0)),
    ];
    for (text, want) in cases {
        let row = client
            .query_one(&format!("SELECT '{text}'::interval"), &[])
            .await
            .unwrap();
        let got: Interval = row.get(0);
        assert_eq!(got, want, "{text}");
        let row = client
            .query_one("SELECT $1::interval::text", &[&want])
            .await
            .unwrap();
        let printed: String = row.get(0);
        assert_eq!(printed, text, "{want:?}");
    }
    // A NULL reads as None.
    let row = client
        .query_one("SELECT NULL::interval", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, Option<Interval>>(0), None);
    drop(client);
}
