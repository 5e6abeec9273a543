package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/apptest"
)

// Support staff log time for a supplier past its 8 free hours, open the
// supplier's statement and see the billable part priced at €100/h with 21 %
// VAT; the supplier sees the same figures on its own page.
func TestSupportLogsTimePastAllowanceAndSeesStatement(t *testing.T) {
	env := apptest.New(t)
	staff := newTab(t, env)
	staff.login(env.Users[account.RoleSupport].Email, apptest.Password)
	staff.clickNav("Uren")

	amsterdam, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(amsterdam).Format("2006-01-02")
	logTime := func(duration, description string) {
		staff.choose("#f-supplier_id", env.Supplier.Name)
		staff.setValue("#f-date", today)
		staff.typeInto("#f-duration", duration)
		staff.choose("#f-category", "Integratie")
		staff.typeInto("#f-description", description)
		staff.press("[data-testid=hours-submit]")
	}
	logTime("7:50", "Koppeling doorgenomen met de webshop")
	logTime("0:30", "Vragen over webhooks beantwoord")

	staff.open("/beheer/uren/aanbieder/" + strconv.FormatInt(env.Supplier.ID, 10) + "?maand=" + today[:7])
	if got := staff.text("[data-testid=hours-total-excl]"); got != "€ 33,33" {
		t.Errorf("total excl. VAT %q, want € 33,33 (20 billable minutes at €100/h)", got)
	}
	if got := staff.text("[data-testid=hours-total-vat]"); got != "€ 7,00" {
		t.Errorf("VAT %q, want € 7,00", got)
	}
	if got := staff.text("[data-testid=hours-total-incl]"); got != "€ 40,33" {
		t.Errorf("total incl. VAT %q, want € 40,33", got)
	}
	staff.screenshot("hours-statement")

	sup := newTab(t, env)
	sup.login(env.Users[account.RoleSupplier].Email, apptest.Password)
	sup.clickNav("Uren")
	if got := sup.text("[data-testid=hours-remaining]"); !strings.HasPrefix(got, "0:00") {
		t.Errorf("supplier sees %q remaining, want 0:00 after 8:20 of 8:00", got)
	}
	if got := sup.text("[data-testid=hours-total-incl]"); got != "€ 40,33" {
		t.Errorf("supplier sees total incl. VAT %q, want € 40,33", got)
	}
}
