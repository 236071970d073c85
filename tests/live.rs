//! Live test: a small XMMEP client and server, written with the codec, talk
//! over loopback (TCP and UDP) while dumpcap captures on `lo`; tshark with
//! the freshly built plugin then decodes the capture, and every message the
//! peers sent must be there, in order per direction, with the values the
//! peers logged, and without any warning or error.
//!
//! The peers use std::net and threads only. The server frames its TCP byte
//! stream with `codec::frame`, decodes every message with the codec's
//! decoder and answers from the decoded values (it checks the password and
//! the activation code, echoes transfer numbers and chat text), so the
//! conversation is a real exchange, not a replay.
//!
//! The capture needs root, or dumpcap with CAP_NET_RAW and CAP_NET_ADMIN.
//! Without them the test fails and says so; XMMEP_SKIP_LIVE=1 skips it.
//! The capture is kept (its path is printed) when the test fails, or always
//! with XMMEP_LIVE_KEEP=1.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use xmmep_core::codec::{encode_checked, frame, values_of, Charset, Decoder, EncValue, Frame, Options};
use xmmep_core::reports::Severity;
use xmmep_core::schema::Schema;
use xmmep_core::table::{self, FieldType, MessageDef, Role};
use xmmep_tools::capture::msg::t;
use xmmep_tools::pdml;

use xmmep_testkit::expect::{abs_time, assert_message, expected, shown_text};
use xmmep_testkit::tshark::Tshark;

/// Bound on every blocking read, accept and wait of the peers.
const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// Bound on dumpcap starting, seeing a probe, and exiting.
const CAPTURE_TIMEOUT: Duration = Duration::from_secs(20);
const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

// ---------------------------------------------------------------- messages

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Proto {
    Tcp,
    Udp,
}

/// One direction of one flow: what the test groups messages by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Dir {
    proto: Proto,
    src: u16,
    dst: u16,
}

/// A message as a peer sent or received it.
#[derive(Debug, Clone)]
struct Msg {
    dir: Dir,
    def: &'static MessageDef,
    values: Vec<EncValue>,
    bytes: Vec<u8>,
}

impl Msg {
    fn text(&self, i: usize) -> String {
        match &self.values[i] {
            EncValue::Text(b) => String::from_utf8_lossy(b).into_owned(),
            v => panic!("{}: field {i} is not text: {v:?}", self.def.name),
        }
    }
    fn int(&self, i: usize) -> i64 {
        match &self.values[i] {
            EncValue::Int(v) => *v,
            v => panic!("{}: field {i} is not a number: {v:?}", self.def.name),
        }
    }
    fn list_len(&self, i: usize) -> usize {
        match &self.values[i] {
            EncValue::List(v) => v.len(),
            v => panic!("{}: field {i} is not a list: {v:?}", self.def.name),
        }
    }
}

fn def(name: &str) -> &'static MessageDef {
    table::MESSAGES.iter().find(|m| m.name == name).unwrap_or_else(|| panic!("no message {name}"))
}

/// A message to send: its definition and values, checked against the table.
fn build(name: &str, values: Vec<EncValue>) -> (&'static MessageDef, Vec<EncValue>, Vec<u8>) {
    let d = def(name);
    let bytes = encode_checked(d, &values).unwrap_or_else(|e| panic!("{e:?}"));
    (d, values, bytes)
}

fn i(v: i64) -> EncValue {
    EncValue::Int(v)
}
fn b(v: bool) -> EncValue {
    EncValue::Bool(v)
}
fn st(members: Vec<EncValue>) -> EncValue {
    EncValue::Struct(members)
}

/// Decodes one whole message with the codec, as a peer does; a report of
/// warning severity or worse is a bug in the sender.
fn decode(dir: Dir, bytes: Vec<u8>) -> Result<Msg, String> {
    let schema = Schema::standard();
    let d = Decoder::new(schema, Options { charset: Charset::Utf8 }).decode(&bytes);
    let header = d.header.ok_or_else(|| format!("{dir:?}: bad header {:?}", String::from_utf8_lossy(&bytes)))?;
    if d.worst() >= Some(Severity::Warning) {
        return Err(format!("{dir:?}: the codec reports problems in {bytes:?}: {:?}", d.reports));
    }
    let def = schema.message(header.msg_type).ok_or_else(|| format!("{dir:?}: unknown type {}", header.msg_type))?.def;
    let values = values_of(schema, &d, &bytes);
    Ok(Msg { dir, def, values, bytes })
}

