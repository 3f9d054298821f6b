//! Functions and procedures (PostgreSQL's `functioncmds.c`): `CREATE [OR
//! REPLACE] FUNCTION | PROCEDURE`, the argument lists of `DROP`, `ALTER`
//! and `COMMENT ON`, and `ALTER FUNCTION`'s actions.

use sqlparser::tokenizer::Token;

use super::{Cursor, PResult, QName, RoutineAction, RoutineRef, Stmt};
use crate::model::{
    ArgMode, Expression, Parallel, Routine, RoutineArg, RoutineBody, RoutineKind, Volatility,
};

/// A type as a routine's argument or result keeps it: without a typmod
/// (`numeric(10,2)` is `numeric`, `interval day` is `interval`), as
/// `format_type(type, NULL)` prints it.
pub fn routine_type(canonical: &str) -> String {
    let mut out = String::with_capacity(canonical.len());
    let mut depth = 0;
    let mut in_quotes = false;
    for c in canonical.chars() {
        match c {
            '"' => {
                in_quotes = !in_quotes;
                if depth == 0 {
                    out.push(c);
                }
            }
            '(' if !in_quotes => depth += 1,
            ')' if !in_quotes && depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    let (base, arrays) = match out.find("[]") {
        Some(i) => (out[..i].to_string(), out[i..].to_string()),
        None => (out.clone(), String::new()),
    };
    let base = base.split_whitespace().collect::<Vec<_>>().join(" ");
    let base = if base.starts_with("interval ") {
        "interval".to_string()
    } else {
        base
    };
    format!("{base}{arrays}")
}

impl<'a> Cursor<'a> {
    /// After `CREATE [OR REPLACE]`, at `FUNCTION` or `PROCEDURE`.
    pub(super) fn create_routine(&mut self, or_replace: bool) -> PResult<Stmt> {
        let kind = if self.eat_kw("FUNCTION") {
            RoutineKind::Function
        } else {
            self.expect_kw("PROCEDURE")?;
            RoutineKind::Procedure
        };
        let name = self.qname()?;
        let mut args = self.routine_arg_list(true)?;
        let mut returns = None;
        let mut setof = false;
        if self.eat_kw("RETURNS") {
            if kind == RoutineKind::Procedure {
                return Err(self.err_here("procedures cannot have a RETURNS clause"));
            }
            if self.eat_kw("TABLE") {
                self.expect(&Token::LParen)?;
                let mut cols = Vec::new();
                loop {
                    let col = self.ident()?;
                    let (t, _) = self.data_type()?;
                    let t = routine_type(&t);
                    cols.push(format!("{} {t}", crate::model::quote_ident(&col)));
                    args.push(RoutineArg {
                        mode: ArgMode::Table,
                        name: Some(col),
                        data_type: t,
                        default: None,
                    });
                    if !self.eat(&Token::Comma) {
                        break;
                    }
                }
                self.expect(&Token::RParen)?;
                setof = true;
                returns = Some(format!("TABLE({})", cols.join(", ")));
            } else {
                setof = self.eat_kw("SETOF");
                let (t, _) = self.data_type()?;
                let t = routine_type(&t);
                returns = Some(if setof { format!("SETOF {t}") } else { t });
            }
        } else if kind == RoutineKind::Function {
            // The result of OUT arguments: the one's type, or a record.
            let outs: Vec<&RoutineArg> = args
                .iter()
                .filter(|a| matches!(a.mode, ArgMode::Out | ArgMode::InOut))
                .collect();
            returns = match outs.as_slice() {
                [] => {
                    return Err(self
                        .err_here("function result type must be specified")
                        .with_help("add RETURNS type (or OUT arguments)"))
                }
                [one] => Some(one.data_type.clone()),
                _ => Some("record".to_string()),
            };
        }
        let mut r = Routine {
            owner: crate::model::Owner::default(),
            kind,
            args,
            returns,
            language: String::new(),
            body: RoutineBody::Source {
                text: String::new(),
            },
            volatility: Volatility::Volatile,
            strict: false,
            security_definer: false,
            leakproof: false,
            parallel: Parallel::Unsafe,
            cost: String::new(),
            rows: String::new(),
            config: Vec::new(),
            comment: None,
            acl: None,
            definition: self
                .text
                .trim()
                .trim_end_matches(';')
                .trim_end()
                .to_string(),
        };
        let mut body: Option<RoutineBody> = None;
        let mut cost = None;
        let mut rows = None;
        loop {
            if self.eat_kw("LANGUAGE") {
                r.language = self.ident_or_string()?.to_lowercase();
            } else if self.eat_kw("AS") {
                let first = self.string()?;
                if self.eat(&Token::Comma) {
                    let symbol = self.string()?;
                    body = Some(RoutineBody::Object {
                        file: first,
                        symbol,
                    });
                } else {
                    body = Some(RoutineBody::Source { text: first });
                }
            } else if self.peek_kw("RETURN")
                || (self.peek_kw("BEGIN") && self.peek_nth_kw(1, "ATOMIC"))
            {
                // A SQL-standard body: the rest of the statement.
                let start = self.offset_of(&self.peek());
                let text = self.text[start..]
                    .trim_end()
                    .trim_end_matches(';')
                    .trim_end()
                    .to_string();
                self.skip_rest();
                let key = text.split_whitespace().collect::<Vec<_>>().join(" ");
                body = Some(RoutineBody::Sql(Expression {
                    sql: text,
                    stored: crate::model::Stored::Unproven {
                        reason: "a SQL-standard body (RETURN / BEGIN ATOMIC) is stored parsed; \
                                 strata does not derive the server's text for it offline"
                            .to_string(),
                        key,
                    },
                }));
            } else if let Some(action) = self.routine_action()? {
                match action {
                    RoutineAction::Volatility(v) => r.volatility = v,
                    RoutineAction::Strict(s) => r.strict = s,
                    RoutineAction::SecurityDefiner(s) => r.security_definer = s,
                    RoutineAction::Leakproof(l) => r.leakproof = l,
                    RoutineAction::Parallel(p) => r.parallel = p,
                    RoutineAction::Cost(c) => cost = Some(c),
                    RoutineAction::Rows(n) => rows = Some(n),
                    RoutineAction::Set(entry) => set_config(&mut r.config, entry),
                    RoutineAction::Reset(_) | RoutineAction::ResetAll => {
                        return Err(self.err_here("RESET is not allowed in CREATE FUNCTION"))
                    }
                }
            } else if self.peek_kw("WINDOW") || self.peek_kw("TRANSFORM") || self.peek_kw("SUPPORT")
            {
                let what = self.word_upper(0).unwrap_or_default();
                return Err(self
                    .err_here(format!("{what} functions are not supported yet"))
                    .with_help("mark the statement with `-- strata:ignore` to skip it (the function will then be missing from the model)"));
            } else {
                break;
            }
        }
        if !self.at_end() {
            return Err(self.expected("a function option (LANGUAGE, AS, IMMUTABLE, …)"));
        }
        let Some(body) = body else {
            return Err(self
                .err_here("no function body specified")
                .with_help("add AS $$ … $$ (or a SQL-standard RETURN / BEGIN ATOMIC body)"));
        };
        if r.language.is_empty() {
            if matches!(body, RoutineBody::Sql(_)) {
                r.language = "sql".to_string();
            } else {
                return Err(self
                    .err_here("no language specified")
                    .with_help("add LANGUAGE plpgsql (or sql, …)"));
            }
        }
        if matches!(body, RoutineBody::Sql(_)) && r.language != "sql" {
            return Err(self.err_here("inline SQL function body only valid for language SQL"));
        }
        r.body = body;
        let default_cost = if matches!(r.language.as_str(), "c" | "internal") {
            1.0
        } else {
            100.0
        };
        r.cost = float4_text(cost.unwrap_or(default_cost));
        r.rows = match (rows, setof) {
            (Some(_), false) => {
                return Err(
                    self.err_here("ROWS is not applicable when function does not return a set")
                )
            }
            (Some(n), true) => float4_text(n),
            (None, true) => "1000".to_string(),
            (None, false) => "0".to_string(),
        };
        Ok(Stmt::CreateRoutine {
            name,
            or_replace,
            routine: Box::new(r),
        })
    }

    /// `(arg, …)`: mode, name, type and default of each argument. With
    /// `defaults` false (DROP, ALTER, COMMENT), defaults are not allowed.
    pub(super) fn routine_arg_list(&mut self, defaults: bool) -> PResult<Vec<RoutineArg>> {
        let mut args = Vec::new();
        self.expect(&Token::LParen)?;
        if self.eat(&Token::RParen) {
            return Ok(args);
        }
        loop {
            let mut mode = self.arg_mode();
            // `name type`, `type`, or `name MODE type`.
            let start_tok = self.peek();
            let mut name = None;
            let mut ty = None;
            if let Token::Word(_) = self.peek().token {
                if let Ok((t, _)) = self.data_type() {
                    if self.peek_is(&Token::Comma)
                        || self.peek_is(&Token::RParen)
                        || self.peek_kw("DEFAULT")
                        || self.peek_is(&Token::Eq)
                    {
                        ty = Some(t);
                    }
                }
                if ty.is_none() {
                    let mut guard = 0;
                    while self.peek().span != start_tok.span && guard < 64 {
                        self.p.prev_token();
                        guard += 1;
                    }
                    name = Some(self.ident()?);
                    if mode.is_none() {
                        mode = self.arg_mode();
                    }
                    ty = Some(self.data_type()?.0);
                }
            } else {
                ty = Some(self.data_type()?.0);
            }
            let mut default = None;
            if self.peek_kw("DEFAULT") || self.peek_is(&Token::Eq) {
                if !defaults {
                    return Err(self.err_here("argument defaults are written only in CREATE"));
                }
                if !self.eat_kw("DEFAULT") {
                    self.eat(&Token::Eq);
                }
                let (_, e) = self.written_expr()?;
                default = Some(e);
            }
            let Some(ty) = ty else {
                return Err(self.expected("an argument type"));
            };
            args.push(RoutineArg {
                mode: mode.unwrap_or(ArgMode::In),
                name,
                data_type: routine_type(&ty),
                default,
            });
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.expect(&Token::RParen)?;
        Ok(args)
    }

    fn arg_mode(&mut self) -> Option<ArgMode> {
        // A mode keyword followed by `,` or `)` is a type or a name.
        let next_ends = |c: &Cursor| matches!(c.peek_nth(1).token, Token::Comma | Token::RParen);
        if next_ends(self) {
            return None;
        }
        if self.eat_kw("INOUT") {
            Some(ArgMode::InOut)
        } else if self.eat_kw("IN") {
            if self.eat_kw("OUT") {
                Some(ArgMode::InOut)
            } else {
                Some(ArgMode::In)
            }
        } else if self.eat_kw("OUT") {
            Some(ArgMode::Out)
        } else if self.eat_kw("VARIADIC") {
            Some(ArgMode::Variadic)
        } else {
            None
        }
    }

    /// `FUNCTION`, `PROCEDURE` or `ROUTINE` (either), consumed.
    pub(super) fn routine_keyword(&mut self) -> Option<Option<RoutineKind>> {
        if self.eat_kw("FUNCTION") {
            Some(Some(RoutineKind::Function))
        } else if self.eat_kw("PROCEDURE") {
            Some(Some(RoutineKind::Procedure))
        } else if self.eat_kw("ROUTINE") {
            Some(None)
        } else {
            None
        }
    }

    /// A routine named in DROP / ALTER / COMMENT: `name [(args)]`.
    pub(super) fn routine_ref(&mut self) -> PResult<RoutineRef> {
        let name: QName = self.qname()?;
        let args = if self.peek_is(&Token::LParen) {
            Some(self.routine_arg_list(false)?)
        } else {
            None
        };
        Ok(RoutineRef { name, args })
    }

    /// One of `ALTER FUNCTION`'s (and CREATE's) options, when present.
    pub(super) fn routine_action(&mut self) -> PResult<Option<RoutineAction>> {
        let a = if self.eat_kw("IMMUTABLE") {
            RoutineAction::Volatility(Volatility::Immutable)
        } else if self.eat_kw("STABLE") {
            RoutineAction::Volatility(Volatility::Stable)
        } else if self.eat_kw("VOLATILE") {
            RoutineAction::Volatility(Volatility::Volatile)
        } else if self.eat_kw("STRICT") {
            RoutineAction::Strict(true)
        } else if self.eat_kws(&["CALLED", "ON", "NULL", "INPUT"]) {
            RoutineAction::Strict(false)
        } else if self.eat_kws(&["RETURNS", "NULL", "ON", "NULL", "INPUT"]) {
            RoutineAction::Strict(true)
        } else if self.eat_kws(&["NOT", "LEAKPROOF"]) {
            RoutineAction::Leakproof(false)
        } else if self.eat_kw("LEAKPROOF") {
            RoutineAction::Leakproof(true)
        } else if self.peek_kw("EXTERNAL") || self.peek_kw("SECURITY") {
            self.eat_kw("EXTERNAL");
            self.expect_kw("SECURITY")?;
            if self.eat_kw("DEFINER") {
                RoutineAction::SecurityDefiner(true)
            } else {
                self.expect_kw("INVOKER")?;
                RoutineAction::SecurityDefiner(false)
            }
        } else if self.eat_kw("PARALLEL") {
            let v = self.ident_or_string()?.to_lowercase();
            RoutineAction::Parallel(match v.as_str() {
                "safe" => Parallel::Safe,
                "restricted" => Parallel::Restricted,
                "unsafe" => Parallel::Unsafe,
                _ => {
                    return Err(self.err_here(format!(
                        "parameter \"parallel\" must be SAFE, RESTRICTED, or UNSAFE, not {v}"
                    )))
                }
            })
        } else if self.eat_kw("COST") {
            let n = self.positive_float("COST")?;
            RoutineAction::Cost(n)
        } else if self.eat_kw("ROWS") {
            let n = self.positive_float("ROWS")?;
            RoutineAction::Rows(n)
        } else if self.peek_kw("SET") {
            self.p.next_token();
            let name = self.guc_name()?;
            if self.eat_kws(&["FROM", "CURRENT"]) {
                return Err(self
                    .err_here("SET … FROM CURRENT stores the session's current value, which strata cannot know offline")
                    .with_help("write the value: SET name = value"));
            }
            if !self.eat_kw("TO") && !self.eat(&Token::Eq) {
                return Err(self.expected("TO or ="));
            }
            if self.eat_kw("DEFAULT") {
                RoutineAction::Reset(name)
            } else {
                let mut values = Vec::new();
                loop {
                    values.push(self.guc_value(&name)?);
                    if !self.eat(&Token::Comma) {
                        break;
                    }
                }
                RoutineAction::Set(format!("{name}={}", values.join(", ")))
            }
        } else if self.peek_kw("RESET") {
            self.p.next_token();
            if self.eat_kw("ALL") {
                RoutineAction::ResetAll
            } else {
                RoutineAction::Reset(self.guc_name()?)
            }
        } else {
            return Ok(None);
        };
        Ok(Some(a))
    }

    fn positive_float(&mut self, what: &str) -> PResult<f64> {
        match self.peek().token {
            Token::Number(n, _) => {
                self.p.next_token();
                let v: f64 = n
                    .parse()
                    .map_err(|_| self.err_here(format!("invalid {what} value")))?;
                if v <= 0.0 {
                    return Err(self.err_here(format!("{what} must be positive")));
                }
                Ok(v)
            }
            _ => Err(self.expected("a number")),
        }
    }

    /// A configuration parameter's name: lower-cased unless quoted, dotted
    /// names (`plpgsql.check_asserts`) joined.
    fn guc_name(&mut self) -> PResult<String> {
        let mut name = self.ident()?;
        while self.eat(&Token::Period) {
            name.push('.');
            name.push_str(&self.ident()?);
        }
        Ok(name)
    }

    /// A value of `SET name = value` as `proconfig` keeps it: strings and
    /// words as their text (list parameters such as `search_path` quote
    /// each element as an identifier), numbers as written.
    fn guc_value(&mut self, name: &str) -> PResult<String> {
        let list_quote = matches!(
            name,
            "search_path"
                | "temp_tablespaces"
                | "session_preload_libraries"
                | "shared_preload_libraries"
                | "local_preload_libraries"
        );
        let neg = self.eat(&Token::Minus);
        let tok = self.peek().token;
        let v = match tok {
            Token::Number(n, _) => {
                self.p.next_token();
                return Ok(if neg { format!("-{n}") } else { n });
            }
            Token::Word(w) => {
                self.p.next_token();
                if w.quote_style.is_some() {
                    w.value
                } else {
                    w.value.to_lowercase()
                }
            }
            _ => self.string()?,
        };
        if neg {
            return Err(self.expected("a number after -"));
        }
        Ok(if list_quote {
            crate::model::quote_ident(&v)
        } else {
            v
        })
    }
}

/// `SET name = value` replaces the entry of that name, else appends.
pub fn set_config(config: &mut Vec<String>, entry: String) {
    let name = entry.split('=').next().unwrap_or_default().to_string();
    if let Some(slot) = config
        .iter_mut()
        .find(|e| e.split('=').next() == Some(name.as_str()))
    {
        *slot = entry;
    } else {
        config.push(entry);
    }
}

/// A float4 as the server prints it with `extra_float_digits = 1`: the
/// shortest text that reads back to the same float.
pub fn float4_text(v: f64) -> String {
    let f = v as f32;
    if f.is_finite() && f == f.trunc() && f.abs() < 1e15 {
        format!("{}", f as f64)
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routine_types_lose_their_typmods() {
        assert_eq!(routine_type("numeric(10,2)"), "numeric");
        assert_eq!(
            routine_type("character varying(5)[]"),
            "character varying[]"
        );
        assert_eq!(
            routine_type("timestamp(3) with time zone"),
            "timestamp with time zone"
        );
        assert_eq!(routine_type("interval day"), "interval");
        assert_eq!(routine_type("\"My(Type)\""), "\"My(Type)\"");
        assert_eq!(float4_text(100.0), "100");
        assert_eq!(float4_text(0.5), "0.5");
    }
}
