//! Tables: CREATE TABLE and its columns, storage parameters, ALTER TABLE
//! and its actions, ALTER COLUMN.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::Token;

use super::sequence::merge_seq_options;
use super::{
    BoundDatum, BoundSpec, ColumnDef, ColumnOp, ConstraintDef, CreateTable, Cursor, PResult,
    PartitionBound, SeqOptions, Stmt, TableAction,
};
use crate::model::{Expression, Identity};

impl<'a> Cursor<'a> {
    pub(super) fn create_table(&mut self, unlogged: bool) -> PResult<Stmt> {
        self.create_table_of(unlogged, false)
    }

    /// After `CREATE FOREIGN TABLE`: a table's grammar, then `SERVER s
    /// [OPTIONS (…)]`.
    pub(super) fn create_foreign_table(&mut self) -> PResult<Stmt> {
        self.create_table_of(false, true)
    }

    fn create_table_of(&mut self, unlogged: bool, foreign: bool) -> PResult<Stmt> {
        let if_not_exists = self.if_not_exists();
        let name = self.qname()?;
        if self.peek_kw("OF") {
            return Err(self
                .err_here("typed tables (CREATE TABLE … OF type) are not supported yet")
                .with_help("declare the table with its columns, or mark the statement with `-- strata:ignore` to skip it"));
        }
        let mut partition_of = None;
        let mut columns = Vec::new();
        let mut constraints = Vec::new();
        if self.eat_kws(&["PARTITION", "OF"]) {
            let parent = self.qname()?;
            if self.eat(&Token::LParen) {
                loop {
                    if self.peek_kw("CONSTRAINT")
                        || self.peek_kw("PRIMARY")
                        || self.peek_kw("UNIQUE")
                        || (self.peek_kw("CHECK") && self.peek_nth(1).token == Token::LParen)
                        || (self.peek_kw("FOREIGN") && self.peek_nth_kw(1, "KEY"))
                        || self.peek_kw("EXCLUDE")
                    {
                        constraints.push(self.table_constraint()?);
                    } else {
                        return Err(self
                            .err_here("column options in CREATE TABLE … PARTITION OF (…) are not supported yet")
                            .with_help("create the partition without them and set them with ALTER TABLE … ALTER COLUMN, or mark the statement with `-- strata:ignore` to skip it"));
                    }
                    if !self.eat(&Token::Comma) {
                        break;
                    }
                }
                self.expect(&Token::RParen)?;
            }
            let bound = self.partition_bound()?;
            partition_of = Some((parent, bound));
        } else if self.peek_kw("AS") {
            return Err(self
                .err_here("CREATE TABLE … AS is not supported")
                .with_help("declare the table with its columns instead"));
        }
        if partition_of.is_none() {
            self.expect(&Token::LParen)?;
        }
        if partition_of.is_none() && !self.eat(&Token::RParen) {
            loop {
                if self.peek_kw("CONSTRAINT")
                    || self.peek_kw("PRIMARY")
                    || (self.peek_kw("UNIQUE") && !matches!(self.peek_nth(1).token, Token::Word(_)))
                    || (self.peek_kw("UNIQUE")
                        && (self.peek_nth_kw(1, "NULLS") || self.peek_nth_kw(1, "USING")))
                    || (self.peek_kw("CHECK") && self.peek_nth(1).token == Token::LParen)
                    || (self.peek_kw("FOREIGN") && self.peek_nth_kw(1, "KEY"))
                    || (self.peek_kw("EXCLUDE")
                        && !matches!(self.peek_nth(1).token, Token::Word(ref w) if w.quote_style.is_none() && !w.value.eq_ignore_ascii_case("USING")))
                {
                    constraints.push(self.table_constraint()?);
                } else if self.peek_kw("LIKE") {
                    return Err(self
                        .err_here("CREATE TABLE … (LIKE …) is not supported")
                        .with_help("write the columns out"));
                } else {
                    columns.push(self.column_def()?);
                }
                if !self.eat(&Token::Comma) {
                    break;
                }
            }
            self.expect(&Token::RParen)?;
        }
        let mut inherits = Vec::new();
        if partition_of.is_none() && self.eat_kw("INHERITS") {
            self.expect(&Token::LParen)?;
            inherits = self.qname_list()?;
            self.expect(&Token::RParen)?;
        }
        if foreign {
            self.expect_kw("SERVER")?;
            let server = self.ident()?;
            let options = if self.peek_kw("OPTIONS") {
                self.create_generic_options()?
            } else {
                Vec::new()
            };
            return Ok(Stmt::CreateTable(CreateTable {
                name,
                if_not_exists,
                unlogged,
                partition_by: None,
                options: Vec::new(),
                columns,
                constraints,
                partition_of,
                inherits,
                foreign: Some((server, options)),
            }));
        }
        let mut partition_by = None;
        if self.eat_kws(&["PARTITION", "BY"]) {
            let strategy = match self.word_upper(0).as_deref() {
                Some(s @ ("RANGE" | "LIST" | "HASH")) => s.to_string(),
                _ => return Err(self.expected("RANGE, LIST or HASH")),
            };
            self.p.next_token();
            self.expect(&Token::LParen)?;
            let mut keys = Vec::new();
            loop {
                let e = self.index_elem()?;
                let mut k = match &e.key {
                    crate::model::IndexKeyExpr::Column(c) => crate::model::quote_ident(c),
                    crate::model::IndexKeyExpr::Expression(x) => format!("({x})"),
                };
                if let Some(c) = &e.collation {
                    k.push_str(&format!(" COLLATE {c}"));
                }
                if let Some(o) = &e.opclass {
                    k.push(' ');
                    k.push_str(o);
                }
                keys.push(k);
                if !self.eat(&Token::Comma) {
                    break;
                }
            }
            self.expect(&Token::RParen)?;
            partition_by = Some(format!("{strategy} ({})", keys.join(", ")));
        }
        let mut options = Vec::new();
        loop {
            if self.eat_kw("WITHOUT") {
                self.expect_kw("OIDS")?;
            } else if self.peek_kw("WITH") && self.peek_nth(1).token == Token::LParen {
                self.p.next_token();
                for (k, v) in self.rel_options()? {
                    // `oids=false` is accepted and means nothing since
                    // PostgreSQL 12.
                    if k == "oids" && matches!(v.as_str(), "false" | "off" | "0" | "no") {
                        continue;
                    }
                    options.push((k, v));
                }
            } else if self.peek_kw("USING") {
                if !self.peek_nth_kw(1, "heap") {
                    return Err(self
                        .err_here("table access methods other than heap are not supported yet")
                        .with_help("mark the statement with `-- strata:ignore` to skip it"));
                }
                self.p.next_token();
                self.ident()?;
            } else if self.eat_kw("TABLESPACE") {
                self.ident()?;
            } else {
                break;
            }
        }
        Ok(Stmt::CreateTable(CreateTable {
            name,
            if_not_exists,
            unlogged,
            partition_by,
            options,
            columns,
            constraints,
            partition_of,
            inherits,
            foreign: None,
        }))
    }

