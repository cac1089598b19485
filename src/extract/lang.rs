//! One table of cue words and question templates per language.
//!
//! Cue words (reading-list titles, Q/A markers, generic titles such as "Disadvantages") are
//! *recognised* in every language, whatever the deck's language: a Japanese page that quotes an
//! English heading is read right, and detection never depends on the manifest being right.
//! Question templates are *written* in the deck's language only, so a Japanese deck asks in
//! Japanese.
//!
//! Adding a language is adding a table: a [`Lang`] variant (input/lang.rs: its code and name)
//! and a [`Words`] constant here, returned by [`words`]. docs/extraction.md says the same.

use super::Lang;

/// The words a language's rules look for and the questions they write. Templates hold
/// `{n}` (a count), `{noun}` (what is counted) or `{x}` (a term or text), filled by [`fill`].
#[derive(Debug)]
pub struct Words {
    /// Titles of further-reading sections (normalised prefixes: see `normalize_key`).
    pub reading_titles: &'static [&'static str],
    /// Markers that open the question and the answer of a Q/A pair.
    pub question_markers: &'static [&'static str],
    pub answer_markers: &'static [&'static str],
    /// Titles of sections about the project rather than the topic (motivation, contributing,
    /// credits, contact, license) and of the primer's study guide and indexes: a hint beside
    /// the structural navigation test (see `navigation`). Compared normalised.
    pub navigation: &'static [&'static str],
    /// Titles that say nothing alone and are qualified by their parent (normalised).
    pub generic_titles: &'static [&'static str],
    /// Asks for a section's topic (singular, plural), for what an activity involves, for the key
    /// idea of a comparison, for the key point of a generic section.
    pub what_is_it: &'static str,
    pub what_are_they: &'static str,
    pub what_does_it_involve: &'static str,
    pub key_idea: &'static str,
    pub key_point: &'static str,
    /// A list asked as a whole.
    pub name_n: &'static str,
    pub name_n_noun: &'static str,
    pub what_is_the_noun: &'static str,
    /// The count shown on a list cloze.
    pub n_items: &'static str,
    pub part_of: &'static str,
    /// A one-line formula.
    pub formula: &'static str,
    /// Definitions: the term asked for its meaning, and the reverse. These four go around
    /// the term or text they ask about: (before, after).
    pub what_is_meant_by: (&'static str, &'static str),
    pub which_term_means: (&'static str, &'static str),
    /// Tables: the key of a row asked by its one value, and the reverse.
    pub what_is_x: (&'static str, &'static str),
    pub which_one_is: (&'static str, &'static str),
    /// Sentences that give a topic another name, the name standing at `{x}` (see `aliases`).
    pub also_called: &'static [&'static str],
    /// Sentences that say where a topic works well, the place standing at `{x}`.
    pub works_well: &'static [&'static str],
    /// Asks where the section's topic works well.
    pub where_it_works_well: &'static str,
    /// Sentences that say what a topic is used for, the use standing at `{x}`.
    pub used_for: &'static [&'static str],
    /// Asks what the section's topic is used for.
    pub what_is_it_used_for: &'static str,
    /// Asks for another name of the section's topic.
    pub what_else_called: &'static str,
    /// Sentences that state one fact about a thing they name, and the question that asks for
    /// it: `{a}` is the thing and `{b}` what is said of it (the question repeats both), `{x}`
    /// the fact (the answer). Asked in the deck's language only (see `facts`).
    pub facts: &'static [(&'static str, &'static str)],
    /// Asks for a property of the topic that a label names ("abstraction"): (before, after).
    pub what_is_its: (&'static str, &'static str),
    /// Separates a subject from what is asked about it (": " in English).
    pub colon: &'static str,
    /// Ends a question ("?").
    pub question_mark: &'static str,
    /// A table cell asked by its row and column, when a row has several: what goes between
    /// the row's key and the column's header, and after the header (" — ", "?": "Verb GET —
    /// Idempotent?"; "的", "是什么？": "动词 GET的幂等是什么？").
    pub row_column: (&'static str, &'static str),
    /// A yes/no column of a table asked as a whole: which rows (`{key}`, the key column's
    /// header) say yes (`{yes}`, the table's own word) in column `{col}` ("which verbs are
    /// idempotent?").
    pub which_say_yes: &'static str,
    /// Words that offer samples ("for example", "sample"), found anywhere in a CJK intro; an
    /// intro with one introduces an example list (see `scaffolding::is_example_intro`, which
    /// matches the English ones as whole words itself).
    pub example_cues: &'static [&'static str],
    /// Words that point at what follows ("the following"): a question with one is a lead-in
    /// (see `scaffolding::is_lead_in`, which knows the English ones).
    pub following_cues: &'static [&'static str],
    /// Words that call a link's target a section of the text ("work through the \[X\] section"):
    /// such a link is a pointer to read on, not a term to recall (see `keyterms`).
    pub section: &'static [&'static str],
}

