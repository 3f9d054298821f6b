//! Property test, the server as the oracle: random literals of every type
//! `canonical` reads (numbers with random exponents and scales and typmods,
//! floats across the whole range, dates, times with offsets and
//! precisions, intervals, uuids in every accepted layout, JSON documents,
//! bit strings, network addresses, arrays) are sent to PostgreSQL in
//! batches, one round trip per batch; `canonical` must print exactly what
//! the server prints, or fail with its SQLSTATE and message. `Unknown` is a
//! failure: every generated form is one `canonical` claims to read.
//!
//! `PROPTEST_CASES` sets the number of batches (default 12 of 160 literals).

use crate::support;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use support::literal_oracle::{ask, compare, prepare};
use support::TestDb;

type Case = (String, i32, String);

fn case(t: &'static str, m: i32) -> impl Fn(String) -> Case {
    move |s| (t.to_string(), m, s)
}

fn ws() -> impl Strategy<Value = &'static str> {
    prop_oneof![4 => Just(""), 1 => Just(" "), 1 => Just("\t"), 1 => Just("  \n")]
}

fn digits(min: usize, max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(0u8..10, min..=max)
        .prop_map(|d| d.into_iter().map(|x| char::from(b'0' + x)).collect())
}

/// `[sign]digits[.digits][e[sign]exp]` with surrounding whitespace.
fn decimal_text(max_exp: i32) -> impl Strategy<Value = String> {
    (
        ws(),
        prop_oneof![Just(""), Just("-"), Just("+")],
        digits(0, 22),
        proptest::option::of(digits(0, 12)),
        proptest::option::of((prop_oneof![Just("e"), Just("E")], -max_exp..=max_exp)),
        ws(),
    )
        .prop_map(|(w1, sign, int, frac, exp, w2)| {
            let mut s = format!("{w1}{sign}{int}");
            if let Some(f) = frac {
                s.push('.');
                s.push_str(&f);
            }
            if let Some((e, x)) = exp {
                s.push_str(&format!("{e}{x}"));
            }
            s.push_str(w2);
            s
        })
}

fn numeric_cases() -> impl Strategy<Value = Case> {
    let typmod = prop_oneof![
        2 => Just(-1),
        3 => (1i32..=20, -3i32..=22).prop_map(|(p, s)| ((p << 16) | (s & 0x7ff)) + 4),
    ];
    (decimal_text(40), typmod).prop_map(|(s, m)| ("numeric".to_string(), m, s))
}

fn float_cases() -> impl Strategy<Value = Case> {
    prop_oneof![
        (decimal_text(330), any::<bool>()).prop_map(|(s, d)| (
            if d { "float8" } else { "float4" }.to_string(),
            -1,
            s
        )),
        any::<u64>().prop_map(|b| {
            let v = f64::from_bits(b);
            ("float8".to_string(), -1, format!("{v:e}"))
        }),
        any::<u32>().prop_map(|b| {
            let v = f32::from_bits(b);
            ("float4".to_string(), -1, format!("{v}"))
        }),
        (any::<f64>(), 1usize..20)
            .prop_map(|(v, p)| { ("float8".to_string(), -1, format!("{v:.p$e}")) }),
    ]
}

fn int_cases() -> impl Strategy<Value = Case> {
    (
        prop_oneof![Just("int2"), Just("int4"), Just("int8"), Just("oid")],
        ws(),
        prop_oneof![Just(""), Just("-"), Just("+")],
        prop_oneof![
            digits(1, 6),
            digits(9, 11),
            digits(18, 21),
            any::<i64>().prop_map(|v| v.unsigned_abs().to_string())
        ],
        ws(),
    )
        .prop_map(|(t, a, s, d, b)| (t.to_string(), -1, format!("{a}{s}{d}{b}")))
}

fn date_text() -> impl Strategy<Value = String> {
    (1i64..=2100, 1i64..=13, 1i64..=32, 0u8..4).prop_map(|(y, m, d, form)| match form {
        0 | 1 => format!("{y:04}-{m:02}-{d:02}"),
        2 => format!("{m}/{d}/{y:04}"),
        _ => {
            let names = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
                "Dec",
            ];
            format!("{} {d} {y:04}", names[(m - 1) as usize])
        }
    })
}

