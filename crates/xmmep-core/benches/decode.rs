//! Decoding speed over a realistic mix of messages. Prints criterion's
//! figures and, at the end, MB/s and messages/s of a plain timed loop.

use criterion::{criterion_group, Criterion, Throughput};
use std::hint::black_box;
use std::time::Instant;
use xmmep_core::codec::{encode_checked, Decoded, Decoder, EncValue, Options};
use xmmep_core::schema::Schema;
use xmmep_core::table::definition;
use xmmep_tools::capture::msg::t;

fn enc(code: u16, v: Vec<EncValue>) -> Vec<u8> {
    encode_checked(definition(code).unwrap(), &v).unwrap()
}

/// A day of traffic, roughly: keepalives and chat dominate, logins are rare
/// but large.
fn mix() -> Vec<Vec<u8>> {
    let buddy = |i: usize| EncValue::Struct(vec![t(&format!("buddy{i:02}")), t("Friends"), t(&format!("Buddy {i}"))]);
    let online =
        |i: usize| EncValue::Struct(vec![t(&format!("buddy{i:02}")), t("Friends"), t("小明"), t("在忙"), t("a.png"), t("192.168.1.20"), EncValue::Int(5001), EncValue::Int(1)]);
    let mut out = Vec::new();
    for _ in 0..40 {
        out.push(enc(200, vec![t("alice")]));
    }
    for i in 0..30 {
        out.push(enc(170, vec![t("alice"), t("bob"), EncValue::Int(1_700_000_000 + i), t("你好，今天下午开会吗？ see you at 3"), EncValue::Bool(false)]));
    }
    for _ in 0..10 {
        out.push(enc(135, vec![t("alice"), EncValue::Int(2)]));
        out.push(enc(136, vec![t("bob"), t("alice"), EncValue::Int(2)]));
    }
    out.push(enc(112, vec![t("alice"), t("secret123"), EncValue::Int(0)]));
    out.push(enc(115, vec![EncValue::Int(1), EncValue::Int(20), EncValue::List((0..20).map(buddy).collect())]));
    out.push(enc(118, vec![EncValue::Int(1), EncValue::Int(5), EncValue::List((0..5).map(online).collect())]));
    out.push(enc(180, vec![t("alice"), t("bob"), t("report.pdf"), EncValue::Int(123456), EncValue::Int(7), EncValue::Bool(false)]));
    out.push(enc(195, vec![t("alice"), EncValue::Int(2), EncValue::Dict(vec![(EncValue::Int(1), t("bo")), (EncValue::Int(8), t("上海"))])]));
    out
}

fn bench(c: &mut Criterion) {
    let msgs = mix();
    let bytes: usize = msgs.iter().map(Vec::len).sum();
    let dec = Decoder::new(Schema::standard(), Options::default());
    let mut out = Decoded::new();
    let mut g = c.benchmark_group("decode_mix");
    g.throughput(Throughput::Elements(msgs.len() as u64));
    g.bench_function("messages", |b| {
        b.iter(|| {
            for m in &msgs {
                let _ = dec.decode_into(black_box(m), &mut out);
            }
            black_box(out.items.len())
        })
    });
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("bytes", |b| {
        b.iter(|| {
            for m in &msgs {
                let _ = dec.decode_into(black_box(m), &mut out);
            }
            black_box(out.items.len())
        })
    });
    g.finish();
}

/// A plain loop, so the headline figures are printed whatever criterion says.
fn summary() {
    let msgs = mix();
    let bytes: usize = msgs.iter().map(Vec::len).sum();
    let dec = Decoder::new(Schema::standard(), Options::default());
    let mut out = Decoded::new();
    let rounds = 20_000;
    let start = Instant::now();
    for _ in 0..rounds {
        for m in &msgs {
            let _ = dec.decode_into(black_box(m), &mut out);
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let n = (rounds * msgs.len()) as f64;
    println!(
        "decode mix: {} messages of {:.0} bytes on average; {:.2} million messages/s, {:.0} MB/s on one core (target: 5 million/s, ratio {:.2})",
        msgs.len(),
        bytes as f64 / msgs.len() as f64,
        n / secs / 1e6,
        (rounds * bytes) as f64 / secs / 1e6,
        n / secs / 5e6
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    summary();
    Criterion::default().configure_from_args().final_summary();
}
