/*
 * shim_tap.h - queueing tap records: the plugin's own records (read by
 * its statistics tree), credentials (tap "credentials", read by
 * `tshark -z credentials` and Tools > Credentials), and bytes that a
 * `tshark -z` statistic writes to standard output.
 *
 * Nothing here throws a Wireshark exception: tap_queue_packet only stores
 * a pointer, and wmem allocations abort (they do not throw) on failure.
 * The stats_tree calls the plugin makes from Rust do not throw either.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SHIM_TAP_H
#define SHIM_TAP_H

#include <stddef.h>

#include <epan/packet.h>
#include <epan/tap.h>

/*
 * Wireshark's tap_credential_t (ui/tap-credentials.h), which
 * libwireshark-dev does not install. Its layout is the same in every
 * release we support (4.0 to 4.6): guint and unsigned, gchar and char
 * are the same types.
 */
typedef struct shim_tap_credential {
    unsigned num;              /* frame of the credential */
    unsigned username_num;     /* frame of the user name */
    unsigned password_hf_id;   /* hf of the password, for the GUI */
    char *username;
    const char *proto;         /* not copied by the taps: must be static */
    char *info;
} shim_tap_credential_t;

/* 1 if some listener reads tap `tap_id` now (so a record is worth making). */
int shim_tap_listening(int tap_id);

/* Queues to tap `tap_id` a copy of `len` bytes at `data`, made in the
 * packet's pool, which lives until the taps have read it. */
void shim_tap_queue_copy(int tap_id, packet_info *pinfo, const void *data,
                          size_t len);

/* Queues to tap `tap_id`, with this packet, a credential of frame `num`
 * (the frame of the password and of the user name): copies of `username`
 * and `info` (NUL-terminated) in the packet's pool; `proto` must live for
 * the whole process. */
void shim_tap_queue_credential(int tap_id, packet_info *pinfo, unsigned num,
                                int password_hf, const char *username,
                                const char *proto, const char *info);

/* What a bytes tap (shim_tap_append_bytes) hands its listeners: the
 * bytes appended while the packet was dissected, in the packet's pool. */
typedef struct shim_tap_bytes {
    size_t len;
    size_t cap;
    guint8 *data;
} shim_tap_bytes_t;

/* Appends `len` bytes at `data` to this packet's bytes for tap `tap_id`.
 * The first append of a dissection queues them, as one tap record for the
 * whole packet (tshark keeps a few thousand queued records per packet and
 * drops the rest with a warning; a packet may hold more messages than
 * that). Nothing without a listener. */
void shim_tap_append_bytes(int tap_id, packet_info *pinfo, const void *data,
                           size_t len);

/* Registers the statistic `tshark -z <cli>` (exactly that, no parameter):
 * its listener on tap `tap_name`, whose records are shim_tap_bytes_t,
 * writes each packet's bytes to the C library's stdout. tshark runs the
 * listeners at the end of a packet's dissection, before it prints the
 * packet on the same stdout: the bytes come just before the packet's
 * output. The listener asks for the protocol tree and for the packets
 * inside error packets (an ICMP error quoting a datagram). `cli`,
 * `title` and `tap_name` must live for the whole process. */
void shim_register_stdout_stat(const char *cli, const char *title,
                               const char *tap_name);

#endif
