//! The analysis across messages on hand-made message sequences: links,
//! times, reports, transfers, session users, bounds and bad orders.

use xmmep_core::analysis::{MsgRef, Relations, Tracker, MAX_PENDING};
use xmmep_core::codec::{encode_message, Decoded, Decoder, EncValue, Options};
use xmmep_core::reports::ReportKind;
use xmmep_core::schema::Schema;
use xmmep_tools::capture::msg::t;

use EncValue::{Bool, Int, List};

struct Feed {
    tracker: Tracker,
    frame: u32,
    /// Each message with its conversation and the chat the first pass gave it.
    chats: Vec<(MsgRef, u64, Vec<u8>, Option<u32>)>,
}

impl Feed {
    fn new() -> Feed {
        Feed { tracker: Tracker::new(), frame: 0, chats: Vec::new() }
    }

    /// Feeds one message as the only one of the next frame, at `secs`.
    fn push(&mut self, conv: u64, secs: i64, code: u32, values: Vec<EncValue>) -> MsgRef {
        self.frame += 1;
        let msg = encode_message(code, &values);
        let dec = Decoder::new(Schema::standard(), Options::default());
        let mut d = Decoded::new();
        dec.decode_into(&msg, &mut d).unwrap();
        let facts = Relations::standard().facts(&msg, &d);
        let at = MsgRef { frame: self.frame, index: 0 };
        self.tracker.observe(conv, at, secs * 1_000_000_000, &facts);
        let chat = self.tracker.chat(conv, at, &msg, &facts, true);
        self.chats.push((at, conv, msg, chat));
        at
    }

    /// The chat of a message fed, as the first pass gave it; a later pass
    /// (no numbering) must find the same.
    fn chat(&mut self, at: MsgRef) -> Option<u32> {
        let (_, conv, msg, chat) = self.chats.iter().find(|c| c.0 == at).cloned().unwrap();
        let dec = Decoder::new(Schema::standard(), Options::default());
        let mut d = Decoded::new();
        dec.decode_into(&msg, &mut d).unwrap();
        let mut shown = Default::default();
        Relations::standard().facts_shown(&msg, &d, &mut shown);
        assert_eq!(self.tracker.chat(conv, at, &msg, &shown, false), chat, "a later pass finds the first pass's chat");
        chat
    }
}

fn kinds(f: &Feed, at: MsgRef) -> Vec<ReportKind> {
    f.tracker.links(at).map(|l| l.reports.iter().map(|r| r.0).collect()).unwrap_or_default()
}

#[test]
fn request_and_response_link_with_time() {
    let mut f = Feed::new();
    let req = f.push(1, 10, 100, vec![t("alice"), t("secret12"), t("a@x"), t("A"), t(""), t("2000"), t("B"), Bool(true)]);
    let res = f.push(1, 12, 101, vec![Int(0)]);
    let l = f.tracker.links(res).unwrap();
    assert_eq!(l.response_to.unwrap().to, req);
    assert_eq!(l.response_to.unwrap().delta_ns, 2_000_000_000);
    assert_eq!(l.completes, Some((100, 2_000_000_000)));
    assert_eq!(f.tracker.links(req).unwrap().response_in, Some(res));
    assert!(f.tracker.unanswered(req, 100).is_none());
}

#[test]
fn response_without_request_is_reported_and_request_without_response_too() {
    let mut f = Feed::new();
    let res = f.push(1, 1, 103, vec![Int(0)]);
    assert_eq!(kinds(&f, res), vec![ReportKind::NoRequest]);
    // The answer on another conversation does not count.
    let req = f.push(2, 2, 102, vec![t("alice"), t("12345678")]);
    let other = f.push(3, 3, 103, vec![Int(0)]);
    assert_eq!(kinds(&f, other), vec![ReportKind::NoRequest]);
    assert_eq!(f.tracker.unanswered(req, 102).unwrap().0, ReportKind::NoResponse);
}

fn login_parts(f: &mut Feed, conv: u64, seqs: &[i64]) -> Vec<MsgRef> {
    seqs.iter().map(|&s| f.push(conv, 21, 115, vec![Int(s), Int(0), List(vec![])])).collect()
}

