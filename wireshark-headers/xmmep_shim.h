/*
 * xmmep_shim.h - C wrappers that keep Wireshark exceptions out of Rust.
 *
 * Wireshark reports errors (tvb access out of range, bad item lengths,
 * dissector assertions) by longjmp.  A longjmp across Rust frames is
 * undefined behaviour, so every epan call that may throw is made here,
 * inside TRY { } CATCH_ALL { } ENDTRY, and turned into a return code.
 *
 * Convention: every wrapper returns 0 (XMMEP_OK) on success, or the
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
#ifndef XMMEP_SHIM_H
#define XMMEP_SHIM_H

#include <epan/packet.h>
#include <epan/proto.h>
#include <epan/expert.h>

#define XMMEP_OK 0
#define XMMEP_EXC_MSG_LEN 256

typedef struct xmmep_exc {
    int code;                          /* 0, or the caught exception code */
    char message[XMMEP_EXC_MSG_LEN];   /* NUL-terminated, possibly empty */
} xmmep_exc_t;

/* ---- tvb -------------------------------------------------------------- */
int xmmep_tvb_get_ptr(tvbuff_t *tvb, gint offset, gint length,
                      const guint8 **out, xmmep_exc_t *err);
/* tvb_get_string_enc in packet scope: Wireshark's own conversion of
 * `length` bytes in `encoding` to UTF-8 (invalid sequences replaced). */
int xmmep_tvb_get_string(tvbuff_t *tvb, gint offset, gint length,
                         guint encoding, const guint8 **out, xmmep_exc_t *err);
/* Frees a string returned by xmmep_tvb_get_string. */
void xmmep_string_free(const guint8 *s);

/* ---- proto tree --------------------------------------------------------- */
int xmmep_tree_add_item(proto_tree *tree, int hf, tvbuff_t *tvb, gint start,
                        gint length, guint encoding, proto_item **out,
                        xmmep_exc_t *err);
int xmmep_tree_add_uint(proto_tree *tree, int hf, tvbuff_t *tvb, gint start,
                        gint length, guint32 value, proto_item **out,
                        xmmep_exc_t *err);
int xmmep_tree_add_uint64(proto_tree *tree, int hf, tvbuff_t *tvb, gint start,
                          gint length, guint64 value, proto_item **out,
                          xmmep_exc_t *err);
int xmmep_tree_add_int(proto_tree *tree, int hf, tvbuff_t *tvb, gint start,
                       gint length, gint32 value, proto_item **out,
                       xmmep_exc_t *err);
int xmmep_tree_add_int64(proto_tree *tree, int hf, tvbuff_t *tvb, gint start,
                         gint length, gint64 value, proto_item **out,
                         xmmep_exc_t *err);
/* FT_ABSOLUTE_TIME from whole seconds since the epoch. */
int xmmep_tree_add_time_secs(proto_tree *tree, int hf, tvbuff_t *tvb, gint start,
                             gint length, gint64 secs, proto_item **out,
                             xmmep_exc_t *err);
/* FT_IPv4 from an address in host byte order (a.b.c.d = a<<24|...). */
int xmmep_tree_add_ipv4_host(proto_tree *tree, int hf, tvbuff_t *tvb, gint start,
                             gint length, guint32 addr, proto_item **out,
                             xmmep_exc_t *err);
int xmmep_tree_add_boolean(proto_tree *tree, int hf, tvbuff_t *tvb, gint start,
                           gint length, guint64 value, proto_item **out,
                           xmmep_exc_t *err);
int xmmep_tree_add_subtree(proto_tree *tree, tvbuff_t *tvb, gint start,
                           gint length, gint ett, const char *text,
                           proto_tree **out_tree, proto_item **out_item,
                           xmmep_exc_t *err);

/* ---- proto item --------------------------------------------------------- */
int xmmep_item_add_subtree(proto_item *item, gint ett, proto_tree **out,
                           xmmep_exc_t *err);
int xmmep_item_append_text(proto_item *item, const char *text,
                           xmmep_exc_t *err);
/* Sets a flag bit: no exception (item may be NULL). */
void xmmep_item_set_generated(proto_item *item);
/* proto_tree_add_item, then, with `text` (not NUL-terminated, `text_len`
 * bytes; NULL: none), the item's whole label in one go, then the flags
 * (XMMEP_ITEM_GENERATED). */
#define XMMEP_ITEM_GENERATED 1
/* Room for an item label, its NUL included (ITEM_LABEL_LENGTH). */
#define XMMEP_ITEM_LABEL_LENGTH ITEM_LABEL_LENGTH
int xmmep_tree_add_item_text(proto_tree *tree, int hf, tvbuff_t *tvb,
                             gint start, gint length, guint encoding,
                             const char *text, gint text_len, int flags,
                             proto_item **out, xmmep_exc_t *err);