fn time_text() -> impl Strategy<Value = String> {
    (
        0i64..=25,
        0i64..=60,
        proptest::option::of((0i64..=61, proptest::option::of(digits(1, 9)))),
    )
        .prop_map(|(h, m, s)| {
            let mut t = format!("{h:02}:{m:02}");
            if let Some((s, f)) = s {
                t.push_str(&format!(":{s:02}"));
                if let Some(f) = f {
                    t.push('.');
                    t.push_str(&f);
                }
            }
            t
        })
}

fn zone_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Z".to_string()),
        Just(" UTC".to_string()),
        (
            any::<bool>(),
            0i64..=16,
            proptest::option::of(0i64..=60),
            any::<bool>()
        )
            .prop_map(|(neg, h, m, sp)| {
                let mut z = format!(
                    "{}{}{h:02}",
                    if sp { " " } else { "" },
                    if neg { '-' } else { '+' }
                );
                if let Some(m) = m {
                    z.push_str(&format!(":{m:02}"));
                }
                z
            }),
    ]
}

fn datetime_cases() -> impl Strategy<Value = Case> {
    let precision = prop_oneof![2 => Just(-1), 1 => 0i32..=6];
    prop_oneof![
        date_text().prop_map(case("date", -1)),
        (date_text(), any::<bool>()).prop_map(|(d, bc)| (
            "date".to_string(),
            -1,
            if bc { format!("{d} BC") } else { d }
        )),
        (date_text(), time_text(), any::<bool>(), precision.clone()).prop_map(|(d, t, sep, p)| (
            "timestamp".to_string(),
            p,
            format!("{d}{}{t}", if sep { "T" } else { " " })
        )),
        (date_text(), time_text(), zone_text(), precision.clone()).prop_map(|(d, t, z, p)| (
            "timestamptz".to_string(),
            p,
            format!("{d} {t}{z}")
        )),
        (time_text(), precision.clone()).prop_map(|(t, p)| ("time".to_string(), p, t)),
        (time_text(), zone_text(), precision).prop_map(|(t, z, p)| (
            "timetz".to_string(),
            p,
            format!("{t}{z}")
        )),
    ]
}

fn interval_cases() -> impl Strategy<Value = Case> {
    // PostgreSQL 15 refuses a unit given twice, so each part takes a
    // different unit (in one of its spellings); seconds take no fraction
    // (a fractional second also claims ms and us).
    const UNITS: &[(&[&str], bool)] = &[
        (&["year", "years", "y"], true),
        (&["mon", "months"], true),
        (&["week", "w"], true),
        (&["day", "days", "d"], true),
        (&["hour", "hours", "h"], true),
        (&["min", "minutes"], true),
        (&["sec", "seconds"], false),
        (&["ms", "milliseconds"], true),
        (&["microseconds", "us"], true),
        (&["decade"], true),
    ];
    let part = |(names, frac_ok): (&'static [&'static str], bool)| {
        (
            -200i64..=200,
            proptest::option::of(digits(1, 3)),
            0..names.len(),
        )
            .prop_map(move |(n, f, k)| match f {
                Some(f) if frac_ok => format!("{n}.{f} {}", names[k]),
                _ => format!("{n} {}", names[k]),
            })
    };
    let parts = proptest::sample::subsequence(UNITS.to_vec(), 1..4)
        .prop_shuffle()
        .prop_flat_map(move |units| units.into_iter().map(part).collect::<Vec<_>>());
    (parts, any::<bool>()).prop_map(|(parts, ago)| {
        let mut s = parts.join(" ");
        if ago {
            s.push_str(" ago");
        }
        ("interval".to_string(), -1, s)
    })
}

fn uuid_cases() -> impl Strategy<Value = Case> {
    (any::<[u8; 16]>(), 0u8..4, any::<bool>(), any::<bool>()).prop_map(|(b, form, upper, brace)| {
        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
        let mut s = match form {
            0 => format!(
                "{}-{}-{}-{}-{}",
                &hex[..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..]
            ),
            1 => hex.clone(),
            2 => hex
                .as_bytes()
                .chunks(4)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect::<Vec<_>>()
                .join("-"),
            _ => format!("{}-{}", &hex[..7], &hex[7..]),
        };
        if upper {
            s = s.to_uppercase();
        }
        if brace {
            s = format!("{{{s}}}");
        }
        ("uuid".to_string(), -1, s)
    })
}

