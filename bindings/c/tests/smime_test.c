/* The S/MIME C API as a signing MTA and a receiving MTA use it: signers, trust, sign, verify,
 * reports, tampering, error codes and details, NULL handling.
 * Built with -Wall -Wextra -Werror and run under valgrind by scripts/test, from the repository
 * root; the TEST-ONLY PKI is read from MAILSEC_PKI_DIR, or from the directory given as argv[1]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailsec.h"

#ifndef MAILSEC_PKI_DIR
#define MAILSEC_PKI_DIR "tests/fixtures/pki"
#endif

static int failures = 0;

#define CHECK(cond)                                                              \
  do {                                                                           \
    if (!(cond)) {                                                               \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                                \
    }                                                                            \
  } while (0)

static const char *POLICY =
    "[secure_headers]\n"
    "fields = [\"From\", \"To\", \"Subject\", \"Date\", \"Message-ID\"]\n"
    "mandatory = [\"From\", \"Subject\"]\n";

static const char *MESSAGE =
    "From: Alice <alice@example.com>\r\n"
    "To: Bob <bob@example.org>\r\n"
    "Subject: Quarterly figures\r\n"
    "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
    "Message-ID: <1@example.com>\r\n"
    "\r\n"
    "Hello Bob,\r\n"
    "the figures are attached.\r\n";

/* A file of the test PKI. */
typedef struct {
  uint8_t *data;
  size_t len;
} file;

static const char *pki_dir = MAILSEC_PKI_DIR;

static file pki(const char *name) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", pki_dir, name);
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    perror(path);
    exit(EXIT_FAILURE);
  }
  file out = {NULL, 0};
  size_t cap = 0;
  for (;;) {
    if (out.len == cap) {
      cap = cap ? cap * 2 : 4096;
      uint8_t *grown = realloc(out.data, cap);
      if (grown == NULL) {
        perror("realloc");
        exit(EXIT_FAILURE);
      }
      out.data = grown;
    }
    size_t n = fread(out.data + out.len, 1, cap - out.len, f);
    if (n == 0) {
      break;
    }
    out.len += n;
  }
  if (ferror(f)) {
    perror(path);
    exit(EXIT_FAILURE);
  }
  fclose(f);
  return out;
}

static const uint8_t *u8(const char *s) { return (const uint8_t *)s; }

/* Whether `needle` occurs in the `len` bytes at `data` (memmem is not C11); its offset + 1. */
static size_t find(const uint8_t *data, size_t len, const char *needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; n <= len && i <= len - n; i++) {
    if (memcmp(data + i, needle, n) == 0) {
      return i + 1;
    }
  }
  return 0;
}

static int bytes_contain(const mailsec_bytes *bytes, const char *needle) {
  return find(mailsec_bytes_data(bytes), mailsec_bytes_len(bytes), needle) != 0;
}

/* A copy of `bytes` with the first `from` replaced by `to`; the caller frees it. */
static uint8_t *replaced(const mailsec_bytes *bytes, const char *from, const char *to,
                         size_t *out_len) {
  const uint8_t *data = mailsec_bytes_data(bytes);
  size_t len = mailsec_bytes_len(bytes);
  size_t at = find(data, len, from);
  if (at == 0) {
    fprintf(stderr, "\"%s\" not in the signed message\n", from);
    exit(EXIT_FAILURE);
  }
  at--;
  size_t from_len = strlen(from), to_len = strlen(to);
  *out_len = len - from_len + to_len;
  uint8_t *out = malloc(*out_len);
  if (out == NULL) {
    perror("malloc");
    exit(EXIT_FAILURE);
  }
  memcpy(out, data, at);
  memcpy(out + at, to, to_len);
  memcpy(out + at + to_len, data + at + from_len, len - at - from_len);
  return out;
}

static mailsec_headers_policy *load_policy(void) {
  mailsec_headers_policy *policy = NULL;
  mailsec_error_detail detail;
  mailsec_result r = mailsec_headers_policy_from_toml(u8(POLICY), strlen(POLICY), &policy, &detail);
  if (r != MAILSEC_RESULT_OK) {
    fprintf(stderr, "policy: result %u: %s\n", (unsigned)r, detail.message);
    exit(EXIT_FAILURE);
  }
  return policy;
}

