/*
 * wrapper.h - the part of Wireshark's epan API that the plugin
 * binds (bindgen reads this file; build.rs holds the allowlist).
 *
 * Wireshark's own headers come from the distribution (libwireshark-dev);
 * nothing of them is copied here.  Functions that can throw a Wireshark
 * exception (a longjmp) are NOT called from Rust directly: Rust calls the
 * shim_* wrappers declared in shim.h, which catch the exception.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SHIM_WRAPPER_H
#define SHIM_WRAPPER_H

/* From 4.4 on, frame_data.h no longer includes wtap.h, which packet_info.h
 * still needs (union wtap_pseudo_header): include it first. */
#include <wiretap/wtap.h>
#if __has_include(<wsutil/plugins.h>) /* installed from 4.4 on */
#include <wsutil/plugins.h>             /* WS_PLUGIN_DESC_DISSECTOR */
#endif
#include <epan/packet.h>
#include <epan/proto.h>
#include <epan/unit_strings.h> /* unit_name_string, for BASE_UNIT_STRING */
#include <epan/tfs.h>          /* true_false_string: proto.h stops including it in 4.6 */
#include <epan/expert.h>
#include <epan/prefs.h>
#include <epan/column-utils.h>
#include <epan/tvbuff.h>
#include <epan/exceptions.h> /* exception codes only; TRY/CATCH is used in the shim */
#include <epan/dissectors/packet-tcp.h>

#include <epan/tap.h>
#include <epan/stats_tree.h>

#include "shim.h"
#include "shim_conv.h"
#include "shim_tap.h"
#include "shim_follow.h"
#include "shim_conv_table.h"
#include "shim_flow.h"
#include "shim_srt.h"
#include "shim_export.h"
#include "shim_srt.h"
#include "shim_flow.h"

#endif
