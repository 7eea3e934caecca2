//! Finding spans of UTF-8 that were decoded with a legacy code page, and undoing that.
//!
//! Per line, for every code page: take each maximal run of characters that the code page can
//! encode, encode it back to bytes and look for byte sequences that are valid UTF-8 ("pieces").
//! Adjacent pieces form a group; a group is one candidate repair. It is accepted when its
//! decoding lowers the weirdness score of its neighbourhood (see `chars.rs`). Candidates of all
//! code pages compete; the best non-overlapping ones win. A decoding that is itself mojibake is
//! repaired again (text garbled twice or three times).
//!
//! Two kinds of pieces need more care and are only accepted on their own if they clearly improve
//! the text, or else when the same line has a clear repair: pieces where an ASCII space stands
//! for a lost byte 0xA0 (a no-break space that some program turned into a space), and pieces
//! where U+FFFD or `?` stands for a byte that was lost.

use super::chars::{cat, forbidden_in_repair, Cat, Window};
use super::tables::{Codepage, ALL};

/// The code page a span was misread as, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Misread {
    Windows1252,
    Latin1,
    MacRoman,
    Windows1250,
    Iso8859_2,
    Windows1251,
    Windows1257,
    Cp437,
}

impl Misread {
    pub fn name(self) -> &'static str {
        match self {
            Misread::Windows1252 => "Windows-1252",
            Misread::Latin1 => "Latin-1",
            Misread::MacRoman => "Mac Roman",
            Misread::Windows1250 => "Windows-1250",
            Misread::Iso8859_2 => "ISO-8859-2",
            Misread::Windows1251 => "Windows-1251",
            Misread::Windows1257 => "Windows-1257",
            Misread::Cp437 => "CP437",
        }
    }
}

/// One repair: replace the bytes `range` of the text by `replacement`. `chain` lists the code
/// pages in the order the repair undid them (outermost garbling first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repair {
    pub range: std::ops::Range<usize>,
    pub replacement: String,
    pub chain: Vec<Misread>,
}

const MAX_DEPTH: u8 = 3;
const ROUNDS: usize = 3;

#[derive(Clone, Debug)]
struct Slot {
    ch: char,
    src: (usize, usize),
    changed: bool,
    chain: Vec<Misread>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Plain,
    /// A space stands for a lost byte 0xA0.
    A0,
    /// U+FFFD or `?` stands for a lost byte; decodes to U+FFFD.
    Lossy,
}

#[derive(Clone, Copy, Debug)]
struct Piece {
    s: usize,
    e: usize,
    out: char,
    kind: Kind,
}

#[derive(Clone, Debug)]
struct Cand {
    s: usize,
    e: usize,
    out: Vec<char>,
    chain: Vec<Misread>,
    gain: i32,
    w_new: i32,
    specials: i32,
    strong: bool,
    /// Has restored 0xA0 bytes or lost bytes.
    guessed: bool,
    prio: usize,
}

/// Quick test: can this line contain a piece at all? Every piece starts with a non-ASCII
/// character followed by another non-ASCII character, or by a space or `?` that may stand for a
/// lost byte.
pub fn line_is_hot(line: &str) -> bool {
    let mut it = line.chars().peekable();
    while let Some(c) = it.next() {
        if c.is_ascii() {
            continue;
        }
        match it.peek() {
            Some(&n) if !n.is_ascii() => return true,
            Some(' ') if may_lead_before_space(c) => return true,
            Some('?') if may_lead_before_question(c) => return true,
            _ => {}
        }
    }
    false
}

fn may_lead_before_space(c: char) -> bool {
    ALL.iter().any(|cp| {
        cp.a0_restore_allowed()
            && matches!(
                cp.encode(c),
                Some(0xC2 | 0xC3 | 0xC5 | 0xCE | 0xD0 | 0xD9 | 0xE0..=0xE3 | 0xF0)
            )
    })
}

fn may_lead_before_question(c: char) -> bool {
    ALL.iter()
        .any(|cp| cp.lossy_allowed() && matches!(cp.encode(c), Some(0xC2 | 0xC3 | 0xE0..=0xF4)))
}

