//! The content directory's address online, from its git remote: the default `base_url` that
//! cards' Source links and relative links are made absolute with.
//!
//! Asks the `git` program (it knows worktrees, `GIT_DIR` and includes); without git, a
//! repository or a remote on a known host, there is no base URL and the caller says so.

use std::path::Path;
use std::process::Command;

/// `https://<host>/<owner>/<repo>/blob/<branch>/<dir>/` for the folder `dir` of a checkout of
/// a GitHub, GitLab or Codeberg repository (remote `origin`, else the first remote).
pub fn blob_base_url(dir: &Path) -> Option<String> {
    let remote = git(dir, &["config", "--get", "remote.origin.url"]).or_else(|| {
        let first = git(dir, &["remote"])?.lines().next()?.to_string();
        git(dir, &["config", "--get", &format!("remote.{first}.url")])
    })?;
    let branch = git(dir, &["symbolic-ref", "--quiet", "--short", "HEAD"])
        .or_else(|| git(dir, &["rev-parse", "HEAD"]))?;
    let prefix = git(dir, &["rev-parse", "--show-prefix"]).unwrap_or_default();
    blob_url(&remote, &branch, &prefix)
}

/// The blob URL of `prefix` (a folder in the repository, `/`-terminated or empty) at `branch`
/// for a remote URL, if the host is one we know the URL scheme of.
pub fn blob_url(remote: &str, branch: &str, prefix: &str) -> Option<String> {
    let (host, path) = host_and_path(remote)?;
    let path = path.trim_matches('/').trim_end_matches(".git");
    if path.split('/').filter(|p| !p.is_empty()).count() < 2 {
        return None;
    }
    let tree = match host.as_str() {
        "github.com" => format!("blob/{branch}"),
        "gitlab.com" => format!("-/blob/{branch}"),
        "codeberg.org" => format!("src/branch/{branch}"),
        _ => return None,
    };
    let prefix = prefix.trim_matches('/');
    let prefix = if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}/")
    };
    Some(format!("https://{host}/{path}/{tree}/{prefix}"))
}

/// `git@github.com:o/r.git`, `ssh://git@github.com/o/r`, `https://user@github.com/o/r.git`
/// → (`github.com`, `o/r.git`).
fn host_and_path(remote: &str) -> Option<(String, String)> {
    let remote = remote.trim();
    let (authority, path) = if let Some((_, rest)) = remote.split_once("://") {
        rest.split_once('/')?
    } else {
        // scp-like syntax: [user@]host:path
        remote.split_once(':')?
    };
    let host = authority.rsplit('@').next()?;
    let host = host.split(':').next()?.to_ascii_lowercase();
    Some((host, path.to_string()))
}

/// The trimmed output of `git -C dir <args>`, or `None` if git fails or prints nothing.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (output.status.success() && !text.is_empty()).then(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes_of_known_hosts_become_blob_urls() {
        assert_eq!(
            blob_url("git@github.com:ann/notes.git", "main", "").as_deref(),
            Some("https://github.com/ann/notes/blob/main/")
        );
        assert_eq!(
            blob_url("https://gitlab.com/ann/notes", "dev", "docs/").as_deref(),
            Some("https://gitlab.com/ann/notes/-/blob/dev/docs/")
        );
        assert_eq!(
            blob_url("ssh://git@codeberg.org/ann/notes.git", "main", "a/b").as_deref(),
            Some("https://codeberg.org/ann/notes/src/branch/main/a/b/")
        );
        assert_eq!(
            blob_url("https://tok@github.com/ann/notes.git", "x", "").as_deref(),
            Some("https://github.com/ann/notes/blob/x/")
        );
        assert_eq!(blob_url("https://example.org/ann/notes", "main", ""), None);
        assert_eq!(blob_url("/srv/git/notes.git", "main", ""), None);
    }

    #[test]
    fn a_checkout_gives_its_remote_at_its_branch() {
        let dir = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| {
            let ok = Command::new("git")
                .arg("-C")
                .arg(dir.path())
                .args(args)
                .output()
                .expect("git is installed")
                .status
                .success();
            assert!(ok, "git {args:?}");
        };
        run(&["init", "-q", "-b", "study"]);
        run(&["remote", "add", "origin", "git@github.com:ann/notes.git"]);
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        assert_eq!(
            blob_base_url(&dir.path().join("sub")).as_deref(),
            Some("https://github.com/ann/notes/blob/study/sub/")
        );
        assert_eq!(
            blob_base_url(&std::env::temp_dir().join("no-such-dir")),
            None
        );
    }
}
