package pathway

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

// OrientationInput is a chargé d'orientation's decision.
type OrientationInput struct {
	Track  Track
	OrgID  string
	Reason string
}

// canOrient reports whether the actor decides orientations.
func canOrient(a access.Actor) bool { return a.System || a.Has(access.RoleOrientation) }

// Orientations returns the orientation history of a person, newest first; the read is traced.
func (s *Service) Orientations(ctx context.Context, a access.Actor, personID string) ([]Orientation, error) {
	if _, _, err := s.person(ctx, a, personID, access.Read); err != nil {
		return nil, err
	}
	list, err := orientationsOf(ctx, s.db, personID)
	if err != nil {
		return nil, err
	}
	return list, s.logRead(ctx, a, "orientation.read", personID)
}

// Suggestion returns the track the latest diagnostic suggests, preferring a
// validated version, and the version it comes from; empty without a diagnostic.
func (s *Service) Suggestion(ctx context.Context, personID string) (Track, string, error) {
	var track, id string
	err := s.db.QueryRowContext(ctx, `SELECT suggested_track, id FROM diagnostics WHERE person_id = $1
		ORDER BY CASE WHEN validated_at IS NULL THEN 1 ELSE 0 END, version DESC LIMIT 1`, personID).Scan(&track, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	return Track(track), id, err
}

// Orient records an orientation decision. The suggestion of the diagnostic is
// kept beside it; departing from it needs a reason. The file then follows the
// organisation that becomes référent.
func (s *Service) Orient(ctx context.Context, a access.Actor, personID string, in OrientationInput) (Orientation, error) {
	p, _, err := s.person(ctx, a, personID, access.Write)
	if err != nil {
		return Orientation{}, err
	}
	if !canOrient(a) {
		return Orientation{}, errs.New(errs.Forbidden, "Seul un chargé d'orientation décide de l'orientation.")
	}
	suggested, diagID, err := s.Suggestion(ctx, personID)
	if err != nil {
		return Orientation{}, err
	}
	if err := s.checkOrientation(ctx, p, in, suggested); err != nil {
		return Orientation{}, err
	}
	var already int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM orientations WHERE person_id = $1`, personID).Scan(&already); err != nil {
		return Orientation{}, err
	}
	if already > 0 && strings.TrimSpace(in.Reason) == "" {
		// Changing a decision is a reorientation: it is motivated, like one.
		return Orientation{}, errs.FieldErrors{"reason": "La personne est déjà orientée : indiquez pourquoi l'orientation change."}.Err()
	}
	o := Orientation{ID: db.NewID(), PersonID: personID, Track: in.Track, OrgID: in.OrgID, SuggestedTrack: suggested,
		Reason: strings.TrimSpace(in.Reason), DiagnosticID: diagID, DecidedOn: s.today(), DecidedBy: a.UserID, CreatedAt: s.now()}
	if p.RSA != nil {
		o.RightsDate = p.RSA.RequestDate
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error { return insertOrientation(ctx, tx, a, o) })
	return o, err
}

// checkOrientation validates a decision: a known track, an active organisation
// of the person's territory, a reason when the suggestion is not followed.
func (s *Service) checkOrientation(ctx context.Context, p people.Person, in OrientationInput, suggested Track) error {
	fe := errs.FieldErrors{}
	if !ValidTrack(in.Track) {
		fe.Add("track", "Choisissez un parcours : professionnel, socio-professionnel ou social.")
	}
	if in.OrgID == "" {
		fe.Add("organisation_id", "Choisissez la structure qui devient référente.")
	} else if ok, err := activeOrgIn(ctx, s.db, in.OrgID, p.Territory); err != nil {
		return err
	} else if !ok {
		fe.Add("organisation_id", "Cette structure n'existe pas sur le territoire de la personne.")
	}
	if suggested != "" && in.Track != suggested && strings.TrimSpace(in.Reason) == "" {
		fe.Add("reason", "Le parcours choisi diffère de celui que suggère le diagnostic : indiquez pourquoi.")
	}
	return fe.Err()
}

func activeOrgIn(ctx context.Context, q db.Querier, orgID, territory string) (bool, error) {
	if !db.ValidID(orgID) {
		return false, nil
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM organisations WHERE id = $1 AND territory = $2 AND disabled_at IS NULL
		AND kind NOT IN ('employer', 'public_buyer')`, orgID, territory).Scan(&n)
	return n == 1, err
}

