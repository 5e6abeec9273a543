package demo

import (
	"context"
	"time"

	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/support"
)

// SeedSupport gives the demo a supplier question waiting for an answer and
// some logged support time. Idempotent: it adds nothing once Groene Woning
// has a question.
func SeedSupport(ctx context.Context, st *store.Store) error {
	sup, err := st.SupplierGetByName(ctx, "Groene Woning B.V.")
	if err != nil {
		return err
	}
	qs, err := st.SupportQuestionsBySupplier(ctx, sup.ID)
	if err != nil || len(qs) > 0 {
		return err
	}
	asker, err := st.UserCredentialsByEmail(ctx, "info@groenewoning.example")
	if err != nil {
		return err
	}
	staff, err := st.UserCredentialsByEmail(ctx, "support@demo.winstuitjewoning.nl")
	if err != nil {
		return err
	}
	received := time.Now().Add(-26 * time.Hour)
	err = st.InTx(ctx, func(tx *store.Store) error {
		_, _, err := tx.SupportQuestionAsk(ctx, store.NewSupportQuestion{
			SupplierID: sup.ID, AskedBy: asker.ID, ReceivedAt: received, DueAt: support.Calendar{}.DueDate(received),
			Subject: "Variaties zonder voorraadbeheer",
			Body:    "Onze variabele producten hebben voorraadbeheer op productniveau. Komt de voorraad dan goed door bij de variaties?",
		})
		return err
	})
	if err != nil {
		return err
	}
	hours := support.NewHoursService(st, time.Now)
	actor := audit.Actor{UserID: &staff.ID, Email: staff.Email}
	today := hours.Today()
	for _, e := range []support.HoursInput{
		{Duration: "2:00", Category: string(support.CategoryOnboarding), Description: "Kennismaking en uitleg van de toelating"},
		{Duration: "1,5", Category: string(support.CategoryIntegration), Description: "WooCommerce-sleutels en webhooks doorgenomen"},
	} {
		e.SupplierID, e.Date = sup.ID, today.Format("2006-01-02")
		if _, err := hours.Log(ctx, actor, staff.ID, e); err != nil {
			return err
		}
	}
	return nil
}
