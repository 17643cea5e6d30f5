/* The CLIENTID server side of the C API as an MTA uses it: the draft §8.1, §8.2 and §8.4 sessions
 * replayed rule by rule (draft §3, §4), refusals by the policy at AUTH (§6, §8.3), the handling
 * flags (§7), policy errors, NULL handling. Built with -Wall -Wextra -Werror -pedantic and run
 * under valgrind by scripts/test. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, rmdir */
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

#define UUID_LINE "CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f"
#define MAC_LINE "CLIENTID MAC 08:9e:01:70:f6:46"
#define NOW 1700000000u
#define POLICY_REFUSED_TEXT "Server policy does not permit your use of this mail system"

static int str_equals(mailsec_str s, const char *expected) {
  return s.len == strlen(expected) && memcmp(s.data, expected, s.len) == 0;
}

static int str_contains(mailsec_str s, const char *needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; i + n <= s.len; i++) {
    if (memcmp(s.data + i, needle, n) == 0) {
      return 1;
    }
  }
  return 0;
}

static mailsec_clientid_engine *engine_from(const char *policy) {
  mailsec_clientid_engine *engine = NULL;
  mailsec_error_detail detail;
  mailsec_result r = mailsec_clientid_engine_new((const uint8_t *)policy, policy ? strlen(policy) : 0,
                                                 &engine, &detail);
  if (r != MAILSEC_RESULT_OK) {
    fprintf(stderr, "policy rejected (%u): %s\n", (unsigned)r, detail.message);
    failures++;
  }
  return engine;
}

static mailsec_clientid_session *session_of(const mailsec_clientid_engine *engine, bool tls) {
  mailsec_clientid_session *session = NULL;
  CHECK(mailsec_clientid_session_new(engine, tls, &session) == MAILSEC_RESULT_OK);
  return session;
}

/* The reply code to a CLIENTID line. */
static uint16_t command(mailsec_clientid_session *session, const char *line) {
  mailsec_clientid_reply reply;
  memset(&reply, 0, sizeof reply);
  CHECK(mailsec_clientid_session_command(session, (const uint8_t *)line, strlen(line), &reply,
                                         NULL) == MAILSEC_RESULT_OK);
  return reply.code;
}

static bool ehlo(mailsec_clientid_session *session) {
  bool advertise = true;
  CHECK(mailsec_clientid_session_ehlo(session, &advertise) == MAILSEC_RESULT_OK);
  return advertise;
}

static void feed(mailsec_clientid_session *session, uint32_t event) {
  CHECK(mailsec_clientid_session_feed(session, event, NULL) == MAILSEC_RESULT_OK);
}

static mailsec_clientid_decision *authenticate(mailsec_clientid_session *session,
                                               const char *account, bool credentials_valid) {
  mailsec_clientid_decision *decision = NULL;
  CHECK(mailsec_clientid_session_authenticate(session, account, credentials_valid, "192.0.2.1",
                                              NULL, NOW, &decision, NULL) == MAILSEC_RESULT_OK);
  CHECK(decision != NULL);
  return decision;
}

static mailsec_clientid_verdict verdict_of(const mailsec_clientid_decision *decision) {
  mailsec_clientid_verdict verdict = MAILSEC_CLIENTID_VERDICT_DEFER;
  CHECK(mailsec_clientid_decision_verdict(decision, &verdict) == MAILSEC_RESULT_OK);
  return verdict;
}

static mailsec_clientid_reply reply_of(const mailsec_clientid_decision *decision) {
  mailsec_clientid_reply reply;
  memset(&reply, 0, sizeof reply);
  CHECK(mailsec_clientid_decision_reply(decision, &reply) == MAILSEC_RESULT_OK);
  return reply;
}

