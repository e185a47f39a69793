#![allow(clippy::unwrap_used, missing_docs)]
use lambda_guard::{
    inspect::{InspectConfig, Inspector},
    InputView,
};
use std::io::BufRead;
fn main() {
    let paranoia = std::env::var("PL").ok().and_then(|p| p.parse().ok());
    let insp = Inspector::new(&InspectConfig {
        paranoia,
        ..InspectConfig::default()
    })
    .unwrap();
    let show_all = std::env::var("ALL").is_ok();
    let (mut n, mut f) = (0, 0);
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        let e = serde_json::json!({"version":"2.0","routeKey":"$default","rawPath":"/x","requestContext":{"http":{"method":"GET"}},"queryStringParameters":{"q": line}});
        let mut out = Vec::new();
        insp.inspect(&InputView::new(&e), &mut out);
        n += 1;
        if !out.is_empty() {
            f += 1;
        }
        if !out.is_empty() || show_all {
            println!(
                "{:?}\t{}",
                out.iter().map(|x| x.rule.to_string()).collect::<Vec<_>>(),
                line
            );
        }
    }
    eprintln!("{f}/{n} flagged");
}
