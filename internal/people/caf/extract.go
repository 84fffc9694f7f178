package caf

import (
	"strconv"
	"time"
)

// This file copies the fields the registry needs from validated elements into the
// plain structs of model.go. Elements are recognised by their parent's name: in
// vrsb0801 each global block used here is referenced from a single place.

func date(v []byte) time.Time {
	t, _ := parseDate(v) // already validated
	return t
}

func boolean(v []byte) bool {
	return string(v) == "1" || string(v) == "true"
}

func (p *reader) person() *Person {
	if len(p.h.Persons) == 0 {
		p.h.Persons = append(p.h.Persons, Person{})
	}
	return &p.h.Persons[len(p.h.Persons)-1]
}

func (p *reader) address() *Address {
	if len(p.h.Addresses) == 0 {
		p.h.Addresses = append(p.h.Addresses, Address{})
	}
	return &p.h.Addresses[len(p.h.Addresses)-1]
}

func lastSuspension(s *[]Suspension) *Suspension {
	if len(*s) == 0 {
		*s = append(*s, Suspension{})
	}
	return &(*s)[len(*s)-1]
}

// begin is called after a valid start tag.
func (p *reader) begin(name string, line int) {
	switch name {
	case "InfosFoyerRSA":
		p.h = Household{Line: line}
	case "Personne":
		p.h.Persons = append(p.h.Persons, Person{Line: line})
	case "Prestations":
		p.prestNat, p.prestRole = "", ""
	case "Adresse":
		p.h.Addresses = append(p.h.Addresses, Address{})
	case "SuspensionDroit":
		p.h.RSA.RightSuspensions = append(p.h.RSA.RightSuspensions, Suspension{})
	case "SuspensionVersement":
		p.h.RSA.PaymentSuspensions = append(p.h.RSA.PaymentSuspensions, Suspension{})
	case "Anomalie":
		p.h.Anomalies++
	}
}

