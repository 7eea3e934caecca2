//! A fast 64-bit hash of text for cache keys (page, paragraph and span texts are hashed on
//! every edit, megabytes at a time; SipHash spent more time on that than the edit's analysis).
//! Not for hash tables exposed to untrusted keys.

use std::hash::Hasher;

const MUL: u64 = 0x9E37_79B9_7F4A_7C15;

/// Eight bytes per step, each step a multiply and a xor-shift (wyhash/FxHash-style mixing).
#[derive(Debug, Clone, Copy)]
pub struct TextHasher(u64);

impl Default for TextHasher {
    fn default() -> Self {
        TextHasher(0x243F_6A88_85A3_08D3)
    }
}

impl TextHasher {
    fn mix(&mut self, word: u64) {
        let h = (self.0 ^ word).wrapping_mul(MUL);
        self.0 = h ^ (h >> 29);
    }
}

impl Hasher for TextHasher {
    fn finish(&self) -> u64 {
        let h = self.0.wrapping_mul(MUL);
        h ^ (h >> 32)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        // The length keeps `ab` + `c` apart from `a` + `bc` when parts are hashed in turn.
        self.mix(u64::from_le_bytes(word) ^ ((bytes.len() as u64) << 56));
    }
}

/// [`TextHasher`] over one text.
pub fn hash_text(text: &str) -> u64 {
    let mut h = TextHasher::default();
    h.write(text.as_bytes());
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn different_texts_hash_apart() {
        let texts: Vec<String> = (0..20_000).map(|i| format!("pagina {i}\nDe dienst")).collect();
        let hashes: HashSet<u64> = texts.iter().map(|t| hash_text(t)).collect();
        assert_eq!(hashes.len(), texts.len());
        assert_ne!(hash_text(""), hash_text("\0"));
        assert_ne!(hash_text("abcdefgh"), hash_text("abcdefgh\0"));
        let mut a = TextHasher::default();
        a.write(b"ab");
        a.write(b"c");
        let mut b = TextHasher::default();
        b.write(b"a");
        b.write(b"bc");
        assert_ne!(a.finish(), b.finish());
    }
}
