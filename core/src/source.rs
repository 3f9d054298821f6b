//! Sources of a schema: migration folders in the formats users have, and
//! declared SQL (a file or a folder, pg_dump output included).
//!
//! API contract (being implemented):
//!
//! ```ignore
//! pub struct SqlFile { pub path: String, pub text: Arc<str> }
//! pub enum HistoryFormat { Refinery, Sqlx, Drizzle, Prisma, Diesel, GolangMigrate, Dbmate }
//! pub struct Migration { pub version: String, pub name: String, pub file: SqlFile, pub no_transaction: bool }
//! pub struct History { pub format: HistoryFormat, pub root: PathBuf, pub migrations: Vec<Migration>, pub warnings: Vec<String> }
//! pub enum SourceSpec { Migrations(PathBuf), Schema(PathBuf), Url(String) }
//! pub fn parse_spec(s: &str) -> SourceSpec;
//! pub fn load_history(path: &Path) -> Result<History, Error>;
//! pub fn load_declared(path: &Path) -> Result<Vec<SqlFile>, Error>;
//! ```
