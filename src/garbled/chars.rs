//! Character classes and the "weirdness" score that tells mojibake from real text.
//!
//! The idea (after ftfy's badness heuristic, reimplemented with our own rules): mojibake is made
//! of a few hundred characters (accented capitals, currency and math signs, C1 controls, box
//! drawing) in combinations that real text in any language almost never has, such as an accented
//! capital followed by a currency sign (`Ã£`), a letter followed by a square-root sign (`Oekra√`)
//! or a lowercase-to-uppercase switch inside a word (`nÃ`). The score counts such combinations in
//! a small window; a repair is accepted only if it lowers the score.

/// Broad class of a character, as far as mojibake is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cat {
    /// ASCII whitespace, and the edge of the text.
    Space,
    Nbsp,
    AsciiUpper,
    AsciiLower,
    Digit,
    AsciiPunct,
    /// Latin letters outside ASCII.
    LatUpper,
    LatLower,
    GreekUpper,
    GreekLower,
    CyrUpper,
    CyrLower,
    /// Letters of other scripts (Hebrew, Arabic, CJK, ...).
    OtherLetter,
    /// Combining marks.
    Mark,
    /// C0 controls other than whitespace, DEL and C1 controls.
    Control,
    /// Characters that appear almost only in mojibake: `¦ ¤ ¨ ¬ ¯ ¸ ƒ ˆ ˇ ˘ ˛ ˜ † ‡ ‰ ◊ ª º �`.
    Bad,
    Currency,
    /// Superscripts, fractions and math signs.
    Numeric,
    /// Punctuation that starts something: `¡ ¿ « ‘ ‚ “ „ ‹ • ©`.
    StartP,
    /// Punctuation that ends something: `» ” › ® ™ ˝`.
    EndP,
    /// Common in real text and in mojibake alike: soft hyphen, `· ´ – — ― … ’`.
    Common,
    /// `§ ¶`.
    Law,
    /// Box drawing and block elements.
    Box,
    Degree,
    /// Anything else: emoji, arrows, CJK punctuation, ...
    Sym,
}

impl Cat {
    pub fn is_letter(self) -> bool {
        matches!(
            self,
            Cat::AsciiUpper
                | Cat::AsciiLower
                | Cat::LatUpper
                | Cat::LatLower
                | Cat::GreekUpper
                | Cat::GreekLower
                | Cat::CyrUpper
                | Cat::CyrLower
                | Cat::OtherLetter
        )
    }
    fn is_upper(self) -> bool {
        matches!(self, Cat::AsciiUpper | Cat::LatUpper | Cat::GreekUpper | Cat::CyrUpper)
    }
    fn is_lower(self) -> bool {
        matches!(self, Cat::AsciiLower | Cat::LatLower | Cat::GreekLower | Cat::CyrLower)
    }
    fn is_latin(self) -> bool {
        matches!(self, Cat::AsciiUpper | Cat::AsciiLower | Cat::LatUpper | Cat::LatLower)
    }
    fn is_acc(self) -> bool {
        matches!(self, Cat::LatUpper | Cat::LatLower)
    }
    fn is_cyr(self) -> bool {
        matches!(self, Cat::CyrUpper | Cat::CyrLower)
    }
}

pub fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x300..=0x36F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// C0 controls except tab, line feed, carriage return and form feed; DEL; C1 controls.
pub fn is_control(c: char) -> bool {
    let u = c as u32;
    (u < 0x20 && !matches!(c, '\t' | '\n' | '\r' | '\x0c')) || (0x7F..=0x9F).contains(&u)
}

