//! Is this buffer XMMEP? The rules of docs/presentation.md ("Heuristic"),
//! shared by the TCP and UDP heuristics of the plugin (the Lua script
//! implements the same rules from the same description).
//!
//! Strict on purpose: FTP, SMTP and HTTP start with letters or a 3-digit
//! code and a space, which is not two right-aligned 4-byte numbers; random
//! binary rarely has eight header bytes of digits and spaces and a type the
//! table defines.

use crate::codec::decode::{Decoded, Decoder};
use crate::codec::header::{frame, Frame};
use crate::reports::Severity;

fn first_message_ok(dec: &Decoder<'_>, buf: &[u8], scratch: &mut Decoded) -> Option<usize> {
    let Frame::Message { header, len, complete } = frame(buf) else { return None };
    dec.schema.message(header.msg_type)?;
    if complete {
        let _ = dec.decode_into(&buf[..len], scratch);
        if scratch.worst() == Some(Severity::Error) {
            return None;
        }
    }
    Some(len)
}

/// A TCP payload: its first message has a defined type and, when it is all
/// there, decodes without errors.
pub fn accept_tcp(dec: &Decoder<'_>, buf: &[u8]) -> bool {
    let mut scratch = Decoded::new();
    first_message_ok(dec, buf, &mut scratch).is_some()
}

/// A UDP datagram: every message frames exactly to the datagram's end and
/// has a defined type; the first decodes without errors.
pub fn accept_udp(dec: &Decoder<'_>, buf: &[u8]) -> bool {
    let mut scratch = Decoded::new();
    let Some(mut at) = first_message_ok(dec, buf, &mut scratch) else { return false };
    while at < buf.len() {
        match frame(&buf[at..]) {
            Frame::Message { header, len, complete: true } if dec.schema.message(header.msg_type).is_some() => at += len,
            _ => return false,
        }
    }
    at == buf.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{encode_raw, Options};
    use crate::schema::Schema;

    fn dec() -> Decoder<'static> {
        Decoder::new(Schema::standard(), Options::default())
    }

    #[test]
    fn accepts_xmmep() {
        let ka = encode_raw(200, b"alice");
        assert!(accept_tcp(&dec(), &ka));
        assert!(accept_tcp(&dec(), &ka[..8]), "a header alone is enough on TCP");
        assert!(accept_udp(&dec(), &ka));
        let two = [ka.clone(), ka.clone()].concat();
        assert!(accept_udp(&dec(), &two));
        assert!(!accept_udp(&dec(), &two[..two.len() - 1]), "a cut datagram does not frame");
    }

    #[test]
    fn rejects_other_protocols() {
        for other in [
            &b"220 ftp.example.com FTP server ready\r\n"[..],
            b"220 mail.example.com ESMTP Postfix\r\n",
            b"EHLO client.example.com\r\n",
            b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n",
            b"HTTP/1.1 200 OK\r\n",
            b"USER anonymous\r\n",
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
            b"   5 160hello", // in range, but no definition
            b"   5 200",      // too short on UDP
        ] {
            assert!(!accept_udp(&dec(), other), "{:?}", String::from_utf8_lossy(other));
        }
        assert!(!accept_tcp(&dec(), b"GET / HTTP/1.0\r\n"));
        // A whole message that decodes with an error is rejected.
        assert!(!accept_tcp(&dec(), &encode_raw(135, b"alice\x01x")));
    }
}
