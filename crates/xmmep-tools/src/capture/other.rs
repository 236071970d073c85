//! Traffic that is not XMMEP, on ports next to the XMMEP ones, that a
//! heuristic must leave alone: FTP, SMTP and HTTP dialogues and random binary
//! over TCP and UDP.

use crate::capture::net::{Client, Server, Side, Tcp, Udp};
use crate::capture::people::{World, ALICE, BOB};
use crate::capture::ports::*;
use crate::capture::sessions::Script;
use xmmep_core::codec::header::looks_like_header;

fn dialogue(w: &mut World, port: u16, lines: &[(Side, &str)]) {
    let (client, server) = (ALICE.host(&mut w.net), w.register);
    let mut c = Tcp::connect(&mut w.net, client, server, port);
    for (side, text) in lines {
        assert!(looks_like_header(text.as_bytes()).is_none(), "{text:?} looks like XMMEP");
        w.net.wait_ms(1, 40);
        c.send(&mut w.net, *side, text.as_bytes());
    }
    c.close(&mut w.net, Client);
}

/// Random bytes whose first 8 do not look like an XMMEP header.
fn binary(w: &mut World, n: usize) -> Vec<u8> {
    loop {
        let b = w.net.rng.bytes(n);
        if looks_like_header(&b).is_none() {
            return b;
        }
    }
}

pub fn non_xmmep(seed: u64) -> Script {
    let mut w = World::new(seed, "non_xmmep");
    dialogue(
        &mut w,
        FTP_LIKE_TCP,
        &[
            (Server, "220 (vsFTPd 3.0.3)\r\n"),
            (Client, "USER alice\r\n"),
            (Server, "331 Please specify the password.\r\n"),
            (Client, "PASS wonderland7\r\n"),
            (Server, "230 Login successful.\r\n"),
            (Client, "PWD\r\n"),
            (Server, "257 \"/home/alice\" is the current directory\r\n"),
            (Client, "TYPE I\r\n"),
            (Server, "200 Switching to Binary mode.\r\n"),
            (Client, "QUIT\r\n"),
            (Server, "221 Goodbye.\r\n"),
        ],
    );
    dialogue(
        &mut w,
        SMTP_LIKE_TCP,
        &[
            (Server, "220 mail.example.com ESMTP Postfix (Debian/GNU)\r\n"),
            (Client, "EHLO client.example.org\r\n"),
            (Server, "250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"),
            (Client, "MAIL FROM:<alice@example.com>\r\n"),
            (Server, "250 2.1.0 Ok\r\n"),
            (Client, "RCPT TO:<bob.k@example.org>\r\n"),
            (Server, "250 2.1.5 Ok\r\n"),
            (Client, "DATA\r\n"),
            (Server, "354 End data with <CR><LF>.<CR><LF>\r\n"),
            (Client, "From: Alice <alice@example.com>\r\nTo: Bob <bob.k@example.org>\r\nSubject: 1234 5678\r\n\r\n   12 200 is not a header here.\r\n.\r\n"),
            (Server, "250 2.0.0 Ok: queued as 4F2A81C02B\r\n"),
            (Client, "QUIT\r\n"),
            (Server, "221 2.0.0 Bye\r\n"),
        ],
    );
    let body = "<!DOCTYPE html>\n<html><head><title>X-Messenger</title></head>\n<body><h1>X-Messenger</h1><p>Download the client.</p></body></html>\n";
    let response = format!(
        "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sat, 01 Jun 2024 10:00:00 GMT\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    dialogue(&mut w, HTTP_LIKE_TCP, &[(Client, "GET /download HTTP/1.1\r\nHost: www.example.com:6623\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"), (Server, &response)]);
    // Random binary over TCP, both ways.
    let (client, server) = (BOB.host(&mut w.net), w.presence);
    let mut c = Tcp::connect(&mut w.net, client, server, BINARY_TCP);
    for (i, n) in [(0, 300), (1, 2_000), (0, 64), (1, 900)] {
        let data = binary(&mut w, n);
        w.net.wait_ms(1, 30);
        c.send(&mut w.net, if i == 0 { Client } else { Server }, &data);
    }
    c.close(&mut w.net, Client);
    // Random binary over UDP.
    let u = Udp::new(client, w.net.ephemeral(), server, BINARY_UDP);
    for n in [48, 200, 8, 512, 1_200] {
        let data = binary(&mut w, n);
        u.a_to_b(&mut w.net, &data, None);
        w.net.wait_ms(5, 50);
        let data = binary(&mut w, n / 2 + 8);
        u.b_to_a(&mut w.net, &data, None);
    }
    ("Not XMMEP: FTP, SMTP and HTTP dialogues and random binary over TCP and UDP on ports next to the XMMEP ones".into(), w.net.take_packets())
}
