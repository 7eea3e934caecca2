//! Garbled text: mojibake and related character problems in text extracted from PDFs.
//!
//! Pure analysis: no I/O, no LSP types. [`check`] reports findings with byte ranges into the
//! text; [`repair`] applies every safe fix.
//!
//! Rules:
//! - `garbled-character`: UTF-8 that was decoded with a legacy code page (Windows-1252, Latin-1,
//!   Mac Roman, Windows-1250, ISO-8859-2, Windows-1251, Windows-1257, CP437), once or several
//!   times, found span by span (see `mojibake.rs` and the weirdness score in `chars.rs`).
//! - `replacement-character`: U+FFFD; the character is lost, no automatic fix.
//! - `control-character`: C0 controls other than tab, line feed, carriage return and form feed,
//!   DEL, and C1 controls. A C1 control that Windows-1252 defines (U+0093 → `“`) is almost always
//!   Windows-1252 text read as Latin-1: its safe fix restores the character (deleting it is offered
//!   as a second, unsafe fix). Other controls: the safe fix deletes them.
//! - `pdf-ligature`: `ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ` → their letters.
//! - `invisible-character`: soft hyphen (removed; at the end of a line it becomes `-`, because it
//!   marks a hyphenated line break there), zero-width space, zero-width non-joiner and joiner
//!   (unless next to emoji or non-Latin script, where they are meaningful), word joiner, byte order
//!   mark not at the start, and a no-break space with a letter on both sides. For the last one the
//!   safe fix replaces it by a plain space: between letters it is usually a word separator that
//!   must stay (`Den Haag`), and a plain space never merges two words; removing it is offered as
//!   the unsafe alternative for the rare no-break space inside a word.

mod chars;
mod mojibake;
mod tables;

use std::ops::Range;

use crate::finding::{Edit, Finding, Fix, Severity};

pub use mojibake::Misread;

pub const GARBLED: &str = "garbled-character";
pub const REPLACEMENT: &str = "replacement-character";
pub const CONTROL: &str = "control-character";
pub const LIGATURE: &str = "pdf-ligature";
pub const INVISIBLE: &str = "invisible-character";

/// (code, default severity, description) of every rule this module emits.
pub const RULES: &[(&str, Severity, &str)] = &[
    (
        GARBLED,
        Severity::Warning,
        "UTF-8 text decoded with a legacy code page (mojibake), such as `Oekra√Øne` for `Oekraïne`",
    ),
    (
        REPLACEMENT,
        Severity::Warning,
        "U+FFFD replacement character: a character was lost in an earlier conversion",
    ),
    (
        CONTROL,
        Severity::Warning,
        "control character (C0, DEL or C1) that does not belong in text",
    ),
    (
        LIGATURE,
        Severity::Information,
        "typographic ligature from the PDF (ﬁ, ﬂ, ...) instead of plain letters",
    ),
    (
        INVISIBLE,
        Severity::Information,
        "invisible character: soft hyphen, zero-width character, stray byte order mark, or a no-break space between letters",
    ),
];

/// All findings of all rules, sorted by range start.
pub fn check(text: &str) -> Vec<Finding> {
    let mut findings = garbled_findings(text);
    let garbled: Vec<Range<usize>> = findings.iter().map(|f| f.range.clone()).collect();
    other_findings(text, &garbled, &mut findings);
    findings.sort_by(|a, b| {
        a.range
            .start
            .cmp(&b.range.start)
            .then(a.range.end.cmp(&b.range.end))
            .then(a.rule.cmp(b.rule))
    });
    findings
}

/// The text with every safe fix applied. Repeats until nothing changes (at most four passes), so
/// that, for instance, a ligature that a mojibake repair revealed is split as well.
pub fn repair(text: &str) -> String {
    apply_until_stable(text, |f| f.fixes.iter().find(|x| x.safe && x.preferred).cloned())
}