fn json_string() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("a".to_string()),
            Just("b".to_string()),
            Just("é".to_string()),
            Just("\\n".to_string()),
            Just("\\\"".to_string()),
            Just("\\\\".to_string()),
            Just("\\u00e9".to_string()),
            Just("\\u0007".to_string()),
            Just("\\/".to_string()),
            Just("\\ud83d\\ude00".to_string()),
            Just(" ".to_string()),
            Just("\\t".to_string()),
        ],
        0..5,
    )
    .prop_map(|parts| format!("\"{}\"", parts.concat()))
}

fn json_text() -> impl Strategy<Value = String> {
    let number = (
        prop_oneof![Just(""), Just("-")],
        prop_oneof![
            Just("0".to_string()),
            digits(1, 8).prop_map(|d| format!("1{d}"))
        ],
        proptest::option::of(digits(1, 4)),
        proptest::option::of(-12i32..12),
    )
        .prop_map(|(s, i, f, e)| {
            let mut t = format!("{s}{i}");
            if let Some(f) = f {
                t.push('.');
                t.push_str(&f);
            }
            if let Some(e) = e {
                t.push_str(&format!("e{e}"));
            }
            t
        });
    let leaf = prop_oneof![
        number,
        json_string(),
        Just("true".to_string()),
        Just("false".to_string()),
        Just("null".to_string()),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        let key = prop_oneof![
            Just("\"a\"".to_string()),
            Just("\"b\"".to_string()),
            Just("\"aa\"".to_string()),
            Just("\"\"".to_string()),
            Just("\"ab\"".to_string()),
            Just("\"é\"".to_string()),
            Just("\"B\"".to_string())
        ];
        prop_oneof![
            (proptest::collection::vec(inner.clone(), 0..4), ws())
                .prop_map(|(v, w)| format!("[{w}{}]", v.join(&format!(",{w}")))),
            (proptest::collection::vec((key, inner), 0..4), ws()).prop_map(|(v, w)| {
                let items: Vec<String> =
                    v.into_iter().map(|(k, x)| format!("{k}{w}:{x}")).collect();
                format!("{{{w}{}}}", items.join(","))
            }),
        ]
    })
}

fn json_cases() -> impl Strategy<Value = Case> {
    (json_text(), any::<bool>(), ws()).prop_map(|(j, b, w)| {
        (
            if b { "jsonb" } else { "json" }.to_string(),
            -1,
            format!("{w}{j}{w}"),
        )
    })
}

fn short_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('a'),
            Just('b'),
            Just(' '),
            Just('é'),
            Just(','),
            Just('"'),
            Just('\\'),
            Just('{'),
            Just('}'),
            Just('\t'),
            Just('N')
        ],
        0..7,
    )
    .prop_map(|c| c.into_iter().collect())
}

fn string_cases() -> impl Strategy<Value = Case> {
    prop_oneof![
        (short_text(), prop_oneof![Just(-1), 4i32..10]).prop_map(|(s, m)| (
            "varchar".to_string(),
            m,
            s
        )),
        (short_text(), prop_oneof![Just(-1), 4i32..10]).prop_map(|(s, m)| (
            "bpchar".to_string(),
            m,
            s
        )),
        proptest::collection::vec(any::<u8>(), 0..8).prop_map(|b| {
            let hex: String = b.iter().map(|x| format!("{x:02X}")).collect();
            ("bytea".to_string(), -1, format!("\\x{hex}"))
        }),
        proptest::collection::vec(
            prop_oneof![
                Just("a"),
                Just("\\\\"),
                Just("\\001"),
                Just("\\377"),
                Just("\\8"),
                Just(" ")
            ],
            0..5
        )
        .prop_map(|p| ("bytea".to_string(), -1, p.concat())),
        (
            proptest::collection::vec(prop_oneof![Just('0'), Just('1')], 0..9),
            prop_oneof![Just(-1), 1i32..9],
            any::<bool>()
        )
            .prop_map(|(b, m, v)| (
                if v { "varbit" } else { "bit" }.to_string(),
                m,
                b.into_iter().collect()
            )),
    ]
}

