//! Normalisation shared by answers, key points and questions: one tokenizer, so both sides of
//! every comparison are cut and folded the same way.
//!
//! A token keeps the byte range of the words it came from, so evidence can quote the user's own
//! words verbatim even though matching works on folded, stemmed forms.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::lexicon::Lexicon;

/// Words that flip the meaning of what follows. Kept apart from the stop words because "not
/// stateful" must not earn a "stateful" point; includes the apostrophe-less spellings people type
/// in chat.
const NEGATIONS: &[&str] = &[
    "not",
    "no",
    "never",
    "without",
    "cannot",
    "none",
    "neither",
    "nor",
    "nothing",
    "isn't",
    "isnt",
    "aren't",
    "arent",
    "doesn't",
    "doesnt",
    "don't",
    "dont",
    "won't",
    "wont",
    "can't",
    "cant",
    "wasn't",
    "wasnt",
    "weren't",
    "didn't",
    "didnt",
    "shouldn't",
    "shouldnt",
    "hasn't",
    "hasnt",
    "haven't",
    "havent",
    "couldn't",
    "wouldn't",
    "mustn't",
    "ain't",
    "nope",
    "nah",
];

/// Words that start a new clause even without punctuation, so that "NACLs are stateless whereas
/// SGs are stateful" puts each property next to its own subject.
const CLAUSE_WORDS: &[&str] = &[
    "whereas", "while", "whilst", "but", "however", "unlike", "although", "though", "vs", "versus",
];

/// Verbs that, negated, dismiss what comes before them: "S3 versioning won't help", "encryption
/// isn't needed", "horizontal scaling doesn't work". The negation then applies backwards.
const DISMISSIVE: &[&str] = &[
    "help",
    "helps",
    "need",
    "needed",
    "matter",
    "matters",
    "work",
    "works",
    "belong",
    "worth",
    "necessary",
    "required",
    "useful",
    "apply",
    "applies",
    "exist",
    "exists",
    "count",
    "sense",
    "care",
    "possible",
    "supported",
    "recommended",
];

/// How many tokens back a dismissive negation reaches: "S3 versioning won't help".
const DISMISSAL_REACH: usize = 4;

/// How many tokens back a negation still applies: "doesn't really need a" reaches "need".
const NEGATION_REACH: usize = 3;

/// One word (or one merged synonym phrase) of a text.
#[derive(Debug, Clone)]
#[allow(clippy::struct_excessive_bools)] // independent flags of one word, not a state machine
pub(crate) struct Token {
    /// What comparisons use: the stem, or the synonym group's id for words in a group. Shared
    /// (`Arc`) so that a word seen before costs a reference count, not an allocation.
    pub key: Arc<str>,
    /// The folded word before stemming, for typo tolerance and length checks.
    pub norm: Arc<str>,
    /// Where the word is in the text it came from (bytes).
    pub span: Range<usize>,
    /// A function word: skipped when matching, counted when telling prose from keyword lists.
    pub stop: bool,
    /// A negation word itself ("not", "never").
    pub negation: bool,
    /// A content word with a negation shortly before it in the same clause.
    pub negated: bool,
    /// The word a negation turns around first ("rollback" in "never rollback DB"), or a word a
    /// dismissive negation turns around ("versioning" in "S3 versioning won't help"). Saying
    /// the opposite of such a word is a contradiction; saying the other words of the clause
    /// ("deploy the DB first") is not.
    pub negation_head: bool,
    /// Which clause (sentence or comma-separated part) the word is in.
    pub clause: u32,
    /// Inside backticks or a code block: commands count as content but not as prose.
    pub code: bool,
}

/// The tokens of one text.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tokens {
    pub tokens: Vec<Token>,
}

/// A raw word span before folding.
struct RawWord {
    span: Range<usize>,
    clause: u32,
    code: bool,
}

