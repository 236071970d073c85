//! The layers of docs/architecture.md, kept by reading the sources:
//!
//! - `src/ffi` and the C shim (`wireshark-headers/`, which build.rs binds
//!   and compiles) are a generic safe wrapper over epan: nothing in them
//!   names XMMEP, its messages, its values or its file transfers (the
//!   plugin passes in what it needs);
//! - `unsafe` lives in `src/ffi` only, and `src/plugin` forbids it;
//! - no module of the plugin or of `xmmep-core` depends on itself through
//!   others, and in `src/ffi` only the loader's entry points (`plugin.rs`)
//!   call up into `src/plugin`.
//!
//! Words Wireshark itself uses stay allowed in `src/ffi`: "file scope",
//! "capture file", the "credentials" tap.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use xmmep_core::conversations::FILE_DATA_PROTOCOL;
use xmmep_core::presentation::PROTOCOL;
use xmmep_core::table::{ENUMS, MESSAGES};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir` whose name ends with one of `exts`, sorted.
fn files(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else if exts.iter().any(|x| p.to_string_lossy().ends_with(x)) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn rel(p: &Path) -> String {
    p.strip_prefix(root()).unwrap_or(p).display().to_string()
}

// ---------------------------------------------------------------------------
// (a) Nothing of XMMEP in ffi or the shim.

/// What names XMMEP, lower case with `_`, `-` and spaces removed: the
/// protocol, its file data, file transfers.
const NOTIONS: &[&str] = &["xmmep", "xmessenger", "filedata", "filename", "filesize", "fileframe", "filetransfer", "transfer"];

/// Wireshark's own names that happen to contain a notion (the member of
/// `export_object_entry_t` that names an exported object).
const EPAN_NAMES: &[&str] = &["entry->filename"];

fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !matches!(c, '_' | '-' | ' ')).flat_map(char::to_lowercase).collect()
}

/// The identifiers of `text` (C and Rust alike).
fn identifiers(text: &str) -> BTreeSet<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect()
}

/// What the table names that only XMMEP would: message names, and enum
/// values written as identifiers (`RESULT_OK`, not `Male`).
fn table_names() -> BTreeSet<&'static str> {
    let enums = ENUMS.iter().flat_map(|e| e.values.iter().map(|v| v.name)).filter(|n| n.contains('_'));
    MESSAGES.iter().map(|m| m.name).chain(enums).collect()
}

/// What in `text` names XMMEP.
fn xmmep_mentions(text: &str) -> Vec<String> {
    let squeezed = squeeze(&EPAN_NAMES.iter().fold(text.to_string(), |t, n| t.replace(n, "")));
    let mut notions: Vec<String> = NOTIONS.iter().map(|n| n.to_string()).collect();
    for name in [PROTOCOL.name, PROTOCOL.short, FILE_DATA_PROTOCOL.name, FILE_DATA_PROTOCOL.short] {
        if !notions.iter().any(|n| squeeze(name).contains(n.as_str())) {
            notions.push(squeeze(name));
        }
    }
    let mut found: Vec<String> = notions.into_iter().filter(|n| squeezed.contains(n.as_str())).collect();
    let ids = identifiers(text);
    found.extend(table_names().into_iter().filter(|n| ids.contains(n)).map(str::to_string));
    found
}

#[test]
fn ffi_and_the_shim_know_nothing_of_xmmep() {
    let mut sources = files(&root().join("src/ffi"), &[".rs"]);
    sources.extend(files(&root().join("wireshark-headers"), &[".h", ".c"]));
    assert!(sources.len() > 10, "the ffi sources and the shim are where the test looks");
    let bad: Vec<String> = sources.iter().map(|p| (p, xmmep_mentions(&read(p)))).filter(|(_, m)| !m.is_empty()).map(|(p, m)| format!("{}: {}", rel(p), m.join(", "))).collect();
    assert!(bad.is_empty(), "src/ffi and the C shim must stay generic (the plugin passes in what it needs):\n{}", bad.join("\n"));
}

#[test]
fn the_xmmep_check_finds_what_it_looks_for() {
    assert_eq!(xmmep_mentions("/* the file_size of the Xmmep transfer */"), ["xmmep", "filesize", "transfer"]);
    assert_eq!(xmmep_mentions("kind == MSG_LOGIN_REQ"), ["MSG_LOGIN_REQ"]);
    assert!(xmmep_mentions("wmem_file_scope(): freed when the capture file closes").is_empty());
}

// ---------------------------------------------------------------------------
// Rust sources without comments, strings and character literals.

/// `src` with comments, string and character literals blanked (newlines
/// kept), so that only code is left to read.
fn code(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let blank = |out: &mut String, s: &[char]| out.extend(s.iter().map(|&ch| if ch == '\n' { '\n' } else { ' ' }));
    while i < c.len() {
        let start = i;
        let ident_before = i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_');
        if c[i] == '/' && c.get(i + 1) == Some(&'/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if c[i] == '/' && c.get(i + 1) == Some(&'*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if let Some((hashes, body)) = raw_string(&c, i).filter(|_| !ident_before) {
            i = body;
            while i < c.len() && !(c[i] == '"' && c[i + 1..].iter().take(hashes).filter(|&&h| h == '#').count() == hashes) {
                i += 1;
            }
            i += 1 + hashes;
        } else if c[i] == '"' {
            i += 1;
            while i < c.len() && c[i] != '"' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if c[i] == '\'' && (c.get(i + 1) == Some(&'\\') || c.get(i + 2) == Some(&'\'')) {
            // A character literal (a lifetime has no closing quote); past
            // the escaped character, if any, to the closing quote.
            i += if c[i + 1] == '\\' { 3 } else { 2 };
            while i < c.len() && c[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else {
            out.push(c[i]);
            i += 1;
            continue;
        }
        let end = i.min(c.len());
        blank(&mut out, &c[start..end]);
        i = end;
    }
    out
}

/// Where the body of the raw string starting at `c[i]` (`r"`, `r#"`,
/// `br"` ...) begins, and its number of `#`.
fn raw_string(c: &[char], i: usize) -> Option<(usize, usize)> {
    let j = match (c[i], c.get(i + 1)) {
        ('r', _) => i + 1,
        ('b', Some('r')) => i + 2,
        _ => return None,
    };
    let hashes = c[j..].iter().take_while(|&&h| h == '#').count();
    (c.get(j + hashes) == Some(&'"')).then_some((hashes, j + hashes + 1))
}

