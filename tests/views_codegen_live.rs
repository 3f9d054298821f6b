//! Views and materialized views as typed, read-only models: `strata::schema!`
//! on `fixtures/views/schema.sql` gives each view a row type and `select()`
//! (no insert struct, no `INSERT`/`UPDATE`/`DELETE`). The types and the
//! nullability of each output column are derived offline from the view's
//! query; here the server answers the same rows for the generated
//! statement and for the same query written by hand, and the Rust types
//! are pinned by the bindings below (a wrong nullability would not
//! compile).

mod support;

use strata::runtime::Error;
use support::{psql_apply, TestDb};

mod views {
    strata::schema! {
        schema: "fixtures/views/schema.sql",
    }
}

use views::{author, best_posts, post, post_counts, scored};

fn ok<T>(r: Result<T, Error>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{what}: {e}"),
    }
}

#[tokio::test]
async fn views_read_as_typed_rows_with_the_nullability_their_query_gives() {
    let db = TestDb::create("views_codegen").await;
    let schema = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/views/schema.sql"
    ));
    if let Err(e) = psql_apply(&db.url, schema, true) {
        panic!("applying the schema: {e}");
    }
    let client = db.client().await;

    let ada = ok(
        author::AuthorTable::insert(author::NewAuthor::new("ada".to_string()))
            .returning()
            .fetch_one(&client)
            .await,
        "insert ada",
    );
    let bob = ok(
        author::AuthorTable::insert(author::NewAuthor::new("bob".to_string()))
            .returning()
            .fetch_one(&client)
            .await,
        "insert bob",
    );
    for (title, score) in [("first", Some(3)), ("second", None), ("third", Some(-1))] {
        let mut p = post::NewPost::new(ada.id, title.to_string());
        p.score = score;
        ok(
            post::PostTable::insert(p).execute(&client).await,
            "insert post",
        );
    }
    ok(
        client
            .batch_execute("REFRESH MATERIALIZED VIEW best_posts")
            .await
            .map_err(Error::from),
        "refresh",
    );

    // post_counts: count() is i64, max() an Option, the author's columns
    // plain values (bindings with explicit types pin the generated types).
    let counts = ok(
        post_counts::PostCountsTable::select()
            .order_by(post_counts::id.asc())
            .fetch_all(&client)
            .await,
        "select post_counts",
    );
    let by_hand = ok(
        client
            .query(
                "SELECT a.id, a.name, count(p.id), max(p.score) FROM author a LEFT JOIN post p ON p.author_id = a.id GROUP BY a.id, a.name ORDER BY a.id",
                &[],
            )
            .await
            .map_err(Error::from),
        "the same query by hand",
    );
    assert_eq!(counts.len(), by_hand.len());
    for (row, hand) in counts.iter().zip(&by_hand) {
        let id: i64 = row.id;
        let name: &String = &row.name;
        let posts: i64 = row.posts;
        let best: Option<i32> = row.best;
        assert_eq!(id, hand.get::<_, i64>(0));
        assert_eq!(name, &hand.get::<_, String>(1));
        assert_eq!(posts, hand.get::<_, i64>(2));
        assert_eq!(best, hand.get::<_, Option<i32>>(3));
    }
    assert_eq!(counts[0].posts, 3);
    assert_eq!(counts[1].id, bob.id);
    assert_eq!((counts[1].posts, counts[1].best), (0, None));

    // A filter on a view's column, and expressions: upper() of a NOT NULL
    // column is NOT NULL, score * 2 is not.
    let scored = ok(
        scored::ScoredTable::select()
            .filter(scored::double_score.gt(4))
            .fetch_all(&client)
            .await,
        "select scored",
    );
    assert_eq!(scored.len(), 1);
    let shout: &String = &scored[0].shout;
    let double: Option<i32> = scored[0].double_score;
    assert_eq!((shout.as_str(), double), ("FIRST", Some(6)));

    // A materialized view.
    let best = ok(
        best_posts::BestPostsTable::select()
            .fetch_all(&client)
            .await,
        "select best_posts",
    );
    let author_id: i64 = best[0].author_id;
    assert_eq!((author_id, best[0].best), (ada.id, Some(3)));
    assert_eq!(best.len(), 1);
}
