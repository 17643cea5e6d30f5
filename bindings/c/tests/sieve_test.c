/* The Sieve C API as an MTA uses it: compile errors with line and column, RFC 6134 §2.9 example 4
 * against the MTA's own list lookup (callbacks), a temporary list failure deferring the delivery,
 * lists in memory and in a lists file, redirect :list, the outcome's actions and JSON, NULL
 * handling. Built with -Wall -Wextra -Werror and run under valgrind by scripts/test, from the
 * repository root; the RFC 6134 example scripts are read from MAILSEC_SIEVE_EXAMPLES_DIR, or from
 * the directory given as argv[1]. */
#define _POSIX_C_SOURCE 200809L /* mkstemp, close, nanosleep */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mailsec.h"

#ifndef MAILSEC_SIEVE_EXAMPLES_DIR
#define MAILSEC_SIEVE_EXAMPLES_DIR "../shared/specs/rfc6134-examples"
#endif

static int failures = 0;

#define CHECK(cond)                                                              \
  do {                                                                           \
    if (!(cond)) {                                                               \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                                \
    }                                                                            \
  } while (0)

static const char *examples_dir = MAILSEC_SIEVE_EXAMPLES_DIR;

/* Whether a borrowed string equals a C string. */
static int str_is(mailsec_str s, const char *expected) {
  return s.len == strlen(expected) && memcmp(s.data, expected, s.len) == 0;
}

/* Whether bytes equal a C string. */
static int bytes_are(const mailsec_bytes *b, const char *expected) {
  return mailsec_bytes_len(b) == strlen(expected) &&
         memcmp(mailsec_bytes_data(b), expected, strlen(expected)) == 0;
}

/* Whether `len` bytes at `data` hold the C string `needle`. */
static int has(const void *data, size_t len, const char *needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; i + n <= len; i++) {
    if (memcmp((const char *)data + i, needle, n) == 0) {
      return 1;
    }
  }
  return 0;
}

/* An RFC 6134 example script, read whole (NUL-terminated for convenience). */
static char *example(const char *name) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", examples_dir, name);
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    perror(path);
    exit(EXIT_FAILURE);
  }
  size_t cap = 4096, len = 0;
  char *text = malloc(cap);
  if (text == NULL) {
    perror("malloc");
    exit(EXIT_FAILURE);
  }
  for (;;) {
    size_t n = fread(text + len, 1, cap - 1 - len, f);
    len += n;
    if (n == 0) {
      break;
    }
    if (len == cap - 1) {
      cap *= 2;
      char *grown = realloc(text, cap);
      if (grown == NULL) {
        perror("realloc");
        exit(EXIT_FAILURE);
      }
      text = grown;
    }
  }
  if (ferror(f)) {
    perror(path);
    exit(EXIT_FAILURE);
  }
  fclose(f);
  text[len] = '\0';
  return text;
}

static mailsec_sieve_script *compile(const char *text) {
  mailsec_sieve_script *script = NULL;
  mailsec_error_detail detail;
  mailsec_result r = mailsec_sieve_script_compile((const uint8_t *)text, strlen(text), &script,
                                                  NULL, &detail);
  if (r != MAILSEC_RESULT_OK) {
    fprintf(stderr, "compile failed (%u): %s\n", (unsigned)r, detail.message);
  }
  CHECK(r == MAILSEC_RESULT_OK);
  return script;
}

static mailsec_sieve_outcome *evaluate(const mailsec_sieve_script *script,
                                       const mailsec_sieve_lists *lists, const char *message,
                                       const char *from, const mailsec_sieve_options *options) {
  mailsec_sieve_outcome *outcome = NULL;
  mailsec_error_detail detail;
  mailsec_result r =
      mailsec_sieve_evaluate(script, lists, (const uint8_t *)message, strlen(message), from,
                             "me@example.com", options, &outcome, NULL, &detail);
  if (r != MAILSEC_RESULT_OK) {
    fprintf(stderr, "evaluate failed (%u): %s\n", (unsigned)r, detail.message);
  }
  CHECK(r == MAILSEC_RESULT_OK);
  return outcome;
}

