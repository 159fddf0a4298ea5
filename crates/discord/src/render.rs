//! Embeds and buttons: how cards, grades, boards and progress look in Discord.

use cuecard_coach::{Answered, Scorecard, Stats};
use cuecard_core::{Card, Grade, Note, Verdict};
use cuecard_store::{LeaderboardPage, Occasion, Streak};
use jiff::Timestamp;
use serenity::all::{ButtonStyle, Colour, CreateActionRow, CreateButton, CreateEmbed, CreateEmbedFooter};

use crate::ids::Action;
use crate::safe::{clean, limits, truncate};

const GREEN: Colour = Colour::new(0x2e_a0_43);
const AMBER: Colour = Colour::new(0xd2_99_22);
const RED: Colour = Colour::new(0xcf_22_2e);
const BLUE: Colour = Colour::new(0x38_6f_d6);

pub(crate) use cuecard_coach::until as when;

/// Lines joined until the field is full; says how many did not fit.
fn field_lines(lines: &[String], max: usize) -> String {
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        let more = lines.len() - i;
        let tail = format!("\n… and {more} more");
        if out.chars().count() + line.chars().count() + 1 + tail.chars().count() > max {
            out.push_str(tail.trim_start_matches('\n'));
            return out;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
    }
    truncate(&out, max)
}

/// A question to answer, with who it is for in the footer.
pub fn question(card: &Card, heading: &str) -> CreateEmbed {
    CreateEmbed::new()
        .title(truncate(&card.question, limits::EMBED_TITLE))
        .description(format!(
            "**{heading}** · {}",
            card.topic.place(card.subtopic.as_deref())
        ))
        .colour(BLUE)
        .footer(CreateEmbedFooter::new(format!(
            "card {} · press Answer to reply privately",
            card.id
        )))
}

/// The Answer and Hint buttons of a question.
pub fn answer_buttons(card: &Card, occasion: Occasion) -> CreateActionRow {
    CreateActionRow::Buttons(vec![
        CreateButton::new(
            Action::Answer {
                card: card.id.clone(),
                occasion,
            }
            .encode(),
        )
        .label("Answer")
        .style(ButtonStyle::Primary),
        CreateButton::new(
            Action::Hint {
                card: card.id.clone(),
            }
            .encode(),
        )
        .label("Hint")
        .style(ButtonStyle::Secondary),
    ])
}

fn score_colour(score: f64, pass: f64) -> Colour {
    if score >= pass.max(0.85) {
        GREEN
    } else if score >= pass {
        AMBER
    } else {
        RED
    }
}

/// A grade, point by point, with the model answer.
pub fn grade(answered: &Answered, now: Timestamp, pass_mark: f64) -> CreateEmbed {
    let grade: &Grade = &answered.grade;
    let mut covered = Vec::new();
    let mut missed = Vec::new();
    for point in &grade.points {
        let evidence = if point.evidence.is_empty() {
            String::new()
        } else {
            let quoted: Vec<String> = point
                .evidence
                .iter()
                .map(|e| format!("“{}”", clean(e, 80)))
                .collect();
            format!(" — you said {}", quoted.join(", "))
        };
        match point.verdict {
            Verdict::Covered => covered.push(format!("✅ {}{evidence}", point.point)),
            Verdict::Partial => covered.push(format!("🟡 {} (partly){evidence}", point.point)),
            Verdict::Missing => missed.push(format!("❌ {}", point.point)),
        }
    }
    let mut embed = CreateEmbed::new()
        .title(format!("Score {:.0}%", grade.score * 100.0))
        .description(truncate(&answered.card.question, limits::EMBED_DESCRIPTION))
        .colour(score_colour(grade.score, pass_mark));
    if !covered.is_empty() {
        embed = embed.field(
            "What you covered",
            field_lines(&covered, limits::FIELD_VALUE),
            false,
        );
    }
    if !missed.is_empty() {
        embed = embed.field(
            "What you missed",
            field_lines(&missed, limits::FIELD_VALUE),
            false,
        );
    }
    let mut notes: Vec<String> = grade.remarks.iter().map(|r| clean(r, 300)).collect();
    if !answered.recorded {
        notes.push("You had already answered this; your first answer stands.".to_owned());
    }
    if !notes.is_empty() {
        embed = embed.field("Notes", field_lines(&notes, limits::FIELD_VALUE), false);
    }
    embed
        .field(
            "Model answer",
            truncate(&answered.card.answer, limits::FIELD_VALUE),
            false,
        )
        .footer(CreateEmbedFooter::new(format!(
            "{} · card {} · next review {}",
            cuecard_grade::grader_name(grade.grader),
            answered.card.id,
            when(answered.next_review, now)
        )))
}

/// A hint, or word that none is left.
pub fn hint(hint: Option<&cuecard_coach::Hint>) -> String {
    match hint {
        Some(hint) => format!(
            "**Hint {}/{}:** {}\n*Your score will keep {:.0}%.*",
            hint.number,
            hint.of,
            hint.point,
            hint.score_kept * 100.0
        ),
        None => "No more hints: every key point has been shown.".to_owned(),
    }
}

