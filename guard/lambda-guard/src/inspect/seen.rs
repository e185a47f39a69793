//! Values already found clean in this event. Events repeat values (the same status, date, tag
//! or note in every record of a batch or every item of a body array, the same keys in every
//! object): one that no detector hit is not scanned or run through the detectors again.
//!
//! Detectors see a value's text, its role, its path and how it was decoded, so the memo is
//! keyed on all four, the path with its array indices left out: records and items of one array
//! are one place (no detector tells `$.Records[0]` from `$.Records[7]`; `LINE_FIELDS` and the
//! like are prefixes of member names). Keys are compared whole, never by hash alone. Bounded:
//! past [`BUDGET`] bytes nothing more is remembered; and only from the [`WARM_UP`]th field of
//! an event on.

use crate::trigger::{Field, FieldRole};
use hashbrown::{DefaultHashBuilder, HashTable};
use std::hash::{BuildHasher, Hasher};

/// Bytes of keys remembered per event at most.
const BUDGET: usize = 256 << 10;
/// Longer values are not remembered (rarely repeated, and costly to hash twice).
const LONGEST: usize = 512;
/// Fields an event shows before any is remembered: a small event (one API request) rarely
/// repeats one, and hashing would only add to its cost.
const WARM_UP: usize = 48;

#[derive(Debug, Default)]
pub(crate) struct Seen {
    /// The keys remembered, one after another (path shape, then text): one buffer, not an
    /// allocation per key.
    arena: Vec<u8>,
    /// `(hash, tag, start, text start, end)` of each key in `arena`. The hasher is seeded per
    /// process (foldhash), so attacker chosen keys cannot be made to collide.
    clean: HashTable<(u64, u32, u32, u32, u32)>,
    hasher: DefaultHashBuilder,
    /// The hash and tag (role and transforms) of the field last asked about; `None` when it
    /// is not to be remembered.
    last: Option<(u64, u32)>,
    asked: usize,
}

impl Seen {
    /// Whether `field` was already found clean; prepares [`Seen::insert_last`].
    #[inline]
    pub(crate) fn contains(&mut self, field: &Field<'_>) -> bool {
        self.last = None;
        self.asked += 1;
        self.asked > WARM_UP && field.text.len() <= LONGEST && self.remembered(field)
    }

    fn remembered(&mut self, field: &Field<'_>) -> bool {
        let role = match field.role {
            FieldRole::Key => 1,
            FieldRole::Value => 0,
        };
        let tag = u32::from(field.transforms.bits()) << 1 | role;
        let (shape, text) = (field.path.shape().as_bytes(), field.text.as_bytes());
        let mut h = self.hasher.build_hasher();
        h.write_u32(tag);
        h.write(shape);
        h.write(text);
        let hash = h.finish();
        self.last = Some((hash, tag));
        let arena = &self.arena;
        self.clean
            .find(hash, |&(h, t, start, mid, end)| {
                let (start, mid, end) = (start as usize, mid as usize, end as usize);
                h == hash && t == tag && arena[start..mid] == *shape && arena[mid..end] == *text
            })
            .is_some()
    }

    /// Remembers `field`, the field last passed to [`Seen::contains`], as clean.
    #[inline]
    pub(crate) fn insert_last(&mut self, field: &Field<'_>) {
        if let Some((hash, tag)) = self.last.take() {
            self.insert(field, hash, tag);
        }
    }

    fn insert(&mut self, field: &Field<'_>, hash: u64, tag: u32) {
        let (shape, text) = (field.path.shape().as_bytes(), field.text.as_bytes());
        if self.arena.len() + shape.len() + text.len() > BUDGET {
            return;
        }
        // Within `BUDGET`, so the offsets fit.
        let start = self.arena.len() as u32;
        self.arena.extend_from_slice(shape);
        let mid = self.arena.len() as u32;
        self.arena.extend_from_slice(text);
        let entry = (hash, tag, start, mid, self.arena.len() as u32);
        self.clean.insert_unique(hash, entry, |e| e.0);
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
            seen.insert_last(f);
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
    fn role_and_decoding_are_part_of_the_place() {
        use crate::trigger::{JsonPath, Transforms};
        let path = JsonPath::root();
        let field = |role, transforms| Field {
            path: &path,
            role,
            text: "line one\r\nline two",
            transforms,
            record: None,
        };
        let mut seen = warm();
        let mail = field(FieldRole::Value, Transforms::MESSAGE);
        assert!(!seen.contains(&mail));
        seen.insert_last(&mail);
        assert!(seen.contains(&mail));
        // The same text read as a line of an e-mail body is not the same text anywhere else.
        assert!(!seen.contains(&field(FieldRole::Value, Transforms::NONE)));
        assert!(!seen.contains(&field(FieldRole::Key, Transforms::MESSAGE)));
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
        assert!(seen.arena.len() <= BUDGET);
        assert!(!walk(&json!({"k": ["past the budget"]}), &mut seen)[1].1);
        assert!(!walk(&json!({"k": ["past the budget"]}), &mut seen)[1].1);
    }
}
