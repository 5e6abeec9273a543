package portal

import (
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/web/admin"
	"github.com/wujw/ohis/web/components"
	"github.com/wujw/ohis/web/home"
	supplierweb "github.com/wujw/ohis/web/supplier"
)

// staffTasks is what each staff role is responsible for (SPEC §1).
var staffTasks = map[account.Role][]string{
	account.RoleCurator: {
		"Onder Curatie bepalen welke gesynchroniseerde producten op het inwisselplatform verschijnen, per product of in bulk.",
		"Onder Categorieën de categorieën van aanbieders koppelen aan de platformcategorieën.",
		"Een goedgekeurd product dat daarna belangrijk wijzigt (prijs, naam, categorie, varianten), komt terug in de lijst.",
	},
	account.RoleSupport: {
		"De voortgang van aanbieders en hun uiterste data volgen onder Doorlooptijden.",
		"Testmomenten publiceren en integratietests vastleggen onder Testmomenten.",
		"Eigen API's van aanbieders beoordelen (via de aanmelding van de aanbieder).",
		"Vragen van aanbieders binnen 5 werkdagen beantwoorden onder Vragen.",
		"Ondersteuningsuren registreren onder Uren; boven de 8 inbegrepen uren worden ze gefactureerd.",
	},
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	p := s.withFlashes(w, r, s.pageFor(r, "Start"))
	switch u.Role {
	case account.RoleAdmin:
		v, err := s.adminHome(r, u)
		if err != nil {
			return err
		}
		return s.render(w, r, home.Admin(p, v))
	case account.RoleSupplier:
		v, err := s.supplierHome(r, u)
		if err != nil {
			return err
		}
		v.SupplierName = p.User.SupplierName
		return s.render(w, r, home.Supplier(p, v))
	default:
		v := home.StaffView{Name: u.DisplayName(), RoleLabel: u.Role.Label(), Tasks: staffTasks[u.Role], LastLogin: u.PreviousLoginAt}
		if u.Role == account.RoleCurator {
			work, err := s.curatorHomeWork(r)
			if err != nil {
				return err
			}
			v.Work = work
		}
		return s.render(w, r, home.Staff(p, v))
	}
}

// dashboardTTL is how long the admin start page's figures are reused. A
// second of staleness on an overview is invisible to people, and it keeps
// the busiest page of the portal from costing two queries per view.
const dashboardTTL = time.Second

// dashboardCache holds the admin start page's figures, shared by all admins
// of this process.
type dashboardCache struct {
	mu sync.Mutex
	at time.Time
	v  home.AdminView
}

func (s *Server) adminHome(r *http.Request, u *account.User) (home.AdminView, error) {
	s.dashboard.mu.Lock()
	defer s.dashboard.mu.Unlock()
	if now := s.now(); now.Sub(s.dashboard.at) >= dashboardTTL {
		v, err := s.loadDashboard(r)
		if err != nil {
			return home.AdminView{}, err
		}
		s.dashboard.v, s.dashboard.at = v, now
	}
	v := s.dashboard.v
	v.Name = u.DisplayName()
	return v, nil
}

func (s *Server) loadDashboard(r *http.Request) (home.AdminView, error) {
	ctx := r.Context()
	d, err := s.store.UserDashboard(ctx)
	if err != nil {
		return home.AdminView{}, err
	}
	v := home.AdminView{Suppliers: d.Suppliers, OutboxWaiting: d.MailUnsent}
	incidents, err := s.store.ConnectionIncidents(ctx, nil)
	if err != nil {
		return home.AdminView{}, err
	}
	v.Incidents = connIncidentsView(incidents, true)
	for _, role := range account.Roles {
		v.Users = append(v.Users, home.RoleCount{Label: role.Label(), Count: d.ActiveByRole[role]})
	}
	recent, err := s.store.AuditList(ctx, audit.Filter{Limit: 8})
	if err != nil {
		return home.AdminView{}, err
	}
	for _, e := range recent {
		v.Recent = append(v.Recent, home.AuditRow{At: e.At, Actor: actorLabel(e.Actor), Action: e.Action.Label()})
	}
	return v, nil
}

func actorLabel(a audit.Actor) string {
	if a.Email != "" {
		return a.Email
	}
	return "systeem"
}

