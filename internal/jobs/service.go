package jobs

import (
	"context"
	"strings"
	"time"

	"tremplin/internal/pathway/steps"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/geo"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/validate"
)

var (
	errOfferNotFound       = errs.New(errs.NotFound, "Offre introuvable.")
	errEmployerNotFound    = errs.New(errs.NotFound, "Employeur introuvable.")
	errPersonNotFound      = errs.New(errs.NotFound, "Personne introuvable.")
	errPositioningNotFound = errs.New(errs.NotFound, "Candidature introuvable.")
	errStaffOnly           = errs.New(errs.Forbidden, "Cette action se fait par un professionnel connecté, au nom de sa structure.")
)

// Service is the use cases of employers, offers, CVs, matching and positioning.
type Service struct {
	db       *db.DB
	people   *people.Service
	geocoder geo.Geocoder
	matcher  *matcher
	// today returns the current day in France; tests may fix it.
	today func() time.Time
}

// NewService returns the jobs service.
func NewService(d *db.DB, ppl *people.Service, g geo.Geocoder) *Service {
	return &Service{db: d, people: ppl, geocoder: g, matcher: newMatcher(d), today: steps.Today}
}

// employerFacts returns the access facts of an offer of an employer.
func offerFacts(o Offer) access.Offer {
	return access.Offer{Territory: o.Territory, EmployerOrgID: o.OrgID}
}

// GetOffer returns an offer the actor may read.
func (s *Service) GetOffer(ctx context.Context, a access.Actor, id string) (Offer, error) {
	if !db.ValidID(id) {
		return Offer{}, errOfferNotFound
	}
	o, ok, err := getOffer(ctx, s.db, id)
	if err != nil {
		return Offer{}, err
	}
	if !ok || !access.CanOffer(a, offerFacts(o), access.Read) {
		return Offer{}, errOfferNotFound
	}
	return o, nil
}

// ListOffers lists the offers the actor may read.
func (s *Service) ListOffers(ctx context.Context, a access.Actor, f OfferFilter) ([]Offer, int, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 50
	}
	if f.Status != "" && !hasOption(Statuses, f.Status) {
		return nil, 0, errs.FieldErrors{"status": "Statut inconnu : choisissez open, filled ou closed."}.Err()
	}
	return listOffers(ctx, s.db, access.ScopeForOffers(a), f)
}

// employerFor returns the employer an offer is written for: the actor's own
// organisation for an employer's staff, else the one the form names.
func (s *Service) employerFor(ctx context.Context, a access.Actor, id string) (employerRow, error) {
	if a.Has(access.RoleEmployer) {
		id = a.OrgID
	}
	if !db.ValidID(id) {
		return employerRow{}, errs.FieldErrors{"employer_id": "Choisissez l'employeur."}.Err()
	}
	e, ok, err := getEmployer(ctx, s.db, id)
	if err != nil {
		return employerRow{}, err
	}
	if !ok || !access.CanOffer(a, access.Offer{Territory: e.Territory, EmployerOrgID: e.ID}, access.Read) {
		return employerRow{}, errs.FieldErrors{"employer_id": "Employeur inconnu."}.Err()
	}
	if !e.isEmployer() {
		return employerRow{}, errs.FieldErrors{"employer_id": "Cette structure ne publie pas d'offres : choisissez un employeur, une SIAE ou un GEIQ."}.Err()
	}
	return e, nil
}

// CreateOffer records an offer for an employer the actor may manage.
func (s *Service) CreateOffer(ctx context.Context, a access.Actor, in OfferInput) (Offer, error) {
	if a.System || a.UserID == "" {
		return Offer{}, errStaffOnly
	}
	if !canCreateOffers(a) {
		return Offer{}, errs.New(errs.Forbidden, "Les offres sont publiées par les employeurs, les responsables du département et les facilitateurs des clauses.")
	}
	e, err := s.employerFor(ctx, a, in.EmployerID)
	if err != nil {
		return Offer{}, err
	}
	o, err := s.checkedOffer(ctx, e, in)
	if err != nil {
		return Offer{}, err
	}
	if !access.CanOffer(a, offerFacts(o), access.Write) {
		return Offer{}, errs.New(errs.Forbidden, "Vous ne pouvez pas publier d'offre pour cet employeur.")
	}
	now := db.Now()
	o.ID, o.CreatedBy, o.CreatedAt, o.UpdatedAt = db.NewID(), a.UserID, now, now
	if o.Status != StatusOpen {
		o.ClosedAt = &now
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if o.Reference != "" {
			if _, dup, err := offerByReference(ctx, tx, o.OrgID, o.Reference); err != nil || dup {
				if dup {
					return errs.FieldErrors{"reference": "Cet employeur a déjà une offre avec cette référence."}.Err()
				}
				return err
			}
		}
		if err := insertOffer(ctx, tx, o); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "offer.create", ObjectType: "offer", ObjectID: o.ID})
	})
	if err != nil {
		return Offer{}, err
	}
	s.matcher.touch()
	return s.GetOffer(ctx, a, o.ID)
}

