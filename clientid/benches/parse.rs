//! Parsing speed of CLIENTID command lines and EHLO replies: ns per command.
//! Run: `cargo bench -p clientid --bench parse`.
#![allow(missing_docs)]

use std::hint::black_box;

use clientid::{ClientIdCommand, EhloReply};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const VALID: &[u8] = b"CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f\r\n";
const MALFORMED: &[u8] = b"CLIENTID MAC\r\n";
const EHLO: &[u8] = b"250-server.example.com\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n\
250-8BITMIME\r\n250-AUTH LOGIN PLAIN\r\n250-ENHANCEDSTATUSCODES\r\n250 CLIENTID\r\n";

fn bench_parse(c: &mut Criterion) {
    let longest = format!("CLIENTID {} {}\r\n", "T".repeat(16), "x".repeat(128));
    let mut group = c.benchmark_group("clientid/parse");
    group.throughput(Throughput::Elements(1));
    group.bench_function("valid (draft §8.1)", |b| {
        b.iter(|| ClientIdCommand::parse(black_box(VALID)))
    });
    group.bench_function("malformed (draft §8.4)", |b| {
        b.iter(|| ClientIdCommand::parse(black_box(MALFORMED)))
    });
    group.bench_function("longest valid (16 + 128)", |b| {
        b.iter(|| ClientIdCommand::parse(black_box(longest.as_bytes())))
    });
    group.finish();

    c.bench_function("clientid/ehlo/7 lines", |b| {
        b.iter(|| EhloReply::parse(black_box(EHLO)))
    });
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
