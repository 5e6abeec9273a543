package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/wujw/ohis/internal/connector"
)

// gmtLayout is how dates go into modified_after.
const gmtLayout = "2006-01-02T15:04:05"

// ids reads the ids of a page's objects.
func ids(items []json.RawMessage) []int64 {
	out := make([]int64, 0, len(items))
	for _, raw := range items {
		var m map[string]json.RawMessage
		if json.Unmarshal(trimJSON(raw), &m) != nil {
			continue
		}
		if id, ok := intField(m, "id"); ok {
			out = append(out, id)
		}
	}
	return out
}

// count is the number of products: X-WP-Total, or the length of the
// first page when it is evidently the whole list; -1 when unknown.
func (r *runner) count() int {
	if t := r.productsResp.headerInt("X-WP-Total"); t >= 0 {
		return t
	}
	if items, ok := r.productsResp.array(); ok && len(items) < 100 {
		return len(items)
	}
	return -1
}

// paging checks the pagination headers and parameters.
func (r *runner) paging(ctx context.Context) {
	// Headers on every list read so far.
	var missing, details []string
	for _, l := range r.lists {
		t, p := l.resp.headerInt("X-WP-Total"), l.resp.headerInt("X-WP-TotalPages")
		if t < 0 || p < 0 {
			missing = append(missing, l.label)
			details = append(details, l.resp.summaryHead())
		}
	}
	if len(missing) == 0 {
		r.set(chkPageHeaders, Conform, fmt.Sprintf("Alle %d gelezen lijsten hebben de headers X-WP-Total en X-WP-TotalPages.", len(r.lists)), "")
	} else {
		r.set(chkPageHeaders, NotConform, fmt.Sprintf("De headers X-WP-Total en X-WP-TotalPages ontbreken of zijn geen getal bij %s. Geef bij elk lijstantwoord het totale aantal objecten en het aantal pagina's mee; zonder die headers weten wij niet zeker dat wij alles hebben.",
			joinDutch(missing)), strings.Join(details, "; "))
	}

	first, _ := r.productsResp.array()
	total := r.productsResp.headerInt("X-WP-Total")
	switch {
	case len(first) > 100:
		r.set(chkPerPage, NotConform, fmt.Sprintf("Uw API gaf %d producten op één pagina terwijl wij om 100 vroegen (per_page=100). Geef nooit meer dan per_page objecten per pagina.", len(first)), r.productsResp.summaryHead())
	case total >= 0 && len(first) != min(total, 100):
		r.set(chkPerPage, NotConform, fmt.Sprintf("Wij vroegen 100 producten per pagina (per_page=100) en kregen er %d, terwijl er volgens X-WP-Total %d zijn. Ondersteun per_page tot en met 100.", len(first), total), r.productsResp.summaryHead())
	default:
		r.set(chkPerPage, Conform, fmt.Sprintf("Met per_page=100 gaf uw API %d producten.", len(first)), "")
	}

	n := r.count()
	if n < 0 {
		r.restOf("Niet getest: zonder X-WP-Total is niet te bepalen hoeveel producten er zijn.", chkTotals, chkNextPage, chkBeyond)
		return
	}
	// A page size that gives at least two pages, so paging is tested on
	// small catalogues too.
	pp := 100
	if n >= 2 && n <= 100 {
		pp = (n + 1) / 2
	}
	pages := (n + pp - 1) / pp
	get := func(page int) (*response, []json.RawMessage, error) {
		resp, err := r.p.get(ctx, "/products", listQuery(pp, page), false)
		if err != nil {
			return nil, nil, err
		}
		if !resp.ok() {
			return resp, nil, fmt.Errorf("HTTP %d", resp.status)
		}
		items, ok := resp.array()
		if !ok {
			return resp, nil, errors.New("not a JSON array")
		}
		return resp, items, nil
	}
	fail := func(id string, resp *response, err error, page int) {
		d := fmt.Sprintf("page %d, per_page %d: %v", page, pp, err)
		if resp != nil {
			d = resp.summary()
		}
		r.set(id, NotConform, fmt.Sprintf("De pagina page=%d met per_page=%d gaf geen productlijst.", page, pp), d)
	}

	p1resp, p1, err := get(1)
	if err != nil {
		fail(chkTotals, p1resp, err, 1)
		r.restOf("Niet getest: de eerste pagina kon niet worden gelezen.", chkNextPage, chkBeyond)
		return
	}

	// page=2 follows page=1.
	if pages < 2 {
		r.optional(chkNextPage, "Niet getest: uw API heeft te weinig producten om het bladeren te controleren.")
	} else {
		p2resp, p2, err := get(2)
		switch {
		case err != nil:
			fail(chkNextPage, p2resp, err, 2)
		case len(p2) == 0:
			r.set(chkNextPage, NotConform, fmt.Sprintf("page=2 met per_page=%d gaf een lege lijst, terwijl er %d producten zijn.", pp, n), p2resp.summaryHead())
		default:
			one, two := ids(p1), ids(p2)
			overlap := 0
			for _, id := range two {
				if slices.Contains(one, id) {
					overlap++
				}
			}
			if overlap > 0 {
				r.set(chkNextPage, NotConform, fmt.Sprintf("page=2 gaf %d %s die ook op page=1 stonden: de parameter page werkt niet (goed). Geef per pagina de volgende producten, in een vaste volgorde.", overlap, plural(overlap, "product", "producten")),
					fmt.Sprintf("per_page=%d: page 1 ids %v, page 2 ids %v", pp, firstInts(one, 10), firstInts(two, 10)))
			} else {
				r.set(chkNextPage, Conform, fmt.Sprintf("Met per_page=%d gaf page=2 de volgende %d producten.", pp, len(p2)), "")
			}
		}
	}

	// The totals agree with what the pages hold.
	t1, tp1 := p1resp.headerInt("X-WP-Total"), p1resp.headerInt("X-WP-TotalPages")
	switch {
	case t1 < 0 || tp1 < 0:
		r.set(chkTotals, NotTested, "Niet getest: de headers X-WP-Total en X-WP-TotalPages ontbreken.", p1resp.summaryHead())
	case tp1 != (t1+pp-1)/pp:
		r.set(chkTotals, NotConform, fmt.Sprintf("Met per_page=%d en X-WP-Total %d hoort X-WP-TotalPages %d te zijn, maar uw API gaf %d. Bereken het aantal pagina's met de gevraagde per_page.", pp, t1, (t1+pp-1)/pp, tp1), p1resp.summaryHead())
	case tp1 == 0:
		r.set(chkTotals, Conform, "Uw API heeft geen producten; X-WP-Total en X-WP-TotalPages zijn 0.", "")
	default:
		lastResp, last := p1resp, p1
		if tp1 > 1 {
			lastResp, last, err = get(tp1)
		}
		want := t1 - pp*(tp1-1)
		switch {
		case err != nil:
			fail(chkTotals, lastResp, err, tp1)
		case len(last) != want:
			r.set(chkTotals, NotConform, fmt.Sprintf("De laatste pagina (page=%d, per_page=%d) gaf %d producten; volgens X-WP-Total (%d) horen dat er %d te zijn.", tp1, pp, len(last), t1, want), lastResp.summaryHead())
		case lastResp.headerInt("X-WP-Total") != t1:
			r.set(chkTotals, NotConform, fmt.Sprintf("X-WP-Total verschilt per pagina (%d op de eerste, %s op de laatste). Geef op elke pagina hetzelfde totaal.", t1, lastResp.header.Get("X-WP-Total")), lastResp.summaryHead())
		default:
			r.set(chkTotals, Conform, fmt.Sprintf("Met per_page=%d: X-WP-Total %d en X-WP-TotalPages %d kloppen met de pagina's.", pp, t1, tp1), "")
		}
	}

	// A page beyond the last is an empty list.
	beyond := max(pages, 1) + 1
	bresp, b, err := get(beyond)
	switch {
	case err != nil && bresp != nil:
		r.set(chkBeyond, NotConform, fmt.Sprintf("page=%d (voorbij de laatste pagina) gaf HTTP %d; geef dan een lege lijst [] met status 200.", beyond, bresp.status), bresp.summary())
	case err != nil:
		fail(chkBeyond, nil, err, beyond)
	case len(b) > 0:
		r.set(chkBeyond, NotConform, fmt.Sprintf("page=%d (voorbij de laatste pagina) gaf nog %d producten; geef daar een lege lijst []. Anders blijven wij pagina's ophalen.", beyond, len(b)), bresp.summaryHead())
	default:
		r.set(chkBeyond, Conform, fmt.Sprintf("page=%d (voorbij de laatste pagina) gaf een lege lijst.", beyond), "")
	}
}

