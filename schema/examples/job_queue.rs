//! A job queue on the reference database: agent runs waiting in status
//! `running` are the jobs, and workers take them with `SELECT … FOR UPDATE
//! SKIP LOCKED`, each in its own transaction on its own connection with a
//! statement cache — no job is taken twice, no worker waits for another.
//!
//! The schema comes from the migrations embedded at build time
//! (`strata::embed_migrations!`), applied at start-up by the runner of
//! `strata migrate` (lock, history table, checksums).
//!
//! ```sh
//! createdb -h 127.0.0.1 -U postgres strata_jobs
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/strata_jobs \
//!     cargo run -p strata-reference-schema --example job_queue
//! ```

use std::error::Error;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use strata::conn::connect;
use strata::migrate::{EmbeddedMigrations, MigrateOptions};
use strata::runtime::Db;
use strata_reference_schema::{agent_run, AgentRunStatus};

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

static MIGRATIONS: EmbeddedMigrations = strata::embed_migrations!("../migrations");

const JOBS: usize = 200;
const WORKERS: usize = 4;

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
        "set DATABASE_URL to a database this example may create tables in, e.g. postgres://postgres@127.0.0.1:5432/strata_jobs"
    })?;

    let report = MIGRATIONS.migrate(&url, &MigrateOptions::default()).await?;
    println!(
        "{}: {} migrations applied now, {} before",
        report.database,
        report.applied.len(),
        report.already_applied
    );

    // Enqueue: one multi-row insert.
    let mut session = connect(&url).await?;
    let db = Db::new(&mut session.client);
    let batch = format!("{:x}", std::process::id());
    let queued = agent_run::AgentRunTable::insert_many(
        (0..JOBS).map(|i| agent_run::NewAgentRun::new(format!("jobs-{batch}/job{i:03}@1.0.0"))),
    )
    .execute(&db)
    .await?;
    println!("queued {queued} jobs");

    let started = Instant::now();
    let workers: Vec<_> = (0..WORKERS)
        .map(|n| tokio::spawn(worker(url.clone(), n)))
        .collect();
    let mut total = 0;
    for (n, w) in workers.into_iter().enumerate() {
        let done = w.await??;
        println!("worker {n}: {done} jobs");
        total += done;
    }
    println!(
        "{total} jobs done by {WORKERS} workers in {:.0?}",
        started.elapsed()
    );
    let left = agent_run::AgentRunTable::select()
        .filter(agent_run::status.eq(AgentRunStatus::Running))
        .count()
        .fetch(&db)
        .await?;
    println!("jobs still waiting: {left}");
    Ok(())
}

/// Takes jobs until none is free; returns how many it did.
async fn worker(url: String, n: usize) -> Result<usize> {
    let mut session = connect(&url).await?;
    let mut db = Db::new(&mut session.client);
    let mut done = 0;
    loop {
        let took = db
            .transaction(|tx| {
                Box::pin(async move {
                    // The oldest free job; jobs other workers hold are
                    // skipped, not waited for.
                    let Some(job) = agent_run::AgentRunTable::select()
                        .filter(agent_run::status.eq(AgentRunStatus::Running))
                        .order_by(agent_run::created_at)
                        .limit(1)
                        .for_update()
                        .skip_locked()
                        .fetch_optional(tx)
                        .await?
                    else {
                        return Ok::<_, strata::runtime::Error>(false);
                    };
                    // The work, while the row stays locked.
                    tokio::time::sleep(Duration::from_millis(1)).await;
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
    let stats = db.cache_stats();
    println!(
        "worker {n}: statement cache {} prepared, {} reused",
        stats.prepares, stats.hits
    );
    Ok(done)
}