/// Find the repairs in one line; `offset` is the byte offset of the line in the whole text.
pub fn repairs_in_line(line: &str, offset: usize) -> Vec<Repair> {
    let mut slots: Vec<Slot> = line
        .char_indices()
        .map(|(i, ch)| Slot {
            ch,
            src: (offset + i, offset + i + ch.len_utf8()),
            changed: false,
            chain: Vec::new(),
        })
        .collect();
    if !run_rounds(&mut slots, 0, false) {
        return Vec::new();
    }
    let mut out: Vec<Repair> = Vec::new();
    let mut k = 0;
    while k < slots.len() {
        if !slots[k].changed {
            k += 1;
            continue;
        }
        let mut r = Repair {
            range: slots[k].src.0..slots[k].src.1,
            replacement: String::new(),
            chain: slots[k].chain.clone(),
        };
        while k < slots.len() && slots[k].changed {
            r.range.start = r.range.start.min(slots[k].src.0);
            r.range.end = r.range.end.max(slots[k].src.1);
            r.replacement.push(slots[k].ch);
            for m in &slots[k].chain {
                if !r.chain.contains(m) {
                    r.chain.push(*m);
                }
            }
            k += 1;
        }
        out.push(r);
    }
    out
}

/// Repair a decoded fragment that may itself be mojibake (text garbled more than once).
fn fix_fragment(chars: &[char], depth: u8) -> (Vec<char>, Vec<Misread>) {
    if depth >= MAX_DEPTH || !chars.iter().any(|c| !c.is_ascii()) {
        return (chars.to_vec(), Vec::new());
    }
    let mut slots: Vec<Slot> = chars
        .iter()
        .enumerate()
        .map(|(i, &ch)| Slot { ch, src: (i, i + 1), changed: false, chain: Vec::new() })
        .collect();
    // The outer decoding is the evidence that this fragment is mojibake.
    if !run_rounds(&mut slots, depth, true) {
        return (chars.to_vec(), Vec::new());
    }
    let chain = slots.iter().find(|s| s.changed).map(|s| s.chain.clone()).unwrap_or_default();
    (slots.iter().map(|s| s.ch).collect(), chain)
}

/// Run repair rounds over the slots; returns whether anything changed. Later rounds only see
/// what earlier rounds left alone: a repair's output is final (text garbled twice is repaired
/// inside one candidate).
fn run_rounds(slots: &mut Vec<Slot>, depth: u8, all_support: bool) -> bool {
    let mut any = false;
    // Code pages with a clear repair in this line (weak candidates need one).
    let mut support = [all_support; 8];
    for _ in 0..ROUNDS {
        let chars: Vec<char> = slots.iter().map(|s| s.ch).collect();
        let locked: Vec<bool> = slots.iter().map(|s| s.changed).collect();
        let cands = candidates(&chars, &locked, depth);
        if cands.is_empty() {
            break;
        }
        for c in cands.iter().filter(|c| c.strong) {
            support[c.prio] = true;
        }
        let taken = select(&chars, cands, &support);
        if taken.is_empty() {
            break;
        }
        any = true;
        let mut taken = taken;
        taken.sort_by_key(|c| c.s);
        // Rebuild the slots in one pass (splicing one by one is quadratic on long lines).
        let mut out: Vec<Slot> = Vec::with_capacity(slots.len());
        let mut pos = 0;
        for c in taken {
            out.extend_from_slice(&slots[pos..c.s]);
            let src = (slots[c.s].src.0, slots[c.e - 1].src.1);
            out.extend(c.out.iter().map(|&ch| Slot {
                ch,
                src,
                changed: true,
                chain: c.chain.clone(),
            }));
            pos = c.e;
        }
        out.extend_from_slice(&slots[pos..]);
        *slots = out;
    }
    any
}

