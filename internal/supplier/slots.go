package supplier

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
)

// Bounds of a slot's duration in minutes (the database checks them too).
const (
	MinSlotMinutes = 15
	MaxSlotMinutes = 480
)

// SlotInput is the staff form that publishes an integration-test slot, as
// typed: a date, a start time in Dutch time, a duration in minutes and the
// staff member who runs the test.
type SlotInput struct {
	Date, Time, Duration, StaffID string
}

// CreateSlot validates and publishes a slot. Invalid input returns
// FieldErrors on date, time, duration and staff_id.
func (s *Service) CreateSlot(ctx context.Context, actor audit.Actor, in SlotInput) (store.TestSlot, error) {
	errs := FieldErrors{}
	day, dayOK := parseDutchDate(in.Date)
	switch {
	case strings.TrimSpace(in.Date) == "":
		errs["date"] = "Vul de datum in."
	case !dayOK:
		errs["date"] = "Vul een geldige datum in, zoals 27-11-2026."
	}
	hour, minute, timeOK := parseClock(in.Time)
	switch {
	case strings.TrimSpace(in.Time) == "":
		errs["time"] = "Vul het begintijdstip in."
	case !timeOK:
		errs["time"] = "Vul een geldig tijdstip in, zoals 14:30."
	}
	minutes, err := strconv.Atoi(strings.TrimSpace(in.Duration))
	switch {
	case strings.TrimSpace(in.Duration) == "":
		errs["duration"] = "Vul de duur in minuten in."
	case err != nil:
		errs["duration"] = "Vul de duur in hele minuten in, zoals 60."
	case minutes < MinSlotMinutes || minutes > MaxSlotMinutes:
		errs["duration"] = fmt.Sprintf("De duur moet tussen %d en %d minuten liggen.", MinSlotMinutes, MaxSlotMinutes)
	}
	staffID, _ := strconv.ParseInt(strings.TrimSpace(in.StaffID), 10, 64)
	var staffName string
	if staffID <= 0 {
		errs["staff_id"] = "Kies wie de integratietest begeleidt."
	} else {
		u, ok, err := s.staffMember(ctx, staffID)
		if err != nil {
			return store.TestSlot{}, err
		}
		if !ok {
			errs["staff_id"] = "Kies een actieve beheerder of supportmedewerker."
		}
		staffName = cmpOr(u.Name, u.Email)
	}
	var start time.Time
	if dayOK && timeOK {
		start = time.Date(day.Year(), day.Month(), day.Day(), hour, minute, 0, 0, amsterdam)
		now := s.now()
		switch local := start.In(amsterdam); {
		case local.Hour() != hour || local.Minute() != minute:
			errs["time"] = "Dit tijdstip bestaat niet op die dag: de klok gaat dan een uur vooruit. Kies een ander tijdstip."
		case !start.After(now):
			if sameDay(start, now) {
				errs["time"] = "Dit moment ligt in het verleden; kies een tijdstip later vandaag of een andere dag."
			} else {
				errs["date"] = "Deze datum ligt in het verleden; kies een datum in de toekomst."
			}
		case start.After(now.AddDate(1, 0, 0)):
			errs["date"] = "Publiceer testmomenten hoogstens een jaar vooruit."
		}
	}
	if len(errs) == 0 {
		if clash, err := s.staffClash(ctx, staffID, start, minutes); err != nil {
			return store.TestSlot{}, err
		} else if clash != nil {
			errs["time"] = fmt.Sprintf("%s heeft dan al een testmoment (%s–%s). Kies een ander tijdstip of een andere collega.",
				staffName, clash.StartsAt.In(amsterdam).Format("15:04"), clash.EndsAt().In(amsterdam).Format("15:04"))
		}
	}
	if len(errs) > 0 {
		return store.TestSlot{}, errs
	}
	var slot store.TestSlot
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		if slot, err = tx.TestSlotCreate(ctx, start, minutes, staffID); err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.TestSlotCreated, SubjectType: "test_slot",
			SubjectID: fmt.Sprint(slot.ID), Detail: map[string]string{"start": stamp(start), "minutes": itoa(minutes), "staff": staffName}})
	})
	return slot, err
}

// staffClash returns a published slot of the staff member that overlaps
// the new one, if any.
func (s *Service) staffClash(ctx context.Context, staffID int64, start time.Time, minutes int) (*store.TestSlotListItem, error) {
	end := start.Add(time.Duration(minutes) * time.Minute)
	slots, err := s.store.TestSlotList(ctx, start.Add(-MaxSlotMinutes*time.Minute))
	if err != nil {
		return nil, err
	}
	for _, sl := range slots {
		if sl.StaffID == staffID && sl.WithdrawnAt == nil && sl.StartsAt.Before(end) && start.Before(sl.EndsAt()) {
			return &sl, nil
		}
	}
	return nil, nil
}

// WithdrawSlot withdraws a slot nobody holds. A booked slot cannot be
// withdrawn (the booking supplier must move or cancel it); withdrawing a
// withdrawn slot again changes nothing.
func (s *Service) WithdrawSlot(ctx context.Context, actor audit.Actor, slotID int64) error {
	return s.store.InTx(ctx, func(tx *store.Store) error {
		slot, err := tx.TestSlotGetForUpdate(ctx, slotID)
		if err != nil {
			return err
		}
		if slot.WithdrawnAt != nil {
			return nil
		}
		b, err := tx.TestBookingLiveForSlot(ctx, slotID)
		switch {
		case err == nil:
			who := "een aanbieder"
			if d, err := tx.TestBookingDetail(ctx, b.ID); err == nil {
				who = d.CompanyName
			}
			return ErrNotAllowed{fmt.Sprintf("Het testmoment van %s is geboekt door %s en kan niet worden ingetrokken. Vraag de aanbieder het te verplaatsen of te annuleren.",
				dutchDay(slot.StartsAt), who)}
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		if err := tx.TestSlotWithdraw(ctx, slotID); err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.TestSlotWithdrawn, SubjectType: "test_slot",
			SubjectID: fmt.Sprint(slotID), Detail: map[string]string{"start": stamp(slot.StartsAt)}})
	})
}

// parseDutchDate reads a date as a date input sends it (2026-11-27) or as
// a Dutch person types it (27-11-2026, 27-11-26 is not accepted).
func parseDutchDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "2-1-2006", "2/1/2006", "2.1.2006"} {
		if t, err := time.ParseInLocation(layout, s, amsterdam); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseClock reads a time of day as 14:30, 9:05 or 14.30.
func parseClock(s string) (hour, minute int, ok bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ".", ":")
	h, m, found := strings.Cut(s, ":")
	if !found || len(m) != 2 || len(h) == 0 || len(h) > 2 {
		return 0, 0, false
	}
	hour, err1 := strconv.Atoi(h)
	minute, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		return 0, 0, false
	}
	return hour, minute, true
}

func sameDay(a, b time.Time) bool {
	a, b = a.In(amsterdam), b.In(amsterdam)
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}
