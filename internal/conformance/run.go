package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wujw/ohis/internal/connector"
	"github.com/wujw/ohis/internal/connector/woocommerce"
)

// userAgent identifies the checks' own requests.
const userAgent = "OHIS-conformance/1 (+winstuitjewoning.nl)"

// Target is the API to check: the base address the supplier submitted and
// its key and secret.
type Target struct {
	BaseURL     string
	Credentials connector.Credentials
}

// WebhookTest asks Run to register a temporary product.updated webhook
// that delivers to DeliveryURL, signed with Secret; Wait is how long OHIS
// then waits for a delivery (for the instructions in the report).
type WebhookTest struct {
	DeliveryURL string
	Secret      []byte
	Wait        time.Duration
}

// WebhookTopic is the topic of the test webhook.
const WebhookTopic = "product.updated"

// Options configure a run.
type Options struct {
	// Platform reads the API (default: the WooCommerce connector's custom
	// platform, https only).
	Platform connector.Platform
	// Client makes every request; build it with package netguard.
	Client *http.Client
	// Webhook, when set, registers the test webhook at the end of the run.
	Webhook *WebhookTest
	// VariableSample is how many variable products' variations are checked
	// field by field (default 3).
	VariableSample int
	// Offenders is how many examples are named per problem (default 5).
	Offenders int
	// TrialTimeout bounds the trial sync of the whole catalogue (default 5
	// minutes).
	TrialTimeout time.Duration
	// Now is the clock (default time.Now); Sleep waits after a 429 (tests
	// replace it).
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// The checks, in report order.
const (
	chkAuthRequired  = "auth_required"
	chkProducts      = "endpoint_products"
	chkProduct       = "endpoint_product"
	chkVariations    = "endpoint_variations"
	chkCategories    = "endpoint_categories"
	chkAttributes    = "endpoint_attributes"
	chkTerms         = "endpoint_terms"
	chkBrands        = "endpoint_brands"
	chkWebhookList   = "endpoint_webhooks"
	chkFieldsProduct = "fields_products"
	chkFieldsVariant = "fields_variations"
	chkTypes         = "product_types"
	chkTrial         = "trial_sync"
	chkMoneyStrings  = "money_strings"
	chkMoneyFormat   = "money_format"
	chkMoneyPresent  = "money_present"
	chkMoneySale     = "money_sale"
	chkPageHeaders   = "paging_headers"
	chkPerPage       = "paging_per_page"
	chkTotals        = "paging_totals"
	chkNextPage      = "paging_next"
	chkBeyond        = "paging_beyond"
	chkRateLimit     = "paging_rate_limit"
	chkModFuture     = "modified_future"
	chkModPast       = "modified_past"
	chkModBetween    = "modified_between"
)

// plan is every check a run reports, in order, not yet tested.
func plan() []Check {
	c := func(id, area, name string, required bool) Check {
		return Check{ID: id, Area: area, Name: name, Required: required, Outcome: NotTested}
	}
	return []Check{
		c(CheckReachable, AreaEndpoints, "Bereikbaar via HTTPS", true),
		c(CheckAuth, AreaEndpoints, "Authenticatie met HTTP Basic", true),
		c(chkAuthRequired, AreaEndpoints, "Geen gegevens zonder sleutel", false),
		c(chkProducts, AreaEndpoints, "GET /products", true),
		c(chkProduct, AreaEndpoints, "GET /products/{id}", true),
		c(chkVariations, AreaEndpoints, "GET /products/{id}/variations", true),
		c(chkCategories, AreaEndpoints, "GET /products/categories", true),
		c(chkAttributes, AreaEndpoints, "GET /products/attributes", true),
		c(chkTerms, AreaEndpoints, "GET /products/attributes/{id}/terms", true),
		c(chkBrands, AreaEndpoints, "GET /products/brands (optioneel)", false),
		c(chkWebhookList, AreaEndpoints, "GET /webhooks", false),
		c(chkFieldsProduct, AreaFields, "Producten: verplichte velden en typen", true),
		c(chkFieldsVariant, AreaFields, "Variaties: verplichte velden en typen", true),
		c(chkTypes, AreaFields, "Producttypen simple en variable", false),
		c(chkTrial, AreaFields, "Proefsynchronisatie van de hele catalogus", true),
		c(chkMoneyStrings, AreaMoney, "Bedragen zijn tekst", true),
		c(chkMoneyFormat, AreaMoney, "Punt als decimaalteken, hoogstens twee decimalen, niet negatief", true),
		c(chkMoneyPresent, AreaMoney, "Elk product heeft een prijs", false),
		c(chkMoneySale, AreaMoney, "Actieprijs lager dan de normale prijs", false),
		c(chkPageHeaders, AreaPaging, "Headers X-WP-Total en X-WP-TotalPages", true),
		c(chkPerPage, AreaPaging, "per_page=100 wordt gevolgd", true),
		c(chkTotals, AreaPaging, "Totalen kloppen met de pagina's", true),
		c(chkNextPage, AreaPaging, "page=2 geeft de volgende producten", true),
		c(chkBeyond, AreaPaging, "Een pagina voorbij de laatste geeft []", true),
		c(chkRateLimit, AreaPaging, "429 met Retry-After", false),
		c(chkModFuture, AreaModified, "modified_after in de toekomst geeft niets", true),
		c(chkModPast, AreaModified, "modified_after in het verleden geeft alles", true),
		c(chkModBetween, AreaModified, "modified_after geeft precies de gewijzigde producten", true),
		c(CheckWebhookPost, AreaWebhooks, "Testwebhook aanmaken (POST /webhooks)", false),
		c(CheckWebhook, AreaWebhooks, "Ondertekende webhook (X-WC-Webhook-Signature)", true),
	}
}

type runner struct {
	o    Options
	t    Target
	rep  *Report
	done map[string]bool
	p    *prober
	conn connector.Connector

	// What GET /products?per_page=100&page=1 gave.
	products     []map[string]json.RawMessage
	productsResp *response
	// Variations read field by field, with their product.
	variations []map[string]json.RawMessage
	// lists are the first pages of every list endpoint read, for the
	// pagination headers.
	lists []listSeen
}

type listSeen struct {
	label string
	resp  *response
}

// Run checks the API and returns the report. It never fails: what cannot
// be checked is reported as not tested, with the reason.
func Run(ctx context.Context, t Target, o Options) Report {
	if o.Platform == nil {
		o.Platform = woocommerce.NewCustomPlatform(woocommerce.PlatformOptions{})
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 30 * time.Second}
	}
	if o.VariableSample <= 0 {
		o.VariableSample = 3
	}
	if o.Offenders <= 0 {
		o.Offenders = 5
	}
	if o.TrialTimeout <= 0 {
		o.TrialTimeout = 5 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleepCtx
	}
	rep := &Report{BaseURL: t.BaseURL, StartedAt: o.Now().UTC(), Checks: plan()}
	r := &runner{o: o, t: t, rep: rep, done: map[string]bool{},
		p: &prober{base: strings.TrimRight(t.BaseURL, "/"), key: t.Credentials.Key, secret: t.Credentials.Secret, client: o.Client, sleep: o.Sleep}}
	if r.connect(ctx) {
		r.authRequired(ctx)
		if r.endpoints(ctx) {
			r.fields()
			r.money()
			r.paging(ctx)
			r.modified(ctx)
			r.trial(ctx)
		}
		r.rateLimit()
		r.webhook(ctx)
	}
	r.rest("Niet getest.")
	rep.FinishedAt = o.Now().UTC()
	return *rep
}

