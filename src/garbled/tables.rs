//! The legacy single-byte code pages that UTF-8 text gets misread as, with reverse tables.
//!
//! Each code page maps a byte 0x80..=0xFF to one character; bytes below 0x80 are ASCII in all
//! of them. To repair mojibake we need the reverse direction: character → byte. The tables are
//! built once (in a `OnceLock`) from `encoding_rs`'s decoders, except CP437, which `encoding_rs`
//! does not have and which is written out below.
//!
//! "Sloppy" handling, as in ftfy: the byte values that a code page leaves undefined decode to the
//! C1 control character with the same number (0x81 → U+0081), as browsers do for windows-1252,
//! so they can be encoded back. The Windows-1252 table is also merged with Latin-1: every C1
//! control U+0080..=U+009F encodes to its own byte, so text that mixes `â€œ` and `â\u{80}\u{9c}`
//! is one run.

use std::sync::OnceLock;

/// A code page that UTF-8 may have been misread as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Codepage {
    /// Windows-1252, merged with Latin-1 (ISO-8859-1) for the C1 controls.
    Windows1252,
    MacRoman,
    Windows1250,
    Iso8859_2,
    Windows1251,
    Windows1257,
    Cp437,
}

/// All code pages, in order of preference when two of them explain a span equally well.
pub const ALL: [Codepage; 7] = [
    Codepage::Windows1252,
    Codepage::MacRoman,
    Codepage::Windows1250,
    Codepage::Iso8859_2,
    Codepage::Windows1251,
    Codepage::Windows1257,
    Codepage::Cp437,
];

/// Bytes 0x80..=0xFF of code page 437 (the original IBM PC character set).
const CP437_HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐\
└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{a0}";

