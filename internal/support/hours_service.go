package support

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
)

// Audit actions of support hours.
const (
	auditTimeLogged       audit.Action = "support.time_logged"
	auditTimeChanged      audit.Action = "support.time_changed"
	auditTimeDeleted      audit.Action = "support.time_deleted"
	auditAllowanceChanged audit.Action = "support.allowance_changed"
	auditMonthClosed      audit.Action = "support.month_closed"
)

// Dutch refusals of the hours service.
const (
	MsgHoursSupplier     = "Kies een bestaande aanbieder."
	MsgHoursDate         = "Vul een geldige datum in (dd-mm-jjjj)."
	MsgHoursFuture       = "Een datum in de toekomst kan niet worden geboekt."
	MsgHoursClosed       = "Deze maand is afgesloten; er kan niets meer in worden geboekt of gewijzigd."
	MsgHoursCategory     = "Kies een categorie."
	MsgHoursDescription  = "Vul een omschrijving in."
	MsgHoursDescTooLong  = "De omschrijving mag hoogstens 500 tekens lang zijn."
	MsgHoursReason       = "Vul een reden in voor de wijziging van het tegoed."
	MsgHoursAllowance    = "Vul het tegoed in, bijvoorbeeld 8, 8:00 of 480m."
	MsgHoursMonth        = "Kies een geldige maand (jjjj-mm)."
	MsgHoursMonthFuture  = "Een maand die nog niet voorbij is kan niet worden afgesloten."
	MsgHoursMonthClosed  = "Deze maand is al afgesloten."
	maxHoursDescription  = 500
	hoursDateLayoutISO   = "2006-01-02"
	hoursDateLayoutDutch = "02-01-2006"
)

// ErrHoursNotOwn is returned when staff change or delete someone else's entry.
var ErrHoursNotOwn = errors.New("support: time entry belongs to another staff member")

// HoursInvalid holds Dutch messages per form field (supplier_id, date,
// duration, category, description, minutes, reason, maand).
type HoursInvalid map[string]string

func (e HoursInvalid) Error() string { return "support: invalid hours input" }

// HoursInput is a time entry as typed by staff.
type HoursInput struct {
	SupplierID  int64
	Date        string // jjjj-mm-dd or dd-mm-jjjj
	Duration    string
	Category    string
	Description string
}

// HoursService logs support time and derives allowances and statements.
//
// Free and billable minutes are never stored: every figure is computed
// from ALL of a supplier's entries with Allocate (chronological, by date
// then id) and NewStatement per month. Two staff members logging at the
// same moment therefore can never both use the same free minute, bill a
// minute twice or lose one — each entry's split follows from its place in
// the sequence, which is the same for every reader.
type HoursService struct {
	store *store.Store
	now   func() time.Time
	loc   *time.Location
}

// NewHoursService returns the service; now may be nil for time.Now.
func NewHoursService(st *store.Store, now func() time.Time) *HoursService {
	if now == nil {
		now = time.Now
	}
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		loc = time.UTC
	}
	return &HoursService{store: st, now: now, loc: loc}
}

