/*
 * shim_tap.h - queueing tap records: the plugin's own records (read by
 * its statistics tree) and credentials (tap "credentials", read by
 * `tshark -z credentials` and Tools > Credentials).
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

#endif
