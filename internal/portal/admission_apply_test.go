package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/supplier"
)

// aplInput is a valid application; n makes the KvK number, the company
// name and the e-mail address unique.
func aplInput(n int) supplier.ApplicationInput {
	return supplier.ApplicationInput{
		CompanyName: fmt.Sprintf("Zonnewinkel %d B.V.", n), KvK: fmt.Sprintf("%08d", 30000000+n), VATID: "NL123456789B01",
		IBAN: "NL91 ABNA 0417 1643 00", ContactName: "Sanne de Vries", Email: fmt.Sprintf("sanne%d@zonnewinkel.example", n),
		Phone: "020 123 4567", Website: "www.zonnewinkel.nl", Platform: string(admission.WooCommerce), AcceptTerms: true,
	}
}

// aplForm is the application as the form posts it.
func aplForm(in supplier.ApplicationInput) url.Values {
	f := url.Values{
		"company_name": {in.CompanyName}, "kvk": {in.KvK}, "vat_id": {in.VATID}, "iban": {in.IBAN},
		"contact_name": {in.ContactName}, "email": {in.Email}, "phone": {in.Phone}, "website": {in.Website},
		"platform": {in.Platform}, "website_url": {""},
	}
	if in.AcceptTerms {
		f.Set("accept_terms", "ja")
	}
	return f
}

// aplApply stores an application through the service, from an address
// other than the test client's.
func aplApply(t testing.TB, env *apptest.Env, in supplier.ApplicationInput) admission.Application {
	t.Helper()
	a, err := env.App.Supplier.Apply(context.Background(), in, "192.0.2.1")
	if err != nil {
		t.Fatalf("applying %s: %v", in.CompanyName, err)
	}
	return a
}

