require "copy";
redirect :copy "backup@example.com";
redirect "Other <other@example.org>";