/* A signer for `name` (alice-rsa, …) with the intermediate as its chain, or without a chain. */
static mailsec_smime_signer *signer(const char *name, const char *algorithm, uint32_t flags,
                                    int with_chain) {
  char cert_name[64], key_name[64];
  snprintf(cert_name, sizeof cert_name, "%s.pem", name);
  snprintf(key_name, sizeof key_name, "%s.key", name);
  file cert = pki(cert_name), key = pki(key_name), chain = pki("intermediate.pem");
  mailsec_smime_signer *signer = NULL;
  mailsec_error_detail detail;
  mailsec_result r = mailsec_smime_signer_new(cert.data, cert.len, key.data, key.len,
                                              with_chain ? chain.data : NULL,
                                              with_chain ? chain.len : 0, algorithm, flags,
                                              &signer, &detail);
  free(cert.data);
  free(key.data);
  free(chain.data);
  if (r != MAILSEC_RESULT_OK) {
    fprintf(stderr, "signer %s: result %u: %s\n", name, (unsigned)r, detail.message);
    exit(EXIT_FAILURE);
  }
  return signer;
}

static mailsec_smime_trust *trust(void) {
  file root = pki("root.pem");
  mailsec_smime_trust *trust = NULL;
  mailsec_error_detail detail;
  mailsec_result r = mailsec_smime_trust_new(root.data, root.len, &trust, &detail);
  free(root.data);
  if (r != MAILSEC_RESULT_OK) {
    fprintf(stderr, "trust: result %u: %s\n", (unsigned)r, detail.message);
    exit(EXIT_FAILURE);
  }
  return trust;
}

/* MESSAGE signed by `s` under `policy` (NULL for none); the caller frees it. */
static mailsec_bytes *sign(const mailsec_smime_signer *s, const mailsec_headers_policy *policy,
                           uint32_t flags) {
  const mailsec_smime_signer *signers[] = {s};
  mailsec_bytes *signed_message = NULL;
  mailsec_error_detail detail;
  mailsec_result r = mailsec_smime_sign(u8(MESSAGE), strlen(MESSAGE), signers, 1, policy, flags,
                                        &signed_message, &detail);
  if (r != MAILSEC_RESULT_OK) {
    fprintf(stderr, "sign: result %u: %s\n", (unsigned)r, detail.message);
    exit(EXIT_FAILURE);
  }
  return signed_message;
}

/* Verifies a message; the caller frees the report. */
static mailsec_smime_report *verify(const uint8_t *message, size_t len,
                                    const mailsec_smime_trust *t,
                                    const mailsec_headers_policy *policy) {
  mailsec_smime_report *report = NULL;
  mailsec_error_detail detail;
  mailsec_result r = mailsec_smime_verify(message, len, t, policy, &report, &detail);
  if (r != MAILSEC_RESULT_OK) {
    fprintf(stderr, "verify: result %u: %s\n", (unsigned)r, detail.message);
    exit(EXIT_FAILURE);
  }
  return report;
}

static mailsec_smime_report *verify_bytes(const mailsec_bytes *message,
                                          const mailsec_smime_trust *t,
                                          const mailsec_headers_policy *policy) {
  return verify(mailsec_bytes_data(message), mailsec_bytes_len(message), t, policy);
}

static void print_report(const char *what, const mailsec_smime_report *report) {
  mailsec_bytes *text = NULL;
  CHECK(mailsec_smime_report_text(report, &text) == MAILSEC_RESULT_OK);
  fprintf(stderr, "%s:\n%.*s", what, (int)mailsec_bytes_len(text),
          (const char *)mailsec_bytes_data(text));
  mailsec_bytes_free(text);
}

/* The signer's yes/no answers: signature, certificate path, address. */
static int signature_valid(const mailsec_smime_report *report, size_t index) {
  bool valid = false;
  CHECK(mailsec_smime_report_signer_signature_valid(report, index, &valid) == MAILSEC_RESULT_OK);
  return valid;
}

static int chain_valid(const mailsec_smime_report *report, size_t index) {
  bool valid = false;
  CHECK(mailsec_smime_report_signer_chain_valid(report, index, &valid) == MAILSEC_RESULT_OK);
  return valid;
}

