//! Values already found clean in this event. Events repeat values (the same status, date, tag
//! or note in every record of a batch or every item of a body array, the same keys in every
//! object): one that no detector hit is not run through the detectors again.
//!
//! Detectors see a value's text, its role and its path, so the memo is keyed on all three, the
//! path with its array indices left out: records and items of one array are one place (no
//! detector tells `$.Records[0]` from `$.Records[7]`; `LINE_FIELDS` and the like are prefixes
//! of member names). Bounded: past [`BUDGET`] bytes nothing more is remembered; and only from
//! the [`WARM_UP`]th costly value of an event on.

use crate::trigger::{Field, FieldRole};
use std::collections::HashSet;

/// Bytes of keys remembered per event at most.
const BUDGET: usize = 256 << 10;
/// Longer values are not remembered (rarely repeated, and costly to hash twice).
const LONGEST: usize = 512;
/// Costly values an event shows before any is remembered: a small event (one API request)
/// rarely repeats one, and hashing would only add to its cost.
const WARM_UP: usize = 48;

#[derive(Debug, Default)]
pub(crate) struct Seen {
    /// `role, path without indices, NUL, text`; hashed with aHash, keyed per process (as
    /// std's SipHash, so attacker chosen keys cannot force collisions) at a third of its cost.
    clean: HashSet<Box<[u8]>, ahash::RandomState>,
    bytes: usize,
    key: Vec<u8>,
    asked: usize,
}

impl Seen {
    /// Prepares the key of `field`; whether it was already found clean.
    pub(crate) fn contains(&mut self, field: &Field<'_>) -> bool {
        self.key.clear();
        self.asked += 1;
        if self.asked <= WARM_UP || field.text.len() > LONGEST {
            return false;
        }
        if self.clean.capacity() == 0 {
            self.clean.reserve(256);
        }
        self.key.push(match field.role {
            FieldRole::Key => b'k',
            FieldRole::Value => b'v',
        });
        // Each `[digits]` becomes `[]`. Byte by byte: paths are short, and a search and a
        // copy per run cost more than the loop.
        let path = field.path.as_str().as_bytes();
        self.key.reserve(path.len() + field.text.len() + 1);
        let mut i = 0;
        while i < path.len() {
            let c = path[i];
            self.key.push(c);
            i += 1;
            if c == b'[' {
                let digits = path[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                if digits > 0 && path.get(i + digits) == Some(&b']') {
                    i += digits;
                }
            }
        }
        self.key.push(0);
        self.key.extend_from_slice(field.text.as_bytes());
        self.clean.contains(self.key.as_slice())
    }

    /// Remembers the field last passed to [`Seen::contains`] as clean.
    pub(crate) fn insert_last(&mut self) {
        if self.key.is_empty() || self.bytes + self.key.len() > BUDGET {
            return;
        }
        self.bytes += self.key.len();
        self.clean.insert(self.key.as_slice().into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trigger::InputView;
    use serde_json::json;

    fn warm() -> Seen {
        Seen {
            asked: WARM_UP,
            ..Seen::default()
        }
    }

    /// `(path, seen before)` of every field of `event`, each remembered as clean after.
    fn walk(event: &serde_json::Value, seen: &mut Seen) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        InputView::new(event).for_each(|f| {
            let before = seen.contains(f);
            seen.insert_last();
            out.push((f.path.to_string(), before));
        });
        out
    }

    #[test]
    fn array_items_are_one_place_members_and_roles_are_not() {
        let event = json!({"a": ["x", "x", {"x": "x"}], "b": "x"});
        let seen: Vec<_> = walk(&event, &mut warm())
            .into_iter()
            .map(|(p, before)| format!("{p}{}", if before { " again" } else { "" }))
            .collect();
        assert_eq!(
            seen,
            [
                "$.a",
                "$.a[0]",
                "$.a[1] again",
                "$.a[2].x",
                "$.a[2].x",
                "$.b",
                "$.b"
            ]
        );
    }

    #[test]
    fn small_events_are_not_remembered() {
        let event = json!({"k": vec!["x"; WARM_UP]});
        let mut seen = Seen::default();
        assert!(walk(&event, &mut seen).iter().all(|f| !f.1));
        assert!(walk(&event, &mut seen).iter().skip(1).all(|f| f.1));
    }

    #[test]
    fn long_values_and_values_past_the_budget_are_not_remembered() {
        let long = "y".repeat(LONGEST + 1);
        let mut seen = warm();
        assert!(walk(&json!({"k": [&long, &long]}), &mut seen)
            .iter()
            .all(|f| !f.1));
        let many: Vec<String> = (0..BUDGET / 8).map(|i| format!("{i:08}")).collect();
        walk(&json!({"k": many}), &mut seen);
        assert!(seen.bytes <= BUDGET);
        assert!(!walk(&json!({"k": ["past the budget"]}), &mut seen)[1].1);
        assert!(!walk(&json!({"k": ["past the budget"]}), &mut seen)[1].1);
    }
}