pub fn cat(c: char) -> Cat {
    let u = c as u32;
    if u < 0x80 {
        return match c {
            ' ' | '\t' | '\n' | '\r' | '\x0c' | '\x0b' => Cat::Space,
            'A'..='Z' => Cat::AsciiUpper,
            'a'..='z' => Cat::AsciiLower,
            '0'..='9' => Cat::Digit,
            _ if is_control(c) => Cat::Control,
            _ => Cat::AsciiPunct,
        };
    }
    if u <= 0x9F {
        return Cat::Control;
    }
    match c {
        '\u{a0}' => return Cat::Nbsp,
        '\u{ad}' | '·' | '´' | '–' | '—' | '―' | '…' | '’' => return Cat::Common,
        '¦' | '¤' | '¨' | '¬' | '¯' | '¸' | 'ƒ' | 'ˆ' | 'ˇ' | '˘' | '˛' | '˜' | '˙' | '˚' | '†'
        | '‡' | '‰' | '⌐' | '◊' | '\u{FFFD}' | 'ª' | 'º' => return Cat::Bad,
        '¢' | '£' | '¥' | '€' | '₧' => return Cat::Currency,
        '²' | '³' | '¹' | '±' | '¼' | '½' | '¾' | '×' | '÷' | 'µ' | '⁄' | '∂' | '∆' | '∏' | '∑'
        | '√' | '∞' | '∩' | '∫' | '≈' | '≠' | '≡' | '≤' | '≥' | '№' | '⌠' | '⌡' | '∙' | 'ⁿ' => {
            return Cat::Numeric
        }
        '¡' | '¿' | '«' | '‘' | '‚' | '“' | '„' | '‹' | '•' | '©' | '΄' | '΅' | '\u{f8ff}' => {
            return Cat::StartP
        }
        '®' | '»' | '”' | '›' | '™' | '˝' => return Cat::EndP,
        '§' | '¶' => return Cat::Law,
        '°' => return Cat::Degree,
        _ => {}
    }
    if (0x2500..=0x259F).contains(&u) || u == 0x25A0 {
        return Cat::Box;
    }
    if is_mark(c) {
        return Cat::Mark;
    }
    if c.is_alphabetic() {
        let upper = c.is_uppercase();
        return match u {
            0xC0..=0x2AF | 0x1E00..=0x1EFF | 0xFB00..=0xFB06 => {
                if upper {
                    Cat::LatUpper
                } else {
                    Cat::LatLower
                }
            }
            0x370..=0x3FF | 0x1F00..=0x1FFF => {
                if upper {
                    Cat::GreekUpper
                } else {
                    Cat::GreekLower
                }
            }
            0x400..=0x52F => {
                if upper {
                    Cat::CyrUpper
                } else {
                    Cat::CyrLower
                }
            }
            _ => Cat::OtherLetter,
        };
    }
    Cat::Sym
}

/// Characters that a decoding must never produce: controls, private use, noncharacters.
pub fn forbidden_in_repair(c: char) -> bool {
    let u = c as u32;
    is_control(c)
        || (0xE000..=0xF8FF).contains(&u)
        || (0xF0000..).contains(&u)
        || (0xFDD0..=0xFDEF).contains(&u)
        || (u & 0xFFFE) == 0xFFFE
}

/// Rarity of a character that a decoding produced: letters and blocks that hardly appear in real
/// text next to European words.
fn rare(c: char) -> i32 {
    match c as u32 {
        // IPA, spacing modifier letters (not the accents that are in `Bad`).
        0x250..=0x2AF | 0x2B0..=0x2C5 | 0x2C8..=0x2D7 | 0x2DE..=0x2FF => 1,
        // Long s, kra, n preceded by apostrophe: obsolete.
        0x17F | 0x138 | 0x149 => 2,
        // Latin Extended-B, except Vietnamese horned letters, pinyin vowels with caron and
        // Romanian comma letters.
        0x1A0 | 0x1A1 | 0x1AF | 0x1B0 | 0x1CD..=0x1DC | 0x218..=0x21B => 0,
        0x180..=0x24F => 1,
        // Armenian, Syriac to Samaritan, Mongolian, Limbu and neighbours, Glagolitic, Yi.
        0x530..=0x58F | 0x700..=0x8FF | 0x1800..=0x1AAF | 0x2C00..=0x2C5F | 0xA000..=0xA4CF => 1,
        _ => 0,
    }
}

fn is_math_sign(c: char) -> bool {
    matches!(c, '√' | '≈' | '∂' | '∆' | '∏' | '∑' | '∫' | '≠' | '≤' | '≥' | '∞' | 'ƒ')
}

/// The characters that follow `Ã`/`Â` in Windows-1252 mojibake (bytes 0x80..=0xBF), without
/// the apostrophe `’`, which follows a capital `Ã` in real text (`Ã’s`).
fn follows_a_tilde(c: char) -> bool {
    let u = c as u32;
    if (0x80..=0xBF).contains(&u) {
        return true;
    }
    matches!(
        c,
        '€' | '‚'
            | 'ƒ'
            | '„'
            | '…'
            | '†'
            | '‡'
            | 'ˆ'
            | '‰'
            | 'Š'
            | '‹'
            | 'Œ'
            | 'Ž'
            | '‘'
            | '“'
            | '”'
            | '•'
            | '–'
            | '—'
            | '˜'
            | '™'
            | 'š'
            | '›'
            | 'œ'
            | 'ž'
            | 'Ÿ'
    )
}

