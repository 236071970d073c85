//! The session scripts: realistic XMMEP conversations, each a capture.
//! Each returns the capture's description and its packets.

use crate::capture::msg::{msg, msg_any, multipart, t, Bool, Int, List, Text};
use crate::capture::net::MSS;
use crate::capture::net::{Client, HostId, Net, Server, Tcp, Udp};
use crate::capture::pcapng::Packet;
use crate::capture::people::{buddy_list, BuddyEntry, Person, World, ALICE, BOB, CAROL, LI, LINDA, WANG, ZHANG};
use crate::capture::ports::*;
use xmmep_core::codec::{Charset, EncValue};

const UTF8: Text = Text(Charset::Utf8);

const AVAILABLE: i64 = 0;
const BUSY: i64 = 1;
const AWAY: i64 = 2;
const OFFLINE: i64 = 3;

const SUCCESS: i64 = 0;
const NO_SUCH_USER: i64 = 8;
const USER_EXISTS: i64 = 9;
const PASSWD_MISMATCH: i64 = 12;
const ACTIVATE_CODE_MISMATCH: i64 = 13;
const DUPLICATE_SESSION: i64 = 16;

pub type Script = (String, Vec<Packet>);

fn ip_text(ip: [u8; 4]) -> String {
    let [a, b, c, d] = ip;
    format!("{a}.{b}.{c}.{d}")
}

/// MSG_GET_LOGIN_INFO_REQ/RES over UDP to the router.
pub fn router_lookup(w: &mut World, client: HostId, x: Text, user: &str, found: bool) {
    let port = w.net.ephemeral();
    let u = Udp::new(client, port, w.router, ROUTER_UDP);
    u.a_to_b(&mut w.net, &msg("MSG_GET_LOGIN_INFO_REQ", vec![x.s(user)]), None);
    w.net.wait_us(250, 900);
    let res = if found {
        let ip = w.net.ip_text(w.presence);
        msg("MSG_GET_LOGIN_INFO_RES", vec![Int(SUCCESS), t(&ip), Int(PRESENCE_TCP as i64)])
    } else {
        msg("MSG_GET_LOGIN_INFO_RES", vec![Int(NO_SUCH_USER)])
    };
    u.b_to_a(&mut w.net, &res, (!found).then_some("Lookup failed: only the result is sent"));
    w.net.wait_ms(5, 30);
}

/// What the presence server sends a user at login.
pub struct Lists {
    pub groups: Vec<String>,
    pub buddies: Vec<BuddyEntry>,
    pub blocked: Vec<String>,
    pub rooms: Vec<EncValue>,
    pub online: Vec<EncValue>,
}

impl Lists {
    pub fn small(groups: &[&str], buddies: &[(&Person, &str, &str)], online: Vec<EncValue>) -> Lists {
        Lists {
            groups: groups.iter().map(|g| g.to_string()).collect(),
            buddies: buddies.iter().map(|(p, g, d)| BuddyEntry { user: p.user.into(), group: g.to_string(), display: d.to_string() }).collect(),
            blocked: vec![],
            rooms: vec![],
            online,
        }
    }
}

/// The login exchange on a fresh connection: MSG_LOGIN_REQ, the multi-part
/// response (RES1..RES6, each list cut as the specification advises and to
/// fit 1450 bytes), RES_END, then MSG_CLIENT_READY.
pub fn login(net: &mut Net, c: &mut Tcp, x: Text, p: &Person, lists: &Lists, status: i64) {
    c.send(net, Client, &msg("MSG_LOGIN_REQ", vec![x.s(p.user), x.s(p.password), Int(status)]));
    let last_login = net.now_secs() - net.rng.range(3_600, 9 * 86_400) as i64;
    let mut out = msg("MSG_LOGIN_RES1", vec![Int(SUCCESS), p.user_info(x, last_login)]);
    let parts = [
        multipart(&lists.groups, 60, |seq, ch| msg_any("MSG_LOGIN_RES2", vec![Int(seq), Int(ch.len() as i64), List(ch.iter().map(|g| x.s(g)).collect())])),
        multipart(&lists.buddies, 30, |seq, ch| msg_any("MSG_LOGIN_RES3", vec![Int(seq), Int(ch.len() as i64), List(ch.iter().map(|b| b.value(x)).collect())])),
        multipart(&lists.blocked, 90, |seq, ch| msg_any("MSG_LOGIN_RES4", vec![Int(seq), Int(ch.len() as i64), List(ch.iter().map(|u| x.s(u)).collect())])),
        multipart(&lists.rooms, 90, |seq, ch| msg_any("MSG_LOGIN_RES5", vec![Int(seq), Int(ch.len() as i64), List(ch.to_vec())])),
        multipart(&lists.online, 10, |seq, ch| msg_any("MSG_LOGIN_RES6", vec![Int(seq), Int(ch.len() as i64), List(ch.to_vec())])),
    ];
    for m in parts.iter().flatten() {
        out.extend_from_slice(m);
    }
    out.extend_from_slice(&msg("MSG_LOGIN_RES_END", vec![]));
    net.wait_us(500, 3_000);
    c.send(net, Server, &out);
    net.wait_ms(30, 120);
    c.send(net, Client, &msg("MSG_CLIENT_READY", vec![x.s(p.user)]));
    net.wait_ms(20, 200);
}

/// A small login for sessions that are about something else.
fn quick_login(w: &mut World, host: HostId, x: Text, p: &Person, lists: &Lists) -> Tcp {
    let presence = w.presence;
    let mut c = Tcp::connect(&mut w.net, host, presence, PRESENCE_TCP);
    login(&mut w.net, &mut c, x, p, lists, AVAILABLE);
    c
}

fn keepalive(x: Text, p: &Person) -> Vec<u8> {
    msg("MSG_KEEP_ALIVE", vec![x.s(p.user)])
}