/// Choose non-overlapping candidates. Candidates that overlap form a cluster; within a cluster
/// every candidate is tried as the first choice, completed greedily with the others, and the
/// combination that leaves the cluster least weird wins. Weak candidates only count when the line
/// has a strong one (`support`).
fn select(chars: &[char], cands: Vec<Cand>, support: &[bool; 8]) -> Vec<Cand> {
    let any_support = support.iter().any(|&s| s);
    // How much each code page explains in this line: prefer the consistent one on ties.
    let mut cp_score = [0i32; 8];
    for c in cands.iter().filter(|c| c.strong) {
        cp_score[c.prio] += c.gain;
    }
    let mut cands: Vec<Cand> = cands
        .into_iter()
        .filter(|c| c.strong || (c.guessed && any_support) || support[c.prio])
        .collect();
    cands.sort_by(|a, b| {
        b.strong
            .cmp(&a.strong)
            .then(b.gain.cmp(&a.gain))
            .then(a.w_new.cmp(&b.w_new))
            .then(cp_score[b.prio].cmp(&cp_score[a.prio]))
            .then((b.e - b.s).cmp(&(a.e - a.s)))
            .then(a.prio.cmp(&b.prio))
    });
    // Clusters of overlapping candidates (indices into the sorted list).
    let mut order: Vec<usize> = (0..cands.len()).collect();
    order.sort_by_key(|&i| cands[i].s);
    let mut clusters: Vec<(usize, usize, Vec<usize>)> = Vec::new();
    for i in order {
        let c = &cands[i];
        match clusters.last_mut() {
            Some((_, e, members)) if c.s < *e => {
                *e = (*e).max(c.e);
                members.push(i);
            }
            _ => clusters.push((c.s, c.e, vec![i])),
        }
    }
    let mut taken = Vec::new();
    for (us, ue, mut members) in clusters {
        members.sort_unstable(); // back into preference order
        if members.len() == 1 {
            taken.push(members[0]);
            continue;
        }
        let mut best: Option<(i32, Vec<usize>)> = None;
        for &seed in &members {
            let mut set = vec![seed];
            for &m in &members {
                if set.iter().all(|&t| cands[m].e <= cands[t].s || cands[m].s >= cands[t].e) {
                    set.push(m);
                }
            }
            let score = joint_score(chars, us, ue, &cands, &set);
            if best.as_ref().is_none_or(|(b, _)| score < *b) {
                best = Some((score, set));
            }
        }
        taken.extend(best.map(|(_, set)| set).unwrap_or_default());
    }
    let mut keep = vec![false; cands.len()];
    for i in taken {
        keep[i] = true;
    }
    cands.into_iter().zip(keep).filter_map(|(c, k)| k.then_some(c)).collect()
}

/// Weirdness of the span `us..ue` after applying the candidates `set`, plus their penalties.
fn joint_score(chars: &[char], us: usize, ue: usize, cands: &[Cand], set: &[usize]) -> i32 {
    let mut set: Vec<&Cand> = set.iter().map(|&i| &cands[i]).collect();
    set.sort_by_key(|c| c.s);
    let l = us.saturating_sub(4);
    let r = chars.len().min(ue + 4);
    let mut nchars: Vec<char> = chars[l..us].to_vec();
    let mut pos = us;
    for c in &set {
        nchars.extend_from_slice(&chars[pos..c.s]);
        nchars.extend_from_slice(&c.out);
        pos = c.e;
    }
    nchars.extend_from_slice(&chars[pos..ue]);
    let body_end = nchars.len();
    nchars.extend_from_slice(&chars[ue..r]);
    let ncats: Vec<Cat> =
        nchars.iter().map(|&c| if c == '\u{FFFD}' { Cat::Sym } else { cat(c) }).collect();
    let w = Window { chars: &nchars, cats: &ncats, body: (us - l)..body_end }.weirdness();
    w + set.iter().map(|c| c.specials).sum::<i32>()
}

/// Characters that legitimately stand right next to mojibake in otherwise correct text.
fn innocent(c: char) -> bool {
    matches!(
        c,
        '“' | '”'
            | '‘'
            | '’'
            | '«'
            | '»'
            | '„'
            | '‚'
            | '‹'
            | '›'
            | '–'
            | '—'
            | '…'
            | '•'
            | '·'
            | '\u{a0}'
            | '°'
            | '¡'
            | '¿'
    )
}

fn is_cont(b: u8) -> bool {
    (0x80..=0xBF).contains(&b)
}

