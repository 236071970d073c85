/*
 * shim_conv.c - secondary conversations and their file-scoped state; see
 * shim_conv.h.  Its epan calls go through GUARDED (shim_guard.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "shim_conv.h"
#include "shim_guard.h"

#include <string.h>

#include <epan/exceptions.h>
#include <epan/conversation.h>
#include <epan/proto_data.h>
#include <epan/address.h>
#include <wsutil/wmem/wmem.h>

static void
announce(packet_info *pinfo, int udp, guint32 ip_host, guint16 port,
         dissector_handle_t handle, int key, gint32 tag, int keep_earlier,
         const char *name, gint64 length, shim_conv_data_t **out)
{
    guint32 ip_net = g_htonl(ip_host);
    address addr, none;
    conversation_t *conv;
    shim_conv_data_t *d;
    conversation_type ctype = udp ? CONVERSATION_UDP : CONVERSATION_TCP;

    set_address(&addr, AT_IPv4, 4, &ip_net);
    clear_address(&none);
    conv = find_conversation(pinfo->num, &addr, &none, ctype, port, 0,
                             NO_ADDR_B | NO_PORT_B);
    d = conv ? (shim_conv_data_t *)conversation_get_proto_data(conv, key)
             : NULL;
    if (d && d->tag == tag) {
        if (keep_earlier) {
            *out = d;
            return;
        }
        /* A new announcement of an endpoint whose last one no traffic
         * reached yet: the wildcard is still a wildcard (TCP makes it a
         * connection's at its first segment), and no frame counted bytes
         * in it, so no frame reads its data but the ones that come after
         * this announcement.  Take it over instead of chaining a new
         * conversation (a Wireshark conversation costs hundreds of bytes
         * for the whole capture, and a capture may announce the same
         * endpoint thousands of times). */
        if (d->last_frame == 0 && d->bytes_seen == 0) {
            d->setup_frame = pinfo->num;
            d->length = length;
            if (!name)
                d->name = NULL;
            else if (!d->name || strcmp(d->name, name) != 0)
                d->name = wmem_strdup(wmem_file_scope(), name);
            *out = d;
            return;
        }
    }
    /* conversation_new copies the address into file scope. */
    conv = conversation_new(pinfo->num, &addr, &none, ctype, port, 0,
                            NO_ADDR2 | NO_PORT2);
    d = wmem_new0(wmem_file_scope(), shim_conv_data_t);
    d->setup_frame = pinfo->num;
    d->tag = tag;
    d->length = length;
    d->name = name ? wmem_strdup(wmem_file_scope(), name) : NULL;
    conversation_add_proto_data(conv, key, d);
    conversation_set_dissector(conv, handle);
    *out = d;
}

int
shim_conv_announce(packet_info *pinfo, int udp, guint32 ip_host,
                    guint16 port, dissector_handle_t handle, int key,
                    gint32 tag, int keep_earlier, const char *name,
                    gint64 length, shim_conv_data_t **out,
                    shim_exc_t *err)
{
    shim_conv_data_t *tmp = NULL;
    if (out)
        *out = NULL;
    GUARDED(err, announce(pinfo, udp, ip_host, port, handle, key, tag,
                          keep_earlier, name, length, out ? out : &tmp));
}

/* The data under `key` of the wildcard conversation announced for
 * addr:port, if any. */
static shim_conv_data_t *
announced(packet_info *pinfo, int key, conversation_type ctype,
          address *addr, guint32 port)
{
    address none;
    conversation_t *conv;
    clear_address(&none);
    conv = find_conversation(pinfo->num, addr, &none, ctype, port, 0,
                             NO_ADDR_B | NO_PORT_B);
    return conv ? (shim_conv_data_t *)conversation_get_proto_data(conv, key)
                : NULL;
}

static void
lookup(packet_info *pinfo, int key, shim_conv_data_t **out)
{
    shim_conv_data_t *d = NULL;
    conversation_t *conv;
    if (pinfo->ptype == PT_TCP) {
        /* TCP fills the announced (wildcard) conversation in at the
         * connection's first segment: it is the flow's own by then. */
        conv = find_conversation_pinfo(pinfo, 0);
        d = conv ? (shim_conv_data_t *)conversation_get_proto_data(conv, key)
                 : NULL;
        if (!d)
            d = announced(pinfo, key, CONVERSATION_TCP, &pinfo->dst, pinfo->destport);
        if (!d)
            d = announced(pinfo, key, CONVERSATION_TCP, &pinfo->src, pinfo->srcport);
    } else if (pinfo->ptype == PT_UDP) {
        /* UDP keeps them wildcards: ask for the destination's announcement,
         * else the source's, directly (find_conversation_pinfo's choice
         * between two announced peers differs between releases). */
        d = announced(pinfo, key, CONVERSATION_UDP, &pinfo->dst, pinfo->destport);
        if (!d)
            d = announced(pinfo, key, CONVERSATION_UDP, &pinfo->src, pinfo->srcport);
    }
    *out = d;
}

int
shim_conv_lookup(packet_info *pinfo, int key, shim_conv_data_t **out,
                  shim_exc_t *err)
{
    *out = NULL;
    GUARDED(err, lookup(pinfo, key, out));
}

shim_frame_bytes_t *
shim_frame_bytes_get(packet_info *pinfo, int key)
{
    return (shim_frame_bytes_t *)p_get_proto_data(wmem_file_scope(), pinfo,
                                                   key, 0);
}

static void
frame_add(packet_info *pinfo, int key, shim_frame_bytes_t **out)
{
    shim_frame_bytes_t *f = wmem_new0(wmem_file_scope(), shim_frame_bytes_t);
    p_add_proto_data(wmem_file_scope(), pinfo, key, 0, f);
    *out = f;
}

int
shim_frame_bytes_add(packet_info *pinfo, int key, shim_frame_bytes_t **out,
                      shim_exc_t *err)
{
    *out = NULL;
    GUARDED(err, frame_add(pinfo, key, out));
}