fn txt(x: Text, from: &str, to: &str, at: i64, content: &str, room: bool) -> Vec<u8> {
    msg("MSG_TXT_MSG", vec![x.s(from), x.s(to), Int(at), x.s(content), Bool(room)])
}

/// Registration, a taken user name, activation with a wrong then the right
/// code, and the notifications between servers.
pub fn register(seed: u64) -> Script {
    let mut w = World::new(seed, "register");
    let x = UTF8;
    let client = LINDA.host(&mut w.net);
    let register = w.register;
    let mut c = Tcp::connect(&mut w.net, client, register, REGISTER_TCP);
    let net = &mut w.net;
    let mut taken = LINDA.registration(x);
    taken[0] = t("linda");
    c.send(net, Client, &msg("MSG_REGISTER_REQ", taken));
    c.send(net, Server, &msg("MSG_REGISTER_RES", vec![Int(USER_EXISTS)]));
    net.wait_ms(4_000, 9_000);
    c.send(net, Client, &msg("MSG_REGISTER_REQ", LINDA.registration(x)));
    c.send(net, Server, &msg("MSG_REGISTER_RES", vec![Int(SUCCESS)]));
    net.wait_ms(40_000, 90_000);
    c.send(net, Client, &msg("MSG_REGISTER_ACTIVATE_REQ", vec![t(LINDA.user), t("Q7K2X9PB")]));
    c.send(net, Server, &msg("MSG_REGISTER_ACTIVATE_RES", vec![Int(ACTIVATE_CODE_MISMATCH)]));
    net.wait_ms(6_000, 12_000);
    c.send(net, Client, &msg("MSG_REGISTER_ACTIVATE_REQ", vec![t(LINDA.user), t("Q7K2X9P8")]));
    c.send(net, Server, &msg("MSG_REGISTER_ACTIVATE_RES", vec![Int(SUCCESS)]));
    net.wait_ms(1, 5);
    // The register server tells the router, the router the presence server.
    let (router, presence) = (w.router, w.presence);
    let mut s1 = Tcp::connect(&mut w.net, register, router, ROUTER_S2S_TCP);
    s1.send(&mut w.net, Client, &msg("MSG_USER_REGISTERED_NOTIFY", LINDA.registration(x)));
    w.net.wait_ms(1, 3);
    let mut s2 = Tcp::connect(&mut w.net, router, presence, PRESENCE_S2S_TCP);
    s2.send(&mut w.net, Client, &msg("MSG_USER_REGISTERED_NOTIFY", LINDA.registration(x)));
    c.close(&mut w.net, Client);
    s1.settle(&mut w.net);
    s2.settle(&mut w.net);
    ("Registration (taken name, then success), activation (wrong code, then right), MSG_USER_REGISTERED_NOTIFY register->router->presence".into(), w.net.take_packets())
}

fn online_entry(net: &mut Net, x: Text, b: &BuddyEntry) -> EncValue {
    let ip = [198, 51, 100, net.rng.range(120, 250) as u8];
    let status = *net.rng.pick(&[AVAILABLE, AVAILABLE, BUSY, AWAY]);
    let msgs = ["", "Working from home", "🎧 focus time", "back at 3pm", "Vacation!"];
    let pm = *net.rng.pick(&msgs);
    EncValue::Struct(vec![x.s(&b.user), x.s(&b.group), x.s(&b.display), x.s(pm), t(""), t(&ip_text(ip)), Int(PEER_UDP as i64), Int(status)])
}

