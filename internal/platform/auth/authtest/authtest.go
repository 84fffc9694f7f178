// Package authtest builds accounts for tests.
package authtest

import (
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
)

// Member returns a membership with role in orgID; référents, who must carry a
// qualification, get the social one.
func Member(orgID string, role access.Role) auth.NewMembership {
	m := auth.NewMembership{OrgID: orgID, Role: role}
	if role == access.RoleReferent {
		m.Qualification = access.QualSocial
	}
	return m
}
