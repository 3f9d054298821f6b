//! Statements that change no schema object: SET (and pg_dump's
//! `set_config` SELECT) for the search path, DO blocks, and the kinds of
//! statements that change nothing strata models.

use sqlparser::ast::Expr;
use sqlparser::tokenizer::Token;

use super::{fold_ident, Cursor, PResult, Stmt};
use crate::names::truncate_identifier;

impl<'a> Cursor<'a> {
    pub(super) fn select(&mut self) -> PResult<Stmt> {
        // `SELECT pg_catalog.set_config('search_path', '', false);` as pg_dump writes it.
        let text_start = self.offset_of(&self.peek());
        let rest = self.text[text_start..].to_ascii_lowercase();
        if rest.contains("set_config") && rest.contains("'search_path'") {
            self.p.next_token();
            let e = self.expr()?;
            if let Expr::Function(f) = &e {
                let fname = f.name.to_string().to_ascii_lowercase();
                if fname.ends_with("set_config") {
                    if let sqlparser::ast::FunctionArguments::List(list) = &f.args {
                        let args: Vec<Option<sqlparser::ast::Value>> = list
                            .args
                            .iter()
                            .map(|a| match a {
                                sqlparser::ast::FunctionArg::Unnamed(
                                    sqlparser::ast::FunctionArgExpr::Expr(Expr::Value(v)),
                                ) => Some(v.value.clone()),
                                _ => None,
                            })
                            .collect();
                        let text =
                            |i: usize| args.get(i).cloned().flatten().and_then(|v| v.into_string());
                        if args.len() == 3 && text(0).as_deref() == Some("search_path") {
                            let Some(value) = text(1) else {
                                return Err(self.err_here(
                                    "strata cannot tell which search_path this set_config sets: write the value as a string literal",
                                ));
                            };
                            let local = match args[2].clone() {
                                Some(sqlparser::ast::Value::Boolean(b)) => Some(b),
                                Some(v) => match v
                                    .into_string()
                                    .map(|t| t.to_ascii_lowercase())
                                    .as_deref()
                                {
                                    Some("true" | "t" | "on" | "yes" | "y" | "1") => Some(true),
                                    Some("false" | "f" | "off" | "no" | "n" | "0") => Some(false),
                                    _ => None,
                                },
                                None => None,
                            };
                            let Some(local) = local else {
                                return Err(self.err_here(
                                    "strata cannot tell whether this set_config of search_path is local: write its third argument as true or false",
                                ));
                            };
                            self.skip_rest();
                            let path = split_search_path(&value);
                            return Ok(if local {
                                Stmt::SetLocalSearchPath(path)
                            } else {
                                Stmt::SetSearchPath(path)
                            });
                        }
                    }
                }
            }
        }
        self.skip_rest();
        Ok(Stmt::NonSchema("SELECT"))
    }