// set records a check's outcome.
func (r *runner) set(id string, o Outcome, finding, detail string) {
	for i := range r.rep.Checks {
		if r.rep.Checks[i].ID == id {
			c := &r.rep.Checks[i]
			// The API may echo our key in an error body: never show it.
			c.Outcome, c.Finding, c.Detail = o, r.p.redact(finding), truncate(r.p.redact(detail), 2000)
			r.done[id] = true
			return
		}
	}
	panic("conformance: unknown check " + id)
}

// optional makes a check that does not apply to this API not required.
func (r *runner) optional(id, finding string) {
	r.set(id, NotTested, finding, "")
	for i := range r.rep.Checks {
		if r.rep.Checks[i].ID == id {
			r.rep.Checks[i].Required = false
		}
	}
}

// rest marks every check not yet done as not tested, for reason.
func (r *runner) rest(reason string) {
	for _, c := range r.rep.Checks {
		if !r.done[c.ID] {
			r.set(c.ID, NotTested, reason, "")
		}
	}
}

// restOf marks the listed checks not yet done as not tested.
func (r *runner) restOf(reason string, ids ...string) {
	for _, id := range ids {
		if !r.done[id] {
			r.set(id, NotTested, reason, "")
		}
	}
}

// asConnError makes any error a connector.Error.
func asConnError(err error) *connector.Error {
	var ce *connector.Error
	if errors.As(err, &ce) {
		return ce
	}
	return &connector.Error{Code: connector.CodeUnreachable, Message: "Uw API kon niet worden gelezen.", Detail: err.Error()}
}

