package supplier

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/mail"
	"github.com/wujw/ohis/internal/store"
)

// AttachmentMailer puts a mail with attached files (the .ics invitation)
// in the outbox on the caller's transaction. The outbox implements it
// beside Mailer; the service finds it on its Mailer.
type AttachmentMailer interface {
	EnqueueWithAttachments(ctx context.Context, tx *store.Store, to, subject, text string, atts []mail.Attachment) error
}

// TestSummary is the title of every integration-test invitation.
const TestSummary = "Integratietest Winst uit je woning"

// ChangeDeadline is how long before its start a booking can still be moved
// or cancelled by the supplier.
const ChangeDeadline = 24 * time.Hour

// CanChange reports whether a booking that starts at start may still be
// moved or cancelled at now.
func CanChange(start, now time.Time) bool { return !now.After(start.Add(-ChangeDeadline)) }

// Dutch refusals of the booking flow, shown as they are.
const (
	msgSlotTaken     = "Dit moment is net door een andere aanbieder geboekt; kies een ander moment."
	msgSlotGone      = "Dit testmoment bestaat niet meer; kies een ander moment."
	msgSlotWithdrawn = "Dit testmoment is ingetrokken; kies een ander moment."
	msgSlotPast      = "Dit testmoment is al begonnen of voorbij; kies een moment in de toekomst."
	msgTooLate       = "Verplaatsen of annuleren kan tot 24 uur voor het begin van de integratietest. Neem contact op met support als het echt niet anders kan."
)

// Book books a free slot for the supplier's integration test (step 4): the
// booking, the move to test_booked and the confirmation mail with its
// invitation commit together. Booking the slot one already holds again (a
// double submit) changes nothing.
func (s *Service) Book(ctx context.Context, actor audit.Actor, supplierID, slotID int64) (store.TestBooking, error) {
	var booking store.TestBooking
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		a, err := s.lockApplication(ctx, tx, supplierID)
		if err != nil {
			return err
		}
		if a.State == admission.TestBooked {
			if live, err := tx.TestBookingLiveForApplication(ctx, a.ID); err == nil && live.SlotID == slotID {
				booking = live
				return nil
			}
			return ErrNotAllowed{"U heeft al een integratietest geboekt. Verplaats of annuleer die als u een ander moment wilt."}
		}
		if a.State != admission.IntegrationReady {
			return ErrNotAllowed{"U kunt een integratietest boeken zodra u uw koppeling gereed heeft gemeld (stap 4)."}
		}
		if _, err := s.bookableSlot(ctx, tx, slotID); err != nil {
			return err
		}
		b, err := tx.TestBookingCreate(ctx, slotID, a.ID, actor.UserID)
		if errors.Is(err, store.ErrSlotTaken) {
			return FieldErrors{"slot_id": msgSlotTaken}
		}
		if err != nil {
			return err
		}
		booking = b
		if _, _, err := s.move(ctx, tx, a.ID, admission.TestBooked, actor, ""); err != nil {
			return err
		}
		d, err := tx.TestBookingDetail(ctx, b.ID)
		if err != nil {
			return err
		}
		subject := "Integratietest gepland op " + dutchDay(d.Slot.StartsAt)
		intro := fmt.Sprintf("U heeft de integratietest van %s met Winst uit je woning geboekt:", d.CompanyName)
		if err := s.mailInvitation(ctx, tx, d, MethodRequest, subject, intro); err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.TestBooked, SubjectType: "test_booking",
			SubjectID: fmt.Sprint(b.ID), SupplierID: &supplierID, Detail: map[string]string{"slot": fmt.Sprint(slotID), "start": stamp(d.Slot.StartsAt)}})
	})
	return booking, err
}

// MoveBooking moves the supplier's booking to another free slot, up to 24
// hours before the booked start, and mails the updated invitation.
func (s *Service) MoveBooking(ctx context.Context, actor audit.Actor, supplierID, slotID int64) (store.TestBooking, error) {
	var booking store.TestBooking
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		a, live, old, err := s.changeableBooking(ctx, tx, supplierID)
		if err != nil {
			return err
		}
		if slotID == live.SlotID {
			return FieldErrors{"slot_id": "Dit is het moment dat u al heeft geboekt; kies een ander moment."}
		}
		if _, err := s.bookableSlot(ctx, tx, slotID); err != nil {
			return err
		}
		b, err := tx.TestBookingMove(ctx, live.ID, slotID)
		if errors.Is(err, store.ErrSlotTaken) {
			return FieldErrors{"slot_id": msgSlotTaken}
		}
		if err != nil {
			return err
		}
		booking = b
		d, err := tx.TestBookingDetail(ctx, b.ID)
		if err != nil {
			return err
		}
		subject := "Integratietest verplaatst naar " + dutchDay(d.Slot.StartsAt)
		intro := fmt.Sprintf("De integratietest van %s is verplaatst van %s naar:", d.CompanyName, dutchDay(old.StartsAt))
		if err := s.mailInvitation(ctx, tx, d, MethodRequest, subject, intro); err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.TestMoved, SubjectType: "test_booking",
			SubjectID: fmt.Sprint(b.ID), SupplierID: a.SupplierID,
			Detail: map[string]string{"from": stamp(old.StartsAt), "to": stamp(d.Slot.StartsAt), "slot": fmt.Sprint(slotID)}})
	})
	return booking, err
}