#[test]
fn code_drops_comments_and_literals() {
    let src = "let a = \"unsafe\"; // unsafe\n/* unsafe /* nested */ unsafe */ fn f<'a>(x: &'a u8) -> char { '\\'' } r#\"unsafe\"#";
    let left = code(src);
    assert!(!left.contains("unsafe"), "{left}");
    assert!(left.contains("fn f<'a>(x: &'a u8)"), "{left}");
    assert_eq!(left.lines().count(), src.lines().count());
}

// ---------------------------------------------------------------------------
// (b) unsafe only in ffi.

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty())
}

/// What in `text` (Rust) would be unsafe code: the keyword, and the
/// attributes `unsafe_code` also refuses.
fn unsafe_code(text: &str) -> Vec<&'static str> {
    let code = code(text);
    ["unsafe", "no_mangle", "export_name", "link_section"].into_iter().filter(|w| words(&code).any(|c| c == *w)).collect()
}

#[test]
fn unsafe_only_in_ffi() {
    let plugin_mod = read(&root().join("src/plugin/mod.rs"));
    assert!(code(&plugin_mod).contains("#![forbid(unsafe_code)]"), "src/plugin/mod.rs must keep #![forbid(unsafe_code)]");
    let ffi = root().join("src/ffi");
    let outside: Vec<PathBuf> = files(&root().join("src"), &[".rs"]).into_iter().filter(|p| !p.starts_with(&ffi)).collect();
    assert!(outside.len() > 10, "src/lib.rs and src/plugin are where the test looks");
    let bad: Vec<String> = outside.iter().map(|p| (p, unsafe_code(&read(p)))).filter(|(_, u)| !u.is_empty()).map(|(p, u)| format!("{}: {}", rel(p), u.join(", "))).collect();
    assert!(bad.is_empty(), "unsafe code belongs in src/ffi:\n{}", bad.join("\n"));
}

#[test]
fn the_unsafe_check_finds_what_it_looks_for() {
    assert_eq!(unsafe_code("fn f() { unsafe { g() } }"), ["unsafe"]);
    assert_eq!(unsafe_code("#[no_mangle]\npub extern \"C\" fn f() {}"), ["no_mangle"]);
    assert!(unsafe_code("//! Every `unsafe` block lives in ffi.\n#![forbid(unsafe_code)]").is_empty());
}

// ---------------------------------------------------------------------------
// (c) No module cycles.

/// A module by its path from the crate root (`["plugin", "show"]`).
type Module = Vec<String>;

