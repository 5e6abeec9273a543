package support_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/support"
)

func hoursFixedNow() time.Time { return time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC) }

func TestHoursServiceSplitsAcrossAllowance(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	svc := support.NewHoursService(env.App.Store, hoursFixedNow)
	staff := env.Users[account.RoleSupport]
	actor := audit.Actor{UserID: &staff.ID, Email: staff.Email}
	for _, d := range []string{"7:50", "0:30"} {
		if _, err := svc.Log(ctx, actor, staff.ID, support.HoursInput{
			SupplierID: env.Supplier.ID, Date: "2026-11-10", Duration: d, Category: "integration", Description: "Koppeling " + d,
		}); err != nil {
			t.Fatal(err)
		}
	}
	a, err := svc.Account(ctx, env.Supplier.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Used != 480 || a.Remaining != 0 || len(a.Entries) != 2 {
		t.Fatalf("account = %+v", a)
	}
	if e := a.Entries[1]; e.FreeMinutes != 10 || e.BillableMinutes != 20 {
		t.Errorf("second entry split %d/%d, want 10/20", e.FreeMinutes, e.BillableMinutes)
	}
	st := a.Statement(2026, time.November)
	if st.TotalExcl != 3333 || st.TotalVAT != 700 || st.TotalIncl != 4033 {
		t.Errorf("statement totals %d/%d/%d", st.TotalExcl, st.TotalVAT, st.TotalIncl)
	}
	// The other supplier is untouched.
	o, err := svc.Account(ctx, env.OtherSupplier.ID)
	if err != nil {
		t.Fatal(err)
	}
	if o.Used != 0 || o.Remaining != support.DefaultAllowance {
		t.Errorf("other supplier account = %+v", o)
	}
}

func TestHoursServiceRefusals(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	svc := support.NewHoursService(env.App.Store, hoursFixedNow)
	staff := env.Users[account.RoleSupport]
	admin := env.Users[account.RoleAdmin]
	actor := audit.Actor{UserID: &staff.ID}
	ok := support.HoursInput{SupplierID: env.Supplier.ID, Date: "2026-10-05", Duration: "1:00", Category: "other", Description: "Uitleg"}
	cases := map[string]struct {
		change func(*support.HoursInput)
		field  string
		want   string
	}{
		"bad duration":     {func(in *support.HoursInput) { in.Duration = "1:75" }, "duration", support.MsgDurationMinutes},
		"future date":      {func(in *support.HoursInput) { in.Date = "2026-11-21" }, "date", support.MsgHoursFuture},
		"unknown supplier": {func(in *support.HoursInput) { in.SupplierID = 999999 }, "supplier_id", support.MsgHoursSupplier},
		"no description":   {func(in *support.HoursInput) { in.Description = "  " }, "description", support.MsgHoursDescription},
		"bad category":     {func(in *support.HoursInput) { in.Category = "x" }, "category", support.MsgHoursCategory},
	}
	for name, c := range cases {
		in := ok
		c.change(&in)
		_, err := svc.Log(ctx, actor, staff.ID, in)
		var inv support.HoursInvalid
		if !errors.As(err, &inv) || inv[c.field] != c.want {
			t.Errorf("%s: err = %v (%v), want %s: %q", name, err, inv, c.field, c.want)
		}
	}
	e, err := svc.Log(ctx, actor, staff.ID, ok)
	if err != nil {
		t.Fatal(err)
	}
	// Only the one who logged it may change it.
	if _, err := svc.Update(ctx, audit.Actor{UserID: &admin.ID}, admin.ID, e.ID, ok); !errors.Is(err, support.ErrHoursNotOwn) {
		t.Errorf("update by another: %v", err)
	}
	if _, err := svc.Delete(ctx, audit.Actor{UserID: &admin.ID}, admin.ID, e.ID); !errors.Is(err, support.ErrHoursNotOwn) {
		t.Errorf("delete by another: %v", err)
	}
	// Closing October locks it.
	if _, err := svc.CloseMonth(ctx, audit.Actor{UserID: &admin.ID}, "2026-11"); err == nil {
		t.Error("closing the running month was accepted")
	}
	if _, err := svc.CloseMonth(ctx, audit.Actor{UserID: &admin.ID}, "2026-10"); err != nil {
		t.Fatal(err)
	}
	var inv support.HoursInvalid
	if _, err := svc.Log(ctx, actor, staff.ID, ok); !errors.As(err, &inv) || inv["date"] != support.MsgHoursClosed {
		t.Errorf("log in closed month: %v", err)
	}
	if _, err := svc.Update(ctx, actor, staff.ID, e.ID, ok); !errors.As(err, &inv) {
		t.Errorf("update in closed month: %v", err)
	}
	if _, err := svc.Delete(ctx, actor, staff.ID, e.ID); !errors.As(err, &inv) {
		t.Errorf("delete in closed month: %v", err)
	}
	// Moving an open entry into the closed month is refused too.
	nov := ok
	nov.Date = "2026-11-02"
	e2, err := svc.Log(ctx, actor, staff.ID, nov)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Update(ctx, actor, staff.ID, e2.ID, ok); !errors.As(err, &inv) || inv["date"] != support.MsgHoursClosed {
		t.Errorf("moving into closed month: %v", err)
	}
}

func TestHoursServiceAllowance(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	svc := support.NewHoursService(env.App.Store, hoursFixedNow)
	admin := env.Users[account.RoleAdmin]
	actor := audit.Actor{UserID: &admin.ID, Email: admin.Email}
	var inv support.HoursInvalid
	if _, err := svc.SetAllowance(ctx, actor, env.Supplier.ID, "12", ""); !errors.As(err, &inv) || inv["reason"] != support.MsgHoursReason {
		t.Errorf("no reason: %v", err)
	}
	for in, want := range map[string]int{"12": 720, "7,5": 450, "1:30": 90, "0": 0} {
		if got, msg := support.ParseAllowance(in); msg != "" || got != want {
			t.Errorf("ParseAllowance(%q) = %d, %q; want %d", in, got, msg, want)
		}
	}
	if _, err := svc.SetAllowance(ctx, actor, env.Supplier.ID, "12", "Groot project"); err != nil {
		t.Fatal(err)
	}
	a, err := svc.Account(ctx, env.Supplier.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Allowance != 720 {
		t.Errorf("allowance = %d", a.Allowance)
	}
	entries, err := env.App.Store.AuditList(ctx, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		if e.Action == "support.allowance_changed" && e.Detail["old_minutes"] == "480" && e.Detail["new_minutes"] == "720" && e.Detail["reason"] == "Groot project" {
			found = true
		}
	}
	if !found {
		t.Error("no audit entry with old/new/reason")
	}
}