/* 1 if `tree` (may be NULL) is shown, so that item labels are kept. No
 * exceptions. */
int xmmep_tree_visible(proto_tree *tree);
/* 1 if field `hf` (registered) must be added to `tree`: the tree is shown,
 * or a filter, column or -e references the field. No exceptions. */
int xmmep_field_is_referenced(proto_tree *tree, int hf);

/* ---- expert info ------------------------------------------------------- */
/* Expert info attached to `item` (may be NULL: packet-level). */
int xmmep_expert_add_info(packet_info *pinfo, proto_item *item,
                          expert_field *ei, const char *text /* NULL: summary */,
                          xmmep_exc_t *err);
/* New tree item carrying the expert info, covering start..start+length. */
int xmmep_tree_add_expert(proto_tree *tree, packet_info *pinfo,
                          expert_field *ei, tvbuff_t *tvb, gint start,
                          gint length, const char *text /* NULL: summary */,
                          proto_item **out, xmmep_exc_t *err);

/* ---- columns ----------------------------------------------------------- */
/* All copy the string (col_add_str / col_append_str semantics). */
int xmmep_col_set(packet_info *pinfo, gint col, const char *text,
                  xmmep_exc_t *err);
int xmmep_col_append(packet_info *pinfo, gint col, const char *text,
                     xmmep_exc_t *err);
/* Replaces the whole column text, fence included (copied). */
int xmmep_col_rewrite(packet_info *pinfo, gint col, const char *text,
                      xmmep_exc_t *err);
/* The column's text (NULL without columns); valid until the column changes. */
const char *xmmep_col_get(packet_info *pinfo, gint col);
/* 1 if column `col` currently reads exactly `text` (0 without columns). */
int xmmep_col_text_is(packet_info *pinfo, gint col, const char *text);

/* ---- TCP framing -------------------------------------------------------- */
typedef guint (*xmmep_get_pdu_len_fn)(packet_info *, tvbuff_t *, int, void *);

/*
 * tcp_dissect_pdus inside TRY/CATCH_ALL.  `get_pdu_len` and `dissect_pdu`
 * are Rust extern "C" functions; they must not let a panic escape and must
 * make every throwing epan call through this shim, so that no exception is
 * ever raised while a Rust frame is on the stack between this TRY and the
 * throw point.
 */
int xmmep_tcp_dissect_pdus(tvbuff_t *tvb, packet_info *pinfo,
                           proto_tree *tree, gboolean desegment,
                           guint fixed_len, xmmep_get_pdu_len_fn get_pdu_len,
                           dissector_t dissect_pdu, void *data,
                           xmmep_exc_t *err);

/* Adds Wireshark's standard "[Malformed Packet]" / exception item for a code
 * previously returned by one of the wrappers. */
int xmmep_show_exception(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                         int code, const char *message, xmmep_exc_t *err);

/* ---- conversation ------------------------------------------------------ */
int xmmep_conversation_set_dissector(packet_info *pinfo,
                                     dissector_handle_t handle,
                                     xmmep_exc_t *err);

/* ---- analysis across messages ------------------------------------------- */

/* A key of the packet's conversation (transport and both endpoints, the
 * same in both directions); *src_first: whether the source is the first
 * endpoint of the key (the direction). No exceptions; creates nothing. */
guint64 xmmep_conversation_key(packet_info *pinfo, int *src_first);
/* Frame number, whether this frame was dissected before (not the first
 * pass), and its absolute time. No exceptions. */
guint32 xmmep_frame_number(packet_info *pinfo);
int xmmep_frame_visited(packet_info *pinfo);
void xmmep_frame_time(packet_info *pinfo, gint64 *secs, gint32 *nsecs);
/* FT_RELATIVE_TIME from nanoseconds. */
int xmmep_tree_add_relative_time(proto_tree *tree, int hf, tvbuff_t *tvb,
                                 gint start, gint length, gint64 ns,
                                 proto_item **out, xmmep_exc_t *err);
/* FT_STRING with a given value: `value_len` bytes (no NUL among them, none
 * after them needed; copied). */
int xmmep_tree_add_string(proto_tree *tree, int hf, tvbuff_t *tvb, gint start,
                          gint length, const char *value, gint value_len,
                          proto_item **out, xmmep_exc_t *err);
/* Sets a flag bit: no exception (item may be NULL). */
void xmmep_item_set_hidden(proto_item *item);

#endif
