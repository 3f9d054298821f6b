//! `CREATE OPERATOR`, `ALTER OPERATOR`, `DROP OPERATOR` and operator
//! names with their operand types (PostgreSQL's `operatorcmds.c`).

use sqlparser::tokenizer::Token;

use super::{
    fold_ident, AlterOperatorAction, Cursor, OperatorDef, OperatorRef, PResult, QName, Stmt,
};

/// Characters PostgreSQL allows in an operator name.
const OP_CHARS: &str = "+-*/<>=~!@#%^&|`?";

impl<'a> Cursor<'a> {
    /// An operator symbol: adjacent tokens made of operator characters
    /// (`~<<` is two tokens to sqlparser).
    fn operator_symbol(&mut self) -> PResult<String> {
        let mut sym = String::new();
        let mut end = None;
        loop {
            let tok = self.peek();
            // The source text, not the token's printed form (`!=` is
            // printed `<>`).
            let text = self.source_of(&tok);
            let is_op = !text.is_empty() && text.chars().all(|c| OP_CHARS.contains(c));
            if !is_op || end.is_some_and(|e| e != tok.span.start) {
                break;
            }
            end = Some(tok.span.end);
            sym.push_str(text);
            self.p.next_token();
        }
        if sym.is_empty() {
            return Err(self.expected("an operator"));
        }
        Ok(sym)
    }

    /// `[schema.]symbol`.
    pub(super) fn operator_qname(&mut self) -> PResult<QName> {
        let mut schema = None;
        if let Token::Word(w) = self.peek().token {
            if self.peek_nth(1).token == Token::Period {
                self.p.next_token();
                self.p.next_token();
                schema = Some(fold_ident(&w.value, w.quote_style.is_some()));
            }
        }
        let name = self.operator_symbol()?;
        Ok(QName { schema, name })
    }

    /// A commutator or negator: `===` or `OPERATOR(schema.===)`.
    pub(super) fn operator_arg(&mut self) -> PResult<QName> {
        if self.peek_kw("OPERATOR") && self.peek_nth_is(1, &Token::LParen) {
            self.p.next_token();
            self.p.next_token();
            let q = self.operator_qname()?;
            self.expect(&Token::RParen)?;
            return Ok(q);
        }
        let name = self.operator_symbol()?;
        Ok(QName { schema: None, name })
    }

    /// A function named in an option: `f`, `schema.f` or `'f'`.
    fn function_arg(&mut self) -> PResult<QName> {
        if let Token::SingleQuotedString(s) = self.peek().token {
            self.p.next_token();
            return Ok(QName {
                schema: None,
                name: s,
            });
        }
        self.qname()
    }

    /// `name (left, right)` with `NONE` for a missing left operand.
    pub(super) fn operator_ref(&mut self) -> PResult<OperatorRef> {
        let name = self.operator_qname()?;
        self.expect(&Token::LParen)?;
        let left = if self.eat_kw("NONE") {
            None
        } else {
            Some(self.data_type()?.0)
        };
        self.expect(&Token::Comma)?;
        if self.peek_kw("NONE") {
            return Err(self
                .err_here("postfix operators are not supported")
                .with_help("PostgreSQL 15 has prefix and infix operators only"));
        }
        let right = self.data_type()?.0;
        self.expect(&Token::RParen)?;
        Ok(OperatorRef { name, left, right })
    }

