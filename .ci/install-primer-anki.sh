#!/usr/bin/env bash
# Installs primer-anki for the GitHub Action (action.yml): the prebuilt release binary for this
# runner, checked against the .sha256 published beside it; when the release has no binary for
# this runner (or there is no release to ask for), it builds from source with
# `cargo install --locked`. A checksum that does not match is refused, never installed and never
# "repaired" by building from source: it means the download is not what was released.
#
# Environment (all optional):
#   PRIMER_ANKI_VERSION       release tag to install (v0.1.0); empty: build from source
#   PRIMER_ANKI_RELEASES      where releases live: an https:// or file:// URL, or a local directory,
#                             holding TAG/ASSET (default: the GitHub releases of primer-anki)
#   PRIMER_ANKI_SOURCE        the checkout `cargo install --path` builds (default: this repository)
#   PRIMER_ANKI_INSTALL_ROOT  install into ROOT/bin (default: $RUNNER_TEMP/primer-anki, or
#                             ~/.local/primer-anki)
#   RUNNER_OS, RUNNER_ARCH    the platform, as GitHub names it (Linux|macOS|Windows, X64|ARM64);
#                             default: from uname. Tests set them to try every platform here.
# On success it prints the binary's --version, adds ROOT/bin to $GITHUB_PATH and writes
# `path=` and `source=release|cargo` to $GITHUB_OUTPUT when those are set.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
version="${PRIMER_ANKI_VERSION:-}"
releases="${PRIMER_ANKI_RELEASES:-https://github.com/primer-anki/primer-anki/releases/download}"
source_dir="${PRIMER_ANKI_SOURCE:-$here}"
root="${PRIMER_ANKI_INSTALL_ROOT:-${RUNNER_TEMP:-$HOME/.local}/primer-anki}"

case "$releases" in
  *://*) ;;
  /*) releases="file://$releases" ;;
  *) releases="file://$PWD/$releases" ;;
esac

# The platform in GitHub's names, so tests and the runner speak the same language.
os="${RUNNER_OS:-}"
if [ -z "$os" ]; then
  case "$(uname -s)" in
    Linux) os=Linux ;;
    Darwin) os=macOS ;;
    MINGW* | MSYS* | CYGWIN*) os=Windows ;;
    *) os="$(uname -s)" ;;
  esac
fi
arch="${RUNNER_ARCH:-}"
if [ -z "$arch" ]; then
  case "$(uname -m)" in
    x86_64 | amd64) arch=X64 ;;
    aarch64 | arm64) arch=ARM64 ;;
    *) arch="$(uname -m)" ;;
  esac
fi

# The release targets, one per platform that .github/workflows/release.yml builds.
target=""
case "$os/$arch" in
  Linux/X64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64) target=aarch64-unknown-linux-musl ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  Windows/X64) target=x86_64-pc-windows-msvc ;;
esac
exe=""
archive_ext=".tar.gz"
if [ "$os" = Windows ]; then
  exe=".exe"
  archive_ext=".zip"
fi

finish() {
  local bin="$1" source="$2"
  echo "installed $("$bin" --version) at $bin (from $source)"
  if [ -n "${GITHUB_PATH:-}" ]; then dirname "$bin" >>"$GITHUB_PATH"; fi
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf 'path=%s\nsource=%s\n' "$bin" "$source" >>"$GITHUB_OUTPUT"
  fi
}

from_source() {
  echo "$1; building primer-anki from $source_dir with cargo install --locked"
  if ! command -v cargo >/dev/null; then
    echo "error: cargo not found, and there is no release binary to use instead;" \
      "install Rust first (for example with dtolnay/rust-toolchain)" >&2
    exit 1
  fi
  cargo install --locked --root "$root" --path "$source_dir"
  finish "$root/bin/primer-anki$exe" cargo
  exit 0
}

sha256() {
  if command -v sha256sum >/dev/null; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

if [ -z "$version" ]; then
  from_source "no release version given (the action runs from a branch or from the working tree)"
fi
if [ -z "$target" ]; then
  from_source "no release binary is built for $os $arch"
fi

name="primer-anki-$version-$target"
asset="$name$archive_ext"
url="$releases/$version/$asset"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if ! curl --fail --silent --show-error --location --retry 3 --output "$work/$asset" "$url" 2>"$work/curl.err"; then
  from_source "release $version has no $asset ($url: $(tr -d '\r' <"$work/curl.err" | tail -n 1))"
fi
if ! curl --fail --silent --show-error --location --retry 3 --output "$work/$asset.sha256" "$url.sha256"; then
  echo "error: $url.sha256 could not be downloaded, so $asset cannot be checked; not installing it" >&2
  exit 1
fi
expected="$(cut -d' ' -f1 <"$work/$asset.sha256" | tr -d '\r\n' | tr 'A-F' 'a-f')"
actual="$(sha256 "$work/$asset")"
if [ "$expected" != "$actual" ]; then
  echo "error: checksum mismatch for $asset from $url" >&2
  echo "  expected (from $asset.sha256): $expected" >&2
  echo "  actual   (of the download):    $actual" >&2
  echo "The download is not the file that was released (corrupt or tampered with); not installing it." >&2
  exit 1
fi
echo "sha256 of $asset matches $asset.sha256 ($actual)"

mkdir -p "$work/unpacked"
case "$archive_ext" in
  .zip)
    if command -v unzip >/dev/null; then unzip -q "$work/$asset" -d "$work/unpacked"
    else powershell -NoProfile -Command "Expand-Archive -LiteralPath '$work/$asset' -DestinationPath '$work/unpacked'"
    fi
    ;;
  *) tar -xzf "$work/$asset" -C "$work/unpacked" ;;
esac
unpacked="$work/unpacked/$name/primer-anki$exe"
if [ ! -f "$unpacked" ]; then
  echo "error: $asset has no $name/primer-anki$exe inside; not installing it" >&2
  exit 1
fi
mkdir -p "$root/bin"
cp "$unpacked" "$root/bin/primer-anki$exe"
chmod +x "$root/bin/primer-anki$exe"
finish "$root/bin/primer-anki$exe" release
