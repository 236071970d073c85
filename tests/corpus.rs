//! The capture corpus (tests/captures): reproducible from its seed, every
//! message type present, well-formed where it should be, one report class per
//! malformed capture, nothing XMMEP-like in the non-XMMEP capture, and files
//! that tshark reads.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use xmmep_core::codec::header::looks_like_header;
use xmmep_core::codec::{Decoded, Decoder, Options};
use xmmep_core::reports::{Group, ReportKind};
use xmmep_core::schema::Schema;
use xmmep_core::table::{self, MAX_MESSAGE_LEN};
use xmmep_testkit::captures;
use xmmep_testkit::tshark::Tshark;
use xmmep_tools::capture::extract::{messages, payloads};
use xmmep_tools::capture::sessions::is_file_data;
use xmmep_tools::capture::{corpus, write_corpus, Capture, Expect, DEFAULT_SEED};

fn files_below(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let rel = |p: &Path| p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
    captures::below(dir).into_iter().map(|p| (rel(&p), std::fs::read(&p).unwrap())).collect()
}

/// Every message of a capture file, decoded with the capture's charset.
fn decode_file(c: &Capture) -> Vec<(Vec<u8>, Decoded)> {
    let bytes = std::fs::read(captures::path(&c.path)).unwrap();
    let dec = Decoder::new(Schema::standard(), Options { charset: c.charset });
    let mut out = Vec::new();
    // File data streams (file_transfer.pcapng) carry a file, not XMMEP.
    for p in payloads(&bytes).into_iter().filter(|p| !is_file_data(&p.data)) {
        for m in messages(&p.data) {
            out.push((m.to_vec(), dec.decode(m)));
        }
    }
    out
}

fn kinds(decoded: &[(Vec<u8>, Decoded)]) -> BTreeSet<ReportKind> {
    decoded.iter().flat_map(|(_, d)| d.reports.iter().map(|r| r.kind)).filter(|k| *k != ReportKind::CleartextPassword).collect()
}

