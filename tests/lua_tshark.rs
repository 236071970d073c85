//! The generated lua/xmmep.lua in the real tshark (Wireshark 4.0, Lua 5.2),
//! loaded with `-X lua_script:` and nothing else: UDP with several messages
//! per datagram (heuristic `xmmep_udp`), TCP with a header split across
//! segments and several messages per segment (port preference), a TCP
//! stream found by the heuristic `xmmep_tcp` on an unregistered port, Decode
//! As, the charset preference, and expert infos with the codec's texts.
//!
//! Captures are written here (Ethernet / IPv4 / TCP or UDP, classic pcap).
//! tshark runs with a temporary HOME so no personal preference leaks in.

use std::path::{Path, PathBuf};
use std::process::Command;

use xmmep::codec::{encode_raw, Decoder, Options};
use xmmep::schema::Schema;

fn script() -> PathBuf {
    // The committed, generated script.
    Path::new(env!("CARGO_MANIFEST_DIR")).join(xmmep::lua_gen::OUTPUT)
}

struct Dir(PathBuf);
impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
fn temp_dir(tag: &str) -> Dir {
    let d = std::env::temp_dir().join(format!("xmmep-lua-tshark-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    Dir(d)
}

/// One frame: TCP (with sequence number) or UDP, from `src` to `dst` port.
enum Seg<'a> {
    Tcp { src: u16, dst: u16, seq: u32, payload: &'a [u8] },
    Udp { src: u16, dst: u16, payload: &'a [u8] },
}

fn checksum(h: &[u8]) -> u16 {
    let mut sum: u32 = h.chunks(2).map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))).sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

fn pcap(frames: &[Seg<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for v in [0xa1b2_c3d4u32.to_le_bytes().to_vec(), vec![2, 0, 4, 0], vec![0; 8], 65535u32.to_le_bytes().to_vec(), 1u32.to_le_bytes().to_vec()] {
        out.extend_from_slice(&v);
    }
    for (i, s) in frames.iter().enumerate() {
        let (proto, l4) = match s {
            Seg::Tcp { src, dst, seq, payload } => {
                let mut t = Vec::new();
                t.extend_from_slice(&src.to_be_bytes());
                t.extend_from_slice(&dst.to_be_bytes());
                t.extend_from_slice(&seq.to_be_bytes());
                t.extend_from_slice(&1u32.to_be_bytes()); // ack
                t.extend_from_slice(&[0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]); // PSH|ACK, no checksum
                t.extend_from_slice(payload);
                (6u8, t)
            }
            Seg::Udp { src, dst, payload } => {
                let mut u = Vec::new();
                u.extend_from_slice(&src.to_be_bytes());
                u.extend_from_slice(&dst.to_be_bytes());
                u.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
                u.extend_from_slice(&[0, 0]);
                u.extend_from_slice(payload);
                (17u8, u)
            }
        };
        let (a, b) = match s {
            Seg::Tcp { src, dst, .. } | Seg::Udp { src, dst, .. } => (src, dst),
        };
        // The lower port is the "server" 10.0.0.2, so both directions pair up.
        let (sip, dip) = if a > b { ([10, 0, 0, 1], [10, 0, 0, 2]) } else { ([10, 0, 0, 2], [10, 0, 0, 1]) };
        let mut ip = vec![0x45, 0, 0, 0, 0, i as u8, 0x40, 0, 64, proto, 0, 0];
        ip.extend_from_slice(&sip);
        ip.extend_from_slice(&dip);
        ip[2..4].copy_from_slice(&((20 + l4.len()) as u16).to_be_bytes());
        let c = checksum(&ip);
        ip[10..12].copy_from_slice(&c.to_be_bytes());
        let mut f = vec![0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00];
        f.extend_from_slice(&ip);
        f.extend_from_slice(&l4);
        out.extend_from_slice(&(1_700_000_000u32 + i as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(f.len() as u32).to_le_bytes());
        out.extend_from_slice(&(f.len() as u32).to_le_bytes());
        out.extend_from_slice(&f);
    }
    out
}

const NOBODY: u32 = 65534;

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// The freshly built binary plugin (cargo builds the cdylib with the tests).
fn plugin_so() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let deps = exe.parent()?;
    [deps.join("libxmmep.so"), deps.parent()?.join("libxmmep.so")].into_iter().find(|p| p.exists())
}

/// Runs tshark with only the Lua script on `frames`; returns (stdout, stderr).
///
/// The system may have the binary plugin installed (it then wins, and the
/// script steps aside), so tshark runs with WIRESHARK_PLUGIN_DIR set to a
/// folder of our own: empty, or holding the freshly built plugin when
/// `with_plugin`. tshark ignores that variable as root, so as root it runs
/// as uid 65534 (setpriv), like tests/support/tshark.rs does.
fn run_tshark(tag: &str, frames: &[Seg<'_>], args: &[&str], with_plugin: bool) -> (String, String) {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir(tag);
    let plugins = dir.0.join("plugins");
    let (maj, min) = tshark_version();
    let epan = plugins.join(format!("{maj}.{min}")).join("epan");
    std::fs::create_dir_all(&epan).unwrap();
    if with_plugin {
        let so = plugin_so().expect("libxmmep.so is built with the tests");
        std::fs::copy(so, epan.join("xmmep.so")).unwrap();
    }
    let cap = dir.0.join("c.pcap");
    std::fs::write(&cap, pcap(frames)).unwrap();
    let lua = dir.0.join("xmmep.lua");
    std::fs::copy(script(), &lua).unwrap();
    for entry in walk(&dir.0) {
        let mode = if entry.is_dir() { 0o755 } else { 0o644 };
        std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(mode)).unwrap();
        if is_root() {
            std::os::unix::fs::chown(&entry, Some(NOBODY), Some(NOBODY)).unwrap();
        }
    }
    let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into());
    let env = [
        format!("HOME={}", dir.0.display()),
        format!("PATH={path}"),
        "LC_ALL=C.UTF-8".to_string(),
        format!("WIRESHARK_PLUGIN_DIR={}", plugins.display()),
    ];
    let mut cmd = if is_root() {
        let mut c = Command::new("setpriv");
        c.args([format!("--reuid={NOBODY}"), format!("--regid={NOBODY}"), "--clear-groups".into(), "env".into(), "-i".into()]);
        c.args(&env).arg("tshark");
        c
    } else {
        let mut c = Command::new("env");
        c.arg("-i").args(&env).arg("tshark");
        c
    };
    let out = cmd
        .arg("-X")
        .arg(format!("lua_script:{}", lua.display()))
        .arg("-r")
        .arg(&cap)
        .args(args)
        .current_dir(&dir.0)
        .output()
        .expect("tshark runs (apt-get install tshark)");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "tshark failed: {stderr}\n{stdout}");
    (stdout, stderr)
}

