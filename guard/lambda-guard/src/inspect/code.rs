//! Server-side code injection: PHP, Java (EL/OGNL/reflection), Node.js and Python payloads, and
//! serialized-object gadgets. Function names count only as *calls* (whitespace and comments
//! allowed before the parenthesis, an argument that looks like code inside); object and class
//! names count where they start a token.

use super::subject::{
    class, find, find_iter, gate, is_word, last_key, skip_space, source_position, Hit, Needs,
    Subject, Tables,
};
use crate::trigger::FieldRole;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A function name: must be called.
    Call,
    /// A marker that is code wherever it starts a token.
    Token,
    /// A pickle `GLOBAL` opcode's module line (`cos\n`): code when the next line names a
    /// callable (`system\n`), what `pickle.loads` imports and then calls.
    PickleGlobal,
    /// A JDBC URL's driver prefix: code when the URL sets a property that runs code or reads
    /// files on connect (H2 `INIT=RUNSCRIPT`, MySQL `autoDeserialize`, PostgreSQL
    /// `socketFactory`).
    Jdbc,
}

/// `(marker, rule, kind)`; the automaton is built from the markers.
pub(crate) const ENTRIES: &[(&str, &str, Kind)] = &[
    ("<?php", "code.php", Kind::Token),
    ("<?=", "code.php", Kind::Token),
    ("system", "code.php", Kind::Call),
    ("shell_exec", "code.php", Kind::Call),
    ("passthru", "code.php", Kind::Call),
    ("popen", "code.php", Kind::Call),
    ("proc_open", "code.php", Kind::Call),
    ("pcntl_exec", "code.php", Kind::Call),
    ("assert_options", "code.php", Kind::Call),
    ("assert", "code.php", Kind::Call),
    ("base64_decode", "code.php", Kind::Call),
    ("gzinflate", "code.php", Kind::Call),
    ("str_rot13", "code.php", Kind::Call),
    ("file_get_contents", "code.php", Kind::Call),
    ("call_user_func_array", "code.php", Kind::Call),
    ("call_user_func", "code.php", Kind::Call),
    ("create_function", "code.php", Kind::Call),
    ("gzdecode", "code.php", Kind::Call),
    ("gzuncompress", "code.php", Kind::Call),
    ("zlib_decode", "code.php", Kind::Call),
    ("hex2bin", "code.php", Kind::Call),
    ("convert_uudecode", "code.php", Kind::Call),
    ("unserialize", "code.php", Kind::Call),
    ("ini_set", "code.php", Kind::Call),
    ("ini_get_all", "code.php", Kind::Call),
    ("ini_get", "code.php", Kind::Call),
    ("ini_restore", "code.php", Kind::Call),
    ("ini_alter", "code.php", Kind::Call),
    ("set_include_path", "code.php", Kind::Call),
    ("putenv", "code.php", Kind::Call),
    ("fsockopen", "code.php", Kind::Call),
    ("pfsockopen", "code.php", Kind::Call),
    ("stream_socket_client", "code.php", Kind::Call),
    ("show_source", "code.php", Kind::Call),
    ("highlight_file", "code.php", Kind::Call),
    ("phpinfo", "code.php", Kind::Call),
    ("posix_getpwuid", "code.php", Kind::Call),
    ("posix_kill", "code.php", Kind::Call),
    ("posix_setuid", "code.php", Kind::Call),
    ("posix_mkfifo", "code.php", Kind::Call),
    ("file_put_contents", "code.php", Kind::Call),
    ("move_uploaded_file", "code.php", Kind::Call),
    ("readfile", "code.php", Kind::Call),
    ("fopen", "code.php", Kind::Call),
    ("fwrite", "code.php", Kind::Call),
    ("fputs", "code.php", Kind::Call),
    ("register_shutdown_function", "code.php", Kind::Call),
    ("register_tick_function", "code.php", Kind::Call),
    ("array_map", "code.php", Kind::Call),
    ("array_filter", "code.php", Kind::Call),
    ("preg_replace", "code.php", Kind::Call),
    ("mb_ereg_replace", "code.php", Kind::Call),
    ("get_defined_vars", "code.php", Kind::Call),
    ("scandir", "code.php", Kind::Call),
    ("opendir", "code.php", Kind::Call),
    ("print_r", "code.php", Kind::Call),
    ("debug_zval_dump", "code.php", Kind::Call),
    ("parse_str", "code.php", Kind::Call),
    ("chr", "code.php", Kind::Call),
    ("substr", "code.php", Kind::Call),
    ("strrev", "code.php", Kind::Call),
    ("getenv", "code.php", Kind::Call),
    ("include", "code.php", Kind::Call),
    ("include_once", "code.php", Kind::Token),
    ("require_once", "code.php", Kind::Token),
    ("get_defined_functions", "code.php", Kind::Call),
    // What a probe asks first (the PHP build, the host), and the rest of the process API.
    ("phpversion", "code.php", Kind::Call),
    ("php_uname", "code.php", Kind::Call),
    ("get_defined_constants", "code.php", Kind::Call),
    ("posix_setsid", "code.php", Kind::Call),
    ("posix_setpgid", "code.php", Kind::Call),
    ("proc_terminate", "code.php", Kind::Call),
    ("proc_get_status", "code.php", Kind::Call),
    ("proc_nice", "code.php", Kind::Call),
    ("bzdecompress", "code.php", Kind::Call),
    ("apache_child_terminate", "code.php", Kind::Call),
    ("stream_get_contents", "code.php", Kind::Call),
    ("curl_init", "code.php", Kind::Call),
    ("curl_exec", "code.php", Kind::Call),
    ("var_dump", "code.php", Kind::Call),
    ("var_export", "code.php", Kind::Call),
    ("preg_replace_callback", "code.php", Kind::Call),
    ("fputcsv", "code.php", Kind::Call),
    ("escapeshellcmd", "code.php", Kind::Call),
    // Functions that call the callback they are given by name (`usort($a, 'system')`), and
    // `mail()`, whose fifth argument reaches sendmail's command line.
    ("usort", "code.php", Kind::Call),
    ("uasort", "code.php", Kind::Call),
    ("uksort", "code.php", Kind::Call),
    ("array_walk", "code.php", Kind::Call),
    ("array_reduce", "code.php", Kind::Call),
    ("iterator_apply", "code.php", Kind::Call),
    ("ob_start", "code.php", Kind::Call),
    ("set_error_handler", "code.php", Kind::Call),
    ("spl_autoload_register", "code.php", Kind::Call),
    ("forward_static_call", "code.php", Kind::Call),
    ("mail", "code.php", Kind::Call),
    ("$_get", "code.php", Kind::Token),
    ("$_post", "code.php", Kind::Token),
    ("$_request", "code.php", Kind::Token),
    ("$_cookie", "code.php", Kind::Token),
    ("$_server", "code.php", Kind::Token),
    ("$_files", "code.php", Kind::Token),
    ("$_env", "code.php", Kind::Token),
    ("$globals", "code.php", Kind::Token),
    ("php://input", "code.php", Kind::Token),
    ("allow_url_include", "code.php", Kind::Token),
    ("auto_prepend_file", "code.php", Kind::Token),
    // Packages. (Their order here does not matter: `Tables::new` orders markers longest
    // first, so where one marker extends another the longer is found.)
    ("java.lang.", "code.java", Kind::Token),
    ("java.io.", "code.java", Kind::Token),
    ("java.util.", "code.java", Kind::Token),
    ("java.nio.", "code.java", Kind::Token),
    ("java.net.", "code.java", Kind::Token),
    ("javax.", "code.java", Kind::Token),
    ("sun.misc.", "code.java", Kind::Token),
    ("sun.reflect.", "code.java", Kind::Token),
    ("org.omg.", "code.java", Kind::Token),
    ("org.apache.commons", "code.java", Kind::Token),
    ("java.beans", "code.java", Kind::Token),
    ("getruntime", "code.java", Kind::Call),
    ("processbuilder", "code.java", Kind::Token),
    ("getclass", "code.java", Kind::Call),
    ("forname", "code.java", Kind::Call),
    ("getdeclaredmethod", "code.java", Kind::Call),
    ("getmethod", "code.java", Kind::Call),
    ("newinstance", "code.java", Kind::Call),
    ("classloader", "code.java", Kind::Token),
    ("#_memberaccess", "code.java", Kind::Token),
    ("@java.lang", "code.java", Kind::Token),
    ("ognlcontext", "code.java", Kind::Token),
    ("scriptenginemanager", "code.java", Kind::Token),
    ("invokertransformer", "code.java", Kind::Token),
    ("com.sun.org.apache", "code.java", Kind::Token),
    ("org.springframework.context", "code.java", Kind::Token),
    ("jdk.nashorn.", "code.java", Kind::Token),
    ("xwork.methodaccessor", "code.java", Kind::Token),
    ("#context[", "code.java", Kind::Token),
    ("thread.sleep", "code.java", Kind::Call),
    ("child_process", "code.node", Kind::Token),
    ("require", "code.node", Kind::Call),
    ("process.mainmodule", "code.node", Kind::Token),
    ("process.binding", "code.node", Kind::Token),
    ("global.process", "code.node", Kind::Token),
    ("constructor.constructor", "code.node", Kind::Token),
    ("execsync", "code.node", Kind::Call),
    ("spawnsync", "code.node", Kind::Call),
    ("readfilesync", "code.node", Kind::Call),
    ("process.spawn", "code.node", Kind::Call),
    ("console.log", "code.node", Kind::Call),
    ("console.info", "code.node", Kind::Call),
    ("console.warn", "code.node", Kind::Call),
    ("console.error", "code.node", Kind::Call),
    ("console.dir", "code.node", Kind::Call),
    ("__js_function", "code.node", Kind::Token),
    ("process.exit", "code.node", Kind::Call),
    ("process.kill", "code.node", Kind::Call),
    ("process.abort", "code.node", Kind::Call),
    ("process.dlopen", "code.node", Kind::Call),
    ("reflect.construct", "code.node", Kind::Call),
    ("vm.runin", "code.node", Kind::Token),
    // Ruby: shell-outs, evaluation and unsafe loading.
    ("marshal.load", "code.ruby", Kind::Token),
    ("open3.", "code.ruby", Kind::Token),
    ("pty.spawn", "code.ruby", Kind::Call),
    ("class_eval", "code.ruby", Kind::Call),
    ("instance_eval", "code.ruby", Kind::Call),
    ("module_eval", "code.ruby", Kind::Call),
    ("instance_exec", "code.ruby", Kind::Call),
    ("erb.new", "code.ruby", Kind::Call),
    ("kernel.exec", "code.ruby", Kind::Call),
    ("kernel.spawn", "code.ruby", Kind::Call),
    ("io.popen", "code.ruby", Kind::Call),
    ("__import__", "code.python", Kind::Token),
    ("__builtins__", "code.python", Kind::Token),
    ("__globals__", "code.python", Kind::Token),
    ("__subclasses__", "code.python", Kind::Token),
    ("__class__", "code.python", Kind::Token),
    ("__mro__", "code.python", Kind::Token),
    ("os.system", "code.python", Kind::Call),
    ("os.popen", "code.python", Kind::Call),
    ("os.execl", "code.python", Kind::Call),
    ("os.execlp", "code.python", Kind::Call),
    ("os.execv", "code.python", Kind::Call),
    ("os.execve", "code.python", Kind::Call),
    ("os.execvp", "code.python", Kind::Call),
    ("os.spawnl", "code.python", Kind::Call),
    ("os.spawnv", "code.python", Kind::Call),
    ("os.posix_spawn", "code.python", Kind::Call),
    ("commands.getoutput", "code.python", Kind::Call),
    ("commands.getstatusoutput", "code.python", Kind::Call),
    ("importlib.import_module", "code.python", Kind::Call),
    ("getattr", "code.python", Kind::Call),
    ("subprocess.", "code.python", Kind::Token),
    ("pickle.loads", "code.python", Kind::Token),
    ("eval", "code.python", Kind::Call),
    ("exec", "code.python", Kind::Call),
    ("ro0ab", "code.deserialization", Kind::Token),
    ("aced0005", "code.deserialization", Kind::Token),
    ("aaeaaad/////", "code.deserialization", Kind::Token),
    // Java's stream magic `aced0005` in base64 at the two other byte alignments (after one or
    // two bytes of something else).
    ("kztaau", "code.deserialization", Kind::Token),
    ("cs7qaf", "code.deserialization", Kind::Token),
    // Gadget classes of the Commons Collections / JDK deserialization chains (ysoserial):
    // named in a request only by a serialized object or its description.
    (
        "instantiatetransformer",
        "code.deserialization",
        Kind::Token,
    ),
    ("chainedtransformer", "code.deserialization", Kind::Token),
    ("clonetransformer", "code.deserialization", Kind::Token),
    ("instantiatefactory", "code.deserialization", Kind::Token),
    ("prototypeclonefactory", "code.deserialization", Kind::Token),
    (
        "prototypeserializationfactory",
        "code.deserialization",
        Kind::Token,
    ),
    ("whileclosure", "code.deserialization", Kind::Token),
    ("forclosure", "code.deserialization", Kind::Token),
    (
        "annotationinvocationhandler",
        "code.deserialization",
        Kind::Token,
    ),
    ("templatesimpl", "code.deserialization", Kind::Token),
    ("objectdataprovider", "code.deserialization", Kind::Token),
    (
        "system.diagnostics.process",
        "code.deserialization",
        Kind::Token,
    ),
    ("system.windows.data", "code.deserialization", Kind::Token),
    ("@{[", "code.php", Kind::Token),
    ("{php}", "code.php", Kind::Token),
    ("[php]", "code.php", Kind::Token),
    ("_$$nd_func$$_", "code.deserialization", Kind::Token),
    ("process.env", "code.node", Kind::Token),
    ("process[", "code.node", Kind::Token),
    ("com.opensymphony.", "code.java", Kind::Token),
    ("org.apache.struts", "code.java", Kind::Token),
    ("groovy.lang.", "code.java", Kind::Token),
    ("bsh.interpreter", "code.java", Kind::Token),
    // Unsafe YAML loaders build the object a tag names (PyYAML `load`, Ruby Psych, js-yaml's
    // `!!js/function`), SnakeYAML's Java classes above.
    ("!!python/", "code.deserialization", Kind::Token),
    (
        "tag:yaml.org,2002:python/",
        "code.deserialization",
        Kind::Token,
    ),
    ("!ruby/", "code.deserialization", Kind::Token),
    ("!!js/function", "code.deserialization", Kind::Token),
    // Pickle protocol 0: `c<module>\n<name>\n` imports a callable.
    ("cos\n", "code.deserialization", Kind::PickleGlobal),
    ("cposix\n", "code.deserialization", Kind::PickleGlobal),
    ("cnt\n", "code.deserialization", Kind::PickleGlobal),
    ("csubprocess\n", "code.deserialization", Kind::PickleGlobal),
    ("cbuiltins\n", "code.deserialization", Kind::PickleGlobal),
    ("c__builtin__\n", "code.deserialization", Kind::PickleGlobal),
    ("ccommands\n", "code.deserialization", Kind::PickleGlobal),
    ("cpty\n", "code.deserialization", Kind::PickleGlobal),
    ("csocket\n", "code.deserialization", Kind::PickleGlobal),
    ("jdbc:h2:", "code.jdbc", Kind::Jdbc),
    ("jdbc:mysql:", "code.jdbc", Kind::Jdbc),
    ("jdbc:mariadb:", "code.jdbc", Kind::Jdbc),
    ("jdbc:postgresql:", "code.jdbc", Kind::Jdbc),
    ("jdbc:db2:", "code.jdbc", Kind::Jdbc),
];

