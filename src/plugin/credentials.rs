//! Tools > Credentials (`tshark -z credentials`): the user name and the
//! clear-text password a client sends, once per message, with what the
//! server answered (docs/decisions.md 63).
//!
//! A credential in a request that awaits an answer (a login, a
//! registration) is listed with the outcome of its first answer with a
//! result: accepted, refused (and the result), or no answer in the
//! capture. Packet No. is always the request's frame, where the password
//! is (the GUI goes there and selects the password). The first pass meets
//! the answer after the request, so it keeps the credential and lists it
//! at the answer; later passes (tshark -2, the GUI's Tools > Credentials)
//! know the answer and list it at the request, and only they know that a
//! request is never answered. Nothing is made or kept while nobody listens.

use xmmep_core::codec::{Decoded, Decoder};
use xmmep_core::presentation::stats as names;
use xmmep_core::reports::fill;
use xmmep_core::stats::{MessageFacts, RESULT_SUCCESS};
use xmmep_core::table;

use crate::ffi::Packet;

use super::capture::Kept;
use super::links::{self, Analysis, CredentialAt, Observed, Outcome};
use super::stats::Taps;

/// Lists what message `msg` (decoded as `decoded` by `dec`) gives the
/// credentials tap: on the first pass, an answer's request's kept
/// credential; the message's own credential, here or kept for its answer.
/// `an`: the analysis, None when it is off.
pub(crate) fn message(taps: &Taps, mut an: Option<&mut Analysis>, obs: &Observed, pkt: &Packet<'_>, dec: &Decoder<'_>, msg: &[u8], decoded: &Decoded) {
    let Some((tap, password)) = taps.credentials() else { return };
    if let Some((frame, kept, outcome)) = an.as_deref_mut().and_then(|an| links::released(an, obs)) {
        tap.queue(pkt, frame, &kept.user, password, &info(kept.name, &kept.password, outcome));
    }
    let facts = MessageFacts::of(dec.schema, decoded);
    let Some(c) = facts.credential else { return };
    let text = |(o, l): (u32, u32)| msg.get(o as usize..(o + l) as usize).map(|b| dec.opts.charset.decode(b));
    let name = facts.msg_type.and_then(|t| dec.schema.message(t)).map(|m| m.def.name);
    let (Some(user), Some(pass), Some(name)) = (text(c.user), text(c.password), name) else { return };
    let at = match an {
        Some(an) => match links::credential_at(an, obs) {
            CredentialAt::Answer(request) => match an.capture().answers.keep(request, Kept { user, password: pass, name }) {
                Ok(()) => return,
                // Too many wait: listed now, without the outcome.
                Err(k) => return tap.queue(pkt, pkt.pinfo.frame(), &k.user, password, &info(name, &k.password, Outcome::Unknown)),
            },
            CredentialAt::Here(outcome) => outcome,
        },
        None => Outcome::Unknown,
    };
    tap.queue(pkt, pkt.pinfo.frame(), &user, password, &info(name, &pass, at));
}

/// The Info of a credential of message `name`.
fn info(name: &str, password: &str, outcome: Outcome) -> String {
    match outcome {
        Outcome::Unknown => fill(names::CREDENTIAL_INFO, &[&name, &password]),
        Outcome::Unanswered => fill(names::CREDENTIAL_UNANSWERED, &[&name, &password]),
        Outcome::Answered { frame, result: None } => fill(names::CREDENTIAL_ANSWERED, &[&name, &password, &frame]),
        Outcome::Answered { frame, result: Some(RESULT_SUCCESS) } => fill(names::CREDENTIAL_ACCEPTED, &[&name, &password, &frame]),
        Outcome::Answered { frame, result: Some(r) } => {
            let result = table::RESULT_CODE.lookup(r as i64).map_or_else(|| fill(names::UNKNOWN_RESULT, &[&r]), |e| e.name.to_string());
            fill(names::CREDENTIAL_REFUSED, &[&name, &password, &frame, &result])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_read_as_texts() {
        let at = |result| Outcome::Answered { frame: 9, result };
        assert_eq!(info("MSG_LOGIN_REQ", "pw", Outcome::Unknown), "MSG_LOGIN_REQ, password pw");
        assert_eq!(info("MSG_LOGIN_REQ", "pw", Outcome::Unanswered), "MSG_LOGIN_REQ, password pw, no answer in the capture");
        assert_eq!(info("MSG_LOGIN_REQ", "pw", at(None)), "MSG_LOGIN_REQ, password pw, answered in frame 9");
        assert_eq!(info("MSG_LOGIN_REQ", "pw", at(Some(RESULT_SUCCESS))), "MSG_LOGIN_REQ, password pw, accepted in frame 9");
        assert_eq!(info("MSG_LOGIN_REQ", "pw", at(Some(12))), "MSG_LOGIN_REQ, password pw, refused in frame 9: RESULT_PASSWD_MISMATCH");
        assert_eq!(info("MSG_LOGIN_REQ", "pw", at(Some(99))), "MSG_LOGIN_REQ, password pw, refused in frame 9: Result 99");
    }
}
