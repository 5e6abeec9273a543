package e2e

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/apptest"
)

// admissionTimeout bounds the whole admission walk-through, in every tab.
const admissionTimeout = 120 * time.Second

// The whole admission of a new supplier, clicked through by the people who
// do it, each in a browser of their own: the applicant applies (first with
// a wrong IBAN), the admin reviews and admits, the invited supplier sets a
// password, creates an acceptance key and reports the integration ready,
// support publishes a test slot, the supplier books it, and the admin
// records all 16 variants as passed and admits the supplier to production.
func TestAdmissionFromApplicationToProduction(t *testing.T) {
	env := setup(t)
	started := time.Now()
	last := started
	step := func(name string) {
		t.Helper()
		now := time.Now()
		t.Logf("%-40s %5.1fs (at %5.1fs)", name, now.Sub(last).Seconds(), now.Sub(started).Seconds())
		last = now
	}
	deadline, cancel := context.WithTimeout(browser.ctx, admissionTimeout)
	t.Cleanup(cancel)

	const (
		company  = "Zonnig Wonen B.V."
		kvk      = "87654321"
		vat      = "NL123456789B01"
		badIBAN  = "NL91ABNA0417164301" // one digit off: the check digits fail
		goodIBAN = "NL91ABNA0417164300"
		contact  = "Sanne de Vries"
		email    = "sanne@zonnigwonen.example"
		phone    = "020 123 4567"
		website  = "https://www.zonnigwonen.example"
		password = "acht-bijen-zoemen-in-de-tuin"
		keyName  = "Webshop koppeling"
	)
	adminUser := env.Users[account.RoleAdmin]
	supportUser := env.Users[account.RoleSupport]

	// 1–2. The applicant, not logged in, applies; the first try has a wrong IBAN.
	sup := newTabWithin(t, env, deadline)
	sup.open("/aanmelden")
	if got := sup.text("h1"); got != "Aanmelden als aanbieder" {
		t.Fatalf("application form heading %q", got)
	}
	sup.typeInto("#f-company_name", company)
	sup.typeInto("#f-kvk", kvk)
	sup.typeInto("#f-vat_id", vat)
	sup.typeInto("#f-iban", badIBAN)
	sup.typeInto("#f-contact_name", contact)
	sup.typeInto("#f-email", email)
	sup.typeInto("#f-phone", phone)
	sup.typeInto("#f-website", website)
	sup.choose("#f-platform", "WooCommerce")
	sup.clickOn("#f-accept_terms")
	if status := sup.press("[data-testid=apply-submit]"); status != http.StatusUnprocessableEntity {
		t.Errorf("submitting a wrong IBAN: status %d, want 422", status)
	}
	if got := sup.text("[data-testid=error-iban]"); got != "Dit IBAN klopt niet: het controlegetal komt niet overeen. Controleer op tikfouten." {
		t.Errorf("IBAN message %q", got)
	}
	if got := sup.texts("[data-testid=error-summary] li"); len(got) != 1 || !strings.Contains(got[0], "IBAN") {
		t.Errorf("error summary %q, want only the IBAN message", got)
	}
	if n := len(sup.texts(".field-error")); n != 1 {
		t.Errorf("%d field messages, want 1 (only the IBAN)", n)
	}
	if got := sup.attr("#f-iban", "aria-invalid"); got != "true" {
		t.Errorf("IBAN field aria-invalid=%q, want true", got)
	}
	for css, want := range map[string]string{
		"#f-company_name": company, "#f-kvk": kvk, "#f-vat_id": vat, "#f-iban": badIBAN, "#f-contact_name": contact,
		"#f-email": email, "#f-phone": phone, "#f-website": website, "#f-platform": "woocommerce",
	} {
		if got := sup.value(css); got != want {
			t.Errorf("%s is %q after the refused submit, want the typed %q", css, got, want)
		}
	}
	if !eval[bool](sup, `document.querySelector("#f-accept_terms").checked`) {
		t.Error("the conditions are no longer accepted after the refused submit")
	}
	sup.screenshot("admission-apply-errors")

	sup.retype("#f-iban", goodIBAN)
	sup.press("[data-testid=apply-submit]")
	if got := sup.path(); got != "/aanmelden/ontvangen" {
		t.Fatalf("after applying the browser is on %s, want /aanmelden/ontvangen", got)
	}
	if got := sup.text("[data-testid=apply-done] h1"); got != "Bedankt voor uw aanmelding" {
		t.Errorf("thank-you page heading %q", got)
	}

	step("1–2 applying, wrong IBAN first")

	// 3. The admin reviews the application and admits it.
	adm := newTabWithin(t, env, deadline)
	adm.login(adminUser.Email, apptest.Password)
	adm.clickNav("Aanmeldingen")
	adm.clickLink(company)
	if got := adm.text("h1"); got != company {
		t.Fatalf("application page heading %q, want %q", got, company)
	}
	if got := adm.text("[data-testid=iban]"); got != "NL91 ABNA 0417 1643 00" {
		t.Errorf("IBAN shown as %q", got)
	}
	adm.press("[data-testid=start-review]")
	adm.wantFlash("De aanmelding is in behandeling genomen.")
	if got := adm.text("[data-testid=application-state]"); got != "In beoordeling" {
		t.Errorf("state after starting the review %q, want In beoordeling", got)
	}
	boxes := eval[[]string](adm, `Array.from(document.querySelectorAll("[data-testid=checklist-form] input[type=checkbox]"), b => "#" + b.id)`)
	if len(boxes) == 0 {
		t.Fatal("the checklist has no requirements to tick")
	}
	for _, box := range boxes {
		adm.clickOn(box)
	}
	adm.pressButton("Checklist opslaan")
	adm.wantFlash("De checklist is opgeslagen.")
	if n := eval[int](adm, `document.querySelectorAll("[data-testid=checklist-form] input:checked").length`); n != len(boxes) {
		t.Errorf("%d of %d requirements ticked after saving", n, len(boxes))
	}
	if n := eval[int](adm, `document.querySelectorAll("[data-testid=checklist-open]").length`); n != 0 {
		t.Errorf("the page still says requirements are open: %q", adm.text("[data-testid=checklist-open]"))
	}
	adm.screenshot("admission-application")
	adm.press("[data-testid=admit]")
	adm.wantFlash(company + " is toegelaten. " + email + " heeft een uitnodiging voor het portaal ontvangen.")
	if got := adm.text("[data-testid=application-state]"); got != "Toegelaten (test en acceptatie)" {
		t.Errorf("state after admitting %q", got)
	}

	step("3 review and admit")

	// 4. The admin reads the invitation link from the outbox and logs out.
	adm.clickNav("Uitgaande e-mail")
	adm.follow("open the invitation mail", clickXPath(`//tr[td[normalize-space(.)=`+xpathString(email)+`]]//a[contains(., "Uitnodiging voor het portaal")]`))
	body := adm.text("[data-testid=mail-body]")
	link := regexp.MustCompile(`https?://\S+/uitnodiging/\S+`).FindString(body)
	if !strings.HasPrefix(link, env.Server.URL+"/uitnodiging/") {
		t.Fatalf("no invitation link to the portal in the mail:\n%s", body)
	}
	adm.press("[data-testid=logout]")

	step("4 invitation from the outbox")

	// 5. The new supplier follows the link, chooses a password and logs in.
	sup.open(strings.TrimPrefix(link, env.Server.URL))
	if got := sup.text("main"); !strings.Contains(got, email) {
		t.Errorf("the invitation page does not name the account %s", email)
	}
	sup.typeInto("#f-password", password)
	sup.typeInto("#f-confirm", password)
	sup.pressButton("Wachtwoord opslaan")
	if got := sup.path(); got != "/inloggen" {
		t.Fatalf("after choosing a password the browser is on %s, want /inloggen", got)
	}
	sup.wantFlash("Uw account is geactiveerd")
	sup.login(email, password)
	if got := sup.text("[data-testid=home-title]"); got != "Welkom, "+contact {
		t.Errorf("start page title %q, want %q", got, "Welkom, "+contact)
	}
	sup.wantStep(3, "current")
	if got := sup.attr("[data-testid=next-action]", "data-kind"); got != "create-key" {
		t.Errorf("next action %q, want create-key", got)
	}
	if got := sup.text("[data-testid=next-action-title]"); got != "Maak een API-sleutel voor de acceptatieomgeving aan" {
		t.Errorf("next action title %q", got)
	}
	if got := sup.attr("[data-testid=next-action-link]", "href"); got != "/koppeling/sleutels" {
		t.Errorf("next action links to %q, want /koppeling/sleutels", got)
	}
	sup.screenshot("admission-supplier-step3")

	step("5 activate, log in, step 3")

	// 6. An acceptance key, then "integration ready".
	sup.clickNav("API-sleutels")
	sup.clickOn("#f-env-acceptance")
	sup.typeInto("#f-name", keyName)
	sup.press("[data-testid=create-key]")
	secret := sup.value("[data-testid=new-key-secret]")
	if !strings.HasPrefix(secret, "ohis_acc_") || len(secret) < len("ohis_acc_")+16 {
		t.Errorf("new key secret %q, want a long ohis_acc_… key", secret)
	}
	if got := sup.text("#secret-h"); !strings.Contains(got, keyName) || !strings.Contains(got, "Acceptatie") {
		t.Errorf("new key heading %q, want the name and the environment", got)
	}
	if got := sup.texts("[data-testid=keys-acceptance] [data-testid=key-row] td:first-child"); len(got) != 1 || got[0] != keyName {
		t.Errorf("acceptance keys %q, want [%s]", got, keyName)
	}
	sup.screenshot("admission-keys-secret")
	sup.clickNav("Start")
	if got := sup.attr("[data-testid=next-action]", "data-kind"); got != "report-ready" {
		t.Fatalf("next action after creating the key %q, want report-ready", got)
	}
	if got := sup.text("[data-testid=next-action-title]"); got != "Meld uw koppeling gereed" {
		t.Errorf("next action title %q", got)
	}
	sup.press("[data-testid=next-action-button]")
	sup.wantFlash("Uw koppeling is gereed gemeld.")
	if got := sup.text("[data-testid=admission-state]"); got != "Koppeling gereed gemeld" {
		t.Errorf("state after reporting ready %q, want Koppeling gereed gemeld", got)
	}
	sup.wantStep(4, "current")

	step("6 acceptance key, report ready")

	// 7. Support publishes a slot, at least three days ahead, 10:00, 60 minutes, themselves.
	amsterdam, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	day := time.Now().In(amsterdam).AddDate(0, 0, 5)
	dayNL := day.Format("02-01-2006")
	weekday := [...]string{"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"}[day.Weekday()]
	staff := newTabWithin(t, env, deadline)
	staff.login(supportUser.Email, apptest.Password)
	staff.clickNav("Testmomenten")
	staff.setValue("#f-date", day.Format("2006-01-02"))
	staff.setValue("#f-time", "10:00")
	staff.retype("#f-duration", "60")
	staff.choose("#f-staff_id", supportUser.DisplayName()+" (Support)")
	staff.pressButton("Publiceren")
	staff.wantFlash(fmt.Sprintf("Het testmoment van %s %s om 10:00 is gepubliceerd.", weekday, dayNL))
	row := staff.texts(`[data-testid=slots-table] tbody tr`)
	if len(row) != 1 || !strings.Contains(row[0], dayNL+" 10:00") || !strings.Contains(row[0], "1 uur") || !strings.Contains(row[0], "Vrij") {
		t.Errorf("slots table %q, want one free slot on %s 10:00 of 1 uur", row, dayNL)
	}
	staff.screenshot("admission-slots")

	step("7 support publishes a slot")

	// 8. The supplier books that slot.
	sup.clickNav("Integratietest")
	sup.do("choose the slot", clickXPath(`//label[contains(., `+xpathString(dayNL+", 10:00–11:00")+`)]`))
	sup.press("[data-testid=booking-submit]")
	sup.wantFlash(fmt.Sprintf("Uw integratietest is geboekt op %s %s om 10:00.", weekday, dayNL))
	if got := sup.text("[data-testid=booking-day]"); got != weekday+" "+dayNL {
		t.Errorf("booked day %q, want %q", got, weekday+" "+dayNL)
	}
	if got := sup.text("[data-testid=booking-current]"); !strings.Contains(got, "10:00–11:00 (1 uur)") || !strings.Contains(got, supportUser.DisplayName()) {
		t.Errorf("booking details %q, want 10:00–11:00 (1 uur) with %s", got, supportUser.DisplayName())
	}
	if got := sup.attr("[data-testid=booking-ics]", "href"); got != "/koppeling/integratietest/uitnodiging.ics" {
		t.Errorf(".ics link %q", got)
	}
	// What the browser would download from the link.
	ics := get(sup, "download the .ics", chromedp.Evaluate[string](`fetch(document.querySelector("[data-testid=booking-ics]").href)
		.then(r => r.text().then(b => r.status + " " + r.headers.get("Content-Type") + "\n" + b))`, chromedp.EvalAwaitPromise))
	if !strings.HasPrefix(ics, "200 text/calendar") || !strings.Contains(ics, "BEGIN:VCALENDAR") {
		t.Errorf("the .ics link gives:\n%.300s", ics)
	}
	sup.screenshot("admission-booking")

	step("8 supplier books")

	// The confirmation with the invitation attached is in the outbox.
	adm.login(adminUser.Email, apptest.Password)
	adm.clickNav("Uitgaande e-mail")
	mails := eval[[]string](adm, `Array.from(document.querySelectorAll("[data-testid=outbox-table] tbody tr"),
		tr => Array.from(tr.cells, c => c.textContent.replace(/\s+/g, " ").trim()).join(" | "))`)
	found := false
	for _, m := range mails {
		if strings.Contains(m, email) && strings.Contains(m, "Integratietest gepland op") && regexp.MustCompile(`bijlage: \S+\.ics\b`).MatchString(m) {
			found = true
		}
	}
	if !found {
		t.Errorf("no booking mail to %s with an .ics attachment in the outbox:\n%s", email, strings.Join(mails, "\n"))
	}

	step("8 booking mail in the outbox")

	// 9. The admin records the test: all 16 variants passed, then the decision.
	adm.clickNav("Testmomenten")
	adm.clickLink(company)
	if got := adm.path(); !regexp.MustCompile(`^/beheer/integratietests/\d+$`).MatchString(got) {
		t.Fatalf("the booked slot's link leads to %s, want /beheer/integratietests/{id}", got)
	}
	if got := adm.text("[data-testid=test-status]"); got != "Gepland" {
		t.Errorf("test status %q, want Gepland", got)
	}
	passed := eval[[]string](adm, `Array.from(document.querySelectorAll("[data-testid=results-form] input[type=radio][value=passed]"), r => "#" + r.id)`)
	if len(passed) != 16 {
		t.Fatalf("%d 'geslaagd' choices on the results form, want 16 (4 cases × 4 variants)", len(passed))
	}
	for _, r := range passed {
		adm.clickOn(r)
	}
	adm.press("[data-testid=results-submit]")
	adm.wantFlash("De resultaten zijn opgeslagen.")
	if got := adm.text("#r-h + p"); !strings.Contains(got, "16 van 16 varianten geslaagd") {
		t.Errorf("results summary %q, want 16 van 16 varianten geslaagd", got)
	}
	if n := eval[int](adm, `document.querySelectorAll("[data-testid=test-missing]").length`); n != 0 {
		t.Errorf("still missing: %q", adm.text("[data-testid=test-missing]"))
	}
	adm.screenshot("admission-testresult")
	adm.clickOn("#outcome-passed")
	adm.press("[data-testid=decide-submit]")
	adm.wantFlash("De integratietest is als geslaagd vastgelegd; de aanbieder is toegelaten tot productie en ontvangt bericht.")
	if got := adm.text("[data-testid=test-status]"); got != "Geslaagd" {
		t.Errorf("test status after the decision %q, want Geslaagd", got)
	}
	adm.screenshot("admission-testresult-decided")

	step("9 results and decision")

	// 10. The supplier's start page shows production.
	sup.clickNav("Start")
	if got := sup.text("[data-testid=admission-state]"); got != "Toegelaten tot productie" {
		t.Errorf("state on the start page %q, want Toegelaten tot productie", got)
	}
	sup.wantStep(6, "done")
	if got := sup.attr("[data-testid=next-action]", "data-kind"); got != "production" {
		t.Errorf("next action %q, want production", got)
	}
	states := eval[[]string](sup, `Array.from(document.querySelectorAll("[data-testid=steps] > li"), li => li.dataset.state)`)
	if strings.Join(states, ",") != "done,done,done,done,done,done" {
		t.Errorf("step states %q, want all done", states)
	}
	sup.screenshot("admission-supplier-production")
	step("10 production on the start page")
}