/// A card with its key points.
pub fn card(card: &Card) -> CreateEmbed {
    let points: Vec<String> = card
        .key_points
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{}. {p}", i + 1))
        .collect();
    CreateEmbed::new()
        .title(truncate(&card.question, limits::EMBED_TITLE))
        .description(card.topic.place(card.subtopic.as_deref()))
        .field("Key points", field_lines(&points, limits::FIELD_VALUE), false)
        .colour(BLUE)
        .footer(CreateEmbedFooter::new(format!("card {}", card.id)))
}

/// A note (any other part of the sheet).
pub fn note(note: &Note) -> CreateEmbed {
    CreateEmbed::new()
        .title(truncate(&note.title, limits::EMBED_TITLE))
        .description(truncate(
            &format!(
                "*{}*\n\n{}",
                note.topic.place(note.subtopic.as_deref()),
                note.body
            ),
            limits::EMBED_DESCRIPTION,
        ))
        .colour(BLUE)
        .footer(CreateEmbedFooter::new(format!("note {}", note.id)))
}

/// A leaderboard page. Users appear as mentions, which render as names and never ping inside
/// an embed.
pub fn leaderboard(title: &str, page: &LeaderboardPage) -> CreateEmbed {
    let lines: Vec<String> = page
        .entries
        .iter()
        .map(|s| {
            format!(
                "**{}.** <@{}> — {:.1} points · {} answer{} · {:.0}% average",
                s.rank,
                s.user,
                s.total,
                s.answers,
                if s.answers == 1 { "" } else { "s" },
                s.average * 100.0
            )
        })
        .collect();
    let body = if lines.is_empty() {
        "Nobody has answered yet in this period. Be the first: `/ask`.".to_owned()
    } else {
        field_lines(&lines, limits::EMBED_DESCRIPTION)
    };
    CreateEmbed::new()
        .title(truncate(title, limits::EMBED_TITLE))
        .description(body)
        .colour(AMBER)
        .footer(CreateEmbedFooter::new(format!("{} players", page.players)))
}

/// A user's progress.
pub fn stats(name: &str, stats: &Stats, streak: Option<&Streak>, now: Timestamp) -> CreateEmbed {
    let mut embed = CreateEmbed::new()
        .title(truncate(
            &format!("Progress of {}", clean(name, 64)),
            limits::EMBED_TITLE,
        ))
        .colour(BLUE)
        .field(
            "Answers",
            format!("{} ({} passed)", stats.answers, stats.passed),
            true,
        )
        .field("Average", format!("{:.0}%", stats.average * 100.0), true)
        .field(
            "Reviews",
            match stats.next_due {
                Some(next) if stats.due_now == 0 => {
                    format!("{} scheduled, next {}", stats.scheduled, when(next, now))
                }
                _ => format!("{} scheduled, {} due now", stats.scheduled, stats.due_now),
            },
            true,
        );
    if let Some(streak) = streak {
        embed = embed.field(
            "Daily streak",
            format!("{} (best {})", streak.current, streak.best),
            true,
        );
    }
    if !stats.topics.is_empty() {
        let lines: Vec<String> = stats
            .topics
            .iter()
            .map(|t| format!("{:.0}% · {} ({} answers)", t.average * 100.0, t.topic, t.answers))
            .collect();
        embed = embed.field(
            "By topic, weakest first",
            field_lines(&lines, limits::FIELD_VALUE),
            false,
        );
    }
    embed
}

/// The scorecard of a mock interview.
pub fn scorecard(card: &Scorecard) -> CreateEmbed {
    let topics: Vec<String> = card
        .topics
        .iter()
        .map(|t| format!("{:.0}% · {} ({})", t.average * 100.0, t.topic.name(), t.questions))
        .collect();
    let mut embed = CreateEmbed::new()
        .title(format!("Interview scorecard: {:.0}%", card.overall * 100.0))
        .colour(score_colour(card.overall, 0.6))
        .field(
            "By topic, weakest first",
            field_lines(&topics, limits::FIELD_VALUE),
            false,
        );
    if !card.weakest_points.is_empty() {
        let points: Vec<String> = card
            .weakest_points
            .iter()
            .map(|w| format!("❌ {} — *{}*", w.point, w.question))
            .collect();
        embed = embed.field(
            "Points you missed",
            field_lines(&points, limits::FIELD_VALUE),
            false,
        );
    }
    if !card.review_next.is_empty() {
        embed = embed.field(
            "Review next",
            format!(
                "{} question(s) are in your review schedule: `/review` when they fall due.",
                card.review_next.len()
            ),
            false,
        );
    }
    embed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_fit_a_field_and_say_what_was_left_out() {
        let lines: Vec<String> = (0..200)
            .map(|i| format!("line number {i} with some text"))
            .collect();
        let field = field_lines(&lines, limits::FIELD_VALUE);
        assert!(field.chars().count() <= limits::FIELD_VALUE);
        assert!(field.ends_with("more"), "{field}");
        assert_eq!(field_lines(&["a".into(), "b".into()], 100), "a\nb");
    }
}
