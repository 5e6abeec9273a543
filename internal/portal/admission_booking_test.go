package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/supplier"
)

var bkSeq atomic.Int64

var bkAmsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic(err)
	}
	return loc
}()

// bkSupplier is an admitted supplier that reported its integration ready,
// with a user to log in as.
type bkSupplier struct {
	supplierID, applicationID int64
	company, contactEmail     string
	user                      account.User
	actor                     audit.Actor
}

// bkReadySupplier prepares a supplier in integration_ready with SQL: the
// steps before it are other areas' tests.
func bkReadySupplier(t *testing.T, env *apptest.Env) bkSupplier {
	t.Helper()
	ctx := context.Background()
	n := bkSeq.Add(1)
	s := bkSupplier{company: fmt.Sprintf("Boekingswinkel %d B.V.", n), contactEmail: fmt.Sprintf("contact%d@boeking.example", n)}
	if err := env.App.Pool.QueryRow(ctx, `INSERT INTO suppliers (name) VALUES ($1) RETURNING id`, s.company).Scan(&s.supplierID); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Pool.QueryRow(ctx, `
		INSERT INTO applications (company_name, kvk, vat_id, iban, contact_name, email, phone, website, platform,
		                          terms_accepted_at, state, supplier_id, admitted_at)
		VALUES ($1, $2, 'NL123456789B01', 'NL91ABNA0417164300', 'Bram Boeker', $3, '+31201234567',
		        'https://boeking.example', 'shopify', now(), 'integration_ready', $4, now())
		RETURNING id`, s.company, fmt.Sprintf("%08d", 84000000+n), s.contactEmail, s.supplierID).Scan(&s.applicationID); err != nil {
		t.Fatal(err)
	}
	s.user = env.CreateUser(t, fmt.Sprintf("medewerker%d@boeking.example", n), account.RoleSupplier, &s.supplierID)
	s.actor = audit.Actor{UserID: &s.user.ID, Email: s.user.Email}
	return s
}

func bkState(t *testing.T, env *apptest.Env, applicationID int64) admission.State {
	t.Helper()
	a, err := env.App.Store.ApplicationGet(context.Background(), applicationID)
	if err != nil {
		t.Fatal(err)
	}
	return a.State
}

// bkSlot puts a slot run by the support user at a fresh time after d.
func bkSlot(t *testing.T, env *apptest.Env, d time.Duration) store.TestSlot {
	t.Helper()
	start := time.Now().Add(d).Truncate(time.Minute).Add(time.Duration(bkSeq.Add(1)) * 2 * time.Hour)
	slot, err := env.App.Store.TestSlotCreate(context.Background(), start, 60, env.Users[account.RoleSupport].ID)
	if err != nil {
		t.Fatal(err)
	}
	return slot
}

// bkPage fetches a page and checks its status.
func bkPage(t *testing.T, env *apptest.Env, c *http.Client, path string, status int) string {
	t.Helper()
	resp := env.Get(t, c, path)
	body := apptest.Body(t, resp)
	if resp.StatusCode != status {
		t.Fatalf("GET %s: %d, want %d:\n%s", path, resp.StatusCode, status, body)
	}
	return body
}

// bkPost posts a form and checks its status (and Location for a 303).
func bkPost(t *testing.T, env *apptest.Env, c *http.Client, path string, form url.Values, status int, location string) string {
	t.Helper()
	resp := env.PostForm(t, c, path, form)
	body := apptest.Body(t, resp)
	if resp.StatusCode != status || (location != "" && resp.Header.Get("Location") != location) {
		t.Fatalf("POST %s: %d to %q, want %d to %q:\n%s", path, resp.StatusCode, resp.Header.Get("Location"), status, location, body)
	}
	return body
}

func bkText(t *testing.T, body, selector string) string {
	t.Helper()
	sel := parseHTML(t, body).Find(selector)
	if sel.Length() == 0 {
		t.Fatalf("no %s on the page:\n%s", selector, body)
	}
	return strings.Join(strings.Fields(sel.Text()), " ")
}