/// Cuts text into words and clause numbers. Letters, digits and marks make words; an apostrophe
/// between letters stays inside ("doesn't"); `.!?;:,` and line breaks end a clause, except a dot
/// inside a word ("sys.exit", "v1.2"), which only separates words.
fn raw_words(text: &str) -> Vec<RawWord> {
    let mut words = Vec::new();
    let mut clause = 0u32;
    let mut clause_has_words = false;
    let mut start: Option<usize> = None;
    let mut code = false;
    let mut chars = text.char_indices().peekable();
    let mut prev: Option<char> = None;
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let in_word = c.is_alphanumeric()
            || (start.is_some() && is_combining_mark(c))
            || (start.is_some()
                && matches!(c, '\'' | '\u{2019}')
                && prev.is_some_and(char::is_alphanumeric)
                && next.is_some_and(char::is_alphanumeric));
        if in_word {
            if start.is_none() {
                start = Some(i);
            }
        } else {
            if let Some(s) = start.take() {
                words.push(RawWord {
                    span: s..i,
                    clause,
                    code,
                });
                clause_has_words = true;
            }
            if c == '`' {
                code = !code;
            }
            let joins_word = c == '.'
                && prev.is_some_and(char::is_alphanumeric)
                && next.is_some_and(char::is_alphanumeric);
            let breaks =
                matches!(c, '.' | '!' | '?' | ';' | ':' | ',' | '\n' | '|' | '\u{3002}') && !joins_word;
            if breaks && clause_has_words {
                clause += 1;
                clause_has_words = false;
            }
        }
        prev = Some(c);
    }
    if let Some(s) = start {
        words.push(RawWord {
            span: s..text.len(),
            clause,
            code,
        });
    }
    words
}

/// Splits a word at `camelCase` boundaries (`RollingUpdate` -> "Rolling", "Update"; `HTTPServer`
/// -> "HTTP", "Server"). Letters next to digits stay together ("k8s", "ec2", "p99").
fn camel_parts(word: &str, base: usize, out: &mut Vec<Range<usize>>) {
    if word.is_ascii() {
        return ascii_camel_parts(word.as_bytes(), base, out);
    }
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let mut start = 0usize;
    for k in 1..chars.len() {
        let (i, c) = chars[k];
        let (_, p) = chars[k - 1];
        let lower_to_upper = p.is_lowercase() && c.is_uppercase();
        // "HTTPServer" splits before the S; "NACLs" and "SGs" are plurals, not two words.
        let acronym_end = p.is_uppercase()
            && c.is_uppercase()
            && chars.get(k + 1).is_some_and(|&(_, n)| n.is_lowercase())
            && chars.get(k + 2).is_some_and(|&(_, n)| n.is_lowercase());
        if lower_to_upper || acronym_end {
            out.push(base + start..base + i);
            start = i;
        }
    }
    out.push(base + start..base + word.len());
}

/// [`camel_parts`] for ASCII words (nearly all of them), on bytes and without collecting chars.
fn ascii_camel_parts(word: &[u8], base: usize, out: &mut Vec<Range<usize>>) {
    let mut start = 0usize;
    for k in 1..word.len() {
        let (p, c) = (word[k - 1], word[k]);
        let lower_to_upper = p.is_ascii_lowercase() && c.is_ascii_uppercase();
        let acronym_end = p.is_ascii_uppercase()
            && c.is_ascii_uppercase()
            && word.get(k + 1).is_some_and(u8::is_ascii_lowercase)
            && word.get(k + 2).is_some_and(u8::is_ascii_lowercase);
        if lower_to_upper || acronym_end {
            out.push(base + start..base + k);
            start = k;
        }
    }
    out.push(base + start..base + word.len());
}

/// Folds one word: compatibility decomposition (NFKD: full-width letters, ligatures, and accents
/// split from their letters), combining marks dropped (accents, zalgo), lower case, possessive `'s` dropped, curly apostrophes made straight.
fn fold_word(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        for c in word.nfkd() {
            if is_combining_mark(c) {
                continue;
            }
            let c = if c == '\u{2019}' { '\'' } else { c };
            if c.is_alphanumeric() || c == '\'' {
                out.extend(c.to_lowercase());
            }
        }
    }
    if out.ends_with("'s") {
        out.truncate(out.len() - 2);
    }
}

/// What one surface word (a camelCase part, as typed) folds and stems to, and which fixed word
/// lists it is in. All pure functions of the surface text and of nothing a lexicon holds, so one
/// per-thread memo serves every grader.
#[derive(Clone)]
struct WordForms {
    norm: Arc<str>,
    /// The stem (used when the lexicon does not call the word a stop word).
    stem: Arc<str>,
    negation: bool,
    clause_word: bool,
}

