//! A fast hash for maps keyed by numbers the program assigns or the
//! capture's order gives (frame numbers, message places, field ids,
//! exchange indexes): these are looked up several times per message, where
//! the standard SipHash shows in the profile, and nobody can pick them to
//! collide. Keys a capture spells freely (user names, file keys) keep the
//! standard keyed hash.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// `HashMap` with [`NumHasher`].
pub type NumMap<K, V> = HashMap<K, V, BuildHasherDefault<NumHasher>>;

/// Heap bytes of a hash map's table, by capacity: an entry and a control
/// byte each (hashbrown's layout; what the entries own is not counted).
pub fn table_bytes<K, V, S>(m: &HashMap<K, V, S>) -> usize {
    m.capacity() * (std::mem::size_of::<(K, V)>() + 1)
}

/// FxHash's step (rotate, xor, multiply by a large odd constant) per word
/// written: a few instructions, and the multiply spreads the bits of small
/// numbers over the high bits, which hashbrown reads first.
#[derive(Default, Clone, Copy)]
pub struct NumHasher(u64);

const K: u64 = 0x517c_c1b7_2722_0a95;

impl NumHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl Hasher for NumHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(w));
        }
    }
    fn write_u8(&mut self, n: u8) {
        self.add(n.into());
    }
    fn write_u16(&mut self, n: u16) {
        self.add(n.into());
    }
    fn write_u32(&mut self, n: u32) {
        self.add(n.into());
    }
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_what_it_is_given() {
        let mut m: NumMap<(u32, u16), u32> = NumMap::default();
        for f in 0..1000u32 {
            for i in 0..3u16 {
                m.insert((f, i), f * 3 + u32::from(i));
            }
        }
        assert_eq!(m.len(), 3000);
        assert!((0..1000u32).all(|f| (0..3u16).all(|i| m[&(f, i)] == f * 3 + u32::from(i))));
    }
}
