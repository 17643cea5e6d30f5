require ["extlists", "variables", "reject"];
if header :matches "received" "*[*]*" {
  if string :list "${2}" "tag:example.com,2026:ips" { reject "blocked ${0}"; }
}
if string :list "${unknown}" "tag:example.com,2026:words" { keep; }
