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

	ApplicationSubmitted Action = "application.submitted"
	AdmissionMoved       Action = "admission.moved"
	ChecklistSaved       Action = "admission.checklist_saved"
	AlternativeAgreed    Action = "admission.alternative_agreed"
	APIKeyCreated        Action = "api_key.created"
	APIKeyRevoked        Action = "api_key.revoked"
	CustomAPISubmitted   Action = "custom_api.submitted"
	CustomAPIReviewed    Action = "custom_api.reviewed"
	TestSlotCreated      Action = "test_slot.created"
	TestSlotWithdrawn    Action = "test_slot.withdrawn"
	TestBooked           Action = "test.booked"
	TestMoved            Action = "test.moved"
	TestCancelled        Action = "test.cancelled"
	TestResultsRecorded  Action = "test.results_recorded"
	TestDecided          Action = "test.decided"
	RequirementAdded     Action = "admission.requirement_added"
	RequirementSwitched  Action = "admission.requirement_switched"

	// ConformanceRerun: staff ran a submission's conformance report again (issue 4).
	ConformanceRerun Action = "custom_api.conformance_rerun"

	// Curation (issue 5).
	CurationApproved        Action = "curation.approved"
	CurationRejected        Action = "curation.rejected"
	CurationChanged         Action = "curation.changed"
	CurationBulkStarted     Action = "curation.bulk_started"
	CurationSettingsChanged Action = "curation.settings_changed"
	RejectionReasonAdded    Action = "curation.reason_added"
	RejectionReasonSwitched Action = "curation.reason_switched"
	PlatformCategoryCreated Action = "platform_category.created"
	PlatformCategoryChanged Action = "platform_category.changed"
	PlatformCategoryDeleted Action = "platform_category.deleted"
	CategoryMapped          Action = "platform_category.mapped"

	ConnectionCreated            Action = "connection.created"
	ConnectionCredentialsChanged Action = "connection.credentials_changed"
	ConnectionPaused             Action = "connection.paused"
	ConnectionResumed            Action = "connection.resumed"
	ConnectionDeleted            Action = "connection.deleted"
	ConnectionSyncRequested      Action = "connection.sync_requested"
	ConnectionURLChanged         Action = "connection.url_changed"
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
	case ApplicationSubmitted:
		return "Aanmelding ontvangen"
	case AdmissionMoved:
		return "Toelatingsstatus gewijzigd"
	case ChecklistSaved:
		return "Toelatingseisen bijgewerkt"
	case AlternativeAgreed:
		return "Alternatieve koppeling afgesproken"
	case APIKeyCreated:
		return "API-sleutel aangemaakt"
	case APIKeyRevoked:
		return "API-sleutel ingetrokken"
	case CustomAPISubmitted:
		return "Eigen API ter beoordeling aangeboden"
	case CustomAPIReviewed:
		return "Eigen API beoordeeld"
	case ConformanceRerun:
		return "Conformiteitsrapport eigen API opnieuw uitgevoerd"
	case TestSlotCreated:
		return "Testmoment gepubliceerd"
	case TestSlotWithdrawn:
		return "Testmoment ingetrokken"
	case TestBooked:
		return "Integratietest geboekt"
	case TestMoved:
		return "Integratietest verplaatst"
	case TestCancelled:
		return "Integratietest geannuleerd"
	case TestResultsRecorded:
		return "Testresultaten vastgelegd"
	case TestDecided:
		return "Integratietest beoordeeld"
	case RequirementAdded:
		return "Toelatingseis toegevoegd"
	case RequirementSwitched:
		return "Toelatingseis aan- of uitgezet"
	case CurationApproved:
		return "Product goedgekeurd"
	case CurationRejected:
		return "Product afgewezen"
	case CurationChanged:
		return "Product terug ter beoordeling na wijziging"
	case CurationBulkStarted:
		return "Bulkbesluit over producten gestart"
	case CurationSettingsChanged:
		return "Curatie-instellingen gewijzigd"
	case RejectionReasonAdded:
		return "Afwijsreden toegevoegd"
	case RejectionReasonSwitched:
		return "Afwijsreden aan- of uitgezet"
	case PlatformCategoryCreated:
		return "Platformcategorie toegevoegd"
	case PlatformCategoryChanged:
		return "Platformcategorie gewijzigd"
	case PlatformCategoryDeleted:
		return "Platformcategorie verwijderd"
	case CategoryMapped:
		return "Categorie van aanbieder gekoppeld"
	case ConnectionCreated:
		return "Webshopkoppeling toegevoegd"
	case ConnectionCredentialsChanged:
		return "Sleutels van webshopkoppeling gewijzigd"
	case ConnectionPaused:
		return "Webshopkoppeling gepauzeerd"
	case ConnectionResumed:
		return "Webshopkoppeling hervat"
	case ConnectionDeleted:
		return "Webshopkoppeling verwijderd"
	case ConnectionSyncRequested:
		return "Synchronisatie handmatig gestart"
	case ConnectionURLChanged:
		return "Webshopadres van koppeling gewijzigd"
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
