/* The secure-headers C API as a signing MTA, a receiving MTA and a DCA use it: policy, build,
 * encode, decode, verify reports, DCA transforms, error details, NULL handling, buffer sizes.
 * Built with -Wall -Wextra -Werror and run under valgrind by scripts/test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailsec.h"

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
    "profile = \"rfc7508\"\n"
    "canonicalization = \"relaxed\"\n"
    "fields = [\"From\", \"To\", \"Subject\", \"Date\"]\n"
    "mandatory = [\"From\", \"Subject\"]\n"
    "[secure_headers.status]\n"
    "Subject = { status = \"modified\", value = \"[secured message]\" }\n"
    "To = { status = \"deleted\" }\n";

static const char *MESSAGE =
    "From: John Doe <jdoe@example.com>\r\n"
    "To: Mary Smith <mary@example.com>\r\n"
    "Subject: This is a test\r\n"
    "Date: Fri, 21 Nov 1997 09:55:06 -0600\r\n"
    "Message-ID: <1234@local.machine.example>\r\n"
    "\r\n"
    "Hello\r\n";

static const char *TAMPERED_SUBJECT =
    "From: John Doe <jdoe@example.com>\r\n"
    "To: Mary Smith <mary@example.com>\r\n"
    "Subject: Pay this invoice\r\n"
    "Date: Fri, 21 Nov 1997 09:55:06 -0600\r\n"
    "Message-ID: <1234@local.machine.example>\r\n"
    "\r\n"
    "Hello\r\n";

static const char *ADDED_TO =
    "From: John Doe <jdoe@example.com>\r\n"
    "To: Mary Smith <mary@example.com>\r\n"
    "To: Eve <eve@example.net>\r\n"
    "Subject: This is a test\r\n"
    "Date: Fri, 21 Nov 1997 09:55:06 -0600\r\n"
    "Message-ID: <1234@local.machine.example>\r\n"
    "\r\n"
    "Hello\r\n";

static const char *FROM_REMOVED =
    "To: Mary Smith <mary@example.com>\r\n"
    "Subject: This is a test\r\n"
    "Date: Fri, 21 Nov 1997 09:55:06 -0600\r\n"
    "Message-ID: <1234@local.machine.example>\r\n"
    "\r\n"
    "Hello\r\n";

static const uint8_t *u8(const char *s) { return (const uint8_t *)s; }

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

static int bytes_equal(const mailsec_bytes *a, const mailsec_bytes *b) {
  return mailsec_bytes_len(a) == mailsec_bytes_len(b) &&
         memcmp(mailsec_bytes_data(a), mailsec_bytes_data(b), mailsec_bytes_len(a)) == 0;
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

static mailsec_secure_headers *build(const mailsec_headers_policy *policy) {
  mailsec_secure_headers *shf = NULL;
  mailsec_error_detail detail;
  mailsec_result r = mailsec_headers_build(u8(MESSAGE), strlen(MESSAGE), policy, &shf, &detail);
  if (r != MAILSEC_RESULT_OK) {
    fprintf(stderr, "build: result %u: %s\n", (unsigned)r, detail.message);
    exit(EXIT_FAILURE);
  }
  return shf;
}

/* Verifies `message` against `shf`; the caller frees the report. */
static mailsec_headers_report *verify(const mailsec_secure_headers *shf, const uint8_t *message,
                                      size_t len, const mailsec_headers_policy *policy) {
  mailsec_headers_report *report = NULL;
  mailsec_error_detail detail;
  mailsec_result r = mailsec_headers_verify(shf, message, len, policy, &report, &detail);
  if (r != MAILSEC_RESULT_OK) {
    fprintf(stderr, "verify: result %u: %s\n", (unsigned)r, detail.message);
    exit(EXIT_FAILURE);
  }
  return report;
}

/* The verdict of the report's field named `name` (as the signature carries it), or 99. */
static uint32_t verdict_of(const mailsec_headers_report *report, const char *name) {
  for (size_t i = 0; i < mailsec_headers_report_field_count(report); i++) {
    char buf[64];
    size_t n = 0;
    if (mailsec_headers_report_field_name(report, i, (uint8_t *)buf, sizeof buf, &n) ==
            MAILSEC_RESULT_OK &&
        n == strlen(name) && memcmp(buf, name, n) == 0) {
      uint32_t verdict = 99;
      CHECK(mailsec_headers_report_field_verdict(report, i, &verdict) == MAILSEC_RESULT_OK);
      return verdict;
    }
  }
  return 99;
}

