require ["envelope", "subaddress"];
if envelope :detail "to" "members" { keep; }
if envelope :user :is "to" "me" { keep; }
if envelope :all :is "from" "" { discard; }
