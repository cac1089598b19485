//! Work stays linear in the input (issue 21, probes K and M): doubling nested emphasis, or the
//! findings on one line, at most triples the time. Ratios, not absolute times, so a slow or
//! busy machine does not fail the test; each time is the best of a few runs, and the runs of
//! the two sizes take turns, so that a busy spell (other tests run beside these) slows both.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::primer_anki;

/// The best of `runs` timings of `small` and of `double`, run by turns.
fn best_by_turns(
    runs: usize,
    mut small: impl FnMut(),
    mut double: impl FnMut(),
) -> (Duration, Duration) {
    let time = |work: &mut dyn FnMut()| {
        let start = Instant::now();
        work();
        start.elapsed()
    };
    let (mut best_small, mut best_double) = (Duration::MAX, Duration::MAX);
    for _ in 0..runs {
        best_small = best_small.min(time(&mut small));
        best_double = best_double.min(time(&mut double));
    }
    (best_small, best_double)
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
    let (small_text, double_text) = (text(20_000), text(40_000));
    let parse = |text: &str| {
        primer_anki::document::parse(text, Path::new("k.md")).unwrap();
    };
    let (small, double) = best_by_turns(5, || parse(&small_text), || parse(&double_text));
    assert_linear("nested emphasis", small, double);
}

#[test]
fn many_findings_on_one_line_print_in_linear_time_and_space() {
    let content = |n: usize| {
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
        content
    };
    let check = |content: &Path| {
        let output = primer_anki()
            .args(["check", "--content"])
            .arg(content)
            .output()
            .unwrap();
        output.stdout.len() + output.stderr.len()
    };
    let (small_content, double_content) = (content(2_000), content(4_000));
    let (mut small_bytes, mut double_bytes) = (0, 0);
    let (small, double) = best_by_turns(
        5,
        || small_bytes = check(small_content.path()),
        || double_bytes = check(double_content.path()),
    );
    assert_linear("findings on one line", small, double);
    assert!(
        double_bytes <= 3 * small_bytes,
        "output grew from {small_bytes} to {double_bytes} bytes"
    );
    // Each finding shows an excerpt, not the 70 KB line.
    assert!(double_bytes < 4_000 * 1_000, "{double_bytes} bytes");
}
