//! An answer cut into sentences, the unit a key point is compared with: a point is usually made
//! in one sentence, and a long answer's mean vector would blur the sentence that makes it.

/// The sentences of `text`, verbatim and trimmed, in order: cut after `.`, `!`, `?` or `;`
/// followed by white space, and at line breaks (so "1.5 V" and "e.g.x" stay whole). Bullet
/// markers and fragments without a letter or digit are dropped. At most `max_sentences`, and at
/// most `max_chars` characters in all (the last one cut at a character boundary).
pub(crate) fn split(text: &str, max_sentences: usize, max_chars: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut budget = max_chars;
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let end = at + c.len_utf8();
        let boundary = match c {
            '\n' | '\r' => true,
            '.' | '!' | '?' | ';' => chars.peek().is_none_or(|(_, next)| next.is_whitespace()),
            _ => false,
        };
        if boundary {
            if !push(&text[start..end], &mut out, &mut budget, max_sentences) {
                return out;
            }
            start = end;
        }
    }
    push(&text[start..], &mut out, &mut budget, max_sentences);
    out
}

/// Adds one piece if it has content and the budget allows; whether to go on.
fn push<'t>(piece: &'t str, out: &mut Vec<&'t str>, budget: &mut usize, max_sentences: usize) -> bool {
    let piece = piece.trim().trim_start_matches(['-', '*', '•', '>']).trim();
    if piece.chars().any(char::is_alphanumeric) && *budget > 0 {
        let cut = piece
            .char_indices()
            .nth(*budget)
            .map_or(piece, |(at, _)| &piece[..at]);
        *budget -= cut.chars().count();
        out.push(cut);
    }
    out.len() < max_sentences && *budget > 0
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn sentences_lines_and_bullets() {
        assert_eq!(
            split("SGs are stateful. NACLs are not!\n- per subnet\n\n", 16, 2000),
            ["SGs are stateful.", "NACLs are not!", "per subnet"]
        );
        assert_eq!(
            split("The voltage is 1.5 V; e.g.x stays", 16, 2000),
            ["The voltage is 1.5 V;", "e.g.x stays"]
        );
        assert!(split("", 16, 2000).is_empty());
        assert!(split(" ... !!! \n -- ", 16, 2000).is_empty());
    }

    #[test]
    fn long_answers_are_bounded() {
        let long = "word ".repeat(1000);
        let pieces = split(&long, 16, 2000);
        assert_eq!(pieces.len(), 1);
        assert_eq!(pieces[0].chars().count(), 2000);
        let many = "A b. ".repeat(100);
        assert_eq!(split(&many, 16, 2000).len(), 16);
        let wide = "日本語のテキスト。".repeat(500);
        assert!(split(&wide, 16, 2000)[0].chars().count() <= 2000);
    }
}
