/*
 * shim.c - the only place where the plugin uses Wireshark's
 * TRY/CATCH exception macros.  See shim.h for the conventions.
 *
 * Every wrapper below is "do the one epan call inside TRY, turn whatever
 * exception comes out of it into a return code".  No wrapper lets an
 * exception leave it, so Rust never has a longjmp go through its frames.
 *
 * Variables are written either before TRY or through out-pointers inside
 * it (memory, not registers), so nothing is clobbered by the longjmp.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "shim.h"
#include "shim_guard.h"

#include <string.h>

#include <epan/epan_dissect.h>
#include <epan/exceptions.h>
#include <epan/show_exception.h>
#include <epan/conversation.h>
#include <epan/dissectors/packet-tcp.h>

void
shim_exc_clear(shim_exc_t *err)
{
    if (err) {
        err->code = SHIM_OK;
        err->message[0] = '\0';
    }
}

int
shim_exc_record(except_t *e, shim_exc_t *err)
{
    int code = (int)e->except_id.except_code;
    if (code == SHIM_OK)
        code = -1; /* never report a caught exception as success */
    if (err) {
        const char *msg = except_message(e);
        err->code = code;
        if (msg)
            g_strlcpy(err->message, msg, sizeof err->message);
        else
            err->message[0] = '\0';
    }
    return code;
}

#define SET_OUT(out, value) do { if (out) *(out) = (value); } while (0)

/* ---- tvb -------------------------------------------------------------- */

int
shim_tvb_get_ptr(tvbuff_t *tvb, gint offset, gint length,
                  const guint8 **out, shim_exc_t *err)
{
    guint captured = tvb_captured_length(tvb);
    SET_OUT(out, NULL);
    /* Within the captured bytes tvb_get_ptr throws nothing (its checks
     * pass, and a composite or subset tvb reads bytes its parts hold): no
     * TRY, whose setjmp costs more than the call. It runs once or twice a
     * message. */
    if (offset >= 0 && length >= 0 && (guint)offset <= captured
        && (guint)length <= captured - (guint)offset) {
        SET_OUT(out, tvb_get_ptr(tvb, offset, length));
        return SHIM_OK;
    }
    GUARDED(err, SET_OUT(out, tvb_get_ptr(tvb, offset, length)));
}

int
shim_tvb_get_string(tvbuff_t *tvb, gint offset, gint length, guint encoding,
                     const guint8 **out, shim_exc_t *err)
{
    SET_OUT(out, NULL);
    /* The NULL allocator (g_malloc): wmem_packet_scope() is gone in 4.6, and
     * the caller copies the text at once and frees it with shim_string_free. */
    GUARDED(err, SET_OUT(out, tvb_get_string_enc(NULL, tvb,
                                                  offset, length, encoding)));
}

void
shim_string_free(const guint8 *s)
{
    wmem_free(NULL, (void *)s);
}

/* ---- proto tree --------------------------------------------------------- */

int
shim_tree_add_item(proto_tree *tree, int hf, tvbuff_t *tvb, gint start,
                    gint length, guint encoding, proto_item **out,
                    shim_exc_t *err)
{
    SET_OUT(out, NULL);
    GUARDED(err, SET_OUT(out, proto_tree_add_item(tree, hf, tvb, start, length,
                                                  encoding)));
}

int
shim_tree_add_uint(proto_tree *tree, int hf, tvbuff_t *tvb, gint start,
                    gint length, guint32 value, proto_item **out,
                    shim_exc_t *err)
{
    SET_OUT(out, NULL);
    GUARDED(err, SET_OUT(out, proto_tree_add_uint(tree, hf, tvb, start, length,
                                                  value)));
}

int
shim_tree_add_uint64(proto_tree *tree, int hf, tvbuff_t *tvb, gint start,
                      gint length, guint64 value, proto_item **out,
                      shim_exc_t *err)
{
    SET_OUT(out, NULL);
    GUARDED(err, SET_OUT(out, proto_tree_add_uint64(tree, hf, tvb, start,
                                                    length, value)));
}

int
shim_tree_add_int64(proto_tree *tree, int hf, tvbuff_t *tvb, gint start,
                     gint length, gint64 value, proto_item **out,
                     shim_exc_t *err)
{
    SET_OUT(out, NULL);
    GUARDED(err, SET_OUT(out, proto_tree_add_int64(tree, hf, tvb, start,
                                                   length, value)));
}

/* ---- proto item --------------------------------------------------------- */