/* draft §8.1, rule by rule: plaintext EHLO, STARTTLS, EHLO, CLIENTID UUID, AUTH, mail. */
static void test_draft_8_1(void) {
  mailsec_clientid_engine *engine = engine_from(NULL);
  mailsec_clientid_session *session = session_of(engine, false);

  /* draft §3 rule 2: no keyword on an unencrypted connection. */
  CHECK(!mailsec_clientid_session_advertises(session));
  CHECK(!ehlo(session));
  /* draft §4, §8.2: CLIENTID before TLS is 500. */
  CHECK(command(session, UUID_LINE) == 500);

  feed(session, MAILSEC_CLIENTID_EVENT_TLS_ESTABLISHED);
  /* draft §3 rule 3: advertised once encrypted... */
  CHECK(mailsec_clientid_session_advertises(session));
  /* ...but draft §4: CLIENTID before the keyword was advertised in an EHLO reply is refused. */
  CHECK(command(session, UUID_LINE) == 503);
  bool advertise = false;
  CHECK(mailsec_clientid_session_feed(session, MAILSEC_CLIENTID_EVENT_EHLO, &advertise) ==
        MAILSEC_RESULT_OK);
  CHECK(advertise);

  mailsec_clientid_reply reply;
  CHECK(mailsec_clientid_session_command(session, (const uint8_t *)UUID_LINE "\r\n",
                                         strlen(UUID_LINE "\r\n"), &reply, NULL) ==
        MAILSEC_RESULT_OK);
  CHECK(reply.code == 250);
  CHECK(str_equals(reply.text, "OK"));
  CHECK(str_equals(reply.enhanced, "2.0.0"));

  /* draft §4: any later CLIENTID in the session is 503, however often. */
  CHECK(command(session, UUID_LINE) == 503);
  CHECK(command(session, MAC_LINE) == 503);

  mailsec_str type, token;
  CHECK(mailsec_clientid_session_identity(session, MAILSEC_CLIENTID_VIEW_SYSTEM_LOG, &type,
                                          &token) == MAILSEC_RESULT_OK);
  CHECK(str_equals(type, "UUID"));
  CHECK(str_equals(token, "23bf83be-aad7-46aa-9e0f-39191ccf402f"));
  /* The default handling (draft §7): system log, authentication, alert on failure; no user log. */
  CHECK(mailsec_clientid_session_identity(session, MAILSEC_CLIENTID_VIEW_USER_LOG, &type,
                                          &token) == MAILSEC_RESULT_CLIENTID_NO_IDENTITY);
  uint32_t flags = 0;
  CHECK(mailsec_clientid_session_handling(session, &flags) == MAILSEC_RESULT_OK);
  CHECK(flags == (MAILSEC_CLIENTID_HANDLING_SYSTEM_LOG | MAILSEC_CLIENTID_HANDLING_AUTHENTICATION |
                  MAILSEC_CLIENTID_HANDLING_ALERT_ON_FAILURE));

  mailsec_clientid_decision *decision = authenticate(session, "test", true);
  CHECK(verdict_of(decision) == MAILSEC_CLIENTID_VERDICT_ALLOW);
  reply = reply_of(decision);
  CHECK(reply.code == 235);
  CHECK(str_equals(reply.text, "Authentication successful"));
  CHECK(mailsec_clientid_decision_finding_count(decision) == 0);
  CHECK(mailsec_clientid_decision_alert_count(decision) == 0);
  CHECK(mailsec_clientid_decision_alert_flags(decision) == 0);
  CHECK(str_equals(mailsec_clientid_decision_log_line(decision), "allow reply=235"));
  CHECK(mailsec_clientid_session_is_authenticated(session));
  CHECK(!mailsec_clientid_session_transaction_refusal(session, &reply));
  mailsec_clientid_decision_free(decision);

  /* draft §4: CLIENTID after AUTH is 503. */
  CHECK(command(session, UUID_LINE) == 503);
  feed(session, MAILSEC_CLIENTID_EVENT_RSET);
  CHECK(mailsec_clientid_session_identity(session, MAILSEC_CLIENTID_VIEW_KEPT, &type, &token) ==
        MAILSEC_RESULT_OK);
  feed(session, MAILSEC_CLIENTID_EVENT_QUIT);
  CHECK(!mailsec_clientid_session_advertises(session));
  CHECK(command(session, UUID_LINE) == 503);

  mailsec_clientid_session_free(session);
  mailsec_clientid_engine_free(engine);
}

