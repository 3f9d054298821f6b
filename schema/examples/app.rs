//! A small application on the reference database, end to end: the schema
//! applied from the embedded migrations, users with agent runs and steps
//! written by the typed builders, read back with their relations, summed
//! with aggregates, searched with subqueries and functions, paged by keyset,
//! a job queue worked by two workers with `FOR UPDATE SKIP LOCKED`, runs
//! failed in one `UPDATE … FROM`, and a report in checked SQL (`query!`).
//!
//! ```sh
//! createdb -h 127.0.0.1 -U postgres strata_app
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/strata_app \
//!     cargo run -p strata-reference-schema --example app
//! ```
//!
//! Every run writes rows of its own (named after the process id), so it
//! can run again on the same database.

use std::error::Error;
use std::process::ExitCode;

use strata::conn::connect;
use strata::migrate::{EmbeddedMigrations, MigrateOptions};
use strata::runtime::rust_decimal::Decimal;
use strata::runtime::{
    count, count_all, exists, lower, not_exists, scalar, sum, Db, Error as QueryError,
};
use strata_reference_schema::{agent_run, agent_step, query, user, AgentRunStatus};

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

static MIGRATIONS: EmbeddedMigrations = strata::embed_migrations!("../migrations");

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

#[derive(Debug, strata::FromRow)]
struct Finished {
    id: String,
    status: AgentRunStatus,
    duration_ms: Option<i32>,
}