/// The table of `lang`.
pub fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::Ja => &JA,
        Lang::ZhHans => &ZH_HANS,
        Lang::ZhHant => &ZH_HANT,
    }
}

impl Words {
    /// The count shown on a list cloze: " (3 items)".
    pub fn items(&self, n: usize) -> String {
        fill(self.n_items, &[("n", &n.to_string())])
    }

    /// Which part of a list split over several clozes: " (part 2 of 3)".
    pub fn part(&self, k: usize, of: usize) -> String {
        fill(
            self.part_of,
            &[("n", &k.to_string()), ("x", &of.to_string())],
        )
    }

    /// Asks for the `n` items of a list, named by `noun` when there is one.
    pub fn name(&self, n: usize, noun: Option<&str>) -> String {
        let n = n.to_string();
        match noun {
            Some(noun) => fill(self.name_n_noun, &[("n", &n), ("noun", noun)]),
            None => fill(self.name_n, &[("n", &n)]),
        }
    }
}

/// Every table, for recognising cue words whatever the deck's language.
pub fn all() -> impl Iterator<Item = &'static Words> {
    Lang::ALL.into_iter().map(words)
}

/// `template` with each `{name}` replaced by its value.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

const EN: Words = Words {
    reading_titles: &[
        "sources and further reading",
        "source and further reading",
        "further reading",
        "references",
    ],
    navigation: &[
        "motivation",
        "anki flashcards",
        "contributing",
        "index of system design topics",
        "index",
        "table of contents",
        "contents",
        "study guide",
        "system design interview questions with solutions",
        "objectoriented design interview questions with solutions",
        "system design topics start here",
        "under development",
        "credits",
        "contact info",
        "license",
    ],
    question_markers: &["Q:"],
    answer_markers: &["A:"],
    generic_titles: &[
        "advantages",
        "disadvantages",
        "disadvantage",
        "pros",
        "cons",
    ],
    what_is_it: ": what is it?",
    what_are_they: ": what are they?",
    what_does_it_involve: ": what does it involve?",
    key_idea: ": what is the key idea?",
    key_point: ": what is the key point?",
    name_n: ": name the {n}.",
    name_n_noun: ": name the {n} {noun}.",
    what_is_the_noun: ": what is the {noun}?",
    n_items: " ({n} items)",
    part_of: " (part {n} of {x})",
    formula: " — what is the formula?",
    what_is_meant_by: (": what is meant by ", "?"),
    which_term_means: (": which term means “", "”?"),
    what_is_x: (": what is ", "?"),
    which_one_is: (": which one is “", "”?"),
    works_well: &[" works well in {x}", " work well in {x}"],
    where_it_works_well: ": where does it work well?",
    used_for: &[
        " are often used for {x}",
        " is often used for {x}",
        " are commonly used for {x}",
        " is commonly used for {x}",
        " is useful for {x}",
        " are useful for {x}",
    ],
    what_is_it_used_for: ": what is it used for?",
    also_called: &[
        "also be referred to as {x}",
        "also referred to as {x}",
        "also be called {x}",
        "also called {x}",
        "also known as {x}",
    ],
    what_else_called: ": what else is it called?",
    facts: &[
        ("{a} is determined by {x}", "what determines {a}?"),
        ("{a} are determined by {x}", "what determines {a}?"),
        (
            "{a} can be implemented with {x}",
            "how can {a} be implemented?",
        ),
        ("common ways to {a} is {x}", "what are common ways to {a}?"),
        ("common ways to {a} are {x}", "what are common ways to {a}?"),
        ("{a} is the basis for {x}", "what is {a} the basis for?"),
        ("{a} are organized by {x}", "how are {a} organized?"),
        ("{a} is organized by {x}", "how is {a} organized?"),
        ("avoid {a}, as {x}", "why should you avoid {a}?"),
        ("avoid {a}, because {x}", "why should you avoid {a}?"),
        ("{x} work well with {a}", "what works well with {a}?"),
        ("{x} works well with {a}", "what works well with {a}?"),
        ("{a} consists of {x}", "what does {a} consist of?"),
        ("{a} consist of {x}", "what do {a} consist of?"),
        (
            "{a} can result in {b} if {x}",
            "when can {a} result in {b}?",
        ),
        (
            "at the cost of {x}, {a} requires {b}",
            "at what cost does {a} require {b}?",
        ),
        ("{a} can help {x}", "how can {a} help?"),
        ("{x}, so you'll need to {b}", "why do you need to {b}?"),
        (
            "if {x}, {b} would need to {c}",
            "when would {b} need to {c}?",
        ),
    ],
    what_is_its: (": what is its ", "?"),
    colon: ": ",
    question_mark: "?",
    example_cues: &[],
    following_cues: &[],
    row_column: (" — ", "?"),
    which_say_yes: "which {key} are {col}?",
    section: &["section", "chapter"],
};

