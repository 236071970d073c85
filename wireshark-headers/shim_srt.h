/*
 * shim_srt.h - Statistics > Service Response Time (epan/srt_table.h) over
 * an existing tap: one table whose rows the caller names, each at an
 * index of its choice (the GUI's "Apply as Filter" writes
 * FILTER==INDEX); the tap callback is the caller's, which adds a
 * response with shim_srt_add.
 *
 * Nothing here throws: registration and the table calls only allocate.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SHIM_SRT_H
#define SHIM_SRT_H

#include <epan/packet.h>
#include <epan/tap.h>

/*
 * Registers the table of protocol `proto` over tap `tap` (`-z
 * FILTERNAME,srt`, Statistics > Service Response Time > its short name):
 * titled `title`, `num_rows` rows of which those with a name in
 * `row_names` (NULL: none) are shown, the first column titled `column`.
 * Every string and the array must live for the whole process.  One table
 * per process.
 */
void shim_srt_register(int proto, const char *tap, const char *title,
                        const char *column, const char *filter,
                        int num_rows, const char *const *row_names,
                        tap_packet_cb packet);

/* In the tap callback (`tapdata` is its first argument): one response of
 * row `row`, `delta_ns` after its request (this packet is the response). */
void shim_srt_add(void *tapdata, int row, gint64 delta_ns,
                   packet_info *pinfo);

#endif
