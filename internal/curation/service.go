// Package curation is WUJW's say over which synced products appear on the
// platform (SPEC §3 "Curation"): curators approve or reject products, one
// by one or in bulk; a significant change after approval sends a product
// back to the queue; curators keep the platform's category tree and map
// supplier categories onto it. Visibility itself is decided elsewhere, in
// one place; this package only keeps the curation state it reads.
package curation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
)

// Refused is a decision or change that was not made, with the Dutch reason
// to show to the curator.
type Refused struct{ Reason string }

func (e Refused) Error() string { return e.Reason }

// ErrStale refuses a decision on a product that changed (or was decided)
// since the curator opened it.
var ErrStale = Refused{"Dit product is gewijzigd sinds u het opende; bekijk het opnieuw."}

// Service runs curation.
type Service struct {
	store  *store.Store
	jobs   *river.Client[pgx.Tx]
	logger *slog.Logger
	// DirectLimit: bulk selections up to this size are decided at once in
	// the request; larger ones run as a job.
	DirectLimit int
	// BatchSize is how many products one transaction of a bulk job decides.
	BatchSize int
}

// New returns the service. jobs may be nil in tools that never start a
// large bulk decision.
func New(st *store.Store, jobs *river.Client[pgx.Tx], logger *slog.Logger) *Service {
	return &Service{store: st, jobs: jobs, logger: logger, DirectLimit: 200, BatchSize: 1000}
}

// Audit events of curation.
const (
	AuditApproved        audit.Action = audit.CurationApproved
	AuditRejected        audit.Action = audit.CurationRejected
	AuditBackInQueue     audit.Action = audit.CurationChanged
	AuditSettings        audit.Action = audit.CurationSettingsChanged
	AuditReasonAdded     audit.Action = audit.RejectionReasonAdded
	AuditReasonSwitched  audit.Action = audit.RejectionReasonSwitched
	AuditBulkStarted     audit.Action = audit.CurationBulkStarted
	AuditCategoryCreated audit.Action = audit.PlatformCategoryCreated
	AuditCategoryChanged audit.Action = audit.PlatformCategoryChanged
	AuditCategoryDeleted audit.Action = audit.PlatformCategoryDeleted
	AuditCategoryMapped  audit.Action = audit.CategoryMapped
)

func productSubject(id int64) string { return strconv.FormatInt(id, 10) }

// Approve approves a product as the curator saw it at version.
func (s *Service) Approve(ctx context.Context, actor audit.Actor, productID, version int64) error {
	return s.store.InTx(ctx, func(tx *store.Store) error {
		p, err := tx.CurationProductGet(ctx, productID)
		if err != nil {
			return err
		}
		newVersion, err := tx.ProductCurationApprove(ctx, productID, version, actor.UserID)
		if errors.Is(err, store.ErrNotFound) {
			return ErrStale
		}
		if err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: AuditApproved, SubjectType: "product",
			SubjectID: productSubject(productID), SupplierID: &p.SupplierID,
			Detail: map[string]string{"name": p.Name, "version": strconv.FormatInt(newVersion, 10)}})
	})
}

// MaxReasonText bounds the free text with a rejection.
const MaxReasonText = 1000

// Reject rejects a product as the curator saw it at version, with a reason
// from the managed list and optional free text the supplier sees too.
func (s *Service) Reject(ctx context.Context, actor audit.Actor, productID, version, reasonID int64, text string) error {
	text, err := checkReason(ctx, s.store, reasonID, text)
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx *store.Store) error {
		p, err := tx.CurationProductGet(ctx, productID)
		if err != nil {
			return err
		}
		reason, err := tx.RejectionReasonGet(ctx, reasonID)
		if err != nil {
			return err
		}
		newVersion, err := tx.ProductCurationReject(ctx, productID, version, reasonID, text, actor.UserID)
		if errors.Is(err, store.ErrNotFound) {
			return ErrStale
		}
		if err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: AuditRejected, SubjectType: "product",
			SubjectID: productSubject(productID), SupplierID: &p.SupplierID,
			Detail: map[string]string{"name": p.Name, "reason": reasonDetail(reason.Label, text), "version": strconv.FormatInt(newVersion, 10)}})
	})
}

// checkReason validates a rejection's reason and text; it returns the
// trimmed text.
func checkReason(ctx context.Context, st *store.Store, reasonID int64, text string) (string, error) {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	if reasonID <= 0 {
		return "", Refused{"Kies een reden voor de afwijzing."}
	}
	if utf8.RuneCountInString(text) > MaxReasonText {
		return "", Refused{fmt.Sprintf("De toelichting mag hoogstens %d tekens lang zijn.", MaxReasonText)}
	}
	r, err := st.RejectionReasonGet(ctx, reasonID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !r.Active) {
		return "", Refused{"Deze reden bestaat niet (meer); kies een reden uit de lijst."}
	}
	return text, err
}

func reasonDetail(label, text string) string {
	if text == "" {
		return label
	}
	return label + ": " + text
}

// Settings returns the curators' settings.
func (s *Service) Settings(ctx context.Context) (store.CurationSettings, error) {
	return s.store.CurationSettingsGet(ctx)
}

// UpdateSettings stores the price threshold (0–1000 %) and whether a
// product back in review stays visible.
func (s *Service) UpdateSettings(ctx context.Context, actor audit.Actor, pct int, keepVisible bool) error {
	if pct < 0 || pct > 1000 {
		return Refused{"Vul een percentage tussen 0 en 1000 in."}
	}
	return s.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.CurationSettingsUpdate(ctx, pct, keepVisible, actor.UserID); err != nil {
			return err
		}
		keep := "nee"
		if keepVisible {
			keep = "ja"
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: AuditSettings, SubjectType: "curation_settings",
			Detail: map[string]string{"price_increase_percent": strconv.Itoa(pct), "keep_visible": keep}})
	})
}

// MaxReasonLabel bounds a rejection reason's label.
const MaxReasonLabel = 200

// AddReason adds a rejection reason to the managed list.
func (s *Service) AddReason(ctx context.Context, actor audit.Actor, label string) (store.RejectionReason, error) {
	label = strings.Join(strings.Fields(label), " ")
	switch {
	case label == "":
		return store.RejectionReason{}, Refused{"Vul de omschrijving van de reden in."}
	case utf8.RuneCountInString(label) > MaxReasonLabel:
		return store.RejectionReason{}, Refused{fmt.Sprintf("De omschrijving mag hoogstens %d tekens lang zijn.", MaxReasonLabel)}
	}
	var out store.RejectionReason
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		if _, err := tx.RejectionReasonByLabel(ctx, label); err == nil {
			return Refused{"Deze reden staat al in de lijst."}
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		var err error
		if out, err = tx.RejectionReasonAdd(ctx, label); err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: AuditReasonAdded, SubjectType: "rejection_reason",
			SubjectID: strconv.FormatInt(out.ID, 10), Detail: map[string]string{"label": label}})
	})
	return out, err
}

// SetReasonActive switches a rejection reason on or off; inactive reasons
// are not offered any more but stay on past decisions.
func (s *Service) SetReasonActive(ctx context.Context, actor audit.Actor, id int64, active bool) (store.RejectionReason, error) {
	var out store.RejectionReason
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		if out, err = tx.RejectionReasonSetActive(ctx, id, active); err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: AuditReasonSwitched, SubjectType: "rejection_reason",
			SubjectID: strconv.FormatInt(id, 10), Detail: map[string]string{"label": out.Label, "active": strconv.FormatBool(active)}})
	})
	return out, err
}
