package portal

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"github.com/wujw/ohis/internal/catalog"
	"github.com/wujw/ohis/internal/curation"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/web/components"
	webcuration "github.com/wujw/ohis/web/curation"
)

func curationProductHref(id int64, back string) string {
	h := "/beheer/curatie/" + strconv.FormatInt(id, 10)
	if back != "" && back != "/beheer/curatie" {
		h += "?terug=" + url.QueryEscape(back)
	}
	return h
}

// reviewForm is what the decision forms post back when a decision is
// refused, to show it again.
type reviewForm struct {
	reasonID int64
	text     string
	errs     components.Errors
	stale    string
}

func (s *Server) curationProduct(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.renderReview(w, r, id, curationBack(r.URL.Query().Get("terug")), http.StatusOK, reviewForm{})
}

func (s *Server) renderReview(w http.ResponseWriter, r *http.Request, id int64, back string, status int, form reviewForm) error {
	ctx := r.Context()
	p, err := s.store.CurationProductGet(ctx, id)
	if err != nil {
		return err
	}
	c, err := s.store.ProductCurationGet(ctx, id)
	if err != nil {
		return err
	}
	variants, err := s.store.CurationVariants(ctx, id)
	if err != nil {
		return err
	}
	// Category names for the product now and for what was approved.
	catIDs := slices.Clone(p.CategoryIDs)
	if c.Approved != nil {
		catIDs = append(catIDs, c.Approved.CategoryIDs...)
	}
	catNames, err := s.store.CatalogCategoryNames(ctx, p.ConnectionID, catIDs)
	if err != nil {
		return err
	}
	brandNames, err := s.store.CatalogBrandNames(ctx, p.ConnectionID, p.BrandIDs)
	if err != nil {
		return err
	}
	history, err := s.store.CurationHistory(ctx, id)
	if err != nil {
		return err
	}
	v := webcuration.ProductView{
		ID: id, Name: p.Name, Status: c.Status, StatusLabel: curationStatusLabels[c.Status], Version: c.Version,
		Supplier: p.SupplierName, Environment: environmentLabel(p.Environment), Permalink: safeImageURL(p.Permalink),
		Deleted: p.DeletedAt != nil, Back: back, ReasonText: form.text, Stale: form.stale,
		ApproveURL: templ.SafeURL(fmt.Sprintf("/beheer/curatie/%d/goedkeuren", id)),
		RejectURL:  templ.SafeURL(fmt.Sprintf("/beheer/curatie/%d/afwijzen", id)),
		Errors:     form.errs.Summary("reden", "toelichting"),
	}
	if v.Reasons, err = s.reasonOptions(r, form.reasonID); err != nil {
		return err
	}
	if c.DecidedAt != nil {
		who := cmp.Or(c.DecidedByEmail, "onbekend")
		v.Decision = fmt.Sprintf("Laatste besluit: %s op %s door %s.", strings.ToLower(curationStatusLabels[c.Status]), components.DateTimePtr(c.DecidedAt), who)
		if c.Status == store.CurationChanged {
			v.Decision = fmt.Sprintf("Goedgekeurd op %s door %s; daarna gewijzigd op %s.", components.DateTimePtr(c.DecidedAt), who, components.DateTimePtr(c.ChangedAt))
		}
	}
	if c.Status == store.CurationRejected && c.ReasonLabel != "" {
		v.Reason = c.ReasonLabel
		if c.ReasonText != "" {
			v.Reason += ": " + c.ReasonText
		}
	}
	if c.Status == store.CurationChanged {
		if c.ChangeSummary != "" {
			v.ChangeSummary = strings.Split(c.ChangeSummary, "\n")
		}
		if c.Approved != nil {
			v.Diff = snapshotDiff(*c.Approved, p.Current, catNames)
		}
	}
	v.Facts = productFacts(p, catNames, brandNames)
	for _, img := range p.Images {
		if src := safeImageURL(img.Src); src != "" {
			v.Images = append(v.Images, webcuration.ImageView{Src: src, Alt: img.Alt})
		}
	}
	for _, a := range p.Attributes {
		v.Attributes = append(v.Attributes, webcuration.Fact{Label: a.Name, Value: strings.Join(a.Options, ", ")})
	}
	for _, vr := range variants {
		v.Variants = append(v.Variants, variantRow(vr))
	}
	if short := curation.SafeHTML(p.ShortDescription); strings.TrimSpace(short) != "" {
		v.ShortHTML, v.HasShort = templ.Raw(short), true
	}
	if desc := curation.SafeHTML(p.Description); strings.TrimSpace(desc) != "" {
		v.DescHTML, v.HasDesc = templ.Raw(desc), true
	}
	for _, e := range history {
		row := auditRow(e)
		v.History = append(v.History, webcuration.HistoryRow{At: row.At, Actor: row.Actor, Action: row.Action, Detail: historyDetail(e.Detail)})
	}
	s.allowShopImages(w)
	return s.renderStatus(w, r, status, webcuration.Product(s.withFlashes(w, r, s.pageFor(r, p.Name)), v))
}

