//! Rule tests over small documents in our own words: what a rule makes, and what it must not.

use super::{Card, CardBody, ExtractOptions, Piece, Profile, extract, text::pieces_text};
use crate::document::{parse, plain_text};
use std::path::Path;

fn cards(markdown: &str, profile: Profile) -> Vec<Card> {
    let doc = parse(markdown, Path::new("notes.md")).expect("parses");
    extract(&doc, &ExtractOptions::new(profile)).0
}

/// The text of every deletion of a cloze card.
fn deletions(card: &Card) -> Vec<String> {
    let CardBody::Cloze { text, .. } = &card.body else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for piece in text {
        match piece {
            Piece::Cloze(_, inlines) => out.push(plain_text(inlines)),
            Piece::ClozeList(items) => out.extend(
                items
                    .iter()
                    .filter(|(n, _)| *n > 0)
                    .map(|(_, i)| plain_text(i)),
            ),
            _ => {}
        }
    }
    out
}

/// Front (or cloze text) and back of every card, as plain text.
fn faces(cards: &[Card]) -> Vec<(String, String)> {
    cards
        .iter()
        .map(|c| match &c.body {
            CardBody::Basic { front, back } => (pieces_text(front), pieces_text(back)),
            CardBody::Cloze { text, extra } => (pieces_text(text), pieces_text(extra)),
        })
        .collect()
}

#[test]
fn a_size_breakdown_asks_for_its_total() {
    let md = "# Design a ledger\n\n## Step 1: Outline use cases and constraints\n\n\
              ### Calculate usage\n\n* Size per entry:\n    * `entry_id` - 8 bytes\n    \
              * `posted_at` - 5 bytes\n    * `memo` - 40 bytes\n    * Total: ~53 bytes\n";
    let made = cards(md, Profile::Exercise);
    let faces = faces(&made);
    let breakdown: Vec<_> = made.iter().filter(|c| c.rule == "size-breakdown").collect();
    assert_eq!(breakdown.len(), 1, "{faces:#?}");
    assert!(
        faces.iter().any(
            |(f, b)| f.contains("Size per entry — about how much in total?")
                && b.contains("~53 bytes")
                && b.contains("posted_at")
        ),
        "{faces:#?}"
    );
    // No card asks which field takes 5 bytes.
    assert!(
        !made
            .iter()
            .any(|c| deletions(c).iter().any(|d| d.contains("bytes"))),
        "{faces:#?}"
    );
}

#[test]
fn parts_without_a_total_make_no_card() {
    let md = "# Design a ledger\n\n## Step 1: Outline use cases and constraints\n\n\
              ### Calculate usage\n\n* Size per entry:\n    * `entry_id` - 8 bytes\n    \
              * `posted_at` - 5 bytes\n";
    let made = cards(md, Profile::Exercise);
    assert!(
        !faces(&made)
            .iter()
            .any(|(f, _)| f.contains("Size per entry")),
        "{:#?}",
        faces(&made)
    );
}

#[test]
fn a_run_of_code_examples_is_not_deleted() {
    let md = "# Indexes\n\nAn index speeds up lookups.\n\n\
              Clauses that filter or sort (`WHERE`, `ORDER BY`, `GROUP BY`) gain from an **index**.\n";
    let made = cards(md, Profile::Topics);
    let card = made
        .iter()
        .find(|c| c.item.contains("Clauses that filter"))
        .expect("the sentence keeps its key-term card");
    assert_eq!(deletions(card), vec!["index".to_string()]);
}

#[test]
fn a_term_whose_words_stand_in_the_title_is_not_asked() {
    let md = "# Picking a store\n\n## Begin with Postgres, weigh Redis\n\n\
              We begin with one database.\n\n* Weigh the reasons for **Postgres or Redis**\n";
    let made = cards(md, Profile::Topics);
    assert!(
        !made
            .iter()
            .any(|c| deletions(c).contains(&"Postgres or Redis".to_string())),
        "{:#?}",
        faces(&made)
    );
}

#[test]
fn a_lone_remark_under_a_label_never_answers_the_section_question() {
    let md = "# Design a shop\n\n## Step 3: Design core components\n\n### Begin on one server\n\n\
              * **Web server** on one machine\n\nGrow it first:\n\n* Buy a larger machine\n\
              * Watch its metrics\n\n*Trade-offs, alternatives, and additional details:*\n\n\
              * Past one server, the step after **scaling up** is **scaling out** to several.\n";
    let made = cards(md, Profile::Exercise);
    // Its key terms may be asked in the sentence; no basic card has it as its answer.
    assert!(
        !made
            .iter()
            .any(|c| matches!(&c.body, CardBody::Basic { back, .. }
            if pieces_text(back).contains("scaling out"))),
        "{:#?}",
        faces(&made)
    );
}

