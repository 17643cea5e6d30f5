//! PGP/MIME (RFC 3156): whole messages in, whole messages out.
//!
//! Building: [`sign`] makes `multipart/signed; protocol="application/pgp-signature";
//! micalg=pgp-sha256` (§5), [`encrypt`] makes `multipart/encrypted;
//! protocol="application/pgp-encrypted"` (§4), signed inside the encryption when signers are
//! given (the combined form of §6.2). The message's header fields are copied into the
//! protected part (RFC 9788 header protection: `hp="clear"` when signed, `hp="cipher"` when
//! encrypted, where the outer Subject is replaced by `[...]`).
//!
//! Reading: [`open`] takes any of these (and the nested sign-then-encrypt of §6.1), decrypts
//! and verifies, and compares the protected header fields with the ones that arrived.

mod build;
mod header;
mod open;
mod parse;

pub use build::{encrypt, sign};
pub use open::{HeaderCheck, HeaderStatus, Opened, open};
pub use parse::{MimeKind, detect};
