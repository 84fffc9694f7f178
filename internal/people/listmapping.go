package people

import (
	"fmt"
	"slices"
	"strings"

	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/refdata"
)

// ListField is a column of a partner's list that the import understands.
type ListField struct {
	Key      string
	Label    string
	Required bool
	// Public is set for the yes/no columns that declare a public.
	Public Public
	// exact are folded column names that mean the field; contains are word
	// sequences that a longer column name may hold.
	exact, contains []string
}

// ListFields are the fields a list may fill, in the order forms show them.
var ListFields = []ListField{
	{Key: "last_name", Label: "Nom", Required: true,
		exact:    []string{"nom", "nom de famille", "nom d usage", "nom usage", "nom usuel", "last name", "lastname", "surname"},
		contains: []string{"nom de famille", "nom d usage", "nom usuel"}},
	{Key: "first_name", Label: "Prénom", Required: true,
		exact:    []string{"prenom", "prenoms", "prenom usuel", "first name", "firstname"},
		contains: []string{"prenom", "prenoms"}},
	{Key: "birth_name", Label: "Nom de naissance",
		exact:    []string{"nom de naissance", "nom naissance", "nom de jeune fille", "nom patronymique", "birth name"},
		contains: []string{"nom de naissance", "nom de jeune fille", "nom patronymique"}},
	{Key: "birth_date", Label: "Date de naissance", Required: true,
		exact:    []string{"date de naissance", "date naissance", "naissance", "ne le", "ne e le", "nee le", "ddn", "birth date", "birthdate", "date of birth", "dob"},
		contains: []string{"date de naissance", "date naissance", "ne e le", "ne le", "nee le"}},
	{Key: "sex", Label: "Sexe",
		exact:    []string{"sexe", "genre", "civilite", "sex", "gender"},
		contains: []string{"sexe", "civilite"}},
	{Key: "nir", Label: "NIR (n° de sécurité sociale)",
		exact: []string{"nir", "nss", "n securite sociale", "no securite sociale", "num securite sociale", "numero securite sociale",
			"numero de securite sociale", "securite sociale", "n secu", "num secu", "numero secu", "n ss"},
		contains: []string{"nir", "securite sociale", "numero secu", "num secu"}},
	{Key: "caf_matricule", Label: "Matricule CAF/MSA",
		exact: []string{"matricule caf", "matricule", "matricule msa", "matricule caf msa", "n allocataire", "no allocataire",
			"numero allocataire", "num allocataire", "numero caf", "n caf"},
		contains: []string{"matricule", "allocataire"}},
	{Key: "ft_id", Label: "Identifiant France Travail",
		exact: []string{"identifiant france travail", "id france travail", "identifiant ft", "id ft", "n france travail",
			"numero france travail", "identifiant pole emploi", "id pole emploi", "identifiant pe", "id pe", "numero pole emploi",
			"n pole emploi", "ide", "identifiant demandeur d emploi", "numero demandeur d emploi"},
		contains: []string{"identifiant france travail", "id france travail", "numero france travail", "identifiant pole emploi",
			"numero pole emploi", "identifiant ft"}},
	{Key: "address", Label: "Adresse",
		exact:    []string{"adresse", "adresse postale", "adresse 1", "adresse ligne 1", "rue", "voie", "address"},
		contains: []string{"adresse postale"}},
	{Key: "postal_code", Label: "Code postal",
		exact:    []string{"code postal", "cp", "postal code", "zip"},
		contains: []string{"code postal"}},
	{Key: "commune_code", Label: "Code commune INSEE",
		exact:    []string{"code insee", "code commune", "insee", "code commune insee", "code insee commune", "cog", "code officiel geographique"},
		contains: []string{"code insee", "code commune", "insee"}},
	{Key: "commune", Label: "Commune (nom)",
		exact:    []string{"commune", "ville", "localite", "nom commune", "nom de la commune", "commune de residence", "ville de residence", "city"},
		contains: []string{"commune", "ville"}},
	{Key: "phone", Label: "Téléphone",
		exact: []string{"telephone", "tel", "portable", "mobile", "telephone portable", "telephone mobile", "tel portable",
			"numero de telephone", "n telephone", "phone"},
		contains: []string{"telephone", "portable"}},
	{Key: "email", Label: "Courriel",
		exact:    []string{"email", "e mail", "courriel", "mail", "mel", "adresse mail", "adresse e mail", "adresse email", "adresse electronique"},
		contains: []string{"mail", "courriel"}},
	{Key: "ase", Label: "Jeune sorti de l'ASE", Public: PublicASE,
		exact:    []string{"ase", "sortant ase", "sortie ase", "sorti ase", "jeune sorti de l ase", "jeune ase", "aide sociale a l enfance"},
		contains: []string{"ase", "aide sociale a l enfance"}},
	{Key: "deld", Label: "DELD (demandeur d'emploi de longue durée)", Public: PublicDELD,
		exact:    []string{"deld", "demandeur d emploi de longue duree", "de longue duree"},
		contains: []string{"deld", "longue duree"}},
	{Key: "detld", Label: "DETLD (demandeur d'emploi de très longue durée)", Public: PublicDETLD,
		exact:    []string{"detld", "demandeur d emploi de tres longue duree", "de tres longue duree"},
		contains: []string{"detld", "tres longue duree"}},
	{Key: "rqth", Label: "RQTH (travailleur handicapé)", Public: PublicRQTH,
		exact:    []string{"rqth", "travailleur handicape", "reconnaissance travailleur handicape", "boeth"},
		contains: []string{"rqth", "travailleur handicape"}},
	{Key: "qpv", Label: "Résident d'un QPV", Public: PublicQPV,
		exact:    []string{"qpv", "quartier prioritaire", "resident qpv", "residant qpv", "habitant qpv"},
		contains: []string{"qpv", "quartier prioritaire"}},
	{Key: "parent_isole", Label: "Parent isolé", Public: PublicSingleParent,
		exact:    []string{"parent isole", "parent isolee", "parent seul", "famille monoparentale", "monoparental", "monoparentale"},
		contains: []string{"parent isole", "parent seul", "monoparental", "monoparentale"}},
}