static void print_report(const char *what, const mailsec_headers_report *report) {
  mailsec_bytes *text = NULL;
  CHECK(mailsec_headers_report_text(report, &text) == MAILSEC_RESULT_OK);
  fprintf(stderr, "%s:\n%.*s", what, (int)mailsec_bytes_len(text),
          (const char *)mailsec_bytes_data(text));
  mailsec_bytes_free(text);
}

static void test_policy(void) {
  mailsec_headers_policy *policy = load_policy();
  uint32_t profile = 99;
  CHECK(mailsec_headers_policy_profile(policy, &profile) == MAILSEC_RESULT_OK);
  CHECK(profile == MAILSEC_HEADERS_PROFILE_RFC7508);
  mailsec_headers_policy_free(policy);
}

static void test_bad_policy_has_line_and_column(void) {
  const char *bad = "[secure_headers]\nfields = [\"From\"]\ncolour = \"blue\"\n";
  mailsec_headers_policy *policy = NULL;
  mailsec_error_detail detail;
  memset(&detail, 0xAA, sizeof detail);
  CHECK(mailsec_headers_policy_from_toml(u8(bad), strlen(bad), &policy, &detail) ==
        MAILSEC_RESULT_POLICY_INVALID);
  CHECK(policy == NULL);
  CHECK(memchr(detail.message, '\0', MAILSEC_DETAIL_MESSAGE_LEN) != NULL);
  CHECK(strncmp(detail.message, "line 3, column 1: ", 18) == 0);
  CHECK(strstr(detail.message, "colour") != NULL);
  CHECK(detail.offset == strlen("[secure_headers]\nfields = [\"From\"]\n"));
  CHECK(detail.smtp_reply_code == 0);

  /* A rule the checked policy breaks, not the TOML grammar. */
  const char *unsecured = "[secure_headers]\nfields = [\"From\"]\nmandatory = [\"Subject\"]\n";
  CHECK(mailsec_headers_policy_from_toml(u8(unsecured), strlen(unsecured), &policy, &detail) ==
        MAILSEC_RESULT_POLICY_INVALID);
  CHECK(strstr(detail.message, "line ") == detail.message);
  CHECK(strstr(detail.message, "Subject") != NULL);

  /* A policy file without the table, and one that is not UTF-8. */
  const char *other = "[something_else]\nx = 1\n";
  CHECK(mailsec_headers_policy_from_toml(u8(other), strlen(other), &policy, &detail) ==
        MAILSEC_RESULT_POLICY_INVALID);
  const char *latin1 = "[secure_headers]\nfields = [\"Fr\xf6m\"]\n";
  CHECK(mailsec_headers_policy_from_toml(u8(latin1), strlen(latin1), &policy, &detail) ==
        MAILSEC_RESULT_POLICY_INVALID);
  CHECK(strcmp(detail.message, "line 2, column 14: the policy is not UTF-8") == 0);
  CHECK(detail.offset == 30);
  CHECK(policy == NULL);
}

