//! Lookups, draws and fetches over the bundled sheet, as a user would make them.

use cuecard_core::CardId;
use cuecard_index::{CardIndex, HitItem, IndexError, Search};
use rand::SeedableRng;
use rand::rngs::StdRng;

fn bundled_index() -> Result<CardIndex, IndexError> {
    let sheet = cuecard_sheet::bundled();
    CardIndex::in_ram(&sheet.cards, &sheet.notes)
}

fn top_titles(index: &CardIndex, query: &str, n: usize) -> Result<Vec<String>, IndexError> {
    let hits = index.search(
        query,
        &Search {
            limit: n,
            topic: None,
        },
    )?;
    Ok(hits
        .iter()
        .map(|h| {
            format!(
                "{} / {} / {}",
                h.topic().name(),
                h.subtopic().unwrap_or("-"),
                h.title
            )
        })
        .collect())
}

#[test]
fn route_53_canary_finds_the_canary_material() -> Result<(), IndexError> {
    let index = bundled_index()?;
    let top = top_titles(&index, "route 53 canary", 3)?;
    assert!(top.iter().any(|t| t.contains("Canary vs Route 53")), "{top:#?}");
    Ok(())
}

#[test]
fn a_typo_still_finds_pending_pods() -> Result<(), IndexError> {
    let index = bundled_index()?;
    let top = top_titles(&index, "kubernets pod pending", 3)?;
    assert!(top.iter().any(|t| t.contains("Pod stuck Pending?")), "{top:#?}");
    // A typo that no stemmer undoes.
    let top = top_titles(&index, "pod pnding", 3)?;
    assert!(top.iter().any(|t| t.contains("Pending")), "{top:#?}");
    Ok(())
}

#[test]
fn for_each_finds_the_gotcha() -> Result<(), IndexError> {
    let index = bundled_index()?;
    let top = top_titles(&index, "for_each", 3)?;
    assert!(top.iter().any(|t| t.contains("count and for_each")), "{top:#?}");
    Ok(())
}

#[test]
fn hits_carry_highlighted_snippets() -> Result<(), IndexError> {
    let index = bundled_index()?;
    let hits = index.search("state locking", &Search::default())?;
    let first = &hits[0];
    assert_eq!(first.title, "How do you manage Terraform state in a team?");
    assert!(!first.snippet.highlights.is_empty());
    let marked = first.snippet.marked("[", "]");
    assert!(marked.contains("[locking]"), "{marked}");
    Ok(())
}

#[test]
fn a_topic_filter_keeps_hits_inside_it() -> Result<(), IndexError> {
    let index = bundled_index()?;
    let hits = index.search(
        "state",
        &Search {
            limit: 20,
            topic: Some("terraform".into()),
        },
    )?;
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h.topic().slug() == "terraform"));
    let aws = index.search(
        "security",
        &Search {
            limit: 20,
            topic: Some("aws".into()),
        },
    )?;
    assert!(aws.iter().all(|h| h.topic().slug().starts_with("aws-")));
    assert!(aws.iter().any(|h| h.topic().slug() == "aws-networking"));
    Ok(())
}

#[test]
fn an_unknown_topic_lists_the_real_ones() -> Result<(), IndexError> {
    let index = bundled_index()?;
    let error = index
        .search(
            "state",
            &Search {
                limit: 5,
                topic: Some("cooking".into()),
            },
        )
        .unwrap_err();
    let message = error.to_string();
    assert!(message.contains("no topic matches \"cooking\""), "{message}");
    assert!(message.contains("terraform"), "{message}");
    Ok(())
}

#[test]
fn queries_without_words_find_nothing() -> Result<(), IndexError> {
    let index = bundled_index()?;
    for query in ["", "   ", "?!-", "\u{200b}", "zzzzzzzzzzqqq"] {
        assert!(index.search(query, &Search::default())?.is_empty(), "{query:?}");
    }
    Ok(())
}

#[test]
fn topics_come_in_sheet_order_with_counts() -> Result<(), IndexError> {
    let index = bundled_index()?;
    let with_cards: Vec<(&str, usize)> = index
        .topics()
        .iter()
        .filter(|t| t.cards > 0)
        .map(|t| (t.topic.slug(), t.cards))
        .collect();
    assert_eq!(with_cards[0], ("terraform", 14));
    assert_eq!(with_cards.len(), 11);
    assert_eq!(with_cards.iter().map(|t| t.1).sum::<usize>(), 69);
    Ok(())
}

#[test]
fn draw_respects_topic_and_avoids_recent_cards() -> Result<(), IndexError> {
    let index = bundled_index()?;
    let linux: Vec<CardId> = cuecard_sheet::bundled()
        .cards
        .into_iter()
        .filter(|c| c.topic.slug() == "linux")
        .map(|c| c.id)
        .collect();
    assert_eq!(linux.len(), 4);
    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..20 {
        let card = index.draw(Some("linux"), &linux[..3], &mut rng)?.unwrap();
        assert_eq!(card.id, linux[3], "the only card not asked recently");
    }
    // Every card recent: still a card, never nothing.
    let card = index.draw(Some("linux"), &linux, &mut rng)?.unwrap();
    assert!(linux.contains(&card.id));
    Ok(())
}

#[test]
fn draw_is_random_but_repeatable() -> Result<(), IndexError> {
    let index = bundled_index()?;
    let draws = |seed| -> Result<Vec<CardId>, IndexError> {
        let mut rng = StdRng::seed_from_u64(seed);
        (0..10)
            .map(|_| Ok(index.draw(None, &[], &mut rng)?.unwrap().id))
            .collect()
    };
    assert_eq!(draws(1)?, draws(1)?);
    let mut distinct = draws(1)?;
    distinct.sort();
    distinct.dedup();
    assert!(
        distinct.len() > 3,
        "ten draws of 69 cards should not repeat this much: {distinct:?}"
    );
    Ok(())
}

#[test]
fn cards_and_notes_come_back_by_id() -> Result<(), IndexError> {
    let sheet = cuecard_sheet::bundled();
    let index = CardIndex::in_ram(&sheet.cards, &sheet.notes)?;
    for card in &sheet.cards {
        assert_eq!(index.card(&card.id)?.as_ref(), Some(card));
    }
    let note = &sheet.notes[3];
    assert_eq!(index.by_id(note.id.as_str())?, Some(HitItem::Note(note.clone())));
    assert_eq!(index.card(&CardId::parse("000000000000").unwrap())?, None);
    Ok(())
}