// connect opens the API with the connector and runs its connection check
// (reachability, TLS, REST, key). False: nothing else can be tested.
func (r *runner) connect(ctx context.Context) bool {
	conn, err := r.o.Platform.New(connector.Options{
		BaseURL: r.t.BaseURL, Credentials: r.t.Credentials, Client: r.o.Client,
		Concurrency: 2, MaxRetries: 2, Sleep: r.o.Sleep,
	})
	if err != nil {
		ce := asConnError(err)
		r.set(CheckReachable, NotConform, ce.Message, ce.Detail)
		r.rest("Niet getest: het adres van uw API is niet bruikbaar.")
		return false
	}
	r.conn = conn
	cr := conn.Check(ctx)
	var reach, tls, failed string
	for _, s := range cr.Steps {
		switch {
		case !s.OK:
			failed = s.Name
		case s.Name == woocommerce.StepReachable:
			reach = s.Message
		case s.Name == woocommerce.StepTLS:
			tls = s.Message
		}
	}
	if cr.Err == nil {
		r.set(CheckReachable, Conform, strings.TrimSpace(reach+" "+tls), "")
		r.set(CheckAuth, Conform, "Uw API accepteert onze sleutel met HTTP Basic-authenticatie.", "")
		return true
	}
	switch failed {
	case woocommerce.StepReachable, woocommerce.StepTLS:
		r.set(CheckReachable, NotConform, cr.Err.Message, cr.Err.Detail)
		r.rest("Niet getest: uw API was niet bereikbaar.")
		return false
	case woocommerce.StepKey:
		r.set(CheckReachable, Conform, strings.TrimSpace(reach+" "+tls), "")
		r.set(CheckAuth, NotConform, cr.Err.Message, cr.Err.Detail)
		r.rest("Niet getest: uw API weigerde onze sleutel.")
		return false
	case woocommerce.StepREST:
		r.set(CheckReachable, Conform, strings.TrimSpace(reach+" "+tls), "")
		r.set(chkProducts, NotConform, cr.Err.Message, cr.Err.Detail)
		r.rest("Niet getest: GET /products gaf geen productlijst.")
		return false
	}
	// A later step (version, features) failed: the API answers with our
	// key, which is what the checks below need.
	r.set(CheckReachable, Conform, strings.TrimSpace(reach+" "+tls), "")
	r.set(CheckAuth, Conform, "Uw API accepteert onze sleutel met HTTP Basic-authenticatie.", cr.Err.Detail)
	return true
}

// authRequired checks that the product list is not served without a key.
func (r *runner) authRequired(ctx context.Context) {
	resp, err := r.p.get(ctx, "/products", url.Values{"per_page": {"1"}}, true)
	switch {
	case err != nil:
		r.set(chkAuthRequired, NotTested, "Niet getest: het verzoek zonder sleutel mislukte.", err.Error())
	case resp.status == http.StatusUnauthorized || resp.status == http.StatusForbidden:
		r.set(chkAuthRequired, Conform, fmt.Sprintf("Zonder sleutel weigert uw API de productlijst (%d).", resp.status), "")
	case resp.ok():
		r.set(chkAuthRequired, Warning, "Uw API geeft de productlijst ook zonder sleutel. Vraag bij elk verzoek om HTTP Basic-authenticatie en antwoord zonder geldige sleutel met 401.", resp.summary())
	default:
		r.set(chkAuthRequired, Warning, fmt.Sprintf("Zonder sleutel antwoordt uw API met %d; verwacht is 401 (of 403).", resp.status), resp.summary())
	}
}

// listQuery is how the connector lists products.
func listQuery(perPage, page int) url.Values {
	return url.Values{"per_page": {strconv.Itoa(perPage)}, "page": {strconv.Itoa(page)}, "orderby": {"id"}, "order": {"asc"}, "status": {"any"}}
}

