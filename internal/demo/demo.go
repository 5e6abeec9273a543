// Package demo loads the demo data that the README's first command starts
// with: a user for every role and a few supplier organisations. Loading is
// idempotent, so every start of a demo portal can call it.
package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/auth"
	"github.com/wujw/ohis/internal/store"
	webauth "github.com/wujw/ohis/web/auth"
)

// Password is the password of every demo account. It is printed on start
// and shown on the login page in demo mode only.
const Password = "demo-wachtwoord"

// Suppliers are the demo supplier organisations.
var Suppliers = []string{"Groene Woning B.V.", "Zonnig Wonen"}

type demoUser struct {
	email, name string
	role        account.Role
	supplier    string
}

var users = []demoUser{
	{"beheer@demo.winstuitjewoning.nl", "Bea Beheer", account.RoleAdmin, ""},
	{"curator@demo.winstuitjewoning.nl", "Cas Curator", account.RoleCurator, ""},
	{"support@demo.winstuitjewoning.nl", "Sam Support", account.RoleSupport, ""},
	{"info@groenewoning.example", "Anouk de Groot", account.RoleSupplier, "Groene Woning B.V."},
	{"webshop@zonnigwonen.example", "Ruben Zon", account.RoleSupplier, "Zonnig Wonen"},
}

// Logins lists the demo accounts for the login page and the start banner.
func Logins() []webauth.DemoLogin {
	out := make([]webauth.DemoLogin, len(users))
	for i, u := range users {
		role := u.role.Label()
		if u.supplier != "" {
			role += " (" + u.supplier + ")"
		}
		out[i] = webauth.DemoLogin{Role: role, Email: u.email, Password: Password}
	}
	return out
}

// Seed creates whatever demo data is missing.
func Seed(ctx context.Context, st *store.Store, svc *auth.Service) error {
	ids := map[string]int64{}
	for _, name := range Suppliers {
		s, err := st.SupplierGetByName(ctx, name)
		if errors.Is(err, store.ErrNotFound) {
			s, err = st.SupplierCreate(ctx, name)
		}
		if err != nil {
			return fmt.Errorf("demo supplier %q: %w", name, err)
		}
		ids[name] = s.ID
	}
	system := audit.Actor{Email: "demo-data"}
	for _, u := range users {
		if _, err := st.UserCredentialsByEmail(ctx, u.email); err == nil {
			continue
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		var sup *int64
		if u.supplier != "" {
			id := ids[u.supplier]
			sup = &id
		}
		if _, err := svc.CreateUser(ctx, system, auth.NewAccount{
			Email: u.email, Name: u.name, Role: u.role, SupplierID: sup, Password: Password,
		}); err != nil && !errors.Is(err, auth.ErrEmailTaken) {
			return fmt.Errorf("demo user %s: %w", u.email, err)
		}
	}
	return nil
}
