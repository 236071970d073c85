//! Reading a capture back: the TCP streams (reassembled by sequence number,
//! retransmissions and reordering undone) and UDP datagrams it holds, and the
//! XMMEP messages in them. For tests and tools; a simple reader, not a
//! general TCP reassembler (it expects the SYN of each stream in the file).

use std::collections::BTreeMap;

use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use pcap_file::pcapng::{Block, PcapNgReader};

use xmmep_core::codec::header::frame;
use xmmep_core::codec::Frame;

pub type Endpoint = ([u8; 4], u16);

/// One direction of a TCP connection, or one UDP datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    pub tcp: bool,
    pub src: Endpoint,
    pub dst: Endpoint,
    pub data: Vec<u8>,
}

/// The Ethernet frames of a pcapng file, with their timestamps (ns).
pub fn frames(pcapng: &[u8]) -> Vec<(u64, Vec<u8>)> {
    let mut r = PcapNgReader::new(pcapng).expect("pcapng section header");
    let mut out = Vec::new();
    while let Some(block) = r.next_block() {
        if let Block::EnhancedPacket(p) = block.expect("pcapng block") {
            out.push((p.timestamp.as_nanos() as u64, p.data.into_owned()));
        }
    }
    out
}

#[derive(Default)]
struct Dir {
    isn: Option<u32>,
    segs: Vec<(u32, Vec<u8>)>,
}

/// TCP streams (one Payload per direction with data, in order of first
/// appearance) followed by nothing else, then UDP datagrams interleaved in
/// capture order as they come.
pub fn payloads(pcapng: &[u8]) -> Vec<Payload> {
    let mut order: Vec<(Endpoint, Endpoint)> = Vec::new();
    let mut dirs: BTreeMap<(Endpoint, Endpoint), Dir> = BTreeMap::new();
    let mut out = Vec::new();
    let mut tcp_slots = Vec::new();
    for (_, f) in frames(pcapng) {
        let p = SlicedPacket::from_ethernet(&f).expect("Ethernet frame");
        let Some(NetSlice::Ipv4(ip)) = &p.net else { continue };
        let (s, d) = (ip.header().source(), ip.header().destination());
        match &p.transport {
            Some(TransportSlice::Tcp(t)) => {
                let key = ((s, t.source_port()), (d, t.destination_port()));
                let dir = dirs.entry(key).or_default();
                if t.syn() {
                    dir.isn = Some(t.sequence_number().wrapping_add(1));
                } else if !t.payload().is_empty() {
                    if !order.contains(&key) {
                        order.push(key);
                        tcp_slots.push(out.len());
                        out.push(Payload { tcp: true, src: key.0, dst: key.1, data: vec![] });
                    }
                    dir.segs.push((t.sequence_number(), t.payload().to_vec()));
                }
            }
            Some(TransportSlice::Udp(u)) => out.push(Payload { tcp: false, src: (s, u.source_port()), dst: (d, u.destination_port()), data: u.payload().to_vec() }),
            _ => {}
        }
    }
    for (key, slot) in order.iter().zip(tcp_slots) {
        let dir = dirs.get_mut(key).unwrap();
        let isn = dir.isn.expect("the capture holds the SYN of every stream");
        dir.segs.sort_by_key(|(seq, _)| seq.wrapping_sub(isn));
        let data = &mut out[slot].data;
        for (seq, bytes) in &dir.segs {
            let off = seq.wrapping_sub(isn) as usize;
            assert!(off <= data.len(), "gap in the TCP stream");
            if off + bytes.len() > data.len() {
                data.extend_from_slice(&bytes[data.len() - off..]);
            }
        }
    }
    out
}

/// Splits a stream or datagram into messages: each complete one, then a
/// truncated last one or the bytes that follow a bad header, as they are.
pub fn messages(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        match frame(rest) {
            Frame::Message { len, complete: true, .. } => {
                out.push(&rest[..len]);
                rest = &rest[len..];
            }
            _ => {
                out.push(rest);
                break;
            }
        }
    }
    out
}
