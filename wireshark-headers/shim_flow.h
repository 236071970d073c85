/*
 * shim_flow.h - Statistics > Flow Graph (epan/sequence_analysis.h) for a
 * tap of the caller's: each record is one arrow of this packet, from its
 * source to its destination, with a label and a comment the caller
 * wrote.
 *
 * Nothing here throws: registration, the queueing (pool copies) and the
 * callback (glib copies) only allocate.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SHIM_FLOW_H
#define SHIM_FLOW_H

#include <epan/packet.h>
#include <epan/tap.h>

/* Registers flow `name` (`-z flow,NAME,standard`), titled `ui_name`, over
 * tap `tap` of protocol `proto`; strings must live for the process. */
void shim_flow_register(const char *name, const char *ui_name, int proto,
                         const char *tap);

/* Queues one arrow of this packet to tap `tap_id` (copies of `label` and
 * `comment`), if someone listens; `conv` numbers its conversation. */
void shim_flow_queue(int tap_id, packet_info *pinfo, const char *label,
                      const char *comment, guint16 conv);

#endif