// aplToState brings a new application to applied, in_review or admitted.
func aplToState(t testing.TB, env *apptest.Env, in supplier.ApplicationInput, state admission.State) admission.Application {
	t.Helper()
	ctx := context.Background()
	a := aplApply(t, env, in)
	actor := audit.Actor{Email: "test@test.example"}
	if state == admission.Applied {
		return a
	}
	if err := env.App.Supplier.StartReview(ctx, actor, a.ID); err != nil {
		t.Fatal(err)
	}
	a.State = admission.InReview
	if state == admission.Admitted {
		var err error
		if a, err = env.App.Supplier.Admit(ctx, actor, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

func aplAmsterdam(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func aplGet(t testing.TB, env *apptest.Env, id int64) admission.Application {
	t.Helper()
	a, err := env.App.Store.ApplicationGet(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func aplPath(id int64, verb string) string {
	if verb == "" {
		return fmt.Sprintf("/beheer/aanmeldingen/%d", id)
	}
	return fmt.Sprintf("/beheer/aanmeldingen/%d/%s", id, verb)
}

// aplNoInlineCode fails on inline script, style or event handlers.
func aplNoInlineCode(t testing.TB, what string, p flowPage) {
	t.Helper()
	for _, problem := range inlineCodeProblems(p.Doc) {
		t.Errorf("%s: %s", what, problem)
	}
}

func TestApplyFormShowsEveryField(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	p := flowRead(t, env.Get(t, env.Client(t), "/aanmelden")).want(t, http.StatusOK)
	aplNoInlineCode(t, "GET /aanmelden", p)
	for name, autocomplete := range map[string]string{
		"company_name": "organization", "kvk": "off", "vat_id": "off", "iban": "off", "contact_name": "name",
		"email": "email", "phone": "tel", "website": "url",
	} {
		in := p.Doc.Find(`form[action="/aanmelden"] input[name="` + name + `"]`)
		if in.Length() != 1 {
			t.Errorf("no input %s", name)
			continue
		}
		if got := in.AttrOr("autocomplete", ""); got != autocomplete {
			t.Errorf("input %s: autocomplete %q, want %q", name, got, autocomplete)
		}
		if id := in.AttrOr("id", ""); p.Doc.Find(`label[for="`+id+`"]`).Length() != 1 {
			t.Errorf("input %s has no label", name)
		}
	}
	if hint := p.Doc.Find("#f-kvk-hint").Text(); !strings.Contains(hint, "8 cijfers") {
		t.Errorf("KvK hint %q", hint)
	}
	if hint := p.Doc.Find("#f-vat_id-hint").Text(); !strings.Contains(hint, "NL123456789B01") {
		t.Errorf("VAT hint %q", hint)
	}
	var labels []string
	p.Doc.Find(`select[name="platform"] option`).Each(func(_ int, o *goquery.Selection) {
		if v, _ := o.Attr("value"); v != "" {
			labels = append(labels, o.Text())
		}
	})
	if len(labels) != len(admission.Platforms) || labels[0] != "WooCommerce" || labels[5] != admission.CustomAPI.Label() {
		t.Errorf("platform options %q", labels)
	}
	if p.Doc.Find(`input[name="accept_terms"][type="checkbox"]`).Length() != 1 || p.Doc.Find(`[data-testid="apply-conditions"] li`).Length() < 3 {
		t.Error("no conditions with an accept checkbox")
	}
	trap := p.Doc.Find(`.visually-hidden input[name="website_url"]`)
	if trap.Length() != 1 || trap.AttrOr("tabindex", "") != "-1" || !strings.Contains(p.Doc.Find(`label[for="f-website_url"]`).Text(), "Laat dit veld leeg") {
		t.Error("no hidden honeypot field labelled to be left empty")
	}
}

func TestApplyFieldMessagesKeepWhatWasTyped(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	c := env.Client(t)
	tests := []struct {
		field, value, want string
	}{
		{"company_name", " ", "Vul de bedrijfsnaam in."},
		{"kvk", "1234 567", "Een KvK-nummer bestaat uit precies 8 cijfers"},
		{"vat_id", "NL12345678B01", "NL + 9 cijfers + B + 2 cijfers"},
		{"iban", "NL91 ABNA 0417 1643 01", "het controlegetal komt niet overeen"},
		{"iban", "US12345678901234", "niet bij een land in het SEPA-gebied"},
		{"contact_name", "", "Vul de naam van de contactpersoon in."},
		{"email", "sanne@", "Vul een geldig e-mailadres in"},
		{"phone", "12345", "Vul een geldig telefoonnummer in"},
		{"website", "ftp://winkel.nl", "Vul een geldig webadres in"},
		{"platform", "wordpress", "Kies het webshopplatform dat u gebruikt."},
		{"accept_terms", "", "U kunt zich alleen aanmelden als u de voorwaarden accepteert."},
	}
	for i, tt := range tests {
		form := aplForm(aplInput(i))
		if tt.value == "" {
			form.Del(tt.field)
		} else {
			form.Set(tt.field, tt.value)
		}
		p := flowRead(t, env.PostForm(t, c, "/aanmelden", form))
		what := fmt.Sprintf("%s=%q", tt.field, tt.value)
		if p.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", what, p.Status)
			continue
		}
		if got := p.TestID("error-" + tt.field); !strings.Contains(got, tt.want) {
			t.Errorf("%s: field message %q, want %q", what, got, tt.want)
		}
		if got := p.TestID("error-summary"); !strings.Contains(got, tt.want) {
			t.Errorf("%s: summary %q lacks %q", what, got, tt.want)
		}
		if n := p.Doc.Find(".field-error").Length(); n != 1 {
			t.Errorf("%s: %d field messages, want 1", what, n)
		}
		if p.Doc.Find(`[aria-invalid="true"]`).Length() != 1 {
			t.Errorf("%s: the wrong field is not marked aria-invalid", what)
		}
		for _, name := range []string{"company_name", "kvk", "vat_id", "iban", "contact_name", "email", "phone", "website"} {
			if got := p.Doc.Find(`input[name="`+name+`"]`).AttrOr("value", ""); got != form.Get(name) {
				t.Errorf("%s: input %s shows %q, want the typed %q", what, name, got, form.Get(name))
			}
		}
		if got := p.Doc.Find(`select[name="platform"] option[selected]`).AttrOr("value", ""); tt.field != "platform" && got != form.Get("platform") {
			t.Errorf("%s: platform %q not kept", what, got)
		}
		if checked := p.Doc.Find(`input[name="accept_terms"][checked]`).Length() == 1; checked != (form.Get("accept_terms") != "") {
			t.Errorf("%s: accept_terms checked=%v not kept", what, checked)
		}
	}
	if n := flowCount(t, env, "SELECT count(*) FROM applications"); n != 0 {
		t.Errorf("%d applications stored from invalid forms", n)
	}
	if n := len(flowMails(t, env)); n != 0 {
		t.Errorf("%d mails sent for invalid forms", n)
	}
}

func TestApplySubmitsConfirmsAndRefusesSameKvK(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	c := env.Client(t)
	in := aplInput(1)
	in.KvK, in.IBAN, in.VATID = "6901 8420", "nl91abna0417164300", "nl 1234 56789 b01"

	resp := env.PostForm(t, c, "/aanmelden", aplForm(in))
	if loc := flowLocation(t, resp); loc != "/aanmelden/ontvangen" {
		t.Fatalf("redirected to %q", loc)
	}
	done := flowRead(t, env.Get(t, c, "/aanmelden/ontvangen")).want(t, http.StatusOK)
	if got := done.TestID("apply-done"); !strings.Contains(got, "bevestiging gestuurd") || !strings.Contains(got, "Wat gebeurt er nu?") {
		t.Errorf("thank-you page says %q", got)
	}
	aplNoInlineCode(t, "GET /aanmelden/ontvangen", done)

	a, err := env.App.Store.ApplicationByKvK(ctx, "69018420")
	if err != nil {
		t.Fatalf("application not stored: %v", err)
	}
	if a.State != admission.Applied || a.IBAN != "NL91ABNA0417164300" || a.VATID != "NL123456789B01" || a.Phone != "+31201234567" {
		t.Errorf("stored %+v", a)
	}
	if ip := flowCount(t, env, "SELECT count(*) FROM applications WHERE id = $1 AND client_ip = '127.0.0.1'", a.ID); ip != 1 {
		t.Error("client address not stored with the application")
	}
	mails := flowMails(t, env)
	if len(mails) != 1 || mails[0].To != in.Email || !strings.Contains(mails[0].Subject, "ontvangen") || !strings.Contains(mails[0].Text, in.CompanyName) {
		t.Fatalf("outbox %+v, want one confirmation to %s", mails, in.Email)
	}
	entries, err := env.App.Store.AuditList(ctx, audit.Filter{Action: audit.ApplicationSubmitted, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].SubjectID != fmt.Sprint(a.ID) || entries[0].Actor.IP != "127.0.0.1" {
		t.Errorf("audit %+v, want one application.submitted for %d", entries, a.ID)
	}

	// The same KvK number again, typed differently and for another name.
	again := aplInput(2)
	again.KvK = "69018420"
	p := flowRead(t, env.PostForm(t, c, "/aanmelden", aplForm(again))).want(t, http.StatusUnprocessableEntity)
	want := "Er is al een aanmelding met dit KvK-nummer ontvangen op " + a.CreatedAt.In(aplAmsterdam(t)).Format("02-01-2006")
	if got := p.TestID("error-kvk"); !strings.Contains(got, want) {
		t.Errorf("duplicate KvK says %q, want %q", got, want)
	}
	if got := p.Doc.Find(`input[name="company_name"]`).AttrOr("value", ""); got != again.CompanyName {
		t.Errorf("company name not kept: %q", got)
	}
	if n := flowCount(t, env, "SELECT count(*) FROM applications"); n != 1 {
		t.Errorf("%d applications, want 1", n)
	}
	if n := len(flowMails(t, env)); n != 1 {
		t.Errorf("%d mails, want only the first confirmation", n)
	}
}

func TestApplyHoneypotStoresNothing(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	form := aplForm(aplInput(1))
	form.Set("website_url", "https://spam.example")
	resp := env.PostForm(t, env.Client(t), "/aanmelden", form)
	if loc := flowLocation(t, resp); loc != "/aanmelden/ontvangen" {
		t.Fatalf("a bot should see the thank-you page, got %q", loc)
	}
	if n := flowCount(t, env, "SELECT count(*) FROM applications"); n != 0 {
		t.Errorf("honeypot submission stored %d applications", n)
	}
	if n := len(flowMails(t, env)); n != 0 {
		t.Errorf("honeypot submission sent %d mails", n)
	}
	if n := flowCount(t, env, "SELECT count(*) FROM audit_log WHERE action = $1", string(audit.ApplicationSubmitted)); n != 0 {
		t.Errorf("honeypot submission audited %d times", n)
	}
}

func TestApplyLimitPerClientAddress(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	c := env.Client(t)
	// Applications from other addresses do not count.
	for i := range 5 {
		if _, err := env.App.Supplier.Apply(ctx, aplInput(100+i), "192.0.2.9"); err != nil {
			t.Fatal(err)
		}
	}
	flowLocation(t, env.PostForm(t, c, "/aanmelden", aplForm(aplInput(1))))
	// Four more from the test client's address make five within the hour.
	for i := range 4 {
		if _, err := env.App.Supplier.Apply(ctx, aplInput(200+i), "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
	}
	sixth := aplInput(2)
	resp := env.PostForm(t, c, "/aanmelden", aplForm(sixth))
	p := flowRead(t, resp).want(t, http.StatusTooManyRequests)
	if got := p.TestID("apply-throttled"); !strings.HasPrefix(got, "Te veel aanmeldingen vanaf dit adres") {
		t.Errorf("429 page says %q", got)
	}
	if p.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	if got := p.Doc.Find(`input[name="kvk"]`).AttrOr("value", ""); got != sixth.KvK {
		t.Errorf("typed KvK not kept on 429: %q", got)
	}
	if _, err := env.App.Store.ApplicationByKvK(ctx, sixth.KvK); err == nil {
		t.Error("the refused application was stored")
	}
	// An hour later the address may apply again.
	flowExec(t, env, "UPDATE applications SET created_at = now() - interval '61 minutes' WHERE client_ip = '127.0.0.1'")
	if loc := flowLocation(t, env.PostForm(t, c, "/aanmelden", aplForm(sixth))); loc != "/aanmelden/ontvangen" {
		t.Errorf("after an hour: redirected to %q", loc)
	}
}
