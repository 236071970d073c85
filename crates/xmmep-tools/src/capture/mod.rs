//! The capture generator behind `xmmep-capgen`: a corpus of pcapng files of
//! XMMEP traffic as real stacks send it, a malformed set with one report
//! class per file, and non-XMMEP traffic on nearby ports; and one large
//! capture for benchmarks. Deterministic for a given seed.
//!
//! - `rng`: the seeded random source;
//! - `pcapng`: writing the files (`pcap-file`);
//! - `net`: hosts, clock, TCP and UDP flows (`etherparse`);
//! - `msg`: building messages against the table;
//! - `people`: the users, their profiles and buddy lists;
//! - `sessions`: the session scripts (registration, login, chat, ...);
//! - `malformed`: one capture per report class;
//! - `other`: traffic a heuristic must leave alone;
//! - `corpus`: the list of captures, writing them, the benchmark capture;
//! - `big`: frames over 64 KB (TCP in IPv4 of length 0, UDP jumbograms);
//! - `random`: structure-aware random traffic for fuzzing;
//! - `extract`: reading a capture back into XMMEP messages (tests, tools).

pub mod big;
pub mod corpus;
pub mod extract;
pub mod malformed;
pub mod msg;
pub mod net;
pub mod other;
pub mod pcapng;
pub mod people;
pub mod random;
pub mod rng;
pub mod sessions;

pub use corpus::{bench, bench_sized, corpus, write_corpus, Capture, Expect, DEFAULT_SEED};

/// Ports of the generated traffic. XMMEP has no fixed port; these are free in
/// `tshark -G decodes` (Wireshark 4.0), as are the client ports 50000-53999.
pub mod ports {
    /// Router server: login lookup and keepalives (UDP).
    pub const ROUTER_UDP: u16 = 6600;
    /// Register server (TCP).
    pub const REGISTER_TCP: u16 = 6610;
    /// Presence (login) server, the one the router hands out (TCP), and its
    /// keepalive port (UDP).
    pub const PRESENCE_TCP: u16 = 6620;
    pub const PRESENCE_UDP: u16 = 6620;
    /// Server-to-server links: router and presence server listen here (TCP).
    pub const ROUTER_S2S_TCP: u16 = 6630;
    pub const PRESENCE_S2S_TCP: u16 = 6631;
    /// Clients' peer-to-peer port (UDP) and file transfer ports (in messages).
    pub const PEER_UDP: u16 = 6650;
    pub const FILE_TCP: u16 = 6660;
    /// Non-XMMEP traffic next to them.
    pub const FTP_LIKE_TCP: u16 = 6621;
    pub const SMTP_LIKE_TCP: u16 = 6622;
    pub const HTTP_LIKE_TCP: u16 = 6623;
    pub const BINARY_TCP: u16 = 6624;
    pub const BINARY_UDP: u16 = 6601;
    /// Every port above, for the test that checks them against tshark.
    pub const ALL: &[u16] =
        &[ROUTER_UDP, REGISTER_TCP, PRESENCE_TCP, ROUTER_S2S_TCP, PRESENCE_S2S_TCP, PEER_UDP, FILE_TCP, FTP_LIKE_TCP, SMTP_LIKE_TCP, HTTP_LIKE_TCP, BINARY_TCP, BINARY_UDP];
}
