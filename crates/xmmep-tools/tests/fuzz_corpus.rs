//! Replays the coverage-guided fuzzing corpus under the ordinary `cargo
//! test`: every file of fuzz/corpus/<target>/ (the committed seeds) and of
//! fuzz/regressions/<target>/ (inputs that once broke a property, kept
//! forever) goes through the same checks as the fuzz target (fuzz/src/
//! checks.rs, included here), so a regression fails the suite without the
//! fuzzer. scripts/fuzz-coverage.sh runs the fuzzer itself.
//!
//! The seeds are written by `cargo test --release --test fuzz_corpus --
//! --ignored write_seed_corpus`: messages of the capture corpus, the
//! specification's examples, and a few hostile shapes.

#[path = "../../../fuzz/src/checks.rs"]
mod checks;

use std::path::{Path, PathBuf};

type Check = fn(&[u8]);

const TARGETS: &[(&str, Check)] = &[
    ("header", checks::header),
    ("heuristic", checks::heuristic),
    ("tcp_framing", checks::tcp_framing),
    ("decode", checks::decode),
    ("round_trip", checks::round_trip),
    ("analysis", checks::analysis),
];

fn fuzz_dir() -> PathBuf {
    xmmep_testkit::root().join("fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect(),
        Err(_) => Vec::new(),
    };
    out.sort();
    out
}

#[test]
fn seeds_and_regressions_pass_every_check() {
    let mut total = 0;
    for (target, check) in TARGETS {
        let seeds = files(&fuzz_dir().join("corpus").join(target));
        assert!(seeds.len() >= 10, "fuzz/corpus/{target} has {} seeds", seeds.len());
        for kind in ["corpus", "regressions"] {
            for f in files(&fuzz_dir().join(kind).join(target)) {
                let data = std::fs::read(&f).unwrap();
                let r = std::panic::catch_unwind(|| check(&data));
                assert!(r.is_ok(), "{target}: {} fails its check", f.display());
                total += 1;
            }
        }
    }
    assert!(total >= 50);
}

/// Writes fuzz/corpus/<target>/ (run it with `--ignored`; deterministic).
#[test]
#[ignore]
fn write_seed_corpus() {
    use xmmep_tools::capture::extract::{messages, payloads};
    let root = xmmep_testkit::root();
    let mut msgs: Vec<Vec<u8>> = Vec::new();
    let mut streams: Vec<Vec<u8>> = Vec::new();
    for cap in [
        "login",
        "buddies",
        "chat_utf8",
        "chat_gb18030",
        "file_transfer",
        "register",
        "tcp_segments",
        "malformed/truncated",
        "malformed/bad_header",
        "malformed/count_mismatch",
        "malformed/empty_number",
        "malformed/extra_fields",
        "malformed/oversize",
    ] {
        let bytes = std::fs::read(xmmep_testkit::captures::path(format!("{cap}.pcapng"))).unwrap();
        for p in payloads(&bytes) {
            for m in messages(&p.data) {
                if !msgs.contains(&m.to_vec()) && msgs.len() < 60 {
                    msgs.push(m.to_vec());
                }
            }
            if streams.len() < 20 && !p.data.is_empty() {
                streams.push(p.data[..p.data.len().min(4096)].to_vec());
            }
        }
    }
    // A few hostile shapes, then the specification's examples.
    let hostile: [&[u8]; 6] =
        [b"  12 1951\x01\x03\x03\x03\x03\x03\x03", b"  10 115\x01\x03\x02\x04\x03\x01\x02\x03\x04\x03", b"0012011500\x01\x03\x03", b"   0   0", b"9999 115", b"  1O 200alice"];
    msgs.extend(hostile.into_iter().chain(xmmep_testkit::spec_examples::ENCODED).map(<[u8]>::to_vec));
    let write = |target: &str, items: &[Vec<u8>]| {
        let dir = root.join("fuzz/corpus").join(target);
        std::fs::create_dir_all(&dir).unwrap();
        for (i, it) in items.iter().enumerate() {
            std::fs::write(dir.join(format!("seed-{i:03}")), it).unwrap();
        }
    };
    let with_charset: Vec<Vec<u8>> = msgs.iter().enumerate().map(|(i, m)| [&[(i % 2) as u8][..], m].concat()).collect();
    write("header", &msgs);
    write("decode", &with_charset);
    write("heuristic", &with_charset);
    let streams: Vec<Vec<u8>> = streams.iter().enumerate().map(|(i, s)| [&[(i * 37 % 256) as u8][..], s].concat()).collect();
    write("tcp_framing", &streams);
    let rt: Vec<Vec<u8>> = (0..40u8).map(|i| (0..64u8).map(|k| i.wrapping_mul(31).wrapping_add(k.wrapping_mul(7))).collect()).collect();
    write("round_trip", &rt);
    // Whole sessions for the analysis: every message of a capture in the
    // order its streams start, each after a control byte naming its
    // conversation (the endpoint pair) and starting a new frame.
    let mut sessions = Vec::new();
    for cap in [
        "login",
        "buddies",
        "file_transfer",
        "register",
        "duplicate_login",
        "chat_utf8",
        "chat_gb18030",
        "keepalive",
        "tcp_segments",
        "malformed/part_sequence",
        "malformed/no_original",
        "malformed/no_request",
        "malformed/no_response",
        "malformed/count_mismatch",
    ] {
        let bytes = std::fs::read(xmmep_testkit::captures::path(format!("{cap}.pcapng"))).unwrap();
        let mut convs: Vec<(String, String)> = Vec::new();
        let mut seed = Vec::new();
        for p in payloads(&bytes) {
            let mut ends = [format!("{:?}", p.src), format!("{:?}", p.dst)];
            ends.sort();
            let key = (ends[0].clone(), ends[1].clone());
            let conv = convs.iter().position(|c| *c == key).unwrap_or_else(|| {
                convs.push(key);
                convs.len() - 1
            });
            for m in messages(&p.data) {
                seed.push(4 | (conv % 4) as u8);
                seed.extend_from_slice(m);
            }
        }
        sessions.push(seed);
    }
    write("analysis", &sessions);
}