const JA: Words = Words {
    reading_titles: &[
        "その他の参考資料",
        "文献とその他の参考資料",
        "参考資料",
        "参考文献",
        "出典",
    ],
    navigation: &[
        "動機・目的",
        "暗記カード",
        "コントリビュート",
        "システム設計目次",
        "目次",
        "学習指針",
        "システム設計課題例とその解答",
        "オブジェクト指向設計問題と解答",
        "システム設計トピックス: まずはここから",
        "進行中の作業",
        "クレジット",
        "連絡先",
        "ライセンス",
    ],
    question_markers: &["Q:", "Q：", "質問:", "質問：", "問:", "問："],
    answer_markers: &["A:", "A：", "回答:", "回答：", "答:", "答："],
    generic_titles: &["欠点", "短所", "利点", "長所", "メリット", "デメリット"],
    what_is_it: "とは何ですか？",
    what_are_they: "とは何ですか？",
    what_does_it_involve: "では何をしますか？",
    key_idea: "：要点は何ですか？",
    key_point: "：要点は何ですか？",
    name_n: "：{n}つ挙げてください。",
    name_n_noun: "：{noun}を{n}つ挙げてください。",
    what_is_the_noun: "：{noun}は何ですか？",
    n_items: "（{n}項目）",
    part_of: "（{x}のうち{n}）",
    formula: "：計算式は何ですか？",
    what_is_meant_by: ("：", "とは何ですか？"),
    which_term_means: ("：「", "」を表す用語は何ですか？"),
    what_is_x: ("：", "は何ですか？"),
    which_one_is: ("：「", "」に当たるのはどれですか？"),
    works_well: &["は{x}と相性がいい"],
    where_it_works_well: "：どのような場面と相性がいいですか？",
    used_for: &[
        "、{x}に用いられます",
        "、{x}に使われます",
        "は{x}によく使われます",
    ],
    what_is_it_used_for: "：どのような用途に使われますか？",
    also_called: &[
        "は{x}と呼ばれることもあります",
        "は{x}とも呼ばれます",
        "は{x}であるとも言われます",
        "は{x}とも言われます",
    ],
    what_else_called: "：別名は何ですか？",
    facts: &[
        ("{a}は{x}で変わります", "{a}は何で変わりますか？"),
        (
            "{a}は{x}によって決まります",
            "{a}は何によって決まりますか？",
        ),
        ("{a}は{x}で実現でき", "{a}は何で実現できますか？"),
        ("{a}一般的な方法は{x}", "{a}一般的な方法は何ですか？"),
        ("{a}は{x}の基本です", "{a}は何の基本ですか？"),
        (
            "{a}は{x}として整理されています",
            "{a}はどのように整理されていますか？",
        ),
        ("{a}は{x}ので避けるべき", "なぜ{a}は避けるべきですか？"),
        (
            "{a}は{x}で成り立っています",
            "{a}は何で成り立っていますか？",
        ),
        (
            "{x}の場合には{a}と相性がいい",
            "{a}はどのようなものと相性がいいですか？",
        ),
        (
            "{x}では{a}が相性がいい",
            "{a}はどのようなものと相性がいいですか？",
        ),
        (
            "{a}は{x}に適している",
            "{a}はどのようなものに適していますか？",
        ),
        (
            "もし{x}のならば、{b}ことができます",
            "どのような場合に{b}ことができますか？",
        ),
        (
            "もし{x}ならば、{b}ことができます",
            "どのような場合に{b}ことができますか？",
        ),
        (
            "{a}は{x}などで採用されています",
            "{a}はどこで採用されていますか？",
        ),
        (
            "{a}は{x}を理由として使われることが多い",
            "{a}はどのような理由で使われることが多いですか？",
        ),
        (
            "{x}時にはとても効果的",
            "どのような時にとても効果的ですか？",
        ),
        (
            "{x}とのトレードオフになりますが、{b}ことができます",
            "何とのトレードオフで{b}ことができますか？",
        ),
        ("{a}ことで{x}ことができます", "{a}ことで何ができますか？"),
        (
            "{x}ので、{b}しなければなりません",
            "なぜ{b}しなければならないのですか？",
        ),
        (
            "{x}の場合、{b}必要があります",
            "どのような場合に{b}必要がありますか？",
        ),
    ],
    what_is_its: ("：", "は何ですか？"),
    colon: "：",
    question_mark: "？",
    example_cues: &["例えば", "たとえば", "サンプル"],
    following_cues: &["以下", "次の"],
    row_column: ("の", "は何ですか？"),
    which_say_yes: "{col}が「{yes}」の{key}はどれですか？",
    section: &["セクション", "章"],
};

