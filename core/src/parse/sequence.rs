//! Sequence options: CREATE / ALTER SEQUENCE and identity columns.

use sqlparser::tokenizer::Token;

use super::{Cursor, PResult, QName, SeqOptions};

impl<'a> Cursor<'a> {
    pub(super) fn seq_options(&mut self) -> PResult<SeqOptions> {
        self.seq_options_of(false)
    }

    /// Sequence options; `identity` for an identity column's, which may
    /// also say `SEQUENCE NAME`.
    fn seq_options_of(&mut self, identity: bool) -> PResult<SeqOptions> {
        let mut o = SeqOptions::default();
        loop {
            if self.eat_kw("AS") {
                let (t, _) = self.data_type()?;
                o.data_type = Some(t);
            } else if self.eat_kw("INCREMENT") {
                self.eat_kw("BY");
                o.increment = Some(self.number_i64()?);
            } else if self.eat_kw("MINVALUE") {
                o.min_value = Some(Some(self.number_i64()?));
            } else if self.eat_kw("MAXVALUE") {
                o.max_value = Some(Some(self.number_i64()?));
            } else if self.eat_kws(&["NO", "MINVALUE"]) {
                o.min_value = Some(None);
            } else if self.eat_kws(&["NO", "MAXVALUE"]) {
                o.max_value = Some(None);
            } else if self.eat_kws(&["NO", "CYCLE"]) {
                o.cycle = Some(false);
            } else if self.eat_kw("CYCLE") {
                o.cycle = Some(true);
            } else if self.eat_kw("START") {
                self.eat_kw("WITH");
                o.start = Some(self.number_i64()?);
            } else if self.eat_kw("RESTART") {
                o.restart = true;
                if self.eat_kw("WITH")
                    || matches!(self.peek().token, Token::Number(..) | Token::Minus)
                {
                    self.number_i64()?;
                }
            } else if self.eat_kw("CACHE") {
                o.cache = Some(self.number_i64()?);
            } else if self.eat_kws(&["OWNED", "BY"]) {
                if self.eat_kw("NONE") {
                    o.owned_by = Some(None);
                } else {
                    let q = self.qname_list_dotted()?;
                    o.owned_by = Some(Some(q));
                }
            } else if self.peek_kw("SEQUENCE") && self.peek_nth_kw(1, "NAME") {
                if !identity {
                    return Err(
                        self.err_here("SEQUENCE NAME is an option of identity columns only")
                    );
                }
                o.sequence_name_at = self.offset_of(&self.peek());
                self.eat_kws(&["SEQUENCE", "NAME"]);
                // Replay accepts it only where it names the sequence the
                // server would name without it.
                o.sequence_name = Some(self.qname()?);
            } else {
                break;
            }
        }
        Ok(o)
    }

    /// `[schema.]table.column`
    fn qname_list_dotted(&mut self) -> PResult<(QName, String)> {
        let mut parts = vec![self.ident()?];
        while self.eat(&Token::Period) {
            parts.push(self.ident()?);
        }
        match parts.len() {
            2 => Ok((
                QName {
                    schema: None,
                    name: parts[0].clone(),
                },
                parts[1].clone(),
            )),
            3 => Ok((
                QName {
                    schema: Some(parts[0].clone()),
                    name: parts[1].clone(),
                },
                parts[2].clone(),
            )),
            _ => Err(self.err_here("expected table.column")),
        }
    }

    pub(super) fn identity_options(&mut self) -> PResult<SeqOptions> {
        if self.eat(&Token::LParen) {
            if self.peek_kw("AS") {
                // The identity sequence takes the column's type.
                return Err(self
                    .err_here("a data type in identity sequence options is not supported yet")
                    .with_help("leave AS out: the sequence takes the column's type"));
            }
            let o = self.seq_options_of(true)?;
            if o.data_type.is_some() || o.owned_by.is_some() {
                return Err(self.err_here(
                    "AS and OWNED BY are not identity sequence options strata supports",
                ));
            }
            self.expect(&Token::RParen)?;
            Ok(o)
        } else {
            Ok(SeqOptions::default())
        }
    }
}

pub(super) fn merge_seq_options(into: &mut SeqOptions, o: SeqOptions) {
    into.data_type = o.data_type.or(into.data_type.take());
    into.start = o.start.or(into.start);
    into.increment = o.increment.or(into.increment);
    into.min_value = o.min_value.or(into.min_value);
    into.max_value = o.max_value.or(into.max_value);
    into.cache = o.cache.or(into.cache);
    into.cycle = o.cycle.or(into.cycle);
    into.restart |= o.restart;
}
