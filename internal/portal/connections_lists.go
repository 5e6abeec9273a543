package portal

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wujw/ohis/internal/connections"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/support"
	"github.com/wujw/ohis/web/components"
	webconn "github.com/wujw/ohis/web/connections"
)

// A connection's errors, the supplier's products, and the staff views.

// connErrorCodeLabels name the sync error codes in the filter.
var connErrorCodeLabels = map[string]string{
	"unreachable": "Webshop onbereikbaar", "timeout": "Webshop reageert te traag", "tls": "Certificaatprobleem",
	"blocked_address": "Adres niet toegestaan", "auth": "Sleutels geweigerd", "no_rest": "Geen REST API",
	"not_woocommerce": "Geen WooCommerce-API", "rate_limited": "Te veel verzoeken", "server_error": "Fout in de webshop",
	"bad_response": "Onbruikbaar antwoord", "not_found": "Niet gevonden", "webhooks": "Webhooks",
	"item_malformed": "Product onleesbaar", "item_no_price": "Geen prijs", "item_bad_price": "Ongeldige prijs",
	"item_bad_stock": "Ongeldige voorraad", "item_no_name": "Geen naam", "item_orphan": "Variatie zonder product",
	"item_unsupported": "Soort product niet ondersteund", "skipped_type": "Niet verkocht via het platform",
	"empty_listing": "Lege productlijst", "internal": "Fout in OHIS", "interrupted": "Onderbroken",
	"no_connection": "Koppeling niet te openen",
}

// connErrorStates are the status filter's choices: URL value → store value.
var connErrorStates = []struct{ value, store, label string }{
	{"open", "open", "Open"}, {"opgelost", "resolved", "Opgelost"}, {"alle", "", "Alle"},
}

const connErrorsPageSize = 50

func (s *Server) connErrorsView(r *http.Request, c store.Connection, staff bool) (webconn.ErrorsView, error) {
	q := r.URL.Query()
	v := webconn.ErrorsView{Staff: staff, Health: connectionHealth(c, staff), State: "open",
		Code: q.Get("code"), Search: strings.TrimSpace(q.Get("zoek"))}
	v.Action = v.Health.ErrorsHref
	f := store.SyncErrorFilter{State: "open", Code: v.Code, Search: v.Search, Limit: connErrorsPageSize + 1}
	for _, st := range connErrorStates {
		v.States = append(v.States, webconn.Option{Value: st.value, Label: st.label})
		if q.Get("status") == st.value {
			v.State, f.State = st.value, st.store
		}
	}
	if before, ok := connQueryInt(r, "voor"); ok {
		f.BeforeID = before
	}
	codes, err := s.store.ConnectionSyncErrorCodes(r.Context(), c.ID)
	if err != nil {
		return v, err
	}
	for _, code := range codes {
		v.Codes = append(v.Codes, webconn.Option{Value: code, Label: connLabelOr(connErrorCodeLabels, code)})
	}
	rows, err := s.store.ConnectionSyncErrors(r.Context(), c.ID, f)
	if err != nil {
		return v, err
	}
	if len(rows) > connErrorsPageSize {
		rows = rows[:connErrorsPageSize]
		next := url.Values{"status": {v.State}, "voor": {strconv.FormatInt(rows[len(rows)-1].ID, 10)}}
		if v.Code != "" {
			next.Set("code", v.Code)
		}
		if v.Search != "" {
			next.Set("zoek", v.Search)
		}
		v.NextHref = v.Action + "?" + next.Encode()
	}
	for _, e := range rows {
		row := webconn.ErrorRow{At: components.DateTime(e.CreatedAt), Product: e.ProductName, ProductID: e.ProductExternalID,
			Code: e.Code, CodeLabel: connLabelOr(connErrorCodeLabels, e.Code), Message: e.Message, Resolved: e.ResolvedAt != nil, ResolvedAt: components.DateTimePtr(e.ResolvedAt)}
		if staff {
			// The technical detail is for staff only.
			row.Detail = e.Detail
		}
		v.Rows = append(v.Rows, row)
	}
	return v, nil
}

func (s *Server) connectionErrors(w http.ResponseWriter, r *http.Request) error {
	c, err := s.ownConnection(r)
	if err != nil {
		return err
	}
	v, err := s.connErrorsView(r, c, false)
	if err != nil {
		return err
	}
	return s.render(w, r, webconn.Errors(s.pageFor(r, "Fouten van de koppeling"), v))
}

func (s *Server) staffConnectionGet(r *http.Request) (store.Connection, error) {
	id, err := pathID(r)
	if err != nil {
		return store.Connection{}, err
	}
	return s.store.ConnectionGet(r.Context(), id)
}

func (s *Server) staffConnectionErrors(w http.ResponseWriter, r *http.Request) error {
	c, err := s.staffConnectionGet(r)
	if err != nil {
		return err
	}
	v, err := s.connErrorsView(r, c, true)
	if err != nil {
		return err
	}
	return s.render(w, r, webconn.Errors(s.pageFor(r, "Fouten van de koppeling"), v))
}

func (s *Server) staffConnections(w http.ResponseWriter, r *http.Request) error {
	v := webconn.StaffListView{ProblemsOnly: r.URL.Query().Get("problemen") == "1"}
	cs, err := s.store.ConnectionsAll(r.Context(), v.ProblemsOnly)
	if err != nil {
		return err
	}
	for _, c := range cs {
		v.Rows = append(v.Rows, connectionHealth(c, true))
	}
	return s.render(w, r, webconn.StaffList(s.withFlashes(w, r, s.pageFor(r, "Webshopkoppelingen")), v))
}