static void test_build_encode_decode_round_trip(void) {
  mailsec_headers_policy *policy = load_policy();
  mailsec_secure_headers *shf = build(policy);
  CHECK(mailsec_secure_headers_field_count(shf) == 4);
  uint32_t algorithm = 99;
  CHECK(mailsec_secure_headers_algorithm(shf, &algorithm) == MAILSEC_RESULT_OK);
  CHECK(algorithm == MAILSEC_HEADERS_ALGORITHM_RELAXED);

  /* Message order, relaxed names, statuses from the policy. */
  const char *names[] = {"from", "to", "subject", "date"};
  const uint32_t statuses[] = {MAILSEC_HEADERS_STATUS_DUPLICATED, MAILSEC_HEADERS_STATUS_DELETED,
                               MAILSEC_HEADERS_STATUS_MODIFIED, MAILSEC_HEADERS_STATUS_DUPLICATED};
  for (size_t i = 0; i < 4; i++) {
    char name[32];
    size_t n = 0;
    uint32_t status = 99;
    CHECK(mailsec_secure_headers_field_name(shf, i, (uint8_t *)name, sizeof name, &n) ==
          MAILSEC_RESULT_OK);
    CHECK(n == strlen(names[i]) && memcmp(name, names[i], n) == 0);
    CHECK(mailsec_secure_headers_field_status(shf, i, &status) == MAILSEC_RESULT_OK);
    CHECK(status == statuses[i]);
  }
  char value[64];
  size_t n = 0;
  CHECK(mailsec_secure_headers_field_value(shf, 2, (uint8_t *)value, sizeof value, &n) ==
        MAILSEC_RESULT_OK);
  CHECK(n == strlen("This is a test") && memcmp(value, "This is a test", n) == 0);

  /* Attribute value: encode, decode, encode again gives the same DER. */
  mailsec_bytes *der = NULL;
  CHECK(mailsec_headers_encode(shf, MAILSEC_HEADERS_PROFILE_RFC7508, &der, NULL) ==
        MAILSEC_RESULT_OK);
  CHECK(mailsec_bytes_len(der) > 0 && mailsec_bytes_data(der)[0] == 0x31); /* SET */
  mailsec_secure_headers *decoded = NULL;
  CHECK(mailsec_headers_decode(mailsec_bytes_data(der), mailsec_bytes_len(der),
                               MAILSEC_HEADERS_PROFILE_RFC7508, policy, &decoded,
                               NULL) == MAILSEC_RESULT_OK);
  CHECK(mailsec_secure_headers_field_count(decoded) == 4);
  mailsec_bytes *again = NULL;
  CHECK(mailsec_headers_encode(decoded, MAILSEC_HEADERS_PROFILE_RFC7508, &again, NULL) ==
        MAILSEC_RESULT_OK);
  CHECK(bytes_equal(der, again));
  mailsec_bytes_free(again);
  mailsec_secure_headers_free(decoded);

  /* Default limits when no policy is given. */
  decoded = NULL;
  CHECK(mailsec_headers_decode(mailsec_bytes_data(der), mailsec_bytes_len(der),
                               MAILSEC_HEADERS_PROFILE_RFC7508, NULL, &decoded,
                               NULL) == MAILSEC_RESULT_OK);
  mailsec_secure_headers_free(decoded);

  /* Whole attribute: the policy accepts rfc7508 only. */
  mailsec_bytes *attribute = NULL;
  CHECK(mailsec_headers_encode_attribute(shf, MAILSEC_HEADERS_PROFILE_RFC7508, &attribute, NULL) ==
        MAILSEC_RESULT_OK);
  CHECK(mailsec_bytes_data(attribute)[0] == 0x30); /* SEQUENCE */
  uint32_t profile = 99;
  decoded = NULL;
  CHECK(mailsec_headers_decode_attribute(mailsec_bytes_data(attribute), mailsec_bytes_len(attribute),
                                         policy, &decoded, &profile, NULL) == MAILSEC_RESULT_OK);
  CHECK(profile == MAILSEC_HEADERS_PROFILE_RFC7508);
  again = NULL;
  CHECK(mailsec_headers_encode(decoded, MAILSEC_HEADERS_PROFILE_RFC7508, &again, NULL) ==
        MAILSEC_RESULT_OK);
  CHECK(bytes_equal(der, again));
  mailsec_bytes_free(again);
  mailsec_secure_headers_free(decoded);
  mailsec_bytes_free(attribute);

  attribute = NULL;
  CHECK(mailsec_headers_encode_attribute(shf, MAILSEC_HEADERS_PROFILE_DRAFT05, &attribute, NULL) ==
        MAILSEC_RESULT_OK);
  mailsec_error_detail detail;
  decoded = NULL;
  profile = 99;
  CHECK(mailsec_headers_decode_attribute(mailsec_bytes_data(attribute), mailsec_bytes_len(attribute),
                                         policy, &decoded, &profile,
                                         &detail) == MAILSEC_RESULT_HEADERS_PROFILE_NOT_ACCEPTED);
  CHECK(decoded == NULL);
  CHECK(profile == 99);
  CHECK(strstr(detail.message, "rfc7508") != NULL);
  mailsec_bytes_free(attribute);

  /* The decoded draft-05 value carries the same fields. */
  mailsec_bytes *draft = NULL;
  CHECK(mailsec_headers_encode(shf, MAILSEC_HEADERS_PROFILE_DRAFT05, &draft, NULL) ==
        MAILSEC_RESULT_OK);
  decoded = NULL;
  CHECK(mailsec_headers_decode(mailsec_bytes_data(draft), mailsec_bytes_len(draft),
                               MAILSEC_HEADERS_PROFILE_DRAFT05, policy, &decoded,
                               NULL) == MAILSEC_RESULT_OK);
  CHECK(mailsec_secure_headers_field_count(decoded) == 4);
  mailsec_secure_headers_free(decoded);
  mailsec_bytes_free(draft);

  mailsec_bytes_free(der);
  mailsec_secure_headers_free(shf);
  mailsec_headers_policy_free(policy);
}

