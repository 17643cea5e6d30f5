require ["mime", "foreverypart", "fileinto"];
foreverypart :name "outer" {
  if header :mime :type :is "Content-Type" "image" { fileinto "images"; break :name "outer"; }
  if header :mime :anychild :subtype :contains "Content-Type" "pdf" { keep; }
  if address :mime :anychild :domain "from" "example.org" { stop; }
}
