//! Abbreviations written out before embedding: "SG" becomes "security group", "k8s"
//! "kubernetes". The embedding model has seen "security group" in its training text, not "SG",
//! so the expansion roughly doubles the similarity of an abbreviated answer to its key point.
//!
//! The abbreviations come from the keyword grader's synonym file (`data/synonyms.txt`, plus a
//! user's `--synonyms` file), so both graders read "SG" the same way. That file also holds plain
//! synonyms ("cheap, inexpensive"), which must not be rewritten: a member counts as an
//! abbreviation of another only when it is a short word (at most five characters) whose letters
//! appear, in order and starting with the same letter, in the longer member ("sg" in "security
//! group", "k8s" in "kubernetes", "svc" in "service", but not "cheap" in "low cost").
//! Topic-scoped groups apply to cards of that topic only, as in the keyword grader.

use std::collections::HashMap;

use cuecard_core::Topic;

/// The longest abbreviation, in characters.
const MAX_ABBREVIATION: usize = 5;

/// Abbreviation -> expansion, global and per topic filter.
#[derive(Debug, Clone, Default)]
pub(crate) struct Expander {
    global: HashMap<String, String>,
    scoped: Vec<(String, HashMap<String, String>)>,
}

impl Expander {
    /// The abbreviations of the bundled synonym file.
    pub fn bundled() -> Self {
        let mut expander = Self::default();
        expander.add(crate::BUNDLED_SYNONYMS);
        expander
    }

    /// Adds the abbreviations of a synonym file (the `data/synonyms.txt` format). Lines the
    /// keyword grader would reject are skipped silently here: it reports them.
    pub fn add(&mut self, text: &str) {
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (scope, members) = match line.strip_prefix('[').and_then(|r| r.split_once(']')) {
                Some((scope, members)) => (Some(scope.trim()), members),
                None => (None, line),
            };
            let members: Vec<String> = members
                .split(',')
                .map(|m| m.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase())
                .filter(|m| !m.is_empty())
                .collect();
            let map = match scope {
                None => &mut self.global,
                Some(scope) => {
                    let at = self
                        .scoped
                        .iter()
                        .position(|(s, _)| s == scope)
                        .unwrap_or_else(|| {
                            self.scoped.push((scope.to_owned(), HashMap::new()));
                            self.scoped.len() - 1
                        });
                    &mut self.scoped[at].1
                }
            };
            for short in &members {
                if let Some(long) = members.iter().find(|long| abbreviates(short, long)) {
                    // The first group that names a word wins, as in the keyword grader.
                    map.entry(short.clone()).or_insert_with(|| long.clone());
                }
            }
        }
    }

    /// `text` with every abbreviation (a whole word, any case, optionally with a plural `s`)
    /// written out. Text without abbreviations comes back unchanged.
    pub fn expand(&self, text: &str, topic: Option<&Topic>) -> String {
        let scoped: Vec<&HashMap<String, String>> = match topic {
            Some(topic) => self
                .scoped
                .iter()
                .filter(|(filter, _)| topic.matches(filter))
                .map(|(_, map)| map)
                .collect(),
            None => Vec::new(),
        };
        let lookup = |word: &str| -> Option<&str> {
            scoped
                .iter()
                .find_map(|m| m.get(word))
                .or_else(|| self.global.get(word))
                .map(String::as_str)
        };
        let mut out = String::with_capacity(text.len() + 16);
        let mut rest = text;
        while let Some(start) = rest.find(|c: char| c.is_alphanumeric()) {
            out.push_str(&rest[..start]);
            let word_len = rest[start..]
                .find(|c: char| !c.is_alphanumeric())
                .unwrap_or(rest.len() - start);
            let word = &rest[start..start + word_len];
            rest = &rest[start + word_len..];
            if word.chars().count() > MAX_ABBREVIATION + 1 {
                out.push_str(word);
                continue;
            }
            let lower = word.to_lowercase();
            if let Some(long) = lookup(&lower) {
                out.push_str(long);
            } else if let Some(long) = lower
                .strip_suffix('s')
                .filter(|stem| stem.len() >= 2)
                .and_then(lookup)
            {
                out.push_str(long);
                out.push('s');
            } else {
                out.push_str(word);
            }
        }
        out.push_str(rest);
        out
    }
}

/// Whether `long` is `short` with an ending ("cheaper", "biggest", "quickly"): a word of the
/// same group that the model reads as well as `short`, not something `short` abbreviates.
fn inflects(short: &str, long: &str) -> bool {
    long.strip_prefix(short).is_some_and(|rest| {
        // "big" + "g" + "est": a doubled last consonant belongs to the ending.
        let rest = match (short.chars().last(), rest.chars().next()) {
            (Some(a), Some(b)) if a == b => &rest[b.len_utf8()..],
            _ => rest,
        };
        matches!(rest, "er" | "est" | "r" | "st" | "ly")
    })
}

/// Whether `short` abbreviates `long` (see the module documentation).
fn abbreviates(short: &str, long: &str) -> bool {
    let n = short.chars().count();
    if short == long
        || n > MAX_ABBREVIATION
        || long.chars().count() <= n
        || !short.chars().all(char::is_alphanumeric)
        || long.split(' ').any(|w| w == short)
        || inflects(short, long)
    {
        return false;
    }
    let letters: Vec<char> = short.chars().filter(char::is_ascii_alphabetic).collect();
    let Some(&first) = letters.first() else {
        return false;
    };
    if !short.starts_with(first) || !long.starts_with(first) {
        return false;
    }
    let mut rest = long.chars();
    letters.iter().all(|&c| rest.any(|l| l == c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_of_the_bundled_file_are_written_out() {
        let e = Expander::bundled();
        assert_eq!(
            e.expand("SGs are stateful, NACLs are not", None),
            "security groups are stateful, network acls are not"
        );
        assert_eq!(
            e.expand("k8s svc in a VPC", None),
            "kubernetes service in a virtual private cloud"
        );
        assert_eq!(e.expand("MRs and PRs", None), "merge requests and pull requests");
        // Plain synonyms stay as written: the model knows them.
        assert_eq!(
            e.expand("cheap and fast, check it", None),
            "cheap and fast, check it"
        );
        assert_eq!(e.expand("ssl", None), "ssl");
        // Degrees of an adjective share its group; they are not abbreviations of each other.
        assert_eq!(e.expand("big, quick and cheap", None), "big, quick and cheap");
    }

    #[test]
    fn scoped_abbreviations_need_their_topic() {
        let e = Expander::bundled();
        assert_eq!(e.expand("delete the po", None), "delete the po");
        let k8s = Topic::new("Kubernetes");
        assert_eq!(e.expand("delete the po", Some(&k8s)), "delete the pod");
    }

    #[test]
    fn hostile_text_comes_back_whole() {
        let e = Expander::bundled();
        for text in [
            "",
            "   ",
            "Z̷̢a̵l̶g̴o̷ SG",
            "日本語のテキスト",
            "SG".repeat(3000).as_str(),
        ] {
            let out = e.expand(text, None);
            assert!(out.len() >= text.len() / 2, "{out}");
        }
        assert_eq!(e.expand("日本語 SG", None), "日本語 security group");
    }

    #[test]
    fn user_groups_add_abbreviations() {
        let mut e = Expander::bundled();
        e.add("otel, open telemetry\n[broken line\n");
        assert_eq!(e.expand("OTel traces", None), "open telemetry traces");
    }
}
