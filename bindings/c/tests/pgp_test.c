/* The OpenPGP C API as an MTA uses it: keys generated, exported and read back, detached and
 * inline signatures verified (good, tampered, unknown signer), encryption and decryption,
 * sign-then-encrypt, locked keys, a key store in a temporary directory, limits, PGP/MIME signed
 * and encrypted messages, error codes and details, NULL handling; every handle released.
 * Built with -Wall -Wextra -Werror -pedantic and run under valgrind by scripts/test. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, opendir, unlink, rmdir */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailsec.h"

static int failures = 0;

#define CHECK(cond)                                                              \
  do {                                                                           \
    if (!(cond)) {                                                               \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                                \
    }                                                                            \
  } while (0)

static const char *DATA = "The quarterly figures are attached.\r\n";
static const char *TAMPERED = "The quarterly figures are attached!\r\n";

static const char *MESSAGE =
    "From: Alice <alice@example.org>\r\n"
    "To: Bob <bob@example.net>\r\n"
    "Subject: Quarterly figures\r\n"
    "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
    "Message-ID: <1@example.org>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Hello Bob,\r\n"
    "the figures are attached.\r\n";

static const uint8_t *u8(const char *s) { return (const uint8_t *)s; }

static int str_equals(mailsec_str s, const char *expected) {
  return s.len == strlen(expected) && memcmp(s.data, expected, s.len) == 0;
}

static int str_same(mailsec_str a, mailsec_str b) {
  return a.len == b.len && memcmp(a.data, b.data, a.len) == 0;
}

/* Whether `needle` occurs in the `len` bytes at `data` (memmem is not C11). */
static int contains(const uint8_t *data, size_t len, const char *needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; n <= len && i <= len - n; i++) {
    if (memcmp(data + i, needle, n) == 0) {
      return 1;
    }
  }
  return 0;
}

static int bytes_contain(const mailsec_bytes *bytes, const char *needle) {
  return contains(mailsec_bytes_data(bytes), mailsec_bytes_len(bytes), needle);
}

static int bytes_start_with(const mailsec_bytes *bytes, const char *prefix) {
  size_t n = strlen(prefix);
  return mailsec_bytes_len(bytes) >= n && memcmp(mailsec_bytes_data(bytes), prefix, n) == 0;
}

static int bytes_equal(const mailsec_bytes *bytes, const char *expected) {
  return mailsec_bytes_len(bytes) == strlen(expected) &&
         memcmp(mailsec_bytes_data(bytes), expected, strlen(expected)) == 0;
}

static void fail(const char *what, mailsec_result r, const mailsec_error_detail *detail) {
  fprintf(stderr, "%s: result %u: %s\n", what, (unsigned)r, detail->message);
  exit(EXIT_FAILURE);
}

static mailsec_pgp_key *generate(const char *userid, const char *password) {
  mailsec_pgp_key *key = NULL;
  mailsec_error_detail detail;
  mailsec_result r =
      mailsec_pgp_key_generate(userid, NULL, NULL, password, 0, &key, NULL, &detail);
  if (r != MAILSEC_RESULT_OK) {
    fail("generate", r, &detail);
  }
  return key;
}

static mailsec_pgp_key *public_of(const mailsec_pgp_key *key) {
  mailsec_pgp_key *cert = NULL;
  mailsec_result r = mailsec_pgp_key_public(key, &cert);
  if (r != MAILSEC_RESULT_OK) {
    fprintf(stderr, "public: result %u\n", (unsigned)r);
    exit(EXIT_FAILURE);
  }
  return cert;
}

/* A detached signature of DATA by `signer`, with `flags`; the caller frees it. */
static mailsec_bytes *sign(const mailsec_pgp_key *signer, uint32_t flags) {
  const mailsec_pgp_key *signers[] = {signer};
  mailsec_bytes *signature = NULL;
  mailsec_error_detail detail;
  mailsec_result r =
      mailsec_pgp_sign(u8(DATA), strlen(DATA), signers, 1, flags, NULL, &signature, &detail);
  if (r != MAILSEC_RESULT_OK) {
    fail("sign", r, &detail);
  }
  return signature;
}

/* Verifies a detached signature over `data` against one certificate; the caller frees the
 * report. */
static mailsec_pgp_report *verify(const char *data, const mailsec_bytes *signature,
                                  const mailsec_pgp_key *cert) {
  const mailsec_pgp_key *certs[] = {cert};
  mailsec_pgp_report *report = NULL;
  mailsec_error_detail detail;
  mailsec_result r =
      mailsec_pgp_verify_detached(u8(data), strlen(data), mailsec_bytes_data(signature),
                                  mailsec_bytes_len(signature), certs, 1, NULL, &report, &detail);
  if (r != MAILSEC_RESULT_OK) {
    fail("verify", r, &detail);
  }
  return report;
}

static mailsec_pgp_signature signature_at(const mailsec_pgp_report *report, size_t index) {
  mailsec_pgp_signature signature;
  memset(&signature, 0, sizeof signature);
  CHECK(mailsec_pgp_report_signature(report, index, &signature) == MAILSEC_RESULT_OK);
  return signature;
}

