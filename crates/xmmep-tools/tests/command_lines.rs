//! Every binary's command line is clap's: `--help` with examples,
//! `--version`, errors in the usual form and exit code 2 on bad usage.

use std::process::Command;

const BINS: [(&str, &str); 5] = [
    ("xmmep-check", env!("CARGO_BIN_EXE_xmmep-check")),
    ("xmmep-export", env!("CARGO_BIN_EXE_xmmep-export")),
    ("xmmep-capgen", env!("CARGO_BIN_EXE_xmmep-capgen")),
    ("xmmep-gen-lua", env!("CARGO_BIN_EXE_xmmep-gen-lua")),
    ("xmmep-gen-docs", env!("CARGO_BIN_EXE_xmmep-gen-docs")),
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
