//! The corpus: every capture the generator writes, what it is expected to
//! show, and writing it; and the large capture for benchmarks.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::capture::extract;
use crate::capture::malformed::CASES;
use crate::capture::net::{Client, HostId, Net, Server, Tcp, Udp};
use crate::capture::pcapng::{self, Packet};
use crate::capture::people::{World, ALICE, BOB};
use crate::capture::ports::{PEER_UDP, PRESENCE_TCP};
use crate::capture::{other, sessions};
use xmmep_core::codec::Charset;
use xmmep_core::reports::ReportKind;

pub const DEFAULT_SEED: u64 = 20_240_601;

/// What decoding a capture should show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Expect {
    /// Well-formed XMMEP; the only reports are cleartext password notes.
    Clean,
    /// This report class and no other (besides cleartext password notes).
    Class(ReportKind),
    /// No XMMEP at all.
    NotXmmep,
}

pub struct Capture {
    /// Path below the output folder, e.g. `malformed/truncated.pcapng`.
    pub path: String,
    pub description: String,
    /// The string character set to decode it with.
    pub charset: Charset,
    pub expect: Expect,
    pub packets: Vec<Packet>,
}

impl Capture {
    pub fn bytes(&self, seed: u64) -> Vec<u8> {
        let desc = format!("{} [xmmep-capgen --seed {seed}; strings in {}]", self.description, self.charset.name());
        pcapng::to_bytes(&desc, &self.packets)
    }
}

fn clean(path: &str, charset: Charset, (description, packets): sessions::Script) -> Capture {
    Capture { path: path.into(), description, charset, expect: Expect::Clean, packets }
}

/// Every capture of the corpus, generated from `seed`.
pub fn corpus(seed: u64) -> Vec<Capture> {
    let u = Charset::Utf8;
    let mut v = vec![
        clean("register.pcapng", u, sessions::register(seed)),
        clean("login.pcapng", u, sessions::login_session(seed)),
        clean("buddies.pcapng", u, sessions::buddies_session(seed)),
        clean("chat_utf8.pcapng", u, sessions::chat(seed, Charset::Utf8)),
        clean("chat_gb18030.pcapng", Charset::Gb18030, sessions::chat(seed, Charset::Gb18030)),
        clean("chat_relayed.pcapng", u, sessions::chat_relayed(seed)),
        clean("file_transfer.pcapng", u, sessions::file_transfer(seed)),
        clean("duplicate_login.pcapng", u, sessions::duplicate_login(seed)),
        clean("keepalive.pcapng", u, sessions::keepalives(seed)),
        clean("tcp_segments.pcapng", u, sessions::tcp_segments(seed)),
        clean("tcp_reorder.pcapng", u, sessions::tcp_reorder(seed)),
    ];
    let (description, packets) = other::non_xmmep(seed);
    v.push(Capture { path: "non_xmmep.pcapng".into(), description, charset: u, expect: Expect::NotXmmep, packets });
    for case in CASES {
        let name = case.kind.class().abbrev;
        let (description, packets) = (case.build)(seed, name);
        v.push(Capture {
            path: format!("malformed/{name}.pcapng"),
            description: format!("Malformed, {name}: {description}"),
            charset: u,
            expect: Expect::Class(case.kind),
            packets,
        });
    }
    v
}

/// Writes the corpus below `dir`; returns the files written.
pub fn write_corpus(dir: &Path, seed: u64) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for c in corpus(seed) {
        let path = dir.join(&c.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, c.bytes(seed))?;
        out.push(path);
    }
    Ok(out)
}

/// Writes one capture of `messages` XMMEP messages for benchmarks: TCP
/// connections of 2000 messages each (written in bursts of one to six
/// messages of one direction, so messages share and span segments) and UDP datagrams between peers, with
/// the well-formed messages of the corpus as the mix. Returns the number of
/// packets.
pub fn bench(path: &Path, messages: u64, seed: u64) -> std::io::Result<u64> {
    // The mix: every message of the clean captures, with its direction.
    let mut pool: Vec<(bool, Vec<u8>)> = Vec::new();
    for c in corpus(seed).into_iter().filter(|c| c.expect == Expect::Clean && c.charset == Charset::Utf8) {
        for p in extract::payloads(&c.bytes(seed)).into_iter().filter(|p| !sessions::is_file_data(&p.data)) {
            let from_server = p.src.1 < 50_000 && p.tcp;
            for m in extract::messages(&p.data) {
                pool.push((from_server, m.to_vec()));
            }
        }
    }
    let mut world = World::new(seed, "bench");
    let (a, b) = (ALICE.host(&mut world.net), BOB.host(&mut world.net));
    let p2p = Udp::new(a, PEER_UDP, b, PEER_UDP);
    let mut k = 0usize;
    let description = format!("Benchmark capture: {messages} XMMEP messages [xmmep-capgen --seed {seed}]");
    write_connections(path, &description, &mut world, a, messages, |net, c, sent| {
        let mut in_conn = 0;
        while in_conn < 2000 && *sent < messages {
            let burst = net.rng.range(1, 6) as usize;
            let from_server = pool[k % pool.len()].0;
            let mut data = Vec::new();
            for _ in 0..burst.min((messages - *sent) as usize) {
                let (dir, m) = &pool[k % pool.len()];
                if *dir != from_server {
                    break;
                }
                data.extend_from_slice(m);
                k += 1;
                *sent += 1;
                in_conn += 1;
            }
            net.wait_us(50, 3_000);
            if in_conn % 97 == 0 {
                p2p.a_to_b(net, &data, None);
            } else {
                c.send(net, if from_server { Server } else { Client }, &data);
            }
        }
    })
}