// Today is today's civil date in the Netherlands (midnight UTC).
func (h *HoursService) Today() time.Time {
	y, m, d := h.now().In(h.loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ParseHoursDate parses jjjj-mm-dd (the date input) or dd-mm-jjjj.
func ParseHoursDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range []string{hoursDateLayoutISO, hoursDateLayoutDutch} {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// ParseHoursMonth parses jjjj-mm into the month's first day.
func ParseHoursMonth(s string) (time.Time, bool) {
	t, err := time.Parse("2006-01", strings.TrimSpace(s))
	return t, err == nil
}

// ParseAllowance parses an allowance: plain hours ("8", "7,5") or any
// duration ParseDuration accepts; 0 is allowed.
func ParseAllowance(s string) (int, string) {
	s = strings.TrimSpace(s)
	if s == "0" || s == "0:00" {
		return 0, ""
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= 10000 {
		return n * 60, ""
	}
	if m, msg := ParseDuration(s); msg == "" {
		return m, ""
	}
	if s != "" && !strings.ContainsAny(s, ":umh") {
		if m, msg := ParseDuration(s + "u"); msg == "" {
			return m, ""
		}
	}
	return 0, MsgHoursAllowance
}

func (h *HoursService) validate(ctx context.Context, tx *store.Store, in HoursInput, checkSupplier bool) (store.NewTimeEntry, error) {
	errs := HoursInvalid{}
	e := store.NewTimeEntry{SupplierID: in.SupplierID, Category: in.Category, Description: strings.TrimSpace(in.Description)}
	if checkSupplier {
		if in.SupplierID <= 0 {
			errs["supplier_id"] = MsgHoursSupplier
		} else if _, err := tx.SupplierGet(ctx, in.SupplierID); errors.Is(err, store.ErrNotFound) {
			errs["supplier_id"] = MsgHoursSupplier
		} else if err != nil {
			return e, err
		}
	}
	if d, ok := ParseHoursDate(in.Date); !ok {
		errs["date"] = MsgHoursDate
	} else if d.After(h.Today()) {
		errs["date"] = MsgHoursFuture
	} else if closed, err := tx.ClosedMonthIs(ctx, d); err != nil {
		return e, err
	} else if closed {
		errs["date"] = MsgHoursClosed
	} else {
		e.Date = d
	}
	if m, msg := ParseDuration(in.Duration); msg != "" {
		errs["duration"] = msg
	} else {
		e.Minutes = m
	}
	if !Category(in.Category).Valid() {
		errs["category"] = MsgHoursCategory
	}
	switch {
	case e.Description == "":
		errs["description"] = MsgHoursDescription
	case len([]rune(e.Description)) > maxHoursDescription:
		errs["description"] = MsgHoursDescTooLong
	}
	if len(errs) > 0 {
		return e, errs
	}
	return e, nil
}

func entryDetail(e store.TimeEntry) map[string]string {
	return map[string]string{
		"date": e.Date.Format(hoursDateLayoutISO), "minutes": strconv.Itoa(e.Minutes),
		"category": e.Category, "description": e.Description,
	}
}

// Log records a time entry by staffID. Validation failures are HoursInvalid.
func (h *HoursService) Log(ctx context.Context, actor audit.Actor, staffID int64, in HoursInput) (store.TimeEntry, error) {
	var out store.TimeEntry
	err := h.store.InTx(ctx, func(tx *store.Store) error {
		// Serialise with month closing so no entry slips into a month
		// that is being closed.
		if err := tx.ClosedMonthLock(ctx); err != nil {
			return err
		}
		e, err := h.validate(ctx, tx, in, true)
		if err != nil {
			return err
		}
		e.StaffID = staffID
		if out, err = tx.TimeEntryCreate(ctx, e); err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: auditTimeLogged, SubjectType: "time_entry",
			SubjectID: strconv.FormatInt(out.ID, 10), SupplierID: &out.SupplierID, Detail: entryDetail(out)})
	})
	return out, err
}

// Editable returns the entry when staffID may still change it: its own,
// in an open month. Otherwise ErrHoursNotOwn or HoursInvalid{"date": closed}.
func (h *HoursService) Editable(ctx context.Context, staffID, id int64) (store.TimeEntry, error) {
	return h.editable(ctx, h.store, staffID, id, false)
}

func (h *HoursService) editable(ctx context.Context, tx *store.Store, staffID, id int64, lock bool) (store.TimeEntry, error) {
	get := tx.TimeEntryGet
	if lock {
		get = tx.TimeEntryGetForUpdate
	}
	e, err := get(ctx, id)
	if err != nil {
		return e, err
	}
	if e.StaffID != staffID {
		return e, ErrHoursNotOwn
	}
	closed, err := tx.ClosedMonthIs(ctx, e.Date)
	if err != nil {
		return e, err
	}
	if closed {
		return e, HoursInvalid{"date": MsgHoursClosed}
	}
	return e, nil
}

// Update changes staffID's own entry in an open month (and the new date
// must be in an open month too). The supplier cannot change.
func (h *HoursService) Update(ctx context.Context, actor audit.Actor, staffID, id int64, in HoursInput) (store.TimeEntry, error) {
	var out store.TimeEntry
	err := h.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.ClosedMonthLock(ctx); err != nil {
			return err
		}
		old, err := h.editable(ctx, tx, staffID, id, true)
		if err != nil {
			return err
		}
		e, err := h.validate(ctx, tx, in, false)
		if err != nil {
			return err
		}
		if out, err = tx.TimeEntryUpdate(ctx, id, e); err != nil {
			return err
		}
		d := entryDetail(out)
		d["old_date"], d["old_minutes"] = old.Date.Format(hoursDateLayoutISO), strconv.Itoa(old.Minutes)
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: auditTimeChanged, SubjectType: "time_entry",
			SubjectID: strconv.FormatInt(id, 10), SupplierID: &out.SupplierID, Detail: d})
	})
	return out, err
}

