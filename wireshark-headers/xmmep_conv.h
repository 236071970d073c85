/*
 * xmmep_conv.h - secondary conversations (addresses that XMMEP messages
 * announce) and the file-scoped state kept for them.  Same conventions as
 * xmmep_shim.h: calls that may throw run inside TRY/CATCH and return 0 or
 * the exception code.
 *
 * Everything allocated here is in wmem_file_scope(): it goes when the
 * capture file is closed, and it is written on the first pass only (the
 * callers check xmmep_pinfo_visited), so one pass, two passes and the GUI
 * read the same values.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef XMMEP_CONV_H
#define XMMEP_CONV_H

#include "xmmep_shim.h"

/* What an announced conversation carries. */
#define XMMEP_CONV_XMMEP 0
#define XMMEP_CONV_FILE_DATA 1

/* Conversation data of an announced conversation (file scope). */
typedef struct xmmep_conv_data {
    guint32 setup_frame;   /* the frame whose message announced it */
    gint32 kind;           /* XMMEP_CONV_XMMEP or XMMEP_CONV_FILE_DATA */
    gint64 file_size;      /* announced size; -1 unknown */
    char *file_name;       /* NUL-terminated UTF-8, or NULL (unknown) */
    guint64 bytes_seen;    /* file bytes counted so far (first pass) */
    guint32 last_frame;    /* last frame with file bytes (first pass) */
} xmmep_conv_data_t;

/* Per-frame record of a file data segment (file scope). */
typedef struct xmmep_file_frame {
    guint64 before;        /* bytes seen before this segment */
    guint64 after;         /* ... and with it */
} xmmep_file_frame_t;

/*
 * Announces ip:port (IPv4 in host byte order) over TCP (udp == 0) or UDP,
 * any peer address and port: a conversation set up in this frame, with
 * `handle` as its dissector and a new xmmep_conv_data_t (kind, file name
 * copied, size) as its data under `key` (a protocol id).  For kind
 * XMMEP_CONV_XMMEP an earlier announcement of the same endpoint is kept
 * (out receives it); a file data announcement always starts a new
 * conversation (a new transfer on the same port).
 */
int xmmep_conv_announce(packet_info *pinfo, int udp, guint32 ip_host,
                        guint16 port, dissector_handle_t handle, int key,
                        gint32 kind, const char *file_name, gint64 file_size,
                        xmmep_conv_data_t **out, xmmep_exc_t *err);

/* The data under `key` of this packet's conversation, or NULL. */
int xmmep_conv_lookup(packet_info *pinfo, int key, xmmep_conv_data_t **out,
                      xmmep_exc_t *err);

/* Per-frame data (file scope) under (key, 0): get, or add a new zeroed one. */
xmmep_file_frame_t *xmmep_file_frame_get(packet_info *pinfo, int key);
int xmmep_file_frame_add(packet_info *pinfo, int key, xmmep_file_frame_t **out,
                         xmmep_exc_t *err);

#endif
