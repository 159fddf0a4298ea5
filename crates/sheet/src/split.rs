//! The key-point splitter: one cell of prose into the atomic points a grader checks one by one.
//!
//! Cheat sheets write key points as terse prose: "Remote backend (S3 + `DynamoDB`), state
//! locking, encryption at rest". The rules, in order:
//! - numbered steps ("1) … 2) …") are one point each, whatever they contain;
//! - otherwise the text splits into sentences, then at commas, semicolons and arrows;
//! - nothing splits inside parentheses, brackets, braces, quotes or inline code;
//! - a sentence that opens with a short "Subject:" (or "Subject =") label hands that subject to
//!   each of its points, so "SG: stateful, instance-level. NACL: stateless" says which is which;
//! - a leading "or", "and", "plus" or "then" left over from a list is dropped.

use cuecard_core::KeyPoint;

/// Longest label, in words, taken as the subject of a comparison ("Transit Gateway:").
const MAX_SUBJECT_WORDS: usize = 3;

/// Splits a key-points text into atomic points.
///
/// ```
/// use cuecard_sheet::split_key_points;
/// let points = split_key_points("Remote backend (S3 + DynamoDB), state locking, encryption at rest, versioning enabled");
/// assert_eq!(points.len(), 4);
/// assert_eq!(points[0].body, "Remote backend (S3 + DynamoDB)");
/// ```
#[must_use]
pub fn split_key_points(text: &str) -> Vec<KeyPoint> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let steps = numbered_steps(&text);
    if steps.len() >= 2 {
        return steps
            .into_iter()
            .filter_map(|s| clean(s).map(KeyPoint::new))
            .collect();
    }
    let mut points = Vec::new();
    for sentence in split_top_level(&text, Boundary::Sentence) {
        let (subject, rest) = subject_of(sentence);
        for piece in split_top_level(rest, Boundary::Clause) {
            if let Some(body) = clean(piece) {
                points.push(KeyPoint {
                    subject: subject.map(str::to_owned),
                    body: body.to_owned(),
                });
            }
        }
    }
    points
}

#[derive(Clone, Copy, PartialEq)]
enum Boundary {
    Sentence,
    Clause,
}

/// Byte offsets where nesting (brackets, quotes, code) is closed, paired with each char.
fn top_level_chars(text: &str) -> impl Iterator<Item = (usize, char, bool)> + '_ {
    let mut depth = 0_usize;
    let mut in_code = false;
    let mut in_quote = false;
    text.char_indices().map(move |(i, c)| {
        let top = depth == 0 && !in_code && !in_quote;
        match c {
            '`' => in_code = !in_code,
            '"' if !in_code => in_quote = !in_quote,
            '(' | '[' | '{' if !in_code && !in_quote => depth += 1,
            ')' | ']' | '}' if !in_code && !in_quote => depth = depth.saturating_sub(1),
            _ => {}
        }
        (i, c, top)
    })
}

/// Words after which a period does not end a sentence.
fn ends_with_abbreviation(before: &str) -> bool {
    let word = before.rsplit(' ').next().unwrap_or("").to_ascii_lowercase();
    matches!(
        word.as_str(),
        "e.g" | "i.e" | "etc" | "vs" | "eg" | "ie" | "approx" | "incl"
    )
}

fn split_top_level(text: &str, boundary: Boundary) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    for (i, c, top) in top_level_chars(text) {
        if !top {
            continue;
        }
        let next = text[i + c.len_utf8()..].chars().next();
        let split_here = match (boundary, c) {
            (Boundary::Sentence, '.' | '?' | '!') => {
                next.is_none_or(char::is_whitespace) && !ends_with_abbreviation(&text[start..i])
            }
            (Boundary::Clause, ',' | ';' | '→') => true,
            _ => false,
        };
        if split_here {
            pieces.push(&text[start..i]);
            start = i + c.len_utf8();
        }
    }
    pieces.push(&text[start..]);
    pieces
}

/// Where "1)", "2)", … (or "(1)", "(2)", …) start steps, counting up from 1.
fn numbered_steps(text: &str) -> Vec<&str> {
    let mut marks = Vec::new(); // (start of marker, end of marker)
    let mut expected = 1;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let at_word_start = i == 0 || bytes[i - 1] == b' ';
        if at_word_start {
            let open = usize::from(bytes[i] == b'(');
            let digits_end = (i + open..bytes.len())
                .find(|&j| !bytes[j].is_ascii_digit())
                .unwrap_or(bytes.len());
            if digits_end > i + open
                && bytes.get(digits_end) == Some(&b')')
                && text[i + open..digits_end].parse::<usize>() == Ok(expected)
            {
                marks.push((i, digits_end + 1));
                expected += 1;
                i = digits_end + 1;
                continue;
            }
        }
        i += 1;
    }
    if marks.len() < 2 {
        return Vec::new();
    }
    let mut steps = Vec::new();
    // Text before "1)" is an introduction ("Options: 1) …"), kept as its own point.
    steps.push(&text[..marks[0].0]);
    for (k, &(_, end)) in marks.iter().enumerate() {
        let stop = marks.get(k + 1).map_or(text.len(), |m| m.0);
        steps.push(&text[end..stop]);
    }
    steps
}

