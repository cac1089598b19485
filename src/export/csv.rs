//! Anki's text-import format (<https://docs.ankiweb.net/importing/text-files.html>).
//!
//! ```text
//! (columns are separated by tabs; shown here as two spaces)
//! #separator:tab
//! #html:true
//! #notetype column:1
//! #deck column:2
//! #guid column:3
//! #tags column:4
//! #columns:Notetype  Deck  GUID  Tags  Question / Text  Answer / Back Extra  …
//! primer-anki Basic  Deck::Name  pa3k…  tag::a  "<b>Q</b>"  "A"  …
//! ```
//!
//! Fields follow in note type order (both our types have six, in the same roles). Every field
//! is quoted, with `"` doubled, so tabs, newlines and quotes in HTML survive. Anki matches an
//! imported row to an existing note by the GUID column and updates it in place.

use crate::package::model::Package;

/// The CSV text of one package.
pub fn to_csv(package: &Package) -> String {
    let mut out = String::new();
    out.push_str("#separator:tab\n#html:true\n");
    out.push_str("#notetype column:1\n#deck column:2\n#guid column:3\n#tags column:4\n");
    let field_count = package
        .notetypes
        .iter()
        .map(|nt| nt.fields.len())
        .max()
        .unwrap_or(0);
    let mut labels = vec![
        "Notetype".to_string(),
        "Deck".into(),
        "GUID".into(),
        "Tags".into(),
    ];
    for index in 0..field_count {
        let mut names: Vec<&str> = Vec::new();
        for nt in &package.notetypes {
            if let Some(f) = nt.fields.get(index)
                && !names.contains(&f.name.as_str())
            {
                names.push(&f.name);
            }
        }
        labels.push(names.join(" / "));
    }
    out.push_str("#columns:");
    out.push_str(
        &labels
            .iter()
            .map(|l| l.replace(['\t', '\n'], " "))
            .collect::<Vec<_>>()
            .join("\t"),
    );
    out.push('\n');
    for note in &package.notes {
        let notetype = package
            .notetypes
            .iter()
            .find(|nt| nt.id == note.notetype_id)
            .map_or("", |nt| nt.name.as_str());
        let deck_id = note.cards.first().map(|c| c.deck_id);
        let deck = package
            .decks
            .iter()
            .find(|d| Some(d.id) == deck_id)
            .or(package.decks.first())
            .map_or("", |d| d.name.as_str());
        let mut row = vec![
            quote(notetype),
            quote(deck),
            quote(&note.guid),
            quote(&note.tags.join(" ")),
        ];
        row.extend(note.fields.iter().map(|f| quote(f)));
        out.push_str(&row.join("\t"));
        out.push('\n');
    }
    out
}

fn quote(field: &str) -> String {
    format!("\"{}\"", field.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_everything() {
        assert_eq!(quote("a\t\"b\"\nc"), "\"a\t\"\"b\"\"\nc\"");
    }
}