// newTabWithin is newTab with the caller's deadline instead of testTimeout,
// for a test whose tabs share one overall time limit.
func newTabWithin(t *testing.T, env *apptest.Env, deadline context.Context) *page {
	t.Helper()
	requireBrowser(t)
	tab, cancelTab := chromedp.NewContext(deadline, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("e2e: opening a tab: %v", err)
	}
	return &page{t: t, ctx: tab, base: env.Server.URL}
}

// clickOn clicks an element that does not load a page, such as a checkbox
// or a radio button.
func (p *page) clickOn(css string) {
	p.t.Helper()
	p.do("click "+css, chromedp.Click(chromedp.CSS(css)))
}

// retype replaces what a field holds, as a person selecting all of it and
// typing over it does.
func (p *page) retype(css, text string) {
	p.t.Helper()
	p.do("select the text of "+css, chromedp.Click(chromedp.CSS(css)))
	if msg := eval[string](p, fmt.Sprintf(`(() => {
		const f = document.querySelector(%s);
		if (!f) return "no field";
		f.focus();
		f.select();
		return "";
	})()`, jsString(css))); msg != "" {
		p.t.Fatalf("retype %s: %s", css, msg)
	}
	p.do("type into "+css, chromedp.SendKeys(chromedp.CSS(css), text))
}

