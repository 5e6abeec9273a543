package portal

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/supplier"
	supplierweb "github.com/wujw/ohis/web/supplier"
)

// The supplier's integration test (admission steps 4–6): book a slot, move
// or cancel it up to 24 hours before, download the invitation, read the
// outcome. The supplier is always the logged-in user's organisation; the
// only thing taken from the request is which free slot it chooses.

const bookingPath = "/koppeling/integratietest"

// bookingView builds the supplier's page; refusal and slotErr come from a
// refused action, selected is the slot the supplier chose.
func (s *Server) bookingView(r *http.Request, refusal, slotErr, selected string) (supplierweb.BookingView, error) {
	ctx := r.Context()
	v := supplierweb.BookingView{Refusal: refusal, SlotError: slotErr, Selected: selected}
	a, ok, err := s.ownApplication(r)
	if err != nil {
		return v, err
	}
	if !ok {
		v.Stage = supplierweb.BookingNotYet
		v.Notice = "Er is geen toelating bekend voor uw organisatie. Een integratietest boekt u na toelating, als u uw koppeling gereed heeft gemeld."
		return v, nil
	}
	bookings, err := s.store.TestBookingListForApplication(ctx, a.ID)
	if err != nil {
		return v, err
	}
	now := s.now()
	var live *store.TestBookingHistoryItem
	for i, b := range bookings {
		if b.Live() && live == nil {
			live = &bookings[i]
			continue
		}
		v.History = append(v.History, supplierweb.BookingHistoryRow{
			When: slotLabel(b.StartsAt, b.DurationMin, ""), Status: bookingStatus(b.TestBooking), Findings: b.Findings,
		})
	}
	// The findings of the last decided test, while the supplier works on them.
	for _, b := range bookings {
		if b.Outcome == "" {
			continue
		}
		if b.Outcome == supplier.VerdictFailed && a.State != admission.Production {
			v.Findings, v.FindingsDate = b.Findings, dateNL(b.StartsAt)
		}
		break
	}
	switch a.State {
	case admission.Applied, admission.InReview:
		v.Stage, v.Notice = supplierweb.BookingNotYet, "U kunt een integratietest boeken zodra u bent toegelaten en uw koppeling gereed heeft gemeld."
	case admission.Admitted:
		v.Stage, v.Notice = supplierweb.BookingNotYet, "Meld eerst op de startpagina uw koppeling gereed (stap 4); daarna kiest u hier een moment voor de integratietest."
	case admission.Production:
		v.Stage = supplierweb.BookingProduction
	case admission.Rejected, admission.Excluded:
		v.Stage, v.Notice = supplierweb.BookingUnavailable, "Uw organisatie neemt niet deel aan het platform; er valt geen integratietest te boeken."
	case admission.IntegrationReady:
		v.Stage = supplierweb.BookingChoose
	case admission.TestBooked:
		v.Stage = supplierweb.BookingChoose
		if live != nil {
			d, err := s.store.TestBookingDetail(ctx, live.ID)
			if err != nil {
				return v, err
			}
			v.Stage = supplierweb.BookingBooked
			v.Current = &supplierweb.BookingCurrent{
				Day:  weekdayNL(d.Slot.StartsAt) + " " + dateNL(d.Slot.StartsAt),
				Time: clockNL(d.Slot.StartsAt) + "–" + clockNL(d.Slot.EndsAt()), Duration: minutesNL(d.Slot.DurationMin),
				Staff: cmp.Or(d.StaffName, d.StaffEmail), CanChange: supplier.CanChange(d.Slot.StartsAt, now),
				ChangeUntil: dateNL(d.Slot.StartsAt.Add(-supplier.ChangeDeadline)) + " om " + clockNL(d.Slot.StartsAt),
			}
		}
	}
	if v.Stage == supplierweb.BookingChoose || v.Stage == supplierweb.BookingBooked {
		slots, err := s.store.TestSlotList(ctx, now)
		if err != nil {
			return v, err
		}
		for _, sl := range slots {
			if sl.Free(now) {
				v.Slots = append(v.Slots, supplierweb.BookingSlot{Value: strconv.FormatInt(sl.ID, 10),
					Label: slotLabel(sl.StartsAt, sl.DurationMin, cmp.Or(sl.StaffName, sl.StaffEmail))})
			}
		}
	}
	return v, nil
}

func (s *Server) bookingShow(w http.ResponseWriter, r *http.Request) error {
	v, err := s.bookingView(r, "", "", "")
	if err != nil {
		return err
	}
	return s.render(w, r, supplierweb.Booking(s.withFlashes(w, r, s.pageFor(r, "Integratietest")), v))
}