func firstInts(v []int64, n int) []int64 {
	if len(v) > n {
		return v[:n]
	}
	return v
}

// modified checks modified_after with dates_are_gmt.
func (r *runner) modified(ctx context.Context) {
	n := r.count()
	query := func(after time.Time) url.Values {
		q := listQuery(100, 1)
		q.Set("modified_after", after.UTC().Format(gmtLayout))
		q.Set("dates_are_gmt", "true")
		return q
	}
	get := func(after time.Time) (*response, []json.RawMessage, string) {
		resp, err := r.p.get(ctx, "/products", query(after), false)
		if err != nil {
			return nil, nil, err.Error()
		}
		if !resp.ok() {
			return resp, nil, resp.summary()
		}
		items, ok := resp.array()
		if !ok {
			return resp, nil, resp.summary()
		}
		return resp, items, ""
	}
	refused := func(id string, after time.Time, resp *response, detail string) {
		if resp != nil && !resp.ok() {
			r.set(id, NotConform, fmt.Sprintf("Uw API accepteert modified_after=%s&dates_are_gmt=true niet (HTTP %d). Ondersteun deze parameters op GET /products.", after.UTC().Format(gmtLayout), resp.status), detail)
			return
		}
		r.set(id, NotConform, "Met modified_after gaf uw API geen productlijst.", detail)
	}

	future := r.o.Now().UTC().AddDate(1, 0, 0).Truncate(time.Second)
	resp, items, detail := get(future)
	switch {
	case detail != "":
		refused(chkModFuture, future, resp, detail)
	case len(items) > 0 || resp.headerInt("X-WP-Total") > 0:
		r.set(chkModFuture, NotConform, fmt.Sprintf("Met modified_after=%s (een jaar in de toekomst) gaf uw API %d producten; dat moeten er 0 zijn. Geef alleen producten die na dat moment zijn gewijzigd.", future.Format(gmtLayout), len(items)), resp.summaryHead())
	default:
		r.set(chkModFuture, Conform, "Met modified_after een jaar in de toekomst gaf uw API geen producten.", "")
	}

	past := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	resp, items, detail = get(past)
	got := resp.headerIntOr("X-WP-Total", len(items))
	switch {
	case detail != "":
		refused(chkModPast, past, resp, detail)
	case n < 0:
		r.set(chkModPast, NotTested, "Niet getest: zonder X-WP-Total is niet te bepalen hoeveel producten er zijn.", "")
	case got != n:
		r.set(chkModPast, NotConform, fmt.Sprintf("Met modified_after=%s gaf uw API %d producten, zonder die parameter %d. Alle producten die na dat moment zijn gewijzigd horen erin.", past.Format(gmtLayout), got, n), resp.summaryHead())
	default:
		r.set(chkModPast, Conform, fmt.Sprintf("Met modified_after=%s gaf uw API alle %d producten.", past.Format(gmtLayout), n), "")
	}

	// A moment between the sample's modification dates: exactly the
	// products changed after it.
	type stamp struct {
		id int64
		t  time.Time
	}
	var stamps []stamp
	var distinct []time.Time
	for _, p := range r.products {
		id, ok1 := intField(p, "id")
		t, ok2 := modifiedOf(p)
		if ok1 && ok2 {
			stamps = append(stamps, stamp{id, t})
			if !slices.ContainsFunc(distinct, t.Equal) {
				distinct = append(distinct, t)
			}
		}
	}
	if len(distinct) < 2 {
		r.optional(chkModBetween, "Niet getest: de producten op de eerste pagina hebben niet genoeg verschillende wijzigingsdatums.")
		return
	}
	slices.SortFunc(distinct, func(a, b time.Time) int { return a.Compare(b) })
	cut := distinct[len(distinct)/2]
	resp, items, detail = get(cut)
	if detail != "" {
		refused(chkModBetween, cut, resp, detail)
		return
	}
	returned := map[int64]time.Time{}
	var older []string
	for _, raw := range items {
		var m map[string]json.RawMessage
		if json.Unmarshal(trimJSON(raw), &m) != nil {
			continue
		}
		id, _ := intField(m, "id")
		t, ok := modifiedOf(m)
		returned[id] = t
		if ok && t.Before(cut) && len(older) < r.o.Offenders {
			older = append(older, fmt.Sprintf("product %d (gewijzigd %s)", id, t.Format(gmtLayout)))
		}
	}
	var absent []string
	whole := n >= 0 && n == len(r.products)
	if whole && len(items) < 100 {
		for _, s := range stamps {
			if _, ok := returned[s.id]; !ok && s.t.After(cut) && len(absent) < r.o.Offenders {
				absent = append(absent, fmt.Sprintf("product %d (gewijzigd %s)", s.id, s.t.Format(gmtLayout)))
			}
		}
	}
	d := fmt.Sprintf("modified_after=%s: %d returned; %s", cut.Format(gmtLayout), len(items), resp.summaryHead())
	switch {
	case len(older) > 0:
		r.set(chkModBetween, NotConform, fmt.Sprintf("Met modified_after=%s&dates_are_gmt=true gaf uw API ook producten die eerder zijn gewijzigd, bijvoorbeeld %s. Filter op date_modified_gmt (in GMT).", cut.Format(gmtLayout), joinDutch(older)), d)
	case len(absent) > 0:
		r.set(chkModBetween, NotConform, fmt.Sprintf("Met modified_after=%s&dates_are_gmt=true ontbraken producten die daarna zijn gewijzigd, bijvoorbeeld %s. Filter op date_modified_gmt (in GMT) en geef alle producten die later zijn gewijzigd.", cut.Format(gmtLayout), joinDutch(absent)), d)
	default:
		r.set(chkModBetween, Conform, fmt.Sprintf("Met modified_after=%s gaf uw API precies de %d producten die daarna zijn gewijzigd.", cut.Format(gmtLayout), len(items)), "")
	}
}

