//! The reference database's typed models at work.
//!
//! Brings the database at `DATABASE_URL` to the reference schema with
//! strata's migration runner (refinery-compatible history table), then
//! creates a user and an organization, grants and spends credits, records
//! a tree of agent runs, and queries them back.
//!
//! ```sh
//! createdb -h 127.0.0.1 -U postgres strata_example
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/strata_example \
//!     cargo run -p strata-reference-schema --example agent_runs
//! ```
//!
//! Running it again adds another user, organization and run tree.

use std::error::Error;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use strata::migrate::{migrate, MigrateOptions};
use strata::runtime::chrono::{Duration, Utc};
use strata::runtime::rust_decimal::Decimal;
use strata::runtime::serde_json::json;
use strata_reference_schema::{
    agent_run, credit_ledger, org, org_member, user, AgentRunStatus, GrantType, OrgRole,
};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

async fn run() -> Result<()> {
    let url = std::env::var("DATABASE_URL").map_err(|_| {
        "set DATABASE_URL to a database this example may create tables in, e.g. postgres://postgres@127.0.0.1:5432/strata_example"
    })?;

    // The schema, by the same history the macro proved equal to schema/sql.
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations"));
    let history = strata::core::source::load_history(dir)?;
    let report = migrate(&url, &history, &MigrateOptions::default()).await?;
    println!(
        "migrations: {} already applied, {} applied now",
        report.already_applied,
        report.applied.len()
    );

    // strata's connection: TLS as libpq's sslmode says, the password from
    // the URL, PGPASSWORD or ~/.pgpass, and never the URL in an error.
    let session = strata::conn::connect(&url).await?;
    let client = &session.client;
    let tag = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis();

    // A user: every column with a default left to the server.
    let mut new_user = user::NewUser::new(format!("ada+{tag}@example.com"));
    new_user.name = Some("Ada".to_string());
    let ada = user::UserTable::insert(new_user)
        .returning()
        .fetch_one(client)
        .await?;
    println!(
        "user {} <{}>: referral code {:?}, limit {}, created {}",
        ada.id, ada.email, ada.referral_code, ada.referral_limit, ada.created_at
    );

    // An organization and its owner as admin (upserted: running the insert
    // twice keeps one membership).
    let acme = org::OrgTable::insert(org::NewOrg::new(
        "Acme".to_string(),
        format!("acme-{tag}"),
        ada.id.clone(),
    ))
    .returning()
    .fetch_one(client)
    .await?;
    for role in [OrgRole::Member, OrgRole::Admin] {
        let mut m = org_member::NewOrgMember::new(acme.id.clone(), ada.id.clone());
        m.role = Some(role);
        org_member::OrgMemberTable::insert(m)
            .on_conflict(org_member::conflict::org_member_pkey)
            .do_update([org_member::role.to_excluded()])
            .execute(client)
            .await?;
    }
    let members = org_member::OrgMemberTable::select()
        .filter(org_member::org_id.eq(&acme.id))
        .fetch_all(client)
        .await?;
    println!(
        "org {} ({}): {} member(s), {} is {}",
        acme.name,
        acme.slug,
        members.len(),
        ada.email,
        members
            .first()
            .map_or("?".to_string(), |m| m.role.to_string())
    );

    // Credits: two grants in one statement, then spend from one.
    let grant = |op: &str, amount: i32, kind: GrantType, priority: i32| {
        let mut g = credit_ledger::NewCreditLedger::new(
            format!("{op}-{tag}"),
            ada.id.clone(),
            amount,
            amount,
            kind,
            priority,
        );
        g.org_id = Some(acme.id.clone());
        g.expires_at = Some(Utc::now() + Duration::days(30));
        g
    };
    credit_ledger::CreditLedgerTable::insert_many([
        grant("welcome", 500, GrantType::Free, 10),
        grant("purchase", 2000, GrantType::Purchase, 20),
    ])
    .execute(client)
    .await?;
    credit_ledger::CreditLedgerTable::update()
        .set(credit_ledger::balance.to(350))
        .filter(credit_ledger::operation_id.eq(format!("welcome-{tag}")))
        .execute(client)
        .await?;
    let ledger = credit_ledger::CreditLedgerTable::select()
        .filter(credit_ledger::user_id.eq(&ada.id))
        .filter(credit_ledger::balance.gt(0))
        .order_by(credit_ledger::priority)
        .fetch_all(client)
        .await?;
    for g in &ledger {
        println!(
            "credits {:>9} {:>5}/{:<5} priority {}",
            g.r#type, g.balance, g.principal, g.priority
        );
    }
    println!(
        "balance: {}",
        ledger.iter().map(|g| i64::from(g.balance)).sum::<i64>()
    );

    // A tree of agent runs: the server computes publisher, name, version,
    // root, parent and depth from agent_id and ancestor_run_ids.
    let mut root = agent_run::NewAgentRun::new("acme/planner@1.4.0".to_string());
    root.user_id = Some(ada.id.clone());
    let root = agent_run::AgentRunTable::insert(root)
        .returning()
        .fetch_one(client)
        .await?;
    let children = agent_run::AgentRunTable::insert_many(["coder", "reviewer"].map(|name| {
        let mut run = agent_run::NewAgentRun::new(format!("acme/{name}@2.0.1"));
        run.user_id = Some(ada.id.clone());
        run.ancestor_run_ids = Some(vec![root.id.clone()]);
        run.direct_credits = Some(Some(Decimal::new(125, 2)));
        run
    }))
    .returning()
    .fetch_all(client)
    .await?;
    for run in std::iter::once(&root).chain(&children) {
        println!(
            "run {} {:<10} v{:<6} depth {} parent {:?}",
            &run.id[..8],
            run.agent_name.as_deref().unwrap_or("?"),
            run.agent_version.as_deref().unwrap_or("?"),
            run.depth.unwrap_or(0),
            run.parent_run_id.as_deref().map(|p| &p[..8]),
        );
    }

    // Finish one child; the server computes its duration.
    let finished = agent_run::AgentRunTable::update()
        .set(agent_run::status.to(AgentRunStatus::Completed))
        .set(agent_run::completed_at.to(children[0].created_at + Duration::milliseconds(4250)))
        .filter(agent_run::id.eq(&children[0].id))
        .returning()
        .fetch_one(client)
        .await?;
    println!(
        "finished {} in {} ms",
        finished.agent_name.as_deref().unwrap_or("?"),
        finished.duration_ms.unwrap_or(0)
    );

    // Which runs of this tree are still going?
    let query = agent_run::AgentRunTable::select()
        .filter(agent_run::root_run_id.eq(&root.id))
        .filter(agent_run::status.eq(AgentRunStatus::Running))
        .filter(agent_run::depth.ge(1))
        .order_by(agent_run::created_at.desc());
    println!("{}", query.sql());
    let running = query.fetch_all(client).await?;
    println!(
        "{} run(s) still running: {}",
        running.len(),
        running
            .iter()
            .filter_map(|r| r.agent_name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "as JSON: {}",
        strata::runtime::serde_json::to_string(&json!({
            "run": finished.id,
            "status": finished.status,
            "credits": finished.direct_credits,
        }))?
    );

    session.close().await;
    Ok(())
}
