// Package access is Tremplin's one access policy: need-to-know. Every service
// asks it before reading or writing an object, with the facts it loaded about
// that object; what an actor may not see is reported as not found.
package access

import (
	"slices"
	"time"
)

// Role is what a staff member does in one organisation.
type Role string

// The roles a membership may carry.
const (
	RoleOrgAdmin     Role = "org_admin"
	RoleManager      Role = "manager"
	RoleOrientation  Role = "orientation"
	RoleReferent     Role = "referent"
	RoleFacilitator  Role = "facilitator"
	RoleSIAEStaff    Role = "siae_staff"
	RoleEmployer     Role = "employer"
	RolePublicBuyer  Role = "public_buyer"
	RolePlatformAdmn Role = "platform_admin"
)

// Roles lists every role in the order forms show them.
var Roles = []Role{RoleOrgAdmin, RoleManager, RoleOrientation, RoleReferent, RoleFacilitator,
	RoleSIAEStaff, RoleEmployer, RolePublicBuyer, RolePlatformAdmn}

// RoleLabel gives the French label of a role.
func RoleLabel(r Role) string {
	switch r {
	case RoleOrgAdmin:
		return "Administrateur de la structure"
	case RoleManager:
		return "Responsable départemental"
	case RoleOrientation:
		return "Chargé d'orientation"
	case RoleReferent:
		return "Référent / professionnel"
	case RoleFacilitator:
		return "Facilitateur de clauses"
	case RoleSIAEStaff:
		return "Salarié de SIAE"
	case RoleEmployer:
		return "Employeur"
	case RolePublicBuyer:
		return "Acheteur public"
	case RolePlatformAdmn:
		return "Administrateur de la plateforme"
	}
	return string(r)
}

// ValidRole reports whether r is a known role.
func ValidRole(r Role) bool { return slices.Contains(Roles, r) }

// Qualification is the specialty of a professional, needed for the joint diagnostic.
type Qualification string

// The qualifications of a professional.
const (
	QualNone         Qualification = ""
	QualSocial       Qualification = "social"
	QualProfessional Qualification = "professional"
)

// Actor is who acts: a staff member in their current organisation, or the system.
type Actor struct {
	UserID        string
	Email         string
	PlatformAdmin bool
	// OrgID, OrgKind and Territory describe the current organisation.
	OrgID     string
	OrgKind   string
	Territory string
	// Roles are the actor's roles in the current organisation.
	Roles         []Role
	Qualification Qualification
	// IP is the client address, recorded in the audit trail.
	IP string
	// System marks command-line and background work run by an operator.
	System bool
}

// System returns the actor used by command-line tools run by an operator of the platform.
func System(what string) Actor {
	return Actor{UserID: "system", Email: what, System: true, PlatformAdmin: true}
}

// Has reports whether the actor holds role r in the current organisation.
func (a Actor) Has(r Role) bool {
	return slices.Contains(a.Roles, r) || (r == RolePlatformAdmn && a.PlatformAdmin)
}

// HasAny reports whether the actor holds one of the roles.
func (a Actor) HasAny(roles ...Role) bool {
	return slices.ContainsFunc(roles, a.Has)
}

// Authenticated reports whether the actor is a signed-in user or the system.
func (a Actor) Authenticated() bool { return a.UserID != "" }

// Action is what an actor wants to do with an object.
type Action string

// The actions the policy distinguishes.
const (
	Read  Action = "read"
	Write Action = "write"
)

// GroupMember is a professional of a person's follow-up group over a period.
type GroupMember struct {
	UserID string
	OrgID  string
	Start  time.Time
	// End is zero while the membership is open.
	End time.Time
}

// activeAt reports whether the membership covers the day of t.
func (m GroupMember) activeAt(t time.Time) bool {
	day := t.UTC().Truncate(24 * time.Hour)
	if !m.Start.IsZero() && m.Start.UTC().Truncate(24*time.Hour).After(day) {
		return false
	}
	return m.End.IsZero() || !m.End.UTC().Truncate(24*time.Hour).Before(day)
}