/* Keys: properties, public part, exports read back, a key ring. */
static void test_keys(void) {
  mailsec_pgp_key *alice = NULL;
  mailsec_bytes *revocation = NULL;
  mailsec_error_detail detail;
  mailsec_result r = mailsec_pgp_key_generate("Alice <alice@example.org>", "cv25519", "rfc4880",
                                              NULL, 365u * 24 * 3600, &alice, &revocation, &detail);
  if (r != MAILSEC_RESULT_OK) {
    fail("generate alice", r, &detail);
  }
  CHECK(bytes_start_with(revocation, "-----BEGIN PGP PUBLIC KEY BLOCK-----"));
  CHECK(bytes_contain(revocation, "Revocation certificate for "));
  mailsec_bytes_free(revocation);

  mailsec_str fpr = mailsec_pgp_key_fingerprint(alice);
  CHECK(fpr.len == 40);
  CHECK(mailsec_pgp_key_id(alice).len == 16);
  CHECK(memcmp(fpr.data + 24, mailsec_pgp_key_id(alice).data, 16) == 0);
  CHECK(mailsec_pgp_key_user_id_count(alice) == 1);
  mailsec_str uid = {NULL, 0};
  CHECK(mailsec_pgp_key_user_id(alice, 0, &uid) == MAILSEC_RESULT_OK);
  CHECK(str_equals(uid, "Alice <alice@example.org>"));
  CHECK(mailsec_pgp_key_user_id(alice, 1, &uid) == MAILSEC_RESULT_INVALID_PARAMETER);
  CHECK(mailsec_pgp_key_has_secret(alice));
  CHECK(!mailsec_pgp_key_is_locked(alice));

  mailsec_pgp_key *cert = public_of(alice);
  CHECK(!mailsec_pgp_key_has_secret(cert));
  CHECK(str_same(mailsec_pgp_key_fingerprint(cert), fpr));

  /* The armored certificate reads back as the same key, without secrets. */
  mailsec_bytes *armored = NULL;
  CHECK(mailsec_pgp_key_export_cert(alice, MAILSEC_PGP_ARMOR, &armored, NULL) ==
        MAILSEC_RESULT_OK);
  CHECK(bytes_start_with(armored, "-----BEGIN PGP PUBLIC KEY BLOCK-----"));
  mailsec_pgp_key *read = NULL;
  CHECK(mailsec_pgp_key_from_bytes(mailsec_bytes_data(armored), mailsec_bytes_len(armored), &read,
                                   NULL) == MAILSEC_RESULT_OK);
  CHECK(str_same(mailsec_pgp_key_fingerprint(read), fpr));
  CHECK(!mailsec_pgp_key_has_secret(read));
  mailsec_pgp_key_free(read);

  /* The binary secret key reads back with its secrets. */
  mailsec_bytes *secret = NULL;
  CHECK(mailsec_pgp_key_export_secret(alice, 0, &secret, NULL) == MAILSEC_RESULT_OK);
  CHECK(mailsec_bytes_len(secret) > 0 && mailsec_bytes_data(secret)[0] != '-');
  read = NULL;
  CHECK(mailsec_pgp_key_from_bytes(mailsec_bytes_data(secret), mailsec_bytes_len(secret), &read,
                                   NULL) == MAILSEC_RESULT_OK);
  CHECK(mailsec_pgp_key_has_secret(read));
  CHECK(str_same(mailsec_pgp_key_fingerprint(read), fpr));
  mailsec_pgp_key_free(read);
  mailsec_bytes_free(secret);
  mailsec_bytes *armored_secret = NULL;
  CHECK(mailsec_pgp_key_export_secret(alice, MAILSEC_PGP_ARMOR, &armored_secret, NULL) ==
        MAILSEC_RESULT_OK);
  CHECK(bytes_start_with(armored_secret, "-----BEGIN PGP PRIVATE KEY BLOCK-----"));
  mailsec_bytes_free(armored_secret);

  /* A certificate has no secret to export. */
  secret = NULL;
  memset(&detail, 0, sizeof detail);
  CHECK(mailsec_pgp_key_export_secret(cert, 0, &secret, &detail) ==
        MAILSEC_RESULT_PGP_NO_SECRET_KEY);
  CHECK(secret == NULL);
  CHECK(strstr(detail.message, "no usable secret") != NULL);
  CHECK(mailsec_pgp_key_export_cert(alice, 4, &armored, NULL) == MAILSEC_RESULT_INVALID_FLAGS);

  /* A key ring of two certificates. */
  mailsec_pgp_key *bob = generate("Bob <bob@example.net>", NULL);
  mailsec_bytes *bob_armored = NULL;
  CHECK(mailsec_pgp_key_export_cert(bob, MAILSEC_PGP_ARMOR, &bob_armored, NULL) ==
        MAILSEC_RESULT_OK);
  size_t ring_len = mailsec_bytes_len(armored) + mailsec_bytes_len(bob_armored);
  uint8_t *ring = malloc(ring_len);
  if (ring == NULL) {
    perror("malloc");
    exit(EXIT_FAILURE);
  }
  memcpy(ring, mailsec_bytes_data(armored), mailsec_bytes_len(armored));
  memcpy(ring + mailsec_bytes_len(armored), mailsec_bytes_data(bob_armored),
         mailsec_bytes_len(bob_armored));
  mailsec_pgp_key_list *list = NULL;
  CHECK(mailsec_pgp_key_list_from_bytes(ring, ring_len, NULL, &list, NULL) == MAILSEC_RESULT_OK);
  CHECK(mailsec_pgp_key_list_count(list) == 2);
  mailsec_pgp_key *second = NULL;
  CHECK(mailsec_pgp_key_list_get(list, 1, &second) == MAILSEC_RESULT_OK);
  CHECK(str_same(mailsec_pgp_key_fingerprint(second), mailsec_pgp_key_fingerprint(bob)));
  mailsec_pgp_key *none = NULL;
  CHECK(mailsec_pgp_key_list_get(list, 2, &none) == MAILSEC_RESULT_INVALID_PARAMETER);
  CHECK(none == NULL);
  mailsec_pgp_key_list_free(list);
  /* The key taken from the list outlives it. */
  CHECK(mailsec_pgp_key_user_id_count(second) == 1);
  mailsec_pgp_key_free(second);

  /* The policy's certificate limit applies to key rings. */
  mailsec_pgp_policy *policy = NULL;
  CHECK(mailsec_pgp_policy_new(&policy) == MAILSEC_RESULT_OK);
  CHECK(mailsec_pgp_policy_set_limit(policy, "certificates", 1) == MAILSEC_RESULT_OK);
  list = NULL;
  memset(&detail, 0, sizeof detail);
  CHECK(mailsec_pgp_key_list_from_bytes(ring, ring_len, policy, &list, &detail) ==
        MAILSEC_RESULT_PGP_LIMIT_EXCEEDED);
  CHECK(list == NULL);
  CHECK(strstr(detail.message, "certificates") != NULL);
  mailsec_pgp_policy_free(policy);
  free(ring);

  mailsec_bytes_free(bob_armored);
  mailsec_bytes_free(armored);
  mailsec_pgp_key_free(bob);
  mailsec_pgp_key_free(cert);
  mailsec_pgp_key_free(alice);
}

/* Generation options: RSA, version 6, unknown names, an empty user ID. */
static void test_generation_options(void) {
  mailsec_pgp_key *key = NULL;
  mailsec_error_detail detail;
  CHECK(mailsec_pgp_key_generate("Carol <carol@example.org>", "cv25519", "rfc9580", NULL, 0, &key,
                                 NULL, NULL) == MAILSEC_RESULT_OK);
  CHECK(mailsec_pgp_key_fingerprint(key).len == 64);
  mailsec_pgp_key_free(key);

  key = NULL;
  memset(&detail, 0, sizeof detail);
  CHECK(mailsec_pgp_key_generate("Carol <carol@example.org>", "rsa1k", NULL, NULL, 0, &key, NULL,
                                 &detail) == MAILSEC_RESULT_INVALID_PARAMETER);
  CHECK(key == NULL);
  CHECK(strstr(detail.message, "rsa1k") != NULL);
  CHECK(mailsec_pgp_key_generate("Carol <carol@example.org>", NULL, "rfc1991", NULL, 0, &key, NULL,
                                 &detail) == MAILSEC_RESULT_INVALID_PARAMETER);
  CHECK(mailsec_pgp_key_generate("  ", NULL, NULL, NULL, 0, &key, NULL, &detail) ==
        MAILSEC_RESULT_PGP_USAGE);
  CHECK(key == NULL);
}