/// The messages in one UDP datagram.
fn split_datagram(dir: Dir, mut data: &[u8]) -> Result<Vec<Msg>, String> {
    let mut out = Vec::new();
    while !data.is_empty() {
        match frame(data) {
            Frame::Message { len, complete: true, .. } => {
                out.push(decode(dir, data[..len].to_vec())?);
                data = &data[len..];
            }
            f => return Err(format!("{dir:?}: datagram does not frame: {f:?} in {data:?}")),
        }
    }
    Ok(out)
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

/// What a peer sent and received, in order.
#[derive(Debug, Default)]
struct Log {
    sent: Vec<Msg>,
    received: Vec<Msg>,
}

// ---------------------------------------------------------------- TCP peer

/// One end of the TCP connection: writes messages, frames what it reads.
struct TcpPeer {
    stream: TcpStream,
    out: Dir,
    inb: Dir,
    buf: Vec<u8>,
    who: &'static str,
}

impl TcpPeer {
    fn new(stream: TcpStream, who: &'static str) -> Result<TcpPeer, String> {
        let e = |e: std::io::Error| format!("{who}: {e}");
        stream.set_nodelay(true).map_err(e)?;
        stream.set_read_timeout(Some(IO_TIMEOUT)).map_err(e)?;
        stream.set_write_timeout(Some(IO_TIMEOUT)).map_err(e)?;
        let (l, p) = (stream.local_addr().map_err(e)?.port(), stream.peer_addr().map_err(e)?.port());
        let out = Dir { proto: Proto::Tcp, src: l, dst: p };
        Ok(TcpPeer { stream, out, inb: Dir { proto: Proto::Tcp, src: p, dst: l }, buf: Vec::new(), who })
    }

    /// Writes the messages with ONE write() call.
    fn send(&mut self, log: &mut Log, msgs: Vec<(&'static MessageDef, Vec<EncValue>, Vec<u8>)>) -> Result<(), String> {
        let mut all = Vec::new();
        for (def, values, bytes) in msgs {
            all.extend_from_slice(&bytes);
            log.sent.push(Msg { dir: self.out, def, values, bytes });
        }
        let n = self.stream.write(&all).map_err(|e| format!("{}: write: {e}", self.who))?;
        if n != all.len() {
            return Err(format!("{}: short write, {n} of {} bytes", self.who, all.len()));
        }
        Ok(())
    }

    /// Writes one message in two write() calls cut at `at`, with a pause
    /// between them: with TCP_NODELAY the kernel sends the first part at once.
    fn send_cut(&mut self, log: &mut Log, m: (&'static MessageDef, Vec<EncValue>, Vec<u8>), at: usize) -> Result<(), String> {
        let (def, values, bytes) = m;
        let e = |e: std::io::Error| format!("{}: write: {e}", self.who);
        self.stream.write_all(&bytes[..at]).map_err(e)?;
        thread::sleep(Duration::from_millis(150));
        self.stream.write_all(&bytes[at..]).map_err(e)?;
        log.sent.push(Msg { dir: self.out, def, values, bytes });
        Ok(())
    }

    /// The next message, or None at end of stream on a message boundary.
    fn recv(&mut self, log: &mut Log) -> Result<Option<Msg>, String> {
        loop {
            match frame(&self.buf) {
                Frame::Message { len, complete: true, .. } => {
                    let bytes: Vec<u8> = self.buf.drain(..len).collect();
                    let m = decode(self.inb, bytes)?;
                    log.received.push(m.clone());
                    return Ok(Some(m));
                }
                Frame::Unframeable => return Err(format!("{}: stream does not frame: {:?}", self.who, self.buf)),
                Frame::NeedHeader | Frame::Message { .. } => {}
            }
            let mut chunk = [0u8; 4096];
            let n = self.stream.read(&mut chunk).map_err(|e| format!("{}: read (waiting {IO_TIMEOUT:?} at most): {e}", self.who))?;
            if n == 0 {
                return if self.buf.is_empty() { Ok(None) } else { Err(format!("{}: stream ended inside a message: {:?}", self.who, self.buf)) };
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// The next message, which must be `name`.
    fn expect(&mut self, log: &mut Log, name: &str) -> Result<Msg, String> {
        match self.recv(log)? {
            Some(m) if m.def.name == name => Ok(m),
            Some(m) => Err(format!("{}: expected {name}, got {} {:?}", self.who, m.def.name, m.values)),
            None => Err(format!("{}: expected {name}, got end of stream", self.who)),
        }
    }
}

// ---------------------------------------------------------------- UDP helpers

fn udp_send(sock: &UdpSocket, log: &mut Log, to: SocketAddr, m: (&'static MessageDef, Vec<EncValue>, Vec<u8>)) -> Result<(), String> {
    let (def, values, bytes) = m;
    let from = sock.local_addr().map_err(|e| e.to_string())?.port();
    sock.send_to(&bytes, to).map_err(|e| format!("udp send: {e}"))?;
    log.sent.push(Msg { dir: Dir { proto: Proto::Udp, src: from, dst: to.port() }, def, values, bytes });
    Ok(())
}

/// Receives one datagram holding exactly one message named `name`.
fn udp_expect(sock: &UdpSocket, log: &mut Log, name: &str) -> Result<Msg, String> {
    let mut buf = [0u8; 2048];
    let (n, from) = sock.recv_from(&mut buf).map_err(|e| format!("client: udp recv waiting for {name}: {e}"))?;
    let dir = Dir { proto: Proto::Udp, src: from.port(), dst: sock.local_addr().unwrap().port() };
    let mut msgs = split_datagram(dir, &buf[..n])?;
    if msgs.len() != 1 || msgs[0].def.name != name {
        return Err(format!("client: expected one {name} in a datagram, got {:?}", msgs.iter().map(|m| m.def.name).collect::<Vec<_>>()));
    }
    log.received.push(msgs[0].clone());
    Ok(msgs.remove(0))
}

// ---------------------------------------------------------------- the session

const USER: &str = "xiaoming";
const PASSWORD: &str = "mima2024!";
const ACTIVATE_CODE: &str = "K7Q2M9XP";
const BUDDY: &str = "xiaohong";

/// The buddy as an OnlineBuddy: in the login response and when she logs in.
fn online_buddy() -> EncValue {
    st(vec![t(BUDDY), t("同事"), t("小红"), t("在忙，晚点回复"), t("avatar/xiaohong.png"), t("127.0.0.1"), i(45_001), i(1)])
}
const CHAT: &str = "你好，小红！今天下午三点在会议室见面，带上项目报告。";
const FILE_NAME: &str = "项目报告-第二版.pdf";

/// The router's UDP side: login info and keepalives, until `stop`.
fn udp_server(sock: UdpSocket, tcp_port: u16, stop: Arc<AtomicBool>) -> Result<Log, String> {
    let mut log = Log::default();
    sock.set_read_timeout(Some(Duration::from_millis(100))).map_err(|e| e.to_string())?;
    let me = sock.local_addr().map_err(|e| e.to_string())?.port();
    let deadline = Instant::now() + 6 * IO_TIMEOUT;
    let mut buf = [0u8; 2048];
    while !stop.load(Ordering::SeqCst) {
        if Instant::now() > deadline {
            return Err("udp server: never told to stop".into());
        }
        let (n, from) = match sock.recv_from(&mut buf) {
            Ok(x) => x,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => continue,
            Err(e) => return Err(format!("udp server: {e}")),
        };
        let dir = Dir { proto: Proto::Udp, src: from.port(), dst: me };
        for m in split_datagram(dir, &buf[..n])? {
            log.received.push(m.clone());
            let answer = match m.def.name {
                "MSG_GET_LOGIN_INFO_REQ" if m.text(0) == USER => build("MSG_GET_LOGIN_INFO_RES", vec![i(0), t("127.0.0.1"), i(tcp_port as i64)]),
                "MSG_GET_LOGIN_INFO_REQ" => build("MSG_GET_LOGIN_INFO_RES", vec![i(8)]),
                "MSG_KEEP_ALIVE" => build("MSG_KEEP_ALIVE", vec![t("router01")]),
                other => return Err(format!("udp server: unexpected {other}")),
            };
            udp_send(&sock, &mut log, from, answer)?;
        }
    }
    Ok(log)
}

/// The login server: registration, login, presence, chat relay, file
/// offers, keepalive, for one client connection.
fn tcp_server(listener: TcpListener) -> Result<Log, String> {
    let mut log = Log::default();
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let deadline = Instant::now() + IO_TIMEOUT;
    let stream = loop {
        match listener.accept() {
            Ok((s, _)) => break s,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if Instant::now() > deadline {
                    return Err(format!("server: no connection within {IO_TIMEOUT:?}"));
                }
                thread::sleep(Duration::from_millis(10));
            }
            Err(e) => return Err(format!("server: accept: {e}")),
        }
    };
    stream.set_nonblocking(false).map_err(|e| e.to_string())?;
    let mut p = TcpPeer::new(stream, "server")?;
    // Registration data, as the client sent it.
    let mut account: Option<Msg> = None;
    let mut activated = false;
    while let Some(m) = p.recv(&mut log)? {
        match m.def.name {
            "MSG_REGISTER_REQ" => {
                let result = if account.is_some() { 9 } else { 0 };
                account.get_or_insert(m);
                p.send(&mut log, vec![build("MSG_REGISTER_RES", vec![i(result)])])?;
            }
            "MSG_REGISTER_ACTIVATE_REQ" => {
                let ok = account.as_ref().is_some_and(|a| a.text(0) == m.text(0)) && m.text(1) == ACTIVATE_CODE;
                activated |= ok;
                p.send(&mut log, vec![build("MSG_REGISTER_ACTIVATE_RES", vec![i(if ok { 0 } else { 13 })])])?;
            }
            "MSG_LOGIN_REQ" => {
                let Some(a) = account.as_ref().filter(|a| a.text(0) == m.text(0)) else {
                    p.send(&mut log, vec![build("MSG_LOGIN_RES1", vec![i(8)])])?;
                    continue;
                };
                if a.text(1) != m.text(1) || !activated {
                    let code = if activated { 12 } else { 14 };
                    p.send(&mut log, vec![build("MSG_LOGIN_RES1", vec![i(code)])])?;
                    continue;
                }
                let user_info =
                    st(vec![t(&a.text(0)), t(&a.text(3)), t(&a.text(4)), t(&a.text(2)), t("avatar/xiaoming.png"), i(631_152_000), t(&a.text(6)), i(now() - 86_400), i(1)]);
                let groups = vec![t("同事"), t("家人"), t("Friends")];
                let buddies = vec![st(vec![t(BUDDY), t("同事"), t("小红")]), st(vec![t("laowang"), t("家人"), t("王叔叔")]), st(vec![t("alice_w"), t("Friends"), t("Alice")])];
                let blocked = vec![t("spammer01")];
                let rooms = vec![t("项目组"), st(vec![t("读书会"), t("laowang"), t("每周五晚上八点")])];
                let online = vec![online_buddy()];
                let n = |v: &Vec<EncValue>| i(v.len() as i64);
                // The whole multi-part response in one write; each part
                // type is one packet, so each has sequence number 1
                // (docs/decisions.md 39).
                p.send(
                    &mut log,
                    vec![
                        build("MSG_LOGIN_RES1", vec![i(0), user_info]),
                        build("MSG_LOGIN_RES2", vec![i(1), n(&groups), EncValue::List(groups.clone())]),
                        build("MSG_LOGIN_RES3", vec![i(1), n(&buddies), EncValue::List(buddies.clone())]),
                        build("MSG_LOGIN_RES4", vec![i(1), n(&blocked), EncValue::List(blocked.clone())]),
                        build("MSG_LOGIN_RES5", vec![i(1), n(&rooms), EncValue::List(rooms.clone())]),
                        build("MSG_LOGIN_RES6", vec![i(1), n(&online), EncValue::List(online.clone())]),
                        build("MSG_LOGIN_RES_END", vec![]),
                    ],
                )?;
            }
            "MSG_CLIENT_READY" => {
                let buddy = online_buddy();
                p.send(&mut log, vec![build("MSG_BUDDY_LOGIN_NOTIFY", vec![t(&m.text(0)), buddy])])?;
            }
            "MSG_STATUS_CHANGED_NOTIFY" => {}
            "MSG_TXT_MSG" => {
                // The buddy answers, quoting what the server decoded.
                let reply = format!("收到：「{}」好的，三点见。", m.text(3));
                p.send(&mut log, vec![build("MSG_TXT_MSG", vec![t(&m.text(1)), t(&m.text(0)), i(now()), t(&reply), b(false)])])?;
            }
            "MSG_SEND_FILE_REQ" => {
                // The buddy accepts; then offers a file of its own.
                let (sender, receiver, seq) = (m.text(0), m.text(1), m.int(4));
                p.send(
                    &mut log,
                    vec![
                        build("MSG_SEND_FILE_RES_FWD", vec![t(&sender), t(&receiver), i(seq), b(true), t("127.0.0.1"), i(45_002)]),
                        build("MSG_SEND_FILE_REQ_FWD", vec![t(&receiver), t(&sender), t("会议照片.jpg"), i(2_345_678), i(seq + 1), b(true), t("127.0.0.1"), i(45_003)]),
                    ],
                )?;
            }
            "MSG_SEND_FILE_RES" => {}
            "MSG_KEEP_ALIVE" => p.send(&mut log, vec![build("MSG_KEEP_ALIVE", vec![t("login01")])])?,
            other => return Err(format!("server: unexpected {other}")),
        }
    }
    // The client closed its side: close ours.
    let _ = p.stream.shutdown(Shutdown::Write);
    Ok(log)
}

/// The client: asks the router (UDP) where to log in, registers, logs in,
/// chats, offers a file, keeps alive, and leaves.
fn client(udp: UdpSocket, router: SocketAddr) -> Result<(Log, u16), String> {
    let mut log = Log::default();
    udp.set_read_timeout(Some(IO_TIMEOUT)).map_err(|e| e.to_string())?;
    udp_send(&udp, &mut log, router, build("MSG_GET_LOGIN_INFO_REQ", vec![t(USER)]))?;
    let info = udp_expect(&udp, &mut log, "MSG_GET_LOGIN_INFO_RES")?;
    if info.int(0) != 0 {
        return Err(format!("client: login info refused: {:?}", info.values));
    }
    let server: SocketAddr = SocketAddr::new(info.text(1).parse().map_err(|e| format!("client: {e}"))?, info.int(2) as u16);
    let stream = TcpStream::connect_timeout(&server, IO_TIMEOUT).map_err(|e| format!("client: connect {server}: {e}"))?;
    let mut p = TcpPeer::new(stream, "client")?;
    let client_port = p.out.src;

    p.send(
        &mut log,
        vec![build("MSG_REGISTER_REQ", vec![t(USER), t(PASSWORD), t("xiaoming@example.cn"), t("小明"), t("好好学习，天天向上"), t("1990-01-01"), t("江苏苏州"), b(true)])],
    )?;
    let r = p.expect(&mut log, "MSG_REGISTER_RES")?;
    check(r.int(0) == 0, "registration refused", &r)?;
    p.send(&mut log, vec![build("MSG_REGISTER_ACTIVATE_REQ", vec![t(USER), t(ACTIVATE_CODE)])])?;
    let r = p.expect(&mut log, "MSG_REGISTER_ACTIVATE_RES")?;
    check(r.int(0) == 0, "activation refused", &r)?;

    p.send(&mut log, vec![build("MSG_LOGIN_REQ", vec![t(USER), t(PASSWORD), i(0)])])?;
    let r = p.expect(&mut log, "MSG_LOGIN_RES1")?;
    check(r.int(0) == 0, "login refused", &r)?;
    for name in ["MSG_LOGIN_RES2", "MSG_LOGIN_RES3", "MSG_LOGIN_RES4", "MSG_LOGIN_RES5", "MSG_LOGIN_RES6"] {
        let r = p.expect(&mut log, name)?;
        check(r.int(0) == 1, "sequence number", &r)?;
        check(r.int(1) == r.list_len(2) as i64, "count differs from the list", &r)?;
    }
    p.expect(&mut log, "MSG_LOGIN_RES_END")?;

    // Two messages in one write.
    p.send(&mut log, vec![build("MSG_CLIENT_READY", vec![t(USER)]), build("MSG_STATUS_CHANGED_NOTIFY", vec![t(USER), i(1)])])?;
    let r = p.expect(&mut log, "MSG_BUDDY_LOGIN_NOTIFY")?;
    check(r.text(0) == USER, "observer", &r)?;

    // The chat message, cut inside its header (after 3 of the 8 bytes).
    p.send_cut(&mut log, build("MSG_TXT_MSG", vec![t(USER), t(BUDDY), i(now()), t(CHAT), b(false)]), 3)?;
    let r = p.expect(&mut log, "MSG_TXT_MSG")?;
    check(r.text(3).contains(CHAT), "chat reply does not quote the message", &r)?;

    p.send(&mut log, vec![build("MSG_SEND_FILE_REQ", vec![t(USER), t(BUDDY), t(FILE_NAME), i(1_048_576), i(7), b(false)])])?;
    let r = p.expect(&mut log, "MSG_SEND_FILE_RES_FWD")?;
    check(r.int(2) == 7 && r.values[3] == b(true), "file answer", &r)?;
    let offer = p.expect(&mut log, "MSG_SEND_FILE_REQ_FWD")?;
    p.send(&mut log, vec![build("MSG_SEND_FILE_RES", vec![t(&offer.text(0)), t(USER), i(offer.int(4)), b(true)])])?;

    p.send(&mut log, vec![build("MSG_KEEP_ALIVE", vec![t(USER)])])?;
    p.expect(&mut log, "MSG_KEEP_ALIVE")?;
    for _ in 0..2 {
        udp_send(&udp, &mut log, router, build("MSG_KEEP_ALIVE", vec![t(USER)]))?;
        udp_expect(&udp, &mut log, "MSG_KEEP_ALIVE")?;
    }

    // Log out: go offline, close, and read until the server closes too.
    p.send(&mut log, vec![build("MSG_STATUS_CHANGED_NOTIFY", vec![t(USER), i(3)])])?;
    p.stream.shutdown(Shutdown::Write).map_err(|e| format!("client: shutdown: {e}"))?;
    if let Some(m) = p.recv(&mut log)? {
        return Err(format!("client: unexpected {} after logout", m.def.name));
    }
    Ok((log, client_port))
}

fn check(ok: bool, what: &str, m: &Msg) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(format!("client: {what}: {} {:?}", m.def.name, m.values))
    }
}

// ---------------------------------------------------------------- dumpcap

/// dumpcap capturing on `lo` into a file; stopped with SIGINT.
struct Dumpcap {
    child: Option<Child>,
    lines: mpsc::Receiver<String>,
    stderr: Vec<String>,
    file: PathBuf,
}

const NO_CAPTURE_HINT: &str = "the live test needs to capture on the loopback interface: run it as root, \
     or give dumpcap CAP_NET_RAW and CAP_NET_ADMIN (setcap cap_net_raw,cap_net_admin+eip /usr/bin/dumpcap); \
     set XMMEP_SKIP_LIVE=1 to skip it";

impl Dumpcap {
    fn start(file: &Path, filter: &str) -> Result<Dumpcap, String> {
        let mut child = Command::new("dumpcap")
            .args(["-i", "lo", "-f", filter, "-w"])
            .arg(file)
            .arg("-q")
            .env("LC_ALL", "C")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run dumpcap ({e}); it comes with the wireshark packages (apt-get install tshark)"))?;
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut d = Dumpcap { child: Some(child), lines, stderr: Vec::new(), file: file.to_path_buf() };
        let deadline = Instant::now() + CAPTURE_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match d.lines.recv_timeout(left) {
                Ok(line) => {
                    let started = line.contains("Capturing on");
                    d.stderr.push(line);
                    if started {
                        return Ok(d);
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let status = d.wait_exit(Duration::from_secs(5));
                    return Err(format!(
                        "dumpcap exited ({}) before capturing on lo:\n{}\n{NO_CAPTURE_HINT}",
                        status.map_or("still running".into(), |s| s.to_string()),
                        d.stderr.join("\n")
                    ));
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(format!("dumpcap did not say \"Capturing on\" within {CAPTURE_TIMEOUT:?}; stderr so far:\n{}", d.stderr.join("\n")));
                }
            }
        }
    }

    /// Sends a probe datagram every 100 ms until its payload shows up in the
    /// capture file: then everything sent before it has been captured too.
    fn wait_for_probe(&mut self, probe: &UdpSocket, payload: &[u8]) -> Result<(), String> {
        let deadline = Instant::now() + CAPTURE_TIMEOUT;
        let to = probe.local_addr().unwrap();
        loop {
            probe.send_to(payload, to).map_err(|e| format!("probe: {e}"))?;
            thread::sleep(Duration::from_millis(100));
            let data = std::fs::read(&self.file).unwrap_or_default();
            if data.windows(payload.len()).any(|w| w == payload) {
                return Ok(());
            }
            if let Some(Ok(Some(st))) = self.child.as_mut().map(|c| c.try_wait()) {
                self.drain();
                return Err(format!("dumpcap exited ({st}) while waiting for the probe:\n{}\n{NO_CAPTURE_HINT}", self.stderr.join("\n")));
            }
            if Instant::now() > deadline {
                self.drain();
                return Err(format!(
                    "probe {:?} not seen in {} within {CAPTURE_TIMEOUT:?}; dumpcap said:\n{}",
                    String::from_utf8_lossy(payload),
                    self.file.display(),
                    self.stderr.join("\n")
                ));
            }
        }
    }

    fn drain(&mut self) {
        while let Ok(l) = self.lines.try_recv() {
            self.stderr.push(l);
        }
    }

    fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let child = self.child.as_mut()?;
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(st)) = child.try_wait() {
                self.child = None;
                return Some(st);
            }
            if Instant::now() > deadline {
                return None;
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGINT, then wait for dumpcap to finish the file and exit. Returns
    /// what it said on stderr (its statistics).
    fn stop(mut self) -> Result<String, String> {
        let pid = self.child.as_ref().expect("running").id() as libc::pid_t;
        // SAFETY: kill has no memory preconditions; pid is our own child,
        // not yet waited for, so it cannot have been reused.
        unsafe { libc::kill(pid, libc::SIGINT) };
        let status = self.wait_exit(CAPTURE_TIMEOUT);
        // The reader thread ends when dumpcap closes stderr.
        let deadline = Instant::now() + Duration::from_secs(5);
        while let Ok(l) = self.lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            self.stderr.push(l);
        }
        let said = self.stderr.join("\n");
        match status {
            Some(st) if st.success() => Ok(said),
            Some(st) => Err(format!("dumpcap exited with {st} after SIGINT:\n{said}")),
            None => Err(format!("dumpcap did not exit within {CAPTURE_TIMEOUT:?} of SIGINT:\n{said}")),
        }
    }
}

impl Drop for Dumpcap {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

// ---------------------------------------------------------------- ports

/// Ports that tshark gives to some dissector: the test's ports avoid them,
/// so that the heuristic, not a port table, decides what is XMMEP.
fn registered_ports(ts: &Tshark) -> (HashSet<u16>, HashSet<u16>) {
    let out = ts.run(&["-G", "decodes"]);
    out.assert_success();
    let (mut tcp, mut udp) = (HashSet::new(), HashSet::new());
    for l in out.stdout.lines() {
        let c: Vec<&str> = l.split('\t').collect();
        let Some(p) = c.get(1).and_then(|p| p.parse::<u16>().ok()) else { continue };
        match c[0] {
            "tcp.port" => tcp.insert(p),
            "udp.port" => udp.insert(p),
            _ => false,
        };
    }
    (tcp, udp)
}

/// Binds port 0 until the kernel picks a port no dissector claims.
fn bind_free<S>(taken: &HashSet<u16>, bind: impl Fn() -> std::io::Result<S>, port: impl Fn(&S) -> u16) -> S {
    let mut held = Vec::new();
    for _ in 0..100 {
        let s = bind().expect("bind 127.0.0.1:0");
        if !taken.contains(&port(&s)) {
            return s;
        }
        held.push(s); // keep it bound so the next try gets another port
    }
    panic!("no free port outside tshark's port tables in 100 tries");
}

// ---------------------------------------------------------------- the test

fn skip() -> bool {
    std::env::var("XMMEP_SKIP_LIVE").is_ok_and(|v| v == "1")
}

/// What tshark shows for one field value, from the value the peer sent.
fn shown(f: &table::Field, v: &EncValue) -> String {
    match v {
        EncValue::Text(b) => shown_text(&String::from_utf8_lossy(b)),
        EncValue::Int(n) if matches!(f.role, Role::Time | Role::Date) => abs_time(*n),
        EncValue::Int(n) => n.to_string(),
        EncValue::Bool(x) => if *x { "1" } else { "0" }.to_string(),
        other => panic!("not a scalar: {other:?}"),
    }
}

/// (filter name, shown value) of every leaf the peer sent, in order.
fn leaves(m: &Msg) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let members = |s: &table::StructDef, ms: &[EncValue], out: &mut Vec<(String, String)>| {
        for (f, v) in s.members.iter().zip(ms) {
            out.push((format!("xmmep.{}.{}", s.abbrev, f.abbrev), shown(f, v)));
        }
    };
    for (f, v) in m.def.fields.iter().zip(&m.values) {
        match (&f.ty, v) {
            (FieldType::Struct(s), EncValue::Struct(ms)) => members(s, ms, &mut out),
            (FieldType::ListOfString { alt }, EncValue::List(es)) => {
                for e in es {
                    match (e, alt) {
                        (EncValue::Struct(ms), Some(s)) => members(s, ms, &mut out),
                        _ => out.push((format!("xmmep.{}", f.abbrev), shown(f, e))),
                    }
                }
            }
            (FieldType::ListOfStruct(s), EncValue::List(es)) => {
                for e in es {
                    let EncValue::Struct(ms) = e else { panic!("{e:?}") };
                    members(s, ms, &mut out);
                }
            }
            (FieldType::Dictionary { .. }, _) => panic!("the session sends no dictionary"),
            _ => out.push((format!("xmmep.{}", f.abbrev), shown(f, v))),
        }
    }
    out
}

#[test]
fn live_session_on_loopback() {
    if skip() {
        eprintln!("live test skipped (XMMEP_SKIP_LIVE=1)");
        return;
    }
    let started = Instant::now();
    let ts = Tshark::with_plugin();
    let (tcp_taken, udp_taken) = registered_ports(&ts);

    let listener = bind_free(&tcp_taken, || TcpListener::bind((LOCALHOST, 0)), |s| s.local_addr().unwrap().port());
    let udp_port = |s: &UdpSocket| s.local_addr().unwrap().port();
    let router = bind_free(&udp_taken, || UdpSocket::bind((LOCALHOST, 0)), udp_port);
    let client_udp = bind_free(&udp_taken, || UdpSocket::bind((LOCALHOST, 0)), udp_port);
    let probe = bind_free(&udp_taken, || UdpSocket::bind((LOCALHOST, 0)), udp_port);
    let (tcp_p, router_p, probe_p) = (listener.local_addr().unwrap().port(), udp_port(&router), udp_port(&probe));
    let filter = format!("(tcp port {tcp_p}) or (udp port {router_p}) or (udp port {probe_p})");

    let dir = std::env::temp_dir().join(format!("xmmep-live-{}-{}", std::process::id(), now()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("live.pcapng");
    let nonce = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    eprintln!("live: capturing into {} (kept when the test fails, or with XMMEP_LIVE_KEEP=1)", file.display());
    let mut cap = Dumpcap::start(&file, &filter).unwrap_or_else(|e| panic!("{e}"));
    cap.wait_for_probe(&probe, format!("xmmep-live-probe-start-{nonce}").as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let capture_ready = started.elapsed();

    // The peers.
    let stop = Arc::new(AtomicBool::new(false));
    let router_addr = router.local_addr().unwrap();
    let udp_srv = {
        let stop = stop.clone();
        thread::spawn(move || udp_server(router, tcp_p, stop))
    };
    let tcp_srv = thread::spawn(move || tcp_server(listener));
    let cli = thread::spawn(move || client(client_udp, router_addr));
    let client_res = cli.join().expect("client thread panicked");
    stop.store(true, Ordering::SeqCst);
    let tcp_res = tcp_srv.join().expect("server thread panicked");
    let udp_res = udp_srv.join().expect("udp server thread panicked");
    let (client_log, client_tcp_port) = client_res.unwrap_or_else(|e| panic!("client failed: {e}"));
    let server_log = tcp_res.unwrap_or_else(|e| panic!("server failed: {e}"));
    let router_log = udp_res.unwrap_or_else(|e| panic!("udp server failed: {e}"));
    let session = started.elapsed() - capture_ready;

    cap.wait_for_probe(&probe, format!("xmmep-live-probe-end-{nonce}").as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let stats = cap.stop().unwrap_or_else(|e| panic!("{e}"));

    // The peers agree on what went over the wire.
    let server_sent: Vec<&Msg> = server_log.sent.iter().chain(&router_log.sent).collect();
    let server_received: Vec<&Msg> = server_log.received.iter().chain(&router_log.received).collect();
    let bytes = |v: &[&Msg]| v.iter().map(|m| (m.dir, m.bytes.clone())).collect::<Vec<_>>();
    let mut a = bytes(&client_log.sent.iter().collect::<Vec<_>>());
    let mut b_ = bytes(&server_received);
    a.sort_by_key(|x| x.0);
    b_.sort_by_key(|x| x.0);
    assert_eq!(a, b_, "what the client sent differs from what the servers received");
    let mut a = bytes(&server_sent);
    let mut b_ = bytes(&client_log.received.iter().collect::<Vec<_>>());
    a.sort_by_key(|x| x.0);
    b_.sort_by_key(|x| x.0);
    assert_eq!(a, b_, "what the servers sent differs from what the client received");

    // What every direction carried, in the order it was sent.
    let mut want: BTreeMap<Dir, Vec<&Msg>> = BTreeMap::new();
    for m in client_log.sent.iter().chain(server_sent.iter().copied()) {
        want.entry(m.dir).or_default().push(m);
    }
    // Per direction the logs are in send order (one thread per socket).
    let total: usize = want.values().map(Vec::len).sum();

    // Decode the capture.
    let pcap = ts.add_file(&file);
    let pcap_s = pcap.to_string_lossy().into_owned();
    let mut extra: Vec<String> = Vec::new();
    if tcp_taken.contains(&client_tcp_port) {
        // The kernel's port for the client belongs to another dissector,
        // which tshark would try before any heuristic.
        extra.extend(["-o".into(), "tcp.try_heuristic_first:TRUE".into()]);
    }
    let mut args: Vec<&str> = vec!["-r", &pcap_s];
    args.extend(extra.iter().map(String::as_str));
    let mut pdml_args = args.clone();
    pdml_args.extend(["-T", "pdml"]);
    let out = ts.run(&pdml_args);
    out.assert_success();
    assert!(out.stderr.trim().is_empty(), "tshark complained: {}", out.stderr);
    let mut frames = Vec::new();
    pdml::read_frames(out.stdout.as_bytes(), |f| frames.push(f)).unwrap();
    let mut field_args = args.clone();
    field_args.extend([
        "-T",
        "fields",
        "-E",
        "occurrence=f",
        "-e",
        "frame.number",
        "-e",
        "tcp.srcport",
        "-e",
        "tcp.dstport",
        "-e",
        "udp.srcport",
        "-e",
        "udp.dstport",
        "-e",
        "tcp.len",
    ]);
    let out = ts.run(&field_args);
    out.assert_success();
    let mut dirs: BTreeMap<u32, (Dir, Option<u32>)> = BTreeMap::new();
    for l in out.stdout.lines() {
        let c: Vec<&str> = l.split('\t').collect();
        let port = |k: usize| c.get(k).and_then(|v| v.parse::<u16>().ok());
        let n: u32 = c[0].parse().unwrap();
        let d = match (port(1), port(2), port(3), port(4)) {
            (Some(s), Some(d), _, _) => Dir { proto: Proto::Tcp, src: s, dst: d },
            (_, _, Some(s), Some(d)) => Dir { proto: Proto::Udp, src: s, dst: d },
            _ => panic!("frame {n} is neither TCP nor UDP: {l}"),
        };
        dirs.insert(n, (d, c.get(5).and_then(|v| v.parse().ok())));
    }

    // No warning or error anywhere in the capture (TCP analysis included);
    // notes (the clear-text password) are expected.
    for f in &frames {
        for x in f.messages.iter().flat_map(|m| &m.experts).chain(&f.other_experts) {
            assert!(
                x.severity != "warning" && x.severity != "error",
                "frame {}: {} expert info {} \"{}\" (on {:?})\ncapture kept in {}",
                f.number,
                x.severity,
                x.name,
                x.message,
                x.on,
                dir.display()
            );
        }
    }

    // Every message, in order per direction, field by field.
    let mut got: BTreeMap<Dir, Vec<(u32, &pdml::Message)>> = BTreeMap::new();
    for f in &frames {
        let (d, _) = dirs.get(&f.number).unwrap_or_else(|| panic!("frame {} has no ports", f.number));
        for m in &f.messages {
            got.entry(*d).or_default().push((f.number, m));
        }
    }
    let summary = |g: &BTreeMap<Dir, Vec<(u32, &pdml::Message)>>| {
        g.iter().map(|(d, v)| format!("{d:?}: {:?}", v.iter().map(|(n, m)| format!("{n}:{}", m.name())).collect::<Vec<_>>())).collect::<Vec<_>>().join("\n")
    };
    let want_summary = want.iter().map(|(d, v)| format!("{d:?}: {:?}", v.iter().map(|m| m.def.name).collect::<Vec<_>>())).collect::<Vec<_>>().join("\n");
    assert_eq!(got.keys().collect::<Vec<_>>(), want.keys().collect::<Vec<_>>(), "directions differ\n got:\n{}\nwant:\n{want_summary}\ndumpcap:\n{stats}", summary(&got));
    for (d, sent) in &want {
        let shown_msgs = &got[d];
        let names: Vec<&str> = shown_msgs.iter().map(|(_, m)| m.name()).collect();
        let sent_names: Vec<&str> = sent.iter().map(|m| m.def.name).collect();
        assert_eq!(names, sent_names, "{d:?}: messages differ\ndumpcap:\n{stats}");
        for ((n, m), s) in shown_msgs.iter().zip(sent) {
            let what = format!("{d:?} frame {n} {}", s.def.name);
            // Field by field, positions and reports, against the codec.
            assert_message(m, &expected(&s.bytes, m.pos, Charset::Utf8), &what);
            // And against the values the peer logged as sent.
            let sent_leaves = leaves(s);
            let shown_leaves: Vec<(String, String)> =
                m.fields.iter().filter(|f| sent_leaves.iter().any(|(n, _)| *n == f.name)).map(|f| (f.name.to_string(), f.show.clone())).collect();
            assert_eq!(shown_leaves, sent_leaves, "{what}: values differ from what the peer sent");
            assert_eq!(m.field("xmmep.msg_type").map(|f| f.show.as_str()), Some(s.def.code.to_string().as_str()), "{what}: message type");
        }
    }
    assert_eq!(got.values().map(Vec::len).sum::<usize>(), total);

    // The session did what it claims: a header really cut by the kernel,
    // several messages in one segment, Chinese text, both transports.
    let client_dir = Dir { proto: Proto::Tcp, src: client_tcp_port, dst: tcp_p };
    assert!(dirs.values().any(|(d, len)| *d == client_dir && *len == Some(3)), "no 3-byte segment from the client: the cut header was not sent on its own");
    let burst = frames.iter().map(|f| f.messages.len()).max().unwrap_or(0);
    assert!(burst >= 7, "the login response (7 messages in one write) was not in one frame: at most {burst}");
    let chat = frames.iter().flat_map(|f| &f.messages).find(|m| m.name() == "MSG_TXT_MSG").unwrap();
    assert_eq!(chat.field("xmmep.content").unwrap().show, CHAT);
    let notes = frames.iter().flat_map(|f| &f.messages).filter(|m| m.experts.iter().any(|x| x.group == "security")).count();
    assert_eq!(notes, 2, "clear-text password notes (MSG_REGISTER_REQ, MSG_LOGIN_REQ)");
    assert!(want.keys().any(|d| d.proto == Proto::Udp) && want.keys().any(|d| d.proto == Proto::Tcp));

    eprintln!(
        "live: {total} messages in {} directions, {} frames; capture ready after {capture_ready:?}, session {session:?}, total {:?}\n{stats}",
        want.len(),
        frames.len(),
        started.elapsed()
    );
    if std::env::var_os("XMMEP_LIVE_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