/// Router lookup (failure, success), a login with long lists (several
/// MSG_LOGIN_RES3 and RES6 packets), a second user's login, the buddy login
/// notification and its forward, presence changes and their forwards, logout.
pub fn login_session(seed: u64) -> Script {
    let mut w = World::new(seed, "login");
    let x = UTF8;
    let alice = ALICE.host(&mut w.net);
    let bob = BOB.host(&mut w.net);
    router_lookup(&mut w, alice, x, "alcie", false);
    w.net.wait_ms(2_000, 4_000);
    router_lookup(&mut w, alice, x, ALICE.user, true);

    let groups = ["Friends", "Family", "Work", "Climbing club"];
    let mut buddies = buddy_list(&mut w.net, 68, &groups);
    buddies.insert(3, BuddyEntry { user: BOB.user.into(), group: "Work".into(), display: "Bob K.".into() });
    buddies.insert(40, BuddyEntry { user: CAROL.user.into(), group: "Friends".into(), display: "Carol".into() });
    buddies.insert(41, BuddyEntry { user: LINDA.user.into(), group: "Friends".into(), display: "Linda".into() });
    let mut online = Vec::new();
    for b in buddies.iter().filter(|b| b.user != BOB.user && b.user != LINDA.user).step_by(6) {
        online.push(online_entry(&mut w.net, x, b));
    }
    let lists = Lists {
        groups: groups.iter().map(|g| g.to_string()).collect(),
        buddies,
        blocked: vec!["spammer99".into(), "mlm_offers".into(), "ex_boss".into()],
        rooms: vec![
            t("rust-lovers"),
            EncValue::Struct(vec![t("berlin-climbers"), t(ALICE.user), t("Saturday 10:00 at the gym")]),
            t("book-club"),
            EncValue::Struct(vec![t("team-xmm"), t(BOB.user), t("Stand-up moved to 9:45")]),
        ],
        online,
    };
    let presence = w.presence;
    let mut a = Tcp::connect(&mut w.net, alice, presence, PRESENCE_TCP);
    // A mistyped password first: the server answers RES1 with the result
    // only meaningful part (an empty UserInfo), and Alice retries.
    a.send(&mut w.net, Client, &msg("MSG_LOGIN_REQ", vec![t(ALICE.user), t("wonderland1"), Int(AVAILABLE)]));
    w.net.wait_us(500, 3_000);
    let nobody = EncValue::Struct(vec![t(""), t(""), t(""), t(""), t(""), Int(0), t(""), Int(0), Int(0)]);
    a.send(&mut w.net, Server, &msg("MSG_LOGIN_RES1", vec![Int(PASSWD_MISMATCH), nobody]));
    w.net.wait_ms(3_000, 7_000);
    login(&mut w.net, &mut a, x, &ALICE, &lists, AVAILABLE);

    // Bob logs in a minute later; Alice is told, and the router too.
    w.net.wait_ms(40_000, 70_000);
    router_lookup(&mut w, bob, x, BOB.user, true);
    let alice_online = ALICE.online(x, "Work", "Alice", ALICE.ip, PEER_UDP, AVAILABLE);
    let bob_lists = Lists::small(&["Friends", "Work"], &[(&ALICE, "Work", "Alice"), (&CAROL, "Friends", "Carol")], vec![alice_online]);
    let mut b = Tcp::connect(&mut w.net, bob, presence, PRESENCE_TCP);
    login(&mut w.net, &mut b, x, &BOB, &bob_lists, BUSY);
    // Bob greets Alice peer to peer, at the address and port his
    // MSG_LOGIN_RES6 gave for her.
    let p2p = Udp::new(bob, PEER_UDP, alice, PEER_UDP);
    p2p.a_to_b(&mut w.net, &keepalive(x, &BOB), None);
    w.net.wait_us(300, 2_000);
    p2p.b_to_a(&mut w.net, &keepalive(x, &ALICE), None);
    w.net.wait_ms(200, 900);
    let net = &mut w.net;
    let bob_online = BOB.online(x, "Work", "Bob K.", BOB.ip, PEER_UDP, BUSY);
    a.send(net, Server, &msg("MSG_BUDDY_LOGIN_NOTIFY", vec![t(ALICE.user), bob_online.clone()]));
    let router = w.router;
    let mut s = Tcp::connect(&mut w.net, presence, router, ROUTER_S2S_TCP);
    let net = &mut w.net;
    s.send(net, Client, &msg("MSG_BUDDY_LOGIN_NOTIFY_FWD", vec![List(vec![t(ALICE.user), t(CAROL.user)]), bob_online]));

    // Carol and Linda, who watch Alice too, log in.
    let (carol, linda) = (CAROL.host(&mut w.net), LINDA.host(&mut w.net));
    let watcher_lists = || Lists::small(&["Friends"], &[(&ALICE, "Friends", "Alice")], vec![]);
    let mut c = quick_login(&mut w, carol, x, &CAROL, &watcher_lists());
    let mut l = quick_login(&mut w, linda, x, &LINDA, &watcher_lists());
    let net = &mut w.net;

    // Presence changes and their forwards: Alice's goes to all three watchers.
    net.wait_ms(20_000, 60_000);
    a.send(net, Client, &msg("MSG_STATUS_CHANGED_NOTIFY", vec![t(ALICE.user), Int(AWAY)]));
    b.send(net, Server, &msg("MSG_STATUS_CHANGED_NOTIFY_FWD", vec![t(BOB.user), t(ALICE.user), Int(AWAY)]));
    net.wait_us(200, 900);
    c.send(net, Server, &msg("MSG_STATUS_CHANGED_NOTIFY_FWD", vec![t(CAROL.user), t(ALICE.user), Int(AWAY)]));
    net.wait_us(200, 900);
    l.send(net, Server, &msg("MSG_STATUS_CHANGED_NOTIFY_FWD", vec![t(LINDA.user), t(ALICE.user), Int(AWAY)]));
    net.wait_ms(10_000, 30_000);
    b.send(net, Client, &msg("MSG_STATUS_CHANGED_NOTIFY", vec![t(BOB.user), Int(AVAILABLE)]));
    a.send(net, Server, &msg("MSG_STATUS_CHANGED_NOTIFY_FWD", vec![t(ALICE.user), t(BOB.user), Int(AVAILABLE)]));
    net.wait_ms(30_000, 60_000);
    a.send(net, Client, &msg("MSG_STATUS_CHANGED_NOTIFY", vec![t(ALICE.user), Int(OFFLINE)]));
    b.send(net, Server, &msg("MSG_STATUS_CHANGED_NOTIFY_FWD", vec![t(BOB.user), t(ALICE.user), Int(OFFLINE)]));
    c.send(net, Server, &msg("MSG_STATUS_CHANGED_NOTIFY_FWD", vec![t(CAROL.user), t(ALICE.user), Int(OFFLINE)]));
    l.send(net, Server, &msg("MSG_STATUS_CHANGED_NOTIFY_FWD", vec![t(LINDA.user), t(ALICE.user), Int(OFFLINE)]));
    a.close(net, Client);
    b.settle(net);
    c.settle(net);
    l.settle(net);
    s.settle(net);
    ("Router lookup over UDP (failure with result only, success) announcing the login server, a login refused (RESULT_PASSWD_MISMATCH) then retried with the full multi-part response (3 x RES3, 2 x RES6), CLIENT_READY, a peer keepalive to the address RES6 announced, buddy login notify and forward, presence changes forwarded to every watcher (Alice's to Bob, Carol and Linda), logout".into(), w.net.take_packets())
}

