//! Prints what cuecard reads from a sheet: each card with its split key points, then each note.
//!
//! `cargo run -p cuecard-sheet --example dump -- path/to/sheet.md` (the bundled sheet without a path).

fn main() {
    let sheet = match std::env::args().nth(1) {
        Some(path) => match cuecard_sheet::load(std::path::Path::new(&path)) {
            Ok(sheet) => sheet,
            Err(error) => {
                eprintln!("{error}");
                std::process::exit(1);
            }
        },
        None => cuecard_sheet::bundled(),
    };
    for card in &sheet.cards {
        println!(
            "[{}] {} / {} (line {})",
            card.id,
            card.topic.name(),
            card.subtopic.as_deref().unwrap_or("-"),
            card.line
        );
        println!("  Q: {}", card.question);
        for point in &card.key_points {
            println!("   - {point}");
        }
    }
    for note in &sheet.notes {
        println!(
            "NOTE [{}] {} / {} :: {} (line {})",
            note.id,
            note.topic.name(),
            note.subtopic.as_deref().unwrap_or("-"),
            note.title,
            note.line
        );
        println!(
            "{}",
            note.body
                .lines()
                .take(3)
                .map(|l| format!("    {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    for warning in &sheet.warnings {
        println!(
            "{}",
            cuecard_sheet::Located {
                file: "bundled",
                problem: warning
            }
        );
    }
}