// groupRoles are the roles whose holders may sit in a follow-up group.
var groupRoles = []Role{RoleReferent, RoleOrientation, RoleSIAEStaff, RoleFacilitator, RoleOrgAdmin, RoleManager}

// IsDeptManager reports whether the actor manages a département: it sees the
// files and the figures of the département's territory.
func IsDeptManager(a Actor) bool {
	return a.Has(RoleManager) && a.OrgKind == "departement"
}

// Positioning is a candidacy of a person on an employer's offer.
type Positioning struct {
	EmployerOrgID string
	// Consented is true when the person agreed to share their profile with the employer.
	Consented bool
}

// Person carries the facts about a person's file that the policy needs.
type Person struct {
	Territory    string
	HoldingOrgID string
	// OrientedOrgID is the organisation the person is oriented to: its
	// administrators name the référent.
	OrientedOrgID string
	Group         []GroupMember
	Positionings  []Positioning
}

// CanPerson reports whether the actor may perform act on a person's file at time now.
func CanPerson(a Actor, p Person, act Action, now time.Time) bool {
	switch {
	case !a.Authenticated():
		return false
	case a.System:
		return true
	case IsDeptManager(a) && a.Territory == p.Territory:
		return true
	case a.HasAny(RoleOrgAdmin, RoleOrientation) && a.OrgID == p.HoldingOrgID:
		return true
	case a.Has(RoleOrgAdmin) && p.OrientedOrgID != "" && a.OrgID == p.OrientedOrgID:
		return true
	case inGroup(a, p.Group, now):
		return true
	case act == Read && a.Has(RoleEmployer):
		return positionedWithConsent(a.OrgID, p.Positionings)
	}
	return false
}

func inGroup(a Actor, group []GroupMember, now time.Time) bool {
	if !a.HasAny(groupRoles...) {
		return false
	}
	for _, m := range group {
		if m.UserID == a.UserID && m.OrgID == a.OrgID && m.activeAt(now) {
			return true
		}
	}
	return false
}

func positionedWithConsent(orgID string, ps []Positioning) bool {
	for _, p := range ps {
		if p.EmployerOrgID == orgID && p.Consented {
			return true
		}
	}
	return false
}

// PersonScope describes, for list queries, which files an actor sees; stores
// turn it into SQL so that lists agree with CanPerson.
type PersonScope struct {
	All bool
	// Territory is set for département managers.
	Territory string
	// HoldingOrgID is set for organisation admins and chargés d'orientation.
	HoldingOrgID string
	// OrientedOrgID is set for organisation admins: files oriented to their organisation.
	OrientedOrgID string
	// GroupUserID and GroupOrgID select files whose follow-up group holds the actor.
	GroupUserID, GroupOrgID string
	// EmployerOrgID selects candidates positioned with consent on the employer's offers.
	EmployerOrgID string
	// None is true when the actor sees no file at all.
	None bool
}

// ScopeForPeople returns the list scope matching CanPerson(…, Read, …).
func ScopeForPeople(a Actor) PersonScope {
	if !a.Authenticated() {
		return PersonScope{None: true}
	}
	if a.System {
		return PersonScope{All: true}
	}
	s := PersonScope{None: true}
	if IsDeptManager(a) {
		s.Territory, s.None = a.Territory, false
	}
	if a.HasAny(RoleOrgAdmin, RoleOrientation) {
		s.HoldingOrgID, s.None = a.OrgID, false
	}
	if a.Has(RoleOrgAdmin) {
		s.OrientedOrgID = a.OrgID
	}
	if a.HasAny(groupRoles...) {
		s.GroupUserID, s.GroupOrgID, s.None = a.UserID, a.OrgID, false
	}
	if a.Has(RoleEmployer) {
		s.EmployerOrgID, s.None = a.OrgID, false
	}
	return s
}

// Organisation carries the facts about an organisation that the policy needs.
type Organisation struct {
	ID        string
	Territory string
}

// CanOrganisation reports whether the actor may read or administer an organisation and its members.
func CanOrganisation(a Actor, o Organisation, act Action) bool {
	switch {
	case !a.Authenticated():
		return false
	case a.System, a.PlatformAdmin:
		return true
	case a.Has(RoleOrgAdmin) && a.OrgID == o.ID:
		return true
	case act == Read:
		// Partners of a territory know each other: names and contact points are not personal files.
		return a.Territory == o.Territory
	}
	return false
}