/// Splits "Subject: rest" (or "Subject = rest") when the subject is a short label.
fn subject_of(sentence: &str) -> (Option<&str>, &str) {
    let sentence = sentence.trim();
    for (i, c, top) in top_level_chars(sentence) {
        if !top {
            continue;
        }
        let separator = match c {
            ':' => sentence[i + 1..].starts_with(' '),
            '=' => sentence[..i].ends_with(' ') && sentence[i + 1..].starts_with(' '),
            _ => false,
        };
        if separator {
            let label = sentence[..i].trim();
            let words = label.split_whitespace().count();
            let is_label = (1..=MAX_SUBJECT_WORDS).contains(&words)
                && !label.contains('`')
                && label.chars().any(char::is_alphanumeric);
            if is_label {
                return (Some(label), &sentence[i + 1..]);
            }
            return (None, sentence);
        }
        // A subject comes first: once a clause boundary passes, there is none.
        if matches!(c, ',' | ';') {
            break;
        }
    }
    (None, sentence)
}

/// Trims a piece and drops list glue; `None` when nothing meaningful is left.
fn clean(piece: &str) -> Option<&str> {
    let mut piece = piece.trim().trim_end_matches(['.', ',', ';']).trim();
    for glue in [
        "or ", "OR ", "Or ", "and ", "And ", "plus ", "Plus ", "then ", "Then ",
    ] {
        if let Some(rest) = piece.strip_prefix(glue) {
            piece = rest.trim_start();
            break;
        }
    }
    piece.chars().any(char::is_alphanumeric).then_some(piece)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str) -> Vec<String> {
        split_key_points(text).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn commas_split_but_not_inside_parentheses() {
        assert_eq!(
            shown("Remote backend (S3 + DynamoDB), state locking, encryption at rest, versioning enabled"),
            [
                "Remote backend (S3 + DynamoDB)",
                "state locking",
                "encryption at rest",
                "versioning enabled"
            ]
        );
        assert_eq!(
            shown("Resource = create/manage. Data source = read existing (lookup AMI, existing VPC, etc.)"),
            [
                "Resource: create/manage",
                "Data source: read existing (lookup AMI, existing VPC, etc.)"
            ]
        );
    }

    #[test]
    fn comparison_points_keep_their_subject() {
        let points = split_key_points(
            "SG: stateful, instance-level, allow-only. NACL: stateless, subnet-level, allow+deny, numbered rules",
        );
        assert_eq!(points.len(), 7);
        assert_eq!(points[0], KeyPoint::about("SG", "stateful"));
        assert_eq!(points[2], KeyPoint::about("SG", "allow-only"));
        assert_eq!(points[3], KeyPoint::about("NACL", "stateless"));
        assert_eq!(points[6], KeyPoint::about("NACL", "numbered rules"));
    }

    #[test]
    fn numbered_steps_split_whole() {
        assert_eq!(
            shown(
                "1) Write the resource block first 2) terraform import aws_instance.example i-1234567890 3) Run plan to verify, adjust config until no changes"
            ),
            [
                "Write the resource block first",
                "terraform import aws_instance.example i-1234567890",
                "Run plan to verify, adjust config until no changes"
            ]
        );
        assert_eq!(
            shown(
                "1) `describe pod` check Events 2) Check node resources 3) PVC bound? 4) Taints/selectors?"
            ),
            [
                "`describe pod` check Events",
                "Check node resources",
                "PVC bound?",
                "Taints/selectors?"
            ]
        );
    }

    #[test]
    fn code_and_versions_do_not_split() {
        assert_eq!(
            shown("`desiredReplicas = ceil[currentReplicas * (currentMetric / targetMetric)]`"),
            ["`desiredReplicas = ceil[currentReplicas * (currentMetric / targetMetric)]`"]
        );
        assert_eq!(
            shown("`terraform state mv`, `terraform state rm` + `import`, or `moved` blocks (v1.1+)"),
            [
                "`terraform state mv`",
                "`terraform state rm` + `import`",
                "`moved` blocks (v1.1+)"
            ]
        );
        assert_eq!(
            shown("Multi-AZ (99.99%), multi-region for DR. No single points of failure. Auto-recovery"),
            [
                "Multi-AZ (99.99%)",
                "multi-region for DR",
                "No single points of failure",
                "Auto-recovery"
            ]
        );
    }

    #[test]
    fn arrows_and_glue_words() {
        assert_eq!(
            shown("Workspaces, OR separate directories with shared modules, OR Terragrunt"),
            [
                "Workspaces",
                "separate directories with shared modules",
                "Terragrunt"
            ]
        );
        assert_eq!(
            shown("Detect → Triage → Mitigate"),
            ["Detect", "Triage", "Mitigate"]
        );
    }

    #[test]
    fn long_labels_are_not_subjects() {
        let points = split_key_points("Pin versions in production: `version = \"~> 2.0\"`");
        assert_eq!(
            points,
            [KeyPoint::new(
                "Pin versions in production: `version = \"~> 2.0\"`"
            )]
        );
    }

    #[test]
    fn nothing_to_split_gives_nothing() {
        assert!(split_key_points("").is_empty());
        assert!(split_key_points(" - , . ; ").is_empty());
        assert_eq!(shown("unbalanced ( paren, here"), ["unbalanced ( paren, here"]);
    }
}
