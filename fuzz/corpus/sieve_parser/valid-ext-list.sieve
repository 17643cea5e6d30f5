require "extlists";
if valid_ext_list [":ADDRBOOK:%44efault", "tag:example.com,2026:words"] { keep; }
if not valid_ext_list "urn:ietf:params:sieve:addrbook:nope" { discard; }