/* draft §8.2: the whole plaintext session. */
static void test_draft_8_2(void) {
  mailsec_clientid_engine *engine = engine_from("");
  mailsec_clientid_session *session = session_of(engine, false);
  CHECK(!ehlo(session));
  mailsec_clientid_reply reply;
  CHECK(mailsec_clientid_session_command(session, (const uint8_t *)MAC_LINE, strlen(MAC_LINE),
                                         &reply, NULL) == MAILSEC_RESULT_OK);
  CHECK(reply.code == 500);
  CHECK(str_equals(reply.text, "Syntax error, command unrecognised"));
  mailsec_str type, token;
  CHECK(mailsec_clientid_session_identity(session, MAILSEC_CLIENTID_VIEW_KEPT, &type, &token) ==
        MAILSEC_RESULT_CLIENTID_NO_IDENTITY);
  mailsec_clientid_session_free(session);
  mailsec_clientid_engine_free(engine);
}

/* draft §8.4: a malformed command is 501, and the detail says where. */
static void test_draft_8_4(void) {
  mailsec_clientid_engine *engine = engine_from(NULL);
  mailsec_clientid_session *session = session_of(engine, true);
  CHECK(ehlo(session));
  mailsec_clientid_reply reply;
  mailsec_error_detail detail;
  memset(&detail, 0, sizeof detail);
  CHECK(mailsec_clientid_session_command(session, (const uint8_t *)"CLIENTID MAC", 12, &reply,
                                         &detail) == MAILSEC_RESULT_OK);
  CHECK(reply.code == 501);
  CHECK(str_equals(reply.text, "Syntax error in parameters or arguments"));
  CHECK(detail.offset == 12);
  CHECK(detail.smtp_reply_code == 501);
  CHECK(strcmp(detail.message, "client-id-token missing at offset 12") == 0);
  /* A malformed command is not a successful one: a well-formed one is still accepted. */
  CHECK(command(session, MAC_LINE) == 250);
  mailsec_clientid_session_free(session);
  mailsec_clientid_engine_free(engine);
}

/* draft §4: CLIENTID after an AUTH command (even one still in progress) is 503. */
static void test_after_auth_started(void) {
  mailsec_clientid_engine *engine = engine_from(NULL);
  mailsec_clientid_session *session = session_of(engine, true);
  CHECK(ehlo(session));
  feed(session, MAILSEC_CLIENTID_EVENT_AUTH_STARTED);
  CHECK(command(session, UUID_LINE) == 503);
  /* draft §4: a security layer after AUTH discards everything; CLIENTID needs a new EHLO. */
  feed(session, MAILSEC_CLIENTID_EVENT_SECURITY_LAYER_RESET);
  CHECK(command(session, UUID_LINE) == 503);
  CHECK(ehlo(session));
  CHECK(command(session, UUID_LINE) == 250);
  /* HELO lists no keyword. */
  bool advertise = true;
  CHECK(mailsec_clientid_session_feed(session, MAILSEC_CLIENTID_EVENT_HELO, &advertise) ==
        MAILSEC_RESULT_OK);
  CHECK(!advertise);
  mailsec_clientid_session_free(session);
  mailsec_clientid_engine_free(engine);
}

/* draft §6.1 items 2–3 and §8.3: a denied type is accepted at CLIENTID and refused at AUTH
 * with the generic 550, the reason in the finding and the log line only. */