/* Detached and inline signatures: good, tampered, unknown signer; reports as text and JSON. */
static void test_sign_and_verify(void) {
  mailsec_pgp_key *alice = generate("Alice <alice@example.org>", NULL);
  mailsec_pgp_key *bob = generate("Bob <bob@example.net>", NULL);
  mailsec_pgp_key *alice_cert = public_of(alice);
  mailsec_pgp_key *bob_cert = public_of(bob);

  mailsec_bytes *signature = sign(alice, MAILSEC_PGP_ARMOR);
  CHECK(bytes_start_with(signature, "-----BEGIN PGP SIGNATURE-----"));

  /* Good. */
  mailsec_pgp_report *report = verify(DATA, signature, alice_cert);
  CHECK(mailsec_pgp_report_is_valid(report));
  CHECK(mailsec_pgp_report_signature_count(report) == 1);
  mailsec_pgp_signature s = signature_at(report, 0);
  CHECK(s.verdict == MAILSEC_PGP_VERDICT_GOOD);
  CHECK(str_equals(s.verdict_name, "good"));
  CHECK(str_same(s.signer_fingerprint, mailsec_pgp_key_fingerprint(alice)));
  CHECK(s.signing_key_fingerprint.len == 40);
  CHECK(str_equals(s.signer_user_id, "Alice <alice@example.org>"));
  CHECK(str_equals(s.hash_algorithm, "SHA256"));
  CHECK(str_equals(s.public_key_algorithm, "EdDSA"));
  CHECK(s.issuer.len > 0);
  CHECK(s.created > 1700000000u);
  CHECK(s.detail.len == 0);
  mailsec_pgp_signature untouched;
  memset(&untouched, 0, sizeof untouched);
  CHECK(mailsec_pgp_report_signature(report, 1, &untouched) == MAILSEC_RESULT_INVALID_PARAMETER);
  CHECK(untouched.verdict == 0);
  mailsec_bytes *json = NULL;
  CHECK(mailsec_pgp_report_json(report, &json) == MAILSEC_RESULT_OK);
  CHECK(bytes_contain(json, "\"valid\":true"));
  CHECK(bytes_contain(json, "\"verdict\":\"good\""));
  CHECK(bytes_contain(json, "\"hash_algorithm\":\"SHA256\""));
  mailsec_bytes_free(json);
  mailsec_bytes *text = NULL;
  CHECK(mailsec_pgp_report_text(report, &text) == MAILSEC_RESULT_OK);
  CHECK(bytes_contain(text, "signature 1: good by Alice <alice@example.org>"));
  mailsec_bytes_free(text);
  mailsec_pgp_report_free(report);

  /* The same signature as a secret key verifies too; a binary signature as well. */
  report = verify(DATA, signature, alice);
  CHECK(mailsec_pgp_report_is_valid(report));
  mailsec_pgp_report_free(report);
  mailsec_bytes *binary = sign(alice, 0);
  CHECK(mailsec_bytes_len(binary) > 0 && mailsec_bytes_data(binary)[0] != '-');
  report = verify(DATA, binary, alice_cert);
  CHECK(mailsec_pgp_report_is_valid(report));
  mailsec_pgp_report_free(report);
  mailsec_bytes_free(binary);

  /* Tampered data: a bad signature, not an error. */
  report = verify(TAMPERED, signature, alice_cert);
  CHECK(!mailsec_pgp_report_is_valid(report));
  CHECK(mailsec_pgp_report_signature_count(report) == 1);
  s = signature_at(report, 0);
  CHECK(s.verdict == MAILSEC_PGP_VERDICT_BAD);
  CHECK(str_equals(s.verdict_name, "bad"));
  CHECK(s.detail.len > 0);
  json = NULL;
  CHECK(mailsec_pgp_report_json(report, &json) == MAILSEC_RESULT_OK);
  CHECK(bytes_contain(json, "\"valid\":false"));
  CHECK(bytes_contain(json, "\"verdict\":\"bad\""));
  mailsec_bytes_free(json);
  mailsec_pgp_report_free(report);

  /* Checked against Bob's certificate only: the signer is unknown. */
  report = verify(DATA, signature, bob_cert);
  CHECK(!mailsec_pgp_report_is_valid(report));
  s = signature_at(report, 0);
  CHECK(s.verdict == MAILSEC_PGP_VERDICT_UNKNOWN_SIGNER);
  CHECK(str_equals(s.verdict_name, "unknown-signer"));
  CHECK(s.signer_fingerprint.len == 0);
  CHECK(s.issuer.len > 0);
  mailsec_pgp_report_free(report);

  /* Two signers, both verified. */
  const mailsec_pgp_key *both[] = {alice, bob};
  mailsec_bytes *double_signed = NULL;
  CHECK(mailsec_pgp_sign(u8(DATA), strlen(DATA), both, 2, 0, NULL, &double_signed, NULL) ==
        MAILSEC_RESULT_OK);
  const mailsec_pgp_key *certs[] = {alice_cert, bob_cert};
  report = NULL;
  CHECK(mailsec_pgp_verify_detached(u8(DATA), strlen(DATA), mailsec_bytes_data(double_signed),
                                    mailsec_bytes_len(double_signed), certs, 2, NULL, &report,
                                    NULL) == MAILSEC_RESULT_OK);
  CHECK(mailsec_pgp_report_is_valid(report));
  CHECK(mailsec_pgp_report_signature_count(report) == 2);
  CHECK(signature_at(report, 0).verdict == MAILSEC_PGP_VERDICT_GOOD);
  CHECK(signature_at(report, 1).verdict == MAILSEC_PGP_VERDICT_GOOD);
  mailsec_pgp_report_free(report);
  mailsec_bytes_free(double_signed);

  /* Inline: the message carries the data. */
  mailsec_bytes *inline_signed = sign(alice, MAILSEC_PGP_INLINE | MAILSEC_PGP_ARMOR);
  CHECK(bytes_start_with(inline_signed, "-----BEGIN PGP MESSAGE-----"));
  const mailsec_pgp_key *alice_only[] = {alice_cert};
  mailsec_bytes *content = NULL;
  report = NULL;
  CHECK(mailsec_pgp_verify_inline(mailsec_bytes_data(inline_signed),
                                  mailsec_bytes_len(inline_signed), alice_only, 1, NULL, &content,
                                  &report, NULL) == MAILSEC_RESULT_OK);
  CHECK(bytes_equal(content, DATA));
  CHECK(mailsec_pgp_report_is_valid(report));
  CHECK(signature_at(report, 0).verdict == MAILSEC_PGP_VERDICT_GOOD);
  mailsec_bytes_free(content);
  mailsec_pgp_report_free(report);
  mailsec_bytes_free(inline_signed);

  /* Unreadable signatures and messages are errors. */
  mailsec_error_detail detail;
  memset(&detail, 0, sizeof detail);
  report = NULL;
  CHECK(mailsec_pgp_verify_detached(u8(DATA), strlen(DATA), u8("not a signature"), 15, alice_only,
                                    1, NULL, &report, &detail) == MAILSEC_RESULT_PGP_MALFORMED);
  CHECK(report == NULL);
  CHECK(strstr(detail.message, "malformed OpenPGP") != NULL);
  content = NULL;
  CHECK(mailsec_pgp_verify_inline(u8("not a message"), 13, alice_only, 1, NULL, &content, &report,
                                  NULL) == MAILSEC_RESULT_PGP_MALFORMED);
  CHECK(content == NULL && report == NULL);

  mailsec_bytes_free(signature);
  mailsec_pgp_key_free(bob_cert);
  mailsec_pgp_key_free(alice_cert);
  mailsec_pgp_key_free(bob);
  mailsec_pgp_key_free(alice);
}