/// JDBC URL properties that make the driver run code or read or write files on connect.
const JDBC_PROPERTIES: &[&[u8]] = &[
    b"init=",
    b"autodeserialize=true",
    b"queryinterceptors=",
    b"statementinterceptors=",
    b"exceptioninterceptors=",
    b"allowloadlocalinfile=true",
    b"allowurlinlocalinfile=true",
    b"socketfactory=",
    b"sslfactory=",
    b"sslhostnameverifier=",
    b"loggerfile=",
    b"authenticationpluginclassname=",
    b"clientrerouteserverlistjndiname=",
];

/// After a pickle `GLOBAL` module line ending at `en`: the name line of a callable.
fn pickle_name(b: &[u8], en: usize) -> Option<usize> {
    let len = b[en..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.'))
        .count();
    (len > 0 && b.get(en + len) == Some(&b'\n')).then_some(en + len + 1)
}

/// Extensions a web server runs as code rather than serving (`.php5`, `.phtml`, `.jspx`, …):
/// the name of an uploaded file must not end with one.
const SCRIPT_EXTENSIONS: &[&[u8]] = &[
    b"php", b"phtml", b"pht", b"phar", b"phps", b"pgif", b"jsp", b"jspx", b"jspf", b"asp", b"aspx",
    b"asa", b"ashx", b"asmx", b"cfm", b"shtml",
];

/// Keywords that let the upload check run (each extension contains one of them).
const SCRIPT_EXTENSION_KEYS: &[&str] = &[
    "php", "pht", "phar", "pgif", "jsp", "asp", "cfm", "shtml", "sess_",
];

/// What `detect` needs to fire (see [`Needs`]): one of its markers, `<?`, a quoted call, a
/// PHP variable (`$`), a script extension, or an `=` (a `php.ini` line: a class costs less
/// than a keyword per directive in the automaton built at init).
pub(crate) fn needs() -> Needs {
    Needs::classes(class::ANGLE | class::QUOTE | class::DOLLAR | class::EQ)
        .or_gates(gate::CODE_ENTRY | gate::CODE_CALL)
        .or_words(SCRIPT_EXTENSION_KEYS)
        .or_words(&[":{"])
        .or_words(&["while(", "while (", "function", "for(", "for ("])
        .or_gates(gate::CODE_SYNTAX)
        .or_words(LIBRARY_ROOTS)
        .or_words(&["::"])
        .or_words(PICKLED_MODULES)
        .or_words(BREAKOUT_ENDS)
}

/// A call's end followed by a comment or a reopened literal, which [`statement_breakout`] reads.
const BREAKOUT_ENDS: &[&str] = &[
    ");//", ");#", ");/*", "); //", "); #", ")//", ")#", ").'", ").\"",
];

/// Needles of the script syntax [`ruby`], [`python_import`] and [`literal_execute`] read.
pub(crate) const SYNTAX: &[&str] = &["import ", "%x", "open(", "send(", ".execute(", "kernel."];

/// Finds server-side code injection in one value.
pub(crate) fn detect(s: &Subject<'_>, t: &Tables) -> Option<Hit> {
    if !s.has(
        class::PAREN
            | class::DOT
            | class::ANGLE
            | class::DOLLAR
            | class::UNDERSCORE
            | class::QUOTE
            | class::AT,
    ) && !s.has(class::ALPHA | class::DIGIT)
    {
        return None;
    }
    let b = s.bytes();
    if let Some(hit) = script_upload(s).or_else(|| type_name(s)) {
        return Some(hit);
    }
    // The keyword pass saw every marker the automaton could find, case-insensitively. Every
    // call [`entry`] reports has its `(`.
    if s.gate(gate::CODE_ENTRY) || (s.gate(gate::CODE_CALL) && s.has(class::PAREN)) {
        if let Some(hit) = entry(b, t) {
            return Some(hit);
        }
    }
    // `<?` opening PHP code (not `<?xml`), or left open at the end of a value.
    if s.gate(gate::DOM) {
        for p in find_iter(b, b"<?") {
            if b.get(p + 2).is_none_or(|c| c.is_ascii_whitespace()) {
                return Some(Hit::new("code.php", p, p + 2));
            }
        }
    }
    if s.has(class::PAREN) {
        if let Some(hit) = js_code(b) {
            return Some(hit);
        }
    }
    if s.has(class::DOLLAR) {
        if let Some(hit) = variable_call(b).or_else(|| variable_variable(b)) {
            return Some(hit);
        }
    }
    if s.has(class::EQ) {
        if let Some(hit) = ini_directive(b) {
            return Some(hit);
        }
    }
    if s.has(class::COLON) && s.has(class::BRACE) {
        if let Some(hit) = php_serialized(b) {
            return Some(hit);
        }
    }
    // A built name is used: called, assigned or passed (`(`, `=`).
    if s.has(class::QUOTE) && s.has(class::DOT | class::OPS) && s.has(class::PAREN | class::EQ) {
        if let Some(hit) = built_name(b) {
            return Some(hit);
        }
    }
    if s.gate(gate::CODE_SYNTAX) {
        if let Some(hit) = literal_execute(b)
            .or_else(|| ruby(b))
            .or_else(|| python_import(b))
        {
            return Some(hit);
        }
    }
    if s.has(class::PAREN) && s.has(class::SEMI | class::DOT) {
        if let Some(hit) = statement_breakout(b) {
            return Some(hit);
        }
    }
    if s.has(class::QUOTE) && s.has(class::PAREN) {
        return quoted_call(b);
    }
    None
}

/// A value that ends the application's literal and runs a call of its own, then cuts what the
/// application wrote after it: `';exit(md5('x'));#`, `1;die(1);//`, `'.exit(md5(1)).'` —
/// what an `eval` of a string built from input runs (woken by the quote or by
/// [`BREAKOUT_ENDS`]). The original value before it is at most one word, so a line of code
/// (`foo(1); // why`, `x.bar(y);// note`) is not one.
fn statement_breakout(b: &[u8]) -> Option<Hit> {
    let mut i = b.iter().take_while(|c| is_word(**c)).count();
    let quoted = matches!(b.get(i), Some(b'\'' | b'"'));
    i = skip_space(b, i + usize::from(quoted));
    let concat = match b.get(i) {
        Some(b';') => false,
        Some(b'.') if quoted => true,
        _ => return None,
    };
    let name = skip_space(b, i + 1);
    let name_end = name + b[name..].iter().take_while(|c| is_word(**c)).count();
    if name_end == name || b[name].is_ascii_digit() {
        return None;
    }
    // Called as code calls (`exit(`), not as prose puts a remark (`fine (really)`).
    let open = name_end;
    if b.get(open) != Some(&b'(') {
        return None;
    }
    let close = open + group_end(&b[open..])?;
    // Arguments, not words (`(see below)`).
    if b[open..close]
        .windows(3)
        .any(|w| w[0].is_ascii_alphabetic() && w[1] == b' ' && w[2].is_ascii_alphabetic())
    {
        return None;
    }
    let rest = &b[skip_space(b, close + 1)..];
    // The rest commented out to the end of the line, or, after a `.` join, the literal
    // reopened (`.'`) and nothing after it.
    let r = rest.strip_prefix(b";").unwrap_or(rest);
    let r = &r[skip_space(r, 0)..];
    let cut = (r.starts_with(b"//") || r.starts_with(b"#") || r.starts_with(b"/*"))
        && !r.contains(&b'\n')
        || concat
            && matches!(rest.strip_prefix(b"."), Some(r) if matches!(r.trim_ascii(), b"'" | b"\""));
    cut.then(|| Hit::new("code.breakout", i, close + 1))
}

/// Names a payload spells from pieces so that no filter sees them whole.
const BUILT_NAMES: &[&[u8]] = &[
    b"system",
    b"exec",
    b"shell_exec",
    b"passthru",
    b"popen",
    b"proc_open",
    b"pcntl_exec",
    b"assert",
    b"eval",
    b"create_function",
    b"call_user_func",
    b"base64_decode",
    b"file_get_contents",
    b"file_put_contents",
    b"phpinfo",
    b"child_process",
    b"execsync",
    b"__import__",
    b"subprocess",
    b"getruntime",
    b"java.lang.runtime",
    b"processbuilder",
    b"iex",
    b"invoke-expression",
    b"whoami",
];

/// String literals joined by `.` or `+` that spell a function or command name: `'sys'.'tem'`,
/// `"ex"."ec"`, `'child_'+'process'`.
fn built_name(b: &[u8]) -> Option<Hit> {
    // Found by their joins (`'.'`, `" + "`): rarer than quotes in JSON.
    for j in memchr::memchr2_iter(b'.', b'+', b) {
        let q = b[..j].trim_ascii_end();
        let Some(&quote) = q.last().filter(|c| matches!(c, b'\'' | b'"')) else {
            continue;
        };
        if !matches!(b.get(skip_space(b, j + 1)), Some(b'\'' | b'"')) {
            continue;
        }
        let from = (q.len() - 1).saturating_sub(33);
        let Some(p) = memchr::memrchr(quote, &b[from..q.len() - 1]).map(|o| from + o) else {
            continue;
        };
        let Some((value, end, pieces)) = super::cmdi::string_value(b, p) else {
            continue;
        };
        if pieces >= 2 && BUILT_NAMES.contains(&value.as_slice()) {
            // Reported as the language whose marker the name is (`child_process`: Node).
            let rule = ENTRIES
                .iter()
                .find(|e| value.starts_with(e.0.as_bytes()))
                .map_or("code.php", |e| e.1);
            return Some(Hit::new(rule, p, end));
        }
    }
    None
}

/// Groovy runs a string or list literal as a command: `"id".execute()`, `['sh','-c','id'].execute()`.
fn literal_execute(b: &[u8]) -> Option<Hit> {
    for p in find_iter(b, b".execute(") {
        let closed = match p.checked_sub(1).map(|i| b[i]) {
            Some(b']') => true,
            Some(q @ (b'\'' | b'"')) => {
                let from = p.saturating_sub(65);
                memchr::memrchr(q, &b[from..p - 1]).is_some_and(|o| from + o + 1 < p - 1)
            }
            _ => false,
        };
        if closed {
            return Some(Hit::new("code.java", p, p + 9));
        }
    }
    None
}

/// Ruby methods that run a shell or evaluate a name, by their syntax: `%x(id)`,
/// `open('|id')` (Perl's `open(F, "|id")` too), `send(:system, 'id')`, `Kernel.exec "id"`.
fn ruby(b: &[u8]) -> Option<Hit> {
    if let Some(hit) = kernel_call(b) {
        return Some(hit);
    }
    for p in find_iter(b, b"%x") {
        let Some(&open) = b.get(p + 2) else { break };
        let close = match open {
            b'(' => b')',
            b'{' => b'}',
            b'[' => b']',
            b'<' => b'>',
            b'|' | b'!' => open,
            _ => continue,
        };
        let body = &b[p + 3..b.len().min(p + 131)];
        if (p == 0 || !b[p - 1].is_ascii_alphanumeric())
            && memchr::memchr(close, body)
                .is_some_and(|e| body[..e].iter().any(u8::is_ascii_alphabetic))
        {
            return Some(Hit::new("code.ruby", p, p + 3));
        }
    }
    for p in find_iter(b, b"open(") {
        if p > 0 && is_word(b[p - 1]) {
            continue;
        }
        let mut j = skip_space(b, p + 5);
        // Perl's file handle: `open(F, "|id")`.
        let handle = b[j..].iter().take_while(|c| is_word(**c)).count();
        if handle > 0 && b.get(skip_space(b, j + handle)) == Some(&b',') {
            j = skip_space(b, skip_space(b, j + handle) + 1);
        }
        if matches!(b.get(j), Some(b'\'' | b'"'))
            && b.get(j + 1) == Some(&b'|')
            && b.get(skip_space(b, j + 2))
                .is_some_and(u8::is_ascii_alphanumeric)
        {
            return Some(Hit::new("code.ruby", p, j + 2));
        }
    }
    const RUNS: &[&[u8]] = &[
        b"system",
        b"exec",
        b"eval",
        b"spawn",
        b"syscall",
        b"instance_eval",
        b"class_eval",
        b"`",
    ];
    for p in find_iter(b, b"send(") {
        let j = skip_space(b, p + 5);
        if b.get(j) != Some(&b':') {
            continue;
        }
        let name = b[j + 1..]
            .iter()
            .take_while(|c| is_word(**c) || **c == b'`')
            .count();
        if RUNS.contains(&&b[j + 1..j + 1 + name]) {
            return Some(Hit::new("code.ruby", p, j + 1 + name));
        }
    }
    None
}

/// Methods of Ruby's `Kernel` that run a command, evaluate or load code, or end the process.
const KERNEL_METHODS: &[&[u8]] = &[
    b"system",
    b"exec",
    b"spawn",
    b"fork",
    b"exit",
    b"exit!",
    b"abort",
    b"eval",
    b"open",
    b"load",
    b"require",
    b"require_relative",
    b"syscall",
    b"send",
    b"public_send",
    b"`",
    b"instance_eval",
    b"at_exit",
    b"trap",
];

/// Ruby's `Kernel` module named as the receiver of one of [`KERNEL_METHODS`], called with
/// parentheses, with a block, or with arguments or none and no parentheses (Ruby needs none:
/// `Kernel.system 'id'`, `Kernel.exit!`): only code names the module it calls. `Kernel.org`
/// and `Kernel.puts` are not such calls.
fn kernel_call(b: &[u8]) -> Option<Hit> {
    for p in find_iter(b, b"kernel.") {
        if p > 0 && is_word(b[p - 1]) {
            continue;
        }
        let at = p + 7;
        let name = b[at..]
            .iter()
            .take_while(|c| is_word(**c) || matches!(c, b'!' | b'`'))
            .count();
        let called = match b.get(at + name) {
            None | Some(b'(' | b'{' | b';') => true,
            Some(b' ' | b'\t') => matches!(
                b.get(skip_space(b, at + name)),
                None | Some(b'\'' | b'"' | b':' | b'(' | b'{' | b'%' | b'`' | b'0'..=b'9')
            ),
            _ => false,
        };
        if called && KERNEL_METHODS.contains(&&b[at..at + name]) {
            return Some(Hit::new("code.ruby", p, at + name));
        }
    }
    None
}

/// Python modules that run commands or load code.
const PYTHON_MODULES: &[&[u8]] = &[
    b"os",
    b"subprocess",
    b"pty",
    b"ctypes",
    b"commands",
    b"posix",
    b"builtins",
    b"importlib",
];

/// A Python import statement of a module that runs commands, opening the value or a statement
/// (after `;` or a line break): `import socket,subprocess,os`, `from os import system`.
fn python_import(b: &[u8]) -> Option<Hit> {
    let mut at = 0;
    loop {
        let s = skip_space(b, at);
        let rest = &b[s..];
        let modules = if let Some(r) = rest.strip_prefix(b"import ") {
            Some((r, s + 7))
        } else {
            rest.strip_prefix(b"from ").map(|r| (r, s + 5))
        };
        if let Some((r, off)) = modules {
            let end = r
                .iter()
                .position(|c| matches!(c, b';' | b'\n' | b'\r'))
                .unwrap_or(r.len());
            let stmt = &r[..end];
            let from_form = rest.starts_with(b"from ");
            let mut names = stmt
                .split(|c| matches!(c, b',' | b' '))
                .filter(|w| !w.is_empty());
            let dangerous = if from_form {
                names.next().is_some_and(|m| PYTHON_MODULES.contains(&m))
                    && names.next() == Some(b"import")
            } else {
                stmt.split(|c| *c == b',').all(|m| {
                    let m = m.trim_ascii();
                    !m.is_empty() && m.iter().all(|c| is_word(*c) || *c == b'.')
                }) && names.any(|m| PYTHON_MODULES.contains(&m))
            };
            if dangerous {
                return Some(Hit::new("code.python", s, off + end));
            }
        }
        at = s + memchr::memchr3(b';', b'\n', b'\r', &b[s..])? + 1;
    }
}

/// The first [`ENTRIES`] marker in `b` used as code (a token, or a call).
fn entry(b: &[u8], t: &Tables) -> Option<Hit> {
    for m in t.code.find_iter(b) {
        let (marker, rule, kind) = ENTRIES[t.code_entries[m.pattern().as_usize()]];
        let (st, en) = (m.start(), m.end());
        let first = marker.as_bytes()[0];
        // A PHP function named with an underscore (`call_user_func`) is no part of a word.
        let distinctive = kind == Kind::Call && rule == "code.php" && marker.contains('_');
        let token_start = !is_word(first) || st == 0 || !is_word(b[st - 1]) || distinctive;
        if !token_start {
            continue;
        }
        match kind {
            Kind::PickleGlobal => {
                if let Some(e) = pickle_name(b, en) {
                    return Some(Hit::new(rule, st, e));
                }
            }
            Kind::Jdbc => {
                let url = &b[en..];
                let url = &url[..url
                    .iter()
                    .position(|c| c.is_ascii_whitespace() || matches!(c, b'"' | b'\''))
                    .unwrap_or(url.len())];
                // A property starts the URL's parameters or follows a separator: `;INIT=`,
                // `?autoDeserialize=`, `&sslfactory=`, not `notinit=`.
                let property = |p: &&[u8]| {
                    find_iter(url, p)
                        .any(|at| at > 0 && matches!(url[at - 1], b';' | b'?' | b'&' | b':'))
                };
                if JDBC_PROPERTIES.iter().any(property) {
                    return Some(Hit::new(rule, st, en + url.len()));
                }
            }
            Kind::Token => {
                // Serialized-object magic must start the value (or a base64/hex run).
                if rule == "code.deserialization"
                    && marker.len() <= 8
                    && st > 0
                    && b[st - 1].is_ascii_alphanumeric()
                {
                    continue;
                }
                if is_word(*marker.as_bytes().last().unwrap_or(&b' '))
                    && b.get(en).is_some_and(|c| is_word(*c))
                    && !marker.ends_with('_')
                    && rule != "code.deserialization"
                {
                    continue;
                }
                // A package naming an exception or error (`java.lang.NullPointerException:`),
                // a stack frame or a thread dump's label: stack traces, which logs, test
                // reports and error trackers carry.
                if rule == "code.java" && marker.ends_with('.') && stack_text(&b[en..]) {
                    continue;
                }
                // `ClassLoader` is code in a chain (`class.module.classLoader.resources…`,
                // `.classLoader`), a word in a title ("Fix ClassLoader leak").
                if marker == "classloader" && !member_chain(b, st, en) {
                    continue;
                }
                return Some(Hit::new(rule, st, en));
            }
            Kind::Call => {
                // A method of that name (`TimeZone::system()`, `$tz->system()`) is not PHP's
                // global function.
                let method = st >= 2 && matches!(&b[st - 2..st], b"::" | b"->");
                if method && rule == "code.php" {
                    continue;
                }
                if marker == "require" {
                    match required_module(b, en) {
                        Some(Ok(e)) => return Some(Hit::new(rule, st, e)),
                        Some(Err(())) => continue,
                        None => {}
                    }
                }
                if let Some(e) = call_at(b, en).or_else(|| result_called(b, en)) {
                    return Some(Hit::new(rule, st, e));
                }
                // `base64_decode(` cut off at its parenthesis: a probe of the filter.
                let (j, _) = skip_gap(b, en);
                if distinctive && b.get(j) == Some(&b'(') && skip_space(b, j + 1) == b.len() {
                    return Some(Hit::new(rule, st, j + 1));
                }
                if rule == "code.php" {
                    if let Some(e) = wrapped_call(b, st, en) {
                        return Some(Hit::new(rule, st, e));
                    }
                }
            }
        }
    }
    None
}

/// Node's modules that run programs, read or write files, open sockets or compile code.
const NODE_REACH: &[&[u8]] = &[
    b"child_process",
    b"fs",
    b"fs/promises",
    b"vm",
    b"net",
    b"tls",
    b"dgram",
    b"dns",
    b"http",
    b"https",
    b"http2",
    b"os",
    b"process",
    b"module",
    b"worker_threads",
    b"cluster",
    b"inspector",
    b"v8",
    b"repl",
    b"wasi",
    b"sqlite",
];

/// `require('name')` after `require` at `i`: `Ok(end)` when it loads one of [`NODE_REACH`] or
/// its result is used at once (`require('x').run(`, `require('x')(`), `Err` for any other
/// module named by a literal (a README's `const lib = require('left-pad')`), `None` when the
/// argument is not one plain literal (`require('child'+'_process')`: the general call rule).
fn required_module(b: &[u8], i: usize) -> Option<Result<usize, ()>> {
    let (j, _) = skip_gap(b, i);
    if b.get(j) != Some(&b'(') {
        return None;
    }
    let k = skip_space(b, j + 1);
    let quote = *b.get(k).filter(|q| matches!(q, b'\'' | b'"' | b'`'))?;
    let len = memchr::memchr(quote, &b[k + 1..b.len().min(k + 130)])?;
    let name = &b[k + 1..k + 1 + len];
    if name.iter().any(|c| matches!(c, b'$' | b'\\' | b'{')) {
        return None;
    }
    let close = skip_space(b, k + 2 + len);
    if b.get(close) != Some(&b')') {
        return None;
    }
    let name = name.strip_prefix(b"node:").unwrap_or(name);
    // `?.` (optional chaining) uses it too.
    let used = matches!(
        b.get(skip_space(b, close + 1)),
        Some(b'.' | b'(' | b'[' | b'?')
    );
    Some(
        (used || NODE_REACH.contains(&name))
            .then_some(close + 1)
            .ok_or(()),
    )
}

/// Whitespace and comments (`/* */`, `//…`, `#…` to the line end) from `i`: where they end and
/// whether there was a comment. A comment is looked for within [`GAP`] bytes (an unclosed one
/// ends the gap there), so that many call sites cannot each rescan the rest of the value.
fn skip_gap(b: &[u8], i: usize) -> (usize, bool) {
    const GAP: usize = 256;
    let mut j = skip_space(b, i);
    let mut comment = false;
    loop {
        let window = &b[j.min(b.len())..b.len().min(j + GAP)];
        let line = window.starts_with(b"//") || window.starts_with(b"#");
        if window.starts_with(b"/*") {
            match find(&window[2..], b"*/") {
                Some(e) => j += 2 + e + 2,
                None => return (j, comment),
            }
        } else if line {
            match memchr::memchr(b'\n', window) {
                Some(e) => j += e + 1,
                None => return (j, comment),
            }
        } else {
            return (j, comment);
        }
        comment = true;
        j = skip_space(b, j);
    }
}

/// After a function name at `i`: `(` (comments and whitespace allowed) and an argument that
/// looks like code. Returns the end of the call's start.
fn call_at(b: &[u8], i: usize) -> Option<usize> {
    let (j, _) = skip_gap(b, i);
    if b.get(j) != Some(&b'(') {
        return None;
    }
    let k = skip_space(b, j + 1);
    let arg_ok = match b.get(k) {
        // `eval() is dangerous`: an empty call a sentence goes on from is prose.
        Some(b')') => {
            let n = k + 1;
            !(b.get(n) == Some(&b' ') && b.get(n + 1).is_some_and(u8::is_ascii_alphabetic))
        }
        Some(b'\'' | b'"' | b'$' | b'`' | b'_' | b'[' | b'@' | b'/' | b'(') => true,
        Some(c) if c.is_ascii_alphanumeric() => {
            let mut e = k;
            while e < b.len() && (is_word(b[e])) {
                e += 1;
            }
            matches!(b.get(e), Some(b'(' | b'.' | b'[' | b'$' | b'\'' | b'"'))
                || (matches!(b.get(e), Some(b')'))
                    && b.get(e + 1).is_none_or(|c| matches!(c, b';' | b')' | b'.')))
        }
        _ => false,
    };
    arg_ok.then_some(k + 1)
}

/// Where the group that `g` opens with `(` closes, in `g`.
fn group_end(g: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    g.iter().position(|c| {
        match c {
            b'(' => depth += 1,
            b')' => depth -= 1,
            _ => {}
        }
        depth == 0
    })
}

/// After a function name at `i`: a call whose result is called in turn, `getattr(os,'system')(`:
/// the first call looked a function up. Where the second call opens.
fn result_called(b: &[u8], i: usize) -> Option<usize> {
    let j = skip_space(b, i);
    if b.get(j) != Some(&b'(') {
        return None;
    }
    let close = group_end(&b[j..b.len().min(j + 128)])?;
    let k = skip_space(b, j + close + 1);
    (close > 1 && b.get(k) == Some(&b'(')).then_some(k + 1)
}

/// A PHP function name wrapped before it is called: `(system)('id')`, `[ 'system' ][0]('id')`,
/// `("exec ")(…)`. `st..en` is the name.
fn wrapped_call(b: &[u8], st: usize, en: usize) -> Option<usize> {
    let quote = |c: u8| matches!(c, b'\'' | b'"');
    let mut p = st;
    loop {
        while p > 0 && (b[p - 1].is_ascii_whitespace() || quote(b[p - 1])) {
            p -= 1;
        }
        // A comment before the name: `(/* c */system)`.
        if p >= 2 && &b[p - 2..p] == b"*/" {
            let from = p.saturating_sub(66);
            if let Some(o) = memchr::memmem::rfind(&b[from..p - 2], b"/*") {
                p = from + o;
                continue;
            }
        }
        break;
    }
    if p == 0 || !matches!(b[p - 1], b'(' | b'[') {
        return None;
    }
    let mut j = en;
    while j < b.len() && (b[j].is_ascii_whitespace() || quote(b[j])) {
        j += 1;
    }
    j = skip_gap(b, j).0;
    if !matches!(b.get(j), Some(b')' | b']')) {
        return None;
    }
    j = skip_gap(b, j + 1).0;
    // Array indexes and the wrappers' closers after the name: `[0]`, `{0}`, `)`, `}`.
    for _ in 0..6 {
        match b.get(j) {
            Some(b'[' | b'{') => {
                let close = b[j..b.len().min(j + 24)]
                    .iter()
                    .position(|c| matches!(c, b']' | b'}'))?;
                j = skip_gap(b, j + close + 1).0;
            }
            Some(b')' | b']' | b'}') => j = skip_gap(b, j + 1).0,
            _ => break,
        }
    }
    (b.get(j) == Some(&b'(')).then_some(j + 1)
}

/// A PHP variable called as a function: `$f('id')`, `$$name(1)`, `${'a'}(2)`, `$_[0](3)`,
/// `$x /* c */ (4)`. A lone one-letter `$f(` with nothing between is left alone (it is how
/// maths is written: `$f(x)$`).
fn variable_call(b: &[u8]) -> Option<Hit> {
    for p in memchr::memchr_iter(b'$', b) {
        if p > 0 && (is_word(b[p - 1]) || b[p - 1] == b'$') {
            continue; // inside a name, or the second `$` of `$$x` (seen from the first)
        }
        let mut j = p + 1;
        let mut strong = false;
        while b.get(j) == Some(&b'$') {
            j += 1;
            strong = true;
        }
        j = skip_space(b, j);
        match b.get(j) {
            Some(b'{') => {
                // (Not `?`: an unclosed `${` must not end the search for later calls.)
                let Some(close) = b[j..b.len().min(j + 64)].iter().position(|c| *c == b'}') else {
                    continue;
                };
                j += close + 1;
                strong = true;
            }
            Some(c) if c.is_ascii_alphabetic() || *c == b'_' || *c >= 0x80 => {
                let start = j;
                while j < b.len() && is_word(b[j]) {
                    j += 1;
                }
                strong |= j - start > 1 || b[start] == b'_';
            }
            _ => continue,
        }
        for _ in 0..8 {
            let (k, _) = skip_gap(b, j);
            if !matches!(b.get(k), Some(b'[' | b'{')) || k - j > 64 {
                break;
            }
            let Some(close) = b[k..b.len().min(k + 64)]
                .iter()
                .position(|c| matches!(c, b']' | b'}'))
            else {
                break;
            };
            j = k + close + 1;
            strong = true;
        }
        let (k, comment) = skip_gap(b, j);
        // `$a('id')`: a string argument is a call, not maths.
        let quoted = k == j && matches!(b.get(k + 1), Some(b'\'' | b'"'));
        if b.get(k) == Some(&b'(') && k - j <= 256 && ((k == j && strong) || comment || quoted) {
            return Some(Hit::new("code.php", p, k + 1));
        }
        // `($f)('id')`: a variable in parentheses, called.
        if b.get(k) == Some(&b')') && p > 0 && b[p - 1] == b'(' {
            let (o, _) = skip_gap(b, k + 1);
            if b.get(o) == Some(&b'(') && matches!(b.get(skip_space(b, o + 1)), Some(b'\'' | b'"'))
            {
                return Some(Hit::new("code.php", p - 1, o + 1));
            }
        }
        // `$f(101).$f(120)`: calls concatenated into a string are code, not maths.
        if b.get(k) == Some(&b'(') && k == j {
            let close = b[k..b.len().min(k + 64)].iter().position(|c| *c == b')');
            if let Some(c) = close {
                let d = skip_space(b, k + c + 1);
                if b.get(d) == Some(&b'.') && b.get(skip_space(b, d + 1)) == Some(&b'$') {
                    return Some(Hit::new("code.php", p, d + 1));
                }
            }
        }
    }
    None
}

/// A PHP variable variable, `${'name'}`, `${"x"}`, `$ {$a}`: a name computed from a string or
/// another variable (a template's `${name}` names a plain variable).
fn variable_variable(b: &[u8]) -> Option<Hit> {
    for p in memchr::memchr_iter(b'$', b) {
        let j = skip_space(b, p + 1);
        if b.get(j) != Some(&b'{') {
            continue;
        }
        let k = skip_space(b, j + 1);
        if matches!(b.get(k), Some(b'\'' | b'"' | b'$')) {
            return Some(Hit::new("code.php", p, k + 1));
        }
    }
    None
}

/// `php.ini` directives a request can set where an application passes `name=value` pairs to
/// `ini_set()` or writes a `.user.ini`: the ones that load, include or run code, and the
/// engine and parser limits exploits tune.
const INI_DIRECTIVES: &[&str] = &[
    "allow_url_fopen",
    "allow_url_include",
    "auto_prepend_file",
    "auto_append_file",
    "disable_functions",
    "disable_classes",
    "open_basedir",
    "include_path",
    "extension_dir",
    "zend_extension",
    "enable_dl",
    "engine",
    "precision",
    "serialize_precision",
    "unserialize_max_depth",
    "unserialize_callback_func",
    "sendmail_path",
    "sendmail_from",
    "output_handler",
    "error_log",
    "display_errors",
    "log_errors",
    "html_errors",
    "error_reporting",
    "expose_php",
    "short_open_tag",
    "register_globals",
    "safe_mode",
    "magic_quotes_gpc",
    "file_uploads",
    "upload_tmp_dir",
    "upload_max_filesize",
    "post_max_size",
    "memory_limit",
    "max_execution_time",
    "max_input_time",
    "max_input_vars",
    "max_input_nesting_level",
    "doc_root",
    "user_dir",
    "sys_temp_dir",
    "variables_order",
    "request_order",
    "auto_globals_jit",
    "realpath_cache_size",
    "default_socket_timeout",
    "implicit_flush",
];

/// Sections of `php.ini` whose directives are `section.name` (`opcache.jit`, `session.save_path`).
const INI_SECTIONS: &[&str] = &[
    "opcache.",
    "mbstring.",
    "session.",
    "zend.",
    "pcre.",
    "phar.",
    "xdebug.",
    "assert.",
    "apc.",
    "mysqli.",
    "pdo_mysql.",
    "user_ini.",
    "cgi.",
    "fastcgi.",
    "suhosin.",
    "mail.",
    "sqlite3.",
];

/// Sections whose name is also a common word: their directives need an underscore
/// (`session.save_path`, not `session.id`).
const GENERIC_SECTIONS: &[&str] = &["session.", "mail.", "assert.", "cgi.", "zend.", "apc."];

/// A value that is one `php.ini` line: `directive=value`.
fn ini_directive(b: &[u8]) -> Option<Hit> {
    let start = skip_space(b, 0);
    let eq = start + memchr::memchr(b'=', &b[start..b.len().min(start + 64)])?;
    let name = b[start..eq].trim_ascii_end();
    let value = b[eq + 1..].trim_ascii();
    let simple = |w: &[u8]| w.iter().all(|c| is_word(*c) || *c == b'.');
    if name.is_empty() || value.is_empty() || !simple(name) {
        return None;
    }
    let known = INI_DIRECTIVES.iter().any(|d| d.as_bytes() == name)
        || INI_SECTIONS.iter().any(|sec| {
            name.len() > sec.len()
                && name.starts_with(sec.as_bytes())
                && name[sec.len()..]
                    .iter()
                    .all(|c| c.is_ascii_lowercase() || *c == b'_')
                && (name[sec.len()..].contains(&b'_') || !GENERIC_SECTIONS.contains(sec))
        });
    // One line: a sentence or a query string with more pairs is something else.
    let one_line = !value
        .iter()
        .any(|c| matches!(c, b'&' | b'\n' | b'\r' | b' '))
        || value.starts_with(b"\"");
    (known && one_line).then(|| Hit::new("code.php", start, eq + 1))
}

/// JavaScript statements a value has no reason to hold: a loop opening it (`while(1)`,
/// `for(;;)`: a server that evaluates input hangs) or a function literal (`function(){`,
/// `function x (a) {`).
fn js_code(b: &[u8]) -> Option<Hit> {
    let start = skip_space(b, 0);
    let v = &b[start..];
    let after = |kw: &[u8]| {
        v.strip_prefix(kw)
            .map(|r| skip_space(r, 0) + kw.len())
            .filter(|&i| v.get(i) == Some(&b'('))
    };
    if let Some(open) = after(b"while") {
        // A constant condition: literals, `this`, operators; then the loop's body or its end.
        if let Some(close) = group_end(&v[open..v.len().min(open + 128)]).map(|c| open + c) {
            let constant = v[open + 1..close]
                .split(|c| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .all(|w| {
                    w.iter().all(u8::is_ascii_digit)
                        || matches!(
                            w,
                            b"true" | b"false" | b"this" | b"infinity" | b"undefined" | b"null"
                        )
                });
            let k = skip_space(v, close + 1);
            if constant && matches!(v.get(k), None | Some(b';' | b'{' | b')')) {
                return Some(Hit::new("code.node", start, start + close + 1));
            }
        }
    }
    if let Some(open) = after(b"for") {
        let inner: Vec<u8> = v[open + 1..]
            .iter()
            .copied()
            .filter(|c| !c.is_ascii_whitespace())
            .take(3)
            .collect();
        if inner == b";;)" {
            return Some(Hit::new("code.node", start, start + open + 1));
        }
    }
    for p in find_iter(b, b"function") {
        if p > 0 && is_word(b[p - 1]) {
            continue;
        }
        let mut j = skip_space(b, p + 8);
        // `Function('return process')()`: the constructor compiles a string.
        if b.get(j) == Some(&b'(') && matches!(b.get(skip_space(b, j + 1)), Some(b'\'' | b'"')) {
            return Some(Hit::new("code.node", p, j + 1));
        }
        while j < b.len() && is_word(b[j]) {
            j += 1; // a name: `function run(`
        }
        j = skip_space(b, j);
        if b.get(j) != Some(&b'(') {
            continue;
        }
        let Some(close) = b[j..b.len().min(j + 128)].iter().position(|c| *c == b')') else {
            continue;
        };
        let params = &b[j + 1..j + close];
        let plain = params
            .iter()
            .all(|c| is_word(*c) || matches!(c, b',' | b' ' | b'$' | b'=' | b'.'));
        let k = skip_space(b, j + close + 1);
        if plain && b.get(k) == Some(&b'{') {
            return Some(Hit::new("code.node", p, k + 1));
        }
    }
    None
}

/// A serialized PHP object or array, as `unserialize()` reads it: `O:8:"stdClass":1:{`,
/// `a:2:{i:0;`.
fn php_serialized(b: &[u8]) -> Option<Hit> {
    let digits = |mut i: usize| {
        let s = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (i > s).then_some(i)
    };
    for p in memchr::memchr_iter(b':', b) {
        let Some(&kind) = p.checked_sub(1).and_then(|i| b.get(i)) else {
            continue;
        };
        if !matches!(kind, b'o' | b'c' | b'a') || (p >= 2 && is_word(b[p - 2])) {
            continue;
        }
        // `O:+8:` is read as `O:8:`.
        let sign = usize::from(b.get(p + 1) == Some(&b'+'));
        let Some(n) = digits(p + 1 + sign) else {
            continue;
        };
        let body = if kind == b'a' {
            // `a:N:{` and a typed member: `i:`, `s:`, `b:`, `d:`, `a:`, `o:`, `n;`.
            (b.get(n) == Some(&b':') && b.get(n + 1) == Some(&b'{'))
                .then_some(n + 2)
                .filter(|&i| {
                    matches!(b.get(i), Some(b'i' | b's' | b'b' | b'd' | b'a' | b'o'))
                        && b.get(i + 1) == Some(&b':')
                        || b.get(i..i + 2) == Some(b"n;")
                        || b.get(i) == Some(&b'}')
                })
        } else {
            // `O:N:"Class":N:{`.
            (b.get(n) == Some(&b':') && b.get(n + 1) == Some(&b'"'))
                .then(|| memchr::memchr(b'"', &b[n + 2..b.len().min(n + 258)]))
                .flatten()
                .map(|q| n + 2 + q + 1)
                .filter(|&i| b.get(i) == Some(&b':'))
                .and_then(|i| digits(i + 1))
                .filter(|&i| b.get(i) == Some(&b':') && b.get(i + 1) == Some(&b'{'))
        };
        if let Some(e) = body {
            return Some(Hit::new("code.deserialization", p - 1, e));
        }
    }
    None
}

/// Keys naming the class a polymorphic JSON deserializer builds, and whose names they take:
/// fastjson and json-io `@type`, Jackson `@class`, `@c` and `class`, jabsorb `javaClass`,
/// Json.NET `$type`, JavaScriptSerializer and ServiceStack `__type` (Java or .NET names); Ruby's
/// JSON additions `json_class` and Oj's `^o`, `^c` (Ruby classes); jsonpickle's `py/object`,
/// `py/type`, `py/function`, `py/newobj` (Python `module.name`).
const TYPE_KEYS: &[(&str, Lang)] = &[
    ("@type", Lang::Qualified),
    ("@class", Lang::Qualified),
    ("@c", Lang::Qualified),
    ("class", Lang::Qualified),
    ("javaclass", Lang::Qualified),
    ("$type", Lang::Qualified),
    ("__type", Lang::Qualified),
    ("json_class", Lang::Ruby),
    ("^o", Lang::Ruby),
    ("^c", Lang::Ruby),
    ("py/object", Lang::Python),
    ("py/type", Lang::Python),
    ("py/function", Lang::Python),
    ("py/newobj", Lang::Python),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    /// Java's and .NET's fully qualified, dotted names.
    Qualified,
    Ruby,
    Python,
}

/// Namespaces of the JDK, of .NET and of the libraries gadget chains are built from
/// (`com.sun.rowset.JdbcRowSetImpl`, `org.apache.xbean.…`, `System.Windows.Data.…`): a caller
/// has no reason to have a service build one of their classes from a request, whereas an
/// application's own classes (`com.acme.dto.Order`) pass.
const LIBRARY_ROOTS: &[&str] = &[
    "java.",
    "javax.",
    "jakarta.",
    "jdk.",
    "sun.",
    "com.sun.",
    "com.mchange.",
    "com.zaxxer.",
    "com.alibaba.",
    "com.fasterxml.",
    "com.thoughtworks.",
    "com.caucho.",
    "com.ibm.",
    "com.mysql.",
    "com.microsoft.",
    "com.google.",
    "com.oracle.",
    "com.ibatis.",
    "com.mongodb.",
    "com.rometools.",
    "com.p6spy.",
    "org.apache.",
    "org.springframework.",
    "org.hibernate.",
    "org.codehaus.",
    "org.jboss.",
    "org.eclipse.",
    "org.mozilla.",
    "org.python.",
    "org.yaml.",
    "org.slf4j.",
    "org.aspectj.",
    "org.glassfish.",
    "org.quartz.",
    "org.h2.",
    "org.hsqldb.",
    "org.postgresql.",
    "org.mybatis.",
    "org.jdom.",
    "org.dom4j.",
    "org.thymeleaf.",
    "org.mvel2.",
    "org.objectweb.",
    "org.logicalcobwebs.",
    "org.jsecurity.",
    "org.mortbay.",
    "ch.qos.",
    "oracle.",
    "weblogic.",
    "groovy.",
    "clojure.",
    "scala.",
    "kotlin.",
    "bsh.",
    "ognl.",
    "freemarker.",
    "net.sf.",
    "br.com.anteros.",
    "flex.messaging.",
    "system.",
    "microsoft.",
    "mono.",
];

/// Python modules whose objects a pickle-like decoder must not build (`os.system`,
/// `subprocess.Popen`, `builtins.eval`), each with its dot.
const PICKLED_MODULES: &[&str] = &[
    "os.",
    "posix.",
    "subprocess.",
    "builtins.",
    "__builtin__.",
    "pty.",
    "ctypes.",
    "commands.",
    "importlib.",
    "socket.",
    "shutil.",
    "runpy.",
    "pickle.",
    "marshal.",
    "webbrowser.",
    "timeit.",
    "pdb.",
];

/// A polymorphic deserializer told to build a class of the platform or of a library (CWE-502:
/// the JNDI and gadget chains of fastjson, Jackson, Json.NET, Ruby's JSON and jsonpickle): a
/// value under a [`TYPE_KEYS`] member, or such a member written out in a text the event does
/// not parse as JSON (`{"@type":"com.sun.rowset.JdbcRowSetImpl",…` in a form field).
fn type_name(s: &Subject<'_>) -> Option<Hit> {
    let b = s.lower.as_bytes();
    if s.role == FieldRole::Value {
        let key = last_key(s.path);
        if let Some((_, lang)) = TYPE_KEYS.iter().find(|(k, _)| key.eq_ignore_ascii_case(k)) {
            return builds(*lang, s.text.as_bytes(), b)
                .then(|| Hit::new("code.deserialization", 0, b.len()));
        }
    }
    if !s.has(class::QUOTE) {
        return None;
    }
    // `"@type" : "…"`, `'py/object':'…'`: the member's name quoted, then its value. Not the
    // short or common names (`@c`, `^o`, `class`): only a parsed member is read by them.
    // Each quote may open a member's name: one pass over the quotes, not one per name.
    for open in memchr::memchr2_iter(b'"', b'\'', b) {
        let at = open + 1;
        let Some((key, lang)) = TYPE_KEYS
            .iter()
            .find(|(k, _)| k.len() > 2 && *k != "class" && b[at..].starts_with(k.as_bytes()))
        else {
            continue;
        };
        let mut e = at + key.len();
        if !matches!(b.get(e), Some(b'"' | b'\'')) {
            continue;
        }
        e = skip_space(b, e + 1);
        if b.get(e) != Some(&b':') {
            continue;
        }
        e = skip_space(b, e + 1);
        let Some(&q) = b.get(e).filter(|c| matches!(c, b'"' | b'\'')) else {
            continue;
        };
        let v = e + 1;
        let len = b[v..].iter().position(|c| *c == q).unwrap_or(b.len() - v);
        if builds(*lang, &s.text.as_bytes()[v..v + len], &b[v..v + len]) {
            return Some(Hit::new("code.deserialization", at, v + len));
        }
    }
    None
}

/// Whether a type member's value (`text`, and `lower`, its lower-case twin) names a class a
/// gadget chain is built from.
fn builds(lang: Lang, text: &[u8], lower: &[u8]) -> bool {
    let start = lower.iter().take_while(|c| c.is_ascii_whitespace()).count();
    let (text, mut lower) = (&text[start..], &lower[start..]);
    match lang {
        Lang::Qualified => {
            // fastjson's and the JVM's descriptors, `Lcom.sun.…;`, `[com.sun.…`, `LL…;;`.
            loop {
                if let Some(r) = lower.strip_prefix(b"[") {
                    lower = r;
                } else if let Some(r) = lower.strip_prefix(b"l").filter(|_| lower.ends_with(b";")) {
                    lower = &r[..r.len() - 1];
                } else {
                    break;
                }
            }
            under(lower, LIBRARY_ROOTS)
        }
        // A class of a library's namespace (`Gem::Installer`, `Net::BufferedIO`): the gadget
        // chains' classes; an application's own top-level class (`Range`) passes.
        Lang::Ruby => text.windows(2).any(|w| w == b"::") && text[0].is_ascii_uppercase(),
        Lang::Python => under(lower, PICKLED_MODULES),
    }
}

/// Whether `name` (lower case) is a name inside one of `roots` (each ending in its `.`).
fn under(name: &[u8], roots: &[&str]) -> bool {
    roots.iter().any(|root| {
        name.starts_with(root.as_bytes())
            && name
                .get(root.len())
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
    })
}

/// Whether `tail` (the end of a path) holds `filename`, `file-name`, `file_name` or
/// `file.name`, in any case. Every value's path is asked: `name` is looked for first.
fn names_file(tail: &[u8]) -> bool {
    (4..tail.len().saturating_sub(3)).any(|p| {
        tail[p..p + 4].eq_ignore_ascii_case(b"name") && {
            let before = &tail[..p];
            let before = match before.last() {
                Some(b'-' | b'_' | b'.') => &before[..p - 1],
                _ => before,
            };
            before.len() >= 4 && before[before.len() - 4..].eq_ignore_ascii_case(b"file")
        }
    })
}

/// A file name that a web server would run as a script, where the request names an uploaded
/// file (`X-Filename` and similar headers, a multipart part's `filename`, a `filename` field):
/// `shell.php5`, `a.phtml.`, `x. php`; or a PHP session file (`sess_<id>`) planted by name.
fn script_upload(s: &Subject<'_>) -> Option<Hit> {
    let path = s.path.as_bytes();
    if !s.has(class::DOT | class::UNDERSCORE) || !names_file(&path[path.len().saturating_sub(24)..])
    {
        return None;
    }
    let b = s.bytes();
    let name = b
        .iter()
        .rposition(|c| !(c.is_ascii_whitespace() || *c == b'.' || *c == 0))
        .map_or(&b[..0], |e| &b[..=e]);
    let base = name
        .iter()
        .rposition(|c| matches!(c, b'/' | b'\\'))
        .map_or(name, |i| &name[i + 1..]);
    if base.starts_with(b"sess_") && base.len() >= 15 {
        return Some(Hit::new("code.php", 0, b.len()));
    }
    let dot = memchr::memrchr(b'.', base)?;
    let ext: Vec<u8> = base[dot + 1..]
        .iter()
        .copied()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let stem = ext.trim_ascii_end();
    let trimmed = {
        // `php5`, `php907`: a version suffix.
        let d = stem
            .iter()
            .rposition(|c| !c.is_ascii_digit())
            .map_or(0, |i| i + 1);
        &stem[..d]
    };
    let rule = if trimmed.starts_with(b"j") {
        "code.java"
    } else {
        "code.php"
    };
    SCRIPT_EXTENSIONS
        .contains(&trimmed)
        .then(|| Hit::new(rule, 0, b.len()))
}

/// PHP variable functions: `"system"('id')`, `('sys'.'tem')('id')`.
fn quoted_call(b: &[u8]) -> Option<Hit> {
    for p in memchr::memchr_iter(b'(', b) {
        let mut e = p;
        while e > 0 && b[e - 1].is_ascii_whitespace() {
            e -= 1;
        }
        if e < 2 || !matches!(b[e - 1], b'"' | b'\'' | b')') {
            continue;
        }
        if b[e - 1] == b')' {
            // `(...)(` with a string concatenation inside.
            let from = e.saturating_sub(64);
            let Some(open) = memchr::memrchr(b'(', &b[from..e - 1]).map(|o| from + o) else {
                continue;
            };
            let inner = &b[open..e];
            if inner.iter().filter(|c| matches!(c, b'\'' | b'"')).count() >= 4
                && inner.contains(&b'.')
                && call_at(b, e).is_some()
            {
                return Some(Hit::new("code.php", open, p + 1));
            }
            // `(sy.(st).em)('id')`: bare words joined, which PHP before 8 reads as strings.
            if let Some(open) = bare_join(b, e) {
                if call_at(b, e).is_some() {
                    return Some(Hit::new("code.php", open, p + 1));
                }
            }
            continue;
        }
        let q = b[e - 1];
        let from = e.saturating_sub(40);
        let Some(s) = memchr::memrchr(q, &b[from..e - 1]).map(|x| x + from) else {
            continue;
        };
        if php_function(&b[s + 1..e - 1]) && call_at(b, e).is_some() {
            return Some(Hit::new("code.php", s, p + 1));
        }
    }
    None
}

/// The group closing at `e - 1` (`(sy.(st).em)`), nested to the 64 bytes before it, when it
/// holds only bare words, parentheses and `.` joins that spell a PHP function
/// running code: where it opens.
fn bare_join(b: &[u8], e: usize) -> Option<usize> {
    let from = e.saturating_sub(64);
    let mut depth = 0usize;
    let mut open = None;
    for i in (from..e).rev() {
        match b[i] {
            b')' => depth += 1,
            b'(' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    open = Some(i);
                    break;
                }
            }
            c if is_word(c) || c == b'.' || c == b' ' => {}
            _ => return None,
        }
    }
    let open = open?;
    let inner = &b[open..e];
    let mut name = [0u8; 24];
    let mut len = 0;
    for &c in inner.iter().filter(|c| is_word(**c)) {
        *name.get_mut(len)? = c;
        len += 1;
    }
    (inner.contains(&b'.') && php_function(&name[..len])).then_some(open)
}

