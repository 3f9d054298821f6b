//! Splitting SQL files into statements, with exact locations.
//!
//! API contract (implemented by the split task):
//!
//! ```ignore
//! pub struct RawStatement {
//!     /// Statement text, from its first token to just before the `;` (or the
//!     /// end of the file / a `--> statement-breakpoint`), without leading
//!     /// comments/whitespace; trailing whitespace trimmed.
//!     pub text: String,
//!     /// Byte offset of `text` in the file.
//!     pub offset: usize,
//!     /// 1-based line and column (characters) of the first byte of `text`.
//!     pub line: u32,
//!     pub column: u32,
//!     /// `-- strata:…` directives in the comments just before the statement.
//!     pub directives: Vec<Directive>,
//!     /// psql meta-command (`\restrict KEY`, `\connect db`) instead of SQL.
//!     pub meta_command: bool,
//! }
//! pub struct Directive { pub name: String, pub args: String, pub offset: usize }
//! pub fn split(file: &str, text: &Arc<str>) -> Result<Vec<RawStatement>, SqlError>;
//! /// File-level directives: `-- strata:no-transaction` on the first line.
//! pub fn file_directives(text: &str) -> Vec<Directive>;
//! ```
