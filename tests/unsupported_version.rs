//! A build against a Wireshark that is not in `wireshark-versions` stops
//! with an error that names the supported versions. The test hands the
//! build script a `wireshark.pc` of version 4.2.0 through pkg-config's
//! search path, in a target folder of its own (so the real build's cache is
//! never touched).

use std::path::Path;
use std::process::Command;

#[test]
fn build_against_an_unsupported_version_names_the_supported_ones() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let supported: Vec<String> = std::fs::read_to_string(root.join("wireshark-versions"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    assert!(supported.len() >= 3, "{supported:?}");
    assert!(!supported.iter().any(|v| v == "4.2"), "the test needs an unsupported version");

    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("unsupported-version");
    let pc_dir = target.join("pkgconfig");
    std::fs::create_dir_all(&pc_dir).unwrap();
    std::fs::write(pc_dir.join("wireshark.pc"), "Name: Wireshark\nDescription: a release this plugin does not support\nVersion: 4.2.0\nCflags:\nLibs:\n").unwrap();
    let out = Command::new(env!("CARGO"))
        .args(["check", "--lib", "--quiet"])
        .current_dir(root)
        .env("CARGO_TARGET_DIR", &target)
        .env("PKG_CONFIG_PATH", &pc_dir)
        .env("PKG_CONFIG_LIBDIR", &pc_dir)
        .output()
        .expect("run cargo");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the build must fail:\n{stderr}");
    let want = format!("found Wireshark 4.2.0, which xmmep-wireshark does not support; supported versions: {}", supported.join(", "));
    assert!(stderr.contains(&want), "expected {want:?} in:\n{stderr}");
}
