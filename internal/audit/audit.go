// Package audit names the events OHIS records in its audit log: who did
// what, when and from where. A domain write and its audit entry are written
// in the same transaction, so the trail never misses a change.
package audit

import "time"

// Action names an audited event. Later features add their own.
type Action string

// Events of the portal foundation.
const (
	LoginSucceeded     Action = "login.succeeded"
	LoginFailed        Action = "login.failed"
	LoginBlocked       Action = "login.blocked"
	Logout             Action = "logout"
	LogoutEverywhere   Action = "logout.everywhere"
	PasswordChanged    Action = "password.changed"
	PasswordResetAsked Action = "password.reset_requested"
	PasswordReset      Action = "password.reset"
	UserCreated        Action = "user.created"
	UserInvited        Action = "user.invited"
	UserInviteAccepted Action = "user.invite_accepted"
	UserDeactivated    Action = "user.deactivated"
	UserActivated      Action = "user.activated"
	UserRoleChanged    Action = "user.role_changed"
	SupplierCreated    Action = "supplier.created"
)

// Label is the Dutch description of an action for the audit page.
func (a Action) Label() string {
	switch a {
	case LoginSucceeded:
		return "Ingelogd"
	case LoginFailed:
		return "Inloggen mislukt"
	case LoginBlocked:
		return "Inloggen geblokkeerd"
	case Logout:
		return "Uitgelogd"
	case LogoutEverywhere:
		return "Overal uitgelogd"
	case PasswordChanged:
		return "Wachtwoord gewijzigd"
	case PasswordResetAsked:
		return "Wachtwoordherstel aangevraagd"
	case PasswordReset:
		return "Wachtwoord hersteld"
	case UserCreated:
		return "Gebruiker aangemaakt"
	case UserInvited:
		return "Gebruiker uitgenodigd"
	case UserInviteAccepted:
		return "Uitnodiging geaccepteerd"
	case UserDeactivated:
		return "Gebruiker gedeactiveerd"
	case UserActivated:
		return "Gebruiker geactiveerd"
	case UserRoleChanged:
		return "Rol gewijzigd"
	case SupplierCreated:
		return "Aanbieder toegevoegd"
	}
	return string(a)
}

// Actor is who did something: a user, or nobody (an anonymous visitor or the
// system) with just an address.
type Actor struct {
	UserID *int64
	Email  string
	IP     string
}

// Entry is one line of the audit log.
type Entry struct {
	ID          int64
	At          time.Time
	Actor       Actor
	Action      Action
	SubjectType string // "user", "supplier", …
	SubjectID   string
	SupplierID  *int64
	Detail      map[string]string
}

// Filter narrows the audit log listing; zero values mean "any".
type Filter struct {
	Action   Action
	Actor    string // part of the actor's e-mail address
	From     *time.Time
	Until    *time.Time
	BeforeID int64 // keyset cursor: entries older than this id
	Limit    int
}
