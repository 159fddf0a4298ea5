use serde::{Deserialize, Serialize};

/// A `##` section of a sheet: the unit users filter questions by.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Topic {
    name: String,
    slug: String,
}

impl Topic {
    /// A topic from its heading text, as written (for example `AWS NETWORKING`).
    #[must_use]
    pub fn new(name: &str) -> Self {
        let name = name.trim().to_owned();
        let slug = slugify(&name);
        Self { name, slug }
    }

    /// The heading text, for display.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Lower-case words joined by `-`: what users type and what ids are derived from.
    #[must_use]
    pub fn slug(&self) -> &str {
        &self.slug
    }

    /// Where a card or note sits, as the skins show it: `TOPIC › subtopic`, or the topic alone.
    #[must_use]
    pub fn place(&self, subtopic: Option<&str>) -> String {
        match subtopic {
            Some(sub) => format!("{} › {sub}", self.name),
            None => self.name.clone(),
        }
    }

    /// Whether a user's topic filter selects this topic: the whole slug, or a prefix of it
    /// that ends on a word boundary, so `aws` selects both AWS sections and `k` selects nothing.
    #[must_use]
    pub fn matches(&self, filter: &str) -> bool {
        let want = slugify(filter);
        if want.is_empty() {
            return false;
        }
        self.slug == want
            || self
                .slug
                .strip_prefix(want.as_str())
                .is_some_and(|rest| rest.starts_with('-'))
    }
}

/// Lower-case ASCII letters and digits of `text` (other letters kept as they are), every other
/// run of characters folded into one `-`.
#[must_use]
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// Folds case and white space so that cosmetic edits to a question keep its id.
fn fold(text: &str) -> String {
    text.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

fn short_hash(parts: &[&str]) -> String {
    let mut hasher = blake3::Hasher::new();
    for part in parts {
        hasher.update(part.as_bytes());
        // A separator that cannot occur in folded text keeps ("ab","c") apart from ("a","bc").
        hasher.update(&[0x1f]);
    }
    hasher.finalize().to_hex()[..12].to_owned()
}

/// A card's stable id: 12 hex digits derived from its topic and question only, so it survives
/// edits anywhere else in the sheet (and changes of case or spacing in the question itself).
///
/// 48 bits keep collisions improbable even at 100,000 cards (about 2 in 100,000 sheets of
/// that size); the sheet parser still reports a collision as a duplicate question.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CardId(String);

impl CardId {
    /// The id of the card asking `question` under `topic`.
    #[must_use]
    pub fn derive(topic: &Topic, question: &str) -> Self {
        Self(short_hash(&[topic.slug(), &fold(question)]))
    }

    /// An id as a user typed it, if it looks like one (12 hex digits, any case).
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        (text.len() == 12 && text.chars().all(|c| c.is_ascii_hexdigit()))
            .then(|| Self(text.to_ascii_lowercase()))
    }

    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CardId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The id of a note: derived from its section, its title and its position among the notes of
/// that section, so it is stable as long as that part of the sheet is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NoteId(String);

impl NoteId {
    /// The id of the `ordinal`th note titled `title` in the given section.
    #[must_use]
    pub fn derive(topic: &Topic, subtopic: Option<&str>, title: &str, ordinal: usize) -> Self {
        Self(format!(
            "n{}",
            &short_hash(&[
                topic.slug(),
                &fold(subtopic.unwrap_or("")),
                &fold(title),
                &ordinal.to_string(),
            ])[..11]
        ))
    }

    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for NoteId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One atomic thing a good answer should say.
///
/// In comparison answers ("SG: stateful, instance-level. NACL: stateless") each point keeps the
/// subject it is about, so "stateful" is graded as a claim about SGs, not about NACLs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyPoint {
    /// What the point is about, when the sheet says so with a `Subject:` prefix.
    pub subject: Option<String>,
    /// The point itself, without the subject.
    pub body: String,
}

impl KeyPoint {
    /// A point with no subject.
    #[must_use]
    pub fn new(body: impl Into<String>) -> Self {
        Self {
            subject: None,
            body: body.into(),
        }
    }

    /// A point about `subject`.
    #[must_use]
    pub fn about(subject: impl Into<String>, body: impl Into<String>) -> Self {
        Self {
            subject: Some(subject.into()),
            body: body.into(),
        }
    }
}

impl std::fmt::Display for KeyPoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.subject {
            Some(subject) => write!(f, "{subject}: {}", self.body),
            None => f.write_str(&self.body),
        }
    }
}

/// A question with the key points a good answer covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Card {
    /// Stable id, see [`CardId::derive`].
    pub id: CardId,
    /// The `##` section.
    pub topic: Topic,
    /// The `###` section, if any.
    pub subtopic: Option<String>,
    /// The question, as plain text (inline code keeps its backticks).
    pub question: String,
    /// The key-points (or answer) text as written, for display as the model answer.
    pub answer: String,
    /// The answer split into atomic points, for grading point by point.
    pub key_points: Vec<KeyPoint>,
    /// 1-based line of the card in its sheet.
    pub line: usize,
}

/// Any other part of a sheet (a comparison table, a command block, a model answer), kept so
/// that lookups cover the whole sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    /// Stable id, see [`NoteId::derive`].
    pub id: NoteId,
    /// The `##` section.
    pub topic: Topic,
    /// The `###` section, if any.
    pub subtopic: Option<String>,
    /// The nearest heading or bold label above the note.
    pub title: String,
    /// The text, with tables as `a | b` rows and code blocks as they are.
    pub body: String,
    /// 1-based line where the note starts.
    pub line: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_fold_punctuation_and_case() {
        assert_eq!(Topic::new("CI/CD & DEPLOYMENTS").slug(), "ci-cd-deployments");
        assert_eq!(
            Topic::new("  System Design (Quick Patterns) ").slug(),
            "system-design-quick-patterns"
        );
        assert_eq!(slugify("--"), "");
    }

    #[test]
    fn a_place_names_the_subtopic_when_there_is_one() {
        let topic = Topic::new("LINUX");
        assert_eq!(topic.place(Some("Key Q&A")), "LINUX › Key Q&A");
        assert_eq!(topic.place(None), "LINUX");
    }

    #[test]
    fn topic_filters_match_whole_words_only() {
        let topic = Topic::new("AWS Networking");
        assert!(topic.matches("aws"));
        assert!(topic.matches("AWS networking"));
        assert!(!topic.matches("aw"));
        assert!(!topic.matches(""));
        assert!(!topic.matches("networking"));
    }

    #[test]
    fn card_ids_ignore_case_and_spacing_but_not_words() {
        let topic = Topic::new("Terraform");
        let id = CardId::derive(&topic, "How do you test Terraform code?");
        assert_eq!(id, CardId::derive(&topic, "how do you  test terraform code?"));
        assert_ne!(id, CardId::derive(&topic, "How do you test Terraform modules?"));
        assert_ne!(
            id,
            CardId::derive(&Topic::new("Linux"), "How do you test Terraform code?")
        );
        assert_eq!(CardId::parse(&id.as_str().to_uppercase()), Some(id));
        assert_eq!(CardId::parse("xyz"), None);
    }

    #[test]
    fn key_points_display_with_their_subject() {
        assert_eq!(KeyPoint::about("SG", "stateful").to_string(), "SG: stateful");
        assert_eq!(KeyPoint::new("versioning").to_string(), "versioning");
    }
}
