//! Byte scans eight bytes at a time, for the texts of every row: most hold
//! nothing to escape, and a byte-wise scan was a fair part of a row's cost.

/// Whether `bytes` hold a byte below `below` (at most 0x80) or equal to one
/// of `also` (not `below` itself). Each test sets a byte's high bit where it matches (exact for
/// whether any byte does).
#[inline]
pub fn any_below_or(bytes: &[u8], below: u8, also: &[u8]) -> bool {
    debug_assert!(below <= 0x80 && !also.contains(&below));
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let less = |w: u64, n: u8| w.wrapping_sub(ONES * u64::from(n)) & !w & HIGH;
    let hit = |w: u64| also.iter().fold(less(w, below), |acc, &b| acc | less(w ^ (ONES * u64::from(b)), 1));
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        if hit(u64::from_le_bytes(w.try_into().expect("eight bytes"))) != 0 {
            return true;
        }
    }
    // The last bytes as one more word, padded with copies of a byte that
    // matches nothing: `below`.
    let rest = words.remainder();
    let mut last = [below; 8];
    last[..rest.len()].copy_from_slice(rest);
    hit(u64::from_le_bytes(last)) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_at_every_place() {
        for (below, also) in [(0x20, &b"\"\\"[..]), (0x20, &[0x7f][..]), (0x80, &[][..])] {
            for len in 0..20 {
                for at in 0..len {
                    for b in 0..=255u8 {
                        let mut bytes = vec![below.max(b'a'); len];
                        bytes[at] = b;
                        assert_eq!(any_below_or(&bytes, below, also), b < below || also.contains(&b), "{bytes:?} {below} {also:?}");
                    }
                }
            }
        }
    }
}
