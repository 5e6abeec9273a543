package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store/dbsqlc"
)

func applicationFromRow(r dbsqlc.Application) admission.Application {
	a := admission.Application{
		ID: r.ID, CreatedAt: r.CreatedAt, CompanyName: r.CompanyName, KvK: r.Kvk, VATID: r.VatID, IBAN: r.Iban,
		ContactName: r.ContactName, Email: r.Email, Phone: r.Phone, Website: r.Website,
		Platform: admission.Platform(r.Platform), State: admission.State(r.State), StateChangedAt: r.StateChangedAt,
		SupplierID: r.SupplierID, AdmittedAt: r.AdmittedAt, APISubmittedAt: r.ApiSubmittedAt,
		AlternativeReason: r.AlternativeReason, DecisionReason: r.DecisionReason,
	}
	_ = json.Unmarshal(r.Checklist, &a.Checklist)
	return a
}

// ApplicationListItem is an application with its organisation's name.
type ApplicationListItem struct {
	admission.Application
	SupplierName string
}

// ApplicationCreate stores a new application in state applied. A KvK
// number that already applied is ErrConflict.
func (s *Store) ApplicationCreate(ctx context.Context, a admission.Application, clientIP string) (admission.Application, error) {
	row, err := s.q.ApplicationCreate(ctx, dbsqlc.ApplicationCreateParams{
		CompanyName: a.CompanyName, Kvk: a.KvK, VatID: a.VATID, Iban: a.IBAN, ContactName: a.ContactName,
		Email: a.Email, Phone: a.Phone, Website: a.Website, Platform: string(a.Platform), ClientIp: clientIP,
	})
	if err != nil {
		return admission.Application{}, interpret(err, "creating application")
	}
	return applicationFromRow(row), nil
}

// ApplicationGet returns one application.
func (s *Store) ApplicationGet(ctx context.Context, id int64) (admission.Application, error) {
	row, err := s.q.ApplicationGet(ctx, id)
	if err != nil {
		return admission.Application{}, interpret(err, "getting application")
	}
	return applicationFromRow(row), nil
}

// ApplicationGetForUpdate returns one application and locks it until the
// transaction ends, so decisions on it serialise.
func (s *Store) ApplicationGetForUpdate(ctx context.Context, id int64) (admission.Application, error) {
	row, err := s.q.ApplicationGetForUpdate(ctx, id)
	if err != nil {
		return admission.Application{}, interpret(err, "locking application")
	}
	return applicationFromRow(row), nil
}

// ApplicationBySupplier returns the application a supplier was admitted
// through.
func (s *Store) ApplicationBySupplier(ctx context.Context, supplierID int64) (admission.Application, error) {
	row, err := s.q.ApplicationGetBySupplier(ctx, &supplierID)
	if err != nil {
		return admission.Application{}, interpret(err, "getting application of supplier")
	}
	return applicationFromRow(row), nil
}

// ApplicationByKvK returns the application with a KvK number.
func (s *Store) ApplicationByKvK(ctx context.Context, kvk string) (admission.Application, error) {
	row, err := s.q.ApplicationGetByKvK(ctx, kvk)
	if err != nil {
		return admission.Application{}, interpret(err, "getting application by KvK")
	}
	return applicationFromRow(row), nil
}

// ApplicationList returns applications, oldest first, optionally in one
// state.
func (s *Store) ApplicationList(ctx context.Context, state admission.State) ([]ApplicationListItem, error) {
	var st *string
	if state != "" {
		v := string(state)
		st = &v
	}
	rows, err := s.q.ApplicationList(ctx, st)
	if err != nil {
		return nil, interpret(err, "listing applications")
	}
	out := make([]ApplicationListItem, len(rows))
	for i, r := range rows {
		out[i] = ApplicationListItem{Application: applicationFromRow(dbsqlc.Application{
			ID: r.ID, CreatedAt: r.CreatedAt, CompanyName: r.CompanyName, Kvk: r.Kvk, VatID: r.VatID, Iban: r.Iban,
			ContactName: r.ContactName, Email: r.Email, Phone: r.Phone, Website: r.Website, Platform: r.Platform,
			TermsAcceptedAt: r.TermsAcceptedAt, ClientIp: r.ClientIp, State: r.State, StateChangedAt: r.StateChangedAt,
			SupplierID: r.SupplierID, AdmittedAt: r.AdmittedAt, ApiSubmittedAt: r.ApiSubmittedAt,
			AlternativeReason: r.AlternativeReason, DecisionReason: r.DecisionReason, Checklist: r.Checklist,
		}), SupplierName: r.SupplierName}
	}
	return out, nil
}

