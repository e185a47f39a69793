//! Secrets in memory: [`Sensitive<T>`] and the invocation-scoped [`store`].
//!
//! A `Sensitive<T>` wipes its value when dropped and prints `[REDACTED]`; the only way to read it
//! is [`Sensitive::expose_secret`]. The store keeps sensitive values for the current invocation;
//! the guard zeroizes them when the invocation ends (also after an error or a denial), so a value
//! cached by one tenant's invocation is gone before the next event is handed over.
//!
//! ```
//! use lambda_guard::hygiene::{store, Sensitive};
//! let key = Sensitive::new(String::from("s3cr3t"));
//! assert_eq!(format!("{key:?}"), "[REDACTED]");
//! store::put("api-key", b"s3cr3t".to_vec());
//! assert_eq!(store::get("api-key").unwrap().expose_secret(), b"s3cr3t");
//! assert_eq!(store::clear_all(), 1);
//! assert!(store::get("api-key").is_none());
//! ```
//!
//! What is guaranteed: the value's own heap buffer is overwritten with zeros before it is freed.
//! What is not: copies the compiler or a library made on the way (moves of the handle itself are
//! fine, the buffer does not move, but a `String` that grew was reallocated and its old buffer
//! freed unwiped), and memory paged out (no `mlock`). The optional
//! [`ZeroizingAlloc`](crate::hygiene::ZeroizingAlloc) closes the first gap for the whole process.

use serde_json::Value;
use std::fmt;
use zeroize::Zeroize;

/// A value that is zeroized when dropped and never printed.
pub struct Sensitive<T: Zeroize>(T);

impl<T: Zeroize> Sensitive<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Sensitive<T> {
        Sensitive(value)
    }

    /// The value. Greppable on purpose.
    pub fn expose_secret(&self) -> &T {
        &self.0
    }

    /// The value, mutably.
    pub fn expose_secret_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: Zeroize> Drop for Sensitive<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl<T: Zeroize + Clone> Clone for Sensitive<T> {
    fn clone(&self) -> Self {
        Sensitive(self.0.clone())
    }
}

impl<T: Zeroize> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Sensitive(value)
    }
}

/// Overwrites every string (keys included) of a JSON document with zeros, in place, and empties
/// it. The guard does this to its own copies of the event once it is done with them.
pub fn zeroize_value(value: &mut Value) {
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => {
            for item in items.iter_mut() {
                zeroize_value(item);
            }
            items.clear();
        }
        Value::Object(map) => {
            for (mut key, mut item) in std::mem::take(map) {
                key.zeroize();
                zeroize_value(&mut item);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
    *value = Value::Null;
}

/// The invocation-scoped store: sensitive values a handler wants to keep while an invocation
/// runs (decrypted keys, tokens, documents). The guard zeroizes the entries of an invocation when
/// it ends; entries put outside any guarded invocation (at init) stay until [`clear_all`].
pub mod store {
    use super::Sensitive;
    use std::sync::{Mutex, MutexGuard};

    struct Entry {
        invocation: u64,
        key: Sensitive<String>,
        value: Sensitive<Vec<u8>>,
    }

    static STORE: Mutex<Vec<Entry>> = Mutex::new(Vec::new());

    fn lock() -> MutexGuard<'static, Vec<Entry>> {
        STORE.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stores `value` under `key` for the current invocation, replacing (and zeroizing) a
    /// previous value under that key.
    pub fn put(key: impl Into<String>, value: impl Into<Vec<u8>>) {
        let entry = Entry {
            invocation: crate::hygiene::current_invocation(),
            key: Sensitive::new(key.into()),
            value: Sensitive::new(value.into()),
        };
        let mut store = lock();
        store.retain(|e| e.key.expose_secret() != entry.key.expose_secret());
        store.push(entry);
    }

    /// A copy of the value under `key` (itself wiped when dropped).
    pub fn get(key: &str) -> Option<Sensitive<Vec<u8>>> {
        lock()
            .iter()
            .find(|e| e.key.expose_secret() == key)
            .map(|e| e.value.clone())
    }

    /// Calls `f` with every key and value in the store, whatever invocation put them.
    pub fn for_each(mut f: impl FnMut(&str, &[u8])) {
        for e in lock().iter() {
            f(e.key.expose_secret(), e.value.expose_secret());
        }
    }

    /// Entries in the store.
    pub fn len() -> usize {
        lock().len()
    }

    /// True when the store is empty.
    pub fn is_empty() -> bool {
        lock().is_empty()
    }

    /// Zeroizes and removes the entries of one invocation; returns how many.
    pub fn clear_invocation(invocation: u64) -> usize {
        let mut store = lock();
        let before = store.len();
        store.retain(|e| e.invocation != invocation);
        before - store.len()
    }

    /// Zeroizes and removes the entries put by any invocation (not those put at init); returns
    /// how many.
    pub fn clear_invocations() -> usize {
        let mut store = lock();
        let before = store.len();
        store.retain(|e| e.invocation == 0);
        before - store.len()
    }

    /// Zeroizes and removes every entry; returns how many.
    pub fn clear_all() -> usize {
        let mut store = lock();
        let n = store.len();
        store.clear();
        store.shrink_to_fit();
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_is_emptied() {
        let mut v = serde_json::json!({"secret": "abc", "list": ["def", {"k": "ghi"}], "n": 1});
        zeroize_value(&mut v);
        assert_eq!(v, Value::Null);
    }

    #[test]
    fn sensitive_is_redacted() {
        let s = Sensitive::new(vec![1u8, 2, 3]);
        assert_eq!(format!("{s:?}"), "[REDACTED]");
        assert_eq!(s.expose_secret(), &[1, 2, 3]);
    }
}
