/*
 * shim_guard.h - the TRY/CATCH wrapper every C file of the plugin uses to
 * keep Wireshark exceptions out of Rust (see shim.h). Internal: not
 * part of the bound API (wrapper.h does not include it).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SHIM_GUARD_H
#define SHIM_GUARD_H

#include "shim.h"
#include <epan/exceptions.h>

/* Resets *err (may be NULL) to "no exception". */
void shim_exc_clear(shim_exc_t *err);
/* Called inside CATCH_ALL: copy code and message before ENDTRY frees it;
 * returns the code (never SHIM_OK). */
int shim_exc_record(except_t *e, shim_exc_t *err);

/*
 * GUARDED(err, statements): run the statements inside TRY, return 0 or the
 * exception code.  Statements must not `return` or `goto` (see the rules in
 * epan/exceptions.h).
 */
#define GUARDED(err, ...)                                   \
    do {                                                    \
        volatile int shim_rc_ = SHIM_OK;                  \
        shim_exc_clear(err);                               \
        TRY {                                               \
            __VA_ARGS__;                                    \
        }                                                   \
        CATCH_ALL {                                         \
            shim_rc_ = shim_exc_record(exc, (err));       \
        }                                                   \
        ENDTRY;                                             \
        return shim_rc_;                                   \
    } while (0)

#endif