/// Answers reuse a small vocabulary: the memo folds and stems each distinct word once per thread
/// (stemming is most of the cost of a word). Bounded, and emptied when full, so odd input cannot
/// grow it without limit; keyed with the standard library's seeded hasher, because answers
/// (untrusted) insert into it.
const WORD_CACHE_LIMIT: usize = 50_000;

thread_local! {
    static WORD_CACHE: RefCell<HashMap<Box<str>, WordForms>> = RefCell::new(HashMap::new());
}

/// The tokenizer: folding, stemming and synonym merging with one lexicon.
pub(crate) struct Normalizer<'a> {
    pub stemmer: &'a Stemmer,
    pub lexicon: &'a Lexicon,
    /// Indices of the topic-scoped synonym groups that apply to this card.
    pub scopes: &'a [usize],
}

/// The English Snowball stemmer, as used on both sides of every comparison.
pub(crate) fn english_stemmer() -> Stemmer {
    Stemmer::create(Algorithm::English)
}

impl Normalizer<'_> {
    /// The stem of a folded word, honouring the lexicon's exceptions (words whose stem would
    /// merge them with a word of another meaning: "stateful" must not become "state").
    pub fn stem(&self, norm: &str) -> Arc<str> {
        if self.lexicon.keeps_whole(norm) {
            return norm.into();
        }
        let bare: String;
        let word = if norm.contains('\'') {
            bare = norm.replace('\'', "");
            bare.as_str()
        } else {
            norm
        };
        // The stemmer keeps the "s" of vowel-less plurals ("sgs", "vpcs"), which are nearly
        // always acronyms: drop it so "SGs" meets "SG". Digits mark names like "k8s".
        if word.len() >= 3
            && word.ends_with('s')
            && !word.ends_with("ss")
            && word
                .chars()
                .all(|c| c.is_alphabetic() && !matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y'))
        {
            return word[..word.len() - 1].into();
        }
        self.stemmer.stem(word).into()
    }

    /// The forms of one surface word, from the per-thread memo when it has them. `None` for a
    /// word that folds to nothing (a lone combining mark).
    fn forms(&self, surface: &str, scratch: &mut String) -> Option<WordForms> {
        let cached = WORD_CACHE.with(|cache| cache.try_borrow().ok()?.get(surface).cloned());
        if cached.is_some() {
            return cached;
        }
        fold_word(surface, scratch);
        if scratch.is_empty() {
            return None;
        }
        let forms = WordForms {
            norm: scratch.as_str().into(),
            stem: self.stem(scratch),
            negation: NEGATIONS.contains(&scratch.as_str()),
            clause_word: CLAUSE_WORDS.contains(&scratch.as_str()),
        };
        WORD_CACHE.with(|cache| {
            if let Ok(mut cache) = cache.try_borrow_mut() {
                if cache.len() >= WORD_CACHE_LIMIT {
                    cache.clear();
                }
                cache.insert(surface.into(), forms.clone());
            }
        });
        Some(forms)
    }

    /// Tokenizes `text`: words, folded, stemmed, with synonym phrases merged into one token each.
    pub fn tokens(&self, text: &str) -> Tokens {
        let raw = raw_words(text);
        let mut tokens = Vec::with_capacity(raw.len() + raw.len() / 4);
        let mut parts = Vec::new();
        let mut norm = String::new();
        let mut extra_clauses = 0u32;
        for word in &raw {
            parts.clear();
            camel_parts(&text[word.span.clone()], word.span.start, &mut parts);
            for part in &parts {
                let Some(forms) = self.forms(&text[part.clone()], &mut norm) else {
                    continue;
                };
                let negation = forms.negation;
                if forms.clause_word {
                    // Later clauses shift by one: a marker word opens a clause of its own.
                    extra_clauses += 1;
                }
                let stop = negation || self.lexicon.is_stop(&forms.norm);
                let key = if stop { forms.norm.clone() } else { forms.stem };
                tokens.push(Token {
                    key,
                    norm: forms.norm,
                    span: part.clone(),
                    stop,
                    negation,
                    negated: false,
                    negation_head: false,
                    clause: word.clause + extra_clauses,
                    code: word.code,
                });
            }
        }
        let mut tokens = self.lexicon.merge_phrases(tokens, self.scopes);
        mark_negated(&mut tokens);
        Tokens { tokens }
    }
}

