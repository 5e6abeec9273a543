package demoshop

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The demo admin page (Options.AdminPage): plain server-side forms so a
// person running the OHIS demo can change the shop and watch the changes
// reach OHIS. No auth — loopback demos only; POSTs from another origin are
// refused.

const adminPerPage = 25

type adminRow struct {
	ID          int64
	Type        string
	TypeLabel   string
	StatusLabel string
	Name        string
	SKU         string
	Status      string
	Price       string
	Stock       string
	Modified    string
	Variations  int
	ParentID    int64
	RegularEuro string
	SaleEuro    string
	ManageStock bool
	StockQty    string
	StockStatus string
}

type adminPage struct {
	Title      string
	Site       string
	Flash      string
	Error      string
	Rows       []adminRow
	Page       int
	Pages      int
	Prev, Next int
	Status     string
	Product    *adminRow
	VarRows    []adminRow
	Categories []category
	Hooks      []Webhook
	Stats      Stats
}

var adminTmpl = template.Must(template.New("admin").Parse(`<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>{{.Title}} – {{.Site}}</title></head>
<body>
<header><h1><a href="/demoshop/">{{.Site}}</a> – demobeheer</h1>
<p>Deze pagina hoort bij de demowebwinkel. Wijzigingen gaan via webhooks en synchronisatie naar OHIS.</p></header>
{{if .Flash}}<p role="status"><strong>{{.Flash}}</strong></p>{{end}}
{{if .Error}}<p role="alert"><strong>Fout: {{.Error}}</strong></p>{{end}}
{{if .Product}}{{with .Product}}
<h2>{{.Name}} (#{{.ID}}, {{.TypeLabel}})</h2>
<p><a href="/demoshop/{{if .ParentID}}product/{{.ParentID}}{{end}}">Terug</a></p>
<table>
<tr><th>Status</th><td>{{.StatusLabel}}</td></tr>
<tr><th>SKU</th><td>{{.SKU}}</td></tr>
<tr><th>Prijs</th><td>{{.Price}}</td></tr>
<tr><th>Voorraad</th><td>{{.Stock}}</td></tr>
<tr><th>Laatst gewijzigd</th><td>{{.Modified}}</td></tr>
</table>
<h3>Naam</h3>
<form method="post" action="/demoshop/product/{{.ID}}/name"><label>Naam <input name="name" value="{{.Name}}" required></label> <button>Opslaan</button></form>
{{if and (ne .Type "variable") (ne .Type "grouped")}}
<h3>Prijs</h3>
<form method="post" action="/demoshop/product/{{.ID}}/price">
<label>Normale prijs (€) <input name="regular" value="{{.RegularEuro}}" inputmode="decimal" required></label>
<label>Actieprijs (€, leeg = geen) <input name="sale" value="{{.SaleEuro}}" inputmode="decimal"></label>
<button>Opslaan</button></form>
{{end}}
{{if or (eq .Type "simple") (eq .Type "variation")}}
<h3>Voorraad</h3>
<form method="post" action="/demoshop/product/{{.ID}}/stock">
<label><input type="checkbox" name="manage" value="1"{{if .ManageStock}} checked{{end}}> Voorraad bijhouden</label>
<label>Aantal <input name="qty" value="{{.StockQty}}" inputmode="numeric"></label>
<label>Status <select name="status">
<option value="">automatisch</option>
<option value="instock"{{if eq .StockStatus "instock"}} selected{{end}}>op voorraad</option>
<option value="outofstock"{{if eq .StockStatus "outofstock"}} selected{{end}}>uitverkocht</option>
<option value="onbackorder"{{if eq .StockStatus "onbackorder"}} selected{{end}}>in nabestelling</option>
</select></label>
<button>Opslaan</button></form>
{{end}}
<h3>Status</h3>
<form method="post" action="/demoshop/product/{{.ID}}/status"><label>Status <select name="status">
{{$st := .Status}}
<option value="publish"{{if eq $st "publish"}} selected{{end}}>gepubliceerd</option>
{{if ne .Type "variation"}}<option value="draft"{{if eq $st "draft"}} selected{{end}}>concept</option>
<option value="pending"{{if eq $st "pending"}} selected{{end}}>wacht op beoordeling</option>{{end}}
<option value="private"{{if eq $st "private"}} selected{{end}}>privé</option>
</select></label> <button>Opslaan</button></form>
{{if eq .Type "variation"}}
<form method="post" action="/demoshop/product/{{.ID}}/delete"><button>Variatie definitief verwijderen (geen webhook)</button></form>
{{else}}
{{if eq .Status "trash"}}
<form method="post" action="/demoshop/product/{{.ID}}/restore"><button>Terugzetten uit prullenbak</button></form>
{{else}}
<form method="post" action="/demoshop/product/{{.ID}}/trash"><button>Naar prullenbak (webhook product.deleted)</button></form>
{{end}}
<form method="post" action="/demoshop/product/{{.ID}}/delete"><button>Definitief verwijderen (geen webhook)</button></form>
{{end}}
{{end}}
{{if eq .Product.Type "variable"}}
<h3>Variaties</h3>
<table><thead><tr><th>ID</th><th>Naam</th><th>Prijs</th><th>Voorraad</th><th>Status</th></tr></thead><tbody>
{{range .VarRows}}<tr><td><a href="/demoshop/product/{{.ID}}">{{.ID}}</a></td><td>{{.Name}}</td><td>{{.Price}}</td><td>{{.Stock}}</td><td>{{.StatusLabel}}</td></tr>
{{end}}</tbody></table>
<h4>Variatie toevoegen</h4>
<form method="post" action="/demoshop/product/{{.Product.ID}}/variation">
<label>Prijs (€) <input name="regular" inputmode="decimal" required></label>
<label>SKU <input name="sku"></label>
<button>Toevoegen</button></form>
{{end}}
{{else}}
<p>{{.Stats.Simple}} enkelvoudige, {{.Stats.Variable}} variabele ({{.Stats.Variations}} variaties), {{.Stats.Grouped}} gegroepeerde en {{.Stats.External}} externe producten; {{.Stats.Trashed}} in de prullenbak.</p>
<nav><a href="/demoshop/">Alle producten</a> · <a href="/demoshop/?status=trash">Prullenbak</a></nav>
<table><thead><tr><th>ID</th><th>Type</th><th>Naam</th><th>SKU</th><th>Prijs</th><th>Voorraad</th><th>Status</th><th>Gewijzigd</th></tr></thead><tbody>
{{range .Rows}}<tr><td><a href="/demoshop/product/{{.ID}}">{{.ID}}</a></td><td>{{.TypeLabel}}{{if .Variations}} ({{.Variations}}){{end}}</td><td><a href="/demoshop/product/{{.ID}}">{{.Name}}</a></td><td>{{.SKU}}</td><td>{{.Price}}</td><td>{{.Stock}}</td><td>{{.StatusLabel}}</td><td>{{.Modified}}</td></tr>
{{end}}</tbody></table>
<p>Pagina {{.Page}} van {{.Pages}}{{if .Prev}} · <a href="/demoshop/?page={{.Prev}}{{if .Status}}&amp;status={{.Status}}{{end}}">vorige</a>{{end}}{{if .Next}} · <a href="/demoshop/?page={{.Next}}{{if .Status}}&amp;status={{.Status}}{{end}}">volgende</a>{{end}}</p>
<h2>Product toevoegen</h2>
<form method="post" action="/demoshop/add">
<label>Naam <input name="name" required></label>
<label>Type <select name="type"><option value="simple">enkelvoudig</option><option value="variable">variabel (met 3 variaties)</option></select></label>
<label>Prijs (€) <input name="regular" inputmode="decimal" required></label>
<label>Categorie <select name="category">{{range .Categories}}<option value="{{.ID}}">{{.Name}}</option>{{end}}</select></label>
<button>Toevoegen</button></form>
<h2>Webhooks</h2>
<table><thead><tr><th>ID</th><th>Naam</th><th>Onderwerp</th><th>Adres</th><th>Status</th><th>Mislukt</th></tr></thead><tbody>
{{range .Hooks}}<tr><td>{{.ID}}</td><td>{{.Name}}</td><td>{{.Topic}}</td><td>{{.DeliveryURL}}</td><td>{{.Status}}</td><td>{{.FailureCount}}</td></tr>
{{else}}<tr><td colspan="6">Nog geen webhooks geregistreerd.</td></tr>{{end}}</tbody></table>
{{end}}
</body></html>
`))

