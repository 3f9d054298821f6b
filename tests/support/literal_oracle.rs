//! The server as the oracle for `strata_core::literal::canonical`: a
//! PL/pgSQL function (created in a throwaway database) calls the type's own
//! input function with the typmod, prints the value with the type's own
//! output function, and catches the error (SQLSTATE and message) so that one
//! query reads hundreds of literals.

use strata_core::literal::{canonical, Literal};
use tokio_postgres::Client;

/// The settings `canonical` assumes.
pub const SETTINGS: &str = "SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'; \
     SET TimeZone = 'UTC'; SET extra_float_digits = 1; \
     SET standard_conforming_strings = on; SET bytea_output = 'hex';";

const ORACLE_FN: &str = r#"
CREATE FUNCTION pg_temp.lit(typ text, typmod int, input text) RETURNS text
LANGUAGE plpgsql AS $f$
DECLARE
  t pg_catalog.pg_type;
  nargs int;
  r text;
BEGIN
  SELECT * INTO STRICT t FROM pg_catalog.pg_type
   WHERE typname = typ AND typnamespace = 'pg_catalog'::regnamespace;
  SELECT pronargs INTO STRICT nargs FROM pg_catalog.pg_proc WHERE oid = t.typinput;
  IF nargs = 1 THEN
    EXECUTE format('SELECT pg_catalog.%s(pg_catalog.%s(%L::cstring))::text',
                   t.typoutput, t.typinput, input) INTO r;
  ELSE
    EXECUTE format('SELECT pg_catalog.%s(pg_catalog.%s(%L::cstring, %s::oid, %s))::text',
                   t.typoutput, t.typinput, input,
                   CASE WHEN t.typelem <> 0 AND t.typcategory = 'A' THEN t.typelem ELSE t.oid END,
                   typmod) INTO r;
  END IF;
  RETURN 'V' || r;
EXCEPTION WHEN OTHERS THEN
  RETURN 'E' || SQLSTATE || ':' || SQLERRM;
END
$f$;
"#;

/// What the server said about one literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Server {
    Value(String),
    Error { sqlstate: String, message: String },
}

/// Prepares a session: the settings and the oracle function.
pub async fn prepare(client: &Client) {
    client
        .batch_execute(SETTINGS)
        .await
        .expect("cannot apply the literal settings");
    client
        .batch_execute(ORACLE_FN)
        .await
        .expect("cannot create the oracle function");
}

/// Asks the server about every `(typname, typmod, input)` in one round trip.
pub async fn ask(client: &Client, cases: &[(String, i32, String)]) -> Vec<Server> {
    let types: Vec<&str> = cases.iter().map(|c| c.0.as_str()).collect();
    let typmods: Vec<i32> = cases.iter().map(|c| c.1).collect();
    let inputs: Vec<&str> = cases.iter().map(|c| c.2.as_str()).collect();
    let rows = client
        .query(
            "SELECT pg_temp.lit(t, m, i) FROM unnest($1::text[], $2::int4[], $3::text[]) \
             WITH ORDINALITY AS u(t, m, i, n) ORDER BY n",
            &[&types, &typmods, &inputs],
        )
        .await
        .expect("the oracle query failed");
    assert_eq!(rows.len(), cases.len());
    rows.iter()
        .map(|row| {
            let s: String = row.get(0);
            if let Some(v) = s.strip_prefix('V') {
                Server::Value(v.to_string())
            } else {
                let rest = s
                    .strip_prefix('E')
                    .expect("oracle answer starts with V or E");
                let (state, message) = rest.split_at(5);
                Server::Error {
                    sqlstate: state.to_string(),
                    message: message[1..].to_string(),
                }
            }
        })
        .collect()
}

/// Compares `canonical` with the server for every case. Returns the
/// mismatches as readable lines (an `Unknown` answer is a mismatch unless
/// `allow_unknown`), and the number of `Unknown` answers.
pub fn compare(
    cases: &[(String, i32, String)],
    server: &[Server],
    allow_unknown: bool,
) -> (Vec<String>, usize) {
    let mut bad = Vec::new();
    let mut unknown = 0;
    for ((typ, typmod, input), answer) in cases.iter().zip(server) {
        let ours = canonical(typ, *typmod, input);
        let ok = match (&ours, answer) {
            // boolout prints t/f; `canonical` answers true/false for a bool.
            (Literal::Value(a), Server::Value(b)) if typ == "bool" => {
                (a == "true" && b == "t") || (a == "false" && b == "f")
            }
            (Literal::Value(a), Server::Value(b)) => a == b,
            (
                Literal::Invalid { sqlstate, message },
                Server::Error {
                    sqlstate: s2,
                    message: m2,
                },
            ) => sqlstate == s2 && message == m2,
            (Literal::Unknown(_), _) => {
                unknown += 1;
                allow_unknown
            }
            _ => false,
        };
        if !ok {
            bad.push(format!(
                "{typ}({typmod}) {input:?}: strata {ours:?}, server {answer:?}"
            ));
        }
    }
    (bad, unknown)
}