/// Group and buddy management, blocking, buddy info, a search with several
/// conditions and a two-part result, a profile update.
pub fn buddies_session(seed: u64) -> Script {
    let mut w = World::new(seed, "buddies");
    let x = UTF8;
    let alice = ALICE.host(&mut w.net);
    let carol = CAROL.host(&mut w.net);
    let bob_online = BOB.online(x, "Work", "Bob K.", BOB.ip, PEER_UDP, AVAILABLE);
    let mut lists = Lists::small(&["Friends", "Family", "Work"], &[(&BOB, "Work", "Bob K.")], vec![bob_online]);
    lists.buddies.extend(buddy_list(&mut w.net, 5, &["Friends", "Family"]));
    lists.blocked = vec!["spammer99".into()];
    let mut a = quick_login(&mut w, alice, x, &ALICE, &lists);
    let carol_lists = Lists::small(&["Friends"], &[], vec![]);
    let mut c = quick_login(&mut w, carol, x, &CAROL, &carol_lists);
    let net = &mut w.net;
    let me = || t(ALICE.user);

    net.wait_ms(5_000, 15_000);
    a.send(net, Client, &msg("MSG_GROUP_ADDED_NOTIFY", vec![me(), t("Climbing club")]));
    net.wait_ms(3_000, 8_000);
    a.send(net, Client, &msg("MSG_GROUP_RENAME_NOTIFY", vec![me(), t("Climbing club"), t("Climbing")]));
    net.wait_ms(5_000, 10_000);
    // Add Carol; she is asked and adds Alice back.
    let carol_entry = EncValue::Struct(vec![t(CAROL.user), t("Climbing"), t("Carol")]);
    a.send(net, Client, &msg("MSG_ADD_BUDDY_REQ", vec![me(), carol_entry, Bool(false)]));
    let alice_online = ALICE.online(x, "", "Alice", ALICE.ip, PEER_UDP, AVAILABLE);
    c.send(net, Server, &msg("MSG_BUDDIED_NOTIFY", vec![t(CAROL.user), alice_online]));
    net.wait_ms(3_000, 9_000);
    let alice_for_carol = ALICE.online(x, "Friends", "Alice", ALICE.ip, PEER_UDP, AVAILABLE);
    c.send(net, Client, &msg("MSG_BUDDIED_NOTIFY_RES", vec![t(CAROL.user), alice_for_carol, Bool(true)]));
    let carol_online = CAROL.online(x, "Climbing", "Carol", CAROL.ip, PEER_UDP, AVAILABLE);
    a.send(net, Server, &msg("MSG_ADD_BUDDY_RES", vec![me(), Bool(true), carol_online, Bool(false)]));
    net.wait_ms(8_000, 20_000);
    a.send(net, Client, &msg("MSG_BUDDY_MODIFIED_NOTIFY", vec![me(), t(CAROL.user), t("Carol Z."), t("Climbing"), t("Friends")]));
    net.wait_ms(2_000, 6_000);
    a.send(net, Client, &msg("MSG_GET_BUDDY_INFO_REQ", vec![me(), t(CAROL.user)]));
    let carol_info = CAROL.user_info(x, net.now_secs() - 600);
    a.send(net, Server, &msg("MSG_GET_BUDDY_INFO_RES", vec![me(), Int(SUCCESS), carol_info]));

    // A search with three conditions; the answer comes in two parts.
    net.wait_ms(10_000, 30_000);
    let conditions = EncValue::Dict(vec![(Int(8), t("Berlin")), (Int(2), t("an")), (Int(4), t("example.com"))]);
    a.send(net, Client, &msg("MSG_FIND_BUDDIES_REQ", vec![me(), Int(3), conditions]));
    let found = buddy_list(net, 15, &["-"]);
    let infos: Vec<EncValue> = found
        .iter()
        .map(|b| {
            let nick = format!("{} (an)", b.display);
            EncValue::Struct(vec![
                t(&b.user),
                t(&nick),
                t("Hi!"),
                t(&format!("{}@example.com", b.user.replace('_', "."))),
                t(""),
                Int(net.rng.range(300_000_000, 1_000_000_000) as i64),
                t("Berlin"),
                Int(net.now_secs() - net.rng.range(60, 5_000_000) as i64),
                Int(net.rng.range(0, 1) as i64),
            ])
        })
        .collect();
    let mut res = Vec::new();
    for m in multipart(&infos, 10, |seq, ch| msg_any("MSG_FIND_BUDDIES_RES", vec![Int(seq), Int(ch.len() as i64), List(ch.to_vec())])) {
        res.extend(m);
    }
    a.send(net, Server, &res);

    // Blocking and unblocking, removing a buddy and a group, a profile update.
    net.wait_ms(20_000, 40_000);
    let victim = lists.buddies[1].clone();
    a.send(net, Client, &msg("MSG_BUDDY_BLOCKED_NOTIFY", vec![me(), t(&victim.user)]));
    net.wait_ms(4_000, 9_000);
    a.send(net, Client, &msg("MSG_BUDDY_UNBLOCKED_NOTIFY", vec![me(), t("spammer99"), t("Friends")]));
    net.wait_ms(4_000, 9_000);
    let gone = lists.buddies[2].clone();
    a.send(net, Client, &msg("MSG_BUDDY_REMOVED_NOTIFY", vec![me(), t(&gone.group), t(&gone.user), Bool(false)]));
    net.wait_ms(2_000, 5_000);
    a.send(net, Client, &msg("MSG_GROUP_REMOVED_NOTIFY", vec![me(), t("Family")]));
    net.wait_ms(10_000, 20_000);
    let mut info = ALICE.user_info(x, net.now_secs() - 900);
    if let EncValue::Struct(m) = &mut info {
        m[2] = t("Climbing on Saturdays 🧗");
    }
    a.send(net, Client, &msg("MSG_USER_INFO_UPDATED_NOTIFY", vec![me(), info, t(ALICE.password)]));
    net.wait_ms(5_000, 9_000);
    a.send(net, Client, &msg("MSG_STATUS_CHANGED_NOTIFY", vec![me(), Int(OFFLINE)]));
    a.close(net, Client);
    c.settle(net);
    ("Group add/rename/remove, add buddy with BUDDIED_NOTIFY and answer, modify/remove buddy, block/unblock, buddy info, search with three conditions (two-part result), profile update".into(), w.net.take_packets())
}

