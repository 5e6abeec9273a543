package portal

import (
	"net/http"
	"slices"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/static"
)

// Route is one entry of the route table: its pattern and who may use it.
// Public routes need no login; every other route names its roles.
type Route struct {
	Pattern string
	Public  bool
	Roles   []account.Role
}

// Allows reports whether a role may use the route.
func (r Route) Allows(role account.Role) bool { return r.Public || slices.Contains(r.Roles, role) }

var (
	everyone  = []account.Role{account.RoleAdmin, account.RoleCurator, account.RoleSupport, account.RoleSupplier}
	admins    = []account.Role{account.RoleAdmin}
	suppliers = []account.Role{account.RoleSupplier}
	// adminsAndSupport: the staff who guide suppliers through admission.
	adminsAndSupport = []account.Role{account.RoleAdmin, account.RoleSupport}
)

// registerRoutes is the whole route table. GET never changes anything.
func (s *Server) registerRoutes(mux *http.ServeMux) {
	// Operations and assets.
	s.public(mux, "GET /healthz", s.healthz)
	s.public(mux, "GET /readyz", s.readyz)
	mux.Handle("GET "+static.Prefix, static.Handler())
	s.routes = append(s.routes, Route{Pattern: "GET " + static.Prefix, Public: true})

	// Logging in and out, and the one-time links from e-mails.
	s.public(mux, "GET /inloggen", s.loginForm)
	s.public(mux, "POST /inloggen", s.loginSubmit)
	s.public(mux, "POST /uitloggen", s.logout)
	s.public(mux, "GET /wachtwoord-vergeten", s.forgotForm)
	s.public(mux, "POST /wachtwoord-vergeten", s.forgotSubmit)
	s.public(mux, "GET /wachtwoord-herstellen/{token}", s.resetForm)
	s.public(mux, "POST /wachtwoord-herstellen/{token}", s.resetSubmit)
	s.public(mux, "GET /uitnodiging/{token}", s.inviteForm)
	s.public(mux, "POST /uitnodiging/{token}", s.inviteSubmit)

	// Applying for admission (step 1).
	s.public(mux, "GET /aanmelden", s.applyForm)
	s.public(mux, "POST /aanmelden", s.applySubmit)
	s.public(mux, "GET /aanmelden/ontvangen", s.applyDone)

	// Everyone logged in.
	s.handle(mux, "GET /{$}", s.home, everyone...)
	s.handle(mux, "GET /account", s.accountShow, everyone...)
	s.handle(mux, "POST /account/wachtwoord", s.accountPassword, everyone...)
	s.handle(mux, "POST /account/overal-uitloggen", s.accountLogoutEverywhere, everyone...)

	// Suppliers: their own organisation only.
	s.handle(mux, "GET /team", s.supplierTeam, suppliers...)
	s.handle(mux, "GET /koppeling/sleutels", s.apiKeysList, suppliers...)
	s.handle(mux, "POST /koppeling/sleutels", s.apiKeyCreate, suppliers...)
	s.handle(mux, "POST /koppeling/sleutels/{id}/intrekken", s.apiKeyRevoke, suppliers...)
	s.handle(mux, "GET /koppeling/handleiding", s.integrationGuide, suppliers...)
	s.handle(mux, "POST /koppeling/gereed", s.reportReady, suppliers...)
	s.handle(mux, "POST /koppeling/gereed/intrekken", s.withdrawReady, suppliers...)
	s.handle(mux, "GET /koppeling/eigen-api", s.customAPIShow, suppliers...)
	s.handle(mux, "POST /koppeling/eigen-api", s.customAPISubmit, suppliers...)
	s.handle(mux, "GET /koppeling/integratietest", s.bookingShow, suppliers...)
	s.handle(mux, "POST /koppeling/integratietest", s.bookingCreate, suppliers...)
	s.handle(mux, "POST /koppeling/integratietest/verplaatsen", s.bookingMove, suppliers...)
	s.handle(mux, "POST /koppeling/integratietest/annuleren", s.bookingCancel, suppliers...)
	s.handle(mux, "GET /koppeling/integratietest/uitnodiging.ics", s.bookingICS, suppliers...)

	// Support hours (issue 6): staff log time, suppliers see their own.
	s.handle(mux, "GET /beheer/uren", s.hoursOverview, adminsAndSupport...)
	s.handle(mux, "POST /beheer/uren", s.hoursCreate, adminsAndSupport...)
	s.handle(mux, "GET /beheer/uren/boeking/{id}/bewerken", s.hoursEditForm, adminsAndSupport...)
	s.handle(mux, "POST /beheer/uren/boeking/{id}", s.hoursUpdate, adminsAndSupport...)
	s.handle(mux, "POST /beheer/uren/boeking/{id}/verwijderen", s.hoursDelete, adminsAndSupport...)
	s.handle(mux, "GET /beheer/uren/aanbieder/{id}", s.hoursSupplier, adminsAndSupport...)
	s.handle(mux, "GET /beheer/uren/aanbieder/{id}/overzicht.csv", s.hoursSupplierCSV, adminsAndSupport...)
	s.handle(mux, "POST /beheer/uren/aanbieder/{id}/tegoed", s.hoursAllowance, admins...)
	s.handle(mux, "POST /beheer/uren/maand-afsluiten", s.hoursCloseMonth, admins...)
	s.handle(mux, "GET /ondersteuning/uren", s.hoursOwn, suppliers...)
	s.handle(mux, "GET /ondersteuning/uren/overzicht.csv", s.hoursOwnCSV, suppliers...)

	// Supplier questions (issue 6): answered within 5 working days.
	s.handle(mux, "GET /ondersteuning/vragen", s.questionsOwn, suppliers...)
	s.handle(mux, "POST /ondersteuning/vragen", s.questionAsk, suppliers...)
	s.handle(mux, "GET /ondersteuning/vragen/{id}", s.questionOwn, suppliers...)
	s.handle(mux, "POST /ondersteuning/vragen/{id}", s.questionReply, suppliers...)
	s.handle(mux, "GET /beheer/vragen", s.questionsQueue, adminsAndSupport...)
	s.handle(mux, "GET /beheer/vragen/{id}", s.questionShow, adminsAndSupport...)
	s.handle(mux, "POST /beheer/vragen/{id}/antwoord", s.questionAnswer, adminsAndSupport...)
	s.handle(mux, "POST /beheer/vragen/{id}/sluiten", s.questionClose, adminsAndSupport...)

	// Admission, for WUJW staff.
	s.handle(mux, "GET /beheer/aanmeldingen", s.applicationsList, admins...)
	s.handle(mux, "GET /beheer/aanmeldingen/{id}", s.applicationShow, adminsAndSupport...)
	s.handle(mux, "POST /beheer/aanmeldingen/{id}/beoordelen", s.applicationStartReview, admins...)
	s.handle(mux, "POST /beheer/aanmeldingen/{id}/checklist", s.applicationChecklist, admins...)
	s.handle(mux, "POST /beheer/aanmeldingen/{id}/toelaten", s.applicationAdmit, admins...)
	s.handle(mux, "POST /beheer/aanmeldingen/{id}/afwijzen", s.applicationReject, admins...)
	s.handle(mux, "POST /beheer/aanmeldingen/{id}/uitsluiten", s.applicationExclude, admins...)
	s.handle(mux, "POST /beheer/aanmeldingen/{id}/alternatief", s.applicationAlternative, admins...)
	s.handle(mux, "POST /beheer/aanmeldingen/{id}/api-beoordeling/{review}", s.customAPIDecide, adminsAndSupport...)
	s.handle(mux, "GET /beheer/toelatingseisen", s.requirementsList, admins...)
	s.handle(mux, "POST /beheer/toelatingseisen", s.requirementAdd, admins...)
	s.handle(mux, "POST /beheer/toelatingseisen/{id}/actief", s.requirementToggle, admins...)
	s.handle(mux, "GET /beheer/doorlooptijden", s.leadTimes, adminsAndSupport...)
	s.handle(mux, "GET /beheer/testmomenten", s.slotsList, adminsAndSupport...)
	s.handle(mux, "POST /beheer/testmomenten", s.slotCreate, adminsAndSupport...)
	s.handle(mux, "POST /beheer/testmomenten/{id}/intrekken", s.slotWithdraw, adminsAndSupport...)
	s.handle(mux, "GET /beheer/integratietests/{id}", s.testShow, adminsAndSupport...)
	s.handle(mux, "POST /beheer/integratietests/{id}/resultaten", s.testResults, adminsAndSupport...)
	s.handle(mux, "POST /beheer/integratietests/{id}/besluit", s.testDecide, admins...) // SPEC §1: admins sign off

	// Admins.
	s.handle(mux, "GET /beheer/gebruikers", s.usersList, admins...)
	s.handle(mux, "GET /beheer/gebruikers/nieuw", s.userNewForm, admins...)
	s.handle(mux, "POST /beheer/gebruikers", s.userCreate, admins...)
	s.handle(mux, "GET /beheer/gebruikers/{id}", s.userShow, admins...)
	s.handle(mux, "POST /beheer/gebruikers/{id}/deactiveren", s.userDeactivate, admins...)
	s.handle(mux, "POST /beheer/gebruikers/{id}/activeren", s.userActivate, admins...)
	s.handle(mux, "POST /beheer/gebruikers/{id}/rol", s.userSetRole, admins...)
	s.handle(mux, "POST /beheer/gebruikers/{id}/uitnodigen", s.userReinvite, admins...)
	s.handle(mux, "GET /beheer/aanbieders", s.suppliersList, admins...)
	s.handle(mux, "POST /beheer/aanbieders", s.supplierCreate, admins...)
	s.handle(mux, "GET /beheer/audit", s.auditList, admins...)
	s.handle(mux, "GET /beheer/e-mail", s.outboxList, admins...)
	s.handle(mux, "GET /beheer/e-mail/{id}", s.outboxShow, admins...)

	// Webshop connections and the catalogue sync (issue 4): suppliers'
	// connection screens, and the shops' webhook endpoint.
	s.registerConnectionRoutes(mux)
	s.registerWebhookRoutes(mux)
	s.registerConformanceRoutes(mux)
	// Curation (issue 5) and the public catalogue for residents.
	s.registerCurationRoutes(mux)
	s.registerCatalogueRoutes(mux)

	// Everything else is a friendly 404.
	mux.Handle("/", s.wrap(func(w http.ResponseWriter, r *http.Request) error { return errNotFound }))
}

