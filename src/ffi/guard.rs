//! Panic guard for every `extern "C"` entry point.
//!
//! A panic must not unwind into Wireshark's C frames (since Rust 1.81 that
//! aborts the whole process). Every function Wireshark calls is wrapped in
//! [`catch`], and the caller turns [`Panicked`] into an expert error (see
//! `entry.rs`) or a safe default.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A panic caught at an FFI boundary, with its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Panicked {
    /// The panic payload if it was a string, else a placeholder.
    pub(crate) message: String,
}

impl std::fmt::Display for Panicked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "internal error (panic): {}", self.message)
    }
}

fn payload_message(p: &(dyn Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_string()
    }
}

/// Runs `f`, catching any panic.
///
/// `AssertUnwindSafe` is justified because after a panic the callers only
/// report it and return: the state a dissection closure touches is
/// per-packet (dropped with the closure), process-wide registration data
/// that is immutable after start-up, or state behind a lock, which the
/// panic poisons for its owner to judge.
pub(crate) fn catch<R>(f: impl FnOnce() -> R) -> Result<R, Panicked> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| Panicked { message: payload_message(&*p) })
}

/// Prints a panic caught where no packet can show it (registration, a
/// statistics tree's callbacks) to stderr, after the plugin's name (the
/// library's, `CARGO_CRATE_NAME`).
pub(crate) fn print(what: &str, p: &Panicked) {
    eprintln!("{}: {what}: {p}", env!("CARGO_CRATE_NAME"));
}

/// Runs `f`; on panic returns `on_panic(&panic)` instead.
pub(crate) fn guard<R>(on_panic: impl FnOnce(&Panicked) -> R, f: impl FnOnce() -> R) -> R {
    match catch(f) {
        Ok(r) => r,
        Err(p) => on_panic(&p),
    }
}

/// Answers a C callback that asks for a number through `out`: runs
/// `find`, catching any panic (printed, as [`print`] under `what`); writes
/// what it found to `out` and returns 1, or returns 0 when it found nothing,
/// `out` is null or it panicked.
///
/// # Safety
/// `out` must be null or valid for a write of a `u32`.
pub(crate) unsafe fn found_u32(what: &str, out: *mut u32, find: impl FnOnce() -> Option<u32>) -> std::ffi::c_int {
    match catch(find) {
        Ok(Some(n)) if !out.is_null() => {
            // SAFETY: non-null and valid for a write, as the caller promises.
            unsafe { *out = n };
            1
        }
        Ok(_) => 0,
        Err(p) => {
            print(what, &p);
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catches_str_and_string_panics() {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let a = catch(|| -> i32 { panic!("boom") });
        let b = catch(|| -> i32 { panic!("n={}", 3) });
        std::panic::set_hook(prev);
        assert_eq!(a.unwrap_err().message, "boom");
        assert_eq!(b.unwrap_err().message, "n=3");
        assert_eq!(catch(|| 7).unwrap(), 7);
        assert_eq!(guard(|_| -1, || 5), 5);
    }
}
