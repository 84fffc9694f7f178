package caftest

import (
	"fmt"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// Flow builds a valid monthly flow of n two-person households for the
// département dept ("62"), each with its own matricule and applicant NIR, in
// windows-1252 as the CAF sends it: test data for importers and benchmarks.
func Flow(n int, dept string) []byte {
	out, err := charmap.Windows1252.NewEncoder().Bytes([]byte(Text(n, dept, func(i int) string { return nir13(i, dept) })))
	if err != nil {
		panic(err)
	}
	return out
}

// Text is the same flow as UTF-8 text, with the applicant NIR of household i
// given by nir, for tests that alter the text before encoding it.
func Text(n int, dept string, nir func(i int) string) string {
	var b strings.Builder
	b.WriteString(benchHead)
	for i := range n {
		fmt.Fprintf(&b, benchHousehold, 620000000000000+i, dept, nir(i))
	}
	fmt.Fprintf(&b, benchTail, n)
	return b.String()
}

// nir13 returns a distinct 13-character NIR for each i below 479,520 (woman
// born in the département, varying year, month and commune).
func nir13(i int, dept string) string {
	return fmt.Sprintf("2%02d%02d%s%03d%03d", 60+i%40, 1+(i/40)%12, dept, 1+(i/480)%999, 1+i/479520)
}

const benchHead = `<?xml version="1.0" encoding="windows-1252"?>
<Racine xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="vrsb0801.xsd">
	<IdentificationFlux>
		<APPLIEME>CRI</APPLIEME>
		<NUMVERSIONAPPLIEME>6200</NUMVERSIONAPPLIEME>
		<TYPEFLUX>M</TYPEFLUX>
		<NATFLUX>D</NATFLUX>
		<DTCREAFLUX>2025-03-05</DTCREAFLUX>
		<HEUCREAFLUX>01:18:36.0000</HEUCREAFLUX>
		<DTREF>2025-02-28</DTREF>
	</IdentificationFlux>
`

const benchHousehold = `	<InfosFoyerRSA>
		<IdentificationRSA>
			<Organisme>
				<FONORG>CAF</FONORG>
				<NUMORG>621</NUMORG>
				<MATRICULE>%015d</MATRICULE>
			</Organisme>
			<Partenaire>
				<TYPEPARTE>CG</TYPEPARTE>
				<IDEPARTE>0%s</IDEPARTE>
			</Partenaire>
			<DemandeRSA>
				<DTDEMRSA>2024-01-15</DTDEMRSA>
				<NUMDEMRSA>00000012345</NUMDEMRSA>
			</DemandeRSA>
		</IdentificationRSA>
		<Personne>
			<Identification>
				<QUAL>MME</QUAL>
				<NOM>DUPRÉ</NOM>
				<NOMNAI>CŒUR</NOMNAI>
				<PRENOM>HÉLÈNE</PRENOM>
				<NOMCOMNAI>ARRAS</NOMCOMNAI>
				<DTNAI>1980-02-29</DTNAI>
				<NIR>%s</NIR>
				<SEXE>2</SEXE>
			</Identification>
			<DossierCAF>
				<TOPRESPDOS>1</TOPRESPDOS>
				<DDRATDOS>2024-01-15</DDRATDOS>
			</DossierCAF>
			<Prestations>
				<NATPREST>RSA</NATPREST>
				<ROLEPERS>DEM</ROLEPERS>
				<TOPCHAPERS>1</TOPCHAPERS>
			</Prestations>
			<Prestations>
				<NATPREST>PFA</NATPREST>
				<ROLEPERS>DEM</ROLEPERS>
				<TOPCHAPERS>0</TOPCHAPERS>
			</Prestations>
			<DossierPoleEmploi>
				<IDASSEDIC>0123456A</IDASSEDIC>
			</DossierPoleEmploi>
			<Ressources>
				<GeneraliteRessourcesTrimestre>
					<TOPRESSNUL>0</TOPRESSNUL>
					<DDRESS>2024-10-01</DDRESS>
					<DFRESS>2024-12-31</DFRESS>
				</GeneraliteRessourcesTrimestre>
				<RessourcesMensuelles>
					<GeneraliteRessourcesMensuelles>
						<MOISRESS>2024-10-01</MOISRESS>
						<NBHEUMENTRA>000</NBHEUMENTRA>
					</GeneraliteRessourcesMensuelles>
					<DetailRessourcesMensuelles>
						<NATRESS>001</NATRESS>
						<MTNATRESSMEN>0001675.50</MTNATRESSMEN>
					</DetailRessourcesMensuelles>
				</RessourcesMensuelles>
			</Ressources>
			<MontantCalculDroitRSAPersonne>
				<TOPPERSDRODEVORSA>1</TOPPERSDRODEVORSA>
			</MontantCalculDroitRSAPersonne>
		</Personne>
		<Personne>
			<Identification>
				<NOM>DUPRÉ</NOM>
				<NOMNAI>DUPRÉ</NOMNAI>
				<PRENOM>LÉO</PRENOM>
				<NOMCOMNAI>ARRAS</NOMCOMNAI>
				<DTNAI>2015-06-30</DTNAI>
				<SEXE>1</SEXE>
			</Identification>
			<DossierCAF>
				<TOPRESPDOS>false</TOPRESPDOS>
				<DDRATDOS>2024-01-15</DDRATDOS>
			</DossierCAF>
			<Prestations>
				<NATPREST>RSA</NATPREST>
				<ROLEPERS>ENF</ROLEPERS>
				<TOPCHAPERS>1</TOPCHAPERS>
			</Prestations>
			<Prestations>
				<NATPREST>PFA</NATPREST>
				<ROLEPERS>ENF</ROLEPERS>
				<TOPCHAPERS>1</TOPCHAPERS>
			</Prestations>
		</Personne>
		<DonneesAdministratives>
			<SituationFamille>
				<SITFAM>CEL</SITFAM>
				<DDSITFAM>2010-10-27</DDSITFAM>
			</SituationFamille>
			<Adresse>
				<TroncCommunAdresse>
					<RGADR>01</RGADR>
					<DTEMM>2021-05-26</DTEMM>
					<PAYS>FRA</PAYS>
					<TYPEADR>D</TYPEADR>
					<ETATADR>CO</ETATADR>
				</TroncCommunAdresse>
				<AdresseDetailleeFrance>
					<COMPLIDEADR />
					<COMPLADR>BÂTIMENT B</COMPLADR>
					<NUMVOIE>3</NUMVOIE>
					<LIBTYPEVOIE>RUE</LIBTYPEVOIE>
					<NOMVOIE>DE L'ÉGLISE</NOMVOIE>
					<LIEUDIST />
					<NUMCOM>62041</NUMCOM>
					<CODEPOS>62000</CODEPOS>
					<NOMCOM>ARRAS</NOMCOM>
				</AdresseDetailleeFrance>
			</Adresse>
		</DonneesAdministratives>
		<PrestationRSA>
			<SituationDossierRSA>
				<EtatDossierRSA>
					<ETATDOSRSA>4</ETATDOSRSA>
				</EtatDossierRSA>
				<SuspensionVersement>
					<MOTISUSVERSRSA>06</MOTISUSVERSRSA>
					<DDSUSVERSRSA>2025-01-01</DDSUSVERSRSA>
				</SuspensionVersement>
			</SituationDossierRSA>
			<DetailDroitRSA>
				<TroncCommunDroitRSA>
					<TOPSANSDOMFIXE>0</TOPSANSDOMFIXE>
					<ORIDEMRSA>DEM</ORIDEMRSA>
					<DTORIDEMRSA>2024-01-15</DTORIDEMRSA>
					<TOPFOYDRODEVORSA>1</TOPFOYDRODEVORSA>
				</TroncCommunDroitRSA>
			</DetailDroitRSA>
		</PrestationRSA>
	</InfosFoyerRSA>
`

const benchTail = `	<TransmissionFlux>
		<NBTOTDOSRSATRANSM>%08d</NBTOTDOSRSATRANSM>
		<NBTOTDOSRSATRANSMANO>00000000</NBTOTDOSRSATRANSMANO>
	</TransmissionFlux>
</Racine>
`