#[test]
fn a_design_with_many_components_is_one_sketch_card() {
    let names = [
        "Gateway",
        "Order API",
        "Stock API",
        "Payment API",
        "Ledger Service",
        "Search Service",
        "Mail Service",
        "Queue",
        "Memory Cache",
        "Object Store",
    ];
    let mut md = String::from(
        "# Design a shop\n\n## Step 2: Create a high level design\n\nSketch it.\n\n\
         ## Step 3: Design core components\n\n",
    );
    for name in names {
        md.push_str(&format!("The **{name}** does its part.\n\n"));
    }
    let made = cards(&md, Profile::Exercise);
    let design: Vec<_> = made
        .iter()
        .filter(|c| c.rule == "high-level-design" || c.rule == "design-components")
        .collect();
    assert_eq!(design.len(), 1);
    assert_eq!(design[0].rule, "high-level-design");
    let CardBody::Basic { front, back } = &design[0].body else {
        panic!("a sketch card is basic");
    };
    assert!(pieces_text(front).contains("which 10 components"));
    assert!(pieces_text(back).contains("Ledger Service"));
}

#[test]
fn a_labelled_figure_deletes_the_figure_only() {
    let md = "# Design a shed\n\n## Constraints and assumptions\n\n\
              * Traffic is uneven.\n* Users: 10 million.\n* Reads: about 400 requests per second.\n\
              * Metadata: 7-byte key, 4-byte expiry.\n";
    let cards = cards(md, Profile::Exercise);
    let all: Vec<String> = cards.iter().flat_map(deletions).collect();
    assert!(all.contains(&"10 million".to_string()), "{all:?}");
    assert!(all.contains(&"400".to_string()), "{all:?}");
    assert!(
        !all.iter().any(|d| d == "7" || d == "10 million."),
        "{all:?}"
    );
}

#[test]
fn a_remark_among_fragments_is_not_deleted() {
    let md = "# Design a shed\n\n## Step 4\n\n\
              * Move the following data to a cache:\n    * Frequently read rows\n    * Session data\n    \
              * Reading 1 MB from memory takes about 250 microseconds, while reading it from disk takes eighty times longer.\n";
    let cards = cards(md, Profile::Exercise);
    let all: Vec<String> = cards.iter().flat_map(deletions).collect();
    assert!(all.iter().any(|d| d == "Session data"), "{all:?}");
    assert!(
        !all.iter().any(|d| d.starts_with("Reading 1 MB")),
        "{all:?}"
    );
}

#[test]
fn a_lone_out_of_scope_item_is_asked_as_out_of_scope() {
    let md = "# Design a shed\n\n## Out of scope\n\n* The shed logs every visit\n";
    let cards = cards(md, Profile::Exercise);
    let fronts: Vec<(String, String)> = faces(&cards);
    assert!(
        fronts
            .iter()
            .any(|(q, _)| q.ends_with("what is out of scope?")),
        "{fronts:?}"
    );
}

/// The fronts of [`ja_cards`].
fn ja_fronts(markdown: &str) -> Vec<String> {
    faces(&ja_cards(markdown))
        .into_iter()
        .map(|(front, _)| front)
        .collect()
}

fn ja_cards(markdown: &str) -> Vec<Card> {
    let doc = parse(markdown, Path::new("notes.md")).expect("parses");
    let options = ExtractOptions {
        profile: Profile::Topics,
        lang: super::Lang::Ja,
    };
    extract(&doc, &options).0
}

#[test]
fn a_japanese_summary_is_cut_as_short_as_an_english_one_says() {
    // Four sentences of about 60 CJK characters each: each says about what 120 English
    // characters do, so the 300-character answer keeps two of them, not all four.
    let sentence = "分散キャッシュは複数のノードにデータを置き読み取りの負荷を分けるための仕組みでありノードを足すほど容量も増えていきます。";
    let markdown =
        format!("# 設計\n\n## 分散キャッシュ\n\n{sentence}{sentence}\n{sentence}{sentence}\n");
    let cards = ja_cards(&markdown);
    let (front, back) = faces(&cards)[0].clone();
    assert!(front.contains("分散キャッシュ"), "{front}");
    assert_eq!(back.matches('。').count(), 2, "{back}");
}

#[test]
fn a_japanese_sentence_ends_at_a_line_break_after_its_full_stop() {
    // The second sentence, after a soft line break, is its own key-term card, not glued to
    // the first.
    let long = "分散キャッシュは複数のノードにデータを置き読み取りの負荷を分けるための仕組みでありノードを足すほど容量も増えていきます。";
    let markdown = format!(
        "# 設計\n\n## 再試行\n\n{long}{long}{long}\nキューが一杯になると、クライアントは混雑を示す応答を受け取ります。\nクライアントは **指数バックオフ** で後から再試行できます。\n"
    );
    let cards = ja_cards(&markdown);
    let keyterm = cards
        .iter()
        .find(|c| deletions(c) == ["指数バックオフ"])
        .expect("a key-term card");
    let (text, _) = faces(std::slice::from_ref(keyterm))[0].clone();
    assert!(!text.contains("キューが一杯"), "{text}");
}

