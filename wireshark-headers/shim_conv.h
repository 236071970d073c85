/*
 * shim_conv.h - secondary conversations (an address and port that a
 * message announces, as FTP's PASV does) and the file-scoped state kept
 * for them.  Same conventions as shim.h: calls that may throw run
 * inside TRY/CATCH and return 0 or the exception code.
 *
 * Everything allocated here is in wmem_file_scope(): it goes when the
 * capture file is closed, and it is written on the first pass only (the
 * callers check the frame's visited flag), so one pass, two passes and
 * the GUI read the same values.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SHIM_CONV_H
#define SHIM_CONV_H

#include "shim.h"

/* Conversation data of an announced conversation (file scope). */
typedef struct shim_conv_data {
    guint32 setup_frame;   /* the frame that announced it */
    gint32 tag;            /* what it carries, as the caller names it */
    gint64 length;         /* a length the announcement gave; -1 none */
    char *name;            /* NUL-terminated UTF-8, or NULL (none) */
    guint64 bytes_seen;    /* bytes the caller counted so far (first pass) */
    guint32 last_frame;    /* last frame with bytes counted (first pass) */
} shim_conv_data_t;

/* Per-frame record of the bytes a conversation carried (file scope). */
typedef struct shim_frame_bytes {
    guint64 before;        /* bytes seen before this frame's */
    guint64 after;         /* ... and with them */
} shim_frame_bytes_t;

/*
 * Announces ip:port (IPv4 in host byte order) over TCP (udp == 0) or UDP,
 * any peer address and port: a conversation set up in this frame, with
 * `handle` as its dissector and a new shim_conv_data_t (tag, name copied,
 * length) as its data under `key` (a protocol id).  With keep_earlier, an
 * earlier announcement of the same endpoint with the same tag is kept
 * (out receives it); without, the announcement starts a new conversation
 * (new traffic on the same port), or takes over the data of the earlier
 * one (setup frame, name, length) when no traffic reached that one yet.
 */
int shim_conv_announce(packet_info *pinfo, int udp, guint32 ip_host,
                        guint16 port, dissector_handle_t handle, int key,
                        gint32 tag, int keep_earlier, const char *name,
                        gint64 length, shim_conv_data_t **out,
                        shim_exc_t *err);

/* The data under `key` of this packet's conversation, or NULL. */
int shim_conv_lookup(packet_info *pinfo, int key, shim_conv_data_t **out,
                      shim_exc_t *err);

/* Per-frame data (file scope) under (key, 0): get, or add a new zeroed one. */
shim_frame_bytes_t *shim_frame_bytes_get(packet_info *pinfo, int key);
int shim_frame_bytes_add(packet_info *pinfo, int key,
                          shim_frame_bytes_t **out, shim_exc_t *err);

#endif
