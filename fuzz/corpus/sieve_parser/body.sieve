require ["body", "fileinto"];
if body :raw :contains "unsubscribe" { fileinto "bulk"; }
if body :content "text" :contains "invoice" { keep; }
if body :text :matches "*hello*" { discard; }