/// Writes a benchmark capture of `messages` messages to `path`: TCP
/// connections from `client` to the presence server, one after another,
/// each written as it closes. `fill` sends on one connection and counts
/// what it sent in `sent`, the messages sent so far. Returns the number of
/// packets.
fn write_connections(path: &Path, description: &str, world: &mut World, client: HostId, messages: u64, mut fill: impl FnMut(&mut Net, &mut Tcp, &mut u64)) -> std::io::Result<u64> {
    let file = std::fs::File::create(path)?;
    let mut w = pcapng::Writer::new(BufWriter::new(file), description)?;
    let presence = world.presence;
    let (mut sent, mut packets) = (0u64, 0u64);
    while sent < messages {
        let net = &mut world.net;
        let mut c = Tcp::connect(net, client, presence, PRESENCE_TCP);
        fill(net, &mut c, &mut sent);
        c.close(net, Client);
        for p in world.net.take_packets() {
            w.packet(&p)?;
            packets += 1;
        }
    }
    w.into_inner().flush()?;
    Ok(packets)
}

/// A capture of `messages` messages of exactly `size` bytes each (header
/// included; up to the 9,999-byte body the header can state), for the
/// size-growth benchmark: login responses with a buddy list (a list of
/// structs) and a room list (text and structs mixed), alternately, grown
/// until they reach `size`. Over the 1,450-byte limit they carry an Oversize
/// report, as such messages do. Returns the number of packets.
pub fn bench_sized(path: &Path, messages: u64, size: usize, seed: u64) -> std::io::Result<u64> {
    use crate::capture::people::buddy_list;
    let min = bench_sized_message(0, &[], "").len();
    if size < min || size > xmmep_core::table::HEADER_LEN + xmmep_core::table::MAX_BODY_LEN as usize {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("message size {size} is outside {min}..=9999 + header")));
    }
    let mut world = World::new(seed, "bench-sized");
    let a = ALICE.host(&mut world.net);
    let buddies = buddy_list(&mut world.net, 400, &["Friends", "Family", "Work"]);
    // Grows a list until the next element would pass `size`, then pads the
    // last text to reach it exactly.
    let build = |kind: usize| -> Vec<u8> {
        // Each element adds its texts and separators (a struct's two member
        // separators at most, one element separator) and the count may gain
        // a digit: grow while that much more still fits, without encoding
        // a body the header cannot state.
        let (mut n, mut short) = (0, min);
        while n < buddies.len() {
            let e = &buddies[n];
            if short + e.user.len() + e.group.len() + e.display.len() + 4 > size {
                break;
            }
            n += 1;
            short = bench_sized_message(kind, &buddies[..n], "").len();
        }
        bench_sized_message(kind, &buddies[..n], &"x".repeat(size - short))
    };
    let pair = [build(0), build(1)];
    let description = format!("Benchmark capture: {messages} XMMEP messages of {size} bytes [xmmep-capgen --seed {seed}]");
    write_connections(path, &description, &mut world, a, messages, |net, c, sent| {
        let mut in_conn = 0;
        while in_conn < 500 && *sent < messages {
            net.wait_us(50, 3_000);
            c.send(net, Server, &pair[(*sent % 2) as usize]);
            *sent += 1;
            in_conn += 1;
        }
    })
}

/// One message of `bench_sized`: kind 0 a buddy list, kind 1 a room list;
/// `pad` ends the last element's last text.
fn bench_sized_message(kind: usize, buddies: &[crate::capture::people::BuddyEntry], pad: &str) -> Vec<u8> {
    use crate::capture::msg::{msg_any, t, Int, List, Struct};
    let last = buddies.len().saturating_sub(1);
    let elems = buddies.iter().enumerate().map(|(i, e)| {
        let tail = if i == last { format!("{}{pad}", e.display) } else { e.display.clone() };
        if kind == 0 {
            Struct(vec![t(&e.user), t(&e.group), t(&tail)])
        } else if i % 2 == 0 && i != last {
            t(&e.user)
        } else {
            Struct(vec![t(&e.user), t(&e.group), t(&tail)])
        }
    });
    let name = if kind == 0 { "MSG_LOGIN_RES3" } else { "MSG_LOGIN_RES5" };
    msg_any(name, vec![Int(1), Int(buddies.len() as i64), List(elems.collect())])
}
