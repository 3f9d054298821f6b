//! `CREATE [OR REPLACE] AGGREGATE` (both syntaxes, ordered-set ones),
//! `ALTER AGGREGATE`, `DROP AGGREGATE` and aggregate signatures
//! (PostgreSQL's `aggregatecmds.c`).

use sqlparser::tokenizer::Token;

use super::{AggregateDef, AggregateRef, AlterAggregateAction, Cursor, PResult, QName, Stmt};

/// Arguments (name when given, type) and the number of direct ones of an
/// ordered-set aggregate.
type AggregateArgs = (Vec<(Option<String>, String)>, Option<usize>);

impl<'a> Cursor<'a> {
    /// One argument: `[IN] [name] type`.
    fn aggregate_arg(&mut self) -> PResult<(Option<String>, String)> {
        if self.peek_kw("VARIADIC") {
            return Err(self
                .err_here("a VARIADIC aggregate argument is not supported yet")
                .with_help(
                    "strata keeps aggregates by definition and does not model VARIADIC arguments",
                ));
        }
        if self.peek_kw("IN") && !matches!(self.peek_nth(1).token, Token::Comma | Token::RParen) {
            self.p.next_token();
        }
        let start = self.peek();
        let ends =
            |c: &Self| c.peek_is(&Token::Comma) || c.peek_is(&Token::RParen) || c.peek_kw("ORDER");
        if let Token::Word(_) = start.token {
            if let Ok((t, _)) = self.data_type() {
                if ends(self) {
                    return Ok((None, t));
                }
            }
            let mut guard = 0;
            while self.peek().span != start.span && guard < 64 {
                self.p.prev_token();
                guard += 1;
            }
            let name = self.ident()?;
            let t = self.data_type()?.0;
            return Ok((Some(name), t));
        }
        Ok((None, self.data_type()?.0))
    }

    fn aggregate_arg_run(&mut self) -> PResult<Vec<(Option<String>, String)>> {
        let mut v = vec![self.aggregate_arg()?];
        while self.eat(&Token::Comma) {
            v.push(self.aggregate_arg()?);
        }
        Ok(v)
    }

    /// `(*)`, `(args)`, `(args ORDER BY args)`, `(ORDER BY args)`:
    /// (arguments, number of direct arguments of an ordered-set one).
    pub(super) fn aggregate_args(&mut self) -> PResult<AggregateArgs> {
        self.expect(&Token::LParen)?;
        if self.eat(&Token::Mul) {
            self.expect(&Token::RParen)?;
            return Ok((Vec::new(), None));
        }
        let mut args = Vec::new();
        let mut direct = None;
        if !self.peek_kws(&["ORDER", "BY"]) {
            args = self.aggregate_arg_run()?;
        }
        if self.eat_kws(&["ORDER", "BY"]) {
            direct = Some(args.len());
            args.extend(self.aggregate_arg_run()?);
        }
        self.expect(&Token::RParen)?;
        Ok((args, direct))
    }

    /// `name (args)` in DROP / ALTER / COMMENT.
    pub(super) fn aggregate_ref(&mut self) -> PResult<AggregateRef> {
        let name = self.qname()?;
        let (args, direct_args) = self.aggregate_args()?;
        Ok(AggregateRef {
            name,
            types: args.into_iter().map(|(_, t)| t).collect(),
            direct_args,
        })
    }

    /// An option's value as text: a name, a number or a string.
    fn option_text(&mut self) -> PResult<String> {
        let t = self.peek().token;
        let v = match &t {
            Token::SingleQuotedString(s) => s.clone(),
            Token::Number(n, _) => n.clone(),
            Token::Minus => {
                self.p.next_token();
                if let Token::Number(n, _) = self.peek().token {
                    format!("-{n}")
                } else {
                    return Err(self.expected("a number"));
                }
            }
            Token::Word(w) => w.value.clone(),
            _ => return Err(self.expected("a value")),
        };
        self.p.next_token();
        Ok(v)
    }

    fn function_name_arg(&mut self) -> PResult<QName> {
        if let Token::SingleQuotedString(s) = self.peek().token {
            self.p.next_token();
            return Ok(QName {
                schema: None,
                name: s,
            });
        }
        self.qname()
    }