fn walk(p: &Path) -> Vec<PathBuf> {
    let mut out = vec![p.to_path_buf()];
    if p.is_dir() {
        for e in std::fs::read_dir(p).unwrap() {
            out.extend(walk(&e.unwrap().path()));
        }
    }
    out
}

fn tshark_version() -> (u32, u32) {
    let out = Command::new("tshark").arg("--version").output().expect("tshark runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let ver = text.split_whitespace().nth(2).expect("TShark (Wireshark) X.Y.Z");
    let mut it = ver.split('.').map(|p| p.parse::<u32>().unwrap());
    (it.next().unwrap(), it.next().unwrap())
}

/// tshark with the script alone; fails on any Lua error.
fn tshark(tag: &str, frames: &[Seg<'_>], args: &[&str]) -> String {
    let (stdout, stderr) = run_tshark(tag, frames, args, false);
    assert!(!stderr.contains("Lua") && !stderr.contains("steps aside"), "tshark stderr:\n{stderr}");
    assert!(!stdout.contains("Lua Error") && !stdout.contains("steps aside"), "Lua error in the dissection:\n{stdout}");
    stdout
}

/// `-T fields` rows: one Vec of columns per frame.
fn fields(tag: &str, frames: &[Seg<'_>], extra: &[&str], names: &[&str]) -> Vec<Vec<String>> {
    let mut args: Vec<&str> = extra.to_vec();
    args.extend(["-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=;"]);
    for n in names {
        args.push("-e");
        args.push(n);
    }
    tshark(tag, frames, &args).lines().map(|l| l.split('|').map(str::to_string).collect()).collect()
}

fn info_of(msgs: &[&[u8]]) -> String {
    let schema = Schema::standard();
    let dec = Decoder::new(schema, Options::default());
    msgs.iter()
        .map(|m| {
            let d = dec.decode(m);
            xmmep::codec::info::info_text(schema, &d, |o, l| String::from_utf8_lossy(&m[o as usize..(o + l) as usize]).into_owned())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn login() -> Vec<u8> {
    encode_raw(112, b"alice\x01secret123\x010")
}
fn keepalive(user: &str) -> Vec<u8> {
    encode_raw(200, user.as_bytes())
}
fn txt() -> Vec<u8> {
    encode_raw(170, b"alice\x01bob\x011700000000\x01hi there\x010")
}

#[test]
fn udp_several_messages_per_datagram_by_heuristic() {
    let (a, b, c) = (login(), keepalive("bob"), txt());
    let dgram = [a.clone(), b.clone(), c.clone()].concat();
    let rows = fields(
        "udp",
        &[Seg::Udp { src: 40001, dst: 40002, payload: &dgram }],
        &[],
        &["_ws.col.Protocol", "xmmep.msg_type", "xmmep.user_name", "xmmep.receiver", "xmmep.send_time", "_ws.col.Info"],
    );
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(r[0], "XMMEP");
    assert_eq!(r[1], "112;200;170");
    assert_eq!(r[2], "alice;bob");
    assert_eq!(r[3], "bob");
    assert!(r[4].contains("2023") && r[4].contains("UTC"), "send_time {}", r[4]);
    assert_eq!(r[5], info_of(&[&a, &b, &c]));
}

#[test]
fn tcp_split_header_and_several_messages_per_segment_by_port_pref() {
    let (a, b, c) = (login(), keepalive("bob"), txt());
    let stream = [a.clone(), b.clone(), c.clone()].concat();
    // Segment 1: 5 bytes (half a header); 2: rest of a, all of b, part of c; 3: rest.
    let cut1 = 5;
    let cut2 = a.len() + b.len() + 10;
    let segs = [
        Seg::Tcp { src: 50000, dst: 41000, seq: 1, payload: &stream[..cut1] },
        Seg::Tcp { src: 50000, dst: 41000, seq: 1 + cut1 as u32, payload: &stream[cut1..cut2] },
        Seg::Tcp { src: 50000, dst: 41000, seq: 1 + cut2 as u32, payload: &stream[cut2..] },
    ];
    let rows = fields("tcp", &segs, &["-o", "xmmep.tcp.port:41000"], &["frame.number", "xmmep.msg_type", "_ws.col.Info"]);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0][1], "", "nothing complete in frame 1");
    assert_eq!(rows[1][1], "112;200");
    assert_eq!(rows[1][2], info_of(&[&a, &b]));
    assert_eq!(rows[2][1], "170");
    assert_eq!(rows[2][2], info_of(&[&c]));
}

#[test]
fn tcp_heuristic_on_unregistered_port_sets_the_conversation() {
    let (a, b) = (login(), keepalive("carol"));
    let reply = encode_raw(113, b"12");
    // The first segment holds all of a and 3 bytes of b's header.
    let segs = [
        Seg::Tcp { src: 50001, dst: 42000, seq: 1, payload: &[a.clone(), b[..3].to_vec()].concat() },
        Seg::Tcp { src: 50001, dst: 42000, seq: 1 + a.len() as u32 + 3, payload: &b[3..] },
        // The other direction: decoded because the conversation is XMMEP now.
        Seg::Tcp { src: 42000, dst: 50001, seq: 1, payload: &reply },
    ];
    let rows = fields("heur", &segs, &[], &["xmmep.msg_type", "xmmep.user_name", "xmmep.result"]);
    assert_eq!(rows.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(), ["112", "200", "113"]);
    assert_eq!(rows[1][1], "carol");
    assert_eq!(rows[2][2], "12");
    // With the heuristic off, the same capture is not XMMEP.
    let rows = fields("heur-off", &segs, &["--disable-heuristic", "xmmep_tcp"], &["xmmep.msg_type"]);
    assert!(rows.iter().all(|r| r[0].is_empty()), "{rows:?}");
}

#[test]
fn decode_as_and_expert_infos_with_the_codec_texts() {
    // A malformed message (header fine, `status` not a number) that the UDP
    // heuristic rejects: only Decode As shows it.
    let bad = encode_raw(112, b"al\x01short\x01x");
    let segs = [Seg::Udp { src: 40100, dst: 40200, payload: &bad }];
    let rows = fields("nodecode", &segs, &[], &["xmmep.msg_type"]);
    assert_eq!(rows[0][0], "", "the heuristic must reject a malformed message");
    let names = ["xmmep.msg_type", "_ws.expert.message", "_ws.expert.severity", "xmmep.bad_value"];
    let rows = fields("decodeas", &segs, &["-d", "udp.port==40200,xmmep"], &names);
    let d = Decoder::new(Schema::standard(), Options::default()).decode(&bad);
    let texts: Vec<&str> = d.reports.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(rows[0][0], "112");
    assert_eq!(rows[0][1], texts.join(";"));
    assert!(rows[0][3].contains('x'), "bad value shown as text: {:?}", rows[0]);
    // One class by its expert filter name, with its severity.
    let rows = fields("expert", &segs, &["-d", "udp.port==40200,xmmep", "-Y", "xmmep.not_a_number"], &["xmmep.msg_type"]);
    assert_eq!(rows.len(), 1);
    let v = tshark("verbose", &segs, &["-d", "udp.port==40200,xmmep", "-V"]);
    assert!(v.contains("[Expert Info (Error/Malformed): xmmep.login_status is \"x\", not a decimal number]"), "{v}");
    assert!(v.contains("[Expert Info (Note/Security): xmmep.password carries a password in clear text]"), "{v}");
    assert!(v.contains("X-Messenger Message Exchange Protocol, MSG_LOGIN_REQ"), "{v}");
}

#[test]
fn charset_preference_gb18030() {
    let name = xmmep::codec::Charset::Gb18030.encode("张三");
    let m = encode_raw(200, &name);
    let segs = [Seg::Udp { src: 40300, dst: 40400, payload: &m }];
    let rows = fields("gb", &segs, &["-o", "xmmep.charset:GB18030"], &["xmmep.user_name", "_ws.col.Info"]);
    assert_eq!(rows[0][0], "张三");
    assert!(rows[0][1].ends_with("user=张三"), "{:?}", rows[0]);
    // Invalid UTF-8 under the default charset: replacement characters.
    let m = encode_raw(200, b"a\xffb\x00c");
    let rows = fields("bad-utf8", &[Seg::Udp { src: 40300, dst: 40400, payload: &m }], &[], &["_ws.col.Info"]);
    assert!(rows[0][0].starts_with("MSG_KEEP_ALIVE user=a\u{fffd}b"), "{:?}", rows[0]);
}

#[test]
fn lists_structs_and_generated_addresses() {
    // MSG_LOGIN_RES3 with two buddies, and MSG_GET_LOGIN_INFO_RES with an IP.
    let res3 = encode_raw(115, b"1\x012\x01bob\x02friends\x02Bob\x03eve\x02work\x02Eve");
    let info = encode_raw(111, b"0\x0110.1.2.3\x017000");
    let dgram = [res3.clone(), info.clone()].concat();
    let v = tshark("tree", &[Seg::Udp { src: 40500, dst: 40600, payload: &dgram }], &["-V"]);
    assert!(v.contains("Buddy list: 2 elements"), "{v}");
    assert!(v.contains("Buddy name: eve"), "{v}");
    assert!(v.contains("[Login server IP address: 10.1.2.3]"), "{v}");
    assert!(v.contains("Login server port: 7000"), "{v}");
}

#[test]
fn steps_aside_when_the_binary_plugin_is_loaded() {
    let m = keepalive("dave");
    let segs = [Seg::Udp { src: 40700, dst: 40800, payload: &m }];
    let (stdout, stderr) = run_tshark("aside", &segs, &["-T", "fields", "-e", "xmmep.user_name"], true);
    let all = format!("{stdout}{stderr}");
    assert!(all.contains("steps aside"), "no step-aside line:\n{all}");
    assert_eq!(all.matches("steps aside").count(), 1, "{all}");
    assert!(!all.contains("Lua Error") && !all.contains("Error during loading"), "{all}");
    // The plugin dissects; the script stays out of the way.
    assert_eq!(stdout.lines().last(), Some("dave"), "{all}");
}
