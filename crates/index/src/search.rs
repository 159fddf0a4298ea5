//! Lookups, drawing a card, and fetching one by id.

use std::collections::BTreeSet;
use std::ops::Range;

use cuecard_core::{Card, CardId, Note, Topic};
use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};
use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TokenStream;
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::{CardIndex, IndexError};

/// Words shorter than this are never read as typos: too many short words are one edit apart.
const MIN_FUZZY_CHARS: usize = 5;
/// At most this many indexed words stand in for one misspelt word.
const MAX_FUZZY_EXPANSIONS: usize = 8;
/// How much a word found by typo tolerance counts, against the word as typed.
const FUZZY_WEIGHT: f32 = 0.6;
/// The question weighs most: a hit there is what the user means.
const TITLE_BOOST: f32 = 3.0;
const KEY_POINTS_BOOST: f32 = 2.0;
const BODY_BOOST: f32 = 1.0;
/// A query's words found together, in order, beat the same words scattered.
const PHRASE_BOOST: f32 = 2.0;
/// Longest snippet, in characters: a few lines in a terminal or a Discord embed.
const SNIPPET_CHARS: usize = 180;

/// A topic with how much the sheet says about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicCount {
    /// The topic.
    pub topic: Topic,
    /// How many cards (questions) it has.
    pub cards: usize,
    /// How many notes it has.
    pub notes: usize,
}

/// Options of a lookup.
#[derive(Debug, Clone)]
pub struct Search {
    /// At most this many hits.
    pub limit: usize,
    /// Only hits in topics this filter selects (see [`Topic::matches`]).
    pub topic: Option<String>,
}

impl Default for Search {
    fn default() -> Self {
        Self {
            limit: 5,
            topic: None,
        }
    }
}

/// A piece of text with the parts that matched the query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    /// The text.
    pub text: String,
    /// Byte ranges of `text` that matched.
    pub highlights: Vec<Range<usize>>,
}

impl Snippet {
    /// The text with each highlight wrapped in `open` and `close` (`**` for Discord).
    #[must_use]
    pub fn marked(&self, open: &str, close: &str) -> String {
        let mut out = String::with_capacity(self.text.len() + self.highlights.len() * 4);
        let mut at = 0;
        for range in &self.highlights {
            out.push_str(&self.text[at..range.start]);
            out.push_str(open);
            out.push_str(&self.text[range.clone()]);
            out.push_str(close);
            at = range.end;
        }
        out.push_str(&self.text[at..]);
        out
    }
}

/// What a hit found.
#[derive(Debug, Clone, PartialEq)]
pub enum HitItem {
    /// A question.
    Card(Card),
    /// Another part of the sheet.
    Note(Note),
}

/// One result of a lookup.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// BM25 relevance; only meaningful against other hits of the same lookup.
    pub score: f32,
    /// The question, or the note's title.
    pub title: String,
    /// The best matching passage, from the key points or the note's text.
    pub snippet: Snippet,
    /// The card or note.
    pub item: HitItem,
}

impl Hit {
    /// The id of the card or note.
    #[must_use]
    pub fn id(&self) -> &str {
        match &self.item {
            HitItem::Card(card) => card.id.as_str(),
            HitItem::Note(note) => note.id.as_str(),
        }
    }

    /// The topic of the card or note.
    #[must_use]
    pub fn topic(&self) -> &Topic {
        match &self.item {
            HitItem::Card(card) => &card.topic,
            HitItem::Note(note) => &note.topic,
        }
    }

    /// The subtopic of the card or note.
    #[must_use]
    pub fn subtopic(&self) -> Option<&str> {
        match &self.item {
            HitItem::Card(card) => card.subtopic.as_deref(),
            HitItem::Note(note) => note.subtopic.as_deref(),
        }
    }
}