static void test_verify(void) {
  mailsec_headers_policy *policy = load_policy();
  mailsec_secure_headers *shf = build(policy);

  mailsec_headers_report *report = verify(shf, u8(MESSAGE), strlen(MESSAGE), policy);
  if (!mailsec_headers_report_is_valid(report)) {
    print_report("expected valid", report);
  }
  CHECK(mailsec_headers_report_is_valid(report));
  CHECK(mailsec_headers_report_field_count(report) == 4);
  CHECK(mailsec_headers_report_failure_count(report) == 0);
  CHECK(mailsec_headers_report_extra_count(report) == 0);
  CHECK(mailsec_headers_report_mandatory_missing_count(report) == 0);
  CHECK(verdict_of(report, "subject") == MAILSEC_HEADERS_VERDICT_MATCH);
  mailsec_bytes *json = NULL;
  CHECK(mailsec_headers_report_json(report, &json) == MAILSEC_RESULT_OK);
  CHECK(bytes_contain(json, "\"valid\":true"));
  mailsec_bytes_free(json);
  mailsec_headers_report_free(report);

  report = verify(shf, u8(TAMPERED_SUBJECT), strlen(TAMPERED_SUBJECT), policy);
  CHECK(!mailsec_headers_report_is_valid(report));
  CHECK(mailsec_headers_report_failure_count(report) == 1);
  CHECK(verdict_of(report, "subject") == MAILSEC_HEADERS_VERDICT_MISMATCH);
  CHECK(verdict_of(report, "from") == MAILSEC_HEADERS_VERDICT_MATCH);
  json = NULL;
  CHECK(mailsec_headers_report_json(report, &json) == MAILSEC_RESULT_OK);
  CHECK(bytes_contain(json, "\"valid\":false"));
  CHECK(bytes_contain(json, "\"result\":\"mismatch\""));
  mailsec_bytes_free(json);
  mailsec_bytes *text = NULL;
  CHECK(mailsec_headers_report_text(report, &text) == MAILSEC_RESULT_OK);
  CHECK(bytes_contain(text, "INVALID"));
  CHECK(bytes_contain(text, "MISMATCH"));
  CHECK(bytes_contain(text, "Pay this invoice"));
  mailsec_bytes_free(text);
  mailsec_headers_report_free(report);

  report = verify(shf, u8(ADDED_TO), strlen(ADDED_TO), policy);
  CHECK(!mailsec_headers_report_is_valid(report));
  CHECK(mailsec_headers_report_extra_count(report) == 1);
  CHECK(mailsec_headers_report_failure_count(report) == 0);
  mailsec_headers_report_free(report);

  report = verify(shf, u8(FROM_REMOVED), strlen(FROM_REMOVED), policy);
  CHECK(!mailsec_headers_report_is_valid(report));
  CHECK(verdict_of(report, "from") == MAILSEC_HEADERS_VERDICT_MISSING);
  CHECK(mailsec_headers_report_failure_count(report) == 1);
  mailsec_headers_report_free(report);

  mailsec_secure_headers_free(shf);
  mailsec_headers_policy_free(policy);
}

