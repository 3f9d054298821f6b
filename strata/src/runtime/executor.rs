//! Where statements run: the [`Executor`] trait every builder executes on,
//! and [`Db`], a client (or transaction) with a per-connection statement
//! cache.
//!
//! A bare `tokio_postgres::Client` or `Transaction` is an [`Executor`]: each
//! call sends the text, and tokio-postgres prepares an unnamed statement for
//! it (two round trips' worth of work on the server, every time). A [`Db`]
//! prepares each distinct SQL text once per connection, keeps the
//! `Statement` in a bounded least-recently-used map, and sends only
//! Bind/Execute after that.
//!
//! Invalidation: a cached statement the server no longer accepts —
//! `26000 prepared statement does not exist` (a pooler reset the session,
//! `DEALLOCATE ALL`) or `0A000 cached plan must not change result type`
//! (the table changed under a statement) — is dropped from the cache,
//! prepared again and retried once. Inside a transaction the first failure
//! has already aborted the transaction, so there the statement is dropped
//! from the cache and the error returned; the next transaction prepares it
//! afresh.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{GenericClient, Row, RowStream, Statement, Transaction};

use super::Error;

/// A parameter list as the executors take it.
pub type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// A boxed, `Send` future: what a [`Db::transaction`] closure returns
/// (`|tx| Box::pin(async move { … })`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Something statements run on: a `tokio_postgres::Client` or
/// `Transaction` (every call prepares an unnamed statement), or a [`Db`]
/// (prepared once per connection, then reused).
///
/// Every builder's `fetch_*`/`execute`/`fetch_stream` takes `&impl
/// Executor`.
pub trait Executor: Sync {
    /// Runs a statement and returns its rows.
    fn query_sql(
        &self,
        sql: &str,
        params: Params<'_>,
    ) -> impl Future<Output = Result<Vec<Row>, tokio_postgres::Error>> + Send;

    /// Runs a statement and returns the number of rows it affected.
    fn execute_sql(
        &self,
        sql: &str,
        params: Params<'_>,
    ) -> impl Future<Output = Result<u64, tokio_postgres::Error>> + Send;

    /// Runs a statement and returns its rows as they arrive.
    fn stream_sql(
        &self,
        sql: &str,
        params: Params<'_>,
    ) -> impl Future<Output = Result<RowStream, tokio_postgres::Error>> + Send;
}

impl<C: GenericClient + Sync> Executor for C {
    async fn query_sql(
        &self,
        sql: &str,
        params: Params<'_>,
    ) -> Result<Vec<Row>, tokio_postgres::Error> {
        self.query(sql, params).await
    }

    async fn execute_sql(
        &self,
        sql: &str,
        params: Params<'_>,
    ) -> Result<u64, tokio_postgres::Error> {
        self.execute(sql, params).await
    }

    async fn stream_sql(
        &self,
        sql: &str,
        params: Params<'_>,
    ) -> Result<RowStream, tokio_postgres::Error> {
        self.query_raw(sql, params.iter().copied()).await
    }
}

/// The default number of statements a [`Db`] keeps per connection.
pub const DEFAULT_CACHE_CAPACITY: usize = 256;

/// What a [`Db`]'s cache has done, for tests and metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Executions that found their statement in the cache.
    pub hits: u64,
    /// Statements prepared (first use, after an eviction, or after an
    /// invalidation).
    pub prepares: u64,
    /// Statements dropped to stay within the capacity.
    pub evictions: u64,
    /// Cached statements the server refused (26000, 0A000) and that were
    /// dropped from the cache.
    pub invalidations: u64,
    /// Statements in the cache now.
    pub len: usize,
}

/// The statements of one connection, least recently used first out.
struct StatementCache {
    capacity: usize,
    map: Mutex<Lru>,
    hits: AtomicU64,
    prepares: AtomicU64,
    evictions: AtomicU64,
    invalidations: AtomicU64,
}

#[derive(Default)]
struct Lru {
    tick: u64,
    entries: HashMap<Box<str>, (Statement, u64)>,
}

