# comment
/* block
 * comment */ require "fileinto"; fileinto "\"quoted\\ \x";
if header :is "subject" text: # trailing
multi
.
{ keep; }
