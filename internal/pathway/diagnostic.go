package pathway

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/refdata"
)

// Diagnostics returns every version of a person's diagnostic, newest first;
// the read is traced.
func (s *Service) Diagnostics(ctx context.Context, a access.Actor, personID string) ([]Diagnostic, error) {
	if _, _, err := s.person(ctx, a, personID, access.Read); err != nil {
		return nil, err
	}
	list, err := diagnosticsOf(ctx, s.db, personID)
	if err != nil {
		return nil, err
	}
	return list, s.logRead(ctx, a, "diagnostic.read", personID)
}

// SaveDiagnostic records a new version of the grid. Earlier versions stay as
// they were, with their signatures; the new one waits for its own two.
func (s *Service) SaveDiagnostic(ctx context.Context, a access.Actor, personID string, g Grid) (Diagnostic, error) {
	if _, _, err := s.person(ctx, a, personID, access.Write); err != nil {
		return Diagnostic{}, err
	}
	if !a.HasAny(access.RoleReferent, access.RoleOrientation) && !a.System {
		return Diagnostic{}, errs.New(errs.Forbidden, "Seuls les professionnels qui accompagnent la personne remplissent le diagnostic.")
	}
	known := func(code string) bool { _, err := refdata.ROMEFicheByCode(ctx, s.db, code); return err == nil }
	if err := g.Validate(known); err != nil {
		return Diagnostic{}, err
	}
	content, err := json.Marshal(g)
	if err != nil {
		return Diagnostic{}, err
	}
	d := Diagnostic{ID: db.NewID(), PersonID: personID, OrgID: a.OrgID, AuthorID: a.UserID, Grid: g, SuggestedTrack: Suggest(g), CreatedAt: s.now()}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM diagnostics WHERE person_id = $1`, personID).Scan(&d.Version); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO diagnostics (id, person_id, version, organisation_id, author_id, content, obstacle_count, suggested_track, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, d.ID, personID, d.Version, a.OrgID, a.UserID, string(content), g.ObstacleCount(), string(d.SuggestedTrack), d.CreatedAt); err != nil {
			if db.IsUniqueViolation(err) {
				return errs.New(errs.Conflict, "Une autre version vient d'être enregistrée : rechargez la page.")
			}
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "diagnostic.save", ObjectType: "diagnostic", ObjectID: d.ID, PersonID: personID, Detail: "version " + strconv.Itoa(d.Version)})
	})
	return d, err
}

// SignDiagnostic adds the actor's signature to a version. The version becomes
// validated once a social and a professional specialist, two different
// people, have signed it.
func (s *Service) SignDiagnostic(ctx context.Context, a access.Actor, diagnosticID string) (Diagnostic, error) {
	d, err := s.diagnostic(ctx, a, diagnosticID, access.Write)
	if err != nil {
		return Diagnostic{}, err
	}
	q := string(a.Qualification)
	switch {
	case !a.HasAny(access.RoleReferent, access.RoleOrientation):
		return d, errs.New(errs.Forbidden, "Le diagnostic est signé par les professionnels qui accompagnent la personne.")
	case a.Qualification != access.QualSocial && a.Qualification != access.QualProfessional:
		return d, errs.New(errs.Forbidden, "Seul un professionnel ayant une qualification sociale ou professionnelle signe le diagnostic.")
	case d.ValidatedAt != nil:
		return d, errs.New(errs.Conflict, "Cette version est déjà validée.")
	case d.Signed(q):
		return d, errs.New(errs.Conflict, "Cette version porte déjà la signature d'un professionnel de même qualification.")
	}
	for _, sig := range d.Signatures {
		if sig.UserID == a.UserID {
			return d, errs.New(errs.Conflict, "Vous avez déjà signé cette version : la seconde signature revient à un autre professionnel.")
		}
	}
	latest, err := latestVersion(ctx, s.db, d.PersonID)
	if err != nil {
		return d, err
	}
	if latest != d.Version {
		return d, errs.New(errs.Conflict, "Une version plus récente existe : signez la dernière version.")
	}
	now := s.now()
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		// Taking the version's row first serialises two signatures given at
		// once: the second sees the first, and the unique qualification per
		// version refuses a second signature of the same kind.
		res, err := tx.ExecContext(ctx, `UPDATE diagnostics SET validated_at = validated_at WHERE id = $1 AND validated_at IS NULL`, d.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.New(errs.Conflict, "Cette version est déjà validée.")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO diagnostic_signatures (diagnostic_id, user_id, organisation_id, qualification, signed_at) VALUES ($1,$2,$3,$4,$5)`,
			d.ID, a.UserID, a.OrgID, q, now); err != nil {
			if db.IsUniqueViolation(err) {
				return errs.New(errs.Conflict, "Cette version porte déjà votre signature ou celle d'un professionnel de même qualification.")
			}
			return err
		}
		var kinds int
		if err := tx.QueryRowContext(ctx, `SELECT count(DISTINCT qualification) FROM diagnostic_signatures WHERE diagnostic_id = $1`, d.ID).Scan(&kinds); err != nil {
			return err
		}
		detail := "signature " + q
		if kinds == 2 {
			if _, err := tx.ExecContext(ctx, `UPDATE diagnostics SET validated_at = $1 WHERE id = $2`, now, d.ID); err != nil {
				return err
			}
			detail += ", diagnostic validé"
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "diagnostic.sign", ObjectType: "diagnostic", ObjectID: d.ID, PersonID: d.PersonID, Detail: detail})
	})
	if err != nil {
		return d, err
	}
	return s.diagnostic(ctx, a, diagnosticID, access.Read)
}