// historyDetail is an audit entry's detail as a product's history shows
// it: the reason, the changes, a bulk's number.
func historyDetail(d map[string]string) string {
	var parts []string
	if v := d["reason"]; v != "" {
		parts = append(parts, "Reden: "+v)
	}
	if v := d["changes"]; v != "" {
		parts = append(parts, v)
	}
	if v := d["bulk"]; v != "" {
		parts = append(parts, "Bulkbesluit "+v)
	}
	return strings.Join(parts, "\n")
}

func stockText(st catalog.Stock) string {
	label := cmp.Or(stockLabels[string(st.Status)], string(st.Status))
	if st.Managed && st.Quantity != nil {
		label += fmt.Sprintf(" (%d stuks)", *st.Quantity)
	}
	if st.Backorders == catalog.BackordersYes || st.Backorders == catalog.BackordersNotify {
		label += ", nabestellen toegestaan"
	}
	return label
}

func productFacts(p store.CurationProduct, catNames, brandNames map[string]string) []webcuration.Fact {
	names := func(ids []string, m map[string]string) string {
		var out []string
		for _, id := range ids {
			out = append(out, cmp.Or(m[id], "#"+id))
		}
		if len(out) == 0 {
			return "—"
		}
		return strings.Join(out, ", ")
	}
	typ := "Enkelvoudig"
	if p.Type == "variable" {
		typ = "Variabel (met varianten)"
	}
	shopStatus := p.ShopStatus
	if p.ShopStatus == catalog.ShopStatusPublished {
		shopStatus = "Gepubliceerd"
	}
	price := euro(p.PriceCents)
	if p.Type != "variable" && p.Price.SaleCents != nil && p.Price.RegularCents != nil {
		price += " (normaal " + euro(p.Price.RegularCents) + ", actie " + euro(p.Price.SaleCents) + saleWindow(p.Price) + ")"
	}
	if p.Type == "variable" {
		price = "vanaf " + price
	}
	facts := []webcuration.Fact{
		{Label: "Prijs", Value: price},
		{Label: "Voorraad", Value: stockText(p.Stock)},
		{Label: "SKU", Value: cmp.Or(p.SKU, "—")},
		{Label: "Soort", Value: typ},
		{Label: "Status in de webshop", Value: shopStatus},
		{Label: "Platformcategorie", Value: cmp.Or(p.PlatformCategoryName, "nog geen (koppel de categorie van de aanbieder)")},
		{Label: "Categorieën van de aanbieder", Value: names(p.CategoryIDs, catNames)},
		{Label: "Merk", Value: names(p.BrandIDs, brandNames)},
		{Label: "Nummer in de webshop", Value: p.ExternalID},
		{Label: "Eerst gezien", Value: components.DateTime(p.FirstSeenAt)},
		{Label: "Laatst bijgewerkt", Value: components.DateTime(p.UpdatedAt)},
	}
	return facts
}

