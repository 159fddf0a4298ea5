//! The keyword grader: per key point, which of its words the answer says (after normalisation,
//! synonyms and guarded typo tolerance), about the right subject, and not negated or turned into
//! their opposite.

use std::borrow::Cow;
use std::sync::Arc;

use cuecard_core::{Card, Grade, GraderKind, KeyPoint, PointGrade, Topic, Verdict};
use rust_stemmers::Stemmer;

mod card_cache;

use crate::calibration::Calibration;
use crate::lexicon::{BUNDLED_ANTONYMS, BUNDLED_STOP_WORDS, BUNDLED_SYNONYMS, Lexicon, LexiconError};
use crate::screen;
use crate::text::{Normalizer, Token, Tokens, english_stemmer, within_one_edit};

/// Typo tolerance applies only to words this long (in characters): shorter words are too often
/// other real words one letter away ("pod"/"pot", "push"/"pull" are not typos of each other).
const TYPO_MIN_CHARS: usize = 6;

/// Subjects beyond this many on one card are treated as no subject (a bit set holds them).
const MAX_SUBJECTS: usize = 64;

/// An answer needs at least this many content words in prose before it can read as a keyword
/// list: "terraform import" is terse, not a list.
const SALAD_MIN_WORDS: usize = 4;

/// Grades answers by the words they share with each key point. Fast (microseconds), offline,
/// deterministic; the default grader and the fallback of the others.
///
/// ```
/// use cuecard_core::{KeyPoint, Verdict};
/// use cuecard_grade::KeywordGrader;
///
/// let grader = KeywordGrader::new();
/// let points = [KeyPoint::about("SG", "stateful"), KeyPoint::about("NACL", "stateless")];
/// let grade = grader.grade("Security Group vs NACL?", &points, "NACLs are stateful.", None);
/// // Said of the wrong subject (and the opposite of what is true of NACLs): neither point.
/// assert!(grade.points.iter().all(|p| p.verdict == Verdict::Missing));
/// ```
#[derive(Debug, Clone)]
pub struct KeywordGrader {
    lexicon: Lexicon,
    calibration: Calibration,
    stemmer: StemmerBox,
    /// Cards prepared by [`assess`](Self::assess), so repeated cards are normalised once.
    cards: card_cache::CardCache,
}

/// `rust_stemmers::Stemmer` is not `Debug` or `Clone`; this wrapper makes a fresh one on clone.
struct StemmerBox(Stemmer);

impl std::fmt::Debug for StemmerBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stemmer(English)")
    }
}

impl Clone for StemmerBox {
    fn clone(&self) -> Self {
        Self(english_stemmer())
    }
}

/// A card's question and key points, normalised by [`KeywordGrader::prepare`].
#[derive(Debug, Clone)]
pub struct PreparedCard {
    /// What the card was prepared from, to tell cached cards apart.
    question_text: String,
    topic: Option<Topic>,
    key_points: Vec<KeyPoint>,
    scopes: Vec<usize>,
    question: Tokens,
    bodies: Vec<Tokens>,
    /// Per point: its content words, weighted, with their opposites.
    terms: Vec<Vec<PreparedTerm>>,
    subjects: Subjects,
    /// The key points' content words in order, subjects included once.
    reference: Vec<Arc<str>>,
}

/// A grade with the numbers behind it, for calibration and evaluation.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// The grade users see.
    pub grade: Grade,
    /// Mean share of each point's words found (contradicted points count negative), before
    /// calibration: the input `eval --fit` fits the score curve to.
    pub coverage: f64,
    /// The answer read as a bare list of keywords.
    pub keyword_list: bool,
}

impl Default for KeywordGrader {
    fn default() -> Self {
        Self::new()
    }
}

/// One content word of a prepared key point: where it is in the point's tokens, how much it
/// counts, and its near-antonyms (looked up once per card, not once per answer).
#[derive(Debug, Clone)]
struct PreparedTerm {
    at: usize,
    weight: f64,
    opposites: Box<[Arc<str>]>,
}

/// What the answer says about one word of a key point.
#[derive(Default)]
struct TermMatch {
    credit: f64,
    evidence: Vec<usize>,
    /// Index of an answer token that says the opposite, in a clause about this point's subject.
    contradiction: Option<usize>,
}

