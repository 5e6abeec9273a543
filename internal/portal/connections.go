package portal

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/connections"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/web/components"
	webconn "github.com/wujw/ohis/web/connections"
)

// Webshop connections (issue 4): suppliers add, test, sync and remove their
// connections; staff look on. A supplier's connection is always looked up
// through the session's supplier: another supplier's id is a 404.

// registerConnectionRoutes registers the routes of this area (see routes.go).
func (s *Server) registerConnectionRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /koppelingen", s.connectionsList, suppliers...)
	s.handle(mux, "GET /koppelingen/nieuw", s.connectionNew, suppliers...)
	s.handle(mux, "POST /koppelingen", s.connectionCreate, suppliers...)
	s.handle(mux, "GET /koppelingen/{id}", s.connectionShow, suppliers...)
	s.handle(mux, "GET /koppelingen/{id}/voortgang", s.connectionProgress, suppliers...)
	s.handle(mux, "POST /koppelingen/{id}/testen", s.connectionCheck, suppliers...)
	s.handle(mux, "POST /koppelingen/{id}/synchroniseren", s.connectionSyncNow, suppliers...)
	s.handle(mux, "POST /koppelingen/{id}/sleutels", s.connectionCredentials, suppliers...)
	s.handle(mux, "POST /koppelingen/{id}/pauzeren", s.connectionPause, suppliers...)
	s.handle(mux, "POST /koppelingen/{id}/hervatten", s.connectionResume, suppliers...)
	s.handle(mux, "GET /koppelingen/{id}/verwijderen", s.connectionDeleteForm, suppliers...)
	s.handle(mux, "POST /koppelingen/{id}/verwijderen", s.connectionDelete, suppliers...)
	s.handle(mux, "GET /koppelingen/{id}/fouten", s.connectionErrors, suppliers...)
	s.handle(mux, "GET /producten", s.supplierProducts, suppliers...)

	// Staff: read-only, with the technical detail of errors.
	s.handle(mux, "GET /beheer/koppelingen", s.staffConnections, adminsAndSupport...)
	s.handle(mux, "GET /beheer/koppelingen/{id}", s.staffConnectionShow, adminsAndSupport...)
	s.handle(mux, "GET /beheer/koppelingen/{id}/voortgang", s.staffConnectionProgress, adminsAndSupport...)
	s.handle(mux, "GET /beheer/koppelingen/{id}/fouten", s.staffConnectionErrors, adminsAndSupport...)
}

// connectionSupplierID is the logged-in supplier user's organisation.
func connectionSupplierID(r *http.Request) (int64, error) {
	u := currentUser(r)
	if u == nil || u.SupplierID == nil {
		return 0, errForbidden
	}
	return *u.SupplierID, nil
}

// ownConnection is the connection in the path if it is the session's
// supplier's; any other id is not found.
func (s *Server) ownConnection(r *http.Request) (store.Connection, error) {
	supplierID, err := connectionSupplierID(r)
	if err != nil {
		return store.Connection{}, err
	}
	id, err := pathID(r)
	if err != nil {
		return store.Connection{}, err
	}
	return s.conns.Get(r.Context(), supplierID, id)
}

func (s *Server) connectionsList(w http.ResponseWriter, r *http.Request) error {
	supplierID, err := connectionSupplierID(r)
	if err != nil {
		return err
	}
	cs, err := s.store.ConnectionsBySupplier(r.Context(), supplierID)
	if err != nil {
		return err
	}
	v := webconn.ListView{CanAdd: len(cs) < len(admission.Environments)}
	var incidents []webconn.Incident
	for _, c := range cs {
		h := connectionHealth(c, false)
		v.Rows = append(v.Rows, h)
		if h.Incident != nil {
			incidents = append(incidents, *h.Incident)
		}
	}
	return s.render(w, r, webconn.List(s.withFlashes(w, r, s.pageFor(r, "Webshopkoppelingen")), v, incidents))
}

