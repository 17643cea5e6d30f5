if anyof (false, allof (true, not false), anyof (exists "x", false)) { if true { if true { keep; } } }
