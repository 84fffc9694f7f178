// Package auth manages staff accounts: users and their memberships in
// organisations, passwords, server-side sessions, API tokens, login
// throttling and password resets. It turns a session or a token into the
// access.Actor that every service receives.
package auth

import (
	"time"

	"tremplin/internal/platform/access"
)

// User is a staff account.
type User struct {
	ID            string
	Email         string
	FirstName     string
	LastName      string
	PlatformAdmin bool
	CreatedAt     time.Time
	DisabledAt    *time.Time
	LastLoginAt   *time.Time
	Memberships   []Membership
}

// Name returns the display name of the user.
func (u User) Name() string {
	if u.FirstName == "" && u.LastName == "" {
		return u.Email
	}
	return u.FirstName + " " + u.LastName
}

// Disabled reports whether the account may no longer sign in.
func (u User) Disabled() bool { return u.DisabledAt != nil }

// Membership is a role held by a user in an organisation.
type Membership struct {
	OrgID         string
	OrgName       string
	OrgKind       string
	Territory     string
	Role          access.Role
	Qualification access.Qualification
}

// Orgs returns the distinct organisations of the user's memberships, in order.
func (u User) Orgs() []Membership {
	var out []Membership
	seen := map[string]bool{}
	for _, m := range u.Memberships {
		if !seen[m.OrgID] {
			seen[m.OrgID] = true
			out = append(out, m)
		}
	}
	return out
}

// ActorIn builds the actor of the user acting for organisation orgID (the
// first organisation when orgID is empty or not one of theirs).
func (u User) ActorIn(orgID, ip string) access.Actor {
	a := access.Actor{UserID: u.ID, Email: u.Email, PlatformAdmin: u.PlatformAdmin, IP: ip}
	if !u.hasOrg(orgID) && len(u.Memberships) > 0 {
		orgID = u.Memberships[0].OrgID
	}
	for _, m := range u.Memberships {
		if m.OrgID != orgID {
			continue
		}
		a.OrgID, a.OrgKind, a.Territory = m.OrgID, m.OrgKind, m.Territory
		a.Roles = append(a.Roles, m.Role)
		if m.Qualification != access.QualNone {
			a.Qualification = m.Qualification
		}
	}
	return a
}

func (u User) hasOrg(orgID string) bool {
	for _, m := range u.Memberships {
		if m.OrgID == orgID {
			return true
		}
	}
	return false
}

// Session is a signed-in browser.
type Session struct {
	UserID     string
	OrgID      string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// Token is an API token as listed on the account page (never its secret).
type Token struct {
	ID         string
	Name       string
	Prefix     string
	OrgID      string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// NewUser is what creating an account takes.
type NewUser struct {
	Email         string
	FirstName     string
	LastName      string
	Password      string
	PlatformAdmin bool
	Memberships   []NewMembership
}

// NewMembership is a role to grant in an organisation.
type NewMembership struct {
	OrgID         string
	Role          access.Role
	Qualification access.Qualification
}