/// A window of text with precomputed classes. `body` is the part being judged; the rest is
/// context. Positions outside the window count as `Space`.
pub struct Window<'a> {
    pub chars: &'a [char],
    pub cats: &'a [Cat],
    pub body: std::ops::Range<usize>,
}

impl Window<'_> {
    fn c(&self, i: isize) -> char {
        if i < 0 || i as usize >= self.chars.len() {
            ' '
        } else {
            self.chars[i as usize]
        }
    }
    fn k(&self, i: isize) -> Cat {
        if i < 0 || i as usize >= self.cats.len() {
            Cat::Space
        } else {
            self.cats[i as usize]
        }
    }

    /// Weirdness of the window: unlikely pairs and triples that touch the body, plus the cost of
    /// unlikely characters in the body.
    pub fn weirdness(&self) -> i32 {
        let (bs, be) = (self.body.start as isize, self.body.end as isize);
        let mut w = 0;
        for i in bs..be {
            let c = self.c(i);
            match self.k(i) {
                Cat::Control => w += 1,
                // A combining mark on a letter that has no precomposed form in use.
                Cat::Mark if self.k(i - 1).is_letter() => w += 1,
                _ => {}
            }
            w += rare(c);
        }
        // Pairs (i, i+1) with at least one member in the body.
        for i in (bs - 1)..be {
            if i + 1 < bs {
                continue;
            }
            w += self.pair(i);
        }
        // Triples (i, i+1, i+2) touching the body.
        for i in (bs - 2)..be {
            if i + 2 < bs {
                continue;
            }
            w += self.triple(i);
        }
        w
    }

    fn pair(&self, i: isize) -> i32 {
        let (a, b) = (self.k(i), self.k(i + 1));
        let (ac, bc) = (self.c(i), self.c(i + 1));
        use Cat::*;
        // Bad characters next to anything but plain letters, digits and spaces.
        if a == Bad
            && matches!(
                b,
                LatUpper
                    | LatLower
                    | Box
                    | StartP
                    | EndP
                    | Currency
                    | Numeric
                    | Law
                    | Bad
                    | Degree
                    | CyrUpper
                    | CyrLower
                    | GreekUpper
                    | GreekLower
                    | Control
            )
        {
            return 1;
        }
        if b == Bad
            && matches!(
                a,
                LatUpper
                    | LatLower
                    | Box
                    | StartP
                    | EndP
                    | Currency
                    | Numeric
                    | Law
                    | Bad
                    | Degree
                    | CyrUpper
                    | CyrLower
            )
        {
            return 1;
        }
        if matches!(a, LatUpper | LatLower) && b == Control {
            return 1;
        }
        // Symbols directly followed by an accented letter.
        if matches!(a, Box | EndP | Currency | Numeric) && matches!(b, LatUpper | LatLower) {
            return 1;
        }
        // Accented lowercase letter, box or closing mark before a currency sign.
        if matches!(a, LatLower | Box | EndP) && b == Currency {
            return 1;
        }
        // Accented capital or box before a math sign, section sign or degree sign.
        if matches!(a, LatUpper | Box) && matches!(b, Numeric | Law | Degree) {
            return 1;
        }
        if a == LatLower && matches!(bc, '¼' | '½' | '¾' | '±') {
            return 1;
        }
        if matches!(a, Currency | Numeric | Box) && b == StartP {
            return 1;
        }
        // Box drawing glued to letters or symbols (CP437 mojibake).
        let boxy = |k: Cat| {
            matches!(
                k,
                LatUpper
                    | LatLower
                    | GreekUpper
                    | GreekLower
                    | CyrUpper
                    | CyrLower
                    | Currency
                    | Numeric
                    | StartP
                    | EndP
                    | Law
                    | Degree
            )
        };
        if (a == Box && boxy(b)) || (b == Box && boxy(a)) {
            return 1;
        }
        // Box characters inside a word (`f├╝r`, `v├│├│r`) or glued to a word of two or more
        // letters (`aprob├│`, `├║ltimo`); line art has them next to single letters at most.
        if a == Box && b == Box {
            let mut l = i - 1;
            while self.k(l) == Box {
                l -= 1;
            }
            let mut r = i + 2;
            while self.k(r) == Box {
                r += 1;
            }
            // A letter that has box characters on its other side too is line art (`┐a├┤a┼`).
            let art = |k: isize, step: isize| self.k(k + step) == Box;
            if self.k(l).is_letter() && self.k(r).is_letter() && !art(l, -1) && !art(r, 1) {
                return 1;
            }
        }
        if a == Box && b.is_letter() && self.k(i + 2).is_letter() {
            return 1;
        }
        if b == Box && a.is_letter() && self.k(i - 1).is_letter() {
            return 1;
        }
        // Ã, Â, Î, Ð followed by what follows them in Windows-1252 mojibake.
        if matches!(ac, 'Ã' | 'Â' | 'Î' | 'Ð') && follows_a_tilde(bc) {
            // `MISUTÂ\u{a0}AJIKKO`: a no-break space after a capital word is plausible.
            let after_caps = ac == 'Â' && bc == '\u{a0}' && self.k(i - 1).is_upper();
            if !after_caps {
                return 1;
            }
        }
        if ac == 'Ă' && matches!(bc, '´' | '©' | '\u{ad}' | '«' | '‘' | '“' | '„') {
            return 1;
        }
        // A lone `Ă` before a no-break space (`à` in Windows-1250 mojibake); a Romanian word
        // can end in `Ă` before one (`NICIODATĂ`).
        if ac == 'Ă' && bc == '\u{a0}' && !self.k(i - 1).is_letter() {
            return 1;
        }
        // `Ĺ` before a Windows-1250 continuation byte: `Ĺ™` (ř), `Ĺź` (ş), `Ĺľ` (ž).
        if ac == 'Ĺ' && matches!(super::tables::Codepage::Windows1250.encode(bc), Some(0x80..=0xBF))
        {
            return 1;
        }
        // `Ă` before a lowercase letter or sign that cannot follow it in Romanian capitals.
        if ac == 'Ă'
            && matches!(
                bc,
                'š' | 'ś'
                    | 'ş'
                    | 'ť'
                    | 'ž'
                    | 'ź'
                    | 'ł'
                    | 'ą'
                    | 'ľ'
                    | 'ż'
                    | 'ˇ'
                    | '¨'
                    | '¸'
                    | '˛'
                    | '˝'
                    | '‚'
                    | '„'
                    | '†'
                    | '‡'
                    | '‰'
                    | '‹'
                    | '›'
            )
        {
            return 1;
        }
        // `Å` + no-break space + lowercase letter: `Š` in Windows-1252 mojibake (`Å\u{a0}tevilo`).
        if ac == 'Å' && bc == '\u{a0}' && self.k(i + 2).is_lower() {
            return 1;
        }
        // `â` followed by a Windows-1252/1250 character of bytes 0x80..=0x9F: `â€`, `â„`, ...
        if ac == 'â'
            && (matches!(
                bc,
                '€' | '‚'
                    | '„'
                    | '…'
                    | '‘'
                    | '’'
                    | '“'
                    | '”'
                    | '•'
                    | '–'
                    | '—'
                    | '†'
                    | '‡'
                    | 'ˆ'
                    | '‰'
                    | 'Š'
                    | '‹'
                    | 'Œ'
                    | 'Ž'
                    | '˜'
                    | '™'
                    | 'š'
                    | '›'
                    | 'œ'
                    | 'ž'
                    | 'Ÿ'
                    | 'Ś'
                    | 'Ť'
                    | 'Ź'
                    | 'ś'
                    | 'ť'
                    | 'ź'
            ) || b == Control)
        {
            return 1;
        }
        // Mac Roman: `√` or `≈` followed by a letter or symbol, a letter followed by a math sign.
        if matches!(ac, '√' | '≈')
            && matches!(
                b,
                LatUpper
                    | LatLower
                    | Numeric
                    | StartP
                    | EndP
                    | Common
                    | Law
                    | Bad
                    | Currency
                    | Box
                    | Control
                    | Degree
            )
        {
            return 1;
        }
        if (a.is_latin()) && is_math_sign(bc) {
            return 1;
        }
        // CP437: Greek capital gamma glued to a Latin letter.
        if ac == 'Γ' && b.is_acc() {
            return 1;
        }
        // Mixed scripts inside a word.
        if (a.is_latin() && b.is_cyr()) || (a.is_cyr() && b.is_latin()) {
            return 1;
        }
        if (a.is_latin() && b == OtherLetter) || (a == OtherLetter && b.is_latin()) {
            return 1;
        }
        // Lowercase followed by uppercase inside a word, when one of them is not ASCII.
        if a.is_lower() && b.is_upper() && !(ac.is_ascii() && bc.is_ascii()) {
            return 1;
        }
        0
    }

    fn triple(&self, i: isize) -> i32 {
        let (a, b, c) = (self.k(i), self.k(i + 1), self.k(i + 2));
        let (ac, bc, cc) = (self.c(i), self.c(i + 1), self.c(i + 2));
        use Cat::*;
        let mut w = 0;
        // Accented letter, quotation mark, letter: `Ä«g`, `Ă®n`.
        if a.is_acc() && matches!(b, StartP | EndP) && c.is_letter() {
            w += 1;
        }
        // Accented capital at the start of a word followed by a currency sign.
        if !a.is_letter() && b == LatUpper && c == Currency {
            w += 1;
        }
        // `ï¿½`: letter or symbol, opening mark, number sign.
        if matches!(a, LatUpper | LatLower | Box | Currency | EndP) && b == StartP && c == Numeric {
            w += 1;
        }
        // `ï»¿`: letter or symbol, closing mark, opening mark.
        if matches!(a, LatUpper | LatLower | Currency | Numeric | Box | Law)
            && b == EndP
            && c == StartP
        {
            w += 1;
        }
        // `áº`, `á»` (`ş` in Windows-1250) + non-ASCII: Vietnamese letters U+1E80..U+1EFF.
        if ac == 'á'
            && matches!(bc, 'º' | '»' | 'ş')
            && !cc.is_ascii()
            && !matches!(c, Space | Nbsp)
        {
            w += 1;
        }
        // Mac Roman `‚Ä`, `‚Ç`, `‚à`, ... + non-ASCII: three-byte UTF-8 starting with 0xE2
        // (punctuation, currency and math signs).
        if ac == '‚' && !bc.is_ascii() && !cc.is_ascii() && !matches!(b, Space | Nbsp) {
            w += 1;
        }
        // Windows-1251: capital, symbol, capital (`Р‚В`).
        if a == CyrUpper
            && matches!(b, StartP | EndP | Currency | Bad | Control | Degree | Law | Numeric | Nbsp)
            && c == CyrUpper
        {
            w += 1;
        }
        // Two capitals, the second not ASCII, then a lowercase letter: `MĂĄm`, `ÄÆdomu`.
        if a.is_upper() && b.is_upper() && !bc.is_ascii() && c.is_lower() {
            w += 1;
        }
        // A lowercase accented letter between capitals, or ending a capitalised word.
        if a.is_upper()
            && b.is_lower()
            && !bc.is_ascii()
            && (c.is_upper() || (!c.is_letter() && self.k(i - 1).is_upper()))
        {
            w += 1;
        }
        // `Ã`/`Â` glued to a lowercase word and followed by a space (a lost no-break space).
        if matches!(bc, 'Ã' | 'Â') && cc == ' ' && (a.is_lower() || matches!(ac, '\'' | '’')) {
            w += 1;
        }
        // A lone `Ã` between words (`3 Ã 4`, `part Ã  8`, `Ã perturber`), not in spaced-out
        // capitals (`C O N C L U S Ã O`).
        if matches!(bc, 'Ã') && cc == ' ' && a == Space {
            let before = self.k(i - 1);
            if before.is_lower() || matches!(before, AsciiPunct | Space | Digit) {
                w += 1;
                let mut j = i + 3;
                while self.c(j) == ' ' && j < i + 5 {
                    j += 1;
                }
                if self.k(j).is_lower() || self.k(j) == Digit {
                    w += 1;
                }
            }
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> i32 {
        let chars: Vec<char> = s.chars().collect();
        let cats: Vec<Cat> = chars.iter().map(|&c| cat(c)).collect();
        Window { chars: &chars, cats: &cats, body: 0..chars.len() }.weirdness()
    }

    #[test]
    fn mojibake_is_weird() {
        for s in ["Ã©", "Oekra√Øne", "auspici√´n", "â€™", "ÃƒÂ©", "Ã¼ber", "wei√ü", "Ã¨", "â‚¬"]
        {
            assert!(w(s) > 0, "{s}");
        }
    }

    #[test]
    fn real_text_is_not() {
        for s in [
            "SÃO PAULO",
            "√2",
            "Ø 12 mm",
            "ÆØÅ",
            "Citroën®",
            "Škoda™",
            "«Bonjour»",
            "µg",
            "a²",
            "€ 25",
            "naïve café",
            "déjà vu",
            "Ångström",
            "Łódź",
            "Ünal",
            "°C",
            "½",
            "“×”",
            "(-1/2)! = √π",
            "ZZAJÉ’s",
            "L’épisode",
            "Úžasný",
            "Ελληνικά",
            "Москва",
        ] {
            assert_eq!(w(s), 0, "{s}");
        }
    }
}