// headerIntOr is headerInt with a fallback for a missing header.
func (r *response) headerIntOr(name string, fallback int) int {
	if r == nil {
		return fallback
	}
	if v := r.headerInt(name); v >= 0 {
		return v
	}
	return fallback
}

// rateLimit reports the 429s the checks met.
func (r *runner) rateLimit() {
	switch {
	case r.p.limited == 0:
		r.set(chkRateLimit, NotTested, "Uw API vroeg ons tijdens de controle niet te wachten; dat is in orde.", "")
	case r.p.limitedNoWait:
		r.set(chkRateLimit, Warning, "Uw API antwoordde met 429 Too Many Requests zonder bruikbare Retry-After-header. Geef bij 429 in Retry-After aan hoeveel seconden wij moeten wachten.", fmt.Sprintf("%d responses with status 429", r.p.limited))
	default:
		r.set(chkRateLimit, Conform, "Uw API vroeg ons te wachten met 429 en Retry-After; wij hebben gewacht.", fmt.Sprintf("%d responses with status 429", r.p.limited))
	}
}

// trialSink counts what a trial sync reads.
type trialSink struct {
	limit              int
	products, variants int
	skipped            []string
	skippedCount       int
	errs               []connector.ItemError
	errCount           int
}

func (s *trialSink) Products(_ context.Context, _ connector.Page, items []connector.ProductItem) error {
	for _, it := range items {
		switch {
		case it.Err != nil:
			s.errCount++
			if len(s.errs) < s.limit {
				s.errs = append(s.errs, *it.Err)
			}
		case it.Skipped != "":
			s.skippedCount++
			if len(s.skipped) < s.limit {
				s.skipped = append(s.skipped, it.Skipped)
			}
		default:
			s.products++
		}
	}
	return nil
}

