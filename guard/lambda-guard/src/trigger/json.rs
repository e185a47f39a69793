//! Streaming walk of a JSON document carried in a string (SQS bodies, SNS messages, HTTP
//! bodies): keys and string values are handed to a [`Sink`] as `serde_json` parses them, with
//! no `Value` tree built and strings without escapes borrowed from the input.
//!
//! The walk and the check that the text is one document are one pass: the same parser calls
//! `serde_json::from_str::<Value>` makes (`deserialize_any`: same grammar, number range,
//! escape validation and recursion limit), then `end()`. A text that turns out not to be a
//! document has had the strings before its error walked; [`walk`] says so, and the caller walks
//! the text whole as well, as it walks any string. Findings in that prefix stand: they are in
//! the text. Validating first cost a second parse of every body.
//!
//! One difference from walking a parsed `Value`: a key repeated in one object is visited at
//! each occurrence, where the tree kept only the last value. Parsers disagree on which one an
//! application sees, so every one is inspected.

use super::view::Mark;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// What a walk reports, in document order.
pub(crate) trait Sink {
    /// An object member's key: extends the path (returns the mark to restore) and visits the key.
    fn key(&mut self, key: &str) -> Mark;
    /// An array item: extends the path, returns the mark to restore.
    fn index(&mut self, index: usize) -> Mark;
    /// Restores the path to `mark`.
    fn leave(&mut self, mark: Mark);
    /// A string value.
    fn string(&mut self, text: &str);
    /// An array of at least four byte values (`[104, 105, …]`, Kafka header values), after its
    /// items were walked.
    fn byte_array(&mut self, bytes: Vec<u8>);
}

/// Walks `text` into `sink`; whether it was one JSON document (`serde_json::from_str::<Value>`
/// accepts it). When not, the walk stopped at the error.
pub(crate) fn walk(text: &str, sink: &mut impl Sink) -> bool {
    let mut de = serde_json::Deserializer::from_str(text);
    Node(sink).deserialize(&mut de).is_ok() && de.end().is_ok()
}

/// What a value was, as far as its parent array needs to know.
enum Item {
    Byte(u8),
    Other,
}

/// Walks one value into the sink.
struct Node<'s, S>(&'s mut S);

impl<'de, S: Sink> DeserializeSeed<'de> for Node<'_, S> {
    type Value = Item;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Item, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, S: Sink> Visitor<'de> for Node<'_, S> {
    type Value = Item;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    // Numbers, booleans and null cannot carry an injection.
    fn visit_bool<E>(self, _: bool) -> Result<Item, E> {
        Ok(Item::Other)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Item, E> {
        Ok(Item::Other)
    }
    fn visit_u64<E>(self, n: u64) -> Result<Item, E> {
        Ok(u8::try_from(n).map_or(Item::Other, Item::Byte))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Item, E> {
        Ok(Item::Other)
    }
    fn visit_unit<E>(self) -> Result<Item, E> {
        Ok(Item::Other)
    }
    fn visit_str<E>(self, text: &str) -> Result<Item, E> {
        self.0.string(text);
        Ok(Item::Other)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Item, A::Error> {
        // Byte values are collected while every item so far is one.
        let mut bytes = Some(Vec::new());
        for i in 0.. {
            let mark = self.0.index(i);
            let item = seq.next_element_seed(Node(&mut *self.0));
            self.0.leave(mark);
            match item? {
                None => break,
                Some(Item::Byte(b)) => {
                    if let Some(bytes) = &mut bytes {
                        bytes.push(b);
                    }
                }
                Some(Item::Other) => bytes = None,
            }
        }
        if let Some(bytes) = bytes.filter(|b| b.len() >= 4) {
            self.0.byte_array(bytes);
        }
        Ok(Item::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Item, A::Error> {
        while let Some(mark) = map.next_key_seed(Key(&mut *self.0))? {
            let value = map.next_value_seed(Node(&mut *self.0));
            self.0.leave(mark);
            value?;
        }
        Ok(Item::Other)
    }
}

/// Visits one object key.
struct Key<'s, S>(&'s mut S);

impl<'de, S: Sink> DeserializeSeed<'de> for Key<'_, S> {
    type Value = Mark;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Mark, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de, S: Sink> Visitor<'de> for Key<'_, S> {
    type Value = Mark;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_str<E>(self, key: &str) -> Result<Mark, E> {
        Ok(self.0.key(key))
    }
}
