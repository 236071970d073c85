/*
 * shim_conv_table.h - a Conversations and Endpoints tab (Statistics >
 * Conversations / Endpoints, `tshark -z conv,NAME`, `-z endpoints,NAME`)
 * whose addresses are names (AT_STRINGZ) and whose conversations are
 * numbered by a field the caller names, and the conversation filter of a
 * packet (right click > Conversation Filter).
 *
 * The tap handlers are the caller's (they read the caller's tap
 * records); they add rows through the two calls below.  A row's filter
 * (Apply as Filter) selects its conversation by number and its two names:
 * "STREAM == N && NAME == \"a\" && ..." (Wireshark writes the names).
 *
 * Nothing here throws a Wireshark exception: registration, glib
 * allocations (which abort on failure).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SHIM_CONV_TABLE_H
#define SHIM_CONV_TABLE_H

#include <epan/packet.h>
#include <epan/tap.h>

/* A tap handler as every supported release declares tap_packet_cb. */
typedef tap_packet_status (*shim_tap_packet_fn)(void *tapdata,
                                                packet_info *pinfo,
                                                epan_dissect_t *edt,
                                                const void *data,
                                                tap_flags_t flags);

/* The conversation of a frame, as in shim_follow.h. */
typedef int (*shim_conv_of_frame_fn)(guint32 frame, guint32 *conv);

/*
 * Registers the tab of protocol `proto_id` (its tap is the protocol's
 * filter name), with the two handlers, and the conversation filter
 * `display_name` of protocol `proto_name`, which selects the conversation
 * `conv_of_frame` names.  `stream_field` numbers the conversations,
 * `name_field` holds the names.  Strings must live for the process.
 */
void shim_conv_table_register(int proto_id, const char *proto_name,
                               const char *display_name,
                               const char *stream_field,
                               const char *name_field,
                               shim_tap_packet_fn conv_packet,
                               shim_tap_packet_fn endpoint_packet,
                               shim_conv_of_frame_fn conv_of_frame);

/* Adds one message of `bytes` bytes from `from` to `to` (NUL-terminated,
 * copied) in conversation `conv` to the table `tapdata` of a
 * conversation handler, at this packet's times.  `flags` are the ones the
 * handler was given: they say whether the packet counts or only adds to
 * the totals (a packet the display filter hides). */
void shim_conv_table_add(void *tapdata, packet_info *pinfo, tap_flags_t flags,
                          const char *from, const char *to, guint32 conv,
                          int bytes);

/* Adds one message of `bytes` bytes sent (sender != 0) or received by
 * `name` to the table `tapdata` of an endpoint handler; `flags` as
 * above. */
void shim_endpoint_table_add(void *tapdata, tap_flags_t flags,
                              const char *name, int sender, int bytes);

#endif
