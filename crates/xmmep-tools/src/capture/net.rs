//! Flow building: hosts on one Ethernet segment, a clock, TCP connections as a
//! Linux stack sends them (handshake with the usual options, timestamps on
//! every segment, MSS segmentation, delayed and quick ACKs, FIN close) and UDP
//! datagrams. Headers and checksums are built by `etherparse`.

use etherparse::{IpHeaders, IpNumber, Ipv4Header, PacketBuilder, TcpHeader, TcpOptionElement};

use crate::capture::pcapng::Packet;
use crate::capture::rng::Rnd;

/// Payload bytes per full segment: 1500 MTU - 20 IPv4 - 20 TCP - 12 options.
pub const MSS: usize = 1448;
/// First and last client (ephemeral) port. `tshark -G decodes` binds none of
/// 50000..=53999 to a dissector.
pub const EPHEMERAL: (u16, u16) = (50000, 53999);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostId(usize);

struct Host {
    mac: [u8; 6],
    ip: [u8; 4],
    ip_id: u16,
}

pub struct Net {
    pub rng: Rnd,
    now: u64,
    hosts: Vec<Host>,
    packets: Vec<Packet>,
    next_port: u16,
}

impl Net {
    /// A network whose clock starts at a moment of 2024 chosen by the seed.
    pub fn new(seed: u64, name: &str) -> Net {
        let mut rng = Rnd::new(seed, name);
        let start_s = 1_704_067_200 + rng.range(0, 365 * 86_400 - 1);
        let now = start_s * 1_000_000_000 + rng.range(0, 999_999_999);
        let next_port = rng.range(EPHEMERAL.0 as u64, EPHEMERAL.1 as u64 - 2000) as u16;
        Net { rng, now, hosts: Vec::new(), packets: Vec::new(), next_port }
    }

    pub fn host(&mut self, ip: [u8; 4]) -> HostId {
        // A QEMU/KVM style MAC (52:54:00) that is unique per address.
        let mac = [0x52, 0x54, 0x00, ip[1] ^ ip[0], ip[2], ip[3]];
        let ip_id = self.rng.u32() as u16;
        self.hosts.push(Host { mac, ip, ip_id });
        HostId(self.hosts.len() - 1)
    }

    pub fn ip(&self, h: HostId) -> [u8; 4] {
        self.hosts[h.0].ip
    }

    pub fn ip_text(&self, h: HostId) -> String {
        let [a, b, c, d] = self.ip(h);
        format!("{a}.{b}.{c}.{d}")
    }

    /// The clock, in whole seconds since 1970 (for `send_time` fields).
    pub fn now_secs(&self) -> i64 {
        (self.now / 1_000_000_000) as i64
    }

    pub fn now_ns(&self) -> u64 {
        self.now
    }

    pub fn wait_ms(&mut self, lo: u64, hi: u64) {
        self.now += self.rng.range(lo * 1_000_000, hi * 1_000_000);
    }

    pub fn wait_us(&mut self, lo: u64, hi: u64) {
        self.now += self.rng.range(lo * 1_000, hi * 1_000);
    }

    /// The next client port, as a stack hands them out (rising, with gaps).
    pub fn ephemeral(&mut self) -> u16 {
        let p = self.next_port;
        self.next_port += self.rng.range(1, 9) as u16;
        if self.next_port > EPHEMERAL.1 {
            self.next_port = EPHEMERAL.0;
        }
        p
    }

    fn ipv4(&mut self, src: HostId, dst: HostId, protocol: IpNumber) -> IpHeaders {
        let h = &mut self.hosts[src.0];
        h.ip_id = h.ip_id.wrapping_add(1);
        let hdr = Ipv4Header { identification: h.ip_id, dont_fragment: true, time_to_live: 64, protocol, source: h.ip, destination: self.hosts[dst.0].ip, ..Default::default() };
        IpHeaders::Ipv4(hdr, Default::default())
    }

    fn push(&mut self, ts_ns: u64, frame: Vec<u8>, comment: Option<String>) {
        self.packets.push(Packet { ts_ns, frame, comment });
    }

