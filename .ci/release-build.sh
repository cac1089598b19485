#!/usr/bin/env bash
# Builds the release assets of primer-anki for one target triple. The release workflow
# (.github/workflows/release.yml) runs this on each runner, and a person runs the same command
# here, so the build that ships is the build that was tried.
#
#   .ci/release-build.sh TARGET          the archive for TARGET and its .sha256
#   .ci/release-build.sh TARGET --docs   also the man pages and shell completions, made by running
#                                        the built binary (so only for a TARGET that runs here)
#
# Assets land in $DIST (default dist/), named the way .ci/install-primer-anki.sh and the
# cargo-binstall metadata in Cargo.toml expect:
#   primer-anki-TAG-TARGET.tar.gz (.zip on Windows), with primer-anki-TAG-TARGET/primer-anki inside
#   primer-anki-TAG-man.tar.gz, primer-anki-TAG-completions.tar.gz
#   and NAME.sha256 beside each ("HASH  NAME", as sha256sum writes it).
# TAG is $PRIMER_ANKI_TAG (the pushed tag) or v + the version in Cargo.toml; they must agree.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${1:?usage: .ci/release-build.sh TARGET [--docs]}"
docs="${2:-}"
dist="${DIST:-dist}"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
tag="${PRIMER_ANKI_TAG:-v$version}"
if [ "$tag" != "v$version" ]; then
  echo "error: the tag $tag does not match the version $version in Cargo.toml;" \
    "set the version to ${tag#v} in Cargo.toml (and Cargo.lock) before tagging" >&2
  exit 1
fi

sha256() {
  if command -v sha256sum >/dev/null; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

# Writes NAME.sha256 beside the asset NAME in $dist.
checksum() {
  (cd "$dist" && printf '%s  %s\n' "$(sha256 "$1")" "$1" >"$1.sha256")
  echo "wrote $dist/$1 and $dist/$1.sha256"
}

# The C dependencies (bundled SQLite, Oniguruma, mimalloc) need a musl C compiler for the static
# musl builds; Debian and Ubuntu ship it as musl-tools.
case "$target" in
  *-linux-musl)
    if ! command -v musl-gcc >/dev/null; then
      echo "error: musl-gcc not found; install musl-tools (apt-get install musl-tools)" >&2
      exit 1
    fi
    export "CC_${target//-/_}=musl-gcc"
    ;;
esac

cargo build --release --locked --target "$target"

exe=""
case "$target" in *-windows-*) exe=".exe" ;; esac
name="primer-anki-$tag-$target"
stage="$dist/$name"
rm -rf "$stage"
mkdir -p "$stage"
cp "target/$target/release/primer-anki$exe" README.md "$stage/"

case "$target" in
  *-windows-*)
    rm -f "$dist/$name.zip"
    if command -v 7z >/dev/null; then
      (cd "$dist" && 7z a -tzip -bso0 "$name.zip" "$name")
    elif command -v zip >/dev/null; then
      (cd "$dist" && zip -qr "$name.zip" "$name")
    else
      (cd "$dist" && powershell -NoProfile -Command "Compress-Archive -Path '$name' -DestinationPath '$name.zip'")
    fi
    checksum "$name.zip"
    ;;
  *)
    tar -czf "$dist/$name.tar.gz" -C "$dist" "$name"
    checksum "$name.tar.gz"
    ;;
esac

bin="$stage/primer-anki$exe"
if command -v file >/dev/null; then file "$bin"; fi
if [ "$docs" = "--docs" ]; then
  "$bin" --version
  pages="primer-anki-$tag-man"
  rm -rf "${dist:?}/$pages"
  "$bin" man --out "$dist/$pages/man1"
  tar -czf "$dist/$pages.tar.gz" -C "$dist" "$pages"
  checksum "$pages.tar.gz"

  completions="primer-anki-$tag-completions"
  rm -rf "${dist:?}/$completions"
  mkdir -p "$dist/$completions"
  "$bin" completions bash >"$dist/$completions/primer-anki.bash"
  "$bin" completions zsh >"$dist/$completions/_primer-anki"
  "$bin" completions fish >"$dist/$completions/primer-anki.fish"
  "$bin" completions elvish >"$dist/$completions/primer-anki.elv"
  "$bin" completions powershell >"$dist/$completions/_primer-anki.ps1"
  tar -czf "$dist/$completions.tar.gz" -C "$dist" "$completions"
  checksum "$completions.tar.gz"
fi