// connectionNewView is the add form with the values as typed and their
// messages.
func (s *Server) connectionNewView(r *http.Request, in connections.Input, errs components.Errors) (webconn.NewView, error) {
	supplierID, err := connectionSupplierID(r)
	if err != nil {
		return webconn.NewView{}, err
	}
	a, hasApp, err := s.ownApplication(r)
	if err != nil {
		return webconn.NewView{}, err
	}
	existing, err := s.store.ConnectionsBySupplier(r.Context(), supplierID)
	if err != nil {
		return webconn.NewView{}, err
	}
	taken := map[string]bool{}
	for _, c := range existing {
		taken[c.Environment] = true
	}
	if in.Environment == "" && len(errs) == 0 {
		for _, env := range admission.Environments {
			if !taken[string(env)] && (env != admission.EnvProduction || a.State == admission.Production) {
				in.Environment = string(env)
				break
			}
		}
	}
	if in.Platform == "" && len(errs) == 0 {
		in.Platform = connections.PlatformWooCommerce
		if hasApp && a.Route() == admission.RouteCustom {
			in.Platform = connections.PlatformCustom
		}
	}
	v := webconn.NewView{
		Environment: in.Environment, Platform: in.Platform,
		EnvError: errs[connections.FieldEnvironment], PlatformErr: errs[connections.FieldPlatform],
		ShopURL: components.Field{Name: connections.FieldShopURL, Label: "Adres van uw webshop", Type: "url", Value: in.ShopURL,
			Error: errs[connections.FieldShopURL], Required: true, Autocomplete: "url",
			Hint: "Bij WooCommerce het adres van de winkel, bijvoorbeeld https://www.uwwinkel.nl. Bij een eigen API het basisadres van de API, bijvoorbeeld https://api.uwwinkel.nl/wp-json/wc/v3."},
		Key: components.Field{Name: connections.FieldKey, Label: "Consumer key", Value: in.Key, Error: errs[connections.FieldKey],
			Required: true, Autocomplete: "off", Hint: "Bij WooCommerce: begint met ck_."},
		Secret: components.Field{Name: connections.FieldSecret, Label: "Consumer secret", Type: "password",
			Error: errs[connections.FieldSecret], Required: true, Autocomplete: "off", Hint: "Bij WooCommerce: begint met cs_."},
		Errors: errs.Summary(connections.FieldEnvironment, connections.FieldPlatform, connections.FieldShopURL,
			connections.FieldKey, connections.FieldSecret),
	}
	for _, env := range admission.Environments {
		o := webconn.Option{Value: string(env), Label: env.Label()}
		switch {
		case taken[string(env)]:
			o.Hint = "U heeft hier al een koppeling."
		case env == admission.EnvProduction && a.State != admission.Production:
			o.Hint = "Beschikbaar zodra u na een geslaagde integratietest bent toegelaten tot productie."
		}
		v.Environments = append(v.Environments, o)
	}
	for _, p := range s.conns.PlatformOptions() {
		v.Platforms = append(v.Platforms, webconn.Option{Value: p.Value, Label: p.Label, Disabled: p.Soon})
	}
	return v, nil
}

func (s *Server) connectionNew(w http.ResponseWriter, r *http.Request) error {
	v, err := s.connectionNewView(r, connections.Input{}, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, webconn.New(s.withFlashes(w, r, s.pageFor(r, "Koppeling toevoegen")), v))
}

func (s *Server) connectionCreate(w http.ResponseWriter, r *http.Request) error {
	supplierID, err := connectionSupplierID(r)
	if err != nil {
		return err
	}
	in := connections.Input{
		Environment: r.PostFormValue(connections.FieldEnvironment), Platform: r.PostFormValue(connections.FieldPlatform),
		ShopURL: r.PostFormValue(connections.FieldShopURL), Key: r.PostFormValue(connections.FieldKey),
		Secret: r.PostFormValue(connections.FieldSecret),
	}
	id, err := s.conns.Create(r.Context(), supplierID, s.actor(r), in)
	var fe connections.FieldErrors
	var na connections.ErrNotAllowed
	switch {
	case errors.As(err, &fe):
		v, verr := s.connectionNewView(r, in, components.Errors(fe))
		if verr != nil {
			return verr
		}
		return s.renderStatus(w, r, http.StatusUnprocessableEntity, webconn.New(s.pageFor(r, "Koppeling toevoegen"), v))
	case errors.As(err, &na):
		v, verr := s.connectionNewView(r, in, components.Errors{})
		if verr != nil {
			return verr
		}
		v.Refused = na.Reason
		return s.renderStatus(w, r, http.StatusUnprocessableEntity, webconn.New(s.pageFor(r, "Koppeling toevoegen"), v))
	case err != nil:
		return err
	}
	s.flash(w, r, "success", "De koppeling is toegevoegd. OHIS registreert zijn webhooks in uw webshop en leest nu de hele catalogus.")
	return redirect(w, r, connectionHref(id, false)+"?na=0")
}

// connShopWebhookLabels name the shop's webhook statuses (WooCommerce's).
var connShopWebhookLabels = map[string]string{"active": "Actief", "paused": "Gepauzeerd", "disabled": "Uitgeschakeld"}

