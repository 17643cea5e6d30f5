require ["variables", "fileinto"];
if header :matches "subject" "[*] *" { fileinto "lists.${1}"; set "rest" "${2}"; }
if string :contains "${rest}" "x" { stop; }