// supplierUsers lists the users of one supplier organisation. The id always
// comes from the logged-in user, never from the request.
func (s *Server) supplierUsers(r *http.Request, supplierID int64) ([]account.User, error) {
	all, err := s.store.UserList(r.Context(), store.UserFilter{Role: account.RoleSupplier})
	if err != nil {
		return nil, err
	}
	var out []account.User
	for _, u := range all {
		if u.SupplierID != nil && *u.SupplierID == supplierID {
			out = append(out, u)
		}
	}
	return out, nil
}

func (s *Server) supplierTeam(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	team, err := s.supplierUsers(r, *u.SupplierID)
	if err != nil {
		return err
	}
	rows := make([]admin.UserRow, len(team))
	for i, t := range team {
		rows[i] = userRow(t)
	}
	return s.render(w, r, home.Team(s.withFlashes(w, r, s.pageFor(r, "Team")), rows))
}

func userRow(u account.User) admin.UserRow {
	return admin.UserRow{
		ID: u.ID, Name: u.DisplayName(), Email: u.Email, RoleLabel: u.Role.Label(), SupplierName: u.SupplierName,
		Active: u.Active, Invited: !u.PasswordSet, LastLogin: components.DateTimePtr(u.LastLoginAt),
	}
}

// supplierHome is the supplier's start page: its team and, once it has an
// application, where it stands in the admission process.
func (s *Server) supplierHome(r *http.Request, u *account.User) (home.SupplierView, error) {
	v, err := s.supplierHomeAdmission(r, u)
	if err != nil {
		return v, err
	}
	incidents, err := s.store.ConnectionIncidents(r.Context(), u.SupplierID)
	if err != nil {
		return v, err
	}
	v.Incidents = connIncidentsView(incidents, false)
	return v, nil
}

// supplierHomeAdmission is the start page's team and admission part.
func (s *Server) supplierHomeAdmission(r *http.Request, u *account.User) (home.SupplierView, error) {
	a, facts, err := s.store.ApplicationHomeBySupplier(r.Context(), *u.SupplierID)
	if errors.Is(err, store.ErrNotFound) {
		// An organisation an admin added directly has no admission steps.
		facts, err := s.store.SupplierHomeFacts(r.Context(), *u.SupplierID)
		return home.SupplierView{Name: u.DisplayName(), TeamSize: facts.TeamSize, LastLogin: u.PreviousLoginAt}, err
	}
	if err != nil {
		return home.SupplierView{}, err
	}
	v := home.SupplierView{Name: u.DisplayName(), TeamSize: facts.TeamSize, LastLogin: u.PreviousLoginAt}
	acceptanceKey := facts.AcceptanceKey
	stoppedAt := 0
	if a.State == admission.Rejected || a.State == admission.Excluded {
		// The step it stopped at is where the last move came from.
		trail, err := s.store.AdmissionTransitions(r.Context(), a.ID)
		if err != nil {
			return home.SupplierView{}, err
		}
		stoppedAt = 2
		for _, t := range trail {
			if t.To == a.State && progressStep(t.From) > 0 {
				stoppedAt = progressStep(t.From)
			}
		}
	}
	apiConform := false
	if a.Route() == admission.RouteCustom && a.State == admission.Admitted && a.APISubmittedAt != nil {
		st, err := s.supplier.CustomAPIStatusOf(r.Context(), a.ID)
		if err != nil {
			return home.SupplierView{}, err
		}
		apiConform = st.Conform
	}
	p := admissionProgress(a, acceptanceKey, apiConform, stoppedAt, s.now())
	v.Progress = &p
	return v, nil
}

// admissionSteps are the six steps of SPEC §2 rule 8 as the supplier reads
// them.
var admissionSteps = [6]struct{ title, text string }{
	{"Aanmelding", "U meldt zich aan als aanbieder."},
	{"Beoordeling", "Winst uit je woning toetst uw aanmelding aan de toelatingseisen."},
	{"Koppelen in test en acceptatie", "U bouwt uw koppeling met de handleiding en test die in de test- en acceptatieomgeving."},
	{"Gereed melden en test plannen", "U meldt dat uw koppeling werkt en boekt een integratietest."},
	{"Integratietest", "Winst uit je woning en u testen samen de koppeling."},
	{"Productie", "Na een geslaagde test wordt u toegelaten tot de productieomgeving."},
}