// list reads the first page of a list endpoint and records it for the
// header check. The error is a Dutch finding and a detail.
func (r *runner) list(ctx context.Context, label, path string, q url.Values) (*response, []json.RawMessage, string, string) {
	resp, err := r.p.get(ctx, path, q, false)
	if err != nil {
		return nil, nil, fmt.Sprintf("%s kon niet worden opgehaald: de verbinding mislukte.", label), err.Error()
	}
	if !resp.ok() {
		return resp, nil, fmt.Sprintf("%s gaf HTTP %d in plaats van een lijst.%s", label, resp.status, statusHint(resp.status)), resp.summary()
	}
	items, ok := resp.array()
	if !ok {
		return resp, nil, fmt.Sprintf("%s gaf geen JSON-lijst. Geef een lijst van objecten terug, ook als die leeg is ([]).", label), resp.summary()
	}
	r.lists = append(r.lists, listSeen{label: label, resp: resp})
	return resp, items, "", ""
}

func statusHint(status int) string {
	switch {
	case status == http.StatusNotFound:
		return " Dit endpoint ontbreekt; de paden moeten heten zoals in de handleiding."
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return " Geef de sleutel ook hiervoor leesrechten."
	case status == http.StatusBadRequest:
		return " Uw API weigert een van de parameters per_page, page, orderby, order of status; ondersteun ze zoals de WooCommerce REST API."
	case status >= 500:
		return " Dat is een serverfout in uw API; kijk in de foutlogboeken."
	}
	return ""
}

// endpoints reads the list and detail endpoints. False when the product
// list itself failed: the checks that need products are then not tested.
func (r *runner) endpoints(ctx context.Context) bool {
	resp, items, msg, detail := r.list(ctx, "GET /products", "/products", listQuery(100, 1))
	if msg != "" {
		r.set(chkProducts, NotConform, msg, detail)
		r.restOf("Niet getest: GET /products gaf geen productlijst.", chkProduct, chkVariations, chkFieldsProduct, chkFieldsVariant,
			chkTypes, chkMoneyStrings, chkMoneyFormat, chkMoneyPresent, chkMoneySale, chkPageHeaders, chkPerPage, chkTotals,
			chkNextPage, chkBeyond, chkModFuture, chkModPast, chkModBetween, chkTrial)
		r.endpointsTaxonomies(ctx)
		return false
	}
	r.productsResp = resp
	probe := newIssues("elementen", r.o.Offenders)
	r.products = decodeObjects(probe, items)
	r.rep.Products = len(r.products)
	finding := fmt.Sprintf("Uw API gaf %d %s op de eerste pagina.", len(items), plural(len(items), "product", "producten"))
	if !probe.empty() {
		r.set(chkProducts, NotConform, "De lijst bevat elementen die geen JSON-object zijn. Elk element moet een product zijn.", probe.detail())
	} else {
		r.set(chkProducts, Conform, finding, resp.summaryHead())
	}

	// One product on its own.
	if len(r.products) == 0 {
		r.optional(chkProduct, "Niet getest: uw API gaf geen producten.")
	} else if id, ok := intField(r.products[0], "id"); !ok {
		r.set(chkProduct, NotTested, "Niet getest: het eerste product heeft geen numeriek id.", "")
	} else {
		path := "/products/" + strconv.FormatInt(id, 10)
		one, err := r.p.get(ctx, path, nil, false)
		switch {
		case err != nil:
			r.set(chkProduct, NotConform, "GET "+path+" kon niet worden opgehaald.", err.Error())
		case !one.ok():
			r.set(chkProduct, NotConform, fmt.Sprintf("GET %s gaf HTTP %d in plaats van het product.%s", path, one.status, statusHint(one.status)), one.summary())
		default:
			obj, ok := one.object()
			got, idOK := intField(obj, "id")
			switch {
			case !ok:
				r.set(chkProduct, NotConform, "GET "+path+" gaf geen JSON-object. Geef het product als object, zoals in de lijst.", one.summary())
			case !idOK || got != id:
				r.set(chkProduct, NotConform, fmt.Sprintf("GET %s gaf een ander product (id %s) terug.", path, string(trimJSON(obj["id"]))), one.summary())
			default:
				r.set(chkProduct, Conform, "GET "+path+" gaf het product.", "")
			}
		}
	}

	// Variations of the first variable products.
	var parents []int64
	for _, p := range r.products {
		if isVariable(p) {
			if id, ok := intField(p, "id"); ok {
				parents = append(parents, id)
			}
		}
		if len(parents) == r.o.VariableSample {
			break
		}
	}
	if len(parents) == 0 {
		r.optional(chkVariations, "Niet getest: op de eerste pagina van GET /products staat geen variabel product.")
	} else {
		failMsg, failDetail := "", ""
		for _, id := range parents {
			label := "GET /products/" + strconv.FormatInt(id, 10) + "/variations"
			_, vitems, msg, detail := r.list(ctx, label, "/products/"+strconv.FormatInt(id, 10)+"/variations", url.Values{"per_page": {"100"}, "page": {"1"}})
			if msg != "" {
				if failMsg == "" {
					failMsg, failDetail = msg, detail
				}
				continue
			}
			vs := newIssues("elementen", r.o.Offenders)
			r.variations = append(r.variations, decodeObjects(vs, vitems)...)
		}
		r.rep.Variations = len(r.variations)
		if failMsg != "" {
			r.set(chkVariations, NotConform, failMsg, failDetail)
		} else {
			r.set(chkVariations, Conform, fmt.Sprintf("Variaties van %d %s gelezen: %d %s.", len(parents),
				plural(len(parents), "variabel product", "variabele producten"), len(r.variations), plural(len(r.variations), "variatie", "variaties")), "")
		}
	}
	r.endpointsTaxonomies(ctx)
	return true
}

