require ["ihave", "fileinto"];
if ihave "vacation" { error "vacation is here"; } elsif ihave ["fileinto", "extlists"] { fileinto "ok"; }
