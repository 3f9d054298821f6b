//! Objects strata keeps by name only (foreign tables, range types, triggers on them,
//! operators, …): their kind keywords and their names as the inspector
//! spells them.

use sqlparser::tokenizer::Token;

use super::{Cursor, PResult};

impl<'a> Cursor<'a> {
    /// The kind keyword of an object strata keeps by name (`VIEW`,
    /// `MATERIALIZED VIEW`, `FUNCTION`, …), consumed when present.
    pub(super) fn unmanaged_kind(&mut self) -> Option<crate::model::UnmanagedKind> {
        use crate::model::UnmanagedKind as K;
        const ONE: &[(&str, K)] = &[
            ("VIEW", K::View),
            ("FUNCTION", K::Function),
            ("PROCEDURE", K::Procedure),
            ("AGGREGATE", K::Aggregate),
            ("TRIGGER", K::Trigger),
            ("POLICY", K::Policy),
            ("DOMAIN", K::Domain),
        ];
        const TWO: &[([&str; 2], K)] = &[
            (["MATERIALIZED", "VIEW"], K::MaterializedView),
            (["EVENT", "TRIGGER"], K::EventTrigger),
        ];
        for (kws, kind) in TWO {
            if self.eat_kws(kws) {
                return Some(*kind);
            }
        }
        for (kw, kind) in ONE {
            if self.eat_kw(kw) {
                return Some(*kind);
            }
        }
        None
    }

    /// The name of an unmanaged object as the inspector spells it:
    /// `ns.name`, `ns.name(argtypes)` for routines, `ns.table.name` for
    /// triggers, policies and rules. Names are qualified with `public` when
    /// written without a schema; replay re-qualifies with the search path.
    pub(super) fn unmanaged_name(&mut self, kind: crate::model::UnmanagedKind) -> PResult<String> {
        use crate::model::UnmanagedKind as K;
        match kind {
            K::Trigger | K::Policy => {
                let name = self.ident()?;
                // Find `ON table`.
                while !self.at_end() && !self.peek_kw("ON") {
                    self.p.next_token();
                }
                self.expect_kw("ON")?;
                let table = self.qname()?;
                Ok(format!(
                    "{}.{}.{}",
                    crate::model::quote_ident(table.schema.as_deref().unwrap_or("public")),
                    crate::model::quote_ident(&table.name),
                    crate::model::quote_ident(&name)
                ))
            }
            K::EventTrigger => Ok(crate::model::quote_ident(&self.ident()?)),
            K::Function | K::Procedure | K::Aggregate => {
                let q = self.qname()?;
                let args = self.routine_args()?;
                Ok(format!(
                    "{}.{}({})",
                    crate::model::quote_ident(q.schema.as_deref().unwrap_or("public")),
                    crate::model::quote_ident(&q.name),
                    args.join(", ")
                ))
            }
            _ => {
                let q = self.qname()?;
                Ok(format!(
                    "{}.{}",
                    crate::model::quote_ident(q.schema.as_deref().unwrap_or("public")),
                    crate::model::quote_ident(&q.name)
                ))
            }
        }
    }

    /// Argument types of a routine signature `(a integer, OUT b text, …)`:
    /// input argument types only, as the signature keeps them.
    fn routine_args(&mut self) -> PResult<Vec<String>> {
        if !self.peek_is(&Token::LParen) {
            return Ok(Vec::new());
        }
        if matches!(self.peek_nth(1).token, Token::Mul) {
            // aggregate(*)
            self.expect(&Token::LParen)?;
            self.expect(&Token::Mul)?;
            self.expect(&Token::RParen)?;
            return Ok(Vec::new());
        }
        Ok(self
            .routine_arg_list(true)?
            .into_iter()
            .filter(|a| a.mode.is_input())
            .map(|a| a.data_type)
            .collect())
    }
}

pub(super) fn rename_last_part(name: &str, new: &str) -> String {
    // name is `ns.obj(args)` or `ns.table.obj`; replace obj.
    let (head, args) = match name.find('(') {
        Some(i) => (&name[..i], &name[i..]),
        None => (name, ""),
    };
    match head.rfind('.') {
        Some(i) => format!("{}.{}{}", &head[..i], crate::model::quote_ident(new), args),
        None => format!("{}{}", crate::model::quote_ident(new), args),
    }
}
