package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store/dbsqlc"
)

// AuditAdd appends an entry to the audit log. Call it on the transaction
// that makes the audited change.
func (s *Store) AuditAdd(ctx context.Context, e audit.Entry) error {
	detail := []byte("{}")
	if len(e.Detail) > 0 {
		var err error
		if detail, err = json.Marshal(e.Detail); err != nil {
			return fmt.Errorf("encoding audit detail: %w", err)
		}
	}
	return interpret(s.q.AuditAdd(ctx, dbsqlc.AuditAddParams{
		ActorID: e.Actor.UserID, ActorEmail: e.Actor.Email, Action: string(e.Action),
		SubjectType: e.SubjectType, SubjectID: e.SubjectID, SupplierID: e.SupplierID,
		IP: e.Actor.IP, Detail: detail,
	}), "writing audit entry")
}

// AuditList returns entries newest first.
func (s *Store) AuditList(ctx context.Context, f audit.Filter) ([]audit.Entry, error) {
	p := dbsqlc.AuditListParams{From: f.From, Until: f.Until, MaxRows: int32(f.Limit)}
	if p.MaxRows <= 0 {
		p.MaxRows = 100
	}
	if f.Action != "" {
		a := string(f.Action)
		p.Action = &a
	}
	if f.Actor != "" {
		// Typed text is matched literally, not as a LIKE pattern.
		actor := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(f.Actor)
		p.Actor = &actor
	}
	if f.BeforeID > 0 {
		p.BeforeID = &f.BeforeID
	}
	rows, err := s.q.AuditList(ctx, p)
	if err != nil {
		return nil, interpret(err, "listing audit log")
	}
	out := make([]audit.Entry, len(rows))
	for i, r := range rows {
		out[i] = audit.Entry{
			ID: r.ID, At: r.At, Action: audit.Action(r.Action),
			Actor:       audit.Actor{UserID: r.ActorID, Email: r.ActorEmail, IP: r.IP},
			SubjectType: r.SubjectType, SubjectID: r.SubjectID, SupplierID: r.SupplierID,
		}
		if len(r.Detail) > 2 {
			_ = json.Unmarshal(r.Detail, &out[i].Detail)
		}
	}
	return out, nil
}

// AuditActions lists the actions that occur in the log, for the filter.
func (s *Store) AuditActions(ctx context.Context) ([]audit.Action, error) {
	rows, err := s.q.AuditActions(ctx)
	if err != nil {
		return nil, interpret(err, "listing audit actions")
	}
	out := make([]audit.Action, len(rows))
	for i, r := range rows {
		out[i] = audit.Action(r)
	}
	return out, nil
}