static void test_policy_refusal(void) {
  mailsec_clientid_engine *engine = engine_from("[clientid]\ndenied_types = [\"MAC\"]\n");
  mailsec_clientid_session *session = session_of(engine, false);
  feed(session, MAILSEC_CLIENTID_EVENT_TLS_ESTABLISHED);
  CHECK(ehlo(session));
  CHECK(command(session, MAC_LINE) == 250);

  mailsec_clientid_decision *decision = authenticate(session, "test", true);
  CHECK(verdict_of(decision) == MAILSEC_CLIENTID_VERDICT_REFUSE);
  mailsec_clientid_reply reply = reply_of(decision);
  CHECK(reply.code == 550);
  CHECK(str_equals(reply.enhanced, "5.7.1"));
  CHECK(str_equals(reply.text, POLICY_REFUSED_TEXT));

  CHECK(mailsec_clientid_decision_finding_count(decision) == 1);
  mailsec_str name, detail;
  mailsec_clientid_action action = MAILSEC_CLIENTID_ACTION_ALLOW;
  CHECK(mailsec_clientid_decision_finding(decision, 0, &name, &action, &detail) ==
        MAILSEC_RESULT_OK);
  CHECK(str_equals(name, "type_not_accepted"));
  CHECK(action == MAILSEC_CLIENTID_ACTION_DENY);
  CHECK(str_equals(detail, "type MAC is not accepted"));
  CHECK(mailsec_clientid_decision_finding(decision, 0, &name, NULL, NULL) == MAILSEC_RESULT_OK);
  CHECK(mailsec_clientid_decision_finding(decision, 1, &name, NULL, NULL) ==
        MAILSEC_RESULT_INVALID_PARAMETER);

  /* Alerts: the type's flag 6 (authentication failed) and the heuristic. */
  CHECK(mailsec_clientid_decision_alert_count(decision) == 2);
  CHECK(mailsec_clientid_decision_alert_flags(decision) ==
        (MAILSEC_CLIENTID_ALERT_AUTHENTICATION_FAILED | MAILSEC_CLIENTID_ALERT_HEURISTIC));
  CHECK(mailsec_clientid_decision_alert(decision, 0, &name) == MAILSEC_RESULT_OK);
  CHECK(str_equals(name, "authentication_failed"));
  CHECK(mailsec_clientid_decision_alert(decision, 1, &name) == MAILSEC_RESULT_OK);
  CHECK(str_equals(name, "type_not_accepted"));
  CHECK(mailsec_clientid_decision_alert(decision, 2, &name) == MAILSEC_RESULT_INVALID_PARAMETER);

  mailsec_str log = mailsec_clientid_decision_log_line(decision);
  CHECK(str_contains(log, "refuse reply=550"));
  CHECK(str_contains(log, "type_not_accepted (deny)"));
  CHECK(!mailsec_clientid_session_is_authenticated(session));
  mailsec_clientid_decision_free(decision);

  /* The same refusal whatever the credentials: a guesser learns nothing (draft §6.1). */
  mailsec_clientid_session *second = session_of(engine, true);
  CHECK(ehlo(second));
  CHECK(command(second, MAC_LINE) == 250);
  decision = authenticate(second, "test", false);
  CHECK(reply_of(decision).code == 550);
  mailsec_clientid_decision_free(decision);

  mailsec_clientid_session_free(second);
  mailsec_clientid_session_free(session);
  mailsec_clientid_engine_free(engine);
}

/* draft §8.3 as written: 235, then 550 to the mail transaction. */
static void test_refusal_after_auth(void) {
  mailsec_clientid_engine *engine =
      engine_from("[clientid]\nrefuse_at = \"transaction\"\ndenied_types = [\"MAC\"]\n");
  mailsec_clientid_session *session = session_of(engine, true);
  CHECK(ehlo(session));
  CHECK(command(session, MAC_LINE) == 250);
  mailsec_clientid_decision *decision = authenticate(session, "test", true);
  CHECK(verdict_of(decision) == MAILSEC_CLIENTID_VERDICT_REFUSE);
  CHECK(reply_of(decision).code == 235);
  mailsec_clientid_reply reply;
  memset(&reply, 0, sizeof reply);
  CHECK(mailsec_clientid_session_transaction_refusal(session, &reply));
  CHECK(reply.code == 550);
  CHECK(str_equals(reply.text, POLICY_REFUSED_TEXT));
  CHECK(mailsec_clientid_session_transaction_refusal(session, NULL));
  mailsec_clientid_decision_free(decision);
  mailsec_clientid_session_free(session);
  mailsec_clientid_engine_free(engine);
}

/* draft §6.1 item 1: no identity, no entry. */
static void test_require_clientid(void) {
  mailsec_clientid_engine *engine = engine_from("[clientid]\nrequire_clientid = true\n");
  mailsec_clientid_session *session = session_of(engine, true);
  CHECK(ehlo(session));
  mailsec_clientid_decision *decision = authenticate(session, "test", true);
  CHECK(reply_of(decision).code == 550);
  mailsec_str name;
  CHECK(mailsec_clientid_decision_finding(decision, 0, &name, NULL, NULL) == MAILSEC_RESULT_OK);
  CHECK(str_equals(name, "clientid_required"));
  mailsec_clientid_decision_free(decision);
  mailsec_clientid_session_free(session);
  mailsec_clientid_engine_free(engine);
}

