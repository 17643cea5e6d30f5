if address :all :is "from" "alice@example.org" { keep; }
if address :localpart :contains ["to", "cc"] "me" { keep; }
if address :domain :matches "from" "*.ORG" { discard; }