fn a0_second(b: u8) -> bool {
    matches!(b, 0x80..=0x84 | 0x86..=0x9F | 0xA1..=0xBF)
}

fn decode(bytes: &[u8]) -> Option<char> {
    let s = std::str::from_utf8(bytes).ok()?;
    let mut it = s.chars();
    let c = it.next()?;
    if it.next().is_some() {
        return None;
    }
    Some(c)
}

fn candidates(chars: &[char], locked: &[bool], depth: u8) -> Vec<Cand> {
    let cats: Vec<Cat> = chars.iter().map(|&c| cat(c)).collect();
    let mut out = Vec::new();
    let mut bytes = vec![0u8; chars.len()];
    let mut stray = vec![false; chars.len()];
    for (prio, &cp) in ALL.iter().enumerate() {
        let mut i = 0;
        while i < chars.len() {
            // A run of characters encodable in `cp`.
            let rs = i;
            let mut high = false;
            while i < chars.len() {
                match cp.encode(chars[i]) {
                    Some(b) => {
                        bytes[i] = b;
                        stray[i] = false;
                        high |= b >= 0x80;
                        i += 1;
                    }
                    None => break,
                }
            }
            let re = i;
            if re == rs {
                // Not encodable: skip it.
                stray[i] = false;
                i += 1;
                continue;
            }
            if !high {
                continue;
            }
            let pieces = parse_pieces(chars, &bytes, &mut stray, rs, re, cp);
            let ctx = Ctx { chars, cats: &cats, stray: &stray, cp, prio, depth };
            let mut g = 0;
            while g < pieces.len() {
                let mut h = g + 1;
                while h < pieces.len() && pieces[h].s == pieces[h - 1].e {
                    h += 1;
                }
                let group = &pieces[g..h];
                if !group.iter().any(|p| (p.s..p.e).any(|k| locked[k])) {
                    if let Some(c) = evaluate(&ctx, group) {
                        out.push(c);
                    }
                }
                g = h;
            }
        }
    }
    out
}

struct Ctx<'a> {
    chars: &'a [char],
    cats: &'a [Cat],
    stray: &'a [bool],
    cp: Codepage,
    prio: usize,
    depth: u8,
}

fn parse_pieces(
    chars: &[char],
    bytes: &[u8],
    stray: &mut [bool],
    rs: usize,
    re: usize,
    cp: Codepage,
) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut i = rs;
    while i < re {
        if bytes[i] < 0x80 {
            i += 1;
            continue;
        }
        match try_piece(chars, bytes, i, re, cp) {
            Some(p) => {
                i = p.e;
                pieces.push(p);
            }
            None => {
                stray[i] = true;
                i += 1;
            }
        }
    }
    pieces
}

