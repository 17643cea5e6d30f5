/* The CLIENTID C API as an MTA uses it: draft §8 lines, boundaries, error details, NULL
 * handling, buffer sizes. Built with -Wall -Wextra -Werror and run under valgrind by scripts/test. */
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

static int str_equals(mailsec_str s, const char *expected) {
  return s.len == strlen(expected) && memcmp(s.data, expected, s.len) == 0;
}

static mailsec_result parse(const char *line, uint32_t flags, mailsec_clientid_command **out,
                            mailsec_error_detail *detail) {
  return mailsec_clientid_parse((const uint8_t *)line, strlen(line), flags, out, detail);
}

/* Parses a line that must fail with `expected`, at `offset`, answered with `reply`. */
static void expect_error(const char *line, uint32_t flags, mailsec_result expected, size_t offset,
                         uint16_t reply) {
  mailsec_clientid_command *command = NULL;
  mailsec_error_detail detail;
  memset(&detail, 0xAA, sizeof detail);
  mailsec_result r = parse(line, flags, &command, &detail);
  if (r != expected || detail.offset != offset || detail.smtp_reply_code != reply) {
    fprintf(stderr, "line \"%s\": result %u offset %zu reply %u, expected %u %zu %u (%s)\n", line,
            (unsigned)r, detail.offset, (unsigned)detail.smtp_reply_code, (unsigned)expected,
            offset, (unsigned)reply, r == MAILSEC_RESULT_OK ? "ok" : detail.message);
    failures++;
  }
  CHECK(command == NULL);
  CHECK(memchr(detail.message, '\0', MAILSEC_DETAIL_MESSAGE_LEN) != NULL);
}

static void test_draft_8_1_parses(void) {
  mailsec_clientid_command *command = NULL;
  CHECK(parse("CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f\r\n", 0, &command, NULL) ==
        MAILSEC_RESULT_OK);
  CHECK(command != NULL);
  CHECK(str_equals(mailsec_clientid_command_type(command), "UUID"));
  CHECK(str_equals(mailsec_clientid_command_token(command), "23bf83be-aad7-46aa-9e0f-39191ccf402f"));
  mailsec_clientid_command_free(command);
}

static void test_draft_8_4_is_501_with_detail(void) {
  mailsec_clientid_command *command = NULL;
  mailsec_error_detail detail;
  CHECK(parse("CLIENTID MAC", 0, &command, &detail) == MAILSEC_RESULT_CLIENTID_MISSING_TOKEN);
  CHECK(command == NULL);
  CHECK(detail.offset == 12);
  CHECK(detail.smtp_reply_code == 501);
  CHECK(strcmp(detail.message, "client-id-token missing at offset 12") == 0);
}

static void test_boundaries(void) {
  char line[300];
  /* 16 type characters pass, 17 fail at the 17th. */
  snprintf(line, sizeof line, "CLIENTID %s x", "ABCDEFGHIJKLMNOP");
  mailsec_clientid_command *command = NULL;
  CHECK(parse(line, 0, &command, NULL) == MAILSEC_RESULT_OK);
  mailsec_clientid_command_free(command);
  expect_error("CLIENTID ABCDEFGHIJKLMNOPQ x", 0, MAILSEC_RESULT_CLIENTID_TYPE_TOO_LONG, 25, 501);

  /* 128 token characters pass, 129 fail at the 129th. */
  char token[130];
  memset(token, 'x', 129);
  token[128] = '\0';
  snprintf(line, sizeof line, "CLIENTID T %s", token);
  command = NULL;
  CHECK(parse(line, 0, &command, NULL) == MAILSEC_RESULT_OK);
  CHECK(mailsec_clientid_command_token(command).len == 128);
  mailsec_clientid_command_free(command);
  token[128] = 'x';
  token[129] = '\0';
  snprintf(line, sizeof line, "CLIENTID T %s", token);
  expect_error(line, 0, MAILSEC_RESULT_CLIENTID_TOKEN_TOO_LONG, 139, 501);

  expect_error("CLIENTID\tUUID x", 0, MAILSEC_RESULT_CLIENTID_BAD_CHARACTER, 8, 501);
  expect_error("CLIENTID  UUID x", 0, MAILSEC_RESULT_CLIENTID_BAD_CHARACTER, 9, 501);
  expect_error("CLIENTID UUID x y", 0, MAILSEC_RESULT_CLIENTID_EXTRA_ARGUMENT, 16, 501);
  expect_error("CLIENTID UUID caf\xc3\xa9", 0, MAILSEC_RESULT_CLIENTID_NON_ASCII, 17, 501);
  expect_error("", 0, MAILSEC_RESULT_CLIENTID_EMPTY, 0, 501);
  expect_error("MAIL FROM:<a@example.net>", 0, MAILSEC_RESULT_CLIENTID_NOT_CLIENTID, 0, 500);

  command = NULL;
  CHECK(parse("clientid uuid x", 0, &command, NULL) == MAILSEC_RESULT_OK);
  CHECK(str_equals(mailsec_clientid_command_type(command), "uuid"));
  mailsec_clientid_command_free(command);
}