/// Text chat one-to-one (peer to peer over UDP, with keepalives and one
/// datagram of several messages) and to a room (through the presence server,
/// forwarded to the members), in the given character set.
pub fn chat(seed: u64, charset: Charset) -> Script {
    let utf8 = charset == Charset::Utf8;
    let mut w = World::new(seed, if utf8 { "chat_utf8" } else { "chat_gb18030" });
    let x = Text(charset);
    let (pa, pb, pc) = if utf8 { (&ALICE, &BOB, &CAROL) } else { (&WANG, &LI, &ZHANG) };
    let (friends, room) = if utf8 { ("Friends", "rust-lovers") } else { ("好友", "技术交流群") };
    let lines: [&str; 8] = if utf8 {
        [
            "Hi Bob! Are we still on for lunch?",
            "Sure — 12:30 at the noodle place 🍜",
            "Great, see you there",
            "Carol said 你好 and she will join us",
            "👍",
            "Release 2.1 is tagged 🎉 please test the new search",
            "Found a bug in the GB18030 path, filing it now",
            "Thanks! Merci! Danke! 谢谢!",
        ]
    } else {
        [
            "晓红，晚上一起吃饭吗？",
            "好的，七点在老地方见。",
            "没问题，不见不散！",
            "老张说他也来，人多热闹 😀",
            "👌",
            "新版本已经发布，请大家测试一下搜索功能。",
            "收到，我下午就开始测试。",
            "辛苦了！周末见～",
        ]
    };
    let (ha, hb, hc) = (pa.host(&mut w.net), pb.host(&mut w.net), pc.host(&mut w.net));
    let ob = pb.online(x, friends, pb.nick, pb.ip, PEER_UDP, AVAILABLE);
    let oa = pa.online(x, friends, pa.nick, pa.ip, PEER_UDP, AVAILABLE);
    let room_entry = EncValue::Struct(vec![x.s(room), x.s(pc.user), x.s(if utf8 { "Be nice 🙂" } else { "文明聊天" })]);
    let mut la = Lists::small(&[friends], &[(pb, friends, pb.nick), (pc, friends, pc.nick)], vec![ob]);
    la.rooms = vec![room_entry.clone()];
    let mut lb = Lists::small(&[friends], &[(pa, friends, pa.nick)], vec![oa]);
    lb.rooms = vec![room_entry.clone()];
    let mut lc = Lists::small(&[friends], &[], vec![]);
    lc.rooms = vec![room_entry];
    let mut a = quick_login(&mut w, ha, x, pa, &la);
    let mut b = quick_login(&mut w, hb, x, pb, &lb);
    let mut c = quick_login(&mut w, hc, x, pc, &lc);

    // Peer to peer: keepalives, then one-to-one messages.
    let p2p = Udp::new(ha, PEER_UDP, hb, PEER_UDP);
    let net = &mut w.net;
    p2p.a_to_b(net, &keepalive(x, pa), None);
    net.wait_us(200, 2_000);
    p2p.b_to_a(net, &keepalive(x, pb), None);
    net.wait_ms(3_000, 8_000);
    p2p.a_to_b(net, &txt(x, pa.user, pb.user, net.now_secs(), lines[0], false), None);
    net.wait_ms(6_000, 15_000);
    p2p.b_to_a(net, &txt(x, pb.user, pa.user, net.now_secs(), lines[1], false), None);
    net.wait_ms(4_000, 9_000);
    p2p.a_to_b(net, &txt(x, pa.user, pb.user, net.now_secs(), lines[2], false), None);
    net.wait_ms(5_000, 12_000);
    let now = net.now_secs();
    let mut two = txt(x, pb.user, pa.user, now - 1, lines[3], false);
    two.extend(txt(x, pb.user, pa.user, now, lines[4], false));
    p2p.b_to_a(net, &two, Some("Two messages in one datagram"));

    // A room message goes to the server, which forwards it to the members.
    net.wait_ms(20_000, 40_000);
    let now = net.now_secs();
    a.send(net, Client, &txt(x, pa.user, room, now, lines[5], true));
    b.send(net, Server, &txt(x, pa.user, room, now, lines[5], true));
    c.send(net, Server, &txt(x, pa.user, room, now, lines[5], true));
    net.wait_ms(15_000, 30_000);
    let now = net.now_secs();
    c.send(net, Client, &txt(x, pc.user, room, now, lines[6], true));
    a.send(net, Server, &txt(x, pc.user, room, now, lines[6], true));
    b.send(net, Server, &txt(x, pc.user, room, now, lines[6], true));
    net.wait_ms(5_000, 10_000);
    let now = net.now_secs();
    p2p.a_to_b(net, &txt(x, pa.user, pb.user, now, lines[7], false), None);
    net.wait_ms(20_000, 30_000);
    p2p.a_to_b(net, &keepalive(x, pa), None);
    net.wait_us(200, 2_000);
    p2p.b_to_a(net, &keepalive(x, pb), None);
    net.wait_ms(1_000, 3_000);
    for (conn, p) in [(&mut a, pa), (&mut b, pb), (&mut c, pc)] {
        conn.send(net, Client, &msg("MSG_STATUS_CHANGED_NOTIFY", vec![x.s(p.user), Int(OFFLINE)]));
        conn.close(net, Client);
        net.wait_ms(500, 3_000);
    }
    let what = if utf8 { "UTF-8 (with Chinese and emoji)" } else { "GB18030 Chinese (decode with the GB18030 preference)" };
    (
        format!("Text chat in {what}: one-to-one peer to peer over UDP with keepalives and a two-message datagram; room messages through the server and their forwards"),
        w.net.take_packets(),
    )
}

