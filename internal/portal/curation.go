package portal

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/curation"
	"github.com/wujw/ohis/internal/store"
	webcuration "github.com/wujw/ohis/web/curation"
)

// curators: who decides which synced products appear (SPEC §1); admins
// may too.
var curators = []account.Role{account.RoleAdmin, account.RoleCurator}

// registerCurationRoutes registers the routes of this area (see routes.go).
func (s *Server) registerCurationRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /beheer/curatie", s.curationQueue, curators...)
	s.handle(mux, "GET /beheer/curatie/{id}", s.curationProduct, curators...)
	s.handle(mux, "POST /beheer/curatie/{id}/goedkeuren", s.curationApprove, curators...)
	s.handle(mux, "POST /beheer/curatie/{id}/afwijzen", s.curationReject, curators...)
	s.handle(mux, "POST /beheer/curatie/bulk", s.curationBulkStart, curators...)
	s.handle(mux, "GET /beheer/curatie/bulk/{id}", s.curationBulkShow, curators...)
	s.handle(mux, "GET /beheer/curatie/instellingen", s.curationSettings, curators...)
	s.handle(mux, "POST /beheer/curatie/instellingen", s.curationSettingsSave, curators...)
	s.handle(mux, "POST /beheer/curatie/redenen", s.curationReasonAdd, curators...)
	s.handle(mux, "POST /beheer/curatie/redenen/{id}/actief", s.curationReasonToggle, curators...)
	s.handle(mux, "GET /beheer/categorieen", s.categoriesPage, curators...)
	s.handle(mux, "POST /beheer/categorieen", s.categoryCreate, curators...)
	s.handle(mux, "POST /beheer/categorieen/{id}", s.categoryUpdate, curators...)
	s.handle(mux, "POST /beheer/categorieen/{id}/verwijderen", s.categoryDelete, curators...)
	s.handle(mux, "GET /beheer/categorieen/koppelen", s.categorySupplierMapping, curators...)
	s.handle(mux, "POST /beheer/categorieen/koppelingen", s.categoryMap, curators...)
}

// Dutch names of curation statuses and environments.
var (
	curationStatusLabels = map[string]string{
		store.CurationPending: "Nieuw", store.CurationChanged: "Gewijzigd",
		store.CurationApproved: "Goedgekeurd", store.CurationRejected: "Afgewezen",
	}
	environmentLabels = map[string]string{"test": "Test", "acceptance": "Acceptatie", "production": "Productie"}
	stockLabels       = map[string]string{"instock": "Op voorraad", "outofstock": "Uitverkocht", "onbackorder": "Na te bestellen"}
)

func environmentLabel(env string) string {
	if l, ok := environmentLabels[env]; ok {
		return l
	}
	return env
}

// allowShopImages widens the page's Content-Security-Policy for images:
// product images live on the suppliers' shops. Scripts and styles stay
// our own. Plain http is allowed only outside production (local demo
// shops).
func (s *Server) allowShopImages(w http.ResponseWriter) {
	sources := "img-src 'self' data: https:"
	if !s.cfg.Secure() {
		sources += " http:"
	}
	w.Header().Set("Content-Security-Policy", strings.Replace(contentSecurityPolicy, "img-src 'self' data:", sources, 1))
}

// curationBack is where "back to the list" goes: a queue URL from the
// form or link, never anywhere else.
func curationBack(v string) string {
	if strings.HasPrefix(v, "/beheer/curatie") && !strings.HasPrefix(v, "/beheer/curatie/") && safeNext(v) == v {
		return v
	}
	return "/beheer/curatie"
}

func euro(c *int64) string {
	if c == nil {
		return "—"
	}
	return curation.FormatEUR(*c)
}

// refusal reports a domain refusal as its Dutch text.
func refusal(err error) (string, bool) {
	var r curation.Refused
	if errors.As(err, &r) {
		return r.Reason, true
	}
	return "", false
}

func formID(r *http.Request, name string) int64 {
	id, err := strconv.ParseInt(strings.TrimSpace(r.FormValue(name)), 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}

// reasonOptions lists the active rejection reasons for a select.
func (s *Server) reasonOptions(r *http.Request, selected int64) ([]webcuration.Option, error) {
	reasons, err := s.store.RejectionReasons(r.Context())
	if err != nil {
		return nil, err
	}
	var out []webcuration.Option
	for _, rs := range reasons {
		if rs.Active {
			out = append(out, webcuration.Option{Value: strconv.FormatInt(rs.ID, 10), Label: rs.Label, Selected: rs.ID == selected})
		}
	}
	return out, nil
}

// curatorHomeWork is the curator's block on the start page.
func (s *Server) curatorHomeWork(r *http.Request) (templ.Component, error) {
	pending, changed, err := s.store.CurationQueueStats(r.Context())
	if err != nil {
		return nil, err
	}
	return webcuration.HomeWork(pending, changed), nil
}
