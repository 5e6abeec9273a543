package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/wujw/ohis/internal/store/dbsqlc"
)

// TimeEntry is one block of support time logged by staff for a supplier.
// Date is a civil date at midnight UTC.
type TimeEntry struct {
	ID          int64
	SupplierID  int64
	StaffID     int64
	StaffName   string
	Supplier    string
	Date        time.Time
	Minutes     int
	Category    string
	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// NewTimeEntry is a time entry to create or the new values of one to update.
type NewTimeEntry struct {
	SupplierID  int64
	StaffID     int64
	Date        time.Time
	Minutes     int
	Category    string
	Description string
}

// SupportAllowance is a supplier's changed allowance; a supplier without
// one has the default.
type SupportAllowance struct {
	SupplierID int64
	Minutes    int
	Reason     string
	ChangedBy  *int64
	ChangedAt  time.Time
}

func hoursDate(t time.Time) pgtype.Date {
	y, m, d := t.Date()
	return pgtype.Date{Time: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), Valid: true}
}

func hoursFromDate(d pgtype.Date) time.Time {
	y, m, dd := d.Time.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}

func timeEntryFromRow(r dbsqlc.TimeEntry) TimeEntry {
	return TimeEntry{
		ID: r.ID, SupplierID: r.SupplierID, StaffID: r.StaffID, Date: hoursFromDate(r.EntryDate),
		Minutes: int(r.Minutes), Category: r.Category, Description: r.Description,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

// TimeEntryCreate stores a new time entry.
func (s *Store) TimeEntryCreate(ctx context.Context, e NewTimeEntry) (TimeEntry, error) {
	row, err := s.q.TimeEntryCreate(ctx, dbsqlc.TimeEntryCreateParams{
		SupplierID: e.SupplierID, StaffID: e.StaffID, EntryDate: hoursDate(e.Date),
		Minutes: int32(e.Minutes), Category: e.Category, Description: e.Description,
	})
	if err != nil {
		return TimeEntry{}, interpret(err, "creating time entry")
	}
	return timeEntryFromRow(row), nil
}

// TimeEntryGet returns one time entry.
func (s *Store) TimeEntryGet(ctx context.Context, id int64) (TimeEntry, error) {
	row, err := s.q.TimeEntryGet(ctx, id)
	if err != nil {
		return TimeEntry{}, interpret(err, "getting time entry")
	}
	return timeEntryFromRow(row), nil
}

// TimeEntryGetForUpdate returns one time entry, locked until the
// transaction ends.
func (s *Store) TimeEntryGetForUpdate(ctx context.Context, id int64) (TimeEntry, error) {
	row, err := s.q.TimeEntryGetForUpdate(ctx, id)
	if err != nil {
		return TimeEntry{}, interpret(err, "locking time entry")
	}
	return timeEntryFromRow(row), nil
}

// TimeEntryUpdate changes an entry's date, minutes, category and
// description (not its supplier or staff member).
func (s *Store) TimeEntryUpdate(ctx context.Context, id int64, e NewTimeEntry) (TimeEntry, error) {
	row, err := s.q.TimeEntryUpdate(ctx, dbsqlc.TimeEntryUpdateParams{
		ID: id, EntryDate: hoursDate(e.Date), Minutes: int32(e.Minutes), Category: e.Category, Description: e.Description,
	})
	if err != nil {
		return TimeEntry{}, interpret(err, "updating time entry")
	}
	return timeEntryFromRow(row), nil
}

// TimeEntryDelete removes a time entry.
func (s *Store) TimeEntryDelete(ctx context.Context, id int64) error {
	return interpret(s.q.TimeEntryDelete(ctx, id), "deleting time entry")
}

// TimeEntryListForSupplier returns all of a supplier's entries in
// chronological order (date, then id), with the staff member's name.
func (s *Store) TimeEntryListForSupplier(ctx context.Context, supplierID int64) ([]TimeEntry, error) {
	rows, err := s.q.TimeEntryListForSupplier(ctx, supplierID)
	if err != nil {
		return nil, interpret(err, "listing time entries")
	}
	out := make([]TimeEntry, len(rows))
	for i, r := range rows {
		out[i] = timeEntryFromRow(dbsqlc.TimeEntry{
			ID: r.ID, SupplierID: r.SupplierID, StaffID: r.StaffID, EntryDate: r.EntryDate, Minutes: r.Minutes,
			Category: r.Category, Description: r.Description, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		})
		out[i].StaffName = r.StaffName
		if out[i].StaffName == "" {
			out[i].StaffName = r.StaffEmail
		}
	}
	return out, nil
}

// TimeEntryListAll returns every entry, by supplier, in chronological order.
func (s *Store) TimeEntryListAll(ctx context.Context) ([]TimeEntry, error) {
	rows, err := s.q.TimeEntryListAll(ctx)
	if err != nil {
		return nil, interpret(err, "listing all time entries")
	}
	out := make([]TimeEntry, len(rows))
	for i, r := range rows {
		out[i] = timeEntryFromRow(r)
	}
	return out, nil
}

// TimeEntryRecentByStaff returns a staff member's latest entries, newest
// first, with the supplier's name.
func (s *Store) TimeEntryRecentByStaff(ctx context.Context, staffID int64, limit int) ([]TimeEntry, error) {
	rows, err := s.q.TimeEntryRecentByStaff(ctx, dbsqlc.TimeEntryRecentByStaffParams{StaffID: staffID, Max: int32(limit)})
	if err != nil {
		return nil, interpret(err, "listing recent time entries")
	}
	out := make([]TimeEntry, len(rows))
	for i, r := range rows {
		out[i] = timeEntryFromRow(dbsqlc.TimeEntry{
			ID: r.ID, SupplierID: r.SupplierID, StaffID: r.StaffID, EntryDate: r.EntryDate, Minutes: r.Minutes,
			Category: r.Category, Description: r.Description, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		})
		out[i].Supplier = r.SupplierName
	}
	return out, nil
}

// SupportAllowanceGet returns a supplier's changed allowance, or
// ErrNotFound when it has the default.
func (s *Store) SupportAllowanceGet(ctx context.Context, supplierID int64) (SupportAllowance, error) {
	r, err := s.q.SupportAllowanceGet(ctx, supplierID)
	if err != nil {
		return SupportAllowance{}, interpret(err, "getting support allowance")
	}
	return SupportAllowance{SupplierID: r.SupplierID, Minutes: int(r.Minutes), Reason: r.Reason, ChangedBy: r.ChangedBy, ChangedAt: r.ChangedAt}, nil
}

// SupportAllowanceList returns all changed allowances by supplier id.
func (s *Store) SupportAllowanceList(ctx context.Context) (map[int64]int, error) {
	rows, err := s.q.SupportAllowanceList(ctx)
	if err != nil {
		return nil, interpret(err, "listing support allowances")
	}
	out := make(map[int64]int, len(rows))
	for _, r := range rows {
		out[r.SupplierID] = int(r.Minutes)
	}
	return out, nil
}

// SupportAllowanceSet sets a supplier's allowance.
func (s *Store) SupportAllowanceSet(ctx context.Context, supplierID int64, minutes int, reason string, by *int64) error {
	return interpret(s.q.SupportAllowanceSet(ctx, dbsqlc.SupportAllowanceSetParams{
		SupplierID: supplierID, Minutes: int32(minutes), Reason: reason, ChangedBy: by,
	}), "setting support allowance")
}

// ClosedMonthLock serialises month closing with writes to time entries
// until the transaction ends.
func (s *Store) ClosedMonthLock(ctx context.Context) error {
	return interpret(s.q.ClosedMonthLock(ctx), "locking closed months")
}

// ClosedMonthIs reports whether the month of t is closed.
func (s *Store) ClosedMonthIs(ctx context.Context, t time.Time) (bool, error) {
	y, m, _ := t.Date()
	ok, err := s.q.ClosedMonthExists(ctx, hoursDate(time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)))
	return ok, interpret(err, "checking closed month")
}

// ClosedMonthAdd closes the month of t; closed reports false when it was
// already closed.
func (s *Store) ClosedMonthAdd(ctx context.Context, t time.Time, by *int64) (closed bool, err error) {
	y, m, _ := t.Date()
	n, err := s.q.ClosedMonthAdd(ctx, dbsqlc.ClosedMonthAddParams{Month: hoursDate(time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)), ClosedBy: by})
	return n > 0, interpret(err, "closing month")
}

// ClosedMonthList returns the closed months (first days), newest first.
func (s *Store) ClosedMonthList(ctx context.Context) ([]time.Time, error) {
	rows, err := s.q.ClosedMonthList(ctx)
	if err != nil {
		return nil, interpret(err, "listing closed months")
	}
	out := make([]time.Time, len(rows))
	for i, r := range rows {
		out[i] = hoursFromDate(r.Month)
	}
	return out, nil
}
