/*
 * shim_tap.c - see shim_tap.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "shim_tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <epan/stat_tap_ui.h>
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

void
shim_tap_append_bytes(int tap_id, packet_info *pinfo, const void *data,
                      size_t len)
{
    if (!have_tap_listener(tap_id))
        return;
    /* This dissection's record, once queued (NULL also when the taps do
     * not run for this dissection: then the record goes nowhere). */
    shim_tap_bytes_t *b = (shim_tap_bytes_t *)fetch_tapped_data(tap_id, 0);
    if (!b) {
        b = wmem_new0(pinfo->pool, shim_tap_bytes_t);
        tap_queue_packet(tap_id, pinfo, b);
    }
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + len)
            cap *= 2;
        b->data = (guint8 *)wmem_realloc(pinfo->pool, b->data, cap);
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
}

static tap_packet_status
stdout_stat_packet(void *tapdata _U_, packet_info *pinfo _U_,
                   epan_dissect_t *edt _U_, const void *data,
                   tap_flags_t flags _U_)
{
    const shim_tap_bytes_t *b = (const shim_tap_bytes_t *)data;
    /* tshark checks stdout for errors after printing the packet. */
    if (b && b->len)
        fwrite(b->data, 1, b->len, stdout);
    return TAP_PACKET_DONT_REDRAW;
}

typedef struct shim_stdout_stat {
    const char *cli;
    const char *tap_name;
} shim_stdout_stat_t;

/* The statistic's start: 4.6 reports a failure by returning false, the
 * earlier releases' tshark statistics end the program. */
#ifdef SHIM_WS_STAT_INIT_BOOL
#define STAT_INIT_RESULT bool
#define STAT_INIT_OK return true
#define STAT_INIT_FAILED return false
#else
#define STAT_INIT_RESULT void
#define STAT_INIT_OK return
#define STAT_INIT_FAILED exit(1)
#endif

static STAT_INIT_RESULT
stdout_stat_init(const char *opt_arg, void *userdata)
{
    shim_stdout_stat_t *stat = (shim_stdout_stat_t *)userdata;
    if (strcmp(opt_arg, stat->cli) != 0) {
        fprintf(stderr, "tshark: -z %s takes no parameter (got \"%s\")\n",
                stat->cli, opt_arg);
        STAT_INIT_FAILED;
    }
    GString *err = register_tap_listener(stat->tap_name, stat, NULL,
        TL_REQUIRES_PROTO_TREE | TL_REQUIRES_ERROR_PACKETS, NULL,
        stdout_stat_packet, NULL, NULL);
    if (err) {
        fprintf(stderr, "tshark: -z %s: %s\n", stat->cli, err->str);
        g_string_free(err, TRUE);
        STAT_INIT_FAILED;
    }
    STAT_INIT_OK;
}

void
shim_register_stdout_stat(const char *cli, const char *title,
                          const char *tap_name)
{
    /* Wireshark keeps both for the whole process. */
    shim_stdout_stat_t *stat = g_new0(shim_stdout_stat_t, 1);
    stat->cli = cli;
    stat->tap_name = tap_name;
    stat_tap_ui *ui = g_new0(stat_tap_ui, 1);
    ui->group = REGISTER_STAT_GROUP_GENERIC;
    ui->title = title;
    ui->cli_string = cli;
    ui->tap_init_cb = stdout_stat_init;
    register_stat_tap_ui(ui, stat);
}
