/*
 * shim.h - C wrappers that keep Wireshark exceptions out of Rust.
 *
 * Wireshark reports errors (tvb access out of range, bad item lengths,
 * dissector assertions) by longjmp.  A longjmp across Rust frames is
 * undefined behaviour, so every epan call that may throw is made here,
 * inside TRY { } CATCH_ALL { } ENDTRY, and turned into a return code.
 *
 * Convention: every wrapper returns 0 (SHIM_OK) on success, or the
 * Wireshark exception code (BoundsError = 1 ... ReassemblyError = 9, see
 * epan/exceptions.h) it caught.  If `err` is not NULL it receives the code
 * and a copy of the exception message (empty if the exception had none).
 * Results are returned through out-pointers, which may be NULL.
 *
 * Strings passed in are NUL-terminated and are copied by Wireshark (the
 * wrappers use "%s" formats, so '%' in them is never interpreted).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SHIM_H
#define SHIM_H

#include <epan/packet.h>
#include <epan/proto.h>
#include <epan/expert.h>

#define SHIM_OK 0
#define SHIM_EXC_MSG_LEN 256

typedef struct shim_exc {
    int code;                          /* 0, or the caught exception code */
    char message[SHIM_EXC_MSG_LEN];   /* NUL-terminated, possibly empty */
} shim_exc_t;

/* ---- tvb -------------------------------------------------------------- */
int shim_tvb_get_ptr(tvbuff_t *tvb, gint offset, gint length,
                      const guint8 **out, shim_exc_t *err);
/* tvb_get_string_enc in packet scope: Wireshark's own conversion of
 * `length` bytes in `encoding` to UTF-8 (invalid sequences replaced). */
int shim_tvb_get_string(tvbuff_t *tvb, gint offset, gint length,
                         guint encoding, const guint8 **out, shim_exc_t *err);
/* Frees a string returned by shim_tvb_get_string. */
void shim_string_free(const guint8 *s);

/* ---- proto tree --------------------------------------------------------- */
int shim_tree_add_item(proto_tree *tree, int hf, tvbuff_t *tvb, gint start,
                        gint length, guint encoding, proto_item **out,
                        shim_exc_t *err);
int shim_tree_add_uint(proto_tree *tree, int hf, tvbuff_t *tvb, gint start,
                        gint length, guint32 value, proto_item **out,
                        shim_exc_t *err);
int shim_tree_add_uint64(proto_tree *tree, int hf, tvbuff_t *tvb, gint start,
                          gint length, guint64 value, proto_item **out,
                          shim_exc_t *err);
int shim_tree_add_int64(proto_tree *tree, int hf, tvbuff_t *tvb, gint start,
                         gint length, gint64 value, proto_item **out,
                         shim_exc_t *err);

/* ---- proto item --------------------------------------------------------- */
int shim_item_add_subtree(proto_item *item, gint ett, proto_tree **out,
                           shim_exc_t *err);
int shim_item_append_text(proto_item *item, const char *text,
                           shim_exc_t *err);
/* Sets a flag bit: no exception (item may be NULL). */
void shim_item_set_generated(proto_item *item);
/* Room for an item label, its NUL included (ITEM_LABEL_LENGTH). */
#define SHIM_ITEM_LABEL_LENGTH ITEM_LABEL_LENGTH
/* 1 if `tree` (may be NULL) is shown, so that item labels are kept. No
 * exceptions. */
int shim_tree_visible(proto_tree *tree);
/* 1 if field `hf` (registered) must be added to `tree`: the tree is shown,
 * or a filter, column or -e references the field. No exceptions. */
int shim_field_is_referenced(proto_tree *tree, int hf);

/* ---- a message's items in one call -------------------------------------- */
/*
 * What shim_tree_add_batch adds, one descriptor an item (or expert info):
 * each step of the batch is what the single wrappers above do, and the
 * whole batch runs under one TRY, whose setjmp costs more than most of
 * the calls it guards.
 */
enum shim_op_kind {
    SHIM_OP_ITEM,       /* proto_tree_add_item with `encoding` */
    SHIM_OP_STRING,     /* FT_STRING, `text` the value (NUL-terminated) */
    SHIM_OP_UINT,       /* the value in `value` ... */
    SHIM_OP_UINT64,
    SHIM_OP_INT,        /* ... signed kinds: the bits of a gint64 */
    SHIM_OP_INT64,
    SHIM_OP_BOOLEAN,
    SHIM_OP_TIME_SECS,  /* FT_ABSOLUTE_TIME, whole seconds */
    SHIM_OP_IPV4,       /* host byte order */
    SHIM_OP_RELTIME,    /* FT_RELATIVE_TIME, nanoseconds */
    SHIM_OP_SUBTREE,    /* a text-only item (`text`) with a subtree (`ett`) */
    SHIM_OP_EXPERT      /* expert info `ei` (`text`, NULL: its summary) on
                           the item of step `parent` (-1: the packet) */
};
/* Flags of a step: after the item is added, its label is set to `text`
 * (SHIM_OP_APPEND: appended to Wireshark's label; STRING, SUBTREE and
 * EXPERT steps take `text` as their value instead), then it is marked
 * generated and hidden as flagged, then given subtree `ett` when that is
 * >= 0. A label is set whole rather than appended where it can be: append
 * first fills Wireshark's label, the costly part. */