// finish is called after a valid end tag; value is the checked text of a simple element.
func (p *reader) finish(f *frame, parent string, value []byte) error {
	if f.def.kind == kindComplex {
		return p.finishBlock(f)
	}
	s := func() string { return string(value) }
	name := f.name
	switch parent {
	case "IdentificationFlux":
		h := &p.header
		switch name {
		case "APPLIEME":
			h.Application = s()
		case "NUMVERSIONAPPLIEME":
			h.Version = s()
		case "TYPEFLUX":
			h.Type = s()
		case "NATFLUX":
			h.Nature = s()
		case "DTCREAFLUX":
			h.CreatedOn = date(value)
		case "HEUCREAFLUX":
			h.CreatedAt = s()
		case "DTREF":
			h.ReferenceDate = date(value)
		}
	case "Organisme":
		switch name {
		case "FONORG":
			p.h.Organism.Function = s()
		case "NUMORG":
			p.h.Organism.Number = s()
		case "MATRICULE":
			p.h.Organism.Matricule = s()
		}
	case "Partenaire":
		switch name {
		case "TYPEPARTE":
			p.h.Partner.Type = s()
		case "IDEPARTE":
			p.h.Partner.ID = s()
		}
	case "DemandeRSA":
		switch name {
		case "DTDEMRSA":
			p.h.Request.Date = date(value)
		case "NUMDEMRSA":
			p.h.Request.Number = s()
		}
	case "Identification":
		pe := p.person()
		switch name {
		case "QUAL":
			pe.Title = s()
		case "NOM":
			pe.LastName = s()
		case "NOMNAI":
			pe.BirthName = s()
		case "PRENOM":
			pe.FirstName = s()
		case "DTNAI":
			pe.BirthDate = date(value)
		case "NIR":
			pe.NIR = s()
		case "SEXE":
			pe.Sex = s()
		}
	case "Prestations":
		switch name {
		case "NATPREST":
			p.prestNat = s()
		case "ROLEPERS":
			p.prestRole = s()
		}
	case "DossierPoleEmploi":
		if name == "IDASSEDIC" {
			p.person().FranceTravailID = s()
		}
	case "MontantCalculDroitRSAPersonne":
		if name == "TOPPERSDRODEVORSA" {
			pe := p.person()
			pe.RightsAndDutiesKnown = true
			pe.RightsAndDuties = boolean(value)
		}
	case "SituationFamille":
		if name == "SITFAM" {
			p.h.FamilySituation = s()
		}
	case "TroncCommunAdresse":
		a := p.address()
		switch name {
		case "RGADR":
			a.Rank = s()
		case "DTEMM":
			a.MovedIn = date(value)
		case "PAYS":
			a.Country = s()
		case "TYPEADR":
			a.Type = s()
		case "ETATADR":
			a.State = s()
		}
	case "AdresseDetailleeFrance":
		a := p.address()
		switch name {
		case "COMPLIDEADR":
			a.Complement1 = s()
		case "COMPLADR":
			a.Complement2 = s()
		case "NUMVOIE":
			a.Number = s()
		case "LIBTYPEVOIE":
			a.StreetType = s()
		case "NOMVOIE":
			a.StreetName = s()
		case "LIEUDIST":
			a.Locality = s()
		case "NUMCOM":
			a.INSEECode = s()
		case "CODEPOS":
			a.PostalCode = s()
		case "NOMCOM":
			a.City = s()
		}
	case "AdresseHorsFrance":
		a := p.address()
		a.Lines = append(a.Lines, s())
	case "EtatDossierRSA":
		if name == "ETATDOSRSA" {
			p.h.RSA.State = s()
		}
	case "Refus":
		switch name {
		case "DTREFURSA":
			p.h.RSA.RefusalDate = date(value)
		case "MOTIREFURSA":
			p.h.RSA.RefusalReason = s()
		}
	case "SuspensionDroit":
		su := lastSuspension(&p.h.RSA.RightSuspensions)
		switch name {
		case "MOTISUSDRORSA":
			su.Reason = s()
		case "DDSUSDRORSA":
			su.Since = date(value)
		}
	case "SuspensionVersement":
		su := lastSuspension(&p.h.RSA.PaymentSuspensions)
		switch name {
		case "MOTISUSVERSRSA":
			su.Reason = s()
		case "DDSUSVERSRSA":
			su.Since = date(value)
		}
	case "FinDroit", "FinDroitMoisAnterieur":
		c := &p.h.RSA.Closure
		if parent == "FinDroitMoisAnterieur" {
			c = &p.h.RSA.EarlierClosure
		}
		switch name {
		case "MOTICLORSA":
			c.Reason = s()
		case "DTCLORSA":
			c.Date = date(value)
		}
	case "TroncCommunDroitRSA":
		switch name {
		case "TOPSANSDOMFIXE":
			p.h.RSA.NoFixedAbode = boolean(value)
		case "ORIDEMRSA":
			p.h.RSA.Origin = s()
		case "DTORIDEMRSA":
			p.h.RSA.OriginDate = date(value)
		case "TOPFOYDRODEVORSA":
			p.h.RSA.HouseholdRightsAndDutiesKnown = true
			p.h.RSA.HouseholdRightsAndDuties = boolean(value)
		}
	case "TransmissionFlux":
		n, err := strconv.Atoi(string(value))
		if err != nil {
			return p.fail(f.line, name, "nombre %q hors limites", clip(s()))
		}
		switch name {
		case "NBTOTDOSRSATRANSM":
			p.totals.DeclaredHouseholds = n
			p.totalsLine = f.line
		case "NBTOTDOSRSATRANSMANO":
			p.totals.DeclaredAnomalies = n
		}
	}
	return nil
}

// finishBlock is called at the valid end of a complex element.
func (p *reader) finishBlock(f *frame) error {
	switch f.name {
	case "IdentificationFlux":
		if p.opts.OnHeader != nil {
			return p.opts.OnHeader(p.header)
		}
	case "Prestations":
		pe := p.person()
		pe.Benefits = append(pe.Benefits, Benefit{Nature: p.prestNat, Role: p.prestRole})
		if p.prestNat == "RSA" {
			pe.RSARole = p.prestRole
		}
	case "InfosFoyerRSA":
		p.totals.Households++
		p.totals.Persons += len(p.h.Persons)
		if p.h.Anomalies > 0 {
			p.totals.WithAnomaly++
		}
		h := p.h
		p.h = Household{}
		if p.fn != nil {
			return p.fn(h)
		}
	case "TransmissionFlux":
		if p.opts.StrictTotals && p.totals.DeclaredHouseholds != p.totals.Households {
			return p.fail(p.totalsLine, "NBTOTDOSRSATRANSM",
				"le flux annonce %d dossier(s) RSA transmis mais en contient %d",
				p.totals.DeclaredHouseholds, p.totals.Households)
		}
	}
	return nil
}
