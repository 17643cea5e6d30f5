require ["extlists", "fileinto"];
if address :list "from" ":addrbook:default" { fileinto "known"; }
if header :list ["to", "cc"] "tag:example.com,2026:members" { keep; }
