require ["encoded-character", "fileinto"];
if header :contains "subject" "${hex:48 65}${unicode:6c 006C}o" { fileinto "${hex:41}"; }
