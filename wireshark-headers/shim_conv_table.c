/*
 * shim_conv_table.c - see shim_conv_table.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "shim_conv_table.h"
#include "shim.h"

#include <stdio.h>
#include <string.h>

#include <epan/address.h>
#include <epan/conversation_filter.h>
#include <epan/conversation_table.h>

/* One tab per plugin: its settings, set once at registration. */
static const char *table_stream_field;
static const char *table_name_field;
static shim_conv_of_frame_fn table_conv_of_frame;

/* The filter name Wireshark puts before each name of a row: the row's
 * number first, so that the filter selects that conversation only.  The
 * text is used at once (get_conversation_filter formats it), so one
 * buffer is enough; the GUI and tshark call it from one thread. */
static const char *
conv_filter_type(conv_item_t *item, conv_filter_type_e filter _U_)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%s == %u && %s", table_stream_field,
             (unsigned)item->conv_id, table_name_field);
    return buf;
}

static const char *
endpoint_filter_type(endpoint_item_t *item _U_, conv_filter_type_e filter _U_)
{
    return table_name_field;
}

static ct_dissector_info_t conv_info = { &conv_filter_type };
static et_dissector_info_t endpoint_info = { &endpoint_filter_type };

/* The conversation of the packet: from its tree when it has one (the GUI
 * asks about the selected packet, and dissects the rows it draws after
 * it), else from the caller by frame. */
static int
packet_conv(packet_info *pinfo, guint32 *conv)
{
    return shim_packet_first_uint(pinfo, table_stream_field, conv)
        || (table_conv_of_frame != NULL
            && table_conv_of_frame(pinfo->num, conv));
}

static gboolean
frame_has_conv(packet_info *pinfo)
{
    guint32 conv;
    return packet_conv(pinfo, &conv);
}

static gchar *
frame_conv_filter(packet_info *pinfo)
{
    guint32 conv;
    if (!packet_conv(pinfo, &conv))
        return NULL;
    return g_strdup_printf("%s == %u", table_stream_field, conv);
}

#ifdef SHIM_WS_CONV_FILTER_USER_DATA
static bool
conv_filter_valid(packet_info *pinfo, void *user_data _U_)
{
    return frame_has_conv(pinfo);
}

static char *
conv_filter_build(packet_info *pinfo, void *user_data _U_)
{
    return frame_conv_filter(pinfo);
}
#endif

void
shim_conv_table_register(int proto_id, const char *proto_name,
                          const char *display_name,
                          const char *stream_field, const char *name_field,
                          shim_tap_packet_fn conv_packet,
                          shim_tap_packet_fn endpoint_packet,
                          shim_conv_of_frame_fn conv_of_frame)
{
    table_stream_field = stream_field;
    table_name_field = name_field;
    table_conv_of_frame = conv_of_frame;
    register_conversation_table(proto_id, TRUE, conv_packet, endpoint_packet);
#ifdef SHIM_WS_CONV_FILTER_USER_DATA
    register_conversation_filter(proto_name, display_name, conv_filter_valid,
                                 conv_filter_build, NULL);
#else
    register_conversation_filter(proto_name, display_name, frame_has_conv,
                                 frame_conv_filter);
#endif
}

static void
name_address(address *addr, const char *name)
{
    set_address(addr, AT_STRINGZ, (int)strlen(name) + 1, name);
}

/* The table counts a packet only when its flags lack
 * TL_DISPLAY_FILTER_IGNORED, and reads them from the table, where each
 * handler must put them: the Qt dialogs never set them otherwise, so the
 * table would read whatever its memory held (all counts 0 in 4.0's
 * Conversations dialog).  tshark's tables start zeroed. */
static conv_hash_t *
table_for_packet(void *tapdata, tap_flags_t flags)
{
    conv_hash_t *table = (conv_hash_t *)tapdata;
    table->flags = flags;
    return table;
}

void
shim_conv_table_add(void *tapdata, packet_info *pinfo, tap_flags_t flags,
                     const char *from, const char *to, guint32 conv,
                     int bytes)
{
    address src, dst;
    name_address(&src, from);
    name_address(&dst, to);
    /* The table copies the addresses of a new row. */
    add_conversation_table_data_with_conv_id(table_for_packet(tapdata, flags),
        &src, &dst, 0, 0, (conv_id_t)conv, 1, bytes, &pinfo->rel_ts,
        &pinfo->abs_ts, &conv_info, CONVERSATION_NONE);
}

void
shim_endpoint_table_add(void *tapdata, tap_flags_t flags, const char *name,
                        int sender, int bytes)
{
    address addr;
    name_address(&addr, name);
    add_endpoint_table_data(table_for_packet(tapdata, flags), &addr, 0, sender != 0, 1,
                            bytes, &endpoint_info, ENDPOINT_NONE);
}