static int address_matched(const mailsec_smime_report *report, size_t index) {
  bool matched = false;
  CHECK(mailsec_smime_report_signer_address_matched(report, index, &matched) ==
        MAILSEC_RESULT_OK);
  return matched;
}

/* A correctly signed message: the report has the shape of a valid one, and is valid. */
static void test_sign_then_verify(void) {
  mailsec_headers_policy *policy = load_policy();
  mailsec_smime_signer *alice = signer("alice-rsa", NULL, 0, 1);
  mailsec_smime_trust *t = trust();
  mailsec_bytes *signed_message = sign(alice, policy, 0);
  CHECK(bytes_contain(signed_message, "Content-Type: multipart/signed"));
  CHECK(bytes_contain(signed_message, "Subject: Quarterly figures\r\n"));

  mailsec_smime_report *report = verify_bytes(signed_message, t, policy);
  CHECK(mailsec_smime_report_signer_count(report) == 1);
  CHECK(signature_valid(report, 0));
  CHECK(address_matched(report, 0));
  CHECK(mailsec_smime_report_headers_valid(report));
  mailsec_bytes *subject = NULL;
  CHECK(mailsec_smime_report_signer_subject(report, 0, &subject) == MAILSEC_RESULT_OK);
  CHECK(bytes_contain(subject, "alice"));
  mailsec_bytes_free(subject);
  mailsec_bytes *json = NULL;
  CHECK(mailsec_smime_report_json(report, &json) == MAILSEC_RESULT_OK);
  CHECK(bytes_contain(json, "\"valid\":"));
  CHECK(bytes_contain(json, "\"form\":\"detached\""));
  CHECK(bytes_contain(json, "\"secures_headers\":true"));
  mailsec_bytes_free(json);
  mailsec_bytes *text = NULL;
  CHECK(mailsec_smime_report_text(report, &text) == MAILSEC_RESULT_OK);
  CHECK(bytes_contain(text, "S/MIME detached signature: "));
  CHECK(bytes_contain(text, "signature: valid"));
  mailsec_bytes_free(text);

  /* These need certificate path validation (root -> intermediate -> alice). */
  if (!mailsec_smime_report_is_valid(report)) {
    print_report("expected valid", report);
  }
  CHECK(chain_valid(report, 0));
  CHECK(mailsec_smime_report_is_valid(report));
  json = NULL;
  CHECK(mailsec_smime_report_json(report, &json) == MAILSEC_RESULT_OK);
  CHECK(bytes_contain(json, "{\"valid\":true"));
  mailsec_bytes_free(json);
  mailsec_smime_report_free(report);

  /* Without a policy on the receiving side, the secured fields are still compared. */
  report = verify_bytes(signed_message, t, NULL);
  CHECK(signature_valid(report, 0));
  CHECK(mailsec_smime_report_headers_valid(report));
  mailsec_smime_report_free(report);

  mailsec_bytes_free(signed_message);
  mailsec_smime_trust_free(t);
  mailsec_smime_signer_free(alice);
  mailsec_headers_policy_free(policy);
}

/* Opaque form, a chosen algorithm, subjectKeyIdentifier, the intermediate on the receiving
 * side, two signers, no policy. */
