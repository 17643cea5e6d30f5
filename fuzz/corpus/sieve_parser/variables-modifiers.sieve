require ["variables", "enotify"];
set :lower :upperfirst "name" "ALICE";
set :length "len" "${name}";
set :quotewildcard "q" "a*b?c\\";
set :encodeurl "u" "a b&c";
if string :is "${name}${len}" "Alice5" { keep; }