impl StatementCache {
    fn new(capacity: usize) -> StatementCache {
        StatementCache {
            capacity,
            map: Mutex::new(Lru::default()),
            hits: AtomicU64::new(0),
            prepares: AtomicU64::new(0),
            evictions: AtomicU64::new(0),
            invalidations: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Lru> {
        // A panic while the lock was held leaves a map that is still a
        // valid map: carry on with it.
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn get(&self, sql: &str) -> Option<Statement> {
        let mut lru = self.lock();
        lru.tick += 1;
        let tick = lru.tick;
        let (statement, used) = lru.entries.get_mut(sql)?;
        *used = tick;
        Some(statement.clone())
    }

    fn insert(&self, sql: &str, statement: Statement) {
        if self.capacity == 0 {
            return;
        }
        // Evicted statements are dropped after the lock is released:
        // dropping the last handle of a `Statement` queues its Close.
        let mut evicted = None;
        {
            let mut lru = self.lock();
            lru.tick += 1;
            let tick = lru.tick;
            if !lru.entries.contains_key(sql) && lru.entries.len() >= self.capacity {
                let oldest = lru
                    .entries
                    .iter()
                    .min_by_key(|(_, (_, used))| *used)
                    .map(|(k, _)| k.clone());
                if let Some(k) = oldest {
                    evicted = lru.entries.remove(&k);
                    self.evictions.fetch_add(1, Ordering::Relaxed);
                }
            }
            lru.entries.insert(sql.into(), (statement, tick));
        }
        drop(evicted);
    }

    fn remove(&self, sql: &str) {
        let removed = self.lock().entries.remove(sql);
        if removed.is_some() {
            self.invalidations.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn clear(&self) {
        let old = std::mem::take(&mut self.lock().entries);
        drop(old);
    }

    fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            prepares: self.prepares.load(Ordering::Relaxed),
            evictions: self.evictions.load(Ordering::Relaxed),
            invalidations: self.invalidations.load(Ordering::Relaxed),
            len: self.lock().entries.len(),
        }
    }
}

/// Whether the server refused a cached statement in a way that preparing
/// it again cures.
fn is_stale(e: &tokio_postgres::Error) -> bool {
    match e.code() {
        Some(c) if *c == SqlState::INVALID_SQL_STATEMENT_NAME => true,
        Some(c) if *c == SqlState::FEATURE_NOT_SUPPORTED => e.as_db_error().is_some_and(|d| {
            d.message()
                .contains("cached plan must not change result type")
        }),
        _ => false,
    }
}

/// A client (or transaction, or pooled client) with a statement cache:
/// every builder run on it prepares its SQL once per connection.
///
/// ```no_run
/// # async fn f(client: tokio_postgres::Client) -> Result<(), strata::runtime::Error> {
/// use strata::runtime::Db;
/// let mut db = Db::new(client);
/// // builders: `agent_run::AgentRunTable::select()….fetch_all(&db).await?`
/// db.transaction(|tx| Box::pin(async move {
///     // `tx` is a `Db` too, sharing the cache; nested calls are savepoints.
///     Ok::<_, strata::runtime::Error>(())
/// })).await?;
/// # Ok(()) }
/// ```
///
/// `C` is a `tokio_postgres::Client`, a `Transaction`, a `&mut` of either,
/// or a pooled client in [`Pooled`] (see [`ClientRef`]). The cache lives
/// with the `Db`: keep one `Db` per connection for as long as the
/// connection lives.
pub struct Db<C> {
    client: C,
    cache: Arc<StatementCache>,
}

impl<C> Db<C> {
    /// A cache of [`DEFAULT_CACHE_CAPACITY`] statements over `client`.
    pub fn new(client: C) -> Db<C> {
        Db::with_capacity(client, DEFAULT_CACHE_CAPACITY)
    }

    /// A cache of at most `capacity` statements (0: no caching at all).
    pub fn with_capacity(client: C, capacity: usize) -> Db<C> {
        Db {
            client,
            cache: Arc::new(StatementCache::new(capacity)),
        }
    }

    /// The client underneath, for what the builders do not cover.
    pub fn client(&self) -> &C {
        &self.client
    }

    /// The client, giving up the cache.
    pub fn into_inner(self) -> C {
        self.client
    }

    /// What the cache has done so far (shared with transactions begun on
    /// this `Db`).
    pub fn cache_stats(&self) -> CacheStats {
        self.cache.stats()
    }

    /// Forgets every cached statement (they are closed on the server).
    pub fn clear_cache(&self) {
        self.cache.clear();
    }
}

impl<C: ClientRef> Db<C> {
    /// The cached statement for `sql`, prepared now if it is not cached.
    pub async fn prepare_cached(&self, sql: &str) -> Result<Statement, tokio_postgres::Error> {
        if let Some(s) = self.cache.get(sql) {
            self.cache.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(s);
        }
        self.prepare_fresh(sql).await
    }

    async fn prepare_fresh(&self, sql: &str) -> Result<Statement, tokio_postgres::Error> {
        let statement = self.client.get().prepare(sql).await?;
        self.cache.prepares.fetch_add(1, Ordering::Relaxed);
        self.cache.insert(sql, statement.clone());
        Ok(statement)
    }

    /// After a cached statement failed with `e`: whether to prepare it
    /// again and retry (outside a transaction, for a stale statement).
    fn retry_after(&self, sql: &str, e: &tokio_postgres::Error) -> bool {
        if !is_stale(e) {
            return false;
        }
        self.cache.remove(sql);
        !self.client.in_transaction()
    }

    /// Begins a transaction (a savepoint when this is one already) sharing
    /// this `Db`'s cache. It rolls back when dropped without
    /// [`Db::commit`].
    pub async fn begin(&mut self) -> Result<Db<Transaction<'_>>, Error> {
        let tx = self.client.get_mut().transaction().await?;
        Ok(Db {
            client: tx,
            cache: Arc::clone(&self.cache),
        })
    }

    /// Runs `f` in a transaction: committed when `f` returns `Ok`, rolled
    /// back when it returns `Err` (or panics, or its future is dropped).
    /// Called on a transaction, it uses a savepoint: an `Err` rolls back to
    /// it and leaves the outer transaction going.
    ///
    /// `f` returns a boxed future: `|tx| Box::pin(async move { … })`.
    pub async fn transaction<F, R, E>(&mut self, f: F) -> Result<R, E>
    where
        F: for<'t> FnOnce(&'t mut Db<Transaction<'_>>) -> BoxFuture<'t, Result<R, E>>,
        E: From<Error>,
    {
        let mut tx = self.begin().await.map_err(E::from)?;
        match f(&mut tx).await {
            Ok(value) => {
                tx.commit().await.map_err(E::from)?;
                Ok(value)
            }
            Err(e) => {
                // The caller's error is the one to report; a failed
                // rollback leaves the transaction to be rolled back when
                // the connection drops it.
                let _ = tx.rollback().await;
                Err(e)
            }
        }
    }
}

impl Db<Transaction<'_>> {
    /// Commits the transaction (releases the savepoint).
    pub async fn commit(self) -> Result<(), Error> {
        Ok(self.client.commit().await?)
    }

    /// Rolls the transaction back (to the savepoint).
    pub async fn rollback(self) -> Result<(), Error> {
        Ok(self.client.rollback().await?)
    }
}

/// What a [`Db`] wraps: something that gives a `GenericClient`. Implemented
/// for `tokio_postgres::Client`, `Transaction`, `&mut` of either (a pooled
/// client borrowed for a while: `Db::new(&mut **pooled)`), and [`Pooled`]
/// (a pooled client owned).
pub trait ClientRef: Sync + Send {
    type Client: GenericClient + Sync + Send;
    fn get(&self) -> &Self::Client;
    fn get_mut(&mut self) -> &mut Self::Client;
    /// Whether statements run inside a transaction (where a failed
    /// statement aborts it, so a stale cached one is not retried).
    fn in_transaction(&self) -> bool {
        false
    }
}

impl ClientRef for tokio_postgres::Client {
    type Client = tokio_postgres::Client;
    fn get(&self) -> &Self::Client {
        self
    }
    fn get_mut(&mut self) -> &mut Self::Client {
        self
    }
}

impl<'a> ClientRef for Transaction<'a> {
    type Client = Transaction<'a>;
    fn get(&self) -> &Self::Client {
        self
    }
    fn get_mut(&mut self) -> &mut Self::Client {
        self
    }
    fn in_transaction(&self) -> bool {
        true
    }
}

impl<T: ClientRef> ClientRef for &mut T {
    type Client = T::Client;
    fn get(&self) -> &Self::Client {
        (**self).get()
    }
    fn get_mut(&mut self) -> &mut Self::Client {
        (**self).get_mut()
    }
    fn in_transaction(&self) -> bool {
        (**self).in_transaction()
    }
}

/// A pooled client (deadpool-postgres's `Object`, bb8's
/// `PooledConnection`, anything that dereferences, possibly in several
/// steps, to a `tokio_postgres::Client`) owned by a [`Db`]:
/// `Db::new(Pooled::new(pool.get().await?, |c| &**c, |c| &mut **c))`.
pub struct Pooled<P> {
    pooled: P,
    get: fn(&P) -> &tokio_postgres::Client,
    get_mut: fn(&mut P) -> &mut tokio_postgres::Client,
}

impl<P> Pooled<P> {
    /// `get`/`get_mut` reach the `Client` inside (`|c| &**c`,
    /// `|c| &mut **c` for deadpool-postgres).
    pub fn new(
        pooled: P,
        get: fn(&P) -> &tokio_postgres::Client,
        get_mut: fn(&mut P) -> &mut tokio_postgres::Client,
    ) -> Pooled<P> {
        Pooled {
            pooled,
            get,
            get_mut,
        }
    }

