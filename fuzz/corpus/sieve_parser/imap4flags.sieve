require ["imap4flags", "variables"];
setflag "\\Flagged";
addflag ["$Work", "\\Seen"];
removeflag "\\Seen";
if hasflag :contains "work" { keep :flags "$Later"; }
addflag "v" "x y";