/// A chat through the server: alice and bob each on their own connection,
/// every text the sender's client sends relayed by the server to the
/// recipient's; then a room message relayed to its three members (bob,
/// carol, linda), and an answer in the room relayed to the others.
pub fn chat_relayed(seed: u64) -> Script {
    let mut w = World::new(seed, "chat_relayed");
    let x = Text(Charset::Utf8);
    let (pa, pb, pc, pd) = (&ALICE, &BOB, &CAROL, &LINDA);
    let (friends, room) = ("Friends", "release-team");
    let (ha, hb, hc, hd) = (pa.host(&mut w.net), pb.host(&mut w.net), pc.host(&mut w.net), pd.host(&mut w.net));
    let room_entry = EncValue::Struct(vec![x.s(room), x.s(pa.user), x.s("Ship it")]);
    let lists = |buddies: &[(&Person, &str, &str)]| {
        let mut l = Lists::small(&[friends], buddies, vec![]);
        l.rooms = vec![room_entry.clone()];
        l
    };
    let mut a = quick_login(&mut w, ha, x, pa, &lists(&[(pb, friends, pb.nick)]));
    let mut b = quick_login(&mut w, hb, x, pb, &lists(&[(pa, friends, pa.nick)]));
    let mut c = quick_login(&mut w, hc, x, pc, &lists(&[]));
    let mut d = quick_login(&mut w, hd, x, pd, &lists(&[]));
    let net = &mut w.net;

    // One to one through the server: the client's message, then its relay.
    let dialogue = [(true, "Did the build pass?"), (false, "Yes, all green"), (true, "Then I tag 2.2 tonight"), (false, "See you at 5")];
    for (from_alice, line) in dialogue {
        net.wait_ms(3_000, 9_000);
        let now = net.now_secs();
        let (from, to, sender, receiver) = if from_alice { (&mut a, &mut b, pa, pb) } else { (&mut b, &mut a, pb, pa) };
        let m = txt(x, sender.user, receiver.user, now, line, false);
        from.send(net, Client, &m);
        net.wait_us(100, 900);
        to.send(net, Server, &m);
    }

    // A room message to the server, relayed to each of three members.
    net.wait_ms(10_000, 20_000);
    let now = net.now_secs();
    let m = txt(x, pa.user, room, now, "2.2 is tagged, please test", true);
    a.send(net, Client, &m);
    for member in [&mut b, &mut c, &mut d] {
        net.wait_us(100, 900);
        member.send(net, Server, &m);
    }
    net.wait_ms(5_000, 12_000);
    let now = net.now_secs();
    let m = txt(x, pd.user, room, now, "Testing now", true);
    d.send(net, Client, &m);
    for member in [&mut a, &mut b, &mut c] {
        net.wait_us(100, 900);
        member.send(net, Server, &m);
    }
    net.wait_ms(2_000, 5_000);
    for (conn, p) in [(&mut a, pa), (&mut b, pb), (&mut c, pc), (&mut d, pd)] {
        conn.send(net, Client, &msg("MSG_STATUS_CHANGED_NOTIFY", vec![x.s(p.user), Int(OFFLINE)]));
        conn.close(net, Client);
        net.wait_ms(500, 2_000);
    }
    (
        "Chat through the server: alice and bob on their own connections, each text relayed by the server to the recipient; a room message relayed to three members, and an answer relayed to the others".into(),
        w.net.take_packets(),
    )
}

/// File transfer: an offer accepted, whose file then goes over a TCP
/// connection from the sender to the receiver's announced port (all of it);
/// an image declined; and an offer accepted whose file goes over a
/// connection from the receiver to the sender's announced port and stops
/// short of the announced size. The forwards carry IP and port.
pub fn file_transfer(seed: u64) -> Script {
    let mut w = World::new(seed, "file_transfer");
    let x = UTF8;
    let (ha, hb) = (ALICE.host(&mut w.net), BOB.host(&mut w.net));
    let la = Lists::small(&["Work"], &[(&BOB, "Work", "Bob K.")], vec![BOB.online(x, "Work", "Bob K.", BOB.ip, PEER_UDP, AVAILABLE)]);
    let lb = Lists::small(&["Work"], &[(&ALICE, "Work", "Alice")], vec![ALICE.online(x, "Work", "Alice", ALICE.ip, PEER_UDP, AVAILABLE)]);
    let mut b = quick_login(&mut w, hb, x, &BOB, &lb);
    w.net.wait_ms(10_000, 20_000);
    let mut a = quick_login(&mut w, ha, x, &ALICE, &la);
    let (au, bu) = (t(ALICE.user), t(BOB.user));
    // (name, size, image, accepted, bytes sent: the receiver connects to the sender?)
    let offers = [
        ("quarterly-report.pdf", 5_812i64, false, true, 5_812usize, false),
        ("screenshot 2024.png", 183_442, true, false, 0, false),
        ("holiday-photos.zip", 9_000, false, true, 4_000, true),
    ];
    for (seq, (name, size, image, accept, sent, receiver_connects)) in offers.into_iter().enumerate() {
        let seq = seq as i64 + 7;
        let net = &mut w.net;
        net.wait_ms(8_000, 20_000);
        a.send(net, Client, &msg("MSG_SEND_FILE_REQ", vec![au.clone(), bu.clone(), t(name), Int(size), Int(seq), Bool(image)]));
        b.send(net, Server, &msg("MSG_SEND_FILE_REQ_FWD", vec![au.clone(), bu.clone(), t(name), Int(size), Int(seq), Bool(image), t(&ip_text(ALICE.ip)), Int(FILE_TCP as i64)]));
        net.wait_ms(2_000, 7_000);
        b.send(net, Client, &msg("MSG_SEND_FILE_RES", vec![au.clone(), bu.clone(), Int(seq), Bool(accept)]));
        let port = if accept { 50_000 + net.rng.range(0, 3_999) as i64 } else { 0 };
        a.send(net, Server, &msg("MSG_SEND_FILE_RES_FWD", vec![au.clone(), bu.clone(), Int(seq), Bool(accept), t(&ip_text(BOB.ip)), Int(port)]));
        if !accept {
            continue;
        }
        // The file's bytes (not XMMEP: the specification leaves their format
        // open), written by Alice, who closes when done.
        net.wait_ms(50, 400);
        let data = file_bytes(net, name, sent);
        let (mut conn, writer) = if receiver_connects { (Tcp::connect(net, hb, ha, FILE_TCP), Server) } else { (Tcp::connect(net, ha, hb, port as u16), Client) };
        let cut = data.len() - (data.len() - 1) % MSS - 1;
        conn.send(net, writer, &data[..cut]);
        conn.close_with(net, writer, &data[cut..]);
    }
    let net = &mut w.net;
    net.wait_ms(30_000, 60_000);
    a.close(net, Client);
    b.settle(net);
    ("File transfer: an offer accepted and its file sent in full over a TCP connection to the receiver's announced port, an image declined, an offer accepted whose file stops short of the announced size on a connection to the sender's announced port".into(), w.net.take_packets())
}

