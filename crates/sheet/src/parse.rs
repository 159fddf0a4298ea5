//! The markdown walk: pulldown-cmark events in, cards and notes out.

use std::collections::HashMap;
use std::ops::Range;

use cuecard_core::{Card, CardId, Note, NoteId, Topic};
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser as Markdown, Tag, TagEnd};

use crate::error::{Problem, ProblemKind, SheetErrors};
use crate::split::split_key_points;
use crate::{Sheet, repair_mojibake};

/// Questions longer than this do not fit a Discord embed title.
pub const MAX_QUESTION_CHARS: usize = 256;
/// Key points longer than this do not fit one Discord embed field.
pub const MAX_KEY_POINTS_CHARS: usize = 1024;
/// Larger files are refused before parsing: no sheet a person writes comes close.
pub const MAX_SHEET_BYTES: usize = 64 * 1024 * 1024;
/// Topic of cards that come before any `##` heading.
const DEFAULT_TOPIC: &str = "General";
/// How many control-character problems to report before the rest are obviously the same.
const MAX_CONTROL_REPORTS: usize = 5;

/// Parses a sheet given as bytes, checking that they are UTF-8 first.
pub fn parse_bytes(bytes: &[u8], source: &str) -> Result<Sheet, SheetErrors> {
    let fail = |kind, line, message: String| SheetErrors {
        file: source.to_owned(),
        problems: vec![Problem::new(kind, line, message)],
    };
    if bytes.len() > MAX_SHEET_BYTES {
        return Err(fail(
            ProblemKind::TooLarge,
            1,
            format!(
                "the file is {} MiB; cuecard reads sheets of up to {} MiB. Split it into several sheets",
                bytes.len() / (1024 * 1024),
                MAX_SHEET_BYTES / (1024 * 1024)
            ),
        ));
    }
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return Err(fail(
            ProblemKind::NotUtf8,
            1,
            "the file is UTF-16 text; save it as UTF-8 (in most editors: Save As, Encoding: UTF-8)".into(),
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_named(text.strip_prefix('\u{feff}').unwrap_or(text), source),
        Err(error) => {
            let valid = &bytes[..error.valid_up_to()];
            // n newlines make n + 1 pieces, and the bad byte is on line n + 1.
            let line = valid.split(|&b| b == b'\n').count();
            Err(fail(
                ProblemKind::NotUtf8,
                line,
                format!(
                    "byte 0x{:02X} is not UTF-8 text; save the file as UTF-8 (in most editors: Save As, Encoding: UTF-8)",
                    bytes[error.valid_up_to()]
                ),
            ))
        }
    }
}

/// Parses a sheet's text; `source` names it in messages.
pub fn parse_named(text: &str, source: &str) -> Result<Sheet, SheetErrors> {
    let fail = |problems| SheetErrors {
        file: source.to_owned(),
        problems,
    };
    if text.len() > MAX_SHEET_BYTES {
        return parse_bytes(text.as_bytes(), source);
    }
    let text = repair_mojibake(text);
    let control = control_characters(&text);
    if !control.is_empty() {
        return Err(fail(control));
    }
    let mut walk = Walk::new(&text);
    walk.run();
    let Walk {
        cards,
        notes,
        mut problems,
        title,
        ..
    } = walk;
    if cards.is_empty() && !problems.iter().any(|p| !p.kind.is_warning()) {
        problems.push(Problem::new(
            ProblemKind::NoCards,
            1,
            "no questions found. Add a table whose header is `| Question | Key Points |` (or `| Question | Answer |`), \
             or a code block with `Q:` and `A:` lines",
        ));
    }
    problems.sort_by_key(|p| p.line);
    if problems.iter().any(|p| !p.kind.is_warning()) {
        return Err(fail(problems));
    }
    Ok(Sheet {
        title,
        cards,
        notes,
        warnings: problems,
    })
}

fn control_characters(text: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if let Some(c) = line.chars().find(|&c| c.is_control() && c != '\t' && c != '\r') {
            problems.push(Problem::new(
                ProblemKind::ControlCharacter,
                index + 1,
                format!(
                    "the invisible control character U+{:04X} is not allowed in a sheet; delete it",
                    u32::from(c)
                ),
            ));
            if problems.len() == MAX_CONTROL_REPORTS {
                break;
            }
        }
    }
    problems
}