int
shim_item_add_subtree(proto_item *item, gint ett, proto_tree **out,
                       shim_exc_t *err)
{
    /* Sets the item's subtree type: it throws only on an ett index that was
     * never registered (DISSECTOR_ASSERT), and the caller passes registered
     * ones only, so no TRY, whose setjmp would cost more than the call. */
    (void)err;
    SET_OUT(out, proto_item_add_subtree(item, ett));
    return 0;
}

int
shim_item_append_text(proto_item *item, const char *text, shim_exc_t *err)
{
    GUARDED(err, proto_item_append_text(item, "%s", text));
}

void
shim_item_set_generated(proto_item *item)
{
    /* Sets a flag bit of the item (NULL: nothing): cannot throw, so no TRY,
     * whose setjmp would cost more than the call. */
    proto_item_set_generated(item);
}

int
shim_tree_visible(proto_tree *tree)
{
    /* Only a visible tree keeps labels: on another (NULL, or tshark's tree
     * for filters and fields alone) proto_item_set_text, append_text and
     * the _format adders return before formatting. */
    return tree != NULL && PTREE_DATA(tree)->visible;
}

int
shim_field_is_referenced(proto_tree *tree, int hf)
{
    /* Reads the field's reference flags; it throws only for an hf that was
     * never registered (PROTO_REGISTRAR_GET_NTH's assertion), and the
     * plugin passes registered ones only: no TRY. */
    return proto_field_is_referenced(tree, hf) ? 1 : 0;
}

/* ---- a message's items in one call -------------------------------------- */

/* One step of shim_tree_add_batch; throws as the epan calls it makes. */
static void
batch_step(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb,
           const shim_item_op_t *op, proto_item **items, proto_tree **trees,
           gint i)
{
    proto_tree *parent = op->parent < 0 ? tree : trees[op->parent];
    proto_item *pi = NULL;
    proto_tree *sub = NULL;
    nstime_t t;
    int labelled = 1;

    switch (op->kind) {
    case SHIM_OP_ITEM:
        pi = proto_tree_add_item(parent, op->hf, tvb, op->start, op->length,
                                 op->encoding);
        break;
    case SHIM_OP_STRING:
        pi = proto_tree_add_string(parent, op->hf, tvb, op->start, op->length,
                                   op->text);
        labelled = 0;
        break;
    case SHIM_OP_UINT:
        pi = proto_tree_add_uint(parent, op->hf, tvb, op->start, op->length,
                                 (guint32)op->value);
        break;
    case SHIM_OP_UINT64:
        pi = proto_tree_add_uint64(parent, op->hf, tvb, op->start, op->length,
                                   op->value);
        break;
    case SHIM_OP_INT:
        pi = proto_tree_add_int(parent, op->hf, tvb, op->start, op->length,
                                (gint32)(gint64)op->value);
        break;
    case SHIM_OP_INT64:
        pi = proto_tree_add_int64(parent, op->hf, tvb, op->start, op->length,
                                  (gint64)op->value);
        break;
    case SHIM_OP_BOOLEAN:
        pi = proto_tree_add_boolean(parent, op->hf, tvb, op->start,
                                    op->length, op->value);
        break;
    case SHIM_OP_TIME_SECS:
        t.secs = (time_t)(gint64)op->value;
        t.nsecs = 0;
        pi = proto_tree_add_time(parent, op->hf, tvb, op->start, op->length,
                                 &t);
        break;
    case SHIM_OP_IPV4:
        /* proto_tree_add_ipv4 takes the address in network byte order. */
        pi = proto_tree_add_ipv4(parent, op->hf, tvb, op->start, op->length,
                                 g_htonl((guint32)op->value));
        break;
    case SHIM_OP_RELTIME:
        /* As shim_tree_add_relative_time. */
        t.secs = (time_t)((gint64)op->value / 1000000000);
        t.nsecs = (int)((gint64)op->value % 1000000000);
        pi = proto_tree_add_time(parent, op->hf, tvb, op->start, op->length,
                                 &t);
        break;
    case SHIM_OP_SUBTREE:
        sub = proto_tree_add_subtree(parent, tvb, op->start, op->length,
                                     op->ett, &pi, op->text);
        labelled = 0;
        break;
    case SHIM_OP_EXPERT:
        pi = op->parent < 0 ? NULL : items[op->parent];
        if (op->text)
            expert_add_info_format(pinfo, pi, op->ei, "%s", op->text);
        else
            expert_add_info(pinfo, pi, op->ei);
        /* The step made no item. */
        items[i] = NULL;
        trees[i] = NULL;
        return;
    default:
        DISSECTOR_ASSERT_NOT_REACHED();
    }
    /* Set, not appended, where the caller can: proto_item_append_text
     * would first fill the default label (proto_item_fill_label), the
     * costly part. On a tree nobody sees, neither writes anything. */
    if (labelled && op->text) {
        if (op->flags & SHIM_OP_APPEND)
            proto_item_append_text(pi, "%.*s", (int)op->text_len, op->text);
        else
            proto_item_set_text(pi, "%.*s", (int)op->text_len, op->text);
    }
    if (op->flags & SHIM_OP_GENERATED)
        proto_item_set_generated(pi);
    if (op->flags & SHIM_OP_HIDDEN)
        proto_item_set_hidden(pi);
    if (sub == NULL && op->ett >= 0)
        sub = proto_item_add_subtree(pi, op->ett);
    items[i] = pi;
    trees[i] = sub;
}