impl CardIndex {
    fn tantivy_error(&self) -> impl Fn(tantivy::TantivyError) -> IndexError + '_ {
        |source| IndexError::Tantivy {
            path: self.location.display().to_string(),
            source,
        }
    }

    /// Slugs of the topics `filter` selects; an error naming the real topics when none.
    fn topic_slugs(&self, filter: &str) -> Result<Vec<String>, IndexError> {
        let slugs: Vec<String> = self
            .topics
            .iter()
            .filter(|t| t.topic.matches(filter))
            .map(|t| t.topic.slug().to_owned())
            .collect();
        if slugs.is_empty() {
            return Err(IndexError::UnknownTopic {
                filter: filter.to_owned(),
                known: self
                    .topics
                    .iter()
                    .map(|t| t.topic.slug())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        Ok(slugs)
    }

    fn any_of(field: Field, values: &[String]) -> Box<dyn Query> {
        let clauses = values
            .iter()
            .map(|v| {
                let q: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(field, v),
                    IndexRecordOption::Basic,
                ));
                (Occur::Should, q)
            })
            .collect();
        Box::new(BooleanQuery::new(clauses))
    }

    /// The stemmed words of `text`, each with the word as typed (lower-cased) when it is long
    /// enough to be read as a typo.
    fn words(&self, text: &str) -> Result<Vec<(String, Option<String>)>, IndexError> {
        let mut analyzer = self
            .index
            .tokenizer_for_field(self.fields.title)
            .map_err(self.tantivy_error())?;
        let mut stream = analyzer.token_stream(text);
        let mut words: Vec<(String, Option<String>)> = Vec::new();
        while stream.advance() {
            let token = stream.token();
            let typed = text
                .get(token.offset_from..token.offset_to)
                .unwrap_or("")
                .to_lowercase();
            let typed = (typed.chars().count() >= MIN_FUZZY_CHARS).then_some(typed);
            if !words.iter().any(|(w, _)| *w == token.text) {
                words.push((token.text.clone(), typed));
            }
        }
        Ok(words)
    }

    /// The stems of the indexed words one edit away from `typed`.
    fn corrections(&self, searcher: &Searcher, typed: &str) -> Result<BTreeSet<String>, IndexError> {
        let fuzzy = FuzzyTermQuery::new(Term::from_field_text(self.fields.words, typed), 1, true);
        let mut near = BTreeSet::new();
        for segment in searcher.segment_readers() {
            let automaton = fuzzy.automaton().map_err(self.tantivy_error())?;
            let inverted = segment
                .inverted_index(self.fields.words)
                .map_err(self.tantivy_error())?;
            let mut stream = inverted
                .terms()
                .search(automaton)
                .into_stream()
                .map_err(|e| self.tantivy_error()(e.into()))?;
            while near.len() < MAX_FUZZY_EXPANSIONS && stream.advance() {
                if let Ok(word) = std::str::from_utf8(stream.key()) {
                    near.insert(word.to_owned());
                }
            }
        }
        let mut stems = BTreeSet::new();
        for word in near {
            stems.extend(self.words(&word)?.into_iter().map(|(stem, _)| stem));
        }
        Ok(stems)
    }

    fn text_query(&self, searcher: &Searcher, text: &str) -> Result<Option<Box<dyn Query>>, IndexError> {
        let fields = [
            (self.fields.title, TITLE_BOOST),
            (self.fields.key_points, KEY_POINTS_BOOST),
            (self.fields.body, BODY_BOOST),
        ];
        let words = self.words(text)?;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut all_exact = true;
        for (word, typed) in &words {
            let mut known = false;
            for (field, _) in fields {
                known |= searcher
                    .doc_freq(&Term::from_field_text(field, word))
                    .map_err(self.tantivy_error())?
                    > 0;
            }
            let variants: Vec<(String, f32)> = match typed {
                Some(typed) if !known => {
                    all_exact = false;
                    self.corrections(searcher, typed)?
                        .into_iter()
                        .map(|w| (w, FUZZY_WEIGHT))
                        .collect()
                }
                _ => vec![(word.clone(), 1.0)],
            };
            for (variant, weight) in variants {
                for (field, boost) in fields {
                    let term = TermQuery::new(
                        Term::from_field_text(field, &variant),
                        IndexRecordOption::WithFreqs,
                    );
                    clauses.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(term), boost * weight)),
                    ));
                }
            }
        }
        if words.len() >= 2 && all_exact {
            for (field, boost) in fields {
                let terms = words
                    .iter()
                    .map(|(w, _)| Term::from_field_text(field, w))
                    .collect();
                let phrase = PhraseQuery::new(terms);
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(phrase), boost * PHRASE_BOOST)),
                ));
            }
        }
        Ok((!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>))
    }

    fn filtered(&self, query: Box<dyn Query>, topic: Option<&str>) -> Result<Box<dyn Query>, IndexError> {
        let Some(filter) = topic else { return Ok(query) };
        let slugs = self.topic_slugs(filter)?;
        Ok(Box::new(BooleanQuery::new(vec![
            (Occur::Must, query),
            (Occur::Must, Self::any_of(self.fields.topic, &slugs)),
        ])))
    }

    fn item(&self, doc: &TantivyDocument) -> Option<HitItem> {
        let kind = doc.get_first(self.fields.kind)?.as_str()?;
        let record = doc.get_first(self.fields.record)?.as_str()?;
        match kind {
            "card" => serde_json::from_str(record).ok().map(HitItem::Card),
            "note" => serde_json::from_str(record).ok().map(HitItem::Note),
            _ => None,
        }
    }

    /// Finds the cards and notes that best match `text`. A query with no searchable word gives
    /// no hits; an unknown topic is an error that lists the topics.
    pub fn search(&self, text: &str, options: &Search) -> Result<Vec<Hit>, IndexError> {
        let searcher = self.reader.searcher();
        let Some(query) = self.text_query(&searcher, text)? else {
            return Ok(Vec::new());
        };
        let query = self.filtered(query, options.topic.as_deref())?;
        let top = searcher
            .search(
                &query,
                &TopDocs::with_limit(options.limit.max(1)).order_by_score(),
            )
            .map_err(self.tantivy_error())?;
        let snippets = |field| {
            SnippetGenerator::create(&searcher, &*query, field).map(|mut generator| {
                generator.set_max_num_chars(SNIPPET_CHARS);
                generator
            })
        };
        let key_points = snippets(self.fields.key_points).map_err(self.tantivy_error())?;
        let body = snippets(self.fields.body).map_err(self.tantivy_error())?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address).map_err(self.tantivy_error())?;
            let Some(item) = self.item(&doc) else { continue };
            let (title, snippet) = match &item {
                HitItem::Card(card) => (card.question.clone(), best_snippet(&key_points, &card.answer)),
                HitItem::Note(note) => (note.title.clone(), best_snippet(&body, &note.body)),
            };
            hits.push(Hit {
                score,
                title,
                snippet,
                item,
            });
        }
        Ok(hits)
    }

    /// Picks a card at random from the topics `topic` selects (all when `None`), avoiding the
    /// cards in `recent` unless every card is recent. `None` only when there is no card at all.
    pub fn draw(
        &self,
        topic: Option<&str>,
        recent: &[CardId],
        rng: &mut impl Rng,
    ) -> Result<Option<Card>, IndexError> {
        let searcher = self.reader.searcher();
        let cards = Self::any_of(self.fields.kind, &["card".to_owned()]);
        let query = self.filtered(cards, topic)?;
        let mut addresses: Vec<DocAddress> = searcher
            .search(&query, &DocSetCollector)
            .map_err(self.tantivy_error())?
            .into_iter()
            .collect();
        // Same seed, same draw: the collector's set has no order of its own.
        addresses.sort_unstable();
        let mut fallback = None;
        while !addresses.is_empty() {
            let address = addresses.swap_remove(rng.random_range(0..addresses.len()));
            let doc: TantivyDocument = searcher.doc(address).map_err(self.tantivy_error())?;
            let Some(HitItem::Card(card)) = self.item(&doc) else {
                continue;
            };
            if !recent.contains(&card.id) {
                return Ok(Some(card));
            }
            fallback.get_or_insert(card);
        }
        Ok(fallback)
    }

    /// The card with this id, if the index has it.
    pub fn card(&self, id: &CardId) -> Result<Option<Card>, IndexError> {
        match self.by_id(id.as_str())? {
            Some(HitItem::Card(card)) => Ok(Some(card)),
            _ => Ok(None),
        }
    }

    /// The card or note with this id, if the index has it.
    pub fn by_id(&self, id: &str) -> Result<Option<HitItem>, IndexError> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let top = searcher
            .search(&query, &TopDocs::with_limit(1).order_by_score())
            .map_err(self.tantivy_error())?;
        let Some((_, address)) = top.into_iter().next() else {
            return Ok(None);
        };
        let doc: TantivyDocument = searcher.doc(address).map_err(self.tantivy_error())?;
        Ok(self.item(&doc))
    }
}

/// The generator's best passage; the start of the text when nothing in it matched.
fn best_snippet(generator: &SnippetGenerator, text: &str) -> Snippet {
    let snippet = generator.snippet(text);
    if snippet.highlighted().is_empty() {
        let end = text
            .char_indices()
            .nth(SNIPPET_CHARS)
            .map_or(text.len(), |(i, _)| i);
        return Snippet {
            text: text[..end].to_owned(),
            highlights: Vec::new(),
        };
    }
    Snippet {
        text: snippet.fragment().to_owned(),
        highlights: snippet.highlighted().to_vec(),
    }
}
