require ["spamtest", "spamtestplus", "virustest", "relational", "comparator-i;ascii-numeric", "fileinto"];
if spamtest :percent :value "gt" :comparator "i;ascii-numeric" "50" { fileinto "spam"; }
if virustest :value "ge" :comparator "i;ascii-numeric" "4" { discard; }
if spamtest :count "eq" :comparator "i;ascii-numeric" "0" { keep; }
