// Package account holds the domain types for people who log in to the
// portal: users, their roles and the supplier organisation a supplier user
// belongs to.
package account

import (
	"errors"
	"net/mail"
	"strings"
	"time"
)

// Role decides what a user may see and do.
type Role string

// The four staff and supplier roles of SPEC §1. Residents do not log in to
// the portal.
const (
	RoleAdmin    Role = "admin"
	RoleCurator  Role = "curator"
	RoleSupport  Role = "support"
	RoleSupplier Role = "supplier"
)

// Roles lists every role, in the order the portal shows them.
var Roles = []Role{RoleAdmin, RoleCurator, RoleSupport, RoleSupplier}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleCurator, RoleSupport, RoleSupplier:
		return true
	}
	return false
}

// Label is the Dutch name of the role.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "Beheerder"
	case RoleCurator:
		return "Curator"
	case RoleSupport:
		return "Support"
	case RoleSupplier:
		return "Aanbieder"
	}
	return string(r)
}

// User is a portal account.
type User struct {
	ID           int64
	Email        string
	Name         string
	Role         Role
	SupplierID   *int64 // set exactly for supplier users
	SupplierName string // filled by listings and the session lookup
	// SupplierPlatform is the webshop platform the supplier applied with
	// (empty without an application); filled by the session lookup.
	SupplierPlatform string
	PasswordSet      bool // false for an invited user who has not chosen one
	Active           bool
	CreatedAt        time.Time
	LastLoginAt      *time.Time
	// PreviousLoginAt is the login before the last one: what a user who
	// just logged in wants to see ("was that me?").
	PreviousLoginAt *time.Time
}

// DisplayName is the name, or the e-mail address when no name is known.
func (u User) DisplayName() string {
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}

// Supplier is a participating webshop organisation.
type Supplier struct {
	ID        int64
	Name      string
	CreatedAt time.Time
}

// Session is one logged-in browser.
type Session struct {
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	IP         string
	UserAgent  string
}

// ErrInvalidEmail is returned for an address that is not one.
var ErrInvalidEmail = errors.New("invalid e-mail address")

// NormalizeEmail trims and lowercases an address and checks its shape. The
// database stores addresses in this form so that lookups are exact.
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") {
		return "", ErrInvalidEmail
	}
	return s, nil
}