// UpdateOffer rewrites an offer the actor may manage.
func (s *Service) UpdateOffer(ctx context.Context, a access.Actor, id string, in OfferInput) (Offer, error) {
	cur, err := s.GetOffer(ctx, a, id)
	if err != nil {
		return Offer{}, err
	}
	if !access.CanOffer(a, offerFacts(cur), access.Write) {
		return Offer{}, errOfferNotFound
	}
	e, ok, err := getEmployer(ctx, s.db, cur.OrgID)
	if err != nil || !ok {
		return Offer{}, errOfferNotFound
	}
	o, err := s.checkedOffer(ctx, e, in)
	if err != nil {
		return Offer{}, err
	}
	now := db.Now()
	o.ID, o.CreatedBy, o.CreatedAt, o.UpdatedAt, o.ClosedAt = cur.ID, cur.CreatedBy, cur.CreatedAt, now, cur.ClosedAt
	switch {
	case o.Status == StatusOpen:
		o.ClosedAt = nil
	case cur.Status == StatusOpen:
		o.ClosedAt = &now
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if o.Reference != "" && o.Reference != cur.Reference {
			if other, dup, err := offerByReference(ctx, tx, o.OrgID, o.Reference); err != nil || (dup && other != o.ID) {
				if dup {
					return errs.FieldErrors{"reference": "Cet employeur a déjà une offre avec cette référence."}.Err()
				}
				return err
			}
		}
		if err := updateOffer(ctx, tx, o); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "offer.update", ObjectType: "offer", ObjectID: o.ID, Detail: "statut : " + o.Status})
	})
	if err != nil {
		return Offer{}, err
	}
	s.matcher.touch()
	return s.GetOffer(ctx, a, o.ID)
}

// SetOfferStatus opens, fills or closes an offer.
func (s *Service) SetOfferStatus(ctx context.Context, a access.Actor, id, status string) (Offer, error) {
	cur, err := s.GetOffer(ctx, a, id)
	if err != nil {
		return Offer{}, err
	}
	in := inputOf(cur)
	in.Status = status
	return s.UpdateOffer(ctx, a, id, in)
}

// inputOf turns an offer back into the input that would write it.
func inputOf(o Offer) OfferInput {
	in := OfferInput{EmployerID: o.OrgID, SiteID: o.SiteID, Reference: o.Reference, Title: o.Title, ROME: o.ROME,
		Contract: o.Contract, ContractMonths: o.ContractMonths, Hours: strings.ReplaceAll(o.Hours(), ",", "."), Positions: o.Positions,
		CommuneCode: o.CommuneCode, NeedsLicence: o.NeedsLicence, NeedsVehicle: o.NeedsVehicle, Qualifications: o.Qualifications,
		Shifts: o.Shifts, Description: o.Description, InTension: o.InTension, ClauseLinked: o.ClauseLinked,
		ClauseMarket: o.ClauseMarket, Status: o.Status}
	if o.Start != nil {
		in.StartDate = db.Day(*o.Start)
	}
	if o.SiteID != "" {
		in.CommuneCode = ""
	}
	return in
}

// checkedOffer validates an offer's fields and places it: at the employer's
// site when one is chosen, else at the centre of its commune. An offer that
// cannot be placed is refused: it would be silently missing from every search.
func (s *Service) checkedOffer(ctx context.Context, e employerRow, in OfferInput) (Offer, error) {
	o, err := checkOffer(in)
	fe := errs.FieldErrors{}
	if err != nil {
		if f := errs.FieldsOf(err); f != nil {
			fe = f
		} else {
			return Offer{}, err
		}
	}
	o.OrgID, o.Territory, o.EmployerName = e.ID, e.Territory, e.Name
	if fe["rome"] == "" {
		if _, err := refdata.ROMEFicheByCode(ctx, s.db, o.ROME); err != nil {
			fe.Add("rome", "Code ROME inconnu : "+o.ROME+".")
		}
	}
	if err := s.placeOffer(ctx, &o); err != nil {
		for k, v := range errs.FieldsOf(err) {
			fe.Add(k, v)
		}
	}
	return o, fe.Err()
}