/// Byte offset to 1-based line number.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self(starts)
    }

    fn of(&self, offset: usize) -> usize {
        self.0.partition_point(|&start| start <= offset)
    }
}

/// A cell's text and where it is in the source.
type Cell = (String, Range<usize>);

/// A table as read: header cells, then each row's range with its cells.
struct Table {
    header: Vec<String>,
    rows: Vec<(Range<usize>, Vec<Cell>)>,
    start: usize,
}

/// What a table is for, from its header.
enum TableKind {
    Cards,
    /// First column says "Question" but the second is not a known answer column.
    AlmostCards,
    Note,
}

fn table_kind(header: &[String]) -> TableKind {
    let name = |i: usize| header.get(i).map(|h| h.trim().to_lowercase());
    let first = name(0).unwrap_or_default();
    if !matches!(first.as_str(), "question" | "questions" | "q") {
        return TableKind::Note;
    }
    match name(1).as_deref() {
        Some("key points" | "key point" | "answer" | "answers" | "a") => TableKind::Cards,
        _ => TableKind::AlmostCards,
    }
}

struct NoteDraft {
    title: String,
    body: String,
    line: usize,
}

struct Walk<'t> {
    text: &'t str,
    lines: Lines,
    title: Option<String>,
    topic: Option<Topic>,
    subtopic: Option<String>,
    label: Option<String>,
    draft: Option<NoteDraft>,
    note_ordinals: HashMap<(String, String, String), usize>,
    seen: HashMap<CardId, usize>,
    cards: Vec<Card>,
    notes: Vec<Note>,
    problems: Vec<Problem>,
}

impl<'t> Walk<'t> {
    fn new(text: &'t str) -> Self {
        Self {
            text,
            lines: Lines::new(text),
            title: None,
            topic: None,
            subtopic: None,
            label: None,
            draft: None,
            note_ordinals: HashMap::new(),
            seen: HashMap::new(),
            cards: Vec::new(),
            notes: Vec::new(),
            problems: Vec::new(),
        }
    }

    fn problem(&mut self, kind: ProblemKind, line: usize, message: impl Into<String>) {
        self.problems.push(Problem::new(kind, line, message));
    }

    fn run(&mut self) {
        let text = self.text;
        let mut events = Markdown::new_ext(text, Options::ENABLE_TABLES).into_offset_iter();
        while let Some((event, range)) = events.next() {
            let line = self.lines.of(range.start);
            match event {
                Event::Start(Tag::Heading { level, .. }) => {
                    let (heading, _) = inline_text(&mut events);
                    self.heading(level, &heading, line);
                }
                Event::Start(Tag::Table(_)) => {
                    let table = read_table(&mut events, range.start);
                    self.table(&table);
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    let lang = match kind {
                        CodeBlockKind::Fenced(lang) => lang.to_string(),
                        CodeBlockKind::Indented => String::new(),
                    };
                    let (code, code_start) = code_text(&mut events);
                    let first_line = code_start.map_or(line + 1, |start| self.lines.of(start));
                    self.code_block(&lang, &code, first_line, line);
                }
                Event::Start(Tag::Paragraph) => {
                    let (paragraph, all_strong) = inline_text(&mut events);
                    let paragraph = paragraph.trim();
                    if all_strong && paragraph.ends_with(':') && paragraph.len() <= 80 {
                        self.flush_note();
                        self.label = Some(paragraph.trim_end_matches(':').trim().to_owned());
                    } else {
                        self.note_text(line, paragraph);
                    }
                }
                Event::Start(Tag::BlockQuote(_)) => {
                    let (quote, _) = inline_text(&mut events);
                    let quoted: Vec<String> = quote.trim().lines().map(|l| format!("> {l}")).collect();
                    self.note_text(line, &quoted.join("\n"));
                }
                Event::Start(Tag::List(_) | Tag::HtmlBlock) => {
                    let (text, _) = inline_text(&mut events);
                    self.note_text(line, text.trim());
                }
                _ => {}
            }
        }
        self.flush_note();
    }

