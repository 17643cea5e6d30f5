require ["extlists", "envelope", "subaddress"];
if envelope :detail "to" "members" { redirect :list "tag:example.com,2026:members"; }