const ZH_HANS: Words = Words {
    reading_titles: &[
        "来源及延伸阅读",
        "相关资源和延伸阅读",
        "延伸阅读",
        "参考资料",
        "参考文献",
    ],
    navigation: &[
        "目的",
        "抽认卡",
        "贡献",
        "系统设计主题的索引",
        "目录",
        "学习指引",
        "系统设计的面试题和解答",
        "面向对象设计的面试问题及解答",
        "系统设计主题：从这里开始",
        "正在完善中",
        "致谢",
        "联系方式",
        "许可",
    ],
    question_markers: &["问：", "问:", "Q:", "Q："],
    answer_markers: &["答：", "答:", "A:", "A："],
    generic_titles: &["不利之处", "缺点", "优点", "优势", "劣势"],
    what_is_it: "是什么？",
    what_are_they: "是什么？",
    what_does_it_involve: "包括什么？",
    key_idea: "：要点是什么？",
    key_point: "：要点是什么？",
    name_n: "：列出这 {n} 项。",
    name_n_noun: "：列出这 {n} 个{noun}。",
    what_is_the_noun: "：{noun}是什么？",
    n_items: "（{n} 项）",
    part_of: "（第 {n} 部分，共 {x} 部分）",
    formula: "：公式是什么？",
    what_is_meant_by: ("：", "是什么意思？"),
    which_term_means: ("：哪个术语表示“", "”？"),
    what_is_x: ("：", "是什么？"),
    which_one_is: ("：哪一个是“", "”？"),
    works_well: &["在{x}中表现不错", "在{x}中效果不错", "在{x}中运作良好"],
    where_it_works_well: "：在什么场景中效果好？",
    used_for: &["通常被用于{x}", "通常用于{x}", "常用于{x}", "对于{x}很有用"],
    what_is_it_used_for: "：通常用于什么？",
    also_called: &[
        "也被称为{x}",
        "也可以称为{x}",
        "也称为{x}",
        "又称为{x}",
        "又称{x}",
    ],
    what_else_called: "：又称什么？",
    facts: &[
        ("{a}取决于{x}", "{a}取决于什么？"),
        ("{a}可以通过{x}来实现", "{a}可以通过什么来实现？"),
        ("{a}是{x}的基础", "{a}是什么的基础？"),
        ("{a}可以根据{x}组织", "{a}可以根据什么组织？"),
        ("避免{a}，因为{x}", "为什么应该避免{a}？"),
        ("{a}由{x}组成", "{a}由什么组成？"),
        ("如果{x}，那么{b}", "在什么情况下{b}？"),
        ("{x}使用{a}效果不错", "哪些场景使用{a}效果不错？"),
        ("以损失{x}为代价，{b}", "以损失什么为代价，{b}？"),
        ("如果{a}，就会{x}", "如果{a}，会有什么效果？"),
        ("{x}，所以{b}", "为什么{b}？"),
        ("如果{x}，{b}将需要{c}", "在什么情况下{b}将需要{c}？"),
        ("常见的做法是{x}来{b}", "{b}常见的做法是什么？"),
        ("适合用在{x}上", "适合用在什么场景？"),
    ],
    what_is_its: ("：", "是什么？"),
    colon: "：",
    question_mark: "？",
    example_cues: &["例如", "比如", "举例来说", "示例", "范例"],
    following_cues: &["下面", "下列", "如下", "以下"],
    row_column: ("的", "是什么？"),
    which_say_yes: "{col}为“{yes}”的{key}有哪些？",
    section: &["章节", "部分"],
};