static void test_forms_and_options(void) {
  mailsec_headers_policy *policy = load_policy();
  mailsec_smime_trust *t = trust();

  mailsec_smime_signer *alice = signer("alice-rsa", NULL, 0, 1);
  mailsec_bytes *opaque = sign(alice, policy, MAILSEC_SMIME_OPAQUE);
  CHECK(bytes_contain(opaque, "application/pkcs7-mime; smime-type=signed-data"));
  CHECK(!bytes_contain(opaque, "the figures are attached"));
  mailsec_smime_report *report = verify_bytes(opaque, t, policy);
  CHECK(signature_valid(report, 0));
  CHECK(mailsec_smime_report_headers_valid(report));
  mailsec_bytes *json = NULL;
  CHECK(mailsec_smime_report_json(report, &json) == MAILSEC_RESULT_OK);
  CHECK(bytes_contain(json, "\"form\":\"opaque\""));
  mailsec_bytes_free(json);
  mailsec_smime_report_free(report);
  mailsec_bytes_free(opaque);

  mailsec_smime_signer *pss = signer("alice-rsa", "RSA-PSS-SHA256", 0, 1);
  mailsec_bytes *signed_message = sign(pss, NULL, 0);
  report = verify_bytes(signed_message, t, NULL);
  CHECK(signature_valid(report, 0));
  json = NULL;
  CHECK(mailsec_smime_report_json(report, &json) == MAILSEC_RESULT_OK);
  CHECK(bytes_contain(json, "\"secures_headers\":false"));
  mailsec_bytes_free(json);
  mailsec_smime_report_free(report);
  mailsec_bytes_free(signed_message);

  /* subjectKeyIdentifier, and the intermediate given to the verifier instead of carried. */
  mailsec_smime_signer *ski = signer("alice-p256", NULL, MAILSEC_SMIME_SIGNER_SUBJECT_KEY_ID, 0);
  signed_message = sign(ski, policy, 0);
  file intermediate = pki("intermediate.pem");
  CHECK(mailsec_smime_trust_add_certificates(t, intermediate.data, intermediate.len, NULL) ==
        MAILSEC_RESULT_OK);
  free(intermediate.data);
  report = verify_bytes(signed_message, t, policy);
  CHECK(signature_valid(report, 0));
  CHECK(address_matched(report, 0));
  /* Needs certificate path validation. */
  CHECK(chain_valid(report, 0));
  mailsec_smime_report_free(report);
  mailsec_bytes_free(signed_message);

  /* Two signers. */
  const mailsec_smime_signer *both[] = {alice, ski};
  signed_message = NULL;
  CHECK(mailsec_smime_sign(u8(MESSAGE), strlen(MESSAGE), both, 2, policy, 0, &signed_message,
                           NULL) == MAILSEC_RESULT_OK);
  report = verify_bytes(signed_message, t, policy);
  CHECK(mailsec_smime_report_signer_count(report) == 2);
  CHECK(signature_valid(report, 0) && signature_valid(report, 1));
  CHECK(mailsec_smime_report_headers_valid(report));
  mailsec_smime_report_free(report);
  mailsec_bytes_free(signed_message);

  mailsec_smime_signer_free(ski);
  mailsec_smime_signer_free(pss);
  mailsec_smime_signer_free(alice);
  mailsec_smime_trust_free(t);
  mailsec_headers_policy_free(policy);
}

static void test_tampering_is_reported_not_an_error(void) {
  mailsec_headers_policy *policy = load_policy();
  mailsec_smime_signer *alice = signer("alice-rsa", NULL, 0, 1);
  mailsec_smime_trust *t = trust();
  mailsec_bytes *signed_message = sign(alice, policy, 0);

  /* The body: the digest no longer matches. */
  size_t len = 0;
  uint8_t *tampered = replaced(signed_message, "the figures are attached", "the invoice is attached",
                               &len);
  mailsec_smime_report *report = verify(tampered, len, t, policy);
  CHECK(!mailsec_smime_report_is_valid(report));
  CHECK(mailsec_smime_report_signer_count(report) == 1);
  CHECK(!signature_valid(report, 0));
  mailsec_bytes *json = NULL;
  CHECK(mailsec_smime_report_json(report, &json) == MAILSEC_RESULT_OK);
  CHECK(bytes_contain(json, "\"valid\":false"));
  CHECK(bytes_contain(json, "digest_mismatch"));
  mailsec_bytes_free(json);
  mailsec_smime_report_free(report);
  free(tampered);

  /* A secured header field: the signature holds, the header check does not. */
  tampered = replaced(signed_message, "Subject: Quarterly figures", "Subject: Pay this invoice",
                      &len);
  report = verify(tampered, len, t, policy);
  CHECK(!mailsec_smime_report_is_valid(report));
  CHECK(signature_valid(report, 0));
  CHECK(!mailsec_smime_report_headers_valid(report));
  mailsec_bytes *text = NULL;
  CHECK(mailsec_smime_report_text(report, &text) == MAILSEC_RESULT_OK);
  CHECK(bytes_contain(text, "INVALID"));
  CHECK(bytes_contain(text, "subject"));
  CHECK(bytes_contain(text, "Pay this invoice"));
  mailsec_bytes_free(text);
  mailsec_smime_report_free(report);
  free(tampered);

  mailsec_bytes_free(signed_message);
  mailsec_smime_trust_free(t);
  mailsec_smime_signer_free(alice);
  mailsec_headers_policy_free(policy);
}

