package supplier_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
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

var bookingSeq atomic.Int64

// readySupplier is an admitted supplier that reported its integration
// ready, made with SQL so that dozens are quick to prepare.
type readySupplier struct {
	SupplierID, ApplicationID int64
	Email                     string
	Actor                     audit.Actor
}

func newReadySupplier(t *testing.T, env *apptest.Env) readySupplier {
	t.Helper()
	ctx := context.Background()
	n := bookingSeq.Add(1)
	name := fmt.Sprintf("Gereed %d B.V.", n)
	email := fmt.Sprintf("gereed%d@winkel.example", n)
	var r readySupplier
	if err := env.App.Pool.QueryRow(ctx, `INSERT INTO suppliers (name) VALUES ($1) RETURNING id`, name).Scan(&r.SupplierID); err != nil {
		t.Fatal(err)
	}
	err := env.App.Pool.QueryRow(ctx, `
		INSERT INTO applications (company_name, kvk, vat_id, iban, contact_name, email, phone, website, platform,
		                          terms_accepted_at, state, supplier_id, admitted_at)
		VALUES ($1, $2, 'NL123456789B01', 'NL91ABNA0417164300', 'Ada Aanbieder', $3, '+31201234567',
		        'https://winkel.example', 'woocommerce', now(), 'integration_ready', $4, now())
		RETURNING id`, name, fmt.Sprintf("%08d", 73000000+n), email, r.SupplierID).Scan(&r.ApplicationID)
	if err != nil {
		t.Fatal(err)
	}
	r.Email = email
	r.Actor = audit.Actor{Email: email}
	return r
}

func staff(env *apptest.Env, role account.Role) audit.Actor {
	u := env.Users[role]
	return audit.Actor{UserID: &u.ID, Email: u.Email}
}

// newSlot publishes a slot that starts after d, on a whole minute.
func newSlot(t *testing.T, env *apptest.Env, d time.Duration) store.TestSlot {
	t.Helper()
	start := time.Now().Add(d).In(amsterdamTZ).Truncate(time.Minute)
	slot, err := env.App.Supplier.CreateSlot(context.Background(), staff(env, account.RoleSupport), supplier.SlotInput{
		Date: start.Format("02-01-2006"), Time: start.Format("15:04"), Duration: "60",
		StaffID: fmt.Sprint(env.Users[account.RoleSupport].ID),
	})
	if err != nil {
		t.Fatalf("publishing slot at %v: %v", start, err)
	}
	return slot
}

func appState(t *testing.T, env *apptest.Env, id int64) admission.State {
	t.Helper()
	a, err := env.App.Store.ApplicationGet(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a.State
}

// mailsTo returns the outbox mails to an address, oldest first.
func mailsTo(t *testing.T, env *apptest.Env, email string) []store.OutboxMail {
	t.Helper()
	all, err := env.App.Store.MailOutboxList(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.OutboxMail
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].To == email {
			out = append(out, all[i])
		}
	}
	return out
}