func insertOrientation(ctx context.Context, tx *db.Tx, a access.Actor, o Orientation) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO orientations (id, person_id, track, organisation_id, suggested_track, reason, diagnostic_id,
		rights_date, decided_on, decided_by, request_id, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
		o.ID, o.PersonID, string(o.Track), o.OrgID, string(o.SuggestedTrack), o.Reason, o.DiagnosticID, dayOrNil(o.RightsDate),
		day(o.DecidedOn), o.DecidedBy, o.RequestID, o.CreatedAt)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE persons SET oriented_org_id = $1, updated_at = $2 WHERE id = $3`, o.OrgID, o.CreatedAt, o.PersonID); err != nil {
		return err
	}
	detail := "parcours " + string(o.Track)
	if o.Overridden() {
		detail += " (suggestion " + string(o.SuggestedTrack) + " non suivie)"
	}
	return audit.LogTx(ctx, tx, a, audit.Event{Action: "orientation.decide", ObjectType: "orientation", ObjectID: o.ID, PersonID: o.PersonID, Detail: detail})
}

// orientationsOf loads a person's orientations, newest first.
func orientationsOf(ctx context.Context, q db.Querier, personID string) ([]Orientation, error) {
	rows, err := q.QueryContext(ctx, `SELECT o.id, o.track, o.organisation_id, org.name, o.suggested_track, o.reason, o.diagnostic_id,
		o.rights_date, o.decided_on, o.decided_by, u.first_name || ' ' || u.last_name, o.request_id, o.created_at
		FROM orientations o JOIN organisations org ON org.id = o.organisation_id JOIN users u ON u.id = o.decided_by
		WHERE o.person_id = $1 ORDER BY o.decided_on DESC, o.created_at DESC`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Orientation
	for rows.Next() {
		o := Orientation{PersonID: personID}
		var rights sql.NullTime
		if err := rows.Scan(&o.ID, &o.Track, &o.OrgID, &o.OrgName, &o.SuggestedTrack, &o.Reason, &o.DiagnosticID, &rights,
			&o.DecidedOn, &o.DecidedBy, &o.DeciderName, &o.RequestID, &o.CreatedAt); err != nil {
			return nil, err
		}
		if rights.Valid {
			t := rights.Time.UTC()
			o.RightsDate = &t
		}
		o.DecidedOn = o.DecidedOn.UTC()
		out = append(out, o)
	}
	return out, rows.Err()
}

// QueueEntry is a person waiting for an orientation.
type QueueEntry struct {
	PersonID   string
	Name       string
	BirthDate  *time.Time
	Commune    string
	RightsDate *time.Time
	Deadline   *time.Time
	// DaysLeft is negative once the deadline has passed.
	DaysLeft  int
	Suggested Track
	Validated bool
}

// rsaOpenSQL selects, on persons p joined to households hh, the applicants
// and partners whose right is open and who are subject to rights and duties.
const rsaOpenSQL = `hh.rsa_state IN ('2','3','4') AND p.droits_devoirs = TRUE AND p.household_role IN ('DEM','CJT')`

// Queue lists the people to orient that the actor may see, oldest rights
// first: applicants and partners subject to rights and duties with no orientation yet.
func (s *Service) Queue(ctx context.Context, a access.Actor, limit, offset int) ([]QueueEntry, int, error) {
	if !canOrient(a) && !access.IsDeptManager(a) {
		return nil, 0, errs.New(errs.Forbidden, "La file d'orientation est réservée aux chargés d'orientation et aux responsables.")
	}
	today := s.today()
	var w db.Where
	scope, err := people.ScopeSQL(ctx, s.db, a, today, &w)
	if err != nil {
		return nil, 0, err
	}
	w.Raw(scope)
	w.Raw(rsaOpenSQL)
	w.Raw(`NOT EXISTS (SELECT 1 FROM orientations o WHERE o.person_id = p.id)`)
	from := ` FROM persons p JOIN households hh ON hh.id = p.household_id`
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*)`+from+w.String(), w.Args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT p.id, p.last_name || ' ' || p.first_name, p.birth_date, COALESCE(c.name, ''), hh.request_date,
		COALESCE((SELECT d.suggested_track FROM diagnostics d WHERE d.person_id = p.id ORDER BY CASE WHEN d.validated_at IS NULL THEN 1 ELSE 0 END, d.version DESC LIMIT 1), ''),
		EXISTS (SELECT 1 FROM diagnostics d WHERE d.person_id = p.id AND d.validated_at IS NOT NULL)`+
		from+` LEFT JOIN communes c ON c.code = p.commune_code`+w.String()+
		` ORDER BY CASE WHEN hh.request_date IS NULL THEN 1 ELSE 0 END, hh.request_date, p.last_name, p.id`+w.Page(limit, offset), w.Args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []QueueEntry
	var events []audit.Event
	for rows.Next() {
		var e QueueEntry
		var birth, rights sql.NullTime
		if err := rows.Scan(&e.PersonID, &e.Name, &birth, &e.Commune, &rights, &e.Suggested, &e.Validated); err != nil {
			return nil, 0, err
		}
		e.BirthDate = nullDay(birth)
		if e.RightsDate = nullDay(rights); e.RightsDate != nil {
			d := OrientationDeadline(*e.RightsDate)
			e.Deadline = &d
			e.DaysLeft = int(d.Sub(today).Hours() / 24)
		}
		out = append(out, e)
		events = append(events, audit.Event{Action: "person.list", ObjectType: "person", ObjectID: e.PersonID, PersonID: e.PersonID})
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	return out, total, s.db.InTx(ctx, func(tx *db.Tx) error { return audit.LogBatchTx(ctx, tx, a, events) })
}

func nullDay(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	d := t.Time.UTC()
	return &d
}

// RequestReorientation records a référent's request to change a person's track.
func (s *Service) RequestReorientation(ctx context.Context, a access.Actor, personID string, in OrientationInput) (ReorientationRequest, error) {
	p, _, err := s.person(ctx, a, personID, access.Write)
	if err != nil {
		return ReorientationRequest{}, err
	}
	if !a.Has(access.RoleReferent) && !a.System {
		return ReorientationRequest{}, errs.New(errs.Forbidden, "La réorientation est demandée par le référent de la personne.")
	}
	current, err := orientationsOf(ctx, s.db, personID)
	if err != nil {
		return ReorientationRequest{}, err
	}
	if len(current) == 0 {
		return ReorientationRequest{}, errs.New(errs.Conflict, "La personne n'est pas encore orientée : il n'y a rien à réorienter.")
	}
	fe := errs.FieldErrors{}
	if !ValidTrack(in.Track) {
		fe.Add("track", "Choisissez le parcours demandé.")
	}
	if in.OrgID != "" {
		if ok, err := activeOrgIn(ctx, s.db, in.OrgID, p.Territory); err != nil {
			return ReorientationRequest{}, err
		} else if !ok {
			fe.Add("organisation_id", "Cette structure n'existe pas sur le territoire de la personne.")
		}
	}
	if len(strings.TrimSpace(in.Reason)) < 10 {
		fe.Add("reason", "Expliquez en quelques mots pourquoi la personne devrait changer de parcours.")
	}
	if err := fe.Err(); err != nil {
		return ReorientationRequest{}, err
	}
	var pending int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM reorientation_requests WHERE person_id = $1 AND status = 'pending'`, personID).Scan(&pending); err != nil {
		return ReorientationRequest{}, err
	}
	if pending > 0 {
		return ReorientationRequest{}, errs.New(errs.Conflict, "Une demande de réorientation attend déjà une décision.")
	}
	r := ReorientationRequest{ID: db.NewID(), PersonID: personID, RequestedBy: a.UserID, RequesterOrgID: a.OrgID, Track: in.Track,
		OrgID: in.OrgID, Reason: strings.TrimSpace(in.Reason), Status: "pending", CreatedAt: s.now()}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO reorientation_requests (id, person_id, requested_by, requester_org_id, track, organisation_id, reason, status, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,'pending',$8)`, r.ID, personID, a.UserID, a.OrgID, string(r.Track), r.OrgID, r.Reason, r.CreatedAt); err != nil {
			if db.IsUniqueViolation(err) {
				return errs.New(errs.Conflict, "Une demande de réorientation attend déjà une décision.")
			}
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "reorientation.request", ObjectType: "reorientation_request", ObjectID: r.ID, PersonID: personID, Detail: "parcours demandé " + string(r.Track)})
	})
	return r, err
}

// DecideReorientation accepts or refuses a request, with reasons; an accepted
// request becomes the person's new orientation.
func (s *Service) DecideReorientation(ctx context.Context, a access.Actor, requestID string, accept bool, orgID, reason string) (ReorientationRequest, error) {
	r, err := s.reorientationRequest(ctx, a, requestID, access.Write)
	if err != nil {
		return r, err
	}
	if !canOrient(a) {
		return r, errs.New(errs.Forbidden, "Seul un chargé d'orientation décide d'une réorientation.")
	}
	if r.Status != "pending" {
		return r, errs.New(errs.Conflict, "Cette demande a déjà reçu une décision.")
	}
	if r.RequestedBy == a.UserID {
		return r, errs.New(errs.Forbidden, "Une demande de réorientation est décidée par un autre professionnel que celui qui l'a faite.")
	}
	fe := errs.FieldErrors{}
	if len(strings.TrimSpace(reason)) < 5 {
		fe.Add("decision_reason", "Motivez la décision.")
	}
	if orgID == "" {
		orgID = r.OrgID
	}
	if accept && orgID == "" {
		fe.Add("organisation_id", "Choisissez la structure qui devient référente.")
	} else if accept {
		if ok, err := activeOrgIn(ctx, s.db, orgID, r.PersonTerritory); err != nil {
			return r, err
		} else if !ok {
			fe.Add("organisation_id", "Cette structure n'existe pas sur le territoire de la personne.")
		}
	}
	if err := fe.Err(); err != nil {
		return r, err
	}
	p, _, err := s.person(ctx, a, r.PersonID, access.Write)
	if err != nil {
		return r, err
	}
	var rights *time.Time
	if p.RSA != nil {
		rights = p.RSA.RequestDate
	}
	now := s.now()
	status := map[bool]string{true: "accepted", false: "refused"}[accept]
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE reorientation_requests SET status = $1, decided_by = $2, decided_at = $3, decision_reason = $4, organisation_id = $5
			WHERE id = $6 AND status = 'pending'`, status, a.UserID, now, strings.TrimSpace(reason), orgID, r.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.New(errs.Conflict, "Cette demande a déjà reçu une décision.")
		}
		if accept {
			suggested, diagID, err := s.Suggestion(ctx, r.PersonID)
			if err != nil {
				return err
			}
			o := Orientation{ID: db.NewID(), PersonID: r.PersonID, Track: r.Track, OrgID: orgID, SuggestedTrack: suggested, Reason: strings.TrimSpace(reason),
				DiagnosticID: diagID, DecidedOn: s.today(), DecidedBy: a.UserID, RequestID: r.ID, CreatedAt: now, RightsDate: rights}
			if err := insertOrientation(ctx, tx, a, o); err != nil {
				return err
			}
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "reorientation.decide", ObjectType: "reorientation_request", ObjectID: r.ID, PersonID: r.PersonID, Detail: status})
	})
	if err != nil {
		return r, err
	}
	return s.reorientationRequest(ctx, a, requestID, access.Read)
}