/// Whether `name` is a PHP function that runs code or commands ([`ENTRIES`]' PHP calls,
/// `exec`, `eval`): what a variable function call may name.
fn php_function(name: &[u8]) -> bool {
    matches!(name, b"exec" | b"eval")
        || ENTRIES
            .iter()
            .any(|(m, r, k)| *k == Kind::Call && *r == "code.php" && m.as_bytes() == name)
}

/// Whether `b[st..en]` is a member in a chain: after `.`, `[`, `['` or `["`, or before `.`, `[`
/// or a closing `']`/`"]`/`]` (`class.module.classLoader.x`, Struts' `class['classLoader']`).
fn member_chain(b: &[u8], st: usize, en: usize) -> bool {
    let before = &b[..st];
    let after = &b[en..];
    [&b"."[..], b"[", b"['", b"[\""]
        .iter()
        .any(|p| before.ends_with(p))
        || [&b"."[..], b"[", b"]", b"']", b"\"]"]
            .iter()
            .any(|p| after.starts_with(p))
}

/// What follows a package in a stack trace: a class that is a `Throwable`
/// (`NullPointerException`, `net.ssl.SSLHandshakeException`, `OutOfMemoryError`), a frame or a
/// thread dump's label.
fn stack_text(rest: &[u8]) -> bool {
    // A class name is short; every package marker of a long value asks, so each look is bounded.
    let len = rest
        .iter()
        .take(256)
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'$'))
        .count();
    let class = rest[..len]
        .rsplit(|c| *c == b'.')
        .next()
        .unwrap_or_default();
    if class.ends_with(b"exception") || class.ends_with(b"error") {
        return true;
    }
    // A frame, `…Thread.run(Thread.java:833)` or `(Native Method)`; a thread dump's label,
    // `java.lang.Thread.State: RUNNABLE`.
    let after = &rest[len..];
    if class == b"state" && after.starts_with(b": ") {
        return true;
    }
    let Some(inner) = after.strip_prefix(b"(") else {
        return false;
    };
    let inner = &inner[..inner.iter().take(64).position(|c| *c == b')').unwrap_or(0)];
    if matches!(inner, b"native method" | b"unknown source") {
        return true;
    }
    source_position(inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::subject::test_subject;

    fn rule(text: &str) -> Option<&'static str> {
        test_subject(text, 1, detect).map(|h| h.rule)
    }

    /// Found by review: an unclosed `${` does not end the search for later variable calls.
    #[test]
    fn an_unclosed_brace_does_not_end_the_search() {
        for a in ["price ${ see $fn(\"id\")", "a ${b $x(\"id\")"] {
            assert_eq!(rule(a), Some("code.php"), "{a}");
        }
    }

    /// Markers are matched longest first: a marker that only extends another of the same
    /// rule and kind would hide it where its own check fails (`java.io.file` in
    /// `java.io.FileOutputStream`, a word going on) and find nothing the shorter would not.
    #[test]
    fn no_marker_only_extends_another_of_its_kind() {
        for (a, ra, ka) in ENTRIES {
            for (b, rb, kb) in ENTRIES {
                let extends = b.len() > a.len() && b.starts_with(a);
                assert!(
                    !(extends && ra == rb && *ka == Kind::Token && *kb == Kind::Token),
                    "{b} only extends {a}"
                );
            }
        }
    }

    #[test]
    fn attacks() {
        for (a, r) in [
            ("<?php system($_GET['c']); ?>", "code.php"),
            // Unsafe YAML tags, pickle imports, JDBC URLs that run code on connect.
            ("!!python/object/apply:os.system [\"id\"]", "code.deserialization"),
            ("x: !ruby/object:Gem::Installer\n  i: x", "code.deserialization"),
            ("cos\nsystem\n(S'id'\ntR.", "code.deserialization"),
            ("c__builtin__\neval\n(Vprint(1)\ntR.", "code.deserialization"),
            ("jdbc:h2:mem:;INIT=RUNSCRIPT FROM 'http://x/a.sql'", "code.jdbc"),
            ("jdbc:mysql://x:3306/db?autoDeserialize=true&queryInterceptors=x", "code.jdbc"),
            ("jdbc:postgresql://h/db?socketFactory=org.springframework.context.support.ClassPathXmlApplicationContext", "code.jdbc"),
            ("system('uname -a');", "code.php"),
            // A literal ended, a call of any name, the rest cut (wapiti's eval probes).
            ("';exit(md5('w4p1t1_md5'));//", "code.breakout"),
            ("a;die(md5(1));#", "code.breakout"),
            ("'.exit(md5('w4p1t1_md5'));#", "code.breakout"),
            ("\"; md5(1); /* x", "code.breakout"),
            ("'.md5(1).'", "code.breakout"),
            (":phpversion();", "code.php"),
            ("print php_uname ( 'a' )", "code.php"),
            ("(string)\"system\"('uname');", "code.php"),
            ("eval(base64_decode('ZWNobyAx'))", "code.python"),
            ("T(java.lang.Runtime).getRuntime().exec('id')", "code.java"),
            // An exception named beside a dangerous class still counts.
            (
                "java.lang.IllegalStateException then java.lang.ProcessBuilder",
                "code.java",
            ),
            ("java.io.FileOutputStream", "code.java"),
            // Markers that extend a shorter one (PHP's `system`, `readfile`, `include`;
            // Python's `os.execv`).
            (
                "System.Diagnostics.Process.Start(\"cmd.exe\",\"/c calc\")",
                "code.deserialization",
            ),
            ("fs.readFileSync('/etc/passwd')", "code.node"),
            ("os.execvp('sh', ['sh'])", "code.python"),
            ("os.execlp('sh', 'sh')", "code.python"),
            ("java.lang.Runtime.getRuntime()", "code.java"),
            ("class.module.classLoader.resources.context.parent.pipeline.first.pattern=x", "code.java"),
            ("java.lang.Runtime.getRuntime().exec(\"id\")", "code.java"),
            ("org.apache.commons.collections4.functors.InvokerTransformer", "code.java"),
            ("require('child_process').exec('id')", "code.node"),
            ("require(\"fs\")", "code.node"),
            ("x=require('node:vm')", "code.node"),
            ("require('shelljs').exec('id')", "code.node"),
            ("require('child'+'_process')", "code.node"),
            ("require('cross-spawn')?.('id')", "code.node"),
            ("require('node:repl')", "code.node"),
            ("class['classLoader'].resources.dir=webapps/ROOT", "code.java"),
            ("top['class']['classLoader'].x=1", "code.java"),
            ("__import__('os').system('id')", "code.python"),
            // PHP: wrapped and variable functions, open tags, serialized objects.
            ("( 'passthru' )(\"ls\")", "code.php"),
            ("[shell_exec] [0] ('id')", "code.php"),
            ("$fn('cat x')", "code.php"),
            ("$$v(1)", "code.php"),
            ("${'x'}(2)", "code.php"),
            ("$_x[3]['y'](4)", "code.php"),
            ("$h /* hidden */ (5)", "code.php"),
            ("$a{1}(6)", "code.php"),
            ("abc<?", "code.php"),
            ("var_dump ( $cfg )", "code.php"),
            ("O:6:\"Logger\":1:{s:4:\"path\";}", "code.deserialization"),
            ("a:1:{i:0;s:1:\"x\";}", "code.deserialization"),
            // Node: loops and function literals, console calls.
            ("while (!0);", "code.node"),
            ("for ( ; ; ) {}", "code.node"),
            ("x=function (a, b) { return a }", "code.node"),
            ("function(){ process.exit() }", "code.node"),
            ("console.warn(1)", "code.node"),
            ("java.io.FileInputStream", "code.java"),
            ("{\"@type\": \"java.lang.AutoCloseable\"}", "code.deserialization"),
            ("org.omg.stub.x", "code.java"),
            (
                "rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA==",
                "code.deserialization",
            ),
            ("KztAAUc3IAEQ", "code.deserialization"),
            // Names built from pieces, callbacks by name, serialized objects with a sign.
            ("$a='sys'.'tem';", "code.php"),
            ("(sy.(st).em)('uname');", "code.php"),
            ("(pass . thru)('id')", "code.php"),
            // A `)` with nothing opened before it does not end the search.
            ("x) (sy.(st).em)('uname')", "code.php"),
            ("x = 'child_'+'process'", "code.node"),
            ("$f(\"id\");", "code.php"),
            ("usort($a, 'system');", "code.php"),
            ("O:+8:\"stdClass\":1:{s:1:\"a\";}", "code.deserialization"),
            // Python, Node, Ruby and Groovy by their syntax.
            ("import socket,subprocess,os", "code.python"),
            ("from os import system", "code.python"),
            ("getattr(os,'system')('id')", "code.python"),
            ("Function('return process')()", "code.node"),
            ("process.exit()", "code.node"),
            ("%x(id)", "code.ruby"),
            ("open('|id').read", "code.ruby"),
            ("send(:system, 'id')", "code.ruby"),
            ("Kernel.exit(1)", "code.ruby"),
            ("Kernel.exec \"id\"", "code.ruby"),
            ("Kernel.system 'id'", "code.ruby"),
            ("Kernel.exit!", "code.ruby"),
            ("Kernel.fork { system \"id\" }", "code.ruby"),
            ("Kernel.`('id')", "code.ruby"),
            ("Marshal.load(x)", "code.ruby"),
            ("\"id\".execute()", "code.java"),
            ("['sh','-c','id'].execute()", "code.java"),
            ("Cs7QAFc3IAEQ", "code.deserialization"),
            (
                "gadget: ChainedTransformer > InvokerTransformer",
                "code.deserialization",
            ),
            (
                "Lcom/sun/org/apache/xalan/internal/xsltc/trax/TemplatesImpl;",
                "code.deserialization",
            ),
        ] {
            assert_eq!(rule(a), Some(r), "{a}");
        }
    }

    #[test]
    fn prose_passes() {
        for b in [
            // Code lines and remarks: a call opening the line, a method chain, words.
            "foo(1); // why",
            "x.bar(y);// note",
            ".then(done); // then",
            "ok; fine (really); // no",
            "Hello;world(see below);# yes",
            "The Kernel.org mirror is down",
            "Linux Kernel. Exit the shell first",
            "Kernel.puts \"hello\"",
            "the Kernel.open function opens a file",
            "mykernel.exit(1)",
            "(sy.st.em) (see notes)",
            "(a.b.c)(d)",
            "(Mr. Sys. Tem)(2)",
            "sin and cos\nare periodic",
            "cos\n",
            "jdbc:mysql://db.example.com:3306/shop?useSSL=true&serverTimezone=UTC",
            "jdbc:h2:mem:test;DB_CLOSE_DELAY=-1;autoinit=x",
            "The ruby/object model",
            "The system (as designed) works",
            "When `TimeZone::system()` cannot find a time zone",
            "$tz->system() returns the zone",
            "We require (at least) two",
            "Include the file in your evaluation",
            "java.lang is a package",
            "java.lang.NullPointerException: Cannot invoke \"String.length()\" at com.example.Foo.bar(Foo.java:42)",
            "Caused by: javax.net.ssl.SSLHandshakeException: PKIX path building failed",
            "java.lang.OutOfMemoryError: Java heap space",
            "java.lang.Exception: Stack trace\nat java.base/java.lang.Thread.dumpStack(Thread.java:1383)",
            "\tat java.base/java.lang.Thread.run(Thread.java:833)",
            "at java.lang.reflect.Method.invoke(Native Method)",
            "\"main\" java.lang.Thread.State: RUNNABLE",
            "Fix ClassLoader leak when the plugin is reloaded",
            "Apache Jackrabbit JCR Classloader",
            "Upgrade commons-classloader to 2.1",
            "org.apache.commonsense",
            "java.langs.list",
            "executive summary",
            "my_class",
            "processbuilders guild",
            "costs $5 (five dollars)",
            "Pay $USD (approx.)",
            "$f(x)$ is a function",
            "$(document).ready",
            "the (system) is fine",
            "ratio a:3:b",
            "Order O:12 shipped",
            "<?xml version=\"1.0\"?>",
            "while (you wait) we fix it",
            "for (a, b) see page 2",
            "a function (of time) is plotted",
            "while (2 or 3) people wait",
            "the console log shows errors",
            // Function names as words, templates, settings in prose.
            "ch(r) and unpack the boxes",
            "Hello ${name}, welcome",
            "cost: $5 {approx}",
            "$f(x) + $g(y)",
            "engine = the V8 engine, fast",
            "precision=high&recall=low",
            "session.id=abc",
            "search engine=google",
            "(a+b)(c+d)",
            "Unpack (carefully) the box",
            // Base64 magic only where a value or a run starts; gadget words only whole.
            "eyJhbGciOiJIUzI1NiJ9KztAAU",
            "a rainforclosure notice",
            // Calls named in prose, imports of harmless modules, formats and quotes.
            "Python's eval() is dangerous",
            "Use require() to import modules",
            "var myPackage = require('hello-world');",
            "import it with `require(\"left-pad\")`",
            "The system (v2) crashed yesterday",
            "import numpy as np",
            "Import duties; from France",
            "printf(\"%x\", n)",
            "the '.execute()' method",
            "Sales & 'Marketing'.",
            "reopen('|x')",
        ] {
            assert_eq!(rule(b), None, "false positive on {b}");
        }
    }

    #[test]
    fn type_names_a_deserializer_builds() {
        let at = |v: &str, path: &str| {
            crate::inspect::subject::rule_at(detect, v, crate::trigger::FieldRole::Value, path)
        };
        for (v, path) in [
            ("com.sun.rowset.JdbcRowSetImpl", "$.body['@type']"),
            ("Lcom.sun.rowset.JdbcRowSetImpl;", "$.body.a['@type']"),
            ("[com.sun.rowset.JdbcRowSetImpl", "$.body['@type']"),
            ("LLcom.sun.rowset.JdbcRowSetImpl;;", "$.body['@type']"),
            (
                "org.apache.xbean.propertyeditor.JndiConverter",
                "$.body['@class']",
            ),
            (
                "ch.qos.logback.core.db.DriverManagerConnectionSource",
                "$.body.class",
            ),
            (
                "System.Windows.Data.ObjectDataProvider, PresentationFramework",
                "$.body['$type']",
            ),
            (
                "System.Web.Security.RolePrincipal, System.Web",
                "$.body.__type",
            ),
            ("Gem::Installer", "$.body.json_class"),
            ("Net::BufferedIO", "$.body['^o']"),
            ("os.system", "$.body['py/reduce'][0]['py/function']"),
            ("subprocess.Popen", "$.body['py/object']"),
            ("builtins.eval", "$.queryStringParameters['py/function']"),
        ] {
            assert_eq!(at(v, path), Some("code.deserialization"), "{v} at {path}");
        }
        // Written out in a text the event does not parse.
        for v in [
            "{'@type':'com.zaxxer.hikari.HikariConfig','metricRegistry':'ldap://x/y'}",
            "x={\"@type\" : \"java.net.Inet4Address\", \"val\": \"a.example\"}",
            "{\"json_class\": \"Gem::Requirement\"}",
        ] {
            assert_eq!(at(v, "$.body"), Some("code.deserialization"), "{v}");
        }
        // An application's own classes, JSON-LD and protobuf types, Box's `$type`, words.
        for (v, path) in [
            ("com.acme.dto.Order", "$.body['@class']"),
            ("Person", "$.body['@type']"),
            (
                "type.googleapis.com/google.rpc.ErrorInfo",
                "$.body['@type']",
            ),
            ("http://schema.org/Person", "$.body['@type']"),
            ("properties", "$.body['$type']"),
            ("economy", "$.body.class"),
            ("Range", "$.body.json_class"),
            ("datetime.datetime", "$.body['py/object']"),
            ("see com.sun.rowset for rows", "$.body.note"),
            ("System.Windows", "$.body.product"),
            ("{\"@type\": \"Person\", \"name\": \"Ann\"}", "$.body"),
        ] {
            assert_eq!(at(v, path), None, "false positive on {v} at {path}");
        }
    }

    fn upload(name: &str, path: &str) -> Option<&'static str> {
        crate::inspect::subject::rule_at(detect, name, crate::trigger::FieldRole::Value, path)
    }

    #[test]
    fn uploaded_script_names() {
        for (n, r) in [
            ("avatar.php", "code.php"),
            ("x.PHTML", "code.php"),
            ("dir/y.php7..", "code.php"),
            ("z. php ", "code.php"),
            ("tool.phar", "code.php"),
            ("page.jspx", "code.java"),
            ("sess_0123456789abcdef", "code.php"),
        ] {
            assert_eq!(upload(n, "$.headers.X-Filename"), Some(r), "{n}");
            assert_eq!(upload(n, "$.body.upload.filename"), Some(r), "{n}");
        }
        for path in [
            "$.body.File_Name",
            "$.headers.x-file.name",
            "$.body['file-name']",
        ] {
            assert_eq!(upload("a.php", path), Some("code.php"), "{path}");
        }
        for (n, path) in [
            ("shell.php", "$.body.upload.file-nam"),
            ("shell.php", "$.body.profile"),
            ("shell.php", "$.body.file--name"),
            ("avatar.png", "$.headers.X-Filename"),
            ("php.png", "$.body.upload.filename"),
            ("notes.php.txt", "$.body.upload.filename"),
            ("session_notes", "$.body.upload.filename"),
            ("see index.php", "$.body.comment"),
        ] {
            assert_eq!(upload(n, path), None, "false positive on {n} at {path}");
        }
    }
}