func (s *Server) bookingCreate(w http.ResponseWriter, r *http.Request) error {
	raw := r.PostFormValue("slot_id")
	b, err := s.supplier.Book(r.Context(), s.actor(r), *currentUser(r).SupplierID, formSlotID(raw))
	if err != nil {
		return s.bookingRefused(w, r, err, raw)
	}
	if d, err := s.store.TestBookingDetail(r.Context(), b.ID); err == nil {
		s.flash(w, r, "success", fmt.Sprintf("Uw integratietest is geboekt op %s %s om %s. U ontvangt een bevestiging met een uitnodiging voor uw agenda.",
			weekdayNL(d.Slot.StartsAt), dateNL(d.Slot.StartsAt), clockNL(d.Slot.StartsAt)))
	}
	return redirect(w, r, bookingPath)
}

func (s *Server) bookingMove(w http.ResponseWriter, r *http.Request) error {
	raw := r.PostFormValue("slot_id")
	b, err := s.supplier.MoveBooking(r.Context(), s.actor(r), *currentUser(r).SupplierID, formSlotID(raw))
	if err != nil {
		return s.bookingRefused(w, r, err, raw)
	}
	if d, err := s.store.TestBookingDetail(r.Context(), b.ID); err == nil {
		s.flash(w, r, "success", fmt.Sprintf("Uw integratietest is verplaatst naar %s %s om %s. U ontvangt een bijgewerkte uitnodiging.",
			weekdayNL(d.Slot.StartsAt), dateNL(d.Slot.StartsAt), clockNL(d.Slot.StartsAt)))
	}
	return redirect(w, r, bookingPath)
}

func (s *Server) bookingCancel(w http.ResponseWriter, r *http.Request) error {
	if err := s.supplier.CancelBooking(r.Context(), s.actor(r), *currentUser(r).SupplierID); err != nil {
		return s.bookingRefused(w, r, err, "")
	}
	s.flash(w, r, "success", "Uw integratietest is geannuleerd. U kunt hieronder een nieuw moment kiezen.")
	return redirect(w, r, bookingPath)
}

// bookingRefused shows the page again with the Dutch reason, keeping the
// supplier's choice; other errors are the server's.
func (s *Server) bookingRefused(w http.ResponseWriter, r *http.Request, err error, selected string) error {
	var (
		fe    supplier.FieldErrors
		na    supplier.ErrNotAllowed
		trans admission.ErrTransition
	)
	refusal, slotErr := "", ""
	switch {
	case errors.As(err, &fe):
		refusal, slotErr = fe["slot_id"], fe["slot_id"]
	case errors.As(err, &na):
		refusal = na.Reason
	case errors.As(err, &trans):
		refusal = "Dit past niet bij de stap waarin uw toelating zich nu bevindt. Vernieuw de pagina en probeer het opnieuw."
	default:
		return err
	}
	v, verr := s.bookingView(r, refusal, slotErr, selected)
	if verr != nil {
		return verr
	}
	return s.renderStatus(w, r, http.StatusUnprocessableEntity, supplierweb.Booking(s.pageFor(r, "Integratietest"), v))
}

func (s *Server) bookingICS(w http.ResponseWriter, r *http.Request) error {
	inv, err := s.supplier.Invitation(r.Context(), *currentUser(r).SupplierID)
	if err != nil {
		return err // no application or no live booking: 404
	}
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="integratietest.ics"`)
	h.Set("Cache-Control", "no-store")
	_, err = w.Write(inv.Bytes())
	return err
}

// formSlotID reads the chosen slot; anything but a positive number is "no
// choice", which the service refuses with a Dutch message.
func formSlotID(raw string) int64 {
	id, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}

func bookingStatus(b store.TestBooking) string {
	switch {
	case b.CancelledAt != nil:
		return "Geannuleerd"
	case b.Outcome == supplier.VerdictPassed:
		return "Geslaagd"
	case b.Outcome == supplier.VerdictFailed:
		return "Niet geslaagd"
	}
	return "Gepland"
}

var weekdaysNL = [...]string{"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"}

func weekdayNL(t time.Time) string { return weekdaysNL[t.In(amsterdam()).Weekday()] }
func dateNL(t time.Time) string    { return t.In(amsterdam()).Format("02-01-2006") }
func clockNL(t time.Time) string   { return t.In(amsterdam()).Format("15:04") }

// minutesNL is a duration the way people say it: "45 minuten", "1 uur",
// "1 uur en 30 minuten".
func minutesNL(n int) string {
	h, m := n/60, n%60
	switch {
	case h == 0:
		return fmt.Sprintf("%d minuten", m)
	case m == 0:
		return fmt.Sprintf("%d uur", h)
	}
	return fmt.Sprintf("%d uur en %d minuten", h, m)
}

// slotLabel is "woensdag 15-07-2026, 10:00–11:00 (1 uur), met Anna".
func slotLabel(start time.Time, minutes int, staff string) string {
	end := start.Add(time.Duration(minutes) * time.Minute)
	l := fmt.Sprintf("%s %s, %s–%s (%s)", weekdayNL(start), dateNL(start), clockNL(start), clockNL(end), minutesNL(minutes))
	if staff != "" {
		l += ", met " + staff
	}
	return l
}