// setValue fills a field whose typing depends on the browser's locale
// (date and time inputs), the way choose does for selects: the value is set
// and input and change events fire. value is in the HTML form (2026-07-15,
// 14:30).
func (p *page) setValue(css, value string) {
	p.t.Helper()
	js := fmt.Sprintf(`(() => {
		const f = document.querySelector(%s);
		if (!f) return "no field";
		f.focus();
		f.value = %s;
		if (f.value !== %s) return "the field refused the value; it holds " + JSON.stringify(f.value);
		f.dispatchEvent(new Event("input", {bubbles: true}));
		f.dispatchEvent(new Event("change", {bubbles: true}));
		return "";
	})()`, jsString(css), jsString(value), jsString(value))
	if msg := eval[string](p, js); msg != "" {
		p.t.Fatalf("set %s to %q: %s", css, value, msg)
	}
}

// attr is an attribute of the first element matching css, "" when absent.
func (p *page) attr(css, name string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf(`(document.querySelector(%s) || {getAttribute: () => null}).getAttribute(%s) ?? ""`, jsString(css), jsString(name)))
}

// wantFlash fails the test unless a flash on the page contains text.
func (p *page) wantFlash(text string) {
	p.t.Helper()
	if f := p.flashes(); !containsAny(f, text) {
		p.t.Errorf("flashes %q on %s, want one containing %q", f, p.where(), text)
	}
}

// wantStep checks the admission progress indicator: step n has the state
// (done, current, todo) and is the one marked aria-current="step".
func (p *page) wantStep(n int, state string) {
	p.t.Helper()
	css := fmt.Sprintf("[data-testid=step-%d]", n)
	if got := p.attr(css, "data-state"); got != state {
		p.t.Errorf("step %d has data-state %q, want %q", n, got, state)
	}
	if got := p.attr(css, "aria-current"); got != "step" {
		p.t.Errorf("step %d has aria-current %q, want step", n, got)
	}
	if cur := eval[int](p, `document.querySelectorAll("[data-testid=steps] [aria-current=step]").length`); cur != 1 {
		p.t.Errorf("%d steps marked current, want 1", cur)
	}
}
