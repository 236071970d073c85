/*
 * shim_flow.c - see shim_flow.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "shim_flow.h"

#include <stdbool.h>
#include <stddef.h>

#include <epan/address.h>

/*
 * libwireshark-dev installs no epan/sequence_analysis.h (4.0 to 4.6), so
 * what the shim uses of it is declared here: the leading members of
 * seq_analysis_item_t and seq_analysis_info_t, whose layout is the same in
 * every supported release but for the truth type (gboolean before 4.4,
 * bool from 4.4 on: SHIM_WS_C_BOOL, from build.rs).  The offsets asserted
 * below were read off each release's libwireshark (the members that
 * sequence_analysis_use_color_filter, sequence_analysis_get_nodes and
 * sequence_analysis_info_new write and read).  Items are allocated by
 * Wireshark (sequence_analysis_create_sai_with_addresses), so the members
 * after these need not be known.
 */
#ifdef SHIM_WS_C_BOOL
typedef bool shim_seq_bool;
#define SHIM_SEQ_DISPLAY_AT 0x6d
#define SHIM_SEQ_LINE_STYLE_AT 0x78
#else
typedef gboolean shim_seq_bool;
#define SHIM_SEQ_DISPLAY_AT 0x70
#define SHIM_SEQ_LINE_STYLE_AT 0x7c
#endif

typedef struct shim_seq_item {
    guint32 frame_number;
    address src_addr;
    guint16 port_src;
    address dst_addr;
    guint16 port_dst;
    char *frame_label;
    char *time_str;
    char *comment;
    guint16 conv_num;
    unsigned fg_color;
    unsigned bg_color;
    shim_seq_bool has_color_filter;
    shim_seq_bool display;
    unsigned src_node;
    unsigned dst_node;
    guint16 line_style;
} shim_seq_item_t;

typedef struct shim_seq_info {
    const char *name;
    shim_seq_bool any_addr;
    int nconv;
    GQueue *items;
} shim_seq_info_t;

_Static_assert(offsetof(shim_seq_item_t, frame_label) == 0x48, "seq_analysis_item_t.frame_label");
_Static_assert(offsetof(shim_seq_item_t, comment) == 0x58, "seq_analysis_item_t.comment");
_Static_assert(offsetof(shim_seq_item_t, display) == SHIM_SEQ_DISPLAY_AT, "seq_analysis_item_t.display");
_Static_assert(offsetof(shim_seq_item_t, line_style) == SHIM_SEQ_LINE_STYLE_AT, "seq_analysis_item_t.line_style");
_Static_assert(offsetof(shim_seq_info_t, items) == 0x10, "seq_analysis_info_t.items");

/* Exported by libwireshark in every supported release, with these
 * arguments (guint and unsigned are the same type). */
WS_DLL_PUBLIC void register_seq_analysis(const char *name, const char *ui_name,
                                         const int proto_id,
                                         const char *tap_listener,
                                         guint tap_flags, tap_packet_cb tap_func);
WS_DLL_PUBLIC shim_seq_item_t *
sequence_analysis_create_sai_with_addresses(packet_info *pinfo,
                                            shim_seq_info_t *sainfo);

/* One arrow, in the packet's pool. */
typedef struct flow_arrow {
    const char *label;
    const char *comment;
    guint16 conv;
} flow_arrow_t;

static tap_packet_status
flow_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_,
            const void *data, tap_flags_t flags _U_)
{
    shim_seq_info_t *sainfo = (shim_seq_info_t *)tapdata;
    const flow_arrow_t *a = (const flow_arrow_t *)data;
    if (!sainfo || !a)
        return TAP_PACKET_DONT_REDRAW;
    shim_seq_item_t *sai = sequence_analysis_create_sai_with_addresses(pinfo, sainfo);
    if (!sai)
        return TAP_PACKET_DONT_REDRAW;
    sai->frame_number = pinfo->num;
    sai->port_src = (guint16)pinfo->srcport;
    sai->port_dst = (guint16)pinfo->destport;
    sai->frame_label = g_strdup(a->label);
    sai->comment = g_strdup(a->comment);
    sai->conv_num = a->conv;
    sai->line_style = 1;
    sai->display = 1;
    g_queue_push_tail(sainfo->items, sai);
    return TAP_PACKET_REDRAW;
}

void
shim_flow_register(const char *name, const char *ui_name, int proto,
                    const char *tap)
{
    register_seq_analysis(name, ui_name, proto, tap, 0, flow_packet);
}

void
shim_flow_queue(int tap_id, packet_info *pinfo, const char *label,
                 const char *comment, guint16 conv)
{
    if (!have_tap_listener(tap_id))
        return;
    flow_arrow_t *a = wmem_new(pinfo->pool, flow_arrow_t);
    a->label = wmem_strdup(pinfo->pool, label);
    a->comment = wmem_strdup(pinfo->pool, comment);
    a->conv = conv;
    tap_queue_packet(tap_id, pinfo, a);
}
