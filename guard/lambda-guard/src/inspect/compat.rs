//! Characters whose compatibility form (Unicode NFKC) is ASCII, folded to it: full-width forms
//! (`＜script＞`), small forms (`﹤`), mathematical letters (`𝐬𝐞𝐥𝐞𝐜𝐭`), circled and
//! parenthesized digits and letters, super- and subscripts, `ſ`, the Greek question mark (`;`),
//! ligatures and leaders (`‥` is `..`). Applications that normalize their input read these as
//! ASCII: NFKC is how Python reads identifiers, how Django and many sign-up forms store user
//! names, and what IDNA does to host names.
//!
//! The table (`compat_table`) is generated from Unicode's data by the
//! test below (`LAMBDA_GUARD_WRITE_COMPAT=src/inspect/compat_table.rs cargo test -p
//! lambda-guard compat`), which also fails when the two drift apart.

use super::compat_table::TABLE;

/// Whether a byte may start the UTF-8 of a character the table folds.
static LEAD: [bool; 256] = {
    let mut lead = [false; 256];
    let mut i = 0;
    while i < TABLE.len() {
        let (first, last, _) = TABLE[i];
        let mut cp = first;
        while cp <= last {
            let b = if cp < 0x800 {
                0xc0 | (cp >> 6)
            } else if cp < 0x10000 {
                0xe0 | (cp >> 12)
            } else {
                0xf0 | (cp >> 18)
            };
            lead[b as usize] = true;
            cp += 1;
        }
        i += 1;
    }
    lead
};

/// A bit per 16 code points: whether the table holds any of them. Most non-ASCII characters
/// of real text (dashes, quotes, accents, CJK) are turned away here, without a search.
static BLOCKS: [u64; 0x110000 / 16 / 64] = {
    let mut blocks = [0u64; 0x110000 / 16 / 64];
    let mut i = 0;
    while i < TABLE.len() {
        let (first, last, _) = TABLE[i];
        let mut cp = first;
        while cp <= last {
            blocks[(cp >> 10) as usize] |= 1 << ((cp >> 4) & 63);
            cp += 1;
        }
        i += 1;
    }
    blocks
};

/// What `c` folds to, if the table has it.
fn lookup(c: char) -> Option<Folded> {
    let cp = c as u32;
    if BLOCKS[(cp >> 10) as usize] >> ((cp >> 4) & 63) & 1 == 0 {
        return None;
    }
    let i = TABLE.partition_point(|e| e.0 <= cp).checked_sub(1)?;
    let (first, last, ascii) = TABLE[i];
    if cp > last {
        return None;
    }
    Some(if first == last {
        Folded::Text(ascii)
    } else {
        // A run of consecutive characters onto consecutive ASCII (`Ａ`..`Ｚ`).
        Folded::Byte(ascii.as_bytes()[0] + (cp - first) as u8)
    })
}

enum Folded {
    Text(&'static str),
    Byte(u8),
}

/// Whether [`fold`] would change `text`: most non-ASCII text (accents, dashes, quotes, CJK)
/// has nothing to fold, and is then not copied.
pub(crate) fn folds(text: &str) -> bool {
    let Some(start) = text.bytes().position(|b| LEAD[usize::from(b)]) else {
        return false;
    };
    text[start..]
        .chars()
        .any(|c| !c.is_ascii() && lookup(c).is_some())
}

/// `text` with every character the table holds folded to ASCII, or `None` when it holds none.
pub(crate) fn fold(text: &str) -> Option<String> {
    let start = text.bytes().position(|b| LEAD[usize::from(b)])?;
    let mut out: Option<String> = None;
    for (i, c) in text[start..].char_indices() {
        let folded = if c.is_ascii() { None } else { lookup(c) };
        match (folded, out.as_mut()) {
            (Some(f), _) => {
                let o = out.get_or_insert_with(|| {
                    let mut o = String::with_capacity(text.len());
                    o.push_str(&text[..start + i]);
                    o
                });
                match f {
                    Folded::Text(t) => o.push_str(t),
                    Folded::Byte(b) => o.push(char::from(b)),
                }
            }
            (None, Some(o)) => o.push(c),
            (None, None) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every non-ASCII character whose NFKC is ASCII, by Unicode's data (ICU), as runs.
    fn from_unicode() -> Vec<(u32, u32, String)> {
        let nfkc = icu_normalizer::ComposingNormalizerBorrowed::new_nfkc();
        let mut runs: Vec<(u32, u32, String)> = Vec::new();
        for c in (0x80..=0x10ffff).filter_map(char::from_u32) {
            let mut buf = [0; 4];
            let n = nfkc.normalize(c.encode_utf8(&mut buf));
            if n.is_empty() || !n.is_ascii() {
                continue;
            }
            let cp = c as u32;
            match runs.last_mut() {
                Some((first, last, to))
                    if *last + 1 == cp
                        && to.len() == 1
                        && n.len() == 1
                        && u32::from(n.as_bytes()[0])
                            == u32::from(to.as_bytes()[0]) + cp - *first =>
                {
                    *last = cp;
                }
                _ => runs.push((cp, cp, n.into_owned())),
            }
        }
        runs
    }

    #[test]
    fn the_table_is_unicodes_nfkc_to_ascii() {
        let unicode = from_unicode();
        if let Ok(path) = std::env::var("LAMBDA_GUARD_WRITE_COMPAT") {
            let mut src = String::from(
                "//! Generated by `inspect::compat`'s test from Unicode's data (ICU's NFKC); do not edit.\n\n\
                 /// `(first, last, ascii)`: characters `first..=last` fold to `ascii` (a run of more than\n\
                 /// one onto consecutive ASCII characters from `ascii`'s).\n\
                 pub(crate) static TABLE: &[(u32, u32, &str)] = &[\n",
            );
            for (first, last, to) in &unicode {
                src.push_str(&format!("    (0x{first:x}, 0x{last:x}, {to:?}),\n"));
            }
            src.push_str("];\n");
            std::fs::write(path, src).expect("write the table");
        }
        let ours: Vec<(u32, u32, String)> = TABLE
            .iter()
            .map(|(f, l, t)| (*f, *l, (*t).to_owned()))
            .collect();
        assert_eq!(ours, unicode, "regenerate: see the module's doc");
    }

    #[test]
    fn folds_what_nfkc_makes_ascii_and_keeps_the_rest() {
        for (text, folded) in [
            ("＜script＞", "<script>"),
            ("﹤svg onload=alert(1)﹥", "<svg onload=alert(1)>"),
            ("𝐮𝐧𝐢𝐨𝐧 𝐬𝐞𝐥𝐞𝐜𝐭", "union select"),
            ("‥/‥/etc/passwd", "../../etc/passwd"),
            ("ſcript", "script"),
            ("a\u{37e} id", "a; id"),
            ("café ①②⑦", "café 127"),
        ] {
            assert_eq!(fold(text).as_deref(), Some(folded), "{text}");
        }
        for plain in ["", "plain", "Grüße — “quoted” – 東京", "ÅÉ"] {
            assert_eq!(fold(plain), None, "{plain}");
        }
    }
}
