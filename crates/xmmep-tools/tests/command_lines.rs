//! Every binary's command line is clap's: `--help` with examples,
//! `--version`, errors in the usual form and exit code 2 on bad usage.

use std::process::Command;

const BINS: [(&str, &str); 6] = [
    ("xmmep-check", env!("CARGO_BIN_EXE_xmmep-check")),
    ("xmmep-export", env!("CARGO_BIN_EXE_xmmep-export")),
    ("xmmep-capgen", env!("CARGO_BIN_EXE_xmmep-capgen")),
    ("xmmep-gen-lua", env!("CARGO_BIN_EXE_xmmep-gen-lua")),
    ("xmmep-gen-docs", env!("CARGO_BIN_EXE_xmmep-gen-docs")),
    ("xmmep-gen-man", env!("CARGO_BIN_EXE_xmmep-gen-man")),
];

#[test]
fn help_version_and_bad_usage() {
    for (name, exe) in BINS {
        let o = Command::new(exe).arg("--help").output().unwrap();
        let help = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(0), "{name} --help");
        assert!(help.contains(&format!("Usage: {name}")), "{name}: {help}");
        assert!(help.contains("Example"), "{name} --help has no examples: {help}");

        let o = Command::new(exe).arg("--version").output().unwrap();
        assert_eq!(o.status.code(), Some(0));
        assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), format!("{name} {}", env!("CARGO_PKG_VERSION")));

        let o = Command::new(exe).arg("--no-such-option").output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{name} with a bad option");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.starts_with("error: unexpected argument '--no-such-option' found"), "{name}: {err}");
        assert!(err.contains(&format!("Usage: {name}")), "{name}: {err}");
    }
}

#[test]
fn missing_arguments_exit_2() {
    for name in ["xmmep-check", "xmmep-export", "xmmep-capgen"] {
        let exe = BINS.iter().find(|(n, _)| *n == name).unwrap().1;
        let o = Command::new(exe).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{name} without arguments");
        assert!(String::from_utf8_lossy(&o.stderr).starts_with("error: the following required arguments were not provided"));
    }
    let o = Command::new(BINS[1].1).args(["--format", "xml", "x.pcapng"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("possible values: jsonl, csv"));
    let o = Command::new(BINS[1].1).args(["--jobs", "0", "x.pcapng"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}

/// The man pages and shell completions that the Debian packages install
/// (`xmmep-gen-man`) render without a warning from man, and name every
/// long option that `--help` lists.
#[test]
fn man_pages_and_completions() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("man-{}", std::process::id()));
    let o = Command::new(env!("CARGO_BIN_EXE_xmmep-gen-man")).arg(&dir).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    for name in ["xmmep-check", "xmmep-export"] {
        let exe = BINS.iter().find(|(n, _)| *n == name).unwrap().1;
        let help = String::from_utf8_lossy(&Command::new(exe).arg("--help").output().unwrap().stdout).into_owned();
        let page = dir.join(format!("{name}.1"));
        let o = Command::new("man").args(["--warnings", "-l"]).arg(&page).env("MANWIDTH", "200").env("MAN_KEEP_FORMATTING", "").output();
        let o = o.expect("man (Debian's man-db)");
        let (text, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(o.status.success() && err.is_empty(), "{name}.1: {err}");
        assert!(text.contains(&format!("{name} - ")), "{name}.1 has no NAME line: {text}");
        for section in ["SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXAMPLES", "EXIT STATUS"] {
            assert!(text.lines().any(|l| l == section), "{name}.1 lacks {section}: {text}");
        }
        let options: Vec<&str> = help.split_whitespace().filter(|w| w.starts_with("--")).map(|w| w.trim_end_matches(',')).collect();
        assert!(options.len() > 4, "{help}");
        for opt in options {
            assert!(text.contains(opt), "{name}.1 lacks {opt}");
        }
        let bash = std::fs::read_to_string(dir.join(format!("{name}.bash"))).unwrap();
        assert!(bash.contains(&format!("complete -F _{}", name.replace('-', "__"))) && bash.contains("--fail-on"), "{bash}");
        let syntax = Command::new("bash").arg("-n").arg(dir.join(format!("{name}.bash"))).status().unwrap();
        assert!(syntax.success(), "{name}.bash is not valid bash");
        let zsh = std::fs::read_to_string(dir.join(format!("_{name}"))).unwrap();
        assert!(zsh.starts_with(&format!("#compdef {name}")) && zsh.contains("--fail-on"), "{zsh}");
        let fish = std::fs::read_to_string(dir.join(format!("{name}.fish"))).unwrap();
        assert!(fish.contains(&format!("complete -c {name}")) && fish.contains("-l fail-on"), "{fish}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