// AuditScope returns which audit entries the actor may search: all of them for
// platform admins, those recorded in their organisation for organisation
// admins; ok is false for everyone else.
func AuditScope(a Actor) (orgID string, ok bool) {
	switch {
	case !a.Authenticated():
		return "", false
	case a.System || a.PlatformAdmin:
		return "", true
	case a.Has(RoleOrgAdmin):
		return a.OrgID, true
	}
	return "", false
}

// ReviewParticipant is a professional invited to a case review, for the
// organisation they sit for.
type ReviewParticipant struct {
	UserID string
	OrgID  string
}

// CaseReview carries the facts about a case review (a group of professionals
// or an équipe pluridisciplinaire) that the policy needs.
type CaseReview struct {
	Territory string
	// OrgID is the organising organisation.
	OrgID        string
	CreatedBy    string
	Participants []ReviewParticipant
}

// reviewRoles are the roles whose holders organise case reviews.
var reviewRoles = []Role{RoleReferent, RoleOrientation, RoleOrgAdmin, RoleManager}

// CanCreateCaseReview reports whether the actor may organise a case review for its organisation.
func CanCreateCaseReview(a Actor) bool {
	return a.Authenticated() && !a.System && a.OrgID != "" && a.HasAny(reviewRoles...)
}

// CanConveneEP reports whether the actor may organise an équipe
// pluridisciplinaire: the président du conseil départemental convenes it
// before any reduction or suspension of the RSA (CASF L262-39), so only the
// département's staff who organise case reviews may.
func CanConveneEP(a Actor) bool {
	return CanCreateCaseReview(a) && a.OrgKind == "departement"
}

// CanCaseReview reports whether the actor may perform act on a case review.
// Participants read it (the names and reasons of its agenda: that is what the
// team meets for), but a person's full file still needs CanPerson. Writing
// (participants, agenda, decisions) is for its creator, the organiser's
// administrators and the département's managers.
func CanCaseReview(a Actor, r CaseReview, act Action) bool {
	switch {
	case !a.Authenticated():
		return false
	case a.System:
		return true
	case IsDeptManager(a) && a.Territory == r.Territory:
		return true
	case a.OrgID == r.OrgID && a.Has(RoleOrgAdmin):
		return true
	case a.OrgID == r.OrgID && a.UserID == r.CreatedBy && a.HasAny(reviewRoles...):
		return true
	case act != Read:
		return false
	case a.OrgID == r.OrgID && a.Has(RoleManager):
		return true
	}
	for _, p := range r.Participants {
		if p.UserID == a.UserID && p.OrgID == a.OrgID {
			return true
		}
	}
	return false
}

// ReviewScope describes, for list queries, which case reviews an actor sees;
// stores turn it into SQL so that lists agree with CanCaseReview(…, Read).
type ReviewScope struct {
	All bool
	// Territory is set for département managers.
	Territory string
	// OrgID is set for the organiser's administrators and managers: every
	// review of their organisation.
	OrgID string
	// CreatorID and CreatorOrgID select the reviews the actor created.
	CreatorID, CreatorOrgID string
	// ParticipantID and ParticipantOrgID select the reviews the actor sits in.
	ParticipantID, ParticipantOrgID string
	// None is true when the actor sees no review at all.
	None bool
}

// ScopeForCaseReviews returns the list scope matching CanCaseReview(…, Read).
func ScopeForCaseReviews(a Actor) ReviewScope {
	switch {
	case !a.Authenticated():
		return ReviewScope{None: true}
	case a.System:
		return ReviewScope{All: true}
	}
	s := ReviewScope{ParticipantID: a.UserID, ParticipantOrgID: a.OrgID}
	if IsDeptManager(a) {
		s.Territory = a.Territory
	}
	if a.HasAny(RoleOrgAdmin, RoleManager) {
		s.OrgID = a.OrgID
	}
	if a.HasAny(reviewRoles...) {
		s.CreatorID, s.CreatorOrgID = a.UserID, a.OrgID
	}
	return s
}