    fn modify_arg(&mut self) -> PResult<char> {
        let v = self.option_text()?.to_ascii_lowercase();
        Ok(match v.as_str() {
            "read_only" => 'r',
            "shareable" => 's',
            "read_write" => 'w',
            _ => {
                return Err(self.err_here(format!(
                    "parameter \"finalfunc_modify\" must be READ_ONLY, SHAREABLE, or READ_WRITE (found {v})"
                )))
            }
        })
    }

    /// After `CREATE [OR REPLACE] AGGREGATE`.
    pub(super) fn create_aggregate(&mut self, or_replace: bool) -> PResult<Stmt> {
        let name = self.qname()?;
        // The old syntax: `name (BASETYPE = t, …)`; the new one `name (args) (…)`.
        let old = self.peek_is(&Token::LParen)
            && matches!(self.peek_nth(1).token, Token::Word(_))
            && self.peek_nth_is(2, &Token::Eq);
        let (mut args, direct_args) = if old {
            (Vec::new(), None)
        } else {
            self.aggregate_args()?
        };
        self.expect(&Token::LParen)?;
        let mut def = AggregateDef::default();
        let mut basetype = None;
        loop {
            let option = match self.peek().token {
                Token::Word(w) => w.value.to_ascii_lowercase(),
                _ => return Err(self.expected("an aggregate option")),
            };
            self.p.next_token();
            let has_value = self.eat(&Token::Eq);
            let need = |c: &Self| -> PResult<()> {
                if has_value {
                    Ok(())
                } else {
                    Err(c.err_here(format!("aggregate {option} requires a parameter")))
                }
            };
            match option.as_str() {
                "sfunc" | "sfunc1" => {
                    need(self)?;
                    def.sfunc = Some(self.function_name_arg()?);
                }
                "stype" | "stype1" => {
                    need(self)?;
                    def.stype = Some(self.data_type()?.0);
                }
                "sspace" => {
                    need(self)?;
                    def.sspace = self
                        .option_text()?
                        .parse()
                        .map_err(|_| self.err_here("SSPACE must be an integer"))?;
                }
                "finalfunc" => {
                    need(self)?;
                    def.finalfunc = Some(self.function_name_arg()?);
                }
                "finalfunc_extra" => def.finalfunc_extra = true,
                "finalfunc_modify" => {
                    need(self)?;
                    def.finalfunc_modify = Some(self.modify_arg()?);
                }
                "combinefunc" => {
                    need(self)?;
                    def.combinefunc = Some(self.function_name_arg()?);
                }
                "serialfunc" => {
                    need(self)?;
                    def.serialfunc = Some(self.function_name_arg()?);
                }
                "deserialfunc" => {
                    need(self)?;
                    def.deserialfunc = Some(self.function_name_arg()?);
                }
                "initcond" | "initcond1" => {
                    need(self)?;
                    def.initcond = Some(self.option_text()?);
                }
                "msfunc" => {
                    need(self)?;
                    def.msfunc = Some(self.function_name_arg()?);
                }
                "minvfunc" => {
                    need(self)?;
                    def.minvfunc = Some(self.function_name_arg()?);
                }
                "mstype" => {
                    need(self)?;
                    def.mstype = Some(self.data_type()?.0);
                }
                "msspace" => {
                    need(self)?;
                    def.msspace = self
                        .option_text()?
                        .parse()
                        .map_err(|_| self.err_here("MSSPACE must be an integer"))?;
                }
                "mfinalfunc" => {
                    need(self)?;
                    def.mfinalfunc = Some(self.function_name_arg()?);
                }
                "mfinalfunc_extra" => def.mfinalfunc_extra = true,
                "mfinalfunc_modify" => {
                    need(self)?;
                    def.mfinalfunc_modify = Some(self.modify_arg()?);
                }
                "minitcond" => {
                    need(self)?;
                    def.minitcond = Some(self.option_text()?);
                }
                "sortop" => {
                    need(self)?;
                    def.sortop = Some(self.operator_arg()?);
                }
                "parallel" => {
                    need(self)?;
                    let v = self.option_text()?.to_ascii_lowercase();
                    def.parallel = Some(match v.as_str() {
                        "safe" => crate::model::Parallel::Safe,
                        "restricted" => crate::model::Parallel::Restricted,
                        "unsafe" => crate::model::Parallel::Unsafe,
                        _ => return Err(self.err_here(format!("parameter \"parallel\" must be SAFE, RESTRICTED, or UNSAFE (found {v})"))),
                    });
                }
                "hypothetical" => def.hypothetical = true,
                "basetype" if old => {
                    need(self)?;
                    basetype = Some(self.data_type()?.0);
                }
                _ => {
                    return Err(
                        self.err_here(format!("aggregate attribute \"{option}\" not recognized"))
                    );
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
        if old {
            match basetype.as_deref() {
                None | Some("any") | Some("\"any\"") => {}
                Some(t) => args.push((None, t.to_string())),
            }
        }
        def.args = args;
        def.direct_args = direct_args;
        Ok(Stmt::CreateAggregate {
            name,
            or_replace,
            def: Box::new(def),
        })
    }

    /// After `ALTER AGGREGATE`.
    pub(super) fn alter_aggregate(&mut self) -> PResult<Stmt> {
        let target = self.aggregate_ref()?;
        let action = if self.eat_kws(&["RENAME", "TO"]) {
            AlterAggregateAction::Rename(self.ident()?)
        } else if self.eat_kws(&["SET", "SCHEMA"]) {
            AlterAggregateAction::SetSchema(self.ident()?)
        } else if self.eat_kws(&["OWNER", "TO"]) {
            AlterAggregateAction::Owner(self.role_spec()?)
        } else {
            return Err(self.expected("RENAME TO, SET SCHEMA or OWNER TO"));
        };
        if !self.at_end() {
            return Err(self.expected("the end of the statement"));
        }
        Ok(Stmt::AlterAggregate { target, action })
    }

    /// After `DROP AGGREGATE`.
    pub(super) fn drop_aggregate(&mut self) -> PResult<Stmt> {
        let if_exists = self.if_exists();
        let mut targets = vec![self.aggregate_ref()?];
        while self.eat(&Token::Comma) {
            targets.push(self.aggregate_ref()?);
        }
        let cascade = self.cascade();
        Ok(Stmt::DropAggregate {
            targets,
            if_exists,
            cascade,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::parse::{parse_statement, Stmt};

    fn parse(sql: &str) -> Stmt {
        parse_statement(sql).unwrap_or_else(|e| panic!("{sql}: {e:?}"))
    }

    #[test]
    fn new_and_old_syntax() {
        let Stmt::CreateAggregate { name, or_replace, def } = parse(
            "CREATE OR REPLACE AGGREGATE s.mysum(x int) (SFUNC = sfunc, STYPE = int, INITCOND = 0, \
             PARALLEL = safe, FINALFUNC = fin, FINALFUNC_EXTRA, FINALFUNC_MODIFY = shareable, SORTOP = >)",
        ) else {
            panic!()
        };
        assert!(or_replace);
        assert_eq!(name.schema.as_deref(), Some("s"));
        assert_eq!(
            def.args,
            vec![(Some("x".to_string()), "integer".to_string())]
        );
        assert_eq!(def.initcond.as_deref(), Some("0"));
        assert_eq!(def.finalfunc_modify, Some('s'));
        assert!(def.finalfunc_extra);
        assert_eq!(def.sortop.unwrap().name, ">");
        let Stmt::CreateAggregate { def, .. } =
            parse("CREATE AGGREGATE old1 (BASETYPE = int, SFUNC = sfunc, STYPE = int)")
        else {
            panic!()
        };
        assert_eq!(def.args, vec![(None, "integer".to_string())]);
        let Stmt::CreateAggregate { def, .. } =
            parse("CREATE AGGREGATE cnt (BASETYPE = \"any\", SFUNC = int8inc, STYPE = int8, INITCOND = '0')")
        else {
            panic!()
        };
        assert!(def.args.is_empty());
    }

    #[test]
    fn ordered_set_and_star() {
        let Stmt::CreateAggregate { def, .. } = parse(
            "CREATE AGGREGATE pct(float8 ORDER BY float8) (SFUNC = ordered_set_transition, \
             STYPE = internal, FINALFUNC = percentile_disc_final, FINALFUNC_EXTRA, HYPOTHETICAL)",
        ) else {
            panic!()
        };
        assert_eq!(def.direct_args, Some(1));
        assert_eq!(def.args.len(), 2);
        assert!(def.hypothetical);
        let Stmt::DropAggregate { targets, .. } = parse(
            "DROP AGGREGATE IF EXISTS total(*), pct(double precision ORDER BY double precision)",
        ) else {
            panic!()
        };
        assert!(targets[0].types.is_empty() && targets[0].direct_args.is_none());
        assert_eq!(targets[1].direct_args, Some(1));
    }
}
