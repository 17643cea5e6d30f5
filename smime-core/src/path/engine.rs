//! certval set-up and the check of one candidate path: RFC 5280 §6.1 basic path validation
//! (`validate_path_rfc5280`) followed, when asked, by offline CRL checking
//! (`check_revocation_local`).

use std::collections::BTreeSet;

use certval::{
    CertFile, CertVector, CertificationPath, CertificationPathResults, CertificationPathSettings,
    MemoryCrlSource, PDVCertificate, PDVTrustAnchorChoice, PkiEnvironment, TaSource,
    TimeOfInterest, check_revocation_local,
};
use der::Decode;
use x509_cert::certificate::Raw;
use x509_cert::crl::CertificateList;

use super::{PathFailure, PathOptions, algorithms, status};

/// Why one path failed: the reason and, when certval recorded it, the position of the
/// certificate at fault (0 = trust anchor, then intermediates from the anchor down, last =
/// leaf).
pub(crate) type Failure = (PathFailure, Option<u32>);

/// A certval environment configured for one validation request.
pub(crate) struct Engine {
    pe: PkiEnvironment,
    cps: CertificationPathSettings,
    check_revocation: bool,
}

impl Engine {
    /// Prepares certval with the anchors, the CRLs and the RFC 5280 §6.1.1 inputs of `options`.
    pub(crate) fn new(
        anchors: &[PDVTrustAnchorChoice],
        options: &PathOptions,
    ) -> Result<Self, PathFailure> {
        let mut cps = CertificationPathSettings::new();

        // RFC 5280 §6.1.1 (b). certval treats 0 as "no validity check", so never pass it.
        let toi =
            TimeOfInterest::from_unix_secs(options.time.max(1)).map_err(|_| PathFailure::Other)?;
        cps.set_time_of_interest(toi);

        // RFC 5280 §6.1.1 (c), (e), (f), (g)
        if !options.initial_policy_set.is_empty() {
            let set: BTreeSet<_> = options.initial_policy_set.iter().copied().collect();
            cps.set_initial_policy_set_from_oid_set(set);
        }
        cps.set_initial_explicit_policy_indicator(options.initial_explicit_policy);
        cps.set_initial_policy_mapping_inhibit_indicator(options.initial_policy_mapping_inhibit);
        cps.set_initial_inhibit_any_policy_indicator(options.initial_any_policy_inhibit);

        // Offline only: CRLs handed in by the caller, nothing fetched.
        cps.set_check_revocation_status(options.check_revocation);
        cps.set_check_crls(true);
        cps.set_check_ocsp_from_aia(false);
        cps.set_check_crldp_http(false);
        cps.set_retrieve_from_aia_sia_http(false);

        let mut pe = PkiEnvironment::default();
        pe.populate_5280_pki_environment();

        let mut tas = TaSource::new();
        for (i, anchor) in anchors.iter().enumerate() {
            tas.push(CertFile {
                filename: format!("anchor #{i}"),
                bytes: anchor.as_bytes().to_vec(),
            });
        }
        tas.initialize().map_err(|_| PathFailure::Other)?;
        pe.add_trust_anchor_source(Box::new(tas));

        if options.check_revocation {
            let crls = MemoryCrlSource::new();
            for crl in &options.crls {
                // A SHA-1 signed CRL is dropped unless SHA-1 is allowed; an undecodable one
                // would be refused by the source anyway.
                if let Ok(decoded) = CertificateList::<Raw>::from_der(crl)
                    && (options.allow_sha1
                        || !algorithms::is_sha1(&decoded.signature_algorithm.oid))
                {
                    crls.add(crl);
                }
            }
            pe.add_crl_source(Box::new(crls));
        }

        Ok(Engine {
            pe,
            cps,
            check_revocation: options.check_revocation,
        })
    }

    /// Validates `anchor` → `intermediates` (anchor side first) → `target`.
    pub(crate) fn check(
        &self,
        anchor: &PDVTrustAnchorChoice,
        intermediates: Vec<PDVCertificate>,
        target: &PDVCertificate,
    ) -> Result<(), Failure> {
        let path = CertificationPath::new(anchor.clone(), intermediates, target.clone());
        let mut results = CertificationPathResults::new();

        // RFC 5280 §6.1.2–§6.1.5
        if let Err(e) = self
            .pe
            .validate_path(&self.pe, &self.cps, &path, &mut results)
        {
            let reason = status::failure_for_error(&e, results.get_validation_status());
            return Err((reason, results.get_failure_index()));
        }

        // RFC 5280 §6.1.3 (a)(3)
        if self.check_revocation
            && let Err(e) = check_revocation_local(&self.pe, &self.cps, &path, &mut results)
        {
            let reason = status::failure_for_error(&e, results.get_validation_status());
            return Err((reason, results.get_failure_index()));
        }
        Ok(())
    }
}