    /// `FOR VALUES IN (…) | FROM (…) TO (…) | WITH (MODULUS m, REMAINDER r)`
    /// or `DEFAULT`.
    pub(super) fn partition_bound(&mut self) -> PResult<PartitionBound> {
        let start = self.offset_of(&self.peek());
        let spec = if self.eat_kw("DEFAULT") {
            BoundSpec::Default
        } else {
            self.expect_kws(&["FOR", "VALUES"])?;
            if self.eat_kw("IN") {
                BoundSpec::In(self.bound_datums()?)
            } else if self.eat_kw("FROM") {
                let from = self.bound_datums()?;
                self.expect_kw("TO")?;
                let to = self.bound_datums()?;
                BoundSpec::Range { from, to }
            } else if self.eat_kw("WITH") {
                self.expect(&Token::LParen)?;
                let (mut modulus, mut remainder) = (None, None);
                loop {
                    let which = self.ident()?.to_ascii_lowercase();
                    let v = self.number_i64()?;
                    match which.as_str() {
                        "modulus" if modulus.is_none() => modulus = Some(v),
                        "remainder" if remainder.is_none() => remainder = Some(v),
                        "modulus" | "remainder" => {
                            return Err(self.err_here(format!(
                                "{which} for hash partition provided more than once"
                            )))
                        }
                        _ => {
                            return Err(self.err_here(format!(
                                "unrecognized hash partition bound specification \"{which}\""
                            )))
                        }
                    }
                    if !self.eat(&Token::Comma) {
                        break;
                    }
                }
                self.expect(&Token::RParen)?;
                let (Some(modulus), Some(remainder)) = (modulus, remainder) else {
                    return Err(
                        self.err_here("a hash partition bound needs both MODULUS and REMAINDER")
                    );
                };
                BoundSpec::Hash { modulus, remainder }
            } else {
                return Err(self.expected("IN, FROM or WITH"));
            }
        };
        Ok(PartitionBound {
            sql: self.written_since(start),
            spec,
        })
    }