/// Only the encoding repairs: `garbled-character` fixes and C1 controls that are Windows-1252
/// characters read as Latin-1. This is what ftfy's `fix_encoding` does, and what the ftfy test
/// cases are compared with; other fixes (ligatures, invisible characters, deleting controls) are
/// left out.
pub fn fix_encoding(text: &str) -> String {
    apply_until_stable(text, |f| {
        let fix = f.fixes.iter().find(|x| x.safe && x.preferred)?;
        let keep = f.rule == GARBLED
            || (f.rule == CONTROL && fix.edits.iter().all(|e| !e.new_text.is_empty()));
        keep.then(|| fix.clone())
    })
}

fn apply_until_stable(text: &str, pick: impl Fn(&Finding) -> Option<Fix>) -> String {
    let mut cur = text.to_string();
    for _ in 0..4 {
        let mut edits: Vec<Edit> =
            check(&cur).iter().filter_map(&pick).flat_map(|f| f.edits).collect();
        if edits.is_empty() {
            break;
        }
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        let mut out = String::with_capacity(cur.len());
        let mut pos = 0;
        for e in edits {
            if e.range.start < pos {
                continue; // overlapping edit: the next pass sees it again
            }
            out.push_str(&cur[pos..e.range.start]);
            out.push_str(&e.new_text);
            pos = e.range.end;
        }
        out.push_str(&cur[pos..]);
        if out == cur {
            break;
        }
        cur = out;
    }
    cur
}

/// Lines of the text with their byte offsets (without the `\n`).
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split('\n').map(move |line| {
        let at = offset;
        offset += line.len() + 1;
        (at, line)
    })
}

/// Whether eight bytes hold a byte >= 0x7F or a byte < 0x20.
#[inline]
fn word_hit(w: u64) -> bool {
    const HI: u64 = 0x8080_8080_8080_8080;
    const ONES: u64 = 0x0101_0101_0101_0101;
    let high = w & HI;
    let low = w.wrapping_sub(ONES * 0x20) & !w & HI;
    let x = w ^ (ONES * 0x7F);
    let del = x.wrapping_sub(ONES) & !x & HI;
    (high | low | del) != 0
}

/// Whether a line has a character that the character rules (not mojibake) report: a control
/// character, U+00A0, U+00AD, U+200B..U+200D, U+2060, U+FB00..U+FB06, U+FEFF or U+FFFD. Works on
/// bytes, eight at a time over plain ASCII, so that lines with only `ë`, `€`, `–` cost little.
fn has_target(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        if i + 8 <= b.len() {
            let w = u64::from_le_bytes([
                b[i],
                b[i + 1],
                b[i + 2],
                b[i + 3],
                b[i + 4],
                b[i + 5],
                b[i + 6],
                b[i + 7],
            ]);
            if !word_hit(w) {
                i += 8;
                continue;
            }
        }
        let x = b[i];
        let n1 = b.get(i + 1).copied().unwrap_or(0);
        let n2 = b.get(i + 2).copied().unwrap_or(0);
        let hit = match x {
            0x7F => true,
            0x00..=0x1F => !matches!(x, b'\t' | b'\r' | 0x0c),
            0xC2 => n1 <= 0xA0 || n1 == 0xAD,
            0xE2 => (n1 == 0x80 && (0x8B..=0x8D).contains(&n2)) || (n1 == 0x81 && n2 == 0xA0),
            0xEF => {
                (n1 == 0xAC && (0x80..=0x86).contains(&n2))
                    || (n1 == 0xBB && n2 == 0xBF)
                    || (n1 == 0xBF && n2 == 0xBD)
            }
            _ => false,
        };
        if hit {
            return true;
        }
        i += 1;
    }
    false
}

fn is_wordish(c: char) -> bool {
    c.is_alphanumeric() || chars::is_mark(c)
}

