package demo

import (
	"strings"

	"tremplin/internal/orgs"
)

// demoJob is a job the demo employers recruit for and the demo people look
// for, by ROME fiche: what its offers usually ask and its CVs usually say.
type demoJob struct {
	title string
	// tension is true for the jobs employers struggle to fill.
	tension bool
	// partTime is the share of offers under 35 hours a week.
	partTime float64
	// licence is the share of offers asking for the driving licence.
	licence float64
	quals   []string
	shifts  []string
	skills  []string
}

// demoJobs are the jobs of the demo by ROME fiche, the entry jobs that
// insertion mostly leads to.
var demoJobs = map[string]demoJob{
	"K2204": {"Agent d'entretien", false, 0.6, 0.1, []string{"Habilitation aux produits d'entretien", "CQP Agent machiniste classique"},
		[]string{"matin", "soir", "coupure"}, []string{"Entretien des sols et des surfaces", "Respect des protocoles d'hygiène", "Conduite d'une autolaveuse"}},
	"K2202": {"Laveur de vitres", false, 0.2, 0.4, []string{"Formation au travail en hauteur"}, []string{"matin"},
		[]string{"Travail en hauteur", "Nettoyage des vitres et des façades"}},
	"K2303": {"Agent de propreté urbaine", false, 0.1, 0.3, nil, []string{"matin", "week-end"},
		[]string{"Collecte et tri des déchets", "Entretien de la voirie"}},
	"G1603": {"Employé polyvalent de restauration", true, 0.5, 0, []string{"Formation HACCP"}, []string{"soir", "week-end", "coupure"},
		[]string{"Préparation des plats simples", "Service au comptoir", "Règles d'hygiène HACCP"}},
	"G1602": {"Commis de cuisine", true, 0.2, 0, []string{"CAP Cuisine", "Formation HACCP"}, []string{"soir", "week-end", "coupure"},
		[]string{"Préparations froides et chaudes", "Mise en place du poste"}},
	"G1803": {"Serveur en restauration", true, 0.4, 0, nil, []string{"soir", "week-end", "coupure"},
		[]string{"Accueil de la clientèle", "Service en salle"}},
	"G1605": {"Plongeur en restauration", false, 0.4, 0, nil, []string{"soir", "week-end"},
		[]string{"Plonge et entretien de la batterie de cuisine"}},
	"G1501": {"Valet ou femme de chambre", true, 0.5, 0, nil, []string{"matin", "week-end"},
		[]string{"Remise en état des chambres", "Gestion du linge"}},
	"J1301": {"Agent de service hospitalier", true, 0.3, 0, []string{"Formation d'agent de service hospitalier"}, []string{"matin", "week-end", "coupure"},
		[]string{"Bionettoyage des chambres", "Aide au service des repas"}},
	"J1501": {"Aide-soignant", true, 0.2, 0, []string{"Diplôme d'État d'aide-soignant"}, []string{"matin", "nuit", "week-end"},
		[]string{"Soins d'hygiène et de confort", "Accompagnement des résidents"}},
	"K1302": {"Auxiliaire de vie", true, 0.7, 0.7, []string{"DEAES", "Titre professionnel Assistant de vie aux familles"}, []string{"matin", "soir", "week-end", "coupure"},
		[]string{"Aide aux gestes de la vie quotidienne", "Préparation des repas", "Écoute et patience"}},
	"K1304": {"Aide ménager à domicile", false, 0.8, 0.5, nil, []string{"matin"},
		[]string{"Entretien du logement", "Repassage"}},
	"N4101": {"Conducteur routier", true, 0, 1, []string{"Permis C", "FIMO marchandises"}, []string{"nuit", "matin"},
		[]string{"Conduite de poids lourd", "Chargement et arrimage"}},
	"N4105": {"Chauffeur livreur", true, 0.1, 1, nil, []string{"matin"},
		[]string{"Livraison en tournée", "Relation avec la clientèle"}},
	"N1103": {"Préparateur de commandes", false, 0.1, 0.2, []string{"CACES R489 catégorie 1", "CACES R489 catégorie 3"}, []string{"matin", "soir", "nuit"},
		[]string{"Préparation de commandes au scanner", "Port de charges", "Travail en équipe"}},
	"N1105": {"Manutentionnaire", false, 0.1, 0.1, nil, []string{"matin", "soir"},
		[]string{"Chargement et déchargement", "Port de charges"}},
	"N1101": {"Cariste", false, 0, 0.2, []string{"CACES R489 catégorie 3", "CACES R489 catégorie 5"}, []string{"matin", "soir", "nuit"},
		[]string{"Conduite de chariot élévateur", "Gestion des stocks"}},
	"H3302": {"Opérateur de tri et de conditionnement", false, 0.2, 0, nil, []string{"matin", "soir"},
		[]string{"Tri des matières", "Conditionnement"}},
	"D1507": {"Employé de mise en rayon", false, 0.5, 0, nil, []string{"matin", "week-end"},
		[]string{"Mise en rayon", "Rotation des produits"}},
	"D1505": {"Hôte de caisse", false, 0.7, 0, nil, []string{"soir", "week-end"},
		[]string{"Tenue de caisse", "Accueil de la clientèle"}},
	"D1106": {"Vendeur en alimentation", false, 0.5, 0, nil, []string{"matin", "week-end"},
		[]string{"Conseil à la clientèle", "Tenue du rayon"}},
	"D1102": {"Boulanger", true, 0.1, 0, []string{"CAP Boulanger"}, []string{"matin", "nuit", "week-end"},
		[]string{"Pétrissage et façonnage", "Cuisson"}},
	"F1704": {"Manœuvre du bâtiment", false, 0, 0.4, nil, []string{"matin"},
		[]string{"Préparation du chantier", "Port de charges"}},
	"F1703": {"Maçon", true, 0, 0.5, []string{"CAP Maçon"}, []string{"matin"},
		[]string{"Montage de murs", "Lecture de plans"}},
	"F1606": {"Peintre en bâtiment", false, 0, 0.4, nil, nil,
		[]string{"Préparation des supports", "Mise en peinture"}},
	"A1203": {"Agent d'entretien des espaces verts", false, 0.1, 0.5, []string{"Certiphyto"}, []string{"matin"},
		[]string{"Tonte et débroussaillage", "Taille des haies"}},
	"A1201": {"Élagueur", false, 0, 0.6, []string{"CS Taille et soins des arbres"}, nil,
		[]string{"Élagage", "Travail en hauteur"}},
	"A1414": {"Ouvrier maraîcher", false, 0.2, 0.2, nil, []string{"matin", "week-end"},
		[]string{"Semis et plantations", "Récolte"}},
}

