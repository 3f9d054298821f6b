//! A recording TCP proxy for the PostgreSQL wire protocol: every byte is
//! forwarded unchanged between the client and the server, and the
//! frontend (client → server) messages are parsed and logged, so a test can
//! prove what a client sent: which SQL, in which order, over how many
//! connections.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// One frontend message that carries SQL, in the order it was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// `Q`: a simple query (possibly several statements).
    Query(String),
    /// `P`: a Parse (extended protocol) with its SQL text.
    Parse(String),
}

impl Sent {
    pub fn sql(&self) -> &str {
        match self {
            Sent::Query(s) | Sent::Parse(s) => s,
        }
    }
}

/// What the client sent: `Q` simple queries and `P` parses with their SQL
/// text, `E` executes, and everything in order per connection.
#[derive(Default, Debug, Clone)]
pub struct Wire {
    pub simple_queries: Vec<String>,
    pub parses: Vec<String>,
    pub executes: usize,
    /// Per connection (in the order they were accepted): the startup
    /// parameters (`user`, `database`, …) and the SQL messages in order.
    pub connections: Vec<Connection>,
}

#[derive(Default, Debug, Clone)]
pub struct Connection {
    pub startup: Vec<(String, String)>,
    pub sent: Vec<Sent>,
}

impl Wire {
    /// Statements the server executed: simple-protocol messages plus
    /// extended-protocol executes.
    pub fn statements(&self) -> usize {
        self.simple_queries.len() + self.executes
    }

    /// Every SQL message of every connection, in order per connection.
    pub fn all_sent(&self) -> impl Iterator<Item = &Sent> {
        self.connections.iter().flat_map(|c| c.sent.iter())
    }
}

pub struct Proxy {
    pub port: u16,
    pub wire: Arc<Mutex<Wire>>,
}

impl Proxy {
    /// The log so far, leaving an empty one behind.
    pub fn take(&self) -> Wire {
        std::mem::take(&mut *self.wire.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// Listens on 127.0.0.1 (a free port) and forwards every connection to
/// `upstream`, logging what clients send.
pub fn start_proxy(upstream: (String, u16)) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
    let port = listener.local_addr().expect("proxy address").port();
    let wire = Arc::new(Mutex::new(Wire::default()));
    let log = Arc::clone(&wire);
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { break };
            // The proxy must read what the client sends, so it speaks no
            // TLS: it answers an SSLRequest with `N` itself (a client in
            // sslmode=prefer then goes on in plain text) and forwards
            // anything else.
            let mut first = [0u8; 8];
            if client.read_exact(&mut first).is_err() {
                continue;
            }
            let ssl_request = u32::from_be_bytes([first[0], first[1], first[2], first[3]]) == 8
                && u32::from_be_bytes([first[4], first[5], first[6], first[7]]) == 80_877_103;
            let pending: Vec<u8> = if ssl_request {
                if client.write_all(b"N").is_err() {
                    continue;
                }
                Vec::new()
            } else {
                first.to_vec()
            };
            let Ok(server) = TcpStream::connect((upstream.0.as_str(), upstream.1)) else {
                continue;
            };
            let (Ok(mut client_r), Ok(mut server_w)) = (client.try_clone(), server.try_clone())
            else {
                continue;
            };
            let index = {
                let mut w = log.lock().unwrap_or_else(|p| p.into_inner());
                w.connections.push(Connection::default());
                w.connections.len() - 1
            };
            let (mut server_r, mut client_w) = (server, client);
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut server_r, &mut client_w);
                let _ = client_w.shutdown(Shutdown::Both);
            });
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                let mut buffer = Vec::new();
                let mut startup = true;
                if !pending.is_empty() {
                    buffer.extend_from_slice(&pending);
                    parse_frontend_on(&mut buffer, &mut startup, &log, Some(index));
                    if server_w.write_all(&pending).is_err() {
                        return;
                    }
                }
                let mut chunk = [0u8; 16 * 1024];
                loop {
                    let n = match client_r.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    // Logged before it is forwarded: once the server has
                    // answered a message, the log holds it.
                    buffer.extend_from_slice(&chunk[..n]);
                    parse_frontend_on(&mut buffer, &mut startup, &log, Some(index));
                    if server_w.write_all(&chunk[..n]).is_err() {
                        break;
                    }
                }
                let _ = server_w.shutdown(Shutdown::Both);
            });
        }
    });
    Proxy { port, wire }
}

