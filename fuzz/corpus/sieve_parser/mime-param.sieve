require ["mime", "foreverypart", "variables"];
foreverypart {
  if header :mime :param ["filename", "name"] :contains "Content-Disposition" ".pdf" {
    if header :mime :param "filename" :matches "Content-Disposition" "*.*" { set "ext" "${2}"; }
    if string :is "${ext}" "pdf" { discard; }
  }
}
