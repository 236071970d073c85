//! Seconds since 1970 UTC as a calendar date and a time of day, for every
//! text that shows one (dates of birth, transcript lines, export rows, the
//! test kit's copy of Wireshark's labels); the arithmetic is the `time`
//! crate's.

use time::OffsetDateTime;

/// A moment in UTC, split as people write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i32,
    /// 1 to 12.
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

/// `secs` seconds after 1970-01-01 00:00:00 UTC; None outside the years
/// -9999 to 9999.
pub fn civil(secs: i64) -> Option<Civil> {
    let t = OffsetDateTime::from_unix_timestamp(secs).ok()?;
    Some(Civil { year: t.year(), month: t.month() as u8, day: t.day(), hour: t.hour(), minute: t.minute(), second: t.second() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_days_and_times() {
        let c = |y, mo, d, h, mi, s| Some(Civil { year: y, month: mo, day: d, hour: h, minute: mi, second: s });
        assert_eq!(civil(0), c(1970, 1, 1, 0, 0, 0));
        assert_eq!(civil(-1), c(1969, 12, 31, 23, 59, 59));
        assert_eq!(civil(951_782_400), c(2000, 2, 29, 0, 0, 0));
        assert_eq!(civil(1_700_000_000), c(2023, 11, 14, 22, 13, 20));
        assert_eq!(civil(253_402_300_799), c(9999, 12, 31, 23, 59, 59));
        assert_eq!(civil(253_402_300_800), None);
    }
}
