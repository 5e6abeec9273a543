package portal_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/support"
)

func hoursDoc(t *testing.T, body string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func hoursForm(supplierID int64, date time.Time, duration, desc string) url.Values {
	return url.Values{"supplier_id": {fmt.Sprint(supplierID)}, "date": {date.Format("2006-01-02")},
		"duration": {duration}, "category": {"integration"}, "description": {desc}}
}

func TestHoursLoggingPastAllowanceSplits(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	c := env.LoginRole(t, account.RoleSupport)
	day := hoursYesterday()
	for _, d := range []string{"7:50", "0:30"} {
		resp := env.PostForm(t, c, "/beheer/uren", hoursForm(env.Supplier.ID, day, d, "Koppeling "+d))
		apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("logging %s: status %d", d, resp.StatusCode)
		}
	}
	month := day.Format("2006-01")
	resp := env.Get(t, c, fmt.Sprintf("/beheer/uren/aanbieder/%d?maand=%s", env.Supplier.ID, month))
	doc := hoursDoc(t, apptest.Body(t, resp))
	if got := strings.TrimSpace(doc.Find(`[data-testid="hours-total-excl"]`).Text()); got != "€ 33,33" {
		t.Errorf("total excl. = %q, want € 33,33", got)
	}
	if got := strings.TrimSpace(doc.Find(`[data-testid="hours-total-vat"]`).Text()); got != "€ 7,00" {
		t.Errorf("VAT = %q", got)
	}
	if got := strings.TrimSpace(doc.Find(`[data-testid="hours-total-incl"]`).Text()); got != "€ 40,33" {
		t.Errorf("total incl. = %q", got)
	}
	var frees, billables []string
	doc.Find(`[data-testid="hours-entries"] tbody tr`).Each(func(_ int, s *goquery.Selection) {
		frees = append(frees, strings.TrimSpace(s.Find(`[data-testid="hours-free"]`).Text()))
		billables = append(billables, strings.TrimSpace(s.Find(`[data-testid="hours-billable"]`).Text()))
	})
	if strings.Join(frees, " ") != "7:50 0:10" || strings.Join(billables, " ") != "0:00 0:20" {
		t.Errorf("free %v, billable %v", frees, billables)
	}
	if got := strings.TrimSpace(doc.Find(`[data-testid="hours-remaining"]`).Text()); got != "0:00" {
		t.Errorf("remaining = %q", got)
	}
	// The overview shows the same figures.
	doc = hoursDoc(t, apptest.Body(t, env.Get(t, c, "/beheer/uren")))
	row := doc.Find(fmt.Sprintf(`[data-testid="hours-supplier-%d"]`, env.Supplier.ID))
	if got := strings.TrimSpace(row.Find(`[data-testid="hours-used"]`).Text()); got != "8:00" {
		t.Errorf("overview used = %q", got)
	}
}

func TestHoursRefusalsInDutch(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	c := env.LoginRole(t, account.RoleSupport)
	day := hoursYesterday()
	cases := map[string]struct {
		form  url.Values
		field string
		want  string
	}{
		"bad duration":     {hoursForm(env.Supplier.ID, day, "1,33", "x"), "duration", "1,33 uur is"},
		"future date":      {hoursForm(env.Supplier.ID, time.Now().AddDate(0, 0, 3), "1:00", "x"), "date", support.MsgHoursFuture},
		"unknown supplier": {hoursForm(999999, day, "1:00", "x"), "supplier_id", support.MsgHoursSupplier},
	}
	for name, tc := range cases {
		resp := env.PostForm(t, c, "/beheer/uren", tc.form)
		doc := hoursDoc(t, apptest.Body(t, resp))
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d", name, resp.StatusCode)
		}
		if got := doc.Find(`[data-testid="error-` + tc.field + `"]`).Text(); !strings.Contains(got, tc.want) {
			t.Errorf("%s: error %q, want %q", name, got, tc.want)
		}
		// The typed values are kept.
		if got, _ := doc.Find(`#f-description`).Attr("value"); got != "x" {
			t.Errorf("%s: description not kept: %q", name, got)
		}
	}
}