// The whole of steps 4–6 in the portal: staff publish a slot, the supplier
// books it and downloads the invitation, staff record 16 passed variants
// and decide "passed", and the supplier is in production.
func TestBookingThroughThePortal(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	s := bkReadySupplier(t, env)
	staffC, supC := env.LoginRole(t, account.RoleSupport), env.Login(t, s.user.Email)
	start := time.Now().In(bkAmsterdam).AddDate(0, 0, 5)
	start = time.Date(start.Year(), start.Month(), start.Day(), 10, 0, 0, 0, bkAmsterdam)

	bkPost(t, env, staffC, "/beheer/testmomenten", url.Values{"date": {start.Format("2006-01-02")}, "time": {"10:00"}, "duration": {"90"},
		"staff_id": {fmt.Sprint(env.Users[account.RoleSupport].ID)}}, http.StatusSeeOther, "/beheer/testmomenten")
	slots, err := env.App.Store.TestSlotList(context.Background(), start)
	if err != nil || len(slots) != 1 || !slots[0].StartsAt.Equal(start) || slots[0].DurationMin != 90 {
		t.Fatalf("published slots %+v (%v), want one at %v for 90 minutes", slots, err, start)
	}
	slot := slots[0]
	row := bkText(t, bkPage(t, env, staffC, "/beheer/testmomenten", 200), fmt.Sprintf(`[data-testid="slot-row-%d"]`, slot.ID))
	if !strings.Contains(row, start.Format("02-01-2006")+" 10:00") || !strings.Contains(row, "Vrij") || !strings.Contains(row, "1 uur en 30 minuten") {
		t.Errorf("slot row %q", row)
	}

	page := bkPage(t, env, supC, "/koppeling/integratietest", 200)
	if label := bkText(t, page, fmt.Sprintf(`label[for="slot-%d"]`, slot.ID)); !strings.Contains(label, start.Format("02-01-2006")+", 10:00–11:30") {
		t.Errorf("slot label %q", label)
	}
	bkPost(t, env, supC, "/koppeling/integratietest", url.Values{"slot_id": {fmt.Sprint(slot.ID)}}, http.StatusSeeOther, "/koppeling/integratietest")
	page = bkPage(t, env, supC, "/koppeling/integratietest", 200)
	if day := bkText(t, page, `[data-testid="booking-day"]`); !strings.Contains(day, start.Format("02-01-2006")) {
		t.Errorf("booked day %q", day)
	}
	if bkState(t, env, s.applicationID) != admission.TestBooked {
		t.Fatal("not test_booked after booking")
	}

	resp := env.Get(t, supC, "/koppeling/integratietest/uitnodiging.ics")
	ics := apptest.Body(t, resp)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/calendar; charset=utf-8" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("invitation download: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	if !strings.Contains(ics, "DTSTART;TZID=Europe/Amsterdam:"+start.Format("20060102")+"T100000\r\n") || !strings.Contains(ics, "METHOD:REQUEST\r\n") {
		t.Errorf("invitation:\n%s", ics)
	}

	slotsPage := bkPage(t, env, staffC, "/beheer/testmomenten", 200)
	link := parseHTML(t, slotsPage).Find(`[data-testid="slot-booking"]`)
	href, _ := link.Attr("href")
	if strings.TrimSpace(link.Text()) != s.company || !strings.HasPrefix(href, "/beheer/integratietests/") {
		t.Fatalf("booked slot links %q to %q", link.Text(), href)
	}
	bkPost(t, env, staffC, fmt.Sprintf("/beheer/testmomenten/%d/intrekken", slot.ID), nil, http.StatusSeeOther, "/beheer/testmomenten")
	if flash := bkText(t, bkPage(t, env, staffC, "/beheer/testmomenten", 200), ".flash-error"); !strings.Contains(flash, "kan niet worden ingetrokken") {
		t.Errorf("withdrawing a booked slot: %q", flash)
	}

	bkPage(t, env, staffC, href, 200)
	// Support records results; an admin signs the test off (SPEC §1).
	adminC := env.LoginRole(t, account.RoleAdmin)
	bkPost(t, env, staffC, href+"/besluit", url.Values{"outcome": {"passed"}}, http.StatusForbidden, "")
	body := bkPost(t, env, adminC, href+"/besluit", url.Values{"outcome": {"passed"}}, http.StatusUnprocessableEntity, "")
	if msg := bkText(t, body, `[data-testid="test-error"]`); !strings.Contains(msg, "Nog niet in orde") || !strings.Contains(msg, "Retour met creditering aan WUJW") {
		t.Errorf("passing without results: %q", msg)
	}
	results := url.Values{}
	for _, c := range supplier.TestCases {
		for v := 1; v <= supplier.TestVariants; v++ {
			results.Set(supplier.ResultField(c, v), "passed")
		}
	}
	bkPost(t, env, staffC, href+"/resultaten", results, http.StatusSeeOther, href)
	bkPost(t, env, adminC, href+"/besluit", url.Values{"outcome": {"passed"}}, http.StatusSeeOther, href)
	if st := bkState(t, env, s.applicationID); st != admission.Production {
		t.Errorf("state after passing %s, want production", st)
	}
	bkText(t, bkPage(t, env, supC, "/koppeling/integratietest", 200), `[data-testid="booking-passed"]`)

	outbox := bkPage(t, env, env.LoginRole(t, account.RoleAdmin), "/beheer/e-mail", 200)
	if got := bkText(t, outbox, `[data-testid="mail-attachments"]`); !strings.Contains(got, "integratietest.ics") {
		t.Errorf("the outbox lists attachments %q", got)
	}
}