// guessOrder is the order in which the guess looks for fields inside longer
// column names: the most specific first ("très longue durée" before
// "longue durée", "adresse mail" before "adresse").
var guessOrder = []string{"detld", "deld", "rqth", "qpv", "parent_isole", "ase", "email", "phone", "nir", "birth_name", "birth_date",
	"first_name", "last_name", "caf_matricule", "ft_id", "commune_code", "postal_code", "commune", "address", "sex"}

// listField returns the field with a key.
func listField(key string) (ListField, bool) {
	i := slices.IndexFunc(ListFields, func(f ListField) bool { return f.Key == key })
	if i < 0 {
		return ListField{}, false
	}
	return ListFields[i], true
}

// FieldLabel gives the French name of a list field, "" for the file itself.
func FieldLabel(key string) string {
	f, _ := listField(key)
	return f.Label
}

// Mapping tells, for each field, the name of the column of the file that gives it.
type Mapping map[string]string

// GuessMapping recognises the usual column names of partners' lists ("Nom",
// "Prénom", "Date de naissance", "N° sécurité sociale", "Matricule CAF",
// "Code INSEE", "RQTH"…), accents, case and punctuation aside. Each column
// serves one field at most.
func GuessMapping(header []string) Mapping {
	folded := make([][]string, len(header))
	for i, h := range header {
		folded[i] = strings.Fields(refdata.Fold(h))
	}
	taken := make([]bool, len(header))
	m := Mapping{}
	find := func(key string, match func(words []string) bool) {
		if _, done := m[key]; done {
			return
		}
		for i, words := range folded {
			if !taken[i] && len(words) > 0 && match(words) {
				m[key], taken[i] = header[i], true
				return
			}
		}
	}
	for _, f := range ListFields {
		find(f.Key, func(words []string) bool { return slices.Contains(f.exact, strings.Join(words, " ")) })
	}
	for _, key := range guessOrder {
		f, _ := listField(key)
		find(key, func(words []string) bool {
			return slices.ContainsFunc(f.contains, func(c string) bool { return containsWords(words, strings.Fields(c)) })
		})
	}
	return m
}

// containsWords reports whether part appears in words as a contiguous sequence.
func containsWords(words, part []string) bool {
	for i := 0; i+len(part) <= len(words); i++ {
		if slices.Equal(words[i:i+len(part)], part) {
			return true
		}
	}
	return false
}

// ParseMapping reads "field=Column,field=Column" as the command line gives it.
func ParseMapping(s string) (Mapping, error) {
	m := Mapping{}
	fe := errs.FieldErrors{}
	for _, pair := range strings.Split(s, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		key, col, ok := strings.Cut(pair, "=")
		key = strings.TrimSpace(key)
		if _, known := listField(key); !ok || !known {
			fe.Add("map", fmt.Sprintf("« %s » : attendu champ=Colonne, champ parmi %s", strings.TrimSpace(pair), fieldKeys()))
			continue
		}
		m[key] = strings.TrimSpace(col)
	}
	return m, fe.Err()
}

func fieldKeys() string {
	keys := make([]string, len(ListFields))
	for i, f := range ListFields {
		keys[i] = f.Key
	}
	return strings.Join(keys, ", ")
}

// With returns m with the fields of over replacing its own; a field mapped
// to "" in over is left out.
func (m Mapping) With(over Mapping) Mapping {
	out := Mapping{}
	for k, v := range m {
		out[k] = v
	}
	for k, v := range over {
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// columns checks a mapping against a header and returns the column index of each field.
func (m Mapping) columns(header []string) (map[string]int, error) {
	fe := errs.FieldErrors{}
	cols := map[string]int{}
	for key, col := range m {
		if _, ok := listField(key); !ok {
			fe.Add(key, "champ inconnu : attendu "+fieldKeys())
			continue
		}
		if col == "" {
			continue
		}
		i := slices.Index(header, col)
		if i < 0 {
			i = slices.IndexFunc(header, func(h string) bool { return refdata.Fold(h) == refdata.Fold(col) && refdata.Fold(col) != "" })
		}
		if i < 0 {
			fe.Add(key, fmt.Sprintf("la colonne « %s » n'existe pas dans le fichier", col))
			continue
		}
		cols[key] = i
	}
	for _, f := range ListFields {
		if _, ok := cols[f.Key]; f.Required && !ok {
			fe.Add(f.Key, "choisissez la colonne qui le donne (champ obligatoire)")
		}
	}
	_, byName := cols["commune"]
	_, postal := cols["postal_code"]
	_, code := cols["commune_code"]
	if byName && !postal && !code {
		fe.Add("postal_code", "le code postal est nécessaire pour reconnaître la commune par son nom")
	}
	if len(fe) > 0 {
		return nil, &errs.Error{Code: errs.Invalid, Message: "La correspondance des colonnes est incomplète.", Fields: fe}
	}
	return cols, nil
}