// cvROMEs are the jobs people write on their CVs, the most frequent repeated.
var cvROMEs = []string{
	"K2204", "K2204", "K2204", "K2204", "K2204", "K2204", "N1103", "N1103", "N1103", "N1103",
	"G1603", "G1603", "G1603", "K1302", "K1302", "K1302", "A1203", "A1203", "A1203", "F1704", "F1704",
	"N1105", "N1105", "K1304", "K1304", "D1507", "D1507", "J1301", "J1301", "G1605", "D1505", "H3302",
	"G1602", "N4105", "A1414", "K2303", "G1501", "D1106",
}

// sector is a line of business of demo employers: its NAF code, patterns
// for the names of its firms ("{nom}" a family name, "{de}" "de Town") and
// the jobs it recruits for, the most frequent repeated.
type sector struct {
	key   string
	naf   string
	names []string
	romes []string
	// share is the share of the drawn employers in this sector.
	share float64
	// market is what an insertion-clause market of the sector is about, "" for none.
	market string
}

var sectors = []sector{
	{"nettoyage", "81.21Z", []string{"Propreté {nom}", "{nom} Nettoyage", "Net Services {nom}"},
		[]string{"K2204", "K2204", "K2204", "K2204", "K2202", "K2303"}, 0.17, "entretien des locaux"},
	{"restauration", "56.10A", []string{"Restaurant {nom}", "Brasserie {nom}", "Le Relais {de}", "Restauration collective {nom}"},
		[]string{"G1603", "G1603", "G1602", "G1803", "G1605"}, 0.11, "restauration scolaire"},
	{"ehpad", "87.10A", []string{"EHPAD Les Tilleuls {de}", "Résidence Les Glycines {de}", "EHPAD Le Bois fleuri {de}", "Résidence La Roseraie {de}"},
		[]string{"J1301", "J1301", "J1501", "K2204", "G1602"}, 0.08, ""},
	{"domicile", "88.10A", []string{"Aide à domicile {nom}", "Domicile Services {nom}", "Présence à domicile {de}"},
		[]string{"K1302", "K1302", "K1302", "K1304", "K1304"}, 0.11, ""},
	{"transport", "49.41A", []string{"Transports {nom}", "{nom} Transports et Logistique"},
		[]string{"N4101", "N4101", "N4105", "N4105", "N1103"}, 0.07, ""},
	{"logistique", "52.10B", []string{"Logistique {nom}", "Entrepôts {nom}", "Plateforme logistique {de}"},
		[]string{"N1103", "N1103", "N1103", "N1105", "N1105", "N1101", "H3302"}, 0.12, ""},
	{"commerce", "47.11D", []string{"Supermarché {nom}", "Marché frais {nom}", "Alimentation {nom}"},
		[]string{"D1507", "D1507", "D1505", "D1505", "D1106"}, 0.08, ""},
	{"btp", "43.99C", []string{"Maçonnerie {nom}", "{nom} Bâtiment", "Construction {nom} et Fils"},
		[]string{"F1704", "F1704", "F1704", "F1703", "F1703", "F1606"}, 0.10, "réhabilitation d'un groupe scolaire"},
	{"paysage", "81.30Z", []string{"Paysages {nom}", "Jardins {nom}", "Espaces verts {nom}"},
		[]string{"A1203", "A1203", "A1203", "A1203", "A1201"}, 0.07, "entretien des espaces verts"},
	{"hotel", "55.10Z", []string{"Hôtel {nom}", "Hôtel du Parc {de}"},
		[]string{"G1501", "G1501", "G1603", "K2204"}, 0.04, ""},
	{"boulangerie", "10.71C", []string{"Boulangerie {nom}", "Fournil {nom}"},
		[]string{"D1102", "D1102", "D1106", "D1106"}, 0.03, ""},
	{"recyclage", "38.32Z", []string{"Recyclage {nom}", "Tri {nom} Environnement"},
		[]string{"H3302", "H3302", "N1105", "K2303"}, 0.02, "collecte et tri des déchets"},
	// The sectors of the insertion structures, never drawn.
	{"maraichage", "01.13Z", nil, []string{"A1414", "A1414", "A1203"}, 0, ""},
	{"mise_a_disposition", "78.30Z", nil, []string{"K2204", "K2204", "K1304", "A1203", "N1105"}, 0, ""},
	{"interim", "78.20Z", nil, []string{"N1103", "N1103", "N1105", "F1704", "K2204"}, 0, ""},
	{"geiq", "78.30Z", nil, []string{"F1703", "F1703", "F1704", "F1606"}, 0, "réhabilitation d'un groupe scolaire"},
}

