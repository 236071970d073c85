//! With the preference `xmmep.record` on, each message's record
//! (`xmmep_core::record`, docs/decisions.md 71): the steps its batch queued,
//! written as they are, in one hidden FT_BYTES item that the same batch
//! adds. One description of the message: what the batch adds is what the
//! record says.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use xmmep_core::presentation::PROTOCOL;
use xmmep_core::record::{self, Kind, Step};
use xmmep_core::reports::ReportKind;

use crate::ffi::batch::{Batch, Node, What};
use crate::ffi::ENC_NA;

use super::message::Message;
use super::state::State;

thread_local! {
    /// The record being written: one buffer for the thread's messages.
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
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

/// Queues the record of the steps `b` holds for message `m`, under the
/// packet's tree (not in the message's subtree, where it would be one of
/// the message's fields).
pub(crate) fn add<'p>(m: &Message<'_, 'p>, b: &mut Batch<'p, '_>) {
    let state = m.state;
    let codes = codes(state);
    let base = m.base as i32;
    crate::scratch::with_scratch(&BUFFER, |out| {
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
                What::Item { .. } | What::Bytes => step(Kind::Named, field, 0, None),
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
        let item = b.add_bytes(Node::TREE, state.record_field, base, m.msg.len() as i32, out);
        b.set_hidden(item);
    });
}