fn try_piece(chars: &[char], b: &[u8], i: usize, re: usize, cp: Codepage) -> Option<Piece> {
    let x = b[i];
    let n = match x {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let avail = re - i;
    // CESU-8: a surrogate pair encoded as two three-byte sequences.
    if x == 0xED
        && avail >= 6
        && (0xA0..=0xAF).contains(&b[i + 1])
        && is_cont(b[i + 2])
        && b[i + 3] == 0xED
        && (0xB0..=0xBF).contains(&b[i + 4])
        && is_cont(b[i + 5])
    {
        let hi = ((b[i + 1] as u32 & 0x0F) << 6) | (b[i + 2] as u32 & 0x3F);
        let lo = ((b[i + 4] as u32 & 0x0F) << 6) | (b[i + 5] as u32 & 0x3F);
        let cpt = 0x10000 + (hi << 10) + lo;
        if let Some(c) = char::from_u32(cpt) {
            return Some(Piece { s: i, e: i + 6, out: c, kind: Kind::Plain });
        }
    }
    if avail >= n {
        if let Some(c) = decode(&b[i..i + n]) {
            return Some(Piece { s: i, e: i + n, out: c, kind: Kind::Plain });
        }
    }
    let is_space = |k: usize| k < chars.len() && chars[k] == ' ';
    if cp.a0_restore_allowed() {
        if n == 2 && matches!(x, 0xC2 | 0xC3 | 0xC5 | 0xCE | 0xD0 | 0xD9) && is_space(i + 1) {
            let out = decode(&[x, 0xA0])?;
            let mut e = i + 2;
            if x == 0xC3 {
                // `Ã` + space is `à` + space, the no-break space and a space having merged
                // (French `à la`); `à` glues to the next word only in Portuguese `às`, `àquele`.
                let rest: String = chars[i + 2..chars.len().min(i + 7)].iter().collect();
                let glued = rest.starts_with("s ")
                    || rest == "s"
                    || rest.starts_with("quel")
                    || rest.starts_with("quil");
                if !(is_space(i + 2) || glued) {
                    e = i + 1;
                }
            }
            return Some(Piece { s: i, e, out, kind: Kind::A0 });
        }
        if n == 3 && avail >= 3 {
            let (b1, b2) = (b[i + 1], b[i + 2]);
            let seq = if matches!(x, 0xE2 | 0xE3) && is_space(i + 1) && a0_second(b2) {
                Some([x, 0xA0, b2])
            } else if (0xE0..=0xE3).contains(&x) && a0_second(b1) && is_space(i + 2) {
                Some([x, b1, 0xA0])
            } else {
                None
            };
            if let Some(seq) = seq {
                if let Some(out) = decode(&seq) {
                    return Some(Piece { s: i, e: i + 3, out, kind: Kind::A0 });
                }
            }
        }
        if n == 4 && x == 0xF0 && avail >= 4 {
            let mut seq = [x, b[i + 1], b[i + 2], b[i + 3]];
            let spaces = (1..4).filter(|&k| is_space(i + k)).count();
            if spaces == 1 {
                for (k, byte) in seq.iter_mut().enumerate().skip(1) {
                    if is_space(i + k) {
                        *byte = 0xA0;
                    }
                }
                if let Some(out) = decode(&seq) {
                    return Some(Piece { s: i, e: i + 4, out, kind: Kind::A0 });
                }
            }
        }
    }
    if cp.lossy_allowed() && avail >= n {
        let lost = |k: usize| chars[k] == '\u{FFFD}';
        let q = |k: usize| chars[k] == '?';
        let ok = match n {
            2 => lost(i + 1) || (matches!(x, 0xC2 | 0xC3) && q(i + 1)),
            _ => {
                let mut marks = 0;
                let mut good = true;
                for (k, &byte) in b.iter().enumerate().take(i + n).skip(i + 1) {
                    if lost(k) {
                        marks += 1;
                    } else if q(k) {
                        marks += 1;
                        // At most one `?` per sequence.
                        if (i + 1..k).any(q) {
                            good = false;
                        }
                    } else if !is_cont(byte) {
                        good = false;
                    }
                }
                good && marks >= 1
            }
        };
        if ok {
            return Some(Piece { s: i, e: i + n, out: '\u{FFFD}', kind: Kind::Lossy });
        }
    }
    None
}

fn misread_name(cp: Codepage, orig: &[char]) -> Misread {
    match cp {
        Codepage::Windows1252 => {
            let c1 = orig.iter().any(|&c| {
                let u = c as u32;
                (0x80..=0x9F).contains(&u) && !matches!(u, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D)
            });
            let special = orig.iter().any(|&c| c as u32 > 0xFF);
            if c1 && !special {
                Misread::Latin1
            } else {
                Misread::Windows1252
            }
        }
        Codepage::MacRoman => Misread::MacRoman,
        Codepage::Windows1250 => Misread::Windows1250,
        Codepage::Iso8859_2 => Misread::Iso8859_2,
        Codepage::Windows1251 => Misread::Windows1251,
        Codepage::Windows1257 => Misread::Windows1257,
        Codepage::Cp437 => Misread::Cp437,
    }
}

fn evaluate(ctx: &Ctx, group: &[Piece]) -> Option<Cand> {
    let chars = ctx.chars;
    let s = group[0].s;
    let e = group[group.len() - 1].e;
    // A group glued to characters that are not valid UTF-8 in this code page is probably a
    // chance match inside other text (ftfy's lowercased mojibake example).
    // The same holds for neighbours this code page cannot encode at all.
    let foreign = |k: usize| {
        let c = chars[k];
        !c.is_ascii() && !innocent(c) && (ctx.stray[k] || ctx.cp.encode(c).is_none())
    };
    if (s > 0 && foreign(s - 1)) || (e < chars.len() && foreign(e)) {
        return None;
    }
    // Penalty for the guesswork in restored 0xA0 bytes and lost bytes; lost bytes cost nothing
    // when the group also has intact sequences that show what happened.
    let a0 = group.iter().filter(|p| p.kind == Kind::A0).count() as i32;
    let lossy = group.iter().filter(|p| p.kind == Kind::Lossy).count() as i32;
    let plain = group.iter().any(|p| p.kind == Kind::Plain);
    let specials = a0 + if plain { 0 } else { lossy };
    let guessed = a0 + lossy > 0;
    let decoded: Vec<char> = group.iter().map(|p| p.out).collect();
    let (fixed, inner_chain) = fix_fragment(&decoded, ctx.depth + 1);
    if fixed.iter().any(|&c| forbidden_in_repair(c)) {
        return None;
    }
    let w_orig = Window { chars, cats: ctx.cats, body: s..e }.weirdness();
    let l = s.saturating_sub(4);
    let r = chars.len().min(e + 4);
    let mut nchars: Vec<char> = chars[l..s].to_vec();
    nchars.extend_from_slice(&fixed);
    nchars.extend_from_slice(&chars[e..r]);
    let ncats: Vec<Cat> =
        nchars.iter().map(|&c| if c == '\u{FFFD}' { Cat::Sym } else { cat(c) }).collect();
    let w_new =
        Window { chars: &nchars, cats: &ncats, body: (s - l)..(s - l + fixed.len()) }.weirdness();
    let gain = w_orig - w_new - specials;
    let strong = gain >= 1;
    // Weak candidates need support from a strong one in the same line: restored or lost bytes
    // (any code page), or a plain decoding to a Latin letter or common punctuation that does not
    // make the text weirder (same code page).
    // Greek or Cyrillic letters only when the whole decoding is letters of that script (short
    // Windows-1251 words such as `РЅРµ` for `не`).
    let plain_ok = fixed.iter().all(|&c| {
        !matches!(
            cat(c),
            Cat::OtherLetter
                | Cat::GreekUpper
                | Cat::GreekLower
                | Cat::CyrUpper
                | Cat::CyrLower
                | Cat::Mark
                | Cat::Sym
                | Cat::Control
                | Cat::Bad
        )
    }) || fixed.iter().all(|&c| matches!(cat(c), Cat::CyrUpper | Cat::CyrLower))
        || fixed.iter().all(|&c| matches!(cat(c), Cat::GreekUpper | Cat::GreekLower));
    let weak = !strong && w_new <= w_orig && (guessed || plain_ok);
    if !strong && !weak {
        return None;
    }
    let mut chain = vec![misread_name(ctx.cp, &chars[s..e])];
    chain.extend(inner_chain);
    Some(Cand { s, e, out: fixed, chain, gain, w_new, specials, strong, guessed, prio: ctx.prio })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(s: &str) -> String {
        let mut out = s.to_string();
        let mut reps = repairs_in_line(s, 0);
        reps.sort_by_key(|r| std::cmp::Reverse(r.range.start));
        for r in reps {
            out.replace_range(r.range, &r.replacement);
        }
        out
    }

    #[test]
    fn basic() {
        assert_eq!(fix("Oekra√Øne"), "Oekraïne");
        assert_eq!(fix("auspici√´n"), "auspiciën");
        assert_eq!(fix("cafÃ©"), "café");
        assert_eq!(fix("nÃƒÂ©"), "né");
        assert_eq!(fix("â€œquotedâ€\u{9d}"), "“quoted”");
        assert_eq!(fix("voilÃ le travail"), "voilà le travail");
    }

    #[test]
    fn hot() {
        assert!(!line_is_hot("plain ascii"));
        assert!(!line_is_hot("café au lait"));
        assert!(line_is_hot("cafÃ©"));
        assert!(line_is_hot("voilÃ le"));
    }
}
