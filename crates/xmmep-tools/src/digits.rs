//! Numbers as decimal text without the formatting machinery: the tools
//! write several per message shown (times, intervals, dates), where
//! `format!` costs several times more.

/// Appends `n` in decimal to `out`, with leading zeros to `width` digits
/// (as `{n:0width$}`).
pub fn padded(out: &mut String, n: u64, width: usize) {
    let mut b = itoa::Buffer::new();
    let digits = b.format(n);
    for _ in digits.len()..width {
        out.push('0');
    }
    out.push_str(digits);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_as_format_does() {
        for (n, width) in [(0, 2), (7, 2), (42, 2), (123, 2), (5, 9), (999_999_999, 9), (u64::MAX, 4)] {
            let mut out = String::from("x");
            padded(&mut out, n, width);
            assert_eq!(out, format!("x{n:0width$}"));
        }
    }
}