const ZH_HANT: Words = Words {
    reading_titles: &[
        "來源及延伸閱讀",
        "相關資源和延伸閱讀",
        "延伸閱讀",
        "參考資料",
        "參考文獻",
    ],
    navigation: &[
        "目的",
        "抽認卡",
        "貢獻",
        "系統設計主題的索引",
        "目錄",
        "學習指引",
        "系統設計的面試題和解答",
        "物件導向設計的面試問題及解答",
        "系統設計主題：從這裡開始",
        "正在完善中",
        "致謝",
        "聯繫方式",
        "授權",
    ],
    question_markers: &["問：", "問:", "Q:", "Q："],
    answer_markers: &["答：", "答:", "A:", "A："],
    generic_titles: &["不利之處", "缺點", "優點", "優勢", "劣勢"],
    what_is_it: "是什麼？",
    what_are_they: "是什麼？",
    what_does_it_involve: "包括什麼？",
    key_idea: "：要點是什麼？",
    key_point: "：要點是什麼？",
    name_n: "：列出這 {n} 項。",
    name_n_noun: "：列出這 {n} 個{noun}。",
    what_is_the_noun: "：{noun}是什麼？",
    n_items: "（{n} 項）",
    part_of: "（第 {n} 部分，共 {x} 部分）",
    formula: "：公式是什麼？",
    what_is_meant_by: ("：", "是什麼意思？"),
    which_term_means: ("：哪個術語表示“", "”？"),
    what_is_x: ("：", "是什麼？"),
    which_one_is: ("：哪一個是“", "”？"),
    works_well: &["在{x}中表現不錯", "在{x}中效果不錯", "在{x}中運作良好"],
    where_it_works_well: "：在什麼場景中效果好？",
    used_for: &["通常被用於{x}", "通常用於{x}", "常用於{x}", "對於{x}很有用"],
    what_is_it_used_for: "：通常用於什麼？",
    also_called: &[
        "也被稱為{x}",
        "也可以稱為{x}",
        "也稱為{x}",
        "又稱為{x}",
        "又稱{x}",
    ],
    what_else_called: "：又稱什麼？",
    facts: &[
        ("{a}取決於{x}", "{a}取決於什麼？"),
        ("{a}可以透過{x}來實現", "{a}可以透過什麼來實現？"),
        ("{a}可以通過{x}來實現", "{a}可以通過什麼來實現？"),
        ("{a}是{x}的基礎", "{a}是什麼的基礎？"),
        ("{a}可以根據{x}組織", "{a}可以根據什麼組織？"),
        ("避免{a}，因為{x}", "為什麼應該避免{a}？"),
        ("{a}由{x}組成", "{a}由什麼組成？"),
        ("如果{x}，那麼{b}", "在什麼情況下{b}？"),
        ("{x}使用{a}效果不錯", "哪些場景使用{a}效果不錯？"),
        ("以損失{x}為代價，{b}", "以損失什麼為代價，{b}？"),
        ("如果{a}，就會{x}", "如果{a}，會有什麼效果？"),
        ("{x}，所以{b}", "為什麼{b}？"),
        ("如果{x}，{b}將需要{c}", "在什麼情況下{b}將需要{c}？"),
        ("常見的做法是{x}來{b}", "{b}常見的做法是什麼？"),
        ("適合用在{x}上", "適合用在什麼場景？"),
    ],
    what_is_its: ("：", "是什麼？"),
    colon: "：",
    question_mark: "？",
    example_cues: &["例如", "比如", "舉例來說", "示例", "範例"],
    following_cues: &["下面", "下列", "如下", "以下"],
    row_column: ("的", "是什麼？"),
    which_say_yes: "{col}為“{yes}”的{key}有哪些？",
    section: &["章節", "部分"],
};

