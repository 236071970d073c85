//! pcapng writing (with `pcap-file`): one little-endian section, one Ethernet
//! interface with nanosecond timestamps, optional per-packet comments.

use std::borrow::Cow;
use std::io::Write;
use std::time::Duration;

use pcap_file::pcapng::blocks::enhanced_packet::{EnhancedPacketBlock, EnhancedPacketOption};
use pcap_file::pcapng::blocks::interface_description::{InterfaceDescriptionBlock, InterfaceDescriptionOption};
use pcap_file::pcapng::blocks::section_header::{SectionHeaderBlock, SectionHeaderOption};
use pcap_file::pcapng::{PcapNgBlock, PcapNgWriter};
use pcap_file::{DataLink, Endianness, PcapError};

/// One captured frame (Ethernet II) and when it was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    /// Nanoseconds since 1970-01-01 00:00:00 UTC.
    pub ts_ns: u64,
    pub frame: Vec<u8>,
    /// Shown by Wireshark as the packet comment (`frame.comment`).
    pub comment: Option<String>,
}

pub struct Writer<W: Write> {
    inner: PcapNgWriter<W>,
}

fn io(e: PcapError) -> std::io::Error {
    match e {
        PcapError::IoError(e) => e,
        other => std::io::Error::other(other.to_string()),
    }
}

impl<W: Write> Writer<W> {
    /// Writes the section header (with `description` as its comment) and the
    /// interface description.
    pub fn new(out: W, description: &str) -> std::io::Result<Writer<W>> {
        let shb = SectionHeaderBlock {
            endianness: Endianness::Little,
            major_version: 1,
            minor_version: 0,
            section_length: -1,
            options: vec![SectionHeaderOption::Comment(Cow::Owned(description.to_string())), SectionHeaderOption::UserApplication(Cow::Borrowed("xmmep-capgen"))],
        };
        let mut inner = PcapNgWriter::with_section_header(out, shb).map_err(io)?;
        let idb = InterfaceDescriptionBlock {
            linktype: DataLink::ETHERNET,
            snaplen: 262_144,
            options: vec![
                InterfaceDescriptionOption::IfName(Cow::Borrowed("eth0")),
                // pcap-file writes EPB timestamps in nanoseconds.
                InterfaceDescriptionOption::IfTsResol(9),
            ],
        };
        inner.write_pcapng_block(idb).map_err(io)?;
        Ok(Writer { inner })
    }

    pub fn packet(&mut self, p: &Packet) -> std::io::Result<()> {
        let mut options = Vec::new();
        if let Some(c) = &p.comment {
            options.push(EnhancedPacketOption::Comment(Cow::Borrowed(c.as_str())));
        }
        let epb = EnhancedPacketBlock { interface_id: 0, timestamp: Duration::from_nanos(p.ts_ns), original_len: p.frame.len() as u32, data: Cow::Borrowed(&p.frame), options };
        self.inner.write_block(&epb.into_block()).map_err(io)?;
        Ok(())
    }

    pub fn into_inner(self) -> W {
        self.inner.into_inner()
    }
}

/// A whole capture in memory.
pub fn to_bytes(description: &str, packets: &[Packet]) -> Vec<u8> {
    let mut w = Writer::new(Vec::new(), description).expect("writing to a Vec cannot fail");
    for p in packets {
        w.packet(p).expect("writing to a Vec cannot fail");
    }
    w.into_inner()
}
