require ["enclose", "mime"];
if exists "x-suspect" { enclose :subject "Quarantined" :headers ["X-Reason: suspect"] "This message was quarantined."; }
