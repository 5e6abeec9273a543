package syncer_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/connector"
	"github.com/wujw/ohis/internal/demoshop"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/syncer"
)

// Changes in the shop reach OHIS through its webhooks, without a sync and
// without OHIS calling the shop for them: price, stock, a variation's
// price, a new product and a new variation.
func TestWebhooksBringChanges(t *testing.T) {
	t.Parallel()
	f := newFixture(t, demoshop.Options{Products: 40})
	simples := f.shop.ProductIDs(demoshop.TypeSimple)
	parent, _ := f.shop.Product(f.shop.ProductIDs(demoshop.TypeVariable)[0])
	runs := len(f.runs(t))
	requests := f.shop.Requests()

	must(t, f.shop.SetPrice(simples[0], 4242, nil))
	must(t, f.shop.SetStock(simples[1], true, ptr[int64](0), "outofstock"))
	must(t, f.shop.SetPrice(parent.Variations[0], 55, nil))
	f.drain(t)
	prods, vars := f.products(t), f.variants(t)
	if p := prods[ext(simples[0])]; p.PriceCents == nil || *p.PriceCents != 4242 {
		t.Errorf("price after webhook: %v", show(p.PriceCents))
	}
	if p := prods[ext(simples[1])]; p.StockStatus != "outofstock" || p.StockQty == nil || *p.StockQty != 0 {
		t.Errorf("stock after webhook: %s %v", p.StockStatus, show(p.StockQty))
	}
	if v := vars[ext(parent.Variations[0])]; v.PriceCents == nil || *v.PriceCents != 55 {
		t.Errorf("variation price after webhook: %v", show(v.PriceCents))
	}
	if p := prods[ext(parent.ID)]; p.PriceCents == nil || *p.PriceCents != 55 {
		t.Errorf("variable product price after its variation's webhook: %v", show(p.PriceCents))
	}
	if got := f.shop.Requests(); got != requests {
		t.Errorf("processing webhooks made %d requests to the shop", got-requests)
	}
	if got := len(f.runs(t)); got != runs {
		t.Errorf("webhooks started %d syncs", got-runs)
	}

	newID, err := f.shop.AddProduct(demoshop.NewProduct{Name: "Spaardouche", RegularCents: 1995})
	must(t, err)
	newVar, err := f.shop.AddVariation(parent.ID, demoshop.NewVariation{SKU: "EXTRA", RegularCents: 30})
	must(t, err)
	f.drain(t)
	prods, vars = f.products(t), f.variants(t)
	if _, ok := prods[ext(newID)]; !ok {
		t.Error("new product did not arrive by webhook")
	}
	if v, ok := vars[ext(newVar)]; !ok || v.PriceCents == nil || *v.PriceCents != 30 {
		t.Errorf("new variation by webhook: %+v", v)
	}
	if p := prods[ext(parent.ID)]; p.PriceCents == nil || *p.PriceCents != 30 {
		t.Errorf("variable product price after a cheaper new variation: %v", show(p.PriceCents))
	}
	for _, d := range f.deliveries(t) {
		if d.Result != syncer.ResultApplied && d.Result != syncer.ResultDuplicate {
			t.Errorf("delivery %d (%s %s): %s", d.ID, d.Topic, d.ResourceID, d.Result)
		}
	}
}