impl KeywordGrader {
    /// The grader with the bundled word lists and calibration.
    #[must_use]
    pub fn new() -> Self {
        Self {
            lexicon: Lexicon::bundled(),
            calibration: Calibration::bundled(),
            stemmer: StemmerBox(english_stemmer()),
            cards: card_cache::CardCache::new(),
        }
    }

    /// The same grader with another calibration (from `eval --fit`, or a file on disk).
    #[must_use]
    pub fn with_calibration(mut self, calibration: Calibration) -> Self {
        self.calibration = calibration;
        // Prepared cards carry weights from the old calibration (question demoting).
        self.cards = card_cache::CardCache::new();
        self
    }

    /// The same grader with the user's synonym groups added (the `data/synonyms.txt` format).
    /// Bad lines are reported and skipped; the good ones are kept either way.
    #[must_use]
    pub fn with_synonyms(self, text: &str, source_name: &str) -> (Self, Vec<LexiconError>) {
        let mut lexicon = Lexicon::with_stop_words(BUNDLED_STOP_WORDS);
        let mut errors = lexicon
            .add_synonyms(BUNDLED_SYNONYMS, "bundled synonyms")
            .err()
            .unwrap_or_default();
        // The user's groups come after the bundled ones: a word the bundle already places keeps
        // its bundled meaning, and the clash is reported.
        errors.extend(lexicon.add_synonyms(text, source_name).err().unwrap_or_default());
        errors.extend(
            lexicon
                .add_antonyms(BUNDLED_ANTONYMS, "bundled antonyms")
                .err()
                .unwrap_or_default(),
        );
        let cards = card_cache::CardCache::new();
        (
            Self {
                lexicon,
                cards,
                ..self
            },
            errors,
        )
    }

    /// The calibration in use.
    #[must_use]
    pub fn calibration(&self) -> &Calibration {
        &self.calibration
    }

    /// Grades a card.
    #[must_use]
    pub fn grade_card(&self, card: &Card, answer: &str) -> Grade {
        self.grade(&card.question, &card.key_points, answer, Some(&card.topic))
    }

    /// Grades `answer` against `key_points`. `question` demotes words the answer could have
    /// copied from it; `topic` selects topic-scoped synonyms. Never panics, whatever the input.
    #[must_use]
    pub fn grade(
        &self,
        question: &str,
        key_points: &[KeyPoint],
        answer: &str,
        topic: Option<&Topic>,
    ) -> Grade {
        self.assess(question, key_points, answer, topic).grade
    }

    /// [`grade`](Self::grade), with the raw coverage behind the score.
    #[must_use]
    pub fn assess(
        &self,
        question: &str,
        key_points: &[KeyPoint],
        answer: &str,
        topic: Option<&Topic>,
    ) -> Assessment {
        let card = self.cards.get_or_prepare(question, key_points, topic, || {
            self.prepare(question, key_points, topic)
        });
        self.assess_prepared(&card, answer)
    }

    /// Normalises a card's question and key points once, for grading many answers to it with
    /// [`grade_prepared`](Self::grade_prepared) (a study session, a daily drop). A prepared card
    /// belongs to the grader that prepared it.
    #[must_use]
    pub fn prepare(&self, question: &str, key_points: &[KeyPoint], topic: Option<&Topic>) -> PreparedCard {
        let scopes = self.lexicon.scopes_for(topic);
        let normalizer = Normalizer {
            stemmer: &self.stemmer.0,
            lexicon: &self.lexicon,
            scopes: &scopes,
        };
        let question_text = question.to_owned();
        let question = normalizer.tokens(question);
        let bodies: Vec<Tokens> = key_points.iter().map(|p| normalizer.tokens(&p.body)).collect();
        let terms = bodies.iter().map(|body| self.terms(body, &question)).collect();
        let subjects = Subjects::of(key_points, &normalizer);
        let reference = reference_keys(key_points, &normalizer);
        PreparedCard {
            question_text,
            topic: topic.cloned(),
            key_points: key_points.to_vec(),
            scopes,
            question,
            bodies,
            terms,
            subjects,
            reference,
        }
    }

    /// Grades an answer to a prepared card: the same grade as [`grade`](Self::grade).
    #[must_use]
    pub fn grade_prepared(&self, card: &PreparedCard, answer: &str) -> Grade {
        self.assess_prepared(card, answer).grade
    }

