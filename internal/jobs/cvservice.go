package jobs

import (
	"context"

	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/refdata"
)

// PersonCV is a person's CV with what the page needs around it.
type PersonCV struct {
	Person people.Person
	CV     CV
	// CanEdit is true for the professionals who may write the file.
	CanEdit bool
	// Positionings are the person's candidacies the actor may see.
	Positionings []Positioning
}

// GetCV returns a person's CV, drafted from the latest diagnostic when none
// was saved; the read is traced. An employer reads it only through a
// consented positioning on one of its offers.
func (s *Service) GetCV(ctx context.Context, a access.Actor, personID string) (PersonCV, error) {
	p, group, err := s.people.Authorize(ctx, a, personID, access.Read)
	if err != nil {
		return PersonCV{}, err
	}
	out := PersonCV{Person: p}
	out.CanEdit = !a.System && access.CanPerson(people.StaffOnly(a), people.Facts(p, group), access.Write, db.Now())
	cv, ok, err := getCV(ctx, s.db, personID)
	if err != nil {
		return PersonCV{}, err
	}
	if !ok {
		content, err := latestDiagnostic(ctx, s.db, personID)
		if err != nil {
			return PersonCV{}, err
		}
		cv = draftFromDiagnostic(personID, content)
	}
	if cv.Experiences, err = experiencesOf(ctx, s.db, personID); err != nil {
		return PersonCV{}, err
	}
	if cv.Consents, err = consentsOf(ctx, s.db, personID); err != nil {
		return PersonCV{}, err
	}
	for i := range cv.Consents {
		if cv.Consents[i].RevokedAt == nil {
			cv.Consent = &cv.Consents[i]
		}
	}
	if a.Has(access.RoleEmployer) && !cv.Shared() {
		return PersonCV{}, errPersonNotFound
	}
	out.CV = cv
	if out.Positionings, err = s.personPositionings(ctx, a, personID); err != nil {
		return PersonCV{}, err
	}
	err = audit.Log(ctx, s.db, a, audit.Event{Action: "cv.read", ObjectType: "person", ObjectID: personID, PersonID: personID})
	return out, err
}

// authorizeWrite loads a file a professional may write.
func (s *Service) authorizeWrite(ctx context.Context, a access.Actor, personID string) (people.Person, error) {
	if a.System || a.UserID == "" {
		return people.Person{}, errStaffOnly
	}
	p, _, err := s.people.Authorize(ctx, people.StaffOnly(a), personID, access.Write)
	return p, err
}

// SaveCV writes a person's CV, with the person, by a professional who may write the file.
func (s *Service) SaveCV(ctx context.Context, a access.Actor, personID string, in CVInput) (CV, error) {
	p, err := s.authorizeWrite(ctx, a, personID)
	if err != nil {
		return CV{}, err
	}
	cv, err := checkCV(in, func(code string) bool {
		_, err := refdata.ROMEFicheByCode(ctx, s.db, code)
		return err == nil
	})
	if err != nil {
		return CV{}, err
	}
	if cv.Online && (p.Lat == nil || p.Lon == nil) {
		return CV{}, errs.FieldErrors{"online": "L'adresse de la personne n'a pas pu être placée sur la carte : complétez-la dans le dossier avant de mettre le CV en ligne."}.Err()
	}
	cv.PersonID = personID
	now := db.Now()
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := saveCV(ctx, tx, cv, a.UserID, now); err != nil {
			return err
		}
		detail := "hors ligne"
		if cv.Online {
			detail = "en ligne"
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "cv.save", ObjectType: "person", ObjectID: personID, PersonID: personID, Detail: detail})
	})
	if err != nil {
		return CV{}, err
	}
	s.matcher.touch()
	saved, _, err := getCV(ctx, s.db, personID)
	return saved, err
}

// GiveConsent records the person's consent to share the CV with employers.
func (s *Service) GiveConsent(ctx context.Context, a access.Actor, personID, method string) error {
	if _, err := s.authorizeWrite(ctx, a, personID); err != nil {
		return err
	}
	if !hasOption(ConsentMethods, method) {
		return errs.FieldErrors{"method": "Indiquez comment l'accord a été recueilli."}.Err()
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		on, err := hasConsent(ctx, tx, personID)
		if err != nil {
			return err
		}
		if on {
			return errs.New(errs.Conflict, "L'accord de la personne est déjà enregistré.")
		}
		if err := insertConsent(ctx, tx, db.NewID(), personID, method, a.UserID, db.Now()); err != nil {
			if db.IsUniqueViolation(err) {
				return errs.New(errs.Conflict, "L'accord de la personne est déjà enregistré.")
			}
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "cv.consent.give", ObjectType: "person", ObjectID: personID, PersonID: personID, Detail: method})
	})
	s.matcher.touch()
	return err
}

// RevokeConsent ends the consent: employers no longer see the CV nor the
// candidacies, from now on.
func (s *Service) RevokeConsent(ctx context.Context, a access.Actor, personID string) error {
	if _, err := s.authorizeWrite(ctx, a, personID); err != nil {
		return err
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		ok, err := revokeConsent(ctx, tx, personID, a.UserID, db.Now())
		if err != nil {
			return err
		}
		if !ok {
			return errs.New(errs.Conflict, "Aucun accord en cours à retirer.")
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "cv.consent.revoke", ObjectType: "person", ObjectID: personID, PersonID: personID})
	})
	s.matcher.touch()
	return err
}
