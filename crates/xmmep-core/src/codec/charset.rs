//! Character sets of String fields (docs/decisions.md 16, 18).
//!
//! Counting is defined so that the Lua script can do exactly the same with
//! byte arithmetic: a character starts at every UTF-8 byte that is not a
//! continuation byte (0x80-0xBF); in GB18030 a lead byte 0x81-0xFE takes one
//! following byte, or three when that byte is a digit 0x30-0x39.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Charset {
    #[default]
    Utf8,
    Gb18030,
}

impl Charset {
    pub fn name(self) -> &'static str {
        match self {
            Charset::Utf8 => "UTF-8",
            Charset::Gb18030 => "GB18030",
        }
    }

    /// Number of characters in `bytes` under this project's counting rule.
    pub fn count_chars(self, bytes: &[u8]) -> usize {
        match self {
            Charset::Utf8 => bytes.iter().filter(|&&b| !(0x80..=0xBF).contains(&b)).count(),
            Charset::Gb18030 => {
                let (mut i, mut n) = (0, 0);
                while i < bytes.len() {
                    let b = bytes[i];
                    i += if (0x81..=0xFE).contains(&b) && i + 1 < bytes.len() {
                        if bytes[i + 1].is_ascii_digit() && i + 3 < bytes.len() {
                            4
                        } else {
                            2
                        }
                    } else {
                        1
                    };
                    n += 1;
                }
                n
            }
        }
    }

    /// Whether `bytes` is valid UTF-8 (no overlong form, surrogate or
    /// code point past U+10FFFF); the Lua engine checks the same rule
    /// byte by byte.
    pub fn is_utf8(bytes: &[u8]) -> bool {
        std::str::from_utf8(bytes).is_ok()
    }

    /// Whether `bytes` has GB18030's shape: ASCII; a lead byte 0x81-0xFE
    /// and a byte 0x40-0x7E or 0x80-0xFE; or 0x81-0xFE, 0x30-0x39,
    /// 0x81-0xFE, 0x30-0x39.
    pub fn gb18030_shaped(bytes: &[u8]) -> bool {
        let lead = |b: u8| (0x81..=0xFE).contains(&b);
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b < 0x80 {
                i += 1;
                continue;
            }
            let (Some(&c), true) = (bytes.get(i + 1), lead(b)) else { return false };
            if c.is_ascii_digit() {
                match bytes.get(i + 2..i + 4) {
                    Some(&[d, e]) if lead(d) && e.is_ascii_digit() => i += 4,
                    _ => return false,
                }
            } else if (0x40..=0x7E).contains(&c) || (0x80..=0xFE).contains(&c) {
                i += 2;
            } else {
                return false;
            }
        }
        true
    }

    /// Text for display; invalid sequences become U+FFFD, never dropped.
    pub fn decode(self, bytes: &[u8]) -> String {
        match self {
            Charset::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            Charset::Gb18030 => encoding_rs::GB18030.decode_without_bom_handling(bytes).0.into_owned(),
        }
    }

    /// Bytes of `text` in this character set (for the encoder).
    pub fn encode(self, text: &str) -> Vec<u8> {
        match self {
            Charset::Utf8 => text.as_bytes().to_vec(),
            Charset::Gb18030 => encoding_rs::GB18030.encode(text).0.into_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_characters() {
        assert_eq!(Charset::Utf8.count_chars("张三abc".as_bytes()), 5);
        let gb = Charset::Gb18030.encode("张三abc");
        assert_eq!(gb.len(), 7);
        assert_eq!(Charset::Gb18030.count_chars(&gb), 5);
        assert_eq!(Charset::Gb18030.decode(&gb), "张三abc");
        // A four-byte GB18030 sequence (U+00C0 is outside GBK).
        let four = Charset::Gb18030.encode("À");
        assert_eq!(four.len(), 4);
        assert_eq!(Charset::Gb18030.count_chars(&four), 1);
    }

    #[test]
    fn shapes() {
        let gb = Charset::Gb18030.encode("张三 À");
        assert!(!Charset::is_utf8(&gb) && Charset::gb18030_shaped(&gb));
        assert!(Charset::is_utf8("张三".as_bytes()));
        assert!(!Charset::gb18030_shaped(b"\x80") && !Charset::gb18030_shaped(b"\x81") && !Charset::gb18030_shaped(b"\x81\x30\x81"));
        assert!(!Charset::is_utf8(b"\xE5\xBC") && !Charset::is_utf8(b"\xC0\x80"));
    }
}