#[test]
fn regenerating_gives_the_committed_files() {
    let dir = std::env::temp_dir().join(format!("xmmep-corpus-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    write_corpus(&dir, DEFAULT_SEED).unwrap();
    let fresh = files_below(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    let old = files_below(&captures::dir());
    assert_eq!(fresh.keys().collect::<Vec<_>>(), old.keys().collect::<Vec<_>>(), "file set differs; run: cargo run --bin xmmep-capgen -- --out-dir tests/captures");
    for (name, bytes) in &fresh {
        assert!(old[name] == *bytes, "{name} differs from a fresh generation; run: cargo run --bin xmmep-capgen -- --out-dir tests/captures");
    }
}

#[test]
fn generation_is_deterministic_and_seed_dependent() {
    let a: Vec<Vec<u8>> = corpus(7).iter().map(|c| c.bytes(7)).collect();
    let b: Vec<Vec<u8>> = corpus(7).iter().map(|c| c.bytes(7)).collect();
    assert!(a == b);
    let c: Vec<Vec<u8>> = corpus(8).iter().map(|c| c.bytes(8)).collect();
    assert!(a.iter().zip(&c).all(|(x, y)| x != y));
}

#[test]
fn every_message_type_appears_in_the_well_formed_captures() {
    let mut seen = BTreeSet::new();
    for c in corpus(DEFAULT_SEED).iter().filter(|c| c.expect == Expect::Clean) {
        for (_, d) in decode_file(c) {
            seen.insert(d.header.unwrap().msg_type);
        }
    }
    let missing: Vec<_> = table::MESSAGES.iter().filter(|m| !seen.contains(&(m.code as u32))).map(|m| m.name).collect();
    assert!(missing.is_empty(), "not in the corpus: {missing:?}");
    assert_eq!(table::MESSAGES.len(), 43);
}

#[test]
fn well_formed_captures_decode_without_reports() {
    for c in corpus(DEFAULT_SEED).iter().filter(|c| c.expect == Expect::Clean) {
        let decoded = decode_file(c);
        assert!(!decoded.is_empty(), "{}: no messages", c.path);
        for (m, d) in &decoded {
            assert!(m.len() <= MAX_MESSAGE_LEN, "{}: message of {} bytes", c.path, m.len());
            let other: Vec<_> = d.reports.iter().filter(|r| r.kind != ReportKind::CleartextPassword).collect();
            assert!(other.is_empty(), "{}: {:?} in {}", c.path, other, xmmep_core::codec::decode::escape(m));
        }
    }
}

/// The analysis report classes (group sequence) that the plugin shows on
/// a capture, over two passes (whole-capture notes included). The
/// decoder alone cannot find these: they need the messages in capture
/// order, across conversations.
fn analysis_kinds(ts: &Tshark, path: &str) -> BTreeSet<ReportKind> {
    let file = ts.add_file(&captures::path(path));
    xmmep_core::reports::CLASSES
        .iter()
        .filter(|c| c.group == Group::Sequence)
        .filter(|c| {
            let out = ts.run(&["-2", "-r", &file.to_string_lossy(), "-Y", &format!("xmmep.{}", c.abbrev)]);
            out.assert_success();
            !out.stdout.trim().is_empty()
        })
        .map(|c| c.kind)
        .collect()
}

#[test]
fn well_formed_captures_have_no_analysis_reports() {
    let ts = Tshark::with_plugin();
    for c in corpus(DEFAULT_SEED).iter().filter(|c| c.expect == Expect::Clean) {
        assert_eq!(analysis_kinds(&ts, &c.path), BTreeSet::new(), "{}", c.path);
    }
}

#[test]
fn each_malformed_capture_shows_its_class_only() {
    let cases: Vec<_> = corpus(DEFAULT_SEED).into_iter().filter(|c| matches!(c.expect, Expect::Class(_))).collect();
    let classes: BTreeSet<_> = cases.iter().map(|c| c.expect).collect();
    // One capture per report class, the plugin's internal error aside.
    assert_eq!(classes.len(), xmmep_core::reports::CLASSES.len() - 1);
    let ts = Tshark::with_plugin();
    for c in &cases {
        let Expect::Class(kind) = c.expect else { unreachable!() };
        let across = analysis_kinds(&ts, &c.path);
        if kind.class().group == Group::Sequence {
            assert_eq!(across, BTreeSet::from([kind]), "{}", c.path);
            assert!(kinds(&decode_file(c)).is_empty(), "{}: the messages themselves are well-formed", c.path);
            continue;
        }
        assert!(across.is_empty(), "{}: {across:?}", c.path);
        let decoded = decode_file(c);
        let all: BTreeSet<_> = decoded.iter().flat_map(|(_, d)| d.reports.iter().map(|r| r.kind)).collect();
        assert!(all.contains(&kind), "{}: {kind:?} not reported", c.path);
        if kind != ReportKind::CleartextPassword {
            assert_eq!(kinds(&decoded), BTreeSet::from([kind]), "{}", c.path);
            assert!(!all.contains(&ReportKind::CleartextPassword), "{}: carries a password", c.path);
        } else {
            assert!(kinds(&decoded).is_empty(), "{}: {:?}", c.path, kinds(&decoded));
        }
        // The problem comes after a well-formed message.
        assert!(decoded[0].1.reports.is_empty() || kind == ReportKind::CleartextPassword || decoded.len() == 1, "{}", c.path);
    }
}

#[test]
fn non_xmmep_capture_has_nothing_like_a_header() {
    let c = corpus(DEFAULT_SEED).into_iter().find(|c| c.expect == Expect::NotXmmep).unwrap();
    let bytes = std::fs::read(captures::path(&c.path)).unwrap();
    let ps = payloads(&bytes);
    assert!(ps.len() > 10);
    for p in ps {
        assert!(looks_like_header(&p.data).is_none(), "{:?} -> {:?} starts like XMMEP", p.src, p.dst);
    }
}

#[test]
fn login_response_is_multi_part_with_rising_seq_and_true_counts() {
    let c = corpus(DEFAULT_SEED).into_iter().find(|c| c.path == "login.pcapng").unwrap();
    let mut seqs: BTreeMap<u32, Vec<i64>> = BTreeMap::new();
    let dec = Decoder::new(Schema::standard(), Options::default());
    let bytes = std::fs::read(captures::path(&c.path)).unwrap();
    let mut first_stream_done = false;
    for p in payloads(&bytes).into_iter().filter(|p| p.tcp && p.src.1 == 6620) {
        if first_stream_done {
            break;
        }
        first_stream_done = true;
        for m in messages(&p.data) {
            let d = dec.decode(m);
            let ty = d.header.unwrap().msg_type;
            if (114..=118).contains(&ty) {
                // Field values: seq_num, count (items 2 and 3).
                let num = |i: usize| {
                    let it = d.items[i];
                    std::str::from_utf8(&m[it.offset as usize..(it.offset + it.len) as usize]).unwrap().parse::<i64>().unwrap()
                };
                seqs.entry(ty).or_default().push(num(2));
                assert!(d.reports.is_empty(), "{ty}: {:?}", d.reports);
            }
        }
    }
    assert_eq!(seqs[&115], vec![1, 2, 3], "three MSG_LOGIN_RES3 packets");
    assert_eq!(seqs[&118], vec![1, 2], "two MSG_LOGIN_RES6 packets");
    for ty in [114, 116, 117] {
        assert_eq!(seqs[&ty], vec![1]);
    }
}

/// tshark reads every file, and sees complete TCP conversations. tshark
/// runs isolated from any XMMEP dissector installed on the machine.
#[test]
fn tshark_reads_the_captures() {
    let ts = xmmep_testkit::tshark::Tshark::without_plugin();
    for (name, _) in files_below(&captures::dir()) {
        let path = ts.add_file(&captures::path(&name));
        let out = ts.run(&["-n", "-r", &path.to_string_lossy(), "-q", "-z", "conv,tcp"]);
        let err: Vec<_> = out.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(out.status.success() && err.is_empty(), "{name}: {err:?}");
        assert!(out.stdout.contains("TCP Conversations"), "{name}: {}", out.stdout);
    }
}

/// The ports of the corpus belong to no dissector in `tshark -G decodes`.
#[test]
fn ports_are_free_in_tshark() {
    let out = xmmep_testkit::tshark::Tshark::without_plugin().run(&["-G", "decodes"]);
    out.assert_success();
    let text = out.stdout;
    for line in text.lines() {
        let f: Vec<_> = line.split('\t').collect();
        if f.len() >= 3 && (f[0] == "tcp.port" || f[0] == "udp.port") {
            let port: u32 = f[1].parse().unwrap_or(0);
            assert!(!xmmep_tools::capture::ports::ALL.contains(&(port as u16)), "{} {} is taken by {}", f[0], port, f[2]);
            assert!(!(50000..=53999).contains(&port), "client port {port} is taken by {}", f[2]);
        }
    }
}