// endpointsTaxonomies reads categories, attributes with terms, and brands.
func (r *runner) endpointsTaxonomies(ctx context.Context) {
	q := func() url.Values { return url.Values{"per_page": {"100"}, "page": {"1"}} }
	_, cats, msg, detail := r.list(ctx, "GET /products/categories", "/products/categories", q())
	if msg != "" {
		r.set(chkCategories, NotConform, msg, detail)
	} else {
		is := newIssues("categorieën", r.o.Offenders)
		is.total = len(cats)
		for _, c := range decodeObjects(is, cats) {
			checkObject(is, objectID("categorie", c), c, []field{
				{name: "id", types: tInt, required: true}, {name: "name", types: tString, required: true},
				{name: "slug", types: tString, required: true}, {name: "parent", types: tInt, required: true},
			}, "")
		}
		if is.empty() {
			r.set(chkCategories, Conform, fmt.Sprintf("%d %s op de eerste pagina.", len(cats), plural(len(cats), "categorie", "categorieën")), "")
		} else {
			r.set(chkCategories, NotConform, is.finding(), is.detail())
		}
	}

	_, attrs, msg, detail := r.list(ctx, "GET /products/attributes", "/products/attributes", q())
	var firstAttr int64
	if msg != "" {
		r.set(chkAttributes, NotConform, msg, detail)
	} else {
		is := newIssues("attributen", r.o.Offenders)
		is.total = len(attrs)
		for _, a := range decodeObjects(is, attrs) {
			checkObject(is, objectID("attribuut", a), a, []field{
				{name: "id", types: tInt, required: true}, {name: "name", types: tString, required: true},
				{name: "slug", types: tString, required: true},
			}, "")
			if id, ok := intField(a, "id"); ok && firstAttr == 0 {
				firstAttr = id
			}
		}
		if is.empty() {
			r.set(chkAttributes, Conform, fmt.Sprintf("%d %s op de eerste pagina.", len(attrs), plural(len(attrs), "attribuut", "attributen")), "")
		} else {
			r.set(chkAttributes, NotConform, is.finding(), is.detail())
		}
	}
	if firstAttr == 0 {
		r.optional(chkTerms, "Niet getest: uw API gaf geen attributen.")
	} else {
		path := "/products/attributes/" + strconv.FormatInt(firstAttr, 10) + "/terms"
		_, terms, msg, detail := r.list(ctx, "GET "+path, path, q())
		if msg != "" {
			r.set(chkTerms, NotConform, msg, detail)
		} else {
			is := newIssues("waarden", r.o.Offenders)
			is.total = len(terms)
			for _, t := range decodeObjects(is, terms) {
				checkObject(is, objectID("waarde", t), t, termFields, "")
			}
			if is.empty() {
				r.set(chkTerms, Conform, fmt.Sprintf("%d %s van attribuut %d.", len(terms), plural(len(terms), "waarde", "waarden"), firstAttr), "")
			} else {
				r.set(chkTerms, NotConform, is.finding(), is.detail())
			}
		}
	}

	resp, brands, msg, detail := r.list(ctx, "GET /products/brands", "/products/brands", q())
	switch {
	case msg == "":
		is := newIssues("merken", r.o.Offenders)
		is.total = len(brands)
		for _, b := range decodeObjects(is, brands) {
			checkObject(is, objectID("merk", b), b, termFields, "")
		}
		if is.empty() {
			r.set(chkBrands, Conform, fmt.Sprintf("%d %s op de eerste pagina.", len(brands), plural(len(brands), "merk", "merken")), "")
		} else {
			r.set(chkBrands, Warning, is.finding(), is.detail())
		}
	case resp != nil && resp.status == http.StatusNotFound:
		r.set(chkBrands, Warning, "Uw API heeft geen merken (GET /products/brands gaf 404). Merken zijn niet verplicht; gebruikt u ze, bied ze dan aan met dezelfde velden als categorieën.", detail)
	default:
		r.set(chkBrands, Warning, msg, detail)
	}
}