#[test]
fn a_link_to_a_section_to_work_through_is_no_term() {
    let markdown = "# Guide\n\n## Practice\n\nPractice makes the steps stick.\n\nTo learn the steps, work through the [worked examples](#worked-examples) section, then read about [eventual consistency](#eventual-consistency) in **depth**.\n\n## Worked examples\n\nExamples follow.\n\n## Eventual consistency\n\nReads catch up later.\n";
    let all: Vec<String> = cards(markdown, Profile::Topics)
        .iter()
        .flat_map(deletions)
        .collect();
    assert!(!all.iter().any(|d| d == "worked examples"), "{all:?}");
    // Outside such a sentence, a link to a section is a term as before.
    let markdown = "# Guide\n\n## Stores\n\nStores vary.\n\nMost stores offer [eventual consistency](#eventual-consistency) by default.\n\n## Eventual consistency\n\nReads catch up later.\n";
    let all: Vec<String> = cards(markdown, Profile::Topics)
        .iter()
        .flat_map(deletions)
        .collect();
    assert!(all.iter().any(|d| d == "eventual consistency"), "{all:?}");
}

#[test]
fn a_japanese_question_keeps_the_case_of_an_english_term_in_its_title() {
    let markdown = "# 負荷分散\n\n## Layer 7 ロードバランシング\n\nアプリケーション層の内容を見て配分を決めます。\n";
    let fronts = ja_fronts(markdown);
    assert!(
        fronts
            .iter()
            .any(|f| f.contains("Layer 7 ロードバランシング")),
        "{fronts:?}"
    );
    assert!(!fronts.iter().any(|f| f.contains("layer 7")), "{fronts:?}");
}

#[test]
fn a_japanese_table_cell_is_asked_in_japanese() {
    let markdown = "# 通信\n\n## メソッド\n\nメソッドの性質。\n\n| 動詞 | 説明 | 冪等 |\n|---|---|---|\n| GET | リソースを読み取る | あり |\n| POST | リソースを作成する | なし |\n";
    let fronts = ja_fronts(markdown);
    assert!(
        fronts.iter().any(|f| f.ends_with("GETの冪等は何ですか？")),
        "{fronts:?}"
    );
    assert!(!fronts.iter().any(|f| f.contains(" — ")), "{fronts:?}");
}

#[test]
fn a_japanese_code_table_is_asked_in_japanese() {
    // The headers are the source's (here English, as the primer's translations keep them).
    let markdown = "# 台所\n\n## 缶の大きさ\n\n```\nTin     Grams       Cups\n--------------------------\nS          50\nM         125       1 cup\nL         250       2 cups\n```\n";
    let fronts = ja_fronts(markdown);
    assert!(
        fronts
            .iter()
            .any(|f| f.ends_with("Tin Mのgramsは何ですか？")),
        "{fronts:?}"
    );
    assert!(!fronts.iter().any(|f| f.contains(" — ")), "{fronts:?}");
}

#[test]
fn a_yes_no_column_is_asked_once_as_the_rows_that_say_yes() {
    let md = "# Notes\n\n## Teas\n\n| Tea | Origin | Fermented | Smoked |\n|---|---|---|---|\n\
              | Sencha | Japan | No | No |\n| Pu-erh | China | Yes | No |\n\
              | Lapsang | China | Yes if aged | Yes |\n";
    let faces = faces(&cards(md, Profile::Topics));
    // The origin is asked per row; each yes/no column once, with what qualifies a yes.
    assert!(
        faces.contains(&("Teas: Tea Sencha — Origin?".into(), "Japan".into())),
        "{faces:?}"
    );
    assert!(
        faces
            .iter()
            .any(|(f, b)| f == "Teas: which teas are fermented? (2 items)"
                && b.contains("Pu-erh")
                && b.contains("Lapsang (if aged)")),
        "{faces:?}"
    );
    assert!(
        faces
            .iter()
            .any(|(f, b)| f == "Teas: which teas are smoked?" && b.contains("Lapsang")),
        "{faces:?}"
    );
    // No card answers one bit.
    assert!(
        !faces.iter().any(|(_, b)| b == "Yes" || b == "No"),
        "{faces:?}"
    );
}

#[test]
fn a_link_to_the_index_is_no_term_to_recall() {
    let md = "# Notes\n\n## Index\n\n* [Teas](#teas)\n\n## Teas\n\nTea is steeped leaves.\n\n\
              Choose a pot using [the guide to pots](#index), or a **gaiwan**.\n";
    let cards = cards(md, Profile::Topics);
    let all: Vec<String> = cards.iter().flat_map(deletions).collect();
    assert!(all.contains(&"gaiwan".to_string()), "{all:?}");
    assert!(!all.iter().any(|d| d.contains("guide")), "{all:?}");
}

#[test]
fn a_generic_section_under_a_files_one_title_is_asked_with_that_title() {
    // A notes file's one `# Title` is its topic: "Disadvantages" right under it is the
    // topic's, and a question that names neither cannot be answered.
    let found = cards(
        "# Message queues\n\nA queue holds work for later.\n\n## Disadvantages\n\n\
         - Another part to run\n- No order across partitions\n",
        Profile::Topics,
    );
    let faces = faces(&found);
    let list = faces
        .iter()
        .find(|(front, _)| front.contains("disadvantages"))
        .unwrap_or_else(|| panic!("{faces:?}"));
    assert!(list.0.starts_with("Message queues"), "{faces:?}");
}
