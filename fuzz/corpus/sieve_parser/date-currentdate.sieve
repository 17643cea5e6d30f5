require ["date", "relational", "fileinto"];
if currentdate :value "ge" "hour" "09" { keep; }
if date :zone "+0200" :is "date" "year" "2026" { fileinto "2026"; }
if date :originalzone :value "lt" "date" "weekday" "5" { keep; }