    fn emit_tcp(&mut self, ts_ns: u64, src: HostId, dst: HostId, tcp: TcpHeader, payload: &[u8], comment: Option<String>) {
        let ip = self.ipv4(src, dst, IpNumber::TCP);
        let b = PacketBuilder::ethernet2(self.hosts[src.0].mac, self.hosts[dst.0].mac).ip(ip).tcp_header(tcp);
        let mut frame = Vec::with_capacity(b.size(payload.len()));
        b.write(&mut frame, payload).expect("TCP frame");
        self.push(ts_ns, frame, comment);
    }

    /// One UDP datagram now; the clock moves on a little.
    pub fn udp(&mut self, src: HostId, sport: u16, dst: HostId, dport: u16, payload: &[u8], comment: Option<String>) {
        let ip = self.ipv4(src, dst, IpNumber::UDP);
        let b = PacketBuilder::ethernet2(self.hosts[src.0].mac, self.hosts[dst.0].mac).ip(ip).udp(sport, dport);
        let mut frame = Vec::with_capacity(b.size(payload.len()));
        b.write(&mut frame, payload).expect("UDP frame");
        let ts = self.now;
        self.push(ts, frame, comment);
        self.wait_us(20, 80);
    }

    /// The packets so far, in time order (stable: equal times keep the order
    /// they were sent in).
    pub fn take_packets(&mut self) -> Vec<Packet> {
        let mut p = std::mem::take(&mut self.packets);
        p.sort_by_key(|p| p.ts_ns);
        p
    }
}

/// Which end of a TCP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Client,
    Server,
}
pub use Side::{Client, Server};

impl Side {
    fn i(self) -> usize {
        self as usize
    }
    pub fn other(self) -> Side {
        match self {
            Client => Server,
            Server => Client,
        }
    }
}

struct End {
    host: HostId,
    port: u16,
    /// Next sequence number to send, and next expected from the peer.
    snd_nxt: u32,
    rcv_nxt: u32,
    /// Offset of this end's TCP timestamp clock (ms).
    ts_off: u32,
    /// Last timestamp seen from the peer (echoed in TSecr), and one that
    /// arrives at a later time (a segment emitted ahead of the clock).
    ts_recent: u32,
    ts_pending: Option<(u64, u32)>,
    window: u16,
    /// When this end's delayed ACK is due, if it owes one.
    ack_due: Option<u64>,
}

/// A TCP connection seen from a point next to the server: the server's
/// segments appear at once, the client's a round trip after what they answer.
pub struct Tcp {
    ends: [End; 2],
    rtt_ns: u64,
    last_from: Option<Side>,
    last_ts: u64,
    note: Option<String>,
}

/// Flags of a segment.
#[derive(Default, Clone, Copy)]
struct Flags {
    syn: bool,
    fin: bool,
    psh: bool,
    ack: bool,
}

const DELAYED_ACK_NS: u64 = 40_000_000;

impl Tcp {
    /// Opens a connection from a fresh ephemeral port of `client` to
    /// `server:port` with a three-way handshake.
    pub fn connect(net: &mut Net, client: HostId, server: HostId, port: u16) -> Tcp {
        let cport = net.ephemeral();
        let end =
            |net: &mut Net, host, port| End { host, port, snd_nxt: net.rng.u32(), rcv_nxt: 0, ts_off: net.rng.u32(), ts_recent: 0, ts_pending: None, window: 0, ack_due: None };
        let c = end(net, client, cport);
        let s = end(net, server, port);
        let rtt_ns = net.rng.range(8_000_000, 45_000_000);
        let mut t = Tcp { ends: [c, s], rtt_ns, last_from: None, last_ts: net.now, note: None };
        // SYN, SYN-ACK, ACK with the options Linux sends.
        t.ends[0].window = 64240;
        t.segment(net, Client, Flags { syn: true, ..Flags::default() }, &[], None, true);
        t.ends[1].rcv_nxt = t.ends[0].snd_nxt;
        t.ends[1].window = 65160;
        t.segment(net, Server, Flags { syn: true, ack: true, ..Flags::default() }, &[], None, true);
        t.ends[0].rcv_nxt = t.ends[1].snd_nxt;
        t.ends[0].window = 502;
        t.ends[1].window = 509;
        let at = t.segment(net, Client, Flags { ack: true, ..Flags::default() }, &[], None, false);
        // The client's first data follows its ACK.
        t.last_from = Some(Client);
        t.last_ts = at;
        net.now = net.now.max(at);
        t
    }