fn garbled_findings(text: &str) -> Vec<Finding> {
    let mut reps = Vec::new();
    for (offset, line) in lines(text) {
        if line.is_ascii() || !mojibake::line_is_hot(line) {
            continue;
        }
        reps.extend(mojibake::repairs_in_line(line, offset));
    }
    if reps.is_empty() {
        return Vec::new();
    }
    // Extend each repair to whole words, so the message shows `Oekra√Øne`, not `√Ø`.
    let mut ext: Vec<(Range<usize>, Vec<mojibake::Repair>)> = reps
        .into_iter()
        .map(|r| {
            let mut a = r.range.start;
            let mut b = r.range.end;
            if r.replacement.chars().next().is_some_and(is_wordish) {
                while let Some(c) = text[..a].chars().next_back() {
                    if !is_wordish(c) {
                        break;
                    }
                    a -= c.len_utf8();
                }
            }
            if r.replacement.chars().next_back().is_some_and(is_wordish) {
                while let Some(c) = text[b..].chars().next() {
                    if !is_wordish(c) {
                        break;
                    }
                    b += c.len_utf8();
                }
            }
            (a..b, vec![r])
        })
        .collect();
    ext.sort_by_key(|(r, _)| r.start);
    let mut merged: Vec<(Range<usize>, Vec<mojibake::Repair>)> = Vec::new();
    for (r, reps) in ext {
        if let Some(last) = merged.last_mut() {
            if r.start < last.0.end {
                last.0.end = last.0.end.max(r.end);
                last.1.extend(reps);
                continue;
            }
        }
        merged.push((r, reps));
    }
    merged
        .into_iter()
        .map(|(range, mut reps)| {
            reps.sort_by_key(|r| r.range.start);
            let mut fixed = String::new();
            let mut pos = range.start;
            let mut chain: Vec<Misread> = Vec::new();
            for r in &reps {
                fixed.push_str(&text[pos..r.range.start]);
                fixed.push_str(&r.replacement);
                pos = r.range.end;
                if chain.is_empty() {
                    chain = r.chain.clone();
                }
            }
            fixed.push_str(&text[pos..range.end]);
            let orig = &text[range.clone()];
            let lost = if fixed.contains('\u{FFFD}') {
                " (some characters were lost before, shown as `\u{FFFD}`)"
            } else {
                ""
            };
            Finding {
                rule: GARBLED,
                severity: Severity::Warning,
                message: format!(
                    "garbled characters: `{}` is UTF-8 read as {}; did you mean `{}`?{}",
                    visible(orig),
                    describe_chain(&chain),
                    visible(&fixed),
                    lost
                ),
                range: range.clone(),
                fixes: vec![Fix {
                    title: format!("Replace with `{}`", visible(&fixed)),
                    edits: vec![Edit { range, new_text: fixed }],
                    safe: true,
                    preferred: true,
                }],
                related: Vec::new(),
            }
        })
        .collect()
}

