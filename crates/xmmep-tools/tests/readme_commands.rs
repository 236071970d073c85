//! Every `tshark`, `mergecap`, `xmmep-check` and `xmmep-export` command in
//! the `sh` code blocks of README.md and of docs/*.md runs verbatim from the
//! repository root on the shipped captures, and prints something (or writes
//! the file it names): a reader who copies a command gets what it promises.
//!
//! The commands run in order (README.md, then docs/*.md by name), with
//! `bash -o pipefail`, in a folder that
//! looks like the repository root (`tests/`, `lua/`, `scripts/`, `docs/`
//! linked, `target/release/xmmep-*` the binaries under test), as the user
//! the other tshark tests use, with the freshly built plugin installed; a
//! command that loads the Lua script (`-X lua_script:`) runs where no
//! plugin is installed, as its readers run it (with the plugin, the script
//! steps aside).

use std::os::unix::fs::{symlink, PermissionsExt};

use xmmep_testkit::tshark::{Tshark, NOBODY};

const TOOLS: [&str; 4] = ["tshark", "mergecap", "xmmep-check", "xmmep-export"];

/// The documents whose commands run: README.md, then docs/*.md by name.
fn documents(root: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut docs: Vec<_> = std::fs::read_dir(root.join("docs")).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "md")).collect();
    docs.sort();
    docs.insert(0, root.join("README.md"));
    docs
}

/// The commands of a document's `sh` blocks that start with one of TOOLS
/// (after any `VAR=value` words). The block after a `<!-- ci-steps` line
/// (docs/ci.md) is left out: it runs as root in a Debian root with the
/// package installed, where scripts/dist.sh runs it (tests/ci_recipe.rs).
fn doc_commands(readme: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut in_sh, mut skip_next) = (false, false);
    for line in readme.lines() {
        let t = line.trim();
        if t.starts_with("<!-- ci-steps") {
            skip_next = true;
            continue;
        }
        if t.starts_with("```") {
            in_sh = !in_sh && t == "```sh" && !std::mem::take(&mut skip_next);
            continue;
        }
        if !in_sh || t.is_empty() || t.starts_with('#') {
            continue;
        }
        let word = t.split_whitespace().find(|w| !(w.contains('=') && w.chars().next().is_some_and(|c| c.is_ascii_uppercase())));
        let tool = word.map(|w| w.rsplit('/').next().unwrap_or(w));
        if tool.is_some_and(|w| TOOLS.contains(&w)) {
            out.push(t.to_string());
        }
    }
    out
}

/// The file a command writes instead of printing, if any.
fn output_file(cmd: &str) -> Option<String> {
    let words: Vec<&str> = cmd.split_whitespace().collect();
    let tool = words.iter().find(|w| TOOLS.iter().any(|t| w.ends_with(t)))?;
    let flags: &[&str] = match tool.rsplit('/').next()? {
        "xmmep-export" => &["-o", "--output"],
        "xmmep-check" => &["--json", "--junit"],
        "mergecap" => &["-w"],
        _ => &[],
    };
    words.windows(2).find(|w| flags.contains(&w[0])).map(|w| w[1].to_string())
}

/// A folder in `ts`'s home that looks like the repository root, for the
/// user the commands run as.
fn repository(ts: &Tshark, root: &std::path::Path) -> std::path::PathBuf {
    let repo = ts.home().join("repo");
    std::fs::create_dir_all(repo.join("target/release")).unwrap();
    for d in ["tests", "lua", "scripts", "docs"] {
        symlink(root.join(d), repo.join(d)).unwrap();
    }
    symlink(env!("CARGO_BIN_EXE_xmmep-check"), repo.join("target/release/xmmep-check")).unwrap();
    symlink(env!("CARGO_BIN_EXE_xmmep-export"), repo.join("target/release/xmmep-export")).unwrap();
    for d in [repo.clone(), repo.join("target"), repo.join("target/release")] {
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::os::unix::fs::lchown(&d, Some(NOBODY), Some(NOBODY)).unwrap();
    }
    repo
}

#[test]
fn every_documented_command_runs() {
    let root = xmmep_testkit::root();
    // (document, command), in the order a reader meets them.
    let mut commands = Vec::new();
    for doc in documents(&root) {
        let name = doc.strip_prefix(&root).unwrap().display().to_string();
        for cmd in doc_commands(&std::fs::read_to_string(&doc).unwrap()) {
            commands.push((name.clone(), cmd));
        }
    }
    for tool in TOOLS.iter().filter(|t| **t != "mergecap") {
        assert!(commands.iter().any(|(_, c)| c.contains(tool)), "no document shows a {tool} command");
    }
    for tool in ["tshark", "xmmep-check", "xmmep-export"] {
        assert!(commands.iter().any(|(d, c)| d == "README.md" && c.contains(tool)), "the README's recipes show no {tool} command");
    }

    let (plugin, script) = (Tshark::with_plugin(), Tshark::without_plugin());
    let (plugin_repo, script_repo) = (repository(&plugin, &root), repository(&script, &root));

    let mut failures = Vec::new();
    for (doc, cmd) in &commands {
        let (ts, repo) = if cmd.contains("lua_script:") { (&script, &script_repo) } else { (&plugin, &plugin_repo) };
        let out = ts.shell(repo, cmd);
        let code = out.status.code();
        // xmmep-check and xmmep-export exit 1 when they found problems at
        // or above the threshold: a result, not an error.
        let is_tool = cmd.contains("xmmep-check") || cmd.contains("xmmep-export");
        let ok_code = code == Some(0) || (is_tool && code == Some(1));
        let wrote = output_file(cmd).is_some_and(|f| std::fs::metadata(repo.join(&f)).is_ok_and(|m| m.len() > 0));
        let printed = !out.stdout.trim().is_empty() || wrote;
        if !ok_code || !printed || out.stderr.contains("steps aside") {
            failures.push(format!("{doc}: {cmd}\n  exit {code:?}, stdout {} bytes\n  stderr: {}", out.stdout.len(), out.stderr.trim()));
        }
    }
    assert!(failures.is_empty(), "{} of {} documented commands failed:\n{}", failures.len(), commands.len(), failures.join("\n"));
}

#[test]
fn extraction_finds_commands_in_sh_blocks_only() {
    let text =
        "x\n```sh\n# c\ntshark -r a -V   # note\nWIRESHARK_LOG_LEVEL=info tshark -v\ncargo build\ntarget/release/xmmep-export -o o.jsonl d/\n```\n```yaml\n- tshark -r b\n```\n";
    assert_eq!(doc_commands(text), ["tshark -r a -V   # note", "WIRESHARK_LOG_LEVEL=info tshark -v", "target/release/xmmep-export -o o.jsonl d/"]);
    assert_eq!(output_file("target/release/xmmep-export -o o.jsonl d/").as_deref(), Some("o.jsonl"));
    assert_eq!(output_file("tshark -o xmmep.charset:GB18030 -r a"), None);
    let ci = "<!-- ci-steps -->\n```sh\nxmmep-check --junit r.xml captures/\n```\n```sh\nxmmep-check a\n```\n";
    assert_eq!(doc_commands(ci), ["xmmep-check a"]);
    assert_eq!(output_file("xmmep-check --junit r.xml d/").as_deref(), Some("r.xml"));
}
