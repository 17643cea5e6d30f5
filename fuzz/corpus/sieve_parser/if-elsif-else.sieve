if false { discard; } elsif not true { keep; } else { stop; }
