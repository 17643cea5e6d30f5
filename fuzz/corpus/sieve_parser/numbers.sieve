if size :over 4G { discard; }
if size :under 0 { keep; }
if size :over 1k { stop; }