    /// [`grade_prepared`](Self::grade_prepared), with the raw coverage behind the score.
    #[must_use]
    pub fn assess_prepared(&self, card: &PreparedCard, answer: &str) -> Assessment {
        let key_points = &card.key_points;
        let cal = &self.calibration;
        let mut remarks = Vec::new();
        let (capped, was_cut) = screen::cap(answer, cal.max_answer_chars);
        if was_cut {
            remarks.push(format!(
                "Your answer was cut at {} characters; only that much was graded.",
                cal.max_answer_chars
            ));
        }
        let injected = screen::injection_spans(capped);
        let text: Cow<'_, str> = if injected.is_empty() {
            Cow::Borrowed(capped)
        } else {
            remarks.push(
                "Parts of the answer spoke to the grader rather than answering; they were ignored and only the answer's content was graded."
                    .to_owned(),
            );
            Cow::Owned(screen::blank(capped, &injected))
        };

        let normalizer = Normalizer {
            stemmer: &self.stemmer.0,
            lexicon: &self.lexicon,
            scopes: &card.scopes,
        };
        let question_tokens = &card.question;
        let answer_tokens = normalizer.tokens(&text);
        let subjects = &card.subjects;
        let binding = subjects.bind(&answer_tokens);

        let mut points = Vec::with_capacity(key_points.len());
        // Which answer words some key point used, for the answer's precision.
        let mut used = vec![false; answer_tokens.tokens.len()];
        let mut coverage_sum = 0.0;
        let mut counted = 0usize;
        // The same coverage with every key-point word counted once across the card, so that a
        // point of many words weighs more than a point of one (see `Calibration::pooled_weight`).
        let (mut pooled_earned, mut pooled_total) = (0.0, 0.0);
        for (p, point) in key_points.iter().enumerate() {
            let body = &card.bodies[p];
            let subject = point.subject.as_deref().and_then(|s| subjects.index(s));
            let mut earned = 0.0;
            let mut total = 0.0;
            let mut evidence_at = Vec::new();
            let mut contradiction = None;
            for term in &card.terms[p] {
                let m = self.match_term(
                    &body.tokens[term.at],
                    &term.opposites,
                    &answer_tokens,
                    subject,
                    &binding,
                );
                earned += term.weight * m.credit;
                total += term.weight;
                if m.credit > 0.0 {
                    for &at in &m.evidence {
                        used[at] = true;
                    }
                }
                evidence_at.extend(m.evidence);
                if m.credit == 0.0 {
                    contradiction = contradiction.or(m.contradiction);
                }
            }
            let share = if total > 0.0 { earned / total } else { 0.0 };
            let contradicted = contradiction.is_some() && share < cal.covered_at;
            let verdict = if contradicted {
                Verdict::Missing
            } else {
                cal.verdict(share)
            };
            if let Some(at) = contradiction.filter(|_| contradicted) {
                remarks.push(format!(
                    "You said \"{}\", which contradicts the key point \"{point}\".",
                    clause_text(capped, &answer_tokens, answer_tokens.tokens[at].clause)
                ));
            }
            if total > 0.0 {
                coverage_sum += if contradicted {
                    -cal.contradiction_penalty
                } else {
                    share
                };
                counted += 1;
                pooled_earned += if contradicted {
                    -cal.contradiction_penalty * total
                } else {
                    earned
                };
                pooled_total += total;
            }
            let evidence = if verdict == Verdict::Missing {
                Vec::new()
            } else {
                quote(capped, &answer_tokens, evidence_at)
            };
            points.push(PointGrade {
                point: point.clone(),
                verdict,
                evidence,
            });
        }
        let coverage = if counted == 0 {
            0.0
        } else {
            let per_point = coverage_sum / counted as f64;
            let recall = if cal.pooled_weight > 0.0 && pooled_total > 0.0 {
                (1.0 - cal.pooled_weight) * per_point + cal.pooled_weight * pooled_earned / pooled_total
            } else {
                per_point
            };
            if cal.precision_weight > 0.0 {
                let precision = answer_precision(&answer_tokens, &used, question_tokens);
                (1.0 - cal.precision_weight) * recall + cal.precision_weight * precision
            } else {
                recall
            }
        };
        let mut score = cal.score_from_coverage(coverage);