    fn heading(&mut self, level: HeadingLevel, heading: &str, line: usize) {
        self.flush_note();
        self.label = None;
        let name = heading
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .trim_end_matches(|c: char| c.is_whitespace() || (u32::from(c) >= 0x2000 && !c.is_alphanumeric()))
            .to_owned();
        match level {
            HeadingLevel::H1 => self.title = Some(name),
            HeadingLevel::H2 => {
                if name.is_empty() {
                    self.problem(
                        ProblemKind::EmptyHeading,
                        line,
                        "this `##` heading has no name; write the section's name after `## `",
                    );
                }
                self.topic = Some(Topic::new(&name));
                self.subtopic = None;
            }
            HeadingLevel::H3 => self.subtopic = (!name.is_empty()).then_some(name),
            _ => self.label = (!name.is_empty()).then_some(name),
        }
    }

    fn topic(&self) -> Topic {
        self.topic.clone().unwrap_or_else(|| Topic::new(DEFAULT_TOPIC))
    }

    fn note_text(&mut self, line: usize, text: &str) {
        if text.is_empty() {
            return;
        }
        let title = self
            .label
            .clone()
            .or_else(|| self.subtopic.clone())
            .unwrap_or_else(|| self.topic().name().to_owned());
        let draft = self.draft.get_or_insert_with(|| NoteDraft {
            title,
            body: String::new(),
            line,
        });
        if !draft.body.is_empty() {
            draft.body.push_str("\n\n");
        }
        draft.body.push_str(text);
    }

    fn flush_note(&mut self) {
        let Some(draft) = self.draft.take() else { return };
        let topic = self.topic();
        let key = (
            topic.slug().to_owned(),
            self.subtopic.clone().unwrap_or_default(),
            draft.title.clone(),
        );
        let ordinal = self.note_ordinals.entry(key).or_insert(0);
        *ordinal += 1;
        self.notes.push(Note {
            id: NoteId::derive(&topic, self.subtopic.as_deref(), &draft.title, *ordinal),
            topic,
            subtopic: self.subtopic.clone(),
            title: draft.title,
            body: draft.body,
            line: draft.line,
        });
    }

    fn table(&mut self, table: &Table) {
        let line = self.lines.of(table.start);
        match table_kind(&table.header) {
            TableKind::Cards => self.card_table(table),
            kind => {
                if matches!(kind, TableKind::AlmostCards) {
                    let second = table.header.get(1).map_or("", String::as_str).trim().to_owned();
                    self.problem(
                        ProblemKind::UnrecognisedQuestionTable,
                        line,
                        format!(
                            "this table has a Question column, but its second column is `{second}`; \
                             name it `Key Points` or `Answer` to turn its rows into cards (kept as a note for now)"
                        ),
                    );
                }
                self.note_text(line, &render_table(table));
            }
        }
    }

    fn card_table(&mut self, table: &Table) {
        self.flush_note();
        if table.rows.is_empty() {
            self.problem(
                ProblemKind::EmptyTable,
                self.lines.of(table.start),
                "this question table has a header but no rows; add rows below the `|---|---|` line",
            );
        }
        for (row_range, cells) in &table.rows {
            let line = self.lines.of(row_range.start);
            let question = cells.first().map_or("", |c| c.0.as_str()).trim().to_owned();
            let Some((answer, answer_range)) = cells.get(1) else {
                continue;
            };
            if answer_range.is_empty() {
                self.problem(
                    ProblemKind::MissingCell,
                    line,
                    format!(
                        "this row has no Key Points cell; write the key points after the question, \
                         like `| {} | point one, point two |`",
                        if question.is_empty() {
                            "Question?"
                        } else {
                            &question
                        }
                    ),
                );
                continue;
            }
            let mut answer = answer.trim().to_owned();
            let last_end = cells.last().map_or(row_range.end, |c| c.1.end);
            let rest = self.text[last_end..row_range.end]
                .trim()
                .trim_start_matches('|')
                .trim();
            if !rest.is_empty() {
                if table.header.len() == 2 {
                    // An unescaped `|` (usually inside inline code) split the answer: join it back.
                    let raw = self.text[answer_range.start..row_range.end].trim();
                    answer = inline_markdown(raw.strip_suffix('|').unwrap_or(raw).trim());
                }
                self.problem(
                    ProblemKind::ExtraCells,
                    line,
                    "this row has more cells than its header, usually from a `|` inside inline code; \
                     cuecard read the extra cells as part of the last column. Write `\\|` for a literal `|`",
                );
            }
            self.card(&question, &answer, line);
        }
    }