int
shim_tree_add_batch(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb,
                    const shim_item_op_t *ops, gint n, proto_item **items,
                    proto_tree **trees, gint *done, shim_exc_t *err)
{
    /* *done is written through its pointer (memory) at each step, so it
     * holds the count of completed steps when an exception lands in
     * CATCH_ALL. */
    *done = 0;
    GUARDED(err, for (gint i = 0; i < n; i++) {
                     batch_step(tree, pinfo, tvb, &ops[i], items, trees, i);
                     *done = i + 1;
                 });
}

/* ---- expert info ------------------------------------------------------- */

int
shim_expert_add_info(packet_info *pinfo, proto_item *item, expert_field *ei,
                      const char *text, shim_exc_t *err)
{
    if (text)
        GUARDED(err, expert_add_info_format(pinfo, item, ei, "%s", text));
    else
        GUARDED(err, expert_add_info(pinfo, item, ei));
}

int
shim_tree_add_expert(proto_tree *tree, packet_info *pinfo, expert_field *ei,
                      tvbuff_t *tvb, gint start, gint length, const char *text,
                      proto_item **out, shim_exc_t *err)
{
    SET_OUT(out, NULL);
    if (text)
        GUARDED(err, SET_OUT(out, proto_tree_add_expert_format(
                    tree, pinfo, ei, tvb, start, length, "%s", text)));
    else
        GUARDED(err, SET_OUT(out, proto_tree_add_expert(
                    tree, pinfo, ei, tvb, start, length)));
}

/* ---- columns ----------------------------------------------------------- */

int
shim_col_set(packet_info *pinfo, gint col, const char *text, shim_exc_t *err)
{
    GUARDED(err, col_add_str(pinfo->cinfo, col, text));
}

int
shim_col_append(packet_info *pinfo, gint col, const char *text,
                 shim_exc_t *err)
{
    GUARDED(err, col_append_str(pinfo->cinfo, col, text));
}

int
shim_col_rewrite(packet_info *pinfo, gint col, const char *text,
                  shim_exc_t *err)
{
    GUARDED(err, col_clear_fence(pinfo->cinfo, col);
                 col_add_str(pinfo->cinfo, col, text));
}

const char *
shim_col_get(packet_info *pinfo, gint col)
{
    /* col_get_text only reads; it does not throw. */
    return pinfo->cinfo ? col_get_text(pinfo->cinfo, col) : NULL;
}

int
shim_col_text_is(packet_info *pinfo, gint col, const char *text)
{
    /* col_get_text only reads; it does not throw. */
    const gchar *t = pinfo->cinfo ? col_get_text(pinfo->cinfo, col) : NULL;
    return t != NULL && strcmp(t, text) == 0;
}

/* ---- calling other dissectors, TCP framing ------------------------------ */

int
shim_tcp_dissect_pdus(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                       gboolean desegment, guint fixed_len,
                       shim_get_pdu_len_fn get_pdu_len,
                       dissector_t dissect_pdu, void *data, shim_exc_t *err)
{
    GUARDED(err, tcp_dissect_pdus(tvb, pinfo, tree, desegment, fixed_len,
                                  get_pdu_len, dissect_pdu, data));
}

int
shim_show_exception(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                     int code, const char *message, shim_exc_t *err)
{
    GUARDED(err, show_exception(tvb, pinfo, tree, (unsigned long)code,
                                (message && message[0]) ? message : NULL));
}