// connectionDetailView is a connection's page.
func (s *Server) connectionDetailView(r *http.Request, c store.Connection, staff bool) (webconn.DetailView, error) {
	ctx := r.Context()
	runs, err := s.store.ConnectionRuns(ctx, c.ID, 20)
	if err != nil {
		return webconn.DetailView{}, err
	}
	hooks, err := s.store.ConnectionWebhooks(ctx, c.ID)
	if err != nil {
		return webconn.DetailView{}, err
	}
	_, live, err := s.store.SupplierProductCounts(ctx, c.SupplierID, &c.ID)
	if err != nil {
		return webconn.DetailView{}, err
	}
	v := webconn.DetailView{
		Staff: staff, Health: connectionHealth(c, staff), Runs: connRunsView(runs), KeyHint: c.CredentialsHint, Products: live,
		Key: components.Field{Name: connections.FieldKey, Label: "Nieuwe consumer key", Autocomplete: "off",
			Hint: "Laat leeg om de huidige te houden."},
		Secret: components.Field{Name: connections.FieldSecret, Label: "Nieuw consumer secret", Type: "password", Autocomplete: "off",
			Hint: "Laat leeg om het huidige te houden."},
	}
	if len(runs) > 0 && runs[0].Outcome == "failed" && (c.FailingSince != nil || c.AuthFailed) {
		v.Health.LastErrorText = runs[0].ErrorMessage
	}
	for _, h := range hooks {
		v.Webhooks = append(v.Webhooks, webconn.Webhook{Topic: h.Topic, Status: connLabelOr(connShopWebhookLabels, h.Status)})
	}
	v.Progress = s.progressState(r, c, runs, staff)
	return v, nil
}

func (s *Server) connectionShow(w http.ResponseWriter, r *http.Request) error {
	c, err := s.ownConnection(r)
	if err != nil {
		return err
	}
	v, err := s.connectionDetailView(r, c, false)
	if err != nil {
		return err
	}
	return s.render(w, r, webconn.Detail(s.withFlashes(w, r, s.pageFor(r, "Webshopkoppeling")), v))
}

// connectionCheck runs "Verbinding testen" and shows every step on the
// connection's page (not a redirect: the result is not stored).
func (s *Server) connectionCheck(w http.ResponseWriter, r *http.Request) error {
	c, err := s.ownConnection(r)
	if err != nil {
		return err
	}
	report, err := s.conns.Check(r.Context(), c.SupplierID, c.ID)
	if err != nil {
		return err
	}
	if report.Err == nil {
		// The check stored what it learned about the shop.
		if c, err = s.conns.Get(r.Context(), c.SupplierID, c.ID); err != nil {
			return err
		}
	}
	v, err := s.connectionDetailView(r, c, false)
	if err != nil {
		return err
	}
	res := webconn.CheckResult{OK: report.Err == nil, Summary: "de verbinding werkt"}
	if !res.OK {
		res.Summary = "de verbinding werkt niet"
	}
	for _, st := range report.Steps {
		res.Steps = append(res.Steps, webconn.CheckStep{Name: st.Name, OK: st.OK, Message: st.Message})
	}
	if !res.OK && len(res.Steps) == 0 {
		res.Steps = []webconn.CheckStep{{Name: "Verbinding", Message: report.Err.Message}}
	}
	v.Check = &res
	return s.render(w, r, webconn.Detail(s.pageFor(r, "Webshopkoppeling"), v))
}

// connectionDone finishes an action: a Dutch refusal re-renders the page
// with the reason; success flashes and goes back to the connection.
func (s *Server) connectionDone(w http.ResponseWriter, r *http.Request, c store.Connection, err error, success, to string) error {
	var na connections.ErrNotAllowed
	switch {
	case errors.As(err, &na):
		v, verr := s.connectionDetailView(r, c, false)
		if verr != nil {
			return verr
		}
		v.Refused = na.Reason
		return s.renderStatus(w, r, http.StatusUnprocessableEntity, webconn.Detail(s.pageFor(r, "Webshopkoppeling"), v))
	case err != nil:
		return err
	}
	s.flash(w, r, "success", success)
	return redirect(w, r, to)
}

