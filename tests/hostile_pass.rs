//! The committed models of the hostile fixture
//! (`tests/fixtures/hostile/generated.rs`, what `strata codegen` writes) and
//! `strata::schema!` on the same fixture both compile under
//! `#![deny(warnings)]`, and every generated type, column and enum variant
//! is named here and used; both write the same SQL. A test binary of its
//! own (one `schema!` per crate); see `hostile_identifiers.rs`.
#![deny(warnings)]

#[allow(dead_code)]
mod generated {
    include!("fixtures/hostile/generated.rs");
}

#[allow(dead_code)]
mod by_macro {
    strata::schema! {
        schema: "fixtures/hostile/schema.sql",
        migrations: "fixtures/hostile/migrations",
    }
}

/// Every item of one expansion, by name: the SQL of a statement per table
/// that lists every column, each column's SQL name, each label.
macro_rules! touch {
    ($m:ident) => {{
        use strata::runtime::PgEnum;
        let mut out: Vec<String> = Vec::new();

        // enum "order": every variant, its label, FromStr back.
        let order = [
            ($m::Order::ItS, "it's"),
            ($m::Order::_empty, ""),
            ($m::Order::BackSlash, "back\\slash"),
            ($m::Order::WithSpace, "with space"),
            ($m::Order::_u20_, " "),
            ($m::Order::Café, "café"),
            ($m::Order::日本語, "日本語"),
            ($m::Order::_u1f980_, "🦀"),
            ($m::Order::UPPER, "UPPER"),
            ($m::Order::upper, "upper"),
            ($m::Order::Self_, "self"),
            ($m::Order::_1st, "1st"),
            ($m::Order::AddedLater, "added later"),
        ];
        assert_eq!(order.len(), $m::Order::VARIANTS.len());
        assert_eq!(<$m::Order as PgEnum>::TYPE_NAME, "order");
        for (v, label) in order {
            assert_eq!(v.label(), label);
            assert_eq!(label.parse::<$m::Order>().ok(), Some(v));
            out.push(v.to_string());
        }
        let kinds = [
            ($m::hostile_schema_x::KindOfSelect::AB, "a'b"),
            ($m::hostile_schema_x::KindOfSelect::CD, "c\\d"),
            ($m::hostile_schema_x::KindOfSelect::EF, "e f"),
        ];
        assert_eq!(kinds.len(), $m::hostile_schema_x::KindOfSelect::VARIANTS.len());
        for (v, label) in kinds {
            assert_eq!(v.label(), label);
            out.push(v.to_string());
        }

        // "user": every column by its Rust name, with its SQL name.
        use $m::user;
        let columns = [
            (user::select.name(), "select"),
            (user::group.name(), "group"),
            (user::mixed_case.name(), "MixedCase"),
            (user::with_space.name(), "with space"),
            (user::quote_inside.name(), "quote\"inside"),
            (user::back_slash.name(), "back\\slash"),
            (user::dollar_sign.name(), "dollar$sign"),
            (user::leading.name(), "$leading"),
            (user::café.name(), "café"),
            (user::日本語.name(), "日本語"),
            (user::_u1f980_.name(), "🦀"),
            (user::r#type.name(), "type"),
            (user::self_.name(), "self"),
            (user::Self_.name(), "Self"),
            (user::crate_.name(), "crate"),
            (user::r.name(), "r#"),
            (user::r#fn.name(), "fn"),
            (user::r#async.name(), "async"),
            (user::Foo.name(), "Foo"),
            (user::foo.name(), "foo"),
            (user::_1st.name(), "1st"),
            (user::__.name(), "_"),
            (user::fooBar.name(), "fooBar"),
            (user::foo_bar.name(), "foo_bar"),
            (user::kind.name(), "kind"),
            (user::shout.name(), "shout"),
            (user::a日日日日日日日日日日日日日日日日日日日日bb.name(), "a日日日日日日日日日日日日日日日日日日日日bb"),
            (user::z日日日日日日日日日日日日日日日日日日日日.name(), "z日日日日日日日日日日日日日日日日日日日日"),
        ];
        for (rust, sql) in columns {
            assert_eq!(rust, sql);
        }
        assert_eq!(columns.len(), <user::UserTable as strata::runtime::Table>::COLUMNS.len());
        let row = user::NewUser {
            group: Some("g".to_string()),
            mixed_case: Some(1),
            with_space: None,
            quote_inside: None,
            back_slash: None,
            dollar_sign: None,
            leading: None,
            café: None,
            日本語: None,
            _u1f980_: None,
            r#type: None,
            self_: None,
            Self_: None,
            crate_: None,
            r: None,
            r#fn: None,
            r#async: None,
            Foo: None,
            foo: None,
            _1st: None,
            __: None,
            fooBar: None,
            foo_bar: None,
            kind: Some($m::Order::ItS),
            a日日日日日日日日日日日日日日日日日日日日bb: None,
            z日日日日日日日日日日日日日日日日日日日日: None,
        };
        let fields = |u: &user::User| {
            let user::User {
                select: _,
                group: _,
                mixed_case: _,
                with_space: _,
                quote_inside: _,
                back_slash: _,
                dollar_sign: _,
                leading: _,
                café: _,
                日本語: _,
                _u1f980_: _,
                r#type: _,
                self_: _,
                Self_: _,
                crate_: _,
                r: _,
                r#fn: _,
                r#async: _,
                Foo: _,
                foo: _,
                _1st: _,
                __: _,
                fooBar: _,
                foo_bar: _,
                kind: _,
                shout: _,
                a日日日日日日日日日日日日日日日日日日日日bb: _,
                z日日日日日日日日日日日日日日日日日日日日: _,
            } = u;
        };
        let _ = fields;
        out.push(
            user::UserTable::insert(row)
                .on_conflict(user::conflict::unique_mixed_case)
                .do_update([user::r#type.to_excluded(), user::Self_.to(Some("s".to_string()))])
                .sql(),
        );
        out.push(user::UserTable::insert(user::NewUser::new()).on_conflict(user::conflict::user_pkey_q).do_nothing().sql());
        out.push(user::UserTable::insert(user::NewUser::new()).on_conflict(user::conflict::日本語_idx).do_nothing().sql());
        out.push(
            user::UserTable::select()
                .filter(user::quote_inside.eq("it's \\ \"q\""))
                .filter(user::kind.eq($m::Order::_empty))
                .filter(user::日本語.like("%'%"))
                .order_by(user::__.desc())
                .sql(),
        );

        // "table", "MixedCase", the 63-byte and truncated tables, and the
        // hostile schema's "select".
        use $m::table;
        let t = table::NewTable {
            table: 1,
            user: 2,
            order: Some($m::Order::BackSlash),
            r#where: Some(None),
        };
        out.push(table::TableTable::insert(t).on_conflict(table::conflict::table_pkey).do_nothing().sql());
        out.push(
            table::TableTable::select()
                .filter(table::table.eq(1))
                .filter(table::user.eq(2i64))
                .filter(table::order.eq($m::Order::UPPER))
                .filter(table::r#where.is_null())
                .sql(),
        );
        let _ = |r: &table::Table| {
            let table::Table { table: _, user: _, order: _, r#where: _ } = r;
        };
        use $m::mixed_case;
        let m = mixed_case::NewMixedCase { id: 1, Foo: Some("F".into()), foo: Some("f".into()) };
        out.push(mixed_case::MixedCaseTable::insert(m).on_conflict(mixed_case::conflict::mixed_case_pkey).do_nothing().sql());
        out.push(mixed_case::MixedCaseTable::select().filter(mixed_case::Foo.eq("F")).filter(mixed_case::foo.eq("f")).filter(mixed_case::id.eq(1)).sql());
        let _ = |r: &mixed_case::MixedCase| {
            let mixed_case::MixedCase { id: _, Foo: _, foo: _ } = r;
        };
        use $m::t_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx as l63;
        out.push(l63::TXxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxTable::insert(l63::NewTXxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx::new(1)).on_conflict(l63::conflict::t_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx_pkey).do_nothing().sql());
        out.push(l63::TXxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxTable::select().filter(l63::t_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.eq(1)).sql());
        let _ = |r: &l63::TXxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx| {
            let l63::TXxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx { t_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx: _ } = r;
        };
        use $m::long_yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy as t70;
        out.push(t70::LongYyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyTable::insert(t70::NewLongYyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy { id: 1, ééééééééééééééééééééééééééééééé: None }).on_conflict(t70::conflict::long_yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy_pkey).do_nothing().sql());
        out.push(t70::LongYyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyTable::select().filter(t70::id.eq(1)).filter(t70::ééééééééééééééééééééééééééééééé.is_null()).sql());
        let _ = |r: &t70::LongYyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy| {
            let t70::LongYyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy { id: _, ééééééééééééééééééééééééééééééé: _ } = r;
        };
        use $m::hostile_schema_x::select;
        let s = select::NewSelect {
            from: Some($m::hostile_schema_x::KindOfSelect::CD),
            user: Some(1),
            note: Some("a'b".into()),
        };
        out.push(select::SelectTable::insert(s).on_conflict(select::conflict::select_pkey).do_nothing().sql());
        out.push(
            select::SelectTable::select()
                .filter(select::from.eq($m::hostile_schema_x::KindOfSelect::AB))
                .filter(select::user.eq(1i64))
                .filter(select::note.ne("x"))
                .sql(),
        );
        let _ = |r: &select::Select| {
            let select::Select { from: _, user: _, note: _ } = r;
        };
        out
    }};
}

#[test]
fn the_committed_models_and_the_macro_write_the_same_sql() {
    let a = touch!(generated);
    let b = touch!(by_macro);
    assert_eq!(a, b, "the committed file and the macro write the same SQL");
    assert!(
        a.iter().any(|s| s.contains("\"quote\"\"inside\"")),
        "{a:#?}"
    );
}