/// The modules of the crate whose root is `src` (lib.rs), by file.
fn modules(src: &Path) -> BTreeMap<Module, PathBuf> {
    files(src, &[".rs"])
        .into_iter()
        .filter(|p| !p.starts_with(src.join("bin")))
        .map(|p| {
            let mut m: Module = p.strip_prefix(src).unwrap().with_extension("").iter().map(|s| s.to_string_lossy().into_owned()).collect();
            if matches!(m.last().map(String::as_str), Some("mod" | "lib")) {
                m.pop();
            }
            (m, p)
        })
        .collect()
}

/// Tokens of Rust code: identifiers, `::`, and single punctuation.
fn tokens(code: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let b = code.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let ch = b[i];
        if ch.is_ascii_alphanumeric() || ch == b'_' || ch >= 0x80 {
            let s = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80) {
                i += 1;
            }
            out.push(&code[s..i]);
        } else if code[i..].starts_with("::") {
            out.push("::");
            i += 2;
        } else if ch.is_ascii_whitespace() {
            i += 1;
        } else {
            out.push(&code[i..i + 1]);
            i += 1;
        }
    }
    out
}

/// The paths of a `use` tree (`a::{b, c::d}` gives `a::b` and `a::c::d`),
/// from `toks[i]` to the `,`, `}` or `;` that ends it; returns them and
/// where it stopped.
fn use_paths(toks: &[&str], mut i: usize, prefix: &[String], out: &mut Vec<Vec<String>>) -> usize {
    let mut path = prefix.to_vec();
    // Whether this tree names something (`self` names the prefix).
    let mut named = false;
    while i < toks.len() {
        match toks[i] {
            "::" | "*" => {}
            "{" => {
                loop {
                    i = use_paths(toks, i + 1, &path, out);
                    if toks.get(i) != Some(&",") {
                        break;
                    }
                }
                // Past the group's `}`: its paths are all this tree names.
                return i + 1;
            }
            "," | "}" | ";" => break,
            "as" => i += 1,
            "self" if !path.is_empty() => named = true,
            w => {
                path.push(w.to_string());
                named = true;
            }
        }
        i += 1;
    }
    if named {
        out.push(path);
    }
    i
}

