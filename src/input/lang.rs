//! The language a deck is written in: named by a manifest's `lang = "ja"` or by a primer
//! translation's file name (`README-ja.md`). Extraction words its questions in it (the cue-word
//! and template tables are in `extract::lang`); the input stage only names and finds it.

/// A language with its own cue-word and question-template table (see `extract::lang`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Lang {
    #[default]
    En,
    Ja,
    /// Simplified Chinese.
    ZhHans,
    /// Traditional Chinese.
    ZhHant,
}

impl Lang {
    /// Every language with a table, in the order `check` and the docs list them.
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Ja, Lang::ZhHans, Lang::ZhHant];

    /// A BCP 47 tag as people write it in file names and manifests ("ja", "zh-Hans", "zh_TW",
    /// "zh-CN", …; case does not matter) → its language, or `None` when no table covers it.
    pub fn from_code(code: &str) -> Option<Lang> {
        let code = code.trim().replace('_', "-").to_ascii_lowercase();
        Some(match code.as_str() {
            "en" | "en-us" | "en-gb" => Lang::En,
            "ja" | "ja-jp" => Lang::Ja,
            "zh" | "zh-hans" | "zh-cn" | "zh-sg" | "zh-hans-cn" => Lang::ZhHans,
            "zh-hant" | "zh-tw" | "zh-hk" | "zh-mo" | "zh-hant-tw" => Lang::ZhHant,
            _ => return None,
        })
    }

    /// The tag this crate writes: in tags, file names and messages.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
            Lang::ZhHans => "zh-Hans",
            Lang::ZhHant => "zh-Hant",
        }
    }

    /// The language's name in itself, as a deck name shows it: "System Design (日本語)".
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ja => "日本語",
            Lang::ZhHans => "简体中文",
            Lang::ZhHant => "繁體中文",
        }
    }

    /// Whether text in this language runs without spaces between words: lengths are then
    /// counted in characters, not words.
    pub fn is_cjk(self) -> bool {
        !matches!(self, Lang::En)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_the_way_people_write_them() {
        assert_eq!(Lang::from_code("ja"), Some(Lang::Ja));
        assert_eq!(Lang::from_code("zh-Hans"), Some(Lang::ZhHans));
        assert_eq!(Lang::from_code("zh_TW"), Some(Lang::ZhHant));
        assert_eq!(Lang::from_code("ZH-CN"), Some(Lang::ZhHans));
        assert_eq!(Lang::from_code("ko"), None);
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
    }
}