/// A NUL-terminated string and the bytes after it.
pub fn cstring(bytes: &[u8]) -> (String, &[u8]) {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    let rest = bytes.get(end + 1..).unwrap_or(&[]);
    (String::from_utf8_lossy(&bytes[..end]).into_owned(), rest)
}

/// Consumes complete frontend messages from `buffer` (not tied to a
/// connection entry).
pub fn parse_frontend(buffer: &mut Vec<u8>, startup: &mut bool, log: &Mutex<Wire>) {
    parse_frontend_on(buffer, startup, log, None)
}

fn parse_frontend_on(
    buffer: &mut Vec<u8>,
    startup: &mut bool,
    log: &Mutex<Wire>,
    connection: Option<usize>,
) {
    loop {
        if *startup {
            // Untyped: length, then a protocol code (SSL / GSS requests are
            // followed by the real startup message).
            if buffer.len() < 8 {
                return;
            }
            let len = u32::from_be_bytes([buffer[0], buffer[1], buffer[2], buffer[3]]) as usize;
            if buffer.len() < len {
                return;
            }
            let code = u32::from_be_bytes([buffer[4], buffer[5], buffer[6], buffer[7]]);
            *startup = code == 80_877_103 || code == 80_877_104;
            if !*startup && code == 196_608 {
                // Protocol 3.0: name/value pairs up to an empty name.
                let mut params = Vec::new();
                let mut rest = &buffer[8..len.max(8)];
                loop {
                    let (name, after) = cstring(rest);
                    if name.is_empty() {
                        break;
                    }
                    let (value, after) = cstring(after);
                    params.push((name, value));
                    rest = after;
                }
                if let Some(i) = connection {
                    let mut wire = log.lock().unwrap_or_else(|p| p.into_inner());
                    if let Some(c) = wire.connections.get_mut(i) {
                        c.startup = params;
                    }
                }
            }
            buffer.drain(..len.max(8));
            continue;
        }
        if buffer.len() < 5 {
            return;
        }
        let tag = buffer[0];
        let len = u32::from_be_bytes([buffer[1], buffer[2], buffer[3], buffer[4]]) as usize;
        if buffer.len() < 1 + len {
            return;
        }
        let body = &buffer[5..1 + len];
        {
            let mut wire = log.lock().unwrap_or_else(|p| p.into_inner());
            let sent = match tag {
                b'Q' => {
                    let sql = cstring(body).0;
                    wire.simple_queries.push(sql.clone());
                    Some(Sent::Query(sql))
                }
                b'P' => {
                    let (_statement, rest) = cstring(body);
                    let sql = cstring(rest).0;
                    wire.parses.push(sql.clone());
                    Some(Sent::Parse(sql))
                }
                b'E' => {
                    wire.executes += 1;
                    None
                }
                _ => None,
            };
            if let (Some(sent), Some(i)) = (sent, connection) {
                if let Some(c) = wire.connections.get_mut(i) {
                    c.sent.push(sent);
                }
            }
        }
        buffer.drain(..1 + len);
    }
}

/// Host and port of the admin `DATABASE_URL` (the proxy's usual upstream).
pub fn upstream() -> (String, u16) {
    let config: tokio_postgres::Config = super::database_url().parse().expect("DATABASE_URL");
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        _ => "127.0.0.1".to_string(),
    };
    (host, config.get_ports().first().copied().unwrap_or(5432))
}
