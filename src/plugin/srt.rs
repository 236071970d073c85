//! Statistics > Service Response Time > XMMEP (`tshark -z xmmep,srt`): one
//! row per request type that the table pairs with answers (its exchanges,
//! and the file offer answered by its recipient: `table::timed_requests`), at
//! the index of its message type (so "Apply as Filter" selects those
//! requests), with the calls, minimum, maximum and average of the response
//! times the analysis links. It listens to tap `xmmep` and reads the same
//! response time as the statistics tree (`stats::TapRecord::response`): a
//! multi-part answer counts once, at its end; a refused login at its RES1;
//! a file offer at its first answer.

use xmmep_core::presentation::stats as names;
use xmmep_core::schema::Schema;
use xmmep_core::table;

use crate::ffi::srt::{self, SrtSpec};
use crate::ffi::tap::Tap;
use crate::ffi::Protocol;

use super::stats::TapRecord;

struct Table;

impl SrtSpec for Table {
    type Record = TapRecord;

    fn response(record: &TapRecord) -> Option<(i32, i64)> {
        let (request, secs) = record.response?;
        Some((i32::from(request), (secs * 1e9).round() as i64))
    }
}

/// Registers the table over tap `xmmep` (`messages`).
pub(crate) fn register(proto: Protocol, messages: Tap<TapRecord>) {
    let last = table::timed_requests().map(usize::from).max().unwrap_or(0);
    let mut rows = vec![None; last + 1];
    for request in table::timed_requests() {
        rows[usize::from(request)] = table::definition(request).map(|d| d.name.to_string());
    }
    let schema = Schema::standard();
    let filter = schema.fields[schema.generic.msg_type as usize].filter_name().unwrap_or_default();
    srt::register::<Table>(proto, messages, names::TAP, names::SRT_TITLE, names::SRT_COLUMN, filter, &rows);
}