// reorientationRequest loads a request the actor may act on.
func (s *Service) reorientationRequest(ctx context.Context, a access.Actor, id string, act access.Action) (ReorientationRequest, error) {
	if !db.ValidID(id) {
		return ReorientationRequest{}, errNotFound
	}
	list, err := reorientationRequests(ctx, s.db, `r.id = $1`, id)
	if err != nil {
		return ReorientationRequest{}, err
	}
	if len(list) == 0 {
		return ReorientationRequest{}, errNotFound
	}
	if _, _, err := s.person(ctx, a, list[0].PersonID, act); err != nil {
		return ReorientationRequest{}, errNotFound
	}
	return list[0], nil
}

// ReorientationRequestsOf lists a person's requests, newest first.
func (s *Service) ReorientationRequestsOf(ctx context.Context, a access.Actor, personID string) ([]ReorientationRequest, error) {
	if _, _, err := s.person(ctx, a, personID, access.Read); err != nil {
		return nil, err
	}
	list, err := reorientationRequests(ctx, s.db, `r.person_id = $1`, personID)
	if err != nil {
		return nil, err
	}
	return list, s.logRead(ctx, a, "reorientation.read", personID)
}

// PendingReorientations lists the requests awaiting a decision on files the actor may see, oldest first.
func (s *Service) PendingReorientations(ctx context.Context, a access.Actor) ([]ReorientationRequest, error) {
	if !canOrient(a) && !access.IsDeptManager(a) {
		return nil, errs.New(errs.Forbidden, "Les demandes de réorientation sont traitées par les chargés d'orientation.")
	}
	var w db.Where
	scope, err := people.ScopeSQL(ctx, s.db, a, s.today(), &w)
	if err != nil {
		return nil, err
	}
	w.Raw(scope)
	cond := `r.status = 'pending' AND r.person_id IN (SELECT p.id FROM persons p` + w.String() + `)`
	list, err := reorientationRequests(ctx, s.db, cond, w.Args...)
	if err != nil {
		return nil, err
	}
	today := s.today()
	var events []audit.Event
	for i := range list {
		list[i].DaysWaiting = int(today.Sub(list[i].CreatedAt.UTC().Truncate(24*time.Hour)).Hours() / 24)
		events = append(events, audit.Event{Action: "person.list", ObjectType: "person", ObjectID: list[i].PersonID, PersonID: list[i].PersonID})
	}
	return list, s.db.InTx(ctx, func(tx *db.Tx) error { return audit.LogBatchTx(ctx, tx, a, events) })
}

