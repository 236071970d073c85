//! A message's items and expert infos added in one guarded call.
//!
//! Each single wrapper of `epan` runs its epan call under its own TRY,
//! whose setjmp costs about as much as adding a simple item. A [`Batch`]
//! queues the steps (an item under the tree or under an earlier step's
//! subtree, its label, flags and subtree, an expert info on an earlier
//! step's item) and [`Batch::flush`] runs them in order in one call of the
//! shim (`shim_tree_add_batch`), under one TRY: the same epan calls as the
//! single wrappers make, with the same results. An exception stops the
//! batch where it is thrown, as it stopped the calls one by one: the steps
//! before it stay added, and flush returns it.

use std::cell::RefCell;
use std::ffi::c_int;
use std::ptr;

use super::cstr::Text;
use super::epan::{shim, EpanResult, Packet, Tree};
use super::ids::{EiId, EttId, HfId, Protocol};
use super::sys;

/// A step of a batch: its item, and the subtree it made or was given.
/// [`Node::TREE`] stands for the batch's own tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Node(c_int);

impl Node {
    /// The tree the batch adds to.
    pub(crate) const TREE: Node = Node(-1);
}

/// The queued steps, kept per thread so that a message allocates nothing.
#[derive(Default)]
struct Steps {
    ops: Vec<sys::shim_item_op_t>,
    /// Where each step's text starts in `texts` (`NO_TEXT`: none).
    at: Vec<u32>,
    /// The steps' texts, each followed by a NUL.
    texts: Vec<u8>,
    items: Vec<*mut sys::proto_item>,
    trees: Vec<*mut sys::proto_tree>,
    /// Steps completed by the last flush.
    done: usize,
}

const NO_TEXT: u32 = u32::MAX;

impl Steps {
    fn clear(&mut self) {
        self.ops.clear();
        self.at.clear();
        self.texts.clear();
        self.items.clear();
        self.trees.clear();
        self.done = 0;
    }
}

thread_local! {
    static STEPS: RefCell<Steps> = RefCell::new(Steps::default());
}

/// What a queued step adds (see [`Batch::queued`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum What {
    /// An item whose value Wireshark reads from the tvb with `encoding`.
    Item {
        encoding: u32,
    },
    /// A string given as the step's text.
    String,
    /// Integers of any width, the value's bits in `value`.
    Uint,
    Int,
    Boolean,
    /// Whole seconds since 1970.
    TimeSecs,
    /// Host byte order.
    Ipv4,
    /// Nanoseconds.
    RelativeTime,
    /// A text-only item, the text its label.
    Subtree,
    /// An expert info on the parent step's item.
    Expert {
        ei: *mut sys::expert_field,
    },
}

/// A queued step (see [`Batch::queued`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Queued<'s> {
    pub(crate) what: What,
    /// The step whose subtree it goes under; None: the batch's tree.
    pub(crate) parent: Option<usize>,
    pub(crate) hf: c_int,
    pub(crate) start: i32,
    pub(crate) len: i32,
    pub(crate) value: u64,
    /// Its label, or its value for strings, text-only items and expert
    /// infos (NULs shown as U+2400).
    pub(crate) text: Option<&'s [u8]>,
    pub(crate) generated: bool,
    pub(crate) hidden: bool,
    /// Whether the text is appended to Wireshark's label.
    pub(crate) append: bool,
}

/// Steps queued for one packet's tree (see the module's documentation).
pub(crate) struct Batch<'a, 's> {
    pkt: Packet<'a>,
    steps: &'s mut Steps,
}

/// Runs `f` with an empty batch for `pkt`'s tree.
pub(crate) fn batch<'a, R>(pkt: &Packet<'a>, f: impl FnOnce(&mut Batch<'a, '_>) -> R) -> R {
    crate::scratch::with_scratch(&STEPS, |steps| {
        steps.clear();
        f(&mut Batch { pkt: *pkt, steps })
    })
}