// progressStep is the step (1–6) a state puts the supplier at: the
// domain's Step, except that once the test is booked step 4 (report and
// book) is done and the test itself (step 5) is ahead.
func progressStep(st admission.State) int {
	if st == admission.TestBooked {
		return 5
	}
	return st.Step()
}

// admissionProgress is the start page's view of an application. stoppedAt
// is the step a rejected or excluded application stopped at.
func admissionProgress(a admission.Application, acceptanceKey, apiConform bool, stoppedAt int, now time.Time) supplierweb.Progress {
	p := supplierweb.Progress{
		State: string(a.State), StateLabel: a.State.Label(), Alternative: a.AlternativeReason,
		Route: a.Route().Label() + " (" + a.Platform.Label() + ")",
	}
	if a.Route() == admission.RouteCustom {
		p.Route = "Eigen API volgens de WooCommerce-structuur"
	}
	current := progressStep(a.State)
	if stoppedAt > 0 {
		current = stoppedAt
	}
	for i, def := range admissionSteps {
		st := supplierweb.Step{Number: i + 1, Title: def.title, Text: def.text, State: supplierweb.StepTodo}
		switch {
		case stoppedAt > 0 && st.Number == current:
			st.State, st.Current = supplierweb.StepStopped, true
		case a.State == admission.Production:
			st.State, st.Current = supplierweb.StepDone, st.Number == len(admissionSteps)
		case st.Number < current:
			st.State = supplierweb.StepDone
		case st.Number == current:
			st.State, st.Current = supplierweb.StepCurrent, true
		}
		p.Steps = append(p.Steps, st)
	}
	switch a.State {
	case admission.Rejected:
		p.Stopped, p.Reason = "Uw aanmelding is afgewezen.", a.DecisionReason
	case admission.Excluded:
		p.Stopped, p.Reason = "U bent uitgesloten van deelname aan het inwisselplatform.", a.DecisionReason
	}
	p.Deadline, p.DeadlineNote = deadlineInfo(a, now)
	p.Next = nextStepAction(a, acceptanceKey, apiConform)
	return p
}