    /// The pooled client, to give back to the pool.
    pub fn into_inner(self) -> P {
        self.pooled
    }
}

impl<P: Send + Sync> ClientRef for Pooled<P> {
    type Client = tokio_postgres::Client;
    fn get(&self) -> &Self::Client {
        (self.get)(&self.pooled)
    }
    fn get_mut(&mut self) -> &mut Self::Client {
        (self.get_mut)(&mut self.pooled)
    }
}

impl<C: ClientRef> Executor for Db<C> {
    async fn query_sql(
        &self,
        sql: &str,
        params: Params<'_>,
    ) -> Result<Vec<Row>, tokio_postgres::Error> {
        let statement = self.prepare_cached(sql).await?;
        match self.client.get().query(&statement, params).await {
            Err(e) if self.retry_after(sql, &e) => {
                let statement = self.prepare_fresh(sql).await?;
                self.client.get().query(&statement, params).await
            }
            r => r,
        }
    }

    async fn execute_sql(
        &self,
        sql: &str,
        params: Params<'_>,
    ) -> Result<u64, tokio_postgres::Error> {
        let statement = self.prepare_cached(sql).await?;
        match self.client.get().execute(&statement, params).await {
            Err(e) if self.retry_after(sql, &e) => {
                let statement = self.prepare_fresh(sql).await?;
                self.client.get().execute(&statement, params).await
            }
            r => r,
        }
    }

    async fn stream_sql(
        &self,
        sql: &str,
        params: Params<'_>,
    ) -> Result<RowStream, tokio_postgres::Error> {
        let statement = self.prepare_cached(sql).await?;
        match self
            .client
            .get()
            .query_raw(&statement, params.iter().copied())
            .await
        {
            Err(e) if self.retry_after(sql, &e) => {
                let statement = self.prepare_fresh(sql).await?;
                self.client
                    .get()
                    .query_raw(&statement, params.iter().copied())
                    .await
            }
            r => r,
        }
    }
}