func (s *Server) staffConnectionShow(w http.ResponseWriter, r *http.Request) error {
	c, err := s.staffConnectionGet(r)
	if err != nil {
		return err
	}
	v, err := s.connectionDetailView(r, c, true)
	if err != nil {
		return err
	}
	return s.render(w, r, webconn.Detail(s.withFlashes(w, r, s.pageFor(r, "Webshopkoppeling van "+c.SupplierName)), v))
}

var (
	connCurationLabels = map[string]string{
		"pending": "Wacht op beoordeling", "approved": "Goedgekeurd", "rejected": "Afgewezen",
		"changed": "Gewijzigd, opnieuw ter beoordeling",
	}
	connCurationOrder    = []string{"pending", "approved", "rejected", "changed"}
	connShopStatusLabels = map[string]string{"publish": "Gepubliceerd", "draft": "Concept", "pending": "Wacht op controle", "private": "Privé"}
	connStockLabels      = map[string]string{"instock": "Op voorraad", "outofstock": "Niet op voorraad", "onbackorder": "Nabestelling"}
)

const connProductsPageSize = 50

func connEUR(c int64) string { return support.FormatEUR(support.Cents(c)) }

// connProductRow is how a supplier reads one of its products.
func connProductRow(p store.SupplierProduct) webconn.ProductRow {
	row := webconn.ProductRow{
		Name: p.Name, Permalink: p.Permalink, SKU: p.SKU, Type: "Enkelvoudig", ShopStatus: connLabelOr(connShopStatusLabels, p.ShopStatus),
		Published: p.ShopStatus == "publish", Deleted: p.DeletedAt != nil, Environment: connections.EnvironmentLabel(p.Environment),
		Curation: p.CurationStatus, CurationLabel: connLabelOr(connCurationLabels, p.CurationStatus), Price: "Geen prijs",
	}
	if p.Type == "variable" {
		row.Type = "Variabel (" + components.Count(p.VariantCount, "variant", "varianten") + ")"
	}
	if p.PriceCents != nil {
		row.Price = connEUR(*p.PriceCents)
		if p.Type == "variable" {
			row.Price = "vanaf " + row.Price
		} else if p.SalePriceCents != nil && *p.SalePriceCents == *p.PriceCents && p.RegularPriceCents != nil && *p.RegularPriceCents != *p.PriceCents {
			row.PriceNote = "aanbieding, normaal " + connEUR(*p.RegularPriceCents)
		}
	}
	switch {
	case p.ManageStock && p.StockQuantity != nil:
		row.Stock = webconn.Number(*p.StockQuantity) + " stuks"
		if p.StockStatus != "instock" {
			row.Stock += " (" + strings.ToLower(connLabelOr(connStockLabels, p.StockStatus)) + ")"
		}
	default:
		row.Stock = connLabelOr(connStockLabels, p.StockStatus)
	}
	if p.CurationStatus == "rejected" {
		reason := p.CurationReasonLabel
		if p.CurationReasonText != "" {
			if reason != "" {
				reason += ": "
			}
			reason += p.CurationReasonText
		}
		row.CurationReason = reason
	}
	return row
}

func (s *Server) supplierProducts(w http.ResponseWriter, r *http.Request) error {
	supplierID, err := connectionSupplierID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	q := r.URL.Query()
	v := webconn.ProductsView{Search: strings.TrimSpace(q.Get("zoek")), ShowDeleted: q.Get("verwijderd") == "1"}
	f := store.SupplierProductFilter{Search: v.Search, HideDeleted: !v.ShowDeleted, Limit: connProductsPageSize + 1}
	cs, err := s.store.ConnectionsBySupplier(ctx, supplierID)
	if err != nil {
		return err
	}
	for _, c := range cs {
		id := strconv.FormatInt(c.ID, 10)
		v.Connections = append(v.Connections, webconn.Option{Value: id, Label: connectionLabel(c.Environment, c.Platform, c.BaseURL)})
		if q.Get("koppeling") == id {
			// Only the supplier's own connections can be chosen.
			v.Connection, f.ConnectionID = id, &c.ID
		}
	}
	for _, st := range connCurationOrder {
		v.Curations = append(v.Curations, webconn.Option{Value: st, Label: connCurationLabels[st]})
		if q.Get("beoordeling") == st {
			v.Curation, f.Curation = st, st
		}
	}
	if name, ok := q["na_naam"]; ok {
		if after, ok := connQueryInt(r, "na_id"); ok {
			f.AfterName, f.AfterID = &name[0], after
		}
	}
	rows, err := s.store.SupplierProducts(ctx, supplierID, f)
	if err != nil {
		return err
	}
	if v.Total, v.Live, err = s.store.SupplierProductCounts(ctx, supplierID, f.ConnectionID); err != nil {
		return err
	}
	filter := url.Values{}
	for k, val := range map[string]string{"koppeling": v.Connection, "zoek": v.Search, "beoordeling": v.Curation} {
		if val != "" {
			filter.Set(k, val)
		}
	}
	if v.ShowDeleted {
		filter.Set("verwijderd", "1")
	}
	if f.AfterName != nil {
		v.FirstHref = "/producten?" + filter.Encode()
	}
	if len(rows) > connProductsPageSize {
		rows = rows[:connProductsPageSize]
		last := rows[len(rows)-1]
		next := url.Values{}
		for k, val := range filter {
			next[k] = val
		}
		next.Set("na_naam", last.Name)
		next.Set("na_id", strconv.FormatInt(last.ID, 10))
		v.NextHref = "/producten?" + next.Encode()
	}
	for _, p := range rows {
		v.Rows = append(v.Rows, connProductRow(p))
	}
	return s.render(w, r, webconn.Products(s.withFlashes(w, r, s.pageFor(r, "Producten")), v))
}
