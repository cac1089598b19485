//! The layering of `src/` that docs/architecture.md describes, checked: every `crate::…` path
//! in a module's files (in `use` lines and in code) names only a module that this one may
//! import. A stage imports leaf modules and earlier stages; no stage imports a later stage or
//! a tool; the tools import no tool of their own layer, and nothing imports the command line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every top-level module of the library and what it may import, bottom to top.
const LAYERS: &[(&str, &[&str])] = &[
    // Leaves: used everywhere, import nothing but the error type.
    ("error", &[]),
    ("markup", &[]),
    ("key", &[]),
    ("fs", &["error"]),
    // The pipeline, top to bottom: each stage may use the stages before it.
    ("input", LEAVES),
    ("document", LEAVES),
    (
        "extract",
        &["error", "markup", "key", "fs", "input", "document"],
    ),
    (
        "render",
        &[
            "error", "markup", "key", "fs", "input", "document", "extract",
        ],
    ),
    (
        "identity",
        &[
            "error", "markup", "key", "fs", "input", "document", "extract", "render",
        ],
    ),
    (
        "package",
        &[
            "error", "markup", "key", "fs", "input", "document", "extract", "render", "identity",
        ],
    ),
    // Readers and writers of finished decks.
    ("apkg", STAGES_AND_LEAVES),
    ("export", STAGES_AND_LEAVES),
    // The orchestrator, then the tools built on it.
    ("build", &[STAGES_AND_LEAVES_STR, "apkg", "export"]),
    ("check", &[STAGES_AND_LEAVES_STR, "apkg", "export", "build"]),
    (
        "preview",
        &[STAGES_AND_LEAVES_STR, "apkg", "export", "build"],
    ),
];

const LEAVES: &[&str] = &["error", "markup", "key", "fs"];
const STAGES_AND_LEAVES: &[&str] = &[STAGES_AND_LEAVES_STR];
/// A marker that stands for every leaf and every stage.
const STAGES_AND_LEAVES_STR: &str = "<stages and leaves>";
const STAGES: &[&str] = &[
    "input", "document", "extract", "render", "identity", "package",
];

fn allowed(module: &str) -> Vec<&'static str> {
    let (_, list) = LAYERS
        .iter()
        .find(|(m, _)| *m == module)
        .unwrap_or_else(|| panic!("module `{module}` is not in LAYERS: place it in a layer"));
    let mut out = Vec::new();
    for &entry in *list {
        if entry == STAGES_AND_LEAVES_STR {
            out.extend_from_slice(LEAVES);
            out.extend_from_slice(STAGES);
        } else {
            out.push(entry);
        }
    }
    out
}

/// The top-level module a file of `src/` belongs to.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The modules a line names through `crate::`: `crate::a::b`, and each head of a group
/// `crate::{a, b::c, d::{e}}`.
fn crate_modules(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            // Heads of the group at depth 0.
            let mut depth = 0;
            let mut head = String::new();
            let mut at_head = true;
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.push(std::mem::take(&mut head));
                        at_head = true;
                        continue;
                    }
                    ':' => at_head = false,
                    _ => {}
                }
                if at_head && depth == 0 && (c.is_alphanumeric() || c == '_') {
                    head.push(c);
                }
            }
            out.push(head);
        } else {
            out.push(
                after
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect(),
            );
        }
        rest = after;
    }
    out.retain(|m| !m.is_empty() && m != "self" && m != "super");
    // The crate root re-exports the error types (`crate::Result`): they are `error`'s.
    for m in &mut out {
        if m.starts_with(char::is_uppercase) {
            *m = "error".to_string();
        }
    }
    out
}

/// Every `crate::` import that breaks the layering, as `file:line: module imports other`.
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let module = module_of(src, &file);
        if matches!(module.as_str(), "lib" | "main" | "cli") {
            continue; // the crate root and the command line may use anything
        }
        let allowed = allowed(&module);
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for used in crate_modules(code) {
                if used != module && !allowed.contains(&used.as_str()) {
                    found.push(format!(
                        "{}:{}: `{module}` imports `{used}`",
                        file.display(),
                        n + 1
                    ));
                }
            }
        }
    }
    found
}

#[test]
fn no_module_imports_a_later_stage_or_a_tool() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = violations(&src);
    assert!(
        found.is_empty(),
        "imports that break the layering of docs/architecture.md:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_module_of_the_library_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let declared: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';'))
        .collect();
    assert!(declared.len() >= 10, "{declared:?}");
    for module in declared {
        allowed(module);
    }
}

#[test]
fn the_checker_sees_grouped_and_nested_paths() {
    assert_eq!(crate_modules("use crate::render::{self, x};"), ["render"]);
    assert_eq!(
        crate_modules("use crate::{document, extract::{a, b}, key::hex};"),
        ["document", "extract", "key"]
    );
    assert_eq!(
        crate_modules("let x = crate::key::hex(&crate::fs::y());"),
        ["key", "fs"]
    );
    // A stage naming a tool is reported.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("render")).unwrap();
    std::fs::write(
        dir.path().join("render/mod.rs"),
        "use crate::build::write;\nuse crate::document::Document;\n",
    )
    .unwrap();
    let found = violations(dir.path());
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].ends_with("`render` imports `build`"), "{found:?}");
}

/// The modules each module imports, for docs/architecture.md (run with `--nocapture`).
#[test]
fn print_the_import_graph() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let module = module_of(&src, &file);
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text.lines() {
            for used in crate_modules(line.split("//").next().unwrap_or("")) {
                if used != module {
                    graph.entry(module.clone()).or_default().insert(used);
                }
            }
        }
    }
    for (module, uses) in &graph {
        println!(
            "{module} -> {}",
            uses.iter().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    assert!(graph.contains_key("build"));
}