impl Codepage {
    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether U+FFFD may stand for a lost byte (ftfy's "sloppy" codecs). Only the Windows code
    /// pages: a program that decoded with them replaced undefined bytes by U+FFFD.
    pub fn lossy_allowed(self) -> bool {
        matches!(
            self,
            Codepage::Windows1252
                | Codepage::Windows1250
                | Codepage::Windows1251
                | Codepage::Windows1257
        )
    }

    /// Whether a byte 0xA0 that became an ASCII space may be put back. Not for Mac Roman, where
    /// byte 0xA0 is `†` and the lead bytes before it would be common dashes.
    pub fn a0_restore_allowed(self) -> bool {
        !matches!(self, Codepage::MacRoman)
    }

    /// Decode one byte (0x80..=0xFF) to its character.
    pub fn decode_high(self, byte: u8) -> char {
        tables()[self.index()].high[(byte - 0x80) as usize]
    }

    /// Encode one character to its byte in this code page, if it has one. U+FFFD encodes to 0x1A
    /// (SUBSTITUTE) in the code pages that allow lossy sequences; callers look at the character,
    /// not the byte, to recognise it.
    #[inline]
    pub fn encode(self, c: char) -> Option<u8> {
        let cp = c as u32;
        if cp < 0x80 {
            return Some(cp as u8);
        }
        let t = &tables()[self.index()];
        if cp < 0x100 {
            let b = t.latin[(cp - 0x80) as usize];
            return if b == 0 { None } else { Some(b) };
        }
        if cp == 0xFFFD {
            return if self.lossy_allowed() { Some(0x1A) } else { None };
        }
        t.other.binary_search_by_key(&cp, |&(c, _)| c).ok().map(|i| t.other[i].1)
    }
}

struct Table {
    high: [char; 128],
    /// Byte for U+0080..=U+00FF (0 = not encodable).
    latin: [u8; 128],
    /// Byte for characters above U+00FF, sorted by code point.
    other: Vec<(u32, u8)>,
}

fn build(cp: Codepage) -> Table {
    let mut high = ['\0'; 128];
    for b in 0x80u8..=0xFF {
        let c = match cp {
            Codepage::Cp437 => CP437_HIGH.chars().nth((b - 0x80) as usize).unwrap_or('\u{FFFD}'),
            _ => {
                let enc = match cp {
                    Codepage::Windows1252 => encoding_rs::WINDOWS_1252,
                    Codepage::MacRoman => encoding_rs::MACINTOSH,
                    Codepage::Windows1250 => encoding_rs::WINDOWS_1250,
                    Codepage::Iso8859_2 => encoding_rs::ISO_8859_2,
                    Codepage::Windows1251 => encoding_rs::WINDOWS_1251,
                    Codepage::Windows1257 => encoding_rs::WINDOWS_1257,
                    Codepage::Cp437 => unreachable!(),
                };
                let buf = [b];
                let (s, _) = enc.decode_without_bom_handling(&buf);
                s.chars().next().unwrap_or('\u{FFFD}')
            }
        };
        // Undefined bytes pass through as the C1 control with the same number ("sloppy").
        let c = if c == '\u{FFFD}' && b < 0xA0 {
            char::from_u32(b as u32).unwrap_or('\u{FFFD}')
        } else {
            c
        };
        high[(b - 0x80) as usize] = c;
    }
    let mut latin = [0u8; 128];
    let mut other = Vec::new();
    if cp == Codepage::Windows1252 {
        // Latin-1 merge: every C1 control and every Latin-1 character encodes to its own byte.
        for (i, slot) in latin.iter_mut().enumerate() {
            *slot = (0x80 + i) as u8;
        }
    }
    for (i, &c) in high.iter().enumerate() {
        let b = (0x80 + i) as u8;
        let u = c as u32;
        if c == '\u{FFFD}' {
            continue;
        }
        if (0x80..0x100).contains(&u) {
            latin[(u - 0x80) as usize] = b;
        } else if u >= 0x100 {
            other.push((u, b));
        }
    }
    other.sort_unstable();
    other.dedup_by_key(|e| e.0);
    Table { high, latin, other }
}

fn tables() -> &'static [Table; 7] {
    static TABLES: OnceLock<[Table; 7]> = OnceLock::new();
    TABLES.get_or_init(|| ALL.map(build))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for cp in ALL {
            for b in 0x80u8..=0xFF {
                let c = cp.decode_high(b);
                if c == '\u{FFFD}' {
                    continue;
                }
                assert_eq!(cp.encode(c), Some(b), "{cp:?} byte {b:#x} char {c:?}");
            }
        }
    }

    #[test]
    fn known_bytes() {
        assert_eq!(Codepage::MacRoman.encode('√'), Some(0xC3));
        assert_eq!(Codepage::MacRoman.encode('Ø'), Some(0xAF));
        assert_eq!(Codepage::Windows1252.encode('€'), Some(0x80));
        assert_eq!(Codepage::Windows1252.encode('\u{80}'), Some(0x80));
        assert_eq!(Codepage::Windows1252.encode('\u{81}'), Some(0x81));
        assert_eq!(Codepage::Windows1252.encode('\u{FFFD}'), Some(0x1A));
        assert_eq!(Codepage::MacRoman.encode('\u{FFFD}'), None);
        assert_eq!(Codepage::Cp437.encode('╨'), Some(0xD0));
        assert_eq!(Codepage::Cp437.encode('\u{a0}'), Some(0xFF));
        assert_eq!(Codepage::Windows1250.encode('Ă'), Some(0xC3));
        assert_eq!(Codepage::Windows1251.encode('Р'), Some(0xD0));
        assert_eq!(Codepage::Windows1251.encode('\u{98}'), Some(0x98));
        assert_eq!(Codepage::Iso8859_2.encode('\u{99}'), Some(0x99));
        assert_eq!(Codepage::Windows1257.encode('Æ'), Some(0xAF));
        assert_eq!(Codepage::Windows1252.encode('Ł'), None);
    }
}