static void test_lenient_flag(void) {
  expect_error("CLIENTID DEVICE_ID a1", 0, MAILSEC_RESULT_CLIENTID_BAD_CHARACTER, 15, 501);
  mailsec_clientid_command *command = NULL;
  CHECK(parse("CLIENTID DEVICE_ID a1", MAILSEC_CLIENTID_LENIENT, &command, NULL) == MAILSEC_RESULT_OK);
  CHECK(str_equals(mailsec_clientid_command_type(command), "DEVICE_ID"));
  mailsec_clientid_command_free(command);
  CHECK(parse("CLIENTID UUID x", 0x80, &command, NULL) == MAILSEC_RESULT_INVALID_FLAGS);
}

static void test_null_parameters(void) {
  mailsec_clientid_command *command = NULL;
  CHECK(mailsec_clientid_parse(NULL, 5, 0, &command, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_clientid_parse((const uint8_t *)"x", 1, 0, NULL, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  /* NULL with length 0 is the empty input. */
  CHECK(mailsec_clientid_parse(NULL, 0, 0, &command, NULL) == MAILSEC_RESULT_CLIENTID_EMPTY);
  CHECK(mailsec_clientid_command_type(NULL).len == 0);
  CHECK(mailsec_clientid_command_type(NULL).data != NULL);
  mailsec_clientid_command_free(NULL);
}

static void test_client_builds_command(void) {
  mailsec_clientid_command *command = NULL;
  const char *type = "UUID", *token = "23bf83be-aad7-46aa-9e0f-39191ccf402f";
  CHECK(mailsec_clientid_command_new((const uint8_t *)type, strlen(type), (const uint8_t *)token,
                                     strlen(token), 0, &command, NULL) == MAILSEC_RESULT_OK);
  uint8_t small[8];
  size_t n = 0;
  CHECK(mailsec_clientid_command_line(command, small, sizeof small, &n) ==
        MAILSEC_RESULT_INSUFFICIENT_SIZE);
  CHECK(n == 52);
  uint8_t buf[160];
  CHECK(mailsec_clientid_command_line(command, buf, sizeof buf, &n) == MAILSEC_RESULT_OK);
  CHECK(n == 52 && memcmp(buf, "CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f\r\n", n) == 0);
  mailsec_clientid_command_free(command);

  mailsec_error_detail detail;
  command = NULL;
  CHECK(mailsec_clientid_command_new((const uint8_t *)"UUID", 4, (const uint8_t *)"a b", 3, 0,
                                     &command, &detail) == MAILSEC_RESULT_CLIENTID_BAD_CHARACTER);
  CHECK(command == NULL);
  CHECK(detail.offset == 1);
}

static void test_ehlo(void) {
  const char *tls = "250-server.example.com\r\n250-AUTH LOGIN\r\n250 CLIENTID\r\n";
  const char *plain = "250-server.example.com\r\n250-STARTTLS\r\n250 AUTH LOGIN\r\n";
  bool advertised = false;
  CHECK(mailsec_clientid_ehlo_advertised((const uint8_t *)tls, strlen(tls), &advertised, NULL) ==
        MAILSEC_RESULT_OK);
  CHECK(advertised);
  CHECK(mailsec_clientid_ehlo_advertised((const uint8_t *)plain, strlen(plain), &advertised, NULL) ==
        MAILSEC_RESULT_OK);
  CHECK(!advertised);
  mailsec_error_detail detail;
  const char *refused = "502 5.5.2 Error: command not recognized\r\n";
  CHECK(mailsec_clientid_ehlo_advertised((const uint8_t *)refused, strlen(refused), &advertised,
                                         &detail) == MAILSEC_RESULT_EHLO_NOT_ACCEPTED);
  CHECK(strstr(detail.message, "502") != NULL);
}

static void test_error_text(void) {
  char buf[128];
  size_t n = 0;
  mailsec_error(MAILSEC_RESULT_CLIENTID_MISSING_TOKEN, buf, sizeof buf, &n);
  CHECK(n == strlen("client-id-token missing") && memcmp(buf, "client-id-token missing", n) == 0);
  mailsec_error(MAILSEC_RESULT_OK, buf, 3, &n);
  CHECK(n == 3 && memcmp(buf, "suc", 3) == 0);
  mailsec_error(999999, buf, sizeof buf, &n);
  CHECK(n > 0 && memcmp(buf, "unknown", 7) == 0);
}

int main(void) {
  test_draft_8_1_parses();
  test_draft_8_4_is_501_with_detail();
  test_boundaries();
  test_lenient_flag();
  test_null_parameters();
  test_client_builds_command();
  test_ehlo();
  test_error_text();
  if (failures != 0) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return EXIT_FAILURE;
  }
  printf("C API: all checks passed\n");
  return EXIT_SUCCESS;
}
