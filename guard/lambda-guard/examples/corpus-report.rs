//! Detection and false-positive rates of the inspector on the public corpora, per corpus
//! category and per placement of the payload in a trigger event, on both halves of a
//! deterministic split (rules are tuned on `tune`; `holdout` is reported for honesty).
//!
//! ```text
//! cargo run --release -p lambda-guard --example corpus-report -- [--misses] [--paranoia N] [--extra FILE] [--show ID,…]
//! ```
//! Corpora: `GUARD_CORPORA`, else `../shared/corpora` beside the repository. CRS rows are also
//! split by the paranoia level of the CRS rule each test belongs to (`crs/sqli pl1`, …).
//! `--extra FILE` adds an independent set (JSON Lines `id`, `attack`, `category`, `payload`)
//! reported as `extra/<category>`; its misses are never listed, so it stays unseen.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)] // reason: a report tool

#[path = "../tests/support/corpus.rs"]
mod corpus;

use corpus::{Half, Tally};
use lambda_guard::inspect::{InspectConfig, Inspector};
use std::collections::BTreeMap;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let misses = args.iter().any(|a| a == "--misses");
    let paranoia = args
        .iter()
        .position(|a| a == "--paranoia")
        .and_then(|i| args.get(i + 1))
        .and_then(|p| p.parse().ok());
    let Some(dir) = corpus::dir() else {
        eprintln!("corpora not found: set GUARD_CORPORA or place them at ../shared/corpora");
        std::process::exit(2);
    };
    let mut samples = corpus::load(&dir);
    samples.extend(corpus::generated_benign());
    if let Some(extra) = args
        .iter()
        .position(|a| a == "--extra")
        .and_then(|i| args.get(i + 1))
    {
        samples.extend(corpus::load_extra(std::path::Path::new(extra)));
    }
    let attack_of: BTreeMap<&str, bool> = samples
        .iter()
        .map(|s| (s.group.as_str(), s.attack))
        .collect();
    let config = InspectConfig {
        paranoia,
        ..InspectConfig::default()
    };
    let inspector = Inspector::new(&config).expect("inspector");
    // `--show ID,ID…`: the findings on those samples (tune half only), to see why.
    if let Some(ids) = args
        .iter()
        .position(|a| a == "--show")
        .and_then(|i| args.get(i + 1))
    {
        for s in samples
            .iter()
            .filter(|s| ids.split(',').any(|id| id == s.id))
        {
            if corpus::half(&s.id) != Half::Tune || s.group.starts_with("extra/") {
                println!("{}: not shown (holdout or independent set)", s.id);
                continue;
            }
            for (placement, event) in corpus::events(s) {
                let mut findings = Vec::new();
                inspector.inspect(&lambda_guard::InputView::new(&event), &mut findings);
                for f in findings {
                    println!(
                        "{} {placement}: {} at {} ({:?})",
                        s.id, f.rule, f.path, f.excerpt
                    );
                }
            }
        }
        return;
    }
    let started = std::time::Instant::now();
    let mut examples = BTreeMap::new();
    let results = corpus::measure(&inspector, &samples, misses.then_some(&mut examples));
    let elapsed = started.elapsed();

    println!(
        "paranoia {}; {} samples; {:.1} s",
        paranoia.unwrap_or(1),
        samples.len(),
        elapsed.as_secs_f64()
    );
    println!();
    println!(
        "{:<32} {:<20} {:>7} {:>9} {:>9} {:>9}",
        "corpus/category", "placement", "n", "tune %", "holdout %", "all %"
    );
    let mut by_group: BTreeMap<String, BTreeMap<Half, Tally>> = BTreeMap::new();
    let mut attack_group = BTreeMap::new();
    for ((group, placement), halves) in &results {
        let base = group.split(' ').next().unwrap_or(group);
        let attack = attack_of.get(base).copied().unwrap_or(false);
        attack_group.insert(group.clone(), attack);
        let all = halves.values().fold(Tally::default(), |a, t| Tally {
            total: a.total + t.total,
            flagged: a.flagged + t.flagged,
        });
        let g = |h| halves.get(&h).copied().unwrap_or_default();
        let per_level = group.contains(' '); // CRS rows per paranoia level: summary only
        if !per_level {
            println!(
                "{:<32} {:<20} {:>7} {:>9.2} {:>9.2} {:>9.2}  {}",
                group,
                placement,
                all.total,
                g(Half::Tune).rate(),
                g(Half::Holdout).rate(),
                all.rate(),
                if attack {
                    "detected"
                } else {
                    "false positives"
                }
            );
        }
        for (h, t) in halves {
            let e = by_group
                .entry(group.clone())
                .or_default()
                .entry(*h)
                .or_default();
            e.total += t.total;
            e.flagged += t.flagged;
        }
    }
    println!();
    println!("summary over placements");
    println!(
        "{:<32} {:>7} {:>9} {:>9} {:>9}",
        "corpus/category", "events", "tune %", "holdout %", "all %"
    );
    for (group, halves) in &by_group {
        let all = halves.values().fold(Tally::default(), |a, t| Tally {
            total: a.total + t.total,
            flagged: a.flagged + t.flagged,
        });
        let g = |h| halves.get(&h).copied().unwrap_or_default();
        println!(
            "{:<32} {:>7} {:>9.2} {:>9.2} {:>9.2}  {}",
            group,
            all.total,
            g(Half::Tune).rate(),
            g(Half::Holdout).rate(),
            all.rate(),
            if attack_group[group] {
                "detected"
            } else {
                "false positives"
            }
        );
    }
    if misses {
        println!();
        for (k, list) in examples {
            println!("== {k}");
            for l in list {
                println!("   {l}");
            }
        }
    }
}