/// Every path `code` refers to, with the inline module (`mod tests { }`)
/// it is written in: `use` trees, and paths (`crate::a::b`, `child::f`).
fn references(code: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let toks = tokens(code);
    let mut out = Vec::new();
    let (mut depth, mut inline): (usize, Vec<(usize, String)>) = (0, Vec::new());
    let mut i = 0;
    while i < toks.len() {
        let here: Vec<String> = inline.iter().map(|(_, n)| n.clone()).collect();
        match toks[i] {
            "mod" if toks.get(i + 2) == Some(&"{") => {
                depth += 1;
                inline.push((depth, toks[i + 1].to_string()));
                i += 3;
                continue;
            }
            "{" => depth += 1,
            "}" => {
                if inline.last().is_some_and(|(d, _)| *d == depth) {
                    inline.pop();
                }
                depth -= 1;
            }
            "use" => {
                let mut paths = Vec::new();
                let mut j = i + 1;
                while j < toks.len() && toks[j] != ";" {
                    let mut one = Vec::new();
                    j = use_paths(&toks, j, &[], &mut one);
                    paths.extend(one);
                    if toks.get(j) == Some(&",") {
                        j += 1;
                    }
                }
                out.extend(paths.into_iter().map(|p| (here.clone(), p)));
                i = j + 1;
                continue;
            }
            // A path: `crate::`, `super::`, `self::`, or a name (a child
            // module's if it resolves to one) at its start.
            w if toks.get(i + 1) == Some(&"::") && (i == 0 || toks[i - 1] != "::") && w.chars().all(|c| c.is_alphanumeric() || c == '_') => {
                let mut path = vec![toks[i].to_string()];
                let mut j = i + 1;
                while toks.get(j) == Some(&"::") && toks.get(j + 1).is_some_and(|t| t.chars().all(|c| c.is_alphanumeric() || c == '_')) {
                    path.push(toks[j + 1].to_string());
                    j += 2;
                }
                out.push((here, path));
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The module `path` (written in `module`, inside its inline modules
/// `inline`) refers to, if it is one of `mods`: the longest module prefix.
fn resolve(mods: &BTreeMap<Module, PathBuf>, module: &Module, inline: &[String], path: &[String]) -> Option<Module> {
    let mut scope: Module = module.iter().chain(inline).cloned().collect();
    let mut rest = path;
    match path.first().map(String::as_str) {
        Some("crate") => {
            scope.clear();
            rest = &path[1..];
        }
        Some("super" | "self") => {
            while let Some(first) = rest.first().map(String::as_str).filter(|f| matches!(*f, "super" | "self")) {
                if first == "super" {
                    scope.pop()?;
                }
                rest = &rest[1..];
            }
        }
        // A path from the current module: a child module of it, or an
        // external crate (not ours).
        Some(first) => {
            let mut child = scope.clone();
            child.push(first.to_string());
            if !mods.contains_key(&child) {
                return None;
            }
        }
        None => return None,
    }
    let mut best = scope.clone();
    for seg in rest {
        scope.push(seg.clone());
        if mods.contains_key(&scope) {
            best = scope.clone();
        } else {
            break;
        }
    }
    // Inline modules live in their file's module.
    while !mods.contains_key(&best) && best.pop().is_some() {}
    Some(best)
}

/// Module -> the modules it uses.
fn graph(src: &Path) -> BTreeMap<Module, BTreeSet<Module>> {
    let mods = modules(src);
    mods.iter()
        .map(|(m, p)| {
            let uses = references(&code(&read(p))).into_iter().filter_map(|(inline, path)| resolve(&mods, m, &inline, &path)).filter(|t| t != m).collect();
            (m.clone(), uses)
        })
        .collect()
}

fn name(m: &Module) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        m.join("::")
    }
}

/// A cycle of `g`, as the modules along it, if there is one.
fn cycle(g: &BTreeMap<Module, BTreeSet<Module>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit<'g>(g: &'g BTreeMap<Module, BTreeSet<Module>>, m: &'g Module, marks: &mut BTreeMap<&'g Module, Mark>, stack: &mut Vec<&'g Module>) -> Option<Vec<String>> {
        marks.insert(m, Mark::Open);
        stack.push(m);
        for t in g.get(m).into_iter().flatten() {
            match marks.get(t).copied().unwrap_or(Mark::New) {
                Mark::Open => {
                    let from = stack.iter().position(|s| *s == t).expect("open modules are on the stack");
                    return Some(stack[from..].iter().map(|s| name(s)).chain([name(t)]).collect());
                }
                Mark::New if g.contains_key(t) => {
                    if let Some(c) = visit(g, t, marks, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        marks.insert(m, Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    g.keys().find_map(|m| (marks.get(m).copied().unwrap_or(Mark::New) == Mark::New).then(|| visit(g, m, &mut marks, &mut Vec::new())).flatten())
}

#[test]
fn no_module_cycles() {
    for src in ["src", "crates/xmmep-core/src"] {
        let g = graph(&root().join(src));
        assert!(g.len() > 15 && g.values().map(BTreeSet::len).sum::<usize>() > 40, "{src}: the graph is read ({} modules)", g.len());
        if let Some(c) = cycle(&g) {
            panic!("{src}: a module cycle: {}", c.join(" -> "));
        }
    }
}

#[test]
fn ffi_calls_up_into_the_plugin_only_from_the_loader() {
    let g = graph(&root().join("src"));
    let up: Vec<String> = g
        .iter()
        .filter(|(m, _)| m.first().map(String::as_str) == Some("ffi") && m.get(1).map(String::as_str) != Some("plugin"))
        .flat_map(|(m, uses)| uses.iter().filter(|t| t.first().map(String::as_str) == Some("plugin")).map(move |t| format!("{} -> {}", name(m), name(t))))
        .collect();
    assert!(up.is_empty(), "src/ffi uses src/plugin (only ffi::plugin, the loader's entry points, may):\n{}", up.join("\n"));
}

#[test]
fn the_cycle_check_finds_what_it_looks_for() {
    let code = "use super::b::{self, X};\nuse crate::c::D as E;\nfn f() { crate::a::g(); }\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\n";
    let refs = references(code);
    let paths: Vec<String> = refs.iter().map(|(inline, p)| format!("{}|{}", inline.join("::"), p.join("::"))).collect();
    assert_eq!(paths, ["|super::b", "|super::b::X", "|crate::c::D", "|crate::a::g", "tests|super"]);
    assert_eq!(references("fn f() { child::g(); Vec::<u8>::new(); }").len(), 2);
    let m = |s: &str| -> Module { s.split("::").filter(|x| !x.is_empty()).map(str::to_string).collect() };
    let mut g: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    g.insert(m("a"), [m("b")].into());
    g.insert(m("b"), [m("c")].into());
    g.insert(m("c"), BTreeSet::new());
    assert_eq!(cycle(&g), None);
    g.insert(m("c"), [m("a")].into());
    assert_eq!(cycle(&g), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
}
