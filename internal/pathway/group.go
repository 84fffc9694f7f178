package pathway

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

// Group roles of a follow-up group.
const (
	GroupReferent = "referent"
	GroupMember   = "member"
)

// Staff is a professional who may join a follow-up group.
type Staff struct {
	UserID, Name, Email string
	OrgID, OrgName      string
	Referent            bool
}

// Group returns a person's follow-up group, past and present.
func (s *Service) Group(ctx context.Context, a access.Actor, personID string) (people.Person, []people.GroupMember, error) {
	p, group, err := s.person(ctx, a, personID, access.Read)
	if err != nil {
		return p, nil, err
	}
	return p, group, s.logRead(ctx, a, "group.read", personID)
}

// CanManageGroup reports whether the actor names the référent and the members
// of a person's group: the département's managers, the holding organisation's
// administrators and chargés d'orientation, the administrators of the
// organisation the person is oriented to, and the current référent.
func CanManageGroup(a access.Actor, p people.Person, group []people.GroupMember, today time.Time) bool {
	switch {
	case a.System:
		return true
	case access.IsDeptManager(a) && a.Territory == p.Territory:
		return true
	case a.HasAny(access.RoleOrgAdmin, access.RoleOrientation) && a.OrgID == p.HoldingOrgID:
		return true
	case a.Has(access.RoleOrgAdmin) && p.OrientedOrgID != "" && a.OrgID == p.OrientedOrgID:
		return true
	}
	for _, m := range current(group, today) {
		if m.Role == GroupReferent && m.UserID == a.UserID && m.OrgID == a.OrgID {
			return true
		}
	}
	return false
}

// current returns the memberships open on the day.
func current(group []people.GroupMember, today time.Time) []people.GroupMember {
	var out []people.GroupMember
	for _, m := range group {
		if !m.Start.After(today) && (m.End == nil || !m.End.Before(today)) {
			out = append(out, m)
		}
	}
	return out
}

