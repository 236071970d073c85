//! Secondary conversations (traffic that a message announces), with the real tshark: the
//! login connection announced by MSG_GET_LOGIN_INFO_RES, the peer UDP
//! traffic announced by an OnlineBuddy and the file data connections
//! announced by the file-transfer forwards are decoded with both XMMEP
//! heuristics off, in one pass and in two passes alike; the file data is
//! labelled and counted, with a note when its size differs from the offer.

use std::path::Path;

use xmmep_core::codec::EncValue;
use xmmep_testkit::captures;
use xmmep_testkit::tshark::Tshark;
use xmmep_tools::capture::msg::{msg, t};
use xmmep_tools::capture::net::{Client, Net, Server, Tcp};

const NO_HEURISTICS: [&str; 4] = ["--disable-heuristic", "xmmep_tcp", "--disable-heuristic", "xmmep_udp"];

/// `-T fields` rows (tab-separated) of `cap`, in one pass and in two
/// passes; asserts that both are the same.
fn rows(ts: &Tshark, cap: &Path, extra: &[&str], fields: &[&str]) -> Vec<Vec<String>> {
    let f = ts.add_file(cap);
    let f = f.to_string_lossy().into_owned();
    let mut args: Vec<&str> = vec!["-r", &f, "-T", "fields"];
    args.extend_from_slice(extra);
    for fl in fields {
        args.extend_from_slice(&["-e", fl]);
    }
    let one = ts.run(&args);
    one.assert_success();
    let mut two_args = vec!["-2"];
    two_args.extend_from_slice(&args);
    let two = ts.run(&two_args);
    two.assert_success();
    assert_eq!(one.stdout, two.stdout, "one pass and two passes differ");
    one.stdout.lines().map(|l| l.split('\t').map(String::from).collect()).collect()
}

#[test]
fn login_connection_and_peer_keepalive_are_decoded_without_heuristics() {
    let ts = Tshark::with_plugin();
    // Only the router's port is bound; everything else is XMMEP because a
    // message announced it: the login server (GET_LOGIN_INFO_RES), Alice's
    // peer address (Bob's MSG_LOGIN_RES6).
    let mut opts = NO_HEURISTICS.to_vec();
    opts.extend_from_slice(&["-d", "udp.port==6600,xmmep"]);
    let r = rows(&ts, &captures::path("login.pcapng"), &opts, &["frame.number", "tcp.dstport", "udp.dstport", "xmmep.msg_type", "xmmep.setup_in", "xmmep.server_port"]);
    let announcing: Vec<&Vec<String>> = r.iter().filter(|c| c[5] == "6620").collect();
    assert_eq!(announcing.len(), 2, "two successful router lookups: {r:?}");
    let first_login = r.iter().find(|c| c[1] == "6620" && c[3] == "112").expect("a LOGIN_REQ to the announced server is decoded");
    assert_eq!(first_login[4], announcing[0][0], "the login connection names the lookup that announced it");
    // The failed login (RESULT_PASSWD_MISMATCH) and the retry on the same connection.
    assert!(r.iter().filter(|c| c[1] == "6620" && c[3] == "112").count() >= 3, "{r:?}");
    let keepalives: Vec<_> = r.iter().filter(|c| c[2] == "6650" && c[3] == "200").collect();
    assert_eq!(keepalives.len(), 2, "the peer keepalive and its answer: {r:?}");
    assert!(keepalives.iter().all(|c| !c[4].is_empty()), "peer traffic names the announcing frame: {keepalives:?}");
    // Without the announcement (the router's port not bound), none of it.
    let bare = rows(&ts, &captures::path("login.pcapng"), &NO_HEURISTICS, &["xmmep.msg_type"]);
    assert!(bare.iter().all(|c| c[0].is_empty()), "decoded without any announcement");
}

