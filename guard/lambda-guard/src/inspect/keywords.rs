//! The keyword automaton behind [`super::subject::Tables::scan`]: every occurrence of every
//! keyword (overlapping, ASCII case-insensitive) in one pass, fused with the byte-class summary.
//!
//! A dense Aho-Corasick DFA built here rather than by the `aho-corasick` crate: its general
//! builder spent 58 M instructions (about 6 ms, most of init) on the ~1,000 keywords, where the
//! textbook construction over a few dozen byte columns takes a tenth of that. The scan loop
//! also gets simpler: one table lookup gives a byte's class bits and its column, case folded
//! in; match states are numbered last, so "is this a match" is one comparison.

/// What a keyword stands for, OR-ed over every keyword a match state ends.
pub(crate) type Bits = (u32, u32, u32);

fn union(a: Bits, b: Bits) -> Bits {
    (a.0 | b.0, a.1 | b.1, a.2 | b.2)
}

#[derive(Debug)]
pub(crate) struct Keywords {
    /// Per byte: its [`super::subject::class`] bits (low 32) and its column (high 32), the
    /// column of its ASCII lowercase.
    byte: [u64; 256],
    /// `trans[state + column]` is the next state; states are premultiplied (`index * stride`).
    trans: Vec<u32>,
    stride: u32,
    /// States from here up are match states.
    match_from: u32,
    /// Per match state (`(state - match_from) / stride`): the bits of every keyword it ends.
    bits: Vec<Bits>,
}

/// The facts one pass finds: byte classes and the keyword bits seen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) cls: u32,
    pub(crate) bits: Bits,
}

impl Keywords {
    /// The automaton of `keywords` (lower-case; empty ones are ignored), over bytes classed by
    /// `classes`; `Err` if the table would not fit its 32-bit state ids.
    pub(crate) fn new<'k>(
        keywords: impl IntoIterator<Item = (&'k [u8], Bits)>,
        classes: &[u32; 256],
    ) -> Result<Keywords, String> {
        let keywords: Vec<(&[u8], Bits)> = keywords
            .into_iter()
            .filter(|(k, _)| !k.is_empty())
            .collect();
        // Column 0 is every byte no keyword holds: from any state it leads where a mismatch does.
        let mut column = [0u8; 256];
        let mut columns = 1usize;
        for (k, _) in &keywords {
            for &b in *k {
                let b = b.to_ascii_lowercase();
                if column[usize::from(b)] == 0 {
                    column[usize::from(b)] = u8::try_from(columns)
                        .map_err(|_| "more than 255 distinct keyword bytes".to_owned())?;
                    columns += 1;
                }
            }
        }
        let stride = columns;
        // The trie, sparse; state 0 is the root.
        let mut children: Vec<Vec<(usize, usize)>> = vec![Vec::new()];
        let mut out: Vec<Bits> = vec![(0, 0, 0)];
        for &(k, bits) in &keywords {
            let mut s = 0;
            for &b in k {
                let c = usize::from(column[usize::from(b.to_ascii_lowercase())]);
                s = match children[s].iter().find(|(col, _)| *col == c) {
                    Some(&(_, child)) => child,
                    None => {
                        let new = out.len();
                        children[s].push((c, new));
                        children.push(Vec::new());
                        out.push((0, 0, 0));
                        new
                    }
                };
            }
            out[s] = union(out[s], bits);
        }
        // Failure links and outputs, breadth first on the sparse trie (a state ends every
        // keyword its failure state ends), so that match states can be numbered last before
        // the dense table is written.
        let states = out.len();
        u32::try_from(states * stride).map_err(|_| "keyword table over 4 G entries".to_owned())?;
        let goto = |s: usize, c: usize| children[s].iter().find(|e| e.0 == c).map(|e| e.1);
        let mut fail = vec![0usize; states];
        let mut bfs = Vec::with_capacity(states);
        bfs.push(0);
        let mut next = 0;
        while let Some(&s) = bfs.get(next) {
            next += 1;
            for &(c, child) in &children[s] {
                if s != 0 {
                    let mut f = fail[s];
                    fail[child] = loop {
                        match goto(f, c) {
                            Some(t) => break t,
                            None if f == 0 => break 0,
                            None => f = fail[f],
                        }
                    };
                }
                out[child] = union(out[child], out[fail[child]]);
                bfs.push(child);
            }
        }
        // Premultiplied ids: states that end no keyword first (the root stays 0), match
        // states last, each breadth first: the shallow states a scan visits most share cache
        // lines.
        let mut id = vec![0u32; states];
        let mut matches = Vec::new();
        let mut n = 0;
        for &s in &bfs {
            if out[s] == (0, 0, 0) {
                id[s] = (n * stride) as u32;
                n += 1;
            } else {
                matches.push(s);
            }
        }
        let first_match = n;
        for &s in &matches {
            id[s] = (n * stride) as u32;
            n += 1;
        }
        // Dense rows in breadth-first order: a state's row is its failure state's (shallower,
        // already written) with its own children written over.
        let mut trans = vec![0u32; states * stride];
        for &s in &bfs {
            let row = id[s] as usize;
            if s != 0 {
                let from = id[fail[s]] as usize;
                trans.copy_within(from..from + stride, row);
            }
            for &(c, child) in &children[s] {
                trans[row + c] = id[child];
            }
        }
        let mut byte = [0u64; 256];
        for (b, slot) in byte.iter_mut().enumerate() {
            let folded = usize::from((b as u8).to_ascii_lowercase());
            *slot = u64::from(classes[b]) | u64::from(column[folded]) << 32;
        }
        Ok(Keywords {
            byte,
            trans,
            stride: stride as u32,
            match_from: (first_match * stride) as u32,
            bits: matches.iter().map(|&s| out[s]).collect(),
        })
    }