#define SHIM_OP_GENERATED 1
#define SHIM_OP_HIDDEN 2
#define SHIM_OP_APPEND 4

typedef struct shim_item_op {
    gint kind;          /* enum shim_op_kind */
    gint flags;
    gint parent;        /* the step whose subtree is the parent; -1: `tree` */
    gint hf;
    gint ett;           /* -1: no subtree */
    gint start;
    gint length;
    guint encoding;
    guint64 value;
    const char *text;   /* NUL-terminated, or NULL */
    gint text_len;      /* its length, without the NUL */
    expert_field *ei;
} shim_item_op_t;

/*
 * Runs steps ops[0..n) in order: items[i] and trees[i] receive step i's
 * item and subtree (NULL: none). Returns 0, or the code of the exception
 * that stopped the batch; *done is the number of steps that completed
 * (the failing step's index), and `err` as for the single wrappers.
 */
int shim_tree_add_batch(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb,
                        const shim_item_op_t *ops, gint n,
                        proto_item **items, proto_tree **trees, gint *done,
                        shim_exc_t *err);

/* ---- expert info ------------------------------------------------------- */
/* Expert info attached to `item` (may be NULL: packet-level). */
int shim_expert_add_info(packet_info *pinfo, proto_item *item,
                          expert_field *ei, const char *text /* NULL: summary */,
                          shim_exc_t *err);
/* New tree item carrying the expert info, covering start..start+length. */
int shim_tree_add_expert(proto_tree *tree, packet_info *pinfo,
                          expert_field *ei, tvbuff_t *tvb, gint start,
                          gint length, const char *text /* NULL: summary */,
                          proto_item **out, shim_exc_t *err);

/* ---- columns ----------------------------------------------------------- */
/* All copy the string (col_add_str / col_append_str semantics). */
int shim_col_set(packet_info *pinfo, gint col, const char *text,
                  shim_exc_t *err);
int shim_col_append(packet_info *pinfo, gint col, const char *text,
                     shim_exc_t *err);
/* Replaces the whole column text, fence included (copied). */
int shim_col_rewrite(packet_info *pinfo, gint col, const char *text,
                      shim_exc_t *err);
/* The column's text (NULL without columns); valid until the column changes. */
const char *shim_col_get(packet_info *pinfo, gint col);
/* 1 if column `col` currently reads exactly `text` (0 without columns). */
int shim_col_text_is(packet_info *pinfo, gint col, const char *text);

/* ---- TCP framing -------------------------------------------------------- */
typedef guint (*shim_get_pdu_len_fn)(packet_info *, tvbuff_t *, int, void *);

/*
 * tcp_dissect_pdus inside TRY/CATCH_ALL.  `get_pdu_len` and `dissect_pdu`
 * are Rust extern "C" functions; they must not let a panic escape and must
 * make every throwing epan call through this shim, so that no exception is
 * ever raised while a Rust frame is on the stack between this TRY and the
 * throw point.
 */
int shim_tcp_dissect_pdus(tvbuff_t *tvb, packet_info *pinfo,
                           proto_tree *tree, gboolean desegment,
                           guint fixed_len, shim_get_pdu_len_fn get_pdu_len,
                           dissector_t dissect_pdu, void *data,
                           shim_exc_t *err);

/* Adds Wireshark's standard "[Malformed Packet]" / exception item for a code
 * previously returned by one of the wrappers. */
int shim_show_exception(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                         int code, const char *message, shim_exc_t *err);

/* ---- conversation ------------------------------------------------------ */
int shim_conversation_set_dissector(packet_info *pinfo,
                                     dissector_handle_t handle,
                                     shim_exc_t *err);

/* ---- frames and conversations, read only -------------------------------- */

/* A key of the packet's conversation (transport and both endpoints, the
 * same in both directions); *src_first: whether the source is the first
 * endpoint of the key (the direction). No exceptions; creates nothing. */
guint64 shim_conversation_key(packet_info *pinfo, int *src_first);
/* Frame number, whether this frame was dissected before (not the first
 * pass), and its absolute time. No exceptions. */
guint32 shim_frame_number(packet_info *pinfo);
int shim_frame_visited(packet_info *pinfo);
void shim_frame_time(packet_info *pinfo, gint64 *secs, gint32 *nsecs);
/* FT_STRING with a given value: `value_len` bytes (no NUL among them, none
 * after them needed; copied). */
int shim_tree_add_string(proto_tree *tree, int hf, tvbuff_t *tvb, gint start,
                          gint length, const char *value, gint value_len,
                          proto_item **out, shim_exc_t *err);
/* Sets a flag bit: no exception (item may be NULL). */

/* The first value of the unsigned integer field named `field` in the tree
 * of the dissection `edt` (NULL, or no tree: none): 1 and *out set when
 * the tree holds one, else 0.  No exception. */
int shim_tree_first_uint(epan_dissect_t *edt, const char *field,
                         guint32 *out);

/* The same in the dissection whose packet is `pinfo`: Wireshark keeps
 * every dissected packet's packet_info inside its epan_dissect_t, and
 * the GUI asks about the selected packet with that one. */
int shim_packet_first_uint(packet_info *pinfo, const char *field,
                           guint32 *out);

#endif
