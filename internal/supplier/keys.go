package supplier

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
)

// NewAPIKey is a freshly created key with its secret, shown once.
type NewAPIKey struct {
	store.APIKey
	Secret string
}

// HashAPIKey is how a key's secret is stored and looked up.
func HashAPIKey(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// CreateAPIKey creates a named key for an environment. Keys exist only
// from admission on; production keys only after admission to production.
func (s *Service) CreateAPIKey(ctx context.Context, actor audit.Actor, supplierID int64, env admission.Environment, name string) (NewAPIKey, error) {
	name = strings.TrimSpace(name)
	switch {
	case !env.Valid():
		return NewAPIKey{}, FieldErrors{"environment": "Kies een omgeving: test, acceptatie of productie."}
	case name == "":
		return NewAPIKey{}, FieldErrors{"name": "Geef de sleutel een naam, bijvoorbeeld de naam van het systeem dat hem gebruikt."}
	case utf8.RuneCountInString(name) > 100:
		return NewAPIKey{}, FieldErrors{"name": "De naam mag hoogstens 100 tekens lang zijn."}
	}
	var out NewAPIKey
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		a, err := tx.ApplicationBySupplier(ctx, supplierID)
		if err != nil {
			return err
		}
		switch a.State {
		case admission.Admitted, admission.IntegrationReady, admission.TestBooked, admission.Production:
		default:
			return ErrNotAllowed{"API-sleutels zijn beschikbaar zodra u bent toegelaten."}
		}
		if env == admission.EnvProduction && a.State != admission.Production {
			return ErrNotAllowed{"Productiesleutels kunt u aanmaken zodra u na een geslaagde integratietest tot productie bent toegelaten."}
		}
		raw := make([]byte, 24)
		_, _ = rand.Read(raw)
		idPart := make([]byte, 3)
		_, _ = rand.Read(idPart)
		prefix := env.KeyPrefix() + hex.EncodeToString(idPart)
		secret := prefix + "_" + base64.RawURLEncoding.EncodeToString(raw)
		key, err := tx.APIKeyCreate(ctx, store.APIKey{SupplierID: supplierID, Environment: env, Name: name, Prefix: prefix},
			HashAPIKey(secret), actor.UserID)
		if errors.Is(err, store.ErrConflict) {
			return FieldErrors{"name": "U heeft in deze omgeving al een sleutel met deze naam. Kies een andere naam of trek de oude sleutel eerst in."}
		}
		if err != nil {
			return err
		}
		out = NewAPIKey{APIKey: key, Secret: secret}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.APIKeyCreated, SubjectType: "api_key",
			SubjectID: fmt.Sprint(key.ID), SupplierID: &supplierID, Detail: map[string]string{"environment": string(env), "name": name, "prefix": prefix}})
	})
	return out, err
}

// RevokeAPIKey revokes one of the supplier's own keys.
func (s *Service) RevokeAPIKey(ctx context.Context, actor audit.Actor, supplierID, keyID int64) (store.APIKey, error) {
	var key store.APIKey
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		if key, err = tx.APIKeyRevoke(ctx, supplierID, keyID); err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.APIKeyRevoked, SubjectType: "api_key",
			SubjectID: fmt.Sprint(key.ID), SupplierID: &supplierID, Detail: map[string]string{"environment": string(key.Environment), "prefix": key.Prefix}})
	})
	return key, err
}

func (s *Service) hasLiveKey(ctx context.Context, tx *store.Store, supplierID int64, env admission.Environment) (bool, error) {
	keys, err := tx.APIKeyList(ctx, supplierID)
	if err != nil {
		return false, err
	}
	for _, k := range keys {
		if k.Environment == env && k.RevokedAt == nil {
			return true, nil
		}
	}
	return false, nil
}
