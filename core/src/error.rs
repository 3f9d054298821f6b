//! Errors of every stage, with file:line:column and a span into the source.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use serde::{Deserialize, Serialize};

/// Where something is in a source file. Lines and columns are 1-based;
/// columns count characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    /// Shared: a replay records a location for every object it defines, all
    /// in a handful of files (serialized as the plain string).
    #[serde(with = "shared_str")]
    pub file: Arc<str>,
    pub line: u32,
    pub column: u32,
}

/// `Arc<str>` as a plain string (serde's own impl needs its `rc` feature).
mod shared_str {
    use std::sync::Arc;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(s: &Arc<str>, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Arc<str>, D::Error> {
        String::deserialize(de).map(Arc::from)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A problem with a statement of a SQL file: what is wrong, where, and what
/// to do about it.
#[derive(Debug, Clone, thiserror::Error, Diagnostic)]
#[error("{location}: {message}")]
pub struct SqlError {
    pub message: String,
    pub location: Location,
    #[help]
    pub help: Option<String>,
    #[source_code]
    pub src: Excerpt,
    #[label("{label}")]
    pub span: SourceSpan,
    pub label: String,
}

impl SqlError {
    /// An error at byte `offset..offset+len` of `text` (the whole file).
    pub fn new(
        file: &str,
        text: &Arc<str>,
        offset: usize,
        len: usize,
        message: impl Into<String>,
    ) -> SqlError {
        // The span stays inside the text and on character boundaries (an
        // error "at the end of the statement" may be computed one past it):
        // miette cannot show a label outside its source.
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let end = floor_char_boundary(text, offset.saturating_add(len).min(text.len()));
        let len = end - offset;
        let (line, column) = line_column(text, offset);
        SqlError {
            message: message.into(),
            location: Location {
                file: Arc::from(file),
                line,
                column,
            },
            help: None,
            src: Excerpt::new(file, Arc::clone(text)),
            span: SourceSpan::new(offset.into(), len),
            label: "here".to_string(),
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> SqlError {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(mut self, label: impl Into<String>) -> SqlError {
        self.label = label.into();
        self
    }
}

/// A file's text as the source of a diagnostic, named by its path. Where
/// the lines around a span are longer than [`Excerpt::MAX_SHOWN`] bytes (a
/// 100 MB statement on one line, minified SQL), only a window of the
/// span's line around the span is shown, so an error never prints the
/// whole file.
#[derive(Clone)]
pub struct Excerpt {
    name: String,
    text: Arc<str>,
}

impl fmt::Debug for Excerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Excerpt({}, {} bytes)", self.name, self.text.len())
    }
}

impl Excerpt {
    /// Most bytes of source an error shows.
    pub const MAX_SHOWN: usize = 4096;
    /// Bytes shown on either side of the span in a window.
    const AROUND: usize = 120;

    pub fn new(name: &str, text: Arc<str>) -> Excerpt {
        Excerpt {
            name: name.to_string(),
            text,
        }
    }

    pub fn text(&self) -> &Arc<str> {
        &self.text
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text: &'a str = &self.text;
        let full = text.read_span(span, context_lines_before, context_lines_after)?;
        if full.data().len() <= Self::MAX_SHOWN {
            return Ok(Box::new(MietteSpanContents::new_named(
                self.name.clone(),
                full.data(),
                *full.span(),
                full.line(),
                full.column(),
                full.line_count(),
            )));
        }
        // A window of the span's own line: at most AROUND bytes before the
        // span, the span itself (cut to MAX_SHOWN), AROUND bytes after.
        let at = span.offset().min(text.len());
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let start = floor_char_boundary(text, at.saturating_sub(Self::AROUND).max(line_start));
        let span_end = at + span.len().min(Self::MAX_SHOWN);
        let end = floor_char_boundary(text, (span_end + Self::AROUND).min(line_end).max(at));
        let (line, column) = line_column(text, start);
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &text.as_bytes()[start..end],
            SourceSpan::new(start.into(), end - start),
            line as usize - 1,
            column as usize - 1,
            1,
        )))
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.bytes().filter(|&b| b == b'\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() as u32 + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Any error of strata-core.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum Error {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Sql(Box<SqlError>),
    /// A problem with a file or folder as a whole (unreadable, bad journal, …).
    #[error("{path}: {message}")]
    #[diagnostic(help("{help}"))]
    Source {
        path: String,
        message: String,
        help: String,
    },
}

impl From<SqlError> for Error {
    fn from(e: SqlError) -> Self {
        Error::Sql(Box::new(e))
    }
}

impl Error {
    pub fn source(
        path: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Error {
        Error::Source {
            path: path.into(),
            message: message.into(),
            help: help.into(),
        }
    }
}

/// A PostgreSQL-like error raised while applying a statement, by replay
/// and by the DO blocks it follows; replay reports it as a [`SqlError`] at
/// the statement's file:line:column.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    /// SQLSTATE PostgreSQL would report.
    pub code: &'static str,
    pub message: String,
    pub help: Option<String>,
    /// Byte offset inside the statement, when more precise than its start.
    pub offset: Option<usize>,
    pub len: usize,
}

impl From<Failure> for (String, String) {
    fn from(e: Failure) -> Self {
        (e.code.to_string(), e.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let text = "ab\ncé d";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        // 'é' is two bytes; 'd' is the fourth character of line 2.
        assert_eq!(line_column(text, 7), (2, 4));
    }
}
