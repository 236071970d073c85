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
}