/* The JSON of an outcome equals `expected`. */
static int json_is(const mailsec_sieve_outcome *outcome, const char *expected) {
  mailsec_bytes *json = NULL;
  if (mailsec_sieve_outcome_json(outcome, &json) != MAILSEC_RESULT_OK) {
    return 0;
  }
  int same = bytes_are(json, expected);
  if (!same) {
    fprintf(stderr, "JSON: %.*s\n", (int)mailsec_bytes_len(json),
            (const char *)mailsec_bytes_data(json));
  }
  mailsec_bytes_free(json);
  return same;
}

/* ---- The MTA's list lookup: callbacks over a tiny table ---- */

typedef struct {
  const char *list;       /* the one list served */
  const char *member;     /* its one member */
  int fail_with;          /* when not 0, every answer is this failure */
  int contains_calls;     /* values asked about */
  char last_list[128];    /* the list name of the last call */
  int enumerate_answer;   /* what enumerate returns */
  int destroyed;          /* times destroy ran */
  int slow;               /* sleep 50 ms before answering */
} lookup;

static int lookup_contains(void *userdata, const char *list, const uint8_t *value,
                           size_t value_len, uint8_t *entry, size_t entry_capacity,
                           size_t *entry_len, uint32_t timeout_ms) {
  lookup *l = userdata;
  l->contains_calls++;
  snprintf(l->last_list, sizeof l->last_list, "%s", list);
  if (timeout_ms == 0) {
    return MAILSEC_SIEVE_LIST_TEMPORARY_FAILURE;
  }
  if (l->slow) {
    struct timespec pause = {0, 50 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
  if (l->fail_with != 0) {
    return l->fail_with;
  }
  if (strcmp(list, l->list) != 0) {
    return MAILSEC_SIEVE_LIST_UNKNOWN_LIST;
  }
  if (value_len == strlen(l->member) && memcmp(value, l->member, value_len) == 0) {
    /* Report the entry that matched as a range, as a CIDR-keyed table would. */
    const char *matched = "192.0.2.0/24";
    if (strlen(matched) <= entry_capacity) {
      memcpy(entry, matched, strlen(matched));
      *entry_len = strlen(matched);
    }
    return MAILSEC_SIEVE_LIST_MEMBER;
  }
  return MAILSEC_SIEVE_LIST_NOT_MEMBER;
}

static int lookup_is_valid(void *userdata, const char *list) {
  lookup *l = userdata;
  if (l->fail_with != 0) {
    return l->fail_with;
  }
  return strcmp(list, l->list) == 0 ? MAILSEC_SIEVE_LIST_MEMBER : MAILSEC_SIEVE_LIST_UNKNOWN_LIST;
}

static int lookup_enumerate(void *userdata, const char *list, size_t max,
                            mailsec_sieve_list_members *members, uint32_t timeout_ms) {
  lookup *l = userdata;
  (void)timeout_ms;
  if (l->fail_with != 0) {
    return l->fail_with;
  }
  if (strcmp(list, l->list) != 0) {
    return MAILSEC_SIEVE_LIST_UNKNOWN_LIST;
  }
  if (l->enumerate_answer != MAILSEC_SIEVE_LIST_NOT_MEMBER) {
    return l->enumerate_answer;
  }
  const char *team[] = {"alice@example.com", "bob@example.org", "carol@example.net"};
  for (size_t i = 0; i < 3; i++) {
    mailsec_result r = mailsec_sieve_list_members_add(members, (const uint8_t *)team[i],
                                                      strlen(team[i]));
    if (r == MAILSEC_RESULT_INSUFFICIENT_SIZE) {
      CHECK(i == max + 1);
      break;
    }
    CHECK(r == MAILSEC_RESULT_OK);
  }
  return MAILSEC_SIEVE_LIST_NOT_MEMBER;
}

static void lookup_destroy(void *userdata) {
  lookup *l = userdata;
  l->destroyed++;
}

static mailsec_sieve_lists *callback_lists(lookup *l) {
  mailsec_sieve_list_callbacks callbacks = {
      .contains = lookup_contains,
      .is_valid = lookup_is_valid,
      .enumerate = lookup_enumerate,
      .schemes = "tag",
      .destroy = lookup_destroy,
  };
  mailsec_sieve_lists *lists = NULL;
  CHECK(mailsec_sieve_lists_callback_new(&callbacks, l, &lists) == MAILSEC_RESULT_OK);
  return lists;
}

static const char *DISALLOWED_IPS = "tag:example.com,2011-04-10:DisallowedIPs";

/* Relayed through 192.0.2.10, which the first (topmost) Received names. */
static const char *FROM_DISALLOWED =
    "Received: from relay.example.net (relay.example.net [192.0.2.10])\r\n"
    "\tby mx.example.com with ESMTP id 1; Mon, 23 Nov 2026 10:00:00 +0000\r\n"
    "Received: from origin.example (origin.example [198.51.100.7])\r\n"
    "\tby relay.example.net; Mon, 23 Nov 2026 09:59:58 +0000\r\n"
    "From: Mallory <mallory@example.net>\r\n"
    "To: me@example.com\r\n"
    "Subject: offer\r\n"
    "\r\n"
    "buy now\r\n";

/* 192.0.2.10 appears, but only in the second Received: example 4 looks at the first. */
static const char *FROM_ELSEWHERE =
    "Received: from origin.example (origin.example [198.51.100.7])\r\n"
    "\tby mx.example.com with ESMTP id 2; Mon, 23 Nov 2026 10:00:00 +0000\r\n"
    "Received: from relay.example.net (relay.example.net [192.0.2.10])\r\n"
    "\tby origin.example; Mon, 23 Nov 2026 09:59:58 +0000\r\n"
    "From: Alice <alice@example.org>\r\n"
    "To: me@example.com\r\n"
    "Subject: hello\r\n"
    "\r\n"
    "hi\r\n";

static void test_compile_errors_give_line_and_column(void) {
  const char *text = "require [\"fileinto\"];\nif true {\n  fileinot \"Junk\";\n}\n";
  mailsec_sieve_script *script = NULL;
  mailsec_sieve_position position = {0, 0};
  mailsec_error_detail detail;
  mailsec_result r = mailsec_sieve_script_compile((const uint8_t *)text, strlen(text), &script,
                                                  &position, &detail);
  CHECK(r == MAILSEC_RESULT_SIEVE_UNKNOWN_COMMAND);
  CHECK(script == NULL);
  CHECK(position.line == 3 && position.column == 3);
  CHECK(strncmp(detail.message, "3:3: ", 5) == 0);
  CHECK(strstr(detail.message, "fileinot") != NULL);
  CHECK(detail.offset == (size_t)(strstr(text, "fileinot") - text));

  /* A require naming something mailsec does not implement. */
  const char *unknown = "require \"vacation-seconds-x\";\n";
  r = mailsec_sieve_script_compile((const uint8_t *)unknown, strlen(unknown), &script, &position,
                                   NULL);
  CHECK(r == MAILSEC_RESULT_SIEVE_UNSUPPORTED_EXTENSION);
  CHECK(position.line == 1 && position.column == 9);

  /* RFC 5228 §2.2: scripts are UTF-8; the error points at the first byte that is not. */
  const char bad[] = "# ok\nkeep; # \xff\n";
  r = mailsec_sieve_script_compile((const uint8_t *)bad, sizeof bad - 1, &script, &position,
                                   &detail);
  CHECK(r == MAILSEC_RESULT_SIEVE_SYNTAX);
  CHECK(position.line == 2 && position.column == 9);
  CHECK(detail.offset == 13);
  CHECK(script == NULL);
}

static void test_example_4_with_callback_lists(void) {
  char *text = example("ex4.sieve");
  mailsec_sieve_script *script = compile(text);
  free(text);
  CHECK(mailsec_sieve_script_required_count(script) == 4);
  mailsec_str capability;
  CHECK(mailsec_sieve_script_required(script, 1, &capability) == MAILSEC_RESULT_OK);
  CHECK(str_is(capability, "extlists"));
  CHECK(mailsec_sieve_script_required(script, 4, &capability) ==
        MAILSEC_RESULT_INVALID_PARAMETER);

  lookup l = {.list = DISALLOWED_IPS, .member = "192.0.2.10"};
  mailsec_sieve_lists *lists = callback_lists(&l);

  mailsec_sieve_outcome *outcome = evaluate(script, lists, FROM_DISALLOWED, "mallory@example.net",
                                            NULL);
  CHECK(strcmp(l.last_list, DISALLOWED_IPS) == 0);
  CHECK(l.contains_calls == 1);
  CHECK(mailsec_sieve_outcome_action_count(outcome) == 1);
  CHECK(!mailsec_sieve_outcome_implicit_keep(outcome));
  mailsec_sieve_action action;
  CHECK(mailsec_sieve_outcome_action(outcome, 0, &action) == MAILSEC_RESULT_OK);
  CHECK(action.kind == MAILSEC_SIEVE_ACTION_KIND_REJECT);
  CHECK(str_is(action.name, "reject"));
  CHECK(str_is(action.reason, "Message not allowed from this IP address"));
  CHECK(action.mailbox.len == 0 && action.flag_count == 0 && !action.implicit);
  CHECK(mailsec_sieve_outcome_action(outcome, 1, &action) == MAILSEC_RESULT_INVALID_PARAMETER);
  CHECK(json_is(outcome, "{\"actions\":[{\"action\":\"reject\",\"reason\":\"Message not allowed "
                         "from this IP address\"}]}"));
  mailsec_bytes *enclosed = (mailsec_bytes *)&l; /* overwritten with NULL */
  CHECK(mailsec_sieve_outcome_message(outcome, &enclosed) == MAILSEC_RESULT_OK);
  CHECK(enclosed == NULL);
  mailsec_sieve_outcome_free(outcome);

  outcome = evaluate(script, lists, FROM_ELSEWHERE, "alice@example.org", NULL);
  CHECK(l.contains_calls == 2);
  CHECK(mailsec_sieve_outcome_action_count(outcome) == 1);
  CHECK(mailsec_sieve_outcome_implicit_keep(outcome));
  CHECK(mailsec_sieve_outcome_action(outcome, 0, &action) == MAILSEC_RESULT_OK);
  CHECK(action.kind == MAILSEC_SIEVE_ACTION_KIND_KEEP);
  CHECK(action.implicit);
  CHECK(json_is(outcome, "{\"actions\":[{\"action\":\"keep\",\"flags\":[],\"implicit\":true}]}"));
  mailsec_sieve_outcome_free(outcome);

  /* The backend is down: defer (RFC 6134 §3), with a 4xx reply for the SMTP client. */
  l.fail_with = MAILSEC_SIEVE_LIST_TEMPORARY_FAILURE;
  outcome = NULL;
  mailsec_error_detail detail;
  mailsec_result r = mailsec_sieve_evaluate(
      script, lists, (const uint8_t *)FROM_DISALLOWED, strlen(FROM_DISALLOWED), NULL, NULL, NULL,
      &outcome, NULL, &detail);
  CHECK(r == MAILSEC_RESULT_SIEVE_DEFER);
  CHECK(outcome == NULL);
  CHECK(detail.smtp_reply_code == 451);
  CHECK(strstr(detail.message, DISALLOWED_IPS) != NULL);

  /* A lookup slower than the list timeout defers too. */
  l.fail_with = 0;
  l.slow = 1;
  mailsec_sieve_options options = {0};
  options.list_timeout_ms = 10;
  r = mailsec_sieve_evaluate(script, lists, (const uint8_t *)FROM_DISALLOWED,
                             strlen(FROM_DISALLOWED), NULL, NULL, &options, &outcome, NULL,
                             &detail);
  CHECK(r == MAILSEC_RESULT_SIEVE_DEFER);
  CHECK(detail.smtp_reply_code == 451);
  l.slow = 0;

  /* A permanent failure is a runtime error of the script: implicit keep, not defer. */
  l.fail_with = MAILSEC_SIEVE_LIST_PERMANENT_FAILURE;
  mailsec_sieve_position position = {0, 0};
  r = mailsec_sieve_evaluate(script, lists, (const uint8_t *)FROM_DISALLOWED,
                             strlen(FROM_DISALLOWED), NULL, NULL, NULL, &outcome, &position,
                             &detail);
  CHECK(r == MAILSEC_RESULT_SIEVE_RUNTIME);
  CHECK(position.line == 4);
  CHECK(detail.smtp_reply_code == 0);

  /* An answer outside the documented ones is a permanent failure too. */
  l.fail_with = 42;
  r = mailsec_sieve_evaluate(script, lists, (const uint8_t *)FROM_DISALLOWED,
                             strlen(FROM_DISALLOWED), NULL, NULL, NULL, &outcome, NULL, &detail);
  CHECK(r == MAILSEC_RESULT_SIEVE_RUNTIME);
  CHECK(strstr(detail.message, "42") != NULL);

  /* Without lists, a :list test is a runtime error. */
  r = mailsec_sieve_evaluate(script, NULL, (const uint8_t *)FROM_DISALLOWED,
                             strlen(FROM_DISALLOWED), NULL, NULL, NULL, &outcome, &position,
                             &detail);
  CHECK(r == MAILSEC_RESULT_SIEVE_RUNTIME);
  CHECK(outcome == NULL);

  mailsec_bytes *extlists = NULL;
  CHECK(mailsec_sieve_extlists_capability(lists, &extlists) == MAILSEC_RESULT_OK);
  CHECK(bytes_are(extlists, "tag urn"));
  mailsec_bytes_free(extlists);
  CHECK(mailsec_sieve_extlists_capability(NULL, &extlists) == MAILSEC_RESULT_OK);
  CHECK(bytes_are(extlists, "urn"));
  mailsec_bytes_free(extlists);

  /* The entry the lookup reports as matched becomes ${0} (RFC 6134 §2.2). */
  l.fail_with = 0;
  mailsec_sieve_script *entry_script = compile(
      "require [\"extlists\", \"variables\", \"fileinto\"];\n"
      "if string :list \"192.0.2.10\" \"tag:example.com,2011-04-10:DisallowedIPs\" {\n"
      "  fileinto \"blocked/${0}\";\n"
      "}\n");
  outcome = evaluate(entry_script, lists, FROM_ELSEWHERE, NULL, NULL);
  CHECK(mailsec_sieve_outcome_action(outcome, 0, &action) == MAILSEC_RESULT_OK);
  CHECK(str_is(action.mailbox, "blocked/192.0.2.0/24"));
  mailsec_sieve_outcome_free(outcome);
  mailsec_sieve_script_free(entry_script);

  /* Only lists made in memory take inserts. */
  const char *entry = "x";
  CHECK(mailsec_sieve_lists_memory_insert(lists, DISALLOWED_IPS, "ip", &entry, 1, &detail) ==
        MAILSEC_RESULT_INVALID_PARAMETER);

  CHECK(l.destroyed == 0);
  mailsec_sieve_lists_free(lists);
  CHECK(l.destroyed == 1);
  mailsec_sieve_script_free(script);
}

static void test_valid_ext_list_and_redirect_list(void) {
  const char *text =
      "require [\"extlists\", \"copy\"];\n"
      "if valid_ext_list \"tag:example.com,2011:team\" {\n"
      "  redirect :copy :list \"tag:example.com,2011:team\";\n"
      "}\n";
  mailsec_sieve_script *script = compile(text);
  lookup l = {.list = "tag:example.com,2011:team", .member = ""};
  mailsec_sieve_lists *lists = callback_lists(&l);

  mailsec_sieve_outcome *outcome = evaluate(script, lists, FROM_ELSEWHERE, NULL, NULL);
  /* Three redirects, then the implicit keep (:copy keeps it). */
  CHECK(mailsec_sieve_outcome_action_count(outcome) == 4);
  mailsec_sieve_action action;
  CHECK(mailsec_sieve_outcome_action(outcome, 1, &action) == MAILSEC_RESULT_OK);
  CHECK(action.kind == MAILSEC_SIEVE_ACTION_KIND_REDIRECT);
  CHECK(str_is(action.address, "bob@example.org"));
  CHECK(action.copy);
  CHECK(mailsec_sieve_outcome_implicit_keep(outcome));
  mailsec_sieve_outcome_free(outcome);

  /* More members than allowed: a limit, not a silent truncation. */
  mailsec_sieve_options options = {0};
  options.max_list_recipients = 2;
  mailsec_error_detail detail;
  mailsec_result r = mailsec_sieve_evaluate(script, lists, (const uint8_t *)FROM_ELSEWHERE,
                                            strlen(FROM_ELSEWHERE), NULL, NULL, &options,
                                            &outcome, NULL, &detail);
  CHECK(r == MAILSEC_RESULT_SIEVE_LIMIT);
  CHECK(strstr(detail.message, "max_list_recipients") != NULL);

  /* The MTA's list handler redirects itself (RFC 6134 §2.3 condition 2). */
  l.enumerate_answer = MAILSEC_SIEVE_LIST_HANDLED;
  outcome = evaluate(script, lists, FROM_ELSEWHERE, NULL, NULL);
  CHECK(mailsec_sieve_outcome_action(outcome, 0, &action) == MAILSEC_RESULT_OK);
  CHECK(action.kind == MAILSEC_SIEVE_ACTION_KIND_REDIRECT);
  CHECK(action.address.len == 0);
  CHECK(str_is(action.list, "tag:example.com,2011:team"));
  mailsec_sieve_outcome_free(outcome);

  /* valid_ext_list is false for a list the lookup does not know: only the implicit keep. */
  l.list = "tag:example.com,2011:other";
  outcome = evaluate(script, lists, FROM_ELSEWHERE, NULL, NULL);
  CHECK(mailsec_sieve_outcome_action_count(outcome) == 1);
  CHECK(mailsec_sieve_outcome_implicit_keep(outcome));
  mailsec_sieve_outcome_free(outcome);

  mailsec_sieve_lists_free(lists);
  mailsec_sieve_script_free(script);
}

static void test_memory_lists_and_options(void) {
  mailsec_sieve_lists *lists = NULL;
  CHECK(mailsec_sieve_lists_memory_new(&lists) == MAILSEC_RESULT_OK);
  const char *friends[] = {"*@example.org", "bob@example.net"};
  mailsec_error_detail detail;
  CHECK(mailsec_sieve_lists_memory_insert(lists, ":addrbook:default", "address", friends, 2,
                                          &detail) == MAILSEC_RESULT_OK);
  const char *holidays[] = {"2026-12-25"};
  CHECK(mailsec_sieve_lists_memory_insert(lists, "tag:example.com,2011-01-01:localHolidays",
                                          "date", holidays, 1, &detail) == MAILSEC_RESULT_OK);
  CHECK(mailsec_sieve_lists_memory_insert(lists, ":addrbook:default", "colour", friends, 2,
                                          &detail) == MAILSEC_RESULT_INVALID_PARAMETER);
  CHECK(strstr(detail.message, "colour") != NULL);
  const char *not_an_ip[] = {"192.0.2.0/24", "example.com"};
  CHECK(mailsec_sieve_lists_memory_insert(lists, "tag:example.com,2011:ips", "ip", not_an_ip, 2,
                                          &detail) == MAILSEC_RESULT_SIEVE_STORE);
  CHECK(mailsec_sieve_lists_memory_insert(lists, "no scheme", "string", NULL, 0, &detail) ==
        MAILSEC_RESULT_SIEVE_STORE);

  const char *text =
      "require [\"envelope\", \"extlists\", \"fileinto\", \"imap4flags\"];\n"
      "if envelope :list \"from\" \":addrbook:default\" {\n"
      "  fileinto :flags \"\\\\Flagged\" \"friends\";\n"
      "}\n";
  mailsec_sieve_script *script = compile(text);
  mailsec_sieve_outcome *outcome =
      evaluate(script, lists, FROM_ELSEWHERE, "Alice@Example.ORG", NULL);
  CHECK(mailsec_sieve_outcome_action_count(outcome) == 1);
  mailsec_sieve_action action;
  CHECK(mailsec_sieve_outcome_action(outcome, 0, &action) == MAILSEC_RESULT_OK);
  CHECK(action.kind == MAILSEC_SIEVE_ACTION_KIND_FILEINTO);
  CHECK(str_is(action.mailbox, "friends"));
  CHECK(!action.copy);
  CHECK(action.flag_count == 1);
  mailsec_str flag;
  CHECK(mailsec_sieve_outcome_action_flag(outcome, 0, 0, &flag) == MAILSEC_RESULT_OK);
  CHECK(str_is(flag, "\\Flagged"));
  CHECK(mailsec_sieve_outcome_action_flag(outcome, 0, 1, &flag) ==
        MAILSEC_RESULT_INVALID_PARAMETER);
  CHECK(json_is(outcome, "{\"actions\":[{\"action\":\"fileinto\",\"mailbox\":\"friends\","
                         "\"flags\":[\"\\\\Flagged\"],\"copy\":false}]}"));
  mailsec_sieve_outcome_free(outcome);

  /* A sender not on the list: implicit keep. */
  outcome = evaluate(script, lists, FROM_ELSEWHERE, "eve@example.com", NULL);
  CHECK(mailsec_sieve_outcome_implicit_keep(outcome));
  mailsec_sieve_outcome_free(outcome);
  mailsec_sieve_script_free(script);

  /* RFC 6134 example 2 on a fixed clock: a holiday notifies, another day does not. */
  char *ex2 = example("ex2.sieve");
  script = compile(ex2);
  free(ex2);
  mailsec_sieve_options options = {0};
  options.fixed_clock = true;
  options.clock_unix = 1798200000; /* 2026-12-25T12:40:00Z */
  options.trace = true;
  outcome = evaluate(script, lists, FROM_ELSEWHERE, NULL, &options);
  CHECK(mailsec_sieve_outcome_action_count(outcome) == 2);
  CHECK(mailsec_sieve_outcome_action(outcome, 0, &action) == MAILSEC_RESULT_OK);
  CHECK(action.kind == MAILSEC_SIEVE_ACTION_KIND_NOTIFY);
  CHECK(str_is(action.method, "xmpp:romeo@im.example.com"));
  CHECK(action.importance == 2);
  CHECK(action.option_count == 0);
  mailsec_bytes *json = NULL;
  CHECK(mailsec_sieve_outcome_json(outcome, &json) == MAILSEC_RESULT_OK);
  CHECK(mailsec_bytes_len(json) > 0);
  CHECK(has(mailsec_bytes_data(json), mailsec_bytes_len(json), "\"trace\""));
  mailsec_bytes_free(json);
  mailsec_sieve_outcome_free(outcome);
  options.clock_unix = 1798200000 - 86400; /* the day before */
  options.trace = false;
  outcome = evaluate(script, lists, FROM_ELSEWHERE, NULL, &options);
  CHECK(mailsec_sieve_outcome_action_count(outcome) == 1);
  CHECK(mailsec_sieve_outcome_implicit_keep(outcome));
  CHECK(json_is(outcome, "{\"actions\":[{\"action\":\"keep\",\"flags\":[],\"implicit\":true}]}"));
  mailsec_sieve_outcome_free(outcome);

  /* A spamtest header without a usable maximum is refused. */
  options.spamtest_header = "X-Spam-Score";
  options.spamtest_max = 0;
  outcome = NULL;
  CHECK(mailsec_sieve_evaluate(script, lists, (const uint8_t *)FROM_ELSEWHERE,
                               strlen(FROM_ELSEWHERE), NULL, NULL, &options, &outcome, NULL,
                               &detail) == MAILSEC_RESULT_INVALID_PARAMETER);
  CHECK(outcome == NULL);
  CHECK(strstr(detail.message, "spamtest_max") != NULL);

  mailsec_sieve_script_free(script);
  mailsec_sieve_lists_free(lists);
}

static void test_lists_file(void) {
  char path[] = "/tmp/mailsec-sieve-lists-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  if (fd < 0) {
    return;
  }
  const char *toml =
      "[[list]]\n"
      "name = \"tag:example.com,2011-04-10:DisallowedIPs\"\n"
      "type = \"ip\"\n"
      "entries = [\"192.0.2.0/24\"]\n";
  CHECK(write(fd, toml, strlen(toml)) == (ssize_t)strlen(toml));
  close(fd);

  mailsec_sieve_lists *lists = NULL;
  mailsec_error_detail detail;
  CHECK(mailsec_sieve_lists_open(path, &lists, &detail) == MAILSEC_RESULT_OK);
  char *text = example("ex4.sieve");
  mailsec_sieve_script *script = compile(text);
  free(text);
  mailsec_sieve_outcome *outcome = evaluate(script, lists, FROM_DISALLOWED, NULL, NULL);
  mailsec_sieve_action action;
  CHECK(mailsec_sieve_outcome_action(outcome, 0, &action) == MAILSEC_RESULT_OK);
  CHECK(action.kind == MAILSEC_SIEVE_ACTION_KIND_REJECT);
  mailsec_sieve_outcome_free(outcome);
  mailsec_sieve_script_free(script);
  mailsec_sieve_lists_free(lists);
  remove(path);

  lists = NULL;
  CHECK(mailsec_sieve_lists_open(path, &lists, &detail) == MAILSEC_RESULT_SIEVE_STORE);
  CHECK(lists == NULL);
  CHECK(strstr(detail.message, "mailsec-sieve-lists-") != NULL);
}

static void test_null_parameters_and_texts(void) {
  mailsec_sieve_script *script = NULL;
  mailsec_sieve_outcome *outcome = NULL;
  mailsec_sieve_lists *lists = NULL;
  CHECK(mailsec_sieve_script_compile(NULL, 4, &script, NULL, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_sieve_script_compile((const uint8_t *)"keep;", 5, NULL, NULL, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_sieve_evaluate(NULL, NULL, (const uint8_t *)"", 0, NULL, NULL, NULL, &outcome,
                               NULL, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  mailsec_sieve_list_callbacks none = {0};
  CHECK(mailsec_sieve_lists_callback_new(&none, NULL, &lists) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_sieve_lists_callback_new(NULL, NULL, &lists) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_sieve_lists_open(NULL, &lists, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(lists == NULL);
  CHECK(mailsec_sieve_outcome_action_count(NULL) == 0);
  CHECK(!mailsec_sieve_outcome_implicit_keep(NULL));
  CHECK(mailsec_sieve_script_required_count(NULL) == 0);
  mailsec_sieve_script_free(NULL);
  mailsec_sieve_lists_free(NULL);
  mailsec_sieve_outcome_free(NULL);

  /* An empty script compiles and keeps. */
  script = compile("");
  outcome = evaluate(script, NULL, "Subject: x\r\n\r\n", NULL, NULL);
  CHECK(mailsec_sieve_outcome_implicit_keep(outcome));
  mailsec_sieve_outcome_free(outcome);
  mailsec_sieve_script_free(script);

  mailsec_str capabilities = mailsec_sieve_capabilities();
  CHECK(capabilities.len > 0);
  CHECK(has(capabilities.data, capabilities.len, "extlists"));

  char buf[128];
  size_t n = 0;
  mailsec_error(MAILSEC_RESULT_SIEVE_DEFER, buf, sizeof buf, &n);
  CHECK(n > 0 && has(buf, n, "defer"));
  mailsec_error(MAILSEC_RESULT_SIEVE_UNKNOWN_COMMAND, buf, sizeof buf, &n);
  CHECK(n > 0 && has(buf, n, "unknown command"));
}

int main(int argc, char **argv) {
  if (argc > 1) {
    examples_dir = argv[1];
  }
  test_compile_errors_give_line_and_column();
  test_example_4_with_callback_lists();
  test_valid_ext_list_and_redirect_list();
  test_memory_lists_and_options();
  test_lists_file();
  test_null_parameters_and_texts();
  if (failures != 0) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return EXIT_FAILURE;
  }
  printf("C Sieve API: all checks passed\n");
  return EXIT_SUCCESS;
}