func (f *fixture) deliveries(t *testing.T) []store.WebhookDelivery {
	t.Helper()
	ds, err := f.env.App.Store.SyncerDeliveries(context.Background(), f.connID)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// clock is a shop clock the test moves on (WooCommerce dates have whole
// seconds).
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// The endpoint: a ping is answered 200 and not stored; a forged or
// unsigned delivery 401 and not stored; the same payload twice has one
// effect; an older payload after a newer one changes nothing; a deletion
// marks the product deleted; too big is 413; an unknown connection 404.
// Every answer comes fast.
func TestWebhookEndpoint(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Now().Add(-time.Hour)}
	f := newFixture(t, demoshop.Options{Products: 20, Now: clk.Now})
	f.pauseWebhooks(t)
	f.drain(t)
	secret := f.hookSecret(t)
	id := f.shop.ProductIDs(demoshop.TypeSimple)[0]
	base := len(f.deliveries(t))
	var took []time.Duration
	deliver := func(topic string, body []byte, signWith string) int {
		start := time.Now()
		code := f.deliver(t, topic, body, signWith)
		took = append(took, time.Since(start))
		return code
	}

	clk.add(10 * time.Second)
	must(t, f.shop.SetPrice(id, 1111, nil))
	older := f.payload(t, id)
	clk.add(10 * time.Second)
	must(t, f.shop.SetPrice(id, 2222, nil))
	newer := f.payload(t, id)

	if code := deliver("", []byte("webhook_id=7"), ""); code != http.StatusOK {
		t.Errorf("ping: %d", code)
	}
	// Shops post from their own servers: cross-origin protection does not
	// apply to the webhook endpoint (the signature does).
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/webhooks/%d", f.env.Server.URL, f.connID), strings.NewReader("webhook_id=8"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://shop.example")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("cross-site ping: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	if code := deliver("product.updated", newer, "not-the-secret"); code != http.StatusUnauthorized {
		t.Errorf("forged: %d", code)
	}
	if code := deliver("product.updated", newer, ""); code != http.StatusUnauthorized {
		t.Errorf("unsigned: %d", code)
	}
	if n := len(f.deliveries(t)); n != base {
		t.Fatalf("ping or forged deliveries were stored (%d rows)", n-base)
	}

	if code := deliver("product.updated", newer, secret); code != http.StatusOK {
		t.Fatalf("signed: %d", code)
	}
	f.drain(t)
	p := f.products(t)[ext(id)]
	if p.PriceCents == nil || *p.PriceCents != 2222 {
		t.Fatalf("price after the newer payload: %v", show(p.PriceCents))
	}
	if code := deliver("product.updated", newer, secret); code != http.StatusOK {
		t.Errorf("duplicate: %d", code)
	}
	if code := deliver("product.updated", older, secret); code != http.StatusOK {
		t.Errorf("older: %d", code)
	}
	f.drain(t)
	after := f.products(t)[ext(id)]
	if after.XMin != p.XMin || *after.PriceCents != 2222 {
		t.Errorf("the duplicate or the older payload was written: price %v", show(after.PriceCents))
	}
	ds := f.deliveries(t)[base:]
	var results []string
	for _, d := range ds {
		results = append(results, d.Result)
	}
	if !slices.Equal(results, []string{syncer.ResultApplied, syncer.ResultStale}) {
		t.Errorf("delivery results %v, want applied then stale (the duplicate is not stored twice)", results)
	}

	if code := deliver("product.deleted", []byte(fmt.Sprintf(`{"id":%d}`, id)), secret); code != http.StatusOK {
		t.Errorf("deletion: %d", code)
	}
	f.drain(t)
	if !f.products(t)[ext(id)].Deleted {
		t.Error("product not deleted by its product.deleted webhook")
	}

	big := []byte(`{"id":1,"description":"` + strings.Repeat("x", 8<<20) + `"}`)
	if code := deliver("product.updated", big, secret); code != http.StatusRequestEntityTooLarge {
		t.Errorf("9 MiB delivery: %d", code)
	}
	took = took[:len(took)-1]
	req, _ = http.NewRequest(http.MethodPost, f.env.Server.URL+"/webhooks/987654", strings.NewReader("webhook_id=1"))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown connection: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	slices.Sort(took)
	if median := took[len(took)/2]; median > 100*time.Millisecond {
		t.Errorf("median answer time %s, want well under 100 ms", median)
	}
}

