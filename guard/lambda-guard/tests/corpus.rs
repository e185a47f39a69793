//! Detection and false-positive floors on the public corpora (holdout half of a deterministic
//! split; the rules were tuned on the other half). The full table, both halves and every
//! placement: `cargo run --release -p lambda-guard --example corpus-report`.
//!
//! Skipped, with a message, when the corpora are not beside the repository
//! (`../shared/corpora`) and `GUARD_CORPORA` is unset.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)] // reason: tests

mod support {
    pub mod corpus;
}

use lambda_guard::{
    inspect::{InspectConfig, Inspector},
    InputView,
};
use support::corpus::{self, Half, Payload};

struct Rate {
    flagged: usize,
    total: usize,
}

impl Rate {
    fn pct(&self) -> f64 {
        100.0 * self.flagged as f64 / self.total.max(1) as f64
    }
}

fn rate(
    inspector: &Inspector,
    samples: &[corpus::Sample],
    group: &str,
    placements: &[&str],
) -> Rate {
    let mut r = Rate {
        flagged: 0,
        total: 0,
    };
    let mut findings = Vec::new();
    for s in samples
        .iter()
        .filter(|s| s.group == group && corpus::half(&s.id) == Half::Holdout)
    {
        let events = match &s.payload {
            Payload::Value { decoded, encoded } => placements
                .iter()
                .map(|p| corpus::value_event(decoded, encoded, p))
                .collect(),
            Payload::Http { .. } => corpus::events(s)
                .into_iter()
                .map(|(_, e)| e)
                .collect::<Vec<_>>(),
        };
        for e in events {
            findings.clear();
            inspector.inspect(&InputView::new(&e), &mut findings);
            r.total += 1;
            r.flagged += usize::from(!findings.is_empty());
        }
    }
    r
}

#[test]
fn corpus_floors() {
    let Some(dir) = corpus::dir() else {
        eprintln!("SKIPPED corpus_floors: corpora not found (set GUARD_CORPORA or provide ../shared/corpora)");
        return;
    };
    let mut samples = corpus::load(&dir);
    samples.extend(corpus::generated_benign());
    let inspector = Inspector::new(&InspectConfig::default()).unwrap();
    let placements = ["apigw-query", "apigw-json-body", "sqs-body", "s3-key"];
    // (group, floor for attacks / ceiling for benign, is attack)
    let checks: &[(&str, f64, bool)] = &[
        ("libinjection/sqli", 94.0, true),
        ("libinjection/xss", 94.0, true),
        ("libinjection/benign", 1.0, false),
        ("generated/benign", 1.0, false),
        ("crs/xss", 45.0, true),
        ("crs/sqli", 30.0, true),
        ("crs/generic", 40.0, true),
        ("crs/java_injection", 40.0, true),
        ("crs/cmdi", 40.0, true),
    ];
    let mut failures = Vec::new();
    for (group, bound, attack) in checks {
        let r = rate(&inspector, &samples, group, &placements);
        eprintln!(
            "{group:<24} {:>6} events {:>7.2} % {}",
            r.total,
            r.pct(),
            if *attack { "detected" } else { "flagged" }
        );
        assert!(r.total > 0, "{group}: no samples");
        let ok = if *attack {
            r.pct() >= *bound
        } else {
            r.pct() <= *bound
        };
        if !ok {
            failures.push(format!("{group}: {:.2} % (bound {bound} %)", r.pct()));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