/* ---- conversation ------------------------------------------------------ */

int
shim_conversation_set_dissector(packet_info *pinfo, dissector_handle_t handle,
                                 shim_exc_t *err)
{
    GUARDED(err, conversation_set_dissector(find_or_create_conversation(pinfo),
                                            handle));
}

/* ---- analysis across messages ------------------------------------------- */

/* FNV-1a over an endpoint: its address bytes and port. */
static guint64
endpoint_hash(guint64 h, const address *a, guint32 port)
{
    const guint8 *b = (const guint8 *)a->data;
    for (int i = 0; i < a->len; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    h = (h ^ (guint64)a->type) * 1099511628211ULL;
    return (h ^ port) * 1099511628211ULL;
}

guint64
shim_conversation_key(packet_info *pinfo, int *src_first_out)
{
    /* Both directions alike: the endpoints in a fixed order (address, then
     * port). Read only: no conversation is created, so none shadows the
     * wildcard ones that announced addresses set up. */
    int c = cmp_address(&pinfo->src, &pinfo->dst);
    int src_first = c < 0 || (c == 0 && pinfo->srcport <= pinfo->destport);
    *src_first_out = src_first;
    guint64 h = (14695981039346656037ULL ^ (guint64)pinfo->ptype) * 1099511628211ULL;
    if (src_first) {
        h = endpoint_hash(h, &pinfo->src, pinfo->srcport);
        h = endpoint_hash(h, &pinfo->dst, pinfo->destport);
    } else {
        h = endpoint_hash(h, &pinfo->dst, pinfo->destport);
        h = endpoint_hash(h, &pinfo->src, pinfo->srcport);
    }
    return h;
}

guint32
shim_frame_number(packet_info *pinfo)
{
    return pinfo->num;
}

int
shim_frame_visited(packet_info *pinfo)
{
    /* fd->visited is a bit-field: read here, where C knows its layout. */
    return pinfo->fd->visited ? 1 : 0;
}

void
shim_frame_time(packet_info *pinfo, gint64 *secs, gint32 *nsecs)
{
    *secs = (gint64)pinfo->abs_ts.secs;
    *nsecs = (gint32)pinfo->abs_ts.nsecs;
}

static int
add_string(proto_tree *tree, int hf, tvbuff_t *tvb, gint start, gint length,
           const char *value, proto_item **out, shim_exc_t *err)
{
    SET_OUT(out, NULL);
    GUARDED(err, SET_OUT(out, proto_tree_add_string(tree, hf, tvb, start,
                                                    length, value)));
}

int
shim_tree_add_string(proto_tree *tree, int hf, tvbuff_t *tvb, gint start,
                      gint length, const char *value, gint value_len,
                      proto_item **out, shim_exc_t *err)
{
    /* Terminated here, on the stack for the usual short value, so that the
     * caller needs no C string of its own (Wireshark copies it). */
    char buf[256];
    char *v = (gsize)value_len < sizeof buf ? buf : g_malloc((gsize)value_len + 1);
    int rc;

    memcpy(v, value, (gsize)value_len);
    v[value_len] = '\0';
    rc = add_string(tree, hf, tvb, start, length, v, out, err);
    if (v != buf)
        g_free(v);
    return rc;
}

#ifdef SHIM_WS_FIELD_VALUE_PTR
#define SHIM_FIELD_VALUE(fi) ((fi)->value)
#else
#define SHIM_FIELD_VALUE(fi) (&(fi)->value)
#endif

int
shim_tree_first_uint(epan_dissect_t *edt, const char *field, guint32 *out)
{
    if (edt == NULL || edt->tree == NULL)
        return 0;
    int hf = proto_registrar_get_id_byname(field);
    if (hf < 0)
        return 0;
    GPtrArray *found = proto_find_first_finfo(edt->tree, hf);
    int ok = found != NULL && found->len > 0;
    if (ok)
        *out = fvalue_get_uinteger(
            SHIM_FIELD_VALUE((field_info *)g_ptr_array_index(found, 0)));
    if (found != NULL)
        g_ptr_array_free(found, TRUE);
    return ok;
}

int
shim_packet_first_uint(packet_info *pinfo, const char *field, guint32 *out)
{
    if (pinfo == NULL)
        return 0;
    epan_dissect_t *edt = (epan_dissect_t *)(void *)
        ((char *)pinfo - offsetof(epan_dissect_t, pi));
    return shim_tree_first_uint(edt, field, out);
}