// deadlineInfo is the lead-time deadline while the supplier works towards
// production, or a note why none runs (yet).
func deadlineInfo(a admission.Application, now time.Time) (*supplierweb.Deadline, string) {
	switch a.State {
	case admission.Admitted, admission.IntegrationReady, admission.TestBooked:
	default:
		return nil, ""
	}
	if a.AlternativeReason != "" {
		return nil, "Geen: er is een alternatieve koppeling afgesproken."
	}
	d, ok := a.Deadline()
	if !ok {
		if a.Route() == admission.RouteCustom {
			return nil, "De doorlooptijd van 4 weken gaat in zodra u uw eigen API ter beoordeling aanbiedt."
		}
		return nil, ""
	}
	dl := &supplierweb.Deadline{Date: components.Date(d), Overdue: a.Overdue(now), LeadTime: "2 weken na uw toelating"}
	if a.Route() == admission.RouteCustom {
		dl.LeadTime = "4 weken nadat u uw API ter beoordeling aanbood"
	}
	// Whole calendar days in Dutch time, as the date is shown.
	loc := amsterdam()
	day := func(t time.Time) time.Time {
		y, m, d := t.In(loc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	days := int(day(d).Sub(day(now)).Hours() / 24)
	switch {
	case dl.Overdue && days < 0:
		dl.Note = components.Count(-days, "dag", "dagen") + " te laat"
	case dl.Overdue:
		dl.Note = "vandaag verlopen"
	case days == 0:
		dl.Note = "vandaag"
	default:
		dl.Note = "nog " + components.Count(days, "dag", "dagen")
	}
	return dl, ""
}

// nextStepAction is what the supplier must do in its state.
func nextStepAction(a admission.Application, acceptanceKey, apiConform bool) supplierweb.NextAction {
	guide := supplierweb.Link{Href: "/koppeling/handleiding", Label: "Handleiding koppeling lezen"}
	customAPI := supplierweb.Link{Href: "/koppeling/eigen-api", Label: "Beoordeling van uw eigen API bekijken"}
	ready := &supplierweb.Link{Href: "/koppeling/gereed", Label: "Koppeling gereed melden"}
	switch a.State {
	case admission.Applied, admission.InReview:
		return supplierweb.NextAction{Kind: "wait", Title: "Wij beoordelen uw aanmelding.",
			Text: "U hoeft nu niets te doen. U krijgt per e-mail bericht zodra er een besluit is."}
	case admission.Admitted:
		more := []supplierweb.Link{guide}
		if a.Route() == admission.RouteCustom && a.APISubmittedAt != nil {
			more = append(more, customAPI)
		}
		switch {
		case a.AlternativeReason != "":
			return supplierweb.NextAction{Kind: "report-ready", Title: "Meld uw koppeling gereed",
				Text: "Er is een alternatieve koppeling afgesproken. Meld gereed zodra die werkt; daarna boekt u een integratietest.",
				Post: ready, More: more}
		case a.Route() == admission.RouteCustom && a.APISubmittedAt == nil:
			return supplierweb.NextAction{Kind: "submit-api", Title: "Bied uw eigen API ter beoordeling aan",
				Text: "Bouw uw API volgens de handleiding en bied hem aan. De doorlooptijd van 4 weken gaat in op het moment dat u hem aanbiedt.",
				Link: &supplierweb.Link{Href: "/koppeling/eigen-api", Label: "Eigen API aanbieden"}, More: more}
		case a.Route() == admission.RouteCustom && !apiConform:
			return supplierweb.NextAction{Kind: "api-review", Title: "Uw eigen API wordt beoordeeld",
				Text: "Zodra uw API conform is bevonden, maakt u een sleutel voor de acceptatieomgeving aan en meldt u uw koppeling gereed. Bekijk de bevindingen bij elke beoordeling.",
				Link: &customAPI, More: []supplierweb.Link{guide}}
		case !acceptanceKey:
			return supplierweb.NextAction{Kind: "create-key", Title: "Maak een API-sleutel voor de acceptatieomgeving aan",
				Text: "Met die sleutel test u uw koppeling in de acceptatieomgeving. Werkt alles, dan meldt u uw koppeling gereed.",
				Link: &supplierweb.Link{Href: "/koppeling/sleutels", Label: "API-sleutel aanmaken"}, More: more}
		}
		return supplierweb.NextAction{Kind: "report-ready", Title: "Meld uw koppeling gereed",
			Text: "Werkt uw koppeling in de acceptatieomgeving? Meld hem dan gereed; daarna boekt u een integratietest.",
			Post: ready, More: more}
	case admission.IntegrationReady:
		return supplierweb.NextAction{Kind: "book-test", Title: "Boek een integratietest",
			Text: "U heeft uw koppeling gereed gemeld. Kies een moment waarop u en Winst uit je woning samen de koppeling testen.",
			Link: &supplierweb.Link{Href: "/koppeling/integratietest", Label: "Integratietest boeken"}, Withdraw: true}
	case admission.TestBooked:
		// The booked moment itself is shown on the booking page, which owns it.
		return supplierweb.NextAction{Kind: "test-booked", Title: "Uw integratietest is geboekt",
			Text: "Tijdens de test voeren we samen de testgevallen uit: betalen met de pas, deels met de pas en deels met iDEAL, een bestelling bij meerdere aanbieders en een retour. U kunt de afspraak tot 24 uur van tevoren verplaatsen of annuleren.",
			Link: &supplierweb.Link{Href: "/koppeling/integratietest", Label: "Uw afspraak bekijken"}, More: []supplierweb.Link{guide}}
	case admission.Production:
		return supplierweb.NextAction{Kind: "production", Title: "U bent toegelaten tot productie",
			Text: "Uw integratietest is geslaagd. Maak een API-sleutel voor de productieomgeving aan voor uw live koppeling.",
			Link: &supplierweb.Link{Href: "/koppeling/sleutels", Label: "API-sleutels beheren"}, More: []supplierweb.Link{guide}}
	}
	return supplierweb.NextAction{Kind: "stopped", Title: "U kunt niet verder in het toelatingsproces.",
		Text: "Heeft u vragen over dit besluit? Beantwoord dan de e-mail waarin wij het besluit toelichtten."}
}