// latestRunID is the id of a connection's newest run, 0 when none.
func (s *Server) latestRunID(r *http.Request, connectionID int64) (int64, error) {
	run, err := s.store.ConnectionLatestRun(r.Context(), connectionID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	return run.ID, err
}

func (s *Server) connectionSyncNow(w http.ResponseWriter, r *http.Request) error {
	c, err := s.ownConnection(r)
	if err != nil {
		return err
	}
	before, err := s.latestRunID(r, c.ID)
	if err != nil {
		return err
	}
	full := r.PostFormValue("volledig") == "1"
	err = s.conns.SyncNow(r.Context(), c.SupplierID, c.ID, s.actor(r), full)
	msg := "De synchronisatie is aangevraagd; hieronder ziet u de voortgang."
	if full {
		msg = "OHIS leest de hele catalogus opnieuw in; hieronder ziet u de voortgang."
	}
	return s.connectionDone(w, r, c, err, msg, connectionHref(c.ID, false)+"?na="+strconv.FormatInt(before, 10))
}

func (s *Server) connectionCredentials(w http.ResponseWriter, r *http.Request) error {
	c, err := s.ownConnection(r)
	if err != nil {
		return err
	}
	in := connections.CredentialsInput{Key: r.PostFormValue(connections.FieldKey), Secret: r.PostFormValue(connections.FieldSecret)}
	before, err := s.latestRunID(r, c.ID)
	if err != nil {
		return err
	}
	err = s.conns.UpdateCredentials(r.Context(), c.SupplierID, c.ID, s.actor(r), in)
	var fe connections.FieldErrors
	if errors.As(err, &fe) {
		v, verr := s.connectionDetailView(r, c, false)
		if verr != nil {
			return verr
		}
		errs := components.Errors(fe)
		v.Key.Value, v.Key.Error, v.Secret.Error = in.Key, errs[connections.FieldKey], errs[connections.FieldSecret]
		v.CredsErrs = errs.Summary(connections.FieldKey, connections.FieldSecret)
		return s.renderStatus(w, r, http.StatusUnprocessableEntity, webconn.Detail(s.pageFor(r, "Webshopkoppeling"), v))
	}
	return s.connectionDone(w, r, c, err, "De nieuwe sleutels zijn opgeslagen. OHIS synchroniseert er nu mee.",
		connectionHref(c.ID, false)+"?na="+strconv.FormatInt(before, 10))
}

func (s *Server) connectionPause(w http.ResponseWriter, r *http.Request) error {
	c, err := s.ownConnection(r)
	if err != nil {
		return err
	}
	err = s.conns.SetPaused(r.Context(), c.SupplierID, c.ID, s.actor(r), true)
	return s.connectionDone(w, r, c, err, "Automatisch synchroniseren is gepauzeerd. Webhooks en “Nu synchroniseren” werken nog.",
		connectionHref(c.ID, false))
}

func (s *Server) connectionResume(w http.ResponseWriter, r *http.Request) error {
	c, err := s.ownConnection(r)
	if err != nil {
		return err
	}
	err = s.conns.SetPaused(r.Context(), c.SupplierID, c.ID, s.actor(r), false)
	return s.connectionDone(w, r, c, err, "OHIS synchroniseert weer automatisch.", connectionHref(c.ID, false))
}

func (s *Server) connectionDeleteView(r *http.Request, c store.Connection) (webconn.DeleteView, error) {
	_, live, err := s.store.SupplierProductCounts(r.Context(), c.SupplierID, &c.ID)
	return webconn.DeleteView{Health: connectionHealth(c, false), Products: live}, err
}

func (s *Server) connectionDeleteForm(w http.ResponseWriter, r *http.Request) error {
	c, err := s.ownConnection(r)
	if err != nil {
		return err
	}
	v, err := s.connectionDeleteView(r, c)
	if err != nil {
		return err
	}
	return s.render(w, r, webconn.Delete(s.pageFor(r, "Koppeling verwijderen"), v))
}

func (s *Server) connectionDelete(w http.ResponseWriter, r *http.Request) error {
	c, err := s.ownConnection(r)
	if err != nil {
		return err
	}
	if r.PostFormValue("bevestig") != "ja" {
		v, err := s.connectionDeleteView(r, c)
		if err != nil {
			return err
		}
		v.Error = "Vink aan dat u begrijpt dat de producten van deze koppeling uit OHIS verdwijnen."
		return s.renderStatus(w, r, http.StatusUnprocessableEntity, webconn.Delete(s.pageFor(r, "Koppeling verwijderen"), v))
	}
	if err := s.conns.Delete(r.Context(), c.SupplierID, c.ID, s.actor(r)); err != nil {
		return err
	}
	s.flash(w, r, "success", "De koppeling "+connectionLabel(c.Environment, c.Platform, c.BaseURL)+" is verwijderd.")
	return redirect(w, r, "/koppelingen")
}
