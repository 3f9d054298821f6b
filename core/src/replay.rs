//! Offline replay: applying statements to a [`Schema`] as PostgreSQL would.
//!
//! API contract (being implemented):
//!
//! ```ignore
//! pub struct Replayed {
//!     pub schema: Schema,
//!     /// Where each object was last created or changed.
//!     pub provenance: BTreeMap<ObjectPath, Location>,
//!     pub stats: Stats,
//! }
//! pub struct Stats { pub files: usize, pub statements: usize, pub data_statements: usize,
//!                    pub ignored: Vec<Location>, pub meta_commands: usize }
//! pub struct Replayer;
//! impl Replayer {
//!     pub fn new() -> Replayer;
//!     pub fn apply_file(&mut self, path: &str, text: &Arc<str>) -> Result<(), Error>;
//!     pub fn finish(self) -> Replayed;
//! }
//! ```
