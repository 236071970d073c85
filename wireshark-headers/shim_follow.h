/*
 * shim_follow.h - a follower (Analyze > Follow, `tshark -z follow`) whose
 * streams are numbered by a field the caller names, fed with lines of text
 * rather than bytes a transport carried.
 *
 * A line is queued to the follower's tap with the stream it belongs to,
 * which of the two nodes speaks, the nodes' names and its text (all copied
 * into the packet's pool).  The follower's tap handler, here, appends the
 * line to the follow_info_t of the stream being followed.  A frame can
 * hold lines of several streams: the handler keeps those of the followed
 * stream only, which it reads from the follower's filter ("FIELD == N").
 *
 * Nothing here throws a Wireshark exception: registration, tap queueing,
 * glib and wmem allocations (which abort on failure).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SHIM_FOLLOW_H
#define SHIM_FOLLOW_H

#include <stddef.h>

#include <epan/packet.h>
#include <epan/tap.h>

/* The stream of a frame: 1 and *stream set if the frame has one, else 0.
 * Asked when Wireshark follows the selected packet and that packet's tree
 * does not hold the stream field. */
typedef int (*shim_stream_of_frame_fn)(guint32 frame, guint32 *stream);

/* How many streams the capture holds (the GUI's highest stream number is
 * one less). */
typedef guint32 (*shim_stream_count_fn)(void);

/*
 * Registers a follower for protocol `proto_id` on tap `tap_name` (which
 * the caller registered), its streams selected by the display filter
 * "FIELD == N" with FIELD = `stream_field`.  The strings must live for the
 * process; the callbacks catch their own panics.
 */
void shim_follow_register(int proto_id, const char *tap_name,
                           const char *stream_field,
                           shim_stream_of_frame_fn stream_of_frame,
                           shim_stream_count_fn stream_count);

/*
 * Queues one line of stream `stream` to tap `tap_id`, if a follower
 * listens: `is_server` says node 1 speaks (else node 0); `node0`, `node1`
 * (NUL-terminated) name the nodes; `text` has `len` bytes (not
 * NUL-terminated).  Everything is copied into the packet's pool.
 */
void shim_follow_queue(int tap_id, packet_info *pinfo, guint32 stream,
                        int is_server, const char *node0, const char *node1,
                        const char *text, size_t len);

#endif