// summaryHead is the request and status with the paging headers.
func (r *response) summaryHead() string {
	return fmt.Sprintf("%s → HTTP %d, X-WP-Total: %q, X-WP-TotalPages: %q", r.what, r.status, r.header.Get("X-WP-Total"), r.header.Get("X-WP-TotalPages"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// fields checks the sampled products and variations against the contract.
func (r *runner) fields() {
	is := newIssues("producten", r.o.Offenders)
	is.total = len(r.products)
	var other []string
	otherCount := 0
	for _, p := range r.products {
		id := objectID("product", p)
		checkObject(is, id, p, productFields, "")
		if t := stringField(p, "type"); t == "grouped" || t == "external" {
			otherCount++
			if len(other) < r.o.Offenders {
				other = append(other, id+" ("+t+")")
			}
		}
	}
	switch {
	case len(r.products) == 0:
		r.optional(chkFieldsProduct, "Niet getest: uw API gaf geen producten.")
	case is.empty():
		r.set(chkFieldsProduct, Conform, fmt.Sprintf("Alle %d producten op de eerste pagina hebben de verplichte velden met het juiste type.", len(r.products)), "")
	default:
		r.set(chkFieldsProduct, NotConform, is.finding()+" Pas uw API aan zodat elk product de velden heeft zoals in de handleiding onder “Producten”.", is.detail())
	}
	switch {
	case len(r.products) == 0:
		r.optional(chkTypes, "Niet getest: uw API gaf geen producten.")
	case otherCount > 0:
		r.set(chkTypes, Warning, fmt.Sprintf("%d %s gegroepeerd of extern (bijvoorbeeld %s). Zulke producten worden niet via het platform verkocht en bij het synchroniseren overgeslagen.",
			otherCount, plural(otherCount, "product is", "producten zijn"), joinDutch(other)), "")
	default:
		r.set(chkTypes, Conform, "Alle producten zijn enkelvoudig (simple) of variabel (variable).", "")
	}

	vs := newIssues("variaties", r.o.Offenders)
	vs.total = len(r.variations)
	for _, v := range r.variations {
		checkObject(vs, objectID("variatie", v), v, variationFields, "")
	}
	switch {
	case r.done[chkFieldsVariant]:
	case len(r.variations) == 0:
		r.optional(chkFieldsVariant, "Niet getest: er zijn geen variaties gelezen.")
	case vs.empty():
		r.set(chkFieldsVariant, Conform, fmt.Sprintf("Alle %d gelezen variaties hebben de verplichte velden met het juiste type.", len(r.variations)), "")
	default:
		r.set(chkFieldsVariant, NotConform, vs.finding()+" Pas uw API aan zodat elke variatie de velden heeft zoals in de handleiding onder “Variaties”.", vs.detail())
	}
}

// money checks the amounts of the sampled products and variations.
func (r *runner) money() {
	strs := newIssues("producten en variaties", r.o.Offenders)
	format := newIssues("producten en variaties", r.o.Offenders)
	present := newIssues("producten en variaties", r.o.Offenders)
	sale := newIssues("producten en variaties", r.o.Offenders)
	check := func(id string, obj map[string]json.RawMessage, needsPrice bool) {
		var regular, salePrice *int64
		for _, name := range []string{"regular_price", "sale_price", "price"} {
			raw, ok := obj[name]
			if !ok {
				if name == "regular_price" && needsPrice {
					strs.add(name+":missing", id, "ontbreekt het veld regular_price", "regular_price: missing", "")
				}
				continue
			}
			if t := jsonTypeOf(raw); t != tString {
				strs.add(name+":type", id, fmt.Sprintf("is %s %s in plaats van een tekst zoals \"12.50\"", name, typeKind(t)),
					name+": "+typeName(t)+" where string expected", snippet(raw, 30))
				continue
			}
			var v string
			_ = json.Unmarshal(raw, &v)
			cents, problem := woocommerce.CheckPrice(v)
			switch problem {
			case "":
				c := cents
				switch name {
				case "regular_price":
					regular = &c
				case "sale_price":
					salePrice = &c
				}
			case woocommerce.PriceEmpty:
				if name == "regular_price" && needsPrice {
					present.add("empty", id, "is regular_price leeg", "regular_price: empty", "")
				}
			default:
				format.add(name+":"+problem, id, fmt.Sprintf("%s in %s", priceProblemText(problem), name),
					name+": "+problem, strconv.Quote(truncate(v, 30)))
			}
		}
		if regular != nil && salePrice != nil && *salePrice >= *regular {
			sale.add("sale", id, "is de actieprijs niet lager dan de normale prijs", "sale_price >= regular_price",
				fmt.Sprintf("%d ≥ %d cent", *salePrice, *regular))
		}
	}
	for _, p := range r.products {
		t := stringField(p, "type")
		check(objectID("product", p), p, t == "simple" && stringField(p, "status") == "publish")
	}
	for _, v := range r.variations {
		check(objectID("variatie", v), v, stringField(v, "status") == "publish")
	}
	n := len(r.products) + len(r.variations)
	for _, is := range []*issues{strs, format, present, sale} {
		is.total = n
	}
	if n == 0 {
		for _, id := range []string{chkMoneyStrings, chkMoneyFormat, chkMoneyPresent, chkMoneySale} {
			r.optional(id, "Niet getest: uw API gaf geen producten.")
		}
		return
	}
	if strs.empty() {
		r.set(chkMoneyStrings, Conform, "Alle bedragen zijn tekst, zoals \"12.50\".", "")
	} else {
		r.set(chkMoneyStrings, NotConform, strs.finding()+" Geef bedragen als tekst in euro's inclusief btw, met een punt als decimaalteken: \"12.50\".", strs.detail())
	}
	if format.empty() {
		r.set(chkMoneyFormat, Conform, "Alle bedragen hebben een punt als decimaalteken en hoogstens twee decimalen. Wij gaan ervan uit dat ze inclusief btw zijn; dat kunnen wij niet automatisch controleren.", "")
	} else {
		r.set(chkMoneyFormat, NotConform, format.finding()+" Schrijf bedragen als \"12.50\": alleen cijfers en één punt, hoogstens twee decimalen, niet negatief, zonder valutateken.", format.detail())
	}
	if present.empty() {
		r.set(chkMoneyPresent, Conform, "Elk gepubliceerd enkelvoudig product en elke variatie heeft een normale prijs.", "")
	} else {
		r.set(chkMoneyPresent, Warning, present.finding()+" Zonder prijs kan een product niet op het platform worden aangeboden.", present.detail())
	}
	if sale.empty() {
		r.set(chkMoneySale, Conform, "Actieprijzen zijn lager dan de normale prijs.", "")
	} else {
		r.set(chkMoneySale, Warning, sale.finding(), sale.detail())
	}
}

func priceProblemText(problem string) string {
	switch problem {
	case woocommerce.PriceComma:
		return "staat een komma als decimaalteken"
	case woocommerce.PriceDecimals:
		return "staan meer dan twee decimalen"
	case woocommerce.PriceNegative:
		return "staat een negatief bedrag"
	case woocommerce.PriceTooHigh:
		return "staat een bedrag boven € 1.000.000,00"
	}
	return "staat geen geldig bedrag (alleen cijfers en een punt)"
}