/// Whether `title` names a further-reading section in any language.
pub fn is_reading_title(title: &str) -> bool {
    is_reading_key(&super::normalize_key(title))
}

/// [`is_reading_title`] of a title already normalised.
pub fn is_reading_key(key: &str) -> bool {
    // Asked for every section and its ancestors: the titles are normalised once, not per
    // call (that was most of the time of a file of many small sections).
    static KEYS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
        all()
            .flat_map(|w| w.reading_titles.iter().map(|p| super::normalize_key(p)))
            .collect()
    });
    KEYS.iter().any(|p| key.starts_with(p.as_str()))
}

/// Whether `text` holds a CJK "for example" or "sample" of any language's table.
pub fn has_example_cue(text: &str) -> bool {
    all().any(|w| w.example_cues.iter().any(|cue| text.contains(cue)))
}

/// Whether `text` holds a CJK "the following" of any language's table.
pub fn has_following_cue(text: &str) -> bool {
    all().any(|w| w.following_cues.iter().any(|cue| text.contains(cue)))
}

/// Whether `title` (normalised) is a generic title of some language ("Disadvantages", "欠点").
pub fn is_generic_title(key: &str) -> bool {
    // An ASCII key only ever starts with an ASCII title: those, listed once.
    static ASCII: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
        all()
            .flat_map(|w| w.generic_titles.iter().copied())
            .filter(|g| g.is_ascii())
            .collect()
    });
    if key.is_ascii() {
        return ASCII.iter().any(|g| {
            key.strip_prefix(g)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
        });
    }
    all().any(|w| {
        w.generic_titles
            .iter()
            // CJK titles run on without a space ("不利之处：分片" → "不利之处分片").
            .any(|g| {
                // `key` is `g`, or starts with `g` and a space (no string built: this runs
                // for every section).
                key.strip_prefix(g)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
                    || !g.is_ascii() && key.starts_with(g)
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_titles_are_known_in_every_language() {
        assert!(is_reading_title("Source(s) and further reading: HTTP"));
        assert!(is_reading_title("その他の参考資料、ページ: HTTP"));
        assert!(is_reading_title("来源及延伸阅读"));
        assert!(is_reading_title("相關資源和延伸閱讀"));
        assert!(!is_reading_title("Cache"));
    }

    #[test]
    fn templates_fill_their_slots() {
        assert_eq!(
            fill(words(Lang::Ja).name_n_noun, &[("n", "3"), ("noun", "欠点")]),
            "：欠点を3つ挙げてください。"
        );
        assert_eq!(fill(words(Lang::En).name_n, &[("n", "2")]), ": name the 2.");
    }

    #[test]
    fn no_cjk_template_carries_an_english_word() {
        let english = regex::Regex::new(r"[A-Za-z]{2,}").unwrap();
        for lang in [Lang::Ja, Lang::ZhHans, Lang::ZhHant] {
            let w = words(lang);
            for t in [
                w.what_is_it,
                w.what_are_they,
                w.what_does_it_involve,
                w.key_idea,
                w.key_point,
                w.name_n,
                w.name_n_noun,
                w.what_is_the_noun,
                w.n_items,
                w.part_of,
                w.formula,
                w.what_is_meant_by.0,
                w.what_is_meant_by.1,
                w.which_term_means.0,
                w.which_term_means.1,
                w.what_is_x.0,
                w.what_is_x.1,
                w.which_one_is.0,
                w.which_one_is.1,
            ]
            .into_iter()
            .chain(w.facts.iter().map(|(_, question)| *question))
            {
                let words: String = fill(t, &[("n", ""), ("noun", ""), ("x", "")]);
                assert!(!english.is_match(&words), "{lang:?}: {t}");
            }
        }
    }
}
