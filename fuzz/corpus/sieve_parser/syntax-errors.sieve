if header :is "subject" {
  fileinto "x"
}
else { keep; }
"unterminated