// A supplier sees and changes only its own booking: another's slot is
// neither offered nor bookable, its cancel and move touch nothing of the
// other, and the staff page of the other's test is closed to it.
func TestBookingIsScopedToOwnSupplier(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	a, b := bkReadySupplier(t, env), bkReadySupplier(t, env)
	slot, free := bkSlot(t, env, 72*time.Hour), bkSlot(t, env, 96*time.Hour)
	booking, err := env.App.Supplier.Book(ctx, a.actor, a.supplierID, slot.ID)
	if err != nil {
		t.Fatal(err)
	}
	bc := env.Login(t, b.user.Email)
	page := bkPage(t, env, bc, "/koppeling/integratietest", 200)
	if strings.Contains(page, a.company) || parseHTML(t, page).Find(fmt.Sprintf(`#slot-%d`, slot.ID)).Length() > 0 {
		t.Errorf("the other supplier's booking shows:\n%s", page)
	}
	body := bkPost(t, env, bc, "/koppeling/integratietest", url.Values{"slot_id": {fmt.Sprint(slot.ID)}}, http.StatusUnprocessableEntity, "")
	if msg := bkText(t, body, `[data-testid="booking-error"]`); !strings.Contains(msg, "Dit moment is net door een andere aanbieder geboekt; kies een ander moment.") {
		t.Errorf("booking a taken slot: %q", msg)
	}
	if got := bkText(t, body, `[data-testid="error-slot_id"]`); got == "" {
		t.Error("the slot choice is not marked")
	}
	bkPost(t, env, bc, "/koppeling/integratietest/annuleren", nil, http.StatusUnprocessableEntity, "")
	bkPost(t, env, bc, "/koppeling/integratietest/verplaatsen", url.Values{"slot_id": {fmt.Sprint(free.ID)}}, http.StatusUnprocessableEntity, "")
	live, err := env.App.Store.TestBookingLiveForApplication(ctx, a.applicationID)
	if err != nil || live.ID != booking.ID || live.SlotID != slot.ID {
		t.Errorf("the other supplier's booking changed: %+v, %v", live, err)
	}
	bkPage(t, env, bc, "/koppeling/integratietest/uitnodiging.ics", http.StatusNotFound)
	bkPage(t, env, bc, fmt.Sprintf("/beheer/integratietests/%d", booking.ID), http.StatusForbidden)
	if bkState(t, env, b.applicationID) != admission.IntegrationReady {
		t.Error("the refused supplier moved")
	}
}

// Staff get a Dutch message on each wrong field of the slot form, with
// what they typed kept.
func TestSlotFormErrorsInDutch(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	c := env.LoginRole(t, account.RoleAdmin)
	body := bkPost(t, env, c, "/beheer/testmomenten", url.Values{"date": {"2020-01-01"}, "time": {"10:00"}, "duration": {"5"}, "staff_id": {""}},
		http.StatusUnprocessableEntity, "")
	for sel, want := range map[string]string{
		`[data-testid="error-date"]`:     "Deze datum ligt in het verleden",
		`[data-testid="error-duration"]`: "De duur moet tussen 15 en 480 minuten liggen.",
		`[data-testid="error-staff_id"]`: "Kies wie de integratietest begeleidt.",
	} {
		if got := bkText(t, body, sel); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", sel, got, want)
		}
	}
	if v, _ := parseHTML(t, body).Find(`input[name="duration"]`).Attr("value"); v != "5" {
		t.Errorf("the typed duration is not kept: %q", v)
	}
	body = bkPost(t, env, c, "/beheer/testmomenten", url.Values{"date": {"morgen"}, "time": {"25:61"}, "duration": {"60"},
		"staff_id": {fmt.Sprint(env.Users[account.RoleCurator].ID)}}, http.StatusUnprocessableEntity, "")
	for sel, want := range map[string]string{
		`[data-testid="error-date"]`:     "Vul een geldige datum in, zoals 27-11-2026.",
		`[data-testid="error-time"]`:     "Vul een geldig tijdstip in, zoals 14:30.",
		`[data-testid="error-staff_id"]`: "Kies een actieve beheerder of supportmedewerker.",
	} {
		if got := bkText(t, body, sel); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", sel, got, want)
		}
	}
	if slots, _ := env.App.Store.TestSlotList(context.Background(), time.Now().AddDate(-10, 0, 0)); len(slots) != 0 {
		t.Errorf("%d slots created from wrong input", len(slots))
	}
}