    fn bound_datums(&mut self) -> PResult<Vec<BoundDatum>> {
        use sqlparser::ast::{Expr, UnaryOperator, Value};
        self.expect(&Token::LParen)?;
        let mut out = Vec::new();
        loop {
            let start = self.offset_of(&self.peek());
            let e = self.expr()?;
            let written = self.written_since(start);
            let d = match &e {
                Expr::Value(v) => match &v.value {
                    Value::SingleQuotedString(s) => BoundDatum::Text(s.clone()),
                    Value::Number(n, _) => BoundDatum::Number(n.to_string()),
                    Value::Boolean(b) => BoundDatum::Bool(*b),
                    Value::Null => BoundDatum::Null,
                    _ => BoundDatum::Other(written),
                },
                Expr::UnaryOp {
                    op: UnaryOperator::Minus,
                    expr,
                } => match expr.as_ref() {
                    Expr::Value(v) => match &v.value {
                        Value::Number(n, _) => BoundDatum::Number(format!("-{n}")),
                        _ => BoundDatum::Other(written),
                    },
                    _ => BoundDatum::Other(written),
                },
                Expr::Identifier(i) if i.quote_style.is_none() => {
                    match i.value.to_ascii_lowercase().as_str() {
                        "minvalue" => BoundDatum::MinValue,
                        "maxvalue" => BoundDatum::MaxValue,
                        _ => BoundDatum::Other(written),
                    }
                }
                _ => BoundDatum::Other(written),
            };
            out.push(d);
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.expect(&Token::RParen)?;
        Ok(out)
    }

    fn column_def(&mut self) -> PResult<ColumnDef> {
        let name = self.ident()?;
        let type_start = self.offset_of(&self.peek());
        let (data_type, serial) = self.data_type()?;
        let type_len = self.written_since(type_start).trim_end().len().max(1);
        let mut col = ColumnDef {
            name,
            data_type,
            serial,
            type_at: (type_start, type_len),
            collation: None,
            not_null: false,
            default: None,
            generated: None,
            identity: None,
            constraints: Vec::new(),
            fdw_options: Vec::new(),
        };
        // `OPTIONS (…)` follows the type (gram.y's columnDef).
        if self.peek_kw("OPTIONS") && self.peek_nth(1).token == Token::LParen {
            col.fdw_options = self.create_generic_options()?;
        }
        loop {
            let cname = if self.eat_kw("CONSTRAINT") {
                Some(self.ident()?)
            } else {
                None
            };
            if self.eat_kw("COLLATE") {
                col.collation = Some(self.collation_name()?);
            } else if self.eat_kws(&["NOT", "NULL"]) {
                col.not_null = true;
            } else if self.eat_kw("NULL") {
                col.not_null = false;
            } else if self.eat_kw("DEFAULT") {
                // PostgreSQL's b_expr: no IS / NOT / AND / OR at the top, so
                // `DEFAULT 'x' NOT NULL` ends the default before NOT.
                let prec = sqlparser::dialect::Dialect::prec_value(
                    &PostgreSqlDialect {},
                    sqlparser::dialect::Precedence::Is,
                );
                let start = self.offset_of(&self.peek());
                let e = self.p.parse_subexpr(prec).map_err(|e| self.sql_err(e))?;
                col.default = Some(Expression::written(
                    self.written_since(start),
                    e.to_string(),
                ));
            } else if self.eat_kw("GENERATED") {
                if self.eat_kw("ALWAYS") {
                    self.expect_kw("AS")?;
                    if self.eat_kw("IDENTITY") {
                        let opts = self.identity_options()?;
                        col.identity = Some((Identity::Always, opts));
                    } else {
                        let (e, _) = self.paren_expr()?;
                        self.expect_kw("STORED")?;
                        col.generated = Some(e);
                    }
                } else {
                    self.expect_kws(&["BY", "DEFAULT", "AS", "IDENTITY"])?;
                    let opts = self.identity_options()?;
                    col.identity = Some((Identity::ByDefault, opts));
                }
            } else if let Some(kind) = self.column_constraint(&col.name)? {
                let mut c = ConstraintDef {
                    name: cname,
                    kind,
                    deferrable: false,
                    initially_deferred: false,
                    not_valid: false,
                };
                self.constraint_attributes(&mut c)?;
                col.constraints.push(c);
            } else {
                if cname.is_some() {
                    return Err(self.expected("a constraint"));
                }
                break;
            }
        }
        Ok(col)
    }

    /// `(name [= value], …)` of `WITH (…)` / `SET (…)`: each value as
    /// PostgreSQL stores its text (`'50'` and `050` → `50`, a bare name →
    /// `true`, words folded to lower case).
    pub(super) fn rel_options(&mut self) -> PResult<Vec<(String, String)>> {
        self.expect(&Token::LParen)?;
        let mut out: Vec<(String, String)> = Vec::new();
        loop {
            if self.peek_nth_is(1, &Token::Period) {
                return Err(self
                    .err_here("storage parameters of the TOAST table (toast.…) are not supported yet")
                    .with_help("mark the statement with `-- strata:ignore` to skip it (the parameter will then be missing from the model)"));
            }
            let name = self.ident()?;
            let value = if self.eat(&Token::Eq) {
                self.option_value()?
            } else {
                "true".to_string()
            };
            out.push((name, value));
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.expect(&Token::RParen)?;
        Ok(out)
    }

    /// `(name, …)` of `RESET (…)`.
    pub(super) fn rel_option_names(&mut self) -> PResult<Vec<String>> {
        self.expect(&Token::LParen)?;
        let mut out = Vec::new();
        loop {
            if self.peek_nth_is(1, &Token::Period) {
                return Err(self
                    .err_here(
                        "storage parameters of the TOAST table (toast.…) are not supported yet",
                    )
                    .with_help("mark the statement with `-- strata:ignore` to skip it"));
            }
            out.push(self.ident()?);
            if self.peek_is(&Token::Eq) {
                return Err(self.err_here("RESET must not include values for parameters"));
            }
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.expect(&Token::RParen)?;
        Ok(out)
    }

    /// One storage parameter value, as the server stores its text.
    fn option_value(&mut self) -> PResult<String> {
        let tok = self.p.next_token().token;
        let number = |text: &str, negative: bool| -> String {
            let integer = !text.contains(['.', 'e', 'E']);
            match text.parse::<i64>() {
                Ok(n) if integer && i32::try_from(n).is_ok() => {
                    (if negative { -n } else { n }).to_string()
                }
                _ if negative => format!("-{text}"),
                _ => text.to_string(),
            }
        };
        match tok {
            Token::Number(text, _) => Ok(number(&text, false)),
            Token::Plus | Token::Minus => {
                let negative = tok == Token::Minus;
                match self.p.next_token().token {
                    Token::Number(text, _) => Ok(number(&text, negative)),
                    _ => {
                        self.p.prev_token();
                        Err(self.expected("a number"))
                    }
                }
            }
            Token::SingleQuotedString(v) => Ok(v),
            Token::Word(w) => {
                if self.peek_is(&Token::Period) {
                    return Err(self.err_here(
                        "a qualified name as a storage parameter value is not supported",
                    ));
                }
                Ok(if w.quote_style.is_some() {
                    w.value
                } else {
                    w.value.to_lowercase()
                })
            }
            _ => {
                self.p.prev_token();
                Err(self.expected("a storage parameter value"))
            }
        }
    }

    pub(super) fn alter_table(&mut self) -> PResult<Stmt> {
        self.alter_table_of(false)
    }

    /// After `ALTER FOREIGN TABLE`.
    pub(super) fn alter_foreign_table(&mut self) -> PResult<Stmt> {
        self.alter_table_of(true)
    }

    fn alter_table_of(&mut self, foreign: bool) -> PResult<Stmt> {
        let if_exists = self.if_exists();
        let only = self.eat_kw("ONLY");
        let name = self.qname()?;
        self.eat(&Token::Mul);
        let mut actions = Vec::new();
        // Single-action forms.
        if self.eat_kw("RENAME") {
            if self.eat_kw("TO") {
                actions.push(TableAction::RenameTo(self.ident()?));
            } else if self.eat_kw("CONSTRAINT") {
                let old = self.ident()?;
                self.expect_kw("TO")?;
                let new = self.ident()?;
                actions.push(TableAction::RenameConstraint { old, new });
            } else {
                self.eat_kw("COLUMN");
                let old = self.ident()?;
                self.expect_kw("TO")?;
                let new = self.ident()?;
                actions.push(TableAction::RenameColumn { old, new });
            }
            return Ok(Stmt::AlterTable {
                name,
                if_exists,
                only,
                foreign,
                actions,
            });
        }
        if self.eat_kws(&["SET", "SCHEMA"]) {
            actions.push(TableAction::SetSchema(self.ident()?));
            return Ok(Stmt::AlterTable {
                name,
                if_exists,
                only,
                foreign,
                actions,
            });
        }
        if self.eat_kws(&["ATTACH", "PARTITION"]) {
            let part = self.qname()?;
            let bound = self.partition_bound()?;
            return Ok(Stmt::AlterTable {
                name,
                if_exists,
                only,
                foreign,
                actions: vec![TableAction::AttachPartition { name: part, bound }],
            });
        }
        if self.eat_kws(&["DETACH", "PARTITION"]) {
            let part = self.qname()?;
            let concurrently = self.eat_kw("CONCURRENTLY");
            let finalize = !concurrently && self.eat_kw("FINALIZE");
            return Ok(Stmt::AlterTable {
                name,
                if_exists,
                only,
                foreign,
                actions: vec![TableAction::DetachPartition {
                    name: part,
                    concurrently,
                    finalize,
                }],
            });
        }
        loop {
            actions.push(self.table_action()?);
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        Ok(Stmt::AlterTable {
            name,
            if_exists,
            only,
            foreign,
            actions,
        })
    }

    fn table_action(&mut self) -> PResult<TableAction> {
        if self.eat_kw("ADD") {
            if self.peek_kw("CONSTRAINT")
                || self.peek_kw("PRIMARY")
                || self.peek_kw("UNIQUE")
                || (self.peek_kw("CHECK") && self.peek_nth(1).token == Token::LParen)
                || (self.peek_kw("FOREIGN") && self.peek_nth_kw(1, "KEY"))
                || (self.peek_kw("EXCLUDE") && !self.peek_nth_kw(1, "text"))
            {
                return Ok(TableAction::AddConstraint(self.table_constraint()?));
            }
            self.eat_kw("COLUMN");
            let if_not_exists = self.if_not_exists();
            let column = Box::new(self.column_def()?);
            return Ok(TableAction::AddColumn {
                if_not_exists,
                column,
            });
        }
        if self.eat_kw("DROP") {
            if self.eat_kw("CONSTRAINT") {
                let if_exists = self.if_exists();
                let name = self.ident()?;
                let cascade = self.cascade();
                return Ok(TableAction::DropConstraint {
                    name,
                    if_exists,
                    cascade,
                });
            }
            self.eat_kw("COLUMN");
            let if_exists = self.if_exists();
            let name = self.ident()?;
            let cascade = self.cascade();
            return Ok(TableAction::DropColumn {
                name,
                if_exists,
                cascade,
            });
        }
        if self.eat_kw("ALTER") {
            self.eat_kw("COLUMN");
            let name = self.ident()?;
            let op = self.column_op()?;
            return Ok(TableAction::AlterColumn { name, op });
        }
        if self.peek_kw("OPTIONS") && self.peek_nth(1).token == Token::LParen {
            return Ok(TableAction::FdwOptions(self.alter_generic_options()?));
        }
        if self.eat_kws(&["VALIDATE", "CONSTRAINT"]) {
            return Ok(TableAction::ValidateConstraint(self.ident()?));
        }
        if self.eat_kws(&["ENABLE", "ROW", "LEVEL", "SECURITY"]) {
            return Ok(TableAction::RowLevelSecurity(true));
        }
        if self.eat_kws(&["DISABLE", "ROW", "LEVEL", "SECURITY"]) {
            return Ok(TableAction::RowLevelSecurity(false));
        }
        if self.eat_kws(&["FORCE", "ROW", "LEVEL", "SECURITY"]) {
            return Ok(TableAction::ForceRowLevelSecurity(true));
        }
        if self.eat_kws(&["NO", "INHERIT"]) {
            return Ok(TableAction::NoInherit(self.qname()?));
        }
        if self.eat_kw("INHERIT") {
            return Ok(TableAction::Inherit(self.qname()?));
        }
        if self.eat_kws(&["NO", "FORCE", "ROW", "LEVEL", "SECURITY"]) {
            return Ok(TableAction::ForceRowLevelSecurity(false));
        }
        if self.eat_kws(&["SET", "LOGGED"]) {
            return Ok(TableAction::SetLogged(true));
        }
        if self.eat_kws(&["SET", "UNLOGGED"]) {
            return Ok(TableAction::SetLogged(false));
        }
        if self.eat_kws(&["OWNER", "TO"]) {
            return Ok(TableAction::Owner(self.role_spec()?));
        }
        if self.peek_kw("SET") && self.peek_nth(1).token == Token::LParen {
            self.p.next_token();
            return Ok(TableAction::SetOptions(self.rel_options()?));
        }
        if self.eat_kw("RESET") {
            return Ok(TableAction::ResetOptions(self.rel_option_names()?));
        }
        if self.peek_kw("SET") && self.peek_nth_kw(1, "WITHOUT") && self.peek_nth_kw(2, "CLUSTER") {
            self.p.next_token();
            return Err(self
                .err_here("SET WITHOUT CLUSTER is not supported yet (the clustered index is not modelled)")
                .with_help("mark the statement with `-- strata:ignore` to skip it"));
        }
        if self.peek_kw("SET") && self.peek_nth_kw(1, "ACCESS") {
            self.p.next_token();
            return Err(self
                .err_here("SET ACCESS METHOD is not supported yet (table access methods are not modelled)")
                .with_help("mark the statement with `-- strata:ignore` to skip it"));
        }
        if self.peek_kw("SET")
            && (self.peek_nth_kw(1, "TABLESPACE") || self.peek_nth_kw(1, "WITHOUT"))
        {
            self.p.next_token();
            self.p.next_token();
            if !self.peek_is(&Token::Comma) && !self.at_end() {
                self.p.next_token();
            }
            return Ok(TableAction::NoOp("SET"));
        }
        if self.peek_kws(&["CLUSTER", "ON"]) {
            return Err(self
                .err_here("CLUSTER ON is not supported yet (the clustered index is not modelled)")
                .with_help("mark the statement with `-- strata:ignore` to skip it (the table will then differ from the model in which index it is clustered on)"));
        }
        if self.peek_kws(&["REPLICA", "IDENTITY"]) {
            if self.peek_nth_kw(2, "DEFAULT") {
                // Every table strata accepts has the default replica
                // identity, so setting it again changes nothing.
                self.p.next_token();
                self.p.next_token();
                self.p.next_token();
                return Ok(TableAction::NoOp("REPLICA IDENTITY DEFAULT"));
            }
            return Err(self
                .err_here("REPLICA IDENTITY other than DEFAULT is not supported yet")
                .with_help("mark the statement with `-- strata:ignore` to skip it"));
        }
        if let Some(a) = self.set_trigger_action()? {
            return Ok(a);
        }
        if let Some(a) = self.set_rule_action()? {
            return Ok(a);
        }
        let what = self.word_upper(0).unwrap_or_default();
        Err(self
            .err_here(format!("strata does not understand ALTER TABLE … {what}"))
            .with_help(
                "if this changes nothing strata models, mark the statement with `-- strata:ignore`",
            ))
    }

    fn column_op(&mut self) -> PResult<ColumnOp> {
        if self.peek_kw("OPTIONS") && self.peek_nth(1).token == Token::LParen {
            return Ok(ColumnOp::FdwOptions(self.alter_generic_options()?));
        }
        if self.eat_kws(&["SET", "DATA", "TYPE"]) || self.eat_kw("TYPE") {
            let (data_type, serial) = self.data_type()?;
            if serial {
                return Err(self.err_here("type serial does not exist (serial is only a shorthand in CREATE TABLE / ADD COLUMN)"));
            }
            let collation = if self.eat_kw("COLLATE") {
                Some(self.collation_name()?)
            } else {
                None
            };
            let using = if self.eat_kw("USING") {
                self.expr()?;
                true
            } else {
                false
            };
            return Ok(ColumnOp::SetType {
                data_type,
                collation,
                using,
            });
        }
        if self.eat_kws(&["SET", "DEFAULT"]) {
            let (_, e) = self.written_expr()?;
            return Ok(ColumnOp::SetDefault(e));
        }
        if self.eat_kws(&["DROP", "DEFAULT"]) {
            return Ok(ColumnOp::DropDefault);
        }
        if self.eat_kws(&["SET", "NOT", "NULL"]) {
            return Ok(ColumnOp::SetNotNull);
        }
        if self.eat_kws(&["DROP", "NOT", "NULL"]) {
            return Ok(ColumnOp::DropNotNull);
        }
        if self.eat_kws(&["DROP", "EXPRESSION"]) {
            let if_exists = self.if_exists();
            return Ok(ColumnOp::DropExpression { if_exists });
        }
        if self.eat_kws(&["SET", "EXPRESSION", "AS"]) {
            let (e, _) = self.paren_expr()?;
            return Ok(ColumnOp::SetExpression(e));
        }
        if self.eat_kws(&["DROP", "IDENTITY"]) {
            let if_exists = self.if_exists();
            return Ok(ColumnOp::DropIdentity { if_exists });
        }
        if self.eat_kw("ADD") {
            self.expect_kw("GENERATED")?;
            let kind = if self.eat_kw("ALWAYS") {
                Identity::Always
            } else {
                self.expect_kws(&["BY", "DEFAULT"])?;
                Identity::ByDefault
            };
            self.expect_kws(&["AS", "IDENTITY"])?;
            let opts = self.identity_options()?;
            return Ok(ColumnOp::AddIdentity(kind, opts));
        }
        if self.peek_kw("SET") && self.peek_nth_kw(1, "GENERATED")
            || self.peek_kw("RESTART")
            || (self.peek_kw("SET")
                && matches!(
                    self.word_upper(1).as_deref(),
                    Some(
                        "INCREMENT" | "START" | "MINVALUE" | "MAXVALUE" | "NO" | "CYCLE" | "CACHE"
                    )
                ))
        {
            let mut kind = None;
            let mut opts = SeqOptions::default();
            loop {
                if self.eat_kws(&["SET", "GENERATED"]) {
                    kind = Some(if self.eat_kw("ALWAYS") {
                        Identity::Always
                    } else {
                        self.expect_kws(&["BY", "DEFAULT"])?;
                        Identity::ByDefault
                    });
                } else if self.eat_kw("RESTART") {
                    // RESTART changes data, not schema.
                    opts.restart = true;
                    if self.eat_kw("WITH")
                        || matches!(self.peek().token, Token::Number(..) | Token::Minus)
                    {
                        self.number_i64()?;
                    }
                } else if self.eat_kw("SET") {
                    if self.peek_kw("AS") || self.peek_kws(&["OWNED", "BY"]) {
                        return Err(self.expected("an identity sequence option"));
                    }
                    let o = self.seq_options()?;
                    merge_seq_options(&mut opts, o);
                } else {
                    break;
                }
            }
            return Ok(ColumnOp::SetIdentity(kind, opts));
        }
        if self.eat_kws(&["SET", "STATISTICS"]) {
            let n = self.number_i64()?;
            let n = i32::try_from(n.clamp(-2, 10_000)).unwrap_or(-2);
            return Ok(ColumnOp::SetStatistics(n));
        }
        if self.peek_kws(&["SET", "STORAGE"]) || self.peek_kws(&["SET", "COMPRESSION"]) {
            let what = if self.peek_nth_kw(1, "STORAGE") {
                "SET STORAGE"
            } else {
                "SET COMPRESSION"
            };
            return Err(self
                .err_here(format!("ALTER COLUMN … {what} is not supported yet"))
                .with_help("mark the statement with `-- strata:ignore` to skip it (the column will then differ from the model)"));
        }
        if self.peek_kw("SET") && self.peek_nth(1).token == Token::LParen || self.peek_kw("RESET") {
            return Err(self
                .err_here("column attribute options (ALTER COLUMN … SET (n_distinct = …) / RESET) are not supported yet")
                .with_help("mark the statement with `-- strata:ignore` to skip it"));
        }
        let what = self.word_upper(0).unwrap_or_default();
        Err(self.err_here(format!("strata does not understand ALTER COLUMN … {what}")))
    }
}
