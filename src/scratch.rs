//! Per-thread scratch buffers, reused from one message to the next so the
//! hot path does not allocate.

use std::cell::RefCell;
use std::thread::LocalKey;

/// Runs `f` with the thread's buffer in `key`. The buffer is free unless
/// `f` reaches the same buffer again, which no caller does; then a fresh
/// one serves rather than a panic across the FFI boundary. The caller
/// clears what it reuses.
pub(crate) fn with_scratch<T: Default + 'static, R>(key: &'static LocalKey<RefCell<T>>, f: impl FnOnce(&mut T) -> R) -> R {
    key.with(|cell| {
        let mut fresh = T::default();
        let mut borrowed = cell.try_borrow_mut();
        match borrowed.as_deref_mut() {
            Ok(buffer) => f(buffer),
            Err(_) => f(&mut fresh),
        }
    })
}
