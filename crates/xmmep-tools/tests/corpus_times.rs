//! Every capture of the corpus has timestamps that never go backwards, so
//! Wireshark's relative and delta times are never negative; and each
//! capture spans minutes, not months.

use pcap_file::pcapng::{Block, PcapNgReader};

#[test]
fn timestamps_increase_in_every_capture() {
    let files = xmmep_testkit::captures::all();
    assert!(files.len() > 20, "{files:?}");
    for f in files {
        let mut r = PcapNgReader::new(std::fs::File::open(&f).unwrap()).unwrap();
        let mut times = Vec::new();
        while let Some(block) = r.next_block() {
            if let Block::EnhancedPacket(p) = block.unwrap() {
                times.push(p.timestamp);
            }
        }
        assert!(!times.is_empty(), "{}", f.display());
        for (i, w) in times.windows(2).enumerate() {
            assert!(w[0] <= w[1], "{}: frame {} is earlier than frame {}", f.display(), i + 2, i + 1);
        }
        let span = *times.last().unwrap() - times[0];
        assert!(span.as_secs() < 3600, "{}: spans {span:?}", f.display());
    }
}
