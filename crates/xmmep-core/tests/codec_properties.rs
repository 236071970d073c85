//! Properties of the codec over every message type: encode -> decode is the
//! identity on valid values; random and mutated bytes never panic, and every
//! body byte is accounted for by a field or a report.

use proptest::prelude::*;
use xmmep_core::codec::{encode_checked, encode_raw, values_of, Decoded, Decoder, Options};
use xmmep_core::reports::ReportKind;
use xmmep_core::schema::Schema;
use xmmep_core::table::{self, FIELD_SEP, HEADER_LEN};

fn decoder() -> Decoder<'static> {
    Decoder::new(Schema::standard(), Options::default())
}

fn any_message() -> impl Strategy<Value = (&'static table::MessageDef, Vec<xmmep_core::codec::EncValue>)> {
    proptest::sample::select(table::MESSAGES.iter().collect::<Vec<_>>()).prop_flat_map(|def| xmmep_testkit::values::message(def).prop_map(move |v| (def, v)))
}

/// Every body byte lies in an item or a report, or is a field separator.
fn assert_covered(d: &Decoded, msg: &[u8]) {
    for i in HEADER_LEN..d.available {
        let inside = |o: u32, l: u32| (o as usize) <= i && i < (o + l) as usize;
        let covered = msg[i] == FIELD_SEP || d.items.iter().any(|it| inside(it.offset, it.len)) || d.reports.iter().any(|r| inside(r.offset, r.len));
        assert!(covered, "byte {i} ({:#04x}) of {msg:?} is in no field and no report", msg[i]);
    }
}

/// Items and reports stay inside what was decoded.
fn assert_in_bounds(d: &Decoded) {
    for it in &d.items {
        assert!((it.offset + it.len) as usize <= d.available, "{it:?} past {}", d.available);
    }
    for r in &d.reports {
        assert!((r.offset + r.len) as usize <= d.available.max(8), "{r:?} past {}", d.available);
        if let Some(i) = r.item {
            assert!((i as usize) < d.items.len());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn round_trip_every_message_type((def, values) in any_message()) {
        let bytes = encode_checked(def, &values).unwrap();
        let d = decoder().decode(&bytes);
        let problems: Vec<_> = d.reports.iter().filter(|r| r.kind != ReportKind::CleartextPassword).collect();
        prop_assert!(problems.is_empty(), "{}: {:?} for {:?}", def.name, problems, bytes);
        prop_assert_eq!(values_of(Schema::standard(), &d, &bytes), values);
        assert_covered(&d, &bytes);
    }

    #[test]
    fn random_bodies_never_panic(code in 95u32..1000, body in proptest::collection::vec(
        prop_oneof![4 => any::<u8>(), 1 => 1u8..=4], 0..300)) {
        let msg = encode_raw(code, &body);
        let d = decoder().decode(&msg);
        assert_in_bounds(&d);
        assert_covered(&d, &msg);
    }

    #[test]
    fn mutated_messages_never_panic((def, values) in any_message(), edits in xmmep_testkit::mutate::edits(), cut in any::<prop::sample::Index>()) {
        let mut bytes = encode_checked(def, &values).unwrap();
        xmmep_testkit::mutate::apply(&mut bytes, &edits);
        // Keep the header's claim, so the body may now be short or long.
        let d = decoder().decode(&bytes);
        assert_in_bounds(&d);
        assert_covered(&d, &bytes);
        let cut = cut.index(bytes.len() + 1);
        let d = decoder().decode(&bytes[..cut]);
        assert_in_bounds(&d);
        if cut >= HEADER_LEN { assert_covered(&d, &bytes[..cut]); }
    }

    #[test]
    fn random_headers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
        let d = decoder().decode(&bytes);
        assert_in_bounds(&d);
    }
}
