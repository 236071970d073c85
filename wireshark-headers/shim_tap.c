/*
 * shim_tap.c - see shim_tap.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "shim_tap.h"

#include <string.h>

#include <epan/wmem_scopes.h>

int
shim_tap_listening(int tap_id)
{
    return have_tap_listener(tap_id) ? 1 : 0;
}

void
shim_tap_queue_copy(int tap_id, packet_info *pinfo, const void *data,
                     size_t len)
{
    if (!have_tap_listener(tap_id))
        return;
    void *copy = wmem_alloc(pinfo->pool, len);
    memcpy(copy, data, len);
    tap_queue_packet(tap_id, pinfo, copy);
}

void
shim_tap_queue_credential(int tap_id, packet_info *pinfo, unsigned num,
                           int password_hf, const char *username,
                           const char *proto, const char *info)
{
    if (!have_tap_listener(tap_id))
        return;
    shim_tap_credential_t *auth = wmem_new0(pinfo->pool, shim_tap_credential_t);
    auth->num = num;
    auth->username_num = num;
    auth->password_hf_id = (unsigned)password_hf;
    auth->username = wmem_strdup(pinfo->pool, username);
    auth->proto = proto;
    auth->info = wmem_strdup(pinfo->pool, info);
    tap_queue_packet(tap_id, pinfo, auth);
}
