//! PLACEHOLDER registration, proving the toolchain end to end. The
//! table-driven registration replaces this file: it should build its
//! `FieldDesc` / `ExpertDesc` vectors from the message table and call the
//! same `registry` functions.
//!
//! Registers protocol `xmmep` with the two header fields, one subtree, two
//! expert infos, a named dissector "xmmep" and a Decode As entry for
//! "udp.port" (no heuristic, no port).

use std::sync::OnceLock;

use super::entry::{self, Dissector};
use super::epan::{Packet, COL_INFO, COL_PROTOCOL};
use super::registry::{self, EiId, EttId, ExpertDesc, FieldDesc, HfId, Protocol};
use super::sys;

struct Ids {
    proto: Protocol,
    hf_body_len: HfId,
    hf_msg_type: HfId,
    ett: EttId,
    ei_header: EiId,
}

static IDS: OnceLock<Ids> = OnceLock::new();

/// Called from Wireshark's `register_protoinfo`.
pub fn register_protoinfo() {
    let proto = registry::register_protocol("X-Messenger Message Exchange Protocol", "XMMEP", "xmmep");
    let hf = registry::register_fields(
        proto,
        &[
            FieldDesc::new("Body length", "xmmep.body_len", sys::FT_UINT16, sys::BASE_DEC)
                .blurb("Length of the message body in bytes (header bytes 0-3, ASCII decimal)"),
            FieldDesc::new("Message type", "xmmep.msg_type", sys::FT_UINT16, sys::BASE_DEC)
                .blurb("Message type (header bytes 4-7, ASCII decimal)"),
        ],
    );
    let ett = registry::register_subtrees(1);
    let ei = registry::register_expert(
        proto,
        &[
            ExpertDesc::new("xmmep.internal_error", registry::PI_MALFORMED, registry::PI_ERROR, "Internal error in the XMMEP dissector"),
            ExpertDesc::new("xmmep.header_invalid", registry::PI_MALFORMED, registry::PI_ERROR, "Header is not two right-aligned decimal numbers"),
        ],
    );
    entry::set_panic_expert(ei[0]);
    let _ = IDS.set(Ids {
        proto,
        hf_body_len: hf[0],
        hf_msg_type: hf[1],
        ett: ett[0],
        ei_header: ei[1],
    });
}

/// Called from Wireshark's `register_handoff`.
pub fn register_handoff() {
    let Some(ids) = IDS.get() else { return };
    let handle = registry::register_dissector::<HeaderOnly>("xmmep", ids.proto);
    registry::add_for_decode_as("udp.port", handle);
}

/// A 4-byte header number: digits right-aligned, padded with spaces or '0'.
fn ascii_number(b: &[u8]) -> Option<u32> {
    let t = b.iter().position(|&c| c != b' ' && c != b'0').unwrap_or(b.len());
    if b[t..].is_empty() {
        return if b.contains(&b'0') { Some(0) } else { None };
    }
    b[t..].iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
}

/// Shows the 8-byte header of one message. Deliberately does NOT check the
/// length before adding the items: a short packet makes epan throw, which
/// the shim catches and which is then shown as Wireshark's usual
/// "[Malformed Packet]" (that path is what the integration test exercises).
struct HeaderOnly;

impl Dissector for HeaderOnly {
    fn dissect(pkt: &Packet<'_>) -> i32 {
        let Some(ids) = IDS.get() else { return 0 };
        let _ = pkt.pinfo.col_set(COL_PROTOCOL, "XMMEP");
        let _ = pkt.pinfo.col_clear(COL_INFO);
        let tvb = pkt.tvb;
        let len = tvb.captured_len() as i32;
        let result = (|| {
            let item = pkt.tree.add_protocol(ids.proto, tvb, 0, -1)?;
            let sub = item.add_subtree(ids.ett)?;
            let head = tvb.slice(0, 8)?;
            let (bl, mt) = (ascii_number(&head[..4]), ascii_number(&head[4..]));
            let i1 = sub.add_uint(ids.hf_body_len, tvb, 0, 4, bl.unwrap_or(0))?;
            let i2 = sub.add_uint(ids.hf_msg_type, tvb, 4, 4, mt.unwrap_or(0))?;
            if bl.is_none() {
                pkt.pinfo.expert(Some(i1), ids.ei_header, None)?;
            }
            if mt.is_none() {
                pkt.pinfo.expert(Some(i2), ids.ei_header, None)?;
            }
            pkt.pinfo.col_set(COL_INFO, &format!("Type {}", mt.unwrap_or(0)))
        })();
        if let Err(e) = result {
            let _ = pkt.show_exception(&e);
        }
        len
    }
}

#[cfg(test)]
mod tests {
    use super::ascii_number;

    #[test]
    fn header_numbers() {
        assert_eq!(ascii_number(b"  12"), Some(12));
        assert_eq!(ascii_number(b"0012"), Some(12));
        assert_eq!(ascii_number(b"0000"), Some(0));
        assert_eq!(ascii_number(b" 1 2"), None);
        assert_eq!(ascii_number(b"    "), None);
        assert_eq!(ascii_number(b"12x4"), None);
    }
}
