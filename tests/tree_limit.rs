//! Wireshark stops dissecting a frame at 1,000,000 tree items (and aborts
//! with WIRESHARK_ABORT_ON_TOO_MANY_ITEMS=1). No XMMEP frame up to 256 KB may
//! reach that, whatever its bytes: the decoder keeps one report per class per
//! message (decode::coalesce), so a flood of empty elements costs a tree item
//! or two per byte, not one expert info per byte.
//!
//! Two worst cases (a UDP jumbogram and a 200 KB TCP segment, both flooded
//! with empty elements) are built here and decoded by the real tshark with
//! the plugin and with the Lua script, with the abort variables set:
//! every message shown, every problem reported, the same in both.

use xmmep_core::codec::{encode_raw, Decoder, Options};
use xmmep_core::schema::Schema;
use xmmep_tools::capture::big;
use xmmep_tools::capture::pcapng;
use xmmep_tools::pdml::{self, Frame};

use xmmep_testkit::render::render_with;
use xmmep_testkit::tshark::Dissector;

/// Wireshark's limit on the items of one frame's tree.
const MAX_TREE_ITEMS: usize = 1_000_000;
/// The largest frame a capture file holds (wiretap's standard maximum).
const MAX_FRAME: usize = 256 * 1024;
/// Items Wireshark adds per expert info: the "Expert Info" item and its
/// message, severity and group.
const ITEMS_PER_EXPERT: usize = 4;
/// A port Decode As binds for frame A (free in `tshark -G decodes`).
const UDP_PORT: u16 = 47410;
const TCP_PORT: u16 = 47411;

const ENV: &[(&str, &str)] =
    &[("WIRESHARK_ABORT_ON_TOO_MANY_ITEMS", "1"), ("WIRESHARK_ABORT_ON_DISSECTOR_BUG", "1"), ("WIRESHARK_DEBUG_WMEM_OVERRIDE", "strict"), ("MALLOC_CHECK_", "3")];

/// `n` messages of `code`: `prefix` and then 0x03 up to the largest body.
fn flood(code: u32, prefix: &[u8], n: usize) -> Vec<u8> {
    let mut body = prefix.to_vec();
    body.resize(9999, 0x03);
    encode_raw(code, &body).repeat(n)
}

/// Frame A: an IPv6 UDP jumbogram of 8 MSG_FIND_BUDDIES_REQ whose
/// conditions are a flood of empty elements (found by Decode As: the
/// heuristic rightly refuses a first message with errors).
fn frame_a() -> (Vec<u8>, usize) {
    let mut body = b"alice\x019999\x01".to_vec();
    body.resize(11 + 9987, 0x03);
    let payload = encode_raw(195, &body).repeat(8);
    let frame = big::udp_ipv6(big::ipv6(2), 50123, big::ipv6(1), UDP_PORT, &payload);
    (frame, 8)
}

/// Frame B: 20 MSG_LOGIN_RES3 in one 200 KB TCP segment (IPv4 total length
/// 0, as TSO captures show it), buddy lists flooded with empty elements;
/// found by the TCP heuristic alone.
fn frame_b() -> (Vec<u8>, usize) {
    let payload = flood(115, b"1\x019999\x01", 20);
    let frame = big::tcp_ipv4([10, 0, 0, 2], 50124, [10, 0, 0, 1], TCP_PORT, 1, &payload);
    (frame, 20)
}

fn capture(frame: Vec<u8>) -> Vec<u8> {
    pcapng::to_bytes("xmmep tree limit", &[big::packet(frame)])
}

/// The tree items one message costs as the dissectors show it: the
/// protocol item, one per decoded item, four per expert info.
fn tree_items(dec: &Decoder<'_>, msg: &[u8]) -> usize {
    let d = dec.decode(msg);
    1 + d.items.len() + ITEMS_PER_EXPERT * d.reports.len()
}

/// Runs tshark (plugin, or Lua script alone) on `cap` with the abort
/// variables; checks it exited 0 without a dissector bug; returns the frames.
fn decode(cap: &[u8], d: &Dissector, args: &[&str]) -> Vec<Frame> {
    let file = d.ts.write_file("big.pcapng", cap).display().to_string();
    let mut a = vec!["-r", file.as_str(), "-T", "pdml"];
    a.extend_from_slice(args);
    let out = d.run_with_env(ENV, &a);
    let who = d.name();
    out.assert_success();
    assert!(!out.stderr.contains("Lua") && !out.stderr.contains("steps aside"), "{who}: tshark stderr:\n{}", out.stderr);
    for bad in ["Dissector bug", "more than 1000000 items", "Lua Error"] {
        assert!(!out.stdout.contains(bad), "{who}: `{bad}` in the output");
    }
    let mut frames = Vec::new();
    pdml::read_frames(out.stdout.as_bytes(), |fr| frames.push(fr)).expect("PDML");
    frames
}

/// Decodes the one-frame capture with both dissectors; checks that each
/// shows all `n` messages, each with its problems reported once per class,
/// and that both show the same tree. Returns the rendering.
fn check_both(frame: Vec<u8>, n: usize, args: &[&str], expect_experts: &[&str]) -> String {
    assert!(frame.len() <= MAX_FRAME);
    let cap = capture(frame);
    let mut shown = Vec::new();
    for d in Dissector::both() {
        let lua = d.is_lua();
        let frames = decode(&cap, &d, args);
        assert_eq!(frames.len(), 1);
        let f = &frames[0];
        assert_eq!(f.messages.len(), n, "lua={lua}: every message shown");
        for m in &f.messages {
            let names: Vec<&str> = m.experts.iter().map(|x| x.name.as_str()).collect();
            for want in expect_experts {
                assert_eq!(names.iter().filter(|x| *x == want).count(), 1, "lua={lua}: one {want} in {names:?}");
            }
            let mut unique = names.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), names.len(), "lua={lua}: one expert info per class: {names:?}");
            assert!(m.experts.iter().any(|x| x.message.contains("more of this kind in the message, at byte(s) ")), "lua={lua}: the flood is counted");
        }
        shown.push(render_with(&frames, true));
    }
    assert!(shown[0] == shown[1], "the plugin and the Lua script differ");
    shown.pop().unwrap()
}