    fn code_block(&mut self, lang: &str, code: &str, first_line: usize, fence_line: usize) {
        let is_qa = code.lines().any(|l| starts_with_marker(l.trim_start(), "Q:"));
        if !is_qa {
            let fence = format!("```{lang}\n{}\n```", code.trim_end());
            self.note_text(fence_line, &fence);
            return;
        }
        self.flush_note();
        // (question lines, line of Q:, answer lines if A: was seen)
        let mut pending: Option<(Vec<String>, usize, Option<Vec<String>>)> = None;
        for (index, raw) in code.lines().enumerate() {
            let line = first_line + index;
            let trimmed = raw.trim();
            if starts_with_marker(trimmed, "Q:") {
                self.finish_qa(pending.take());
                pending = Some((vec![trimmed[2..].trim().to_owned()], line, None));
            } else if starts_with_marker(trimmed, "A:") {
                let answer = trimmed[2..].trim().to_owned();
                match &mut pending {
                    Some((_, _, slot @ None)) => *slot = Some(vec![answer]),
                    _ => self.problem(
                        ProblemKind::AnswerWithoutQuestion,
                        line,
                        "this `A:` line has no `Q:` line before it; write the question on a `Q:` line just above",
                    ),
                }
            } else if trimmed.is_empty() {
                self.finish_qa(pending.take());
            } else if let Some((question, _, answer)) = &mut pending {
                match answer {
                    Some(answer) => answer.push(trimmed.to_owned()),
                    None => question.push(trimmed.to_owned()),
                }
            }
        }
        self.finish_qa(pending);
    }

    fn finish_qa(&mut self, pending: Option<(Vec<String>, usize, Option<Vec<String>>)>) {
        let Some((question, line, answer)) = pending else {
            return;
        };
        let question = question.join(" ");
        match answer {
            Some(answer) => self.card(&question, answer.join("\n").trim(), line),
            None => self.problem(
                ProblemKind::QuestionWithoutAnswer,
                line,
                "this `Q:` has no `A:` line after it; write the key points on an `A:` line below the question",
            ),
        }
    }

    fn card(&mut self, question: &str, answer: &str, line: usize) {
        let question = question.trim();
        // "****" or "?" is no question: only markup or punctuation survived.
        if !question.chars().any(char::is_alphanumeric) {
            self.problem(
                ProblemKind::EmptyQuestion,
                line,
                "the question is empty; write the question in the first cell (or after `Q:`)",
            );
            return;
        }
        if answer.is_empty() {
            self.problem(
                ProblemKind::EmptyKeyPoints,
                line,
                format!("the key points of \"{}\" are empty; write what a good answer covers, separated by commas", short(question)),
            );
            return;
        }
        if question.chars().count() > MAX_QUESTION_CHARS {
            self.problem(
                ProblemKind::QuestionTooLong,
                line,
                format!(
                    "the question \"{}\" has {} characters; keep questions under {MAX_QUESTION_CHARS} so they fit in a Discord title",
                    short(question),
                    question.chars().count()
                ),
            );
            return;
        }
        if answer.chars().count() > MAX_KEY_POINTS_CHARS {
            self.problem(
                ProblemKind::KeyPointsTooLong,
                line,
                format!(
                    "the key points of \"{}\" have {} characters; keep them under {MAX_KEY_POINTS_CHARS} (split the card in two)",
                    short(question),
                    answer.chars().count()
                ),
            );
            return;
        }
        let key_points = split_key_points(answer);
        if key_points.is_empty() {
            self.problem(
                ProblemKind::NoKeyPoints,
                line,
                format!(
                    "no key points could be read from \"{}\"; write words, separated by commas",
                    short(answer)
                ),
            );
            return;
        }
        let topic = self.topic();
        let id = CardId::derive(&topic, question);
        if let Some(&first) = self.seen.get(&id) {
            self.problem(
                ProblemKind::DuplicateQuestion,
                line,
                format!(
                    "\"{}\" is already asked at line {first} in section {}; remove one or reword it",
                    short(question),
                    topic.name()
                ),
            );
            return;
        }
        self.seen.insert(id.clone(), line);
        self.cards.push(Card {
            id,
            topic,
            subtopic: self.subtopic.clone(),
            question: question.to_owned(),
            answer: answer.to_owned(),
            key_points,
            line,
        });
    }
}