#[test]
fn multi_part_login_links_every_part_and_the_end() {
    let mut f = Feed::new();
    let req = f.push(7, 20, 112, vec![t("alice"), t("secret12"), Int(0)]);
    let res1 = f.push(7, 21, 113, vec![Int(0), EncValue::Struct(vec![t("alice")])]);
    let parts = login_parts(&mut f, 7, &[1, 2, 2, 5]);
    let end = f.push(7, 25, 127, vec![]);
    let r = f.tracker.links(req).unwrap();
    assert_eq!((r.response_in, r.end_in), (Some(res1), Some(end)));
    for p in &parts {
        assert_eq!(f.tracker.links(*p).unwrap().response_to.unwrap().to, req);
    }
    assert_eq!(kinds(&f, parts[1]), vec![]);
    assert_eq!(kinds(&f, parts[2]), vec![ReportKind::PartSequence], "a repeat");
    assert_eq!(kinds(&f, parts[3]), vec![ReportKind::PartSequence], "a gap");
    assert_eq!(f.tracker.links(end).unwrap().response_to.unwrap().delta_ns, 5_000_000_000);
    // The exchange completes once, at its end: the statistics count it there.
    assert_eq!(f.tracker.links(end).unwrap().completes, Some((112, 5_000_000_000)));
    assert!(parts.iter().chain([&res1]).all(|p| f.tracker.links(*p).unwrap().completes.is_none()));
    // The user is logged in from the successful RES1 on, not before.
    assert_eq!(f.tracker.session_user(7, req), None);
    assert_eq!(f.tracker.session_user(7, res1), Some(&b"alice"[..]));
    assert_eq!(f.tracker.session_user(7, end), Some(&b"alice"[..]));
    assert_eq!(f.tracker.session_user(8, end), None);
}

#[test]
fn failed_login_logs_nobody_in() {
    let mut f = Feed::new();
    f.push(7, 20, 112, vec![t("alice"), t("wrong123"), Int(0)]);
    let res1 = f.push(7, 21, 113, vec![Int(12)]);
    let end = f.push(7, 21, 127, vec![]);
    // The refused login completes at its RES1, and only there.
    assert_eq!(f.tracker.links(res1).unwrap().completes, Some((112, 1_000_000_000)));
    assert_eq!(f.tracker.links(end).unwrap().completes, None);
    assert_eq!(f.tracker.session_user(7, res1), None);
    assert_eq!(f.tracker.session_user(7, end), None);
}

#[test]
fn status_fan_out_links_every_forward() {
    let mut f = Feed::new();
    let orig = f.push(1, 100, 135, vec![t("alice"), Int(2)]);
    let fwds: Vec<_> = ["bob", "carol", "dave"].iter().enumerate().map(|(i, w)| f.push(2 + i as u64, 101 + i as i64, 136, vec![t(w), t("alice"), Int(2)])).collect();
    // A forward of another status has no original.
    let stray = f.push(2, 110, 136, vec![t("bob"), t("alice"), Int(3)]);
    let o = f.tracker.links(orig).unwrap();
    assert_eq!(o.forwards, fwds);
    assert_eq!(o.forward_count, 3);
    assert_eq!(f.tracker.links(fwds[2]).unwrap().forward_of.unwrap().delta_ns, 3_000_000_000);
    assert_eq!(kinds(&f, stray), vec![ReportKind::NoOriginal]);
}

fn offer(f: &mut Feed, conv: u64, code: u32, seq: i64) -> MsgRef {
    f.push(conv, 50, code, vec![t("alice"), t("bob"), t("a.pdf"), Int(1000), Int(seq), Bool(false), t("192.0.2.1"), Int(5000)])
}

fn answer(f: &mut Feed, conv: u64, code: u32, seq: i64, ok: bool) -> MsgRef {
    f.push(conv, 60, code, vec![t("alice"), t("bob"), Int(seq), Bool(ok), t("192.0.2.2"), Int(6000)])
}