func euro(c int64) string {
	return strings.Replace(money(c), ".", ",", 1)
}

// parseEuro reads "12,95", "12.95" or "12" into cents.
func parseEuro(s string) (int64, error) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "€"))
	s = strings.ReplaceAll(s, ",", ".")
	if s == "" {
		return 0, errors.New("leeg bedrag")
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 {
		return 0, fmt.Errorf("%q heeft meer dan twee decimalen", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || w < 0 || w > 1_000_000 {
		return 0, fmt.Errorf("%q is geen geldig bedrag", s)
	}
	return w*100 + f, nil
}

func (s *Shop) adminRow(it *item, now time.Time) adminRow {
	r := adminRow{ID: it.ID, Type: it.Type, Name: it.Name, SKU: it.SKU, Status: it.Status,
		Modified: it.Modified.In(amsterdam).Format("02-01-2006 15:04:05"), Variations: len(it.Variations),
		ParentID: it.ParentID, ManageStock: it.ManageStock, StockStatus: it.StockStatus}
	if it.Type == TypeVariable {
		r.Price = "zie variaties"
	}
	if it.HasRegular {
		r.RegularEuro = euro(it.RegularCents)
		r.Price = "€ " + euro(it.RegularCents)
		if it.SaleCents != nil {
			r.SaleEuro = euro(*it.SaleCents)
			pr := s.pricingOf(it, now)
			if pr.onSale {
				r.Price = "€ " + euro(*it.SaleCents) + " (actie, normaal € " + euro(it.RegularCents) + ")"
			}
		}
	}
	r.TypeLabel = map[string]string{TypeSimple: "enkelvoudig", TypeVariable: "variabel", TypeGrouped: "gegroepeerd",
		TypeExternal: "extern", TypeVariation: "variatie"}[it.Type]
	r.StatusLabel = map[string]string{"publish": "gepubliceerd", "draft": "concept", "pending": "wacht op beoordeling",
		"private": "privé", "trash": "prullenbak"}[it.Status]
	r.Stock = map[string]string{"instock": "op voorraad", "outofstock": "uitverkocht", "onbackorder": "in nabestelling"}[it.StockStatus]
	if it.ManageStock && it.StockQty != nil {
		r.StockQty = strconv.FormatInt(*it.StockQty, 10)
		r.Stock = r.StockQty + " stuks, " + r.Stock
	}
	return r
}

func (s *Shop) admin(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/demoshop"), "/")
	if r.Method == http.MethodPost {
		if o := r.Header.Get("Origin"); o != "" && o != "null" {
			if u, err := url.Parse(o); err != nil || u.Host != r.Host {
				http.Error(w, "Verzoek van een andere herkomst geweigerd.", http.StatusForbidden)
				return
			}
		}
		s.adminPost(w, r, path)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "Methode niet toegestaan.", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	pg := adminPage{Site: s.opts.SiteName, Flash: q.Get("ok"), Error: q.Get("fout"), Categories: categories}
	now := s.now()
	switch {
	case path == "":
		pg.Title = "Producten"
		pg.Status = q.Get("status")
		if pg.Status != "trash" {
			pg.Status = ""
		}
		pg.Page, _ = strconv.Atoi(q.Get("page"))
		if pg.Page < 1 {
			pg.Page = 1
		}
		pg.Stats = s.Stats()
		pg.Hooks = s.Webhooks()
		s.mu.RLock()
		lp := &listParams{page: pg.Page, perPage: adminPerPage, orderby: "id", desc: true, status: pg.Status}
		total, ids := s.selectIDs(lp, s.eachProduct, func(m meta) bool { return statusMatch(lp.status, m.status) })
		for _, id := range ids {
			pg.Rows = append(pg.Rows, s.adminRow(s.get(id), now))
		}
		s.mu.RUnlock()
		pg.Pages = (total + adminPerPage - 1) / adminPerPage
		if pg.Pages == 0 {
			pg.Pages = 1
		}
		if pg.Page > 1 {
			pg.Prev = pg.Page - 1
		}
		if pg.Page < pg.Pages {
			pg.Next = pg.Page + 1
		}
	case strings.HasPrefix(path, "product/"):
		id, ok := parseID(strings.TrimPrefix(path, "product/"))
		s.mu.RLock()
		var it *item
		if ok {
			it = s.get(id)
		}
		if it != nil {
			row := s.adminRow(it, now)
			pg.Product = &row
			pg.Title = it.Name
			for _, vid := range it.Variations {
				if v := s.get(vid); v != nil {
					pg.VarRows = append(pg.VarRows, s.adminRow(v, now))
				}
			}
		}
		s.mu.RUnlock()
		if it == nil {
			http.Error(w, "Product niet gevonden.", http.StatusNotFound)
			return
		}
	default:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := adminTmpl.Execute(w, pg); err != nil {
		s.log.Error("demoshop: admin page", "err", err)
	}
}

func adminMessage(err error) string {
	switch {
	case errors.Is(err, ErrNotFound):
		return "product of variatie bestaat niet (meer)"
	case errors.Is(err, ErrInvalid):
		msg := strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ")
		return "ongeldige invoer (" + msg + ")"
	}
	return err.Error()
}

func (s *Shop) adminPost(w http.ResponseWriter, r *http.Request, path string) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Ongeldig formulier.", http.StatusBadRequest)
		return
	}
	back := "/demoshop/"
	done := func(err error, ok string) {
		v := url.Values{}
		if err != nil {
			v.Set("fout", adminMessage(err))
		} else {
			v.Set("ok", ok)
		}
		http.Redirect(w, r, back+"?"+v.Encode(), http.StatusSeeOther)
	}
	if path == "add" {
		price, err := parseEuro(r.PostFormValue("regular"))
		if err != nil {
			done(err, "")
			return
		}
		cat, _ := strconv.ParseInt(r.PostFormValue("category"), 10, 64)
		np := NewProduct{Name: strings.TrimSpace(r.PostFormValue("name")), RegularCents: price, CategoryIDs: []int64{cat}}
		if r.PostFormValue("type") == TypeVariable {
			np.Type = TypeVariable
			np.RegularCents = 0
			for i := int64(0); i < 3; i++ {
				np.Variations = append(np.Variations, NewVariation{RegularCents: price + i*100})
			}
		}
		id, err := s.AddProduct(np)
		if err == nil {
			back = "/demoshop/product/" + strconv.FormatInt(id, 10)
		}
		done(err, "Product toegevoegd.")
		return
	}
	rest, ok := strings.CutPrefix(path, "product/")
	idStr, action, _ := strings.Cut(rest, "/")
	id, okID := parseID(idStr)
	if !ok || !okID {
		http.NotFound(w, r)
		return
	}
	back = "/demoshop/product/" + idStr
	f := r.PostFormValue
	var err error
	var msg string
	switch action {
	case "name":
		err, msg = s.Rename(id, strings.TrimSpace(f("name"))), "Naam opgeslagen."
	case "price":
		var reg int64
		reg, err = parseEuro(f("regular"))
		if err == nil {
			var sale *int64
			if strings.TrimSpace(f("sale")) != "" {
				var c int64
				c, err = parseEuro(f("sale"))
				sale = &c
			}
			if err == nil {
				err = s.SetPrice(id, reg, sale)
			}
		}
		msg = "Prijs opgeslagen."
	case "stock":
		manage := f("manage") == "1"
		var qty *int64
		if manage {
			q, perr := strconv.ParseInt(strings.TrimSpace(f("qty")), 10, 64)
			if perr != nil {
				err = fmt.Errorf("%w: aantal %q is geen geheel getal", ErrInvalid, f("qty"))
			}
			qty = &q
		}
		if err == nil {
			err = s.SetStock(id, manage, qty, f("status"))
		}
		msg = "Voorraad opgeslagen."
	case "status":
		err, msg = s.SetStatus(id, f("status")), "Status opgeslagen."
	case "trash":
		err, msg = s.Trash(id), "Product staat in de prullenbak."
	case "restore":
		err, msg = s.Restore(id), "Product teruggezet."
	case "delete":
		p, exists := s.Product(id)
		if exists && p.Type == TypeVariation {
			err = s.DeleteVariation(id)
			back = "/demoshop/product/" + strconv.FormatInt(p.ParentID, 10)
		} else {
			err = s.DeletePermanently(id)
			back = "/demoshop/"
		}
		msg = "Definitief verwijderd."
	case "variation":
		var reg int64
		reg, err = parseEuro(f("regular"))
		if err == nil {
			_, err = s.AddVariation(id, NewVariation{RegularCents: reg, SKU: strings.TrimSpace(f("sku"))})
		}
		msg = "Variatie toegevoegd."
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil && action == "delete" {
		back = "/demoshop/product/" + idStr
	}
	done(err, msg)
}