    pub fn client_port(&self) -> u16 {
        self.ends[0].port
    }

    /// A comment for the next data segment.
    pub fn note(&mut self, text: impl Into<String>) {
        self.note = Some(text.into());
    }

    /// When `from` can send next: at once after its own segment, a little
    /// later after the peer's (the server thinks; the client also waits for
    /// the round trip).
    fn next_time(&mut self, net: &mut Net, from: Side) -> u64 {
        let t = if self.last_from == Some(from) || self.last_from.is_none() {
            self.last_ts + net.rng.range(4_000, 30_000)
        } else if from == Client {
            self.last_ts + self.rtt_ns + net.rng.range(30_000, 300_000)
        } else {
            self.last_ts + net.rng.range(30_000, 400_000)
        };
        // Never before what the script has already seen happen (a forward
        // follows the message it forwards).
        t.max(net.now + net.rng.range(20_000, 250_000))
    }

    fn ts_val(&self, net: &Net, from: Side, at: u64) -> u32 {
        let _ = net;
        ((at / 1_000_000) as u32).wrapping_add(self.ends[from.i()].ts_off)
    }

    /// Emits a segment from `from` with the current sequence numbers and
    /// advances `snd_nxt` by its length (SYN and FIN count one). `seq` other
    /// than None sends at that sequence number without advancing (a
    /// retransmission or a segment sent out of order).
    fn segment(&mut self, net: &mut Net, from: Side, flags: Flags, payload: &[u8], seq: Option<u32>, handshake: bool) -> u64 {
        let at = self.next_time(net, from);
        self.flush_acks_before(net, at);
        self.emit_at(net, at, from, flags, payload, seq, handshake, &[]);
        at
    }

    #[allow(clippy::too_many_arguments)]
    fn emit_at(&mut self, net: &mut Net, at: u64, from: Side, flags: Flags, payload: &[u8], seq: Option<u32>, handshake: bool, sack: &[(u32, u32)]) {
        let (me, peer) = (from.i(), from.other().i());
        let tsval = self.ts_val(net, from, at);
        if let Some((t0, v)) = self.ends[me].ts_pending {
            if at >= t0 {
                self.ends[me].ts_recent = v;
                self.ends[me].ts_pending = None;
            }
        }
        let e = &self.ends[me];
        let mut h = TcpHeader::new(e.port, self.ends[peer].port, seq.unwrap_or(e.snd_nxt), e.window);
        h.syn = flags.syn;
        h.fin = flags.fin;
        h.psh = flags.psh;
        h.ack = flags.ack;
        if flags.ack {
            h.acknowledgment_number = e.rcv_nxt;
        }
        let ts = TcpOptionElement::Timestamp(tsval, e.ts_recent);
        let opts: Vec<TcpOptionElement> = if handshake {
            use TcpOptionElement::*;
            vec![MaximumSegmentSize(1460), SelectiveAcknowledgementPermitted, ts, Noop, WindowScale(7)]
        } else if let Some((first, rest)) = sack.split_first() {
            let mut more = [None; 3];
            for (m, r) in more.iter_mut().zip(rest) {
                *m = Some(*r);
            }
            use TcpOptionElement::*;
            vec![Noop, Noop, ts, Noop, Noop, SelectiveAcknowledgement(*first, more)]
        } else {
            vec![TcpOptionElement::Noop, TcpOptionElement::Noop, ts]
        };
        h.set_options(&opts).expect("TCP options fit");
        let comment = if payload.is_empty() && !flags.fin { None } else { self.note.take() };
        net.emit_tcp(at, e.host, self.ends[peer].host, h, payload, comment);
        if seq.is_none() {
            let len = payload.len() as u32 + flags.syn as u32 + flags.fin as u32;
            self.ends[me].snd_nxt = self.ends[me].snd_nxt.wrapping_add(len);
        }
        // Whatever this segment carried, it acknowledged all the peer sent.
        self.ends[me].ack_due = None;
        self.ends[peer].ts_pending = Some((at, tsval));
        // Pure ACKs do not pace the data that follows.
        if !payload.is_empty() || flags.syn || flags.fin {
            self.last_from = Some(from);
            self.last_ts = at;
            net.now = net.now.max(at);
        }
    }