        // The key points pasted back in order are right, even if they read as a list: a keyword
        // salad is told apart by losing the order (which property belongs to which subject).
        let keyword_list = reads_as_keyword_list(&answer_tokens, &used, cal.salad_max_stop_share)
            && !restates_in_order(&card.reference, &answer_tokens);
        if keyword_list {
            score = cal.salad_score(score);
            remarks.push(
                "This reads like a list of keywords: say how the ideas fit together, in sentences, to earn full credit."
                    .to_owned(),
            );
        }
        if answer.trim().is_empty() {
            remarks.push("The answer is empty.".to_owned());
        } else if answer_tokens.tokens.iter().all(|t| !t.norm.is_ascii()) && !answer_tokens.tokens.is_empty()
        {
            remarks.push(
                "Answers are graded against English key points; this one shares no words with them."
                    .to_owned(),
            );
        }
        let grade = Grade {
            score,
            points,
            grader: GraderKind::Keyword,
            remarks,
        };
        Assessment {
            grade,
            coverage,
            keyword_list,
        }
    }

    /// The distinct content words of a key point, weighted: words the question already says count
    /// less ("question demoting").
    fn terms(&self, body: &Tokens, question: &Tokens) -> Vec<PreparedTerm> {
        let mut terms: Vec<PreparedTerm> = Vec::new();
        let has_content = body.tokens.iter().any(|t| !t.stop);
        for (at, token) in body.tokens.iter().enumerate() {
            // A point made only of function words ("all of them") is matched on those.
            let candidate = if has_content { !token.stop } else { !token.negation };
            if !candidate || terms.iter().any(|t| body.tokens[t.at].key == token.key) {
                continue;
            }
            let in_question = question.tokens.iter().any(|q| q.key == token.key);
            let weight = if in_question {
                self.calibration.question_demote
            } else {
                1.0
            };
            terms.push(PreparedTerm {
                at,
                weight,
                opposites: self.lexicon.opposites(&token.key).into(),
            });
        }
        terms
    }

    /// Where (and how well) the answer says one key-point word.
    fn match_term(
        &self,
        term: &Token,
        opposites: &[Arc<str>],
        answer: &Tokens,
        subject: Option<usize>,
        binding: &[u64],
    ) -> TermMatch {
        let mut found = TermMatch::default();
        for (i, a) in answer.tokens.iter().enumerate() {
            if a.stop != term.stop {
                continue;
            }
            let eligibility = match subject {
                None => 1.0,
                Some(s) => {
                    let bound = binding.get(i).copied().unwrap_or(0);
                    if bound & (1 << s) != 0 {
                        1.0
                    } else if bound == 0 {
                        self.calibration.unbound_credit
                    } else {
                        0.0
                    }
                }
            };
            if eligibility == 0.0 {
                continue;
            }
            let opposite_of = |a: &Token| opposites.contains(&a.key);
            let same = same_word(term, a, opposite_of);
            let opposite = !same && opposite_of(a);
            if !same && !opposite {
                continue;
            }
            // Saying a word under a negation says its opposite, and the reverse: "not stateful"
            // covers "stateless" and contradicts "stateful".
            let agrees = (a.negated == term.negated) == same;
            // The same word with the negation on one side only contradicts when the negation
            // turns that word around itself: the answer's "deploy the DB first" does not say
            // the opposite of "never rollback DB", "we rolled back the DB" does.
            let turned = !same
                || if a.negated {
                    a.negation_head
                } else {
                    term.negation_head
                };
            if agrees {
                if eligibility > found.credit {
                    found.credit = eligibility;
                }
                found.evidence.push(i);
            } else if turned && eligibility >= 1.0 && found.contradiction.is_none() {
                found.contradiction = Some(i);
            }
        }
        found
    }
}

/// Same word: same key (stem or synonym group), or a one-letter typo of a long word that is not
/// one of its near-antonyms.
fn same_word(term: &Token, answer: &Token, opposite: impl Fn(&Token) -> bool) -> bool {
    if term.key == answer.key {
        return true;
    }
    let (t, a) = (&*term.norm, &*answer.norm);
    t.len().abs_diff(a.len()) <= 1
        && t.len() >= TYPO_MIN_CHARS
        && t.chars().count() >= TYPO_MIN_CHARS
        && a.chars().count() >= TYPO_MIN_CHARS
        && !t.contains(' ')
        && !a.contains(' ')
        && within_one_edit(t, a)
        && !opposite(answer)
}

impl PreparedCard {
    /// Whether this card was prepared from exactly this content.
    fn is_for(&self, question: &str, key_points: &[KeyPoint], topic: Option<&Topic>) -> bool {
        self.question_text == question && self.key_points == key_points && self.topic.as_ref() == topic
    }
}