/// Show invisible characters in a message as `<U+009D>`.
fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if chars::is_control(c)
            || matches!(c, '\u{a0}' | '\u{ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
        {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// `chain` is in repair order (outermost garbling first); the message tells it in the order it
/// happened.
fn describe_chain(chain: &[Misread]) -> String {
    let names: Vec<&str> = chain.iter().rev().map(|m| m.name()).collect();
    match names.as_slice() {
        [] => "a legacy code page".to_string(),
        [one] => one.to_string(),
        [first, rest @ ..] if rest.iter().all(|n| n == first) => match names.len() {
            2 => format!("{first} twice"),
            3 => format!("{first} three times"),
            n => format!("{first} {n} times"),
        },
        _ => names.join(", then as "),
    }
}

/// Windows-1252 character for a C1 control byte, if Windows-1252 defines one.
fn c1_as_cp1252(c: char) -> Option<char> {
    let u = c as u32;
    if !(0x80..=0x9F).contains(&u) || matches!(u, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D) {
        return None;
    }
    let d = tables::Codepage::Windows1252.decode_high(u as u8);
    (d != c).then_some(d)
}

fn ligature(c: char) -> Option<&'static str> {
    Some(match c {
        'ﬀ' => "ff",
        'ﬁ' => "fi",
        'ﬂ' => "fl",
        'ﬃ' => "ffi",
        'ﬄ' => "ffl",
        'ﬅ' | 'ﬆ' => "st",
        _ => return None,
    })
}

fn finding(
    rule: &'static str,
    severity: Severity,
    message: String,
    range: Range<usize>,
    fixes: Vec<Fix>,
) -> Finding {
    Finding { rule, severity, message, range, fixes, related: Vec::new() }
}

fn fix(title: String, range: Range<usize>, new_text: &str, safe: bool, preferred: bool) -> Fix {
    Fix { title, edits: vec![Edit { range, new_text: new_text.to_string() }], safe, preferred }
}

fn codes(s: &str) -> String {
    s.chars().map(|c| format!("U+{:04X}", c as u32)).collect::<Vec<_>>().join(" ")
}

/// Whether a zero-width joiner or non-joiner next to this character may be meaningful (emoji
/// sequences, scripts that use them).
fn joiner_meaningful_next_to(c: Option<char>) -> bool {
    match c {
        None => false,
        Some(c) => {
            matches!(chars::cat(c), chars::Cat::OtherLetter | chars::Cat::Sym | chars::Cat::Mark)
        }
    }
}

fn other_findings(text: &str, garbled: &[Range<usize>], out: &mut Vec<Finding>) {
    let mut g = 0; // index into `garbled`, sorted by start
    for (offset, line) in lines(text) {
        if !has_target(line.as_bytes()) {
            continue;
        }
        let cs: Vec<(usize, char)> = line.char_indices().collect();
        let mut k = 0;
        while k < cs.len() {
            let (i, c) = cs[k];
            let at = offset + i;
            while g < garbled.len() && garbled[g].end <= at {
                g += 1;
            }
            if g < garbled.len() && garbled[g].start <= at {
                k += 1;
                continue;
            }
            let prev = if k > 0 { Some(cs[k - 1].1) } else { None };
            let next = cs.get(k + 1).map(|&(_, c)| c);
            if chars::is_control(c) {
                // A run of controls of the same kind.
                let mappable = c1_as_cp1252(c).is_some();
                let mut m = k + 1;
                while m < cs.len()
                    && chars::is_control(cs[m].1)
                    && c1_as_cp1252(cs[m].1).is_some() == mappable
                    && !garbled.iter().any(|r| r.contains(&(offset + cs[m].0)))
                {
                    m += 1;
                }
                let end = offset + cs.get(m).map_or(line.len(), |&(j, _)| j);
                let run = &text[at..end];
                let what = if run.chars().count() == 1 {
                    "control character"
                } else {
                    "control characters"
                };
                let f = if mappable {
                    let restored: String = run.chars().filter_map(c1_as_cp1252).collect();
                    finding(
                        CONTROL,
                        Severity::Warning,
                        format!(
                            "{what} {}: Windows-1252 text read as Latin-1; did you mean `{restored}`?",
                            codes(run)
                        ),
                        at..end,
                        vec![
                            fix(format!("Replace with `{restored}`"), at..end, &restored, true, true),
                            fix(format!("Delete {what}"), at..end, "", false, false),
                        ],
                    )
                } else {
                    finding(
                        CONTROL,
                        Severity::Warning,
                        format!("{what} {} in text", codes(run)),
                        at..end,
                        vec![fix(format!("Delete {what}"), at..end, "", true, true)],
                    )
                };
                out.push(f);
                k = m;
                continue;
            }
            if c == '\u{FFFD}' {
                let mut m = k + 1;
                while m < cs.len() && cs[m].1 == '\u{FFFD}' {
                    m += 1;
                }
                let end = offset + cs.get(m).map_or(line.len(), |&(j, _)| j);
                out.push(finding(
                    REPLACEMENT,
                    Severity::Warning,
                    "replacement character U+FFFD: a character was lost in an earlier conversion; check the source document".to_string(),
                    at..end,
                    Vec::new(),
                ));
                k = m;
                continue;
            }
            let end = at + c.len_utf8();
            if let Some(letters) = ligature(c) {
                out.push(finding(
                    LIGATURE,
                    Severity::Information,
                    format!("ligature `{c}` from the PDF; replace with `{letters}`"),
                    at..end,
                    vec![fix(format!("Replace with `{letters}`"), at..end, letters, true, true)],
                ));
            } else {
                let inv = match c {
                    '\u{AD}' => {
                        let at_break = next.is_none() || next == Some('\r');
                        if at_break && offset + line.len() < text.len() {
                            Some(("soft hyphen U+00AD at a line break", "-", "Replace with `-`"))
                        } else {
                            Some(("soft hyphen U+00AD", "", "Remove"))
                        }
                    }
                    '\u{200B}' => Some(("zero-width space U+200B", "", "Remove")),
                    '\u{200C}' | '\u{200D}'
                        if !joiner_meaningful_next_to(prev) && !joiner_meaningful_next_to(next) =>
                    {
                        Some(if c == '\u{200C}' {
                            ("zero-width non-joiner U+200C", "", "Remove")
                        } else {
                            ("zero-width joiner U+200D", "", "Remove")
                        })
                    }
                    '\u{2060}' => Some(("word joiner U+2060", "", "Remove")),
                    '\u{FEFF}' if at > 0 => {
                        Some(("byte order mark U+FEFF inside the text", "", "Remove"))
                    }
                    _ => None,
                };
                if let Some((what, new, title)) = inv {
                    out.push(finding(
                        INVISIBLE,
                        Severity::Information,
                        format!("invisible {what}"),
                        at..end,
                        vec![fix(title.to_string(), at..end, new, true, true)],
                    ));
                } else if c == '\u{A0}'
                    && prev.is_some_and(char::is_alphabetic)
                    && next.is_some_and(char::is_alphabetic)
                {
                    out.push(finding(
                        INVISIBLE,
                        Severity::Information,
                        "no-break space U+00A0 between letters".to_string(),
                        at..end,
                        vec![
                            fix("Replace with a space".to_string(), at..end, " ", true, true),
                            fix("Remove (join the word)".to_string(), at..end, "", false, false),
                        ],
                    ));
                }
            }
            k += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> Vec<&'static str> {
        check(text).iter().map(|f| f.rule).collect()
    }

    #[test]
    fn seeds_example() {
        let text = "Defensie en de MIVD Oekra√Øne. Hierdoor – € 25 ’s café";
        let f = check(text);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].rule, GARBLED);
        assert_eq!(&text[f[0].range.clone()], "Oekra√Øne");
        assert_eq!(
            f[0].message,
            "garbled characters: `Oekra√Øne` is UTF-8 read as Mac Roman; did you mean `Oekraïne`?"
        );
        assert_eq!(repair(text), "Defensie en de MIVD Oekraïne. Hierdoor – € 25 ’s café");
    }

    #[test]
    fn span_not_line() {
        let text = "De prijs – € 25 – is verhoogd; â€œcafÃ©â€\u{9d} naïve ’s";
        assert_eq!(repair(text), "De prijs – € 25 – is verhoogd; “café” naïve ’s");
    }

    #[test]
    fn double_garbled_message() {
        let f = check("Iggy Pop (nÃƒÂ© Jim)");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("Windows-1252 twice"), "{}", f[0].message);
    }

    #[test]
    fn other_rules() {
        assert_eq!(rules("a\u{FFFD}b"), vec![REPLACEMENT]);
        assert!(check("a\u{FFFD}b")[0].fixes.is_empty());
        assert_eq!(rules("a\u{7}b"), vec![CONTROL]);
        assert_eq!(repair("a\u{7}b"), "ab");
        assert_eq!(repair("tab\tok\r\n\x0cpage"), "tab\tok\r\n\x0cpage");
        assert_eq!(repair("\u{93}quoted\u{94}"), "“quoted”");
        assert_eq!(repair("ﬁnanciële ﬂow"), "financiële flow");
        assert_eq!(rules("eﬃciënt"), vec![LIGATURE]);
        assert_eq!(repair("zo\u{AD}als"), "zoals");
        assert_eq!(repair("informa\u{AD}\ntie"), "informa-\ntie");
        assert_eq!(repair("a\u{200B}b\u{2060}c"), "abc");
        assert_eq!(repair("\u{FEFF}start"), "\u{FEFF}start");
        assert_eq!(repair("mid\u{FEFF}dle"), "middle");
        assert_eq!(repair("Den\u{A0}Haag"), "Den Haag");
        assert_eq!(repair("art.\u{A0}5"), "art.\u{A0}5");
        assert_eq!(rules("👨\u{200D}👩"), Vec::<&str>::new());
    }

    #[test]
    fn ranges_on_char_boundaries() {
        let text = "x Ã© y √Ø z \u{93} ﬁ \u{AD} \u{FFFD}";
        for f in check(text) {
            assert!(text.is_char_boundary(f.range.start));
            assert!(text.is_char_boundary(f.range.end));
        }
    }

    #[test]
    fn traps_are_left_alone() {
        for t in [
            "SÃO PAULO",
            "√2",
            "Ø 12 mm",
            "ÆØÅ",
            "Citroën®",
            "Škoda™",
            "«Bonjour»",
            "µg",
            "a²",
            "Ελληνικά",
            "Москва",
            "“citaat” – ‘ook’ — …",
            "€ 25",
            "naïve café",
            "°C",
            "½",
            "Ångström",
            "Łódź",
            "Ünal",
            "déjà vu",
            "3 à 4 weken",
            "C O N C L U S Ã O",
            "(-1/2)! = √π",
            "Join ZZAJÉ’s list",
            "L’épisode",
            "Úžasný výhled",
            "ВІКІ is Ukrainian for WIKI",
            "a radius of 10 Å—",
            "├┤a┼┐a┼┐a┼┐a",
        ] {
            assert_eq!(check(t), Vec::new(), "{t}");
        }
    }

    #[test]
    fn each_code_page() {
        for (garbled, clean, name) in [
            ("financiÃ«le", "financiële", "Windows-1252"),
            ("2020 â\u{80}\u{93} 2021", "2020 – 2021", "Latin-1"),
            ("Oekra√Øne", "Oekraïne", "Mac Roman"),
            ("pÅ™Ã\u{AD}Å¡tÄ›", "příště", "Windows-1252"),
            ("pĹ™Ă\u{AD}ĹˇtÄ›", "příště", "Windows-1250"),
            ("financi├½le", "financiële", "CP437"),
            ("rГ©gion", "région", "Windows-1251"),
            ("cafÃƒÂ©", "café", "Windows-1252 twice"),
            ("caf\u{c3}\u{83}\u{c2}\u{a9}", "café", "Windows-1252, then as Latin-1"),
            ("Г‚ВЈ5", "£5", "Windows-1252, then as Windows-1251"),
        ] {
            let f = check(garbled);
            assert_eq!(f.len(), 1, "{garbled}: {f:?}");
            assert!(f[0].message.contains(name), "{garbled}: {}", f[0].message);
            assert_eq!(repair(garbled), clean);
        }
    }

    #[test]
    fn a_lost_no_break_space() {
        assert_eq!(repair("voilÃ le travail"), "voilà le travail");
        assert_eq!(repair("3 Ã  4 weken"), "3 à 4 weken");
    }

    #[test]
    fn rules_table_covers_emitted_codes() {
        for code in [GARBLED, REPLACEMENT, CONTROL, LIGATURE, INVISIBLE] {
            assert!(RULES.iter().any(|(c, _, _)| *c == code));
        }
    }
}
