//! The client-side `format_type` of inspect against the server's: every
//! built-in type without a modifier, every modifier form of the types that
//! take one (and their arrays), user types in and out of `public`, quoted
//! names, `"char"`, domains — each compared with `format_type()` as the
//! server prints it with inspect's `search_path = public`. And the split
//! the columns query makes: the client answers exactly where the query's
//! condition does not ask the server.

use crate::support;

use strata::inspect::{client_format_type, SERVER_FORMATS_TYPE};
use support::{connect, psql_apply_sql, TestDb};

const FORMS: &str = r#"
CREATE SCHEMA other;
CREATE SCHEMA "Odd Schema";
CREATE TYPE other.mood AS ENUM ('sad', 'happy');
CREATE TYPE "Odd Schema"."Quoted Type" AS ENUM ('a');
CREATE TYPE public."user" AS ENUM ('x');
CREATE TYPE public.plain AS ENUM ('y');
CREATE DOMAIN public.money2 AS numeric(12,2);
CREATE DOMAIN other.short AS varchar(5);
CREATE DOMAIN "Odd Schema".stamp AS timestamp(3) with time zone;
CREATE TABLE forms (
    n0 numeric, n1 numeric(5), n2 numeric(12,2), n3 numeric(1000,0), n4 numeric(3,-2), n5 numeric(4,1000),
    v0 varchar, v1 varchar(1), v2 varchar(10485760), vc character varying(7),
    c0 char, c1 char(1), c2 char(20), c3 bpchar, c4 character(3), qc "char",
    b0 bit, b1 bit(1), b2 bit(64), vb0 varbit, vb1 bit varying(12),
    t0 time, t1 time(0), t2 time(6), tz0 timetz, tz1 time(3) with time zone,
    s0 timestamp, s1 timestamp(0), s2 timestamp(6) without time zone,
    sz0 timestamptz, sz1 timestamptz(2), sz2 timestamp(4) with time zone,
    i0 interval, i1 interval(0), i2 interval(6), iy interval year, im interval month,
    id interval day, ih interval hour, imi interval minute, isec interval second,
    isec3 interval second(3), iym interval year to month, idh interval day to hour,
    idm interval day to minute, ids interval day to second, ids2 interval day to second(2),
    ihm interval hour to minute, ihs interval hour to second, ihs4 interval hour to second(4),
    ims interval minute to second, ims0 interval minute to second(0),
    an numeric(12,2)[], av varchar(10)[], ac char(2)[][], abp bpchar[], ab bit(3)[], ab0 bit[],
    avb bit varying(4)[], at time(1)[], atz timetz(2)[], ats timestamp(3)[], atsz timestamptz(4)[],
    ai interval day to second(1)[], aiy interval year[], aqc "char"[],
    sm smallint, in4 integer, bi8 bigint, r4 real, r8 double precision, bo boolean, tx text,
    by bytea, js json, jb jsonb, u uuid, ip inet, cid cidr, mac macaddr, nm name, o oid,
    rc regclass, tsv tsvector, pt point, ir int4range, mr int4multirange, x xml, mo money,
    d date, atx text[], ai4 integer[][],
    e1 other.mood, e2 "Odd Schema"."Quoted Type", e3 "user", e4 plain, ae1 other.mood[],
    ae3 "user"[], d1 money2, d2 other.short, d3 "Odd Schema".stamp, ad1 money2[]
);
"#;

#[tokio::test]
async fn client_format_type_equals_the_servers() {
    let db = TestDb::create("inspect_format").await;
    psql_apply_sql(&db.url, FORMS, true).expect("forms");
    let client = connect(&db.url).await;
    client
        .batch_execute("SET search_path = public")
        .await
        .expect("search_path");

    // Every column of `forms`: the client where the query leaves it to the
    // client, the server's text where the query asks the server.
    let sql = format!(
        "SELECT a.attname::text, a.atttypid, a.atttypmod, format_type(a.atttypid, a.atttypmod), \
                {SERVER_FORMATS_TYPE} \
         FROM pg_attribute a WHERE a.attrelid = 'forms'::regclass AND a.attnum > 0 \
         ORDER BY a.attnum"
    );
    let rows = client.query(&sql, &[]).await.expect("columns");
    assert!(rows.len() > 100, "{} columns", rows.len());
    let mut mismatches = Vec::new();
    let mut client_formatted = 0;
    for row in &rows {
        let name: String = row.get(0);
        let typid: u32 = row.get(1);
        let typmod: i32 = row.get(2);
        let server: String = row.get(3);
        let asks_server: bool = row.get(4);
        match (client_format_type(typid, typmod), asks_server) {
            (Some(text), false) => {
                client_formatted += 1;
                if text != server {
                    mismatches.push(format!("{name}: client {text:?}, server {server:?}"));
                }
            }
            (None, true) => {}
            (found, _) => mismatches.push(format!(
                "{name} ({typid}, {typmod}): client {found:?} but the query asks the server: \
                 {asks_server}"
            )),
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    // The user types (enums, domains and their arrays) go to the server.
    assert_eq!(rows.len() - client_formatted, 10);

    // Every built-in type, without a modifier and with typmod -1 (as a
    // column without one has): what the client prints is the server's.
    let rows = client
        .query(
            "SELECT t.oid, format_type(t.oid, NULL), format_type(t.oid, -1) FROM pg_type t \
             WHERE t.oid < 10000 ORDER BY t.oid",
            &[],
        )
        .await
        .expect("types");
    assert!(rows.len() > 150, "{} built-in types", rows.len());
    for row in &rows {
        let typid: u32 = row.get(0);
        let with_minus_one: String = row.get(2);
        assert_eq!(
            client_format_type(typid, -1).as_deref(),
            Some(with_minus_one.as_str()),
            "type {typid}"
        );
    }
}