impl<'a> Batch<'a, '_> {
    /// Whether Wireshark keeps an item of `hf` anywhere in the tree (see
    /// `Tree::is_referenced`): what it reads, whether the tree is shown
    /// and the field's references, is the same at every node of a tree,
    /// and a node is NULL exactly when the packet's tree is.
    pub(crate) fn is_referenced(&self, hf: HfId) -> bool {
        self.pkt.tree.is_referenced(hf)
    }

    fn push(&mut self, kind: u32, parent: Node, hf: c_int, start: i32, len: i32, value: u64) -> Node {
        let n = self.steps.ops.len();
        // The shim reads the parent's slot: it must be an earlier step.
        assert!(parent.0 < n as c_int, "a batch step's parent comes before it");
        self.steps.ops.push(sys::shim_item_op_t {
            kind: kind as c_int,
            flags: 0,
            parent: parent.0,
            hf,
            ett: -1,
            start,
            length: len,
            encoding: 0,
            value,
            text: ptr::null(),
            text_len: 0,
            ei: ptr::null_mut(),
        });
        self.steps.at.push(NO_TEXT);
        Node(n as c_int)
    }

    fn op(&mut self, node: Node) -> &mut sys::shim_item_op_t {
        &mut self.steps.ops[node.0 as usize]
    }

    /// Gives step `node` the text `text` (NULs shown as U+2400, as the
    /// single wrappers show them).
    fn set_step_text(&mut self, node: Node, text: Text<'_>) {
        let text = text.shown();
        let texts = &mut self.steps.texts;
        self.steps.at[node.0 as usize] = texts.len() as u32;
        texts.extend_from_slice(text.as_bytes());
        texts.push(0);
        // The label is printed with "%.*s": a length past c_int's would
        // only be shortened.
        self.op(node).text_len = c_int::try_from(text.len()).unwrap_or(c_int::MAX);
    }

    /// `Tree::add_item`.
    pub(crate) fn add_item(&mut self, parent: Node, hf: HfId, start: i32, len: i32, encoding: u32) -> Node {
        let node = self.push(sys::SHIM_OP_ITEM, parent, hf.get(), start, len, 0);
        self.op(node).encoding = encoding;
        node
    }

    /// `Tree::add_item_text`: `add_item` with the item's whole label
    /// (None: Wireshark's own), marked generated if `generated`.
    // The arguments are the epan call's, one for one.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add_item_text(&mut self, parent: Node, hf: HfId, start: i32, len: i32, encoding: u32, text: Option<Text<'_>>, generated: bool) -> Node {
        let node = self.add_item(parent, hf, start, len, encoding);
        if let Some(text) = text {
            self.set_step_text(node, text);
        }
        if generated {
            self.set_generated(node);
        }
        node
    }

    /// `Tree::add_protocol_text`, in the batch's tree.
    pub(crate) fn add_protocol_text(&mut self, proto: Protocol, start: i32, len: i32, text: Option<Text<'_>>) -> Node {
        let node = self.push(sys::SHIM_OP_ITEM, Node::TREE, proto.0, start, len, 0);
        self.op(node).encoding = sys::ENC_NA;
        if let Some(text) = text {
            self.set_step_text(node, text);
        }
        node
    }

    /// FT_UINT8..32, FT_FRAMENUM with a given value.
    pub(crate) fn add_uint(&mut self, parent: Node, hf: HfId, start: i32, len: i32, value: u32) -> Node {
        self.push(sys::SHIM_OP_UINT, parent, hf.get(), start, len, value.into())
    }

    /// 64-bit unsigned field with a given value.
    pub(crate) fn add_uint64(&mut self, parent: Node, hf: HfId, start: i32, len: i32, value: u64) -> Node {
        self.push(sys::SHIM_OP_UINT64, parent, hf.get(), start, len, value)
    }

    /// FT_INT8..32 with a given value.
    pub(crate) fn add_int(&mut self, parent: Node, hf: HfId, start: i32, len: i32, value: i32) -> Node {
        self.push(sys::SHIM_OP_INT, parent, hf.get(), start, len, i64::from(value) as u64)
    }

    /// 64-bit signed field with a given value.
    pub(crate) fn add_int64(&mut self, parent: Node, hf: HfId, start: i32, len: i32, value: i64) -> Node {
        self.push(sys::SHIM_OP_INT64, parent, hf.get(), start, len, value as u64)
    }

    /// FT_BOOLEAN with a given value.
    pub(crate) fn add_boolean(&mut self, parent: Node, hf: HfId, start: i32, len: i32, value: bool) -> Node {
        self.push(sys::SHIM_OP_BOOLEAN, parent, hf.get(), start, len, value.into())
    }

    /// FT_ABSOLUTE_TIME from whole seconds since the epoch.
    pub(crate) fn add_time_secs(&mut self, parent: Node, hf: HfId, start: i32, len: i32, secs: i64) -> Node {
        self.push(sys::SHIM_OP_TIME_SECS, parent, hf.get(), start, len, secs as u64)
    }

    /// FT_IPv4 from an address in host byte order.
    pub(crate) fn add_ipv4(&mut self, parent: Node, hf: HfId, start: i32, len: i32, addr: u32) -> Node {
        self.push(sys::SHIM_OP_IPV4, parent, hf.get(), start, len, addr.into())
    }

    /// FT_RELATIVE_TIME from nanoseconds.
    pub(crate) fn add_relative_time(&mut self, parent: Node, hf: HfId, start: i32, len: i32, ns: i64) -> Node {
        self.push(sys::SHIM_OP_RELTIME, parent, hf.get(), start, len, ns as u64)
    }

    /// FT_STRING with a given value (copied by Wireshark).
    pub(crate) fn add_string<'t>(&mut self, parent: Node, hf: HfId, start: i32, len: i32, value: impl Into<Text<'t>>) -> Node {
        let node = self.push(sys::SHIM_OP_STRING, parent, hf.get(), start, len, 0);
        self.set_step_text(node, value.into());
        node
    }

    /// A text-only item with a subtree under it (`Tree::add_subtree`).
    pub(crate) fn add_subtree(&mut self, parent: Node, start: i32, len: i32, ett: EttId, text: &str) -> Node {
        let node = self.push(sys::SHIM_OP_SUBTREE, parent, -1, start, len, 0);
        self.op(node).ett = ett.get();
        self.set_step_text(node, text.into());
        node
    }

    /// Replaces the label of `node`'s item with `text`.
    pub(crate) fn set_text(&mut self, node: Node, text: &str) {
        self.op(node).flags &= !(sys::SHIM_OP_APPEND as c_int);
        self.set_step_text(node, text.into());
    }

    /// Appends `text` to Wireshark's label of `node`'s item.
    pub(crate) fn append_text(&mut self, node: Node, text: &str) {
        self.op(node).flags |= sys::SHIM_OP_APPEND as c_int;
        self.set_step_text(node, text.into());
    }

    /// Marks `node`'s item generated.
    pub(crate) fn set_generated(&mut self, node: Node) {
        self.op(node).flags |= sys::SHIM_OP_GENERATED as c_int;
    }

    /// Hides `node`'s item.
    pub(crate) fn set_hidden(&mut self, node: Node) {
        self.op(node).flags |= sys::SHIM_OP_HIDDEN as c_int;
    }

    /// Gives `node`'s item a subtree of type `ett`.
    pub(crate) fn add_subtree_to(&mut self, node: Node, ett: EttId) {
        self.op(node).ett = ett.get();
    }

    /// The steps queued so far, in order (for the record, `plugin::record`).
    pub(crate) fn queued(&self) -> impl ExactSizeIterator<Item = Queued<'_>> + '_ {
        let steps = &*self.steps;
        steps.ops.iter().zip(&steps.at).map(move |(op, &at)| {
            let text = (at != NO_TEXT).then(|| &steps.texts[at as usize..at as usize + op.text_len.max(0) as usize]);
            let what = match op.kind as u32 {
                sys::SHIM_OP_ITEM => What::Item { encoding: op.encoding },
                sys::SHIM_OP_STRING => What::String,
                sys::SHIM_OP_UINT | sys::SHIM_OP_UINT64 => What::Uint,
                sys::SHIM_OP_INT | sys::SHIM_OP_INT64 => What::Int,
                sys::SHIM_OP_BOOLEAN => What::Boolean,
                sys::SHIM_OP_TIME_SECS => What::TimeSecs,
                sys::SHIM_OP_IPV4 => What::Ipv4,
                sys::SHIM_OP_RELTIME => What::RelativeTime,
                sys::SHIM_OP_SUBTREE => What::Subtree,
                _ => What::Expert { ei: op.ei },
            };
            let flag = |f: u32| op.flags & f as c_int != 0;
            Queued {
                what,
                parent: usize::try_from(op.parent).ok(),
                hf: op.hf,
                start: op.start,
                len: op.length,
                value: op.value,
                text,
                generated: flag(sys::SHIM_OP_GENERATED),
                hidden: flag(sys::SHIM_OP_HIDDEN),
                append: flag(sys::SHIM_OP_APPEND),
            }
        })
    }

    /// Expert info `ei` on `node`'s item (text None: the registered
    /// summary).
    pub(crate) fn expert(&mut self, node: Node, ei: EiId, text: Option<&str>) {
        let step = self.push(sys::SHIM_OP_EXPERT, node, -1, 0, 0, 0);
        self.op(step).ei = ei.as_ptr();
        if let Some(text) = text {
            self.set_step_text(step, text.into());
        }
    }

    /// Runs the queued steps (see the module's documentation); then
    /// [`Batch::tree`] gives the subtrees they made.
    pub(crate) fn flush(&mut self) -> EpanResult<()> {
        let steps = &mut *self.steps;
        let n = steps.ops.len();
        // The texts are all written: their addresses hold until the next batch.
        for (op, &at) in steps.ops.iter_mut().zip(&steps.at) {
            if at != NO_TEXT {
                op.text = steps.texts[at as usize..].as_ptr().cast();
            }
        }
        steps.items.clear();
        steps.items.resize(n, ptr::null_mut());
        steps.trees.clear();
        steps.trees.resize(n, ptr::null_mut());
        let Ok(count) = c_int::try_from(n) else { unreachable!("a message has fewer steps than c_int holds") };
        let mut done: c_int = 0;
        let pkt = self.pkt;
        let result = shim(|e| {
            // SAFETY: tree NULL or valid for 'a, tvb and pinfo valid for the
            // dissection (the Packet's invariant); `ops` holds `count` steps
            // whose parents are earlier steps (checked in `push`), whose
            // texts point into `texts` (NUL-terminated, unchanged until the
            // call returns) and whose hf, ett and ei are registered;
            // `items` and `trees` have `count` slots; exceptions are caught
            // by the shim.
            unsafe {
                sys::shim_tree_add_batch(
                    pkt.tree.as_ptr(),
                    pkt.pinfo.as_ptr(),
                    pkt.tvb.as_ptr(),
                    steps.ops.as_ptr(),
                    count,
                    steps.items.as_mut_ptr(),
                    steps.trees.as_mut_ptr(),
                    &mut done,
                    e,
                )
            }
        });
        steps.done = done.clamp(0, count) as usize;
        result
    }

    /// The subtree of `node` (the batch's tree for [`Node::TREE`]; NULL
    /// before it was added, or without one).
    pub(crate) fn tree(&self, node: Node) -> Tree<'a> {
        if node == Node::TREE {
            return self.pkt.tree;
        }
        let p = if (node.0 as usize) < self.steps.done { self.steps.trees[node.0 as usize] } else { ptr::null_mut() };
        // SAFETY: a subtree epan made in this packet's tree (or NULL).
        unsafe { Tree::from_raw(p) }
    }
}