    /// Byte classes of `text` and the bits of every keyword occurrence in it.
    #[inline]
    pub(crate) fn scan(&self, text: &[u8]) -> Found {
        // The columns OR-ed into the high half are dropped at the end.
        let mut cls = 0u64;
        let mut bits = (0, 0, 0);
        let mut sid = 0u32;
        for &b in text {
            let e = self.byte[usize::from(b)];
            cls |= e;
            sid = self.trans[sid as usize + (e >> 32) as usize];
            if sid >= self.match_from {
                bits = union(
                    bits,
                    self.bits[((sid - self.match_from) / self.stride) as usize],
                );
            }
        }
        Found {
            cls: cls as u32,
            bits,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{union, Bits, Found, Keywords};
    use aho_corasick::{AhoCorasick, MatchKind};
    use proptest::prelude::*;

    const WORDS: &[&str] = &[
        "he", "she", "his", "hers", "select", "sel", "elect", "union", "on", "..", "../", "${",
        "<!", "a", "∕",
    ];

    fn bits_of(i: usize) -> Bits {
        (1 << (i % 32), 1 << ((i * 7) % 32), 1 << ((i * 13) % 32))
    }

    fn automaton() -> Keywords {
        let words = WORDS
            .iter()
            .enumerate()
            .map(|(i, w)| (w.as_bytes(), bits_of(i)));
        Keywords::new(words, &crate::inspect::subject::class::TABLE).unwrap()
    }

    /// What the `aho-corasick` crate's overlapping search over the lowercased text finds.
    fn reference(text: &[u8]) -> Found {
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(WORDS)
            .unwrap();
        let lower = text.to_ascii_lowercase();
        let mut bits = (0, 0, 0);
        for m in ac.find_overlapping_iter(&lower) {
            bits = union(bits, bits_of(m.pattern().as_usize()));
        }
        let cls = text.iter().fold(0, |c, &b| {
            c | crate::inspect::subject::class::TABLE[usize::from(b)]
        });
        Found { cls, bits }
    }

    #[test]
    fn finds_overlapping_and_nested_keywords_case_folded() {
        let k = automaton();
        for text in [
            "",
            "x",
            "ushers",
            "USHERS",
            "SeLeCt",
            "a UNION b",
            "../..",
            "${",
            "∕",
            "<!--",
            "sheselect",
            "hishe",
            "éa",
        ] {
            assert_eq!(
                k.scan(text.as_bytes()),
                reference(text.as_bytes()),
                "{text:?}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]
        /// Text made of keyword pieces and stray bytes: the automaton finds what the
        /// reference finds.
        #[test]
        fn agrees_with_aho_corasick(parts in prop::collection::vec(
            prop_oneof![
                prop::sample::select(WORDS).prop_map(|w| w.as_bytes().to_vec()),
                prop::sample::select(WORDS).prop_map(|w| w.to_ascii_uppercase().into_bytes()),
                any::<u8>().prop_map(|b| vec![b]),
            ],
            0..24,
        )) {
            let text = parts.concat();
            prop_assert_eq!(automaton().scan(&text), reference(&text));
        }
    }

    /// The real word lists (every gate needle): texts of random pieces of them, case
    /// flipped, with stray bytes between, agree with the reference on every keyword's bits.
    #[test]
    fn agrees_on_the_gate_needles() {
        let words: Vec<Vec<u8>> = crate::inspect::subject::gate::all()
            .iter()
            .map(|(n, _)| n.as_bytes().to_ascii_lowercase())
            .collect();
        let bit =
            |i: usize| -> Bits { (1 << (i % 32), 1 << ((i / 32) % 32), 1 << ((i / 1024) % 32)) };
        let ours = Keywords::new(
            words
                .iter()
                .enumerate()
                .map(|(i, w)| (w.as_slice(), bit(i))),
            &crate::inspect::subject::class::TABLE,
        )
        .unwrap();
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&words)
            .unwrap();
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..3_000 {
            let mut text = Vec::new();
            for _ in 0..next() % 12 {
                let r = next();
                let w = &words[r as usize % words.len()];
                let (from, to) = (
                    (r >> 20) as usize % w.len(),
                    (r >> 40) as usize % (w.len() + 1),
                );
                let piece = if r & 1 == 0 {
                    &w[..]
                } else {
                    &w[from.min(to)..from.max(to)]
                };
                if r & 2 == 0 {
                    text.extend(piece.to_ascii_uppercase());
                } else {
                    text.extend_from_slice(piece);
                }
                if r & 4 == 0 {
                    text.push((r >> 8) as u8);
                }
            }
            let lower = text.to_ascii_lowercase();
            let want = ac
                .find_overlapping_iter(&lower)
                .fold((0, 0, 0), |a, m| union(a, bit(m.pattern().as_usize())));
            assert_eq!(
                ours.scan(&text).bits,
                want,
                "{:?}",
                String::from_utf8_lossy(&text)
            );
        }
    }
}