// The webhook check re-activates webhooks the shop paused; when they
// cannot be repaired the connection is flagged and the supplier mailed
// once; repaired, the flag goes.
func TestWebhookCheck(t *testing.T) {
	t.Parallel()
	f := newFixture(t, demoshop.Options{Products: 10})
	ctx := context.Background()
	f.pauseWebhooks(t)
	must(t, f.svc.EnsureWebhooks(ctx, f.connID))
	for _, wh := range f.shop.Webhooks() {
		if wh.Status != "active" {
			t.Errorf("webhook %d (%s) still %s after the check", wh.ID, wh.Topic, wh.Status)
		}
	}
	if n := len(f.shop.Webhooks()); n != len(connector.ProductTopics) {
		t.Errorf("%d webhooks in the shop, want exactly %d", n, len(connector.ProductTopics))
	}

	f.shop.SetFaults(demoshop.Faults{Unauthorized: true})
	for range 2 {
		must(t, f.svc.EnsureWebhooks(ctx, f.connID))
	}
	st := f.state(t)
	if st.WebhookStatus != "disabled" || st.IncidentKind != syncer.IncidentWebhooks || st.IncidentMailedAt == nil {
		t.Errorf("after a failed check: status %s, incident %q", st.WebhookStatus, st.IncidentKind)
	}
	if n := f.mailsTo(t, f.env.Users[account.RoleSupplier].Email, "webhooks"); n != 1 {
		t.Errorf("%d mails about the webhooks, want 1", n)
	}

	f.shop.SetFaults(demoshop.Faults{})
	must(t, f.svc.EnsureWebhooks(ctx, f.connID))
	if st := f.state(t); st.WebhookStatus != "active" || st.IncidentKind != "" {
		t.Errorf("after repair: status %s, incident %q", st.WebhookStatus, st.IncidentKind)
	}
}

func (f *fixture) mailsTo(t *testing.T, to, subjectPart string) int {
	t.Helper()
	mails, err := f.env.App.Store.MailOutboxList(context.Background(), 500)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range mails {
		if m.To == to && strings.Contains(m.Subject, subjectPart) {
			if !strings.Contains(m.Text, fmt.Sprintf("/koppelingen/%d", f.connID)) {
				t.Errorf("incident mail without a link to the connection:\n%s", m.Text)
			}
			n++
		}
	}
	return n
}

// Refused keys flag the connection at once and mail the supplier once,
// however often the sync fails; a connection failing for over an hour is
// an incident of its own; success clears both.
func TestIncidentsMailOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, demoshop.Options{Products: 10})
	ctx := context.Background()
	supplierUser := f.env.Users[account.RoleSupplier].Email
	other := f.env.OtherSupplierUser.Email

	f.shop.SetFaults(demoshop.Faults{Unauthorized: true})
	for range 3 {
		_, err := f.svc.Run(ctx, f.connID, syncer.KindIncremental, "test", nil)
		var re *syncer.RunError
		if !errors.As(err, &re) || re.Code != string(connector.CodeAuth) || re.Message == "" {
			t.Fatalf("run with refused keys: %v", err)
		}
	}
	st := f.state(t)
	if !st.AuthFailed || st.IncidentKind != syncer.IncidentAuth || st.FailingSince == nil {
		t.Errorf("after 401s: %+v", st)
	}
	if n := f.mailsTo(t, supplierUser, "sleutels"); n != 1 {
		t.Errorf("%d mails about refused keys, want 1", n)
	}
	if n := f.mailsTo(t, other, ""); n != 0 {
		t.Errorf("another supplier's user got %d mails", n)
	}
	if errs := connectionErrors(f.openErrors(t)); len(errs) != 1 || errs[0].Code != string(connector.CodeAuth) {
		t.Errorf("open connection errors: %+v", errs)
	}

	f.shop.SetFaults(demoshop.Faults{})
	f.run(t, syncer.KindIncremental)
	if st := f.state(t); st.AuthFailed || st.IncidentKind != "" || st.FailingSince != nil {
		t.Errorf("after a successful run: %+v", st)
	}

	// Failing, but not for an hour yet: no incident; an hour later the
	// scheduler opens one.
	f.shop.SetFaults(demoshop.Faults{FailPage: map[string]int{"products": 1}})
	if _, err := f.svc.Run(ctx, f.connID, syncer.KindIncremental, "test", nil); err == nil {
		t.Fatal("run against a failing shop succeeded")
	}
	if st := f.state(t); st.IncidentKind != "" {
		t.Errorf("incident %q after one failure", st.IncidentKind)
	}
	if _, err := f.pool.Exec(ctx, `UPDATE connections SET failing_since = now() - interval '61 minutes' WHERE id = $1`, f.connID); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		must(t, f.svc.Schedule(ctx))
	}
	if st := f.state(t); st.IncidentKind != syncer.IncidentFailing {
		t.Errorf("incident %q after failing for an hour", st.IncidentKind)
	}
	if n := f.mailsTo(t, supplierUser, "mislukt"); n != 1 {
		t.Errorf("%d mails about failing syncs, want 1", n)
	}
}
