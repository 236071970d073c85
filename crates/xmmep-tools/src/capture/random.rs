//! Structure-aware random captures for fuzzing (`xmmep-fuzzgen`,
//! scripts/fuzz.sh): XMMEP messages whose shape follows the table (fields,
//! struct members, list elements, dictionary pairs) with values drawn from
//! good, borderline and hostile bytes, framed as real traffic would be
//! (several messages per UDP datagram, TCP streams cut at random places,
//! closed inside a message or not), plus now and then a frame of up to
//! 256 KB (a TSO TCP segment or a UDP jumbogram) full of messages whose
//! lists are floods of delimiters. Ports are fixed ([`TCP_PORT`],
//! [`UDP_PORT`]) so that Decode As reaches the dissector whatever the bytes.

use crate::capture::big;
use crate::capture::net::{Client, Net, Server, Side, Tcp, MSS};
use crate::capture::pcapng::Packet;
use crate::capture::rng::Rnd;
use xmmep_core::codec::header::write_header;
use xmmep_core::table::{FieldType, Prim, MESSAGES};

/// The server ports of the random traffic (free in `tshark -G decodes`).
pub const TCP_PORT: u16 = 47420;
pub const UDP_PORT: u16 = 47421;
/// The largest frame a capture holds (wiretap's standard maximum).
const MAX_FRAME: usize = 256 * 1024;

const NAMES: &[&[u8]] = &[b"alice", b"bob_k", b"team-xmm", b"\xe5\xbc\xa0\xe4\xbc\x9f", b"\xd5\xc5\xce\xb0", b"x", b""];
const NUMBERS: &[&[u8]] = &[
    b"0",
    b"1",
    b"2",
    b"3",
    b"-1",
    b"255",
    b"256",
    b"65535",
    b"65536",
    b"-32768",
    b"2147483648",
    b"9223372036854775807",
    b"9223372036854775808",
    b"-9223372036854775808",
    b"99999999999999999999",
    b"007",
    b"-",
    b"1e3",
    b" 1",
    b"+1",
    b"",
];
const ADDRESSES: &[&[u8]] = &[b"203.0.113.20", b"10.0.0.1", b"256.1.1.1", b"1.2.3", b"1.2.3.4.5", b"01.2.3.4", b""];

/// Random bytes, delimiters and high bytes favoured.
fn hostile(r: &mut Rnd, n: usize) -> Vec<u8> {
    (0..n)
        .map(|_| match r.range(0, 9) {
            0..=3 => r.range(0, 4) as u8,
            4..=5 => r.range(0x80, 0xff) as u8,
            _ => r.range(0x20, 0x7e) as u8,
        })
        .collect()
}

fn scalar(r: &mut Rnd, prim: Prim) -> Vec<u8> {
    match (r.range(0, 9), prim) {
        (0, _) => {
            let n = r.range(0, 12) as usize;
            hostile(r, n)
        }
        (1, _) => Vec::new(),
        (_, Prim::String) => match r.range(0, 3) {
            0 => r.pick(ADDRESSES).to_vec(),
            _ => r.pick(NAMES).to_vec(),
        },
        (_, Prim::Boolean) => r.pick(&[&b"0"[..], b"1", b"2", b"true"]).to_vec(),
        _ => r.pick(NUMBERS).to_vec(),
    }
}

/// `n` elements made by `elem`, joined by `sep`; now and then a flood.
fn joined(r: &mut Rnd, sep: u8, elem: &mut dyn FnMut(&mut Rnd) -> Vec<u8>) -> Vec<u8> {
    if r.range(0, 19) == 0 {
        return {
            let n = r.range(1, 3000) as usize;
            vec![sep; n]
        };
    }
    let n = r.range(0, 6);
    let mut out = Vec::new();
    for i in 0..n {
        if i > 0 {
            out.push(sep);
        }
        out.extend(elem(r));
    }
    out
}

fn value(r: &mut Rnd, ty: &FieldType) -> Vec<u8> {
    match ty {
        FieldType::Prim(p) => scalar(r, *p),
        FieldType::Enum(_) => scalar(r, Prim::Integer),
        FieldType::Struct(st) => struct_value(r, st.members),
        FieldType::ListOfString { alt } => joined(r, 0x03, &mut |r| match alt {
            Some(st) if r.range(0, 2) == 0 => struct_value(r, st.members),
            _ => scalar(r, Prim::String),
        }),
        FieldType::ListOfStruct(st) => joined(r, 0x03, &mut |r| struct_value(r, st.members)),
        FieldType::Dictionary { key, value: v } => joined(r, 0x03, &mut |r| {
            let mut p = value(r, &key.ty);
            if r.range(0, 9) != 0 {
                p.push(0x04);
                p.extend(value(r, &v.ty));
            }
            p
        }),
    }
}

fn struct_value(r: &mut Rnd, members: &[&xmmep_core::table::Field]) -> Vec<u8> {
    let n = (members.len() as i64 + r.range(0, 4) as i64 - 2).max(0) as usize;
    let mut out = Vec::new();
    for i in 0..n {
        if i > 0 {
            out.push(0x02);
        }
        match members.get(i) {
            Some(m) => out.extend(value(r, &m.ty)),
            None => out.extend({
                let n = r.range(0, 4) as usize;
                hostile(r, n)
            }),
        }
    }
    out
}

