//! The snapshots of the glob tests are named after their fixture (`check@<case>` for
//! tests/fixtures/check, `fixtures@<file>` for tests/fixtures/extract). A fixture removed or
//! renamed would leave its old snapshot behind, and a plain `cargo test` does not report it:
//! every such snapshot must still have its fixture.

use std::path::Path;

use crate::support::repo;

/// The fixture names of the snapshots in `dir` whose file name starts with `prefix`.
fn fixtures_named_by(dir: &Path, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|name| {
            Some(
                name.strip_prefix(prefix)?
                    .strip_suffix(".snap")?
                    .replace("__", "/"),
            )
        })
        .collect();
    names.sort();
    names
}

#[test]
fn every_glob_snapshot_has_its_fixture() {
    let check = fixtures_named_by(&repo().join("tests/it/snapshots"), "it__cli__check@");
    assert!(!check.is_empty());
    for case in check {
        assert!(
            repo().join("tests/fixtures/check").join(&case).is_dir(),
            "it__cli__check@{case}.snap: no tests/fixtures/check/{case}; remove the snapshot"
        );
    }
    let extract = fixtures_named_by(
        &repo().join("tests/fixtures/extract/snapshots"),
        "fixtures@",
    );
    assert!(!extract.is_empty());
    for file in extract {
        assert!(
            repo().join("tests/fixtures/extract").join(&file).is_file(),
            "a snapshot names tests/fixtures/extract/{file}, which does not exist; remove it"
        );
    }
}