// Delete removes staffID's own entry in an open month.
func (h *HoursService) Delete(ctx context.Context, actor audit.Actor, staffID, id int64) (store.TimeEntry, error) {
	var old store.TimeEntry
	err := h.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.ClosedMonthLock(ctx); err != nil {
			return err
		}
		var err error
		if old, err = h.editable(ctx, tx, staffID, id, true); err != nil {
			return err
		}
		if err := tx.TimeEntryDelete(ctx, id); err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: auditTimeDeleted, SubjectType: "time_entry",
			SubjectID: strconv.FormatInt(id, 10), SupplierID: &old.SupplierID, Detail: entryDetail(old)})
	})
	return old, err
}

// SetAllowance changes a supplier's allowance (minutes typed as hours or a
// duration) with a required reason, audited with old and new values.
func (h *HoursService) SetAllowance(ctx context.Context, actor audit.Actor, supplierID int64, minutesText, reason string) (int, error) {
	errs := HoursInvalid{}
	minutes, msg := ParseAllowance(minutesText)
	if msg != "" {
		errs["minutes"] = msg
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		errs["reason"] = MsgHoursReason
	}
	if len(errs) > 0 {
		return 0, errs
	}
	err := h.store.InTx(ctx, func(tx *store.Store) error {
		if _, err := tx.SupplierGet(ctx, supplierID); err != nil {
			return err
		}
		old, err := h.allowance(ctx, tx, supplierID)
		if err != nil {
			return err
		}
		if err := tx.SupportAllowanceSet(ctx, supplierID, minutes, reason, actor.UserID); err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: auditAllowanceChanged, SubjectType: "supplier",
			SubjectID: strconv.FormatInt(supplierID, 10), SupplierID: &supplierID, Detail: map[string]string{
				"old_minutes": strconv.Itoa(old), "new_minutes": strconv.Itoa(minutes), "reason": reason,
			}})
	})
	return minutes, err
}

func (h *HoursService) allowance(ctx context.Context, tx *store.Store, supplierID int64) (int, error) {
	a, err := tx.SupportAllowanceGet(ctx, supplierID)
	if errors.Is(err, store.ErrNotFound) {
		return DefaultAllowance, nil
	}
	return a.Minutes, err
}

// CloseMonth closes a month (jjjj-mm) that has ended: no entries, edits or
// deletions in it afterwards.
func (h *HoursService) CloseMonth(ctx context.Context, actor audit.Actor, month string) (time.Time, error) {
	m, ok := ParseHoursMonth(month)
	if !ok {
		return m, HoursInvalid{"maand": MsgHoursMonth}
	}
	t := h.Today()
	if !m.Before(time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)) {
		return m, HoursInvalid{"maand": MsgHoursMonthFuture}
	}
	err := h.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.ClosedMonthLock(ctx); err != nil {
			return err
		}
		closed, err := tx.ClosedMonthAdd(ctx, m, actor.UserID)
		if err != nil {
			return err
		}
		if !closed {
			return HoursInvalid{"maand": MsgHoursMonthClosed}
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: auditMonthClosed, SubjectType: "month",
			SubjectID: m.Format("2006-01"), Detail: map[string]string{"month": m.Format("2006-01")}})
	})
	return m, err
}

// HoursEntry is an allocated entry with who logged it.
type HoursEntry struct {
	Entry
	StaffID   int64
	StaffName string
}

// HoursAccount is a supplier's support account: all entries allocated.
type HoursAccount struct {
	SupplierID int64
	Supplier   string
	Allowance  int
	Used       int // free minutes used in total
	Remaining  int
	Entries    []HoursEntry // chronological, allocated
}