func (s *trialSink) Variants(_ context.Context, _ connector.Page, items []connector.VariantItem) error {
	for _, it := range items {
		if it.Err != nil {
			s.errCount++
			if len(s.errs) < s.limit {
				s.errs = append(s.errs, *it.Err)
			}
			continue
		}
		s.variants++
	}
	return nil
}

// trial reads the whole catalogue and the taxonomies through the
// connector, exactly as a sync would, and reports what it could not use.
func (r *runner) trial(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, r.o.TrialTimeout)
	defer cancel()
	sink := &trialSink{limit: r.o.Offenders}
	err := r.conn.ListCatalog(ctx, nil, sink)
	var tax string
	if err == nil {
		t, terr := r.conn.Taxonomies(ctx)
		if terr != nil {
			err = terr
		} else {
			tax = fmt.Sprintf(", %d %s, %d %s", len(t.Categories), plural(len(t.Categories), "categorie", "categorieën"),
				len(t.Attributes), plural(len(t.Attributes), "attribuut", "attributen"))
			if t.BrandsSupported {
				tax += fmt.Sprintf(" en %d %s", len(t.Brands), plural(len(t.Brands), "merk", "merken"))
			}
		}
	}
	read := fmt.Sprintf("%d %s en %d %s", sink.products, plural(sink.products, "product", "producten"), sink.variants, plural(sink.variants, "variatie", "variaties"))
	var skipped string
	if sink.skippedCount > 0 {
		skipped = fmt.Sprintf(" %d %s overgeslagen omdat het platform ze niet verkoopt (gegroepeerd of extern).", sink.skippedCount, plural(sink.skippedCount, "product is", "producten zijn"))
	}
	switch {
	case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		r.set(chkTrial, Warning, fmt.Sprintf("De proefsynchronisatie was na %s nog niet klaar; tot dan lazen wij %s. Is uw API erg traag, dan duurt ook elke synchronisatie lang.", dutchDuration(r.o.TrialTimeout), read), err.Error())
	case err != nil:
		ce := asConnError(err)
		r.set(chkTrial, NotConform, "De proefsynchronisatie stopte: "+ce.Message, ce.Detail)
	case sink.errCount > 0:
		var msgs, details []string
		for i, e := range sink.errs {
			if i < 3 {
				msgs = append(msgs, e.Message)
			}
			details = append(details, e.Code+" "+e.ExternalID+": "+e.Detail)
		}
		r.set(chkTrial, NotConform, fmt.Sprintf("Bij het inlezen van de hele catalogus %s %d %s niet bruikbaar (gelezen: %s). Bijvoorbeeld: %s%s",
			plural(sink.errCount, "was", "waren"), sink.errCount, plural(sink.errCount, "product of variatie", "producten en variaties"), read, strings.Join(msgs, " "), skipped), strings.Join(details, "; "))
	default:
		r.set(chkTrial, Conform, fmt.Sprintf("De koppeling las de hele catalogus zonder fouten: %s%s.%s", read, tax, skipped), "")
	}
}