/* Encryption to Bob, decryption by Bob, not by Alice; sign-then-encrypt. */
static void test_encrypt_and_decrypt(void) {
  mailsec_pgp_key *alice = generate("Alice <alice@example.org>", NULL);
  mailsec_pgp_key *bob = generate("Bob <bob@example.net>", NULL);
  mailsec_pgp_key *alice_cert = public_of(alice);
  mailsec_pgp_key *bob_cert = public_of(bob);
  const mailsec_pgp_key *to_bob[] = {bob_cert};
  const mailsec_pgp_key *bob_keys[] = {bob};
  const mailsec_pgp_key *alice_keys[] = {alice};
  const mailsec_pgp_key *alice_certs[] = {alice_cert};

  mailsec_bytes *encrypted = NULL;
  mailsec_error_detail detail;
  mailsec_result r = mailsec_pgp_encrypt(u8(DATA), strlen(DATA), to_bob, 1, NULL, 0,
                                         MAILSEC_PGP_ARMOR, NULL, &encrypted, &detail);
  if (r != MAILSEC_RESULT_OK) {
    fail("encrypt", r, &detail);
  }
  CHECK(bytes_start_with(encrypted, "-----BEGIN PGP MESSAGE-----"));
  CHECK(!bytes_contain(encrypted, "quarterly"));

  mailsec_bytes *content = NULL;
  mailsec_pgp_decryption *decryption = NULL;
  r = mailsec_pgp_decrypt(mailsec_bytes_data(encrypted), mailsec_bytes_len(encrypted), bob_keys, 1,
                          NULL, 0, NULL, &content, &decryption, &detail);
  if (r != MAILSEC_RESULT_OK) {
    fail("decrypt", r, &detail);
  }
  CHECK(bytes_equal(content, DATA));
  CHECK(str_same(mailsec_pgp_decryption_decrypted_with_cert(decryption),
                 mailsec_pgp_key_fingerprint(bob)));
  /* The encryption subkey decrypted, not the primary key. */
  CHECK(mailsec_pgp_decryption_decrypted_with(decryption).len == 40);
  CHECK(!str_same(mailsec_pgp_decryption_decrypted_with(decryption),
                  mailsec_pgp_key_fingerprint(bob)));
  CHECK(str_equals(mailsec_pgp_decryption_symmetric_algorithm(decryption), "AES-256"));
  mailsec_pgp_protection protection = 0;
  CHECK(mailsec_pgp_decryption_protection(decryption, &protection) == MAILSEC_RESULT_OK);
  CHECK(protection == MAILSEC_PGP_PROTECTION_SEIPD_V1);
  mailsec_pgp_report *signatures = NULL;
  CHECK(mailsec_pgp_decryption_signatures(decryption, &signatures) == MAILSEC_RESULT_OK);
  CHECK(mailsec_pgp_report_signature_count(signatures) == 0);
  CHECK(!mailsec_pgp_report_is_valid(signatures));
  mailsec_pgp_report_free(signatures);
  mailsec_bytes *json = NULL;
  CHECK(mailsec_pgp_decryption_json(decryption, &json) == MAILSEC_RESULT_OK);
  CHECK(bytes_contain(json, "\"protection\":\"seipd-v1\""));
  CHECK(bytes_contain(json, "\"decrypted_with_cert\":\""));
  mailsec_bytes_free(json);
  mailsec_bytes_free(content);
  mailsec_pgp_decryption_free(decryption);

  /* Alice's key is not a recipient. */
  content = NULL;
  decryption = NULL;
  memset(&detail, 0, sizeof detail);
  CHECK(mailsec_pgp_decrypt(mailsec_bytes_data(encrypted), mailsec_bytes_len(encrypted),
                            alice_keys, 1, NULL, 0, NULL, &content, &decryption,
                            &detail) == MAILSEC_RESULT_PGP_NO_DECRYPTION_KEY);
  CHECK(content == NULL && decryption == NULL);
  CHECK(strstr(detail.message, "no secret key can decrypt") != NULL);
  mailsec_bytes_free(encrypted);

  /* Sign-then-encrypt: Alice signs inside the encryption to Bob. */
  encrypted = NULL;
  r = mailsec_pgp_encrypt(u8(DATA), strlen(DATA), to_bob, 1, alice_keys, 1, 0, NULL, &encrypted,
                          &detail);
  if (r != MAILSEC_RESULT_OK) {
    fail("sign and encrypt", r, &detail);
  }
  CHECK(mailsec_bytes_len(encrypted) > 0 && mailsec_bytes_data(encrypted)[0] != '-');
  r = mailsec_pgp_decrypt(mailsec_bytes_data(encrypted), mailsec_bytes_len(encrypted), bob_keys, 1,
                          alice_certs, 1, NULL, &content, &decryption, &detail);
  if (r != MAILSEC_RESULT_OK) {
    fail("decrypt and verify", r, &detail);
  }
  CHECK(bytes_equal(content, DATA));
  signatures = NULL;
  CHECK(mailsec_pgp_decryption_signatures(decryption, &signatures) == MAILSEC_RESULT_OK);
  CHECK(mailsec_pgp_report_is_valid(signatures));
  CHECK(mailsec_pgp_report_signature_count(signatures) == 1);
  mailsec_pgp_signature s = signature_at(signatures, 0);
  CHECK(s.verdict == MAILSEC_PGP_VERDICT_GOOD);
  CHECK(str_same(s.signer_fingerprint, mailsec_pgp_key_fingerprint(alice)));
  mailsec_pgp_report_free(signatures);
  mailsec_bytes_free(content);
  mailsec_pgp_decryption_free(decryption);

  /* Decrypted without Alice's certificate: decrypted, but her signature is unknown. */
  r = mailsec_pgp_decrypt(mailsec_bytes_data(encrypted), mailsec_bytes_len(encrypted), bob_keys, 1,
                          NULL, 0, NULL, &content, &decryption, &detail);
  CHECK(r == MAILSEC_RESULT_OK);
  if (r == MAILSEC_RESULT_OK) {
    signatures = NULL;
    CHECK(mailsec_pgp_decryption_signatures(decryption, &signatures) == MAILSEC_RESULT_OK);
    CHECK(!mailsec_pgp_report_is_valid(signatures));
    CHECK(signature_at(signatures, 0).verdict == MAILSEC_PGP_VERDICT_UNKNOWN_SIGNER);
    mailsec_pgp_report_free(signatures);
    mailsec_bytes_free(content);
    mailsec_pgp_decryption_free(decryption);
  }
  mailsec_bytes_free(encrypted);

  /* Nothing to encrypt to; garbage to decrypt. */
  encrypted = NULL;
  CHECK(mailsec_pgp_encrypt(u8(DATA), strlen(DATA), NULL, 0, NULL, 0, 0, NULL, &encrypted,
                            NULL) == MAILSEC_RESULT_PGP_USAGE);
  CHECK(encrypted == NULL);
  CHECK(mailsec_pgp_encrypt(u8(DATA), strlen(DATA), to_bob, 1, NULL, 0, 2, NULL, &encrypted,
                            NULL) == MAILSEC_RESULT_INVALID_FLAGS);
  content = NULL;
  decryption = NULL;
  CHECK(mailsec_pgp_decrypt(u8("garbage"), 7, bob_keys, 1, NULL, 0, NULL, &content, &decryption,
                            NULL) == MAILSEC_RESULT_PGP_MALFORMED);
  CHECK(content == NULL && decryption == NULL);

  /* Too many recipients for the policy. */
  mailsec_pgp_policy *policy = NULL;
  CHECK(mailsec_pgp_policy_new(&policy) == MAILSEC_RESULT_OK);
  CHECK(mailsec_pgp_policy_set_limit(policy, "recipients", 1) == MAILSEC_RESULT_OK);
  const mailsec_pgp_key *two[] = {bob_cert, alice_cert};
  memset(&detail, 0, sizeof detail);
  CHECK(mailsec_pgp_encrypt(u8(DATA), strlen(DATA), two, 2, NULL, 0, 0, policy, &encrypted,
                            &detail) == MAILSEC_RESULT_PGP_LIMIT_EXCEEDED);
  CHECK(strstr(detail.message, "recipients") != NULL);
  mailsec_pgp_policy_free(policy);

  mailsec_pgp_key_free(bob_cert);
  mailsec_pgp_key_free(alice_cert);
  mailsec_pgp_key_free(bob);
  mailsec_pgp_key_free(alice);
}

/* A password-protected key signs and decrypts only once unlocked with the right password. */
static void test_locked_key(void) {
  mailsec_pgp_key *dave = generate("Dave <dave@example.org>", "correct horse");
  CHECK(mailsec_pgp_key_has_secret(dave));
  CHECK(mailsec_pgp_key_is_locked(dave));
  const mailsec_pgp_key *signers[] = {dave};
  mailsec_bytes *signature = NULL;
  mailsec_error_detail detail;
  memset(&detail, 0, sizeof detail);
  CHECK(mailsec_pgp_sign(u8(DATA), strlen(DATA), signers, 1, 0, NULL, &signature, &detail) ==
        MAILSEC_RESULT_PGP_LOCKED);
  CHECK(signature == NULL);
  CHECK(strstr(detail.message, "is locked") != NULL);

  /* Decryption refuses a locked key before trying it. */
  mailsec_pgp_key *dave_cert = public_of(dave);
  const mailsec_pgp_key *to_dave[] = {dave_cert};
  mailsec_bytes *encrypted = NULL;
  CHECK(mailsec_pgp_encrypt(u8(DATA), strlen(DATA), to_dave, 1, NULL, 0, 0, NULL, &encrypted,
                            NULL) == MAILSEC_RESULT_OK);
  mailsec_bytes *content = NULL;
  mailsec_pgp_decryption *decryption = NULL;
  CHECK(mailsec_pgp_decrypt(mailsec_bytes_data(encrypted), mailsec_bytes_len(encrypted), signers,
                            1, NULL, 0, NULL, &content, &decryption,
                            NULL) == MAILSEC_RESULT_PGP_LOCKED);
  CHECK(content == NULL && decryption == NULL);

  /* A wrong password. */
  mailsec_pgp_key *unlocked = NULL;
  memset(&detail, 0, sizeof detail);
  CHECK(mailsec_pgp_key_unlock(dave, "wrong", &unlocked, &detail) == MAILSEC_RESULT_PGP_LOCKED);
  CHECK(unlocked == NULL);
  CHECK(detail.message[0] != '\0');

  /* The right one: the copy signs and decrypts, the original stays locked. */
  CHECK(mailsec_pgp_key_unlock(dave, "correct horse", &unlocked, NULL) == MAILSEC_RESULT_OK);
  CHECK(!mailsec_pgp_key_is_locked(unlocked));
  CHECK(mailsec_pgp_key_is_locked(dave));
  CHECK(str_same(mailsec_pgp_key_fingerprint(unlocked), mailsec_pgp_key_fingerprint(dave)));
  signature = sign(unlocked, 0);
  mailsec_pgp_report *report = verify(DATA, signature, dave_cert);
  CHECK(mailsec_pgp_report_is_valid(report));
  mailsec_pgp_report_free(report);
  mailsec_bytes_free(signature);
  const mailsec_pgp_key *unlocked_keys[] = {unlocked};
  CHECK(mailsec_pgp_decrypt(mailsec_bytes_data(encrypted), mailsec_bytes_len(encrypted),
                            unlocked_keys, 1, NULL, 0, NULL, &content, &decryption,
                            NULL) == MAILSEC_RESULT_OK);
  CHECK(bytes_equal(content, DATA));
  mailsec_bytes_free(content);
  mailsec_pgp_decryption_free(decryption);
  mailsec_bytes_free(encrypted);

  /* Locked with a new password, the old one no longer opens it (each password check costs a
   * full S2K derivation, slow under valgrind, so the new password is not tried here). */
  mailsec_pgp_key *relocked = NULL;
  CHECK(mailsec_pgp_key_lock(unlocked, "battery staple", &relocked, NULL) == MAILSEC_RESULT_OK);
  CHECK(mailsec_pgp_key_is_locked(relocked));
  mailsec_pgp_key *again = NULL;
  CHECK(mailsec_pgp_key_unlock(relocked, "correct horse", &again, NULL) ==
        MAILSEC_RESULT_PGP_LOCKED);
  CHECK(again == NULL);
  /* A key still locked cannot take another password. */
  mailsec_pgp_key *twice = NULL;
  CHECK(mailsec_pgp_key_lock(dave, "other", &twice, NULL) == MAILSEC_RESULT_PGP_LOCKED);
  CHECK(twice == NULL);
  mailsec_pgp_key_free(relocked);

  mailsec_pgp_key_free(unlocked);
  mailsec_pgp_key_free(dave_cert);
  mailsec_pgp_key_free(dave);
}

