/*
 * shim_srt.c - see shim_srt.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "shim_srt.h"

#include <epan/srt_table.h>

/* The one table's description (process lifetime, set at registration). */
static struct {
    const char *title;
    const char *column;
    const char *filter;
    int num_rows;
    const char *const *row_names;
} table;

static void
srt_init(struct register_srt *srt _U_, GArray *srt_array)
{
    srt_stat_table *t = init_srt_table(table.title, NULL, srt_array,
                                       table.num_rows, table.column,
                                       table.filter, NULL);
    for (int i = 0; i < table.num_rows; i++) {
        if (table.row_names[i])
            init_srt_table_row(t, i, table.row_names[i]);
    }
}

void
shim_srt_register(int proto, const char *tap, const char *title,
                   const char *column, const char *filter, int num_rows,
                   const char *const *row_names, tap_packet_cb packet)
{
    table.title = title;
    table.column = column;
    table.filter = filter;
    table.num_rows = num_rows;
    table.row_names = row_names;
    register_srt_table(proto, tap, 1, packet, srt_init, NULL);
}

void
shim_srt_add(void *tapdata, int row, gint64 delta_ns, packet_info *pinfo)
{
    srt_data_t *data = (srt_data_t *)tapdata;
    if (!data || !data->srt_array || data->srt_array->len < 1)
        return;
    srt_stat_table *t = g_array_index(data->srt_array, srt_stat_table *, 0);
    if (row < 0 || row >= t->num_procs)
        return;
    /* The request's time: this packet's, less the response time. */
    nstime_t delta, req;
    delta.secs = (time_t)(delta_ns / 1000000000);
    delta.nsecs = (int)(delta_ns % 1000000000);
    nstime_delta(&req, &pinfo->abs_ts, &delta);
    add_srt_table_data(t, row, &req, pinfo);
}