#[test]
fn file_data_is_labelled_counted_and_checked_against_the_size() {
    let ts = Tshark::with_plugin();
    let mut opts = NO_HEURISTICS.to_vec();
    opts.extend_from_slice(&["-d", "tcp.port==6620,xmmep"]);
    let fields = [
        "frame.number",
        "xmmep.file_data.file_name",
        "xmmep.file_data.file_size",
        "xmmep.file_data.setup_in",
        "xmmep.file_data.bytes_seen",
        "xmmep.file_data.data",
        "xmmep.file_data.size_mismatch",
        "_ws.col.Protocol",
        "xmmep.msg_type",
    ];
    let r = rows(&ts, &captures::path("file_transfer.pcapng"), &opts, &fields);
    let data: Vec<&Vec<String>> = r.iter().filter(|c| !c[1].is_empty()).collect();
    let of = |name: &str| data.iter().filter(|c| c[1] == name).copied().collect::<Vec<_>>();
    let (report, photos) = (of("quarterly-report.pdf"), of("holiday-photos.zip"));
    assert_eq!(report.len(), 5, "{data:?}");
    assert_eq!(photos.len(), 3, "{data:?}");
    assert!(data.iter().all(|c| c[7] == "XMMEP-DATA" && !c[5].is_empty()));
    // Accepted with the receiver's address: set up by MSG_SEND_FILE_RES_FWD,
    // whose file comes from the offer; with the sender's: by MSG_SEND_FILE_REQ_FWD.
    let msg_type_at = |frame: &str| r.iter().find(|c| c[0] == frame).map(|c| c[8].clone()).unwrap_or_default();
    assert_eq!(msg_type_at(&report[0][3]), "183");
    assert_eq!(msg_type_at(&photos[0][3]), "181");
    assert_eq!(report.iter().map(|c| c[4].as_str()).collect::<Vec<_>>(), ["1448", "2896", "4344", "5792", "5812"]);
    assert!(report.iter().all(|c| c[2] == "5812" && c[6].is_empty()), "all of it: no note");
    assert_eq!(photos.last().unwrap()[4], "4000");
    assert!(!photos.last().unwrap()[6].is_empty(), "fewer bytes than announced: a note at the end");
    assert!(photos[..2].iter().all(|c| c[6].is_empty()));
}

#[test]
fn more_bytes_than_announced_get_a_note_where_they_pass_the_size() {
    let mut net = Net::new(3, "file-more");
    let (server, alice, bob) = (net.host([10, 1, 0, 1]), net.host([10, 1, 0, 2]), net.host([10, 1, 0, 3]));
    let mut control = Tcp::connect(&mut net, bob, server, 6620);
    let offer =
        msg("MSG_SEND_FILE_REQ_FWD", vec![t("alice"), t("bob"), t("notes.txt"), EncValue::Int(2000), EncValue::Int(1), EncValue::Bool(false), t("10.1.0.2"), EncValue::Int(6661)]);
    control.send(&mut net, Server, &offer);
    let mut data = Tcp::connect(&mut net, bob, alice, 6661);
    data.send(&mut net, Server, &[b'x'; 1448]);
    data.send(&mut net, Server, &[b'y'; 1448]);
    data.close_with(&mut net, Server, &[b'z'; 100]);
    control.close(&mut net, Client);
    let ts = Tshark::with_plugin();
    let cap = ts.write_file("more.pcapng", &xmmep_testkit::pcap::pcapng(&mut net));
    let mut opts = NO_HEURISTICS.to_vec();
    opts.extend_from_slice(&["-d", "tcp.port==6620,xmmep"]);
    let r = rows(&ts, &cap, &opts, &["xmmep.file_data.bytes_seen", "_ws.expert.message"]);
    let data: Vec<_> = r.iter().filter(|c| !c[0].is_empty()).collect();
    assert_eq!(data.iter().map(|c| c[0].as_str()).collect::<Vec<_>>(), ["1448", "2896", "2996"]);
    assert!(data[0][1].is_empty());
    assert!(data[1][1].contains("2896 bytes of file data, more than the announced file size of 2000 bytes"), "{data:?}");
    assert!(!data[2][1].contains("file data"), "one note, where the size is passed: {data:?}");
}
