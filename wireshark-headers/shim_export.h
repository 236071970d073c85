/*
 * shim_export.h - File > Export Objects (epan/export_object.h) for data
 * that a connection carries over many frames: each frame queues its
 * bytes with the key of the object they belong to, and the tap appends
 * them to that object's entry, made at the object's first bytes (as
 * packet-ftp.c does for ftp-data).  The caller gives every text: the
 * object's name, and the content type shown while fewer bytes than the
 * expected size arrived and once they all did.
 *
 * Nothing here throws except the tvb copy, which runs inside TRY/CATCH.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SHIM_EXPORT_H
#define SHIM_EXPORT_H

#include "shim.h"

/*
 * Registers the export objects of protocol `proto` (File > Export
 * Objects > its short name; `tshark --export-objects FILTERNAME,DIR`).
 * Returns the id of its tap, "<filter name>_eo".
 */
int shim_export_register(int proto);

/*
 * Queues this frame's bytes (the whole captured tvb) for object `key`
 * (keys are the caller's: one per object) to tap `tap_id`, if someone
 * listens.  `name` (what a save names the object) and the content types are
 * copied; `size` is the size the object should reach (-1: unknown, then
 * `complete_type` is always used).  The names of a new entry and of an
 * object that falls short are `name` and `name` + `incomplete_suffix`.
 */
int shim_export_queue(int tap_id, packet_info *pinfo, tvbuff_t *tvb,
                       guint32 key, const char *name, gint64 size,
                       const char *complete_type,
                       const char *incomplete_type,
                       const char *incomplete_suffix, shim_exc_t *err);

#endif