async fn run() -> Result<()> {
    let url = std::env::var("DATABASE_URL").map_err(|_| {
        "set DATABASE_URL to a database this example may create tables in, e.g. postgres://postgres@127.0.0.1:5432/strata_app"
    })?;
    let report = MIGRATIONS.migrate(&url, &MigrateOptions::default()).await?;
    println!(
        "{}: {} migrations applied now, {} before",
        report.database,
        report.applied.len(),
        report.already_applied
    );

    let mut session = connect(&url).await?;
    let db = Db::new(&mut session.client);
    let tag = format!("{:x}", std::process::id());

    // Two users; three runs each, with 0, 1 and 2 steps.
    let mut users = Vec::new();
    for name in ["Ada", "Grace"] {
        let mut new = user::NewUser::new(format!("{}-{tag}@Example.com", name.to_lowercase()));
        new.name = Some(name.to_string());
        let u = user::UserTable::insert(new)
            .returning()
            .fetch_one(&db)
            .await?;
        for r in 0..3 {
            let mut run = agent_run::NewAgentRun::new(format!("app-{tag}/agent@1.{r}"));
            run.user_id = Some(u.id.clone());
            let (run_id,) = agent_run::AgentRunTable::insert(run)
                .returning_columns((agent_run::id,))
                .fetch_one(&db)
                .await?;
            agent_step::AgentStepTable::insert_many(
                (1..=r).map(|n| agent_step::NewAgentStep::new(run_id.clone(), n)),
            )
            .execute(&db)
            .await?;
        }
        users.push(u);
    }
    let mine = || agent_run::agent_id.like(format!("app-{tag}/%"));

    // Relations: each user with their runs and the runs' steps, one statement.
    let loaded = user::UserTable::select()
        .filter(user::id.in_(users.iter().map(|u| u.id.clone())))
        .with(user::rel::agent_run.with(agent_run::rel::agent_step))
        .order_by(user::email)
        .fetch_all(&db)
        .await?;
    for (u, runs) in &loaded {
        let steps: usize = runs.iter().map(|(_, s)| s.len()).sum();
        println!("{}: {} runs, {steps} steps", u.email, runs.len());
    }

    // Aggregates: steps and credits per run.
    let per_run: Vec<(String, i64, Option<Decimal>)> = agent_step::AgentStepTable::select()
        .join(agent_step::rel::agent_run)
        .filter(mine())
        .columns((
            agent_step::agent_run_id,
            count(agent_step::id),
            sum(agent_step::credits),
        ))
        .group_by(agent_step::agent_run_id)
        .order_by(agent_step::agent_run_id)
        .fetch_all(&db)
        .await?;
    println!("runs with steps: {}", per_run.len());

    // Subqueries and functions: runs without steps; users found by a
    // case-insensitive email; each run with its step count.
    let steps_of_run = || {
        agent_step::AgentStepTable::select()
            .outer(agent_run::AgentRunTable)
            .filter(agent_step::agent_run_id.eq_col(agent_run::id))
    };
    let idle = agent_run::AgentRunTable::select()
        .filter(mine())
        .filter(not_exists(steps_of_run()))
        .count()
        .fetch(&db)
        .await?;
    let busy = agent_run::AgentRunTable::select()
        .filter(mine())
        .filter(exists(steps_of_run()))
        .columns((
            agent_run::id,
            scalar(steps_of_run().columns(count_all::<agent_step::AgentStepTable>())),
        ))
        .fetch_all(&db)
        .await?;
    let ada = user::UserTable::select()
        .filter(lower(user::email).eq(format!("ada-{tag}@example.com")))
        .fetch_one(&db)
        .await?;
    println!(
        "{idle} runs without steps, {} with; found {} by lower(email)",
        busy.len(),
        ada.email
    );

    // Keyset pagination: all runs, two per page, newest first.
    let mut last: Option<(
        strata::runtime::chrono::DateTime<strata::runtime::chrono::Utc>,
        String,
    )> = None;
    let mut pages = 0;
    loop {
        let mut page = agent_run::AgentRunTable::select()
            .filter(mine())
            .order_by(agent_run::created_at.desc())
            .order_by(agent_run::id.desc())
            .limit(2);
        if let Some((at, id)) = &last {
            page = page.after((agent_run::created_at, agent_run::id), (*at, id.clone()));
        }
        let rows = page.fetch_all(&db).await?;
        let Some(end) = rows.last() else { break };
        last = Some((end.created_at, end.id.clone()));
        pages += 1;
    }
    println!("{pages} pages of runs");

    // A job queue: two workers take the waiting runs with SKIP LOCKED,
    // each on its own connection, never the same run twice.
    let workers: Vec<_> = (0..2)
        .map(|n| tokio::spawn(worker(url.clone(), tag.clone(), n)))
        .collect();
    let mut done = 0;
    for w in workers {
        done += w.await??;
    }
    println!("workers finished {done} runs");

    // UPDATE … FROM: runs with a step marked as failed fail too; RETURNING
    // chosen columns into a struct.
    agent_step::AgentStepTable::update()
        .set(agent_step::error_message.to(Some("boom".to_string())))
        .filter(agent_step::step_number.eq(2))
        .filter(
            agent_step::agent_run_id.in_query(
                agent_run::AgentRunTable::select()
                    .filter(mine())
                    .columns(agent_run::id),
            ),
        )
        .execute(&db)
        .await?;
    let failed: Vec<Finished> = agent_run::AgentRunTable::update()
        .from(
            agent_step::AgentStepTable,
            agent_step::agent_run_id.eq_col(agent_run::id),
        )
        .set(agent_run::status.to(AgentRunStatus::Failed))
        .set_col(agent_run::error_message, agent_step::error_message)
        .filter(agent_step::error_message.is_not_null())
        .filter(mine())
        .returning_columns((agent_run::id, agent_run::status, agent_run::duration_ms))
        .fetch_all_as(&db)
        .await?;
    for f in &failed {
        println!("failed {} ({:?}, {:?} ms)", f.id, f.status, f.duration_ms);
    }

    // Checked SQL: the report, typed at build time against the schema.
    let pattern = format!("app-{tag}/%");
    let report = query!(
        "SELECT status, count(*) AS runs FROM agent_run WHERE agent_id LIKE $1 GROUP BY status ORDER BY status",
        &pattern
    )
    .fetch_all(&db)
    .await?;
    for row in report {
        println!("{:?}: {}", row.status, row.runs);
    }
    Ok(())
}

/// Takes waiting runs of this application until none is free.
async fn worker(url: String, tag: String, n: usize) -> Result<usize> {
    let mut session = connect(&url).await?;
    let mut db = Db::new(&mut session.client);
    let mut done = 0;
    loop {
        let pattern = format!("app-{tag}/%");
        let took = db
            .transaction(|tx| {
                Box::pin(async move {
                    let Some(job) = agent_run::AgentRunTable::select()
                        .filter(agent_run::status.eq(AgentRunStatus::Running))
                        .filter(agent_run::agent_id.like(pattern))
                        .order_by(agent_run::created_at)
                        .limit(1)
                        .for_update()
                        .skip_locked()
                        .fetch_optional(tx)
                        .await?
                    else {
                        return Ok::<_, QueryError>(false);
                    };
                    agent_run::AgentRunTable::update()
                        .set(agent_run::status.to(AgentRunStatus::Completed))
                        .set(agent_run::completed_at.to(Some(strata::runtime::chrono::Utc::now())))
                        .set(agent_run::error_message.to(Some(format!("done by worker {n}"))))
                        .filter(agent_run::id.eq(job.id))
                        .execute(tx)
                        .await?;
                    Ok(true)
                })
            })
            .await?;
        if !took {
            break;
        }
        done += 1;
    }
    Ok(done)
}
