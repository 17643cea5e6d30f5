require "comparator-i;ascii-numeric";
if header :comparator "i;octet" :is "subject" "Hello" { keep; }
if header :comparator "i;ascii-casemap" :contains "subject" "HELLO" { keep; }
if header :comparator "i;ascii-numeric" :is "x-count" "042" { discard; }
