//! Frames larger than 64 KB, as captures taken on a sending or receiving
//! host show them: a TCP segment before segmentation offload (TSO) or after
//! receive offload (GRO), carried in IPv4 with a total length of 0, and a
//! UDP jumbogram in IPv6 (RFC 2675: payload length 0, a Jumbo Payload option
//! in a hop-by-hop header, UDP length 0). `etherparse` builds neither, so
//! the headers are written here, checksums included.

use crate::capture::pcapng::Packet;

/// Ethernet II header: destination, source, EtherType.
fn ethernet(ether_type: u16) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&[0x52, 0x54, 0x00, 0x00, 0x00, 0x01]);
    f.extend_from_slice(&[0x52, 0x54, 0x00, 0x00, 0x00, 0x02]);
    f.extend_from_slice(&ether_type.to_be_bytes());
    f
}

/// The Internet checksum (RFC 1071) of the concatenated `parts`.
fn checksum(parts: &[&[u8]]) -> u16 {
    let mut sum: u64 = 0;
    let mut odd: Option<u8> = None;
    for part in parts {
        for &b in *part {
            match odd.take() {
                Some(hi) => sum += u64::from(u16::from_be_bytes([hi, b])),
                None => odd = Some(b),
            }
        }
    }
    if let Some(hi) = odd {
        sum += u64::from(u16::from_be_bytes([hi, 0]));
    }
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// One TCP segment (ACK and PSH set) from `src:sport` to `dst:dport`
/// carrying `payload` of any size, in IPv4 with total length 0 when the
/// datagram would not fit in 65535 bytes.
pub fn tcp_ipv4(src: [u8; 4], sport: u16, dst: [u8; 4], dport: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
    let total = 20 + 20 + payload.len();
    let mut ip = vec![0x45, 0];
    ip.extend_from_slice(&(u16::try_from(total).unwrap_or(0)).to_be_bytes());
    ip.extend_from_slice(&[0x12, 0x34, 0x40, 0x00, 64, 6, 0, 0]);
    ip.extend_from_slice(&src);
    ip.extend_from_slice(&dst);
    let c = checksum(&[&ip]);
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    let mut tcp = Vec::new();
    tcp.extend_from_slice(&sport.to_be_bytes());
    tcp.extend_from_slice(&dport.to_be_bytes());
    tcp.extend_from_slice(&seq.to_be_bytes());
    tcp.extend_from_slice(&1u32.to_be_bytes());
    tcp.extend_from_slice(&[0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
    let tcp_len = (20 + payload.len()) as u32;
    let mut pseudo = Vec::new();
    pseudo.extend_from_slice(&src);
    pseudo.extend_from_slice(&dst);
    pseudo.extend_from_slice(&[0, 6]);
    pseudo.extend_from_slice(&(tcp_len as u16).to_be_bytes());
    let c = checksum(&[&pseudo, &tcp, payload]);
    tcp[16..18].copy_from_slice(&c.to_be_bytes());
    let mut f = ethernet(0x0800);
    f.extend_from_slice(&ip);
    f.extend_from_slice(&tcp);
    f.extend_from_slice(payload);
    f
}

/// One UDP datagram from `src:sport` to `dst:dport` carrying `payload`: an
/// RFC 2675 jumbogram when it does not fit in 65535 bytes, else a plain one.
pub fn udp_ipv6(src: [u8; 16], sport: u16, dst: [u8; 16], dport: u16, payload: &[u8]) -> Vec<u8> {
    let udp_len = 8 + payload.len();
    let jumbo = udp_len + 8 > 0xffff;
    // Hop-by-hop header: next header UDP, length 0 (8 bytes), Jumbo Payload
    // option (type 0xC2, 4 bytes: the length of everything after the IPv6
    // header).
    let mut hbh = vec![17, 0, 0xc2, 4];
    hbh.extend_from_slice(&((8 + udp_len) as u32).to_be_bytes());
    let mut ip = vec![0x60, 0, 0, 0];
    let (payload_len, next) = if jumbo { (0u16, 0u8) } else { (udp_len as u16, 17u8) };
    ip.extend_from_slice(&payload_len.to_be_bytes());
    ip.extend_from_slice(&[next, 64]);
    ip.extend_from_slice(&src);
    ip.extend_from_slice(&dst);
    let mut udp = Vec::new();
    udp.extend_from_slice(&sport.to_be_bytes());
    udp.extend_from_slice(&dport.to_be_bytes());
    udp.extend_from_slice(&(if jumbo { 0 } else { udp_len as u16 }).to_be_bytes());
    udp.extend_from_slice(&[0, 0]);
    let mut pseudo = Vec::new();
    pseudo.extend_from_slice(&src);
    pseudo.extend_from_slice(&dst);
    pseudo.extend_from_slice(&(udp_len as u32).to_be_bytes());
    pseudo.extend_from_slice(&[0, 0, 0, 17]);
    let c = match checksum(&[&pseudo, &udp, payload]) {
        0 => 0xffff,
        c => c,
    };
    udp[6..8].copy_from_slice(&c.to_be_bytes());
    let mut f = ethernet(0x86dd);
    f.extend_from_slice(&ip);
    if jumbo {
        f.extend_from_slice(&hbh);
    }
    f.extend_from_slice(&udp);
    f.extend_from_slice(payload);
    f
}

/// An IPv6 documentation address (2001:db8::`n`).
pub fn ipv6(n: u8) -> [u8; 16] {
    let mut a = [0u8; 16];
    a[0..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
    a[15] = n;
    a
}

/// A packet at a fixed moment (2024-01-01), for one-frame captures.
pub fn packet(frame: Vec<u8>) -> Packet {
    Packet { ts_ns: 1_704_067_200_000_000_000, frame, comment: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_of_rfc1071_example() {
        // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2.
        assert_eq!(checksum(&[&[0x00, 0x01, 0xf2, 0x03], &[0xf4, 0xf5, 0xf6, 0xf7]]), !0xddf2);
    }

    #[test]
    fn large_frames_have_zero_lengths() {
        let big = vec![b'x'; 70_000];
        let t = tcp_ipv4([10, 0, 0, 1], 1, [10, 0, 0, 2], 2, 0, &big);
        assert_eq!(&t[16..18], &[0, 0], "IPv4 total length 0");
        assert_eq!(t.len(), 14 + 40 + big.len());
        let u = udp_ipv6(ipv6(1), 1, ipv6(2), 2, &big);
        assert_eq!(&u[18..20], &[0, 0], "IPv6 payload length 0");
        assert_eq!(u[20], 0, "hop-by-hop header first");
        assert_eq!(&u[66..68], &[0, 0], "UDP length 0");
        assert_eq!(u.len(), 14 + 40 + 8 + 8 + big.len());
        let small = udp_ipv6(ipv6(1), 1, ipv6(2), 2, b"abc");
        assert_eq!(&small[18..20], &11u16.to_be_bytes());
    }
}
