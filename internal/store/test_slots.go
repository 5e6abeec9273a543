package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/store/dbsqlc"
)

// ErrSlotTaken is returned when a test slot already has a live booking: the
// unique index test_bookings_slot_live_key refused a second one. It is an
// ErrConflict.
var ErrSlotTaken = fmt.Errorf("test slot already booked: %w", ErrConflict)

// ErrAlreadyBooked is returned when an application already has a live,
// undecided booking (test_bookings_application_live_key). It is an
// ErrConflict.
var ErrAlreadyBooked = fmt.Errorf("application already has a booking: %w", ErrConflict)

// TestSlot is a moment staff published for an integration test.
type TestSlot struct {
	ID          int64
	StartsAt    time.Time
	DurationMin int
	StaffID     int64
	CreatedAt   time.Time
	WithdrawnAt *time.Time
}

// EndsAt is when the slot's meeting ends.
func (s TestSlot) EndsAt() time.Time {
	return s.StartsAt.Add(time.Duration(s.DurationMin) * time.Minute)
}

func testSlotFromRow(r dbsqlc.TestSlot) TestSlot {
	return TestSlot{ID: r.ID, StartsAt: r.StartsAt, DurationMin: int(r.DurationMin), StaffID: r.StaffID,
		CreatedAt: r.CreatedAt, WithdrawnAt: r.WithdrawnAt}
}

// TestSlotListItem is a slot with its staff member and live booking.
type TestSlotListItem struct {
	TestSlot
	StaffName, StaffEmail string
	// BookingID is set while the slot has a live (not cancelled) booking.
	BookingID            *int64
	BookingApplicationID *int64
	BookedByCompany      string
}

// Free reports whether a supplier could book the slot: not withdrawn, no
// live booking, and not yet started at now.
func (s TestSlotListItem) Free(now time.Time) bool {
	return s.WithdrawnAt == nil && s.BookingID == nil && s.StartsAt.After(now)
}

// TestBooking is a supplier's booking of a slot, and staff's decision on
// the test.
type TestBooking struct {
	ID            int64
	SlotID        int64
	ApplicationID int64
	BookedAt      time.Time
	BookedBy      *int64
	CancelledAt   *time.Time
	Outcome       string // "", "passed" or "failed"
	Findings      string
	DecidedAt     *time.Time
	DecidedBy     *int64
	ICSSequence   int
}

// Live reports whether the booking still holds its slot undecided.
func (b TestBooking) Live() bool { return b.CancelledAt == nil && b.Outcome == "" }

func testBookingFromRow(r dbsqlc.TestBooking) TestBooking {
	b := TestBooking{ID: r.ID, SlotID: r.SlotID, ApplicationID: r.ApplicationID, BookedAt: r.BookedAt, BookedBy: r.BookedBy,
		CancelledAt: r.CancelledAt, Findings: r.Findings, DecidedAt: r.DecidedAt, DecidedBy: r.DecidedBy, ICSSequence: int(r.IcsSequence)}
	if r.Outcome != nil {
		b.Outcome = *r.Outcome
	}
	return b
}

// TestBookingHistoryItem is one of an application's bookings with its
// slot's time.
type TestBookingHistoryItem struct {
	TestBooking
	StartsAt    time.Time
	DurationMin int
}

// TestBookingDetail is a booking with everything its page and its calendar
// invitation show.
type TestBookingDetail struct {
	TestBooking
	Slot                                   TestSlot
	StaffName, StaffEmail                  string
	CompanyName, ContactName, ContactEmail string
	ApplicationState                       admission.State
	SupplierID                             *int64
}

// TestCaseResult is staff's result of one variant of one test case.
type TestCaseResult struct {
	BookingID int64
	TestCase  string
	Variant   int
	Passed    bool
	Note      string
}

// conflictOn reports whether err is a unique violation of the constraint.
func conflictOn(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == constraint
}

// bookingError maps the live-booking indexes onto their sentinels.
func bookingError(err error, doing string) error {
	switch {
	case conflictOn(err, "test_bookings_slot_live_key"):
		return fmt.Errorf("%s: %w", doing, ErrSlotTaken)
	case conflictOn(err, "test_bookings_application_live_key"):
		return fmt.Errorf("%s: %w", doing, ErrAlreadyBooked)
	}
	return interpret(err, doing)
}

// TestSlotCreate publishes a slot.
func (s *Store) TestSlotCreate(ctx context.Context, startsAt time.Time, durationMin int, staffID int64) (TestSlot, error) {
	row, err := s.q.TestSlotCreate(ctx, dbsqlc.TestSlotCreateParams{StartsAt: startsAt, DurationMin: int32(durationMin), StaffID: staffID})
	if err != nil {
		return TestSlot{}, interpret(err, "creating test slot")
	}
	return testSlotFromRow(row), nil
}