// CancelBooking cancels the supplier's booking up to 24 hours before its
// start: the supplier is back at "integration ready" and gets a
// cancellation for its calendar.
func (s *Service) CancelBooking(ctx context.Context, actor audit.Actor, supplierID int64) error {
	return s.store.InTx(ctx, func(tx *store.Store) error {
		a, live, _, err := s.changeableBooking(ctx, tx, supplierID)
		if err != nil {
			return err
		}
		if _, err := tx.TestBookingCancel(ctx, live.ID); err != nil {
			return err
		}
		if _, _, err := s.move(ctx, tx, a.ID, admission.IntegrationReady, actor, "integratietest geannuleerd"); err != nil {
			return err
		}
		d, err := tx.TestBookingDetail(ctx, live.ID)
		if err != nil {
			return err
		}
		subject := "Integratietest van " + dutchDay(d.Slot.StartsAt) + " geannuleerd"
		intro := fmt.Sprintf("U heeft de integratietest van %s geannuleerd. Dit moment vervalt:", d.CompanyName)
		if err := s.mailInvitation(ctx, tx, d, MethodCancel, subject, intro); err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.TestCancelled, SubjectType: "test_booking",
			SubjectID: fmt.Sprint(live.ID), SupplierID: a.SupplierID, Detail: map[string]string{"start": stamp(d.Slot.StartsAt)}})
	})
}

// Invitation returns the calendar invitation of the supplier's current
// booking, or store.ErrNotFound when it has none.
func (s *Service) Invitation(ctx context.Context, supplierID int64) (Invitation, error) {
	a, err := s.store.ApplicationBySupplier(ctx, supplierID)
	if err != nil {
		return Invitation{}, err
	}
	live, err := s.store.TestBookingLiveForApplication(ctx, a.ID)
	if err != nil {
		return Invitation{}, err
	}
	d, err := s.store.TestBookingDetail(ctx, live.ID)
	if err != nil {
		return Invitation{}, err
	}
	return s.invitation(d, MethodRequest), nil
}

// lockApplication locks the supplier's application; a supplier without one
// gets a Dutch refusal.
func (s *Service) lockApplication(ctx context.Context, tx *store.Store, supplierID int64) (admission.Application, error) {
	a, err := tx.ApplicationBySupplier(ctx, supplierID)
	if errors.Is(err, store.ErrNotFound) {
		return a, ErrNotAllowed{"Er is geen toelating bekend voor uw organisatie; een integratietest boeken kan pas na toelating."}
	}
	if err != nil {
		return a, err
	}
	return tx.ApplicationGetForUpdate(ctx, a.ID)
}

// changeableBooking returns the supplier's locked application, its live
// booking and that booking's slot, when it may still be moved or cancelled.
func (s *Service) changeableBooking(ctx context.Context, tx *store.Store, supplierID int64) (admission.Application, store.TestBooking, store.TestSlot, error) {
	a, err := s.lockApplication(ctx, tx, supplierID)
	if err != nil {
		return a, store.TestBooking{}, store.TestSlot{}, err
	}
	live, err := tx.TestBookingLiveForApplication(ctx, a.ID)
	if a.State != admission.TestBooked || errors.Is(err, store.ErrNotFound) {
		return a, live, store.TestSlot{}, ErrNotAllowed{"U heeft geen geplande integratietest om te verplaatsen of te annuleren."}
	}
	if err != nil {
		return a, live, store.TestSlot{}, err
	}
	slot, err := tx.TestSlotGet(ctx, live.SlotID)
	if err != nil {
		return a, live, slot, err
	}
	if !CanChange(slot.StartsAt, s.now()) {
		return a, live, slot, ErrNotAllowed{msgTooLate}
	}
	return a, live, slot, nil
}