/* draft §7: flag 2 keeps the identity for debugging but it counts as not presented; flag 1
 * keeps nothing. Both types are still answered 250. */
static void test_handling_flags(void) {
  mailsec_clientid_engine *engine = engine_from(
      "[clientid]\nrequire_clientid = true\n"
      "[clientid.handling]\ntypes = { MAC = [\"debug\"], LICENSE = [\"ignore\"], "
      "UUID = [\"user-log\", \"authentication\", \"alert-on-success\"] }\n");

  mailsec_clientid_session *session = session_of(engine, true);
  CHECK(ehlo(session));
  CHECK(command(session, MAC_LINE) == 250);
  mailsec_str type, token;
  CHECK(mailsec_clientid_session_identity(session, MAILSEC_CLIENTID_VIEW_KEPT, &type, &token) ==
        MAILSEC_RESULT_OK);
  CHECK(str_equals(type, "MAC"));
  CHECK(mailsec_clientid_session_identity(session, MAILSEC_CLIENTID_VIEW_PRESENTED, &type,
                                          &token) == MAILSEC_RESULT_CLIENTID_NO_IDENTITY);
  CHECK(mailsec_clientid_session_identity(session, MAILSEC_CLIENTID_VIEW_SYSTEM_LOG, &type,
                                          &token) == MAILSEC_RESULT_CLIENTID_NO_IDENTITY);
  uint32_t flags = 0;
  CHECK(mailsec_clientid_session_handling(session, &flags) == MAILSEC_RESULT_OK);
  CHECK(flags == MAILSEC_CLIENTID_HANDLING_DEBUG);
  mailsec_clientid_decision *decision = authenticate(session, "test", true);
  CHECK(reply_of(decision).code == 550); /* not presented, and one is required */
  mailsec_clientid_decision_free(decision);
  mailsec_clientid_session_free(session);

  session = session_of(engine, true);
  CHECK(ehlo(session));
  CHECK(command(session, "CLIENTID LICENSE ABCD-1234") == 250);
  CHECK(mailsec_clientid_session_identity(session, MAILSEC_CLIENTID_VIEW_KEPT, &type, &token) ==
        MAILSEC_RESULT_CLIENTID_NO_IDENTITY);
  CHECK(mailsec_clientid_session_handling(session, &flags) == MAILSEC_RESULT_CLIENTID_NO_IDENTITY);
  CHECK(command(session, UUID_LINE) == 503); /* it was a successful CLIENTID all the same */
  mailsec_clientid_session_free(session);

  session = session_of(engine, true);
  CHECK(ehlo(session));
  CHECK(command(session, UUID_LINE) == 250);
  CHECK(mailsec_clientid_session_identity(session, MAILSEC_CLIENTID_VIEW_USER_LOG, &type,
                                          &token) == MAILSEC_RESULT_OK);
  CHECK(mailsec_clientid_session_identity(session, MAILSEC_CLIENTID_VIEW_SYSTEM_LOG, &type,
                                          &token) == MAILSEC_RESULT_CLIENTID_NO_IDENTITY);
  CHECK(mailsec_clientid_session_identity(session, MAILSEC_CLIENTID_VIEW_AUTHENTICATION, &type,
                                          &token) == MAILSEC_RESULT_OK);
  decision = authenticate(session, "test", true);
  CHECK(reply_of(decision).code == 235);
  CHECK(mailsec_clientid_decision_alert_flags(decision) ==
        MAILSEC_CLIENTID_ALERT_AUTHENTICATION_SUCCEEDED);
  mailsec_clientid_decision_free(decision);
  mailsec_clientid_session_free(session);

  mailsec_clientid_engine_free(engine);
}

/* A disabled extension is never advertised and CLIENTID is an unknown command (draft §3 rule 1). */
static void test_disabled(void) {
  mailsec_clientid_engine *engine = engine_from("[clientid]\nenabled = false\n");
  mailsec_clientid_session *session = session_of(engine, true);
  CHECK(!ehlo(session));
  CHECK(command(session, UUID_LINE) == 500);
  mailsec_clientid_session_free(session);
  mailsec_clientid_engine_free(engine);
}