// invitationOf returns the parsed .ics attached to a mail.
func invitationOf(t *testing.T, env *apptest.Env, m store.OutboxMail) (map[string]string, string) {
	t.Helper()
	atts, err := env.App.Store.MailOutboxAttachments(context.Background(), m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(atts) != 1 || atts[0].Filename != "integratietest.ics" {
		t.Fatalf("mail %q has attachments %+v, want one integratietest.ics", m.Subject, atts)
	}
	return parseICS(t, atts[0].Data), atts[0].ContentType
}

func slotErr(err error) string {
	var fe supplier.FieldErrors
	if errors.As(err, &fe) {
		return fe["slot_id"]
	}
	return ""
}

// 50 suppliers book one slot at the same instant: exactly one gets it, the
// other 49 get the Dutch refusal and stay where they were.
func TestConcurrentBookingsOfOneSlot(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	const n = 50
	sups := make([]readySupplier, n)
	for i := range sups {
		sups[i] = newReadySupplier(t, env)
	}
	slot := newSlot(t, env, 72*time.Hour)

	start := make(chan struct{})
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, s := range sups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = env.App.Supplier.Book(context.Background(), s.Actor, s.SupplierID, slot.ID)
		}()
	}
	close(start)
	wg.Wait()

	winners, refused := 0, 0
	for i, err := range errs {
		switch {
		case err == nil:
			winners++
			if st := appState(t, env, sups[i].ApplicationID); st != admission.TestBooked {
				t.Errorf("the winner is in state %s, want test_booked", st)
			}
			if got := len(mailsTo(t, env, sups[i].Email)); got != 1 {
				t.Errorf("the winner got %d mails, want 1 confirmation", got)
			}
		case slotErr(err) == "Dit moment is net door een andere aanbieder geboekt; kies een ander moment.":
			refused++
			if st := appState(t, env, sups[i].ApplicationID); st != admission.IntegrationReady {
				t.Errorf("a refused supplier is in state %s, want integration_ready", st)
			}
			if got := len(mailsTo(t, env, sups[i].Email)); got != 0 {
				t.Errorf("a refused supplier got %d mails", got)
			}
		default:
			t.Errorf("booking %d: unexpected error %v", i, err)
		}
	}
	if winners != 1 || refused != n-1 {
		t.Errorf("%d bookings succeeded and %d were refused, want 1 and %d", winners, refused, n-1)
	}
	var live int
	if err := env.App.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM test_bookings WHERE slot_id = $1 AND cancelled_at IS NULL`, slot.ID).Scan(&live); err != nil {
		t.Fatal(err)
	}
	if live != 1 {
		t.Errorf("the slot has %d live bookings, want 1", live)
	}
}

// Booking moves the supplier to test_booked and mails an invitation for
// the slot's time; a double submit changes nothing.
func TestBookSendsInvitation(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	s := newReadySupplier(t, env)
	slot := newSlot(t, env, 5*24*time.Hour)
	b, err := env.App.Supplier.Book(context.Background(), s.Actor, s.SupplierID, slot.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st := appState(t, env, s.ApplicationID); st != admission.TestBooked {
		t.Fatalf("state %s, want test_booked", st)
	}
	again, err := env.App.Supplier.Book(context.Background(), s.Actor, s.SupplierID, slot.ID)
	if err != nil || again.ID != b.ID {
		t.Errorf("a double submit: booking %d, %v; want the same booking %d", again.ID, err, b.ID)
	}
	mails := mailsTo(t, env, s.Email)
	if len(mails) != 1 {
		t.Fatalf("%d mails, want 1", len(mails))
	}
	if !strings.Contains(mails[0].Subject, "Integratietest gepland op "+slot.StartsAt.In(amsterdamTZ).Format("02-01-2006 om 15:04")) {
		t.Errorf("subject %q", mails[0].Subject)
	}
	props, ct := invitationOf(t, env, mails[0])
	if ct != "text/calendar; method=REQUEST; charset=UTF-8" {
		t.Errorf("content type %q", ct)
	}
	want := map[string]string{
		"METHOD": "REQUEST", "SEQUENCE": "0", "SUMMARY": "Integratietest Winst uit je woning",
		"UID":                           fmt.Sprintf("booking-%d@127.0.0.1", b.ID),
		"DTSTART;TZID=Europe/Amsterdam": slot.StartsAt.In(amsterdamTZ).Format("20060102T150405"),
		"DTEND;TZID=Europe/Amsterdam":   slot.EndsAt().In(amsterdamTZ).Format("20060102T150405"),
		`ATTENDEE;CN="Ada Aanbieder";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE`: "mailto:" + s.Email,
	}
	for k, v := range want {
		if props[k] != v {
			t.Errorf("%s = %q, want %q", k, props[k], v)
		}
	}
	entries, err := env.App.Store.AuditList(context.Background(), audit.Filter{Action: audit.TestBooked, Limit: 10})
	if err != nil || len(entries) != 1 {
		t.Errorf("%d test.booked audit entries (%v), want 1", len(entries), err)
	}
}

// Moving keeps the state, frees the old slot, bumps the sequence and mails
// the updated invitation with the same UID; cancelling returns the
// supplier to integration_ready and mails a cancellation.
func TestMoveAndCancel(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	s := newReadySupplier(t, env)
	first, second := newSlot(t, env, 3*24*time.Hour), newSlot(t, env, 4*24*time.Hour)
	b, err := env.App.Supplier.Book(ctx, s.Actor, s.SupplierID, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Supplier.MoveBooking(ctx, s.Actor, s.SupplierID, first.ID); !strings.Contains(slotErr(err), "al heeft geboekt") {
		t.Errorf("moving to the same slot: %v", err)
	}
	moved, err := env.App.Supplier.MoveBooking(ctx, s.Actor, s.SupplierID, second.ID)
	if err != nil {
		t.Fatal(err)
	}
	if moved.ID != b.ID || moved.SlotID != second.ID || moved.ICSSequence != 1 {
		t.Errorf("moved booking %+v, want booking %d on slot %d with sequence 1", moved, b.ID, second.ID)
	}
	if st := appState(t, env, s.ApplicationID); st != admission.TestBooked {
		t.Errorf("state after moving %s, want test_booked", st)
	}
	if _, err := env.App.Store.TestBookingLiveForSlot(ctx, first.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the old slot is still held: %v", err)
	}
	mails := mailsTo(t, env, s.Email)
	if len(mails) != 2 {
		t.Fatalf("%d mails, want confirmation and update", len(mails))
	}
	props, _ := invitationOf(t, env, mails[1])
	uid := fmt.Sprintf("booking-%d@127.0.0.1", b.ID)
	if props["UID"] != uid || props["SEQUENCE"] != "1" || props["METHOD"] != "REQUEST" ||
		props["DTSTART;TZID=Europe/Amsterdam"] != second.StartsAt.In(amsterdamTZ).Format("20060102T150405") {
		t.Errorf("update invitation: UID %q SEQUENCE %q METHOD %q DTSTART %q", props["UID"], props["SEQUENCE"], props["METHOD"], props["DTSTART;TZID=Europe/Amsterdam"])
	}

	if err := env.App.Supplier.CancelBooking(ctx, s.Actor, s.SupplierID); err != nil {
		t.Fatal(err)
	}
	if st := appState(t, env, s.ApplicationID); st != admission.IntegrationReady {
		t.Errorf("state after cancelling %s, want integration_ready", st)
	}
	mails = mailsTo(t, env, s.Email)
	props, ct := invitationOf(t, env, mails[len(mails)-1])
	if props["METHOD"] != "CANCEL" || props["STATUS"] != "CANCELLED" || props["UID"] != uid || props["SEQUENCE"] != "2" ||
		ct != "text/calendar; method=CANCEL; charset=UTF-8" {
		t.Errorf("cancellation: METHOD %q STATUS %q UID %q SEQUENCE %q (%s)", props["METHOD"], props["STATUS"], props["UID"], props["SEQUENCE"], ct)
	}
	// The slot is free again: another supplier may book it.
	other := newReadySupplier(t, env)
	if _, err := env.App.Supplier.Book(ctx, other.Actor, other.SupplierID, second.ID); err != nil {
		t.Errorf("booking the freed slot: %v", err)
	}
}

// Within 24 hours of the start neither moving nor cancelling is possible.
func TestNoChangeWithin24Hours(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	s := newReadySupplier(t, env)
	soon, later := newSlot(t, env, 23*time.Hour), newSlot(t, env, 72*time.Hour)
	if _, err := env.App.Supplier.Book(ctx, s.Actor, s.SupplierID, soon.ID); err != nil {
		t.Fatal(err)
	}
	var na supplier.ErrNotAllowed
	if _, err := env.App.Supplier.MoveBooking(ctx, s.Actor, s.SupplierID, later.ID); !errors.As(err, &na) || !strings.Contains(na.Reason, "24 uur") {
		t.Errorf("moving within 24 hours: %v, want a Dutch refusal about 24 hours", err)
	}
	if err := env.App.Supplier.CancelBooking(ctx, s.Actor, s.SupplierID); !errors.As(err, &na) || !strings.Contains(na.Reason, "24 uur") {
		t.Errorf("cancelling within 24 hours: %v, want a Dutch refusal about 24 hours", err)
	}
	if st := appState(t, env, s.ApplicationID); st != admission.TestBooked {
		t.Errorf("state %s, want still test_booked", st)
	}
	if !supplier.CanChange(later.StartsAt, later.StartsAt.Add(-24*time.Hour)) || supplier.CanChange(later.StartsAt, later.StartsAt.Add(-24*time.Hour+time.Second)) {
		t.Error("CanChange does not cut off at exactly 24 hours before the start")
	}
}

// Withdrawn and past slots cannot be booked; a booked slot cannot be
// withdrawn; a supplier not in integration_ready cannot book.
func TestBookingRefusals(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	s := newReadySupplier(t, env)
	withdrawn := newSlot(t, env, 48*time.Hour)
	if err := env.App.Supplier.WithdrawSlot(ctx, staff(env, account.RoleAdmin), withdrawn.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Supplier.Book(ctx, s.Actor, s.SupplierID, withdrawn.ID); !strings.Contains(slotErr(err), "ingetrokken") {
		t.Errorf("booking a withdrawn slot: %v", err)
	}
	past, err := env.App.Store.TestSlotCreate(ctx, time.Now().Add(-time.Hour), 60, env.Users[account.RoleAdmin].ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Supplier.Book(ctx, s.Actor, s.SupplierID, past.ID); !strings.Contains(slotErr(err), "voorbij") {
		t.Errorf("booking a past slot: %v", err)
	}
	if _, err := env.App.Supplier.Book(ctx, s.Actor, s.SupplierID, 0); slotErr(err) != "Kies een testmoment." {
		t.Errorf("booking without a choice: %v", err)
	}
	var na supplier.ErrNotAllowed
	if _, err := env.App.Supplier.Book(ctx, audit.Actor{}, env.Supplier.ID, newSlot(t, env, 49*time.Hour).ID); !errors.As(err, &na) {
		t.Errorf("a supplier without admission booked: %v", err)
	}
	booked := newSlot(t, env, 50*time.Hour)
	if _, err := env.App.Supplier.Book(ctx, s.Actor, s.SupplierID, booked.ID); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Supplier.WithdrawSlot(ctx, staff(env, account.RoleSupport), booked.ID); !errors.As(err, &na) || !strings.Contains(na.Reason, "Gereed") {
		t.Errorf("withdrawing a booked slot: %v, want a refusal naming the supplier", err)
	}
	if st := appState(t, env, s.ApplicationID); st != admission.TestBooked {
		t.Errorf("state %s", st)
	}
	if _, err := env.App.Supplier.Book(ctx, s.Actor, s.SupplierID, newSlot(t, env, 51*time.Hour).ID); !errors.As(err, &na) {
		t.Errorf("a second booking: %v, want a refusal", err)
	}
}

// The slot form's Dutch messages, field by field.
func TestCreateSlotErrors(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	support := env.Users[account.RoleSupport]
	tomorrow := time.Now().In(amsterdamTZ).AddDate(0, 0, 1).Format("02-01-2006")
	good := supplier.SlotInput{Date: tomorrow, Time: "10:00", Duration: "60", StaffID: fmt.Sprint(support.ID)}
	for _, tc := range []struct {
		name   string
		change func(*supplier.SlotInput)
		field  string
		want   string
	}{
		{"no date", func(in *supplier.SlotInput) { in.Date = "" }, "date", "Vul de datum in."},
		{"bad date", func(in *supplier.SlotInput) { in.Date = "31-02-2027" }, "date", "Vul een geldige datum in, zoals 27-11-2026."},
		{"past", func(in *supplier.SlotInput) { in.Date = "01-01-2020" }, "date", "Deze datum ligt in het verleden; kies een datum in de toekomst."},
		{"bad time", func(in *supplier.SlotInput) { in.Time = "25:00" }, "time", "Vul een geldig tijdstip in, zoals 14:30."},
		{"DST gap", func(in *supplier.SlotInput) { in.Date, in.Time = "28-03-2027", "02:30" }, "time", "Dit tijdstip bestaat niet op die dag"},
		{"too short", func(in *supplier.SlotInput) { in.Duration = "10" }, "duration", "De duur moet tussen 15 en 480 minuten liggen."},
		{"too long", func(in *supplier.SlotInput) { in.Duration = "481" }, "duration", "De duur moet tussen 15 en 480 minuten liggen."},
		{"not a number", func(in *supplier.SlotInput) { in.Duration = "een uur" }, "duration", "Vul de duur in hele minuten in, zoals 60."},
		{"no staff", func(in *supplier.SlotInput) { in.StaffID = "" }, "staff_id", "Kies wie de integratietest begeleidt."},
		{"curator", func(in *supplier.SlotInput) { in.StaffID = fmt.Sprint(env.Users[account.RoleCurator].ID) }, "staff_id", "Kies een actieve beheerder of supportmedewerker."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := good
			tc.change(&in)
			_, err := env.App.Supplier.CreateSlot(context.Background(), staff(env, account.RoleAdmin), in)
			var fe supplier.FieldErrors
			if !errors.As(err, &fe) || !strings.HasPrefix(fe[tc.field], tc.want) {
				t.Errorf("%s: got %v (%v), want %q on %s", tc.name, fe, err, tc.want, tc.field)
			}
		})
	}
	if _, err := env.App.Supplier.CreateSlot(context.Background(), staff(env, account.RoleAdmin), good); err != nil {
		t.Fatalf("a good slot: %v", err)
	}
	// The same slot again (a double submit) clashes with the first.
	_, err := env.App.Supplier.CreateSlot(context.Background(), staff(env, account.RoleAdmin), good)
	var fe supplier.FieldErrors
	if !errors.As(err, &fe) || !strings.Contains(fe["time"], "heeft dan al een testmoment") {
		t.Errorf("a double submit: %v", err)
	}
}