func (s *Service) placeOffer(ctx context.Context, o *Offer) error {
	if o.SiteID != "" {
		site, ok, err := getSite(ctx, s.db, o.SiteID)
		if err != nil {
			return err
		}
		if !ok || site.OrgID != o.OrgID {
			return errs.FieldErrors{"site_id": "Site inconnu pour cet employeur."}.Err()
		}
		if !site.Located() {
			return errs.FieldErrors{"site_id": "Ce site n'a pas pu être placé sur la carte : corrigez son adresse ou indiquez la commune du poste."}.Err()
		}
		o.CommuneCode, o.Lat, o.Lon = site.CommuneCode, site.Lat, site.Lon
		return nil
	}
	if o.CommuneCode == "" {
		return errs.FieldErrors{"commune_code": "Indiquez le lieu de travail : un site de l'employeur ou une commune."}.Err()
	}
	c, err := refdata.CommuneByCode(ctx, s.db, o.CommuneCode)
	if err != nil {
		return errs.FieldErrors{"commune_code": "Commune inconnue : " + o.CommuneCode + "."}.Err()
	}
	lat, lon := c.Lat, c.Lon
	o.Lat, o.Lon = &lat, &lon
	return nil
}

// Employer is an employer with its sites, contacts and offers.
type Employer struct {
	ID, Name, Kind, Territory, SIRET, NAF string
	NAFLabel                              string
	Sites                                 []Site
	Contacts                              []Contact
	Offers                                []Offer
	OfferTotal                            int
	// CanManage tells the page whether to show the forms.
	CanManage bool
}

// GetEmployer returns an employer's page for an actor who may read its offers.
func (s *Service) GetEmployer(ctx context.Context, a access.Actor, id string) (Employer, error) {
	if !db.ValidID(id) {
		return Employer{}, errEmployerNotFound
	}
	e, ok, err := getEmployer(ctx, s.db, id)
	if err != nil {
		return Employer{}, err
	}
	facts := access.Offer{Territory: e.Territory, EmployerOrgID: e.ID}
	if !ok || !access.CanOffer(a, facts, access.Read) {
		return Employer{}, errEmployerNotFound
	}
	out := Employer{ID: e.ID, Name: e.Name, Kind: e.Kind, Territory: e.Territory, SIRET: e.SIRET, NAF: e.NAF,
		CanManage: access.CanOffer(a, facts, access.Write)}
	if e.NAF != "" {
		if n, err := refdata.NAF(ctx, s.db, e.NAF); err == nil {
			out.NAFLabel = n.Label
		}
	}
	if out.Sites, err = sitesOf(ctx, s.db, id); err != nil {
		return Employer{}, err
	}
	if out.Contacts, err = contactsOf(ctx, s.db, id); err != nil {
		return Employer{}, err
	}
	out.Offers, out.OfferTotal, err = listOffers(ctx, s.db, access.ScopeForOffers(a), OfferFilter{EmployerID: id, Limit: 100})
	return out, err
}

// Employers lists the employers whose offers the actor may publish or read.
func (s *Service) Employers(ctx context.Context, a access.Actor) ([]Employer, error) {
	var rows []employerRow
	var err error
	switch {
	case !a.Authenticated():
		return nil, nil
	case a.System:
		rows, err = listEmployers(ctx, s.db, "", "")
	case a.HasAny(access.RoleEmployer, access.RolePublicBuyer):
		rows, err = listEmployers(ctx, s.db, "", a.OrgID)
	default:
		rows, err = listEmployers(ctx, s.db, a.Territory, "")
	}
	if err != nil {
		return nil, err
	}
	out := make([]Employer, 0, len(rows))
	for _, e := range rows {
		facts := access.Offer{Territory: e.Territory, EmployerOrgID: e.ID}
		if access.CanOffer(a, facts, access.Read) {
			out = append(out, Employer{ID: e.ID, Name: e.Name, Kind: e.Kind, Territory: e.Territory, SIRET: e.SIRET, NAF: e.NAF,
				CanManage: access.CanOffer(a, facts, access.Write)})
		}
	}
	return out, nil
}

// manageEmployer loads an employer the actor may manage.
func (s *Service) manageEmployer(ctx context.Context, a access.Actor, id string) (employerRow, error) {
	if !db.ValidID(id) {
		return employerRow{}, errEmployerNotFound
	}
	e, ok, err := getEmployer(ctx, s.db, id)
	if err != nil {
		return employerRow{}, err
	}
	facts := access.Offer{Territory: e.Territory, EmployerOrgID: e.ID}
	if !ok || !access.CanOffer(a, facts, access.Read) {
		return employerRow{}, errEmployerNotFound
	}
	if !access.CanOffer(a, facts, access.Write) || a.System {
		return employerRow{}, errs.New(errs.Forbidden, "Vous ne pouvez pas modifier la fiche de cet employeur.")
	}
	return e, nil
}