static void test_unreadable_messages_are_errors(void) {
  mailsec_smime_trust *t = trust();
  mailsec_smime_report *report = NULL;
  mailsec_error_detail detail;

  /* Not a signed message at all. */
  memset(&detail, 0xAA, sizeof detail);
  CHECK(mailsec_smime_verify(u8(MESSAGE), strlen(MESSAGE), t, NULL, &report, &detail) ==
        MAILSEC_RESULT_SMIME_MIME);
  CHECK(report == NULL);
  CHECK(memchr(detail.message, '\0', MAILSEC_DETAIL_MESSAGE_LEN) != NULL);
  CHECK(strstr(detail.message, "MIME: ") == detail.message);
  CHECK(detail.smtp_reply_code == 0);

  /* Binary garbage. */
  const uint8_t garbage[] = {0x00, 0xff, 0x30, 0x82, 0x13, 0x37, '\r', '\n', 0x80};
  CHECK(mailsec_smime_verify(garbage, sizeof garbage, t, NULL, &report, &detail) ==
        MAILSEC_RESULT_SMIME_MIME);
  CHECK(report == NULL);
  /* Empty input (NULL with length 0 is the empty input). */
  CHECK(mailsec_smime_verify(NULL, 0, t, NULL, &report, &detail) == MAILSEC_RESULT_SMIME_MIME);
  CHECK(report == NULL);

  /* application/pkcs7-mime whose base64 body is not a CMS ContentInfo. */
  const char *not_cms =
      "From: Alice <alice@example.com>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: application/pkcs7-mime; smime-type=signed-data; name=\"smime.p7m\"\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "\r\n"
      "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A\r\n";
  memset(&detail, 0xAA, sizeof detail);
  CHECK(mailsec_smime_verify(u8(not_cms), strlen(not_cms), t, NULL, &report, &detail) ==
        MAILSEC_RESULT_SMIME_MALFORMED);
  CHECK(report == NULL);
  CHECK(strstr(detail.message, "malformed") == detail.message);
  CHECK(memchr(detail.message, '\0', MAILSEC_DETAIL_MESSAGE_LEN) != NULL);

  mailsec_smime_trust_free(t);
}

static void test_unusable_keys_and_certificates(void) {
  file cert = pki("alice-rsa.pem"), key = pki("alice-rsa.key"), bob_key = pki("bob-rsa.key");
  mailsec_smime_signer *s = NULL;
  mailsec_error_detail detail;
  const char *junk = "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n";

  CHECK(mailsec_smime_signer_new(cert.data, cert.len, bob_key.data, bob_key.len, NULL, 0, NULL, 0,
                                 &s, &detail) == MAILSEC_RESULT_SMIME_KEY_MISMATCH);
  CHECK(strstr(detail.message, "does not belong") != NULL);
  CHECK(mailsec_smime_signer_new(cert.data, cert.len, u8(junk), strlen(junk), NULL, 0, NULL, 0, &s,
                                 &detail) == MAILSEC_RESULT_SMIME_KEY);
  CHECK(mailsec_smime_signer_new(u8(junk), strlen(junk), key.data, key.len, NULL, 0, NULL, 0, &s,
                                 &detail) == MAILSEC_RESULT_SMIME_CERTIFICATE);
  CHECK(mailsec_smime_signer_new(cert.data, cert.len, key.data, key.len, u8("junk"), 4, NULL, 0,
                                 &s, &detail) == MAILSEC_RESULT_SMIME_CERTIFICATE);
  CHECK(mailsec_smime_signer_new(cert.data, cert.len, key.data, key.len, NULL, 0, "ed25519", 0, &s,
                                 &detail) == MAILSEC_RESULT_SMIME_UNSUPPORTED_ALGORITHM);
  memset(&detail, 0xAA, sizeof detail);
  CHECK(mailsec_smime_signer_new(cert.data, cert.len, key.data, key.len, NULL, 0, "rsa-md5", 0, &s,
                                 &detail) == MAILSEC_RESULT_INVALID_PARAMETER);
  CHECK(strstr(detail.message, "rsa-md5") != NULL);
  CHECK(strstr(detail.message, "rsa-pss-sha256") != NULL);
  CHECK(mailsec_smime_signer_new(cert.data, cert.len, key.data, key.len, NULL, 0, NULL, 2, &s,
                                 &detail) == MAILSEC_RESULT_INVALID_FLAGS);
  CHECK(s == NULL);

  mailsec_smime_trust *t = NULL;
  CHECK(mailsec_smime_trust_new(u8(junk), strlen(junk), &t, &detail) ==
        MAILSEC_RESULT_SMIME_CERTIFICATE);
  CHECK(strstr(detail.message, "certificate: ") == detail.message);
  CHECK(mailsec_smime_trust_new(NULL, 0, &t, &detail) == MAILSEC_RESULT_SMIME_CERTIFICATE);
  CHECK(t == NULL);
  t = trust();
  CHECK(mailsec_smime_trust_add_certificates(t, u8("junk"), 4, &detail) ==
        MAILSEC_RESULT_SMIME_CERTIFICATE);
  mailsec_smime_trust_free(t);

  free(cert.data);
  free(key.data);
  free(bob_key.data);
}