// public registers a route anyone may use.
func (s *Server) public(mux *http.ServeMux, pattern string, h handlerFunc) {
	s.routes = append(s.routes, Route{Pattern: pattern, Public: true})
	mux.Handle(pattern, s.wrap(h))
}

// handle registers a route for logged-in users with one of the roles.
func (s *Server) handle(mux *http.ServeMux, pattern string, h handlerFunc, roles ...account.Role) {
	if len(roles) == 0 {
		panic("portal: route " + pattern + " names no roles")
	}
	route := Route{Pattern: pattern, Roles: roles}
	s.routes = append(s.routes, route)
	mux.Handle(pattern, s.wrap(s.authorize(route, h)))
}

// navFor is the navigation of a role. Only pages the role may open appear.
func navFor(role account.Role) []navItem {
	items := []navItem{{"Start", "/", false}}
	switch role {
	case account.RoleAdmin:
		items = append(items,
			navItem{"Aanmeldingen", "/beheer/aanmeldingen", true},
			navItem{"Doorlooptijden", "/beheer/doorlooptijden", false},
			navItem{"Testmomenten", "/beheer/testmomenten", true},
			navItem{"Vragen", "/beheer/vragen", true},
			navItem{"Uren", "/beheer/uren", true},
			navItem{"Curatie", "/beheer/curatie", true},
			navItem{"Categorieën", "/beheer/categorieen", true},
			navItem{"Gebruikers", "/beheer/gebruikers", true},
			navItem{"Aanbieders", "/beheer/aanbieders", true},
			navItem{"Koppelingen", "/beheer/koppelingen", true},
			navItem{"Auditlog", "/beheer/audit", true},
			navItem{"Uitgaande e-mail", "/beheer/e-mail", true},
		)
	case account.RoleCurator:
		items = append(items,
			navItem{"Curatie", "/beheer/curatie", true},
			navItem{"Categorieën", "/beheer/categorieen", true},
		)
	case account.RoleSupport:
		items = append(items,
			navItem{"Vragen", "/beheer/vragen", true},
			navItem{"Uren", "/beheer/uren", true},
			navItem{"Doorlooptijden", "/beheer/doorlooptijden", false},
			navItem{"Testmomenten", "/beheer/testmomenten", true},
			navItem{"Koppelingen", "/beheer/koppelingen", true},
		)
	case account.RoleSupplier:
		items = append(items,
			navItem{"Koppelingen", "/koppelingen", true},
			navItem{"Producten", "/producten", false},
			navItem{"API-sleutels", "/koppeling/sleutels", false},
			navItem{"Handleiding", "/koppeling/handleiding", false},
			navItem{"Integratietest", "/koppeling/integratietest", false},
			navItem{"Vragen", "/ondersteuning/vragen", true},
			navItem{"Uren", "/ondersteuning/uren", false},
			navItem{"Team", "/team", false},
		)
	}
	return append(items, navItem{"Mijn account", "/account", false})
}

type navItem struct {
	label  string
	href   string
	prefix bool
}
