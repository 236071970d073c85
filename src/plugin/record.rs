//! Each message's record (`xmmep_core::record`, docs/decisions.md 71 and
//! 72), for `tshark -z xmmep,records`: the steps its batch queued, written
//! as they are, in a chunk appended to the packet's record of tap
//! `xmmep_records`, which the statistic writes to tshark's standard output.
//! One description of the message: what the batch adds is what the record
//! says. Made only while the statistic listens.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use xmmep_core::presentation::PROTOCOL;
use xmmep_core::record::{self, Kind, Step};
use xmmep_core::reports::ReportKind;

use crate::ffi::batch::{Batch, What};
use crate::ffi::tap::{self, BytesTap};
use crate::ffi::{Packet, ENC_NA};

use super::message::Message;
use super::state::State;

thread_local! {
    /// The chunk being written: one buffer for the thread's messages.
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Registers tap `xmmep_records` and the statistic `-z xmmep,records`
/// that writes it out. Call from `register_protoinfo`.
pub(crate) fn register() -> BytesTap {
    let records = tap::register_bytes_tap(record::TAP);
    tap::register_stdout_stat(records, record::TAP, record::STAT, "XMMEP records for tools (binary, on standard output)");
    records
}

/// Hands the record that `write` writes to the statistic, in a chunk of
/// this frame.
fn hand_over(state: &State, pkt: &Packet<'_>, write: impl FnOnce(&mut Vec<u8>)) {
    crate::scratch::with_scratch(&BUFFER, |out| {
        out.clear();
        let start = record::open_chunk(out, pkt.pinfo.frame());
        write(out);
        record::close_chunk(out, start);
        state.records.append(pkt, out);
    });
}

/// The record of one expert info outside any message (the file data's
/// size note: `xmmep_core::record::expert_alone`), while the statistic
/// listens.
pub(crate) fn expert_alone(pkt: &Packet<'_>, class: u32, text: &str) {
    let Some(state) = super::state::STATE.get().filter(|s| s.records.listening()) else { return };
    hand_over(state, pkt, |out| record::expert_alone(out, class, text));
}

/// The record's field code of each header field id the message shows.
fn codes(state: &State) -> &'static HashMap<i32, u32> {
    static CODES: OnceLock<HashMap<i32, u32>> = OnceLock::new();
    CODES.get_or_init(|| {
        let schema = state.fields.iter().enumerate().filter_map(|(id, hf)| hf.map(|hf| (hf.get(), record::schema_code(id))));
        let analysis = state.analysis.iter().enumerate().map(|(i, hf)| (hf.get(), record::analysis_code(i)));
        schema.chain(analysis).chain([(state.conv.setup_in.get(), record::setup_in_code())]).collect()
    })
}

/// Hands over the record of the steps `b` holds for message `m` (call
/// after they were added).
pub(crate) fn add<'p>(m: &Message<'_, 'p>, b: &Batch<'p, '_>) {
    let state = m.state;
    let codes = codes(state);
    let base = m.base as i32;
    hand_over(state, m.pkt, |out| {
        record::begin(out, b.queued().len());
        for q in b.queued() {
            let (start, len) = ((q.start - base).max(0) as u32, q.len.max(0) as u32);
            let field = codes.get(&q.hf).copied().unwrap_or(0);
            let flags = if q.hidden { record::HIDDEN } else { 0 } | if q.generated { record::GENERATED } else { 0 } | if q.append { record::APPEND } else { 0 };
            let step = |kind, field, value, text| Step { kind, flags, parent: q.parent.map(|p| p as u32), field, start, len, value, text };
            // A string Wireshark reads from the tvb: its value as Wireshark
            // reads it, which the step does not hold.
            let read;
            let s = match q.what {
                // A label set whole is kept as what follows the protocol's
                // name (appended): the same label in fewer bytes.
                What::Item { .. } if q.hf == state.proto.get() => {
                    let name = PROTOCOL.name.as_bytes();
                    let (text, append) = match q.text {
                        Some(t) if !q.append && t.starts_with(name) => (Some(&t[name.len()..]), true),
                        t => (t, q.append),
                    };
                    let flags = if append { flags | record::APPEND } else { flags };
                    Step { flags, ..step(Kind::Protocol, 0, 0, text) }
                }
                What::Item { encoding } if encoding != ENC_NA => {
                    read = m.text(start, len).map(|t| t.into_owned()).unwrap_or_else(|_| m.charset().decode(&m.msg[start as usize..(start + len) as usize]));
                    step(Kind::Text, field, 0, Some(read.as_bytes()))
                }
                What::Item { .. } => step(Kind::Named, field, 0, None),
                What::String => step(Kind::Text, field, 0, q.text),
                What::Uint => step(Kind::Uint, field, q.value, None),
                What::Int => step(Kind::Int, field, q.value, None),
                What::Boolean => step(Kind::Bool, field, q.value, None),
                What::TimeSecs => step(Kind::Time, field, q.value, None),
                What::Ipv4 => step(Kind::Ipv4, field, q.value, None),
                What::RelativeTime => step(Kind::RelTime, field, q.value, None),
                What::Subtree => step(Kind::Label, 0, 0, q.text),
                What::Expert { ei } => {
                    let class = state.experts.iter().position(|e| e.as_ptr() == ei).unwrap_or(ReportKind::InternalError.index());
                    step(Kind::Expert, class as u32, 0, q.text)
                }
            };
            record::write_step(out, &s);
        }
    });
}