// StaffOf lists the professionals of the person's territory who may join a group.
func (s *Service) StaffOf(ctx context.Context, territory string) ([]Staff, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT u.id, u.first_name || ' ' || u.last_name, u.email, o.id, o.name,
		MAX(CASE WHEN m.role = 'referent' THEN 1 ELSE 0 END)
		FROM memberships m JOIN users u ON u.id = m.user_id JOIN organisations o ON o.id = m.organisation_id
		WHERE o.territory = $1 AND o.disabled_at IS NULL AND u.disabled_at IS NULL
		AND m.role IN ('referent', 'orientation', 'siae_staff', 'facilitator', 'org_admin', 'manager')
		GROUP BY u.id, u.first_name, u.last_name, u.email, o.id, o.name
		ORDER BY o.name, u.last_name, u.first_name LIMIT 1000`, territory)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Staff
	for rows.Next() {
		var st Staff
		var ref int
		if err := rows.Scan(&st.UserID, &st.Name, &st.Email, &st.OrgID, &st.OrgName, &ref); err != nil {
			return nil, err
		}
		st.Referent = ref == 1
		out = append(out, st)
	}
	return out, rows.Err()
}

// MemberInput names a professional joining a group.
type MemberInput struct {
	UserID, OrgID, Role string
	Start               string
}

// AddMember adds a professional to a person's group. Naming a new référent
// ends the previous one's membership the day before: the history stays, and
// access follows the membership.
func (s *Service) AddMember(ctx context.Context, a access.Actor, personID string, in MemberInput) (people.GroupMember, error) {
	p, group, err := s.person(ctx, a, personID, access.Write)
	if err != nil {
		return people.GroupMember{}, err
	}
	today := s.today()
	if !CanManageGroup(a, p, group, today) {
		return people.GroupMember{}, errs.New(errs.Forbidden, "Le groupe de suivi est composé par le référent, la structure porteuse ou le département.")
	}
	fe := errs.FieldErrors{}
	start := parseDay("start", in.Start, fe)
	if in.Start == "" {
		start = today
	}
	if in.Role != GroupReferent && in.Role != GroupMember {
		fe.Add("role", "Choisissez référent ou membre du groupe.")
	}
	if err := s.checkStaff(ctx, in, p.Territory, fe); err != nil {
		return people.GroupMember{}, err
	}
	for _, m := range current(group, start) {
		if m.UserID == in.UserID && m.OrgID == in.OrgID && m.Role == in.Role {
			fe.Add("user_id", "Ce professionnel fait déjà partie du groupe avec ce rôle.")
		}
	}
	if err := fe.Err(); err != nil {
		return people.GroupMember{}, err
	}
	m := people.GroupMember{ID: db.NewID(), UserID: in.UserID, OrgID: in.OrgID, Role: in.Role, Start: start}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		// Touching the person's row first serialises two changes of référent
		// made at once: the second ends the référent the first just named.
		if _, err := tx.ExecContext(ctx, `UPDATE persons SET updated_at = $1 WHERE id = $2`, s.now(), personID); err != nil {
			return err
		}
		if in.Role == GroupReferent {
			if err := endReferents(ctx, tx, personID, start); err != nil {
				return err
			}
		}
		if err := people.InsertGroupMember(ctx, tx, personID, m, s.now()); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "group.add", ObjectType: "follow_up_member", ObjectID: m.ID, PersonID: personID, Detail: in.Role})
	})
	return m, err
}

// checkStaff checks that the professional works in the organisation with a
// role that may sit in a group, and may lead it when named référent.
func (s *Service) checkStaff(ctx context.Context, in MemberInput, territory string, fe errs.FieldErrors) error {
	if !db.ValidID(in.UserID) || !db.ValidID(in.OrgID) {
		fe.Add("user_id", "Choisissez un professionnel de la liste.")
		return nil
	}
	var roles, referent int
	err := s.db.QueryRowContext(ctx, `SELECT count(*), COALESCE(SUM(CASE WHEN m.role = 'referent' AND m.qualification <> '' THEN 1 ELSE 0 END), 0)
		FROM memberships m JOIN organisations o ON o.id = m.organisation_id JOIN users u ON u.id = m.user_id
		WHERE m.user_id = $1 AND m.organisation_id = $2 AND o.territory = $3 AND o.disabled_at IS NULL AND u.disabled_at IS NULL
		AND m.role IN ('referent', 'orientation', 'siae_staff', 'facilitator', 'org_admin', 'manager')`, in.UserID, in.OrgID, territory).Scan(&roles, &referent)
	switch {
	case err != nil:
		return err
	case roles == 0:
		fe.Add("user_id", "Ce professionnel ne travaille pas dans une structure du territoire de la personne.")
	case in.Role == GroupReferent && referent == 0:
		fe.Add("user_id", "Seul un professionnel ayant le rôle de référent dans sa structure peut être nommé référent.")
	}
	return nil
}

// endReferents closes, the day before start, the référent memberships that
// began earlier and are still open then; one starting on or after that day
// is replaced by the new référent and removed.
func endReferents(ctx context.Context, tx *db.Tx, personID string, start time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE follow_up_members SET end_date = $1
		WHERE person_id = $2 AND role = 'referent' AND start_date < $3 AND (end_date IS NULL OR end_date >= $3)`,
		day(start.AddDate(0, 0, -1)), personID, day(start)); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM follow_up_members WHERE person_id = $1 AND role = 'referent' AND start_date >= $2`, personID, day(start))
	return err
}

// EndMember closes a membership on the given day (today when empty).
func (s *Service) EndMember(ctx context.Context, a access.Actor, memberID, end string) error {
	if !db.ValidID(memberID) {
		return errNotFound
	}
	var personID string
	var start time.Time
	var ended sql.NullTime
	err := s.db.QueryRowContext(ctx, `SELECT person_id, start_date, end_date FROM follow_up_members WHERE id = $1`, memberID).Scan(&personID, &start, &ended)
	if errors.Is(err, sql.ErrNoRows) {
		return errNotFound
	} else if err != nil {
		return err
	}
	p, group, err := s.person(ctx, a, personID, access.Write)
	if err != nil {
		return errNotFound
	}
	today := s.today()
	if !CanManageGroup(a, p, group, today) {
		return errs.New(errs.Forbidden, "Le groupe de suivi est composé par le référent, la structure porteuse ou le département.")
	}
	fe := errs.FieldErrors{}
	on := parseDay("end", end, fe)
	if end == "" {
		on = today
	}
	if on.Before(start.UTC()) {
		fe.Add("end", "La fin ne peut pas précéder le début de l'accompagnement.")
	}
	if ended.Valid && !ended.Time.After(on) {
		fe.Add("end", "Cet accompagnement est déjà terminé.")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE follow_up_members SET end_date = $1 WHERE id = $2`, day(on), memberID); err != nil {
			return err
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "group.end", ObjectType: "follow_up_member", ObjectID: memberID, PersonID: personID})
	})
}
