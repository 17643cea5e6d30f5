require "enotify";
if valid_notify_method "mailto:me@example.com" { notify :from "sieve@example.com" :importance "1" :options ["a=b"] :message "new mail" "mailto:me@example.com"; }
if notify_method_capability "xmpp:me@example.com" "online" "yes" { keep; }
