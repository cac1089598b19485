//! Work stays linear in the input (issue 21, probes K and M): doubling nested emphasis, or the
//! findings on one line, at most triples the time. Ratios, not absolute times, so a slow or
//! busy machine does not fail the test; each time is the best of a few runs.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::primer_anki;

/// The best of `runs` timings of `work`.
fn best_of(runs: usize, mut work: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .min()
        .unwrap()
}

fn assert_linear(what: &str, small: Duration, double: Duration) {
    eprintln!("{what}: {small:?} → {double:?} for twice the input");
    assert!(
        double.as_secs_f64() <= 3.0 * small.as_secs_f64(),
        "{what}: doubling the input took {double:?} after {small:?}"
    );
}

#[test]
fn nested_emphasis_parses_in_linear_time() {
    let text = |n: usize| {
        format!(
            "# T\n\n## S\n\n{}x{}\n",
            "*a **".repeat(n),
            "** a*".repeat(n)
        )
    };
    let parse = |n: usize| {
        let text = text(n);
        best_of(3, || {
            primer_anki::document::parse(&text, Path::new("k.md")).unwrap();
        })
    };
    assert_linear("nested emphasis", parse(20_000), parse(40_000));
}

#[test]
fn many_findings_on_one_line_print_in_linear_time_and_space() {
    let check = |n: usize| {
        let content = tempfile::tempdir().unwrap();
        std::fs::create_dir(content.path().join("notes")).unwrap();
        std::fs::write(
            content.path().join("primer-anki.toml"),
            "base_url = \"https://example.org/\"\n[[deck]]\nname = \"M\"\nid = 1900000000026\nsources = [\"notes\"]\ntag_prefix = \"m\"\n",
        )
        .unwrap();
        let images: Vec<String> = (0..n).map(|i| format!("![i](gone{i}.png)")).collect();
        std::fs::write(
            content.path().join("notes/m.md"),
            format!("# T\n\n## S\n\nA line of images. {}\n", images.join(" ")),
        )
        .unwrap();
        let mut bytes = 0;
        let time = best_of(3, || {
            let output = primer_anki()
                .args(["check", "--content"])
                .arg(content.path())
                .output()
                .unwrap();
            bytes = output.stdout.len() + output.stderr.len();
        });
        (time, bytes)
    };
    let (small, small_bytes) = check(2_000);
    let (double, double_bytes) = check(4_000);
    assert_linear("findings on one line", small, double);
    assert!(
        double_bytes <= 3 * small_bytes,
        "output grew from {small_bytes} to {double_bytes} bytes"
    );
    // Each finding shows an excerpt, not the 70 KB line.
    assert!(double_bytes < 4_000 * 1_000, "{double_bytes} bytes");
}