/// One message: a type of the table most of the time, its fields (one
/// more or fewer now and then), a header that mostly tells the truth.
pub fn message(r: &mut Rnd) -> Vec<u8> {
    let def = r.pick(MESSAGES);
    let code = match r.range(0, 19) {
        0 => r.range(100, 999) as u32,
        1 => r.range(0, 9999) as u32,
        _ => def.code as u32,
    };
    let n = match r.range(0, 9) {
        0 => def.fields.len().saturating_sub(1),
        1 => def.fields.len() + 1,
        _ => def.fields.len(),
    };
    let mut body = Vec::new();
    for i in 0..n {
        if i > 0 {
            body.push(0x01);
        }
        match def.fields.get(i) {
            Some(f) => body.extend(value(r, &f.ty)),
            None => body.extend({
                let n = r.range(0, 6) as usize;
                hostile(r, n)
            }),
        }
    }
    body.truncate(9999);
    let mut out = Vec::with_capacity(8 + body.len());
    match r.range(0, 39) {
        0 => out.extend_from_slice(format!("{:04}{:04}", body.len(), code % 10000).as_bytes()),
        1 => out.extend(hostile(r, 8)),
        2 => write_header(&mut out, r.range(0, 9999) as u32, code % 10000),
        _ => write_header(&mut out, body.len() as u32, code % 10000),
    }
    out.extend(body);
    out
}

fn messages(r: &mut Rnd, lo: u64, hi: u64) -> Vec<u8> {
    (0..r.range(lo, hi)).flat_map(|_| message(r)).collect()
}

/// Cut points for `len` bytes: pieces of 1..=MSS bytes, mostly small.
fn cuts(r: &mut Rnd, len: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut at = 0;
    loop {
        let step = match r.range(0, 3) {
            0 => r.range(1, 9) as usize,
            _ => r.range(1, MSS as u64) as usize,
        };
        at += step;
        if at >= len {
            return out;
        }
        out.push(at);
    }
}

/// A frame of up to 256 KB: messages with flooded lists, as a TSO TCP
/// segment or a UDP jumbogram.
fn big_frame(r: &mut Rnd) -> Vec<u8> {
    let room = MAX_FRAME - 14 - 40 - 8 - 20;
    let want = r.range(65_536, room as u64) as usize;
    let mut payload = Vec::new();
    while payload.len() < want {
        let mut m = message(r);
        if r.range(0, 1) == 0 {
            // A flood: the start of a message's body, then one delimiter.
            let fill = *r.pick(&[1u8, 2, 3, 4]);
            let len = r.range(1000, 9999) as usize;
            let mut body: Vec<u8> = m.iter().skip(8).take(12).copied().collect();
            body.resize(len, fill);
            m.clear();
            write_header(&mut m, len as u32, r.pick(MESSAGES).code as u32);
            m.extend(body);
        }
        payload.extend(m);
    }
    payload.truncate(room);
    if r.range(0, 1) == 0 {
        big::tcp_ipv4([10, 0, 0, 2], 50999, [10, 0, 0, 1], TCP_PORT, r.u32(), &payload)
    } else {
        big::udp_ipv6(big::ipv6(2), 50999, big::ipv6(1), UDP_PORT, &payload)
    }
}

/// About `packets` packets of random XMMEP traffic for `seed`.
pub fn capture(seed: u64, packets: usize) -> Vec<Packet> {
    let mut net = Net::new(seed, "fuzz");
    let (c, s) = (net.host([10, 0, 0, 2]), net.host([10, 0, 0, 1]));
    let mut out: Vec<Packet> = Vec::new();
    while out.len() < packets {
        let mut r = Rnd::new(net.rng.u64(), "fuzz-step");
        match r.range(0, 199) {
            0 => {
                let frame = big_frame(&mut r);
                out.extend(net.take_packets());
                out.push(Packet { ts_ns: net.now_ns(), frame, comment: None });
                net.wait_us(100, 200);
            }
            1..=80 => {
                let payload = messages(&mut r, 1, 4);
                let payload = if r.range(0, 9) == 0 { payload[..r.range(0, payload.len() as u64) as usize].to_vec() } else { payload };
                let port = net.ephemeral();
                let payload = &payload[..payload.len().min(65_000)];
                if r.range(0, 1) == 0 {
                    net.udp(c, port, s, UDP_PORT, payload, None);
                } else {
                    net.udp(s, UDP_PORT, c, port, payload, None);
                }
            }
            _ => {
                let mut t = Tcp::connect(&mut net, c, s, TCP_PORT);
                for _ in 0..r.range(1, 4) {
                    let from: Side = if r.range(0, 1) == 0 { Client } else { Server };
                    let data = messages(&mut r, 1, 5);
                    let cut = cuts(&mut r, data.len());
                    t.send_cut(&mut net, from, &data, &cut);
                }
                if r.range(0, 3) == 0 {
                    let last = message(&mut r);
                    let keep = r.range(1, last.len().min(MSS) as u64) as usize;
                    t.close_with(&mut net, Client, &last[..keep]);
                } else {
                    t.close(&mut net, Client);
                }
                out.extend(net.take_packets());
            }
        }
    }
    out.extend(net.take_packets());
    out.sort_by_key(|p| p.ts_ns);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_sized() {
        let a = capture(7, 300);
        assert!(a.len() >= 300);
        assert_eq!(a, capture(7, 300));
        assert!(a.iter().all(|p| p.frame.len() <= MAX_FRAME));
        assert_ne!(a, capture(8, 300));
    }
}
