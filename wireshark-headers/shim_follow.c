/*
 * shim_follow.c - see shim_follow.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "shim_follow.h"
#include "shim.h"

#include <stdlib.h>
#include <string.h>

#include <epan/address.h>
#include <epan/follow.h>
#include <epan/wmem_scopes.h>

/* What the follower's tap carries: one line (pool copies). */
typedef struct shim_follow_line {
    guint32 stream;
    int is_server;
    const char *node[2];
    const char *text;
    size_t len;
} shim_follow_line_t;

/* One follower per plugin: its settings, set once at registration. */
static const char *follow_field;
static shim_stream_of_frame_fn follow_stream_of_frame;
static shim_stream_count_fn follow_stream_count;

static char *
stream_filter(guint32 stream)
{
    return g_strdup_printf("%s == %u", follow_field, stream);
}

/* The GUI asks about the selected packet and passes its dissection, tree
 * and all: read the stream there, since the GUI dissects other packets
 * (the rows it draws) after the selected one, which the caller's answer
 * by frame may not know any more. */
static char *
follow_conv_filter(epan_dissect_t *edt, packet_info *pinfo,
                   unsigned *stream, unsigned *sub_stream)
{
    guint32 found;
    if (!shim_tree_first_uint(edt, follow_field, &found)
        && (follow_stream_of_frame == NULL
            || !follow_stream_of_frame(pinfo->num, &found)))
        return NULL;
    *stream = found;
    *sub_stream = 0;
    return stream_filter(found);
}

static char *
follow_index_filter(unsigned stream, unsigned sub_stream _U_)
{
    return stream_filter(stream);
}

/* A stream of lines has no network addresses to select it by. */
static char *
follow_address_filter(address *src _U_, address *dst _U_, int src_port _U_,
                      int dst_port _U_)
{
    return NULL;
}

/* Nodes are names, not hosts: no port is shown. */
static char *
follow_port_to_display(wmem_allocator_t *allocator, unsigned port _U_)
{
    return wmem_strdup(allocator, "");
}

#ifdef SHIM_WS_FOLLOW_STREAM_COUNT
static uint32_t
follow_count(void)
{
    return follow_stream_count == NULL ? 0 : follow_stream_count();
}
#endif

/* The stream the follower selects: N of "FIELD == N" in its filter (the
 * GUI wraps it as "!(FIELD == N)"); 0 when there is none. */
static int
followed_stream(const follow_info_t *info, guint32 *stream)
{
    if (info->filter_out_filter == NULL)
        return 0;
    const char *at = strstr(info->filter_out_filter, follow_field);
    if (at == NULL)
        return 0;
    at += strlen(follow_field);
    while (*at == ' ')
        at++;
    if (at[0] != '=' || at[1] != '=')
        return 0;
    at += 2;
    char *end;
    unsigned long n = strtoul(at, &end, 10);
    if (end == at || n > G_MAXUINT32)
        return 0;
    *stream = (guint32)n;
    return 1;
}

static void
set_node(address *node, const char *name)
{
    address tmp;
    set_address(&tmp, AT_STRINGZ, (int)strlen(name) + 1, name);
    free_address(node);
    copy_address(node, &tmp);
}

static tap_packet_status
follow_line_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_,
                   const void *data, tap_flags_t flags _U_)
{
    follow_info_t *info = (follow_info_t *)tapdata;
    const shim_follow_line_t *line = (const shim_follow_line_t *)data;
    guint32 want;

    if (line == NULL)
        return TAP_PACKET_DONT_REDRAW;
    if (followed_stream(info, &want) && want != line->stream)
        return TAP_PACKET_DONT_REDRAW;
    if (info->client_ip.type != AT_STRINGZ) {
        set_node(&info->client_ip, line->node[0]);
        set_node(&info->server_ip, line->node[1]);
    }
    follow_record_t *rec = g_new0(follow_record_t, 1);
    rec->is_server = line->is_server != 0;
    rec->packet_num = pinfo->num;
    rec->abs_ts = pinfo->abs_ts;
    rec->data = g_byte_array_sized_new((guint)line->len);
    g_byte_array_append(rec->data, (const guint8 *)line->text, (guint)line->len);
    info->bytes_written[rec->is_server ? 1 : 0] += (guint)line->len;
    info->payload = g_list_prepend(info->payload, rec);
    return TAP_PACKET_REDRAW;
}

void
shim_follow_register(int proto_id, const char *tap_name,
                      const char *stream_field,
                      shim_stream_of_frame_fn stream_of_frame,
                      shim_stream_count_fn stream_count)
{
    follow_field = stream_field;
    follow_stream_of_frame = stream_of_frame;
    follow_stream_count = stream_count;
#ifdef SHIM_WS_FOLLOW_STREAM_COUNT
    register_follow_stream(proto_id, tap_name, follow_conv_filter,
                           follow_index_filter, follow_address_filter,
                           follow_port_to_display, follow_line_packet,
                           follow_count, NULL);
#else
    register_follow_stream(proto_id, tap_name, follow_conv_filter,
                           follow_index_filter, follow_address_filter,
                           follow_port_to_display, follow_line_packet);
#endif
}

void
shim_follow_queue(int tap_id, packet_info *pinfo, guint32 stream,
                   int is_server, const char *node0, const char *node1,
                   const char *text, size_t len)
{
    if (!have_tap_listener(tap_id))
        return;
    shim_follow_line_t *line = wmem_new0(pinfo->pool, shim_follow_line_t);
    line->stream = stream;
    line->is_server = is_server;
    line->node[0] = wmem_strdup(pinfo->pool, node0);
    line->node[1] = wmem_strdup(pinfo->pool, node1);
    line->text = (const char *)wmem_memdup(pinfo->pool, text, len);
    line->len = len;
    tap_queue_packet(tap_id, pinfo, line);
}