// TestSlotGet returns one slot.
func (s *Store) TestSlotGet(ctx context.Context, id int64) (TestSlot, error) {
	row, err := s.q.TestSlotGet(ctx, id)
	if err != nil {
		return TestSlot{}, interpret(err, "getting test slot")
	}
	return testSlotFromRow(row), nil
}

// TestSlotGetForShare returns a slot and keeps it from being withdrawn
// until the transaction ends; concurrent bookings of it do not wait here.
func (s *Store) TestSlotGetForShare(ctx context.Context, id int64) (TestSlot, error) {
	row, err := s.q.TestSlotGetForShare(ctx, id)
	if err != nil {
		return TestSlot{}, interpret(err, "locking test slot")
	}
	return testSlotFromRow(row), nil
}

// TestSlotGetForUpdate returns a slot locked against bookings committing
// until the transaction ends.
func (s *Store) TestSlotGetForUpdate(ctx context.Context, id int64) (TestSlot, error) {
	row, err := s.q.TestSlotGetForUpdate(ctx, id)
	if err != nil {
		return TestSlot{}, interpret(err, "locking test slot")
	}
	return testSlotFromRow(row), nil
}

// TestSlotWithdraw withdraws a slot; a slot already withdrawn stays as it
// was.
func (s *Store) TestSlotWithdraw(ctx context.Context, id int64) error {
	return interpret(s.q.TestSlotWithdraw(ctx, id), "withdrawing test slot")
}

// TestSlotList returns the slots that start from a moment on, earliest
// first, with their live booking.
func (s *Store) TestSlotList(ctx context.Context, from time.Time) ([]TestSlotListItem, error) {
	rows, err := s.q.TestSlotList(ctx, from)
	if err != nil {
		return nil, interpret(err, "listing test slots")
	}
	out := make([]TestSlotListItem, len(rows))
	for i, r := range rows {
		out[i] = TestSlotListItem{
			TestSlot: testSlotFromRow(dbsqlc.TestSlot{ID: r.ID, StartsAt: r.StartsAt, DurationMin: r.DurationMin, StaffID: r.StaffID,
				CreatedAt: r.CreatedAt, WithdrawnAt: r.WithdrawnAt}),
			StaffName: r.StaffName, StaffEmail: r.StaffEmail, BookingID: r.BookingID,
			BookingApplicationID: r.BookingApplicationID, BookedByCompany: r.BookedByCompany,
		}
	}
	return out, nil
}

// TestBookingCreate books a slot for an application. A slot with a live
// booking is ErrSlotTaken; an application with a live booking is
// ErrAlreadyBooked.
func (s *Store) TestBookingCreate(ctx context.Context, slotID, applicationID int64, bookedBy *int64) (TestBooking, error) {
	row, err := s.q.TestBookingCreate(ctx, dbsqlc.TestBookingCreateParams{SlotID: slotID, ApplicationID: applicationID, BookedBy: bookedBy})
	if err != nil {
		return TestBooking{}, bookingError(err, "booking test slot")
	}
	return testBookingFromRow(row), nil
}

// TestBookingGet returns one booking.
func (s *Store) TestBookingGet(ctx context.Context, id int64) (TestBooking, error) {
	row, err := s.q.TestBookingGet(ctx, id)
	if err != nil {
		return TestBooking{}, interpret(err, "getting test booking")
	}
	return testBookingFromRow(row), nil
}

// TestBookingGetForUpdate returns one booking locked until the transaction
// ends, so results and the decision on it serialise.
func (s *Store) TestBookingGetForUpdate(ctx context.Context, id int64) (TestBooking, error) {
	row, err := s.q.TestBookingGetForUpdate(ctx, id)
	if err != nil {
		return TestBooking{}, interpret(err, "locking test booking")
	}
	return testBookingFromRow(row), nil
}

// TestBookingLiveForApplication returns the application's live, undecided
// booking, or ErrNotFound.
func (s *Store) TestBookingLiveForApplication(ctx context.Context, applicationID int64) (TestBooking, error) {
	row, err := s.q.TestBookingLiveForApplication(ctx, applicationID)
	if err != nil {
		return TestBooking{}, interpret(err, "getting live test booking")
	}
	return testBookingFromRow(row), nil
}

// TestBookingLiveForSlot returns the booking that holds a slot, or
// ErrNotFound.
func (s *Store) TestBookingLiveForSlot(ctx context.Context, slotID int64) (TestBooking, error) {
	row, err := s.q.TestBookingLiveForSlot(ctx, slotID)
	if err != nil {
		return TestBooking{}, interpret(err, "getting booking of slot")
	}
	return testBookingFromRow(row), nil
}