func reorientationRequests(ctx context.Context, q db.Querier, cond string, args ...any) ([]ReorientationRequest, error) {
	rows, err := q.QueryContext(ctx, `SELECT r.id, r.person_id, p.last_name || ' ' || p.first_name, p.territory, r.requested_by, u.first_name || ' ' || u.last_name,
		ro.name, r.requester_org_id, r.track, r.organisation_id, COALESCE(o.name, ''), r.reason, r.status, r.decided_by,
		COALESCE(du.first_name || ' ' || du.last_name, ''), r.decided_at, r.decision_reason, r.created_at,
		COALESCE((SELECT cur.track FROM orientations cur WHERE cur.person_id = r.person_id ORDER BY cur.decided_on DESC, cur.created_at DESC LIMIT 1), '')
		FROM reorientation_requests r JOIN persons p ON p.id = r.person_id JOIN users u ON u.id = r.requested_by
		JOIN organisations ro ON ro.id = r.requester_org_id LEFT JOIN organisations o ON o.id = r.organisation_id
		LEFT JOIN users du ON du.id = r.decided_by
		WHERE `+cond+` ORDER BY r.created_at`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ReorientationRequest
	for rows.Next() {
		var r ReorientationRequest
		var decided sql.NullTime
		if err := rows.Scan(&r.ID, &r.PersonID, &r.PersonName, &r.PersonTerritory, &r.RequestedBy, &r.RequesterName, &r.RequesterOrg, &r.RequesterOrgID,
			&r.Track, &r.OrgID, &r.OrgName, &r.Reason, &r.Status, &r.DecidedBy, &r.DeciderName, &decided, &r.DecisionReason, &r.CreatedAt, &r.CurrentTrack); err != nil {
			return nil, err
		}
		if decided.Valid {
			r.DecidedAt = &decided.Time
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// OrgChoice is an organisation that may become référent.
type OrgChoice struct{ ID, Name, Kind string }

// OrgChoices lists the active organisations of a territory that may follow people.
func (s *Service) OrgChoices(ctx context.Context, territory string) ([]OrgChoice, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, kind FROM organisations WHERE territory = $1 AND disabled_at IS NULL
		AND kind NOT IN ('employer', 'public_buyer') ORDER BY name`, territory)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OrgChoice
	for rows.Next() {
		var o OrgChoice
		if err := rows.Scan(&o.ID, &o.Name, &o.Kind); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// DaysLate is how many days the deadline has passed by.
func (e QueueEntry) DaysLate() int { return -e.DaysLeft }