static void test_signing_errors(void) {
  mailsec_headers_policy *policy = load_policy();
  mailsec_smime_signer *alice = signer("alice-rsa", NULL, 0, 1);
  const mailsec_smime_signer *signers[] = {alice};
  mailsec_bytes *out = NULL;
  mailsec_error_detail detail;

  CHECK(mailsec_smime_sign(u8(MESSAGE), strlen(MESSAGE), NULL, 0, policy, 0, &out, &detail) ==
        MAILSEC_RESULT_SMIME_NO_SIGNER);
  CHECK(strcmp(detail.message, "no signer given") == 0);
  const char *nothing = "X-Only: this\r\n\r\nbody\r\n";
  CHECK(mailsec_smime_sign(u8(nothing), strlen(nothing), signers, 1, policy, 0, &out, &detail) ==
        MAILSEC_RESULT_HEADERS_NOTHING_TO_SECURE);
  CHECK(mailsec_smime_sign(u8(MESSAGE), strlen(MESSAGE), signers, 1, policy, 2, &out, &detail) ==
        MAILSEC_RESULT_INVALID_FLAGS);
  CHECK(out == NULL);

  mailsec_smime_signer_free(alice);
  mailsec_headers_policy_free(policy);
}

static void test_null_and_out_of_range_parameters(void) {
  mailsec_smime_signer *alice = signer("alice-rsa", NULL, 0, 1);
  mailsec_smime_trust *t = trust();
  mailsec_bytes *signed_message = sign(alice, NULL, 0);
  mailsec_smime_report *report = verify_bytes(signed_message, t, NULL);
  file cert = pki("alice-rsa.pem"), key = pki("alice-rsa.key");
  const mailsec_smime_signer *signers[] = {alice};
  const mailsec_smime_signer *null_signer[] = {NULL};
  mailsec_smime_signer *no_signer = NULL;
  mailsec_smime_trust *no_trust = NULL;
  mailsec_smime_report *no_report = NULL;
  mailsec_bytes *bytes = NULL;
  bool answer = false;
  const uint8_t *msg = mailsec_bytes_data(signed_message);
  size_t msg_len = mailsec_bytes_len(signed_message);

  CHECK(mailsec_smime_signer_new(NULL, 5, key.data, key.len, NULL, 0, NULL, 0, &no_signer, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_smime_signer_new(cert.data, cert.len, NULL, 5, NULL, 0, NULL, 0, &no_signer,
                                 NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_smime_signer_new(cert.data, cert.len, key.data, key.len, NULL, 5, NULL, 0,
                                 &no_signer, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_smime_signer_new(cert.data, cert.len, key.data, key.len, NULL, 0, NULL, 0, NULL,
                                 NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_smime_trust_new(NULL, 5, &no_trust, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_smime_trust_new(cert.data, cert.len, NULL, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_smime_trust_add_certificates(NULL, cert.data, cert.len, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_smime_trust_add_certificates(t, NULL, 5, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_smime_sign(NULL, 5, signers, 1, NULL, 0, &bytes, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_smime_sign(u8(MESSAGE), strlen(MESSAGE), NULL, 1, NULL, 0, &bytes, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_smime_sign(u8(MESSAGE), strlen(MESSAGE), null_signer, 1, NULL, 0, &bytes, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_smime_sign(u8(MESSAGE), strlen(MESSAGE), signers, 1, NULL, 0, NULL, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_smime_verify(NULL, 5, t, NULL, &no_report, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_smime_verify(msg, msg_len, NULL, NULL, &no_report, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_smime_verify(msg, msg_len, t, NULL, NULL, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_smime_report_signer_signature_valid(NULL, 0, &answer) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_smime_report_signer_signature_valid(report, 0, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_smime_report_signer_chain_valid(NULL, 0, &answer) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_smime_report_signer_address_matched(report, 0, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_smime_report_signer_subject(NULL, 0, &bytes) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_smime_report_signer_subject(report, 0, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_smime_report_text(NULL, &bytes) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_smime_report_text(report, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_smime_report_json(NULL, &bytes) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_smime_report_json(report, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(no_signer == NULL && no_trust == NULL && no_report == NULL && bytes == NULL);

  /* Neutral values for functions that return no result code. */
  CHECK(!mailsec_smime_report_is_valid(NULL));
  CHECK(!mailsec_smime_report_headers_valid(NULL));
  CHECK(mailsec_smime_report_signer_count(NULL) == 0);
  mailsec_smime_signer_free(NULL);
  mailsec_smime_trust_free(NULL);
  mailsec_smime_report_free(NULL);

  /* An index past the end. */
  CHECK(mailsec_smime_report_signer_signature_valid(report, 1, &answer) ==
        MAILSEC_RESULT_INVALID_PARAMETER);
  CHECK(mailsec_smime_report_signer_chain_valid(report, 1, &answer) ==
        MAILSEC_RESULT_INVALID_PARAMETER);
  CHECK(mailsec_smime_report_signer_address_matched(report, 1, &answer) ==
        MAILSEC_RESULT_INVALID_PARAMETER);
  CHECK(mailsec_smime_report_signer_subject(report, 1, &bytes) == MAILSEC_RESULT_INVALID_PARAMETER);
  CHECK(bytes == NULL);

  free(cert.data);
  free(key.data);
  mailsec_smime_report_free(report);
  mailsec_bytes_free(signed_message);
  mailsec_smime_trust_free(t);
  mailsec_smime_signer_free(alice);
}

static void test_error_text(void) {
  char buf[128];
  size_t n = 0;
  mailsec_error(MAILSEC_RESULT_SMIME_MALFORMED, buf, sizeof buf, &n);
  CHECK(n == strlen("S/MIME: malformed CMS structure") &&
        memcmp(buf, "S/MIME: malformed CMS structure", n) == 0);
  const mailsec_result codes[] = {
      MAILSEC_RESULT_SMIME_ERROR,           MAILSEC_RESULT_SMIME_LIMIT_EXCEEDED,
      MAILSEC_RESULT_SMIME_KEY,             MAILSEC_RESULT_SMIME_CERTIFICATE,
      MAILSEC_RESULT_SMIME_KEY_MISMATCH,    MAILSEC_RESULT_SMIME_UNSUPPORTED_ALGORITHM,
      MAILSEC_RESULT_SMIME_SIGNING,         MAILSEC_RESULT_SMIME_NO_SIGNER,
      MAILSEC_RESULT_SMIME_NOT_SIGNED_DATA, MAILSEC_RESULT_SMIME_MIME,
      MAILSEC_RESULT_SMIME_CANNOT_SECURE,   MAILSEC_RESULT_SMIME_INTERNAL,
  };
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    mailsec_error(codes[i], buf, sizeof buf, &n);
    CHECK(n > 0 && memcmp(buf, "S/MIME", 6) == 0);
  }
}

int main(int argc, char **argv) {
  if (argc > 1) {
    pki_dir = argv[1];
  }
  test_sign_then_verify();
  test_forms_and_options();
  test_tampering_is_reported_not_an_error();
  test_unreadable_messages_are_errors();
  test_unusable_keys_and_certificates();
  test_signing_errors();
  test_null_and_out_of_range_parameters();
  test_error_text();
  if (failures != 0) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return EXIT_FAILURE;
  }
  printf("C S/MIME API: all checks passed\n");
  return EXIT_SUCCESS;
}