static void test_apply_then_restore(void) {
  mailsec_headers_policy *policy = load_policy();
  mailsec_secure_headers *shf = build(policy);

  mailsec_bytes *outer = NULL;
  CHECK(mailsec_headers_apply(u8(MESSAGE), strlen(MESSAGE), shf, policy, &outer, NULL) ==
        MAILSEC_RESULT_OK);
  CHECK(!bytes_contain(outer, "To: Mary Smith"));
  CHECK(bytes_contain(outer, "Subject: [secured message]\r\n"));
  CHECK(bytes_contain(outer, "From: John Doe"));

  mailsec_headers_report *report =
      verify(shf, mailsec_bytes_data(outer), mailsec_bytes_len(outer), policy);
  CHECK(!mailsec_headers_report_is_valid(report));
  CHECK(verdict_of(report, "to") == MAILSEC_HEADERS_VERDICT_MISSING);
  CHECK(verdict_of(report, "subject") == MAILSEC_HEADERS_VERDICT_MISMATCH);
  mailsec_headers_report_free(report);

  mailsec_bytes *restored = NULL;
  CHECK(mailsec_headers_restore(mailsec_bytes_data(outer), mailsec_bytes_len(outer), shf, policy,
                                &restored, NULL) == MAILSEC_RESULT_OK);
  report = verify(shf, mailsec_bytes_data(restored), mailsec_bytes_len(restored), policy);
  if (!mailsec_headers_report_is_valid(report)) {
    print_report("restored message", report);
  }
  CHECK(mailsec_headers_report_is_valid(report));
  mailsec_headers_report_free(report);

  mailsec_bytes_free(restored);
  mailsec_bytes_free(outer);
  mailsec_secure_headers_free(shf);
  mailsec_headers_policy_free(policy);
}

static void test_malformed_der(void) {
  mailsec_headers_policy *policy = load_policy();
  mailsec_secure_headers *shf = build(policy);
  mailsec_bytes *der = NULL;
  CHECK(mailsec_headers_encode(shf, MAILSEC_HEADERS_PROFILE_RFC7508, &der, NULL) ==
        MAILSEC_RESULT_OK);

  /* The valid encoding cut short in its last field: the outer length now overruns the input. */
  mailsec_secure_headers *decoded = NULL;
  mailsec_error_detail detail;
  memset(&detail, 0xAA, sizeof detail);
  CHECK(mailsec_headers_decode(mailsec_bytes_data(der), mailsec_bytes_len(der) - 5,
                               MAILSEC_HEADERS_PROFILE_RFC7508, policy, &decoded,
                               &detail) == MAILSEC_RESULT_HEADERS_MALFORMED);
  CHECK(decoded == NULL);
  CHECK(detail.offset > 0 && detail.offset < mailsec_bytes_len(der));
  CHECK(strstr(detail.message, "malformed SecureHeaderFields at byte") == detail.message);
  CHECK(memchr(detail.message, '\0', MAILSEC_DETAIL_MESSAGE_LEN) != NULL);

  /* Not DER at all. */
  const uint8_t junk[] = {0x04, 0x03, 'a', 'b', 'c'};
  CHECK(mailsec_headers_decode(junk, sizeof junk, MAILSEC_HEADERS_PROFILE_RFC7508, policy, &decoded,
                               &detail) == MAILSEC_RESULT_HEADERS_MALFORMED);
  CHECK(decoded == NULL);
  /* Empty input (NULL with length 0 is the empty input). */
  CHECK(mailsec_headers_decode(NULL, 0, MAILSEC_HEADERS_PROFILE_RFC7508, policy, &decoded,
                               &detail) == MAILSEC_RESULT_HEADERS_MALFORMED);
  CHECK(decoded == NULL);

  mailsec_bytes_free(der);
  mailsec_secure_headers_free(shf);
  mailsec_headers_policy_free(policy);
}

static void test_nothing_to_secure(void) {
  mailsec_headers_policy *policy = load_policy();
  const char *message = "Message-ID: <1@example.com>\r\n\r\nbody\r\n";
  mailsec_secure_headers *shf = NULL;
  mailsec_error_detail detail;
  CHECK(mailsec_headers_build(u8(message), strlen(message), policy, &shf, &detail) ==
        MAILSEC_RESULT_HEADERS_NOTHING_TO_SECURE);
  CHECK(shf == NULL);
  CHECK(strstr(detail.message, "no header field to secure") != NULL);
  mailsec_headers_policy_free(policy);
}

static void test_unrepresentable_under_draft05(void) {
  mailsec_headers_policy *policy = load_policy();
  const char *message = "From: a@example.com\r\nSubject: caf\xc3\xa9\r\n\r\nbody\r\n";
  mailsec_secure_headers *shf = NULL;
  CHECK(mailsec_headers_build(u8(message), strlen(message), policy, &shf, NULL) == MAILSEC_RESULT_OK);
  mailsec_bytes *der = NULL;
  mailsec_error_detail detail;
  CHECK(mailsec_headers_encode(shf, MAILSEC_HEADERS_PROFILE_DRAFT05, &der, &detail) ==
        MAILSEC_RESULT_HEADERS_UNREPRESENTABLE);
  CHECK(der == NULL);
  CHECK(strstr(detail.message, "subject") != NULL || strstr(detail.message, "Subject") != NULL);
  /* RFC 7508 carries UTF-8. */
  CHECK(mailsec_headers_encode(shf, MAILSEC_HEADERS_PROFILE_RFC7508, &der, &detail) ==
        MAILSEC_RESULT_OK);
  mailsec_bytes_free(der);
  mailsec_secure_headers_free(shf);
  mailsec_headers_policy_free(policy);
}