static void test_policy_errors(void) {
  mailsec_clientid_engine *engine = NULL;
  mailsec_error_detail detail;
  const char *bad_toml = "[clientid]\nrequire_clientid = maybe\n";
  CHECK(mailsec_clientid_engine_new((const uint8_t *)bad_toml, strlen(bad_toml), &engine,
                                    &detail) == MAILSEC_RESULT_POLICY_INVALID);
  CHECK(engine == NULL);
  CHECK(strncmp(detail.message, "line 2, column 20", 17) == 0);
  CHECK(detail.offset == 30);

  const char *unknown = "[clientid]\nrequire_clientd = true\n";
  CHECK(mailsec_clientid_engine_new((const uint8_t *)unknown, strlen(unknown), &engine, NULL) ==
        MAILSEC_RESULT_POLICY_INVALID);

  const char *inconsistent = "[clientid.travel]\nwindow_seconds = 60\nipv4_prefix = 40\n";
  CHECK(mailsec_clientid_engine_new((const uint8_t *)inconsistent, strlen(inconsistent), &engine,
                                    &detail) == MAILSEC_RESULT_CLIENTID_POLICY);
  CHECK(strstr(detail.message, "travel.ipv4_prefix") != NULL);

  const uint8_t not_utf8[] = {'[', 'c', 'l', 'i', 0xff, ']'};
  CHECK(mailsec_clientid_engine_new(not_utf8, sizeof not_utf8, &engine, &detail) ==
        MAILSEC_RESULT_POLICY_INVALID);
  CHECK(detail.offset == 4);
  CHECK(engine == NULL);

  char buf[80];
  size_t n = 0;
  mailsec_error(MAILSEC_RESULT_CLIENTID_POLICY, buf, sizeof buf, &n);
  CHECK(n == strlen("inconsistent [clientid] policy") && memcmp(buf, "inconsistent", 12) == 0);
  mailsec_error(MAILSEC_RESULT_CLIENTID_NO_IDENTITY, buf, sizeof buf, &n);
  CHECK(n > 0 && memcmp(buf, "no client identity", 18) == 0);
}

static void test_bad_arguments(void) {
  mailsec_clientid_engine *engine = engine_from(NULL);
  mailsec_clientid_session *session = session_of(engine, true);
  mailsec_clientid_decision *decision = NULL;
  mailsec_error_detail detail;

  CHECK(mailsec_clientid_session_authenticate(session, "test", true, "not an address", NULL, NOW,
                                              &decision, &detail) ==
        MAILSEC_RESULT_INVALID_PARAMETER);
  CHECK(decision == NULL);
  CHECK(strcmp(detail.message, "peer \"not an address\" is not an IP address") == 0);
  CHECK(mailsec_clientid_session_authenticate(session, "\xff", true, "192.0.2.1", NULL, NOW,
                                              &decision, &detail) ==
        MAILSEC_RESULT_INVALID_PARAMETER);
  CHECK(decision == NULL);
  CHECK(mailsec_clientid_session_feed(session, 99, NULL) == MAILSEC_RESULT_INVALID_PARAMETER);
  mailsec_str type, token;
  CHECK(mailsec_clientid_session_identity(session, 99, &type, &token) ==
        MAILSEC_RESULT_INVALID_PARAMETER);

  /* An IPv6 peer and a location label are accepted; now = 0 reads the system clock. */
  CHECK(mailsec_clientid_session_authenticate(session, "test", true, "2001:db8::1", "FR", 0,
                                              &decision, NULL) == MAILSEC_RESULT_OK);
  CHECK(reply_of(decision).code == 235);
  mailsec_clientid_decision_free(decision);

  mailsec_clientid_session_free(session);

  /* A session holds the engine: it outlives mailsec_clientid_engine_free. */
  session = session_of(engine, true);
  mailsec_clientid_engine_free(engine);
  CHECK(ehlo(session));
  CHECK(command(session, UUID_LINE) == 250);
  decision = authenticate(session, "test", true);
  CHECK(reply_of(decision).code == 235);
  mailsec_clientid_decision_free(decision);
  mailsec_clientid_session_free(session);
}