// Within 24 hours the page says the test is fixed and a cancel is refused;
// earlier, cancelling returns the supplier to integration_ready.
func TestBookingCancelInPortal(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	soon, later := bkReadySupplier(t, env), bkReadySupplier(t, env)
	soonSlot, err := env.App.Store.TestSlotCreate(ctx, time.Now().Add(5*time.Hour), 60, env.Users[account.RoleAdmin].ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Supplier.Book(ctx, soon.actor, soon.supplierID, soonSlot.ID); err != nil {
		t.Fatal(err)
	}
	sc := env.Login(t, soon.user.Email)
	bkText(t, bkPage(t, env, sc, "/koppeling/integratietest", 200), `[data-testid="booking-locked"]`)
	body := bkPost(t, env, sc, "/koppeling/integratietest/annuleren", nil, http.StatusUnprocessableEntity, "")
	if msg := bkText(t, body, `[data-testid="booking-error"]`); !strings.Contains(msg, "24 uur") {
		t.Errorf("cancelling within 24 hours: %q", msg)
	}
	if bkState(t, env, soon.applicationID) != admission.TestBooked {
		t.Error("cancelled within 24 hours")
	}

	if _, err := env.App.Supplier.Book(ctx, later.actor, later.supplierID, bkSlot(t, env, 72*time.Hour).ID); err != nil {
		t.Fatal(err)
	}
	lc := env.Login(t, later.user.Email)
	bkPost(t, env, lc, "/koppeling/integratietest/annuleren", nil, http.StatusSeeOther, "/koppeling/integratietest")
	if st := bkState(t, env, later.applicationID); st != admission.IntegrationReady {
		t.Errorf("state after cancelling %s, want integration_ready", st)
	}
	page := bkPage(t, env, lc, "/koppeling/integratietest", 200)
	bkText(t, page, `[data-testid="booking-submit"]`)
	if got := bkText(t, page, `[data-testid="booking-history"]`); !strings.Contains(got, "Geannuleerd") {
		t.Errorf("history %q", got)
	}
}

// A failed test sends the supplier back to step 3; the findings are mailed
// and shown on its booking page.
func TestFailedTestFindingsReachTheSupplier(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	s := bkReadySupplier(t, env)
	b, err := env.App.Supplier.Book(context.Background(), s.actor, s.supplierID, bkSlot(t, env, 48*time.Hour).ID)
	if err != nil {
		t.Fatal(err)
	}
	staffC := env.LoginRole(t, account.RoleAdmin)
	path := fmt.Sprintf("/beheer/integratietests/%d", b.ID)
	body := bkPost(t, env, staffC, path+"/besluit", url.Values{"outcome": {"failed"}}, http.StatusUnprocessableEntity, "")
	bkText(t, body, `[data-testid="error-findings"]`)
	findings := "Een deelbetaling met iDEAL wordt dubbel geboekt."
	bkPost(t, env, staffC, path+"/besluit", url.Values{"outcome": {"failed"}, "findings": {findings}}, http.StatusSeeOther, path)
	if st := bkState(t, env, s.applicationID); st != admission.Admitted {
		t.Errorf("state %s, want admitted", st)
	}
	if got := bkText(t, bkPage(t, env, staffC, path, 200), `[data-testid="test-status"]`); got != "Niet geslaagd" {
		t.Errorf("staff page status %q", got)
	}
	page := bkPage(t, env, env.Login(t, s.user.Email), "/koppeling/integratietest", 200)
	if got := bkText(t, page, `[data-testid="booking-findings"]`); !strings.Contains(got, findings) {
		t.Errorf("the supplier's page shows findings %q", got)
	}
	mails, err := env.App.Store.MailOutboxList(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range mails {
		found = found || (m.To == s.contactEmail && strings.Contains(m.Text, findings))
	}
	if !found {
		t.Error("no mail with the findings to the contact person")
	}
}
