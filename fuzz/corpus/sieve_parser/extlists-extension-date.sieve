require ["extlists", "mime", "foreverypart", "date", "fileinto"];
foreverypart { if header :mime :param "filename" :list "Content-Disposition" "tag:example.com,2026:exts" { fileinto "bad"; break; } }
if currentdate :list "date" "tag:example.com,2026:dates" { keep; }
if date :list "date" "date" "tag:example.com,2026:dates" { keep; }
