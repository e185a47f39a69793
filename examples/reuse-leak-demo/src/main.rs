//! `reuse-leak-demo`: what a reused Lambda execution environment carries from one tenant's
//! invocation to the next, with and without lambda-guard's hygiene (see the README).
//!
//! Event: `{"tenant": string, "secret": string, "document": string}`. Each invocation first
//! collects everything left over by earlier invocations (every file under the temporary
//! directory, name and contents, and every entry of the invocation-scoped store) and returns it
//! as `{"found": [...]}`; then, as careless code does, it writes the secret and the document to a
//! file under the temporary directory and keeps them in the store.

use lambda_guard::hygiene::{store, ZeroizingAlloc};
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Wipes freed heap blocks while hygiene is on (the guard switches it off with `GUARD_HYGIENE=off`).
#[global_allocator]
static ALLOC: ZeroizingAlloc = ZeroizingAlloc::system();

#[derive(Deserialize)]
struct Event {
    tenant: String,
    secret: String,
    document: String,
}

#[derive(Serialize)]
struct Found {
    found: Vec<String>,
}

/// The directory the demo treats as `/tmp`: `GUARD_TMP_DIR` when set (local runs), else `/tmp`.
fn tmp_dir() -> PathBuf {
    std::env::var_os("GUARD_TMP_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp"))
}

/// Every file under `dir`, as `file <path>: <contents>` (links are not followed).
fn collect_files(dir: &Path, found: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => collect_files(&path, found),
            Ok(t) if t.is_file() => {
                let contents = std::fs::read(&path).unwrap_or_default();
                found.push(format!(
                    "file {}: {}",
                    path.display(),
                    String::from_utf8_lossy(&contents)
                ));
            }
            _ => found.push(format!("entry {}", path.display())),
        }
    }
}

async fn handler(event: LambdaEvent<Event>) -> Result<Found, Error> {
    let Event {
        tenant,
        secret,
        document,
    } = event.payload;
    let tmp = tmp_dir();

    // 1. What did earlier invocations leave behind?
    let mut found = Vec::new();
    collect_files(&tmp, &mut found);
    store::for_each(|key, value| {
        found.push(format!("store {key}: {}", String::from_utf8_lossy(value)));
    });

    // 2. Careless code: the secret and the document go to /tmp and to a process-wide cache.
    let safe_tenant: String = tenant
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    std::fs::write(
        tmp.join(format!("{safe_tenant}-notes.txt")),
        format!("{secret}\n{document}"),
    )?;
    store::put(format!("{safe_tenant}.secret"), secret.into_bytes());
    store::put(format!("{safe_tenant}.document"), document.into_bytes());

    Ok(Found { found })
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_guard::run(service_fn(handler)).await
}