// ApplicationMove moves an application to another state and records the
// transition, after the state machine allowed it. The caller holds the row
// lock (ApplicationGetForUpdate) and passes the state it read.
func (s *Store) ApplicationMove(ctx context.Context, a admission.Application, to admission.State, actor audit.Actor, reason string) (admission.Application, error) {
	if err := admission.Move(a.State, to); err != nil {
		return admission.Application{}, err
	}
	decision := a.DecisionReason
	if to == admission.Rejected || to == admission.Excluded {
		decision = reason
	}
	row, err := s.q.ApplicationSetState(ctx, dbsqlc.ApplicationSetStateParams{ID: a.ID, State: string(to), DecisionReason: decision})
	if err != nil {
		return admission.Application{}, interpret(err, "moving application")
	}
	if err := s.q.AdmissionTransitionAdd(ctx, dbsqlc.AdmissionTransitionAddParams{
		ApplicationID: a.ID, FromState: string(a.State), ToState: string(to),
		ActorID: actor.UserID, ActorEmail: actor.Email, Reason: reason,
	}); err != nil {
		return admission.Application{}, interpret(err, "recording transition")
	}
	return applicationFromRow(row), nil
}

// ApplicationSetAdmitted links the admitted application to its new
// supplier organisation and starts the automatic route's clock.
func (s *Store) ApplicationSetAdmitted(ctx context.Context, id, supplierID int64) (admission.Application, error) {
	row, err := s.q.ApplicationSetAdmitted(ctx, dbsqlc.ApplicationSetAdmittedParams{ID: id, SupplierID: &supplierID})
	if err != nil {
		return admission.Application{}, interpret(err, "linking application to supplier")
	}
	return applicationFromRow(row), nil
}

// ApplicationSetChecklist stores which review requirements are met.
func (s *Store) ApplicationSetChecklist(ctx context.Context, id int64, checked map[string]bool) error {
	b, err := json.Marshal(checked)
	if err != nil {
		return fmt.Errorf("encoding checklist: %w", err)
	}
	return interpret(s.q.ApplicationSetChecklist(ctx, dbsqlc.ApplicationSetChecklistParams{ID: id, Checklist: b}), "saving checklist")
}

// ApplicationSetAlternative records (or with "" clears) an agreed
// alternative integration.
func (s *Store) ApplicationSetAlternative(ctx context.Context, id int64, reason string) error {
	return interpret(s.q.ApplicationSetAlternative(ctx, dbsqlc.ApplicationSetAlternativeParams{ID: id, AlternativeReason: reason}), "saving alternative integration")
}

// ApplicationSetAPISubmitted starts the custom route's clock, once.
func (s *Store) ApplicationSetAPISubmitted(ctx context.Context, id int64) error {
	return interpret(s.q.ApplicationSetAPISubmitted(ctx, id), "recording API submission")
}

// AdmissionTransitions returns an application's recorded moves, oldest
// first.
func (s *Store) AdmissionTransitions(ctx context.Context, applicationID int64) ([]admission.Transition, error) {
	rows, err := s.q.AdmissionTransitionList(ctx, applicationID)
	if err != nil {
		return nil, interpret(err, "listing transitions")
	}
	out := make([]admission.Transition, len(rows))
	for i, r := range rows {
		out[i] = admission.Transition{From: admission.State(r.FromState), To: admission.State(r.ToState),
			ActorEmail: r.ActorEmail, Reason: r.Reason, At: r.At}
	}
	return out, nil
}

// AdmissionRequirements returns the review checklist (all items, or only
// active ones).
func (s *Store) AdmissionRequirements(ctx context.Context, onlyActive bool) ([]admission.Requirement, error) {
	rows, err := s.q.AdmissionRequirementList(ctx, onlyActive)
	if err != nil {
		return nil, interpret(err, "listing requirements")
	}
	out := make([]admission.Requirement, len(rows))
	for i, r := range rows {
		out[i] = admission.Requirement{ID: r.ID, Label: r.Label, Active: r.Active}
	}
	return out, nil
}

// AdmissionRequirementAdd adds an item at the end of the checklist.
func (s *Store) AdmissionRequirementAdd(ctx context.Context, label string) (admission.Requirement, error) {
	r, err := s.q.AdmissionRequirementAdd(ctx, label)
	if err != nil {
		return admission.Requirement{}, interpret(err, "adding requirement")
	}
	return admission.Requirement{ID: r.ID, Label: r.Label, Active: r.Active}, nil
}

// AdmissionRequirementSetActive switches a checklist item on or off.
func (s *Store) AdmissionRequirementSetActive(ctx context.Context, id int64, active bool) error {
	return interpret(s.q.AdmissionRequirementSetActive(ctx, dbsqlc.AdmissionRequirementSetActiveParams{ID: id, Active: active}), "switching requirement")
}

// ApplicationHomeBySupplier returns a supplier's application with the start
// page's figures in one query; ErrNotFound when the organisation has no
// application (then SupplierHomeFacts gives the figures).
func (s *Store) ApplicationHomeBySupplier(ctx context.Context, supplierID int64) (admission.Application, SupplierHomeFacts, error) {
	r, err := s.q.ApplicationHomeBySupplier(ctx, &supplierID)
	if err != nil {
		return admission.Application{}, SupplierHomeFacts{}, interpret(err, "reading supplier start page")
	}
	return applicationFromRow(r.Application), SupplierHomeFacts{TeamSize: int(r.TeamSize), AcceptanceKey: r.AcceptanceKey}, nil
}