/// The subjects of a card's comparison points ("SG", "NACL"), normalised.
#[derive(Debug, Clone)]
struct Subjects {
    names: Vec<String>,
    keys: Vec<Vec<Arc<str>>>,
}

impl Subjects {
    fn of(points: &[KeyPoint], normalizer: &Normalizer<'_>) -> Self {
        let mut names: Vec<String> = Vec::new();
        let mut keys = Vec::new();
        for subject in points.iter().filter_map(|p| p.subject.as_deref()) {
            if names.len() >= MAX_SUBJECTS || names.iter().any(|n| n == subject) {
                continue;
            }
            let content: Vec<Arc<str>> = normalizer
                .tokens(subject)
                .tokens
                .into_iter()
                .filter(|t| !t.stop)
                .map(|t| t.key)
                .collect();
            names.push(subject.to_owned());
            keys.push(content);
        }
        Self { names, keys }
    }

    fn index(&self, subject: &str) -> Option<usize> {
        self.names
            .iter()
            .position(|n| n == subject)
            .filter(|&i| !self.keys[i].is_empty())
    }

    /// For each token of the answer, the subjects it is said of (a bit set): the subject named
    /// last before it in its clause, else the first one named later in its clause, else the one
    /// named last before its clause ("SGs are stateful, attach to ENIs" is all about SGs, and in
    /// "data sources read and resources create" each verb goes with its own noun).
    fn bind(&self, answer: &Tokens) -> Vec<u64> {
        let tokens = &answer.tokens;
        let mut bound = vec![0u64; tokens.len()];
        if self.names.is_empty() {
            return bound;
        }
        let mut mention = vec![0u64; tokens.len()];
        let content: Vec<usize> = (0..tokens.len()).filter(|&i| !tokens[i].stop).collect();
        for (s, keys) in self.keys.iter().enumerate() {
            if keys.is_empty() {
                continue;
            }
            for w in content.windows(keys.len()) {
                let same_clause = tokens[w[0]].clause == tokens[w[w.len() - 1]].clause;
                if same_clause && w.iter().zip(keys).all(|(&i, k)| tokens[i].key == *k) {
                    mention[w[0]] |= 1 << s;
                }
            }
        }
        let mut carry = 0u64;
        let mut start = 0;
        while start < tokens.len() {
            let clause = tokens[start].clause;
            let end = (start..tokens.len())
                .find(|&i| tokens[i].clause != clause)
                .unwrap_or(tokens.len());
            let first_in_clause = mention[start..end].iter().copied().find(|&m| m != 0);
            let mut last = 0u64;
            for i in start..end {
                if mention[i] != 0 {
                    last = mention[i];
                }
                bound[i] = if last != 0 {
                    last
                } else {
                    first_in_clause.unwrap_or(carry)
                };
            }
            if last != 0 {
                carry = last;
            }
            start = end;
        }
        bound
    }
}

/// The share of the answer's own content words (not copied from the question) that some key
/// point used: answers padded with unrelated or wrong claims have a lower one.
fn answer_precision(answer: &Tokens, used: &[bool], question: &Tokens) -> f64 {
    let (mut own, mut hit) = (0usize, 0usize);
    for (t, &u) in answer.tokens.iter().zip(used) {
        if t.stop || question.tokens.iter().any(|q| q.key == t.key) {
            continue;
        }
        own += 1;
        if u {
            hit += 1;
        }
    }
    if own == 0 { 1.0 } else { hit as f64 / own as f64 }
}

