//! The messages and policies the secure-headers benchmarks measure (shared by `headers` and
//! `allocations`).

use secure_headers::Policy;

/// draft-05 Appendix B's four fields.
pub const FOUR_FIELDS: &[u8] = b"From: John Doe <jdoe@example.com>\r\n\
To: Mary Smith <mary@example.com>\r\n\
Subject: This is a test\r\n\
X-ximf-primary-precedence: priority\r\n\
\r\n\
Hello.\r\n";

/// A policy securing the four fields.
pub fn four_field_policy() -> Policy {
    Policy::from_toml_str(
        "[secure_headers]\nfields = [\"From\", \"To\", \"Subject\", \"X-ximf-primary-precedence\"]\n\
         mandatory = [\"From\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// A 40-field header block as a message that crossed a few relays arrives: trace fields,
/// authentication results, a folded DKIM signature, list headers and the originator fields.
pub fn forty_fields() -> Vec<u8> {
    let mut message = String::new();
    for hop in 0..12 {
        message.push_str(&format!(
            "Received: from relay{hop}.example.net (relay{hop}.example.net [192.0.2.{hop}])\r\n\
             \tby mx{hop}.example.com with ESMTPS id {hop:08X}\r\n\
             \tfor <mary@example.com>; Mon, 23 Nov 2026 10:{hop:02}:00 +0000\r\n"
        ));
    }
    message.push_str(
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=sel;\r\n\
         \th=from:to:subject:date:message-id; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n\
         \tb=dzdVyOfAKCdLXdJOc9G2q8LoXSlEniSbav+yuU4zGeeruD00lszZVoG4ZHRNiYzR\r\n",
    );
    message.push_str("Authentication-Results: mx.example.com; dkim=pass header.d=example.com\r\n");
    message
        .push_str("ARC-Seal: i=1; a=rsa-sha256; t=1795600000; cv=none; d=example.com; s=arc\r\n");
    for i in 0..6 {
        message.push_str(&format!("X-Scanner-{i}: clean (engine {i}.0)\r\n"));
    }
    message.push_str(
        "From: John Doe <jdoe@example.com>\r\n\
         Sender: John Doe <jdoe@example.com>\r\n\
         Reply-To: John Doe <jdoe@example.com>\r\n\
         To: Mary Smith <mary@example.com>, Bob <bob@example.org>\r\n\
         Cc: team@example.com\r\n\
         Subject: Re: Quarterly results\r\n\
         \tand the plan for next year\r\n\
         Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\
         Message-ID: <20261123100000.1@example.com>\r\n\
         In-Reply-To: <20261122090000.7@example.com>\r\n\
         References: <20261120080000.3@example.com> <20261122090000.7@example.com>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\
         List-Id: Team <team.example.com>\r\n\
         Precedence: list\r\n\
         \r\n\
         Hello.\r\n",
    );
    message.into_bytes()
}

/// Secures the originator and recipient fields, threading fields and every Received: 22 of
/// the 40 fields.
pub fn forty_field_policy() -> Policy {
    Policy::from_toml_str(
        "[secure_headers]\nfields = [\"From\", \"Sender\", \"Reply-To\", \"To\", \"Cc\", \"Subject\", \
         \"Date\", \"Message-ID\", \"In-Reply-To\", \"References\", \"Received\"]\n\
         mandatory = [\"From\", \"Date\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"))
}