// diagnostic loads one version the actor may act on.
func (s *Service) diagnostic(ctx context.Context, a access.Actor, id string, act access.Action) (Diagnostic, error) {
	if !db.ValidID(id) {
		return Diagnostic{}, errNotFound
	}
	var personID string
	err := s.db.QueryRowContext(ctx, `SELECT person_id FROM diagnostics WHERE id = $1`, id).Scan(&personID)
	if errors.Is(err, sql.ErrNoRows) {
		return Diagnostic{}, errNotFound
	} else if err != nil {
		return Diagnostic{}, err
	}
	if _, _, err := s.person(ctx, a, personID, act); err != nil {
		return Diagnostic{}, errNotFound
	}
	list, err := diagnosticsOf(ctx, s.db, personID)
	if err != nil {
		return Diagnostic{}, err
	}
	for _, d := range list {
		if d.ID == id {
			return d, nil
		}
	}
	return Diagnostic{}, errNotFound
}

func latestVersion(ctx context.Context, q db.Querier, personID string) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM diagnostics WHERE person_id = $1`, personID).Scan(&v)
	return v, err
}

// diagnosticsOf loads every version of a person's diagnostic with their signatures, newest first.
func diagnosticsOf(ctx context.Context, q db.Querier, personID string) ([]Diagnostic, error) {
	rows, err := q.QueryContext(ctx, `SELECT d.id, d.version, d.organisation_id, o.name, d.author_id, u.first_name || ' ' || u.last_name,
		d.content, d.suggested_track, d.validated_at, d.created_at
		FROM diagnostics d JOIN organisations o ON o.id = d.organisation_id JOIN users u ON u.id = d.author_id
		WHERE d.person_id = $1 ORDER BY d.version DESC`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Diagnostic
	byID := map[string]int{}
	for rows.Next() {
		d := Diagnostic{PersonID: personID}
		var content string
		var validated sql.NullTime
		if err := rows.Scan(&d.ID, &d.Version, &d.OrgID, &d.OrgName, &d.AuthorID, &d.AuthorName, &content, &d.SuggestedTrack, &validated, &d.CreatedAt); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(content), &d.Grid); err != nil {
			return nil, err
		}
		if validated.Valid {
			d.ValidatedAt = &validated.Time
		}
		byID[d.ID] = len(out)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, addSignatures(ctx, q, personID, out, byID)
}

func addSignatures(ctx context.Context, q db.Querier, personID string, list []Diagnostic, byID map[string]int) error {
	rows, err := q.QueryContext(ctx, `SELECT s.diagnostic_id, s.user_id, u.first_name || ' ' || u.last_name, o.name, s.qualification, s.signed_at
		FROM diagnostic_signatures s JOIN diagnostics d ON d.id = s.diagnostic_id JOIN users u ON u.id = s.user_id
		JOIN organisations o ON o.id = s.organisation_id WHERE d.person_id = $1 ORDER BY s.signed_at`, personID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var sig Signature
		if err := rows.Scan(&id, &sig.UserID, &sig.Name, &sig.OrgName, &sig.Qualification, &sig.SignedAt); err != nil {
			return err
		}
		if i, ok := byID[id]; ok {
			list[i].Signatures = append(list[i].Signatures, sig)
		}
	}
	return rows.Err()
}