func saleWindow(p catalog.Price) string {
	switch {
	case p.SaleFrom != nil && p.SaleTo != nil:
		return " van " + components.Date(*p.SaleFrom) + " tot " + components.Date(*p.SaleTo)
	case p.SaleTo != nil:
		return " tot " + components.Date(*p.SaleTo)
	case p.SaleFrom != nil:
		return " vanaf " + components.Date(*p.SaleFrom)
	}
	return ""
}

func variantRow(v store.CurationVariant) webcuration.VariantRow {
	var opts []string
	for _, o := range v.Options {
		opts = append(opts, o.Name+": "+o.Option)
	}
	row := webcuration.VariantRow{
		Options: cmp.Or(strings.Join(opts, ", "), "#"+v.ExternalID), SKU: v.SKU, Price: euro(v.PriceCents),
		Stock: stockText(v.Stock), ShopStatus: v.ShopStatus, Deleted: v.Deleted,
	}
	if v.Price.SaleCents != nil {
		row.SalePrice = euro(v.Price.SaleCents) + saleWindow(v.Price)
	}
	if v.Image != nil {
		row.Image = safeImageURL(v.Image.Src)
	}
	return row
}

// snapshotDiff sets what was approved beside the product now.
func snapshotDiff(old, cur store.CurationSnapshot, catNames map[string]string) []webcuration.DiffRow {
	cats := func(ids []string) []string {
		out := make([]string, 0, len(ids))
		for _, id := range ids {
			out = append(out, cmp.Or(catNames[id], "#"+id))
		}
		sort.Strings(out)
		return out
	}
	variants := func(vs []store.SnapshotVariant) []string {
		out := make([]string, 0, len(vs))
		for _, v := range vs {
			name := cmp.Or(v.Label, v.SKU, "#"+v.ExternalID)
			out = append(out, name+" — "+euro(v.PriceCents))
		}
		return out
	}
	rows := []webcuration.DiffRow{
		{Label: "Naam", Approved: []string{old.Name}, Current: []string{cur.Name}},
		{Label: "Prijs", Approved: []string{euro(old.PriceCents)}, Current: []string{euro(cur.PriceCents)}},
		{Label: "Categorieën van de aanbieder", Approved: cats(old.CategoryIDs), Current: cats(cur.CategoryIDs)},
	}
	if len(old.Variants) > 0 || len(cur.Variants) > 0 {
		rows = append(rows, webcuration.DiffRow{Label: "Varianten", Approved: variants(old.Variants), Current: variants(cur.Variants)})
	}
	for i := range rows {
		rows[i].Changed = !slices.Equal(rows[i].Approved, rows[i].Current)
	}
	return rows
}

func (s *Server) curationApprove(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	back := curationBack(r.PostFormValue("terug"))
	version, _ := strconv.ParseInt(r.PostFormValue("versie"), 10, 64)
	err = s.curation.Approve(r.Context(), s.actor(r), id, version)
	if msg, ok := refusal(err); ok {
		return s.renderReview(w, r, id, back, http.StatusConflict, reviewForm{stale: msg})
	}
	if err != nil {
		return err
	}
	s.flash(w, r, "success", "Product goedgekeurd.")
	return redirect(w, r, back)
}

func (s *Server) curationReject(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	back := curationBack(r.PostFormValue("terug"))
	version, _ := strconv.ParseInt(r.PostFormValue("versie"), 10, 64)
	form := reviewForm{reasonID: formID(r, "reden"), text: r.PostFormValue("toelichting"), errs: components.Errors{}}
	err = s.curation.Reject(r.Context(), s.actor(r), id, version, form.reasonID, form.text)
	if errors.Is(err, curation.ErrStale) {
		form.stale = curation.ErrStale.Reason
		return s.renderReview(w, r, id, back, http.StatusConflict, form)
	}
	if msg, ok := refusal(err); ok {
		field := "reden"
		if strings.Contains(msg, "toelichting") {
			field = "toelichting"
		}
		form.errs[field] = msg
		return s.renderReview(w, r, id, back, http.StatusUnprocessableEntity, form)
	}
	if err != nil {
		return err
	}
	s.flash(w, r, "success", "Product afgewezen; de aanbieder ziet de reden bij het product.")
	return redirect(w, r, back)
}
