require "fileinto";
if header :contains "subject" "été 日本" { fileinto "Été"; }