fn network_cases() -> impl Strategy<Value = Case> {
    (
        any::<[u8; 4]>(),
        proptest::option::of(0u32..=33),
        any::<bool>(),
        0u8..4,
    )
        .prop_map(|(o, bits, cidr, zero_tail)| {
            let mut o = o;
            for k in 0..zero_tail as usize {
                o[3 - k] = 0;
            }
            let mut s = format!("{}.{}.{}.{}", o[0], o[1], o[2], o[3]);
            if let Some(b) = bits {
                s.push_str(&format!("/{b}"));
            }
            (if cidr { "cidr" } else { "inet" }.to_string(), -1, s)
        })
}

fn misc_cases() -> impl Strategy<Value = Case> {
    let word = prop_oneof![
        Just("t"),
        Just("true"),
        Just("y"),
        Just("yes"),
        Just("on"),
        Just("1"),
        Just("f"),
        Just("false"),
        Just("n"),
        Just("no"),
        Just("off"),
        Just("0"),
        Just("o"),
        Just("of"),
        Just("tr"),
        Just("fa"),
        Just("ye"),
        Just("ok"),
    ];
    let v6 = (
        any::<[u16; 8]>(),
        proptest::collection::vec(0usize..8, 0..6),
        any::<bool>(),
        proptest::option::of(0u32..=129),
    )
        .prop_map(|(mut w, zeros, upper, bits)| {
            for z in zeros {
                w[z] = 0;
            }
            let mut t = w
                .iter()
                .map(|x| format!("{x:x}"))
                .collect::<Vec<_>>()
                .join(":");
            // Compress the first run of zero groups, as people write it.
            if let Some(i) = t.find(":0:0") {
                let rest = &t[i + 4..];
                let rest = rest.trim_start_matches(":0");
                t = format!("{}::{}", &t[..i], rest.trim_start_matches(':'));
            }
            if upper {
                t = t.to_uppercase();
            }
            if let Some(b) = bits {
                t.push_str(&format!("/{b}"));
            }
            t
        });
    prop_oneof![
        (ws(), word, any::<bool>(), ws()).prop_map(|(a, w, up, b)| {
            let w = if up { w.to_uppercase() } else { w.to_string() };
            ("bool".to_string(), -1, format!("{a}{w}{b}"))
        }),
        (proptest::collection::vec(prop_oneof![Just('a'), Just('é'), Just('€')], 55..70))
            .prop_map(|c| ("name".to_string(), -1, c.into_iter().collect())),
        (v6, any::<bool>()).prop_map(|(t, c)| (if c { "cidr" } else { "inet" }.to_string(), -1, t)),
        (any::<[u8; 6]>(), 0u8..3).prop_map(|(b, form)| {
            let h: Vec<String> = b.iter().map(|x| format!("{x:02x}")).collect();
            let t = match form {
                0 => h.join(":"),
                1 => h.join("-"),
                _ => format!("{}{}.{}{}.{}{}", h[0], h[1], h[2], h[3], h[4], h[5]),
            };
            ("macaddr".to_string(), -1, t)
        }),
    ]
}

/// An array literal of `elem` values (strings as the element's own text),
/// each quoted, escaped, padded with whitespace or NULL at random.
fn array_of(elem: BoxedStrategy<String>) -> impl Strategy<Value = String> {
    let item = (elem, 0u8..6, ws())
        .prop_map(|(v, how, w)| match how {
            0 => "NULL".to_string(),
            1 | 2 => {
                let mut q = String::from("\"");
                for c in v.chars() {
                    if c == '"' || c == '\\' {
                        q.push('\\');
                    }
                    q.push(c);
                }
                q.push('"');
                format!("{w}{q}{w}")
            }
            _ => {
                let mut u = String::new();
                for c in v.chars() {
                    if matches!(c, '"' | '\\' | '{' | '}' | ',') || c.is_whitespace() {
                        u.push('\\');
                    }
                    u.push(c);
                }
                format!("{w}{u}{w}")
            }
        })
        .boxed();
    prop_oneof![
        proptest::collection::vec(item.clone(), 0..5).prop_map(|v| format!("{{{}}}", v.join(","))),
        (1usize..3, 1usize..3)
            .prop_flat_map(move |(r, c)| {
                proptest::collection::vec(proptest::collection::vec(item.clone(), c..=c), r..=r)
            })
            .prop_map(|rows| {
                let inner: Vec<String> = rows
                    .into_iter()
                    .map(|r| format!("{{{}}}", r.join(",")))
                    .collect();
                format!("{{{}}}", inner.join(","))
            }),
    ]
}

