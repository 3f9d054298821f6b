//! `uuid_in`, `inet_in` / `cidr_in`, `macaddr_in`, `macaddr8_in`.
//!
//! uuid follows `string_to_uuid` exactly. For the network types the forms
//! read are the written-out ones (four decimal octets, IPv6 groups with at
//! most one `::`, an optional `/bits`; MAC addresses as two-digit groups);
//! the looser forms `inet_net_pton` and `sscanf` also take are `Unknown`.

use super::{invalid, syntax, Literal};

pub(super) fn uuid_in(input: &str) -> Literal {
    let b = input.as_bytes();
    let mut i = 0;
    let braces = b.first() == Some(&b'{');
    if braces {
        i = 1;
    }
    let mut bytes = [0u8; 16];
    for (k, byte) in bytes.iter_mut().enumerate() {
        if i + 1 >= b.len() || !b[i].is_ascii_hexdigit() || !b[i + 1].is_ascii_hexdigit() {
            return syntax("uuid", input);
        }
        *byte = u8::from_str_radix(&input[i..i + 2], 16).expect("two hex digits");
        i += 2;
        if b.get(i) == Some(&b'-') && k % 2 == 1 && k < 15 {
            i += 1;
        }
    }
    if braces {
        if b.get(i) != Some(&b'}') {
            return syntax("uuid", input);
        }
        i += 1;
    }
    if i != b.len() {
        return syntax("uuid", input);
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Literal::Value(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    ))
}

enum Addr {
    V4([u8; 4]),
    V6([u16; 8]),
}

fn unknown(type_name: &str, input: &str) -> Literal {
    Literal::Unknown(format!(
        "{type_name} literal {input:?} is not in a form read offline"
    ))
}

pub(super) fn inet_in(input: &str, cidr: bool) -> Literal {
    let type_name = if cidr { "cidr" } else { "inet" };
    let (addr_text, bits_text) = match input.split_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (input, None),
    };
    let addr = if addr_text.contains(':') {
        match parse_v6(addr_text) {
            Some(a) => Addr::V6(a),
            None => return unknown(type_name, input),
        }
    } else {
        match parse_v4(addr_text) {
            Some(Ok(a)) => Addr::V4(a),
            Some(Err(())) => return syntax(type_name, input),
            None => return unknown(type_name, input),
        }
    };
    let max = match addr {
        Addr::V4(_) => 32,
        Addr::V6(_) => 128,
    };
    let bits = match bits_text {
        None => max,
        Some(m) => {
            if m.is_empty() || m.len() > 3 || !m.bytes().all(|c| c.is_ascii_digit()) {
                return unknown(type_name, input);
            }
            if m.len() > 1 && m.starts_with('0') {
                return unknown(type_name, input);
            }
            let n: u32 = m.parse().expect("digits");
            if n > max {
                return syntax(type_name, input);
            }
            n
        }
    };
    let as_bits: u128 = match &addr {
        Addr::V4(o) => u128::from(u32::from_be_bytes(*o)),
        Addr::V6(w) => w.iter().fold(0u128, |acc, &x| acc << 16 | u128::from(x)),
    };
    if cidr {
        let host_bits = max - bits;
        let mask: u128 = match host_bits {
            0 => 0,
            128 => u128::MAX,
            n => (1u128 << n) - 1,
        };
        if as_bits & mask != 0 {
            return invalid("22P02", format!("invalid cidr value: \"{input}\""));
        }
    }
    let mut out = match &addr {
        Addr::V4(o) => format!("{}.{}.{}.{}", o[0], o[1], o[2], o[3]),
        Addr::V6(w) => match v6_out(w) {
            Some(s) => s,
            None => return unknown(type_name, input),
        },
    };
    if cidr || bits != max {
        out.push_str(&format!("/{bits}"));
    }
    Literal::Value(out)
}

/// Four decimal octets. `Some(Err)` when it is surely invalid (an octet
/// above 255 or fewer than four octets in an inet), `None` when unsure.
fn parse_v4(s: &str) -> Option<Result<[u8; 4], ()>> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut out = [0u8; 4];
    for (o, p) in out.iter_mut().zip(&parts) {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let v: u32 = p.parse().ok()?;
        if v > 255 {
            return Some(Err(()));
        }
        *o = v as u8;
    }
    Some(Ok(out))
}