// TestBookingListForApplication returns all of an application's bookings,
// newest first.
func (s *Store) TestBookingListForApplication(ctx context.Context, applicationID int64) ([]TestBookingHistoryItem, error) {
	rows, err := s.q.TestBookingListForApplication(ctx, applicationID)
	if err != nil {
		return nil, interpret(err, "listing test bookings")
	}
	out := make([]TestBookingHistoryItem, len(rows))
	for i, r := range rows {
		out[i] = TestBookingHistoryItem{
			TestBooking: testBookingFromRow(dbsqlc.TestBooking{ID: r.ID, SlotID: r.SlotID, ApplicationID: r.ApplicationID,
				BookedAt: r.BookedAt, BookedBy: r.BookedBy, CancelledAt: r.CancelledAt, Outcome: r.Outcome, Findings: r.Findings,
				DecidedAt: r.DecidedAt, DecidedBy: r.DecidedBy, IcsSequence: r.IcsSequence}),
			StartsAt: r.StartsAt, DurationMin: int(r.DurationMin),
		}
	}
	return out, nil
}

// TestBookingCancel cancels a live, undecided booking and bumps its
// invitation sequence; ErrNotFound when there is none such.
func (s *Store) TestBookingCancel(ctx context.Context, id int64) (TestBooking, error) {
	row, err := s.q.TestBookingCancel(ctx, id)
	if err != nil {
		return TestBooking{}, interpret(err, "cancelling test booking")
	}
	return testBookingFromRow(row), nil
}

// TestBookingMove moves a live booking to another slot and bumps its
// invitation sequence. A slot with a live booking is ErrSlotTaken.
func (s *Store) TestBookingMove(ctx context.Context, id, slotID int64) (TestBooking, error) {
	row, err := s.q.TestBookingMove(ctx, dbsqlc.TestBookingMoveParams{ID: id, SlotID: slotID})
	if err != nil {
		return TestBooking{}, bookingError(err, "moving test booking")
	}
	return testBookingFromRow(row), nil
}

// TestBookingDecide records staff's decision on a live booking, once:
// a booking already decided or cancelled is ErrNotFound.
func (s *Store) TestBookingDecide(ctx context.Context, id int64, outcome, findings string, decidedBy *int64) (TestBooking, error) {
	row, err := s.q.TestBookingDecide(ctx, dbsqlc.TestBookingDecideParams{ID: id, Outcome: &outcome, Findings: findings, DecidedBy: decidedBy})
	if err != nil {
		return TestBooking{}, interpret(err, "deciding test booking")
	}
	return testBookingFromRow(row), nil
}

// TestBookingDetail returns a booking with its slot, staff member and
// applicant.
func (s *Store) TestBookingDetail(ctx context.Context, id int64) (TestBookingDetail, error) {
	r, err := s.q.TestBookingDetail(ctx, id)
	if err != nil {
		return TestBookingDetail{}, interpret(err, "getting test booking detail")
	}
	return TestBookingDetail{
		TestBooking: testBookingFromRow(r.TestBooking), Slot: testSlotFromRow(r.TestSlot),
		StaffName: r.StaffName, StaffEmail: r.StaffEmail, CompanyName: r.CompanyName, ContactName: r.ContactName,
		ContactEmail: r.ContactEmail, ApplicationState: admission.State(r.ApplicationState), SupplierID: r.SupplierID,
	}, nil
}

// TestCaseResultSet records (or replaces) the result of one variant.
func (s *Store) TestCaseResultSet(ctx context.Context, r TestCaseResult) error {
	return interpret(s.q.TestCaseResultSet(ctx, dbsqlc.TestCaseResultSetParams{
		BookingID: r.BookingID, TestCase: r.TestCase, Variant: int32(r.Variant), Passed: r.Passed, Note: r.Note,
	}), "recording test case result")
}

// TestCaseResultList returns a booking's recorded results.
func (s *Store) TestCaseResultList(ctx context.Context, bookingID int64) ([]TestCaseResult, error) {
	rows, err := s.q.TestCaseResultList(ctx, bookingID)
	if err != nil {
		return nil, interpret(err, "listing test case results")
	}
	out := make([]TestCaseResult, len(rows))
	for i, r := range rows {
		out[i] = TestCaseResult{BookingID: r.BookingID, TestCase: r.TestCase, Variant: int(r.Variant), Passed: r.Passed, Note: r.Note}
	}
	return out, nil
}

// TestBookingCancelLiveForApplication cancels an application's undecided
// booking, if any (on exclusion), freeing its slot.
func (s *Store) TestBookingCancelLiveForApplication(ctx context.Context, applicationID int64) (int64, error) {
	n, err := s.q.TestBookingCancelLiveForApplication(ctx, applicationID)
	return n, interpret(err, "cancelling live booking")
}