/* Removes the store's files and directory. */
static void remove_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (d == NULL) {
    perror(dir);
    failures++;
    return;
  }
  struct dirent *entry;
  char path[4096];
  while ((entry = readdir(d)) != NULL) {
    if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) {
      continue;
    }
    snprintf(path, sizeof path, "%s/%s", dir, entry->d_name);
    if (unlink(path) != 0) {
      perror(path);
      failures++;
    }
  }
  closedir(d);
  if (rmdir(dir) != 0) {
    perror(dir);
    failures++;
  }
}

/* A key store in a temporary directory: insert, merge, look up by address and ID, list, remove,
 * and a second handle on the same directory sees it all. */
static void test_keystore(void) {
  char dir[] = "/tmp/mailsec-pgp-XXXXXX";
  if (mkdtemp(dir) == NULL) {
    perror("mkdtemp");
    exit(EXIT_FAILURE);
  }
  char store_dir[sizeof dir + 8];
  snprintf(store_dir, sizeof store_dir, "%s/keys", dir);

  mailsec_pgp_keystore *store = NULL;
  mailsec_error_detail detail;
  mailsec_result r = mailsec_pgp_keystore_open(store_dir, &store, &detail);
  if (r != MAILSEC_RESULT_OK) {
    fail("keystore open", r, &detail);
  }
  mailsec_pgp_key *alice = generate("Alice <alice@example.org>", NULL);
  mailsec_pgp_key *bob = generate("Bob <bob@example.net>", NULL);
  mailsec_pgp_key *alice_cert = public_of(alice);

  mailsec_pgp_key *stored = NULL;
  CHECK(mailsec_pgp_keystore_insert(store, alice_cert, &stored, NULL) == MAILSEC_RESULT_OK);
  CHECK(!mailsec_pgp_key_has_secret(stored));
  mailsec_pgp_key_free(stored);
  CHECK(mailsec_pgp_keystore_insert(store, bob, NULL, NULL) == MAILSEC_RESULT_OK);
  /* Inserting Alice's secret key merges it into her stored certificate. */
  stored = NULL;
  CHECK(mailsec_pgp_keystore_insert(store, alice, &stored, NULL) == MAILSEC_RESULT_OK);
  CHECK(mailsec_pgp_key_has_secret(stored));
  mailsec_pgp_key_free(stored);

  mailsec_pgp_key_list *found = NULL;
  CHECK(mailsec_pgp_keystore_lookup(store, "<ALICE@example.org>", &found, NULL) ==
        MAILSEC_RESULT_OK);
  CHECK(mailsec_pgp_key_list_count(found) == 1);
  mailsec_pgp_key *first = NULL;
  CHECK(mailsec_pgp_key_list_get(found, 0, &first) == MAILSEC_RESULT_OK);
  CHECK(str_same(mailsec_pgp_key_fingerprint(first), mailsec_pgp_key_fingerprint(alice)));
  CHECK(mailsec_pgp_key_has_secret(first));
  mailsec_pgp_key_free(first);
  mailsec_pgp_key_list_free(found);

  /* By key ID, with 0x. */
  char query[32];
  mailsec_str id = mailsec_pgp_key_id(bob);
  snprintf(query, sizeof query, "0x%.*s", (int)id.len, id.data);
  found = NULL;
  CHECK(mailsec_pgp_keystore_lookup(store, query, &found, NULL) == MAILSEC_RESULT_OK);
  CHECK(mailsec_pgp_key_list_count(found) == 1);
  mailsec_pgp_key_list_free(found);

  found = NULL;
  CHECK(mailsec_pgp_keystore_lookup(store, "nobody@example.org", &found, NULL) ==
        MAILSEC_RESULT_OK);
  CHECK(mailsec_pgp_key_list_count(found) == 0);
  mailsec_pgp_key_list_free(found);

  /* A second handle on the directory sees both keys. */
  mailsec_pgp_keystore *other = NULL;
  CHECK(mailsec_pgp_keystore_open(store_dir, &other, NULL) == MAILSEC_RESULT_OK);
  mailsec_pgp_key_list *all = NULL;
  CHECK(mailsec_pgp_keystore_list(other, &all, NULL) == MAILSEC_RESULT_OK);
  CHECK(mailsec_pgp_key_list_count(all) == 2);
  mailsec_pgp_key_list_free(all);

  /* Removed, Alice is gone. */
  char fpr[80];
  mailsec_str alice_fpr = mailsec_pgp_key_fingerprint(alice);
  snprintf(fpr, sizeof fpr, "%.*s", (int)alice_fpr.len, alice_fpr.data);
  bool removed = false;
  CHECK(mailsec_pgp_keystore_remove(other, fpr, &removed, NULL) == MAILSEC_RESULT_OK);
  CHECK(removed);
  CHECK(mailsec_pgp_keystore_remove(other, fpr, &removed, NULL) == MAILSEC_RESULT_OK);
  CHECK(!removed);
  found = NULL;
  CHECK(mailsec_pgp_keystore_lookup(store, "alice@example.org", &found, NULL) ==
        MAILSEC_RESULT_OK);
  CHECK(mailsec_pgp_key_list_count(found) == 0);
  mailsec_pgp_key_list_free(found);
  mailsec_pgp_keystore_free(other);

  /* A store under a regular file cannot be opened. */
  char file_path[sizeof dir + 16];
  snprintf(file_path, sizeof file_path, "%s/file", dir);
  FILE *f = fopen(file_path, "w");
  if (f == NULL) {
    perror(file_path);
    exit(EXIT_FAILURE);
  }
  fclose(f);
  char under_file[sizeof file_path + 8];
  snprintf(under_file, sizeof under_file, "%s/keys", file_path);
  other = NULL;
  memset(&detail, 0, sizeof detail);
  CHECK(mailsec_pgp_keystore_open(under_file, &other, &detail) == MAILSEC_RESULT_PGP_STORE);
  CHECK(other == NULL);
  CHECK(strstr(detail.message, "key store") != NULL);
  CHECK(unlink(file_path) == 0);

  mailsec_pgp_key_free(alice_cert);
  mailsec_pgp_key_free(bob);
  mailsec_pgp_key_free(alice);
  mailsec_pgp_keystore_free(store);
  remove_dir(store_dir);
  CHECK(rmdir(dir) == 0);
}

