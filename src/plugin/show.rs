//! One decoded message shown as docs/presentation.md says: the protocol
//! item and subtree, one item per decoded item, the expert infos, the Info
//! text. Each step is one function; the texts are
//! `xmmep_core::presentation`'s, the same the Lua script reads.

use std::borrow::Cow;
use std::cell::RefCell;

use smallvec::SmallVec;

use xmmep_core::codec::info::{frame_info, info_text};
use xmmep_core::codec::{Item as DecodedItem, Value};
use xmmep_core::presentation::{self, info, label};
use xmmep_core::reports::{fill, fill_texts_into};
use xmmep_core::schema::{Display, Schema};

use crate::ffi::batch::{Batch, Node};
use crate::ffi::{self, EpanResult, Tree, COL_INFO, COL_PROTOCOL};

use super::announce;
use super::links::{self, Analysis, Observed};
use super::message::Message;

thread_local! {
    /// The Info column's text before the frame's first message, and the
    /// Info texts of the frame's messages so far, by message type: the
    /// column is rebuilt from them at each message (`frame_info`).
    static FRAME_INFO: RefCell<(String, Vec<(u16, String)>)> = const { RefCell::new((String::new(), Vec::new())) };
}

impl<'m, 'p> Message<'m, 'p> {
    /// Adds the message's subtree, expert infos, links (`obs`, and the
    /// tracker locked for this message: `analysis`, None when the analysis
    /// across messages is off), the frame that announced its conversation
    /// (`setup`, `announce::setup_in`), its record when one is listened
    /// for (`record`), and its Info
    /// text; returns the subtree, for what other modules add to the message.
    pub(crate) fn show(&self, obs: &Observed, analysis: Option<&Analysis>, setup: Option<u32>) -> EpanResult<Tree<'p>> {
        ffi::batch::batch(self.pkt, |b| {
            let built = self.add_items(b, obs, analysis, setup);
            // What was queued before an error is added, as the calls one by
            // one added it before they met the error.
            b.flush()?;
            // Once added: a batch cut short by an exception has no record.
            if self.record {
                super::record::add(self, b);
            }
            let top = built?;
            self.info(obs.msg_type())?;
            Ok(b.tree(top))
        })
    }

    /// Queues the message's items, expert infos and links; returns the
    /// message item, whose subtree is the message's.
    fn add_items(&self, b: &mut Batch<'p, '_>, obs: &Observed, analysis: Option<&Analysis>, setup: Option<u32>) -> EpanResult<Node> {
        let top = self.message_item(b)?;
        links::show_chat(self, obs, b, top);
        let items = self.field_items(b, top)?;
        self.experts(b, top, &items);
        links::show(self, obs, analysis, b, top)?;
        announce::show_setup_in(self, b, top, setup);
        Ok(top)
    }

    fn schema(&self) -> &Schema {
        self.dec.schema
    }

    /// Where an item of the message lies in the tvb.
    fn place(&self, it: &DecodedItem) -> (i32, i32) {
        ((self.base + it.offset as usize) as i32, it.len as i32)
    }

    /// The protocol item, named after the message, with its subtree.
    fn message_item(&self, b: &mut Batch<'p, '_>) -> EpanResult<Node> {
        let (proto, start, len) = (self.state.proto, self.base as i32, self.msg.len() as i32);
        let top = if self.visible {
            let name: Cow<'_, str> = match self.decoded.header {
                Some(h) => self.schema().message(h.msg_type).map_or_else(|| fill(info::UNKNOWN_TYPE, &[&h.msg_type]).into(), |m| m.def.name.into()),
                None => info::MALFORMED_HEADER.into(),
            };
            add_labelled(b, presentation::PROTOCOL.name, Some((label::MESSAGE, &[name.as_ref()])), |b, text| b.add_protocol_text(proto, start, len, text))
        } else {
            b.add_protocol_text(proto, start, len, None)
        };
        b.add_subtree_to(top, self.state.message_subtree);
        Ok(top)
    }

    /// A name-only item (FT_NONE: Wireshark's label is the field's name)
    /// labelled "name: value" (`label::VALUE_SUFFIX`); `value` None: the
    /// name alone (on a tree nobody sees, no label is made).
    fn named_item(&self, b: &mut Batch<'p, '_>, parent: Node, hf: ffi::HfId, it: &DecodedItem, value: Option<&str>) -> Node {
        let (start, len) = self.place(it);
        let name = &self.schema().field(it.id).label;
        let add = |b: &mut Batch<'p, '_>, text: Option<ffi::Text<'_>>| b.add_item_text(parent, hf, start, len, ffi::ENC_NA, text, false);
        match value {
            Some(v) => add_labelled(b, name, Some((label::VALUE_SUFFIX, &[v])), add),
            None => add(b, None),
        }
    }

    /// Every decoded item under its parent (items come in pre-order, with
    /// their depth); returns them in the decode's order.
    fn field_items(&self, b: &mut Batch<'p, '_>, root: Node) -> EpanResult<Vec<Node>> {
        let items = &self.decoded.items;
        // Nesting is shallow: the parents stay inline. The items are kept
        // only for the reports to point at.
        let mut parents: SmallVec<[Node; 8]> = SmallVec::new();
        parents.push(root);
        let keep = !self.decoded.reports.is_empty();
        let mut shown = if keep { Vec::with_capacity(items.len()) } else { Vec::new() };
        for (i, it) in items.iter().enumerate() {
            parents.truncate(it.depth as usize + 1);
            let parent = *parents.last().expect("the root is never popped");
            let (item, subtree) = self.field_item(b, parent, i)?;
            if items.get(i + 1).is_some_and(|next| next.depth > it.depth) {
                if !subtree {
                    b.add_subtree_to(item, self.state.subtree(it.id));
                }
                parents.push(item);
            }
            if keep {
                shown.push(item);
            }
        }
        Ok(shown)
    }

    /// The item of decoded item `i`, and whether adding the item made its
    /// subtree.
    fn field_item(&self, b: &mut Batch<'p, '_>, parent: Node, i: usize) -> EpanResult<(Node, bool)> {
        let it = &self.decoded.items[i];
        match (it.value, self.state.field(it.id)) {
            (Value::Invalid, _) => Ok((self.invalid_item(b, parent, it)?, false)),
            (Value::Count(_) | Value::Index(_), None) => Ok((self.label_item(b, parent, i)?, true)),
            (_, None) => unreachable!("only labels lack a header field"),
            (Value::Struct, Some(hf)) => Ok((self.struct_item(b, parent, i, hf)?, false)),
            (Value::Count(n) | Value::Index(n), Some(hf)) => {
                let elements = self.visible.then(|| presentation::elements(n));
                Ok((self.named_item(b, parent, hf, it, elements.as_deref()), false))
            }
            (_, Some(hf)) => Ok((self.value_item(b, parent, it, hf)?, false)),
        }
    }

    /// A value that does not decode as its type: `xmmep.bad_value`,
    /// labelled with the field's name and the text.
    fn invalid_item(&self, b: &mut Batch<'p, '_>, parent: Node, it: &DecodedItem) -> EpanResult<Node> {
        let bad = self.state.field(self.schema().generic.bad_value).expect("bad_value is a filter field");
        let (start, len) = self.place(it);
        // The label replaces Wireshark's (set, not appended): one call.
        let text = if self.visible { Some(fill(label::INVALID, &[&self.schema().field(it.id).label, &self.text(it.offset, it.len)?])) } else { None };
        Ok(b.add_item_text(parent, bad, start, len, self.encoding(), text.as_deref().map(Into::into), false))
    }

    /// A text-only subtree: a list holder ("Group list: 2 elements") or a
    /// dictionary element ("Condition: SEARCH_COND_NAME = alice").
    fn label_item(&self, b: &mut Batch<'p, '_>, parent: Node, i: usize) -> EpanResult<Node> {
        let it = &self.decoded.items[i];
        let (start, len) = self.place(it);
        if !self.visible {
            return Ok(b.add_subtree(parent, start, len, self.state.subtree(it.id), ""));
        }
        let f = self.schema().field(it.id);
        let text = match it.value {
            Value::Count(n) => fill(label::COUNTED, &[&f.label, &presentation::elements(n)]),
            Value::Index(n) => match self.pair_label(i)? {
                Some(text) => text,
                None => fill(label::INDEXED, &[&f.label, &n]),
            },
            _ => unreachable!("labels hold counts and indexes only"),
        };
        Ok(b.add_subtree(parent, start, len, self.state.subtree(it.id), &text))
    }

    /// Dictionary element `i` by its key and value, when it has a key item.
    fn pair_label(&self, i: usize) -> EpanResult<Option<String>> {
        let items = &self.decoded.items;
        let depth = items[i].depth + 1;
        let Some(key) = items.get(i + 1).filter(|k| k.depth == depth) else { return Ok(None) };
        let kf = self.schema().field(key.id);
        let name = match key.value {
            Value::Uint(v) => kf.vals.and_then(|e| e.lookup(v as i64)).map(|e| e.name.to_string()),
            Value::Int(v) => kf.vals.and_then(|e| e.lookup(v)).map(|e| e.name.to_string()),
            _ => None,
        };
        let key_text = match name {
            Some(n) => Cow::Owned(n),
            None => self.text(key.offset, key.len)?,
        };
        let mut text = fill(label::PAIR_KEY, &[&kf.label, &key_text]);
        if let Some(value) = items.get(i + 2).filter(|v| v.depth == depth) {
            text = fill(label::PAIR_VALUE, &[&text, &self.text(value.offset, value.len)?]);
        }
        Ok(Some(text))
    }

    /// A struct, labelled by its first member when that is text ("Buddy:
    /// alice"), so a long list reads without expanding it; one without
    /// members is a refusal's placeholder (`label::NOT_SENT`).
    fn struct_item(&self, b: &mut Batch<'p, '_>, parent: Node, i: usize, hf: ffi::HfId) -> EpanResult<Node> {
        let it = &self.decoded.items[i];
        let first = self.decoded.items.get(i + 1).filter(|n| n.depth == it.depth + 1);
        let text = match first {
            _ if !self.visible => None,
            Some(first) if first.value == Value::Text => Some(self.text(first.offset, first.len)?),
            Some(_) => None,
            None => Some(Cow::Borrowed(label::NOT_SENT)),
        };
        Ok(self.named_item(b, parent, hf, it, text.as_deref()))
    }

    /// A typed value under its header field.
    fn value_item(&self, b: &mut Batch<'p, '_>, parent: Node, it: &DecodedItem, hf: ffi::HfId) -> EpanResult<Node> {
        let (start, len) = self.place(it);
        let display = self.schema().field(it.id).display;
        Ok(match it.value {
            Value::Text => self.text_item(b, parent, hf, it.offset, it.len),
            Value::Uint(v) if display == Display::Uint(64) => b.add_uint64(parent, hf, start, len, v),
            Value::Uint(v) => b.add_uint(parent, hf, start, len, v as u32),
            Value::Int(v) if display == Display::Int(64) => b.add_int64(parent, hf, start, len, v),
            Value::Int(v) => b.add_int(parent, hf, start, len, v as i32),
            Value::Bool(v) => b.add_boolean(parent, hf, start, len, v),
            Value::Time(t) => {
                let item = b.add_time_secs(parent, hf, start, len, t);
                let f = self.schema().field(it.id);
                // A day: the date alone in the label; filters keep the time.
                if let Some(date) = presentation::date_text(t).filter(|_| self.visible && f.date) {
                    b.set_text(item, &format!("{}{}", f.label, fill(label::VALUE_SUFFIX, &[&date])));
                }
                item
            }
            Value::Ipv4(a) => {
                let item = b.add_ipv4(parent, hf, start, len, u32::from_be_bytes(a));
                b.set_generated(item);
                item
            }
            Value::Struct | Value::Count(_) | Value::Index(_) | Value::Invalid => unreachable!("not a typed value"),
        })
    }

    /// Every report as an expert info on its item (or on the message).
    fn experts(&self, b: &mut Batch<'p, '_>, top: Node, items: &[Node]) {
        for r in &self.decoded.reports {
            let target = r.item.and_then(|i| items.get(i as usize).copied()).unwrap_or(top);
            b.expert(target, self.state.experts[r.kind.index()], Some(&r.text));
        }
    }

    /// The message's Info text. The first XMMEP message of a frame takes
    /// the columns (after any fence TCP set); with the next ones, even from
    /// another call for the same frame (a reassembled PDU, then the rest of
    /// the segment), the column is rebuilt from all of them (`frame_info`:
    /// ", " between, runs of parts summarised). The Protocol column tells
    /// which case this is, so a segment that only feeds reassembly keeps
    /// TCP's columns, as it does in a second pass (where TCP does not call
    /// us for it).
    fn info(&self, msg_type: u16) -> EpanResult<()> {
        let pinfo = self.pkt.pinfo;
        if !pinfo.has_columns() {
            return Ok(());
        }
        let text =
            info_text(self.schema(), self.decoded, |o, l| self.text(o, l).map(Cow::into_owned).unwrap_or_else(|_| self.charset().decode(&self.msg[o as usize..(o + l) as usize])));
        if !pinfo.col_text_is(COL_PROTOCOL, presentation::PROTOCOL.short) {
            pinfo.col_set(COL_PROTOCOL, presentation::PROTOCOL.short)?;
            pinfo.col_set(COL_INFO, &text)?;
            // What stays before our text: whatever TCP fenced off.
            let shown = pinfo.col_get(COL_INFO);
            let prefix = shown.strip_suffix(text.as_str()).unwrap_or("").to_string();
            FRAME_INFO.with(|cell| *cell.borrow_mut() = (prefix, vec![(msg_type, text)]));
            return Ok(());
        }
        // TCP may have fenced the column after an earlier message of this
        // frame: rewrite it whole, prefix and all messages.
        let all = FRAME_INFO.with(|cell| {
            let (prefix, pieces) = &mut *cell.borrow_mut();
            pieces.push((msg_type, text));
            format!("{prefix}{}", frame_info(pieces))
        });
        pinfo.col_rewrite(COL_INFO, &all)
    }
}

thread_local! {
    /// The label being made: one buffer for every label of the thread.
    static LABEL: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Adds an item with `add` (given its whole label, or None for Wireshark's
/// own, which is `name`) labelled `name` followed by `template` filled with
/// `args`: the label is set in the same step when Wireshark would show it
/// the same ([`ffi::label_settable`]), else Wireshark's label gets the
/// suffix appended. `suffix` None: Wireshark's label alone.
fn add_labelled<'p, 'b>(b: &mut Batch<'p, 'b>, name: &str, suffix: Option<(&str, &[&str])>, add: impl FnOnce(&mut Batch<'p, 'b>, Option<ffi::Text<'_>>) -> Node) -> Node {
    let Some((template, args)) = suffix else { return add(b, None) };
    crate::scratch::with_scratch(&LABEL, |label| {
        label.clear();
        label.push_str(name);
        fill_texts_into(label, template, args);
        if let Some(text) = ffi::label_settable(label) {
            return add(b, Some(text));
        }
        let item = add(b, None);
        b.append_text(item, &label[name.len()..]);
        item
    })
}
