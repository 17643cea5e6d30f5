/* How an MTA answers CLIENTID commands with mailsec: reads SMTP command lines on stdin and
 * prints the reply a server sends for each (draft-storey-smtp-client-id-13 §4, §8).
 *
 *   printf 'CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f\r\nCLIENTID MAC\r\n' | ./clientid_server
 */
#include <stdio.h>
#include <string.h>

#include "mailsec.h"

int main(void) {
  char line[1024];
  while (fgets(line, sizeof line, stdin) != NULL) {
    size_t len = strlen(line);
    mailsec_clientid_command *command = NULL;
    mailsec_error_detail detail;
    mailsec_result result =
        mailsec_clientid_parse((const uint8_t *)line, len, 0, &command, &detail);
    if (result == MAILSEC_RESULT_OK) {
      mailsec_str type = mailsec_clientid_command_type(command);
      mailsec_str token = mailsec_clientid_command_token(command);
      /* A real server keeps the identity in its session; its policy decides at AUTH (§6.1). */
      printf("250 OK (type %.*s, token %.*s)\n", (int)type.len, type.data, (int)token.len,
             token.data);
      mailsec_clientid_command_free(command);
    } else if (detail.smtp_reply_code != 0) {
      /* The reply text stays generic (§6.1); the detail is for the server's log. */
      printf("%u Syntax error in parameters or arguments\n", (unsigned)detail.smtp_reply_code);
      fprintf(stderr, "log: %s\n", detail.message);
    } else {
      char text[128];
      size_t n = 0;
      mailsec_error(result, text, sizeof text, &n);
      fprintf(stderr, "mailsec: %.*s\n", (int)n, text);
      return 1;
    }
  }
  return 0;
}
