//! Making user text safe to post: it never pings, never breaks out of formatting, and always
//! fits Discord's limits.

use serenity::all::CreateAllowedMentions;

/// Discord's limits, in characters.
pub mod limits {
    /// An embed's title.
    pub const EMBED_TITLE: usize = 256;
    /// An embed's description.
    pub const EMBED_DESCRIPTION: usize = 4096;
    /// One embed field's value.
    pub const FIELD_VALUE: usize = 1024;
    /// A plain message.
    pub const MESSAGE: usize = 2000;
    /// A button's label.
    pub const BUTTON_LABEL: usize = 80;
    /// An autocomplete choice's name and value.
    pub const CHOICE: usize = 100;
    /// What a modal text input accepts.
    pub const ANSWER: u16 = 4000;
}

/// Mentions that nothing the bot posts may trigger: no user, role or everyone pings, ever.
/// Combined with [`escape`], echoed text cannot ping even if a client ignored this.
pub fn no_pings() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
        .everyone(false)
        .all_users(false)
        .all_roles(false)
        .replied_user(false)
}

/// Cuts `text` to at most `max` characters, ending with `…` when something was cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Escapes `text` from a user so Discord shows it as typed: markdown characters are escaped,
/// mentions are broken with a zero-width space, control characters and bidi overrides dropped,
/// and combining-mark pile-ups ("zalgo") thinned out.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut marks_in_a_row = 0;
    for c in text.chars() {
        let combining =
            matches!(u32::from(c), 0x0300..=0x036f | 0x1ab0..=0x1aff | 0x20d0..=0x20ff | 0xfe20..=0xfe2f);
        marks_in_a_row = if combining { marks_in_a_row + 1 } else { 0 };
        if marks_in_a_row > 2 {
            continue;
        }
        match c {
            // Bidi overrides and isolates can make text read backwards; controls have no place.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {}
            c if c.is_control() && c != '\n' => {}
            '\\' | '*' | '_' | '~' | '`' | '|' | '>' | '#' | '[' | ']' | '(' | ')' | '-' | '<' | ':' => {
                out.push('\\');
                out.push(c);
            }
            '@' => out.push_str("@\u{200b}"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes and cuts in one go: the usual treatment of text going into a field.
pub fn clean(text: &str, max: usize) -> String {
    truncate(&escape(text), max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_cannot_ping() {
        let out = escape("hi @everyone and @here and <@123> and <@&456>");
        assert!(!out.contains("@everyone") && !out.contains("@here"), "{out}");
        // A mention needs `<@` unescaped and unbroken; both are taken away.
        assert!(!out.replace("\\<", "").contains('<'), "{out}");
        assert!(!out.contains("<@1") && !out.contains("@1"), "{out}");
    }

    #[test]
    fn markdown_and_code_blocks_cannot_break_out() {
        let out = escape("```\n**bold** [link](http://x) > quote");
        assert!(!out.contains("```"));
        assert!(out.contains("\\*\\*bold\\*\\*"));
        assert!(out.contains("\\[link\\]\\(http\\:"));
    }

    #[test]
    fn invisible_tricks_are_dropped() {
        assert_eq!(escape("a\u{202e}b\u{0}c\u{7}"), "abc");
        let zalgo = format!("Z{}", "\u{0301}".repeat(50));
        assert_eq!(escape(&zalgo).chars().count(), 3);
    }

    mod corpus {
        include!("../../../tests/data/hostile.rs");
    }

    #[test]
    fn no_hostile_answer_pings_or_overflows_a_field() {
        let corpus = corpus::all();
        assert!(corpus.len() >= 200, "{}", corpus.len());
        for hostile in &corpus {
            for max in [
                limits::EMBED_TITLE,
                limits::FIELD_VALUE,
                limits::MESSAGE,
                limits::EMBED_DESCRIPTION,
            ] {
                let out = clean(&hostile.answer, max);
                assert!(out.chars().count() <= max, "{} answer over {max}", hostile.class);
                assert!(
                    !out.contains("@everyone") && !out.contains("@here"),
                    "{}: {out:?}",
                    hostile.class
                );
                // `<@` only survives escaped as `\<@`.
                assert!(
                    !out.replace("\\<", "").contains("<@"),
                    "{}: {out:?}",
                    hostile.class
                );
                assert!(
                    !out.chars()
                        .any(|c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c)),
                    "{}: a control or bidi character survived",
                    hostile.class
                );
                assert!(!out.contains("```"), "{}: a code fence survived", hostile.class);
            }
        }
    }

    #[test]
    fn truncation_respects_characters_and_says_so() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("ééééé", 3), "éé…");
        assert_eq!(truncate(&"x".repeat(5000), 1024).chars().count(), 1024);
        assert_eq!(clean(&"@".repeat(3000), 1024).chars().count(), 1024);
    }
}
