//! The generator's only source of randomness: ChaCha8 seeded from the corpus
//! seed and the capture's name, so each capture is reproducible on its own
//! and adding a capture does not change the others.

use rand_chacha::rand_core::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub struct Rnd(ChaCha8Rng);

/// FNV-1a, to turn a capture name into a seed component (stable across
/// platforms and Rust versions, unlike `DefaultHasher`).
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

impl Rnd {
    pub fn new(seed: u64, name: &str) -> Rnd {
        Rnd(ChaCha8Rng::seed_from_u64(seed ^ fnv(name)))
    }
    pub fn u32(&mut self) -> u32 {
        self.0.next_u32()
    }
    pub fn u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    /// Uniform in lo..=hi (modulo bias is irrelevant here).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        debug_assert!(lo <= hi);
        lo + self.u64() % (hi - lo + 1)
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() as u64 - 1) as usize]
    }
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut v = vec![0u8; n];
        self.0.fill_bytes(&mut v);
        v
    }
}