#[test]
fn file_transfer_is_one_transaction_across_connections() {
    let mut f = Feed::new();
    let stages = [offer(&mut f, 1, 180, 7), offer(&mut f, 2, 181, 7), answer(&mut f, 2, 182, 7, true), answer(&mut f, 1, 183, 7, true)];
    let declined = [offer(&mut f, 1, 180, 8), answer(&mut f, 1, 183, 8, false)];
    let id = f.tracker.links(stages[0]).unwrap().transfer.unwrap();
    for s in stages {
        assert_eq!(f.tracker.links(s).unwrap().transfer, Some(id));
    }
    let tr = f.tracker.transfer(id).unwrap();
    assert_eq!(tr.stages, stages.map(Some));
    assert_eq!((tr.accepted, tr.file_name.as_deref(), tr.file_size), (Some(true), Some(&b"a.pdf"[..]), Some(1000)));
    let other = f.tracker.links(declined[1]).unwrap().transfer.unwrap();
    assert_ne!(other, id);
    assert_eq!(f.tracker.transfer(other).unwrap().accepted, Some(false));
    // The RES_FWD forwards the RES; the one of seq 8 has none.
    assert_eq!(f.tracker.links(stages[3]).unwrap().forward_of.unwrap().to, stages[2]);
    assert_eq!(kinds(&f, declined[1]), vec![ReportKind::NoOriginal]);
    // The recipient's answer completes the offer (its response time),
    // once; no other stage does, nor an answer to an offer not seen.
    assert_eq!(f.tracker.links(stages[2]).unwrap().completes, Some((180, 10_000_000_000)));
    let again = answer(&mut f, 2, 182, 7, true);
    let unseen = answer(&mut f, 3, 182, 9, true);
    for at in [stages[0], stages[1], stages[3], declined[0], declined[1], again, unseen] {
        assert_eq!(f.tracker.links(at).and_then(|l| l.completes), None, "{at:?}");
    }
}

#[test]
fn unanswered_requests_are_bounded_per_conversation() {
    let mut f = Feed::new();
    let reqs: Vec<_> = (0..MAX_PENDING + 10).map(|i| f.push(1, i as i64, 190, vec![t("alice"), t("bob")])).collect();
    let res = f.push(1, 1000, 191, vec![t("alice"), Int(0)]);
    // The ten oldest were given up; the answer goes to the oldest kept.
    assert_eq!(f.tracker.links(res).unwrap().response_to.unwrap().to, reqs[10]);
    assert!(f.tracker.unanswered(reqs[0], 190).is_some());
}

#[test]
fn messages_out_of_order_or_twice_are_ignored() {
    let mut f = Feed::new();
    let req = f.push(1, 1, 110, vec![t("alice")]);
    let res = f.push(1, 2, 111, vec![Int(0)]);
    let before = f.tracker.links(req);
    // The same message again (a second pass feeding by mistake).
    let msg = encode_message(111, &[Int(0)]);
    let mut d = Decoded::new();
    Decoder::new(Schema::standard(), Options::default()).decode_into(&msg, &mut d).unwrap();
    f.tracker.observe(1, res, 3, &Relations::standard().facts(&msg, &d));
    assert_eq!(f.tracker.links(req), before);
    assert!(f.tracker.seen(res));
    assert_eq!(f.tracker.messages_in(res.frame), 1);
}

#[test]
fn users_are_found_in_fields_members_and_lists_but_not_rooms() {
    let rel = Relations::standard();
    let dec = Decoder::new(Schema::standard(), Options::default());
    let users = |code: u32, values: Vec<EncValue>| {
        let msg = encode_message(code, &values);
        let mut d = Decoded::new();
        let _ = dec.decode_into(&msg, &mut d);
        rel.facts(&msg, &d).users.iter().map(|&(o, l)| String::from_utf8(msg[o as usize..(o + l) as usize].to_vec()).unwrap()).collect::<Vec<_>>()
    };
    assert_eq!(users(131, vec![List(vec![t("bob"), t("carol")]), EncValue::Struct(vec![t("alice")])]), ["bob", "carol", "alice"]);
    assert_eq!(users(170, vec![t("alice"), t("bob"), Int(0), t("hi"), Bool(false)]), ["alice", "bob"]);
    assert_eq!(users(170, vec![t("alice"), t("climbers"), Int(0), t("hi"), Bool(true)]), ["alice"]);
}

fn login(f: &mut Feed, conv: u64, user: &str) {
    f.push(conv, 1, 112, vec![t(user), t("secret12"), Int(0)]);
    f.push(conv, 1, 113, vec![Int(0), EncValue::Struct(vec![t(user)])]);
}

fn text(f: &mut Feed, conv: u64, secs: i64, from: &str, to: &str, content: &str, room: bool) -> MsgRef {
    f.push(conv, secs, 170, vec![t(from), t(to), Int(1_700_000_000), t(content), Bool(room)])
}

