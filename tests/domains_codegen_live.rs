//! Domains as generated newtypes and composite types as generated structs:
//! `strata::schema!` on `fixtures/domains/schema.sql` (a domain over
//! `integer`, over `text` with a named check, over `text[]`, a `NOT NULL`
//! one in another schema, a domain over a domain; composite types over
//! built-in types and domains), read and written against the server.

mod support;

use strata::runtime::Error;
use support::{psql_apply, TestDb};

fn ok<T>(r: Result<T, Error>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{what}: {e}"),
    }
}

mod domains {
    strata::schema! {
        schema: "fixtures/domains/schema.sql",
    }
}

/// Domains become newtypes over their base type's Rust type (a domain over
/// a domain over the other's newtype): written as parameters the server
/// infers as the domain, read from rows (sent as the base type) and from
/// the records of a relation load (which carry the domain's oid), filtered
/// on, updated; the server checks the domain's constraints on write.
#[tokio::test]
async fn domains_read_and_write_through_their_newtypes() {
    use domains::billing::{Cents, MoneyAmount};
    use domains::{account, payment, Email, Point2, Posint, SmallPosint, Tags};

    let db = TestDb::create("domains_codegen").await;
    let schema = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/domains/schema.sql"
    ));
    if let Err(e) = psql_apply(&db.url, schema, true) {
        panic!("applying the schema: {e}");
    }
    let client = db.client().await;

    let mut a = account::NewAccount::new(Posint(7), Email("ada@example.com".to_string()));
    a.labels = Some(Tags(vec!["gold".to_string(), "early".to_string()]));
    a.balance = Some(Cents(1250));
    a.tier = Some(SmallPosint(Posint(3)));
    let home = Point2 {
        x: Some(1),
        y: None,
        label: Some(Email("home@example.com".to_string())),
    };
    a.home = Some(home.clone());
    let inserted = ok(
        account::AccountTable::insert(a)
            .returning()
            .fetch_one(&client)
            .await,
        "insert account",
    );
    assert_eq!(inserted.id, Posint(7));
    assert_eq!(inserted.backup, None);
    assert_eq!(inserted.tier, Some(SmallPosint(Posint(3))));
    assert_eq!(inserted.home, Some(home.clone()));
    for amount in [100, 250] {
        let p = payment::NewPayment {
            account_id: Posint(7),
            amount: Some(Cents(amount)),
            total: Some(MoneyAmount {
                currency: Some("EUR".to_string()),
                cents: Some(Cents(amount)),
            }),
        };
        ok(
            payment::PaymentTable::insert(p).execute(&client).await,
            "insert payment",
        );
    }

    // A filter on a domain column, an update of one.
    let found = ok(
        account::AccountTable::select()
            .filter(account::contact.eq(Email("ada@example.com".to_string())))
            .fetch_all(&client)
            .await,
        "filter on a domain",
    );
    assert_eq!(found, vec![inserted.clone()]);
    ok(
        account::AccountTable::update()
            .set(account::balance.to(Some(Cents(99))))
            .filter(account::id.eq(Posint(7)))
            .execute(&client)
            .await,
        "update a domain column",
    );
    let by_hand = ok(
        client
            .query_one(
                "SELECT balance::bigint, labels::text[], contact::text, (home).x, (home).y, (home).label::text FROM account WHERE id = 7",
                &[],
            )
            .await
            .map_err(Error::from),
        "read back by hand",
    );
    assert_eq!(by_hand.get::<_, i64>(0), 99);
    assert_eq!(
        by_hand.get::<_, Vec<String>>(1),
        vec!["gold".to_string(), "early".to_string()]
    );
    assert_eq!(by_hand.get::<_, String>(2), "ada@example.com");
    assert_eq!(by_hand.get::<_, Option<i32>>(3), Some(1));
    assert_eq!(by_hand.get::<_, Option<i32>>(4), None);
    assert_eq!(by_hand.get::<_, String>(5), "home@example.com");

    // A relation load: the payments come back as records whose fields
    // carry the domains' oids.
    let loaded = ok(
        account::AccountTable::select()
            .with(account::rel::payment)
            .fetch_all(&client)
            .await,
        "relation load",
    );
    assert_eq!(loaded.len(), 1);
    let (acct, payments) = &loaded[0];
    assert_eq!(acct.balance, Some(Cents(99)));
    let mut amounts: Vec<Option<Cents>> = payments.iter().map(|p| p.amount.clone()).collect();
    amounts.sort_by_key(|c| c.as_ref().map(|c| c.0));
    assert_eq!(amounts, vec![Some(Cents(100)), Some(Cents(250))]);
    assert!(payments.iter().all(|p| p.account_id == Posint(7)));
    assert!(payments.iter().all(|p| p
        .total
        .as_ref()
        .is_some_and(|t| t.currency.as_deref() == Some("EUR") && t.cents == p.amount)));

    // The server checks the domain: a value it refuses is its error.
    let refused = account::AccountTable::insert(account::NewAccount::new(
        Posint(8),
        Email("no-at-sign".to_string()),
    ))
    .execute(&client)
    .await;
    match refused {
        Err(e) => assert!(e.to_string().contains("has_at"), "{e}"),
        Ok(n) => panic!("the server took a value its domain refuses ({n} rows)"),
    }
}