static mailsec_clientid_engine *sqlite_engine(const char *policy, const char *path) {
  mailsec_clientid_engine *engine = NULL;
  mailsec_error_detail detail;
  mailsec_result r = mailsec_clientid_engine_new_sqlite((const uint8_t *)policy, strlen(policy),
                                                        path, &engine, &detail);
  if (r != MAILSEC_RESULT_OK) {
    fprintf(stderr, "sqlite engine failed (%u): %s\n", (unsigned)r, detail.message);
    failures++;
  }
  return engine;
}

/* One SMTP session up to AUTH with the §8.1 identity; returns the AUTH reply code. */
static uint16_t uuid_session(const mailsec_clientid_engine *engine, const char *line,
                             const char **finding) {
  mailsec_clientid_session *session = session_of(engine, true);
  CHECK(ehlo(session));
  CHECK(command(session, line) == 250);
  mailsec_clientid_decision *decision = authenticate(session, "alice@example.com", true);
  uint16_t code = reply_of(decision).code;
  mailsec_str name = {"", 0};
  *finding = "";
  if (mailsec_clientid_decision_finding_count(decision) > 0) {
    CHECK(mailsec_clientid_decision_finding(decision, 0, &name, NULL, NULL) == MAILSEC_RESULT_OK);
    *finding = str_equals(name, "new_device") ? "new_device" : "other";
  }
  mailsec_clientid_decision_free(decision);
  mailsec_clientid_session_free(session);
  return code;
}

/* draft §6.3 use case 3 across a restart: a device that authenticated once (new_device =
 * "alert") is known to the next engine on the same file, which denies new devices. */