/// Reads as a bare list of keywords: enough content words, and hardly any function words among
/// them, or nearly all the words that earned key points (all content words, when none did) in
/// clauses with hardly any function words. The second test is clause by clause, so that a
/// sentence of filler ("here are the main points I would mention") does not turn the list after
/// it into prose. Code (backticks) is left out: a command is a fine answer, not a keyword list.
fn reads_as_keyword_list(answer: &Tokens, used: &[bool], max_stop_share: f64) -> bool {
    // Per prose token, its clause's index in `clauses`; per clause, (function, content) words.
    // Clause numbers only grow along the answer, so one pass groups them.
    let mut clauses: Vec<(u32, usize, usize)> = Vec::new();
    let mut words: Vec<(usize, bool, bool)> = Vec::new(); // (clause index, stop, used)
    for (t, &u) in answer.tokens.iter().zip(used).filter(|(t, _)| !t.code) {
        if clauses.last().is_none_or(|c| c.0 != t.clause) {
            clauses.push((t.clause, 0, 0));
        }
        let at = clauses.len() - 1;
        if t.stop {
            clauses[at].1 += 1;
        } else {
            clauses[at].2 += 1;
        }
        words.push((at, t.stop, u));
    }
    let content: usize = clauses.iter().map(|c| c.2).sum();
    if content < SALAD_MIN_WORDS {
        return false;
    }
    let stop: usize = clauses.iter().map(|c| c.1).sum();
    if (stop as f64) < max_stop_share * (stop + content) as f64 {
        return true;
    }
    let list_like: Vec<bool> = clauses
        .iter()
        .map(|&(_, stop, content)| (stop as f64) < max_stop_share * (stop + content) as f64)
        .collect();
    let any_used = words.iter().any(|&(_, stop, u)| u && !stop);
    let (mut in_lists, mut counted) = (0usize, 0usize);
    for &(at, stop, u) in &words {
        if stop || (any_used && !u) {
            continue;
        }
        counted += 1;
        in_lists += usize::from(list_like[at]);
    }
    // Nearly all: terse prose ("SGs are stateful, instance level, allow only") puts some of its
    // points in verbless clauses too, and is not a list.
    counted > 0 && in_lists * 5 >= counted * 4
}

/// The key points' content words in order, each subject once where the sheet writes it.
fn reference_keys(key_points: &[KeyPoint], normalizer: &Normalizer<'_>) -> Vec<Arc<str>> {
    let mut reference: Vec<Arc<str>> = Vec::new();
    let mut subject = None;
    for point in key_points {
        // The sheet writes a subject once before its points ("SG: stateful, instance-level").
        let text = if point.subject.is_some() && point.subject != subject {
            point.to_string()
        } else {
            point.body.clone()
        };
        subject.clone_from(&point.subject);
        reference.extend(
            normalizer
                .tokens(&text)
                .tokens
                .into_iter()
                .filter(|t| !t.stop)
                .map(|t| t.key),
        );
    }
    reference
}

/// Whether the answer contains (nearly) all the key points' words in the key points' order,
/// subjects included: the longest common subsequence covers 90% of them.
fn restates_in_order(reference: &[Arc<str>], answer: &Tokens) -> bool {
    let said: Vec<&str> = answer
        .tokens
        .iter()
        .filter(|t| !t.stop)
        .map(|t| &*t.key)
        .collect();
    if reference.is_empty() || said.len() > 4 * reference.len() {
        return false;
    }
    // Longest common subsequence, one row at a time.
    let mut row = vec![0usize; said.len() + 1];
    for r in reference {
        let mut diagonal = 0;
        for (j, s) in said.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if **r == **s {
                diagonal + 1
            } else {
                above.max(row[j])
            };
            diagonal = above;
        }
    }
    let common = row[said.len()];
    common * 10 >= reference.len() * 9
}

/// The user's words at the given token indices, verbatim, in answer order; neighbouring tokens
/// are quoted together ("security groups" rather than "security", "groups").
fn quote(text: &str, answer: &Tokens, mut at: Vec<usize>) -> Vec<String> {
    at.sort_unstable();
    at.dedup();
    let mut quotes: Vec<String> = Vec::new();
    let mut run: Option<(usize, usize)> = None;
    for i in at {
        run = match run {
            Some((start, end)) if i == end + 1 && answer.tokens[i].clause == answer.tokens[end].clause => {
                Some((start, i))
            }
            Some((start, end)) => {
                push_quote(text, answer, start, end, &mut quotes);
                Some((i, i))
            }
            None => Some((i, i)),
        };
    }
    if let Some((start, end)) = run {
        push_quote(text, answer, start, end, &mut quotes);
    }
    quotes
}

fn push_quote(text: &str, answer: &Tokens, start: usize, end: usize, quotes: &mut Vec<String>) {
    let span = answer.tokens[start].span.start..answer.tokens[end].span.end;
    if let Some(words) = text.get(span)
        && !quotes.iter().any(|q| q == words)
    {
        quotes.push(words.to_owned());
    }
}

/// The text of one clause of the answer, trimmed, for quoting a contradiction.
fn clause_text<'t>(text: &'t str, answer: &Tokens, clause: u32) -> &'t str {
    let mut in_clause = answer.tokens.iter().filter(|t| t.clause == clause);
    let Some(first) = in_clause.next() else { return "" };
    let end = in_clause.next_back().map_or(first.span.end, |t| t.span.end);
    text.get(first.span.start..end).unwrap_or("")
}