fn array_cases() -> impl Strategy<Value = Case> {
    prop_oneof![
        array_of(any::<i32>().prop_map(|v| v.to_string()).boxed()).prop_map(case("_int4", -1)),
        array_of(short_text().boxed()).prop_map(case("_text", -1)),
        array_of(decimal_text(5).boxed()).prop_map(case("_numeric", ((6 << 16) | 2) + 4)),
        array_of(date_text().boxed()).prop_map(case("_date", -1)),
        array_of(
            prop_oneof![
                Just("t".to_string()),
                Just("no".to_string()),
                Just("on".to_string())
            ]
            .boxed()
        )
        .prop_map(case("_bool", -1)),
        array_of(json_text().boxed()).prop_map(case("_jsonb", -1)),
        array_of(short_text().boxed()).prop_map(case("_bpchar", 7)),
    ]
}

fn batch() -> impl Strategy<Value = Vec<Case>> {
    let one = prop_oneof![
        3 => numeric_cases(),
        3 => float_cases(),
        1 => int_cases(),
        3 => datetime_cases(),
        1 => interval_cases(),
        1 => uuid_cases(),
        2 => json_cases(),
        2 => string_cases(),
        1 => network_cases(),
        1 => misc_cases(),
        2 => array_cases(),
    ];
    proptest::collection::vec(one, 160)
}

/// A generated literal with one random edit (a character inserted,
/// deleted or replaced): mostly forms `canonical` may not read, so
/// `Unknown` is allowed, but a value or an error must be the server's.
fn mutated() -> impl Strategy<Value = Case> {
    let one = prop_oneof![
        numeric_cases(),
        float_cases(),
        int_cases(),
        datetime_cases(),
        interval_cases(),
        uuid_cases(),
        json_cases(),
        string_cases(),
        network_cases(),
        misc_cases(),
        array_cases(),
    ];
    let noise = prop_oneof![
        Just(' '),
        Just('-'),
        Just('+'),
        Just(':'),
        Just('.'),
        Just(','),
        Just('"'),
        Just('{'),
        Just('}'),
        Just('\\'),
        Just('e'),
        Just('x'),
        Just('0'),
        Just('9'),
        Just('/'),
        Just('T'),
        Just('Z'),
        Just('a'),
        Just('\t'),
        Just('['),
    ];
    (one, any::<prop::sample::Index>(), noise, 0u8..3).prop_map(|((t, m, s), at, c, how)| {
        let chars: Vec<char> = s.chars().collect();
        let mut out = chars.clone();
        let i = if chars.is_empty() {
            0
        } else {
            at.index(chars.len())
        };
        match how {
            0 => out.insert(i, c),
            1 if !chars.is_empty() => {
                out.remove(i);
            }
            _ if !chars.is_empty() => out[i] = c,
            _ => out.push(c),
        }
        (t, m, out.into_iter().collect())
    })
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12)
}

fn run_batches(strategy: impl Strategy<Value = Vec<Case>>, allow_unknown: bool, n: u32) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let db = runtime.block_on(TestDb::create("literal_props"));
    let client = runtime.block_on(async {
        let client = db.client().await;
        prepare(&client).await;
        client
    });
    let mut runner = TestRunner::new(Config {
        cases: n,
        max_shrink_iters: 64,
        failure_persistence: None,
        ..Config::default()
    });
    let seen = std::cell::Cell::new((0usize, 0usize));
    let result = runner.run(&strategy, |batch| {
        let server = runtime.block_on(ask(&client, &batch));
        let (bad, unknown) = compare(&batch, &server, allow_unknown);
        let (n, u) = seen.get();
        seen.set((n + batch.len(), u + unknown));
        if bad.is_empty() {
            Ok(())
        } else {
            Err(TestCaseError::fail(bad.join("\n")))
        }
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let (n, u) = seen.get();
    eprintln!("{n} literals compared with the server, {u} answered Unknown");
}

#[test]
fn random_literals_match_the_server() {
    run_batches(batch(), false, cases());
}

#[test]
fn edited_literals_are_never_misread() {
    run_batches(proptest::collection::vec(mutated(), 160), true, cases());
}
