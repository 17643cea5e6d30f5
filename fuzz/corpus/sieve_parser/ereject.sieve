require "ereject";
if size :over 50K { ereject "too big"; }