// bookableSlot locks a slot against withdrawal and checks that it can be
// booked: it exists, is not withdrawn and has not started. Whether another
// supplier holds it is left to the unique index, which also decides between
// two bookings at the same instant.
func (s *Service) bookableSlot(ctx context.Context, tx *store.Store, slotID int64) (store.TestSlot, error) {
	if slotID <= 0 {
		return store.TestSlot{}, FieldErrors{"slot_id": "Kies een testmoment."}
	}
	slot, err := tx.TestSlotGetForShare(ctx, slotID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return slot, FieldErrors{"slot_id": msgSlotGone}
	case err != nil:
		return slot, err
	case slot.WithdrawnAt != nil:
		return slot, FieldErrors{"slot_id": msgSlotWithdrawn}
	case !slot.StartsAt.After(s.now()):
		return slot, FieldErrors{"slot_id": msgSlotPast}
	}
	return slot, nil
}

// invitation is the calendar invitation of a booking.
func (s *Service) invitation(d store.TestBookingDetail, method string) Invitation {
	host := "ohis"
	if s.baseURL != nil && s.baseURL.Hostname() != "" {
		host = s.baseURL.Hostname()
	}
	inv := Invitation{
		UID: fmt.Sprintf("booking-%d@%s", d.ID, host), Sequence: d.ICSSequence, Method: method, Stamp: s.now(),
		Start: d.Slot.StartsAt, End: d.Slot.EndsAt(), Summary: TestSummary,
		Description: fmt.Sprintf("Integratietest van %s met Winst uit je woning. Elk van de vier testgevallen wordt op ten minste vier manieren doorlopen: %s.",
			d.CompanyName, strings.Join(caseLabels(), "; ")),
		Organizer: Person{Name: cmpOr(d.StaffName, d.StaffEmail), Email: d.StaffEmail},
		Attendee:  Person{Name: cmpOr(d.ContactName, d.ContactEmail), Email: d.ContactEmail},
	}
	if s.baseURL != nil {
		inv.URL = s.baseURL.JoinPath("koppeling", "integratietest").String()
	}
	return inv
}

// mailInvitation mails the supplier's contact person the booking's details
// with its invitation (or cancellation) attached.
func (s *Service) mailInvitation(ctx context.Context, tx *store.Store, d store.TestBookingDetail, method, subject, intro string) error {
	am, ok := s.mailer.(AttachmentMailer)
	if !ok {
		return errors.New("supplier: the mailer cannot attach an invitation")
	}
	inv := s.invitation(d, method)
	var b strings.Builder
	fmt.Fprintf(&b, "Beste %s,\n\n%s\n\n", d.ContactName, intro)
	fmt.Fprintf(&b, "  Datum:        %s\n  Tijd:         %s–%s (Nederlandse tijd)\n  Begeleiding:  %s\n\n",
		dutchWeekday(d.Slot.StartsAt)+" "+d.Slot.StartsAt.In(amsterdam).Format("02-01-2006"),
		d.Slot.StartsAt.In(amsterdam).Format("15:04"), d.Slot.EndsAt().In(amsterdam).Format("15:04"), inv.Organizer.Name)
	if method == MethodCancel {
		b.WriteString("In de bijlage vindt u de annulering voor uw agenda. U kunt in het portaal een nieuw moment boeken:\n")
	} else {
		b.WriteString("In de bijlage vindt u de uitnodiging voor uw agenda. Tijdens de test doorlopen we samen elk van deze\ntestgevallen op ten minste vier manieren:\n")
		for _, l := range caseLabels() {
			b.WriteString("  - " + l + "\n")
		}
		b.WriteString("\nVerplaatsen of annuleren kan tot 24 uur van tevoren in het portaal:\n")
	}
	fmt.Fprintf(&b, "%s\n\nMet vriendelijke groet,\nWinst uit je woning", inv.URL)
	return am.EnqueueWithAttachments(ctx, tx, d.ContactEmail, subject, b.String(), []mail.Attachment{{
		Filename: "integratietest.ics", ContentType: inv.ContentType(), Data: inv.Bytes(),
	}})
}

// staffMember returns the active admin or support user who runs a test.
func (s *Service) staffMember(ctx context.Context, id int64) (account.User, bool, error) {
	u, err := s.store.UserGet(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return u, false, nil
	}
	if err != nil {
		return u, false, err
	}
	return u, u.Active && (u.Role == account.RoleAdmin || u.Role == account.RoleSupport), nil
}

var dutchWeekdays = [...]string{"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"}

func dutchWeekday(t time.Time) string { return dutchWeekdays[t.In(amsterdam).Weekday()] }

// dutchDay is a moment as "15-07-2026 om 10:00", in Dutch time.
func dutchDay(t time.Time) string {
	t = t.In(amsterdam)
	return t.Format("02-01-2006") + " om " + t.Format("15:04")
}

// stamp is a moment for audit details.
func stamp(t time.Time) string { return t.In(amsterdam).Format("02-01-2006 15:04") }

func itoa(n int) string { return strconv.Itoa(n) }
