require "reject";
if header :contains "subject" "viagra" { reject text:
Go away.
..dot-stuffed line
.
; }