static void test_sqlite_history_persists(void) {
  char dir[] = "/tmp/mailsec-clientid-XXXXXX";
  if (mkdtemp(dir) == NULL) {
    perror("mkdtemp");
    failures++;
    return;
  }
  char path[64], wal[80], shm[80];
  snprintf(path, sizeof path, "%s/history.sqlite", dir);
  snprintf(wal, sizeof wal, "%s-wal", path);
  snprintf(shm, sizeof shm, "%s-shm", path);
  const char *finding = NULL;

  mailsec_clientid_engine *first =
      sqlite_engine("[clientid]\ntoken_storage = \"plain\"\nnew_device = \"alert\"\n", path);
  CHECK(uuid_session(first, UUID_LINE, &finding) == 235);
  CHECK(strcmp(finding, "new_device") == 0);
  CHECK(uuid_session(first, UUID_LINE, &finding) == 235);
  CHECK(strcmp(finding, "") == 0);
  mailsec_clientid_engine_free(first);

  mailsec_clientid_engine *second =
      sqlite_engine("[clientid]\ntoken_storage = \"plain\"\nnew_device = \"deny\"\n", path);
  CHECK(uuid_session(second, UUID_LINE, &finding) == 235);
  CHECK(strcmp(finding, "") == 0);
  CHECK(uuid_session(second, "CLIENTID UUID 0b9e6b3c-0d0e-4a53-9c55-2f6b8b1c6a11", &finding) ==
        550);
  CHECK(strcmp(finding, "new_device") == 0);
  mailsec_clientid_engine_free(second);

  /* A file that is not a history store, and a directory that does not exist. */
  FILE *f = fopen(path, "wb");
  CHECK(f != NULL);
  if (f != NULL) {
    fputs("not an SQLite database, not even close; just text long enough to be read.\n", f);
    fclose(f);
  }
  remove(wal);
  remove(shm);
  mailsec_clientid_engine *engine = NULL;
  mailsec_error_detail detail;
  CHECK(mailsec_clientid_engine_new_sqlite(NULL, 0, path, &engine, &detail) ==
        MAILSEC_RESULT_CLIENTID_STORE_CORRUPT);
  CHECK(engine == NULL);
  char missing[96];
  snprintf(missing, sizeof missing, "%s/no/such/dir/history.sqlite", dir);
  CHECK(mailsec_clientid_engine_new_sqlite(NULL, 0, missing, &engine, &detail) ==
        MAILSEC_RESULT_CLIENTID_STORE_UNAVAILABLE);
  CHECK(strstr(detail.message, "no/such/dir") != NULL);
  CHECK(engine == NULL);
  CHECK(mailsec_clientid_engine_new_sqlite(NULL, 0, NULL, &engine, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);

  remove(path);
  remove(wal);
  remove(shm);
  CHECK(rmdir(dir) == 0);
}

static void test_null_parameters(void) {
  mailsec_clientid_engine *engine = engine_from(NULL);
  mailsec_clientid_session *session = session_of(engine, true);
  mailsec_clientid_session *no_session = NULL;
  mailsec_clientid_decision *decision = NULL;
  mailsec_clientid_reply reply;
  mailsec_str s1, s2;
  uint32_t flags;
  bool advertise;
  mailsec_clientid_verdict verdict;

  CHECK(mailsec_clientid_engine_new(NULL, 0, NULL, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_clientid_engine_new(NULL, 5, &engine, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_clientid_session_new(NULL, true, &no_session) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(no_session == NULL);
  CHECK(mailsec_clientid_session_new(engine, true, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_clientid_session_feed(NULL, MAILSEC_CLIENTID_EVENT_EHLO, &advertise) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_clientid_session_ehlo(NULL, &advertise) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_clientid_session_ehlo(session, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(!mailsec_clientid_session_advertises(NULL));
  CHECK(mailsec_clientid_session_command(NULL, (const uint8_t *)"x", 1, &reply, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_clientid_session_command(session, NULL, 3, &reply, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_clientid_session_command(session, (const uint8_t *)"x", 1, NULL, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_clientid_session_authenticate(NULL, "a", true, "192.0.2.1", NULL, NOW, &decision,
                                              NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_clientid_session_authenticate(session, NULL, true, "192.0.2.1", NULL, NOW,
                                              &decision, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_clientid_session_authenticate(session, "a", true, NULL, NULL, NOW, &decision,
                                              NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_clientid_session_authenticate(session, "a", true, "192.0.2.1", NULL, NOW, NULL,
                                              NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(decision == NULL);
  CHECK(!mailsec_clientid_session_transaction_refusal(NULL, &reply));
  CHECK(!mailsec_clientid_session_is_authenticated(NULL));
  CHECK(mailsec_clientid_session_identity(NULL, MAILSEC_CLIENTID_VIEW_KEPT, &s1, &s2) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_clientid_session_identity(session, MAILSEC_CLIENTID_VIEW_KEPT, NULL, &s2) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_clientid_session_handling(NULL, &flags) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_clientid_session_handling(session, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_clientid_decision_verdict(NULL, &verdict) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_clientid_decision_reply(NULL, &reply) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_clientid_decision_log_line(NULL).len == 0);
  CHECK(mailsec_clientid_decision_log_line(NULL).data != NULL);
  CHECK(mailsec_clientid_decision_finding_count(NULL) == 0);
  CHECK(mailsec_clientid_decision_alert_count(NULL) == 0);
  CHECK(mailsec_clientid_decision_alert_flags(NULL) == 0);
  CHECK(mailsec_clientid_decision_finding(NULL, 0, &s1, NULL, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_clientid_decision_alert(NULL, 0, &s1) == MAILSEC_RESULT_NULL_PARAMETER);

  decision = authenticate(session, "test", true);
  CHECK(mailsec_clientid_decision_verdict(decision, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_clientid_decision_reply(decision, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_clientid_decision_finding(decision, 0, NULL, NULL, NULL) ==
        MAILSEC_RESULT_NULL_PARAMETER);
  CHECK(mailsec_clientid_decision_alert(decision, 0, NULL) == MAILSEC_RESULT_NULL_PARAMETER);
  mailsec_clientid_decision_free(decision);

  mailsec_clientid_engine_free(NULL);
  mailsec_clientid_session_free(NULL);
  mailsec_clientid_decision_free(NULL);
  mailsec_clientid_session_free(session);
  mailsec_clientid_engine_free(engine);
}

int main(void) {
  test_draft_8_1();
  test_draft_8_2();
  test_draft_8_4();
  test_after_auth_started();
  test_policy_refusal();
  test_refusal_after_auth();
  test_require_clientid();
  test_handling_flags();
  test_disabled();
  test_policy_errors();
  test_bad_arguments();
  test_sqlite_history_persists();
  test_null_parameters();
  if (failures != 0) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return EXIT_FAILURE;
  }
  printf("C CLIENTID session API: all checks passed\n");
  return EXIT_SUCCESS;
}