func TestHoursEditDeleteOwnOnlyAndClosedMonth(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	support1 := env.Users[account.RoleSupport]
	sc := env.LoginRole(t, account.RoleSupport)
	ac := env.LoginRole(t, account.RoleAdmin)
	mk := func(date time.Time) store.TimeEntry {
		e, err := env.App.Store.TimeEntryCreate(ctx, store.NewTimeEntry{SupplierID: env.Supplier.ID, StaffID: support1.ID,
			Date: date, Minutes: 60, Category: "other", Description: "Eigen boeking"})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	e := mk(hoursYesterday())
	edit := url.Values{"date": {e.Date.Format("2006-01-02")}, "duration": {"1:15"}, "category": {"onboarding"}, "description": {"Gewijzigd"}}
	// Someone else may neither change nor delete it.
	for _, resp := range []*http.Response{
		env.Get(t, ac, fmt.Sprintf("/beheer/uren/boeking/%d/bewerken", e.ID)),
		env.PostForm(t, ac, fmt.Sprintf("/beheer/uren/boeking/%d", e.ID), edit),
		env.PostForm(t, ac, fmt.Sprintf("/beheer/uren/boeking/%d/verwijderen", e.ID), nil),
	} {
		apptest.Body(t, resp)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s by another: status %d", resp.Request.URL.Path, resp.StatusCode)
		}
	}
	if got, _ := env.App.Store.TimeEntryGet(ctx, e.ID); got.Minutes != 60 {
		t.Fatalf("another changed the entry: %+v", got)
	}
	// The owner may.
	resp := env.PostForm(t, sc, fmt.Sprintf("/beheer/uren/boeking/%d", e.ID), edit)
	apptest.Body(t, resp)
	if got, _ := env.App.Store.TimeEntryGet(ctx, e.ID); resp.StatusCode != http.StatusSeeOther || got.Minutes != 75 || got.Description != "Gewijzigd" {
		t.Fatalf("owner's edit: status %d, entry %+v", resp.StatusCode, got)
	}
	resp = env.PostForm(t, sc, fmt.Sprintf("/beheer/uren/boeking/%d/verwijderen", e.ID), nil)
	apptest.Body(t, resp)
	if _, err := env.App.Store.TimeEntryGet(ctx, e.ID); resp.StatusCode != http.StatusSeeOther || err == nil {
		t.Fatalf("owner's delete: status %d, err %v", resp.StatusCode, err)
	}

	// Closing a month locks it.
	now := time.Now()
	old := time.Date(now.Year(), now.Month()-2, 10, 0, 0, 0, 0, time.UTC)
	e = mk(old)
	resp = env.PostForm(t, ac, "/beheer/uren/maand-afsluiten", url.Values{"maand": {old.Format("2006-01")}})
	apptest.Body(t, resp)
	if closed, _ := env.App.Store.ClosedMonthIs(ctx, old); resp.StatusCode != http.StatusSeeOther || !closed {
		t.Fatalf("closing: status %d, closed %v", resp.StatusCode, closed)
	}
	// Support staff cannot close a month.
	resp = env.PostForm(t, sc, "/beheer/uren/maand-afsluiten", url.Values{"maand": {old.AddDate(0, -1, 0).Format("2006-01")}})
	apptest.Body(t, resp)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("support closing a month: status %d", resp.StatusCode)
	}
	edit["date"] = []string{old.Format("2006-01-02")}
	apptest.Body(t, env.PostForm(t, sc, fmt.Sprintf("/beheer/uren/boeking/%d", e.ID), edit))
	apptest.Body(t, env.PostForm(t, sc, fmt.Sprintf("/beheer/uren/boeking/%d/verwijderen", e.ID), nil))
	if got, err := env.App.Store.TimeEntryGet(ctx, e.ID); err != nil || got.Minutes != 60 {
		t.Errorf("entry in closed month changed: %+v, %v", got, err)
	}
	resp = env.PostForm(t, sc, "/beheer/uren", hoursForm(env.Supplier.ID, old, "1:00", "Te laat"))
	doc := hoursDoc(t, apptest.Body(t, resp))
	if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-testid="error-date"]`).Text() != support.MsgHoursClosed {
		t.Errorf("logging in closed month: status %d", resp.StatusCode)
	}
}

func TestHoursCSVMatchesStatement(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	c := env.LoginRole(t, account.RoleSupport)
	day := hoursYesterday()
	for _, d := range []string{"8:00", "1:30"} {
		apptest.Body(t, env.PostForm(t, c, "/beheer/uren", hoursForm(env.Supplier.ID, day, d, "=Werk "+d)))
	}
	a, err := support.NewHoursService(env.App.Store, nil).Account(context.Background(), env.Supplier.ID)
	if err != nil {
		t.Fatal(err)
	}
	st := a.Statement(day.Year(), day.Month())
	month := day.Format("2006-01")
	for format, dialect := range map[string]support.Dialect{"excel": support.ExcelNL, "rfc4180": support.RFC4180} {
		var want bytes.Buffer
		if err := support.WriteStatementCSV(&want, st, dialect); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{
			fmt.Sprintf("/beheer/uren/aanbieder/%d/overzicht.csv?maand=%s&formaat=%s", env.Supplier.ID, month, format),
		} {
			resp := env.Get(t, c, path)
			body := apptest.Body(t, resp)
			if body != want.String() {
				t.Errorf("%s: body differs:\n%q\nwant\n%q", path, body, want.String())
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
				t.Errorf("%s: content type %q", path, ct)
			}
			wantCD := fmt.Sprintf(`attachment; filename="ohis-uren-testwinkel-b-v-%s.csv"`, month)
			if cd := resp.Header.Get("Content-Disposition"); cd != wantCD {
				t.Errorf("%s: disposition %q, want %q", path, cd, wantCD)
			}
			if format == "excel" && !strings.HasPrefix(body, "\uFEFF") {
				t.Errorf("%s: no BOM", path)
			}
		}
	}
	// The supplier gets the same file of its own.
	sup := env.LoginRole(t, account.RoleSupplier)
	var want bytes.Buffer
	_ = support.WriteStatementCSV(&want, st, support.ExcelNL)
	if body := apptest.Body(t, env.Get(t, sup, "/ondersteuning/uren/overzicht.csv?maand="+month+"&formaat=excel")); body != want.String() {
		t.Errorf("supplier CSV differs")
	}
}

func TestHoursSupplierSeesOnlyOwn(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	c := env.LoginRole(t, account.RoleSupport)
	day := hoursYesterday()
	apptest.Body(t, env.PostForm(t, c, "/beheer/uren", hoursForm(env.OtherSupplier.ID, day, "9:00", "Geheim werk andere")))
	apptest.Body(t, env.PostForm(t, c, "/beheer/uren", hoursForm(env.Supplier.ID, day, "1:00", "Eigen werk")))
	month := day.Format("2006-01")
	own := env.LoginRole(t, account.RoleSupplier)
	body := apptest.Body(t, env.Get(t, own, "/ondersteuning/uren?maand="+month))
	doc := hoursDoc(t, body)
	if got := strings.TrimSpace(doc.Find(`[data-testid="hours-used"]`).Text()); got != "1:00" {
		t.Errorf("own used = %q, want 1:00", got)
	}
	if got := strings.TrimSpace(doc.Find(`[data-testid="hours-remaining"]`).Text()); got != "7:00" {
		t.Errorf("own remaining = %q, want 7:00", got)
	}
	if strings.Contains(body, "Geheim werk andere") || strings.Contains(body, "Andere Winkel") {
		t.Error("supplier sees another supplier's hours")
	}
	// A query parameter cannot switch the supplier.
	body = apptest.Body(t, env.Get(t, own, fmt.Sprintf("/ondersteuning/uren/overzicht.csv?maand=%s&formaat=rfc4180&supplier_id=%d", month, env.OtherSupplier.ID)))
	if strings.Contains(body, "Geheim") || !strings.Contains(body, "Totaal excl. btw") {
		t.Errorf("supplier CSV: %q", body)
	}
	other := env.Login(t, env.OtherSupplierUser.Email)
	doc = hoursDoc(t, apptest.Body(t, env.Get(t, other, "/ondersteuning/uren?maand="+month)))
	if got := strings.TrimSpace(doc.Find(`[data-testid="hours-total-excl"]`).Text()); got != "€ 100,00" {
		t.Errorf("other supplier's total excl. = %q, want € 100,00", got)
	}
	// Staff pages are not for suppliers.
	resp := env.Get(t, own, fmt.Sprintf("/beheer/uren/aanbieder/%d", env.OtherSupplier.ID))
	apptest.Body(t, resp)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("supplier on staff page: %d", resp.StatusCode)
	}
}

func TestHoursAllowanceChange(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ac := env.LoginRole(t, account.RoleAdmin)
	path := fmt.Sprintf("/beheer/uren/aanbieder/%d/tegoed", env.Supplier.ID)
	resp := env.PostForm(t, ac, path, url.Values{"minutes": {"12"}})
	doc := hoursDoc(t, apptest.Body(t, resp))
	if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-testid="error-reason"]`).Text() != support.MsgHoursReason {
		t.Errorf("no reason: status %d", resp.StatusCode)
	}
	resp = env.PostForm(t, ac, path, url.Values{"minutes": {"12"}, "reason": {"Extra onboarding"}})
	apptest.Body(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d", resp.StatusCode)
	}
	doc = hoursDoc(t, apptest.Body(t, env.Get(t, ac, fmt.Sprintf("/beheer/uren/aanbieder/%d", env.Supplier.ID))))
	if got := strings.TrimSpace(doc.Find(`[data-testid="hours-allowance"]`).Text()); got != "12:00" {
		t.Errorf("allowance = %q", got)
	}
}
