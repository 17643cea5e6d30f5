//! Message digests, computed in one pass over the bytes, optionally turning bare LF line
//! endings into CRLF on the way (RFC 8551 §3.1.1: text is signed in canonical form; a message
//! stored with LF endings is canonicalized while it is hashed, never copied).

use sha2::Digest as _;

use crate::algorithm::DigestAlgorithm;

/// A running digest of one of the [`DigestAlgorithm`]s.
#[derive(Clone)]
pub(crate) enum Hasher {
    Sha1(sha1::Sha1),
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl Hasher {
    pub(crate) fn new(algorithm: DigestAlgorithm) -> Hasher {
        match algorithm {
            DigestAlgorithm::Sha1 => Hasher::Sha1(sha1::Sha1::new()),
            DigestAlgorithm::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            DigestAlgorithm::Sha384 => Hasher::Sha384(sha2::Sha384::new()),
            DigestAlgorithm::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
        }
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha1(h) => h.update(data),
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha384(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
        }
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        match self {
            Hasher::Sha1(h) => h.finalize().to_vec(),
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha384(h) => h.finalize().to_vec(),
            Hasher::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

/// The digest of `data`.
pub(crate) fn digest(algorithm: DigestAlgorithm, data: &[u8]) -> Vec<u8> {
    let mut hasher = Hasher::new(algorithm);
    hasher.update(data);
    hasher.finish()
}

/// The digest of `data` with every bare LF hashed as CRLF.
pub(crate) fn digest_crlf(algorithm: DigestAlgorithm, data: &[u8]) -> Vec<u8> {
    let mut hasher = Hasher::new(algorithm);
    let mut start = 0;
    for lf in memchr::memchr_iter(b'\n', data) {
        if lf == 0 || data[lf - 1] != b'\r' {
            hasher.update(&data[start..lf]);
            hasher.update(b"\r\n");
            start = lf + 1;
        }
    }
    hasher.update(&data[start..]);
    hasher.finish()
}

/// Whether `data` has a LF not preceded by CR.
pub(crate) fn has_bare_lf(data: &[u8]) -> bool {
    memchr::memchr_iter(b'\n', data).any(|lf| lf == 0 || data[lf - 1] != b'\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_digest_equals_digest_of_canonical_text() {
        let lf = b"a\nb\r\nc\n\nd";
        let crlf = b"a\r\nb\r\nc\r\n\r\nd";
        for alg in [DigestAlgorithm::Sha256, DigestAlgorithm::Sha512] {
            assert_eq!(digest_crlf(alg, lf), digest(alg, crlf));
            assert_eq!(digest_crlf(alg, crlf), digest(alg, crlf));
        }
        assert!(has_bare_lf(lf));
        assert!(!has_bare_lf(crlf));
        assert!(has_bare_lf(b"\nx"));
    }

    #[test]
    fn sha256_of_abc_is_the_fips_vector() {
        assert_eq!(
            hex::encode(digest(DigestAlgorithm::Sha256, b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
