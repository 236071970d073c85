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
int shim_tree_add_int(proto_tree *tree, int hf, tvbuff_t *tvb, gint start,
                       gint length, gint32 value, proto_item **out,
                       shim_exc_t *err);
int shim_tree_add_int64(proto_tree *tree, int hf, tvbuff_t *tvb, gint start,
                         gint length, gint64 value, proto_item **out,
                         shim_exc_t *err);
/* FT_ABSOLUTE_TIME from whole seconds since the epoch. */
int shim_tree_add_time_secs(proto_tree *tree, int hf, tvbuff_t *tvb, gint start,
                             gint length, gint64 secs, proto_item **out,
                             shim_exc_t *err);
/* FT_IPv4 from an address in host byte order (a.b.c.d = a<<24|...). */
int shim_tree_add_ipv4_host(proto_tree *tree, int hf, tvbuff_t *tvb, gint start,
                             gint length, guint32 addr, proto_item **out,
                             shim_exc_t *err);
int shim_tree_add_boolean(proto_tree *tree, int hf, tvbuff_t *tvb, gint start,
                           gint length, guint64 value, proto_item **out,
                           shim_exc_t *err);
int shim_tree_add_subtree(proto_tree *tree, tvbuff_t *tvb, gint start,
                           gint length, gint ett, const char *text,
                           proto_tree **out_tree, proto_item **out_item,
                           shim_exc_t *err);

/* ---- proto item --------------------------------------------------------- */
int shim_item_add_subtree(proto_item *item, gint ett, proto_tree **out,
                           shim_exc_t *err);
int shim_item_append_text(proto_item *item, const char *text,
                           shim_exc_t *err);
int shim_item_set_text(proto_item *item, const char *text, shim_exc_t *err);
/* Sets a flag bit: no exception (item may be NULL). */
void shim_item_set_generated(proto_item *item);
/* proto_tree_add_item, then, with `text` (not NUL-terminated, `text_len`
 * bytes; NULL: none), the item's whole label in one go, then the flags
 * (SHIM_ITEM_GENERATED). */
#define SHIM_ITEM_GENERATED 1
/* Room for an item label, its NUL included (ITEM_LABEL_LENGTH). */
#define SHIM_ITEM_LABEL_LENGTH ITEM_LABEL_LENGTH
int shim_tree_add_item_text(proto_tree *tree, int hf, tvbuff_t *tvb,
                             gint start, gint length, guint encoding,
                             const char *text, gint text_len, int flags,
                             proto_item **out, shim_exc_t *err);
/* 1 if `tree` (may be NULL) is shown, so that item labels are kept. No
 * exceptions. */
int shim_tree_visible(proto_tree *tree);
/* 1 if field `hf` (registered) must be added to `tree`: the tree is shown,
 * or a filter, column or -e references the field. No exceptions. */
int shim_field_is_referenced(proto_tree *tree, int hf);

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
/* FT_RELATIVE_TIME from nanoseconds. */
int shim_tree_add_relative_time(proto_tree *tree, int hf, tvbuff_t *tvb,
                                 gint start, gint length, gint64 ns,
                                 proto_item **out, shim_exc_t *err);
/* FT_STRING with a given value: `value_len` bytes (no NUL among them, none
 * after them needed; copied). */
int shim_tree_add_string(proto_tree *tree, int hf, tvbuff_t *tvb, gint start,
                          gint length, const char *value, gint value_len,
                          proto_item **out, shim_exc_t *err);
/* Sets a flag bit: no exception (item may be NULL). */
void shim_item_set_hidden(proto_item *item);

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
