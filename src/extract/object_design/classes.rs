//! The Python class parser of rule 12: the classes a notebook's code defines, with their base
//! classes, methods, enum members and `__init__` attributes ([`ClassInfo`]), and the skeleton
//! of each (class line, method signatures, enum members) that the class cards show.

use std::sync::LazyLock;

use regex::Regex;

static CLASS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^class\s+(\w+)\s*(?:\(([^)]*)\))?\s*:").unwrap());
static METHOD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(\s+)def\s+(\w+)\s*\(").unwrap());
static ATTRIBUTE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"self\.(\w+)").unwrap());
static MEMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s+([A-Z][A-Z0-9_]*)\s*=").unwrap());

/// The skeletons (class line, method signatures, enum members) of the classes in Python code,
/// one after the other; empty when the code defines no class.
pub fn skeletons(code: &str) -> String {
    parse_classes(code, 0)
        .into_iter()
        .map(|c| c.skeleton)
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// A class of the code, as far as its cards need it.
pub(super) struct ClassInfo {
    pub(super) name: String,
    bases: Option<String>,
    methods: Vec<String>,
    /// Public methods (not `__init__`, not `_private`), in order.
    pub(super) public: Vec<String>,
    /// Enum members.
    pub(super) members: Vec<String>,
    /// Attributes set in `__init__` (`self.x = …`).
    pub(super) attributes: Vec<String>,
    skeleton: String,
    pub(super) line: usize,
}

impl ClassInfo {
    pub(super) fn is_enum(&self) -> bool {
        self.bases.as_deref().is_some_and(|b| b.contains("Enum"))
    }

    /// The base class when it is a class of the design (not `Enum`, not a metaclass).
    pub(super) fn base_in<'c>(&self, classes: &'c [ClassInfo]) -> Option<&'c str> {
        let base = self.bases.as_deref()?.split(',').next()?.trim();
        classes
            .iter()
            .find(|c| c.name == base)
            .map(|c| c.name.as_str())
    }
}

/// The classes Python `code` defines, in order; `block_line` is the line of the code block, so
/// that each class knows its own line.
pub(super) fn parse_classes(code: &str, block_line: usize) -> Vec<ClassInfo> {
    let mut out: Vec<ClassInfo> = Vec::new();
    let mut pending_decorator: Option<String> = None;
    let mut in_class = false;
    let mut in_init = false;
    for (n, line) in code.lines().enumerate() {
        if let Some(c) = CLASS.captures(line) {
            in_class = true;
            in_init = false;
            let bases = c
                .get(2)
                .map(|b| b.as_str().trim().to_string())
                .filter(|b| !b.is_empty() && b != "object");
            out.push(ClassInfo {
                name: c[1].to_string(),
                bases,
                methods: Vec::new(),
                public: Vec::new(),
                members: Vec::new(),
                attributes: Vec::new(),
                skeleton: line.trim_end().to_string(),
                line: block_line + n + 1,
            });
            continue;
        }
        if !line.starts_with(' ') && !line.trim().is_empty() {
            // Top-level code ends the class.
            if !line.starts_with('@') && !line.starts_with('#') {
                pending_decorator = None;
                in_class = false;
            }
            continue;
        }
        let Some(class) = out.last_mut().filter(|_| in_class) else {
            continue;
        };
        if in_init && line.starts_with("        self.") {
            // `self.a = …`, `self.a, self.b = …`, `self.a = self.b = …`
            let parts: Vec<&str> = line.split(" = ").collect();
            for part in &parts[..parts.len() - 1] {
                for a in ATTRIBUTE.captures_iter(part) {
                    if !class.attributes.contains(&a[1].to_string()) {
                        class.attributes.push(a[1].to_string());
                    }
                }
            }
            continue;
        }
        if line.trim_start().starts_with('@') && line.starts_with("    @") {
            pending_decorator = Some(line.trim_end().to_string());
            continue;
        }
        if let Some(m) = METHOD.captures(line)
            && m[1].len() == 4
        {
            if let Some(d) = pending_decorator.take() {
                class.skeleton.push('\n');
                class.skeleton.push_str(&d);
            }
            let signature = line.trim_end().trim_end_matches(':').trim_end();
            class.skeleton.push('\n');
            class.skeleton.push_str(signature);
            class.skeleton.push_str(": ...");
            class.methods.push(m[2].to_string());
            if !m[2].starts_with('_') && !class.public.contains(&m[2].to_string()) {
                class.public.push(m[2].to_string());
            }
            in_init = &m[2] == "__init__";
            continue;
        } else if let Some(m) = MEMBER.captures(line)
            && line.starts_with("    ")
            && !line.starts_with("     ")
        {
            class.skeleton.push('\n');
            class.skeleton.push_str(line.trim_end());
            class.members.push(m[1].to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skeletons_keep_signatures() {
        let code = "%%writefile x.py\nclass Colour(Enum):\n\n    RED = 0\n\n\nclass Box(object):\n\n    def __init__(self, size):\n        self.size = size\n\n    @property\n    def area(self):\n        return 1\n";
        let classes = parse_classes(code, 10);
        assert_eq!(classes.len(), 2);
        assert_eq!(classes[0].skeleton, "class Colour(Enum):\n    RED = 0");
        assert_eq!(
            classes[1].skeleton,
            "class Box(object):\n    def __init__(self, size): ...\n    @property\n    def area(self): ..."
        );
        assert_eq!(classes[1].line, 17);
    }

    #[test]
    fn attributes_and_public_methods() {
        let code = "class Node:\n    def __init__(self, key):\n        self.key, self.value = key, None\n        self.prev = self.next = None\n\n    def unlink(self):\n        self.prev = None\n\n    def _hidden(self):\n        pass\n";
        let classes = parse_classes(code, 0);
        assert_eq!(classes[0].attributes, ["key", "value", "prev", "next"]);
        assert_eq!(classes[0].public, ["unlink"]);
    }
}