fn parse_v6(s: &str) -> Option<[u16; 8]> {
    let (head, tail, compressed) = match s.find("::") {
        Some(i) => (&s[..i], &s[i + 2..], true),
        None => (s, "", false),
    };
    if tail.contains("::") {
        return None;
    }
    let groups = |t: &str| -> Option<Vec<u16>> {
        if t.is_empty() {
            return Some(Vec::new());
        }
        let mut v = Vec::new();
        let parts: Vec<&str> = t.split(':').collect();
        for (k, p) in parts.iter().enumerate() {
            if k + 1 == parts.len() && p.contains('.') {
                let o = parse_v4(p)?.ok()?;
                v.push(u16::from(o[0]) << 8 | u16::from(o[1]));
                v.push(u16::from(o[2]) << 8 | u16::from(o[3]));
            } else {
                if p.is_empty() || p.len() > 4 || !p.bytes().all(|c| c.is_ascii_hexdigit()) {
                    return None;
                }
                v.push(u16::from_str_radix(p, 16).ok()?);
            }
        }
        Some(v)
    };
    let h = groups(head)?;
    let t = if compressed {
        groups(tail)?
    } else {
        Vec::new()
    };
    let mut w = [0u16; 8];
    if compressed {
        if h.len() + t.len() > 7 {
            return None;
        }
        w[..h.len()].copy_from_slice(&h);
        w[8 - t.len()..].copy_from_slice(&t);
    } else {
        if h.len() != 8 {
            return None;
        }
        w.copy_from_slice(&h);
    }
    Some(w)
}

/// `inet_net_ntop` for IPv6: the longest run of two or more zero groups
/// (the first of equal runs) as `::`; `::ffff:a.b.c.d` for mapped IPv4.
/// `None` for the IPv4-compatible forms (`::a.b.c.d`) not handled here.
fn v6_out(w: &[u16; 8]) -> Option<String> {
    if w[..6].iter().all(|&x| x == 0) && (w[6] != 0 || w[7] > 1) {
        return None;
    }
    let mut best: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < 8 {
        if w[i] == 0 {
            let start = i;
            while i < 8 && w[i] == 0 {
                i += 1;
            }
            let len = i - start;
            if len >= 2 && best.is_none_or(|(_, l)| len > l) {
                best = Some((start, len));
            }
        } else {
            i += 1;
        }
    }
    let mapped = w[..5].iter().all(|&x| x == 0) && w[5] == 0xffff;
    let hex = |ws: &[u16]| -> Vec<String> { ws.iter().map(|x| format!("{x:x}")).collect() };
    if mapped {
        return Some(format!(
            "::ffff:{}.{}.{}.{}",
            w[6] >> 8,
            w[6] & 0xff,
            w[7] >> 8,
            w[7] & 0xff
        ));
    }
    Some(match best {
        None => hex(w).join(":"),
        Some((start, len)) => format!(
            "{}::{}",
            hex(&w[..start]).join(":"),
            hex(&w[start + len..]).join(":")
        ),
    })
}

fn hex_groups(s: &str, sep: char, size: usize) -> Option<Vec<u8>> {
    let parts: Vec<&str> = s.split(sep).collect();
    let mut out = Vec::new();
    for p in parts {
        if p.len() != size || !p.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        for k in (0..size).step_by(2) {
            out.push(u8::from_str_radix(&p[k..k + 2], 16).ok()?);
        }
    }
    Some(out)
}

/// The written-out MAC forms: `xx:xx:…`, `xx-xx-…`, `xxxxxx:xxxxxx`,
/// `xxxxxx-xxxxxx`, `xxxx.xxxx.xxxx`, `xxxx-xxxx-xxxx`, `xxxxxxxxxxxx`.
fn mac_bytes(s: &str) -> Option<Vec<u8>> {
    let forms: [(char, usize, usize); 7] = [
        (':', 2, 6),
        ('-', 2, 6),
        (':', 6, 2),
        ('-', 6, 2),
        ('.', 4, 3),
        ('-', 4, 3),
        ('/', 12, 1),
    ];
    for (sep, size, count) in forms {
        if s.split(sep).count() == count {
            if let Some(b) = hex_groups(s, sep, size) {
                return Some(b);
            }
        }
    }
    None
}

fn mac_out(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

pub(super) fn macaddr_in(input: &str) -> Literal {
    match mac_bytes(input) {
        Some(b) if b.len() == 6 => Literal::Value(mac_out(&b)),
        _ => unknown("macaddr", input),
    }
}

pub(super) fn macaddr8_in(input: &str) -> Literal {
    let eight = [':', '-']
        .iter()
        .find_map(|&sep| {
            if input.split(sep).count() == 8 {
                hex_groups(input, sep, 2)
            } else {
                None
            }
        })
        .or_else(|| hex_groups(input, '/', 16));
    if let Some(b) = eight {
        return Literal::Value(mac_out(&b));
    }
    match mac_bytes(input) {
        Some(b) if b.len() == 6 => {
            let mut full = b[..3].to_vec();
            full.extend_from_slice(&[0xff, 0xfe]);
            full.extend_from_slice(&b[3..]);
            Literal::Value(mac_out(&full))
        }
        _ => unknown("macaddr8", input),
    }
}