// sectorByKey returns the sector with that key.
func sectorByKey(key string) *sector {
	for i := range sectors {
		if sectors[i].key == key {
			return &sectors[i]
		}
	}
	return &sectors[0]
}

// plannedEmployers gives the sector and NAF code of the employers the
// planner lays out by name.
var plannedEmployers = map[string][2]string{
	"Transports Delattre": {"transport", "49.41A"}, "Boulangerie Caron et Fils": {"boulangerie", "10.71C"},
	"Propreté Industrielle Dumont": {"nettoyage", "81.21Z"}, "Maçonnerie Vasseur": {"btp", "43.99C"},
	"Hôtel-restaurant du Beffroi": {"hotel", "55.10Z"}, "Entrepôts Lemaire Logistique": {"logistique", "52.10B"},
	"Menuiserie Leclercq": {"btp", "43.32A"}, "Aide à domicile Bien chez soi": {"domicile", "88.10A"},
}

// sectorOf returns the sector of an organisation that recruits, and its NAF code.
func sectorOf(o orgs.Organisation) (*sector, string) {
	key := ""
	switch o.Kind {
	case orgs.KindGEIQ:
		key = "geiq"
	case orgs.KindSIAE:
		switch o.SIAEKind {
		case "AI":
			key = "mise_a_disposition"
		case "ETTI":
			key = "interim"
		case "ACI":
			key = "maraichage"
			if strings.Contains(o.Name, "Recyclerie") {
				key = "recyclage"
			}
		case "EI":
			key = "nettoyage"
			if strings.Contains(o.Name, "Bâti") {
				key = "btp"
			}
		default:
			key = "nettoyage"
		}
	default:
		if p, ok := plannedEmployers[o.Name]; ok {
			return sectorByKey(p[0]), p[1]
		}
		key = "nettoyage"
	}
	s := sectorByKey(key)
	return s, s.naf
}