    /// Sends the delayed ACKs that fall due before `at`. An ACK owed by the
    /// side about to send rides on its next segment instead.
    fn flush_acks_before(&mut self, net: &mut Net, at: u64) {
        for side in [Client, Server] {
            if let Some(due) = self.ends[side.i()].ack_due {
                if due <= at {
                    self.emit_at(net, due, side, Flags { ack: true, ..Flags::default() }, &[], None, false, &[]);
                }
            }
        }
    }

    /// The peer of `from` has received data up to `upto` at time `at`.
    fn received(&mut self, from: Side, at: u64) {
        let peer = from.other();
        self.ends[peer.i()].rcv_nxt = self.ends[from.i()].snd_nxt;
        let delay = if peer == Client { self.rtt_ns } else { 0 };
        if self.ends[peer.i()].ack_due.is_none() {
            self.ends[peer.i()].ack_due = Some(at + delay + DELAYED_ACK_NS);
        }
    }

    /// An immediate ACK from the receiver (Linux acks every second full
    /// segment at once).
    fn quick_ack(&mut self, net: &mut Net, receiver: Side) {
        let at = self.last_ts + if receiver == Client { self.rtt_ns } else { net.rng.range(20_000, 60_000) };
        // The sender goes on sending without waiting for it.
        self.emit_at(net, at, receiver, Flags { ack: true, ..Flags::default() }, &[], None, false, &[]);
    }

    /// Sends `data` from `from`, cut into full segments as the stack does,
    /// PSH on the last one.
    pub fn send(&mut self, net: &mut Net, from: Side, data: &[u8]) {
        let cuts: Vec<usize> = (1..data.len().div_ceil(MSS)).map(|i| i * MSS).collect();
        self.send_cut(net, from, data, &cuts);
    }

    /// Sends `data` from `from` as one segment per piece, cut at the given
    /// offsets (each piece at most MSS bytes): what a sender that writes in
    /// pieces with Nagle off puts on the wire.
    pub fn send_cut(&mut self, net: &mut Net, from: Side, data: &[u8], cuts: &[usize]) {
        let mut bounds = vec![0];
        bounds.extend_from_slice(cuts);
        bounds.push(data.len());
        let mut full = 0;
        for (k, w) in bounds.windows(2).enumerate() {
            let piece = &data[w[0]..w[1]];
            assert!(!piece.is_empty() && piece.len() <= MSS, "segment of {} bytes", piece.len());
            let last = k + 2 == bounds.len();
            let at = self.next_time(net, from);
            self.flush_acks_before(net, at);
            let psh = last || piece.len() < MSS;
            self.emit_at(net, at, from, Flags { ack: true, psh, ..Flags::default() }, piece, None, false, &[]);
            self.received(from, at);
            if piece.len() == MSS {
                full += 1;
                if full % 2 == 0 {
                    self.quick_ack(net, from.other());
                    self.ends[from.other().i()].ack_due = None;
                }
            }
        }
    }

    /// Sends three pieces with the second one put on the wire after the
    /// third: the receiver answers the gap with a duplicate ACK carrying a
    /// SACK block, then acknowledges everything when the second arrives.
    pub fn send_out_of_order(&mut self, net: &mut Net, from: Side, pieces: [&[u8]; 3], notes: [&str; 2]) {
        let seq0 = self.ends[from.i()].snd_nxt;
        let seq1 = seq0.wrapping_add(pieces[0].len() as u32);
        let seq2 = seq1.wrapping_add(pieces[1].len() as u32);
        let end = seq2.wrapping_add(pieces[2].len() as u32);
        let receiver = from.other();
        let ack = Flags { ack: true, psh: true, ..Flags::default() };
        self.segment(net, from, ack, pieces[0], None, false);
        self.received(from, self.last_ts);
        // The third piece, sent before the second.
        self.note(notes[0]);
        self.segment(net, from, ack, pieces[2], Some(seq2), false);
        let at = self.last_ts + if receiver == Client { self.rtt_ns } else { 50_000 };
        self.emit_at(net, at, receiver, Flags { ack: true, ..Flags::default() }, &[], None, false, &[(seq2, end)]);
        // Now the second.
        self.ends[from.i()].snd_nxt = seq1;
        self.note(notes[1]);
        self.segment(net, from, ack, pieces[1], None, false);
        self.ends[from.i()].snd_nxt = end;
        self.received(from, self.last_ts);
        self.ends[receiver.i()].ack_due = None;
        let at = self.last_ts + if receiver == Client { self.rtt_ns } else { 40_000 };
        self.emit_at(net, at, receiver, Flags { ack: true, ..Flags::default() }, &[], None, false, &[]);
    }

