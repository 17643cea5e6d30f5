require ["index", "date"];
if header :index 2 :last :contains "received" "example" { discard; }
if date :index 1 "date" "month" "01" { keep; }