/* The policy: limits by name, a validity time. */
static void test_policy(void) {
  mailsec_pgp_key *alice = generate("Alice <alice@example.org>", NULL);
  const mailsec_pgp_key *signers[] = {alice};
  mailsec_pgp_policy *policy = NULL;
  CHECK(mailsec_pgp_policy_new(&policy) == MAILSEC_RESULT_OK);
  CHECK(mailsec_pgp_policy_set_limit(policy, "input_bytes", 8) == MAILSEC_RESULT_OK);
  CHECK(mailsec_pgp_policy_set_limit(policy, "no_such_limit", 8) ==
        MAILSEC_RESULT_INVALID_PARAMETER);
  mailsec_bytes *signature = NULL;
  mailsec_error_detail detail;
  memset(&detail, 0, sizeof detail);
  CHECK(mailsec_pgp_sign(u8(DATA), strlen(DATA), signers, 1, 0, policy, &signature, &detail) ==
        MAILSEC_RESULT_PGP_LIMIT_EXCEEDED);
  CHECK(signature == NULL);
  CHECK(strstr(detail.message, "input_bytes") != NULL);
  mailsec_pgp_policy_free(policy);

  /* Judged in 2001, before the key existed, the signature is not good. */
  signature = sign(alice, 0);
  const mailsec_pgp_key *certs[] = {alice};
  policy = NULL;
  CHECK(mailsec_pgp_policy_new(&policy) == MAILSEC_RESULT_OK);
  CHECK(mailsec_pgp_policy_set_time(policy, 1000000000u) == MAILSEC_RESULT_OK);
  mailsec_pgp_report *report = NULL;
  CHECK(mailsec_pgp_verify_detached(u8(DATA), strlen(DATA), mailsec_bytes_data(signature),
                                    mailsec_bytes_len(signature), certs, 1, policy, &report,
                                    NULL) == MAILSEC_RESULT_OK);
  CHECK(!mailsec_pgp_report_is_valid(report));
  CHECK(mailsec_pgp_report_signature_count(report) == 1);
  CHECK(signature_at(report, 0).verdict != MAILSEC_PGP_VERDICT_GOOD);
  mailsec_pgp_report_free(report);
  mailsec_pgp_policy_free(policy);
  mailsec_bytes_free(signature);
  mailsec_pgp_key_free(alice);
}

/* PGP/MIME: a signed message and a signed-and-encrypted one, opened by the recipient. */
static void test_mime(void) {
  mailsec_pgp_key *alice = generate("Alice <alice@example.org>", NULL);
  mailsec_pgp_key *bob = generate("Bob <bob@example.net>", NULL);
  mailsec_pgp_key *alice_cert = public_of(alice);
  mailsec_pgp_key *bob_cert = public_of(bob);
  const mailsec_pgp_key *alice_keys[] = {alice};
  const mailsec_pgp_key *alice_certs[] = {alice_cert};
  const mailsec_pgp_key *bob_keys[] = {bob};
  const mailsec_pgp_key *recipients[] = {bob_cert, alice_cert};
  mailsec_error_detail detail;

  /* Signed (RFC 3156 §5). */
  mailsec_bytes *signed_message = NULL;
  mailsec_result r = mailsec_pgp_mime_sign(u8(MESSAGE), strlen(MESSAGE), alice_keys, 1, NULL,
                                           &signed_message, &detail);
  CHECK(r == MAILSEC_RESULT_OK);
  if (r != MAILSEC_RESULT_OK) {
    fprintf(stderr, "mime sign: result %u: %s\n", (unsigned)r, detail.message);
  } else {
    CHECK(bytes_contain(signed_message, "multipart/signed"));
    CHECK(bytes_contain(signed_message, "application/pgp-signature"));
    mailsec_pgp_mime_kind kind = 0;
    CHECK(mailsec_pgp_mime_detect(mailsec_bytes_data(signed_message),
                                  mailsec_bytes_len(signed_message), NULL, &kind,
                                  NULL) == MAILSEC_RESULT_OK);
    CHECK(kind == MAILSEC_PGP_MIME_KIND_SIGNED);
    mailsec_pgp_mime_opened *opened = NULL;
    r = mailsec_pgp_mime_open(mailsec_bytes_data(signed_message),
                              mailsec_bytes_len(signed_message), NULL, 0, alice_certs, 1, NULL,
                              &opened, &detail);
    CHECK(r == MAILSEC_RESULT_OK);
    if (r != MAILSEC_RESULT_OK) {
      fprintf(stderr, "mime open (signed): result %u: %s\n", (unsigned)r, detail.message);
    } else {
      CHECK(mailsec_pgp_mime_opened_is_valid(opened));
      CHECK(mailsec_pgp_mime_opened_is_signed(opened));
      CHECK(!mailsec_pgp_mime_opened_is_encrypted(opened));
      mailsec_bytes *content = NULL;
      CHECK(mailsec_pgp_mime_opened_content(opened, &content) == MAILSEC_RESULT_OK);
      CHECK(bytes_contain(content, "Hello Bob,\r\n"));
      mailsec_bytes_free(content);
      mailsec_pgp_report *report = NULL;
      CHECK(mailsec_pgp_mime_opened_signatures(opened, &report) == MAILSEC_RESULT_OK);
      CHECK(mailsec_pgp_report_is_valid(report));
      CHECK(mailsec_pgp_report_signature_count(report) == 1);
      mailsec_pgp_report_free(report);
      mailsec_bytes *json = NULL;
      CHECK(mailsec_pgp_mime_opened_json(opened, &json) == MAILSEC_RESULT_OK);
      CHECK(bytes_contain(json, "\"valid\":true"));
      CHECK(bytes_contain(json, "\"kind\":\"signed\""));
      mailsec_bytes_free(json);
      mailsec_bytes *text = NULL;
      CHECK(mailsec_pgp_mime_opened_text(opened, &text) == MAILSEC_RESULT_OK);
      CHECK(bytes_contain(text, "good"));
      mailsec_bytes_free(text);
      mailsec_pgp_mime_opened_free(opened);
    }
    mailsec_bytes_free(signed_message);
  }

  /* Signed and encrypted (RFC 3156 §6.2), to Bob and to Alice herself. */
  mailsec_bytes *encrypted = NULL;
  r = mailsec_pgp_mime_encrypt(u8(MESSAGE), strlen(MESSAGE), recipients, 2, alice_keys, 1, NULL,
                               &encrypted, &detail);
  CHECK(r == MAILSEC_RESULT_OK);
  if (r != MAILSEC_RESULT_OK) {
    fprintf(stderr, "mime encrypt: result %u: %s\n", (unsigned)r, detail.message);
  } else {
    CHECK(bytes_contain(encrypted, "multipart/encrypted"));
    CHECK(bytes_contain(encrypted, "application/pgp-encrypted"));
    CHECK(!bytes_contain(encrypted, "the figures are attached"));
    mailsec_pgp_mime_kind kind = 0;
    CHECK(mailsec_pgp_mime_detect(mailsec_bytes_data(encrypted), mailsec_bytes_len(encrypted),
                                  NULL, &kind, NULL) == MAILSEC_RESULT_OK);
    CHECK(kind == MAILSEC_PGP_MIME_KIND_ENCRYPTED);
    mailsec_pgp_mime_opened *opened = NULL;
    r = mailsec_pgp_mime_open(mailsec_bytes_data(encrypted), mailsec_bytes_len(encrypted),
                              bob_keys, 1, alice_certs, 1, NULL, &opened, &detail);
    CHECK(r == MAILSEC_RESULT_OK);
    if (r != MAILSEC_RESULT_OK) {
      fprintf(stderr, "mime open (encrypted): result %u: %s\n", (unsigned)r, detail.message);
    } else {
      CHECK(mailsec_pgp_mime_opened_is_valid(opened));
      CHECK(mailsec_pgp_mime_opened_is_encrypted(opened));
      CHECK(mailsec_pgp_mime_opened_is_signed(opened));
      mailsec_bytes *content = NULL;
      CHECK(mailsec_pgp_mime_opened_content(opened, &content) == MAILSEC_RESULT_OK);
      CHECK(bytes_contain(content, "the figures are attached.\r\n"));
      mailsec_bytes_free(content);
      mailsec_bytes *json = NULL;
      CHECK(mailsec_pgp_mime_opened_json(opened, &json) == MAILSEC_RESULT_OK);
      CHECK(bytes_contain(json, "\"valid\":true"));
      CHECK(bytes_contain(json, "\"kind\":\"encrypted\""));
      CHECK(bytes_contain(json, "\"decrypted_with_cert\":\""));
      mailsec_bytes_free(json);
      mailsec_pgp_mime_opened_free(opened);
    }
    /* Without a key that can decrypt it. */
    const mailsec_pgp_key *carol_keys[1];
    mailsec_pgp_key *carol = generate("Carol <carol@example.org>", NULL);
    carol_keys[0] = carol;
    opened = NULL;
    CHECK(mailsec_pgp_mime_open(mailsec_bytes_data(encrypted), mailsec_bytes_len(encrypted),
                                carol_keys, 1, alice_certs, 1, NULL, &opened,
                                NULL) == MAILSEC_RESULT_PGP_NO_DECRYPTION_KEY);
    CHECK(opened == NULL);
    mailsec_pgp_key_free(carol);
    mailsec_bytes_free(encrypted);
  }

  /* A message that is not PGP/MIME. */
  mailsec_pgp_mime_kind kind = 0;
  CHECK(mailsec_pgp_mime_detect(u8(MESSAGE), strlen(MESSAGE), NULL, &kind, NULL) ==
        MAILSEC_RESULT_OK);
  CHECK(kind == MAILSEC_PGP_MIME_KIND_OTHER);
  mailsec_pgp_mime_opened *opened = NULL;
  memset(&detail, 0, sizeof detail);
  CHECK(mailsec_pgp_mime_open(u8(MESSAGE), strlen(MESSAGE), bob_keys, 1, alice_certs, 1, NULL,
                              &opened, &detail) == MAILSEC_RESULT_PGP_MIME);
  CHECK(opened == NULL);

  mailsec_pgp_key_free(bob_cert);
  mailsec_pgp_key_free(alice_cert);
  mailsec_pgp_key_free(bob);
  mailsec_pgp_key_free(alice);
}

