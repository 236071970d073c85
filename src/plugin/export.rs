//! File > Export Objects > XMMEP (`tshark --export-objects xmmep,DIR`):
//! one object per file data connection (`file_data`), named by its offer's
//! file name, holding exactly the bytes the connection carried. Each
//! segment queues its bytes under the connection's setup frame (one
//! announcement, one file); an object that falls short of the offer's size
//! is marked incomplete (content type and name), never padded.

use xmmep_core::conversations::file_data as names;

use crate::ffi::conversation::ConvData;
use crate::ffi::export_object::{self, ExportObjects, ObjectTexts};
use crate::ffi::{EpanResult, Packet, Protocol};

/// Registers the export objects under protocol `xmmep` (its filter name
/// is the one `--export-objects` takes).
pub(crate) fn register(xmmep: Protocol) -> ExportObjects {
    export_object::register(xmmep)
}

/// Queues this segment of file data connection `d` when an export objects
/// list listens (nothing is made otherwise).
pub(crate) fn segment(eo: ExportObjects, pkt: &Packet<'_>, d: &ConvData<'_>) -> EpanResult<()> {
    if !eo.listening() {
        return Ok(());
    }
    let name = d.name();
    let texts = ObjectTexts {
        name: name.as_deref().unwrap_or(names::UNKNOWN_FILE),
        size: d.length(),
        complete_type: names::EXPORT_TYPE,
        incomplete_type: names::EXPORT_TYPE_INCOMPLETE,
        incomplete_suffix: names::EXPORT_INCOMPLETE_SUFFIX,
    };
    eo.queue(pkt, d.setup_frame(), &texts)
}