// Statement is the account's statement for one month.
func (a HoursAccount) Statement(year int, month time.Month) Statement {
	es := make([]Entry, len(a.Entries))
	for i, e := range a.Entries {
		es[i] = e.Entry
	}
	return NewStatement(a.Supplier, year, month, es)
}

// Month returns the account's entries in one month.
func (a HoursAccount) Month(year int, month time.Month) []HoursEntry {
	var out []HoursEntry
	for _, e := range a.Entries {
		if y, m, _ := e.Date.Date(); y == year && m == month {
			out = append(out, e)
		}
	}
	return out
}

// Totals sums the minutes of entries dated in [from, to).
func (a HoursAccount) Totals(from, to time.Time) (minutes, free, billable int, amount Cents) {
	for _, e := range a.Entries {
		if e.Date.Before(from) || !e.Date.Before(to) {
			continue
		}
		minutes += e.Minutes
		free += e.FreeMinutes
		billable += e.BillableMinutes
	}
	// Amounts per month, as the statements bill them.
	for m := from; m.Before(to); m = m.AddDate(0, 1, 0) {
		amount += a.Statement(m.Year(), m.Month()).TotalExcl
	}
	return minutes, free, billable, amount
}

// Account returns a supplier's allocated account.
func (h *HoursService) Account(ctx context.Context, supplierID int64) (HoursAccount, error) {
	sup, err := h.store.SupplierGet(ctx, supplierID)
	if err != nil {
		return HoursAccount{}, err
	}
	allowance, err := h.allowance(ctx, h.store, supplierID)
	if err != nil {
		return HoursAccount{}, err
	}
	rows, err := h.store.TimeEntryListForSupplier(ctx, supplierID)
	if err != nil {
		return HoursAccount{}, err
	}
	return buildAccount(supplierID, sup.Name, allowance, rows), nil
}

func buildAccount(id int64, name string, allowance int, rows []store.TimeEntry) HoursAccount {
	a := HoursAccount{SupplierID: id, Supplier: name, Allowance: allowance}
	es := make([]Entry, len(rows))
	staff := make(map[int64]store.TimeEntry, len(rows))
	for i, r := range rows {
		es[i] = Entry{ID: r.ID, Date: r.Date, Minutes: r.Minutes, Description: r.Description, Category: Category(r.Category)}
		staff[r.ID] = r
	}
	for _, e := range Allocate(allowance, 0, es) {
		a.Used += e.FreeMinutes
		a.Entries = append(a.Entries, HoursEntry{Entry: e, StaffID: staff[e.ID].StaffID, StaffName: staff[e.ID].StaffName})
	}
	a.Remaining = max(allowance-a.Used, 0)
	return a
}

// Accounts returns every supplier's account, by supplier name.
func (h *HoursService) Accounts(ctx context.Context) ([]HoursAccount, error) {
	sups, err := h.store.SupplierList(ctx)
	if err != nil {
		return nil, err
	}
	allowances, err := h.store.SupportAllowanceList(ctx)
	if err != nil {
		return nil, err
	}
	all, err := h.store.TimeEntryListAll(ctx)
	if err != nil {
		return nil, err
	}
	by := map[int64][]store.TimeEntry{}
	for _, e := range all {
		by[e.SupplierID] = append(by[e.SupplierID], e)
	}
	out := make([]HoursAccount, 0, len(sups))
	for _, sp := range sups {
		allowance, ok := allowances[sp.ID]
		if !ok {
			allowance = DefaultAllowance
		}
		out = append(out, buildAccount(sp.ID, sp.Name, allowance, by[sp.ID]))
	}
	return out, nil
}

// ClosedMonths returns the closed months, newest first.
func (h *HoursService) ClosedMonths(ctx context.Context) ([]time.Time, error) {
	return h.store.ClosedMonthList(ctx)
}

// RecentByStaff returns a staff member's latest entries.
func (h *HoursService) RecentByStaff(ctx context.Context, staffID int64) ([]store.TimeEntry, error) {
	return h.store.TimeEntryRecentByStaff(ctx, staffID, 20)
}
