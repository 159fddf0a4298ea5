//! Repair of UTF-8 text that was once decoded as Windows-1252 and saved again ("mojibake").
//!
//! The damage is reversible: each mojibake character stands for one byte of the original UTF-8.
//! Five byte values (0x81, 0x8D, 0x8F, 0x90, 0x9D) have no Windows-1252 character, so an editor
//! drops them, and "❌" (E2 9D 8C) arrives as "âŒ" with its middle byte gone. Those are put
//! back only when exactly one choice of byte and position yields a symbol or emoji, which is what
//! such damage almost always hides; anything that does not decode cleanly is left as written.

use std::borrow::Cow;

/// The byte that a Windows-1252 decoder turned into `c`, if any.
fn cp1252_byte(c: char) -> Option<u8> {
    let byte = match c {
        // Latin-1 stands for itself; lenient decoders also map the five undefined bytes to the
        // C1 controls of the same value.
        '\u{a0}'..='\u{ff}' | '\u{81}' | '\u{8d}' | '\u{8f}' | '\u{90}' | '\u{9d}' => c as u32 as u8,
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8a,
        '‹' => 0x8b,
        'Œ' => 0x8c,
        'Ž' => 0x8e,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9a,
        '›' => 0x9b,
        'œ' => 0x9c,
        'ž' => 0x9e,
        'Ÿ' => 0x9f,
        _ => return None,
    };
    Some(byte)
}

const UNDEFINED_IN_CP1252: [u8; 5] = [0x81, 0x8d, 0x8f, 0x90, 0x9d];

fn is_continuation(byte: u8) -> bool {
    (0x80..=0xbf).contains(&byte)
}

/// How many continuation bytes a UTF-8 lead byte announces, for leads that mojibake can show.
fn continuation_count(lead: u8) -> Option<usize> {
    match lead {
        0xc2..=0xdf => Some(1),
        0xe0..=0xef => Some(2),
        0xf0..=0xf4 => Some(3),
        _ => None,
    }
}

/// How likely a lost byte hides `c`: emoji and dingbats (check marks, crosses) first, then
/// arrows and technical symbols. Letters are never guessed, because a wrong guess would corrupt
/// real text.
fn symbol_rank(c: char) -> Option<u8> {
    match u32::from(c) {
        0x2600..=0x27bf | 0x2b00..=0x2bff | 0x1f000..=0x1faff => Some(0),
        0x2190..=0x21ff | 0x2300..=0x23ff | 0x2460..=0x25ff | 0x2900..=0x2aff => Some(1),
        _ => None,
    }
}

fn decode_one(bytes: &[u8]) -> Option<char> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut chars = text.chars();
    let c = chars.next()?;
    chars.next().is_none().then_some(c)
}

/// Puts back the one byte an editor dropped from `present`, if exactly one way gives a symbol
/// of the most likely kind.
fn restore_lost_byte(present: &[u8]) -> Option<char> {
    let mut candidates: Vec<(u8, char)> = Vec::new();
    for position in 1..=present.len() {
        for lost in UNDEFINED_IN_CP1252 {
            let mut bytes = present.to_vec();
            bytes.insert(position, lost);
            if let Some((rank, c)) = decode_one(&bytes).and_then(|c| Some((symbol_rank(c)?, c))) {
                candidates.push((rank, c));
            }
        }
    }
    let best = candidates.iter().map(|&(rank, _)| rank).min()?;
    let mut best_chars = candidates
        .iter()
        .filter(|&&(rank, _)| rank == best)
        .map(|&(_, c)| c);
    let first = best_chars.next()?;
    best_chars.all(|c| c == first).then_some(first)
}

/// Repairs mojibake in `text`, leaving text that was never damaged untouched (and borrowed).
///
/// ```
/// use cuecard_sheet::repair_mojibake;
/// assert_eq!(repair_mojibake("PR â†’ plan"), "PR → plan");
/// assert_eq!(repair_mojibake("âŒ NOT for canary"), "❌ NOT for canary");
/// assert_eq!(repair_mojibake("café → ok"), "café → ok");
/// ```
#[must_use]
pub fn repair_mojibake(text: &str) -> Cow<'_, str> {
    // Fast path: mojibake always starts with a Latin-1 lead character.
    if !text
        .chars()
        .any(|c| cp1252_byte(c).and_then(continuation_count).is_some())
    {
        return Cow::Borrowed(text);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if let Some((repaired, used)) = repair_at(&chars[i..]) {
            out.push(repaired);
            changed = true;
            i += used;
        } else {
            out.push(c);
            i += 1;
        }
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

/// The character that the mojibake at the start of `chars` stands for, and how many characters
/// it spans.
fn repair_at(chars: &[char]) -> Option<(char, usize)> {
    let lead = cp1252_byte(chars[0])?;
    let need = continuation_count(lead)?;
    let mut bytes = vec![lead];
    for &c in chars[1..].iter().take(need) {
        match cp1252_byte(c) {
            Some(b) if is_continuation(b) => bytes.push(b),
            _ => break,
        }
    }
    let used = bytes.len();
    if used == need + 1 {
        // Real text rarely puts a Latin-1 letter before a symbol like "©"; still require the
        // result to be outside Latin-1, which undamaged text would have spelled directly.
        return decode_one(&bytes)
            .filter(|&c| u32::from(c) > 0xff || used == 2)
            .map(|c| (c, used));
    }
    // One byte short: a byte with no Windows-1252 character was dropped. Needs at least two
    // bytes present, or the guess has nothing to stand on.
    if used == need && used >= 2 {
        return restore_lost_byte(&bytes).map(|c| (c, used));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Damages `text` the way the bundled sheet was damaged, dropping undefined bytes.
    fn damage(text: &str) -> String {
        text.bytes()
            .filter(|b| !UNDEFINED_IN_CP1252.contains(b))
            .map(|b| match b {
                0x80..=0x9f => [
                    '€', '?', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '?', 'Ž', '?', '?', '‘',
                    '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '?', 'ž', 'Ÿ',
                ][usize::from(b - 0x80)],
                _ => char::from(b),
            })
            .collect()
    }

    #[test]
    fn repairs_what_the_bundled_sheet_shows() {
        for original in ["→", "📋", "🚀", "✅", "❌", "≤", "—", "é", "ü"] {
            let damaged = damage(original);
            assert_ne!(damaged, original);
            assert_eq!(repair_mojibake(&damaged), original, "{damaged:?}");
        }
    }

    #[test]
    fn leaves_undamaged_text_alone() {
        for text in [
            "café, naïve, Zürich, façade",
            "→ ✅ ❌ 📋",
            "Ãber", // a capital A-tilde before a plain letter
            "price: 5€ or 6£",
            "déjà vu",
            "",
        ] {
            assert!(matches!(repair_mojibake(text), Cow::Borrowed(_)), "{text:?}");
        }
    }

    #[test]
    fn repairs_inside_sentences() {
        let damaged = damage("Detect → Triage → Mitigate ✅ done ❌ not");
        assert_eq!(
            repair_mojibake(&damaged),
            "Detect → Triage → Mitigate ✅ done ❌ not"
        );
    }
}
