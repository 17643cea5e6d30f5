require ["relational", "comparator-i;ascii-numeric"];
if header :count "ge" :comparator "i;ascii-numeric" "received" "2" { discard; }
if address :value "lt" "from" "m" { keep; }
