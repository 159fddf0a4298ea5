//! The word lists the grader reads: stop words, synonym and abbreviation groups (optionally
//! scoped to a topic) and near-antonyms. All of them are data files in `data/`, compiled in, and
//! users can add synonym groups of their own in the same format.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use cuecard_core::Topic;
use rust_stemmers::Stemmer;

use crate::text::{Normalizer, Token, english_stemmer};

/// The bundled stop words (`data/stopwords.txt`).
pub const BUNDLED_STOP_WORDS: &str = include_str!("../data/stopwords.txt");
/// The bundled synonym and abbreviation groups (`data/synonyms.txt`).
pub const BUNDLED_SYNONYMS: &str = include_str!("../data/synonyms.txt");
/// The bundled near-antonyms (`data/antonyms.txt`).
pub const BUNDLED_ANTONYMS: &str = include_str!("../data/antonyms.txt");

/// A line of a word-list file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}:{line}: {message}")]
pub struct LexiconError {
    /// The file (or "bundled synonyms") the line came from.
    pub source_name: String,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

/// Phrases of a synonym map: the stemmed words joined by spaces, to the group's id (shared, so
/// that every token of the group holds the same string without allocating).
type PhraseMap = HashMap<Box<str>, Arc<str>, Fnv>;

/// FNV-1a: several times faster than the default `SipHash` on short words. The tables it serves
/// are built from the bundled and user word lists only; answers are looked up, never inserted,
/// so hash flooding by an answer is not possible.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Fnv;

impl std::hash::BuildHasher for Fnv {
    type Hasher = FnvHasher;
    fn build_hasher(&self) -> FnvHasher {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

/// The FNV-1a state.
pub(crate) struct FnvHasher(u64);

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Stop words, synonyms and antonyms, with every entry already normalised the way answers are.
#[derive(Debug, Clone)]
pub(crate) struct Lexicon {
    stop: HashSet<Box<str>, Fnv>,
    global: PhraseMap,
    /// Topic-scoped groups: the topic filter and its phrases.
    scoped: Vec<(String, PhraseMap)>,
    /// First words of phrases longer than one word, so most tokens skip the phrase search.
    phrase_starts: HashSet<Box<str>, Fnv>,
    longest_phrase: usize,
    antonyms: HashMap<Box<str>, Vec<Arc<str>>, Fnv>,
}

impl Lexicon {
    /// The bundled lists.
    pub fn bundled() -> Self {
        let mut lexicon = Self::with_stop_words(BUNDLED_STOP_WORDS);
        // The bundled files are checked by tests; an error there is a bug caught before release,
        // so a broken line is skipped rather than taking the grader down.
        let _ = lexicon.add_synonyms(BUNDLED_SYNONYMS, "bundled synonyms");
        let _ = lexicon.add_antonyms(BUNDLED_ANTONYMS, "bundled antonyms");
        lexicon
    }

    pub(crate) fn with_stop_words(stop_words: &str) -> Self {
        let stop = data_lines(stop_words)
            .map(|(_, l)| Box::from(l.to_lowercase()))
            .collect();
        Self {
            stop,
            global: HashMap::default(),
            scoped: Vec::new(),
            phrase_starts: HashSet::default(),
            longest_phrase: 1,
            antonyms: HashMap::default(),
        }
    }

    pub fn is_stop(&self, norm: &str) -> bool {
        self.stop.contains(norm)
    }

    /// Words that stemming would merge with a word of another meaning: "stateful" would become
    /// "state" (which a stateless thing can also be about), so "-ful" words stay whole.
    #[allow(clippy::unused_self)] // a method so that a data-driven list can replace the rule
    pub fn keeps_whole(&self, norm: &str) -> bool {
        norm.len() > 5 && norm.ends_with("ful")
    }

    /// Indices of the scoped groups that apply to `topic`.
    pub fn scopes_for(&self, topic: Option<&Topic>) -> Vec<usize> {
        let Some(topic) = topic else { return Vec::new() };
        self.scoped
            .iter()
            .enumerate()
            .filter(|(_, (filter, _))| topic.matches(filter))
            .map(|(i, _)| i)
            .collect()
    }

    /// Adds synonym groups in the `data/synonyms.txt` format. Lines that cannot be read are
    /// reported; the others are kept.
    pub fn add_synonyms(&mut self, text: &str, source_name: &str) -> Result<(), Vec<LexiconError>> {
        let stemmer = english_stemmer();
        let mut errors = Vec::new();
        for (line_no, line) in data_lines(text) {
            let (scope, members) = match line.strip_prefix('[') {
                Some(rest) => match rest.split_once(']') {
                    Some((scope, members)) if !scope.trim().is_empty() => (Some(scope.trim()), members),
                    _ => {
                        errors.push(error(
                            source_name,
                            line_no,
                            "a `[topic]` scope needs a closing `]`",
                        ));
                        continue;
                    }
                },
                None => (None, line),
            };
            let phrases: Vec<Vec<Arc<str>>> = members
                .split(',')
                .map(|m| self.phrase_keys(&stemmer, m))
                .filter(|p| !p.is_empty())
                .collect();
            if phrases.len() < 2 {
                errors.push(error(
                    source_name,
                    line_no,
                    "a group needs at least two members, separated by commas",
                ));
                continue;
            }
            let id: Arc<str> = format!("~{}", phrases[0].join(" ")).into();
            let map = match scope {
                None => &mut self.global,
                Some(scope) => {
                    let at = self
                        .scoped
                        .iter()
                        .position(|(s, _)| s == scope)
                        .unwrap_or_else(|| {
                            self.scoped.push((scope.to_owned(), HashMap::default()));
                            self.scoped.len() - 1
                        });
                    &mut self.scoped[at].1
                }
            };
            for phrase in phrases {
                if phrase.len() > 1 {
                    self.phrase_starts.insert(Box::from(&*phrase[0]));
                    self.longest_phrase = self.longest_phrase.max(phrase.len());
                }
                let joined: Box<str> = phrase.join(" ").into();
                match map.get(&joined) {
                    Some(existing) if *existing != id => errors.push(error(
                        source_name,
                        line_no,
                        &format!("`{joined}` is already in the group {existing}"),
                    )),
                    Some(_) => {}
                    None => {
                        map.insert(joined, id.clone());
                    }
                }
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// Adds antonym sets (`a / b / c` a line). Must come after the synonyms, because an antonym
    /// is compared by the key its word ends up with, which may be a synonym group.
    pub fn add_antonyms(&mut self, text: &str, source_name: &str) -> Result<(), Vec<LexiconError>> {
        let stemmer = english_stemmer();
        let mut errors = Vec::new();
        for (line_no, line) in data_lines(text) {
            let keys: Vec<Arc<str>> = line
                .split('/')
                .filter_map(|w| {
                    let normalizer = Normalizer {
                        stemmer: &stemmer,
                        lexicon: self,
                        scopes: &[],
                    };
                    let tokens = normalizer.tokens(w.trim()).tokens;
                    match tokens.as_slice() {
                        [one] if !one.stop => Some(one.key.clone()),
                        _ => None,
                    }
                })
                .collect();
            if keys.len() < 2 {
                errors.push(error(
                    source_name,
                    line_no,
                    "a set needs at least two single content words, separated by `/`",
                ));
                continue;
            }
            for (i, key) in keys.iter().enumerate() {
                let entry = self.antonyms.entry(Box::from(&**key)).or_default();
                for (j, other) in keys.iter().enumerate() {
                    if i != j && other != key && !entry.contains(other) {
                        entry.push(other.clone());
                    }
                }
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// The stemmed words of one synonym member, stop words included (they are part of phrases
    /// like "identity and access management").
    fn phrase_keys(&self, stemmer: &Stemmer, member: &str) -> Vec<Arc<str>> {
        let bare = Lexicon {
            global: HashMap::default(),
            scoped: Vec::new(),
            phrase_starts: HashSet::default(),
            longest_phrase: 1,
            antonyms: HashMap::default(),
            stop: self.stop.clone(),
        };
        let normalizer = Normalizer {
            stemmer,
            lexicon: &bare,
            scopes: &[],
        };
        normalizer
            .tokens(member.trim())
            .tokens
            .into_iter()
            .map(|t| t.key)
            .collect()
    }

    /// Whether two keys are near-antonyms.
    #[cfg(test)]
    pub fn opposite(&self, a: &str, b: &str) -> bool {
        self.opposites(a).iter().any(|x| &**x == b)
    }

    fn lookup(&self, phrase: &str, scopes: &[usize]) -> Option<&Arc<str>> {
        scopes
            .iter()
            .find_map(|&s| self.scoped.get(s).and_then(|(_, map)| map.get(phrase)))
            .or_else(|| self.global.get(phrase))
    }

    /// The near-antonyms of a key (empty for most words), looked up once per key-point word
    /// rather than once per pair of words.
    pub fn opposites(&self, key: &str) -> &[Arc<str>] {
        self.antonyms.get(key).map_or(&[], Vec::as_slice)
    }

    /// Replaces synonym phrases by one token carrying the group's id, longest phrase first.
    pub fn merge_phrases(&self, mut tokens: Vec<Token>, scopes: &[usize]) -> Vec<Token> {
        if self.global.is_empty() && self.scoped.is_empty() {
            return tokens;
        }
        let mut out = Vec::with_capacity(tokens.len());
        let mut joined = String::new();
        let mut i = 0;
        while i < tokens.len() {
            let mut merged = None;
            if self.phrase_starts.contains(&*tokens[i].key) {
                let max = self.longest_phrase.min(tokens.len() - i);
                for len in (2..=max).rev() {
                    let window = &tokens[i..i + len];
                    if window.iter().any(|t| t.clause != window[0].clause) {
                        continue;
                    }
                    joined.clear();
                    for (k, t) in window.iter().enumerate() {
                        if k > 0 {
                            joined.push(' ');
                        }
                        joined.push_str(&t.key);
                    }
                    if let Some(id) = self.lookup(&joined, scopes) {
                        merged = Some((len, id.clone()));
                        break;
                    }
                }
            }
            if let Some((len, id)) = merged {
                {
                    let window = &tokens[i..i + len];
                    let norm: Vec<&str> = window.iter().map(|t| &*t.norm).collect();
                    out.push(Token {
                        key: id,
                        norm: norm.join(" ").into(),
                        span: window[0].span.start..window[len - 1].span.end,
                        stop: false,
                        negation: false,
                        negated: false,
                        negation_head: false,
                        clause: window[0].clause,
                        code: window[0].code,
                    });
                    i += len;
                }
            } else {
                // Moved out rather than cloned: this runs for every word of every answer.
                let slot = &mut tokens[i];
                let mut token = Token {
                    key: std::mem::take(&mut slot.key),
                    norm: std::mem::take(&mut slot.norm),
                    span: slot.span.clone(),
                    ..*slot
                };
                if !token.stop
                    && let Some(id) = self.lookup(&token.key, scopes)
                {
                    token.key = id.clone();
                }
                out.push(token);
                i += 1;
            }
        }
        out
    }
}

fn error(source_name: &str, line: usize, message: &str) -> LexiconError {
    LexiconError {
        source_name: source_name.to_owned(),
        line,
        message: message.to_owned(),
    }
}

/// Non-blank lines that are not `#` comments, with 1-based line numbers.
fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_lists_load_cleanly() {
        let mut lexicon = Lexicon::with_stop_words(BUNDLED_STOP_WORDS);
        assert_eq!(lexicon.add_synonyms(BUNDLED_SYNONYMS, "synonyms"), Ok(()));
        assert_eq!(lexicon.add_antonyms(BUNDLED_ANTONYMS, "antonyms"), Ok(()));
    }

    #[test]
    fn no_antonym_pair_shares_a_key() {
        // If stemming or a synonym group merged two opposites, "stateless" would match
        // "stateful"; this guards the data files against that.
        let lexicon = Lexicon::bundled();
        for (key, others) in &lexicon.antonyms {
            assert!(!others.iter().any(|o| **o == **key), "{key} is its own antonym");
        }
        assert!(lexicon.opposite("stateful", "stateless"));
        assert!(lexicon.opposite("ingress", "egress"));
    }

    #[test]
    fn bad_lines_are_reported_with_their_number() {
        let mut lexicon = Lexicon::with_stop_words("");
        let errors = lexicon
            .add_synonyms("# c\nfoo\n[k8s pod, po\nfoo, bar\n", "mine")
            .unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3]);
        assert_eq!(
            errors[0].to_string(),
            "mine:2: a group needs at least two members, separated by commas"
        );
    }
}