func dutchDuration(d time.Duration) string {
	if d >= time.Minute && d%time.Minute == 0 {
		m := int(d / time.Minute)
		return fmt.Sprintf("%d %s", m, plural(m, "minuut", "minuten"))
	}
	s := int(d / time.Second)
	return fmt.Sprintf("%d %s", s, plural(s, "seconde", "seconden"))
}

// webhook lists the webhooks and registers the test webhook.
func (r *runner) webhook(ctx context.Context) {
	_, _, msg, detail := r.list(ctx, "GET /webhooks", "/webhooks", url.Values{"per_page": {"100"}, "page": {"1"}})
	if msg != "" {
		r.set(chkWebhookList, Warning, msg+" Dat is niet verplicht, maar dan kunnen wij niet zien of onze webhooks actief zijn.", detail)
	} else {
		r.set(chkWebhookList, Conform, "Uw API geeft de lijst met webhooks.", "")
	}
	w := r.o.Webhook
	if w == nil {
		r.set(CheckWebhookPost, NotTested, "Niet getest: bij deze controle is geen testwebhook aangemaakt.", "")
		r.set(CheckWebhook, NotTested, "Niet getest: bij deze controle is geen testwebhook aangemaakt.", "")
		return
	}
	hook, err := r.conn.RegisterWebhook(ctx, WebhookTopic, w.DeliveryURL, w.Secret)
	if err != nil {
		ce := asConnError(err)
		r.set(CheckWebhookPost, Warning, "Wij konden in uw API geen testwebhook aanmaken: "+ce.Message, ce.Detail)
		r.set(CheckWebhook, NotTested, "Niet getest: zonder testwebhook kunnen wij niet controleren of uw webhooks goed ondertekend zijn. Maak het aanmaken van webhooks mogelijk (POST /webhooks), of spreek met support af hoe u een testwebhook stuurt.", "")
		return
	}
	r.rep.Webhook = &RegisteredWebhook{ID: hook.ID, Topic: WebhookTopic}
	if hook.Status != "" && !hook.Active() {
		r.set(CheckWebhookPost, Warning, fmt.Sprintf("De testwebhook is aangemaakt (id %s), maar heeft de status %q in plaats van active; zo'n webhook wordt niet verstuurd.", hook.ID, hook.Status), "")
	} else {
		r.set(CheckWebhookPost, Conform, fmt.Sprintf("De testwebhook is aangemaakt (id %s).", hook.ID), "")
	}
	r.set(CheckWebhook, Waiting, WaitingFinding(w.Wait), "delivery URL "+redactToken(w.DeliveryURL))
}

// WaitingFinding tells the supplier what to do while the test webhook
// waits for a delivery.
func WaitingFinding(wait time.Duration) string {
	return fmt.Sprintf("Wij hebben in uw API een tijdelijke webhook %s aangemaakt. Wijzig binnen %s een product in uw systeem (bijvoorbeeld de prijs of de voorraad): uw API moet dan een webhook sturen, ondertekend met X-WC-Webhook-Signature over de ruwe body. Daarna verwijderen wij de tijdelijke webhook.",
		WebhookTopic, dutchDuration(wait))
}

// redactToken hides the secret token in a delivery URL.
func redactToken(u string) string {
	if i := strings.LastIndexByte(u, '/'); i >= 0 && i+1 < len(u) {
		return u[:i+1] + "…"
	}
	return u
}