/// How the generated file data begins: a format's magic, never digits, so
/// no file stream is taken for an XMMEP stream (which starts with the
/// 4-digit body length).
pub const FILE_MAGICS: [&[u8]; 2] = [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", b"PK\x03\x04\x14\x00\x00\x00\x08\x00"];

/// Whether a TCP stream of a generated capture is file data, not XMMEP.
pub fn is_file_data(stream: &[u8]) -> bool {
    FILE_MAGICS.iter().any(|m| stream.starts_with(m))
}

/// `n` bytes that look like the named file: its format's magic, then
/// random data.
fn file_bytes(net: &mut Net, name: &str, n: usize) -> Vec<u8> {
    let magic = if name.ends_with(".pdf") { FILE_MAGICS[0] } else { FILE_MAGICS[1] };
    let mut out = magic.to_vec();
    while out.len() < n {
        out.push(net.rng.range(0, 255) as u8);
    }
    out.truncate(n);
    out
}

/// The same user logs in from a second place: the first session gets
/// MSG_SESSION_REPORT (RESULT_DUPLICATE_SESSION) and is closed by the server.
pub fn duplicate_login(seed: u64) -> Script {
    let mut w = World::new(seed, "duplicate_login");
    let x = UTF8;
    let home = ALICE.host(&mut w.net);
    let office = w.net.host([192, 0, 2, 5]);
    let lists = Lists::small(&["Friends", "Work"], &[(&BOB, "Work", "Bob K."), (&CAROL, "Friends", "Carol")], vec![]);
    let mut h = quick_login(&mut w, home, x, &ALICE, &lists);
    let net = &mut w.net;
    net.wait_ms(25_000, 35_000);
    h.send(net, Client, &keepalive(x, &ALICE));
    h.send(net, Server, &keepalive(x, &ALICE));
    net.wait_ms(60_000, 120_000);
    router_lookup(&mut w, office, x, ALICE.user, true);
    let presence = w.presence;
    let mut o = Tcp::connect(&mut w.net, office, presence, PRESENCE_TCP);
    let net = &mut w.net;
    o.send(net, Client, &msg("MSG_LOGIN_REQ", vec![t(ALICE.user), t(ALICE.password), Int(AVAILABLE)]));
    h.note("Alice logged in elsewhere");
    h.send(net, Server, &msg("MSG_SESSION_REPORT", vec![Int(DUPLICATE_SESSION)]));
    h.close(net, Server);
    // The rest of the office login (the request was sent above).
    let last = net.now_secs() - 200;
    let mut out = msg("MSG_LOGIN_RES1", vec![Int(SUCCESS), ALICE.user_info(x, last)]);
    out.extend(msg("MSG_LOGIN_RES2", vec![Int(1), Int(2), List(vec![t("Friends"), t("Work")])]));
    out.extend(msg("MSG_LOGIN_RES3", vec![Int(1), Int(2), List(lists.buddies.iter().map(|b| b.value(x)).collect())]));
    out.extend(msg("MSG_LOGIN_RES4", vec![Int(1), Int(0), List(vec![])]));
    out.extend(msg("MSG_LOGIN_RES5", vec![Int(1), Int(0), List(vec![])]));
    out.extend(msg("MSG_LOGIN_RES6", vec![Int(1), Int(0), List(vec![])]));
    out.extend(msg("MSG_LOGIN_RES_END", vec![]));
    o.send(net, Server, &out);
    net.wait_ms(50, 150);
    o.send(net, Client, &msg("MSG_CLIENT_READY", vec![t(ALICE.user)]));
    net.wait_ms(30_000, 30_500);
    o.send(net, Client, &keepalive(x, &ALICE));
    o.send(net, Server, &keepalive(x, &ALICE));
    o.settle(net);
    (
        "Duplicate login: Alice logs in from a second address; the first session gets MSG_SESSION_REPORT (RESULT_DUPLICATE_SESSION) and the server closes it".into(),
        w.net.take_packets(),
    )
}

/// Keepalives over UDP: between peers, client to router, router to presence
/// server; and a datagram that carries three messages.
pub fn keepalives(seed: u64) -> Script {
    let mut w = World::new(seed, "keepalive");
    let x = UTF8;
    let (ha, hb) = (ALICE.host(&mut w.net), BOB.host(&mut w.net));
    let (router, presence) = (w.router, w.presence);
    let net = &mut w.net;
    let p2p = Udp::new(ha, PEER_UDP, hb, PEER_UDP);
    let to_router = Udp::new(ha, net.ephemeral(), router, ROUTER_UDP);
    let servers = Udp::new(router, ROUTER_UDP, presence, PRESENCE_UDP);
    let router_ka = msg("MSG_KEEP_ALIVE", vec![t("router-01")]);
    let presence_ka = msg("MSG_KEEP_ALIVE", vec![t("presence-01")]);
    for round in 0..3 {
        to_router.a_to_b(net, &keepalive(x, &ALICE), None);
        net.wait_us(300, 900);
        to_router.b_to_a(net, &keepalive(x, &ALICE), None);
        net.wait_ms(100, 900);
        p2p.a_to_b(net, &keepalive(x, &ALICE), None);
        net.wait_us(20_000, 40_000);
        p2p.b_to_a(net, &keepalive(x, &BOB), None);
        net.wait_ms(1_000, 3_000);
        servers.a_to_b(net, &router_ka, None);
        net.wait_us(100, 400);
        servers.b_to_a(net, &presence_ka, None);
        if round == 1 {
            net.wait_ms(2_000, 4_000);
            let now = net.now_secs();
            let mut three = keepalive(x, &BOB);
            three.extend(txt(x, BOB.user, ALICE.user, now, "still there?", false));
            three.extend(txt(x, BOB.user, ALICE.user, now, "ping me when you are back", false));
            p2p.b_to_a(net, &three, Some("Three messages in one datagram"));
        }
        net.wait_ms(25_000, 30_000);
    }
    ("Keepalives over UDP: peer to peer, client to router, router to presence server; one datagram with three messages".into(), w.net.take_packets())
}

/// What the `team-xmm` room says in the TCP scripts, line by line.
const ROOM_LINES: [&str; 6] = [
    "Morning all! Build is green again.",
    "The flaky test was a timeout in the keepalive path; fixed by raising the deadline to 5 s.",
    "Can someone review PR 214? It touches the login response split (RES3 paging).",
    "On it.",
    "Lunch?",
    "Reminder: freeze on Thursday, release Friday. Please update the changelog before then.",
];

/// A message of the `team-xmm` room from `from`, sent now: line `i`.
fn room_msg(net: &Net, from: &str, i: usize) -> Vec<u8> {
    txt(UTF8, from, "team-xmm", net.now_secs(), ROOM_LINES[i], true)
}

/// Alice logged in to the presence server over TCP, with Bob as her one
/// buddy: where the TCP scripts start.
fn alice_logged_in(seed: u64, name: &str) -> (World, Tcp) {
    let mut w = World::new(seed, name);
    let ha = ALICE.host(&mut w.net);
    let lists = Lists::small(&["Work"], &[(&BOB, "Work", "Bob K.")], vec![]);
    let a = quick_login(&mut w, ha, UTF8, &ALICE, &lists);
    (w, a)
}

/// TCP segmentation: a message whose 8-byte header is split across two
/// segments and whose body spans two more; several messages in one segment;
/// a segment that ends inside the next message's header.
pub fn tcp_segments(seed: u64) -> Script {
    let (mut w, mut a) = alice_logged_in(seed, "tcp_segments");
    let net = &mut w.net;
    net.wait_ms(5_000, 9_000);
    // Header split 3 + 5, body in two pieces.
    let m = room_msg(net, ALICE.user, 1);
    a.note("Message header split inside its 8 bytes: 3 bytes here, 5 in the next segment");
    a.send_cut(net, Client, &m, &[3, 20]);
    net.wait_ms(3_000, 6_000);
    // Four messages in one segment.
    let mut four = msg("MSG_STATUS_CHANGED_NOTIFY", vec![t(ALICE.user), Int(BUSY)]);
    four.extend(keepalive(UTF8, &ALICE));
    four.extend(room_msg(net, ALICE.user, 3));
    four.extend(room_msg(net, ALICE.user, 4));
    a.note("Four messages in one segment");
    a.send(net, Client, &four);
    net.wait_ms(3_000, 6_000);
    // From the server: a message, and the next one's header cut after 6 bytes.
    let first = room_msg(net, BOB.user, 2);
    let second = room_msg(net, "carol.z", 5);
    let mut both = first.clone();
    both.extend(&second);
    a.note("One message and the first 6 bytes of the next header");
    a.send_cut(net, Server, &both, &[first.len() + 6]);
    net.wait_ms(3_000, 6_000);
    // A body split in the middle, header whole.
    let m = room_msg(net, ALICE.user, 0);
    a.note("Header and first body bytes; the body ends in the next segment");
    a.send_cut(net, Client, &m, &[m.len() / 2]);
    net.wait_ms(2_000, 4_000);
    a.send(net, Client, &msg("MSG_STATUS_CHANGED_NOTIFY", vec![t(ALICE.user), Int(OFFLINE)]));
    a.close(net, Client);
    ("TCP segmentation: header split inside its 8 bytes, body across segments, four messages in one segment, a segment ending inside the next header".into(), w.net.take_packets())
}

/// TCP out of order and retransmission: three segments of room messages with
/// the second sent after the third (duplicate ACK with SACK), then a segment
/// retransmitted after the timeout.
pub fn tcp_reorder(seed: u64) -> Script {
    let (mut w, mut a) = alice_logged_in(seed, "tcp_reorder");
    let net = &mut w.net;
    let ms: Vec<Vec<u8>> = (0..4).map(|i| room_msg(net, ALICE.user, i + 1)).collect();
    net.wait_ms(5_000, 9_000);
    a.send_out_of_order(net, Server, [&ms[0], &ms[1], &ms[2]], ["Out of order: this segment was sent before the previous one", "The segment that was missing"]);
    net.wait_ms(3_000, 6_000);
    a.send_retransmitted(net, Client, &ms[3], "Retransmission of the previous data segment");
    net.wait_ms(2_000, 4_000);
    a.send(net, Client, &msg("MSG_STATUS_CHANGED_NOTIFY", vec![t(ALICE.user), Int(OFFLINE)]));
    a.close(net, Client);
    ("TCP out-of-order segment (with duplicate ACK and SACK) and a retransmission".into(), w.net.take_packets())
}
