//! The file data dissector: a TCP connection that a file-transfer message
//! announced (`announce`). XMMEP does not define the content, so it is
//! shown as data under a label: file name, announced size, the frame that
//! set the connection up, and the bytes seen so far. A note marks a size
//! mismatch: more bytes than announced at the segment that passes the size;
//! fewer where the connection is known to end (a FIN on the first pass, the
//! last data segment on later passes and in the GUI).
//!
//! The count is made on the first pass and stored per frame and per
//! conversation (file scope), so every pass shows the same numbers.

use xmmep_core::conversations::{file_data as names, size_note, FILE_DATA_PROTOCOL};
use xmmep_core::record;
use xmmep_core::reports::fill;

use crate::ffi::conversation::{self as conv, ConvData, FrameBytes};
use crate::ffi::{Dissector, EpanResult, Packet, COL_INFO, COL_PROTOCOL, ENC_NA};

use super::export;
use super::state::{ConvState, STATE};

pub(crate) struct FileDataDissector;

impl Dissector for FileDataDissector {
    fn dissect(pkt: &Packet<'_>) -> i32 {
        let Some(state) = STATE.get() else { return 0 };
        if let Err(e) = dissect(pkt, &state.conv) {
            let _ = pkt.show_exception(&e);
        }
        pkt.tvb.reported_len() as i32
    }
}

/// This segment's count: made now on the first pass, read back later.
fn count(pkt: &Packet<'_>, cs: &ConvState, d: Option<&ConvData<'_>>) -> EpanResult<Option<FrameBytes>> {
    if pkt.pinfo.visited() {
        return Ok(conv::frame_bytes(pkt.pinfo, cs.file_proto));
    }
    let Some(d) = d else { return Ok(None) };
    let (seen, _) = d.progress();
    let f = FrameBytes { before: seen, after: seen.saturating_add(u64::from(pkt.tvb.reported_len())) };
    d.set_progress(f.after, pkt.pinfo.frame());
    conv::set_frame_bytes(pkt.pinfo, cs.file_proto, f)?;
    Ok(Some(f))
}

fn dissect(pkt: &Packet<'_>, cs: &ConvState) -> EpanResult<()> {
    let d = conv::lookup(pkt.pinfo, cs.file_proto)?;
    let rec = count(pkt, cs, d.as_ref())?;
    if let Some(d) = &d {
        export::segment(cs.export, pkt, d)?;
    }
    let name = d.as_ref().and_then(|d| d.name());
    let size = d.as_ref().and_then(|d| d.length());
    let (tvb, len) = (pkt.tvb, pkt.tvb.reported_len());
    pkt.pinfo.col_set(COL_PROTOCOL, FILE_DATA_PROTOCOL.short)?;
    pkt.pinfo.col_set(COL_INFO, &fill(names::INFO, &[&name.as_deref().unwrap_or(names::UNKNOWN_FILE), &len]))?;

    let top = pkt.tree.add_protocol(cs.file_proto, tvb, 0, -1)?;
    let setup = d.as_ref().map_or(0, |d| d.setup_frame());
    match (&name, size) {
        (Some(n), Some(s)) => top.append_text(&fill(names::LABEL, &[n, &s, &setup]))?,
        _ => top.append_text(&fill(names::LABEL_UNKNOWN, &[&setup]))?,
    }
    let sub = top.add_subtree(cs.fd_subtree)?;
    if let Some(n) = &name {
        sub.add_string(cs.fd_name, tvb, 0, 0, n.as_str())?.set_generated();
    }
    if let Some(s) = size {
        sub.add_int64(cs.fd_size, tvb, 0, 0, s)?.set_generated();
    }
    if d.is_some() {
        sub.add_uint(cs.fd_setup_in, tvb, 0, 0, setup)?.set_generated();
    }
    if let Some(r) = rec {
        sub.add_uint64(cs.fd_bytes_seen, tvb, 0, 0, r.after)?.set_generated();
    }
    sub.add_item(cs.fd_data, tvb, 0, tvb.captured_len() as i32, ENC_NA)?;

    // The size note.
    let (Some(d), Some(size), Some(r)) = (d, size, rec) else { return Ok(()) };
    let passes = u64::try_from(size).is_ok_and(|s| r.before <= s && r.after > s);
    let (total, last) = d.progress();
    let ended = r.after == total && if pkt.pinfo.visited() { last == pkt.pinfo.frame() } else { pkt.tcp_fin() };
    let note = if passes {
        size_note(r.after, size, false)
    } else if ended {
        size_note(total, size, true).filter(|_| total < size as u64)
    } else {
        None
    };
    if let Some(text) = note {
        pkt.pinfo.expert(Some(top), cs.fd_size_mismatch, Some(&text))?;
        // Outside any message: a record of its own, for the tools.
        super::record::expert_alone(pkt, record::FILE_DATA_NOTE, &text);
    }
    Ok(())
}
