/*
 * xmmep_guard.h - the TRY/CATCH wrapper every C file of the plugin uses to
 * keep Wireshark exceptions out of Rust (see xmmep_shim.h). Internal: not
 * part of the bound API (xmmep_wrapper.h does not include it).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef XMMEP_GUARD_H
#define XMMEP_GUARD_H

#include "xmmep_shim.h"
#include <epan/exceptions.h>

/* Resets *err (may be NULL) to "no exception". */
void xmmep_exc_clear(xmmep_exc_t *err);
/* Called inside CATCH_ALL: copy code and message before ENDTRY frees it;
 * returns the code (never XMMEP_OK). */
int xmmep_exc_record(except_t *e, xmmep_exc_t *err);

/*
 * GUARDED(err, statements): run the statements inside TRY, return 0 or the
 * exception code.  Statements must not `return` or `goto` (see the rules in
 * epan/exceptions.h).
 */
#define GUARDED(err, ...)                                   \
    do {                                                    \
        volatile int xmmep_rc_ = XMMEP_OK;                  \
        xmmep_exc_clear(err);                               \
        TRY {                                               \
            __VA_ARGS__;                                    \
        }                                                   \
        CATCH_ALL {                                         \
            xmmep_rc_ = xmmep_exc_record(exc, (err));       \
        }                                                   \
        ENDTRY;                                             \
        return xmmep_rc_;                                   \
    } while (0)

#endif