// employerAccounts are the memorable employer accounts of the drawn
// employers, by sector; the small demo has the first three.
var employerAccounts = []struct{ local, sector string }{
	{"employeur.proprete", "nettoyage"}, {"employeur.restaurant", "restauration"}, {"employeur.logistique", "logistique"},
	{"employeur.ehpad", "ehpad"}, {"employeur.domicile", "domicile"}, {"employeur.btp", "btp"},
}

// contactTitles are the job titles of the employers' contacts.
var contactTitles = []string{"Responsable des ressources humaines", "Direction", "Responsable d'exploitation", "Service recrutement", "Gérance"}

// siteKinds name an employer's secondary sites.
var siteKinds = []string{"Agence", "Établissement", "Antenne", "Dépôt"}

// collegeNames are the usual names of French collèges.
var collegeNames = []string{
	"Jean Jaurès", "Jules Ferry", "Victor Hugo", "Louis Pasteur", "Jean Moulin", "Albert Camus", "Pierre Mendès France",
	"Paul Langevin", "Jean Macé", "Anatole France", "Marie Curie", "Joliot-Curie", "Antoine de Saint-Exupéry", "Condorcet",
	"Jacques Prévert", "Gustave Eiffel", "Léon Blum", "Simone Veil", "Romain Rolland", "Georges Brassens", "Jean Rostand",
	"Henri Wallon", "René Cassin", "Paul Éluard", "Jean de La Fontaine", "Émile Zola", "Louis Aragon", "Pablo Neruda",
	"Arthur Rimbaud", "Roger Salengro", "Lucie Aubrac", "Germaine Tillion", "Michel Montaigne", "Descartes", "Voltaire",
}

// positioningNotes are what professionals write when they propose someone.
var positioningNotes = []string{
	"Profil motivé, disponible rapidement.", "Expérience proche du poste ; mobilité vérifiée avec la personne.",
	"A suivi une immersion dans le même métier.", "Souhaite un poste du matin pour la garde des enfants.",
}

// experienceEmployers are the employers people name for past jobs, "{nom}" a family name.
var experienceEmployers = []string{"Intérim (missions diverses)", "Propreté {nom}", "Entrepôts {nom}", "Restaurant {nom}",
	"Association d'aide à domicile", "Supermarché {nom}", "Mairie (contrat aidé)", "Chantier d'insertion", "Paysages {nom}"}