    /// Sends `data` in one segment, gets no ACK, and sends it again after the
    /// retransmission timeout; then the receiver acknowledges it.
    pub fn send_retransmitted(&mut self, net: &mut Net, from: Side, data: &[u8], note: &str) {
        assert!(data.len() <= MSS);
        let seq = self.ends[from.i()].snd_nxt;
        self.segment(net, from, Flags { ack: true, psh: true, ..Flags::default() }, data, None, false);
        let rto = (self.rtt_ns * 2).max(200_000_000) + net.rng.range(1_000_000, 9_000_000);
        self.last_ts += rto;
        self.note(note);
        self.segment(net, from, Flags { ack: true, psh: true, ..Flags::default() }, data, Some(seq), false);
        self.received(from, self.last_ts);
        let receiver = from.other();
        self.ends[receiver.i()].ack_due = None;
        let at = self.last_ts + if receiver == Client { self.rtt_ns } else { 40_000 };
        self.emit_at(net, at, receiver, Flags { ack: true, ..Flags::default() }, &[], None, false, &[]);
    }

    /// Sends any ACK still owed, as the delayed-ACK timer would.
    pub fn settle(&mut self, net: &mut Net) {
        for side in [Client, Server] {
            if let Some(due) = self.ends[side.i()].ack_due {
                self.emit_at(net, due, side, Flags { ack: true, ..Flags::default() }, &[], None, false, &[]);
            }
        }
    }

    /// Closes the connection: FIN from `initiator`, ACK, FIN from the peer,
    /// last ACK.
    pub fn close(&mut self, net: &mut Net, initiator: Side) {
        self.close_with(net, initiator, &[]);
    }

    /// Closes the connection with `last` as the payload of the initiator's
    /// FIN segment (an application that writes and closes at once).
    pub fn close_with(&mut self, net: &mut Net, initiator: Side, last: &[u8]) {
        assert!(last.len() <= MSS);
        let peer = initiator.other();
        let fin = Flags { fin: true, ack: true, psh: !last.is_empty(), ..Flags::default() };
        self.segment(net, initiator, fin, last, None, false);
        let fin = Flags { fin: true, ack: true, ..Flags::default() };
        self.ends[peer.i()].rcv_nxt = self.ends[initiator.i()].snd_nxt;
        self.ends[peer.i()].ack_due = None;
        let at = self.segment(net, peer, Flags { ack: true, ..Flags::default() }, &[], None, false);
        // The peer's application closes a little after its stack acked.
        self.last_from = Some(peer);
        self.last_ts = at + net.rng.range(100_000, 2_000_000);
        self.segment(net, peer, fin, &[], None, false);
        self.ends[initiator.i()].rcv_nxt = self.ends[peer.i()].snd_nxt;
        self.segment(net, initiator, Flags { ack: true, ..Flags::default() }, &[], None, false);
    }
}

/// A UDP flow between two endpoints.
pub struct Udp {
    pub a: (HostId, u16),
    pub b: (HostId, u16),
}

impl Udp {
    pub fn new(a: HostId, aport: u16, b: HostId, bport: u16) -> Udp {
        Udp { a: (a, aport), b: (b, bport) }
    }
    pub fn a_to_b(&self, net: &mut Net, payload: &[u8], comment: Option<&str>) {
        net.udp(self.a.0, self.a.1, self.b.0, self.b.1, payload, comment.map(str::to_string));
    }
    pub fn b_to_a(&self, net: &mut Net, payload: &[u8], comment: Option<&str>) {
        net.udp(self.b.0, self.b.1, self.a.0, self.a.1, payload, comment.map(str::to_string));
    }
}