    pub(super) fn set(&mut self) -> PResult<Stmt> {
        self.expect_kw("SET")?;
        let local = if self.peek_kw("SESSION") && self.peek_nth_kw(1, "AUTHORIZATION") {
            false
        } else {
            !self.eat_kw("SESSION") && self.eat_kw("LOCAL")
        };
        let role_kind = if self.eat_kw("ROLE") {
            Some("NONE")
        } else if self.eat_kws(&["SESSION", "AUTHORIZATION"]) {
            Some("DEFAULT")
        } else {
            None
        };
        if let Some(reset_word) = role_kind {
            let role = match self.peek().token {
                Token::Word(w)
                    if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(reset_word) =>
                {
                    self.p.next_token();
                    None
                }
                Token::SingleQuotedString(s) => {
                    self.p.next_token();
                    Some(truncate_identifier(&s))
                }
                _ => Some(self.ident()?),
            };
            return Ok(Stmt::SetRole { local, role });
        }
        if self.peek_kw("search_path") {
            self.p.next_token();
            if !(self.eat(&Token::Eq) || self.eat_kw("TO")) {
                return Err(self.expected("`=` or TO"));
            }
            let mut path = Vec::new();
            if self.eat_kw("DEFAULT") {
                path = default_search_path();
            } else {
                loop {
                    match self.peek().token {
                        Token::Word(w) => {
                            self.p.next_token();
                            path.push(fold_ident(&w.value, w.quote_style.is_some()));
                        }
                        // A string is one schema name, as written: `'a, b'`
                        // names the schema `a, b`, `'$user'` is `$user`.
                        Token::SingleQuotedString(s) => {
                            self.p.next_token();
                            path.push(truncate_identifier(&s));
                        }
                        _ => return Err(self.expected("a schema name")),
                    }
                    if !self.eat(&Token::Comma) {
                        break;
                    }
                }
            }
            return Ok(if local {
                Stmt::SetLocalSearchPath(path)
            } else {
                Stmt::SetSearchPath(path)
            });
        }
        self.skip_rest();
        Ok(Stmt::NonSchema("SET"))
    }

    pub(super) fn do_block(&mut self) -> PResult<Stmt> {
        self.expect_kw("DO")?;
        if self.eat_kw("LANGUAGE") {
            let lang = self.ident()?;
            if lang != "plpgsql" {
                return Err(
                    self.err_here(format!("DO blocks in language {lang} are not supported"))
                );
            }
        }
        let tok = self.peek();
        let off = self.offset_of(&tok);
        let (body, body_offset) = match tok.token {
            Token::DollarQuotedString(d) => {
                self.p.next_token();
                let tag_len = d.tag.as_ref().map_or(0, |t| t.len()) + 2;
                (d.value, off + tag_len)
            }
            Token::SingleQuotedString(s) => {
                self.p.next_token();
                (s, off + 1)
            }
            _ => return Err(self.expected("the body of the DO block")),
        };
        if self.eat_kw("LANGUAGE") {
            let lang = self.ident()?;
            if lang != "plpgsql" {
                return Err(
                    self.err_here(format!("DO blocks in language {lang} are not supported"))
                );
            }
        }
        Ok(Stmt::Do { body, body_offset })
    }
}

pub(super) fn static_kind(word: &str) -> &'static str {
    const KINDS: &[&str] = &[
        "INSERT",
        "UPDATE",
        "DELETE",
        "MERGE",
        "TRUNCATE",
        "COPY",
        "ANALYZE",
        "ANALYSE",
        "VACUUM",
        "REFRESH",
        "GRANT",
        "REVOKE",
        "LOCK",
        "NOTIFY",
        "LISTEN",
        "UNLISTEN",
        "CLUSTER",
        "REINDEX",
        "CHECKPOINT",
        "DISCARD",
        "BEGIN",
        "COMMIT",
        "END",
        "START",
        "SAVEPOINT",
        "RELEASE",
        "WITH",
        "VALUES",
        "TABLE",
        "CALL",
        "EXPLAIN",
        "SECURITY",
        "PREPARE",
        "EXECUTE",
        "DEALLOCATE",
        "DECLARE",
        "FETCH",
        "CLOSE",
        "MOVE",
        "LOAD",
        "ABORT",
        "ALTER ROLE",
        "ALTER USER",
        "ALTER DATABASE",
        "ALTER SYSTEM",
    ];
    KINDS
        .iter()
        .find(|k| **k == word)
        .copied()
        .unwrap_or("other")
}

/// PostgreSQL's default `search_path`: `"$user", public`.
pub fn default_search_path() -> Vec<String> {
    vec!["$user".to_string(), "public".to_string()]
}

/// Splits a `search_path` value (`"$user", public`) into folded names.
pub fn split_search_path(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
                s[1..s.len() - 1].replace("\"\"", "\"")
            } else {
                s.to_ascii_lowercase()
            }
        })
        .collect()
}