/* NULL where a pointer is required, unknown flags, indexes past the end, error texts. */
static void test_null_and_out_of_range_parameters(void) {
  mailsec_pgp_key *alice = generate("Alice <alice@example.org>", NULL);
  const mailsec_pgp_key *alice_keys[] = {alice};
  const mailsec_pgp_key *with_null[] = {alice, NULL};
  mailsec_pgp_key *key = NULL;
  mailsec_bytes *bytes = NULL;
  mailsec_pgp_report *report = NULL;
  mailsec_pgp_decryption *decryption = NULL;
  mailsec_pgp_mime_opened *opened = NULL;
  mailsec_pgp_key_list *list = NULL;
  mailsec_pgp_keystore *store = NULL;
  mailsec_pgp_policy *policy = NULL;
  mailsec_str str = {NULL, 0};
  bool flag = false;
  mailsec_pgp_protection protection = 0;
  mailsec_pgp_mime_kind kind = 0;
  mailsec_pgp_signature signature;
  memset(&signature, 0, sizeof signature);
  const mailsec_result null = MAILSEC_RESULT_NULL_PARAMETER;

  /* Keys. */
  CHECK(mailsec_pgp_key_generate(NULL, NULL, NULL, NULL, 0, &key, NULL, NULL) == null);
  CHECK(mailsec_pgp_key_generate("a <a@example.org>", NULL, NULL, NULL, 0, NULL, NULL, NULL) ==
        null);
  CHECK(mailsec_pgp_key_from_bytes(NULL, 10, &key, NULL) == null);
  CHECK(mailsec_pgp_key_from_bytes(u8("x"), 1, NULL, NULL) == null);
  CHECK(mailsec_pgp_key_from_bytes(u8("x"), 1, &key, NULL) == MAILSEC_RESULT_PGP_MALFORMED);
  CHECK(mailsec_pgp_key_from_bytes(NULL, 0, &key, NULL) == MAILSEC_RESULT_PGP_MALFORMED);
  CHECK(mailsec_pgp_key_unlock(NULL, "pw", &key, NULL) == null);
  CHECK(mailsec_pgp_key_unlock(alice, NULL, &key, NULL) == null);
  CHECK(mailsec_pgp_key_unlock(alice, "pw", NULL, NULL) == null);
  CHECK(mailsec_pgp_key_lock(NULL, "pw", &key, NULL) == null);
  CHECK(mailsec_pgp_key_public(NULL, &key) == null);
  CHECK(mailsec_pgp_key_public(alice, NULL) == null);
  CHECK(mailsec_pgp_key_export_cert(NULL, 0, &bytes, NULL) == null);
  CHECK(mailsec_pgp_key_export_cert(alice, 0, NULL, NULL) == null);
  CHECK(mailsec_pgp_key_export_secret(NULL, 0, &bytes, NULL) == null);
  CHECK(key == NULL && bytes == NULL);
  CHECK(mailsec_pgp_key_fingerprint(NULL).len == 0);
  CHECK(mailsec_pgp_key_fingerprint(NULL).data != NULL);
  CHECK(mailsec_pgp_key_id(NULL).len == 0);
  CHECK(mailsec_pgp_key_user_id_count(NULL) == 0);
  CHECK(mailsec_pgp_key_user_id(NULL, 0, &str) == null);
  CHECK(mailsec_pgp_key_user_id(alice, 0, NULL) == null);
  CHECK(!mailsec_pgp_key_has_secret(NULL));
  CHECK(!mailsec_pgp_key_is_locked(NULL));

  /* Key lists and stores. */
  CHECK(mailsec_pgp_key_list_from_bytes(NULL, 3, NULL, &list, NULL) == null);
  CHECK(mailsec_pgp_key_list_from_bytes(u8("x"), 1, NULL, NULL, NULL) == null);
  CHECK(mailsec_pgp_key_list_count(NULL) == 0);
  CHECK(mailsec_pgp_key_list_get(NULL, 0, &key) == null);
  CHECK(mailsec_pgp_keystore_open(NULL, &store, NULL) == null);
  CHECK(mailsec_pgp_keystore_open("/tmp", NULL, NULL) == null);
  CHECK(mailsec_pgp_keystore_insert(NULL, alice, NULL, NULL) == null);
  CHECK(mailsec_pgp_keystore_lookup(NULL, "a@example.org", &list, NULL) == null);
  CHECK(mailsec_pgp_keystore_list(NULL, &list, NULL) == null);
  CHECK(mailsec_pgp_keystore_remove(NULL, "00", &flag, NULL) == null);
  CHECK(list == NULL && store == NULL);

  /* Policy. */
  CHECK(mailsec_pgp_policy_new(NULL) == null);
  CHECK(mailsec_pgp_policy_set_time(NULL, 0) == null);
  CHECK(mailsec_pgp_policy_set_limit(NULL, "recipients", 1) == null);
  CHECK(mailsec_pgp_policy_new(&policy) == MAILSEC_RESULT_OK);
  CHECK(mailsec_pgp_policy_set_limit(policy, NULL, 1) == null);
  mailsec_pgp_policy_free(policy);

  /* Signing and verification. */
  CHECK(mailsec_pgp_sign(NULL, 4, alice_keys, 1, 0, NULL, &bytes, NULL) == null);
  CHECK(mailsec_pgp_sign(u8(DATA), strlen(DATA), NULL, 1, 0, NULL, &bytes, NULL) == null);
  CHECK(mailsec_pgp_sign(u8(DATA), strlen(DATA), with_null, 2, 0, NULL, &bytes, NULL) == null);
  CHECK(mailsec_pgp_sign(u8(DATA), strlen(DATA), alice_keys, 1, 0, NULL, NULL, NULL) == null);
  CHECK(mailsec_pgp_sign(u8(DATA), strlen(DATA), alice_keys, 1, 4, NULL, &bytes, NULL) ==
        MAILSEC_RESULT_INVALID_FLAGS);
  CHECK(mailsec_pgp_sign(u8(DATA), strlen(DATA), NULL, 0, 0, NULL, &bytes, NULL) ==
        MAILSEC_RESULT_PGP_USAGE);
  CHECK(bytes == NULL);
  CHECK(mailsec_pgp_verify_detached(u8(DATA), strlen(DATA), NULL, 5, alice_keys, 1, NULL, &report,
                                    NULL) == null);
  CHECK(mailsec_pgp_verify_detached(u8(DATA), strlen(DATA), u8("x"), 1, with_null, 2, NULL,
                                    &report, NULL) == null);
  CHECK(mailsec_pgp_verify_detached(u8(DATA), strlen(DATA), u8("x"), 1, alice_keys, 1, NULL, NULL,
                                    NULL) == null);
  CHECK(mailsec_pgp_verify_inline(NULL, 1, alice_keys, 1, NULL, &bytes, &report, NULL) == null);
  CHECK(mailsec_pgp_verify_inline(u8("x"), 1, alice_keys, 1, NULL, NULL, &report, NULL) == null);
  CHECK(mailsec_pgp_verify_inline(u8("x"), 1, alice_keys, 1, NULL, &bytes, NULL, NULL) == null);
  CHECK(bytes == NULL && report == NULL);
  CHECK(!mailsec_pgp_report_is_valid(NULL));
  CHECK(mailsec_pgp_report_signature_count(NULL) == 0);
  CHECK(mailsec_pgp_report_signature(NULL, 0, &signature) == null);
  CHECK(mailsec_pgp_report_text(NULL, &bytes) == null);
  CHECK(mailsec_pgp_report_json(NULL, &bytes) == null);

  /* Encryption and decryption. */
  CHECK(mailsec_pgp_encrypt(u8(DATA), strlen(DATA), with_null, 2, NULL, 0, 0, NULL, &bytes,
                            NULL) == null);
  CHECK(mailsec_pgp_encrypt(u8(DATA), strlen(DATA), alice_keys, 1, NULL, 3, 0, NULL, &bytes,
                            NULL) == null);
  CHECK(mailsec_pgp_encrypt(u8(DATA), strlen(DATA), alice_keys, 1, NULL, 0, 0, NULL, NULL, NULL) ==
        null);
  CHECK(mailsec_pgp_decrypt(NULL, 1, alice_keys, 1, NULL, 0, NULL, &bytes, &decryption, NULL) ==
        null);
  CHECK(mailsec_pgp_decrypt(u8("x"), 1, alice_keys, 1, NULL, 0, NULL, NULL, &decryption, NULL) ==
        null);
  CHECK(mailsec_pgp_decrypt(u8("x"), 1, alice_keys, 1, NULL, 0, NULL, &bytes, NULL, NULL) == null);
  CHECK(bytes == NULL && decryption == NULL);
  CHECK(mailsec_pgp_decryption_decrypted_with(NULL).len == 0);
  CHECK(mailsec_pgp_decryption_decrypted_with_cert(NULL).len == 0);
  CHECK(mailsec_pgp_decryption_symmetric_algorithm(NULL).len == 0);
  CHECK(mailsec_pgp_decryption_protection(NULL, &protection) == null);
  CHECK(mailsec_pgp_decryption_signatures(NULL, &report) == null);
  CHECK(mailsec_pgp_decryption_json(NULL, &bytes) == null);

  /* PGP/MIME. */
  CHECK(mailsec_pgp_mime_sign(NULL, 1, alice_keys, 1, NULL, &bytes, NULL) == null);
  CHECK(mailsec_pgp_mime_sign(u8(MESSAGE), strlen(MESSAGE), with_null, 2, NULL, &bytes, NULL) ==
        null);
  CHECK(mailsec_pgp_mime_sign(u8(MESSAGE), strlen(MESSAGE), alice_keys, 1, NULL, NULL, NULL) ==
        null);
  CHECK(mailsec_pgp_mime_encrypt(u8(MESSAGE), strlen(MESSAGE), NULL, 1, NULL, 0, NULL, &bytes,
                                 NULL) == null);
  CHECK(mailsec_pgp_mime_encrypt(u8(MESSAGE), strlen(MESSAGE), alice_keys, 1, NULL, 0, NULL, NULL,
                                 NULL) == null);
  CHECK(mailsec_pgp_mime_open(NULL, 1, NULL, 0, NULL, 0, NULL, &opened, NULL) == null);
  CHECK(mailsec_pgp_mime_open(u8(MESSAGE), strlen(MESSAGE), with_null, 2, NULL, 0, NULL, &opened,
                              NULL) == null);
  CHECK(mailsec_pgp_mime_open(u8(MESSAGE), strlen(MESSAGE), NULL, 0, NULL, 0, NULL, NULL, NULL) ==
        null);
  CHECK(mailsec_pgp_mime_detect(NULL, 1, NULL, &kind, NULL) == null);
  CHECK(mailsec_pgp_mime_detect(u8(MESSAGE), strlen(MESSAGE), NULL, NULL, NULL) == null);
  CHECK(bytes == NULL && opened == NULL);
  CHECK(!mailsec_pgp_mime_opened_is_valid(NULL));
  CHECK(!mailsec_pgp_mime_opened_is_signed(NULL));
  CHECK(!mailsec_pgp_mime_opened_is_encrypted(NULL));
  CHECK(mailsec_pgp_mime_opened_content(NULL, &bytes) == null);
  CHECK(mailsec_pgp_mime_opened_signatures(NULL, &report) == null);
  CHECK(mailsec_pgp_mime_opened_text(NULL, &bytes) == null);
  CHECK(mailsec_pgp_mime_opened_json(NULL, &bytes) == null);

  /* Releasing NULL does nothing. */
  mailsec_pgp_key_free(NULL);
  mailsec_pgp_key_list_free(NULL);
  mailsec_pgp_keystore_free(NULL);
  mailsec_pgp_policy_free(NULL);
  mailsec_pgp_report_free(NULL);
  mailsec_pgp_decryption_free(NULL);
  mailsec_pgp_mime_opened_free(NULL);

  mailsec_pgp_key_free(alice);
}

