//! Small capture files for tests, built with the crate's capture builder
//! (`xmmep_tools::capture`), so that no test writes packets by hand.

use xmmep_tools::capture::net::{Net, Udp};
use xmmep_tools::capture::pcapng;

/// Everything `net` sent so far, as a pcapng file.
pub fn pcapng(net: &mut Net) -> Vec<u8> {
    pcapng::to_bytes("xmmep test capture", &net.take_packets())
}

/// One datagram per payload, from 10.0.0.2:50123 to 10.0.0.1:`port`.
pub fn udp<P: AsRef<[u8]>>(port: u16, payloads: &[P]) -> Vec<u8> {
    let mut net = Net::new(7, "udp");
    let (c, s) = (net.host([10, 0, 0, 2]), net.host([10, 0, 0, 1]));
    let flow = Udp::new(c, 50123, s, port);
    for p in payloads {
        flow.a_to_b(&mut net, p.as_ref(), None);
    }
    pcapng(&mut net)
}
