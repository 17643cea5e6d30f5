require "extlists";
if header :list :comparator "i;octet" "from" ":addrbook:default" { keep; }