static void test_error_text(void) {
  char buf[128];
  size_t n = 0;
  mailsec_error(MAILSEC_RESULT_PGP_LOCKED, buf, sizeof buf, &n);
  CHECK(n > 0 && n < sizeof buf);
  buf[n] = '\0';
  CHECK(strstr(buf, "locked") != NULL);
  mailsec_error(MAILSEC_RESULT_PGP_NO_DECRYPTION_KEY, buf, sizeof buf, &n);
  buf[n] = '\0';
  CHECK(strstr(buf, "decrypt") != NULL);
  mailsec_error(MAILSEC_RESULT_PGP_STORE, buf, sizeof buf, &n);
  buf[n] = '\0';
  CHECK(strstr(buf, "key store") != NULL);
  mailsec_error(1599, buf, sizeof buf, &n);
  buf[n] = '\0';
  CHECK(strcmp(buf, "unknown mailsec result code") == 0);
}

int main(void) {
  test_keys();
  test_generation_options();
  test_sign_and_verify();
  test_encrypt_and_decrypt();
  test_locked_key();
  test_keystore();
  test_policy();
  test_mime();
  test_null_and_out_of_range_parameters();
  test_error_text();
  if (failures != 0) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return EXIT_FAILURE;
  }
  printf("C OpenPGP API: all checks passed\n");
  return EXIT_SUCCESS;
}