static void test_null_and_out_of_range_parameters(void) {
  mailsec_headers_policy *policy = load_policy();
  mailsec_secure_headers *shf = build(policy);
  mailsec_headers_policy *no_policy = NULL;
  mailsec_secure_headers *no_shf = NULL;
  mailsec_headers_report *report = NULL;
  mailsec_bytes *bytes = NULL;
  size_t n = 0;
  uint32_t value = 0;

  CHECK(mailsec_headers_policy_from_toml(NULL, 5, &no_policy, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_headers_policy_from_toml(u8(POLICY), strlen(POLICY), NULL, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_headers_policy_profile(NULL, &value) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_headers_policy_profile(policy, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_headers_build(u8(MESSAGE), strlen(MESSAGE), NULL, &no_shf, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_headers_build(NULL, 3, policy, &no_shf, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_headers_build(u8(MESSAGE), strlen(MESSAGE), policy, NULL, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_headers_decode(NULL, 3, MAILSEC_HEADERS_PROFILE_RFC7508, NULL, &no_shf, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_headers_decode(u8("\x31\x00"), 2, MAILSEC_HEADERS_PROFILE_RFC7508, NULL, NULL,
                               NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_headers_decode_attribute(u8("\x30\x00"), 2, NULL, &no_shf, NULL, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_headers_encode(NULL, MAILSEC_HEADERS_PROFILE_RFC7508, &bytes, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_headers_encode(shf, MAILSEC_HEADERS_PROFILE_RFC7508, NULL, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_headers_encode_attribute(NULL, MAILSEC_HEADERS_PROFILE_RFC7508, &bytes, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_headers_verify(NULL, u8(MESSAGE), strlen(MESSAGE), policy, &report, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_headers_verify(shf, u8(MESSAGE), strlen(MESSAGE), NULL, &report, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_headers_verify(shf, u8(MESSAGE), strlen(MESSAGE), policy, NULL, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_headers_apply(u8(MESSAGE), strlen(MESSAGE), NULL, policy, &bytes, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_headers_apply(u8(MESSAGE), strlen(MESSAGE), shf, NULL, &bytes, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_headers_restore(u8(MESSAGE), strlen(MESSAGE), shf, NULL, &bytes, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_headers_restore(u8(MESSAGE), strlen(MESSAGE), shf, policy, NULL, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_secure_headers_algorithm(NULL, &value) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_secure_headers_field_name(NULL, 0, NULL, 0, &n) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_secure_headers_field_value(shf, 0, NULL, 0, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_secure_headers_field_status(shf, 0, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_headers_report_field_verdict(NULL, 0, &value) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_headers_report_text(NULL, &bytes) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_headers_report_json(NULL, &bytes) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(no_policy == NULL && no_shf == NULL && report == NULL && bytes == NULL);

  /* Neutral values for functions that return no result code. */
  CHECK(mailsec_secure_headers_field_count(NULL) == 0);
  CHECK(!mailsec_headers_report_is_valid(NULL));
  CHECK(mailsec_headers_report_field_count(NULL) == 0);
  CHECK(mailsec_headers_report_failure_count(NULL) == 0);
  CHECK(mailsec_headers_report_extra_count(NULL) == 0);
  CHECK(mailsec_headers_report_mandatory_missing_count(NULL) == 0);
  CHECK(mailsec_bytes_data(NULL) == NULL);
  CHECK(mailsec_bytes_len(NULL) == 0);
  mailsec_bytes_free(NULL);
  mailsec_secure_headers_free(NULL);
  mailsec_headers_report_free(NULL);
  mailsec_headers_policy_free(NULL);

  /* Out of range: unknown profile constants, indexes past the end. */
  CHECK(mailsec_headers_encode(shf, 7, &bytes, NULL) == MAILSEC_RESULT_INVALID_PARAMETER);
  CHECK(mailsec_headers_decode(u8("\x31\x00"), 2, 7, NULL, &no_shf, NULL) ==
        MAILSEC_RESULT_INVALID_PARAMETER);
  CHECK(mailsec_secure_headers_field_status(shf, 4, &value) == MAILSEC_RESULT_INVALID_PARAMETER);
  char buf[8];
  CHECK(mailsec_secure_headers_field_name(shf, 4, (uint8_t *)buf, sizeof buf, &n) ==
        MAILSEC_RESULT_INVALID_PARAMETER);
  CHECK(bytes == NULL && no_shf == NULL);

  mailsec_secure_headers_free(shf);
  mailsec_headers_policy_free(policy);
}

static void test_insufficient_size(void) {
  mailsec_headers_policy *policy = load_policy();
  mailsec_secure_headers *shf = build(policy);
  uint8_t small[4];
  size_t n = 0;
  /* Field 0 is From: "John Doe <jdoe@example.com>". */
  CHECK(mailsec_secure_headers_field_value(shf, 0, small, sizeof small, &n) ==
        MAILSEC_RESULT_INSUFFICIENT_SIZE);
  CHECK(n == strlen("John Doe <jdoe@example.com>"));
  /* Asking for the length alone. */
  n = 0;
  CHECK(mailsec_secure_headers_field_value(shf, 0, NULL, 0, &n) == MAILSEC_RESULT_INSUFFICIENT_SIZE);
  CHECK(n == strlen("John Doe <jdoe@example.com>"));
  uint8_t exact[27];
  CHECK(mailsec_secure_headers_field_value(shf, 0, exact, sizeof exact, &n) == MAILSEC_RESULT_OK);
  CHECK(n == 27 && memcmp(exact, "John Doe <jdoe@example.com>", n) == 0);

  mailsec_headers_report *report = verify(shf, u8(MESSAGE), strlen(MESSAGE), policy);
  CHECK(mailsec_headers_report_field_name(report, 2, small, 3, &n) ==
        MAILSEC_RESULT_INSUFFICIENT_SIZE);
  CHECK(n == strlen("subject"));
  mailsec_headers_report_free(report);

  mailsec_secure_headers_free(shf);
  mailsec_headers_policy_free(policy);
}

static void test_error_text(void) {
  char buf[128];
  size_t n = 0;
  mailsec_error(MAILSEC_RESULT_HEADERS_MALFORMED, buf, sizeof buf, &n);
  CHECK(n == strlen("malformed SecureHeaderFields DER") &&
        memcmp(buf, "malformed SecureHeaderFields DER", n) == 0);
  mailsec_error(MAILSEC_RESULT_POLICY_INVALID, buf, sizeof buf, &n);
  CHECK(n == strlen("invalid policy") && memcmp(buf, "invalid policy", n) == 0);
  const mailsec_result codes[] = {
      MAILSEC_RESULT_INVALID_PARAMETER,         MAILSEC_RESULT_GENERAL,
      MAILSEC_RESULT_HEADERS_ERROR,             MAILSEC_RESULT_HEADERS_LIMIT_EXCEEDED,
      MAILSEC_RESULT_HEADERS_UNREPRESENTABLE,   MAILSEC_RESULT_HEADERS_INVALID_FIELD_NAME,
      MAILSEC_RESULT_HEADERS_NOTHING_TO_SECURE, MAILSEC_RESULT_HEADERS_UNKNOWN_STATUS,
      MAILSEC_RESULT_HEADERS_UNKNOWN_ALGORITHM, MAILSEC_RESULT_HEADERS_PROFILE_NOT_ACCEPTED,
      MAILSEC_RESULT_HEADERS_ATTRIBUTE_VALUE_COUNT, MAILSEC_RESULT_HEADERS_NO_REPLACEMENT,
  };
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    mailsec_error(codes[i], buf, sizeof buf, &n);
    CHECK(n > 0 && memcmp(buf, "unknown", 7) != 0);
  }
}

int main(void) {
  test_policy();
  test_bad_policy_has_line_and_column();
  test_build_encode_decode_round_trip();
  test_verify();
  test_apply_then_restore();
  test_malformed_der();
  test_nothing_to_secure();
  test_unrepresentable_under_draft05();
  test_null_and_out_of_range_parameters();
  test_insufficient_size();
  test_error_text();
  if (failures != 0) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return EXIT_FAILURE;
  }
  printf("C secure-headers API: all checks passed\n");
  return EXIT_SUCCESS;
}