/// The first words of a long text, for messages.
fn short(text: &str) -> String {
    const KEEP: usize = 60;
    if text.chars().count() <= KEEP {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(KEEP).collect::<String>())
    }
}

/// `Q:`/`A:` at the start of a line, in either case.
fn starts_with_marker(line: &str, marker: &str) -> bool {
    line.get(..2)
        .is_some_and(|head| head.eq_ignore_ascii_case(marker))
}

type Events<'a> = pulldown_cmark::OffsetIter<'a, pulldown_cmark::DefaultBrokenLinkCallback>;

/// Text of the events up to the end of the block just opened, with inline code in backticks,
/// and whether every visible character was bold (a "**Label:**" paragraph).
fn inline_text(events: &mut Events<'_>) -> (String, bool) {
    let mut text = String::new();
    let mut depth = 1_usize;
    let mut strong = 0_usize;
    let mut plain_seen = false;
    for (event, _) in events.by_ref() {
        match event {
            Event::Start(tag) => {
                depth += 1;
                match tag {
                    Tag::Strong => strong += 1,
                    Tag::Item => text.push_str("\n- "),
                    Tag::Paragraph | Tag::CodeBlock(_) if !text.is_empty() => text.push('\n'),
                    _ => {}
                }
            }
            Event::End(tag) => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
                if tag == TagEnd::Strong {
                    strong = strong.saturating_sub(1);
                }
            }
            Event::Text(t) => {
                plain_seen |= strong == 0 && !t.trim().is_empty();
                text.push_str(&t);
            }
            Event::Code(code) => {
                plain_seen |= strong == 0;
                text.push('`');
                text.push_str(&code);
                text.push('`');
            }
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::Html(html) | Event::InlineHtml(html) => {
                if html.trim().to_lowercase().starts_with("<br") {
                    text.push(' ');
                } else {
                    text.push_str(&html);
                }
            }
            _ => {}
        }
    }
    let all_strong = !plain_seen && !text.trim().is_empty();
    (text, all_strong)
}

/// Renders a fragment of inline markdown (one table cell) as plain text.
fn inline_markdown(raw: &str) -> String {
    let mut events = Markdown::new(raw).into_offset_iter();
    let mut text = String::new();
    while let Some((event, _)) = events.next() {
        if let Event::Start(Tag::Paragraph) = event {
            text.push_str(&inline_text(&mut events).0);
        }
    }
    text.trim().to_owned()
}

/// The text of a code block and where it starts.
fn code_text(events: &mut Events<'_>) -> (String, Option<usize>) {
    let mut code = String::new();
    let mut start = None;
    for (event, range) in events.by_ref() {
        match event {
            Event::Text(t) => {
                start.get_or_insert(range.start);
                code.push_str(&t);
            }
            Event::End(TagEnd::CodeBlock) => break,
            _ => {}
        }
    }
    (code, start)
}

fn read_table(events: &mut Events<'_>, start: usize) -> Table {
    let mut table = Table {
        header: Vec::new(),
        rows: Vec::new(),
        start,
    };
    let mut in_head = false;
    while let Some((event, range)) = events.next() {
        match event {
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) => table.rows.push((range, Vec::new())),
            Event::Start(Tag::TableCell) => {
                let (text, _) = inline_text(events);
                let text = text.trim().to_owned();
                if in_head {
                    table.header.push(text);
                } else if let Some((_, cells)) = table.rows.last_mut() {
                    cells.push((text, range));
                }
            }
            Event::End(TagEnd::Table) => break,
            _ => {}
        }
    }
    table
}

fn render_table(table: &Table) -> String {
    let mut out = table.header.join(" | ");
    for (_, cells) in &table.rows {
        out.push('\n');
        out.push_str(&cells.iter().map(|c| c.0.as_str()).collect::<Vec<_>>().join(" | "));
    }
    out
}
