//! Tree labels that come from the table, shown alike by the plugin and the
//! Lua script: one spelling per struct (`Chat room`, for the struct and for
//! `room_list` elements), dictionary elements labelled by key and value.

use xmmep_core::codec::encode_raw;
use xmmep_testkit::tshark::Dissector;

fn decode(d: &Dissector, cap: &[u8]) -> String {
    let file = d.ts.write_file("labels.pcapng", cap);
    let file = file.to_str().unwrap().to_string();
    let out = d.run(&["-r", file.as_str(), "-V", "-o", "xmmep.udp.port:47123"]);
    out.assert_success();
    out.stdout
}

#[test]
fn chat_rooms_and_search_conditions() {
    // MSG_LOGIN_RES5: a room by name, then a room as a struct.
    let res5 = encode_raw(117, b"1\x012\x01lobby\x03climbers\x02alice\x02Saturdays at the wall");
    // MSG_FIND_BUDDIES_REQ: two conditions, the second key not an enum value, then one without a value.
    let find = encode_raw(195, b"alice\x013\x011\x04bob\x039\x04x\x034");
    let cap = xmmep_testkit::pcap::udp(47123, &[res5, find]);
    for d in Dissector::both() {
        let v = decode(&d, &cap);
        let who = d.name();
        assert!(v.contains("Chat room: lobby"), "{who}: {v}");
        assert!(v.contains("Chat room: climbers"), "{who}: {v}");
        assert!(!v.contains("Chatroom"), "{who}: {v}");
        assert!(v.contains("Condition: SEARCH_COND_NAME = bob"), "{who}: {v}");
        assert!(v.contains("Condition: 9 = x"), "{who}: {v}");
        assert!(v.lines().any(|l| l.trim() == "Condition: SEARCH_COND_EMAIL"), "{who}: {v}");
        assert!(!v.contains("Conditions element"), "{who}: {v}");
    }
}