/// Marks content words that a negation word shortly before them (same clause) turns around.
fn mark_negated(tokens: &mut [Token]) {
    let mut last_negation: Option<(usize, u32)> = None;
    let mut content_since = 0usize;
    for (i, token) in tokens.iter_mut().enumerate() {
        if token.negation {
            last_negation = Some((i, token.clause));
            content_since = 0;
            continue;
        }
        if let Some((at, clause)) = last_negation
            && clause == token.clause
            && i - at <= NEGATION_REACH + content_since
            && !token.stop
        {
            token.negated = true;
            token.negation_head = content_since == 0;
        }
        if !token.stop {
            content_since += 1;
            // A negation reaches the next content word or two, not the rest of the clause:
            // "no public IP, encryption at rest" negates "public IP", not "encryption".
            if content_since >= 2 {
                last_negation = None;
            }
        }
    }
    for j in 0..tokens.len() {
        if !tokens[j].negation {
            continue;
        }
        let clause = tokens[j].clause;
        let dismisses = tokens[j + 1..]
            .iter()
            .take(2)
            .any(|t| t.clause == clause && DISMISSIVE.contains(&&*t.norm));
        if dismisses {
            for t in tokens[j.saturating_sub(DISMISSAL_REACH)..j].iter_mut().rev() {
                if t.clause == clause && !t.stop {
                    t.negated = true;
                    t.negation_head = true;
                }
            }
        }
    }
}

/// Levenshtein distance is at most one (one insertion, deletion or substitution), without
/// allocating: the typo check runs on every unmatched pair of long words.
pub(crate) fn within_one_edit(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return one_edit(a.as_bytes(), b.as_bytes());
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    one_edit(&a, &b)
}

fn one_edit<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short.iter().zip(long.iter()).take_while(|(x, y)| x == y).count();
    if prefix == short.len() {
        return true;
    }
    if short.len() == long.len() {
        short[prefix + 1..] == long[prefix + 1..]
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        raw_words(text).into_iter().map(|w| &text[w.span]).collect()
    }

    #[test]
    fn words_keep_apostrophes_and_dotted_names() {
        assert_eq!(
            words("It doesn't call sys.exit(1)."),
            ["It", "doesn't", "call", "sys", "exit", "1"]
        );
        assert_eq!(words("CI/CD, snake_case"), ["CI", "CD", "snake", "case"]);
    }

    #[test]
    fn clauses_break_on_punctuation_not_inside_words() {
        let w = raw_words("SGs are stateful; NACLs, v1.2 are not.");
        let clauses: Vec<u32> = w.iter().map(|w| w.clause).collect();
        // "v1.2" is two words of one clause.
        assert_eq!(clauses, [0, 0, 0, 1, 2, 2, 2, 2]);
    }

    #[test]
    fn camel_case_splits_at_word_boundaries() {
        let mut out = Vec::new();
        camel_parts("RollingUpdate", 0, &mut out);
        assert_eq!(out, [0..7, 7..13]);
        out.clear();
        camel_parts("HTTPServer", 0, &mut out);
        assert_eq!(out, [0..4, 4..10]);
        out.clear();
        camel_parts("k8s", 0, &mut out);
        assert_eq!(out, vec![0..3]);
        out.clear();
        camel_parts("NACLs", 0, &mut out);
        assert_eq!(out, vec![0..5]);
    }

    #[test]
    fn folding_removes_marks_and_width() {
        let mut out = String::new();
        fold_word("Ｋ８ｓ", &mut out);
        assert_eq!(out, "k8s");
        fold_word("s\u{0336}t\u{0489}a\u{0301}te", &mut out);
        assert_eq!(out, "state");
        fold_word("VPC’s", &mut out);
        assert_eq!(out, "vpc");
    }

    #[test]
    fn one_edit_is_one_edit() {
        assert!(within_one_edit("seperate", "separate"));
        assert!(within_one_edit("kubernetes", "kubernete"));
        assert!(within_one_edit("deploy", "deploys"));
        assert!(!within_one_edit("ingress", "egress"));
        assert!(!within_one_edit("abcdef", "abcfed"));
    }
}
