//! What the analysis finds, as every pass reads it back: a message's place
//! in the capture, its links to other messages, the file transfers. The
//! tracker makes them and its store keeps them; both use these types, so
//! they live apart from either.

use crate::reports::ReportKind;

/// One message of the capture: its frame and its place among the frame's
/// XMMEP messages (from 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MsgRef {
    pub frame: u32,
    pub index: u16,
}

/// A link to an earlier message, with the time since it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub to: MsgRef,
    pub delta_ns: i64,
}

/// Everything the analysis found for one message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    /// The message is a request that expects an answer.
    pub request: bool,
    /// The request, for an answer or a part of one.
    pub response_to: Option<Link>,
    /// The first answer, for a request.
    pub response_in: Option<MsgRef>,
    /// The end of a multi-part answer, for its request.
    pub end_in: Option<MsgRef>,
    /// The original, for a forward.
    pub forward_of: Option<Link>,
    /// The first forwards, for an original, and how many there are.
    pub forwards: Vec<MsgRef>,
    pub forward_count: u32,
    /// Index of the file transfer the message belongs to.
    pub transfer: Option<u32>,
    /// Reports found on the first pass, with their texts.
    pub reports: Vec<(ReportKind, String)>,
    /// For the message that completes an exchange (the answer, or the end
    /// of a multi-part answer; not a later part): the request's type and
    /// the exchange's time, once per exchange, for statistics.
    pub completes: Option<(u16, i64)>,
}

/// A file transfer followed across connections.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transfer {
    /// Offered, forwarded, answered, answer forwarded.
    pub stages: [Option<MsgRef>; 4],
    pub accepted: Option<bool>,
    pub file_name: Option<Vec<u8>>,
    pub file_size: Option<i64>,
}