// SetNAF records an employer's activity code (NAF rév. 2).
func (s *Service) SetNAF(ctx context.Context, a access.Actor, id, code string) error {
	e, err := s.manageEmployer(ctx, a, id)
	if err != nil {
		return err
	}
	code = normalizeNAF(code)
	if code != "" {
		if _, err := refdata.NAF(ctx, s.db, code); err != nil {
			return errs.FieldErrors{"naf": "Code NAF inconnu : " + code + " (par exemple 81.21Z)."}.Err()
		}
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := setEmployerNAF(ctx, tx, e.ID, code); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "employer.naf", ObjectType: "organisation", ObjectID: e.ID, Detail: code})
	})
}

// normalizeNAF writes a NAF code in dotted form: "8121z" → "81.21Z".
func normalizeNAF(s string) string {
	s = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if len(s) == 5 && !strings.Contains(s, ".") {
		s = s[:2] + "." + s[2:]
	}
	return s
}

// AddSite records a site of an employer, placed on the map from its address.
func (s *Service) AddSite(ctx context.Context, a access.Actor, employerID string, in SiteInput) (Site, error) {
	e, err := s.manageEmployer(ctx, a, employerID)
	if err != nil {
		return Site{}, err
	}
	site := Site{OrgID: e.ID, Name: strings.TrimSpace(in.Name), Address: strings.TrimSpace(in.Address),
		PostalCode: strings.TrimSpace(in.PostalCode), CommuneCode: strings.ToUpper(strings.TrimSpace(in.CommuneCode))}
	fe := errs.FieldErrors{}
	if site.Name == "" || len(site.Name) > 200 {
		fe.Add("name", "Indiquez le nom du site (200 caractères au plus).")
	}
	if site.PostalCode != "" {
		if err := validate.PostalCode(site.PostalCode); err != nil {
			fe.Add("postal_code", err.Error())
		}
	}
	if site.CommuneCode == "" {
		fe.Add("commune_code", "Indiquez la commune du site (code INSEE).")
	} else if _, err := refdata.CommuneByCode(ctx, s.db, site.CommuneCode); err != nil {
		fe.Add("commune_code", "Commune inconnue : "+site.CommuneCode+".")
	}
	if err := fe.Err(); err != nil {
		return Site{}, err
	}
	if r, err := s.geocoder.Geocode(ctx, site.Address, site.PostalCode, site.CommuneCode); err == nil && r.Found() {
		lat, lon := r.Lat, r.Lon
		site.Lat, site.Lon, site.Approximate = &lat, &lon, r.Approximate
	}
	site.ID, site.CreatedAt = db.NewID(), db.Now()
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := insertSite(ctx, tx, site); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "employer.site.create", ObjectType: "organisation", ObjectID: e.ID})
	})
	return site, err
}

// AddContact records a contact of an employer.
func (s *Service) AddContact(ctx context.Context, a access.Actor, employerID string, in ContactInput) (Contact, error) {
	e, err := s.manageEmployer(ctx, a, employerID)
	if err != nil {
		return Contact{}, err
	}
	c := Contact{ID: db.NewID(), OrgID: e.ID, Name: strings.TrimSpace(in.Name), JobTitle: strings.TrimSpace(in.JobTitle),
		Email: strings.TrimSpace(in.Email), Phone: strings.TrimSpace(in.Phone)}
	fe := errs.FieldErrors{}
	if c.Name == "" || len(c.Name) > 200 {
		fe.Add("contact_name", "Indiquez le nom du contact.")
	}
	if c.Email != "" {
		if n, err := validate.NormalizeEmail(c.Email); err != nil {
			fe.Add("contact_email", err.Error())
		} else {
			c.Email = n
		}
	}
	if c.Phone != "" {
		if n, err := validate.NormalizePhone(c.Phone); err != nil {
			fe.Add("contact_phone", err.Error())
		} else {
			c.Phone = n
		}
	}
	if c.Email == "" && c.Phone == "" && fe["contact_email"] == "" && fe["contact_phone"] == "" {
		fe.Add("contact_email", "Indiquez un courriel ou un téléphone pour joindre le contact.")
	}
	if err := fe.Err(); err != nil {
		return Contact{}, err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := insertContact(ctx, tx, c, db.Now()); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "employer.contact.create", ObjectType: "organisation", ObjectID: e.ID})
	})
	return c, err
}
