if allof (exists ["from", "date"], size :under 1M, not size :over 10K) { keep; } else { discard; }
