/*
 * shim_export.c - see shim_export.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "shim_export.h"
#include "shim_guard.h"

#include <string.h>

#include <epan/to_str.h>
#include <epan/export_object.h>
#include <epan/tap.h>

/* One frame's bytes of one object, in the packet's pool. */
typedef struct export_chunk {
    guint32 key;
    gint64 size;
    const char *name;
    const char *complete_type;
    const char *incomplete_type;
    const char *incomplete_suffix;
    char *host;
    const guint8 *data;
    guint len;
} export_chunk_t;

/* Object key -> row + 1 in the export list (one list at a time, as for
 * ftp-data: the reset callback empties it when the list is reset). */
static GHashTable *rows;
static guint row_count;

static void
export_reset(void)
{
    if (rows) {
        g_hash_table_destroy(rows);
        rows = NULL;
    }
    row_count = 0;
}

/* The name and content type an entry shows for the bytes it holds. */
static void
export_label(export_object_entry_t *entry, const export_chunk_t *c)
{
    gboolean short_of = c->size >= 0 && (guint64)entry->payload_len < (guint64)c->size;
    g_free(entry->content_type);
    g_free(entry->filename);
    entry->content_type = g_strdup(short_of ? c->incomplete_type : c->complete_type);
    entry->filename = short_of ? g_strconcat(c->name, c->incomplete_suffix, NULL)
                               : g_strdup(c->name);
}

static tap_packet_status
export_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_,
              const void *data, tap_flags_t flags _U_)
{
    export_object_list_t *list = (export_object_list_t *)tapdata;
    const export_chunk_t *c = (const export_chunk_t *)data;
    export_object_entry_t *entry = NULL;
    if (!c)
        return TAP_PACKET_DONT_REDRAW;
    if (!rows)
        rows = g_hash_table_new(g_direct_hash, g_direct_equal);
    guint row = GPOINTER_TO_UINT(g_hash_table_lookup(rows, GUINT_TO_POINTER(c->key)));
    if (row != 0 && list->get_entry)
        entry = list->get_entry(list->gui_data, (int)(row - 1));
    if (entry) {
        entry->payload_data = (guint8 *)g_realloc(entry->payload_data, entry->payload_len + c->len);
        memcpy(entry->payload_data + entry->payload_len, c->data, c->len);
        entry->payload_len += c->len;
        export_label(entry, c);
        return TAP_PACKET_REDRAW;
    }
    entry = g_new0(export_object_entry_t, 1);
    entry->pkt_num = pinfo->num;
    entry->hostname = g_strdup(c->host);
    entry->payload_len = c->len;
    entry->payload_data = (guint8 *)g_memdup2(c->data, c->len);
    export_label(entry, c);
    g_hash_table_insert(rows, GUINT_TO_POINTER(c->key), GUINT_TO_POINTER(++row_count));
    list->add_entry(list->gui_data, entry);
    return TAP_PACKET_REDRAW;
}

int
shim_export_register(int proto)
{
    return register_export_object(proto, export_packet, export_reset);
}

static void
export_queue(int tap_id, packet_info *pinfo, tvbuff_t *tvb, guint32 key,
             const char *name, gint64 size, const char *complete_type,
             const char *incomplete_type, const char *incomplete_suffix)
{
    wmem_allocator_t *pool = pinfo->pool;
    export_chunk_t *c = wmem_new0(pool, export_chunk_t);
    c->key = key;
    c->size = size;
    c->name = wmem_strdup(pool, name);
    c->complete_type = wmem_strdup(pool, complete_type);
    c->incomplete_type = wmem_strdup(pool, incomplete_type);
    c->incomplete_suffix = wmem_strdup(pool, incomplete_suffix);
    c->host = address_to_str(pool, &pinfo->src);
    c->len = tvb_captured_length(tvb);
    c->data = (const guint8 *)tvb_memdup(pool, tvb, 0, c->len);
    tap_queue_packet(tap_id, pinfo, c);
}

int
shim_export_queue(int tap_id, packet_info *pinfo, tvbuff_t *tvb, guint32 key,
                   const char *name, gint64 size, const char *complete_type,
                   const char *incomplete_type, const char *incomplete_suffix,
                   shim_exc_t *err)
{
    if (!have_tap_listener(tap_id)) {
        shim_exc_clear(err);
        return SHIM_OK;
    }
    GUARDED(err, export_queue(tap_id, pinfo, tvb, key, name, size,
                              complete_type, incomplete_type,
                              incomplete_suffix));
}