#[test]
fn frame_a_jumbogram_of_find_buddies_floods_decodes_whole() {
    let (frame, n) = frame_a();
    let decode_as = format!("udp.port=={UDP_PORT},xmmep");
    let text = check_both(frame, n, &["-d", &decode_as], &["xmmep.empty_number", "xmmep.missing_fields", "xmmep.count_mismatch"]);
    // The count disagrees with the 9988 elements, and the empty keys are
    // counted: 9988 of them, one reported with the 9987 others.
    assert!(text.contains("Condition count is 9999 but Conditions holds 9988 elements"), "{}", &text[..2000]);
    assert!(text.contains("(and 9987 more of this kind in the message, at byte(s) "), "{}", &text[..2000]);
}

#[test]
fn frame_b_tso_segment_of_login_res3_floods_found_by_heuristic() {
    let (frame, n) = frame_b();
    let text = check_both(frame, n, &[], &["xmmep.missing_fields", "xmmep.count_mismatch"]);
    assert!(text.contains("Count is 9999 but Buddy list holds 9993 elements"), "{}", &text[..2000]);
}

/// The costliest message in tree items per byte that a deterministic
/// search finds: for every defined type (and an undefined and a foreign
/// one), a hill climb over bodies of up to 60 bytes of delimiters, digits,
/// signs and dots, from empty, and each delimiter flooding each of the first
/// fields to the largest body.
fn costliest_message(dec: &Decoder<'_>) -> (f64, Vec<u8>) {
    let cost = |m: &[u8]| tree_items(dec, m) as f64 / m.len() as f64;
    let alphabet: &[u8] = b"\x01\x02\x03\x04\x01\x02\x03\x04-019x.a";
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed as usize
    };
    let codes: Vec<u32> = (100..=999).filter(|c| dec.schema.message(*c).is_some()).chain([160, 0, 5000]).collect();
    let mut best = (0.0, Vec::new());
    let consider = |msg: Vec<u8>, best: &mut (f64, Vec<u8>)| {
        let c = cost(&msg);
        if c > best.0 {
            *best = (c, msg);
        }
        c
    };
    for &code in &codes {
        for field in 0..6 {
            for d in 1..=4u8 {
                let mut body = vec![0x01; field];
                body.resize(9999, d);
                consider(encode_raw(code, &body), &mut best);
            }
        }
        let mut cur: Vec<u8> = Vec::new();
        let mut cur_cost = cost(&encode_raw(code, &cur));
        for _ in 0..20_000 {
            let mut b = cur.clone();
            let at = rnd() % (b.len() + 1);
            let ch = alphabet[rnd() % alphabet.len()];
            match rnd() % 4 {
                0 | 1 => b.insert(at, ch),
                2 if at < b.len() => {
                    b.remove(at);
                }
                _ if at < b.len() => b[at] = ch,
                _ => b.push(ch),
            }
            if b.len() > 60 {
                continue;
            }
            let c = consider(encode_raw(code, &b), &mut best);
            if c >= cur_cost || rnd() % 50 == 0 {
                (cur, cur_cost) = (b, c);
            }
        }
    }
    best
}

/// The decoder side of the bound, over many more shapes than tshark could
/// run: at most 3 tree items per byte, so that a 256 KB frame of the
/// costliest message stays below 800,000 items.
#[test]
fn tree_items_per_byte_are_bounded() {
    let dec = Decoder::new(Schema::standard(), Options::default());
    let (worst, msg) = costliest_message(&dec);
    assert!(worst <= 3.0, "{worst:.2} tree items per byte for {:?}", String::from_utf8_lossy(&msg));
    for msg in [msg, flood(115, b"1\x019999\x01", 1), flood(195, b"alice\x019999\x01", 1)] {
        let per_frame = MAX_FRAME / msg.len();
        let items = per_frame * tree_items(&dec, &msg);
        assert!(items < MAX_TREE_ITEMS * 8 / 10, "{items} items in a frame of {per_frame} messages");
    }
}

/// A 256 KB UDP frame packed with the costliest message the search finds
/// (about 19,000 of them), through tshark with the abort variables: plugin
/// and Lua show every message, the same.
#[test]
fn frame_of_the_costliest_small_message_stays_below_the_limit() {
    let dec = Decoder::new(Schema::standard(), Options::default());
    let (_, msg) = costliest_message(&dec);
    let n = (MAX_FRAME - 14 - 40 - 8 - 8) / msg.len();
    let frame = big::udp_ipv6(big::ipv6(2), 50123, big::ipv6(1), UDP_PORT, &msg.repeat(n));
    let cap = capture(frame);
    let decode_as = format!("udp.port=={UDP_PORT},xmmep");
    let mut shown = Vec::new();
    for d in Dissector::both() {
        let frames = decode(&cap, &d, &["-d", &decode_as]);
        assert_eq!(frames[0].messages.len(), n, "lua={}: every message shown", d.is_lua());
        shown.push(render_with(&frames, false));
    }
    assert!(shown[0] == shown[1], "the plugin and the Lua script differ");
}