    /// After `CREATE OPERATOR`.
    pub(super) fn create_operator(&mut self) -> PResult<Stmt> {
        let name = self.operator_qname()?;
        self.expect(&Token::LParen)?;
        let mut def = OperatorDef::default();
        loop {
            let at = self.peek();
            let option = match &at.token {
                Token::Word(w) => w.value.to_ascii_lowercase(),
                _ => return Err(self.expected("an operator option")),
            };
            self.p.next_token();
            let has_value = self.eat(&Token::Eq);
            let need = |c: &Self| -> PResult<()> {
                if has_value {
                    Ok(())
                } else {
                    Err(c.err_here(format!("{} requires a parameter", option)))
                }
            };
            match option.as_str() {
                "function" | "procedure" => {
                    need(self)?;
                    def.function = Some(self.function_arg()?);
                }
                "leftarg" => {
                    need(self)?;
                    def.left = Some(self.data_type()?.0);
                }
                "rightarg" => {
                    need(self)?;
                    def.right = Some(self.data_type()?.0);
                }
                "commutator" => {
                    need(self)?;
                    def.commutator = Some(self.operator_arg()?);
                }
                "negator" => {
                    need(self)?;
                    def.negator = Some(self.operator_arg()?);
                }
                "restrict" => {
                    need(self)?;
                    def.restrict = Some(self.function_arg()?);
                }
                "join" => {
                    need(self)?;
                    def.join = Some(self.function_arg()?);
                }
                "hashes" | "merges" => {
                    let on = if has_value { self.boolean_arg()? } else { true };
                    if option == "hashes" {
                        def.hashes = on;
                    } else {
                        def.merges = on;
                    }
                }
                "sort1" | "sort2" | "ltcmp" | "gtcmp" => {
                    let mut e = self.err_here(format!(
                        "the obsolete operator option {} is not supported",
                        option.to_uppercase()
                    ));
                    e.offset = self.offset_of(&at);
                    return Err(e.with_help(
                        "write MERGES instead (PostgreSQL takes SORT1, SORT2, LTCMP and GTCMP \
                         to mean MERGES and ignores the operators they name)",
                    ));
                }
                _ => {
                    // The server warns "operator attribute … not
                    // recognized" and ignores it.
                    if has_value {
                        self.skip_option_value();
                    }
                }
            }
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.expect(&Token::RParen)?;
        if !self.at_end() {
            return Err(self.expected("the end of the statement"));
        }
        Ok(Stmt::CreateOperator {
            name,
            def: Box::new(def),
        })
    }

    /// `true`/`false`/`on`/`off`/`1`/`0` as `defGetBoolean` reads them.
    fn boolean_arg(&mut self) -> PResult<bool> {
        let t = self.peek().token;
        let v = match &t {
            Token::Word(w) => w.value.to_ascii_lowercase(),
            Token::SingleQuotedString(s) => s.to_ascii_lowercase(),
            Token::Number(n, _) => n.clone(),
            _ => String::new(),
        };
        let b = match v.as_str() {
            "true" | "on" | "1" => true,
            "false" | "off" | "0" => false,
            _ => return Err(self.expected("a Boolean value")),
        };
        self.p.next_token();
        Ok(b)
    }

    /// Skips one option value (up to the next comma or the closing
    /// parenthesis at this level).
    fn skip_option_value(&mut self) {
        let mut depth = 0;
        while !self.at_end() {
            match self.peek().token {
                Token::LParen => depth += 1,
                Token::RParen if depth == 0 => break,
                Token::RParen => depth -= 1,
                Token::Comma if depth == 0 => break,
                _ => {}
            }
            self.p.next_token();
        }
    }

    /// After `ALTER OPERATOR`.
    pub(super) fn alter_operator(&mut self) -> PResult<Stmt> {
        let target = self.operator_ref()?;
        let action = if self.eat_kws(&["OWNER", "TO"]) {
            AlterOperatorAction::Owner(self.role_spec()?)
        } else if self.eat_kws(&["SET", "SCHEMA"]) {
            AlterOperatorAction::SetSchema(self.ident()?)
        } else if self.eat_kw("SET") {
            self.expect(&Token::LParen)?;
            let (mut restrict, mut join) = (None, None);
            loop {
                let at = self.peek();
                let option = match &at.token {
                    Token::Word(w) => w.value.to_ascii_lowercase(),
                    _ => return Err(self.expected("RESTRICT or JOIN")),
                };
                if option != "restrict" && option != "join" {
                    return Err(self
                        .err_here(format!("operator attribute \"{option}\" cannot be changed"))
                        .with_help(
                            "PostgreSQL 15 changes only RESTRICT and JOIN of an operator; \
                             drop it and create it again",
                        ));
                }
                self.p.next_token();
                let value = if self.eat(&Token::Eq) {
                    if self.eat_kw("NONE") {
                        None
                    } else {
                        Some(self.function_arg()?)
                    }
                } else {
                    None
                };
                if option == "restrict" {
                    restrict = Some(value);
                } else {
                    join = Some(value);
                }
                if !self.eat(&Token::Comma) {
                    break;
                }
            }
            self.expect(&Token::RParen)?;
            AlterOperatorAction::Set { restrict, join }
        } else {
            return Err(self.expected("SET (…), SET SCHEMA or OWNER TO"));
        };
        if !self.at_end() {
            return Err(self.expected("the end of the statement"));
        }
        Ok(Stmt::AlterOperator { target, action })
    }

    /// After `DROP OPERATOR`.
    pub(super) fn drop_operator(&mut self) -> PResult<Stmt> {
        let if_exists = self.if_exists();
        let mut targets = vec![self.operator_ref()?];
        while self.eat(&Token::Comma) {
            targets.push(self.operator_ref()?);
        }
        let cascade = self.cascade();
        if !self.at_end() {
            return Err(self.expected("the end of the statement"));
        }
        Ok(Stmt::DropOperator {
            targets,
            if_exists,
            cascade,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::parse::{parse_statement, AlterOperatorAction, Stmt};

    fn parse(sql: &str) -> Stmt {
        parse_statement(sql).unwrap_or_else(|e| panic!("{sql}: {e:?}"))
    }

    #[test]
    fn create_operator_reads_every_option() {
        let Stmt::CreateOperator { name, def } = parse(
            "CREATE OPERATOR public.~<< (FUNCTION = public.reverse_textregexeq, \
             LEFTARG = text, RIGHTARG = text, COMMUTATOR = OPERATOR(public.>>~), \
             NEGATOR = !~<<, RESTRICT = eqsel, JOIN = 'eqjoinsel', HASHES, MERGES = false)",
        ) else {
            panic!()
        };
        assert_eq!(name.schema.as_deref(), Some("public"));
        assert_eq!(name.name, "~<<");
        assert_eq!(def.function.unwrap().name, "reverse_textregexeq");
        assert_eq!(def.left.as_deref(), Some("text"));
        assert_eq!(def.right.as_deref(), Some("text"));
        let c = def.commutator.unwrap();
        assert_eq!(
            (c.schema.as_deref(), c.name.as_str()),
            (Some("public"), ">>~")
        );
        assert_eq!(def.negator.unwrap().name, "!~<<");
        assert_eq!(def.restrict.unwrap().name, "eqsel");
        assert_eq!(def.join.unwrap().name, "eqjoinsel");
        assert!(def.hashes && !def.merges);
        let Stmt::CreateOperator { name, def } = parse(
            "CREATE OPERATOR !== (FUNCTION = f, LEFTARG = int, RIGHTARG = int, NEGATOR = ===)",
        ) else {
            panic!()
        };
        assert_eq!(
            (name.name.as_str(), def.negator.unwrap().name.as_str()),
            ("!==", "===")
        );
    }

    #[test]
    fn procedure_is_function_and_prefix_operators_have_no_left() {
        let Stmt::CreateOperator { def, .. } =
            parse("create operator @@ (rightarg = int, procedure = neg)")
        else {
            panic!()
        };
        assert_eq!(def.function.unwrap().name, "neg");
        assert_eq!(def.left, None);
        assert_eq!(def.right.as_deref(), Some("integer"));
    }

    #[test]
    fn obsolete_sort_options_are_refused_by_name() {
        let e = crate::parse::parse_statement(
            "CREATE OPERATOR === (FUNCTION = f, LEFTARG = int, RIGHTARG = int, SORT1 = <)",
        )
        .unwrap_err();
        assert!(e.message.contains("SORT1"), "{}", e.message);
    }

    #[test]
    fn postfix_operators_are_refused() {
        let e = crate::parse::parse_statement("DROP OPERATOR s.=== (integer, NONE)").unwrap_err();
        assert!(e.message.contains("postfix"), "{}", e.message);
    }

    #[test]
    fn alter_operator_set() {
        let Stmt::AlterOperator { target, action } =
            parse("ALTER OPERATOR s.=== (NONE, integer) SET (RESTRICT = eqsel, JOIN = NONE)")
        else {
            panic!()
        };
        assert_eq!(target.name.schema.as_deref(), Some("s"));
        assert_eq!(target.left, None);
        let AlterOperatorAction::Set { restrict, join } = action else {
            panic!()
        };
        assert_eq!(restrict.unwrap().unwrap().name, "eqsel");
        assert_eq!(join, Some(None));
        let e =
            crate::parse::parse_statement("ALTER OPERATOR === (int, int) SET (COMMUTATOR = ===)")
                .unwrap_err();
        assert!(
            e.message.contains("\"commutator\" cannot be changed"),
            "{}",
            e.message
        );
        let Stmt::DropOperator {
            targets,
            if_exists,
            cascade,
        } = parse("DROP OPERATOR IF EXISTS === (int, text), public.@@ (NONE, bigint) CASCADE")
        else {
            panic!()
        };
        assert!(if_exists && cascade);
        assert_eq!(targets.len(), 2);
        assert_eq!(targets[1].right, "bigint");
    }
}