#[test]
fn a_chat_spans_both_users_connections_and_relays_link_both_ways() {
    let mut f = Feed::new();
    login(&mut f, 1, "alice");
    login(&mut f, 2, "bob");
    let sent = text(&mut f, 1, 10, "alice", "bob", "hi", false);
    let relayed = text(&mut f, 2, 11, "alice", "bob", "hi", false);
    let reply = text(&mut f, 2, 12, "bob", "alice", "hello", false);
    let reply_relayed = text(&mut f, 1, 13, "bob", "alice", "hello", false);
    for m in [sent, relayed, reply, reply_relayed] {
        assert_eq!(f.chat(m), Some(0));
    }
    let s = f.tracker.links(sent).unwrap();
    assert_eq!((s.forwards.clone(), s.forward_count), (vec![relayed], 1));
    let r = f.tracker.links(relayed).unwrap();
    assert_eq!(r.forward_of.unwrap().to, sent);
    assert_eq!(r.forward_of.unwrap().delta_ns, 1_000_000_000);
    assert_eq!(f.tracker.links(reply_relayed).unwrap().forward_of.unwrap().to, reply);
    // An original is no relay and is not reported for lacking one.
    assert!(f.tracker.links(sent).unwrap().forward_of.is_none() && f.tracker.links(reply).unwrap().reports.is_empty());
    // A file offer between the same two users is the same chat.
    let offered = offer(&mut f, 1, 180, 3);
    assert_eq!(f.chat(offered), Some(0));
    let p = f.tracker.chat_parties(0).unwrap();
    assert_eq!((&p.first[..], &p.second[..], p.room), (&b"alice"[..], &b"bob"[..], false));
    assert_eq!(f.tracker.chats(), 1);
}

#[test]
fn a_room_message_is_relayed_to_each_member_in_the_users_chat_with_the_room() {
    let mut f = Feed::new();
    let first = text(&mut f, 1, 10, "alice", "bob", "hi", false);
    let sent = text(&mut f, 1, 20, "alice", "lobby", "all here?", true);
    let relays: Vec<_> = (2..5).map(|c| text(&mut f, c, 20 + c as i64, "alice", "lobby", "all here?", true)).collect();
    let other = text(&mut f, 2, 30, "bob", "lobby", "yes", true);
    assert_eq!(f.chat(first), Some(0));
    assert_eq!(f.chat(sent), Some(1));
    for &r in &relays {
        assert_eq!(f.chat(r), Some(1));
        assert_eq!(f.tracker.links(r).unwrap().forward_of.unwrap().to, sent);
    }
    // Each member's chat with the room is its own.
    assert_eq!(f.chat(other), Some(2));
    assert_eq!(f.tracker.links(sent).unwrap().forwards, relays);
    let p = f.tracker.chat_parties(1).unwrap();
    assert_eq!((&p.first[..], &p.second[..], p.room), (&b"alice"[..], &b"lobby"[..], true));
    // The same text with another send time or content is a new original.
    let again = f.push(1, 40, 170, vec![t("alice"), t("lobby"), Int(1_700_000_001), t("all here?"), Bool(true)]);
    assert!(f.tracker.links(again).is_none());
}

#[test]
fn a_buddy_notice_that_names_one_user_takes_the_other_from_the_session() {
    let mut f = Feed::new();
    let online = EncValue::Struct(vec![t("alice"), t("Work"), t("A"), t(""), t(""), t("192.0.2.9"), Int(5000), Int(0)]);
    // Nobody is logged in on conversation 2 yet: no chat.
    let early = f.push(2, 5, 152, vec![t("alice"), online.clone()]);
    assert_eq!(f.chat(early), None);
    let add = f.push(1, 6, 150, vec![t("alice"), EncValue::Struct(vec![t("bob"), t("Friends"), t("Bob")]), Bool(false)]);
    login(&mut f, 2, "bob");
    let notice = f.push(2, 7, 152, vec![t("alice"), online]);
    assert_eq!(f.chat(add), Some(0));
    assert_eq!(f.chat(notice), Some(0));
    // Messages outside the chats have none.
    let status = f.push(1, 8, 135, vec![t("alice"), Int(2)]);
    assert_eq!(f.chat(status), None);
}
